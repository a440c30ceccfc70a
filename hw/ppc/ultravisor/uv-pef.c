/*
 * The emulated POWER ultravisor, built-in mode: the ultracall table and
 * handlers, life cycle and info (see include/hw/ppc/ultravisor/uv-pef.h;
 * the state is split by concern over the files named in
 * uv-pef-internal.h).
 *
 * Facts (opcodes, caller states, argument registers, return codes) come
 * from Linux (Documentation/arch/powerpc/ultravisor.rst,
 * arch/powerpc/include/asm/ultravisor-api.h) and from reading
 * open-power/ultravisor (core/uvcall.c, core/svm_host.c, core/xscom.c,
 * core/mem_region.c, core/page_encrypt.c).  Every return code is named in
 * the one table in uv-pef-internal.h, with its source; the [V]/[I]/[U]
 * tags are those of docs/system/ibm-confidential-computing.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "uv-pef-internal.h"

GQuark uv_pef_error_quark(void)
{
    return g_quark_from_static_string("uv-pef-error-quark");
}

bool uv_pef_is_secure(const UvPef *uv, uint64_t ra, uint64_t len)
{
    uint64_t last;

    if (!len) {
        return false;
    }
    last = (len - 1 > UINT64_MAX - ra) ? UINT64_MAX : ra + len - 1;
    return ra <= uv->cfg.secure_base + uv->cfg.secure_size - 1 &&
           last >= uv->cfg.secure_base;
}

/* [ra, ra + len) is a non-empty range of normal (non-secure) memory. */
static bool normal_range(const UvPef *uv, uint64_t ra, uint64_t len)
{
    return len && ra <= UINT64_MAX - (len - 1) &&
           !uv_pef_is_secure(uv, ra, len);
}

/* A hypervisor page given to PAGE_IN / PAGE_OUT. */
static bool hv_page_ok(const UvPef *uv, uint64_t ra)
{
    return ra && !(ra & (PAGE_SIZE - 1)) && normal_range(uv, ra, PAGE_SIZE);
}

/*
 * The Secure VM's tree changed: drop what the threads cached of it (the
 * host's op flushes every TLB).
 */
void svm_tree_changed(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm)
{
    /* Before the commit no partition-table entry points at the tree */
    if (svm->secure && svm->rtree.root_ra && uv->ops.pate_changed) {
        uv->ops.pate_changed(uv->opaque, c->cpu, svm->lpid);
    }
}

/* ---- ucall arguments ----------------------------------------------------- */

/*
 * The arguments of a ucall: r4..r12 under the names each call gives them
 * (Linux Documentation/arch/powerpc/ultravisor.rst).  Outputs go back
 * into the same registers, so a call's output fields overlay its inputs.
 */
typedef union UvPefArgs {
    uint64_t r[9];
    struct {
        uint64_t lpid, dw0, dw1;
    } write_pate;
    struct {
        uint64_t sprn;
        uint64_t value;         /* in for WRITE, out for READ (r5) */
    } spr;
    struct {
        uint64_t partid, addr, value;
    } scom;
    struct {
        uint64_t value;         /* READ_SCOM's result, in r4 */
    } scom_out;
    struct {
        uint64_t lpid, gpa, size, flags, slotid;
    } reg_slot;
    struct {
        uint64_t lpid, slotid;
    } unreg_slot;
    struct {
        uint64_t lpid, hv_page, gpa, flags, shift;
    } page;                     /* PAGE_IN, PAGE_OUT */
    struct {
        uint64_t lpid, gpa, shift;
    } inval;
    struct {
        uint64_t lpid;
    } terminate;
    struct {
        uint64_t gfn, npages;
    } share;                    /* SHARE_PAGE, UNSHARE_PAGE */
    struct {
        uint64_t buffer, rhandle, offset, size;
    } mem;                      /* READ_MEM, WRITE_MEM */
} UvPefArgs;

G_STATIC_ASSERT(sizeof(UvPefArgs) == 9 * sizeof(uint64_t));

typedef int64_t (*UvPefHandler)(UvPef *uv, const UvPefCaller *c,
                                UvPefArgs *a);

/* ---- ucall handlers ------------------------------------------------------ */

/*
 * The tables a partition-table entry locates in real memory (Power ISA
 * 3.0 partition-table entry): dw0 gives the radix partition-scoped root
 * (HR=1: RPDB, 2^(RPDS+3) bytes) or the hashed page table (HR=0: HTABORG,
 * 2^(18+HTABSIZE) bytes); for LPID 0 (the hypervisor) dw1's process table
 * (PRTB, 2^(12+PRTS) bytes) is a real address too (a guest's is
 * guest-real and goes through its partition-scoped translation).
 */
