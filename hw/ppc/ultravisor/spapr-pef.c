/*
 * pseries Secure VMs under TCG: the built-in ultravisor of the pef-guest
 * object.  QEMU is the hypervisor (the virtual hypervisor of the pseries
 * machine) and this file plays the ultravisor between the guest and it:
 *
 * - "sc 2" from the guest goes to the core (uv-pef-lpar.c): Enter Secure
 *   Mode, share/unshare, UV_ESMB_GET_FILE;
 * - "sc 1" from a Secure VM is reflected to QEMU's hypercall code with
 *   the registers the ultravisor passes, the others scrubbed; H_RTAS goes
 *   through the ultravisor's bounce area;
 * - the hypervisor's view of memory (system memory: device DMA, QEMU's
 *   own hypercalls) loses the secure pages: an IOMMU region over guest
 *   RAM, enabled while the guest is a Secure VM, passes shared pages and
 *   the accesses with MSR[S]=1 (MemTxAttrs.secure, set at TLB fill); the
 *   hypervisor's other accesses reach a page of random bytes instead
 *   (docs/system/ppc/pef-svm.rst, [U] below).  The monitor, gdbstub,
 *   qtest and dumps are refused outright (ConfidentialGuestSupport);
 * - the TPM the ultravisor unwraps keys with is a -tpmdev backend,
 *   provisioned at every reset as firmware does.
 *
 * Facts: docs/devel/pef-ultravisor-facts.md; user docs:
 * docs/system/ppc/pef-svm.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-ppc-pef-target.h"
#include "crypto/random.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/cputlb.h"
#include "migration/blocker.h"
#include "hw/boards.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_ovec.h"
#include "hw/ppc/spapr-pef.h"
#include "hw/ppc/ultravisor/uv-pef-lpar.h"
#include "hw/ppc/ultravisor/pef-tpm-glue.h"
#include "target/ppc/cpu.h"
#include "target/ppc/pef.h"
#include "target/ppc/helper_regs.h"
#include "trace.h"

#define TYPE_SPAPR_PEF_FILTER "spapr-pef-filter-iommu-memory-region"

/* [U] The LPID the ultravisor gives the guest: any non-zero one */
#define SPAPR_PEF_LPID          1

/* The masked SPRs of section 7 that QEMU keeps in env->spr[] */
static const int spapr_pef_masked_sprs[] = {
    SPR_DAR, SPR_DSISR, SPR_IAMR, SPR_DSCR, SPR_PSPB, SPR_TAR,
    SPR_UAMOR, SPR_VRSAVE, SPR_POWER_SDAR, SPR_POWER_SIER, SPR_POWER_SIAR,
    SPR_POWER_PMC1, SPR_POWER_PMC2, SPR_POWER_PMC3, SPR_POWER_PMC4,
    SPR_POWER_PMC5, SPR_POWER_PMC6, SPR_EBBHR, SPR_EBBRR, SPR_TIDR,
    SPR_SPRG0, SPR_SPRG1, SPR_SPRG2, SPR_SPRG3, SPR_CFAR,
};
#define SPAPR_PEF_N_MASKED ARRAY_SIZE(spapr_pef_masked_sprs)
/* PPR while the hypervisor runs (section 7) */
#define SPAPR_PEF_HV_PPR        0x0010000000000000ULL

/* A Secure VM's registers while its hypercall is in the hypervisor */
typedef struct SpaprPefFrame {
    uint64_t gpr[32];
    uint64_t nip, lr, ctr, xer, ppr;
    uint32_t crf[8];
    uint64_t spr[SPAPR_PEF_N_MASKED];
    ppc_vsr_t vsr[64];
    uint64_t fpscr;
    uint32_t vscr;
} SpaprPefFrame;

struct SpaprPef {
    ConfidentialGuestSupport *cgs;
    MachineState *machine;
    UvPefLpar *core;
    PPCPef ppc;

