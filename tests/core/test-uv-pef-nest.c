/*
 * Unit tests of the built-in ultravisor with a hypervisor above the
 * Secure VM (uv-pef-nest.c, uv-pef-reflect.c, uv-pef-rtree.c): a fake KVM
 * host answers the ultravisor's hcalls as Linux's book3s_hv_uvmem.c does
 * (docs/devel/pef-nested-svm.rst sections 2 and 6), so Enter Secure Mode
 * runs its whole hcall sequence; then the Secure VM's hcalls and
 * interrupts are reflected and resumed, a page goes out and comes back,
 * and a failed ESM takes the abort path.  Needs swtpm (skipped without).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"
#include "swtpm-test.h"
#include "pef-test-guest.h"
#include "fake-pef-host.h"

#include <libfdt.h>

#define PG              UV_PEF_PAGE_SIZE
#define NORMAL_SIZE     (48 * 1024 * 1024ULL)
#define SECURE_BASE     0x0001000000000000ULL
#define SECURE_SIZE     (48 * 1024 * 1024ULL)
#define MEMCONS_RA      0x100000ULL
/* Where the fake host keeps the guest's memory (a host page per gfn) */
#define GUEST_RA        0x800000ULL
/* A spare host page for page-outs, one with the host's own bytes */
#define SPARE_RA        (GUEST_RA + MEM_SIZE)
#define EVIL_RA         (SPARE_RA + PG)
#define LPID            5

#define MSR_SF          (1ULL << 63)
#define MSR_HV          (1ULL << 60)
#define MSR_S           (1ULL << 22)
#define MSR_EE          (1ULL << 15)
#define MSR_ME          (1ULL << 12)
#define MSR_LE          1ULL
#define MSR_PR          (1ULL << 14)
#define VM_MSR          (MSR_SF | MSR_ME | MSR_LE | MSR_EE)
#define VM_NIP          0x12344ULL
#define VM_R31          0xdead0031ULL

#define H_PUT_TERM_CHAR     0x58
#define H_SVM_PAGE_IN       0xEF00
#define H_SVM_INIT_START    0xEF08
#define H_SVM_INIT_DONE     0xEF0C
#define H_SVM_INIT_ABORT    0xEF14
#define H_UNSUPPORTED       (-67)

static TestTpm tpm;
static UvPefTpmKey tkey;
static char *pem;

typedef struct Host {
    uint8_t *normal;
    uint8_t *secure;
    UvPef *uv;
    int pate_calls;
    /* what the fake KVM saw */
    int page_ins;
    int shares;                     /* H_SVM_PAGE_IN(shared) among them */
    int init_start, init_done, init_abort;
    int64_t init_start_rc;          /* what it answers */
    uint64_t tb;                    /* the timebase */
    /* a hostile KVM: page-ins with these flags; replace the kernel page */
    uint64_t pagein_flags;
    bool replace_at_init_done;
} Host;

static uint8_t *host_ptr(Host *h, uint64_t ra, uint64_t len)
{
    if (ra < NORMAL_SIZE && NORMAL_SIZE - ra >= len) {
        return h->normal + ra;
    }
    if (ra >= SECURE_BASE && ra - SECURE_BASE < SECURE_SIZE &&
        SECURE_SIZE - (ra - SECURE_BASE) >= len) {
        return h->secure + (ra - SECURE_BASE);
    }
    return NULL;
}

static bool h_read(void *o, uint64_t ra, void *buf, uint64_t len)
{
    uint8_t *p = host_ptr(o, ra, len);

    if (p) {
        memcpy(buf, p, len);
    }
    return p != NULL;
}

static bool h_write(void *o, uint64_t ra, const void *buf, uint64_t len)
{
    uint8_t *p = host_ptr(o, ra, len);

    if (p) {
        memcpy(p, buf, len);
    }
    return p != NULL;
}

static void h_pate(void *o, void *cpu, uint64_t lpid)
{
    ((Host *)o)->pate_calls++;
}

static const UvPefHostOps ops = {
    .mem_read = h_read,
    .mem_write = h_write,
    .pate_changed = h_pate,
};

/* The threads: the guest before ESM, the Secure VM, the KVM host (LE) */
static const UvPefCaller vm_c = { .lpid = LPID, .radix = true, .hv_le = true };
static const UvPefCaller svm_c = {
    .s = true, .lpid = LPID, .radix = true, .hv_le = true
};
static const UvPefCaller hv_c = { .hv = true, .lpid = LPID, .hv_le = true };

static Host *host_new(Guest *g)
{
    const UvPefConfig cfg = {
        .secure_base = SECURE_BASE,
        .secure_size = SECURE_SIZE,
        .memcons_ra = MEMCONS_RA,
        .version = "test",
    };
    Host *h = g_new0(Host, 1);
    GError *err = NULL;

    h->normal = g_malloc0(NORMAL_SIZE);
    h->secure = g_malloc0(SECURE_SIZE);
    memcpy(h->normal + GUEST_RA, g->mem, MEM_SIZE);
    h->uv = uv_pef_new(&cfg, &ops, h, &err);
    g_assert_no_error(err);
    uv_pef_reset(h->uv);
    uv_pef_set_tpm(h->uv, &tpm.sock.io, &tkey);
    h->tb = 50000;
    return h;
}

static void host_free(Host *h)
{
    uv_pef_free(h->uv);
    g_free(h->normal);
    g_free(h->secure);
    g_free(h);
}

