/*
 * EC P-521 key documents: certificates, SubjectPublicKeyInfo, SEC1 and
 * PKCS#8 private keys (see include/qemu/cc-eckey.h), parsed by GnuTLS.
 *
 * Formats: X.509 (RFC 5280), SubjectPublicKeyInfo and ECParameters
 * (RFC 5480), ECPrivateKey (RFC 5915), PKCS#8 (RFC 5208, RFC 5958), PEM
 * armour (RFC 7468).  GnuTLS decodes the DER and the base64; this file
 * picks a PEM block by its armour lines, checks algorithm and curve, and
 * turns GnuTLS's numbers into 66-byte big-endian strings.  A private key
 * that GnuTLS refuses is read again with nettle's DER iterator
 * (nettle/asn1.h), after gnutls_pem_base64_decode2() for PEM: see
 * "Structure" below.
 *
 * GnuTLS reports most decoding failures with generic codes; where it
 * cannot tell two cases apart the PEM label decides (RFC 7468 section 4).
 *
 * Private keys go through gnutls_x509_privkey_import() and
 * gnutls_x509_privkey_import_pkcs8() with GNUTLS_PKCS_PLAIN, never
 * through gnutls_x509_privkey_import2(): without a password that one
 * also reads PKCS#12 files and decrypts OpenSSL-encrypted PEM keys with
 * an empty password (gnutls_x509_privkey_import_openssl()), and encrypted
 * keys are to be refused without being decrypted.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <nettle/asn1.h>
#include "qemu/cc-ecc.h"
#include "qemu/cc-eckey.h"

G_DEFINE_QUARK(cc_eckey_error_quark, cc_eckey_error)

#define P521_LEN CC_ECKEY_P521_LEN

/* What every refusal of a key on another curve or algorithm ends with. */
#define NEED_P521 "secp521r1 (P-521) is required"

/* Kinds of document, from the PEM label or from what GnuTLS decoded. */
typedef enum DocType {
    DOC_UNKNOWN,
    DOC_SEC1,           /* EC PRIVATE KEY */
    DOC_PKCS8,          /* PRIVATE KEY */
    DOC_PKCS8_ENC,      /* ENCRYPTED PRIVATE KEY */
    DOC_RSA_PRIVATE,    /* RSA PRIVATE KEY (PKCS#1) */
    DOC_PRIVATE,        /* a DER private key of another kind */
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
    [DOC_PRIVATE] = "private key",
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

static bool type_wanted(DocType type, bool want_private)
{
    return want_private ? (type == DOC_SEC1 || type == DOC_PKCS8) :
                          (type == DOC_SPKI || type == DOC_CERT);
}

/* The first occurrence of @needle in @hay (binary-safe, unlike strstr). */
static const uint8_t *find(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const uint8_t *end = hay + n;
    const uint8_t *p = hay;

    while ((size_t)(end - p) >= k) {
        const uint8_t *q = memchr(p, needle[0], end - p - k + 1);

        if (!q) {
            return NULL;
        }
        if (memcmp(q, needle, k) == 0) {
            return q;
        }
        p = q + 1;
    }
    return NULL;
}

/*
 * PEM armour (RFC 7468 section 2): only the BEGIN and END lines are read
 * here, to choose a block by its label; GnuTLS decodes the base64.
 */

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"

typedef struct PemBlock {
    char *label;                /* g_free() */
    const uint8_t *start;       /* the BEGIN line ... */
    size_t len;                 /* ... through the END line */
} PemBlock;

static bool pem_label_ok(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

/*
 * Find the next block at or after *@pos: a BEGIN line at the start of a
 * line, and the first END line after it, which must carry the same
 * label.  Returns 1 and moves *@pos past the block, 0 if there is no
 * further BEGIN line, -1 (with @errp) for a malformed BEGIN line or a
 * missing or mismatched END line.
 */
static int pem_next(const uint8_t *data, size_t len, size_t *pos,
                    PemBlock *blk, GError **errp)
{
    const uint8_t *end = data + len;
    const uint8_t *b, *lb, *le, *nl, *e;
    size_t n;

    memset(blk, 0, sizeof(*blk));
    for (;;) {
        b = find(data + *pos, len - *pos, PEM_BEGIN);
        if (!b) {
            return 0;
        }
        if (b == data || b[-1] == '\n') {
            break;
        }
        *pos = b - data + 1;
    }
    lb = b + strlen(PEM_BEGIN);
    nl = memchr(lb, '\n', end - lb);
    le = find(lb, (nl ? nl : end) - lb, PEM_DASHES);
    if (!le || !pem_label_ok(lb, le - lb)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                            "malformed PEM BEGIN line");
        return -1;
    }
    blk->label = g_strndup((const char *)lb, le - lb);

    /* the END line: "\n-----END " LABEL "-----" */
    le += strlen(PEM_DASHES);
    e = find(le, end - le, "\n" PEM_END);
    if (!e) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "PEM block '%s' has no END line", blk->label);
        return -1;
    }
    e += 1 + strlen(PEM_END);
    n = strlen(blk->label);
    if ((size_t)(end - e) < n + strlen(PEM_DASHES) ||
        memcmp(e, blk->label, n) != 0 ||
        memcmp(e + n, PEM_DASHES, strlen(PEM_DASHES)) != 0) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "PEM block '%s' has no matching END line", blk->label);
        return -1;
    }
    e += n + strlen(PEM_DASHES);
    blk->start = b;
    blk->len = e - b;
    *pos = e - data;
    return 1;
}

/* Encryption headers (RFC 1421 section 4.6.1.1) inside a block. */
static bool pem_block_encrypted(const PemBlock *blk)
{
    return find(blk->start, blk->len, "Proc-Type: 4,ENCRYPTED") ||
           find(blk->start, blk->len, "DEK-Info:");
}

