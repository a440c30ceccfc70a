#!/usr/bin/env bash
# Build a Linux kernel from Debian's linux-source-6.12 with a Debian cross
# compiler and an explicit, minimal config fragment; cache it by hash.
#
#   scripts/build-kernel.sh FRAGMENT      prints the path of the vmlinux
#
# FRAGMENT is tests/fixtures/kernel/<name>.config.  Its first lines carry
#   # arch: powerpc            (the kernel ARCH)
#   # cross: powerpc64le-linux-gnu-
# The config is `allnoconfig` with the fragment forced on top
# (KCONFIG_ALLCONFIG), so the kernel has exactly what the fragment asks for
# and what that selects.  Every CONFIG_X=y in the fragment is checked in the
# resulting .config: a symbol whose dependencies are missing is an error,
# not a silently smaller kernel.
#
# Cache key: sha256 of the fragment, the linux-source package sum, the
# compiler version and this script.  Hits cost nothing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

frag=${1:?usage: build-kernel.sh FRAGMENT}
[ -f "$frag" ] || die "no such fragment: $frag"
name=$(basename "$frag" .config)
arch=$(sed -n 's/^# arch: *//p' "$frag")
cross=$(sed -n 's/^# cross: *//p' "$frag")
[ -n "$arch" ] && [ -n "$cross" ] || die "$frag: needs '# arch:' and '# cross:' header lines"
command -v "${cross}gcc" >/dev/null || die "cross compiler ${cross}gcc not found (run scripts/deps.sh kernel)"
for t in bc flex bison; do
    command -v $t >/dev/null || die "$t not found (run scripts/deps.sh kernel)"
done

"$TOP/scripts/fixtures.sh" linux-source
src_tar=$CACHE/fixtures/linux-source.tar.xz
src_sum=$(cat "$CACHE/pkgs/linux-source/.sha256")

key=$( {
    cat "$frag"
    echo "$src_sum"
    "${cross}gcc" --version | head -n1
    cat "$0"
} | sha256sum | cut -c1-16)
out=$CACHE/kernels/$name-$key
if [ -f "$out/vmlinux" ]; then
    echo "$out/vmlinux"
    exit 0
fi

srcdir=$CACHE/kernels/src-${src_sum:0:16}
if [ ! -f "$srcdir/.extracted" ]; then
    msg "extracting $(basename "$(readlink -f "$src_tar")")"
    rm -rf "$srcdir"
    mkdir -p "$srcdir"
    tar -xf "$src_tar" -C "$srcdir" --strip-components=1
    touch "$srcdir/.extracted"
fi

obj=$CACHE/kernels/obj-$name
mkdir -p "$obj"
kmake() {
    make -s -C "$srcdir" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" \
        KBUILD_BUILD_USER=qemu-ibm-cc KBUILD_BUILD_HOST=build \
        KBUILD_BUILD_TIMESTAMP='1970-01-01' "$@"
}

msg "configuring $name (allnoconfig + $frag)"
grep -v '^#' "$frag" | grep . >"$obj/fragment.config"
kmake KCONFIG_ALLCONFIG="$obj/fragment.config" allnoconfig >"$obj/config.log" 2>&1 ||
    { tail -n 20 "$obj/config.log" >&2; die "kernel configuration failed for $frag"; }

bad=()
while IFS= read -r line; do
    case $line in
    CONFIG_*=*)
        grep -qx -- "$line" "$obj/.config" || bad+=("$line") ;;
    "# CONFIG_"*" is not set")
        sym=${line#\# }
        sym=${sym%% *}
        grep -q "^$sym=" "$obj/.config" && bad+=("$line") ;;
    esac
done <"$frag"
[ ${#bad[@]} = 0 ] ||
    die "$frag: these settings did not survive kconfig (missing dependencies?): ${bad[*]}"

msg "building $name with $(jobs) jobs (log: $obj/build.log)"
start=$(date +%s)
kmake -j "$(jobs)" vmlinux >"$obj/build.log" 2>&1 ||
    { tail -n 30 "$obj/build.log" >&2; die "kernel build failed for $frag; log: $obj/build.log"; }
msg "built $name in $(( $(date +%s) - start )) s"

mkdir -p "$out.tmp"
cp "$obj/vmlinux" "$obj/.config" "$out.tmp/"
cp "$frag" "$out.tmp/fragment.config"
rm -rf "$out"
mv "$out.tmp" "$out"
ln -sfn "$(basename "$out")" "$CACHE/kernels/$name"
echo "$out/vmlinux"
