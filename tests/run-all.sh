#!/usr/bin/env bash
# The whole test suite, layer by layer.  Each layer ends with a line
# '<layer>: N passed, N failed'; the run ends with 'N passed, N failed'
# over all layers and exits non-zero if anything failed.
#
#   tests/run-all.sh [core|qtest|boot|fuzz ...]      default: all layers
#
# FUZZ_SECONDS (default 60) bounds each fuzz target's run.
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
[ ${#layers[@]} = 0 ] && layers=(core qtest boot fuzz)
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

# Run a TAP-printing script; count ok / not ok / skips into $tap_p $tap_f $tap_s.
run_tap() { # log script...
    local log=$1
    shift
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    tap_p=$(grep -E '^ok ' "$log" | grep -vc '# SKIP' || true)
    tap_s=$(grep -cE '^ok .*# SKIP' "$log" || true)
    tap_f=$(grep -cE '^not ok ' "$log" || true)
    # a script that died without saying why still fails
    if [ "$rc" != 0 ] && [ "$tap_f" = 0 ]; then tap_f=1; fi
    if [ "$tap_p" = 0 ] && [ "$tap_f" = 0 ] && [ "$tap_s" = 0 ]; then tap_f=1; fi
}

run_boot() {
    local p=0 f=0 s=0
    run_tap "$LOGS/boot.log" /usr/bin/python3 "$TOP/tests/boot/run.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # Our SE boot loaders, exercised without an ultravisor (plain images).
    run_tap "$LOGS/se-boot.log" /usr/bin/python3 "$TOP/tests/se-boot/test_plain_stage3b.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # Protected guests on the emulated ultravisor (SE images, s390-pv-guest).
    run_tap "$LOGS/se-pv-boot.log" /usr/bin/python3 "$TOP/tests/se-boot/test_pv_boot.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # SE images booted through the stock s390-ccw BIOS from an El Torito ISO.
    run_tap "$LOGS/se-bios-boot.log" /usr/bin/python3 "$TOP/tests/se-boot/test_pv_bios_boot.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # Bad SE images, garbage guest UVCs, 20 reboots, virtio-net: on the
    # ASan/UBSan build (make qemu-asan) when it exists.
    run_tap "$LOGS/se-badinput.log" /usr/bin/python3 "$TOP/tests/se-boot/test_pv_badinput.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # PEF architecture conformance: bare-metal programs on powernv9/10 with
    # pef=off/on and an external ultravisor image; again on the ASan/UBSan
    # build (wrong-state ultracalls, secure-memory violations).
    run_tap "$LOGS/pef-arch.log" /usr/bin/python3 "$TOP/tests/pef-arch/test_pef_arch.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    run_tap "$LOGS/pef-arch-asan.log" /usr/bin/python3 "$TOP/tests/pef-arch/test_pef_arch.py" \
        --qemu build/qemu-system-ppc64-asan --tag asan- --timeout 180 --skip-missing
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    # The UV-aware Linux host (CONFIG_PPC_UV) on powernv9/powernv with
    # pef=off/on, a KVM-HV guest inside it; one pef=on boot again on the
    # ASan/UBSan build.
    run_tap "$LOGS/pef-boot.log" /usr/bin/python3 "$TOP/tests/pef-boot/test_pef_host.py"
    p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    if [ -x "$BUILD/qemu-system-ppc64-asan" ]; then
        ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=30 \
        LSAN_OPTIONS=suppressions=$TOP/tests/pef-boot/lsan-upstream.supp \
        QEMU_PPC64=$BUILD/qemu-system-ppc64-asan run_tap "$LOGS/pef-boot-asan.log" \
            /usr/bin/python3 "$TOP/tests/pef-boot/test_pef_host.py" -k pef_on_powernv9_radix
        p=$((p + tap_p)) f=$((f + tap_f)) s=$((s + tap_s))
    fi
    report boot "$p" "$f"
    [ "$s" = 0 ] || echo "(boot: $s skipped)"
}

run_fuzz() {
    run_tap "$LOGS/fuzz.log" "$TOP/scripts/fuzz.sh" "${FUZZ_SECONDS:-60}"
    report fuzz "$tap_p" "$tap_f"
}

for layer in "${layers[@]}"; do
    echo "=== $layer ==="
    start=$(date +%s)
    case $layer in
    core) run_core ;;
    qtest) run_qtest ;;
    boot) run_boot ;;
    fuzz) run_fuzz ;;
    *) die "unknown test layer '$layer' (core, qtest, boot, fuzz)" ;;
    esac
    echo "($layer took $(( $(date +%s) - start )) s)"
done

echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" = 0 ]
