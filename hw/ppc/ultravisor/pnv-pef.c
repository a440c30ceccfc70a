/*
 * PowerNV Protected Execution Facility (pef=on) under TCG: the machine
 * side of the emulated ultravisor.
 *
 * - Secure memory: a RAM region at real address PNV_PEF_SECURE_BASE that
 *   only the CPUs see.  It lives in a CPU-only address-space root (system
 *   memory aliased, plus the secure RAM), so device DMA (PHBs), QMP/HMP
 *   physical dumps and dump-guest-memory, which all use system memory,
 *   never reach it; the CPUs' own non-secure accesses are refused at TLB
 *   fill (target/ppc/pef-tcg.c).
 * - Built-in mode (default): "sc 2" goes to the ultravisor core
 *   (hw/ppc/ultravisor/uv-pef.c), which is already running when the
 *   firmware starts (hypervisor state).
 * - External mode (uv-firmware=FILE): as on a PEF machine after hostboot,
 *   FILE (an ultravisor image such as open-power/ultravisor's ultra.lid)
 *   is in secure memory and every thread starts the -bios firmware at its
 *   entry in ultravisor state; the firmware starts the ultravisor (the
 *   ultravisor-capable skiboot's init_uv/start_ultravisor), which
 *   returns to it with urfid.  Nothing is handled in C.
 * Both describe the ultravisor and secure memory in the device tree as the
 * ultravisor-capable skiboot and Linux read them (pnv_pef_dt_populate()).
 * - No ultravisor (ultravisor=none): the threads start the firmware in
 *   ultravisor state as in external mode, but the machine describes no
 *   ultravisor and no secure memory: a PEF machine brought up without one,
 *   for firmware that turns PEF off (upstream skiboot's cpu_disable_pef(),
 *   written for machines brought up "with PEF on" but no ultravisor,
 *   skiboot commit 37a369bbc).
 *
 * The state is a PnvPef object, a child of the machine (see
 * include/hw/ppc/pnv-pef.h, also for the locking rule).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qapi/qapi-commands-ppc-pef-target.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/cputlb.h"
#include "exec/cpu-common.h"
#include "migration/blocker.h"
#include "hw/boards.h"
#include "system/confidential-guest-support.h"
#include "hw/ppc/pnv.h"
#include "hw/ppc/pnv_chip.h"
#include "hw/ppc/pnv-pef.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "hw/ppc/ultravisor/pef-tpm-glue.h"
#include "target/ppc/cpu.h"
#include "target/ppc/pef.h"
#include "target/ppc/internal.h"
#include "target/ppc/helper_regs.h"
#include "system/device_tree.h"
#include "system/reset.h"
#include "hw/ppc/fdt.h"
#include "libfdt.h"
#include "qemu-version.h"
#include "trace.h"

/* Largest external ultravisor image we load (the UV's text + data) */
#define PNV_PEF_FW_MAX          (16 * MiB)

/*
 * The layout an ultravisor image needs in secure memory: the
 * ultravisor-capable skiboot puts the ultravisor's device tree 128 MiB
 * below the top of the first secure range (qemu/skiboot, branch
 * ultravisor, hw/ultravisor.c init_uv()), and open-power/ultravisor
 * occupies 4 MiB text and bss, a 12 MiB heap and 64 KiB of storage from
 * its base (include/mem-map.h).
 */
#define PNV_PEF_UV_FDT_GAP      (128 * MiB)
#define PNV_PEF_UV_LAYOUT       (16 * MiB + 64 * KiB)

/* [U] SMFCTRL at boot: E=1; bit 62 as in Mambo's PEF-on value */
#define PNV_PEF_SMFCTRL_RESET   0x8000000000000002ULL

struct PnvPef {
    ConfidentialGuestSupport parent_obj;

    /* the machine's properties */
    bool enabled;
    uint64_t secure_size;
    bool secure_size_set;
    char *uv_firmware;
    PefUvMode mode;             /* resolved by pnv_pef_machine_init() */
    bool mode_set;

    /* set up by pnv_pef_machine_init() with pef=on */
    PnvMachineState *machine;
    PPCPef ppc;
    MemoryRegion cpu_root;
    MemoryRegion sys_alias;
    MemoryRegion secure_ram;
    AddressSpace uv_as;
    UvPef *core;
    uint64_t memcons_ra;
    char *fw_data;
    gsize fw_size;
    bool warned_off;
    bool facility_disabled;     /* SMFCTRL[E] cleared since the reset */
    Error *migration_blocker;
    /* the TPM Enter Secure Mode unwraps keys with (uv-tpm=ID) */
    char *uv_tpm;
    PefTpm tpm;
    UvPefTpmKey key;
    const char *esm_reported;
    unsigned esm_reports;
};

/* The machine's PEF state once pnv_pef_machine_init() set it up, or NULL */
static PnvPef *pnv_pef_active(PnvMachineState *pnv)
{
    return pnv->pef && pnv->pef->machine ? pnv->pef : NULL;
}

/*
 * ConfidentialGuestSupportClass::debug_access_ok: the monitor's and the
 * gdbstub's physical-memory paths never reach secure memory.
 */
static bool pnv_pef_debug_access_ok(ConfidentialGuestSupport *cgs,
                                    uint64_t addr, uint64_t len)
{
    PnvPef *pef = PNV_PEF(cgs);
    uint64_t base = PNV_PEF_SECURE_BASE;
    uint64_t end = addr + len;

    if (!pef->machine || !len) {
        return true;
    }
    if (end < addr) {
        end = UINT64_MAX;       /* the range wraps: it reaches the top */
    }
    /* Refuse any overlap with secure memory */
    return end <= base || addr >= base + pef->secure_size;
}

