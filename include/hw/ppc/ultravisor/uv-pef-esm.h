/*
 * Enter Secure Mode (ESM) blobs: the ultravisor's side.
 *
 * An ESM blob is a flattened device tree, compatible "ibm,esm"
 * (open-power/svm-tools docs/README.ESM; docs/system/ppc/pef-svm.rst):
 *
 *   /lockboxes/{origin-lockbox, lockbox-N}: encrypted-symkey (the 32-byte
 *       master key under RSA-OAEP-SHA256) and pubkey-fingerprint/hash
 *       (SHA-256 of the recipient's public-key PEM file).  The ultravisor
 *       reads lockbox-1, wrapped for its TPM key.
 *   /digest/digests-fdt: algorithm "AES256-GCM", iv, mac, ciphertext; the
 *       plaintext is an FDT /digests {algorithm "SHA512", rtas, kernel,
 *       kernel-size (be32), initrd, bootargs}.
 *   /file/files-fdt: an FDT compatible "ibm,esm-file" whose /files/NAME
 *       nodes hold attachments sealed like digests-fdt.
 *
 * The guest hands it over as the leading cpio member (under opt/ibm/pef/)
 * of its initrd; the initrd digest covers what follows that cpio archive.
 *
 * This file parses and checks, bounds-checking every field; it never asks
 * the TPM (the caller unwraps the lockbox) and never reads guest memory
 * (the caller hashes it).  Part of the qemu-ibm-cc pure core (GLib, libfdt,
 * nettle, GnuTLS).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_ESM_H
#define HW_PPC_ULTRAVISOR_UV_PEF_ESM_H

#define UV_ESM_SYMKEY_LEN       32      /* AES-256 master key */
#define UV_ESM_FPR_LEN          32      /* SHA-256 key fingerprint */
#define UV_ESM_DIGEST_LEN       64      /* SHA-512 */
#define UV_ESM_MAC_LEN          16      /* GCM tag */
#define UV_ESM_IV_MAX           64

/*
 * Our limits (the sources give none): a blob, a sealed digests FDT and an
 * attachment are at most this large.  A blob is a few KiB plus its
 * attachments.
 */
#define UV_ESM_BLOB_MAX         (1 * 1024 * 1024)
#define UV_ESM_SEALED_MAX       (512 * 1024)
#define UV_ESM_WRAPPED_MAX      1024    /* an RSA-8192 lockbox */

/* Where svm-tool puts the blob in the esmb-initrd's leading cpio archive. */
#define UV_ESM_CPIO_DIR         "opt/ibm/pef"

/* Why an ESM failed; uv_esm_status_str() names each for the console. */
typedef enum UvEsmStatus {
    UV_ESM_OK = 0,
    UV_ESM_NO_BLOB,         /* no ESM blob in the initrd or /chosen */
    UV_ESM_BAD_CPIO,        /* the initrd's leading cpio is malformed */
    UV_ESM_BAD_BLOB,        /* not a well-formed "ibm,esm" FDT */
    UV_ESM_NO_LOCKBOX,      /* no lockbox-1 (none for this ultravisor) */
    UV_ESM_UNWRAP,          /* the TPM did not unwrap the master key */
    UV_ESM_DIGESTS_AUTH,    /* digests-fdt fails authentication */
    UV_ESM_BAD_DIGESTS,     /* the decrypted digests FDT is malformed */
    UV_ESM_BAD_SVM_FDT,     /* the guest's FDT lacks what ESM needs */
    UV_ESM_RTAS,            /* digest mismatch: RTAS */
    UV_ESM_KERNEL,          /* digest mismatch: kernel */
    UV_ESM_INITRD,          /* digest mismatch: initrd */
    UV_ESM_BOOTARGS,        /* digest mismatch: bootargs */
    UV_ESM_NO_FILE,         /* ESMB_GET_FILE: no such attachment */
    UV_ESM_FILE_AUTH,       /* ESMB_GET_FILE: attachment fails auth */
    UV_ESM_NO_MEMORY,       /* the guest's memory could not be read */
    UV_ESM_TPM,             /* the TPM failed or is absent */
    UV_ESM_HASH_MMU,        /* the guest uses the hash MMU */
    UV_ESM_NO_ROOM,         /* no room for the ultravisor's bounce pages */
    UV_ESM__MAX
} UvEsmStatus;

