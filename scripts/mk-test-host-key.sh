#!/usr/bin/env bash
# Make a TEST host key pair for IBM Z Secure Execution under qemu-ibm-cc:
#   OUTDIR/NAME.key  EC secp521r1 private key (SEC1 PEM), held by the
#                    emulated ultravisor
#   OUTDIR/NAME.crt  self-signed X.509 certificate (PEM) for it: the
#                    host-key document given to pvimg/genprotimg with
#                    --no-verify
# The certificate is NOT signed by IBM and is only good for testing.
#
# Idempotent: existing files are kept unless --force is given.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

prog=$(basename "$0")
usage() {
    cat <<EOF
usage: $prog [--force] OUTDIR [NAME]

Creates OUTDIR/NAME.key (secp521r1 private key, SEC1 PEM) and OUTDIR/NAME.crt
(self-signed X.509 host-key document, PEM) for Secure Execution tests.
NAME defaults to "host".  Existing files are left alone unless --force is
given.  These keys are for testing only; the certificate is not IBM-signed,
so SE images built for it need pvimg/genprotimg --no-verify.
EOF
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

force=0
args=()
for a in "$@"; do
    case $a in
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option '$a'" ;;
    *) args+=("$a") ;;
    esac
done
if [ ${#args[@]} -lt 1 ] || [ ${#args[@]} -gt 2 ]; then
    usage >&2
    exit 2
fi
outdir=${args[0]}
name=${args[1]:-host}
case $name in
''|*/*) die "NAME must be a plain file name, got '$name'" ;;
esac

command -v openssl >/dev/null || die "openssl not found (install the openssl package)"

key=$outdir/$name.key
crt=$outdir/$name.crt
subject="/O=qemu-ibm-cc/OU=TEST ONLY - not IBM-signed/CN=qemu-ibm-cc test host key"

mkdir -p "$outdir"

if [ "$force" = 0 ] && [ -e "$key" ] && [ -e "$crt" ]; then
    echo "$prog: $key and $crt exist, keeping them (use --force to replace)"
    exit 0
fi
if [ "$force" = 0 ] && [ -e "$crt" ]; then
    die "$crt exists but $key does not; use --force to make a new pair"
fi

tmp=$(mktemp -d "$outdir/.mk-test-host-key.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ "$force" = 1 ] || [ ! -e "$key" ]; then
    (umask 077 && openssl ecparam -name secp521r1 -genkey -noout \
        -out "$tmp/key.pem")
else
    echo "$prog: reusing existing $key"
    cp -p "$key" "$tmp/key.pem"
fi

# The key must be a P-521 key (an existing one may not be).
if ! openssl ec -in "$tmp/key.pem" -noout -text 2>/dev/null |
        grep -q 'ASN1 OID: secp521r1'; then
    die "$key is not an unencrypted secp521r1 EC private key"
fi

openssl req -x509 -new -key "$tmp/key.pem" -subj "$subject" -days 36500 \
    -sha512 -out "$tmp/crt.pem" 2>/dev/null

# Cross-check: the certificate carries the key's public key.
if [ "$(openssl x509 -in "$tmp/crt.pem" -noout -pubkey)" != \
     "$(openssl ec -in "$tmp/key.pem" -pubout 2>/dev/null)" ]; then
    die "internal error: certificate does not match the key"
fi

mv -f "$tmp/key.pem" "$key"
mv -f "$tmp/crt.pem" "$crt"
echo "$prog: wrote $key (TEST private key) and $crt (self-signed host-key" \
     "document, not IBM-signed)"
