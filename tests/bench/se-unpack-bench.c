/*
 * se-unpack-bench: throughput of the emulated ultravisor's image unpacking
 * (UNPACK_IMG of every page, then VERIFY_IMG) through the pure core's
 * se_uv_* interface, next to GnuTLS's and nettle's SHA-512 and AES-256-XTS
 * alone over the same data in the same process (the core uses GnuTLS's,
 * picked by these figures).
 *
 * The image (N MiB of pages at guest addresses 0..N MiB) is packed once
 * with SePackCtx and given an SE header from se_hdr_build; none of that
 * is timed.  Each run copies the packed image into a work buffer (not
 * timed), creates a fresh ultravisor and configuration, sets the header
 * (not timed: one P-521 ECDH) and times se_uv_unpack of every page plus
 * se_uv_verify.  Verify must succeed and the pages must come out as the
 * plaintext, or the benchmark fails: it cannot silently time a broken
 * path.  It prints figures only; tests/bench/se-unpack.sh compares them
 * with `openssl speed`.
 *
 * Unpacking runs on the calling thread only (in QEMU: the vCPU thread);
 * "unpack-cpu" is the same data over that thread's CPU time, which a busy
 * machine disturbs less than the wall-clock figure.
 *
 *   se-unpack-bench [--mib N] [--runs R]
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"

#include <inttypes.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <nettle/sha2.h>
#include <nettle/xts.h>

#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"

#define PROG "se-unpack-bench"

/* Tweak prefix of every page, as for one image component */
#define BENCH_TWEAK_PREF    0x0000a1b2c3d4e5f6ULL

typedef struct Bench {
    SeHdr uhdr;                 /* the fields SeUnpackCtx uses */
    SeHdrSecrets secrets;
    uint64_t npages;
    size_t size;
    uint8_t *stored;            /* the packed image, never modified */
    uint8_t *work;              /* unpacked in place by each run */
    uint8_t *hdr;
    size_t hdr_len;
    uint8_t pld[SE_HDR_DIGEST_SIZE];
    SeHostKey host;
    uint8_t xts_key[SE_HDR_XTS_KEY_SIZE];
} Bench;

static void G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* Deterministic page contents that differ per page and per word. */
static void fill_page(uint8_t *p, uint64_t pfn)
{
    uint64_t w;
    size_t i;

    for (i = 0; i < SE_PAGE_SIZE; i += sizeof(w)) {
        w = ((pfn << 32) | i) * 0x9e3779b97f4a7c15ULL;
        memcpy(p + i, &w, sizeof(w));
    }
}

