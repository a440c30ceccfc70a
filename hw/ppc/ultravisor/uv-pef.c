/*
 * The emulated POWER ultravisor, built-in mode: ultracall handlers,
 * secure-memory pool, partition table, secure partitions (SVMs) with
 * their memory slots and page states, page-out encryption and the
 * message log (see include/hw/ppc/ultravisor/uv-pef.h).
 *
 * Facts (opcodes, caller states, argument registers, return codes) come
 * from the project's PEF reference (shared/reference/
 * power-pef-ultravisor.md) and from reading open-power/ultravisor
 * (core/uvcall.c, core/svm_host.c, core/xscom.c, core/mem_region.c,
 * core/page_encrypt.c).  Every return code is named in the one table
 * below, with its source; [I] and [U] mark our own choices.
 *
 * Part of the qemu-ibm-cc pure core (GLib + nettle only).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/random.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>
#include "hw/ppc/ultravisor/uv-pef.h"

/* ---- return codes: the one place for every choice ---------------------- */

/*
 * [V] = what open-power/ultravisor does (file named); [I] = inferred or
 * filled in where that code is silent or would crash; [U] = our choice,
 * uncertain.  Parameter numbers follow the UV's usage: r4 = P1, r5 = P2,
 * r6 = P3, r7 = P4, r8 = P5 (PAGE_IN's hv_page in r5 gives U_P2).
 */
/*
 * RC_CALLER      caller not in the state the call needs [V]
 *                (uvcall.c syscall_ultracall)
 * RC_UNKNOWN     unknown opcode [V]
 * RC_NOT_YET     ESM, ESMB_GET_FILE, SEND_SBE_COMMAND for now [I]
 * RC_PATE_LPID   WRITE_PATE lpid >= UV_PEF_MAX_LPID [I] (the UV indexes
 *                its table unchecked)
 * RC_PATE_WRITE  WRITE_PATE, table not writable [I] (the UV's only
 *                WRITE_PATE failure code)
 * RC_SPR         RESTRICTED_SPR_* SPR not allowed [V]
 * RC_SPR_FAIL    the host refused the SPR access [I]
 * RC_SCOM_PARTID partid >> 28 != 0 [V] (xscom.c _xscom_read); a chip
 *                other than 0 without scom_*_chip ops [I]
 * RC_SCOM_FAIL   the XSCOM access failed [I] (xscom_handle_error's
 *                default, U_HARDWARE)
 * RC_NO_SVM      no SVM with that lpid [V] (handle_page_in/out/inval);
 *                for (UN)REGISTER_MEM_SLOT [I] (the UV dereferences NULL)
 * RC_SLOT        REGISTER_MEM_SLOT gpa unaligned, end overflows, slotid
 *                >= 512, overlap [V] (create_memslot); size 0, slotid
 *                already registered [I]
 * RC_SLOT_UNKNOWN UNREGISTER_MEM_SLOT of an unknown slotid [I]
 *                (free_memslot does not check)
 * RC_INOUT_SHIFT PAGE_IN/PAGE_OUT shift != 16 [V]
 * RC_INVAL_SHIFT PAGE_INVAL shift != 16 [V]
 * RC_HV_PAGE     hypervisor page 0 or secure [V] (svm_valid_hv_address);
 *                unaligned or not backed by memory [I]
 * RC_GPA         gpa in no slot [V] (svm_valid_address); unaligned [I]
 * RC_PAGE_IN_FLAGS PAGE_IN flags other than 0 / H_PAGE_IN_SHARED [U]
 *                (the UV ignores unknown flags)
 * RC_PAGE_IN_PRESENT PAGE_IN of a present page once the SVM is secure [V]
 * RC_PAGE_IN_AUTH PAGE_IN of a paged-out page whose GCM tag fails [I]
 *                (__handle_page_in returns U_P3 on a decrypt failure)
 * RC_NO_MEM      secure pool or per-SVM tracking full, no entropy [I]
 *                (U_RETRY = "no resources", uapi_uvcall.h)
 * RC_PAGE_OUT_STATE PAGE_OUT of a page not secure and present [V]
 * RC_PAGE_OUT_DST PAGE_OUT destination not writable [I]
 * RC_INVAL_STATE PAGE_INVAL of a page that is not shared [V]
 * RC_TERMINATE   SVM_TERMINATE of an unknown lpid [U] (the UV returns
 *                U_SUCCESS)
 * RC_SHARE_RANGE (UN)SHARE_PAGE range not inside the slots [V]; npages 0
 *                or above UV_PEF_MAX_SHARE_PAGES [I]
 * RC_SHARE_NO_SVM (UN)SHARE* from a partition that is no SVM [I]
 *                (ctx_new_context_svm finds no state: U_FUNCTION)
 * RC_MEM_ARG     READ/WRITE_MEM buffer or size 0 [V]
 * RC_MEM_WL      READ/WRITE_MEM resource not white-listed [V]; the list
 *                ("ibm,uvbwlist") is empty on this machine [I]
 * RC_RETURN      RETURN with no reflected call pending [U] (the UV
 *                asserts)
 * RC_SVM_LPID    uv_pef_svm_create lpid 0 or too big [I]
 * RC_SVM_EXISTS  uv_pef_svm_create of an existing SVM [V] (create_svm;
 *                the value is [U], see U_BUSY in the header)
 */
#define RC_CALLER               U_PERMISSION
#define RC_UNKNOWN              U_FUNCTION
#define RC_NOT_YET              U_FUNCTION
#define RC_PATE_LPID            U_PARAMETER
#define RC_PATE_WRITE           U_PERMISSION
#define RC_SPR                  U_PARAMETER
#define RC_SPR_FAIL             U_PARAMETER
#define RC_SCOM_PARTID          U_PARAMETER
#define RC_SCOM_FAIL            U_HARDWARE
#define RC_NO_SVM               U_PARAMETER
#define RC_SLOT                 U_PARAMETER
#define RC_SLOT_UNKNOWN         U_PARAMETER
#define RC_INOUT_SHIFT          U_P5
#define RC_INVAL_SHIFT          U_P3
#define RC_HV_PAGE              U_P2
#define RC_GPA                  U_P3
#define RC_PAGE_IN_FLAGS        U_P4
#define RC_PAGE_IN_PRESENT      U_P2
#define RC_PAGE_IN_AUTH         U_P3
#define RC_NO_MEM               U_RETRY
#define RC_PAGE_OUT_STATE       U_PARAMETER
#define RC_PAGE_OUT_DST         U_P2
#define RC_INVAL_STATE          U_P2
#define RC_TERMINATE            U_PARAMETER
#define RC_SHARE_RANGE          U_P2
#define RC_SHARE_NO_SVM         U_FUNCTION
#define RC_MEM_ARG              U_PARAMETER
#define RC_MEM_WL               U_PERMISSION
#define RC_RETURN               U_STATE
#define RC_SVM_LPID             U_PARAMETER
#define RC_SVM_EXISTS           U_BUSY

