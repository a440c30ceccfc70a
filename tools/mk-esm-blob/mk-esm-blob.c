/*
 * qemu-ibm-cc mk-esm-blob: make the Enter Secure Mode blob and the
 * esmb-initrd for a POWER Secure VM, from the inputs IBM's svm-tool takes
 * (its YAML configuration file, or options).  See
 * docs/system/ppc/pef-svm.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tool-common.h"
#include "qemu/cc-wipe.h"
#include "esm-image.h"

#include <getopt.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <nettle/hmac.h>
#include <yaml.h>

#define PROG "mk-esm-blob"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " -y CONFIG.yml [-b BLOB] [-o ESMB_INITRD] [options]\n"
"       " PROG " --origin-pubkey PEM --recipient PEM -k VMLINUX -i INITRAMFS\n"
"                   -a BOOTARGS [-f NAME=PATH]... [-b BLOB] [-o ESMB_INITRD]\n"
"\n"
"Make the Enter Secure Mode (ESM) blob of a POWER Secure VM and the\n"
"esmb-initrd that carries it (the blob in a cpio archive under\n"
"opt/ibm/pef/, then the initramfs), as IBM's svm-tool does.\n"
"\n"
"Inputs:\n"
"  -y, --config FILE        svm-tool's YAML configuration (entries origin,\n"
"                           recipient, digest, file; paths relative to the\n"
"                           current directory)\n"
"      --origin-pubkey FILE the origin (owner) RSA public key, PEM\n"
"      --origin-seckey FILE its private key: checked against the public key\n"
"      --passphrase-file FILE  passphrase of an encrypted origin private key\n"
"  -r, --recipient FILE[:COMMENT]  an RSA public key (PEM) that may open the\n"
"                           blob: the TPM wrapping key, as `pef-tpm\n"
"                           provision` or `tpm2_readpublic -c 0x81800001 -f\n"
"                           pem` prints it.  The first is lockbox-1, the one\n"
"                           the ultravisor reads.  Repeatable.\n"
"  -k, --kernel FILE        the guest kernel, vmlinux (its digest is over what\n"
"                           `objcopy -O binary -S` makes of it)\n"
"  -i, --initramfs FILE     the initramfs (any format the kernel takes)\n"
"  -a, --bootargs TEXT      the kernel command line, exactly as the guest\n"
"                           gets it (QEMU's -append); must contain svm=on\n"
"  -f, --file NAME=PATH     attach PATH as NAME (UV_ESMB_GET_FILE); repeatable\n"
"Outputs:\n"
"  -b, --blob FILE          write the ESM blob (an FDT)\n"
"  -o, --esmb-initrd FILE   write the esmb-initrd (use it as QEMU's -initrd)\n"
"      --print-digests      print the digests the blob carries\n"
"Testing:\n"
"      --seed TEXT          derive every random value (key, IVs, OAEP seeds)\n"
"                           from TEXT: the same inputs give the same bytes.\n"
"                           For tests only: anyone who knows TEXT can open\n"
"                           the blob.\n"
"  -h, --help               this text\n"
"  -V, --version            the version\n");
}

/* ---- randomness: GnuTLS's generator, or derived from --seed */

typedef struct Rand {
    const char *seed;
} Rand;

static void rand_bytes(const Rand *r, const char *label, void *out, size_t len)
{
    if (!r->seed) {
        if (gnutls_rnd(GNUTLS_RND_KEY, out, len) < 0) {
            tool_die("no random numbers from GnuTLS");
        }
        return;
    }
    /* HMAC-SHA256(seed, label || counter) blocks */
    for (uint32_t i = 0; len; i++) {
        struct hmac_sha256_ctx h;
        uint8_t c[4] = { i >> 24, i >> 16, i >> 8, i };
        uint8_t d[SHA256_DIGEST_SIZE];
        size_t n = MIN(len, sizeof(d));

        hmac_sha256_set_key(&h, strlen(r->seed), (const uint8_t *)r->seed);
        hmac_sha256_update(&h, strlen(label) + 1, (const uint8_t *)label);
        hmac_sha256_update(&h, sizeof(c), c);
        hmac_sha256_digest(&h, sizeof(d), d);
        memcpy(out, d, n);
        out = (uint8_t *)out + n;
        len -= n;
    }
}

