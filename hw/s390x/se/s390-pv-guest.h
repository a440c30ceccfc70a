/*
 * qemu-ibm-cc: the s390-pv-guest object under TCG, shared by the files of
 * hw/s390x/se/ that glue the emulated ultravisor (uv-core.c) into QEMU:
 *
 *   s390-pv-guest.c    the QOM object, host keys, set-up
 *   pv-boot.c          protected boot (the s390_pv_* functions the machine
 *                      calls where KVM issues its KVM_PV_* ioctls), diag
 *                      0x308, the start PSW, guest UVCs
 *   pv-host-access.c   what the host side (devices, debugger, dumps) may
 *                      see of guest storage
 *   pv-dump.c          the protected dump (dump-guest-memory)
 *
 * Locking: the ultravisor's state is the machine's and is guarded by the
 * BQL.  Every entry point runs with it held and asserts it: the machine's
 * reset and protect paths, and the CPU hooks (diag 0x308 and UVC helpers
 * take it, as s390x's other instruction helpers do).  The one exception
 * is device DMA (s390_pv_iommu_translate), which may run in an iothread:
 * it only calls se_uv_host_access_ok(), which reads state the core
 * publishes with atomic stores (hw/s390x/se/uv-core.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_S390_PV_GUEST_H
#define HW_S390X_SE_S390_PV_GUEST_H

#include "exec/memory.h"
#include "qom/object.h"
#include "system/confidential-guest-support.h"
#include "hw/s390x/s390-virtio-ccw.h"
#include "hw/s390x/se/uv-core.h"
#include "target/s390x/uv-tcg.h"

#define TYPE_S390_PV_GUEST "s390-pv-guest"
OBJECT_DECLARE_SIMPLE_TYPE(S390PvTcgGuest, S390_PV_GUEST)

#define TYPE_S390_PV_IOMMU_MEMORY_REGION "s390-pv-iommu-memory-region"

/* A range of guest absolute storage [start, end) */
typedef struct S390PvRange {
    uint64_t start;
    uint64_t end;
} S390PvRange;

/* Why the last attempt to enter protected mode failed */
typedef struct S390PvFailure {
    bool failed;
    bool reported;              /* already printed (error_report) */
    uint16_t cmd;               /* S390_PV_CMD_* of the failed step */
    uint16_t rc;
    uint16_t rrc;
    char *what;                 /* the failed check, for humans */
} S390PvFailure;

struct S390PvTcgGuest {
    ConfidentialGuestSupport parent_obj;

    /* properties */
    char *host_key;
    char *backup_host_key;
    bool allow_shared_ram;

    /* Set up by s390_pv_tcg_init() for its machine; NULL before */
    S390CcwMachineState *machine;
    SeUv *uv;
    unsigned max_cpus;
    /* what the machine hands its CPUs */
    S390UvTcg cpu_hooks;

    /* the secure configuration, its CPUs (by cpu_index) */
    uint64_t conf;
    uint64_t *cpu_handles;

    /* VERIFY_IMG succeeded: the next load-normal starts the image */
    bool start_pending;
    /* pages unpacked (so holding plaintext) since the last enable */
    GArray *unpacked;
    /* R1 of the diag 0x308 subcode 10 that asked for protection */
    uint64_t diag308_r1;
    S390PvFailure fail;

    /* device-only view of guest storage, see pv-host-access.c */
    IOMMUMemoryRegion iommu;
    MemoryRegion dma_root;
    AddressSpace dma_as;
};

/* The s390-pv-guest set up for @ms under TCG, or NULL. */
S390PvTcgGuest *s390_pv_tcg_guest_of(MachineState *ms);

/* pv-boot.c: the CPU hooks of diag 0x308, load normal and UVC */
bool s390_pv_tcg_diag308(void *opaque, S390CPU *cpu, uint64_t r1,
                         uint64_t subcode, uintptr_t ra);
bool s390_pv_tcg_load_normal(void *opaque, S390CPU *cpu);
int s390_pv_tcg_uvc(void *opaque, S390CPU *cpu, uint8_t *cb, size_t len,
                    S390UvRealToAbs real_to_abs);

/* pv-host-access.c */
void s390_pv_tcg_access_init(S390PvTcgGuest *pv);
bool s390_pv_tcg_debug_range_ok(ConfidentialGuestSupport *cgs, uint64_t addr,
                                uint64_t len);
bool s390_pv_tcg_debug_access_ok(void *opaque, uint64_t abs);
bool s390_pv_tcg_dump_ok(ConfidentialGuestSupport *cgs, Error **errp);
bool s390_pv_tcg_dump_denied(void *opaque);

/* pv-dump.c: the CPU hooks of the protected dump */
bool s390_pv_tcg_protected(void *opaque);
bool s390_pv_tcg_dump_start(void *opaque);
bool s390_pv_tcg_dump_cpu(void *opaque, S390CPU *cpu, void *buf);
bool s390_pv_tcg_dump_stor_state(void *opaque, uint64_t gaddr, uint64_t len,
                                 void *buf);
bool s390_pv_tcg_dump_complete(void *opaque, void *buf);
bool s390_pv_tcg_dump_page(void *opaque, uint64_t gaddr, const void *in,
                           void *out, size_t len);

#endif
