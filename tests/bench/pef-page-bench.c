/*
 * pef-page-bench: secure page export and import of the built-in POWER
 * ultravisor (UV_PAGE_OUT + UV_PAGE_IN round trips of 64 KiB pages, AES-
 * 128-GCM with a per-SVM key and a counter IV) through the pure core's
 * ucall interface, next to what a round trip is made of, timed alone in
 * the same run over the same data: GnuTLS AES-128-GCM encrypt + decrypt
 * of 64 KiB, and two 64 KiB copies.
 *
 * One UvPef over a host of plain arrays (normal and secure memory), one
 * SVM with a slot of N pages, each paged in once (not timed).  Each run
 * pages every page out to its own host page and back in, in order; the
 * pages must come back as they went, or the benchmark fails (it cannot
 * time a broken path).  Prints figures only:
 *
 *   round-trips/s   UV_PAGE_OUT + UV_PAGE_IN pairs per second (best run)
 *   gcm-bound/s     GnuTLS GCM encrypt + decrypt pairs per second
 *   ratio           round-trips / gcm-bound (the ultravisor's overhead)
 *   MB/s            64 KiB x 2 per round trip, MB = 10^6 bytes
 *
 *   pef-page-bench [--pages N] [--runs R]
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"

#include <time.h>

#include <gnutls/crypto.h>

#include "hw/ppc/ultravisor/uv-pef.h"

#define PG              UV_PEF_PAGE_SIZE
#define SECURE_BASE     0x0001000000000000ULL
#define LPID            3

typedef struct Host {
    uint8_t *normal, *secure;
    uint64_t normal_size, secure_size;
} Host;

static uint8_t *ptr(Host *h, uint64_t ra, uint64_t len)
{
    if (ra < h->normal_size && h->normal_size - ra >= len) {
        return h->normal + ra;
    }
    if (ra >= SECURE_BASE && ra - SECURE_BASE < h->secure_size &&
        h->secure_size - (ra - SECURE_BASE) >= len) {
        return h->secure + (ra - SECURE_BASE);
    }
    return NULL;
}

static bool h_read(void *o, uint64_t ra, void *buf, uint64_t len)
{
    uint8_t *p = ptr(o, ra, len);

    if (p) {
        memcpy(buf, p, len);
    }
    return p != NULL;
}

static bool h_write(void *o, uint64_t ra, const void *buf, uint64_t len)
{
    uint8_t *p = ptr(o, ra, len);

    if (p) {
        memcpy(p, buf, len);
    }
    return p != NULL;
}

static const UvPefHostOps ops = { .mem_read = h_read, .mem_write = h_write };
static const UvPefCaller hv = { .hv = true };

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t ucall(UvPef *uv, uint64_t op, uint64_t a, uint64_t b,
                     uint64_t c, uint64_t d, uint64_t e)
{
    uint64_t regs[10] = { op, a, b, c, d, e };

    return uv_pef_ucall(uv, uv_pef_ucall_find(op), &hv, regs);
}

/* FNV-1a of a page: the bench's check that pages come back intact */
static uint64_t fnv(const uint8_t *p)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < PG; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static void die(const char *what)
{
    fprintf(stderr, "pef-page-bench: %s\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    uint64_t pages, runs, i, r;
    Host h;
    UvPefConfig cfg;
    UvPef *uv;
    GError *err = NULL;
    double best = 0, best_gcm = 0, best_copy = 0;
    g_autofree uint8_t *orig = NULL;
    uint8_t key[16] = { 1 }, iv[12] = { 2 };
    g_autofree uint8_t *tmp = g_malloc(PG + 16), *tmp2 = g_malloc(PG);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash,
                                                  g_int64_equal);
    g_autofree uint64_t *sums = NULL;

    g_autoptr(GOptionContext) octx = NULL;
    gint npages = 256, nruns = 5;
    GOptionEntry entries[] = {
        { "pages", 'p', 0, G_OPTION_ARG_INT, &npages,
          "64 KiB pages of the Secure VM (default 256)", "N" },
        { "runs", 'r', 0, G_OPTION_ARG_INT, &nruns,
          "runs; the best is shown (default 5)", "R" },
        { NULL }
    };

    octx = g_option_context_new("- time secure page export and import");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        die(err->message);
    }
    if (npages < 1 || npages > 4096 || nruns < 1 || nruns > 1000) {
        die("--pages must be 1..4096 and --runs 1..1000");
    }
    pages = npages;
    runs = nruns;
    sums = g_new(uint64_t, pages);
    /* host page 0 unused, the guest's pages, their page-out copies, log */
    h.normal_size = (2 * pages + 2) * PG;
    h.secure_size = (pages + 8) * PG + (1 << 20);
    h.normal = g_malloc0(h.normal_size);
    h.secure = g_malloc0(h.secure_size);
    cfg = (UvPefConfig) {
        .secure_base = SECURE_BASE, .secure_size = h.secure_size,
        .memcons_ra = (2 * pages + 1) * PG, .version = "bench",
    };
    uv = uv_pef_new(&cfg, &ops, &h, &err);
    if (!uv) {
        die(err->message);
    }
    uv_pef_reset(uv);
    for (i = 0; i < pages * PG; i++) {
        h.normal[PG + i] = i * 131 + (i >> 16);
    }
    orig = g_memdup2(h.normal + PG, pages * PG);
    if (uv_pef_svm_create(uv, LPID) ||
        ucall(uv, UV_REGISTER_MEM_SLOT, LPID, 0, pages * PG, 0, 0)) {
        die("cannot set up the SVM");
    }
    for (i = 0; i < pages; i++) {
        if (ucall(uv, UV_PAGE_IN, LPID, (1 + i) * PG, i * PG, 0, 16)) {
            die("page-in failed");
        }
    }

    for (r = 0; r < runs; r++) {
        double t0 = now(), t;

        for (i = 0; i < pages; i++) {
            uint64_t out = (1 + pages + i) * PG;

            if (ucall(uv, UV_PAGE_OUT, LPID, out, i * PG, 0, 16) ||
                ucall(uv, UV_PAGE_IN, LPID, out, i * PG, 0, 16)) {
                die("UV_PAGE_OUT/UV_PAGE_IN failed");
            }
        }
        t = pages / (now() - t0);
        best = MAX(best, t);

        /* what a round trip is made of, alone */
        t0 = now();
        for (i = 0; i < pages; i++) {
            gnutls_aead_cipher_hd_t c;
            gnutls_datum_t k = { key, sizeof(key) };
            size_t len = PG + 16;

            if (gnutls_aead_cipher_init(&c, GNUTLS_CIPHER_AES_128_GCM,
                                        &k) < 0 ||
                gnutls_aead_cipher_encrypt(c, iv, sizeof(iv), NULL, 0, 16,
                                           orig + i * PG, PG, tmp,
                                           &len) < 0) {
                die("GnuTLS encrypt");
            }
            len = PG;
            if (gnutls_aead_cipher_decrypt(c, iv, sizeof(iv), NULL, 0, 16,
                                           tmp, PG + 16, tmp2, &len) < 0) {
                die("GnuTLS decrypt");
            }
            gnutls_aead_cipher_deinit(c);
        }
        t = pages / (now() - t0);
        best_gcm = MAX(best_gcm, t);

        t0 = now();
        for (i = 0; i < pages; i++) {
            memcpy(tmp, orig + i * PG, PG);
            memcpy(h.normal + (1 + pages + i) * PG, tmp, PG);
        }
        t = pages / (now() - t0);
        best_copy = MAX(best_copy, t);
    }

    /* the pages came back as they went: each is in a secure page */
    for (i = 0; i < (h.secure_size >> 16); i++) {
        sums[i % pages] = fnv(h.secure + i * PG);
        g_hash_table_add(seen, g_memdup2(&sums[i % pages], 8));
    }
    for (i = 0; i < pages; i++) {
        uint64_t v = fnv(orig + i * PG);

        if (!g_hash_table_contains(seen, &v)) {
            die("a page did not come back as it went out");
        }
    }

    printf("pages %" PRIu64 " x 64 KiB, best of %" PRIu64 " runs\n", pages,
           runs);
    printf("round-trips/s %.0f (%.1f MB/s)\n", best, best * 2 * PG / 1e6);
    printf("gcm-bound/s   %.0f\n", best_gcm);
    printf("copies/s      %.0f\n", best_copy);
    printf("ratio         %.2f (round trips / GCM alone)\n", best / best_gcm);
    uv_pef_free(uv);
    g_free(h.normal);
    g_free(h.secure);
    return 0;
}
