/*
 * qemu-ibm-cc mk-se-image: Secure Execution image layout and assembly.
 *
 * Image (a memory image loaded at absolute address 0; boot/stage3-args.h):
 *   0x0       short PSW -> STAGE3A_ENTRY_ADDR
 *   0x10000   stage3a, its args block -> SE header and IPIB
 *   next page the PV IPIB (one page)
 *   next page the SE header (phs bytes, padded to whole pages)
 *   then      the components in IPIB order, each starting on a page and
 *             padded to whole pages (an empty one still takes a page),
 *             stage3b last.  Every component page is AES-256-XTS
 *             encrypted and folded into PLD/ALD/TLD.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <inttypes.h>
#include "qemu/cc-buf.h"
#include "hw/s390x/se/se-unpack.h"
#include "se-image.h"
#include "boot/stage3-args.h"

GQuark se_image_error_quark(void)
{
    return g_quark_from_static_string("mk-se-image-error-quark");
}

#define PAGE_SIZE           STAGE3_PAGE_SIZE

/*
 * Component kind values and IPIB order: s390-tools genprotimg/src/pv/
 * pv_comp.h and rust/pvimg/src/se_img_comps.rs (ComponentKind).
 */
typedef struct LayoutDesc {
    uint16_t kind[SE_IMAGE_COMP__MAX];      /* by SeImageComp */
    SeImageComp order[SE_IMAGE_COMP__MAX];
} LayoutDesc;

static const LayoutDesc layouts[] = {
    [SE_IMAGE_LAYOUT_GENPROTIMG] = {
        .kind = {
            [SE_IMAGE_COMP_KERNEL] = 0,
            [SE_IMAGE_COMP_CMDLINE] = 1,
            [SE_IMAGE_COMP_INITRD] = 2,
            [SE_IMAGE_COMP_STAGE3B] = 3,
        },
        .order = {
            SE_IMAGE_COMP_KERNEL, SE_IMAGE_COMP_CMDLINE,
            SE_IMAGE_COMP_INITRD, SE_IMAGE_COMP_STAGE3B,
        },
    },
    [SE_IMAGE_LAYOUT_PVIMG] = {
        .kind = {
            [SE_IMAGE_COMP_KERNEL] = 40,
            [SE_IMAGE_COMP_INITRD] = 50,
            [SE_IMAGE_COMP_CMDLINE] = 60,
            [SE_IMAGE_COMP_STAGE3B] = 70,
        },
        .order = {
            SE_IMAGE_COMP_KERNEL, SE_IMAGE_COMP_INITRD,
            SE_IMAGE_COMP_CMDLINE, SE_IMAGE_COMP_STAGE3B,
        },
    },
};

/*
 * The PV IPIB (s390-tools include/boot/ipl.h, struct ipl_pb0_pv; QEMU
 * hw/s390x/ipl.h).  All fields big-endian.  This is every field the
 * builder sets; everything else is zero.  Values marked [V] are those
 * s390-tools' pvimg writes (rust/pvimg/src/se_img_comps/bootloader.rs,
 * create_ipib; the versions from bootloader/ipl.rs); they are isolated
 * here so that they can be changed in one place.
 *
 *   off   size  field                value
 *   0x00  u32   ipl_pl_hdr.len       IPIB length = 0x88 + 24 * num_comp
 *   0x04  u8    ipl_pl_hdr.flags     0 [V]
 *   0x07  u8    ipl_pl_hdr.version   IPIB_HDR_VERSION [V]
 *   0x08  u32   pb0.len              IPIB length - 8, i.e. the rest [V]
 *   0x0c  u8    pb0.pbt              5 (PV)
 *   0x10  u8[8] pb0.loadparm         0 [V]
 *   0x6f  u8    pv.version           IPIB_PV_VERSION [V]
 *   0x74  u32   pv.num_comp          number of components (2..4)
 *   0x78  u64   pv.pv_header_addr    SE header address (stage3a stores
 *                                    the same value again at boot)
 *   0x80  u64   pv.pv_header_len     SE header length (phs)
 *   0x88  24 B  per component, IPIB order:
 *         u64   tweak_pref           kind << 48 | 6 random bytes
 *         u64   addr                 page-aligned component address
 *         u64   len                  component length padded to whole
 *                                    pages, so at least one page [V]
 *                                    (genprotimg/src/pv/pv_image.c)
 */
