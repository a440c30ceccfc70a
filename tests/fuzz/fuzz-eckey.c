/*
 * libFuzzer target for the key document loader (PEM/DER, SEC1, PKCS#8,
 * SubjectPublicKeyInfo, X.509, decoded by GnuTLS; private keys that
 * GnuTLS refuses are read again with nettle's DER iterator): every input
 * is fed to both the private and the public key loader.  A failure must
 * set an error and leave the key zeroed; a success must have produced the
 * kind of key asked for, with every number at most 521 bits.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * GnuTLS and nettle are not instrumented: the fuzzer's coverage guidance
 * sees only this loader, and ASan checks the libraries' accesses to the
 * input through its interceptors only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-eckey.h"

static void check(bool ok, bool want_private, const CCEcKey *key,
                  GError *err)
{
    static const CCEcKey zero;

    if (ok) {
        if (err || (want_private ? !key->has_private : !key->has_public) ||
            (!want_private && key->has_private) ||
            key->d[0] > 0x01 || key->x[0] > 0x01 || key->y[0] > 0x01) {
            abort();
        }
    } else if (!err || !err->message || err->domain != CC_ECKEY_ERROR ||
               memcmp(key, &zero, sizeof(zero)) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL;
    CCEcKey key;
    bool ok;

    memset(&key, 0xaa, sizeof(key));
    ok = cc_eckey_load_private(data, size, &key, &err);
    check(ok, true, &key, err);
    g_clear_error(&err);

    memset(&key, 0xaa, sizeof(key));
    ok = cc_eckey_load_public(data, size, &key, &err);
    check(ok, false, &key, err);
    g_clear_error(&err);
    return 0;
}
