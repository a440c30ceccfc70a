/*
 * qemu-ibm-cc: entry, UVC wrapper and program-check handler of uvc-probe.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "uvc-probe.h"

    .section .text
    .globl _start
_start:
    larl    %r15, stack_top
    lg      %r15, 0(%r15)
    /* program-check new PSW (64-bit, disabled) -> pgm_handler */
    larl    %r1, pgm_new_psw
    larl    %r2, pgm_handler
    stg     %r2, 8(%r1)
    mvc     0x1d0(16, %r0), 0(%r1)
    brasl   %r14, probe_main
    /* done: disabled wait */
    larl    %r1, done_psw
    lpswe   0(%r1)

/*
 * uint64_t uvc_try(uint64_t cb): UVC 0,%r2; returns the condition code,
 * or PROBE_PGM + the program interruption code.
 */
    .globl uvc_try
uvc_try:
    larl    %r1, saved_r15
    stg     %r15, 0(%r1)
    .long   0xb9a40002          /* uvc 0,%r2 (RRF: m3 0, r1 0, r2 2) */
    ipm     %r2
    srl     %r2, 28
    llgfr   %r2, %r2
    br      %r14

pgm_handler:
    llgh    %r2, 0x8e(%r0)      /* program interruption code */
    aghi    %r2, PROBE_PGM
    larl    %r1, saved_r15
    lg      %r15, 0(%r1)
    larl    %r1, resume_psw
    larl    %r3, resume
    stg     %r3, 8(%r1)
    lpswe   0(%r1)
resume:
    br      %r14                /* %r14 still holds uvc_try's return */

    .section .data
    .balign 8
stack_top:
    .quad   PROBE_STACK_TOP
saved_r15:
    .quad   0
pgm_new_psw:
    .quad   0x0000000180000000, 0
resume_psw:
    .quad   0x0000000180000000, 0
done_psw:
    .quad   0x0002000180000000, PROBE_DONE_ADDR
