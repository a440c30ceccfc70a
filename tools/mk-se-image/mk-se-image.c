/*
 * qemu-ibm-cc mk-se-image: build an IBM Z Secure Execution image for the
 * emulated ultravisor, from an s390x Linux kernel, an optional initrd and
 * command line, and one or more host-key documents.  The core options are
 * those of s390-tools' genprotimg; see usage() and
 * tools/mk-se-image/se-image.c for the image layout.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tool-common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "qemu/cc-ecc.h"
#include "qemu/cc-eckey.h"
#include "hw/s390x/se/se-hdr.h"
#include "boot-blobs.h"
#include "se-image.h"

#define PROG "mk-se-image"

#ifndef MK_SE_IMAGE_VERSION
#define MK_SE_IMAGE_VERSION "unknown"
#endif

/* Default PCF, as genprotimg: PCKMO DEA/TDEA, AES and ECC allowed */
#define PCF_DEFAULT (SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | \
                     SE_PCF_PCKMO_ECC)

/* Bigger raw key files are certainly wrong; only read this much. */
#define KEY_FILE_MAX 4096

enum {
    OPT_NO_VERIFY = 0x100,
    OPT_COMM_KEY,
    OPT_ENABLE_DUMP,
    OPT_DISABLE_DUMP,
    OPT_HDR_KEY,
    OPT_IMAGE_KEY,
    OPT_X_CUST_KEY,
    OPT_X_IV,
    OPT_X_TWEAK_SEED,
    OPT_X_LAYOUT,
    OPT_CCK_EXT,
    OPT_CCK_UPDATE,
};

typedef struct Options {
    GPtrArray *host_keys;           /* file names */
    const char *kernel;
    const char *ramdisk;
    const char *parmfile;
    const char *output;
    bool no_verify;
    const char *comm_key;
    int dump;                       /* -1 unset, 0 disable, 1 enable */
    uint64_t scf;
    const char *hdr_key;
    const char *image_key;
    const char *x_cust_key;
    const char *x_iv;
    const char *x_tweak_seed;
    SeImageLayout layout;
    bool verbose;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " -k HKD [-k HKD...] -i KERNEL [-r RAMDISK] [-p PARMFILE]\n"
"                   -o OUTPUT --no-verify [OPTIONS]\n"
"\n"
"Build an IBM Z Secure Execution image for qemu-ibm-cc's emulated\n"
"ultravisor.  Everything random can be fixed with the options below, so\n"
"that the output is reproducible.\n"
"\n"
"  -k, --host-key-document FILE  X.509 host-key document (EC secp521r1,\n"
"                                PEM or DER); repeat for more hosts, one\n"
"                                key slot each\n"
"  -i, --image FILE              s390x Linux kernel image (e.g. vmlinuz)\n"
"  -r, --ramdisk FILE            initial RAM disk\n"
"  -p, --parmfile FILE           kernel command line (trailing newlines\n"
"                                are removed)\n"
"  -o, --output FILE             the SE image to write\n"
"      --no-verify               do not verify the host-key documents\n"
"                                against the IBM Z signing keys; required,\n"
"                                that verification is not implemented\n"
"                                (format and curve are always checked)\n"
"      --comm-key FILE           32-byte customer communication key\n"
"                                (default: random)\n"
"      --enable-dump             allow dumping the guest (PCF bit 34)\n"
"      --disable-dump            do not allow dumping (default)\n"
"      --hdr-key FILE            32-byte SE header protection key\n"
"                                (default: random)\n"
"      --image-key FILE          64-byte AES-256-XTS component key\n"
"                                (default: random)\n"
"      --enable-cck-extension-secret\n"
"                                add-secret requests must carry the\n"
"                                extension secret derived from the CCK\n"
"                                (SCF bit 1)\n"
"      --enable-cck-update       add-secret requests may replace the CCK\n"
"                                (SCF bit 2)\n"
"  -v, --verbose                 print where everything went\n"
"  -h, --help                    show this help and exit\n"
"  -V, --version                 show the version and exit\n"
"\n"
"Options for reproducible test images:\n"
"      --x-cust-key FILE         customer ECDH key (secp521r1 private key,\n"
"                                PEM or DER; default: random)\n"
"      --x-iv HEX                12-byte SE header GCM IV (default: random)\n"
"      --x-tweak-seed HEX        derive the 6 random bytes of each tweak\n"
"                                prefix from HEX: SHA-256(seed || u16 BE\n"
"                                kind)[0..5] (default: random)\n"
"      --x-layout=genprotimg|pvimg\n"
"                                component kind values and order:\n"
"                                genprotimg (default): kernel=0 cmdline=1\n"
"                                initrd=2 stage3b=3; pvimg: kernel=40\n"
"                                ramdisk=50 cmdline=60 stage3b=70\n");
}

