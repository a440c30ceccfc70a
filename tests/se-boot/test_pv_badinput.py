#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad-input tests of IBM Z Secure Execution under TCG, run on the
sanitizer build of QEMU (build/qemu-system-s390x-asan, made by
QEMU_SANITIZE=1 scripts/build-qemu.sh) when it exists, else on the normal
one.  Prints TAP; exits non-zero if a test fails.  Every test also checks
that QEMU did not crash: exit status, no signal, and no "AddressSanitizer"
or "runtime error:" (UBSan) in its stderr.

 1. Broken SE images booted protected (-kernel): each one stops in
    stage3a's disabled wait with the failed UV call's {cmd, rrc, rc,
    0x0a02} in R1+1 (or diag 0x308 subcode 8's refusal, 0x3a03), the UV
    names the failed check on stderr, and nothing past the check runs.
    The images are post-processed copies of one mk-se-image output built
    with fixed keys: another host key; a header byte in the GCM-
    authenticated area; an encrypted page; two equal-sized components
    swapped (their addresses in the IPIB and their data, so only the
    address list differs); a tweak prefix changed (still increasing); a
    component one page short in the IPIB; the image file truncated; a PCF
    bit the UV does not support, with the header's GCM tag recomputed
    (the test knows the header key); a header length over two pages.
 2. uvc-probe (tests/se-boot/uvc-probe), an unprotected guest on a
    machine with the emulated UV, issues malformed UVCs and every command
    code (only QUI is a non-secure guest's to call); cc, rc/rrc and
    program interruption codes are as documented in hw/s390x/se/uv-core.c
    and target/s390x/tcg/uv_helper.c.
 3. 20 protected boots by "reboot -f" in one QEMU: QEMU's RSS after boot
    2 and boot 20 are reported; growth must stay below 64 MiB.
 4. virtio-net in a protected guest: the guest fetches a token over
    slirp from a guestfwd command (loopback only).

  tests/se-boot/test_pv_badinput.py [-v] [N...]

N... runs only those tests (the numbers above; 0 is the control boot),
with their own output directory, so that two selections can run side by side
(tests/run-all.sh runs the reboot test beside the others).
"""

import os
import re
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
import test_plain_stage3b as plain  # noqa: E402
import test_pv_boot as pv  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "badinput")
# Images and host keys of this script in a directory of its own, so that it
# can run beside the other SE scripts (tests/run-all.sh).
pv.OUT = os.path.join(OUT, "pv")
QEMU_ASAN = os.path.join(guest.BUILD, "qemu-system-s390x-asan")
QEMU = QEMU_ASAN if os.access(QEMU_ASAN, os.X_OK) else pv.QEMU
PROBE_SRC = os.path.join(HERE, "uvc-probe")
PROBE_OUT = os.path.join(guest.BUILD, "se-boot", "uvc-probe")
VERBOSE = "-v" in sys.argv[1:]

# Leak checking would report QEMU's exit-time leaks, which are not what
# these tests look for; UBSan findings are reported and looked for below.
os.environ["ASAN_OPTIONS"] = "detect_leaks=0"
os.environ["UBSAN_OPTIONS"] = "print_stacktrace=1"
plain.QEMU = QEMU

CRASH_RE = re.compile(r"AddressSanitizer|runtime error:|LeakSanitizer")
# SE header checks fail in SET_SEC_CONF_PARAMS, which reports through an
# Error (no "protected boot failed: " before the check's name)
UV_FAIL_RE = (r"s390-pv-guest: (?:protected boot failed: )?%s "
              r"\(rc 0x%x rrc 0x%x\)")

# R1+1 after a failed diag 0x308 subcode 10: {cmd, rrc, rc, 0x0a02}
CMD_SET_SEC_PARMS = 2
CMD_VERIFY = 4
STAGE3A_ERR_SET_PV = 0x3a03
STAGE3A_ARGS_MAGIC = 0x5143435333410001
STAGE3A_ARGS_HDR_SIZE_OFF = 0x10

# IPIB (big-endian), relative to the IPIB
IPIB_NUM_COMP = 0x74
IPIB_COMPS = 0x88
IPIB_COMP_SIZE = 24

# SE header (big-endian), relative to the header
HDR_PHS = 0x0c
HDR_IV = 0x10
HDR_SEA = 0x28
HDR_PCF = 0x38
HDR_ALD = 0x120
PAGE = 4096


class SkipTest(Exception):
    pass


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def check_no_crash(rc, err, what):
    """QEMU ended by itself or by quit, and no sanitizer reported."""
    m = CRASH_RE.search(err)
    if m:
        i = err.find(m.group(0))
        raise AssertionError("%s: sanitizer report: %s" %
                             (what, err[max(0, i - 200):i + 1500]))
    if rc is None or rc != 0:
        raise AssertionError("%s: QEMU exit status %s (negative: signal)"
                             % (what, rc))


# ---------------------------------------------------------------- images

def fixed_file(name, size):
    """A fixed key file: the test must be able to recompute things."""
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(bytes((i * 37 + size) & 0xff for i in range(size)))
    return path


def base_image(name, hkd, cmdline, initrd):
    """mk-se-image with fixed keys; returns (path, layout, header key)."""
    if not os.access(pv.MKSE, os.X_OK):
        raise SkipTest("no %s (build the core: make core)" % pv.MKSE)
    hdr_key = fixed_file("hdr.key", 32)
    parm = os.path.join(OUT, name + ".parm")
    with open(parm, "w") as f:
        f.write(cmdline + "\n")
    out = os.path.join(OUT, name + ".img")
    r = subprocess.run([pv.MKSE, "-k", hkd, "-i",
                        guest.fixture("s390x", "vmlinuz"), "-r", initrd,
                        "-p", parm, "-o", out, "--no-verify", "-v",
                        "--hdr-key", hdr_key,
                        "--image-key", fixed_file("image.key", 64),
                        "--x-iv", "00112233445566778899aabb",
                        "--x-tweak-seed", "5eed"],
                       check=True, stdout=subprocess.PIPE, text=True)
    layout = {}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1].startswith("0x"):
            layout[f[0]] = [int(x, 16) for x in f[1:3]]
    if VERBOSE:
        log(r.stdout)
    with open(hdr_key, "rb") as f:
        return out, layout, f.read()


def comps(data, ipib):
    n = struct.unpack_from(">I", data, ipib + IPIB_NUM_COMP)[0]
    return [list(struct.unpack_from(">QQQ", data, ipib + IPIB_COMPS +
                                    i * IPIB_COMP_SIZE)) for i in range(n)]


def put_comps(data, ipib, cs):
    for i, c in enumerate(cs):
        struct.pack_into(">QQQ", data, ipib + IPIB_COMPS +
                         i * IPIB_COMP_SIZE, *c)


def npages(n):
    return (n + PAGE - 1) // PAGE


def bad_other_key(data, lay, hkey):
    return None     # built from another host key instead, see t_images


def bad_hdr_byte(data, lay, hkey):
    data[lay["header"][0] + HDR_ALD + 3] ^= 0x01


def bad_page(data, lay, hkey):
    data[lay["cmdline"][0] + 5] ^= 0x40


def bad_swap(data, lay, hkey):
    ipib = lay["ipib"][0]
    cs = comps(data, ipib)
    # two components of the same size in pages: swap addresses and data
    pairs = [(i, j) for i in range(len(cs)) for j in range(i + 1, len(cs))
             if npages(cs[i][2]) == npages(cs[j][2])]
    if not pairs:
        raise AssertionError("test broken: no two equal-sized components")
    i, j = pairs[0]
    ai, aj, size = cs[i][1], cs[j][1], npages(cs[i][2]) * PAGE
    di, dj = bytes(data[ai:ai + size]), bytes(data[aj:aj + size])
    data[ai:ai + size], data[aj:aj + size] = dj, di
    cs[i][1], cs[j][1] = aj, ai
    put_comps(data, ipib, cs)
    log("swapped components %d and %d (%#x <-> %#x)" % (i, j, ai, aj))


def bad_tweak(data, lay, hkey):
    ipib = lay["ipib"][0]
    cs = comps(data, ipib)
    # the second component's prefix + 1: still between its neighbours
    if cs[1][0] + 1 >= cs[2][0]:
        raise AssertionError("test broken: no room for another tweak")
    cs[1][0] += 1
    put_comps(data, ipib, cs)


def bad_count(data, lay, hkey):
    ipib = lay["ipib"][0]
    cs = comps(data, ipib)
    cs[0][2] = (npages(cs[0][2]) - 1) * PAGE
    put_comps(data, ipib, cs)


def bad_truncated(data, lay, hkey):
    addr, size = lay["initrd"]
    del data[addr + size // 2:]


def bad_pcf(data, lay, hkey):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    h = lay["header"][0]
    phs = struct.unpack_from(">I", data, h + HDR_PHS)[0]
    sea = struct.unpack_from(">Q", data, h + HDR_SEA)[0]
    enc = h + phs - sea - 16
    iv = bytes(data[h + HDR_IV:h + HDR_IV + 12])
    gcm = AESGCM(hkey)
    # the tag must check with the original header (else the layout
    # assumed here is wrong), then be recomputed over the new PCF
    plain_area = gcm.decrypt(iv, bytes(data[enc:h + phs]),
                             bytes(data[h:enc]))
    pcf = struct.unpack_from(">Q", data, h + HDR_PCF)[0]
    struct.pack_into(">Q", data, h + HDR_PCF, pcf | (1 << 63))  # bit 0
    data[enc:h + phs] = gcm.encrypt(iv, plain_area, bytes(data[h:enc]))


def bad_hdr_len(data, lay, hkey):
    m = struct.pack(">Q", STAGE3A_ARGS_MAGIC)
    off = data.find(m, 0x10000, lay["ipib"][0])
    if off < 0:
        raise AssertionError("test broken: no stage3a args block")
    struct.pack_into(">Q", data, off + STAGE3A_ARGS_HDR_SIZE_OFF,
                     2 * PAGE + 16)


def r1p1(cmd, rrc, rc):
    return cmd << 48 | rrc << 32 | rc << 16 | 0x0a02


# name, patch, R1+1 (or (0x3a03, detail)), stderr line (regex) or None
IMAGE_CASES = [
    ("wrong host key", bad_other_key, r1p1(CMD_SET_SEC_PARMS, 0x5, 0x108),
     UV_FAIL_RE % ("SE header no key slot for this host key", 0x108, 0x5)),
    ("SE header byte altered (GCM tag)", bad_hdr_byte,
     r1p1(CMD_SET_SEC_PARMS, 0x0, 0x10a),
     UV_FAIL_RE % ("SE header GCM tag mismatch", 0x10a, 0x0)),
    ("encrypted page altered (PLD)", bad_page, r1p1(CMD_VERIFY, 0x1b, 0x102),
     UV_FAIL_RE % ("VERIFY_IMG: page list digest \\(PLD\\) mismatch",
                   0x102, 0x1b)),
    ("components swapped (ALD)", bad_swap, r1p1(CMD_VERIFY, 0x1a, 0x102),
     UV_FAIL_RE % ("VERIFY_IMG: address list digest \\(ALD\\) mismatch",
                   0x102, 0x1a)),
    ("tweak prefix changed (TLD)", bad_tweak, r1p1(CMD_VERIFY, 0x1c, 0x102),
     UV_FAIL_RE % ("VERIFY_IMG: tweak list digest \\(TLD\\) mismatch",
                   0x102, 0x1c)),
    ("component one page short (page count)", bad_count,
     r1p1(CMD_VERIFY, 0x1d, 0x102),
     UV_FAIL_RE % ("VERIFY_IMG: the number of unpacked pages differs from "
                   "the SE header", 0x102, 0x1d)),
    ("image file truncated", bad_truncated, r1p1(CMD_VERIFY, 0x1b, 0x102),
     UV_FAIL_RE % ("VERIFY_IMG: page list digest \\(PLD\\) mismatch",
                   0x102, 0x1b)),
    ("unsupported PCF bit, valid GCM tag", bad_pcf,
     r1p1(CMD_SET_SEC_PARMS, 0x30, 0x106),
     UV_FAIL_RE % ("SE header unsupported PCF", 0x106, 0x30)),
    ("SE header length over two pages (subcode 8 refuses)", bad_hdr_len,
     (STAGE3A_ERR_SET_PV, None), None),
]


def finish(q, what):
    """Quit a plain.Qmp QEMU; its stderr, after checking for a crash.
    (Not q.close(): if QEMU exits before its reply to quit is read, that
    reads stderr itself and the report would be lost.)"""
    try:
        q.proc.stdin.write(b'{"execute": "quit"}\n')
        q.proc.stdin.flush()
    except BrokenPipeError:
        pass
    try:
        q.proc.wait(60)
    except subprocess.TimeoutExpired:
        q.proc.kill()
        q.proc.wait()
    err = q.proc.stderr.read().decode(errors="replace")
    check_no_crash(q.proc.returncode, err, what)
    return err


def run_wait(img, args):
    """Boot to stage3a's disabled wait; (wait address, status, stderr)."""
    q, mask, addr = plain.run_to_wait(img, extra=args)
    try:
        st = q.xp64(pv.STAGE3A_STATUS_ADDR, 2)
    finally:
        err = finish(q, os.path.basename(img))
    return addr, st, err


def t_images():
    key, hkd = pv.host_key("host")
    key2, hkd2 = pv.host_key("other")
    img, lay, hkey = base_image("base", hkd, "console=ttysclp0",
                                guest.initramfs("s390x"))
    other, _, _ = base_image("other", hkd2, "console=ttysclp0",
                             guest.initramfs("s390x"))
    with open(img, "rb") as f:
        good = f.read()
    failed = []
    for name, patch, want, err_re in IMAGE_CASES:
        if patch is bad_other_key:
            bad = other
        else:
            data = bytearray(good)
            patch(data, lay, hkey)
            if bytes(data) == good:
                raise AssertionError("test broken: %s changed nothing" % name)
            bad = os.path.join(OUT, re.sub(r"\W+", "-", name) + ".img")
            with open(bad, "wb") as f:
                f.write(data)
        try:
            addr, st, err = run_wait(bad, pv.pv_args(key))
        except AssertionError as e:
            failed.append(name)
            log("%s: FAILED: %s" % (name, e))
            continue
        code = addr >> pv.WAIT_CODE_SHIFT
        line = [ln for ln in err.splitlines() if "s390-pv-guest" in ln]
        log("%s: wait code %#x, status %#x %#x; stderr: %s" %
            (name, code, st[0], st[1], " | ".join(line) or "(nothing)"))
        problems = []
        if isinstance(want, tuple):
            if code != want[0] or st[0] != want[0]:
                problems.append("wait code %#x, expected %#x" %
                                (code, want[0]))
        else:
            if code != pv.STAGE3A_ERR_UNPACK:
                problems.append("wait code %#x, expected %#x" %
                                (code, pv.STAGE3A_ERR_UNPACK))
            if st[1] != want:
                problems.append("R1+1 %#x, expected %#x" % (st[1], want))
        if err_re and not re.search(err_re, err):
            problems.append("stderr does not name the check: %r" % err)
        if problems:
            failed.append(name)
            log("%s: FAILED: %s" % (name, "; ".join(problems)))
    if failed:
        raise AssertionError("failed: " + ", ".join(failed))


# ------------------------------------------------------------- uvc-probe

def header_consts(path, prefix):
    """The numeric #defines named PREFIX... of the C header at @path."""
    c = {}
    with open(path) as f:
        for m in re.finditer(r"#define\s+(%s\w+)\s+(0x[0-9a-f]+|\d+)"
                             % prefix, f.read()):
            c[m.group(1)] = int(m.group(2), 0)
    return c


def probe_consts():
    return header_consts(os.path.join(PROBE_SRC, "uvc-probe.h"), "PROBE_")


PGM_ADDRESSING = 0x05
PGM_SPECIFICATION = 0x06
RC_OK, RC_INV_CMD, RC_INV_STATE, RC_INV_LEN, RC_MORE = 1, 2, 3, 5, 0x100


def t_uvc_probe():
    c = probe_consts()
    subprocess.run(["make", "-s", "-C", PROBE_SRC, "O=" + PROBE_OUT],
                   check=True)
    elf = os.path.join(PROBE_OUT, "uvc-probe.elf")
    q, mask, addr = plain.run_to_wait(elf, extra=plain.PV_ARGS)
    try:
        if addr != c["PROBE_DONE_ADDR"]:
            raise AssertionError("probe stopped at %#x" % addr)
        magic, n = q.xp64(c["PROBE_RES_ADDR"], 2)
        ents = [q.xp64(c["PROBE_RES_ADDR"] + 16 + i * c["PROBE_ENTRY_SIZE"],
                       4) for i in range(n)]
    finally:
        finish(q, "uvc-probe")
    if magic != c["PROBE_MAGIC"]:
        raise AssertionError("no probe results (magic %#x)" % magic)
    pgm = c["PROBE_PGM"]
    # (what, outcome, rc, rrc); rc None: the block is not checked
    want = [
        ("QUI 0x120", 0, RC_OK, 0),
        ("QUI 0x100 (more data)", 1, RC_MORE, 0),
        ("len 4", 1, RC_INV_LEN, 0),
        ("len 0", 1, RC_INV_LEN, 0),
        ("len 8 QUI", 1, RC_INV_LEN, 0),
        ("len 0x1001", 1, RC_INV_LEN, 0),
        ("len 0xffff", 1, RC_INV_LEN, 0),
        ("QUI across a page boundary", 0, RC_OK, 0),
        ("QUI across the end of RAM", pgm + PGM_ADDRESSING, 0, 0),
        ("cmd 0x0000", 1, RC_INV_CMD, 0),
        ("cmd 0x0003", 1, RC_INV_CMD, 0),
        ("cmd 0xffff", 1, RC_INV_CMD, 0),
        ("cmd 0x0100 (host call)", 1, RC_INV_CMD, 0),
        ("cmd 0x0300 (host call)", 1, RC_INV_CMD, 0),
        ("block at +4", pgm + PGM_SPECIFICATION, 0, 0),
        ("block at +0x801", pgm + PGM_SPECIFICATION, None, None),
        ("block at the end of RAM", pgm + PGM_ADDRESSING, None, None),
        ("block at 0x7ffffffffffff000", pgm + PGM_ADDRESSING, None, None),
        ("SET_SHARED non-secure", 1, RC_INV_STATE, 3),
        ("REMOVE_SHARED non-secure", 1, RC_INV_STATE, 3),
        ("SET_SHARED len 0x10", 1, RC_INV_LEN, 0),
        ("RETR_ATTEST non-secure", 1, RC_INV_STATE, 3),
        ("ADD_SECRET non-secure", 1, RC_INV_STATE, 3),
        ("LIST_SECRETS non-secure", 1, RC_INV_STATE, 3),
        ("LOCK_SECRETS non-secure", 1, RC_INV_STATE, 3),
        ("RETR_SECRET non-secure", 1, RC_INV_STATE, 3),
        ("QUI again", 0, RC_OK, 0),
        ("every other command code", "sweep", None, None),
        ("QUI after the sweep", 0, RC_OK, 0),
    ]
    if len(ents) != len(want):
        raise AssertionError("%d results, expected %d" % (len(ents),
                                                          len(want)))
    bad = []
    for (what, outcome, rc, rrc), (got, hdr, calls, cb) in zip(want, ents):
        if outcome == "sweep":
            # got = codes not refused, hdr = the first of them, calls =
            # codes tried
            ok = got == 0 and calls == 0x10000 - 8
            log("%-30s %d codes, %d not 'invalid command'%s %s" % (
                what, calls, got,
                "" if not got else " (first: cmd %#x cc %d rc %#x)" % (
                    hdr >> 32, (hdr >> 16) & 0xffff, hdr & 0xffff),
                "" if ok else "<- FAILED"))
            if not ok:
                bad.append(what)
            continue
        grc, grrc = (hdr >> 16) & 0xffff, hdr & 0xffff
        ok = got == outcome and (rc is None or (grc, grrc) == (rc, rrc))
        log("%-30s cb %#x: %s rc %#x rrc %#x %s" % (
            what, cb, "pgm %#x" % (got - pgm) if got >= pgm else
            "cc %d" % got, grc, grrc, "" if ok else "<- FAILED"))
        if not ok:
            bad.append(what)
    # QUI from a non-secure guest: QUI (bit 0) is the only call it may
    # make; share (bit 8), unshare (bit 9), attestation (bit 28) and the
    # secret calls (29-31, 33) are not indicated (share/unshare is how Linux
    # tells it is not protected), nor any host-only call
    for i in (0, 26, 28):
        calls = ents[i][2]
        if calls != 1 << 63:
            bad.append("QUI calls word %#x (expected only bit 0)" % calls)
    log("QUI installed calls (bits 0-63): %#018x" % ents[0][2])
    if bad:
        raise AssertionError("wrong outcome: " + ", ".join(bad))


# ------------------------------------------------------------ guest boots

REBOOT_INIT = """#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "PV-REBOOT: boot prot=$(cat /sys/firmware/uv/prot_virt_guest)"
reboot -f
"""

NET_INIT = pv.INIT_PRELUDE + """echo "PV-NET: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest)"
ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
route add default gw 10.0.2.2
wget -q -O /tmp/got http://10.0.2.100/
echo "PV-NET: got [$(cat /tmp/got)]"
poweroff -f
"""


def initrd_with(name, init_text, adds=()):
    init = os.path.join(OUT, name + "-init.sh")
    with open(init, "w") as f:
        f.write(init_text)
    out = os.path.join(OUT, name + ".cpio.gz")
    cmd = ["/usr/bin/python3", pv.MKINITRAMFS, "--busybox",
           guest.fixture("s390x", "busybox"), "--init", init, "-o", out]
    for a in adds:
        cmd += ["--add", a]
    subprocess.run(cmd, check=True)
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def guest_check(g, what):
    text = g.text()
    m = CRASH_RE.search(text)
    if m:
        i = text.find(m.group(0))
        g.fail("%s: sanitizer report: %s" % (what, text[i:i + 1500]))


REBOOTS = 20


def t_reboot_loop():
    key, hkd = pv.host_key("host")
    initrd = initrd_with("reboot", REBOOT_INIT)
    img, lay = pv.se_image("reboot", hkd, "console=ttysclp0 quiet", initrd)
    qmp = os.path.join(OUT, "qmp-reboot.sock")
    if os.path.exists(qmp):
        os.unlink(qmp)
    # Guest RAM is preallocated and the TCG translation buffer capped, so
    # that neither the guest touching new pages nor the code buffer
    # filling up (1 GiB by default, never given back) looks like a leak.
    argv = [QEMU] + pv.pv_args(key) + [
        "-m", "512M", "-mem-prealloc", "-accel", "tcg,tb-size=64",
        "-nographic", "-kernel", img,
        "-qmp", "unix:%s,server=on,wait=off" % qmp]
    # ASan keeps freed memory in a quarantine (256 MiB by default) that
    # fills over the first boots: keep it small here so that RSS growth
    # means memory still in use
    asan_opts = os.environ["ASAN_OPTIONS"]
    os.environ["ASAN_OPTIONS"] = asan_opts + ":quarantine_size_mb=8"
    try:
        g = guest.Guest("se-pv-reboot-loop", argv).start()
    finally:
        os.environ["ASAN_OPTIONS"] = asan_opts
    s = None
    rss = {}
    try:
        for n in range(1, REBOOTS + 1):
            g.wait_for(r"(?s)(PV-REBOOT: boot prot=1.*){%d}" % n, 300,
                       guest.FAIL_PATTERNS)
            rss[n] = rss_kib(g.proc.pid)
        if g.text().count("PV-REBOOT: boot prot=") != REBOOTS:
            g.fail("a boot was not protected")
        s = pv.clients.Qmp(qmp, timeout=60)
        s.cmd("quit")
        rc = g.wait_exit(60)
        guest_check(g, "reboot loop")
        if rc != 0:
            g.fail("QEMU exit status %s" % rc)
        secs = g.elapsed()
    finally:
        if s is not None:
            s.close()
        g.stop()
        g.save_console()
    growth = rss[REBOOTS] - rss[2]
    log("%d protected boots in %.0f s; VmRSS after boot 2: %d KiB, after "
        "boot %d: %d KiB, growth %+d KiB" % (REBOOTS, secs, rss[2], REBOOTS,
                                            rss[REBOOTS], growth))
    log("VmRSS (MiB) per boot: " + " ".join(
        "%d" % (rss[n] >> 10) for n in sorted(rss)))
    if growth >= 64 * 1024:
        raise AssertionError("RSS grew by %d KiB over %d reboots" %
                             (growth, REBOOTS - 2))


def t_virtio_net():
    key, hkd = pv.host_key("host")
    mods = guest.fixture("s390x", "modules")
    kdir = os.path.join(mods, os.listdir(mods)[0], "kernel")
    # load order from the modules' "depends": failover <- net_failover
    # <- virtio_net
    adds = [os.path.join(kdir, "net", "core", "failover.ko.xz") +
            ":/mod/1-failover.ko.xz",
            os.path.join(kdir, "drivers", "net", "net_failover.ko.xz") +
            ":/mod/2-net_failover.ko.xz",
            os.path.join(kdir, "drivers", "net", "virtio_net.ko.xz") +
            ":/mod/3-virtio_net.ko.xz"]
    initrd = initrd_with("net", NET_INIT, adds)
    img, lay = pv.se_image("net", hkd, "console=ttysclp0", initrd)
    token = "PV-NET-OK-" + guest.new_token()
    # guestfwd runs the command per connection; the reply never leaves
    # the host (no listening socket at all)
    fwd = ("guestfwd=tcp:10.0.2.100:80-cmd:printf "
           "'HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s'"
           % (len(token), token))
    argv = [QEMU] + pv.pv_args(key) + [
        "-m", "1G", "-nographic", "-no-reboot", "-kernel", img,
        "-netdev", "user,id=n0," + fwd,
        "-device", "virtio-net-ccw,netdev=n0"]
    g = guest.Guest("se-pv-virtio-net", argv).start()
    try:
        m = g.wait_for(r"PV-NET: prot_virt_guest=(\d)", 300,
                       guest.FAIL_PATTERNS)
        if m.group(1) != "1":
            g.fail("prot_virt_guest=%s" % m.group(1))
        m = g.wait_for(r"PV-NET: got \[([^\]\r\n]*)\]", 120)
        got = m.group(1)
        rc = g.wait_exit(60)
        guest_check(g, "virtio-net")
        if rc != 0:
            g.fail("QEMU exit status %s" % rc)
        secs = g.elapsed()
    finally:
        g.stop()
        g.save_console()
    log("guest fetched %r over virtio-net (slirp guestfwd) in a %.0f s run"
        % (got, secs))
    if got != token:
        raise AssertionError("fetched %r, expected %r" % (got, token))


def t_good_boot():
    key, hkd = pv.host_key("host")
    token = guest.new_token()
    img, lay, _ = base_image("good", hkd, "console=ttysclp0 panic=-1 "
                             "qemu_ibm_cc.token=%s" % token,
                             guest.initramfs("s390x"))
    argv = [QEMU] + pv.pv_args(key) + ["-m", "1G", "-nographic",
                                       "-no-reboot", "-kernel", img]
    g = guest.Guest("se-pv-badinput-control", argv).start()
    try:
        m = g.wait_for(re.escape(guest.MARKER) + r" token=(\S+)", 300,
                       guest.FAIL_PATTERNS)
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n", 60)
        rc = g.wait_exit(60)
        guest_check(g, "control boot")
        if rc != 0:
            g.fail("QEMU exit status %s" % rc)
    finally:
        g.stop()
        g.save_console()
    if m.group(1) != token:
        raise AssertionError("token %s, expected %s" % (m.group(1), token))


TESTS = [
    ("control: an image built like the bad ones boots protected",
     t_good_boot),
    ("broken SE images stop at the failing check, UV names it, no crash",
     t_images),
    ("malformed UVCs from an unprotected guest: documented cc/rc/pgm",
     t_uvc_probe),
    ("%d protected reboots: RSS growth < 64 MiB" % REBOOTS, t_reboot_loop),
    ("virtio-net in a protected guest fetches a token over slirp",
     t_virtio_net),
]


def main():
    global OUT
    only = [int(a) for a in sys.argv[1:] if a.isdigit()]
    if any(i < 0 or i >= len(TESTS) for i in only):
        raise SystemExit("test numbers are 0..%d" % (len(TESTS) - 1))
    tests = [t for i, t in enumerate(TESTS) if not only or i in only]
    if only:
        OUT = "%s-%s" % (OUT, "-".join(str(i) for i in only))
        pv.OUT = os.path.join(OUT, "pv")
    plain.load_consts()
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(pv.OUT, exist_ok=True)
    print("TAP version 13")
    if QEMU == QEMU_ASAN:
        print("# QEMU: %s (ASan + UBSan)" % QEMU)
    else:
        print("# QEMU: %s -- no sanitizer build (QEMU_SANITIZE=1 "
              "scripts/build-qemu.sh); crash checks are weaker" % QEMU)
    print("1..%d" % len(tests))
    failed = 0
    t0 = time.monotonic()
    for i, (desc, fn) in enumerate(tests, 1):
        t = time.monotonic()
        try:
            fn()
            print("ok %d - %s" % (i, desc))
        except (SkipTest, pv.SkipTest) as e:
            print("ok %d - %s # SKIP %s" % (i, desc, e))
        except Exception as e:  # noqa: BLE001 - report any failure as TAP
            failed += 1
            print("not ok %d - %s" % (i, desc))
            log("%s: %s" % (type(e).__name__, e))
        log("test %d took %.0f s" % (i, time.monotonic() - t))
        sys.stdout.flush()
    log("total %.0f s" % (time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
