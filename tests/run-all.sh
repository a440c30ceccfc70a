#!/usr/bin/env bash
# The whole test suite, layer by layer.  Each layer ends with a line
# '<layer>: N passed, N failed'; the run ends with a table of how long each
# phase took and 'N passed, N failed' over all layers, and exits non-zero
# if anything failed.
#
#   tests/run-all.sh [--prepare] [core|qtest|boot|fuzz ...]   default: all layers
#
# --prepare first builds what the layers need (QEMU, the core, the
# fixtures, the custom kernels, the ASan/UBSan QEMU), each as a timed phase:
# this is what `make check` runs.
#
# FUZZ_SECONDS (default 30) bounds each fuzz target's run; `make fuzz` runs
# them longer.  CHECK_JOBS (default: the number of cores) is how many boot
# test chains run at once.
set -uo pipefail
. "$(dirname "$0")/../scripts/common.sh"

# Our qtests are listed in tests/qtest/ibm-cc-qtests-<arch>.txt; these are
# the upstream ones run as a smoke test of the machines we build on.
UPSTREAM_QTESTS_PPC64=(boot-serial-test pnv-xscom-test pnv-xive2-test
                       pnv-host-i2c-test machine-none-test cpu-plug-test)
UPSTREAM_QTESTS_S390X=(boot-serial-test virtio-ccw-test device-plug-test
                       cpu-plug-test machine-none-test)

prepare=0
layers=()
for a in "$@"; do
    case $a in
    --prepare) prepare=1 ;;
    *) layers+=("$a") ;;
    esac