#define IPIB_OFF_LEN            0x00
#define IPIB_OFF_FLAGS          0x04
#define IPIB_OFF_HDR_VERSION    0x07
#define IPIB_OFF_PB0_LEN        0x08
#define IPIB_OFF_PBT            0x0c
#define IPIB_OFF_PV_VERSION     0x6f
#define IPIB_OFF_NUM_COMP       0x74
#define IPIB_OFF_COMPS          0x88
#define IPIB_COMP_SIZE          24
#define IPIB_PL_HDR_SIZE        8
#define IPIB_PBT_PV             5
#define IPIB_FLAGS              0       /* [V] pvimg create_ipib */
#define IPIB_HDR_VERSION        1       /* [V] IPL_PARM_BLOCK_VERSION */
#define IPIB_PV_VERSION         1       /* [V] IPL_PARM_BLOCK_PV_VERSION */


static uint64_t page_align(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

uint16_t se_image_comp_kind(SeImageLayout layout, SeImageComp comp)
{
    return layouts[layout].kind[comp];
}

const char *se_image_comp_name(SeImageComp comp)
{
    static const char *const names[SE_IMAGE_COMP__MAX] = {
        [SE_IMAGE_COMP_KERNEL] = "kernel",
        [SE_IMAGE_COMP_CMDLINE] = "cmdline",
        [SE_IMAGE_COMP_INITRD] = "initrd",
        [SE_IMAGE_COMP_STAGE3B] = "stage3b",
    };

    return names[comp];
}

bool se_image_check_kernel(const uint8_t *kernel, size_t len,
                           size_t cmdline_len, GError **errp)
{
    uint64_t max;

    if (len < STAGE3B_KERNEL_MIN_SIZE) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "not an s390x Linux kernel image: only %zu bytes, an "
                    "image has at least %u", len, STAGE3B_KERNEL_MIN_SIZE);
        return false;
    }
    if (memcmp(kernel + LINUX_EP_MAGIC_ADDR, "S390EP", 6) != 0) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "not an s390x Linux kernel image: no \"S390EP\" at "
                    "offset 0x%x (an ELF vmlinux will not do, use the "
                    "bootable image, e.g. vmlinuz)", LINUX_EP_MAGIC_ADDR);
        return false;
    }
    max = cc_get_be64(kernel + LINUX_PARM_MAX_CMDLINE_SIZE);
    if (max == 0) {
        max = LINUX_LEGACY_CMDLINE_SIZE;
    }
    if (max > len - LINUX_PARM_COMMAND_LINE) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "kernel image: its COMMAND_LINE area (0x%" PRIx64
                    " bytes at 0x%x) does not fit in the file", max,
                    LINUX_PARM_COMMAND_LINE);
        return false;
    }
    if (cmdline_len > max) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "the command line has %zu characters, this kernel "
                    "accepts at most %" PRIu64, cmdline_len - 1, max - 1);
        return false;
    }
    return true;
}

/* Offset of a loader's args block, after checking its magic. */
static bool find_args(const uint8_t *blob, size_t len, uint64_t magic,
                      const char *name, size_t *off, GError **errp)
{
    if (len < STAGE3_ARGS_SIZE || len % 256 ||
        cc_get_be64(blob + len - STAGE3_ARGS_SIZE) != magic) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "internal error: %s has no args block with magic "
                    "0x%016" PRIx64 " at its end", name, magic);
        return false;
    }
    *off = len - STAGE3_ARGS_SIZE;
    return true;
}

/* Header size for @nks key slots (s390-tools pv_hdr_def.h). */
static uint64_t hdr_size(size_t nks)
{
    return SE_HDR_OFF_SLOTS + nks * SE_HDR_KEY_SLOT_SIZE +
           SE_HDR_ENC_V1_SIZE + SE_HDR_TAG_SIZE;
}

