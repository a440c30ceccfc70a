/*
 * Unit tests for the emulated ultravisor core (hw/s390x/se/uv-core.h):
 * configuration and CPU state machines, handles, shared-page tracking and
 * the guest UVC control blocks.
 *
 * Images are built with the real builder (se_hdr_build, se_pack) so the
 * happy path exercises the whole chain.  Control-block offsets and
 * installed-call bits are taken from Linux arch/s390/include/asm/uv.h and
 * decoded here with the test's own big-endian readers.  rc/rrc values
 * that are our own choices come from the table at the top of uv-core.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-attest.h"
#include "hw/s390x/se/se-dump.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-secret.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"

#include <nettle/sha2.h>

#define PAGE            SE_UV_PAGE_SIZE
#define MEM_SIZE        (64 * PAGE)
#define MAX_CPUS        4
#define NPAGES          3
#define PSW_MASK        0x0000000180000000ULL
#define PSW_ADDR        0x20000ULL
#define PREFIX          0x8000ULL

/* Our own codes where the sources are silent (the table in uv-core.c) */
#define RC_INV_PARAM    0x0101
#define RRC_CONF_HANDLE 0x0001
#define RRC_CPU_HANDLE  0x0002
#define RRC_NOT_SECURE  0x0003
#define RRC_BROKEN      0x0004
#define RRC_UNALIGNED   0x0001
#define RRC_ADDRESS     0x0002
#define RRC_CPU_ID      0x0003
#define RRC_CPU_EXISTS  0x0004
#define RRC_CPU_STATE   0x0005

typedef struct Env {
    SeHostKey key;          /* the machine's primary host key */
    SeHostKey backup;
    SeHostKey other;        /* a key of some other machine */
    uint64_t addr[NPAGES];
    uint64_t pref[NPAGES];
    uint64_t off[NPAGES];
    uint8_t plain[NPAGES][PAGE];
    uint8_t enc[NPAGES][PAGE];
    SeHdrBuildParams p;
    SeP521Pub target;
    uint8_t *hdr;
    size_t hdr_len;
} Env;

/* ---- helpers ----------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)rd16(p) << 16) | rd16(p + 2);
}

static uint64_t rd64(const uint8_t *p)
{
    return ((uint64_t)rd32(p) << 32) | rd32(p + 4);
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v >> 16);
    wr16(p + 2, v);
}

static void wr64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static void make_key(SeHostKey *k, uint8_t seed)
{
    uint8_t d[CC_P521_LEN];
    size_t i;

    for (i = 0; i < sizeof(d); i++) {
        d[i] = seed * 29 + i * 13;
    }
    d[0] = 0;                               /* below the group order */
    g_assert_true(se_host_key_init(k, d));
}

/* Pack the pages and build a header for @target (a host public key). */
static void env_build(Env *e, const SeP521Pub *target, uint64_t pcf)
{
    g_autoptr(SePackCtx) pc = NULL;
    GError *err = NULL;
    size_t i, j;

    for (i = 0; i < SE_HDR_XTS_KEY_SIZE; i++) {
        e->p.secrets.xts_key[i] = 0x3c ^ (i * 7);
    }
    for (i = 0; i < SE_HDR_CCK_SIZE; i++) {
        e->p.secrets.cck[i] = 0x11 * i;
    }
    e->p.secrets.psw_mask = PSW_MASK;
    e->p.secrets.psw_addr = PSW_ADDR;
    for (i = 0; i < SE_HDR_IV_SIZE; i++) {
        e->p.iv[i] = 0x70 + i;
    }
    for (i = 0; i < SE_HDR_KEY_SIZE; i++) {
        e->p.hdr_key[i] = 0x90 + i * 3;
    }
    for (i = 0; i < CC_P521_LEN; i++) {
        e->p.cust_priv[i] = 0x21 + i * 5;
    }
    e->p.cust_priv[0] = 0;
    e->p.pcf = pcf;

    pc = se_pack_new(e->p.secrets.xts_key, false);
    for (i = 0; i < NPAGES; i++) {
        e->addr[i] = i < 2 ? 0x10000 + i * PAGE : PSW_ADDR;
        e->pref[i] = i < 2 ? 0x0000a1b2c3d4e5f6ULL : 0x0003a1b2c3d4e5f7ULL;
        e->off[i] = i < 2 ? i * PAGE : 0;
        for (j = 0; j < PAGE; j++) {
            e->plain[i][j] = i * 41 + j * 3 + (j >> 9);
        }
        memcpy(e->enc[i], e->plain[i], PAGE);
        g_assert_true(se_pack_page(pc, e->addr[i], e->pref[i], e->off[i],
                                   e->enc[i]));
    }
    se_pack_result(pc, e->p.pld, e->p.ald, e->p.tld, &e->p.nep);
    g_assert_cmpuint(e->p.nep, ==, NPAGES);

    e->target = *target;
    e->p.host_pub = &e->target;
    e->p.n_host_keys = 1;
    g_free(e->hdr);
    e->hdr = se_hdr_build(&e->p, &e->hdr_len, &err);
    g_assert_no_error(err);
    g_assert_nonnull(e->hdr);
}

static Env *env_new(void)
{
    Env *e = g_new0(Env, 1);

    make_key(&e->key, 1);
    make_key(&e->backup, 2);
    make_key(&e->other, 3);
    env_build(e, &e->key.pub, SE_PCF_PCKMO_AES);
    return e;
}

