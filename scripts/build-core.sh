#!/usr/bin/env bash
# Build the QEMU-independent core (root meson.build): library, unit tests,
# command-line tools.  Seconds, no QEMU needed.  Tools end up in build/tools/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ ! -f "$CORE_BUILD/build.ninja" ]; then
    meson setup "$CORE_BUILD" "$TOP" >"$BUILD/core-setup.log" 2>&1 ||
        { tail -n 20 "$BUILD/core-setup.log" >&2; die "meson setup of the core failed; log: $BUILD/core-setup.log"; }
fi
ninja -C "$CORE_BUILD" >/dev/null
mkdir -p "$CORE_BUILD/tools"
ln -sfn core/tools "$BUILD/tools"
