/*
 * qemu-ibm-cc: protected boot of an IBM Z Secure Execution guest under
 * TCG, on top of the emulated ultravisor (hw/s390x/se/uv-core.c).
 *
 * Implements the s390_pv_* functions that the s390-ccw machine calls
 * where KVM issues its KVM_PV_* ioctls (target/s390x/kvm/pv.h), and the
 * CPU hooks (target/s390x/uv-tcg.h): what the ultravisor does on diag
 * 0x308 subcodes 8-10, the start PSW of the protected image, guest UVCs.
 * Locking: see s390-pv-guest.h.
 *
 * Sequence of a protected boot (guest diag 0x308 subcode 10):
 *   s390_pv_tcg_diag308 -> reset request -> s390_machine_reset ->
 *   s390_machine_protect: vm_enable, query_info, set_sec_parms, unpack
 *   (per IPIB component), verify -> s390_cpu_load_normal ->
 *   s390_pv_tcg_load_normal sets the PSW from the SE header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/bitmap.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "system/runstate.h"
#include "exec/address-spaces.h"
#include "exec/cpu-common.h"
#include "hw/boards.h"
#include "hw/s390x/ipl.h"
#include "hw/s390x/s390-virtio-ccw.h"
#include "target/s390x/kvm/pv.h"
#include "cpu.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"
#include "s390-pv-guest.h"
#include "trace.h"

/*
 * [I] How a failed protected boot is reported to the guest: as QEMU 10.1
 * does (and s390-tools' rust/pvimg/boot/stage3a.c decodes), R1+1 of the
 * diag 0x308 subcode 10
 * gets cmd << 48 | rrc << 32 | rc << 16 | 0x0a02, where cmd is the number
 * of the KVM_PV_* command that failed.  The low halfword is the 0x0a02 of
 * QEMU 10.0.  Change the format here only.
 */
enum {
    S390_PV_CMD_ENABLE = 0,
    S390_PV_CMD_DISABLE = 1,
    S390_PV_CMD_SET_SEC_PARMS = 2,
    S390_PV_CMD_UNPACK = 3,
    S390_PV_CMD_VERIFY = 4,
    S390_PV_CMD_PREP_RESET = 5,
    S390_PV_CMD_UNSHARE_ALL = 6,
};

static uint64_t s390_pv_tcg_reset_error_code(const S390PvFailure *f)
{
    uint64_t code = DIAG_308_RC_INVAL_FOR_PV;

    if (f->failed) {
        code |= (uint64_t)f->cmd << 48 | (uint64_t)f->rrc << 32 |
                (uint64_t)f->rc << 16;
    }
    return code;
}

static void G_GNUC_PRINTF(6, 7)
s390_pv_tcg_fail(S390PvTcgGuest *pv, uint16_t cmd, uint16_t rc, uint16_t rrc,
                 bool reported, const char *fmt, ...)
{
    va_list ap;

    g_free(pv->fail.what);
    va_start(ap, fmt);
    pv->fail.what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    pv->fail.failed = true;
    pv->fail.reported = reported;
    pv->fail.cmd = cmd;
    pv->fail.rc = rc;
    pv->fail.rrc = rrc;
}

static void s390_pv_tcg_fail_clear(S390PvTcgGuest *pv)
{
    g_free(pv->fail.what);
    memset(&pv->fail, 0, sizeof(pv->fail));
}

/* Zero guest absolute storage [start, end) so that TBs are invalidated */
static void s390_pv_tcg_zero(uint64_t start, uint64_t end)
{
    const uint64_t chunk = 64 * KiB;
    g_autofree uint8_t *zeroes = g_malloc0(chunk);

    trace_s390_pv_wipe(start, end - start);
    while (start < end) {
        uint64_t n = MIN(end - start, chunk);

        address_space_write(&address_space_memory, start,
                            MEMTXATTRS_UNSPECIFIED, zeroes, n);
        start += n;
    }
}

