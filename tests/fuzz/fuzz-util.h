/*
 * What the libFuzzer targets share: the invariant check (an abort, which
 * libFuzzer reports as a crash with its input) and small helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_FUZZ_FUZZ_UTIL_H
#define TESTS_FUZZ_FUZZ_UTIL_H

static inline void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static inline bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--) {
        if (*b++) {
            return false;
        }
    }
    return true;
}

/*
 * The two input modes of the decoder targets, by the first byte:
 *   odd   the rest is the input itself;
 *   even  the rest patches @good: triples {offset high, offset low, xor}
 *         applied modulo @good_len, so the fuzzer gets past the first
 *         checks of a valid input.
 * Returns an exactly sized g_malloc()ed copy (so ASan sees any overread;
 * NULL for an empty one) and its length in @len.
 */
static inline uint8_t *fuzz_input(const uint8_t *data, size_t size,
                                  const uint8_t *good, size_t good_len,
                                  size_t *len)
{
    uint8_t *buf = NULL;
    size_t i, off;

    if (data[0] & 1) {
        *len = size - 1;
        if (*len) {
            buf = g_memdup2(data + 1, *len);
        }
        return buf;
    }
    buf = g_memdup2(good, good_len);
    for (i = 1; i + 3 <= size; i += 3) {
        off = ((size_t)data[i] << 8 | data[i + 1]) % good_len;
        buf[off] ^= data[i + 2];
    }
    *len = good_len;
    return buf;
}

#ifdef HW_S390X_SE_HDR_H
/* A fixed host key: d[i] = seed + i * step, below the group order */
static inline void fuzz_host_key(SeHostKey *k, uint8_t seed, uint8_t step)
{
    uint8_t d[CC_P521_LEN];
    size_t i;

    for (i = 0; i < sizeof(d); i++) {
        d[i] = seed + i * step;
    }
    d[0] = 0;
    check(se_host_key_init(k, d));
}
#endif

#if defined(HW_S390X_SE_UV_CORE_H) && defined(HW_S390X_SE_UNPACK_H)
/*
 * A fixed SE image for the ultravisor targets: host key
 * fuzz_host_key(0x35, 11), two encrypted pages at FUZZ_SE_PSW_ADDR on,
 * everything else from a seed.
 */
#define FUZZ_SE_NPAGES      2
#define FUZZ_SE_PSW_ADDR    0x11000ULL
#define FUZZ_SE_TWEAK       0x1234

typedef struct FuzzSeImage {
    SeHostKey key;
    uint8_t *hdr;
    size_t hdr_len;
    uint64_t addr[FUZZ_SE_NPAGES];
    uint8_t enc[FUZZ_SE_NPAGES][SE_UV_PAGE_SIZE];
} FuzzSeImage;

/* Build it with the header's @pcf and @scf flags; @cck NULL: zeros */
static inline void fuzz_se_image(FuzzSeImage *img, uint64_t pcf,
                                 uint64_t scf, const uint8_t *cck)
{
    SeHdrBuildParams p;
    SePackCtx *pc;
    size_t i, j;

    memset(&p, 0, sizeof(p));
    for (i = 0; i < CC_P521_LEN; i++) {
        p.cust_priv[i] = 0x49 + i * 7;
    }
    p.cust_priv[0] = 0;
    fuzz_host_key(&img->key, 0x35, 11);
    for (i = 0; i < SE_HDR_XTS_KEY_SIZE; i++) {
        p.secrets.xts_key[i] = i * 5 + 1;
    }
    for (i = 0; i < SE_HDR_KEY_SIZE; i++) {
        p.hdr_key[i] = i * 9 + 2;
    }
    if (cck) {
        memcpy(p.secrets.cck, cck, SE_HDR_CCK_SIZE);
    }
    p.pcf = pcf;
    p.secrets.scf = scf;
    p.secrets.psw_mask = 0x0000000180000000ULL;
    p.secrets.psw_addr = FUZZ_SE_PSW_ADDR;
    pc = se_pack_new(p.secrets.xts_key, false);
    for (i = 0; i < FUZZ_SE_NPAGES; i++) {
        img->addr[i] = FUZZ_SE_PSW_ADDR + i * SE_UV_PAGE_SIZE;
        for (j = 0; j < SE_UV_PAGE_SIZE; j++) {
            img->enc[i][j] = i + j * 3;
        }
        check(se_pack_page(pc, img->addr[i], FUZZ_SE_TWEAK,
                           i * SE_UV_PAGE_SIZE, img->enc[i]));
    }
    se_pack_result(pc, p.pld, p.ald, p.tld, &p.nep);
    se_pack_free(pc);
    p.host_pub = &img->key.pub;
    p.n_host_keys = 1;
    img->hdr = se_hdr_build(&p, &img->hdr_len, NULL);
    check(img->hdr != NULL);
}

