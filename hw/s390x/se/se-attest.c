/*
 * IBM Z Secure Execution attestation: ARCB checks and decryption, the
 * measurement, and the ARCB builder (see hw/s390x/se/se-attest.h).
 *
 * Cryptography: the SE requests' key slots and AES-256-GCM (se-req.c),
 * HMAC-SHA512 from nettle.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-attest.h"

#include <nettle/hmac.h>

GQuark se_attest_error_quark(void)
{
    return g_quark_from_static_string("se-attest-error-quark");
}

/* The fixed part: header, authenticated fields, customer key, GCM tag */
#define ARCB_FIXED_SIZE     (SE_ARCB_OFF_SLOTS + SE_HDR_TAG_SIZE)

uint16_t se_arcb_length(const uint8_t *hdr, size_t len, uint32_t *rql)
{
    static const uint8_t zero_magic[8];

    *rql = 0;
    if (len < SE_ARCB_HDR_SIZE) {
        return SE_ATT_RC_LENGTH;
    }
    /* [U] a non-zero magic is an unknown request version */
    if (memcmp(hdr, zero_magic, sizeof(zero_magic)) ||
        cc_get_be(hdr + SE_REQ_OFF_RQVN, 4) != SE_ARCB_VERSION_V1) {
        return SE_ATT_RC_VERSION;
    }
    *rql = cc_get_be(hdr + SE_REQ_OFF_RQL, 4);
    if (*rql < ARCB_FIXED_SIZE + SE_HDR_KEY_SLOT_SIZE +
               SE_ARCB_MEAS_KEY_SIZE || *rql > SE_ARCB_MAX_SIZE) {
        return SE_ATT_RC_LENGTH;
    }
    return SE_ATT_RC_OK;
}

void se_attest_tags(const SeHdr *hdr, uint8_t tags[SE_ATT_TAGS_SIZE])
{
    memcpy(tags, hdr->pld, SE_HDR_DIGEST_SIZE);
    memcpy(tags + SE_HDR_DIGEST_SIZE, hdr->ald, SE_HDR_DIGEST_SIZE);
    memcpy(tags + 2 * SE_HDR_DIGEST_SIZE, hdr->tld, SE_HDR_DIGEST_SIZE);
    memcpy(tags + 3 * SE_HDR_DIGEST_SIZE, hdr->tag, SE_HDR_TAG_SIZE);
}

uint32_t se_attest_add_size(uint64_t flags)
{
    uint32_t n = 0;

    n += flags & SE_ATT_FLAG_IMAGE_PHKH ? SE_HDR_PHKH_SIZE : 0;
    n += flags & SE_ATT_FLAG_ATTEST_PHKH ? SE_HDR_PHKH_SIZE : 0;
    n += flags & SE_ATT_FLAG_SECRET_HASH ? 0x40 : 0;
    n += flags & SE_ATT_FLAG_FW_STATE ? 0x140 : 0;
    return n;
}

void se_attest_measurement(const uint8_t meas_key[SE_ARCB_MEAS_KEY_SIZE],
                           const uint8_t tags[SE_ATT_TAGS_SIZE],
                           const uint8_t cuid[SE_ATT_CUID_SIZE],
                           const uint8_t *user, size_t user_len,
                           const uint8_t *nonce,
                           const uint8_t *add, size_t add_len,
                           uint8_t out[SE_ATT_MEAS_SIZE])
{
    struct hmac_sha512_ctx ctx;
    uint8_t lens[8];

    cc_put_be16(lens, user_len);
    cc_put_be16(lens + 2, 0);
    cc_put_be32(lens + 4, add_len);
    hmac_sha512_set_key(&ctx, SE_ARCB_MEAS_KEY_SIZE, meas_key);
    hmac_sha512_update(&ctx, SE_ATT_TAGS_SIZE, tags);
    hmac_sha512_update(&ctx, SE_ATT_CUID_SIZE, cuid);
    hmac_sha512_update(&ctx, sizeof(lens), lens);
    if (user_len) {
        hmac_sha512_update(&ctx, user_len, user);
    }
    if (nonce) {
        hmac_sha512_update(&ctx, SE_ARCB_NONCE_SIZE, nonce);
    }
    if (add_len) {
        hmac_sha512_update(&ctx, add_len, add);
    }
    hmac_sha512_digest(&ctx, SE_ATT_MEAS_SIZE, out);
    cc_wipe(&ctx, sizeof(ctx));
}

