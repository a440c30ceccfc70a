/*
 * EC P-521 key documents: certificates, SubjectPublicKeyInfo, SEC1 and
 * PKCS#8 private keys (see include/qemu/cc-eckey.h).
 *
 * Formats: X.509 (RFC 5280), SubjectPublicKeyInfo and ECParameters
 * (RFC 5480), ECPrivateKey (RFC 5915), PKCS#8 (RFC 5208, RFC 5958),
 * PEM armour (RFC 7468).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-der.h"
#include "qemu/cc-eckey.h"

G_DEFINE_QUARK(cc_eckey_error_quark, cc_eckey_error)

#define P521_LEN CC_ECKEY_P521_LEN
/* 0x04 || X || Y */
#define P521_POINT_LEN (1 + 2 * P521_LEN)
/* Nesting depth for diagnosing unrecognised DER (certificates use ~8). */
#define DER_MAX_DEPTH 32

/* Encoded OBJECT IDENTIFIER contents. */
static const uint8_t oid_ec_public_key[] = {    /* 1.2.840.10045.2.1 */
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};
static const uint8_t oid_secp521r1[] = {        /* 1.3.132.0.35 */
    0x2b, 0x81, 0x04, 0x00, 0x23
};

typedef struct OidName {
    const char *name;
    uint8_t len;
    uint8_t der[10];
} OidName;

/* OIDs that error messages name; others are printed in dotted form. */
static const OidName oid_names[] = {
    { "id-ecPublicKey", 7, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 } },
    { "secp521r1", 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 } },
    { "secp384r1", 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 } },
    { "prime256v1", 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 } },
    { "secp256k1", 5, { 0x2b, 0x81, 0x04, 0x00, 0x0a } },
    { "brainpoolP512r1", 9,
      { 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d } },
    { "rsaEncryption", 9,
      { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 } },
    { "RSASSA-PSS", 9,
      { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a } },
    { "dsaEncryption", 7, { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01 } },
    { "id-ecDH", 5, { 0x2b, 0x81, 0x04, 0x01, 0x0c } },
    { "X25519", 3, { 0x2b, 0x65, 0x6e } },
    { "X448", 3, { 0x2b, 0x65, 0x6f } },
    { "Ed25519", 3, { 0x2b, 0x65, 0x70 } },
    { "Ed448", 3, { 0x2b, 0x65, 0x71 } },
};

/* "prime256v1 (1.2.840.10045.3.1.7)", or just the dotted form. */
static char *oid_describe(const uint8_t *oid, size_t len)
{
    g_autofree char *dotted = cc_der_oid_to_string(oid, len);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(oid_names); i++) {
        if (cc_der_oid_equal(oid, len, oid_names[i].der, oid_names[i].len)) {
            return g_strdup_printf("%s (%s)", oid_names[i].name, dotted);
        }
    }
    return g_steal_pointer(&dotted);
}

/* Clear memory that held private key material. */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;    /* so the stores are not optimised out */

    while (n--) {
        *v++ = 0;
    }
}

/* Kinds of document, from the PEM label or from the DER structure. */
typedef enum DocType {
    DOC_UNKNOWN,
    DOC_SEC1,           /* EC PRIVATE KEY */
    DOC_PKCS8,          /* PRIVATE KEY */
    DOC_PKCS8_ENC,      /* ENCRYPTED PRIVATE KEY */
    DOC_RSA_PRIVATE,    /* RSA PRIVATE KEY (PKCS#1) */
    DOC_SPKI,           /* PUBLIC KEY */
    DOC_CERT,           /* CERTIFICATE */
    DOC_EC_PARAMS,      /* EC PARAMETERS (skipped) */
} DocType;

static const char *const doc_names[] = {
    [DOC_UNKNOWN] = "document",
    [DOC_SEC1] = "SEC1 EC private key",
    [DOC_PKCS8] = "PKCS#8 private key",
    [DOC_PKCS8_ENC] = "encrypted PKCS#8 private key",
    [DOC_RSA_PRIVATE] = "RSA private key",
    [DOC_SPKI] = "public key",
    [DOC_CERT] = "X.509 certificate",
    [DOC_EC_PARAMS] = "EC parameters",
};

