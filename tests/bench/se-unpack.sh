#!/usr/bin/env bash
# Benchmark: Secure Execution image unpack throughput of the emulated
# ultravisor (pure core, se_uv_unpack of every page + se_uv_verify) next
# to `openssl speed -evp sha512` from the same run.  Target: unpack MB/s
# >= 0.8 x openssl's SHA-512 MB/s on 4096-byte blocks, with the host idle
# and with one busy-loop process per core running beside it.
#
#   tests/bench/se-unpack.sh [--rounds N] [--mib M]
#
# Each condition (idle, then loaded) is N rounds (default 3), each one
# C-bench run (one timing of every figure) followed by one `openssl speed`
# run of OPENSSL_SECONDS (default 2): on a shared or busy host the speed
# drifts by tens of per cent within seconds, so both sides are sampled in
# the same stretches of time and the best round of each is compared (best
# against best), wall clock against wall clock (openssl's -elapsed) and
# CPU time against CPU time.  The wall-clock ratio of each round's pair is
# printed too, as the spread.  Under load, both sides share their core
# with a busy loop.
#
# Prints figures only: the verdict "ok"/"BELOW" is information, the exit
# status is non-zero only if something failed to run.  The C part
# (tests/bench/se-unpack-bench.c, built by scripts/build-core.sh) also
# times GnuTLS's and nettle's SHA-512 and AES-256-XTS alone over the same
# data (the core uses the faster, GnuTLS's, on the calling thread only);
# "bound" is GnuTLS's SHA-512 and XTS back to back, what unpacking is
# made of.  Also shown: unpack MB per CPU second of the calling thread
# (in QEMU the vCPU thread), which load on the machine disturbs less.
# MB = 10^6 bytes.
set -euo pipefail
. "$(dirname "$0")/../../scripts/common.sh"

TARGET=0.8
OPENSSL_SECONDS=${OPENSSL_SECONDS:-2}
ROUNDS=3
MIB=256

while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) ROUNDS=${2:?--rounds N}; shift 2 ;;
    --mib) MIB=${2:?--mib M}; shift 2 ;;
    *) die "usage: $0 [--rounds N] [--mib M]" ;;
    esac
done
case "$ROUNDS" in
''|*[!0-9]*|0) die "--rounds must be a positive number" ;;
esac

bench=$CORE_BUILD/tests/bench/se-unpack-bench
[ -x "$bench" ] || die "$bench missing (run scripts/build-core.sh or make core)"
command -v openssl >/dev/null || die "openssl not found (scripts/deps.sh)"

# se-unpack-bench columns: name, best MB/s, best MiB/s, median MB/s
field() { # output name
    awk -v n="$2" '$1 == n { print $2; found = 1 }
                   END { exit !found }' <<<"$1" ||
        die "no '$2' line in the se-unpack-bench output"
}

