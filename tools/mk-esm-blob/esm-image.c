/*
 * qemu-ibm-cc mk-esm-blob: the blob, the esmb-initrd, the kernel binary
 * and RSA-OAEP.  Layout and field order as open-power/svm-tools
 * (svm_tool/esm/esm.py, esm_digest.py, svm/svm.py) produce them; see
 * esm-image.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "esm-image.h"

#include <elf.h>
#include <gmp.h>
#include <gnutls/crypto.h>
#include <libfdt.h>
#include <nettle/bignum.h>
#include <nettle/sha2.h>

#define ESM_ERR     g_quark_from_static_string("esm-image")

static void sha512(const void *data, size_t len, uint8_t out[64])
{
    if (gnutls_hash_fast(GNUTLS_DIG_SHA512, data, len, out) < 0) {
        g_error("GnuTLS has no SHA-512");
    }
}

void esm_image_digests(const EsmImageParams *p, UvEsmDigests *d)
{
    sha512(uv_esm_rtas_stub, sizeof(uv_esm_rtas_stub), d->rtas);
    sha512(p->kernel, p->kernel_len, d->kernel);
    d->kernel_size = p->kernel_len;
    sha512(p->initramfs, p->initramfs_len, d->initrd);
    sha512(p->bootargs, strlen(p->bootargs), d->bootargs);
}

/* ---- RSA-OAEP (RFC 8017 7.1.1) */

/*
 * Debian 12's nettle (3.8) and GnuTLS (3.7) have no RSA-OAEP (nettle 3.10
 * and GnuTLS 3.8.4 add it), so the encoding is ours, over nettle's SHA-256
 * and GMP's modular exponentiation (the public operation needs no
 * side-channel care: nothing in it is secret but the message, which the
 * padding masks).
 */
static void mgf1_sha256_xor(const uint8_t *z, size_t z_len, uint8_t *out,
                            size_t len)
{
    uint32_t counter;
    size_t done = 0;

    for (counter = 0; done < len; counter++) {
        struct sha256_ctx ctx;
        uint8_t c[4] = { counter >> 24, counter >> 16, counter >> 8, counter };
        uint8_t h[SHA256_DIGEST_SIZE];
        size_t i;

        sha256_init(&ctx);
        sha256_update(&ctx, z_len, z);
        sha256_update(&ctx, sizeof(c), c);
        sha256_digest(&ctx, sizeof(h), h);
        for (i = 0; i < sizeof(h) && done < len; i++) {
            out[done++] ^= h[i];
        }
    }
}

bool esm_oaep_sha256_encrypt(const EsmImageKey *k, const uint8_t *msg,
                             size_t msg_len, uint8_t *out, size_t *out_len,
                             GError **errp)
{
    const size_t hlen = SHA256_DIGEST_SIZE;
    mpz_t n, e, m;
    size_t kl, bits;
    g_autofree uint8_t *em = NULL;
    uint8_t *seed, *db;
    struct sha256_ctx lhash;
    bool ok = false;

    mpz_init(n);
    mpz_init(e);
    mpz_init(m);
    nettle_mpz_set_str_256_u(n, k->n_len, k->n);
    nettle_mpz_set_str_256_u(e, k->e_len, k->e);
    bits = mpz_sizeinbase(n, 2);
    kl = (bits + 7) / 8;
    if (bits < 1024 || bits > 8192 || mpz_even_p(n) || mpz_even_p(e) ||
        mpz_cmp_ui(e, 3) < 0 || mpz_cmp(e, n) >= 0) {
        g_set_error(errp, ESM_ERR, 0, "not a usable RSA key (%zu-bit modulus; "
                    "1024 to 8192 bits, odd exponent >= 3 expected)", bits);
        goto out;
    }
    if (msg_len > kl - 2 * hlen - 2) {
        g_set_error(errp, ESM_ERR, 0, "message too long for RSA-OAEP");
        goto out;
    }
    em = g_malloc0(kl);
    seed = em + 1;
    db = em + 1 + hlen;
    /* DB = SHA-256("") || zeros || 0x01 || M */
    sha256_init(&lhash);
    sha256_digest(&lhash, hlen, db);
    db[kl - hlen - 1 - msg_len - 1] = 0x01;
    memcpy(db + kl - hlen - 1 - msg_len, msg, msg_len);
    memcpy(seed, k->oaep_seed, hlen);
    mgf1_sha256_xor(seed, hlen, db, kl - hlen - 1);
    mgf1_sha256_xor(db, kl - hlen - 1, seed, hlen);

    nettle_mpz_set_str_256_u(m, kl, em);
    mpz_powm(m, m, e, n);
    memset(out, 0, kl);
    nettle_mpz_get_str_256(kl, out, m);
    *out_len = kl;
    ok = true;
out:
    if (em) {
        cc_wipe(em, kl);
    }
    mpz_clear(n);
    mpz_clear(e);
    mpz_clear(m);
    return ok;
}

