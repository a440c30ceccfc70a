/*
 * qemu-ibm-cc: protected boot of an IBM Z Secure Execution guest under
 * TCG, on top of the emulated ultravisor (hw/s390x/se/uv-core.c).
 *
 * Implements the s390_pv_* functions that the s390-ccw machine calls
 * where KVM issues its KVM_PV_* ioctls (target/s390x/kvm/pv.h), the
 * parts of diag 0x308 that belong to the ultravisor (subcodes 8-10), the
 * start PSW of the protected image, and the glue of guest UVCs.
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
#include "qapi/error.h"
#include "qemu/error-report.h"
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
#include "s390-pv-tcg.h"
#include "trace.h"

/*
 * [I] How a failed protected boot is reported to the guest: as QEMU 10.1
 * does (reference section 5, stage3a), R1+1 of the diag 0x308 subcode 10
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
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    uint16_t rc, rrc = 0;
    CPUState *cs;

    if (!pv) {
        return -EINVAL;
    }
    s390_pv_tcg_fail_clear(pv);
    g_array_set_size(pv->unpacked, 0);
    pv->start_pending = false;

    qemu_mutex_lock(&pv->lock);
    rc = se_uv_create_conf(pv->uv, &pv->conf, &rrc);
    trace_s390_pv_uv_host_call("CREATE_SEC_CONF", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        qemu_mutex_unlock(&pv->lock);
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
            qemu_mutex_unlock(&pv->lock);
            s390_pv_tcg_fail(pv, S390_PV_CMD_ENABLE, rc, rrc, false,
                             "cannot create secure CPU %d", cs->cpu_index);
            return -EIO;
        }
    }
    qemu_mutex_unlock(&pv->lock);
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
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    g_autoptr(GArray) wipe = NULL;
    uint16_t rc, rrc;
    unsigned i;

    if (!pv) {
        return;
    }
    wipe = g_array_new(false, false, sizeof(S390PvRange));

    qemu_mutex_lock(&pv->lock);
    if (!se_uv_protected(pv->uv)) {
        qemu_mutex_unlock(&pv->lock);
        return;
    }
    if (se_uv_conf_state(pv->uv) == SE_UV_CONF_VERIFIED) {
        uint64_t size = MACHINE(qdev_get_machine())->ram_size;
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
    qemu_mutex_unlock(&pv->lock);

    /*
     * Clear before the pages become host-accessible again: devices keep
     * being refused until DESTROY_SEC_CONF.  The vCPUs are stopped.
     */
    for (i = 0; i < wipe->len; i++) {
        S390PvRange *r = &g_array_index(wipe, S390PvRange, i);

        s390_pv_tcg_zero(r->start, r->end);
    }

    qemu_mutex_lock(&pv->lock);
    rc = se_uv_destroy_conf(pv->uv, pv->conf, &rrc);
    trace_s390_pv_uv_host_call("DESTROY_SEC_CONF", rc, rrc);
    pv->conf = 0;
    qemu_mutex_unlock(&pv->lock);

    g_array_set_size(pv->unpacked, 0);
    pv->start_pending = false;
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
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    const uint8_t *hdr = (const uint8_t *)(uintptr_t)origin;
    SeError err = { 0 };
    uint16_t rc, rrc = 0;

    if (!pv) {
        error_setg(errp, "s390-pv-guest: no emulated ultravisor");
        return -EINVAL;
    }
    qemu_mutex_lock(&pv->lock);
    rc = se_uv_set_params(pv->uv, pv->conf, hdr, length, &rrc, &err);
    qemu_mutex_unlock(&pv->lock);
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
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    g_autofree uint8_t *page = g_malloc(SE_UV_PAGE_SIZE);
    uint64_t off;
    uint16_t rc = UVC_RC_EXECUTED, rrc = 0;
    int ret = 0;

    if (!pv) {
        return -EINVAL;
    }
    for (off = 0; off < size; off += SE_UV_PAGE_SIZE) {
        uint64_t gaddr = addr + off;

        /* out of storage: the ultravisor rejects the address */
        if (address_space_read(&address_space_memory, gaddr,
                               MEMTXATTRS_UNSPECIFIED, page,
                               SE_UV_PAGE_SIZE) != MEMTX_OK) {
            memset(page, 0, SE_UV_PAGE_SIZE);
        }
        qemu_mutex_lock(&pv->lock);
        rc = se_uv_unpack(pv->uv, pv->conf, gaddr, tweak, off, page, &rrc);
        qemu_mutex_unlock(&pv->lock);
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

int s390_pv_verify(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    uint16_t rc, rrc = 0;

    if (!pv) {
        return -EINVAL;
    }
    qemu_mutex_lock(&pv->lock);
    rc = se_uv_verify(pv->uv, pv->conf, &rrc);
    qemu_mutex_unlock(&pv->lock);
    trace_s390_pv_uv_host_call("VERIFY_IMG", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        s390_pv_tcg_fail(pv, S390_PV_CMD_VERIFY, rc, rrc, false,
                         "VERIFY_IMG: %s", s390_pv_tcg_verify_reason(rrc));
        return -EIO;
    }
    pv->start_pending = true;
    return 0;
}

/* Reboot while staying protected (diag 0x308 subcodes 0 and 1) */
void s390_pv_prep_reset(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    uint16_t rc, rrc = 0;

    if (!pv) {
        return;
    }
    qemu_mutex_lock(&pv->lock);
    rc = se_uv_prepare_reset(pv->uv, pv->conf, &rrc);
    qemu_mutex_unlock(&pv->lock);
    trace_s390_pv_uv_host_call("PREPARE_RESET", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        error_report("s390-pv-guest: PREPARE_RESET failed (rc 0x%x rrc 0x%x)",
                     rc, rrc);
        exit(1);
    }
}

void s390_pv_unshare(void)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    uint16_t rc, rrc = 0;

    if (!pv) {
        return;
    }
    qemu_mutex_lock(&pv->lock);
    rc = se_uv_unshare_all(pv->uv, pv->conf, &rrc);
    qemu_mutex_unlock(&pv->lock);
    trace_s390_pv_uv_host_call("SET_UNSHARE_ALL", rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        error_report("s390-pv-guest: SET_UNSHARE_ALL failed "
                     "(rc 0x%x rrc 0x%x)", rc, rrc);
        exit(1);
    }
}

