/*
 * POWER Protected Execution Facility (PEF) in TCG: ultravisor privilege
 * state, ultravisor SPRs, urfid/"sc 2" semantics, interrupt routing with
 * MSR[S]=1 and the secure-memory check at TLB fill.
 *
 * Facts: docs/system/ppc/pef-tcg.rst, Linux
 * Documentation/arch/powerpc/ultravisor.rst and open-power/ultravisor
 * core/exceptions.c.
 * Choices the sources leave open are marked [U]; each is made in one place
 * in this file (or pef-impl.c.inc for decode).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "cpu.h"
#include "cpu-models.h"
#include "exec/exec-all.h"
#include "exec/cputlb.h"
#include "exec/helper-proto.h"
#include "internal.h"
#include "helper_regs.h"
#include "spr_common.h"
#include "pef.h"
#include "trace.h"

static const struct {
    int num;
    const char *name;
} ppc_pef_sprs[] = {
    { SPR_UV_USPRG0, "USPRG0" },
    { SPR_UV_USPRG1, "USPRG1" },
    { SPR_UDAR, "UDAR" },
    { SPR_SEIDR, "SEIDR" },
    { SPR_URMOR, "URMOR" },
    { SPR_USRR0, "USRR0" },
    { SPR_USRR1, "USRR1" },
    { SPR_UEIR, "UEIR" },
    { SPR_ACMCR, "ACMCR" },
    { SPR_SMFCTRL, "SMFCTRL" },
};

bool ppc_pef_uv_spr(PowerPCCPU *cpu, int sprn)
{
    int i;

    for (i = 0; cpu->pef && i < ARRAY_SIZE(ppc_pef_sprs); i++) {
        if (ppc_pef_sprs[i].num == sprn) {
            return true;
        }
    }
    return false;
}

void ppc_pef_cpu_enable(PowerPCCPU *cpu, PPCPef *pef)
{
    CPUPPCState *env = &cpu->env;
    int i;

    cpu->pef = pef;
    env->msr_mask |= R_MSR_S_MASK;
    for (i = 0; i < ARRAY_SIZE(ppc_pef_sprs); i++) {
        /* UV-only: every privilege level goes through the UV check */
        spr_register_hv(env, ppc_pef_sprs[i].num, ppc_pef_sprs[i].name,
                        &spr_read_uv, &spr_write_uv,
                        &spr_read_uv, &spr_write_uv,
                        &spr_read_uv, &spr_write_uv, 0);
    }
    /* The partition table is the ultravisor's: PTCR is UV-owned */
    env->spr_cb[SPR_PTCR].hea_write = &spr_write_ptcr_pef;
}

/*
 * [U] POWER9 URMOR adjustment.  On POWER9 the ultravisor writes URMOR =
 * its base - 0x7C800000 ("Nimbus URMOR adjustment", open-power/ultravisor
 * core/urmor.c) and then runs, and takes its interrupts, at its base; the
 * P9 stop API likewise stores a DD2.3 core's URMOR less a correction for
 * the self-restore code's mtspr to load (open-power/skiboot
 * libpore/p9_stop_api.C, "urmorFix", EC level 0x23).  The rule that fits
 * both: on the POWER9 (DD2.3) model, mtspr URMOR sets URMOR to the value
 * written plus 0x7C800000, and mfspr returns what URMOR then holds.  The
 * reset value (0) is not adjusted.  POWER10 takes the value as written.
 * This is the one place that decides it (docs/system/ppc/pef-tcg.rst).
 */
#define PPC_PEF_P9_URMOR_ADJUST 0x7C800000ULL

static target_ulong ppc_pef_urmor_written(CPUPPCState *env, target_ulong val)
{
    if ((env->spr[SPR_PVR] & CPU_POWERPC_POWER_SERVER_MASK) ==
        CPU_POWERPC_POWER9_BASE) {
        return val + PPC_PEF_P9_URMOR_ADJUST;
    }
    return val;
}

/* One thread's copy of a core register */
static void ppc_pef_core_spr_set(CPUState *cs, uint32_t sprn, target_ulong val)
{
    POWERPC_CPU(cs)->env.spr[sprn] = val;
    if (sprn == SPR_URMOR) {
        /* Real-mode translations in ultravisor state used the old value */
        tlb_flush(cs);
    }
}

