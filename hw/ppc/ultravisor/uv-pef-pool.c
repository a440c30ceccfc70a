/*
 * The built-in POWER ultravisor: the pool of 64 KiB secure pages that
 * hold SVM memory, after the ultravisor's own area and the partition
 * table (layout in include/hw/ppc/ultravisor/uv-pef.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "uv-pef-internal.h"

#define POOL_WORDS(uv)  (((uv)->pool_pages + 63) / 64)

void pool_init(UvPef *uv)
{
    uv->pool_ra = uv->cfg.secure_base + UV_PEF_POOL_OFFSET;
    uv->pool_pages = (uv->cfg.secure_size - UV_PEF_POOL_OFFSET) / PAGE_SIZE;
    uv->pool_map = g_new0(uint64_t, POOL_WORDS(uv));
}

void pool_reset(UvPef *uv)
{
    memset(uv->pool_map, 0, POOL_WORDS(uv) * sizeof(uint64_t));
    uv->pool_used = 0;
    uv->pool_hint = 0;
}

void pool_fini(UvPef *uv)
{
    g_free(uv->pool_map);
}

uint64_t pool_page_ra(const UvPef *uv, uint32_t idx)
{
    return uv->pool_ra + (uint64_t)idx * PAGE_SIZE;
}

static bool pool_test(const UvPef *uv, uint32_t idx)
{
    return uv->pool_map[idx / 64] & (1ULL << (idx % 64));
}

int64_t pool_alloc(UvPef *uv)
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

void pool_free(UvPef *uv, uint32_t idx, bool scrub)
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