/*
 * s390_machine_protect() failed: tell the guest in R1+1 of its diag 0x308
 * subcode 10 (R1 recorded by s390_pv_tcg_diag308, KVM reads it from the
 * SIE block), and say once on stderr which check failed.
 */
void s390_pv_inject_reset_error(CPUState *cs)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
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

/* ---- diag 0x308 ---------------------------------------------------------- */

/* PV IPIB layout (reference "IPIB for PV"); every field is big-endian */
#define IPIB_OFF_NUM_COMP   offsetof(IplParameterBlock, pv.num_comp)
#define IPIB_OFF_HDR_ADDR   offsetof(IplParameterBlock, pv.pv_header_addr)
#define IPIB_OFF_HDR_LEN    offsetof(IplParameterBlock, pv.pv_header_len)
#define IPIB_OFF_COMPS      offsetof(IplParameterBlock, pv.components)
#define IPIB_COMP_SIZE      sizeof(IPLBlockPVComp)
QEMU_BUILD_BUG_ON(IPIB_OFF_NUM_COMP != 0x74);
QEMU_BUILD_BUG_ON(IPIB_OFF_HDR_ADDR != 0x78);
QEMU_BUILD_BUG_ON(IPIB_OFF_HDR_LEN != 0x80);
QEMU_BUILD_BUG_ON(IPIB_OFF_COMPS != 0x88);
QEMU_BUILD_BUG_ON(IPIB_COMP_SIZE != 24);

/*
 * The checks of QEMU's iplb_valid_pv(), done with big-endian reads (that
 * code reads the PV fields in host byte order), plus a bound on num_comp:
 * the components must lie within the @len bytes of the block.
 */
static bool s390_pv_tcg_ipib_valid(const IplParameterBlock *iplb,
                                   uint32_t len)
{
    const uint8_t *p = (const uint8_t *)iplb;
    uint64_t hdr_addr, hdr_len, prev_tweak = 0;
    uint32_t num, i;

    if (len < S390_IPLB_MIN_PV_LEN || len > sizeof(*iplb) ||
        iplb->pbt != S390_IPL_TYPE_PV) {
        return false;
    }
    hdr_addr = ldq_be_p(p + IPIB_OFF_HDR_ADDR);
    hdr_len = ldq_be_p(p + IPIB_OFF_HDR_LEN);
    if (hdr_len > 2 * TARGET_PAGE_SIZE ||
        !address_space_access_valid(&address_space_memory, hdr_addr, hdr_len,
                                    false, MEMTXATTRS_UNSPECIFIED)) {
        return false;
    }
    num = ldl_be_p(p + IPIB_OFF_NUM_COMP);
    if (num == 0 || num > (len - IPIB_OFF_COMPS) / IPIB_COMP_SIZE) {
        return false;
    }
    for (i = 0; i < num; i++) {
        const uint8_t *c = p + IPIB_OFF_COMPS + i * IPIB_COMP_SIZE;
        uint64_t tweak = ldq_be_p(c + offsetof(IPLBlockPVComp, tweak_pref));
        uint64_t addr = ldq_be_p(c + offsetof(IPLBlockPVComp, addr));

        if ((addr & ~TARGET_PAGE_MASK) || (i && tweak <= prev_tweak)) {
            return false;
        }
        prev_tweak = tweak;
    }
    return true;
}

