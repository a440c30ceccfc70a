/*
 * pef-arch: entry points, interrupt vectors, trap handler, the probe
 * mechanism and the small instruction sequences ("snippets") the tests run.
 *
 * The image is linked at 0 and runs with EA == link address everywhere:
 *  - built-in mode: loaded with -bios at RA 0, started at 0x10 in HV real
 *    mode (HRMOR 0);
 *  - external mode: loaded with -bios at RA 0 and by uv-firmware= at
 *    secure_base; every thread starts the -bios copy at 0x10 in UV state
 *    with URMOR = 0, as firmware does on a PEF machine.  Each thread then
 *    does what the firmware and ultravisor do: it points URMOR at the
 *    secure copy (on POWER9 by writing secure_base - 0x7C800000, the
 *    ultravisor's "Nimbus URMOR adjustment") and goes on there: EA X then
 *    means RA URMOR|X (the secure copy).  The image copies itself to RA 0
 *    so that HV-state code at EA X finds the same bytes (the "normal
 *    copy"); an SVM (S=1,HV=0) gets a partition-scoped mapping guest-real
 *    0 -> secure_base, so it also sees the secure copy.
 *
 * Every vector 0x100..0x17E0 enters common_trap, which saves the state
 * into a trap record.  Traps taken in the "home" state (HV in built-in
 * mode, UV in external mode) resume the active probe, which returns 1.
 * Traps taken elsewhere are saved in the forward record and then sent home
 * with "sc 1" (built-in) or "sc 2" (external), r3 = TRAP_FORWARD.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "pef-arch.h"

#define LOADADDR(reg, sym)      \
    lis reg, sym@ha;            \
    addi reg, reg, sym@l

    .machine power9
    .section .head, "ax"
    .globl _start
_start:
    .org 0x0
    b .                         /* nothing starts here */
    .org 0x10
    b fw_entry                  /* skiboot's entry 0x10, either mode */

    .org CFG_OFFSET
    .globl cfg_block
cfg_block:
    .quad CFG_MAGIC
    .quad 0                     /* flags, patched by the runner */

    /* Interrupt vectors: 8 instructions each, 0x100 .. 0x17E0 */
    .set vec, 0x100
    .rept (0x1800 - 0x100) / 0x20
    .org vec
    mtspr SPR_SPRG0, %r3
    li %r3, vec
    b common_trap
    .set vec, vec + 0x20
    .endr
    .org 0x1800

    .text
/* ------------------------------------------------------------------ */
/*
 * Entry of either mode: secondary threads go to secondary_entry; thread 0
 * records MSR (left in r9), r3, r4, \external and the URMOR and PTCR it
 * found (r14, r15) in boot_info.
 */
.macro record_boot external
    mfspr %r10, SPR_PIR
    cmpdi %r10, 0
    bne secondary_entry
    mfmsr %r9
    LOADADDR(%r11, boot_info)
    std %r9, 0(%r11)
    std %r3, 8(%r11)
    std %r4, 16(%r11)
    li %r10, \external
    std %r10, 24(%r11)
    std %r14, 32(%r11)
    std %r15, 40(%r11)
.endm

/* started in UV state (MSR[S]=1): the external mode */
fw_entry:
    mfmsr %r9
    rldicl. %r9, %r9, 42, 63    /* MSR[S] */
    beq builtin_entry
    mfspr %r14, SPR_URMOR
    mfspr %r15, SPR_PTCR
    li %r9, 1
    sldi %r9, %r9, 48           /* secure_base */
    mfspr %r10, SPR_PVR
    srdi %r10, %r10, 16
    cmpdi %r10, 0x004e          /* POWER9: URMOR takes the value + 0x7C800000 */
    bne 1f
    lis %r10, 0x7C80
    subf %r9, %r10, %r9
1:  mtspr SPR_URMOR, %r9
    isync
    /* from here on the same code runs from the secure copy */

ext_entry:
    record_boot 1
    /* MSR[ME] should already be 1 (checked later); make sure with urfid */
    andi. %r8, %r9, 0x1000
    bne common_start
    ori %r9, %r9, 0x1000
    LOADADDR(%r12, common_start)
    mtspr SPR_USRR0, %r12
    mtspr SPR_USRR1, %r9
    urfid

