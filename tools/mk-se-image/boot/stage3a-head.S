/*
 * qemu-ibm-cc: stage3a entry code, linked at STAGE3A_LOAD_ADDR (0x10000).
 *
 * 0x10000  branch to stage3a_entry (0x11000)
 * 0x10010  status block (stage3_status, STAGE3_STATUS_SIZE bytes)
 * 0x10400 - 0x107ff may be overwritten by zipl's stage3: nothing lives
 *          between the status block and 0x11000.
 * 0x11000  stage3a_entry: switch to 64-bit addressing, set up the stack
 *          below STAGE3_STACK_TOP and call stage3a_main (C).
 * The args block (.args) is the last STAGE3_ARGS_SIZE bytes of the binary.
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "stage3-args.h"

/* s390x ELF ABI: a callee may store into the 160-byte caller frame. */
#define STACK_FRAME_OVERHEAD 160

	.section .head, "ax"
	.globl	_start
_start:
	/* Entered here by a loader that jumps to the image at 0x10000. */
	jg	stage3a_entry

	.org	STAGE3A_STATUS_ADDR - STAGE3A_LOAD_ADDR
	.globl	stage3_status
stage3_status:
	.fill	STAGE3_STATUS_SIZE / 8, 8, 0

	.section .text.entry, "ax"
	.globl	stage3a_entry
stage3a_entry:
	/*
	 * Entered from the short PSW at 0 (31-bit addressing) or from the
	 * branch above; QEMU's -kernel starts here in 64-bit mode already.
	 */
	sam64
	lgfi	%r15, STAGE3_STACK_TOP - STACK_FRAME_OVERHEAD
	brasl	%r14, stage3a_main
	/* stage3a_main never returns */
	lghi	%r2, STAGE3A_ERR_RETURN
	lghi	%r3, 0
	brasl	%r14, stage3_fail

	/* Program new PSW target: fresh stack, report STAGE3A_ERR_PGM. */
	.globl	stage3_pgm_entry
stage3_pgm_entry:
	lgfi	%r15, STAGE3_STACK_TOP - STACK_FRAME_OVERHEAD
	lghi	%r2, STAGE3A_ERR_PGM
	brasl	%r14, stage3_pgm_check

	/* Args block, filled in by the image builder (see stage3-args.h). */
	.section .args, "aw"
	.balign	256
	.globl	stage3a_args
stage3a_args:
	.quad	STAGE3A_ARGS_MAGIC
	.fill	STAGE3_ARGS_SIZE - 8, 1, 0
