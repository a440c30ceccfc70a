/*
 * Unit tests of the pseries ultravisor (uv-pef-lpar.c): Enter Secure
 * Mode's synchronous checks and its commit (the tree's new reservation,
 * every page secure), share/unshare, UV_ESMB_GET_FILE, the RTAS bounce
 * area and the hypercall register rules, reset.  ESM proper needs swtpm
 * (skipped without it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef-lpar.h"
#include "swtpm-test.h"
#include "pef-test-guest.h"

#include <libfdt.h>

#define PG              UV_PEF_PAGE_SIZE

static TestTpm tpm;
static UvPefTpmKey tkey;
static char *pem;

typedef struct Host {
    Guest *g;
    int secure_changes;
    bool secure;
    uint64_t unshared_gpa, unshared_len;
} Host;

static bool host_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
    Host *h = opaque;

    return guest_read(h->g, gpa, buf, len);
}

static bool host_write(void *opaque, uint64_t gpa, const void *buf,
                       uint64_t len)
{
    Host *h = opaque;

    if (gpa > MEM_SIZE || len > MEM_SIZE - gpa) {
        return false;
    }
    memcpy(h->g->mem + gpa, buf, len);
    return true;
}

static void host_secure_changed(void *opaque, bool secure)
{
    Host *h = opaque;

    h->secure_changes++;
    h->secure = secure;
}

static void host_unshared(void *opaque, uint64_t gpa, uint64_t len)
{
    Host *h = opaque;

    h->unshared_gpa = gpa;
    h->unshared_len = len;
}

static const UvPefLparOps ops = {
    .mem_read = host_read,
    .mem_write = host_write,
    .secure_changed = host_secure_changed,
    .unshared = host_unshared,
};

/* The guest OS: supervisor state, MSR[S] as given, radix */
static const UvPefCaller os = { .lpid = 1, .radix = true };
static const UvPefCaller svm_os = { .s = true, .lpid = 1, .radix = true };

static UvPefLpar *lpar_new(Host *h)
{
    UvPefLparConfig cfg = { .ram_size = MEM_SIZE, .lpid = 1 };

    memset(h, 0, sizeof(*h));
    h->g = guest_new(pem);
    return uv_pef_lpar_new(&cfg, &ops, h);
}

static void lpar_free(UvPefLpar *l, Host *h)
{
    uv_pef_lpar_free(l);
    guest_free(h->g);
}

static UvPefLparAction esm(UvPefLpar *l, const UvPefCaller *c,
                           uint64_t kbase, uint64_t fdt, uint64_t regs[10])
{
    uint64_t entry = 0;
    UvPefLparAction a;

    memset(regs, 0, 10 * sizeof(uint64_t));
    regs[0] = UV_ESM;
    regs[1] = kbase;
    regs[2] = fdt;
    a = uv_pef_lpar_ucall(l, c, regs, &entry);
    if (a == UV_PEF_LPAR_ENTER_SVM) {
        g_assert_cmphex(entry, ==, kbase);
    }
    return a;
}

static int64_t ucall3(UvPefLpar *l, const UvPefCaller *c, uint64_t op,
                      uint64_t r4, uint64_t r5)
{
    uint64_t regs[10] = { op, r4, r5 }, entry;

    g_assert_cmpint(uv_pef_lpar_ucall(l, c, regs, &entry), ==,
                    UV_PEF_LPAR_RESUME);
    return regs[0];
}

