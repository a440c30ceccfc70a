/*
 * qemu-ibm-cc: small runtime shared by the stage3a/stage3b boot loaders:
 * memory helpers (the compiler may emit calls to memcpy/memset) and the
 * failure path (status block + disabled wait).
 *
 * Copyright (c) 2025 qemu-ibm-cc contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "stage3.h"

/*
 * Built with -fno-tree-loop-distribute-patterns so that GCC does not turn
 * these loops back into calls to themselves.
 */
static bool both_aligned8(uintptr_t a, uintptr_t b, size_t n)
{
    return ((a | b | n) & 7) == 0;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst;
    uintptr_t s = (uintptr_t)src;
    size_t i;

    if (d == s || n == 0) {
        return dst;
    }
    if (both_aligned8(d, s, n)) {
        uint64_t *d8 = dst;
        const uint64_t *s8 = src;
        size_t n8 = n / 8;

        if (d < s) {
            for (i = 0; i < n8; i++) {
                d8[i] = s8[i];
            }
        } else {
            for (i = n8; i > 0; i--) {
                d8[i - 1] = s8[i - 1];
            }
        }
    } else {
        uint8_t *d1 = dst;
        const uint8_t *s1 = src;

        if (d < s) {
            for (i = 0; i < n; i++) {
                d1[i] = s1[i];
            }
        } else {
            for (i = n; i > 0; i--) {
                d1[i - 1] = s1[i - 1];
            }
        }
    }
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    size_t i;

    for (i = 0; i < n; i++) {
        d[i] = (uint8_t)c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    size_t i;

    for (i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

size_t strnlen(const char *s, size_t max)
{
    size_t i;

    for (i = 0; i < max && s[i]; i++) {
        /* nothing */
    }
    return i;
}

bool stage3_all_zero(uint64_t addr, size_t n)
{
    /* volatile: the args block is patched by the builder, not by C */
    const volatile uint8_t *p = absptr(addr);
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

void stage3_catch_pgm_checks(void)
{
    st64(LC_PGM_NEW_PSW, PSW_MASK_EA_BA);
    st64(LC_PGM_NEW_PSW + 8, (uintptr_t)stage3_pgm_entry);
}

void stage3_fail(unsigned int code, uint64_t detail)
{
    static Stage3Psw wait_psw;

    stage3_status[STAGE3_STATUS_CODE_OFF / 8] = code;
    stage3_status[STAGE3_STATUS_DETAIL_OFF / 8] = detail;

    wait_psw.mask = STAGE3_WAIT_PSW_MASK;
    wait_psw.addr = ((uint64_t)(code & 0xffff) << STAGE3_WAIT_CODE_SHIFT) |
                    ((detail & 0xffffffffULL) << STAGE3_WAIT_DETAIL_SHIFT);
    for (;;) {
        stage3_lpswe(&wait_psw);
    }
}

void stage3_pgm_check(unsigned int code)
{
    stage3_status[STAGE3_STATUS_PGM_MASK_OFF / 8] = ld64(LC_PGM_OLD_PSW);
    stage3_status[STAGE3_STATUS_PGM_ADDR_OFF / 8] = ld64(LC_PGM_OLD_PSW + 8);
    stage3_fail(code, ld16(LC_PGM_CODE));
}
