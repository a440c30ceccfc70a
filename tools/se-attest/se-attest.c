/*
 * se-attest: the requester's side of IBM Z Secure Execution attestation,
 * in the formats of IBM's pvattest (s390-tools rust/pvattest): "create"
 * makes an attestation request for one or more host-key documents and
 * keeps its request protection key; a guest performs it (se-attest-guest
 * or pvattest perform, through /dev/uv); "verify" checks the response
 * against the SE image's header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-attest.h"
#include "tool-common.h"
#include "exchange.h"

#include <getopt.h>
#include <nettle/memops.h>

#define VERIFY_MISMATCH 2       /* exit status: the measurement differs */

static G_NORETURN void usage(int status)
{
    FILE *f = status ? stderr : stdout;

    fprintf(f,
"Usage: se-attest create -k HKD... -a ARPK -o REQUEST [--add-data LIST]\n"
"  or:  se-attest verify -i RESPONSE -a ARPK --hdr IMAGE|HEADER\n"
"\n"
"Attestation of an IBM Z Secure Execution guest (qemu-ibm-cc), in the\n"
"exchange format of IBM's pvattest.\n"
"\n"
"create   Write an attestation request (REQUEST) that only the machines\n"
"         of the host-key documents can answer, and its request protection\n"
"         key (ARPK, 32 bytes, mode 0600), which verify needs.  The request\n"
"         asks for a nonce; --add-data asks the ultravisor to add the hash\n"
"         of the host key that unpacked the image and/or of the one that\n"
"         decrypted the request, and/or the hash of its secret store.\n"
"verify   Check RESPONSE (what the guest's se-attest-guest or pvattest\n"
"         perform wrote) against the request's ARPK and the image's SE\n"
"         header (the SE image, or the header alone).  Exit status 0: the\n"
"         measurement is the one that image, with this request, nonce and\n"
"         user data, gives; 2: it is not (another image, another request,\n"
"         an altered or replayed response); 1: unusable input.\n"
"\n"
"  -k, --host-key-document FILE  host-key document (certificate or public\n"
"                                key, PEM or DER); repeatable\n"
"  -a, --arpk FILE               request protection key (written by\n"
"                                create, read by verify)\n"
"  -o, --output FILE             the request (create)\n"
"  -i, --input FILE              the response (verify)\n"
"      --hdr FILE                SE image or SE header (verify)\n"
"      --add-data LIST           create: image-phkh, attestation-phkh,\n"
"                                secret-store-hash\n"
"  -h, --help                    this text\n"
"  -V, --version                 version\n");
    exit(status);
}

static uint64_t parse_add_data(const char *list)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);
    uint64_t flags = 0;
    int i;

    for (i = 0; names[i]; i++) {
        if (g_str_equal(names[i], "image-phkh")) {
            flags |= SE_ATT_FLAG_IMAGE_PHKH;
        } else if (g_str_equal(names[i], "attestation-phkh")) {
            flags |= SE_ATT_FLAG_ATTEST_PHKH;
        } else if (g_str_equal(names[i], "secret-store-hash")) {
            flags |= SE_ATT_FLAG_SECRET_HASH;
        } else {
            tool_die("--add-data: unknown item '%s' (image-phkh, "
                     "attestation-phkh, secret-store-hash)", names[i]);
        }
    }
    return flags;
}

