/*
 * A fake host for the built-in POWER ultravisor core; see
 * fake-pef-host.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "fake-pef-host.h"

static uint8_t *host_ptr(FakePefHost *h, uint64_t ra, uint64_t len)
{
    if (len > FAKE_PEF_NORMAL_SIZE || len > FAKE_PEF_SECURE_SIZE) {
        return NULL;
    }
    if (ra < FAKE_PEF_NORMAL_SIZE && FAKE_PEF_NORMAL_SIZE - ra >= len) {
        return h->normal + ra;
    }
    if (ra >= FAKE_PEF_SECURE_BASE &&
        ra - FAKE_PEF_SECURE_BASE < FAKE_PEF_SECURE_SIZE &&
        FAKE_PEF_SECURE_SIZE - (ra - FAKE_PEF_SECURE_BASE) >= len) {
        return h->secure + (ra - FAKE_PEF_SECURE_BASE);
    }
    return NULL;
}

static bool h_read(void *o, uint64_t ra, void *buf, uint64_t len)
{
    uint8_t *p = host_ptr(o, ra, len);

    if (!p) {
        return false;
    }
    memcpy(buf, p, len);
    return true;
}

static bool h_write(void *o, uint64_t ra, const void *buf, uint64_t len)
{
    uint8_t *p = host_ptr(o, ra, len);

    if (!p) {
        return false;
    }
    memcpy(p, buf, len);
    return true;
}

static void h_pate(void *o, void *cpu, uint64_t lpid)
{
    FakePefHost *h = o;

    h->pate_calls++;
    h->pate_lpid = lpid;
    h->pate_cpu = cpu;
}

static bool h_scom_read(void *o, uint64_t addr, uint64_t *val)
{
    FakePefHost *h = o;

    h->scom_addr = addr;
    h->scom_chip = 0;
    *val = FAKE_PEF_SCOM_VALUE(addr);
    return !h->fail_scom;
}

static bool h_scom_write(void *o, uint64_t addr, uint64_t val)
{
    FakePefHost *h = o;

    h->scom_addr = addr;
    h->scom_val = val;
    h->scom_chip = 0;
    return !h->fail_scom;
}

bool fake_pef_scom_read_chip(void *o, uint32_t chip, uint64_t addr,
                             uint64_t *val)
{
    FakePefHost *h = o;
    bool ok = h_scom_read(o, addr, val);

    h->scom_chip = chip;
    return ok;
}

static bool h_spr_read(void *o, void *cpu, uint32_t sprn, uint64_t *val)
{
    FakePefHost *h = o;

    h->spr_cpu = cpu;
    *val = h->spr[sprn & 0x3ff];
    return !h->fail_spr;
}

static bool h_spr_write(void *o, void *cpu, uint32_t sprn, uint64_t val)
{
    FakePefHost *h = o;

    h->spr_cpu = cpu;
    if (h->fail_spr) {
        return false;
    }
    h->spr[sprn & 0x3ff] = val;
    return true;
}

const UvPefHostOps fake_pef_host_ops = {
    .mem_read = h_read,
    .mem_write = h_write,
    .pate_changed = h_pate,
    .scom_read = h_scom_read,
    .scom_write = h_scom_write,
    .spr_read = h_spr_read,
    .spr_write = h_spr_write,
};

FakePefHost *fake_pef_host_new(const UvPefHostOps *ops, const char *version)
{
    const UvPefConfig config = {
        .secure_base = FAKE_PEF_SECURE_BASE,
        .secure_size = FAKE_PEF_SECURE_SIZE,
        .memcons_ra = FAKE_PEF_MEMCONS_RA,
        .version = version,
    };
    FakePefHost *h = g_new0(FakePefHost, 1);
    GError *err = NULL;

    h->normal = g_malloc0(FAKE_PEF_NORMAL_SIZE);
    h->secure = g_malloc0(FAKE_PEF_SECURE_SIZE);
    h->uv = uv_pef_new(&config, ops, h, &err);
    g_assert_no_error(err);
    g_assert_nonnull(h->uv);
    uv_pef_reset(h->uv);
    return h;
}

void fake_pef_host_free(FakePefHost *h)
{
    uv_pef_free(h->uv);
    g_free(h->normal);
    g_free(h->secure);
    g_free(h);
}

void fake_pef_regs_fill(UvPefRegs *r)
{
    int i;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < 32; i++) {
        r->gpr[i] = 0x5100 + i;
    }
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        r->spr[i] = 0x5200 + i;
    }
    for (i = 0; i < UV_PEF_FP_WORDS; i++) {
        r->fp[i] = 0x5300 + i;
    }
    r->cr = 0x5401;
    r->lr = 0x5402;
    r->ctr = 0x5403;
    r->xer = 0x5404;
    r->srr0 = 0x5405;
    r->srr1 = 0x5406;
}