static void pnv_pef_init(Object *obj)
{
    PNV_PEF(obj)->secure_size = PNV_PEF_DEFAULT_SECURE_SIZE;
}

static void pnv_pef_finalize(Object *obj)
{
    PnvPef *pef = PNV_PEF(obj);

    if (pef->migration_blocker) {
        migrate_del_blocker(&pef->migration_blocker);
    }
    uv_pef_free(pef->core);
    if (pef->machine) {
        address_space_destroy(&pef->uv_as);
    }
    g_free(pef->fw_data);
    g_free(pef->uv_firmware);
    g_free(pef->uv_tpm);
    pef_tpm_fini(&pef->tpm);
}

static void pnv_pef_type_class_init(ObjectClass *oc, void *data)
{
    ConfidentialGuestSupportClass *klass =
        CONFIDENTIAL_GUEST_SUPPORT_CLASS(oc);

    klass->debug_access_ok = pnv_pef_debug_access_ok;
    klass->hides_guest_state = true;
}

static const TypeInfo pnv_pef_info = {
    .name = TYPE_PNV_PEF,
    .parent = TYPE_CONFIDENTIAL_GUEST_SUPPORT,
    .instance_size = sizeof(PnvPef),
    .instance_init = pnv_pef_init,
    .instance_finalize = pnv_pef_finalize,
    .class_init = pnv_pef_type_class_init,
};

static void pnv_pef_register_types(void)
{
    type_register_static(&pnv_pef_info);
}

type_init(pnv_pef_register_types)

void pnv_pef_machine_instance_init(Object *obj)
{
    PnvMachineState *pnv = PNV_MACHINE(obj);

    /* Only the machines with the properties (PEF-capable CPUs) */
    if (!object_class_property_find(object_get_class(obj), "pef")) {
        return;
    }
    pnv->pef = PNV_PEF(object_new(TYPE_PNV_PEF));
    object_property_add_child(obj, "pef-state", OBJECT(pnv->pef));
    object_unref(OBJECT(pnv->pef));
}

static bool pnv_pef_get_enabled(Object *obj, Error **errp)
{
    return PNV_MACHINE(obj)->pef->enabled;
}

static void pnv_pef_set_enabled(Object *obj, bool value, Error **errp)
{
    PNV_MACHINE(obj)->pef->enabled = value;
}

static void pnv_pef_get_secure_size(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    uint64_t value = PNV_MACHINE(obj)->pef->secure_size;

    visit_type_size(v, name, &value, errp);
}

static void pnv_pef_set_secure_size(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    PnvPef *pef = PNV_MACHINE(obj)->pef;
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    if (value < MiB || value % UV_PEF_PAGE_SIZE || value > 64 * GiB) {
        error_setg(errp, "secure-memory must be a multiple of 64 KiB "
                   "between 1 MiB and 64 GiB");
        return;
    }
    pef->secure_size = value;
    pef->secure_size_set = true;
}

static char *pnv_pef_get_uv_firmware(Object *obj, Error **errp)
{
    return g_strdup(PNV_MACHINE(obj)->pef->uv_firmware);
}

static void pnv_pef_set_uv_firmware(Object *obj, const char *value,
                                    Error **errp)
{
    PnvPef *pef = PNV_MACHINE(obj)->pef;

    g_free(pef->uv_firmware);
    pef->uv_firmware = g_strdup(value);
}

static char *pnv_pef_get_uv_tpm(Object *obj, Error **errp)
{
    return g_strdup(PNV_MACHINE(obj)->pef->uv_tpm);
}

static void pnv_pef_set_uv_tpm(Object *obj, const char *value, Error **errp)
{
    PnvPef *pef = PNV_MACHINE(obj)->pef;

    g_free(pef->uv_tpm);
    pef->uv_tpm = g_strdup(value);
}

static int pnv_pef_get_mode(Object *obj, Error **errp)
{
    return PNV_MACHINE(obj)->pef->mode;
}

static void pnv_pef_set_mode(Object *obj, int value, Error **errp)
{
    PnvPef *pef = PNV_MACHINE(obj)->pef;

    pef->mode = value;
    pef->mode_set = true;
}

void pnv_pef_class_init(ObjectClass *oc)
{
    object_class_property_add_bool(oc, "pef", pnv_pef_get_enabled,
                                   pnv_pef_set_enabled);
    object_class_property_set_description(oc, "pef",
        "Protected Execution Facility: ultravisor state, secure memory and "
        "an ultravisor (default: off)");
    object_class_property_add(oc, "secure-memory", "size",
                              pnv_pef_get_secure_size,
                              pnv_pef_set_secure_size, NULL, NULL);
    object_class_property_set_description(oc, "secure-memory",
        "Size of the secure memory partition with pef=on (default: 256M)");
    object_class_property_add_str(oc, "uv-firmware", pnv_pef_get_uv_firmware,
                                  pnv_pef_set_uv_firmware);
    object_class_property_set_description(oc, "uv-firmware",
        "Ultravisor image (e.g. ultra.lid) placed at the secure base; the "
        "-bios firmware then starts in ultravisor state and starts it, "
        "instead of the built-in ultravisor (external mode, needs pef=on)");
    object_class_property_add_str(oc, "uv-tpm", pnv_pef_get_uv_tpm,
                                  pnv_pef_set_uv_tpm);
    object_class_property_set_description(oc, "uv-tpm",
        "The -tpmdev (id) the built-in ultravisor unwraps Secure VMs' ESM "
        "keys with; provisioned at every reset as PEF firmware does "
        "(needs pef=on)");
    object_class_property_add_enum(oc, "ultravisor", "PefUvMode",
                                   &PefUvMode_lookup, pnv_pef_get_mode,
                                   pnv_pef_set_mode);
    object_class_property_set_description(oc, "ultravisor",
        "Which ultravisor a pef=on machine has: built-in (emulated; the "
        "default), external (the uv-firmware image; the default with "
        "uv-firmware) or none (the firmware starts in ultravisor state and "
        "no ultravisor is described: for firmware that turns PEF off)");
}

