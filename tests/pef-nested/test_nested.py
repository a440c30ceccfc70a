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
one, on powernv9,pef=off and on powernv (POWER10),pef=on; and with a
Linux Secure VM as L2 (pef-guest on Debian's QEMU, the ppc64le-svm-guest
kernel, an esmb-initrd for the L0 ultravisor's TPM): its boot, its
secrecy against both hosts' dumps with a normal-guest control, and a
tampered command line.  Tests marked slow run with --slow (make
check-slow); make check runs the others (a normal L2 on powernv9,pef=on
and one Secure VM boot).

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
import clients  # noqa: E402
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


def slow_test(fn):
    """A test for make check-slow (--slow) only."""
    fn.slow = True
    return test(fn)


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
                l2_mem="512M", l2_files=None, l2_token=None, l0_extra=(),
                l0_mem="3G", l2_init=True, on_hold=None):
    """Boot L0 → L1 → L2 as the module docstring says; return a dict of
    what was seen and the stage times (seconds from L0 launch).

    @l2_init False: the L2 is not to reach its /init (its VMM ends first).
    @on_hold(g, seen): called once the L2 holds its secret and L1 has
    dumped the L2's RAM (seen["l2_dump"] = (bytes, needle lines)); the L2
    goes on when it returns."""
    kernel = host_kernel()
    initrd = l1_initramfs(l2_files)
    l1_token, l2_token = guest.new_token(), l2_token or guest.new_token()
    append = ("console=hvc0 panic=-1 qemu_ibm_cc.token=%s "
              "pef_nested.l2_token=%s pef_nested.l2_timeout=%d "
              "pef_nested.l2_mem=%s pef_nested.l2_machine=%s %s"
              % (l1_token, l2_token, L2_TIMEOUT, l2_mem, l2_machine,
                 l1_append)).strip()
    argv = [QEMU_PPC64, "-machine", l0_machine, "-m", l0_mem, "-nographic",
            "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", append] + list(l0_extra)
    g = guest.Guest(name, argv, console_input=on_hold is not None).start()
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
        if l2_init:
            l2_up(g, seen, l2_token, on_hold)
        st = g.wait_for(N + r" l2-vmm-status=(\d+)\r*\n",
                        300 if l2_init else L2_TIMEOUT, guest.FAIL_PATTERNS)
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


def l2_up(g, seen, l2_token, on_hold):
    """The L2 reaches its /init (its marker, this run's token) and ends."""
    # the VMM giving up first ends the wait at once
    m2 = g.wait_for(N + r" l2-begin\r*\n(?:.*?\n)*?" + M +
                    r" token=(\S+) arch=(\S+) kernel=(\S+)\r*\n",
                    L2_TIMEOUT, guest.FAIL_PATTERNS +
                    (N + r" l2-vmm-status=\d+", N + r" no /dev/kvm"))
    seen["l2_secs"] = g.elapsed()
    if m2.group(1) != l2_token:
        g.fail("L2 init echoed token %s, expected %s"
               % (m2.group(1), l2_token))
    seen["l2_kernel"] = m2.group(3)
    if on_hold:
        g.wait_for(r"PEF-NESTED-L2: hold", 300, guest.FAIL_PATTERNS)
        d = g.wait_for(N + r" l2-dump bytes=(\d+) needle=(\d+)", 600,
                       guest.FAIL_PATTERNS)
        seen["l2_dump"] = (int(d.group(1)), int(d.group(2)))
        on_hold(g, seen)
        g.send("\n")
    d2 = g.wait_for(M + r" token=%s [^\n]*\n(?:.*?\n)*?%s done\r*\n"
                    % (re.escape(l2_token), M), 300, guest.FAIL_PATTERNS)
    seen["l2_fields"] = fields_between(g.text(), m2.end(), d2.end())


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


@slow_test
def nested_normal_l2_powernv9_pef_on_hash():
    """powernv9,pef=on, hash L1 host."""
    return normal_l2("pef-nested-powernv9-pef-on-hash-normal-l2",
                     "powernv9,pef=on", "POWER9", "Hash")


@slow_test
def nested_normal_l2_powernv9_pef_off():
    """powernv9,pef=off: the same nesting with no ultravisor."""
    return normal_l2("pef-nested-powernv9-pef-off-normal-l2",
                     "powernv9,pef=off", "POWER9", "Radix")


