/*
 * The ultravisor's TPM on both PEF machines (see
 * include/hw/ppc/ultravisor/pef-tpm-glue.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "crypto/random.h"
#include "system/tpm_backend.h"
#include "hw/ppc/ultravisor/pef-tpm-glue.h"
#include "trace.h"

/*
 * One command to the -tpmdev backend, synchronously: the ultravisor waits
 * for its TPM (the real one through the hypervisor's H_TPM_COMM).
 */
static ssize_t pef_tpm_transmit(void *opaque, const uint8_t *cmd, size_t len,
                                uint8_t *rsp, size_t rsp_max)
{
    PefTpm *t = opaque;
    TPMBackendClass *k = TPM_BACKEND_GET_CLASS(t->be);
    TPMBackendCmd c = {
        .in = cmd,
        .in_len = len,
        .out = rsp,
        .out_len = rsp_max,
    };
    Error *err = NULL;
    int64_t t0 = get_clock();
    uint32_t n;

    if (rsp_max < 10) {
        return -1;
    }
    k->handle_request(t->be, &c, &err);
    t->cmds++;
    t->ns += get_clock() - t0;
    if (err) {
        trace_pef_tpm_error(t->owner, error_get_pretty(err));
        error_free(err);
        return -1;
    }
    n = ldl_be_p(rsp + 2);
    if (n < 10 || n > rsp_max) {
        return -1;
    }
    return n;
}

bool pef_tpm_init(PefTpm *t, const char *owner, const char *id, Error **errp)
{
    memset(t, 0, sizeof(*t));
    t->owner = owner;
    if (!id) {
        return true;
    }
    t->be = qemu_find_tpm_be(id);
    if (!t->be) {
        error_setg(errp, "%s: tpm '%s' is not a -tpmdev", owner, id);
        return false;
    }
    t->id = g_strdup(id);
    t->io.transmit = pef_tpm_transmit;
    t->io.opaque = t;
    /* tpm2-tss reports refused commands on stderr unless told */
    if (!g_getenv("TSS2_LOG")) {
        g_setenv("TSS2_LOG", "all+none", true);
    }
    return true;
}

void pef_tpm_fini(PefTpm *t)
{
    g_free(t->id);
    t->id = NULL;
}

/*
 * Firmware's part at every boot: start the TPM, provision the wrapping
 * key, give it a fresh password only the ultravisor learns.
 */
bool pef_tpm_provision(PefTpm *t, UvPefTpmKey *key)
{
    uint8_t passwd[UV_PEF_TPM_PASSWD_LEN];
    const char *why = NULL;
    size_t i;
    bool ok;

    if (!t->be) {
        return false;
    }
    if (t->be->tpmif) {
        error_report("%s: tpmdev '%s' is also used by a TPM device; give the "
                     "ultravisor a tpmdev of its own", t->owner, t->id);
        exit(1);
    }
    if (tpm_backend_startup_tpm(t->be, UV_PEF_TPM_BUF_MAX) < 0) {
        error_report("%s: tpmdev '%s' did not start: Secure VMs cannot enter "
                     "secure mode", t->owner, t->id);
        return false;
    }
    /* A C string in the firmware's interface: no zero byte */
    qcrypto_random_bytes(passwd, sizeof(passwd), &error_abort);
    for (i = 0; i < sizeof(passwd); i++) {
        passwd[i] = passwd[i] % 255 + 1;
    }
    ok = uv_pef_tpm_provision(&t->io, passwd, key, &why);
    if (!ok) {
        error_report("%s: provisioning tpmdev '%s' failed: %s; Secure VMs "
                     "cannot enter secure mode", t->owner, t->id, why);
    }
    memset(passwd, 0, sizeof(passwd));
    return ok;
}

void pef_tpm_count(PefTpm *t)
{
    t->cmds = 0;
    t->ns = 0;
}
