#!/usr/bin/env bash
# Build our QEMU: pinned source + overlay + patches, configured once, then
# incremental ninja builds.  Outputs build/qemu-system-ppc64 and
# build/qemu-system-s390x (links into build/qemu).
#
#   scripts/build-qemu.sh [ninja targets...]
#
# QEMU_SANITIZE=1: an ASan+UBSan build in build/qemu-asan, linked as
# build/qemu-system-s390x-asan and build/qemu-system-ppc64-asan.  It has
# only the machines and devices the ASan tests use
# (configs/devices/*/ibm-cc-asan.mak), compiled with -O1 (the level the
# sanitizers' documentation suggests; it compiles in about half the time
# of QEMU's -O2).
set -euo pipefail
. "$(dirname "$0")/common.sh"

suffix=
default_targets=(qemu-system-ppc64 qemu-system-s390x)
if [ "${QEMU_SANITIZE:-0}" = 1 ]; then
    QEMU_BUILD=$BUILD/qemu-asan
    suffix=-asan
    QEMU_CONFIGURE_ARGS+=(--enable-asan --enable-ubsan --without-default-devices
                          --with-devices-ppc64=ibm-cc-asan
                          --with-devices-s390x=ibm-cc-asan --extra-cflags=-O1)
fi

"$TOP/scripts/qemu-source.sh"
/usr/bin/python3 "$TOP/scripts/overlay.py" "$TOP" "$QEMU_SRC" \
    "$CACHE/src/$QEMU_SRC_FILE" "${OVERLAY_DIRS[@]}"

args_stamp=$QEMU_BUILD/.$PROJECT_NAME-configure
want_args=$(printf '%s\n' "${QEMU_CONFIGURE_ARGS[@]}")
if [ ! -f "$QEMU_BUILD/build.ninja" ] || [ "$(cat "$args_stamp" 2>/dev/null)" != "$want_args" ]; then
    msg "configuring QEMU in $QEMU_BUILD"
    mkdir -p "$QEMU_BUILD"
    if ! (cd "$QEMU_BUILD" && "$QEMU_SRC/configure" "${QEMU_CONFIGURE_ARGS[@]}") \
        >"$QEMU_BUILD/configure.log" 2>&1; then
        tail -n 30 "$QEMU_BUILD/configure.log" >&2
        die "QEMU configure failed; full log: $QEMU_BUILD/configure.log"
    fi
    printf '%s\n' "$want_args" >"$args_stamp"
fi

targets=("$@")
[ ${#targets[@]} = 0 ] && targets=("${default_targets[@]}")
ninja -C "$QEMU_BUILD" -j "$(jobs)" "${targets[@]}"

# Firmware: the tarball ships no blobs.  Link Debian's qemu-system-data
# (skiboot.lid, s390-ccw.img, slof.bin, ...), seabios's VGA ROMs, ipxe's NIC
# ROMs (the directories Debian's own QEMU searches) and the tarball's
# pnv-pnor.bin into the build tree's data directory, where the binaries
# look by default.
"$TOP/scripts/fixtures.sh" qemu-system-data seabios ipxe-qemu
datadir=$QEMU_BUILD/qemu-bundle/usr/local/share/qemu
mkdir -p "$datadir"
for f in "$CACHE/fixtures/firmware/"* "$CACHE/fixtures/seabios/"*.bin \
    "$CACHE/fixtures/ipxe/"*.rom "$QEMU_SRC/pc-bios/pnv-pnor.bin"; do
    n=$(basename "$f")
    [ -e "$datadir/$n" ] && [ ! -L "$datadir/$n" ] && continue
    ln -sfn "$f" "$datadir/$n"
done

for t in qemu-system-ppc64 qemu-system-s390x; do
    [ -x "$QEMU_BUILD/$t" ] &&
        ln -sfn "${QEMU_BUILD##*/}/$t" "$BUILD/$t$suffix"
done
exit 0
