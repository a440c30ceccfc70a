# shellcheck shell=bash
# Shared settings for the qemu-ibm-cc build driver.  Sourced, not run.
#
# Everything pinned lives here or in tests/fixtures/manifest: change a
# version in one place and the checksum next to it.

PROJECT_NAME=qemu-ibm-cc
PROJECT_VERSION=0.1.0

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${QEMU_IBM_CC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-ibm-cc}

# The QEMU source: Debian's orig tarball, located through apt's source index.
QEMU_SRC_PKG=qemu
QEMU_SRC_VERSION='1:10.0.2+ds-2+deb13u1~bpo12+1'
QEMU_SRC_FILE='qemu_10.0.2+ds.orig.tar.xz'
QEMU_SRC_SHA256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
QEMU_UPSTREAM_VERSION=10.0.2

QEMU_SRC=$BUILD/qemu-src        # extracted tree + our overlay + patches
QEMU_BUILD=$BUILD/qemu          # QEMU's meson/ninja build directory
CORE_BUILD=$BUILD/core          # root meson.build: core library, unit tests, tools

QEMU_CONFIGURE_ARGS=(
    --target-list=ppc64-softmmu,s390x-softmmu
    --python=/usr/bin/python3
    --disable-install-blobs
    --disable-docs
    --disable-user
    --enable-tpm
    --enable-fdt=system
    --enable-slirp
    "--with-pkgversion=$PROJECT_NAME $PROJECT_VERSION"
)

# Top-level directories of the repo that are QEMU-shaped overlay paths and
# are copied into the QEMU tree as they are.
OVERLAY_DIRS=(hw include target util tests/qtest docs/system qapi configs/devices)

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Run as root, or through sudo when that is available; otherwise say exactly
# what the user has to run.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        die "needs root: run as root or enable sudo, or run yourself: $*"
    fi
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Number of parallel jobs for builds.
jobs() { nproc 2>/dev/null || echo 2; }

# Background jobs at most N at a time: call `job_slot N` before starting
# each one with `&`, and `wait` after the last.
_jobs_running=0
job_slot() {
    if [ "$_jobs_running" -ge "$1" ]; then
        wait -n
        _jobs_running=$((_jobs_running - 1))
    fi
    _jobs_running=$((_jobs_running + 1))
}
