/*
 * IBM Z Secure Execution header v1: parser, key-slot unwrapping,
 * encrypted-area decryption and builder (see hw/s390x/se/se-hdr.h).
 *
 * All cryptography is nettle's: SHA-256 (phkh, KDF), AES-256-GCM (key
 * slots and header), P-521 ECDH through qemu/cc-ecc.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-hdr.h"

#include <nettle/gcm.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

GQuark se_hdr_error_quark(void)
{
    return g_quark_from_static_string("se-hdr-error-quark");
}

/*
 * The only place that maps a failed check to a UV rc/rrc.  Values that
 * s390-tools' stage3a decodes (rust/pvimg/boot/stage3a.c) are [V]; the
 * ones marked [I] are not documented anywhere we know of and were chosen
 * by us.
 */
static const SeError se_checks[SE_CHECK__MAX] = {
    [SE_CHECK_OK] = { SE_CHECK_OK, 0x0001, 0x0000, "ok" },
    [SE_CHECK_LENGTH] = {
        SE_CHECK_LENGTH, 0x010a, 0x0031, "SE header length" },
    /* [I] no documented code: "header corrupt" without a reason */
    [SE_CHECK_MAGIC] = {
        SE_CHECK_MAGIC, 0x010a, 0x0000, "SE header magic" },
    [SE_CHECK_VERSION] = {
        SE_CHECK_VERSION, 0x0104, 0x0000, "SE header version" },
    /* [I] reserved fields nonzero: "header corrupt" without a reason */
    [SE_CHECK_RESERVED] = {
        SE_CHECK_RESERVED, 0x010a, 0x0000, "SE header reserved field" },
    [SE_CHECK_ENC_SIZE] = {
        SE_CHECK_ENC_SIZE, 0x010a, 0x0039, "SE header encrypted size" },
    [SE_CHECK_NO_KEY_SLOT] = {
        SE_CHECK_NO_KEY_SLOT, 0x010a, 0x0040, "SE header has no key slot" },
    [SE_CHECK_PCF] = {
        SE_CHECK_PCF, 0x0106, 0x0030, "SE header unsupported PCF" },
    [SE_CHECK_NO_MATCHING_SLOT] = {
        SE_CHECK_NO_MATCHING_SLOT, 0x0108, 0x0005,
        "SE header no key slot for this host key" },
    [SE_CHECK_CUST_KEY] = {
        SE_CHECK_CUST_KEY, 0x0108, 0x000b,
        "SE header bad customer ECDH key" },
    /*
     * [I] phkh matched but the wrapped key does not authenticate: the
     * host key is right, so the customer key (or the slot) is bad.
     */
    [SE_CHECK_SLOT_TAG] = {
        SE_CHECK_SLOT_TAG, 0x0108, 0x000b, "SE key slot GCM tag mismatch" },
    /* [I] header integrity failure: "header corrupt" without a reason */
    [SE_CHECK_HDR_TAG] = {
        SE_CHECK_HDR_TAG, 0x010a, 0x0000, "SE header GCM tag mismatch" },
    [SE_CHECK_SCF] = {
        SE_CHECK_SCF, 0x0109, 0x0000, "SE header unsupported SCF" },
    /* [I] v1 has no optional items; treated as a bad encrypted size */
    [SE_CHECK_NOI] = {
        SE_CHECK_NOI, 0x010a, 0x0039, "SE header optional items" },
    /*
     * [I] the crypto library refused the image's XTS key (GnuTLS in FIPS
     * mode refuses equal halves): "header corrupt" without a reason
     */
    [SE_CHECK_XTS_KEY] = {
        SE_CHECK_XTS_KEY, 0x010a, 0x0000, "SE image XTS key refused" },
};

bool se_error_set(SeError *err, SeCheck id)
{
    g_assert(id < SE_CHECK__MAX);
    if (err) {
        *err = se_checks[id];
    }
    return id == SE_CHECK_OK;
}

/*
 * [I] The flags this emulated UV accepts: every PCF bit s390-tools
 * defines (genprotimg/src/include/pv_hdr_def.h,
 * rust/pvimg/src/pv_utils/se_hdr/flags.rs).  Allow-dump is accepted
 * although dumping is not implemented (the flag only permits it); the
 * PCKMO bits are accepted without PCKMO key wrapping being emulated.
 */
