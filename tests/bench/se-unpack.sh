#!/usr/bin/env bash
# Benchmark: Secure Execution image unpack throughput of the emulated
# ultravisor (pure core, se_uv_unpack of every page + se_uv_verify) next
# to `openssl speed -evp sha512` from the same run.  Target: unpack MB/s
# >= 0.8 x openssl's SHA-512 MB/s on 4096-byte blocks.
#
#   tests/bench/se-unpack.sh [--mib N] [--runs R]     (passed to the C part)
#
# Prints figures only: the verdict "ok"/"BELOW" is information, the exit
# status is non-zero only if something failed to run.  The C part
# (tests/bench/se-unpack-bench.c, built by scripts/build-core.sh) also
# times nettle's SHA-512 and AES-256-XTS alone over the same data, which
# is what unpacking is made of, and the same unpack with the core's PLD
# helper thread turned off (unpack-serial: everything on one thread, as
# before the helper existed).  The default unpack hashes the PLD on one
# helper thread while the caller decrypts, so it needs a second free core
# and cannot beat nettle's SHA-512 alone (the PLD is one running hash):
# the last ratio is the ceiling of the first.  Also shown: unpack MB per
# CPU second of the calling thread (the QEMU vCPU thread) and of the
# helper, which load on the machine disturbs less, and the projection
# from them for two free cores (the lower of the two; not a measurement,
# not used for the verdict).  MB = 10^6 bytes.  A wall-clock figure is
# only meaningful on an otherwise idle machine.
set -euo pipefail
. "$(dirname "$0")/../../scripts/common.sh"

TARGET=0.8
OPENSSL_SECONDS=${OPENSSL_SECONDS:-3}

bench=$CORE_BUILD/tests/bench/se-unpack-bench
[ -x "$bench" ] || die "$bench missing (run scripts/build-core.sh or make core)"
command -v openssl >/dev/null || die "openssl not found (scripts/deps.sh)"

out=$("$bench" "$@") || die "se-unpack-bench failed"

# Columns: name, best MB/s, best MiB/s, median MB/s
field() { # name column
    awk -v n="$1" -v c="$2" '$1 == n { print $c; found = 1 }
                              END { exit !found }' <<<"$out" ||
        die "no '$1' line in the se-unpack-bench output"
}
unpack=$(field unpack 2)
unpack_med=$(field unpack 4)
serial=$(field unpack-serial 2)
serial_med=$(field unpack-serial 4)
unpack_cpu=$(field unpack-cpu 2)
serial_cpu=$(field unpack-serial-cpu 2)
helper_cpu=$(field unpack-helper-cpu 2)
sha=$(field nettle-sha512 2)
xts=$(field nettle-aes256-xts 2)
bound=$(field sha512+xts-bound 2)
threads=$(sed -n 's/^# threads: //p' <<<"$out")
size_re='s/^# se-unpack-bench: \([0-9]* MiB\).*, \([0-9]*\) run.*'
size=$(sed -n "$size_re/\\1, best of \\2/p" <<<"$out")

# OpenSSL 3.0 prints, after its banner:
#   The 'numbers' are in 1000s of bytes per second processed.
#   type           4096 bytes
#   sha512         522645.42k
ossl_out=$(openssl speed -evp sha512 -bytes 4096 -seconds "$OPENSSL_SECONDS" \
           2>&1) || die "openssl speed failed: $ossl_out"
ossl_k=$(awk '/^type/ && $2 == "4096" { hdr = 1; next }
              hdr && $1 == "sha512" && $2 ~ /k$/ { sub(/k$/, "", $2);
                                                    print $2; exit }' \
         <<<"$ossl_out")
[ -n "$ossl_k" ] ||
    die "could not find the sha512 4096-byte figure in: $ossl_out"
ossl=$(awk -v k="$ossl_k" 'BEGIN { printf "%.1f", k / 1000 }')

nettle_ver=$(pkg-config --modversion nettle 2>/dev/null || echo "?")
ossl_ver=$(openssl version | awk '{ print $2 }')

row() { # label value [note]
    printf '  %-44s %9s MB/s%s\n' "$1" "$2" "${3:+  $3}"
}
ratio() { # a b
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

r=$(ratio "$unpack" "$ossl")
verdict=$(awk -v r="$r" -v t="$TARGET" \
              'BEGIN { print (r >= t) ? "ok" : "BELOW" }')

echo "se-unpack: SE image unpack vs openssl SHA-512" \
     "($size; nettle $nettle_ver, openssl $ossl_ver)"
echo "  threads: $threads"
row "unpack (se_uv_unpack per page + verify)" "$unpack" "(median $unpack_med)"
row "unpack, PLD helper off (one thread)" "$serial" "(median $serial_med)"
row "  same per CPU second of the calling thread" "$unpack_cpu" \
    "(helper off: $serial_cpu)"
row "  same per CPU second of the helper thread" "$helper_cpu"
proj=$(awk -v a="$unpack_cpu" -v b="$helper_cpu" \
           'BEGIN { printf "%.1f", a < b ? a : b }')
row "  projected with two free cores (lower one)" "$proj" \
    "(not measured; ratio to openssl $(ratio "$proj" "$ossl"))"
row "nettle sha512" "$sha"
row "nettle aes256-xts decrypt" "$xts"
row "nettle sha512 + xts back to back (bound)" "$bound"
row "openssl speed -evp sha512, 4096-byte blocks" "$ossl"
printf '  %-44s %9s       target >= %s  %s\n' "ratio unpack / openssl sha512" \
    "$r" "$TARGET" "$verdict"
printf '  %-44s %9s\n' "ratio unpack / unpack with helper off" \
    "$(ratio "$unpack" "$serial")"
printf '  %-44s %9s\n' "ratio unpack / bound (serial sha512 + xts)" \
    "$(ratio "$unpack" "$bound")"
printf '  %-44s %9s\n' "ratio unpack / nettle sha512 (1 = ceiling)" \
    "$(ratio "$unpack" "$sha")"
printf '  %-44s %9s       %s\n' "ratio nettle sha512 / openssl sha512" \
    "$(ratio "$sha" "$ossl")" "(ceiling of the target ratio)"
exit 0
