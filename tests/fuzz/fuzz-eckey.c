/*
 * libFuzzer target for the key document parsers (PEM/DER, SEC1, PKCS#8,
 * SubjectPublicKeyInfo, X.509): every input is fed to both the private
 * and the public key loader.  A failure must set an error and leave the
 * key zeroed; a success must have produced the kind of key asked for.
 *
 * Build (not wired into meson):
 *   clang -fsanitize=fuzzer,address,undefined -Itests/core/shim -Iinclude \
 *       tests/fuzz/fuzz-eckey.c util/cc-eckey.c util/cc-der.c util/cc-buf.c \
 *       $(pkg-config --cflags --libs glib-2.0) -o fuzz-eckey
 *   ./fuzz-eckey -max_total_time=30 CORPUS_DIR tests/core/data
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
            (!want_private && key->has_private)) {
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
