/*
 * se-secret: builds add-secret requests for IBM Z Secure Execution
 * guests, as IBM's "pvsecret create" does (s390-tools rust/pvsecret): the
 * request is bound to an SE image (its header's tags), optionally to one
 * instance (its configuration id, from attestation), and readable only by
 * the machines of the given host keys.  A guest adds it to its ultravisor
 * secret store through /dev/uv (se-secret-guest, or pvsecret add).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-secret.h"
#include "tool-common.h"

#include <getopt.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

static G_NORETURN void usage(int status)
{
    FILE *f = status ? stderr : stdout;

    fprintf(f,
"Usage: se-secret create -k HKD... --hdr IMAGE|HEADER -o REQUEST [OPTION...]\n"
"                        TYPE [NAME]\n"
"\n"
"Create an add-secret request for an IBM Z Secure Execution guest\n"
"(qemu-ibm-cc), in the format of IBM's pvsecret.  The request is bound to\n"
"the SE image whose header --hdr names, and only the machines of the\n"
"host-key documents can decrypt it.  The guest adds it through /dev/uv\n"
"(se-secret-guest add, or pvsecret add).\n"
"\n"
"TYPE:\n"
"  meta                  no secret: carries the flags and extension secret\n"
"  association NAME      a 32-byte association secret (--secret, or random\n"
"                        and written to --output-secret)\n"
"  retrievable NAME      a secret the guest may retrieve: --secret FILE and\n"
"                        --type plain (up to 8190 bytes), aes (16, 24 or\n"
"                        32 bytes), aes-xts (32 or 64), hmac-sha (64 or\n"
"                        128), ec (a PEM or DER private key on P-256,\n"
"                        P-384, P-521, Ed25519 or Ed448)\n"
"  update-cck            a new customer communication key (--secret, 32\n"
"                        bytes)\n"
"\n"
"  -k, --host-key-document FILE  host-key document (certificate or public\n"
"                                key, PEM or DER); repeatable\n"
"      --hdr FILE                the SE image, or its SE header\n"
"  -o, --output FILE             the request\n"
"      --secret FILE             the secret (see TYPE; pvsecret's\n"
"                                --input-secret is the same)\n"
"      --output-secret FILE      association: write the random secret here\n"
"      --type TYPE               retrievable: the secret's type\n"
"      --cuid-hex HEX            bind to one instance (32 hex digits, the\n"
"                                config-uid of se-attest verify)\n"
"      --flags disable-dump      the guest can no longer be dumped\n"
"      --extension-secret FILE   32 bytes; every request of a guest must\n"
"                                carry the same one\n"
"      --cck FILE                derive the extension secret from this\n"
"                                customer communication key (32 bytes)\n"
"      --user-data FILE          up to 512 bytes the ultravisor ignores,\n"
"                                protected by the request's tag (unsigned)\n"
"      --use-name                NAME itself (up to 31 bytes) is the id,\n"
"                                not its SHA-256\n"
"  -h, --help                    this text\n"
"  -V, --version                 version\n");
    exit(status);
}

typedef struct Opts {
    GPtrArray *hkds;
    const char *hdr, *out, *secret, *out_secret, *type, *cuid, *flags;
    const char *ext, *cck, *user;
    bool use_name;
} Opts;

static uint8_t *read_exact(const char *path, size_t want, const char *what)
{
    size_t len;
    uint8_t *d = tool_read_file(path, &len);

    if (len != want) {
        tool_die("%s: %s must have %zu bytes, not %zu", path, what, want,
                 len);
    }
    return d;
}

static void parse_cuid(const char *hex, uint8_t cuid[SE_ATT_CUID_SIZE])
{
    unsigned i;

    if (g_str_has_prefix(hex, "0x")) {
        hex += 2;
    }
    if (strlen(hex) != 2 * SE_ATT_CUID_SIZE) {
        tool_die("--cuid-hex: %d hex digits, leading zeros included",
                 2 * SE_ATT_CUID_SIZE);
    }
    for (i = 0; i < SE_ATT_CUID_SIZE; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            tool_die("--cuid-hex: '%s' is not hexadecimal", hex);
        }
        cuid[i] = hi << 4 | lo;
    }
}

/* The raw private scalar of an EC key, left-padded to the type's size */
static uint8_t *ec_secret(const char *path, uint16_t *type, uint32_t *len)
{
    g_autofree uint8_t *file = NULL;
    gnutls_x509_privkey_t key;
    gnutls_datum_t in, x = { 0 }, y = { 0 }, k = { 0 };
    gnutls_ecc_curve_t curve;
    const uint8_t *kp;
    uint8_t *out;
    size_t n, kn, want;
    int ret;

    file = tool_read_file(path, &n);
    in.data = file;
    in.size = n;
    if (gnutls_x509_privkey_init(&key) < 0) {
        tool_die("out of memory");
    }
    ret = gnutls_x509_privkey_import2(key, &in, GNUTLS_X509_FMT_PEM, NULL,
                                      GNUTLS_PKCS_PLAIN);
    if (ret < 0) {
        ret = gnutls_x509_privkey_import2(key, &in, GNUTLS_X509_FMT_DER,
                                          NULL, GNUTLS_PKCS_PLAIN);
    }
    if (ret < 0 ||
        gnutls_x509_privkey_export_ecc_raw(key, &curve, &x, &y, &k) < 0) {
        tool_die("%s: not an unencrypted EC private key (PEM or DER)", path);
    }
    switch (curve) {
    case GNUTLS_ECC_CURVE_SECP256R1:
        *type = SE_SECRET_EC_P256;
        want = 32;
        break;
    case GNUTLS_ECC_CURVE_SECP384R1:
        *type = SE_SECRET_EC_P384;
        want = 48;
        break;
    case GNUTLS_ECC_CURVE_SECP521R1:
        *type = SE_SECRET_EC_P521;
        want = 80;
        break;
    case GNUTLS_ECC_CURVE_ED25519:
        *type = SE_SECRET_ED25519;
        want = 32;
        break;
    case GNUTLS_ECC_CURVE_ED448:
        *type = SE_SECRET_ED448;
        want = 64;
        break;
    default:
        tool_die("%s: curve %s is not one of P-256, P-384, P-521, Ed25519, "
                 "Ed448", path, gnutls_ecc_curve_get_name(curve));
    }
    /* GnuTLS may prepend a zero byte to a positive integer */
    kp = k.data;
    kn = k.size;
    while (kn > want && kp[0] == 0) {
        kp++;
        kn--;
    }
    if (kn > want) {
        tool_die("%s: private key too long", path);
    }
    out = g_malloc0(want);
    memcpy(out + want - kn, kp, kn);
    *len = want;
    gnutls_free(x.data);
    gnutls_free(y.data);
    gnutls_memset(k.data, 0, k.size);
    gnutls_free(k.data);
    cc_wipe(file, n);
    gnutls_x509_privkey_deinit(key);
    return out;
}

