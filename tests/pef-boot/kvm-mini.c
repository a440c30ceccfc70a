/*
 * kvm-mini: the smallest KVM-HV guest run, for use inside a powernv host
 *
 * Runs as a static ppc64le program in the L1 powernv Linux (which itself
 * runs under QEMU TCG).  It creates a KVM-HV VM with 16 MiB of RAM and one
 * vCPU, writes a little-endian real-mode guest program at guest address 0
 * and drives it through two hypervisor calls that KVM-HV hands to
 * userspace (KVM_EXIT_PAPR_HCALL):
 *
 *   1. H_RTAS (0xf000): above KVM's in-kernel hcall range and, with no RTAS
 *      tokens defined, always passed out.  r4 = sum 1..100 computed by a
 *      loop in the guest, r5 = the guest's MSR (mfmsr).  We answer with
 *      r3 = H_SUCCESS and r4 = a cookie.
 *   2. H_PUT_TERM_CHAR (0x58): in the PAPR range but not enabled in KVM-HV
 *      by default, so passed out too.  r4 = 0 (vterm), r5 = 8 (length),
 *      r6 = "KVM-MINI" (big-endian byte order, as PAPR packs characters),
 *      r8 = cookie * 3 + sum (a register kept across hcall 1), r9 = the
 *      sum stored to guest memory before hcall 1 and loaded back after it,
 *      r10 = hcall 1's return code as the guest saw it.
 *
 * Prints one line, "KVM-MINI OK ..." or "KVM-MINI FAIL <why>", and exits
 * 0 / 1.  Build: powerpc64le-linux-gnu-gcc -static -O2 -o kvm-mini kvm-mini.c
 *
 * "kvm-mini --esm" runs a radix VM with KVM_CAP_PPC_SECURE_GUEST whose
 * guest asks the ultravisor to enter secure mode (UV_ESM, "sc 2") with a
 * device tree that is no device tree.  The ultravisor starts the host's
 * side of the sequence (H_SVM_INIT_START, UV_REGISTER_MEM_SLOT,
 * H_SVM_PAGE_IN / UV_PAGE_IN of the tree's page), finds the tree bad and
 * takes the abort path (H_SVM_INIT_ABORT): KVM terminates the SVM and
 * resumes the guest after its sc 2 with H_PARAMETER, and the guest reports
 * r3, its r31 (which the abort path keeps) and its MSR through H_RTAS.
 * Prints "KVM-MINI ESM-ABORT OK ..." (docs/devel/pef-nested-svm.rst
 * sections 2 and 9).
 *
 * "kvm-mini --svm DIR [MODE] [PAUSE]" starts a real Secure VM: DIR holds
 * kernel.bin (svm-mini.S, objcopy'd), initrd (mk-esm-blob's esmb-initrd
 * for it) and bootargs; kvm-mini lays them out with RTAS (SLOF's stub)
 * and a device tree as prom_init would, and the guest calls UV_ESM.
 * svm-mini first shares a page (UV_SHARE_PAGE: the ultravisor's
 * H_SVM_PAGE_IN(shared) to KVM) and fills it: kvm-mini must read that
 * through its own mapping.  After svm-mini's round 0 (which must report
 * MSR[S]=1) kvm-mini reads
 * the whole of guest memory through its own mapping (KVM pages every
 * secure page out through UV_PAGE_OUT), prints "KVM-MINI SVM PAUSE" and
 * sleeps PAUSE seconds, or with PAUSE -1 waits for a line on stdin (a
 * host-side dump can be taken meanwhile), then per MODE:
 *   ok       round 1 must find its secret intact (pages come back in);
 *   tamper   one byte of the secret page's copy is changed: round 1 must
 *            be the Secure VM's machine check (0x200), not its data;
 *   replay   after round 1, the page goes out again and the copy of the
 *            first page-out is put back: round 2 must be a machine check;
 *   no-esm   the same guest without UV_ESM (the positive control: its
 *            memory is the host's).
 * Prints "KVM-MINI SVM OK <mode> ..." or "KVM-MINI FAIL ...".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#define GUEST_RAM_SIZE      (16 * 1024 * 1024)
#define GUEST_DATA_ADDR     0x1000  /* where the guest stores its sum */