/* The CPUs run the protected guest from now on, or no more */
static void s390_pv_tcg_hide_cpus(bool hidden)
{
    CPUState *cs;

    CPU_FOREACH(cs) {
        qatomic_set(&cs->state_hidden, hidden);
    }
}

static void s390_pv_tcg_add_range(GArray *ranges, uint64_t start,
                                  uint64_t end)
{
    S390PvRange r = { start, end };

    if (ranges->len) {
        S390PvRange *last = &g_array_index(ranges, S390PvRange,
                                           ranges->len - 1);
        if (last->end == start) {
            last->end = end;
            return;
        }
    }
    g_array_append_val(ranges, r);
}

/* ---- the KVM_PV_* equivalents ------------------------------------------ */

int s390_pv_vm_enable(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    uint16_t rc, rrc = 0;
    CPUState *cs;

    if (!pv) {
        return -EINVAL;
    }
    g_assert(bql_locked());
    s390_pv_tcg_fail_clear(pv);
    g_array_set_size(pv->unpacked, 0);
    pv->start_pending = false;
    /*
     * A dump that began with the guest unprotected reads guest storage as
     * it is: it must not see the image unpacked (a reset re-IPLs a
     * protected guest while a detach=true dump runs).
     */
    if (qemu_system_dump_in_progress()) {
        s390_pv_tcg_fail(pv, S390_PV_CMD_ENABLE, UVC_RC_INV_STATE, 0, false,
                         "a dump of the guest is in progress");
        return -EBUSY;
    }

    rc = se_uv_create_conf(pv->uv, &pv->conf, &rrc);
    trace_s390_pv_uv_host_call("CREATE_SEC_CONF", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
            s390_pv_tcg_fail(pv, S390_PV_CMD_ENABLE, rc, rrc, false,
                         "cannot create the secure configuration");
        return -EIO;
    }
    CPU_FOREACH(cs) {
        uint64_t *handle = &pv->cpu_handles[cs->cpu_index];

        rc = se_uv_create_cpu(pv->uv, pv->conf, cs->cpu_index, handle, &rrc);
        trace_s390_pv_uv_cpu_call("CREATE_SEC_CPU", cs->cpu_index, rc, rrc);
        if (rc != UVC_RC_EXECUTED) {
            uint16_t drc, drrc;

            drc = se_uv_destroy_conf(pv->uv, pv->conf, &drrc);
            trace_s390_pv_uv_host_call("DESTROY_SEC_CONF", drc, drrc);
            memset(pv->cpu_handles, 0, pv->max_cpus * sizeof(uint64_t));
                    s390_pv_tcg_fail(pv, S390_PV_CMD_ENABLE, rc, rrc, false,
                             "cannot create secure CPU %d", cs->cpu_index);
            return -EIO;
        }
    }
    return 0;
}

/*
 * Destroying the configuration clears its secure storage, as the real
 * ultravisor does, so that no plaintext is left for the host.  [I] What
 * "secure" means here: once the image was verified and the guest ran,
 * every page it did not share (the ultravisor treats all storage of the
 * configuration as secure); before that, only the pages unpacked so far,
 * which hold decrypted image data.  The rest must survive so that the
 * unprotected loader (stage3a) can report a failed boot.
 */
