#!/usr/bin/env bash
# Install the package built by scripts/mk-deb.sh with dpkg -i, use it, and
# remove it again: run by .ci/run in the clean room (scripts/ci-clean-room.sh
# sets CI_CLEAN_ROOM=1), where installing a package harms nothing.  Prints
# TAP; exits non-zero if a check fails.
set -uo pipefail
. "$(dirname "$0")/common.sh"

PKG=$PROJECT_NAME
DEB=$BUILD/${PKG}_${PROJECT_VERSION}_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || die "$DEB missing (make deb)"
[ "$(id -u)" = 0 ] || die "needs root (dpkg -i)"

n=0 bad=0
t() { # description command...
    local desc=$1 out
    shift
    n=$((n + 1))
    if out=$("$@" 2>&1); then
        echo "ok $n - $desc"
    else
        bad=1
        echo "not ok $n - $desc"
        printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
    fi
}
as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}
version_ok() {
    as_nobody "/opt/$PKG/bin/$1" --version | grep -q "(qemu-ibm-cc $PROJECT_VERSION)"
}
only_own_paths() {
    ! dpkg -L "$PKG" | grep -vE "^/\.?$|^/opt$|^/opt/$PKG(/|$)|^/usr(/share(/doc(/$PKG(/.*)?)?|/lintian(/overrides(/$PKG)?)?)?)?$"
}
no_files_left() {
    [ ! -e "/opt/$PKG" ] && [ ! -e "/usr/share/doc/$PKG" ]
}

echo "1..6"
t "dpkg -i $(basename "$DEB")" dpkg -i "$DEB"
t "qemu-system-s390x --version as nobody" version_ok qemu-system-s390x
t "qemu-system-ppc64 --version as nobody" version_ok qemu-system-ppc64
t "every path of the package is its own (/opt/$PKG, its doc, lintian)" \
    only_own_paths
t "dpkg -r $PKG" dpkg -r "$PKG"
t "nothing of $PKG left on disk" no_files_left
exit $bad
