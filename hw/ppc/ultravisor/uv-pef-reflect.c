/*
 * The built-in POWER ultravisor between a Secure VM and its hypervisor (a
 * KVM host): what the hypervisor sees when the ultravisor enters it on a
 * Secure VM's behalf, and how UV_RETURN brings the Secure VM back.
 *
 * The contract is docs/devel/pef-nested-svm.rst (sections 3 and 4), the
 * behaviour of open-power/ultravisor (core/exceptions.c, core/uvcall.c,
 * core/cookies.c) that an unmodified Linux KVM host expects:
 *
 * - the hypervisor is entered at its real-mode vector (0xC00 for hcalls)
 *   with MSR = SF|HV|ME (+LE), SRR0 = HSRR0 = r31 = a cookie standing for
 *   the thread's state, SRR1 = HSRR1 = the Secure VM's MSR | S (with the
 *   sc level 1 for hcalls) and every other register it could learn from
 *   cleared: GPRs but the hcall's inputs, CR, LR, CTR, XER, the saved SPRs,
 *   FP/vector/VSX; DEC reads 0x7FFFFFFF (H_CEDE: the Secure VM's);
 * - LPIDR, PIDR and LPCR stay the guest's;
 * - UV_RETURN (r0 = the guest's r3, r2 = SRR1, r31 = the cookie, HSRR0/1
 *   = KVM's nip/msr) restores the frame; an hcall's results r3..r(2+n)
 *   come from the hypervisor, the rest from the frame; HSRR0 other than
 *   the cookie, below 0x2000 and 32-byte aligned, is an interrupt KVM
 *   injects.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "hw/ppc/ultravisor/uv-pef-lpar.h"
#include "uv-pef-internal.h"

#include <gnutls/crypto.h>

#define MSR_SF          (1ULL << 63)
#define MSR_HV          (1ULL << 60)
#define MSR_VEC         (1ULL << 25)
#define MSR_VSX         (1ULL << 23)
#define MSR_S           (1ULL << 22)
#define MSR_EE          (1ULL << 15)
#define MSR_PR          (1ULL << 14)
#define MSR_FP          (1ULL << 13)
#define MSR_ME          (1ULL << 12)
#define MSR_IR          (1ULL << 5)
#define MSR_DR          (1ULL << 4)
#define MSR_RI          (1ULL << 1)
#define MSR_LE          (1ULL << 0)
/* SRR1 bits an interrupt sets beside the MSR's (rfid does not load them) */
#define SRR1_STATUS     0x783F0000ULL
/* SRR1 of a machine check on a load or store (POWER9: SRR1[42]) */
#define SRR1_MCE_LOAD   (1ULL << 21)
/* SRR1 of an illegal-instruction program interrupt (SRR1[44]) */
#define SRR1_PROG_ILLEGAL (1ULL << 19)
/* SRR1[42:43]: the level of the "sc" */
#define SRR1_SC_LEV1    (1ULL << 20)

/* The cookie's form (core/cookies.c): bits 2..51, at least 0x2000 */
#define COOKIE_MASK     0x000FFFFFFFFFFFFCULL
#define COOKIE_MIN      0x2000ULL

/* DEC as the hypervisor finds it (core/exceptions.c) */
#define HV_DEC          0x7FFFFFFFULL

/* PAPR hcalls the ultravisor treats itself */
#define H_FUNCTION      (-2)
#define H_CEDE          0xE0
#define H_RANDOM        0x300
#define H_RTAS          0xF000
#define H_SVM_PAGE_IN   0xEF00

UvPefFrame *frame_new(UvPefSvm *svm, uint8_t kind, const UvPefRegs *r)
{
    UvPefFrame *f;
    uint64_t cookie = 0;
    int tries;

    if (g_hash_table_size(svm->frames) >= UV_PEF_MAX_FRAMES) {
        return NULL;
    }
    for (tries = 0; tries < 16; tries++) {
        if (gnutls_rnd(GNUTLS_RND_NONCE, &cookie, sizeof(cookie)) < 0) {
            return NULL;
        }
        cookie &= COOKIE_MASK;
        if (cookie >= COOKIE_MIN &&
            !g_hash_table_contains(svm->frames, &cookie)) {
            break;
        }
        cookie = 0;
    }
    if (!cookie) {
        return NULL;
    }
    f = g_new0(UvPefFrame, 1);
    f->cookie = cookie;
    f->kind = kind;
    f->regs = *r;
    f->dec_expiry = r->tb + (int64_t)(int32_t)r->dec;
    g_hash_table_insert(svm->frames, &f->cookie, f);
    return f;
}