#define HC_RTAS             0xf000  /* H_RTAS */
#define HC_PUT_TERM_CHAR    0x58    /* H_PUT_TERM_CHAR */
#define H_SUCCESS           0

#define MSR_SF              (1ULL << 63)
#define MSR_HV              (1ULL << 60)
#define MSR_PR              (1ULL << 14)
#define MSR_ME              (1ULL << 12)
#define MSR_IR              (1ULL << 5)
#define MSR_DR              (1ULL << 4)
#define MSR_LE              (1ULL << 0)
#define GUEST_MSR           (MSR_SF | MSR_ME | MSR_LE)

#define SUM_N               100
#define SUM_EXPECTED        (SUM_N * (SUM_N + 1) / 2)
#define TEXT_BE             0x4B564D2D4D494E49ULL   /* "KVM-MINI" */

static void km_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void km_fail(const char *fmt, ...)
{
    va_list ap;

    printf("KVM-MINI FAIL ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(1);
}

/* Instruction encoders (Power ISA v3.0B, 64-bit) */
static uint32_t d_form(unsigned op, unsigned rt, unsigned ra, uint32_t imm)
{
    return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff);
}

static uint32_t x_form(unsigned rt, unsigned ra, unsigned rb, unsigned xo)
{
    return (31u << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1);
}

#define I_LI(rt, v)         d_form(14, rt, 0, (uint32_t)(v))    /* addi */
#define I_ADDI(rt, ra, v)   d_form(14, rt, ra, (uint32_t)(v))
#define I_LIS(rt, v)        d_form(15, rt, 0, (uint32_t)(v))    /* addis */
#define I_ORI(ra, rs, v)    d_form(24, rs, ra, (v))
#define I_ORIS(ra, rs, v)   d_form(25, rs, ra, (v))
#define I_MULLI(rt, ra, v)  d_form(7, rt, ra, (uint32_t)(v))
#define I_STD(rs, ds, ra)   d_form(62, rs, ra, (ds) & 0xfffc)
#define I_LD(rt, ds, ra)    d_form(58, rt, ra, (ds) & 0xfffc)
#define I_ADD(rt, ra, rb)   x_form(rt, ra, rb, 266)
#define I_MR(ra, rs)        x_form(rs, ra, rs, 444)             /* or */
#define I_MFMSR(rt)         x_form(rt, 0, 0, 83)
#define I_MTCTR(rs)         ((31u << 26) | ((rs) << 21) | (9u << 16) | \
                             (467u << 1))
#define I_BDNZ(off)         ((16u << 26) | (16u << 21) | ((off) & 0xfffc))
#define I_B(off)            ((18u << 26) | ((off) & 0x03fffffc))
#define I_SC1               0x44000022u
#define I_SC2               0x44000042u

/* --esm: the ultravisor's Enter Secure Mode and what the guest hands it */
#define UV_ESM              0xF110
#define H_PARAMETER         (-4)
#define MSR_S               (1ULL << 22)
#define ESM_KBASE           0x100000
#define ESM_FDT             0x200000
#define ESM_PRTB            0x300000    /* an empty process table */
#define ESM_R31             0x5EC0DE5EC0DE0031ULL
#define PATB_GR             (1ULL << 63)

/* sldi ra,rs,32 = rldicr ra,rs,32,31 */
static uint32_t i_sldi32(unsigned ra, unsigned rs)
{
    unsigned sh = 32, me = 31;

    return (30u << 26) | (rs << 21) | (ra << 16) | ((sh & 0x1f) << 11) |
           ((((me & 0x1f) << 1) | (me >> 5)) << 5) | (1u << 2) |
           ((sh >> 5) << 1);
}

typedef struct Code {
    uint32_t *p;
    unsigned n;
} Code;

static void emit(Code *c, uint32_t insn)
{
    c->p[c->n++] = insn;    /* host and guest are both little-endian */
}

/* Load a 64-bit constant into rt (5 instructions) */
static void emit_li64(Code *c, unsigned rt, uint64_t v)
{
    emit(c, I_LIS(rt, (uint32_t)(v >> 48)));
    emit(c, I_ORI(rt, rt, (uint32_t)(v >> 32) & 0xffff));
    emit(c, i_sldi32(rt, rt));
    emit(c, I_ORIS(rt, rt, (uint32_t)(v >> 16) & 0xffff));
    emit(c, I_ORI(rt, rt, (uint32_t)v & 0xffff));
}