static void parse_args(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        { "host-key-document", required_argument, NULL, 'k' },
        { "image", required_argument, NULL, 'i' },
        { "ramdisk", required_argument, NULL, 'r' },
        { "parmfile", required_argument, NULL, 'p' },
        { "output", required_argument, NULL, 'o' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "no-verify", no_argument, NULL, OPT_NO_VERIFY },
        { "comm-key", required_argument, NULL, OPT_COMM_KEY },
        { "enable-dump", no_argument, NULL, OPT_ENABLE_DUMP },
        { "disable-dump", no_argument, NULL, OPT_DISABLE_DUMP },
        { "hdr-key", required_argument, NULL, OPT_HDR_KEY },
        { "image-key", required_argument, NULL, OPT_IMAGE_KEY },
        { "x-cust-key", required_argument, NULL, OPT_X_CUST_KEY },
        { "x-iv", required_argument, NULL, OPT_X_IV },
        { "x-tweak-seed", required_argument, NULL, OPT_X_TWEAK_SEED },
        { "x-layout", required_argument, NULL, OPT_X_LAYOUT },
        { "enable-cck-extension-secret", no_argument, NULL, OPT_CCK_EXT },
        { "enable-cck-update", no_argument, NULL, OPT_CCK_UPDATE },
        { NULL, 0, NULL, 0 }
    };
    const char *layout = NULL;
    int c;

    o->host_keys = g_ptr_array_new();
    o->dump = -1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:i:r:p:o:vhV", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'k':
            g_ptr_array_add(o->host_keys, optarg);
            break;
        case 'i':
            tool_set_once(&o->kernel, optarg, "-i/--image");
            break;
        case 'r':
            tool_set_once(&o->ramdisk, optarg, "-r/--ramdisk");
            break;
        case 'p':
            tool_set_once(&o->parmfile, optarg, "-p/--parmfile");
            break;
        case 'o':
            tool_set_once(&o->output, optarg, "-o/--output");
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf(PROG " (qemu-ibm-cc) %s\n", MK_SE_IMAGE_VERSION);
            exit(0);
        case OPT_NO_VERIFY:
            o->no_verify = true;
            break;
        case OPT_COMM_KEY:
            tool_set_once(&o->comm_key, optarg, "--comm-key");
            break;
        case OPT_ENABLE_DUMP:
        case OPT_DISABLE_DUMP:
            if (o->dump != -1 && o->dump != (c == OPT_ENABLE_DUMP)) {
                tool_die("--enable-dump and --disable-dump exclude each other");
            }
            o->dump = c == OPT_ENABLE_DUMP;
            break;
        case OPT_HDR_KEY:
            tool_set_once(&o->hdr_key, optarg, "--hdr-key");
            break;
        case OPT_CCK_EXT:
            o->scf |= SE_SCF_CCK_EXT_SECRET;
            break;
        case OPT_CCK_UPDATE:
            o->scf |= SE_SCF_CCK_UPDATE;
            break;
        case OPT_IMAGE_KEY:
            tool_set_once(&o->image_key, optarg, "--image-key");
            break;
        case OPT_X_CUST_KEY:
            tool_set_once(&o->x_cust_key, optarg, "--x-cust-key");
            break;
        case OPT_X_IV:
            tool_set_once(&o->x_iv, optarg, "--x-iv");
            break;
        case OPT_X_TWEAK_SEED:
            tool_set_once(&o->x_tweak_seed, optarg, "--x-tweak-seed");
            break;
        case OPT_X_LAYOUT:
            tool_set_once(&layout, optarg, "--x-layout");
            break;
        case ':':
            if (g_str_has_prefix(argv[optind - 1], "--")) {
                tool_die("option %s needs an argument (see --help)",
                    argv[optind - 1]);
            }
            tool_die("option -%c needs an argument (see --help)", optopt);
        default:
            if (g_str_has_prefix(argv[optind - 1], "--")) {
                tool_die("unknown option %s (see --help)", argv[optind - 1]);
            }
            tool_die("unknown option -%c (see --help)", optopt);
        }
    }
    if (optind < argc) {
        tool_die("unexpected argument '%s' (see --help)", argv[optind]);
    }

    if (!layout || !strcmp(layout, "genprotimg")) {
        o->layout = SE_IMAGE_LAYOUT_GENPROTIMG;
    } else if (!strcmp(layout, "pvimg")) {
        o->layout = SE_IMAGE_LAYOUT_PVIMG;
    } else {
        tool_die("--x-layout: unknown layout '%s', expected genprotimg or pvimg",
            layout);
    }
    if (!o->host_keys->len) {
        tool_die("no host-key document given (-k/--host-key-document)");
    }
    if (!o->kernel) {
        tool_die("no kernel image given (-i/--image)");
    }
    if (!o->output) {
        tool_die("no output file given (-o/--output)");
    }
    if (!o->no_verify) {
        tool_die("verification of host-key documents against the IBM Z signing "
            "keys (certificate chain and revocation lists) is not "
            "implemented; --no-verify must be given.  The format and the "
            "curve of each host-key document are checked either way.");
    }
}