#define PATE_HR                 (1ULL << 63)
#define PATE_RPDB               0x0FFFFFFFFFFFFF00ULL
#define PATE_HTABORG            0x0FFFFFFFFFFC0000ULL
#define PATE_PRTB               0x0FFFFFFFFFFFF000ULL
#define PATE_SIZE_FIELD         0x1FULL

static bool pate_table_secure(const UvPef *uv, uint64_t base,
                              unsigned size_shift)
{
    return uv_pef_is_secure(uv, base, size_shift < 64 ?
                            1ULL << size_shift : UINT64_MAX);
}

static bool pate_dw0_secure(const UvPef *uv, uint64_t dw0)
{
    unsigned n = dw0 & PATE_SIZE_FIELD;

    if (dw0 & PATE_HR) {
        return pate_table_secure(uv, dw0 & PATE_RPDB, n + 3);
    }
    return pate_table_secure(uv, dw0 & PATE_HTABORG, n + 18);
}

static int64_t uc_write_pate(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t lpid = a->write_pate.lpid, dw0 = a->write_pate.dw0;
    uint64_t dw1 = a->write_pate.dw1;

    if (lpid >= UV_PEF_MAX_LPID) {
        return RC_PATE_LPID;
    }
    if (uv->svms[lpid]) {
        /* Only the UV sets an SVM's dw0 (its partition-scoped table). */
        dw0 = patb_dw0(uv, lpid);
    } else if (pate_dw0_secure(uv, dw0)) {
        return RC_PATE_SECURE_DW0;
    } else if (lpid == 0 &&
               pate_table_secure(uv, dw1 & PATE_PRTB,
                                 (dw1 & PATE_SIZE_FIELD) + 12)) {
        return RC_PATE_SECURE_DW1;
    }
    return pate_store(uv, c->cpu, lpid, dw0, dw1) ? U_SUCCESS : RC_PATE_WRITE;
}

static bool spr_allowed(uint64_t sprn, bool write)
{
    switch (sprn) {
    case UV_PEF_SPR_DAWR0:
    case UV_PEF_SPR_DAWRX0:
    case UV_PEF_SPR_CIABR:
        return true;
    case UV_PEF_SPR_LDBAR:
    case UV_PEF_SPR_IMC:
        return write;
    default:
        return false;
    }
}

static int64_t uc_spr_write(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    if (!spr_allowed(a->spr.sprn, true)) {
        return RC_SPR;
    }
    if (!uv->ops.spr_write ||
        !uv->ops.spr_write(uv->opaque, c->cpu, a->spr.sprn, a->spr.value)) {
        return RC_SPR_FAIL;
    }
    return U_SUCCESS;
}

/* The value comes back in r5, as the UV's uv_restricted_spr_read does. */
static int64_t uc_spr_read(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t val;

    if (!spr_allowed(a->spr.sprn, false)) {
        return RC_SPR;
    }
    if (!uv->ops.spr_read ||
        !uv->ops.spr_read(uv->opaque, c->cpu, a->spr.sprn, &val)) {
        return RC_SPR_FAIL;
    }
    a->spr.value = val;
    return U_SUCCESS;
}

/*
 * partid: bits 28-31 = 0 for a processor chip, the rest its chip id
 * (the UV's _xscom_read / _xscom_write).
 */
static int64_t scom_chip(const UvPef *uv, uint64_t partid, uint32_t *chip)
{
    if (partid > UINT32_MAX || (partid >> 28) != 0) {
        return RC_SCOM_PARTID;
    }
    if (!uv->ops.scom_read_chip && partid != 0) {
        return RC_SCOM_PARTID;
    }
    *chip = partid;
    return U_SUCCESS;
}

static int64_t uc_read_scom(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t addr = a->scom.addr, val = 0;
    uint32_t chip;
    int64_t rc = scom_chip(uv, a->scom.partid, &chip);
    bool ok;

    if (rc) {
        return rc;
    }
    if (uv->ops.scom_read_chip) {
        ok = uv->ops.scom_read_chip(uv->opaque, chip, addr, &val);
    } else {
        ok = uv->ops.scom_read && uv->ops.scom_read(uv->opaque, addr, &val);
    }
    if (!ok) {
        return RC_SCOM_FAIL;
    }
    a->scom_out.value = val;
    return U_SUCCESS;
}

static int64_t uc_write_scom(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint32_t chip;
    int64_t rc = scom_chip(uv, a->scom.partid, &chip);
    bool ok;

    if (rc) {
        return rc;
    }
    if (uv->ops.scom_write_chip) {
        ok = uv->ops.scom_write_chip(uv->opaque, chip, a->scom.addr,
                                     a->scom.value);
    } else {
        ok = uv->ops.scom_write &&
             uv->ops.scom_write(uv->opaque, a->scom.addr, a->scom.value);
    }
    return ok ? U_SUCCESS : RC_SCOM_FAIL;
}

