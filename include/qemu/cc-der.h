/*
 * Minimal strict DER reader and PEM decoder for key documents (host-key
 * certificates, EC private keys).
 *
 * Part of the qemu-ibm-cc pure core: depends on GLib only.  Built on CCBuf,
 * so every read of untrusted bytes is bounds-checked.
 *
 * Only what key documents need is supported: single-byte identifiers (tag
 * numbers 0..30) and definite lengths of up to 4 length bytes.  Anything
 * BER allows but DER forbids (indefinite lengths, non-minimal lengths,
 * non-minimal INTEGERs, BIT STRINGs with unused bits) is rejected.
 *
 * Every function that takes a CCBuf reads from its current position and
 * advances it past what was read.  On failure it sets @errp (domain
 * CC_DER_ERROR) and the position of the reader is unspecified.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CC_DER_H
#define QEMU_CC_DER_H

#include "qemu/cc-buf.h"

#define CC_DER_ERROR (cc_der_error_quark())
GQuark cc_der_error_quark(void);

typedef enum CCDerError {
    CC_DER_ERROR_TRUNCATED,     /* element runs past the end of its container */
    CC_DER_ERROR_ENCODING,      /* not valid DER (lengths, tags, contents) */
    CC_DER_ERROR_UNEXPECTED,    /* valid DER, but not the element wanted */
    CC_DER_ERROR_TRAILING,      /* data left over after the last element */
    CC_DER_ERROR_PEM,           /* malformed PEM armour or base64 */
    CC_DER_ERROR_PEM_ENCRYPTED, /* PEM block is encrypted */
} CCDerError;

/* Tag classes (top two bits of the identifier byte). */
#define CC_DER_CLASS_UNIVERSAL   0
#define CC_DER_CLASS_APPLICATION 1
#define CC_DER_CLASS_CONTEXT     2
#define CC_DER_CLASS_PRIVATE     3

/* Identifier bytes of the universal types we use. */
#define CC_DER_INTEGER      0x02
#define CC_DER_BIT_STRING   0x03
#define CC_DER_OCTET_STRING 0x04
#define CC_DER_NULL         0x05
#define CC_DER_OID          0x06
#define CC_DER_SEQUENCE     0x30
#define CC_DER_SET          0x31

/* Identifier byte of context-specific [n]: constructed (EXPLICIT) form. */
#define CC_DER_CONTEXT_CONS(n) (0xa0 | (n))
/* Identifier byte of context-specific [n]: primitive (IMPLICIT) form. */
#define CC_DER_CONTEXT_PRIM(n) (0x80 | (n))

typedef struct CCDerTlv {
    uint8_t tag;            /* the identifier byte as encoded */
    uint8_t tag_class;      /* CC_DER_CLASS_* */
    bool constructed;
    uint8_t tag_number;     /* 0..30 */
    CCBuf value;            /* reader over the contents octets */
    const uint8_t *raw;     /* the whole element: identifier .. contents */
    size_t raw_len;
} CCDerTlv;

/* Read one element (identifier, length, contents). */
bool cc_der_read_tlv(CCBuf *b, CCDerTlv *tlv, GError **errp);

/*
 * True if the reader has data left and its next identifier byte is @tag.
 * Does not advance; used for OPTIONAL fields.
 */
bool cc_der_peek_tag(const CCBuf *b, uint8_t tag);

/*
 * Read one element whose identifier byte must be @tag; @value gets its
 * contents.  @what names the field in error messages (may be NULL).
 */
bool cc_der_expect(CCBuf *b, uint8_t tag, const char *what, CCBuf *value,
                   GError **errp);

/* Enter a SEQUENCE: @seq reads its contents, @b moves past it. */
bool cc_der_enter_sequence(CCBuf *b, const char *what, CCBuf *seq,
                           GError **errp);

/* Enter context-specific constructed [n] (an EXPLICIT tag). */
bool cc_der_enter_explicit(CCBuf *b, unsigned n, const char *what,
                           CCBuf *inner, GError **errp);