UvPefFrame *frame_renew(UvPefSvm *svm, UvPefFrame *f)
{
    UvPefFrame *nf = frame_new(svm, f->kind, &f->regs);

    uint64_t cookie;

    if (!nf) {
        return NULL;
    }
    cookie = nf->cookie;
    g_hash_table_steal(svm->frames, &nf->cookie);
    *nf = *f;
    nf->cookie = cookie;
    g_hash_table_insert(svm->frames, &nf->cookie, nf);
    frame_drop(svm, f);
    return nf;
}

static void frame_free(gpointer p)
{
    cc_wipe(p, sizeof(UvPefFrame));
    g_free(p);
}

void frame_drop(UvPefSvm *svm, UvPefFrame *f)
{
    g_hash_table_remove(svm->frames, &f->cookie);
}

void svm_free_frames(UvPefSvm *svm)
{
    if (svm->frames) {
        g_hash_table_destroy(svm->frames);
        svm->frames = NULL;
    }
}

GHashTable *frames_new(void)
{
    return g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                 frame_free);
}

/* Vectors whose handlers run with MSR[RI] (core/exceptions.c) */
static bool hv_vector_ri(uint32_t vector)
{
    return (vector >= 0xE00 && vector <= 0xEA0) || vector == 0x980 ||
           vector == 0xF80 || vector == 0x1500;
}

void hv_view(const UvPefCaller *c, const UvPefFrame *f, uint32_t vector,
             uint64_t srr1, UvPefRegs *r)
{
    uint64_t svm_msr = f->regs.msr;

    memset(r, 0, sizeof(*r));
    r->gpr[31] = f->cookie;
    r->srr0 = r->hsrr0 = f->cookie;
    r->srr1 = r->hsrr1 = srr1;
    r->dec = HV_DEC;
    r->nip = vector;
    r->msr = MSR_SF | MSR_HV | MSR_ME |
             (svm_msr & (MSR_FP | MSR_VEC | MSR_VSX));
    if (c->hv_le) {
        r->msr |= MSR_LE;
    }
    if (hv_vector_ri(vector)) {
        r->msr |= MSR_RI;
    }
    if (vector == 0x200) {
        r->msr &= ~MSR_ME;
    }
}

void hv_hcall(const UvPefCaller *c, const UvPefFrame *f, uint64_t op,
              const uint64_t *args, int nargs, UvPefRegs *r)
{
    int i;

    /*
     * Sent with S set even for a VM that is not secure yet, and [U] with
     * PR clear: the thread may have faulted in user mode (a page-in, an
     * MMIO access), and KVM answers an hcall from problem state with a
     * program interrupt (kvm/book3s_hv.c, BOOK3S_INTERRUPT_SYSCALL).
     * IBM's ultravisor passes the interrupted MSR as it is.
     */
    hv_view(c, f, 0xC00, (f->regs.msr & ~SRR1_STATUS & ~MSR_PR) | MSR_S |
            SRR1_SC_LEV1, r);
    r->gpr[3] = op;
    for (i = 0; i < nargs; i++) {
        r->gpr[4 + i] = args[i];
    }
}

/* ---- UV_RETURN ---------------------------------------------------------- */

/*
 * @hv_r (the thread as the hypervisor returned it) asks for an interrupt
 * into the Secure VM (core/exceptions.c valid_vector): a vector below
 * 0x2000, or [U] the same vector with the relocation-on offset of
 * LPCR[AIL]=3, which KVM adds when the guest had IR and DR on
 * (kvm/book3s_hv_builtin.c inject_interrupt; docs/devel/pef-nested-svm.rst
 * U4).  IBM's ultravisor ignores those; Linux guests set AIL=3 on a
 * POWER9 without the radix prefetch bug, and every external interrupt KVM
 * injects would be lost.  [U] The FWNMI address of a 0x200 reflection is
 * not recognised (RTAS ibm,nmi-register is not bounced specially).
 */
