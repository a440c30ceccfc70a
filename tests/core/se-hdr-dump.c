/*
 * Test helper for tests/core/se_crosscheck.py: drives the SE header and
 * unpack core from the command line so that an independent Python
 * implementation can compare results.
 *
 *   se-hdr-dump pub D                      -> x=, y=
 *   se-hdr-dump ecdh D X Y                 -> z=
 *   se-hdr-dump unwrap HDR PRIV [BACKUP]   -> header fields and secrets
 *   se-hdr-dump unpack HDR PRIV IN OUT     -> unpack IN pages into OUT
 *   se-hdr-dump build HDR IN OUT key=hex.. -> pack IN pages, build header
 *
 * D/X/Y/PRIV are hex strings; page files hold records of
 * gaddr(u64 BE) tweak_pref(u64 BE) tweak_off(u64 BE) page[4096].
 * Output lines are name=value, values in hex.  Exit status 2 reports a UV
 * error as "error rc=.. rrc=.. check=..".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-unpack.h"

#define RECORD_SIZE (24 + SE_PAGE_SIZE)

static G_NORETURN void die(const char *msg)
{
    fprintf(stderr, "se-hdr-dump: %s\n", msg);
    exit(1);
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
    size_t i;

    if (strlen(s) != 2 * n) {
        die("bad hex length");
    }
    for (i = 0; i < n; i++) {
        int hi = g_ascii_xdigit_value(s[2 * i]);
        int lo = g_ascii_xdigit_value(s[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            die("bad hex digit");
        }
        out[i] = hi << 4 | lo;
    }
}

static void print_hex(const char *name, const uint8_t *p, size_t n)
{
    size_t i;

    printf("%s=", name);
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
    printf("\n");
}

static void print_u64(const char *name, uint64_t v)
{
    printf("%s=%" G_GINT64_MODIFIER "x\n", name, v);
}

static G_NORETURN void uv_error(const SeError *err)
{
    printf("error rc=%04x rrc=%04x check=%s\n", err->rc, err->rrc,
           err->check);
    exit(2);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    gchar *data;
    gsize n;

    if (!g_file_get_contents(path, &data, &n, NULL)) {
        die("cannot read file");
    }
    *len = n;
    return (uint8_t *)data;
}

static void host_key(SeHostKey *k, const char *hex)
{
    uint8_t d[CC_P521_LEN];

    unhex(hex, d, sizeof(d));
    if (!se_host_key_init(k, d)) {
        die("invalid host private key");
    }
}

static int cmd_pub(char **argv)
{
    uint8_t d[CC_P521_LEN], x[CC_P521_LEN], y[CC_P521_LEN];

    unhex(argv[0], d, sizeof(d));
    if (!cc_p521_public_from_private(d, x, y)) {
        printf("invalid\n");
        return 2;
    }
    print_hex("x", x, sizeof(x));
    print_hex("y", y, sizeof(y));
    return 0;
}

static int cmd_ecdh(char **argv)
{
    uint8_t d[CC_P521_LEN], x[CC_P521_LEN], y[CC_P521_LEN], z[CC_P521_LEN];

    unhex(argv[0], d, sizeof(d));
    unhex(argv[1], x, sizeof(x));
    unhex(argv[2], y, sizeof(y));
    if (!cc_p521_ecdh(d, x, y, z)) {
        printf("invalid\n");
        return 2;
    }
    print_hex("z", z, sizeof(z));
    return 0;
}

static void print_hdr(const SeHdr *h)
{
    uint64_t i;

    print_u64("version", h->version);
    print_u64("phs", h->phs);
    print_hex("iv", h->iv, sizeof(h->iv));
    print_u64("nks", h->nks);
    print_u64("sea", h->sea);
    print_u64("nep", h->nep);
    print_u64("pcf", h->pcf);
    print_hex("cust_x", h->cust_x, sizeof(h->cust_x));
    print_hex("cust_y", h->cust_y, sizeof(h->cust_y));
    print_hex("pld", h->pld, sizeof(h->pld));
    print_hex("ald", h->ald, sizeof(h->ald));
    print_hex("tld", h->tld, sizeof(h->tld));
    for (i = 0; i < h->nks; i++) {
        g_autofree char *name = g_strdup_printf("slot%" G_GUINT64_FORMAT
                                                "_phkh", i);

        print_hex(name, h->slots[i].phkh, SE_HDR_PHKH_SIZE);
    }
    print_hex("tag", h->tag, sizeof(h->tag));
    print_u64("aad_len", h->aad_len);
}

static void print_secrets(const SeHdrSecrets *s)
{
    print_hex("cck", s->cck, sizeof(s->cck));
    print_hex("xts_key", s->xts_key, sizeof(s->xts_key));
    print_u64("psw_mask", s->psw_mask);
    print_u64("psw_addr", s->psw_addr);
    print_u64("scf", s->scf);
    print_u64("noi", s->noi);
}

/* Parse + unwrap HDR with the given keys; exits on a UV error. */
static SeHdr *open_hdr(const char *path, const char *prim, const char *bkp,
                       SeHdrSecrets *s, bool print)
{
    SeHostKey kp, kb;
    SeHostKeyUsed used;
    uint64_t slot;
    SeError err;
    g_autofree uint8_t *buf = NULL;
    size_t len;
    SeHdr *h;

    buf = read_file(path, &len);
    host_key(&kp, prim);
    if (bkp) {
        host_key(&kb, bkp);
    }
    h = se_hdr_parse(buf, len, &err);
    if (!h) {
        uv_error(&err);
    }
    if (print) {
        print_hdr(h);
    }
    if (!se_hdr_unwrap(h, &kp, bkp ? &kb : NULL, s, &used, &slot, &err)) {
        uv_error(&err);
    }
    if (print) {
        printf("used=%s\n", used == SE_HOST_KEY_BACKUP ? "backup" : "primary");
        print_u64("slot", slot);
        print_secrets(s);
    }
    cc_wipe(&kp, sizeof(kp));
    cc_wipe(&kb, sizeof(kb));
    return h;
}

