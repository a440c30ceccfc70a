/*
 * pef-arch: checks in external mode (uv-firmware=PROG): the program is the
 * ultravisor, entered at NIA 0 in UV state; it visits HV state (urfid) and
 * an SVM (urfid to S=1,HV=0, LPID 1 mapped to secure memory) and comes back
 * through "sc 2" / S=1 hypervisor interrupts at URMOR + vector.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "lib.h"

#define UV_MSR          (MSR_SF | MSR_HV | MSR_S | MSR_ME)
#define HV_MSR          (MSR_SF | MSR_HV | MSR_ME)
#define SVM_MSR         (MSR_SF | MSR_S | MSR_ME)
#define INSN_MTSPRG0_R3 0x7C7043A6      /* first word of every vector */

enum { I_USPRG0, I_USPRG1, I_UDAR, I_SEIDR, I_URMOR, I_USRR0, I_USRR1,
       I_UEIR, I_ACMCR, I_SMFCTRL };

/* bare metal: the compiler must not cache or elide this */
static volatile uint64_t marker;

/* bare metal: the compiler must not cache or elide this */
static void *bypass(const volatile void *p)
{
    return (void *)(uintptr_t)(BYPASS | addr((const void *)p));
}

static bool uv_read(int i, uint64_t *v)
{
    Probe p;

    probe_init(&p);
    run_probe(&p, addr(uv_sprs[i].mf));
    *v = p.r[0];
    return p.kind == P_RET;
}

static bool uv_write(int i, uint64_t v)
{
    Probe p;

    probe_init(&p);
    p.r[1] = v;
    run_probe(&p, addr(uv_sprs[i].mt));
    return p.kind == P_RET;
}

/* a trap in UV state at URMOR + vec, entered from the secure copy */
static bool uv_rec(const TrapRec *r, uint64_t vec)
{
    return r->vec == vec && r->copy == 1 &&
           (r->msr & (MSR_S | MSR_HV | MSR_SF)) == (MSR_S | MSR_HV | MSR_SF) &&
           !(r->msr & (MSR_IR | MSR_DR | MSR_PR | MSR_LE));
}

static bool uv_entry(const Probe *p, uint64_t vec)
{
    return p->kind == P_TRAP && uv_rec(&p->home, vec);
}

/* urfid from UV to target with MSR msr; r6/r7 passed through */
static void via_urfid(Probe *p, uint64_t target, uint64_t msr,
                      uint64_t r6, uint64_t r7)
{
    probe_init(p);
    p->r[1] = target;
    p->r[2] = msr;
    p->r[3] = r6;
    p->r[4] = r7;
    run_probe(p, addr(sn_urfid_to));
}

static void check_boot(void)
{
    uint64_t v;
    uint32_t magic = 0;

    check(boot_info.msr == UV_MSR,
          "boot: MSR = SF|HV|S|ME (UV state, real mode, big-endian)",
          "MSR=%lx expected %lx", boot_info.msr, UV_MSR);
    if (boot_info.r3 && boot_info.r3 < (1ULL << 40)) {
        magic = ld32(BYPASS | boot_info.r3);
    }
    check(boot_info.r4 == 0x10 && magic == 0xd00dfeed,
          "boot: r3 = FDT (magic d00dfeed), r4 = 0x10",
          "r3=%lx (magic %x) r4=%lx", boot_info.r3, magic, boot_info.r4);
    check(uv_read(I_URMOR, &v) && v == SECURE_BASE,
          "boot: URMOR = secure_base", "URMOR=%lx", v);
    check(uv_read(I_SMFCTRL, &v) && (v & SMFCTRL_E),
          "boot: SMFCTRL[E] = 1", "SMFCTRL=%lx", v);
    check(mfspr(SPR_PTCR) == 0 && mfspr(SPR_HRMOR) == 0,
          "boot: PTCR = 0, HRMOR = 0", "PTCR=%lx HRMOR=%lx",
          mfspr(SPR_PTCR), mfspr(SPR_HRMOR));
}

