/*
 * The ultravisor's RTAS bounce area; see
 * include/hw/ppc/ultravisor/uv-pef-rtas.h.  Facts:
 * docs/devel/pef-ultravisor-facts.md sections 4 and 6; choices the
 * sources leave open are marked [U].
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"

#include <gnutls/crypto.h>
#include <libfdt.h>

#define PAGE_SIZE           UV_PEF_PAGE_SIZE

/* struct rtas_args is token, nargs, nret, args[16] */
#define RTAS_MAX_ARGS       16
#define RTAS_HDR_WORDS      3
#define RTAS_BUF_MAX        4096
#define START_COOKIES_MAX   4096

typedef enum RtasService {
    RTAS_OTHER,
    RTAS_CHECK_EXCEPTION,
    RTAS_EVENT_SCAN,
    RTAS_CONFIGURE_CONNECTOR,
    RTAS_GET_SYSPARM,
    RTAS_SET_SYSPARM,
    RTAS_OS_TERM,
    RTAS_NVRAM_FETCH,
    RTAS_NVRAM_STORE,
    RTAS_START_CPU,
    RTAS_STOP_SELF,
    RTAS__MAX
} RtasService;

/* The /rtas properties that name each service's token */
static const char *const rtas_names[RTAS__MAX] = {
    [RTAS_CHECK_EXCEPTION] = "check-exception",
    [RTAS_EVENT_SCAN] = "event-scan",
    [RTAS_CONFIGURE_CONNECTOR] = "ibm,configure-connector",
    [RTAS_GET_SYSPARM] = "ibm,get-system-parameter",
    [RTAS_SET_SYSPARM] = "ibm,set-system-parameter",
    [RTAS_OS_TERM] = "ibm,os-term",
    [RTAS_NVRAM_FETCH] = "nvram-fetch",
    [RTAS_NVRAM_STORE] = "nvram-store",
    [RTAS_START_CPU] = "start-cpu",
    [RTAS_STOP_SELF] = "stop-self",
};

/* What a start-cpu cookie stands for */
typedef struct StartCpu {
    uint64_t r3;            /* the new thread's real r3 */
    uint64_t entry;         /* where it starts (start_here) */
} StartCpu;

/* A guest buffer an RTAS argument points at, and its bounce slot */
typedef struct RtasBuf {
    int arg;                /* index into args[] */
    uint64_t gpa;           /* the guest's buffer */
    uint64_t slot;          /* its copy in the bounce area */
    uint32_t len;
} RtasBuf;

typedef struct RtasCall {
    bool active;
    uint64_t args_gpa;
    RtasService svc;
    uint32_t nargs, nret;
    RtasBuf buf;
} RtasCall;

struct UvPefRtas {
    uint64_t bounce;            /* gpa of the bounce area, 0 if none */
    uint32_t token[RTAS__MAX];
    bool have[RTAS__MAX];
    RtasCall call;
    GHashTable *start_cookies;  /* cookie -> StartCpu */
};

/* The bounce page for arguments, and the first buffer slot */
#define BOUNCE_ARGS(rt)     ((rt)->bounce)
#define BOUNCE_BUF(rt)      ((rt)->bounce + PAGE_SIZE)

UvPefRtas *uv_pef_rtas_new(void)
{
    UvPefRtas *rt = g_new0(UvPefRtas, 1);

    rt->start_cookies = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                              g_free, g_free);
    return rt;
}

void uv_pef_rtas_free(UvPefRtas *rt)
{
    if (rt) {
        g_hash_table_destroy(rt->start_cookies);
        g_free(rt);
    }
}

void uv_pef_rtas_reset(UvPefRtas *rt)
{
    rt->bounce = 0;
    memset(&rt->call, 0, sizeof(rt->call));
    memset(rt->have, 0, sizeof(rt->have));
    g_hash_table_remove_all(rt->start_cookies);
}

uint64_t uv_pef_rtas_bounce(const UvPefRtas *rt)
{
    return rt->bounce;
}

bool uv_pef_rtas_busy(const UvPefRtas *rt)
{
    return rt->call.active;
}

/* ---- Enter Secure Mode (section 4) ---------------------------------- */

