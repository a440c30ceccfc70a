/*
 * The built-in POWER ultravisor: secure partitions (SVMs), their memory
 * slots and the state of each of their pages (secure, paged out, shared).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "uv-pef-internal.h"

UvPefSvm *get_svm(UvPef *uv, uint64_t lpid)
{
    return lpid < UV_PEF_MAX_LPID ? uv->svms[lpid] : NULL;
}

void page_release(UvPef *uv, UvPefSvm *svm, UvPefPage *pg)
{
    rtree_unmap(uv, svm, pg->gfn);
    if (pg->state == PG_SECURE) {
        pool_free(uv, pg->spage, true);
        svm->n_secure--;
    } else if (pg->state == PG_SHARED || pg->state == PG_SHARED_INV) {
        svm->n_shared--;
    }
    pg->state = 0;
}

UvPefPage *page_get(UvPefSvm *svm, uint64_t gfn)
{
    return g_hash_table_lookup(svm->pages, &gfn);
}

UvPefPage *page_new(UvPefSvm *svm, uint64_t gfn)
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

void page_remove(UvPef *uv, UvPefSvm *svm, UvPefPage *pg)
{
    page_release(uv, svm, pg);
    g_hash_table_remove(svm->pages, &pg->gfn);
}

void page_set_shared(UvPefSvm *svm, UvPefPage *pg, uint8_t state)
{
    if (pg->state != PG_SHARED && pg->state != PG_SHARED_INV) {
        svm->n_shared++;
    }
    pg->state = state;
}

/*
 * Forget @svm.  With @release, its secure pages are scrubbed and go back
 * to the pool; without (the machine is going away), guest memory is left
 * alone.  Its key is wiped either way.
 */
static void svm_free(UvPef *uv, UvPefSvm *svm, bool release)
{
    GHashTableIter it;
    gpointer v;

    esm_run_free(svm);
    svm_free_frames(svm);
    uv_pef_rtas_free(svm->rtas);
    if (release) {
        g_hash_table_iter_init(&it, svm->pages);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            page_release(uv, svm, v);
        }
        rtree_free(uv, svm);
    } else if (svm->rtree.pages) {
        g_array_free(svm->rtree.pages, true);
    }
    g_hash_table_destroy(svm->pages);
    g_array_free(svm->slots, true);
    cc_wipe(svm, sizeof(*svm));
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
    svm->frames = frames_new();
    svm->gen = ++uv->next_gen;
    uv->svms[lpid] = svm;
    uv->n_svms++;
    uv_pef_log(uv, "UV: svm created, lpid 0x%" PRIx64, lpid);
    return U_SUCCESS;
}

void svm_destroy(UvPef *uv, uint64_t lpid)
{
    svm_free(uv, uv->svms[lpid], true);
    uv->svms[lpid] = NULL;
    uv->n_svms--;
}

void svm_drop_all(UvPef *uv)
{
    uint32_t i;

    for (i = 0; i < UV_PEF_MAX_LPID && uv->n_svms; i++) {
        if (uv->svms[i]) {
            svm_destroy(uv, i);
        }
    }
}

/* The machine is going away: drop our state, leave its memory alone. */
void svm_free_all_state(UvPef *uv)
{
    uint32_t i;

    for (i = 0; i < UV_PEF_MAX_LPID; i++) {
        if (uv->svms[i]) {
            svm_free(uv, uv->svms[i], false);
            uv->svms[i] = NULL;
        }
    }
    uv->n_svms = 0;
}

UvPefSlotInfo *slot_of(UvPefSvm *svm, uint64_t gfn)
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

bool gpa_ok(UvPefSvm *svm, uint64_t gpa)
{
    return !(gpa & (PAGE_SIZE - 1)) &&
           slot_of(svm, gpa >> UV_PEF_PAGE_SHIFT) != NULL;
}
