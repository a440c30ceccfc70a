/*
 * qemu-ibm-cc: the Ultravisor Call instruction (UVC, B9A4, RRF format)
 * under TCG.  The control block is executed by the machine's emulated
 * ultravisor through the CPU's S390UvTcg (target/s390x/uv-tcg.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "cpu.h"
#include "s390x-internal.h"
#include "tcg_s390x.h"
#include "exec/helper-proto.h"
#include "accel/tcg/getpc.h"
#include "uv-tcg.h"

/* Guest real -> absolute (prefixing), refused outside guest storage */
static bool uvc_real_to_abs(S390CPU *cpu, uint64_t real, uint64_t *abs)
{
    uint64_t a = mmu_real2abs(&cpu->env, real);

    if (!mmu_absolute_addr_valid(a, false)) {
        return false;
    }
    *abs = a;
    return true;
}

/*
 * UVC R1,R2: R2 holds the logical address of the control block, whose
 * header is {u16 len, u16 cmd, u16 rc, u16 rrc}; the ultravisor stores
 * rc/rrc and output fields into it and the condition code says how it
 * went.  R1 is not used by any call implemented here.
 */
uint32_t HELPER(uvc)(CPUS390XState *env, uint32_t r1, uint32_t r2)
{
    const uintptr_t ra = GETPC();
    S390CPU *cpu = env_archcpu(env);
    S390UvTcg *uv = cpu->uv_tcg;
    uint8_t cb[S390_UVC_CB_MAX_SIZE];
    uint64_t addr;
    size_t len;
    int cc;

    /* Checked here, not in the translator, to keep this order */
    if (!s390_has_feat(S390_FEAT_UV_CALL) || !uv) {
        tcg_s390_program_interrupt(env, PGM_OPERATION, ra);
    }
    if (env->psw.mask & PSW_MASK_PSTATE) {
        tcg_s390_program_interrupt(env, PGM_PRIVILEGED, ra);
    }
    addr = wrap_address(env, env->regs[r2]);
    if (addr & 7) {
        tcg_s390_program_interrupt(env, PGM_SPECIFICATION, ra);
    }
    if (s390_cpu_virt_mem_read(cpu, addr, r2, cb, S390_UVC_HDR_SIZE)) {
        s390_cpu_virt_mem_handle_exc(cpu, ra);
    }
    /* the header is always read; longer blocks are read up to the limit */
    len = MIN(MAX(lduw_be_p(cb), S390_UVC_HDR_SIZE), S390_UVC_CB_MAX_SIZE);
    if (s390_cpu_virt_mem_read(cpu, addr, r2, cb, len)) {
        s390_cpu_virt_mem_handle_exc(cpu, ra);
    }

    bql_lock();
    cc = uv->uvc(uv->opaque, cpu, cb, len, uvc_real_to_abs);
    bql_unlock();

    if (s390_cpu_virt_mem_write(cpu, addr, r2, cb, len)) {
        s390_cpu_virt_mem_handle_exc(cpu, ra);
    }
    return cc;
}