static int cmd_create(GPtrArray *hkds, const char *arpk_path,
                      const char *out, const char *add_data)
{
    g_autoptr(GArray) pubs = g_array_new(false, false, sizeof(SeP521Pub));
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *arcb = NULL;
    SeArcbBuildParams p = { .mai = SE_ARCB_MAI_HMAC_SHA512 };
    XchgItem items[XCHG_N] = { { 0 } };
    uint8_t *req;
    size_t len, req_len = 0;
    unsigned i;

    if (!hkds->len || !arpk_path || !out) {
        tool_die("create needs -k HOST_KEY_DOC, -a ARPK and -o REQUEST");
    }
    for (i = 0; i < hkds->len; i++) {
        SeP521Pub pub;

        tool_load_host_key(g_ptr_array_index(hkds, i), pub.x, pub.y);
        g_array_append_val(pubs, pub);
    }
    p.secrets.flags = SE_ATT_FLAG_NONCE |
                      (add_data ? parse_add_data(add_data) : 0);
    p.secrets.has_nonce = true;
    tool_random(p.iv, sizeof(p.iv));
    tool_random(p.prot_key, sizeof(p.prot_key));
    tool_random(p.secrets.meas_key, sizeof(p.secrets.meas_key));
    tool_random(p.secrets.nonce, sizeof(p.secrets.nonce));
    tool_random_p521(p.cust_priv);
    p.host_pub = (SeP521Pub *)pubs->data;
    p.n_host_keys = pubs->len;
    arcb = se_arcb_build(&p, &len, &err);
    if (!arcb) {
        tool_die("%s", err->message);
    }
    items[XCHG_ARCB] = (XchgItem) { arcb, len };
    items[XCHG_MEAS].size = SE_ATT_MEAS_SIZE;
    items[XCHG_ADD].size = se_attest_add_size(p.secrets.flags);
    req = xchg_write(items, &req_len);
    if (!req) {
        tool_die("out of memory");
    }
    tool_write_file(arpk_path, p.prot_key, sizeof(p.prot_key), 0600);
    tool_write_file(out, req, req_len, 0644);
    free(req);
    cc_wipe(&p, sizeof(p));
    printf("se-attest: request %s for %u host key(s), protection key %s\n",
           out, pubs->len, arpk_path);
    return 0;
}

