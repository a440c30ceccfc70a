/*
 * Unit tests for the Secure Execution add-secret request (ASRCB) checks,
 * the secret store and the ASRCB builder (hw/s390x/se/se-secret.h).
 * The guest's calls into the store are tested in test-uv-core.c.
 *
 * Formats: s390-tools rust/pv/src/uvsecret/; rc values:
 * rust/pv_core/src/uvdevice/secret.rs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-secret.h"

typedef struct Fixture {
    SeHostKey key;
    SeAsrcbBuildParams p;
    uint8_t tags[SE_ATT_TAGS_SIZE], cuid[SE_ATT_CUID_SIZE];
    uint8_t cck[SE_SECRET_CCK_SIZE], value[128];
    uint8_t *asrcb;
    size_t len;
} Fixture;

static void pattern(uint8_t *d, size_t n, uint8_t seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        d[i] = seed * 31 + i * 7;
    }
}

static void rebuild(Fixture *f)
{
    GError *err = NULL;

    g_free(f->asrcb);
    f->asrcb = se_asrcb_build(&f->p, &f->len, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->asrcb);
}

static void fixture_init(Fixture *f, gconstpointer data)
{
    uint8_t d[CC_P521_LEN];

    memset(f, 0, sizeof(*f));
    pattern(d, sizeof(d), 1);
    d[0] = 0;
    g_assert_true(se_host_key_init(&f->key, d));
    pattern(f->p.iv, sizeof(f->p.iv), 3);
    pattern(f->p.prot_key, sizeof(f->p.prot_key), 4);
    pattern(f->p.cust_priv, sizeof(f->p.cust_priv), 5);
    f->p.cust_priv[0] = 0;
    pattern(f->tags, sizeof(f->tags), 6);
    pattern(f->cuid, sizeof(f->cuid), 7);
    pattern(f->cck, sizeof(f->cck), 8);
    pattern(f->value, sizeof(f->value), 9);
    memcpy(f->p.tags, f->tags, sizeof(f->tags));
    f->p.type = SE_SECRET_ASSOC;
    se_secret_name_id("test", f->p.id);
    f->p.secret = f->value;
    f->p.secret_len = 32;
    f->p.host_pub = &f->key.pub;
    f->p.n_host_keys = 1;
    rebuild(f);
}

static void fixture_fini(Fixture *f, gconstpointer data)
{
    g_free(f->asrcb);
}

static uint16_t add(Fixture *f, SeSecretStore *st)
{
    const SeHostKey *keys[] = { NULL, &f->key };

    return se_secret_add(st, f->asrcb, f->len, keys, G_N_ELEMENTS(keys));
}

static SeSecretStore *store(Fixture *f, uint64_t scf)
{
    return se_secret_store_new(f->tags, f->cuid, f->cck, scf);
}

/*
 * The extension-secret derivation, HKDF-SHA512 (RFC 5869): expected
 * values computed with Python's "cryptography" (HKDF(SHA512(), 32, salt,
 * info).derive(cck)).
 */
static void test_derive_ext(void)
{
    static const uint8_t want1[32] = {
        0xb7, 0xe2, 0x8c, 0x1e, 0xd1, 0xec, 0xd0, 0x63, 0xaf, 0xe5, 0xeb,
        0x9b, 0x54, 0xc6, 0x68, 0x5a, 0xca, 0x5c, 0x19, 0x31, 0x63, 0xe8,
        0x2e, 0x20, 0x71, 0xc3, 0x15, 0x0e, 0xd6, 0xff, 0x64, 0x73,
    };
    static const uint8_t want2[32] = {
        0x34, 0x34, 0xb0, 0x53, 0xb6, 0xb5, 0xfa, 0x8a, 0x07, 0x87, 0x3b,
        0x1f, 0x3b, 0x9c, 0x88, 0x23, 0xdf, 0x13, 0x2b, 0x55, 0x84, 0xf6,
        0x80, 0xbb, 0x0b, 0xde, 0xdf, 0xaf, 0x20, 0x93, 0x54, 0xc1,
    };
    uint8_t cck[32] = { 0 }, tag[16], ext[32];
    unsigned i;

    memset(tag, 4, sizeof(tag));
    se_secret_derive_ext(cck, tag, ext);
    g_assert_cmpmem(ext, 32, want1, 32);
    memset(cck, 0x5a, sizeof(cck));
    for (i = 0; i < 16; i++) {
        tag[i] = i;
    }
    se_secret_derive_ext(cck, tag, ext);
    g_assert_cmpmem(ext, 32, want2, 32);
}

