#!/usr/bin/env bash
# Obtain the pinned QEMU source (Debian's orig tarball, located through apt's
# source index and checked against a pinned sha256), cache it outside the
# repo, and extract it to build/qemu-src when that is missing or stale.
#
# Only the orig tarball is needed.  Some archive states lack the .dsc or the
# .debian.tar.xz; we do not need them and trust the pinned checksum instead.
set -euo pipefail
. "$(dirname "$0")/common.sh"

tarball=$CACHE/src/$QEMU_SRC_FILE
stamp=$QEMU_SRC/.$PROJECT_NAME-source

fetch() {
    mkdir -p "$CACHE/src"
    if [ -f "$tarball" ]; then
        local have
        have=$(sha256_of "$tarball")
        [ "$have" = "$QEMU_SRC_SHA256" ] && return 0
        msg "cached $tarball has sha256 $have, expected $QEMU_SRC_SHA256; fetching again"
        rm -f "$tarball"
    fi
    local uris uri
    uris=$(apt-get source --print-uris "$QEMU_SRC_PKG=$QEMU_SRC_VERSION" 2>&1) ||
        die "apt cannot locate source package $QEMU_SRC_PKG $QEMU_SRC_VERSION (is deb-src for bookworm-backports enabled? run scripts/deps.sh): $(printf '%s' "$uris" | tail -n1)"
    uri=$(printf '%s\n' "$uris" | awk -v f="$QEMU_SRC_FILE" '$2 == f { gsub("\047", "", $1); print $1 }')
    [ -n "$uri" ] ||
        die "apt's source index for $QEMU_SRC_PKG $QEMU_SRC_VERSION does not list $QEMU_SRC_FILE"
    msg "downloading $QEMU_SRC_FILE ($QEMU_SRC_PKG $QEMU_SRC_VERSION)"
    # apt-helper uses apt's own transports and proxy settings.  We check the
    # sum ourselves so that a mismatch gets a message that names everything.
    if ! /usr/lib/apt/apt-helper download-file "$uri" "$tarball.part" >/dev/null 2>"$tarball.log"; then
        die "cannot download $QEMU_SRC_FILE from the Debian archive (no archive access?): $(grep -v '^W:' "$tarball.log" | tail -n1)"
    fi
    local got
    got=$(sha256_of "$tarball.part")
    if [ "$got" != "$QEMU_SRC_SHA256" ]; then
        rm -f "$tarball.part"
        die "checksum mismatch for source package $QEMU_SRC_PKG version $QEMU_SRC_VERSION file $QEMU_SRC_FILE: expected sha256 $QEMU_SRC_SHA256, got $got"
    fi
    mv "$tarball.part" "$tarball"
    rm -f "$tarball.log"
}

extract() {
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$QEMU_SRC_SHA256" ]; then
        return 0
    fi
    msg "extracting QEMU $QEMU_UPSTREAM_VERSION to $QEMU_SRC"
    rm -rf "$QEMU_SRC" "$QEMU_SRC.tmp" "$QEMU_BUILD"
    mkdir -p "$QEMU_SRC.tmp"
    tar -xf "$tarball" -C "$QEMU_SRC.tmp" --strip-components=1
    [ "$(cat "$QEMU_SRC.tmp/VERSION")" = "$QEMU_UPSTREAM_VERSION" ] ||
        die "$QEMU_SRC_FILE holds QEMU $(cat "$QEMU_SRC.tmp/VERSION"), expected $QEMU_UPSTREAM_VERSION"
    echo "$QEMU_SRC_SHA256" >"$QEMU_SRC.tmp/.$PROJECT_NAME-source"
    mv "$QEMU_SRC.tmp" "$QEMU_SRC"
}

fetch
extract
