/*
 * The built-in POWER ultravisor: a Secure VM's partition-scoped radix
 * tree.  Once a guest under a hypervisor has entered secure mode its
 * partition-table entry points here, in secure memory, instead of at the
 * hypervisor's tree: guest real addresses then reach the ultravisor's
 * secure pages (and the pages the guest shares), and the hypervisor can
 * neither read nor change the mapping (open-power/ultravisor
 * core/pgtable.c does the same; docs/devel/pef-nested-svm.rst section 6).
 *
 * Layout (Power ISA 3.0, Book III 5.7.10): a 52-bit tree of four levels
 * with 13, 9, 9 and 5 index bits and 64 KiB leaf pages, as Linux builds
 * its own radix trees with 64 KiB pages.  Tables are cut from pool pages:
 * the 64 KiB root takes a page of its own, lower tables (4 KiB and 256
 * bytes) share pages, each aligned to its size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "uv-pef-internal.h"

/* Entries, big-endian (Power ISA 3.0, Book III 5.7.10.2) */
#define RT_VALID        (1ULL << 63)
#define RT_LEAF         (1ULL << 62)
#define RT_NLB          0x0FFFFFFFFFFFFF00ULL   /* next-level base */
#define RT_NLS          0x1FULL                 /* next-level size */
#define RT_RPN          0x01FFFFFFFFFFF000ULL
#define RT_REF          (1ULL << 8)             /* R */
#define RT_CHG          (1ULL << 7)             /* C */
#define RT_READ         (1ULL << 2)
#define RT_RW           (1ULL << 1)
#define RT_EXEC         (1ULL << 0)
/* A page the guest may read, write and execute, referenced and changed */
#define RT_PAGE_BITS    (RT_VALID | RT_LEAF | RT_REF | RT_CHG | RT_READ | \
                         RT_RW | RT_EXEC)

/* Partition-table dw0: HR, RTS = 52 - 31 split over two fields, RPDS */
#define RT_PATE_HR      (1ULL << 63)
#define RT_RTS          (52 - 31)
#define RT_PATE_RTS     ((((uint64_t)RT_RTS >> 3) << 61) | \
                         (((uint64_t)RT_RTS & 7) << 5))

static const unsigned rt_bits[] = { 13, 9, 9, 5 };
#define RT_LEVELS       ((unsigned)G_N_ELEMENTS(rt_bits))

static unsigned rt_shift(unsigned level)
{
    unsigned s = UV_PEF_PAGE_SHIFT, i;

    for (i = level + 1; i < RT_LEVELS; i++) {
        s += rt_bits[i];
    }
    return s;
}

/* A zeroed table of 2^@bits entries, aligned to its size; 0 if none. */
static uint64_t rt_table_alloc(UvPef *uv, UvPefSvm *svm, unsigned bits)
{
    UvPefRtree *t = &svm->rtree;
    uint64_t size = 8ULL << bits, ra, skip;
    int64_t idx;
    uint32_t page;

    skip = (size - (t->free_ra & (size - 1))) & (size - 1);
    if (t->free_len < skip + size) {
        idx = pool_alloc(uv);
        if (idx < 0) {
            return 0;
        }
        if (!t->pages) {
            t->pages = g_array_new(false, false, sizeof(uint32_t));
        }
        page = idx;
        g_array_append_val(t->pages, page);
        t->free_ra = pool_page_ra(uv, idx);
        t->free_len = PAGE_SIZE;
        skip = 0;
    }
    ra = t->free_ra + skip;
    if (!uv->ops.mem_write(uv->opaque, ra, uv->zero, size)) {
        return 0;
    }
    t->free_ra = ra + size;
    t->free_len -= skip + size;
    return ra;
}

static bool rt_get(UvPef *uv, uint64_t ra, uint64_t *e)
{
    uint8_t b[8];

    if (!uv->ops.mem_read(uv->opaque, ra, b, sizeof(b))) {
        return false;
    }
    *e = cc_get_be64(b);
    return true;
}

static bool rt_put(UvPef *uv, uint64_t ra, uint64_t e)
{
    uint8_t b[8];

    cc_put_be64(b, e);
    return uv->ops.mem_write(uv->opaque, ra, b, sizeof(b));
}

/*
 * The address of @gfn's leaf entry; with @create, missing tables are
 * made.  0 if there is none (or no room).
 */
static uint64_t rt_leaf(UvPef *uv, UvPefSvm *svm, uint64_t gfn, bool create)
{
    uint64_t gpa = gfn << UV_PEF_PAGE_SHIFT, table, e;
    unsigned level;

    if (!svm->rtree.root_ra) {
        if (!create) {
            return 0;
        }
        svm->rtree.root_ra = rt_table_alloc(uv, svm, rt_bits[0]);
        if (!svm->rtree.root_ra) {
            return 0;
        }
    }
    if (gfn > (UINT64_MAX >> UV_PEF_PAGE_SHIFT) || (gpa >> 52)) {
        return 0;
    }
    table = svm->rtree.root_ra;
    for (level = 0;; level++) {
        uint64_t ra = table +
            8 * ((gpa >> rt_shift(level)) & ((1ULL << rt_bits[level]) - 1));

        if (level == RT_LEVELS - 1) {
            return ra;
        }
        if (!rt_get(uv, ra, &e)) {
            return 0;
        }
        if (!(e & RT_VALID)) {
            uint64_t next;

            if (!create) {
                return 0;
            }
            next = rt_table_alloc(uv, svm, rt_bits[level + 1]);
            if (!next) {
                return 0;
            }
            e = RT_VALID | (next & RT_NLB) | rt_bits[level + 1];
            if (!rt_put(uv, ra, e)) {
                return 0;
            }
        }
        table = e & RT_NLB;
    }
}

bool rtree_map(UvPef *uv, UvPefSvm *svm, uint64_t gfn, uint64_t ra)
{
    uint64_t leaf = rt_leaf(uv, svm, gfn, true);

    return leaf && rt_put(uv, leaf, RT_PAGE_BITS | (ra & RT_RPN));
}

void rtree_unmap(UvPef *uv, UvPefSvm *svm, uint64_t gfn)
{
    uint64_t leaf = rt_leaf(uv, svm, gfn, false);

    if (leaf) {
        rt_put(uv, leaf, 0);
    }
}

uint64_t rtree_dw0(const UvPefSvm *svm)
{
    if (!svm->rtree.root_ra) {
        return 0;
    }
    return RT_PATE_HR | RT_PATE_RTS | (svm->rtree.root_ra & RT_NLB) |
           rt_bits[0];
}

void rtree_free(UvPef *uv, UvPefSvm *svm)
{
    UvPefRtree *t = &svm->rtree;
    guint i;

    for (i = 0; t->pages && i < t->pages->len; i++) {
        pool_free(uv, g_array_index(t->pages, uint32_t, i), true);
    }
    if (t->pages) {
        g_array_free(t->pages, true);
    }
    memset(t, 0, sizeof(*t));
}