static void env_free(Env *e)
{
    g_free(e->hdr);
    g_free(e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Env, env_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SeUv, se_uv_free)

static SeUv *uv_new(Env *e)
{
    return se_uv_new(MEM_SIZE, MAX_CPUS, &e->key, NULL);
}

static uint64_t create_conf(SeUv *uv)
{
    uint64_t h = 0;
    uint16_t rrc = 0xffff;

    g_assert_cmphex(se_uv_create_conf(uv, &h, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_cmphex(h, !=, 0);
    return h;
}

static void set_params_ok(Env *e, SeUv *uv, uint64_t conf)
{
    SeError err;
    uint16_t rrc = 0xffff;

    g_assert_cmphex(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, &rrc,
                                     &err), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_cmpint(err.id, ==, SE_CHECK_OK);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);
}

static void unpack_ok(Env *e, SeUv *uv, uint64_t conf, size_t i)
{
    uint8_t page[PAGE];
    uint16_t rrc = 0xffff;

    memcpy(page, e->enc[i], PAGE);
    g_assert_cmphex(se_uv_unpack(uv, conf, e->addr[i], e->pref[i], e->off[i],
                                 page, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_cmpmem(page, PAGE, e->plain[i], PAGE);
}

/* A configuration in VERIFIED state; returns its handle. */
static uint64_t drive_verified(Env *e, SeUv *uv)
{
    uint64_t conf = create_conf(uv);
    uint16_t rrc = 0xffff;
    size_t i;

    set_params_ok(e, uv, conf);
    for (i = 0; i < NPAGES; i++) {
        unpack_ok(e, uv, conf, i);
    }
    g_assert_cmphex(se_uv_verify(uv, conf, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
    return conf;
}

/*
 * assert_rc(call, rc, rrc): @call passes RRC as its rrc pointer; the
 * macro checks the returned rc and the rrc it stored.
 */
static uint16_t last_rrc;
#define RRC (&last_rrc)
#define assert_rc(call, want_rc, want_rrc) \
    do { \
        last_rrc = 0xffff; \
        g_assert_cmphex((call), ==, (want_rc)); \
        g_assert_cmphex(last_rrc, ==, (want_rrc)); \
    } while (0)

/* ---- guest-call helpers ------------------------------------------------ */

/* real -> absolute with low-core prefixing; storage is @limit bytes. */
typedef struct Prefixing {
    uint64_t prefix;
    uint64_t limit;
    unsigned calls;
} Prefixing;

static bool prefix_real_to_abs(void *opaque, uint64_t real, uint64_t *abs)
{
    Prefixing *px = opaque;

    px->calls++;
    if (real < 0x2000) {
        *abs = real + px->prefix;
    } else if (real >= px->prefix && real < px->prefix + 0x2000) {
        *abs = real - px->prefix;
    } else {
        *abs = real;
    }
    return *abs < px->limit;
}

static Prefixing px_default = { PREFIX, MEM_SIZE, 0 };
static const SeUvGuestOps ops_default = {
    prefix_real_to_abs, &px_default
};

/* Issue a UVC: header written, rc/rrc read back, cc/rc consistent. */
static uint16_t gcall(SeUv *uv, bool secure, uint8_t *cb, size_t avail,
                      uint16_t len, uint16_t cmd, uint16_t *rrc,
                      const SeUvGuestOps *ops)
{
    int cc;
    uint16_t rc;

    wr16(cb, len);
    wr16(cb + 2, cmd);
    wr16(cb + 4, 0xdead);
    wr16(cb + 6, 0xbeef);
    cc = se_uv_guest_call(uv, secure, cb, avail, ops);
    rc = rd16(cb + 4);
    *rrc = rd16(cb + 6);
    g_assert_cmpuint(rd16(cb), ==, len);
    g_assert_cmphex(rd16(cb + 2), ==, cmd);
    g_assert_cmpint(cc, ==, rc == UVC_RC_EXECUTED ? 0 : 1);
    return rc;
}

static uint16_t share(SeUv *uv, bool secure, uint16_t cmd, uint64_t paddr,
                      uint16_t *rrc)
{
    uint8_t cb[0x30];

    memset(cb, 0, sizeof(cb));
    wr64(cb + 0x20, paddr);
    return gcall(uv, secure, cb, sizeof(cb), sizeof(cb), cmd, rrc,
                 &ops_default);
}

/* ---- configuration life cycle ------------------------------------------ */

static void test_happy_path(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint64_t conf, cpu, mask = 1, addr = 1;
    uint16_t rrc;
    size_t i;

    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_NONE);
    g_assert_false(se_uv_protected(uv));
    g_assert_false(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmphex(mask | addr, ==, 0);

    conf = create_conf(uv);
    g_assert_true(se_uv_protected(uv));
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_CREATED);
    g_assert_cmphex(se_uv_create_cpu(uv, conf, 0, &cpu, &rrc), ==,
                    UVC_RC_EXECUTED);

    set_params_ok(e, uv, conf);
    g_assert_false(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmphex(se_uv_pcf(uv), ==, 0);
    for (i = 0; i < NPAGES; i++) {
        unpack_ok(e, uv, conf, i);
        g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);
    }
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
    g_assert_true(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmphex(mask, ==, PSW_MASK);
    g_assert_cmphex(addr, ==, PSW_ADDR);
    g_assert_cmphex(se_uv_pcf(uv), ==, SE_PCF_PCKMO_AES);

    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
    g_assert_true(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmphex(addr, ==, PSW_ADDR);

    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_NONE);
    g_assert_false(se_uv_protected(uv));
    g_assert_false(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmphex(se_uv_pcf(uv), ==, 0);
    g_assert_cmpint(se_uv_cpu_state(uv, cpu), ==, -1);

    /* a second life on the same UV */
    drive_verified(e, uv);
}

/* A header for the backup key unwraps only if the UV has that key. */
static void test_backup_key(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = se_uv_new(MEM_SIZE, 1, &e->key, &e->backup);
    g_autoptr(SeUv) uv1 = uv_new(e);
    uint64_t conf;
    SeError err;

    env_build(e, &e->backup.pub, 0);
    drive_verified(e, uv);

    conf = create_conf(uv1);
    assert_rc(se_uv_set_params(uv1, conf, e->hdr, e->hdr_len, RRC, &err),
              0x0108, 0x0005);
    g_assert_cmpint(err.id, ==, SE_CHECK_NO_MATCHING_SLOT);
    g_assert_cmpint(se_uv_conf_state(uv1), ==, SE_UV_CONF_CREATED);
}

/* Failed SET_SEC_CONF_PARAMS: se-hdr's rc/rrc, state stays CREATED. */
static void test_set_params_fail(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autofree uint8_t *good = NULL;
    g_autoptr(SeHdr) h = NULL;
    uint8_t junk[0x300];
    uint64_t conf = create_conf(uv);
    size_t good_len, i;
    SeError err, want;
    uint16_t rc, rrc;

    for (i = 0; i < sizeof(junk); i++) {
        junk[i] = i * 7 + 1;
    }
    g_assert_null(se_hdr_parse(junk, sizeof(junk), &want));
    rc = se_uv_set_params(uv, conf, junk, sizeof(junk), &rrc, &err);
    g_assert_cmphex(rc, !=, UVC_RC_EXECUTED);
    g_assert_cmphex(rc, ==, want.rc);
    g_assert_cmphex(rrc, ==, want.rrc);
    g_assert_cmpint(err.id, ==, want.id);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_CREATED);

    /* truncated and NULL headers */
    rc = se_uv_set_params(uv, conf, e->hdr, e->hdr_len - 1, &rrc, &err);
    g_assert_cmphex(rc, ==, 0x010a);
    g_assert_cmpint(err.id, ==, SE_CHECK_LENGTH);
    rc = se_uv_set_params(uv, conf, NULL, 100, &rrc, &err);
    g_assert_cmphex(rc, ==, 0x010a);
    g_assert_cmpint(err.id, ==, SE_CHECK_LENGTH);

    /* header for another machine; the GCM tag flipped */
    good = g_malloc(e->hdr_len);
    good_len = e->hdr_len;
    memcpy(good, e->hdr, good_len);
    env_build(e, &e->other.pub, 0);
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              0x0108, 0x0005);
    env_build(e, &e->key.pub, SE_PCF_PCKMO_AES);
    e->hdr[e->hdr_len - 1] ^= 1;
    h = se_hdr_parse(e->hdr, e->hdr_len, &want);
    g_assert_nonnull(h);
    g_assert_false(se_hdr_unwrap(h, &e->key, NULL, &(SeHdrSecrets){ 0 },
                                 NULL, NULL, &want));
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              want.rc, want.rrc);
    g_assert_cmpint(err.id, ==, SE_CHECK_HDR_TAG);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_CREATED);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);

    /* after all that, a good header is accepted; err may be NULL */
    assert_rc(se_uv_set_params(uv, conf, good, good_len, RRC, NULL),
              UVC_RC_EXECUTED, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);
}

/* Every command in every state where it is not allowed. */
static void test_wrong_state(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint8_t page[PAGE];
    uint64_t conf, h2 = 1, cpu;
    SeError err;

    memset(page, 0x5a, sizeof(page));
    conf = create_conf(uv);
    /* CREATED */
    assert_rc(se_uv_create_conf(uv, &h2, RRC), UVC_RC_NEED_DESTROY, 0);
    g_assert_cmphex(h2, ==, 0);
    assert_rc(se_uv_unpack(uv, conf, 0, 0, 0, page, RRC),
              UVC_RC_INV_STATE, 0);
    g_assert_cmphex(page[0], ==, 0x5a);
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_CREATED);

    /* HDR_SET */
    set_params_ok(e, uv, conf);
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              UVC_RC_INV_STATE, 0);
    g_assert_cmpint(err.id, ==, SE_CHECK__MAX);
    g_assert_cmphex(err.rc, ==, UVC_RC_INV_STATE);
    g_assert_nonnull(err.check);
    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    assert_rc(se_uv_create_conf(uv, &h2, RRC), UVC_RC_NEED_DESTROY, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);

    /* VERIFIED */
    unpack_ok(e, uv, conf, 0);
    unpack_ok(e, uv, conf, 1);
    unpack_ok(e, uv, conf, 2);
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_INV_STATE, 0);
    memcpy(page, e->enc[0], PAGE);
    assert_rc(se_uv_unpack(uv, conf, e->addr[0], e->pref[0], e->off[0],
                           page, RRC), UVC_RC_INV_STATE, 0);
    g_assert_cmpmem(page, PAGE, e->enc[0], PAGE);
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              UVC_RC_INV_STATE, 0);
    assert_rc(se_uv_create_conf(uv, &h2, RRC), UVC_RC_NEED_DESTROY, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);

    /* NONE: everything with a handle sees a bad handle */
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              UVC_RC_INV_STATE, RRC_CONF_HANDLE);
    assert_rc(se_uv_unpack(uv, conf, 0, 0, 0, page, RRC),
              UVC_RC_INV_STATE, RRC_CONF_HANDLE);
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    assert_rc(se_uv_create_cpu(uv, conf, 0, &cpu, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    g_assert_cmphex(cpu, ==, 0);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_NONE);
}

/* A failed VERIFY_IMG leaves a configuration that can only be destroyed. */
static void test_verify_fail(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint64_t conf = create_conf(uv), mask, addr;
    uint8_t page[PAGE];
    SeError err;

    set_params_ok(e, uv, conf);
    unpack_ok(e, uv, conf, 0);
    unpack_ok(e, uv, conf, 2);
    assert_rc(se_uv_verify(uv, conf, RRC), SE_VERIFY_RC_MISMATCH,
              SE_VERIFY_RRC_NEP);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);
    g_assert_false(se_uv_start_psw(uv, &mask, &addr));
    memcpy(page, e->enc[1], PAGE);
    assert_rc(se_uv_unpack(uv, conf, e->addr[1], e->pref[1], e->off[1],
                           page, RRC), UVC_RC_INV_STATE, RRC_BROKEN);
    g_assert_cmpmem(page, PAGE, e->enc[1], PAGE);
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_INV_STATE, RRC_BROKEN);
    assert_rc(se_uv_set_params(uv, conf, e->hdr, e->hdr_len, RRC, &err),
              UVC_RC_INV_STATE, RRC_BROKEN);
    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_INV_STATE,
              RRC_BROKEN);
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);

    /* an altered page: PLD mismatch */
    conf = create_conf(uv);
    set_params_ok(e, uv, conf);
    unpack_ok(e, uv, conf, 0);
    memcpy(page, e->enc[1], PAGE);
    page[17] ^= 4;
    assert_rc(se_uv_unpack(uv, conf, e->addr[1], e->pref[1], e->off[1],
                           page, RRC), UVC_RC_EXECUTED, 0);
    unpack_ok(e, uv, conf, 2);
    assert_rc(se_uv_verify(uv, conf, RRC), SE_VERIFY_RC_MISMATCH,
              SE_VERIFY_RRC_PLD);
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    drive_verified(e, uv);
}

/* Rejected unpacks change neither state, page nor digests. */
static void test_unpack_params(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    static const uint64_t bad_addr[] = {
        MEM_SIZE, MEM_SIZE + PAGE, 0xfffffffffffff000ULL, 1ULL << 63,
    };
    uint64_t conf = create_conf(uv);
    uint8_t page[PAGE];
    size_t i;

    set_params_ok(e, uv, conf);
    memcpy(page, e->enc[0], PAGE);
    for (i = 1; i < PAGE; i += 511) {
        assert_rc(se_uv_unpack(uv, conf, e->addr[0] + i, e->pref[0],
                               e->off[0], page, RRC),
                  RC_INV_PARAM, RRC_UNALIGNED);
    }
    for (i = 0; i < G_N_ELEMENTS(bad_addr); i++) {
        assert_rc(se_uv_unpack(uv, conf, bad_addr[i], e->pref[0], e->off[0],
                               page, RRC), RC_INV_PARAM, RRC_ADDRESS);
    }
    assert_rc(se_uv_unpack(uv, conf ^ 1, e->addr[0], e->pref[0], e->off[0],
                           page, RRC), UVC_RC_INV_STATE, RRC_CONF_HANDLE);
    g_assert_cmpmem(page, PAGE, e->enc[0], PAGE);
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_HDR_SET);
    for (i = 0; i < NPAGES; i++) {
        unpack_ok(e, uv, conf, i);
    }
    assert_rc(se_uv_verify(uv, conf, RRC), UVC_RC_EXECUTED, 0);
}

/* The last page of storage can be unpacked; storage not a page multiple. */
static void test_unpack_bounds(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = se_uv_new(MEM_SIZE + 100, 1, &e->key, NULL);
    uint64_t conf = create_conf(uv);
    uint8_t page[PAGE] = { 0 };

    set_params_ok(e, uv, conf);
    assert_rc(se_uv_unpack(uv, conf, MEM_SIZE - PAGE, 0, 0, page, RRC),
              UVC_RC_EXECUTED, 0);
    /* the partial page at MEM_SIZE cannot hold a whole page */
    assert_rc(se_uv_unpack(uv, conf, MEM_SIZE, 0, 0, page, RRC),
              RC_INV_PARAM, RRC_ADDRESS);
    g_assert_false(se_uv_host_access_ok(uv, MEM_SIZE + 99));
    g_assert_true(se_uv_host_access_ok(uv, MEM_SIZE + 100));
}