static int cmd_unwrap(int argc, char **argv)
{
    SeHdrSecrets s;
    g_autoptr(SeHdr) h = open_hdr(argv[0], argv[1], argc > 2 ? argv[2] : NULL,
                                  &s, true);

    se_hdr_secrets_wipe(&s);
    return 0;
}

/* One page record; false at the end of the file. */
static bool next_record(CCBuf *b, uint64_t *addr, uint64_t *pref,
                        uint64_t *off, uint8_t page[SE_PAGE_SIZE])
{
    if (!cc_buf_remaining(b)) {
        return false;
    }
    *addr = cc_buf_be64(b);
    *pref = cc_buf_be64(b);
    *off = cc_buf_be64(b);
    if (!cc_buf_copy(b, page, SE_PAGE_SIZE)) {
        die("truncated page record");
    }
    return true;
}

static void put_record(GByteArray *out, uint64_t addr, uint64_t pref,
                       uint64_t off, const uint8_t *page)
{
    uint64_t be[3] = {
        GUINT64_TO_BE(addr), GUINT64_TO_BE(pref), GUINT64_TO_BE(off)
    };

    g_byte_array_append(out, (const guint8 *)be, sizeof(be));
    g_byte_array_append(out, page, SE_PAGE_SIZE);
}

static void write_out(const char *path, GByteArray *a)
{
    if (!g_file_set_contents(path, (const char *)a->data, a->len, NULL)) {
        die("cannot write file");
    }
}

static int cmd_unpack(char **argv)
{
    SeHdrSecrets s;
    g_autoptr(SeHdr) h = open_hdr(argv[0], argv[1], NULL, &s, false);
    g_autoptr(SeUnpackCtx) c = se_unpack_new(h, &s);
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autofree uint8_t *in = NULL;
    uint8_t page[SE_PAGE_SIZE];
    uint64_t addr, pref, off;
    uint16_t rc, rrc;
    size_t len;
    CCBuf b;

    se_hdr_secrets_wipe(&s);
    in = read_file(argv[2], &len);
    cc_buf_init(&b, in, len);
    while (next_record(&b, &addr, &pref, &off, page)) {
        rc = se_unpack_page(c, addr, pref, off, page);
        if (rc != SE_UNPACK_RC_OK) {
            printf("unpack_rc=%04x\n", rc);
            return 2;
        }
        put_record(out, addr, pref, off, page);
    }
    write_out(argv[3], out);
    rc = se_unpack_verify(c, &rrc);
    print_u64("pages", se_unpack_page_count(c));
    printf("verify_rc=%04x\nverify_rrc=%04x\n", rc, rrc);
    return 0;
}

