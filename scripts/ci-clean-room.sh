#!/usr/bin/env bash
# Run .ci/run in a clean room: a minimal Debian 12 root made with
# debootstrap, holding a clean `git clone` of HEAD and nothing of this
# machine's installed packages.  CI runs on a developer's machine, where a
# package installed by hand hides a missing install step; this does not.
#
#   scripts/ci-clean-room.sh [--keep] [--no-cache] [--dir DIR]
#
#   --keep       leave the root (and its build tree) in place afterwards
#   --no-cache   download everything again: do not copy the cached QEMU
#                tarball, fixture packages and apt archives into the root
#   --dir DIR    where to make the root (default: a new directory under
#                /var/tmp); it must not exist yet
#
# The archive is the one apt on this machine already uses for bookworm (read
# from apt's own configuration).  Downloads this machine has cached are
# copied in (never mounted writable): the QEMU source tarball and the
# fixture .debs ($CACHE/src, $CACHE/debs), apt's .deb archive, and a
# tarball of debootstrap's packages kept in $CACHE/clean-room.  Built
# products (kernels, QEMU builds) are never shared: the clean room builds
# everything itself.
#
# Prints .ci/run's timing table and final 'N passed, N failed'; the full log
# is build/clean-room.log.  Needs root (or sudo) for debootstrap, chroot and
# the mounts, which are undone on every exit path.
set -euo pipefail
# bash reads a script while it runs it: run a copy, so that editing the
# working tree during the long run cannot change what runs.
if [ -z "${CLEAN_ROOM_SELF:-}" ]; then
    self=$(mktemp "${TMPDIR:-/tmp}/ci-clean-room.XXXXXX")
    cp "$0" "$self"
    CLEAN_ROOM_SELF=$self CLEAN_ROOM_TOP=$(cd "$(dirname "$0")/.." && pwd) \
        exec bash "$self" "$@"
fi
. "$CLEAN_ROOM_TOP/scripts/common.sh"

if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
        die "needs root (or sudo) for debootstrap, chroot and mounts"
    rm -f "$CLEAN_ROOM_SELF"
    exec sudo -E CLEAN_ROOM_SELF= "$CLEAN_ROOM_TOP/scripts/ci-clean-room.sh" "$@"
fi

keep=0 use_cache=1 root=
while [ $# -gt 0 ]; do
    case $1 in
    --keep) keep=1 ;;
    --no-cache) use_cache=0 ;;
    --dir) root=${2:?--dir needs a directory}; shift ;;
    *) die "unknown argument '$1' (expected: --keep, --no-cache, --dir DIR)" ;;
    esac
    shift
done

SUITE=bookworm
command -v debootstrap >/dev/null 2>&1 || {
    msg "installing debootstrap (host tool of this script)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
        die "cannot install debootstrap"
}