/* ---- state ------------------------------------------------------------- */

#define PAGE_SIZE               UV_PEF_PAGE_SIZE
#define GCM_IV_LEN              12
#define GCM_IV_FIXED            4
#define GCM_TAG_LEN             16
#define LOG_LINE_MAX            1024

typedef enum UvPefPageState {
    PG_SECURE = 1,      /* in a secure page of the pool */
    PG_PAGEDOUT,        /* encrypted in normal memory, iv/tag kept here */
    PG_SHARED,          /* shared with the hypervisor */
    PG_SHARED_INV,      /* shared, invalidated by the hypervisor */
} UvPefPageState;

/* A gpa with a state; gpas of a slot without one are "not present". */
typedef struct UvPefPage {
    uint64_t gfn;                   /* hash key */
    uint8_t state;
    uint32_t spage;                 /* pool index (PG_SECURE) */
    uint8_t iv[GCM_IV_LEN];         /* PG_PAGEDOUT */
    uint8_t tag[GCM_TAG_LEN];
} UvPefPage;

typedef struct UvPefSvm {
    uint64_t lpid;
    bool secure;                    /* ESM done (a later step) */
    GArray *slots;                  /* UvPefSlotInfo */
    GHashTable *pages;              /* &UvPefPage.gfn -> UvPefPage */
    uint64_t n_secure;
    uint64_t n_shared;
    bool have_key;
    uint8_t key[16];                /* AES-128, page-out encryption */
    uint8_t iv_fixed[GCM_IV_FIXED];
    uint64_t iv_counter;
} UvPefSvm;

typedef enum UvPefCallers {
    CALLER_HV,          /* S=0 HV=1 PR=0 */
    CALLER_NS_OS,       /* S=0 HV=0 PR=0, LPID != 0 */
    CALLER_SECURE_OS,   /* S=1 HV=0 PR=0 */
    CALLER_ANY,
} UvPefCallers;

struct UvPef {
    UvPefConfig cfg;
    char *version;
    UvPefHostOps ops;
    void *opaque;

    uint64_t patb_ra;
    uint64_t pool_ra;
    uint32_t pool_pages;
    uint32_t pool_used;
    uint32_t pool_hint;
    uint64_t *pool_map;             /* bit set = page in use */
    uint8_t *patb;                  /* shadow of the partition table */
    uint64_t n_pates;               /* its non-zero entries */
    uint32_t n_svms;

    UvPefSvm *svms[UV_PEF_MAX_LPID];
    uint64_t ucalls;

    bool log_ready;
    uint32_t log_pos;
    bool log_wrapped;

    uint8_t *buf_a;                 /* page-sized scratch buffers */
    uint8_t *buf_b;
    uint8_t *zero;                  /* a page of zeros */
};

GQuark uv_pef_error_quark(void)
{
    return g_quark_from_static_string("uv-pef-error-quark");
}

/* ---- small helpers ----------------------------------------------------- */

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = v;
        v >>= 8;
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Fill @buf from the kernel's CSPRNG. */
static bool get_entropy(void *buf, size_t len)
{
    uint8_t *p = buf;
    int fd;

    while (len) {
        ssize_t n = getrandom(p, len, 0);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        p += n;
        len -= n;
    }
    if (!len) {
        return true;
    }
    /* Old kernels without getrandom(2). */
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        p += n;
        len -= n;
    }
    close(fd);
    return len == 0;
}

bool uv_pef_is_secure(const UvPef *uv, uint64_t ra, uint64_t len)
{
    uint64_t last;

    if (!len) {
        return false;
    }
    last = (len - 1 > UINT64_MAX - ra) ? UINT64_MAX : ra + len - 1;
    return ra <= uv->cfg.secure_base + uv->cfg.secure_size - 1 &&
           last >= uv->cfg.secure_base;
}

uint64_t uv_pef_ptcr(const UvPef *uv)
{
    return uv->patb_ra | UV_PEF_PATS;
}

/* [ra, ra + len) is a non-empty range of normal (non-secure) memory. */
static bool normal_range(const UvPef *uv, uint64_t ra, uint64_t len)
{
    return len && ra <= UINT64_MAX - (len - 1) &&
           !uv_pef_is_secure(uv, ra, len);
}

/* A hypervisor page given to PAGE_IN / PAGE_OUT. */
static bool hv_page_ok(const UvPef *uv, uint64_t ra)
{
    return ra && !(ra & (PAGE_SIZE - 1)) && normal_range(uv, ra, PAGE_SIZE);
}

/* ---- secure page pool -------------------------------------------------- */

static uint64_t pool_page_ra(const UvPef *uv, uint32_t idx)
{
    return uv->pool_ra + (uint64_t)idx * PAGE_SIZE;
}

static bool pool_test(const UvPef *uv, uint32_t idx)
{
    return uv->pool_map[idx / 64] & (1ULL << (idx % 64));
}

/* A free pool page, marked used, or -1. */
static int64_t pool_alloc(UvPef *uv)
{
    uint32_t i, idx;

    if (uv->pool_used >= uv->pool_pages) {
        return -1;
    }
    for (i = 0; i < uv->pool_pages; i++) {
        idx = (uv->pool_hint + i) % uv->pool_pages;
        if (!pool_test(uv, idx)) {
            uv->pool_map[idx / 64] |= 1ULL << (idx % 64);
            uv->pool_used++;
            uv->pool_hint = (idx + 1) % uv->pool_pages;
            return idx;
        }
    }
    return -1;
}