/* ---- inputs */

typedef struct KeyIn {
    const char *path;
    const char *comment;
} KeyIn;

typedef struct FileIn {
    const char *name;
    const char *path;
    const char *comment;
} FileIn;

typedef struct Inputs {
    const char *origin_pub, *origin_sec, *origin_comment;
    GArray *recipients;     /* KeyIn */
    const char *kernel, *initramfs, *bootargs, *digest_comment;
    bool have_digest;
    GArray *files;          /* FileIn */
} Inputs;

static GBytes *read_file(const char *what, const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        tool_die("%s: %s", what, err->message);
    }
    return g_bytes_new_take(data, len);
}

/* The RSA public key in @path; its fingerprint is over the file's bytes. */
static void load_pubkey(const char *what, const char *path, EsmImageKey *k,
                        gnutls_datum_t *n, gnutls_datum_t *e)
{
    g_autoptr(GBytes) b = read_file(what, path);
    gnutls_datum_t d = {
        .data = (void *)g_bytes_get_data(b, NULL),
        .size = g_bytes_get_size(b),
    };
    gnutls_pubkey_t pk;
    int ret;

    gnutls_pubkey_init(&pk);
    ret = gnutls_pubkey_import(pk, &d, GNUTLS_X509_FMT_PEM);
    if (ret < 0) {
        ret = gnutls_pubkey_import(pk, &d, GNUTLS_X509_FMT_DER);
    }
    if (ret < 0) {
        tool_die("%s: %s: not a public key in PEM (BEGIN PUBLIC KEY) or DER: %s",
            what, path, gnutls_strerror(ret));
    }
    if (gnutls_pubkey_get_pk_algorithm(pk, NULL) != GNUTLS_PK_RSA) {
        tool_die("%s: %s: not an RSA key", what, path);
    }
    ret = gnutls_pubkey_export_rsa_raw2(pk, n, e, 0);
    if (ret < 0) {
        tool_die("%s: %s: %s", what, path, gnutls_strerror(ret));
    }
    gnutls_pubkey_deinit(pk);
    k->n = n->data;
    k->n_len = n->size;
    k->e = e->data;
    k->e_len = e->size;
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, d.data, d.size,
                         k->fingerprint) < 0) {
        tool_die("GnuTLS has no SHA-256");
    }
}

static bool datum_eq_mpi(const gnutls_datum_t *a, const gnutls_datum_t *b)
{
    size_t ia = 0, ib = 0;

    while (ia < a->size && !a->data[ia]) {
        ia++;
    }
    while (ib < b->size && !b->data[ib]) {
        ib++;
    }
    return a->size - ia == b->size - ib &&
           !memcmp(a->data + ia, b->data + ib, a->size - ia);
}

/* svm-tool needs the origin private key; we check it matches. */
static void check_seckey(const char *path, const char *pass_file,
                         const gnutls_datum_t *n)
{
    g_autoptr(GBytes) b = read_file("origin private key", path);
    g_autofree char *pass = NULL;
    gnutls_datum_t d = {
        .data = (void *)g_bytes_get_data(b, NULL),
        .size = g_bytes_get_size(b),
    };
    gnutls_x509_privkey_t key;
    gnutls_datum_t m, e;
    int ret;

    if (pass_file) {
        g_autoptr(GBytes) pb = read_file("passphrase file", pass_file);

        pass = g_strndup(g_bytes_get_data(pb, NULL), g_bytes_get_size(pb));
        g_strchomp(pass);
    }
    gnutls_x509_privkey_init(&key);
    ret = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, pass,
                                      pass ? 0 : GNUTLS_PKCS_PLAIN);
    if (ret == GNUTLS_E_DECRYPTION_FAILED && !pass) {
        tool_die("origin private key %s is encrypted: give its passphrase with "
            "--passphrase-file", path);
    }
    if (ret < 0) {
        tool_die("origin private key %s: %s", path, gnutls_strerror(ret));
    }
    if (gnutls_x509_privkey_get_pk_algorithm(key) != GNUTLS_PK_RSA ||
        gnutls_x509_privkey_export_rsa_raw(key, &m, &e, NULL, NULL, NULL,
                                           NULL) < 0) {
        tool_die("origin private key %s: not an RSA key", path);
    }
    if (!datum_eq_mpi(&m, n)) {
        tool_die("origin private key %s does not belong to the origin public key",
            path);
    }
    gnutls_free(m.data);
    gnutls_free(e.data);
    gnutls_x509_privkey_deinit(key);
    if (pass) {
        cc_wipe(pass, strlen(pass));
    }
}