static void write_guest(uint32_t *mem)
{
    Code c = { mem, 0 };
    unsigned loop;

    /* r4 = sum of 1..SUM_N, counted down with CTR */
    emit(&c, I_LI(4, 0));
    emit(&c, I_LI(5, SUM_N));
    emit(&c, I_MTCTR(5));
    loop = c.n;
    emit(&c, I_ADD(4, 4, 5));
    emit(&c, I_ADDI(5, 5, -1));
    emit(&c, I_BDNZ((int32_t)(loop - c.n) * 4));
    /* keep it in r14 (not touched by the hcall ABI) and in memory */
    emit(&c, I_MR(14, 4));
    emit(&c, I_STD(14, GUEST_DATA_ADDR, 0));
    emit(&c, I_MFMSR(5));
    /* hcall 1: H_RTAS */
    emit(&c, I_LI(3, 0));
    emit(&c, I_ORI(3, 3, HC_RTAS));
    emit(&c, I_SC1);
    /* back: r3 = return code, r4 = cookie */
    emit(&c, I_MR(10, 3));
    emit(&c, I_MULLI(8, 4, 3));
    emit(&c, I_ADD(8, 8, 14));
    emit(&c, I_LD(9, GUEST_DATA_ADDR, 0));
    /* hcall 2: H_PUT_TERM_CHAR(0, 8, "KVM-MINI", 0) */
    emit(&c, I_LI(3, HC_PUT_TERM_CHAR));
    emit(&c, I_LI(4, 0));
    emit(&c, I_LI(5, 8));
    emit_li64(&c, 6, TEXT_BE);
    emit(&c, I_LI(7, 0));
    emit(&c, I_SC1);
    /* nothing more to do: spin */
    emit(&c, I_B(0));
}

/*
 * --esm: r31 = a pattern, UV_ESM(ESM_KBASE, ESM_FDT), then H_RTAS with
 * r4 = what UV_ESM returned, r5 = r31, r6 = MSR.
 */
static void write_esm_guest(uint8_t *mem)
{
    Code c = { (uint32_t *)mem, 0 };
    static const uint8_t bad_fdt[8] = {
        0xd0, 0x0d, 0xfe, 0xed,         /* FDT magic ... */
        0x00, 0x00, 0x01, 0x00,         /* ... 256 bytes, all wrong */
    };

    emit_li64(&c, 31, ESM_R31);
    emit_li64(&c, 3, UV_ESM);
    emit_li64(&c, 4, ESM_KBASE);
    emit_li64(&c, 5, ESM_FDT);
    emit(&c, I_SC2);
    emit(&c, I_MR(4, 3));
    emit(&c, I_MR(5, 31));
    emit(&c, I_MFMSR(6));
    emit(&c, I_LI(3, 0));
    emit(&c, I_ORI(3, 3, HC_RTAS));
    emit(&c, I_SC1);
    emit(&c, I_B(0));
    memset(mem + ESM_FDT, 0xff, 256);
    memcpy(mem + ESM_FDT, bad_fdt, sizeof(bad_fdt));
}

static const char *exit_name(uint32_t r)
{
    switch (r) {
    case KVM_EXIT_UNKNOWN:
        return "UNKNOWN";
    case KVM_EXIT_EXCEPTION:
        return "EXCEPTION";
    case KVM_EXIT_MMIO:
        return "MMIO";
    case KVM_EXIT_INTR:
        return "INTR";
    case KVM_EXIT_FAIL_ENTRY:
        return "FAIL_ENTRY";
    case KVM_EXIT_INTERNAL_ERROR:
        return "INTERNAL_ERROR";
    case KVM_EXIT_PAPR_HCALL:
        return "PAPR_HCALL";
    case KVM_EXIT_DEBUG:
        return "DEBUG";
    default:
        return "?";
    }
}