/* Give a pool page back; @scrub zeroes it first (no data left behind). */
static void pool_free(UvPef *uv, uint32_t idx, bool scrub)
{
    if (idx >= uv->pool_pages || !pool_test(uv, idx)) {
        return;
    }
    if (scrub) {
        uv->ops.mem_write(uv->opaque, pool_page_ra(uv, idx), uv->zero,
                          PAGE_SIZE);
    }
    uv->pool_map[idx / 64] &= ~(1ULL << (idx % 64));
    uv->pool_used--;
}

/* ---- message log (memcons) --------------------------------------------- */

static uint32_t log_obuf_size(void)
{
    return UV_PEF_MEMCONS_SIZE - UV_PEF_MEMCONS_HDR_SIZE;
}

static void log_init(UvPef *uv)
{
    uint8_t hdr[UV_PEF_MEMCONS_HDR_SIZE];
    uint64_t ra = uv->cfg.memcons_ra;
    uint64_t obuf = ra + UV_PEF_MEMCONS_HDR_SIZE;

    memset(hdr, 0, sizeof(hdr));
    put_be64(hdr + 0, UV_PEF_MEMCONS_MAGIC);
    put_be64(hdr + 8, obuf);
    /* No input buffer: ibuf_phys just past the output, ibuf_size 0. */
    put_be64(hdr + 16, obuf + log_obuf_size());
    put_be32(hdr + 24, log_obuf_size());
    put_be32(hdr + 28, 0);
    put_be32(hdr + 32, 0);
    uv->ops.mem_write(uv->opaque, obuf, uv->zero, log_obuf_size());
    uv->ops.mem_write(uv->opaque, ra, hdr, sizeof(hdr));
    uv->log_pos = 0;
    uv->log_wrapped = false;
    uv->log_ready = true;
}

static void log_append(UvPef *uv, const char *s, size_t len)
{
    uint64_t obuf = uv->cfg.memcons_ra + UV_PEF_MEMCONS_HDR_SIZE;
    uint32_t size = log_obuf_size();
    uint8_t pos[4];

    while (len) {
        size_t n = MIN(len, (size_t)(size - uv->log_pos));

        uv->ops.mem_write(uv->opaque, obuf + uv->log_pos, s, n);
        s += n;
        len -= n;
        uv->log_pos += n;
        if (uv->log_pos >= size) {
            uv->log_pos = 0;
            uv->log_wrapped = true;
        }
    }
    put_be32(pos, uv->log_pos |
             (uv->log_wrapped ? UV_PEF_MEMCONS_OUT_POS_WRAP : 0));
    uv->ops.mem_write(uv->opaque, uv->cfg.memcons_ra + 32, pos, sizeof(pos));
}

void uv_pef_log(UvPef *uv, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;
    int n;

    if (!uv->log_ready) {
        return;
    }
    va_start(ap, fmt);
    n = g_vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    n = MIN(n, (int)sizeof(line) - 2);
    if (n == 0 || line[n - 1] != '\n') {
        line[n++] = '\n';
    }
    log_append(uv, line, n);
}

/* ---- partition table --------------------------------------------------- */

static bool pate_store(UvPef *uv, uint64_t lpid, uint64_t dw0, uint64_t dw1)
{
    uint8_t e[UV_PEF_PATE_SIZE];

    put_be64(e, dw0);
    put_be64(e + 8, dw1);
    if (!uv->ops.mem_write(uv->opaque, uv->patb_ra + lpid * sizeof(e), e,
                           sizeof(e))) {
        return false;
    }
    if (get_be64(uv->patb + lpid * sizeof(e)) ||
        get_be64(uv->patb + lpid * sizeof(e) + 8)) {
        uv->n_pates--;
    }
    if (dw0 || dw1) {
        uv->n_pates++;
    }
    memcpy(uv->patb + lpid * sizeof(e), e, sizeof(e));
    if (uv->ops.pate_changed) {
        uv->ops.pate_changed(uv->opaque, lpid);
    }
    return true;
}

/* ---- SVMs -------------------------------------------------------------- */

static UvPefSvm *get_svm(UvPef *uv, uint64_t lpid)
{
    return lpid < UV_PEF_MAX_LPID ? uv->svms[lpid] : NULL;
}

/* Drop a page's state: free its secure page, count it out. */
static void page_release(UvPef *uv, UvPefSvm *svm, UvPefPage *pg)
{
    if (pg->state == PG_SECURE) {
        pool_free(uv, pg->spage, true);
        svm->n_secure--;
    } else if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
        svm->n_shared--;
    }
    pg->state = 0;
}

static UvPefPage *page_get(UvPefSvm *svm, uint64_t gfn)
{
    return g_hash_table_lookup(svm->pages, &gfn);
}

/* A new (stateless) entry for @gfn, or NULL if the SVM tracks too many. */
static UvPefPage *page_new(UvPefSvm *svm, uint64_t gfn)
{
    UvPefPage *pg;

    if (g_hash_table_size(svm->pages) >= UV_PEF_MAX_PAGE_ENTRIES) {
        return NULL;
    }
    pg = g_new0(UvPefPage, 1);
    pg->gfn = gfn;
    g_hash_table_insert(svm->pages, &pg->gfn, pg);
    return pg;
}

static void page_remove(UvPef *uv, UvPefSvm *svm, UvPefPage *pg)
{
    page_release(uv, svm, pg);
    g_hash_table_remove(svm->pages, &pg->gfn);
}

static void page_set_shared(UvPefSvm *svm, UvPefPage *pg, uint8_t state)
{
    if (pg->state != PG_SHARED && pg->state != PG_SHARED_INV) {
        svm->n_shared++;
    }
    pg->state = state;
}

static void svm_free_all(UvPef *uv, UvPefSvm *svm)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        page_release(uv, svm, v);
    }
    g_hash_table_destroy(svm->pages);
    g_array_free(svm->slots, true);
    memset(svm->key, 0, sizeof(svm->key));
    g_free(svm);
}

int64_t uv_pef_svm_create(UvPef *uv, uint64_t lpid)
{
    UvPefSvm *svm;

    if (lpid == 0 || lpid >= UV_PEF_MAX_LPID) {
        return RC_SVM_LPID;
    }
    if (uv->svms[lpid]) {
        return RC_SVM_EXISTS;
    }
    svm = g_new0(UvPefSvm, 1);
    svm->lpid = lpid;
    svm->slots = g_array_new(false, true, sizeof(UvPefSlotInfo));
    svm->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                       g_free);
    uv->svms[lpid] = svm;
    uv->n_svms++;
    uv_pef_log(uv, "UV: svm created, lpid 0x%" PRIx64, lpid);
    return U_SUCCESS;
}

