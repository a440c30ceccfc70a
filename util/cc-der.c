/*
 * Minimal strict DER reader and PEM decoder (see include/qemu/cc-der.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-der.h"

G_DEFINE_QUARK(cc_der_error_quark, cc_der_error)

/* The longest length field we accept: 4 bytes, i.e. up to 4 GiB - 1. */
#define CC_DER_MAX_LEN_BYTES 4

static void G_GNUC_PRINTF(4, 5)
der_error(GError **errp, CCDerError code, const char *what,
          const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (what) {
        g_set_error(errp, CC_DER_ERROR, code, "%s: %s", what, msg);
    } else {
        g_set_error_literal(errp, CC_DER_ERROR, code, msg);
    }
    g_free(msg);
}

/* Human-readable name of an identifier byte, written to @buf. */
static const char *tag_name(uint8_t tag, char *buf, size_t size)
{
    static const char *const universal[] = {
        [0x01] = "BOOLEAN",
        [0x02] = "INTEGER",
        [0x03] = "BIT STRING",
        [0x04] = "OCTET STRING",
        [0x05] = "NULL",
        [0x06] = "OBJECT IDENTIFIER",
        [0x0c] = "UTF8String",
        [0x13] = "PrintableString",
        [0x17] = "UTCTime",
        [0x18] = "GeneralizedTime",
    };
    unsigned num = tag & 0x1f;
    bool cons = tag & 0x20;

    switch (tag >> 6) {
    case CC_DER_CLASS_UNIVERSAL:
        if (tag == CC_DER_SEQUENCE) {
            return "SEQUENCE";
        }
        if (tag == CC_DER_SET) {
            return "SET";
        }
        if (!cons && num < G_N_ELEMENTS(universal) && universal[num]) {
            return universal[num];
        }
        g_snprintf(buf, size, "tag 0x%02x", tag);
        return buf;
    case CC_DER_CLASS_CONTEXT:
        g_snprintf(buf, size, "[%u]%s", num, cons ? "" : " (primitive)");
        return buf;
    default:
        g_snprintf(buf, size, "tag 0x%02x", tag);
        return buf;
    }
}

bool cc_der_read_tlv(CCBuf *b, CCDerTlv *tlv, GError **errp)
{
    size_t start, left, len, nlen, i;
    uint8_t id, l0;

    if (!cc_buf_ok(b) || cc_buf_remaining(b) == 0) {
        der_error(errp, CC_DER_ERROR_TRUNCATED, NULL,
                  "expected an element, found end of data");
        return false;
    }
    start = b->pos;
    id = cc_buf_u8(b);
    if ((id & 0x1f) == 0x1f) {
        der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                  "multi-byte tag numbers are not supported");
        return false;
    }
    if (cc_buf_remaining(b) == 0) {
        der_error(errp, CC_DER_ERROR_TRUNCATED, NULL,
                  "length missing after tag 0x%02x", id);
        return false;
    }
    l0 = cc_buf_u8(b);
    if (l0 < 0x80) {
        len = l0;
    } else if (l0 == 0x80) {
        der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                  "indefinite length is not allowed in DER");
        return false;
    } else {
        nlen = l0 & 0x7f;
        if (nlen > CC_DER_MAX_LEN_BYTES) {
            der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                      "%zu-byte length field is not supported", nlen);
            return false;
        }
        if (cc_buf_remaining(b) < nlen) {
            der_error(errp, CC_DER_ERROR_TRUNCATED, NULL,
                      "length field runs past the end of data");
            return false;
        }
        len = 0;
        for (i = 0; i < nlen; i++) {
            uint8_t c = cc_buf_u8(b);

            if (i == 0 && c == 0) {
                der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                          "non-minimal length (leading zero byte)");
                return false;
            }
            len = (len << 8) | c;
        }
        if (len < 0x80) {
            der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                      "non-minimal length (%zu in long form)", len);
            return false;
        }
    }
    left = cc_buf_remaining(b);
    if (len > left) {
        der_error(errp, CC_DER_ERROR_TRUNCATED, NULL,
                  "element of %zu bytes runs past the end of data "
                  "(%zu bytes left)", len, left);
        return false;
    }
    tlv->tag = id;
    tlv->tag_class = id >> 6;
    tlv->constructed = id & 0x20;
    tlv->tag_number = id & 0x1f;
    tlv->value = cc_buf_sub(b, len);
    tlv->raw = b->data + start;
    tlv->raw_len = b->pos - start;
    return cc_buf_ok(b);
}