/* Host operations of the ultravisor core */

static bool pnv_pef_mem_read(void *opaque, uint64_t ra, void *buf,
                             uint64_t len)
{
    PnvPef *pef = opaque;

    return address_space_read(&pef->uv_as, ra, MEMTXATTRS_UNSPECIFIED, buf,
                              len) == MEMTX_OK;
}

static bool pnv_pef_mem_write(void *opaque, uint64_t ra, const void *buf,
                              uint64_t len)
{
    PnvPef *pef = opaque;

    return address_space_write(&pef->uv_as, ra, MEMTXATTRS_UNSPECIFIED, buf,
                               len) == MEMTX_OK;
}

static void pnv_pef_pate_changed(void *opaque, void *cpu, uint64_t lpid)
{
    CPUState *cs;

    /*
     * Translations of that partition may be cached in any thread's TLB.
     * PATE updates are rare: flush every TLB.
     */
    if (cpu) {
        tlb_flush_all_cpus_synced(CPU(cpu));
    } else {
        CPU_FOREACH(cs) {
            tlb_flush(cs);
        }
    }
}

/*
 * XSCOM on the hypervisor's behalf (UV_READ_SCOM/UV_WRITE_SCOM): @addr is
 * a PCB address on chip @chip_id, as skiboot's xscom_read() takes them.
 */
static AddressSpace *pnv_pef_xscom_as(PnvPef *pef, uint32_t chip_id,
                                      uint64_t addr)
{
    PnvChip *chip = pnv_get_chip(pef->machine, chip_id);

    if (!chip || addr > UINT32_MAX) {
        return NULL;
    }
    return &chip->xscom_as;
}

static bool pnv_pef_scom_read_chip(void *opaque, uint32_t chip_id,
                                   uint64_t addr, uint64_t *val)
{
    AddressSpace *as = pnv_pef_xscom_as(opaque, chip_id, addr);
    MemTxResult res;

    if (!as) {
        return false;
    }
    *val = address_space_ldq(as, addr << 3, MEMTXATTRS_UNSPECIFIED, &res);
    return res == MEMTX_OK;
}

static bool pnv_pef_scom_write_chip(void *opaque, uint32_t chip_id,
                                    uint64_t addr, uint64_t val)
{
    AddressSpace *as = pnv_pef_xscom_as(opaque, chip_id, addr);
    MemTxResult res;

    if (!as) {
        return false;
    }
    address_space_stq(as, addr << 3, val, MEMTXATTRS_UNSPECIFIED, &res);
    return res == MEMTX_OK;
}

/* UV_RESTRICTED_SPR_READ/WRITE of the calling thread @cpu */
static bool pnv_pef_spr_read(void *opaque, void *cpu, uint32_t sprn,
                             uint64_t *val)
{
    PowerPCCPU *c = cpu;

    if (!c || sprn >= ARRAY_SIZE(c->env.spr)) {
        return false;
    }
    *val = c->env.spr[sprn];
    return true;
}

static bool pnv_pef_spr_write(void *opaque, void *cpu, uint32_t sprn,
                              uint64_t val)
{
    PowerPCCPU *c = cpu;

    if (!c || sprn >= ARRAY_SIZE(c->env.spr)) {
        return false;
    }
    /* The stores that keep TCG's watchpoints and breakpoints in step */
    switch (sprn) {
    case SPR_DAWR0:
        ppc_store_dawr0(&c->env, val);
        break;
    case SPR_DAWRX0:
        ppc_store_dawrx0(&c->env, val);
        break;
    case SPR_CIABR:
        ppc_store_ciabr(&c->env, val);
        break;
    default:
        c->env.spr[sprn] = val;
        break;
    }
    return true;
}

static const UvPefHostOps pnv_pef_host_ops = {
    .mem_read = pnv_pef_mem_read,
    .mem_write = pnv_pef_mem_write,
    .pate_changed = pnv_pef_pate_changed,
    .spr_read = pnv_pef_spr_read,
    .spr_write = pnv_pef_spr_write,
    .scom_read_chip = pnv_pef_scom_read_chip,
    .scom_write_chip = pnv_pef_scom_write_chip,
};
QEMU_BUILD_BUG_ON(SPR_DAWR0 != UV_PEF_SPR_DAWR0);
QEMU_BUILD_BUG_ON(SPR_DAWRX0 != UV_PEF_SPR_DAWRX0);
QEMU_BUILD_BUG_ON(SPR_CIABR != UV_PEF_SPR_CIABR);

/* At most this many failed Enter Secure Modes are reported per reset */
#define PNV_PEF_ESM_REPORTS     8

/*
 * The user needs to know why a guest of the host did not become secure:
 * the ultravisor's reason, once it changed (the guest's VMM only sees
 * H_PARAMETER).
 */
static void pnv_pef_report_esm(PnvPef *pef, const UvPefUcall *u)
{
    const char *why = uv_pef_esm_reason(pef->core);

    if (why == pef->esm_reported || !*why) {
        return;
    }
    pef->esm_reported = why;
    if (pef->esm_reports++ < PNV_PEF_ESM_REPORTS) {
        warn_report("pnv-pef: Enter Secure Mode failed: %s%s", why,
                    pef->tpm.id ? "" : " (the machine has no uv-tpm)");
    }
}

