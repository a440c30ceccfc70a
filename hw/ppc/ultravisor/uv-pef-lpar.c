/*
 * The built-in ultravisor for one pseries guest; see
 * include/hw/ppc/ultravisor/uv-pef-lpar.h.
 *
 * Page states: a byte per 64 KiB page; PG_SHARED says "shared with the
 * hypervisor", and once the guest is a Secure VM every other page of its
 * RAM is secure.  Pages the ultravisor shares itself (its RTAS bounce
 * area) are PG_IMPLICIT too: the guest cannot unshare them.  The facts each rule
 * follows are in docs/devel/pef-ultravisor-facts.md (section numbers
 * below); choices the sources leave open are marked [U].
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "hw/ppc/ultravisor/uv-pef-lpar.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"

#include <libfdt.h>

#define PAGE_SIZE           UV_PEF_PAGE_SIZE
#define PAGE_SHIFT          UV_PEF_PAGE_SHIFT
#define PG_SHARED           1
#define PG_IMPLICIT         2

struct UvPefLpar {
    UvPefLparConfig cfg;
    UvPefLparOps ops;
    void *opaque;
    uint64_t npages;

    const UvPefTpmIo *tpm_io;
    bool have_key;
    UvPefTpmKey key;

    bool secure;                /* a Secure VM */
    uint8_t *pg;                /* PG_* of each page */
    UvEsmSession session;
    UvEsmStatus esm_status;
    uint64_t ucalls, hcalls;

    UvPefRtas *rtas;            /* the RTAS bounce area */
    UvPefRtasMem rtas_mem;
};

UvPefLpar *uv_pef_lpar_new(const UvPefLparConfig *cfg,
                           const UvPefLparOps *ops, void *opaque)
{
    UvPefLpar *l = g_new0(UvPefLpar, 1);

    g_assert(cfg->ram_size && !(cfg->ram_size % PAGE_SIZE));
    l->cfg = *cfg;
    l->ops = *ops;
    l->opaque = opaque;
    l->npages = cfg->ram_size >> PAGE_SHIFT;
    l->pg = g_malloc0(l->npages);
    l->rtas = uv_pef_rtas_new();
    l->rtas_mem = (UvPefRtasMem) {
        .read = ops->mem_read, .write = ops->mem_write, .opaque = opaque,
    };
    return l;
}

void uv_pef_lpar_free(UvPefLpar *l)
{
    if (!l) {
        return;
    }
    uv_esm_session_clear(&l->session);
    cc_wipe(&l->key, sizeof(l->key));
    uv_pef_rtas_free(l->rtas);
    g_free(l->pg);
    g_free(l);
}

void uv_pef_lpar_reset(UvPefLpar *l)
{
    bool was_secure = l->secure;

    uv_esm_session_clear(&l->session);
    l->secure = false;
    memset(l->pg, 0, l->npages);
    l->esm_status = UV_ESM_OK;
    uv_pef_rtas_reset(l->rtas);
    l->ucalls = l->hcalls = 0;
    if (was_secure) {
        l->ops.secure_changed(l->opaque, false);
    }
}

void uv_pef_lpar_set_tpm(UvPefLpar *l, const UvPefTpmIo *io,
                         const UvPefTpmKey *key)
{
    l->tpm_io = io;
    l->have_key = key != NULL;
    if (key) {
        l->key = *key;
    } else {
        cc_wipe(&l->key, sizeof(l->key));
    }
}

bool uv_pef_lpar_secure(const UvPefLpar *l)
{
    return l->secure;
}

UvEsmStatus uv_pef_lpar_esm_status(const UvPefLpar *l)
{
    return l->esm_status;
}

void uv_pef_lpar_hcall_seen(UvPefLpar *l)
{
    l->hcalls++;
}

const char *uv_pef_lpar_esm_reason(const UvPefLpar *l)
{
    return uv_esm_status_str(l->esm_status);
}

