/*
 * Unit tests for the Secure Execution unpack/verify state machine and the
 * builder's pack side (hw/s390x/se/se-unpack.h).
 *
 * The digests are recomputed here directly from their definition in
 * s390-tools genprotimg/src/pv/pv_comp.c (update_pld, update_ald,
 * update_tld) rather than trusted from the code.
 *
 * The "many" tests use a long image: they compare the running digests
 * with digests computed here, across tampered and rejected pages, verify,
 * and freeing mid-stream (run them under valgrind or ASan for leaks).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-unpack.h"

#include <nettle/sha2.h>
#include <nettle/xts.h>

#define NPAGES 6

typedef struct Page {
    uint64_t addr;
    uint64_t pref;
    uint64_t off;
    uint8_t data[SE_PAGE_SIZE];
} Page;

typedef struct Img {
    Page plain[NPAGES];
    Page stored[NPAGES];
    Page work[NPAGES + 1];
    SeHdr hdr;                  /* only the fields unpack uses */
    SeHdrSecrets s;
} Img;

static void be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

/* 4 kernel pages (kind 0) then 2 stage3b pages (kind 3), as genprotimg. */
static void make_plain(Img *img)
{
    static const uint64_t pref[2] = {
        0x0000a1b2c3d4e5f6ULL, 0x0003a1b2c3d4e5f7ULL
    };
    size_t i, j;

    for (i = 0; i < NPAGES; i++) {
        Page *p = &img->plain[i];
        bool s3b = i >= 4;

        p->pref = pref[s3b];
        p->off = (s3b ? i - 4 : i) * SE_PAGE_SIZE;
        p->addr = (s3b ? 0x90000 : 0x11000) + p->off;
        for (j = 0; j < SE_PAGE_SIZE; j++) {
            p->data[j] = i * 37 + j * 7 + (j >> 8);
        }
    }
}

/* Pack all pages; header fields from the pack result. */
static void make_img(Img *img, bool no_encrypt)
{
    g_autoptr(SePackCtx) c = NULL;
    size_t i;

    memset(img, 0, sizeof(*img));
    make_plain(img);
    for (i = 0; i < SE_HDR_XTS_KEY_SIZE; i++) {
        img->s.xts_key[i] = 0x5a ^ (i * 3);
    }
    c = se_pack_new(no_encrypt ? NULL : img->s.xts_key, no_encrypt);
    for (i = 0; i < NPAGES; i++) {
        img->stored[i] = img->plain[i];
        g_assert_true(se_pack_page(c, img->stored[i].addr,
                                   img->stored[i].pref, img->stored[i].off,
                                   img->stored[i].data));
    }
    se_pack_result(c, img->hdr.pld, img->hdr.ald, img->hdr.tld,
                   &img->hdr.nep);
    img->hdr.pcf = no_encrypt ? SE_PCF_NO_DECRYPT : 0;
    memcpy(img->work, img->stored, sizeof(img->stored));
}

static uint16_t unpack(Img *img, size_t n, uint16_t *rrc)
{
    g_autoptr(SeUnpackCtx) c = se_unpack_new(&img->hdr, &img->s);
    Page *w = img->work;
    size_t i;

    for (i = 0; i < n; i++) {
        g_assert_cmphex(se_unpack_page(c, w[i].addr, w[i].pref, w[i].off,
                                       w[i].data), ==, SE_UNPACK_RC_OK);
    }
    g_assert_cmpuint(se_unpack_page_count(c), ==, n);
    return se_unpack_verify(c, rrc);
}

static bool page_is_plain(const Img *img, size_t i)
{
    return !memcmp(img->work[i].data, img->plain[i].data, SE_PAGE_SIZE);
}