void s390_pv_vm_disable(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    g_autoptr(GArray) wipe = NULL;
    uint16_t rc, rrc;
    unsigned i;

    if (!pv) {
        return;
    }
    g_assert(bql_locked());
    wipe = g_array_new(false, false, sizeof(S390PvRange));

    if (!se_uv_protected(pv->uv)) {
        return;
    }
    if (se_uv_conf_state(pv->uv) == SE_UV_CONF_VERIFIED) {
        uint64_t size = MACHINE(pv->machine)->ram_size;
        uint64_t addr;

        for (addr = 0; addr < size; addr += SE_UV_PAGE_SIZE) {
            if (!se_uv_host_access_ok(pv->uv, addr)) {
                s390_pv_tcg_add_range(wipe, addr,
                                      MIN(addr + SE_UV_PAGE_SIZE, size));
            }
        }
    } else {
        g_array_append_vals(wipe, pv->unpacked->data, pv->unpacked->len);
    }
    for (i = 0; i < pv->max_cpus; i++) {
        if (pv->cpu_handles[i]) {
            rc = se_uv_destroy_cpu(pv->uv, pv->cpu_handles[i], &rrc);
            trace_s390_pv_uv_cpu_call("DESTROY_SEC_CPU", i, rc, rrc);
            pv->cpu_handles[i] = 0;
        }
    }

    /*
     * Clear before the pages become host-accessible again: devices keep
     * being refused until DESTROY_SEC_CONF.  The vCPUs are stopped.
     */
    for (i = 0; i < wipe->len; i++) {
        S390PvRange *r = &g_array_index(wipe, S390PvRange, i);

        s390_pv_tcg_zero(r->start, r->end);
    }

    rc = se_uv_destroy_conf(pv->uv, pv->conf, &rrc);
    trace_s390_pv_uv_host_call("DESTROY_SEC_CONF", rc, rrc);
    pv->conf = 0;

    g_array_set_size(pv->unpacked, 0);
    pv->start_pending = false;
    s390_pv_tcg_hide_cpus(false);
}

/* No asynchronous teardown: the caller falls back to s390_pv_vm_disable */
bool s390_pv_vm_try_disable_async(S390CcwMachineState *ms)
{
    return false;
}

/* KVM queries dump sizes here; the emulated ultravisor has nothing to say */
int s390_pv_query_info(void)
{
    trace_s390_pv_uv_host_call("QUERY_INFO", UVC_RC_EXECUTED, 0);
    return 0;
}

/* @origin is a host pointer to a copy of the SE header of @length bytes */
int s390_pv_set_sec_parms(uint64_t origin, uint64_t length, Error **errp)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    const uint8_t *hdr = (const uint8_t *)(uintptr_t)origin;
    SeError err = { 0 };
    uint16_t rc, rrc = 0;

    if (!pv) {
        error_setg(errp, "s390-pv-guest: no emulated ultravisor");
        return -EINVAL;
    }
    rc = se_uv_set_params(pv->uv, pv->conf, hdr, length, &rrc, &err);
    trace_s390_pv_uv_host_call("SET_SEC_CONF_PARAMS", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        const char *what = err.check ? err.check : "SE header rejected";

        error_setg(errp, "s390-pv-guest: %s (rc 0x%x rrc 0x%x)",
                   what, rc, rrc);
        s390_pv_tcg_fail(pv, S390_PV_CMD_SET_SEC_PARMS, rc, rrc, true,
                         "%s", what);
        return -EINVAL;
    }
    return 0;
}

/*
 * Unpack one component: each page is read from guest storage, decrypted
 * by the ultravisor (which folds it into the image digests) and written
 * back through the memory API, so that translated code is invalidated.
 * Stops at the first page that fails.
 */
int s390_pv_unpack(uint64_t addr, uint64_t size, uint64_t tweak)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    g_autofree uint8_t *page = g_malloc(SE_UV_PAGE_SIZE);
    uint64_t off;
    uint16_t rc = UVC_RC_EXECUTED, rrc = 0;
    int ret = 0;

    if (!pv) {
        return -EINVAL;
    }
    g_assert(bql_locked());
    for (off = 0; off < size; off += SE_UV_PAGE_SIZE) {
        uint64_t gaddr = addr + off;

        /* out of storage: the ultravisor rejects the address */
        if (address_space_read(&address_space_memory, gaddr,
                               MEMTXATTRS_UNSPECIFIED, page,
                               SE_UV_PAGE_SIZE) != MEMTX_OK) {
            memset(page, 0, SE_UV_PAGE_SIZE);
        }
            rc = se_uv_unpack(pv->uv, pv->conf, gaddr, tweak, off, page, &rrc);
            trace_s390_pv_uv_unpack_page(gaddr, tweak, off, rc, rrc);
        if (rc != UVC_RC_EXECUTED) {
            s390_pv_tcg_fail(pv, S390_PV_CMD_UNPACK, rc, rrc, false,
                             "UNPACK_IMG of the page at 0x%" PRIx64
                             " (component 0x%" PRIx64 ", tweak 0x%016"
                             PRIx64 ") failed", gaddr, addr, tweak);
            ret = -EIO;
            break;
        }
        address_space_write(&address_space_memory, gaddr,
                            MEMTXATTRS_UNSPECIFIED, page, SE_UV_PAGE_SIZE);
        s390_pv_tcg_add_range(pv->unpacked, gaddr, gaddr + SE_UV_PAGE_SIZE);
    }
    cc_wipe(page, SE_UV_PAGE_SIZE);
    trace_s390_pv_unpack(addr, size, tweak, ret);
    return ret;
}

