/*
 * IBM Z Secure Execution UNPACK_IMG / VERIFY_IMG state machine and the
 * builder's pack side (see hw/s390x/se/se-unpack.h).
 *
 * One page is one AES-256-XTS data unit whose 16-byte tweak is the XTS IV
 * (s390-tools genprotimg/src/pv/pv_image.c, the tweak of each page).
 * Both primitives are GnuTLS's: its AES-XTS uses AES-NI and its SHA-512
 * the hand-tuned assembly, several times and about 1.4 times faster than
 * nettle's here (make bench, tests/bench/se-unpack.sh, prints both).
 * Everything runs on the calling thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-unpack.h"

#include <gnutls/crypto.h>

/* Running PLD/ALD/TLD and page count, shared by both directions. */
typedef struct SeDigests {
    gnutls_hash_hd_t pld;
    gnutls_hash_hd_t ald;
    gnutls_hash_hd_t tld;
    uint64_t pages;
} SeDigests;

struct SeUnpackCtx {
    gnutls_cipher_hd_t xts;
    SeDigests d;
    uint8_t exp_pld[SE_HDR_DIGEST_SIZE];
    uint8_t exp_ald[SE_HDR_DIGEST_SIZE];
    uint8_t exp_tld[SE_HDR_DIGEST_SIZE];
    uint64_t exp_nep;
    bool no_decrypt;
    bool verified;
};

struct SePackCtx {
    gnutls_cipher_hd_t xts;
    SeDigests d;
    bool no_encrypt;
};

static void make_tweak(uint8_t t[SE_TWEAK_SIZE], uint64_t pref, uint64_t off)
{
    cc_put_be64(t, pref);
    cc_put_be64(t + 8, off);
}

static bool page_aligned(uint64_t gaddr)
{
    return !(gaddr & (SE_PAGE_SIZE - 1));
}

/* An AES-256-XTS handle for the 64-byte @key, or NULL. */
static gnutls_cipher_hd_t xts_new(const uint8_t *key)
{
    gnutls_datum_t k = { .data = (uint8_t *)key, .size = SE_HDR_XTS_KEY_SIZE };
    gnutls_cipher_hd_t h;

    if (gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_XTS, &k, NULL) < 0) {
        return NULL;
    }
    return h;
}

/* Encrypt (@enc) or decrypt one page in place with its tweak. */
static void xts_page(gnutls_cipher_hd_t h, const uint8_t *tweak,
                     uint8_t *page, bool enc)
{
    int ret;

    gnutls_cipher_set_iv(h, (void *)tweak, SE_TWEAK_SIZE);
    if (enc) {
        ret = gnutls_cipher_encrypt2(h, page, SE_PAGE_SIZE, page,
                                     SE_PAGE_SIZE);
    } else {
        ret = gnutls_cipher_decrypt2(h, page, SE_PAGE_SIZE, page,
                                     SE_PAGE_SIZE);
    }
    /* whole data units of a valid size: GnuTLS has no reason to fail */
    g_assert(ret == 0);
}

/* ---- digests ----------------------------------------------------------- */

static void digests_init(SeDigests *d)
{
    if (gnutls_hash_init(&d->pld, GNUTLS_DIG_SHA512) < 0 ||
        gnutls_hash_init(&d->ald, GNUTLS_DIG_SHA512) < 0 ||
        gnutls_hash_init(&d->tld, GNUTLS_DIG_SHA512) < 0) {
        g_error("GnuTLS has no SHA-512");
    }
    d->pages = 0;
}

static void digests_fini(SeDigests *d)
{
    gnutls_hash_deinit(d->pld, NULL);
    gnutls_hash_deinit(d->ald, NULL);
    gnutls_hash_deinit(d->tld, NULL);
}

/* @stored is the page as it sits in the image. */
static void digests_update(SeDigests *d, uint64_t gaddr,
                           const uint8_t tweak[SE_TWEAK_SIZE],
                           const uint8_t *stored)
{
    uint8_t addr[8];

    gnutls_hash(d->pld, stored, SE_PAGE_SIZE);
    cc_put_be64(addr, gaddr);
    gnutls_hash(d->ald, addr, sizeof(addr));
    gnutls_hash(d->tld, tweak, SE_TWEAK_SIZE);
    d->pages++;
}

/* Digest copies, so the running state stays usable. */
static void digest_copy(gnutls_hash_hd_t h, uint8_t out[SE_HDR_DIGEST_SIZE])
{
    gnutls_hash_hd_t copy = gnutls_hash_copy(h);

    g_assert(copy);
    gnutls_hash_deinit(copy, out);
}