bool cc_der_peek_tag(const CCBuf *b, uint8_t tag)
{
    return cc_buf_remaining(b) > 0 && b->data[b->pos] == tag;
}

bool cc_der_expect(CCBuf *b, uint8_t tag, const char *what, CCBuf *value,
                   GError **errp)
{
    CCDerTlv tlv;
    char want[32], got[32];
    GError *err = NULL;

    if (!cc_der_read_tlv(b, &tlv, &err)) {
        if (what) {
            g_prefix_error(&err, "%s: ", what);
        }
        g_propagate_error(errp, err);
        return false;
    }
    if (tlv.tag != tag) {
        der_error(errp, CC_DER_ERROR_UNEXPECTED, what,
                  "expected %s, found %s",
                  tag_name(tag, want, sizeof(want)),
                  tag_name(tlv.tag, got, sizeof(got)));
        return false;
    }
    *value = tlv.value;
    return true;
}

bool cc_der_enter_sequence(CCBuf *b, const char *what, CCBuf *seq,
                           GError **errp)
{
    return cc_der_expect(b, CC_DER_SEQUENCE, what, seq, errp);
}

bool cc_der_enter_explicit(CCBuf *b, unsigned n, const char *what,
                           CCBuf *inner, GError **errp)
{
    g_assert(n <= 30);
    return cc_der_expect(b, CC_DER_CONTEXT_CONS(n), what, inner, errp);
}

bool cc_der_read_uint(CCBuf *b, const char *what, const uint8_t **mag,
                      size_t *mag_len, GError **errp)
{
    CCBuf v;
    const uint8_t *p;
    size_t n;

    if (!cc_der_expect(b, CC_DER_INTEGER, what, &v, errp)) {
        return false;
    }
    n = cc_buf_remaining(&v);
    p = cc_buf_bytes(&v, n);
    if (n == 0) {
        der_error(errp, CC_DER_ERROR_ENCODING, what, "empty INTEGER");
        return false;
    }
    if (n > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) ||
                  (p[0] == 0xff && (p[1] & 0x80)))) {
        der_error(errp, CC_DER_ERROR_ENCODING, what,
                  "non-minimal INTEGER encoding");
        return false;
    }
    if (p[0] & 0x80) {
        der_error(errp, CC_DER_ERROR_UNEXPECTED, what,
                  "negative INTEGER where a non-negative one is required");
        return false;
    }
    if (p[0] == 0x00) {
        p++;
        n--;
    }
    *mag = p;
    *mag_len = n;
    return true;
}

