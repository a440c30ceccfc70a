/*
 * IBM Z Secure Execution UNPACK_IMG / VERIFY_IMG state machine and the
 * builder's pack side (see hw/s390x/se/se-unpack.h).
 *
 * SHA-512 and AES-256-XTS are nettle's.  One page is one XTS data unit
 * whose 16-byte tweak is used as the XTS IV.
 *
 * PLD pipeline: the PLD is a running SHA-512 over the stored pages, in
 * order, and the costlier half of the work (nettle's SHA-512 is slower than
 * its AES-256-XTS), so from the SE_UNPACK_THREAD_MIN_PAGES'th page on one
 * helper thread does it.  The caller copies each accepted page as stored
 * into a ring of SE_PIPE_SLOTS pages (waiting while the ring is full) and
 * goes on to decrypt; the helper hashes the ring in order into the same
 * sha512_ctx.  Whoever reads the PLD first waits until the ring is empty
 * (verify and se_pack_result) or stops the helper (verify, free,
 * set_threaded off): the helper's updates happen before it publishes its
 * progress under the mutex, so the state read afterwards is exactly the
 * inline one.  Only pages that were accepted enter the ring, as before only
 * they entered the digests.  The ring holds stored bytes only (never
 * plaintext that came out of the decryption), so it is freed without a wipe.
 * The helper calls nettle only and inherits the creator's signal mask (in
 * QEMU a vCPU thread's, which blocks all signals).  If the thread or the
 * ring cannot be had, hashing stays inline.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-unpack.h"

#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <nettle/xts.h>

/*
 * Pages in the ring (512 KiB): on a busy host the helper may lose its CPU
 * for a while, a larger ring lets the caller run on meanwhile.  The caller
 * sleeps when the ring is full and resumes when half of it is free.
 */
#define SE_PIPE_SLOTS   128
#define SE_PIPE_RESUME  (SE_PIPE_SLOTS / 2)
/* Pages the helper takes per lock round trip (it frees them together) */
#define SE_PIPE_BATCH   16

/* The PLD helper thread and its ring; see the top of the file. */
typedef struct SePipe {
    GMutex lock;
    GCond data;                 /* helper waits: ring empty */
    GCond space;                /* caller waits: ring full, or drain */
    GThread *thread;
    struct sha512_ctx *pld;     /* the context's; the helper's while it runs */
    uint8_t (*ring)[SE_PAGE_SIZE];
    uint64_t head;              /* pages queued (caller) */
    uint64_t tail;              /* pages hashed (helper) */
    uint64_t wake_at;           /* signal the caller when tail reaches it */
    uint64_t room;              /* caller's: slots known to be free */
    bool caller_waits;
    bool helper_waits;
    bool stop;                  /* hash what is queued, then exit */
    bool abort;                 /* exit without hashing the rest */
} SePipe;

/* Running PLD/ALD/TLD and page count, shared by both directions. */
typedef struct SeDigests {
    struct sha512_ctx pld;
    struct sha512_ctx ald;
    struct sha512_ctx tld;
    uint64_t pages;
    SePipe *pipe;               /* NULL: the PLD is hashed inline */
    bool no_thread;             /* disabled, or could not be created */
} SeDigests;

struct SeUnpackCtx {
    struct xts_aes256_key xts;
    SeDigests d;
    uint8_t exp_pld[SE_HDR_DIGEST_SIZE];
    uint8_t exp_ald[SE_HDR_DIGEST_SIZE];
    uint8_t exp_tld[SE_HDR_DIGEST_SIZE];
    uint64_t exp_nep;
    bool no_decrypt;
    bool verified;
};

struct SePackCtx {
    struct xts_aes256_key xts;
    SeDigests d;
    bool no_encrypt;
};

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static void make_tweak(uint8_t t[SE_TWEAK_SIZE], uint64_t pref, uint64_t off)
{
    put_be64(t, pref);
    put_be64(t + 8, off);
}

