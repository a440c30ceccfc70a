/*
 * The ultravisor's TPM on both PEF machines: a -tpmdev backend of its own
 * that the built-in ultravisor sends its commands to, provisioned at every
 * machine reset as the firmware of a PEF system does (uv-pef-tpm.h).
 * QEMU glue shared by hw/ppc/ultravisor/spapr-pef.c and pnv-pef.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_PEF_TPM_GLUE_H
#define HW_PPC_ULTRAVISOR_PEF_TPM_GLUE_H

#include "hw/ppc/ultravisor/uv-pef-tpm.h"
#include "system/tpm_backend.h"

typedef struct PefTpm {
    const char *owner;      /* for messages: "pef-guest", "powernv" */
    char *id;               /* the -tpmdev id, NULL: no TPM */
    TPMBackend *be;
    UvPefTpmIo io;          /* what the ultravisor core talks to */
    unsigned cmds;          /* commands ... */
    int64_t ns;             /* ... and their time, since pef_tpm_count() */
} PefTpm;

/* Find -tpmdev @id (NULL: none) for @owner; false with @errp set. */
bool pef_tpm_init(PefTpm *t, const char *owner, const char *id,
                  Error **errp);
void pef_tpm_fini(PefTpm *t);

/*
 * Machine reset: start the backend, provision the wrapping key with a
 * fresh password and fill @key.  false (reported) when there is no TPM or
 * it failed: Secure VMs then cannot enter secure mode.  Exits when the
 * backend is also a guest's TPM device.
 */
bool pef_tpm_provision(PefTpm *t, UvPefTpmKey *key);

/* Start counting commands (for a trace line) */
void pef_tpm_count(PefTpm *t);

#endif
