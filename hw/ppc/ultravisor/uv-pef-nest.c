/*
 * The built-in POWER ultravisor: Enter Secure Mode for a guest of a
 * hypervisor (a KVM host on powernv).  Unlike a pseries guest's
 * (uv-pef-lpar.c), whose memory QEMU's ultravisor reads directly, this
 * guest's pages belong to the host until the host hands them over, so
 * UV_ESM becomes the hcall sequence open-power/ultravisor's uv_esm_svm
 * runs (docs/devel/pef-nested-svm.rst section 9):
 *
 *   H_SVM_INIT_START            the host registers its memory slots
 *   H_SVM_PAGE_IN(gpa, 0, 16)   per page the checks read: the tree, RTAS,
 *                               the initrd (with the ESM blob), the kernel;
 *                               the host answers each with UV_PAGE_IN
 *   (the TPM unwraps the blob's key; the digests are compared)
 *   H_SVM_INIT_DONE             the host moves the rest of the memory
 *   commit                      the partition-table entry points at the
 *                               ultravisor's tree; the guest continues at
 *                               its kernel base with MSR[S]=1
 *
 * Each hcall leaves the thread in the host; its UV_RETURN comes back to
 * esm_continue() with the frame the hcall was sent with.  A failure after
 * H_SVM_INIT_START sends H_SVM_INIT_ABORT as the guest's own hcall (the
 * host's abort path then resumes the guest after its sc 2 with
 * H_PARAMETER).
 *
 * [U] The TPM is reached directly (uv_pef_set_tpm()), not through the
 * host's H_SVM_TPM_COMM and its VMM's TPM proxy as on IBM's systems: this
 * machine's TPM belongs to the ultravisor (docs/system/ppc/pef-tcg.rst).
 * The RTAS bounce area (uv-pef-rtas.c) is reserved in the guest's tree
 * and shared with H_SVM_PAGE_IN(gpa, H_PAGE_IN_SHARED) before
 * H_SVM_INIT_DONE; the tree with its reservation is written back into
 * secure memory at commit.  [U] No TPM bounce page: see above.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "uv-pef-internal.h"

#include <libfdt.h>

#define MSR_HV          (1ULL << 60)
#define MSR_S           (1ULL << 22)
#define MSR_EE          (1ULL << 15)
#define SRR1_SC_LEV3    (3ULL << 20)

#define H_SVM_PAGE_IN       0xEF00
#define H_SVM_INIT_START    0xEF08
#define H_SVM_INIT_DONE     0xEF0C
#define H_SVM_INIT_ABORT    0xEF14
#define H_PAGE_IN_SHARED    1

void uv_pef_set_tpm(UvPef *uv, const UvPefTpmIo *io, const UvPefTpmKey *key)
{
    uv->have_tpm = io && key;
    cc_wipe(&uv->tpm_key, sizeof(uv->tpm_key));
    memset(&uv->tpm_io, 0, sizeof(uv->tpm_io));
    if (uv->have_tpm) {
        uv->tpm_io = *io;
        uv->tpm_key = *key;
    }
}

const char *uv_pef_esm_reason(const UvPef *uv)
{
    return uv->esm_reason ? uv->esm_reason : "";
}

void esm_run_free(UvPefSvm *svm)
{
    UvPefEsmRun *run = svm->esm;

    if (!run) {
        return;
    }
    uv_esm_session_clear(&run->sess);
    if (run->todo) {
        g_array_free(run->todo, true);
    }
    g_free(run->fdt_out);
    g_free(run);
    svm->esm = NULL;
}

/* ---- the guest's memory as the checks read it ---------------------------- */

/* A Secure VM's memory, as the opaque of the read/write callbacks */
typedef struct SvmRef {
    UvPef *uv;
    UvPefSvm *svm;
} SvmRef;

/*
 * Guest memory through the ultravisor's copies: a page brought in is read
 * from its secure page, a page of a slot the host never gave is zero (the
 * ultravisor's slots start as zeroed secure pages), anything else (shared,
 * outside every slot) cannot be read.
 */