uint64_t se_hdr_supported_pcf(void)
{
    return SE_PCF_ALLOW_DUMP | SE_PCF_NO_DECRYPT |
           SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | SE_PCF_PCKMO_ECC |
           SE_PCF_PCKMO_HMAC | SE_PCF_BACKUP_KEYS;
}

/*
 * The secret control flags the secret store honours (se-secret.c): CCK
 * extension-secret enforcement and CCK update.  Any other bit is refused
 * rather than silently ignored.
 */
uint64_t se_hdr_supported_scf(void)
{
    return SE_SCF_CCK_EXT_SECRET | SE_SCF_CCK_UPDATE;
}

/* ---- small helpers ---------------------------------------------------- */

/* Read an 80-byte padded coordinate; false if the padding is not zero. */
static bool get_coord(CCBuf *b, uint8_t out[CC_P521_LEN])
{
    bool pad_ok = cc_buf_zero(b, SE_HDR_ECC_PAD);

    return cc_buf_copy(b, out, CC_P521_LEN) && pad_ok;
}

void se_put_coord(uint8_t *p, const uint8_t c[CC_P521_LEN])
{
    memset(p, 0, SE_HDR_ECC_PAD);
    memcpy(p + SE_HDR_ECC_PAD, c, CC_P521_LEN);
}

void se_hdr_phkh(const uint8_t x[CC_P521_LEN], const uint8_t y[CC_P521_LEN],
                 uint8_t phkh[SE_HDR_PHKH_SIZE])
{
    uint8_t pub[2 * SE_HDR_ECC_FIELD_SIZE];
    struct sha256_ctx ctx;

    se_put_coord(pub, x);
    se_put_coord(pub + SE_HDR_ECC_FIELD_SIZE, y);
    sha256_init(&ctx);
    sha256_update(&ctx, sizeof(pub), pub);
    sha256_digest(&ctx, SE_HDR_PHKH_SIZE, phkh);
}

/* Single-round ANSI X9.63 KDF: K = SHA-256(Z || 00 00 00 01). */
static void slot_kdf(const uint8_t z[CC_P521_LEN],
                     uint8_t k[SE_HDR_KEY_SIZE])
{
    static const uint8_t counter[4] = { 0, 0, 0, 1 };
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, CC_P521_LEN, z);
    sha256_update(&ctx, sizeof(counter), counter);
    sha256_digest(&ctx, SE_HDR_KEY_SIZE, k);
    cc_wipe(&ctx, sizeof(ctx));
}

static void gcm_start(struct gcm_aes256_ctx *ctx,
                      const uint8_t key[SE_HDR_KEY_SIZE],
                      const uint8_t iv[SE_HDR_IV_SIZE],
                      const uint8_t *aad, size_t aad_len)
{
    gcm_aes256_set_key(ctx, key);
    gcm_aes256_set_iv(ctx, SE_HDR_IV_SIZE, iv);
    if (aad_len) {
        gcm_aes256_update(ctx, aad_len, aad);
    }
}

/* AES-256-GCM decrypt; @pt is wiped unless the tag verifies. */
bool se_gcm_open(const uint8_t key[SE_HDR_KEY_SIZE],
                 const uint8_t iv[SE_HDR_IV_SIZE],
                 const uint8_t *aad, size_t aad_len,
                 const uint8_t *ct, size_t len,
                 const uint8_t tag[SE_HDR_TAG_SIZE], uint8_t *pt)
{
    struct gcm_aes256_ctx ctx;
    uint8_t calc[SE_HDR_TAG_SIZE];
    bool ok;

    gcm_start(&ctx, key, iv, aad, aad_len);
    gcm_aes256_decrypt(&ctx, len, pt, ct);
    gcm_aes256_digest(&ctx, SE_HDR_TAG_SIZE, calc);
    ok = memeql_sec(calc, tag, SE_HDR_TAG_SIZE);
    if (!ok) {
        cc_wipe(pt, len);
    }
    cc_wipe(&ctx, sizeof(ctx));
    return ok;
}

