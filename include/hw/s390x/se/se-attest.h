/*
 * IBM Z Secure Execution attestation: the attestation request control
 * block (ARCB) of Retrieve Attestation Measurement (UVC 0x1020), the
 * measurement, and a builder for tools and tests.
 *
 * Formats follow s390-tools (rust/pv/src/req/header.rs, req/context.rs,
 * req/keyslot.rs, uvattest/arcb.rs, uvattest/attest.rs,
 * uvattest/additional.rs) and the rc values its uvdevice client decodes
 * (rust/pv_core/src/uvdevice/attest.rs), as docs/system/s390x/
 * secure-execution-tcg.rst summarises.  All multi-byte fields are
 * big-endian; flag bits are numbered MSB0.
 *
 * ARCB (version 0x0100):
 *   0x00 magic[8] = 0, rqvn u32, rql u32, iv[12], res[4], res[7], nks u8,
 *        res u32, sea u32                           (request header, 48)
 *   0x30 flags u64, mai u32, res u32                 (authenticated, 16)
 *   0x40 customer public key: X, Y, each padded to 80 bytes
 *   0xe0 nks key slots of 80 bytes (as in the SE header)
 *        encrypted: measurement key[64] || nonce[16] (sea bytes)
 *        GCM tag[16]
 * AAD = everything before the encrypted area; key = the request
 * protection key, wrapped in each key slot.
 *
 * Measurement = HMAC-SHA512(measurement key, PLD || ALD || TLD || header
 * tag || CUID || user_len u16 || 0 u16 || add_len u32 || user data ||
 * nonce (if flagged) || additional data).
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_ATTEST_H
#define HW_S390X_SE_ATTEST_H

#include "hw/s390x/se/se-req.h"

#define SE_ARCB_VERSION_V1      0x0100
#define SE_ARCB_HDR_SIZE        SE_REQ_HDR_SIZE
#define SE_ARCB_OFF_FLAGS       0x30
#define SE_ARCB_OFF_MAI         0x38
#define SE_ARCB_OFF_CUST        0x40
#define SE_ARCB_OFF_SLOTS       0xe0
#define SE_ARCB_MEAS_KEY_SIZE   64
#define SE_ARCB_NONCE_SIZE      16
#define SE_ARCB_MAI_HMAC_SHA512 1
/*
 * [U] The largest ARCB the emulated ultravisor reads: two pages, as for
 * the SE header (the hardware's limit is not documented; Linux's uvdevice
 * takes up to 1 MiB).  With a nonce that is 99 key slots.
 */
#define SE_ARCB_MAX_SIZE        8192
#define SE_ARCB_MAX_KEY_SLOTS \
    ((SE_ARCB_MAX_SIZE - SE_ARCB_OFF_SLOTS - SE_ARCB_MEAS_KEY_SIZE - \
      SE_ARCB_NONCE_SIZE - SE_HDR_TAG_SIZE) / SE_HDR_KEY_SLOT_SIZE)

/* Plaintext attestation flags (MSB0) and the additional data they add */
#define SE_ATT_FLAG_NONCE       SE_FLAG_BIT(1)
#define SE_ATT_FLAG_IMAGE_PHKH  SE_FLAG_BIT(2)
#define SE_ATT_FLAG_ATTEST_PHKH SE_FLAG_BIT(3)
#define SE_ATT_FLAG_SECRET_HASH SE_FLAG_BIT(4)
#define SE_ATT_FLAG_FW_STATE    SE_FLAG_BIT(5)
/* Those this ultravisor honours (QUI supp_att_pflags) */
#define SE_ATT_FLAGS_SUPPORTED \
    (SE_ATT_FLAG_NONCE | SE_ATT_FLAG_IMAGE_PHKH | SE_ATT_FLAG_ATTEST_PHKH | \
     SE_ATT_FLAG_SECRET_HASH)

#define SE_ATT_MEAS_SIZE        64          /* HMAC-SHA512 */
#define SE_ATT_USER_MAX         256
#define SE_ATT_CUID_SIZE        16
/* PLD || ALD || TLD || SE-header tag */
#define SE_ATT_TAGS_SIZE        (3 * SE_HDR_DIGEST_SIZE + SE_HDR_TAG_SIZE)
#define SE_ATT_SECRET_HASH_SIZE 64          /* SHA-512 */
#define SE_ATT_ADD_MAX          (2 * SE_HDR_PHKH_SIZE + SE_ATT_SECRET_HASH_SIZE)

