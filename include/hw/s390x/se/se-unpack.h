/*
 * IBM Z Secure Execution image unpacking: the per-page UNPACK_IMG step
 * (digest update + AES-256-XTS decryption) and VERIFY_IMG, plus the
 * matching pack side used by the image builder.
 *
 * Per page the ultravisor folds into three SHA-512 digests:
 *   PLD  the 4096 bytes as stored (ciphertext; plaintext with PCF bit 35)
 *   ALD  the 8-byte big-endian guest absolute address
 *   TLD  the 16-byte tweak (tweak prefix || byte offset, both big-endian)
 * and counts pages; VERIFY compares them with the SE header.
 *
 * Part of the qemu-ibm-cc pure core (GLib and GnuTLS).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_UNPACK_H
#define HW_S390X_SE_UNPACK_H

#include "hw/s390x/se/se-hdr.h"

#define SE_PAGE_SIZE            4096
#define SE_TWEAK_SIZE           16

/* UV return codes of UNPACK_IMG / VERIFY_IMG */
#define SE_UNPACK_RC_OK         0x0001
#define SE_UNPACK_RC_STATE      0x0003  /* unpack after verify */
#define SE_UNPACK_RC_ADDR       0x0101  /* [I] unaligned address */
#define SE_VERIFY_RC_MISMATCH   0x0102
#define SE_VERIFY_RRC_ALD       0x001a
#define SE_VERIFY_RRC_PLD       0x001b
#define SE_VERIFY_RRC_TLD       0x001c
#define SE_VERIFY_RRC_NEP       0x001d

typedef struct SeUnpackCtx SeUnpackCtx;

/*
 * Expected digests/nep and keys come from the unwrapped header.  NULL if
 * the crypto library refuses the XTS key (GnuTLS does in FIPS mode when
 * its two halves are equal).
 */
SeUnpackCtx *se_unpack_new(const SeHdr *hdr, const SeHdrSecrets *secrets);
void se_unpack_free(SeUnpackCtx *c);    /* wipes the keys */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SeUnpackCtx, se_unpack_free)

/*
 * Unpack one page in place at guest absolute address @gaddr with tweak
 * (@tweak_pref, @tweak_off).  Returns a UV rc (SE_UNPACK_RC_*); on error
 * the page and the digests are left untouched.
 */
uint16_t se_unpack_page(SeUnpackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                        uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE]);

/*
 * Compare page count and digests with the header; SE_UNPACK_RC_OK or
 * SE_VERIFY_RC_MISMATCH with *@rrc set.  Checks nep first (a missing or
 * extra page changes every digest, so it is the most precise reason), then
 * ALD, PLD, TLD.  Further unpacking is refused afterwards.
 */
uint16_t se_unpack_verify(SeUnpackCtx *c, uint16_t *rrc);

uint64_t se_unpack_page_count(const SeUnpackCtx *c);

/* Builder side: encrypt pages and compute what goes into the header. */
typedef struct SePackCtx SePackCtx;

/*
 * @xts_key may be NULL when @no_encrypt (PCF bit 35 images).  NULL if the
 * crypto library refuses the key (see se_unpack_new).
 */
SePackCtx *se_pack_new(const uint8_t *xts_key, bool no_encrypt);
void se_pack_free(SePackCtx *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SePackCtx, se_pack_free)

/* Encrypt one page in place; false (nothing done) if @gaddr unaligned. */
bool se_pack_page(SePackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                  uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE]);

/* Final PLD/ALD/TLD and nep; the context keeps accepting pages. */
void se_pack_result(const SePackCtx *c, uint8_t pld[SE_HDR_DIGEST_SIZE],
                    uint8_t ald[SE_HDR_DIGEST_SIZE],
                    uint8_t tld[SE_HDR_DIGEST_SIZE], uint64_t *nep);

#endif
