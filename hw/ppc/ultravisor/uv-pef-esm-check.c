/*
 * Enter Secure Mode's checks; see
 * include/hw/ppc/ultravisor/uv-pef-esm-check.h.
 *
 * The order follows the ultravisor (svm/svm-esm.c): RTAS location, initrd
 * location, bootargs, the blob in the initrd, the TPM unwrap, then the
 * digests.  Everything read from the guest is untrusted: its tree is
 * checked with fdt_check_full() on a copy, every address range is read
 * through the caller (which fails outside guest memory), and big ranges
 * are hashed in pieces, never copied whole.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "hw/ppc/ultravisor/uv-pef.h"

#include <gnutls/crypto.h>
#include <libfdt.h>

#define HASH_CHUNK      (64 * 1024)

bool uv_esm_fdt_num(const void *fdt, int node, const char *name,
                    uint64_t *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    if (!p || (len != 4 && len != 8)) {
        return false;
    }
    *out = len == 4 ? fdt32_to_cpu(p[0])
                    : ((uint64_t)fdt32_to_cpu(p[0]) << 32) |
                      fdt32_to_cpu(p[1]);
    return true;
}

/* SHA-512 of guest [gpa, gpa + len) compared with @want. */
static UvEsmStatus hash_check(UvEsmReadFn read, void *opaque, uint64_t gpa,
                              uint64_t len, const uint8_t *want,
                              UvEsmStatus mismatch)
{
    g_autofree uint8_t *buf = g_malloc(HASH_CHUNK);
    uint8_t got[UV_ESM_DIGEST_LEN];
    gnutls_hash_hd_t h;
    uint64_t off;

    if (gpa + len < gpa) {
        return UV_ESM_NO_MEMORY;
    }
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA512) < 0) {
        return UV_ESM_NO_MEMORY;
    }
    for (off = 0; off < len; off += HASH_CHUNK) {
        uint64_t n = MIN(HASH_CHUNK, len - off);

        if (!read(opaque, gpa + off, buf, n)) {
            gnutls_hash_deinit(h, got);
            return UV_ESM_NO_MEMORY;
        }
        gnutls_hash(h, buf, n);
    }
    gnutls_hash_deinit(h, got);
    return uv_esm_digest_equal(got, want) ? UV_ESM_OK : mismatch;
}

/* A copy of the guest's tree, checked. */
void *uv_esm_read_fdt(UvEsmReadFn read, void *opaque, uint64_t gpa)
{
    struct fdt_header hdr;
    uint32_t size;
    void *fdt;

    if (!read(opaque, gpa, &hdr, sizeof(hdr)) ||
        fdt_magic(&hdr) != FDT_MAGIC) {
        return NULL;
    }
    size = fdt_totalsize(&hdr);
    if (size < sizeof(hdr) || size > UV_ESM_FDT_MAX) {
        return NULL;
    }
    fdt = g_malloc(size);
    if (!read(opaque, gpa, fdt, size) || fdt_check_full(fdt, size)) {
        g_free(fdt);
        return NULL;
    }
    return fdt;
}

UvEsmStatus uv_esm_check_fdt(UvEsmReadFn read, void *opaque,
                             uint64_t fdt_gpa, UvEsmSession *s)
{
    g_autofree void *fdt = NULL;
    const char *bootargs;
    int chosen, rtas, bootargs_len;

    memset(s, 0, sizeof(*s));
    fdt = uv_esm_read_fdt(read, opaque, fdt_gpa);
    if (!fdt) {
        return UV_ESM_BAD_SVM_FDT;
    }
    rtas = fdt_path_offset(fdt, "/rtas");
    chosen = fdt_path_offset(fdt, "/chosen");
    if (rtas < 0 || chosen < 0 ||
        !uv_esm_fdt_num(fdt, rtas, "linux,rtas-base", &s->rtas_base) ||
        !uv_esm_fdt_num(fdt, rtas, "rtas-size", &s->rtas_size) ||
        /* only SLOF gives the length of its RTAS code */
        !uv_esm_fdt_num(fdt, rtas, "slof,rtas-size", &s->rtas_text) ||
        s->rtas_text > s->rtas_size ||
        !uv_esm_fdt_num(fdt, chosen, "linux,initrd-start", &s->initrd_start) ||
        !uv_esm_fdt_num(fdt, chosen, "linux,initrd-end", &s->initrd_end) ||
        s->initrd_end <= s->initrd_start) {
        return UV_ESM_BAD_SVM_FDT;
    }
    bootargs = fdt_getprop(fdt, chosen, "bootargs", &bootargs_len);
    if (!bootargs || bootargs_len < 1 || bootargs[bootargs_len - 1]) {
        return UV_ESM_BAD_SVM_FDT;
    }
    if (gnutls_hash_fast(GNUTLS_DIG_SHA512, bootargs, bootargs_len - 1,
                         s->bootargs) < 0) {
        return UV_ESM_NO_MEMORY;
    }
    return UV_ESM_OK;
}