bool uv_pef_lpar_host_ok(const UvPefLpar *l, uint64_t gpa, uint64_t len)
{
    uint64_t p, last;

    if (!l->secure || !len || gpa >= l->cfg.ram_size) {
        return true;                /* beyond RAM: nothing secure there */
    }
    last = len - 1 > l->cfg.ram_size - 1 - gpa ? l->cfg.ram_size - 1
                                               : gpa + len - 1;
    for (p = gpa >> PAGE_SHIFT; p <= last >> PAGE_SHIFT; p++) {
        if (!(l->pg[p] & PG_SHARED)) {
            return false;
        }
    }
    return true;
}

void uv_pef_lpar_get_info(const UvPefLpar *l, UvPefLparInfo *info)
{
    info->secure = l->secure;
    uint64_t p;

    info->shared_pages = 0;
    for (p = 0; p < l->npages; p++) {
        info->shared_pages += !!(l->pg[p] & PG_SHARED);
    }
    info->rtas_bounce = uv_pef_rtas_bounce(l->rtas);
    info->ucalls = l->ucalls;
    info->hcalls = l->hcalls;
    info->esm_status = l->esm_status;
}

/* ---- Enter Secure Mode (section 4) ---------------------------------- */

static bool lpar_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    UvPefLpar *l = opaque;

    return l->ops.mem_read(l->opaque, gpa, buf, len);
}

/*
 * Reserve the bounce area in the guest's tree and write the tree back
 * (section 4 step 9: fdt_pack, copied back over the guest's), and learn
 * the RTAS tokens from /rtas.
 */
static UvEsmStatus esm_update_fdt(UvPefLpar *l, uint64_t kbase,
                                  uint64_t fdt_gpa)
{
    g_autofree void *fdt = uv_esm_read_fdt(lpar_read, l, fdt_gpa);
    g_autofree void *out = NULL;
    UvEsmStatus st;

    if (!fdt) {
        return UV_ESM_BAD_SVM_FDT;
    }
    out = uv_pef_rtas_setup(l->rtas, fdt, fdt_gpa, l->cfg.ram_size, kbase,
                            &l->session, &st);
    if (!out) {
        return st;
    }
    if (!l->ops.mem_write(l->opaque, fdt_gpa, out, fdt_totalsize(out))) {
        return UV_ESM_NO_MEMORY;
    }
    return UV_ESM_OK;
}