/* PLD/ALD/TLD straight from the definition, over the stored pages. */
static void test_pack_digests(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    struct sha512_ctx pld, ald, tld;
    uint8_t d[SE_HDR_DIGEST_SIZE], buf[16];
    size_t i;

    make_img(img, false);
    g_assert_cmpuint(img->hdr.nep, ==, NPAGES);
    sha512_init(&pld);
    sha512_init(&ald);
    sha512_init(&tld);
    for (i = 0; i < NPAGES; i++) {
        g_assert_false(page_is_plain(img, i));
        sha512_update(&pld, SE_PAGE_SIZE, img->stored[i].data);
        be64(buf, img->stored[i].addr);
        sha512_update(&ald, 8, buf);
        be64(buf, img->stored[i].pref);
        be64(buf + 8, img->stored[i].off);
        sha512_update(&tld, 16, buf);
    }
    sha512_digest(&pld, sizeof(d), d);
    g_assert_cmpmem(d, sizeof(d), img->hdr.pld, sizeof(d));
    sha512_digest(&ald, sizeof(d), d);
    g_assert_cmpmem(d, sizeof(d), img->hdr.ald, sizeof(d));
    sha512_digest(&tld, sizeof(d), d);
    g_assert_cmpmem(d, sizeof(d), img->hdr.tld, sizeof(d));
}

/* Each page is one XTS data unit: key1||key2, tweak = pref||off (BE). */
static void test_pack_cipher(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    struct xts_aes256_key k;
    uint8_t tweak[16], out[SE_PAGE_SIZE];

    make_img(img, false);
    xts_aes256_set_decrypt_key(&k, img->s.xts_key);
    be64(tweak, img->stored[5].pref);
    be64(tweak + 8, img->stored[5].off);
    xts_aes256_decrypt_message(&k, tweak, SE_PAGE_SIZE, out,
                               img->stored[5].data);
    g_assert_cmpmem(out, SE_PAGE_SIZE, img->plain[5].data, SE_PAGE_SIZE);
}

static void test_unpack_ok(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc = 0xffff;
    size_t i;

    make_img(img, false);
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_UNPACK_RC_OK);
    g_assert_cmphex(rrc, ==, 0);
    for (i = 0; i < NPAGES; i++) {
        g_assert_true(page_is_plain(img, i));
    }
}

static void test_altered_page(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc;

    make_img(img, false);
    img->work[2].data[100] ^= 1;
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_PLD);
    g_assert_false(page_is_plain(img, 2));
    g_assert_true(page_is_plain(img, 1));
}

static void test_swapped_addresses(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc;

    make_img(img, false);
    img->work[1].addr = img->stored[3].addr;
    img->work[3].addr = img->stored[1].addr;
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_ALD);
    /* the address is not part of the cipher */
    g_assert_true(page_is_plain(img, 1));
}

static void test_wrong_tweak(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc;

    make_img(img, false);
    img->work[4].off += SE_PAGE_SIZE;
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_TLD);
    g_assert_false(page_is_plain(img, 4));

    make_img(img, false);
    img->work[0].pref ^= 1ULL << 48;
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_TLD);
}

static void test_page_count(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc;

    make_img(img, false);
    g_assert_cmphex(unpack(img, NPAGES - 1, &rrc), ==,
                    SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_NEP);

    make_img(img, false);
    img->work[NPAGES] = img->stored[NPAGES - 1];
    g_assert_cmphex(unpack(img, NPAGES + 1, &rrc), ==,
                    SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_NEP);

    make_img(img, false);
    g_assert_cmphex(unpack(img, 0, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_NEP);
}

static void test_no_decrypt(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    uint16_t rrc;
    size_t i;

    make_img(img, true);
    for (i = 0; i < NPAGES; i++) {
        g_assert_true(page_is_plain(img, i));      /* stored in clear */
    }
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_UNPACK_RC_OK);
    for (i = 0; i < NPAGES; i++) {
        g_assert_true(page_is_plain(img, i));
    }
    img->work[3].data[7] ^= 0x80;          /* PLD covers the plaintext */
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_PLD);

    /* encrypted pages under a no-decrypt header are left as they are */
    make_img(img, false);
    img->hdr.pcf = SE_PCF_NO_DECRYPT;
    g_assert_cmphex(unpack(img, NPAGES, &rrc), ==, SE_UNPACK_RC_OK);
    g_assert_cmpmem(img->work[0].data, SE_PAGE_SIZE,
                    img->stored[0].data, SE_PAGE_SIZE);
}