/*
 * Read all of @path (given with option @opt), refusing more than @max
 * bytes.  Errors name the file and the option.
 */
static bool read_input(const char *path, const char *opt, uint64_t max,
                       uint8_t **data, size_t *len, GError **errp)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint8_t chunk[65536];
    struct stat st;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): cannot open: %s",
                    path, opt, g_strerror(errno));
        return false;
    }
    if (fstat(fd, &st) < 0) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): cannot stat: %s",
                    path, opt, g_strerror(errno));
        close(fd);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): is a directory",
                    path, opt);
        close(fd);
        return false;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): too big: %" PRIu64
                    " bytes, at most %" PRIu64 " can go into the image",
                    path, opt, (uint64_t)st.st_size, max);
        close(fd);
        return false;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (buf->len + (uint64_t)n > max) {
            g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): too big: more "
                        "than %" PRIu64 " bytes", path, opt, max);
            close(fd);
            return false;
        }
        g_byte_array_append(buf, chunk, n);
    }
    if (n < 0) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (%s): read error: %s",
                    path, opt, g_strerror(errno));
        close(fd);
        return false;
    }
    close(fd);
    *len = buf->len;
    *data = g_byte_array_free(g_steal_pointer(&buf), false);
    return true;
}

static uint8_t *read_input_or_die(const char *path, const char *opt,
                                  uint64_t max, size_t *len)
{
    g_autoptr(GError) err = NULL;
    uint8_t *data;

    if (!read_input(path, opt, max, &data, len, &err)) {
        tool_die("%s", err->message);
    }
    return data;
}

/* A raw binary key file of exactly @want bytes. */
static void read_key_file(const char *path, const char *opt, uint8_t *out,
                          size_t want)
{
    g_autofree uint8_t *data = NULL;
    size_t len;

    data = read_input_or_die(path, opt, KEY_FILE_MAX, &len);
    if (len != want) {
        cc_wipe(data, len);
        tool_die("%s (%s): must hold exactly %zu bytes, it has %zu", path, opt,
            want, len);
    }
    memcpy(out, data, want);
    cc_wipe(data, len);
}

/* Decode @hex; @want 0 accepts any non-zero length up to @max. */
static size_t parse_hex(const char *hex, const char *opt, uint8_t *out,
                        size_t want, size_t max)
{
    size_t n = strlen(hex), i;

    if (n % 2 || n == 0 || (want && n != 2 * want) || n / 2 > max) {
        if (want) {
            tool_die("%s: expected %zu hex digits (%zu bytes), got '%s'", opt,
                2 * want, want, hex);
        }
        tool_die("%s: expected an even number of hex digits (1 to %zu bytes), "
            "got '%s'", opt, max, hex);
    }
    for (i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            tool_die("%s: '%s' is not a hex string", opt, hex);
        }
        out[i] = hi << 4 | lo;
    }
    return n / 2;
}