    /* the hypervisor's view of RAM, and the ultravisor's */
    IOMMUMemoryRegion filter;
    MemoryRegion stand_in;
    AddressSpace stand_in_as;
    MemoryRegion ram_view;
    MemoryRegion ram_alias;
    AddressSpace ram_as;
    uint64_t ram_size;

    /* the TPM key channel */
    PefTpm tpm;
    UvPefTpmKey key;

    SpaprPefFrame frame;
    Error *migration_blocker;
    unsigned esm_reports;
};

/* At most this many failed ESMs are reported per reset */
#define SPAPR_PEF_ESM_REPORTS   8

static SpaprPef *spapr_pef_of_cpu(PowerPCCPU *cpu)
{
    return cpu->pef ? cpu->pef->opaque : NULL;
}

/* ---- the hypervisor's view of guest RAM ----------------------------- */

static IOMMUTLBEntry spapr_pef_filter_translate(IOMMUMemoryRegion *iommu,
                                                hwaddr addr,
                                                IOMMUAccessFlags flag,
                                                int iommu_idx)
{
    SpaprPef *s = container_of(iommu, SpaprPef, filter);
    IOMMUTLBEntry ret = {
        .target_as = &s->ram_as,
        .iova = addr & ~(UV_PEF_PAGE_SIZE - 1),
        .translated_addr = addr & ~(UV_PEF_PAGE_SIZE - 1),
        .addr_mask = UV_PEF_PAGE_SIZE - 1,
        .perm = IOMMU_RW,
    };

    /* Index 1: MSR[S]=1 (the Secure VM itself); 0: the hypervisor */
    if (iommu_idx == 0 &&
        !uv_pef_lpar_host_ok(s->core, ret.iova, UV_PEF_PAGE_SIZE)) {
        /*
         * [U] A hypervisor that touches a secure page on a PEF machine gets
         * it paged out, encrypted (UV_PAGE_OUT): it works on ciphertext and
         * the guest's page is not changed by it.  Here it reaches the
         * stand-in page: random bytes, and its writes stay there.
         */
        ret.target_as = &s->stand_in_as;
        ret.translated_addr = 0;
        trace_spapr_pef_host_stand_in(addr);
    }
    return ret;
}

static int spapr_pef_filter_attrs_to_index(IOMMUMemoryRegion *iommu,
                                           MemTxAttrs attrs)
{
    return attrs.secure ? 1 : 0;
}

static int spapr_pef_filter_num_indexes(IOMMUMemoryRegion *iommu)
{
    return 2;
}

static void spapr_pef_filter_class_init(ObjectClass *klass, void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = spapr_pef_filter_translate;
    imrc->attrs_to_index = spapr_pef_filter_attrs_to_index;
    imrc->num_indexes = spapr_pef_filter_num_indexes;
}

static const TypeInfo spapr_pef_filter_info = {
    .parent = TYPE_IOMMU_MEMORY_REGION,
    .name = TYPE_SPAPR_PEF_FILTER,
    .class_init = spapr_pef_filter_class_init,
};

static void spapr_pef_register_types(void)
{
    type_register_static(&spapr_pef_filter_info);
}

type_init(spapr_pef_register_types)

bool spapr_pef_host_access_ok(SpaprPef *s, uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;

    if (!s) {
        return true;
    }
    if (end < addr) {
        len = UINT64_MAX - addr;    /* a range that wraps reaches the top */
    }
    return uv_pef_lpar_host_ok(s->core, addr, len);
}

bool spapr_pef_dump_ok(SpaprPef *s, Error **errp)
{
    if (s && uv_pef_lpar_secure(s->core)) {
        error_setg(errp, "the guest is a PEF Secure VM: its memory cannot "
                   "be dumped");
        return false;
    }
    return true;
}

/* ---- the core's host operations ------------------------------------- */

static bool spapr_pef_mem_read(void *opaque, uint64_t gpa, void *buf,
                               uint64_t len)
{
    SpaprPef *s = opaque;

    return address_space_read(&s->ram_as, gpa, MEMTXATTRS_UNSPECIFIED, buf,
                              len) == MEMTX_OK;
}