/*
 * Messages.
 */

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
    } else if (type == DOC_RSA_PRIVATE && want_private) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ALGORITHM,
                            "this is an RSA private key, an EC key on "
                            NEED_P521);
    } else if (want_private) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_WRONG_TYPE,
                    "this is a%s %s, a private key is required",
                    type == DOC_CERT ? "n" : "", doc_names[type]);
    } else if (type == DOC_PKCS8_ENC) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_WRONG_TYPE,
                            "this is an encrypted private key, a "
                            "certificate or public key is required");
    } else {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_WRONG_TYPE,
                    "this is a%s %s, a certificate or public key is "
                    "required", type == DOC_RSA_PRIVATE ? "n" : "",
                    doc_names[type]);
    }
}

/*
 * "prime256v1 (1.2.840.10045.3.1.7)".  GnuTLS names curves in capitals
 * (gnutls_ecc_curve_get_name); the two X9.62 prime curves go by their
 * RFC 3279 section 2.3.5 names, as openssl prints them.
 */
static char *curve_describe(gnutls_ecc_curve_t curve)
{
    const char *name = gnutls_ecc_curve_get_name(curve);
    const char *oid = gnutls_ecc_curve_get_oid(curve);
    g_autofree char *lower = NULL;

    if (curve == GNUTLS_ECC_CURVE_SECP192R1) {
        name = "prime192v1";
    } else if (curve == GNUTLS_ECC_CURVE_SECP256R1) {
        name = "prime256v1";
    } else if (name) {
        name = lower = g_ascii_strdown(name, -1);
    } else {
        name = "unknown";
    }
    return oid ? g_strdup_printf("%s (%s)", name, oid) : g_strdup(name);
}

/*
 * "rsaEncryption (1.2.840.113549.1.1.1)": RFC 8017 and RFC 3279 names
 * for the common algorithms, else gnutls_pk_algorithm_get_name().
 */
static char *pk_describe(gnutls_pk_algorithm_t pk)
{
    const char *name = gnutls_pk_algorithm_get_name(pk);
    const char *oid = gnutls_pk_get_oid(pk);

    switch (pk) {
    case GNUTLS_PK_RSA:
        name = "rsaEncryption";
        break;
    case GNUTLS_PK_RSA_PSS:
        name = "RSASSA-PSS";
        break;
    case GNUTLS_PK_DSA:
        name = "id-dsa";
        break;
    default:
        break;
    }
    if (!name) {
        name = "unknown";
    }
    return oid ? g_strdup_printf("%s (%s)", name, oid) : g_strdup(name);
}

static void algorithm_error(const char *desc, GError **errp)
{
    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_ALGORITHM,
                "key algorithm is %s, an EC key on " NEED_P521, desc);
}

static void curve_error(gnutls_ecc_curve_t curve, GError **errp)
{
    g_autofree char *desc = curve_describe(curve);

    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                "key is on curve %s, " NEED_P521, desc);
}

/* Errors of the ASN.1 decoder: the document is not what was tried. */
static bool asn1_error(int r)
{
    switch (r) {
    case GNUTLS_E_ASN1_ELEMENT_NOT_FOUND:
    case GNUTLS_E_ASN1_IDENTIFIER_NOT_FOUND:
    case GNUTLS_E_ASN1_DER_ERROR:
    case GNUTLS_E_ASN1_VALUE_NOT_FOUND:
    case GNUTLS_E_ASN1_GENERIC_ERROR:
    case GNUTLS_E_ASN1_VALUE_NOT_VALID:
    case GNUTLS_E_ASN1_TAG_ERROR:
    case GNUTLS_E_ASN1_TAG_IMPLICIT:
    case GNUTLS_E_ASN1_TYPE_ANY_ERROR:
    case GNUTLS_E_ASN1_SYNTAX_ERROR:
    case GNUTLS_E_ASN1_DER_OVERFLOW:
    case GNUTLS_E_ASN1_EMBEDDED_NULL_IN_STRING:
    case GNUTLS_E_ASN1_TIME_ERROR:
    case GNUTLS_E_BASE64_DECODING_ERROR:
    case GNUTLS_E_BASE64_UNEXPECTED_HEADER_ERROR:
    case GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE:
    case GNUTLS_E_MEMORY_ERROR:
        return true;
    default:
        return false;
    }
}

/*
 * The structure decoded, but GnuTLS refused the key in it: map the GnuTLS
 * code to ours.  Returns false (errp untouched) for other codes.
 */
static bool key_error(int r, bool private, GError **errp)
{
    switch (r) {
    case GNUTLS_E_ECC_UNSUPPORTED_CURVE:
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                    "key is on a curve that GnuTLS does not support%s, "
                    NEED_P521, private ?
                    " (or is not an ECPrivateKey version 1)" : "");
        return true;
    case GNUTLS_E_PARSING_ERROR:
        /* the ECPoint does not start with 0x04 (SEC 1 section 2.3.3) */
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_POINT_FORMAT,
                    "public key is a compressed point or hybrid-form point, "
                    "which is not supported; an uncompressed point (0x04) "
                    "is required (convert with openssl ec %s-in KEY %s"
                    "-conv_form uncompressed)", private ? "" : "-pubin ",
                    private ? "" : "-pubout ");
        return true;
    case GNUTLS_E_INVALID_REQUEST:
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "public key has the wrong length for an "
                            "uncompressed point");
        return true;
    case GNUTLS_E_UNKNOWN_PK_ALGORITHM:
    case GNUTLS_E_UNIMPLEMENTED_FEATURE:
        algorithm_error("one that GnuTLS does not support", errp);
        return true;
    default:
        return false;
    }
}

/*
 * Numbers.
 */

/*
 * GnuTLS exports integers as big-endian byte strings, possibly shorter
 * than 66 bytes or with a leading zero byte: store @v in @out as exactly
 * 66 bytes, left-padded.  @what names the value in error messages.
 */
