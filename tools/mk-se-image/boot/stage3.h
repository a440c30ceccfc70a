/*
 * qemu-ibm-cc: private helpers of the stage3a/stage3b boot loaders.
 *
 * Freestanding s390x code only (never built for the host).  Big-endian
 * memory accesses are native here, so the args fields defined in
 * stage3-args.h are read with plain 64-bit loads.
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef STAGE3_H
#define STAGE3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stage3-args.h"

/* z/Architecture lowcore (prefix area) locations used by the loaders. */
#define LC_PGM_CODE             0x8e    /* u16 program interruption code */
#define LC_PGM_OLD_PSW          0x150   /* 16-byte program old PSW */
#define LC_PGM_NEW_PSW          0x1d0   /* 16-byte program new PSW */

/* PSW mask for 64-bit addressing, everything else off (EA | BA). */
#define PSW_MASK_EA_BA          0x0000000180000000ULL

typedef struct Stage3Psw {
    uint64_t mask;
    uint64_t addr;
} __attribute__((aligned(8))) Stage3Psw;

/*
 * Absolute-address accessors.  They are volatile because the memory they
 * touch is written by someone the compiler does not know about (the image
 * builder, the CPU on interruptions) or read by the next stage.
 */
static inline uint64_t ld64(uint64_t addr)
{
    /* volatile: see above */
    return *(volatile uint64_t *)(uintptr_t)addr;
}

static inline uint16_t ld16(uint64_t addr)
{
    /* volatile: see above */
    return *(volatile uint16_t *)(uintptr_t)addr;
}

static inline void st64(uint64_t addr, uint64_t val)
{
    /* volatile: see above */
    *(volatile uint64_t *)(uintptr_t)addr = val;
}

static inline void *absptr(uint64_t addr)
{
    return (void *)(uintptr_t)addr;
}

/* The args blocks, defined in stage3a-head.S and stage3b-head.S. */
extern uint8_t stage3a_args[STAGE3_ARGS_SIZE];
extern uint8_t stage3b_args[STAGE3_ARGS_SIZE];

/* Defined in each stage's head.S: its STAGE3_STATUS_SIZE status block. */
extern uint64_t stage3_status[STAGE3_STATUS_SIZE / 8];
/* Defined in each stage's head.S: program-check entry (sets up a stack). */
extern char stage3_pgm_entry[];

/* stage3-lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);
bool stage3_all_zero(uint64_t addr, size_t n);

/* Point the program new PSW at stage3_pgm_entry. */
void stage3_catch_pgm_checks(void);

/* Record code/detail in the status block and enter the disabled wait. */
void __attribute__((noreturn)) stage3_fail(unsigned int code, uint64_t detail);

/* Called by stage3_pgm_entry with the stage's *_ERR_PGM code. */
void __attribute__((noreturn)) stage3_pgm_check(unsigned int code);

/* Load a PSW with LPSWE; returns only if the PSW cannot be loaded. */
static inline void stage3_lpswe(const Stage3Psw *psw)
{
    asm volatile("lpswe %[psw]" : : [psw] "Q"(*psw) : "memory");
}

#endif /* STAGE3_H */