bool cc_der_read_uint32(CCBuf *b, const char *what, uint32_t *val,
                        GError **errp)
{
    const uint8_t *p;
    size_t n, i;
    uint32_t v = 0;

    if (!cc_der_read_uint(b, what, &p, &n, errp)) {
        return false;
    }
    if (n > 4) {
        der_error(errp, CC_DER_ERROR_UNEXPECTED, what,
                  "INTEGER of %zu bytes is too large", n);
        return false;
    }
    for (i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    *val = v;
    return true;
}

bool cc_der_read_octet_string(CCBuf *b, const char *what, CCBuf *out,
                              GError **errp)
{
    return cc_der_expect(b, CC_DER_OCTET_STRING, what, out, errp);
}

bool cc_der_bit_string_contents(CCBuf *contents, const char *what,
                                CCBuf *out, GError **errp)
{
    uint8_t unused;

    if (cc_buf_remaining(contents) == 0) {
        der_error(errp, CC_DER_ERROR_ENCODING, what,
                  "BIT STRING without unused-bits byte");
        return false;
    }
    unused = cc_buf_u8(contents);
    if (unused != 0) {
        der_error(errp, CC_DER_ERROR_UNEXPECTED, what,
                  "BIT STRING with %u unused bits, a whole number of bytes "
                  "is required", unused);
        return false;
    }
    *out = cc_buf_sub(contents, cc_buf_remaining(contents));
    return true;
}

bool cc_der_read_bit_string(CCBuf *b, const char *what, CCBuf *out,
                            GError **errp)
{
    CCBuf v;

    if (!cc_der_expect(b, CC_DER_BIT_STRING, what, &v, errp)) {
        return false;
    }
    return cc_der_bit_string_contents(&v, what, out, errp);
}

static bool oid_valid(const uint8_t *oid, size_t len)
{
    size_t i;
    bool start = true;

    if (len == 0) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (start && oid[i] == 0x80) {
            return false;       /* non-minimal sub-identifier */
        }
        start = !(oid[i] & 0x80);
    }
    return start;               /* last sub-identifier complete */
}

bool cc_der_read_oid(CCBuf *b, const char *what, const uint8_t **oid,
                     size_t *oid_len, GError **errp)
{
    CCBuf v;
    size_t n;
    const uint8_t *p;

    if (!cc_der_expect(b, CC_DER_OID, what, &v, errp)) {
        return false;
    }
    n = cc_buf_remaining(&v);
    p = cc_buf_bytes(&v, n);
    if (!oid_valid(p, n)) {
        der_error(errp, CC_DER_ERROR_ENCODING, what,
                  "malformed OBJECT IDENTIFIER");
        return false;
    }
    *oid = p;
    *oid_len = n;
    return true;
}

bool cc_der_oid_equal(const uint8_t *oid, size_t oid_len,
                      const uint8_t *ref, size_t ref_len)
{
    return oid_len == ref_len && memcmp(oid, ref, ref_len) == 0;
}

char *cc_der_oid_to_string(const uint8_t *oid, size_t oid_len)
{
    GString *s;
    size_t i = 0;
    bool first = true;

    if (!oid_valid(oid, oid_len)) {
        return g_strdup("(invalid OID)");
    }
    s = g_string_new(NULL);
    while (i < oid_len) {
        uint64_t v = 0;
        bool overflow = false;

        do {
            if (v >> 57) {
                overflow = true;
            }
            v = (v << 7) | (oid[i] & 0x7f);
        } while (oid[i++] & 0x80);

        if (first) {
            /* The first sub-identifier encodes two arcs: 40 * X + Y. */
            if (overflow) {
                g_string_append(s, "2.?");
            } else if (v < 80) {
                g_string_append_printf(s, "%u.%u", (unsigned)(v / 40),
                                       (unsigned)(v % 40));
            } else {
                g_string_append_printf(s, "2.%" G_GUINT64_FORMAT, v - 80);
            }
            first = false;
        } else if (overflow) {
            g_string_append(s, ".?");
        } else {
            g_string_append_printf(s, ".%" G_GUINT64_FORMAT, v);
        }
    }
    return g_string_free(s, false);
}

bool cc_der_skip(CCBuf *b, GError **errp)
{
    CCDerTlv tlv;

    return cc_der_read_tlv(b, &tlv, errp);
}

bool cc_der_check_structure(CCBuf *b, unsigned max_depth, GError **errp)
{
    while (cc_buf_remaining(b)) {
        CCDerTlv tlv;

        if (!cc_der_read_tlv(b, &tlv, errp)) {
            return false;
        }
        if (tlv.constructed) {
            if (max_depth == 0) {
                der_error(errp, CC_DER_ERROR_ENCODING, NULL,
                          "elements nested too deeply");
                return false;
            }
            if (!cc_der_check_structure(&tlv.value, max_depth - 1, errp)) {
                return false;
            }
        }
    }
    return cc_der_expect_end(b, NULL, errp);
}