static bool spapr_pef_mem_write(void *opaque, uint64_t gpa, const void *buf,
                                uint64_t len)
{
    SpaprPef *s = opaque;

    return address_space_write(&s->ram_as, gpa, MEMTXATTRS_UNSPECIFIED, buf,
                               len) == MEMTX_OK;
}

static void spapr_pef_secure_changed(void *opaque, bool secure)
{
    SpaprPef *s = opaque;

    trace_spapr_pef_secure(secure);
    memory_region_transaction_begin();
    memory_region_set_enabled(MEMORY_REGION(&s->filter), secure);
    memory_region_transaction_commit();
}

static void spapr_pef_unshared(void *opaque, uint64_t gpa, uint64_t len)
{
    SpaprPef *s = opaque;
    IOMMUTLBEvent ev = {
        .type = IOMMU_NOTIFIER_UNMAP,
        .entry = {
            .target_as = &s->ram_as,
            .iova = gpa,
            .translated_addr = gpa,
            .addr_mask = len - 1,
            .perm = IOMMU_NONE,
        },
    };

    /* Whoever cached a translation of the shared page drops it */
    memory_region_notify_iommu(&s->filter, 0, ev);
}

static const UvPefLparOps spapr_pef_lpar_ops = {
    .mem_read = spapr_pef_mem_read,
    .mem_write = spapr_pef_mem_write,
    .secure_changed = spapr_pef_secure_changed,
    .unshared = spapr_pef_unshared,
};

/* ---- the TPM key channel -------------------------------------------- */

/*
 * Firmware's part at every boot (pef-tpm-glue.c); the core keeps its copy
 * of the key, none stays here.
 */
static void spapr_pef_tpm_setup(SpaprPef *s)
{
    uv_pef_lpar_set_tpm(s->core, NULL, NULL);
    if (pef_tpm_provision(&s->tpm, &s->key)) {
        uv_pef_lpar_set_tpm(s->core, &s->tpm.io, &s->key);
    }
    memset(&s->key, 0, sizeof(s->key));
}

/* ---- "sc 2" --------------------------------------------------------- */

/*
 * The partition's MMU as the hypervisor knows it when prom_init calls
 * UV_ESM: what client-architecture-support settled (LPCR[HR] is set only
 * later, when the kernel registers its process table).
 */
static bool spapr_pef_radix(SpaprPef *s)
{
    SpaprMachineState *spapr = SPAPR_MACHINE(s->machine);

    return spapr_ovec_test(spapr->ov5_cas, OV5_MMU_RADIX_300);
}

static void spapr_pef_ucall(void *opaque, PowerPCCPU *cpu)
{
    SpaprPef *s = opaque;
    CPUPPCState *env = &cpu->env;
    UvPefCaller caller = {
        .s = !!(env->msr & R_MSR_S_MASK),
        .hv = !!(env->msr & MSR_HVB),
        .pr = !!(env->msr & R_MSR_PR_MASK),
        .lpid = SPAPR_PEF_LPID,
        .pid = env->spr[SPR_BOOKS_PID],
        .radix = spapr_pef_radix(s),
        .cpu_index = CPU(cpu)->cpu_index,
        .cpu = cpu,
    };
    uint64_t op = env->gpr[3];
    const char *name = uv_pef_ucall_name(uv_pef_ucall_find(op));
    UvPefLparAction act;
    uint64_t regs[10], entry = 0;
    int64_t t0 = get_clock();
    int i;

    g_assert(bql_locked());
    for (i = 0; i < 10; i++) {
        regs[i] = env->gpr[3 + i];
    }
    trace_spapr_pef_ucall(CPU(cpu)->cpu_index, name, regs[0], regs[1],
                          regs[2]);
    pef_tpm_count(&s->tpm);
    act = uv_pef_lpar_ucall(s->core, &caller, regs, &entry);
    trace_spapr_pef_ucall_ret(CPU(cpu)->cpu_index, name, regs[0]);
    if (op == UV_ESM) {
        trace_spapr_pef_esm_done(uv_pef_lpar_esm_reason(s->core),
                                 (get_clock() - t0) / 1000, s->tpm.cmds,
                                 s->tpm.ns / 1000);
    }
    for (i = 0; i < 10; i++) {
        env->gpr[3 + i] = regs[i];
    }
    if (op == UV_ESM && act != UV_PEF_LPAR_ENTER_SVM &&
        uv_pef_lpar_esm_status(s->core) != UV_ESM_OK &&
        s->esm_reports++ < SPAPR_PEF_ESM_REPORTS) {
        /* The user needs to know why the guest did not become secure */
        warn_report("pef-guest: Enter Secure Mode failed: %s%s",
                    uv_pef_lpar_esm_reason(s->core),
                    s->tpm.id ? "" : " (pef-guest has no tpm= property)");
    }
    if (act == UV_PEF_LPAR_ENTER_SVM) {
        /* urfid to the kernel with MSR[S]=1, EE=0 (section 4 step 8) */
        trace_spapr_pef_enter_svm(CPU(cpu)->cpu_index, entry);
        env->msr = (env->msr | R_MSR_S_MASK) & ~(1ULL << MSR_EE);
        hreg_compute_hflags(env);
        env->nip = entry;
        tlb_flush(CPU(cpu));
    }
}