static bool ranges_overlap64(uint64_t a, uint64_t alen, uint64_t b,
                             uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/*
 * Room for the bounce area below the RMO top, top down, clear of the
 * tree's reservations, the tree itself (and the reservation it gains),
 * RTAS, the initrd and the kernel (section 4, svm-fdt.c's search).  0 if
 * there is none.
 */
static uint64_t find_bounce(const void *fdt, uint64_t fdt_gpa,
                            uint64_t rmo_top, uint64_t kbase,
                            const UvEsmSession *s)
{
    uint64_t size = UV_PEF_RTAS_PAGES * PAGE_SIZE;
    uint64_t top = MIN(rmo_top, UV_PEF_RTAS_RMO_MAX) & ~(PAGE_SIZE - 1);
    uint64_t base;
    int i, n = fdt_num_mem_rsv(fdt);

    for (base = top - size; base >= PAGE_SIZE && base < top;
         base -= PAGE_SIZE) {
        bool clash =
            ranges_overlap64(base, size, fdt_gpa,
                             fdt_totalsize(fdt) + 16 * 2) ||
            ranges_overlap64(base, size, s->rtas_base, s->rtas_size) ||
            ranges_overlap64(base, size, s->initrd_start,
                             s->initrd_end - s->initrd_start) ||
            ranges_overlap64(base, size, kbase, s->digests.kernel_size);

        for (i = 0; !clash && i < n; i++) {
            uint64_t a, len;

            if (fdt_get_mem_rsv(fdt, i, &a, &len) == 0) {
                clash = ranges_overlap64(base, size, a, len);
            }
        }
        if (!clash) {
            return base;
        }
    }
    return 0;
}

void *uv_pef_rtas_setup(UvPefRtas *rt, const void *fdt, uint64_t fdt_gpa,
                        uint64_t rmo_top, uint64_t kbase,
                        const UvEsmSession *s, UvEsmStatus *st)
{
    g_autofree void *out = NULL;
    int node, i, size;

    uv_pef_rtas_reset(rt);
    node = fdt_path_offset(fdt, "/rtas");
    for (i = 0; node >= 0 && i < RTAS__MAX; i++) {
        const fdt32_t *p;
        int len;

        if (!rtas_names[i]) {
            continue;
        }
        p = fdt_getprop(fdt, node, rtas_names[i], &len);
        if (p && len == 4) {
            rt->token[i] = fdt32_to_cpu(*p);
            rt->have[i] = true;
        }
    }
    rt->bounce = find_bounce(fdt, fdt_gpa, rmo_top, kbase, s);
    if (!rt->bounce) {
        *st = UV_ESM_NO_ROOM;
        return NULL;
    }
    /* The reservation; the tree is packed as the ultravisor's fdt_pack */
    size = fdt_totalsize(fdt) + 64;
    out = g_malloc0(size);
    if (fdt_open_into(fdt, out, size) ||
        fdt_add_mem_rsv(out, rt->bounce, UV_PEF_RTAS_PAGES * PAGE_SIZE) ||
        fdt_pack(out)) {
        rt->bounce = 0;
        *st = UV_ESM_BAD_SVM_FDT;
        return NULL;
    }
    *st = UV_ESM_OK;
    return g_steal_pointer(&out);
}

/* ---- RTAS calls (section 6) ----------------------------------------- */

static bool rd32(const UvPefRtasMem *m, uint64_t gpa, uint32_t *v)
{
    uint32_t be;

    if (!m->read(m->opaque, gpa, &be, 4)) {
        return false;
    }
    *v = GUINT32_FROM_BE(be);
    return true;
}

static bool wr32(const UvPefRtasMem *m, uint64_t gpa, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);

    return m->write(m->opaque, gpa, &be, 4);
}

static void zero_page(const UvPefRtasMem *m, uint64_t gpa)
{
    static const uint8_t zero[4096];
    uint64_t off;

    for (off = 0; off < PAGE_SIZE; off += sizeof(zero)) {
        m->write(m->opaque, gpa + off, zero, sizeof(zero));
    }
}

static RtasService rtas_service(UvPefRtas *rt, uint32_t token)
{
    int i;

    for (i = 1; i < RTAS__MAX; i++) {
        if (rt->have[i] && rt->token[i] == token) {
            return i;
        }
    }
    return RTAS_OTHER;
}

/* Copy @len bytes between guest and bounce (either way) */
static bool copy_gpa(const UvPefRtasMem *m, uint64_t dst, uint64_t src,
                     uint64_t len)
{
    uint8_t buf[1024];
    uint64_t off;

    for (off = 0; off < len; off += sizeof(buf)) {
        uint64_t n = MIN(sizeof(buf), len - off);

        if (!m->read(m->opaque, src + off, buf, n) ||
            !m->write(m->opaque, dst + off, buf, n)) {
            return false;
        }
    }
    return true;
}

