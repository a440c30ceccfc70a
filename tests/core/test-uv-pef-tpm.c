/*
 * Unit tests of the TPM key channel (hw/ppc/ultravisor/uv-pef-tpm.c)
 * against swtpm (libtpms): provisioning, unwrapping, password rotation
 * and every way it must fail.  Skipped when swtpm is not installed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "swtpm-test.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

static TestTpm tpm;
static bool have_swtpm;

static void password(uint8_t pw[UV_PEF_TPM_PASSWD_LEN], uint8_t seed)
{
    for (int i = 0; i < UV_PEF_TPM_PASSWD_LEN; i++) {
        pw[i] = seed + i + 1;
    }
}

static char *hex(const uint8_t *d, size_t n)
{
    GString *s = g_string_new(NULL);

    while (n--) {
        g_string_append_printf(s, "%02x", *d++);
    }
    return g_string_free(s, false);
}

/* skiboot's constants (libstb/tss2/opalcreate.c), as facts */
static void test_policies(void)
{
    uint8_t a[32], b[32], or[32];
    g_autofree char *ha = NULL, *hb = NULL, *hor = NULL;

    uv_pef_tpm_policies(a, b, or);
    ha = hex(a, 32);
    hb = hex(b, 32);
    hor = hex(or, 32);
    g_assert_cmpstr(ha, ==, "8dbd2aa10f701b1eda230fa8a38803d3"
                            "42f3b48c2ffcbed56c04674c79dff00f");
    g_assert_cmpstr(hb, ==, "9795d78f53de94401899cc2d5ba76007"
                            "b3d4dad85bf95cabeeba04d0f98b502e");
    g_assert_cmpstr(hor, ==, "e86c7354251aa8e6ce27fddc541946f4"
                             "8120ff95c3d7a4d343f463321bd3e55c");
}

static void test_channel(void)
{
    uint8_t pw[UV_PEF_TPM_PASSWD_LEN], pw2[UV_PEF_TPM_PASSWD_LEN];
    uint8_t symkey[UV_ESM_SYMKEY_LEN], got[UV_ESM_SYMKEY_LEN];
    uint8_t wrapped[512];
    UvPefTpmKey key, key2, bad;
    g_autofree char *pem = NULL, *pem2 = NULL;
    const char *why = NULL;
    size_t wlen;

    if (!have_swtpm) {
        g_test_skip("swtpm is not installed");
        return;
    }

    test_tpm_start(&tpm);
    pem = uv_pef_tpm_public_pem(&tpm.sock.io, &why);
    g_assert_null(pem);
    g_assert_nonnull(strstr(why, "provision it first"));

    password(pw, 0x10);
    g_assert_true(uv_pef_tpm_provision(&tpm.sock.io, pw, &key, &why));
    g_assert_cmpuint(key.handle, ==, UV_PEF_TPM_WRAPPING_KEY);
    g_assert_cmpuint(key.name_len, ==, 34);
    pem = uv_pef_tpm_public_pem(&tpm.sock.io, &why);
    g_assert_nonnull(pem);

    memset(symkey, 0x5c, sizeof(symkey));
    wlen = test_wrap_for_pem(pem, symkey, wrapped);
    g_assert_cmpuint(wlen, ==, 256);
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &key, wrapped, wlen, got), ==,
                    UV_ESM_OK);
    g_assert_cmpmem(got, sizeof(got), symkey, sizeof(symkey));

    /* Wrong password: the TPM refuses. */
    bad = key;
    bad.passwd[3] ^= 1;
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &bad, wrapped, wlen, got), ==,
                    UV_ESM_UNWRAP);
    /* Wrong policies */
    bad = key;
    bad.policy_b[0] ^= 1;
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &bad, wrapped, wlen, got), ==,
                    UV_ESM_UNWRAP);
    /* Another key at the handle than the firmware named */
    bad = key;
    bad.name[33] ^= 1;
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &bad, wrapped, wlen, got), ==,
                    UV_ESM_TPM);
    /* An altered lockbox */
    wrapped[100] ^= 1;
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &key, wrapped, wlen, got), ==,
                    UV_ESM_UNWRAP);
    wrapped[100] ^= 1;
    /* A lockbox for another key */
    {
        g_autofree char *other = test_new_rsa_pem();

        wlen = test_wrap_for_pem(other, symkey, wrapped);
        g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &key, wrapped, wlen, got),
                        ==, UV_ESM_UNWRAP);
        wlen = test_wrap_for_pem(pem, symkey, wrapped);
    }

    /* The next boot: a new password; the old one no longer works. */
    password(pw2, 0x40);
    g_assert_true(uv_pef_tpm_provision(&tpm.sock.io, pw2, &key2, &why));
    pem2 = uv_pef_tpm_public_pem(&tpm.sock.io, &why);
    g_assert_cmpstr(pem, ==, pem2);
    g_assert_cmpmem(key.name, key.name_len, key2.name, key2.name_len);
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &key, wrapped, wlen, got), ==,
                    UV_ESM_UNWRAP);
    memset(got, 0, sizeof(got));
    g_assert_cmpint(uv_pef_tpm_unwrap(&tpm.sock.io, &key2, wrapped, wlen, got), ==,
                    UV_ESM_OK);
    g_assert_cmpmem(got, sizeof(got), symkey, sizeof(symkey));
    test_tpm_stop(&tpm);
}

