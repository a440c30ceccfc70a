/*
 * Unit tests for the built-in POWER ultravisor core
 * (include/hw/ppc/ultravisor/uv-pef.h): PTCR and partition table,
 * caller states, every ucall's argument checks, memory slots, page in /
 * out / inval with encryption, sharing, termination, the memcons message
 * log and the info summary.
 *
 * The host is faked (tests/core/fake-pef-host.c) with two arrays: normal
 * RAM at 0 and secure RAM at 0x0001000000000000.  Return codes are the
 * U_* values of the header; which one a situation gets is from the table
 * in uv-pef-internal.h.
 * The memcons is read back the way Linux's opal-msglog.c reads it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "fake-pef-host.h"

#define MIB             (1024 * 1024ULL)
#define PG              UV_PEF_PAGE_SIZE
#define NORMAL_SIZE     FAKE_PEF_NORMAL_SIZE
#define SECURE_BASE     FAKE_PEF_SECURE_BASE
#define SECURE_SIZE     FAKE_PEF_SECURE_SIZE
#define MEMCONS_RA      FAKE_PEF_MEMCONS_RA
#define PATB_OFF        0x10000
#define POOL_OFF        0x20000
#define POOL_PAGES      ((SECURE_SIZE - POOL_OFF) / PG)
#define LPID            3
#define VERSION         "test-1.2.3"

typedef FakePefHost Host;

static const UvPefConfig config = {
    .secure_base = SECURE_BASE,
    .secure_size = SECURE_SIZE,
    .memcons_ra = MEMCONS_RA,
    .version = VERSION,
};

static Host *host_new_ops(const UvPefHostOps *o)
{
    return fake_pef_host_new(o, VERSION);
}

static Host *host_new(void)
{
    return fake_pef_host_new(&fake_pef_host_ops, VERSION);
}

static void host_free(Host *h)
{
    fake_pef_host_free(h);
}

/* ---- helpers ----------------------------------------------------------- */

static const UvPefCaller hv = { .s = false, .hv = true, .pr = false };
static const UvPefCaller svm_os = { .s = true, .hv = false, .pr = false,
                                    .lpid = LPID };

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* One ucall; r[] = r4.. (up to 9 values); the regs are left in *out. */
static int64_t ucall_regs(Host *h, const UvPefCaller *c, uint64_t op,
                          uint64_t out[10], int n, const uint64_t *r)
{
    int i;
    int64_t rc;

    memset(out, 0, 10 * sizeof(uint64_t));
    out[0] = op;
    for (i = 0; i < n; i++) {
        out[i + 1] = r[i];
    }
    rc = uv_pef_ucall(h->uv, uv_pef_ucall_find(op), c, out);
    g_assert_cmpint((int64_t)out[0], ==, rc);
    return rc;
}

#define UC(h, c, op, ...) ({                                        \
    uint64_t args_[] = { __VA_ARGS__ };                             \
    uint64_t regs_[10];                                             \
    ucall_regs(h, c, op, regs_, G_N_ELEMENTS(args_), args_);        \
})

static void fill(uint8_t *p, uint64_t len, uint32_t seed)
{
    uint64_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = seed >> 16;
    }
}

static bool contains(const uint8_t *hay, uint64_t len, const uint8_t *needle,
                     uint64_t nlen)
{
    uint64_t i;

    for (i = 0; nlen <= len && i <= len - nlen; i++) {
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen)) {
            return true;
        }
    }
    return false;
}

static void get_info(Host *h, UvPefInfo *info)
{
    uv_pef_get_info(h->uv, info);
}

static uint64_t secure_used(Host *h)
{
    UvPefInfo info;
    uint64_t v;

    get_info(h, &info);
    v = info.secure_used;
    uv_pef_info_clear(&info);
    return v;
}

static void part_counts(Host *h, uint64_t lpid, uint64_t *sec, uint64_t *sh)
{
    UvPefInfo info;
    guint i;

    get_info(h, &info);
    *sec = *sh = UINT64_MAX;
    for (i = 0; i < info.partitions->len; i++) {
        UvPefPartitionInfo *p = &g_array_index(info.partitions,
                                               UvPefPartitionInfo, i);
        if (p->lpid == lpid) {
            *sec = p->secure_pages;
            *sh = p->shared_pages;
        }
    }
    uv_pef_info_clear(&info);
}

/* An SVM at LPID with one slot: gpa 0, @pages pages. */
static void make_svm(Host *h, uint64_t pages)
{
    g_assert_cmpint(uv_pef_svm_create(h->uv, LPID), ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0, pages * PG, 0,
                       1), ==, U_SUCCESS);
}

/* Put a pattern at normal RA @src and page it in at @gpa. */
static void page_in_pattern(Host *h, uint64_t src, uint64_t gpa,
                            uint32_t seed)
{
    fill(h->normal + src, PG, seed);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, src, gpa, 0, 16), ==,
                    U_SUCCESS);
}

/* ---- memcons, read back like Linux's memcons_copy() -------------------- */

static char *read_memcons(Host *h, bool *wrapped)
{
    const uint8_t *m = h->normal + MEMCONS_RA;
    uint64_t obuf = rd64(m + 8);
    uint32_t size = rd32(m + 24);
    uint32_t out_pos = rd32(m + 32);
    const uint8_t *buf;
    GString *s = g_string_new(NULL);

    /* magic "f0iegras", as Linux's MEMCONS_MAGIC 0x6630696567726173 */
    g_assert_cmpmem(m, 8, "f0iegras", 8);
    g_assert_cmpuint(obuf, >=, MEMCONS_RA + 44);
    g_assert_cmpuint(obuf + size, <=, MEMCONS_RA + UV_PEF_MEMCONS_SIZE);
    g_assert_cmpuint(rd32(m + 28), ==, 0);      /* ibuf_size */
    buf = h->normal + obuf;
    *wrapped = out_pos & 0x80000000u;
    if (*wrapped) {
        out_pos &= 0x00ffffffu;
        g_assert_cmpuint(out_pos, <, size);
        g_string_append_len(s, (const char *)buf + out_pos, size - out_pos);
    }
    g_assert_cmpuint(out_pos, <=, size);
    g_string_append_len(s, (const char *)buf, out_pos);
    return g_string_free(s, false);
}