/* KVM_RUN until something other than a signal interruption comes back */
static void run_vcpu(int vcpu, struct kvm_run *run, int round)
{
    int tries;

    for (tries = 0; tries < 100; tries++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            km_fail("round %d: KVM_RUN: %s", round, strerror(errno));
        }
        if (run->exit_reason != KVM_EXIT_INTR) {
            return;
        }
    }
    km_fail("round %d: KVM_RUN keeps returning without an exit", round);
}

static void dump_regs(int vcpu)
{
    struct kvm_regs regs;

    if (ioctl(vcpu, KVM_GET_REGS, &regs) == 0) {
        printf("kvm-mini: pc=0x%" PRIx64 " msr=0x%" PRIx64
               " srr0=0x%" PRIx64 " srr1=0x%" PRIx64 " r3=0x%" PRIx64 "\n",
               (uint64_t)regs.pc, (uint64_t)regs.msr, (uint64_t)regs.srr0,
               (uint64_t)regs.srr1, (uint64_t)regs.gpr[3]);
    }
}

static void expect_hcall(int vcpu, struct kvm_run *run, int round,
                         uint64_t nr)
{
    if (run->exit_reason != KVM_EXIT_PAPR_HCALL) {
        dump_regs(vcpu);
        km_fail("round %d: exit_reason %u (%s), expected PAPR_HCALL",
               round, run->exit_reason, exit_name(run->exit_reason));
    }
    if (run->papr_hcall.nr != nr) {
        km_fail("round %d: hcall nr 0x%llx, expected 0x%" PRIx64, round,
               (unsigned long long)run->papr_hcall.nr, nr);
    }
}

/* ---- --svm ---- */

#define SVM_RTAS            0x180000
#define SVM_RTAS_SIZE       0x1000
#define SVM_INITRD          0x400000
#define SVM_R14             0x0123456789ABCDEFULL
#define SVM_DATA            (ESM_KBASE + 0x10000)   /* svm-mini's data page */
#define SVM_GOOD            0x600D
#define SVM_BAD             0x0BAD
#define SVM_MCHECK          0x3BAD                  /* its 0x200 report */
#define PAGE_64K            0x10000
#define SVM_SHARED          0x500000    /* svm-mini shares this page ... */
#define SVM_SHARED_MARK     0x5A5AULL   /* ... and fills it with this */

/* SLOF's RTAS code the digests cover (uv-pef-esm.h uv_esm_rtas_stub) */
static const uint8_t slof_rtas[20] = {
    0x7c, 0x64, 0x1b, 0x78, 0x3c, 0x60, 0x00, 0x00, 0x60, 0x63,
    0xf0, 0x00, 0x44, 0x00, 0x00, 0x22, 0x4e, 0x80, 0x00, 0x20,
};

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    uint8_t *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END)) {
        km_fail("cannot read %s: %s", path, strerror(errno));
    }
    n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET)) {
        km_fail("cannot read %s: %s", path, strerror(errno));
    }
    buf = malloc(n + 1);
    if (!buf || fread(buf, 1, n, f) != (size_t)n) {
        km_fail("cannot read %s", path);
    }
    buf[n] = 0;
    fclose(f);
    *len = n;
    return buf;
}

/* A flattened device tree, the little prom_init passes to UV_ESM */
typedef struct Fdt {
    uint8_t st[1024], str[256];
    unsigned nst, nstr;
} Fdt;

static void fdt_u32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void fdt_tok(Fdt *f, uint32_t v)
{
    fdt_u32(f->st + f->nst, v);
    f->nst += 4;
}

static void fdt_bytes(Fdt *f, const void *d, unsigned n)
{
    memcpy(f->st + f->nst, d, n);
    f->nst += n;
    while (f->nst & 3) {
        f->st[f->nst++] = 0;
    }
}

static void fdt_node(Fdt *f, const char *name)
{
    fdt_tok(f, 1);                          /* FDT_BEGIN_NODE */
    fdt_bytes(f, name, strlen(name) + 1);
}

static void fdt_prop(Fdt *f, const char *name, const void *v, unsigned n)
{
    fdt_tok(f, 3);                          /* FDT_PROP */
    fdt_tok(f, n);
    fdt_tok(f, f->nstr);
    memcpy(f->str + f->nstr, name, strlen(name) + 1);
    f->nstr += strlen(name) + 1;
    fdt_bytes(f, v, n);
}

