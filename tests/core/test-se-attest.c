/*
 * Unit tests for the Secure Execution attestation request (ARCB) checks,
 * the measurement and the ARCB builder (hw/s390x/se/se-attest.h).
 *
 * Formats: s390-tools rust/pv/src/req/ and rust/pv/src/uvattest/; rc
 * values: rust/pv_core/src/uvdevice/attest.rs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-attest.h"

typedef struct Fixture {
    SeHostKey key, other;
    SeArcbBuildParams p;
    SeAttestConfig conf;
    uint8_t *arcb;
    size_t len;
} Fixture;

static void pattern(uint8_t *d, size_t n, uint8_t seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        d[i] = seed * 29 + i * 13;
    }
}

static void make_key(SeHostKey *k, uint8_t seed)
{
    uint8_t d[CC_P521_LEN];

    pattern(d, sizeof(d), seed);
    d[0] = 0;
    g_assert_true(se_host_key_init(k, d));
}

static void rebuild(Fixture *f)
{
    GError *err = NULL;

    g_free(f->arcb);
    f->arcb = se_arcb_build(&f->p, &f->len, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->arcb);
}

static void fixture_init(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    make_key(&f->key, 1);
    make_key(&f->other, 2);
    pattern(f->p.iv, sizeof(f->p.iv), 3);
    pattern(f->p.prot_key, sizeof(f->p.prot_key), 4);
    pattern(f->p.cust_priv, sizeof(f->p.cust_priv), 5);
    f->p.cust_priv[0] = 0;
    f->p.mai = SE_ARCB_MAI_HMAC_SHA512;
    f->p.secrets.flags = SE_ATT_FLAG_NONCE | SE_ATT_FLAG_IMAGE_PHKH |
                         SE_ATT_FLAG_ATTEST_PHKH;
    pattern(f->p.secrets.meas_key, sizeof(f->p.secrets.meas_key), 6);
    pattern(f->p.secrets.nonce, sizeof(f->p.secrets.nonce), 7);
    f->p.secrets.has_nonce = true;
    f->p.host_pub = &f->key.pub;
    f->p.n_host_keys = 1;
    pattern(f->conf.tags, sizeof(f->conf.tags), 8);
    pattern(f->conf.cuid, sizeof(f->conf.cuid), 9);
    pattern(f->conf.image_phkh, sizeof(f->conf.image_phkh), 10);
    rebuild(f);
}

static void fixture_fini(Fixture *f, gconstpointer data)
{
    g_free(f->arcb);
}

static uint16_t attest(Fixture *f, const uint8_t *user, size_t user_len,
                       SeAttestResult *res)
{
    const SeHostKey *keys[] = { &f->other, &f->key };
    SeAttestCall call = {
        .arcb = f->arcb, .arcb_len = f->len,
        .user = user, .user_len = user_len,
        .meas_len = SE_ATT_MEAS_SIZE, .add_len = SE_ATT_ADD_MAX,
    };

    return se_attest(&call, keys, G_N_ELEMENTS(keys), &f->conf, res);
}

/* The layout: header fields where s390-tools puts them */
static void test_layout(Fixture *f, gconstpointer data)
{
    uint32_t rql;

    g_assert_cmpuint(f->len, ==, 0xe0 + 80 + 80 + 16);
    g_assert_cmpuint(cc_get_be(f->arcb + 8, 4), ==, 0x0100);
    g_assert_cmpuint(cc_get_be(f->arcb + 12, 4), ==, f->len);
    g_assert_cmpuint(f->arcb[0x27], ==, 1);
    g_assert_cmpuint(cc_get_be(f->arcb + 0x2c, 4), ==, 80);
    g_assert_cmphex(cc_get_be64(f->arcb + 0x30), ==,
                    0x7000000000000000ULL);
    g_assert_cmpuint(cc_get_be(f->arcb + 0x38, 4), ==, 1);
    g_assert_cmpuint(se_arcb_length(f->arcb, SE_ARCB_HDR_SIZE, &rql), ==,
                     SE_ATT_RC_OK);
    g_assert_cmpuint(rql, ==, f->len);
    g_assert_cmpuint(se_attest_add_size(f->p.secrets.flags), ==, 64);
}

