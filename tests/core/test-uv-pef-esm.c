/*
 * Unit tests of the ESM blob core (hw/ppc/ultravisor/uv-pef-esm.c), with
 * blobs made by mk-esm-blob's builder (tools/mk-esm-blob/esm-image.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "esm-image.h"

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

static gnutls_datum_t key_n, key_e;
static const uint8_t initramfs[3000] = { 1, 2, 3, [2999] = 0x55 };
static const uint8_t kernel[5000] = { 0x7f, 'E', [4999] = 0xaa };
static const uint8_t file1[] = "attachment one";
static const uint8_t file2[] = "second";

static void params(EsmImageParams *p, EsmImageKey *rk, EsmImageFile *f)
{
    memset(p, 0, sizeof(*p));
    memset(p->symkey, 0x11, sizeof(p->symkey));
    p->origin.n = key_n.data;
    p->origin.n_len = key_n.size;
    p->origin.e = key_e.data;
    p->origin.e_len = key_e.size;
    *rk = p->origin;
    memset(rk->fingerprint, 0x22, sizeof(rk->fingerprint));
    p->recipients = rk;
    p->n_recipients = 1;
    p->kernel = kernel;
    p->kernel_len = sizeof(kernel);
    p->initramfs = initramfs;
    p->initramfs_len = sizeof(initramfs);
    p->bootargs = "console=hvc0 svm=on";
    memset(p->digests_iv, 0x33, sizeof(p->digests_iv));
    f[0] = (EsmImageFile) { .name = "file-1", .data = file1,
                            .len = sizeof(file1) };
    f[1] = (EsmImageFile) { .name = "file-2", .data = file2,
                            .len = sizeof(file2) };
    p->files = f;
    p->n_files = 2;
    p->cpio_name = "esmb.dtb";
}

static GBytes *make_blob(const EsmImageParams *p)
{
    g_autoptr(GError) err = NULL;
    GBytes *b = esm_image_blob(p, &err);

    g_assert_no_error(err);
    return b;
}

static void test_roundtrip(void)
{
    EsmImageParams p;
    EsmImageKey rk;
    EsmImageFile f[2];
    g_autoptr(GBytes) blob = NULL;
    UvEsmBlob b;
    UvEsmDigests d, want;
    uint8_t bad[UV_ESM_SYMKEY_LEN];
    g_autofree uint8_t *out = NULL;
    size_t out_len;

    params(&p, &rk, f);
    blob = make_blob(&p);
    g_assert_cmpint(uv_esm_blob_parse(g_bytes_get_data(blob, NULL),
                                      g_bytes_get_size(blob), &b), ==,
                    UV_ESM_OK);
    g_assert_cmpmem(b.fingerprint, UV_ESM_FPR_LEN, rk.fingerprint,
                    UV_ESM_FPR_LEN);
    g_assert_cmpuint(b.wrapped_key_len, ==, key_n.size - (key_n.data[0] == 0));
    g_assert_cmpint(uv_esm_digests_open(&b, p.symkey, &d), ==, UV_ESM_OK);
    esm_image_digests(&p, &want);
    g_assert_cmpmem(&d, sizeof(d), &want, sizeof(want));
    g_assert_cmpuint(d.kernel_size, ==, sizeof(kernel));

    g_assert_cmpint(uv_esm_file_get(&b, p.symkey, "file-2", &out, &out_len),
                    ==, UV_ESM_OK);
    g_assert_cmpmem(out, out_len, file2, sizeof(file2));
    g_assert_cmpint(uv_esm_file_get(&b, p.symkey, "file-3", &out, &out_len),
                    ==, UV_ESM_NO_FILE);
    g_assert_null(out);
    g_assert_cmpint(uv_esm_file_get(&b, p.symkey, "", &out, &out_len),
                    ==, UV_ESM_NO_FILE);

    memcpy(bad, p.symkey, sizeof(bad));
    bad[31] ^= 1;
    g_assert_cmpint(uv_esm_digests_open(&b, bad, &d), ==,
                    UV_ESM_DIGESTS_AUTH);
    g_assert_cmpint(uv_esm_file_get(&b, bad, "file-1", &out, &out_len),
                    ==, UV_ESM_FILE_AUTH);
}

/* svm-tools' built-in RTAS digest (svm_tool/esm_digest/rtas_sha512.py) */
static void test_rtas_stub(void)
{
    static const char want[] =
        "189698638580422ea58a0968ecce2436daeb2c91a339c14b0ab2bc623c1649fe"
        "274074a4a92679dc61e5528d68778ba3c82f1b1f7e9a5958238b80497fc37f48";
    g_autofree char *got = g_compute_checksum_for_data(
        G_CHECKSUM_SHA512, uv_esm_rtas_stub, sizeof(uv_esm_rtas_stub));

    g_assert_cmpstr(got, ==, want);
}

/* Every flipped byte of the blob: never accepted with other contents. */
static void test_flips(void)
{
    EsmImageParams p;
    EsmImageKey rk;
    EsmImageFile f[2];
    g_autoptr(GBytes) blob = NULL;
    UvEsmDigests ref, d;
    UvEsmBlob b;
    size_t len, i, auth = 0;
    g_autofree uint8_t *buf = NULL;

    params(&p, &rk, f);
    blob = make_blob(&p);
    len = g_bytes_get_size(blob);
    buf = g_memdup2(g_bytes_get_data(blob, NULL), len);
    esm_image_digests(&p, &ref);
    for (i = 0; i < len; i++) {
        UvEsmStatus st;

        buf[i] ^= 0x40;
        st = uv_esm_blob_parse(buf, len, &b);
        if (st == UV_ESM_OK) {
            st = uv_esm_digests_open(&b, p.symkey, &d);
            if (st == UV_ESM_OK) {
                /* only bytes outside what is authenticated: comments... */
                g_assert_cmpmem(&d, sizeof(d), &ref, sizeof(ref));
            } else {
                auth += st == UV_ESM_DIGESTS_AUTH;
            }
        }
        buf[i] ^= 0x40;
        if (g_test_verbose()) {
            printf("# %zu: %d\n", i, st);
        }
    }
    /* the iv, mac and ciphertext of digests-fdt: all caught by GCM */
    g_assert_cmpuint(auth, >=, 16 + 16 + 100);
}