static void fdt_prop64(Fdt *f, const char *name, uint64_t v)
{
    uint8_t b[8];

    fdt_u32(b, v >> 32);
    fdt_u32(b + 4, v);
    fdt_prop(f, name, b, 8);
}

static void write_fdt(uint8_t *out, const char *bootargs, uint64_t initrd_end)
{
    Fdt f = { .nst = 0 };
    unsigned off_st = 40 + 16, off_str;

    fdt_node(&f, "");
    fdt_node(&f, "chosen");
    fdt_prop(&f, "bootargs", bootargs, strlen(bootargs) + 1);
    fdt_prop64(&f, "linux,initrd-start", SVM_INITRD);
    fdt_prop64(&f, "linux,initrd-end", initrd_end);
    fdt_tok(&f, 2);                         /* FDT_END_NODE */
    fdt_node(&f, "rtas");
    fdt_prop64(&f, "linux,rtas-base", SVM_RTAS);
    fdt_prop64(&f, "rtas-size", SVM_RTAS_SIZE);
    fdt_prop64(&f, "slof,rtas-size", sizeof(slof_rtas));
    fdt_tok(&f, 2);
    fdt_tok(&f, 2);
    fdt_tok(&f, 9);                         /* FDT_END */
    off_str = off_st + f.nst;
    fdt_u32(out, 0xd00dfeed);
    fdt_u32(out + 4, off_str + f.nstr);     /* totalsize */
    fdt_u32(out + 8, off_st);
    fdt_u32(out + 12, off_str);
    fdt_u32(out + 16, 40);                  /* memory reservation map */
    fdt_u32(out + 20, 17);                  /* version */
    fdt_u32(out + 24, 16);
    fdt_u32(out + 28, 0);
    fdt_u32(out + 32, f.nstr);
    fdt_u32(out + 36, f.nst);
    memset(out + 40, 0, 16);
    memcpy(out + off_st, f.st, f.nst);
    memcpy(out + off_str, f.str, f.nstr);
}

/*
 * Guest memory for --svm: at 0 the boot code (r14 = a pattern, UV_ESM or,
 * for the control, a jump to the kernel with the same registers), the
 * kernel, RTAS, the tree and the initrd.
 */
static void write_svm_guest(uint8_t *mem, const char *dir, bool do_esm)
{
    Code c = { (uint32_t *)mem, 0 };
    size_t klen, ilen, blen;
    uint8_t *k = slurp(dir, "kernel.bin", &klen);
    uint8_t *i = slurp(dir, "initrd", &ilen);
    char *b = (char *)slurp(dir, "bootargs", &blen);

    while (blen && (b[blen - 1] == '\n')) {
        b[--blen] = 0;
    }
    if (ESM_KBASE + klen > SVM_RTAS || SVM_INITRD + ilen > GUEST_RAM_SIZE) {
        km_fail("kernel (%zu bytes) or initrd (%zu bytes) too big", klen,
                ilen);
    }
    memcpy(mem + ESM_KBASE, k, klen);
    memcpy(mem + SVM_RTAS, slof_rtas, sizeof(slof_rtas));
    memcpy(mem + SVM_INITRD, i, ilen);
    write_fdt(mem + ESM_FDT, b, SVM_INITRD + ilen);

    emit_li64(&c, 14, SVM_R14);
    emit_li64(&c, 4, ESM_KBASE);
    emit_li64(&c, 5, ESM_FDT);
    if (do_esm) {
        emit_li64(&c, 3, UV_ESM);
        emit(&c, I_SC2);
        /* only if UV_ESM failed: report it with H_RTAS */
        emit(&c, I_MR(4, 3));
        emit(&c, I_LI(3, 0));
        emit(&c, I_ORI(3, 3, HC_RTAS));
        emit(&c, I_SC1);
        emit(&c, I_B(0));
    } else {
        emit(&c, I_MR(3, 5));
        emit(&c, I_MTCTR(4));
        emit(&c, 0x4e800420u);              /* bctr */
    }
    free(k);
    free(i);
    free(b);
}