/* ---- "sc 1" from a Secure VM ---------------------------------------- */

static void spapr_pef_save(CPUPPCState *env, SpaprPefFrame *f)
{
    size_t i;

    memcpy(f->gpr, env->gpr, sizeof(f->gpr));
    f->nip = env->nip;
    f->lr = env->lr;
    f->ctr = env->ctr;
    f->xer = cpu_read_xer(env);
    f->ppr = env->spr[SPR_PPR];
    memcpy(f->crf, env->crf, sizeof(f->crf));
    for (i = 0; i < SPAPR_PEF_N_MASKED; i++) {
        f->spr[i] = env->spr[spapr_pef_masked_sprs[i]];
    }
    memcpy(f->vsr, env->vsr, sizeof(f->vsr));
    f->fpscr = env->fpscr;
    f->vscr = ppc_get_vscr(env);
}

/* What the hypervisor sees of the Secure VM (section 7) */
static void spapr_pef_scrub(CPUPPCState *env, int n_in)
{
    uint64_t r0, cookie;
    size_t i;

    qcrypto_random_bytes(&r0, sizeof(r0), &error_abort);
    qcrypto_random_bytes(&cookie, sizeof(cookie), &error_abort);
    uv_pef_hcall_scrub((uint64_t *)env->gpr, n_in, r0, cookie);
    env->lr = env->ctr = 0;
    cpu_write_xer(env, 0);
    memset(env->crf, 0, sizeof(env->crf));
    for (i = 0; i < SPAPR_PEF_N_MASKED; i++) {
        env->spr[spapr_pef_masked_sprs[i]] = 0;
    }
    env->spr[SPR_PPR] = SPAPR_PEF_HV_PPR;
    memset(env->vsr, 0, sizeof(env->vsr));
    env->fpscr = 0;
    ppc_store_vscr(env, 0);
}

static void spapr_pef_restore(CPUPPCState *env, const SpaprPefFrame *f,
                              int n_out)
{
    uint64_t hv[32];
    size_t i;

    memcpy(hv, env->gpr, sizeof(hv));
    memcpy(env->gpr, f->gpr, sizeof(f->gpr));
    uv_pef_hcall_merge((uint64_t *)env->gpr, hv, n_out);
    env->nip = f->nip;
    env->lr = f->lr;
    env->ctr = f->ctr;
    cpu_write_xer(env, f->xer);
    env->spr[SPR_PPR] = f->ppr;
    memcpy(env->crf, f->crf, sizeof(f->crf));
    for (i = 0; i < SPAPR_PEF_N_MASKED; i++) {
        env->spr[spapr_pef_masked_sprs[i]] = f->spr[i];
    }
    memcpy(env->vsr, f->vsr, sizeof(f->vsr));
    env->fpscr = f->fpscr;
    ppc_store_vscr(env, f->vscr);
}

