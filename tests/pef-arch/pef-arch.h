/*
 * pef-arch: bare-metal POWER9 conformance tests for the emulated
 * ultravisor state (MSR[S], UV SPRs, urfid, sc 2, URMOR, secure memory).
 * Shared constants and the layout of the trap block, used by both the
 * assembly (start.S) and the C side.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef PEF_ARCH_H
#define PEF_ARCH_H

/* SPR numbers */
#define SPR_DSISR       18
#define SPR_DAR         19
#define SPR_SRR0        26
#define SPR_SRR1        27
#define SPR_SPRG0       272
#define SPR_SPRG1       273
#define SPR_SPRG2       274
#define SPR_SPRG3       275
#define SPR_HRMOR       313
#define SPR_HSRR0       314
#define SPR_HSRR1       315
#define SPR_LPCR        318
#define SPR_LPIDR       319
#define SPR_HEIR        339
#define SPR_PTCR        464
#define SPR_PIR         1023
#define SPR_PVR         287
#define SPR_HID0        1008
/* Ultravisor SPRs (open-power/pdbg libpdbg/sprs.h) */
#define SPR_USPRG0      0x1F0
#define SPR_USPRG1      0x1F1
#define SPR_UDAR        0x1F3
#define SPR_SEIDR       0x1F8
#define SPR_URMOR       0x1F9
#define SPR_USRR0       0x1FA
#define SPR_USRR1       0x1FB
#define SPR_UEIR        0x1FD
#define SPR_ACMCR       0x1FE
#define SPR_SMFCTRL     0x1FF

/* Marker in r3 for a trap that the handler forwarded to the home state */
#define TRAP_FORWARD    0x7F3D

/*
 * Trap block: one per copy of the image (secure and normal).
 *  scratch[2], g_mode (0 built-in, 1 external), copy_id, active,
 *  jmpctx (r1, r2, lr, cr, regs pointer, r14..r31), two trap records:
 *  rec[0] = trap taken in the home state, rec[1] = trap taken elsewhere
 *  and forwarded home by the handler with "sc 1" / "sc 2".
 */
#define TB_SCR0         0
#define TB_SCR1         8
#define TB_GMODE        16
#define TB_COPYID       24
#define TB_ACTIVE       32
#define TB_JB           40
#define JB_R1           0
#define JB_R2           8
#define JB_LR           16
#define JB_CR           24
#define JB_REGS         32
#define JB_NV           40      /* r14..r31, 18 doublewords */
#define TB_FINAL        224     /* external: HV traps are the last test */
#define TB_REC0         256
#define TB_REC1         768
#define TB_SIZE         1280

#define REC_VALID       0
#define REC_VEC         8
#define REC_MSR         16
#define REC_SRR0        24
#define REC_SRR1        32
#define REC_HSRR0       40
#define REC_HSRR1       48
#define REC_DAR         56
#define REC_DSISR       64
#define REC_HEIR        72
#define REC_USRR0       80
#define REC_USRR1       88
#define REC_LR          96
#define REC_CTR         104
#define REC_CR          112
#define REC_XER         120
#define REC_COPY        128
#define REC_GPR         144
#define REC_SIZE        512

/* Configuration block at image offset 0x20, patched by the runner */
#define CFG_OFFSET      0x20
#define CFG_MAGIC       0x5045464346473031  /* "PEFCFG01" */
#define CFG_EXPECT_PEF  1                   /* flags bit: pef=on expected */
#define CFG_SMP         2                   /* flags bit: >1 thread */
#define CFG_HOSTILE     4                   /* hostile-host suite guest */
#define CFG_HOSTILE_HV  8                   /* ... that leaves for HV */
/* with CFG_HOSTILE: flags bits 32..63 are the suite's token */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct TrapRec {
    uint64_t valid, vec, msr, srr0, srr1, hsrr0, hsrr1, dar, dsisr, heir;
    uint64_t usrr0, usrr1, lr, ctr, cr, xer, copy, pad;
    uint64_t gpr[32];
    uint64_t pad2[(REC_SIZE - REC_GPR - 32 * 8) / 8];
} TrapRec;

typedef struct TrapBlock {
    uint64_t scratch[2];
    uint64_t g_mode;
    uint64_t copy_id;
    uint64_t active;
    uint64_t jb[(TB_FINAL - TB_JB) / 8];
    uint64_t final;
    uint64_t pad[(TB_REC0 - TB_FINAL - 8) / 8];
    TrapRec rec[2];
} TrapBlock;

_Static_assert(sizeof(TrapRec) == REC_SIZE, "TrapRec layout");
_Static_assert(sizeof(TrapBlock) == TB_SIZE, "TrapBlock layout");
_Static_assert(__builtin_offsetof(TrapRec, copy) == REC_COPY, "REC_COPY");
_Static_assert(__builtin_offsetof(TrapBlock, rec) == TB_REC0, "TB_REC0");
#endif

#endif
