/*
 * Unit tests for loading EC P-521 key documents (host-key certificates,
 * public keys, SEC1 and PKCS#8 private keys).
 *
 * The key files under tests/core/data were made with the openssl CLI (see
 * data/README).  The expected scalar and coordinates below were extracted
 * with openssl too, not with the code under test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-eckey.h"

#define LEN CC_ECKEY_P521_LEN

/*
 * From `openssl ec -in p521-sec1.pem -text -noout`: "priv:" (as a number,
 * left-padded to 66 bytes) and "pub:" (04 || X || Y).
 */
static const char exp_d_hex[] =
    "008b495ba0cbc58f19a15106572739f27bb5b54127065df1682fa9a330f88d1d"
    "788e04ef89071f663e1b3007c836dd7b51d5b80b24606db4fb0494007c2de433"
    "6527";
static const char exp_x_hex[] =
    "0160ace1035b4d241b388966b872f284293a6e5f2c42b709d19f8ce512463997"
    "782eb239a4cd4279832b66f50044f328878a203b84ff2523c0bdf982c0a5c9e4"
    "e2fd";
static const char exp_y_hex[] =
    "019ce58061c709c83bf06aa7383f88b07935c97f2c2da40e3424173ba57ec830"
    "716370f9d6493a3540629a8a96f010f2a8d05603de10f9a4df3b6fd72ca618c5"
    "5659";

static uint8_t exp_d[LEN], exp_x[LEN], exp_y[LEN];
static uint8_t exp_point[1 + 2 * LEN];

/*
 * Encoded OIDs: secp521r1 1.3.132.0.35, secp384r1 1.3.132.0.34,
 * brainpoolP384r1 1.3.36.3.3.2.8.1.1.11 (RFC 5639), id-ecPublicKey
 * 1.2.840.10045.2.1 and ecdsa-with-SHA256 1.2.840.10045.4.3.2 (RFC 5480).
 */
static const uint8_t oid_secp521r1[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_secp384r1[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_bp384r1[] = {          /* brainpoolP384r1 */
    0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b };
static const uint8_t oid_ec_pub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                                      0x01 };
static const uint8_t oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                            0x04, 0x03, 0x02 };

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    size_t i;

    g_assert_cmpuint(strlen(hex), ==, 2 * n);
    for (i = 0; i < n; i++) {
        out[i] = g_ascii_xdigit_value(hex[2 * i]) << 4 |
                 g_ascii_xdigit_value(hex[2 * i + 1]);
    }
}

static const char *data_dir(void)
{
    const char *d = g_getenv("CC_TEST_DATA");

    return d ? d : "tests/core/data";
}

static char *data_path(const char *name)
{
    return g_build_filename(data_dir(), name, NULL);
}

static uint8_t *read_data(const char *name, size_t *len)
{
    g_autofree char *path = data_path(name);
    g_autoptr(GError) err = NULL;
    char *contents;
    gsize n;

    if (!g_file_get_contents(path, &contents, &n, &err)) {
        g_error("%s", err->message);
    }
    *len = n;
    return (uint8_t *)contents;
}

static bool key_is_zero(const CCEcKey *key)
{
    static const CCEcKey zero;

    return memcmp(key, &zero, sizeof(zero)) == 0;
}

static bool load(const uint8_t *p, size_t n, bool want_private,
                 CCEcKey *key, GError **errp)
{
    return want_private ? cc_eckey_load_private(p, n, key, errp) :
                          cc_eckey_load_public(p, n, key, errp);
}

/* Loading must fail with @code and a message containing @substr. */
static void expect_fail(const uint8_t *p, size_t n, bool want_private,
                        int code, const char *substr)
{
    g_autoptr(GError) err = NULL;
    CCEcKey key;

    memset(&key, 0xaa, sizeof(key));
    g_assert_false(load(p, n, want_private, &key, &err));
    g_assert_nonnull(err);
    g_test_message("error: %s", err->message);
    g_assert_error(err, CC_ECKEY_ERROR, code);
    if (substr) {
        g_assert_nonnull(strstr(err->message, substr));
    }
    g_assert_true(key_is_zero(&key));
}

static void expect_file_fail(const char *name, bool want_private, int code,
                             const char *substr)
{
    g_autofree uint8_t *p = NULL;
    g_autofree char *path = data_path(name);
    g_autofree char *prefix = g_strdup_printf("%s: ", path);
    g_autoptr(GError) err = NULL;
    size_t n;
    CCEcKey key;

    p = read_data(name, &n);
    expect_fail(p, n, want_private, code, substr);

    g_assert_false(cc_eckey_load_file(path, want_private, &key, &err));
    g_assert_error(err, CC_ECKEY_ERROR, code);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    if (substr) {
        g_assert_nonnull(strstr(err->message, substr));
    }
    g_assert_true(key_is_zero(&key));
}