static int64_t uc_return(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    /* No hcall is ever reflected yet (that comes with the SVM glue). */
    return RC_RETURN;
}

/* Drop the state of every page in @s (scrubbed, unmapped). */
static void uv_unreg_slot_pages(UvPef *uv, UvPefSvm *svm,
                                const UvPefSlotInfo *s)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        UvPefPage *pg = v;
        uint64_t gpa = pg->gfn << UV_PEF_PAGE_SHIFT;

        if (gpa >= s->gpa && gpa - s->gpa < s->size) {
            page_release(uv, svm, pg);
            g_hash_table_iter_remove(&it);
        }
    }
}

static int64_t uc_reg_slot(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    UvPefSvm *svm = get_svm(uv, a->reg_slot.lpid);
    uint64_t gpa = a->reg_slot.gpa, size = a->reg_slot.size;
    uint64_t id = a->reg_slot.slotid;
    UvPefSlotInfo ns;
    guint i;

    if (!svm) {
        return RC_NO_SVM;
    }
    if ((gpa & (PAGE_SIZE - 1)) || size == 0 ||
        size > UINT64_MAX - (PAGE_SIZE - 1) ||
        id >= UV_PEF_MAX_MEM_SLOTS) {
        return RC_SLOT;
    }
    /* Whole pages, as the UV counts them (SVM_BYTES_TO_PAGES). */
    size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (gpa > UINT64_MAX - size + 1) {
        return RC_SLOT;
    }
    for (i = 0; i < svm->slots->len; i++) {
        UvPefSlotInfo *s = &g_array_index(svm->slots, UvPefSlotInfo, i);

        if (s->slotid == id) {
            return RC_SLOT;
        }
        /* [gpa, gpa + size) and [s->gpa, s->gpa + s->size) overlap? */
        if (gpa - s->gpa < s->size || s->gpa - gpa < size) {
            return RC_SLOT;
        }
    }
    ns.slotid = id;
    ns.gpa = gpa;
    ns.size = size;
    ns.flags = a->reg_slot.flags;
    g_array_append_val(svm->slots, ns);
    if (svm->secure) {
        /*
         * A slot of a Secure VM starts as zeroed secure pages, as the
         * commit made the others (IBM's ultravisor maps them at
         * registration): nothing of the host's gets in later.
         */
        if (svm_pages_needed(uv, svm) > uv->pool_pages - uv->pool_used ||
            !slot_commit(uv, svm, &ns)) {
            uv_unreg_slot_pages(uv, svm, &ns);
            g_array_remove_index(svm->slots, svm->slots->len - 1);
            svm_tree_changed(uv, c, svm);
            return RC_NO_MEM;
        }
        svm_tree_changed(uv, c, svm);
    }
    return U_SUCCESS;
}

/* Its pages go with the slot. */
static int64_t uc_unreg_slot(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    UvPefSvm *svm = get_svm(uv, a->unreg_slot.lpid);
    UvPefSlotInfo s;
    guint i;

    if (!svm) {
        return RC_NO_SVM;
    }
    for (i = 0; i < svm->slots->len; i++) {
        s = g_array_index(svm->slots, UvPefSlotInfo, i);
        if (s.slotid == a->unreg_slot.slotid) {
            break;
        }
    }
    if (i == svm->slots->len) {
        return RC_SLOT_UNKNOWN;
    }
    g_array_remove_index(svm->slots, i);
    uv_unreg_slot_pages(uv, svm, &s);
    svm_tree_changed(uv, c, svm);
    return U_SUCCESS;
}