static void test_truncated(void)
{
    EsmImageParams p;
    EsmImageKey rk;
    EsmImageFile f[2];
    g_autoptr(GBytes) blob = NULL;
    UvEsmBlob b;
    size_t len, i;
    const uint8_t *d;

    params(&p, &rk, f);
    blob = make_blob(&p);
    d = g_bytes_get_data(blob, &len);
    for (i = 0; i < len; i++) {
        g_autofree uint8_t *copy = g_memdup2(d, i ? i : 1);

        g_assert_cmpint(uv_esm_blob_parse(copy, i, &b), ==, UV_ESM_BAD_BLOB);
    }
}

static void test_no_lockbox(void)
{
    EsmImageParams p;
    EsmImageKey rk;
    EsmImageFile f[2];
    g_autoptr(GBytes) blob = NULL;
    UvEsmBlob b;

    params(&p, &rk, f);
    p.n_recipients = 0;
    blob = make_blob(&p);
    g_assert_cmpint(uv_esm_blob_parse(g_bytes_get_data(blob, NULL),
                                      g_bytes_get_size(blob), &b), ==,
                    UV_ESM_NO_LOCKBOX);
}

static void test_cpio(void)
{
    EsmImageParams p;
    EsmImageKey rk;
    EsmImageFile f[2];
    g_autoptr(GBytes) blob = NULL;
    g_autoptr(GBytes) img = NULL;
    g_autofree uint8_t *buf = NULL;
    size_t len, boff, blen, rest, i;
    uint8_t *name;
    UvEsmBlob b;

    params(&p, &rk, f);
    blob = make_blob(&p);
    img = esm_image_initrd(&p, blob);
    len = g_bytes_get_size(img);
    buf = g_memdup2(g_bytes_get_data(img, NULL), len);

    g_assert_cmpint(uv_esm_cpio_find(buf, len, 0x2000000, &boff, &blen,
                                     &rest), ==, UV_ESM_OK);
    g_assert_cmpuint(rest % 512, ==, 0);
    g_assert_cmpmem(buf + rest, len - rest, initramfs, sizeof(initramfs));
    g_assert_cmpuint(blen, >=, g_bytes_get_size(blob));
    g_assert_cmpmem(buf + boff, g_bytes_get_size(blob),
                    g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
    {
        g_autofree void *copy = g_memdup2(buf + boff, blen);

        g_assert_cmpint(uv_esm_blob_parse(copy, blen, &b), ==, UV_ESM_OK);
    }

    /* The plain initramfs: no blob. */
    g_assert_cmpint(uv_esm_cpio_find(initramfs, sizeof(initramfs), 0, &boff,
                                     &blen, &rest), ==, UV_ESM_NO_BLOB);
    /* Every truncation: an error, never a read past the end. */
    for (i = 0; i < rest; i++) {
        g_autofree uint8_t *copy = g_memdup2(buf, i ? i : 1);

        g_assert_cmpint(uv_esm_cpio_find(copy, i, 0, &boff, &blen, &rest),
                        !=, UV_ESM_OK);
    }
    /* The blob not under opt/ibm/pef: not an esmb-initrd. */
    for (name = NULL, i = 0; i + 20 <= len && !name; i++) {
        if (!memcmp(buf + i, "opt/ibm/pef/esmb.dtb", 20)) {
            name = buf + i;
        }
    }
    g_assert_nonnull(name);
    name[10] = 'g';
    g_assert_cmpint(uv_esm_cpio_find(buf, len, 0, &boff, &blen, &rest), ==,
                    UV_ESM_NO_BLOB);
    name[10] = 'f';
    /* A file size past the end. */
    memcpy(name - 110 + 54, "7FFFFFFF", 8);
    g_assert_cmpint(uv_esm_cpio_find(buf, len, 0, &boff, &blen, &rest), ==,
                    UV_ESM_BAD_CPIO);
}

int main(int argc, char **argv)
{
    gnutls_x509_privkey_t k;

    g_test_init(&argc, &argv, NULL);
    gnutls_x509_privkey_init(&k);
    g_assert_cmpint(gnutls_x509_privkey_generate(k, GNUTLS_PK_RSA, 2048, 0),
                    ==, 0);
    g_assert_cmpint(gnutls_x509_privkey_export_rsa_raw(k, &key_n, &key_e,
                                                       NULL, NULL, NULL,
                                                       NULL), ==, 0);
    gnutls_x509_privkey_deinit(k);
    g_test_add_func("/uv-pef-esm/roundtrip", test_roundtrip);
    g_test_add_func("/uv-pef-esm/rtas-stub", test_rtas_stub);
    g_test_add_func("/uv-pef-esm/flips", test_flips);
    g_test_add_func("/uv-pef-esm/truncated", test_truncated);
    g_test_add_func("/uv-pef-esm/no-lockbox", test_no_lockbox);
    g_test_add_func("/uv-pef-esm/cpio", test_cpio);
    return g_test_run();
}