#define AIL3_OFFSET     0xC000000000004000ULL

static bool injected(const UvPefRegs *hv_r, bool *ail)
{
    uint64_t v = hv_r->hsrr0;

    *ail = v >= AIL3_OFFSET && v - AIL3_OFFSET < 0x2000;
    if (*ail) {
        v -= AIL3_OFFSET;
    }
    return hv_r->hsrr0 != hv_r->gpr[31] && v < 0x2000 && !(v & 31);
}

void frame_load(const UvPefFrame *f, UvPefRegs *r)
{
    uint64_t hsrr0 = r->hsrr0, hsrr1 = r->hsrr1, tb = r->tb;

    *r = f->regs;
    /* DEC runs on while the hypervisor does (core/exceptions.c) */
    r->dec = (uint64_t)(int64_t)(int32_t)(f->dec_expiry - tb);
    /* The hypervisor's HSRR0/1 stay as they are live */
    r->hsrr0 = hsrr0;
    r->hsrr1 = hsrr1;
}

/* Back into the Secure VM from frame @f; @r: the hypervisor's state */
static void svm_resume(UvPefFrame *f, UvPefRegs *r)
{
    UvPefRegs hv = *r;
    bool ail;
    int i;

    frame_load(f, r);
    if (f->kind == FRAME_HCALL && !f->rtas) {
        r->gpr[3] = hv.gpr[0];
        for (i = 1; i < f->n_out && 3 + i < 32; i++) {
            r->gpr[3 + i] = hv.gpr[3 + i];
        }
    }
    if (injected(&hv, &ail)) {
        r->srr0 = f->regs.nip;
        r->srr1 = (f->regs.msr & ~SRR1_STATUS) | (hv.gpr[2] & SRR1_STATUS);
        r->nip = hv.hsrr0;
        r->msr = MSR_SF | MSR_S | MSR_ME | (hv.hsrr1 & MSR_LE) |
                 (ail ? hv.hsrr1 & (MSR_IR | MSR_DR) : 0);
    }
    if (f->kind == FRAME_FAULT && hv.gpr[0] != 0) {
        /*
         * The host did not give the page back as it went out (altered,
         * replayed, swapped or missing: UV_PAGE_IN refused it).  [U] The
         * Secure VM gets a machine check at the access, as for memory that
         * failed; the open-power ultravisor terminates it instead
         * (svm_initiate_kill).  Nothing of the page is mapped.
         */
        r->srr0 = f->regs.nip;
        r->srr1 = (f->regs.msr & ~SRR1_STATUS) | SRR1_MCE_LOAD;
        r->nip = 0x200;
        r->msr = MSR_SF | MSR_S | (f->regs.msr & MSR_LE);
    }
    cc_wipe(&hv, sizeof(hv));
}

/*
 * A thread RTAS start-cpu started (svm-rtas.c rtas_start_cpu_end): the
 * host's first UV_RETURN for it has the start-cpu cookie in r0 (its r3).
 * It starts at the start_here the Secure VM named, MSR = SF|ME|S, with
 * the r3 the Secure VM gave; its other registers are the host's (a new
 * thread's).  The frame its r31 names, the thread's stop-self, is done.
 */
static UvPefNext start_cpu(UvPef *uv, UvPefSvm *svm, UvPefRegs *r,
                           uint64_t r3, uint64_t entry)
{
    UvPefFrame *old = g_hash_table_lookup(svm->frames, &r->gpr[31]);

    /* only an RTAS call's frame: the host cannot end another thread's */
    if (old && old->rtas) {
        frame_drop(svm, old);
    }
    uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": a thread starts at 0x%" PRIx64,
               svm->lpid, entry);
    r->gpr[3] = r3;
    r->nip = entry;
    r->msr = MSR_SF | MSR_ME | MSR_S;
    return UV_PEF_NEXT_LOAD;
}

/*
 * UV_RETURN from the hypervisor (HV=1, PR=0, S=0).  [U] A return that
 * names no frame of the partition in LPIDR gets U_STATE in r3 and stays
 * in the hypervisor: the open-power ultravisor asserts there, which stops
 * the machine.
 */