/* Secure memory past the partition table: nothing left behind */
static bool all_zero(const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* A ucall from the host with r4.. = @a (r3 = @op); returns r3 */
static int64_t hv_ucall(Host *h, uint64_t op, uint64_t a0, uint64_t a1,
                        uint64_t a2, uint64_t a3, uint64_t a4)
{
    uint64_t regs[10] = { op, a0, a1, a2, a3, a4 };

    return uv_pef_ucall(h->uv, uv_pef_ucall_find(op), &hv_c, regs);
}

/* The guest's registers at its sc 2, every one with a pattern */
static void vm_regs(UvPefRegs *r, uint64_t op, uint64_t r4, uint64_t r5)
{
    fake_pef_regs_fill(r);
    r->gpr[3] = op;
    r->gpr[4] = r4;
    r->gpr[5] = r5;
    r->gpr[31] = VM_R31;
    r->nip = VM_NIP;
    r->msr = VM_MSR;
    r->dec = 1000;
    r->tb = 50000;
}

/* The host's view after an entry: nothing of the guest but @keep GPRs */
static void assert_scrubbed(const UvPefRegs *r, int first, int n)
{
    int i;

    for (i = 0; i < 31; i++) {
        if (i < first || i >= first + n) {
            g_assert_cmphex(r->gpr[i], ==, 0);
        }
    }
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        g_assert_cmphex(r->spr[i], ==, 0);
    }
    for (i = 0; i < UV_PEF_FP_WORDS; i++) {
        g_assert_cmphex(r->fp[i], ==, 0);
    }
    g_assert_cmphex(r->cr | r->lr | r->ctr | r->xer, ==, 0);
    g_assert_cmphex(r->dec, ==, 0x7FFFFFFF);
    g_assert_cmphex(r->gpr[31], ==, r->srr0);
    g_assert_cmphex(r->hsrr0, ==, r->srr0);
    g_assert_cmphex(r->hsrr1, ==, r->srr1);
    g_assert_cmphex(r->gpr[31] & 3, ==, 0);
    g_assert_cmphex(r->gpr[31], >=, 0x2000);
    g_assert_true(r->msr & MSR_HV);
    g_assert_true(r->msr & MSR_LE);         /* hv_le */
    g_assert_false(r->msr & MSR_S);
    g_assert_true(r->srr1 & MSR_S);
}

/* KVM returns to the thread with UV_RETURN (r0 = its r3) */
static UvPefNext uv_return(Host *h, UvPefRegs *r, int64_t r3)
{
    r->gpr[0] = r3;
    r->gpr[2] = r->srr1;
    r->gpr[3] = UV_RETURN;
    h->tb += 100;
    r->tb = h->tb;
    return uv_pef_ucall_regs(h->uv, uv_pef_ucall_find(UV_RETURN), &hv_c, r);
}

/*
 * The fake KVM: answer the ultravisor's hcalls (r3 at the host's 0xC00)
 * until the thread leaves the host: into the Secure VM (true) or back
 * into the VM by the abort path's HRFID (false).
 */
static bool kvm_run(Host *h, UvPefRegs *r)
{
    for (;;) {
        uint64_t op = r->gpr[3];
        int64_t rc = 0;

        g_assert_cmphex(r->nip, ==, 0xC00);
        g_assert_true(r->msr & MSR_HV);
        switch (op) {
        case H_SVM_INIT_START:
            assert_scrubbed(r, 3, 1);
            h->init_start++;
            rc = h->init_start_rc;
            if (!rc) {
                g_assert_cmpint(hv_ucall(h, UV_REGISTER_MEM_SLOT, LPID, 0,
                                         MEM_SIZE, 0, 1), ==, U_SUCCESS);
            }
            break;
        case H_SVM_PAGE_IN:
            /* page in, share (r5 = 1) or unshare: KVM's UV_PAGE_IN */
            assert_scrubbed(r, 3, 4);
            g_assert_cmphex(r->gpr[5], <=, 1);
            g_assert_cmphex(r->gpr[6], ==, 16);
            g_assert_cmphex(r->gpr[4] % PG, ==, 0);
            h->page_ins++;
            h->shares += r->gpr[5] == 1;
            g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID,
                                     GUEST_RA + r->gpr[4], r->gpr[4],
                                     h->pagein_flags, 16), ==, U_SUCCESS);
            break;
        case H_SVM_INIT_DONE:
            assert_scrubbed(r, 3, 1);
            h->init_done++;
            if (h->replace_at_init_done) {
                /* the measured kernel page cannot be replaced now */
                memset(h->normal + EVIL_RA, 0x66, PG);
                g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, EVIL_RA, KBASE,
                                         0, 16), ==, U_P2);
            }
            break;
        case H_SVM_INIT_ABORT:
            /* KVM: page out, terminate, HRFID to SRR0/1, r3 = H_PARAMETER */
            h->init_abort++;
            g_assert_cmphex(r->gpr[31], ==, VM_R31);    /* no cookie */
            if (h->page_ins) {
                g_assert_cmpint(hv_ucall(h, UV_PAGE_OUT, LPID, SPARE_RA,
                                         FDT_BASE, 0, 16), ==, U_SUCCESS);
            }
            g_assert_cmpint(hv_ucall(h, UV_SVM_TERMINATE, LPID, 0, 0, 0,
                                     0), ==, U_SUCCESS);
            r->nip = r->srr0;
            r->msr = r->srr1 & ~0x783F0000ULL;
            r->gpr[3] = (uint64_t)-4;
            return false;
        default:
            g_assert_not_reached();
        }
        if (uv_return(h, r, rc) != UV_PEF_NEXT_LOAD) {
            g_assert_not_reached();
        }
        if (!(r->msr & MSR_HV)) {
            return true;
        }
    }
}

/*
 * The Secure VM calls @op (UV_SHARE_PAGE, ...) on @n pages from @gpa; the
 * fake KVM answers whatever the ultravisor asks.  Returns its r3.
 */
static int64_t svm_share(Host *h, UvPefRegs *r, uint64_t op, uint64_t gpa,
                         uint64_t n)
{
    r->gpr[3] = op;
    r->gpr[4] = gpa >> 16;
    r->gpr[5] = n;
    if (uv_pef_ucall_regs(h->uv, uv_pef_ucall_find(op), &svm_c, r) ==
        UV_PEF_NEXT_LOAD && (r->msr & MSR_HV)) {
        g_assert_true(kvm_run(h, r));
    }
    return r->gpr[3];
}