/* ---- a thread's state for the ultravisor (UvPefRegs) ---- */

static const uint16_t pnv_pef_saved_sprs[] = UV_PEF_SAVED_SPRS;
QEMU_BUILD_BUG_ON(ARRAY_SIZE(pnv_pef_saved_sprs) != UV_PEF_N_SAVED_SPRS);
/* FP/VMX/VSX: the 64 VSRs, FPSCR, VSCR */
QEMU_BUILD_BUG_ON(UV_PEF_FP_WORDS < 64 * 2 + 2);

static UvPefCaller pnv_pef_caller(PowerPCCPU *cpu)
{
    CPUPPCState *env = &cpu->env;

    return (UvPefCaller) {
        .s = !!(env->msr & R_MSR_S_MASK),
        .hv = !!(env->msr & MSR_HVB),
        .pr = !!(env->msr & R_MSR_PR_MASK),
        .lpid = env->spr[SPR_LPIDR],
        .pid = env->spr[SPR_BOOKS_PID],
        .radix = !!(env->spr[SPR_LPCR] & LPCR_HR),
        .cpu_index = CPU(cpu)->cpu_index,
        .cpu = cpu,
        .hv_le = ppc_interrupts_little_endian(cpu, true),
    };
}

/* Where TCG keeps an SPR's live value (CFAR is not in env->spr) */
static target_ulong *pnv_pef_spr(CPUPPCState *env, int sprn)
{
    return sprn == SPR_CFAR ? &env->cfar : &env->spr[sprn];
}

static void pnv_pef_regs_get(PowerPCCPU *cpu, UvPefRegs *r)
{
    CPUPPCState *env = &cpu->env;
    int i;

    for (i = 0; i < 32; i++) {
        r->gpr[i] = env->gpr[i];
    }
    r->nip = env->nip;
    r->msr = env->msr;
    r->cr = ppc_get_cr(env);
    r->lr = env->lr;
    r->ctr = env->ctr;
    r->xer = cpu_read_xer(env);
    r->srr0 = env->spr[SPR_SRR0];
    r->srr1 = env->spr[SPR_SRR1];
    r->hsrr0 = env->spr[SPR_HSRR0];
    r->hsrr1 = env->spr[SPR_HSRR1];
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        r->spr[i] = *pnv_pef_spr(env, pnv_pef_saved_sprs[i]);
    }
    r->dec = (int64_t)(int32_t)cpu_ppc_load_decr(env);
    r->tb = cpu_ppc_load_tbl(env);
    r->asdr = env->spr[SPR_ASDR];
    r->hdar = env->spr[SPR_HDAR];
    for (i = 0; i < 64; i++) {
        r->fp[2 * i] = env->vsr[i].u64[0];
        r->fp[2 * i + 1] = env->vsr[i].u64[1];
    }
    r->fp[128] = env->fpscr;
    r->fp[129] = ppc_get_vscr(env);
}

/* The thread continues as @r says: another context, another privilege */
static void pnv_pef_regs_load(PowerPCCPU *cpu, const UvPefRegs *r)
{
    CPUPPCState *env = &cpu->env;
    int i;

    for (i = 0; i < 32; i++) {
        env->gpr[i] = r->gpr[i];
    }
    ppc_set_cr(env, r->cr);
    env->lr = r->lr;
    env->ctr = r->ctr;
    cpu_write_xer(env, r->xer);
    env->spr[SPR_SRR0] = r->srr0;
    env->spr[SPR_SRR1] = r->srr1;
    env->spr[SPR_HSRR0] = r->hsrr0;
    env->spr[SPR_HSRR1] = r->hsrr1;
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        *pnv_pef_spr(env, pnv_pef_saved_sprs[i]) = r->spr[i];
    }
    cpu_ppc_store_decr(env, r->dec);
    for (i = 0; i < 64; i++) {
        env->vsr[i].u64[0] = r->fp[2 * i];
        env->vsr[i].u64[1] = r->fp[2 * i + 1];
    }
    ppc_store_fpscr(env, r->fp[128]);
    ppc_store_vscr(env, r->fp[129]);
    env->nip = r->nip;
    env->msr = r->msr & env->msr_mask;
    hreg_compute_hflags(env);
}

/* After a call that took UvPefRegs: continue as it says */
static void pnv_pef_next(PowerPCCPU *cpu, UvPefNext next, UvPefRegs *r,
                         const char *why)
{
    CPUPPCState *env = &cpu->env;
    int i;

    if (next == UV_PEF_NEXT_LOAD) {
        trace_uv_pef_switch(CPU(cpu)->cpu_index, why, r->nip, r->msr,
                            r->gpr[3], r->gpr[31]);
        pnv_pef_regs_load(cpu, r);
    } else {
        for (i = 3; i <= 12; i++) {
            env->gpr[i] = r->gpr[i];
        }
    }
    memset(r, 0, sizeof(*r));
}