static UvPefNext uc_return_regs(UvPef *uv, const UvPefCaller *c,
                                UvPefRegs *r)
{
    UvPefSvm *svm = get_svm(uv, c->lpid);
    uint64_t cookie = r->gpr[31], start_r3, start_at;
    UvPefFrame *f;

    if (svm && svm->secure && svm->rtas &&
        uv_pef_rtas_start(svm->rtas, r->gpr[0], &start_r3, &start_at)) {
        return start_cpu(uv, svm, r, start_r3, start_at);
    }
    f = svm ? g_hash_table_lookup(svm->frames, &cookie) : NULL;
    if (!f) {
        uv_pef_log(uv, "UV: UV_RETURN for lpid 0x%" PRIx64 " names no "
                   "saved state", c->lpid);
        r->gpr[3] = RC_RETURN;
        return UV_PEF_NEXT_RESUME;
    }
    if (f->pid != c->pid) {
        /*
         * [U] The host must give the thread back with the PIDR it took it
         * with (KVM saves and restores it); the open-power ultravisor
         * terminates the Secure VM (fixup_regs_on_hv_exit).  Here the
         * return is refused and the frame kept.
         */
        uv_pef_log(uv, "UV: UV_RETURN for lpid 0x%" PRIx64 " with PIDR "
                   "0x%" PRIx64 ", taken with 0x%" PRIx64, c->lpid, c->pid,
                   f->pid);
        r->gpr[3] = RC_RETURN;
        return UV_PEF_NEXT_RESUME;
    }
    if (f->kind == FRAME_ESM) {
        return esm_continue(uv, c, svm, f, r);
    }
    if (f->kind == FRAME_SHARE) {
        return share_continue(uv, c, svm, f, r);
    }
    if (f->rtas) {
        rtas_finish(uv, svm);
    }
    if (f->kind == FRAME_MMIO) {
        mmio_finish(f, r);
    }
    svm_resume(f, r);
    frame_drop(svm, f);
    return UV_PEF_NEXT_LOAD;
}

/* ---- which Secure VM a thread in S=1 runs -------------------------------- */

/*
 * Every way into S=1 is the ultravisor's (the commit of Enter Secure Mode,
 * UV_RETURN, the end of a share), so it notes which SVM instance the
 * thread runs.  A thread that comes back from S=1 while that instance is
 * gone (terminated, or a new SVM at the same LPID) is not resumed: it is
 * an orphan, and leaves S=1 for the host with nothing of its state.
 */
static void s1_note(UvPef *uv, const UvPefCaller *c, const UvPefRegs *r)
{
    UvPefSvm *svm = get_svm(uv, c->lpid);

    if (!(r->msr & MSR_S) || (r->msr & MSR_HV)) {
        return;
    }
    g_hash_table_insert(uv->s1_threads, GUINT_TO_POINTER(c->cpu_index),
                        g_memdup2(svm ? &svm->gen : &(uint64_t){ 0 },
                                  sizeof(uint64_t)));
}

/* The Secure VM the calling thread (MSR[S]=1) runs, or NULL: an orphan */
static UvPefSvm *s1_svm(UvPef *uv, const UvPefCaller *c)
{
    UvPefSvm *svm = c->s && !c->hv ? get_svm(uv, c->lpid) : NULL;
    uint64_t *gen = g_hash_table_lookup(uv->s1_threads,
                                        GUINT_TO_POINTER(c->cpu_index));

    return svm && svm->secure && gen && *gen == svm->gen ? svm : NULL;
}

/* An orphan goes to the host's @vector with nothing but an empty frame */
static UvPefNext s1_orphan(UvPef *uv, const UvPefCaller *c, uint32_t vector,
                           uint64_t srr1, UvPefRegs *r)
{
    UvPefFrame none = { .cookie = 0, .regs = *r };

    uv_pef_log(uv, "UV: cpu %u: left S=1 of lpid 0x%" PRIx64 " with no "
               "Secure VM to go back to", c->cpu_index, c->lpid);
    hv_view(c, &none, vector, srr1 | MSR_S, r);
    cc_wipe(&none, sizeof(none));
    return UV_PEF_NEXT_LOAD;
}

