/*
 * IBM Z Secure Execution requests: the generic header, key slots and
 * AES-256-GCM that attestation and add-secret requests share (see
 * include/hw/s390x/se/se-req.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-req.h"

GQuark se_req_error_quark(void)
{
    return g_quark_from_static_string("se-req-error-quark");
}

void se_req_header(const uint8_t *buf, SeReq *r)
{
    r->raw = buf;
    r->rqvn = cc_get_be(buf + SE_REQ_OFF_RQVN, 4);
    r->rql = cc_get_be(buf + SE_REQ_OFF_RQL, 4);
    r->nks = buf[SE_REQ_OFF_NKS];
    r->sea = cc_get_be(buf + SE_REQ_OFF_SEA, 4);
}

bool se_req_unwrap(const SeReq *r, size_t cust_off, size_t slots_off,
                   const SeHostKey *const *keys, size_t n_keys,
                   uint8_t prot_key[SE_HDR_KEY_SIZE],
                   uint8_t phkh[SE_HDR_PHKH_SIZE])
{
    uint8_t cx[CC_P521_LEN], cy[CC_P521_LEN];
    const uint8_t *slot = NULL;
    const SeHostKey *key = NULL;
    SeKeySlot ks;
    CCBuf b;
    bool ok;
    size_t i, j;

    G_STATIC_ASSERT(sizeof(SeKeySlot) == SE_HDR_KEY_SLOT_SIZE);
    cc_buf_init(&b, r->raw, r->rql);
    cc_buf_seek(&b, cust_off);
    ok = cc_buf_zero(&b, SE_HDR_ECC_PAD);
    cc_buf_copy(&b, cx, CC_P521_LEN);
    ok &= cc_buf_zero(&b, SE_HDR_ECC_PAD);
    cc_buf_copy(&b, cy, CC_P521_LEN);
    if (!ok || !cc_buf_ok(&b) ||
        slots_off + (uint64_t)r->nks * SE_HDR_KEY_SLOT_SIZE > r->rql) {
        return false;
    }
    for (i = 0; i < n_keys && !slot; i++) {
        const uint8_t *s = r->raw + slots_off;

        if (!keys[i]) {
            continue;
        }
        se_hdr_phkh(keys[i]->pub.x, keys[i]->pub.y, phkh);
        for (j = 0; j < r->nks; j++, s += SE_HDR_KEY_SLOT_SIZE) {
            if (!memcmp(s, phkh, SE_HDR_PHKH_SIZE)) {
                slot = s;
                key = keys[i];
                break;
            }
        }
    }
    if (!slot) {
        return false;
    }
    memcpy(&ks, slot, sizeof(ks));
    return se_key_slot_unwrap(key, cx, cy, &ks, prot_key) == SE_CHECK_OK;
}

bool se_req_open(const SeReq *r, const uint8_t key[SE_HDR_KEY_SIZE],
                 uint8_t *plain)
{
    size_t aad_len = r->rql - r->sea - SE_HDR_TAG_SIZE;

    return se_gcm_open(key, r->raw + SE_REQ_OFF_IV, r->raw, aad_len,
                       r->raw + aad_len, r->sea,
                       r->raw + r->rql - SE_HDR_TAG_SIZE, plain);
}

bool se_req_seal(uint8_t *buf, uint32_t rql, uint32_t sea,
                 const SeReqSealParams *p, GError **errp)
{
    uint8_t cx[CC_P521_LEN], cy[CC_P521_LEN];
    size_t aad_len = rql - sea - SE_HDR_TAG_SIZE;
    size_t i;

    g_assert(p->n_host_keys >= 1 && p->n_host_keys <= 255);
    g_assert(p->slots_off + p->n_host_keys * SE_HDR_KEY_SLOT_SIZE <=
             aad_len);
    if (!cc_p521_public_from_private(p->cust_priv, cx, cy)) {
        g_set_error_literal(errp, SE_REQ_ERROR, 0,
                            "invalid customer private key");
        return false;
    }
    memcpy(buf, p->magic, SE_REQ_MAGIC_SIZE);
    cc_put_be32(buf + SE_REQ_OFF_RQVN, p->rqvn);
    cc_put_be32(buf + SE_REQ_OFF_RQL, rql);
    memcpy(buf + SE_REQ_OFF_IV, p->iv, SE_HDR_IV_SIZE);
    buf[SE_REQ_OFF_NKS] = p->n_host_keys;
    cc_put_be32(buf + SE_REQ_OFF_SEA, sea);
    se_put_coord(buf + p->cust_off, cx);
    se_put_coord(buf + p->cust_off + SE_HDR_ECC_FIELD_SIZE, cy);
    for (i = 0; i < p->n_host_keys; i++) {
        if (!se_key_slot_wrap(buf + p->slots_off + i * SE_HDR_KEY_SLOT_SIZE,
                              p->cust_priv, &p->host_pub[i], p->prot_key,
                              errp)) {
            return false;
        }
    }
    se_gcm_seal(p->prot_key, p->iv, buf, aad_len, buf + aad_len, sea,
                buf + aad_len, buf + aad_len + sea);
    return true;
}