@slow_test
def nested_normal_l2_powernv10_pef_on():
    """powernv (POWER10),pef=on, radix L1 host."""
    return normal_l2("pef-nested-powernv10-pef-on-normal-l2",
                     "powernv,pef=on", "POWER10", "Radix")


# The L2's /test-hook.sh for the secrecy checks: a needle derived at run
# time from the seed in its initramfs (the initramfs is the host's to read,
# as on IBM's systems: PEF measures boot images, it does not hide them),
# kept in the L2's memory until a line arrives on its console.
# The L2's CPUs online; then, only with pef_nested.hold=1 on the L2's
# command line, the hold.
L2_HOLD_HOOK = """echo "PEF-NESTED-L2: cpus=$(grep -c ^processor /proc/cpuinfo)"
case " $(cat /proc/cmdline) " in
*" pef_nested.hold=1 "*)
    needle="nest-$(tr 0-9a-f g-v </seed)"
    i=0
    while [ $i -lt 64 ]; do echo "$needle"; i=$((i + 1)); done >/needle
    echo "PEF-NESTED-L2: hold"
    read -t 900 line
    echo "PEF-NESTED-L2: released"
    ;;
*" pef_nested.reboot=1 "*)
    echo "PEF-NESTED-L2: reboot"
    reboot -f
    ;;
esac
"""
L0_RAM = 2 << 30


def svm_l2_files(work, l2_token, seed, bootargs_extra="", hold=False,
                 reboot=False):
    """The Secure VM for L2: the ppc64le-svm-guest kernel, its busybox
    initramfs (with @seed and L2_HOLD_HOOK) as an esmb-initrd for the
    ultravisor's TPM, and the command line the blob measures (with
    pef_nested.hold=1 if @hold, pef_nested.reboot=1 if @reboot) plus
    @bootargs_extra (a tampered one if not empty).  Returns (Tpm,
    l2_files)."""
    sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
    import svm
    kernel = svm.need_tools()
    os.makedirs(work, exist_ok=True)
    sfile = os.path.join(work, "seed")
    with open(sfile, "w") as f:
        f.write(seed)
    initrd = svm.initramfs(work, "l2-svm", hook=L2_HOLD_HOOK,
                           extra=[sfile + ":/seed"])
    tpm = svm.Tpm(work, "uvtpm")
    bootargs = "%s qemu_ibm_cc.token=%s%s%s" % (
        svm.BOOTARGS, l2_token, " pef_nested.hold=1" if hold else "",
        " pef_nested.reboot=1" if reboot else "")
    esmb = svm.esmb_initrd(work, "l2-svm", kernel, initrd, bootargs,
                           tpm.provision())
    args = os.path.join(work, "bootargs")
    with open(args, "w") as f:
        f.write(bootargs + bootargs_extra + "\n")
    return tpm, [kernel + ":/l2/vmlinux", esmb + ":/l2/initrd.cpio.gz",
                 args + ":/l2/bootargs"]


def needle_of(seed):
    """L2_HOLD_HOOK's needle, and the pattern L1's grep finds it with."""
    needle = "nest-" + seed.translate(str.maketrans("0123456789abcdef",
                                                    "ghijklmnopqrstuv"))
    return needle.encode(), "".join("[%s]" % c for c in needle)


def svm_boot(name, svm_l2, seed, files, tpm, l2_token, hold=True,
             l2_init=True, l0_extra=(), l2_smp=1, l1_extra=""):
    """One powernv9,pef=on boot whose L2 runs @files, a Secure VM if
    @svm_l2; with @hold the L2 holds its needle while L1 dumps the L2's RAM
    and L0 dumps L1's (seen["l0_needle"])."""
    needle, pattern = needle_of(seed)
    qmp_path = os.path.join(guest.LOGDIR, name + ".qmp")
    if os.path.exists(qmp_path):
        os.unlink(qmp_path)
    dump = os.path.join(guest.BUILD, "test-work", name + ".l1-ram")

    def on_hold(g, seen):
        q = clients.Qmp(qmp_path)
        try:
            seen["l0_needle"] = clients.pmem_count(q, dump, needle, L0_RAM)
        finally:
            q.close()

    tpm.serve()
    try:
        return nested_boot(
            name, "powernv9,pef=on,uv-tpm=tpm0,secure-memory=1G",
            l1_append="disable_radix=no pef_nested.l2_svm=%d "
            "pef_nested.l2_smp=%d%s %s"
            % (svm_l2, l2_smp,
               " pef_nested.l2_needle=" + pattern if hold else "", l1_extra),
            l2_mem="256M", l2_files=files, l2_token=l2_token,
            l0_mem="%dM" % (L0_RAM >> 20),
            l0_extra=tpm.args() + ["-qmp", "unix:%s,server=on,wait=off"
                                   % qmp_path] + list(l0_extra),
            on_hold=on_hold if hold else None, l2_init=l2_init)
    finally:
        tpm.stop()