static void svm_destroy(UvPef *uv, uint64_t lpid)
{
    svm_free_all(uv, uv->svms[lpid]);
    uv->svms[lpid] = NULL;
    uv->n_svms--;
}

/* The slot that holds @gfn, or NULL. */
static UvPefSlotInfo *slot_of(UvPefSvm *svm, uint64_t gfn)
{
    uint64_t gpa = gfn << UV_PEF_PAGE_SHIFT;
    guint i;

    if (gfn > (UINT64_MAX >> UV_PEF_PAGE_SHIFT)) {
        return NULL;
    }
    for (i = 0; i < svm->slots->len; i++) {
        UvPefSlotInfo *s = &g_array_index(svm->slots, UvPefSlotInfo, i);

        if (gpa >= s->gpa && gpa - s->gpa < s->size) {
            return s;
        }
    }
    return NULL;
}

/* A page-aligned gpa inside a slot. */
static bool gpa_ok(UvPefSvm *svm, uint64_t gpa)
{
    return !(gpa & (PAGE_SIZE - 1)) &&
           slot_of(svm, gpa >> UV_PEF_PAGE_SHIFT) != NULL;
}

/* ---- page encryption --------------------------------------------------- */

static void page_aad(uint8_t aad[16], uint64_t lpid, uint64_t gfn)
{
    /* Binds a paged-out page to its SVM and gpa (our addition). */
    put_be64(aad, lpid);
    put_be64(aad + 8, gfn);
}

static bool svm_next_iv(UvPefSvm *svm, uint8_t iv[GCM_IV_LEN])
{
    if (!svm->have_key) {
        if (!get_entropy(svm->key, sizeof(svm->key)) ||
            !get_entropy(svm->iv_fixed, sizeof(svm->iv_fixed))) {
            return false;
        }
        svm->iv_counter = 0;
        svm->have_key = true;
    }
    memcpy(iv, svm->iv_fixed, GCM_IV_FIXED);
    put_be64(iv + GCM_IV_FIXED, svm->iv_counter);
    if (svm->iv_counter == UINT64_MAX) {
        /* New fixed part, so no (key, IV) pair repeats. */
        if (!get_entropy(svm->iv_fixed, sizeof(svm->iv_fixed))) {
            return false;
        }
        svm->iv_counter = 0;
    } else {
        svm->iv_counter++;
    }
    return true;
}

static void page_encrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                         uint8_t *out)
{
    struct gcm_aes128_ctx ctx;
    uint8_t aad[16];

    page_aad(aad, svm->lpid, pg->gfn);
    gcm_aes128_set_key(&ctx, svm->key);
    gcm_aes128_set_iv(&ctx, GCM_IV_LEN, pg->iv);
    gcm_aes128_update(&ctx, sizeof(aad), aad);
    gcm_aes128_encrypt(&ctx, PAGE_SIZE, out, in);
    gcm_aes128_digest(&ctx, GCM_TAG_LEN, pg->tag);
    memset(&ctx, 0, sizeof(ctx));
}

static bool page_decrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                         uint8_t *out)
{
    struct gcm_aes128_ctx ctx;
    uint8_t aad[16], tag[GCM_TAG_LEN];
    bool ok;

    page_aad(aad, svm->lpid, pg->gfn);
    gcm_aes128_set_key(&ctx, svm->key);
    gcm_aes128_set_iv(&ctx, GCM_IV_LEN, pg->iv);
    gcm_aes128_update(&ctx, sizeof(aad), aad);
    gcm_aes128_decrypt(&ctx, PAGE_SIZE, out, in);
    gcm_aes128_digest(&ctx, GCM_TAG_LEN, tag);
    memset(&ctx, 0, sizeof(ctx));
    ok = memeql_sec(tag, pg->tag, GCM_TAG_LEN);
    if (!ok) {
        memset(out, 0, PAGE_SIZE);
    }
    return ok;
}

/* ---- ucall handlers ---------------------------------------------------- */

/* regs[0..9] = r3..r12; regs[1] = r4 etc. */
typedef int64_t (*UvPefHandler)(UvPef *uv, const UvPefCaller *c,
                                uint64_t *regs);

static int64_t uc_write_pate(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint64_t lpid = r[1], dw0 = r[2], dw1 = r[3];

    if (lpid >= UV_PEF_MAX_LPID) {
        return RC_PATE_LPID;
    }
    if (uv->svms[lpid]) {
        /* Only the UV sets an SVM's dw0 (its partition-scoped table). */
        dw0 = get_be64(uv->patb + lpid * UV_PEF_PATE_SIZE);
    }
    return pate_store(uv, lpid, dw0, dw1) ? U_SUCCESS : RC_PATE_WRITE;
}

static bool spr_allowed(uint64_t sprn, bool write)
{
    switch (sprn) {
    case UV_PEF_SPR_DAWR0:
    case UV_PEF_SPR_DAWRX0:
    case UV_PEF_SPR_CIABR:
        return true;
    case UV_PEF_SPR_LDBAR:
    case UV_PEF_SPR_IMC:
        return write;
    default:
        return false;
    }
}

static int64_t uc_spr_write(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    if (!spr_allowed(r[1], true)) {
        return RC_SPR;
    }
    if (!uv->ops.spr_write || !uv->ops.spr_write(uv->opaque, r[1], r[2])) {
        return RC_SPR_FAIL;
    }
    return U_SUCCESS;
}

/* The value comes back in r5, as the UV's uv_restricted_spr_read does. */
static int64_t uc_spr_read(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint64_t val;

    if (!spr_allowed(r[1], false)) {
        return RC_SPR;
    }
    if (!uv->ops.spr_read || !uv->ops.spr_read(uv->opaque, r[1], &val)) {
        return RC_SPR_FAIL;
    }
    r[2] = val;
    return U_SUCCESS;
}

/*
 * partid (r4): bits 28-31 = 0 for a processor chip, the rest its chip id
 * (the UV's _xscom_read / _xscom_write).
 */