static void check_comment(const char *what, const char *c)
{
    if (c && strchr(c, '\n')) {
        tool_die("%s: a comment cannot contain a newline", what);
    }
}

/* The Devicetree Specification's node names, as svm-tool checks them. */
static bool node_name_ok(const char *n)
{
    size_t i, len = strlen(n);

    if (len < 1 || len > 31 || !g_ascii_isalpha(n[0])) {
        return false;
    }
    for (i = 1; i < len; i++) {
        if (!g_ascii_isalnum(n[i]) && !strchr(",._+-", n[i])) {
            return false;
        }
    }
    return true;
}

/* ---- svm-tool's YAML configuration */

static const char *yscalar(yaml_document_t *doc, yaml_node_t *n,
                           const char *cfg, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        tool_die("%s: %s: a string expected", cfg, what);
    }
    return (const char *)n->data.scalar.value;
}

/* svm-tool's entries and their keys; bit i of required: keys[i] */
enum { ENTRY_ORIGIN, ENTRY_RECIPIENT, ENTRY_DIGEST, ENTRY_FILE, ENTRY__MAX };
static const struct {
    const char *kind;
    const char *keys[4];
    unsigned required;
} yaml_entries[ENTRY__MAX] = {
    [ENTRY_ORIGIN] = { "origin", { "comment", "pubkey", "seckey" }, 0x6 },
    [ENTRY_RECIPIENT] = { "recipient", { "comment", "pubkey" }, 0x2 },
    [ENTRY_DIGEST] = { "digest", { "comment", "args", "initramfs", "kernel" },
                       0xe },
    [ENTRY_FILE] = { "file", { "comment", "name", "path" }, 0x4 },
};

static void yaml_entry(yaml_document_t *doc, const char *cfg,
                       const char *kind, yaml_node_t *map, Inputs *in,
                       bool *seen_origin)
{
    const char *v[4] = { NULL };
    yaml_node_pair_t *pr;
    int e, i;

    for (e = 0; e < ENTRY__MAX; e++) {
        if (!strcmp(kind, yaml_entries[e].kind)) {
            break;
        }
    }
    if (e == ENTRY__MAX) {
        tool_die("%s: unknown entry: %s", cfg, kind);
    }
    if (map->type != YAML_MAPPING_NODE) {
        tool_die("%s: %s entry: a mapping expected", cfg, kind);
    }
    for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        const char *k = yscalar(doc, yaml_document_get_node(doc, pr->key),
                                cfg, kind);
        const char *val = yscalar(doc, yaml_document_get_node(doc, pr->value),
                                  cfg, k);

        for (i = 0; i < 4; i++) {
            if (yaml_entries[e].keys[i] &&
                !strcmp(k, yaml_entries[e].keys[i])) {
                break;
            }
        }
        if (i == 4) {
            tool_die("%s: %s entry: unexpected key: %s", cfg, kind, k);
        }
        v[i] = g_strdup(val);   /* outlives the YAML document */
    }
    for (i = 0; i < 4; i++) {
        if ((yaml_entries[e].required & (1u << i)) && !v[i]) {
            tool_die("%s: %s entry: missing key: %s", cfg, kind,
                yaml_entries[e].keys[i]);
        }
    }

    switch (e) {
    case ENTRY_ORIGIN:
        if (*seen_origin) {
            tool_die("%s: multiple origin entries", cfg);
        }
        *seen_origin = true;
        in->origin_comment = v[0];
        in->origin_pub = v[1];
        in->origin_sec = v[2];
        break;
    case ENTRY_RECIPIENT: {
        KeyIn k = { .comment = v[0], .path = v[1] };

        g_array_append_val(in->recipients, k);
        break;
    }
    case ENTRY_DIGEST:
        if (in->have_digest) {
            tool_die("%s: multiple digest entries", cfg);
        }
        in->have_digest = true;
        in->digest_comment = v[0];
        in->bootargs = v[1];
        in->initramfs = v[2];
        in->kernel = v[3];
        break;
    case ENTRY_FILE: {
        FileIn f = {
            .comment = v[0],
            .name = v[1],
            .path = v[2],
        };

        g_array_append_val(in->files, f);
        break;
    }
    }
}