/* ---- FDTs (libfdt's sequential writer) */

typedef struct FdtW {
    uint8_t *buf;
    size_t size;
    int err;
} FdtW;

static void fw_init(FdtW *w, size_t payload)
{
    w->size = payload + 16384;
    w->buf = g_malloc0(w->size);
    w->err = fdt_create(w->buf, w->size);
    if (!w->err) {
        w->err = fdt_finish_reservemap(w->buf);
    }
}

static void fw_begin(FdtW *w, const char *name)
{
    if (!w->err) {
        w->err = fdt_begin_node(w->buf, name);
    }
}

static void fw_end(FdtW *w)
{
    if (!w->err) {
        w->err = fdt_end_node(w->buf);
    }
}

static void fw_prop(FdtW *w, const char *name, const void *v, size_t len)
{
    if (!w->err) {
        w->err = fdt_property(w->buf, name, v, len);
    }
}

static void fw_str(FdtW *w, const char *name, const char *v)
{
    fw_prop(w, name, v, strlen(v) + 1);
}

static GBytes *fw_finish(FdtW *w, GError **errp)
{
    if (!w->err) {
        w->err = fdt_finish(w->buf);
    }
    if (w->err) {
        g_set_error(errp, ESM_ERR, 0, "building an FDT: %s",
                    fdt_strerror(w->err));
        g_free(w->buf);
        return NULL;
    }
    return g_bytes_new_take(w->buf, fdt_totalsize(w->buf));
}

/* algorithm, untrusted-comment, ciphertext, iv, mac: svm-tool's order */
static bool fw_sealed(FdtW *w, const uint8_t key[UV_ESM_SYMKEY_LEN],
                      const uint8_t iv[ESM_IMAGE_IV_LEN], const char *comment,
                      const uint8_t *data, size_t len, GError **errp)
{
    g_autofree uint8_t *ct = g_malloc(len ? len : 1);
    uint8_t mac[UV_ESM_MAC_LEN];

    if (len > UV_ESM_SEALED_MAX) {
        g_set_error(errp, ESM_ERR, 0, "%zu bytes to seal, at most %d allowed",
                    len, UV_ESM_SEALED_MAX);
        return false;
    }
    uv_esm_gcm_seal(key, iv, ESM_IMAGE_IV_LEN, data, len, ct, mac);
    fw_str(w, "algorithm", "AES256-GCM");
    fw_str(w, "untrusted-comment", comment ? comment : "");
    fw_prop(w, "ciphertext", ct, len);
    fw_prop(w, "iv", iv, ESM_IMAGE_IV_LEN);
    fw_prop(w, "mac", mac, sizeof(mac));
    return true;
}