static DocType doc_from_label(const char *label)
{
    static const struct {
        const char *label;
        DocType type;
    } labels[] = {
        { "EC PRIVATE KEY", DOC_SEC1 },
        { "PRIVATE KEY", DOC_PKCS8 },
        { "ENCRYPTED PRIVATE KEY", DOC_PKCS8_ENC },
        { "RSA PRIVATE KEY", DOC_RSA_PRIVATE },
        { "PUBLIC KEY", DOC_SPKI },
        { "CERTIFICATE", DOC_CERT },
        { "EC PARAMETERS", DOC_EC_PARAMS },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(labels); i++) {
        if (strcmp(label, labels[i].label) == 0) {
            return labels[i].type;
        }
    }
    return DOC_UNKNOWN;
}

/*
 * Guess what a DER document is from its first elements.  Only a guess
 * that picks the parser (and an error message); the parser is strict.
 */
static DocType doc_from_der(const uint8_t *der, size_t len)
{
    CCBuf b, seq, first;

    cc_buf_init(&b, der, len);
    if (!cc_der_enter_sequence(&b, NULL, &seq, NULL)) {
        return DOC_UNKNOWN;
    }
    if (cc_der_peek_tag(&seq, CC_DER_INTEGER)) {
        if (!cc_der_skip(&seq, NULL)) {
            return DOC_UNKNOWN;
        }
        if (cc_der_peek_tag(&seq, CC_DER_OCTET_STRING)) {
            return DOC_SEC1;
        }
        if (cc_der_peek_tag(&seq, CC_DER_SEQUENCE)) {
            return DOC_PKCS8;
        }
        if (cc_der_peek_tag(&seq, CC_DER_INTEGER)) {
            return DOC_RSA_PRIVATE;
        }
        return DOC_UNKNOWN;
    }
    if (!cc_der_enter_sequence(&seq, NULL, &first, NULL)) {
        return DOC_UNKNOWN;
    }
    if (cc_der_peek_tag(&seq, CC_DER_OCTET_STRING)) {
        return DOC_PKCS8_ENC;   /* { AlgorithmIdentifier, encryptedData } */
    }
    if (cc_der_peek_tag(&seq, CC_DER_BIT_STRING) &&
        cc_der_peek_tag(&first, CC_DER_OID)) {
        return DOC_SPKI;
    }
    if (cc_der_peek_tag(&seq, CC_DER_SEQUENCE)) {
        return DOC_CERT;        /* { tbsCertificate, signatureAlgorithm, .. */
    }
    return DOC_UNKNOWN;
}

static bool check_curve(const uint8_t *oid, size_t len, GError **errp)
{
    g_autofree char *desc = NULL;

    if (cc_der_oid_equal(oid, len, oid_secp521r1, sizeof(oid_secp521r1))) {
        return true;
    }
    desc = oid_describe(oid, len);
    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                "key is on curve %s, secp521r1 (P-521) is required", desc);
    return false;
}

/*
 * ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER,
 *                           implicitCurve NULL,
 *                           specifiedCurve SpecifiedECDomain }
 * Only namedCurve secp521r1 is accepted.
 */
static bool parse_ec_parameters(CCBuf *b, GError **errp)
{
    const uint8_t *oid;
    size_t oid_len;

    if (cc_der_peek_tag(b, CC_DER_SEQUENCE)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "explicit curve parameters are not supported, "
                            "the curve must be named secp521r1 (re-encode "
                            "with openssl ec -param_enc named_curve)");
        return false;
    }
    if (cc_der_peek_tag(b, CC_DER_NULL)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "implicit curve parameters are not supported, "
                            "the curve must be named secp521r1");
        return false;
    }
    if (!cc_der_read_oid(b, "namedCurve", &oid, &oid_len, errp)) {
        return false;
    }
    return check_curve(oid, oid_len, errp);
}

/*
 * AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
 *                                    parameters ANY OPTIONAL }
 * Must be id-ecPublicKey with ECParameters secp521r1.
 */