/* ---- tests --------------------------------------------------------------- */

static void test_ptcr(void)
{
    Host *h = host_new();
    uint64_t ptcr = uv_pef_ptcr(h->uv);

    /* PATB (bits 4:51 IBM) = table RA, PATS (low 5 bits) = log2(64K)-12 */
    g_assert_cmphex(ptcr & 0x0FFFFFFFFFFFF000ULL, ==, SECURE_BASE + PATB_OFF);
    g_assert_cmpuint(ptcr & 0x1f, ==, 4);
    g_assert_cmpuint(1ULL << (12 + (ptcr & 0x1f)), ==,
                     UV_PEF_MAX_LPID * 16);
    g_assert_true(uv_pef_is_secure(h->uv, SECURE_BASE, 1));
    g_assert_true(uv_pef_is_secure(h->uv, SECURE_BASE - 1, 2));
    g_assert_true(uv_pef_is_secure(h->uv, SECURE_BASE + SECURE_SIZE - 1, 1));
    g_assert_true(uv_pef_is_secure(h->uv, 0, UINT64_MAX));
    g_assert_true(uv_pef_is_secure(h->uv, 5, UINT64_MAX));
    g_assert_false(uv_pef_is_secure(h->uv, SECURE_BASE - 1, 1));
    g_assert_false(uv_pef_is_secure(h->uv, SECURE_BASE + SECURE_SIZE, 8));
    g_assert_false(uv_pef_is_secure(h->uv, SECURE_BASE, 0));
    g_assert_false(uv_pef_is_secure(h->uv, UINT64_MAX, UINT64_MAX));
    host_free(h);
}

static void test_new_errors(void)
{
    UvPefConfig c;
    UvPefHostOps o = fake_pef_host_ops;
    GError *err = NULL;
    UvPef *uv;
    const struct {
        uint64_t base, size, memcons;
    } bad[] = {
        { SECURE_BASE + 0x1000, SECURE_SIZE, 0 },
        { SECURE_BASE, SECURE_SIZE + 0x1000, 0 },
        { SECURE_BASE, 512 * 1024, 0 },
        { SECURE_BASE, 1ULL << 41, 0 },
        { 0xFFFFFFFFFFF00000ULL, 2 * MIB, 0 },
        { SECURE_BASE, SECURE_SIZE, SECURE_BASE },
        { SECURE_BASE, SECURE_SIZE, SECURE_BASE - 0x8000 },
        { SECURE_BASE, SECURE_SIZE, UINT64_MAX - 0x100 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        c = config;
        c.secure_base = bad[i].base;
        c.secure_size = bad[i].size;
        c.memcons_ra = bad[i].memcons;
        uv = uv_pef_new(&c, &fake_pef_host_ops, NULL, &err);
        g_assert_null(uv);
        g_assert_error(err, UV_PEF_ERROR, 0);
        g_clear_error(&err);
    }
    o.mem_write = NULL;
    g_assert_null(uv_pef_new(&config, &o, NULL, &err));
    g_assert_error(err, UV_PEF_ERROR, 0);
    g_clear_error(&err);
    c = config;
    c.version = NULL;
    uv = uv_pef_new(&c, &fake_pef_host_ops, NULL, &err);
    g_assert_no_error(err);
    uv_pef_free(uv);
    uv_pef_free(NULL);
}

static void test_write_pate(void)
{
    Host *h = host_new();
    const uint8_t *e5 = h->secure + PATB_OFF + 5 * 16;
    const uint8_t *e7 = h->secure + PATB_OFF + 7 * 16;
    static const uint8_t want[16] = {
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
    };
    UvPefInfo info;

    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 5, 0x0102030405060708ULL,
                       0x899aabbccddeeff0ULL), ==, U_SUCCESS);
    g_assert_cmpmem(e5, 16, want, 16);
    g_assert_cmpint(h->pate_calls, ==, 1);
    g_assert_cmpuint(h->pate_lpid, ==, 5);
    /* nothing else in the table changed */
    g_assert_cmpuint(rd64(e5 - 8), ==, 0);
    g_assert_cmpuint(rd64(e5 + 16), ==, 0);

    /* LPID 0 and the last one */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 0, 0x11, 0x22), ==, U_SUCCESS);
    g_assert_cmphex(rd64(h->secure + PATB_OFF), ==, 0x11);
    g_assert_cmphex(rd64(h->secure + PATB_OFF + 8), ==, 0x22);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 4095, 0x33, 0x44), ==,
                    U_SUCCESS);
    g_assert_cmphex(rd64(h->secure + PATB_OFF + 4095 * 16 + 8), ==, 0x44);

    /* out of range */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 4096, 1, 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, UINT64_MAX, 1, 2), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 1ULL << 32, 1, 2), ==,
                    U_PARAMETER);
    g_assert_cmpint(h->pate_calls, ==, 3);

    /*
     * Table pointers of a normal partition into secure memory are refused
     * (dw0 = P2, dw1 of LPID 0 = P3); a guest's dw1 is guest-real.
     */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6,
                       (1ULL << 63) | SECURE_BASE | 13, 0), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6,
                       (1ULL << 63) | (SECURE_BASE - 0x8000) | 13, 0), ==,
                    U_P2);          /* a 64 KiB root that ends inside */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6,
                       (1ULL << 63) | (SECURE_BASE - 0x8000) | 12, 0), ==,
                    U_SUCCESS);     /* 32 KiB: ends at the secure base */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6,
                       SECURE_BASE + SECURE_SIZE - 0x40000, 0), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6, 30, 0), ==,
                    U_SUCCESS);     /* a 2^48-byte HPT from 0 ends at it */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6, 31, 0), ==,
                    U_P2);          /* 2^49 bytes reach it */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 0, (1ULL << 63) | 13,
                       SECURE_BASE + 0x1000), ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6, (1ULL << 63) | 13,
                       SECURE_BASE + 0x1000), ==, U_SUCCESS);
    g_assert_cmphex(rd64(h->secure + PATB_OFF), ==, 0x11);
    g_assert_cmphex(rd64(h->secure + PATB_OFF + 6 * 16 + 8), ==,
                    SECURE_BASE + 0x1000);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 6, 0, 0), ==, U_SUCCESS);
    g_assert_cmpint(h->pate_calls, ==, 7);

    /* an SVM: only dw1 changes */
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 7, 0xAAAA, 0xBBBB), ==,
                    U_SUCCESS);
    g_assert_cmpint(uv_pef_svm_create(h->uv, 7), ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 7, 0xCCCC, 0xDDDD), ==,
                    U_SUCCESS);
    g_assert_cmphex(rd64(e7), ==, 0xAAAA);
    g_assert_cmphex(rd64(e7 + 8), ==, 0xDDDD);
    g_assert_cmpuint(h->pate_lpid, ==, 7);

    get_info(h, &info);
    g_assert_cmpuint(info.pates, ==, 4);
    uv_pef_info_clear(&info);
    host_free(h);
}

