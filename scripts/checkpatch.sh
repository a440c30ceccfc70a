#!/usr/bin/env bash
# Run QEMU's scripts/checkpatch.pl (from the extracted tree) over our C
# sources and our patches.  TAP output; skipped (plan 1..0, exit 0) when the
# QEMU tree is not extracted yet.
set -uo pipefail
. "$(dirname "$0")/common.sh"

cp=$QEMU_SRC/scripts/checkpatch.pl
if [ ! -f "$cp" ]; then
    echo "1..0 # SKIP $cp not found (run make qemu)"
    exit 0
fi
cd "$TOP"
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
    -- '*.c' '*.h' | grep -v '^tests/core/shim/')
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series)
echo "1..$(( ${#files[@]} + ${#patches[@]} ))"
n=0 bad=0
for f in "${files[@]}"; do
    n=$((n + 1))
    if out=$(perl "$cp" --no-tree -q -f "$f" 2>&1); then
        echo "ok $n - $f"
    else
        bad=1
        echo "not ok $n - $f"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
done
for p in "${patches[@]}"; do
    n=$((n + 1))
    if out=$(perl "$cp" --no-tree -q "patches/$p" 2>&1); then
        echo "ok $n - patches/$p"
    else
        bad=1
        echo "not ok $n - patches/$p"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
done
exit $bad
