/*
 * pef-arch: console output, check reporting, probes and page tables.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "lib.h"

/*
 * LPC UART 0x3f8 of chip 0, URMOR/HRMOR bypassed: PNV9_LPCM_BASE plus the
 * ISA I/O window LPC_IO_OPB_ADDR (QEMU include/hw/ppc/pnv.h, pnv_lpc.c)
 */
#define UART_BASE       (BYPASS | 0x00060300d00103f8ULL)
#define UART_LSR        5
#define UART_LSR_THRE   0x20

BootInfo boot_info __attribute__((section(".data"))) = { 1, 1, 1, 1, 1, 1 };
__attribute__((aligned(256))) TrapBlock trap_block;
int n_test, n_pass, n_fail;

uint64_t pt_root[8192] __attribute__((aligned(65536)));
uint64_t pt_l1[512] __attribute__((aligned(4096)));
uint64_t pt_patb[512] __attribute__((aligned(4096)));
uint64_t pt_prtb[512] __attribute__((aligned(4096)));

const UvSpr uv_sprs[10] = {
    { "USPRG0", SPR_USPRG0, sn_mf_USPRG0, sn_mt_USPRG0 },
    { "USPRG1", SPR_USPRG1, sn_mf_USPRG1, sn_mt_USPRG1 },
    { "UDAR", SPR_UDAR, sn_mf_UDAR, sn_mt_UDAR },
    { "SEIDR", SPR_SEIDR, sn_mf_SEIDR, sn_mt_SEIDR },
    { "URMOR", SPR_URMOR, sn_mf_URMOR, sn_mt_URMOR },
    { "USRR0", SPR_USRR0, sn_mf_USRR0, sn_mt_USRR0 },
    { "USRR1", SPR_USRR1, sn_mf_USRR1, sn_mt_USRR1 },
    { "UEIR", SPR_UEIR, sn_mf_UEIR, sn_mt_UEIR },
    { "ACMCR", SPR_ACMCR, sn_mf_ACMCR, sn_mt_ACMCR },
    { "SMFCTRL", SPR_SMFCTRL, sn_mf_SMFCTRL, sn_mt_SMFCTRL },
};

void *memset(void *d, int c, size_t n)
{
    /* bare metal: the compiler must not cache or elide this */
    volatile uint8_t *p = d;

    while (n--) {
        *p++ = (uint8_t)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    /* bare metal: the compiler must not cache or elide this */
    volatile uint8_t *p = d;
    /* bare metal: the compiler must not cache or elide this */
    const volatile uint8_t *q = s;

    while (n--) {
        *p++ = *q++;
    }
    return d;
}

static void uart_putc(char c)
{
    /* bare metal: the compiler must not cache or elide this */
    volatile uint8_t *u = (volatile uint8_t *)UART_BASE;

    while (!(u[UART_LSR] & UART_LSR_THRE)) {
        /* wait */
    }
    u[0] = (uint8_t)c;
}

static void putc_(char c)
{
    if (c == '\n') {
        uart_putc('\r');
    }
    uart_putc(c);
}

typedef struct Buf {
    char *p;
    size_t left;
} Buf;

static void bput(Buf *b, char c)
{
    if (b->left > 1) {
        *b->p++ = c;
        b->left--;
    }
}

static void bnum(Buf *b, uint64_t v, int base, bool neg)
{
    char tmp[24];
    int n = 0;

    if (base == 16) {
        bput(b, '0');
        bput(b, 'x');
    }
    if (neg) {
        bput(b, '-');
    }
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n) {
        bput(b, tmp[--n]);
    }
}

/* %s %c %d %u (int), %ld %lu %lx (64-bit), %x (32-bit); hex gets 0x */
static void vfmt(char *buf, size_t size, const char *f, va_list ap)
{
    Buf b = { buf, size };

    for (; *f; f++) {
        bool lng = false;

        if (*f != '%') {
            bput(&b, *f);
            continue;
        }
        f++;
        if (*f == 'l') {
            lng = true;
            f++;
        }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s) {
                bput(&b, *s++);
            }
            break;
        }
        case 'c':
            bput(&b, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            bnum(&b, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
            break;
        }
        case 'u':
            bnum(&b, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
                 false);
            break;
        case 'x':
            bnum(&b, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
                 false);
            break;
        case '%':
            bput(&b, '%');
            break;
        default:
            bput(&b, '?');
            break;
        }
    }
    *b.p = 0;
}

void fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    vfmt(buf, size, f, ap);
    va_end(ap);
}

void pr(const char *f, ...)
{
    static char buf[1024];
    va_list ap;
    const char *p;

    va_start(ap, f);
    vfmt(buf, sizeof(buf), f, ap);
    va_end(ap);
    for (p = buf; *p; p++) {
        putc_(*p);
    }
}

bool check(bool ok, const char *name, const char *details_fmt, ...)
{
    static char det[768];
    va_list ap;

    n_test++;
    if (ok) {
        n_pass++;
        pr("ok %d - %s\n", n_test, name);
    } else {
        n_fail++;
        va_start(ap, details_fmt);
        vfmt(det, sizeof(det), details_fmt, ap);
        va_end(ap);
        pr("not ok %d - %s # %s\n", n_test, name, det);
    }
    return ok;
}