static int64_t scom_chip(const UvPef *uv, uint64_t partid, uint32_t *chip)
{
    if (partid > UINT32_MAX || (partid >> 28) != 0) {
        return RC_SCOM_PARTID;
    }
    if (!uv->ops.scom_read_chip && partid != 0) {
        return RC_SCOM_PARTID;
    }
    *chip = partid;
    return U_SUCCESS;
}

/* READ_SCOM(partid, addr) -> r4 = value */
static int64_t uc_read_scom(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint32_t chip;
    uint64_t val = 0;
    int64_t rc = scom_chip(uv, r[1], &chip);
    bool ok;

    if (rc) {
        return rc;
    }
    if (uv->ops.scom_read_chip) {
        ok = uv->ops.scom_read_chip(uv->opaque, chip, r[2], &val);
    } else {
        ok = uv->ops.scom_read && uv->ops.scom_read(uv->opaque, r[2], &val);
    }
    if (!ok) {
        return RC_SCOM_FAIL;
    }
    r[1] = val;
    return U_SUCCESS;
}

/* WRITE_SCOM(partid, addr, value) */
static int64_t uc_write_scom(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint32_t chip;
    int64_t rc = scom_chip(uv, r[1], &chip);
    bool ok;

    if (rc) {
        return rc;
    }
    if (uv->ops.scom_write_chip) {
        ok = uv->ops.scom_write_chip(uv->opaque, chip, r[2], r[3]);
    } else {
        ok = uv->ops.scom_write && uv->ops.scom_write(uv->opaque, r[2], r[3]);
    }
    return ok ? U_SUCCESS : RC_SCOM_FAIL;
}

static int64_t uc_return(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    /* No hcall is ever reflected yet (that comes with the SVM glue). */
    return RC_RETURN;
}

/* REGISTER_MEM_SLOT(lpid, gpa, size, flags, slotid) */
static int64_t uc_reg_slot(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm = get_svm(uv, r[1]);
    uint64_t gpa = r[2], size = r[3], flags = r[4], id = r[5];
    UvPefSlotInfo ns;
    guint i;

    if (!svm) {
        return RC_NO_SVM;
    }
    if ((gpa & (PAGE_SIZE - 1)) || size == 0 ||
        size > UINT64_MAX - (PAGE_SIZE - 1) ||
        id >= UV_PEF_MAX_MEM_SLOTS) {
        return RC_SLOT;
    }
    /* Whole pages, as the UV counts them (SVM_BYTES_TO_PAGES). */
    size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (gpa > UINT64_MAX - size + 1) {
        return RC_SLOT;
    }
    for (i = 0; i < svm->slots->len; i++) {
        UvPefSlotInfo *s = &g_array_index(svm->slots, UvPefSlotInfo, i);

        if (s->slotid == id) {
            return RC_SLOT;
        }
        /* [gpa, gpa + size) and [s->gpa, s->gpa + s->size) overlap? */
        if (gpa - s->gpa < s->size || s->gpa - gpa < size) {
            return RC_SLOT;
        }
    }
    ns.slotid = id;
    ns.gpa = gpa;
    ns.size = size;
    ns.flags = flags;
    g_array_append_val(svm->slots, ns);
    return U_SUCCESS;
}

/* UNREGISTER_MEM_SLOT(lpid, slotid): its pages go too. */
static int64_t uc_unreg_slot(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm = get_svm(uv, r[1]);
    GHashTableIter it;
    UvPefSlotInfo s;
    gpointer v;
    guint i;

    if (!svm) {
        return RC_NO_SVM;
    }
    for (i = 0; i < svm->slots->len; i++) {
        s = g_array_index(svm->slots, UvPefSlotInfo, i);
        if (s.slotid == r[2]) {
            break;
        }
    }
    if (i == svm->slots->len) {
        return RC_SLOT_UNKNOWN;
    }
    g_array_remove_index(svm->slots, i);
    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        UvPefPage *pg = v;
        uint64_t gpa = pg->gfn << UV_PEF_PAGE_SHIFT;

        if (gpa >= s.gpa && gpa - s.gpa < s.size) {
            page_release(uv, svm, pg);
            g_hash_table_iter_remove(&it);
        }
    }
    return U_SUCCESS;
}

/* Copy or decrypt the page at @src into a new secure page for @pg. */
static int64_t page_in_copy(UvPef *uv, UvPefSvm *svm, UvPefPage *pg,
                            uint64_t src)
{
    int64_t idx;
    int64_t rc = U_SUCCESS;
    const uint8_t *plain = uv->buf_a;

    if (!uv->ops.mem_read(uv->opaque, src, uv->buf_a, PAGE_SIZE)) {
        return RC_HV_PAGE;
    }
    if (pg->state == PG_PAGEDOUT) {
        if (!page_decrypt(svm, pg, uv->buf_a, uv->buf_b)) {
            uv_pef_log(uv, "UV: lpid 0x%" PRIx64 ": paged-out page at gpa "
                       "0x%" PRIx64 " fails authentication", svm->lpid,
                       pg->gfn << UV_PEF_PAGE_SHIFT);
            return RC_PAGE_IN_AUTH;
        }
        plain = uv->buf_b;
    }
    if (pg->state == PG_SECURE) {
        idx = pg->spage;
    } else {
        idx = pool_alloc(uv);
        if (idx < 0) {
            uv_pef_log(uv, "UV: secure memory full (lpid 0x%" PRIx64 ")",
                       svm->lpid);
            rc = RC_NO_MEM;
            goto out;
        }
    }
    if (!uv->ops.mem_write(uv->opaque, pool_page_ra(uv, idx), plain,
                           PAGE_SIZE)) {
        if (pg->state != PG_SECURE) {
            pool_free(uv, idx, false);
        }
        rc = RC_NO_MEM;
        goto out;
    }
    if (pg->state != PG_SECURE) {
        pg->spage = idx;
        pg->state = PG_SECURE;
        svm->n_secure++;
    }
    memset(pg->iv, 0, sizeof(pg->iv));
    memset(pg->tag, 0, sizeof(pg->tag));
out:
    memset(uv->buf_b, 0, PAGE_SIZE);
    return rc;
}