static bool parse_algorithm(CCBuf *b, GError **errp)
{
    CCBuf alg;
    const uint8_t *oid;
    size_t oid_len;

    if (!cc_der_enter_sequence(b, "AlgorithmIdentifier", &alg, errp) ||
        !cc_der_read_oid(&alg, "algorithm", &oid, &oid_len, errp)) {
        return false;
    }
    if (!cc_der_oid_equal(oid, oid_len, oid_ec_public_key,
                          sizeof(oid_ec_public_key))) {
        g_autofree char *desc = oid_describe(oid, oid_len);

        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ALGORITHM,
                    "key algorithm is %s, an EC key on secp521r1 (P-521) "
                    "is required", desc);
        return false;
    }
    if (cc_buf_remaining(&alg) == 0) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "EC key does not name its curve, "
                            "secp521r1 (P-521) is required");
        return false;
    }
    return parse_ec_parameters(&alg, errp) &&
           cc_der_expect_end(&alg, "AlgorithmIdentifier", errp);
}

/* Is a big-endian P-521 value at most 521 bits long? */
static bool fits_521_bits(const uint8_t *v)
{
    return v[0] <= 0x01;
}

/*
 * ECPoint (SEC 1 section 2.3.3) of P-521.  Only the uncompressed form is
 * accepted; with @ignore_compressed a well-formed compressed point is
 * skipped without error and leaves has_public false.
 */
static bool parse_point(CCBuf *pt, bool ignore_compressed, CCEcKey *key,
                        GError **errp)
{
    size_t n = cc_buf_remaining(pt);
    const uint8_t *p = cc_buf_bytes(pt, n);

    if (n == 0) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "public key is empty");
        return false;
    }
    switch (p[0]) {
    case 0x04:
        break;
    case 0x02:
    case 0x03:
        if (n != 1 + P521_LEN) {
            break;          /* the length error below */
        }
        if (ignore_compressed) {
            return true;
        }
        g_set_error_literal(errp, CC_ECKEY_ERROR,
                            CC_ECKEY_ERROR_POINT_FORMAT,
                            "public key is a compressed point, which is "
                            "not supported; an uncompressed point (0x04) is "
                            "required (convert with openssl ec -pubin -in "
                            "KEY -pubout -conv_form uncompressed)");
        return false;
    case 0x06:
    case 0x07:
        g_set_error_literal(errp, CC_ECKEY_ERROR,
                            CC_ECKEY_ERROR_POINT_FORMAT,
                            "public key is a hybrid-form point, which is not "
                            "supported; an uncompressed point (0x04) is "
                            "required");
        return false;
    default:
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "public key has unknown point format 0x%02x", p[0]);
        return false;
    }
    if (n != P521_POINT_LEN) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "public key point is %zu bytes, a P-521 point in "
                    "form 0x%02x is %d bytes", n, p[0],
                    p[0] == 0x04 ? P521_POINT_LEN : 1 + P521_LEN);
        return false;
    }
    if (!fits_521_bits(p + 1) || !fits_521_bits(p + 1 + P521_LEN)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "public key coordinate is longer than 521 bits");
        return false;
    }
    memcpy(key->x, p + 1, P521_LEN);
    memcpy(key->y, p + 1 + P521_LEN, P521_LEN);
    key->has_public = true;
    return true;
}

/* privateKey OCTET STRING: the scalar d, left-padded to 66 bytes. */
static bool set_private(CCBuf *dbuf, CCEcKey *key, GError **errp)
{
    size_t n = cc_buf_remaining(dbuf);
    const uint8_t *p = cc_buf_bytes(dbuf, n);
    size_t i;
    uint8_t acc = 0;

    if (n > P521_LEN) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "private key is %zu bytes, a P-521 private key is at "
                    "most %d bytes", n, P521_LEN);
        return false;
    }
    for (i = 0; i < n; i++) {
        acc |= p[i];
    }
    if (!acc) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "private key is zero");
        return false;
    }
    memset(key->d, 0, P521_LEN - n);
    memcpy(key->d + P521_LEN - n, p, n);
    if (!fits_521_bits(key->d)) {
        wipe(key->d, sizeof(key->d));
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "private key is longer than 521 bits");
        return false;
    }
    key->has_private = true;
    return true;
}

