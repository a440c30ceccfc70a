/*
 * qemu-ibm-cc se-host-key: the emulated IBM Z machine's Secure Execution
 * host key.  "create" makes an EC P-521 private key for the emulated
 * ultravisor; "cert" prints its host-key document, a self-signed X.509
 * certificate of the public key that mk-se-image (or genprotimg and pvimg
 * with --no-verify) builds images for.  See
 * docs/system/s390x/secure-execution-tcg.rst, "The machine's host key".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tool-common.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>

#define PROG "se-host-key"

/* The host-key document's validity: long, it is the machine's */
#define CERT_DAYS       3650

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " create [--force] [-o CERT] KEYFILE\n"
"       " PROG " cert [-o CERT] KEYFILE\n"
"\n"
"create  write a new EC P-521 (secp521r1) private key to KEYFILE (SEC1\n"
"        PEM, mode 0600, parent directories created), then print its\n"
"        host-key document\n"
"cert    print the host-key document of the key in KEYFILE (PEM or DER,\n"
"        SEC1 or PKCS#8)\n"
"\n"
"The host-key document is a self-signed X.509 certificate (PEM) of the\n"
"public key: give it to mk-se-image -k (or genprotimg/pvimg with\n"
"--no-verify; it is not signed by IBM).  The key is the emulated machine's:\n"
"QEMU's s390-pv-guest uses it when the object has no host-key property,\n"
"from $QEMU_IBM_CC_SE_HOST_KEY or <prefix>/etc/qemu/se-host-key.pem.\n"
"\n"
"  -o, --output FILE  write the certificate to FILE, not standard output\n"
"  -f, --force        create: replace an existing KEYFILE\n"
"  -h, --help         this text\n"
"  -V, --version      the version\n");
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        tool_die("%s: %s", what, gnutls_strerror(rc));
    }
}

static void create_key(const char *path, bool force, gnutls_x509_privkey_t key)
{
    g_autofree char *dir = g_path_get_dirname(path);
    gnutls_datum_t pem = { NULL, 0 };
    ssize_t n;
    int fd;

    check(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), 0),
          "generating the key");
    check(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem),
          "exporting the key");
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        tool_die("%s: %s", dir, g_strerror(errno));
    }
    fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), 0600);
    if (fd < 0) {
        tool_die("%s: %s%s", path, g_strerror(errno),
                 errno == EEXIST ? " (--force replaces it)" : "");
    }
    if (fchmod(fd, 0600) < 0) {
        tool_die("%s: %s", path, g_strerror(errno));
    }
    n = write(fd, pem.data, pem.size);
    if (n != (ssize_t)pem.size || close(fd) < 0) {
        tool_die("%s: cannot write the key", path);
    }
    gnutls_memset(pem.data, 0, pem.size);
    gnutls_free(pem.data);
}

static void read_key(const char *path, gnutls_x509_privkey_t key)
{
    g_autoptr(GError) err = NULL;
    gnutls_ecc_curve_t curve;
    gnutls_datum_t d;
    gsize len;
    char *data;
    int rc;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        tool_die("%s", err->message);
    }
    d = (gnutls_datum_t) { (unsigned char *)data, (unsigned int)len };
    rc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        rc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_DER, NULL,
                                         0);
    }
    gnutls_memset(data, 0, len);
    g_free(data);
    if (rc < 0) {
        tool_die("%s: not a private key: %s", path, gnutls_strerror(rc));
    }
    if (gnutls_x509_privkey_get_pk_algorithm2(key, NULL) != GNUTLS_PK_ECDSA ||
        gnutls_x509_privkey_export_ecc_raw(key, &curve, NULL, NULL, NULL) <
        0 || curve != GNUTLS_ECC_CURVE_SECP521R1) {
        tool_die("%s: not an EC P-521 (secp521r1) key", path);
    }
}

static char *host_key_document(gnutls_x509_privkey_t key)
{
    static const char cn[] = "qemu-ibm-cc emulated IBM Z host key";
    static const char org[] = "qemu-ibm-cc (test key, not signed by IBM)";
    gnutls_x509_crt_t crt;
    gnutls_datum_t pem = { NULL, 0 };
    uint8_t serial[16];
    time_t now = time(NULL);
    char *ret;

    check(gnutls_x509_crt_init(&crt), "certificate");
    check(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), "serial");
    serial[0] &= 0x7f;                  /* a positive INTEGER */
    check(gnutls_x509_crt_set_version(crt, 3), "certificate version");
    check(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "serial");
    check(gnutls_x509_crt_set_activation_time(crt, now), "validity");
    check(gnutls_x509_crt_set_expiration_time(crt, now + CERT_DAYS * 86400LL),
          "validity");
    check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                        cn, strlen(cn)), "subject");
    check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME,
                                        0, org, strlen(org)), "subject");
    check(gnutls_x509_crt_set_key(crt, key), "certificate key");
    check(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_AGREEMENT),
          "key usage");
    check(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA512, 0),
          "signing the certificate");
    check(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem),
          "exporting the certificate");
    ret = g_strndup((const char *)pem.data, pem.size);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    return ret;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *cmd, *path;
    g_autoptr(GError) err = NULL;
    g_autofree char *doc = NULL;
    gnutls_x509_privkey_t key;
    bool force = false;
    int c;

    g_set_prgname(PROG);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:fhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            tool_set_once(&out, optarg, "-o");
            break;
        case 'f':
            force = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf(PROG " (qemu-ibm-cc) " SE_HOST_KEY_VERSION "\n");
            return 0;
        case ':':
            tool_die("option %s needs an argument (see --help)",
                     argv[optind - 1]);
        default:
            tool_die("unknown option %s (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 2) {
        tool_die("a command (create or cert) and a KEYFILE expected "
                 "(see --help)");
    }
    cmd = argv[optind];
    path = argv[optind + 1];
    if (strcmp(cmd, "create") && strcmp(cmd, "cert")) {
        tool_die("unknown command '%s': create or cert (see --help)", cmd);
    }
    if (force && strcmp(cmd, "create")) {
        tool_die("--force is for create");
    }
    check(gnutls_global_init(), "GnuTLS");
    check(gnutls_x509_privkey_init(&key), "key");
    if (!strcmp(cmd, "create")) {
        create_key(path, force, key);
    } else {
        read_key(path, key);
    }
    doc = host_key_document(key);
    gnutls_x509_privkey_deinit(key);
    if (!out) {
        fputs(doc, stdout);
        return fflush(stdout) ? 1 : 0;
    }
    if (!g_file_set_contents(out, doc, -1, &err)) {
        tool_die("%s", err->message);
    }
    return 0;
}
