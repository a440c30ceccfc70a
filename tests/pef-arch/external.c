/*
 * pef-arch: checks in external mode (uv-firmware=PROG -bios PROG): the
 * program is the firmware, entered at 0x10 in UV state with URMOR = 0,
 * and then the ultravisor, once it has pointed URMOR at its secure copy
 * (start.S); it visits HV state (urfid) and an SVM (urfid to S=1,HV=0,
 * LPID 1 mapped to secure memory) and comes back through "sc 2" / S=1
 * hypervisor interrupts at URMOR + vector.
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

/*
 * The value to write to URMOR for it to hold @ra: on POWER9 the written
 * value takes effect 0x7C800000 higher (the ultravisor's "Nimbus URMOR
 * adjustment", docs/system/ppc/pef-tcg.rst), on POWER10 as written.
 */
#define P9_URMOR_ADJUST 0x7C800000ULL

static bool is_power9(void)
{
    return (mfspr(SPR_PVR) >> 16) == 0x004e;
}

static uint64_t urmor_arg(uint64_t ra)
{
    return is_power9() ? ra - P9_URMOR_ADJUST : ra;
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
    check(magic == 0xd00dfeed, "boot: r3 = FDT (magic d00dfeed)",
          "r3=%lx (magic %x)", boot_info.r3, magic);
    check(boot_info.urmor == 0 && boot_info.ptcr == 0,
          "boot: the firmware starts with URMOR = 0 and PTCR = 0",
          "URMOR=%lx PTCR=%lx", boot_info.urmor, boot_info.ptcr);
    check(uv_read(I_URMOR, &v) && v == SECURE_BASE,
          is_power9() ? "boot: URMOR written as secure_base - 0x7C800000 "
                        "(POWER9) holds secure_base"
                      : "boot: URMOR written as secure_base holds it",
          "URMOR=%lx", v);
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

    /* move URMOR from code running at an URMOR-bypassing EA */
    pt_root[32] = 0x0123FEDC4567BA98ULL;
    asm volatile("sync" : : : "memory");
    want = SECURE_BASE + addr(pt_root);
    probe_init(&p);
    p.r[1] = urmor_arg(want);
    p.r[2] = 0x100;
    p.r[3] = urmor_arg(SECURE_BASE);
    run_probe(&p, BYPASS | SECURE_BASE | addr(sn_urmor_move));
    v = 0;
    uv_read(I_URMOR, &v);
    check(p.kind == P_RET && p.r[0] == want &&
          p.r[4] == 0x0123FEDC4567BA98ULL && v == SECURE_BASE,
          is_power9() ? "mtspr URMOR (POWER9: the value + 0x7C800000) "
                        "takes effect: EA 0x100 -> new URMOR | 0x100"
                      : "mtspr URMOR takes effect: EA 0x100 -> new URMOR "
                        "| 0x100",
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

/*
 * HID0[HILE] is the hypervisor's interrupt endianness; interrupts that
 * enter ultravisor state stay big-endian (the ultravisor's vectors are).
 */
#define HID0_HILE       (1ULL << 59)            /* HID0[4] */

static void check_hile(void)
{
    uint64_t hid0 = mfspr(SPR_HID0);
    Probe p;

    mtspr(SPR_HID0, hid0 | HID0_HILE);
    via_urfid(&p, addr(tg_msr_sc2), HV_MSR, 0, 0);
    mtspr(SPR_HID0, hid0);
    check(uv_entry(&p, 0xC00) && !(p.home.msr & MSR_LE),
          "sc 2 from HV with HID0[HILE]=1: ultravisor state entered "
          "big-endian (MSR[LE]=0)", "%s", describe(&p));
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

/*
 * Page-table walks of the hypervisor (S=0) never read secure memory
 * (docs/system/ppc/pef-tcg.rst).  The program, as ultravisor, builds a
 * radix tree (process table -> root -> 1G leaf mapping EA 0.. to RA 0..)
 * or a hashed page table with one 4K identity entry, each table either in
 * normal memory (the control: the hypervisor's translated load reads
 * wk_marker) or in secure memory (the planted copy: same entries; the
 * load must take a machine check and never use them).
 */
#define WK_MARKER       0x57A1C0DE600DF00DULL
#define WK_VSID         0x123ULL
#define WK_PIDR         48
#define DSISR_WALK      0x20ULL                 /* DSISR[58] */
#define SRR1_LDST       0x00200000ULL           /* SRR1[42] */

static uint64_t wk_patb[512] __attribute__((aligned(4096)));
static uint64_t wk_prtb[512] __attribute__((aligned(4096)));
static uint64_t wk_root[8192] __attribute__((aligned(65536)));
static uint64_t wk_l1[512] __attribute__((aligned(4096)));
static uint64_t wk_l1s[512] __attribute__((aligned(4096)));
static uint64_t wk_htab[32768] __attribute__((aligned(262144)));
/* bare metal: read by the hypervisor's translated load, not by C */
static volatile uint64_t wk_marker;

enum { WK_NORMAL, WK_PRTB, WK_ROOT, WK_LEAF, WK_HTAB };

/* the copy of table @t that the walk reads: secure or normal */
static uint64_t *wk_tab(uint64_t *t, bool secure)
{
    return secure ? t : bypass(t);
}

static uint64_t wk_ra(const uint64_t *t, bool secure)
{
    return (secure ? SECURE_BASE : 0) + addr(t);
}

static void wk_set_ptcr(void)
{
    /* a changed PTCR flushes the translations of the previous tables */
    mtspr(SPR_PTCR, 0);
    mtspr(SPR_PTCR, SECURE_BASE + addr(wk_patb));
}

#define WK_RTS          ((1ULL << 62) | (5ULL << 5))    /* RTS 52 */

/* A radix tree mapping 0..1G to RA 0..1G: root and leaf each normal or secure */
static void wk_tree(bool s_root, bool s_l1)
{
    wk_tab(wk_l1, s_l1)[0] = (1ULL << 63) | (1ULL << 62) | 0x100 | 0x80 |
                             0x7;               /* 1G leaf at RA 0, R, C */
    wk_tab(wk_root, s_root)[0] = (1ULL << 63) | wk_ra(wk_l1, s_l1) | 9;
}

/* Radix translation in the tables it uses: LPCR[HR,UPRT], no HV interrupts */
static void wk_lpcr_radix(void)
{
    mtspr(SPR_LPCR, (mfspr(SPR_LPCR) | LPCR_HR | LPCR_UPRT) &
                    ~(LPCR_HDICE | LPCR_HVICE));
}

static void wk_radix(int where)
{
    bool s_prtb = where == WK_PRTB, s_root = where == WK_ROOT;

    wk_tree(s_root, where == WK_LEAF);
    /*
     * LPID 0's partition-scoped tree (PATE[0] dw0, the same root) also
     * translates the process-table address (Power ISA 3.0 radix host, as
     * QEMU's radix walk does): map the first secure GiB identically too.
     */
    wk_l1s[0] = (1ULL << 63) | (1ULL << 62) | SECURE_BASE | 0x100 | 0x80 |
                0x7;
    wk_tab(wk_root, s_root)[SECURE_BASE >> 39] = (1ULL << 63) |
                                                 addr(wk_l1s) | 9;
    /* bare metal: the normal copy, which C never reads back */
    *(volatile uint64_t *)bypass(&wk_l1s[0]) = wk_l1s[0];
    wk_tab(wk_prtb, s_prtb)[0] = WK_RTS | wk_ra(wk_root, s_root) | 13;
    wk_patb[0] = (1ULL << 63) | WK_RTS | addr(wk_root) | 13;
    wk_patb[1] = wk_ra(wk_prtb, s_prtb);        /* PRTS 0: 4 KiB */
    asm volatile("sync" : : : "memory");
    mtspr(SPR_LPIDR, 0);
    mtspr(WK_PIDR, 0);
    wk_lpcr_radix();
    wk_set_ptcr();
}

/* LPID 1: guest-real 0..1G -> RA 0..1G, the tree normal or secure */
static void wk_guest(bool secure)
{
    wk_tree(secure, secure);
    wk_patb[2] = (1ULL << 63) | WK_RTS | wk_ra(wk_root, secure) | 13;
    wk_patb[3] = addr(wk_prtb);                 /* unused in real mode */
    asm volatile("sync" : : : "memory");
    mtspr(SPR_LPIDR, 1);
    wk_lpcr_radix();
    wk_set_ptcr();
}

/* one 4K HPTE mapping EA &wk_marker to itself in segment 0 (VSID WK_VSID) */
static void wk_hash(bool secure)
{
    uint64_t ea = addr((const void *)&wk_marker) & ~0xFFFULL;
    uint64_t *htab = wk_tab(wk_htab, secure);
    uint64_t pteg = (WK_VSID ^ (ea >> 12)) & 0x7FF;     /* HTABSIZE 0 */

    htab[pteg * 16] = (WK_VSID << 12) | ((ea >> 16) & ~0x7FULL) | 1;
    htab[pteg * 16 + 1] = ea | 0x100 | 0x80;    /* RPN, R, C, PP 0 */
    wk_patb[0] = wk_ra(wk_htab, secure);        /* HR 0, HTABSIZE 0 */
    wk_patb[1] = 0;
    asm volatile("sync" : : : "memory");
    mtspr(SPR_LPIDR, 0);
    mtspr(SPR_LPCR, mfspr(SPR_LPCR) & ~(LPCR_HR | LPCR_UPRT | LPCR_HDICE |
                                        LPCR_HVICE));
    asm volatile("slbia 0; isync; slbmte %0, %1; isync"
                 : : "r"(WK_VSID << 12), "r"(0x08000000ULL) : "memory");
    wk_set_ptcr();
}

/* the hypervisor's load at &wk_marker with DR=1 */
static void wk_load(Probe *p)
{
    via_urfid(p, addr(tg_load), HV_MSR | MSR_DR,
              addr((const void *)&wk_marker), 0);
}

static bool wk_refused(const Probe *p)
{
    return p->kind == P_FWD && p->fwd_copy == 2 && p->fwd.vec == 0x200 &&
           p->fwd.srr0 == addr(tg_load) + 4 &&
           (p->fwd.srr1 & SRR1_LDST) && p->fwd.dsisr == DSISR_WALK &&
           (p->fwd.msr & (MSR_HV | MSR_S)) == MSR_HV;
}

static void check_walks(void)
{
    static const struct {
        int where;
        const char *name;
    } radix[] = {
        { WK_PRTB, "its process table" },
        { WK_ROOT, "its radix root (from the process-table entry)" },
        { WK_LEAF, "a lower-level page directory" },
    };
    uint64_t lpcr = mfspr(SPR_LPCR);
    char name[160];
    unsigned i;
    Probe p;

    st64(BYPASS | addr((const void *)&wk_marker), WK_MARKER);

    wk_radix(WK_NORMAL);
    wk_load(&p);
    check(uv_entry(&p, 0xC00) && p.home.gpr[3] == WK_MARKER &&
          (p.home.gpr[20] & MSR_DR),
          "HV radix translation with its tables in normal memory (control): "
          "the load reads the marker", "%s", describe(&p));
    for (i = 0; i < sizeof(radix) / sizeof(radix[0]); i++) {
        wk_radix(radix[i].where);
        wk_load(&p);
        fmt(name, sizeof(name), "HV radix walk through %s in secure "
            "memory: machine check (SRR1[42], DSISR[58]), the planted "
            "entries unused", radix[i].name);
        check(wk_refused(&p), name, "%s", describe(&p));
    }

    /* a guest (LPID 1, OS state): its partition-scoped tree */
    wk_guest(false);
    via_urfid(&p, addr(tg_load), MSR_SF | MSR_ME,
              addr((const void *)&wk_marker), 0);
    check(uv_entry(&p, 0xC00) && p.home.gpr[3] == WK_MARKER &&
          !(p.home.gpr[20] & (MSR_HV | MSR_S)),
          "guest (LPID 1) real mode with its partition-scoped tree in "
          "normal memory (control): the load reads the marker", "%s",
          describe(&p));
    wk_guest(true);
    via_urfid(&p, addr(tg_load), MSR_SF | MSR_ME,
              addr((const void *)&wk_marker), 0);
    check(p.kind == P_FWD && p.fwd_copy == 2 && p.fwd.vec == 0x200 &&
          p.fwd.srr0 == addr(tg_load) &&
          (p.fwd.srr1 & 0x081C0000) == 0x08100000 &&
          (p.fwd.msr & (MSR_HV | MSR_S)) == MSR_HV,
          "guest (LPID 1) with its partition-scoped tree in secure memory: "
          "machine check in HV on its first fetch (SRR1[36,43]: table "
          "walk), the planted tree unused", "%s", describe(&p));
    mtspr(SPR_LPIDR, 0);

    wk_hash(false);
    wk_load(&p);
    check(uv_entry(&p, 0xC00) && p.home.gpr[3] == WK_MARKER,
          "HV hash translation with its HPT in normal memory (control): the "
          "load reads the marker", "%s", describe(&p));
    wk_hash(true);
    wk_load(&p);
    check(wk_refused(&p), "HV hash walk with its HPT in secure memory: "
          "machine check (SRR1[42], DSISR[58]), the planted HPTE unused",
          "%s", describe(&p));

    asm volatile("slbia 0; isync" : : : "memory");
    mtspr(SPR_LPCR, lpcr);
    mtspr(SPR_PTCR, 0);
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
    check_hile();
    check_msr_s_sticky();
    check_svm();
    check_secure_memory();
    check_hv_faults();
    check_walks();
    check_smfctrl_e0();
}
