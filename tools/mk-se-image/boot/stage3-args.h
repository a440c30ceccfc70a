/*
 * qemu-ibm-cc: interface between the SE image builder (host) and the
 * stage3a/stage3b boot loaders (s390x guest code).
 *
 * This header is shared by the freestanding s390x loaders and by the host
 * image builder.  It only defines numeric constants: every structure below
 * is described by byte offsets from its start, every field is a big-endian
 * unsigned integer of the stated width, and the host writes each field with
 * an explicit big-endian store.  Nothing depends on a compiler's struct
 * layout.  Usable from C and from assembler: only #defines of plain
 * constants without integer suffixes.
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef STAGE3_ARGS_H
#define STAGE3_ARGS_H

/*
 * ======================================================================
 * Image layout (memory image loaded at absolute address 0)
 * ======================================================================
 *
 *  0x00000  8-byte short PSW (ESA/390 format, bit 12 set, bit 32 = 31-bit
 *           addressing): 0x00080000 | 0x80000000 | entry.  For an SE image
 *           entry = STAGE3A_ENTRY_ADDR.  QEMU's -kernel loader takes the
 *           start address from bytes 4..7 of this PSW because the image has
 *           no "S390EP" magic at 0x10008.
 *  0x00008 - 0x0ffff  zero.  Not part of any component.  [0xc000, 0x10000)
 *           is the loaders' stack and [0x8000, 0xc000) the run area of
 *           stage3b, see below.
 *  0x10000  stage3a.bin (STAGE3A_LOAD_ADDR).  Its first instruction
 *           branches to STAGE3A_ENTRY_ADDR = 0x11000 so that zipl's stage3
 *           may overwrite 0x10400 - 0x107ff.  The stage3a args block is the
 *           last STAGE3_ARGS_SIZE bytes of stage3a.bin.
 *  then     page-aligned (4 KiB) slots chosen by the builder, in this
 *           recommended order: the IPIB (one page, must be page-aligned
 *           because diag 0x308 requires it), the SE header, and the
 *           components kernel, cmdline, initrd, stage3b, each starting on a
 *           page boundary at increasing addresses.
 *
 * Placement rules the builder must follow (stage3b checks the ones marked
 * [checked] and stops with the listed error code otherwise):
 *  - every component starts on a 4 KiB boundary (the IPIB check of diag
 *    0x308 requires it) at an address >= STAGE3_MIN_COMP_ADDR (0x10000);
 *  - the kernel is copied from kernel_addr + 0x10000 to 0x10000, i.e. its
 *    final image occupies [0x10000, kernel_size).  The cmdline and the
 *    initrd must lie entirely at or above kernel_size           [checked]
 *    (the kernel component itself may overlap its destination: the copy
 *    has memmove semantics);
 *  - the kernel's COMMAND_LINE area [0x10480, 0x10480 + max) must lie
 *    inside the kernel image                                    [checked]
 *  - the stage3b component must not start below 0x10000         [checked]
 *    (it copies itself to STAGE3B_RUN_ADDR first);
 *  - nothing may be placed in [0x8000, 0x10000): run area and stack.
 *  - the initrd should also lie above the kernel's decompressor heap; if
 *    it does not, Linux itself moves it ("rescue_initrd"), so this is a
 *    performance matter only.
 */

#define STAGE3_PAGE_SIZE            0x1000

/* Short PSW at absolute 0: mask word bit 12 (short format) | bit 32 (BA). */
#define STAGE3_SHORT_PSW_MASK       0x00080000
#define STAGE3_SHORT_PSW_BA         0x80000000

#define STAGE3A_LOAD_ADDR           0x10000
#define STAGE3A_ENTRY_ADDR          0x11000

/* The loaders' stack: [STAGE3_STACK_TOP - STAGE3_STACK_SIZE, TOP). */
#define STAGE3_STACK_TOP            0x10000
#define STAGE3_STACK_SIZE           0x4000

/*
 * stage3b is entered at its first byte, wherever the builder placed the
 * component: the PSW in the SE header must be mask EA|BA
 * (STAGE3B_KERNEL_PSW_MASK) and address = stage3b component address +
 * STAGE3B_ENTRY_OFF.  It copies its whole blob to STAGE3B_RUN_ADDR and
 * continues there.
 */
#define STAGE3B_ENTRY_OFF           0
#define STAGE3B_RUN_ADDR            0x8000
#define STAGE3B_MAX_SIZE            0x4000

/* Lowest address for any component (cmdline, initrd, stage3b, kernel). */
#define STAGE3_MIN_COMP_ADDR        0x10000

/*
 * ======================================================================
 * Args blocks
 * ======================================================================
 *
 * Each loader binary ends with a STAGE3_ARGS_SIZE byte args block that
 * starts on a 256-byte boundary.  The host finds it at
 * (binary length - STAGE3_ARGS_SIZE), checks the magic (which also
 * encodes the layout version) and fills in the other fields.  All fields
 * are big-endian u64; bytes not listed are reserved and must stay zero
 * (the loaders check this).
 */
#define STAGE3_ARGS_SIZE            0x100

