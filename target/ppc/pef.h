/*
 * POWER Protected Execution Facility (PEF) in TCG: the ultravisor
 * privilege state (MSR[S]), its SPRs, urfid, "sc 2", interrupt routing in
 * S=1 states and the secure-memory check at TLB fill.
 *
 * A machine that enables PEF (powernv with pef=on) fills one PPCPef and
 * calls ppc_pef_cpu_enable() for each of its CPUs after realize.  CPUs
 * without it (cpu->pef == NULL, the default) behave exactly as stock QEMU.
 *
 * Behaviour the sources leave open is decided in target/ppc/pef-tcg.c
 * and marked [U] there; the list is in docs/system/ppc/pef-tcg.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TARGET_PPC_PEF_H
#define TARGET_PPC_PEF_H

/* Ultravisor SPRs (pdbg sprs.h, the open-power ultravisor) */
#define SPR_UV_USPRG0   0x1F0
#define SPR_UV_USPRG1   0x1F1
#define SPR_UDAR        0x1F3
#define SPR_SEIDR       0x1F8
#define SPR_URMOR       0x1F9
#define SPR_USRR0       0x1FA
#define SPR_USRR1       0x1FB
#define SPR_UEIR        0x1FD
#define SPR_ACMCR       0x1FE
#define SPR_SMFCTRL     0x1FF

/* SMFCTRL[E] (bit 0): the facility is enabled, "sc 2" enters the UV */
#define SMFCTRL_E       PPC_BIT(0)

/* MMU index bit for MSR[S]=1 (ppc_env_mmu_index, ctx->mem_idx) */
#define PPC_MMU_IDX_S   8

/* SRR1 bits 42:43 carry the LEV of "sc" */
#define PPC_SRR1_SC_LEV_SHIFT 20

typedef struct PPCPef {
    /* Real addresses [secure_base, secure_base + secure_size) are secure */
    uint64_t secure_base;
    uint64_t secure_size;
    /*
     * Built-in ultravisor: "sc 2" (SMFCTRL[E]=1) and interrupts that
     * would enter ultravisor state go to these instead of URMOR + vector.
     * NULL in external mode (uv-firmware=FILE).
     */
    void (*ucall)(void *opaque, PowerPCCPU *cpu);
    void (*uv_interrupt)(void *opaque, PowerPCCPU *cpu, int excp);
    /* Optional: @cpu's core just cleared SMFCTRL[E] (firmware turned PEF off) */
    void (*facility_off)(void *opaque, PowerPCCPU *cpu);
    /*
     * pseries (QEMU is the hypervisor): "sc 1" with MSR[S]=1 goes to the
     * built-in ultravisor, which reflects it to the virtual hypervisor.
     */
    void (*svm_hcall)(void *opaque, PowerPCCPU *cpu);
    /*
     * pseries: the hypervisor's view of memory (the CPU's address space)
     * filters out secure pages.  Accesses with MSR[S]=1 then carry
     * MemTxAttrs.secure and page-table walks in S=1 read @secure_as.
     */
    AddressSpace *secure_as;
    void *opaque;
} PPCPef;

/* TLB fill: the attributes of an access with @mmu_idx */
static inline MemTxAttrs ppc_pef_tlb_attrs(PowerPCCPU *cpu, int mmu_idx)
{
    if (cpu->pef && cpu->pef->secure_as && (mmu_idx & PPC_MMU_IDX_S)) {
        return (MemTxAttrs) { .secure = 1 };
    }
    return MEMTXATTRS_UNSPECIFIED;
}

/* Radix walks: where the page tables of an access with @mmu_idx are read */
static inline AddressSpace *ppc_pef_walk_as(PowerPCCPU *cpu, int mmu_idx)
{
    if (cpu->pef && cpu->pef->secure_as && (mmu_idx & PPC_MMU_IDX_S)) {
        return cpu->pef->secure_as;
    }
    return CPU(cpu)->as;
}

/* SPR access generators (translate/pef-impl.c.inc) */
void spr_read_uv(DisasContext *ctx, int gprn, int sprn);
void spr_write_uv(DisasContext *ctx, int sprn, int gprn);
void spr_write_ptcr_pef(DisasContext *ctx, int sprn, int gprn);

/* Give @cpu the ultravisor state; called after realize. */
void ppc_pef_cpu_enable(PowerPCCPU *cpu, PPCPef *pef);

