#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A freestanding program as a protected guest: the ultravisor calls it
may make, and device DMA through the secure-storage filter whatever the
virtio device's iommu_platform says.

pv-probe (tests/se-boot/pv-probe), a freestanding program in an SE
image, runs as a protected guest.  It issues QUI and every other UVC
command code; then it drives a virtio-blk-ccw device itself: it shares
the pages of its virtqueue and reads and writes sectors from a page it
shared and from a secure page.  Linux would refuse a device without
VIRTIO_F_ACCESS_PLATFORM in a protected guest; this program does not, as
a guest of one's own need not.  QEMU is the ASan/UBSan build when there
is one.

 0. QUI indicates exactly the guest's calls (QUI, set/remove shared
    access, attestation, the four secret calls: 80c0000f40000000 0 0 0),
    and every other command code, host-only ones included, is refused
    with cc 1, rc 0x0002 (invalid command).
 1. iommu_platform=on: a read into a shared page returns the disk's data
    and a write from a shared page reaches the disk (the positive
    controls: the device works); a read into a secure page leaves it as
    it was (QEMU drops the refused write) and a write from the secure page
    does not put its bytes on the disk; QEMU traces the refused accesses.
 2. The same with iommu_platform=off (before the fix, the device wrote
    the disk's data into the secure page and read it).

  tests/se-boot/test_pv_probe.py [-v]
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
import test_plain_stage3b as plain  # noqa: E402
import test_pv_badinput as bad  # noqa: E402
import test_pv_boot as pv  # noqa: E402
import uvio_guest as uvio  # noqa: E402
from tap import SkipTest, log  # noqa: E402
import tap  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "probe")
pv.OUT = os.path.join(OUT, "pv")
PROBE_SRC = os.path.join(HERE, "pv-probe")
plain.QEMU = uvio.QEMU


def consts():
    return bad.header_consts(os.path.join(PROBE_SRC, "pv-probe.h"), "DMA_")


STATE = {}


def setup():
    if "s" in STATE:
        return STATE["s"]
    os.makedirs(pv.OUT, exist_ok=True)
    r = subprocess.run(["make", "-s", "-C", PROBE_SRC, "O=" + OUT],
                       capture_output=True, text=True)
    if r.returncode:
        if "No such file" in r.stderr or "not found" in r.stderr:
            raise SkipTest("no s390x cross compiler: " + r.stderr.strip())
        raise AssertionError("make pv-probe: " + r.stderr)
    with open(os.path.join(OUT, "pv-probe.bin"), "rb") as f:
        probe = f.read()
    # an s390x Linux image's shape: its code from 0x10000 on
    kernel = os.path.join(OUT, "pv-probe.img-in")
    with open(kernel, "wb") as f:
        f.write(bytes(0x10000) + probe)
    key, hkd = pv.host_key("host")
    img = os.path.join(OUT, "pv-probe.se")
    subprocess.run([pv.MKSE, "--no-verify", "-k", hkd, "-i", kernel, "-o",
                    img], check=True, stdout=subprocess.DEVNULL)
    disk = os.path.join(OUT, "disk.raw")
    data = os.urandom(4096)
    with open(disk, "wb") as f:
        f.write(data + bytes((1 << 20) - len(data)))
    STATE["s"] = dict(img=img, key=key, disk=disk, data=data, c=consts())
    return STATE["s"]


def run_probe(iommu):
    s = setup()
    c = s["c"]
    with open(s["disk"], "wb") as f:
        f.write(s["data"] + bytes((1 << 20) - len(s["data"])))
    trace = os.path.join(OUT, "trace-%s.log" % iommu)
    if os.path.exists(trace):
        os.unlink(trace)
    extra = pv.pv_args(s["key"]) + [
        "-drive", "if=none,id=d0,format=raw,file=" + s["disk"],
        "-device", "virtio-blk-ccw,drive=d0,iommu_platform=" + iommu,
        "-trace", "s390_pv_dma_denied", "-D", trace]
    q, _, _ = plain.run_to_wait(s["img"], extra=extra, timeout=120)
    try:
        res = q.xp64(c["DMA_RES_ADDR"], c["DMA_RES_WORDS"])
    finally:
        bad.finish(q, "pv-probe iommu_platform=" + iommu)
    with open(trace) as f:
        denied = len(re.findall(r"s390_pv_dma_denied", f.read()))
    return res, denied


