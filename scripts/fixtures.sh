#!/usr/bin/env bash
# Fetch, check and unpack the pinned guest/firmware packages listed in
# tests/fixtures/manifest into the cache, and lay out stable paths:
#
#   $CACHE/fixtures/s390x/vmlinuz     Debian s390x kernel
#   $CACHE/fixtures/ppc64el/vmlinux   Debian ppc64el kernel (4k pages)
#   $CACHE/fixtures/<arch>/busybox    busybox-static for the guest
#   $CACHE/fixtures/firmware/         qemu-system-data's /usr/share/qemu
#                                     (skiboot.lid, s390-ccw.img, slof.bin)
#   $CACHE/fixtures/seabios/          vgabios-*.bin (VGA option ROMs)
#   $CACHE/fixtures/ipxe/             efi-*.rom, pxe-*.rom (NIC option ROMs)
#   $CACHE/fixtures/linux-source.tar.xz   (only when asked for: linux-source)
#
#   $CACHE/pkgs/<name>/               every package, unpacked
#
#   scripts/fixtures.sh [--manifest FILE] [NAME...]
#       default: everything in FILE (tests/fixtures/manifest) but
#       linux-source.  Other manifests in the same format, such as
#       tests/fixtures/manifest-l1-vmm (the L1 VMM of tests/pef-nested),
#       give packages that are only unpacked, with no stable paths.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MANIFEST=$TOP/tests/fixtures/manifest
if [ "${1:-}" = --manifest ]; then
    MANIFEST=${2:?--manifest needs a file}
    shift 2
    [ -f "$MANIFEST" ] || die "no such manifest: $MANIFEST"
fi
DEBS=$CACHE/debs
PKGS=$CACHE/pkgs
OUT=$CACHE/fixtures

manifest_line() {
    awk -v n="$1" '!/^#/ && $1 == n { print; found=1 } END { exit !found }' "$MANIFEST"
}

fetch_one() {
    local name=$1 line pkg arch version sha deb got
    line=$(manifest_line "$name") || die "no fixture '$name' in $MANIFEST"
    read -r _ pkg arch version sha <<<"$line"
    local spec=$pkg
    [ "$arch" != all ] && spec=$pkg:$arch
    local dest=$PKGS/$name
    if [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$sha" ]; then
        return 0
    fi
    mkdir -p "$DEBS"
    # apt-get download names the file after the package; locate it by sum.
    deb=$DEBS/${pkg}_${version#*:}_$arch.deb
    if [ ! -f "$deb" ] || [ "$(sha256_of "$deb")" != "$sha" ]; then
        msg "downloading $spec $version"
        local tmp
        tmp=$(mktemp -d "$DEBS/dl.XXXXXX")
        chmod 755 "$tmp"
        if ! (cd "$tmp" && apt-get download -q "$spec=$version") >"$tmp/log" 2>&1; then
            local why
            why=$(grep -E '^(E|Err):' "$tmp/log" | tail -n1)
            rm -rf "$tmp"
            die "cannot download $spec version $version: ${why:-see apt output} (is it still in the archive? run scripts/deps.sh; to move to a newer version edit $MANIFEST)"
        fi
        local f
        f=$(ls "$tmp"/*.deb)
        got=$(sha256_of "$f")
        if [ "$got" != "$sha" ]; then
            rm -rf "$tmp"
            die "checksum mismatch for package $spec version $version: expected sha256 $sha, got $got"
        fi
        mv "$f" "$deb"
        rm -rf "$tmp"
    fi
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp"
    dpkg-deb -x "$deb" "$dest.tmp"
    echo "$sha" >"$dest.tmp/.sha256"
    mv "$dest.tmp" "$dest"
}

one_file() {
    # The single file matching a glob, or an error naming the fixture.
    local n
    n=$(compgen -G "$1" | wc -l)
    [ "$n" = 1 ] || die "fixture layout: expected one file matching $1, found $n"
    compgen -G "$1"
}

layout() {
    local name=$1
    case $name in
    kernel-s390x)
        mkdir -p "$OUT/s390x"
        ln -sfn "$(one_file "$PKGS/$name/boot/vmlinuz-*")" "$OUT/s390x/vmlinuz"
        ln -sfn "$PKGS/$name/lib/modules" "$OUT/s390x/modules" ;;
    kernel-ppc64el)
        mkdir -p "$OUT/ppc64el"
        ln -sfn "$(one_file "$PKGS/$name/boot/vmlinux-*")" "$OUT/ppc64el/vmlinux"
        ln -sfn "$PKGS/$name/lib/modules" "$OUT/ppc64el/modules" ;;
    busybox-s390x | busybox-ppc64el)
        mkdir -p "$OUT/${name#busybox-}"
        ln -sfn "$PKGS/$name/bin/busybox" "$OUT/${name#busybox-}/busybox" ;;
    qemu-system-data)
        mkdir -p "$OUT"
        ln -sfn "$PKGS/$name/usr/share/qemu" "$OUT/firmware" ;;
    seabios)
        mkdir -p "$OUT"
        ln -sfn "$PKGS/$name/usr/share/seabios" "$OUT/seabios" ;;
    ipxe-qemu)
        mkdir -p "$OUT"
        ln -sfn "$PKGS/$name/usr/lib/ipxe/qemu" "$OUT/ipxe" ;;
    linux-source)
        mkdir -p "$OUT"
        ln -sfn "$(one_file "$PKGS/$name/usr/src/linux-source-*.tar.xz")" "$OUT/linux-source.tar.xz" ;;
    esac
}

names=("$@")
if [ ${#names[@]} = 0 ]; then
    mapfile -t names < <(awk '!/^#/ && NF && $1 != "linux-source" { print $1 }' "$MANIFEST")
fi
for n in "${names[@]}"; do
    fetch_one "$n"
    layout "$n"
done
