/*
 * libFuzzer target for the emulated ultravisor's protected-dump calls
 * (hw/s390x/se/uv-core.h): DUMP_INIT, DUMP_CONF_STOR_STATE, DUMP_CPU,
 * DUMP_COMPLETE and the export of pages, in sequences with the calls that
 * change what a dump sees: secure CPUs, shared pages, add-secret requests
 * (disable-dump, update-CCK), destroying and creating the configuration.
 *
 * Each input runs on a fresh UV whose configuration is VERIFIED with a
 * fixed image (fuzz-util.h) that allows dumping (PCF bit 34) and CCK
 * updates (SCF bit 2).  The input is a sequence of commands with handles
 * picked from those handed out (or made up) and addresses in, at the end
 * of and past guest storage (1 MiB and 16 pages).  A model of the
 * configuration (handle, state, CPUs, shared pages, secrets, CCK, dump in
 * progress) says what each call must answer.  Checked besides the
 * sanitizers: every dump call's rc; a failed one writes nothing; the
 * storage state marks each page encrypted, shared or absent as the model
 * does; a shared page is exported as it is; at DUMP_COMPLETE, the
 * completion data opens with the CCK of DUMP_INIT time (not the other), and
 * the dump's CPU data and exported pages open to what went in.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-attest.h"
#include "hw/s390x/se/se-dump.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-secret.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"
#include "fuzz-util.h"

#define PAGE            SE_UV_PAGE_SIZE
#define BLOCK           SE_DUMP_STOR_BLOCK
#define MEM_SIZE        (BLOCK + 16 * PAGE)
#define MEM_PAGES       (MEM_SIZE / PAGE)
#define MAX_CPUS        4
#define MAX_KEPT        8       /* CPU data and pages checked at the end */

/* rc values of uv-core.c besides the documented ones */
#define RC_INV_PARAM    0x0101
#define RC_DUMP_DENIED  0x0102

/* Guest storage the add-secret requests are read from */
#define GUEST_MEM       0x2000
#define ASRCB_NODUMP    0x0000
#define ASRCB_CCK       0x1000

/* The guest calls' control blocks (Linux arch/s390/include/asm/uv.h) */
#define SHARE_LEN       0x30
#define SECRET_LEN      0x48
#define CB_OFF_ADDR     0x20

static FuzzSeImage img;
static uint8_t cck1[SE_DUMP_CCK_SIZE];  /* the image's */
static uint8_t cck2[SE_DUMP_CCK_SIZE];  /* the update-CCK secret's */
static uint8_t guest_mem[GUEST_MEM];

static bool real_to_abs(void *opaque, uint64_t real, uint64_t *abs)
{
    *abs = real;
    return real < MEM_SIZE;
}

static bool mem_read(void *opaque, uint64_t real, void *buf, size_t len)
{
    if (real > GUEST_MEM || len > GUEST_MEM - real) {
        return false;
    }
    memcpy(buf, guest_mem + real, len);
    return true;
}

static const SeUvGuestOps ops = { real_to_abs, NULL, mem_read, NULL };

/* An add-secret request for the image into guest storage at @at */
static void make_asrcb(size_t at, uint16_t type, const uint8_t *secret,
                       uint64_t flags, const char *name)
{
    SeAsrcbBuildParams p = { .host_pub = &img.key.pub, .n_host_keys = 1,
                             .type = type, .secret = secret,
                             .secret_len = 32, .flags = flags };
    g_autoptr(SeHdr) h = se_hdr_parse(img.hdr, img.hdr_len, NULL);
    uint8_t *asrcb;
    size_t len, i;

    check(h != NULL);
    for (i = 0; i < CC_P521_LEN; i++) {
        p.cust_priv[i] = 0x29 + i * 3 + at;
    }
    p.cust_priv[0] = 0;
    se_attest_tags(h, p.tags);
    if (name) {
        se_secret_name_id(name, p.id);
    }
    asrcb = se_asrcb_build(&p, &len, NULL);
    check(asrcb && len <= GUEST_MEM - at);
    memcpy(guest_mem + at, asrcb, len);
    g_free(asrcb);
}