/*
 * The buffer argument of @svc: which args[] holds its address, and how
 * many bytes go in before the call (@in) and may come back (@max).
 * false: the service passes no buffer.
 */
static bool rtas_buffer(const UvPefRtasMem *m, RtasService svc,
                        const uint32_t *args, uint32_t nargs, int *arg,
                        uint32_t *in, uint32_t *max)
{
    uint32_t be16;

    *in = 0;
    switch (svc) {
    case RTAS_CHECK_EXCEPTION:
        if (nargs < 6) {
            return false;
        }
        *arg = 4;
        *max = args[5];
        return true;
    case RTAS_EVENT_SCAN:
        if (nargs < 4) {
            return false;
        }
        *arg = 2;
        *max = args[3];
        return true;
    case RTAS_CONFIGURE_CONNECTOR:
        if (nargs < 1) {
            return false;
        }
        *arg = 0;
        *in = *max = RTAS_BUF_MAX;
        return true;
    case RTAS_GET_SYSPARM:
    case RTAS_NVRAM_FETCH:
        if (nargs < 3) {
            return false;
        }
        *arg = 1;
        *max = args[2];
        return true;
    case RTAS_NVRAM_STORE:
        if (nargs < 3) {
            return false;
        }
        *arg = 1;
        *in = *max = args[2];
        return true;
    case RTAS_SET_SYSPARM:
        /* A 16-bit length, then that many bytes */
        if (nargs < 2 || !rd32(m, args[1], &be16)) {
            return false;
        }
        *arg = 1;
        *in = *max = 2 + (be16 >> 16);
        return true;
    case RTAS_OS_TERM:
        if (nargs < 1) {
            return false;
        }
        *arg = 0;
        *in = *max = RTAS_BUF_MAX;
        return true;
    default:
        return false;
    }
}

bool uv_pef_rtas_prepare(UvPefRtas *rt, const UvPefRtasMem *m,
                         uint64_t args_gpa, uint64_t *bounce_gpa)
{
    uint32_t hdr[RTAS_HDR_WORDS], args[RTAS_MAX_ARGS] = { 0 };
    RtasCall *rc = &rt->call;
    uint32_t i, in, max;
    int arg;

    memset(rc, 0, sizeof(*rc));
    if (!rt->bounce) {
        return false;
    }
    for (i = 0; i < RTAS_HDR_WORDS; i++) {
        if (!rd32(m, args_gpa + 4 * i, &hdr[i])) {
            return false;
        }
    }
    rc->nargs = hdr[1];
    rc->nret = hdr[2];
    /* [U] more than struct rtas_args holds: dropped (the UV copies on) */
    if (rc->nargs > RTAS_MAX_ARGS || rc->nret > RTAS_MAX_ARGS - rc->nargs) {
        return false;
    }
    for (i = 0; i < rc->nargs; i++) {
        if (!rd32(m, args_gpa + 4 * (RTAS_HDR_WORDS + i), &args[i])) {
            return false;
        }
    }
    rc->svc = rtas_service(rt, hdr[0]);
    if (rtas_buffer(m, rc->svc, args, rc->nargs, &arg, &in, &max)) {
        /* [U] longer than a slot: the UV asserts; we drop the call */
        if (max > RTAS_BUF_MAX || in > RTAS_BUF_MAX) {
            return false;
        }
        rc->buf.arg = arg;
        rc->buf.gpa = args[arg];
        rc->buf.slot = BOUNCE_BUF(rt);
        rc->buf.len = max;
        zero_page(m, rc->buf.slot);
        if (in && !copy_gpa(m, rc->buf.slot, rc->buf.gpa, in)) {
            /* ibm,os-term's string may end before a page that is not RAM */
            if (rc->svc != RTAS_OS_TERM) {
                return false;
            }
        }
        args[arg] = rc->buf.slot;
    }
    if (rc->svc == RTAS_START_CPU && rc->nargs >= 3) {
        uint64_t *cookie = g_new(uint64_t, 1);
        StartCpu *sc = g_new(StartCpu, 1);
        uint32_t c32;

        /*
         * Hide the new thread's r3 behind a 32-bit cookie, at least 0x2000
         * as the ultravisor's (it tells a start from a cookie of its own
         * frames at the thread's first UV_RETURN, svm-rtas.c)
         */
        do {
            gnutls_rnd(GNUTLS_RND_NONCE, &c32, sizeof(c32));
            *cookie = c32;
        } while (c32 < 0x2000 ||
                 g_hash_table_contains(rt->start_cookies, cookie));
        if (g_hash_table_size(rt->start_cookies) >= START_COOKIES_MAX) {
            g_hash_table_remove_all(rt->start_cookies);
        }
        sc->r3 = args[2];
        sc->entry = args[1];
        args[2] = c32;
        g_hash_table_insert(rt->start_cookies, cookie, sc);
    }

    /* The bounce copy of struct rtas_args, results zeroed */
    zero_page(m, BOUNCE_ARGS(rt));
    for (i = 0; i < RTAS_HDR_WORDS; i++) {
        wr32(m, BOUNCE_ARGS(rt) + 4 * i, hdr[i]);
    }
    for (i = 0; i < rc->nargs; i++) {
        wr32(m, BOUNCE_ARGS(rt) + 4 * (RTAS_HDR_WORDS + i), args[i]);
    }
    rc->args_gpa = args_gpa;
    /*
     * stop-self does not return: the thread waits in the host for a
     * start-cpu; there are no results to copy, and other calls go on.
     */
    rc->active = rc->svc != RTAS_STOP_SELF;
    *bounce_gpa = BOUNCE_ARGS(rt);
    return true;
}