/* "sc 2" with SMFCTRL[E]=1, built-in mode; NIA is already past the sc */
static void pnv_pef_ucall(void *opaque, PowerPCCPU *cpu)
{
    PnvPef *pef = opaque;
    CPUPPCState *env = &cpu->env;
    UvPefCaller caller = pnv_pef_caller(cpu);
    const UvPefUcall *u = uv_pef_ucall_find(env->gpr[3]);
    const char *name = uv_pef_ucall_name(u);
    g_autofree UvPefRegs *r = g_new0(UvPefRegs, 1);
    UvPefNext next;

    g_assert(bql_locked());
    pnv_pef_regs_get(cpu, r);
    trace_uv_pef_ucall(CPU(cpu)->cpu_index, name, r->gpr[3], r->gpr[4],
                       r->gpr[5], r->gpr[6], r->gpr[7]);
    pef_tpm_count(&pef->tpm);
    next = uv_pef_ucall_regs(pef->core, u, &caller, r);
    if (next == UV_PEF_NEXT_RESUME) {
        int64_t rc = r->gpr[3];

        trace_uv_pef_ucall_ret(CPU(cpu)->cpu_index, name, rc, r->gpr[4]);
        if (!u || rc < 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "pnv-pef: cpu %d: ultracall %s "
                          "(0x%" PRIx64 ") from MSR 0x%016" PRIx64
                          " refused: rc %" PRId64 "\n", CPU(cpu)->cpu_index,
                          name, (uint64_t)env->gpr[3], (uint64_t)env->msr,
                          rc);
        }
    }
    if (pef->tpm.cmds) {
        trace_uv_pef_tpm(CPU(cpu)->cpu_index, pef->tpm.cmds,
                         pef->tpm.ns / 1000);
    }
    pnv_pef_report_esm(pef, u);
    pnv_pef_next(cpu, next, r, name);
}

/* "sc 1" from a Secure VM: the ultravisor reflects it to the host */
static void pnv_pef_svm_hcall(void *opaque, PowerPCCPU *cpu)
{
    PnvPef *pef = opaque;
    UvPefCaller caller = pnv_pef_caller(cpu);
    g_autofree UvPefRegs *r = g_new0(UvPefRegs, 1);
    UvPefNext next;
    uint64_t op;

    g_assert(bql_locked());
    pnv_pef_regs_get(cpu, r);
    op = r->gpr[3];
    trace_uv_pef_svm_hcall(CPU(cpu)->cpu_index, op);
    next = uv_pef_svm_hcall(pef->core, &caller, r);
    if (op == 0xF000 && next == UV_PEF_NEXT_LOAD) {
        /* H_RTAS goes to the host with the bounce copy in r4 */
        trace_uv_pef_svm_rtas(CPU(cpu)->cpu_index, r->gpr[4]);
    }
    pnv_pef_next(cpu, next, r, "hcall");
}

/* An interrupt that enters ultravisor state from a Secure VM */
static void pnv_pef_uv_interrupt(void *opaque, PowerPCCPU *cpu, int excp)
{
    PnvPef *pef = opaque;
    UvPefCaller caller = pnv_pef_caller(cpu);
    g_autofree UvPefRegs *r = g_new0(UvPefRegs, 1);
    uint32_t vector = cpu->env.excp_vectors[excp];
    UvPefNext next;

    g_assert(bql_locked());
    pnv_pef_regs_get(cpu, r);
    if (vector == 0xE00) {
        /* MMIO the ultravisor may emulate: the instruction, as HEIR would */
        r->have_insn = ppc_pef_fetch_insn(cpu, r->hsrr0, &r->insn);
    }
    trace_uv_pef_svm_interrupt(CPU(cpu)->cpu_index, vector, r->hsrr0,
                               r->asdr);
    next = uv_pef_svm_interrupt(pef->core, &caller, vector, r);
    if (vector == 0xE00 && next == UV_PEF_NEXT_LOAD && r->nip == 0xC00 &&
        (r->gpr[3] == 0x3C || r->gpr[3] == 0x40)) {
        /* An MMIO access the ultravisor emulates: H_LOGICAL_CI_* */
        trace_uv_pef_svm_mmio(CPU(cpu)->cpu_index, r->gpr[3] == 0x40,
                              r->gpr[4], r->gpr[5]);
    }
    pnv_pef_next(cpu, next, r, "interrupt");
}

/*
 * The firmware cleared SMFCTRL[E] (external and no-ultravisor modes; in
 * built-in mode nothing runs in ultravisor state).  Only firmware that
 * cannot start an ultravisor does that (skiboot's cpu_disable_pef()).  In
 * external mode say so once: the machine's description of the ultravisor
 * stays in the device tree the firmware passes on, and the host kernel
 * will call an ultravisor that is not there.
 */
static void pnv_pef_facility_off(void *opaque, PowerPCCPU *cpu)
{
    PnvPef *pef = opaque;

    pef->facility_disabled = true;
    if (pef->mode == PEF_UV_MODE_EXTERNAL && !pef->warned_off) {
        pef->warned_off = true;
        warn_report("pnv-pef: the firmware turned PEF off (SMFCTRL[E]=0) "
                    "instead of starting the ultravisor image %s: it "
                    "cannot start an ultravisor.  The device tree still "
                    "describes the ultravisor and the host kernel will call "
                    "it; for such firmware use ultravisor=none in place of "
                    "uv-firmware (docs/system/ppc/pef-tcg.rst)",
                    pef->uv_firmware);
    }
}

/*
 * The ultravisor mode from the machine's properties: external with
 * uv-firmware, built-in without, unless "ultravisor" says otherwise.
 */
static bool pnv_pef_resolve_mode(PnvPef *pef, Error **errp)
{
    if (!pef->mode_set) {
        pef->mode = pef->uv_firmware ? PEF_UV_MODE_EXTERNAL
                                     : PEF_UV_MODE_BUILT_IN;
        return true;
    }
    if (pef->mode == PEF_UV_MODE_EXTERNAL && !pef->uv_firmware) {
        error_setg(errp, "ultravisor=external needs uv-firmware=FILE, the "
                   "ultravisor image");
        return false;
    }
    if (pef->mode != PEF_UV_MODE_EXTERNAL && pef->uv_firmware) {
        error_setg(errp, "uv-firmware is the image of an external "
                   "ultravisor: it cannot be combined with ultravisor=%s",
                   PefUvMode_str(pef->mode));
        return false;
    }
    return true;
}