bool cc_der_expect_end(const CCBuf *b, const char *what, GError **errp)
{
    if (!cc_buf_ok(b)) {
        der_error(errp, CC_DER_ERROR_TRUNCATED, what, "truncated");
        return false;
    }
    if (cc_buf_remaining(b)) {
        der_error(errp, CC_DER_ERROR_TRAILING, what,
                  "%zu bytes of unexpected data after the last element",
                  cc_buf_remaining(b));
        return false;
    }
    return true;
}

/* PEM ------------------------------------------------------------------ */

static const char pem_begin[] = "-----BEGIN ";
static const char pem_end[] = "-----END ";
static const char pem_dashes[] = "-----";

/* Does text[p..end) start with the NUL-terminated string @s? */
static bool starts_with(const char *text, size_t p, size_t end,
                        const char *s)
{
    size_t n = strlen(s);

    return end - p >= n && memcmp(text + p, s, n) == 0;
}

/* Index of the '\n' ending the line that starts at @p, or @len. */
static size_t line_end(const char *text, size_t len, size_t p)
{
    while (p < len && text[p] != '\n') {
        p++;
    }
    return p;
}

/* Index past trailing whitespace-trimmed content of text[p..e). */
static size_t trim_end(const char *text, size_t p, size_t e)
{
    while (e > p && g_ascii_isspace(text[e - 1])) {
        e--;
    }
    return e;
}

/*
 * Parse "<prefix><LABEL>-----" filling text[p..e) exactly (after
 * trimming).  Returns the label or NULL.
 */
static char *armour_label(const char *text, size_t p, size_t e,
                          const char *prefix)
{
    size_t dl = strlen(pem_dashes);
    size_t i;

    e = trim_end(text, p, e);
    if (!starts_with(text, p, e, prefix)) {
        return NULL;
    }
    p += strlen(prefix);
    if (e - p < dl + 1 || memcmp(text + e - dl, pem_dashes, dl) != 0) {
        return NULL;
    }
    e -= dl;
    for (i = p; i < e; i++) {
        /* RFC 7468 labels: printable ASCII except '-' */
        if (text[i] < 0x20 || text[i] > 0x7e || text[i] == '-') {
            return NULL;
        }
    }
    return g_strndup(text + p, e - p);
}

static bool b64_char(char c)
{
    return g_ascii_isalnum(c) || c == '+' || c == '/';
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : 63;
}

/* Validate a whitespace-free base64 string (strictly canonical). */
static bool b64_check(const GString *s, const char *label, GError **errp)
{
    size_t i, pad = 0;

    if (s->len == 0) {
        der_error(errp, CC_DER_ERROR_PEM, NULL,
                  "PEM block '%s' has an empty body", label);
        return false;
    }
    for (i = 0; i < s->len; i++) {
        char c = s->str[i];

        if (c == '=') {
            pad++;
        } else if (b64_char(c) && pad) {
            der_error(errp, CC_DER_ERROR_PEM, NULL,
                      "PEM block '%s': base64 data after '=' padding", label);
            return false;
        } else if (!b64_char(c)) {
            if (g_ascii_isprint(c)) {
                der_error(errp, CC_DER_ERROR_PEM, NULL,
                          "PEM block '%s': invalid base64 character '%c'",
                          label, c);
            } else {
                der_error(errp, CC_DER_ERROR_PEM, NULL,
                          "PEM block '%s': invalid base64 byte 0x%02x",
                          label, (uint8_t)c);
            }
            return false;
        }
    }
    if (pad > 2 || s->len % 4) {
        der_error(errp, CC_DER_ERROR_PEM, NULL,
                  "PEM block '%s': base64 body has a bad length or padding",
                  label);
        return false;
    }
    /* the bits dropped by the padding must be zero (canonical encoding) */
    if (pad && (b64_value(s->str[s->len - pad - 1]) &
                (pad == 1 ? 0x3 : 0xf))) {
        der_error(errp, CC_DER_ERROR_PEM, NULL,
                  "PEM block '%s': non-canonical base64 padding", label);
        return false;
    }
    return true;
}