/* svm-mini's next report; returns its args (r4..) */
static uint64_t *svm_round(int vcpu, struct kvm_run *run, int round)
{
    uint64_t *a;

    run_vcpu(vcpu, run, round);
    if (run->exit_reason == KVM_EXIT_PAPR_HCALL &&
        run->papr_hcall.nr == HC_RTAS) {
        km_fail("UV_ESM failed: r3=0x%llx",
                (unsigned long long)run->papr_hcall.args[0]);
    }
    expect_hcall(vcpu, run, round, HC_PUT_TERM_CHAR);
    a = (uint64_t *)run->papr_hcall.args;
    printf("kvm-mini: round %d r4=0x%" PRIx64 " r5=0x%" PRIx64 " r6=0x%"
           PRIx64 " r7=0x%" PRIx64 "\n", round, a[0], a[1], a[2], a[3]);
    return a;
}

/* Read all of guest memory as the host can; the copy stays in @copy */
static void host_read_all(const uint8_t *mem, uint8_t *copy)
{
    size_t off;

    for (off = 0; off < GUEST_RAM_SIZE; off += PAGE_64K) {
        memcpy(copy + off, mem + off, PAGE_64K);
    }
}

static int svm_main(int vcpu, struct kvm_run *run, uint8_t *mem,
                    const char *mode, int pause)
{
    bool control = strcmp(mode, "no-esm") == 0;
    uint8_t *copy = malloc(GUEST_RAM_SIZE), *first = malloc(PAGE_64K);
    uint64_t *a;
    uint64_t want = control || strcmp(mode, "ok") == 0 ? SVM_GOOD
                                                        : SVM_MCHECK;

    if (!copy || !first) {
        km_fail("out of memory");
    }
    /* the page svm-mini shared: the host sees what it wrote there */
    a = svm_round(vcpu, run, 0);
    if (!control && a[0] != 0) {
        km_fail("UV_SHARE_PAGE returned 0x%" PRIx64, a[0]);
    }
    for (size_t off = 0; off < PAGE_64K; off += 8) {
        uint64_t v;

        memcpy(&v, mem + SVM_SHARED + off, 8);
        if (v != SVM_SHARED_MARK) {
            km_fail("shared page at +0x%zx holds 0x%" PRIx64, off, v);
        }
    }
    a = svm_round(vcpu, run, 0);
    if (!control && !(a[0] & MSR_S)) {
        km_fail("svm-mini runs with MSR 0x%" PRIx64 ": not secure", a[0]);
    }
    if (control && (a[0] & MSR_S)) {
        km_fail("the control runs with MSR[S]=1");
    }
    if (a[1] != ESM_FDT || a[2] != ESM_KBASE || a[3] != SVM_R14) {
        km_fail("svm-mini entered with r3=0x%" PRIx64 " r4=0x%" PRIx64
                " r14=0x%" PRIx64, a[1], a[2], a[3]);
    }
    run->papr_hcall.ret = 7;
    host_read_all(mem, copy);
    memcpy(first, copy + SVM_DATA, PAGE_64K);
    printf("KVM-MINI SVM PAUSE %d\n", pause);
    if (pause >= 0) {
        sleep(pause);
    } else {
        char line[64];

        /* until the host's test types a line on the console */
        if (!fgets(line, sizeof(line), stdin)) {
            km_fail("no line on stdin to go on");
        }
    }
    if (strcmp(mode, "tamper") == 0) {
        mem[SVM_DATA + 0x123] ^= 0x10;
    }
    a = svm_round(vcpu, run, 1);
    if (strcmp(mode, "replay") == 0) {
        if (a[0] != SVM_GOOD || a[3] != 7) {
            km_fail("round 1 before the replay: 0x%" PRIx64, a[0]);
        }
        run->papr_hcall.ret = 0;
        memcpy(copy, mem + SVM_DATA, PAGE_64K);
        if (memcmp(copy, first, PAGE_64K) == 0) {
            km_fail("the second page-out has the first one's bytes");
        }
        memcpy(mem + SVM_DATA, first, PAGE_64K);
        a = svm_round(vcpu, run, 2);
    }
    if (a[0] != want) {
        km_fail("svm-mini reported 0x%" PRIx64 ", expected 0x%" PRIx64
                " (%s)", a[0], want, mode);
    }
    if (want == SVM_GOOD && a[3] != 7) {
        km_fail("svm-mini saw r3=0x%" PRIx64 " from the host, expected 7",
                a[3]);
    }
    printf("KVM-MINI SVM OK %s report=0x%" PRIx64 " msr=0x%" PRIx64 "\n",
           mode, a[0], a[1]);
    free(copy);
    free(first);
    return 0;
}