/*
 * Read a non-negative INTEGER.  @mag / @mag_len get its magnitude with
 * no leading zero bytes (zero has length 0).  Negative values and
 * non-minimal encodings are rejected.
 */
bool cc_der_read_uint(CCBuf *b, const char *what, const uint8_t **mag,
                      size_t *mag_len, GError **errp);

/* Read a non-negative INTEGER that must fit in 32 bits. */
bool cc_der_read_uint32(CCBuf *b, const char *what, uint32_t *val,
                        GError **errp);

/* Read an OCTET STRING (primitive form only). */
bool cc_der_read_octet_string(CCBuf *b, const char *what, CCBuf *out,
                              GError **errp);

/*
 * Read a BIT STRING whose unused-bits count is 0; @out reads the bytes
 * after the unused-bits byte.
 */
bool cc_der_read_bit_string(CCBuf *b, const char *what, CCBuf *out,
                            GError **errp);

/* Contents of a BIT STRING (e.g. under an IMPLICIT tag): same checks. */
bool cc_der_bit_string_contents(CCBuf *contents, const char *what,
                                CCBuf *out, GError **errp);

/*
 * Read an OBJECT IDENTIFIER; @oid / @oid_len get its encoded contents
 * (what cc_der_oid_equal() and cc_der_oid_to_string() take).  The
 * encoding is checked: non-empty, minimal sub-identifiers, complete last
 * sub-identifier.
 */
bool cc_der_read_oid(CCBuf *b, const char *what, const uint8_t **oid,
                     size_t *oid_len, GError **errp);

/* Compare an encoded OID with a reference encoding (contents only). */
bool cc_der_oid_equal(const uint8_t *oid, size_t oid_len,
                      const uint8_t *ref, size_t ref_len);

/*
 * Dotted-decimal form of an encoded OID ("1.3.132.0.35"); free with
 * g_free().  Arcs that do not fit in 64 bits print as "?", an invalid
 * encoding gives "(invalid OID)".
 */
char *cc_der_oid_to_string(const uint8_t *oid, size_t oid_len);

/* Skip one element of any type. */
bool cc_der_skip(CCBuf *b, GError **errp);

/*
 * Check that the rest of @b is a series of well-formed elements,
 * descending into constructed ones up to @max_depth levels (deeper
 * nesting is an error).  Consumes @b.
 */
bool cc_der_check_structure(CCBuf *b, unsigned max_depth, GError **errp);

/* Fail with CC_DER_ERROR_TRAILING if @b has anything left. */
bool cc_der_expect_end(const CCBuf *b, const char *what, GError **errp);

/*
 * PEM.  cc_pem_next() finds the next block "-----BEGIN <LABEL>-----" ..
 * "-----END <LABEL>-----" in @text (not necessarily NUL-terminated) at or
 * after *@pos, starting on a line boundary.  On success *@pos moves past
 * the END line, *@label gets the label and *@der / *@der_len the decoded
 * body (both g_free()).  Text outside blocks is ignored.
 *
 * Returns 1 if a block was decoded, 0 if there is no further BEGIN line
 * (errp untouched), -1 on error: unterminated block, mismatched END label,
 * bad base64 (whitespace is ignored; any other character outside the
 * base64 alphabet or misplaced '=' is an error), empty body, or headers.
 * Encrypted blocks (label "ENCRYPTED PRIVATE KEY", or a "Proc-Type: 4,
 * ENCRYPTED" header) fail with CC_DER_ERROR_PEM_ENCRYPTED; on any error
 * *@label is still set if the BEGIN line was read.
 */
int cc_pem_next(const char *text, size_t len, size_t *pos, char **label,
                uint8_t **der, size_t *der_len, GError **errp);

/* True if @data contains a PEM BEGIN line (a cheap format sniff). */
bool cc_pem_sniff(const uint8_t *data, size_t len);

#endif