done
[ ${#layers[@]} = 0 ] && layers=(core qtest boot fuzz)
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"

phase_times=()
run_start=$(date +%s)
# timed NAME COMMAND...: run a phase, remember how long it took.
timed() {
    local name=$1 start rc
    shift
    start=$(date +%s)
    "$@"
    rc=$?
    phase_times+=("$(printf '%-12s %5d s' "$name" $(( $(date +%s) - start )))")
    return $rc
}

total_pass=0 total_fail=0
report() { # layer passed failed
    printf '%s: %d passed, %d failed\n' "$1" "$2" "$3"
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
}

# Count results in a meson test log ("Ok: N" ... "Fail: N" summary):
# passed, failed (and timed out), skipped.
meson_counts() {
    local log=$1 ok fail to skip
    ok=$(awk '/^Ok:/ { print $2 }' "$log" | tail -n1)
    fail=$(awk '/^Fail:/ { print $2 }' "$log" | tail -n1)
    to=$(awk '/^Timeout:/ { print $2 }' "$log" | tail -n1)
    skip=$(awk '/^Skipped:/ { print $2 }' "$log" | tail -n1)
    echo "${ok:-0} $(( ${fail:-0} + ${to:-0} )) ${skip:-0}"
}

# A layer's skipped tests, each with its reason, after its count line.
report_skips() { # layer count log
    [ "$2" = 0 ] && return
    echo "($1: $2 skipped)"
    grep -E '# SKIP|^ *[0-9]+/[0-9]+ .* SKIP ' "$3" | sed 's/^/  /'
}

run_core() {
    "$TOP/scripts/build-core.sh" || { report core 0 1; return; }
    local log=$LOGS/core.log
    meson test -C "$CORE_BUILD" --print-errorlogs 2>&1 | tee "$log" |
        grep -E '^ *[0-9]+/[0-9]+ |^>>>|^(not ok|# )' || true
    read -r p f s < <(meson_counts "$log")
    [ "$p" = 0 ] && [ "$f" = 0 ] && f=1   # nothing ran: that is a failure
    report core "$p" "$f"
    report_skips core "$s" "$log"
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
    read -r p f s < <(meson_counts "$log")
    [ "$p" = 0 ] && [ "$f" = 0 ] && f=1
    report qtest "$p" "$f"
    report_skips qtest "$s" "$log"
}

# Count ok / not ok / skips of a TAP log into $tap_p $tap_f $tap_s; rc is
# the script's exit status.
tap_counts() { # log rc
    local log=$1 rc=$2
    tap_p=$(grep -E '^ok ' "$log" | grep -vc '# SKIP' || true)
    tap_s=$(grep -cE '^ok .*# SKIP|^1\.\.0 # SKIP' "$log" || true)
    tap_f=$(grep -cE '^not ok ' "$log" || true)
    # a script that died without saying why still fails
    if [ "$rc" != 0 ] && [ "$tap_f" = 0 ]; then tap_f=1; fi
    if [ "$tap_p" = 0 ] && [ "$tap_f" = 0 ] && [ "$tap_s" = 0 ]; then tap_f=1; fi
}

# Run a TAP-printing script, output streamed; counts as tap_counts.
run_tap() { # log script...
    local log=$1
    shift
    "$@" 2>&1 | tee "$log"
    tap_counts "$log" "${PIPESTATUS[0]}"
}

# The boot layer's scripts, in chains.  A chain runs its scripts one after
# the other (they share build outputs); chains share nothing and run side
# by side, CHECK_JOBS at a time: each guest is mostly one busy host thread.
# An entry is 'log-name|ENV=VALUE ...|script args...'.
PY=/usr/bin/python3
BOOT_CHAINS=(
    # Longest chains first.  The hostile-host suite (tests/hostile/
    # README.rst): every host interface against a protected guest, with
    # its unprotected control, and again (--quick) on the ASan/UBSan
    # build (make qemu-asan).  On that build also: bad SE images, garbage
    # guest UVCs, virtio-net; and 20 protected reboots.
    "hostile-s390x||$PY $TOP/tests/hostile/test_s390x.py"
    "hostile-pef||$PY $TOP/tests/hostile/test_pef.py
     hostile-pef-asan|ASAN_OPTIONS=detect_leaks=0 QEMU_PPC64=$BUILD/qemu-system-ppc64-asan|$PY $TOP/tests/hostile/test_pef.py --quick"
    "se-badinput||$PY $TOP/tests/se-boot/test_pv_badinput.py 0 1 2 4
     hostile-s390x-asan|ASAN_OPTIONS=detect_leaks=0 QEMU_S390X=$BUILD/qemu-system-s390x-asan|$PY $TOP/tests/hostile/test_s390x.py --quick"
    "se-reboots||$PY $TOP/tests/se-boot/test_pv_badinput.py 3
     se-dump||$PY $TOP/tests/se-boot/test_pv_dump.py
     se-probe||$PY $TOP/tests/se-boot/test_pv_probe.py"
    # POWER Secure VMs on pseries under TCG (pef-guest, swtpm): boot,
    # virtio through bounce buffers, reboots, every ESM failure, all again
    # on the ASan/UBSan build with the hostile-host suite's --quick rows;
    # the whole hostile-host suite against an SVM.
    "pef-svm||$PY $TOP/tests/pef-svm/test_svm_pseries.py
     pef-svm-asan|ASAN_OPTIONS=detect_leaks=0 QEMU_PPC64=$BUILD/qemu-system-ppc64-asan PEF_SVM_WORK=$BUILD/pef-svm-asan|$PY $TOP/tests/pef-svm/test_svm_pseries.py -k svm_
     hostile-pef-pseries-asan|ASAN_OPTIONS=detect_leaks=0 QEMU_PPC64=$BUILD/qemu-system-ppc64-asan|$PY $TOP/tests/hostile/test_pef_pseries.py --quick"
    "hostile-pef-pseries||$PY $TOP/tests/hostile/test_pef_pseries.py"
    # s390x: our SE boot loaders without an ultravisor (plain images);
    # protected guests on the emulated ultravisor (SE images,
    # s390-pv-guest); SE images through the stock s390-ccw BIOS from an
    # El Torito ISO.  Then Debian and our custom kernels to /init on every
    # machine; the installed tree (make install) used by user nobody.
    "se-boot||$PY $TOP/tests/se-boot/test_plain_stage3b.py
     se-pv-boot||$PY $TOP/tests/se-boot/test_pv_boot.py
     se-attest||$PY $TOP/tests/se-boot/test_pv_attest.py
     se-secret||$PY $TOP/tests/se-boot/test_pv_secret.py
     se-bios-boot||$PY $TOP/tests/se-boot/test_pv_bios_boot.py
     boot||$PY $TOP/tests/boot/run.py
     install||$PY $TOP/tests/install/test_install.py"
    # ppc64: the UV-aware Linux host (CONFIG_PPC_UV) on powernv9/powernv
    # with pef=off/on and a KVM-HV guest inside it, one pef=on boot again
    # on the ASan/UBSan build; PEF architecture conformance (bare-metal
    # programs on powernv9/10, pef off/on, external ultravisor image),
    # again on the ASan/UBSan build; the device tree a PEF machine gives
    # its firmware.  Nested: that host runs Debian's qemu-system-ppc64
    # (scripts/mk-l1-rootfs.py) with a normal KVM pseries guest and a Linux
    # Secure VM (the reduced forms; make check-slow runs the rest).
    "pef-boot||$PY $TOP/tests/pef-boot/test_pef_host.py
     pef-nested||$PY $TOP/tests/pef-nested/test_nested.py
     pef-boot-asan|ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=30 LSAN_OPTIONS=suppressions=$TOP/tests/pef-boot/lsan-upstream.supp QEMU_PPC64=$BUILD/qemu-system-ppc64-asan|$PY $TOP/tests/pef-boot/test_pef_host.py -k pef_on_powernv9_radix
     pef-arch||$PY $TOP/tests/pef-arch/test_pef_arch.py
     pef-dt||$PY $TOP/tests/pef-arch/test_pef_dt.py
     pef-arch-asan||$PY $TOP/tests/pef-arch/test_pef_arch.py --qemu $BUILD/qemu-system-ppc64-asan --tag asan- --timeout 180 --skip-missing"
)

# Run one chain; each finished script's log is printed whole, under a lock,
# and its counts appended to $2.
run_chain() { # chain results-file
    local entry name envs cmd rc start
    while IFS= read -r entry; do
        entry=${entry#"${entry%%[![:space:]]*}"}
        [ -n "$entry" ] || continue
        IFS='|' read -r name envs cmd <<<"$entry"
        start=$(date +%s)
        if [ "$name" = pef-boot-asan ] && [ ! -x "$BUILD/qemu-system-ppc64-asan" ]; then
            echo "1..0 # SKIP $BUILD/qemu-system-ppc64-asan not built (make qemu-asan)" \
                >"$LOGS/$name.log"
            rc=0
        else
            # shellcheck disable=SC2086 # word splitting of envs/cmd is intended
            env $envs $cmd >"$LOGS/$name.log" 2>&1
            rc=$?
        fi
        tap_counts "$LOGS/$name.log" "$rc"
        {
            flock 9
            echo "--- $name ($(( $(date +%s) - start )) s)"
            cat "$LOGS/$name.log"
            echo "$name $tap_p $tap_f $tap_s $(( $(date +%s) - start ))" >>"$2"
        } 9>"$LOGS/.boot.lock"
    done <<<"$1"
}

run_boot() {
    local results=$LOGS/.boot-results p=0 f=0 s=0 c max name cp cf cs secs
    max=${CHECK_JOBS:-$(jobs)}
    : >"$results"
    for c in "${BOOT_CHAINS[@]}"; do
        job_slot "$max"
        run_chain "$c" "$results" &
    done
    wait
    echo "--- boot scripts (${#BOOT_CHAINS[@]} chains, $max at a time):"
    : >"$LOGS/boot-skips.log"
    while read -r name cp cf cs secs; do
        grep -E '# SKIP' "$LOGS/$name.log" | sed "s|^|$name: |" >>"$LOGS/boot-skips.log"
        printf '  %-16s %3d passed %3d failed %3d skipped %5d s\n' "$name" "$cp" "$cf" "$cs" "$secs"
        p=$((p + cp)) f=$((f + cf)) s=$((s + cs))
    done <"$results"
    [ -s "$results" ] || f=1
    report boot "$p" "$f"
    report_skips boot "$s" "$LOGS/boot-skips.log"
}

run_fuzz() {
    run_tap "$LOGS/fuzz.log" "$TOP/scripts/fuzz.sh" "${FUZZ_SECONDS:-30}"
    report fuzz "$tap_p" "$tap_f"
    report_skips fuzz "$tap_s" "$LOGS/fuzz.log"
}

if [ $prepare = 1 ]; then
    # What the layers need, in the order of the Makefile's targets.
    for t in qemu core fixtures kernels qemu-asan; do
        echo "=== build: $t ==="
        timed "$t" make --no-print-directory -C "$TOP" "$t" ||
            { echo "build step '$t' failed"; report "build-$t" 0 1; }
    done
fi

for layer in "${layers[@]}"; do
    echo "=== $layer ==="
    case $layer in
    core) timed core run_core ;;
    qtest) timed qtest run_qtest ;;
    boot) timed boot run_boot ;;
    fuzz) timed fuzz run_fuzz ;;
    *) die "unknown test layer '$layer' (core, qtest, boot, fuzz)" ;;
    esac
done

echo "=== time per phase"
printf '  %s\n' "${phase_times[@]}"
printf '  %-12s %5d s\n' total $(( $(date +%s) - run_start ))
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" = 0 ]