static void setup(void)
{
    static const uint8_t assoc[32] = "an association secret";
    size_t i;

    for (i = 0; i < SE_DUMP_CCK_SIZE; i++) {
        cck1[i] = 0x11 * i + 3;
        cck2[i] = 0x3b * i + 5;
    }
    fuzz_se_image(&img, SE_PCF_ALLOW_DUMP, SE_SCF_CCK_UPDATE, cck1);
    make_asrcb(ASRCB_NODUMP, SE_SECRET_ASSOC, assoc,
               SE_ASRCB_FLAG_DISABLE_DUMP, "nodump");
    make_asrcb(ASRCB_CCK, SE_SECRET_UPDATE_CCK, cck2, 0, NULL);
}

/* ---- the model ---------------------------------------------------------- */

typedef struct Kept {
    uint64_t gaddr;             /* a page: its address, pattern and data */
    uint8_t fill;
    uint8_t comp[SE_DUMP_TWEAK_SIZE];
    uint8_t data[PAGE];
} Kept;

typedef struct Model {
    uint64_t conf;              /* 0: no configuration */
    bool verified;
    uint64_t cpu[MAX_CPUS];     /* secure CPU handles by number, 0: none */
    bool shared[MEM_PAGES];
    uint64_t nshared;
    bool nodump;
    const uint8_t *cck;
    bool dumping;
    const uint8_t *dump_cck;
    SeDumpCpuState st[MAX_KEPT];
    uint8_t cpu_data[MAX_KEPT][SE_DUMP_CPU_LEN];
    unsigned ncpu_data;
    Kept page[MAX_KEPT];
    unsigned npage;
} Model;

static Model m;

static void model_reset(void)
{
    memset(&m, 0, sizeof(m));
    m.cck = cck1;
}

static bool conf_ok(uint64_t h)
{
    return m.conf && h == m.conf;
}

static bool cpu_ok(uint64_t h)
{
    unsigned i;

    for (i = 0; m.conf && h && i < MAX_CPUS; i++) {
        if (m.cpu[i] == h) {
            return true;
        }
    }
    return false;
}

/* What check_conf_state(VERIFIED) and then "dumping" give */
static uint16_t rc_dumping(uint64_t h)
{
    return conf_ok(h) && m.verified && m.dumping ? UVC_RC_EXECUTED
                                                 : UVC_RC_INV_STATE;
}

static void set_shared(uint64_t pfn, bool on)
{
    if (m.shared[pfn] != on) {
        m.shared[pfn] = on;
        if (on) {
            m.nshared++;
        } else {
            m.nshared--;
        }
    }
}

/* ---- the input ---------------------------------------------------------- */


/* A 1 MiB block, a page (some past the end), unaligned, or made up */
static uint64_t pick_addr(FuzzSeq *s)
{
    uint8_t b = fuzz_next(s);
    uint64_t a = 0;
    int i;

    if (b < 0x40) {
        return (b % 3) * (uint64_t)BLOCK;
    }
    if (b < 0xc0) {
        return (((b & 0x3f) << 8 | fuzz_next(s)) % (MEM_PAGES + 4)) * PAGE;
    }
    if (b < 0xff) {
        return (fuzz_next(s) % (MEM_PAGES + 4)) * PAGE + (b & 0x3f) + 1;
    }
    for (i = 0; i < 8; i++) {
        a = a << 8 | fuzz_next(s);
    }
    return a;
}

static void fill_page(uint8_t *p, uint64_t gaddr, uint8_t fill)
{
    size_t i;

    for (i = 0; i < PAGE; i++) {
        p[i] = fill + i * 3 + (gaddr >> 12);
    }
}

static void fill_cpu(SeDumpCpuState *st, uint8_t b, uint64_t h)
{
    unsigned i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 16; i++) {
        st->gprs[i] = h * (i + 1) + b;
        st->acrs[i] = b << 8 | i;
        st->crs[i] = ~h + i;
    }
    for (i = 0; i < 32; i++) {
        st->vrs[i][0] = h ^ i;
        st->vrs[i][1] = (uint64_t)b << 40 | i;
    }
    st->psw_mask = 0x0705000180000000ULL;
    st->psw_addr = h >> 8;
    st->prefix = b << 13;
    st->fpc = b;
    st->todpr = b + 1;
    st->timer = h;
    st->todcmp = ~h;
    st->gscb[1] = b;
    st->gscb[3] = h;
    st->flags = b;
}

