/*
 * Unit tests for the Secure Execution header v1 parser, key-slot
 * unwrapping and builder (hw/s390x/se/se-hdr.h).
 *
 * Layout facts checked here come from s390-tools (v2.35.0)
 * genprotimg/src/include/pv_hdr_def.h and genprotimg/src/pv/pv_hdr.c.
 * An independent cross-check against Python "cryptography" lives in
 * se_crosscheck.py.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-hdr.h"

#include <nettle/sha2.h>

#define NKEYS 3

typedef struct Fixture {
    SeHostKey key[NKEYS + 1];       /* the last one is in no header */
    SeP521Pub pub[NKEYS];
    SeHdrBuildParams p;
} Fixture;

static void pattern(uint8_t *d, size_t n, uint8_t seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        d[i] = seed * 31 + i * 17;
    }
}

static void fixture_init(Fixture *f, gconstpointer data)
{
    uint8_t d[CC_P521_LEN];
    int i;

    memset(f, 0, sizeof(*f));
    for (i = 0; i <= NKEYS; i++) {
        pattern(d, sizeof(d), i + 1);
        d[0] = 0;                           /* below the group order */
        g_assert_true(se_host_key_init(&f->key[i], d));
        if (i < NKEYS) {
            f->pub[i] = f->key[i].pub;
        }
    }
    pattern(f->p.iv, sizeof(f->p.iv), 0x10);
    f->p.nep = 7;
    f->p.pcf = SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | SE_PCF_PCKMO_ECC;
    memset(f->p.pld, 0xa1, sizeof(f->p.pld));
    memset(f->p.ald, 0xa2, sizeof(f->p.ald));
    memset(f->p.tld, 0xa3, sizeof(f->p.tld));
    pattern(f->p.secrets.cck, sizeof(f->p.secrets.cck), 0x20);
    pattern(f->p.secrets.xts_key, sizeof(f->p.secrets.xts_key), 0x30);
    f->p.secrets.psw_mask = 0x0000000180000000ULL;
    f->p.secrets.psw_addr = 0x11000;
    pattern(f->p.hdr_key, sizeof(f->p.hdr_key), 0x40);
    pattern(f->p.cust_priv, sizeof(f->p.cust_priv), 0x50);
    f->p.cust_priv[0] = 0;
    f->p.host_pub = f->pub;
    f->p.n_host_keys = 1;
}

static void fixture_fini(Fixture *f, gconstpointer data)
{
}

static uint8_t *build(const SeHdrBuildParams *p, size_t *len)
{
    GError *err = NULL;
    uint8_t *buf = se_hdr_build(p, len, &err);

    g_assert_no_error(err);
    g_assert_nonnull(buf);
    return buf;
}

static void assert_secrets(const SeHdrSecrets *a, const SeHdrSecrets *b)
{
    g_assert_cmpmem(a->cck, sizeof(a->cck), b->cck, sizeof(b->cck));
    g_assert_cmpmem(a->xts_key, sizeof(a->xts_key),
                    b->xts_key, sizeof(b->xts_key));
    g_assert_cmphex(a->psw_mask, ==, b->psw_mask);
    g_assert_cmphex(a->psw_addr, ==, b->psw_addr);
    g_assert_cmphex(a->scf, ==, b->scf);
    g_assert_cmphex(a->noi, ==, b->noi);
}

/* Parse and unwrap; the SeCheck of the first failure (or OK). */
static SeCheck open_hdr(const uint8_t *buf, size_t len, const SeHostKey *k,
                        const SeHostKey *backup, SeHdrSecrets *s,
                        SeHostKeyUsed *used, uint64_t *slot, SeError *err)
{
    g_autoptr(SeHdr) h = se_hdr_parse(buf, len, err);

    if (!h) {
        g_assert_cmpint(err->id, !=, SE_CHECK_OK);
        return err->id;
    }
    g_assert_cmpint(err->id, ==, SE_CHECK_OK);
    if (!se_hdr_unwrap(h, k, backup, s, used, slot, err)) {
        g_assert_true(s->psw_addr == 0 && s->cck[0] == 0);  /* wiped */
        return err->id;
    }
    return SE_CHECK_OK;
}