static bool fw_lockbox(FdtW *w, const char *name, const EsmImageKey *k,
                       const uint8_t symkey[UV_ESM_SYMKEY_LEN], GError **errp)
{
    uint8_t wrapped[UV_ESM_WRAPPED_MAX];
    size_t wlen;

    if (!esm_oaep_sha256_encrypt(k, symkey, UV_ESM_SYMKEY_LEN, wrapped, &wlen,
                                 errp)) {
        return false;
    }
    fw_begin(w, name);
    fw_str(w, "untrusted-comment", k->comment ? k->comment : "");
    fw_prop(w, "encrypted-symkey", wrapped, wlen);
    fw_begin(w, "pubkey-fingerprint");
    fw_str(w, "algorithm", "SHA256");
    fw_prop(w, "hash", k->fingerprint, UV_ESM_FPR_LEN);
    fw_end(w);
    fw_end(w);
    return true;
}

static GBytes *digests_fdt(const EsmImageParams *p, GError **errp)
{
    UvEsmDigests d;
    uint8_t ks[4];
    FdtW w;

    esm_image_digests(p, &d);
    cc_put_be32(ks, d.kernel_size);
    fw_init(&w, 1024);
    fw_begin(&w, "");
    fw_str(&w, "compatible", "ibm,esm");
    fw_begin(&w, "digests");
    fw_str(&w, "algorithm", "SHA512");
    fw_prop(&w, "rtas", d.rtas, sizeof(d.rtas));
    fw_prop(&w, "kernel", d.kernel, sizeof(d.kernel));
    fw_prop(&w, "kernel-size", ks, sizeof(ks));
    fw_prop(&w, "initrd", d.initrd, sizeof(d.initrd));
    fw_prop(&w, "bootargs", d.bootargs, sizeof(d.bootargs));
    fw_end(&w);
    fw_end(&w);
    return fw_finish(&w, errp);
}

static GBytes *files_fdt(const EsmImageParams *p, GError **errp)
{
    size_t i, total = 0;
    FdtW w;

    for (i = 0; i < p->n_files; i++) {
        total += p->files[i].len + 256;
    }
    fw_init(&w, total);
    fw_begin(&w, "");
    fw_str(&w, "compatible", "ibm,esm-file");
    fw_begin(&w, "files");
    /* svm-tool adds each attachment in front of the earlier ones */
    for (i = p->n_files; i-- > 0;) {
        const EsmImageFile *f = &p->files[i];

        fw_begin(&w, f->name);
        if (!fw_sealed(&w, p->symkey, f->iv, f->comment, f->data, f->len,
                       errp)) {
            g_free(w.buf);
            return NULL;
        }
        fw_end(&w);
    }
    fw_end(&w);
    fw_end(&w);
    return fw_finish(&w, errp);
}

GBytes *esm_image_blob(const EsmImageParams *p, GError **errp)
{
    g_autoptr(GBytes) dig = NULL;
    g_autoptr(GBytes) files = NULL;
    size_t i;
    FdtW w;

    if (p->n_recipients > 99) {
        g_set_error(errp, ESM_ERR, 0, "too many recipients");
        return NULL;
    }
    dig = digests_fdt(p, errp);
    if (!dig) {
        return NULL;
    }
    if (p->n_files) {
        files = files_fdt(p, errp);
        if (!files) {
            return NULL;
        }
    }
    fw_init(&w, g_bytes_get_size(dig) +
            (files ? g_bytes_get_size(files) : 0) +
            (p->n_recipients + 1) * (UV_ESM_WRAPPED_MAX + 256));
    fw_begin(&w, "");
    fw_str(&w, "compatible", "ibm,esm");

    fw_begin(&w, "lockboxes");
    for (i = p->n_recipients; i-- > 0;) {
        g_autofree char *name = g_strdup_printf("lockbox-%zu", i + 1);

        if (!fw_lockbox(&w, name, &p->recipients[i], p->symkey, errp)) {
            goto fail;
        }
    }
    if (!fw_lockbox(&w, "origin-lockbox", &p->origin, p->symkey, errp)) {
        goto fail;
    }
    fw_end(&w);

    fw_begin(&w, "digest");
    fw_begin(&w, "digests-fdt");
    if (!fw_sealed(&w, p->symkey, p->digests_iv, p->digest_comment,
                   g_bytes_get_data(dig, NULL), g_bytes_get_size(dig),
                   errp)) {
        goto fail;
    }
    fw_end(&w);
    fw_end(&w);

    fw_begin(&w, "file");
    if (files) {
        fw_prop(&w, "files-fdt", g_bytes_get_data(files, NULL),
                g_bytes_get_size(files));
    }
    fw_end(&w);
    fw_end(&w);
    return fw_finish(&w, errp);
fail:
    g_free(w.buf);
    return NULL;
}