static const char *s390_pv_tcg_verify_reason(uint16_t rrc)
{
    switch (rrc) {
    case SE_VERIFY_RRC_NEP:
        return "the number of unpacked pages differs from the SE header";
    case SE_VERIFY_RRC_ALD:
        return "address list digest (ALD) mismatch";
    case SE_VERIFY_RRC_PLD:
        return "page list digest (PLD) mismatch";
    case SE_VERIFY_RRC_TLD:
        return "tweak list digest (TLD) mismatch";
    default:
        return "verification failed";
    }
}

/*
 * [U] Guest storage that became secure without being image content the
 * ultravisor unpacked (the loader, the SE header, whatever the host put
 * anywhere else) is cleared before the protected guest runs, so the host
 * cannot plant data the guest takes for its own.  The sources available
 * do not say what the hardware ultravisor does with such pages; this is
 * the safe direction (docs/system/ibm-cc-threat-model.rst).  Only pages
 * that are not zero are written (through the memory API, so that
 * translated code is dropped): untouched RAM stays unallocated.
 */
static void s390_pv_tcg_clear_non_image(S390PvTcgGuest *pv)
{
    MachineState *ms = MACHINE(pv->machine);
    uint64_t npages = ms->ram_size / SE_UV_PAGE_SIZE;
    g_autofree unsigned long *image = bitmap_new(npages);
    const uint8_t *ram = memory_region_get_ram_ptr(ms->ram);
    uint64_t pfn, start = 0;
    bool in_run = false;
    guint i;

    for (i = 0; i < pv->unpacked->len; i++) {
        S390PvRange *r = &g_array_index(pv->unpacked, S390PvRange, i);
        uint64_t first = r->start / SE_UV_PAGE_SIZE;
        uint64_t last = MIN(r->end / SE_UV_PAGE_SIZE, npages);

        if (first < last) {
            bitmap_set(image, first, last - first);
        }
    }
    for (pfn = 0; pfn <= npages; pfn++) {
        bool dirty = pfn < npages && !test_bit(pfn, image) &&
                     !buffer_is_zero(ram + pfn * SE_UV_PAGE_SIZE,
                                     SE_UV_PAGE_SIZE);

        if (dirty && !in_run) {
            start = pfn;
            in_run = true;
        } else if (!dirty && in_run) {
            s390_pv_tcg_zero(start * SE_UV_PAGE_SIZE,
                             pfn * SE_UV_PAGE_SIZE);
            in_run = false;
        }
    }
}

int s390_pv_verify(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    uint16_t rc, rrc = 0;

    if (!pv) {
        return -EINVAL;
    }
    g_assert(bql_locked());
    rc = se_uv_verify(pv->uv, pv->conf, &rrc);
    trace_s390_pv_uv_host_call("VERIFY_IMG", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        s390_pv_tcg_fail(pv, S390_PV_CMD_VERIFY, rc, rrc, false,
                         "VERIFY_IMG: %s", s390_pv_tcg_verify_reason(rrc));
        return -EIO;
    }
    s390_pv_tcg_clear_non_image(pv);
    s390_pv_tcg_hide_cpus(true);
    pv->start_pending = true;
    return 0;
}

/*
 * A call of a reboot that stays protected, which cannot fail on a sound
 * configuration: as with KVM (s390_pv_cmd_exit()), QEMU exits if it does.
 */