static uint64_t pate_dw0(Host *h, uint64_t lpid)
{
    uint64_t ptcr = uv_pef_ptcr(h->uv);

    return cc_get_be64(host_ptr(h, (ptcr & ~0xFFFULL) + 16 * lpid, 8));
}

/* Walk the Secure VM's tree as the MMU does: the real address of @gpa */
static uint64_t tree_walk(Host *h, uint64_t gpa)
{
    static const unsigned bits[] = { 13, 9, 9, 5 };
    uint64_t dw0 = pate_dw0(h, LPID), table, e = 0;
    unsigned shift = 52, level, rts;

    g_assert_true(dw0 >> 63);                           /* HR: radix */
    rts = ((dw0 >> 58) & 0x18) | ((dw0 >> 5) & 7);
    g_assert_cmpuint(rts + 31, ==, 52);
    g_assert_cmpuint(dw0 & 0x1F, ==, 13);
    table = dw0 & 0x0FFFFFFFFFFFFF00ULL;
    for (level = 0; level < 4; level++) {
        uint8_t *p;

        shift -= bits[level];
        g_assert_true(table >= SECURE_BASE);            /* UV-owned */
        p = host_ptr(h, table + 8 * ((gpa >> shift) &
                                     ((1ULL << bits[level]) - 1)), 8);
        g_assert_nonnull(p);
        e = cc_get_be64(p);
        if (!(e >> 63)) {
            return 0;
        }
        if ((e >> 62) & 1) {
            break;
        }
        g_assert_cmpuint(e & 0x1F, ==, bits[level + 1]);
        table = e & 0x0FFFFFFFFFFFFF00ULL;
    }
    g_assert_cmpuint(level, ==, 3);
    g_assert_cmphex(e & 0x187, ==, 0x187);              /* R, C, RWX */
    return (e & 0x01FFFFFFFFFFF000ULL) + (gpa & (PG - 1));
}

/* A copy of the Secure VM's device tree, read through its tree */
static void *secure_fdt(Host *h)
{
    uint64_t size = fdt_totalsize(host_ptr(h, tree_walk(h, FDT_BASE), 64));
    uint8_t *out = g_malloc(size);
    uint64_t off, n;

    for (off = 0; off < size; off += n) {
        n = MIN(PG - (FDT_BASE + off) % PG, size - off);
        memcpy(out + off, host_ptr(h, tree_walk(h, FDT_BASE + off), n), n);
    }
    return out;
}

/* UV_ESM from the guest; returns what the abort path or ESM left */
static bool esm(Host *h, UvPefRegs *r)
{
    vm_regs(r, UV_ESM, KBASE, FDT_BASE);
    g_assert_cmpint(uv_pef_ucall_regs(h->uv, uv_pef_ucall_find(UV_ESM),
                                      &vm_c, r), ==, UV_PEF_NEXT_LOAD);
    return kvm_run(h, r);
}

static bool need_tpm(void)
{
    if (!test_tpm_available()) {
        g_test_skip("swtpm is not installed");
        return false;
    }
    return true;
}

/* A guest entered into secure mode; false (the test skips): no swtpm */
static bool svm_up(Guest **g, Host **h, UvPefRegs *r)
{
    if (!need_tpm()) {
        return false;
    }
    *g = guest_new(pem);
    *h = host_new(*g);
    g_assert_true(esm(*h, r));
    return true;
}

static void test_esm(void)
{
    Guest *g;
    Host *h;
    UvPefRegs r;
    uint64_t ra, bounce, len;
    g_autofree void *fdt = NULL;
    int i, n;

    if (!svm_up(&g, &h, &r)) {
        return;
    }
    /* the sequence */
    g_assert_cmpint(h->init_start, ==, 1);
    g_assert_cmpint(h->init_done, ==, 1);
    g_assert_cmpint(h->init_abort, ==, 0);
    g_assert_cmpint(h->page_ins, >, 10);
    g_assert_cmpstr(uv_pef_esm_reason(h->uv), ==, "");
    /* the Secure VM starts at its kernel, its registers its own */
    g_assert_cmphex(r.nip, ==, KBASE);
    g_assert_cmphex(r.msr, ==, (VM_MSR | MSR_S) & ~MSR_EE);
    g_assert_cmphex(r.gpr[3], ==, FDT_BASE);
    g_assert_cmphex(r.gpr[4], ==, KBASE);
    g_assert_cmphex(r.gpr[5], ==, 0);
    g_assert_cmphex(r.gpr[31], ==, VM_R31);
    for (i = 6; i < 31; i++) {
        g_assert_cmphex(r.gpr[i], ==, 0x5100 + i);
    }
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        g_assert_cmphex(r.spr[i], ==, 0x5200 + i);
    }
    for (i = 0; i < UV_PEF_FP_WORDS; i++) {
        g_assert_cmphex(r.fp[i], ==, 0x5300 + i);
    }
    g_assert_cmphex(r.lr, ==, 0x5402);
    g_assert_cmphex(r.srr0, ==, 0x5405);
    /* DEC went on while the host ran */
    g_assert_cmpint((int64_t)r.dec, <, 1000);
    /* its memory: the kernel in secure memory, the rest zero */
    ra = tree_walk(h, KBASE);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    g_assert_cmpmem(host_ptr(h, ra, PG), PG, g->mem + KBASE, PG);
    /* the tree now reserves the RTAS bounce area, which is the host's */
    fdt = secure_fdt(h);
    n = fdt_num_mem_rsv(fdt);
    g_assert_cmpint(n, ==, fdt_num_mem_rsv(g->mem + FDT_BASE) + 1);
    g_assert_cmpint(fdt_get_mem_rsv(fdt, n - 1, &bounce, &len), ==, 0);
    g_assert_cmphex(len, ==, UV_PEF_RTAS_PAGES * PG);
    g_assert_cmpstr(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"),
                                "bootargs", NULL), ==,
                    fdt_getprop(g->mem + FDT_BASE,
                                fdt_path_offset(g->mem + FDT_BASE, "/chosen"),
                                "bootargs", NULL));
    for (i = 0; i < UV_PEF_RTAS_PAGES; i++) {
        ra = tree_walk(h, bounce + i * PG);
        g_assert_cmphex(ra, <, SECURE_BASE);
        g_assert_cmphex(ra, ==, GUEST_RA + bounce + i * PG);
    }
    g_assert_cmpint(h->shares, ==, UV_PEF_RTAS_PAGES);
    ra = tree_walk(h, bounce - PG);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    for (i = 0; i < (int)PG; i++) {
        g_assert_cmpint(host_ptr(h, ra, PG)[i], ==, 0);
    }
    g_assert_cmphex(tree_walk(h, MEM_SIZE), ==, 0);
    host_free(h);
    guest_free(g);
}