/* ---- stage3a args (absolute address = 0x10000 + len - 0x100) ---- */
/* magic: ASCII "QCCS3A" followed by version 0x0001 */
#define STAGE3A_ARGS_MAGIC          0x5143435333410001
#define STAGE3A_ARGS_MAGIC_OFF      0x00
/* absolute address of the SE header in the image */
#define STAGE3A_ARGS_HDR_ADDR_OFF   0x08
/* size of the SE header in bytes */
#define STAGE3A_ARGS_HDR_SIZE_OFF   0x10
/* absolute address of the PV IPIB (must be 4 KiB aligned, non-zero) */
#define STAGE3A_ARGS_IPIB_ADDR_OFF  0x18
#define STAGE3A_ARGS_USED_SIZE      0x20

/* ---- stage3b args (relative to the start of the stage3b blob) ---- */
/* magic: ASCII "QCCS3B" followed by version 0x0001 */
#define STAGE3B_ARGS_MAGIC          0x5143435333420001
#define STAGE3B_ARGS_MAGIC_OFF      0x00
/* kernel component: the whole s390 Linux image file (e.g. vmlinuz) */
#define STAGE3B_ARGS_KERNEL_ADDR_OFF  0x08
#define STAGE3B_ARGS_KERNEL_SIZE_OFF  0x10  /* file size, unpadded */
/* cmdline component: ASCII, NUL-terminated within cmdline_size */
#define STAGE3B_ARGS_CMDLINE_ADDR_OFF 0x18
#define STAGE3B_ARGS_CMDLINE_SIZE_OFF 0x20  /* 0: empty command line */
/* initrd component */
#define STAGE3B_ARGS_INITRD_ADDR_OFF  0x28
#define STAGE3B_ARGS_INITRD_SIZE_OFF  0x30  /* 0: no initrd */
/* PSW loaded (LPSWE) to start the kernel; must have a non-zero address */
#define STAGE3B_ARGS_PSW_MASK_OFF     0x38
#define STAGE3B_ARGS_PSW_ADDR_OFF     0x40
#define STAGE3B_ARGS_USED_SIZE      0x48

/*
 * What the builder normally writes into the PSW fields (the same EA|BA
 * mask is also the one for the SE header PSW that enters stage3b).
 * The command line may hold at most MAX_COMMAND_LINE_SIZE - 1 characters,
 * as read from the kernel image (4096 - 1 for Debian's 6.12 kernels).
 */
#define STAGE3B_KERNEL_PSW_MASK     0x0000000180000000  /* EA | BA */
#define STAGE3B_KERNEL_PSW_ADDR     0x10000

/*
 * ======================================================================
 * s390 Linux image facts used by stage3b
 * ======================================================================
 * Verified against linux 6.12 arch/s390/include/asm/setup.h (struct
 * parmarea) and arch/s390/boot/head.S.  Offsets are absolute addresses of
 * the kernel image loaded at 0, equal to offsets in the vmlinuz file.
 */
#define LINUX_LOW_PART_SIZE         0x10000  /* not copied by stage3b */
#define LINUX_EP_MAGIC_ADDR         0x10008  /* "S390EP" */
#define LINUX_PARM_INITRD_START     0x10408
#define LINUX_PARM_INITRD_SIZE      0x10410
#define LINUX_PARM_MAX_CMDLINE_SIZE 0x10430  /* u64, includes the NUL */
#define LINUX_PARM_COMMAND_LINE     0x10480
/* COMMAND_LINE size assumed when MAX_COMMAND_LINE_SIZE reads 0 (old) */
#define LINUX_LEGACY_CMDLINE_SIZE   896
/* stage3b refuses kernels smaller than this (must contain the parmarea) */
#define STAGE3B_KERNEL_MIN_SIZE     0x11000

/*
 * ======================================================================
 * Failure reporting
 * ======================================================================
 *
 * On any failure a loader stores a status block and loads the disabled
 * wait PSW
 *     mask = STAGE3_WAIT_PSW_MASK (wait | EA | BA, all interrupts off)
 *     addr = (code << 48) | ((detail & 0xffffffff) << 16)
 * so the address is always even and its low 12 bits are never 0xfff
 * (which QEMU would treat as a "quiesce" shutdown request).
 * i.e. code = addr >> STAGE3_WAIT_CODE_SHIFT,
 *      detail = (addr >> STAGE3_WAIT_DETAIL_SHIFT) & 0xffffffff.
 *
 * Status block (4 x u64, big-endian):
 *   0x00 code          (same 16-bit code as in the PSW, 0 = none yet)
 *   0x08 detail        full 64-bit detail word (e.g. the diag 0x308 R1+1
 *                      register, whose upper half the PSW cannot show)
 *   0x10 old PSW mask  program old PSW (lowcore 0x150), only for *_PGM
 *   0x18 old PSW addr
 * It lives at STAGE3A_STATUS_ADDR for stage3a and at offset
 * STAGE3B_STATUS_OFF of the stage3b blob (absolute
 * STAGE3B_RUN_ADDR + STAGE3B_STATUS_OFF once relocated; if the relocation
 * itself fails, in the unrelocated copy).
 */