/*
 * Which callers each opcode accepts: H = HV, N = non-secure OS LPID!=0,
 * S = secure OS, A = any (the reference's "Allowed callers" table).
 */
static const struct {
    uint64_t op;
    char who;
} allowed[] = {
    { UV_WRITE_PATE, 'H' }, { UV_RESTRICTED_SPR_WRITE, 'H' },
    { UV_RESTRICTED_SPR_READ, 'H' }, { UV_ESM, 'N' },
    { UV_READ_SCOM, 'H' }, { UV_WRITE_SCOM, 'H' }, { UV_RETURN, 'H' },
    { UV_REGISTER_MEM_SLOT, 'H' }, { UV_UNREGISTER_MEM_SLOT, 'H' },
    { UV_PAGE_IN, 'H' }, { UV_PAGE_OUT, 'H' }, { UV_SHARE_PAGE, 'S' },
    { UV_UNSHARE_PAGE, 'S' }, { UV_PAGE_INVAL, 'H' },
    { UV_SVM_TERMINATE, 'H' }, { UV_UNSHARE_ALL_PAGES, 'S' },
    { UV_READ_MEM, 'H' }, { UV_WRITE_MEM, 'H' }, { UV_ESMB_GET_FILE, 'A' },
    { UV_SEND_SBE_COMMAND, 'H' },
};

static void test_callers(void)
{
    static const struct {
        UvPefCaller c;
        char kind;          /* the class it belongs to, or 0 */
    } callers[] = {
        { { .s = 0, .hv = 1, .pr = 0, .lpid = 0 }, 'H' },
        { { .s = 0, .hv = 1, .pr = 0, .lpid = 9 }, 'H' },
        { { .s = 0, .hv = 1, .pr = 1, .lpid = 0 }, 0 },
        { { .s = 0, .hv = 0, .pr = 0, .lpid = 0 }, 0 },
        { { .s = 0, .hv = 0, .pr = 0, .lpid = 9 }, 'N' },
        { { .s = 0, .hv = 0, .pr = 1, .lpid = 9 }, 0 },
        { { .s = 1, .hv = 0, .pr = 0, .lpid = 9 }, 'S' },
        { { .s = 1, .hv = 0, .pr = 0, .lpid = 0 }, 'S' },
        { { .s = 1, .hv = 0, .pr = 1, .lpid = 9 }, 0 },
        { { .s = 1, .hv = 1, .pr = 0, .lpid = 0 }, 0 },
        { { .s = 1, .hv = 1, .pr = 1, .lpid = 0 }, 0 },
    };
    Host *h = host_new();
    size_t i, j;
    int rejected = 0;

    for (i = 0; i < G_N_ELEMENTS(allowed); i++) {
        g_assert_nonnull(uv_pef_ucall_find(allowed[i].op));
        for (j = 0; j < G_N_ELEMENTS(callers); j++) {
            bool ok = allowed[i].who == 'A' ||
                      allowed[i].who == callers[j].kind;
            uint64_t regs[10];
            int64_t rc;
            int k;

            /* WRITE_PATE of lpid 9 would be visible in the table */
            rc = ucall_regs(h, &callers[j].c, allowed[i].op, regs, 3,
                            (uint64_t[]){ 9, 0x1234, 0x5678 });
            if (ok) {
                /* all-zero-ish args: no call here answers U_PERMISSION */
                g_assert_cmpint(rc, !=, U_PERMISSION);
            } else {
                g_assert_cmpint(rc, ==, U_PERMISSION);
                /* nothing but r3 written */
                g_assert_cmpuint(regs[1], ==, 9);
                g_assert_cmpuint(regs[2], ==, 0x1234);
                g_assert_cmpuint(regs[3], ==, 0x5678);
                for (k = 4; k < 10; k++) {
                    g_assert_cmpuint(regs[k], ==, 0);
                }
                rejected++;
            }
        }
    }
    /* 15 HV-only x 9 others, ESM x 10, 3 secure-OS calls x 9 */
    g_assert_cmpint(rejected, ==, 15 * 9 + 10 + 3 * 9);
    /* the only WRITE_PATE that passed came from HV callers */
    g_assert_cmpint(h->pate_calls, ==, 2);
    g_assert_cmphex(rd64(h->secure + PATB_OFF + 9 * 16), ==, 0x1234);
    host_free(h);
}