/* UNPACK_IMG of the image's page @i (a copy) at @gaddr */
static inline uint16_t fuzz_se_unpack(SeUv *uv, const FuzzSeImage *img,
                                      uint64_t conf, size_t i,
                                      uint64_t gaddr, uint16_t *rrc)
{
    uint8_t page[SE_UV_PAGE_SIZE];

    memcpy(page, img->enc[i], sizeof(page));
    return se_uv_unpack(uv, conf, gaddr, FUZZ_SE_TWEAK, i * SE_UV_PAGE_SIZE,
                        page, rrc);
}

/* The created configuration @conf to VERIFIED with the image */
static inline void fuzz_se_verify(SeUv *uv, const FuzzSeImage *img,
                                  uint64_t conf)
{
    uint16_t rrc;
    size_t i;

    check(se_uv_set_params(uv, conf, img->hdr, img->hdr_len, &rrc,
                           NULL) == UVC_RC_EXECUTED);
    for (i = 0; i < FUZZ_SE_NPAGES; i++) {
        check(fuzz_se_unpack(uv, img, conf, i, img->addr[i], &rrc) ==
              UVC_RC_EXECUTED);
    }
    check(se_uv_verify(uv, conf, &rrc) == UVC_RC_EXECUTED);
}
#endif

/*
 * A sequence of operations read from the fuzz input: its bytes one by one
 * (0 once used up), and the handles the operations got, so that later
 * ones can name them.
 */
#define FUZZ_MAX_HANDLES    16

typedef struct FuzzSeq {
    const uint8_t *p;
    size_t n;
    uint64_t handles[FUZZ_MAX_HANDLES];
    size_t nh;
} FuzzSeq;

static inline uint8_t fuzz_next(FuzzSeq *s)
{
    if (!s->n) {
        return 0;
    }
    s->n--;
    return *s->p++;
}

static inline void fuzz_remember(FuzzSeq *s, uint64_t h)
{
    if (h) {
        s->handles[s->nh++ % FUZZ_MAX_HANDLES] = h;
    }
}

/* A handle handed out earlier, or 0, or one made up of input bytes */
static inline uint64_t fuzz_pick(FuzzSeq *s)
{
    uint8_t b = fuzz_next(s);
    uint64_t h = 0;
    int i;

    if (b < 0xf0 && s->nh) {
        return s->handles[b % MIN(s->nh, FUZZ_MAX_HANDLES)];
    }
    if (b == 0xff) {
        for (i = 0; i < 8; i++) {
            h = h << 8 | fuzz_next(s);
        }
    }
    return h;
}

#ifdef HW_S390X_SE_DUMP_H
/* Field by field: the struct has padding */
static inline bool fuzz_cpu_eq(const SeDumpCpuState *a,
                               const SeDumpCpuState *b)
{
    return !memcmp(a->gprs, b->gprs, sizeof(a->gprs)) &&
           a->psw_mask == b->psw_mask && a->psw_addr == b->psw_addr &&
           a->prefix == b->prefix && a->fpc == b->fpc &&
           a->todpr == b->todpr && a->timer == b->timer &&
           a->todcmp == b->todcmp &&
           !memcmp(a->acrs, b->acrs, sizeof(a->acrs)) &&
           !memcmp(a->crs, b->crs, sizeof(a->crs)) &&
           !memcmp(a->vrs, b->vrs, sizeof(a->vrs)) &&
           !memcmp(a->gscb, b->gscb, sizeof(a->gscb)) &&
           a->flags == b->flags;
}
#endif

#endif