/* PAGE_IN(lpid, src_ra, gpa, flags, shift) */
static int64_t uc_page_in(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint64_t src = r[2], gpa = r[3], flags = r[4];
    uint64_t gfn = gpa >> UV_PEF_PAGE_SHIFT;
    UvPefSvm *svm;
    UvPefPage *pg;
    bool fresh = false;
    int64_t rc;

    if (r[5] != UV_PEF_PAGE_SHIFT) {
        return RC_INOUT_SHIFT;
    }
    if (!hv_page_ok(uv, src)) {
        return RC_HV_PAGE;
    }
    svm = get_svm(uv, r[1]);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (!gpa_ok(svm, gpa)) {
        return RC_GPA;
    }
    if (flags & ~(uint64_t)UV_PEF_PAGE_IN_SHARED) {
        return RC_PAGE_IN_FLAGS;
    }
    pg = page_get(svm, gfn);
    if (!pg) {
        pg = page_new(svm, gfn);
        if (!pg) {
            return RC_NO_MEM;
        }
        fresh = true;
    }

    if (flags & UV_PEF_PAGE_IN_SHARED) {
        /* The hypervisor's page backs the gpa: nothing secure is left. */
        if (pg->state == PG_SECURE || pg->state == PG_PAGEDOUT) {
            page_release(uv, svm, pg);
        }
        page_set_shared(svm, pg, PG_SHARED);
        return U_SUCCESS;
    }

    switch (pg->state) {
    case PG_SHARED:
    case PG_SHARED_INV:
        /* A shared page is (re)validated, as the UV does. */
        pg->state = PG_SHARED;
        return U_SUCCESS;
    case PG_SECURE:
        if (svm->secure) {
            return RC_PAGE_IN_PRESENT;
        }
        break;
    default:
        break;
    }
    rc = page_in_copy(uv, svm, pg, src);
    if (rc != U_SUCCESS && fresh) {
        g_hash_table_remove(svm->pages, &gfn);
    }
    return rc;
}

/* PAGE_OUT(lpid, dst_ra, gpa, flags, shift): flags unused, as in the UV */
static int64_t uc_page_out(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint64_t dst = r[2], gpa = r[3];
    UvPefSvm *svm;
    UvPefPage *pg;
    uint8_t iv[GCM_IV_LEN];
    int64_t rc = U_SUCCESS;

    if (r[5] != UV_PEF_PAGE_SHIFT) {
        return RC_INOUT_SHIFT;
    }
    if (!hv_page_ok(uv, dst)) {
        return RC_HV_PAGE;
    }
    svm = get_svm(uv, r[1]);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (!gpa_ok(svm, gpa)) {
        return RC_GPA;
    }
    pg = page_get(svm, gpa >> UV_PEF_PAGE_SHIFT);
    if (!pg || pg->state != PG_SECURE) {
        return RC_PAGE_OUT_STATE;
    }
    if (!uv->ops.mem_read(uv->opaque, pool_page_ra(uv, pg->spage),
                          uv->buf_a, PAGE_SIZE)) {
        return RC_PAGE_OUT_STATE;
    }
    if (!svm_next_iv(svm, iv)) {
        rc = RC_NO_MEM;
        goto out;
    }
    {
        UvPefPage tmp = *pg;

        memcpy(tmp.iv, iv, sizeof(iv));
        page_encrypt(svm, &tmp, uv->buf_a, uv->buf_b);
        if (!uv->ops.mem_write(uv->opaque, dst, uv->buf_b, PAGE_SIZE)) {
            rc = RC_PAGE_OUT_DST;
            goto out;
        }
        page_release(uv, svm, pg);
        memcpy(pg->iv, tmp.iv, sizeof(pg->iv));
        memcpy(pg->tag, tmp.tag, sizeof(pg->tag));
        pg->state = PG_PAGEDOUT;
    }
out:
    memset(uv->buf_a, 0, PAGE_SIZE);
    return rc;
}

/* PAGE_INVAL(lpid, gpa, shift) */
static int64_t uc_page_inval(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm;
    UvPefPage *pg;

    if (r[3] != UV_PEF_PAGE_SHIFT) {
        return RC_INVAL_SHIFT;
    }
    svm = get_svm(uv, r[1]);
    if (!svm) {
        return RC_NO_SVM;
    }
    if (!gpa_ok(svm, r[2])) {
        return RC_GPA;
    }
    pg = page_get(svm, r[2] >> UV_PEF_PAGE_SHIFT);
    if (!pg || (pg->state != PG_SHARED && pg->state != PG_SHARED_INV)) {
        return RC_INVAL_STATE;
    }
    pg->state = PG_SHARED_INV;
    return U_SUCCESS;
}

/* SVM_TERMINATE(lpid) */
static int64_t uc_terminate(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    uint64_t lpid = r[1];

    if (!get_svm(uv, lpid)) {
        return RC_TERMINATE;
    }
    svm_destroy(uv, lpid);
    pate_store(uv, lpid, 0, 0);
    uv_pef_log(uv, "UV: svm terminated, lpid 0x%" PRIx64, lpid);
    return U_SUCCESS;
}

/* (UN)SHARE_PAGE(gfn, npages): checks common to both. */
static int64_t share_check(UvPef *uv, const UvPefCaller *c, uint64_t *r,
                           UvPefSvm **svmp)
{
    uint64_t gfn = r[1], n = r[2], i;
    UvPefSvm *svm = get_svm(uv, c->lpid);

    if (!svm) {
        return RC_SHARE_NO_SVM;
    }
    if (n == 0 || n > UV_PEF_MAX_SHARE_PAGES ||
        gfn > (UINT64_MAX >> UV_PEF_PAGE_SHIFT) - n) {
        return RC_SHARE_RANGE;
    }
    for (i = 0; i < n; i++) {
        if (!slot_of(svm, gfn + i)) {
            return RC_SHARE_RANGE;
        }
    }
    *svmp = svm;
    return U_SUCCESS;
}

static int64_t uc_share(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm;
    uint64_t i, need = 0;
    int64_t rc = share_check(uv, c, r, &svm);

    if (rc) {
        return rc;
    }
    for (i = 0; i < r[2]; i++) {
        need += page_get(svm, r[1] + i) == NULL;
    }
    if (g_hash_table_size(svm->pages) + need > UV_PEF_MAX_PAGE_ENTRIES) {
        return RC_NO_MEM;
    }
    for (i = 0; i < r[2]; i++) {
        UvPefPage *pg = page_get(svm, r[1] + i);

        if (!pg) {
            pg = page_new(svm, r[1] + i);
        }
        if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
            continue;
        }
        /* The secure contents are destroyed: the page reads as zeroes. */
        page_release(uv, svm, pg);
        page_set_shared(svm, pg, PG_SHARED);
    }
    return U_SUCCESS;
}

