/*
 * Enter Secure Mode's checks, as the ultravisor makes them before a guest
 * becomes a Secure VM: read the guest's device tree (the one prom_init
 * flattened and passes to UV_ESM), find the ESM blob at the front of the
 * initrd, have the TPM unwrap its key, and compare the SHA-512 of RTAS,
 * the kernel, the initrd and the command line in guest memory with the
 * digests the blob carries (open-power/ultravisor svm/svm-esm.c
 * svm_esm_blob_chk; docs/devel/pef-ultravisor-facts.md section 4).
 *
 * Guest memory is read through the caller's function, so the same checks
 * serve pseries (QEMU is the hypervisor) and powernv (a KVM host is).
 * Part of the qemu-ibm-cc pure core.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_ESM_CHECK_H
#define HW_PPC_ULTRAVISOR_UV_PEF_ESM_CHECK_H

#include "hw/ppc/ultravisor/uv-pef-esm.h"
#include "hw/ppc/ultravisor/uv-pef-tpm.h"

/*
 * Our limits ([U], the sources give none): the guest's flattened device
 * tree, and how far into the initrd the blob's cpio archive may end.
 */
#define UV_ESM_FDT_MAX          (4 * 1024 * 1024)
#define UV_ESM_CPIO_MAX         (UV_ESM_BLOB_MAX + 64 * 1024)

/* Read guest memory [gpa, gpa + len); false if it is not all there. */
typedef bool (*UvEsmReadFn)(void *opaque, uint64_t gpa, void *buf,
                            uint64_t len);

/*
 * A checked copy (fdt_check_full) of the guest's flattened tree at @gpa,
 * at most UV_ESM_FDT_MAX bytes; g_free() it.  NULL if there is none.
 */
void *uv_esm_read_fdt(UvEsmReadFn read, void *opaque, uint64_t gpa);

/* A 1- or 2-cell number property (Linux writes 32 or 64 bits). */
bool uv_esm_fdt_num(const void *fdt, int node, const char *name,
                    uint64_t *out);

/* What a successful check leaves for the Secure VM's lifetime. */
typedef struct UvEsmSession {
    uint8_t symkey[UV_ESM_SYMKEY_LEN];  /* for UV_ESMB_GET_FILE */
    uint8_t *blob;                      /* a copy, 8-byte aligned */
    size_t blob_len;
    UvEsmBlob parsed;                   /* points into @blob */
    UvEsmDigests digests;
    uint64_t rtas_base, rtas_size;      /* from /rtas */
    uint64_t rtas_text;                 /* the RTAS code's length */
    uint64_t initrd_start, initrd_end;  /* as the guest's tree gives them */
    uint64_t initrd_rest;               /* the initramfs after the blob's */
    uint8_t bootargs[UV_ESM_DIGEST_LEN];    /* their SHA-512 */
    GHashTable *reads;                  /* UV_ESMB_GET_FILE: name -> state */
} UvEsmSession;

/*
 * The checks of UV_ESM(@kbase, @fdt_gpa).  On UV_ESM_OK @s is filled (free
 * it with uv_esm_session_clear()); on failure it holds nothing.
 */
UvEsmStatus uv_esm_check(UvEsmReadFn read, void *opaque, uint64_t kbase,
                         uint64_t fdt_gpa, const UvPefTpmIo *tpm,
                         const UvPefTpmKey *key, UvEsmSession *s);

/*
 * The same checks in three steps, for an ultravisor that must bring the
 * guest's pages in before it reads them (a KVM host's Secure VM): each
 * step reads only what the previous ones located.  On failure @s holds
 * what the earlier steps left (uv_esm_session_clear() it).
 *
 * 1. The tree at @fdt_gpa: RTAS [rtas_base, + rtas_text), the initrd
 *    [initrd_start, initrd_end) and the command line's digest.
 */
UvEsmStatus uv_esm_check_fdt(UvEsmReadFn read, void *opaque,
                             uint64_t fdt_gpa, UvEsmSession *s);
/*
 * 2. The blob at the front of the initrd, its key from the TPM, the
 *    digests (digests.kernel_size tells how much of the kernel step 3
 *    reads).
 */
UvEsmStatus uv_esm_check_blob(UvEsmReadFn read, void *opaque,
                              const UvPefTpmIo *tpm, const UvPefTpmKey *key,
                              UvEsmSession *s);
/* 3. RTAS, the kernel at @kbase, the initramfs and the command line. */
UvEsmStatus uv_esm_check_digests(UvEsmReadFn read, void *opaque,
                                 uint64_t kbase, UvEsmSession *s);

/* Wipe and free what uv_esm_check() left. */
void uv_esm_session_clear(UvEsmSession *s);

/*
 * UV_ESMB_GET_FILE from a process (@pid, the caller's PIDR) of the Secure
 * VM: regs[0..9] are r3..r12 (docs/devel/pef-ultravisor-facts.md section
 * 1).  r4 = offset into the attachment, r5..r12 = its name (64 bytes,
 * most significant byte first, NUL-padded).  Returns in r3 the number of
 * bytes (0 at the end, r4..r11 then unchanged) and up to 64 bytes in
 * r4..r11, packed the same way.  As the ultravisor: a name is read by one
 * process, in order (an offset below the end of the last read is refused
 * with U_PARAMETER); an unknown name returns -1 (the libfdt "not found"
 * the ultravisor passes on, [U]); an attachment that fails authentication
 * U_PARAMETER.  Unlike the ultravisor, which asserts on an offset of
 * 64 KiB or more, any offset is answered.
 */
int64_t uv_esm_get_file_call(UvEsmSession *s, uint64_t pid,
                             uint64_t regs[10]);

#endif