/* Handles: nonzero, never reused, not small, checked on every call. */
static void test_handles(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash,
                                                  g_int64_equal);
    g_autofree uint64_t *hs = g_new0(uint64_t, 400);
    uint64_t conf, cpu, old, mask, addr;
    uint8_t page[PAGE] = { 0 };
    size_t n = 0, i;
    SeError err;

    for (i = 0; i < 100; i++) {
        conf = create_conf(uv);
        hs[n++] = conf;
        g_assert_cmphex(se_uv_create_cpu(uv, conf, i % MAX_CPUS, &cpu,
                                         NULL), ==, UVC_RC_EXECUTED);
        hs[n++] = cpu;
        g_assert_cmphex(se_uv_destroy_conf(uv, conf, NULL), ==,
                        UVC_RC_EXECUTED);
    }
    for (i = 0; i < n; i++) {
        g_assert_cmphex(hs[i], >, 0xffff);
        g_assert_false(g_hash_table_contains(seen, &hs[i]));
        g_hash_table_add(seen, &hs[i]);
    }

    old = hs[0];
    conf = drive_verified(e, uv);
    g_assert_cmphex(se_uv_create_cpu(uv, conf, 1, &cpu, NULL), ==,
                    UVC_RC_EXECUTED);
    /* stale, zero, flipped and CPU handles as configuration handle */
    {
        uint64_t bad[] = { old, 0, conf ^ 1, conf ^ (1ULL << 63), cpu, ~0ULL };

        for (i = 0; i < G_N_ELEMENTS(bad); i++) {
            assert_rc(se_uv_destroy_conf(uv, bad[i], RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            assert_rc(se_uv_set_params(uv, bad[i], e->hdr, e->hdr_len,
                                       RRC, &err),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            g_assert_cmpint(err.id, ==, SE_CHECK__MAX);
            assert_rc(se_uv_unpack(uv, bad[i], 0, 0, 0, page, RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            assert_rc(se_uv_verify(uv, bad[i], RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            assert_rc(se_uv_prepare_reset(uv, bad[i], RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            assert_rc(se_uv_unshare_all(uv, bad[i], RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
            assert_rc(se_uv_create_cpu(uv, bad[i], 2, &hs[0], RRC),
                      UVC_RC_INV_STATE, RRC_CONF_HANDLE);
        }
        /* and as CPU handles (the configuration handle too) */
        bad[4] = conf;
        for (i = 0; i < G_N_ELEMENTS(bad); i++) {
            assert_rc(se_uv_destroy_cpu(uv, bad[i], RRC),
                      UVC_RC_INV_STATE, RRC_CPU_HANDLE);
            assert_rc(se_uv_cpu_set_state(uv, bad[i], 1, RRC),
                      UVC_RC_INV_STATE, RRC_CPU_HANDLE);
            assert_rc(se_uv_cpu_reset(uv, bad[i], UVC_CMD_CPU_RESET, RRC),
                      UVC_RC_INV_STATE, RRC_CPU_HANDLE);
            g_assert_cmpint(se_uv_cpu_state(uv, bad[i]), ==, -1);
        }
    }
    /* nothing of that changed the configuration */
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
    g_assert_true(se_uv_start_psw(uv, &mask, &addr));
    g_assert_cmpint(se_uv_cpu_state(uv, cpu), ==, SE_UV_CPU_STATE_STP);
}

/* ---- CPUs -------------------------------------------------------------- */

static void test_cpus(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint64_t cpu[MAX_CPUS], h = 1, conf;
    unsigned i, j, s;

    /* no configuration */
    assert_rc(se_uv_create_cpu(uv, 0, 0, &h, RRC), UVC_RC_INV_STATE,
              RRC_CONF_HANDLE);
    g_assert_cmphex(h, ==, 0);

    conf = create_conf(uv);
    for (i = 0; i < MAX_CPUS; i++) {
        unsigned id = MAX_CPUS - 1 - i;

        assert_rc(se_uv_create_cpu(uv, conf, id, &cpu[id], RRC),
                  UVC_RC_EXECUTED, 0);
        g_assert_cmphex(cpu[id], !=, 0);
        g_assert_cmphex(cpu[id], !=, conf);
        g_assert_cmpint(se_uv_cpu_state(uv, cpu[id]), ==,
                        SE_UV_CPU_STATE_STP);
        for (j = MAX_CPUS - i; j < MAX_CPUS; j++) {
            g_assert_cmphex(cpu[id], !=, cpu[j]);
        }
    }
    for (i = 0; i < MAX_CPUS; i++) {
        h = 1;
        assert_rc(se_uv_create_cpu(uv, conf, i, &h, RRC), RC_INV_PARAM,
                  RRC_CPU_EXISTS);
        g_assert_cmphex(h, ==, 0);
    }
    assert_rc(se_uv_create_cpu(uv, conf, MAX_CPUS, &h, RRC), RC_INV_PARAM,
              RRC_CPU_ID);
    assert_rc(se_uv_create_cpu(uv, conf, ~0U, &h, RRC), RC_INV_PARAM,
              RRC_CPU_ID);

    /* set-state: 1, 2, 3, 5 valid */
    for (s = 0; s < 256; s++) {
        bool valid = s == 1 || s == 2 || s == 3 || s == 5;

        if (valid) {
            assert_rc(se_uv_cpu_set_state(uv, cpu[1], s, RRC),
                      UVC_RC_EXECUTED, 0);
        } else {
            assert_rc(se_uv_cpu_set_state(uv, cpu[1], s, RRC),
                      RC_INV_PARAM, RRC_CPU_STATE);
        }
        g_assert_cmpint(se_uv_cpu_state(uv, cpu[1]), ==,
                        s >= 5 ? 5 : s >= 3 ? 3 : s >= 1 ? s : 2);
        g_assert_cmpint(se_uv_cpu_state(uv, cpu[0]), ==,
                        SE_UV_CPU_STATE_STP);
    }

    /* resets: three valid command codes, the rest is an invalid command */
    for (i = 0; i < 0x10000; i++) {
        bool valid = i == UVC_CMD_CPU_RESET ||
                     i == UVC_CMD_CPU_RESET_INITIAL ||
                     i == UVC_CMD_CPU_RESET_CLEAR;

        if (valid) {
            assert_rc(se_uv_cpu_reset(uv, cpu[2], i, RRC),
                      UVC_RC_EXECUTED, 0);
            assert_rc(se_uv_cpu_reset(uv, cpu[2] + 1, i, RRC),
                      UVC_RC_INV_STATE, RRC_CPU_HANDLE);
        } else {
            assert_rc(se_uv_cpu_reset(uv, cpu[2], i, RRC),
                      UVC_RC_INV_CMD, 0);
        }
    }

    /* destroy one CPU: its handle dies, its number can be reused */
    assert_rc(se_uv_destroy_cpu(uv, cpu[3], RRC), UVC_RC_EXECUTED, 0);
    assert_rc(se_uv_destroy_cpu(uv, cpu[3], RRC), UVC_RC_INV_STATE,
              RRC_CPU_HANDLE);
    assert_rc(se_uv_cpu_set_state(uv, cpu[3], 1, RRC), UVC_RC_INV_STATE,
              RRC_CPU_HANDLE);
    assert_rc(se_uv_create_cpu(uv, conf, 3, &h, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmphex(h, !=, cpu[3]);
    cpu[3] = h;

    /* CPUs survive set_params..verify; destroy_conf takes them along */
    set_params_ok(e, uv, conf);
    g_assert_cmpint(se_uv_cpu_state(uv, cpu[0]), ==, SE_UV_CPU_STATE_STP);
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    for (i = 0; i < MAX_CPUS; i++) {
        assert_rc(se_uv_cpu_set_state(uv, cpu[i], 1, RRC),
                  UVC_RC_INV_STATE, RRC_CPU_HANDLE);
        assert_rc(se_uv_destroy_cpu(uv, cpu[i], RRC),
                  UVC_RC_INV_STATE, RRC_CPU_HANDLE);
    }
    conf = create_conf(uv);
    for (i = 0; i < MAX_CPUS; i++) {
        assert_rc(se_uv_create_cpu(uv, conf, i, &h, RRC),
                  UVC_RC_EXECUTED, 0);
        for (j = 0; j < MAX_CPUS; j++) {
            g_assert_cmphex(h, !=, cpu[j]);
        }
        /* a new CPU starts stopped */
        g_assert_cmpint(se_uv_cpu_state(uv, h), ==, SE_UV_CPU_STATE_STP);
    }
}

/* ---- secure storage ---------------------------------------------------- */

static void test_host_access(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint64_t conf, h2, a;
    uint16_t rrc;

    for (a = 0; a < MEM_SIZE + 2 * PAGE; a += PAGE / 2) {
        g_assert_true(se_uv_host_access_ok(uv, a));
    }
    conf = create_conf(uv);
    /* from CREATED on, all guest storage is secure */
    for (a = 0; a < MEM_SIZE; a += PAGE / 2) {
        g_assert_false(se_uv_host_access_ok(uv, a));
    }
    g_assert_false(se_uv_host_access_ok(uv, MEM_SIZE - 1));
    g_assert_true(se_uv_host_access_ok(uv, MEM_SIZE));
    g_assert_true(se_uv_host_access_ok(uv, ~0ULL));
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);

    conf = drive_verified(e, uv);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 5 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_true(se_uv_host_access_ok(uv, 5 * PAGE));
    g_assert_true(se_uv_host_access_ok(uv, 6 * PAGE - 1));
    g_assert_false(se_uv_host_access_ok(uv, 5 * PAGE - 1));
    g_assert_false(se_uv_host_access_ok(uv, 6 * PAGE));
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 1);
    /* sharing twice is harmless and counted once */
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 5 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 1);
    g_assert_cmphex(share(uv, true, UVC_CMD_REMOVE_SHARED_ACCESS, 5 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    g_assert_false(se_uv_host_access_ok(uv, 5 * PAGE));
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
    g_assert_cmphex(share(uv, true, UVC_CMD_REMOVE_SHARED_ACCESS, 5 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);

    /* real address 0 is the prefix page: absolute PREFIX gets shared */
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 0, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_true(se_uv_host_access_ok(uv, PREFIX));
    g_assert_false(se_uv_host_access_ok(uv, 0));
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, PREFIX, &rrc),
                    ==, UVC_RC_EXECUTED);
    g_assert_true(se_uv_host_access_ok(uv, 0));
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS,
                          MEM_SIZE - PAGE, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 3);

    /* PREPARE_RESET keeps sharing and VERIFIED; UNSHARE_ALL clears */
    assert_rc(se_uv_prepare_reset(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 3);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
    g_assert_false(se_uv_host_access_ok(uv, PREFIX));
    g_assert_false(se_uv_host_access_ok(uv, 0));
    g_assert_false(se_uv_host_access_ok(uv, MEM_SIZE - PAGE));
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);

    /* destroy: no configuration, nothing shared; a new one starts secure */
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 9 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
    g_assert_true(se_uv_host_access_ok(uv, 0));
    h2 = create_conf(uv);
    g_assert_false(se_uv_host_access_ok(uv, 9 * PAGE));
    /* sharing needs a verified configuration */
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 9 * PAGE,
                          &rrc), ==, UVC_RC_INV_STATE);
    g_assert_cmphex(rrc, ==, 0);
    g_assert_false(se_uv_host_access_ok(uv, 9 * PAGE));
    assert_rc(se_uv_destroy_conf(uv, h2, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 9 * PAGE,
                          &rrc), ==, UVC_RC_INV_STATE);
}

/* Random share/unshare against a model bitmap. */
static void test_share_model(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autoptr(GRand) r = g_rand_new_with_seed(0x5e5e);
    bool model[MEM_SIZE / PAGE] = { false };
    uint64_t conf = drive_verified(e, uv), n = 0, pfn, abs;
    uint16_t rrc;
    unsigned i;

    for (i = 0; i < 20000; i++) {
        bool on = g_rand_boolean(r);

        pfn = g_rand_int_range(r, 0, MEM_SIZE / PAGE);
        g_assert_cmphex(share(uv, true, on ? UVC_CMD_SET_SHARED_ACCESS :
                              UVC_CMD_REMOVE_SHARED_ACCESS,
                              pfn * PAGE, &rrc), ==, UVC_RC_EXECUTED);
        /* where the page really is after prefixing */
        prefix_real_to_abs(&px_default, pfn * PAGE, &abs);
        pfn = abs / PAGE;
        model[pfn] = on;
        if (i % 1000 == 999) {
            assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_EXECUTED,
                      0);
            memset(model, 0, sizeof(model));
        }
        n = 0;
        for (pfn = 0; pfn < MEM_SIZE / PAGE; pfn++) {
            n += model[pfn];
            g_assert_cmpint(se_uv_host_access_ok(uv, pfn * PAGE + i % PAGE),
                            ==, model[pfn]);
        }
        g_assert_cmpuint(se_uv_shared_pages(uv), ==, n);
    }
}

/* ---- guest calls ------------------------------------------------------- */

/*
 * The installed-call bits we expect (Linux arch/s390/include/asm/uv.h,
 * enum uv_cmds_inst): only what a guest may call, QUI (bit 0) and, for a
 * secure guest, SET/REMOVE_SHARED_ACCESS (bits 8, 9), RETR_ATTEST
 * (bit 28) and the secret calls (29, 30, 31, 33).
 */
static void expected_calls(bool secure, uint64_t words[4])
{
    memset(words, 0, 4 * sizeof(uint64_t));
    words[0] = 1ULL << 63;
    if (secure) {
        words[0] |= 1ULL << (63 - 8);
        words[0] |= 1ULL << (63 - 9);
        words[0] |= 1ULL << (63 - 28);
        words[0] |= 1ULL << (63 - 29);
        words[0] |= 1ULL << (63 - 30);
        words[0] |= 1ULL << (63 - 31);
        words[0] |= 1ULL << (63 - 33);
    }
}

static void check_qui(SeUv *uv, const uint8_t *cb, size_t fill, bool secure)
{
    uint64_t words[4];
    size_t off;

    expected_calls(secure, words);
    for (off = 0; off < 4; off++) {
        g_assert_cmphex(rd64(cb + 0x10 + off * 8), ==, words[off]);
    }
    /* Linux's protected-guest test: bits 8 and 9 */
    g_assert_cmphex(cb[0x11] & 0xc0, ==, secure ? 0xc0 : 0);
    g_assert_cmphex(cb[0x10] & 0x80, ==, 0x80);     /* QUI itself */
    g_assert_cmphex(rd64(cb + 0x40), ==, 0);        /* uv_base_stor_len */
    g_assert_cmphex(rd64(cb + 0x50), ==, 0);
    g_assert_cmphex(rd64(cb + 0x58), ==, 0);
    g_assert_cmphex(rd64(cb + 0x60), ==, 0);
    g_assert_cmphex(rd64(cb + 0x68), ==, 0);
    g_assert_cmphex(rd32(cb + 0x7c), ==, 1);
    g_assert_cmphex(rd64(cb + 0x80), ==, MEM_SIZE - 1);
    g_assert_cmphex(rd16(cb + 0x9e), ==, MAX_CPUS - 1);
    g_assert_cmphex(rd64(cb + 0xa0), ==, 0);
    g_assert_cmphex(rd64(cb + 0xb0), ==, 0x8000000000000000ULL);
    g_assert_cmphex(rd64(cb + 0xb8), ==, se_hdr_supported_pcf());
    g_assert_cmphex(rd64(cb + 0xb8) & SE_PCF_NO_DECRYPT, !=, 0);
    /* dump: storage state per MiB, completion data */
    g_assert_cmphex(rd64(cb + 0xc8), ==, SE_DUMP_STOR_STATE_LEN);
    g_assert_cmphex(rd64(cb + 0xd0), ==, SE_DUMP_COMPL_LEN);
    /* attestation: request version 0x0100, flags nonce and both PHKHs */
    g_assert_cmphex(rd64(cb + 0xe0), ==, 0x8000000000000000ULL);
    g_assert_cmphex(rd64(cb + 0xe8), ==, 0x7800000000000000ULL);
    /*
     * secrets: request version 0x0100, the disable-dump flag, types 1-0xa
     * and 0x11-0x16 (pvinfo's names), 64 association and 64 retrievable
     */
    g_assert_cmphex(rd64(cb + 0xf8), ==, 0x8000000000000000ULL);
    if (fill >= 0x114) {
        g_assert_cmphex(rd64(cb + 0x100), ==, 0x8000000000000000ULL);
        g_assert_cmphex(rd64(cb + 0x108), ==, 0x7fe07e0000000000ULL);
        g_assert_cmpuint(rd16(cb + 0x110), ==, 64);
        g_assert_cmpuint(rd16(cb + 0x112), ==, 64);
    }
    /* every other byte is zero (input garbage overwritten) */
    for (off = 8; off < fill; off++) {
        bool field = (off >= 0x10 && off < 0x30) ||
                     (off >= 0x7c && off < 0x88) ||
                     (off >= 0x9e && off < 0xa0) ||
                     (off >= 0xb0 && off < 0xc0) ||
                     (off >= 0xc8 && off < 0xd8) ||
                     (off >= 0xe0 && off < 0xf0) ||
                     (off >= 0xf8 && off < 0x114);

        if (!field) {
            g_assert_cmphex(cb[off], ==, 0);
        }
    }
}

static void test_qui(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint8_t cb[0x200];
    uint16_t rrc;
    size_t i;
    int secure;

    for (secure = 0; secure < 2; secure++) {
        /* exact size */
        memset(cb, 0xa5, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), 0x120,
                              UVC_CMD_QUI, &rrc, NULL), ==, UVC_RC_EXECUTED);
        g_assert_cmphex(rrc, ==, 0);
        check_qui(uv, cb, 0x120, secure);
        for (i = 0x120; i < sizeof(cb); i++) {
            g_assert_cmphex(cb[i], ==, 0xa5);
        }

        /* longer block: same answer, the tail untouched */
        memset(cb, 0x5a, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), sizeof(cb),
                              UVC_CMD_QUI, &rrc, NULL), ==, UVC_RC_EXECUTED);
        check_qui(uv, cb, 0x120, secure);
        for (i = 0x120; i < sizeof(cb); i++) {
            g_assert_cmphex(cb[i], ==, 0x5a);
        }

        /* the older 0x100-byte block: fields that fit, rc "more data" */
        memset(cb, 0xa5, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, 0x100, 0x100, UVC_CMD_QUI,
                              &rrc, NULL), ==, UVC_RC_MORE_DATA);
        check_qui(uv, cb, 0x100, secure);
        for (i = 0x100; i < sizeof(cb); i++) {
            g_assert_cmphex(cb[i], ==, 0xa5);
        }
        memset(cb, 0xa5, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), 0x118,
                              UVC_CMD_QUI, &rrc, NULL), ==,
                        UVC_RC_MORE_DATA);
        check_qui(uv, cb, 0x118, secure);
        g_assert_cmphex(cb[0x118], ==, 0xa5);

        /* too short: nothing filled */
        memset(cb, 0xa5, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), 0xff, UVC_CMD_QUI,
                              &rrc, NULL), ==, UVC_RC_INV_LEN);
        for (i = 8; i < sizeof(cb); i++) {
            g_assert_cmphex(cb[i], ==, 0xa5);
        }
    }

    /* the answer does not depend on the configuration's state */
    drive_verified(e, uv);
    memset(cb, 0, sizeof(cb));
    g_assert_cmphex(gcall(uv, false, cb, 0x120, 0x120, UVC_CMD_QUI, &rrc,
                          NULL), ==, UVC_RC_EXECUTED);
    check_qui(uv, cb, 0x120, false);
}

