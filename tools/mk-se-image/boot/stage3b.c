/*
 * qemu-ibm-cc: stage3b, the last component of an SE image.
 *
 * Runs inside the protected guest after the ultravisor unpacked the image
 * (or, for tests, directly from an unprotected image).  stage3b-head.S has
 * already copied the blob to STAGE3B_RUN_ADDR.  stage3b_main then
 *   1. validates its args block and the component placement, before it
 *      modifies any memory, so that a failure leaves the inputs intact;
 *   2. copies the kernel image from kernel_addr + 0x10000 to 0x10000
 *      (memmove semantics; the kernel's first 0x10000 bytes, its IPL
 *      loader and lowcore image, are not needed for a start at 0x10000
 *      and would overwrite the lowcore and stage3b itself);
 *   3. writes the command line to COMMAND_LINE (0x10480, NUL terminated,
 *      rest of the area zeroed) and INITRD_START/INITRD_SIZE
 *      (0x10408/0x10410) of the kernel's parmarea;
 *   4. loads the kernel PSW from the args block (normally EA|BA, 0x10000).
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "stage3.h"

void __attribute__((noreturn)) stage3b_main(void);

static Stage3Psw kernel_psw;

static uint64_t arg(unsigned int off)
{
    return ld64((uintptr_t)stage3b_args + off);
}

/*
 * A cmdline or initrd component must start at or above the end of the
 * kernel's final image [0x10000, kernel_size), so that the kernel copy
 * cannot overwrite it, and must not wrap around.
 */
static bool placement_ok(uint64_t addr, uint64_t size, uint64_t kernel_size)
{
    return addr >= kernel_size && addr + size >= addr;
}

void stage3b_main(void)
{
    uint64_t kaddr, ksize, caddr, csize, iaddr, isize, max, len;

    stage3_catch_pgm_checks();

    /* 1. Validate everything first. */
    if (arg(STAGE3B_ARGS_MAGIC_OFF) != STAGE3B_ARGS_MAGIC) {
        stage3_fail(STAGE3B_ERR_ARGS, 1);
    }
    if (!stage3_all_zero((uintptr_t)stage3b_args + STAGE3B_ARGS_USED_SIZE,
                         STAGE3_ARGS_SIZE - STAGE3B_ARGS_USED_SIZE)) {
        stage3_fail(STAGE3B_ERR_ARGS, 4);
    }
    kernel_psw.mask = arg(STAGE3B_ARGS_PSW_MASK_OFF);
    kernel_psw.addr = arg(STAGE3B_ARGS_PSW_ADDR_OFF);
    if (kernel_psw.addr == 0) {
        stage3_fail(STAGE3B_ERR_ARGS, 2);
    }

    kaddr = arg(STAGE3B_ARGS_KERNEL_ADDR_OFF);
    ksize = arg(STAGE3B_ARGS_KERNEL_SIZE_OFF);
    caddr = arg(STAGE3B_ARGS_CMDLINE_ADDR_OFF);
    csize = arg(STAGE3B_ARGS_CMDLINE_SIZE_OFF);
    iaddr = arg(STAGE3B_ARGS_INITRD_ADDR_OFF);
    isize = arg(STAGE3B_ARGS_INITRD_SIZE_OFF);

    if (ksize < STAGE3B_KERNEL_MIN_SIZE || kaddr + ksize < kaddr) {
        stage3_fail(STAGE3B_ERR_KERNEL, 1);
    }
    if (memcmp(absptr(kaddr + LINUX_EP_MAGIC_ADDR), "S390EP", 6) != 0) {
        stage3_fail(STAGE3B_ERR_KERNEL, 2);
    }
    max = ld64(kaddr + LINUX_PARM_MAX_CMDLINE_SIZE);
    if (max == 0) {
        max = LINUX_LEGACY_CMDLINE_SIZE;
    }
    /* ksize >= STAGE3B_KERNEL_MIN_SIZE > LINUX_PARM_COMMAND_LINE */
    if (max > ksize - LINUX_PARM_COMMAND_LINE) {
        stage3_fail(STAGE3B_ERR_KERNEL, 3);
    }

    len = 0;
    if (csize) {
        if (!placement_ok(caddr, csize, ksize)) {
            stage3_fail(STAGE3B_ERR_LAYOUT, 1);
        }
        len = strnlen(absptr(caddr), csize);
        if (len == csize) {
            stage3_fail(STAGE3B_ERR_CMDLINE_NUL, csize);
        }
    }
    if (len + 1 > max) {
        stage3_fail(STAGE3B_ERR_CMDLINE_LONG, len + 1);
    }
    if (isize && !placement_ok(iaddr, isize, ksize)) {
        stage3_fail(STAGE3B_ERR_LAYOUT, 2);
    }

    /* 2. The kernel: drop the low 0x10000 bytes, the rest goes to 0x10000 */
    memmove(absptr(LINUX_LOW_PART_SIZE), absptr(kaddr + LINUX_LOW_PART_SIZE),
            ksize - LINUX_LOW_PART_SIZE);

    /* 3. Parameters in the (now copied) parmarea. */
    memset(absptr(LINUX_PARM_COMMAND_LINE), 0, max);
    memcpy(absptr(LINUX_PARM_COMMAND_LINE), absptr(caddr), len);
    st64(LINUX_PARM_INITRD_START, isize ? iaddr : 0);
    st64(LINUX_PARM_INITRD_SIZE, isize);

    /* 4. Start the kernel. */
    stage3_lpswe(&kernel_psw);
    stage3_fail(STAGE3B_ERR_RETURN, 0);
}