static void test_unaligned_and_state(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    g_autoptr(SeUnpackCtx) c = NULL;
    g_autoptr(SePackCtx) pc = NULL;
    Page *w;
    uint16_t rrc, rrc2;
    size_t i;

    make_img(img, false);
    w = img->work;
    c = se_unpack_new(&img->hdr, &img->s);
    g_assert_cmphex(se_unpack_page(c, w[0].addr + 8, w[0].pref, w[0].off,
                                   w[0].data), ==, SE_UNPACK_RC_ADDR);
    g_assert_cmpuint(se_unpack_page_count(c), ==, 0);
    g_assert_cmpmem(w[0].data, SE_PAGE_SIZE, img->stored[0].data,
                    SE_PAGE_SIZE);
    for (i = 0; i < NPAGES; i++) {
        g_assert_cmphex(se_unpack_page(c, w[i].addr, w[i].pref, w[i].off,
                                       w[i].data), ==, SE_UNPACK_RC_OK);
    }
    g_assert_cmphex(se_unpack_verify(c, &rrc), ==, SE_UNPACK_RC_OK);
    g_assert_cmphex(se_unpack_verify(c, &rrc2), ==, SE_UNPACK_RC_OK);
    g_assert_cmphex(se_unpack_page(c, w[0].addr, w[0].pref, w[0].off,
                                   w[0].data), ==, SE_UNPACK_RC_STATE);
    g_assert_true(page_is_plain(img, 0));

    pc = se_pack_new(img->s.xts_key, false);
    g_assert_false(se_pack_page(pc, 0x1001, 0, 0, w[0].data));
    g_assert_true(page_is_plain(img, 0));
}

/* Through the real header: build, parse, unwrap, unpack, verify. */
static void test_end_to_end(void)
{
    g_autofree Img *img = g_new0(Img, 1);
    g_autofree uint8_t *buf = NULL;
    g_autoptr(SeHdr) h = NULL;
    g_autoptr(SeUnpackCtx) c = NULL;
    SeHdrBuildParams p = { 0 };
    SeHostKey host;
    SeHdrSecrets s;
    SeError err;
    uint8_t d[CC_P521_LEN];
    uint16_t rrc;
    size_t len, i;

    make_img(img, false);
    memset(d, 0x11, sizeof(d));
    d[0] = 0;
    g_assert_true(se_host_key_init(&host, d));
    memset(p.cust_priv, 0x22, sizeof(p.cust_priv));
    p.cust_priv[0] = 0;
    memcpy(p.pld, img->hdr.pld, sizeof(p.pld));
    memcpy(p.ald, img->hdr.ald, sizeof(p.ald));
    memcpy(p.tld, img->hdr.tld, sizeof(p.tld));
    p.nep = img->hdr.nep;
    p.secrets = img->s;
    p.host_pub = &host.pub;
    p.n_host_keys = 1;
    buf = se_hdr_build(&p, &len, NULL);
    g_assert_nonnull(buf);
    h = se_hdr_parse(buf, len, &err);
    g_assert_nonnull(h);
    g_assert_true(se_hdr_unwrap(h, &host, NULL, &s, NULL, NULL, &err));
    c = se_unpack_new(h, &s);
    se_hdr_secrets_wipe(&s);
    for (i = 0; i < NPAGES; i++) {
        Page *w = &img->work[i];

        g_assert_cmphex(se_unpack_page(c, w->addr, w->pref, w->off, w->data),
                        ==, SE_UNPACK_RC_OK);
        g_assert_true(page_is_plain(img, i));
    }
    g_assert_cmphex(se_unpack_verify(c, &rrc), ==, SE_UNPACK_RC_OK);
}

