#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an IBM Z Secure Execution image (build/tools/mk-se-image) to a
disk the way zipl does, so that the stock QEMU s390-ccw BIOS boots it from
a virtio-blk-ccw (or SCSI) disk with the "SCSI scheme" real installations
use -- beside scripts/mk-se-iso.sh's El Torito path:

    scripts/mk-se-disk.py IMAGE OUT.raw [--block-size 512|4096]

What the BIOS (pc-bios/s390-ccw/bootmap.c, ipl_scsi/zipl_run) reads, and
therefore what this writes, all fields big-endian, in blocks of the
disk's logical block size B (virtio-blk's logical_block_size, 512 unless
set otherwise; the BIOS refuses block pointers of another size):

  block 0   master boot record: "zIPL", version 1 (u32), 8 reserved bytes,
            a block pointer to the program table
  block 1   program table: "zIPL", 12 reserved bytes, one block pointer
            per boot entry (loadparm); entry 0 points to the component
            header, the others are zero
  block 2   component header: "zIPL", type 0 (IPL), 27 reserved bytes, then
            32-byte component entries {block pointer, 7 pad bytes, type,
            u64}: LOAD (type 2) of the block-pointer list with load address
            0, EXEC (type 1) with the image's short PSW at offset 0
  block 3.. the block-pointer lists: B/16 - 1 data pointers per block,
            the last slot a pointer to the next list block (0 at the end)
  then      the image, from its first byte, zero-padded to a block

A block pointer is {u64 block, u16 block size, u16 blocks - 1, 4 reserved
bytes}.  The BIOS loads the image at 0, sets the reset PSW to the EXEC
entry's PSW and does a diag 0x308 load-normal reset: stage3a (at 0x11000
in our images) then starts the protected guest as from -kernel.  The image
is not changed.  Reproducible: the output depends on the image alone.
"""

import argparse
import struct
import sys

MAGIC = b"zIPL"
COMP_IPL = 0x00
ENTRY_EXEC = 0x01
ENTRY_LOAD = 0x02
CHUNK = 65536           # bytes one data pointer loads at most


def blockptr(block, bsize, count):
    """A SCSI block pointer to @count blocks from @block."""
    if count:
        return struct.pack(">QHH4x", block, bsize, count - 1)
    return bytes(16)


def entry(ptr, etype, value):
    return ptr + bytes(7) + bytes([etype]) + struct.pack(">Q", value)


def build(image, bsize):
    if bsize not in (512, 1024, 2048, 4096):
        raise ValueError("block size %d: 512, 1024, 2048 or 4096" % bsize)
    if len(image) < 0x12000:
        raise ValueError("%d bytes: too small for an SE image" % len(image))
    psw = struct.unpack_from(">Q", image, 0)[0]
    if not psw & 0x80000000:
        raise ValueError("no 31-bit short IPL PSW at offset 0: not an SE "
                         "image of mk-se-image or genprotimg")
    nblocks = -(-len(image) // bsize)
    per = CHUNK // bsize
    ptrs_per_list = bsize // 16 - 1
    chunks = [(i, min(per, nblocks - i)) for i in range(0, nblocks, per)]
    nlists = max(1, -(-len(chunks) // ptrs_per_list))
    first_list = 3
    data = first_list + nlists

    out = bytearray()
    mbr = MAGIC + struct.pack(">I", 1) + bytes(8) + blockptr(1, bsize, 1)
    out += mbr.ljust(bsize, b"\0")
    out += (MAGIC + bytes(12) + blockptr(2, bsize, 1)).ljust(bsize, b"\0")
    hdr = MAGIC + bytes([COMP_IPL]) + bytes(27)
    hdr += entry(blockptr(first_list, bsize, 1), ENTRY_LOAD, 0)
    hdr += entry(bytes(16), ENTRY_EXEC, psw)
    out += hdr.ljust(bsize, b"\0")
    for n in range(nlists):
        lst = bytearray()
        for first, count in chunks[n * ptrs_per_list:
                                   (n + 1) * ptrs_per_list]:
            lst += blockptr(data + first, bsize, count)
        # the last slot: the next list block, or the end (block 0)
        lst = lst.ljust(ptrs_per_list * 16, b"\0")
        if n + 1 < nlists:
            lst += struct.pack(">QHH4x", first_list + n + 1, bsize, 0)
        out += bytes(lst).ljust(bsize, b"\0")
    assert len(out) == data * bsize
    out += image + bytes(nblocks * bsize - len(image))
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(
        description="Write an IBM Z Secure Execution image to a disk that "
        "the s390-ccw BIOS boots with zipl's SCSI scheme.")
    ap.add_argument("image", help="the SE image (mk-se-image, genprotimg)")
    ap.add_argument("out", help="the raw disk image to write")
    ap.add_argument("--block-size", type=int, default=512,
                    help="the disk's logical block size (default 512, "
                    "virtio-blk's default)")
    a = ap.parse_args()
    try:
        with open(a.image, "rb") as f:
            disk = build(f.read(), a.block_size)
    except (OSError, ValueError) as e:
        sys.exit("mk-se-disk.py: %s" % e)
    with open(a.out, "wb") as f:
        f.write(disk)
    print("mk-se-disk.py: %s: %d blocks of %d bytes" % (
        a.out, len(disk) // a.block_size, a.block_size))


if __name__ == "__main__":
    main()