/* The hypervisor's part, on the scrubbed registers */
static void spapr_pef_reflect(SpaprPef *s, PowerPCCPU *cpu, int n_in,
                              int n_out)
{
    CPUPPCState *env = &cpu->env;
    SpaprPefFrame *f = &s->frame;
    target_ulong msr = env->msr;

    spapr_pef_save(env, f);
    spapr_pef_scrub(env, n_in);
    env->nip = env->gpr[31];        /* the hypervisor sees the cookie */
    cpu->vhyp_class->hypercall(cpu->vhyp, cpu);
    spapr_pef_restore(env, f, n_out);
    if (f->gpr[3] == UV_PEF_H_CEDE) {
        /* H_CEDE returns with EE set, as QEMU's h_cede sets it */
        msr = env->msr;
    }
    /* Back to the Secure VM: MSR[S] stays set */
    env->msr = msr | R_MSR_S_MASK;
    hreg_compute_hflags(env);
}

static void spapr_pef_rtas(SpaprPef *s, PowerPCCPU *cpu)
{
    CPUPPCState *env = &cpu->env;
    uint64_t args = env->gpr[4], bounce, r3 = env->gpr[3];

    if (!uv_pef_lpar_rtas_prepare(s->core, args, &bounce)) {
        qemu_log_mask(LOG_GUEST_ERROR, "pef-guest: RTAS call with arguments "
                      "at 0x%" PRIx64 " dropped\n", args);
        return;
    }
    trace_spapr_pef_rtas(CPU(cpu)->cpu_index, args, bounce);
    env->gpr[4] = bounce;
    spapr_pef_reflect(s, cpu, 2, 0);
    env->gpr[4] = args;
    uv_pef_lpar_rtas_finish(s->core);
    /* The hypervisor's H_RTAS return code is not passed on */
    env->gpr[3] = r3;
}

static void spapr_pef_svm_hcall(void *opaque, PowerPCCPU *cpu)
{
    SpaprPef *s = opaque;
    CPUPPCState *env = &cpu->env;
    uint64_t hcall = env->gpr[3];
    int n_in, n_out;

    g_assert(bql_locked());
    trace_spapr_pef_hcall(CPU(cpu)->cpu_index, hcall);
    uv_pef_lpar_hcall_seen(s->core);
    if (hcall == UV_PEF_H_RTAS) {
        spapr_pef_rtas(s, cpu);
        return;
    }
    if (hcall == UV_PEF_H_RANDOM) {
        /* The ultravisor answers it itself, and does not implement it */
        env->gpr[3] = H_FUNCTION;
        return;
    }
    if (!uv_pef_hcall_regs(hcall, &n_in, &n_out) ||
        hcall == KVMPPC_H_ENTER_NESTED) {
        /*
         * [U] The ultravisor aborts on a hypercall it has no register
         * rule for; we refuse it.  Nested guests in a Secure VM: refused.
         */
        qemu_log_mask(LOG_GUEST_ERROR, "pef-guest: cpu %d: hypercall 0x%"
                      PRIx64 " from a Secure VM refused\n",
                      CPU(cpu)->cpu_index, hcall);
        env->gpr[3] = H_FUNCTION;
        return;
    }
    if (hcall == H_CONFER) {
        /*
         * [U] QEMU's h_confer may leave through cpu_loop_exit() (a yield):
         * a scrubbed frame would then never be restored.  It reads only
         * its arguments; it gets the guest's registers as they are.
         */
        cpu->vhyp_class->hypercall(cpu->vhyp, cpu);
        return;
    }
    spapr_pef_reflect(s, cpu, n_in, n_out);
}

/* ---- the CPUs ------------------------------------------------------- */

static SpaprPef *pef_guest_tcg_state_of_machine(void)
{
    MachineState *ms = MACHINE(qdev_get_machine());

    return ms->cgs ? pef_guest_tcg_state(ms->cgs) : NULL;
}

/* ---- the monitor ---------------------------------------------------- */