static UvPefNext ucall_regs(UvPef *uv, const UvPefUcall *u,
                            const UvPefCaller *caller, UvPefRegs *r)
{
    uint64_t regs[10];
    uint64_t op = r->gpr[3];

    UvPefSvm *svm = get_svm(uv, caller->lpid);

    /*
     * From S=1: only a thread of the live Secure VM instance is served
     * (SVMs the core's tests make directly, not by UV_ESM, excepted).
     */
    if (caller->s && !caller->hv && !s1_svm(uv, caller) &&
        !(svm && !svm->nested)) {
        return s1_orphan(uv, caller, 0xC00, r->msr | SRR1_SC_LEV1, r);
    }

    if (u && op == UV_RETURN && !caller->s && caller->hv && !caller->pr) {
        uv->ucalls++;
        return uc_return_regs(uv, caller, r);
    }
    if (u && op == UV_ESM && !caller->s && !caller->hv && !caller->pr &&
        caller->lpid != 0) {
        uv->ucalls++;
        return esm_start(uv, caller, r);
    }
    if (u && (op == UV_SHARE_PAGE || op == UV_UNSHARE_PAGE ||
              op == UV_UNSHARE_ALL_PAGES) &&
        caller->s && !caller->hv && !caller->pr) {
        /* A Secure VM of a hypervisor: the host gives or takes the page */
        if (svm && svm->secure && svm->nested) {
            uv->ucalls++;
            return share_start(uv, caller, svm, r, op);
        }
    }
    memcpy(regs, r->gpr + 3, sizeof(regs));
    uv_pef_ucall(uv, u, caller, regs);
    memcpy(r->gpr + 3, regs, sizeof(regs));
    return UV_PEF_NEXT_RESUME;
}

UvPefNext uv_pef_ucall_regs(UvPef *uv, const UvPefUcall *u,
                            const UvPefCaller *caller, UvPefRegs *r)
{
    UvPefNext next = ucall_regs(uv, u, caller, r);

    if (next == UV_PEF_NEXT_LOAD) {
        s1_note(uv, caller, r);
    }
    return next;
}

/* ---- from the Secure VM to the hypervisor -------------------------------- */

/*
 * "sc 1" from a Secure VM (core/hvcall.c syscall_hypercall): H_RANDOM is
 * answered here (H_FUNCTION), a listed hcall goes to the hypervisor with
 * its inputs only.  H_RTAS goes with r4 = the bounce area's copy of the
 * arguments (reflect_rtas_hcall); the Secure VM gets its own r3 back and
 * the results in its arguments.  [U] An hcall the ultravisor does not
 * list gets H_FUNCTION; the open-power ultravisor stops for it.
 */
UvPefNext uv_pef_svm_hcall(UvPef *uv, const UvPefCaller *c, UvPefRegs *r)
{
    UvPefSvm *svm = s1_svm(uv, c);
    uint64_t op = r->gpr[3], srr1, filler = 0, bounce = 0;
    int n_in, n_out, i;
    UvPefFrame *f;

    if (!svm) {
        return s1_orphan(uv, c, 0xC00, r->msr | SRR1_SC_LEV1, r);
    }
    if (op == H_RANDOM || !uv_pef_hcall_regs(op, &n_in, &n_out)) {
        r->gpr[3] = (uint64_t)H_FUNCTION;
        return UV_PEF_NEXT_RESUME;
    }
    f = frame_new(svm, FRAME_HCALL, r);
    if (!f) {
        r->gpr[3] = (uint64_t)H_FUNCTION;
        return UV_PEF_NEXT_RESUME;
    }
    if (op == H_RTAS) {
        if (!rtas_prepare(uv, svm, r->gpr[4], &bounce)) {
            frame_drop(svm, f);
            return UV_PEF_NEXT_RESUME;
        }
        f->rtas = true;
    }
    f->vector = 0xC00;
    f->n_out = n_out;
    f->pid = c->pid;
    srr1 = (r->msr & ~SRR1_STATUS) | MSR_S | SRR1_SC_LEV1;
    if (op == H_CEDE) {
        /*
         * KVM cedes only with interrupts on (core/hvcall.c), and H_CEDE
         * returns with MSR[EE]=1 (PAPR; KVM's kvmppc_h_cede sets it): so
         * does the Secure VM, and an interrupt KVM injects on the way back
         * finds EE on in SRR1.
         */
        srr1 |= MSR_EE;
        f->regs.msr |= MSR_EE;
    }
    hv_view(c, f, 0xC00, srr1, r);
    for (i = 0; i < n_in && 3 + i < 31; i++) {
        r->gpr[3 + i] = f->regs.gpr[3 + i];
    }
    if (f->rtas) {
        r->gpr[4] = bounce;
    }
    if (3 + n_in < 31 &&
        gnutls_rnd(GNUTLS_RND_NONCE, &filler, sizeof(filler)) == 0) {
        r->gpr[3 + n_in] = filler;
    }
    if (op == H_CEDE) {
        r->dec = f->regs.dec;
    }
    return UV_PEF_NEXT_LOAD;
}