/* An output buffer of exactly @len bytes, filled so a write shows */
static uint8_t *out_buf(size_t len)
{
    uint8_t *p = g_malloc(len);

    memset(p, 0xa5, len);
    return p;
}

static bool untouched(const uint8_t *p, size_t len)
{
    while (len--) {
        if (*p++ != 0xa5) {
            return false;
        }
    }
    return true;
}

/* ---- the calls ---------------------------------------------------------- */

static void dump_init(SeUv *uv, FuzzSeq *s)
{
    uint64_t h = fuzz_pick(s);
    uint16_t rc, rrc, want;

    if (!conf_ok(h) || !m.verified || m.dumping) {
        want = UVC_RC_INV_STATE;
    } else {
        want = m.nodump ? RC_DUMP_DENIED : UVC_RC_EXECUTED;
    }
    rc = se_uv_dump_init(uv, h, &rrc);
    check(rc == want);
    if (rc == UVC_RC_EXECUTED) {
        m.dumping = true;
        m.dump_cck = m.cck;
        m.ncpu_data = m.npage = 0;
    }
}

/*
 * DUMP_CONF_STOR_STATE with handle @h of the block at @gaddr into @out:
 * the rc the model says, and the state of each page.
 */
static uint16_t stor_state(SeUv *uv, uint64_t h, uint64_t gaddr,
                           uint8_t *out)
{
    uint16_t rc, rrc, want = rc_dumping(h);
    SeDumpPage st;
    uint64_t a;
    unsigned i;

    if (want == UVC_RC_EXECUTED &&
        (gaddr % BLOCK || gaddr >= MEM_SIZE)) {
        want = RC_INV_PARAM;
    }
    rc = se_uv_dump_stor_state(uv, h, gaddr, out, &rrc);
    check(rc == want);
    if (rc != UVC_RC_EXECUTED) {
        check(untouched(out, SE_DUMP_STOR_STATE_LEN));
        return rc;
    }
    for (i = 0; i < BLOCK / PAGE; i++) {
        a = gaddr + i * PAGE;
        st = a >= MEM_SIZE ? SE_DUMP_PAGE_ZERO :
             m.shared[a / PAGE] ? SE_DUMP_PAGE_SHARED :
             SE_DUMP_PAGE_ENCRYPTED;
        check(se_dump_page_state(out + i * SE_DUMP_TWEAK_SIZE) == st);
    }
    return rc;
}

static void dump_cpu(SeUv *uv, FuzzSeq *s)
{
    uint64_t h = fuzz_pick(s);
    g_autofree uint8_t *out = out_buf(SE_DUMP_CPU_LEN);
    uint16_t rc, rrc, want;
    SeDumpCpuState st;

    fill_cpu(&st, fuzz_next(s), h);
    want = cpu_ok(h) && m.dumping ? UVC_RC_EXECUTED : UVC_RC_INV_STATE;
    rc = se_uv_dump_cpu(uv, h, &st, out, &rrc);
    check(rc == want);
    if (rc != UVC_RC_EXECUTED) {
        check(untouched(out, SE_DUMP_CPU_LEN));
    } else if (m.ncpu_data < MAX_KEPT) {
        m.st[m.ncpu_data] = st;
        memcpy(m.cpu_data[m.ncpu_data++], out, SE_DUMP_CPU_LEN);
    }
}