/* AES-256-GCM encrypt (in place allowed). */
void se_gcm_seal(const uint8_t key[SE_HDR_KEY_SIZE],
                 const uint8_t iv[SE_HDR_IV_SIZE],
                 const uint8_t *aad, size_t aad_len,
                 const uint8_t *pt, size_t len,
                 uint8_t *ct, uint8_t tag[SE_HDR_TAG_SIZE])
{
    struct gcm_aes256_ctx ctx;

    gcm_start(&ctx, key, iv, aad, aad_len);
    gcm_aes256_encrypt(&ctx, len, ct, pt);
    gcm_aes256_digest(&ctx, SE_HDR_TAG_SIZE, tag);
    cc_wipe(&ctx, sizeof(ctx));
}

/* ---- parser ------------------------------------------------------------ */

/* magic, version, phs: decide how many bytes make up the header. */
static SeCheck parse_prologue(CCBuf *b, size_t len, SeHdr *hdr)
{
    uint64_t magic = cc_buf_be64(b);

    if (!cc_buf_ok(b)) {
        return SE_CHECK_LENGTH;
    }
    if (magic != SE_HDR_MAGIC) {
        return SE_CHECK_MAGIC;
    }
    hdr->version = cc_buf_be32(b);
    hdr->phs = cc_buf_be32(b);
    if (!cc_buf_ok(b)) {
        return SE_CHECK_LENGTH;
    }
    if (hdr->version != SE_HDR_VERSION_V1) {
        return SE_CHECK_VERSION;
    }
    if (hdr->phs > SE_HDR_MAX_SIZE || hdr->phs > len ||
        hdr->phs < SE_HDR_OFF_SLOTS + SE_HDR_TAG_SIZE) {
        return SE_CHECK_LENGTH;
    }
    return SE_CHECK_OK;
}

/* iv .. pcf, and the size relations between phs, nks and sea. */
static SeCheck parse_counts(CCBuf *b, SeHdr *hdr)
{
    bool res_ok;

    cc_buf_copy(b, hdr->iv, SE_HDR_IV_SIZE);
    res_ok = cc_buf_zero(b, 4);
    hdr->nks = cc_buf_be64(b);
    hdr->sea = cc_buf_be64(b);
    hdr->nep = cc_buf_be64(b);
    hdr->pcf = cc_buf_be64(b);
    if (!cc_buf_ok(b)) {
        return SE_CHECK_LENGTH;
    }
    if (!res_ok) {
        return SE_CHECK_RESERVED;
    }
    if (hdr->nks == 0) {
        return SE_CHECK_NO_KEY_SLOT;
    }
    /*
     * [I] v1 without optional items: the encrypted area is exactly the
     * 128-byte v1 area.  A UV supporting optional items would accept more.
     */
    if (hdr->sea % 16 || hdr->sea != SE_HDR_ENC_V1_SIZE) {
        return SE_CHECK_ENC_SIZE;
    }
    if (hdr->nks > SE_HDR_MAX_KEY_SLOTS ||
        SE_HDR_OFF_SLOTS + hdr->nks * SE_HDR_KEY_SLOT_SIZE + hdr->sea +
        SE_HDR_TAG_SIZE != hdr->phs) {
        return SE_CHECK_LENGTH;
    }
    if (hdr->pcf & ~se_hdr_supported_pcf()) {
        return SE_CHECK_PCF;
    }
    return SE_CHECK_OK;
}

/* Customer key, digests, key slots, encrypted area, tag. */
static SeCheck parse_body(CCBuf *b, SeHdr *hdr)
{
    bool key_ok;
    uint64_t i;

    key_ok = get_coord(b, hdr->cust_x);
    key_ok &= get_coord(b, hdr->cust_y);
    cc_buf_copy(b, hdr->pld, SE_HDR_DIGEST_SIZE);
    cc_buf_copy(b, hdr->ald, SE_HDR_DIGEST_SIZE);
    cc_buf_copy(b, hdr->tld, SE_HDR_DIGEST_SIZE);
    hdr->slots = g_new0(SeKeySlot, hdr->nks);
    for (i = 0; i < hdr->nks; i++) {
        cc_buf_copy(b, hdr->slots[i].phkh, SE_HDR_PHKH_SIZE);
        cc_buf_copy(b, hdr->slots[i].wrapped_key, SE_HDR_KEY_SIZE);
        cc_buf_copy(b, hdr->slots[i].tag, SE_HDR_TAG_SIZE);
    }
    cc_buf_skip(b, hdr->sea);
    cc_buf_copy(b, hdr->tag, SE_HDR_TAG_SIZE);
    if (!cc_buf_ok(b) || cc_buf_remaining(b)) {
        return SE_CHECK_LENGTH;
    }
    return key_ok ? SE_CHECK_OK : SE_CHECK_CUST_KEY;
}