static bool esm_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    SvmRef *er = opaque;
    uint8_t *out = buf;

    if (gpa + len < gpa) {
        return false;
    }
    while (len) {
        uint64_t gfn = gpa >> UV_PEF_PAGE_SHIFT;
        uint64_t off = gpa & (PAGE_SIZE - 1);
        uint64_t n = MIN(len, PAGE_SIZE - off);
        UvPefPage *pg = page_get(er->svm, gfn);

        if (!slot_of(er->svm, gfn)) {
            return false;
        }
        if (!pg) {
            memset(out, 0, n);
        } else if (pg->state != PG_SECURE ||
                   !er->uv->ops.mem_read(er->uv->opaque,
                                         pool_page_ra(er->uv, pg->spage) +
                                         off, out, n)) {
            return false;
        }
        gpa += n;
        out += n;
        len -= n;
    }
    return true;
}

/* Queue the pages of [gpa, gpa + len) that are not in yet. */
static bool esm_want(UvPefSvm *svm, uint64_t gpa, uint64_t len)
{
    uint64_t gfn, last;

    if (!len) {
        return true;
    }
    if (gpa + len - 1 < gpa) {
        return false;
    }
    last = (gpa + len - 1) >> UV_PEF_PAGE_SHIFT;
    /* [I] no more than an SVM can track: the host's tree names the sizes */
    if (last - (gpa >> UV_PEF_PAGE_SHIFT) >= UV_PEF_MAX_PAGE_ENTRIES ||
        svm->esm->todo->len >= UV_PEF_MAX_PAGE_ENTRIES) {
        return false;
    }
    for (gfn = gpa >> UV_PEF_PAGE_SHIFT; gfn <= last; gfn++) {
        UvPefPage *pg = page_get(svm, gfn);

        if (!slot_of(svm, gfn)) {
            return false;
        }
        if (!pg || pg->state != PG_SECURE) {
            g_array_append_val(svm->esm->todo, gfn);
        }
    }
    return true;
}

/*
 * Secure VM memory by gpa, as the ultravisor reaches it: a secure page in
 * the pool, a shared page in the host's memory.  Anything else (paged
 * out, shared but invalidated, in transit) cannot be reached.
 */
static bool svm_gpa_rw(UvPef *uv, UvPefSvm *svm, uint64_t gpa, void *buf,
                       uint64_t len, bool write)
{
    uint8_t *p = buf;

    if (gpa + len < gpa) {
        return false;
    }
    while (len) {
        uint64_t off = gpa & (PAGE_SIZE - 1);
        uint64_t n = MIN(len, PAGE_SIZE - off);
        UvPefPage *pg = page_get(svm, gpa >> UV_PEF_PAGE_SHIFT);
        uint64_t ra;
        bool ok;

        if (!pg || (pg->state != PG_SECURE && pg->state != PG_SHARED)) {
            return false;
        }
        ra = (pg->state == PG_SECURE ? pool_page_ra(uv, pg->spage)
                                     : pg->hv_ra) + off;
        ok = write ? uv->ops.mem_write(uv->opaque, ra, p, n)
                   : uv->ops.mem_read(uv->opaque, ra, p, n);
        if (!ok) {
            return false;
        }
        gpa += n;
        p += n;
        len -= n;
    }
    return true;
}

/* ---- RTAS through the bounce area ---------------------------------------- */

static bool svm_mem_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    SvmRef *m = opaque;

    return svm_gpa_rw(m->uv, m->svm, gpa, buf, len, false);
}

static bool svm_mem_write(void *opaque, uint64_t gpa, const void *buf,
                          uint64_t len)
{
    SvmRef *m = opaque;

    return svm_gpa_rw(m->uv, m->svm, gpa, (void *)buf, len, true);
}

bool svm_bounce_gfn(const UvPefSvm *svm, uint64_t gfn)
{
    uint64_t first = svm->rtas ? uv_pef_rtas_bounce(svm->rtas) >>
                                 UV_PEF_PAGE_SHIFT : 0;

    return first && gfn >= first && gfn < first + UV_PEF_RTAS_PAGES;
}

/*
 * [U] A call the ultravisor cannot pass on (no bounce area, another call
 * of this SVM still with the host, arguments it cannot read, a bounce
 * page the host invalidated) gets status -1 in the SVM's own arguments;
 * the open-power ultravisor issues H_RTAS anyway.
 */
bool rtas_prepare(UvPef *uv, UvPefSvm *svm, uint64_t args, uint64_t *bounce)
{
    SvmRef sm = { uv, svm };
    UvPefRtasMem m = { svm_mem_read, svm_mem_write, &sm };

    if (svm->rtas && !uv_pef_rtas_busy(svm->rtas) &&
        uv_pef_rtas_prepare(svm->rtas, &m, args, bounce)) {
        return true;
    }
    uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": RTAS call at 0x%" PRIx64
               " not passed on", svm->lpid, args);
    uv_pef_rtas_fail(&m, args);
    return false;
}