/* A word of the Secure VM's memory, through its tree */
static uint8_t *svm_ptr(Host *h, uint64_t gpa, uint64_t len)
{
    return host_ptr(h, tree_walk(h, gpa), len);
}

static uint32_t svm_rd32(Host *h, uint64_t gpa)
{
    return cc_get_be32(svm_ptr(h, gpa, 4));
}

static void svm_wr32(Host *h, uint64_t gpa, uint32_t v)
{
    cc_put_be32(svm_ptr(h, gpa, 4), v);
}

/* H_RTAS from the Secure VM goes through the bounce area */
static void test_rtas(void)
{
    const uint64_t args = 0x1810000, buf = 0x1820000, args2 = 0x1830000;
    static const uint8_t param[] = "\0\5hello";
    g_autofree void *fdt = NULL;
    uint64_t bounce, len, slot, hv_args;
    UvPefRegs r, svm, hv;
    Guest *g;
    Host *h;

    if (!svm_up(&g, &h, &r)) {
        return;
    }
    fdt = secure_fdt(h);
    g_assert_cmpint(fdt_get_mem_rsv(fdt, fdt_num_mem_rsv(fdt) - 1, &bounce,
                                    &len), ==, 0);
    svm = r;

    /* ibm,get-system-parameter(42, buf, 100): the host sees a copy */
    svm_wr32(h, args, TOKEN_GET_SYSPARM);
    svm_wr32(h, args + 4, 3);
    svm_wr32(h, args + 8, 1);
    svm_wr32(h, args + 12, 42);
    svm_wr32(h, args + 16, buf);
    svm_wr32(h, args + 20, 100);
    svm_wr32(h, args + 24, 0);
    memset(svm_ptr(h, buf, 100), 0xEE, 100);
    r.gpr[3] = 0xF000;
    r.gpr[4] = args;
    r.nip = 0x7000;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xC00);
    g_assert_cmphex(r.gpr[3], ==, 0xF000);
    hv_args = r.gpr[4];
    g_assert_cmphex(hv_args, ==, bounce);
    r.gpr[4] = r.gpr[5] = 0;    /* the bounce gpa and the filler */
    assert_scrubbed(&r, 3, 1);
    g_assert_cmphex(cc_get_be32(h->normal + GUEST_RA + hv_args), ==,
                    TOKEN_GET_SYSPARM);
    g_assert_cmphex(cc_get_be32(h->normal + GUEST_RA + hv_args + 12), ==, 42);
    slot = cc_get_be32(h->normal + GUEST_RA + hv_args + 16);
    g_assert_cmphex(slot, >=, bounce);
    g_assert_cmphex(slot + 100, <=, bounce + len);
    g_assert_cmphex(cc_get_be32(h->normal + GUEST_RA + hv_args + 20), ==, 100);

    /* another RTAS call meanwhile: not passed on, status -1 */
    hv = r;
    r = svm;
    svm_wr32(h, args2, TOKEN_GET_SYSPARM);
    svm_wr32(h, args2 + 4, 3);
    svm_wr32(h, args2 + 8, 1);
    svm_wr32(h, args2 + 24, 0);
    r.gpr[3] = 0xF000;
    r.gpr[4] = args2;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_RESUME);
    g_assert_cmphex(r.gpr[3], ==, 0xF000);
    g_assert_cmphex(svm_rd32(h, args2 + 24), ==, 0xFFFFFFFF);

    /* the host answers: status, length and bytes come back, r3 stays */
    r = hv;
    cc_put_be32(h->normal + GUEST_RA + hv_args + 24, 0);
    memcpy(h->normal + GUEST_RA + slot, param, 7);
    memset(h->normal + GUEST_RA + slot + 7, 0x77, 93);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7000);
    g_assert_cmphex(r.gpr[3], ==, 0xF000);
    g_assert_cmphex(r.gpr[4], ==, args);
    g_assert_cmphex(svm_rd32(h, args + 24), ==, 0);
    g_assert_cmpmem(svm_ptr(h, buf, 7), 7, param, 7);
    g_assert_cmpint(svm_ptr(h, buf, 8)[7], ==, 0xEE);

    /*
     * start-cpu(1, 0x10000, r3): the host sees a cookie for r3; the new
     * thread's first UV_RETURN with it (r0) starts it where the SVM said
     */
    svm_wr32(h, args, TOKEN_START_CPU);
    svm_wr32(h, args + 4, 3);
    svm_wr32(h, args + 8, 1);
    svm_wr32(h, args + 12, 1);
    svm_wr32(h, args + 16, 0x10000);
    svm_wr32(h, args + 20, 0x12345678);
    r.gpr[3] = 0xF000;
    r.gpr[4] = args;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_LOAD);
    slot = cc_get_be32(h->normal + GUEST_RA + r.gpr[4] + 20);
    g_assert_cmphex(slot, !=, 0x12345678);
    g_assert_cmphex(slot, >=, 0x2000);
    g_assert_cmphex(cc_get_be32(h->normal + GUEST_RA + r.gpr[4] + 16), ==,
                    0x10000);
    cc_put_be32(h->normal + GUEST_RA + r.gpr[4] + 24, 0);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    hv = r;
    memset(&r, 0, sizeof(r));
    r.nip = 0x10000;
    r.msr = MSR_SF | MSR_ME;
    r.gpr[31] = 0x4321;
    g_assert_cmpint(uv_return(h, &r, slot), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x10000);
    g_assert_cmphex(r.msr, ==, MSR_SF | MSR_ME | MSR_S);
    g_assert_cmphex(r.gpr[3], ==, 0x12345678);
    /* once */
    memset(&r, 0, sizeof(r));
    g_assert_cmpint(uv_return(h, &r, slot), ==, UV_PEF_NEXT_RESUME);
    g_assert_cmphex(r.gpr[3], ==, U_STATE);
    r = hv;

    /* the bounce pages stay shared: unshare refused, unshare-all skips */
    g_assert_cmpint(svm_share(h, &r, UV_UNSHARE_PAGE, bounce, 1), ==, U_P2);
    g_assert_cmpint(svm_share(h, &r, UV_UNSHARE_ALL_PAGES, 0, 0), ==,
                    U_SUCCESS);
    g_assert_cmphex(tree_walk(h, bounce), ==, GUEST_RA + bounce);
    /* unreadable arguments (outside the slots): status untouched, r3 too */
    r.gpr[3] = 0xF000;
    r.gpr[4] = MEM_SIZE;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_RESUME);
    g_assert_cmphex(r.gpr[3], ==, 0xF000);
    host_free(h);
    guest_free(g);
}