static void s390_pv_tcg_reboot_call(const char *name,
                                    uint16_t (*call)(SeUv *, uint64_t,
                                                     uint16_t *))
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    uint16_t rc, rrc = 0;

    if (!pv) {
        return;
    }
    g_assert(bql_locked());
    rc = call(pv->uv, pv->conf, &rrc);
    trace_s390_pv_uv_host_call(name, rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        error_report("s390-pv-guest: %s failed (rc 0x%x rrc 0x%x)",
                     name, rc, rrc);
        exit(1);
    }
}

/* Reboot while staying protected (diag 0x308 subcodes 0 and 1) */
void s390_pv_prep_reset(void)
{
    s390_pv_tcg_reboot_call("PREPARE_RESET", se_uv_prepare_reset);
}

void s390_pv_unshare(void)
{
    s390_pv_tcg_reboot_call("SET_UNSHARE_ALL", se_uv_unshare_all);
}

/*
 * s390_machine_protect() failed: tell the guest in R1+1 of its diag 0x308
 * subcode 10 (R1 recorded by s390_pv_tcg_diag308, KVM reads it from the
 * SIE block), and say once on stderr which check failed.
 */
void s390_pv_inject_reset_error(CPUState *cs)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest_of(current_machine);
    CPUS390XState *env = &S390_CPU(cs)->env;
    S390PvFailure none = { 0 };
    S390PvFailure *f = pv ? &pv->fail : &none;
    uint64_t r1 = pv ? pv->diag308_r1 : 0;

    trace_s390_pv_reset_error(f->cmd, f->rc, f->rrc);
    if (f->failed && !f->reported) {
        error_report("s390-pv-guest: protected boot failed: %s "
                     "(rc 0x%x rrc 0x%x)", f->what, f->rc, f->rrc);
        f->reported = true;
    }
    /* R1 = 15 would name a register pair that does not exist */
    if (r1 < 15) {
        env->regs[r1 + 1] = s390_pv_tcg_reset_error_code(f);
    }
}

/* ---- CPU hooks (target/s390x/uv-tcg.h) ---------------------------------- */

/*
 * diag 0x308 subcodes 8-10.  Setting and storing the PV IPIB (8, 9) are
 * handle_diag_308()'s; the ultravisor adds that a protected guest gets
 * none of them [I], and that subcode 10 records where to report a failed
 * protected boot.
 */
bool s390_pv_tcg_diag308(void *opaque, S390CPU *cpu, uint64_t r1,
                         uint64_t subcode, uintptr_t ra)
{
    S390PvTcgGuest *pv = opaque;
    CPUS390XState *env = &cpu->env;

    g_assert(bql_locked());
    if (pv->machine->pv) {
        qemu_log_mask(LOG_GUEST_ERROR, "s390-pv-guest: diag 0x308 subcode "
                      "%" PRIu64 " from the protected guest\n", subcode);
        trace_s390_pv_diag308(subcode, 0);
        s390_program_interrupt(env, PGM_SPECIFICATION, ra);
        return true;
    }
    if (subcode == DIAG308_PV_START && s390_ipl_get_iplb_pv()) {
        /*
         * If entering protected mode fails, the machine reset lets this
         * CPU continue after the diag with the error in R1+1.  TCG keeps
         * the PSW address lazily, so make it exact first: the reset
         * request leaves the CPU loop without restoring it.
         */
        s390_pv_tcg_fail_clear(pv);
        pv->diag308_r1 = r1;
        cpu_restore_state(CPU(cpu), ra);
        env->psw.addr += 4;
        trace_s390_pv_diag308(subcode, DIAG_308_RC_OK);
    }
    return false;       /* handle_diag_308 goes on */
}

