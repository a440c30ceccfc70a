#!/usr/bin/env bash
# Self-check of the toolchains and tools the project uses, exercised the way
# the build and the tests use them.  Run by scripts/deps.sh after it has
# installed the packages; runnable on its own.
#
#   scripts/deps-check.sh [kernel]
#
# Prints one line per failed check, naming the Debian package that provides
# what is missing, and exits non-zero if any check failed.
set -uo pipefail
. "$(dirname "$0")/common.sh"

want_kernel=0
for a in "$@"; do
    case $a in
    kernel) want_kernel=1 ;;
    *) die "unknown argument '$a' (expected: kernel)" ;;
    esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$PROJECT_NAME-deps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

# fail WHAT PACKAGE: one line, the package to install.
fail() {
    printf 'deps self-check: %s; install Debian package %s (apt-get install %s)\n' \
        "$1" "$2" "$2" >&2
    failed=1
}

# need_cmd COMMAND PACKAGE
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || { fail "command '$1' not found" "$2"; return 1; }
}

# try LOG COMMAND...: run quietly, keep the output for the message.
try() {
    local log=$1
    shift
    "$@" >"$tmp/$log.log" 2>&1
}

# --- host toolchain and libraries (QEMU, the core, the tools) ---
need_cmd make make
need_cmd gcc gcc
need_cmd ninja ninja-build
need_cmd pkg-config pkg-config
need_cmd meson meson
for lib in glib-2.0:libglib2.0-dev nettle:nettle-dev hogweed:nettle-dev \
    gmp:libgmp-dev gnutls:libgnutls28-dev pixman-1:libpixman-1-dev zlib:zlib1g-dev slirp:libslirp-dev \
    libtpms:libtpms-dev yaml-0.1:libyaml-dev tss2-esys:libtss2-dev tss2-mu:libtss2-dev; do
    pkg-config --exists "${lib%%:*}" 2>/dev/null ||
        fail "pkg-config finds no ${lib%%:*}" "${lib#*:}"
done
printf '#include <libfdt.h>\nint main(void) { return fdt_check_header(0); }\n' >"$tmp/fdt.c"
try fdt gcc -o "$tmp/fdt" "$tmp/fdt.c" -lfdt || fail "cannot link against libfdt" libfdt-dev
need_cmd flex flex
need_cmd bison bison

# --- cross toolchains, as the project uses them ---
cat >"$tmp/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("hello\n"); return 0; }
EOF
# tests/pef-boot/kvm-mini.c: a static ppc64le Linux program against glibc
if need_cmd powerpc64le-linux-gnu-gcc gcc-powerpc64le-linux-gnu; then
    try ppc64le powerpc64le-linux-gnu-gcc -static -O2 -o "$tmp/hello-ppc64le" "$tmp/hello.c" ||
        fail "powerpc64le-linux-gnu-gcc cannot link a static C program against libc ($(grep -m1 -E 'error|fatal' "$tmp/ppc64le.log"))" \
            libc6-dev-ppc64el-cross
fi

# tests/pef-arch: freestanding big-endian ppc64 (ELFv2) with libgcc
cat >"$tmp/free.c" <<'EOF'
unsigned long long div(unsigned long long a, unsigned long long b) { return a / b; }
void _start(void) { for (;;) { } }
EOF
if need_cmd powerpc64-linux-gnu-gcc gcc-powerpc64-linux-gnu; then
    try ppc64 powerpc64-linux-gnu-gcc -mbig-endian -mabi=elfv2 -mcpu=power9 \
        -mcmodel=medium -msoft-float -ffreestanding -nostdlib -static -O2 -o "$tmp/free-ppc64" "$tmp/free.c" -lgcc &&
        try ppc64-objcopy powerpc64-linux-gnu-objcopy -O binary "$tmp/free-ppc64" "$tmp/free-ppc64.bin" ||
        fail "powerpc64-linux-gnu-gcc cannot build a freestanding big-endian program ($(cat "$tmp"/ppc64*.log | grep -m1 -E 'error|fatal'))" \
            gcc-powerpc64-linux-gnu