/* UV_ESM's checks before any work, in the ultravisor's order */
static void test_esm_sync(void)
{
    UvPefCaller hv = os, pr = os, lpid0 = os;
    uint64_t regs[10];
    UvPefLpar *l;
    Host h;

    l = lpar_new(&h);
    hv.hv = true;
    pr.pr = true;
    lpid0.lpid = 0;
    g_assert_cmpint(esm(l, &hv, KBASE, FDT_BASE, regs), ==,
                    UV_PEF_LPAR_RESUME);
    g_assert_cmpint(regs[0], ==, U_PERMISSION);
    esm(l, &pr, KBASE, FDT_BASE, regs);
    g_assert_cmpint(regs[0], ==, U_PERMISSION);
    esm(l, &os, 0, FDT_BASE, regs);
    g_assert_cmpint(regs[0], ==, U_P2);
    esm(l, &os, KBASE, 0, regs);
    g_assert_cmpint(regs[0], ==, U_P3);
    esm(l, &lpid0, KBASE, FDT_BASE, regs);
    g_assert_cmpint(regs[0], ==, U_PERMISSION);
    /* None of them touched the ESM state */
    g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_OK);

    /* Past them: no TPM, then a hash guest; H_PARAMETER either way */
    esm(l, &os, KBASE, FDT_BASE, regs);
    g_assert_cmpint(regs[0], ==, U_PARAMETER);
    g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_TPM);
    {
        UvPefCaller hash = os;

        hash.radix = false;
        esm(l, &hash, KBASE, FDT_BASE, regs);
        g_assert_cmpint(regs[0], ==, U_PARAMETER);
        g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_HASH_MMU);
    }
    g_assert_false(uv_pef_lpar_secure(l));
    g_assert_cmpint(h.secure_changes, ==, 0);
    g_assert_true(uv_pef_lpar_host_ok(l, 0, MEM_SIZE));

    /* Guest calls before ESM; the hypervisor's calls never */
    g_assert_cmpint(ucall3(l, &os, UV_SHARE_PAGE, 0, 1), ==, U_PERMISSION);
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, 0, 1), ==,
                    U_PERMISSION);
    g_assert_cmpint(ucall3(l, &os, UV_ESMB_GET_FILE, 0, 0), ==, U_PARAMETER);
    g_assert_cmpint(ucall3(l, &os, UV_WRITE_PATE, 0, 0), ==, U_PERMISSION);
    g_assert_cmpint(ucall3(l, &os, 0xF1F0, 0, 0), ==, U_FUNCTION);
    lpar_free(l, &h);
}

static bool need_tpm(void)
{
    if (!test_tpm_available()) {
        g_test_skip("swtpm is not installed");
        return false;
    }
    return true;
}

/* A Secure VM: ESM done */
static UvPefLpar *svm_new(Host *h)
{
    UvPefLpar *l = lpar_new(h);
    uint64_t regs[10];

    uv_pef_lpar_set_tpm(l, &tpm.sock.io, &tkey);
    g_assert_cmpint(esm(l, &os, KBASE, FDT_BASE, regs), ==,
                    UV_PEF_LPAR_ENTER_SVM);
    /* kexec-style: r3 = tree, r4 = kernel, r5 = 0 */
    g_assert_cmphex(regs[0], ==, FDT_BASE);
    g_assert_cmphex(regs[1], ==, KBASE);
    g_assert_cmphex(regs[2], ==, 0);
    return l;
}

