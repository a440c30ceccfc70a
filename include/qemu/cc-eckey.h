/*
 * EC P-521 (secp521r1) key documents: the host-key document (an X.509
 * certificate or SubjectPublicKeyInfo) and the matching private key
 * (SEC1 "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY"), as PEM or DER.
 *
 * Part of the qemu-ibm-cc pure core: depends on GLib, on GnuTLS, which
 * decodes the documents, and on nettle's DER iterator (nettle/asn1.h),
 * which reads the private keys that GnuTLS refuses.  This code only
 * parses; it returns raw big-endian scalars and coordinates and does no
 * curve arithmetic.  In particular it does not check that the public
 * point is on the curve, that d < n, or that the public key matches d:
 * callers do that with the P-521 code (qemu/cc-ecc.h).  Certificate
 * signatures, validity and chains are not checked either (like pvimg
 * --no-verify).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CC_ECKEY_H
#define QEMU_CC_ECKEY_H

/* Size of a P-521 scalar or coordinate in bytes (ceil(521 / 8)). */
#define CC_ECKEY_P521_LEN 66

typedef struct CCEcKey {
    bool has_private;
    uint8_t d[CC_ECKEY_P521_LEN];       /* big-endian, left-padded */
    bool has_public;
    uint8_t x[CC_ECKEY_P521_LEN];       /* big-endian affine X */
    uint8_t y[CC_ECKEY_P521_LEN];       /* big-endian affine Y */
} CCEcKey;

#define CC_ECKEY_ERROR (cc_eckey_error_quark())
GQuark cc_eckey_error_quark(void);

typedef enum CCEcKeyError {
    CC_ECKEY_ERROR_IO,          /* the file could not be read */
    CC_ECKEY_ERROR_FORMAT,      /* not PEM/DER, or a malformed document */
    CC_ECKEY_ERROR_WRONG_TYPE,  /* certificate for private key or vice versa */
    CC_ECKEY_ERROR_ALGORITHM,   /* not an EC key (RSA, EdDSA, ...) */
    CC_ECKEY_ERROR_CURVE,       /* EC, but not secp521r1 */
    CC_ECKEY_ERROR_ENCRYPTED,   /* password-protected private key */
    CC_ECKEY_ERROR_POINT_FORMAT, /* compressed or hybrid public point */
    CC_ECKEY_ERROR_KEY_VALUE,   /* scalar or point of the wrong size */
} CCEcKeyError;

/*
 * Load a private key: SEC1 (RFC 5915) or unencrypted PKCS#8 (RFC 5208 /
 * RFC 5958), PEM or DER.  Sets d (has_private) and, when the document
 * carries an uncompressed public key, x and y (has_public).  A compressed
 * public key inside a private key document is ignored (has_public stays
 * false; derive it from d with cc_p521_public_from_private()).  The
 * public key is not checked against d.  On failure @key is all zero.
 */
bool cc_eckey_load_private(const uint8_t *data, size_t len, CCEcKey *key,
                           GError **errp);

/*
 * Load a public key: an X.509 certificate (the host-key document) or a
 * SubjectPublicKeyInfo, PEM or DER.  The first CERTIFICATE or PUBLIC KEY
 * block of a PEM file is used.  Sets x and y (has_public).  On failure
 * @key is all zero.
 */
bool cc_eckey_load_public(const uint8_t *data, size_t len, CCEcKey *key,
                          GError **errp);

/*
 * Read @path and load a private (@want_private) or public key from it.
 * Error messages start with "@path: ".
 */
bool cc_eckey_load_file(const char *path, bool want_private, CCEcKey *key,
                        GError **errp);

#endif