static void check_private(const CCEcKey *key, bool with_public)
{
    g_assert_true(key->has_private);
    g_assert_cmpmem(key->d, LEN, exp_d, LEN);
    g_assert_cmpint(key->has_public, ==, with_public);
    if (with_public) {
        g_assert_cmpmem(key->x, LEN, exp_x, LEN);
        g_assert_cmpmem(key->y, LEN, exp_y, LEN);
    }
}

static void check_public(const CCEcKey *key)
{
    g_assert_false(key->has_private);
    g_assert_true(key->has_public);
    g_assert_cmpmem(key->x, LEN, exp_x, LEN);
    g_assert_cmpmem(key->y, LEN, exp_y, LEN);
}

/* A small DER builder for hand-made documents. ------------------------- */

static GByteArray *raw(const void *p, size_t n)
{
    GByteArray *a = g_byte_array_new();

    if (n) {
        g_byte_array_append(a, p, n);
    }
    return a;
}

/* Exactly @n bytes (NULL for 0), so ASan sees any over-read. */
static uint8_t *memdup_exact(const void *p, size_t n)
{
    uint8_t *d = g_malloc(n);

    if (n) {
        memcpy(d, p, n);
    }
    return d;
}

/* Concatenate and free a NULL-terminated list of arrays. */
static GByteArray *cat(GByteArray *first, ...)
{
    GByteArray *out = g_byte_array_new();
    GByteArray *a;
    va_list ap;

    va_start(ap, first);
    for (a = first; a; a = va_arg(ap, GByteArray *)) {
        g_byte_array_append(out, a->data, a->len);
        g_byte_array_unref(a);
    }
    va_end(ap);
    return out;
}

/* Wrap @content (freed) in a minimal-length TLV. */
static GByteArray *tlv(uint8_t tag, GByteArray *content)
{
    GByteArray *out = g_byte_array_new();
    uint8_t hdr[6];
    size_t h = 0, n = content->len;

    hdr[h++] = tag;
    if (n < 0x80) {
        hdr[h++] = n;
    } else if (n < 0x100) {
        hdr[h++] = 0x81;
        hdr[h++] = n;
    } else {
        g_assert_cmpuint(n, <, 0x10000);
        hdr[h++] = 0x82;
        hdr[h++] = n >> 8;
        hdr[h++] = n;
    }
    g_byte_array_append(out, hdr, h);
    g_byte_array_append(out, content->data, content->len);
    g_byte_array_unref(content);
    return out;
}

static GByteArray *der_int(uint8_t v)
{
    return tlv(0x02, raw(&v, 1));
}

static GByteArray *der_oid(const uint8_t *oid, size_t n)
{
    return tlv(0x06, raw(oid, n));
}

static GByteArray *der_bits(const uint8_t *p, size_t n)
{
    return tlv(0x03, cat(raw("\0", 1), raw(p, n), NULL));
}

/* SEC1 ECPrivateKey; NULL @curve / @point omit those fields. */
static GByteArray *make_sec1(uint8_t version, const uint8_t *d, size_t dlen,
                             const uint8_t *curve, size_t curve_len,
                             const uint8_t *point, size_t point_len)
{
    GByteArray *body = cat(der_int(version), tlv(0x04, raw(d, dlen)), NULL);

    if (curve) {
        body = cat(body, tlv(0xa0, der_oid(curve, curve_len)), NULL);
    }
    if (point) {
        body = cat(body, tlv(0xa1, der_bits(point, point_len)), NULL);
    }
    return tlv(0x30, body);
}

static GByteArray *make_ec_alg(const uint8_t *curve, size_t curve_len)
{
    return tlv(0x30, cat(der_oid(oid_ec_pub, sizeof(oid_ec_pub)),
                         der_oid(curve, curve_len), NULL));
}

static GByteArray *make_spki(const uint8_t *curve, size_t curve_len,
                             const uint8_t *point, size_t point_len)
{
    return tlv(0x30, cat(make_ec_alg(curve, curve_len),
                         der_bits(point, point_len), NULL));
}

static void expect_ok(GByteArray *a, bool want_private, CCEcKey *key)
{
    g_autoptr(GError) err = NULL;

    if (!load(a->data, a->len, want_private, key, &err)) {
        g_error("unexpected failure: %s", err->message);
    }
}

/* Accepted formats ----------------------------------------------------- */