static double now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static double cpu_clock(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts)) {
        die("clock_gettime(%d) failed", (int)id);
    }
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of the calling thread */
static double thread_cpu(void)
{
    return cpu_clock(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU seconds of the whole process */
static double process_cpu(void)
{
    return cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
}

/* Pack the image and build its header (not timed). */
static void bench_prepare(Bench *b)
{
    g_autoptr(SePackCtx) pc = NULL;
    g_autoptr(GError) gerr = NULL;
    SeHdrBuildParams p = { 0 };
    uint8_t d[CC_P521_LEN];
    uint64_t i;

    memset(d, 0x11, sizeof(d));
    d[0] = 0;
    if (!se_host_key_init(&b->host, d)) {
        die("host key rejected");
    }
    for (i = 0; i < SE_HDR_XTS_KEY_SIZE; i++) {
        b->xts_key[i] = 0x5a ^ (i * 3);
    }

    pc = se_pack_new(b->xts_key, false);
    for (i = 0; i < b->npages; i++) {
        uint8_t *page = b->stored + i * SE_PAGE_SIZE;

        fill_page(page, i);
        if (!se_pack_page(pc, i * SE_PAGE_SIZE, BENCH_TWEAK_PREF,
                          i * SE_PAGE_SIZE, page)) {
            die("se_pack_page failed at page %" PRIu64, i);
        }
    }
    se_pack_result(pc, p.pld, p.ald, p.tld, &p.nep);
    memcpy(b->pld, p.pld, sizeof(b->pld));
    memcpy(b->uhdr.pld, p.pld, sizeof(p.pld));
    memcpy(b->uhdr.ald, p.ald, sizeof(p.ald));
    memcpy(b->uhdr.tld, p.tld, sizeof(p.tld));
    b->uhdr.nep = p.nep;
    memcpy(b->secrets.xts_key, b->xts_key, sizeof(b->xts_key));
    if (p.nep != b->npages) {
        die("pack counted %" PRIu64 " pages, not %" PRIu64,
            p.nep, b->npages);
    }

    memset(p.iv, 0x33, sizeof(p.iv));
    memcpy(p.secrets.xts_key, b->xts_key, sizeof(b->xts_key));
    memset(p.hdr_key, 0x44, sizeof(p.hdr_key));
    memset(p.cust_priv, 0x22, sizeof(p.cust_priv));
    p.cust_priv[0] = 0;
    p.host_pub = &b->host.pub;
    p.n_host_keys = 1;
    b->hdr = se_hdr_build(&p, &b->hdr_len, &gerr);
    if (!b->hdr) {
        die("se_hdr_build: %s", gerr->message);
    }
}

/* The pages after a run must be the plaintext. */
static void check_plain(Bench *b)
{
    uint8_t expect[SE_PAGE_SIZE];
    uint64_t i;

    for (i = 0; i < b->npages; i++) {
        fill_page(expect, i);
        if (memcmp(b->work + i * SE_PAGE_SIZE, expect, SE_PAGE_SIZE)) {
            die("page %" PRIu64 " is not the plaintext after unpack", i);
        }
    }
}

/*
 * One timed unpack of the whole image; returns seconds.  *@cpu: CPU
 * seconds of the calling thread.
 */
static double run_unpack(Bench *b, double *cpu)
{
    SeUv *uv;
    SeError err;
    uint64_t conf, i;
    uint16_t rc, rrc;
    double t0, c0, t;

    memcpy(b->work, b->stored, b->size);
    uv = se_uv_new(b->size, 1, &b->host, NULL);
    rc = se_uv_create_conf(uv, &conf, &rrc);
    if (rc != UVC_RC_EXECUTED) {
        die("create_conf: rc 0x%04x rrc 0x%04x", rc, rrc);
    }
    rc = se_uv_set_params(uv, conf, b->hdr, b->hdr_len, &rrc, &err);
    if (rc != UVC_RC_EXECUTED) {
        die("set_params: rc 0x%04x rrc 0x%04x (%s)", rc, rrc, err.check);
    }

    c0 = thread_cpu();
    t0 = now();
    for (i = 0; i < b->npages; i++) {
        rc = se_uv_unpack(uv, conf, i * SE_PAGE_SIZE, BENCH_TWEAK_PREF,
                          i * SE_PAGE_SIZE, b->work + i * SE_PAGE_SIZE,
                          &rrc);
        if (rc != UVC_RC_EXECUTED) {
            die("unpack of page %" PRIu64 ": rc 0x%04x rrc 0x%04x",
                i, rc, rrc);
        }
    }
    rc = se_uv_verify(uv, conf, &rrc);
    t = now() - t0;
    *cpu = thread_cpu() - c0;
    if (process_cpu() - c0 > *cpu + 0.5 * t) {
        /* the process is this one thread: nothing else should run */
        die("unpack used more than one thread");
    }

    if (rc != UVC_RC_EXECUTED) {
        die("verify: rc 0x%04x rrc 0x%04x", rc, rrc);
    }
    if (se_uv_conf_state(uv) != SE_UV_CONF_VERIFIED) {
        die("verify succeeded but the configuration is not verified");
    }
    se_uv_free(uv);
    check_plain(b);
    return t;
}

/* nettle SHA-512 over the stored image, page by page (as PLD). */
static double run_sha512(Bench *b)
{
    struct sha512_ctx ctx;
    uint8_t digest[SHA512_DIGEST_SIZE];
    uint64_t i;
    double t0, t;

    memcpy(b->work, b->stored, b->size);
    t0 = now();
    sha512_init(&ctx);
    for (i = 0; i < b->npages; i++) {
        sha512_update(&ctx, SE_PAGE_SIZE, b->work + i * SE_PAGE_SIZE);
    }
    sha512_digest(&ctx, sizeof(digest), digest);
    t = now() - t0;
    /* PLD is the SHA-512 of the stored pages */
    if (memcmp(digest, b->pld, sizeof(digest))) {
        die("nettle SHA-512 of the image differs from its PLD");
    }
    return t;
}

/* nettle AES-256-XTS decryption of the stored image, one unit per page. */
static double run_xts(Bench *b)
{
    struct xts_aes256_key key;
    uint8_t tweak[SE_TWEAK_SIZE], expect[SE_PAGE_SIZE];
    uint64_t i;
    double t0, t;
    int j;

    memcpy(b->work, b->stored, b->size);
    xts_aes256_set_decrypt_key(&key, b->xts_key);
    t0 = now();
    for (i = 0; i < b->npages; i++) {
        for (j = 0; j < 8; j++) {
            tweak[j] = BENCH_TWEAK_PREF >> (56 - 8 * j);
            tweak[8 + j] = (i * SE_PAGE_SIZE) >> (56 - 8 * j);
        }
        xts_aes256_decrypt_message(&key, tweak, SE_PAGE_SIZE,
                                   b->work + i * SE_PAGE_SIZE,
                                   b->work + i * SE_PAGE_SIZE);
    }
    t = now() - t0;
    fill_page(expect, b->npages - 1);
    if (memcmp(b->work + b->size - SE_PAGE_SIZE, expect, SE_PAGE_SIZE)) {
        die("XTS decryption did not give the plaintext");
    }
    return t;
}

/* GnuTLS SHA-512 over the stored image, page by page (as PLD). */
static double run_gnutls_sha512(Bench *b)
{
    gnutls_hash_hd_t h;
    uint8_t digest[64];
    uint64_t i;
    double t0, t;

    memcpy(b->work, b->stored, b->size);
    t0 = now();
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA512) < 0) {
        die("GnuTLS has no SHA-512");
    }
    for (i = 0; i < b->npages; i++) {
        gnutls_hash(h, b->work + i * SE_PAGE_SIZE, SE_PAGE_SIZE);
    }
    gnutls_hash_deinit(h, digest);
    t = now() - t0;
    if (memcmp(digest, b->pld, sizeof(digest))) {
        die("GnuTLS SHA-512 of the image differs from its PLD");
    }
    return t;
}