/* A small guest storage for the calls that read and write it */
typedef struct GuestMem {
    uint8_t bytes[0x8000];
    unsigned writes;
} GuestMem;

static bool gm_read(void *opaque, uint64_t real, void *buf, size_t len)
{
    GuestMem *m = opaque;

    if (real > sizeof(m->bytes) || len > sizeof(m->bytes) - real) {
        return false;
    }
    memcpy(buf, m->bytes + real, len);
    return true;
}

static bool gm_write(void *opaque, uint64_t real, const void *buf,
                     size_t len)
{
    GuestMem *m = opaque;

    if (real > sizeof(m->bytes) || len > sizeof(m->bytes) - real) {
        return false;
    }
    memcpy(m->bytes + real, buf, len);
    m->writes++;
    return true;
}

#define ATT_ARCB    0x1000
#define ATT_MEAS    0x3000
#define ATT_ADD     0x3100

/* An ARCB for @host at ATT_ARCB asking for @flags */
static size_t put_arcb_flags(GuestMem *m, const SeP521Pub *host,
                             SeArcbSecrets *sec, uint64_t flags)
{
    SeArcbBuildParams p = { .mai = SE_ARCB_MAI_HMAC_SHA512, .host_pub = host,
                            .n_host_keys = 1 };
    g_autofree uint8_t *arcb = NULL;
    size_t len, i;

    for (i = 0; i < sizeof(p.cust_priv); i++) {
        p.cust_priv[i] = i * 3 + 1;
    }
    p.cust_priv[0] = 0;
    memset(p.prot_key, 0x17, sizeof(p.prot_key));
    memset(p.iv, 0x55, sizeof(p.iv));
    p.secrets.flags = SE_ATT_FLAG_NONCE | flags;
    memset(p.secrets.meas_key, 0x77, sizeof(p.secrets.meas_key));
    memset(p.secrets.nonce, 0xab, sizeof(p.secrets.nonce));
    p.secrets.has_nonce = true;
    *sec = p.secrets;
    arcb = se_arcb_build(&p, &len, NULL);
    g_assert_nonnull(arcb);
    memcpy(m->bytes + ATT_ARCB, arcb, len);
    return len;
}