static UvPefLparAction uc_esm(UvPefLpar *l, const UvPefCaller *c,
                              uint64_t regs[10], uint64_t *entry)
{
    uint64_t kbase = regs[1], fdt_gpa = regs[2];
    UvEsmStatus st;
    uint64_t p;

    /* Synchronous checks, in the ultravisor's order (no MSR[S] check) */
    l->esm_status = UV_ESM_OK;
    if (c->hv || c->pr) {
        regs[0] = U_PERMISSION;
        return UV_PEF_LPAR_RESUME;
    }
    if (!kbase) {
        regs[0] = U_P2;
        return UV_PEF_LPAR_RESUME;
    }
    if (!fdt_gpa) {
        regs[0] = U_P3;
        return UV_PEF_LPAR_RESUME;
    }
    if (!c->lpid) {
        regs[0] = U_PERMISSION;
        return UV_PEF_LPAR_RESUME;
    }
    if (l->secure) {
        /* create_svm() finds this LPID's SVM: U_RETRY */
        regs[0] = U_RETRY;
        return UV_PEF_LPAR_RESUME;
    }

    /*
     * The checks proper.  Any failure aborts Enter Secure Mode; the guest
     * sees it as the hypervisor answers H_SVM_INIT_ABORT: r3 = H_PARAMETER
     * (section 4, "Failure handling").
     */
    uv_esm_session_clear(&l->session);
    if (!c->radix) {
        /*
         * The ultravisor's partition-table entry for a Secure VM is radix
         * (section 4 step 7); the hypervisor refuses H_SVM_INIT_START for
         * a hash guest.
         */
        st = UV_ESM_HASH_MMU;
    } else if (!l->tpm_io || !l->have_key) {
        st = UV_ESM_TPM;
    } else {
        st = uv_esm_check(lpar_read, l, kbase, fdt_gpa, l->tpm_io, &l->key,
                          &l->session);
    }
    if (st == UV_ESM_OK) {
        st = esm_update_fdt(l, kbase, fdt_gpa);
    }
    l->esm_status = st;
    if (st != UV_ESM_OK) {
        uv_esm_session_clear(&l->session);
        uv_pef_rtas_reset(l->rtas);
        regs[0] = U_PARAMETER;
        return UV_PEF_LPAR_RESUME;
    }

    /* Commit: all memory secure but the bounce area, shared implicitly */
    for (p = 0; p < UV_PEF_RTAS_PAGES; p++) {
        l->pg[(uv_pef_rtas_bounce(l->rtas) >> PAGE_SHIFT) + p] =
            PG_SHARED | PG_IMPLICIT;
    }
    l->secure = true;
    l->ops.secure_changed(l->opaque, true);

    /* kexec-style entry: r3 = tree, r4 = kernel, r5 = 0 (step 8) */
    regs[0] = fdt_gpa;
    regs[1] = kbase;
    regs[2] = 0;
    *entry = kbase;
    return UV_PEF_LPAR_ENTER_SVM;
}

/* ---- UV_SHARE_PAGE, UV_UNSHARE_PAGE, UV_UNSHARE_ALL_PAGES (section 5) */

/* r4 = first 64 KiB frame, r5 = frames: inside the guest's RAM? */
static bool share_range(UvPefLpar *l, uint64_t regs[10], uint64_t *first,
                        uint64_t *n)
{
    *first = regs[1];
    *n = regs[2];
    return *n && *first < l->npages && *n <= l->npages - *first;
}

static void zero_page(UvPefLpar *l, uint64_t pfn)
{
    static const uint8_t zero[4096];
    uint64_t off;

    for (off = 0; off < PAGE_SIZE; off += sizeof(zero)) {
        l->ops.mem_write(l->opaque, (pfn << PAGE_SHIFT) + off, zero,
                         sizeof(zero));
    }
}

static void uc_share(UvPefLpar *l, uint64_t regs[10])
{
    uint64_t first, n, i;

    if (!share_range(l, regs, &first, &n)) {
        regs[0] = U_P2;
        return;
    }
    for (i = first; i < first + n; i++) {
        if (!(l->pg[i] & PG_SHARED)) {
            /* The hypervisor's page is zeroed before the guest sees it */
            l->pg[i] |= PG_SHARED;
            zero_page(l, i);
        }
    }
    regs[0] = U_SUCCESS;
}

static void unshare_one(UvPefLpar *l, uint64_t pfn)
{
    l->pg[pfn] &= ~PG_SHARED;
    zero_page(l, pfn);
    l->ops.unshared(l->opaque, pfn << PAGE_SHIFT, PAGE_SIZE);
}

static void uc_unshare(UvPefLpar *l, uint64_t regs[10])
{
    uint64_t first, n, i;

    if (!share_range(l, regs, &first, &n)) {
        regs[0] = U_P2;
        return;
    }
    /* An implicitly shared page fails the call before anything changes */
    for (i = first; i < first + n; i++) {
        if (l->pg[i] & PG_IMPLICIT) {
            regs[0] = U_P2;
            return;
        }
    }
    for (i = first; i < first + n; i++) {
        if (l->pg[i] & PG_SHARED) {
            unshare_one(l, i);
        }
    }
    regs[0] = U_SUCCESS;
}