/* ---- many pages: the PLD helper thread -------------------------------- */

#define MANY    300     /* pages: helper from page 16, ring wraps twice */

typedef struct Many {
    uint64_t addr[MANY];
    uint64_t pref[MANY];
    uint64_t off[MANY];
    uint8_t *plain;             /* MANY pages each */
    uint8_t *stored;
    uint8_t *work;
    SeHdr hdr;
    SeHdrSecrets s;
} Many;

static uint8_t *many_page(uint8_t *base, size_t i)
{
    return base + i * SE_PAGE_SIZE;
}

/* Digests of the first @n pages of @stored, by definition. */
static void ref_digests(const Many *m, const uint8_t *stored, size_t n,
                        uint8_t pld[SE_HDR_DIGEST_SIZE],
                        uint8_t ald[SE_HDR_DIGEST_SIZE],
                        uint8_t tld[SE_HDR_DIGEST_SIZE])
{
    struct sha512_ctx p, a, t;
    uint8_t buf[16];
    size_t i;

    sha512_init(&p);
    sha512_init(&a);
    sha512_init(&t);
    for (i = 0; i < n; i++) {
        sha512_update(&p, SE_PAGE_SIZE, stored + i * SE_PAGE_SIZE);
        be64(buf, m->addr[i]);
        sha512_update(&a, 8, buf);
        be64(buf, m->pref[i]);
        be64(buf + 8, m->off[i]);
        sha512_update(&t, 16, buf);
    }
    sha512_digest(&p, SE_HDR_DIGEST_SIZE, pld);
    sha512_digest(&a, SE_HDR_DIGEST_SIZE, ald);
    sha512_digest(&t, SE_HDR_DIGEST_SIZE, tld);
}

/*
 * Pages at scattered addresses, pack them (the pack side's helper runs
 * too), check the pack result against the definition also halfway (that
 * waits for the helper without stopping it), and use it as the header.
 */
static Many *many_new(void)
{
    Many *m = g_new0(Many, 1);
    g_autoptr(SePackCtx) c = NULL;
    uint8_t pld[SE_HDR_DIGEST_SIZE], ald[SE_HDR_DIGEST_SIZE];
    uint8_t tld[SE_HDR_DIGEST_SIZE];
    uint64_t nep;
    size_t i, j;

    m->plain = g_malloc(MANY * SE_PAGE_SIZE);
    m->stored = g_malloc(MANY * SE_PAGE_SIZE);
    m->work = g_malloc(MANY * SE_PAGE_SIZE);
    for (i = 0; i < SE_HDR_XTS_KEY_SIZE; i++) {
        m->s.xts_key[i] = 0xa5 ^ (i * 7);
    }
    for (i = 0; i < MANY; i++) {
        m->pref[i] = 0x0000c0ffee000000ULL | (i / 100);
        m->off[i] = (i % 100) * SE_PAGE_SIZE;
        m->addr[i] = 0x100000 + ((i * 37) % MANY) * SE_PAGE_SIZE;
        for (j = 0; j < SE_PAGE_SIZE; j++) {
            many_page(m->plain, i)[j] = i * 13 + j * 5 + (j >> 9);
        }
    }
    memcpy(m->stored, m->plain, MANY * SE_PAGE_SIZE);
    c = se_pack_new(m->s.xts_key, false);
    for (i = 0; i < MANY; i++) {
        g_assert_true(se_pack_page(c, m->addr[i], m->pref[i], m->off[i],
                                   many_page(m->stored, i)));
        if (i == MANY / 2) {
            se_pack_result(c, pld, ald, tld, &nep);
            g_assert_cmpuint(nep, ==, i + 1);
            ref_digests(m, m->stored, i + 1, m->hdr.pld, m->hdr.ald,
                        m->hdr.tld);
            g_assert_cmpmem(pld, sizeof(pld), m->hdr.pld, sizeof(pld));
            g_assert_cmpmem(ald, sizeof(ald), m->hdr.ald, sizeof(ald));
            g_assert_cmpmem(tld, sizeof(tld), m->hdr.tld, sizeof(tld));
        }
    }
    se_pack_result(c, m->hdr.pld, m->hdr.ald, m->hdr.tld, &m->hdr.nep);
    g_assert_cmpuint(m->hdr.nep, ==, MANY);
    ref_digests(m, m->stored, MANY, pld, ald, tld);
    g_assert_cmpmem(pld, sizeof(pld), m->hdr.pld, sizeof(pld));
    g_assert_cmpmem(ald, sizeof(ald), m->hdr.ald, sizeof(ald));
    g_assert_cmpmem(tld, sizeof(tld), m->hdr.tld, sizeof(tld));
    memcpy(m->work, m->stored, MANY * SE_PAGE_SIZE);
    return m;
}