void rtas_finish(UvPef *uv, UvPefSvm *svm)
{
    SvmRef sm = { uv, svm };
    UvPefRtasMem m = { svm_mem_read, svm_mem_write, &sm };

    uv_pef_rtas_finish(svm->rtas, &m);
}

/*
 * Find room for the bounce area below the first memory slot's top (the
 * RMO) and build the tree that reserves it.
 */
static UvEsmStatus esm_bounce_setup(UvPef *uv, UvPefSvm *svm)
{
    UvPefEsmRun *run = svm->esm;
    SvmRef er = { uv, svm };
    g_autofree void *fdt = uv_esm_read_fdt(esm_read, &er, run->fdt);
    uint64_t rmo_top = 0;
    UvEsmStatus st;
    guint i;

    if (!fdt) {
        return UV_ESM_BAD_SVM_FDT;
    }
    for (i = 0; i < svm->slots->len; i++) {
        UvPefSlotInfo *s = &g_array_index(svm->slots, UvPefSlotInfo, i);

        if (s->gpa == 0) {
            rmo_top = s->size;
        }
    }
    run->fdt_out = uv_pef_rtas_setup(svm->rtas, fdt, run->fdt, rmo_top,
                                     run->kbase, &run->sess, &st);
    return run->fdt_out ? UV_ESM_OK : st;
}

/* ---- the sequence -------------------------------------------------------- */

static void esm_fail_log(UvPef *uv, UvPefSvm *svm, const char *why)
{
    uv->esm_reason = why;
    uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": Enter Secure Mode failed: %s",
               svm->lpid, why);
}

/*
 * Abort (core/uvcall.c fixup_uv_esm_excp_frame): the guest's own state at
 * its sc 2 goes to the host's 0xC00 as if the guest had called
 * H_SVM_INIT_ABORT: r3 = H_SVM_INIT_ABORT, every other GPR (r31 too) the
 * guest's, SRR0 = the address after the sc 2, SRR1 = its MSR without S;
 * HSRR0/1 stay as they are.  The host then pages out, terminates the SVM
 * and resumes the guest there with H_PARAMETER.
 */
static UvPefNext esm_abort(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                           UvPefFrame *f, UvPefRegs *r, const char *why)
{
    uint64_t hsrr0 = r->hsrr0, hsrr1 = r->hsrr1;
    UvPefFrame vm = { .regs = f->regs };

    esm_fail_log(uv, svm, why);
    frame_drop(svm, f);
    esm_run_free(svm);
    svm->aborting = true;

    hv_view(c, &vm, 0xC00, 0, r);
    *r = (UvPefRegs) { .nip = r->nip, .msr = r->msr };
    memcpy(r->gpr, vm.regs.gpr, sizeof(r->gpr));
    r->gpr[3] = H_SVM_INIT_ABORT;
    r->cr = vm.regs.cr;
    r->lr = vm.regs.lr;
    r->ctr = vm.regs.ctr;
    r->xer = vm.regs.xer;
    memcpy(r->spr, vm.regs.spr, sizeof(r->spr));
    memcpy(r->fp, vm.regs.fp, sizeof(r->fp));
    r->dec = vm.regs.dec;
    r->srr0 = vm.regs.nip;
    /*
     * [U] SRR1[42:43] = 3: the ultravisor ORs level 1 into the 2 of the
     * guest's sc 2 (docs/devel/pef-nested-svm.rst U3).
     */
    r->srr1 = (vm.regs.msr & ~MSR_S) | SRR1_SC_LEV3;
    r->hsrr0 = hsrr0;
    r->hsrr1 = hsrr1;
    cc_wipe(&vm, sizeof(vm));
    return UV_PEF_NEXT_LOAD;
}

/* Send the ESM frame's next hcall; the frame gets a fresh cookie. */
static UvPefNext esm_hcall(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                           UvPefFrame **fp, UvPefRegs *r, uint64_t op,
                           const uint64_t *args, int nargs)
{
    UvPefFrame *nf = frame_renew(svm, *fp);

    if (!nf) {
        return esm_abort(uv, c, svm, *fp, r, "no room for the ultravisor's "
                         "state (or no entropy)");
    }
    *fp = nf;
    hv_hcall(c, nf, op, args, nargs, r);
    return UV_PEF_NEXT_LOAD;
}

