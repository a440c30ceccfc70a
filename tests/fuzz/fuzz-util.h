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

/*
 * The two input modes of the decoder targets, by the first byte:
 *   odd   the rest is the input itself;
 *   even  the rest patches @good: triples {offset high, offset low, xor}
 *         applied modulo @good_len, so the fuzzer gets past the first
 *         checks of a valid input.
 * Returns an exactly sized g_malloc()ed copy (so ASan sees any overread;
 * NULL for an empty one) and its length in @len.
 */
static inline uint8_t *fuzz_input(const uint8_t *data, size_t size,
                                  const uint8_t *good, size_t good_len,
                                  size_t *len)
{
    uint8_t *buf = NULL;
    size_t i, off;

    if (data[0] & 1) {
        *len = size - 1;
        if (*len) {
            buf = g_memdup2(data + 1, *len);
        }
        return buf;
    }
    buf = g_memdup2(good, good_len);
    for (i = 1; i + 3 <= size; i += 3) {
        off = ((size_t)data[i] << 8 | data[i + 1]) % good_len;
        buf[off] ^= data[i + 2];
    }
    *len = good_len;
    return buf;
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