/* With PCR16 extended (not a fresh boot), the password cannot change. */
static void test_pcr16(void)
{
    /* TPM2_PCR_Event(PCR16, "x") with an empty password session */
    static const uint8_t event[] = {
        0x80, 0x02, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x01, 0x3c,
        0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x00, 0x09, 0x40, 0x00, 0x00, 0x09, 0x00, 0x00,
        0x00, 0x00, 0x00,
        0x00, 0x01, 'x',
    };
    uint8_t pw[UV_PEF_TPM_PASSWD_LEN], rsp[4096];
    UvPefTpmKey key;
    const char *why = NULL;

    if (!have_swtpm) {
        g_test_skip("swtpm is not installed");
        return;
    }

    test_tpm_start(&tpm);
    password(pw, 0x20);
    g_assert_true(uv_pef_tpm_provision(&tpm.sock.io, pw, &key, &why));
    g_assert_cmpint(tpm.sock.io.transmit(tpm.sock.io.opaque, event, sizeof(event),
                                     rsp, sizeof(rsp)), >=, 10);
    g_assert_cmpmem(rsp + 6, 4, "\0\0\0\0", 4);
    password(pw, 0x30);
    g_assert_false(uv_pef_tpm_provision(&tpm.sock.io, pw, &key, &why));
    g_assert_nonnull(strstr(why, "PCR16"));
    test_tpm_stop(&tpm);
}

/* A transport that breaks after @left commands */
typedef struct Failing {
    UvPefTpmIo io;
    const UvPefTpmIo *real;
    int left;
    bool garbage;
} Failing;

static ssize_t failing_transmit(void *opaque, const uint8_t *cmd, size_t len,
                                uint8_t *rsp, size_t rsp_max)
{
    Failing *f = opaque;

    if (f->left-- > 0) {
        return f->real->transmit(f->real->opaque, cmd, len, rsp, rsp_max);
    }
    if (f->garbage) {
        memset(rsp, 0xa5, 64);
        rsp[2] = rsp[3] = rsp[4] = 0;
        rsp[5] = 64;
        return 64;
    }
    return -1;
}

/* A transport that keeps a copy of every command and response */
typedef struct Recorder {
    UvPefTpmIo io;
    const UvPefTpmIo *real;
    GByteArray *cmds, *rsps;
} Recorder;

static ssize_t recorder_transmit(void *opaque, const uint8_t *cmd,
                                 size_t len, uint8_t *rsp, size_t rsp_max)
{
    Recorder *r = opaque;
    ssize_t n = r->real->transmit(r->real->opaque, cmd, len, rsp, rsp_max);

    g_byte_array_append(r->cmds, cmd, len);
    if (n > 0) {
        g_byte_array_append(r->rsps, rsp, n);
    }
    return n;
}

static bool contains(GByteArray *a, const uint8_t *needle, size_t n)
{
    for (size_t i = 0; i + n <= a->len; i++) {
        if (!memcmp(a->data + i, needle, n)) {
            return true;
        }
    }
    return false;
}

/*
 * What crosses the hypervisor (H_TPM_COMM) never holds the unwrapped key:
 * the response is encrypted in the session.  Control: the recorder does
 * see the lockbox the command carries.
 */