SeHdr *se_hdr_parse(const uint8_t *buf, size_t len, SeError *err)
{
    g_autoptr(SeHdr) hdr = g_new0(SeHdr, 1);
    CCBuf b, h;
    SeCheck chk;

    cc_buf_init(&b, buf, len);
    chk = parse_prologue(&b, len, hdr);
    if (chk == SE_CHECK_OK) {
        /* from here on, read only the phs bytes that form the header */
        cc_buf_init(&h, buf, hdr->phs);
        cc_buf_seek(&h, SE_HDR_OFF_IV);
        chk = parse_counts(&h, hdr);
    }
    if (chk == SE_CHECK_OK) {
        chk = parse_body(&h, hdr);
    }
    if (!se_error_set(err, chk)) {
        return NULL;
    }
    hdr->aad_len = hdr->phs - hdr->sea - SE_HDR_TAG_SIZE;
    /* not g_memdup2: the core supports GLib 2.66 */
    hdr->raw = g_malloc(hdr->phs);
    memcpy(hdr->raw, buf, hdr->phs);
    return g_steal_pointer(&hdr);
}

void se_hdr_free(SeHdr *hdr)
{
    if (!hdr) {
        return;
    }
    g_free(hdr->slots);
    g_free(hdr->raw);
    g_free(hdr);
}

/* ---- unwrapping -------------------------------------------------------- */

bool se_host_key_init(SeHostKey *key, const uint8_t priv[CC_P521_LEN])
{
    memcpy(key->priv, priv, CC_P521_LEN);
    if (!cc_p521_public_from_private(priv, key->pub.x, key->pub.y)) {
        cc_wipe(key->priv, CC_P521_LEN);
        return false;
    }
    return true;
}

static const SeKeySlot *find_slot(const SeHdr *hdr, const SeHostKey *key,
                                  uint64_t *idx)
{
    uint8_t phkh[SE_HDR_PHKH_SIZE];
    uint64_t i;

    se_hdr_phkh(key->pub.x, key->pub.y, phkh);
    for (i = 0; i < hdr->nks; i++) {
        if (!memcmp(hdr->slots[i].phkh, phkh, SE_HDR_PHKH_SIZE)) {
            *idx = i;
            return &hdr->slots[i];
        }
    }
    return NULL;
}

/* Z = ECDH(host priv, customer pub); K = KDF(Z); protection key = GCM(K). */
SeCheck se_key_slot_unwrap(const SeHostKey *key,
                           const uint8_t cust_x[CC_P521_LEN],
                           const uint8_t cust_y[CC_P521_LEN],
                           const SeKeySlot *ks,
                           uint8_t hdr_key[SE_HDR_KEY_SIZE])
{
    static const uint8_t zero_iv[SE_HDR_IV_SIZE];
    uint8_t z[CC_P521_LEN], k[SE_HDR_KEY_SIZE];
    SeCheck chk = SE_CHECK_CUST_KEY;

    if (cc_p521_ecdh(key->priv, cust_x, cust_y, z)) {
        slot_kdf(z, k);
        chk = se_gcm_open(k, zero_iv, NULL, 0, ks->wrapped_key,
                       SE_HDR_KEY_SIZE, ks->tag, hdr_key) ?
              SE_CHECK_OK : SE_CHECK_SLOT_TAG;
    }
    cc_wipe(z, sizeof(z));
    cc_wipe(k, sizeof(k));
    return chk;
}