PefSvmInfo *qmp_query_pef_svm(Error **errp)
{
    SpaprPef *s = current_machine ? pef_guest_tcg_state_of_machine() : NULL;
    UvPefLparInfo info;
    PefSvmInfo *ret;

    if (!s) {
        error_setg(errp, "this machine has no Secure VM ultravisor (use a "
                   "pseries machine with a pef-guest as its "
                   "confidential-guest-support, under TCG)");
        return NULL;
    }
    g_assert(bql_locked());
    uv_pef_lpar_get_info(s->core, &info);
    ret = g_new0(PefSvmInfo, 1);
    ret->secure = info.secure;
    ret->last_esm = g_strdup(info.esm_status != UV_ESM_OK ?
                             uv_esm_status_str(info.esm_status) :
                             info.secure ? "success" : "none");
    ret->shared_pages = info.shared_pages;
    ret->has_rtas_bounce = info.rtas_bounce != 0;
    ret->rtas_bounce = info.rtas_bounce;
    ret->ucalls = info.ucalls;
    ret->hcalls = info.hcalls;
    ret->tpm = g_strdup(s->tpm.id);
    return ret;
}

void spapr_pef_cpu_realized(PowerPCCPU *cpu)
{
    SpaprPef *s = pef_guest_tcg_state_of_machine();

    if (s) {
        ppc_pef_cpu_enable(cpu, &s->ppc);
    }
}

void spapr_pef_cpu_reset(PowerPCCPU *cpu)
{
    CPUPPCState *env = &cpu->env;

    if (!spapr_pef_of_cpu(cpu)) {
        return;
    }
    /* The facility is on: "sc 2" reaches the ultravisor */
    env->spr[SPR_SMFCTRL] = SMFCTRL_E;
    env->spr[SPR_URMOR] = 0;
    env->spr[SPR_USRR0] = 0;
    env->spr[SPR_USRR1] = 0;
}

void spapr_pef_cpu_entry(PowerPCCPU *cpu)
{
    SpaprPef *s = spapr_pef_of_cpu(cpu);
    CPUPPCState *env = &cpu->env;

    if (!s || !uv_pef_lpar_secure(s->core)) {
        return;
    }
    /* Every thread of a Secure VM runs secure; start-cpu's r3 restored */
    env->gpr[3] = uv_pef_lpar_start_r3(s->core, env->gpr[3]);
    env->msr |= R_MSR_S_MASK;
    hreg_compute_hflags(env);
}

/* ---- set-up and reset ----------------------------------------------- */

/* Is any RAM under @mr shared with other processes (share=on)? */
static bool spapr_pef_ram_shared(MemoryRegion *mr)
{
    MemoryRegion *sub;

    if (mr->ram_block) {
        return qemu_ram_is_shared(mr->ram_block);
    }
    if (mr->alias) {
        return spapr_pef_ram_shared(mr->alias);
    }
    /* -numa node,memdev=...: a container of the backends */
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        if (spapr_pef_ram_shared(sub)) {
            return true;
        }
    }
    return false;
}