static void check_real_mode(void)
{
    uint32_t w_ea = ld32(0x100);
    uint32_t w_sec = ld32(BYPASS | SECURE_BASE | 0x100);
    uint64_t m = addr((const void *)&marker);
    uint64_t a, b, c;

    marker = 0x5EC5EC;
    st64(BYPASS | m, 0x404404);
    a = marker;
    b = ld64(BYPASS | SECURE_BASE | m);
    c = ld64(BYPASS | m);
    check(w_ea == INSN_MTSPRG0_R3 && w_sec == INSN_MTSPRG0_R3 &&
          a == 0x5EC5EC && b == 0x5EC5EC && c == 0x404404,
          "UV real mode: EA X -> RA URMOR|X, EA|0x8000000000000000 -> RA X",
          "EA 0x100=%x RA secure+0x100=%x; marker EA=%lx RA secure=%lx "
          "RA normal=%lx", w_ea, w_sec, a, b, c);
}

static void check_uv_sprs(void)
{
    static const int rw[] = { I_USPRG0, I_USPRG1, I_UDAR, I_SEIDR, I_UEIR,
                              I_ACMCR, I_USRR0, I_USRR1 };
    char name[96];
    uint64_t old = 0, v = 0, pat, want;
    unsigned i;
    Probe p;

    for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
        const UvSpr *s = &uv_sprs[rw[i]];
        bool ok;

        pat = 0xA55A000000000000ULL | ((uint64_t)s->num << 16) | 0x3C00 |
              (i << 4);
        ok = uv_read(rw[i], &old);
        ok = ok && uv_write(rw[i], pat);
        ok = ok && uv_read(rw[i], &v);
        uv_write(rw[i], old);
        fmt(name, sizeof(name), "mtspr/mfspr %s in UV state round-trips",
            s->name);
        check(ok && v == pat, name, "wrote %lx read %lx (traps: %s)", pat, v,
              ok ? "none" : "yes");
    }

    old = v = 0;
    check(uv_read(I_SMFCTRL, &old) && uv_write(I_SMFCTRL, old) &&
          uv_read(I_SMFCTRL, &v) && v == old,
          "mtspr/mfspr SMFCTRL in UV state (write back, read)",
          "read %lx then %lx", old, v);

    old = v = 0;
    check(uv_read(I_URMOR, &old) && uv_write(I_URMOR, old) &&
          uv_read(I_URMOR, &v) && v == SECURE_BASE,
          "mtspr/mfspr URMOR in UV state (write back, read)",
          "read %lx then %lx", old, v);

    /* move URMOR from code running at an URMOR-bypassing EA */
    pt_root[32] = 0x0123FEDC4567BA98ULL;
    asm volatile("sync" : : : "memory");
    want = SECURE_BASE + addr(pt_root);
    probe_init(&p);
    p.r[1] = want;
    p.r[2] = 0x100;
    run_probe(&p, BYPASS | SECURE_BASE | addr(sn_urmor_move));
    v = 0;
    uv_read(I_URMOR, &v);
    check(p.kind == P_RET && p.r[0] == want &&
          p.r[4] == 0x0123FEDC4567BA98ULL && v == SECURE_BASE,
          "URMOR write takes effect: EA 0x100 -> new URMOR | 0x100",
          "%s; r7=%lx (want %lx), URMOR after restore %lx", describe(&p),
          p.r[4], 0x0123FEDC4567BA98ULL, v);
    pt_root[32] = 0;
}

