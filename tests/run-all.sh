#!/usr/bin/env bash
# The whole test suite, layer by layer.  Each layer ends with a line
# '<layer>: N passed, N failed'; the run ends with 'N passed, N failed'
# over all layers and exits non-zero if anything failed.
#
#   tests/run-all.sh [core|qtest|boot ...]      default: all layers
#
# Expects the build (make qemu core) and the fixtures (make fixtures); the
# Makefile's `check` target sees to both.
set -uo pipefail
. "$(dirname "$0")/../scripts/common.sh"

# Our qtests are listed in tests/qtest/ibm-cc-qtests-<arch>.txt; these are
# the upstream ones run as a smoke test of the machines we build on.
UPSTREAM_QTESTS_PPC64=(boot-serial-test pnv-xscom-test pnv-xive2-test
                       pnv-host-i2c-test machine-none-test cpu-plug-test)
UPSTREAM_QTESTS_S390X=(boot-serial-test virtio-ccw-test device-plug-test
                       cpu-plug-test machine-none-test)

layers=("$@")
[ ${#layers[@]} = 0 ] && layers=(core qtest boot)
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"

total_pass=0 total_fail=0
report() { # layer passed failed
    printf '%s: %d passed, %d failed\n' "$1" "$2" "$3"
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
}

# Count results in a meson test log ("Ok: N" ... "Fail: N" summary).
meson_counts() {
    local log=$1 ok fail to
    ok=$(awk '/^Ok:/ { print $2 }' "$log" | tail -n1)
    fail=$(awk '/^Fail:/ { print $2 }' "$log" | tail -n1)
    to=$(awk '/^Timeout:/ { print $2 }' "$log" | tail -n1)
    echo "${ok:-0} $(( ${fail:-0} + ${to:-0} ))"
}

run_core() {
    "$TOP/scripts/build-core.sh" || { report core 0 1; return; }
    local log=$LOGS/core.log
    meson test -C "$CORE_BUILD" --print-errorlogs 2>&1 | tee "$log" |
        grep -E '^ *[0-9]+/[0-9]+ |^>>>|^(not ok|# )' || true
    read -r p f < <(meson_counts "$log")
    [ "$p" = 0 ] && [ "$f" = 0 ] && f=1   # nothing ran: that is a failure
    report core "$p" "$f"
}

run_qtest() {
    local names=() bins=() t
    for t in $(cat "$TOP/tests/qtest/ibm-cc-qtests-ppc64.txt") "${UPSTREAM_QTESTS_PPC64[@]}"; do
        names+=("qtest-ppc64/$t"); bins+=("tests/qtest/$t")
    done
    for t in $(cat "$TOP/tests/qtest/ibm-cc-qtests-s390x.txt") "${UPSTREAM_QTESTS_S390X[@]}"; do
        names+=("qtest-s390x/$t"); bins+=("tests/qtest/$t")
    done
    mapfile -t bins < <(printf '%s\n' "${bins[@]}" | sort -u)
    if ! "$TOP/scripts/build-qemu.sh" "${bins[@]}" qemu-system-ppc64 qemu-system-s390x \
        >"$LOGS/qtest-build.log" 2>&1; then
        tail -n 30 "$LOGS/qtest-build.log"
        report qtest 0 1
        return
    fi
    local log=$LOGS/qtest.log
    meson test -C "$QEMU_BUILD" --no-rebuild --print-errorlogs \
        --num-processes "$(jobs)" "${names[@]}" 2>&1 | tee "$log" |
        grep -E '^ *[0-9]+/[0-9]+ |^>>>|^(not ok|# )' || true
    read -r p f < <(meson_counts "$log")
    [ "$p" = 0 ] && [ "$f" = 0 ] && f=1
    report qtest "$p" "$f"
}

run_boot() {
    local log=$LOGS/boot.log
    /usr/bin/python3 "$TOP/tests/boot/run.py" 2>&1 | tee "$log"
    local last p f
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n1)
    if [ -z "$last" ]; then
        report boot 0 1
        return
    fi
    p=${last%% passed*}
    f=${last#*passed, }
    f=${f%% failed*}
    report boot "$p" "$f"
}

for layer in "${layers[@]}"; do
    echo "=== $layer ==="
    start=$(date +%s)
    case $layer in
    core) run_core ;;
    qtest) run_qtest ;;
    boot) run_boot ;;
    *) die "unknown test layer '$layer' (core, qtest, boot)" ;;
    esac
    echo "($layer took $(( $(date +%s) - start )) s)"
done

echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" = 0 ]
