#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The protected dump of an IBM Z Secure Execution guest under TCG.

A protected guest whose SE image allows dumping (mk-se-image --enable-dump
--comm-key CCK) keeps a secret from its initramfs in memory; the host
dumps it with QMP dump-guest-memory.  QEMU is the ASan/UBSan build when
there is one.

 1. The ELF dump holds 0 plaintext occurrences of the secret; its register
    notes are zero; it has the pv_mem_meta and pv_compl sections and a PV
    CPU note per CPU (two; the format zgetdump --key reads).
 2. build/tools/se-dump with the CCK decrypts it: the plain dump holds the
    secret (the positive control that the dump holds the guest's memory),
    the CPU's PSW and prefix, shared and encrypted pages.
 3. An independent reader (Python's cryptography package, following
    s390-tools zdump/pv_utils.c: HKDF-SHA512 dump key, AES-256-GCM
    completion and CPU data, AES-256-XTS pages with tweak component | nonce)
    decrypts a dump taken with detach=true, and finds the secret and two
    CPUs with their own prefixes.
 4. Another key, an altered completion section or CPU note: refused.
 5. Refused with the reason in the QMP error: a kdump format, a dump in
    part (begin/length); the same guest after it added a secret with the
    disable-dump flag; an image without --enable-dump.

  tests/se-boot/test_pv_dump.py [-v]
"""

import importlib.util
import os
import re
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import clients  # noqa: E402
import guest  # noqa: E402
import test_pv_boot as pv  # noqa: E402
import uvio_guest as uvio  # noqa: E402
from tap import SkipTest, log  # noqa: E402
import tap  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "dump")
pv.OUT = os.path.join(OUT, "pv")
SEDUMP = os.path.join(guest.BUILD, "tools", "se-dump")
SESEC = os.path.join(guest.BUILD, "tools", "se-secret")
SESEC_GUEST = os.path.join(guest.BUILD, "tools", "se-secret-guest")
MEM_MIB = 512
CPUS = 2
SLOT = 16384

# The guest adds the disable-dump secret 20 s (guest time, which stands
# still while QEMU dumps) after "ready": the host's first dumps come before.
DUMP_INIT = pv.INIT_PRELUDE + """cat /secret > /dev/null
echo "DUMP: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest)"
echo "DUMP: ready"
sleep 20
dd if=/dev/vda of=/tmp/req bs=%(slot)d count=1 2>/dev/null
se-secret-guest add /tmp/req > /tmp/out 2>&1
echo "DUMP: nodump-secret status=$? $(cat /tmp/out)"
sleep 3600
""" % {"slot": SLOT}


def run(argv, ok=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if ok and r.returncode:
        raise AssertionError("%s: %s" % (" ".join(argv), r.stderr))
    return r


def dump(qmp, name, fmt="elf", detach=False):
    """dump-guest-memory to OUT/@name: (path, error text or None)."""
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        os.unlink(path)
    args = dict(paging=False, protocol="file:" + path, format=fmt)
    if detach:
        args["detach"] = True
    r = qmp.cmd("dump-guest-memory", **args)
    if "error" in r:
        return path, r["error"]["desc"]
    if detach:
        deadline = time.time() + 300
        while True:
            st = qmp.ok("query-dump")
            if st["status"] != "active":
                break
            if time.time() > deadline:
                raise AssertionError("detached dump still active")
            time.sleep(0.2)
        if st["status"] != "completed":
            return path, "query-dump: %s" % st["status"]
    return path, None


def boot(name, img, key, disk, steps):
    """Boot @img protected with QMP; run @steps(g, qmp)."""
    sock = os.path.join(OUT, name + ".qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    argv = [uvio.QEMU] + pv.pv_args(key) + [
        "-m", "%dM" % MEM_MIB, "-smp", str(CPUS), "-nographic",
        "-no-reboot", "-kernel", img,
        "-qmp", "unix:%s,server=on,wait=off" % sock]
    if disk:
        argv += ["-drive", "if=none,id=d0,format=raw,file=" + disk,
                 "-device", "virtio-blk-ccw,drive=d0"]
    g = guest.Guest(name, argv).start()
    q = None
    try:
        m = g.wait_for(r"DUMP: prot_virt_guest=(\d)", 300,
                       guest.FAIL_PATTERNS)
        if m.group(1) != "1":
            g.fail("prot_virt_guest=%s" % m.group(1))
        g.wait_for(r"DUMP: ready", 60)
        q = clients.Qmp(sock, timeout=300)
        result = steps(g, q)
        q.cmd("quit")
        g.wait_exit(30)
    finally:
        if q is not None:
            q.close()
        g.stop()
        g.save_console()
    if re.search(r"Sanitizer|runtime error:", g.text()):
        raise AssertionError("sanitizer report in QEMU's output (%s)"
                             % g.save_console())
    return result


def setup():
    for tool in (SEDUMP, SESEC, SESEC_GUEST):
        if not os.access(tool, os.X_OK):
            raise SkipTest("no %s (make core)" % tool)
    os.makedirs(OUT, exist_ok=True)
    secret = ("QEMU-IBM-CC-DUMP-SECRET-" + guest.new_token()).encode()
    sfile = os.path.join(OUT, "secret.txt")
    with open(sfile, "wb") as f:
        f.write(secret + b"\n")
    cck = os.path.join(OUT, "cck.bin")
    other = os.path.join(OUT, "other-cck.bin")
    for p in (cck, other):
        with open(p, "wb") as f:
            f.write(os.urandom(32))
    key, hkd = pv.host_key("host")
    initrd = uvio.initramfs(OUT, "dump", DUMP_INIT,
                            [sfile + ":/secret",
                             SESEC_GUEST + ":/bin/se-secret-guest"])
    img, _ = pv.se_image("dump", hkd, "console=ttysclp0", initrd,
                         ["--enable-dump", "--comm-key", cck])
    nodump, _ = pv.se_image("nodump", hkd, "console=ttysclp0", initrd,
                            ["--comm-key", cck])
    req = os.path.join(OUT, "nodump.asrcb")
    run([SESEC, "create", "-k", hkd, "--hdr", img, "-o", req,
         "--flags", "disable-dump", "meta"])
    disk = uvio.exchange_disk(os.path.join(OUT, "exchange.raw"), [req],
                              SLOT, 1)

    def steps(g, q):
        r = {}
        r["kdump"] = dump(q, "dump.kdump", "kdump-zlib")[1]
        r["part"] = q.cmd("dump-guest-memory", paging=False,
                          protocol="file:" + os.path.join(OUT, "part.elf"),
                          begin=1 << 20, length=1 << 20)
        r["part"] = r["part"].get("error", {}).get("desc")
        t0 = time.time()
        r["elf"], err = dump(q, "dump.elf")
        r["elf_s"] = time.time() - t0
        if err:
            raise AssertionError("dump-guest-memory: " + err)
        r["detached"], err = dump(q, "detached.elf", detach=True)
        if err:
            raise AssertionError("detached dump: " + err)
        m = g.wait_for(r"DUMP: nodump-secret status=(\d+)", 120)
        if m.group(1) != "0":
            g.fail("the disable-dump secret was not added")
        r["after_secret"] = dump(q, "after.elf")[1]
        return r

    res = boot("se-pv-dump", img, key, disk, steps)
    res["nodump"] = boot("se-pv-nodump", nodump, key, disk,
                         lambda g, q: dump(q, "nodump.elf")[1])
    res.update(secret=secret, cck=cck, other=other)
    return res


STATE = {}


def state():
    if "s" not in STATE:
        STATE["s"] = setup()
    return STATE["s"]


# ---- an independent reader of the ELF file (not our C code) ----

def elf(data):
    """(PT_LOADs [(offset, paddr, size)], notes [(type, desc)],
    sections {name: bytes})"""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 2:
        raise AssertionError("not an ELF64 big-endian file")
    phoff, shoff = struct.unpack_from(">QQ", data, 32)
    phnum, shnum, shstrndx = struct.unpack_from(">H2xHH", data, 56)
    loads, notes = [], []
    for i in range(phnum):
        typ, _, off, _, paddr, filesz = struct.unpack_from(
            ">IIQQQQ", data, phoff + 56 * i)
        if typ == 1:
            loads.append((off, paddr, filesz))
        elif typ == 4:
            p = off
            while p < off + filesz:
                nsz, dsz, ntype = struct.unpack_from(">III", data, p)
                p += 12 + (nsz + 3 & ~3)
                notes.append((ntype, data[p:p + dsz]))
                p += dsz + 3 & ~3
    secs = {}
    if shnum:
        so, ss = struct.unpack_from(">QQ", data, shoff + 64 * shstrndx + 24)
        names = data[so:so + ss]
        for i in range(shnum):
            b = shoff + 64 * i
            n = struct.unpack_from(">I", data, b)[0]
            o, s = struct.unpack_from(">QQ", data, b + 24)
            secs[names[n:names.index(b"\0", n)].decode()] = data[o:o + s]
    return loads, notes, secs


def independent_decrypt(data, cck):
    """The plaintext memory and the CPUs' (psw mask, addr, prefix)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    from cryptography.hazmat.primitives.ciphers import modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    loads, notes, secs = elf(data)
    compl = secs["pv_compl"]
    version, length = struct.unpack_from(">II", compl)
    if (version, length) != (1, 288):
        raise AssertionError("completion data v%d len %d" % (version, length))
    seed, iv = compl[16:80], compl[80:92]
    key = HKDF(hashes.SHA512(), 32, seed, b"IBM Z Ultravisor Dump").derive(
        cck)
    area = AESGCM(key).decrypt(iv, compl[96:288], compl[:96])
    nonce, xts_key = area[:16], area[16:80]
    cpus = []
    for ntype, desc in notes:
        if ntype != 0x30e:
            continue
        a = AESGCM(key).decrypt(desc[8:20], desc[32:1568], desc[:32])
        mask, addr = struct.unpack_from(">QQ", a, 128)
        cpus.append((mask, addr, struct.unpack_from(">I", a, 152)[0]))
    if len(loads) != 1:
        raise AssertionError("%d PT_LOAD segments" % len(loads))
    off, paddr, size = loads[0]
    meta = secs["pv_mem_meta"]
    mem = bytearray()
    for i in range(size // 4096):
        comp = meta[(paddr // 4096 + i) * 16:][:16]
        page = data[off + i * 4096:off + (i + 1) * 4096]
        if comp[:4] == b"\xff\xff\xff\xff":
            # special: byte 15 is zero (0x01), shared (0x02), mapped (0x04)
            if comp[14] or comp[15] & ~7 or comp[15] & 3 not in (1, 2):
                raise AssertionError("invalid tweak component %s"
                                     % comp.hex())
            mem += bytes(4096) if comp[15] & 1 else page
            continue
        tweak = bytes(a | b for a, b in zip(comp, nonce))
        d = Cipher(algorithms.AES(xts_key), modes.XTS(tweak)).decryptor()
        mem += d.update(page) + d.finalize()
    return bytes(mem), cpus


# ---- tests ----

def t_encrypted():
    s = state()
    with open(s["elf"], "rb") as f:
        data = f.read()
    log("dump: %d MiB in %.1f s" % (len(data) >> 20, s["elf_s"]))
    n = data.count(s["secret"])
    if n:
        raise AssertionError("%d plaintext occurrences of the secret in the "
                             "protected dump" % n)
    _, notes, secs = elf(data)
    for name in ("pv_compl", "pv_mem_meta"):
        if name not in secs:
            raise AssertionError("no section " + name)
    pvn = [d for t, d in notes if t == 0x30e]
    if len(pvn) != CPUS or any(len(d) != 1568 for d in pvn):
        raise AssertionError("PV CPU notes: %r" % [len(d) for d in pvn])
    # every register note QEMU writes (NT_PRSTATUS ... NT_S390_GS_CB)
    regs = [(t, d) for t, d in notes
            if t in (1, 2, 0x301, 0x302, 0x303, 0x304, 0x305, 0x309, 0x30a,
                     0x30b)]
    if len(regs) != 10 * CPUS:
        raise AssertionError("%d register notes" % len(regs))
    if any(any(d) for _, d in regs):
        raise AssertionError("a register note of a protected CPU is not "
                             "zero")


def t_decrypt():
    s = state()
    plain = os.path.join(OUT, "plain.elf")
    run([SEDUMP, "decrypt", "-k", s["cck"], "-i", s["elf"], "-o", plain])
    with open(plain, "rb") as f:
        data = f.read()
    n = data.count(s["secret"])
    log("decrypted: %d occurrence(s) of the secret" % n)
    if not n:
        raise AssertionError("the secret is not in the decrypted dump")
    info = run([SEDUMP, "info", "-k", s["cck"], "-i", s["elf"]]).stdout
    log(info.strip())
    if "cpus: %d" % CPUS not in info:
        raise AssertionError("se-dump info: " + info)
    m = re.search(r"cpu 0: psw ([0-9a-f]{16}) ([0-9a-f]{16}) prefix "
                  r"(0x[0-9a-f]{8})", info)
    pages = re.search(r"pages: (\d+) encrypted, (\d+) shared, (\d+) zero",
                      info)
    if not m or not pages:
        raise AssertionError("se-dump info: " + info)
    if int(m.group(2), 16) == 0 or int(m.group(3), 16) == 0:
        raise AssertionError("CPU 0 has no PSW address or prefix")
    enc, shared, _ = (int(x) for x in pages.groups())
    if not enc or not shared or enc + shared != MEM_MIB * 256:
        raise AssertionError("pages: " + pages.group(0))
    # the plain dump's register notes now hold the PSW of se-dump info
    _, notes, secs = elf(data)
    pr = [d for t, d in notes if t == 1][0]
    if pr[112:128].hex() != m.group(1) + m.group(2) or secs:
        raise AssertionError("the plain dump's NT_PRSTATUS or sections")
    os.unlink(plain)


def t_independent():
    s = state()
    if importlib.util.find_spec("cryptography") is None:
        raise SkipTest("no Python cryptography package")
    with open(s["detached"], "rb") as f:
        data = f.read()
    if s["secret"] in data:
        raise AssertionError("the secret in the detached dump")
    with open(s["cck"], "rb") as f:
        cck = f.read()
    mem, cpus = independent_decrypt(data, cck)
    log("independent reader: %d MiB, %d occurrence(s) of the secret, "
        "cpus %s" % (len(mem) >> 20, mem.count(s["secret"]),
                     ["%016x %016x prefix %#x" % c for c in cpus]))
    if not mem.count(s["secret"]) or len(cpus) != CPUS:
        raise AssertionError("the independent reader did not find the "
                             "secret and %d CPUs" % CPUS)
    if len({c[2] for c in cpus}) != CPUS:
        raise AssertionError("the CPUs' prefixes are not distinct")


def t_refused_input():
    s = state()
    plain = os.path.join(OUT, "bad.elf")
    r = run([SEDUMP, "info", "-k", s["other"], "-i", s["elf"]], ok=False)
    if r.returncode == 0 or "does not authenticate" not in r.stderr:
        raise AssertionError("another key: %r" % r.stderr)
    with open(s["elf"], "rb") as f:
        data = bytearray(f.read())
    _, _, secs = elf(bytes(data))
    for what, at in (("completion", data.find(secs["pv_compl"]) + 100),
                     ("CPU note", data.find(
                         [d for t, d in elf(bytes(data))[1]
                          if t == 0x30e][0]) + 200)):
        bad = bytearray(data)
        bad[at] ^= 1
        with open(plain, "wb") as f:
            f.write(bad)
        r = run([SEDUMP, "info", "-k", s["cck"], "-i", plain], ok=False)
        log("altered %s: %s" % (what, r.stderr.strip()))
        if r.returncode == 0 or "authenticate" not in r.stderr:
            raise AssertionError("altered %s accepted" % what)
    os.unlink(plain)


def t_refused_dumps():
    s = state()
    want = [("kdump", "can only be dumped in ELF format"),
            ("part", "can only be dumped whole"),
            ("after_secret", "an added secret disabled dumping"),
            ("nodump", "its SE header does not allow a dump")]
    for k, text in want:
        log("%s: %s" % (k, s[k]))
        if not s[k] or text not in s[k]:
            raise AssertionError("%s: %r, expected %r" % (k, s[k], text))


TESTS = [
    ("the ELF dump of a protected guest holds no plaintext", t_encrypted),
    ("se-dump decrypts it with the CCK: the secret, the CPU, the pages",
     t_decrypt),
    ("an independent reader decrypts a detached dump", t_independent),
    ("another key, altered completion data or CPU note: refused",
     t_refused_input),
    ("refused: kdump format, a disable-dump secret, an image without "
     "--enable-dump", t_refused_dumps),
]


def main():
    log(uvio.describe_qemu())
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
