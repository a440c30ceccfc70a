/*
 * PowerNV Protected Execution Facility (pef=on): secure memory, the
 * ultravisor (built-in or external firmware) and their machine glue.
 *
 * Every powernv machine with PEF-capable CPUs (powernv9, powernv10) owns
 * one PnvPef, a child object made at instance_init that holds the pef,
 * secure-memory and uv-firmware settings; with pef=on,
 * pnv_pef_machine_init() sets it up and it becomes the machine's
 * confidential-guest-support object.
 *
 * Locking: the PEF state is the machine's and is guarded by the BQL;
 * every entry point runs with it held and asserts it ("sc 2" and
 * interrupts reach the ultravisor from the vCPU's interrupt delivery,
 * which holds it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_PNV_PEF_H
#define HW_PPC_PNV_PEF_H

#include "hw/ppc/pnv.h"

/* Real address of secure memory: POWER9 RA bit 15 (POWER10: [U] same) */
#define PNV_PEF_SECURE_BASE     UINT64_C(0x0001000000000000)
#define PNV_PEF_DEFAULT_SECURE_SIZE (256 * MiB)

#define TYPE_PNV_PEF "pnv-pef"
OBJECT_DECLARE_SIMPLE_TYPE(PnvPef, PNV_PEF)

/* Machine properties pef, secure-memory, uv-firmware (POWER9/POWER10) */
void pnv_pef_class_init(ObjectClass *oc);

/* TypeInfo::instance_init of the powernv machines: their PnvPef */
void pnv_pef_machine_instance_init(Object *obj);

/* pnv_init(), after RAM is mapped and before the chips are created */
bool pnv_pef_machine_init(PnvMachineState *pnv, Error **errp);

/* pnv_core: around each thread's realize, and at its reset */
void pnv_pef_cpu_pre_realize(PowerPCCPU *cpu);
void pnv_pef_cpu_realized(PowerPCCPU *cpu);
void pnv_pef_cpu_reset(PowerPCCPU *cpu);

/* pnv_dt_create() and pnv_reset() */
void pnv_pef_dt_populate(PnvMachineState *pnv, void *fdt);
void pnv_pef_reset(PnvMachineState *pnv);

#endif /* HW_PPC_PNV_PEF_H */
