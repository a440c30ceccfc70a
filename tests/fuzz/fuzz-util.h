/*
 * What the libFuzzer targets share: the invariant check (an abort, which
 * libFuzzer reports as a crash with its input) and small helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_FUZZ_FUZZ_UTIL_H
#define TESTS_FUZZ_FUZZ_UTIL_H

static inline void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static inline bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--) {
        if (*b++) {
            return false;
        }
    }
    return true;
}

#ifdef HW_S390X_SE_HDR_H
/* A fixed host key: d[i] = seed + i * step, below the group order */
static inline void fuzz_host_key(SeHostKey *k, uint8_t seed, uint8_t step)
{
    uint8_t d[CC_P521_LEN];
    size_t i;

    for (i = 0; i < sizeof(d); i++) {
        d[i] = seed + i * step;
    }
    d[0] = 0;
    check(se_host_key_init(k, d));
}
#endif

#endif