static bool put_p521(const gnutls_datum_t *v, uint8_t out[P521_LEN],
                     const char *what, GError **errp)
{
    const uint8_t *p = v->data;
    size_t n = v->size;

    while (n && !*p) {
        p++;
        n--;
    }
    if (n > P521_LEN) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "%s is %zu bytes, a P-521 %s is at most %d bytes",
                    what, n, what, P521_LEN);
        return false;
    }
    memset(out, 0, P521_LEN - n);
    if (n) {
        memcpy(out + P521_LEN - n, p, n);
    }
    if (out[0] > 0x01) {
        cc_wipe(out, P521_LEN);
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "%s is longer than 521 bits", what);
        return false;
    }
    return true;
}

static bool is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    while (n--) {
        acc |= *p++;
    }
    return !acc;
}

/* An imported private key: it must be EC on P-521. */
static bool use_private(gnutls_x509_privkey_t pk, CCEcKey *key,
                        GError **errp)
{
    gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 }, k = { NULL, 0 };
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    int alg = gnutls_x509_privkey_get_pk_algorithm(pk);
    bool ok = false;
    int r;

    if (alg != GNUTLS_PK_EC) {
        g_autofree char *desc = pk_describe(alg);

        algorithm_error(desc, errp);
        return false;
    }
    r = gnutls_x509_privkey_export_ecc_raw(pk, &curve, &x, &y, &k);
    if (r < 0) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "cannot read the EC private key: %s",
                    gnutls_strerror(r));
        goto out;
    }
    if (curve != GNUTLS_ECC_CURVE_SECP521R1) {
        curve_error(curve, errp);
        goto out;
    }
    if (!put_p521(&k, key->d, "private key", errp)) {
        goto out;
    }
    if (is_zero(key->d, P521_LEN)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "private key is zero");
        goto out;
    }
    /* GnuTLS only imports EC private keys that carry the public point */
    if (!put_p521(&x, key->x, "public key coordinate", errp) ||
        !put_p521(&y, key->y, "public key coordinate", errp)) {
        goto out;
    }
    key->has_private = true;
    key->has_public = true;
    ok = true;
out:
    if (k.data) {
        cc_wipe(k.data, k.size);
    }
    gnutls_free(k.data);
    gnutls_free(x.data);
    gnutls_free(y.data);
    return ok;
}

/* An imported public key: it must be EC on P-521. */
static bool use_public(gnutls_pubkey_t pub, CCEcKey *key, GError **errp)
{
    gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    int alg = gnutls_pubkey_get_pk_algorithm(pub, NULL);
    bool ok = false;
    int r;

    if (alg != GNUTLS_PK_EC) {
        g_autofree char *desc = pk_describe(alg);

        algorithm_error(desc, errp);
        return false;
    }
    r = gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y,
                                      GNUTLS_EXPORT_FLAG_NO_LZ);
    if (r < 0) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "cannot read the EC public key: %s", gnutls_strerror(r));
        goto out;
    }
    if (curve != GNUTLS_ECC_CURVE_SECP521R1) {
        curve_error(curve, errp);
        goto out;
    }
    if (!put_p521(&x, key->x, "public key coordinate", errp) ||
        !put_p521(&y, key->y, "public key coordinate", errp)) {
        goto out;
    }
    key->has_public = true;
    ok = true;
out:
    gnutls_free(x.data);
    gnutls_free(y.data);
    return ok;
}

/*
 * Structure, read with nettle's DER iterator (nettle/asn1.h).
 *
 * gnutls_x509_privkey_import() refuses an ECPrivateKey (RFC 5915) without
 * the optional publicKey field or with a compressed point in it, and the
 * PKCS#8 reader of GnuTLS knows no RFC 5958 publicKey field.  A private
 * key document that GnuTLS refuses is read again here, which accepts
 * those and otherwise says why the key is refused: missing or explicit
 * curve parameters, another curve, a scalar or point of the wrong size,
 * another algorithm.  Public key documents are only read here to tell
 * why GnuTLS refused their point.
 */

/* 0x04 || X || Y (RFC 5480 section 2.2) */
#define P521_POINT_LEN (1 + 2 * P521_LEN)

/* Context-specific tags [n], as nettle's asn1_der_iterator reports them */
#define DER_CTX_CONS(n) \
    (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED | (n))
#define DER_CTX_PRIM(n) (ASN1_CLASS_CONTEXT_SPECIFIC | (n))

/* id-ecPublicKey 1.2.840.10045.2.1 (RFC 5480 section 2.1.1), encoded */
static const uint8_t oid_ec_public_key[] = {
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};

/* Encoded namedCurve OIDs (RFC 5480 section 2.1.1.1) of GnuTLS curves */
static const struct {
    gnutls_ecc_curve_t curve;
    uint8_t len;
    uint8_t oid[8];
} curve_oids[] = {
    { GNUTLS_ECC_CURVE_SECP192R1, 8,
      { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01 } },
    { GNUTLS_ECC_CURVE_SECP224R1, 5, { 0x2b, 0x81, 0x04, 0x00, 0x21 } },
    { GNUTLS_ECC_CURVE_SECP256R1, 8,
      { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 } },
    { GNUTLS_ECC_CURVE_SECP384R1, 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 } },
    { GNUTLS_ECC_CURVE_SECP521R1, 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 } },
};

/* An asn1_der_iterator and what its last step returned. */
typedef struct Der {
    struct asn1_der_iterator it;
    enum asn1_iterator_result r;
} Der;

static void der_first(Der *d, const uint8_t *p, size_t n)
{
    d->r = asn1_der_iterator_first(&d->it, n, p);
}

/* Is the iterator on an element (not at the end or on an error)? */
static bool der_on(const Der *d)
{
    return d->r == ASN1_ITERATOR_PRIMITIVE ||
           d->r == ASN1_ITERATOR_CONSTRUCTED;
}