/*
 * ECPrivateKey ::= SEQUENCE {
 *     version        INTEGER { ecPrivkeyVer1(1) },
 *     privateKey     OCTET STRING,
 *     parameters [0] ECParameters OPTIONAL,
 *     publicKey  [1] BIT STRING OPTIONAL }
 *
 * Inside PKCS#8 (@nested) the curve is named by the outer
 * AlgorithmIdentifier and parameters may be omitted; on its own the curve
 * must be present (RFC 5915 section 3).
 */
static bool parse_sec1(CCBuf *b, bool nested, CCEcKey *key, GError **errp)
{
    CCBuf seq, dbuf, inner, pub;
    uint32_t version;

    if (!cc_der_enter_sequence(b, "ECPrivateKey", &seq, errp) ||
        !cc_der_read_uint32(&seq, "version", &version, errp)) {
        return false;
    }
    if (version != 1) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unsupported EC private key version %u (1 expected)",
                    version);
        return false;
    }
    if (!cc_der_read_octet_string(&seq, "privateKey", &dbuf, errp)) {
        return false;
    }
    if (cc_der_peek_tag(&seq, CC_DER_CONTEXT_CONS(0))) {
        if (!cc_der_enter_explicit(&seq, 0, "parameters", &inner, errp) ||
            !parse_ec_parameters(&inner, errp) ||
            !cc_der_expect_end(&inner, "parameters", errp)) {
            return false;
        }
    } else if (!nested) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "EC private key does not name its curve, "
                            "secp521r1 (P-521) is required");
        return false;
    }
    if (cc_der_peek_tag(&seq, CC_DER_CONTEXT_CONS(1))) {
        if (!cc_der_enter_explicit(&seq, 1, "publicKey", &inner, errp) ||
            !cc_der_read_bit_string(&inner, "publicKey", &pub, errp) ||
            !cc_der_expect_end(&inner, "publicKey", errp) ||
            !parse_point(&pub, true, key, errp)) {
            return false;
        }
    }
    return cc_der_expect_end(&seq, "ECPrivateKey", errp) &&
           set_private(&dbuf, key, errp);
}

/*
 * OneAsymmetricKey ::= SEQUENCE {
 *     version                   INTEGER { v1(0), v2(1) },
 *     privateKeyAlgorithm       AlgorithmIdentifier,
 *     privateKey                OCTET STRING,
 *     attributes            [0] IMPLICIT Attributes OPTIONAL,
 *     publicKey             [1] IMPLICIT BIT STRING OPTIONAL }   -- v2 only
 */
static bool parse_pkcs8(CCBuf *b, CCEcKey *key, GError **errp)
{
    CCBuf seq, inner, pub;
    uint32_t version;

    if (!cc_der_enter_sequence(b, "PrivateKeyInfo", &seq, errp) ||
        !cc_der_read_uint32(&seq, "version", &version, errp)) {
        return false;
    }
    if (version > 1) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unsupported PKCS#8 version %u (0 or 1 expected)",
                    version);
        return false;
    }
    if (!parse_algorithm(&seq, errp) ||
        !cc_der_read_octet_string(&seq, "privateKey", &inner, errp) ||
        !parse_sec1(&inner, true, key, errp) ||
        !cc_der_expect_end(&inner, "privateKey", errp)) {
        return false;
    }
    if (cc_der_peek_tag(&seq, CC_DER_CONTEXT_CONS(0)) &&
        !cc_der_skip(&seq, errp)) {
        return false;
    }
    if (cc_der_peek_tag(&seq, CC_DER_CONTEXT_PRIM(1))) {
        CCBuf contents;

        if (version == 0) {
            g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                                "PKCS#8 version 0 key must not carry a "
                                "public key");
            return false;
        }
        if (!cc_der_expect(&seq, CC_DER_CONTEXT_PRIM(1), "publicKey",
                           &contents, errp) ||
            !cc_der_bit_string_contents(&contents, "publicKey", &pub,
                                        errp)) {
            return false;
        }
        /* the SEC1 copy, if any, was already read; this one must agree */
        if (key->has_public) {
            CCEcKey tmp = { 0 };

            if (!parse_point(&pub, true, &tmp, errp)) {
                return false;
            }
            if (tmp.has_public && (memcmp(tmp.x, key->x, P521_LEN) ||
                                   memcmp(tmp.y, key->y, P521_LEN))) {
                g_set_error_literal(errp, CC_ECKEY_ERROR,
                                    CC_ECKEY_ERROR_FORMAT,
                                    "PKCS#8 key carries two different "
                                    "public keys");
                return false;
            }
        } else if (!parse_point(&pub, true, key, errp)) {
            return false;
        }
    }
    return cc_der_expect_end(&seq, "PrivateKeyInfo", errp);
}