/* Bring the next queued page in; false when none is left. */
static bool esm_next_page(UvPefSvm *svm, uint64_t *gfn)
{
    UvPefEsmRun *run = svm->esm;

    while (run->next < run->todo->len) {
        UvPefPage *pg;

        *gfn = g_array_index(run->todo, uint64_t, run->next++);
        pg = page_get(svm, *gfn);
        if (!pg || pg->state != PG_SECURE) {
            return true;
        }
    }
    g_array_set_size(run->todo, 0);
    run->next = 0;
    return false;
}

uint64_t svm_pages_needed(UvPef *uv, UvPefSvm *svm)
{
    uint64_t need = 0;
    guint i;

    for (i = 0; i < svm->slots->len; i++) {
        need += g_array_index(svm->slots, UvPefSlotInfo, i).size / PAGE_SIZE;
    }
    need -= MIN(need, svm->n_secure + svm->n_shared);
    /* tables: the root, and at most one page of lower tables per 2 GiB */
    return need + 2 + need / 32768;
}

/*
 * Every page the ultravisor pages in and maps must fit the pool with the
 * rest of the slots' pages (zeroed at commit) and the tree's tables.
 */
static bool esm_fits(UvPef *uv, UvPefSvm *svm)
{
    return svm_pages_needed(uv, svm) <= uv->pool_pages - uv->pool_used;
}

bool slot_commit(UvPef *uv, UvPefSvm *svm, const UvPefSlotInfo *s)
{
    uint64_t gfn, end = (s->gpa + s->size) >> UV_PEF_PAGE_SHIFT;

    for (gfn = s->gpa >> UV_PEF_PAGE_SHIFT; gfn < end; gfn++) {
        UvPefPage *pg = page_get(svm, gfn);

        if (!pg) {
            pg = page_new(svm, gfn);
            if (!pg || !page_zero_secure(uv, svm, pg)) {
                if (pg) {
                    g_hash_table_remove(svm->pages, &gfn);
                }
                return false;
            }
            continue;
        }
        switch (pg->state) {
        case PG_SECURE:
            if (!rtree_map(uv, svm, gfn, pool_page_ra(uv, pg->spage))) {
                return false;
            }
            break;
        case PG_SHARED:
            if (!rtree_map(uv, svm, gfn, pg->hv_ra)) {
                return false;
            }
            break;
        default:
            break;      /* paged out, or shared and invalid */
        }
    }
    return true;
}

/* Map every page of every slot; pages the host never gave become zero. */
static bool esm_commit(UvPef *uv, UvPefSvm *svm)
{
    guint i;

    for (i = 0; i < svm->slots->len; i++) {
        if (!slot_commit(uv, svm,
                         &g_array_index(svm->slots, UvPefSlotInfo, i))) {
            return false;
        }
    }
    /* The tree with the bounce area reserved (svm_fdt_finalize) */
    if (!svm_gpa_rw(uv, svm, svm->esm->fdt, svm->esm->fdt_out,
                    fdt_totalsize(svm->esm->fdt_out), true)) {
        return false;
    }
    return pate_store(uv, NULL, svm->lpid, rtree_dw0(svm),
                      cc_get_be64(uv->patb + svm->lpid * UV_PEF_PATE_SIZE +
                                  8));
}