static void describe_rec(Buf *b, const char *what, const TrapRec *r)
{
    char tmp[400];
    const char *p;

    fmt(tmp, sizeof(tmp),
        "%s vec=%lx msr=%lx srr0=%lx srr1=%lx hsrr0=%lx hsrr1=%lx "
        "heir=%lx dar=%lx copy=%ld r3=%lx r20=%lx r21=%lx",
        what, r->vec, r->msr, r->srr0, r->srr1, r->hsrr0, r->hsrr1, r->heir,
        r->dar, r->copy, r->gpr[3], r->gpr[20], r->gpr[21]);
    for (p = tmp; *p; p++) {
        bput(b, *p);
    }
}

const char *describe(const Probe *p)
{
    static char buf[700];
    Buf b = { buf, sizeof(buf) };

    switch (p->kind) {
    case P_RET:
        fmt(buf, sizeof(buf), "returned r3=%lx r4=%lx r11=%lx r12=%lx",
            p->r[0], p->r[1], p->r[8], p->r[9]);
        return buf;
    case P_TRAP:
        describe_rec(&b, "trap", &p->home);
        break;
    case P_FWD:
        describe_rec(&b, p->fwd_copy == 1 ? "forwarded(secure copy)" :
                     "forwarded(normal copy)", &p->fwd);
        break;
    default:
        describe_rec(&b, "forward marker but no forward record; home",
                     &p->home);
        break;
    }
    *b.p = 0;
    return buf;
}

uint32_t insn_at(uint64_t a)
{
    return ld32(a);
}

void probe_init(Probe *p)
{
    memset(p, 0, sizeof(*p));
}

static TrapBlock *normal_tb(void)
{
    return (TrapBlock *)(uintptr_t)(BYPASS | addr(&trap_block));
}

void run_probe(Probe *p, uint64_t code)
{
    /* bare metal: the compiler must not cache or elide this */
    volatile TrapBlock *tb = &trap_block;

    tb->rec[0].valid = 0;
    tb->rec[1].valid = 0;
    if (trap_block.g_mode) {
        normal_tb()->rec[1].valid = 0;
    }
    asm volatile("sync" : : : "memory");
    if (!probe(code, p->r)) {
        p->kind = P_RET;
        return;
    }
    memcpy(&p->home, (const void *)&tb->rec[0], sizeof(TrapRec));
    if (!(p->home.vec == 0xC00 && p->home.gpr[3] == TRAP_FORWARD)) {
        p->kind = P_TRAP;
        return;
    }
    if (tb->rec[1].valid) {
        memcpy(&p->fwd, (const void *)&tb->rec[1], sizeof(TrapRec));
        p->fwd_copy = 1;
        p->kind = P_FWD;
    } else if (trap_block.g_mode && normal_tb()->rec[1].valid) {
        memcpy(&p->fwd, &normal_tb()->rec[1], sizeof(TrapRec));
        p->fwd_copy = 2;
        p->kind = P_FWD;
    } else {
        p->kind = P_FWD_LOST;
    }
}

void radix_setup(uint64_t table_ra_off, uint64_t host_ra,
                 uint64_t *dw0, uint64_t *dw1)
{
    /* RTS 52 = 31 + 0b10101; root 2^13 entries; 1G leaf at level 1 */
    pt_root[0] = (1ULL << 63) | (table_ra_off + addr(pt_l1)) | 9;
    pt_l1[0] = (1ULL << 63) | (1ULL << 62) | host_ra |
               0x100 | 0x80 |           /* R, C */
               0x7;                     /* EAA read, read/write, execute */
    *dw0 = (1ULL << 63) | (1ULL << 62) | (table_ra_off + addr(pt_root)) |
           (5ULL << 5) | 13;
    *dw1 = table_ra_off + addr(pt_prtb);
    asm volatile("sync" : : : "memory");
}

/* with CFG_SMP: another thread noted its MSR; (S,HV) must be want */
void check_secondaries(uint64_t want, const char *name)
{
    uint64_t msr = 0, t0, t;
    int i;

    if (!(cfg_block[1] & CFG_SMP)) {
        return;
    }
    asm volatile("mfspr %0, 268" : "=r"(t0));
    do {
        for (i = 1; i < 64 && !msr; i++) {
            msr = secondary_msr[i];
        }
        asm volatile("mfspr %0, 268" : "=r"(t));
    } while (!msr && t - t0 < (512ULL << 20));   /* ~1 s of timebase */
    check(msr && (msr & (MSR_S | MSR_HV)) == want &&
          !(msr & (MSR_IR | MSR_DR | MSR_PR)),
          name, msr ? "MSR=%lx" : "no other thread arrived", msr & ~1ULL);
}

void unexpected_trap(TrapRec *r)
{
    pr("\n# unexpected trap outside a probe: vec=%lx msr=%lx srr0=%lx "
       "srr1=%lx hsrr0=%lx hsrr1=%lx dar=%lx lr=%lx\n",
       r->vec, r->msr, r->srr0, r->srr1, r->hsrr0, r->hsrr1, r->dar, r->lr);
    pr("PEF-ARCH FATAL unexpected trap 0x%lx\n", r->vec);
    for (;;) {
        /* stop */
    }
}

void final_trap(TrapRec *r)
{
    final_report(r);
    for (;;) {
        /* stop */
    }
}

void c_main(uint64_t mode)
{
    pr("\nPEF-ARCH START mode=%s\n", mode ? "external" : "builtin");
    if (cfg_block[1] & CFG_HOSTILE) {
        main_hostile(mode);
    }
    if (mode) {
        main_external();
    } else {
        main_builtin();
    }
    pr("PEF-ARCH DONE pass=%d fail=%d\n", n_pass, n_fail);
    for (;;) {
        /* stop */
    }
}