static bool page_aligned(uint64_t gaddr)
{
    return !(gaddr & (SE_PAGE_SIZE - 1));
}

/* ---- PLD pipeline ------------------------------------------------------ */

static gpointer pipe_helper(gpointer opaque)
{
    SePipe *p = opaque;
    uint64_t first, n, i;

    g_mutex_lock(&p->lock);
    for (;;) {
        while (p->tail == p->head && !p->stop && !p->abort) {
            p->helper_waits = true;
            g_cond_wait(&p->data, &p->lock);
        }
        p->helper_waits = false;
        if (p->abort || p->tail == p->head) {
            break;
        }
        /*
         * Take up to SE_PIPE_BATCH queued pages at once: one lock round
         * trip per batch, not per page.  The caller does not touch a
         * queued slot until tail passes it.
         */
        first = p->tail;
        n = MIN(p->head - first, SE_PIPE_BATCH);
        g_mutex_unlock(&p->lock);
        for (i = 0; i < n; i++) {
            sha512_update(p->pld, SE_PAGE_SIZE,
                          p->ring[(first + i) % SE_PIPE_SLOTS]);
        }
        g_mutex_lock(&p->lock);
        p->tail = first + n;
        if (p->caller_waits && p->tail >= p->wake_at) {
            g_cond_signal(&p->space);
        }
    }
    g_mutex_unlock(&p->lock);
    return NULL;
}

/* Start the helper on @d's PLD; NULL if that is not possible. */
static SePipe *pipe_start(SeDigests *d)
{
    SePipe *p = g_new0(SePipe, 1);
    GError *err = NULL;

    p->ring = g_try_malloc(SE_PIPE_SLOTS * sizeof(*p->ring));
    if (!p->ring) {
        g_free(p);
        return NULL;
    }
    p->pld = &d->pld;
    g_mutex_init(&p->lock);
    g_cond_init(&p->data);
    g_cond_init(&p->space);
    p->thread = g_thread_try_new("se-pld-hash", pipe_helper, p, &err);
    if (!p->thread) {
        g_error_free(err);
        g_cond_clear(&p->space);
        g_cond_clear(&p->data);
        g_mutex_clear(&p->lock);
        g_free(p->ring);
        g_free(p);
        return NULL;
    }
    return p;
}

/* Wait (with the lock held) until the helper has hashed up to @tail. */
static void pipe_wait_tail(SePipe *p, uint64_t tail)
{
    while (p->tail < tail) {
        p->wake_at = tail;
        p->caller_waits = true;
        g_cond_wait(&p->space, &p->lock);
    }
    p->caller_waits = false;
}

/*
 * Queue a copy of @stored for hashing, after the pages queued before.
 * Only the caller writes head and room, so it reads them without the
 * lock; room (slots known to be free) is refreshed whenever the lock is
 * taken anyway, which leaves one lock round trip per page.
 */
static void pipe_push(SePipe *p, const uint8_t *stored)
{
    if (!p->room) {
        g_mutex_lock(&p->lock);
        if (p->head - p->tail == SE_PIPE_SLOTS) {
            /* full: sleep until half of it is free, not just one slot */
            pipe_wait_tail(p, p->head - SE_PIPE_SLOTS + SE_PIPE_RESUME);
        }
        p->room = SE_PIPE_SLOTS - (p->head - p->tail);
        g_mutex_unlock(&p->lock);
    }
    memcpy(p->ring[p->head % SE_PIPE_SLOTS], stored, SE_PAGE_SIZE);
    g_mutex_lock(&p->lock);
    p->head++;
    p->room = SE_PIPE_SLOTS - (p->head - p->tail);
    if (p->helper_waits) {
        g_cond_signal(&p->data);
    }
    g_mutex_unlock(&p->lock);
}

/* Wait until everything queued is hashed; the helper keeps running. */
static void pipe_drain(SePipe *p)
{
    g_mutex_lock(&p->lock);
    pipe_wait_tail(p, p->head);
    g_mutex_unlock(&p->lock);
}