fi

# tools/se-attest/se-attest-guest.c: a static s390x Linux program against glibc
if need_cmd s390x-linux-gnu-gcc gcc-s390x-linux-gnu; then
    try s390x-libc s390x-linux-gnu-gcc -static -O2 -o "$tmp/hello-s390x" "$tmp/hello.c" ||
        fail "s390x-linux-gnu-gcc cannot link a static C program against libc ($(grep -m1 -E 'error|fatal' "$tmp/s390x-libc.log"))" \
            libc6-dev-s390x-cross
fi

# tools/mk-se-image/boot, tests/se-boot/uvc-probe: freestanding s390x
if need_cmd s390x-linux-gnu-gcc gcc-s390x-linux-gnu; then
    try s390x s390x-linux-gnu-gcc -m64 -march=z10 -msoft-float -ffreestanding -nostdlib -static \
        -no-pie -O2 -o "$tmp/free-s390x" "$tmp/free.c" -lgcc &&
        try s390x-objcopy s390x-linux-gnu-objcopy -O binary "$tmp/free-s390x" "$tmp/free-s390x.bin" ||
        fail "s390x-linux-gnu-gcc cannot build a freestanding program ($(cat "$tmp"/s390x*.log | grep -m1 -E 'error|fatal'))" \
            gcc-s390x-linux-gnu
fi

# scripts/fuzz.sh: libFuzzer with ASan/UBSan
cat >"$tmp/fuzz.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n && d[0] == 1; }
EOF
if need_cmd clang clang; then
    try fuzz clang -fsanitize=fuzzer,address,undefined -o "$tmp/fuzz" "$tmp/fuzz.c" ||
        fail "clang cannot link a libFuzzer target with ASan/UBSan" libclang-rt-14-dev
fi
# Sanitizer reports name functions only through llvm-symbolizer, and leak
# suppressions (tests/fuzz/fuzz-tpm-rsp.c) match those names.
need_cmd llvm-symbolizer llvm

# --- Python: the interpreter and every module the tests import ---
if [ -x /usr/bin/python3 ]; then
    for m in cryptography.hazmat.primitives.ciphers.aead:python3-cryptography \
        cryptography.hazmat.primitives.asymmetric.ec:python3-cryptography \
        pycotap:python3-pycotap venv:python3-venv; do
        /usr/bin/python3 -c "import ${m%%:*}" 2>/dev/null ||
            fail "/usr/bin/python3 cannot import ${m%%:*}" "${m#*:}"
    done
else
    fail "/usr/bin/python3 not found" python3
fi

# --- commands of the build, fixture and test scripts ---
for c in git:git perl:perl cpio:cpio xz:xz-utils gzip:gzip \
    dpkg-deb:dpkg-dev openssl:openssl xorriso:xorriso swtpm:swtpm \
    swtpm_setup:swtpm-tools help2man:help2man lintian:lintian readelf:binutils \
    setpriv:util-linux unshare:util-linux virsh:libvirt-clients \
    /usr/sbin/libvirtd:libvirt-daemon; do
    need_cmd "${c%%:*}" "${c#*:}"
done
# tests/install: libvirt's QEMU driver (a module of the daemon)
ls /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null \
    2>&1 || fail "libvirt's QEMU driver not found" libvirt-daemon-driver-qemu

# --- a Linux kernel build (scripts/build-kernel.sh) ---
if [ $want_kernel = 1 ]; then
    for c in bc:bc rsync:rsync depmod:kmod; do
        need_cmd "${c%%:*}" "${c#*:}"
    done
    printf '#include <openssl/opensslv.h>\n#include <gelf.h>\n' >"$tmp/khdr.c"
    try khdr gcc -E "$tmp/khdr.c" || {
        grep -q opensslv "$tmp/khdr.log" && fail "no OpenSSL headers for the kernel's host tools" libssl-dev
        grep -q gelf "$tmp/khdr.log" && fail "no libelf headers for the kernel's host tools" libelf-dev
    }
fi

exit $failed
