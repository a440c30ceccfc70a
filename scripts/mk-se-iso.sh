#!/usr/bin/env bash
# Wrap an IBM Z Secure Execution image (built by build/tools/mk-se-image)
# in an ISO 9660 medium that the stock QEMU s390-ccw BIOS boots with
# El Torito, from a CD-ROM (scsi-cd on virtio-scsi-ccw) or a virtio-blk-ccw
# disk:
#
#   scripts/mk-se-iso.sh IMAGE OUT.iso
#
# What the s390-ccw BIOS (pc-bios/s390-ccw/bootmap.c) requires, and what
# this script therefore writes:
#  - a boot record volume descriptor "EL TORITO SPECIFICATION" pointing to
#    a boot catalog whose validation entry has platform ID 0, 1 or 2 (we
#    use 0) and key 55 AA; the BIOS takes the first entry with indicator
#    0x88 (bootable) whose image passes the check below;
#  - the boot image must start with the 24 bytes the BIOS compares at
#    offsets 8..31 of it: the two IPL CCWs of an s390 Linux image
#    (read, data address 0x18 / 0x68, flags 0x60, count 0x50) and eight
#    EBCDIC blanks.  Our SE image has zeros there (the range [8, 0x10000)
#    belongs to no component and is covered by no digest), so this script
#    writes them into ITS COPY of the image; the input file is not changed
#    and the SE header's measurements are unaffected;
#  - the BIOS loads the image at the address in the entry's "load
#    segment" field, taken as a byte address (0 here, which is what an SE
#    image needs), with the size of the ISO file whose extent starts at the
#    entry's load RBA (it walks the directory tree, at most 8 levels),
#    falling back to sector count / 4 2048-byte blocks if it cannot find
#    that file;
#  - it then starts the image like any low-loaded kernel: without "S390EP"
#    at 0x10008 it does a diag 0x308 load-normal reset with the short PSW
#    at 0, i.e. stage3a at 0x11000, which then runs the SE unpack.
#
# Reproducible: all ISO timestamps and the volume UUID come from
# SOURCE_DATE_EPOCH (default below), Rock Ridge ownership and permissions
# are normalised (-r), the volume ID is fixed.  Needs xorriso (Debian
# package xorriso, installed by scripts/deps.sh).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

prog=$(basename "$0")
die() {
    echo "$prog: $*" >&2
    exit 1
}

[ $# = 2 ] || die "usage: $prog IMAGE OUT.iso"
image=$1 out=$2
[ -f "$image" ] || die "no such file: $image"
command -v xorriso >/dev/null || die "xorriso not found (scripts/deps.sh)"

# 2025-01-01T00:00:00Z unless the caller fixes another epoch
: "${SOURCE_DATE_EPOCH:=1735689600}"
export SOURCE_DATE_EPOCH

VOLID=QEMU_IBM_CC_SE
NAME=se.img
CATALOG=boot.cat
# Linux s390 image IPL record at offset 8: CCW read 0x18, CCW read 0x68,
# 8 EBCDIC blanks.  The s390-ccw BIOS refuses El Torito images without it.
IPL_REC='\x02\x00\x00\x18\x60\x00\x00\x50\x02\x00\x00\x68\x60\x00\x00\x50'
IPL_REC+='\x40\x40\x40\x40\x40\x40\x40\x40'
IPL_REC_OFF=8
IPL_REC_LEN=24

hexbytes() {
    # $1 file, $2 offset, $3 length: lower-case hex, no spaces
    od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'
}

size=$(stat -c %s "$image")
[ "$size" -ge $((0x11000)) ] || die "$image: too small for an SE image"
# short PSW at 0 (bit 12 of the mask set): the BIOS starts the image by it
psw=$(hexbytes "$image" 0 8)
[ $((0x${psw:0:8} & 0x00080000)) != 0 ] ||
    die "$image: no short PSW at 0 (not an SE image?)"
rec=$(printf %b "$IPL_REC" | od -An -tx1 -v | tr -d ' \n')
cur=$(hexbytes "$image" $IPL_REC_OFF $IPL_REC_LEN)
zero=$(printf '%0*d' $((IPL_REC_LEN * 2)) 0)
if [ "$cur" != "$rec" ] && [ "$cur" != "$zero" ]; then
    die "$image: bytes $IPL_REC_OFF..$((IPL_REC_OFF + IPL_REC_LEN - 1))" \
        "are neither zero nor the IPL record"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$image" "$tmp/$NAME"
printf %b "$IPL_REC" | dd of="$tmp/$NAME" bs=1 seek=$IPL_REC_OFF conv=notrunc \
    status=none
[ "$(hexbytes "$tmp/$NAME" $IPL_REC_OFF $IPL_REC_LEN)" = "$rec" ] ||
    die "internal error: IPL record not written"

# El Torito sector count (512-byte units, 16 bits): only the BIOS's
# fallback when it cannot find the file in the directory; the BIOS shifts
# it right by 2, so keep it a multiple of 4.
count=$(( (size + 2047) / 2048 ))
count=$((count * 4))
[ $count -le 65532 ] || count=65532

rm -f "$out"
xorriso -as mkisofs -quiet -r -iso-level 3 -V "$VOLID" -o "$out" \
    --set_all_file_dates "=$SOURCE_DATE_EPOCH" \
    -b "$NAME" -c "$CATALOG" -no-emul-boot -boot-load-size $count \
    -graft-points "/$NAME=$tmp/$NAME" ||
    die "xorriso failed"