static void test_private_formats(void)
{
    static const char *const files[] = {
        "p521-sec1.pem", "p521-sec1.der", "p521-pkcs8.pem", "p521-pkcs8.der",
        "p521-with-params.pem",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree uint8_t *p = NULL;
        g_autofree char *path = data_path(files[i]);
        g_autoptr(GError) err = NULL;
        size_t n;
        CCEcKey key;

        g_test_message("file: %s", files[i]);
        p = read_data(files[i], &n);
        memset(&key, 0xaa, sizeof(key));
        g_assert_true(cc_eckey_load_private(p, n, &key, &err));
        g_assert_no_error(err);
        check_private(&key, true);

        memset(&key, 0xaa, sizeof(key));
        g_assert_true(cc_eckey_load_file(path, true, &key, &err));
        g_assert_no_error(err);
        check_private(&key, true);
    }
}

static void test_private_without_public(void)
{
    g_autofree uint8_t *p = NULL;
    size_t n;
    CCEcKey key;

    p = read_data("p521-sec1-nopub.pem", &n);
    g_assert_true(cc_eckey_load_private(p, n, &key, NULL));
    check_private(&key, false);
    g_assert_cmpmem(key.x, LEN, (uint8_t[LEN]) { 0 }, LEN);
    g_assert_cmpmem(key.y, LEN, (uint8_t[LEN]) { 0 }, LEN);
}

static void test_public_formats(void)
{
    static const char *const files[] = {
        "p521-cert.pem", "p521-cert.der", "p521-cert-v1.pem", "p521-pub.pem",
        "p521-pub.der",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree uint8_t *p = NULL;
        g_autofree char *path = data_path(files[i]);
        g_autoptr(GError) err = NULL;
        size_t n;
        CCEcKey key;

        g_test_message("file: %s", files[i]);
        p = read_data(files[i], &n);
        memset(&key, 0xaa, sizeof(key));
        g_assert_true(cc_eckey_load_public(p, n, &key, &err));
        g_assert_no_error(err);
        check_public(&key);

        memset(&key, 0xaa, sizeof(key));
        g_assert_true(cc_eckey_load_file(path, false, &key, &err));
        g_assert_no_error(err);
        check_public(&key);
    }
}

/* Hand-built documents: every optional part, size rules. */
static void test_hand_built(void)
{
    static const uint8_t big_d[LEN] = { 0x02, 0x01 };
    static const uint8_t zero_d[LEN];
    uint8_t d67[LEN + 1] = { 0 };
    uint8_t compressed[1 + LEN];
    CCEcKey key;
    GByteArray *a;

    /* baseline equals openssl's encoding of the same key */
    {
        g_autofree uint8_t *p = NULL;
        size_t n;

        p = read_data("p521-sec1.der", &n);
        a = make_sec1(1, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                      exp_point, sizeof(exp_point));
        g_assert_cmpmem(a->data, a->len, p, n);
        g_byte_array_unref(a);
    }

    /* d shorter than 66 bytes is left-padded */
    g_assert_cmphex(exp_d[0], ==, 0);
    a = make_sec1(1, exp_d + 1, LEN - 1, oid_secp521r1,
                  sizeof(oid_secp521r1), NULL, 0);
    expect_ok(a, true, &key);
    check_private(&key, false);
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_WRONG_TYPE,
                "this is a SEC1 EC private key");
    g_byte_array_unref(a);

    /* d longer than 66 bytes, even with a zero top byte */
    memcpy(d67 + 1, exp_d, LEN);
    a = make_sec1(1, d67, sizeof(d67), oid_secp521r1, sizeof(oid_secp521r1),
                  NULL, 0);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "66");
    g_byte_array_unref(a);

    /* 66 bytes but more than 521 bits */
    a = make_sec1(1, big_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  NULL, 0);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "521 bits");
    g_byte_array_unref(a);

    a = make_sec1(1, zero_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  NULL, 0);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "zero");
    g_byte_array_unref(a);

    /* a stand-alone SEC1 key must name its curve */
    a = make_sec1(1, exp_d, LEN, NULL, 0, exp_point, sizeof(exp_point));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_CURVE, "name its");
    g_byte_array_unref(a);

    a = make_sec1(2, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  NULL, 0);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);

    /* a compressed public key inside a private key is ignored */
    compressed[0] = 0x02 | (exp_y[LEN - 1] & 1);
    memcpy(compressed + 1, exp_x, LEN);
    a = make_sec1(1, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  compressed, sizeof(compressed));
    expect_ok(a, true, &key);
    check_private(&key, false);
    g_byte_array_unref(a);

    /* a truncated public point is an error */
    a = make_sec1(1, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  exp_point, sizeof(exp_point) - 1);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "132");
    g_byte_array_unref(a);

    /* SPKI on secp384r1 and on a curve we have no name for */
    a = make_spki(oid_secp384r1, sizeof(oid_secp384r1), exp_point,
                  sizeof(exp_point));
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_CURVE,
                "key is on curve secp384r1 (1.3.132.0.34), secp521r1 (P-521) "
                "is required");
    g_byte_array_unref(a);
    a = make_spki(oid_bp384r1, sizeof(oid_bp384r1), exp_point,
                  sizeof(exp_point));
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_CURVE, NULL);
    g_byte_array_unref(a);

    /* hybrid and unknown point forms, coordinates over 521 bits */
    {
        uint8_t pt[sizeof(exp_point)];

        memcpy(pt, exp_point, sizeof(pt));
        pt[0] = 0x06;
        a = make_spki(oid_secp521r1, sizeof(oid_secp521r1), pt, sizeof(pt));
        expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_POINT_FORMAT,
                    "hybrid");
        g_byte_array_unref(a);
        pt[0] = 0x05;
        a = make_spki(oid_secp521r1, sizeof(oid_secp521r1), pt, sizeof(pt));
        expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_KEY_VALUE,
                    "0x05");
        g_byte_array_unref(a);
        pt[0] = 0x04;
        pt[1 + LEN] = 0x02;
        a = make_spki(oid_secp521r1, sizeof(oid_secp521r1), pt, sizeof(pt));
        expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_KEY_VALUE,
                    "521 bits");
        g_byte_array_unref(a);
    }

    /* AlgorithmIdentifier without parameters */
    a = tlv(0x30, cat(tlv(0x30, der_oid(oid_ec_pub, sizeof(oid_ec_pub))),
                      der_bits(exp_point, sizeof(exp_point)), NULL));
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_CURVE, "name its");
    g_byte_array_unref(a);
}

