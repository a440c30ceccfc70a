#!/usr/bin/env bash
# Install the Debian packages the build, the fixtures and the tests need.
#
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh bench    additionally the stock Debian QEMU for `make bench`
#   scripts/deps.sh kernel   additionally what building a Linux kernel needs
#
# Enables bookworm-backports (binary and deb-src) in a sources file of its own
# when apt does not already know it, and the s390x and ppc64el dpkg
# architectures (guest packages are fetched with `apt-get download`).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Every package a build, fixture, test, benchmark or tool step uses, even
# where a typical Debian install already has it: scripts/deps-check.sh
# exercises them after installation.
BASE_PKGS=(
    make gcc g++ pkg-config ninja-build git perl gzip xz-utils cpio
    python3 python3-venv python3-pycotap python3-cryptography
    libglib2.0-dev libfdt-dev libyaml-dev libpixman-1-dev zlib1g-dev libslirp-dev
    nettle-dev libgmp-dev libgnutls28-dev swtpm swtpm-tools libtpms-dev libtss2-dev
    gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
    gcc-powerpc64-linux-gnu gcc-s390x-linux-gnu libc6-dev-s390x-cross
    flex bison dpkg-dev openssl clang libclang-rt-14-dev llvm xorriso
    help2man lintian binutils
    libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
)
# meson >= 1.5 is required by QEMU 10.0; bookworm has 1.0, backports 1.7.
BACKPORTS_PKGS=(meson)
BENCH_PKGS=(qemu-system-ppc qemu-system-s390x)
KERNEL_PKGS=(bc libssl-dev libelf-dev rsync kmod)

SOURCES_FILE=/etc/apt/sources.list.d/$PROJECT_NAME.sources
FOREIGN_ARCHS=(s390x ppc64el)

want_bench=0 want_kernel=0
for a in "$@"; do
    case $a in
    bench) want_bench=1 ;;
    kernel) want_kernel=1 ;;
    *) die "unknown argument '$a' (expected: bench, kernel)" ;;
    esac
done

# Fast path: nothing to do if this exact check passed before and neither
# dpkg's database nor apt's sources changed since.
stamp=$BUILD/.deps-ok-$(cat "$0" "$TOP/scripts/deps-check.sh" | sha256sum | cut -c1-12)-${want_bench}${want_kernel}
if [ -f "$stamp" ] && [ "$stamp" -nt /var/lib/dpkg/status ] &&
    [ -z "$(find /etc/apt/sources.list /etc/apt/sources.list.d -newer "$stamp" 2>/dev/null)" ]; then
    exit 0
fi

missing=()
pkg_missing() {
    # $1: package name, optionally with =version
    local name=${1%%=*}
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null)" = installed ] && return 1
    return 0
}

meson_ok() {
    command -v meson >/dev/null 2>&1 || return 1
    dpkg --compare-versions "$(meson --version)" ge 1.5
}

apt_knows_backports() {
    # No `grep -q` on a pipe here: under pipefail, the writer's SIGPIPE
    # would turn a match into a failure.
    local policy src
    policy=$(apt-cache policy 2>/dev/null || true)
    src=$(apt-get source --print-uris "$QEMU_SRC_PKG=$QEMU_SRC_VERSION" 2>/dev/null || true)
    [[ $policy == *bookworm-backports/main* ]] && [[ $src == *"$QEMU_SRC_FILE"* ]]
}

need_update=0
setup_sources() {
    if ! apt_knows_backports; then
        if [ ! -f "$SOURCES_FILE" ]; then
            msg "adding bookworm-backports (deb, deb-src) as $SOURCES_FILE"
            as_root tee "$SOURCES_FILE" >/dev/null <<'EOF'
# Added by qemu-ibm-cc scripts/deps.sh: meson >= 1.5, the QEMU 10.0.2 source
# package and guest kernels come from bookworm-backports.
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        fi
        need_update=1
    fi
    local a
    for a in "${FOREIGN_ARCHS[@]}"; do
        if ! [[ " $(dpkg --print-foreign-architectures | tr '\n' ' ') " == *" $a "* ]]; then
            msg "enabling dpkg architecture $a (guest packages are downloaded, not installed)"
            as_root dpkg --add-architecture "$a"
            need_update=1
        fi
    done
    if [ $need_update = 1 ] || ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        msg "apt-get update"
        # A partial failure (say, a mirror without some foreign-architecture
        # index we never use) is only a warning: what we need is checked
        # below and by the fetch scripts, with errors that name it.
        local log
        log=$(as_root apt-get update 2>&1) ||
            msg "warning: apt-get update reported errors: $(printf '%s\n' "$log" | grep -E '^(E|Err|W):' | head -n 3 | tr '\n' ' ')"
    fi
    apt_knows_backports ||
        die "apt still has no bookworm-backports index with source package $QEMU_SRC_PKG $QEMU_SRC_VERSION; check /etc/apt/sources.list.d and network access to the Debian archive"
}

for p in "${BASE_PKGS[@]}"; do pkg_missing "$p" && missing+=("$p"); done
[ $want_bench = 1 ] && for p in "${BENCH_PKGS[@]}"; do pkg_missing "$p" && missing+=("$p"); done
[ $want_kernel = 1 ] && for p in "${KERNEL_PKGS[@]}"; do pkg_missing "$p" && missing+=("$p"); done
bp_missing=()
meson_ok || bp_missing+=(meson)
if [ $want_bench = 1 ]; then
    # The benchmark compares against Debian's own 10.0.2 build.
    for p in "${BENCH_PKGS[@]}"; do
        v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
        case $v in 1:10.0.2*) ;; *) bp_missing+=("$p") ;; esac
    done
    missing=($(printf '%s\n' "${missing[@]}" | grep -vx -e qemu-system-ppc -e qemu-system-s390x || true))
fi

setup_sources

# The stamp is written only after the self-check passed.
ok() {
    local args=()
    [ $want_kernel = 1 ] && args+=(kernel)
    "$TOP/scripts/deps-check.sh" "${args[@]}" ||
        die "the self-check above failed after installation"
    mkdir -p "$BUILD" && touch "$stamp"
    exit 0
}
if [ ${#missing[@]} = 0 ] && [ ${#bp_missing[@]} = 0 ]; then
    ok
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} != 0 ]; then
    msg "installing: ${missing[*]}"
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
        die "apt-get install failed for: ${missing[*]}"
fi
if [ ${#bp_missing[@]} != 0 ]; then
    msg "installing from bookworm-backports: ${bp_missing[*]}"
    as_root apt-get install -y -qq --no-install-recommends -t bookworm-backports "${bp_missing[@]}" ||
        die "apt-get install -t bookworm-backports failed for: ${bp_missing[*]}"
fi
meson_ok || die "meson >= 1.5 is required, found $(meson --version 2>/dev/null || echo none)"
ok