/* --esm: radix, secure guests allowed; then the abort path's result */
static void esm_setup(int kvm, int vm)
{
    struct kvm_ppc_mmuv3_cfg mmu = {
        .flags = KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE,
        .process_table = PATB_GR | ESM_PRTB,
    };
    struct kvm_enable_cap cap = { .cap = KVM_CAP_PPC_SECURE_GUEST };

    printf("kvm-mini: secure_guest=%d\n",
           ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_SECURE_GUEST));
    if (ioctl(vm, KVM_PPC_CONFIGURE_V3_MMU, &mmu) < 0) {
        km_fail("KVM_PPC_CONFIGURE_V3_MMU(radix): %s", strerror(errno));
    }
    if (ioctl(vm, KVM_ENABLE_CAP, &cap) < 0) {
        km_fail("KVM_ENABLE_CAP(KVM_CAP_PPC_SECURE_GUEST): %s",
                strerror(errno));
    }
}

static int esm_check(int vcpu, struct kvm_run *run)
{
    uint64_t *a;

    run_vcpu(vcpu, run, 1);
    expect_hcall(vcpu, run, 1, HC_RTAS);
    a = (uint64_t *)run->papr_hcall.args;
    printf("kvm-mini: after UV_ESM r3=0x%" PRIx64 " r31=0x%" PRIx64
           " msr=0x%" PRIx64 "\n", a[0], a[1], a[2]);
    if (a[0] != (uint64_t)H_PARAMETER) {
        km_fail("UV_ESM returned 0x%" PRIx64 ", expected H_PARAMETER from "
                "KVM's H_SVM_INIT_ABORT", a[0]);
    }
    if (a[1] != ESM_R31) {
        km_fail("r31 0x%" PRIx64 " after the abort path, expected the "
                "guest's 0x%llx", a[1], (unsigned long long)ESM_R31);
    }
    if (a[2] & (MSR_S | MSR_HV | MSR_PR)) {
        km_fail("MSR 0x%" PRIx64 " after the abort path (S, HV or PR set)",
                a[2]);
    }
    printf("KVM-MINI ESM-ABORT OK r3=0x%" PRIx64 " r31=0x%" PRIx64
           " msr=0x%" PRIx64 "\n", a[0], a[1], a[2]);
    return 0;
}

