/*
 * qemu-ibm-cc: keep the host side of QEMU away from the secure storage of
 * a protected guest under TCG.
 *
 * The TCG CPU and its helpers (lowcore, SCLP, diag, I/O instructions)
 * act for the guest and may touch its secure pages.  Everything else must
 * not see them:
 *  - devices (virtio rings and buffers, channel programs, indicators) use
 *    a device-only address space whose IOMMU region refuses every page the
 *    guest has not shared (the channel subsystem's css_io_as(), which
 *    virtio-ccw's DMA uses too);
 *  - the debug paths (gdbstub, monitor, QMP memsave/pmemsave) are refused
 *    secure pages (the CPUs' debug_access_ok hook, target/s390x/uv-tcg.h,
 *    and the debug_access_ok hook of ConfidentialGuestSupportClass);
 *  - dump-guest-memory is refused while the guest is protected.
 * Migration is blocked by s390_machine_protect() for every accelerator.
 * Locking: see s390-pv-guest.h; the IOMMU translation may run in any
 * thread and takes no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/uv-core.h"
#include "s390-pv-guest.h"
#include "trace.h"

/*
 * One 4 KiB page per translation, so that sharing and unsharing take
 * effect at once: accesses through an IOMMU region are translated every
 * time (address_space_cache_init() keeps no direct pointer for them).
 */
static IOMMUTLBEntry s390_pv_iommu_translate(IOMMUMemoryRegion *iommu,
                                             hwaddr addr,
                                             IOMMUAccessFlags flag,
                                             int iommu_idx)
{
    S390PvTcgGuest *pv = container_of(iommu, S390PvTcgGuest, iommu);
    hwaddr page = addr & ~(hwaddr)(SE_UV_PAGE_SIZE - 1);
    IOMMUTLBEntry entry = {
        .target_as = &address_space_memory,
        .iova = page,
        .translated_addr = page,
        .addr_mask = SE_UV_PAGE_SIZE - 1,
        .perm = IOMMU_RW,
    };

    if (!se_uv_host_access_ok(pv->uv, page)) {
        /* an unassigned access: reads give 0, writes are dropped */
        entry.perm = IOMMU_NONE;
        trace_s390_pv_dma_denied(page, flag);
    }
    return entry;
}

void s390_pv_tcg_access_init(S390PvTcgGuest *pv)
{
    memory_region_init(&pv->dma_root, OBJECT(pv), "s390-pv-dma-root",
                       UINT64_MAX);
    memory_region_init_iommu(&pv->iommu, sizeof(pv->iommu),
                             TYPE_S390_PV_IOMMU_MEMORY_REGION, OBJECT(pv),
                             "s390-pv-dma", UINT64_MAX);
    memory_region_add_subregion(&pv->dma_root, 0, MEMORY_REGION(&pv->iommu));
    address_space_init(&pv->dma_as, &pv->dma_root, "s390-pv-dma");
}

/* The CPUs' debug translation (target/s390x/uv-tcg.h) */
bool s390_pv_tcg_debug_access_ok(void *opaque, uint64_t abs)
{
    S390PvTcgGuest *pv = opaque;

    g_assert(bql_locked());
    if (se_uv_host_access_ok(pv->uv, abs)) {
        return true;
    }
    trace_s390_pv_debug_denied(abs, 1);
    return false;
}

/* ConfidentialGuestSupportClass::debug_access_ok: physical debug reads */
bool s390_pv_tcg_debug_range_ok(ConfidentialGuestSupport *cgs, uint64_t addr,
                                uint64_t len)
{
    S390PvTcgGuest *pv = S390_PV_GUEST(cgs);
    uint64_t page = addr & ~(uint64_t)(SE_UV_PAGE_SIZE - 1);
    uint64_t last = addr + len - 1;

    if (!len || !pv->machine) {
        return true;
    }
    g_assert(bql_locked());
    if (last < addr) {
        last = UINT64_MAX;
    }
    for (;;) {
        if (!se_uv_host_access_ok(pv->uv, page)) {
            trace_s390_pv_debug_denied(addr, len);
            return false;
        }
        if (last - page < SE_UV_PAGE_SIZE) {
            return true;
        }
        page += SE_UV_PAGE_SIZE;
    }
}

/*
 * A dump writes guest storage from the host's mapping of it.  Real
 * hardware dumps a protected guest only if its SE header allows it (PCF
 * bit 34) and no added secret disabled dumping, and then only encrypted,
 * through the dump UVCs (pv-dump.c).  Otherwise: refuse, and say why.
 */
static bool s390_pv_tcg_dump_refused(S390PvTcgGuest *pv, Error **errp)
{
    const char *why;

    g_assert(bql_locked());
    if (!pv->machine || !se_uv_protected(pv->uv) ||
        se_uv_dump_allowed(pv->uv, &why)) {
        return false;
    }
    trace_s390_pv_dump_denied(se_uv_pcf(pv->uv));
    error_setg(errp, "s390-pv-guest: the guest is protected: %s", why);
    return true;
}

/* QMP dump-guest-memory asks first (ConfidentialGuestSupportClass) */
bool s390_pv_tcg_dump_ok(ConfidentialGuestSupport *cgs, Error **errp)
{
    return !s390_pv_tcg_dump_refused(S390_PV_GUEST(cgs), errp);
}

/* The CPU's hook: any other dump path, through cpu_get_dump_info() */
bool s390_pv_tcg_dump_denied(void *opaque)
{
    Error *err = NULL;

    if (s390_pv_tcg_dump_refused(opaque, &err)) {
        error_report_err(err);
        return true;
    }
    return false;
}

static void s390_pv_iommu_class_init(ObjectClass *klass, void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = s390_pv_iommu_translate;
}

static const TypeInfo s390_pv_iommu_info = {
    .parent = TYPE_IOMMU_MEMORY_REGION,
    .name = TYPE_S390_PV_IOMMU_MEMORY_REGION,
    .class_init = s390_pv_iommu_class_init,
};

static void s390_pv_access_register_types(void)
{
    type_register_static(&s390_pv_iommu_info);
}

type_init(s390_pv_access_register_types)