static void load_host_keys(const Options *o, GArray *pubs)
{
    unsigned int i;

    for (i = 0; i < o->host_keys->len; i++) {
        SeP521Pub pub;

        tool_load_host_key(g_ptr_array_index(o->host_keys, i), pub.x,
                           pub.y);
        g_array_append_val(pubs, pub);
    }
}

static void customer_key(const Options *o, uint8_t d[CC_P521_LEN])
{
    uint8_t x[CC_P521_LEN], y[CC_P521_LEN];

    if (o->x_cust_key) {
        g_autoptr(GError) err = NULL;
        CCEcKey key;

        if (!cc_eckey_load_file(o->x_cust_key, true, &key, &err)) {
            tool_die("--x-cust-key %s", err->message);
        }
        if (!cc_p521_public_from_private(key.d, x, y)) {
            tool_die("--x-cust-key %s: the private key is not a valid secp521r1 "
                "scalar", o->x_cust_key);
        }
        if (key.has_public && (memcmp(x, key.x, sizeof(x)) ||
                               memcmp(y, key.y, sizeof(y)))) {
            tool_die("--x-cust-key %s: the public key in the file does not "
                "belong to the private key", o->x_cust_key);
        }
        memcpy(d, key.d, CC_P521_LEN);
        cc_wipe(&key, sizeof(key));
        return;
    }
    tool_random_p521(d);
}

/* The random parts of the tweak prefixes (see --x-tweak-seed). */
static void tweak_rand(const Options *o, SeImageParams *p)
{
    uint8_t seed[64], digest[SHA256_DIGEST_SIZE];
    size_t seed_len = 0;
    unsigned int c;

    if (o->x_tweak_seed) {
        seed_len = parse_hex(o->x_tweak_seed, "--x-tweak-seed", seed, 0,
                             sizeof(seed));
    }
    for (c = 0; c < SE_IMAGE_COMP__MAX; c++) {
        if (o->x_tweak_seed) {
            uint16_t kind = se_image_comp_kind(o->layout, c);
            uint8_t kind_be[2] = { kind >> 8, kind & 0xff };
            struct sha256_ctx ctx;

            sha256_init(&ctx);
            sha256_update(&ctx, seed_len, seed);
            sha256_update(&ctx, sizeof(kind_be), kind_be);
            sha256_digest(&ctx, sizeof(digest), digest);
            memcpy(p->tweak_rand[c], digest, SE_IMAGE_TWEAK_RAND_SIZE);
        } else {
            tool_random(p->tweak_rand[c], SE_IMAGE_TWEAK_RAND_SIZE);
        }
    }
}

/* The parmfile without trailing newlines, NUL-terminated. */
static uint8_t *read_cmdline(const char *path, size_t *len)
{
    uint8_t *data;
    size_t n;

    data = read_input_or_die(path, "-p/--parmfile", SE_IMAGE_MAX_SIZE, &n);
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r')) {
        n--;
    }
    if (memchr(data, 0, n)) {
        tool_die("%s (-p/--parmfile): the command line contains a NUL byte",
            path);
    }
    data = g_realloc(data, n + 1);
    data[n] = 0;
    *len = n + 1;
    return data;
}

/* Write @data to @path through a temporary file: all or nothing. */
static bool write_output(const char *path, const uint8_t *data, size_t len,
                         GError **errp)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    size_t done = 0;
    ssize_t n;
    int fd;

    fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) {
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (-o/--output): cannot "
                    "create a file in its directory: %s", path,
                    g_strerror(errno));
        return false;
    }
    while (done < len) {
        n = write(fd, data + done, MIN(len - done, (size_t)1 << 30));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += n;
    }
    if (done < len || close(fd) < 0) {
        int e = errno;

        if (done < len) {
            close(fd);
        }
        unlink(tmp);
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (-o/--output): write "
                    "error: %s", path, g_strerror(e));
        return false;
    }
    if (rename(tmp, path) < 0) {
        int e = errno;

        unlink(tmp);
        g_set_error(errp, SE_IMAGE_ERROR, 0, "%s (-o/--output): cannot "
                    "replace: %s", path, g_strerror(e));
        return false;
    }
    return true;
}