# The Debian archive apt uses here: every (site, release) of Origin Debian
# for bookworm and its updates/security suites, binary indexes only.
# Backports is left out on purpose: adding it is scripts/deps.sh's job.
mapfile -t sources < <(apt-get indextargets --format '$(SITE) $(RELEASE) $(ORIGIN) $(TARGET_OF)' |
    awk -v s="$SUITE" '$3 == "Debian" && $NF == "deb" &&
        ($2 == s || $2 == s "-updates" || $2 == s "-security") { print $1, $2 }' | sort -u)
mirror=$(printf '%s\n' "${sources[@]}" | awk -v s="$SUITE" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "apt on this machine has no Debian $SUITE archive configured (apt-get indextargets)"

if [ -z "$root" ]; then
    root=$(mktemp -d /var/tmp/$PROJECT_NAME-clean-room.XXXXXX)
else
    [ ! -e "$root" ] || die "$root exists; give a new directory"
    mkdir -p "$root"
fi
# it becomes the root directory: mktemp's 0700 would lock every user but
# root out of the whole tree (the install tests run QEMU as nobody)
chmod 0755 "$root"
log=$BUILD/clean-room.log
mkdir -p "$BUILD"
: >"$log"

mounts=()
cleanup() {
    local rc=$? i
    rm -f "$CLEAN_ROOM_SELF"
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" 2>/dev/null || true
    done
    if [ $keep = 0 ]; then
        # Never remove through a mount that is still there.
        if findmnt -rn -o TARGET | grep -q "^$root/"; then
            msg "mounts under $root remain; not removing it"
        else
            rm -rf --one-file-system "$root"
        fi
    else
        msg "clean root kept in $root"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bind() { # source target [options]
    mkdir -p "$2"
    mount "${@:3}" "$1" "$2"
    mounts+=("$2")
}

# 1. A minimal root, from a tarball of debootstrap's packages when cached.
dbs_cache=$CACHE/clean-room
dbs_tar=$dbs_cache/$SUITE-minbase-$(dpkg-query -W -f='${Version}' debootstrap).tar
start=$(date +%s)
if [ $use_cache = 1 ] && [ -f "$dbs_tar" ]; then
    msg "debootstrap $SUITE (minbase) from $mirror, packages from $dbs_tar"
    debootstrap --variant=minbase --unpack-tarball="$dbs_tar" "$SUITE" "$root" "$mirror" >>"$log" 2>&1 ||
        die "debootstrap failed; log: $log"
else
    msg "debootstrap $SUITE (minbase) from $mirror"
    if [ $use_cache = 1 ]; then
        mkdir -p "$dbs_cache"
        debootstrap --variant=minbase --make-tarball="$dbs_tar.part" "$SUITE" "$root.dl" "$mirror" >>"$log" 2>&1 &&
            mv "$dbs_tar.part" "$dbs_tar" || msg "could not cache debootstrap's packages (see $log)"
        rm -rf "$root.dl"
    fi
    if [ -f "$dbs_tar" ]; then
        debootstrap --variant=minbase --unpack-tarball="$dbs_tar" "$SUITE" "$root" "$mirror" >>"$log" 2>&1
    else
        debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >>"$log" 2>&1
    fi || die "debootstrap failed; log: $log"
fi
msg "root ready in $(( $(date +%s) - start )) s: $root"

# 2. apt in the root: the same archive as here; no install recommends, as a
# server install would have them: the project must not rely on them.
rm -f "$root/etc/apt/sources.list"
{
    for s in "${sources[@]}"; do
        read -r site rel <<<"$s"
        printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
            "$site" "$rel"
    done
} >"$root/etc/apt/sources.list.d/debian.sources"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No daemons from package installs inside the root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# 3. The repository: a clean clone of HEAD (committed state only).
head=$(git -C "$TOP" rev-parse HEAD)
git clone -q --no-local "$TOP" "$root/src/$PROJECT_NAME"
git -C "$root/src/$PROJECT_NAME" checkout -q "$head"
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] ||
    msg "note: uncommitted changes in $TOP are not part of this run (HEAD $head)"

# 4. Cached downloads, copied (the originals stay untouched).
incache=/var/cache/$PROJECT_NAME
if [ $use_cache = 1 ]; then
    mkdir -p "$root$incache"
    for d in src debs; do
        [ -d "$CACHE/$d" ] && cp -a "$CACHE/$d" "$root$incache/"
    done
    find "$root$incache" -name '*.part' -delete
    cp -a /var/cache/apt/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
fi

# 5. Mounts, then .ci/run as root inside. The root itself first, so that
# it is a mount point: a private mount namespace inside (the install tests'
# "unshare --propagation private") needs one at /.
bind "$root" "$root" --bind
mount --make-private "$root"
bind /proc "$root/proc" -t proc
bind /sys "$root/sys" --bind -o ro
bind /dev "$root/dev" --bind
bind devpts "$root/dev/pts" -t devpts -o newinstance,ptmxmode=0666
bind tmpfs "$root/dev/shm" -t tmpfs
bind tmpfs "$root/tmp" -t tmpfs -o mode=1777

msg "running .ci/run in the clean root (log: $log)"
rc=0
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    QEMU_IBM_CC_CACHE="$incache" CI_CLEAN_ROOM=1 \
    /bin/bash -c "cd /src/$PROJECT_NAME && .ci/run" >>"$log" 2>&1 || rc=$?

echo "=== clean room: .ci/run exit $rc (HEAD $head)"
sed -n '/^::: timing/,$p' "$log"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true
if [ $rc != 0 ]; then
    echo "--- last lines of the log:"
    tail -n 40 "$log"
fi
exit $rc
