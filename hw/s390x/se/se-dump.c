/*
 * IBM Z Secure Execution protected dump: the ultravisor's dump data and
 * the reader's side (see include/hw/s390x/se/se-dump.h).
 *
 * Cryptography: AES-256-GCM (se_gcm_seal/open, nettle), HKDF-SHA512
 * (nettle), AES-256-XTS (GnuTLS, as the unpack path).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-dump.h"

#include <gnutls/crypto.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#define HKDF_INFO               "IBM Z Ultravisor Dump"

/* Completion data: AAD (96 bytes), encrypted area (176), tag (16) */
#define COMPL_OFF_VERSION       0x00
#define COMPL_OFF_LEN           0x04
#define COMPL_OFF_SEED          0x10
#define COMPL_OFF_IV            0x50
#define COMPL_AAD_LEN           0x60
#define COMPL_AREA_LEN          176
#define COMPL_AREA_OFF_NONCE    0
#define COMPL_AREA_OFF_KEY      16
#define COMPL_OFF_TAG           (COMPL_AAD_LEN + COMPL_AREA_LEN)

/* CPU data: AAD (32 bytes), encrypted area (1520), tag (16) */
#define CPU_OFF_VERSION         0x00
#define CPU_OFF_LEN             0x04
#define CPU_OFF_IV              0x08
#define CPU_OFF_TAG             (SE_DUMP_CPU_AAD_LEN + SE_DUMP_CPU_AREA_LEN)

/* A special tweak component: indicator, flags in its last byte */
#define COMP_SPECIAL            0xffffffffu
#define COMP_ZERO               0x01
#define COMP_SHARED             0x02
#define COMP_MAPPED             0x04

G_STATIC_ASSERT(COMPL_OFF_TAG + SE_HDR_TAG_SIZE == SE_DUMP_COMPL_LEN);
G_STATIC_ASSERT(CPU_OFF_TAG + SE_HDR_TAG_SIZE == SE_DUMP_CPU_LEN);
G_STATIC_ASSERT(SE_DUMP_CPU_OFF_FLAGS + 2 <= SE_DUMP_CPU_AREA_LEN);

GQuark se_dump_error_quark(void)
{
    return g_quark_from_static_string("se-dump-error-quark");
}

struct SeDump {
    uint8_t seed[SE_DUMP_SEED_SIZE];
    uint8_t key[SE_DUMP_KEY_SIZE];
    uint8_t nonce[SE_DUMP_TWEAK_SIZE];
    uint8_t xts_key[SE_DUMP_XTS_KEY_SIZE];
    gnutls_cipher_hd_t xts;
    uint64_t iv_ctr;
};

void se_dump_derive_key(const uint8_t cck[SE_DUMP_CCK_SIZE],
                        const uint8_t seed[SE_DUMP_SEED_SIZE],
                        uint8_t key[SE_DUMP_KEY_SIZE])
{
    uint8_t prk[SHA512_DIGEST_SIZE];
    struct hmac_sha512_ctx ctx;

    hmac_sha512_set_key(&ctx, SE_DUMP_SEED_SIZE, seed);
    hkdf_extract(&ctx, (nettle_hash_update_func *)hmac_sha512_update,
                 (nettle_hash_digest_func *)hmac_sha512_digest,
                 SHA512_DIGEST_SIZE, SE_DUMP_CCK_SIZE, cck, prk);
    hmac_sha512_set_key(&ctx, sizeof(prk), prk);
    hkdf_expand(&ctx, (nettle_hash_update_func *)hmac_sha512_update,
                (nettle_hash_digest_func *)hmac_sha512_digest,
                SHA512_DIGEST_SIZE, strlen(HKDF_INFO),
                (const uint8_t *)HKDF_INFO, SE_DUMP_KEY_SIZE, key);
    cc_wipe(prk, sizeof(prk));
    cc_wipe(&ctx, sizeof(ctx));
}

static gnutls_cipher_hd_t xts_new(const uint8_t key[SE_DUMP_XTS_KEY_SIZE])
{
    gnutls_datum_t k = { .data = (uint8_t *)key,
                         .size = SE_DUMP_XTS_KEY_SIZE };
    gnutls_cipher_hd_t h;

    if (gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_XTS, &k, NULL) < 0) {
        return NULL;
    }
    return h;
}

static void xts_page(gnutls_cipher_hd_t h, const uint8_t *tweak,
                     const uint8_t *in, uint8_t *out, bool enc)
{
    int ret;

    gnutls_cipher_set_iv(h, (void *)tweak, SE_DUMP_TWEAK_SIZE);
    if (enc) {
        ret = gnutls_cipher_encrypt2(h, in, SE_DUMP_PAGE_SIZE, out,
                                     SE_DUMP_PAGE_SIZE);
    } else {
        ret = gnutls_cipher_decrypt2(h, in, SE_DUMP_PAGE_SIZE, out,
                                     SE_DUMP_PAGE_SIZE);
    }
    /* one whole data unit of a valid size: GnuTLS has no reason to fail */
    g_assert(ret == 0);
}