/* Is the current element of @type (enum asn1_type with class bits)? */
static bool der_at(const Der *d, unsigned type)
{
    return der_on(d) && (unsigned)d->it.type == type;
}

static bool der_at_end(const Der *d)
{
    return d->r == ASN1_ITERATOR_END;
}

static bool der_skip(Der *d)
{
    if (!der_on(d)) {
        return false;
    }
    d->r = asn1_der_iterator_next(&d->it);
    return true;
}

/* Take the contents of the current element if it has @type. */
static bool der_take(Der *d, unsigned type, const uint8_t **p, size_t *n)
{
    if (!der_at(d, type)) {
        return false;
    }
    *p = d->it.data;
    *n = d->it.length;
    return der_skip(d);
}

/* Enter the current element if it has the constructed @type. */
static bool der_enter(Der *d, unsigned type, Der *in)
{
    g_assert(type & ASN1_TYPE_CONSTRUCTED);
    if (!der_at(d, type)) {
        return false;
    }
    in->r = asn1_der_decode_constructed(&d->it, &in->it);
    return der_skip(d);
}

static bool der_uint32(Der *d, uint32_t *v)
{
    return der_at(d, ASN1_INTEGER) && asn1_der_get_uint32(&d->it, v) &&
           der_skip(d);
}

/*
 * A BIT STRING holding an ECPoint, which fills whole octets (RFC 5480
 * section 2.2): its contents after the unused-bits octet, which must be
 * 0.  asn1_der_decode_bitstring() would parse the rest as DER.
 */
static bool der_point_bits(Der *d, unsigned type, const uint8_t **p,
                           size_t *n)
{
    if (!der_take(d, type, p, n) || *n == 0 || (*p)[0] != 0) {
        return false;
    }
    (*p)++;
    (*n)--;
    return true;
}

/*
 * The attributes of OneAsymmetricKey (RFC 5958 section 2), @d on the first:
 * Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET }, as
 * GnuTLS's PKCS#8 reader wants them; the attributes are not used.
 */
static bool der_attributes(Der *d)
{
    const uint8_t *p;
    size_t n;
    Der attr, values;

    while (der_enter(d, ASN1_SEQUENCE, &attr)) {
        if (!der_take(&attr, ASN1_IDENTIFIER, &p, &n) ||
            !der_enter(&attr, ASN1_SET, &values) || !der_at_end(&attr)) {
            return false;
        }
    }
    return der_at_end(d);
}

static bool malformed(DocType type, const char *what, GError **errp)
{
    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                "malformed %s: %s", doc_names[type], what);
    return false;
}

/*
 * ECPoint of P-521 (RFC 5480 section 2.2).  Only the uncompressed form is
 * used; with @ignore_compressed a compressed point of the right size is
 * skipped without error and leaves has_public false.
 */
static bool parse_point(const uint8_t *p, size_t n, bool ignore_compressed,
                        CCEcKey *key, GError **errp)
{
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
    if (n != (p[0] == 0x04 ? P521_POINT_LEN : 1 + P521_LEN)) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "public key point is %zu bytes, a P-521 point in "
                    "form 0x%02x is %d bytes", n, p[0],
                    p[0] == 0x04 ? P521_POINT_LEN : 1 + P521_LEN);
        return false;
    }
    if (p[1] > 0x01 || p[1 + P521_LEN] > 0x01) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "public key coordinate is longer than 521 bits");
        return false;
    }
    memcpy(key->x, p + 1, P521_LEN);
    memcpy(key->y, p + 1 + P521_LEN, P521_LEN);
    key->has_public = true;
    return true;
}

/* privateKey OCTET STRING (RFC 5915 section 3): d, left-padded. */
static bool set_private(const uint8_t *p, size_t n, CCEcKey *key,
                        GError **errp)
{
    if (n > P521_LEN) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                    "private key is %zu bytes, a P-521 private key is at "
                    "most %d bytes", n, P521_LEN);
        return false;
    }
    if (is_zero(p, n)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "private key is zero");
        return false;
    }
    memset(key->d, 0, P521_LEN - n);
    memcpy(key->d + P521_LEN - n, p, n);
    if (key->d[0] > 0x01) {
        cc_wipe(key->d, P521_LEN);
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_KEY_VALUE,
                            "private key is longer than 521 bits");
        return false;
    }
    key->has_private = true;
    return true;
}

/*
 * ECParameters (RFC 5480 section 2.1.1): only namedCurve secp521r1, and
 * nothing after it.
 */
static bool parse_ec_parameters(Der *d, DocType doc, GError **errp)
{
    const uint8_t *oid;
    size_t i, n;

    if (der_at(d, ASN1_SEQUENCE)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "explicit curve parameters are not supported, "
                            "the curve must be named secp521r1 (re-encode "
                            "with openssl ec -param_enc named_curve)");
        return false;
    }
    if (der_at(d, ASN1_NULL)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "implicit curve parameters are not supported, "
                            "the curve must be named secp521r1");
        return false;
    }
    if (!der_take(d, ASN1_IDENTIFIER, &oid, &n) || !der_at_end(d)) {
        return malformed(doc, "bad ECParameters", errp);
    }
    for (i = 0; i < G_N_ELEMENTS(curve_oids); i++) {
        if (n == curve_oids[i].len && memcmp(oid, curve_oids[i].oid, n) == 0) {
            if (curve_oids[i].curve == GNUTLS_ECC_CURVE_SECP521R1) {
                return true;
            }
            curve_error(curve_oids[i].curve, errp);
            return false;
        }
    }
    g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                        "key is on an unknown named curve, " NEED_P521);
    return false;
}