static void test_unknown(void)
{
    static const uint64_t ops_bad[] = {
        0, 0xF100, 0xF105, 0xF154, 0xF0FC, 0x1F104, UINT64_MAX,
        0xF104ULL | (1ULL << 32),
    };
    static const UvPefCaller all[] = {
        { .hv = 1 }, { .s = 1 }, { .lpid = 3 }, { .s = 1, .hv = 1 },
    };
    Host *h = host_new();
    size_t i, j;

    for (i = 0; i < G_N_ELEMENTS(ops_bad); i++) {
        g_assert_null(uv_pef_ucall_find(ops_bad[i]));
        for (j = 0; j < G_N_ELEMENTS(all); j++) {
            g_assert_cmpint(UC(h, &all[j], ops_bad[i], 1, 2, 3), ==,
                            U_FUNCTION);
        }
    }
    g_assert_cmpstr(uv_pef_ucall_name(uv_pef_ucall_find(UV_PAGE_IN)), ==,
                    "UV_PAGE_IN");
    g_assert_cmpstr(uv_pef_ucall_name(uv_pef_ucall_find(UV_WRITE_PATE)), ==,
                    "UV_WRITE_PATE");
    g_assert_cmpstr(uv_pef_ucall_name(uv_pef_ucall_find(UV_SEND_SBE_COMMAND)),
                    ==,
                    "UV_SEND_SBE_COMMAND");
    host_free(h);
}

static void test_not_yet(void)
{
    Host *h = host_new();
    const UvPefCaller ns_os = { .lpid = 2 };

    g_assert_cmpint(UC(h, &ns_os, UV_ESM, 0x400000, 0x500000), ==,
                    U_FUNCTION);
    g_assert_cmpint(UC(h, &svm_os, UV_ESMB_GET_FILE, 0), ==, U_FUNCTION);
    g_assert_cmpint(UC(h, &hv, UV_SEND_SBE_COMMAND, 0, 0, 0), ==,
                    U_FUNCTION);
    /* RETURN: nothing reflected, so nothing to return to */
    g_assert_cmpint(UC(h, &hv, UV_RETURN), ==, U_STATE);
    host_free(h);
}

/* The host ops act on the thread that made the call: they are told which */
static void test_caller_cpu(void)
{
    int thread_a, thread_b;
    const UvPefCaller a = { .hv = true, .cpu = &thread_a };
    const UvPefCaller b = { .hv = true, .cpu = &thread_b };
    Host *h = host_new();
    uint64_t regs[10];

    g_assert_cmpint(UC(h, &a, UV_RESTRICTED_SPR_WRITE, 0xB4, 7), ==,
                    U_SUCCESS);
    g_assert_true(h->spr_cpu == &thread_a);
    g_assert_cmpint(ucall_regs(h, &b, UV_RESTRICTED_SPR_READ, regs, 1,
                               (uint64_t[]){ 0xB4 }), ==, U_SUCCESS);
    g_assert_true(h->spr_cpu == &thread_b);
    g_assert_cmpint(UC(h, &b, UV_WRITE_PATE, 2, 0x10, 0x20), ==, U_SUCCESS);
    g_assert_true(h->pate_cpu == &thread_b);
    g_assert_cmpint(UC(h, &a, UV_WRITE_PATE, 2, 0, 0), ==, U_SUCCESS);
    g_assert_true(h->pate_cpu == &thread_a);
    /* reset has no calling thread */
    uv_pef_reset(h->uv);
    host_free(h);
}

static void test_spr(void)
{
    static const uint64_t wr_ok[] = { 0xB4, 0xBC, 0xBB, 0x352, 0x31F };
    static const uint64_t rd_ok[] = { 0xB4, 0xBC, 0xBB };
    static const uint64_t never[] = {
        0x1D0, 0x1F9, 0x1FF, 0x1FA, 0x130, 0xB5, 0, 0x3FF,
        0xB4ULL | (1ULL << 32), UINT64_MAX,
    };
    Host *h = host_new();
    uint64_t regs[10];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(wr_ok); i++) {
        g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_WRITE, wr_ok[i],
                           0x1000 + i), ==, U_SUCCESS);
        g_assert_cmphex(h->spr[wr_ok[i]], ==, 0x1000 + i);
    }
    for (i = 0; i < G_N_ELEMENTS(rd_ok); i++) {
        g_assert_cmpint(ucall_regs(h, &hv, UV_RESTRICTED_SPR_READ, regs, 1,
                                   &rd_ok[i]), ==, U_SUCCESS);
        /* the value comes back in r5 */
        g_assert_cmphex(regs[2], ==, h->spr[rd_ok[i]]);
        g_assert_cmphex(regs[1], ==, rd_ok[i]);
    }
    /* LDBAR and IMC are write-only */
    g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_READ, 0x352), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_READ, 0x31F), ==,
                    U_PARAMETER);
    for (i = 0; i < G_N_ELEMENTS(never); i++) {
        g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_WRITE, never[i], 1), ==,
                        U_PARAMETER);
        g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_READ, never[i]), ==,
                        U_PARAMETER);
    }
    g_assert_cmphex(h->spr[0x1D0], ==, 0);
    h->fail_spr = true;
    g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_WRITE, 0xB4, 1), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_RESTRICTED_SPR_READ, 0xB4), ==,
                    U_PARAMETER);
    host_free(h);
}