static void load_yaml(const char *cfg, Inputs *in)
{
    g_autoptr(GBytes) b = read_file("configuration", cfg);
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_node_t *root;
    yaml_node_item_t *it;
    bool seen_origin = false;

    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, g_bytes_get_data(b, NULL),
                                 g_bytes_get_size(b));
    if (!yaml_parser_load(&parser, &doc)) {
        tool_die("%s:%zu:%zu: %s", cfg, parser.problem_mark.line + 1,
            parser.problem_mark.column + 1,
            parser.problem ? parser.problem : "YAML error");
    }
    root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_SEQUENCE_NODE) {
        tool_die("%s: invalid format (a list of entries expected)", cfg);
    }
    for (it = root->data.sequence.items.start;
         it < root->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(&doc, *it);
        yaml_node_pair_t *pr;

        if (!e || e->type != YAML_MAPPING_NODE ||
            e->data.mapping.pairs.top - e->data.mapping.pairs.start != 1) {
            tool_die("%s: each entry must be a mapping with one key", cfg);
        }
        pr = e->data.mapping.pairs.start;
        yaml_entry(&doc, cfg,
                   yscalar(&doc, yaml_document_get_node(&doc, pr->key), cfg,
                           "entry"),
                   yaml_document_get_node(&doc, pr->value), in, &seen_origin);
    }
    if (!seen_origin) {
        tool_die("%s: missing origin entry", cfg);
    }
    if (!in->have_digest) {
        tool_die("%s: missing digest entry", cfg);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
}

static void print_hex(const char *name, const uint8_t *d, size_t len)
{
    printf("%s ", name);
    for (size_t i = 0; i < len; i++) {
        printf("%02x", d[i]);
    }
    printf("\n");
}

static void write_out(const char *what, const char *path, GBytes *b)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, g_bytes_get_data(b, NULL),
                             g_bytes_get_size(b), &err)) {
        tool_die("%s: %s", what, err->message);
    }
}