builtin_entry:
    li %r14, 0
    li %r15, 0
    record_boot 0
    /* stock reset has MSR[ME]=0 and mtmsrd cannot set ME: use hrfid */
    ori %r9, %r9, 0x1000
    LOADADDR(%r12, common_start)
    mtspr SPR_HSRR0, %r12
    mtspr SPR_HSRR1, %r9
    hrfid

/* other threads: note MSR (| 1) in secondary_msr[PIR & 63], then spin */
secondary_entry:
    mfmsr %r9
    ori %r9, %r9, 1
    andi. %r10, %r10, 63
    sldi %r10, %r10, 3
    LOADADDR(%r11, secondary_msr)
    stdx %r9, %r11, %r10
    sync
secondary_spin:
    or 31, 31, 31
    b secondary_spin

    .section .data
    .balign 8
    .globl secondary_msr
secondary_msr:
    .fill 64, 8, 0
    .text

/* r10 = mode (0 built-in, 1 external) */
common_start:
    LOADADDR(%r5, __bss_start)
    LOADADDR(%r6, __bss_end)
    li %r0, 0
1:  cmpld %r5, %r6
    bge 2f
    std %r0, 0(%r5)
    addi %r5, %r5, 8
    b 1b
2:  LOADADDR(%r5, trap_block)
    std %r10, TB_GMODE(%r5)
    li %r6, 1
    std %r6, TB_COPYID(%r5)
    li %r6, 0
    std %r6, TB_ACTIVE(%r5)
    cmpdi %r10, 0
    beq 4f
    /* external: copy [0, _end) from the secure copy to RA 0 */
    li %r5, 0
    LOADADDR(%r6, _end)
    li %r7, 1
    sldi %r7, %r7, 63           /* EA bit 0: bypass URMOR */
3:  ld %r8, 0(%r5)
    stdx %r8, %r5, %r7
    addi %r5, %r5, 8
    cmpld %r5, %r6
    blt 3b
    LOADADDR(%r5, trap_block)
    add %r5, %r5, %r7
    li %r6, 2
    std %r6, TB_COPYID(%r5)     /* the normal copy says 2 */
    sync
    isync
4:  LOADADDR(%r1, stack_top)
    li %r0, 0
    stdu %r0, -128(%r1)
    bcl 20, 31, 5f
5:  mflr %r2
    addis %r2, %r2, (.TOC. - 5b)@ha
    addi %r2, %r2, (.TOC. - 5b)@l
    mr %r3, %r10
    bl c_main
    nop
6:  b 6b

/* ------------------------------------------------------------------ */
/* r3 = vector, SPRG0 = interrupted r3 */
common_trap:
    mtspr SPR_SPRG1, %r4
    mtspr SPR_SPRG2, %r5
    mfcr %r4
    mtspr SPR_SPRG3, %r4
    LOADADDR(%r5, trap_block)
    std %r6, TB_SCR0(%r5)
    std %r7, TB_SCR1(%r5)
    mfmsr %r4
    rldicl %r6, %r4, 4, 63      /* MSR[HV] */
    rldicl %r7, %r4, 42, 63     /* MSR[S] */
    ld %r4, TB_GMODE(%r5)
    xori %r4, %r4, 1
    or %r7, %r7, %r4
    and %r6, %r6, %r7           /* home = HV && (S || built-in) */
    xori %r6, %r6, 1
    mulli %r6, %r6, REC_SIZE
    addi %r6, %r6, TB_REC0
    add %r6, %r6, %r5           /* r6 = record */
    std %r3, REC_VEC(%r6)
    mfmsr %r4
    std %r4, REC_MSR(%r6)
    std %r0, REC_GPR + 0(%r6)
    std %r1, REC_GPR + 8(%r6)
    std %r2, REC_GPR + 16(%r6)
    mfspr %r7, SPR_SPRG0
    std %r7, REC_GPR + 24(%r6)
    mfspr %r7, SPR_SPRG1
    std %r7, REC_GPR + 32(%r6)
    mfspr %r7, SPR_SPRG2
    std %r7, REC_GPR + 40(%r6)
    ld %r7, TB_SCR0(%r5)
    std %r7, REC_GPR + 48(%r6)
    ld %r7, TB_SCR1(%r5)
    std %r7, REC_GPR + 56(%r6)
    .irp n, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
    std %r\n, REC_GPR + 8 * \n(%r6)
    .endr
    .irp n, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    std %r\n, REC_GPR + 8 * \n(%r6)
    .endr
    mfspr %r7, SPR_SPRG3
    std %r7, REC_CR(%r6)
    mflr %r7
    std %r7, REC_LR(%r6)
    mfctr %r7
    std %r7, REC_CTR(%r6)
    mfxer %r7
    std %r7, REC_XER(%r6)
    mfspr %r7, SPR_SRR0
    std %r7, REC_SRR0(%r6)
    mfspr %r7, SPR_SRR1
    std %r7, REC_SRR1(%r6)
    mfspr %r7, SPR_DAR
    std %r7, REC_DAR(%r6)
    mfspr %r7, SPR_DSISR
    std %r7, REC_DSISR(%r6)
    ld %r7, TB_COPYID(%r5)
    std %r7, REC_COPY(%r6)
    li %r7, -1                  /* "not read" */
    std %r7, REC_HSRR0(%r6)
    std %r7, REC_HSRR1(%r6)
    std %r7, REC_HEIR(%r6)
    std %r7, REC_USRR0(%r6)
    std %r7, REC_USRR1(%r6)
    rldicl. %r7, %r4, 4, 63
    beq 1f
    mfspr %r7, SPR_HSRR0
    std %r7, REC_HSRR0(%r6)
    mfspr %r7, SPR_HSRR1
    std %r7, REC_HSRR1(%r6)
    mfspr %r7, SPR_HEIR
    std %r7, REC_HEIR(%r6)
    rldicl. %r7, %r4, 42, 63
    beq 1f
    mfspr %r7, SPR_USRR0
    std %r7, REC_USRR0(%r6)
    mfspr %r7, SPR_USRR1
    std %r7, REC_USRR1(%r6)
