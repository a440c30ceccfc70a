/*
 * IBM Z Secure Execution header, version 1: constants, parser, key-slot
 * unwrapping, decryption of the encrypted area, and a builder for tools
 * and tests.
 *
 * Layout and procedures follow s390-tools (genprotimg/src/include/
 * pv_hdr_def.h, genprotimg/src/pv/pv_hdr.c and pv_image.c at v2.35.0;
 * rust/pvimg/src/pv_utils/se_hdr/), as docs/system/s390x/
 * secure-execution-tcg.rst summarises.  All multi-byte fields are
 * big-endian.
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_HDR_H
#define HW_S390X_SE_HDR_H

#include "qemu/cc-ecc.h"

#define SE_HDR_MAGIC            0x49424d5365634578ULL  /* "IBMSecEx" */
#define SE_HDR_VERSION_V1       0x00000100
#define SE_HDR_MAX_SIZE         8192                   /* 2 pages */

/* Field offsets in the plaintext head */
#define SE_HDR_OFF_MAGIC        0x00
#define SE_HDR_OFF_VERSION      0x08
#define SE_HDR_OFF_PHS          0x0c
#define SE_HDR_OFF_IV           0x10
#define SE_HDR_OFF_RES1         0x1c
#define SE_HDR_OFF_NKS          0x20
#define SE_HDR_OFF_SEA          0x28
#define SE_HDR_OFF_NEP          0x30
#define SE_HDR_OFF_PCF          0x38
#define SE_HDR_OFF_CUST_X       0x40
#define SE_HDR_OFF_CUST_Y       0x90
#define SE_HDR_OFF_PLD          0xe0
#define SE_HDR_OFF_ALD          0x120
#define SE_HDR_OFF_TLD          0x160
#define SE_HDR_OFF_SLOTS        0x1a0

#define SE_HDR_IV_SIZE          12
#define SE_HDR_TAG_SIZE         16
#define SE_HDR_DIGEST_SIZE      64          /* SHA-512 */
#define SE_HDR_ECC_FIELD_SIZE   80          /* one padded P-521 coordinate */
#define SE_HDR_ECC_PAD          (SE_HDR_ECC_FIELD_SIZE - CC_P521_LEN)
#define SE_HDR_KEY_SLOT_SIZE    80
#define SE_HDR_PHKH_SIZE        32
#define SE_HDR_KEY_SIZE         32          /* header protection key */
#define SE_HDR_ENC_V1_SIZE      128
#define SE_HDR_CCK_SIZE         32
#define SE_HDR_XTS_KEY_SIZE     64          /* xts_key1 || xts_key2 */

/* Largest nks that can fit in SE_HDR_MAX_SIZE with a v1 encrypted area */
#define SE_HDR_MAX_KEY_SLOTS \
    ((SE_HDR_MAX_SIZE - SE_HDR_OFF_SLOTS - SE_HDR_ENC_V1_SIZE - \
      SE_HDR_TAG_SIZE) / SE_HDR_KEY_SLOT_SIZE)

/* Plaintext / secret control flags are numbered MSB0 */
#define SE_FLAG_BIT(n)          (1ULL << (63 - (n)))
#define SE_PCF_ALLOW_DUMP       SE_FLAG_BIT(34)
#define SE_PCF_NO_DECRYPT       SE_FLAG_BIT(35)
#define SE_PCF_PCKMO_DEA_TDEA   SE_FLAG_BIT(56)
#define SE_PCF_PCKMO_AES        SE_FLAG_BIT(57)
#define SE_PCF_PCKMO_ECC        SE_FLAG_BIT(58)
#define SE_PCF_PCKMO_HMAC       SE_FLAG_BIT(59)
#define SE_PCF_BACKUP_KEYS      SE_FLAG_BIT(62)
/* SCF: that these are MSB0 like the PCF is inferred [I] */
#define SE_SCF_CCK_EXT_SECRET   SE_FLAG_BIT(1)
#define SE_SCF_CCK_UPDATE       SE_FLAG_BIT(2)

