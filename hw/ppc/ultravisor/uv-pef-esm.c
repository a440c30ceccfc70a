/*
 * Enter Secure Mode (ESM) blobs: parsing and checking for the built-in
 * ultravisor.  Format: include/hw/ppc/ultravisor/uv-pef-esm.h.
 *
 * Untrusted input throughout: the blob and the initrd come from the guest
 * (and from whoever built its image).  libfdt's fdt_check_full() validates
 * a tree before any lookup; every property length is checked against what
 * the format allows.
 *
 * AES-256-GCM is nettle's: svm-tools seals with 16-byte IVs, which GnuTLS
 * 3.7's accelerated GCM refuses (it takes 12-byte IVs only); the sealed
 * items are a few KiB, so speed does not matter here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "hw/ppc/ultravisor/uv-pef-esm.h"

#include <libfdt.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>

const uint8_t uv_esm_rtas_stub[UV_ESM_RTAS_STUB_LEN] = {
    0x7c, 0x64, 0x1b, 0x78,     /* mr    r4,r3 */
    0x3c, 0x60, 0x00, 0x00,     /* lis   r3,0 */
    0x60, 0x63, 0xf0, 0x00,     /* ori   r3,r3,0xf000 (KVMPPC_H_RTAS) */
    0x44, 0x00, 0x00, 0x22,     /* sc    1 */
    0x4e, 0x80, 0x00, 0x20,     /* blr */
};

static const char *const status_str[UV_ESM__MAX] = {
    [UV_ESM_OK] = "success",
    [UV_ESM_NO_BLOB] = "no ESM blob (initrd without the opt/ibm/pef cpio)",
    [UV_ESM_BAD_CPIO] = "malformed cpio archive in front of the initrd",
    [UV_ESM_BAD_BLOB] = "malformed ESM blob",
    [UV_ESM_NO_LOCKBOX] = "ESM blob has no lockbox-1 for this ultravisor",
    [UV_ESM_UNWRAP] = "the TPM could not unwrap the lockbox "
                      "(blob made for another TPM key?)",
    [UV_ESM_DIGESTS_AUTH] = "digests-fdt fails authentication "
                            "(altered blob or wrong key)",
    [UV_ESM_BAD_DIGESTS] = "malformed digests in the ESM blob",
    [UV_ESM_BAD_SVM_FDT] = "the guest's device tree lacks /chosen or /rtas "
                           "properties ESM needs",
    [UV_ESM_RTAS] = "RTAS digest mismatch",
    [UV_ESM_KERNEL] = "kernel digest mismatch",
    [UV_ESM_INITRD] = "initrd digest mismatch",
    [UV_ESM_BOOTARGS] = "bootargs digest mismatch",
    [UV_ESM_NO_FILE] = "no such attachment in the ESM blob",
    [UV_ESM_FILE_AUTH] = "attachment fails authentication",
    [UV_ESM_NO_MEMORY] = "guest memory named by the device tree is "
                         "not readable",
    [UV_ESM_TPM] = "the TPM is absent or failed",
    [UV_ESM_HASH_MMU] = "the guest uses the hash MMU (Secure VMs are radix "
                        "only)",
    [UV_ESM_NO_ROOM] = "no room below 768 MiB for the ultravisor's RTAS "
                       "bounce pages",
};

const char *uv_esm_status_str(UvEsmStatus st)
{
    return (unsigned)st < UV_ESM__MAX && status_str[st] ? status_str[st]
                                                        : "unknown";
}

/* ---- cpio "newc" (the kernel's Documentation/driver-api/early-userspace) */

#define CPIO_HDR_LEN    110
#define CPIO_TRAILER    "TRAILER!!!"