@test
def nested_svm_l2_boot_powernv9():
    """powernv9,pef=on: Debian's QEMU starts a Linux Secure VM (pef-guest)
    with two vCPUs under the L1 KVM host; it boots to /init with MSR[S]=1
    and both CPUs online (the second started through RTAS start-cpu and
    the ultravisor's cookie).  The reduced form of nested_svm_l2_powernv9
    for make check."""
    work = os.path.join(guest.BUILD, "test-work", "pef-nested-svm-boot")
    l2_token = guest.new_token()
    seed = os.urandom(16).hex()
    tpm, files = svm_l2_files(work, l2_token, seed)
    g, s = svm_boot("pef-nested-powernv9-svm-l2-boot", 1, seed, files, tpm,
                    l2_token, hold=False, l2_smp=2)
    expect(g, s["l2_fields"].get("svm") == "1", "the L2 reports svm=%s"
           % s["l2_fields"].get("svm"))
    expect(g, "PEF-NESTED-L2: cpus=2" in g.text(), "the L2 Secure VM does "
           "not have both its CPUs online")
    expect(g, "LPID 1 went secure" in g.text(), "L1's KVM did not log "
           "the Secure VM")
    expect(g, s["vmm_status"] == 0,
           "L1 VMM exited with status %d" % s["vmm_status"])
    return s["l2_secs"], "L2 SVM boot-to-init %.1f s" % (
        s["l2_secs"] - s["l2_start"])


@slow_test
def nested_svm_l2_powernv9():
    """powernv9,pef=on: Debian's QEMU starts a Linux Secure VM (pef-guest)
    under the L1 KVM host; it boots to /init with MSR[S]=1 and holds a
    needle derived at run time.  Neither L1's VMM (pmemsave of all L2 RAM)
    nor L0 (QMP pmemsave of all L1 RAM) finds it; both find it in the same
    L2 booted as a normal guest (positive control).  Prints the boot-to-init
    ratio SVM / normal L2 of this run."""
    work = os.path.join(guest.BUILD, "test-work", "pef-nested-svm")
    l2_token = guest.new_token()
    seed = os.urandom(16).hex()
    tpm, files = svm_l2_files(work, l2_token, seed, hold=True)
    times = {}
    for svm_l2, what in ((1, "svm"), (0, "normal")):
        g, s = svm_boot("pef-nested-powernv9-%s-l2" % what, svm_l2, seed,
                        files, tpm, l2_token)
        times[what] = s["l2_secs"] - s["l2_start"]
        expect(g, s["l2_fields"].get("svm") == str(svm_l2),
               "the %s L2 reports svm=%s" % (what, s["l2_fields"].get("svm")))
        expect(g, s["l2_dump"][0] == 256 << 20,
               "L1 dumped %d bytes of the L2" % s["l2_dump"][0])
        if svm_l2:
            expect(g, s["l2_dump"][1] == 0, "the Secure VM's needle is in "
                   "its VMM's dump (%d lines)" % s["l2_dump"][1])
            expect(g, s["l0_needle"] == 0, "the Secure VM's needle is in "
                   "L0's dump of L1 RAM %d times" % s["l0_needle"])
        else:
            expect(g, s["l2_dump"][1] > 0, "positive control: the normal "
                   "L2's needle is not in its VMM's dump")
            expect(g, s["l0_needle"] > 0, "positive control: the normal "
                   "L2's needle is not in L0's dump of L1 RAM")
        expect(g, s["vmm_status"] == 0,
               "L1 VMM exited with status %d" % s["vmm_status"])
        if svm_l2:
            dump = (s["l2_dump"][1], s["l0_needle"])
        else:
            control = (s["l2_dump"][1], s["l0_needle"])
    return times["svm"], ("L2 boot-to-init SVM %.1f s, normal %.1f s, "
                          "ratio %.2f; needle in L1 VMM's / L0's dump: SVM "
                          "%d / %d, normal %d / %d" % (
                              times["svm"], times["normal"],
                              times["svm"] / times["normal"],
                              dump[0], dump[1], control[0], control[1]))