/* key=hex arguments of "build" into @p (host keys into @hosts). */
static void build_arg(SeHdrBuildParams *p, GArray *hosts, const char *arg)
{
    g_auto(GStrv) kv = g_strsplit(arg, "=", 2);
    SeP521Pub pub;
    uint8_t v[8];
    CCBuf b;

    if (!kv[0] || !kv[1]) {
        die("expected key=value");
    }
    if (!strcmp(kv[0], "host")) {
        g_auto(GStrv) xy = g_strsplit(kv[1], ":", 2);

        if (!xy[0] || !xy[1]) {
            die("expected host=X:Y");
        }
        unhex(xy[0], pub.x, sizeof(pub.x));
        unhex(xy[1], pub.y, sizeof(pub.y));
        g_array_append_val(hosts, pub);
    } else if (!strcmp(kv[0], "iv")) {
        unhex(kv[1], p->iv, sizeof(p->iv));
    } else if (!strcmp(kv[0], "hdr_key")) {
        unhex(kv[1], p->hdr_key, sizeof(p->hdr_key));
    } else if (!strcmp(kv[0], "cust_priv")) {
        unhex(kv[1], p->cust_priv, sizeof(p->cust_priv));
    } else if (!strcmp(kv[0], "cck")) {
        unhex(kv[1], p->secrets.cck, sizeof(p->secrets.cck));
    } else if (!strcmp(kv[0], "xts_key")) {
        unhex(kv[1], p->secrets.xts_key, sizeof(p->secrets.xts_key));
    } else {
        unhex(kv[1], v, sizeof(v));
        cc_buf_init(&b, v, sizeof(v));
        if (!strcmp(kv[0], "psw_mask")) {
            p->secrets.psw_mask = cc_buf_be64(&b);
        } else if (!strcmp(kv[0], "psw_addr")) {
            p->secrets.psw_addr = cc_buf_be64(&b);
        } else if (!strcmp(kv[0], "pcf")) {
            p->pcf = cc_buf_be64(&b);
        } else {
            die("unknown build parameter");
        }
    }
}

static int cmd_build(int argc, char **argv)
{
    SeHdrBuildParams p = { 0 };
    g_autoptr(GArray) hosts = g_array_new(false, true, sizeof(SeP521Pub));
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(SePackCtx) c = NULL;
    g_autoptr(GError) local_err = NULL;
    g_autofree uint8_t *in = NULL, *hdr = NULL;
    uint8_t page[SE_PAGE_SIZE];
    uint64_t addr, pref, off;
    size_t len;
    CCBuf b;
    int i;

    for (i = 3; i < argc; i++) {
        build_arg(&p, hosts, argv[i]);
    }
    c = se_pack_new(p.secrets.xts_key, p.pcf & SE_PCF_NO_DECRYPT);
    in = read_file(argv[1], &len);
    cc_buf_init(&b, in, len);
    while (next_record(&b, &addr, &pref, &off, page)) {
        if (!se_pack_page(c, addr, pref, off, page)) {
            die("unaligned page address");
        }
        put_record(out, addr, pref, off, page);
    }
    se_pack_result(c, p.pld, p.ald, p.tld, &p.nep);
    p.host_pub = (const SeP521Pub *)hosts->data;
    p.n_host_keys = hosts->len;
    hdr = se_hdr_build(&p, &len, &local_err);
    if (!hdr) {
        die(local_err->message);
    }
    if (!g_file_set_contents(argv[0], (const char *)hdr, len, NULL)) {
        die("cannot write header");
    }
    write_out(argv[2], out);
    print_u64("nep", p.nep);
    cc_wipe(&p, sizeof(p));
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    int n = argc - 2;

    if (!strcmp(cmd, "pub") && n == 1) {
        return cmd_pub(argv + 2);
    } else if (!strcmp(cmd, "ecdh") && n == 3) {
        return cmd_ecdh(argv + 2);
    } else if (!strcmp(cmd, "unwrap") && (n == 2 || n == 3)) {
        return cmd_unwrap(n, argv + 2);
    } else if (!strcmp(cmd, "unpack") && n == 4) {
        return cmd_unpack(argv + 2);
    } else if (!strcmp(cmd, "build") && n >= 3) {
        return cmd_build(n, argv + 2);
    }
    die("usage: pub|ecdh|unwrap|unpack|build ... (see source)");
}
