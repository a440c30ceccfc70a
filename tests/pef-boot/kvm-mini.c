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
    if (esm) {
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