/* The Secure VM's access at 0x7600 to device address @addr by @insn */
static UvPefNext mmio_fault(Host *h, UvPefRegs *r, uint32_t insn,
                            uint64_t addr)
{
    r->hsrr0 = 0x7600;
    r->hsrr1 = r->msr;
    r->asdr = addr & ~0xFFFULL;
    r->hdar = 0xC00A000000000000ULL | (addr & 0xFFF);
    r->insn = insn;
    r->have_insn = true;
    return uv_pef_svm_interrupt(h->uv, &svm_c, 0xE00, r);
}

/* Loads and stores outside the slots: H_LOGICAL_CI_LOAD / _STORE */
static void test_mmio(void)
{
    const uint64_t dev = 0x200000000ULL + 0x1234;
    UvPefRegs r, svm;
    Guest *g;
    Host *h;

    if (!svm_up(&g, &h, &r)) {
        return;
    }
    svm = r;

    /* lwz r5,8(r6) little-endian: the host loads, the bytes swap */
    g_assert_cmpint(mmio_fault(h, &r, 0x80A60008, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xC00);
    g_assert_cmphex(r.gpr[3], ==, 0x3C);
    g_assert_cmphex(r.gpr[4], ==, 4);
    g_assert_cmphex(r.gpr[5], ==, dev);
    assert_scrubbed(&r, 3, 3);
    r.gpr[4] = 0x11223344;
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7604);
    g_assert_cmphex(r.gpr[5], ==, 0x44332211);
    g_assert_cmphex(r.gpr[6], ==, svm.gpr[6]);
    g_assert_cmphex(r.msr, ==, svm.msr);

    /* lwbrx r5,r6,r7: no swap; a refused load reads all ones */
    g_assert_cmpint(mmio_fault(h, &r, 0x7CA63C2C, dev), ==,
                    UV_PEF_NEXT_LOAD);
    r.gpr[4] = 0x11223344;
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[5], ==, 0x11223344);
    g_assert_cmpint(mmio_fault(h, &r, 0x7CA63C2C, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmpint(uv_return(h, &r, (uint64_t)-4), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[5], ==, 0xFFFFFFFF);

    /* sthu r8,2(r9): the value goes swapped, RA gets the address */
    r.gpr[8] = 0x12345678ABCD;
    r.gpr[9] = 0x1000;
    g_assert_cmpint(mmio_fault(h, &r, 0xB5090002, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[3], ==, 0x40);
    g_assert_cmphex(r.gpr[4], ==, 2);
    g_assert_cmphex(r.gpr[6], ==, 0xCDAB);
    assert_scrubbed(&r, 3, 4);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7604);
    g_assert_cmphex(r.gpr[9], ==, 0x1002);

    /* stdu r5,-16(r1), big-endian: unswapped, r1 updated */
    r.msr &= ~MSR_LE;
    r.gpr[1] = 0x100;
    r.gpr[5] = 0x0102030405060708ULL;
    g_assert_cmpint(mmio_fault(h, &r, 0xF8A1FFF1, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[4], ==, 8);
    g_assert_cmphex(r.gpr[6], ==, 0x0102030405060708ULL);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[1], ==, 0xF0);
    /* lha r5,0(r6), big-endian: sign-extended */
    g_assert_cmpint(mmio_fault(h, &r, 0xA8A60000, dev), ==,
                    UV_PEF_NEXT_LOAD);
    r.gpr[4] = 0x8001;
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.gpr[5], ==, 0xFFFFFFFFFFFF8001ULL);

    /*
     * not a load or store (sync), an invalid form (lwzu r5,0(r5)), no
     * instruction: the host gets the 0xE00 itself
     */
    g_assert_cmpint(mmio_fault(h, &r, 0x7C0004AC, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xE00);
    g_assert_cmphex(r.gpr[3], ==, 0);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmpint(mmio_fault(h, &r, 0x84A50000, dev), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xE00);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    r.gpr[5] = 0;
    r.have_insn = false;
    r.hsrr0 = 0x7700;
    r.hsrr1 = r.msr;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xE00, &r);
    g_assert_cmphex(r.nip, ==, 0xE00);
    host_free(h);
    guest_free(g);
}