/* The layout asrcb.rs describes, and the store's view of it */
static void test_layout(Fixture *f, gconstpointer data)
{
    g_autoptr(SeSecretStore) st = store(f, 0);
    uint8_t page[SE_SECRET_LIST_SIZE], id[32];
    uint32_t rql;

    g_assert_cmpuint(f->len, ==, 0x4b8 + 80 + 0x30 + 32 + 32 + 16);
    g_assert_cmpmem(f->asrcb, 8, "asrcbM\0\0", 8);
    g_assert_cmpuint(cc_get_be(f->asrcb + 8, 4), ==, 0x0100);
    g_assert_cmpuint(cc_get_be(f->asrcb + 12, 4), ==, f->len);
    g_assert_cmpuint(f->asrcb[0x27], ==, 1);
    g_assert_cmpuint(cc_get_be(f->asrcb + 0x2c, 4), ==, 64);
    g_assert_cmpmem(f->asrcb + 0x38, SE_ATT_TAGS_SIZE, f->tags,
                    SE_ATT_TAGS_SIZE);
    g_assert_cmpuint(cc_get_be(f->asrcb + 0x508 + 2, 2), ==, SE_SECRET_ASSOC);
    g_assert_cmpuint(cc_get_be(f->asrcb + 0x508 + 4, 4), ==, 32);
    se_secret_name_id("test", id);
    g_assert_cmpmem(f->asrcb + 0x518, 32, id, 32);
    g_assert_cmpuint(se_asrcb_length(f->asrcb, SE_REQ_HDR_SIZE, &rql), ==,
                     SE_SECRET_RC_OK);
    g_assert_cmpuint(rql, ==, f->len);

    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
    g_assert_cmphex(se_secret_list(st, 0, page), ==, SE_SECRET_RC_OK);
    g_assert_cmpuint(cc_get_be(page, 2), ==, 1);
    g_assert_cmpmem(page + 16 + 16, 32, id, 32);
    g_assert_false(se_secret_dump_disabled(st));

    /* unsigned user data: authenticated, at 0x218 */
    f->p.user_type = SE_ASRCB_USER_UNSIGNED;
    f->p.user = (const uint8_t *)"hello";
    f->p.user_len = 5;
    f->p.flags = SE_ASRCB_FLAG_DISABLE_DUMP;
    rebuild(f);
    g_assert_cmpuint(cc_get_be(f->asrcb + 6, 2), ==, 1);
    g_assert_cmpmem(f->asrcb + 0x218, 5, "hello", 5);
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
    g_assert_true(se_secret_dump_disabled(st));
}