static void test_scom(void)
{
    Host *h = host_new();
    UvPefHostOps o2 = fake_pef_host_ops;
    uint64_t regs[10];

    g_assert_cmpint(ucall_regs(h, &hv, UV_READ_SCOM, regs, 2,
                               (uint64_t[]){ 0, 0xf000f }), ==, U_SUCCESS);
    g_assert_cmphex(regs[1], ==, 0x5a5a5a5a000f000fULL);
    g_assert_cmphex(h->scom_addr, ==, 0xf000f);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_SCOM, 0, 0x2010a00, 0x77), ==,
                    U_SUCCESS);
    g_assert_cmphex(h->scom_addr, ==, 0x2010a00);
    g_assert_cmphex(h->scom_val, ==, 0x77);
    /* partids that are no processor chip */
    g_assert_cmpint(UC(h, &hv, UV_READ_SCOM, 0x40000000, 0), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_SCOM, 0x80000001, 0, 0), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_READ_SCOM, 1ULL << 32, 0), ==,
                    U_PARAMETER);
    /* chip 1 without per-chip ops */
    g_assert_cmpint(UC(h, &hv, UV_READ_SCOM, 1, 0), ==, U_PARAMETER);
    h->fail_scom = true;
    g_assert_cmpint(ucall_regs(h, &hv, UV_READ_SCOM, regs, 2,
                               (uint64_t[]){ 0, 0x1234 }), ==, U_HARDWARE);
    g_assert_cmphex(regs[1], ==, 0);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_SCOM, 0, 0, 0), ==, U_HARDWARE);
    host_free(h);

    o2.scom_read_chip = fake_pef_scom_read_chip;
    h = host_new_ops(&o2);
    g_assert_cmpint(UC(h, &hv, UV_READ_SCOM, 1, 0x10), ==, U_SUCCESS);
    g_assert_cmpuint(h->scom_chip, ==, 1);
    host_free(h);
}

static void test_mem_rw(void)
{
    Host *h = host_new();
    uint64_t op[] = { UV_READ_MEM, UV_WRITE_MEM };
    int i;

    for (i = 0; i < 2; i++) {
        g_assert_cmpint(UC(h, &hv, op[i], 0, 1, 0, 8), ==, U_PARAMETER);
        g_assert_cmpint(UC(h, &hv, op[i], 0x10000, 1, 0, 0), ==,
                        U_PARAMETER);
        /* size is 32 bits */
        g_assert_cmpint(UC(h, &hv, op[i], 0x10000, 1, 0, 1ULL << 32), ==,
                        U_PARAMETER);
        /* no resource is white-listed */
        g_assert_cmpint(UC(h, &hv, op[i], 0x10000, 1, 0, 8), ==,
                        U_PERMISSION);
    }
    host_free(h);
}

static void test_mem_slots(void)
{
    Host *h = host_new();
    UvPefInfo info;
    UvPefPartitionInfo *p;
    UvPefSlotInfo *s;
    uint64_t sec, sh;

    /* no SVM */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0, PG, 0, 0), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, 0), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, 5000, 0, PG, 0, 0), ==,
                    U_PARAMETER);
    g_assert_cmpint(uv_pef_svm_create(h->uv, LPID), ==, U_SUCCESS);

    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x100000,
                       16 * PG, 0x5, 1), ==, U_SUCCESS);
    /* unaligned gpa, size 0, bad slotid, duplicate slotid */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x1000, PG, 0, 2),
                    ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x800000, 0, 0,
                       2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x800000, PG, 0,
                       512), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x800000, PG, 0,
                       (1ULL << 16) | 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x800000, PG, 0,
                       1), ==, U_PARAMETER);
    /* overlaps: inside, across the start, across the end, covering */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x110000, PG, 0,
                       2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0xF0000, 2 * PG,
                       0, 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x1F0000, 2 * PG,
                       0, 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0, 64 * PG, 0, 2),
                    ==, U_PARAMETER);
    /* a size that is rounded up into the next slot */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0xF0000, 1, 0, 2),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, 2), ==,
                    U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0xF0000,
                       PG + 1, 0, 2), ==, U_PARAMETER);
    /* overflow at the top of the address space */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID,
                       0xFFFFFFFFFFFF0000ULL, 2 * PG, 0, 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x10000000,
                       UINT64_MAX, 0, 2), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x10000000,
                       UINT64_MAX - 0x8000, 0, 2), ==, U_PARAMETER);
    /* ... but the last page is fine */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID,
                       0xFFFFFFFFFFFF0000ULL, PG, 0, 511), ==, U_SUCCESS);
    /* adjacent */
    g_assert_cmpint(UC(h, &hv, UV_REGISTER_MEM_SLOT, LPID, 0x200000, 3, 7,
                       0), ==, U_SUCCESS);

    get_info(h, &info);
    g_assert_cmpuint(info.partitions->len, ==, 1);
    p = &g_array_index(info.partitions, UvPefPartitionInfo, 0);
    g_assert_cmpuint(p->lpid, ==, LPID);
    g_assert_false(p->secure);      /* "init": no ESM yet */
    g_assert_cmpuint(p->slots->len, ==, 3);
    s = &g_array_index(p->slots, UvPefSlotInfo, 2);
    g_assert_cmpuint(s->slotid, ==, 0);
    g_assert_cmphex(s->gpa, ==, 0x200000);
    g_assert_cmphex(s->size, ==, PG);
    g_assert_cmphex(s->flags, ==, 7);
    uv_pef_info_clear(&info);

    /* pages go with their slot */
    page_in_pattern(h, 0x200000, 0x100000, 1);
    page_in_pattern(h, 0x200000, 0x200000, 2);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 2);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + 2 * PG);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, 1), ==,
                    U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 1);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + PG);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, 1), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, 512), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_UNREGISTER_MEM_SLOT, LPID, UINT64_MAX), ==,
                    U_PARAMETER);
    /* its gpas are gone */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x100000, 0, 16),
                    ==, U_P3);
    host_free(h);
}

static void test_svm_create(void)
{
    Host *h = host_new();

    g_assert_cmpint(uv_pef_svm_create(h->uv, 0), ==, U_PARAMETER);
    g_assert_cmpint(uv_pef_svm_create(h->uv, 4096), ==, U_PARAMETER);
    g_assert_cmpint(uv_pef_svm_create(h->uv, 4095), ==, U_SUCCESS);
    g_assert_cmpint(uv_pef_svm_create(h->uv, 4095), ==, U_BUSY);
    host_free(h);
}

