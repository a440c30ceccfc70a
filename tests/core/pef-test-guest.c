/*
 * A fake POWER guest ready for Enter Secure Mode, shared by the tests of
 * uv-pef-esm-check.c and uv-pef-lpar.c: memory laid out as SLOF and
 * prom_init leave it (kernel at KBASE, RTAS, the esmb-initrd, the
 * flattened tree), with a blob made by mk-esm-blob's builder.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "pef-test-guest.h"
#include "swtpm-test.h"

#include <libfdt.h>

/* file-2: 150 bytes, so it takes three UV_ESMB_GET_FILE calls */
uint8_t file2[150];

bool guest_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    Guest *g = opaque;

    if (gpa > MEM_SIZE || len > MEM_SIZE - gpa) {
        return false;
    }
    memcpy(buf, g->mem + gpa, len);
    return true;
}

/* The tree prom_init hands to UV_ESM; @drop names a property to leave out */
void put_fdt(Guest *g, const char *bootargs, const char *drop)
{
    uint8_t *fdt = g->mem + FDT_BASE;
    uint64_t start = cpu_to_fdt64(INITRD_BASE);
    uint64_t end = cpu_to_fdt64(g->initrd_end);
    uint32_t rtas_base = cpu_to_fdt32(RTAS_BASE);
    uint32_t rtas_size = cpu_to_fdt32(RTAS_SIZE);
    uint32_t rtas_text = cpu_to_fdt32(UV_ESM_RTAS_STUB_LEN);

    g_assert_cmpint(fdt_create(fdt, 0x10000), ==, 0);
    fdt_finish_reservemap(fdt);
    fdt_begin_node(fdt, "");
    fdt_begin_node(fdt, "chosen");
    fdt_property_string(fdt, "bootargs", bootargs);
    if (g_strcmp0(drop, "linux,initrd-start")) {
        fdt_property(fdt, "linux,initrd-start", &start, 8);
    }
    fdt_property(fdt, "linux,initrd-end", &end, 8);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "rtas");
    fdt_property_u32(fdt, "ibm,get-system-parameter", TOKEN_GET_SYSPARM);
    fdt_property_u32(fdt, "start-cpu", TOKEN_START_CPU);
    fdt_property(fdt, "linux,rtas-base", &rtas_base, 4);
    fdt_property(fdt, "rtas-size", &rtas_size, 4);
    if (g_strcmp0(drop, "slof,rtas-size")) {
        fdt_property(fdt, "slof,rtas-size", &rtas_text, 4);
    }
    fdt_end_node(fdt);
    fdt_end_node(fdt);
    g_assert_cmpint(fdt_finish(fdt), ==, 0);
}

/* A guest ready for ESM with a blob for @recipient_pem */
Guest *guest_new(const char *recipient_pem)
{
    static const uint8_t file1[] = "the attachment";
    Guest *g = g_new0(Guest, 1);
    uint8_t *kernel = g_malloc(300000), *initramfs = g_malloc(200000);
    EsmImageParams p = { 0 };
    EsmImageKey rk;
    EsmImageFile f[2] = {
        { .name = "file-1", .data = file1, .len = sizeof(file1) },
        { .name = "file-2", .data = file2, .len = sizeof(file2) },
    };
    GBytes *blob, *img;
    size_t i;

    for (i = 0; i < 300000; i++) {
        kernel[i] = i * 7;
    }
    for (i = 0; i < 200000; i++) {
        initramfs[i] = i * 13;
    }
    test_key_from_pem(recipient_pem, &rk);
    memset(p.symkey, 0x42, sizeof(p.symkey));
    p.origin = rk;
    p.recipients = &rk;
    p.n_recipients = 1;
    p.kernel = kernel;
    p.kernel_len = 300000;
    p.initramfs = initramfs;
    p.initramfs_len = 200000;
    p.bootargs = BOOTARGS;
    for (i = 0; i < sizeof(file2); i++) {
        file2[i] = 0xff - i;
    }
    p.files = f;
    p.n_files = 2;
    p.cpio_name = "esmb.dtb";
    blob = esm_image_blob(&p, NULL);
    g_assert_nonnull(blob);
    img = esm_image_initrd(&p, blob);

    g->mem = g_malloc0(MEM_SIZE);
    memcpy(g->mem + KBASE, kernel, 300000);
    memcpy(g->mem + RTAS_BASE, uv_esm_rtas_stub, UV_ESM_RTAS_STUB_LEN);
    memcpy(g->mem + INITRD_BASE, g_bytes_get_data(img, NULL),
           g_bytes_get_size(img));
    g->initrd_end = INITRD_BASE + g_bytes_get_size(img);
    put_fdt(g, BOOTARGS, NULL);

    g_bytes_unref(blob);
    g_bytes_unref(img);
    g_free(kernel);
    g_free(initramfs);
    test_key_free(&rk);
    return g;
}

void guest_free(Guest *g)
{
    g_free(g->mem);
    g_free(g);
}

bool guest_tpm_start(TestTpm *tpm, uint8_t pw_byte, UvPefTpmKey *key,
                     char **pem)
{
    uint8_t pw[UV_PEF_TPM_PASSWD_LEN];
    const char *why;

    g_setenv("TSS2_LOG", "all+none", false);
    if (!test_tpm_available()) {
        return false;
    }
    memset(pw, pw_byte, sizeof(pw));
    test_tpm_start(tpm);
    g_assert_true(uv_pef_tpm_provision(&tpm->sock.io, pw, key, &why));
    *pem = uv_pef_tpm_public_pem(&tpm->sock.io, &why);
    g_assert_nonnull(*pem);
    return true;
}

void guest_tpm_stop(TestTpm *tpm, char *pem)
{
    if (tpm->dir) {
        test_tpm_stop(tpm);
        test_tpm_cleanup(tpm);
    }
    g_free(pem);
}
