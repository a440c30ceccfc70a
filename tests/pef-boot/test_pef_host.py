#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""PEF host boot tests: the ultravisor-aware powernv kernel on pef=on/off.

Boots the ppc64le-pef-host kernel (scripts/build-kernel.sh) through skiboot
on powernv9 with pef=off and pef=on, and on powernv (POWER10) with pef=on.
The initramfs /init (the common tests/fixtures/init/marker.sh) prints the
boot marker with a fresh token; its hook (tests/pef-boot/test-hook.sh)
adds the MMU, the ultravisor's sysfs directory and message log, the kernel's
ultravisor/PATE lines, and runs one tiny KVM-HV guest (kvm-mini.c, built
here with the ppc64le cross compiler).  QEMU runs with
-trace enable=uv_pef_*,file=... so the ultracalls can be checked too.

  tests/pef-boot/test_pef_host.py [-k SUBSTRING] [--list]

TAP output; ends with 'N passed, N failed, N skipped'.  Consoles and
trace files are kept under build/test-logs/ (pef-host-*.console/.trace).
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
import clients  # noqa: E402
import guest  # noqa: E402

QEMU_PPC64 = os.environ.get("QEMU_PPC64",
                            os.path.join(guest.BUILD, "qemu-system-ppc64"))
CROSS_CC = "powerpc64le-linux-gnu-gcc"
OUT = os.path.join(guest.BUILD, "pef-boot")

# Generous for TCG: the boot itself takes ~5-15 s, KVM under TCG more.
BOOT_TIMEOUT = int(os.environ.get("PEF_BOOT_TIMEOUT", "600"))
KVM_TIMEOUT = int(os.environ.get("PEF_BOOT_KVM_TIMEOUT", "600"))

# What our ultravisor, its docs and Linux say we must see (tests/pef-boot
# is not the source of any of these strings):
UV_LOG_BANNER = "qemu-ibm-cc built-in ultravisor"     # its msglog banner
PATE_LINE = "PATE registered by ultravisor"           # Linux pgtable.c
UVMEM_NONE = "KVMPPC-UVMEM: No support for secure guests"
# The default secure-memory=256M (docs/system/ppc/pef-tcg.rst) as Linux
# prints it (book3s_hv_uvmem.c: "Secure Memory size 0x%lx").
UVMEM_SIZE = "KVMPPC-UVMEM: Secure Memory size 0x10000000"
UV_WRITE_PATE = 0xF104                                # ultravisor-api.h

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def newer(out, inputs):
    return os.path.exists(out) and all(
        os.path.getmtime(out) >= os.path.getmtime(i) for i in inputs)


def kvm_mini():
    """Build (or reuse) the static ppc64le kvm-mini binary."""
    src = os.path.join(HERE, "kvm-mini.c")
    out = os.path.join(OUT, "kvm-mini")
    if newer(out, [src]):
        return out
    if not shutil.which(CROSS_CC):
        raise guest.Skip("%s missing (Debian: gcc-powerpc64le-linux-gnu, "
                         "libc6-dev-ppc64el-cross)" % CROSS_CC)
    os.makedirs(OUT, exist_ok=True)
    subprocess.run([CROSS_CC, "-static", "-O2", "-Wall", "-o", out + ".tmp",
                    src], check=True)
    os.replace(out + ".tmp", out)
    return out


def initramfs(name="initramfs", extra=()):
    """busybox + the common /init (tests/fixtures/init/marker.sh) +
    tests/pef-boot/test-hook.sh as /test-hook.sh + /bin/kvm-mini, and
    @extra ("SRC:DEST" files)."""
    km = kvm_mini()
    init = os.path.join(guest.TOP, "tests", "fixtures", "init", "marker.sh")
    hook = os.path.join(HERE, "test-hook.sh")
    busybox = guest.fixture("ppc64el", "busybox")
    mk = os.path.join(guest.TOP, "scripts", "mkinitramfs.py")
    out = os.path.join(OUT, name + ".cpio.gz")
    if not extra and newer(out, [km, init, hook, busybox, mk]):
        return out
    cmd = ["/usr/bin/python3", mk, "--busybox", busybox, "--init", init,
           "--add", hook + ":/test-hook.sh", "--add", km + ":/bin/kvm-mini",
           "-o", out]
    for e in extra:
        cmd += ["--add", e]
    subprocess.run(cmd, check=True)
    return out