/* The UV's measurement is the one the requester computes from its keys */
static void test_round_trip(Fixture *f, gconstpointer data)
{
    static const uint8_t user[] = "user data";
    uint8_t want[SE_ATT_MEAS_SIZE], phkh[SE_HDR_PHKH_SIZE];
    SeArcbSecrets s;
    SeAttestResult res;
    GError *err = NULL;

    g_assert_cmphex(attest(f, user, sizeof(user), &res), ==, SE_ATT_RC_OK);
    g_assert_cmpuint(res.add_len, ==, 64);
    g_assert_cmpmem(res.add, 32, f->conf.image_phkh, 32);
    se_hdr_phkh(f->key.pub.x, f->key.pub.y, phkh);
    g_assert_cmpmem(res.add + 32, 32, phkh, 32);

    g_assert_true(se_arcb_open(f->arcb, f->len, f->p.prot_key, &s, &err));
    g_assert_no_error(err);
    g_assert_true(s.has_nonce);
    g_assert_cmphex(s.flags, ==, f->p.secrets.flags);
    g_assert_cmpmem(s.meas_key, 64, f->p.secrets.meas_key, 64);
    se_attest_measurement(s.meas_key, f->conf.tags, f->conf.cuid, user,
                          sizeof(user), s.nonce, res.add, res.add_len, want);
    g_assert_cmpmem(res.meas, sizeof(res.meas), want, sizeof(want));

    /* Another nonce (a replayed answer), other user data: no match */
    s.nonce[0] ^= 1;
    se_attest_measurement(s.meas_key, f->conf.tags, f->conf.cuid, user,
                          sizeof(user), s.nonce, res.add, res.add_len, want);
    g_assert_true(memcmp(res.meas, want, sizeof(want)));
    s.nonce[0] ^= 1;
    se_attest_measurement(s.meas_key, f->conf.tags, f->conf.cuid, user,
                          sizeof(user) - 1, s.nonce, res.add, res.add_len,
                          want);
    g_assert_true(memcmp(res.meas, want, sizeof(want)));
}

/* Without nonce and additional data: a 64-byte encrypted area */
static void test_no_nonce(Fixture *f, gconstpointer data)
{
    uint8_t want[SE_ATT_MEAS_SIZE];
    SeAttestResult res;

    f->p.secrets.flags = 0;
    f->p.secrets.has_nonce = false;
    rebuild(f);
    g_assert_cmpuint(f->len, ==, 0xe0 + 80 + 64 + 16);
    g_assert_cmphex(attest(f, NULL, 0, &res), ==, SE_ATT_RC_OK);
    g_assert_cmpuint(res.add_len, ==, 0);
    se_attest_measurement(f->p.secrets.meas_key, f->conf.tags,
                          f->conf.cuid, NULL, 0, NULL, NULL, 0, want);
    g_assert_cmpmem(res.meas, sizeof(res.meas), want, sizeof(want));
}