const char *uv_esm_status_str(UvEsmStatus st);

/* An AES-256-GCM sealed item: pointers into the blob. */
typedef struct UvEsmSealed {
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *mac;
    const uint8_t *ct;
    size_t ct_len;
} UvEsmSealed;

/* A checked blob: every pointer points into the caller's buffer. */
typedef struct UvEsmBlob {
    const uint8_t *fdt;
    size_t size;
    const uint8_t *wrapped_key;     /* lockbox-1 encrypted-symkey */
    size_t wrapped_key_len;
    const uint8_t *fingerprint;     /* lockbox-1 pubkey-fingerprint */
    UvEsmSealed digests;
    const uint8_t *files_fdt;       /* NULL: no attachments */
    size_t files_fdt_len;
} UvEsmBlob;

/* The decrypted /digests node. */
typedef struct UvEsmDigests {
    uint8_t rtas[UV_ESM_DIGEST_LEN];
    uint8_t kernel[UV_ESM_DIGEST_LEN];
    uint8_t initrd[UV_ESM_DIGEST_LEN];
    uint8_t bootargs[UV_ESM_DIGEST_LEN];
    uint32_t kernel_size;
} UvEsmDigests;

/*
 * Find the blob in an esmb-initrd loaded at guest address @guest_addr: the
 * first cpio "newc" member with data must be under opt/ibm/pef/; the blob
 * is the first FDT header in it (at a 4-byte aligned offset).  The real
 * initramfs starts at *@rest_off (from @initrd): the end of the cpio
 * trailer rounded up to a 512-byte guest address, as cpio pads its
 * archives and as the ultravisor computes it (svm/svm-esm.c).
 */
UvEsmStatus uv_esm_cpio_find(const uint8_t *initrd, size_t len,
                             uint64_t guest_addr,
                             size_t *blob_off, size_t *blob_len,
                             size_t *rest_off);

/*
 * Check @fdt (@size bytes, 8-byte aligned as libfdt requires: copy it out
 * of the initrd first) as an ESM blob and fill @b.
 */
UvEsmStatus uv_esm_blob_parse(const void *fdt, size_t size, UvEsmBlob *b);

/*
 * Decrypt and check digests-fdt with the master key.
 * UV_ESM_DIGESTS_AUTH if it fails authentication (wrong key, altered blob).
 */
UvEsmStatus uv_esm_digests_open(const UvEsmBlob *b,
                                const uint8_t key[UV_ESM_SYMKEY_LEN],
                                UvEsmDigests *d);

/*
 * Decrypt the attachment called @name.  On success *@out is a new GLib
 * buffer the caller frees with g_free() (after wiping it).
 */
UvEsmStatus uv_esm_file_get(const UvEsmBlob *b,
                            const uint8_t key[UV_ESM_SYMKEY_LEN],
                            const char *name, uint8_t **out, size_t *out_len);

/* Constant-time comparison of two SHA-512 digests. */
bool uv_esm_digest_equal(const uint8_t *a, const uint8_t *b);

/* AES-256-GCM as the blob uses it (nettle; any IV length). */
bool uv_esm_gcm_seal(const uint8_t key[UV_ESM_SYMKEY_LEN],
                     const uint8_t *iv, size_t iv_len,
                     const uint8_t *in, size_t len, uint8_t *out,
                     uint8_t mac[UV_ESM_MAC_LEN]);
bool uv_esm_gcm_open(const uint8_t key[UV_ESM_SYMKEY_LEN],
                     const UvEsmSealed *s, uint8_t *out);

/*
 * The RTAS code the digests cover: QEMU's SLOF instantiates this 20-byte
 * stub ("mr r4,r3; lis r3,0; ori r3,r3,0xf000; sc 1; blr", big-endian,
 * the KVMPPC_H_RTAS hypercall; open-power/ultravisor svm/svm-esm.c), and
 * svm-tools' built-in RTAS digest is its SHA-512.
 */
#define UV_ESM_RTAS_STUB_LEN    20
extern const uint8_t uv_esm_rtas_stub[UV_ESM_RTAS_STUB_LEN];

#endif