static bool cpio_hex(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        int d = g_ascii_xdigit_value(p[i]);

        if (d < 0) {
            return false;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

UvEsmStatus uv_esm_cpio_find(const uint8_t *initrd, size_t len,
                             uint64_t guest_addr,
                             size_t *blob_off, size_t *blob_len,
                             size_t *rest_off)
{
    /* Offsets from @initrd; the ultravisor starts at a 4-byte boundary. */
    uint64_t pos = align_up(guest_addr, 4) - guest_addr;
    bool found = false;

    if (len > SIZE_MAX / 2) {
        return UV_ESM_BAD_CPIO;
    }
    while (true) {
        const uint8_t *h = initrd + pos;
        uint32_t namesize, filesize;
        uint64_t name_end, data, next;

        if (pos > len || len - pos < CPIO_HDR_LEN) {
            return found ? UV_ESM_BAD_CPIO : UV_ESM_NO_BLOB;
        }
        if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6)) {
            return found ? UV_ESM_BAD_CPIO : UV_ESM_NO_BLOB;
        }
        if (!cpio_hex(h + 54, &filesize) || !cpio_hex(h + 94, &namesize) ||
            namesize == 0) {
            return UV_ESM_BAD_CPIO;
        }
        name_end = pos + CPIO_HDR_LEN + namesize;
        data = align_up(guest_addr + name_end, 4) - guest_addr;
        next = align_up(guest_addr + data + filesize, 4) - guest_addr;
        if (name_end > len || data + filesize > len) {
            return UV_ESM_BAD_CPIO;
        }
        if (initrd[name_end - 1] != '\0') {
            return UV_ESM_BAD_CPIO;
        }
        if (namesize == sizeof(CPIO_TRAILER) &&
            !memcmp(h + CPIO_HDR_LEN, CPIO_TRAILER, sizeof(CPIO_TRAILER))) {
            if (!found) {
                return UV_ESM_NO_BLOB;
            }
            next = align_up(guest_addr + next, 512) - guest_addr;
            if (next > len) {
                return UV_ESM_BAD_CPIO;
            }
            *rest_off = next;
            return UV_ESM_OK;
        }
        if (filesize && !found) {
            const char *name = (const char *)h + CPIO_HDR_LEN;
            uint64_t off;

            /* The first member with data decides: the blob or nothing. */
            if (strncmp(name, UV_ESM_CPIO_DIR "/",
                        sizeof(UV_ESM_CPIO_DIR))) {
                return UV_ESM_NO_BLOB;
            }
            for (off = 0; off + 4 <= filesize; off += 4) {
                if (be32(initrd + data + off) == FDT_MAGIC) {
                    break;
                }
            }
            if (off + 4 > filesize) {
                return UV_ESM_NO_BLOB;
            }
            *blob_off = data + off;
            *blob_len = filesize - off;
            found = true;
        }
        pos = next;
    }
}

/* ---- the blob */

/* Property @name of @node, exactly @len bytes (or 1..@len with !@exact). */
static const uint8_t *prop_bytes(const void *fdt, int node, const char *name,
                                 size_t len, bool exact, size_t *out_len)
{
    int l;
    const uint8_t *p = fdt_getprop(fdt, node, name, &l);

    if (!p || l <= 0 || (size_t)l > len || (exact && (size_t)l != len)) {
        return NULL;
    }
    if (out_len) {
        *out_len = l;
    }
    return p;
}

/* A NUL-terminated string property equal to @want. */
static bool prop_is(const void *fdt, int node, const char *name,
                    const char *want)
{
    int l;
    const char *p = fdt_getprop(fdt, node, name, &l);

    return p && l > 0 && (size_t)l == strlen(want) + 1 && !memcmp(p, want, l);
}

static bool sealed_parse(const void *fdt, int node, UvEsmSealed *s)
{
    if (!prop_is(fdt, node, "algorithm", "AES256-GCM")) {
        return false;
    }
    s->iv = prop_bytes(fdt, node, "iv", UV_ESM_IV_MAX, false, &s->iv_len);
    s->mac = prop_bytes(fdt, node, "mac", UV_ESM_MAC_LEN, true, NULL);
    s->ct = prop_bytes(fdt, node, "ciphertext", UV_ESM_SEALED_MAX, false,
                       &s->ct_len);
    return s->iv && s->mac && s->ct;
}