static void digests_result(const SeDigests *d,
                           uint8_t pld[SE_HDR_DIGEST_SIZE],
                           uint8_t ald[SE_HDR_DIGEST_SIZE],
                           uint8_t tld[SE_HDR_DIGEST_SIZE])
{
    digest_copy(d->pld, pld);
    digest_copy(d->ald, ald);
    digest_copy(d->tld, tld);
}

/* ---- unpack ------------------------------------------------------------ */

SeUnpackCtx *se_unpack_new(const SeHdr *hdr, const SeHdrSecrets *secrets)
{
    SeUnpackCtx *c = g_new0(SeUnpackCtx, 1);

    c->no_decrypt = !!(hdr->pcf & SE_PCF_NO_DECRYPT);
    if (!c->no_decrypt) {
        c->xts = xts_new(secrets->xts_key);
        if (!c->xts) {
            g_free(c);
            return NULL;
        }
    }
    digests_init(&c->d);
    memcpy(c->exp_pld, hdr->pld, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_ald, hdr->ald, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_tld, hdr->tld, SE_HDR_DIGEST_SIZE);
    c->exp_nep = hdr->nep;
    return c;
}

void se_unpack_free(SeUnpackCtx *c)
{
    if (c) {
        if (c->xts) {
            gnutls_cipher_deinit(c->xts);
        }
        digests_fini(&c->d);
        cc_wipe(c, sizeof(*c));
        g_free(c);
    }
}

uint16_t se_unpack_page(SeUnpackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                        uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE])
{
    uint8_t tweak[SE_TWEAK_SIZE];

    if (c->verified) {
        return SE_UNPACK_RC_STATE;
    }
    if (!page_aligned(gaddr)) {
        return SE_UNPACK_RC_ADDR;
    }
    make_tweak(tweak, tweak_pref, tweak_off);
    digests_update(&c->d, gaddr, tweak, page);
    if (!c->no_decrypt) {
        xts_page(c->xts, tweak, page, false);
    }
    return SE_UNPACK_RC_OK;
}

uint16_t se_unpack_verify(SeUnpackCtx *c, uint16_t *rrc)
{
    uint8_t pld[SE_HDR_DIGEST_SIZE], ald[SE_HDR_DIGEST_SIZE];
    uint8_t tld[SE_HDR_DIGEST_SIZE];

    c->verified = true;
    digests_result(&c->d, pld, ald, tld);
    *rrc = 0;
    if (c->d.pages != c->exp_nep) {
        *rrc = SE_VERIFY_RRC_NEP;
    } else if (gnutls_memcmp(ald, c->exp_ald, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_ALD;
    } else if (gnutls_memcmp(pld, c->exp_pld, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_PLD;
    } else if (gnutls_memcmp(tld, c->exp_tld, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_TLD;
    }
    return *rrc ? SE_VERIFY_RC_MISMATCH : SE_UNPACK_RC_OK;
}

uint64_t se_unpack_page_count(const SeUnpackCtx *c)
{
    return c->d.pages;
}

/* ---- pack -------------------------------------------------------------- */

SePackCtx *se_pack_new(const uint8_t *xts_key, bool no_encrypt)
{
    SePackCtx *c = g_new0(SePackCtx, 1);

    g_assert(xts_key || no_encrypt);
    if (!no_encrypt) {
        c->xts = xts_new(xts_key);
        if (!c->xts) {
            g_free(c);
            return NULL;
        }
    }
    c->no_encrypt = no_encrypt;
    digests_init(&c->d);
    return c;
}

void se_pack_free(SePackCtx *c)
{
    if (c) {
        if (c->xts) {
            gnutls_cipher_deinit(c->xts);
        }
        digests_fini(&c->d);
        cc_wipe(c, sizeof(*c));
        g_free(c);
    }
}

bool se_pack_page(SePackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                  uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE])
{
    uint8_t tweak[SE_TWEAK_SIZE];

    if (!page_aligned(gaddr)) {
        return false;
    }
    make_tweak(tweak, tweak_pref, tweak_off);
    if (!c->no_encrypt) {
        xts_page(c->xts, tweak, page, true);
    }
    digests_update(&c->d, gaddr, tweak, page);
    return true;
}

void se_pack_result(const SePackCtx *c, uint8_t pld[SE_HDR_DIGEST_SIZE],
                    uint8_t ald[SE_HDR_DIGEST_SIZE],
                    uint8_t tld[SE_HDR_DIGEST_SIZE], uint64_t *nep)
{
    digests_result(&c->d, pld, ald, tld);
    *nep = c->d.pages;
}
