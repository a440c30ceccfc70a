/*
 * qemu-ibm-cc: stage3a, the unencrypted first-stage loader of an SE image.
 *
 * Runs unprotected.  It points the PV IPIB at the SE header, checks for the
 * unpack facility, hands the IPIB to the (ultra)visor with diag 0x308
 * subcode 8 and then asks it to unpack the image and reboot into the
 * protected guest with diag 0x308 subcode 10.  Every failure ends in a
 * disabled wait whose PSW address carries an error code, see
 * stage3-args.h.
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "stage3.h"

void __attribute__((noreturn)) stage3a_main(void);

/* STFLE result (a named symbol: the tests look it up). */
static uint64_t facility_list[4];

/* Is facility bit @nr (0 = MSB of the first doubleword) installed? */
static bool facility_installed(unsigned int nr)
{
    register uint64_t r0 asm("0") = sizeof(facility_list) / 8 - 1;
    unsigned int i;

    for (i = 0; i < sizeof(facility_list) / 8; i++) {
        facility_list[i] = 0;
    }
    /* cc 3 (list longer than our buffer) is fine: the prefix is stored. */
    asm volatile("stfle 0(%[list])"
                 : "+d"(r0)
                 : [list] "a"(facility_list)
                 : "cc", "memory");
    if (nr / 64 >= sizeof(facility_list) / 8) {
        return false;
    }
    return (facility_list[nr / 64] >> (63 - nr % 64)) & 1;
}

/*
 * diag 0x308 (IPL functions): diag R1,R3,0x308 with R1 = even register
 * holding the IPIB address, R3 = subcode; the response code is returned
 * in R1+1.  R1+1 is preset to 0 so that "nothing stored" is visible.
 */
static uint64_t diag308(uint64_t addr, uint64_t subcode)
{
    register uint64_t r2 asm("2") = addr;
    register uint64_t r3 asm("3") = 0;
    register uint64_t r4 asm("4") = subcode;

    asm volatile("diag %[ipib],%[subcode],0x308"
                 : [ipib] "+d"(r2), [resp] "+d"(r3)
                 : [subcode] "d"(r4)
                 : "cc", "memory");
    return r3;
}

static uint64_t arg(unsigned int off)
{
    return ld64((uintptr_t)stage3a_args + off);
}

void stage3a_main(void)
{
    uint64_t ipib, hdr_addr, hdr_size, rc;

    stage3_catch_pgm_checks();

    if (arg(STAGE3A_ARGS_MAGIC_OFF) != STAGE3A_ARGS_MAGIC) {
        stage3_fail(STAGE3A_ERR_ARGS, 1);
    }
    if (!stage3_all_zero((uintptr_t)stage3a_args + STAGE3A_ARGS_USED_SIZE,
                         STAGE3_ARGS_SIZE - STAGE3A_ARGS_USED_SIZE)) {
        stage3_fail(STAGE3A_ERR_ARGS, 4);
    }
    ipib = arg(STAGE3A_ARGS_IPIB_ADDR_OFF);
    hdr_addr = arg(STAGE3A_ARGS_HDR_ADDR_OFF);
    hdr_size = arg(STAGE3A_ARGS_HDR_SIZE_OFF);
    if (ipib == 0 || (ipib & (STAGE3_PAGE_SIZE - 1))) {
        stage3_fail(STAGE3A_ERR_ARGS, 2);
    }
    if (hdr_size == 0) {
        stage3_fail(STAGE3A_ERR_ARGS, 3);
    }

    /* 1. Tell the ultravisor where the SE header sits in memory. */
    st64(ipib + IPIB_PV_HDR_ADDR_OFF, hdr_addr);
    st64(ipib + IPIB_PV_HDR_LEN_OFF, hdr_size);

    /* 2. Without the unpack facility diag 0x308 subcodes 8-10 do not exist */
    if (!facility_installed(STFLE_BIT_UNPACK)) {
        stage3_fail(STAGE3A_ERR_NO_UNPACK, 0);
    }

    /* 3. Set the PV IPIB. */
    rc = diag308(ipib, DIAG308_SUBC_SET_PV);
    if (rc != DIAG308_RC_OK) {
        stage3_fail(STAGE3A_ERR_SET_PV, rc);
    }

    /* 4. Unpack and reboot into the protected guest: no return if it works */
    rc = diag308(0, DIAG308_SUBC_UNPACK_PV);
    stage3_fail(STAGE3A_ERR_UNPACK, rc);
}