/*
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 *                                     subjectPublicKey BIT STRING }
 */
static bool parse_spki(CCBuf *b, CCEcKey *key, GError **errp)
{
    CCBuf seq, pub;

    return cc_der_enter_sequence(b, "SubjectPublicKeyInfo", &seq, errp) &&
           parse_algorithm(&seq, errp) &&
           cc_der_read_bit_string(&seq, "subjectPublicKey", &pub, errp) &&
           cc_der_expect_end(&seq, "SubjectPublicKeyInfo", errp) &&
           parse_point(&pub, false, key, errp);
}

/*
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 *                            signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT INTEGER DEFAULT v1, serialNumber INTEGER,
 *     signature AlgorithmIdentifier, issuer Name, validity Validity,
 *     subject Name, subjectPublicKeyInfo, ... optional [1] [2] [3] }
 * Only the structure is checked; the signature is not verified.
 */
static bool parse_cert(CCBuf *b, CCEcKey *key, GError **errp)
{
    CCBuf cert, tbs, tmp;
    uint32_t version;

    if (!cc_der_enter_sequence(b, "Certificate", &cert, errp) ||
        !cc_der_enter_sequence(&cert, "tbsCertificate", &tbs, errp) ||
        !cc_der_enter_sequence(&cert, "signatureAlgorithm", &tmp, errp) ||
        !cc_der_expect(&cert, CC_DER_BIT_STRING, "signatureValue", &tmp,
                       errp) ||
        !cc_der_expect_end(&cert, "Certificate", errp)) {
        return false;
    }
    if (cc_der_peek_tag(&tbs, CC_DER_CONTEXT_CONS(0))) {
        CCBuf v;

        if (!cc_der_enter_explicit(&tbs, 0, "version", &v, errp) ||
            !cc_der_read_uint32(&v, "version", &version, errp) ||
            !cc_der_expect_end(&v, "version", errp)) {
            return false;
        }
        if (version > 2) {
            g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                        "unsupported X.509 version %u", version + 1);
            return false;
        }
    }
    if (!cc_der_expect(&tbs, CC_DER_INTEGER, "serialNumber", &tmp, errp) ||
        !cc_der_enter_sequence(&tbs, "signature", &tmp, errp) ||
        !cc_der_enter_sequence(&tbs, "issuer", &tmp, errp) ||
        !cc_der_enter_sequence(&tbs, "validity", &tmp, errp) ||
        !cc_der_enter_sequence(&tbs, "subject", &tmp, errp) ||
        !parse_spki(&tbs, key, errp)) {
        return false;
    }
    /* issuerUniqueID, subjectUniqueID, extensions: structure only */
    while (cc_buf_remaining(&tbs)) {
        if (!cc_der_skip(&tbs, errp)) {
            g_prefix_error(errp, "tbsCertificate: ");
            return false;
        }
    }
    return true;
}

/*
 * Parse a whole DER document of type @type: the top-level element must
 * span all of @der.  DER-level errors become CC_ECKEY_ERROR_FORMAT.
 */
