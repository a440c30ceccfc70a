/*
 * IBM Z Secure Execution requests: what the attestation request (ARCB,
 * UVC 0x1020) and the add-secret request (ASRCB, UVC 0x1031) share.
 *
 * Both start with the generic request header of s390-tools
 * (rust/pv/src/req/header.rs), all fields big-endian:
 *   0x00 magic[8], 0x08 rqvn u32, 0x0c rql u32 (total length),
 *   0x10 iv[12], 0x1c res[4], 0x20 res[7], 0x27 nks u8, 0x28 res u32,
 *   0x2c sea u32 (size of the encrypted area)
 * followed by authenticated data that holds a customer public key (two
 * P-521 coordinates padded to 80 bytes) and nks key slots wrapped as the
 * SE header's are (rust/pv/src/req/keyslot.rs), then the sea encrypted
 * bytes and a 16-byte AES-256-GCM tag.  The GCM key is the request
 * protection key in the key slots; the AAD is everything before the
 * encrypted area (rust/pv/src/req/context.rs).
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_REQ_H
#define HW_S390X_SE_REQ_H

#include "hw/s390x/se/se-hdr.h"

#define SE_REQ_HDR_SIZE         0x30
#define SE_REQ_MAGIC_SIZE       8
#define SE_REQ_OFF_RQVN         0x08
#define SE_REQ_OFF_RQL          0x0c
#define SE_REQ_OFF_IV           0x10
#define SE_REQ_OFF_NKS          0x27
#define SE_REQ_OFF_SEA          0x2c
#define SE_REQ_CUST_SIZE        (2 * SE_HDR_ECC_FIELD_SIZE)

/* A request whose rql bytes are all at @raw */
typedef struct SeReq {
    const uint8_t *raw;
    uint32_t rqvn, rql, nks, sea;
} SeReq;

/* Read the generic header from the first SE_REQ_HDR_SIZE bytes of @buf. */
void se_req_header(const uint8_t *buf, SeReq *r);

/*
 * Find the key slot (at @slots_off) of the first of @keys (NULL entries
 * skipped) that has one, and unwrap the request protection key with the
 * customer key at @cust_off.  The key's public-key hash goes to @phkh.
 * False if no key has a slot, the customer key is malformed, or the slot
 * does not unwrap.
 */
bool se_req_unwrap(const SeReq *r, size_t cust_off, size_t slots_off,
                   const SeHostKey *const *keys, size_t n_keys,
                   uint8_t prot_key[SE_HDR_KEY_SIZE],
                   uint8_t phkh[SE_HDR_PHKH_SIZE]);

/* Decrypt the sea bytes into @plain; false (and @plain wiped) on a bad tag */
bool se_req_open(const SeReq *r, const uint8_t key[SE_HDR_KEY_SIZE],
                 uint8_t *plain);

/* The requester's side: what se_req_seal() needs besides the buffer */
typedef struct SeReqSealParams {
    uint8_t magic[SE_REQ_MAGIC_SIZE];
    uint32_t rqvn;
    const uint8_t *iv;                  /* SE_HDR_IV_SIZE bytes */
    const uint8_t *prot_key;            /* SE_HDR_KEY_SIZE bytes */
    const uint8_t *cust_priv;           /* CC_P521_LEN bytes */
    const SeP521Pub *host_pub;
    size_t n_host_keys;
    size_t cust_off, slots_off;
} SeReqSealParams;

#define SE_REQ_ERROR se_req_error_quark()
GQuark se_req_error_quark(void);

/*
 * Complete a request of @rql bytes in @buf whose authenticated fields
 * (other than the header, the customer key and the key slots) and
 * plaintext (the @sea bytes before the tag) are in place: fill those in
 * and encrypt.  False with @errp set for a bad key.
 */
bool se_req_seal(uint8_t *buf, uint32_t rql, uint32_t sea,
                 const SeReqSealParams *p, GError **errp);

#endif
