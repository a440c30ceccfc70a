#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build an UNPROTECTED test image with the SE image layout.

The image has the layout of tools/mk-se-image/boot/stage3-args.h, with
plaintext components and a dummy SE header.  By default the short PSW at 0
jumps straight to stage3b (skipping stage3a's diag 0x308 calls), so that
booting it with `qemu-system-s390x -kernel IMAGE` exercises stage3b's
relocation, kernel move and parmarea set-up without any ultravisor.
With --entry stage3a the PSW points to stage3a as in a real SE image.

  mk-plain-image.py --stage3a S3A.bin --stage3b S3B.bin \\
      --header stage3-args.h --kernel VMLINUZ [--initrd FILE] \\
      [--cmdline TEXT] [--entry stage3b|stage3a] -o IMAGE

Test-only knobs produce broken images on purpose (see --help).
Standard library only; every field is written with an explicit big-endian
store, the same way the real (C) image builder has to.
"""

import argparse
import re
import struct
import sys

PAGE = 0x1000

# --- constants of tools/mk-se-image/boot/stage3-args.h ------------------
# (parsed from the header so that the test follows it; see load_consts)
from stage3_args import C, CONSTS, load_consts  # noqa: E402,F401


def read(path):
    with open(path, "rb") as f:
        return f.read()


def align(x, a=PAGE):
    return (x + a - 1) & ~(a - 1)


def put(img, addr, data):
    end = addr + len(data)
    if end > len(img):
        img.extend(bytes(end - len(img)))
    img[addr:end] = data


def put64(img, addr, val):
    put(img, addr, struct.pack(">Q", val))


def args_base(blob, magic, base):
    """Absolute address of the args block of a loader placed at base."""
    off = len(blob) - C("STAGE3_ARGS_SIZE")
    (got,) = struct.unpack_from(">Q", blob, off)
    if got != magic:
        sys.exit("args magic %#x not found at the end of the loader" % magic)
    return base + off


def build_ipib(components, num_comp_override=None):
    """A PV IPIB (layout: s390-tools include/boot/ipl.h, ipl_pb0_pv).

    components: list of (tweak_pref, addr, size).  The header address and
    length at 0x78/0x80 are left 0: stage3a fills them in.
    """
    n = len(components)
    length = 0x88 + 24 * n
    ipib = bytearray(length)
    struct.pack_into(">I", ipib, 0x00, length)        # ipl_pl_hdr.len
    ipib[0x07] = 1                                    # ipl_pl_hdr.version
    struct.pack_into(">I", ipib, 0x08, length - 8)    # pb0 length
    ipib[0x0c] = 5                                    # pbt = PV
    ipib[0x6f] = 1                                    # PV block version
    struct.pack_into(">I", ipib, 0x74,
                     n if num_comp_override is None else num_comp_override)
    for i, (tweak, addr, size) in enumerate(components):
        struct.pack_into(">QQQ", ipib, 0x88 + 24 * i, tweak, addr, size)
    return bytes(ipib)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stage3a", required=True)
    ap.add_argument("--stage3b", required=True)
    ap.add_argument("--header", required=True,
                    help="stage3-args.h (constants)")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd")
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--entry", choices=("stage3b", "stage3a"),
                    default="stage3b")
    ap.add_argument("-o", "--output", required=True)
    # Test-only knobs: each makes one documented check fail.
    ap.add_argument("--bad-ipib", action="store_true",
                    help="IPIB with num_comp = 0 (diag 308 rc 0x0402)")
    ap.add_argument("--cmdline-no-nul", action="store_true",
                    help="cmdline component without a terminating NUL")
    ap.add_argument("--initrd-below-kernel-end", action="store_true",
                    help="claim the initrd sits inside [0, kernel_size)")
    ap.add_argument("--stage3b-at", type=lambda s: int(s, 0),
                    help="place stage3b at this (low) address instead")
    ap.add_argument("--stage3b-bad-magic", action="store_true")
    a = ap.parse_args()

    load_consts(a.header)
    s3a = read(a.stage3a)
    s3b = bytearray(read(a.stage3b))
    kernel = read(a.kernel)
    initrd = read(a.initrd) if a.initrd else b""
    cmdline = a.cmdline.encode()
    if not a.cmdline_no_nul:
        cmdline += b"\0"
    if len(s3b) > C("STAGE3B_MAX_SIZE"):
        sys.exit("stage3b.bin larger than STAGE3B_MAX_SIZE")

    img = bytearray()
    base_a = C("STAGE3A_LOAD_ADDR")
    put(img, base_a, s3a)
    s3a_args = args_base(s3a, C("STAGE3A_ARGS_MAGIC"), base_a)

    ipib_addr = align(base_a + len(s3a))
    hdr_addr = ipib_addr + PAGE
    # Not a real SE header: this image is never unpacked.  Magic only.
    hdr = b"IBMSecEx" + bytes(0x1000 - 8)
    put(img, hdr_addr, hdr)

    # Components: kernel, cmdline, initrd, stage3b; each page-aligned.
    addr = align(hdr_addr + len(hdr))
    comps = {}
    for name, data in (("kernel", kernel), ("cmdline", cmdline),
                       ("initrd", initrd), ("stage3b", bytes(s3b))):
        comps[name] = (addr, len(data))
        addr = align(addr + max(len(data), 1))
    if a.stage3b_at is not None:
        comps["stage3b"] = (a.stage3b_at, len(s3b))

    # stage3b args (in the blob, before it is placed).
    args_off = args_base(s3b, C("STAGE3B_ARGS_MAGIC"), 0)
    ka, ks = comps["kernel"]
    ca, cs = comps["cmdline"]
    ia, isz = comps["initrd"]
    if a.initrd_below_kernel_end:
        ia = C("STAGE3_MIN_COMP_ADDR") + 0x100000
    if not initrd:
        ia, isz = 0, 0
    for off, val in (("KERNEL_ADDR", ka), ("KERNEL_SIZE", ks),
                     ("CMDLINE_ADDR", ca), ("CMDLINE_SIZE", cs),
                     ("INITRD_ADDR", ia), ("INITRD_SIZE", isz),
                     ("PSW_MASK", C("STAGE3B_KERNEL_PSW_MASK")),
                     ("PSW_ADDR", C("STAGE3B_KERNEL_PSW_ADDR"))):
        struct.pack_into(">Q", s3b, args_off + C("STAGE3B_ARGS_%s_OFF" % off),
                         val)
    if a.stage3b_bad_magic:
        struct.pack_into(">Q", s3b, args_off, 0)

    put(img, ka, kernel)
    put(img, ca, cmdline)
    if initrd:
        put(img, comps["initrd"][0], initrd)
    put(img, comps["stage3b"][0], s3b)

    # IPIB and stage3a args.
    order = ("kernel", "cmdline", "initrd", "stage3b")
    ipib = build_ipib([(i + 1, comps[n][0], comps[n][1])
                       for i, n in enumerate(order)],
                      0 if a.bad_ipib else None)
    put(img, ipib_addr, ipib)
    put64(img, s3a_args + C("STAGE3A_ARGS_HDR_ADDR_OFF"), hdr_addr)
    put64(img, s3a_args + C("STAGE3A_ARGS_HDR_SIZE_OFF"), len(hdr))
    put64(img, s3a_args + C("STAGE3A_ARGS_IPIB_ADDR_OFF"), ipib_addr)

    # Short PSW at 0.
    entry = (C("STAGE3A_ENTRY_ADDR") if a.entry == "stage3a"
             else comps["stage3b"][0])
    put(img, 0, struct.pack(">II", C("STAGE3_SHORT_PSW_MASK"),
                            C("STAGE3_SHORT_PSW_BA") | entry))

    # Pad to a page so that the last component is whole.
    img.extend(bytes(align(len(img)) - len(img)))
    with open(a.output, "wb") as f:
        f.write(img)
    for n in order:
        print("%-8s %#10x %#10x" % (n, comps[n][0], comps[n][1]))
    print("ipib     %#10x\nheader   %#10x\nentry    %#10x" %
          (ipib_addr, hdr_addr, entry))


if __name__ == "__main__":
    main()
