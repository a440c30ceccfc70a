/*
 * qemu-ibm-cc: the ultravisor of an s390x machine under TCG, as its CPUs
 * see it.
 *
 * A machine with an emulated ultravisor (the s390-pv-guest object under
 * TCG, hw/s390x/se/) hands each of its CPUs an S390UvTcg; target code
 * calls it where a hardware ultravisor takes over from the CPU.  A CPU
 * without one (cpu->uv_tcg == NULL: every machine without that object,
 * and every KVM machine) behaves as stock QEMU.
 *
 * Every hook runs with the BQL held.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TARGET_S390X_UV_TCG_H
#define TARGET_S390X_UV_TCG_H

#include "cpu.h"

/*
 * Ultravisor Call control block: an 8-byte header {u16 len, u16 cmd,
 * u16 rc, u16 rrc} (Linux arch/s390/include/asm/uv.h, struct uv_cb_header),
 * and the most the ultravisor reads of a block.
 */
#define S390_UVC_HDR_SIZE       8
#define S390_UVC_CB_MAX_SIZE    0x1000

/* Guest real address -> absolute address, false if outside storage */
typedef bool (*S390UvRealToAbs)(S390CPU *cpu, uint64_t real, uint64_t *abs);

typedef struct S390UvTcg {
    /*
     * diag 0x308 with a PV subcode (8, 9, 10), after the checks common to
     * all subcodes: returns true if the ultravisor handled it, false to
     * let handle_diag_308() go on.
     */
    bool (*diag308)(void *opaque, S390CPU *cpu, uint64_t r1,
                    uint64_t subcode, uintptr_t ra);
    /* Load normal of @cpu: true if the ultravisor set its start PSW */
    bool (*load_normal)(void *opaque, S390CPU *cpu);
    /*
     * ULTRAVISOR CALL with control block @cb (@len bytes were read, at
     * least S390_UVC_HDR_SIZE); output is written into @cb; returns cc.
     */
    int (*uvc)(void *opaque, S390CPU *cpu, uint8_t *cb, size_t len,
               S390UvRealToAbs real_to_abs);
    /* May the host's debug paths see the absolute page holding @abs? */
    bool (*debug_access_ok)(void *opaque, uint64_t abs);
    /* True (and said why on stderr) if a dump must be refused */
    bool (*dump_denied)(void *opaque);
    /* A secure configuration exists: the guest's storage is secure */
    bool (*protected)(void *opaque);
    /*
     * The protected dump (target/s390x/arch_dump.c), the ultravisor calls
     * KVM's KVM_PV_DUMP ioctls make: DUMP_INIT, DUMP_CPU into
     * dump_cpu_len bytes, DUMP_CONF_STOR_STATE from the 1 MiB-aligned
     * @gaddr into @len bytes (dump_stor_state_len per MiB), DUMP_COMPLETE
     * into dump_compl_len bytes.  dump_page is the host's read of @len
     * bytes of guest memory at @gaddr while dumping: encrypted unless
     * shared.  False: failed (and reported).
     */
    bool (*dump_start)(void *opaque);
    bool (*dump_cpu)(void *opaque, S390CPU *cpu, void *buf);
    bool (*dump_stor_state)(void *opaque, uint64_t gaddr, uint64_t len,
                            void *buf);
    bool (*dump_complete)(void *opaque, void *buf);
    bool (*dump_page)(void *opaque, uint64_t gaddr, const void *in,
                      void *out, size_t len);
    uint64_t dump_cpu_len;
    uint64_t dump_stor_state_len;
    uint64_t dump_compl_len;
    void *opaque;
} S390UvTcg;

static inline bool s390_uv_tcg_diag308(S390CPU *cpu, uint64_t r1,
                                       uint64_t subcode, uintptr_t ra)
{
    S390UvTcg *uv = cpu->uv_tcg;

    return uv && uv->diag308(uv->opaque, cpu, r1, subcode, ra);
}

static inline bool s390_uv_tcg_load_normal(S390CPU *cpu)
{
    S390UvTcg *uv = cpu->uv_tcg;

    return uv && uv->load_normal(uv->opaque, cpu);
}

static inline bool s390_uv_tcg_debug_access_ok(S390CPU *cpu, uint64_t abs)
{
    S390UvTcg *uv = cpu->uv_tcg;

    return !uv || uv->debug_access_ok(uv->opaque, abs);
}

static inline bool s390_uv_tcg_protected(S390CPU *cpu)
{
    S390UvTcg *uv = cpu ? cpu->uv_tcg : NULL;

    return uv && uv->protected(uv->opaque);
}

static inline bool s390_uv_tcg_dump_denied(S390CPU *cpu)
{
    S390UvTcg *uv = cpu ? cpu->uv_tcg : NULL;

    return uv && uv->dump_denied(uv->opaque);
}

#endif /* TARGET_S390X_UV_TCG_H */