static int64_t uc_unshare(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm;
    uint64_t i;
    int64_t rc = share_check(uv, c, r, &svm);

    if (rc) {
        return rc;
    }
    for (i = 0; i < r[2]; i++) {
        UvPefPage *pg = page_get(svm, r[1] + i);

        /* Secure pages stay as they are; shared ones come back empty. */
        if (pg && (pg->state == PG_SHARED || pg->state == PG_SHARED_INV)) {
            page_remove(uv, svm, pg);
        }
    }
    return U_SUCCESS;
}

static int64_t uc_unshare_all(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    UvPefSvm *svm = get_svm(uv, c->lpid);
    GHashTableIter it;
    gpointer v;

    if (!svm) {
        return RC_SHARE_NO_SVM;
    }
    g_hash_table_iter_init(&it, svm->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        UvPefPage *pg = v;

        if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
            page_release(uv, svm, pg);
            g_hash_table_iter_remove(&it);
        }
    }
    return U_SUCCESS;
}

/*
 * READ_MEM / WRITE_MEM(buffer_ra, rhandle, offset, size): access to a
 * firmware resource on the UV's white list ("ibm,uvbwlist").  This
 * machine has none, so a well-formed request is refused.
 */
static int64_t uc_mem(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    if (r[1] == 0 || (uint32_t)r[4] == 0) {
        return RC_MEM_ARG;
    }
    return RC_MEM_WL;
}

/* ESM, ESMB_GET_FILE, SEND_SBE_COMMAND: Enter Secure Mode comes later. */
static int64_t uc_not_yet(UvPef *uv, const UvPefCaller *c, uint64_t *r)
{
    return RC_NOT_YET;
}

typedef struct UvPefUcall {
    uint64_t opcode;
    const char *name;
    UvPefCallers callers;   /* reference, "Allowed callers" */
    UvPefHandler fn;
} UvPefUcall;

static const UvPefUcall uv_pef_ucalls[] = {
    { UV_WRITE_PATE, "UV_WRITE_PATE", CALLER_HV, uc_write_pate },
    { UV_RESTRICTED_SPR_WRITE, "UV_RESTRICTED_SPR_WRITE", CALLER_HV,
      uc_spr_write },
    { UV_RESTRICTED_SPR_READ, "UV_RESTRICTED_SPR_READ", CALLER_HV,
      uc_spr_read },
    { UV_ESM, "UV_ESM", CALLER_NS_OS, uc_not_yet },
    { UV_READ_SCOM, "UV_READ_SCOM", CALLER_HV, uc_read_scom },
    { UV_WRITE_SCOM, "UV_WRITE_SCOM", CALLER_HV, uc_write_scom },
    { UV_RETURN, "UV_RETURN", CALLER_HV, uc_return },
    { UV_REGISTER_MEM_SLOT, "UV_REGISTER_MEM_SLOT", CALLER_HV, uc_reg_slot },
    { UV_UNREGISTER_MEM_SLOT, "UV_UNREGISTER_MEM_SLOT", CALLER_HV,
      uc_unreg_slot },
    { UV_PAGE_IN, "UV_PAGE_IN", CALLER_HV, uc_page_in },
    { UV_PAGE_OUT, "UV_PAGE_OUT", CALLER_HV, uc_page_out },
    { UV_SHARE_PAGE, "UV_SHARE_PAGE", CALLER_SECURE_OS, uc_share },
    { UV_UNSHARE_PAGE, "UV_UNSHARE_PAGE", CALLER_SECURE_OS, uc_unshare },
    { UV_PAGE_INVAL, "UV_PAGE_INVAL", CALLER_HV, uc_page_inval },
    { UV_SVM_TERMINATE, "UV_SVM_TERMINATE", CALLER_HV, uc_terminate },
    { UV_UNSHARE_ALL_PAGES, "UV_UNSHARE_ALL_PAGES", CALLER_SECURE_OS,
      uc_unshare_all },
    { UV_READ_MEM, "UV_READ_MEM", CALLER_HV, uc_mem },
    { UV_WRITE_MEM, "UV_WRITE_MEM", CALLER_HV, uc_mem },
    { UV_ESMB_GET_FILE, "UV_ESMB_GET_FILE", CALLER_ANY, uc_not_yet },
    { UV_SEND_SBE_COMMAND, "UV_SEND_SBE_COMMAND", CALLER_HV, uc_not_yet },
};

static const UvPefUcall *ucall_find(uint64_t opcode)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(uv_pef_ucalls); i++) {
        if (uv_pef_ucalls[i].opcode == opcode) {
            return &uv_pef_ucalls[i];
        }
    }
    return NULL;
}

const char *uv_pef_ucall_name(uint64_t opcode)
{
    const UvPefUcall *u = ucall_find(opcode);

    return u ? u->name : NULL;
}

static bool caller_ok(UvPefCallers k, const UvPefCaller *c)
{
    switch (k) {
    case CALLER_HV:
        return !c->s && c->hv && !c->pr;
    case CALLER_NS_OS:
        return !c->s && !c->hv && !c->pr && c->lpid != 0;
    case CALLER_SECURE_OS:
        return c->s && !c->hv && !c->pr;
    case CALLER_ANY:
        return true;
    }
    return false;
}

int64_t uv_pef_ucall(UvPef *uv, const UvPefCaller *caller, uint64_t regs[10])
{
    const UvPefUcall *u = ucall_find(regs[0]);
    int64_t rc;

    uv->ucalls++;
    if (!u) {
        rc = RC_UNKNOWN;
    } else if (!caller_ok(u->callers, caller)) {
        rc = RC_CALLER;
    } else {
        rc = u->fn(uv, caller, regs);
    }
    regs[0] = rc;
    return rc;
}

/* ---- life cycle -------------------------------------------------------- */

