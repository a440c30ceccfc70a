#!/usr/bin/env bash
# Build the Debian package build/qemu-ibm-cc_<version>_amd64.deb: the
# install of scripts/install.sh under /opt/qemu-ibm-cc (which clashes with
# nothing of Debian's qemu-system-*), stripped, with the runtime library
# dependencies dpkg-shlibdeps finds, then run lintian on it.
#
#   scripts/mk-deb.sh
#
# The lintian tags that remain are explained in README.md ("Installing").
set -euo pipefail
. "$(dirname "$0")/common.sh"

PKG=$PROJECT_NAME
PREFIX=/opt/$PKG
ARCH=$(dpkg --print-architecture)
DEB=$BUILD/${PKG}_${PROJECT_VERSION}_$ARCH.deb
for c in dpkg-deb dpkg-shlibdeps lintian; do
    command -v $c >/dev/null || die "$c not found (run scripts/deps.sh)"
done

stage=$BUILD/deb/root
rm -rf "$BUILD/deb"
mkdir -p "$stage/DEBIAN"
"$TOP/scripts/install.sh" --prefix "$PREFIX" --destdir "$stage" --strip

# Debian's own copyright and changelog places (policy 12.5, 12.7).
doc=$stage/usr/share/doc/$PKG
install -d "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $PKG
Comment: QEMU $QEMU_UPSTREAM_VERSION (Debian source package $QEMU_SRC_PKG
 $QEMU_SRC_VERSION) with the $PKG overlay; the firmware in
 $PREFIX/share/qemu is Debian's qemu-system-data, seabios and ipxe-qemu
 (see their copyright files in Debian).

Files: *
Copyright: 2003-2025 Fabrice Bellard and the QEMU Project developers
           2026 the $PKG developers
License: GPL-2+
 On Debian systems the full text of the GNU General Public License
 version 2 is in /usr/share/common-licenses/GPL-2.
EOF
{
    echo "$PKG ($PROJECT_VERSION) unstable; urgency=medium"
    echo
    echo "  * Built from $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo "a source tree")."
    echo
    echo " -- $PKG developers <dev@$PKG.invalid>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$doc/changelog.gz"
chmod 644 "$doc/copyright" "$doc/changelog.gz"

# Tags that are the point of this package or hold for any firmware copy;
# README.md ("Installing") says why.
install -d "$stage/usr/share/lintian/overrides"
cat >"$stage/usr/share/lintian/overrides/$PKG" <<EOF
# Installed under $PREFIX on purpose: beside Debian's own qemu-system-*.
$PKG: dir-or-file-in-opt
# Guest firmware (Debian's own qemu-system-data overrides the same).
$PKG: statically-linked-binary [opt/$PKG/share/qemu/*]
$PKG: binary-from-other-architecture [opt/$PKG/share/qemu/*]
$PKG: shared-library-lacks-prerequisites [opt/$PKG/share/qemu/s390-ccw.img]
EOF
chmod 644 "$stage/usr/share/lintian/overrides/$PKG"

# Runtime library dependencies, as Debian package names.
shl=$BUILD/deb/shlibs
mkdir -p "$shl/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" \
    >"$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O \
    "$stage$PREFIX/bin/qemu-system-ppc64" "$stage$PREFIX/bin/qemu-system-s390x" \
    "$stage$PREFIX/bin/mk-se-image" "$stage$PREFIX/bin/mk-esm-blob" \
    "$stage$PREFIX/bin/pef-tpm" "$stage$PREFIX/bin/se-host-key" \
    "$stage$PREFIX/bin/se-attest" "$stage$PREFIX/bin/se-secret" \
    "$stage$PREFIX/bin/se-dump" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $PKG
Version: $PROJECT_VERSION
Architecture: $ARCH
Maintainer: $PKG developers <dev@$PKG.invalid>
Installed-Size: $size
Depends: $depends
Section: otherosfs
Priority: optional
Description: QEMU emulating IBM Secure Execution and POWER PEF under TCG
 QEMU $QEMU_UPSTREAM_VERSION (qemu-system-ppc64, qemu-system-s390x) with
 an emulated IBM Z ultravisor (Secure Execution) and the POWER Protected
 Execution Facility (powernv pef=on), without KVM or IBM hardware, and
 the tools mk-se-image, mk-esm-blob, pef-tpm, se-host-key, se-attest,
 se-secret and se-dump.
 Installed under $PREFIX, beside Debian's QEMU.
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
    sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$DEB" >/dev/null
msg "built $DEB ($(du -h "$DEB" | cut -f1))"
echo "--- lintian $(basename "$DEB")"
lintian --tag-display-limit 0 "$DEB" 2>&1 | grep -v "^running with root privileges" || true