/* Copy or decrypt the page at @src into a new secure page for @pg. */
static int64_t page_in_copy(UvPef *uv, UvPefSvm *svm, UvPefPage *pg,
                            uint64_t src)
{
    int64_t idx;
    int64_t rc = U_SUCCESS;
    const uint8_t *plain = uv->buf_a;

    if (!uv->ops.mem_read(uv->opaque, src, uv->buf_a, PAGE_SIZE)) {
        return RC_HV_PAGE;
    }
    if (pg->state == PG_PAGEDOUT) {
        if (!page_decrypt(svm, pg, uv->buf_a, uv->buf_b)) {
            uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": paged-out page at gpa "
                       "0x%" PRIx64 " fails authentication", svm->lpid,
                       pg->gfn << UV_PEF_PAGE_SHIFT);
            return RC_PAGE_IN_AUTH;
        }
        plain = uv->buf_b;
    }
    if (pg->state == PG_SECURE) {
        idx = pg->spage;
    } else {
        idx = pool_alloc(uv);
        if (idx < 0) {
            uv_pef_log(uv, "UV: secure memory full (lpid 0x%" PRIx64 ")",
                       svm->lpid);
            rc = RC_NO_MEM;
            goto out;
        }
    }
    if (!uv->ops.mem_write(uv->opaque, pool_page_ra(uv, idx), plain,
                           PAGE_SIZE)) {
        if (pg->state != PG_SECURE) {
            pool_free(uv, idx, false);
        }
        rc = RC_NO_MEM;
        goto out;
    }
    if (pg->state != PG_SECURE) {
        pg->spage = idx;
        pg->state = PG_SECURE;
        svm->n_secure++;
    }
    memset(pg->iv, 0, sizeof(pg->iv));
    memset(pg->tag, 0, sizeof(pg->tag));
out:
    cc_wipe(uv->buf_b, PAGE_SIZE);
    return rc;
}

static int64_t uc_page_in(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t src = a->page.hv_page, gpa = a->page.gpa;
    uint64_t flags = a->page.flags, gfn = gpa >> UV_PEF_PAGE_SHIFT;
    UvPefSvm *svm;
    UvPefPage *pg;
    bool fresh = false;
    int64_t rc;

    if (a->page.shift != UV_PEF_PAGE_SHIFT) {
        return RC_INOUT_SHIFT;
    }
    if (!hv_page_ok(uv, src)) {
        return RC_HV_PAGE;
    }
    svm = get_svm(uv, a->page.lpid);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (svm->aborting) {
        return RC_ABORTING;
    }
    if (!gpa_ok(svm, gpa)) {
        return RC_GPA;
    }
    if (flags & ~(uint64_t)UV_PEF_PAGE_IN_SHARED) {
        return RC_PAGE_IN_FLAGS;
    }
    pg = page_get(svm, gfn);
    if (!pg) {
        pg = page_new(svm, gfn);
        if (!pg) {
            return RC_NO_MEM;
        }
        fresh = true;
    }

    if (svm->nested) {
        /*
         * Under a hypervisor the page's state decides, not the flags
         * (IBM's ultravisor, handle_page_in; docs/devel/pef-nested-svm.rst
         * section 6): a page becomes shared only when the Secure VM asked
         * for it (PG_HV_SHARING), never because the host says so.
         */
        flags = 0;
    }
    if (flags & UV_PEF_PAGE_IN_SHARED) {
        /* The hypervisor's page backs the gpa: nothing secure is left. */
        if (pg->state == PG_SECURE || pg->state == PG_PAGEDOUT) {
            page_release(uv, svm, pg);
        }
        page_set_shared(svm, pg, PG_SHARED);
        pg->hv_ra = src;
        if (svm->secure) {
            rtree_map(uv, svm, gfn, src);
            svm_tree_changed(uv, c, svm);
        }
        return U_SUCCESS;
    }

    switch (pg->state) {
    case PG_HV_SHARING:
        /* The host's answer to a share: its page, zeroed, is the gpa's */
        if (!uv->ops.mem_write(uv->opaque, src, uv->zero, PAGE_SIZE)) {
            return RC_HV_PAGE;
        }
        page_set_shared(svm, pg, PG_SHARED);
        pg->hv_ra = src;
        /* nothing was mapped there since the share began: no flush */
        rtree_map(uv, svm, gfn, src);
        return U_SUCCESS;
    case PG_HV_UNSHARING:
        /* The host gives the page back: its bytes are not taken */
        if (!page_zero_secure(uv, svm, pg)) {
            return RC_NO_MEM;
        }
        svm_tree_changed(uv, c, svm);
        return U_SUCCESS;
    case PG_SHARED:
    case PG_SHARED_INV:
        /* A shared page is (re)validated, as the UV does. */
        pg->state = PG_SHARED;
        if (svm->secure) {
            pg->hv_ra = src;
            rtree_map(uv, svm, gfn, src);
            svm_tree_changed(uv, c, svm);
        }
        return U_SUCCESS;
    case PG_SECURE:
        /*
         * [U] Under a hypervisor a page is brought in once: the host
         * cannot replace a page Enter Secure Mode has measured before the
         * commit (IBM's ultravisor copies it again).
         */
        if (svm->secure || svm->nested) {
            return RC_PAGE_IN_PRESENT;
        }
        break;
    default:
        break;
    }
    rc = page_in_copy(uv, svm, pg, src);
    if (rc != U_SUCCESS && fresh) {
        g_hash_table_remove(svm->pages, &gfn);
    }
    if (rc == U_SUCCESS && svm->secure &&
        !rtree_map(uv, svm, gfn, pool_page_ra(uv, pg->spage))) {
        /* [I] no room for the tree: the page is not the guest's yet */
        page_remove(uv, svm, pg);
        rc = RC_NO_MEM;
    }
    return rc;
}