/* Each malformed request gets its documented rc, and no measurement */
static void test_refused(Fixture *f, gconstpointer data)
{
    static const uint8_t zero[SE_ATT_MEAS_SIZE];
    const SeHostKey *only_other[] = { &f->other };
    uint8_t big[SE_ATT_USER_MAX + 1] = { 0 };
    SeAttestResult res;
    SeAttestCall call = {
        .arcb = f->arcb, .arcb_len = f->len,
        .meas_len = SE_ATT_MEAS_SIZE, .add_len = SE_ATT_ADD_MAX,
    };
    g_autofree uint8_t *copy = g_memdup2(f->arcb, f->len);
    struct {
        size_t off;
        uint8_t xor;
        uint16_t rc;
    } flips[] = {
        { 0, 0x01, SE_ATT_RC_VERSION },             /* magic */
        { 0x0a, 0x02, SE_ATT_RC_VERSION },          /* version 0x0300 */
        { 0x0f, 0x01, SE_ATT_RC_LENGTH },           /* rql */
        { 0x27, 0x01, SE_ATT_RC_NKS },              /* nks 0 */
        { 0x27, 0x03, SE_ATT_RC_LENGTH },           /* nks 2 */
        { 0x2f, 0x10, SE_ATT_RC_LENGTH },           /* sea */
        { 0x30, 0x04, SE_ATT_RC_FLAGS },            /* flag 5 (firmware) */
        { 0x30, 0x80, SE_ATT_RC_FLAGS },            /* flag 0 */
        { 0x30, 0x40, SE_ATT_RC_SEA },              /* no nonce flag */
        { 0x3b, 0x03, SE_ATT_RC_MAI },              /* mai 2 */
        { 0x40, 0x01, SE_ATT_RC_DECRYPT },          /* key padding */
        { 0x60, 0x01, SE_ATT_RC_DECRYPT },          /* customer key X */
        { 0xe0, 0x01, SE_ATT_RC_DECRYPT },          /* phkh: no slot */
        { 0x105, 0x01, SE_ATT_RC_DECRYPT },         /* wrapped key */
        { 0x131, 0x01, SE_ATT_RC_DECRYPT },         /* encrypted area */
        { 0x185, 0x01, SE_ATT_RC_DECRYPT },         /* tag */
        { 0x14, 0x01, SE_ATT_RC_DECRYPT },          /* iv */
    };
    uint32_t rql;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(flips); i++) {
        memcpy(f->arcb, copy, f->len);
        f->arcb[flips[i].off] ^= flips[i].xor;
        g_test_message("flip 0x%zx ^ 0x%x", flips[i].off, flips[i].xor);
        g_assert_cmphex(attest(f, NULL, 0, &res), ==, flips[i].rc);
        g_assert_cmpmem(res.meas, sizeof(res.meas), zero, sizeof(zero));
    }
    memcpy(f->arcb, copy, f->len);

    call.arcb_len = f->len - 1;
    g_assert_cmphex(se_attest(&call, only_other, 1, &f->conf, &res), ==,
                    SE_ATT_RC_LENGTH);
    call.arcb_len = f->len;
    g_assert_cmphex(se_attest(&call, only_other, 1, &f->conf, &res), ==,
                    SE_ATT_RC_DECRYPT);
    call.user = big;
    call.user_len = sizeof(big);
    g_assert_cmphex(attest(f, big, sizeof(big), &res), ==,
                    SE_ATT_RC_USER_LEN);
    call.user_len = 0;
    call.meas_len = SE_ATT_MEAS_SIZE - 1;
    g_assert_cmphex(se_attest(&call, only_other, 1, &f->conf, &res), ==,
                    SE_ATT_RC_MEAS_LEN);
    call.meas_len = SE_ATT_MEAS_SIZE;
    call.add_len = 63;
    g_assert_cmphex(se_attest(&call, only_other, 1, &f->conf, &res), ==,
                    SE_ATT_RC_ADD_LEN);
    g_assert_cmphex(se_arcb_length(f->arcb, SE_ARCB_HDR_SIZE - 1, &rql), ==,
                    SE_ATT_RC_LENGTH);
}

/* The requester's open fails for another key or an altered request */
static void test_open_refused(Fixture *f, gconstpointer data)
{
    uint8_t key[SE_HDR_KEY_SIZE];
    SeArcbSecrets s;
    GError *err = NULL;

    memcpy(key, f->p.prot_key, sizeof(key));
    key[0] ^= 1;
    g_assert_false(se_arcb_open(f->arcb, f->len, key, &s, &err));
    g_assert_error(err, SE_ATTEST_ERROR, SE_ATT_RC_DECRYPT);
    g_clear_error(&err);
    f->arcb[0x31] ^= 0x01;              /* an authenticated flag */
    g_assert_false(se_arcb_open(f->arcb, f->len, f->p.prot_key, &s, &err));
    g_assert_error(err, SE_ATTEST_ERROR, SE_ATT_RC_DECRYPT);
    g_clear_error(&err);
    g_assert_false(se_arcb_open(f->arcb, 40, f->p.prot_key, &s, &err));
    g_assert_error(err, SE_ATTEST_ERROR, SE_ATT_RC_LENGTH);
    g_clear_error(&err);
}

static void test_build_refused(Fixture *f, gconstpointer data)
{
    GError *err = NULL;
    size_t len;

    f->p.n_host_keys = 0;
    g_assert_null(se_arcb_build(&f->p, &len, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    f->p.n_host_keys = 1;
    memset(f->p.cust_priv, 0xff, sizeof(f->p.cust_priv));
    g_assert_null(se_arcb_build(&f->p, &len, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) \
    g_test_add("/se-attest/" name, Fixture, NULL, fixture_init, fn, \
               fixture_fini)
    ADD("layout", test_layout);
    ADD("round-trip", test_round_trip);
    ADD("no-nonce", test_no_nonce);
    ADD("refused", test_refused);
    ADD("open-refused", test_open_refused);
    ADD("build-refused", test_build_refused);
    return g_test_run();
}