static int cmd_verify(const char *in, const char *arpk_path,
                      const char *hdr_path)
{
    g_autofree uint8_t *rsp = NULL, *arpk = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(SeHdr) h = NULL;
    g_autofree char *cuid = NULL;
    uint8_t tags[SE_ATT_TAGS_SIZE], want[SE_ATT_MEAS_SIZE];
    XchgItem it[XCHG_N];
    SeArcbSecrets s;
    size_t len, arpk_len;
    const char *why;
    uint64_t flags;
    bool ok;

    if (!in || !arpk_path || !hdr_path) {
        tool_die("verify needs -i RESPONSE, -a ARPK and --hdr IMAGE");
    }
    rsp = tool_read_file(in, &len);
    why = xchg_read(rsp, len, it);
    if (why) {
        tool_die("%s: %s", in, why);
    }
    if (!it[XCHG_ARCB].data || !it[XCHG_MEAS].data || !it[XCHG_CUID].data ||
        it[XCHG_CUID].size != SE_ATT_CUID_SIZE) {
        tool_die("%s: not an attestation response (it needs the request, "
                 "a measurement and a configuration id)", in);
    }
    arpk = tool_read_file(arpk_path, &arpk_len);
    if (arpk_len != SE_HDR_KEY_SIZE) {
        tool_die("%s: a request protection key has 32 bytes, not %zu",
                 arpk_path, arpk_len);
    }
    if (!se_arcb_open(it[XCHG_ARCB].data, it[XCHG_ARCB].size, arpk, &s,
                      &err)) {
        fprintf(stderr, "se-attest: %s: %s\n", in, err->message);
        return VERIFY_MISMATCH;
    }
    h = tool_find_se_header(hdr_path);
    se_attest_tags(h, tags);
    if (it[XCHG_ADD].size != se_attest_add_size(s.flags) ||
        (it[XCHG_ADD].size && !it[XCHG_ADD].data)) {
        fprintf(stderr, "se-attest: %s: %u bytes of additional data, the "
                "request asked for %u\n", in, it[XCHG_ADD].size,
                se_attest_add_size(s.flags));
        return VERIFY_MISMATCH;
    }
    se_attest_measurement(s.meas_key, tags, it[XCHG_CUID].data,
                          it[XCHG_USER].data, it[XCHG_USER].data ?
                          it[XCHG_USER].size : 0,
                          s.has_nonce ? s.nonce : NULL, it[XCHG_ADD].data,
                          it[XCHG_ADD].size, want);
    ok = it[XCHG_MEAS].size == SE_ATT_MEAS_SIZE &&
         memeql_sec(want, it[XCHG_MEAS].data, SE_ATT_MEAS_SIZE);
    flags = s.flags;
    cc_wipe(&s, sizeof(s));
    cuid = tool_hex(it[XCHG_CUID].data, SE_ATT_CUID_SIZE);
    if (!ok) {
        fprintf(stderr, "se-attest: %s: the attestation measurement does "
                "NOT match: another image, another request, or an altered "
                "or replayed response\n", in);
        return VERIFY_MISMATCH;
    }
    printf("se-attest: attestation measurement verified\n");
    printf("config-uid: %s\n", cuid);
    if (it[XCHG_USER].data && it[XCHG_USER].size) {
        g_autofree char *u = tool_hex(it[XCHG_USER].data,
                                      it[XCHG_USER].size);

        printf("user-data: %s\n", u);
    }
    if (it[XCHG_ADD].size) {
        const uint8_t *a = it[XCHG_ADD].data;

        if (flags & SE_ATT_FLAG_IMAGE_PHKH) {
            g_autofree char *x = tool_hex(a, SE_HDR_PHKH_SIZE);

            printf("image-phkh: %s\n", x);
            a += SE_HDR_PHKH_SIZE;
        }
        if (flags & SE_ATT_FLAG_ATTEST_PHKH) {
            g_autofree char *x = tool_hex(a, SE_HDR_PHKH_SIZE);

            printf("attestation-phkh: %s\n", x);
            a += SE_HDR_PHKH_SIZE;
        }
        if (flags & SE_ATT_FLAG_SECRET_HASH) {
            g_autofree char *x = tool_hex(a, SE_ATT_SECRET_HASH_SIZE);

            printf("secret-store-hash: %s\n", x);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    enum { OPT_HDR = 256, OPT_ADD_DATA };
    static const struct option longopts[] = {
        { "host-key-document", required_argument, NULL, 'k' },
        { "arpk", required_argument, NULL, 'a' },
        { "output", required_argument, NULL, 'o' },
        { "input", required_argument, NULL, 'i' },
        { "hdr", required_argument, NULL, OPT_HDR },
        { "add-data", required_argument, NULL, OPT_ADD_DATA },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    g_autoptr(GPtrArray) hkds = g_ptr_array_new();
    const char *arpk = NULL, *out = NULL, *in = NULL, *hdr = NULL;
    const char *add_data = NULL, *cmd;
    int c;

    g_set_prgname("se-attest");
    while ((c = getopt_long(argc, argv, "k:a:o:i:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            g_ptr_array_add(hkds, optarg);
            break;
        case 'a':
            tool_set_once(&arpk, optarg, "--arpk");
            break;
        case 'o':
            tool_set_once(&out, optarg, "--output");
            break;
        case 'i':
            tool_set_once(&in, optarg, "--input");
            break;
        case OPT_HDR:
            tool_set_once(&hdr, optarg, "--hdr");
            break;
        case OPT_ADD_DATA:
            tool_set_once(&add_data, optarg, "--add-data");
            break;
        case 'h':
            usage(0);
        case 'V':
            printf("se-attest %s\n", SE_ATTEST_VERSION);
            return 0;
        default:
            usage(1);
        }
    }
    if (optind != argc - 1) {
        usage(1);
    }
    cmd = argv[optind];
    if (g_str_equal(cmd, "create")) {
        if (in || hdr) {
            tool_die("create takes no -i/--hdr");
        }
        return cmd_create(hkds, arpk, out, add_data);
    }
    if (g_str_equal(cmd, "verify")) {
        if (hkds->len || out || add_data) {
            tool_die("verify takes no -k/-o/--add-data");
        }
        return cmd_verify(in, arpk, hdr);
    }
    tool_die("unknown command '%s' (create, verify)", cmd);
}