UvPef *uv_pef_new(const UvPefConfig *cfg, const UvPefHostOps *ops,
                  void *opaque, GError **errp)
{
    UvPef *uv;
    uint64_t pages;

    if (!cfg || !ops || !ops->mem_read || !ops->mem_write) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: configuration or memory access missing");
        return NULL;
    }
    if ((cfg->secure_base & (PAGE_SIZE - 1)) ||
        (cfg->secure_size & (PAGE_SIZE - 1)) ||
        cfg->secure_size < UV_PEF_SECURE_MIN ||
        cfg->secure_size > UV_PEF_SECURE_MAX ||
        cfg->secure_base > UINT64_MAX - cfg->secure_size + 1) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: bad secure memory 0x%" PRIx64
                    " size 0x%" PRIx64 " (64 KiB aligned, 1 MiB to 1 TiB)",
                    cfg->secure_base, cfg->secure_size);
        return NULL;
    }
    uv = g_new0(UvPef, 1);
    uv->cfg = *cfg;
    if (cfg->memcons_ra > UINT64_MAX - UV_PEF_MEMCONS_SIZE + 1 ||
        uv_pef_is_secure(uv, cfg->memcons_ra, UV_PEF_MEMCONS_SIZE)) {
        g_set_error(errp, UV_PEF_ERROR, 0,
                    "ultravisor: message log at 0x%" PRIx64
                    " is not in normal memory", cfg->memcons_ra);
        g_free(uv);
        return NULL;
    }
    uv->version = g_strdup(cfg->version ? cfg->version : "unknown");
    uv->cfg.version = uv->version;
    uv->ops = *ops;
    uv->opaque = opaque;
    uv->patb_ra = cfg->secure_base + UV_PEF_PATB_OFFSET;
    uv->pool_ra = cfg->secure_base + UV_PEF_POOL_OFFSET;
    pages = (cfg->secure_size - UV_PEF_POOL_OFFSET) / PAGE_SIZE;
    uv->pool_pages = pages;
    uv->pool_map = g_new0(uint64_t, (pages + 63) / 64);
    uv->patb = g_malloc0(UV_PEF_PATB_SIZE);
    uv->buf_a = g_malloc0(PAGE_SIZE);
    uv->buf_b = g_malloc0(PAGE_SIZE);
    uv->zero = g_malloc0(PAGE_SIZE);
    return uv;
}

static void uv_pef_drop_all(UvPef *uv)
{
    uint32_t i;

    for (i = 0; i < UV_PEF_MAX_LPID && uv->n_svms; i++) {
        if (uv->svms[i]) {
            svm_destroy(uv, i);
        }
    }
}

void uv_pef_free(UvPef *uv)
{
    uint32_t i;

    if (!uv) {
        return;
    }
    for (i = 0; i < UV_PEF_MAX_LPID; i++) {
        if (uv->svms[i]) {
            /* Leave guest memory alone: only drop our state. */
            g_hash_table_destroy(uv->svms[i]->pages);
            g_array_free(uv->svms[i]->slots, true);
            g_free(uv->svms[i]);
        }
    }
    g_free(uv->pool_map);
    g_free(uv->patb);
    g_free(uv->buf_a);
    g_free(uv->buf_b);
    g_free(uv->zero);
    g_free(uv->version);
    g_free(uv);
}

void uv_pef_reset(UvPef *uv)
{
    uint64_t size = uv->cfg.secure_size;

    uv->log_ready = false;
    uv_pef_drop_all(uv);
    memset(uv->pool_map, 0, (uv->pool_pages + 63) / 64 * sizeof(uint64_t));
    uv->pool_used = 0;
    uv->pool_hint = 0;
    memset(uv->patb, 0, UV_PEF_PATB_SIZE);
    uv->n_pates = 0;
    uv->ops.mem_write(uv->opaque, uv->patb_ra, uv->patb, UV_PEF_PATB_SIZE);
    uv->ucalls = 0;

    log_init(uv);
    uv_pef_log(uv, "qemu-ibm-cc built-in ultravisor %s", uv->version);
    uv_pef_log(uv, "UV: secure memory 0x%016" PRIx64 "-0x%016" PRIx64
               " (%" PRIu64 " MiB)", uv->cfg.secure_base,
               uv->cfg.secure_base + size - 1, size >> 20);
    uv_pef_log(uv, "UV: partition table 0x%016" PRIx64 " (%d entries), "
               "PTCR 0x%016" PRIx64, uv->patb_ra, UV_PEF_MAX_LPID,
               uv_pef_ptcr(uv));
    uv_pef_log(uv, "UV: %u secure pages of 64 KiB for SVMs",
               uv->pool_pages);
}

/* ---- info -------------------------------------------------------------- */

void uv_pef_get_info(const UvPef *uv, UvPefInfo *info)
{
    uint32_t i;

    memset(info, 0, sizeof(*info));
    info->secure_base = uv->cfg.secure_base;
    info->secure_size = uv->cfg.secure_size;
    info->secure_used = UV_PEF_POOL_OFFSET +
                        (uint64_t)uv->pool_used * PAGE_SIZE;
    info->ptcr = uv_pef_ptcr(uv);
    info->pates = uv->n_pates;
    info->ucalls = uv->ucalls;
    info->partitions = g_array_new(false, true,
                                   sizeof(UvPefPartitionInfo));
    for (i = 0; i < UV_PEF_MAX_LPID && info->partitions->len < uv->n_svms;
         i++) {
        const UvPefSvm *svm = uv->svms[i];
        UvPefPartitionInfo p;

        if (!svm) {
            continue;
        }
        p.lpid = svm->lpid;
        p.state = svm->secure ? "secure" : "init";
        p.secure_pages = svm->n_secure;
        p.shared_pages = svm->n_shared;
        p.slots = g_array_new(false, true, sizeof(UvPefSlotInfo));
        g_array_append_vals(p.slots, svm->slots->data, svm->slots->len);
        g_array_append_val(info->partitions, p);
    }
}

void uv_pef_info_clear(UvPefInfo *info)
{
    guint i;

    if (info->partitions) {
        for (i = 0; i < info->partitions->len; i++) {
            UvPefPartitionInfo *p = &g_array_index(info->partitions,
                                                   UvPefPartitionInfo, i);

            g_array_free(p->slots, true);
        }
        g_array_free(info->partitions, true);
    }
    memset(info, 0, sizeof(*info));
}
