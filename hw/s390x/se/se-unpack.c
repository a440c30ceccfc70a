/*
 * IBM Z Secure Execution UNPACK_IMG / VERIFY_IMG state machine and the
 * builder's pack side (see hw/s390x/se/se-unpack.h).
 *
 * SHA-512 and AES-256-XTS are nettle's.  One page is one XTS data unit
 * whose 16-byte tweak is used as the XTS IV.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-unpack.h"

#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <nettle/xts.h>

/* Running PLD/ALD/TLD and page count, shared by both directions. */
typedef struct SeDigests {
    struct sha512_ctx pld;
    struct sha512_ctx ald;
    struct sha512_ctx tld;
    uint64_t pages;
} SeDigests;

struct SeUnpackCtx {
    struct xts_aes256_key xts;
    SeDigests d;
    uint8_t exp_pld[SE_HDR_DIGEST_SIZE];
    uint8_t exp_ald[SE_HDR_DIGEST_SIZE];
    uint8_t exp_tld[SE_HDR_DIGEST_SIZE];
    uint64_t exp_nep;
    bool no_decrypt;
    bool verified;
};

struct SePackCtx {
    struct xts_aes256_key xts;
    SeDigests d;
    bool no_encrypt;
};

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static void make_tweak(uint8_t t[SE_TWEAK_SIZE], uint64_t pref, uint64_t off)
{
    put_be64(t, pref);
    put_be64(t + 8, off);
}

static bool page_aligned(uint64_t gaddr)
{
    return !(gaddr & (SE_PAGE_SIZE - 1));
}

static void digests_init(SeDigests *d)
{
    sha512_init(&d->pld);
    sha512_init(&d->ald);
    sha512_init(&d->tld);
    d->pages = 0;
}

/* @stored is the page as it sits in the image. */
static void digests_update(SeDigests *d, uint64_t gaddr,
                           const uint8_t tweak[SE_TWEAK_SIZE],
                           const uint8_t *stored)
{
    uint8_t addr[8];

    put_be64(addr, gaddr);
    sha512_update(&d->pld, SE_PAGE_SIZE, stored);
    sha512_update(&d->ald, sizeof(addr), addr);
    sha512_update(&d->tld, SE_TWEAK_SIZE, tweak);
    d->pages++;
}

/* Digest a copy, so the running state stays usable. */
static void digests_result(const SeDigests *d,
                           uint8_t pld[SE_HDR_DIGEST_SIZE],
                           uint8_t ald[SE_HDR_DIGEST_SIZE],
                           uint8_t tld[SE_HDR_DIGEST_SIZE])
{
    SeDigests t = *d;

    sha512_digest(&t.pld, SE_HDR_DIGEST_SIZE, pld);
    sha512_digest(&t.ald, SE_HDR_DIGEST_SIZE, ald);
    sha512_digest(&t.tld, SE_HDR_DIGEST_SIZE, tld);
}

/* ---- unpack ------------------------------------------------------------ */

SeUnpackCtx *se_unpack_new(const SeHdr *hdr, const SeHdrSecrets *secrets)
{
    SeUnpackCtx *c = g_new0(SeUnpackCtx, 1);

    xts_aes256_set_decrypt_key(&c->xts, secrets->xts_key);
    digests_init(&c->d);
    memcpy(c->exp_pld, hdr->pld, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_ald, hdr->ald, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_tld, hdr->tld, SE_HDR_DIGEST_SIZE);
    c->exp_nep = hdr->nep;
    c->no_decrypt = !!(hdr->pcf & SE_PCF_NO_DECRYPT);
    return c;
}

void se_unpack_free(SeUnpackCtx *c)
{
    if (c) {
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
        xts_aes256_decrypt_message(&c->xts, tweak, SE_PAGE_SIZE, page, page);
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
    } else if (!memeql_sec(ald, c->exp_ald, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_ALD;
    } else if (!memeql_sec(pld, c->exp_pld, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_PLD;
    } else if (!memeql_sec(tld, c->exp_tld, SE_HDR_DIGEST_SIZE)) {
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
        xts_aes256_set_encrypt_key(&c->xts, xts_key);
    }
    c->no_encrypt = no_encrypt;
    digests_init(&c->d);
    return c;
}

void se_pack_free(SePackCtx *c)
{
    if (c) {
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
        xts_aes256_encrypt_message(&c->xts, tweak, SE_PAGE_SIZE, page, page);
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
