#!/usr/bin/env bash
# Build the libFuzzer targets with clang + ASan/UBSan and run each for a
# bounded time.  TAP output: one line per target with executions and
# crashes; a crash fails the run and leaves its reproducer in
# build/fuzz/crashes/<target>/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 60
#
# Targets run side by side, one per core.
set -uo pipefail
. "$(dirname "$0")/common.sh"

secs=${1:-60}
FUZZ_BUILD=$BUILD/fuzz
command -v clang >/dev/null || die "clang not found (run scripts/deps.sh)"
if [ ! -f "$FUZZ_BUILD/build.ninja" ]; then
    CC=clang meson setup "$FUZZ_BUILD" "$TOP" -Dfuzzing=true -Dwerror=false \
        -Db_sanitize=address,undefined -Db_lundef=false \
        >"$BUILD/fuzz-setup.log" 2>&1 ||
        { tail -n 20 "$BUILD/fuzz-setup.log" >&2; die "meson setup of the fuzz build failed"; }
fi
ninja -C "$FUZZ_BUILD" >"$BUILD/fuzz-build.log" 2>&1 ||
    { tail -n 30 "$BUILD/fuzz-build.log" >&2; die "fuzz build failed"; }

mapfile -t targets < <(find "$FUZZ_BUILD/tests/fuzz" -maxdepth 1 -type f -name 'fuzz-*' -perm -u+x | sort)
[ ${#targets[@]} -gt 0 ] || die "no fuzz targets built"
# Run one target; its TAP line goes to $FUZZ_BUILD/<name>.tap.
fuzz_one() { # n target
    local n=$1 t=$2 name corpus crashes seeds log rc execs ncrash
    name=$(basename "$t")
    corpus=$FUZZ_BUILD/corpus/$name
    crashes=$FUZZ_BUILD/crashes/$name
    mkdir -p "$corpus" "$crashes"
    seeds=()
    [ -d "$TOP/tests/fuzz/seeds/$name" ] && seeds+=("$TOP/tests/fuzz/seeds/$name")
    [ "$name" = fuzz-eckey ] && seeds+=("$TOP/tests/core/data")
    log=$FUZZ_BUILD/$name.log
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$t" -max_total_time="$secs" -artifact_prefix="$crashes/" \
        -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    ncrash=$(find "$crashes" -type f | wc -l)
    if [ $rc = 0 ] && [ "$ncrash" = 0 ]; then
        echo "ok $n - $name: ${execs:-?} executions in ${secs} s, 0 crashes"
    else
        echo "not ok $n - $name: ${execs:-?} executions, $ncrash crash file(s), exit $rc"
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/# /'
    fi >"$FUZZ_BUILD/$name.tap"
}

# The targets are single-threaded: run as many at once as there are cores.
echo "1..${#targets[@]}"
n=0
for t in "${targets[@]}"; do
    n=$((n + 1))
    job_slot "$(jobs)"
    fuzz_one "$n" "$t" &
done
wait
bad=0
for t in "${targets[@]}"; do
    tap=$FUZZ_BUILD/$(basename "$t").tap
    cat "$tap" 2>/dev/null || { echo "not ok - $(basename "$t"): no result"; bad=1; }
    grep -q '^not ok' "$tap" 2>/dev/null && bad=1
done
exit $bad
