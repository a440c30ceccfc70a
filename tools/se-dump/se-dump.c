/*
 * se-dump: decrypts the protected dump of an IBM Z Secure Execution
 * guest (QEMU dump-guest-memory of a guest whose SE header allows
 * dumping) with the image's customer communication key, as IBM's
 * "zgetdump --key" does (s390-tools zdump/dfi_pv_elf.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "dump-elf.h"
#include "tool-common.h"

#include <getopt.h>

static G_NORETURN void usage(int status)
{
    FILE *f = status ? stderr : stdout;

    fprintf(f,
"Usage: se-dump decrypt --key CCK -i DUMP -o PLAIN\n"
"       se-dump info --key CCK -i DUMP\n"
"\n"
"Decrypt the protected dump of an IBM Z Secure Execution guest\n"
"(qemu-ibm-cc): the ELF file QEMU's dump-guest-memory writes when the\n"
"guest's SE header allows dumping (mk-se-image --enable-dump).  Only the\n"
"owner of the image's customer communication key can read it.\n"
"\n"
"  decrypt   write PLAIN: the dump with its memory and CPU registers\n"
"            decrypted, an ordinary s390x ELF core file\n"
"  info      check the dump and print its CPUs and pages\n"
"\n"
"  -k, --key FILE      the customer communication key (32 bytes; the one\n"
"                      given to mk-se-image --comm-key or genprotimg\n"
"                      --comm-key, or the last update-cck secret's)\n"
"  -i, --input FILE    the protected dump\n"
"  -o, --output FILE   decrypt: the plain dump\n"
"  -h, --help          this text\n"
"  -V, --version       version\n");
    exit(status);
}

static void print_info(const SeDumpStats *st)
{
    unsigned i;

    printf("cpus: %u\n", st->cpus);
    for (i = 0; i < st->cpus; i++) {
        const SeDumpCpuState *c = &st->cpu[i];

        printf("cpu %u: psw %016" PRIx64 " %016" PRIx64 " prefix 0x%08x\n",
               i, c->psw_mask, c->psw_addr, c->prefix);
    }
    printf("pages: %" PRIu64 " encrypted, %" PRIu64 " shared, %" PRIu64
           " zero\n", st->encrypted, st->shared, st->zero);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "input", required_argument, NULL, 'i' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *key = NULL, *in = NULL, *out = NULL, *cmd;
    g_autoptr(GMappedFile) map = NULL;
    g_autofree uint8_t *plain = NULL;
    g_autofree uint8_t *cck = NULL;
    GError *err = NULL;
    SeDumpStats stats;
    SeDumpElf e;
    size_t len;
    int c;

    g_set_prgname("se-dump");
    while ((c = getopt_long(argc, argv, "k:i:o:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            tool_set_once(&key, optarg, "--key");
            break;
        case 'i':
            tool_set_once(&in, optarg, "--input");
            break;
        case 'o':
            tool_set_once(&out, optarg, "--output");
            break;
        case 'h':
            usage(0);
        case 'V':
            printf("se-dump %s\n", SE_DUMP_TOOL_VERSION);
            return 0;
        default:
            usage(1);
        }
    }
    if (optind != argc - 1) {
        usage(1);
    }
    cmd = argv[optind];
    if (!g_str_equal(cmd, "decrypt") && !g_str_equal(cmd, "info")) {
        tool_die("unknown command '%s' (decrypt, info)", cmd);
    }
    if (!key || !in) {
        tool_die("%s needs --key and --input", cmd);
    }
    if (g_str_equal(cmd, "decrypt") != !!out) {
        tool_die(out ? "info takes no --output" : "decrypt needs --output");
    }
    cck = tool_read_file(key, &len);
    if (len != SE_DUMP_CCK_SIZE) {
        tool_die("%s: a customer communication key has %d bytes, not %zu",
                 key, SE_DUMP_CCK_SIZE, len);
    }
    map = g_mapped_file_new(in, false, &err);
    if (!map) {
        tool_die("%s", err->message);
    }
    if (!se_dump_elf_parse((const uint8_t *)g_mapped_file_get_contents(map),
                           g_mapped_file_get_length(map), &e, &err)) {
        tool_die("%s: %s", in, err->message);
    }
    plain = se_dump_elf_decrypt(&e, cck, &stats, &err);
    cc_wipe(cck, SE_DUMP_CCK_SIZE);
    if (!plain) {
        tool_die("%s: %s", in, err->message);
    }
    if (out) {
        tool_write_file(out, plain, e.len, 0600);
    } else {
        print_info(&stats);
    }
    cc_wipe(plain, e.len);
    cc_wipe(stats.cpu, stats.cpus * sizeof(*stats.cpu));
    g_free(stats.cpu);
    se_dump_elf_clear(&e);
    return 0;
}
