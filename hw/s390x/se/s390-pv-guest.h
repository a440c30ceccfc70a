/*
 * qemu-ibm-cc: state of the s390-pv-guest object under TCG, shared by the
 * files of hw/s390x/se/ that glue the emulated ultravisor into QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_S390_PV_TCG_H
#define HW_S390X_SE_S390_PV_TCG_H

#include "exec/memory.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "system/confidential-guest-support.h"
#include "hw/s390x/se/uv-core.h"

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

    /*
     * Guards @uv.  Taken with or without the BQL (device DMA may come
     * from an iothread); never take the BQL while holding it.
     */
    QemuMutex lock;
    SeUv *uv;
    unsigned max_cpus;

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

    /* device-only view of guest storage, see pv-tcg-access.c */
    IOMMUMemoryRegion iommu;
    MemoryRegion dma_root;
    AddressSpace dma_as;
};

/* The machine's s390-pv-guest once it is set up, else NULL. */
S390PvTcgGuest *s390_pv_tcg_guest(void);

/* pv-tcg-access.c */
void s390_pv_tcg_access_init(S390PvTcgGuest *pv);
bool s390_pv_tcg_debug_range_ok(ConfidentialGuestSupport *cgs, uint64_t addr,
                                uint64_t len);

#endif