static bool parse_der(DocType type, const uint8_t *der, size_t len,
                      CCEcKey *key, GError **errp)
{
    CCBuf b;
    GError *err = NULL;
    bool ok;

    cc_buf_init(&b, der, len);
    switch (type) {
    case DOC_SEC1:
        ok = parse_sec1(&b, false, key, &err);
        break;
    case DOC_PKCS8:
        ok = parse_pkcs8(&b, key, &err);
        break;
    case DOC_SPKI:
        ok = parse_spki(&b, key, &err);
        break;
    case DOC_CERT:
        ok = parse_cert(&b, key, &err);
        break;
    default:
        g_assert_not_reached();
    }
    if (ok && cc_buf_remaining(&b)) {
        g_set_error(&err, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unexpected data after the %s (%zu byte%s)",
                    doc_names[type], cc_buf_remaining(&b),
                    cc_buf_remaining(&b) == 1 ? "" : "s");
        ok = false;
    }
    if (!ok) {
        if (err->domain == CC_DER_ERROR) {
            g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                        "malformed %s: %s", doc_names[type], err->message);
            g_error_free(err);
        } else {
            g_propagate_error(errp, err);
        }
    }
    return ok;
}

/* The message for an encrypted private key, with a command to decrypt. */
static void encrypted_error(const char *name, GError **errp)
{
    g_autofree char *in = NULL;
    g_autofree char *out = NULL;

    if (name) {
        const char *safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                           "WXYZ0123456789._-+/";
        g_autofree char *base = g_str_has_suffix(name, ".pem") ?
            g_strndup(name, strlen(name) - 4) : g_strdup(name);
        g_autofree char *o = g_strdup_printf("%s-decrypted.pem", base);

        in = strspn(name, safe) == strlen(name) ? g_strdup(name) :
            g_shell_quote(name);
        out = strspn(o, safe) == strlen(o) ? g_strdup(o) : g_shell_quote(o);
    } else {
        in = g_strdup("KEY.pem");
        out = g_strdup("KEY-decrypted.pem");
    }
    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ENCRYPTED,
                "encrypted private keys are not supported; decrypt with "
                "openssl ec -in %s -out %s", in, out);
}

/* Explain why a document of type @type is not the kind wanted. */
static void wrong_type_error(DocType type, bool want_private,
                             const char *name, GError **errp)
{
    if (type == DOC_PKCS8_ENC && want_private) {
        encrypted_error(name, errp);
    } else if (type == DOC_RSA_PRIVATE) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ALGORITHM,
                            "this is an RSA private key, an EC key on "
                            "secp521r1 (P-521) is required");
    } else if (want_private) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_WRONG_TYPE,
                    "this is a%s %s, a private key is required",
                    type == DOC_CERT ? "n" : "", doc_names[type]);
    } else {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_WRONG_TYPE,
                    "this is a%s %s, a certificate or public key is "
                    "required", type == DOC_PKCS8_ENC ? "n" : "",
                    doc_names[type]);
    }
}

static bool type_wanted(DocType type, bool want_private)
{
    return want_private ? (type == DOC_SEC1 || type == DOC_PKCS8) :
                          (type == DOC_SPKI || type == DOC_CERT);
}

/* Does @data hold exactly one DER element starting with SEQUENCE? */
static bool looks_like_der(const uint8_t *data, size_t len)
{
    CCBuf b;
    CCDerTlv tlv;

    cc_buf_init(&b, data, len);
    return len && data[0] == CC_DER_SEQUENCE &&
           cc_der_read_tlv(&b, &tlv, NULL) && cc_buf_remaining(&b) == 0;
}

static bool load_der(const uint8_t *data, size_t len, bool want_private,
                     const char *name, CCEcKey *key, GError **errp)
{
    DocType type = doc_from_der(data, len);

    if (type == DOC_UNKNOWN) {
        CCBuf b;
        GError *err = NULL;

        cc_buf_init(&b, data, len);
        if (cc_der_check_structure(&b, DER_MAX_DEPTH, &err)) {
            g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                                "not a PEM or DER EC key (unrecognised DER "
                                "structure)");
        } else {
            g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                        "not a PEM or DER EC key (malformed DER: %s)",
                        err->message);
            g_error_free(err);
        }
        return false;
    }
    if (!type_wanted(type, want_private)) {
        wrong_type_error(type, want_private, name, errp);
        return false;
    }
    return parse_der(type, data, len, key, errp);
}