/*
 * ECPrivateKey (RFC 5915 section 3), @d on its first field.  In PKCS#8
 * (@doc DOC_PKCS8) the AlgorithmIdentifier names the curve and the
 * parameters may be left out; on its own the key must name its curve.
 */
static bool parse_sec1(Der *d, DocType doc, CCEcKey *key, GError **errp)
{
    const uint8_t *priv, *pt;
    size_t priv_len, pt_len;
    uint32_t version;
    Der in;

    if (!der_uint32(d, &version)) {
        return malformed(doc, "bad ECPrivateKey version", errp);
    }
    if (version != 1) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unsupported EC private key version %u (1 expected)",
                    version);
        return false;
    }
    if (!der_take(d, ASN1_OCTETSTRING, &priv, &priv_len)) {
        return malformed(doc, "bad ECPrivateKey privateKey", errp);
    }
    if (der_enter(d, DER_CTX_CONS(0), &in)) {
        if (!parse_ec_parameters(&in, doc, errp)) {
            return false;
        }
    } else if (doc == DOC_SEC1) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "EC private key does not name its curve, "
                            NEED_P521);
        return false;
    }
    if (der_enter(d, DER_CTX_CONS(1), &in)) {
        if (!der_point_bits(&in, ASN1_BITSTRING, &pt, &pt_len) ||
            !der_at_end(&in)) {
            return malformed(doc, "bad ECPrivateKey publicKey", errp);
        }
        if (!parse_point(pt, pt_len, true, key, errp)) {
            return false;
        }
    }
    if (!der_at_end(d)) {
        return malformed(doc, "unexpected data in ECPrivateKey", errp);
    }
    return set_private(priv, priv_len, key, errp);
}

/*
 * OneAsymmetricKey (RFC 5958 section 2; version 0 is the PrivateKeyInfo
 * of RFC 5208), @d on its first field: id-ecPublicKey with namedCurve
 * secp521r1 and an ECPrivateKey.  The publicKey field of version 1 must
 * agree with the one in the ECPrivateKey, if both are there.
 */
static bool parse_pkcs8(Der *d, CCEcKey *key, GError **errp)
{
    const uint8_t *oid, *priv, *pt;
    size_t oid_len, priv_len, pt_len;
    CCEcKey pub = { 0 };
    uint32_t version;
    Der alg, inner, seq;

    if (!der_uint32(d, &version)) {
        return malformed(DOC_PKCS8, "bad version", errp);
    }
    if (version > 1) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unsupported PKCS#8 version %u (0 or 1 expected)",
                    version);
        return false;
    }
    if (!der_enter(d, ASN1_SEQUENCE, &alg) ||
        !der_take(&alg, ASN1_IDENTIFIER, &oid, &oid_len)) {
        return malformed(DOC_PKCS8, "bad privateKeyAlgorithm", errp);
    }
    if (oid_len != sizeof(oid_ec_public_key) ||
        memcmp(oid, oid_ec_public_key, oid_len) != 0) {
        algorithm_error("not id-ecPublicKey (1.2.840.10045.2.1)", errp);
        return false;
    }
    if (der_at_end(&alg)) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "EC key does not name its curve, " NEED_P521);
        return false;
    }
    if (!parse_ec_parameters(&alg, DOC_PKCS8, errp)) {
        return false;
    }
    if (!der_take(d, ASN1_OCTETSTRING, &priv, &priv_len)) {
        return malformed(DOC_PKCS8, "bad privateKey", errp);
    }
    der_first(&inner, priv, priv_len);
    if (!der_enter(&inner, ASN1_SEQUENCE, &seq) || !der_at_end(&inner)) {
        return malformed(DOC_PKCS8, "privateKey is not one ECPrivateKey",
                         errp);
    }
    if (!parse_sec1(&seq, DOC_PKCS8, key, errp)) {
        return false;
    }
    if (der_enter(d, DER_CTX_CONS(0), &seq) && !der_attributes(&seq)) {
        return malformed(DOC_PKCS8, "bad attributes", errp);
    }
    if (der_at(d, DER_CTX_PRIM(1))) {
        if (version == 0) {
            return malformed(DOC_PKCS8, "version 0 with a publicKey", errp);
        }
        if (!der_point_bits(d, DER_CTX_PRIM(1), &pt, &pt_len)) {
            return malformed(DOC_PKCS8, "bad publicKey", errp);
        }
        if (!parse_point(pt, pt_len, true, &pub, errp)) {
            return false;
        }
    }
    if (!der_at_end(d)) {
        return malformed(DOC_PKCS8, "unexpected data in OneAsymmetricKey",
                         errp);
    }
    if (pub.has_public && key->has_public &&
        (memcmp(pub.x, key->x, P521_LEN) || memcmp(pub.y, key->y, P521_LEN))) {
        return malformed(DOC_PKCS8, "two different public keys", errp);
    }
    if (pub.has_public) {
        memcpy(key->x, pub.x, P521_LEN);
        memcpy(key->y, pub.y, P521_LEN);
        key->has_public = true;
    }
    return true;
}

/* Is @der one DER SEQUENCE?  @seq is then on its first field. */
static bool der_one_sequence(const uint8_t *der, size_t len, Der *seq)
{
    Der top;

    der_first(&top, der, len);
    return der_enter(&top, ASN1_SEQUENCE, seq) && der_at_end(&top);
}

/*
 * Tell ECPrivateKey, OneAsymmetricKey and the RSAPrivateKey of RFC 8017
 * appendix A.1.2 apart by their first two fields, @seq on the first.
 */
static DocType der_private_shape(const Der *seq)
{
    Der next = *seq;

    if (!der_at(&next, ASN1_INTEGER) || !der_skip(&next)) {
        return DOC_UNKNOWN;
    }
    if (der_at(&next, ASN1_OCTETSTRING)) {
        return DOC_SEC1;
    }
    if (der_at(&next, ASN1_SEQUENCE)) {
        return DOC_PKCS8;
    }
    return der_at(&next, ASN1_INTEGER) ? DOC_RSA_PRIVATE : DOC_UNKNOWN;
}