UvPefNext esm_continue(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                       UvPefFrame *f, UvPefRegs *r)
{
    UvPefEsmRun *run = svm->esm;
    int64_t rc = r->gpr[0];
    SvmRef er = { uv, svm };
    UvEsmStatus st;
    uint64_t gfn;

    g_assert(run);
    if (rc != 0) {
        static const char *const what[] = {
            [ESM_INIT_START] = "the host refused H_SVM_INIT_START",
            [ESM_FDT_HEAD] = "the host refused H_SVM_PAGE_IN",
            [ESM_FDT] = "the host refused H_SVM_PAGE_IN",
            [ESM_RANGES] = "the host refused H_SVM_PAGE_IN",
            [ESM_KERNEL] = "the host refused H_SVM_PAGE_IN",
            [ESM_BOUNCE] = "the host refused to share the RTAS bounce "
                           "pages",
            [ESM_INIT_DONE] = "the host refused H_SVM_INIT_DONE",
        };

        uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": hcall returned %" PRId64,
                   svm->lpid, rc);
        return esm_abort(uv, c, svm, f, r, what[run->step]);
    }

    for (;;) {
        if (run->step != ESM_INIT_START && run->step < ESM_BOUNCE &&
            esm_next_page(svm, &gfn)) {
            uint64_t args[3] = { gfn << UV_PEF_PAGE_SHIFT, 0,
                                 UV_PEF_PAGE_SHIFT };

            return esm_hcall(uv, c, svm, &f, r, H_SVM_PAGE_IN, args, 3);
        }
        switch (run->step) {
        case ESM_INIT_START:
            run->step = ESM_FDT_HEAD;
            if (!esm_want(svm, run->fdt, sizeof(struct fdt_header))) {
                return esm_abort(uv, c, svm, f, r, "the device tree is "
                                 "outside the guest's memory");
            }
            break;
        case ESM_FDT_HEAD: {
            struct fdt_header h;

            if (!esm_read(&er, run->fdt, &h, sizeof(h)) ||
                fdt_magic(&h) != FDT_MAGIC ||
                fdt_totalsize(&h) > UV_ESM_FDT_MAX ||
                !esm_want(svm, run->fdt, fdt_totalsize(&h))) {
                return esm_abort(uv, c, svm, f, r,
                                 uv_esm_status_str(UV_ESM_BAD_SVM_FDT));
            }
            run->step = ESM_FDT;
            break;
        }
        case ESM_FDT:
            st = uv_esm_check_fdt(esm_read, &er, run->fdt, &run->sess);
            if (st) {
                return esm_abort(uv, c, svm, f, r, uv_esm_status_str(st));
            }
            if (!esm_want(svm, run->sess.rtas_base, run->sess.rtas_text) ||
                !esm_want(svm, run->sess.initrd_start,
                          run->sess.initrd_end - run->sess.initrd_start)) {
                return esm_abort(uv, c, svm, f, r,
                                 uv_esm_status_str(UV_ESM_NO_MEMORY));
            }
            run->step = ESM_RANGES;
            break;
        case ESM_RANGES:
            st = uv_esm_check_blob(esm_read, &er,
                                   uv->have_tpm ? &uv->tpm_io : NULL,
                                   uv->have_tpm ? &uv->tpm_key : NULL,
                                   &run->sess);
            if (st) {
                return esm_abort(uv, c, svm, f, r, uv_esm_status_str(st));
            }
            if (!esm_want(svm, run->kbase, run->sess.digests.kernel_size)) {
                return esm_abort(uv, c, svm, f, r,
                                 uv_esm_status_str(UV_ESM_NO_MEMORY));
            }
            run->step = ESM_KERNEL;
            break;
        case ESM_KERNEL:
            st = uv_esm_check_digests(esm_read, &er, run->kbase, &run->sess);
            if (st) {
                return esm_abort(uv, c, svm, f, r, uv_esm_status_str(st));
            }
            st = esm_bounce_setup(uv, svm);
            if (st) {
                return esm_abort(uv, c, svm, f, r, uv_esm_status_str(st));
            }
            if (!esm_fits(uv, svm)) {
                return esm_abort(uv, c, svm, f, r, "secure memory is too "
                                 "small for the guest's memory");
            }
            run->step = ESM_BOUNCE;
            break;
        case ESM_BOUNCE: {
            uint64_t args[3] = { 0, H_PAGE_IN_SHARED, UV_PEF_PAGE_SHIFT };
            uint64_t first = uv_pef_rtas_bounce(svm->rtas) >>
                             UV_PEF_PAGE_SHIFT;
            UvPefPage *pg = run->bounce_i ?
                            page_get(svm, first + run->bounce_i - 1) : NULL;

            if (run->bounce_i && (!pg || pg->state != PG_SHARED)) {
                return esm_abort(uv, c, svm, f, r, "the host did not share "
                                 "the RTAS bounce pages");
            }
            if (run->bounce_i < UV_PEF_RTAS_PAGES) {
                gfn = first + run->bounce_i++;
                pg = page_get(svm, gfn) ?: page_new(svm, gfn);
                if (!pg) {
                    return esm_abort(uv, c, svm, f, r,
                                     uv_esm_status_str(UV_ESM_NO_MEMORY));
                }
                page_release(uv, svm, pg);
                pg->state = PG_HV_SHARING;
                args[0] = gfn << UV_PEF_PAGE_SHIFT;
                return esm_hcall(uv, c, svm, &f, r, H_SVM_PAGE_IN, args, 3);
            }
            run->step = ESM_INIT_DONE;
            return esm_hcall(uv, c, svm, &f, r, H_SVM_INIT_DONE, NULL, 0);
        }
        case ESM_INIT_DONE: {
            UvPefRegs vm = f->regs;
            uint64_t hsrr0 = r->hsrr0, hsrr1 = r->hsrr1;

            if (!esm_commit(uv, svm)) {
                /*
                 * [U] After H_SVM_INIT_DONE the host cannot abort any more
                 * (it answers H_STATE): the guest gets the failure in r3
                 * and stays a normal guest of an SVM with no memory.
                 */
                esm_fail_log(uv, svm, "secure memory ran out at commit");
                frame_drop(svm, f);
                esm_run_free(svm);
                *r = vm;
                r->gpr[3] = (uint64_t)U_RETRY;
                r->hsrr0 = hsrr0;
                r->hsrr1 = hsrr1;
                return UV_PEF_NEXT_LOAD;
            }
            svm->secure = true;
            uv->esm_reason = NULL;
            uv_pef_log(uv, "UV: lpid 0x%" PRIx64 " entered secure mode "
                       "(%" PRIu64 " secure pages)", svm->lpid,
                       svm->n_secure);
            /* The guest continues at its kernel, MSR[S]=1, HV=EE=0 */
            frame_load(f, r);
            frame_drop(svm, f);
            r->nip = run->kbase;
            r->msr = (vm.msr | MSR_S) & ~(MSR_HV | MSR_EE);
            r->gpr[3] = run->fdt;
            r->gpr[4] = run->kbase;
            r->gpr[5] = 0;
            cc_wipe(&vm, sizeof(vm));
            esm_run_free(svm);
            return UV_PEF_NEXT_LOAD;
        }
        default:
            g_assert_not_reached();
        }
    }
}