/* Every malformation and what it is refused with */
static void test_refused(Fixture *f, gconstpointer data)
{
    static const struct {
        size_t off;
        uint8_t val;
        uint16_t rc;
    } sets[] = {
        { 0x00, 'A', SE_SECRET_RC_VERSION },      /* magic */
        { 0x07, 0x05, SE_SECRET_RC_VERSION },     /* user-data type 5 */
        { 0x0a, 0x02, SE_SECRET_RC_VERSION },     /* version 0x0200 */
        { 0x0e, 0x00, SE_SECRET_RC_SIZE },        /* rql < minimum */
        { 0x0c, 0x01, SE_SECRET_RC_SIZE },        /* rql > maximum */
        { 0x27, 0x00, SE_SECRET_RC_NKS },         /* no key slot */
        { 0x27, 0x02, SE_SECRET_RC_NKS },         /* slots vs. rql */
        { 0x2f, 0x41, SE_SECRET_RC_SIZE },        /* sea vs. secret */
        { 0x30, 0x40, SE_SECRET_RC_FLAGS },       /* flag 1 */
        { 0x50b, 0x0b, SE_SECRET_RC_TYPE },       /* reserved type */
        { 0x50b, 0x00, SE_SECRET_RC_TYPE },       /* type 0 */
        { 0x50b, 0x04, SE_SECRET_RC_LENGTH },     /* AES-128 of 32 bytes */
        { 0x50b, 0x01, SE_SECRET_RC_SIZE },       /* meta: header size */
        { 0x100, 0x00, SE_SECRET_RC_DECRYPT },    /* tags: authenticated */
        { 0x110, 0x01, SE_SECRET_RC_DECRYPT },    /* CUID: authenticated */
        { 0x300, 0x01, SE_SECRET_RC_DECRYPT },    /* user data */
        { 0x440, 0x01, SE_SECRET_RC_DECRYPT },    /* customer key */
        { 0x4b8, 0x00, SE_SECRET_RC_DECRYPT },    /* key slot's hash */
        { 0x520, 0x00, SE_SECRET_RC_DECRYPT },    /* secret id */
        { 0x540, 0x00, SE_SECRET_RC_DECRYPT },    /* the secret */
    };
    g_autofree uint8_t *good = g_memdup2(f->asrcb, f->len);
    g_autofree uint8_t *page = g_malloc(SE_SECRET_LIST_SIZE);
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(sets); i++) {
        g_autoptr(SeSecretStore) st = store(f, 0);

        memcpy(f->asrcb, good, f->len);
        if (f->asrcb[sets[i].off] == sets[i].val) {
            f->asrcb[sets[i].off] ^= 0xff;
        } else {
            f->asrcb[sets[i].off] = sets[i].val;
        }
        g_test_message("byte 0x%zx = 0x%02x", sets[i].off,
                       f->asrcb[sets[i].off]);
        g_assert_cmphex(add(f, st), ==, sets[i].rc);
        g_assert_cmphex(se_secret_list(st, 0, page), ==, SE_SECRET_RC_OK);
        g_assert_cmpuint(cc_get_be(page + 2, 2), ==, 0);
    }
    /* truncated: fewer bytes readable than rql */
    {
        g_autoptr(SeSecretStore) st = store(f, 0);
        const SeHostKey *keys[] = { &f->key };

        g_assert_cmphex(se_secret_add(st, good, f->len - 1, keys, 1), ==,
                        SE_SECRET_RC_SIZE);
        g_assert_cmphex(se_secret_add(st, good, f->len, keys, 1), ==,
                        SE_SECRET_RC_OK);
    }
}

/*
 * SCF bit 1: the extension secret must be the one derived from the CCK;
 * SCF bit 2: an update-CCK secret replaces the CCK it is derived from.
 */
static void test_cck(Fixture *f, gconstpointer data)
{
    g_autoptr(SeSecretStore) st =
        store(f, SE_SCF_CCK_EXT_SECRET | SE_SCF_CCK_UPDATE);
    g_autoptr(SeSecretStore) plain = store(f, 0);
    uint8_t new_cck[32];

    /* a zero extension secret: refused by the CCK-bound store only */
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_UNABLE);
    g_assert_cmphex(add(f, plain), ==, SE_SECRET_RC_OK);
    se_secret_derive_ext(f->cck, f->tags + SE_ATT_TAGS_SIZE - 16, f->p.ext);
    rebuild(f);
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
    /* without SCF bit 1 the first request's extension secret binds */
    g_assert_cmphex(add(f, plain), ==, SE_SECRET_RC_UNABLE);

    /* update the CCK: the old derivation no longer matches */
    pattern(new_cck, sizeof(new_cck), 77);
    f->p.type = SE_SECRET_UPDATE_CCK;
    f->p.secret = new_cck;
    rebuild(f);
    g_assert_cmphex(add(f, plain), ==, SE_SECRET_RC_TYPE);
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
    f->p.type = SE_SECRET_ASSOC;
    f->p.secret = f->value;
    rebuild(f);
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_UNABLE);
    se_secret_derive_ext(new_cck, f->tags + SE_ATT_TAGS_SIZE - 16, f->p.ext);
    rebuild(f);
    g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
}

