#!/usr/bin/python3
"""Boot tests: our QEMU boots real Debian guests to a busybox /init.

Each test starts build/qemu-system-*, waits for the marker line that /init
prints (with a fresh token passed on the kernel command line), checks what
init reports, and expects the guest to power off.  The full console of a
failed test is kept under build/test-logs/.

  tests/boot/run.py [-k SUBSTRING] [--list]

Ends with a line 'N passed, N failed'.
"""

import os
import sys

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
    return guest.run_tests(TESTS)


if __name__ == "__main__":
    sys.exit(main())