static size_t put_arcb(GuestMem *m, const SeP521Pub *host,
                       SeArcbSecrets *sec)
{
    return put_arcb_flags(m, host, sec, SE_ATT_FLAG_IMAGE_PHKH |
                          SE_ATT_FLAG_ATTEST_PHKH);
}

static uint16_t attest_call(SeUv *uv, bool secure, GuestMem *m,
                            uint8_t *cb, const char *user)
{
    SeUvGuestOps ops = { prefix_real_to_abs, &px_default, gm_read,
                         gm_write };
    uint16_t rrc;

    memset(cb, 0, 0x188);
    wr64(cb + 0x18, ATT_ARCB);
    wr16(cb + 0x2e, strlen(user));
    memcpy(cb + 0x30, user, strlen(user));
    wr32(cb + 0x13c, 64);
    wr64(cb + 0x140, ATT_MEAS);
    wr32(cb + 0x15c, 64);
    wr64(cb + 0x160, ATT_ADD);
    ops.opaque = m;
    ops.real_to_abs = NULL;
    return gcall(uv, secure, cb, 0x188, 0x188, UVC_CMD_RETR_ATTEST, &rrc,
                 &ops);
}

/*
 * RETR_ATTEST from the secure guest: the measurement is the one the
 * requester computes from its measurement key, nonce, the image's tags,
 * the configuration id the UV returns and the user data; the additional
 * data are the image's and the request's host-key hashes.
 */
static void test_guest_attest(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autoptr(SeHdr) h = se_hdr_parse(e->hdr, e->hdr_len, NULL);
    g_autofree GuestMem *m = g_new0(GuestMem, 1);
    uint8_t cb[0x188], cuid[16], tags[SE_ATT_TAGS_SIZE];
    static const uint8_t zero[64];
    const SeUvGuestOps raw = { NULL, m, gm_read, gm_write };
    uint8_t want[64], phkh[32];
    SeArcbSecrets sec;
    uint64_t conf;
    uint16_t rrc;

    put_arcb(m, &e->key.pub, &sec);
    /* not before the image is verified, not from a normal guest */
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==,
                    UVC_RC_INV_STATE);
    conf = drive_verified(e, uv);
    g_assert_cmphex(attest_call(uv, false, m, cb, "u"), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmpuint(m->writes, ==, 0);

    g_assert_cmphex(attest_call(uv, true, m, cb, "user data"), ==,
                    UVC_RC_EXECUTED);
    memcpy(cuid, cb + 0x148, 16);
    g_assert_cmpuint(rd32(cb + 0x15c), ==, 64);
    se_hdr_phkh(e->key.pub.x, e->key.pub.y, phkh);
    g_assert_cmpmem(m->bytes + ATT_ADD, 32, phkh, 32);
    g_assert_cmpmem(m->bytes + ATT_ADD + 32, 32, phkh, 32);
    memcpy(tags, h->pld, 64);
    memcpy(tags + 64, h->ald, 64);
    memcpy(tags + 128, h->tld, 64);
    memcpy(tags + 192, h->tag, 16);
    se_attest_measurement(sec.meas_key, tags, cuid, (const uint8_t *)
                          "user data", 9, sec.nonce, m->bytes + ATT_ADD, 64,
                          want);
    g_assert_cmpmem(m->bytes + ATT_MEAS, 64, want, 64);

    /* a request for another machine's key: rc 0x010c, nothing written */
    memset(m->bytes + ATT_MEAS, 0, 64);
    put_arcb(m, &e->other.pub, &sec);
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==,
                    SE_ATT_RC_DECRYPT);
    g_assert_cmpmem(m->bytes + ATT_MEAS, 64, zero, 64);
    /* the ARCB, measurement or additional data out of storage */
    put_arcb(m, &e->key.pub, &sec);
    wr64(cb + 0x18, sizeof(m->bytes) - 8);
    g_assert_cmphex(gcall(uv, true, cb, 0x188, 0x188, UVC_CMD_RETR_ATTEST,
                          &rrc, &raw), ==,
                    SE_ATT_RC_ARCB_ACCESS);
    wr64(cb + 0x18, ATT_ARCB);
    wr64(cb + 0x140, sizeof(m->bytes));
    g_assert_cmphex(gcall(uv, true, cb, 0x188, 0x188, UVC_CMD_RETR_ATTEST,
                          &rrc, &raw), ==,
                    SE_ATT_RC_MEAS_ACCESS);
    /* a continuation token: this UV never hands one out */
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==, UVC_RC_EXECUTED);
    wr64(cb + 0x20, 1);
    g_assert_cmphex(gcall(uv, true, cb, 0x188, 0x188, UVC_CMD_RETR_ATTEST,
                          &rrc, &raw), ==,
                    SE_ATT_RC_TOKEN);

    /* a new configuration has a new id */
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    drive_verified(e, uv);
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==, UVC_RC_EXECUTED);
    g_assert_true(memcmp(cb + 0x148, cuid, 16));
}

#define SEC_ASRCB   0x1000
#define SEC_LIST    0x5000
#define SEC_BUF     0x6000

typedef struct SecretReq {
    const SeP521Pub *host;
    const uint8_t *tags;        /* the image's (NULL: another image) */
    const uint8_t *cuid;        /* NULL: any instance */
    uint16_t type;
    const char *name;
    const uint8_t *value;
    uint32_t len;
    uint8_t ext_byte;
    uint64_t flags;
} SecretReq;

/* An ASRCB as the requester builds it, at SEC_ASRCB; returns its size */
static size_t put_asrcb(GuestMem *m, const SecretReq *q, uint8_t *copy)
{
    SeAsrcbBuildParams p = { .host_pub = q->host, .n_host_keys = 1,
                             .type = q->type, .secret = q->value,
                             .secret_len = q->len, .flags = q->flags };
    g_autofree uint8_t *asrcb = NULL;
    size_t len, i;

    for (i = 0; i < sizeof(p.cust_priv); i++) {
        p.cust_priv[i] = i * 5 + 2;
    }
    p.cust_priv[0] = 0;
    memset(p.prot_key, 0x21, sizeof(p.prot_key));
    memset(p.iv, 0x31, sizeof(p.iv));
    if (q->tags) {
        memcpy(p.tags, q->tags, SE_ATT_TAGS_SIZE);
    } else {
        memset(p.tags, 0x99, SE_ATT_TAGS_SIZE);
    }
    if (q->cuid) {
        memcpy(p.cuid, q->cuid, SE_ATT_CUID_SIZE);
    }
    if (q->name) {
        se_secret_name_id(q->name, p.id);
    }
    memset(p.ext, q->ext_byte, sizeof(p.ext));
    asrcb = se_asrcb_build(&p, &len, NULL);
    g_assert_nonnull(asrcb);
    g_assert_cmpuint(len, <=, SEC_LIST - SEC_ASRCB);
    memcpy(m->bytes + SEC_ASRCB, asrcb, len);
    if (copy) {
        memcpy(copy, asrcb, len);
    }
    return len;
}

static uint16_t secret_call(SeUv *uv, bool secure, GuestMem *m, uint16_t cmd,
                            uint16_t idx, uint32_t size)
{
    SeUvGuestOps ops = { NULL, m, gm_read, gm_write };
    uint8_t cb[0x48] = { 0 };
    uint16_t rrc, rc;

    wr64(cb + 0x20, cmd == UVC_CMD_ADD_SECRET ? SEC_ASRCB :
                    cmd == UVC_CMD_LIST_SECRETS ? SEC_LIST : SEC_BUF);
    if (cmd == UVC_CMD_LIST_SECRETS) {
        wr16(cb + 0x1e, idx);
    } else if (cmd == UVC_CMD_RETR_SECRET) {
        wr16(cb + 0x18, idx);
        wr32(cb + 0x1c, size);
    }
    rc = gcall(uv, secure, cb, sizeof(cb),
               cmd == UVC_CMD_LOCK_SECRETS ? 0x40 : 0x48, cmd, &rrc, &ops);
    if (rc != UVC_RC_INV_STATE) {
        g_assert_cmphex(rrc, ==, 0);
    }
    return rc;
}

static uint16_t add_secret(SeUv *uv, GuestMem *m, const SecretReq *q)
{
    put_asrcb(m, q, NULL);
    return secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0);
}

/*
 * The secret store through the guest's calls: add, list, retrieve and
 * lock with the rc values s390-tools' uvdevice client decodes, requests
 * bound to the image, the instance and the first extension secret, and
 * the store's hash in attestation.
 */