/* Flags are unused, as in the UV. */
static int64_t uc_page_out(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t dst = a->page.hv_page, gpa = a->page.gpa;
    UvPefSvm *svm;
    UvPefPage *pg, out;
    int64_t rc = U_SUCCESS;

    if (a->page.shift != UV_PEF_PAGE_SHIFT) {
        return RC_INOUT_SHIFT;
    }
    if (!hv_page_ok(uv, dst)) {
        return RC_HV_PAGE;
    }
    svm = get_svm(uv, a->page.lpid);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (!gpa_ok(svm, gpa)) {
        return RC_GPA;
    }
    pg = page_get(svm, gpa >> UV_PEF_PAGE_SHIFT);
    if (svm->aborting) {
        /*
         * [U] A guest whose Enter Secure Mode failed gets back the pages
         * the ultravisor took, as they came in: before the commit they
         * hold only what the host gave (the ultravisor writes the guest's
         * memory at the commit, and the guest has not run since), so
         * nothing secret leaves, and the guest's prom_init can report the
         * failure and terminate.  IBM's ultravisor copies nothing
         * (core/svm_host.c __handle_page_out), and the guest resumes in
         * whatever pages the host allocated (docs/devel/pef-nested-svm.rst
         * U9): Linux then crashes in its firmware.
         */
        if (pg && pg->state == PG_SECURE) {
            bool ok = uv->ops.mem_read(uv->opaque,
                                       pool_page_ra(uv, pg->spage),
                                       uv->buf_a, PAGE_SIZE) &&
                      uv->ops.mem_write(uv->opaque, dst, uv->buf_a,
                                        PAGE_SIZE);

            cc_wipe(uv->buf_a, PAGE_SIZE);
            page_remove(uv, svm, pg);
            return ok ? U_SUCCESS : RC_PAGE_OUT_DST;
        }
        return U_SUCCESS;
    }
    if (!pg || pg->state != PG_SECURE) {
        return RC_PAGE_OUT_STATE;
    }
    /*
     * Out of the Secure VM's reach first (its other threads too), then
     * read: no write of theirs lands after the copy.
     */
    if (svm->secure) {
        rtree_unmap(uv, svm, pg->gfn);
        svm_tree_changed(uv, c, svm);
    }
    if (!uv->ops.mem_read(uv->opaque, pool_page_ra(uv, pg->spage),
                          uv->buf_a, PAGE_SIZE)) {
        rc = RC_PAGE_OUT_STATE;
        goto done;
    }
    /* The page's IV and tag change only once the page is out. */
    out = *pg;
    if (!svm_next_iv(svm, out.iv) ||
        !page_encrypt(svm, &out, uv->buf_a, uv->buf_b)) {
        rc = RC_NO_MEM;
        goto done;
    }
    if (!uv->ops.mem_write(uv->opaque, dst, uv->buf_b, PAGE_SIZE)) {
        rc = RC_PAGE_OUT_DST;
        goto done;
    }
    page_release(uv, svm, pg);
    memcpy(pg->iv, out.iv, sizeof(pg->iv));
    memcpy(pg->tag, out.tag, sizeof(pg->tag));
    pg->state = PG_PAGEDOUT;
done:
    if (rc != U_SUCCESS && svm->secure) {
        rtree_map(uv, svm, pg->gfn, pool_page_ra(uv, pg->spage));
    }
    cc_wipe(uv->buf_a, PAGE_SIZE);
    return rc;
}

static int64_t uc_page_inval(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    UvPefSvm *svm;
    UvPefPage *pg;

    if (a->inval.shift != UV_PEF_PAGE_SHIFT) {
        return RC_INVAL_SHIFT;
    }
    svm = get_svm(uv, a->inval.lpid);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (svm->aborting) {
        return RC_ABORTING;
    }
    if (!gpa_ok(svm, a->inval.gpa)) {
        return RC_GPA;
    }
    pg = page_get(svm, a->inval.gpa >> UV_PEF_PAGE_SHIFT);
    if (!pg || (pg->state != PG_SHARED && pg->state != PG_SHARED_INV)) {
        return RC_INVAL_STATE;
    }
    pg->state = PG_SHARED_INV;
    /* The host takes its page back: the Secure VM no longer reaches it */
    rtree_unmap(uv, svm, pg->gfn);
    svm_tree_changed(uv, c, svm);
    return U_SUCCESS;
}