static void comp_data(const SeImageParams *p, SeImageComp c,
                      const uint8_t **data, size_t *len, bool *present)
{
    switch (c) {
    case SE_IMAGE_COMP_KERNEL:
        *data = p->kernel;
        *len = p->kernel_len;
        *present = true;
        break;
    case SE_IMAGE_COMP_CMDLINE:
        *data = p->cmdline;
        *len = p->cmdline ? p->cmdline_len : 0;
        *present = p->cmdline != NULL;
        break;
    case SE_IMAGE_COMP_INITRD:
        *data = p->initrd;
        *len = p->has_initrd ? p->initrd_len : 0;
        *present = p->has_initrd;
        break;
    default:
        *data = p->stage3b;
        *len = p->stage3b_len;
        *present = true;
        break;
    }
}

/* Addresses of everything; checks the size limit. */
static bool plan(const SeImageParams *p, SeImageInfo *info, GError **errp)
{
    const LayoutDesc *l = &layouts[p->layout];
    uint64_t next;
    unsigned int i;

    memset(info, 0, sizeof(*info));
    info->ipib_addr = page_align(STAGE3A_LOAD_ADDR + p->stage3a_len);
    info->hdr_addr = info->ipib_addr + PAGE_SIZE;
    info->hdr_len = hdr_size(p->n_host_keys);
    next = page_align(info->hdr_addr + info->hdr_len);

    for (i = 0; i < SE_IMAGE_COMP__MAX; i++) {
        SeImageComp c = l->order[i];
        SeImageCompInfo *ci = &info->comp[c];
        const uint8_t *data;
        size_t len;
        uint64_t rand = 0;
        int j;

        comp_data(p, c, &data, &len, &ci->present);
        if (!ci->present) {
            continue;
        }
        for (j = 0; j < SE_IMAGE_TWEAK_RAND_SIZE; j++) {
            rand = rand << 8 | p->tweak_rand[c][j];
        }
        ci->addr = next;
        ci->size = len;
        ci->pages = MAX(page_align(len), PAGE_SIZE) / PAGE_SIZE;
        ci->tweak_pref = (uint64_t)l->kind[c] << 48 | rand;
        info->order[info->n_comp++] = c;
        info->nep += ci->pages;
        next += ci->pages * PAGE_SIZE;
        if (next > SE_IMAGE_MAX_SIZE) {
            break;
        }
    }
    info->ipib_len = IPIB_OFF_COMPS + info->n_comp * IPIB_COMP_SIZE;
    info->image_len = next;
    if (next > SE_IMAGE_MAX_SIZE) {
        g_set_error(errp, SE_IMAGE_ERROR, 0,
                    "image too big: the %s component would end at 0x%"
                    PRIx64 ", past the limit of 0x%llx bytes",
                    se_image_comp_name(info->order[info->n_comp - 1]), next,
                    SE_IMAGE_MAX_SIZE);
        return false;
    }

    /*
     * Placement rules of stage3-args.h.  They hold by construction (the
     * kernel comes first in both orders, everything is above 0x10000);
     * checked so that a change of the order cannot break them silently.
     */
    for (i = 0; i < info->n_comp; i++) {
        const SeImageCompInfo *ci = &info->comp[info->order[i]];

        g_assert(ci->addr >= STAGE3_MIN_COMP_ADDR);
        if (info->order[i] == SE_IMAGE_COMP_CMDLINE ||
            info->order[i] == SE_IMAGE_COMP_INITRD) {
            g_assert(ci->addr >= p->kernel_len);
        }
    }
    g_assert(info->ipib_len <= PAGE_SIZE);
    g_assert(info->hdr_len <= SE_HDR_MAX_SIZE);
    return true;
}