static void check_msr_s_sticky(void)
{
    uint64_t tg = addr(tg_msr_sc2);
    Probe p;

    probe_init(&p);
    run_probe(&p, addr(sn_mtmsrd_clr_s));
    check(p.kind == P_RET && (p.r[0] & MSR_S), "mtmsrd cannot clear MSR[S] "
          "(UV)", "%s", describe(&p));
    probe_init(&p);
    run_probe(&p, addr(sn_mtmsr_clr_s));
    check(p.kind == P_RET && (p.r[0] & MSR_S), "mtmsr cannot clear MSR[S] "
          "(UV)", "%s", describe(&p));

    probe_init(&p);
    p.r[1] = tg;
    p.r[2] = UV_MSR & ~MSR_S;
    run_probe(&p, addr(sn_hrfid));
    check(uv_entry(&p, 0xC00) && (p.home.gpr[20] & MSR_S) &&
          (p.home.gpr[20] & MSR_HV) && p.home.srr0 == tg + 8,
          "hrfid from UV with HSRR1[S]=0 keeps MSR[S]=1", "%s",
          describe(&p));

    probe_init(&p);
    p.r[1] = tg;
    p.r[2] = UV_MSR & ~MSR_S;
    run_probe(&p, addr(sn_rfid));
    check(uv_entry(&p, 0xC00) && (p.home.gpr[20] & MSR_S) &&
          (p.home.gpr[20] & MSR_HV) && p.home.srr0 == tg + 8,
          "rfid from UV with SRR1[S]=0 keeps MSR[S]=1", "%s", describe(&p));

    via_urfid(&p, addr(tg_hrfid), HV_MSR, tg, HV_MSR | MSR_S);
    check(uv_entry(&p, 0xC00) && !(p.home.gpr[20] & MSR_S) &&
          p.home.srr0 == tg + 8 && !(p.home.srr1 & MSR_S),
          "hrfid from HV with HSRR1[S]=1 keeps MSR[S]=0", "%s",
          describe(&p));

    via_urfid(&p, addr(tg_rfid), HV_MSR, tg, HV_MSR | MSR_S);
    check(uv_entry(&p, 0xC00) && !(p.home.gpr[20] & MSR_S) &&
          p.home.srr0 == tg + 8 && !(p.home.srr1 & MSR_S),
          "rfid from HV with SRR1[S]=1 keeps MSR[S]=0", "%s", describe(&p));
}

static void check_hv_round_trip(void)
{
    uint64_t tg = addr(tg_msr_sc2);
    Probe p;

    via_urfid(&p, tg, HV_MSR, 0, 0);
    check(p.kind == P_TRAP && p.home.vec == 0xC00 &&
          p.home.gpr[20] == HV_MSR && p.home.srr0 == tg + 8,
          "urfid (USRR1 = SF|HV|ME) lands at USRR0 in HV state, "
          "MSR = USRR1", "%s", describe(&p));
    check(uv_entry(&p, 0xC00) && p.home.srr0 == tg + 8 &&
          p.home.srr1 == (HV_MSR | SRR1_LEV2) && (p.home.msr & MSR_ME),
          "sc 2 from HV: UV state at URMOR+0xC00, SRR0 = next, "
          "SRR1 = MSR | LEV 2", "%s", describe(&p));
}

static void setup_svm(void)
{
    uint64_t dw0, dw1, lpcr = mfspr(SPR_LPCR);

    radix_setup(SECURE_BASE, SECURE_BASE, &dw0, &dw1);
    pt_patb[2] = dw0;
    pt_patb[3] = dw1;
    asm volatile("sync" : : : "memory");
    mtspr(SPR_PTCR, SECURE_BASE + addr(pt_patb));
    mtspr(SPR_LPIDR, 1);
    mtspr(SPR_LPCR, (lpcr | LPCR_HR | LPCR_UPRT) & ~(LPCR_HDICE | LPCR_HVICE));
}

