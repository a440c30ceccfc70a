#!/usr/bin/python3
"""Boot tests: our QEMU boots real Debian guests to a busybox /init.

Each test starts build/qemu-system-*, waits for the marker line that /init
prints (with a fresh token passed on the kernel command line), checks what
init reports, and expects the guest to power off.  The full console of a
failed test is kept under build/test-logs/.

  tests/boot/run.py [-k SUBSTRING] [--list]

Ends with a line 'N passed, N failed'.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

QEMU_S390X = os.path.join(guest.BUILD, "qemu-system-s390x")
QEMU_PPC64 = os.path.join(guest.BUILD, "qemu-system-ppc64")

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def expect(fields, key, want):
    if fields.get(key) != want:
        raise AssertionError("init reported %s=%s, expected %s"
                             % (key, fields.get(key), want))


@test
def boot_s390x_ccw_virtio():
    cfg = guest.s390x_ccw(QEMU_S390X)
    g, secs, fields = guest.marker_boot(timeout=300, **cfg)
    expect(fields, "arch", "s390x")
    return secs


@test
def boot_ppc64_powernv9():
    cfg = guest.powernv(QEMU_PPC64, "powernv9")
    g, secs, fields = guest.marker_boot(timeout=600, **cfg)
    expect(fields, "arch", "ppc64le")
    expect(fields, "cpu", "POWER9")
    return secs


@test
def boot_ppc64_powernv_is_power10():
    cfg = guest.powernv(QEMU_PPC64, "powernv", name="ppc64-powernv")
    g, secs, fields = guest.marker_boot(timeout=600, **cfg)
    expect(fields, "arch", "ppc64le")
    expect(fields, "cpu", "POWER10")
    return secs


@test
def boot_pef_host_kernel_powernv9():
    """The ppc64le-pef-host fragment gives a bootable powernv kernel with
    the ultravisor-aware KVM-HV code in it (which, with pef=off, finds no
    ultravisor)."""
    cfg = guest.powernv(QEMU_PPC64, "powernv9", name="ppc64-pef-host-kernel")
    cfg["kernel"] = guest.custom_kernel("ppc64le-pef-host")
    g, secs, fields = guest.marker_boot(timeout=600, **cfg)
    expect(fields, "arch", "ppc64le")
    expect(fields, "cpu", "POWER9")
    if "KVMPPC-UVMEM: No support for secure guests" not in g.text():
        raise AssertionError("no KVMPPC-UVMEM line: CONFIG_PPC_UV missing?")
    if "ultravisor" in fields:
        raise AssertionError("ultravisor reported present with pef=off")
    return secs


@test
def boot_svm_guest_kernel_pseries():
    """The ppc64le-svm-guest fragment gives a bootable pseries kernel."""
    cfg = guest.pseries(QEMU_PPC64, guest.custom_kernel("ppc64le-svm-guest"),
                        "ppc64-svm-guest-kernel")
    g, secs, fields = guest.marker_boot(timeout=600, **cfg)
    expect(fields, "arch", "ppc64le")
    return secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="run tests whose name contains this")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    tests = [t for t in TESTS if args.k in t.__name__]
    if args.list:
        for t in tests:
            print(t.__name__)
        return 0
    print("1..%d" % len(tests))
    passed = failed = skipped = 0
    for i, t in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            try:
                secs = t()
            except guest.Skip as e:
                skipped += 1
                print("ok %d - %s # SKIP %s" % (i, t.__name__, e), flush=True)
                continue
            passed += 1
            print("ok %d - %s (init after %.1f s)" % (i, t.__name__, secs),
                  flush=True)
        except Exception as e:  # one failure must not stop the others
            failed += 1
            print("not ok %d - %s (%.1f s)" % (i, t.__name__,
                                              time.monotonic() - t0),
                  flush=True)
            print("# %s: %s" % (type(e).__name__, e))
            path = getattr(e, "console_path", None)
            if path and os.path.exists(path):
                with open(path, "rb") as f:
                    tail = f.read()[-3000:].decode("utf-8", "replace")
                print("# --- last console lines ---")
                for line in tail.splitlines()[-40:]:
                    print("# " + line)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