static void uc_unshare_all(UvPefLpar *l, uint64_t regs[10])
{
    uint64_t i;

    for (i = 0; i < l->npages; i++) {
        if (l->pg[i] == PG_SHARED) {
            unshare_one(l, i);
        }
    }
    regs[0] = U_SUCCESS;
}

UvPefLparAction uv_pef_lpar_ucall(UvPefLpar *l, const UvPefCaller *c,
                                  uint64_t regs[10], uint64_t *entry)
{
    const UvPefUcall *u = uv_pef_ucall_find(regs[0]);
    bool svm_os = c->s && !c->hv && !c->pr;

    l->ucalls++;
    switch (u ? regs[0] : 0) {
    case UV_ESM:
        return uc_esm(l, c, regs, entry);
    case UV_SHARE_PAGE:
    case UV_UNSHARE_PAGE:
    case UV_UNSHARE_ALL_PAGES:
        if (!svm_os || !l->secure) {
            /* MSR[S] and supervisor state, in a Secure VM (section 5) */
            regs[0] = U_PERMISSION;
        } else if (regs[0] == UV_SHARE_PAGE) {
            uc_share(l, regs);
        } else if (regs[0] == UV_UNSHARE_PAGE) {
            uc_unshare(l, regs);
        } else {
            uc_unshare_all(l, regs);
        }
        return UV_PEF_LPAR_RESUME;
    case UV_ESMB_GET_FILE:
        /* No MSR check; the LPID must name a Secure VM (section 1) */
        if (!l->secure) {
            regs[0] = U_PARAMETER;
        } else {
            uv_esm_get_file_call(&l->session, c->pid, regs);
        }
        return UV_PEF_LPAR_RESUME;
    case 0:
        regs[0] = U_FUNCTION;
        return UV_PEF_LPAR_RESUME;
    default:
        /*
         * The hypervisor's calls (and UV_SEND_SBE_COMMAND): a guest is
         * never in hypervisor state.
         */
        regs[0] = U_PERMISSION;
        return UV_PEF_LPAR_RESUME;
    }
}

/* ---- hypercalls (section 7) ---------------------------------------- */

/*
 * r3 .. r(3+in-1) go to the hypervisor, r3 .. r(3+out-1) come back.  The
 * open-power ultravisor's core/hcall-regs.c, less the entries it marks
 * "not used" (which abort it).
 */