/*
 * UV_ESM(r4 = kernel base, r5 = device tree) from a normal partition
 * (S=0, HV=0, PR=0, LPID != 0).
 */
UvPefNext esm_start(UvPef *uv, const UvPefCaller *c, UvPefRegs *r)
{
    UvPefSvm *svm = get_svm(uv, c->lpid);
    UvPefFrame *f;
    int64_t rc;

    if (svm) {
        r->gpr[3] = RC_ESM_STATE;
        return UV_PEF_NEXT_RESUME;
    }
    rc = uv_pef_svm_create(uv, c->lpid);
    if (rc != U_SUCCESS) {
        r->gpr[3] = rc;
        return UV_PEF_NEXT_RESUME;
    }
    svm = get_svm(uv, c->lpid);
    svm->nested = true;
    svm->rtas = uv_pef_rtas_new();
    f = frame_new(svm, FRAME_ESM, r);
    if (!f) {
        svm_destroy(uv, c->lpid);
        r->gpr[3] = RC_ESM_NO_MEM;
        return UV_PEF_NEXT_RESUME;
    }
    svm->esm = g_new0(UvPefEsmRun, 1);
    svm->esm->step = ESM_INIT_START;
    svm->esm->kbase = r->gpr[4];
    svm->esm->fdt = r->gpr[5];
    svm->esm->todo = g_array_new(false, false, sizeof(uint64_t));
    f->pid = c->pid;
    uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": Enter Secure Mode, kernel at "
               "0x%" PRIx64 ", device tree at 0x%" PRIx64, c->lpid,
               r->gpr[4], r->gpr[5]);
    hv_hcall(c, f, H_SVM_INIT_START, NULL, 0, r);
    return UV_PEF_NEXT_LOAD;
}

/* ---- UV_SHARE_PAGE / UV_UNSHARE_PAGE under a hypervisor ------------------ */

/*
 * The host hands pages over and takes them back only through KVM's
 * H_SVM_PAGE_IN (docs/devel/pef-ultravisor-facts.md section 5,
 * docs/devel/pef-nested-svm.rst section 7): a share is H_SVM_PAGE_IN(gpa,
 * H_PAGE_IN_SHARED) per page, which KVM answers with UV_PAGE_IN of the
 * host page it gives (PG_HV_SHARING: the ultravisor zeroes and maps it);
 * an unshare is H_SVM_PAGE_IN(gpa, 0), which KVM answers with UV_PAGE_IN
 * of the shared page (PG_HV_UNSHARING: its bytes are not taken, a zeroed
 * secure page replaces it).  A page the Secure VM shares loses its secure
 * contents, as on IBM's ultravisor.
 *
 * [U] A step that fails (the host refuses, or answers without UV_PAGE_IN)
 * leaves that page a zeroed secure page and ends the call with U_P2; the
 * pages before it stay as they are (IBM's ultravisor reverts them).
 */

