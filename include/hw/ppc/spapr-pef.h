/*
 * pseries Secure VMs under TCG: the pef-guest object's built-in
 * ultravisor (hw/ppc/ultravisor/spapr-pef.c).  With KVM, pef-guest keeps
 * QEMU's behaviour (the host's ultravisor does the work) and none of this
 * runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_SPAPR_PEF_H
#define HW_PPC_SPAPR_PEF_H

#include "system/confidential-guest-support.h"
#include "target/ppc/cpu-qom.h"

typedef struct SpaprPef SpaprPef;

/*
 * Called by pef-guest (hw/ppc/pef.c) when the machine starts under TCG:
 * @tpm_id names the -tpmdev the ultravisor unwraps keys with (NULL: none).
 */
int spapr_pef_tcg_init(ConfidentialGuestSupport *cgs, const char *tpm_id,
                       SpaprPef **state, Error **errp);
/* Machine reset: a normal guest again; the TPM key channel set up anew. */
void spapr_pef_tcg_reset(SpaprPef *s);
void spapr_pef_tcg_free(SpaprPef *s);

/* ConfidentialGuestSupportClass hooks; @s may be NULL (KVM). */
bool spapr_pef_host_access_ok(SpaprPef *s, uint64_t addr, uint64_t len);
bool spapr_pef_dump_ok(SpaprPef *s, Error **errp);

/* pef-guest's TCG state, NULL under KVM or for another object. */
SpaprPef *pef_guest_tcg_state(ConfidentialGuestSupport *cgs);

/* From the pseries CPU code (hw/ppc/spapr_cpu_core.c). */
void spapr_pef_cpu_realized(PowerPCCPU *cpu);
void spapr_pef_cpu_reset(PowerPCCPU *cpu);
/* A thread (re)starts (spapr_cpu_set_entry_state): in a Secure VM, S=1. */
void spapr_pef_cpu_entry(PowerPCCPU *cpu);

#endif /* HW_PPC_SPAPR_PEF_H */
