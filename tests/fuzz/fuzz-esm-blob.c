/*
 * libFuzzer target for the ESM blob core (hw/ppc/ultravisor/uv-pef-esm.c):
 * the esmb-initrd's cpio archive, the blob FDT, the sealed digests FDT and
 * the attachments.
 *
 * The first input byte picks a mode:
 *   0  the rest is an esmb-initrd, as raw bytes;
 *   1  the rest patches a valid esmb-initrd built once (tools/mk-esm-blob's
 *      builder, a fixed master key): triples {offset high, offset low,
 *      xor} applied modulo its length;
 *   2  the rest is the plaintext of digests-fdt, sealed here with the
 *      fixed key, so the fuzzer reaches the digests FDT parser behind GCM;
 *   3  the rest is the guest's flattened tree handed to UV_ESM
 *      (uv-pef-esm-check.c), in a guest memory that holds the valid
 *      esmb-initrd at 1 MiB; the TPM is absent.
 * Whatever parses is opened with the fixed key, and file-1 is fetched.
 * Checked besides the sanitizers: a status is always a known one; the
 * unmodified image always opens to its known digests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "esm-image.h"
#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "fuzz-util.h"

static uint8_t *good;
static size_t good_len;
static UvEsmDigests good_dig;
static EsmImageParams params;

static void init(void)
{
    static uint8_t n[128], e[3] = { 1, 0, 1 };
    static const uint8_t initramfs[700] = { 7 };
    static const uint8_t kernel[900] = { 9 };
    static const uint8_t file1[] = "attachment";
    static EsmImageKey rk;
    static EsmImageFile f;
    GBytes *blob, *img;

    /* Any odd 1024-bit modulus encrypts; nothing here decrypts RSA. */
    memset(n, 0xa5, sizeof(n));
    n[0] = 0xc3;
    n[127] |= 1;
    memset(params.symkey, 0x5a, sizeof(params.symkey));
    params.origin = (EsmImageKey) { .n = n, .n_len = sizeof(n), .e = e,
                                    .e_len = sizeof(e) };
    rk = params.origin;
    params.recipients = &rk;
    params.n_recipients = 1;
    params.kernel = kernel;
    params.kernel_len = sizeof(kernel);
    params.initramfs = initramfs;
    params.initramfs_len = sizeof(initramfs);
    params.bootargs = "svm=on";
    f = (EsmImageFile) { .name = "file-1", .data = file1,
                         .len = sizeof(file1) };
    params.files = &f;
    params.n_files = 1;
    params.cpio_name = "b.dtb";
    blob = esm_image_blob(&params, NULL);
    check(blob != NULL);
    img = esm_image_initrd(&params, blob);
    good = g_memdup2(g_bytes_get_data(img, NULL), g_bytes_get_size(img));
    good_len = g_bytes_get_size(img);
    esm_image_digests(&params, &good_dig);
    g_bytes_unref(blob);
    g_bytes_unref(img);
}

static void open_blob(const uint8_t *blob, size_t len, bool pristine)
{
    g_autofree void *copy = g_memdup2(blob, len ? len : 1);
    g_autofree uint8_t *file = NULL;
    size_t flen;
    UvEsmBlob b;
    UvEsmDigests d;
    UvEsmStatus st;

    st = uv_esm_blob_parse(copy, len, &b);
    check(st < UV_ESM__MAX);
    check(!pristine || st == UV_ESM_OK);
    if (st) {
        return;
    }
    check(b.size <= len && b.wrapped_key_len <= UV_ESM_WRAPPED_MAX);
    st = uv_esm_digests_open(&b, params.symkey, &d);
    check(st < UV_ESM__MAX);
    check(!pristine || (st == UV_ESM_OK &&
                        !memcmp(&d, &good_dig, sizeof(d))));
    st = uv_esm_file_get(&b, params.symkey, "file-1", &file, &flen);
    check(st < UV_ESM__MAX && (st != UV_ESM_OK) == (file == NULL));
}

static void initrd(const uint8_t *img, size_t len, bool pristine)
{
    size_t off, blen, rest;
    UvEsmStatus st = uv_esm_cpio_find(img, len, 0x4000000, &off, &blen,
                                      &rest);

    check(st < UV_ESM__MAX);
    check(!pristine || st == UV_ESM_OK);
    if (st == UV_ESM_OK) {
        check(off <= len && blen <= len - off && rest <= len);
        open_blob(img + off, blen, pristine);
    }
}

static void digests(const uint8_t *pt, size_t len)
{
    g_autofree uint8_t *ct = g_malloc(len ? len : 1);
    uint8_t iv[16] = { 1 }, mac[UV_ESM_MAC_LEN];
    UvEsmBlob b = { 0 };
    UvEsmDigests d;
    UvEsmStatus st;

    check(uv_esm_gcm_seal(params.symkey, iv, sizeof(iv), pt, len, ct, mac));
    b.digests = (UvEsmSealed) { .iv = iv, .iv_len = sizeof(iv), .mac = mac,
                                .ct = ct, .ct_len = len };
    st = uv_esm_digests_open(&b, params.symkey, &d);
    check(st == UV_ESM_OK || st == UV_ESM_BAD_DIGESTS);
    check(st != UV_ESM_OK || d.kernel_size != 0);
}

#define GUEST_SIZE      (2 * 1024 * 1024)
#define GUEST_INITRD    (1024 * 1024)

typedef struct Guest {
    uint8_t *mem;
    size_t used;        /* bytes of the tree area the last input wrote */
} Guest;

static bool guest_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    Guest *g = opaque;

    if (gpa > GUEST_SIZE || len > GUEST_SIZE - gpa) {
        return false;
    }
    memcpy(buf, g->mem + gpa, len);
    return true;
}

static ssize_t no_tpm(void *opaque, const uint8_t *cmd, size_t len,
                      uint8_t *rsp, size_t rsp_max)
{
    return -1;
}

static void guest_fdt(const uint8_t *fdt, size_t len)
{
    static Guest g;
    UvPefTpmIo io = { no_tpm, NULL };
    UvPefTpmKey key = { 0 };
    UvEsmSession s;
    UvEsmStatus st;

    if (!g.mem) {
        g.mem = g_malloc0(GUEST_SIZE);
        check(good_len <= GUEST_SIZE - GUEST_INITRD);
        memcpy(g.mem + GUEST_INITRD, good, good_len);
    }
    len = MIN(len, GUEST_INITRD);
    memcpy(g.mem, fdt, len);
    if (g.used > len) {
        memset(g.mem + len, 0, g.used - len);   /* the previous input's */
    }
    g.used = len;
    st = uv_esm_check(guest_read, &g, 0, 0, &io, &key, &s);
    check(st != UV_ESM_OK && st < UV_ESM__MAX && s.blob == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!good) {
        init();
        initrd(good, good_len, true);
    }
    if (size < 1) {
        return 0;
    }
    switch (data[0] % 4) {
    case 0:
        initrd(data + 1, size - 1, false);
        break;
    case 1: {
        g_autofree uint8_t *img = g_memdup2(good, good_len);
        size_t i;

        for (i = 1; i + 3 <= size; i += 3) {
            img[((data[i] << 8) | data[i + 1]) % good_len] ^= data[i + 2];
        }
        initrd(img, good_len, size < 4);
        break;
    }
    case 2:
        digests(data + 1, size - 1);
        break;
    case 3:
        guest_fdt(data + 1, size - 1);
        break;
    }
    return 0;
}