1:  li %r7, 1
    std %r7, REC_VALID(%r6)
    sync
    addi %r7, %r5, TB_REC0
    cmpld %r6, %r7
    bne trap_forward

    /* home: resume the probe, or report an unexpected trap */
    ld %r7, TB_ACTIVE(%r5)
    cmpdi %r7, 0
    beq trap_fatal
    /* a machine check clears MSR[ME]: set it again with (u/h)rfid */
    mfmsr %r4
    andi. %r7, %r4, 0x1000
    bne 3f
    ori %r4, %r4, 0x1000
    LOADADDR(%r7, trap_resume)
    rldicl. %r8, %r4, 42, 63
    beq 2f
    mtspr SPR_USRR0, %r7
    mtspr SPR_USRR1, %r4
    urfid
2:  mtspr SPR_HSRR0, %r7
    mtspr SPR_HSRR1, %r4
    hrfid
3:
trap_resume:
    li %r3, 1
    b probe_restore

trap_forward:
    ld %r4, TB_FINAL(%r5)
    cmpdi %r4, 0
    bne trap_final
    li %r3, TRAP_FORWARD
    ld %r4, TB_GMODE(%r5)
    cmpdi %r4, 0
    beq 2f
    sc 2
    b fwd_failed
2:  sc 1
fwd_failed:
    LOADADDR(%r3, msg_fwd_failed)
    b asm_fatal_print

/* call C function fn with r3 = the trap record (r6) on the emergency stack */
.macro call_on_emerg_stack fn
    mr %r3, %r6
    LOADADDR(%r1, emerg_stack_top)
    li %r0, 0
    stdu %r0, -128(%r1)
    bcl 20, 31, 5f
5:  mflr %r2
    addis %r2, %r2, (.TOC. - 5b)@ha
    addi %r2, %r2, (.TOC. - 5b)@l
    bl \fn
    nop
    b .
.endm

/* a trap with no probe active: C reports it (r3 = record) */
trap_fatal:
    call_on_emerg_stack unexpected_trap

/* the last external-mode test traps in HV and cannot go home: C reports */
trap_final:
    call_on_emerg_stack final_trap

/* print the NUL-terminated string at r3 on the UART, then stop */
asm_fatal_print:
    lis %r8, 0x8006
    ori %r8, %r8, 0x0300
    sldi %r8, %r8, 32
    oris %r8, %r8, 0xd001
    ori %r8, %r8, 0x03f8