static int64_t uc_terminate(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t lpid = a->terminate.lpid;

    UvPefSvm *svm = get_svm(uv, lpid);
    bool secure;

    if (!svm) {
        return RC_TERMINATE;
    }
    secure = svm->secure;
    svm_destroy(uv, lpid);
    /*
     * The entry pointed at the Secure VM's tree: nothing there any more
     * (core/svm_host.c svm_cleanup).  Before that it is the host's own.
     */
    if (secure) {
        pate_store(uv, c->cpu, lpid, 0, 0);
    }
    uv_pef_log(uv, "UV: svm terminated, lpid 0x%" PRIx64, lpid);
    return U_SUCCESS;
}

/* (UN)SHARE_PAGE: checks common to both. */
static int64_t share_check(UvPef *uv, const UvPefCaller *c, UvPefArgs *a,
                           UvPefSvm **svmp)
{
    uint64_t gfn = a->share.gfn, n = a->share.npages, i;
    UvPefSvm *svm = get_svm(uv, c->lpid);

    if (!svm) {
        return RC_SHARE_NO_SVM;
    }
    if (n == 0 || n > UV_PEF_MAX_SHARE_PAGES ||
        gfn > (UINT64_MAX >> UV_PEF_PAGE_SHIFT) - n) {
        return RC_SHARE_RANGE;
    }
    for (i = 0; i < n; i++) {
        if (!slot_of(svm, gfn + i)) {
            return RC_SHARE_RANGE;
        }
    }
    *svmp = svm;
    return U_SUCCESS;
}

static int64_t uc_share(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    uint64_t gfn = a->share.gfn, n = a->share.npages, i, need = 0;
    UvPefSvm *svm;
    int64_t rc = share_check(uv, c, a, &svm);

    if (rc) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        need += page_get(svm, gfn + i) == NULL;
    }
    if (g_hash_table_size(svm->pages) + need > UV_PEF_MAX_PAGE_ENTRIES) {
        return RC_NO_MEM;
    }
    for (i = 0; i < n; i++) {
        UvPefPage *pg = page_get(svm, gfn + i);

        if (!pg) {
            pg = page_new(svm, gfn + i);
        }
        if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
            continue;
        }
        /* The secure contents are destroyed: the page reads as zeroes. */
        page_release(uv, svm, pg);
        page_set_shared(svm, pg, PG_SHARED);
    }
    return U_SUCCESS;
}

static int64_t uc_unshare(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    UvPefSvm *svm;
    uint64_t i;
    int64_t rc = share_check(uv, c, a, &svm);

    if (rc) {
        return rc;
    }
    for (i = 0; i < a->share.npages; i++) {
        UvPefPage *pg = page_get(svm, a->share.gfn + i);

        /* Secure pages stay as they are; shared ones come back empty. */
        if (pg && (pg->state == PG_SHARED || pg->state == PG_SHARED_INV)) {
            page_remove(uv, svm, pg);
        }
    }
    return U_SUCCESS;
}

static int64_t uc_unshare_all(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    UvPefSvm *svm = get_svm(uv, c->lpid);
    GHashTableIter it;
    gpointer v;

    if (!svm) {
        return RC_SHARE_NO_SVM;
    }
    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        UvPefPage *pg = v;

        if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
            page_release(uv, svm, pg);
            g_hash_table_iter_remove(&it);
        }
    }
    return U_SUCCESS;
}

/*
 * READ_MEM / WRITE_MEM: access to a firmware resource on the UV's white
 * list ("ibm,uvbwlist").  This machine has none, so a well-formed request
 * is refused.
 */
static int64_t uc_mem(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    if (a->mem.buffer == 0 || (uint32_t)a->mem.size == 0) {
        return RC_MEM_ARG;
    }
    return RC_MEM_WL;
}

/* ESM, ESMB_GET_FILE, SEND_SBE_COMMAND: Enter Secure Mode comes later. */
static int64_t uc_not_yet(UvPef *uv, const UvPefCaller *c, UvPefArgs *a)
{
    return RC_NOT_YET;
}

/* ---- the ucall table ----------------------------------------------------- */

typedef enum UvPefCallers {
    CALLER_HV,          /* S=0 HV=1 PR=0 */
    CALLER_NS_OS,       /* S=0 HV=0 PR=0, LPID != 0 */
    CALLER_SECURE_OS,   /* S=1 HV=0 PR=0 */
    CALLER_ANY,
} UvPefCallers;

struct UvPefUcall {
    uint64_t opcode;
    const char *name;
    UvPefCallers callers;   /* Linux ultravisor.rst, "Allowed callers" */
    UvPefHandler fn;
};