/* The parsed plaintext of an ARCB whose length is known to be rql */
typedef struct Arcb {
    SeReq req;
    uint32_t mai;
    uint64_t flags;
} Arcb;

static uint16_t arcb_parse(const uint8_t *buf, size_t len, Arcb *a)
{
    uint32_t rql;
    uint16_t rc = se_arcb_length(buf, len, &rql);

    if (rc != SE_ATT_RC_OK) {
        return rc;
    }
    if (len < rql) {
        return SE_ATT_RC_LENGTH;
    }
    se_req_header(buf, &a->req);
    a->flags = cc_get_be64(buf + SE_ARCB_OFF_FLAGS);
    a->mai = cc_get_be(buf + SE_ARCB_OFF_MAI, 4);
    if (a->req.nks == 0 || a->req.nks > SE_ARCB_MAX_KEY_SLOTS) {
        return SE_ATT_RC_NKS;
    }
    if ((uint64_t)ARCB_FIXED_SIZE + a->req.nks * SE_HDR_KEY_SLOT_SIZE +
        a->req.sea != rql) {
        return SE_ATT_RC_LENGTH;
    }
    return SE_ATT_RC_OK;
}

/* Checks of the authenticated fields against what is asked for */
static uint16_t arcb_check(const Arcb *a, const SeAttestCall *call)
{
    uint32_t want_sea = SE_ARCB_MEAS_KEY_SIZE +
        (a->flags & SE_ATT_FLAG_NONCE ? SE_ARCB_NONCE_SIZE : 0);

    if (a->flags & ~SE_ATT_FLAGS_SUPPORTED) {
        return SE_ATT_RC_FLAGS;
    }
    if (a->mai != SE_ARCB_MAI_HMAC_SHA512) {
        return SE_ATT_RC_MAI;
    }
    if (a->req.sea != want_sea) {
        return SE_ATT_RC_SEA;
    }
    if (call->meas_len < SE_ATT_MEAS_SIZE) {
        return SE_ATT_RC_MEAS_LEN;
    }
    if (call->add_len < se_attest_add_size(a->flags)) {
        return SE_ATT_RC_ADD_LEN;
    }
    return SE_ATT_RC_OK;
}

uint16_t se_attest(const SeAttestCall *call, const SeHostKey *const *keys,
                   size_t n_keys, const SeAttestConfig *conf,
                   SeAttestResult *res)
{
    uint8_t plain[SE_ARCB_MEAS_KEY_SIZE + SE_ARCB_NONCE_SIZE];
    uint8_t prot_key[SE_HDR_KEY_SIZE], phkh[SE_HDR_PHKH_SIZE];
    bool ok;
    uint16_t rc;
    Arcb a;

    memset(res, 0, sizeof(*res));
    if (call->user_len > SE_ATT_USER_MAX) {
        return SE_ATT_RC_USER_LEN;
    }
    rc = arcb_parse(call->arcb, call->arcb_len, &a);
    if (rc == SE_ATT_RC_OK) {
        rc = arcb_check(&a, call);
    }
    if (rc != SE_ATT_RC_OK) {
        return rc;
    }
    ok = se_req_unwrap(&a.req, SE_ARCB_OFF_CUST, SE_ARCB_OFF_SLOTS, keys,
                       n_keys, prot_key, phkh) &&
         se_req_open(&a.req, prot_key, plain);
    cc_wipe(prot_key, sizeof(prot_key));
    if (!ok) {
        return SE_ATT_RC_DECRYPT;
    }

    /* Additional data in the order of its flags */
    if (a.flags & SE_ATT_FLAG_IMAGE_PHKH) {
        memcpy(res->add + res->add_len, conf->image_phkh, SE_HDR_PHKH_SIZE);
        res->add_len += SE_HDR_PHKH_SIZE;
    }
    if (a.flags & SE_ATT_FLAG_ATTEST_PHKH) {
        memcpy(res->add + res->add_len, phkh, SE_HDR_PHKH_SIZE);
        res->add_len += SE_HDR_PHKH_SIZE;
    }
    if (a.flags & SE_ATT_FLAG_SECRET_HASH) {
        memcpy(res->add + res->add_len, conf->secret_hash,
               SE_ATT_SECRET_HASH_SIZE);
        res->add_len += SE_ATT_SECRET_HASH_SIZE;
    }
    se_attest_measurement(plain, conf->tags, conf->cuid, call->user,
                          call->user_len,
                          a.flags & SE_ATT_FLAG_NONCE ?
                          plain + SE_ARCB_MEAS_KEY_SIZE : NULL,
                          res->add, res->add_len, res->meas);
    cc_wipe(plain, sizeof(plain));
    return SE_ATT_RC_OK;
}