/*
 * Size and value rules on documents that GnuTLS decodes: a SEC1 key with
 * its public point, and public points of the wrong length.
 */
static void test_value_checks(void)
{
    static const uint8_t big_d[LEN] = { 0x02, 0x01 };
    static const uint8_t zero_d[LEN];
    uint8_t d67[LEN + 1];
    uint8_t pt[sizeof(exp_point)];
    CCEcKey key;
    GByteArray *a;

    /* baseline: the SEC1 key with its public point */
    a = make_sec1(1, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  exp_point, sizeof(exp_point));
    expect_ok(a, true, &key);
    check_private(&key, true);
    g_byte_array_unref(a);

    /* d of 67 significant bytes */
    memset(d67, 0x01, sizeof(d67));
    a = make_sec1(1, d67, sizeof(d67), oid_secp521r1, sizeof(oid_secp521r1),
                  exp_point, sizeof(exp_point));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "66");
    g_byte_array_unref(a);

    /* 66 bytes but more than 521 bits */
    a = make_sec1(1, big_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  exp_point, sizeof(exp_point));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "521 bits");
    g_byte_array_unref(a);

    a = make_sec1(1, zero_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  exp_point, sizeof(exp_point));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "zero");
    g_byte_array_unref(a);

    /* a public coordinate over 521 bits inside a private key */
    memcpy(pt, exp_point, sizeof(pt));
    pt[1] = 0x02;
    a = make_sec1(1, exp_d, LEN, oid_secp521r1, sizeof(oid_secp521r1),
                  pt, sizeof(pt));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_KEY_VALUE, "521 bits");
    g_byte_array_unref(a);

    /* an uncompressed point of even length cannot be split in two */
    a = make_spki(oid_secp521r1, sizeof(oid_secp521r1), exp_point,
                  sizeof(exp_point) - 1);
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_KEY_VALUE, NULL);
    g_byte_array_unref(a);

    /* a secp384r1 key in PKCS#8, named by the AlgorithmIdentifier */
    a = tlv(0x30, cat(der_int(0),
                      make_ec_alg(oid_secp384r1, sizeof(oid_secp384r1)),
                      tlv(0x04, make_sec1(1, exp_d + LEN - 48, 48, NULL, 0,
                                          exp_point, 97)),
                      NULL));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_CURVE,
                "key is on curve secp384r1 (1.3.132.0.34), secp521r1 (P-521) "
                "is required");
    g_byte_array_unref(a);

    /* X.509 version [0] 5 (v6): GnuTLS decodes it, the loader refuses it */
    {
        static const uint8_t v3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
        g_autofree uint8_t *c = NULL;
        size_t cn, i;

        c = read_data("p521-cert.der", &cn);
        for (i = 0; i + sizeof(v3) <= cn; i++) {
            if (memcmp(c + i, v3, sizeof(v3)) == 0) {
                break;
            }
        }
        g_assert_cmpuint(i + sizeof(v3), <=, cn);
        c[i + sizeof(v3) - 1] = 0x05;
        expect_fail(c, cn, false, CC_ECKEY_ERROR_FORMAT, "version 6");
    }
}