static void dump_export(SeUv *uv, FuzzSeq *s)
{
    uint64_t gaddr = pick_addr(s);
    uint8_t fill = fuzz_next(s);
    g_autofree uint8_t *in = g_malloc(PAGE);
    g_autofree uint8_t *out = out_buf(PAGE);
    g_autofree uint8_t *stor = NULL;
    uint16_t rc, rrc, want = UVC_RC_EXECUTED;
    Kept *k;

    fill_page(in, gaddr, fill);
    if (!m.dumping) {
        want = UVC_RC_INV_STATE;
    } else if (gaddr % PAGE || gaddr >= MEM_SIZE) {
        want = RC_INV_PARAM;
    }
    rc = se_uv_dump_export(uv, gaddr, in, out, &rrc);
    check(rc == want);
    if (rc != UVC_RC_EXECUTED) {
        check(untouched(out, PAGE));
        return;
    }
    if (m.shared[gaddr / PAGE]) {
        check(!memcmp(out, in, PAGE));
        return;
    }
    check(memcmp(out, in, PAGE));
    if (m.npage == MAX_KEPT) {
        return;
    }
    /* its tweak component, as the dump's storage state gives it */
    stor = out_buf(SE_DUMP_STOR_STATE_LEN);
    check(stor_state(uv, m.conf, gaddr - gaddr % BLOCK, stor) ==
          UVC_RC_EXECUTED);
    k = &m.page[m.npage++];
    k->gaddr = gaddr;
    k->fill = fill;
    memcpy(k->comp, stor + (gaddr % BLOCK) / PAGE * SE_DUMP_TWEAK_SIZE,
           SE_DUMP_TWEAK_SIZE);
    memcpy(k->data, out, PAGE);
}

/* DUMP_COMPLETE; the reader's side opens what the dump gave */
static void dump_complete(SeUv *uv, FuzzSeq *s)
{
    uint64_t h = fuzz_pick(s);
    g_autofree uint8_t *out = out_buf(SE_DUMP_COMPL_LEN);
    uint8_t plain[PAGE], want_page[PAGE], wrong[SE_DUMP_CCK_SIZE];
    SeDumpCpuState st;
    SeDumpKeys keys;
    uint16_t rc, rrc;
    unsigned i;

    rc = se_uv_dump_complete(uv, h, out, &rrc);
    check(rc == rc_dumping(h));
    if (rc != UVC_RC_EXECUTED) {
        check(untouched(out, SE_DUMP_COMPL_LEN));
        return;
    }
    m.dumping = false;
    memcpy(wrong, m.dump_cck == cck1 ? cck2 : cck1, sizeof(wrong));
    check(!se_dump_open_completion(out, SE_DUMP_COMPL_LEN, wrong, &keys,
                                   NULL));
    check(se_dump_open_completion(out, SE_DUMP_COMPL_LEN, m.dump_cck, &keys,
                                  NULL));
    for (i = 0; i < m.ncpu_data; i++) {
        check(se_dump_open_cpu(&keys, m.cpu_data[i], SE_DUMP_CPU_LEN, &st,
                               NULL));
        check(fuzz_cpu_eq(&st, &m.st[i]));
    }
    for (i = 0; i < m.npage; i++) {
        check(se_dump_read_page(&keys, m.page[i].comp, m.page[i].data,
                                plain));
        fill_page(want_page, m.page[i].gaddr, m.page[i].fill);
        check(!memcmp(plain, want_page, PAGE));
    }
    se_dump_keys_wipe(&keys);
}

/* SET/REMOVE_SHARED_ACCESS or ADD_SECRET from the secure guest */
static void guest_call(SeUv *uv, FuzzSeq *s, bool secret)
{
    uint8_t arg = fuzz_next(s), cb[SECRET_LEN] = { 0 };
    uint64_t gaddr = secret ? (arg & 1 ? ASRCB_CCK : ASRCB_NODUMP)
                            : pick_addr(s);
    uint16_t cmd, rc;
    bool ok;
    int cc;

    if (secret) {
        cmd = UVC_CMD_ADD_SECRET;
    } else {
        cmd = arg & 1 ? UVC_CMD_SET_SHARED_ACCESS
                      : UVC_CMD_REMOVE_SHARED_ACCESS;
    }
    cc_put_be16(cb, secret ? SECRET_LEN : SHARE_LEN);
    cc_put_be16(cb + 2, cmd);
    cc_put_be64(cb + CB_OFF_ADDR, gaddr);
    cc = se_uv_guest_call(uv, true, cb, sizeof(cb), &ops);
    rc = cc_get_be(cb + 4, 2);
    check((cc == UVC_CC_OK) == (rc == UVC_RC_EXECUTED));
    if (secret) {
        check(rc != SE_SECRET_RC_OK || m.verified);
        if (rc == SE_SECRET_RC_OK) {
            if (arg & 1) {
                m.cck = cck2;
            } else {
                m.nodump = true;
            }
        }
        return;
    }
    ok = m.verified && gaddr % PAGE == 0 && gaddr < MEM_SIZE;
    check(ok == (rc == UVC_RC_EXECUTED));
    if (ok) {
        set_shared(gaddr / PAGE, cmd == UVC_CMD_SET_SHARED_ACCESS);
    }
}

