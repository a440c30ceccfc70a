/*
 * Test helper for tests/core/test_mk_esm_blob.py: reads an ESM blob or an
 * esmb-initrd with the ultravisor's core (uv-pef-esm.c), so that the
 * Python test can compare what the core sees with what it reads itself.
 *
 *   esm-blob-dump blob BLOB SYMKEY [FILE...]
 *   esm-blob-dump initrd ESMB_INITRD GUEST_ADDR SYMKEY [FILE...]
 *   esm-blob-dump tpm BLOB TPM_SOCKET [FILE...]
 *
 * SYMKEY is the master key in hex (the test unwraps it).  With "tpm" the
 * master key comes from the TPM as on a PEF machine: the firmware's
 * provisioning with a fresh password, then the ultravisor's unwrap of
 * lockbox-1 (uv-pef-tpm.c).  Prints
 * fingerprint=, wrapped-len=, rtas=, kernel=, kernel-size=, initrd=,
 * bootargs=, file.NAME= (hex); for an initrd also blob-off=, blob-len=,
 * rest-off= and initrd-digest-ok=.  A failure prints "error=TEXT" and
 * exits with 2.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef-esm.h"
#include "tpm-socket.h"

#include <gnutls/crypto.h>

static G_NORETURN void fail(UvEsmStatus st)
{
    printf("error=%s\n", uv_esm_status_str(st));
    exit(2);
}

static void hex(const char *name, const uint8_t *d, size_t n)
{
    printf("%s=", name);
    while (n--) {
        printf("%02x", *d++);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    uint8_t key[UV_ESM_SYMKEY_LEN];
    g_autofree char *data = NULL;
    gsize len;
    const uint8_t *blob;
    size_t blob_len, blob_off = 0, rest_off = 0;
    UvEsmBlob b;
    UvEsmDigests d;
    UvEsmStatus st;
    bool initrd, tpm;
    TpmSocket sock;
    int argi, i;

    g_setenv("TSS2_LOG", "all+none", false);
    if (argc < 4) {
        fprintf(stderr, "usage: see the source\n");
        return 1;
    }
    initrd = !strcmp(argv[1], "initrd");
    tpm = !strcmp(argv[1], "tpm");
    if (!g_file_get_contents(argv[2], &data, &len, NULL)) {
        return 1;
    }
    argi = initrd ? 4 : 3;
    if (tpm) {
        if (!tpm_socket_open(&sock, argv[3], NULL)) {
            return 1;
        }
    } else if (argc <= argi || strlen(argv[argi]) != 2 * sizeof(key)) {
        return 1;
    } else {
        for (i = 0; i < (int)sizeof(key); i++) {
            sscanf(argv[argi] + 2 * i, "%2hhx", &key[i]);
        }
    }
    blob = (const uint8_t *)data;
    blob_len = len;
    if (initrd) {
        st = uv_esm_cpio_find((const uint8_t *)data, len,
                              g_ascii_strtoull(argv[3], NULL, 0), &blob_off,
                              &blob_len, &rest_off);
        if (st) {
            fail(st);
        }
        printf("blob-off=%zu\nblob-len=%zu\nrest-off=%zu\n", blob_off,
               blob_len, rest_off);
        blob = g_memdup2(data + blob_off, blob_len);    /* aligned */
    }
    st = uv_esm_blob_parse(blob, blob_len, &b);
    if (st) {
        fail(st);
    }
    hex("fingerprint", b.fingerprint, UV_ESM_FPR_LEN);
    printf("wrapped-len=%zu\n", b.wrapped_key_len);
    if (tpm) {
        uint8_t pw[UV_PEF_TPM_PASSWD_LEN];
        UvPefTpmKey tk;
        const char *why;

        memset(pw, 'k', sizeof(pw));
        if (!uv_pef_tpm_provision(&sock.io, pw, &tk, &why)) {
            printf("error=%s\n", why);
            return 2;
        }
        st = uv_pef_tpm_unwrap(&sock.io, &tk, b.wrapped_key,
                               b.wrapped_key_len, key);
        if (st) {
            fail(st);
        }
    }
    st = uv_esm_digests_open(&b, key, &d);
    if (st) {
        fail(st);
    }
    hex("rtas", d.rtas, sizeof(d.rtas));
    hex("kernel", d.kernel, sizeof(d.kernel));
    printf("kernel-size=%u\n", d.kernel_size);
    hex("initrd", d.initrd, sizeof(d.initrd));
    hex("bootargs", d.bootargs, sizeof(d.bootargs));
    if (initrd) {
        uint8_t h[UV_ESM_DIGEST_LEN];

        gnutls_hash_fast(GNUTLS_DIG_SHA512, data + rest_off, len - rest_off,
                         h);
        printf("initrd-digest-ok=%d\n", uv_esm_digest_equal(h, d.initrd));
    }
    for (i = argi + 1; i < argc; i++) {
        g_autofree uint8_t *f = NULL;
        g_autofree char *name = g_strdup_printf("file.%s", argv[i]);
        size_t flen;

        st = uv_esm_file_get(&b, key, argv[i], &f, &flen);
        if (st) {
            fail(st);
        }
        hex(name, f, flen);
    }
    return 0;
}