/* Which flags this emulated ultravisor accepts (also for QUI). */
uint64_t se_hdr_supported_pcf(void);
uint64_t se_hdr_supported_scf(void);

/* Every check that can reject a header; rc/rrc in se-hdr.c's table. */
typedef enum SeCheck {
    SE_CHECK_OK,
    SE_CHECK_LENGTH,
    SE_CHECK_MAGIC,
    SE_CHECK_VERSION,
    SE_CHECK_RESERVED,
    SE_CHECK_ENC_SIZE,
    SE_CHECK_NO_KEY_SLOT,
    SE_CHECK_PCF,
    SE_CHECK_NO_MATCHING_SLOT,
    SE_CHECK_CUST_KEY,
    SE_CHECK_SLOT_TAG,
    SE_CHECK_HDR_TAG,
    SE_CHECK_SCF,
    SE_CHECK_NOI,
    SE_CHECK_XTS_KEY,
    SE_CHECK__MAX,
} SeCheck;

/* The UV return/reason code a real ultravisor would give, plus why. */
typedef struct SeError {
    SeCheck id;
    uint16_t rc;
    uint16_t rrc;
    const char *check;          /* short human-readable name */
} SeError;

/* Fill @err (may be NULL) for @id; returns false unless @id is OK. */
bool se_error_set(SeError *err, SeCheck id);

typedef struct SeKeySlot {
    uint8_t phkh[SE_HDR_PHKH_SIZE];
    uint8_t wrapped_key[SE_HDR_KEY_SIZE];
    uint8_t tag[SE_HDR_TAG_SIZE];
} SeKeySlot;

/* Plaintext part of a parsed header. */
typedef struct SeHdr {
    uint32_t version;
    uint32_t phs;
    uint8_t iv[SE_HDR_IV_SIZE];
    uint64_t nks;
    uint64_t sea;
    uint64_t nep;
    uint64_t pcf;
    uint8_t cust_x[CC_P521_LEN];
    uint8_t cust_y[CC_P521_LEN];
    uint8_t pld[SE_HDR_DIGEST_SIZE];
    uint8_t ald[SE_HDR_DIGEST_SIZE];
    uint8_t tld[SE_HDR_DIGEST_SIZE];
    SeKeySlot *slots;           /* nks entries */
    uint8_t tag[SE_HDR_TAG_SIZE];
    size_t aad_len;             /* phs - sea - 16 */
    uint8_t *raw;               /* copy of the phs header bytes */
} SeHdr;

/* Decrypted v1 encrypted area. */
typedef struct SeHdrSecrets {
    uint8_t cck[SE_HDR_CCK_SIZE];
    uint8_t xts_key[SE_HDR_XTS_KEY_SIZE];
    uint64_t psw_mask;
    uint64_t psw_addr;
    uint64_t scf;
    uint32_t noi;
} SeHdrSecrets;

/* A P-521 public key as raw 66-byte coordinates. */
typedef struct SeP521Pub {
    uint8_t x[CC_P521_LEN];
    uint8_t y[CC_P521_LEN];
} SeP521Pub;

/* A P-521 host key pair held by the emulated ultravisor. */
typedef struct SeHostKey {
    uint8_t priv[CC_P521_LEN];
    SeP521Pub pub;
} SeHostKey;

typedef enum SeHostKeyUsed {
    SE_HOST_KEY_NONE,
    SE_HOST_KEY_PRIMARY,
    SE_HOST_KEY_BACKUP,
} SeHostKeyUsed;

/*
 * Parse and structurally check a header.  @len may exceed phs (trailing
 * bytes are ignored).  Returns NULL and fills @err on failure.
 */
SeHdr *se_hdr_parse(const uint8_t *buf, size_t len, SeError *err);
void se_hdr_free(SeHdr *hdr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SeHdr, se_hdr_free)

/* phkh = SHA-256(X || Y), each coordinate left-padded to 80 bytes. */
void se_hdr_phkh(const uint8_t x[CC_P521_LEN], const uint8_t y[CC_P521_LEN],
                 uint8_t phkh[SE_HDR_PHKH_SIZE]);