#define STAGE3_WAIT_PSW_MASK        0x0002000180000000
#define STAGE3_WAIT_CODE_SHIFT      48
#define STAGE3_WAIT_DETAIL_SHIFT    16

#define STAGE3_STATUS_CODE_OFF      0x00
#define STAGE3_STATUS_DETAIL_OFF    0x08
#define STAGE3_STATUS_PGM_MASK_OFF  0x10
#define STAGE3_STATUS_PGM_ADDR_OFF  0x18
#define STAGE3_STATUS_SIZE          0x20

#define STAGE3A_STATUS_ADDR         0x10010
#define STAGE3B_STATUS_OFF          0x10

/*
 * stage3a error codes (high byte 0x3a); the detail word in brackets.
 *
 * STAGE3A_ERR_ARGS       args block bad [1 magic, 2 IPIB address 0 or not
 *                        4 KiB aligned, 3 header size 0, 4 reserved bytes
 *                        not zero]
 * STAGE3A_ERR_NO_UNPACK  STFLE facility bit 161 (unpack) not installed [0]
 * STAGE3A_ERR_SET_PV     diag 0x308 subcode 8 (set PV IPIB) did not return
 *                        0x0001 in R1+1 [R1+1, e.g. 0x0402 = IPIB invalid]
 * STAGE3A_ERR_UNPACK     diag 0x308 subcode 10 (unpack and reboot) returned
 *                        [R1+1, e.g. 0x0902 = no PV IPIB set, 0x0a02 =
 *                        unpack failed; since QEMU 10.1 the upper half of
 *                        R1+1 may carry cmd/rrc/rc: see the status block]
 * STAGE3A_ERR_PGM        unexpected program interruption [program
 *                        interruption code; old PSW in the status block].
 *                        diag 0x308 subcodes 8..10 raise a specification
 *                        exception without the unpack facility, but STFLE
 *                        is checked before, so that ends in ERR_NO_UNPACK.
 * STAGE3A_ERR_RETURN     internal: stage3a_main returned [0]
 */
#define STAGE3A_ERR_ARGS            0x3a01
#define STAGE3A_ERR_NO_UNPACK       0x3a02
#define STAGE3A_ERR_SET_PV          0x3a03
#define STAGE3A_ERR_UNPACK          0x3a04
#define STAGE3A_ERR_PGM             0x3a05
#define STAGE3A_ERR_RETURN          0x3a06

/*
 * stage3b error codes (high byte 0x3b); the detail word in brackets.
 *
 * STAGE3B_ERR_ARGS          args block bad [1 magic, 2 PSW address 0,
 *                           4 reserved bytes not zero]
 * STAGE3B_ERR_RELOC         started below STAGE3_MIN_COMP_ADDR, cannot copy
 *                           itself to STAGE3B_RUN_ADDR safely [low 32 bits
 *                           of the start address]
 * STAGE3B_ERR_KERNEL        kernel unusable [1 size below
 *                           STAGE3B_KERNEL_MIN_SIZE or address + size wraps,
 *                           2 no "S390EP" at 0x10008, 3 COMMAND_LINE area
 *                           not inside the kernel image]
 * STAGE3B_ERR_CMDLINE_NUL   no NUL within cmdline_size [cmdline_size]
 * STAGE3B_ERR_CMDLINE_LONG  strlen + 1 exceeds the kernel's
 *                           MAX_COMMAND_LINE_SIZE [strlen + 1]
 * STAGE3B_ERR_LAYOUT        cmdline or initrd starts below kernel_size
 *                           (would be overwritten by the kernel copy) or
 *                           wraps [1 cmdline, 2 initrd]
 * STAGE3B_ERR_PGM           unexpected program interruption [program
 *                           interruption code; old PSW in the status block]
 * STAGE3B_ERR_RETURN        internal: stage3b_main returned [0]
 */
#define STAGE3B_ERR_ARGS            0x3b01
#define STAGE3B_ERR_RELOC           0x3b02
#define STAGE3B_ERR_KERNEL          0x3b03
#define STAGE3B_ERR_CMDLINE_NUL     0x3b04
#define STAGE3B_ERR_CMDLINE_LONG    0x3b05
#define STAGE3B_ERR_LAYOUT          0x3b06
#define STAGE3B_ERR_PGM             0x3b07
#define STAGE3B_ERR_RETURN          0x3b08

/*
 * ======================================================================
 * PV IPIB fields that stage3a touches (offsets from the IPIB start;
 * see s390-tools include/boot/ipl.h, struct ipl_pb0_pv)
 * ======================================================================
 */
#define IPIB_PV_HDR_ADDR_OFF        0x78
#define IPIB_PV_HDR_LEN_OFF         0x80

/* diag 0x308 subcodes and return codes used by stage3a */
#define DIAG308_SUBC_SET_PV         8
#define DIAG308_SUBC_UNPACK_PV      10
#define DIAG308_RC_OK               0x0001

/* STFLE facility bit of the unpack facility (bits numbered from 0 = MSB) */
#define STFLE_BIT_UNPACK            161

#endif /* STAGE3_ARGS_H */