UvPefNext uv_pef_svm_interrupt(UvPef *uv, const UvPefCaller *c,
                               uint32_t vector, UvPefRegs *r)
{
    UvPefSvm *svm = s1_svm(uv, c);
    bool srr = vector == 0x100 || vector == 0x200;
    uint64_t nip = srr ? r->srr0 : r->hsrr0;
    uint64_t srr1 = srr ? r->srr1 : r->hsrr1;
    uint64_t gfn = (r->asdr & ~0xFFFULL & ~(0xFULL << 60)) >>
                   UV_PEF_PAGE_SHIFT;
    UvPefFrame *f = NULL;
    UvPefPage *pg;

    if (svm && vector == 0xE40) {
        /*
         * [U] An instruction the hypervisor would have to emulate: its
         * image (HEIR) is the Secure VM's, so it does not go to the host;
         * the Secure VM gets an illegal-instruction program interrupt.
         * The open-power ultravisor terminates the Secure VM.
         */
        r->srr0 = nip;
        r->srr1 = (r->msr & ~SRR1_STATUS) | SRR1_PROG_ILLEGAL;
        r->nip = 0x700;
        r->msr = MSR_SF | MSR_S | MSR_ME | (r->msr & MSR_LE);
        return UV_PEF_NEXT_LOAD;
    }
    if (svm) {
        UvPefRegs in = *r;

        /* The frame resumes where the interrupt happened */
        in.nip = nip;
        pg = page_get(svm, gfn);
        if (vector == 0xE00 && !slot_of(svm, gfn) &&
            mmio_start(uv, c, svm, &in, r) == UV_PEF_NEXT_LOAD) {
            return UV_PEF_NEXT_LOAD;
        }
        if ((vector == 0xE00 || vector == 0xE20) && pg &&
            pg->state == PG_PAGEDOUT) {
            /*
             * A page the hypervisor paged out: ask for it back
             * (core/svm_host.c ex_page_in), then retry the access.
             */
            uint64_t args[3] = { gfn << UV_PEF_PAGE_SHIFT, 0,
                                 UV_PEF_PAGE_SHIFT };

            f = frame_new(svm, FRAME_FAULT, &in);
            if (f) {
                f->vector = vector;
                f->pid = c->pid;
                hv_hcall(c, f, H_SVM_PAGE_IN, args, 3, r);
                return UV_PEF_NEXT_LOAD;
            }
        } else {
            f = frame_new(svm, FRAME_INTR, &in);
        }
    }
    if (!f) {
        /*
         * [U] No frame (no Secure VM instance this thread runs, or its
         * frames are all in use): the thread cannot be resumed.  The
         * hypervisor gets the interrupt with an empty frame; its
         * UV_RETURN then fails.
         */
        return s1_orphan(uv, c, vector, srr1, r);
    }
    f->vector = vector;
    f->pid = c->pid;
    hv_view(c, f, vector, srr1 | MSR_S, r);
    if (vector == 0x200) {
        /* DAR and DSISR go with a machine check (spr[5], spr[6]) */
        r->spr[5] = f->regs.spr[5];
        r->spr[6] = f->regs.spr[6];
    }
    return UV_PEF_NEXT_LOAD;
}
