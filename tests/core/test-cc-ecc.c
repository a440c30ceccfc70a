/*
 * Unit tests for the P-521 helpers (qemu/cc-ecc.h).
 *
 * Known answers are the curve constants published in SEC 2 v2.0,
 * section 2.6.1 (secp521r1): the base point G and the group order n.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"

/* SEC 2, secp521r1: G (uncompressed, split into X and Y) and n */
static const char sec2_gx[] =
    "00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D"
    "3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5"
    "BD66";
static const char sec2_gy[] =
    "011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E"
    "662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD1"
    "6650";
static const char sec2_n[] =
    "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    "FFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E9138"
    "6409";

static void unhex(const char *s, uint8_t out[CC_P521_LEN])
{
    size_t i;

    g_assert_cmpuint(strlen(s), ==, 2 * CC_P521_LEN);
    for (i = 0; i < CC_P521_LEN; i++) {
        out[i] = g_ascii_xdigit_value(s[2 * i]) << 4 |
                 g_ascii_xdigit_value(s[2 * i + 1]);
    }
}

static bool all_zero(const uint8_t *p, size_t n)
{
    while (n--) {
        if (*p++) {
            return false;
        }
    }
    return true;
}

static void small_scalar(uint8_t d[CC_P521_LEN], unsigned v)
{
    memset(d, 0, CC_P521_LEN);
    d[CC_P521_LEN - 2] = v >> 8;
    d[CC_P521_LEN - 1] = v;
}

/* An arbitrary scalar well below n (top byte 0) */
static void pattern_scalar(uint8_t d[CC_P521_LEN], uint8_t seed)
{
    size_t i;

    d[0] = 0;
    for (i = 1; i < CC_P521_LEN; i++) {
        d[i] = seed * 31 + i * 17;
    }
}

static void test_generator_kat(void)
{
    uint8_t d[CC_P521_LEN], x[CC_P521_LEN], y[CC_P521_LEN];
    uint8_t gx[CC_P521_LEN], gy[CC_P521_LEN];

    unhex(sec2_gx, gx);
    unhex(sec2_gy, gy);
    small_scalar(d, 1);
    g_assert_true(cc_p521_public_from_private(d, x, y));
    g_assert_cmpmem(x, CC_P521_LEN, gx, CC_P521_LEN);
    g_assert_cmpmem(y, CC_P521_LEN, gy, CC_P521_LEN);
    g_assert_true(cc_p521_point_valid(gx, gy));
}

/* (n - 1) G = -G = (Gx, p - Gy); p = 2^521 - 1, so p - Gy = Gy ^ p. */
static void test_order_minus_one(void)
{
    uint8_t d[CC_P521_LEN], x[CC_P521_LEN], y[CC_P521_LEN];
    uint8_t gx[CC_P521_LEN], neg_gy[CC_P521_LEN];
    size_t i;

    unhex(sec2_gx, gx);
    unhex(sec2_gy, neg_gy);
    neg_gy[0] ^= 0x01;
    for (i = 1; i < CC_P521_LEN; i++) {
        neg_gy[i] ^= 0xff;
    }
    unhex(sec2_n, d);
    d[CC_P521_LEN - 1] -= 1;                /* n ends in 0x09 */
    g_assert_true(cc_p521_public_from_private(d, x, y));
    g_assert_cmpmem(x, CC_P521_LEN, gx, CC_P521_LEN);
    g_assert_cmpmem(y, CC_P521_LEN, neg_gy, CC_P521_LEN);
}

static void test_invalid_scalars(void)
{
    uint8_t d[CC_P521_LEN], x[CC_P521_LEN], y[CC_P521_LEN];
    uint8_t gx[CC_P521_LEN], gy[CC_P521_LEN], z[CC_P521_LEN];

    unhex(sec2_gx, gx);
    unhex(sec2_gy, gy);
    memset(x, 0xaa, sizeof(x));
    small_scalar(d, 0);
    g_assert_false(cc_p521_public_from_private(d, x, y));
    g_assert_true(all_zero(x, sizeof(x)));
    g_assert_false(cc_p521_ecdh(d, gx, gy, z));

    unhex(sec2_n, d);                       /* n itself */
    g_assert_false(cc_p521_public_from_private(d, x, y));
    g_assert_false(cc_p521_ecdh(d, gx, gy, z));

    memset(d, 0xff, sizeof(d));             /* far above n */
    g_assert_false(cc_p521_public_from_private(d, x, y));
}