# OpenSSL 3.0 prints, after its banner:
#   The 'numbers' are in 1000s of bytes per second processed.
#   type           4096 bytes
#   sha512         522645.42k
# `openssl speed` divides by the process's CPU time unless -elapsed: pass
# "-elapsed" for the wall-clock figure.
openssl_mbs() {
    local out k
    out=$(openssl speed -evp sha512 -bytes 4096 "$@" \
          -seconds "$OPENSSL_SECONDS" 2>&1) ||
        die "openssl speed failed: $out"
    k=$(awk '/^type/ && $2 == "4096" { hdr = 1; next }
             hdr && $1 == "sha512" && $2 ~ /k$/ { sub(/k$/, "", $2);
                                                  print $2; exit }' <<<"$out")
    [ -n "$k" ] ||
        die "could not find the sha512 4096-byte figure in: $out"
    awk -v k="$k" 'BEGIN { printf "%.1f", k / 1000 }'
}

names="unpack unpack-cpu gnutls-sha512 gnutls-aes256-xts nettle-sha512
       nettle-aes256-xts sha512+xts-bound"

row() { # label value [note]
    printf '  %-44s %9s MB/s%s\n' "$1" "$2" "${3:+  $3}"
}
ratio() { # a b
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# One condition: ROUNDS interleaved rounds, then its table.
measure() { # title
    local -A best=()
    local spread="" i n v u out r verdict
    for ((i = 1; i <= ROUNDS; i++)); do
        out=$("$bench" --mib "$MIB" --runs 1) || die "se-unpack-bench failed"
        for n in $names openssl-cpu openssl; do
            if [ "$n" = openssl ]; then
                v=$(openssl_mbs -elapsed)
            elif [ "$n" = openssl-cpu ]; then
                v=$(openssl_mbs)
            else
                v=$(field "$out" "$n")
            fi
            best[$n]=$(awk -v a="${best[$n]:-0}" -v b="$v" \
                           'BEGIN { print (b > a) ? b : a }')
            [ "$n" = unpack ] && u=$v
        done
        spread+="${spread:+ }$(ratio "$u" "$v")"
    done
    r=$(ratio "${best[unpack]}" "${best[openssl]}")
    verdict=$(awk -v r="$r" -v t="$TARGET" \
                  'BEGIN { print (r >= t) ? "ok" : "BELOW" }')
    echo "  -- $1"
    row "unpack (se_uv_unpack per page + verify)" "${best[unpack]}"
    row "  same per CPU second of the calling thread" "${best[unpack-cpu]}"
    row "gnutls sha512" "${best[gnutls-sha512]}"
    row "gnutls aes256-xts decrypt" "${best[gnutls-aes256-xts]}"
    row "gnutls sha512 + xts back to back (bound)" "${best[sha512+xts-bound]}"
    row "nettle sha512" "${best[nettle-sha512]}"
    row "nettle aes256-xts decrypt" "${best[nettle-aes256-xts]}"
    row "openssl speed -evp sha512 -elapsed, 4 KiB" "${best[openssl]}"
    row "  same per CPU second (without -elapsed)" "${best[openssl-cpu]}"
    printf '  %-44s %9s       target >= %s  %s\n' \
        "ratio unpack / openssl sha512 (wall clock)" "$r" "$TARGET" "$verdict"
    printf '  %-44s %9s\n' "ratio of the same per CPU second" \
        "$(ratio "${best[unpack-cpu]}" "${best[openssl-cpu]}")"
    printf '  %-44s %9s\n' "ratio unpack / openssl sha512, each round" \
        "$spread"
    printf '  %-44s %9s\n' "ratio unpack / bound" \
        "$(ratio "${best[unpack]}" "${best[sha512+xts-bound]}")"
    printf '  %-44s %9s\n' "ratio gnutls sha512 / nettle sha512" \
        "$(ratio "${best[gnutls-sha512]}" "${best[nettle-sha512]}")"
    printf '  %-44s %9s\n' "ratio gnutls xts / nettle xts" \
        "$(ratio "${best[gnutls-aes256-xts]}" "${best[nettle-aes256-xts]}")"
}

load_pids=()
stop_load() {
    [ ${#load_pids[@]} = 0 ] || kill "${load_pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    load_pids=()
}
trap stop_load EXIT

gnutls_ver=$(pkg-config --modversion gnutls 2>/dev/null || echo "?")
nettle_ver=$(pkg-config --modversion nettle 2>/dev/null || echo "?")
ossl_ver=$(openssl version | awk '{ print $2 }')
echo "se-unpack: SE image unpack vs openssl SHA-512 ($MIB MiB, best of" \
     "$ROUNDS interleaved rounds; gnutls $gnutls_ver, nettle $nettle_ver," \
     "openssl $ossl_ver)"
measure "idle"
for ((i = 0; i < $(jobs); i++)); do
    sh -c 'while :; do :; done' &
    load_pids+=($!)
done
measure "loaded: $(jobs) busy-loop process(es) beside it, one per core"
stop_load
exit 0