bool pnv_pef_machine_init(PnvMachineState *pnv, Error **errp)
{
    MachineState *machine = MACHINE(pnv);
    MachineClass *mc = MACHINE_GET_CLASS(machine);
    PnvPef *pef = pnv->pef;
    g_autoptr(GError) gerr = NULL;
    UvPefConfig cfg;

    if (!pef || !pef->enabled) {
        if (pef && (pef->secure_size_set || pef->uv_firmware ||
                    pef->mode_set)) {
            error_setg(errp, "secure-memory, uv-firmware and ultravisor "
                       "need pef=on");
            return false;
        }
        return true;
    }
    if (machine->cgs) {
        error_setg(errp, "pef=on cannot be combined with "
                   "confidential-guest-support");
        return false;
    }
    if (!pnv_pef_resolve_mode(pef, errp)) {
        return false;
    }
    /* PEF needs a POWER9 DD2.3: use it in place of the default DD2.2 */
    if (g_str_equal(machine->cpu_type, mc->default_cpu_type) &&
        g_str_equal(machine->cpu_type, POWERPC_CPU_TYPE_NAME("power9_v2.2"))) {
        machine->cpu_type = POWERPC_CPU_TYPE_NAME("power9_v2.3");
    }
    if (g_str_has_prefix(machine->cpu_type, "power9") &&
        !g_str_equal(machine->cpu_type, POWERPC_CPU_TYPE_NAME("power9_v2.3"))) {
        error_setg(errp, "pef=on needs a PEF-capable CPU: power9_v2.3 "
                   "(the default with pef=on), not %.*s",
                   (int)(strlen(machine->cpu_type) -
                         strlen(POWERPC_CPU_TYPE_SUFFIX)),
                   machine->cpu_type);
        return false;
    }
    if (pef->uv_tpm && pef->mode != PEF_UV_MODE_BUILT_IN) {
        error_setg(errp, "uv-tpm is the TPM of the built-in ultravisor: "
                   "it cannot be combined with ultravisor=%s",
                   PefUvMode_str(pef->mode));
        return false;
    }
    if (!pef_tpm_init(&pef->tpm, "powernv", pef->uv_tpm, errp)) {
        return false;
    }
    if (machine->ram_size < 2 * UV_PEF_MEMCONS_SIZE) {
        error_setg(errp, "pef=on: RAM too small");
        return false;
    }

    if (pef->uv_firmware) {
        g_autoptr(GError) ferr = NULL;

        if (!g_file_get_contents(pef->uv_firmware, &pef->fw_data,
                                 &pef->fw_size, &ferr)) {
            error_setg(errp, "uv-firmware: %s", ferr->message);
            return false;
        }
        if (pef->fw_size == 0 || pef->fw_size > PNV_PEF_FW_MAX) {
            error_setg(errp, "uv-firmware '%s': size %zu is not between 1 "
                       "byte and 16 MiB", pef->uv_firmware,
                       (size_t)pef->fw_size);
            return false;
        }
        if (pef->secure_size < PNV_PEF_UV_FDT_GAP + PNV_PEF_UV_LAYOUT) {
            error_setg(errp, "secure-memory=%" PRIu64 "M is too small for "
                       "an ultravisor image: its firmware puts the "
                       "ultravisor's device tree 128 MiB below the top of "
                       "secure memory, above the image's 16 MiB + 64 KiB; "
                       "use secure-memory=145M or more",
                       pef->secure_size / MiB);
            return false;
        }
    }

    /* The ultravisor's message log: the last 64 KiB of RAM, reserved */
    pef->memcons_ra = machine->ram_size - UV_PEF_MEMCONS_SIZE;
    if (pef->mode == PEF_UV_MODE_BUILT_IN) {
        cfg = (UvPefConfig) {
            .secure_base = PNV_PEF_SECURE_BASE,
            .secure_size = pef->secure_size,
            .memcons_ra = pef->memcons_ra,
            .version = QEMU_VERSION " (" QEMU_PKGVERSION ")",
        };
        pef->core = uv_pef_new(&cfg, &pnv_pef_host_ops, pef, &gerr);
        if (!pef->core) {
            error_setg(errp, "pef=on: %s", gerr->message);
            return false;
        }
    }

    error_setg(&pef->migration_blocker,
               "PEF secure memory (pef=on) cannot be migrated");
    if (migrate_add_blocker(&pef->migration_blocker, errp) < 0) {
        return false;
    }

    /* The CPUs' view: system memory plus the secure partition */
    memory_region_init(&pef->cpu_root, OBJECT(pef), "pef-cpu-memory",
                       UINT64_MAX);
    memory_region_init_alias(&pef->sys_alias, OBJECT(pef), "pef-system",
                             get_system_memory(), 0, UINT64_MAX);
    memory_region_add_subregion_overlap(&pef->cpu_root, 0, &pef->sys_alias,
                                        0);
    if (!memory_region_init_ram_nomigrate(&pef->secure_ram, OBJECT(pef),
                                          "pef-secure-memory",
                                          pef->secure_size, errp)) {
        return false;
    }
    memory_region_add_subregion_overlap(&pef->cpu_root, PNV_PEF_SECURE_BASE,
                                        &pef->secure_ram, 1);
    address_space_init(&pef->uv_as, &pef->cpu_root, "pef-ultravisor");

    pef->ppc.secure_base = PNV_PEF_SECURE_BASE;
    pef->ppc.secure_size = pef->secure_size;
    pef->ppc.opaque = pef;
    pef->ppc.facility_off = pnv_pef_facility_off;
    if (pef->core) {
        /*
         * Built-in: "sc 2", and a Secure VM's hypercalls and hypervisor
         * interrupts, are the ultravisor's (uv-pef-reflect.c).
         */
        pef->ppc.ucall = pnv_pef_ucall;
        pef->ppc.svm_hcall = pnv_pef_svm_hcall;
        pef->ppc.uv_interrupt = pnv_pef_uv_interrupt;
    }

    machine->cgs = CONFIDENTIAL_GUEST_SUPPORT(pef);
    machine->cgs->ready = true;
    pef->machine = pnv;
    return true;
}