/* A whole, valid FDT of @size bytes or fewer, 8-byte aligned (libfdt). */
static bool fdt_whole(const void *fdt, size_t size)
{
    return size >= sizeof(struct fdt_header) && size <= INT_MAX &&
           !((uintptr_t)fdt & 7) &&
           fdt_check_full(fdt, size) == 0;
}

UvEsmStatus uv_esm_blob_parse(const void *fdt, size_t size, UvEsmBlob *b)
{
    int node, lb, fp;

    memset(b, 0, sizeof(*b));
    if (size > UV_ESM_BLOB_MAX || !fdt_whole(fdt, size) ||
        !prop_is(fdt, 0, "compatible", "ibm,esm")) {
        return UV_ESM_BAD_BLOB;
    }
    b->fdt = fdt;
    b->size = fdt_totalsize(fdt);

    node = fdt_path_offset(fdt, "/lockboxes");
    if (node < 0) {
        return UV_ESM_BAD_BLOB;
    }
    lb = fdt_subnode_offset(fdt, node, "lockbox-1");
    if (lb < 0) {
        return UV_ESM_NO_LOCKBOX;
    }
    b->wrapped_key = prop_bytes(fdt, lb, "encrypted-symkey",
                                UV_ESM_WRAPPED_MAX, false,
                                &b->wrapped_key_len);
    fp = fdt_subnode_offset(fdt, lb, "pubkey-fingerprint");
    if (!b->wrapped_key || fp < 0 ||
        !prop_is(fdt, fp, "algorithm", "SHA256")) {
        return UV_ESM_BAD_BLOB;
    }
    b->fingerprint = prop_bytes(fdt, fp, "hash", UV_ESM_FPR_LEN, true, NULL);
    if (!b->fingerprint) {
        return UV_ESM_BAD_BLOB;
    }

    node = fdt_path_offset(fdt, "/digest/digests-fdt");
    if (node < 0 || !sealed_parse(fdt, node, &b->digests)) {
        return UV_ESM_BAD_BLOB;
    }

    /* Attachments are optional (svm-tool makes an empty /file). */
    node = fdt_path_offset(fdt, "/file");
    if (node >= 0) {
        int l;
        const void *ff = fdt_getprop(fdt, node, "files-fdt", &l);

        if (ff) {
            /* A property is 4-byte aligned; libfdt wants 8. */
            g_autofree void *copy = g_memdup2(ff, l > 0 ? l : 1);

            if (!fdt_whole(copy, l) ||
                !prop_is(copy, 0, "compatible", "ibm,esm-file")) {
                return UV_ESM_BAD_BLOB;
            }
            b->files_fdt = ff;
            b->files_fdt_len = l;
        }
    }
    return UV_ESM_OK;
}

/* ---- AES-256-GCM */

bool uv_esm_gcm_seal(const uint8_t key[UV_ESM_SYMKEY_LEN],
                     const uint8_t *iv, size_t iv_len,
                     const uint8_t *in, size_t len, uint8_t *out,
                     uint8_t mac[UV_ESM_MAC_LEN])
{
    struct gcm_aes256_ctx ctx;

    if (!iv_len || iv_len > UV_ESM_IV_MAX) {
        return false;
    }
    gcm_aes256_set_key(&ctx, key);
    gcm_aes256_set_iv(&ctx, iv_len, iv);
    gcm_aes256_encrypt(&ctx, len, out, in);
    gcm_aes256_digest(&ctx, UV_ESM_MAC_LEN, mac);
    cc_wipe(&ctx, sizeof(ctx));
    return true;
}