/* Lengths per type (guest_secret.rs), and what retrieve returns */
static void test_types(Fixture *f, gconstpointer data)
{
    static const struct {
        uint16_t type;
        uint32_t len;
    } ok[] = {
        { SE_SECRET_PLAIN, 16 }, { SE_SECRET_PLAIN, 8192 },
        { SE_SECRET_AES_128, 16 }, { SE_SECRET_AES_192, 24 },
        { SE_SECRET_AES_256, 32 }, { SE_SECRET_AES_XTS_128, 32 },
        { SE_SECRET_AES_XTS_256, 64 }, { SE_SECRET_HMAC_SHA_256, 64 },
        { SE_SECRET_HMAC_SHA_512, 128 }, { SE_SECRET_EC_P256, 32 },
        { SE_SECRET_EC_P384, 48 }, { SE_SECRET_EC_P521, 80 },
        { SE_SECRET_ED25519, 32 }, { SE_SECRET_ED448, 64 },
    };
    g_autoptr(SeSecretStore) st = store(f, 0);
    g_autofree uint8_t *big = g_malloc0(8192);
    uint8_t buf[128];
    uint32_t len;
    unsigned i;

    g_assert_false(se_secret_len_ok(SE_SECRET_PLAIN, 8208));
    g_assert_false(se_secret_len_ok(SE_SECRET_PLAIN, 24));
    g_assert_false(se_secret_len_ok(SE_SECRET_ASSOC, 16));
    g_assert_false(se_secret_len_ok(0x0b, 16));
    g_assert_cmphex(se_secret_retrieve(st, 0, buf, sizeof(buf), &len), ==,
                    SE_SECRET_RC_EMPTY);
    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_assert_true(se_secret_len_ok(ok[i].type, ok[i].len));
        g_assert_true(ok[i].type == SE_SECRET_PLAIN ||
                      !se_secret_len_ok(ok[i].type, ok[i].len + 16));
        f->p.type = ok[i].type;
        f->p.secret_len = ok[i].len;
        f->p.secret = ok[i].len > sizeof(f->value) ? big : f->value;
        rebuild(f);
        g_assert_cmphex(add(f, st), ==, SE_SECRET_RC_OK);
        /* [U] only plaintext secrets come back */
        g_assert_cmphex(se_secret_retrieve(st, i, buf, sizeof(buf), &len),
                        ==, ok[i].type == SE_SECRET_PLAIN ?
                        (ok[i].len > sizeof(buf) ? SE_SECRET_RC_RETR_SMALL
                                                 : SE_SECRET_RC_OK)
                        : SE_SECRET_RC_NOT_RETR);
    }
    g_assert_cmphex(se_secret_retrieve(st, 0, buf, sizeof(buf), &len), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmpuint(len, ==, 16);
    g_assert_cmpmem(buf, 16, f->value, 16);
}

#define ADD_TEST(name, fn) \
    g_test_add("/se-secret/" name, Fixture, NULL, fixture_init, fn, \
               fixture_fini)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/se-secret/derive-ext", test_derive_ext);
    ADD_TEST("layout", test_layout);
    ADD_TEST("refused", test_refused);
    ADD_TEST("cck", test_cck);
    ADD_TEST("types", test_types);
    return g_test_run();
}