/* An ultravisor SPR (gdbstub: the host neither reads nor writes them) */
bool ppc_pef_uv_spr(PowerPCCPU *cpu, int sprn);

/* May the host (gdbstub) write @msr?  Not if that changes MSR[S]. */
static inline bool ppc_pef_gdb_msr_ok(CPUPPCState *env, target_ulong msr)
{
    /* without PEF the MSR mask drops MSR[S], as in stock QEMU */
    return !env_archcpu(env)->pef || !((msr ^ env->msr) & R_MSR_S_MASK);
}

static inline bool ppc_pef_is_secure(const PPCPef *pef, uint64_t ra)
{
    return ra - pef->secure_base < pef->secure_size;
}

/*
 * Page-table walks.  A walk for an access with MSR[S]=0 (hypervisor,
 * normal partitions) never reads secure memory: partition-scoped,
 * process-table and process-scoped entries (radix) and the hashed page
 * table (hash) that lie there make the walk fail as a non-secure data
 * access to secure memory does, with a machine check
 * (ppc_pef_walk_fault()).  Walks with MSR[S]=1 (ultravisor, Secure VMs)
 * may.  The partition table itself is located by PTCR, which only the
 * ultravisor writes while PEF is on, and is read as the ultravisor set it.
 * Checked once per table read, and only on CPUs with PEF.
 */
static inline bool ppc_pef_walk_ok(PowerPCCPU *cpu, int mmu_idx, hwaddr ra,
                                   uint64_t len)
{
    const PPCPef *pef = cpu->pef;

    if (likely(!pef) || (mmu_idx & PPC_MMU_IDX_S)) {
        return true;
    }
    /* [ra, ra + len) overlaps [secure_base, secure_base + secure_size)? */
    return ra >= pef->secure_base + pef->secure_size ||
           ra + len <= pef->secure_base || ra + len < ra;
}

/*
 * Radix: the fault_cause bit of a walk that ppc_pef_walk_ok() refused
 * (DSISR bit 63, which radix faults never set); the raise functions turn
 * it into ppc_pef_walk_fault().
 */
#define PPC_PEF_WALK_FAULT      0x00000001

/*
 * A refused walk of an access of @access_type at @eaddr: prepare the
 * machine check that ppc_cpu_tlb_fill() raises (exception_index and
 * error_code, DSISR, DAR).
 */
void ppc_pef_walk_fault(PowerPCCPU *cpu, MMUAccessType access_type,
                        vaddr eaddr);

/* HRMOR, or URMOR in ultravisor state (real-mode translation) */
static inline target_ulong ppc_hv_real_mode_offset(CPUPPCState *env,
                                                   int mmu_idx)
{
    return (mmu_idx & PPC_MMU_IDX_S) ? env->spr[SPR_URMOR]
                                     : env->spr[SPR_HRMOR];
}

/*
 * Hooks for excp_helper.c.  ppc_pef_syscall(): "sc" with LEV @lev; returns
 * true if the built-in ultravisor handled it (an "sc 2", or with svm_hcall
 * an "sc 1" from MSR[S]=1).  ppc_pef_excp_route(): an
 * interrupt is about to be delivered with @new_msr; keeps S, and returns
 * true if the built-in ultravisor took it.  *no_ail is set for interrupts
 * that enter ultravisor state (AIL does not apply there [U]).
 */
bool ppc_pef_syscall(PowerPCCPU *cpu, int lev, target_ulong *srr1,
                     target_ulong *new_msr);
bool ppc_pef_excp_route(PowerPCCPU *cpu, int excp, target_ulong *new_msr,
                        bool *no_ail);

/*
 * TLB fill: may the access with @mmu_idx reach real address @raddr?
 * If not, raises the architected failure (unless @probe) and returns false.
 */
bool ppc_pef_check_access(PowerPCCPU *cpu, vaddr eaddr, hwaddr raddr,
                          MMUAccessType access_type, int mmu_idx,
                          bool probe, uintptr_t retaddr);

/*
 * The instruction at @pc as the thread fetches it now (its translation,
 * its MSR[LE]), without raising anything: what the built-in ultravisor
 * emulates for a Secure VM's MMIO access.  false: no translation.
 */
bool ppc_pef_fetch_insn(PowerPCCPU *cpu, vaddr pc, uint32_t *insn);

#endif /* TARGET_PPC_PEF_H */