static uint16_t sym_type(const char *type, size_t len, const char *path)
{
    static const struct {
        const char *name;
        size_t len;
        uint16_t type;
    } t[] = {
        { "aes", 16, SE_SECRET_AES_128 },
        { "aes", 24, SE_SECRET_AES_192 },
        { "aes", 32, SE_SECRET_AES_256 },
        { "aes-xts", 32, SE_SECRET_AES_XTS_128 },
        { "aes-xts", 64, SE_SECRET_AES_XTS_256 },
        { "hmac-sha", 64, SE_SECRET_HMAC_SHA_256 },
        { "hmac-sha", 128, SE_SECRET_HMAC_SHA_512 },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        if (g_str_equal(type, t[i].name) && len == t[i].len) {
            return t[i].type;
        }
    }
    tool_die("%s: a %s key of %zu bytes is not supported (aes: 16, 24, 32; "
             "aes-xts: 32, 64; hmac-sha: 64, 128)", path, type, len);
}

/* The secret of @kind into @p (p->secret is g_malloc'ed) */
static void load_secret(const Opts *o, const char *kind, const char *name,
                        SeAsrcbBuildParams *p)
{
    uint8_t *s = NULL;
    size_t len = 0;

    if (g_str_equal(kind, "meta")) {
        p->type = SE_SECRET_META;
        if (name || o->secret || o->type) {
            tool_die("meta takes no NAME, --secret or --type");
        }
        return;
    }
    if (g_str_equal(kind, "update-cck")) {
        if (name || !o->secret || o->type) {
            tool_die("update-cck takes --secret FILE, no NAME or --type");
        }
        p->type = SE_SECRET_UPDATE_CCK;
        p->secret = read_exact(o->secret, SE_SECRET_CCK_SIZE, "a CCK");
        p->secret_len = SE_SECRET_CCK_SIZE;
        return;
    }
    if (!name) {
        tool_die("%s needs a NAME", kind);
    }
    if (o->use_name) {
        if (strlen(name) >= SE_SECRET_ID_SIZE) {
            tool_die("--use-name: NAME has at most %d bytes",
                     SE_SECRET_ID_SIZE - 1);
        }
        memcpy(p->id, name, strlen(name));
    } else {
        se_secret_name_id(name, p->id);
    }
    if (g_str_equal(kind, "association")) {
        if (o->type) {
            tool_die("association takes no --type");
        }
        p->type = SE_SECRET_ASSOC;
        p->secret_len = 32;
        if (o->secret) {
            p->secret = read_exact(o->secret, 32, "an association secret");
        } else {
            s = g_malloc(32);
            tool_random(s, 32);
            p->secret = s;
            if (!o->out_secret) {
                fprintf(stderr, "se-secret: warning: a random association "
                        "secret nobody else knows (--output-secret FILE "
                        "keeps it)\n");
            }
        }
        return;
    }
    if (!g_str_equal(kind, "retrievable")) {
        tool_die("unknown secret type '%s' (meta, association, retrievable, "
                 "update-cck)", kind);
    }
    if (!o->secret || !o->type) {
        tool_die("retrievable needs --secret FILE and --type");
    }
    if (!g_str_equal(o->type, "plain") && !g_str_equal(o->type, "aes") &&
        !g_str_equal(o->type, "aes-xts") &&
        !g_str_equal(o->type, "hmac-sha") && !g_str_equal(o->type, "ec")) {
        tool_die("--type: unknown secret type '%s' (plain, aes, aes-xts, "
                 "hmac-sha, ec)", o->type);
    }
    if (g_str_equal(o->type, "ec")) {
        p->secret = ec_secret(o->secret, &p->type, &p->secret_len);
        return;
    }
    s = tool_read_file(o->secret, &len);
    if (g_str_equal(o->type, "plain")) {
        /* u16 length || payload, zero-padded to 16 bytes (guest_secret.rs) */
        size_t n = (len + 2 + 15) & ~(size_t)15;
        uint8_t *pl;

        if (len > SE_SECRET_PLAIN_MAX - 2) {
            tool_die("%s: a plaintext secret has at most %d bytes",
                     o->secret, SE_SECRET_PLAIN_MAX - 2);
        }
        pl = g_malloc0(n);
        pl[0] = len >> 8;
        pl[1] = len;
        memcpy(pl + 2, s, len);
        cc_wipe(s, len);
        g_free(s);
        p->type = SE_SECRET_PLAIN;
        p->secret = pl;
        p->secret_len = n;
        return;
    }
    p->type = sym_type(o->type, len, o->secret);
    p->secret = s;
    p->secret_len = len;
}