static void test_esm_commit(void)
{
    const uint8_t *fdt;
    uint64_t regs[10], a, len;
    UvPefLparInfo info;
    UvPefLpar *l;
    Host h;

    if (!need_tpm()) {
        return;
    }
    l = svm_new(&h);
    g_assert_true(uv_pef_lpar_secure(l));
    g_assert_true(h.secure);
    g_assert_cmpint(h.secure_changes, ==, 1);

    /* The tree gained one reservation: the bounce area, below the top */
    fdt = h.g->mem + FDT_BASE;
    g_assert_cmpint(fdt_check_full(fdt, fdt_totalsize(fdt)), ==, 0);
    g_assert_cmpint(fdt_num_mem_rsv(fdt), ==, 1);
    g_assert_cmpint(fdt_get_mem_rsv(fdt, 0, &a, &len), ==, 0);
    uv_pef_lpar_get_info(l, &info);
    g_assert_cmphex(a, ==, info.rtas_bounce);
    g_assert_cmphex(len, ==, UV_PEF_LPAR_RTAS_PAGES * PG);
    g_assert_cmphex(a + len, <=, MEM_SIZE);
    g_assert_cmphex(a % PG, ==, 0);
    g_assert_cmpint(info.shared_pages, ==, UV_PEF_LPAR_RTAS_PAGES);

    /* The hypervisor reaches the bounce area and nothing else */
    g_assert_true(uv_pef_lpar_host_ok(l, a, len));
    g_assert_false(uv_pef_lpar_host_ok(l, a - 1, len + 1));
    g_assert_false(uv_pef_lpar_host_ok(l, KBASE, 1));
    g_assert_false(uv_pef_lpar_host_ok(l, 0, MEM_SIZE));
    g_assert_false(uv_pef_lpar_host_ok(l, FDT_BASE, 8));
    /*
     * Beyond RAM nothing is secure; a range from a secure page into a
     * shared one is not the hypervisor's
     */
    g_assert_true(uv_pef_lpar_host_ok(l, MEM_SIZE, 1 << 20));
    g_assert_false(uv_pef_lpar_host_ok(l, a - 1, 2));

    /* A second ESM finds the Secure VM: U_RETRY, nothing changes */
    g_assert_cmpint(esm(l, &svm_os, KBASE, FDT_BASE, regs), ==,
                    UV_PEF_LPAR_RESUME);
    g_assert_cmpint(regs[0], ==, U_RETRY);
    g_assert_true(uv_pef_lpar_secure(l));

    /* the Secure VM's hypercalls are counted for the monitor */
    uv_pef_lpar_hcall_seen(l);
    uv_pef_lpar_hcall_seen(l);
    uv_pef_lpar_get_info(l, &info);
    g_assert_cmpuint(info.hcalls, ==, 2);

    /* Reset: a normal guest again */
    uv_pef_lpar_reset(l);
    g_assert_false(uv_pef_lpar_secure(l));
    g_assert_false(h.secure);
    g_assert_true(uv_pef_lpar_host_ok(l, 0, MEM_SIZE));
    uv_pef_lpar_get_info(l, &info);
    g_assert_cmpint(info.shared_pages, ==, 0);
    g_assert_cmpuint(info.hcalls, ==, 0);
    g_assert_cmpuint(info.ucalls, ==, 0);
    /* and the key is still there for the next boot's ESM */
    put_fdt(h.g, BOOTARGS, NULL);
    g_assert_cmpint(esm(l, &os, KBASE, FDT_BASE, regs), ==,
                    UV_PEF_LPAR_ENTER_SVM);
    lpar_free(l, &h);
}

/* Each input tampered: ESM fails with H_PARAMETER, the reason kept */
static void test_esm_tampered(void)
{
    uint64_t regs[10];
    UvPefLpar *l;
    Host h;

    if (!need_tpm()) {
        return;
    }
    l = lpar_new(&h);
    uv_pef_lpar_set_tpm(l, &tpm.sock.io, &tkey);
    h.g->mem[KBASE + 1000] ^= 1;
    esm(l, &os, KBASE, FDT_BASE, regs);
    g_assert_cmpint(regs[0], ==, U_PARAMETER);
    g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_KERNEL);
    g_assert_cmpstr(uv_pef_lpar_esm_reason(l), ==, "kernel digest mismatch");
    g_assert_false(uv_pef_lpar_secure(l));
    g_assert_cmpint(h.secure_changes, ==, 0);
    /* The tree is not touched by a failed ESM */
    g_assert_cmpint(fdt_num_mem_rsv(h.g->mem + FDT_BASE), ==, 0);
    h.g->mem[KBASE + 1000] ^= 1;
    put_fdt(h.g, "console=hvc0 svm=on quiet", NULL);
    esm(l, &os, KBASE, FDT_BASE, regs);
    g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_BOOTARGS);
    put_fdt(h.g, BOOTARGS, NULL);
    /* Another TPM key (no lockbox for it): the TPM refuses */
    {
        UvPefTpmKey other = tkey;

        other.passwd[0] ^= 1;
        uv_pef_lpar_set_tpm(l, &tpm.sock.io, &other);
        esm(l, &os, KBASE, FDT_BASE, regs);
        g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_UNWRAP);
    }
    uv_pef_lpar_set_tpm(l, &tpm.sock.io, &tkey);
    g_assert_cmpint(esm(l, &os, KBASE, FDT_BASE, regs), ==,
                    UV_PEF_LPAR_ENTER_SVM);
    g_assert_cmpint(uv_pef_lpar_esm_status(l), ==, UV_ESM_OK);
    lpar_free(l, &h);
}