static void test_page_in(void)
{
    Host *h = host_new();
    uint8_t pat[PG];
    uint64_t sec, sh, i;

    make_svm(h, 64);
    fill(pat, PG, 42);
    memcpy(h->normal + 0x200000, pat, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x30000, 0, 16),
                    ==, U_SUCCESS);
    /* the bytes are in one secure pool page ... */
    g_assert_true(contains(h->secure + POOL_OFF, SECURE_SIZE - POOL_OFF,
                           pat, PG));
    /* ... not in the UV area or the table */
    g_assert_false(contains(h->secure, POOL_OFF, pat, 64));
    /* the HV's page may change: the secure copy stays */
    memset(h->normal + 0x200000, 0, PG);
    g_assert_true(contains(h->secure + POOL_OFF, SECURE_SIZE - POOL_OFF,
                           pat, PG));
    g_assert_false(contains(h->normal, NORMAL_SIZE, pat, 64));
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + PG);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 1);
    g_assert_cmpuint(sh, ==, 0);

    /* while the SVM is not secure yet, a second page-in replaces it */
    fill(h->normal + 0x200000, PG, 43);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x30000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 64));
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + PG);

    /* bad arguments */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 0, 12), ==,
                    U_P5);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 0,
                       16 | (1ULL << 32)), ==, U_P5);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0, 0, 0, 16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x201000, 0, 0, 16), ==,
                    U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, SECURE_BASE + POOL_OFF, 0,
                       0, 16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, SECURE_BASE - PG, 0, 0, 16),
                    ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, NORMAL_SIZE, 0, 0, 16), ==,
                    U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0xFFFFFFFFFFFF0000ULL, 0, 0,
                       16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, 9, 0x200000, 0, 0, 16), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, UINT64_MAX, 0x200000, 0, 0, 16),
                    ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 64 * PG, 0, 16),
                    ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x8000, 0, 16),
                    ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, UINT64_MAX, 0,
                       16), ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 2, 16), ==,
                    U_P4);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 3, 16), ==,
                    U_P4);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + PG);

    /* fill the pool: the next page-in is refused, nothing leaks */
    for (i = 1; i < POOL_PAGES; i++) {
        g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000,
                           0x30000 + i * PG, 0, 16), ==, U_SUCCESS);
    }
    g_assert_cmpuint(secure_used(h), ==, SECURE_SIZE);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_RETRY);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, POOL_PAGES);
    host_free(h);
}

static void test_page_out(void)
{
    Host *h = host_new();
    static const uint8_t zeros[64];
    uint8_t pat[PG], ct1[PG];
    uint64_t sec, sh;

    make_svm(h, 16);
    fill(pat, PG, 7);
    memcpy(h->normal + 0x200000, pat, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    memset(h->normal + 0x200000, 0, PG);

    /* bad arguments first */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x20000, 0, 12),
                    ==, U_P5);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0, 0x20000, 0, 16), ==,
                    U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300800, 0x20000, 0, 16),
                    ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, SECURE_BASE + POOL_OFF,
                       0x20000, 0, 16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, NORMAL_SIZE, 0x20000, 0,
                       16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, 4, 0x300000, 0x20000, 0, 16), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 16 * PG, 0, 16),
                    ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x30000, 0, 16),
                    ==, U_PARAMETER);
    g_assert_true(contains(h->secure, SECURE_SIZE, pat, PG));

    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    /* no plaintext left anywhere, in normal or secure memory */
    g_assert_false(contains(h->normal, NORMAL_SIZE, pat, 32));
    g_assert_false(contains(h->normal, NORMAL_SIZE, pat + PG - 32, 32));
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    /* ciphertext is not zeros either */
    g_assert_false(contains(h->normal + 0x300000, PG, zeros, 64));
    memcpy(ct1, h->normal + 0x300000, PG);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 0);
    /* paged out: not again */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x20000, 0, 16),
                    ==, U_PARAMETER);

    /* round trip, from another HV page */
    memcpy(h->normal + 0x310000, ct1, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x310000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_true(contains(h->secure + POOL_OFF, SECURE_SIZE - POOL_OFF, pat,
                           PG));
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + PG);

    /* the same plaintext again gives a different ciphertext (fresh IV) */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_false(memcmp(ct1, h->normal + 0x300000, PG) == 0);
    /* the old ciphertext is refused now */
    memcpy(h->normal + 0x310000, ct1, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x310000, 0x20000, 0, 16),
                    ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x300000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_true(contains(h->secure, SECURE_SIZE, pat, PG));
    host_free(h);
}

static void test_tamper(void)
{
    Host *h = host_new();
    uint8_t pa[PG], pb[PG];
    uint64_t sec, sh;
    char *log;
    bool wrapped;

    make_svm(h, 16);
    fill(pa, PG, 100);
    fill(pb, PG, 200);
    memcpy(h->normal + 0x200000, pa, PG);
    memcpy(h->normal + 0x210000, pb, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x210000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x210000, 0x20000, 0, 16),
                    ==, U_SUCCESS);

    /* one flipped bit, first and last byte */
    h->normal[0x200000 + 1234] ^= 0x10;
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_P3);
    h->normal[0x200000 + 1234] ^= 0x10;
    h->normal[0x200000 + PG - 1] ^= 1;
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_P3);
    h->normal[0x200000 + PG - 1] ^= 1;
    /* swapped pages: B's ciphertext for A */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x210000, 0x10000, 0, 16),
                    ==, U_P3);
    /* nothing leaked or allocated, no plaintext anywhere */
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    g_assert_false(contains(h->secure, SECURE_SIZE, pa, 32));
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 0);

    /* the genuine pages still come back */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x210000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_true(contains(h->secure, SECURE_SIZE, pa, PG));
    g_assert_true(contains(h->secure, SECURE_SIZE, pb, PG));

    log = read_memcons(h, &wrapped);
    g_assert_nonnull(strstr(log, "fails authentication"));
    g_free(log);
    host_free(h);
}