/* PKCS#8 v2 (RFC 5958) with the public key outside the SEC1 structure. */
static void test_pkcs8_v2(void)
{
    CCEcKey key;
    GByteArray *a;
    GByteArray *pub_ctx;

    pub_ctx = tlv(0x81, cat(raw("\0", 1),
                            raw(exp_point, sizeof(exp_point)), NULL));
    a = tlv(0x30, cat(der_int(1),
                      make_ec_alg(oid_secp521r1, sizeof(oid_secp521r1)),
                      tlv(0x04, make_sec1(1, exp_d, LEN, NULL, 0, NULL, 0)),
                      tlv(0xa0, raw(NULL, 0)),      /* empty attributes */
                      raw(pub_ctx->data, pub_ctx->len), NULL));
    expect_ok(a, true, &key);
    check_private(&key, true);
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_WRONG_TYPE,
                "this is a PKCS#8 private key");
    g_byte_array_unref(a);

    /* version 0 must not have the public key field */
    a = tlv(0x30, cat(der_int(0),
                      make_ec_alg(oid_secp521r1, sizeof(oid_secp521r1)),
                      tlv(0x04, make_sec1(1, exp_d, LEN, NULL, 0, NULL, 0)),
                      raw(pub_ctx->data, pub_ctx->len), NULL));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);

    /* the inner SEC1 curve, when given, is checked too */
    a = tlv(0x30, cat(der_int(0),
                      make_ec_alg(oid_secp521r1, sizeof(oid_secp521r1)),
                      tlv(0x04, make_sec1(1, exp_d, LEN, oid_secp384r1,
                                          sizeof(oid_secp384r1), NULL, 0)),
                      NULL));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_CURVE, "secp384r1");
    g_byte_array_unref(a);

    /* trailing data inside the privateKey OCTET STRING */
    a = tlv(0x30, cat(der_int(0),
                      make_ec_alg(oid_secp521r1, sizeof(oid_secp521r1)),
                      tlv(0x04, cat(make_sec1(1, exp_d, LEN, NULL, 0, NULL,
                                              0), raw("\x05\x00", 2), NULL)),
                      NULL));
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);
    g_byte_array_unref(pub_ctx);
}

/*
 * An X.509 v1 certificate has no [0] version field.  A real one,
 * data/p521-cert-v1.pem, is read in test_public_formats().
 */
static void test_cert_v1(void)
{
    g_autofree uint8_t *spki = NULL;
    size_t spki_len;
    GByteArray *sigalg, *a;

    spki = read_data("p521-pub.der", &spki_len);
    sigalg = tlv(0x30, der_oid(oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256)));
    a = tlv(0x30, cat(
            tlv(0x30, cat(der_int(7),
                          raw(sigalg->data, sigalg->len),
                          tlv(0x30, raw(NULL, 0)),          /* issuer */
                          tlv(0x30, raw(NULL, 0)),          /* validity */
                          tlv(0x30, raw(NULL, 0)),          /* subject */
                          raw(spki, spki_len), NULL)),
            raw(sigalg->data, sigalg->len),
            der_bits((const uint8_t *)"sig", 3), NULL));
    /*
     * Not a certificate: the empty SEQUENCE is no Validity, which holds
     * two Time values (RFC 5280 section 4.1), and gnutls_x509_crt_import()
     * refuses it.
     */
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);

    /* version [0] INTEGER 5 (X.509 v6) is not a thing */
    a = tlv(0x30, cat(
            tlv(0x30, cat(tlv(0xa0, der_int(5)), der_int(7),
                          raw(sigalg->data, sigalg->len),
                          tlv(0x30, raw(NULL, 0)),
                          tlv(0x30, raw(NULL, 0)),
                          tlv(0x30, raw(NULL, 0)),
                          raw(spki, spki_len), NULL)),
            raw(sigalg->data, sigalg->len),
            der_bits((const uint8_t *)"sig", 3), NULL));
    expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);
    g_byte_array_unref(sigalg);
}

/* Refused documents ---------------------------------------------------- */

static void test_wrong_curve(void)
{
    expect_file_fail("p256-key.pem", true, CC_ECKEY_ERROR_CURVE,
                     "key is on curve prime256v1 (1.2.840.10045.3.1.7), "
                     "secp521r1 (P-521) is required");
    expect_file_fail("p256-cert.pem", false, CC_ECKEY_ERROR_CURVE,
                     "key is on curve prime256v1 (1.2.840.10045.3.1.7), "
                     "secp521r1 (P-521) is required");
    expect_file_fail("p521-explicit.pem", true, CC_ECKEY_ERROR_CURVE,
                     "explicit curve parameters");
}