/* A Secure VM's hcall, an interrupt, one KVM injects, a page out and in */
static void test_reflect(void)
{
    Guest *g;
    Host *h;
    UvPefRegs r, svm, hv;
    uint64_t ra, cookie;
    uint8_t *plain;
    int i;

    if (!svm_up(&g, &h, &r)) {
        return;
    }
    svm = r;

    /* hcall: r3..r7 go out, one filler, r31 the cookie */
    r.gpr[3] = H_PUT_TERM_CHAR;
    r.nip = 0x7000;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xC00);
    g_assert_cmphex(r.gpr[3], ==, H_PUT_TERM_CHAR);
    for (i = 4; i < 8; i++) {
        g_assert_cmphex(r.gpr[i], ==, svm.gpr[i]);
    }
    r.gpr[8] = 0;           /* the random filler */
    assert_scrubbed(&r, 3, 5);
    g_assert_cmphex(r.srr1 & 0x300000, ==, 0x100000);   /* sc level 1 */
    cookie = r.gpr[31];
    r.gpr[4] = 0x77;        /* an output the Secure VM does not get */
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7000);
    g_assert_cmphex(r.msr, ==, svm.msr);
    g_assert_cmphex(r.gpr[3], ==, 0);
    for (i = 4; i < 32; i++) {
        g_assert_cmphex(r.gpr[i], ==, svm.gpr[i]);
    }
    svm.gpr[3] = 0;
    /* the host must give the thread back with the PIDR it took */
    r.gpr[3] = H_PUT_TERM_CHAR;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_LOAD);
    {
        UvPefCaller other = hv_c;
        UvPefRegs again = r;

        other.pid = 7;
        again.gpr[0] = 0;
        again.gpr[2] = again.srr1;
        again.gpr[3] = UV_RETURN;
        g_assert_cmpint(uv_pef_ucall_regs(h->uv,
                                          uv_pef_ucall_find(UV_RETURN),
                                          &other, &again), ==,
                        UV_PEF_NEXT_RESUME);
        g_assert_cmpint((int64_t)again.gpr[3], ==, U_STATE);
    }
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7000);
    /* the cookie is used up */
    hv = r;
    hv.gpr[31] = cookie;
    hv.srr1 = MSR_S;
    g_assert_cmpint(uv_return(h, &hv, 0), ==, UV_PEF_NEXT_RESUME);
    g_assert_cmpint((int64_t)hv.gpr[3], ==, U_STATE);

    /* an HDEC: to the host's 0x980, back where it was */
    r.hsrr0 = 0x7100;
    r.hsrr1 = r.msr;
    g_assert_cmpint(uv_pef_svm_interrupt(h->uv, &svm_c, 0x980, &r), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x980);
    assert_scrubbed(&r, 0, 0);
    hv = r;
    g_assert_cmpint(uv_return(h, &r, 0x1234), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7100);
    g_assert_cmphex(r.gpr[3], ==, svm.gpr[3]);

    /* again, and KVM injects an external interrupt (0x500) */
    r.hsrr0 = 0x7200;
    r.hsrr1 = r.msr;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xEA0, &r);
    r.hsrr0 = 0x500;
    r.hsrr1 = MSR_SF | MSR_ME | MSR_LE;
    r.srr1 = 0x00080000 | MSR_S;    /* status bits for the Secure VM */
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x500);
    g_assert_cmphex(r.msr, ==, MSR_SF | MSR_S | MSR_ME | MSR_LE);
    g_assert_cmphex(r.srr0, ==, 0x7200);
    g_assert_cmphex(r.srr1, ==, svm.msr | 0x00080000);
    /* the same at the relocation-on vector (LPCR[AIL]=3): IR and DR on */
    r.msr = svm.msr;
    r.hsrr0 = 0x7240;
    r.hsrr1 = r.msr;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xEA0, &r);
    r.hsrr0 = 0xC000000000004500ULL;
    r.hsrr1 = MSR_SF | MSR_ME | MSR_LE | 0x30;
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0xC000000000004500ULL);
    g_assert_cmphex(r.msr, ==, MSR_SF | MSR_S | MSR_ME | MSR_LE | 0x30);
    g_assert_cmphex(r.srr0, ==, 0x7240);
    /* H_CEDE with EE off: the host sees EE on, the SVM returns with it */
    r.msr = svm.msr & ~MSR_EE;
    r.gpr[3] = 0xE0;
    r.nip = 0x7280;
    g_assert_cmpint(uv_pef_svm_hcall(h->uv, &svm_c, &r), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_true(r.srr1 & MSR_EE);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7280);
    g_assert_cmphex(r.msr, ==, (svm.msr & ~MSR_EE) | MSR_EE);
    /* anything else is no interrupt: the Secure VM goes on */
    r.msr = svm.msr;
    r.hsrr0 = 0x7260;
    r.hsrr1 = r.msr;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xEA0, &r);
    r.hsrr0 = 0xC000000000006500ULL;
    r.hsrr1 = MSR_SF | MSR_ME | MSR_LE | 0x30;
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7260);
    g_assert_cmphex(r.msr, ==, svm.msr);

    /* an instruction for the hypervisor to emulate stays in the SVM */
    hv = r;
    r.hsrr0 = 0x7280;
    r.hsrr1 = r.msr;
    g_assert_cmpint(uv_pef_svm_interrupt(h->uv, &svm_c, 0xE40, &r), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x700);
    g_assert_cmphex(r.srr0, ==, 0x7280);
    g_assert_true(r.srr1 & (1ULL << 19));
    g_assert_true(r.msr & MSR_S);
    g_assert_cmphex(r.gpr[31], ==, hv.gpr[31]);
    r = hv;

    /* the host pages the kernel's first page out: ciphertext only */
    g_assert_cmpint(hv_ucall(h, UV_PAGE_OUT, LPID, SPARE_RA, KBASE, 0, 16),
                    ==, U_SUCCESS);
    plain = g->mem + KBASE;
    g_assert_true(memcmp(h->normal + SPARE_RA, plain, PG) != 0);
    g_assert_cmphex(tree_walk(h, KBASE), ==, 0);
    /*
     * the Secure VM touches it (in user mode): H_SVM_PAGE_IN, sent as
     * from the kernel (KVM refuses hcalls from problem state), then the
     * access again
     */
    r.msr |= MSR_PR;
    r.hsrr0 = 0x7300;
    r.hsrr1 = r.msr;
    r.asdr = KBASE;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xE00, &r);
    g_assert_cmphex(r.gpr[3], ==, H_SVM_PAGE_IN);
    g_assert_cmphex(r.gpr[4], ==, KBASE);
    g_assert_false(r.srr1 & MSR_PR);
    g_assert_true(r.srr1 & MSR_S);
    /* a changed byte is refused, the page as it went out is taken */
    h->normal[SPARE_RA + 100] ^= 1;
    g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, SPARE_RA, KBASE, 0, 16),
                    ==, U_P3);
    h->normal[SPARE_RA + 100] ^= 1;
    g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, SPARE_RA, KBASE, 0, 16),
                    ==, U_SUCCESS);
    g_assert_cmpint(uv_return(h, &r, 0), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x7300);
    g_assert_true(r.msr & MSR_PR);
    r.msr &= ~MSR_PR;
    ra = tree_walk(h, KBASE);
    g_assert_cmpmem(host_ptr(h, ra, PG), PG, plain, PG);

    /* share two pages: the host's pages, zeroed, become the guest's */
    hv = r;
    memset(h->normal + GUEST_RA + 0x300000, 0xAB, 2 * PG);
    r.nip = 0x7500;
    h->page_ins = 0;
    i = h->pate_calls;
    g_assert_cmpint(svm_share(h, &r, UV_SHARE_PAGE, 0x300000, 2), ==,
                    U_SUCCESS);
    g_assert_cmpint(h->page_ins, ==, 2);
    /* one TLB flush as the pages leave, one at the end: not one per page */
    g_assert_cmpint(h->pate_calls - i, ==, 2);
    g_assert_cmphex(r.nip, ==, 0x7500);
    g_assert_cmphex(r.gpr[20], ==, hv.gpr[20]);
    g_assert_cmphex(tree_walk(h, 0x310000), ==, GUEST_RA + 0x310000);
    g_assert_true(all_zero(h->normal + GUEST_RA + 0x300000, 2 * PG));
    /* again: nothing to do, the host is not asked */
    h->page_ins = 0;
    g_assert_cmpint(svm_share(h, &r, UV_SHARE_PAGE, 0x300000, 2), ==,
                    U_SUCCESS);
    g_assert_cmpint(h->page_ins, ==, 0);
    /* unshare one: a zeroed secure page again, the host's bytes not taken */
    memset(h->normal + GUEST_RA + 0x300000, 0xCD, PG);
    g_assert_cmpint(svm_share(h, &r, UV_UNSHARE_PAGE, 0x300000, 1), ==,
                    U_SUCCESS);
    ra = tree_walk(h, 0x300000);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    g_assert_true(all_zero(host_ptr(h, ra, PG), PG));
    g_assert_cmphex(tree_walk(h, 0x310000), ==, GUEST_RA + 0x310000);
    /* unshare all: the one still shared comes back zeroed */
    g_assert_cmpint(svm_share(h, &r, UV_UNSHARE_ALL_PAGES, 0, 0), ==,
                    U_SUCCESS);
    ra = tree_walk(h, 0x310000);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    g_assert_true(all_zero(host_ptr(h, ra, PG), PG));
    /* outside the slots */
    g_assert_cmpint(svm_share(h, &r, UV_SHARE_PAGE, MEM_SIZE, 1), ==, U_P2);

    /* out again; an altered copy back: a machine check, nothing mapped */
    g_assert_cmpint(hv_ucall(h, UV_PAGE_OUT, LPID, SPARE_RA, KBASE, 0, 16),
                    ==, U_SUCCESS);
    h->normal[SPARE_RA + 7] ^= 0x80;
    r.hsrr0 = 0x7400;
    r.hsrr1 = r.msr;
    r.asdr = KBASE;
    uv_pef_svm_interrupt(h->uv, &svm_c, 0xE20, &r);
    g_assert_cmphex(r.gpr[3], ==, H_SVM_PAGE_IN);
    g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, SPARE_RA, KBASE, 0, 16),
                    ==, U_P3);
    g_assert_cmpint(uv_return(h, &r, (uint64_t)-4), ==, UV_PEF_NEXT_LOAD);
    g_assert_cmphex(r.nip, ==, 0x200);
    g_assert_cmphex(r.srr0, ==, 0x7400);
    g_assert_true(r.msr & MSR_S);
    g_assert_cmphex(tree_walk(h, KBASE), ==, 0);

    /* KVM_PPC_SVM_OFF: the entry and every secure page go */
    g_assert_cmpint(hv_ucall(h, UV_UNREGISTER_MEM_SLOT, LPID, 1, 0, 0, 0),
                    ==, U_SUCCESS);
    g_assert_cmpint(hv_ucall(h, UV_SVM_TERMINATE, LPID, 0, 0, 0, 0), ==,
                    U_SUCCESS);
    g_assert_cmphex(pate_dw0(h, LPID), ==, 0);
    g_assert_true(all_zero(h->secure + 0x20000, SECURE_SIZE - 0x20000));
    host_free(h);
    guest_free(g);
}