static void test_guest_secrets(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autoptr(SeHdr) h = se_hdr_parse(e->hdr, e->hdr_len, NULL);
    g_autofree GuestMem *m = g_new0(GuestMem, 1);
    uint8_t tags[SE_ATT_TAGS_SIZE], cuid[16], other_cuid[16], id[32];
    uint8_t plain[32] = { 0, 5, 'h', 'e', 'l', 'l', 'o' }, assoc[32];
    uint8_t cb[0x188], hash[64], want[64], asrcb_tags[3][16], raw[0x800];
    SecretReq q = { .host = &e->key.pub, .tags = tags, .type = SE_SECRET_ASSOC,
                    .name = "assoc", .value = assoc, .len = 32 };
    static const uint8_t unlocked;
    struct sha512_ctx hctx;
    SeArcbSecrets sec;
    size_t len;
    unsigned i;
    uint64_t conf;

    se_attest_tags(h, tags);
    memset(assoc, 0xa5, sizeof(assoc));
    /* not before the image runs, never from a normal guest */
    g_assert_cmphex(add_secret(uv, m, &q), ==, UVC_RC_INV_STATE);
    conf = drive_verified(e, uv);
    g_assert_cmphex(secret_call(uv, false, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmphex(secret_call(uv, false, m, UVC_CMD_LIST_SECRETS, 0, 0),
                    ==, UVC_RC_INV_STATE);
    g_assert_cmpuint(m->writes, ==, 0);
    /* an association secret, for any instance of the image */
    len = put_asrcb(m, &q, raw);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    SE_SECRET_RC_OK);
    memcpy(asrcb_tags[0], raw + len - 16, 16);
    /* the configuration id, from attestation */
    put_arcb(m, &e->key.pub, &sec);
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==, UVC_RC_EXECUTED);
    memcpy(cuid, cb + 0x148, 16);

    /* a plaintext secret, bound to this instance */
    q.type = SE_SECRET_PLAIN;
    q.name = "plain";
    q.value = plain;
    q.cuid = cuid;
    len = put_asrcb(m, &q, raw);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    SE_SECRET_RC_OK);
    memcpy(asrcb_tags[1], raw + len - 16, 16);

    /* list: index, type, length and id of both, total 2 */
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LIST_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST), ==, 2);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 2), ==, 2);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 16), ==, 0);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 18), ==, SE_SECRET_ASSOC);
    g_assert_cmpuint(rd32(m->bytes + SEC_LIST + 20), ==, 32);
    se_secret_name_id("assoc", id);
    g_assert_cmpmem(m->bytes + SEC_LIST + 32, 32, id, 32);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 64), ==, 1);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 66), ==, SE_SECRET_PLAIN);
    se_secret_name_id("plain", id);
    g_assert_cmpmem(m->bytes + SEC_LIST + 80, 32, id, 32);

    /* retrieve: the plaintext; the association secret is not retrievable */
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_RETR_SECRET, 1, 32), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmpmem(m->bytes + SEC_BUF, 32, plain, 32);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_RETR_SECRET, 1, 31), ==,
                    SE_SECRET_RC_RETR_SMALL);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_RETR_SECRET, 0, 32), ==,
                    SE_SECRET_RC_NOT_RETR);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_RETR_SECRET, 2, 32), ==,
                    SE_SECRET_RC_NO_INDEX);

    /* refused: another machine, another image, instance, extension */
    q.host = &e->other.pub;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_DECRYPT);
    q.host = &e->key.pub;
    put_asrcb(m, &q, NULL);
    m->bytes[SEC_ASRCB + 0x300] ^= 1;              /* user data altered */
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    SE_SECRET_RC_DECRYPT);
    q.tags = NULL;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_UNABLE);
    q.tags = tags;
    memset(other_cuid, 0x42, sizeof(other_cuid));
    q.cuid = other_cuid;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_UNABLE);
    q.cuid = NULL;
    q.ext_byte = 1;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_UNABLE);
    q.ext_byte = 0;
    q.flags = SE_FLAG_BIT(1);
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_FLAGS);
    q.flags = 0;
    q.type = SE_SECRET_UPDATE_CCK;      /* the header does not allow it */
    q.name = NULL;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_TYPE);
    put_asrcb(m, &q, NULL);
    m->bytes[SEC_ASRCB + 7] = 9;                    /* user-data type */
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    SE_SECRET_RC_VERSION);
    /* a meta secret: flags only, not listed */
    q.type = SE_SECRET_META;
    q.len = 0;
    q.flags = SE_ASRCB_FLAG_DISABLE_DUMP;
    len = put_asrcb(m, &q, raw);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_ADD_SECRET, 0, 0), ==,
                    SE_SECRET_RC_OK);
    memcpy(asrcb_tags[2], raw + len - 16, 16);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LIST_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 2), ==, 2);

    /* the store's hash: SHA-512 of the added requests' tags || locked */
    sha512_init(&hctx);
    for (i = 0; i < 3; i++) {
        sha512_update(&hctx, 16, asrcb_tags[i]);
    }
    sha512_update(&hctx, 1, &unlocked);
    sha512_digest(&hctx, 64, want);
    put_arcb_flags(m, &e->key.pub, &sec, SE_ATT_FLAG_SECRET_HASH);
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==, UVC_RC_EXECUTED);
    g_assert_cmpuint(rd32(cb + 0x15c), ==, 64);
    memcpy(hash, m->bytes + ATT_ADD, 64);
    g_assert_cmpmem(hash, 64, want, 64);

    /* lock: no more adds, no second lock; list still works */
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LOCK_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LOCK_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_LOCKED);
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_LOCKED);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LIST_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_OK);
    put_arcb_flags(m, &e->key.pub, &sec, SE_ATT_FLAG_SECRET_HASH);
    g_assert_cmphex(attest_call(uv, true, m, cb, "u"), ==, UVC_RC_EXECUTED);
    g_assert_true(memcmp(m->bytes + ATT_ADD, hash, 64));

    /*
     * A new instance: an empty, unlocked store; the request bound to the
     * old instance is refused (a replay into another guest)
     */
    assert_rc(se_uv_destroy_conf(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    drive_verified(e, uv);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_RETR_SECRET, 0, 32), ==,
                    SE_SECRET_RC_EMPTY);
    q.type = SE_SECRET_PLAIN;
    q.name = "plain";
    q.value = plain;
    q.len = 32;
    q.flags = 0;
    q.cuid = cuid;
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_UNABLE);

    /* limits: 64 association secrets, list pages of 85 entries */
    q.cuid = NULL;
    q.type = SE_SECRET_ASSOC;
    q.name = "assoc";
    q.value = assoc;
    for (i = 0; i < SE_SECRET_MAX_ASSOC; i++) {
        g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_OK);
    }
    g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_FULL);
    q.type = SE_SECRET_PLAIN;
    q.value = plain;
    for (i = 0; i < 30; i++) {
        g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_OK);
    }
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LIST_SECRETS, 0, 0), ==,
                    SE_SECRET_RC_MORE_DATA);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST), ==, 85);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 2), ==, 94);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 4), ==, 85);
    g_assert_cmphex(secret_call(uv, true, m, UVC_CMD_LIST_SECRETS, 85, 0), ==,
                    SE_SECRET_RC_OK);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST), ==, 9);
    g_assert_cmpuint(rd16(m->bytes + SEC_LIST + 16), ==, 85);
}

/*
 * Every command code from a guest, secure or not: only QUI and (for a
 * secure guest) SET/REMOVE_SHARED_ACCESS, RETR_ATTEST and the secret
 * calls are accepted (those refuse a 0x30-byte block as too short),
 * every other code,
 * host-only or unknown, gets rc 0x0002 "invalid command" and leaves the
 * UV as it was (QUI afterwards answers the same).
 */
static void test_guest_every_command(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    uint8_t cb[0x1000], before[0x120];
    uint16_t rrc, rc;
    unsigned cmd, other;
    bool secure;

    drive_verified(e, uv);
    for (secure = false; ; secure = true) {
        g_assert_cmpuint(gcall(uv, secure, cb, sizeof(cb), 0x120,
                               UVC_CMD_QUI, &rrc, &ops_default), ==,
                         UVC_RC_EXECUTED);
        memcpy(before, cb, sizeof(before));
        other = 0;
        for (cmd = 0; cmd <= 0xffff; cmd++) {
            memset(cb, 0, sizeof(cb));
            wr64(cb + 0x20, 0x10000);    /* a share's page, if it is one */
            rc = gcall(uv, secure, cb, sizeof(cb), 0x30, cmd, &rrc,
                       &ops_default);
            if (cmd == UVC_CMD_QUI || cmd == UVC_CMD_RETR_ATTEST ||
                cmd == UVC_CMD_ADD_SECRET || cmd == UVC_CMD_LIST_SECRETS ||
                cmd == UVC_CMD_LOCK_SECRETS || cmd == UVC_CMD_RETR_SECRET) {
                g_assert_cmphex(rc, ==, UVC_RC_INV_LEN);   /* 0x30 short */
            } else if (cmd == UVC_CMD_SET_SHARED_ACCESS ||
                       cmd == UVC_CMD_REMOVE_SHARED_ACCESS) {
                g_assert_cmphex(rc, ==, secure ? UVC_RC_EXECUTED
                                               : UVC_RC_INV_STATE);
            } else if (rc != UVC_RC_INV_CMD || rrc != 0) {
                other++;
                g_test_message("cmd 0x%x from a %s guest: rc 0x%x rrc 0x%x",
                               cmd, secure ? "secure" : "normal", rc, rrc);
            }
        }
        g_assert_cmpuint(other, ==, 0);
        g_assert_cmpuint(gcall(uv, secure, cb, sizeof(cb), 0x120,
                               UVC_CMD_QUI, &rrc, &ops_default), ==,
                         UVC_RC_EXECUTED);
        g_assert_cmpmem(cb + 8, sizeof(before) - 8, before + 8,
                        sizeof(before) - 8);
        if (secure) {
            break;
        }
    }
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
}