static const UvPefUcall uv_pef_ucalls[] = {
    { UV_WRITE_PATE, "UV_WRITE_PATE", CALLER_HV, uc_write_pate },
    { UV_RESTRICTED_SPR_WRITE, "UV_RESTRICTED_SPR_WRITE", CALLER_HV,
      uc_spr_write },
    { UV_RESTRICTED_SPR_READ, "UV_RESTRICTED_SPR_READ", CALLER_HV,
      uc_spr_read },
    { UV_ESM, "UV_ESM", CALLER_NS_OS, uc_not_yet },
    { UV_READ_SCOM, "UV_READ_SCOM", CALLER_HV, uc_read_scom },
    { UV_WRITE_SCOM, "UV_WRITE_SCOM", CALLER_HV, uc_write_scom },
    { UV_RETURN, "UV_RETURN", CALLER_HV, uc_return },
    { UV_REGISTER_MEM_SLOT, "UV_REGISTER_MEM_SLOT", CALLER_HV, uc_reg_slot },
    { UV_UNREGISTER_MEM_SLOT, "UV_UNREGISTER_MEM_SLOT", CALLER_HV,
      uc_unreg_slot },
    { UV_PAGE_IN, "UV_PAGE_IN", CALLER_HV, uc_page_in },
    { UV_PAGE_OUT, "UV_PAGE_OUT", CALLER_HV, uc_page_out },
    { UV_SHARE_PAGE, "UV_SHARE_PAGE", CALLER_SECURE_OS, uc_share },
    { UV_UNSHARE_PAGE, "UV_UNSHARE_PAGE", CALLER_SECURE_OS, uc_unshare },
    { UV_PAGE_INVAL, "UV_PAGE_INVAL", CALLER_HV, uc_page_inval },
    { UV_SVM_TERMINATE, "UV_SVM_TERMINATE", CALLER_HV, uc_terminate },
    { UV_UNSHARE_ALL_PAGES, "UV_UNSHARE_ALL_PAGES", CALLER_SECURE_OS,
      uc_unshare_all },
    { UV_READ_MEM, "UV_READ_MEM", CALLER_HV, uc_mem },
    { UV_WRITE_MEM, "UV_WRITE_MEM", CALLER_HV, uc_mem },
    { UV_ESMB_GET_FILE, "UV_ESMB_GET_FILE", CALLER_ANY, uc_not_yet },
    { UV_SEND_SBE_COMMAND, "UV_SEND_SBE_COMMAND", CALLER_HV, uc_not_yet },
};

const UvPefUcall *uv_pef_ucall_find(uint64_t opcode)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(uv_pef_ucalls); i++) {
        if (uv_pef_ucalls[i].opcode == opcode) {
            return &uv_pef_ucalls[i];
        }
    }
    return NULL;
}

const char *uv_pef_ucall_name(const UvPefUcall *u)
{
    return u ? u->name : "unknown";
}

static bool caller_ok(UvPefCallers k, const UvPefCaller *c)
{
    switch (k) {
    case CALLER_HV:
        return !c->s && c->hv && !c->pr;
    case CALLER_NS_OS:
        return !c->s && !c->hv && !c->pr && c->lpid != 0;
    case CALLER_SECURE_OS:
        return c->s && !c->hv && !c->pr;
    case CALLER_ANY:
        return true;
    }
    return false;
}

int64_t uv_pef_ucall(UvPef *uv, const UvPefUcall *u,
                     const UvPefCaller *caller, uint64_t regs[10])
{
    UvPefArgs args;
    int64_t rc;

    g_assert(!u || u->opcode == regs[0]);
    uv->ucalls++;
    if (!u) {
        rc = RC_UNKNOWN;
    } else if (!caller_ok(u->callers, caller)) {
        rc = RC_CALLER;
    } else {
        memcpy(args.r, regs + 1, sizeof(args.r));
        rc = u->fn(uv, caller, &args);
        memcpy(regs + 1, args.r, sizeof(args.r));
    }
    regs[0] = rc;
    return rc;
}

/* ---- life cycle ---------------------------------------------------------- */