/* ---- cpio "newc" */

static void cpio_entry(GByteArray *a, uint32_t ino, uint32_t mode,
                       uint32_t nlink, const char *name, const void *data,
                       size_t len)
{
    static const uint8_t zero[4];
    g_autofree char *hdr = g_strdup_printf(
        "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
        ino, mode, 0, 0, nlink, 0, (uint32_t)len, 0, 0, 0, 0,
        (uint32_t)strlen(name) + 1, 0);

    g_byte_array_append(a, (const uint8_t *)hdr, strlen(hdr));
    g_byte_array_append(a, (const uint8_t *)name, strlen(name) + 1);
    g_byte_array_append(a, zero, -a->len & 3);
    if (len) {
        g_byte_array_append(a, data, len);
        g_byte_array_append(a, zero, -a->len & 3);
    }
}

GBytes *esm_image_initrd(const EsmImageParams *p, GBytes *blob)
{
    GByteArray *a = g_byte_array_new();
    g_autofree char *path = g_strdup_printf(UV_ESM_CPIO_DIR "/%s",
                                            p->cpio_name);
    size_t pad;

    /* The directories, the blob, the trailer; deterministic metadata. */
    cpio_entry(a, 1, 040755, 2, "opt", NULL, 0);
    cpio_entry(a, 2, 040755, 2, "opt/ibm", NULL, 0);
    cpio_entry(a, 3, 040755, 2, UV_ESM_CPIO_DIR, NULL, 0);
    cpio_entry(a, 4, 0100644, 1, path, g_bytes_get_data(blob, NULL),
               g_bytes_get_size(blob));
    cpio_entry(a, 0, 0, 1, "TRAILER!!!", NULL, 0);
    /* cpio pads to 512-byte blocks; the initrd digest starts after. */
    pad = -a->len & 511;
    g_byte_array_set_size(a, a->len + pad);
    memset(a->data + a->len - pad, 0, pad);
    g_byte_array_append(a, p->initramfs, p->initramfs_len);
    return g_byte_array_free_to_bytes(a);
}

/* ---- ELF64 -> objcopy -O binary -S */

typedef struct Elf {
    const uint8_t *d;
    size_t len;
    bool be;
} Elf;

static uint64_t elf_get(const Elf *e, size_t off, int size)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < size; i++) {
        int b = e->be ? i : size - 1 - i;

        v = (v << 8) | e->d[off + b];
    }
    return v;
}

#define EF(e, base, type, field) \
    elf_get(e, (base) + offsetof(type, field), sizeof(((type *)0)->field))