/*
 * A private key document that GnuTLS refused, as DER; @type is the PEM
 * label's, or DOC_UNKNOWN to go by der_private_shape().  Returns 1 (@key
 * set), 0 (@errp set), or -1 (nothing set) for a DOC_UNKNOWN document
 * that is no private key.
 */
static int fallback_private(const uint8_t *der, size_t len, DocType type,
                            const char *name, CCEcKey *key, GError **errp)
{
    Der seq;

    if (!der_one_sequence(der, len, &seq)) {
        return type == DOC_UNKNOWN ? -1 :
               malformed(type, "not one DER SEQUENCE", errp);
    }
    if (type == DOC_UNKNOWN) {
        type = der_private_shape(&seq);
    }
    switch (type) {
    case DOC_SEC1:
        return parse_sec1(&seq, DOC_SEC1, key, errp);
    case DOC_PKCS8:
        return parse_pkcs8(&seq, key, errp);
    case DOC_RSA_PRIVATE:
        wrong_type_error(DOC_RSA_PRIVATE, true, name, errp);
        return 0;
    default:
        return -1;
    }
}

/*
 * GnuTLS refuses an ECPoint that does not start with 0x04 with
 * GNUTLS_E_PARSING_ERROR: find the subjectPublicKey of the
 * SubjectPublicKeyInfo @der, or of the certificate @der (RFC 5280 section
 * 4.1), and set @errp if it is not an uncompressed P-521 point.
 */
static bool spki_point_error(const gnutls_datum_t *der, bool cert,
                             GError **errp)
{
    const uint8_t *pt;
    size_t pt_len;
    CCEcKey pub = { 0 };
    Der top, seq, tbs, alg;
    int i;

    der_first(&top, der->data, der->size);
    if (!der_enter(&top, ASN1_SEQUENCE, &seq)) {
        return false;
    }
    if (cert) {
        if (!der_enter(&seq, ASN1_SEQUENCE, &tbs)) {
            return false;
        }
        if (der_at(&tbs, DER_CTX_CONS(0))) {
            der_skip(&tbs);     /* version */
        }
        /* serialNumber, signature, issuer, validity, subject */
        for (i = 0; i < 5; i++) {
            der_skip(&tbs);
        }
        if (!der_enter(&tbs, ASN1_SEQUENCE, &seq)) {
            return false;
        }
    }
    return der_enter(&seq, ASN1_SEQUENCE, &alg) &&
           der_point_bits(&seq, ASN1_BITSTRING, &pt, &pt_len) &&
           !parse_point(pt, pt_len, false, &pub, errp);
}

/*
 * gnutls_pubkey_import() or gnutls_pubkey_import_x509() failed with @r:
 * set errp if the SubjectPublicKeyInfo decoded and GnuTLS refused its key.
 * @der is the document, as DER (NULL if unknown), @cert whether it is a
 * certificate.
 */
static bool spki_error(int r, const gnutls_datum_t *der, bool cert,
                       GError **errp)
{
    if (r == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND ||
        r == GNUTLS_E_ASN1_VALUE_NOT_FOUND) {
        /* the structure decoded, the optional parameters are absent */
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_CURVE,
                            "key has no algorithm parameters, so an EC key "
                            "does not name its curve; " NEED_P521);
        return true;
    }
    if (r == GNUTLS_E_PARSING_ERROR && der &&
        spki_point_error(der, cert, errp)) {
        return true;
    }
    return !asn1_error(r) && key_error(r, false, errp);
}

/* Did a SubjectPublicKeyInfo decode although GnuTLS refused its key? */
static bool spki_decoded(int r)
{
    return r == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND ||
           r == GNUTLS_E_ASN1_VALUE_NOT_FOUND || !asn1_error(r);
}

/*
 * PEM armour to DER with gnutls_pem_base64_decode2(); the caller wipes
 * (if it may hold a private key) and gnutls_free()s @der->data.
 */
static bool pem_to_der(const PemBlock *blk, gnutls_datum_t *der)
{
    gnutls_datum_t pem = { (unsigned char *)blk->start, blk->len };

    der->data = NULL;
    der->size = 0;
    return gnutls_pem_base64_decode2(blk->label, &pem, der) == 0;
}

static void free_secret(gnutls_datum_t *der)
{
    if (der->data) {
        cc_wipe(der->data, der->size);
    }
    gnutls_free(der->data);
    der->data = NULL;
}

/*
 * Documents.
 */

/*
 * What the import functions below return when GnuTLS decoded the key but
 * it was refused here (errp set); GnuTLS codes are zero or negative.
 */
#define IMPORT_REFUSED 1

/*
 * A private key document of type @type (DOC_UNKNOWN: DER of any kind);
 * returns 0, IMPORT_REFUSED or the GnuTLS code of the import.
 */
static int import_private(const gnutls_datum_t *doc,
                          gnutls_x509_crt_fmt_t fmt, DocType type,
                          CCEcKey *key, GError **errp)
{
    gnutls_x509_privkey_t pk;
    int r;

    r = gnutls_x509_privkey_init(&pk);
    if (r < 0) {
        return r;
    }
    if (type == DOC_PKCS8) {
        r = gnutls_x509_privkey_import_pkcs8(pk, doc, fmt, NULL,
                                             GNUTLS_PKCS_PLAIN);
    } else {
        r = gnutls_x509_privkey_import(pk, doc, fmt);
        if (r < 0 && type == DOC_UNKNOWN) {
            /*
             * gnutls_x509_privkey_import() tries PKCS#8 too, but returns
             * a generic code; this call says why PKCS#8 failed, and with
             * GNUTLS_PKCS_PLAIN it reports an EncryptedPrivateKeyInfo as
             * GNUTLS_E_DECRYPTION_FAILED without trying to decrypt it.
             */
            int r8 = gnutls_x509_privkey_import_pkcs8(pk, doc, fmt, NULL,
                                                      GNUTLS_PKCS_PLAIN);
            if (r8 == 0 || !asn1_error(r8)) {
                r = r8;
            }
        }
    }
    if (r == 0 && !use_private(pk, key, errp)) {
        r = IMPORT_REFUSED;
    }
    gnutls_x509_privkey_deinit(pk);
    return r;
}