static const struct {
    uint16_t hcall;
    uint8_t in, out;
} hcall_regs[] = {
    { 0x04, 6, 3 },     /* H_REMOVE */
    { 0x08, 7, 2 },     /* H_ENTER */
    { 0x0c, 3, 9 },     /* H_READ */
    { 0x10, 3, 2 },     /* H_CLEAR_MOD */
    { 0x14, 3, 2 },     /* H_CLEAR_REF */
    { 0x18, 4, 1 },     /* H_PROTECT */
    { 0x1c, 3, 2 },     /* H_GET_TCE */
    { 0x20, 4, 1 },     /* H_PUT_TCE */
    { 0x24, 2, 1 },     /* H_SET_SPRG0 */
    { 0x28, 2, 1 },     /* H_SET_DABR */
    { 0x2c, 4, 1 },     /* H_PAGE_INIT */
    { 0x3c, 3, 2 },     /* H_LOGICAL_CI_LOAD */
    { 0x40, 4, 1 },     /* H_LOGICAL_CI_STORE */
    { 0x54, 2, 4 },     /* H_GET_TERM_CHAR */
    { 0x58, 5, 1 },     /* H_PUT_TERM_CHAR */
    { 0x60, 2, 9 },     /* H_HYPERVISOR_DATA */
    { 0x64, 2, 1 },     /* H_EOI */
    { 0x68, 2, 1 },     /* H_CPPR */
    { 0x6c, 3, 1 },     /* H_IPI */
    { 0x70, 2, 3 },     /* H_IPOLL */
    { 0x74, 1, 2 },     /* H_XIRR */
    { 0x7c, 3, 2 },     /* H_PERFMON */
    { 0x78, 4, 1 },     /* H_MIGRATE_DMA */
    { 0xdc, 4, 1 },     /* H_REGISTER_VPA */
    { 0xe0, 1, 1 },     /* H_CEDE */
    { 0xe4, 3, 1 },     /* H_CONFER */
    { 0xe8, 2, 1 },     /* H_PROD */
    { 0xec, 1, 6 },     /* H_GET_PPP */
    { 0xf0, 3, 1 },     /* H_SET_PPP */
    { 0xf4, 1, 2 },     /* H_PURR */
    { 0xf8, 4, 1 },     /* H_PIC */
    { 0xfc, 4, 1 },     /* H_REG_CRQ */
    { 0x100, 2, 1 },    /* H_FREE_CRQ */
    { 0x104, 3, 1 },    /* H_VIO_SIGNAL */
    { 0x108, 4, 1 },    /* H_SEND_CRQ */
    { 0x110, 6, 9 },    /* H_COPY_RDMA */
    { 0x114, 6, 1 },    /* H_REGISTER_LOGICAL_LAN */
    { 0x118, 2, 1 },    /* H_FREE_LOGICAL_LAN */
    { 0x11c, 3, 1 },    /* H_ADD_LOGICAL_LAN_BUFFER */
    { 0x120, 9, 1 },    /* H_SEND_LOGICAL_LAN */
    { 0x124, 9, 2 },    /* H_BULK_REMOVE */
    { 0x130, 4, 2 },    /* H_MULTICAST_CTRL */
    { 0x134, 3, 1 },    /* H_SET_XDABR */
    { 0x138, 5, 1 },    /* H_STUFF_TCE */
    { 0x13c, 5, 1 },    /* H_PUT_TCE_INDIRECT */
    { 0x14c, 3, 1 },    /* H_CHANGE_LOGICAL_LAN_MAC */
    { 0x150, 5, 1 },    /* H_VTERM_PARTNER_INFO */
    { 0x154, 4, 1 },    /* H_REGISTER_VTERM */
    { 0x158, 2, 1 },    /* H_FREE_VTERM */
    { 0x1c8, 2, 3 },    /* H_GET_CPU_CHARACTERISTICS */
    { 0x1d4, 3, 1 },    /* H_FREE_LOGICAL_LAN_BUFFER */
    { 0x1d8, 1, 1 },    /* H_POLL_PENDING */
    { 0x244, 4, 2 },    /* H_ILLAN_ATTRIBUTES */
    { 0x298, 1, 1 },    /* H_JOIN */
    { 0x2a4, 2, 2 },    /* H_VASI_STATE */
    { 0x2a8, 6, 1 },    /* H_VIOCTL */
    { 0x2b0, 2, 1 },    /* H_ENABLE_CRQ */
    { 0x2b8, 1, 7 },    /* H_GET_EM_PARMS */
    { 0x2d0, 3, 1 },    /* H_SET_MPP */
    { 0x2d4, 1, 8 },    /* H_GET_MPP */
    { 0x2dc, 4, 3 },    /* H_REG_SUB_CRQ */
    { 0x2ec, 3, 7 },    /* H_HOME_NODE_ASSOCIATIVITY */
    { 0x2e0, 3, 1 },    /* H_FREE_SUB_CRQ */
    { 0x2e4, 7, 1 },    /* H_SEND_SUB_CRQ */
    { 0x2e8, 5, 1 },    /* H_SEND_SUB_CRQ_INDIRECT */
    { 0x2f4, 10, 3 },   /* H_BEST_ENERGY */
    { 0x2fc, 2, 3 },    /* H_XIRR_X */
    { 0x300, 2, 2 },    /* H_RANDOM */
    { 0x304, 8, 1 },    /* H_COP */
    { 0x314, 1, 8 },    /* H_GET_MPP_X */
    { 0x31c, 5, 1 },    /* H_SET_MODE */
    { 0x328, 10, 1 },   /* H_BLOCK_REMOVE */
    { 0x358, 1, 1 },    /* H_CLEAR_HPT */
    { 0x36c, 3, 1 },    /* H_RESIZE_HPT_PREPARE */
    { 0x370, 3, 1 },    /* H_RESIZE_HPT_COMMIT */
    { 0x37c, 5, 1 },    /* H_REGISTER_PROC_TBL */
    { 0x380, 2, 1 },    /* H_SIGNAL_SYS_RESET */
    { 0x3a8, 3, 5 },    /* H_INT_GET_SOURCE_INFO */
    { 0x3ac, 6, 1 },    /* H_INT_SET_SOURCE_CONFIG */
    { 0x3b4, 4, 3 },    /* H_INT_GET_QUEUE_INFO */
    { 0x3b8, 6, 1 },    /* H_INT_SET_QUEUE_CONFIG */
    { 0x3c8, 5, 2 },    /* H_INT_ESB */
    { 0x3cc, 3, 1 },    /* H_INT_SYNC */
    { 0x3d0, 2, 1 },    /* H_INT_RESET */
    { 0x3e4, 4, 2 },    /* H_SCM_READ_METADATA */
    { 0x3e8, 5, 1 },    /* H_SCM_WRITE_METADATA */
    { 0x3ec, 6, 2 },    /* H_SCM_BIND_MEM */
    { 0x3f0, 5, 2 },    /* H_SCM_UNBIND_MEM */
    { 0xf000, 2, 2 },   /* H_RTAS */
    { 0xf078, 4, 1 },   /* H_GET_24X7_CATALOG_PAGE */
    { 0xf07c, 5, 1 },   /* H_GET_24X7_DATA */
    { 0xf080, 3, 1 },   /* H_GET_PERF_COUNTER_INFO */
    { 0xf800, 2, 1 },   /* H_SET_PARTITION_TABLE */
    { 0xf804, 3, 1 },   /* H_ENTER_NESTED */
    { 0xf808, 4, 1 },   /* H_TLB_INVALIDATE */
    { 0xf80c, 7, 1 },   /* H_COPY_TOFROM_GUEST */
};