/* QUI reflects the machine: storage size and CPU count. */
static void test_qui_machine(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = se_uv_new(1ULL << 40, 248, &e->key, NULL);
    uint8_t cb[0x120];
    uint16_t rrc;

    g_assert_cmphex(gcall(uv, true, cb, sizeof(cb), sizeof(cb), UVC_CMD_QUI,
                          &rrc, NULL), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(rd64(cb + 0x80), ==, (1ULL << 40) - 1);
    g_assert_cmphex(rd16(cb + 0x9e), ==, 247);
}

static void test_guest_lengths(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autofree uint8_t *big = g_malloc(UVC_CB_MAX_SIZE + 16);
    uint8_t cb[0x130], copy[0x130];
    uint16_t rrc;
    size_t i, avail;
    int secure;

    drive_verified(e, uv);
    for (secure = 0; secure < 2; secure++) {
        /* header not readable: nothing touched, cc 1 */
        for (avail = 0; avail < 8; avail++) {
            memset(cb, 0x77, sizeof(cb));
            wr16(cb, 0x120);
            wr16(cb + 2, UVC_CMD_QUI);
            memcpy(copy, cb, sizeof(cb));
            g_assert_cmpint(se_uv_guest_call(uv, secure, cb, avail, NULL),
                            ==, UVC_CC_ERROR);
            g_assert_cmpmem(cb, sizeof(cb), copy, sizeof(copy));
        }
        /* len < 8 */
        for (i = 0; i < 8; i++) {
            g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), i, UVC_CMD_QUI,
                                  &rrc, NULL), ==, UVC_RC_INV_LEN);
            g_assert_cmphex(rrc, ==, 0);
        }
        /* len > avail */
        g_assert_cmphex(gcall(uv, secure, cb, 0x11f, 0x120, UVC_CMD_QUI,
                              &rrc, NULL), ==, UVC_RC_INV_LEN);
        g_assert_cmphex(gcall(uv, secure, cb, 0x30, 0x38,
                              UVC_CMD_SET_SHARED_ACCESS, &rrc, NULL), ==,
                        UVC_RC_INV_LEN);
        /* len > UVC_CB_MAX_SIZE, even with more bytes available */
        memset(big, 0, UVC_CB_MAX_SIZE + 16);
        g_assert_cmphex(gcall(uv, secure, big, UVC_CB_MAX_SIZE + 16,
                              UVC_CB_MAX_SIZE + 8, UVC_CMD_QUI, &rrc, NULL),
                        ==, UVC_RC_INV_LEN);
        g_assert_cmphex(gcall(uv, secure, big, UVC_CB_MAX_SIZE + 16,
                              0xffff, UVC_CMD_QUI, &rrc, NULL), ==,
                        UVC_RC_INV_LEN);
        g_assert_cmphex(gcall(uv, secure, big, UVC_CB_MAX_SIZE,
                              UVC_CB_MAX_SIZE, UVC_CMD_QUI, &rrc, NULL), ==,
                        UVC_RC_EXECUTED);
        /* shorter than the command's block */
        memset(cb, 0, sizeof(cb));
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), 0x2f,
                              UVC_CMD_SET_SHARED_ACCESS, &rrc, NULL), ==,
                        UVC_RC_INV_LEN);
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), 0x8,
                              UVC_CMD_REMOVE_SHARED_ACCESS, &rrc, NULL), ==,
                        UVC_RC_INV_LEN);
        /* a longer share block is fine */
        g_assert_cmphex(gcall(uv, secure, cb, sizeof(cb), sizeof(cb),
                              UVC_CMD_SET_SHARED_ACCESS, &rrc, NULL), ==,
                        secure ? UVC_RC_EXECUTED : UVC_RC_INV_STATE);
    }
}

static void test_guest_commands(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    static const uint16_t host_cmds[] = {
        UVC_CMD_QUERY_KEYS, UVC_CMD_INIT_UV, UVC_CMD_CREATE_SEC_CONF,
        UVC_CMD_DESTROY_SEC_CONF, UVC_CMD_CREATE_SEC_CPU,
        UVC_CMD_SET_SEC_CONF_PARAMS, UVC_CMD_UNPACK_IMG, UVC_CMD_VERIFY_IMG,
        UVC_CMD_CPU_RESET, UVC_CMD_SET_UNSHARE_ALL, 0x0000, 0xffff,
    };
    uint8_t cb[0x200], copy[0x200];
    uint16_t rrc;
    size_t i;

    drive_verified(e, uv);
    for (i = 0; i < G_N_ELEMENTS(host_cmds); i++) {
        memset(cb, 0x3c, sizeof(cb));
        wr16(cb, sizeof(cb));
        wr16(cb + 2, host_cmds[i]);
        memcpy(copy, cb, sizeof(cb));
        g_assert_cmphex(gcall(uv, true, cb, sizeof(cb), sizeof(cb),
                              host_cmds[i], &rrc, NULL), ==, UVC_RC_INV_CMD);
        /* only rc/rrc written */
        g_assert_cmpmem(cb + 8, sizeof(cb) - 8, copy + 8, sizeof(cb) - 8);
    }
    /* the configuration is untouched by a guest's host commands */
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
}

static void test_guest_share_errors(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    Prefixing wide = { PREFIX, ~0ULL, 0 };
    const SeUvGuestOps ops_wide = { prefix_real_to_abs, &wide };
    uint8_t cb[0x30];
    uint16_t rrc, cmd;
    size_t i;

    drive_verified(e, uv);
    for (i = 0; i < 2; i++) {
        cmd = i ? UVC_CMD_REMOVE_SHARED_ACCESS : UVC_CMD_SET_SHARED_ACCESS;
        /* non-secure guest */
        g_assert_cmphex(share(uv, false, cmd, PAGE, &rrc), ==,
                        UVC_RC_INV_STATE);
        g_assert_cmphex(rrc, ==, RRC_NOT_SECURE);
        /* unaligned */
        g_assert_cmphex(share(uv, true, cmd, PAGE + 8, &rrc), ==,
                        RC_INV_PARAM);
        g_assert_cmphex(rrc, ==, RRC_UNALIGNED);
        g_assert_cmphex(share(uv, true, cmd, 1, &rrc), ==, RC_INV_PARAM);
        g_assert_cmphex(rrc, ==, RRC_UNALIGNED);
        /* outside storage: the translation says no */
        px_default.calls = 0;
        g_assert_cmphex(share(uv, true, cmd, MEM_SIZE, &rrc), ==,
                        RC_INV_PARAM);
        g_assert_cmphex(rrc, ==, RRC_ADDRESS);
        g_assert_cmpuint(px_default.calls, ==, 1);
        g_assert_cmphex(share(uv, true, cmd, 0xfffffffffffff000ULL, &rrc),
                        ==, RC_INV_PARAM);
        /* the translation says yes, but the UV still checks */
        memset(cb, 0, sizeof(cb));
        wr64(cb + 0x20, MEM_SIZE);
        g_assert_cmphex(gcall(uv, true, cb, sizeof(cb), sizeof(cb), cmd,
                              &rrc, &ops_wide), ==, RC_INV_PARAM);
        g_assert_cmphex(rrc, ==, RRC_ADDRESS);
        g_assert_cmpuint(wide.calls, ==, i + 1);
        /* no ops: real = absolute */
        memset(cb, 0, sizeof(cb));
        wr64(cb + 0x20, MEM_SIZE + PAGE);
        g_assert_cmphex(gcall(uv, true, cb, sizeof(cb), sizeof(cb), cmd,
                              &rrc, NULL), ==, RC_INV_PARAM);
        g_assert_cmphex(rrc, ==, RRC_ADDRESS);
    }
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
    /* no ops, real 0: absolute 0 is shared, not the prefix page */
    memset(cb, 0, sizeof(cb));
    g_assert_cmphex(gcall(uv, true, cb, sizeof(cb), sizeof(cb),
                          UVC_CMD_SET_SHARED_ACCESS, &rrc, NULL), ==,
                    UVC_RC_EXECUTED);
    g_assert_true(se_uv_host_access_ok(uv, 0));
    g_assert_false(se_uv_host_access_ok(uv, PREFIX));
}

/*
 * Every command code with random bodies and lengths, for both kinds of
 * caller: never a crash, only documented rc/rrc pairs, and nothing but
 * rc/rrc written for commands that are not guest commands.
 */
static void test_all_commands(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = uv_new(e);
    g_autoptr(GRand) r = g_rand_new_with_seed(0xc0ffee);
    g_autofree uint8_t *cb = g_malloc(0x400);
    g_autofree uint8_t *copy = g_malloc(0x400);
    unsigned cmd, i, counts[6] = { 0 };
    uint64_t conf = drive_verified(e, uv);

    for (cmd = 0; cmd < 0x10000; cmd++) {
        bool attest = cmd == UVC_CMD_RETR_ATTEST;
        bool secret = cmd == UVC_CMD_ADD_SECRET ||
                      cmd == UVC_CMD_LIST_SECRETS ||
                      cmd == UVC_CMD_LOCK_SECRETS ||
                      cmd == UVC_CMD_RETR_SECRET;
        bool guest_cmd = cmd == UVC_CMD_QUI ||
                         cmd == UVC_CMD_SET_SHARED_ACCESS ||
                         cmd == UVC_CMD_REMOVE_SHARED_ACCESS || attest ||
                         secret;
        unsigned n, reps = guest_cmd ? 4000 : 2;

        /* both callers; the guest commands many times */
        for (n = 0; n < reps; n++) {
            bool secure = n & 1;
            size_t avail = g_rand_int_range(r, 0, 0x400 + 1);
            uint16_t len, rc, rrc;
            int cc;

            for (i = 0; i < 0x400; i += 4) {
                uint32_t v = g_rand_int(r);

                memcpy(cb + i, &v, 4);
            }
            switch (g_rand_int_range(r, 0, 3)) {
            case 0:
                len = g_rand_int(r);
                break;
            case 1:
                len = g_rand_int_range(r, 0, avail + 1);
                break;
            default:
                len = avail & ~7;
                break;
            }
            if ((cmd == UVC_CMD_SET_SHARED_ACCESS ||
                 cmd == UVC_CMD_REMOVE_SHARED_ACCESS) && g_rand_boolean(r)) {
                /* sometimes a valid page address */
                wr64(cb + 0x20, g_rand_int_range(r, 0, MEM_SIZE / PAGE) *
                     (uint64_t)PAGE);
            }
            wr16(cb, len);
            wr16(cb + 2, cmd);
            memcpy(copy, cb, 0x400);
            cc = se_uv_guest_call(uv, secure, cb, avail, &ops_default);
            if (avail < 8) {
                g_assert_cmpint(cc, ==, 1);
                g_assert_cmpmem(cb, 0x400, copy, 0x400);
                continue;
            }
            rc = rd16(cb + 4);
            rrc = rd16(cb + 6);
            g_assert_cmpint(cc, ==, rc == UVC_RC_EXECUTED ? 0 : 1);
            g_assert_cmpmem(cb, 4, copy, 4);
            if (attest && secure && rc >= SE_ATT_RC_TOKEN &&
                rc <= SE_ATT_RC_ADD_LEN) {
                /* random ARCB addresses and bodies: refused, rrc 0 */
                g_assert_cmphex(rrc, ==, 0);
                continue;
            }
            if (secret && secure && (rc == SE_SECRET_RC_RETR_SMALL ||
                                     (rc >= SE_SECRET_RC_NOT_ALLOWED &&
                                      rc <= SE_SECRET_RC_NOT_RETR))) {
                /* no storage to read or write: refused, rrc 0 */
                g_assert_cmphex(rrc, ==, 0);
                continue;
            }
            switch (rc) {
            case UVC_RC_EXECUTED:
                counts[0]++;
                g_assert_true(guest_cmd);
                g_assert_cmphex(rrc, ==, 0);
                break;
            case UVC_RC_INV_CMD:
                counts[1]++;
                g_assert_false(guest_cmd);
                g_assert_cmphex(rrc, ==, 0);
                break;
            case UVC_RC_INV_LEN:
                counts[2]++;
                g_assert_cmphex(rrc, ==, 0);
                break;
            case UVC_RC_MORE_DATA:
                counts[4]++;
                g_assert_cmphex(cmd, ==, UVC_CMD_QUI);
                g_assert_cmphex(rrc, ==, 0);
                break;
            case UVC_RC_INV_STATE:
                counts[5]++;
                g_assert_true(guest_cmd && cmd != UVC_CMD_QUI && !secure);
                g_assert_cmphex(rrc, ==, RRC_NOT_SECURE);
                break;
            case RC_INV_PARAM:
                counts[3]++;
                g_assert_true(guest_cmd && cmd != UVC_CMD_QUI && secure &&
                              !attest && !secret);
                g_assert_true(rrc == RRC_UNALIGNED || rrc == RRC_ADDRESS);
                break;
            default:
                g_assert_not_reached();
            }
            if (!guest_cmd || rc == UVC_RC_INV_LEN) {
                g_assert_cmpmem(cb + 8, 0x400 - 8, copy + 8, 0x400 - 8);
            }
        }
    }
    /* every outcome was reached at least once */
    for (i = 0; i < G_N_ELEMENTS(counts); i++) {
        g_assert_cmpuint(counts[i], >, 0);
    }
    g_assert_cmpint(se_uv_conf_state(uv), ==, SE_UV_CONF_VERIFIED);
    g_assert_cmpuint(se_uv_shared_pages(uv), <=, MEM_SIZE / PAGE);
    assert_rc(se_uv_unshare_all(uv, conf, RRC), UVC_RC_EXECUTED, 0);
    g_assert_cmpuint(se_uv_shared_pages(uv), ==, 0);
}