/*
 * Stop and join the helper and free the pipe.  Unless @abort, every queued
 * page is hashed first; with @abort the PLD is left incomplete (only for
 * contexts being freed).
 */
static void pipe_stop(SePipe *p, bool abort)
{
    g_mutex_lock(&p->lock);
    if (abort) {
        p->abort = true;
    } else {
        p->stop = true;
    }
    g_cond_signal(&p->data);
    g_mutex_unlock(&p->lock);
    g_thread_join(p->thread);
    g_cond_clear(&p->space);
    g_cond_clear(&p->data);
    g_mutex_clear(&p->lock);
    g_free(p->ring);
    g_free(p);
}

/* ---- digests ----------------------------------------------------------- */

static void digests_init(SeDigests *d)
{
    sha512_init(&d->pld);
    sha512_init(&d->ald);
    sha512_init(&d->tld);
    d->pages = 0;
    d->pipe = NULL;
    d->no_thread = false;
}

/*
 * @stored is the page as it sits in the image; it may be changed as soon
 * as this returns (the helper hashes a copy).
 */
static void digests_update(SeDigests *d, uint64_t gaddr,
                           const uint8_t tweak[SE_TWEAK_SIZE],
                           const uint8_t *stored)
{
    uint8_t addr[8];

    if (!d->pipe && !d->no_thread &&
        d->pages >= SE_UNPACK_THREAD_MIN_PAGES) {
        d->pipe = pipe_start(d);
        /* no retry per page: stay inline for good */
        d->no_thread = !d->pipe;
    }
    if (d->pipe) {
        pipe_push(d->pipe, stored);
    } else {
        sha512_update(&d->pld, SE_PAGE_SIZE, stored);
    }
    put_be64(addr, gaddr);
    sha512_update(&d->ald, sizeof(addr), addr);
    sha512_update(&d->tld, SE_TWEAK_SIZE, tweak);
    d->pages++;
}

/* Back to inline hashing: every queued page is hashed first. */
static void digests_stop_thread(SeDigests *d)
{
    if (d->pipe) {
        pipe_stop(d->pipe, false);
        d->pipe = NULL;
    }
}

/* For free: the digests are dropped, so queued pages need no hashing. */
static void digests_abort_thread(SeDigests *d)
{
    if (d->pipe) {
        pipe_stop(d->pipe, true);
        d->pipe = NULL;
    }
}

/* Digest a copy, so the running state stays usable. */
static void digests_result(const SeDigests *d,
                           uint8_t pld[SE_HDR_DIGEST_SIZE],
                           uint8_t ald[SE_HDR_DIGEST_SIZE],
                           uint8_t tld[SE_HDR_DIGEST_SIZE])
{
    SeDigests t;

    if (d->pipe) {
        /* the helper idles once the ring is empty: d->pld is stable */
        pipe_drain(d->pipe);
    }
    t = *d;
    sha512_digest(&t.pld, SE_HDR_DIGEST_SIZE, pld);
    sha512_digest(&t.ald, SE_HDR_DIGEST_SIZE, ald);
    sha512_digest(&t.tld, SE_HDR_DIGEST_SIZE, tld);
}

/* ---- unpack ------------------------------------------------------------ */

SeUnpackCtx *se_unpack_new(const SeHdr *hdr, const SeHdrSecrets *secrets)
{
    SeUnpackCtx *c = g_new0(SeUnpackCtx, 1);

    xts_aes256_set_decrypt_key(&c->xts, secrets->xts_key);
    digests_init(&c->d);
    memcpy(c->exp_pld, hdr->pld, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_ald, hdr->ald, SE_HDR_DIGEST_SIZE);
    memcpy(c->exp_tld, hdr->tld, SE_HDR_DIGEST_SIZE);
    c->exp_nep = hdr->nep;
    c->no_decrypt = !!(hdr->pcf & SE_PCF_NO_DECRYPT);
    return c;
}

