/*
 * qemu-ibm-cc: stage3b entry code and self-relocator.
 *
 * The blob is linked at STAGE3B_RUN_ADDR (0x8000) but the ultravisor
 * starts it wherever the builder placed the stage3b component (PSW from
 * the SE header: EA|BA, address = component start).  The code up to
 * .Lrelocated is position independent (only PC-relative addressing): it
 * copies the whole blob, args block included, to its link address and
 * jumps there.  The source must not be below STAGE3_MIN_COMP_ADDR, which
 * guarantees that source and destination do not overlap
 * (0x8000 + STAGE3B_MAX_SIZE <= 0x10000).
 *
 * Layout of the blob:
 *   0x00  branch to the relocator
 *   0x10  status block (stage3_status, STAGE3_STATUS_SIZE bytes)
 *   ...   relocator, C code, data
 *   end   args block (last STAGE3_ARGS_SIZE bytes, 256-byte aligned)
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "stage3-args.h"

#define STACK_FRAME_OVERHEAD 160

	.section .head, "ax"
	.globl	_start
_start:
	j	.Lreloc

	.org	STAGE3B_STATUS_OFF
	.globl	stage3_status
stage3_status:
	.fill	STAGE3_STATUS_SIZE / 8, 8, 0

.Lreloc:
	sam64				/* no-op when started as documented */
	larl	%r2, _start		/* where the blob is now */
	larl	%r1, .Lconst
	lg	%r3, 0(%r1)		/* where it is linked */
	lg	%r4, 8(%r1)		/* its size, a multiple of 256 */
	clgr	%r2, %r3
	je	.Lrelocated
	clgfi	%r2, STAGE3_MIN_COMP_ADDR
	jl	.Lreloc_fail
	/* Forward copy in 256-byte chunks; source is above destination. */
.Lcopy:
	mvc	0(256, %r3), 0(%r2)
	la	%r2, 256(%r2)
	la	%r3, 256(%r3)
	aghi	%r4, -256
	jh	.Lcopy
.Lrelocated:
	lg	%r1, 16(%r1)		/* absolute address of stage3b_start */
	br	%r1

	/*
	 * Cannot relocate: record STAGE3B_ERR_RELOC in the status block of
	 * the copy we run from and load the disabled wait PSW (built in the
	 * stack area, which is free at this point).
	 */
.Lreloc_fail:
	larl	%r6, stage3_status
	lghi	%r7, STAGE3B_ERR_RELOC
	stg	%r7, STAGE3_STATUS_CODE_OFF(%r6)
	stg	%r2, STAGE3_STATUS_DETAIL_OFF(%r6)
	lgfi	%r8, STAGE3_STACK_TOP - 16
	llihf	%r9, STAGE3_WAIT_PSW_MASK >> 32
	oilf	%r9, STAGE3_WAIT_PSW_MASK & 0xffffffff
	stg	%r9, 0(%r8)
	sllg	%r7, %r7, STAGE3_WAIT_CODE_SHIFT
	llgfr	%r9, %r2
	sllg	%r9, %r9, STAGE3_WAIT_DETAIL_SHIFT
	ogr	%r9, %r7
	stg	%r9, 8(%r8)
	lpswe	0(%r8)
	j	.

	.balign	8
.Lconst:
	.quad	_start			/* link address == STAGE3B_RUN_ADDR */
	.quad	_stage3b_size
	.quad	stage3b_start

	.section .text.entry, "ax"
	.globl	stage3b_start
stage3b_start:
	lgfi	%r15, STAGE3_STACK_TOP - STACK_FRAME_OVERHEAD
	brasl	%r14, stage3b_main
	/* stage3b_main never returns */
	lghi	%r2, STAGE3B_ERR_RETURN
	lghi	%r3, 0
	brasl	%r14, stage3_fail

	/* Program new PSW target: fresh stack, report STAGE3B_ERR_PGM. */
	.globl	stage3_pgm_entry
stage3_pgm_entry:
	lgfi	%r15, STAGE3_STACK_TOP - STACK_FRAME_OVERHEAD
	lghi	%r2, STAGE3B_ERR_PGM
	brasl	%r14, stage3_pgm_check

	/* Args block, filled in by the image builder (see stage3-args.h). */
	.section .args, "aw"
	.balign	256
	.globl	stage3b_args
stage3b_args:
	.quad	STAGE3B_ARGS_MAGIC
	.fill	STAGE3_ARGS_SIZE - 8, 1, 0