bool cc_pem_sniff(const uint8_t *data, size_t len)
{
    const char *text = (const char *)data;
    size_t p;

    for (p = 0; p < len; p++) {
        if (starts_with(text, p, len, pem_begin)) {
            return true;
        }
    }
    return false;
}

int cc_pem_next(const char *text, size_t len, size_t *pos, char **label,
                uint8_t **der, size_t *der_len, GError **errp)
{
    size_t p = *pos, e;
    char *lab = NULL;
    GString *body;
    gsize out_len;
    guchar *out;

    *label = NULL;
    *der = NULL;
    *der_len = 0;

    /* a UTF-8 byte order mark some editors write */
    if (p == 0 && starts_with(text, 0, len, "\xef\xbb\xbf")) {
        p = 3;
    }

    /* find a BEGIN line */
    for (;;) {
        if (p >= len) {
            return 0;
        }
        e = line_end(text, len, p);
        if (starts_with(text, p, e, pem_begin)) {
            lab = armour_label(text, p, e, pem_begin);
            if (!lab) {
                der_error(errp, CC_DER_ERROR_PEM, NULL,
                          "malformed PEM BEGIN line");
                return -1;
            }
            break;
        }
        p = e + 1;
    }
    *label = lab;
    if (strcmp(lab, "ENCRYPTED PRIVATE KEY") == 0) {
        der_error(errp, CC_DER_ERROR_PEM_ENCRYPTED, NULL,
                  "PEM block '%s' is encrypted", lab);
        return -1;
    }

    /* collect the body up to the END line */
    body = g_string_new(NULL);
    for (;;) {
        size_t i;

        p = e + 1;
        if (p >= len) {
            der_error(errp, CC_DER_ERROR_PEM, NULL,
                      "PEM block '%s' has no END line", lab);
            g_string_free(body, true);
            return -1;
        }
        e = line_end(text, len, p);
        if (starts_with(text, p, e, pem_end)) {
            char *end_lab = armour_label(text, p, e, pem_end);
            bool match = end_lab && strcmp(end_lab, lab) == 0;

            g_free(end_lab);
            if (!match) {
                der_error(errp, CC_DER_ERROR_PEM, NULL,
                          "PEM block '%s' has a malformed or mismatched "
                          "END line", lab);
                g_string_free(body, true);
                return -1;
            }
            break;
        }
        if (memchr(text + p, ':', e - p)) {
            /* RFC 1421 header, e.g. "Proc-Type: 4,ENCRYPTED" */
            bool enc = starts_with(text, p, e, "Proc-Type:") ||
                       starts_with(text, p, e, "DEK-Info:");

            der_error(errp, enc ? CC_DER_ERROR_PEM_ENCRYPTED :
                      CC_DER_ERROR_PEM, NULL,
                      enc ? "PEM block '%s' is encrypted" :
                      "PEM block '%s' has headers, which are not supported",
                      lab);
            g_string_free(body, true);
            return -1;
        }
        for (i = p; i < e; i++) {
            if (!g_ascii_isspace(text[i])) {
                g_string_append_c(body, text[i]);
            }
        }
    }
    *pos = e < len ? e + 1 : len;

    if (!b64_check(body, lab, errp)) {
        g_string_free(body, true);
        return -1;
    }
    out = g_base64_decode(body->str, &out_len);
    g_string_free(body, true);
    *der = out;
    *der_len = out_len;
    return 1;
}