/* GnuTLS AES-256-XTS decryption of the stored image, one unit per page. */
static double run_gnutls_xts(Bench *b)
{
    gnutls_datum_t key = { .data = b->xts_key, .size = sizeof(b->xts_key) };
    gnutls_cipher_hd_t h;
    uint8_t tweak[SE_TWEAK_SIZE], expect[SE_PAGE_SIZE];
    uint64_t i;
    double t0, t;
    int j;

    memcpy(b->work, b->stored, b->size);
    if (gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_XTS, &key, NULL) < 0) {
        die("GnuTLS has no AES-256-XTS");
    }
    t0 = now();
    for (i = 0; i < b->npages; i++) {
        uint8_t *page = b->work + i * SE_PAGE_SIZE;

        for (j = 0; j < 8; j++) {
            tweak[j] = BENCH_TWEAK_PREF >> (56 - 8 * j);
            tweak[8 + j] = (i * SE_PAGE_SIZE) >> (56 - 8 * j);
        }
        gnutls_cipher_set_iv(h, tweak, sizeof(tweak));
        if (gnutls_cipher_decrypt2(h, page, SE_PAGE_SIZE, page,
                                   SE_PAGE_SIZE) < 0) {
            die("GnuTLS AES-256-XTS failed");
        }
    }
    t = now() - t0;
    gnutls_cipher_deinit(h);
    fill_page(expect, b->npages - 1);
    if (memcmp(b->work + b->size - SE_PAGE_SIZE, expect, SE_PAGE_SIZE)) {
        die("GnuTLS XTS decryption did not give the plaintext");
    }
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Print best and median of @runs timings @t as throughput. */
static double report(const char *name, size_t size, double *t, int runs)
{
    double best, med;

    qsort(t, runs, sizeof(*t), cmp_double);
    best = size / t[0];
    med = size / t[runs / 2];
    printf("%-18s %10.1f %10.1f %10.1f\n", name, best / 1e6,
           best / (1024 * 1024), med / 1e6);
    return best;
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree double *t_unpack = NULL;
    g_autofree double *c_unpack = NULL;
    g_autofree double *t_sha = NULL;
    g_autofree double *t_xts = NULL;
    g_autofree double *t_gsha = NULL;
    g_autofree double *t_gxts = NULL;
    gint mib = 256, runs = 3;
    GOptionEntry entries[] = {
        { "mib", 'm', 0, G_OPTION_ARG_INT, &mib,
          "MiB of image pages to unpack (default 256)", "N" },
        { "runs", 'r', 0, G_OPTION_ARG_INT, &runs,
          "runs of each measurement; best and median are shown "
          "(default 3)", "R" },
        { NULL }
    };
    Bench b = { 0 };
    double gsha, gxts, warm;
    int i;

    octx = g_option_context_new("- time Secure Execution image unpacking");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &gerr)) {
        die("%s", gerr->message);
    }
    if (mib < 1 || mib > 65536 || runs < 1 || runs > 1000) {
        die("--mib must be 1..65536 and --runs 1..1000");
    }

    b.npages = (uint64_t)mib * 1024 * 1024 / SE_PAGE_SIZE;
    b.size = b.npages * SE_PAGE_SIZE;
    b.stored = g_malloc(b.size);
    b.work = g_malloc(b.size);
    t_unpack = g_new(double, runs);
    c_unpack = g_new(double, runs);
    t_sha = g_new(double, runs);
    t_xts = g_new(double, runs);
    t_gsha = g_new(double, runs);
    t_gxts = g_new(double, runs);

    bench_prepare(&b);
    run_unpack(&b, &warm);      /* warm-up */
    /* interleaved, so a noisy neighbour hits every measurement alike */
    for (i = 0; i < runs; i++) {
        t_unpack[i] = run_unpack(&b, &c_unpack[i]);
        t_gsha[i] = run_gnutls_sha512(&b);
        t_gxts[i] = run_gnutls_xts(&b);
        t_sha[i] = run_sha512(&b);
        t_xts[i] = run_xts(&b);
    }

    printf("# " PROG ": %d MiB (%" PRIu64 " pages), %d run(s); "
           "MB = 10^6 bytes\n", mib, b.npages, runs);
    printf("%-18s %10s %10s %10s\n", "# what", "best MB/s", "best MiB/s",
           "median MB/s");
    report("unpack", b.size, t_unpack, runs);
    report("unpack-cpu", b.size, c_unpack, runs);
    gsha = report("gnutls-sha512", b.size, t_gsha, runs);
    gxts = report("gnutls-aes256-xts", b.size, t_gxts, runs);
    report("nettle-sha512", b.size, t_sha, runs);
    report("nettle-aes256-xts", b.size, t_xts, runs);
    /* the time of both primitives back to back: what unpack can reach */
    printf("%-18s %10.1f %10.1f %10s\n", "sha512+xts-bound",
           1 / (1 / gsha + 1 / gxts) / 1e6,
           1 / (1 / gsha + 1 / gxts) / (1024 * 1024), "-");

    g_free(b.stored);
    g_free(b.work);
    g_free(b.hdr);
    return 0;
}