static void test_rsa(void)
{
    static const uint8_t pkcs1[] = {            /* RSAPrivateKey header */
        0x30, 0x09, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03
    };

    expect_file_fail("rsa2048-cert.pem", false, CC_ECKEY_ERROR_ALGORITHM,
                     "key algorithm is rsaEncryption (1.2.840.113549.1.1.1),"
                     " an EC key on secp521r1 (P-521) is required");
    expect_file_fail("rsa2048-key.pem", true, CC_ECKEY_ERROR_ALGORITHM,
                     "rsaEncryption (1.2.840.113549.1.1.1)");
    expect_fail(pkcs1, sizeof(pkcs1), true, CC_ECKEY_ERROR_ALGORITHM, "RSA");
}

static void test_encrypted(void)
{
    g_autofree char *path = data_path("p521-pkcs8-enc.pem");
    g_autofree char *hint = NULL;
    g_autofree uint8_t *pem = NULL;
    g_autofree uint8_t *der = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *body = NULL;
    size_t pem_len;
    gsize der_len;

    expect_file_fail("p521-pkcs8-enc.pem", true, CC_ECKEY_ERROR_ENCRYPTED,
                     "encrypted private keys are not supported; decrypt "
                     "with openssl ec -in ");
    /* from a file, the hint names it */
    {
        g_autoptr(GError) err = NULL;
        CCEcKey key;

        hint = g_strdup_printf("openssl ec -in %s -out ", path);
        g_assert_false(cc_eckey_load_file(path, true, &key, &err));
        g_assert_error(err, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ENCRYPTED);
        g_test_message("error: %s", err->message);
        g_assert_nonnull(strstr(err->message, hint));
        g_assert_nonnull(strstr(err->message, "p521-pkcs8-enc-decrypted.pem"));
    }
    expect_file_fail("p521-sec1-enc.pem", true, CC_ECKEY_ERROR_ENCRYPTED,
                     "encrypted private keys are not supported");
    expect_file_fail("p521-pkcs8-enc.pem", false, CC_ECKEY_ERROR_WRONG_TYPE,
                     "encrypted private key");

    /* the same as DER: EncryptedPrivateKeyInfo */
    pem = read_data("p521-pkcs8-enc.pem", &pem_len);
    lines = g_strsplit((const char *)pem, "\n", -1);
    g_assert_true(g_str_has_prefix(lines[0], "-----BEGIN ENCRYPTED"));
    body = g_strjoinv("", lines + 1);
    *strstr(body, "-----END") = 0;
    der = g_base64_decode(body, &der_len);
    g_assert_cmpuint(der_len, >, 100);
    expect_fail(der, der_len, true, CC_ECKEY_ERROR_ENCRYPTED,
                "not supported");
}

static void test_compressed(void)
{
    expect_file_fail("p521-pub-compressed.pem", false,
                     CC_ECKEY_ERROR_POINT_FORMAT, "compressed point");
}

static void test_wrong_type(void)
{
    expect_file_fail("p521-cert.pem", true, CC_ECKEY_ERROR_WRONG_TYPE,
                     "this is an X.509 certificate, a private key is "
                     "required");
    expect_file_fail("p521-cert.der", true, CC_ECKEY_ERROR_WRONG_TYPE,
                     "certificate");
    expect_file_fail("p521-pub.der", true, CC_ECKEY_ERROR_WRONG_TYPE,
                     "public key");
    expect_file_fail("p521-sec1.pem", false, CC_ECKEY_ERROR_WRONG_TYPE,
                     "a certificate or public key is required");
    expect_file_fail("p521-pkcs8.der", false, CC_ECKEY_ERROR_WRONG_TYPE,
                     "PKCS#8");
}

/* Every strict prefix of a valid DER document fails cleanly. */
static void test_truncated_der(void)
{
    static const struct {
        const char *name;
        bool private;
    } files[] = {
        { "p521-sec1.der", true },
        { "p521-pkcs8.der", true },
        { "p521-pub.der", false },
        { "p521-cert.der", false },
    };
    size_t f, i;

    for (f = 0; f < G_N_ELEMENTS(files); f++) {
        g_autofree uint8_t *p = NULL;
        size_t n;

        p = read_data(files[f].name, &n);
        for (i = 0; i < n; i++) {
            /* a fresh copy so that reads past @i would be caught by ASan */
            g_autofree uint8_t *cut = memdup_exact(p, i);
            int k;

            for (k = 0; k < 2; k++) {
                g_autoptr(GError) err = NULL;
                CCEcKey key;

                memset(&key, 0xaa, sizeof(key));
                g_assert_false(load(cut, i, k, &key, &err));
                g_assert_nonnull(err);
                g_assert_true(key_is_zero(&key));
            }
        }
    }
}