/* Retrieve Attestation Measurement rc values (s390-tools, see above) */
#define SE_ATT_RC_OK            0x0001
#define SE_ATT_RC_TOKEN         0x0101
#define SE_ATT_RC_USER_LEN      0x0102
#define SE_ATT_RC_ARCB_ACCESS   0x0103
#define SE_ATT_RC_MEAS_ACCESS   0x0104
#define SE_ATT_RC_ADD_ACCESS    0x0105
#define SE_ATT_RC_VERSION       0x0106
#define SE_ATT_RC_LENGTH        0x0107
#define SE_ATT_RC_NKS           0x0108
#define SE_ATT_RC_SEA           0x0109
#define SE_ATT_RC_FLAGS         0x010a
#define SE_ATT_RC_MAI           0x010b
#define SE_ATT_RC_DECRYPT       0x010c
#define SE_ATT_RC_MEAS_LEN      0x010d
#define SE_ATT_RC_ADD_LEN       0x010e

/* What the ultravisor knows of the secure configuration */
typedef struct SeAttestConfig {
    uint8_t tags[SE_ATT_TAGS_SIZE];
    uint8_t cuid[SE_ATT_CUID_SIZE];
    uint8_t image_phkh[SE_HDR_PHKH_SIZE];   /* the key slot it booted by */
    /* the secret store's hash, se_secret_store_hash() (se-secret.h) */
    uint8_t secret_hash[SE_ATT_SECRET_HASH_SIZE];
} SeAttestConfig;

/* A request and where its results go */
typedef struct SeAttestCall {
    const uint8_t *arcb;
    size_t arcb_len;            /* bytes readable at the ARCB (>= rql) */
    const uint8_t *user;
    size_t user_len;
    uint32_t meas_len;          /* room for the measurement */
    uint32_t add_len;           /* room for additional data */
} SeAttestCall;

typedef struct SeAttestResult {
    uint8_t meas[SE_ATT_MEAS_SIZE];
    uint8_t add[SE_ATT_ADD_MAX];
    uint32_t add_len;           /* additional data written */
} SeAttestResult;

/*
 * The ARCB's total length from its first SE_ARCB_HDR_SIZE bytes, so the
 * caller knows how much to read; SE_ATT_RC_OK or the rc to return.
 */
uint16_t se_arcb_length(const uint8_t *hdr, size_t len, uint32_t *rql);

/*
 * Check and decrypt the request with the first of @keys that has a key
 * slot, and compute the measurement and additional data.  Returns the
 * UVC rc (SE_ATT_RC_OK on success); @res is wiped on failure.
 */
uint16_t se_attest(const SeAttestCall *call, const SeHostKey *const *keys,
                   size_t n_keys, const SeAttestConfig *conf,
                   SeAttestResult *res);

/* The image's tags as the measurement takes them from its SE header */
void se_attest_tags(const SeHdr *hdr, uint8_t tags[SE_ATT_TAGS_SIZE]);

/* Additional data size the flags ask for (s390-tools additional.rs) */
uint32_t se_attest_add_size(uint64_t flags);

/*
 * The measurement a verifier expects: HMAC-SHA512 over the items above.
 * @nonce may be NULL (no nonce flag).
 */
void se_attest_measurement(const uint8_t meas_key[SE_ARCB_MEAS_KEY_SIZE],
                           const uint8_t tags[SE_ATT_TAGS_SIZE],
                           const uint8_t cuid[SE_ATT_CUID_SIZE],
                           const uint8_t *user, size_t user_len,
                           const uint8_t *nonce,
                           const uint8_t *add, size_t add_len,
                           uint8_t out[SE_ATT_MEAS_SIZE]);

/* The request's secrets, as the requester keeps them */
typedef struct SeArcbSecrets {
    uint64_t flags;
    uint8_t meas_key[SE_ARCB_MEAS_KEY_SIZE];
    uint8_t nonce[SE_ARCB_NONCE_SIZE];
    bool has_nonce;
} SeArcbSecrets;

typedef struct SeArcbBuildParams {
    uint8_t iv[SE_HDR_IV_SIZE];
    uint8_t prot_key[SE_HDR_KEY_SIZE];      /* the request protection key */
    uint8_t cust_priv[CC_P521_LEN];
    uint32_t mai;
    SeArcbSecrets secrets;
    const SeP521Pub *host_pub;
    size_t n_host_keys;
} SeArcbBuildParams;

#define SE_ATTEST_ERROR se_attest_error_quark()
GQuark se_attest_error_quark(void);

/* Serialize and encrypt an ARCB; g_free() the result. */
uint8_t *se_arcb_build(const SeArcbBuildParams *p, size_t *len,
                       GError **errp);

/*
 * Decrypt an ARCB with its request protection key (what pvattest's
 * verify does with the key it kept); false with @errp set if the ARCB is
 * malformed or the key or tag does not match.
 */
bool se_arcb_open(const uint8_t *arcb, size_t len,
                  const uint8_t prot_key[SE_HDR_KEY_SIZE],
                  SeArcbSecrets *out, GError **errp);

#endif
