/*
 * A fake host for the built-in POWER ultravisor core
 * (include/hw/ppc/ultravisor/uv-pef.h), shared by its unit tests and its
 * fuzz target: normal RAM at 0 and secure RAM at FAKE_PEF_SECURE_BASE in
 * two arrays, SPRs in an array, SCOM accesses recorded, and switches that
 * make SPR or SCOM accesses fail.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_CORE_FAKE_PEF_HOST_H
#define TESTS_CORE_FAKE_PEF_HOST_H

#include "hw/ppc/ultravisor/uv-pef.h"

#define FAKE_PEF_NORMAL_SIZE    (4 * 1024 * 1024ULL)
#define FAKE_PEF_SECURE_BASE    0x0001000000000000ULL
#define FAKE_PEF_SECURE_SIZE    (2 * 1024 * 1024ULL)
#define FAKE_PEF_MEMCONS_RA     (1024 * 1024ULL)

/* What a fake SCOM read returns for @addr */
#define FAKE_PEF_SCOM_VALUE(addr)   ((addr) ^ 0x5a5a5a5a00000000ULL)

typedef struct FakePefHost {
    uint8_t *normal;
    uint8_t *secure;
    int pate_calls;
    uint64_t pate_lpid;
    void *pate_cpu;
    bool fail_spr;
    bool fail_scom;
    uint64_t spr[0x400];
    void *spr_cpu;
    uint64_t scom_addr;
    uint64_t scom_val;
    uint32_t scom_chip;
    UvPef *uv;
} FakePefHost;

/* Every op; SCOM on chip 0 only (scom_read, scom_write). */
extern const UvPefHostOps fake_pef_host_ops;

/* A ready UvPef over a new fake host with @ops (its opaque), reset. */
FakePefHost *fake_pef_host_new(const UvPefHostOps *ops, const char *version);
void fake_pef_host_free(FakePefHost *h);

/*
 * A thread's state with a pattern in every register: GPR i = 0x5100 + i,
 * saved SPR i = 0x5200 + i, FP word i = 0x5300 + i, CR, LR, CTR, XER,
 * SRR0, SRR1 = 0x5401 .. 0x5406; the rest zero.
 */
void fake_pef_regs_fill(UvPefRegs *r);

/* The chip-aware SCOM read (UvPefHostOps.scom_read_chip) */
bool fake_pef_scom_read_chip(void *opaque, uint32_t chip, uint64_t addr,
                             uint64_t *val);

#endif