static bool all_bytes(const uint8_t *p, uint8_t v, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

static void test_share(void)
{
    uint64_t page = 0x1800000 / PG, bounce;
    uint8_t *mem;
    UvPefLparInfo info;
    UvPefLpar *l;
    Host h;

    if (!need_tpm()) {
        return;
    }
    l = svm_new(&h);
    mem = h.g->mem;
    uv_pef_lpar_get_info(l, &info);
    bounce = info.rtas_bounce / PG;

    /* Out of RAM, or no pages: U_P2; not the Secure VM's OS: refused */
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, MEM_SIZE / PG, 1), ==,
                    U_P2);
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, MEM_SIZE / PG - 1, 2),
                    ==, U_P2);
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, page, 0), ==, U_P2);
    {
        UvPefCaller user = svm_os;

        user.pr = true;
        g_assert_cmpint(ucall3(l, &user, UV_SHARE_PAGE, page, 1), ==,
                        U_PERMISSION);
        g_assert_cmpint(ucall3(l, &os, UV_UNSHARE_ALL_PAGES, 0, 0), ==,
                        U_PERMISSION);
    }

    /* Share two pages: the hypervisor's pages are zeroed first */
    memset(mem + page * PG, 0x5a, 2 * PG);
    g_assert_false(uv_pef_lpar_host_ok(l, page * PG, 1));
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, page, 2), ==,
                    U_SUCCESS);
    g_assert_true(all_bytes(mem + page * PG, 0, 2 * PG));
    g_assert_true(uv_pef_lpar_host_ok(l, page * PG, 2 * PG));
    g_assert_false(uv_pef_lpar_host_ok(l, page * PG, 2 * PG + 1));
    /* Sharing again changes nothing (idempotent, not zeroed again) */
    mem[page * PG] = 7;
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, page, 1), ==,
                    U_SUCCESS);
    g_assert_cmpint(mem[page * PG], ==, 7);

    /* Unshare one: zeroed, secure again, the host's caches told */
    g_assert_cmpint(ucall3(l, &svm_os, UV_UNSHARE_PAGE, page, 1), ==,
                    U_SUCCESS);
    g_assert_cmpint(mem[page * PG], ==, 0);
    g_assert_false(uv_pef_lpar_host_ok(l, page * PG, 1));
    g_assert_true(uv_pef_lpar_host_ok(l, (page + 1) * PG, PG));
    g_assert_cmphex(h.unshared_gpa, ==, page * PG);
    g_assert_cmphex(h.unshared_len, ==, PG);

    /* The ultravisor's own shared pages cannot be unshared: U_P2 */
    g_assert_cmpint(ucall3(l, &svm_os, UV_UNSHARE_PAGE, page + 1, 1), ==,
                    U_SUCCESS);
    g_assert_cmpint(ucall3(l, &svm_os, UV_SHARE_PAGE, page, 1), ==,
                    U_SUCCESS);
    g_assert_cmpint(ucall3(l, &svm_os, UV_UNSHARE_PAGE, bounce - 1, 2), ==,
                    U_P2);
    g_assert_true(uv_pef_lpar_host_ok(l, bounce * PG, PG));

    /* Unshare all: the guest's go, the ultravisor's stay */
    g_assert_cmpint(ucall3(l, &svm_os, UV_UNSHARE_ALL_PAGES, 0, 0), ==,
                    U_SUCCESS);
    g_assert_false(uv_pef_lpar_host_ok(l, page * PG, 1));
    g_assert_true(uv_pef_lpar_host_ok(l, bounce * PG,
                                      UV_PEF_LPAR_RTAS_PAGES * PG));
    uv_pef_lpar_get_info(l, &info);
    g_assert_cmpint(info.shared_pages, ==, UV_PEF_LPAR_RTAS_PAGES);
    lpar_free(l, &h);
}