static int cmd_create(const Opts *o, const char *kind, const char *name)
{
    g_autoptr(GArray) pubs = g_array_new(false, false, sizeof(SeP521Pub));
    g_autoptr(GError) err = NULL;
    g_autoptr(SeHdr) h = NULL;
    g_autofree uint8_t *req = NULL, *user = NULL;
    g_autofree char *id = NULL;
    SeAsrcbBuildParams p = { 0 };
    size_t len;
    unsigned i;

    if (!o->hkds->len || !o->hdr || !o->out) {
        tool_die("create needs -k HOST_KEY_DOC, --hdr IMAGE and -o REQUEST");
    }
    if (o->ext && o->cck) {
        tool_die("--extension-secret and --cck exclude each other");
    }
    for (i = 0; i < o->hkds->len; i++) {
        SeP521Pub pub;

        tool_load_host_key(g_ptr_array_index(o->hkds, i), pub.x, pub.y);
        g_array_append_val(pubs, pub);
    }
    h = tool_find_se_header(o->hdr);
    se_attest_tags(h, p.tags);
    if (o->cuid) {
        parse_cuid(o->cuid, p.cuid);
    }
    if (o->flags) {
        if (!g_str_equal(o->flags, "disable-dump")) {
            tool_die("--flags: unknown flag '%s' (disable-dump)", o->flags);
        }
        p.flags = SE_ASRCB_FLAG_DISABLE_DUMP;
    }
    if (o->ext) {
        g_autofree uint8_t *e = read_exact(o->ext, SE_SECRET_EXT_SIZE,
                                           "an extension secret");

        memcpy(p.ext, e, SE_SECRET_EXT_SIZE);
        cc_wipe(e, SE_SECRET_EXT_SIZE);
    } else if (o->cck) {
        g_autofree uint8_t *c = read_exact(o->cck, SE_SECRET_CCK_SIZE,
                                           "a CCK");

        se_secret_derive_ext(c, h->tag, p.ext);
        cc_wipe(c, SE_SECRET_CCK_SIZE);
    }
    if (o->user) {
        user = tool_read_file(o->user, &p.user_len);
        if (p.user_len > SE_ASRCB_USER_SIZE) {
            tool_die("%s: user data has at most %d bytes", o->user,
                     SE_ASRCB_USER_SIZE);
        }
        p.user = user;
        p.user_type = SE_ASRCB_USER_UNSIGNED;
    }
    load_secret(o, kind, name, &p);
    tool_random(p.iv, sizeof(p.iv));
    tool_random(p.prot_key, sizeof(p.prot_key));
    tool_random_p521(p.cust_priv);
    p.host_pub = (SeP521Pub *)pubs->data;
    p.n_host_keys = pubs->len;
    req = se_asrcb_build(&p, &len, &err);
    if (req && o->out_secret) {
        tool_write_file(o->out_secret, p.secret, p.secret_len, 0600);
    }
    if (p.secret) {
        cc_wipe((void *)p.secret, p.secret_len);
        g_free((void *)p.secret);
    }
    if (!req) {
        tool_die("%s", err->message);
    }
    tool_write_file(o->out, req, len, 0644);
    printf("se-secret: %s request %s for %u host key(s)\n", kind, o->out,
           pubs->len);
    if (p.type != SE_SECRET_META && p.type != SE_SECRET_UPDATE_CCK) {
        id = tool_hex(p.id, SE_SECRET_ID_SIZE);
        printf("secret-id: %s\n", id);
    }
    cc_wipe(&p, sizeof(p));
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        OPT_HDR = 256, OPT_SECRET, OPT_OUT_SECRET, OPT_TYPE, OPT_CUID,
        OPT_FLAGS, OPT_EXT, OPT_CCK, OPT_USER, OPT_USE_NAME,
    };
    static const struct option longopts[] = {
        { "host-key-document", required_argument, NULL, 'k' },
        { "hdr", required_argument, NULL, OPT_HDR },
        { "output", required_argument, NULL, 'o' },
        { "secret", required_argument, NULL, OPT_SECRET },
        { "input-secret", required_argument, NULL, OPT_SECRET },
        { "output-secret", required_argument, NULL, OPT_OUT_SECRET },
        { "type", required_argument, NULL, OPT_TYPE },
        { "cuid-hex", required_argument, NULL, OPT_CUID },
        { "flags", required_argument, NULL, OPT_FLAGS },
        { "extension-secret", required_argument, NULL, OPT_EXT },
        { "cck", required_argument, NULL, OPT_CCK },
        { "user-data", required_argument, NULL, OPT_USER },
        { "use-name", no_argument, NULL, OPT_USE_NAME },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    g_autoptr(GPtrArray) hkds = g_ptr_array_new();
    Opts o = { .hkds = hkds };
    int c;

    g_set_prgname("se-secret");
    while ((c = getopt_long(argc, argv, "k:o:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            g_ptr_array_add(hkds, optarg);
            break;
        case 'o':
            tool_set_once(&o.out, optarg, "--output");
            break;
        case OPT_HDR:
            tool_set_once(&o.hdr, optarg, "--hdr");
            break;
        case OPT_SECRET:
            tool_set_once(&o.secret, optarg, "--secret");
            break;
        case OPT_OUT_SECRET:
            tool_set_once(&o.out_secret, optarg, "--output-secret");
            break;
        case OPT_TYPE:
            tool_set_once(&o.type, optarg, "--type");
            break;
        case OPT_CUID:
            tool_set_once(&o.cuid, optarg, "--cuid-hex");
            break;
        case OPT_FLAGS:
            tool_set_once(&o.flags, optarg, "--flags");
            break;
        case OPT_EXT:
            tool_set_once(&o.ext, optarg, "--extension-secret");
            break;
        case OPT_CCK:
            tool_set_once(&o.cck, optarg, "--cck");
            break;
        case OPT_USER:
            tool_set_once(&o.user, optarg, "--user-data");
            break;
        case OPT_USE_NAME:
            o.use_name = true;
            break;
        case 'h':
            usage(0);
        case 'V':
            printf("se-secret %s\n", SE_SECRET_VERSION);
            return 0;
        default:
            usage(1);
        }
    }
    if (argc - optind < 2 || argc - optind > 3 ||
        !g_str_equal(argv[optind], "create")) {
        if (argc - optind >= 1 && !g_str_equal(argv[optind], "create")) {
            tool_die("unknown command '%s' (create)", argv[optind]);
        }
        usage(1);
    }
    if (o.out_secret && (o.secret ||
                         !g_str_equal(argv[optind + 1], "association"))) {
        tool_die("--output-secret is for a random association secret: not "
                 "with --secret or another type");
    }
    return cmd_create(&o, argv[optind + 1],
                      argc - optind == 3 ? argv[optind + 2] : NULL);
}