def fresh_qmp(name):
    """The path of a QMP socket for test @name, none there yet."""
    path = os.path.join(guest.LOGDIR, name + ".qmp")
    os.makedirs(guest.LOGDIR, exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    return path


def machine_has_pef(machine):
    """Does this QEMU know the machine's 'pef' property?"""
    r = subprocess.run([QEMU_PPC64, "-machine", machine + ",help"],
                       capture_output=True, text=True)
    return re.search(r"^\s*pef=", r.stdout + r.stderr, re.M) is not None


class Boot:
    """The outcome of one boot: console text, init sections, trace."""

    def __init__(self, g, secs, trace_path, marker):
        self.guest = g
        self.secs = secs
        self.text = g.text().replace("\r\n", "\n")
        self.console_path = g.save_console()
        self.trace_path = trace_path
        self.trace = ""
        if os.path.exists(trace_path):
            with open(trace_path, errors="replace") as f:
                self.trace = f.read()
        self.fields = dict(re.findall(re.escape(guest.MARKER) +
                                      r" (\w+)=(\S+)\n", self.text))
        if marker:
            self.fields.update(arch=marker.group(2), kernel=marker.group(3))

    def section(self, name):
        m = re.search(r"PEF-BOOT: %s-begin\n(.*?)PEF-BOOT: %s-end\n"
                      % (re.escape(name), re.escape(name)), self.text, re.S)
        if not m:
            self.fail("init printed no complete '%s' section" % name)
        return m.group(1)

    def fail(self, why, excerpt=None):
        msg = why
        if excerpt is not None:
            lines = excerpt.strip("\n").splitlines()[-15:]
            msg += "\n" + "\n".join("    | " + ln for ln in lines)
        raise guest.BootFailure(msg, self.console_path)

    def expect(self, cond, why, excerpt=None):
        if not cond:
            self.fail(why, excerpt)

    def ucalls(self):
        """The trace's uv_pef_ucall lines (entry, not _ret)."""
        return [ln for ln in self.trace.splitlines()
                if re.search(r"\buv_pef_ucall\b(?!_)", ln)]

    def write_pate_lpids(self):
        """LPIDs of the UV_WRITE_PATE ucalls in the trace.

        The trace text is not a fixed format (docs/system/ppc/pef-tcg.rst
        names only the events), so accept the opcode by name or number
        and the LPID as 'lpid=N', 'lpid N' or, failing that, as r4 (the
        first argument of UV_WRITE_PATE).
        """
        lpids = []
        for ln in self.ucalls():
            if not re.search(r"WRITE_PATE|0x0*%x\b" % UV_WRITE_PATE, ln,
                             re.I):
                continue
            m = (re.search(r"\b(?:target_)?lpid[=: ]+(0x[0-9a-f]+|\d+)",
                           ln, re.I) or
                 re.search(r"\br4[=: ]+(0x[0-9a-f]+|\d+)", ln, re.I))
            if not m:
                self.fail("cannot find the LPID in trace line: " + ln)
            lpids.append(int(m.group(1), 0))
        return lpids


def pef_boot(name, machine, append_extra="", extra_args=(), on_marker=None,
             trace=("uv_pef_*",), initrd=None, console_input=False):
    """Boot the PEF host kernel with our init; return a Boot.  @extra_args
    go on QEMU's command line; @on_marker(guest) runs once init printed its
    marker, while QEMU still runs; @trace: the trace events to record."""
    trace_path = os.path.join(guest.LOGDIR, name + ".trace")
    os.makedirs(guest.LOGDIR, exist_ok=True)
    if os.path.exists(trace_path):
        os.unlink(trace_path)
    token = guest.new_token()
    append = ("console=hvc0 panic=-1 pef_boot.kvm_timeout=%d "
              "qemu_ibm_cc.token=%s %s" % (KVM_TIMEOUT, token, append_extra))
    argv = [QEMU_PPC64, "-machine", machine, "-m", "2G", "-nographic",
            "-no-reboot", "-kernel", guest.custom_kernel("ppc64le-pef-host"),
            "-initrd", initrd or initramfs(), "-append", append.strip()]
    # One file for all: a later -trace without file= would reset it
    for ev in trace[:-1]:
        argv += ["-trace", "enable=" + ev]
    argv += ["-trace", "enable=%s,file=%s" % (trace[-1], trace_path)]
    argv += list(extra_args)
    g = guest.Guest(name, argv, console_input).start()
    try:
        m = g.wait_for(re.escape(guest.MARKER) +
                       r" token=(\S+) arch=(\S+) kernel=(\S+)\r?\n",
                       BOOT_TIMEOUT, guest.FAIL_PATTERNS)
        secs = g.elapsed()
        if m.group(1) != token:
            g.fail("init echoed token %s, expected %s" % (m.group(1), token))
        if on_marker:
            on_marker(g)
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n",
                   KVM_TIMEOUT + 120, guest.FAIL_PATTERNS)
        if g.wait_exit(60) is None:
            g.fail("guest did not power off after init")
    finally:
        g.stop()
    return Boot(g, secs, trace_path, m)