static void test_shared(void)
{
    Host *h = host_new();
    uint8_t pat[PG];
    uint64_t sec, sh;

    make_svm(h, 16);
    /* H_PAGE_IN_SHARED: no copy */
    fill(h->normal + 0x200000, PG, 5);
    memcpy(pat, h->normal + 0x200000, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 1, 16),
                    ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 0);
    g_assert_cmpuint(sh, ==, 1);
    /* flags 0 on a shared page: still shared, still no copy */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);

    /* PAGE_INVAL */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x10000, 16), ==,
                    U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x10000, 16), ==,
                    U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 1);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x10000, 12), ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, 8, 0x10000, 16), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 16 * PG, 16), ==, U_P3);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x10004, 16), ==, U_P3);
    /* not shared: absent, secure, paged out */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x20000, 16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x20000, 16), ==, U_P2);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_INVAL, LPID, 0x20000, 16), ==, U_P2);
    /* revalidated by a page-in */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x10000, 1, 16),
                    ==, U_SUCCESS);

    /* a secure page made shared by the HV loses its secure copy */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x30000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_true(contains(h->secure, SECURE_SIZE, pat, PG));
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x30000, 1, 16),
                    ==, U_SUCCESS);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 2);
    host_free(h);
}

static void test_share_unshare(void)
{
    Host *h = host_new();
    const UvPefCaller other = { .s = true, .lpid = 4 };
    uint8_t pat[PG];
    uint64_t sec, sh;

    make_svm(h, 16);
    fill(pat, PG, 9);
    memcpy(h->normal + 0x200000, pat, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x20000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x30000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + 2 * PG);

    /* bad arguments */
    g_assert_cmpint(UC(h, &other, UV_SHARE_PAGE, 2, 1), ==, U_FUNCTION);
    g_assert_cmpint(UC(h, &other, UV_UNSHARE_PAGE, 2, 1), ==, U_FUNCTION);
    g_assert_cmpint(UC(h, &other, UV_UNSHARE_ALL_PAGES), ==, U_FUNCTION);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 2, 0), ==, U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 15, 2), ==, U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 16, 1), ==, U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 0, 4097), ==, U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, UINT64_MAX, 1), ==, U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 0xFFFFFFFFFFFFULL, 2), ==,
                    U_P2);
    g_assert_cmpint(UC(h, &svm_os, UV_UNSHARE_PAGE, 0, UINT64_MAX), ==, U_P2);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 0);
    g_assert_cmpuint(sec, ==, 2);

    /* share gfn 2..4: the secure contents are wiped */
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 2, 3), ==, U_SUCCESS);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 3);
    g_assert_cmpuint(sec, ==, 0);
    /* idempotent */
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 2, 3), ==, U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 3);

    g_assert_cmpint(UC(h, &svm_os, UV_UNSHARE_PAGE, 2, 1), ==, U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 2);
    /* unsharing a secure page changes nothing */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0x80000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &svm_os, UV_UNSHARE_PAGE, 8, 1), ==, U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sec, ==, 1);

    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 10, 4), ==, U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 6);
    g_assert_cmpint(UC(h, &svm_os, UV_UNSHARE_ALL_PAGES), ==, U_SUCCESS);
    part_counts(h, LPID, &sec, &sh);
    g_assert_cmpuint(sh, ==, 0);
    g_assert_cmpuint(sec, ==, 1);
    /* a paged-out page can be shared too (its metadata is dropped) */
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0x80000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 8, 1), ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x300000, 0x80000, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    host_free(h);
}

static void test_terminate(void)
{
    Host *h = host_new();
    UvPefInfo info;
    uint64_t i;
    char *log;
    bool wrapped;
    uint8_t pat[PG];

    make_svm(h, 16);
    fill(pat, PG, 77);
    memcpy(h->normal + 0x200000, pat, PG);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, LPID, 0x1111, 0x2222), ==,
                    U_SUCCESS);
    for (i = 0; i < 5; i++) {
        g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, i * PG, 0, 16),
                        ==, U_SUCCESS);
    }
    g_assert_cmpint(UC(h, &hv, UV_PAGE_OUT, LPID, 0x300000, 0, 0, 16), ==,
                    U_SUCCESS);
    g_assert_cmpint(UC(h, &svm_os, UV_SHARE_PAGE, 10, 2), ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF + 4 * PG);
    h->pate_calls = 0;

    g_assert_cmpint(UC(h, &hv, UV_SVM_TERMINATE, 9), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_SVM_TERMINATE, UINT64_MAX), ==,
                    U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_SVM_TERMINATE, LPID), ==, U_SUCCESS);
    g_assert_cmpuint(secure_used(h), ==, POOL_OFF);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    /* not secure yet: the entry is still the host's (test-uv-pef-nest) */
    g_assert_cmpuint(rd64(h->secure + PATB_OFF + LPID * 16), ==, 0);
    g_assert_cmpuint(rd64(h->secure + PATB_OFF + LPID * 16 + 8), ==, 0x2222);
    g_assert_cmpint(h->pate_calls, ==, 0);
    get_info(h, &info);
    g_assert_cmpuint(info.partitions->len, ==, 0);
    g_assert_cmpuint(info.pates, ==, 1);
    uv_pef_info_clear(&info);
    g_assert_cmpint(UC(h, &hv, UV_SVM_TERMINATE, LPID), ==, U_PARAMETER);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 0, 16), ==,
                    U_PARAMETER);
    /* the lpid can be used again */
    make_svm(h, 4);

    log = read_memcons(h, &wrapped);
    g_assert_nonnull(strstr(log, "svm created, lpid 0x3\n"));
    g_assert_nonnull(strstr(log, "svm terminated, lpid 0x3\n"));
    g_free(log);
    host_free(h);
}

