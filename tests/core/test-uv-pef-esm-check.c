/*
 * Unit tests of Enter Secure Mode's checks (uv-pef-esm-check.c): a fake
 * guest memory laid out as SLOF and prom_init leave it (kernel at kbase,
 * RTAS, the esmb-initrd, the flattened tree), the blob made by
 * mk-esm-blob's builder for a swtpm-provisioned wrapping key, and one
 * test per way ESM must fail.  Skipped when swtpm is not installed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "swtpm-test.h"
#include "pef-test-guest.h"

#include <libfdt.h>

static TestTpm tpm;
static UvPefTpmKey tkey;
static char *pem;

static UvEsmStatus check(Guest *g, const UvPefTpmKey *key)
{
    UvEsmSession s;
    UvEsmStatus st = uv_esm_check(guest_read, g, KBASE, FDT_BASE,
                                  &tpm.sock.io, key, &s);

    if (st == UV_ESM_OK) {
        g_autofree uint8_t *out = NULL;
        size_t len;

        g_assert_cmpuint(s.rtas_base, ==, RTAS_BASE);
        g_assert_cmpuint(s.initrd_start, ==, INITRD_BASE);
        /*
         * Attachments are authenticated when read, not by ESM: a tampered
         * one is refused then, never served altered.
         */
        st = uv_esm_file_get(&s.parsed, s.symkey, "file-1", &out, &len);
        if (st == UV_ESM_OK) {
            g_assert_cmpstr((char *)out, ==, "the attachment");
        } else {
            g_assert_true(st == UV_ESM_NO_FILE || st == UV_ESM_FILE_AUTH ||
                          st == UV_ESM_BAD_BLOB);
        }
        st = UV_ESM_OK;
        uv_esm_session_clear(&s);
    } else {
        g_assert_null(s.blob);
    }
    return st;
}

static bool need_tpm(void)
{
    if (!test_tpm_available()) {
        g_test_skip("swtpm is not installed");
        return false;
    }
    return true;
}

static void test_ok(void)
{
    Guest *g;

    if (!need_tpm()) {
        return;
    }
    g = guest_new(pem);
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_OK);
    {
        UvEsmSession s;
        g_autofree uint8_t *out = NULL;
        size_t len;

        g_assert_cmpint(uv_esm_check(guest_read, g, KBASE, FDT_BASE,
                                     &tpm.sock.io, &tkey, &s), ==, UV_ESM_OK);
        g_assert_cmpint(uv_esm_file_get(&s.parsed, s.symkey, "file-1", &out,
                                        &len), ==, UV_ESM_OK);
        g_assert_cmpstr((char *)out, ==, "the attachment");
        uv_esm_session_clear(&s);
    }
    guest_free(g);
}

/* One byte of each measured thing, the tree, the blob: each its status */
static void test_tampered(void)
{
    const struct {
        uint64_t gpa;
        UvEsmStatus want;
    } cases[] = {
        { KBASE + 1234, UV_ESM_KERNEL },
        { KBASE + 299999, UV_ESM_KERNEL },
        { RTAS_BASE + 12, UV_ESM_RTAS },
        { 0, UV_ESM_INITRD },           /* last byte of the initrd */
    };
    Guest *g;
    size_t i;

    if (!need_tpm()) {
        return;
    }
    g = guest_new(pem);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t gpa = cases[i].gpa;

        if (!gpa) {
            gpa = g->initrd_end - 1;
        }

        g->mem[gpa] ^= 0x01;
        g_assert_cmpint(check(g, &tkey), ==, cases[i].want);
        g->mem[gpa] ^= 0x01;
    }
    /* bootargs other than sealed */
    put_fdt(g, BOOTARGS " init=/bin/sh", NULL);
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_BOOTARGS);
    /* no slof,rtas-size (VOF), no initrd */
    put_fdt(g, BOOTARGS, "slof,rtas-size");
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_BAD_SVM_FDT);
    put_fdt(g, BOOTARGS, "linux,initrd-start");
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_BAD_SVM_FDT);
    /* an initrd running past guest memory */
    g->initrd_end = MEM_SIZE + 4096;
    put_fdt(g, BOOTARGS, NULL);
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_NO_MEMORY);
    guest_free(g);

    /* every byte of the blob: never accepted */
    g = guest_new(pem);
    {
        uint8_t *b = NULL;
        size_t off, len, rest, n_auth = 0;

        g_assert_cmpint(uv_esm_cpio_find(g->mem + INITRD_BASE,
                                         g->initrd_end - INITRD_BASE,
                                         INITRD_BASE, &off, &len, &rest),
                        ==, UV_ESM_OK);
        b = g->mem + INITRD_BASE + off;
        for (i = 0; i < len; i += 7) {
            UvEsmStatus st;

            b[i] ^= 0x80;
            st = check(g, &tkey);
            b[i] ^= 0x80;
            /* comments and the other lockboxes are not authenticated */
            if (st == UV_ESM_OK) {
                continue;
            }
            n_auth += st == UV_ESM_DIGESTS_AUTH || st == UV_ESM_UNWRAP;
        }
        g_assert_cmpuint(n_auth, >, 10);
    }
    guest_free(g);
}