/* Derive the public half; false if @priv is not a valid P-521 scalar. */
bool se_host_key_init(SeHostKey *key, const uint8_t priv[CC_P521_LEN]);

/*
 * Select the key slot for @primary (then @backup, may be NULL), unwrap the
 * header protection key and decrypt the encrypted area into @out.
 * @used / @slot (may be NULL) report which host key and slot matched.
 */
bool se_hdr_unwrap(const SeHdr *hdr, const SeHostKey *primary,
                   const SeHostKey *backup, SeHdrSecrets *out,
                   SeHostKeyUsed *used, uint64_t *slot, SeError *err);

/*
 * The key slots of every SE request (header, attestation and add-secret
 * requests; s390-tools rust/pv/src/req/keyslot.rs): phkh, then the
 * 32-byte protection key under AES-256-GCM (zero IV, no AAD) with
 * K = SHA-256(ECDH(customer, host) || 00000001).
 */
SeCheck se_key_slot_unwrap(const SeHostKey *key,
                           const uint8_t cust_x[CC_P521_LEN],
                           const uint8_t cust_y[CC_P521_LEN],
                           const SeKeySlot *ks,
                           uint8_t prot_key[SE_HDR_KEY_SIZE]);
bool se_key_slot_wrap(uint8_t slot[SE_HDR_KEY_SLOT_SIZE],
                      const uint8_t cust_priv[CC_P521_LEN],
                      const SeP521Pub *host,
                      const uint8_t prot_key[SE_HDR_KEY_SIZE],
                      GError **errp);

/* A coordinate left-padded to SE_HDR_ECC_FIELD_SIZE bytes */
void se_put_coord(uint8_t *p, const uint8_t c[CC_P521_LEN]);

/* AES-256-GCM with a 12-byte IV and 16-byte tag, the SE requests' AEAD */
bool se_gcm_open(const uint8_t key[SE_HDR_KEY_SIZE],
                 const uint8_t iv[SE_HDR_IV_SIZE],
                 const uint8_t *aad, size_t aad_len,
                 const uint8_t *ct, size_t len,
                 const uint8_t tag[SE_HDR_TAG_SIZE], uint8_t *pt);
void se_gcm_seal(const uint8_t key[SE_HDR_KEY_SIZE],
                 const uint8_t iv[SE_HDR_IV_SIZE],
                 const uint8_t *aad, size_t aad_len,
                 const uint8_t *pt, size_t len,
                 uint8_t *ct, uint8_t tag[SE_HDR_TAG_SIZE]);

/* Decrypt the encrypted area with a known header protection key. */
bool se_hdr_decrypt(const SeHdr *hdr, const uint8_t key[SE_HDR_KEY_SIZE],
                    SeHdrSecrets *out, SeError *err);

void se_hdr_secrets_wipe(SeHdrSecrets *s);

/* Inputs of the builder; everything is caller-chosen (deterministic). */
typedef struct SeHdrBuildParams {
    uint8_t iv[SE_HDR_IV_SIZE];
    uint64_t nep;
    uint64_t pcf;
    uint8_t pld[SE_HDR_DIGEST_SIZE];
    uint8_t ald[SE_HDR_DIGEST_SIZE];
    uint8_t tld[SE_HDR_DIGEST_SIZE];
    SeHdrSecrets secrets;
    uint8_t hdr_key[SE_HDR_KEY_SIZE];
    uint8_t cust_priv[CC_P521_LEN];
    const SeP521Pub *host_pub;  /* one key slot per host key, in order */
    size_t n_host_keys;
} SeHdrBuildParams;

#define SE_HDR_ERROR se_hdr_error_quark()
GQuark se_hdr_error_quark(void);

/*
 * Serialize and encrypt a header; g_free() the result.  pcf, scf and noi
 * are written as given (not checked against what the UV supports), so
 * tests can build headers the parser must reject.
 */
uint8_t *se_hdr_build(const SeHdrBuildParams *p, size_t *len,
                      GError **errp);

#endif
