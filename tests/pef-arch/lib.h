/*
 * pef-arch: C-side helpers (console, TAP-like reporting, probes).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef PEF_ARCH_LIB_H
#define PEF_ARCH_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pef-arch.h"

#define MSR_SF          (1ULL << 63)
#define MSR_HV          (1ULL << 60)
#define MSR_S           (1ULL << 22)
#define MSR_PR          (1ULL << 14)
#define MSR_ME          (1ULL << 12)
#define MSR_IR          (1ULL << 5)
#define MSR_DR          (1ULL << 4)
#define MSR_LE          (1ULL << 0)
#define SRR1_LEV_MASK   0x0000000000300000ULL
#define SRR1_LEV1       0x0000000000100000ULL
#define SRR1_LEV2       0x0000000000200000ULL
#define SRR1_TRAP       0x0000000000020000ULL

#define SECURE_BASE     0x0001000000000000ULL
#define SECURE_SIZE     (256ULL << 20)          /* default secure-memory */
#define BYPASS          0x8000000000000000ULL   /* EA bit 0: no HRMOR/URMOR */
#define SMFCTRL_E       0x8000000000000000ULL

#define UCALL_WRITE_PATE 0xF104
#define U_SUCCESS       0
#define U_FUNCTION      (-2)
#define U_PERMISSION    (-11)
#define U_P2            (-55)
#define U_P3            (-56)

#define LPCR_HR         (1ULL << 20)
#define LPCR_UPRT       (1ULL << 22)
#define LPCR_HVICE      (1ULL << 1)
#define LPCR_HDICE      (1ULL << 0)

#define mfspr(n) ({ uint64_t v_; \
    asm volatile("mfspr %0, %1" : "=r"(v_) : "i"(n)); v_; })
#define mtspr(n, v) \
    asm volatile("mtspr %0, %1; isync" : : "i"(n), "r"((uint64_t)(v)) \
                 : "memory")

static inline uint64_t mfmsr(void)
{
    uint64_t v;

    asm volatile("mfmsr %0" : "=r"(v));
    return v;
}

/* raw accesses at any EA (no C object behind them) */
static inline uint32_t ld32(uint64_t a)
{
    uint32_t v;

    asm volatile("lwz %0, 0(%1)" : "=r"(v) : "b"(a) : "memory");
    return v;
}

static inline uint64_t ld64(uint64_t a)
{
    uint64_t v;

    asm volatile("ld %0, 0(%1)" : "=r"(v) : "b"(a) : "memory");
    return v;
}

static inline void st64(uint64_t a, uint64_t v)
{
    asm volatile("std %0, 0(%1); sync" : : "r"(v), "b"(a) : "memory");
}

static inline uint64_t addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

typedef struct BootInfo {
    uint64_t msr, r3, r4, mode;
    uint64_t urmor, ptcr;       /* external mode: as found at entry */
} BootInfo;

enum { P_RET, P_TRAP, P_FWD, P_FWD_LOST };

typedef struct Probe {
    uint64_t r[10];             /* r3..r12: in, and out when P_RET */
    int kind;
    TrapRec home;               /* the trap taken in the home state */
    TrapRec fwd;                /* P_FWD: the trap taken elsewhere */
    int fwd_copy;               /* 1 secure/local copy, 2 normal copy */
} Probe;

extern BootInfo boot_info;
extern TrapBlock trap_block;
extern uint64_t cfg_block[2];
extern int n_test, n_pass, n_fail;
/* bare metal: the compiler must not cache or elide this */
extern volatile uint64_t secondary_msr[64];

/* asm */
int probe(uint64_t code, uint64_t *regs);

void pr(const char *fmt, ...);
void fmt(char *buf, size_t size, const char *f, ...);
bool check(bool ok, const char *name, const char *details_fmt, ...);
const char *describe(const Probe *p);
void run_probe(Probe *p, uint64_t code);
void probe_init(Probe *p);
uint32_t insn_at(uint64_t a);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void check_secondaries(uint64_t want, const char *name);
void main_builtin(void);
void main_external(void);
void main_hostile(uint64_t external);
void final_report(const TrapRec *rec);

/* snippets (start.S) */
extern char sn_mtmsrd_set_s[], sn_mtmsr_set_s[], sn_mtmsrd_clr_s[],
    sn_mtmsr_clr_s[], sn_urmor_move[], sn_sc2[], sn_sc1[], sn_urfid[],
    sn_load[], sn_store[], sn_jump[], sn_hrfid[], sn_rfid[], sn_urfid_to[],
    tg_msr_sc2[], tg_msr_sc1[], tg_msr_sc0[], tg_invalid[], tg_mfurmor[],
    tg_trap[], tg_urfid[], tg_os_ucall[], tg_hrfid[], tg_rfid[], tg_load[],
    tg_store[], tg_jump[], sn_mf_USPRG0[], sn_mt_USPRG0[], sn_mf_USPRG1[],
    sn_mt_USPRG1[], sn_mf_UDAR[], sn_mt_UDAR[], sn_mf_SEIDR[], sn_mt_SEIDR[],
    sn_mf_URMOR[], sn_mt_URMOR[], sn_mf_USRR0[], sn_mt_USRR0[], sn_mf_USRR1[],
    sn_mt_USRR1[], sn_mf_UEIR[], sn_mt_UEIR[], sn_mf_ACMCR[], sn_mt_ACMCR[],
    sn_mf_SMFCTRL[], sn_mt_SMFCTRL[];

typedef struct UvSpr {
    const char *name;
    int num;
    char *mf, *mt;
} UvSpr;

extern const UvSpr uv_sprs[10];

/* radix partition-scoped tables mapping guest real 0..1G to host_ra */
void radix_setup(uint64_t table_ra_off, uint64_t host_ra,
                 uint64_t *dw0, uint64_t *dw1);
extern uint64_t pt_patb[512], pt_root[8192];

#endif
