/*
 * IBM Z Secure Execution secrets: the add-secret request control block
 * (ASRCB) of Add Secret (UVC 0x1031), the per-configuration secret store
 * behind List Secrets (0x1033), Lock Secret Store (0x1034) and Retrieve
 * Secret (0x1035), and an ASRCB builder for tools and tests.
 *
 * Formats follow s390-tools (rust/pv/src/uvsecret/asrcb.rs,
 * uvsecret/guest_secret.rs, uvsecret/user_data.rs, rust/pv_core/src/
 * uvsecret.rs, uvdevice/secret.rs, uvdevice/secret_list.rs,
 * uvdevice/retr_secret.rs) and Linux (arch/s390/include/asm/uv.h,
 * drivers/s390/char/uvdevice.c); docs/system/s390x/secure-execution-tcg.rst
 * summarises them and marks what no public source documents [U].  All
 * fields are big-endian; flag bits are numbered MSB0.
 *
 * ASRCB (version 0x0100), after the generic header (se-req.h) whose magic
 * is "asrcbM" followed by the user-data type u16:
 *   0x030 flags u64 (bit 0: disable dump)
 *   0x038 PLD[64] ALD[64] TLD[64] SE-header tag[16]  (the image bound to)
 *   0x108 configuration unique id[16] (0: any instance)
 *   0x118 reserved[0x100]
 *   0x218 user data[0x200] (ignored by the ultravisor, authenticated)
 *   0x418 customer public key[160]
 *   0x4b8 nks key slots of 80 bytes
 *         secret header: res u16, type u16, secret length u32, res u64,
 *         and for all types but meta (1) an id[32]
 *         encrypted: secret (length bytes) || extension secret[32]
 *         GCM tag[16]
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_SECRET_H
#define HW_S390X_SE_SECRET_H

#include "hw/s390x/se/se-attest.h"

#define SE_ASRCB_MAGIC          "asrcbM"
#define SE_ASRCB_MAGIC_LEN      6
#define SE_ASRCB_VERSION_V1     0x0100
#define SE_ASRCB_OFF_USER_TYPE  0x06
#define SE_ASRCB_OFF_FLAGS      0x30
#define SE_ASRCB_OFF_TAGS       0x38
#define SE_ASRCB_OFF_CUID       0x108
#define SE_ASRCB_OFF_USER       0x218
#define SE_ASRCB_USER_SIZE      0x200
#define SE_ASRCB_OFF_CUST       0x418
#define SE_ASRCB_OFF_SLOTS      0x4b8
#define SE_ASRCB_META_HDR_SIZE  0x10
#define SE_ASRCB_SECRET_HDR_SIZE 0x30
#define SE_SECRET_ID_SIZE       32
#define SE_SECRET_EXT_SIZE      32
#define SE_SECRET_CCK_SIZE      32

/* User-data types (the magic's last two bytes), uvsecret.rs */
#define SE_ASRCB_USER_NONE      0
#define SE_ASRCB_USER_UNSIGNED  1
#define SE_ASRCB_USER_EC521     2
#define SE_ASRCB_USER_RSA2048   3
#define SE_ASRCB_USER_RSA3072   4

/* Add-secret flags (QUI supp_add_secret_pcf) */
#define SE_ASRCB_FLAG_DISABLE_DUMP SE_FLAG_BIT(0)
#define SE_ASRCB_FLAGS_SUPPORTED   SE_ASRCB_FLAG_DISABLE_DUMP

/* Secret types (secret_list.rs ListableSecretType) */
#define SE_SECRET_META          0x0001
#define SE_SECRET_ASSOC         0x0002
#define SE_SECRET_PLAIN         0x0003
#define SE_SECRET_AES_128       0x0004
#define SE_SECRET_AES_192       0x0005
#define SE_SECRET_AES_256       0x0006
#define SE_SECRET_AES_XTS_128   0x0007
#define SE_SECRET_AES_XTS_256   0x0008
#define SE_SECRET_HMAC_SHA_256  0x0009
#define SE_SECRET_HMAC_SHA_512  0x000a
#define SE_SECRET_EC_P256       0x0011
#define SE_SECRET_EC_P384       0x0012
#define SE_SECRET_EC_P521       0x0013
#define SE_SECRET_ED25519       0x0014
#define SE_SECRET_ED448         0x0015
#define SE_SECRET_UPDATE_CCK    0x0016
#define SE_SECRET_TYPE_MAX      SE_SECRET_UPDATE_CCK