int main(int argc, char **argv)
{
    bool esm = argc > 1 && strcmp(argv[1], "--esm") == 0;
    bool svm = argc > 2 && strcmp(argv[1], "--svm") == 0;
    const char *svm_mode = argc > 3 ? argv[3] : "ok";
    int pause = argc > 4 ? atoi(argv[4]) : 0;
    int kvm, vm, vcpu, api, mmap_size;
    int cap_papr, cap_hash, cap_radix;
    struct kvm_userspace_memory_region region;
    struct kvm_enable_cap cap;
    struct kvm_regs regs;
    struct kvm_run *run;
    uint64_t *a, cookie, msr, stored;
    void *mem;
    char text[9];
    int i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        km_fail("open /dev/kvm: %s", strerror(errno));
    }
    api = ioctl(kvm, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        km_fail("KVM API version %d, expected %d", api, KVM_API_VERSION);
    }
    cap_papr = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_PAPR);
    cap_hash = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_HASH_V3);
    cap_radix = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_RADIX);
    printf("kvm-mini: api=%d papr=%d mmu_hash_v3=%d mmu_radix=%d\n",
           api, cap_papr, cap_hash, cap_radix);

    vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_PPC_HV);
    if (vm < 0) {
        km_fail("KVM_CREATE_VM(KVM_VM_PPC_HV): %s", strerror(errno));
    }

    mem = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        km_fail("mmap guest RAM: %s", strerror(errno));
    }
    if (svm) {
        write_svm_guest(mem, argv[2], strcmp(svm_mode, "no-esm") != 0);
        esm_setup(kvm, vm);
    } else if (esm) {
        write_esm_guest(mem);
        esm_setup(kvm, vm);
    } else {
        write_guest(mem);
    }

    memset(&region, 0, sizeof(region));
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = GUEST_RAM_SIZE;
    region.userspace_addr = (uintptr_t)mem;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        km_fail("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
    }

    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) {
        km_fail("KVM_CREATE_VCPU: %s", strerror(errno));
    }
    mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int)sizeof(*run)) {
        km_fail("KVM_GET_VCPU_MMAP_SIZE: %d", mmap_size);
    }
    /* KVM-HV only runs PAPR guests: without this KVM_RUN says EINVAL */
    memset(&cap, 0, sizeof(cap));
    cap.cap = KVM_CAP_PPC_PAPR;
    if (ioctl(vcpu, KVM_ENABLE_CAP, &cap) < 0) {
        km_fail("KVM_ENABLE_CAP(KVM_CAP_PPC_PAPR): %s", strerror(errno));
    }
    run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) {
        km_fail("mmap kvm_run: %s", strerror(errno));
    }

    if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) {
        km_fail("KVM_GET_REGS: %s", strerror(errno));
    }
    regs.pc = 0;
    regs.msr = GUEST_MSR;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
        km_fail("KVM_SET_REGS: %s", strerror(errno));
    }

    if (svm) {
        return svm_main(vcpu, run, mem, svm_mode, pause);
    }
    if (esm) {
        return esm_check(vcpu, run);
    }

    /* Round 1 */
    run_vcpu(vcpu, run, 1);
    expect_hcall(vcpu, run, 1, HC_RTAS);
    a = (uint64_t *)run->papr_hcall.args;
    msr = a[1];
    if (a[0] != SUM_EXPECTED) {
        km_fail("round 1: guest sum %" PRIu64 ", expected %d", a[0],
               SUM_EXPECTED);
    }
    if ((msr & (MSR_SF | MSR_LE)) != (MSR_SF | MSR_LE) ||
        (msr & (MSR_HV | MSR_PR | MSR_IR | MSR_DR))) {
        km_fail("round 1: guest MSR 0x%" PRIx64 " (want SF,LE set and "
               "HV,PR,IR,DR clear)", msr);
    }
    memcpy(&stored, (char *)mem + GUEST_DATA_ADDR, sizeof(stored));
    if (stored != SUM_EXPECTED) {
        km_fail("round 1: guest store not visible in our mapping");
    }
    cookie = ((uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid()) &
             0xffffffffffULL;
    run->papr_hcall.ret = H_SUCCESS;
    a[0] = cookie;

    /* Round 2 */
    run_vcpu(vcpu, run, 2);
    expect_hcall(vcpu, run, 2, HC_PUT_TERM_CHAR);
    a = (uint64_t *)run->papr_hcall.args;
    for (i = 0; i < 8; i++) {
        text[i] = (char)(a[2] >> (56 - 8 * i));
    }
    text[8] = 0;
    if (a[0] != 0 || a[1] != 8 || strcmp(text, "KVM-MINI") != 0) {
        km_fail("round 2: H_PUT_TERM_CHAR(%" PRIu64 ", %" PRIu64
               ", 0x%" PRIx64 ") is not (0, 8, \"KVM-MINI\")",
               a[0], a[1], a[2]);
    }
    if (a[6] != H_SUCCESS) {
        km_fail("round 2: guest saw hcall 1 return 0x%" PRIx64, a[6]);
    }
    if (a[4] != cookie * 3 + SUM_EXPECTED) {
        km_fail("round 2: guest r8 = 0x%" PRIx64 ", expected cookie*3+sum "
               "= 0x%" PRIx64, a[4], cookie * 3 + SUM_EXPECTED);
    }
    if (a[5] != SUM_EXPECTED) {
        km_fail("round 2: guest reloaded %" PRIu64 " from memory, "
               "expected %d", a[5], SUM_EXPECTED);
    }

    printf("KVM-MINI OK sum=%d msr=0x%" PRIx64 " cookie=0x%" PRIx64
           " r8=0x%" PRIx64 " text=%s\n", SUM_EXPECTED, msr, cookie, a[4],
           text);
    return 0;
}