bool uv_esm_gcm_open(const uint8_t key[UV_ESM_SYMKEY_LEN],
                     const UvEsmSealed *s, uint8_t *out)
{
    struct gcm_aes256_ctx ctx;
    uint8_t mac[UV_ESM_MAC_LEN];
    bool ok;

    gcm_aes256_set_key(&ctx, key);
    gcm_aes256_set_iv(&ctx, s->iv_len, s->iv);
    gcm_aes256_decrypt(&ctx, s->ct_len, out, s->ct);
    gcm_aes256_digest(&ctx, sizeof(mac), mac);
    ok = memeql_sec(mac, s->mac, sizeof(mac));
    cc_wipe(&ctx, sizeof(ctx));
    if (!ok) {
        cc_wipe(out, s->ct_len);
    }
    return ok;
}

bool uv_esm_digest_equal(const uint8_t *a, const uint8_t *b)
{
    return memeql_sec(a, b, UV_ESM_DIGEST_LEN);
}

static bool digest_prop(const void *fdt, int node, const char *name,
                        uint8_t out[UV_ESM_DIGEST_LEN])
{
    const uint8_t *p = prop_bytes(fdt, node, name, UV_ESM_DIGEST_LEN, true,
                                  NULL);

    if (p) {
        memcpy(out, p, UV_ESM_DIGEST_LEN);
    }
    return p != NULL;
}

UvEsmStatus uv_esm_digests_open(const UvEsmBlob *b,
                                const uint8_t key[UV_ESM_SYMKEY_LEN],
                                UvEsmDigests *d)
{
    g_autofree uint8_t *pt = g_malloc(b->digests.ct_len);
    UvEsmStatus st = UV_ESM_BAD_DIGESTS;
    const uint8_t *ks;
    int node;

    memset(d, 0, sizeof(*d));
    if (!uv_esm_gcm_open(key, &b->digests, pt)) {
        return UV_ESM_DIGESTS_AUTH;
    }
    if (!fdt_whole(pt, b->digests.ct_len)) {
        goto out;
    }
    node = fdt_path_offset(pt, "/digests");
    if (node < 0 || !prop_is(pt, node, "algorithm", "SHA512") ||
        !digest_prop(pt, node, "rtas", d->rtas) ||
        !digest_prop(pt, node, "kernel", d->kernel) ||
        !digest_prop(pt, node, "initrd", d->initrd) ||
        !digest_prop(pt, node, "bootargs", d->bootargs)) {
        goto out;
    }
    ks = prop_bytes(pt, node, "kernel-size", 4, true, NULL);
    if (!ks || !be32(ks)) {
        goto out;
    }
    d->kernel_size = be32(ks);
    st = UV_ESM_OK;
out:
    cc_wipe(pt, b->digests.ct_len);
    if (st != UV_ESM_OK) {
        cc_wipe(d, sizeof(*d));
    }
    return st;
}

UvEsmStatus uv_esm_file_get(const UvEsmBlob *b,
                            const uint8_t key[UV_ESM_SYMKEY_LEN],
                            const char *name, uint8_t **out, size_t *out_len)
{
    g_autofree void *ff = NULL;
    UvEsmSealed s;
    int node;

    *out = NULL;
    *out_len = 0;
    if (!b->files_fdt || !*name || strchr(name, '/')) {
        return UV_ESM_NO_FILE;
    }
    ff = g_memdup2(b->files_fdt, b->files_fdt_len);
    node = fdt_path_offset(ff, "/files");
    if (node >= 0) {
        node = fdt_subnode_offset(ff, node, name);
    }
    if (node < 0) {
        return UV_ESM_NO_FILE;
    }
    if (!sealed_parse(ff, node, &s)) {
        return UV_ESM_BAD_BLOB;
    }
    *out = g_malloc(s.ct_len);
    if (!uv_esm_gcm_open(key, &s, *out)) {
        g_free(*out);
        *out = NULL;
        return UV_ESM_FILE_AUTH;
    }
    *out_len = s.ct_len;
    return UV_ESM_OK;
}