/* QUI supp_secret_types: MSB0 bit n for type n (pvinfo strings.rs) */
uint64_t se_secret_supported_types(void);

/* Largest plaintext secret: u16 length || 8190 bytes (guest_secret.rs) */
#define SE_SECRET_PLAIN_MAX     8192
/*
 * [U] Limits of the emulated ultravisor (QUI max_assoc_secrets and
 * max_retr_secrets; the hardware's values are not documented), and the
 * largest ASRCB it reads (Linux's uvdevice takes up to 1 MiB).
 */
#define SE_SECRET_MAX_ASSOC     64
#define SE_SECRET_MAX_RETR      64
#define SE_ASRCB_MAX_SIZE       0x10000

/* List Secrets: one page, a 16-byte header and 85 entries of 48 bytes */
#define SE_SECRET_LIST_SIZE     4096
#define SE_SECRET_LIST_HDR      16
#define SE_SECRET_LIST_ENTRY    48
#define SE_SECRET_LIST_MAX \
    ((SE_SECRET_LIST_SIZE - SE_SECRET_LIST_HDR) / SE_SECRET_LIST_ENTRY)

/*
 * rc values.  Add Secret and Lock: s390-tools uvdevice/secret.rs
 * AddCmd/LockCmd; Retrieve: Linux (6.13 on) arch/s390/include/asm/uv.h
 * UVC_RC_RETR_SECR_*, which s390-tools' RetrieveCmd agrees with except
 * for "buffer too small": 0x0009 there, 0x0109 in Linux.  [U] We answer
 * 0x0109, the value the kernel's uv_retrieve_secret() acts on.  More
 * data: Linux UVC_RC_MORE_DATA.
 */
#define SE_SECRET_RC_OK         0x0001
#define SE_SECRET_RC_RETR_SMALL 0x0109      /* buffer too small */
#define SE_SECRET_RC_MORE_DATA  0x0100      /* list: more entries follow */
#define SE_SECRET_RC_NOT_ALLOWED 0x0101
#define SE_SECRET_RC_LOCKED     0x0102
#define SE_SECRET_RC_ACCESS     0x0103      /* ASRCB not accessible */
#define SE_SECRET_RC_VERSION    0x0104
#define SE_SECRET_RC_SIZE       0x0105
#define SE_SECRET_RC_NKS        0x0106
#define SE_SECRET_RC_FLAGS      0x0107
#define SE_SECRET_RC_DECRYPT    0x0108
#define SE_SECRET_RC_TYPE       0x0109
#define SE_SECRET_RC_LENGTH     0x010a
#define SE_SECRET_RC_FULL       0x010b
#define SE_SECRET_RC_UNABLE     0x010c
#define SE_SECRET_RC_DUMPING    0x010d
#define SE_SECRET_RC_RETR_ACCESS 0x0102     /* retrieve: buffer access */
#define SE_SECRET_RC_EMPTY      0x010f
#define SE_SECRET_RC_NO_INDEX   0x0110
#define SE_SECRET_RC_NOT_RETR   0x0111

/* The store of one secure configuration */
typedef struct SeSecretStore SeSecretStore;

/*
 * A store for the image with @tags (se_attest_tags()), the configuration
 * id @cuid, and the SE header's customer communication key and secret
 * control flags (SCF).
 */
SeSecretStore *se_secret_store_new(const uint8_t tags[SE_ATT_TAGS_SIZE],
                                   const uint8_t cuid[SE_ATT_CUID_SIZE],
                                   const uint8_t cck[SE_SECRET_CCK_SIZE],
                                   uint64_t scf);
/* Wipes every secret */
void se_secret_store_free(SeSecretStore *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SeSecretStore, se_secret_store_free)

