/*
 * qemu-ibm-cc: the protected dump of an s390x guest under TCG.
 *
 * target/s390x/arch_dump.c writes a protected guest's ELF dump as it does
 * with KVM (sections "pv_mem_meta" and "pv_compl", one encrypted
 * NT_S390_PV_CPU_DATA note per CPU), calling these CPU hooks where it
 * would issue KVM_PV_DUMP ioctls; dump/dump.c passes every page of guest
 * memory through dump_page, the host's view of a secure page while the
 * ultravisor dumps: encrypted.  The result is what s390-tools' zgetdump
 * (and our tools/se-dump) decrypt with the image's customer communication
 * key.  The ultravisor's side is in uv-core.c and se-dump.c.
 *
 * A dump runs with the VM stopped, but in its own thread with
 * dump-guest-memory's detach=true: every hook takes the BQL (which it may
 * already hold) since the ultravisor's state is guarded by it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/cc-wipe.h"
#include "hw/boards.h"
#include "hw/s390x/se/s390-pv-guest.h"
#include "trace.h"

static bool s390_pv_dump_ok(const char *cmd, uint16_t rc, uint16_t rrc)
{
    trace_s390_pv_dump_call(cmd, rc, rrc);
    if (rc != UVC_RC_EXECUTED) {
        error_report("s390-pv-guest: protected dump: %s failed "
                     "(rc 0x%04x rrc 0x%04x)", cmd, rc, rrc);
        return false;
    }
    return true;
}

bool s390_pv_tcg_protected(void *opaque)
{
    S390PvTcgGuest *pv = opaque;

    return se_uv_protected(pv->uv);
}

bool s390_pv_tcg_dump_start(void *opaque)
{
    S390PvTcgGuest *pv = opaque;
    uint16_t rc, rrc;
    BQL_LOCK_GUARD();

    rc = se_uv_dump_init(pv->uv, pv->conf, &rrc);
    return s390_pv_dump_ok("DUMP_INIT", rc, rrc);
}

bool s390_pv_tcg_dump_cpu(void *opaque, S390CPU *cpu, void *buf)
{
    S390PvTcgGuest *pv = opaque;
    CPUS390XState *env = &cpu->env;
    SeDumpCpuState st = { 0 };
    uint16_t rc, rrc;
    unsigned i;
    BQL_LOCK_GUARD();

    for (i = 0; i < 16; i++) {
        st.gprs[i] = env->regs[i];
        st.acrs[i] = env->aregs[i];
        st.crs[i] = env->cregs[i];
    }
    for (i = 0; i < 32; i++) {
        st.vrs[i][0] = env->vregs[i][0];
        st.vrs[i][1] = env->vregs[i][1];
    }
    for (i = 0; i < 4; i++) {
        st.gscb[i] = env->gscb[i];
    }
    st.psw_mask = s390_cpu_get_psw_mask(env);
    st.psw_addr = env->psw.addr;
    st.prefix = env->psa;
    st.fpc = env->fpc;
    st.todpr = env->todpr;
    st.timer = env->cputm;
    st.todcmp = env->ckc;
    /* TCG completes every instruction before the VM stops: no partial */
    rc = se_uv_dump_cpu(pv->uv, pv->cpu_handles[CPU(cpu)->cpu_index], &st,
                        buf, &rrc);
    cc_wipe(&st, sizeof(st));
    return s390_pv_dump_ok("DUMP_CPU", rc, rrc);
}

bool s390_pv_tcg_dump_stor_state(void *opaque, uint64_t gaddr, uint64_t len,
                                 void *buf)
{
    S390PvTcgGuest *pv = opaque;
    uint16_t rc = UVC_RC_EXECUTED, rrc = 0;
    uint8_t *out = buf;
    BQL_LOCK_GUARD();

    /* As KVM does: one call per MiB, the whole buffer or fail */
    if (len % SE_DUMP_STOR_STATE_LEN) {
        return s390_pv_dump_ok("DUMP_CONF_STOR_STATE", UVC_RC_INV_LEN, 0);
    }
    for (; len && rc == UVC_RC_EXECUTED; len -= SE_DUMP_STOR_STATE_LEN) {
        rc = se_uv_dump_stor_state(pv->uv, pv->conf, gaddr, out, &rrc);
        gaddr += SE_DUMP_STOR_BLOCK;
        out += SE_DUMP_STOR_STATE_LEN;
    }
    return s390_pv_dump_ok("DUMP_CONF_STOR_STATE", rc, rrc);
}

bool s390_pv_tcg_dump_complete(void *opaque, void *buf)
{
    S390PvTcgGuest *pv = opaque;
    uint16_t rc, rrc;
    BQL_LOCK_GUARD();

    rc = se_uv_dump_complete(pv->uv, pv->conf, buf, &rrc);
    return s390_pv_dump_ok("DUMP_COMPLETE", rc, rrc);
}

bool s390_pv_tcg_dump_page(void *opaque, uint64_t gaddr, const void *in,
                           void *out, size_t len)
{
    S390PvTcgGuest *pv = opaque;
    uint16_t rc, rrc;
    BQL_LOCK_GUARD();

    /* whole pages only: a partial page cannot be encrypted on its own */
    if (len != SE_UV_PAGE_SIZE) {
        error_report("s390-pv-guest: protected dump: 0x%zx bytes at 0x%"
                     PRIx64 " are not a whole page", len, gaddr);
        return false;
    }
    rc = se_uv_dump_export(pv->uv, gaddr, in, out, &rrc);
    if (rc != UVC_RC_EXECUTED) {
        trace_s390_pv_dump_call("export", rc, rrc);
        return false;
    }
    return true;
}
