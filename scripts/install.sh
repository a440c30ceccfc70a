#!/usr/bin/env bash
# Install what a user runs: both emulators, their firmware and data files
# where QEMU's own install puts them, our tools with man pages, our docs.
#
#   scripts/install.sh [--prefix PREFIX] [--destdir DESTDIR] [--strip]
#
# PREFIX (default /usr/local, or $PREFIX) is where the files will live;
# DESTDIR (default empty, or $DESTDIR) is prepended when writing them, for
# staging and packaging.  QEMU is built relocatable: it finds its data
# directory relative to its own binary (PREFIX/bin -> PREFIX/share/qemu),
# so any PREFIX works without rebuilding.  Firmware the build tree links
# from the cache is copied, so nothing installed points back into the
# build tree or any user's home.  --strip strips the binaries (for
# packages).  Every installed file is world-readable, directories and
# programs world-executable.
#
# Layout:
#   PREFIX/bin/qemu-system-{ppc64,s390x}, PREFIX/bin/mk-se-image, mk-esm-blob,
#   pef-tpm, se-host-key, se-attest, se-secret, se-dump
#   PREFIX/share/qemu/                 firmware, option ROMs, keymaps
#   PREFIX/share/man/man1/*.1          man pages of our tools (help2man)
#   PREFIX/share/doc/qemu-ibm-cc/      README.md and docs/system
set -euo pipefail
. "$(dirname "$0")/common.sh"

prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}
strip=0
while [ $# -gt 0 ]; do
    case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift ;;
    --strip) strip=1 ;;
    *) die "unknown argument '$1' (expected: --prefix P, --destdir D, --strip)" ;;
    esac
    shift
done
case $prefix in
/*) ;;
*) die "--prefix must be an absolute path, not '$prefix'" ;;
esac

bundle=$QEMU_BUILD/qemu-bundle/usr/local/share/qemu
for f in "$QEMU_BUILD/qemu-system-ppc64" "$QEMU_BUILD/qemu-system-s390x" \
    "$CORE_BUILD/tools/mk-se-image" "$CORE_BUILD/tools/mk-esm-blob" \
    "$CORE_BUILD/tools/pef-tpm" "$CORE_BUILD/tools/se-host-key" \
    "$CORE_BUILD/tools/se-attest" "$CORE_BUILD/tools/se-secret" \
    "$CORE_BUILD/tools/se-dump" \
    "$bundle/s390-ccw.img" "$bundle/skiboot.lid"; do
    [ -e "$f" ] || die "$f missing: build first (make)"
done
command -v help2man >/dev/null || die "help2man not found (run scripts/deps.sh)"

root=$destdir$prefix
umask 022
install -d "$root/bin" "$root/share/qemu" "$root/share/man/man1" \
    "$root/share/doc/$PROJECT_NAME"

for t in qemu-system-ppc64 qemu-system-s390x; do
    install -m 755 "$QEMU_BUILD/$t" "$root/bin/$t"
done
install -m 755 "$CORE_BUILD/tools/mk-se-image" "$root/bin/mk-se-image"
install -m 755 "$CORE_BUILD/tools/mk-esm-blob" "$root/bin/mk-esm-blob"
install -m 755 "$CORE_BUILD/tools/pef-tpm" "$root/bin/pef-tpm"
install -m 755 "$CORE_BUILD/tools/se-host-key" "$root/bin/se-host-key"
install -m 755 "$CORE_BUILD/tools/se-attest" "$root/bin/se-attest"
install -m 755 "$CORE_BUILD/tools/se-secret" "$root/bin/se-secret"
install -m 755 "$CORE_BUILD/tools/se-dump" "$root/bin/se-dump"
if [ "$strip" = 1 ]; then
    strip --strip-unneeded --remove-section=.comment --remove-section=.note \
        "$root/bin/qemu-system-ppc64" "$root/bin/qemu-system-s390x" \
        "$root/bin/mk-se-image" "$root/bin/mk-esm-blob" "$root/bin/pef-tpm" \
        "$root/bin/se-host-key" "$root/bin/se-attest" "$root/bin/se-secret" \
        "$root/bin/se-dump"
fi

# The data files our two targets use, from the build tree's data directory
# (links resolved): firmware of the ppc64 and s390x machines, option ROMs
# of the PCI devices they take, keymaps.
data=(skiboot.lid pnv-pnor.bin slof.bin 'vof*.bin' openbios-ppc u-boot.e500
      'u-boot-sam460-*.bin' bamboo.dtb canyonlands.dtb 'QEMU,VGA.bin'
      'vgabios*.bin' 'efi-*.rom' 'pxe-*.rom' 's390-*.img' 'keymaps/*')
for pat in "${data[@]}"; do
    for f in $(cd "$bundle" && compgen -G "$pat"); do
        [ -f "$bundle/$f" ] || continue
        install -D -m 644 "$bundle/$f" "$root/share/qemu/$f"
    done
done

# Our tools: what help2man puts under NAME
declare -A tools=(
    [mk-se-image]="build an IBM Z Secure Execution image"
    [mk-esm-blob]="build the ESM blob and esmb-initrd of a POWER Secure VM"
    [pef-tpm]="provision a TPM for POWER Secure VMs as PEF firmware does"
    [se-host-key]="create the emulated IBM Z machine's Secure Execution host key"
    [se-attest]="create and verify IBM Z Secure Execution attestation requests"
    [se-secret]="create add-secret requests for IBM Z Secure Execution guests"
    [se-dump]="decrypt the protected dump of an IBM Z Secure Execution guest"
)
for t in "${!tools[@]}"; do
    help2man --no-info --section 1 --name "${tools[$t]}" \
        --version-string "$PROJECT_VERSION" \
        "$CORE_BUILD/tools/$t" >"$root/share/man/man1/$t.1"
    gzip -9n -f "$root/share/man/man1/$t.1"
    chmod 644 "$root/share/man/man1/$t.1.gz"
done

install -m 644 "$TOP/README.md" "$root/share/doc/$PROJECT_NAME/README.md"
(cd "$TOP/docs" && find system -type f -name '*.rst' -print0) |
    while IFS= read -r -d '' f; do
        install -D -m 644 "$TOP/docs/$f" "$root/share/doc/$PROJECT_NAME/$f"
    done

# Nothing may point outside the installed tree.
bad=$(find "$root" -type l -printf '%p -> %l\n')
[ -z "$bad" ] || die "symbolic links in the installed tree: $bad"
msg "installed into $root (PREFIX $prefix)"
