#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end test: an IBM Z Secure Execution image, wrapped in an El
Torito ISO 9660 medium by scripts/mk-se-iso.sh, boots as a protected guest
through the STOCK s390-ccw BIOS (Debian's qemu-system-data build, given
with -bios) from a boot device, not with -kernel.  Prints TAP; exits
non-zero if a test fails.

 1. The medium is what the BIOS needs, checked by parsing the ISO here
    (not with xorriso): boot record "EL TORITO SPECIFICATION", boot
    catalog with a valid validation entry (platform 0, 55 AA, checksum)
    and a bootable (0x88) default entry with load segment 0 whose image
    is the SE image with the Linux IPL record at bytes 8..31 and nothing
    else changed; the input image is left unchanged; building it again
    from a copy with another mtime gives the same bytes.
 2. It boots from a CD-ROM (scsi-cd on virtio-scsi-ccw) to the busybox
    /init with prot_virt_guest=1 and the cmdline token; the BIOS's own
    messages on the console show that it, not -kernel, loaded the image.
 3. The same from a virtio-blk-ccw disk.
 4. scripts/mk-se-disk.py writes zipl's SCSI scheme (master boot record,
    program table, component header with LOAD and EXEC, block-pointer
    lists), checked by following it here as the BIOS does, for 512- and
    4096-byte blocks: the loaded bytes are the image, at 0, and the EXEC
    PSW is the image's; reproducible.
 5. The zipl disk boots protected from virtio-blk-ccw ("Using SCSI
    scheme." from the BIOS), 6. also with 4096-byte logical blocks.
 7. Control: the same disk without the zIPL master boot record is not
    booted.
 8. Control: an ISO of the unmodified image (no IPL record at 8..31)
    is refused by the BIOS ("No suitable boot entry"), so the IPL record
    that mk-se-iso.sh adds is what makes test 2 work.

  tests/se-boot/test_pv_bios_boot.py [-v]
"""

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_pv_boot as pv
import tap  # noqa: E402
from test_pv_boot import guest  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "bios")
MKISO = os.path.join(guest.TOP, "scripts", "mk-se-iso.sh")
SECTOR = 2048
# Linux s390 image IPL record the s390-ccw BIOS looks for at offset 8 of an
# El Torito boot image: two read CCWs and eight EBCDIC blanks.
IPL_REC = bytes.fromhex("0200001860000050" "0200006860000050") + b"\x40" * 8

DEVICES = {
    "scsi-cd": ["-device", "virtio-scsi-ccw,id=scsi0",
                "-drive", "if=none,id=cd0,media=cdrom,format=raw,"
                "readonly=on,file=%s",
                "-device", "scsi-cd,drive=cd0,bootindex=1"],
    "virtio-blk": ["-drive", "if=none,id=cd0,media=cdrom,format=raw,"
                   "readonly=on,file=%s",
                   "-device", "virtio-blk-ccw,drive=cd0,bootindex=1"],
}
# what the BIOS prints on its way through the El Torito path
BIOS_MSGS = {
    "scsi-cd": [r"Using virtio-scsi\.", r"SCSI CD-ROM detected\.",
                r"ISO boot image size verified"],
    "virtio-blk": [r"Using virtio-blk\.", r"ISO boot image size verified"],
}

_state = {}


def stock_bios():
    return guest.fixture("firmware", "s390-ccw.img")


def mk_iso(img, iso):
    subprocess.run([MKISO, img, iso], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
    return iso


def prepared():
    """(key, token, SE image, ISO), built once."""
    if not _state:
        if not shutil.which("xorriso"):
            raise pv.SkipTest("no xorriso (scripts/deps.sh)")
        os.makedirs(pv.OUT, exist_ok=True)
        os.makedirs(OUT, exist_ok=True)
        key, hkd = pv.host_key("host")
        token = guest.new_token()
        img, _ = pv.se_image("bios", hkd, "console=ttysclp0 panic=-1 "
                             "qemu_ibm_cc.token=%s" % token,
                             guest.initramfs("s390x"))
        iso = mk_iso(img, os.path.join(OUT, "se.iso"))
        _state.update(key=key, token=token, img=img, iso=iso)
    return _state["key"], _state["token"], _state["img"], _state["iso"]


def parse_el_torito(iso):
    """Check the ISO's El Torito structures the way the s390-ccw BIOS reads
    them; return (load segment, load RBA, sector count, file size)."""
    def sec(n):
        return iso[n * SECTOR:(n + 1) * SECTOR]

    pvd = sec(16)
    if pvd[0] != 1 or pvd[1:6] != b"CD001":
        raise AssertionError("no primary volume descriptor at sector 16")
    if iso[0x8001:0x8006] != b"CD001":
        raise AssertionError("no CD001 at 0x8001")
    cat = None
    n = 16
    while sec(n)[1:6] == b"CD001" and sec(n)[0] != 255:
        vd = sec(n)
        if vd[0] == 0 and vd[7:39] == b"EL TORITO SPECIFICATION".ljust(32,
                                                                     b"\0"):
            cat = struct.unpack_from("<I", vd, 0x47)[0]
        n += 1
    if cat is None:
        raise AssertionError("no El Torito boot record")
    c = sec(cat)
    if c[0] != 1 or c[1] not in (0, 1, 2) or c[0x1e:0x20] != b"\x55\xaa":
        raise AssertionError("bad validation entry %s" % c[:32].hex())
    if sum(struct.unpack_from("<16H", c, 0)) & 0xffff:
        raise AssertionError("validation entry checksum")
    e = c[32:64]
    if e[0] != 0x88:
        raise AssertionError("default entry not bootable: %#x" % e[0])
    seg, _, _, count, rba = struct.unpack_from("<HBBHI", e, 2)
    # the file size from the root directory record whose extent is rba
    root = pvd[156:156 + 34]
    dloc, dlen = (struct.unpack_from("<I", root, 2)[0],
                  struct.unpack_from("<I", root, 10)[0])
    d = iso[dloc * SECTOR:dloc * SECTOR + dlen]
    size = None
    off = 0
    while off < len(d):
        rl = d[off]
        if rl == 0:
            off = (off // SECTOR + 1) * SECTOR
            continue
        if struct.unpack_from("<I", d, off + 2)[0] == rba:
            size = struct.unpack_from("<I", d, off + 10)[0]
        off += rl
    if size is None:
        raise AssertionError("boot image is not a file in the root directory")
    return seg, rba, count, size


def t_medium():
    key, token, img, iso = prepared()
    with open(img, "rb") as f:
        orig = f.read()
    with open(iso, "rb") as f:
        data = f.read()
    if orig[8:32] != bytes(24):
        raise AssertionError("mk-se-image output changed: bytes 8..31 are "
                             "not zero")
    seg, rba, count, size = parse_el_torito(data)
    pv.log("load segment %#x, RBA %d, %d sectors, file %d bytes"
           % (seg, rba, count, size))
    if seg != 0:
        raise AssertionError("load segment %#x, the SE image needs 0" % seg)
    if size != len(orig):
        raise AssertionError("boot file %d bytes, image %d" % (size,
                                                               len(orig)))
    if count == 0 or count % 4:
        raise AssertionError("sector count %d" % count)
    boot = data[rba * SECTOR:rba * SECTOR + size]
    if boot[8:32] != IPL_REC:
        raise AssertionError("no IPL record at 8..31: %s" % boot[8:32].hex())
    if boot[:8] != orig[:8] or boot[32:] != orig[32:]:
        raise AssertionError("boot image differs from the SE image beyond "
                             "bytes 8..31")
    # reproducible: another path, another mtime, same bytes
    copy = os.path.join(OUT, "copy.img")
    shutil.copyfile(img, copy)
    t = time.time() - 86400 * 3
    os.utime(copy, (t, t))
    iso2 = mk_iso(copy, os.path.join(OUT, "se-again.iso"))
    with open(iso2, "rb") as f:
        again = f.read()
    if again != data:
        raise AssertionError("second build differs: sha256 %s vs %s" %
                             (hashlib.sha256(again).hexdigest(),
                              hashlib.sha256(data).hexdigest()))
    pv.log("ISO sha256 %s (%d bytes), twice" %
           (hashlib.sha256(data).hexdigest(), len(data)))


def bios_argv(key, dev, iso):
    return ([pv.QEMU] + pv.pv_args(key) +
            ["-bios", stock_bios(), "-m", "1G", "-nographic",
             "-no-reboot"] + [a % iso if "%s" in a else a
                              for a in DEVICES[dev]])


def boot_protected(name, argv, token, fail=()):
    """Boot @argv to the marker /init, protected, echoing @token; (console
    text, seconds to init)."""
    g = guest.Guest(name, argv).start()
    try:
        m = g.wait_for(re.escape(guest.MARKER) + r" token=(\S+) arch=(\S+)",
                       300, guest.FAIL_PATTERNS + tuple(fail))
        got = m.group(1)
        m = g.wait_for(re.escape(guest.MARKER) +
                       r" prot_virt_guest=(\d)\r?\n", 60)
        prot = m.group(1)
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n", 60)
        if g.wait_exit(60) is None:
            g.fail("guest did not power off")
        secs = g.elapsed()
        text = g.text()
    finally:
        g.stop()
        g.save_console()
    if got != token:
        raise AssertionError("token %s, expected %s" % (got, token))
    if prot != "1":
        raise AssertionError("prot_virt_guest=%s" % prot)
    return text, secs


def boot_bios(dev):
    key, token, img, iso = prepared()
    text, secs = boot_protected(
        "se-pv-bios-" + dev, bios_argv(key, dev, iso), token,
        (r"No suitable boot entry[^\n]*", r"Failed to IPL[^\n]*",
         r"zIPL load failed[^\n]*"))
    head = text.split(guest.MARKER, 1)[0]
    for msg in BIOS_MSGS[dev]:
        if not re.search(msg, head):
            raise AssertionError("BIOS message '%s' missing: not booted "
                                 "through the El Torito path?" % msg)
    pv.log("%s: protected guest at init after %.1f s" % (dev, secs))


def t_boot_scsi_cd():
    boot_bios("scsi-cd")


def t_boot_virtio_blk():
    boot_bios("virtio-blk")


def t_no_ipl_record():
    key, token, img, iso = prepared()
    raw = os.path.join(OUT, "raw.iso")
    if os.path.exists(raw):
        os.unlink(raw)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-r", "-o", raw,
                    "-b", "se.img", "-c", "boot.cat", "-no-emul-boot",
                    "-boot-load-size", "4", "-graft-points",
                    "/se.img=" + img], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
    g = guest.Guest("se-pv-bios-no-iplrec",
                    bios_argv(key, "scsi-cd", raw)).start()
    try:
        g.wait_for(r"No suitable boot entry found", 60,
                   (re.escape(guest.MARKER) + r"[^\n]*",))
    finally:
        g.stop()
        g.save_console()



# ---- zipl's SCSI scheme (scripts/mk-se-disk.py) ----------------------------

MKDISK = os.path.join(guest.TOP, "scripts", "mk-se-disk.py")


def mk_disk(img, out, bsize):
    subprocess.run(["/usr/bin/python3", MKDISK, img, out, "--block-size",
                    str(bsize)], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
    return out


def read_zipl_disk(disk, bsize):
    """Follow the disk the way the s390-ccw BIOS's ipl_scsi/zipl_run do;
    return (load address, EXEC PSW, the loaded bytes)."""
    def blk(n):
        return disk[n * bsize:(n + 1) * bsize]

    def ptr(b, off):
        return struct.unpack_from(">QHH", b, off)

    mbr = blk(0)
    if mbr[:4] != b"zIPL" or struct.unpack_from(">I", mbr, 4)[0] != 1:
        raise AssertionError("no zIPL master boot record version 1")
    pt_blk, pt_size, _ = ptr(mbr, 16)
    pt = blk(pt_blk)
    if pt_size != bsize or pt[:4] != b"zIPL":
        raise AssertionError("program table pointer or magic")
    hdr_blk = ptr(pt, 16)[0]
    if not hdr_blk or any(ptr(pt, 16 + 16 * i)[0] for i in range(1, 31)):
        raise AssertionError("program table: entry 0 only expected")
    hdr = blk(hdr_blk)
    if hdr[:4] != b"zIPL" or hdr[4] != 0:
        raise AssertionError("component header magic/type")
    load = exec_psw = None
    loaded = bytearray()
    off = 32
    while hdr[off + 23] in (2, 3):          # LOAD, SIGNATURE
        if hdr[off + 23] == 2:
            lst = ptr(hdr, off)[0]
            load = struct.unpack_from(">Q", hdr, off + 24)[0]
            n = bsize // 16
            while lst:
                b = blk(lst)
                nxt = 0
                for i in range(n):
                    blockno, size, count = ptr(b, 16 * i)
                    if not blockno:
                        break
                    if i == n - 1:
                        nxt = blockno       # the list's continuation
                        break
                    if size != bsize:
                        raise AssertionError("block pointer size %d" % size)
                    loaded += disk[blockno * bsize:
                                   (blockno + count + 1) * bsize]
                lst = nxt
        off += 32
    if hdr[off + 23] != 1:
        raise AssertionError("no EXEC entry after the LOAD entries")
    exec_psw = struct.unpack_from(">Q", hdr, off + 24)[0]
    return load, exec_psw, bytes(loaded)


def t_zipl_disk():
    key, token, img, iso = prepared()
    with open(img, "rb") as f:
        image = f.read()
    for bsize in (512, 4096):
        out = mk_disk(img, os.path.join(OUT, "se-%d.raw" % bsize), bsize)
        with open(out, "rb") as f:
            disk = f.read()
        load, psw, loaded = read_zipl_disk(disk, bsize)
        if load != 0 or psw != struct.unpack_from(">Q", image, 0)[0]:
            raise AssertionError("LOAD at %#x, EXEC PSW %#x" % (load, psw))
        if loaded[:len(image)] != image or any(loaded[len(image):]):
            raise AssertionError("the blocks loaded are not the image")
        again = mk_disk(img, os.path.join(OUT, "se-again.raw"), bsize)
        with open(again, "rb") as f:
            if f.read() != disk:
                raise AssertionError("not reproducible")
        pv.log("%d-byte blocks: %d blocks, image of %d bytes at 0, PSW "
               "%#018x" % (bsize, len(disk) // bsize, len(image), psw))


def boot_disk(bsize, disk=None, expect_boot=True):
    key, token, img, iso = prepared()
    disk = disk or mk_disk(img, os.path.join(OUT, "se-%d.raw" % bsize),
                           bsize)
    argv = ([pv.QEMU] + pv.pv_args(key) +
            ["-bios", stock_bios(), "-m", "1G", "-nographic", "-no-reboot",
             "-drive", "if=none,id=d0,format=raw,file=" + disk,
             "-device", "virtio-blk-ccw,drive=d0,bootindex=1,"
             "logical_block_size=%d,physical_block_size=%d" % (bsize,
                                                               bsize)])
    name = "se-pv-zipl-%d" % bsize
    if not expect_boot:
        g = guest.Guest(name, argv).start()
        try:
            g.wait_for(r"(zIPL load failed|Failed to IPL)[^\n]*", 60,
                       (re.escape(guest.MARKER) + r"[^\n]*",))
        finally:
            g.stop()
            g.save_console()
        return
    text, secs = boot_protected(name, argv, token,
                                (r"Failed to IPL[^\n]*",
                                 r"zIPL load failed[^\n]*",
                                 r"No EXEC entry[^\n]*"))
    if not re.search(r"Using SCSI scheme\.", text.split(guest.MARKER)[0]):
        raise AssertionError("the BIOS did not take zipl's SCSI scheme")
    pv.log("%d-byte blocks: protected guest at init after %.1f s"
           % (bsize, secs))


def t_zipl_boot():
    boot_disk(512)


def t_zipl_boot_4k():
    boot_disk(4096)


def t_zipl_no_mbr():
    key, token, img, iso = prepared()
    src = mk_disk(img, os.path.join(OUT, "se-512.raw"), 512)
    bad = os.path.join(OUT, "se-no-mbr.raw")
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data[0:4] = b"\0\0\0\0"
    with open(bad, "wb") as f:
        f.write(data)
    boot_disk(512, bad, expect_boot=False)

TESTS = [
    ("mk-se-iso.sh: El Torito medium as the BIOS needs it, reproducible",
     t_medium),
    ("SE image on a scsi-cd boots protected through the stock BIOS",
     t_boot_scsi_cd),
    ("SE image on virtio-blk-ccw boots protected through the stock BIOS",
     t_boot_virtio_blk),
    ("mk-se-disk.py: zipl's SCSI scheme as the BIOS reads it, 512 and 4096 "
     "byte blocks, reproducible", t_zipl_disk),
    ("SE image on a zipl disk (virtio-blk-ccw) boots protected through the "
     "stock BIOS", t_zipl_boot),
    ("the same with 4096-byte blocks", t_zipl_boot_4k),
    ("control: without the zIPL master boot record the BIOS does not boot "
     "the disk", t_zipl_no_mbr),
    ("control: without the IPL record the BIOS refuses the ISO",
     t_no_ipl_record),
]


def main():
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