bool se_hdr_unwrap(const SeHdr *hdr, const SeHostKey *primary,
                   const SeHostKey *backup, SeHdrSecrets *out,
                   SeHostKeyUsed *used, uint64_t *slot, SeError *err)
{
    uint8_t hdr_key[SE_HDR_KEY_SIZE];
    const SeHostKey *key = primary;
    const SeKeySlot *ks;
    uint64_t idx = 0;
    SeCheck chk;
    bool ok;

    memset(out, 0, sizeof(*out));
    ks = find_slot(hdr, primary, &idx);
    if (!ks && backup) {
        key = backup;
        ks = find_slot(hdr, backup, &idx);
    }
    if (used) {
        *used = !ks ? SE_HOST_KEY_NONE :
                key == primary ? SE_HOST_KEY_PRIMARY : SE_HOST_KEY_BACKUP;
    }
    if (slot) {
        *slot = idx;
    }
    if (!ks) {
        return se_error_set(err, SE_CHECK_NO_MATCHING_SLOT);
    }
    chk = se_key_slot_unwrap(key, hdr->cust_x, hdr->cust_y, ks, hdr_key);
    if (chk != SE_CHECK_OK) {
        return se_error_set(err, chk);
    }
    ok = se_hdr_decrypt(hdr, hdr_key, out, err);
    cc_wipe(hdr_key, sizeof(hdr_key));
    return ok;
}

/* The decrypted v1 area: fixed fields, then the v1-only checks. */
static SeCheck parse_secrets(const uint8_t *plain, size_t len,
                             SeHdrSecrets *s)
{
    CCBuf b;
    bool res_ok;

    cc_buf_init(&b, plain, len);
    cc_buf_copy(&b, s->cck, SE_HDR_CCK_SIZE);
    cc_buf_copy(&b, s->xts_key, SE_HDR_XTS_KEY_SIZE);
    s->psw_mask = cc_buf_be64(&b);
    s->psw_addr = cc_buf_be64(&b);
    s->scf = cc_buf_be64(&b);
    s->noi = cc_buf_be32(&b);
    res_ok = cc_buf_zero(&b, 4);
    if (!cc_buf_ok(&b)) {
        return SE_CHECK_ENC_SIZE;
    }
    if (!res_ok) {
        return SE_CHECK_RESERVED;
    }
    if (s->noi) {
        return SE_CHECK_NOI;
    }
    if (s->scf & ~se_hdr_supported_scf()) {
        return SE_CHECK_SCF;
    }
    return SE_CHECK_OK;
}

bool se_hdr_decrypt(const SeHdr *hdr, const uint8_t key[SE_HDR_KEY_SIZE],
                    SeHdrSecrets *out, SeError *err)
{
    uint8_t plain[SE_HDR_ENC_V1_SIZE];
    SeCheck chk;

    memset(out, 0, sizeof(*out));
    if (hdr->sea != sizeof(plain)) {
        return se_error_set(err, SE_CHECK_ENC_SIZE);
    }
    if (!se_gcm_open(key, hdr->iv, hdr->raw, hdr->aad_len,
                  hdr->raw + hdr->aad_len, hdr->sea, hdr->tag, plain)) {
        return se_error_set(err, SE_CHECK_HDR_TAG);
    }
    chk = parse_secrets(plain, sizeof(plain), out);
    cc_wipe(plain, sizeof(plain));
    if (chk != SE_CHECK_OK) {
        se_hdr_secrets_wipe(out);
    }
    return se_error_set(err, chk);
}

void se_hdr_secrets_wipe(SeHdrSecrets *s)
{
    cc_wipe(s, sizeof(*s));
}

/* ---- builder ----------------------------------------------------------- */

bool se_key_slot_wrap(uint8_t slot[SE_HDR_KEY_SLOT_SIZE],
                      const uint8_t cust_priv[CC_P521_LEN],
                      const SeP521Pub *host,
                      const uint8_t key[SE_HDR_KEY_SIZE], GError **errp)
{
    static const uint8_t zero_iv[SE_HDR_IV_SIZE];
    uint8_t z[CC_P521_LEN], k[SE_HDR_KEY_SIZE];

    if (!cc_p521_ecdh(cust_priv, host->x, host->y, z)) {
        g_set_error(errp, SE_HDR_ERROR, 0, "invalid host public key");
        return false;
    }
    slot_kdf(z, k);
    se_hdr_phkh(host->x, host->y, slot);
    se_gcm_seal(k, zero_iv, NULL, 0, key, SE_HDR_KEY_SIZE,
                slot + SE_HDR_PHKH_SIZE,
                slot + SE_HDR_PHKH_SIZE + SE_HDR_KEY_SIZE);
    cc_wipe(z, sizeof(z));
    cc_wipe(k, sizeof(k));
    return true;
}