/* Tampered input: the abort path, nothing left in secure memory */
static void test_abort(void)
{
    Guest *g;
    Host *h;
    UvPefRegs r;
    UvPefInfo info;
    int i;

    if (!need_tpm()) {
        return;
    }
    g = guest_new(pem);
    put_fdt(g, "console=hvc0 svm=off", NULL);
    h = host_new(g);
    g_assert_false(esm(h, &r));
    g_assert_cmpint(h->init_abort, ==, 1);
    g_assert_cmpint(h->init_done, ==, 0);
    g_assert_cmpstr(uv_pef_esm_reason(h->uv), ==,
                    uv_esm_status_str(UV_ESM_BOOTARGS));
    /* the guest resumes after its sc 2 with its own registers */
    g_assert_cmphex(r.nip, ==, VM_NIP);
    g_assert_false(r.msr & MSR_S);
    g_assert_cmphex(r.gpr[31], ==, VM_R31);
    for (i = 6; i < 31; i++) {
        g_assert_cmphex(r.gpr[i], ==, 0x5100 + i);
    }
    /*
     * the host's page-out got the page back as the host gave it (the
     * tree's), so the guest can report the failure; terminate freed
     * everything
     */
    g_assert_cmpmem(h->normal + SPARE_RA, PG, g->mem + FDT_BASE, PG);
    uv_pef_get_info(h->uv, &info);
    g_assert_cmpuint(info.partitions->len, ==, 0);
    g_assert_cmphex(info.secure_used, ==, 0x10000 + 16 * 4096);
    uv_pef_info_clear(&info);
    g_assert_true(all_zero(h->secure + 0x20000, SECURE_SIZE - 0x20000));
    host_free(h);

    /* a host that refuses INIT_START aborts too */
    put_fdt(g, BOOTARGS, NULL);
    h = host_new(g);
    h->init_start_rc = H_UNSUPPORTED;
    g_assert_false(esm(h, &r));
    g_assert_cmpint(h->page_ins, ==, 0);
    g_assert_cmpint(h->init_abort, ==, 1);
    host_free(h);
    guest_free(g);
}