void se_unpack_free(SeUnpackCtx *c)
{
    if (c) {
        digests_abort_thread(&c->d);
        cc_wipe(c, sizeof(*c));
        g_free(c);
    }
}

uint16_t se_unpack_page(SeUnpackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                        uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE])
{
    uint8_t tweak[SE_TWEAK_SIZE];

    if (c->verified) {
        return SE_UNPACK_RC_STATE;
    }
    if (!page_aligned(gaddr)) {
        return SE_UNPACK_RC_ADDR;
    }
    make_tweak(tweak, tweak_pref, tweak_off);
    digests_update(&c->d, gaddr, tweak, page);
    if (!c->no_decrypt) {
        xts_aes256_decrypt_message(&c->xts, tweak, SE_PAGE_SIZE, page, page);
    }
    return SE_UNPACK_RC_OK;
}

uint16_t se_unpack_verify(SeUnpackCtx *c, uint16_t *rrc)
{
    uint8_t pld[SE_HDR_DIGEST_SIZE], ald[SE_HDR_DIGEST_SIZE];
    uint8_t tld[SE_HDR_DIGEST_SIZE];

    c->verified = true;
    /* no page can follow: the helper is not needed any more */
    digests_stop_thread(&c->d);
    digests_result(&c->d, pld, ald, tld);
    *rrc = 0;
    if (c->d.pages != c->exp_nep) {
        *rrc = SE_VERIFY_RRC_NEP;
    } else if (!memeql_sec(ald, c->exp_ald, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_ALD;
    } else if (!memeql_sec(pld, c->exp_pld, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_PLD;
    } else if (!memeql_sec(tld, c->exp_tld, SE_HDR_DIGEST_SIZE)) {
        *rrc = SE_VERIFY_RRC_TLD;
    }
    return *rrc ? SE_VERIFY_RC_MISMATCH : SE_UNPACK_RC_OK;
}

uint64_t se_unpack_page_count(const SeUnpackCtx *c)
{
    return c->d.pages;
}

void se_unpack_set_threaded(SeUnpackCtx *c, bool threaded)
{
    if (!threaded) {
        digests_stop_thread(&c->d);
    }
    c->d.no_thread = !threaded;
}

bool se_unpack_threaded(const SeUnpackCtx *c)
{
    return c->d.pipe != NULL;
}

/* ---- pack -------------------------------------------------------------- */

SePackCtx *se_pack_new(const uint8_t *xts_key, bool no_encrypt)
{
    SePackCtx *c = g_new0(SePackCtx, 1);

    g_assert(xts_key || no_encrypt);
    if (!no_encrypt) {
        xts_aes256_set_encrypt_key(&c->xts, xts_key);
    }
    c->no_encrypt = no_encrypt;
    digests_init(&c->d);
    return c;
}

void se_pack_free(SePackCtx *c)
{
    if (c) {
        digests_abort_thread(&c->d);
        cc_wipe(c, sizeof(*c));
        g_free(c);
    }
}

bool se_pack_page(SePackCtx *c, uint64_t gaddr, uint64_t tweak_pref,
                  uint64_t tweak_off, uint8_t page[SE_PAGE_SIZE])
{
    uint8_t tweak[SE_TWEAK_SIZE];

    if (!page_aligned(gaddr)) {
        return false;
    }
    make_tweak(tweak, tweak_pref, tweak_off);
    if (!c->no_encrypt) {
        xts_aes256_encrypt_message(&c->xts, tweak, SE_PAGE_SIZE, page, page);
    }
    digests_update(&c->d, gaddr, tweak, page);
    return true;
}

void se_pack_result(const SePackCtx *c, uint8_t pld[SE_HDR_DIGEST_SIZE],
                    uint8_t ald[SE_HDR_DIGEST_SIZE],
                    uint8_t tld[SE_HDR_DIGEST_SIZE], uint64_t *nep)
{
    digests_result(&c->d, pld, ald, tld);
    *nep = c->d.pages;
}
