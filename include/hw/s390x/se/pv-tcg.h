/*
 * qemu-ibm-cc: hooks of the emulated IBM Z ultravisor (Secure Execution
 * under TCG) into the s390x machine, CPU and device code.
 *
 * Included by target/s390x/kvm/pv.h.  Without KVM the functions are
 * implemented in hw/s390x/se/; with KVM the hardware ultravisor is used
 * and every hook is an inline that keeps upstream behaviour.  Without an
 * s390-pv-guest object the implementations also keep upstream behaviour.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_PV_TCG_H
#define HW_S390X_SE_PV_TCG_H

#include "cpu.h"
#include "exec/address-spaces.h"
#include "hw/s390x/se/uv-core.h"

#ifndef CONFIG_KVM

/*
 * diag 0x308 while an emulated ultravisor is configured: handles what the
 * ultravisor owns (subcodes 8-10) and returns true when it did, false to
 * let handle_diag_308() go on.
 */
bool s390_pv_tcg_diag308(CPUS390XState *env, uint64_t r1, uint64_t r3,
                         uintptr_t ra);

/* Load-normal of @cpu: true if the ultravisor set the start PSW. */
bool s390_pv_tcg_load_normal(S390CPU *cpu);

/* Guest UVC: run the control block @cb (@avail bytes), return the cc. */
int s390_pv_tcg_uvc(uint8_t *cb, size_t avail, const SeUvGuestOps *ops);

/* May the host's debug paths see the absolute page holding @abs? */
bool s390_pv_debug_access_ok(uint64_t abs);

/* True (and reported) if dump-guest-memory must be refused. */
bool s390_pv_dump_denied(void);

/*
 * Address space for device (channel subsystem, virtio) accesses to guest
 * absolute storage: refuses secure pages while a guest is protected.
 */
AddressSpace *s390_pv_io_as(void);

/* VirtioBusClass::get_dma_as of virtio-ccw. */
AddressSpace *s390_pv_virtio_dma_as(DeviceState *d);

#else /* CONFIG_KVM */

static inline bool s390_pv_tcg_diag308(CPUS390XState *env, uint64_t r1,
                                       uint64_t r3, uintptr_t ra)
{
    return false;
}

static inline bool s390_pv_tcg_load_normal(S390CPU *cpu)
{
    return false;
}

static inline int s390_pv_tcg_uvc(uint8_t *cb, size_t avail,
                                  const SeUvGuestOps *ops)
{
    return UVC_CC_ERROR;
}

static inline bool s390_pv_debug_access_ok(uint64_t abs)
{
    return true;
}

static inline bool s390_pv_dump_denied(void)
{
    return false;
}

static inline AddressSpace *s390_pv_io_as(void)
{
    return &address_space_memory;
}

static inline AddressSpace *s390_pv_virtio_dma_as(DeviceState *d)
{
    return &address_space_memory;
}

#endif /* CONFIG_KVM */

#endif
