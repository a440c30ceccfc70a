/*
 * qemu-ibm-cc mk-esm-blob: build an Enter Secure Mode blob and an
 * esmb-initrd, in the format open-power/svm-tools writes
 * (include/hw/ppc/ultravisor/uv-pef-esm.h describes it).
 *
 * Everything random is an input (the front end draws it or derives it
 * from --seed), so the same parameters always give the same bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MK_ESM_BLOB_ESM_IMAGE_H
#define MK_ESM_BLOB_ESM_IMAGE_H

#include "hw/ppc/ultravisor/uv-pef-esm.h"

#define ESM_IMAGE_IV_LEN        16      /* what svm-tools uses */
#define ESM_IMAGE_OAEP_SEED_LEN 32      /* SHA-256 output size */

/* An RSA public key that gets a lockbox. */
typedef struct EsmImageKey {
    /* big-endian modulus and exponent, no leading zero bytes needed */
    const uint8_t *n;
    size_t n_len;
    const uint8_t *e;
    size_t e_len;
    uint8_t fingerprint[UV_ESM_FPR_LEN];    /* SHA-256 of its PEM file */
    const char *comment;
    uint8_t oaep_seed[ESM_IMAGE_OAEP_SEED_LEN];
} EsmImageKey;

typedef struct EsmImageFile {
    const char *name;
    const uint8_t *data;
    size_t len;
    const char *comment;
    uint8_t iv[ESM_IMAGE_IV_LEN];
} EsmImageFile;

typedef struct EsmImageParams {
    uint8_t symkey[UV_ESM_SYMKEY_LEN];
    EsmImageKey origin;
    const EsmImageKey *recipients;  /* lockbox-1 .. lockbox-N */
    size_t n_recipients;

    /* The kernel as objcopy -O binary -S writes it (esm_kernel_binary). */
    const uint8_t *kernel;
    size_t kernel_len;
    const uint8_t *initramfs;
    size_t initramfs_len;
    const char *bootargs;
    const char *digest_comment;
    uint8_t digests_iv[ESM_IMAGE_IV_LEN];

    const EsmImageFile *files;
    size_t n_files;

    /* The blob's file name in the cpio archive (under opt/ibm/pef/). */
    const char *cpio_name;
} EsmImageParams;

/* The digests the blob carries (also printed by --print-digests). */
void esm_image_digests(const EsmImageParams *p, UvEsmDigests *d);

/* The ESM blob (an FDT). */
GBytes *esm_image_blob(const EsmImageParams *p, GError **errp);

/* The esmb-initrd: a cpio archive holding @blob, then the initramfs. */
GBytes *esm_image_initrd(const EsmImageParams *p, GBytes *blob);

/*
 * What `objcopy -O binary -S` makes of an ELF64 file: every allocated
 * section with contents at its load address minus the lowest one, gaps
 * zero-filled.
 */
GBytes *esm_kernel_binary(const uint8_t *elf, size_t len, GError **errp);

/*
 * RSA-OAEP encryption (RFC 8017 7.1.1) with SHA-256, MGF1-SHA-256 and an
 * empty label, the seed given.  @out has the modulus's length in bytes.
 */
bool esm_oaep_sha256_encrypt(const EsmImageKey *k, const uint8_t *msg,
                             size_t msg_len, uint8_t *out, size_t *out_len,
                             GError **errp);

#endif
