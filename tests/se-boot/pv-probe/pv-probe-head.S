/*
 * qemu-ibm-cc: entry of pv-probe, laid out as the start of an s390x
 * Linux image at 0x10000 so that mk-se-image packs it: "S390EP" at
 * 0x10008 and the command-line size at 0x10430 (Linux
 * arch/s390/boot/head.S, parmarea); stage3b starts it at 0x10000 in
 * 64-bit mode.  Also the program-check handler and the final wait.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pv-probe.h"

    .section .text
    .globl _start
_start:
    j       entry
    .org    0x8
    .ascii  "S390EP"
    .org    0x430
    .quad   0x1000              /* max command line (stage3b writes it) */
    .org    0x2000
entry:
    larl    %r15, stack_top
    lg      %r15, 0(%r15)
    /* program-check new PSW (64-bit, disabled) -> pgm_handler */
    larl    %r1, pgm_new_psw
    larl    %r2, pgm_handler
    stg     %r2, 8(%r1)
    mvc     0x1d0(16, %r0), 0(%r1)
    brasl   %r14, probe_main
    .globl  probe_done
probe_done:
    larl    %r1, done_psw
    lpswe   0(%r1)

pgm_handler:
    llgh    %r2, 0x8e(%r0)      /* program interruption code */
    larl    %r15, stack_top
    lg      %r15, 0(%r15)
    brasl   %r14, probe_pgm     /* records it, then returns */
    j       probe_done

    .section .data
    .balign 8
stack_top:
    .quad   DMA_STACK_TOP
pgm_new_psw:
    .quad   0x0000000180000000, 0
done_psw:
    .quad   0x0002000180000000, DMA_DONE_ADDR