def check_common(b, cpu):
    b.expect(b.fields.get("arch") == "ppc64le",
             "init reported arch=%s" % b.fields.get("arch"))
    b.expect(b.fields.get("cpu") == cpu,
             "init reported cpu=%s, expected %s" % (b.fields.get("cpu"), cpu))
    kvm = b.section("kvm")
    b.expect(re.search(r"^KVM-MINI OK ", kvm, re.M) is not None,
             "kvm-mini did not report OK", kvm)
    b.expect("kvm-mini-status=0" in kvm, "kvm-mini exit status not 0", kvm)
    # QEMU's stderr is part of the console: no sanitizer report (ASan build)
    b.expect(re.search(r"Sanitizer|runtime error:", b.text) is None,
             "sanitizer report in QEMU's output")


def check_pef_on(b):
    b.expect(b.fields.get("ultravisor") == "present",
             "no /sys/firmware/ultravisor with pef=on")
    ls = b.section("ls-ultravisor")
    b.expect(re.search(r"^msglog$", ls, re.M) is not None,
             "no msglog in /sys/firmware/ultravisor", ls)
    log = b.section("msglog")
    b.expect(UV_LOG_BANNER in log,
             "msglog lacks '%s'" % UV_LOG_BANNER, log)
    before = b.section("dmesg-before-kvm")
    after = b.section("dmesg-after-kvm")
    b.expect(PATE_LINE in before,
             "no '%s' line at boot" % PATE_LINE, before)
    b.expect(UVMEM_SIZE in before,
             "no '%s' line" % UVMEM_SIZE, before)
    b.expect(after.count(PATE_LINE) > before.count(PATE_LINE),
             "no new '%s' line after kvm-mini created a VM" % PATE_LINE,
             after)
    b.expect(b.ucalls(), "no uv_pef_ucall lines in %s" % b.trace_path)
    lpids = b.write_pate_lpids()
    b.expect(0 in lpids, "no UV_WRITE_PATE for LPID 0 in the trace "
             "(WRITE_PATE LPIDs seen: %s)" % lpids)
    b.expect(any(lp != 0 for lp in lpids),
             "no UV_WRITE_PATE for a guest LPID after kvm-mini "
             "(WRITE_PATE LPIDs seen: %s)" % lpids)
    return lpids