/*
 * A hostile host (the attacks of a review, each must fail): it names
 * pages shared, replaces a measured page before the commit, answers an
 * unshare as a share, re-registers a slot, invalidates a shared page, and
 * wakes a thread of a terminated Secure VM after a new one took its LPID.
 */
static void test_hostile(void)
{
    Guest *g;
    Host *h;
    UvPefRegs r, old, vm;
    uint64_t ra;

    if (!need_tpm()) {
        return;
    }
    g = guest_new(pem);
    h = host_new(g);
    h->replace_at_init_done = true;
    g_assert_true(esm(h, &r));
    h->replace_at_init_done = false;
    ra = tree_walk(h, KBASE);
    g_assert_cmpmem(host_ptr(h, ra, PG), PG, g->mem + KBASE, PG);

    /* "shared" by the host's say-so: refused, the page stays secure */
    g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, EVIL_RA, KBASE, 1, 16), ==,
                    U_P2);
    g_assert_cmphex(tree_walk(h, KBASE), ==, ra);

    /* an unshare answered as a share still ends as a zeroed secure page */
    svm_share(h, &r, UV_SHARE_PAGE, 0x300000, 1);
    h->pagein_flags = 1;
    svm_share(h, &r, UV_UNSHARE_PAGE, 0x300000, 1);
    h->pagein_flags = 0;
    ra = tree_walk(h, 0x300000);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    g_assert_true(all_zero(host_ptr(h, ra, PG), PG));

    /* PAGE_INVAL of a shared page unmaps it, and flushes */
    svm_share(h, &r, UV_SHARE_PAGE, 0x300000, 1);
    h->pate_calls = 0;
    g_assert_cmpint(hv_ucall(h, UV_PAGE_INVAL, LPID, 0x300000, 16, 0, 0), ==,
                    U_SUCCESS);
    g_assert_cmphex(tree_walk(h, 0x300000), ==, 0);
    g_assert_cmpint(h->pate_calls, >, 0);

    /* a slot registered again starts as zeroed secure pages */
    g_assert_cmpint(hv_ucall(h, UV_UNREGISTER_MEM_SLOT, LPID, 1, 0, 0, 0),
                    ==, U_SUCCESS);
    g_assert_cmpint(hv_ucall(h, UV_REGISTER_MEM_SLOT, LPID, 0, MEM_SIZE, 0,
                             1), ==, U_SUCCESS);
    ra = tree_walk(h, KBASE);
    g_assert_cmphex(ra, >=, SECURE_BASE);
    g_assert_true(all_zero(host_ptr(h, ra, PG), PG));
    g_assert_cmpint(hv_ucall(h, UV_PAGE_IN, LPID, EVIL_RA, KBASE, 0, 16), ==,
                    U_P2);

    /*
     * The thread of a terminated SVM (cpu 0), woken after a new guest on
     * another cpu took the LPID: it leaves S=1 with an empty frame.
     */
    old = r;
    g_assert_cmpint(hv_ucall(h, UV_SVM_TERMINATE, LPID, 0, 0, 0, 0), ==,
                    U_SUCCESS);
    vm_regs(&vm, UV_ESM, KBASE, FDT_BASE);
    {
        UvPefCaller cpu1 = vm_c;

        cpu1.cpu_index = 1;
        g_assert_cmpint(uv_pef_ucall_regs(h->uv, uv_pef_ucall_find(UV_ESM),
                                          &cpu1, &vm), ==, UV_PEF_NEXT_LOAD);
    }
    g_assert_cmphex(vm.gpr[3], ==, H_SVM_INIT_START);
    old.hsrr0 = old.nip;
    old.hsrr1 = old.msr;
    g_assert_cmpint(uv_pef_svm_interrupt(h->uv, &svm_c, 0x980, &old), ==,
                    UV_PEF_NEXT_LOAD);
    g_assert_true(old.msr & MSR_HV);
    g_assert_true(all_zero((uint8_t *)old.gpr, sizeof(old.gpr)));
    g_assert_true(all_zero((uint8_t *)old.spr, sizeof(old.spr)));
    g_assert_true(all_zero((uint8_t *)old.fp, sizeof(old.fp)));
    g_assert_cmpint(uv_return(h, &old, 0), ==, UV_PEF_NEXT_RESUME);
    g_assert_cmpint((int64_t)old.gpr[3], ==, U_STATE);
    host_free(h);
    guest_free(g);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!guest_tpm_start(&tpm, 'n', &tkey, &pem)) {
        pem = test_new_rsa_pem();
    }
    g_test_add_func("/uv-pef-nest/esm", test_esm);
    g_test_add_func("/uv-pef-nest/reflect", test_reflect);
    g_test_add_func("/uv-pef-nest/rtas", test_rtas);
    g_test_add_func("/uv-pef-nest/mmio", test_mmio);
    g_test_add_func("/uv-pef-nest/abort", test_abort);
    g_test_add_func("/uv-pef-nest/hostile", test_hostile);
    ret = g_test_run();
    guest_tpm_stop(&tpm, pem);
    return ret;
}