def check(iommu):
    s = setup()
    c = s["c"]
    res, denied = run_probe(iommu)
    want_disk = s["data"][:16]
    fill = bytes([c["DMA_FILL"]]) * 16

    def buf(i):
        return res[i].to_bytes(8, "big") + res[i + 1].to_bytes(8, "big")
    log("iommu_platform=%s: error %#x; shared read: used %d status %#x "
        "data %s; secure read: used %d status %#x data %s; device status "
        "%#x; %d refusals traced" % (iommu, res[1], res[2], res[3],
                                     buf(4).hex(), res[6], res[7],
                                     buf(8).hex(), res[10], denied))
    if res[0] != c["DMA_MAGIC"]:
        raise AssertionError("no probe results (magic %#x)" % res[0])
    if res[1]:
        raise AssertionError("the probe failed: %#x" % res[1])
    if res[2] != 1 or res[3] != 0 or buf(4) != want_disk:
        raise AssertionError("the read into a shared page did not work: "
                             "the test cannot tell anything")
    if buf(8) == want_disk:
        raise AssertionError("the device wrote the disk's data into a "
                             "secure page")
    # QEMU drops a write the filter refuses (the request itself may end
    # with status 0): the page must be as the probe left it
    if buf(8) != fill or not denied:
        raise AssertionError("the secure page changed or no refusal was "
                             "traced")
    with open(s["disk"], "rb") as f:
        disk = f.read()

    def sector(n):
        return disk[512 * n:512 * (n + 1)]
    log("writes: from a shared page used/status %#x, sector %d now %s...; "
        "from the secure page %#x, sector %d now %s..." % (
            res[11], c["DMA_SECTOR_SHARED"],
            sector(c["DMA_SECTOR_SHARED"])[:8].hex(), res[12],
            c["DMA_SECTOR_SECURE"], sector(c["DMA_SECTOR_SECURE"])[:8].hex()))
    if sector(c["DMA_SECTOR_SHARED"]) != \
            bytes([c["DMA_PATTERN_SHARED"]]) * 512:
        raise AssertionError("the write from a shared page did not reach "
                             "the disk: the test cannot tell anything")
    if bytes([c["DMA_PATTERN_SECURE"]]) * 16 in sector(
            c["DMA_SECTOR_SECURE"]):
        raise AssertionError("the device read the secure page: its bytes "
                             "are on the disk")


def t_uvc():
    res, _ = run_probe("on")
    log("QUI cc/rc %#x, installed calls %s; %d other codes not refused "
        "(first %#x)" % (res[13], " ".join("%x" % w for w in res[14:18]),
                         res[18], res[19]))
    if res[0] != setup()["c"]["DMA_MAGIC"]:
        raise AssertionError("no probe results")
    if res[13] != 0x0001 or res[14:18] != [0x80c0000f40000000, 0, 0, 0]:
        raise AssertionError("QUI from the protected guest")
    if res[18]:
        raise AssertionError("%d command codes not refused with rc 0x0002"
                             % res[18])


def t_iommu_on():
    check("on")


def t_iommu_off():
    check("off")


TESTS = [
    ("a protected guest's QUI and every other UVC command code", t_uvc),
    ("virtio-blk-ccw iommu_platform=on: DMA into a secure page refused",
     t_iommu_on),
    ("virtio-blk-ccw iommu_platform=off: refused as well", t_iommu_off),
]


def main():
    log(uvio.describe_qemu())
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