@test
def pef_off_powernv9():
    """pef=off: no ultravisor anywhere, KVM-HV still works."""
    b = pef_boot("pef-host-powernv9-pef-off", "powernv9,pef=off"
                 if machine_has_pef("powernv9") else "powernv9")
    check_common(b, "POWER9")
    b.expect(b.fields.get("ultravisor") == "absent",
             "/sys/firmware/ultravisor exists with pef=off")
    before = b.section("dmesg-before-kvm")
    after = b.section("dmesg-after-kvm")
    b.expect(PATE_LINE not in b.text, "'%s' with pef=off" % PATE_LINE,
             after)
    b.expect(UVMEM_NONE in before, "no '%s' line" % UVMEM_NONE, before)
    b.expect(not b.ucalls(), "uv_pef_ucall trace lines with pef=off",
             "\n".join(b.ucalls()))
    return b.secs, ""


def pef_on(name, machine, cpu, append_extra=""):
    base = machine.split(",")[0]
    if not machine_has_pef(base):
        raise AssertionError("%s has no 'pef' machine property "
                             "(-machine %s,help)" % (QEMU_PPC64, base))
    b = pef_boot(name, machine, append_extra)
    check_common(b, cpu)
    lpids = check_pef_on(b)
    return b, "WRITE_PATE lpids %s, %d ucalls, mmu=%s" % (
        sorted(set(lpids)), len(b.ucalls()), b.fields.get("mmu"))


@test
def pef_on_powernv9():
    """pef=on, POWER9, hash host (the kernel's default MMU here)."""
    b, info = pef_on("pef-host-powernv9-pef-on", "powernv9,pef=on", "POWER9")
    return b.secs, info


@test
def pef_on_powernv10():
    """pef=on on the 'powernv' alias (POWER10)."""
    b, info = pef_on("pef-host-powernv10-pef-on", "powernv,pef=on",
                     "POWER10")
    return b.secs, info


# The host's side of Enter Secure Mode (docs/devel/pef-nested-svm.rst),
# in the order the ultravisor and KVM make the calls: the ultravisor's
# hcalls show as uv_pef_switch lines (r3 = the hcall), KVM's ultracalls as
# uv_pef_ucall lines.
ESM_ABORT_SEQUENCE = [
    ("ucall", "UV_ESM"),
    ("switch", 0xEF08),                 # H_SVM_INIT_START
    ("ucall", "UV_REGISTER_MEM_SLOT"),
    ("ucall", "UV_RETURN"),
    ("switch", 0xEF00),                 # H_SVM_PAGE_IN (the tree's page)
    ("ucall", "UV_PAGE_IN"),
    ("ucall", "UV_RETURN"),
    ("switch", 0xEF14),                 # H_SVM_INIT_ABORT
    ("ucall", "UV_SVM_TERMINATE"),
]


def check_esm_abort(b):
    """kvm-mini --esm: UV_ESM with a bad tree takes KVM's abort path."""
    esm = b.section("kvm-esm")
    b.expect(re.search(r"^KVM-MINI ESM-ABORT OK ", esm, re.M) is not None,
             "kvm-mini --esm did not report ESM-ABORT OK", esm)
    b.expect("kvm-esm-status=0" in esm, "kvm-mini --esm exit status not 0",
             esm)
    b.expect(re.search(r"Enter Secure Mode failed: .*device tree", esm)
             is not None, "the ultravisor's log does not say why ESM "
             "failed", esm)
    events = []
    for ln in b.trace.splitlines():
        m = re.search(r"\buv_pef_ucall\b(?!_).* (UV_\w+) ", ln)
        if m:
            events.append(("ucall", m.group(1)))
        m = re.search(r"\buv_pef_switch\b.* r3=0x([0-9a-f]+)", ln)
        if m and "after UV_" in ln:
            events.append(("switch", int(m.group(1), 16)))
    it = iter(events)
    missing = [e for e in ESM_ABORT_SEQUENCE if e not in it]
    b.expect(not missing, "ESM sequence incomplete in %s: first missing %s"
             % (b.trace_path, missing[:1]))


