/*
 * PowerNV Protected Execution Facility (pef=on): secure memory, the
 * ultravisor (built-in or external firmware) and their machine glue.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_PNV_PEF_H
#define HW_PPC_PNV_PEF_H

#include "hw/ppc/pnv.h"

/* Real address of secure memory: POWER9 RA bit 15 (POWER10: [U] same) */
#define PNV_PEF_SECURE_BASE     UINT64_C(0x0001000000000000)
#define PNV_PEF_DEFAULT_SECURE_SIZE (256 * MiB)

typedef struct PnvPef PnvPef;

/* Machine properties pef, secure-memory, uv-firmware (POWER9/POWER10) */
void pnv_pef_class_init(ObjectClass *oc);

/* pnv_init(), after RAM is mapped and before the chips are created */
void pnv_pef_machine_init(PnvMachineState *pnv);

/* pnv_core: around each thread's realize, and at its reset */
void pnv_pef_cpu_pre_realize(PowerPCCPU *cpu);
void pnv_pef_cpu_realized(PowerPCCPU *cpu);
void pnv_pef_cpu_reset(PowerPCCPU *cpu);

/* pnv_dt_create() and pnv_reset() */
void pnv_pef_dt_populate(PnvMachineState *pnv, void *fdt);
void pnv_pef_reset(PnvMachineState *pnv);

#endif /* HW_PPC_PNV_PEF_H */