bool s390_pv_tcg_load_normal(void *opaque, S390CPU *cpu)
{
    S390PvTcgGuest *pv = opaque;
    CPUState *cs = CPU(cpu);
    uint64_t mask, addr;
    uint16_t rc, rrc = 0;

    g_assert(bql_locked());
    /* only the first start after VERIFY_IMG: reboots load from 0 [I] */
    if (!pv->start_pending) {
        return false;
    }
    pv->start_pending = false;
    if (!se_uv_start_psw(pv->uv, &mask, &addr)) {
        return false;
    }
    rc = se_uv_cpu_set_state(pv->uv, pv->cpu_handles[cs->cpu_index],
                             SE_UV_CPU_STATE_OPR_LOAD, &rrc);
    trace_s390_pv_uv_cpu_call("CPU_SET_STATE", cs->cpu_index, rc, rrc);
    cpu->env.psw.mask = mask;
    cpu->env.psw.addr = addr;
    trace_s390_pv_start_psw(cs->cpu_index, mask, addr);
    return true;
}

QEMU_BUILD_BUG_ON(S390_UVC_HDR_SIZE != UVC_HDR_SIZE);
QEMU_BUILD_BUG_ON(S390_UVC_CB_MAX_SIZE != UVC_CB_MAX_SIZE);

typedef struct S390PvUvcCaller {
    S390CPU *cpu;
    S390UvRealToAbs real_to_abs;
} S390PvUvcCaller;

static bool s390_pv_tcg_real_to_abs(void *opaque, uint64_t real,
                                    uint64_t *abs)
{
    S390PvUvcCaller *c = opaque;

    return c->real_to_abs(c->cpu, real, abs);
}

/*
 * The ultravisor's own access to the caller's storage (the attestation
 * request and its results): guest real addresses, page by page through
 * prefixing, secure pages included (this is not a host path).
 */
static bool s390_pv_tcg_guest_rw(void *opaque, uint64_t real, void *buf,
                                 size_t len, bool write)
{
    S390PvUvcCaller *c = opaque;
    uint8_t *p = buf;

    while (len) {
        size_t n = MIN(len, SE_UV_PAGE_SIZE - real % SE_UV_PAGE_SIZE);
        uint64_t abs;

        if (real + n < real || !c->real_to_abs(c->cpu, real, &abs) ||
            address_space_rw(&address_space_memory, abs,
                             MEMTXATTRS_UNSPECIFIED, p, n, write) !=
            MEMTX_OK) {
            return false;
        }
        real += n;
        p += n;
        len -= n;
    }
    return true;
}

static bool s390_pv_tcg_guest_read(void *opaque, uint64_t real, void *buf,
                                   size_t len)
{
    return s390_pv_tcg_guest_rw(opaque, real, buf, len, false);
}

static bool s390_pv_tcg_guest_write(void *opaque, uint64_t real,
                                    const void *buf, size_t len)
{
    return s390_pv_tcg_guest_rw(opaque, real, (void *)buf, len, true);
}

int s390_pv_tcg_uvc(void *opaque, S390CPU *cpu, uint8_t *cb, size_t len,
                    S390UvRealToAbs real_to_abs)
{
    S390PvTcgGuest *pv = opaque;
    S390PvUvcCaller caller = { .cpu = cpu, .real_to_abs = real_to_abs };
    SeUvGuestOps ops = { .real_to_abs = s390_pv_tcg_real_to_abs,
                         .opaque = &caller,
                         .read = s390_pv_tcg_guest_read,
                         .write = s390_pv_tcg_guest_write };
    uint16_t cmd, rc, rrc;
    bool secure;
    int cc;

    g_assert(bql_locked());
    secure = pv->machine->pv &&
             se_uv_conf_state(pv->uv) == SE_UV_CONF_VERIFIED;
    cc = se_uv_guest_call(pv->uv, secure, cb, len, &ops);
    cmd = lduw_be_p(cb + 2);
    rc = lduw_be_p(cb + 4);
    rrc = lduw_be_p(cb + 6);
    trace_s390_pv_guest_uvc(cmd, lduw_be_p(cb), rc, rrc, secure, cc);
    if (cc == UVC_CC_ERROR) {
        qemu_log_mask(LOG_GUEST_ERROR, "s390-pv-guest: guest UVC 0x%04x "
                      "failed: rc 0x%04x rrc 0x%04x\n", cmd, rc, rrc);
    }
    return cc;
}