@slow_test
def nested_svm_l2_reboot_powernv9():
    """The L2 Secure VM reboots (reboot -f): at the reset its VMM turns it
    back into a normal guest (KVM_PPC_SVM_OFF: UV_UNREGISTER_MEM_SLOT,
    UV_SVM_TERMINATE), the guest enters secure mode again and reaches
    /init again; L1 goes on."""
    work = os.path.join(guest.BUILD, "test-work", "pef-nested-svm-reboot")
    l2_token = guest.new_token()
    seed = os.urandom(16).hex()
    tpm, files = svm_l2_files(work, l2_token, seed, reboot=True)
    g, s = svm_boot("pef-nested-powernv9-svm-l2-reboot", 1, seed, files,
                    tpm, l2_token, hold=False, l2_init=False,
                    l1_extra="pef_nested.l2_reboots=1")
    text = g.text()
    boots = text.count(guest.MARKER + " svm=1")
    secure = text.count("went secure")
    expect(g, boots == 2, "the L2 Secure VM reached /init %d times, not 2"
           % boots)
    expect(g, secure == 2, "L1's KVM logged %d Secure VMs, not 2" % secure)
    expect(g, s["vmm_status"] == 0,
           "L1 VMM exited with status %d" % s["vmm_status"])
    return s["l2_end"], "2 boots as a Secure VM, VMM status 0"


@slow_test
def nested_svm_l2_bad_input_powernv9():
    """Secure VMs whose boot images are not the ones their ESM blob
    measured: a blob sealed for another kernel, an altered initramfs byte,
    an altered byte of the blob's sealed digests, a command line other than
    the measured one.  Each time Enter Secure Mode fails (the ultravisor
    says why), KVM takes the H_SVM_INIT_ABORT path, the L2 kernel reports
    the failed switch and terminates (ibm,os-term), L1's VMM exits with a
    failure; L1 keeps running."""
    sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
    import svm
    work = os.path.join(guest.BUILD, "test-work", "pef-nested-svm-bad")
    l2_token = guest.new_token()
    seed = os.urandom(16).hex()
    want = {"kernel": "kernel digest mismatch",
            "initrd": "initrd digest mismatch",
            "blob": "",     # what fails first depends on the byte
            "bootargs": "bootargs digest mismatch"}
    seen = []
    for how in ("kernel", "initrd", "blob", "bootargs"):
        tpm, files = svm_l2_files(work, l2_token, seed, " tampered"
                                  if how == "bootargs" else "")
        esmb = files[1].split(":")[0]
        if how == "kernel":
            esmb = svm.esmb_initrd(work, "other-kernel",
                                   guest.fixture("ppc64el", "vmlinux"),
                                   os.path.join(work, "l2-svm.cpio.gz"),
                                   open(files[2].split(":")[0]).read()
                                   .strip(), tpm.provision())
        elif how in ("initrd", "blob"):
            esmb = svm.tampered_copy(esmb, os.path.join(
                work, "tampered-%s.esmb" % how), how)
        files[1] = esmb + ":/l2/initrd.cpio.gz"
        g, s = svm_boot("pef-nested-powernv9-svm-l2-bad-" + how, 1, seed,
                        files, tpm, l2_token, hold=False, l2_init=False)
        text = g.text()
        m = re.search(r"Enter Secure Mode failed: ([^\r\n]*)", text)
        expect(g, m is not None and want[how] in m.group(1),
               "%s: L0 reported %r, not %r" % (how, m and m.group(1),
                                               want[how]))
        expect(g, "from switching to secure mode" in text,
               "%s: the L2 kernel did not report the failed switch" % how)
        expect(g, guest.MARKER + " token=" + l2_token not in text,
               "%s: the L2 reached its /init" % how)
        expect(g, s["vmm_status"] != 0, "%s: L1 VMM exited with status 0"
               % how)
        seen.append("%s: %s" % (how, m.group(1)))
    return s["l2_end"], "L0: " + "; ".join(seen)


def main():
    return guest.run_tests(TESTS, console_lines=40)


if __name__ == "__main__":
    sys.exit(main())