/* A certificate: its subjectPublicKeyInfo must be EC on P-521. */
static bool use_cert(gnutls_x509_crt_t crt, CCEcKey *key, GError **errp)
{
    gnutls_pubkey_t pub;
    int alg = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
    int version = gnutls_x509_crt_get_version(crt);
    bool ok;
    int r;

    /* RFC 5280 section 4.1.2.1: v1, v2 or v3 */
    if (version < 1 || version > 3) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "unsupported X.509 version %d", version);
        return false;
    }
    if (alg == GNUTLS_PK_UNKNOWN || alg < 0) {
        char oid[128];
        size_t oid_size = sizeof(oid);

        if (gnutls_x509_crt_get_pk_oid(crt, oid, &oid_size) < 0) {
            g_strlcpy(oid, "unknown", sizeof(oid));
        }
        algorithm_error(oid, errp);
        return false;
    }
    if (alg != GNUTLS_PK_EC) {
        g_autofree char *desc = pk_describe(alg);

        algorithm_error(desc, errp);
        return false;
    }
    r = gnutls_pubkey_init(&pub);
    if (r >= 0) {
        r = gnutls_pubkey_import_x509(pub, crt, 0);
        if (r < 0) {
            gnutls_pubkey_deinit(pub);
        }
    }
    if (r < 0) {
        gnutls_datum_t der = { NULL, 0 };

        if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0) {
            der.data = NULL;
        }
        if (!spki_error(r, der.data ? &der : NULL, true, errp)) {
            g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                        "cannot read the certificate's public key: %s",
                        gnutls_strerror(r));
        }
        gnutls_free(der.data);
        return false;
    }
    ok = use_public(pub, key, errp);
    gnutls_pubkey_deinit(pub);
    return ok;
}

/*
 * A public key document of type @type (DOC_UNKNOWN: DER of either kind);
 * returns 0, IMPORT_REFUSED or the GnuTLS code of the last import tried,
 * which is that of gnutls_pubkey_import() unless @type is DOC_CERT.
 */
static int import_public(const gnutls_datum_t *doc,
                         gnutls_x509_crt_fmt_t fmt, DocType type,
                         CCEcKey *key, GError **errp)
{
    gnutls_pubkey_t pub;
    int r;

    if (type == DOC_CERT || type == DOC_UNKNOWN) {
        gnutls_x509_crt_t crt;

        r = gnutls_x509_crt_init(&crt);
        if (r < 0) {
            return r;
        }
        r = gnutls_x509_crt_import(crt, doc, fmt);
        if (r == 0 && !use_cert(crt, key, errp)) {
            r = IMPORT_REFUSED;
        }
        gnutls_x509_crt_deinit(crt);
        if (r >= 0 || type == DOC_CERT) {
            return r;
        }
    }
    r = gnutls_pubkey_init(&pub);
    if (r < 0) {
        return r;
    }
    r = gnutls_pubkey_import(pub, doc, fmt);
    if (r == 0 && !use_public(pub, key, errp)) {
        r = IMPORT_REFUSED;
    }
    gnutls_pubkey_deinit(pub);
    return r;
}

/* What kind of private key is the DER document @doc, if any? */
static DocType der_private_type(const gnutls_datum_t *doc)
{
    gnutls_x509_privkey_t pk;
    DocType type = DOC_UNKNOWN;
    CCEcKey tmp = { 0 };
    Der seq;
    int r;

    if (gnutls_x509_privkey_init(&pk) < 0) {
        return DOC_UNKNOWN;
    }
    r = gnutls_x509_privkey_import_pkcs8(pk, doc, GNUTLS_X509_FMT_DER, NULL,
                                         GNUTLS_PKCS_PLAIN);
    if (r == 0) {
        type = DOC_PKCS8;
    } else if (r == GNUTLS_E_DECRYPTION_FAILED) {
        type = DOC_PKCS8_ENC;
    } else if (gnutls_x509_privkey_import(pk, doc, GNUTLS_X509_FMT_DER) == 0) {
        switch (gnutls_x509_privkey_get_pk_algorithm(pk)) {
        case GNUTLS_PK_EC:
            type = DOC_SEC1;
            break;
        case GNUTLS_PK_RSA:
            type = DOC_RSA_PRIVATE;
            break;
        default:
            type = DOC_PRIVATE;
            break;
        }
    } else if (der_one_sequence(doc->data, doc->size, &seq)) {
        /* an EC private key that only the fallback reads */
        type = der_private_shape(&seq);
        if ((type != DOC_SEC1 && type != DOC_PKCS8) ||
            fallback_private(doc->data, doc->size, type, NULL, &tmp,
                             NULL) <= 0) {
            type = DOC_UNKNOWN;
        }
        cc_wipe(&tmp, sizeof(tmp));
    }
    gnutls_x509_privkey_deinit(pk);
    return type;
}

