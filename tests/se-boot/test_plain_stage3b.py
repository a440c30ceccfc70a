#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests of our SE boot loaders (tools/mk-se-image/boot) without an
ultravisor.  Prints TAP; exits non-zero if a test fails.

 1. stage3a.bin / stage3b.bin build and have the documented layout.
 2. An unprotected image with the SE layout whose PSW at 0 enters stage3b
    boots the Debian kernel to the busybox /init; the init echoes a token
    that exists only in the image's cmdline component, and it runs from
    the initrd component.
 3. stage3b's checks: broken images stop in the documented disabled wait
    (code and detail in the wait PSW address and in the status block).
 4. An image entered at stage3a on a CPU without the unpack facility
    stops in STAGE3A_ERR_NO_UNPACK after patching the IPIB.  With the
    STFLE result patched through the gdbstub, plain QEMU refuses diag
    0x308 subcode 8 with a specification exception: STAGE3A_ERR_PGM.
    With an emulated ultravisor (-object s390-pv-guest, which offers
    unpack), an invalid IPIB must make subcode 8 return rc 0x0402
    (STAGE3A_ERR_SET_PV).
 5. With a valid IPIB but the image's fake SE header, subcode 10 fails
    in the ultravisor: stage3a continues after the diag and stops in
    STAGE3A_ERR_UNPACK with 0x0a02 and the failed step in R1+1.

  tests/se-boot/test_plain_stage3b.py [-v]