static void test_ecdh_symmetry(void)
{
    uint8_t d1[CC_P521_LEN], d2[CC_P521_LEN];
    uint8_t x1[CC_P521_LEN], y1[CC_P521_LEN], x2[CC_P521_LEN];
    uint8_t y2[CC_P521_LEN], z12[CC_P521_LEN], z21[CC_P521_LEN];

    pattern_scalar(d1, 1);
    pattern_scalar(d2, 2);
    g_assert_true(cc_p521_public_from_private(d1, x1, y1));
    g_assert_true(cc_p521_public_from_private(d2, x2, y2));
    g_assert_true(cc_p521_point_valid(x1, y1));
    g_assert_true(cc_p521_ecdh(d1, x2, y2, z12));
    g_assert_true(cc_p521_ecdh(d2, x1, y1, z21));
    g_assert_cmpmem(z12, CC_P521_LEN, z21, CC_P521_LEN);
    /* different keys give a different secret */
    g_assert_true(cc_p521_ecdh(d1, x1, y1, z21));
    g_assert_true(memcmp(z12, z21, CC_P521_LEN) != 0);
}

/* 1 * P = P and 2 * G computed two ways. */
static void test_ecdh_small(void)
{
    uint8_t one[CC_P521_LEN], two[CC_P521_LEN], z[CC_P521_LEN];
    uint8_t gx[CC_P521_LEN], gy[CC_P521_LEN];
    uint8_t x2[CC_P521_LEN], y2[CC_P521_LEN];

    unhex(sec2_gx, gx);
    unhex(sec2_gy, gy);
    small_scalar(one, 1);
    small_scalar(two, 2);
    g_assert_true(cc_p521_ecdh(one, gx, gy, z));
    g_assert_cmpmem(z, CC_P521_LEN, gx, CC_P521_LEN);
    g_assert_true(cc_p521_public_from_private(two, x2, y2));
    g_assert_true(cc_p521_ecdh(two, gx, gy, z));
    g_assert_cmpmem(z, CC_P521_LEN, x2, CC_P521_LEN);
    g_assert_true(memcmp(x2, gx, CC_P521_LEN) != 0);
}

static void test_invalid_points(void)
{
    uint8_t d[CC_P521_LEN], z[CC_P521_LEN];
    uint8_t gx[CC_P521_LEN], gy[CC_P521_LEN], p[CC_P521_LEN];
    uint8_t zero[CC_P521_LEN] = { 0 };

    unhex(sec2_gx, gx);
    unhex(sec2_gy, gy);
    small_scalar(d, 5);

    gy[CC_P521_LEN - 1] ^= 1;               /* off the curve */
    g_assert_false(cc_p521_point_valid(gx, gy));
    memset(z, 0xaa, sizeof(z));
    g_assert_false(cc_p521_ecdh(d, gx, gy, z));
    g_assert_true(all_zero(z, sizeof(z)));
    gy[CC_P521_LEN - 1] ^= 1;

    /* x + p is congruent to x but not a canonical coordinate */
    memset(p, 0xff, sizeof(p));
    p[0] = 0x01;                            /* p = 2^521 - 1 */
    g_assert_false(cc_p521_point_valid(p, gy));
    g_assert_false(cc_p521_point_valid(zero, zero));
    g_assert_false(cc_p521_ecdh(d, zero, zero, z));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cc-ecc/generator-kat", test_generator_kat);
    g_test_add_func("/cc-ecc/order-minus-one", test_order_minus_one);
    g_test_add_func("/cc-ecc/invalid-scalars", test_invalid_scalars);
    g_test_add_func("/cc-ecc/ecdh-symmetry", test_ecdh_symmetry);
    g_test_add_func("/cc-ecc/ecdh-small", test_ecdh_small);
    g_test_add_func("/cc-ecc/invalid-points", test_invalid_points);
    return g_test_run();
}
