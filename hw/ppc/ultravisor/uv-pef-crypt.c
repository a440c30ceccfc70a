/*
 * The built-in POWER ultravisor: encryption of the pages it gives back to
 * the hypervisor (UV_PAGE_OUT) and their check when they return
 * (UV_PAGE_IN).  AES-128-GCM with a per-SVM random key; the IV is a
 * random 4-byte fixed part and a 64-bit counter, so no (key, IV) pair is
 * ever used twice (NIST SP 800-38D, 8.2.1 deterministic construction).
 * The additional data binds a page to its SVM and gpa (our addition), so
 * a page cannot be replayed at another address or into another SVM.
 * GnuTLS's GCM, not nettle's: faster here (AES-NI and carry-less
 * multiply).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "crypto/random.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "uv-pef-internal.h"

#include <gnutls/crypto.h>

static void page_aad(uint8_t aad[16], uint64_t lpid, uint64_t gfn)
{
    cc_put_be64(aad, lpid);
    cc_put_be64(aad + 8, gfn);
}

static bool svm_random(void *buf, size_t len)
{
    return qcrypto_random_bytes(buf, len, NULL) == 0;
}

bool svm_next_iv(UvPefSvm *svm, uint8_t iv[GCM_IV_LEN])
{
    if (!svm->have_key) {
        if (!svm_random(svm->key, sizeof(svm->key)) ||
            !svm_random(svm->iv_fixed, sizeof(svm->iv_fixed))) {
            cc_wipe(svm->key, sizeof(svm->key));
            return false;
        }
        svm->iv_counter = 0;
        svm->have_key = true;
    }
    memcpy(iv, svm->iv_fixed, GCM_IV_FIXED);
    cc_put_be64(iv + GCM_IV_FIXED, svm->iv_counter);
    if (svm->iv_counter == UINT64_MAX) {
        /* New fixed part, so no (key, IV) pair repeats. */
        if (!svm_random(svm->iv_fixed, sizeof(svm->iv_fixed))) {
            return false;
        }
        svm->iv_counter = 0;
    } else {
        svm->iv_counter++;
    }
    return true;
}

/* Encrypt or decrypt (@enc) @out in place, tag in/out of @pg. */
static bool page_gcm(UvPefSvm *svm, UvPefPage *pg, uint8_t *out, bool enc)
{
    gnutls_datum_t key = { .data = svm->key, .size = sizeof(svm->key) };
    gnutls_aead_cipher_hd_t h;
    uint8_t aad[16];
    giovec_t aiov = { .iov_base = aad, .iov_len = sizeof(aad) };
    giovec_t iov = { .iov_base = out, .iov_len = PAGE_SIZE };
    size_t tag_len = GCM_TAG_LEN;
    int ret;

    page_aad(aad, svm->lpid, pg->gfn);
    if (gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_128_GCM, &key) < 0) {
        return false;
    }
    if (enc) {
        ret = gnutls_aead_cipher_encryptv2(h, pg->iv, GCM_IV_LEN, &aiov, 1,
                                           &iov, 1, pg->tag, &tag_len);
    } else {
        ret = gnutls_aead_cipher_decryptv2(h, pg->iv, GCM_IV_LEN, &aiov, 1,
                                           &iov, 1, pg->tag, GCM_TAG_LEN);
    }
    gnutls_aead_cipher_deinit(h);
    return ret == 0;
}

/* @in -> @out; on failure @out holds nothing of either */
static bool page_crypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                       uint8_t *out, bool enc)
{
    memcpy(out, in, PAGE_SIZE);
    if (!page_gcm(svm, pg, out, enc)) {
        cc_wipe(out, PAGE_SIZE);
        return false;
    }
    return true;
}

bool page_encrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                  uint8_t *out)
{
    return page_crypt(svm, pg, in, out, true);
}

bool page_decrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                  uint8_t *out)
{
    return page_crypt(svm, pg, in, out, false);
}