/* What kind of public key document is the DER document @doc, if any? */
static DocType der_public_type(const gnutls_datum_t *doc)
{
    gnutls_x509_crt_t crt;
    gnutls_pubkey_t pub;
    int r;

    if (gnutls_x509_crt_init(&crt) >= 0) {
        r = gnutls_x509_crt_import(crt, doc, GNUTLS_X509_FMT_DER);
        gnutls_x509_crt_deinit(crt);
        if (r == 0) {
            return DOC_CERT;
        }
    }
    if (gnutls_pubkey_init(&pub) >= 0) {
        r = gnutls_pubkey_import(pub, doc, GNUTLS_X509_FMT_DER);
        gnutls_pubkey_deinit(pub);
        if (r == 0 || spki_decoded(r)) {
            return DOC_SPKI;
        }
    }
    return DOC_UNKNOWN;
}

static bool load_der(const uint8_t *data, size_t len, bool want_private,
                     const char *name, CCEcKey *key, GError **errp)
{
    gnutls_datum_t doc = { (unsigned char *)data, len };
    DocType type;
    int r, ok;

    if (want_private) {
        r = import_private(&doc, GNUTLS_X509_FMT_DER, DOC_UNKNOWN, key,
                           errp);
        if (r == 0 || r == IMPORT_REFUSED) {
            return r == 0;
        }
        if (r == GNUTLS_E_DECRYPTION_FAILED) {
            encrypted_error(name, errp);
            return false;
        }
        ok = fallback_private(data, len, DOC_UNKNOWN, name, key, errp);
        if (ok >= 0) {
            return ok;
        }
        type = der_public_type(&doc);
        if (type != DOC_UNKNOWN) {
            wrong_type_error(type, true, name, errp);
        } else if (!key_error(r, true, errp)) {
            g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                        "not a PEM or DER EC key (GnuTLS: %s)",
                        gnutls_strerror(r));
        }
        return false;
    }

    r = import_public(&doc, GNUTLS_X509_FMT_DER, DOC_UNKNOWN, key, errp);
    if (r == 0 || r == IMPORT_REFUSED) {
        return r == 0;
    }
    if (spki_error(r, &doc, false, errp)) {
        return false;
    }
    type = der_private_type(&doc);
    if (type != DOC_UNKNOWN) {
        wrong_type_error(type, false, name, errp);
    } else {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "not a PEM or DER EC key (GnuTLS: %s)",
                    gnutls_strerror(r));
    }
    return false;
}

/* Decode the chosen PEM block @blk of type @type. */
static bool load_pem_block(const PemBlock *blk, DocType type,
                           const char *name, CCEcKey *key, GError **errp)
{
    gnutls_datum_t doc = { (unsigned char *)blk->start, blk->len };
    gnutls_datum_t der = { NULL, 0 };
    bool private = type == DOC_SEC1 || type == DOC_PKCS8;
    bool have_der = false, ok;
    int r;

    if (private) {
        r = import_private(&doc, GNUTLS_X509_FMT_PEM, type, key, errp);
    } else {
        r = import_public(&doc, GNUTLS_X509_FMT_PEM, type, key, errp);
    }
    if (r == 0 || r == IMPORT_REFUSED) {
        return r == 0;
    }
    if (r == GNUTLS_E_DECRYPTION_FAILED && private) {
        encrypted_error(name, errp);
        return false;
    }
    if (r == GNUTLS_E_BASE64_DECODING_ERROR) {
        g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                    "PEM block '%s' is not valid base64", blk->label);
        return false;
    }
    if (private || type == DOC_SPKI) {
        have_der = pem_to_der(blk, &der);
    }
    if (private && have_der) {
        ok = fallback_private(der.data, der.size, type, name, key,
                              errp) > 0;
        free_secret(&der);
        return ok;
    }
    if (type == DOC_SPKI) {
        ok = spki_error(r, have_der ? &der : NULL, false, errp);
        gnutls_free(der.data);
        if (ok) {
            return false;
        }
    }
    g_set_error(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                "malformed %s (GnuTLS: %s)", doc_names[type],
                gnutls_strerror(r));
    return false;
}

/*
 * The first block whose label is wanted is decoded.  Encrypted blocks
 * (label ENCRYPTED PRIVATE KEY, or RFC 1421 Proc-Type and DEK-Info
 * headers) are refused from their armour alone.
 */
static bool load_pem(const uint8_t *data, size_t len, bool want_private,
                     const char *name, CCEcKey *key, GError **errp)
{
    size_t pos = 0;
    DocType seen = DOC_UNKNOWN;
    g_autoptr(GString) labels = g_string_new(NULL);

    for (;;) {
        PemBlock blk;
        DocType type;
        bool ok;
        int r;

        r = pem_next(data, len, &pos, &blk, errp);
        if (r == 0) {
            break;
        }
        if (r < 0) {
            g_free(blk.label);
            return false;
        }
        type = doc_from_label(blk.label);
        if (type == DOC_PKCS8_ENC || pem_block_encrypted(&blk)) {
            g_free(blk.label);
            wrong_type_error(DOC_PKCS8_ENC, want_private, name, errp);
            return false;
        }
        if (!type_wanted(type, want_private)) {
            g_string_append_printf(labels, "%s'%s'",
                                   labels->len ? ", " : "", blk.label);
            if (seen == DOC_UNKNOWN && type != DOC_EC_PARAMS) {
                seen = type;
            }
            g_free(blk.label);
            continue;
        }
        ok = load_pem_block(&blk, type, name, key, errp);
        g_free(blk.label);
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
    if (!len) {
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                            "empty key document");
        return false;
    }
    if (len > UINT_MAX) {       /* gnutls_datum_t sizes are unsigned int */
        g_set_error_literal(errp, CC_ECKEY_ERROR, CC_ECKEY_ERROR_FORMAT,
                            "key document is too large");
        return false;
    }
    if (find(data, len, PEM_BEGIN)) {
        ok = load_pem(data, len, want_private, name, key, errp);
    } else {
        ok = load_der(data, len, want_private, name, key, errp);
    }
    if (!ok) {
        cc_wipe(key, sizeof(*key));
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
    cc_wipe(contents, len);
    g_free(contents);
    return ok;
}