/*
 * The ASRCB's total length from its first SE_REQ_HDR_SIZE bytes, so the
 * caller knows how much to read; SE_SECRET_RC_OK or the rc to return.
 */
uint16_t se_asrcb_length(const uint8_t *hdr, size_t len, uint32_t *rql);

/*
 * Add Secret: check and decrypt @asrcb (@len readable bytes) with the
 * first of @keys that has a key slot, check its binding to this
 * configuration and add its secret.  Returns the UVC rc.
 */
uint16_t se_secret_add(SeSecretStore *st, const uint8_t *asrcb, size_t len,
                       const SeHostKey *const *keys, size_t n_keys);

/*
 * List Secrets: fill @page (SE_SECRET_LIST_SIZE bytes) with the entries
 * from index @start on; SE_SECRET_RC_MORE_DATA if more follow.
 */
uint16_t se_secret_list(const SeSecretStore *st, uint16_t start,
                        uint8_t page[SE_SECRET_LIST_SIZE]);

/* Lock Secret Store */
uint16_t se_secret_lock(SeSecretStore *st);

/*
 * Retrieve Secret of index @idx into @buf (@size bytes); *len is the
 * secret's length.  Only plaintext secrets are returned: [U] the other
 * retrievable types come back from a real ultravisor as protected keys,
 * wrapped with the CPU's wrapping key for CPACF, which the emulated CPU
 * does not have (rc 0x0111, "not retrievable").
 */
uint16_t se_secret_retrieve(const SeSecretStore *st, uint16_t idx,
                            uint8_t *buf, size_t size, uint32_t *len);

/*
 * Attestation's secret-store hash: SHA-512 over the GCM tags of every
 * added request, in order, and one byte that says whether the store is
 * locked (s390-tools rust/pvattest/src/cmd/check/secret_store.rs).
 */
void se_secret_store_hash(const SeSecretStore *st,
                          uint8_t out[SE_ATT_SECRET_HASH_SIZE]);

/* An added request had the disable-dump flag */
bool se_secret_dump_disabled(const SeSecretStore *st);

/* The customer communication key now (update-CCK requests replace it) */
void se_secret_store_cck(const SeSecretStore *st,
                         uint8_t cck[SE_SECRET_CCK_SIZE]);

/* ---- the requester's side ---- */

/* HKDF-SHA512(CCK, salt = header tag, info "IBM Z Ultravisor Add-Secret") */
void se_secret_derive_ext(const uint8_t cck[SE_SECRET_CCK_SIZE],
                          const uint8_t hdr_tag[SE_HDR_TAG_SIZE],
                          uint8_t ext[SE_SECRET_EXT_SIZE]);

/* A secret's id from its name: SHA-256 (guest_secret.rs name_to_id) */
void se_secret_name_id(const char *name, uint8_t id[SE_SECRET_ID_SIZE]);

/* Whether @len is a valid secret length for @type (false: no such type) */
bool se_secret_len_ok(uint16_t type, uint32_t len);

typedef struct SeAsrcbBuildParams {
    uint8_t iv[SE_HDR_IV_SIZE];
    uint8_t prot_key[SE_HDR_KEY_SIZE];
    uint8_t cust_priv[CC_P521_LEN];
    uint64_t flags;
    uint8_t tags[SE_ATT_TAGS_SIZE];
    uint8_t cuid[SE_ATT_CUID_SIZE];
    uint16_t user_type;
    const uint8_t *user;                /* up to SE_ASRCB_USER_SIZE bytes */
    size_t user_len;
    uint16_t type;
    uint8_t id[SE_SECRET_ID_SIZE];      /* not for meta secrets */
    const uint8_t *secret;
    uint32_t secret_len;
    uint8_t ext[SE_SECRET_EXT_SIZE];
    const SeP521Pub *host_pub;
    size_t n_host_keys;
} SeAsrcbBuildParams;

#define SE_SECRET_ERROR se_secret_error_quark()
GQuark se_secret_error_quark(void);

/* Serialize and encrypt an ASRCB; g_free() the result. */
uint8_t *se_asrcb_build(const SeAsrcbBuildParams *p, size_t *len,
                        GError **errp);

#endif