static void expect(const uint8_t *buf, size_t len, const SeHostKey *k,
                   SeCheck id, uint16_t rc, uint16_t rrc)
{
    SeHdrSecrets s;
    SeError err;

    g_assert_cmpint(open_hdr(buf, len, k, NULL, &s, NULL, NULL, &err), ==,
                    id);
    g_assert_cmphex(err.rc, ==, rc);
    g_assert_cmphex(err.rrc, ==, rrc);
    g_assert_nonnull(err.check);
}

/* Independent phkh: SHA-256 over X and Y, each zero-padded to 80 bytes. */
static void phkh_by_hand(const SeP521Pub *pub, uint8_t out[32])
{
    uint8_t in[160] = { 0 };
    struct sha256_ctx ctx;

    memcpy(in + 14, pub->x, 66);
    memcpy(in + 80 + 14, pub->y, 66);
    sha256_init(&ctx);
    sha256_update(&ctx, sizeof(in), in);
    sha256_digest(&ctx, 32, out);
}

static uint64_t be64_at(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put64_at(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle,
                     size_t n)
{
    size_t i;

    for (i = 0; i + n <= len; i++) {
        if (!memcmp(hay + i, needle, n)) {
            return true;
        }
    }
    return false;
}

/* Raw layout of a one-slot header (s390-tools pv_hdr_def.h). */
static void test_layout(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL;
    uint8_t cx[CC_P521_LEN], cy[CC_P521_LEN], phkh[32];
    static const uint8_t zero[14];
    size_t len;

    buf = build(&f->p, &len);
    g_assert_cmpuint(len, ==, 0x280);
    g_assert_cmpmem(buf, 8, "IBMSecEx", 8);
    g_assert_cmpmem(buf + 8, 4, "\x00\x00\x01\x00", 4);
    g_assert_cmpmem(buf + 0xc, 4, "\x00\x00\x02\x80", 4);
    g_assert_cmpmem(buf + 0x10, 12, f->p.iv, 12);
    g_assert_cmpuint(be64_at(buf + 0x20), ==, 1);
    g_assert_cmpuint(be64_at(buf + 0x28), ==, 128);
    g_assert_cmpuint(be64_at(buf + 0x30), ==, 7);
    g_assert_cmphex(be64_at(buf + 0x38), ==, f->p.pcf);
    g_assert_true(cc_p521_public_from_private(f->p.cust_priv, cx, cy));
    g_assert_cmpmem(buf + 0x40, 14, zero, 14);
    g_assert_cmpmem(buf + 0x4e, 66, cx, 66);
    g_assert_cmpmem(buf + 0x90, 14, zero, 14);
    g_assert_cmpmem(buf + 0x9e, 66, cy, 66);
    g_assert_cmpmem(buf + 0xe0, 64, f->p.pld, 64);
    g_assert_cmpmem(buf + 0x120, 64, f->p.ald, 64);
    g_assert_cmpmem(buf + 0x160, 64, f->p.tld, 64);
    phkh_by_hand(&f->pub[0], phkh);
    g_assert_cmpmem(buf + 0x1a0, 32, phkh, 32);
    /* the encrypted area does not contain the secrets in clear */
    g_assert_false(contains(buf, len, f->p.secrets.cck, 32));
    g_assert_false(contains(buf, len, f->p.secrets.xts_key, 32));
    g_assert_false(contains(buf, len, f->p.hdr_key, 32));
}

static void test_roundtrip_one_slot(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL;
    g_autoptr(SeHdr) h = NULL;
    SeHdrSecrets s;
    SeHostKeyUsed used;
    uint64_t slot = 99;
    SeError err;
    size_t len;

    buf = build(&f->p, &len);
    h = se_hdr_parse(buf, len, &err);
    g_assert_nonnull(h);
    g_assert_cmphex(err.rc, ==, 1);
    g_assert_cmpuint(h->phs, ==, 0x280);
    g_assert_cmpuint(h->aad_len, ==, 0x1f0);
    g_assert_cmpuint(h->nks, ==, 1);
    g_assert_cmpuint(h->sea, ==, 128);
    g_assert_cmpuint(h->nep, ==, 7);
    g_assert_cmphex(h->pcf, ==, f->p.pcf);
    g_assert_cmpmem(h->iv, 12, f->p.iv, 12);
    g_assert_cmpmem(h->pld, 64, f->p.pld, 64);
    g_assert_cmpmem(h->tag, 16, buf + 0x270, 16);
    g_assert_true(cc_p521_point_valid(h->cust_x, h->cust_y));

    g_assert_true(se_hdr_unwrap(h, &f->key[0], NULL, &s, &used, &slot,
                                &err));
    g_assert_cmpint(used, ==, SE_HOST_KEY_PRIMARY);
    g_assert_cmpuint(slot, ==, 0);
    assert_secrets(&s, &f->p.secrets);

    /* the header protection key alone also decrypts it */
    g_assert_true(se_hdr_decrypt(h, f->p.hdr_key, &s, &err));
    assert_secrets(&s, &f->p.secrets);
    f->p.hdr_key[0] ^= 1;
    g_assert_false(se_hdr_decrypt(h, f->p.hdr_key, &s, &err));
    g_assert_cmpint(err.id, ==, SE_CHECK_HDR_TAG);
}

static void test_roundtrip_three_slots(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL;
    SeHdrSecrets s;
    SeHostKeyUsed used;
    uint64_t slot;
    SeError err;
    size_t len;
    int i;

    f->p.n_host_keys = 3;
    buf = build(&f->p, &len);
    g_assert_cmpuint(len, ==, 0x1a0 + 3 * 80 + 128 + 16);
    for (i = 0; i < 3; i++) {
        g_assert_cmpint(open_hdr(buf, len, &f->key[i], NULL, &s, &used,
                                 &slot, &err), ==, SE_CHECK_OK);
        g_assert_cmpint(used, ==, SE_HOST_KEY_PRIMARY);
        g_assert_cmpuint(slot, ==, i);
        assert_secrets(&s, &f->p.secrets);
    }
    expect(buf, len, &f->key[3], SE_CHECK_NO_MATCHING_SLOT, 0x108, 5);
}

static void test_backup_key(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL, *both = NULL;
    SeHdrSecrets s;
    SeHostKeyUsed used;
    uint64_t slot;
    SeError err;
    size_t len, blen;

    /* a header for key 1 only, opened by primary 0 with backup 1 */
    f->p.host_pub = &f->pub[1];
    buf = build(&f->p, &len);
    g_assert_cmpint(open_hdr(buf, len, &f->key[0], &f->key[1], &s, &used,
                             &slot, &err), ==, SE_CHECK_OK);
    g_assert_cmpint(used, ==, SE_HOST_KEY_BACKUP);
    g_assert_cmpuint(slot, ==, 0);
    assert_secrets(&s, &f->p.secrets);

    /* neither primary nor backup matches */
    g_assert_cmpint(open_hdr(buf, len, &f->key[0], &f->key[2], &s, &used,
                             &slot, &err), ==, SE_CHECK_NO_MATCHING_SLOT);
    g_assert_cmpint(used, ==, SE_HOST_KEY_NONE);
    g_assert_cmphex(err.rc, ==, 0x108);
    g_assert_cmphex(err.rrc, ==, 5);

    /* both present: the primary wins even if it is the second slot */
    f->p.host_pub = f->pub;
    f->p.n_host_keys = 2;
    both = build(&f->p, &blen);
    g_assert_cmpint(open_hdr(both, blen, &f->key[1], &f->key[0], &s, &used,
                             &slot, &err), ==, SE_CHECK_OK);
    g_assert_cmpint(used, ==, SE_HOST_KEY_PRIMARY);
    g_assert_cmpuint(slot, ==, 1);
}

static void test_wrong_host_key(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL;
    size_t len;

    buf = build(&f->p, &len);
    expect(buf, len, &f->key[1], SE_CHECK_NO_MATCHING_SLOT, 0x108, 5);
    buf[0x1a0] ^= 1;                        /* phkh no longer matches */
    expect(buf, len, &f->key[0], SE_CHECK_NO_MATCHING_SLOT, 0x108, 5);
}

/* Flip one bit at @off of a fresh one-slot header and expect @id. */
static void flip_expect(Fixture *f, size_t off, SeCheck id, uint16_t rc,
                        uint16_t rrc)
{
    g_autofree uint8_t *buf = NULL;
    size_t len;

    buf = build(&f->p, &len);
    g_assert_cmpuint(off, <, len);
    buf[off] ^= 0x04;
    expect(buf, len, &f->key[0], id, rc, rrc);
}

static void test_gcm_failures(Fixture *f, gconstpointer data)
{
    /* AAD: nep, PLD, TLD, slot phkh-free bytes of the plaintext head */
    flip_expect(f, 0x37, SE_CHECK_HDR_TAG, 0x10a, 0);
    flip_expect(f, 0xe0, SE_CHECK_HDR_TAG, 0x10a, 0);
    flip_expect(f, 0x19f, SE_CHECK_HDR_TAG, 0x10a, 0);
    flip_expect(f, 0x12, SE_CHECK_HDR_TAG, 0x10a, 0);  /* IV */
    /* encrypted area: first and last byte */
    flip_expect(f, 0x1f0, SE_CHECK_HDR_TAG, 0x10a, 0);
    flip_expect(f, 0x26f, SE_CHECK_HDR_TAG, 0x10a, 0);
    /* header tag */
    flip_expect(f, 0x270, SE_CHECK_HDR_TAG, 0x10a, 0);
    flip_expect(f, 0x27f, SE_CHECK_HDR_TAG, 0x10a, 0);
    /* key slot: wrapped key and slot tag */
    flip_expect(f, 0x1a0 + 32, SE_CHECK_SLOT_TAG, 0x108, 0xb);
    flip_expect(f, 0x1a0 + 79, SE_CHECK_SLOT_TAG, 0x108, 0xb);
    /* customer public key: no longer a curve point */
    flip_expect(f, 0x4e + 65, SE_CHECK_CUST_KEY, 0x108, 0xb);
    flip_expect(f, 0x9e, SE_CHECK_CUST_KEY, 0x108, 0xb);
}

/* Overwrite the u64/u32 at @off of a fresh header and expect @id. */
static void patch_expect(Fixture *f, size_t off, size_t width, uint64_t v,
                         SeCheck id, uint16_t rc, uint16_t rrc)
{
    g_autofree uint8_t *buf = NULL;
    uint8_t tmp[8];
    size_t len;

    buf = build(&f->p, &len);
    put64_at(tmp, v);
    memcpy(buf + off, tmp + 8 - width, width);
    expect(buf, len, &f->key[0], id, rc, rrc);
}

static void test_bad_fields(Fixture *f, gconstpointer data)
{
    patch_expect(f, 0x0, 8, 0x49424d5365634579ULL, SE_CHECK_MAGIC,
                 0x10a, 0);
    patch_expect(f, 0x8, 4, 0x200, SE_CHECK_VERSION, 0x104, 0);
    patch_expect(f, 0x8, 4, 0, SE_CHECK_VERSION, 0x104, 0);
    patch_expect(f, 0x1c, 4, 1, SE_CHECK_RESERVED, 0x10a, 0);
    patch_expect(f, 0x20, 8, 0, SE_CHECK_NO_KEY_SLOT, 0x10a, 0x40);
    patch_expect(f, 0x20, 8, 2, SE_CHECK_LENGTH, 0x10a, 0x31);
    patch_expect(f, 0x20, 8, UINT64_MAX, SE_CHECK_LENGTH, 0x10a, 0x31);
    patch_expect(f, 0x20, 8, 1ULL << 62, SE_CHECK_LENGTH, 0x10a, 0x31);
    patch_expect(f, 0x28, 8, 0x88, SE_CHECK_ENC_SIZE, 0x10a, 0x39);
    patch_expect(f, 0x28, 8, 0x81, SE_CHECK_ENC_SIZE, 0x10a, 0x39);
    patch_expect(f, 0x28, 8, 0x70, SE_CHECK_ENC_SIZE, 0x10a, 0x39);
    patch_expect(f, 0x28, 8, UINT64_MAX - 15, SE_CHECK_ENC_SIZE,
                 0x10a, 0x39);
    patch_expect(f, 0x38, 8, SE_FLAG_BIT(0), SE_CHECK_PCF, 0x106, 0x30);
    patch_expect(f, 0x38, 8, SE_FLAG_BIT(63), SE_CHECK_PCF, 0x106, 0x30);
    /* customer key padding: first byte of X's, last byte of Y's */
    patch_expect(f, 0x40, 1, 1, SE_CHECK_CUST_KEY, 0x108, 0xb);
    patch_expect(f, 0x9d, 1, 0x80, SE_CHECK_CUST_KEY, 0x108, 0xb);
}

static void test_lengths(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *buf = NULL;
    g_autofree uint8_t *big = NULL;
    g_autoptr(SeHdr) h = NULL;
    SeError err;
    size_t len;

    buf = build(&f->p, &len);
    expect(buf, len - 1, &f->key[0], SE_CHECK_LENGTH, 0x10a, 0x31);
    expect(buf, 0x1a0, &f->key[0], SE_CHECK_LENGTH, 0x10a, 0x31);
    expect(buf, 12, &f->key[0], SE_CHECK_LENGTH, 0x10a, 0x31);
    expect(buf, 4, &f->key[0], SE_CHECK_LENGTH, 0x10a, 0x31);
    expect(NULL, 0, &f->key[0], SE_CHECK_LENGTH, 0x10a, 0x31);

    /* trailing bytes after phs are not part of the header */
    big = g_malloc0(SE_HDR_MAX_SIZE + 64);
    memcpy(big, buf, len);
    expect(big, SE_HDR_MAX_SIZE + 64, &f->key[0], SE_CHECK_OK, 1, 0);

    /* phs beyond two pages, with enough bytes behind it */
    memcpy(big + 0xc, "\x00\x00\x20\x10", 4);
    expect(big, SE_HDR_MAX_SIZE + 64, &f->key[0], SE_CHECK_LENGTH,
           0x10a, 0x31);
    /* phs smaller than nks/sea say */
    memcpy(big + 0xc, "\x00\x00\x02\x70", 4);
    expect(big, SE_HDR_MAX_SIZE + 64, &f->key[0], SE_CHECK_LENGTH,
           0x10a, 0x31);
    memcpy(big + 0xc, "\x00\x00\x00\x10", 4);
    h = se_hdr_parse(big, SE_HDR_MAX_SIZE + 64, &err);
    g_assert_null(h);
    g_assert_cmpint(err.id, ==, SE_CHECK_LENGTH);
}

static void test_secret_flags(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *b1 = NULL, *b2 = NULL, *b3 = NULL;
    SeHdrSecrets s;
    SeError err;
    size_t len;

    /* bit 0 is not a flag the secret store knows: refused */
    f->p.secrets.scf = SE_FLAG_BIT(0);
    b1 = build(&f->p, &len);
    expect(b1, len, &f->key[0], SE_CHECK_SCF, 0x109, 0);
    g_free(b1);
    /* bits 1 and 2 (CCK extension secret, CCK update) are honoured */
    f->p.secrets.scf = SE_SCF_CCK_EXT_SECRET | SE_SCF_CCK_UPDATE;
    b1 = build(&f->p, &len);
    expect(b1, len, &f->key[0], SE_CHECK_OK, 1, 0);

    f->p.secrets.scf = 0;
    f->p.secrets.noi = 1;
    b2 = build(&f->p, &len);
    expect(b2, len, &f->key[0], SE_CHECK_NOI, 0x10a, 0x39);

    /* every supported PCF bit together is accepted */
    f->p.secrets.noi = 0;
    f->p.pcf = se_hdr_supported_pcf();
    g_assert_true(f->p.pcf & SE_PCF_NO_DECRYPT);
    g_assert_true(f->p.pcf & SE_PCF_BACKUP_KEYS);
    b3 = build(&f->p, &len);
    g_assert_cmpint(open_hdr(b3, len, &f->key[0], NULL, &s, NULL, NULL,
                             &err), ==, SE_CHECK_OK);
}

static void test_builder(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *a = NULL, *b = NULL, *c = NULL;
    GError *err = NULL;
    SeP521Pub bad;
    size_t la, lb, lc;

    a = build(&f->p, &la);
    b = build(&f->p, &lb);
    g_assert_cmpmem(a, la, b, lb);          /* deterministic */
    f->p.iv[11] ^= 1;
    c = build(&f->p, &lc);
    g_assert_cmpuint(la, ==, lc);
    g_assert_true(memcmp(a + 0x1f0, c + 0x1f0, la - 0x1f0) != 0);

    f->p.n_host_keys = 0;
    g_assert_null(se_hdr_build(&f->p, &la, &err));
    g_assert_error(err, SE_HDR_ERROR, 0);
    g_clear_error(&err);

    bad = f->pub[0];
    bad.y[65] ^= 1;
    f->p.host_pub = &bad;
    f->p.n_host_keys = 1;
    g_assert_null(se_hdr_build(&f->p, &la, &err));
    g_assert_error(err, SE_HDR_ERROR, 0);
    g_clear_error(&err);

    f->p.host_pub = f->pub;
    memset(f->p.cust_priv, 0, sizeof(f->p.cust_priv));
    g_assert_null(se_hdr_build(&f->p, &la, &err));
    g_assert_error(err, SE_HDR_ERROR, 0);
    g_clear_error(&err);
}

static void test_error_table(void)
{
    SeError e;
    int i;

    for (i = 0; i < SE_CHECK__MAX; i++) {
        g_assert_cmpint(se_error_set(&e, i), ==, i == SE_CHECK_OK);
        g_assert_cmpint(e.id, ==, i);
        g_assert_nonnull(e.check);
        g_assert_cmphex(e.rc, !=, 0);
        g_assert_true((e.rc == 1) == (i == SE_CHECK_OK));
    }
    g_assert_false(se_error_set(NULL, SE_CHECK_MAGIC));
    g_assert_cmphex(se_hdr_supported_pcf() & SE_FLAG_BIT(0), ==, 0);
}

#define ADD(name, fn) \
    g_test_add("/se-hdr/" name, Fixture, NULL, fixture_init, fn, fixture_fini)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("layout", test_layout);
    ADD("roundtrip-one-slot", test_roundtrip_one_slot);
    ADD("roundtrip-three-slots", test_roundtrip_three_slots);
    ADD("backup-key", test_backup_key);
    ADD("wrong-host-key", test_wrong_host_key);
    ADD("gcm-failures", test_gcm_failures);
    ADD("bad-fields", test_bad_fields);
    ADD("lengths", test_lengths);
    ADD("secret-flags", test_secret_flags);
    ADD("builder", test_builder);
    g_test_add_func("/se-hdr/error-table", test_error_table);
    return g_test_run();
}