/* ---- the requester's side ---------------------------------------------- */

uint8_t *se_arcb_build(const SeArcbBuildParams *p, size_t *len,
                       GError **errp)
{
    const SeArcbSecrets *s = &p->secrets;
    g_autofree uint8_t *buf = NULL;
    SeReqSealParams sp = {
        .magic = { 0 }, .rqvn = SE_ARCB_VERSION_V1, .iv = p->iv,
        .prot_key = p->prot_key, .cust_priv = p->cust_priv,
        .host_pub = p->host_pub, .n_host_keys = p->n_host_keys,
        .cust_off = SE_ARCB_OFF_CUST, .slots_off = SE_ARCB_OFF_SLOTS,
    };
    size_t sea, aad_len, rql;

    if (p->n_host_keys == 0 || p->n_host_keys > SE_ARCB_MAX_KEY_SLOTS) {
        g_set_error(errp, SE_ATTEST_ERROR, 0, "need 1 to %d host keys",
                    (int)SE_ARCB_MAX_KEY_SLOTS);
        return NULL;
    }
    sea = SE_ARCB_MEAS_KEY_SIZE + (s->has_nonce ? SE_ARCB_NONCE_SIZE : 0);
    aad_len = SE_ARCB_OFF_SLOTS + p->n_host_keys * SE_HDR_KEY_SLOT_SIZE;
    rql = aad_len + sea + SE_HDR_TAG_SIZE;
    buf = g_malloc0(rql);
    cc_put_be64(buf + SE_ARCB_OFF_FLAGS, s->flags);
    cc_put_be32(buf + SE_ARCB_OFF_MAI, p->mai);
    memcpy(buf + aad_len, s->meas_key, SE_ARCB_MEAS_KEY_SIZE);
    if (s->has_nonce) {
        memcpy(buf + aad_len + SE_ARCB_MEAS_KEY_SIZE, s->nonce,
               SE_ARCB_NONCE_SIZE);
    }
    if (!se_req_seal(buf, rql, sea, &sp, errp)) {
        return NULL;
    }
    *len = rql;
    return g_steal_pointer(&buf);
}

bool se_arcb_open(const uint8_t *arcb, size_t len,
                  const uint8_t prot_key[SE_HDR_KEY_SIZE],
                  SeArcbSecrets *out, GError **errp)
{
    uint8_t plain[SE_ARCB_MEAS_KEY_SIZE + SE_ARCB_NONCE_SIZE];
    uint16_t rc;
    Arcb a;

    memset(out, 0, sizeof(*out));
    rc = arcb_parse(arcb, len, &a);
    if (rc != SE_ATT_RC_OK) {
        g_set_error(errp, SE_ATTEST_ERROR, rc, "not a valid attestation "
                    "request (rc 0x%04x)", rc);
        return false;
    }
    if (a.req.sea != SE_ARCB_MEAS_KEY_SIZE &&
        a.req.sea != SE_ARCB_MEAS_KEY_SIZE + SE_ARCB_NONCE_SIZE) {
        g_set_error(errp, SE_ATTEST_ERROR, SE_ATT_RC_SEA, "attestation "
                    "request: encrypted area of %u bytes", a.req.sea);
        return false;
    }
    if (!se_req_open(&a.req, prot_key, plain)) {
        g_set_error(errp, SE_ATTEST_ERROR, SE_ATT_RC_DECRYPT,
                    "attestation request: the request protection key does "
                    "not decrypt it (another request, or altered)");
        return false;
    }
    out->flags = a.flags;
    memcpy(out->meas_key, plain, SE_ARCB_MEAS_KEY_SIZE);
    out->has_nonce = a.req.sea > SE_ARCB_MEAS_KEY_SIZE;
    if (out->has_nonce) {
        memcpy(out->nonce, plain + SE_ARCB_MEAS_KEY_SIZE, SE_ARCB_NONCE_SIZE);
    }
    cc_wipe(plain, sizeof(plain));
    return true;
}