/* The blob for another TPM; a wrong password; no TPM */
static void test_keys(void)
{
    g_autofree char *other = NULL;
    UvPefTpmKey bad = tkey;
    TpmSocket dead = { .fd = -1 };
    UvEsmSession s;
    Guest *g;

    if (!need_tpm()) {
        return;
    }
    other = test_new_rsa_pem();
    g = guest_new(other);
    g_assert_cmpint(check(g, &tkey), ==, UV_ESM_UNWRAP);
    guest_free(g);

    g = guest_new(pem);
    bad.passwd[0] ^= 0x02;
    g_assert_cmpint(check(g, &bad), ==, UV_ESM_UNWRAP);
    /* a transport that is gone */
    g_assert_false(tpm_socket_open(&dead, "/nonexistent/tpm.sock", NULL));
    g_assert_cmpint(uv_esm_check(guest_read, g, KBASE, FDT_BASE, &dead.io,
                                 &tkey, &s), ==, UV_ESM_TPM);
    guest_free(g);
}

/* The guest's side, as svm-tools' esmb-get-file packs and unpacks */
static int64_t get_file(UvEsmSession *s, uint64_t pid, const char *name,
                        uint64_t offset, uint8_t out[64], uint64_t regs[10])
{
    int64_t rc;
    size_t i;

    memset(regs, 0, 10 * sizeof(regs[0]));
    regs[0] = 0xF14C;
    regs[1] = offset;
    for (i = 0; i < strlen(name); i++) {
        regs[2 + i / 8] |= (uint64_t)(uint8_t)name[i] << (56 - 8 * (i % 8));
    }
    rc = uv_esm_get_file_call(s, pid, regs);
    g_assert_cmpint(rc, ==, (int64_t)regs[0]);
    for (i = 0; rc > 0 && i < (size_t)rc; i++) {
        out[i] = regs[1 + i / 8] >> (56 - 8 * (i % 8));
    }
    return rc;
}

static void test_get_file(void)
{
    UvEsmSession s;
    uint8_t buf[sizeof(file2)], chunk[64];
    uint64_t regs[10], off = 0;
    int64_t n;
    Guest *g;

    if (!need_tpm()) {
        return;
    }
    g = guest_new(pem);
    g_assert_cmpint(uv_esm_check(guest_read, g, KBASE, FDT_BASE,
                                 &tpm.sock.io, &tkey, &s), ==, UV_ESM_OK);
    /* the whole of file-2, 64 bytes at a time, then 0 at the end */
    while ((n = get_file(&s, 7, "file-2", off, chunk, regs)) > 0) {
        g_assert_cmpint(n, <=, 64);
        memcpy(buf + off, chunk, n);
        off += n;
    }
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpmem(buf, off, file2, sizeof(file2));
    /* at the end r4..r11 are left as they were */
    g_assert_cmpuint(regs[1], ==, off);
    /* read once, in order, by one process */
    g_assert_cmpint(get_file(&s, 7, "file-2", 0, chunk, regs), ==,
                    U_PARAMETER);
    g_assert_cmpint(get_file(&s, 7, "file-1", 0, chunk, regs), ==, 15);
    g_assert_cmpmem(chunk, 15, "the attachment", 15);
    g_assert_cmpint(get_file(&s, 8, "file-1", 15, chunk, regs), ==,
                    U_PARAMETER);
    /* unknown names: -1, as the ultravisor passes libfdt's error on */
    g_assert_cmpint(get_file(&s, 7, "file-3", 0, chunk, regs), ==, -1);
    g_assert_cmpint(get_file(&s, 7, "", 0, chunk, regs), ==, -1);
    g_assert_cmpint(get_file(&s, 7, "files/file-1", 0, chunk, regs), ==, -1);
    uv_esm_session_clear(&s);
    guest_free(g);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    guest_tpm_start(&tpm, 'w', &tkey, &pem);
    g_test_add_func("/uv-pef-esm-check/ok", test_ok);
    g_test_add_func("/uv-pef-esm-check/tampered", test_tampered);
    g_test_add_func("/uv-pef-esm-check/keys", test_keys);
    g_test_add_func("/uv-pef-esm-check/get-file", test_get_file);
    ret = g_test_run();
    guest_tpm_stop(&tpm, pem);
    return ret;
}
