#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Nested PEF boot test: a KVM guest started by Debian's QEMU inside our
PEF host on powernv9,pef=on (issue 13, section 3).

  L0  build/qemu-system-ppc64 -machine powernv9,pef=on (TCG): skiboot,
      the ppc64le-pef-host kernel (scripts/build-kernel.sh, radix), and
      an initramfs from scripts/mk-l1-rootfs.py: busybox, Debian's
      unmodified ppc64el qemu-system-ppc64 10.0.2 with its libraries and
      slof.bin (tests/fixtures/manifest-l1-vmm), the common /init
      (tests/fixtures/init/marker.sh) and tests/pef-nested/l1-hook.sh as
      its /test-hook.sh, the Debian ppc64el kernel and the busybox
      initramfs for L2 under /l2/;
  L1  the hook runs qemu-system-ppc64 -accel kvm -machine pseries ... on
      them: a normal (non-secure) L2 guest, console on L1's console;
  L2  the same common /init prints the marker with its own fresh token
      and powers off; L1 then reports the VMM's exit status, that it is
      still alive, and powers off L0.

Run on powernv9,pef=on with a radix L1 host (PEF's setup) and a hash
one, on powernv9,pef=off and on powernv (POWER10),pef=on.  The L2 is a
normal guest here; Secure VMs come with the rest of issue 13.

The two tokens are fresh per run (qemu_ibm_cc.token for L1,
pef_nested.l2_token passed on by the hook), so each marker line is
known to come from this run's L1 and L2.

  tests/pef-nested/test_nested.py [-k SUBSTRING] [--list]

TAP output; ends with 'N passed, N failed, N skipped'.  Consoles are kept
under build/test-logs/ (pef-nested-*.console).  Timeouts (seconds):
PEF_NESTED_L1_TIMEOUT (L0 launch to L1 /init, default 900),
PEF_NESTED_L2_TIMEOUT (L1 VMM start to L2 /init, default 2400).
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402

QEMU_PPC64 = os.environ.get("QEMU_PPC64",
                            os.path.join(guest.BUILD, "qemu-system-ppc64"))
MK_L1_ROOTFS = os.path.join(guest.TOP, "scripts", "mk-l1-rootfs.py")
HOST_FRAGMENT = os.path.join(guest.TOP, "tests", "fixtures", "kernel",
                             "ppc64le-pef-host.config")

# On a 2-core x86-64 host L1 reaches /init in ~5 s and the L2 in another
# ~20 s (radix L1) or ~45 s (hash L1); generous defaults, as the other
# boot tests, for slower or busier hosts.
L1_TIMEOUT = int(os.environ.get("PEF_NESTED_L1_TIMEOUT", "900"))
L2_TIMEOUT = int(os.environ.get("PEF_NESTED_L2_TIMEOUT", "2400"))

# What the L1 VMM says it is: Debian's build of the pinned package
# (tests/fixtures/manifest-l1-vmm), not ours.
VMM_VERSION = ("QEMU emulator version 10.0.2 "
               "(Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)")
M = re.escape(guest.MARKER)
N = "PEF-NESTED:"

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def host_kernel():
    """The ppc64le-pef-host vmlinux, built from the current fragment."""
    k = guest.custom_kernel("ppc64le-pef-host")
    cfg = os.path.join(os.path.dirname(os.path.realpath(k)), ".config")
    have = set()
    if os.path.exists(cfg):
        with open(cfg) as f:
            have = set(ln.strip() for ln in f)
    with open(HOST_FRAGMENT) as f:
        want = [ln.strip() for ln in f if ln.startswith("CONFIG_")]
    stale = [w for w in want if w not in have]
    if stale:
        raise guest.Skip("kernel ppc64le-pef-host predates its fragment "
                         "(lacks %s): make kernels" % ", ".join(stale[:3]))
    return k


def l1_initramfs(l2_files=None):
    """The L1 rootfs with the L2 kernel, the L2 initramfs (or @l2_files,
    "src:/l2/..." pairs) and the hook (scripts/mk-l1-rootfs.py, cached by
    the hash of its inputs)."""
    if l2_files is None:
        l2_files = [guest.fixture("ppc64el", "vmlinux") + ":/l2/vmlinux",
                    guest.initramfs("ppc64el") + ":/l2/initrd.cpio.gz"]
    hook = os.path.join(HERE, "l1-hook.sh")
    argv = ["/usr/bin/python3", MK_L1_ROOTFS, "--name", "pef-nested",
            "--add", hook + ":/test-hook.sh"]
    for f in l2_files:
        argv += ["--add", f]
    r = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    if r.returncode:
        raise AssertionError("scripts/mk-l1-rootfs.py failed (status %d)"
                             % r.returncode)
    return r.stdout.strip().splitlines()[-1]


def section(g, name):
    m = re.search(r"%s %s-begin\r*\n(.*?)%s %s-end\r*\n"
                  % (N, re.escape(name), N, re.escape(name)),
                  g.text(), re.S)
    if not m:
        g.fail("L1 printed no complete '%s' section" % name)
    return m.group(1).replace("\r\n", "\n")


def fields_between(text, start, end):
    """The marker's key=value fields printed between two offsets."""
    return dict(re.findall(M + r" (\w+)=(\S+)\r*\n", text[start:end]))


def nested_boot(name, l0_machine, l1_append="", l2_machine="pseries",
                l2_mem="512M", l2_files=None, l2_token=None, l0_extra=()):
    """Boot L0 → L1 → L2 as the module docstring says; return a dict of
    what was seen and the stage times (seconds from L0 launch)."""
    kernel = host_kernel()
    initrd = l1_initramfs(l2_files)
    l1_token, l2_token = guest.new_token(), l2_token or guest.new_token()
    append = ("console=hvc0 panic=-1 qemu_ibm_cc.token=%s "
              "pef_nested.l2_token=%s pef_nested.l2_timeout=%d "
              "pef_nested.l2_mem=%s pef_nested.l2_machine=%s %s"
              % (l1_token, l2_token, L2_TIMEOUT, l2_mem, l2_machine,
                 l1_append)).strip()
    argv = [QEMU_PPC64, "-machine", l0_machine, "-m", "3G", "-nographic",
            "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", append] + list(l0_extra)
    g = guest.Guest(name, argv).start()
    seen = {}
    try:
        # L1 up: its marker, with its token
        m = g.wait_for(M + r" token=(\S+) arch=(\S+) kernel=(\S+)\r*\n",
                       L1_TIMEOUT, guest.FAIL_PATTERNS)
        seen["l1_secs"] = g.elapsed()
        if m.group(1) != l1_token:
            g.fail("L1 init echoed token %s, expected %s"
                   % (m.group(1), l1_token))
        seen["l1_kernel"] = m.group(3)
        # L1 starts the VMM
        b = g.wait_for(N + r" l2-begin\r*\n", 300, guest.FAIL_PATTERNS)
        seen["l2_start"] = g.elapsed()
        seen["l1_fields"] = fields_between(g.text(), m.end(), b.start())
        # L2 up: the first marker after l2-begin; the VMM giving up first
        # ends the wait at once
        m2 = g.wait_for(N + r" l2-begin\r*\n(?:.*?\n)*?" + M +
                        r" token=(\S+) arch=(\S+) kernel=(\S+)\r*\n",
                        L2_TIMEOUT, guest.FAIL_PATTERNS +
                        (N + r" l2-vmm-status=\d+", N + r" no /dev/kvm"))
        seen["l2_secs"] = g.elapsed()
        if m2.group(1) != l2_token:
            g.fail("L2 init echoed token %s, expected %s"
                   % (m2.group(1), l2_token))
        seen["l2_kernel"] = m2.group(3)
        d2 = g.wait_for(M + r" token=%s [^\n]*\n(?:.*?\n)*?%s done\r*\n"
                        % (re.escape(l2_token), M), 300,
                        guest.FAIL_PATTERNS)
        seen["l2_fields"] = fields_between(g.text(), m2.end(), d2.end())
        st = g.wait_for(N + r" l2-vmm-status=(\d+)\r*\n", 300,
                        guest.FAIL_PATTERNS)
        seen["l2_end"] = g.elapsed()
        seen["vmm_status"] = int(st.group(1))
        # L1 outlives its L2, then powers off L0
        g.wait_for(N + r" l1-alive after-l2[^\n]*\n(?:.*?\n)*?" + M +
                   r" done\r*\n", 300, guest.FAIL_PATTERNS)
        if g.wait_exit(120) is None:
            g.fail("L1 did not power off after its init")
        seen["total"] = g.elapsed()
        seen["vmm_version"] = section(g, "vmm-version")
        seen["dmesg"] = section(g, "dmesg-kvm")
    finally:
        g.stop()
    g.save_console()
    return g, seen


def expect(g, cond, why):
    if not cond:
        g.fail(why)


def normal_l2(name, machine, cpu, mmu):
    """Debian's QEMU in L1 runs a normal pseries L2 under KVM-HV to its
    /init; L1 survives it."""
    g, s = nested_boot(name, machine, l1_append="disable_radix=%s"
                       % ("no" if mmu == "Radix" else "yes"))
    l1 = s["l1_fields"]
    pef = "pef=on" in machine
    expect(g, l1.get("cpu") == cpu, "L1 cpu=%s" % l1.get("cpu"))
    expect(g, (l1.get("ultravisor") == "present") == pef,
           "L1 ultravisor=%s with %s" % (l1.get("ultravisor"), machine))
    expect(g, l1.get("mmu") == mmu, "L1 MMU is %s" % l1.get("mmu"))
    expect(g, l1.get("pagesize") == "64K",
           "L1 page size is %s, KVM's secure-guest code needs 64K"
           % l1.get("pagesize"))
    expect(g, VMM_VERSION in s["vmm_version"] and
           "vmm-version-status=0" in s["vmm_version"],
           "L1 VMM --version: %r" % s["vmm_version"])
    expect(g, s["l2_kernel"].endswith("+deb12-powerpc64le"),
           "L2 runs kernel %s, expected Debian's" % s["l2_kernel"])
    expect(g, s["l2_fields"].get("cpu") == cpu,
           "L2 cpu=%s" % s["l2_fields"].get("cpu"))
    expect(g, "svm" not in s["l2_fields"] or
           s["l2_fields"]["svm"] == "0", "a normal L2 reports svm=%s"
           % s["l2_fields"].get("svm"))
    expect(g, s["vmm_status"] == 0,
           "L1 VMM exited with status %d" % s["vmm_status"])
    return s["l1_secs"], ("L1 init %.0f s, L2 boot-to-init %.0f s, "
                          "L2 run %.0f s, total %.0f s" % (
                              s["l1_secs"], s["l2_secs"] - s["l2_start"],
                              s["l2_end"] - s["l2_start"], s["total"]))


@test
def nested_normal_l2_powernv9_pef_on():
    """powernv9,pef=on, radix L1 host (PEF's real setup)."""
    return normal_l2("pef-nested-powernv9-pef-on-normal-l2",
                     "powernv9,pef=on", "POWER9", "Radix")


@test
def nested_normal_l2_powernv9_pef_on_hash():
    """powernv9,pef=on, hash L1 host."""
    return normal_l2("pef-nested-powernv9-pef-on-hash-normal-l2",
                     "powernv9,pef=on", "POWER9", "Hash")


@test
def nested_normal_l2_powernv9_pef_off():
    """powernv9,pef=off: the same nesting with no ultravisor."""
    return normal_l2("pef-nested-powernv9-pef-off-normal-l2",
                     "powernv9,pef=off", "POWER9", "Radix")


@test
def nested_normal_l2_powernv10_pef_on():
    """powernv (POWER10),pef=on, radix L1 host."""
    return normal_l2("pef-nested-powernv10-pef-on-normal-l2",
                     "powernv,pef=on", "POWER10", "Radix")


def svm_l2_files(work, l2_token, secret):
    """The Secure VM for L2: the ppc64le-svm-guest kernel, its busybox
    initramfs (with @secret in /secret) as an esmb-initrd for the
    ultravisor's TPM, and the command line the blob measures.  Returns
    (Tpm, l2_files)."""
    sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
    import svm
    kernel = svm.need_tools()
    os.makedirs(work, exist_ok=True)
    sfile = os.path.join(work, "secret")
    with open(sfile, "wb") as f:
        f.write(secret)
    initrd = svm.initramfs(work, "l2-svm", extra=[sfile + ":/secret"])
    tpm = svm.Tpm(work, "uvtpm")
    bootargs = "%s qemu_ibm_cc.token=%s" % (svm.BOOTARGS, l2_token)
    esmb = svm.esmb_initrd(work, "l2-svm", kernel, initrd, bootargs,
                           tpm.provision())
    args = os.path.join(work, "bootargs")
    with open(args, "w") as f:
        f.write(bootargs + "\n")
    return tpm, [kernel + ":/l2/vmlinux", esmb + ":/l2/initrd.cpio.gz",
                 args + ":/l2/bootargs"]


@test
def nested_svm_l2_powernv9():
    """powernv9,pef=on: Debian's QEMU starts a Linux Secure VM
    (pef-guest) under the L1 KVM host; it boots to /init with MSR[S]=1."""
    work = os.path.join(guest.BUILD, "test-work", "pef-nested-svm")
    l2_token = guest.new_token()
    secret = os.urandom(16).hex().encode()
    tpm, files = svm_l2_files(work, l2_token, secret)
    tpm.serve()
    try:
        g, s = nested_boot("pef-nested-powernv9-svm-l2",
                           "powernv9,pef=on,uv-tpm=tpm0,secure-memory=1G",
                           l1_append="disable_radix=no pef_nested.l2_svm=1",
                           l2_mem="256M", l2_files=files, l2_token=l2_token,
                           l0_extra=tpm.args())
    finally:
        tpm.stop()
    expect(g, s["l2_fields"].get("svm") == "1", "the L2 reports svm=%s"
           % s["l2_fields"].get("svm"))
    expect(g, s["vmm_status"] == 0,
           "L1 VMM exited with status %d" % s["vmm_status"])
    return s["l1_secs"], ("L1 init %.0f s, L2 SVM boot-to-init %.0f s, "
                          "total %.0f s" % (s["l1_secs"],
                                            s["l2_secs"] - s["l2_start"],
                                            s["total"]))


def main():
    return guest.run_tests(TESTS, console_lines=40)


if __name__ == "__main__":
    sys.exit(main())
