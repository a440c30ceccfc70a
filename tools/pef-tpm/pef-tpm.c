/*
 * qemu-ibm-cc pef-tpm: provision a TPM (swtpm) as a PEF machine's firmware
 * does and print its wrapping key's public part, the recipient key of
 * mk-esm-blob.  See docs/system/ppc/pef-svm.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tool-common.h"
#include "qemu/cc-wipe.h"
#include "tpm-socket.h"

#include <getopt.h>
#include <gnutls/crypto.h>

#define PROG "pef-tpm"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " provision --tpm SOCKET [-o FILE]\n"
"       " PROG " public --tpm SOCKET [-o FILE]\n"
"\n"
"provision  create the storage primary key (0x81800000) and the ESM\n"
"           wrapping key (0x81800001) in the TPM's platform hierarchy where\n"
"           they are absent, as a PEF machine's firmware does, then print the\n"
"           wrapping key's public part\n"
"public     print the wrapping key's public part\n"
"\n"
"The public part is PEM (BEGIN PUBLIC KEY): give the file to mk-esm-blob\n"
"as the recipient (-r) unchanged, its fingerprint is over its bytes.  The\n"
"key's password is random and forgotten: the ultravisor gives the key a\n"
"new one at every boot (TPM policy B, PCR16 zero).\n"
"\n"
"  --tpm SOCKET    the TPM's command socket: swtpm's --server socket, a\n"
"                  Unix socket path or HOST:PORT.  Start swtpm with, e.g.,\n"
"                  swtpm socket --tpm2 --tpmstate dir=DIR \\\n"
"                    --server type=unixio,path=DIR/cmd.sock \\\n"
"                    --ctrl type=unixio,path=DIR/ctrl.sock \\\n"
"                    --flags not-need-init,startup-clear\n"
"  -o, --output FILE  write the PEM to FILE instead of standard output\n"
"  -h, --help      this text\n"
"  -V, --version   the version\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "tpm", required_argument, NULL, 't' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *tpm = NULL, *out = NULL, *cmd, *why = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *pem = NULL;
    TpmSocket sock;
    int c;

    g_set_prgname(PROG);
    /* our messages say what failed; TSS2_LOG=all+error for tpm2-tss's */
    g_setenv("TSS2_LOG", "all+none", false);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            tpm = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf(PROG " (qemu-ibm-cc) " PEF_TPM_VERSION "\n");
            return 0;
        case ':':
            tool_die("option %s needs an argument (see --help)", argv[optind - 1]);
        default:
            tool_die("unknown option %s (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        tool_die("one command expected: provision or public (see --help)");
    }
    cmd = argv[optind];
    if (strcmp(cmd, "provision") && strcmp(cmd, "public")) {
        tool_die("unknown command '%s': provision or public (see --help)", cmd);
    }
    if (!tpm) {
        tool_die("no TPM given (--tpm SOCKET)");
    }
    if (!tpm_socket_open(&sock, tpm, &err)) {
        tool_die("%s", err->message);
    }
    if (!strcmp(cmd, "provision")) {
        uint8_t pw[UV_PEF_TPM_PASSWD_LEN];
        UvPefTpmKey key;
        size_t i;

        if (gnutls_rnd(GNUTLS_RND_KEY, pw, sizeof(pw)) < 0) {
            tool_die("no random numbers from GnuTLS");
        }
        for (i = 0; i < sizeof(pw); i++) {
            pw[i] |= !pw[i];    /* a C string in the firmware's interface */
        }
        if (!uv_pef_tpm_provision(&sock.io, pw, &key, &why)) {
            tool_die("%s: %s", tpm, why);
        }
        cc_wipe(pw, sizeof(pw));
        cc_wipe(&key, sizeof(key));
    }
    pem = uv_pef_tpm_public_pem(&sock.io, &why);
    tpm_socket_close(&sock);
    if (!pem) {
        tool_die("%s: %s", tpm, why);
    }
    if (out) {
        if (!g_file_set_contents(out, pem, -1, &err)) {
            tool_die("%s", err->message);
        }
    } else {
        fputs(pem, stdout);
    }
    return 0;
}