void helper_pef_store_spr(CPUPPCState *env, uint32_t sprn, target_ulong val)
{
    CPUState *cs = env_cpu(env), *ccs;
    PowerPCCPU *cpu = env_archcpu(env);

    if (sprn == SPR_SMFCTRL && (env->spr[sprn] & SMFCTRL_E) &&
        !(val & SMFCTRL_E)) {
        trace_ppc_pef_facility_off(cs->cpu_index);
        if (cpu->pef->facility_off) {
            cpu->pef->facility_off(cpu->pef->opaque, cpu);
        }
    }

    switch (sprn) {
    case SPR_URMOR:
        val = ppc_pef_urmor_written(env, val);
        /* fall through */
    case SPR_SMFCTRL:
        /*
         * URMOR is a core register (open-power/skiboot
         * libpore/p9_stop_api.H) and "HW has smfctrl shared between
         * threads" (open-power/skiboot core/cpu.c): one write sets every
         * thread of the core.  The ultravisor writes URMOR on thread 0
         * only (open-power/ultravisor core/urmor.c).
         */
        if (ppc_cpu_core_single_threaded(cs)) {
            ppc_pef_core_spr_set(cs, sprn, val);
        } else {
            THREAD_SIBLING_FOREACH(cs, ccs) {
                ppc_pef_core_spr_set(ccs, sprn, val);
            }
        }
        break;
    default:
        env->spr[sprn] = val;
        break;
    }
}

/*
 * PTCR from hypervisor state: while the facility is enabled
 * (SMFCTRL[E]=1) the partition table is the ultravisor's and the write
 * takes a Hypervisor Emulation Assistance interrupt (see
 * gen_pef_uv_denied()); firmware that turned PEF off (E=0, as skiboot's
 * cpu_disable_pef() does) gives it back to the hypervisor.
 */
void helper_pef_store_ptcr(CPUPPCState *env, target_ulong val)
{
    if (env->spr[SPR_SMFCTRL] & SMFCTRL_E) {
        raise_exception_err_ra(env, POWERPC_EXCP_HV_EMU,
                               POWERPC_EXCP_PRIV_REG, GETPC());
    }
    helper_store_ptcr(env, val);
}

static bool ppc_pef_uv_state(target_ulong msr)
{
    return (msr & R_MSR_S_MASK) && (msr & MSR_HVB) && !(msr & R_MSR_PR_MASK);
}

bool ppc_pef_syscall(PowerPCCPU *cpu, int lev, target_ulong *srr1,
                     target_ulong *new_msr)
{
    CPUPPCState *env = &cpu->env;

    /* PEF-capable CPUs report LEV in SRR1[42:43] (as ISA 3.1 does) */
    *srr1 |= (target_ulong)(lev & 3) << PPC_SRR1_SC_LEV_SHIFT;
    if (lev == 1 && (env->msr & R_MSR_S_MASK) && cpu->pef->svm_hcall) {
        /* A Secure VM's hypercall goes through the ultravisor */
        cpu->pef->svm_hcall(cpu->pef->opaque, cpu);
        return true;
    }
    if (lev != 2) {
        return false;
    }
    if (!(env->spr[SPR_SMFCTRL] & SMFCTRL_E)) {
        /* Facility disabled: the call goes to the hypervisor */
        *new_msr |= MSR_HVB;
        return false;
    }
    if (cpu->pef->ucall) {
        /* Built-in ultravisor: the C code plays the UV's sc 2 handler */
        cpu->pef->ucall(cpu->pef->opaque, cpu);
        return true;
    }
    /* External ultravisor: vector 0xC00 in ultravisor state */
    *new_msr |= MSR_HVB | R_MSR_S_MASK;
    return false;
}

bool ppc_pef_excp_route(PowerPCCPU *cpu, int excp, target_ulong *new_msr,
                        bool *no_ail)
{
    CPUPPCState *env = &cpu->env;

    if (env->msr & R_MSR_S_MASK) {
        /* Interrupts never clear S: supervisor ones stay in the SVM */
        *new_msr |= R_MSR_S_MASK;
    }
    if (!ppc_pef_uv_state(*new_msr)) {
        return false;
    }
    trace_ppc_pef_interrupt(CPU(cpu)->cpu_index, excp, env->nip, env->msr);
    /*
     * [U] The ultravisor's vectors are big-endian only (open-power/
     * ultravisor reads HID0[HILE] only to reflect interrupts to the
     * hypervisor, include/svm_host.h); HILE is the hypervisor's setting
     * and does not apply to ultravisor state.
     */
    *new_msr &= ~((target_ulong)1 << MSR_LE);
    if (cpu->pef->uv_interrupt) {
        cpu->pef->uv_interrupt(cpu->pef->opaque, cpu, excp);
        return true;
    }
    /* [U] AIL/HAIL are not applied in ultravisor state */
    *no_ail = true;
    return false;
}