static bool load_pem(const uint8_t *data, size_t len, bool want_private,
                     const char *name, CCEcKey *key, GError **errp)
{
    size_t pos = 0;
    DocType seen = DOC_UNKNOWN;
    g_autoptr(GString) labels = g_string_new(NULL);

    for (;;) {
        g_autofree char *label = NULL;
        uint8_t *der = NULL;
        size_t der_len = 0;
        GError *err = NULL;
        DocType type;
        bool ok;
        int r;

        r = cc_pem_next((const char *)data, len, &pos, &label, &der,
                        &der_len, &err);
        if (r == 0) {
            break;
        }
        type = label ? doc_from_label(label) : DOC_UNKNOWN;
        if (r < 0) {
            if (g_error_matches(err, CC_DER_ERROR,
                                CC_DER_ERROR_PEM_ENCRYPTED)) {
                g_error_free(err);
                if (want_private) {
                    encrypted_error(name, errp);
                } else {
                    g_set_error_literal(errp, CC_ECKEY_ERROR,
                                        CC_ECKEY_ERROR_WRONG_TYPE,
                                        "this is an encrypted private key, "
                                        "a certificate or public key is "
                                        "required");
                }
            } else {
                g_set_error_literal(errp, CC_ECKEY_ERROR,
                                    CC_ECKEY_ERROR_FORMAT, err->message);
                g_error_free(err);
            }
            return false;
        }
        if (!type_wanted(type, want_private)) {
            wipe(der, der_len);
            g_free(der);
            g_string_append_printf(labels, "%s'%s'",
                                   labels->len ? ", " : "", label);
            if (seen == DOC_UNKNOWN && type != DOC_EC_PARAMS) {
                seen = type;
            }
            continue;
        }
        ok = parse_der(type, der, der_len, key, errp);
        wipe(der, der_len);
        g_free(der);
        return ok;
    }
    if (seen != DOC_UNKNOWN) {
        wrong_type_error(seen, want_private, name, errp);
    } else if (labels->len) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "no %s PEM block found (found %s)",
                    want_private ? "'EC PRIVATE KEY' or 'PRIVATE KEY'" :
                    "'CERTIFICATE' or 'PUBLIC KEY'", labels->str);
    } else {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                            "not a PEM or DER EC key");
    }
    return false;
}

static bool load(const uint8_t *data, size_t len, bool want_private,
                 const char *name, CCEcKey *key, GError **errp)
{
    bool ok;

    memset(key, 0, sizeof(*key));
    if (!data) {
        len = 0;
    }
    if (looks_like_der(data, len) || (len && data[0] == CC_DER_SEQUENCE &&
                                      !cc_pem_sniff(data, len))) {
        ok = load_der(data, len, want_private, name, key, errp);
    } else if (cc_pem_sniff(data, len)) {
        ok = load_pem(data, len, want_private, name, key, errp);
    } else {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                            len ? "not a PEM or DER EC key" :
                            "empty key document");
        ok = false;
    }
    if (!ok) {
        wipe(key, sizeof(*key));
    }
    return ok;
}

bool cc_eckey_load_private(const uint8_t *data, size_t len, CCEcKey *key,
                           GError **errp)
{
    return load(data, len, true, NULL, key, errp);
}

bool cc_eckey_load_public(const uint8_t *data, size_t len, CCEcKey *key,
                          GError **errp)
{
    return load(data, len, false, NULL, key, errp);
}

bool cc_eckey_load_file(const char *path, bool want_private, CCEcKey *key,
                        GError **errp)
{
    g_autoptr(GError) err = NULL;
    char *contents = NULL;
    gsize len = 0;
    bool ok;

    memset(key, 0, sizeof(*key));
    if (!g_file_get_contents(path, &contents, &len, &err)) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_IO,
                    "%s: cannot read %s key: %s", path,
                    want_private ? "private" : "host", err->message);
        return false;
    }
    ok = load((const uint8_t *)contents, len, want_private, path, key, errp);
    if (!ok) {
        g_prefix_error(errp, "%s: ", path);
    }
    wipe(contents, len);
    g_free(contents);
    return ok;
}