static void tweak_of(const uint8_t comp[SE_DUMP_TWEAK_SIZE],
                     const uint8_t nonce[SE_DUMP_TWEAK_SIZE],
                     uint8_t tweak[SE_DUMP_TWEAK_SIZE])
{
    unsigned i;

    /* s390-tools zdump/pv_utils.c calculate_tweak(): bytewise OR */
    for (i = 0; i < SE_DUMP_TWEAK_SIZE; i++) {
        tweak[i] = comp[i] | nonce[i];
    }
}

/* ---- the ultravisor's side ---------------------------------------------- */

static void random_bytes(void *buf, size_t len)
{
    if (gnutls_rnd(GNUTLS_RND_KEY, buf, len)) {
        g_error("se-dump: no random bytes");
    }
}

SeDump *se_dump_new(const uint8_t cck[SE_DUMP_CCK_SIZE])
{
    SeDump *d = g_new0(SeDump, 1);

    /*
     * [U] Every dump gets a fresh seed (so a fresh dump key), XTS key and
     * nonce.  The nonce's last 8 bytes are zero: they are where our tweak
     * components put the page number, so that (component | nonce) is
     * different for every page.
     */
    random_bytes(d->seed, sizeof(d->seed));
    random_bytes(d->xts_key, sizeof(d->xts_key));
    random_bytes(d->nonce, 8);
    se_dump_derive_key(cck, d->seed, d->key);
    d->xts = xts_new(d->xts_key);
    if (!d->xts) {
        g_error("se-dump: GnuTLS has no AES-256-XTS");
    }
    return d;
}

void se_dump_free(SeDump *d)
{
    if (!d) {
        return;
    }
    gnutls_cipher_deinit(d->xts);
    cc_wipe(d, sizeof(*d));
    g_free(d);
}

/*
 * [U] GCM IVs: a counter under the dump's own key (0, 1, ... for the
 * CPUs in the order they are dumped, the next one for the completion
 * data), so none repeats within a dump.
 */
static void next_iv(SeDump *d, uint8_t iv[SE_HDR_IV_SIZE])
{
    memset(iv, 0, SE_HDR_IV_SIZE);
    cc_put_be64(iv + 4, d->iv_ctr++);
}

void se_dump_component(const SeDump *d, uint64_t gaddr, bool shared,
                       bool absent, uint8_t comp[SE_DUMP_TWEAK_SIZE])
{
    memset(comp, 0, SE_DUMP_TWEAK_SIZE);
    if (absent || shared) {
        cc_put_be32(comp, COMP_SPECIAL);
        comp[15] = absent ? COMP_ZERO : COMP_SHARED | COMP_MAPPED;
        return;
    }
    /* [U] an encrypted page's component: its page number */
    cc_put_be64(comp + 8, gaddr / SE_DUMP_PAGE_SIZE);
}

void se_dump_encrypt_page(SeDump *d, uint64_t gaddr, const uint8_t *in,
                          uint8_t *out)
{
    uint8_t comp[SE_DUMP_TWEAK_SIZE], tweak[SE_DUMP_TWEAK_SIZE];

    se_dump_component(d, gaddr, false, false, comp);
    tweak_of(comp, d->nonce, tweak);
    xts_page(d->xts, tweak, in, out, true);
}

static void put_cpu_area(const SeDumpCpuState *st, uint8_t *a)
{
    unsigned i;

    memset(a, 0, SE_DUMP_CPU_AREA_LEN);
    for (i = 0; i < 16; i++) {
        cc_put_be64(a + SE_DUMP_CPU_OFF_GPRS + 8 * i, st->gprs[i]);
        cc_put_be32(a + SE_DUMP_CPU_OFF_ACRS + 4 * i, st->acrs[i]);
        cc_put_be64(a + SE_DUMP_CPU_OFF_CRS + 8 * i, st->crs[i]);
    }
    cc_put_be64(a + SE_DUMP_CPU_OFF_PSW, st->psw_mask);
    cc_put_be64(a + SE_DUMP_CPU_OFF_PSW + 8, st->psw_addr);
    cc_put_be32(a + SE_DUMP_CPU_OFF_PREFIX, st->prefix);
    cc_put_be32(a + SE_DUMP_CPU_OFF_FPC, st->fpc);
    cc_put_be32(a + SE_DUMP_CPU_OFF_TODPR, st->todpr);
    cc_put_be64(a + SE_DUMP_CPU_OFF_TIMER, st->timer);
    cc_put_be64(a + SE_DUMP_CPU_OFF_TODCMP, st->todcmp);
    for (i = 0; i < 32; i++) {
        cc_put_be64(a + SE_DUMP_CPU_OFF_VRS + 16 * i, st->vrs[i][0]);
        cc_put_be64(a + SE_DUMP_CPU_OFF_VRS + 16 * i + 8, st->vrs[i][1]);
    }
    /* the first doubleword of the guarded-storage block is zero */
    for (i = 1; i < 4; i++) {
        cc_put_be64(a + SE_DUMP_CPU_OFF_GSCB + 8 * i, st->gscb[i]);
    }
    cc_put_be16(a + SE_DUMP_CPU_OFF_FLAGS, st->flags);
}