static void write_ipib(uint8_t *ipib, const SeImageInfo *info)
{
    unsigned int i;

    cc_put_be(ipib + IPIB_OFF_LEN, info->ipib_len, 4);
    ipib[IPIB_OFF_FLAGS] = IPIB_FLAGS;
    ipib[IPIB_OFF_HDR_VERSION] = IPIB_HDR_VERSION;
    cc_put_be(ipib + IPIB_OFF_PB0_LEN, info->ipib_len - IPIB_PL_HDR_SIZE, 4);
    ipib[IPIB_OFF_PBT] = IPIB_PBT_PV;
    ipib[IPIB_OFF_PV_VERSION] = IPIB_PV_VERSION;
    cc_put_be(ipib + IPIB_OFF_NUM_COMP, info->n_comp, 4);
    cc_put_be(ipib + IPIB_PV_HDR_ADDR_OFF, info->hdr_addr, 8);
    cc_put_be(ipib + IPIB_PV_HDR_LEN_OFF, info->hdr_len, 8);
    for (i = 0; i < info->n_comp; i++) {
        const SeImageCompInfo *ci = &info->comp[info->order[i]];
        uint8_t *e = ipib + IPIB_OFF_COMPS + i * IPIB_COMP_SIZE;

        cc_put_be(e, ci->tweak_pref, 8);
        cc_put_be(e + 8, ci->addr, 8);
        cc_put_be(e + 16, ci->pages * PAGE_SIZE, 8);
    }
}

/* Fill stage3b's args block (in the image copy, before encryption). */
static void write_stage3b_args(uint8_t *args, const SeImageInfo *info)
{
    const SeImageCompInfo *k = &info->comp[SE_IMAGE_COMP_KERNEL];
    const SeImageCompInfo *c = &info->comp[SE_IMAGE_COMP_CMDLINE];
    const SeImageCompInfo *i = &info->comp[SE_IMAGE_COMP_INITRD];

    cc_put_be(args + STAGE3B_ARGS_KERNEL_ADDR_OFF, k->addr, 8);
    cc_put_be(args + STAGE3B_ARGS_KERNEL_SIZE_OFF, k->size, 8);
    /* absent components: address and size 0 */
    cc_put_be(args + STAGE3B_ARGS_CMDLINE_ADDR_OFF, c->addr, 8);
    cc_put_be(args + STAGE3B_ARGS_CMDLINE_SIZE_OFF, c->size, 8);
    cc_put_be(args + STAGE3B_ARGS_INITRD_ADDR_OFF, i->addr, 8);
    cc_put_be(args + STAGE3B_ARGS_INITRD_SIZE_OFF, i->size, 8);
    cc_put_be(args + STAGE3B_ARGS_PSW_MASK_OFF, STAGE3B_KERNEL_PSW_MASK, 8);
    cc_put_be(args + STAGE3B_ARGS_PSW_ADDR_OFF, STAGE3B_KERNEL_PSW_ADDR, 8);
}

/* Encrypt all component pages in IPIB order; digests into @bp. */
static void encrypt_components(uint8_t *img, const SeImageInfo *info,
                               const SeImageParams *p, SeHdrBuildParams *bp)
{
    g_autoptr(SePackCtx) pack = se_pack_new(p->xts_key, false);
    unsigned int i;
    uint64_t pg;
    bool ok;

    for (i = 0; i < info->n_comp; i++) {
        const SeImageCompInfo *ci = &info->comp[info->order[i]];

        for (pg = 0; pg < ci->pages; pg++) {
            uint64_t addr = ci->addr + pg * PAGE_SIZE;

            ok = se_pack_page(pack, addr, ci->tweak_pref, pg * PAGE_SIZE,
                              img + addr);
            g_assert(ok);   /* addresses are page aligned by construction */
        }
    }
    se_pack_result(pack, bp->pld, bp->ald, bp->tld, &bp->nep);
    g_assert(bp->nep == info->nep);
}