/* Every prefix of a PEM file short of the END line fails cleanly. */
static void test_truncated_pem(void)
{
    g_autofree uint8_t *p = NULL;
    size_t n, i;
    CCEcKey key;

    p = read_data("p521-sec1.pem", &n);
    g_assert_cmpuint(p[n - 1], ==, '\n');
    for (i = 0; i < n - 1; i++) {
        g_autofree uint8_t *cut = memdup_exact(p, i);
        g_autoptr(GError) err = NULL;

        g_assert_false(cc_eckey_load_private(cut, i, &key, &err));
        g_assert_error(err, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT);
    }
    /* the END line without its newline is complete */
    g_assert_true(cc_eckey_load_private(p, n - 1, &key, NULL));
    check_private(&key, true);
}

static void test_garbage(void)
{
    static const char *const texts[] = {
        "", "hello world\n", "-----BEGIN", "0", "\x30", "\x30\x00",
        "-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----\n",
    };
    g_autofree uint8_t *valid = NULL;
    uint8_t buf[400];
    size_t i, j, n;
    CCEcKey key;

    for (i = 0; i < G_N_ELEMENTS(texts); i++) {
        expect_fail((const uint8_t *)texts[i], strlen(texts[i]), true,
                    CC_ECKEY_ERROR_FORMAT, NULL);
        expect_fail((const uint8_t *)texts[i], strlen(texts[i]), false,
                    CC_ECKEY_ERROR_FORMAT, NULL);
    }
    expect_fail((const uint8_t *)"hello", 5, true, CC_ECKEY_ERROR_FORMAT,
                "not a PEM or DER EC key");
    expect_fail(NULL, 0, false, CC_ECKEY_ERROR_FORMAT, NULL);

    /* random bytes, half of them looking like the start of a SEQUENCE */
    for (i = 0; i < 2000; i++) {
        n = g_test_rand_int_range(0, sizeof(buf));
        for (j = 0; j < n; j++) {
            buf[j] = g_test_rand_int_range(0, 256);
        }
        if (n && (i & 1)) {
            buf[0] = 0x30;
        }
        g_assert_false(cc_eckey_load_private(buf, n, &key, NULL));
        g_assert_true(key_is_zero(&key));
        g_assert_false(cc_eckey_load_public(buf, n, &key, NULL));
        g_assert_true(key_is_zero(&key));
    }

    /*
     * every single-byte change of a valid document: no crash, and a
     * failure always leaves the key zeroed
     */
    valid = read_data("p521-cert.der", &n);
    for (i = 0; i < n; i++) {
        static const uint8_t deltas[] = { 0x01, 0x80, 0xff };

        for (j = 0; j < G_N_ELEMENTS(deltas); j++) {
            g_autoptr(GError) err = NULL;
            g_autofree uint8_t *m = memdup_exact(valid, n);

            m[i] ^= deltas[j];
            if (!cc_eckey_load_public(m, n, &key, &err)) {
                g_assert_nonnull(err);
                g_assert_true(key_is_zero(&key));
            } else {
                g_assert_true(key.has_public);
            }
        }
    }
}

static void test_bad_base64(void)
{
    static const char bad[] = { '!', '*', '.', '\x01', '\x80' };
    g_autofree uint8_t *p = NULL;
    size_t n, i;
    char *body;

    p = read_data("p521-sec1.pem", &n);
    body = strchr((char *)p, '\n') + 10;    /* inside the first body line */
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree uint8_t *m = memdup_exact(p, n);

        m[body - (char *)p] = bad[i];
        expect_fail(m, n, true, CC_ECKEY_ERROR_FORMAT, "base64");
    }
    /* a dropped character leaves a bad length */
    {
        g_autofree uint8_t *m = memdup_exact(p, n);
        size_t off = body - (char *)p;

        memmove(m + off, m + off + 1, n - off - 1);
        expect_fail(m, n - 1, true, CC_ECKEY_ERROR_FORMAT, "base64");
    }
}

/*
 * Non-minimal and indefinite lengths, and trailing garbage, in an
 * otherwise valid document.
 */