static void print_layout(const SeImageInfo *info)
{
    unsigned int i;

    printf("%-8s %12s %12s %8s  %s\n", "what", "address", "size", "pages",
           "tweak prefix");
    printf("%-8s 0x%010" PRIx64 " 0x%010" PRIx64 "\n", "ipib",
           info->ipib_addr, info->ipib_len);
    printf("%-8s 0x%010" PRIx64 " 0x%010" PRIx64 "\n", "header",
           info->hdr_addr, info->hdr_len);
    for (i = 0; i < info->n_comp; i++) {
        const SeImageCompInfo *ci = &info->comp[info->order[i]];

        printf("%-8s 0x%010" PRIx64 " 0x%010" PRIx64 " %8" PRIu64
               "  0x%016" PRIx64 "\n", se_image_comp_name(info->order[i]),
               ci->addr, ci->size, ci->pages, ci->tweak_pref);
    }
    printf("image size 0x%" PRIx64 ", %" PRIu64 " encrypted pages\n",
           info->image_len, info->nep);
}

int main(int argc, char **argv)
{
    Options o = { 0 };
    SeImageParams p = { 0 };
    SeImageInfo info;
    g_autoptr(GArray) pubs = g_array_new(false, true, sizeof(SeP521Pub));
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *kernel = NULL, *cmdline = NULL, *initrd = NULL;
    g_autofree uint8_t *img = NULL;
    size_t img_len;

    g_set_prgname(PROG);
    parse_args(argc, argv, &o);

    /* Key material first: cheap to check, and errors come early. */
    load_host_keys(&o, pubs);
    if (o.x_iv) {
        parse_hex(o.x_iv, "--x-iv", p.iv, sizeof(p.iv), sizeof(p.iv));
    } else {
        tool_random(p.iv, sizeof(p.iv));
    }
    if (o.hdr_key) {
        read_key_file(o.hdr_key, "--hdr-key", p.hdr_key, sizeof(p.hdr_key));
    } else {
        tool_random(p.hdr_key, sizeof(p.hdr_key));
    }
    if (o.image_key) {
        read_key_file(o.image_key, "--image-key", p.xts_key,
                      sizeof(p.xts_key));
    } else {
        tool_random(p.xts_key, sizeof(p.xts_key));
    }
    if (o.comm_key) {
        read_key_file(o.comm_key, "--comm-key", p.cck, sizeof(p.cck));
    } else {
        tool_random(p.cck, sizeof(p.cck));
    }
    customer_key(&o, p.cust_priv);
    tweak_rand(&o, &p);

    /* The components */
    kernel = read_input_or_die(o.kernel, "-i/--image", SE_IMAGE_MAX_SIZE,
                               &p.kernel_len);
    p.kernel = kernel;
    if (o.parmfile) {
        cmdline = read_cmdline(o.parmfile, &p.cmdline_len);
        p.cmdline = cmdline;
    }
    if (!se_image_check_kernel(kernel, p.kernel_len, p.cmdline_len, &err)) {
        g_prefix_error(&err, "%s (-i/--image): ", o.kernel);
        tool_die("%s", err->message);
    }
    if (o.ramdisk) {
        initrd = read_input_or_die(o.ramdisk, "-r/--ramdisk",
                                   SE_IMAGE_MAX_SIZE, &p.initrd_len);
        p.initrd = initrd;
        p.has_initrd = true;
    }

    p.layout = o.layout;
    p.stage3a = mk_se_stage3a;
    p.stage3a_len = mk_se_stage3a_len;
    p.stage3b = mk_se_stage3b;
    p.stage3b_len = mk_se_stage3b_len;
    p.host_keys = (const SeP521Pub *)pubs->data;
    p.n_host_keys = pubs->len;
    p.pcf = PCF_DEFAULT | (o.dump == 1 ? SE_PCF_ALLOW_DUMP : 0);
    p.scf = o.scf;

    img = se_image_build(&p, &img_len, &info, &err);
    cc_wipe(&p, sizeof(p));
    if (!img) {
        tool_die("%s", err->message);
    }
    if (!write_output(o.output, img, img_len, &err)) {
        tool_die("%s", err->message);
    }
    if (o.verbose) {
        print_layout(&info);
    }
    g_ptr_array_free(o.host_keys, true);
    return 0;
}
