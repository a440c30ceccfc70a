/*
 * Unit tests for the bounds-checked big-endian reader.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"

static const uint8_t sample[] = {
    0x01,
    0x02, 0x03,
    0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x00, 0x00, 0x00,
};

static void test_reads_big_endian(void)
{
    CCBuf b;

    cc_buf_init(&b, sample, sizeof(sample));
    g_assert_cmpuint(cc_buf_u8(&b), ==, 0x01);
    g_assert_cmpuint(cc_buf_be16(&b), ==, 0x0203);
    g_assert_cmpuint(cc_buf_be32(&b), ==, 0x04050607);
    g_assert_cmpuint(cc_buf_be64(&b), ==, 0x08090a0b0c0d0e0fULL);
    g_assert_true(cc_buf_zero(&b, 3));
    g_assert_cmpuint(cc_buf_remaining(&b), ==, 0);
    g_assert_true(cc_buf_ok(&b));
}

static void test_overrun_is_sticky(void)
{
    CCBuf b;

    cc_buf_init(&b, sample, 3);
    g_assert_cmpuint(cc_buf_be16(&b), ==, 0x0102);
    /* 2 bytes wanted, 1 left: fails, returns 0, consumes nothing useful */
    g_assert_cmpuint(cc_buf_be16(&b), ==, 0);
    g_assert_false(cc_buf_ok(&b));
    /* a read that would fit on its own still fails after an error */
    g_assert_cmpuint(cc_buf_u8(&b), ==, 0);
    g_assert_null(cc_buf_bytes(&b, 0));
    g_assert_cmpuint(cc_buf_remaining(&b), ==, 0);
}

static void test_huge_length_does_not_wrap(void)
{
    CCBuf b;

    cc_buf_init(&b, sample, sizeof(sample));
    cc_buf_u8(&b);
    /* pos + SIZE_MAX would wrap around in a naive check */
    g_assert_null(cc_buf_bytes(&b, SIZE_MAX));
    g_assert_false(cc_buf_ok(&b));
}

static void test_seek_and_sub(void)
{
    CCBuf b, sub;
    uint8_t out[4] = { 0xff, 0xff, 0xff, 0xff };

    cc_buf_init(&b, sample, sizeof(sample));
    g_assert_true(cc_buf_seek(&b, 3));
    sub = cc_buf_sub(&b, 4);
    g_assert_cmpuint(cc_buf_remaining(&b), ==, sizeof(sample) - 7);
    g_assert_cmpuint(cc_buf_be16(&sub), ==, 0x0405);
    g_assert_cmpuint(cc_buf_be32(&sub), ==, 0);   /* only 2 left in sub */
    g_assert_false(cc_buf_ok(&sub));
    g_assert_true(cc_buf_ok(&b));                 /* parent unaffected */

    g_assert_true(cc_buf_seek(&b, sizeof(sample)));
    g_assert_cmpuint(cc_buf_remaining(&b), ==, 0);
    g_assert_false(cc_buf_seek(&b, sizeof(sample) + 1));

    cc_buf_init(&b, sample, 2);
    g_assert_false(cc_buf_copy(&b, out, 4));
    g_assert_cmpmem(out, 4, "\0\0\0\0", 4);       /* zero-filled on error */

    cc_buf_init(&b, sample, 2);
    sub = cc_buf_sub(&b, 5);
    g_assert_false(cc_buf_ok(&sub));
    g_assert_cmpuint(cc_buf_remaining(&sub), ==, 0);
}

static void test_reserved_nonzero(void)
{
    CCBuf b;

    cc_buf_init(&b, sample, sizeof(sample));
    g_assert_false(cc_buf_zero(&b, 2));
    g_assert_true(cc_buf_ok(&b));       /* non-zero is not a bounds error */
    g_assert_cmpuint(cc_buf_u8(&b), ==, 0x03);
}

static void test_null_buffer(void)
{
    CCBuf b;

    cc_buf_init(&b, NULL, 100);
    g_assert_cmpuint(cc_buf_remaining(&b), ==, 0);
    g_assert_cmpuint(cc_buf_u8(&b), ==, 0);
    g_assert_false(cc_buf_ok(&b));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cc-buf/reads-big-endian", test_reads_big_endian);
    g_test_add_func("/cc-buf/overrun-is-sticky", test_overrun_is_sticky);
    g_test_add_func("/cc-buf/huge-length", test_huge_length_does_not_wrap);
    g_test_add_func("/cc-buf/seek-and-sub", test_seek_and_sub);
    g_test_add_func("/cc-buf/reserved-nonzero", test_reserved_nonzero);
    g_test_add_func("/cc-buf/null-buffer", test_null_buffer);
    return g_test_run();
}