static void test_der_strictness(void)
{
    g_autofree uint8_t *p = NULL;
    g_autofree char *b64 = NULL;
    g_autofree char *pem = NULL;
    CCEcKey key;
    GByteArray *a;
    size_t n;

    p = read_data("p521-sec1.der", &n);
    /* openssl's encoding: 30 81 dc | 02 01 01 | 04 42 ... */
    g_assert_cmpmem(p, 6, "\x30\x81\xdc\x02\x01\x01", 6);

    /*
     * Non-minimal lengths: gnutls_x509_privkey_import() accepts them and
     * reads the same key.  Refusing them (strict DER length checking) was
     * a property of the deleted hand-written parser; nettle's
     * asn1_der_iterator_next() would refuse them, but the fallback only
     * reads documents that GnuTLS refused.
     */

    /* version INTEGER with a long-form length of 1 */
    a = cat(raw("\x30\x81\xdd\x02\x81\x01\x01", 7), raw(p + 6, n - 6), NULL);
    expect_ok(a, true, &key);
    check_private(&key, true);
    g_byte_array_unref(a);

    /* outer length with a leading zero byte */
    a = cat(raw("\x30\x82\x00\xdc", 4), raw(p + 3, n - 3), NULL);
    expect_ok(a, true, &key);
    check_private(&key, true);
    g_byte_array_unref(a);

    /* indefinite-length outer SEQUENCE with end-of-contents */
    a = cat(raw("\x30\x80", 2), raw(p + 3, n - 3), raw("\0\0", 2), NULL);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);

    /* trailing garbage after the outer SEQUENCE, DER and in PEM */
    a = cat(raw(p, n), raw("\x00", 1), NULL);
    expect_fail(a->data, a->len, true, CC_ECKEY_ERROR_FORMAT, NULL);
    b64 = g_base64_encode(a->data, a->len);
    pem = g_strdup_printf("-----BEGIN EC PRIVATE KEY-----\n%s\n"
                          "-----END EC PRIVATE KEY-----\n", b64);
    expect_fail((const uint8_t *)pem, strlen(pem), true,
                CC_ECKEY_ERROR_FORMAT, NULL);
    g_byte_array_unref(a);

    /* a certificate with a byte after it */
    {
        g_autofree uint8_t *c = NULL;
        size_t cn;

        c = read_data("p521-cert.der", &cn);
        a = cat(raw(c, cn), raw("\x30", 1), NULL);
        expect_fail(a->data, a->len, false, CC_ECKEY_ERROR_FORMAT, NULL);
        g_byte_array_unref(a);
    }
}

static void test_file_errors(void)
{
    g_autofree char *missing = data_path("no-such-key.pem");
    g_autofree char *readme = data_path("README");
    g_autofree char *prefix = g_strdup_printf("%s: ", readme);
    g_autoptr(GError) err = NULL;
    CCEcKey key;

    g_assert_false(cc_eckey_load_file(missing, false, &key, &err));
    g_assert_error(err, CC_ECKEY_ERROR, CC_ECKEY_ERROR_IO);
    g_assert_true(g_str_has_prefix(err->message, missing));
    g_clear_error(&err);

    g_assert_false(cc_eckey_load_file(readme, true, &key, &err));
    g_assert_error(err, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_assert_nonnull(strstr(err->message, "not a PEM or DER EC key"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    hex_to_bytes(exp_d_hex, exp_d, LEN);
    hex_to_bytes(exp_x_hex, exp_x, LEN);
    hex_to_bytes(exp_y_hex, exp_y, LEN);
    exp_point[0] = 0x04;
    memcpy(exp_point + 1, exp_x, LEN);
    memcpy(exp_point + 1 + LEN, exp_y, LEN);

    g_test_add_func("/cc-eckey/private-formats", test_private_formats);
    g_test_add_func("/cc-eckey/private-without-public",
                    test_private_without_public);
    g_test_add_func("/cc-eckey/public-formats", test_public_formats);
    g_test_add_func("/cc-eckey/hand-built", test_hand_built);
    g_test_add_func("/cc-eckey/value-checks", test_value_checks);
    g_test_add_func("/cc-eckey/pkcs8-v2", test_pkcs8_v2);
    g_test_add_func("/cc-eckey/cert-v1", test_cert_v1);
    g_test_add_func("/cc-eckey/wrong-curve", test_wrong_curve);
    g_test_add_func("/cc-eckey/rsa", test_rsa);
    g_test_add_func("/cc-eckey/encrypted", test_encrypted);
    g_test_add_func("/cc-eckey/compressed", test_compressed);
    g_test_add_func("/cc-eckey/wrong-type", test_wrong_type);
    g_test_add_func("/cc-eckey/truncated-der", test_truncated_der);
    g_test_add_func("/cc-eckey/truncated-pem", test_truncated_pem);
    g_test_add_func("/cc-eckey/garbage", test_garbage);
    g_test_add_func("/cc-eckey/bad-base64", test_bad_base64);
    g_test_add_func("/cc-eckey/der-strictness", test_der_strictness);
    g_test_add_func("/cc-eckey/file-errors", test_file_errors);
    return g_test_run();
}