@test
def pef_on_powernv9_radix():
    """pef=on, POWER9, radix host (disable_radix=no): PEF's real setup,
    and a KVM guest's Enter Secure Mode up to KVM's abort path."""
    b, info = pef_on("pef-host-powernv9-pef-on-radix", "powernv9,pef=on",
                     "POWER9", "disable_radix=no")
    if b.fields.get("mmu") != "Radix":
        raise AssertionError("host MMU is %s, expected Radix"
                             % b.fields.get("mmu"))
    check_esm_abort(b)
    return b.secs, info + ", ESM abort path"



# --- a Secure VM under the host's KVM: svm-mini (tests/pef-boot/svm-mini.S)

SVM_BOOTARGS = "svm-mini svm=on"
# kvm-mini holds the guest until L0 has dumped L1's RAM and types a line
# on the console (pause -1)
GOLDEN = 0x9E3779B97F4A7C15             # svm-mini's S = SEED * GOLDEN
L1_RAM = 1 << 30                        # -m 1G for this test


def svm_mini(workdir):
    """svm-mini with a fresh seed, an ESM blob for the ultravisor's TPM:
    returns (S's 16-byte needle, Tpm, initramfs files)."""
    import svm  # tests/pef-svm: swtpm and mk-esm-blob helpers
    for tool in ("swtpm", CROSS_CC):
        if not shutil.which(tool):
            raise guest.Skip("%s is not installed" % tool)
    os.makedirs(workdir, exist_ok=True)
    seed = int.from_bytes(os.urandom(8), "little") | 1
    secret = (seed * GOLDEN) & (2**64 - 1)
    needle = secret.to_bytes(8, "little") + \
        (secret ^ (2**64 - 1)).to_bytes(8, "little")
    obj, elf, binf = (os.path.join(workdir, "svm-mini" + x)
                      for x in (".o", ".elf", ".bin"))
    cross = CROSS_CC[:-len("gcc")]
    subprocess.run([CROSS_CC, "-c", "-DSEED=0x%x" % seed, "-o", obj,
                    os.path.join(HERE, "svm-mini.S")], check=True)
    subprocess.run([cross + "ld", "-static", "-nostdlib", "-Ttext=0",
                    "-e", "_start", "-o", elf, obj], check=True)
    subprocess.run([cross + "objcopy", "-O", "binary", "-S", elf, binf],
                   check=True)
    rest = os.path.join(workdir, "rest.bin")
    with open(rest, "wb") as f:
        f.write(os.urandom(4096))
    tpm = svm.Tpm(workdir, "uvtpm")
    esmb = svm.esmb_initrd(workdir, "svm-mini", elf, rest, SVM_BOOTARGS,
                           tpm.provision())
    args = os.path.join(workdir, "bootargs")
    with open(args, "w") as f:
        f.write(SVM_BOOTARGS + "\n")
    return needle, tpm, [binf + ":/svm/kernel.bin", esmb + ":/svm/initrd",
                         args + ":/svm/bootargs"]