static void test_get_file(void)
{
    uint64_t regs[10] = { UV_ESMB_GET_FILE }, entry;
    UvPefCaller user = svm_os;
    UvPefLpar *l;
    Host h;

    if (!need_tpm()) {
        return;
    }
    l = svm_new(&h);
    /* "file-1", most significant byte first in r5 */
    regs[2] = 0x66696c652d310000ULL;
    user.pr = true;
    user.pid = 42;
    uv_pef_lpar_ucall(l, &user, regs, &entry);
    g_assert_cmpint(regs[0], ==, sizeof("the attachment"));
    g_assert_cmphex(regs[1], ==, 0x7468652061747461ULL);  /* "the atta" */
    lpar_free(l, &h);
}

static void wr32(Guest *g, uint64_t gpa, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);

    memcpy(g->mem + gpa, &be, 4);
}

static uint32_t rd32(Guest *g, uint64_t gpa)
{
    uint32_t be;

    memcpy(&be, g->mem + gpa, 4);
    return GUINT32_FROM_BE(be);
}

static void test_rtas(void)
{
    uint64_t args = 0x1810000, buf = 0x1820000, bounce, slot;
    static const uint8_t param[] = "\0\5hello";
    UvPefLparInfo info;
    UvPefLpar *l;
    Host h;

    if (!need_tpm()) {
        return;
    }
    l = lpar_new(&h);
    /* Not a Secure VM: nothing goes through the ultravisor */
    g_assert_false(uv_pef_lpar_rtas_prepare(l, args, &bounce));
    lpar_free(l, &h);

    l = svm_new(&h);
    uv_pef_lpar_get_info(l, &info);
    /* ibm,get-system-parameter(param 42, buf, 100) -> status */
    wr32(h.g, args, TOKEN_GET_SYSPARM);
    wr32(h.g, args + 4, 3);
    wr32(h.g, args + 8, 1);
    wr32(h.g, args + 12, 42);
    wr32(h.g, args + 16, buf);
    wr32(h.g, args + 20, 100);
    wr32(h.g, args + 24, 0xdeadbeef);
    memset(h.g->mem + buf, 0xee, 100);
    g_assert_true(uv_pef_lpar_rtas_prepare(l, args, &bounce));
    g_assert_cmphex(bounce, ==, info.rtas_bounce);
    g_assert_true(uv_pef_lpar_host_ok(l, bounce, 28));
    /* The hypervisor's copy: the buffer moved into the bounce area */
    g_assert_cmphex(rd32(h.g, bounce), ==, TOKEN_GET_SYSPARM);
    g_assert_cmphex(rd32(h.g, bounce + 12), ==, 42);
    slot = rd32(h.g, bounce + 16);
    g_assert_cmphex(slot, !=, buf);
    g_assert_true(uv_pef_lpar_host_ok(l, slot, 100));
    g_assert_cmphex(rd32(h.g, bounce + 20), ==, 100);
    g_assert_cmphex(rd32(h.g, bounce + 24), ==, 0);
    /* The hypervisor answers */
    wr32(h.g, bounce + 24, 0);
    memcpy(h.g->mem + slot, param, 7);
    memset(h.g->mem + slot + 7, 0x77, 93);
    uv_pef_lpar_rtas_finish(l);
    g_assert_cmphex(rd32(h.g, args + 24), ==, 0);
    /* Length field + 5 bytes come back; the rest stays the guest's */
    g_assert_cmpmem(h.g->mem + buf, 7, param, 7);
    g_assert_cmpint(h.g->mem[buf + 7], ==, 0xee);

    /* start-cpu: the new thread's r3 hidden behind a cookie */
    wr32(h.g, args, TOKEN_START_CPU);
    wr32(h.g, args + 12, 1);
    wr32(h.g, args + 16, 0x10000);
    wr32(h.g, args + 20, 0x12345678);
    g_assert_true(uv_pef_lpar_rtas_prepare(l, args, &bounce));
    slot = rd32(h.g, bounce + 20);
    g_assert_cmphex(slot, !=, 0x12345678);
    g_assert_cmphex(rd32(h.g, bounce + 16), ==, 0x10000);
    uv_pef_lpar_rtas_finish(l);
    g_assert_cmphex(uv_pef_lpar_start_r3(l, slot), ==, 0x12345678);
    /* once */
    g_assert_cmphex(uv_pef_lpar_start_r3(l, slot), ==, slot);

    /* More arguments than struct rtas_args holds: dropped */
    wr32(h.g, args + 4, 17);
    g_assert_false(uv_pef_lpar_rtas_prepare(l, args, &bounce));
    lpar_free(l, &h);
}