static void test_memcons(void)
{
    Host *h = host_new();
    const uint8_t *m = h->normal + MEMCONS_RA;
    char *log, *first;
    bool wrapped;
    char last[64];
    int i;

    g_assert_cmphex(rd64(m), ==, 0x6630696567726173ULL);
    log = read_memcons(h, &wrapped);
    g_assert_false(wrapped);
    first = g_strdup_printf("qemu-ibm-cc built-in ultravisor %s\n", VERSION);
    g_assert_true(g_str_has_prefix(log, first));
    g_assert_nonnull(strstr(log, "0x0001000000000000-0x00010000001fffff "
                                 "(2 MiB)"));
    g_assert_nonnull(strstr(log, "PTCR 0x0001000000010004"));
    g_assert_cmpuint(rd32(m + 32), ==, strlen(log));
    g_free(log);

    /* wrap: the newest text stays, the oldest goes */
    for (i = 0; i < 2000; i++) {
        uv_pef_log(h->uv, "line %05d %s", i,
                   "0123456789012345678901234567890123456789");
    }
    log = read_memcons(h, &wrapped);
    g_assert_true(wrapped);
    g_assert_cmpuint(strlen(log), ==, UV_PEF_MEMCONS_SIZE -
                     UV_PEF_MEMCONS_HDR_SIZE);
    g_snprintf(last, sizeof(last), "line %05d %s\n", 1999,
               "0123456789012345678901234567890123456789");
    g_assert_true(g_str_has_suffix(log, last));
    g_assert_null(strstr(log, first));
    g_assert_null(strstr(log, "line 00000 "));
    g_free(log);

    /* a reset starts it over */
    uv_pef_reset(h->uv);
    log = read_memcons(h, &wrapped);
    g_assert_false(wrapped);
    g_assert_true(g_str_has_prefix(log, first));
    g_assert_null(strstr(log, "line "));
    g_free(log);
    g_free(first);
    host_free(h);
}

static void test_info_reset(void)
{
    Host *h = host_new();
    UvPefInfo info;
    uint8_t pat[PG];

    make_svm(h, 8);
    g_assert_cmpint(uv_pef_svm_create(h->uv, 100), ==, U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, UV_WRITE_PATE, 1, 1, 2), ==, U_SUCCESS);
    fill(pat, PG, 3);
    memcpy(h->normal + 0x200000, pat, PG);
    g_assert_cmpint(UC(h, &hv, UV_PAGE_IN, LPID, 0x200000, 0, 0, 16), ==,
                    U_SUCCESS);
    g_assert_cmpint(UC(h, &hv, 0xdead), ==, U_FUNCTION);

    get_info(h, &info);
    g_assert_cmphex(info.secure_base, ==, SECURE_BASE);
    g_assert_cmphex(info.secure_size, ==, SECURE_SIZE);
    g_assert_cmphex(info.secure_used, ==, POOL_OFF + PG);
    g_assert_cmphex(info.ptcr, ==, SECURE_BASE + PATB_OFF + 4);
    g_assert_cmpuint(info.pates, ==, 1);
    g_assert_cmpuint(info.ucalls, ==, 4);
    g_assert_cmpuint(info.partitions->len, ==, 2);
    g_assert_cmpuint(g_array_index(info.partitions, UvPefPartitionInfo,
                                   0).lpid, ==, LPID);
    g_assert_cmpuint(g_array_index(info.partitions, UvPefPartitionInfo,
                                   1).lpid, ==, 100);
    g_assert_cmpuint(g_array_index(info.partitions, UvPefPartitionInfo,
                                   1).slots->len, ==, 0);
    uv_pef_info_clear(&info);
    g_assert_null(info.partitions);

    uv_pef_reset(h->uv);
    get_info(h, &info);
    g_assert_cmphex(info.secure_used, ==, POOL_OFF);
    g_assert_cmpuint(info.pates, ==, 0);
    g_assert_cmpuint(info.ucalls, ==, 0);
    g_assert_cmpuint(info.partitions->len, ==, 0);
    uv_pef_info_clear(&info);
    g_assert_false(contains(h->secure, SECURE_SIZE, pat, 32));
    g_assert_cmpuint(rd64(h->secure + PATB_OFF + 16 + 8), ==, 0);
    host_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/uv-pef/ptcr", test_ptcr);
    g_test_add_func("/uv-pef/new-errors", test_new_errors);
    g_test_add_func("/uv-pef/write-pate", test_write_pate);
    g_test_add_func("/uv-pef/callers", test_callers);
    g_test_add_func("/uv-pef/unknown", test_unknown);
    g_test_add_func("/uv-pef/not-yet", test_not_yet);
    g_test_add_func("/uv-pef/spr", test_spr);
    g_test_add_func("/uv-pef/caller-cpu", test_caller_cpu);
    g_test_add_func("/uv-pef/scom", test_scom);
    g_test_add_func("/uv-pef/read-write-mem", test_mem_rw);
    g_test_add_func("/uv-pef/svm-create", test_svm_create);
    g_test_add_func("/uv-pef/mem-slots", test_mem_slots);
    g_test_add_func("/uv-pef/page-in", test_page_in);
    g_test_add_func("/uv-pef/page-out", test_page_out);
    g_test_add_func("/uv-pef/tamper", test_tamper);
    g_test_add_func("/uv-pef/shared", test_shared);
    g_test_add_func("/uv-pef/share-unshare", test_share_unshare);
    g_test_add_func("/uv-pef/terminate", test_terminate);
    g_test_add_func("/uv-pef/memcons", test_memcons);
    g_test_add_func("/uv-pef/info-reset", test_info_reset);
    return g_test_run();
}