1:  lbz %r9, 5(%r8)
    andi. %r9, %r9, 0x20
    beq 1b
    lbz %r9, 0(%r3)
    cmpdi %r9, 0
    beq 2f
    stb %r9, 0(%r8)
    addi %r3, %r3, 1
    b 1b
2:  b 2b

/* ------------------------------------------------------------------ */
/*
 * int probe(uint64_t code, uint64_t regs[10])
 * Calls code with r3..r12 = regs[0..9]; returns 0 with regs[] = r3..r12
 * if it returns, 1 if it trapped (see the trap record).
 */
    .globl probe
probe:
    LOADADDR(%r5, trap_block)
    std %r1, TB_JB + JB_R1(%r5)
    std %r2, TB_JB + JB_R2(%r5)
    mflr %r0
    std %r0, TB_JB + JB_LR(%r5)
    mfcr %r0
    std %r0, TB_JB + JB_CR(%r5)
    std %r4, TB_JB + JB_REGS(%r5)
    .irp n, 14, 15, 16, 17, 18, 19, 20, 21, 22
    std %r\n, TB_JB + JB_NV + 8 * (\n - 14)(%r5)
    .endr
    .irp n, 23, 24, 25, 26, 27, 28, 29, 30, 31
    std %r\n, TB_JB + JB_NV + 8 * (\n - 14)(%r5)
    .endr
    li %r0, 1
    std %r0, TB_ACTIVE(%r5)
    mtctr %r3
    mr %r12, %r4
    ld %r3, 0(%r12)
    ld %r4, 8(%r12)
    ld %r5, 16(%r12)
    ld %r6, 24(%r12)
    ld %r7, 32(%r12)
    ld %r8, 40(%r12)
    ld %r9, 48(%r12)
    ld %r10, 56(%r12)
    ld %r11, 64(%r12)
    ld %r12, 72(%r12)
    bctrl
    mr %r0, %r3
    LOADADDR(%r3, trap_block)
    ld %r3, TB_JB + JB_REGS(%r3)
    std %r0, 0(%r3)
    std %r4, 8(%r3)
    std %r5, 16(%r3)
    std %r6, 24(%r3)
    std %r7, 32(%r3)
    std %r8, 40(%r3)
    std %r9, 48(%r3)
    std %r10, 56(%r3)
    std %r11, 64(%r3)
    std %r12, 72(%r3)
    li %r3, 0
probe_restore:
    LOADADDR(%r5, trap_block)
    li %r4, 0
    std %r4, TB_ACTIVE(%r5)
    ld %r1, TB_JB + JB_R1(%r5)
    ld %r2, TB_JB + JB_R2(%r5)
    ld %r0, TB_JB + JB_LR(%r5)
    mtlr %r0
    ld %r0, TB_JB + JB_CR(%r5)
    mtcrf 0xff, %r0
    .irp n, 14, 15, 16, 17, 18, 19, 20, 21, 22
    ld %r\n, TB_JB + JB_NV + 8 * (\n - 14)(%r5)
    .endr
    .irp n, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld %r\n, TB_JB + JB_NV + 8 * (\n - 14)(%r5)
    .endr
    blr

/* ------------------------------------------------------------------ */
/* Snippets.  Called by probe (return with blr) or reached by a state  */
/* change (never return; "sc 2" / "sc 1" / a trap brings them home).   */

#define SNIP(name) .globl name; .type name, @function; name:

/* MSR[S] through mtmsrd / mtmsr: r3 = MSR afterwards */
SNIP(sn_mtmsrd_set_s)
    mfmsr %r3
    oris %r3, %r3, 0x0040
    mtmsrd %r3, 0
    mfmsr %r3
    blr
SNIP(sn_mtmsr_set_s)
    mfmsr %r3
    oris %r3, %r3, 0x0040
    mtmsr %r3, 0
    mfmsr %r3
    blr
SNIP(sn_mtmsrd_clr_s)
    mfmsr %r3
    lis %r4, 0x0040
    andc %r3, %r3, %r4
    mtmsrd %r3, 0
    mfmsr %r3
    blr
SNIP(sn_mtmsr_clr_s)
    mfmsr %r3
    lis %r4, 0x0040
    andc %r3, %r3, %r4
    mtmsr %r3, 0
    mfmsr %r3
    blr

/* UV SPR access: sn_mf_X: r3 = X (r3 preloaded); sn_mt_X: X = r4 */
.macro UVSPR name, num
SNIP(sn_mf_\name)
    mfspr %r3, \num
    blr