/*
 * The dump calls: refused unless the header allows a dump and no secret
 * disabled it; the storage state marks shared and absent pages; exported
 * pages, CPU data and completion data open with the CCK only.
 */
static void test_dump(void)
{
    g_autoptr(Env) e = env_new();
    g_autoptr(SeUv) uv = NULL;
    g_autofree GuestMem *m = g_new0(GuestMem, 1);
    uint8_t page[PAGE], enc[PAGE], out[PAGE], stor[SE_DUMP_STOR_STATE_LEN];
    uint8_t cpu[SE_DUMP_CPU_LEN], compl[SE_DUMP_COMPL_LEN], cck[32];
    uint8_t tags[SE_ATT_TAGS_SIZE], assoc[32];
    SeDumpCpuState st = { 0 }, got;
    SeDumpKeys keys;
    uint64_t conf, cpu_h = 0;
    uint16_t rrc;
    unsigned i;

    /* the default image does not allow a dump */
    uv = uv_new(e);
    conf = drive_verified(e, uv);
    g_assert_false(se_uv_dump_allowed(uv, NULL));
    g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, 0x0102);
    g_clear_pointer(&uv, se_uv_free);

    env_build(e, &e->key.pub, SE_PCF_PCKMO_AES | SE_PCF_ALLOW_DUMP);
    uv = uv_new(e);
    conf = create_conf(uv);
    g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, UVC_RC_INV_STATE);
    se_uv_destroy_conf(uv, conf, &rrc);
    conf = drive_verified(e, uv);
    g_assert_cmphex(se_uv_create_cpu(uv, conf, 0, &cpu_h, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_true(se_uv_dump_allowed(uv, NULL));
    /* nothing before DUMP_INIT */
    g_assert_cmphex(se_uv_dump_complete(uv, conf, compl, &rrc), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmphex(rrc, ==, 6);
    g_assert_cmphex(se_uv_dump_export(uv, 0, page, enc, &rrc), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmphex(se_uv_dump_init(uv, conf + 1, &rrc), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_true(se_uv_dumping(uv));
    g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, UVC_RC_INV_STATE);
    g_assert_cmphex(rrc, ==, 5);

    /* page 5 shared, the rest of storage secure, beyond it absent */
    g_assert_cmphex(share(uv, true, UVC_CMD_SET_SHARED_ACCESS, 5 * PAGE,
                          &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(se_uv_dump_stor_state(uv, conf, PAGE, stor, &rrc), ==,
                    RC_INV_PARAM);
    g_assert_cmphex(se_uv_dump_stor_state(uv, conf, 0x100000, stor, &rrc),
                    ==, RC_INV_PARAM);
    g_assert_cmphex(se_uv_dump_stor_state(uv, conf, 0, stor, &rrc), ==,
                    UVC_RC_EXECUTED);
    for (i = 0; i < 256; i++) {
        g_assert_cmpint(se_dump_page_state(stor + 16 * i), ==,
                        i == 5 ? SE_DUMP_PAGE_SHARED :
                        i >= MEM_SIZE / PAGE ? SE_DUMP_PAGE_ZERO :
                        SE_DUMP_PAGE_ENCRYPTED);
    }
    for (i = 0; i < PAGE; i++) {
        page[i] = i * 7 + 1;
    }
    g_assert_cmphex(se_uv_dump_export(uv, 3 * PAGE, page, enc, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_true(memcmp(enc, page, PAGE));
    g_assert_cmphex(se_uv_dump_export(uv, 5 * PAGE, page, out, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_cmpmem(out, PAGE, page, PAGE);
    g_assert_cmphex(se_uv_dump_export(uv, MEM_SIZE, page, out, &rrc), ==,
                    RC_INV_PARAM);
    g_assert_cmphex(se_uv_dump_export(uv, 1, page, out, &rrc), ==,
                    RC_INV_PARAM);

    st.gprs[2] = 0x1122334455667788ULL;
    st.prefix = PREFIX;
    g_assert_cmphex(se_uv_dump_cpu(uv, cpu_h + 1, &st, cpu, &rrc), ==,
                    UVC_RC_INV_STATE);
    g_assert_cmphex(se_uv_dump_cpu(uv, cpu_h, &st, cpu, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_cmphex(se_uv_dump_complete(uv, conf, compl, &rrc), ==,
                    UVC_RC_EXECUTED);
    g_assert_false(se_uv_dumping(uv));
    g_assert_cmphex(se_uv_dump_export(uv, 3 * PAGE, page, out, &rrc), ==,
                    UVC_RC_INV_STATE);

    /* the reader with the image's CCK */
    for (i = 0; i < 32; i++) {
        cck[i] = 0x11 * i;
    }
    g_assert_true(se_dump_open_completion(compl, sizeof(compl), cck, &keys,
                                          NULL));
    g_assert_true(se_dump_read_page(&keys, stor + 16 * 3, enc, out));
    g_assert_cmpmem(out, PAGE, page, PAGE);
    g_assert_true(se_dump_open_cpu(&keys, cpu, sizeof(cpu), &got, NULL));
    g_assert_cmphex(got.gprs[2], ==, st.gprs[2]);
    g_assert_cmphex(got.prefix, ==, PREFIX);
    cck[0] ^= 1;
    g_assert_false(se_dump_open_completion(compl, sizeof(compl), cck, &keys,
                                           NULL));

    /* a secret with the disable-dump flag ends dumping for good */
    {
        g_autoptr(SeHdr) h = se_hdr_parse(e->hdr, e->hdr_len, NULL);
        SecretReq q = { .host = &e->key.pub, .tags = tags,
                        .type = SE_SECRET_ASSOC, .name = "nodump",
                        .value = assoc, .len = 32,
                        .flags = SE_ASRCB_FLAG_DISABLE_DUMP };
        const char *why = NULL;

        se_attest_tags(h, tags);
        memset(assoc, 0x5a, sizeof(assoc));
        g_assert_cmphex(add_secret(uv, m, &q), ==, SE_SECRET_RC_OK);
        g_assert_false(se_uv_dump_allowed(uv, &why));
        g_assert_nonnull(strstr(why, "secret"));
        g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, 0x0102);
    }
    /* destroying the configuration ends a dump */
    se_uv_destroy_conf(uv, conf, &rrc);
    conf = drive_verified(e, uv);
    g_assert_cmphex(se_uv_dump_init(uv, conf, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_cmphex(se_uv_destroy_conf(uv, conf, &rrc), ==, UVC_RC_EXECUTED);
    g_assert_false(se_uv_dumping(uv));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/uv-core/happy-path", test_happy_path);
    g_test_add_func("/uv-core/backup-key", test_backup_key);
    g_test_add_func("/uv-core/set-params-fail", test_set_params_fail);
    g_test_add_func("/uv-core/wrong-state", test_wrong_state);
    g_test_add_func("/uv-core/verify-fail", test_verify_fail);
    g_test_add_func("/uv-core/unpack-params", test_unpack_params);
    g_test_add_func("/uv-core/unpack-bounds", test_unpack_bounds);
    g_test_add_func("/uv-core/handles", test_handles);
    g_test_add_func("/uv-core/cpus", test_cpus);
    g_test_add_func("/uv-core/host-access", test_host_access);
    g_test_add_func("/uv-core/share-model", test_share_model);
    g_test_add_func("/uv-core/qui", test_qui);
    g_test_add_func("/uv-core/qui-machine", test_qui_machine);
    g_test_add_func("/uv-core/guest-attest", test_guest_attest);
    g_test_add_func("/uv-core/guest-secrets", test_guest_secrets);
    g_test_add_func("/uv-core/guest-every-command",
                    test_guest_every_command);
    g_test_add_func("/uv-core/guest-lengths", test_guest_lengths);
    g_test_add_func("/uv-core/guest-commands", test_guest_commands);
    g_test_add_func("/uv-core/guest-share-errors", test_guest_share_errors);
    g_test_add_func("/uv-core/all-commands", test_all_commands);
    g_test_add_func("/uv-core/dump", test_dump);
    return g_test_run();
}