static void check_svm(void)
{
    uint64_t tg;
    Probe p;

    setup_svm();

    tg = addr(tg_msr_sc1);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(uv_entry(&p, 0xC00) && p.home.gpr[20] == SVM_MSR &&
          p.home.srr0 == tg + 8 && p.home.srr1 == (SVM_MSR | SRR1_LEV1),
          "urfid to S=1,HV=0 then sc 1: UV state at URMOR+0xC00, "
          "SRR1 = SVM MSR (S=1) | LEV 1", "%s", describe(&p));

    tg = addr(tg_msr_sc2);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(uv_entry(&p, 0xC00) && p.home.gpr[20] == SVM_MSR &&
          p.home.srr0 == tg + 8 && p.home.srr1 == (SVM_MSR | SRR1_LEV2),
          "sc 2 from the SVM: UV state at URMOR+0xC00, "
          "SRR1 = SVM MSR | LEV 2", "%s", describe(&p));

    tg = addr(tg_invalid);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(uv_entry(&p, 0xE40) && p.home.hsrr0 == tg + 4 &&
          p.home.heir == 0 && (p.home.hsrr1 & (MSR_S | MSR_HV)) == MSR_S,
          "invalid instruction in the SVM: HEAI in UV state at "
          "URMOR+0xE40, HSRR1[S]=1", "%s", describe(&p));

    tg = addr(tg_mfurmor);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(uv_entry(&p, 0xE40) && p.home.hsrr0 == tg + 4 &&
          p.home.heir == insn_at(tg + 4) &&
          (p.home.hsrr1 & (MSR_S | MSR_HV)) == MSR_S,
          "mfspr URMOR in the SVM: HEAI in UV state at URMOR+0xE40", "%s",
          describe(&p));

    tg = addr(tg_trap);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(p.kind == P_FWD && p.fwd_copy == 1 && p.fwd.vec == 0x700 &&
          (p.fwd.msr & (MSR_S | MSR_HV)) == MSR_S && p.fwd.srr0 == tg + 4 &&
          (p.fwd.srr1 & SRR1_TRAP) && (p.fwd.srr1 & MSR_S) &&
          uv_rec(&p.home, 0xC00),
          "trap in the SVM: program interrupt 0x700 stays in the SVM "
          "(S=1,HV=0)", "%s", describe(&p));

    tg = addr(tg_msr_sc0);
    via_urfid(&p, tg, SVM_MSR, 0, 0);
    check(p.kind == P_FWD && p.fwd_copy == 1 && p.fwd.vec == 0xC00 &&
          (p.fwd.msr & (MSR_S | MSR_HV)) == MSR_S && p.fwd.srr0 == tg + 8 &&
          (p.fwd.srr1 & (MSR_S | MSR_HV)) == MSR_S &&
          uv_rec(&p.home, 0xC00),
          "sc 0 in the SVM: 0xC00 stays in the SVM (S=1,HV=0)", "%s",
          describe(&p));
}

static void check_secure_memory(void)
{
    uint64_t ea = BYPASS | SECURE_BASE | (128ULL << 20);
    uint64_t tg;
    Probe p;
    bool ok;

    probe_init(&p);
    p.r[1] = ea;
    p.r[2] = 0x600DF00D12345678ULL;
    run_probe(&p, addr(sn_store));
    ok = p.kind == P_RET;
    probe_init(&p);
    p.r[1] = ea;
    run_probe(&p, addr(sn_load));
    check(ok && p.kind == P_RET && p.r[0] == 0x600DF00D12345678ULL,
          "UV state: store/load secure memory (secure_base + 128M)", "%s",
          describe(&p));
    probe_init(&p);
    p.r[1] = BYPASS | (SECURE_BASE + SECURE_SIZE - 8);
    run_probe(&p, addr(sn_load));
    check(p.kind == P_RET, "UV state: load the last secure doubleword",
          "%s", describe(&p));

    tg = addr(tg_load);
    via_urfid(&p, tg, HV_MSR, SECURE_BASE + 0x100, 0);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0x200 &&
          p.fwd.srr0 == tg + 4 && p.fwd.dar == SECURE_BASE + 0x100 &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "HV load from secure memory: machine check 0x200, SRR0 = the "
          "load, DAR = EA", "%s", describe(&p));

    tg = addr(tg_store);
    via_urfid(&p, tg, HV_MSR, SECURE_BASE + 0x2000, 0x99);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0x200 &&
          p.fwd.srr0 == tg + 4 && p.fwd.dar == SECURE_BASE + 0x2000 &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "HV store to secure memory: machine check 0x200, SRR0 = the "
          "store, DAR = EA", "%s", describe(&p));

    tg = addr(tg_jump);
    via_urfid(&p, tg, HV_MSR, SECURE_BASE + 0x100, 0);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0x200 &&
          p.fwd.srr0 == SECURE_BASE + 0x100 &&
          (p.fwd.srr1 & 0x080C0000) == 0x080C0000 &&
          !(p.fwd.srr1 & 0x00200000) &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "HV ifetch from secure memory: machine check 0x200, SRR0 = "
          "target, SRR1 fetch bits 36|44|45, not 42", "%s", describe(&p));
}