void uv_pef_rtas_finish(UvPefRtas *rt, const UvPefRtasMem *m)
{
    RtasCall *rc = &rt->call;
    uint32_t i, v = 0, status = 0, len = 0;
    uint64_t rets = RTAS_HDR_WORDS + rc->nargs;
    bool copy = false;

    if (!rc->active) {
        return;
    }
    rc->active = false;
    for (i = 0; i < rc->nret; i++) {
        if (rd32(m, BOUNCE_ARGS(rt) + 4 * (rets + i), &v)) {
            wr32(m, rc->args_gpa + 4 * (rets + i), v);
        }
        if (i == 0) {
            status = v;
        }
    }
    if (!rc->buf.len || !rc->nret) {
        return;
    }
    len = rc->buf.len;
    switch (rc->svc) {
    case RTAS_CHECK_EXCEPTION:
    case RTAS_EVENT_SCAN:
        copy = status == 0;
        break;
    case RTAS_CONFIGURE_CONNECTOR:
        copy = (int32_t)status >= 0 || (int32_t)status == -2;
        break;
    case RTAS_GET_SYSPARM:
        /* The 16-bit length, then that many bytes */
        copy = status == 0 && rd32(m, rc->buf.slot, &v);
        len = MIN(len, 2 + (v >> 16));
        break;
    case RTAS_NVRAM_FETCH:
        /* rets[1] says how many bytes were read */
        copy = status == 0 && rc->nret >= 2 &&
               rd32(m, BOUNCE_ARGS(rt) + 4 * (rets + 1), &v);
        len = MIN(len, v);
        break;
    default:
        break;
    }
    if (copy) {
        copy_gpa(m, rc->buf.gpa, rc->buf.slot, len);
    }
}

void uv_pef_rtas_fail(const UvPefRtasMem *m, uint64_t args_gpa)
{
    uint32_t nargs, nret;

    if (rd32(m, args_gpa + 4, &nargs) && rd32(m, args_gpa + 8, &nret) &&
        nret && nargs < RTAS_MAX_ARGS) {
        wr32(m, args_gpa + 4 * (RTAS_HDR_WORDS + nargs), (uint32_t)-1);
    }
}

bool uv_pef_rtas_start(UvPefRtas *rt, uint64_t cookie, uint64_t *r3,
                       uint64_t *entry)
{
    StartCpu *sc = g_hash_table_lookup(rt->start_cookies, &cookie);

    if (!sc) {
        return false;
    }
    *r3 = sc->r3;
    *entry = sc->entry;
    g_hash_table_remove(rt->start_cookies, &cookie);
    return true;
}

uint64_t uv_pef_rtas_start_r3(UvPefRtas *rt, uint64_t r3)
{
    uint64_t entry;

    uv_pef_rtas_start(rt, r3, &r3, &entry);
    return r3;
}