#define SHARE_TRIES         4       /* page-ins of a paged-out page */

bool page_zero_secure(UvPef *uv, UvPefSvm *svm, UvPefPage *pg)
{
    int64_t idx;

    page_release(uv, svm, pg);
    idx = pool_alloc(uv);
    if (idx < 0) {
        return false;
    }
    if (!uv->ops.mem_write(uv->opaque, pool_page_ra(uv, idx), uv->zero,
                           PAGE_SIZE) ||
        !rtree_map(uv, svm, pg->gfn, pool_page_ra(uv, idx))) {
        pool_free(uv, idx, false);
        return false;
    }
    pg->spage = idx;
    pg->state = PG_SECURE;
    svm->n_secure++;
    return true;
}

/*
 * A page to be shared leaves the Secure VM's tree, and every TLB, before
 * its secure page goes back to the pool (scrubbed): no thread can write
 * into a free page.
 */
static void share_take(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                       UvPefPage *pg)
{
    if (pg->state == PG_SECURE) {
        rtree_unmap(uv, svm, pg->gfn);
        svm_tree_changed(uv, c, svm);
    }
    page_release(uv, svm, pg);
    pg->state = PG_HV_SHARING;
}

/* The call ends: back after the Secure VM's sc 2 with @rc */
static UvPefNext share_done(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                            UvPefFrame *f, UvPefRegs *r, int64_t rc)
{
    uint32_t i;

    /* [U] pages a failed share had taken but not reached: zeroed, secure */
    for (i = f->share_i; !f->unshare && rc != U_SUCCESS && i < f->share_n;
         i++) {
        UvPefPage *pg = page_get(svm, f->share_gfn + i);

        if (pg && pg->state == PG_HV_SHARING) {
            page_zero_secure(uv, svm, pg);
        }
    }
    frame_load(f, r);
    r->gpr[3] = rc;
    frame_drop(svm, f);
    if (uv->ops.pate_changed) {
        uv->ops.pate_changed(uv->opaque, c->cpu, svm->lpid);
    }
    return UV_PEF_NEXT_LOAD;
}

/* The next page's hcall, or the end of the call */
/* UV_UNSHARE_ALL_PAGES: the next shared page, as a range of one */
static bool next_shared(UvPefSvm *svm, UvPefFrame *f)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        UvPefPage *pg = v;

        if ((pg->state == PG_SHARED || pg->state == PG_SHARED_INV) &&
            !svm_bounce_gfn(svm, pg->gfn)) {
            f->share_gfn = pg->gfn;
            f->share_n = 1;
            f->share_i = 0;
            return true;
        }
    }
    return false;
}

static UvPefNext share_next(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                            UvPefFrame *f, UvPefRegs *r)
{
    if (f->unshare_all && !next_shared(svm, f)) {
        return share_done(uv, c, svm, f, r, U_SUCCESS);
    }
    for (; f->share_i < f->share_n; f->share_i++, f->share_tries = 0) {
        uint64_t gfn = f->share_gfn + f->share_i;
        uint64_t args[3] = { gfn << UV_PEF_PAGE_SHIFT, 0, UV_PEF_PAGE_SHIFT };
        UvPefPage *pg = page_get(svm, gfn);
        bool shared = pg && (pg->state == PG_SHARED ||
                             pg->state == PG_SHARED_INV);
        UvPefFrame *nf;

        if (f->unshare ? !shared : shared) {
            continue;           /* nothing to do: idempotent */
        }
        if (f->unshare) {
            page_release(uv, svm, pg);
            pg->state = PG_HV_UNSHARING;
        } else if (pg && pg->state == PG_PAGEDOUT) {
            if (f->share_tries++ >= SHARE_TRIES) {
                return share_done(uv, c, svm, f, r, U_P2);
            }
            /* bring it in first (H_SVM_PAGE_IN, 0) */
        } else {
            if (!pg) {
                pg = page_new(svm, gfn);
                if (!pg) {
                    return share_done(uv, c, svm, f, r, RC_NO_MEM);
                }
            }
            share_take(uv, c, svm, pg);
            args[1] = H_PAGE_IN_SHARED;
        }
        nf = frame_renew(svm, f);
        if (!nf) {
            page_zero_secure(uv, svm, pg);
            return share_done(uv, c, svm, f, r, RC_NO_MEM);
        }
        hv_hcall(c, nf, H_SVM_PAGE_IN, args, 3, r);
        return UV_PEF_NEXT_LOAD;
    }
    return share_done(uv, c, svm, f, r, U_SUCCESS);
}