static void many_free(Many *m)
{
    g_free(m->plain);
    g_free(m->stored);
    g_free(m->work);
    g_free(m);
}

static void many_reset(Many *m)
{
    memcpy(m->work, m->stored, MANY * SE_PAGE_SIZE);
}

static bool many_plain(const Many *m, size_t i)
{
    return !memcmp(many_page(m->work, i), many_page(m->plain, i),
                   SE_PAGE_SIZE);
}

static uint16_t many_page_unpack(SeUnpackCtx *c, Many *m, size_t i)
{
    return se_unpack_page(c, m->addr[i], m->pref[i], m->off[i],
                          many_page(m->work, i));
}

/*
 * Unpack all pages; every page but @bad must be the plaintext as soon as
 * it returns.  Returns the verify rc.
 */
static uint16_t many_unpack(Many *m, size_t bad, uint16_t *rrc)
{
    g_autoptr(SeUnpackCtx) c = se_unpack_new(&m->hdr, &m->s);
    size_t i;

    for (i = 0; i < MANY; i++) {
        g_assert_cmphex(many_page_unpack(c, m, i), ==, SE_UNPACK_RC_OK);
        g_assert_true(many_plain(m, i) == (i != bad));
    }
    g_assert_cmpuint(se_unpack_page_count(c), ==, MANY);
    return se_unpack_verify(c, rrc);
}

/* The verdicts over a long stream, good and tampered. */
static void test_many_verdicts(void)
{
    Many *m = many_new();
    static const size_t bad[] = { 0, 15, 16, 150, MANY - 1 };
    uint16_t rrc;
    size_t i, k;

    many_reset(m);
    rrc = 0xffff;
    g_assert_cmphex(many_unpack(m, MANY, &rrc), ==,
                    SE_UNPACK_RC_OK);
    g_assert_cmphex(rrc, ==, 0);
    for (i = 0; i < MANY; i++) {
        g_assert_true(many_plain(m, i));
    }
    /* one flipped bit anywhere, even in the very last page */
    for (k = 0; k < G_N_ELEMENTS(bad); k++) {
        many_reset(m);
        many_page(m->work, bad[k])[bad[k] % SE_PAGE_SIZE] ^= 0x10;
        g_assert_cmphex(many_unpack(m, bad[k], &rrc), ==,
                        SE_VERIFY_RC_MISMATCH);
        g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_PLD);
    }
    /* a wrong address late in the stream is still an ALD mismatch */
    many_reset(m);
    m->addr[MANY - 2] ^= SE_PAGE_SIZE;
    g_assert_cmphex(many_unpack(m, MANY, &rrc), ==,
                    SE_VERIFY_RC_MISMATCH);
    g_assert_cmphex(rrc, ==, SE_VERIFY_RRC_ALD);
    m->addr[MANY - 2] ^= SE_PAGE_SIZE;
    many_free(m);
}