static void build_head(uint8_t *p, const SeHdrBuildParams *bp, size_t phs,
                       const uint8_t cx[CC_P521_LEN],
                       const uint8_t cy[CC_P521_LEN])
{
    cc_put_be64(p + SE_HDR_OFF_MAGIC, SE_HDR_MAGIC);
    cc_put_be32(p + SE_HDR_OFF_VERSION, SE_HDR_VERSION_V1);
    cc_put_be32(p + SE_HDR_OFF_PHS, phs);
    memcpy(p + SE_HDR_OFF_IV, bp->iv, SE_HDR_IV_SIZE);
    cc_put_be64(p + SE_HDR_OFF_NKS, bp->n_host_keys);
    cc_put_be64(p + SE_HDR_OFF_SEA, SE_HDR_ENC_V1_SIZE);
    cc_put_be64(p + SE_HDR_OFF_NEP, bp->nep);
    cc_put_be64(p + SE_HDR_OFF_PCF, bp->pcf);
    se_put_coord(p + SE_HDR_OFF_CUST_X, cx);
    se_put_coord(p + SE_HDR_OFF_CUST_Y, cy);
    memcpy(p + SE_HDR_OFF_PLD, bp->pld, SE_HDR_DIGEST_SIZE);
    memcpy(p + SE_HDR_OFF_ALD, bp->ald, SE_HDR_DIGEST_SIZE);
    memcpy(p + SE_HDR_OFF_TLD, bp->tld, SE_HDR_DIGEST_SIZE);
}

static void build_secrets(uint8_t *p, const SeHdrSecrets *s)
{
    memcpy(p, s->cck, SE_HDR_CCK_SIZE);
    p += SE_HDR_CCK_SIZE;
    memcpy(p, s->xts_key, SE_HDR_XTS_KEY_SIZE);
    p += SE_HDR_XTS_KEY_SIZE;
    cc_put_be64(p, s->psw_mask);
    cc_put_be64(p + 8, s->psw_addr);
    cc_put_be64(p + 16, s->scf);
    cc_put_be32(p + 24, s->noi);
    cc_put_be32(p + 28, 0);
}

uint8_t *se_hdr_build(const SeHdrBuildParams *bp, size_t *len,
                      GError **errp)
{
    uint8_t cx[CC_P521_LEN], cy[CC_P521_LEN];
    g_autofree uint8_t *buf = NULL;
    size_t phs, aad_len, i;

    if (bp->n_host_keys == 0 || bp->n_host_keys > SE_HDR_MAX_KEY_SLOTS) {
        g_set_error(errp, SE_HDR_ERROR, 0, "need 1 to %d host keys",
                    (int)SE_HDR_MAX_KEY_SLOTS);
        return NULL;
    }
    if (!cc_p521_public_from_private(bp->cust_priv, cx, cy)) {
        g_set_error(errp, SE_HDR_ERROR, 0, "invalid customer private key");
        return NULL;
    }
    aad_len = SE_HDR_OFF_SLOTS + bp->n_host_keys * SE_HDR_KEY_SLOT_SIZE;
    phs = aad_len + SE_HDR_ENC_V1_SIZE + SE_HDR_TAG_SIZE;
    buf = g_malloc0(phs);
    build_head(buf, bp, phs, cx, cy);
    for (i = 0; i < bp->n_host_keys; i++) {
        if (!se_key_slot_wrap(buf + SE_HDR_OFF_SLOTS +
                              i * SE_HDR_KEY_SLOT_SIZE, bp->cust_priv,
                              &bp->host_pub[i], bp->hdr_key, errp)) {
            return NULL;
        }
    }
    build_secrets(buf + aad_len, &bp->secrets);
    se_gcm_seal(bp->hdr_key, bp->iv, buf, aad_len, buf + aad_len,
             SE_HDR_ENC_V1_SIZE, buf + aad_len,
             buf + aad_len + SE_HDR_ENC_V1_SIZE);
    *len = phs;
    return g_steal_pointer(&buf);
}