void pnv_pef_cpu_pre_realize(PowerPCCPU *cpu)
{
    PnvPef *pef = pnv_pef_active(PNV_MACHINE(qdev_get_machine()));

    if (pef) {
        object_property_set_link(OBJECT(cpu), "memory",
                                 OBJECT(&pef->cpu_root), &error_abort);
    }
}

void pnv_pef_cpu_realized(PowerPCCPU *cpu)
{
    PnvPef *pef = pnv_pef_active(PNV_MACHINE(qdev_get_machine()));

    if (pef) {
        ppc_pef_cpu_enable(cpu, &pef->ppc);
    }
}

void pnv_pef_cpu_reset(PowerPCCPU *cpu)
{
    PnvPef *pef;
    CPUPPCState *env = &cpu->env;

    if (!cpu->pef) {
        return;
    }
    pef = container_of(cpu->pef, PnvPef, ppc);
    env->spr[SPR_SMFCTRL] = PNV_PEF_SMFCTRL_RESET;
    env->spr[SPR_URMOR] = PNV_PEF_SECURE_BASE;
    env->spr[SPR_USRR0] = 0;
    env->spr[SPR_USRR1] = 0;
    if (pef->core) {
        /*
         * Built-in: as if the ultravisor firmware had initialised and
         * returned to skiboot with urfid (MSR[S]=0): PTCR is the UV's.
         */
        env->spr[SPR_PTCR] = uv_pef_ptcr(pef->core);
    } else {
        /*
         * External and no ultravisor: as hostboot leaves a PEF machine,
         * every thread starts the firmware at its entry (nip and r3 as
         * pnv_core set them) in ultravisor state: real mode, big-endian,
         * URMOR and PTCR 0.
         */
        env->spr[SPR_URMOR] = 0;
        env->spr[SPR_PTCR] = 0;
        env->msr = (1ULL << MSR_SF) | MSR_HVB | R_MSR_S_MASK |
                   (1ULL << MSR_ME);
    }
}

void pnv_pef_reset(PnvMachineState *pnv)
{
    PnvPef *pef = pnv_pef_active(pnv);

    if (!pef) {
        return;
    }
    g_assert(bql_locked());
    /*
     * Secure memory does not survive a reset, and holds nothing the host
     * put there: qemu_devices_reset() has just written the ROM blobs, and
     * one placed by the CPU's address space (-device loader) may have
     * landed in secure memory.  [U] Cleared, then only the ultravisor's
     * image is placed (docs/system/ibm-cc-threat-model.rst).  Dropping the
     * pages (zero on next touch) is cheaper than writing every byte.
     */
    if (ram_block_discard_range(pef->secure_ram.ram_block, 0,
                                pef->secure_size) < 0) {
        memset(memory_region_get_ram_ptr(&pef->secure_ram), 0,
               pef->secure_size);
    }
    pef->facility_disabled = false;
    if (pef->core) {
        uv_pef_reset(pef->core);
        pef->esm_reported = NULL;
        pef->esm_reports = 0;
        /* The firmware's part: the wrapping key, a fresh password */
        uv_pef_set_tpm(pef->core, NULL, NULL);
        if (pef_tpm_provision(&pef->tpm, &pef->key)) {
            uv_pef_set_tpm(pef->core, &pef->tpm.io, &pef->key);
        }
        memset(&pef->key, 0, sizeof(pef->key));
    } else if (pef->fw_data) {
        memcpy(memory_region_get_ram_ptr(&pef->secure_ram), pef->fw_data,
               pef->fw_size);
    }
}

/*
 * The nodes hostboot describes on a PEF machine, in the shapes the
 * ultravisor-capable skiboot (qemu/skiboot, branch ultravisor:
 * hw/ultravisor.c, hdata/memory.c) and Linux (arch/powerpc/platforms/
 * powernv/ultravisor.c, arch/powerpc/kvm/book3s_hv_uvmem.c) read them:
 *   /ibm,ultravisor            compatible "ibm,ultravisor", 2/2 cells
 *     firmware                 compatible "ibm,uv-firmware"; reg = the
 *                              image's address (one u64: skiboot asserts
 *                              on more); secure-memory-ranges = <base size>
 *   /secure-memory@BASE        device_type "secure-memory", compatible
 *                              "ibm,secure-memory", reg, ibm,chip-id
 * In external mode the image is at the secure base and the firmware adds
 * the ultravisor's message log (memcons) itself; the built-in ultravisor's
 * log is ours to describe and reserve.  With ultravisor=none there is
 * nothing to describe: Linux takes /ibm,ultravisor alone as an ultravisor
 * to call (arch/powerpc/platforms/powernv/ultravisor.c) and secure-memory
 * nodes as memory for secure guests (book3s_hv_uvmem.c).
 */
