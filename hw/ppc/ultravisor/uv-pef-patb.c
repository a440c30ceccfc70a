/*
 * The built-in POWER ultravisor's partition table.  It lives in secure
 * memory, where every thread's PTCR points, so only the ultravisor
 * writes it: the hypervisor asks with UV_WRITE_PATE (Linux
 * Documentation/arch/powerpc/ultravisor.rst).  A shadow copy answers
 * reads and counts the entries in use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "uv-pef-internal.h"

void patb_init(UvPef *uv)
{
    uv->patb_ra = uv->cfg.secure_base + UV_PEF_PATB_OFFSET;
    uv->patb = g_malloc0(UV_PEF_PATB_SIZE);
}

void patb_reset(UvPef *uv)
{
    memset(uv->patb, 0, UV_PEF_PATB_SIZE);
    uv->n_pates = 0;
    uv->ops.mem_write(uv->opaque, uv->patb_ra, uv->patb, UV_PEF_PATB_SIZE);
}

void patb_fini(UvPef *uv)
{
    g_free(uv->patb);
}

uint64_t uv_pef_ptcr(const UvPef *uv)
{
    return uv->patb_ra | UV_PEF_PATS;
}

uint64_t patb_dw0(const UvPef *uv, uint64_t lpid)
{
    return cc_get_be64(uv->patb + lpid * UV_PEF_PATE_SIZE);
}

bool pate_store(UvPef *uv, void *cpu, uint64_t lpid, uint64_t dw0,
                uint64_t dw1)
{
    uint8_t *shadow = uv->patb + lpid * UV_PEF_PATE_SIZE;
    uint8_t e[UV_PEF_PATE_SIZE];

    cc_put_be64(e, dw0);
    cc_put_be64(e + 8, dw1);
    if (!uv->ops.mem_write(uv->opaque, uv->patb_ra + lpid * sizeof(e), e,
                           sizeof(e))) {
        return false;
    }
    if (cc_get_be64(shadow) || cc_get_be64(shadow + 8)) {
        uv->n_pates--;
    }
    if (dw0 || dw1) {
        uv->n_pates++;
    }
    memcpy(shadow, e, sizeof(e));
    if (uv->ops.pate_changed) {
        uv->ops.pate_changed(uv->opaque, cpu, lpid);
    }
    return true;
}