static void get_cpu_area(const uint8_t *a, SeDumpCpuState *st)
{
    unsigned i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 16; i++) {
        st->gprs[i] = cc_get_be(a + SE_DUMP_CPU_OFF_GPRS + 8 * i, 8);
        st->acrs[i] = cc_get_be(a + SE_DUMP_CPU_OFF_ACRS + 4 * i, 4);
        st->crs[i] = cc_get_be(a + SE_DUMP_CPU_OFF_CRS + 8 * i, 8);
    }
    st->psw_mask = cc_get_be(a + SE_DUMP_CPU_OFF_PSW, 8);
    st->psw_addr = cc_get_be(a + SE_DUMP_CPU_OFF_PSW + 8, 8);
    st->prefix = cc_get_be(a + SE_DUMP_CPU_OFF_PREFIX, 4);
    st->fpc = cc_get_be(a + SE_DUMP_CPU_OFF_FPC, 4);
    st->todpr = cc_get_be(a + SE_DUMP_CPU_OFF_TODPR, 4);
    st->timer = cc_get_be(a + SE_DUMP_CPU_OFF_TIMER, 8);
    st->todcmp = cc_get_be(a + SE_DUMP_CPU_OFF_TODCMP, 8);
    for (i = 0; i < 32; i++) {
        st->vrs[i][0] = cc_get_be(a + SE_DUMP_CPU_OFF_VRS + 16 * i, 8);
        st->vrs[i][1] = cc_get_be(a + SE_DUMP_CPU_OFF_VRS + 16 * i + 8, 8);
    }
    for (i = 0; i < 4; i++) {
        st->gscb[i] = cc_get_be(a + SE_DUMP_CPU_OFF_GSCB + 8 * i, 8);
    }
    st->flags = cc_get_be(a + SE_DUMP_CPU_OFF_FLAGS, 2);
}

void se_dump_cpu(SeDump *d, const SeDumpCpuState *st, uint8_t *out)
{
    uint8_t area[SE_DUMP_CPU_AREA_LEN];

    memset(out, 0, SE_DUMP_CPU_LEN);
    cc_put_be32(out + CPU_OFF_VERSION, SE_DUMP_VERSION);
    cc_put_be32(out + CPU_OFF_LEN, SE_DUMP_CPU_LEN);
    next_iv(d, out + CPU_OFF_IV);
    put_cpu_area(st, area);
    se_gcm_seal(d->key, out + CPU_OFF_IV, out, SE_DUMP_CPU_AAD_LEN,
                area, sizeof(area), out + SE_DUMP_CPU_AAD_LEN,
                out + CPU_OFF_TAG);
    cc_wipe(area, sizeof(area));
}

void se_dump_complete(SeDump *d, uint8_t *out)
{
    uint8_t area[COMPL_AREA_LEN] = { 0 };

    memset(out, 0, SE_DUMP_COMPL_LEN);
    cc_put_be32(out + COMPL_OFF_VERSION, SE_DUMP_VERSION);
    cc_put_be32(out + COMPL_OFF_LEN, SE_DUMP_COMPL_LEN);
    memcpy(out + COMPL_OFF_SEED, d->seed, SE_DUMP_SEED_SIZE);
    next_iv(d, out + COMPL_OFF_IV);
    memcpy(area + COMPL_AREA_OFF_NONCE, d->nonce, SE_DUMP_TWEAK_SIZE);
    memcpy(area + COMPL_AREA_OFF_KEY, d->xts_key, SE_DUMP_XTS_KEY_SIZE);
    se_gcm_seal(d->key, out + COMPL_OFF_IV, out, COMPL_AAD_LEN,
                area, sizeof(area), out + COMPL_AAD_LEN,
                out + COMPL_OFF_TAG);
    cc_wipe(area, sizeof(area));
}

/* ---- the reader's side ------------------------------------------------- */

void se_dump_keys_wipe(SeDumpKeys *keys)
{
    cc_wipe(keys, sizeof(*keys));
}