@test
def svm_powernv9():
    """A Secure VM under the host's unmodified KVM: svm-mini enters secure
    mode through the whole hcall sequence (TPM unwrap included), runs with
    MSR[S]=1, its pages go out encrypted when the host reads them and come
    back when it touches them; an altered or replayed page gives the Secure
    VM a machine check instead of data.  Its run-time secret has 0
    occurrences in L0's dump of L1 RAM; the same guest without UV_ESM is
    the positive control (found)."""
    name = "pef-host-powernv9-svm"
    work = os.path.join(OUT, "svm")
    needle, tpm, files = svm_mini(work)
    qmp_path = fresh_qmp(name)
    dump = os.path.join(work, "l1.dump")
    seen = {}

    def on_marker(g):
        q = clients.Qmp(qmp_path)
        try:
            for mode in ("ok", "no-esm"):
                g.wait_for(r"PEF-BOOT: svm-%s-begin" % mode, KVM_TIMEOUT,
                           guest.FAIL_PATTERNS)
                if g.wait_for(r"KVM-MINI (SVM PAUSE|FAIL)", KVM_TIMEOUT,
                              guest.FAIL_PATTERNS).group(1) != "SVM PAUSE":
                    return
                seen[mode] = clients.pmem_count(q, dump, needle, L1_RAM)
                g.send("go\n")
        finally:
            q.close()

    tpm.serve()
    try:
        b = pef_boot(name, "powernv9,pef=on,uv-tpm=tpm0", "disable_radix=no "
                     "pef_boot.svm_pause=-1", console_input=True,
                     extra_args=tpm.args() + [
                         "-m", "%dM" % (L1_RAM >> 20),
                         "-qmp", "unix:%s,server=on,wait=off" % qmp_path],
                     on_marker=on_marker,
                     initrd=initramfs("initramfs-svm", files))
    finally:
        tpm.stop()
    check_common(b, "POWER9")
    for mode in ("ok", "tamper", "replay", "no-esm"):
        sec = b.section("svm-" + mode)
        b.expect(re.search(r"^KVM-MINI SVM OK %s " % mode, sec, re.M)
                 is not None, "kvm-mini --svm %s did not report OK" % mode,
                 sec)
    log = b.section("svm-msglog")
    b.expect("entered secure mode" in log, "the ultravisor's log has no "
             "Secure VM", log)
    b.expect(seen.get("ok") == 0, "the Secure VM's secret is in L0's dump "
             "of L1 RAM %s times" % seen.get("ok"))
    b.expect(seen.get("no-esm", 0) > 0, "positive control: the normal "
             "guest's secret is not in L0's dump of L1 RAM (%s)"
             % seen.get("no-esm"))
    outs = sum(1 for ln in b.ucalls() if "UV_PAGE_OUT" in ln)
    return b.secs, "secret in L1 dump: %d (control %d), %d page-outs" % (
        seen["ok"], seen["no-esm"], outs)


@test
def debian_skiboot_in_uv_state():
    """uv-firmware= with Debian's skiboot v7.1: entered in ultravisor state
    as on a PEF machine, it cannot start an ultravisor, turns PEF off
    (cpu_disable_pef: every thread leaves ultravisor state with urfid,
    SMFCTRL[E] cleared) and starts the kernel; QEMU says so and points to
    ultravisor=none (the kernel finds the ultravisor described in the
    device tree and stops early: docs/system/ppc/pef-tcg.rst)."""
    name = "pef-host-powernv9-debian-skiboot-uv-state"
    os.makedirs(OUT, exist_ok=True)
    image = os.path.join(OUT, "uv-image-stub.bin")
    with open(image, "wb") as f:
        f.write(b"\x48\x00\x00\x00" * 1024)       # "b ." in big-endian
    trace_path = os.path.join(guest.LOGDIR, name + ".trace")
    os.makedirs(guest.LOGDIR, exist_ok=True)
    if os.path.exists(trace_path):
        os.unlink(trace_path)
    threads = 2
    argv = [QEMU_PPC64, "-machine", "powernv9,pef=on,uv-firmware=" + image,
            "-smp", "%d,cores=1,threads=%d" % (threads, threads),
            "-m", "2G", "-nographic", "-no-reboot",
            "-kernel", guest.custom_kernel("ppc64le-pef-host"),
            "-initrd", initramfs(), "-append", "console=hvc0",
            "-trace", "enable=ppc_pef_*,file=" + trace_path]
    g = guest.Guest(name, argv).start()
    try:
        g.wait_for(r"OPAL v\S+ starting", BOOT_TIMEOUT)
        g.wait_for(r"INIT: Starting kernel at [^\n]*\n", BOOT_TIMEOUT)
        secs = g.elapsed()
        g.wait_for(r"warning: pnv-pef: the firmware turned PEF off "
                   r"\(SMFCTRL\[E\]=0\)[^\n]*use ultravisor=none", 30)
    finally:
        g.stop()
    n = pef_off_trace(Boot(g, secs, trace_path, None), threads)
    return secs, "%d threads left ultravisor state, PEF off" % n