SNIP(sn_mt_\name)
    mtspr \num, %r4
    blr
.endm
    UVSPR USPRG0, SPR_USPRG0
    UVSPR USPRG1, SPR_USPRG1
    UVSPR UDAR, SPR_UDAR
    UVSPR SEIDR, SPR_SEIDR
    UVSPR URMOR, SPR_URMOR
    UVSPR USRR0, SPR_USRR0
    UVSPR USRR1, SPR_USRR1
    UVSPR UEIR, SPR_UEIR
    UVSPR ACMCR, SPR_ACMCR
    UVSPR SMFCTRL, SPR_SMFCTRL

/*
 * run at an URMOR-bypassing EA: URMOR = r4, r3 = URMOR, r7 = *(EA r5),
 * then URMOR = r6
 */
SNIP(sn_urmor_move)
    mtspr SPR_URMOR, %r4
    isync
    mfspr %r3, SPR_URMOR
    ld %r7, 0(%r5)
    mtspr SPR_URMOR, %r6
    isync
    blr

/* sc 2 / sc 1 that may return: r11 = MSR after, r12 = 0x1234 marker */
SNIP(sn_sc2)
    sc 2
    mfmsr %r11
    li %r12, 0x1234
    blr
SNIP(sn_sc1)
    sc 1
    mfmsr %r11
    li %r12, 0x1234
    blr

SNIP(sn_urfid)
    urfid
    blr
SNIP(sn_load)
    ld %r3, 0(%r4)
    blr
SNIP(sn_store)
    std %r5, 0(%r4)
    blr
SNIP(sn_jump)
    mtctr %r4
    bctr

/* state changes: r4 = target, r5 = new MSR */
SNIP(sn_hrfid)
    mtspr SPR_HSRR0, %r4
    mtspr SPR_HSRR1, %r5
    hrfid
SNIP(sn_rfid)
    mtspr SPR_SRR0, %r4
    mtspr SPR_SRR1, %r5
    rfid
SNIP(sn_urfid_to)
    mtspr SPR_USRR0, %r4
    mtspr SPR_USRR1, %r5
    urfid

/* targets: r20 = MSR on arrival, then leave; ".long 0" catches returns */
SNIP(tg_msr_sc2)
    mfmsr %r20
    sc 2
    .long 0
SNIP(tg_msr_sc1)
    mfmsr %r20
    sc 1
    .long 0
SNIP(tg_msr_sc0)
    mfmsr %r20
    sc 0
    .long 0
SNIP(tg_invalid)
    mfmsr %r20
    .long 0
    .long 0
SNIP(tg_mfurmor)
    mfmsr %r20
    mfspr %r3, SPR_URMOR
    sc 2
    .long 0
SNIP(tg_trap)
    mfmsr %r20
    trap
    .long 0
SNIP(tg_urfid)
    mfmsr %r20
    urfid
    sc 2
    .long 0
/* OS-state ucall: r3..r6 = r6..r9; sc 2; then sc 1 (r3 = result) */
SNIP(tg_os_ucall)
    mfmsr %r20
    mr %r3, %r6
    mr %r4, %r7
    mr %r5, %r8
    mr %r6, %r9
    sc 2
    mr %r21, %r3
    sc 1
    .long 0
/* HV-state chains: r6 = target, r7 = MSR */
SNIP(tg_hrfid)
    mfmsr %r20
    mtspr SPR_HSRR0, %r6
    mtspr SPR_HSRR1, %r7
    hrfid
SNIP(tg_rfid)
    mfmsr %r20
    mtspr SPR_SRR0, %r6
    mtspr SPR_SRR1, %r7
    rfid
/* HV-state accesses: r6 = EA, r7 = value */
SNIP(tg_load)
    mfmsr %r20
    ld %r3, 0(%r6)
    sc 2
    .long 0
SNIP(tg_store)
    mfmsr %r20
    std %r7, 0(%r6)
    sc 2
    .long 0
SNIP(tg_jump)
    mfmsr %r20
    mtctr %r6
    bctr

    .section .rodata
msg_fwd_failed:
    .ascii "\r\nPEF-ARCH FATAL the forwarding sc returned "
    .asciz "(cannot reach the home state)\r\n"