bool se_dump_open_completion(const uint8_t *data, size_t len,
                             const uint8_t cck[SE_DUMP_CCK_SIZE],
                             SeDumpKeys *keys, GError **errp)
{
    uint8_t area[COMPL_AREA_LEN];
    uint32_t v, l;

    memset(keys, 0, sizeof(*keys));
    if (len < 8) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "completion data too short (%zu bytes)", len);
        return false;
    }
    v = cc_get_be(data + COMPL_OFF_VERSION, 4);
    l = cc_get_be(data + COMPL_OFF_LEN, 4);
    if (v != SE_DUMP_VERSION) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "unsupported completion data version %u", v);
        return false;
    }
    if (l != SE_DUMP_COMPL_LEN || len < SE_DUMP_COMPL_LEN) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "completion data length %u (%zu bytes present), "
                    "expected %u", l, len, SE_DUMP_COMPL_LEN);
        return false;
    }
    se_dump_derive_key(cck, data + COMPL_OFF_SEED, keys->dump_key);
    if (!se_gcm_open(keys->dump_key, data + COMPL_OFF_IV, data,
                     COMPL_AAD_LEN, data + COMPL_AAD_LEN, COMPL_AREA_LEN,
                     data + COMPL_OFF_TAG, area)) {
        se_dump_keys_wipe(keys);
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "completion data does not authenticate: wrong "
                    "customer communication key, or altered data");
        return false;
    }
    memcpy(keys->nonce, area + COMPL_AREA_OFF_NONCE, SE_DUMP_TWEAK_SIZE);
    memcpy(keys->xts_key, area + COMPL_AREA_OFF_KEY, SE_DUMP_XTS_KEY_SIZE);
    cc_wipe(area, sizeof(area));
    return true;
}

bool se_dump_open_cpu(const SeDumpKeys *keys, const uint8_t *data,
                      size_t len, SeDumpCpuState *st, GError **errp)
{
    uint8_t area[SE_DUMP_CPU_AREA_LEN];
    uint32_t v, l;

    if (len < SE_DUMP_CPU_LEN) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "CPU data too short (%zu bytes)", len);
        return false;
    }
    v = cc_get_be(data + CPU_OFF_VERSION, 4);
    l = cc_get_be(data + CPU_OFF_LEN, 4);
    if (v != SE_DUMP_VERSION || l != SE_DUMP_CPU_LEN) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "unsupported CPU data (version %u, length %u)", v, l);
        return false;
    }
    if (!se_gcm_open(keys->dump_key, data + CPU_OFF_IV, data,
                     SE_DUMP_CPU_AAD_LEN, data + SE_DUMP_CPU_AAD_LEN,
                     SE_DUMP_CPU_AREA_LEN, data + CPU_OFF_TAG, area)) {
        g_set_error(errp, SE_DUMP_ERROR, 0,
                    "CPU data does not authenticate (altered)");
        return false;
    }
    get_cpu_area(area, st);
    cc_wipe(area, sizeof(area));
    return true;
}

SeDumpPage se_dump_page_state(const uint8_t comp[SE_DUMP_TWEAK_SIZE])
{
    uint8_t f = comp[15];
    unsigned n;

    if (cc_get_be(comp, 4) != COMP_SPECIAL) {
        return SE_DUMP_PAGE_ENCRYPTED;
    }
    /* as zgetdump: reserved bits clear, exactly one of zero/shared */
    if (comp[14] || (f & ~(COMP_ZERO | COMP_SHARED | COMP_MAPPED))) {
        return SE_DUMP_PAGE_INVALID;
    }
    n = !!(f & COMP_ZERO) + !!(f & COMP_SHARED);
    if (n != 1) {
        return SE_DUMP_PAGE_INVALID;
    }
    return (f & COMP_ZERO) ? SE_DUMP_PAGE_ZERO : SE_DUMP_PAGE_SHARED;
}

bool se_dump_read_page(const SeDumpKeys *keys,
                       const uint8_t comp[SE_DUMP_TWEAK_SIZE],
                       const uint8_t *in, uint8_t *out)
{
    uint8_t tweak[SE_DUMP_TWEAK_SIZE];
    gnutls_cipher_hd_t h;

    switch (se_dump_page_state(comp)) {
    case SE_DUMP_PAGE_ZERO:
        memset(out, 0, SE_DUMP_PAGE_SIZE);
        return true;
    case SE_DUMP_PAGE_SHARED:
        memmove(out, in, SE_DUMP_PAGE_SIZE);
        return true;
    case SE_DUMP_PAGE_ENCRYPTED:
        h = xts_new(keys->xts_key);
        if (!h) {
            return false;       /* e.g. key halves equal */
        }
        tweak_of(comp, keys->nonce, tweak);
        xts_page(h, tweak, in, out, false);
        gnutls_cipher_deinit(h);
        return true;
    default:
        return false;
    }
}
