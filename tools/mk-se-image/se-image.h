/*
 * qemu-ibm-cc mk-se-image: lay out, encrypt and assemble an IBM Z Secure
 * Execution image from a kernel, an optional command line and initrd, the
 * stage3a/stage3b boot loaders and caller-chosen keys.
 *
 * Everything random is an input here (the command-line front end draws it
 * or takes it from options), so the same parameters always give the same
 * bytes.  The layout follows boot/stage3-args.h and s390-tools (v2.35.0)
 * genprotimg/src/include/pv_hdr_def.h and genprotimg/src/pv/pv_image.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MK_SE_IMAGE_SE_IMAGE_H
#define MK_SE_IMAGE_SE_IMAGE_H

#include "hw/s390x/se/se-hdr.h"

/*
 * Largest image we write (end of the last component).  A project choice,
 * not an architectural limit: the image is held in memory here and loaded
 * into guest RAM at address 0 by QEMU's -kernel, so anything larger is
 * almost certainly a mistake.
 */
#define SE_IMAGE_MAX_SIZE           (2ULL << 30)

/* Random part of a tweak prefix (the low 6 bytes of its upper 8 bytes). */
#define SE_IMAGE_TWEAK_RAND_SIZE    6

/* The components, independent of their order in the image. */
typedef enum SeImageComp {
    SE_IMAGE_COMP_KERNEL,
    SE_IMAGE_COMP_CMDLINE,
    SE_IMAGE_COMP_INITRD,
    SE_IMAGE_COMP_STAGE3B,
    SE_IMAGE_COMP__MAX,
} SeImageComp;

/* Which tool's component kind values and order to imitate. */
typedef enum SeImageLayout {
    SE_IMAGE_LAYOUT_GENPROTIMG,     /* kernel, cmdline, initrd, stage3b */
    SE_IMAGE_LAYOUT_PVIMG,          /* kernel, initrd, cmdline, stage3b */
} SeImageLayout;

typedef struct SeImageParams {
    SeImageLayout layout;

    /* The boot loaders, with their args blocks still empty. */
    const uint8_t *stage3a;
    size_t stage3a_len;
    const uint8_t *stage3b;
    size_t stage3b_len;

    const uint8_t *kernel;
    size_t kernel_len;
    /* NULL: no cmdline component.  Else text + NUL, cmdline_len with it. */
    const uint8_t *cmdline;
    size_t cmdline_len;
    bool has_initrd;                /* an empty initrd is still a component */
    const uint8_t *initrd;
    size_t initrd_len;

    /* SE header contents */
    const SeP521Pub *host_keys;     /* one key slot each */
    size_t n_host_keys;
    uint8_t cust_priv[CC_P521_LEN];
    uint8_t hdr_key[SE_HDR_KEY_SIZE];
    uint8_t iv[SE_HDR_IV_SIZE];
    uint8_t xts_key[SE_HDR_XTS_KEY_SIZE];
    uint8_t cck[SE_HDR_CCK_SIZE];
    uint64_t pcf;
    uint64_t scf;               /* secret control flags */

    /* Random part of each component's tweak prefix, by SeImageComp. */
    uint8_t tweak_rand[SE_IMAGE_COMP__MAX][SE_IMAGE_TWEAK_RAND_SIZE];
} SeImageParams;

/* Where one component went (filled by se_image_build). */
typedef struct SeImageCompInfo {
    bool present;
    uint64_t addr;                  /* page aligned */
    uint64_t size;                  /* unpadded */
    uint64_t pages;                 /* at least 1 */
    uint64_t tweak_pref;            /* u16 kind << 48 | 6 random bytes */
} SeImageCompInfo;

typedef struct SeImageInfo {
    uint64_t ipib_addr;
    uint64_t ipib_len;
    uint64_t hdr_addr;
    uint64_t hdr_len;
    uint64_t image_len;
    uint64_t nep;
    SeImageCompInfo comp[SE_IMAGE_COMP__MAX];   /* by SeImageComp */
    SeImageComp order[SE_IMAGE_COMP__MAX];      /* IPIB order */
    unsigned int n_comp;
} SeImageInfo;

#define SE_IMAGE_ERROR (se_image_error_quark())
GQuark se_image_error_quark(void);

/* Component kind value (upper 16 bits of the tweak prefix). */
uint16_t se_image_comp_kind(SeImageLayout layout, SeImageComp comp);
const char *se_image_comp_name(SeImageComp comp);

/*
 * Check that @kernel is an s390x Linux image that stage3b can start with a
 * command line of @cmdline_len bytes including its NUL (0: none).
 */
bool se_image_check_kernel(const uint8_t *kernel, size_t len,
                           size_t cmdline_len, GError **errp);

/*
 * Build the image.  Returns it (g_free) and its length in *@len, and
 * where things went in @info (may be NULL); NULL and @errp on failure.
 */
uint8_t *se_image_build(const SeImageParams *p, size_t *len,
                        SeImageInfo *info, GError **errp);

#endif