def pef_off_trace(b, threads):
    """Thread 0 of the one core cleared SMFCTRL[E] once, and every thread
    left ultravisor state with urfid to hypervisor state, S=0 (the trace's
    ppc_pef_facility_off and ppc_pef_urfid lines); the urfid count."""
    off = re.findall(r"ppc_pef_facility_off cpu (\d+)", b.trace)
    urfids = re.findall(r"ppc_pef_urfid urfid to 0x[0-9a-f]+ MSR "
                        r"0x([0-9a-f]+)", b.trace)
    to_hv = [int(m, 16) for m in urfids
             if not int(m, 16) & (1 << 22) and int(m, 16) & (1 << 60)]
    b.expect(len(off) == 1, "SMFCTRL[E] cleared %d times (one core, thread "
             "0 clears it): %s" % (len(off), off))
    b.expect(len(to_hv) >= threads, "%d urfid(s) to hypervisor state with "
             "S=0 for %d threads: %s" % (len(to_hv), threads, urfids))
    return len(to_hv)


@test
def debian_skiboot_no_ultravisor():
    """ultravisor=none: Debian's skiboot v7.1, entered in ultravisor state
    with no ultravisor described, turns PEF off and the CONFIG_PPC_UV host
    kernel boots normally: no ultravisor in sysfs, no ultracall, no PATE
    through an ultravisor, no secure memory for KVM, KVM runs its guest;
    query-pef-uv says the firmware turned the facility off."""
    name = "pef-host-powernv9-no-ultravisor"
    qmp_path = fresh_qmp(name)
    seen = {}

    def on_marker(g):
        q = clients.Qmp(qmp_path)
        try:
            seen["uv"] = q.ok("query-pef-uv")
            seen["info"] = q.hmp("info uv")
        finally:
            q.close()

    b = pef_boot(name, "powernv9,pef=on,ultravisor=none",
                 extra_args=["-qmp", "unix:%s,server=on,wait=off" % qmp_path],
                 on_marker=on_marker, trace=("uv_pef_*", "ppc_pef_*"))
    check_common(b, "POWER9")
    b.expect(b.fields.get("ultravisor") == "absent",
             "/sys/firmware/ultravisor exists with ultravisor=none")
    before = b.section("dmesg-before-kvm")
    b.expect(PATE_LINE not in b.text, "'%s' with ultravisor=none"
             % PATE_LINE, before)
    b.expect(UVMEM_NONE in before, "no '%s' line" % UVMEM_NONE, before)
    b.expect(not b.ucalls(), "uv_pef_ucall trace lines with "
             "ultravisor=none", "\n".join(b.ucalls()))
    n = pef_off_trace(b, 1)
    uv = seen.get("uv", {})
    b.expect(uv.get("mode") == "none" and
             uv.get("facility-disabled") is True,
             "query-pef-uv: %r, expected mode none, facility-disabled" % uv)
    b.expect("PEF facility: turned off by the firmware" in
             seen.get("info", ""), "info uv: %r" % seen.get("info"))
    return b.secs, "PEF off (%d urfid to HV), host booted, kvm-mini OK" % n


def main():
    return guest.run_tests(TESTS, console_lines=25)


if __name__ == "__main__":
    sys.exit(main())