static void test_hcall_regs(void)
{
    uint64_t gpr[32], saved[32], hv[32];
    int in, out, i;

    g_assert_true(uv_pef_hcall_regs(0x58, &in, &out));  /* H_PUT_TERM_CHAR */
    g_assert_cmpint(in, ==, 5);
    g_assert_cmpint(out, ==, 1);
    g_assert_true(uv_pef_hcall_regs(0x54, &in, &out));  /* H_GET_TERM_CHAR */
    g_assert_cmpint(out, ==, 4);
    g_assert_true(uv_pef_hcall_regs(UV_PEF_H_RTAS, &in, &out));
    /* H_SVM_* and H_TPM_COMM are the ultravisor's own, not the guest's */
    g_assert_false(uv_pef_hcall_regs(0xEF08, &in, &out));
    g_assert_false(uv_pef_hcall_regs(0xEF10, &in, &out));
    g_assert_false(uv_pef_hcall_regs(0x15C, &in, &out));    /* not used */

    for (i = 0; i < 32; i++) {
        gpr[i] = saved[i] = 0x1000 + i;
    }
    uv_pef_hcall_scrub(gpr, 5, 0xabc, 0xc00c1e);
    g_assert_cmphex(gpr[0], ==, 0xabc);
    g_assert_cmphex(gpr[1], ==, 0);
    g_assert_cmphex(gpr[2], ==, 0);
    for (i = 3; i < 8; i++) {
        g_assert_cmphex(gpr[i], ==, 0x1000 + i);
    }
    for (i = 8; i < 31; i++) {
        g_assert_cmphex(gpr[i], ==, 0);
    }
    g_assert_cmphex(gpr[31], ==, 0xc00c1e);

    for (i = 0; i < 32; i++) {
        hv[i] = 0x2000 + i;
    }
    uv_pef_hcall_merge(saved, hv, 4);
    for (i = 0; i < 32; i++) {
        g_assert_cmphex(saved[i], ==,
                        (i >= 3 && i < 7 ? 0x2000 : 0x1000) + i);
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!guest_tpm_start(&tpm, 'p', &tkey, &pem)) {
        /* A blob for a key no TPM here has: enough for the checks before */
        pem = test_new_rsa_pem();
    }
    g_test_add_func("/uv-pef-lpar/esm-sync", test_esm_sync);
    g_test_add_func("/uv-pef-lpar/esm-commit", test_esm_commit);
    g_test_add_func("/uv-pef-lpar/esm-tampered", test_esm_tampered);
    g_test_add_func("/uv-pef-lpar/share", test_share);
    g_test_add_func("/uv-pef-lpar/get-file", test_get_file);
    g_test_add_func("/uv-pef-lpar/rtas", test_rtas);
    g_test_add_func("/uv-pef-lpar/hcall-regs", test_hcall_regs);
    ret = g_test_run();
    guest_tpm_stop(&tpm, pem);
    return ret;
}