GBytes *esm_kernel_binary(const uint8_t *d, size_t len, GError **errp)
{
    Elf e = { .d = d, .len = len };
    uint64_t phoff, shoff, lo = UINT64_MAX, hi = 0;
    unsigned phnum, shnum, phsz, shsz, i, j;
    g_autofree uint64_t *lma = NULL;
    uint8_t *out;

    if (len < sizeof(Elf64_Ehdr) || memcmp(d, ELFMAG, SELFMAG)) {
        g_set_error(errp, ESM_ERR, 0, "not an ELF file (the kernel must be "
                    "the vmlinux ELF)");
        return NULL;
    }
    if (d[EI_CLASS] != ELFCLASS64 ||
        (d[EI_DATA] != ELFDATA2LSB && d[EI_DATA] != ELFDATA2MSB)) {
        g_set_error(errp, ESM_ERR, 0, "not a 64-bit ELF file");
        return NULL;
    }
    e.be = d[EI_DATA] == ELFDATA2MSB;
    if (EF(&e, 0, Elf64_Ehdr, e_machine) != EM_PPC64) {
        g_set_error(errp, ESM_ERR, 0, "not a 64-bit POWER ELF file");
        return NULL;
    }
    phoff = EF(&e, 0, Elf64_Ehdr, e_phoff);
    phnum = EF(&e, 0, Elf64_Ehdr, e_phnum);
    phsz = EF(&e, 0, Elf64_Ehdr, e_phentsize);
    shoff = EF(&e, 0, Elf64_Ehdr, e_shoff);
    shnum = EF(&e, 0, Elf64_Ehdr, e_shnum);
    shsz = EF(&e, 0, Elf64_Ehdr, e_shentsize);
    if ((phnum && phsz < sizeof(Elf64_Phdr)) || shsz < sizeof(Elf64_Shdr) ||
        !shnum || phoff > len || (len - phoff) / (phsz ? phsz : 1) < phnum ||
        shoff > len || (len - shoff) / shsz < shnum) {
        g_set_error(errp, ESM_ERR, 0, "truncated or malformed ELF headers");
        return NULL;
    }

    /*
     * A loaded section's load address (BFD's LMA) is its file offset's
     * place in the PT_LOAD segment holding it; outside every segment it
     * is the section's address.
     */
    lma = g_new0(uint64_t, shnum);
    for (i = 0; i < shnum; i++) {
        size_t sh = shoff + (size_t)i * shsz;
        uint64_t off = EF(&e, sh, Elf64_Shdr, sh_offset);
        uint64_t size = EF(&e, sh, Elf64_Shdr, sh_size);

        if (!(EF(&e, sh, Elf64_Shdr, sh_flags) & SHF_ALLOC) ||
            EF(&e, sh, Elf64_Shdr, sh_type) == SHT_NOBITS || !size) {
            lma[i] = UINT64_MAX;
            continue;
        }
        if (off > len || len - off < size) {
            g_set_error(errp, ESM_ERR, 0, "ELF section %u lies outside the "
                        "file", i);
            return NULL;
        }
        lma[i] = EF(&e, sh, Elf64_Shdr, sh_addr);
        for (j = 0; j < phnum; j++) {
            size_t ph = phoff + (size_t)j * phsz;
            uint64_t poff = EF(&e, ph, Elf64_Phdr, p_offset);
            uint64_t pfsz = EF(&e, ph, Elf64_Phdr, p_filesz);

            if (EF(&e, ph, Elf64_Phdr, p_type) == PT_LOAD &&
                off >= poff && off - poff < pfsz && size <= pfsz - (off - poff)) {
                lma[i] = EF(&e, ph, Elf64_Phdr, p_paddr) + (off - poff);
                break;
            }
        }
        if (lma[i] > UINT64_MAX - size - 1) {
            g_set_error(errp, ESM_ERR, 0, "ELF section %u: bad address", i);
            return NULL;
        }
        lo = MIN(lo, lma[i]);
        hi = MAX(hi, lma[i] + size);
    }
    if (lo == UINT64_MAX) {
        g_set_error(errp, ESM_ERR, 0, "the ELF file has no loaded contents");
        return NULL;
    }
    if (hi - lo > UINT32_MAX) {
        g_set_error(errp, ESM_ERR, 0, "the kernel's binary image would be "
                    "%" PRIu64 " bytes; kernel-size is a 32-bit field",
                    hi - lo);
        return NULL;
    }
    out = g_malloc0(hi - lo);
    for (i = 0; i < shnum; i++) {
        size_t sh = shoff + (size_t)i * shsz;

        if (lma[i] != UINT64_MAX) {
            memcpy(out + (lma[i] - lo), d + EF(&e, sh, Elf64_Shdr, sh_offset),
                   EF(&e, sh, Elf64_Shdr, sh_size));
        }
    }
    return g_bytes_new_take(out, hi - lo);
}