/* Subcode 8: set the PV IPIB (kept in the IPL device's iplb_pv) */
static void s390_pv_tcg_diag308_set(CPUS390XState *env, uint64_t r1,
                                    uintptr_t ra)
{
    uint64_t addr = env->regs[r1];
    g_autofree IplParameterBlock *iplb = NULL;
    uint64_t rc = DIAG_308_RC_INVALID;
    uint32_t len;

    if ((r1 & 1) || (addr & ~TARGET_PAGE_MASK)) {
        s390_program_interrupt(env, PGM_SPECIFICATION, ra);
        return;
    }
    if (!address_space_access_valid(&address_space_memory, addr,
                                    sizeof(IplParameterBlock), false,
                                    MEMTXATTRS_UNSPECIFIED)) {
        s390_program_interrupt(env, PGM_ADDRESSING, ra);
        return;
    }
    iplb = g_new0(IplParameterBlock, 1);
    cpu_physical_memory_read(addr, iplb, sizeof(iplb->len));
    len = be32_to_cpu(iplb->len);
    if (len <= sizeof(*iplb)) {
        cpu_physical_memory_read(addr, iplb, len);
        if (s390_pv_tcg_ipib_valid(iplb, len)) {
            s390_ipl_update_diag308(iplb);
            rc = DIAG_308_RC_OK;
        }
    }
    env->regs[r1 + 1] = rc;
    trace_s390_pv_diag308(DIAG308_PV_SET, rc);
}

bool s390_pv_tcg_diag308(CPUS390XState *env, uint64_t r1, uint64_t r3,
                         uintptr_t ra)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    uint64_t subcode = env->regs[r3];
    bool pv_subcode = subcode == DIAG308_PV_SET ||
                      subcode == DIAG308_PV_STORE ||
                      subcode == DIAG308_PV_START;

    if (!pv || !pv_subcode) {
        return false;
    }
    /* A protected guest gets no PV subcodes from the ultravisor */
    if (S390_CCW_MACHINE(qdev_get_machine())->pv) {
        s390_program_interrupt(env, PGM_SPECIFICATION, ra);
        return true;
    }
    switch (subcode) {
    case DIAG308_PV_SET:
        s390_pv_tcg_diag308_set(env, r1, ra);
        return true;
    case DIAG308_PV_START:
        if (!s390_ipl_get_iplb_pv()) {
            return false;   /* DIAG_308_RC_NO_PV_CONF */
        }
        /*
         * If entering protected mode fails, the machine reset lets this
         * CPU continue after the diag with the error in R1+1.  TCG keeps
         * the PSW address lazily, so make it exact first: the reset
         * request leaves the CPU loop without restoring it.
         */
        s390_pv_tcg_fail_clear(pv);
        pv->diag308_r1 = r1;
        cpu_restore_state(env_cpu(env), ra);
        env->psw.addr += 4;
        return false;       /* handle_diag_308 requests the reset */
    default:
        return false;       /* subcode 9: the stored IPIB, as it is */
    }
}

/* ---- CPU start --------------------------------------------------------- */

bool s390_pv_tcg_load_normal(S390CPU *cpu)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    CPUState *cs = CPU(cpu);
    uint64_t mask, addr;
    uint16_t rc, rrc = 0;
    bool ok;

    /* only the first start after VERIFY_IMG: reboots load from 0 [I] */
    if (!pv || !pv->start_pending) {
        return false;
    }
    pv->start_pending = false;
    qemu_mutex_lock(&pv->lock);
    ok = se_uv_start_psw(pv->uv, &mask, &addr);
    if (ok) {
        rc = se_uv_cpu_set_state(pv->uv, pv->cpu_handles[cs->cpu_index],
                                 SE_UV_CPU_STATE_OPR_LOAD, &rrc);
        trace_s390_pv_uv_cpu_call("CPU_SET_STATE", cs->cpu_index, rc, rrc);
    }
    qemu_mutex_unlock(&pv->lock);
    if (!ok) {
        return false;
    }
    cpu->env.psw.mask = mask;
    cpu->env.psw.addr = addr;
    trace_s390_pv_start_psw(cs->cpu_index, mask, addr);
    return true;
}

/* ---- guest UVC ----------------------------------------------------------- */

int s390_pv_tcg_uvc(uint8_t *cb, size_t avail, const SeUvGuestOps *ops)
{
    S390PvTcgGuest *pv = s390_pv_tcg_guest();
    bool secure;
    int cc;

    if (!pv) {
        return UVC_CC_ERROR;
    }
    qemu_mutex_lock(&pv->lock);
    secure = S390_CCW_MACHINE(qdev_get_machine())->pv &&
             se_uv_conf_state(pv->uv) == SE_UV_CONF_VERIFIED;
    cc = se_uv_guest_call(pv->uv, secure, cb, avail, ops);
    qemu_mutex_unlock(&pv->lock);
    if (avail >= UVC_HDR_SIZE) {
        trace_s390_pv_guest_uvc(lduw_be_p(cb + 2), lduw_be_p(cb),
                                lduw_be_p(cb + 4), lduw_be_p(cb + 6),
                                secure, cc);
    }
    return cc;
}