uint8_t *se_image_build(const SeImageParams *p, size_t *len,
                        SeImageInfo *info_out, GError **errp)
{
    SeImageInfo info;
    SeHdrBuildParams bp = { 0 };
    g_autofree uint8_t *img = NULL;
    g_autofree uint8_t *hdr = NULL;
    size_t s3a_args, s3b_args, hlen;
    uint32_t psw[2];
    unsigned int i;

    if (!find_args(p->stage3a, p->stage3a_len, STAGE3A_ARGS_MAGIC,
                   "stage3a", &s3a_args, errp) ||
        !find_args(p->stage3b, p->stage3b_len, STAGE3B_ARGS_MAGIC,
                   "stage3b", &s3b_args, errp)) {
        return NULL;
    }
    if (p->stage3b_len > STAGE3B_MAX_SIZE) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "internal error: stage3b is "
                    "bigger than 0x%x bytes", STAGE3B_MAX_SIZE);
        return NULL;
    }
    if (p->n_host_keys == 0 || p->n_host_keys > SE_HDR_MAX_KEY_SLOTS) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%zu host-key documents given, "
                    "an SE header holds 1 to %d", p->n_host_keys,
                    (int)SE_HDR_MAX_KEY_SLOTS);
        return NULL;
    }
    if (!plan(p, &info, errp)) {
        return NULL;
    }
    img = g_try_malloc0(info.image_len);
    if (!img) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "out of memory for a 0x%"
                    PRIx64 " byte image", info.image_len);
        return NULL;
    }

    /* Short PSW at 0: short format | 31-bit addressing, -> stage3a */
    psw[0] = STAGE3_SHORT_PSW_MASK;
    psw[1] = STAGE3_SHORT_PSW_BA | STAGE3A_ENTRY_ADDR;
    cc_put_be(img, psw[0], 4);
    cc_put_be(img + 4, psw[1], 4);

    /* stage3a and its args */
    memcpy(img + STAGE3A_LOAD_ADDR, p->stage3a, p->stage3a_len);
    s3a_args += STAGE3A_LOAD_ADDR;
    cc_put_be(img + s3a_args + STAGE3A_ARGS_HDR_ADDR_OFF, info.hdr_addr, 8);
    cc_put_be(img + s3a_args + STAGE3A_ARGS_HDR_SIZE_OFF, info.hdr_len, 8);
    cc_put_be(img + s3a_args + STAGE3A_ARGS_IPIB_ADDR_OFF, info.ipib_addr, 8);

    write_ipib(img + info.ipib_addr, &info);

    /* Plaintext components, then stage3b's args, then encrypt it all */
    for (i = 0; i < info.n_comp; i++) {
        SeImageComp c = info.order[i];
        const uint8_t *data;
        size_t dlen;
        bool present;

        comp_data(p, c, &data, &dlen, &present);
        if (dlen) {
            memcpy(img + info.comp[c].addr, data, dlen);
        }
    }
    write_stage3b_args(img + info.comp[SE_IMAGE_COMP_STAGE3B].addr +
                       s3b_args, &info);
    encrypt_components(img, &info, p, &bp);

    /* SE header */
    memcpy(bp.iv, p->iv, sizeof(bp.iv));
    bp.pcf = p->pcf;
    memcpy(bp.secrets.cck, p->cck, sizeof(bp.secrets.cck));
    memcpy(bp.secrets.xts_key, p->xts_key, sizeof(bp.secrets.xts_key));
    bp.secrets.psw_mask = STAGE3B_KERNEL_PSW_MASK;
    bp.secrets.psw_addr = info.comp[SE_IMAGE_COMP_STAGE3B].addr +
                          STAGE3B_ENTRY_OFF;
    bp.secrets.scf = p->scf;
    bp.secrets.noi = 0;
    memcpy(bp.hdr_key, p->hdr_key, sizeof(bp.hdr_key));
    memcpy(bp.cust_priv, p->cust_priv, sizeof(bp.cust_priv));
    bp.host_pub = p->host_keys;
    bp.n_host_keys = p->n_host_keys;
    hdr = se_hdr_build(&bp, &hlen, errp);
    cc_wipe(&bp, sizeof(bp));
    if (!hdr) {
        return NULL;
    }
    g_assert(hlen == info.hdr_len);
    memcpy(img + info.hdr_addr, hdr, hlen);

    if (info_out) {
        *info_out = info;
    }
    *len = info.image_len;
    return g_steal_pointer(&img);
}