UvPefNext share_continue(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                         UvPefFrame *f, UvPefRegs *r)
{
    UvPefPage *pg = page_get(svm, f->share_gfn + f->share_i);
    int64_t rc = r->gpr[0];

    if (pg && (pg->state == PG_HV_SHARING || pg->state == PG_HV_UNSHARING)) {
        /* the host did not answer with UV_PAGE_IN */
        page_zero_secure(uv, svm, pg);
        return share_done(uv, c, svm, f, r, U_P2);
    }
    if (rc != 0) {
        return share_done(uv, c, svm, f, r, U_P2);
    }
    if (!pg || pg->state != PG_SECURE || f->unshare) {
        f->share_i++;           /* done with this page */
        f->share_tries = 0;
    }
    return share_next(uv, c, svm, f, r);
}

/*
 * UV_SHARE_PAGE / UV_UNSHARE_PAGE(r4 = gfn, r5 = pages) and
 * UV_UNSHARE_ALL_PAGES from a Secure VM of a hypervisor.  r3 is U_SUCCESS
 * or U_P2 at the end (Linux ignores it).
 */
UvPefNext share_start(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                      UvPefRegs *r, uint64_t op)
{
    uint64_t gfn = r->gpr[4], n = r->gpr[5], i;
    UvPefFrame *f;

    if (op == UV_UNSHARE_ALL_PAGES) {
        f = frame_new(svm, FRAME_SHARE, r);
        if (!f) {
            r->gpr[3] = RC_NO_MEM;
            return UV_PEF_NEXT_RESUME;
        }
        f->unshare = f->unshare_all = true;
        f->pid = c->pid;
        return share_next(uv, c, svm, f, r);
    }

    if (n == 0 || n > UV_PEF_MAX_SHARE_PAGES ||
        gfn > (UINT64_MAX >> UV_PEF_PAGE_SHIFT) - n) {
        r->gpr[3] = RC_SHARE_RANGE;
        return UV_PEF_NEXT_RESUME;
    }
    for (i = 0; i < n; i++) {
        UvPefPage *pg = page_get(svm, gfn + i);

        /* The ultravisor's own shares stay (SHARE_IMPLICIT) */
        if (!slot_of(svm, gfn + i) ||
            (op == UV_UNSHARE_PAGE && svm_bounce_gfn(svm, gfn + i)) ||
            (pg && (pg->state == PG_HV_SHARING ||
                    pg->state == PG_HV_UNSHARING))) {
            r->gpr[3] = RC_SHARE_RANGE;
            return UV_PEF_NEXT_RESUME;
        }
    }
    f = frame_new(svm, FRAME_SHARE, r);
    if (!f) {
        r->gpr[3] = RC_NO_MEM;
        return UV_PEF_NEXT_RESUME;
    }
    f->share_gfn = gfn;
    f->share_n = n;
    f->unshare = op == UV_UNSHARE_PAGE;
    f->pid = c->pid;
    if (!f->unshare) {
        /*
         * Every present page of the range leaves the tree at once: one
         * TLB flush for the call, not one per page (a swiotlb pool is
         * thousands of pages).
         */
        bool flush = false;

        for (i = 0; i < n; i++) {
            UvPefPage *pg = page_get(svm, gfn + i);

            if (pg && pg->state == PG_SECURE) {
                rtree_unmap(uv, svm, gfn + i);
                flush = true;
            }
        }
        if (flush) {
            svm_tree_changed(uv, c, svm);
        }
        for (i = 0; i < n; i++) {
            UvPefPage *pg = page_get(svm, gfn + i);

            if (pg && pg->state == PG_SECURE) {
                page_release(uv, svm, pg);
                pg->state = PG_HV_SHARING;
            }
        }
    }
    return share_next(uv, c, svm, f, r);
}