UvEsmStatus uv_esm_check_blob(UvEsmReadFn read, void *opaque,
                              const UvPefTpmIo *tpm, const UvPefTpmKey *key,
                              UvEsmSession *s)
{
    g_autofree uint8_t *head = NULL;
    uint64_t head_len;
    size_t blob_off, blob_len, rest;
    UvEsmStatus st;

    /* The blob, in the cpio archive at the front of the initrd */
    head_len = MIN(s->initrd_end - s->initrd_start, UV_ESM_CPIO_MAX);
    head = g_malloc(head_len);
    if (!read(opaque, s->initrd_start, head, head_len)) {
        return UV_ESM_NO_MEMORY;
    }
    st = uv_esm_cpio_find(head, head_len, s->initrd_start, &blob_off,
                          &blob_len, &rest);
    if (st) {
        return st;
    }
    s->initrd_rest = rest;
    s->blob = g_memdup2(head + blob_off, blob_len);   /* aligned */
    s->blob_len = blob_len;
    st = uv_esm_blob_parse(s->blob, s->blob_len, &s->parsed);
    if (st) {
        return st;
    }

    /* The master key, from the TPM; then what it protects */
    st = uv_pef_tpm_unwrap(tpm, key, s->parsed.wrapped_key,
                           s->parsed.wrapped_key_len, s->symkey);
    if (st) {
        return st;
    }
    return uv_esm_digests_open(&s->parsed, s->symkey, &s->digests);
}

UvEsmStatus uv_esm_check_digests(UvEsmReadFn read, void *opaque,
                                 uint64_t kbase, UvEsmSession *s)
{
    UvEsmStatus st;

    st = hash_check(read, opaque, s->rtas_base, s->rtas_text,
                    s->digests.rtas, UV_ESM_RTAS);
    if (!st) {
        st = hash_check(read, opaque, kbase, s->digests.kernel_size,
                        s->digests.kernel, UV_ESM_KERNEL);
    }
    if (!st) {
        st = hash_check(read, opaque, s->initrd_start + s->initrd_rest,
                        s->initrd_end - s->initrd_start - s->initrd_rest,
                        s->digests.initrd, UV_ESM_INITRD);
    }
    if (!st && !uv_esm_digest_equal(s->bootargs, s->digests.bootargs)) {
        st = UV_ESM_BOOTARGS;
    }
    return st;
}

UvEsmStatus uv_esm_check(UvEsmReadFn read, void *opaque, uint64_t kbase,
                         uint64_t fdt_gpa, const UvPefTpmIo *tpm,
                         const UvPefTpmKey *key, UvEsmSession *s)
{
    UvEsmStatus st = uv_esm_check_fdt(read, opaque, fdt_gpa, s);

    if (!st) {
        st = uv_esm_check_blob(read, opaque, tpm, key, s);
    }
    if (!st) {
        st = uv_esm_check_digests(read, opaque, kbase, s);
    }
    if (st) {
        uv_esm_session_clear(s);
    }
    return st;
}

void uv_esm_session_clear(UvEsmSession *s)
{
    if (s->reads) {
        g_hash_table_destroy(s->reads);
    }
    if (s->blob) {
        cc_wipe(s->blob, s->blob_len);
        g_free(s->blob);
    }
    cc_wipe(s, sizeof(*s));
}

/* ---- UV_ESMB_GET_FILE */

#define GET_FILE_NAME_MAX   64
#define GET_FILE_CHUNK      64
#define GET_FILE_NOT_FOUND  (-1)    /* [U] -FDT_ERR_NOTFOUND, as the UV */

static int64_t set_rc(uint64_t regs[10], int64_t rc)
{
    regs[0] = rc;
    return rc;
}

typedef struct GetFileState {
    uint64_t pid;
    uint64_t next;          /* end of the last read */
} GetFileState;

int64_t uv_esm_get_file_call(UvEsmSession *s, uint64_t pid,
                             uint64_t regs[10])
{
    char name[GET_FILE_NAME_MAX + 1] = { 0 };
    uint64_t offset = regs[1];
    g_autofree uint8_t *data = NULL;
    GetFileState *rs;
    UvEsmStatus st;
    size_t len, n, i;

    for (i = 0; i < GET_FILE_NAME_MAX; i++) {
        name[i] = regs[2 + i / 8] >> (56 - 8 * (i % 8));
    }
    if (!s->reads) {
        s->reads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         g_free);
    }
    rs = g_hash_table_lookup(s->reads, name);
    if (!rs) {
        /* The first call names the reader, found or not (as the UV). */
        if (g_hash_table_size(s->reads) >= 1024) {
            return set_rc(regs, U_RETRY);
        }
        rs = g_new0(GetFileState, 1);
        rs->pid = pid;
        g_hash_table_insert(s->reads, g_strdup(name), rs);
    }
    if (rs->pid != pid || offset < rs->next) {
        return set_rc(regs, U_PARAMETER);
    }
    st = uv_esm_file_get(&s->parsed, s->symkey, name, &data, &len);
    if (st == UV_ESM_NO_FILE) {
        return set_rc(regs, GET_FILE_NOT_FOUND);
    }
    if (st) {
        return set_rc(regs, U_PARAMETER);
    }
    if (offset >= len) {
        cc_wipe(data, len);
        return set_rc(regs, 0);
    }
    n = MIN(GET_FILE_CHUNK, len - offset);
    for (i = 0; i < 8; i++) {
        regs[1 + i] = 0;
    }
    for (i = 0; i < n; i++) {
        regs[1 + i / 8] |= (uint64_t)data[offset + i] << (56 - 8 * (i % 8));
    }
    cc_wipe(data, len);
    rs->next = offset + n;
    return set_rc(regs, n);
}