int spapr_pef_tcg_init(ConfidentialGuestSupport *cgs, const char *tpm_id,
                       SpaprPef **state, Error **errp)
{
    MachineState *ms = MACHINE(qdev_get_machine());
    SpaprPef *s;
    UvPefLparConfig cfg;

    if (!object_dynamic_cast(OBJECT(ms), TYPE_SPAPR_MACHINE)) {
        error_setg(errp, "pef-guest under TCG needs a pseries machine");
        return -1;
    }
    if (!g_str_has_prefix(ms->cpu_type, "power10") &&
        !g_str_equal(ms->cpu_type, POWERPC_CPU_TYPE_NAME("power9_v2.3"))) {
        error_setg(errp, "pef-guest needs a PEF-capable CPU (-cpu "
                   "power9_v2.3 or power10), not %.*s",
                   (int)(strlen(ms->cpu_type) -
                         strlen(POWERPC_CPU_TYPE_SUFFIX)), ms->cpu_type);
        return -1;
    }
    if (ms->maxram_size != ms->ram_size) {
        error_setg(errp, "pef-guest under TCG: memory hotplug (maxmem) is "
                   "not supported");
        return -1;
    }
    if (!ms->ram || ms->ram_size % UV_PEF_PAGE_SIZE) {
        error_setg(errp, "pef-guest: RAM must be a multiple of 64 KiB");
        return -1;
    }
    if (spapr_pef_ram_shared(ms->ram)) {
        error_setg(errp, "pef-guest: guest RAM is shared with other "
                   "processes (share=on), which could read the Secure VM");
        return -1;
    }

    s = g_new0(SpaprPef, 1);
    s->cgs = cgs;
    s->machine = ms;
    s->ram_size = ms->ram_size;
    if (!pef_tpm_init(&s->tpm, "pef-guest", tpm_id, errp)) {
        goto fail;
    }

    error_setg(&s->migration_blocker,
               "PEF Secure VMs under TCG (pef-guest) cannot be migrated");
    if (migrate_add_blocker(&s->migration_blocker, errp) < 0) {
        goto fail;
    }

    /* The ultravisor's view: guest RAM itself */
    memory_region_init(&s->ram_view, OBJECT(cgs), "pef-ram-view",
                       s->ram_size);
    memory_region_init_alias(&s->ram_alias, OBJECT(cgs), "pef-ram",
                             ms->ram, 0, s->ram_size);
    memory_region_add_subregion(&s->ram_view, 0, &s->ram_alias);
    address_space_init(&s->ram_as, &s->ram_view, "pef-ultravisor");
    /* What the hypervisor gets of a secure page */
    if (!memory_region_init_ram_nomigrate(&s->stand_in, OBJECT(cgs),
                                          "pef-secure-stand-in",
                                          UV_PEF_PAGE_SIZE, errp)) {
        goto fail;
    }
    qcrypto_random_bytes(memory_region_get_ram_ptr(&s->stand_in),
                         UV_PEF_PAGE_SIZE, &error_abort);
    address_space_init(&s->stand_in_as, &s->stand_in, "pef-stand-in");
    /* The hypervisor's: through the filter while the guest is secure */
    memory_region_init_iommu(&s->filter, sizeof(s->filter),
                             TYPE_SPAPR_PEF_FILTER, OBJECT(cgs),
                             "pef-secure-filter", s->ram_size);
    memory_region_set_enabled(MEMORY_REGION(&s->filter), false);
    memory_region_add_subregion_overlap(get_system_memory(), 0,
                                        MEMORY_REGION(&s->filter), 1);

    cfg = (UvPefLparConfig) {
        .ram_size = s->ram_size,
        .lpid = SPAPR_PEF_LPID,
    };
    s->core = uv_pef_lpar_new(&cfg, &spapr_pef_lpar_ops, s);

    s->ppc.secure_base = 0;
    s->ppc.secure_size = 0;
    s->ppc.ucall = spapr_pef_ucall;
    s->ppc.svm_hcall = spapr_pef_svm_hcall;
    s->ppc.secure_as = &s->ram_as;
    s->ppc.opaque = s;

    cgs->ready = true;
    *state = s;
    return 0;

fail:
    if (s->migration_blocker) {
        migrate_del_blocker(&s->migration_blocker);
    }
    pef_tpm_fini(&s->tpm);
    g_free(s);
    return -1;
}

void spapr_pef_tcg_reset(SpaprPef *s)
{
    if (!s) {
        return;
    }
    g_assert(bql_locked());
    uv_pef_lpar_reset(s->core);
    s->esm_reports = 0;
    spapr_pef_tpm_setup(s);
}

void spapr_pef_tcg_free(SpaprPef *s)
{
    if (!s) {
        return;
    }
    /* pef-guest lives as long as the machine: only for completeness */
    if (s->migration_blocker) {
        migrate_del_blocker(&s->migration_blocker);
    }
    uv_pef_lpar_free(s->core);
    pef_tpm_fini(&s->tpm);
    g_free(s);
}
