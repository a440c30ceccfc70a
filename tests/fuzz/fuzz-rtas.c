/*
 * libFuzzer target: the RTAS bounce area (hw/ppc/ultravisor/uv-pef-rtas.c)
 * with arguments the guest chooses and answers the host chooses.  Guest
 * memory is 1 MiB; the bounce area is found in it as at Enter Secure Mode.
 * Checked: the calls never touch memory outside the guest's, and outside
 * the bounce area they change only the call's result words and the
 * buffers its arguments point at (4 KiB at most each).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"
#include "fuzz-util.h"

#include <libfdt.h>

#define MEM         (1u << 20)
#define PG          UV_PEF_PAGE_SIZE

static uint8_t mem[MEM], before[MEM];
static UvPefRtas *rt;
static void *tree;

static bool rd(void *o, uint64_t gpa, void *buf, uint64_t len)
{
    if (gpa >= MEM || len > MEM - gpa) {
        return false;
    }
    memcpy(buf, mem + gpa, len);
    return true;
}

static bool wr(void *o, uint64_t gpa, const void *buf, uint64_t len)
{
    if (gpa >= MEM || len > MEM - gpa) {
        return false;
    }
    memcpy(mem + gpa, buf, len);
    return true;
}

static const UvPefRtasMem m = { rd, wr, NULL };

static const char *const services[] = {
    "check-exception", "event-scan", "ibm,configure-connector",
    "ibm,get-system-parameter", "ibm,set-system-parameter", "ibm,os-term",
    "nvram-fetch", "nvram-store", "start-cpu",
};

static void setup(void)
{
    UvEsmSession s = { 0 };
    UvEsmStatus st;
    size_t i;

    tree = g_malloc0(4096);
    fdt_create(tree, 4096);
    fdt_finish_reservemap(tree);
    fdt_begin_node(tree, "");
    fdt_begin_node(tree, "rtas");
    for (i = 0; i < G_N_ELEMENTS(services); i++) {
        fdt_property_u32(tree, services[i], 0x2000 + i);
    }
    fdt_end_node(tree);
    fdt_end_node(tree);
    fdt_finish(tree);
    rt = uv_pef_rtas_new();
    g_free(uv_pef_rtas_setup(rt, tree, 0, MEM, 0, &s, &st));
    check(st == UV_ESM_OK);
}

static uint32_t take32(const uint8_t **d, size_t *n)
{
    uint32_t v = 0;

    while (*n && v < 0x1000000) {
        v = v << 8 | **d;
        (*d)++;
        (*n)--;
        if (!(v & 0x80)) {
            break;
        }
    }
    return v;
}

/* May a call with these arguments change byte @gpa outside the bounce? */
static bool allowed(uint64_t gpa, uint64_t args, const uint32_t *a)
{
    int i;

    if (gpa >= args && gpa < args + 4 * (3 + 32)) {
        return true;
    }
    for (i = 0; i < 16; i++) {
        if (gpa >= a[i] && gpa < (uint64_t)a[i] + 4096) {
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t bounce, args, got, g, lo, hi;
    uint32_t a[16];
    int i;

    if (!rt) {
        setup();
    }
    bounce = uv_pef_rtas_bounce(rt);
    lo = bounce;
    hi = bounce + UV_PEF_RTAS_PAGES * PG;
    check(bounce && hi <= MEM);
    memset(mem, 0, sizeof(mem));
    if (size < 2) {
        return 0;
    }
    /* the guest's struct rtas_args: a token of a service or any */
    args = (take32(&data, &size) * 4) % MEM;
    if (args + 12 <= MEM) {
        uint32_t sel = take32(&data, &size) % 12;
        uint32_t tok = sel < G_N_ELEMENTS(services) ? 0x2000 + sel
                                                    : take32(&data, &size);
        uint32_t hdr[3] = { tok, take32(&data, &size) % 20,
                            take32(&data, &size) % 20 };

        for (i = 0; i < 3; i++) {
            hdr[i] = GUINT32_TO_BE(hdr[i]);
        }
        memcpy(mem + args, hdr, 12);
    }
    for (i = 0; i < 16; i++) {
        uint32_t v = take32(&data, &size) % (MEM + 8192);

        a[i] = v;
        if (args + 16 + 4 * i <= MEM) {
            uint32_t be = GUINT32_TO_BE(v);

            memcpy(mem + args + 12 + 4 * i, &be, 4);
        }
    }
    /* the rest of the input fills the guest's buffers */
    for (i = 0; size >= 3; i++) {
        g = ((uint64_t)data[0] << 16 | data[1] << 8) % MEM;
        mem[g] = data[2];
        data += 3;
        size -= 3;
        if (i > 64) {
            break;
        }
    }
    memcpy(before, mem, sizeof(mem));
    if (uv_pef_rtas_prepare(rt, &m, args, &got)) {
        check(got == bounce);
        check(uv_pef_rtas_busy(rt));
        /* the host answers with whatever is left */
        for (i = 0; size >= 3; i++) {
            g = lo + (((uint64_t)data[0] << 8 | data[1]) % (hi - lo));
            mem[g] = data[2];
            data += 3;
            size -= 3;
        }
        uv_pef_rtas_finish(rt, &m);
        check(!uv_pef_rtas_busy(rt));
    } else {
        uv_pef_rtas_fail(&m, args);
    }
    for (g = 0; g < MEM; g += 4096) {
        uint64_t b;

        if (!memcmp(mem + g, before + g, 4096)) {
            continue;
        }
        for (b = g; b < g + 4096; b++) {
            if ((b < lo || b >= hi) && mem[b] != before[b]) {
                check(allowed(b, args, a));
            }
        }
    }
    return 0;
}