bool ppc_pef_check_access(PowerPCCPU *cpu, vaddr eaddr, hwaddr raddr,
                          MMUAccessType access_type, int mmu_idx,
                          bool probe, uintptr_t retaddr)
{
    CPUPPCState *env = &cpu->env;

    if ((mmu_idx & PPC_MMU_IDX_S) || !ppc_pef_is_secure(cpu->pef, raddr)) {
        return true;
    }
    if (probe) {
        return false;
    }
    trace_ppc_pef_secure_violation(CPU(cpu)->cpu_index, access_type, eaddr,
                                   raddr, env->msr);
    qemu_log_mask(LOG_GUEST_ERROR, "PEF: cpu %d: non-secure access (type %d) "
                  "to secure memory: EA 0x%" VADDR_PRIx " RA 0x%" HWADDR_PRIx
                  " MSR 0x%016" PRIx64 "\n", CPU(cpu)->cpu_index,
                  access_type, eaddr, raddr, (uint64_t)env->msr);
    /*
     * [U] A non-secure access to secure memory: the sources disagree
     * between HEAI, machine check and checkstop.  We take the machine
     * check (skiboot commit 37a369bbc: the kernel "will take a machine
     * check") that QEMU raises for any failed memory transaction on
     * POWER8-10, with its SRR1/DSISR/DAR codes, which Linux decodes.
     * With MSR[ME]=0 it becomes a checkstop as for every machine check.
     */
    ppc_cpu_do_transaction_failed(CPU(cpu), raddr, eaddr, 0, access_type,
                                  mmu_idx, MEMTXATTRS_UNSPECIFIED,
                                  MEMTX_DECODE_ERROR, retaddr);
    /* Only POWER9/10 CPUs have PEF, and for them that call does not return */
    g_assert_not_reached();
}

void ppc_pef_walk_fault(PowerPCCPU *cpu, MMUAccessType access_type,
                        vaddr eaddr)
{
    CPUState *cs = CPU(cpu);
    CPUPPCState *env = &cpu->env;

    trace_ppc_pef_walk_violation(cs->cpu_index, access_type, eaddr,
                                 env->msr);
    qemu_log_mask(LOG_GUEST_ERROR, "PEF: cpu %d: the page-table walk of a "
                  "non-secure access (type %d, EA 0x%" VADDR_PRIx ") would "
                  "read secure memory\n", cs->cpu_index, access_type, eaddr);
    /*
     * [U] As for a non-secure access there (ppc_pef_check_access()): a
     * machine check, here with the POWER9 codes for a real-address error
     * during a table walk, which Linux decodes (arch/powerpc/kernel/
     * mce_power.c): SRR1[36,43] for an instruction fetch, or SRR1[42]
     * with DSISR[58] for a load or store.
     */
    if (access_type == MMU_INST_FETCH) {
        env->error_code = PPC_BIT(36) | PPC_BIT(43);
    } else {
        env->spr[SPR_DAR] = eaddr;
        env->spr[SPR_DSISR] = PPC_BIT(58);
        env->error_code = PPC_BIT(42);
    }
    cs->exception_index = POWERPC_EXCP_MCHECK;
}

bool ppc_pef_fetch_insn(PowerPCCPU *cpu, vaddr pc, uint32_t *insn)
{
    CPUPPCState *env = &cpu->env;
    hwaddr raddr;
    int psize, prot;
    uint32_t v;

    if (!ppc_xlate(cpu, pc, MMU_INST_FETCH, &raddr, &psize, &prot,
                   ppc_env_mmu_index(env, true), false) ||
        address_space_read(CPU(cpu)->as, raddr, MEMTXATTRS_UNSPECIFIED, &v,
                           sizeof(v)) != MEMTX_OK) {
        return false;
    }
    *insn = (env->msr & ((target_ulong)1 << MSR_LE)) ? le32_to_cpu(v)
                                                     : be32_to_cpu(v);
    return true;
}