static void run_sequence(SeUv *uv, FuzzSeq *s)
{
    g_autofree uint8_t *stor = NULL;
    uint64_t h;
    uint16_t rc, rrc;
    uint8_t arg;
    unsigned i;
    bool ok;

    switch (fuzz_next(s) % 12) {
    case 0:
        dump_init(uv, s);
        break;
    case 1:
        h = fuzz_pick(s);
        stor = out_buf(SE_DUMP_STOR_STATE_LEN);
        stor_state(uv, h, pick_addr(s), stor);
        break;
    case 2:
        dump_cpu(uv, s);
        break;
    case 3:
        dump_export(uv, s);
        break;
    case 4:
        dump_complete(uv, s);
        break;
    case 5:
        h = fuzz_pick(s);
        rc = se_uv_destroy_conf(uv, h, &rrc);
        check((rc == UVC_RC_EXECUTED) == conf_ok(h));
        if (rc == UVC_RC_EXECUTED) {
            model_reset();
        }
        break;
    case 6:
        /* a new configuration, verified at once or left CREATED */
        arg = fuzz_next(s);
        rc = se_uv_create_conf(uv, &h, &rrc);
        check((rc == UVC_RC_EXECUTED) == !m.conf);
        if (rc == UVC_RC_EXECUTED) {
            m.conf = h;
            fuzz_remember(s, h);
            if (arg & 1) {
                fuzz_se_verify(uv, &img, h);
                m.verified = true;
            }
        }
        break;
    case 7:
        h = fuzz_pick(s);
        i = fuzz_next(s) % (MAX_CPUS + 1);
        ok = conf_ok(h) && i < MAX_CPUS && !m.cpu[i];
        rc = se_uv_create_cpu(uv, h, i, &h, &rrc);
        check((rc == UVC_RC_EXECUTED) == ok && (h != 0) == ok);
        if (ok) {
            m.cpu[i] = h;
            fuzz_remember(s, h);
        }
        break;
    case 8:
        h = fuzz_pick(s);
        rc = se_uv_destroy_cpu(uv, h, &rrc);
        check((rc == UVC_RC_EXECUTED) == cpu_ok(h));
        for (i = 0; rc == UVC_RC_EXECUTED && i < MAX_CPUS; i++) {
            if (m.cpu[i] == h) {
                m.cpu[i] = 0;
            }
        }
        break;
    case 9:
        guest_call(uv, s, false);
        break;
    case 10:
        guest_call(uv, s, true);
        break;
    default:
        h = fuzz_pick(s);
        rc = se_uv_unshare_all(uv, h, &rrc);
        check((rc == UVC_RC_EXECUTED) == (conf_ok(h) && m.verified));
        for (i = 0; rc == UVC_RC_EXECUTED && i < MEM_PAGES; i++) {
            set_shared(i, false);
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    FuzzSeq s = { .p = data, .n = size };
    SeUvConfState want;
    uint16_t rrc;
    SeUv *uv;

    if (!ready) {
        setup();
        ready = true;
    }
    model_reset();
    uv = se_uv_new(MEM_SIZE, MAX_CPUS, &img.key, NULL);
    check(se_uv_create_conf(uv, &m.conf, &rrc) == UVC_RC_EXECUTED);
    fuzz_se_verify(uv, &img, m.conf);
    m.verified = true;
    fuzz_remember(&s, m.conf);
    while (s.n) {
        run_sequence(uv, &s);
        want = !m.conf ? SE_UV_CONF_NONE :
               m.verified ? SE_UV_CONF_VERIFIED : SE_UV_CONF_CREATED;
        check(se_uv_conf_state(uv) == want);
        check(se_uv_dumping(uv) == m.dumping);
        check(se_uv_dump_allowed(uv, NULL) == (m.verified && !m.nodump));
        check(se_uv_shared_pages(uv) == m.nshared);
    }
    se_uv_free(uv);
    return 0;
}