UvPef *uv_pef_new(const UvPefConfig *cfg, const UvPefHostOps *ops,
                  void *opaque, GError **errp)
{
    UvPef *uv;

    if (!cfg || !ops || !ops->mem_read || !ops->mem_write) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: configuration or memory access missing");
        return NULL;
    }
    if ((cfg->secure_base & (PAGE_SIZE - 1)) ||
        (cfg->secure_size & (PAGE_SIZE - 1)) ||
        cfg->secure_size < UV_PEF_SECURE_MIN ||
        cfg->secure_size > UV_PEF_SECURE_MAX ||
        cfg->secure_base > UINT64_MAX - cfg->secure_size + 1) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: bad secure memory 0x%" PRIx64
                    " size 0x%" PRIx64 " (64 KiB aligned, 1 MiB to 1 TiB)",
                    cfg->secure_base, cfg->secure_size);
        return NULL;
    }
    uv = g_new0(UvPef, 1);
    uv->cfg = *cfg;
    if (cfg->memcons_ra > UINT64_MAX - UV_PEF_MEMCONS_SIZE + 1 ||
        uv_pef_is_secure(uv, cfg->memcons_ra, UV_PEF_MEMCONS_SIZE)) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: message log at 0x%" PRIx64
                    " is not in normal memory", cfg->memcons_ra);
        g_free(uv);
        return NULL;
    }
    uv->version = g_strdup(cfg->version ? cfg->version : "unknown");
    uv->cfg.version = uv->version;
    uv->ops = *ops;
    uv->opaque = opaque;
    patb_init(uv);
    pool_init(uv);
    uv->buf_a = g_malloc0(PAGE_SIZE);
    uv->buf_b = g_malloc0(PAGE_SIZE);
    uv->zero = g_malloc0(PAGE_SIZE);
    uv->s1_threads = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                           NULL, g_free);
    return uv;
}

void uv_pef_free(UvPef *uv)
{
    if (!uv) {
        return;
    }
    svm_free_all_state(uv);
    pool_fini(uv);
    patb_fini(uv);
    cc_wipe(uv->buf_a, PAGE_SIZE);
    cc_wipe(uv->buf_b, PAGE_SIZE);
    cc_wipe(&uv->tpm_key, sizeof(uv->tpm_key));
    g_free(uv->buf_a);
    g_free(uv->buf_b);
    g_free(uv->zero);
    g_hash_table_destroy(uv->s1_threads);
    g_free(uv->version);
    g_free(uv);
}

void uv_pef_reset(UvPef *uv)
{
    uint64_t size = uv->cfg.secure_size;

    uv->log_ready = false;
    g_hash_table_remove_all(uv->s1_threads);
    svm_drop_all(uv);
    pool_reset(uv);
    patb_reset(uv);
    uv->ucalls = 0;

    log_init(uv);
    uv_pef_log(uv, "qemu-ibm-cc built-in ultravisor %s", uv->version);
    uv_pef_log(uv, "UV: secure memory 0x%016" PRIx64 "-0x%016" PRIx64
               " (%" PRIu64 " MiB)", uv->cfg.secure_base,
               uv->cfg.secure_base + size - 1, size >> 20);
    uv_pef_log(uv, "UV: partition table 0x%016" PRIx64 " (%d entries), "
               "PTCR 0x%016" PRIx64, uv->patb_ra, UV_PEF_MAX_LPID,
               uv_pef_ptcr(uv));
    uv_pef_log(uv, "UV: %u secure pages of 64 KiB for SVMs",
               uv->pool_pages);
}

/* ---- info ---------------------------------------------------------------- */

void uv_pef_get_info(const UvPef *uv, UvPefInfo *info)
{
    uint32_t i;

    memset(info, 0, sizeof(*info));
    info->secure_base = uv->cfg.secure_base;
    info->secure_size = uv->cfg.secure_size;
    info->secure_used = UV_PEF_POOL_OFFSET +
                        (uint64_t)uv->pool_used * PAGE_SIZE;
    info->ptcr = uv_pef_ptcr(uv);
    info->pates = uv->n_pates;
    info->ucalls = uv->ucalls;
    info->partitions = g_array_new(false, true,
                                   sizeof(UvPefPartitionInfo));
    for (i = 0; i < UV_PEF_MAX_LPID && info->partitions->len < uv->n_svms;
         i++) {
        const UvPefSvm *svm = uv->svms[i];
        UvPefPartitionInfo p;

        if (!svm) {
            continue;
        }
        p.lpid = svm->lpid;
        p.secure = svm->secure;
        p.secure_pages = svm->n_secure;
        p.shared_pages = svm->n_shared;
        p.slots = g_array_new(false, true, sizeof(UvPefSlotInfo));
        g_array_append_vals(p.slots, svm->slots->data, svm->slots->len);
        g_array_append_val(info->partitions, p);
    }
}

void uv_pef_info_clear(UvPefInfo *info)
{
    guint i;

    if (info->partitions) {
        for (i = 0; i < info->partitions->len; i++) {
            UvPefPartitionInfo *p = &g_array_index(info->partitions,
                                                   UvPefPartitionInfo, i);

            g_array_free(p->slots, true);
        }
        g_array_free(info->partitions, true);
    }
    memset(info, 0, sizeof(*info));
}