/*
 * Rejected pages in the middle of a long stream count nowhere: the
 * page stays as it was, the count does not move, and verify still
 * succeeds; after verify every page is refused untouched.
 */
static void test_many_reject_mid_stream(void)
{
    Many *m = many_new();
    g_autoptr(SeUnpackCtx) c = se_unpack_new(&m->hdr, &m->s);
    uint8_t *p;
    uint16_t rrc;
    size_t i;

    for (i = 0; i < MANY; i++) {
        if (i == 40 || i == 200) {
            p = many_page(m->work, i);
            g_assert_cmphex(se_unpack_page(c, m->addr[i] + 0x800,
                                           m->pref[i], m->off[i], p),
                            ==, SE_UNPACK_RC_ADDR);
            g_assert_cmpuint(se_unpack_page_count(c), ==, i);
            g_assert_cmpmem(p, SE_PAGE_SIZE, many_page(m->stored, i),
                            SE_PAGE_SIZE);
        }
        g_assert_cmphex(many_page_unpack(c, m, i), ==, SE_UNPACK_RC_OK);
    }
    g_assert_cmphex(se_unpack_verify(c, &rrc), ==, SE_UNPACK_RC_OK);
    g_assert_cmphex(se_unpack_verify(c, &rrc), ==, SE_UNPACK_RC_OK);
    many_reset(m);
    g_assert_cmphex(many_page_unpack(c, m, 100), ==, SE_UNPACK_RC_STATE);
    g_assert_cmpmem(many_page(m->work, 100), SE_PAGE_SIZE,
                    many_page(m->stored, 100), SE_PAGE_SIZE);
    many_free(m);
}

/*
 * Free mid-stream (machine reset): free must not leak or touch freed
 * memory.  Also a pack context freed mid-stream.
 */
static void test_many_free_mid_stream(void)
{
    Many *m = many_new();
    static const size_t stop_at[] = { 15, 16, 17, 100, 143, 144, 145, 250,
                                      MANY };
    SeUnpackCtx *c;
    SePackCtx *pc;
    size_t i, k, round;

    for (round = 0; round < 4; round++) {
        for (k = 0; k < G_N_ELEMENTS(stop_at); k++) {
            many_reset(m);
            c = se_unpack_new(&m->hdr, &m->s);
            for (i = 0; i < stop_at[k]; i++) {
                g_assert_cmphex(many_page_unpack(c, m, i), ==,
                                SE_UNPACK_RC_OK);
            }
            se_unpack_free(c);
        }
    }
    pc = se_pack_new(m->s.xts_key, false);
    for (i = 0; i < 64; i++) {
        g_assert_true(se_pack_page(pc, m->addr[i], m->pref[i], m->off[i],
                                   many_page(m->work, i)));
    }
    se_pack_free(pc);
    many_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/se-unpack/pack-digests", test_pack_digests);
    g_test_add_func("/se-unpack/pack-cipher", test_pack_cipher);
    g_test_add_func("/se-unpack/ok", test_unpack_ok);
    g_test_add_func("/se-unpack/altered-page", test_altered_page);
    g_test_add_func("/se-unpack/swapped-addresses", test_swapped_addresses);
    g_test_add_func("/se-unpack/wrong-tweak", test_wrong_tweak);
    g_test_add_func("/se-unpack/page-count", test_page_count);
    g_test_add_func("/se-unpack/no-decrypt", test_no_decrypt);
    g_test_add_func("/se-unpack/unaligned-and-state",
                    test_unaligned_and_state);
    g_test_add_func("/se-unpack/end-to-end", test_end_to_end);
    g_test_add_func("/se-unpack/many/verdicts", test_many_verdicts);
    g_test_add_func("/se-unpack/many/reject-mid-stream",
                    test_many_reject_mid_stream);
    g_test_add_func("/se-unpack/many/free-mid-stream",
                    test_many_free_mid_stream);
    return g_test_run();
}