void pnv_pef_dt_populate(PnvMachineState *pnv, void *fdt)
{
    PnvPef *pef = pnv_pef_active(pnv);
    uint64_t secure_reg[2], mc_reg[2];
    g_autofree char *name = NULL;
    int uv_node, fw_node, node, rsv_node;

    if (!pef || pef->mode == PEF_UV_MODE_NONE) {
        return;
    }
    secure_reg[0] = cpu_to_be64(PNV_PEF_SECURE_BASE);
    secure_reg[1] = cpu_to_be64(pef->secure_size);

    uv_node = fdt_add_subnode(fdt, 0, "ibm,ultravisor");
    _FDT(uv_node);
    _FDT(fdt_setprop_string(fdt, uv_node, "compatible", "ibm,ultravisor"));
    _FDT(fdt_setprop_cell(fdt, uv_node, "#address-cells", 2));
    _FDT(fdt_setprop_cell(fdt, uv_node, "#size-cells", 2));
    fw_node = fdt_add_subnode(fdt, uv_node, "firmware");
    _FDT(fw_node);
    _FDT(fdt_setprop_string(fdt, fw_node, "compatible", "ibm,uv-firmware"));
    _FDT(fdt_setprop_u64(fdt, fw_node, "reg", PNV_PEF_SECURE_BASE));
    _FDT(fdt_setprop(fdt, fw_node, "secure-memory-ranges", secure_reg,
                     sizeof(secure_reg)));
    if (pef->core) {
        _FDT(fdt_setprop_u64(fdt, fw_node, "memcons", pef->memcons_ra));
    }

    name = g_strdup_printf("secure-memory@%" PRIx64, PNV_PEF_SECURE_BASE);
    node = fdt_add_subnode(fdt, 0, name);
    _FDT(node);
    _FDT(fdt_setprop_string(fdt, node, "device_type", "secure-memory"));
    _FDT(fdt_setprop_string(fdt, node, "compatible", "ibm,secure-memory"));
    _FDT(fdt_setprop(fdt, node, "reg", secure_reg, sizeof(secure_reg)));
    _FDT(fdt_setprop_cell(fdt, node, "ibm,chip-id", 0));

    if (!pef->core) {
        return;
    }

    /* Keep firmware and kernel away from the message log */
    rsv_node = fdt_subnode_offset(fdt, 0, "reserved-memory");
    if (rsv_node < 0) {
        rsv_node = fdt_add_subnode(fdt, 0, "reserved-memory");
        _FDT(rsv_node);
        _FDT(fdt_setprop_cell(fdt, rsv_node, "#address-cells", 2));
        _FDT(fdt_setprop_cell(fdt, rsv_node, "#size-cells", 2));
        _FDT(fdt_setprop(fdt, rsv_node, "ranges", NULL, 0));
    }
    g_free(name);
    name = g_strdup_printf("ibm,uv-memcons@%" PRIx64, pef->memcons_ra);
    node = fdt_add_subnode(fdt, rsv_node, name);
    _FDT(node);
    mc_reg[0] = cpu_to_be64(pef->memcons_ra);
    mc_reg[1] = cpu_to_be64(UV_PEF_MEMCONS_SIZE);
    _FDT(fdt_setprop(fdt, node, "reg", mc_reg, sizeof(mc_reg)));
}

PefUvInfo *qmp_query_pef_uv(Error **errp)
{
    PnvMachineState *pnv = (PnvMachineState *)
        object_dynamic_cast(OBJECT(current_machine), TYPE_PNV_MACHINE);
    PnvPef *pef = pnv ? pnv_pef_active(pnv) : NULL;
    PefUvPartitionInfoList **ptail;
    PefUvInfo *ret;
    UvPefInfo info;
    guint i, j;

    if (!pef) {
        error_setg(errp, "this machine has no ultravisor (use a powernv "
                   "machine with pef=on)");
        return NULL;
    }
    ret = g_new0(PefUvInfo, 1);
    ret->secure_base = PNV_PEF_SECURE_BASE;
    ret->secure_size = pef->secure_size;
    ret->mode = pef->mode;
    if (!pef->core) {
        ret->firmware = g_strdup(pef->uv_firmware);
        ret->has_facility_disabled = true;
        ret->facility_disabled = pef->facility_disabled;
        return ret;
    }
    uv_pef_get_info(pef->core, &info);
    ret->has_secure_used = true;
    ret->secure_used = info.secure_used;
    ret->has_ptcr = true;
    ret->ptcr = info.ptcr;
    ret->has_partition_table_entries = true;
    ret->partition_table_entries = info.pates;
    ret->has_message_log = true;
    ret->message_log = pef->memcons_ra;
    ret->has_ucalls = true;
    ret->ucalls = info.ucalls;
    ret->has_partitions = true;
    ptail = &ret->partitions;
    for (i = 0; info.partitions && i < info.partitions->len; i++) {
        UvPefPartitionInfo *p = &g_array_index(info.partitions,
                                               UvPefPartitionInfo, i);
        PefUvPartitionInfo *pi = g_new0(PefUvPartitionInfo, 1);
        PefUvSlotInfoList **stail = &pi->slots;

        pi->lpid = p->lpid;
        pi->state = p->secure ? PEF_SVM_STATE_SECURE : PEF_SVM_STATE_INIT;
        pi->secure_pages = p->secure_pages;
        pi->shared_pages = p->shared_pages;
        for (j = 0; p->slots && j < p->slots->len; j++) {
            UvPefSlotInfo *s = &g_array_index(p->slots, UvPefSlotInfo, j);
            PefUvSlotInfo *si = g_new0(PefUvSlotInfo, 1);

            si->slot = s->slotid;
            si->gpa = s->gpa;
            si->size = s->size;
            si->flags = s->flags;
            QAPI_LIST_APPEND(stail, si);
        }
        QAPI_LIST_APPEND(ptail, pi);
    }
    uv_pef_info_clear(&info);
    return ret;
}
