/*
 * NIST P-521 helpers over nettle/hogweed (see include/qemu/cc-ecc.h).
 *
 * Byte strings are turned into GMP limbs on the stack and handed to nettle
 * through read-only mpz views (mpz_roinit_n), so secret scalars are never
 * copied to memory we cannot wipe.  All elliptic-curve arithmetic is
 * nettle's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>

#define P521_BITS (CC_P521_LEN * 8)
#define P521_LIMBS ((P521_BITS + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS)

static const struct ecc_curve *p521(void)
{
    return nettle_get_secp_521r1();
}

/* Big-endian bytes -> little-endian limb array of P521_LIMBS limbs. */
static void be_to_limbs(mp_limb_t *l, const uint8_t *be)
{
    size_t i;

    memset(l, 0, P521_LIMBS * sizeof(mp_limb_t));
    for (i = 0; i < CC_P521_LEN; i++) {
        size_t bit = (CC_P521_LEN - 1 - i) * 8;

        l[bit / GMP_NUMB_BITS] |= (mp_limb_t)be[i] << (bit % GMP_NUMB_BITS);
    }
}

static bool scalar_set(struct ecc_scalar *s, const uint8_t d[CC_P521_LEN])
{
    mp_limb_t l[P521_LIMBS];
    mpz_t view;
    bool ok;

    be_to_limbs(l, d);
    ok = ecc_scalar_set(s, mpz_roinit_n(view, l, P521_LIMBS));
    cc_wipe(l, sizeof(l));
    return ok;
}

static bool point_set(struct ecc_point *p, const uint8_t x[CC_P521_LEN],
                      const uint8_t y[CC_P521_LEN])
{
    mp_limb_t lx[P521_LIMBS], ly[P521_LIMBS];
    mpz_t vx, vy;

    be_to_limbs(lx, x);
    be_to_limbs(ly, y);
    /* nettle rejects coordinates >= p and points off the curve */
    return ecc_point_set(p, mpz_roinit_n(vx, lx, P521_LIMBS),
                         mpz_roinit_n(vy, ly, P521_LIMBS));
}

static void mpz_wipe_clear(mpz_t z)
{
    size_t n = mpz_size(z);

    if (n) {
        cc_wipe(mpz_limbs_modify(z, n), n * sizeof(mp_limb_t));
    }
    mpz_clear(z);
}

/* Affine coordinates of @p as 66-byte big-endian strings (y optional). */
static void point_get(const struct ecc_point *p, uint8_t x[CC_P521_LEN],
                      uint8_t *y)
{
    mpz_t zx, zy;

    mpz_init2(zx, P521_BITS);
    mpz_init2(zy, P521_BITS);
    ecc_point_get(p, zx, zy);
    nettle_mpz_get_str_256(CC_P521_LEN, x, zx);
    if (y) {
        nettle_mpz_get_str_256(CC_P521_LEN, y, zy);
    }
    mpz_wipe_clear(zx);
    mpz_wipe_clear(zy);
}

static void scalar_wipe_clear(struct ecc_scalar *s)
{
    cc_wipe(s->p, ecc_size(p521()) * sizeof(mp_limb_t));
    ecc_scalar_clear(s);
}

static void point_wipe_clear(struct ecc_point *p)
{
    cc_wipe(p->p, ecc_size_a(p521()) * sizeof(mp_limb_t));
    ecc_point_clear(p);
}

bool cc_p521_public_from_private(const uint8_t d[CC_P521_LEN],
                                 uint8_t x[CC_P521_LEN],
                                 uint8_t y[CC_P521_LEN])
{
    struct ecc_scalar s;
    struct ecc_point r;
    bool ok;

    ecc_scalar_init(&s, p521());
    ecc_point_init(&r, p521());
    ok = scalar_set(&s, d);
    if (ok) {
        ecc_point_mul_g(&r, &s);
        point_get(&r, x, y);
    } else {
        memset(x, 0, CC_P521_LEN);
        memset(y, 0, CC_P521_LEN);
    }
    point_wipe_clear(&r);
    scalar_wipe_clear(&s);
    return ok;
}

bool cc_p521_ecdh(const uint8_t d[CC_P521_LEN],
                  const uint8_t px[CC_P521_LEN],
                  const uint8_t py[CC_P521_LEN],
                  uint8_t z[CC_P521_LEN])
{
    struct ecc_scalar s;
    struct ecc_point p, r;
    bool ok;

    ecc_scalar_init(&s, p521());
    ecc_point_init(&p, p521());
    ecc_point_init(&r, p521());
    ok = point_set(&p, px, py) && scalar_set(&s, d);
    if (ok) {
        /* cofactor 1 and 0 < d < n: d * P is never the point at infinity */
        ecc_point_mul(&r, &s, &p);
        point_get(&r, z, NULL);
    } else {
        memset(z, 0, CC_P521_LEN);
    }
    point_wipe_clear(&r);
    ecc_point_clear(&p);
    scalar_wipe_clear(&s);
    return ok;
}

bool cc_p521_point_valid(const uint8_t x[CC_P521_LEN],
                         const uint8_t y[CC_P521_LEN])
{
    struct ecc_point p;
    bool ok;

    ecc_point_init(&p, p521());
    ok = point_set(&p, x, y);
    ecc_point_clear(&p);
    return ok;
}