bool uv_pef_hcall_regs(uint64_t hcall, int *n_in, int *n_out)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(hcall_regs); i++) {
        if (hcall_regs[i].hcall == hcall) {
            *n_in = hcall_regs[i].in;
            *n_out = hcall_regs[i].out;
            return true;
        }
    }
    return false;
}

void uv_pef_hcall_scrub(uint64_t gpr[32], int n_in, uint64_t r0,
                        uint64_t cookie)
{
    int i;

    for (i = 0; i < 32; i++) {
        if (i < 3 || i >= 3 + n_in) {
            gpr[i] = 0;
        }
    }
    gpr[0] = r0;
    gpr[31] = cookie;
}

void uv_pef_hcall_merge(uint64_t gpr[32], const uint64_t hv[32], int n_out)
{
    int i;

    for (i = 3; i < 3 + n_out && i < 32; i++) {
        gpr[i] = hv[i];
    }
}

/* ---- RTAS through the bounce area (section 6) ------------------------ */

bool uv_pef_lpar_rtas_prepare(UvPefLpar *l, uint64_t args_gpa,
                              uint64_t *bounce_gpa)
{
    return l->secure &&
           uv_pef_rtas_prepare(l->rtas, &l->rtas_mem, args_gpa, bounce_gpa);
}

void uv_pef_lpar_rtas_finish(UvPefLpar *l)
{
    uv_pef_rtas_finish(l->rtas, &l->rtas_mem);
}

uint64_t uv_pef_lpar_start_r3(UvPefLpar *l, uint64_t r3)
{
    return uv_pef_rtas_start_r3(l->rtas, r3);
}