int main(int argc, char **argv)
{
    enum {
        OPT_ORIGIN_PUB = 256, OPT_ORIGIN_SEC, OPT_PASS, OPT_PRINT, OPT_SEED,
    };
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'y' },
        { "origin-pubkey", required_argument, NULL, OPT_ORIGIN_PUB },
        { "origin-seckey", required_argument, NULL, OPT_ORIGIN_SEC },
        { "passphrase-file", required_argument, NULL, OPT_PASS },
        { "recipient", required_argument, NULL, 'r' },
        { "kernel", required_argument, NULL, 'k' },
        { "initramfs", required_argument, NULL, 'i' },
        { "bootargs", required_argument, NULL, 'a' },
        { "file", required_argument, NULL, 'f' },
        { "blob", required_argument, NULL, 'b' },
        { "esmb-initrd", required_argument, NULL, 'o' },
        { "print-digests", no_argument, NULL, OPT_PRINT },
        { "seed", required_argument, NULL, OPT_SEED },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    Inputs in = {
        .recipients = g_array_new(false, true, sizeof(KeyIn)),
        .files = g_array_new(false, true, sizeof(FileIn)),
    };
    const char *config = NULL, *blob_path = NULL, *initrd_path = NULL;
    const char *pass_file = NULL;
    bool print = false, opt_inputs = false;
    Rand rnd = { NULL };
    EsmImageParams p = { 0 };
    g_autoptr(GBytes) kernel_elf = NULL, kernel_bin = NULL, initramfs = NULL;
    g_autoptr(GBytes) blob = NULL;
    g_autofree EsmImageKey *rkeys = NULL;
    g_autofree EsmImageFile *files = NULL;
    g_autofree gnutls_datum_t *rdat = NULL;
    GPtrArray *file_data = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_bytes_unref);
    gnutls_datum_t on, oe;
    g_autoptr(GError) err = NULL;
    guint i;
    int c;

    g_set_prgname(PROG);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":y:r:k:i:a:f:b:o:hV", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'y':
            tool_set_once(&config, optarg, "-y/--config");
            break;
        case OPT_ORIGIN_PUB:
            tool_set_once(&in.origin_pub, optarg, "--origin-pubkey");
            opt_inputs = true;
            break;
        case OPT_ORIGIN_SEC:
            tool_set_once(&in.origin_sec, optarg, "--origin-seckey");
            opt_inputs = true;
            break;
        case OPT_PASS:
            tool_set_once(&pass_file, optarg, "--passphrase-file");
            break;
        case 'r': {
            KeyIn k = { 0 };
            const char *colon = strchr(optarg, ':');

            k.path = colon ? g_strndup(optarg, colon - optarg)
                           : g_strdup(optarg);
            k.comment = colon ? g_strdup(colon + 1) : NULL;
            g_array_append_val(in.recipients, k);
            opt_inputs = true;
            break;
        }
        case 'k':
            tool_set_once(&in.kernel, optarg, "-k/--kernel");
            opt_inputs = true;
            break;
        case 'i':
            tool_set_once(&in.initramfs, optarg, "-i/--initramfs");
            opt_inputs = true;
            break;
        case 'a':
            tool_set_once(&in.bootargs, optarg, "-a/--bootargs");
            opt_inputs = true;
            break;
        case 'f': {
            const char *eq = strchr(optarg, '=');
            FileIn f = { 0 };

            if (!eq) {
                tool_die("--file %s: NAME=PATH expected", optarg);
            }
            f.name = g_strndup(optarg, eq - optarg);
            f.path = g_strdup(eq + 1);
            g_array_append_val(in.files, f);
            opt_inputs = true;
            break;
        }
        case 'b':
            tool_set_once(&blob_path, optarg, "-b/--blob");
            break;
        case 'o':
            tool_set_once(&initrd_path, optarg, "-o/--esmb-initrd");
            break;
        case OPT_PRINT:
            print = true;
            break;
        case OPT_SEED:
            tool_set_once(&rnd.seed, optarg, "--seed");
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf(PROG " (qemu-ibm-cc) " MK_ESM_BLOB_VERSION "\n");
            return 0;
        case ':':
            tool_die("option %s needs an argument (see --help)", argv[optind - 1]);
        default:
            tool_die("unknown option %s (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        tool_die("unexpected argument '%s' (see --help)", argv[optind]);
    }
    if (config && opt_inputs) {
        tool_die("-y/--config and the input options exclude each other");
    }
    if (config) {
        load_yaml(config, &in);
    } else {
        if (!in.origin_pub) {
            tool_die("no origin public key given (--origin-pubkey)");
        }
        if (!in.kernel || !in.initramfs || !in.bootargs) {
            tool_die("no %s given", !in.kernel ? "kernel (-k/--kernel)" :
                !in.initramfs ? "initramfs (-i/--initramfs)" :
                "bootargs (-a/--bootargs)");
        }
    }
    if (!in.recipients->len) {
        tool_die("no recipient key given: the ultravisor opens lockbox-1, the "
            "first recipient (-r/--recipient, or a recipient entry)");
    }
    if (!blob_path && !initrd_path && !print) {
        tool_die("nothing to write: give -b/--blob, -o/--esmb-initrd or "
            "--print-digests");
    }
    if (!strstr(in.bootargs, "svm=on") && !strstr(in.bootargs, "svm=1")) {
        fprintf(stderr, PROG ": warning: bootargs lack svm=on: the kernel "
                "will not enter secure mode\n");
    }
    check_comment("origin", in.origin_comment);
    check_comment("digest", in.digest_comment);

    /* Keys */
    load_pubkey("origin public key", in.origin_pub, &p.origin, &on, &oe);
    p.origin.comment = in.origin_comment;
    rand_bytes(&rnd, "oaep-origin", p.origin.oaep_seed,
               sizeof(p.origin.oaep_seed));
    if (in.origin_sec) {
        check_seckey(in.origin_sec, pass_file, &on);
    }
    rkeys = g_new0(EsmImageKey, in.recipients->len);
    rdat = g_new0(gnutls_datum_t, 2 * in.recipients->len);
    for (i = 0; i < in.recipients->len; i++) {
        KeyIn *k = &g_array_index(in.recipients, KeyIn, i);
        g_autofree char *label = g_strdup_printf("oaep-lockbox-%u", i + 1);

        check_comment("recipient", k->comment);
        load_pubkey("recipient key", k->path, &rkeys[i], &rdat[2 * i],
                    &rdat[2 * i + 1]);
        rkeys[i].comment = k->comment;
        rand_bytes(&rnd, label, rkeys[i].oaep_seed,
                   sizeof(rkeys[i].oaep_seed));
    }
    p.recipients = rkeys;
    p.n_recipients = in.recipients->len;
    rand_bytes(&rnd, "symkey", p.symkey, sizeof(p.symkey));

    /* What the digests cover */
    kernel_elf = read_file("kernel", in.kernel);
    kernel_bin = esm_kernel_binary(g_bytes_get_data(kernel_elf, NULL),
                                   g_bytes_get_size(kernel_elf), &err);
    if (!kernel_bin) {
        tool_die("%s: %s", in.kernel, err->message);
    }
    p.kernel = g_bytes_get_data(kernel_bin, NULL);
    p.kernel_len = g_bytes_get_size(kernel_bin);
    initramfs = read_file("initramfs", in.initramfs);
    p.initramfs = g_bytes_get_data(initramfs, NULL);
    p.initramfs_len = g_bytes_get_size(initramfs);
    p.bootargs = in.bootargs;
    p.digest_comment = in.digest_comment;
    rand_bytes(&rnd, "iv-digests", p.digests_iv, sizeof(p.digests_iv));

    /* Attachments */
    files = g_new0(EsmImageFile, in.files->len);
    for (i = 0; i < in.files->len; i++) {
        FileIn *f = &g_array_index(in.files, FileIn, i);
        GBytes *data = read_file("attachment", f->path);
        g_autofree char *label = g_strdup_printf("iv-file-%u", i + 1);

        files[i].name = f->name ? f->name : g_path_get_basename(f->path);
        if (!node_name_ok(files[i].name)) {
            tool_die("%s: attachment name is invalid: %s (a letter, then up to "
                "30 of letters, digits and ,._+-)", f->path, files[i].name);
        }
        for (guint j = 0; j < i; j++) {
            if (!strcmp(files[j].name, files[i].name)) {
                tool_die("attachment %s given twice", files[i].name);
            }
        }
        check_comment("file", f->comment);
        files[i].comment = f->comment;
        files[i].data = g_bytes_get_data(data, &files[i].len);
        rand_bytes(&rnd, label, files[i].iv, sizeof(files[i].iv));
        g_ptr_array_add(file_data, data);
    }
    p.files = files;
    p.n_files = in.files->len;

    if (print) {
        UvEsmDigests d;

        esm_image_digests(&p, &d);
        print_hex("rtas", d.rtas, sizeof(d.rtas));
        print_hex("kernel", d.kernel, sizeof(d.kernel));
        printf("kernel-size %" PRIu32 "\n", d.kernel_size);
        print_hex("initrd", d.initrd, sizeof(d.initrd));
        print_hex("bootargs", d.bootargs, sizeof(d.bootargs));
    }

    blob = esm_image_blob(&p, &err);
    cc_wipe(p.symkey, sizeof(p.symkey));
    if (!blob) {
        tool_die("making the blob: %s", err->message);
    }
    if (blob_path) {
        write_out("blob", blob_path, blob);
    }
    if (initrd_path) {
        g_autoptr(GBytes) out = NULL;
        g_autofree char *name = blob_path ? g_path_get_basename(blob_path)
                                          : g_strdup("esmb.dtb");

        p.cpio_name = name;
        out = esm_image_initrd(&p, blob);
        write_out("esmb-initrd", initrd_path, out);
    }
    g_ptr_array_free(file_data, true);
    for (i = 0; i < 2 * in.recipients->len; i++) {
        gnutls_free(rdat[i].data);
    }
    gnutls_free(on.data);
    gnutls_free(oe.data);
    return 0;
}