static void check_hv_faults(void)
{
    uint64_t tg;
    Probe p;

    tg = addr(tg_mfurmor);
    via_urfid(&p, tg, HV_MSR, 0, 0);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0xE40 &&
          p.fwd.hsrr0 == tg + 4 && p.fwd.heir == insn_at(tg + 4) &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "mfspr URMOR from HV (after urfid): HEAI 0xE40 in HV", "%s",
          describe(&p));

    tg = addr(tg_urfid);
    via_urfid(&p, tg, HV_MSR, 0, 0);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0xE40 &&
          p.fwd.hsrr0 == tg + 4 && p.fwd.heir == 0x4C000264 &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "urfid from HV (after urfid): HEAI 0xE40 in HV", "%s",
          describe(&p));
}

#define FINAL_NAME "sc 2 from HV with SMFCTRL[E]=0: 0xC00 in HV (S=0), " \
                   "SRR1 = MSR | LEV 2"

/* runs in HV state from the normal copy (start.S trap_final) */
void final_report(const TrapRec *r)
{
    uint64_t tg = addr(tg_msr_sc2);

    check(r->vec == 0xC00 && (r->msr & (MSR_HV | MSR_S)) == MSR_HV &&
          r->srr0 == tg + 8 && r->srr1 == (HV_MSR | SRR1_LEV2), FINAL_NAME,
          "trap in HV: vec=%lx msr=%lx srr0=%lx srr1=%lx hsrr0=%lx heir=%lx",
          r->vec, r->msr, r->srr0, r->srr1, r->hsrr0, r->heir);
    pr("PEF-ARCH DONE pass=%d fail=%d\n", n_pass, n_fail);
}

/* last: with E=0 the HV cannot return to UV state; the HV reports */
static void check_smfctrl_e0(void)
{
    TrapBlock *ntb = bypass(&trap_block);
    uint64_t smf = 0;
    Probe p;

    if (!uv_read(I_SMFCTRL, &smf) || !uv_write(I_SMFCTRL, smf & ~SMFCTRL_E)) {
        check(false, FINAL_NAME, "SMFCTRL not accessible");
        return;
    }
    *(volatile int *)bypass(&n_test) = n_test; /* RA copy */
    *(volatile int *)bypass(&n_pass) = n_pass; /* RA copy */
    *(volatile int *)bypass(&n_fail) = n_fail; /* RA copy */
    ntb->final = 1;
    asm volatile("sync" : : : "memory");
    via_urfid(&p, addr(tg_msr_sc2), HV_MSR, 0, 0);
    /* only reached if the trap came back to UV state: wrong */
    ntb->final = 0;
    uv_write(I_SMFCTRL, smf);
    check(false, FINAL_NAME, "came back to UV state: %s", describe(&p));
}

void main_external(void)
{
    pr("# external mode (uv-firmware), expecting pef=on\n");
    check_boot();
    check_secondaries(MSR_S | MSR_HV, "secondary thread started in UV state "
                      "(S=1,HV=1)");
    check_real_mode();
    check_uv_sprs();
    check_hv_round_trip();
    check_msr_s_sticky();
    check_svm();
    check_secure_memory();
    check_hv_faults();
    check_smfctrl_e0();
}