"""

import json
import os
import re
import selectors
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
from clients import Gdb  # noqa: E402

BOOTDIR = os.path.join(guest.TOP, "tools", "mk-se-image", "boot")
HEADER = os.path.join(BOOTDIR, "stage3-args.h")
OUT = os.path.join(guest.BUILD, "se-boot")
QEMU = os.path.join(guest.BUILD, "qemu-system-s390x")
MKIMG = os.path.join(HERE, "mk-plain-image.py")
# A P-521 private key for the emulated ultravisor (any key will do here)
HOST_KEY = os.path.join(guest.TOP, "tests", "core", "data", "p521-sec1.pem")
PV_ARGS = ["-object", "s390-pv-guest,id=pv0,host-key=" + HOST_KEY,
           "-machine", "confidential-guest-support=pv0"]
VERBOSE = "-v" in sys.argv[1:]

from stage3_args import C, CONSTS, load_consts  # noqa: E402,F401


from tap import SkipTest, log  # noqa: E402,F401
import tap  # noqa: E402


BUILT = []


def build_loaders():
    subprocess.run(["make", "-s", "-C", BOOTDIR, "O=" + OUT], check=True)
    BUILT.append(True)
    return (os.path.join(OUT, "stage3a.bin"),
            os.path.join(OUT, "stage3b.bin"))


def make_image(name, entry="stage3b", cmdline="", initrd=None, extra=()):
    s3a, s3b = os.path.join(OUT, "stage3a.bin"), os.path.join(OUT,
                                                              "stage3b.bin")
    out = os.path.join(OUT, name + ".img")
    argv = ["/usr/bin/python3", MKIMG, "--stage3a", s3a, "--stage3b", s3b,
            "--header", HEADER, "--kernel", guest.fixture("s390x", "vmlinuz"),
            "--cmdline", cmdline, "--entry", entry, "-o", out] + list(extra)
    if initrd:
        argv += ["--initrd", initrd]
    r = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True)
    if VERBOSE:
        log(r.stdout)
    layout = {}
    for line in r.stdout.splitlines():
        f = line.split()
        layout[f[0]] = [int(x, 0) for x in f[1:]]
    return out, layout


class Qmp:
    """QEMU with QMP on stdio (no console), for the disabled-wait tests."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = b""
        self.events = []
        os.set_blocking(self.proc.stdout.fileno(), False)
        greeting = self._read(30)
        if "QMP" not in greeting:
            raise AssertionError("no QMP greeting: %s" % greeting)
        self.cmd("qmp_capabilities")

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    err = self.proc.stderr.read() if self.proc.poll() \
                        is not None else b""
                    raise AssertionError("QMP: no reply (qemu %s) %s" % (
                        self.proc.poll(), err.decode(errors="replace")))
                if sel.select(left):
                    data = self.proc.stdout.read()
                    if data:
                        self.buf += data
        finally:
            sel.close()
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()
        while True:
            r = self._read(30)
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise AssertionError("QMP %s: %s" % (name, r["error"]))
            return r["return"]

    def wait_event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %s event within %d s" %
                                     (name, timeout))
            r = self._read(left)
            if "event" in r:
                self.events.append(r)

    def xp64(self, addr, n):
        out = self.cmd("human-monitor-command",
                       **{"command-line": "xp /%dgx %#x" % (n, addr)})
        vals = [int(v, 16) for v in re.findall(r"0x([0-9a-f]{16})", out)]
        if len(vals) != n:
            raise AssertionError("xp output not understood: %r" % out)
        return vals

    def close(self):
        if self.proc.poll() is None:
            try:
                self.cmd("quit")
            except (AssertionError, BrokenPipeError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_to_wait(image, cpu=None, timeout=60, extra=()):
    """Boot image, expect a disabled wait; return (psw, status block)."""
    argv = [QEMU, "-machine", "s390-ccw-virtio", "-m", "1G",
            "-display", "none", "-nodefaults", "-no-reboot",
            "-action", "panic=pause", "-qmp", "stdio", "-S",
            "-kernel", image] + list(extra)
    if cpu:
        argv += ["-cpu", cpu]
    q = Qmp(argv)
    try:
        # Start only now: events before qmp_capabilities would be lost.
        q.cmd("cont")
        ev = q.wait_event("GUEST_PANICKED", timeout)
        info = ev["data"]["info"]
        if info.get("reason") != "disabled-wait":
            raise AssertionError("panic reason %s" % info.get("reason"))
        return q, info["psw-mask"], info["psw-addr"]
    except Exception:
        q.close()
        raise


def check_wait(image, want_code, want_detail, status_addr, cpu=None,
               extra=()):
    q, mask, addr = run_to_wait(image, cpu, extra=extra)
    try:
        log("wait PSW %#018x %#018x" % (mask, addr))
        code = addr >> C("STAGE3_WAIT_CODE_SHIFT")
        detail = (addr >> C("STAGE3_WAIT_DETAIL_SHIFT")) & 0xffffffff
        if mask != C("STAGE3_WAIT_PSW_MASK"):
            raise AssertionError("wait PSW mask %#x" % mask)
        if (code, detail) != (want_code, want_detail):
            raise AssertionError("wait code/detail %#x/%#x, expected %#x/%#x"
                                 % (code, detail, want_code, want_detail))
        if addr & 0xffff:
            raise AssertionError("low 16 bits of the wait address not 0")
        st = q.xp64(status_addr, 2)
        if st[0] != want_code or (st[1] & 0xffffffff) != want_detail:
            raise AssertionError("status block %s does not match" %
                                 [hex(v) for v in st])
        return st
    finally:
        q.close()


# ---------------------------------------------------------------- tests

def t_build():
    s3a, s3b = build_loaders()
    a = open(s3a, "rb").read()
    b = open(s3b, "rb").read()
    size = C("STAGE3_ARGS_SIZE")
    # 0x10000: BRCL 15 (jg) to 0x11000: opcode c0f4, offset in halfwords.
    want = struct.pack(">HI", 0xc0f4, (C("STAGE3A_ENTRY_ADDR") -
                                       C("STAGE3A_LOAD_ADDR")) // 2)
    if a[:6] != want:
        raise AssertionError("stage3a does not start with jg 0x11000: %s"
                             % a[:6].hex())
    if len(a) <= C("STAGE3A_ENTRY_ADDR") - C("STAGE3A_LOAD_ADDR"):
        raise AssertionError("stage3a has no code at 0x11000")
    if a[8:14] == b"S390EP":
        raise AssertionError("stage3a must not look like a Linux kernel")
    for blob, magic in ((a, C("STAGE3A_ARGS_MAGIC")),
                        (b, C("STAGE3B_ARGS_MAGIC"))):
        if len(blob) % 256 or struct.unpack_from(">Q", blob,
                                                 len(blob) - size)[0] != magic:
            raise AssertionError("args block not at the end (%#x)" % magic)
        if any(blob[len(blob) - size + 8:]):
            raise AssertionError("args block not zero-filled")
    if len(b) > C("STAGE3B_MAX_SIZE"):
        raise AssertionError("stage3b too large")
    log("stage3a.bin %d bytes, stage3b.bin %d bytes" % (len(a), len(b)))


def t_plain_boot():
    token = guest.new_token()
    initrd = guest.initramfs("s390x")
    img, layout = make_image(
        "plain", cmdline="console=ttysclp0 panic=-1 qemu_ibm_cc.token=%s"
        % token, initrd=initrd)
    argv = [QEMU, "-machine", "s390-ccw-virtio", "-m", "1G", "-nographic",
            "-no-reboot", "-kernel", img]
    g = guest.Guest("se-boot-plain-stage3b", argv).start()
    try:
        m = g.wait_for(re.escape(guest.MARKER) +
                       r" token=(\S+) arch=(\S+) kernel=(\S+)\r?\n",
                       300, guest.FAIL_PATTERNS)
        if m.group(1) != token:
            g.fail("init echoed token %s, expected %s" % (m.group(1), token))
        if m.group(2) != "s390x":
            g.fail("arch %s" % m.group(2))
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n", 60,
                   guest.FAIL_PATTERNS)
        # The marker came from the initrd's /init; the kernel must also
        # have printed the command line of the image's cmdline component.
        if not re.search(r"Kernel command line: .*qemu_ibm_cc\.token=%s"
                         % token, g.text()):
            g.fail("kernel did not print our command line")
        rc = g.wait_exit(60)
        if rc is None:
            g.fail("guest did not power off")
        log("booted to init in %.1f s (%s)" % (g.elapsed(), m.group(3)))
    finally:
        g.stop()
        g.save_console()


def t_stage3b_bad_magic():
    img, lay = make_image("s3b-magic", extra=["--stage3b-bad-magic"])
    check_wait(img, C("STAGE3B_ERR_ARGS"), 1,
               C("STAGE3B_RUN_ADDR") + C("STAGE3B_STATUS_OFF"))


def t_stage3b_cmdline_no_nul():
    img, lay = make_image("s3b-nonul", cmdline="console=ttysclp0",
                          extra=["--cmdline-no-nul"])
    check_wait(img, C("STAGE3B_ERR_CMDLINE_NUL"), len("console=ttysclp0"),
               C("STAGE3B_RUN_ADDR") + C("STAGE3B_STATUS_OFF"))


def t_stage3b_initrd_overlaps_kernel():
    img, lay = make_image("s3b-layout", initrd=guest.initramfs("s390x"),
                          extra=["--initrd-below-kernel-end"])
    check_wait(img, C("STAGE3B_ERR_LAYOUT"), 2,
               C("STAGE3B_RUN_ADDR") + C("STAGE3B_STATUS_OFF"))


def t_stage3b_low_start():
    low = 0xd000
    img, lay = make_image("s3b-low", extra=["--stage3b-at", hex(low)])
    # The relocator refuses and reports in the unrelocated copy.
    check_wait(img, C("STAGE3B_ERR_RELOC"), low,
               low + C("STAGE3B_STATUS_OFF"))


def t_stage3a_no_unpack():
    img, lay = make_image("s3a", entry="stage3a", cmdline="x")
    # unpack=off: stays true once QEMU learns to offer the facility.
    q, mask, addr = run_to_wait(img, cpu="max,unpack=off")
    try:
        code = addr >> C("STAGE3_WAIT_CODE_SHIFT")
        if code != C("STAGE3A_ERR_NO_UNPACK"):
            raise AssertionError(
                "expected STAGE3A_ERR_NO_UNPACK (CPU without the unpack "
                "facility), got wait PSW address %#x" % addr)
        st = q.xp64(C("STAGE3A_STATUS_ADDR"), 2)
        if st[0] != code:
            raise AssertionError("status block code %#x" % st[0])
        # stage3a must have pointed the IPIB at the header before stopping.
        ipib = lay["ipib"][0]
        hdr = lay["header"][0]
        got = q.xp64(ipib + C("IPIB_PV_HDR_ADDR_OFF"), 2)
        if got != [hdr, 0x1000]:
            raise AssertionError("IPIB header fields %s, expected [%#x, "
                                 "0x1000]" % ([hex(v) for v in got], hdr))
        log("wait PSW %#018x %#018x; IPIB header fields patched" %
            (mask, addr))
    finally:
        q.close()


def elf_addr(elf, pattern, after=0):
    """Address of the first instruction matching pattern in elf's
    disassembly, or of the instruction `after` lines below it."""
    out = subprocess.run(["s390x-linux-gnu-objdump", "-d", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    lines = [ln for ln in out.splitlines()
             if re.match(r"^\s+[0-9a-f]+:\t", ln)]
    for i, ln in enumerate(lines):
        if re.search(pattern, ln):
            return int(lines[i + after].split(":")[0], 16)
    raise AssertionError("%s not found in %s" % (pattern, elf))


def elf_symbol(elf, name):
    out = subprocess.run(["s390x-linux-gnu-nm", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    for ln in out.splitlines():
        f = ln.split()
        if f[-1] == name:
            return int(f[0], 16)
    raise AssertionError("symbol %s not found in %s" % (name, elf))


def t_stage3a_diag_pgm_check():
    """Pretend facility 161 is installed (patch the STFLE result through
    the gdbstub): plain QEMU then refuses diag 0x308 subcode 8 with a
    specification exception, which stage3a reports as STAGE3A_ERR_PGM."""
    elf = os.path.join(OUT, "stage3a.elf")
    bp = elf_addr(elf, r"\tstfle\t", after=1)
    diag = elf_addr(elf, r"\tdiag\t%r2,%r4,776")
    flist = elf_symbol(elf, "facility_list")
    if unpack_available():
        raise SkipTest("QEMU offers the unpack facility: diag 0x308 "
                       "subcode 8 is no longer refused")
    img, lay = make_image("s3a-pgm", entry="stage3a", cmdline="x")
    sock = os.path.join(OUT, "gdb-%d.sock" % os.getpid())
    if os.path.exists(sock):
        os.unlink(sock)
    argv = [QEMU, "-machine", "s390-ccw-virtio", "-m", "1G",
            "-display", "none", "-nodefaults", "-no-reboot",
            "-action", "panic=pause", "-qmp", "stdio", "-S",
            "-chardev", "socket,id=gdb0,path=%s,server=on,wait=off" % sock,
            "-gdb", "chardev:gdb0", "-kernel", img]
    q = Qmp(argv)
    g = None
    try:
        g = Gdb(sock, timeout=30)
        g.cmd("?")
        if g.cmd("Z0,%x,4" % bp) != "OK":
            raise AssertionError("cannot set a breakpoint")
        stop = g.cmd("c")
        if not stop.startswith(("T05", "S05")):
            raise AssertionError("unexpected stop reply %r" % stop)
        dw = flist + 8 * (C("STFLE_BIT_UNPACK") // 64)
        val = int(g.cmd("m%x,8" % dw), 16)
        val |= 1 << (63 - C("STFLE_BIT_UNPACK") % 64)
        if g.cmd("M%x,8:%016x" % (dw, val)) != "OK":
            raise AssertionError("cannot patch the facility list")
        g.cmd("z0,%x,4" % bp)
        g.cmd("D")
        g.close()
        g = None
        ev = q.wait_event("GUEST_PANICKED", 60)
        addr = ev["data"]["info"]["psw-addr"]
        log("wait PSW address %#018x" % addr)
        code = addr >> C("STAGE3_WAIT_CODE_SHIFT")
        detail = (addr >> C("STAGE3_WAIT_DETAIL_SHIFT")) & 0xffffffff
        if (code, detail) != (C("STAGE3A_ERR_PGM"), 0x0006):
            raise AssertionError("expected STAGE3A_ERR_PGM / specification "
                                 "exception, got %#x/%#x" % (code, detail))
        st = q.xp64(C("STAGE3A_STATUS_ADDR"), 4)
        # Suppressed instruction: the old PSW points past the 4-byte diag.
        if st[0] != code or st[1] != 6 or st[3] != diag + 4:
            raise AssertionError("status block %s; diag at %#x" %
                                 ([hex(v) for v in st], diag))
    finally:
        if g:
            g.close()
        q.close()
        if os.path.exists(sock):
            os.unlink(sock)


def unpack_available():
    r = subprocess.run([QEMU, "-machine", "s390-ccw-virtio", "-cpu",
                        "max,unpack=on", "-display", "none", "-nodefaults",
                        "-S", "-qmp", "stdio"], input=b"", timeout=60,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return b"not available" not in r.stdout


def pv_object_available():
    """Does QEMU start with an emulated ultravisor (s390-pv-guest)?"""
    r = subprocess.run([QEMU, "-machine", "s390-ccw-virtio", "-display",
                        "none", "-nodefaults", "-S", "-qmp", "stdio"] +
                       PV_ARGS, timeout=60,
                       input=b'{"execute": "qmp_capabilities"}\n'
                             b'{"execute": "quit"}\n',
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode == 0, r.stdout.decode(errors="replace")


def t_stage3a_set_pv_refused():
    ok, out = pv_object_available()
    if not ok:
        if "invalid object type" in out:
            raise SkipTest("QEMU has no s390-pv-guest for TCG")
        raise AssertionError("QEMU with s390-pv-guest: %s" % out.strip())
    img, lay = make_image("s3a-badipib", entry="stage3a", cmdline="x",
                          extra=["--bad-ipib"])
    check_wait(img, C("STAGE3A_ERR_SET_PV"), 0x0402,
               C("STAGE3A_STATUS_ADDR"), extra=PV_ARGS)


def t_stage3a_unpack_refused():
    ok, out = pv_object_available()
    if not ok:
        if "invalid object type" in out:
            raise SkipTest("QEMU has no s390-pv-guest for TCG")
        raise AssertionError("QEMU with s390-pv-guest: %s" % out.strip())
    img, lay = make_image("s3a-fakehdr", entry="stage3a", cmdline="x")
    q, mask, addr = run_to_wait(img, extra=PV_ARGS)
    try:
        log("wait PSW %#018x %#018x" % (mask, addr))
        code = addr >> C("STAGE3_WAIT_CODE_SHIFT")
        if code != C("STAGE3A_ERR_UNPACK"):
            raise AssertionError("expected STAGE3A_ERR_UNPACK, got wait PSW "
                                 "address %#x" % addr)
        st = q.xp64(C("STAGE3A_STATUS_ADDR"), 2)
        r = st[1]
        log("R1+1 after diag 308 subcode 10: %#018x" % r)
        # {u16 cmd, u16 rrc, u16 rc, u16 0x0a02}: SET_SEC_PARMS (2) refused
        # the header with a "header" rc (0x1xx)
        if r & 0xffff != 0x0a02 or r >> 48 != 2 or (r >> 24) & 0xff != 1:
            raise AssertionError("R1+1 %#x is not a SET_SEC_PARMS failure "
                                 "with 0x0a02" % r)
        # the unprotected loader survived (nothing was unpacked to wipe)
        if q.xp64(C("STAGE3A_LOAD_ADDR"), 1)[0] >> 48 != 0xc0f4:
            raise AssertionError("stage3a at 0x10000 was overwritten")
    finally:
        q.close()


TESTS = [
    ("stage3a and stage3b build with the documented layout", t_build),
    ("plain SE-layout image boots via stage3b to init", t_plain_boot),
    ("stage3b: bad args magic -> STAGE3B_ERR_ARGS", t_stage3b_bad_magic),
    ("stage3b: cmdline without NUL -> STAGE3B_ERR_CMDLINE_NUL",
     t_stage3b_cmdline_no_nul),
    ("stage3b: initrd inside kernel destination -> STAGE3B_ERR_LAYOUT",
     t_stage3b_initrd_overlaps_kernel),
    ("stage3b: started below 0x10000 -> STAGE3B_ERR_RELOC",
     t_stage3b_low_start),
    ("stage3a under plain QEMU -> STAGE3A_ERR_NO_UNPACK",
     t_stage3a_no_unpack),
    ("stage3a: diag 308 subcode 8 refused (program check) -> "
     "STAGE3A_ERR_PGM", t_stage3a_diag_pgm_check),
    ("stage3a: invalid IPIB -> diag 308 subcode 8 rc 0x0402",
     t_stage3a_set_pv_refused),
    ("stage3a: fake SE header -> diag 308 subcode 10 returns 0x0a02 with "
     "the failed step, guest continues", t_stage3a_unpack_refused),
]


def _loaders_built(i):
    if i > 1 and not BUILT:
        raise AssertionError("loaders not built")


def main():
    load_consts()
    os.makedirs(OUT, exist_ok=True)
    return tap.run(TESTS, check=_loaders_built)


if __name__ == "__main__":
    sys.exit(main())