static void test_encrypted_response(void)
{
    uint8_t pw[UV_PEF_TPM_PASSWD_LEN], symkey[32], got[32], wrapped[512];
    g_autofree char *pem = NULL;
    Recorder r = { .real = &tpm.sock.io };
    UvPefTpmKey key;
    const char *why;
    size_t wlen;

    if (!have_swtpm) {
        g_test_skip("swtpm is not installed");
        return;
    }

    test_tpm_start(&tpm);
    password(pw, 0x60);
    g_assert_true(uv_pef_tpm_provision(&tpm.sock.io, pw, &key, &why));
    pem = uv_pef_tpm_public_pem(&tpm.sock.io, &why);
    for (int i = 0; i < 32; i++) {
        symkey[i] = 0xc0 + i;
    }
    wlen = test_wrap_for_pem(pem, symkey, wrapped);
    r.io = (UvPefTpmIo) { recorder_transmit, &r };
    r.cmds = g_byte_array_new();
    r.rsps = g_byte_array_new();
    g_assert_cmpint(uv_pef_tpm_unwrap(&r.io, &key, wrapped, wlen, got), ==,
                    UV_ESM_OK);
    g_assert_cmpmem(got, sizeof(got), symkey, sizeof(symkey));
    g_assert_true(contains(r.cmds, wrapped, wlen));
    g_assert_false(contains(r.rsps, symkey, 8));
    g_assert_false(contains(r.cmds, symkey, 8));
    g_assert_false(contains(r.cmds, key.passwd, sizeof(key.passwd)));
    g_byte_array_unref(r.cmds);
    g_byte_array_unref(r.rsps);
    test_tpm_stop(&tpm);
}

/* The TPM going away (or answering garbage) at every step of an unwrap */
static void test_broken_channel(void)
{
    uint8_t pw[UV_PEF_TPM_PASSWD_LEN], symkey[32], got[32], wrapped[512];
    g_autofree char *pem = NULL;
    UvPefTpmKey key;
    const char *why;
    size_t wlen;
    int n, failed = 0;

    if (!have_swtpm) {
        g_test_skip("swtpm is not installed");
        return;
    }

    test_tpm_start(&tpm);
    password(pw, 0x50);
    g_assert_true(uv_pef_tpm_provision(&tpm.sock.io, pw, &key, &why));
    pem = uv_pef_tpm_public_pem(&tpm.sock.io, &why);
    memset(symkey, 0x3a, sizeof(symkey));
    wlen = test_wrap_for_pem(pem, symkey, wrapped);
    for (int garbage = 0; garbage < 2; garbage++) {
        for (n = 0; n < 20; n++) {
            Failing f = { .io = { failing_transmit, NULL }, .real = &tpm.sock.io,
                          .left = n, .garbage = garbage };
            UvEsmStatus st;

            f.io.opaque = &f;
            memset(got, 0, sizeof(got));
            st = uv_pef_tpm_unwrap(&f.io, &key, wrapped, wlen, got);
            if (st == UV_ESM_OK) {
                /* only the session's flush may have failed */
                g_assert_cmpmem(got, sizeof(got), symkey, sizeof(symkey));
            } else {
                g_assert_cmpmem(got, sizeof(got), (uint8_t[32]) { 0 }, 32);
                failed++;
            }
            if (f.left >= 0) {          /* never broke: the whole exchange */
                g_assert_cmpint(st, ==, UV_ESM_OK);
                break;
            }
            /* resynchronise the socket: reconnect */
            test_tpm_stop(&tpm);
            g_usleep(100000);
            test_tpm_start(&tpm);
        }
    }
    /* ReadPublic, session, three policy commands, RSA_Decrypt; twice */
    g_assert_cmpint(failed, >=, 2 * 6);
    test_tpm_stop(&tpm);
}

int main(int argc, char **argv)
{
    int ret;

    have_swtpm = test_tpm_available();

    g_test_init(&argc, &argv, NULL);
    g_setenv("TSS2_LOG", "all+none", false);
    g_test_add_func("/uv-pef-tpm/policies", test_policies);
    g_test_add_func("/uv-pef-tpm/channel", test_channel);
    g_test_add_func("/uv-pef-tpm/pcr16", test_pcr16);
    g_test_add_func("/uv-pef-tpm/encrypted-response",
                    test_encrypted_response);
    g_test_add_func("/uv-pef-tpm/broken-channel", test_broken_channel);
    ret = g_test_run();
    test_tpm_cleanup(&tpm);
    return ret;
}
