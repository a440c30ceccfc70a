/*
 * pef-arch: checks in built-in mode (-bios PROG, HV real mode at 0x10).
 * With pef=on they follow docs/system/ppc/pef-tcg.rst; with pef=off they
 * check the stock QEMU behaviour the same instructions have without the
 * ultravisor.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "lib.h"

#define SENTINEL 0x5EC0DE5EC0DE0001ULL

static bool heai_at(const Probe *p, uint64_t code)
{
    const TrapRec *r = &p->home;

    return p->kind == P_TRAP && r->vec == 0xE40 && r->hsrr0 == code &&
           r->heir == insn_at(code) && (r->hsrr1 & MSR_HV) &&
           !(r->hsrr1 & MSR_S) && (r->msr & MSR_HV) && !(r->msr & MSR_S);
}

static void check_uv_sprs(bool pef)
{
    char name[96];
    int i;

    for (i = 0; i < 10; i++) {
        const UvSpr *s = &uv_sprs[i];
        Probe p;

        probe_init(&p);
        p.r[0] = SENTINEL;
        run_probe(&p, addr(s->mf));
        if (pef) {
            fmt(name, sizeof(name), "mfspr %s from HV: HEAI 0xE40, "
                "HSRR0/HEIR = the mfspr", s->name);
            check(heai_at(&p, addr(s->mf)), name, "%s (insn at %lx)",
                  describe(&p), addr(s->mf));
        } else {
            fmt(name, sizeof(name), "mfspr %s from HV: no-op (stock)",
                s->name);
            check(p.kind == P_RET && p.r[0] == SENTINEL, name, "%s",
                  describe(&p));
        }

        probe_init(&p);
        p.r[1] = 0x0123456789abcdefULL;
        run_probe(&p, addr(s->mt));
        if (pef) {
            fmt(name, sizeof(name), "mtspr %s from HV: HEAI 0xE40, "
                "HSRR0/HEIR = the mtspr", s->name);
            check(heai_at(&p, addr(s->mt)), name, "%s (insn at %lx)",
                  describe(&p), addr(s->mt));
        } else {
            fmt(name, sizeof(name), "mtspr %s from HV: no-op (stock)",
                s->name);
            check(p.kind == P_RET, name, "%s", describe(&p));
        }
    }
}

static void check_secure_memory(bool pef)
{
    const char *sfx = pef ? "" : " (stock: unassigned memory)";
    char name[128];
    Probe p;

    probe_init(&p);
    p.r[1] = SECURE_BASE;
    run_probe(&p, addr(sn_load));
    fmt(name, sizeof(name), "HV load from secure_base: machine check 0x200, "
        "SRR0 = the load, DAR = EA%s", sfx);
    check(p.kind == P_TRAP && p.home.vec == 0x200 &&
          p.home.srr0 == addr(sn_load) && p.home.dar == SECURE_BASE &&
          (p.home.msr & MSR_HV) && !(p.home.msr & MSR_S),
          name, "%s", describe(&p));

    probe_init(&p);
    p.r[1] = SECURE_BASE + 0x1000;
    p.r[2] = 0x1122334455667788ULL;
    run_probe(&p, addr(sn_store));
    fmt(name, sizeof(name), "HV store to secure memory: machine check 0x200,"
        " SRR0 = the store, DAR = EA%s", sfx);
    check(p.kind == P_TRAP && p.home.vec == 0x200 &&
          p.home.srr0 == addr(sn_store) &&
          p.home.dar == SECURE_BASE + 0x1000 && (p.home.msr & MSR_HV),
          name, "%s", describe(&p));

    probe_init(&p);
    p.r[1] = SECURE_BASE + SECURE_SIZE - 8;
    run_probe(&p, addr(sn_load));
    fmt(name, sizeof(name), "HV load from the last secure doubleword: "
        "machine check 0x200%s", sfx);
    check(p.kind == P_TRAP && p.home.vec == 0x200 &&
          p.home.srr0 == addr(sn_load) &&
          p.home.dar == SECURE_BASE + SECURE_SIZE - 8,
          name, "%s", describe(&p));

    probe_init(&p);
    p.r[1] = SECURE_BASE + 0x100;
    run_probe(&p, addr(sn_jump));
    if (pef) {
        check(p.kind == P_TRAP && p.home.vec == 0x200 &&
              p.home.srr0 == SECURE_BASE + 0x100 &&
              (p.home.srr1 & 0x080C0000) == 0x080C0000 &&
              !(p.home.srr1 & 0x00200000) && (p.home.msr & MSR_HV),
              "HV ifetch from secure memory: machine check 0x200, "
              "SRR0 = target, SRR1 fetch bits 36|44|45, not 42", "%s",
              describe(&p));
    } else {
        check(p.kind == P_TRAP && p.home.vec == 0x200 &&
              p.home.srr0 == SECURE_BASE + 0x100 && (p.home.msr & MSR_HV),
              "HV ifetch from secure memory: machine check 0x200, "
              "SRR0 = target (stock: unassigned memory)", "%s",
              describe(&p));
    }
}

/* LPID 1 in OS state (S=0,HV=0): sc 2 with UV_WRITE_PATE, then sc 1 */
static void check_os_state(bool pef, uint64_t dw0, uint64_t dw1)
{
    uint64_t lpcr = mfspr(SPR_LPCR);
    uint64_t tg = addr(tg_os_ucall);
    Probe p;

    mtspr(SPR_LPCR, (lpcr | LPCR_HR | LPCR_UPRT) & ~(LPCR_HDICE | LPCR_HVICE));
    mtspr(SPR_LPIDR, 1);
    probe_init(&p);
    p.r[1] = tg;
    p.r[2] = MSR_SF | MSR_ME;
    p.r[3] = UCALL_WRITE_PATE;
    p.r[4] = 1;
    p.r[5] = dw0;
    p.r[6] = dw1;
    run_probe(&p, addr(sn_hrfid));
    if (pef) {
        bool in_os = p.kind == P_TRAP && p.home.vec == 0xC00 &&
                     !(p.home.gpr[20] & (MSR_HV | MSR_S)) &&
                     p.home.srr0 == tg + 32;
        check(in_os && p.home.gpr[21] == (uint64_t)U_PERMISSION,
              "UV_WRITE_PATE from OS state (LPID 1, HV=0) returns "
              "U_PERMISSION (-11)", "%s", describe(&p));
        check(in_os && !(p.home.srr1 & (MSR_HV | MSR_S)) &&
              (p.home.srr1 & SRR1_LEV_MASK) == SRR1_LEV1,
              "sc 1 from OS state: 0xC00 in HV, SRR1 LEV bits = 1 "
              "(pef=on; on POWER9 too)", "%s", describe(&p));
    } else {
        check(p.kind == P_FWD && p.fwd.vec == 0xC00 &&
              !(p.fwd.msr & (MSR_HV | MSR_S)) && p.fwd.srr0 == tg + 24 &&
              !(p.fwd.srr1 & (MSR_HV | MSR_S)) &&
              !(p.fwd.srr1 & SRR1_LEV_MASK),
              "sc 2 from OS state = sc 0: 0xC00 with HV=0, no LEV bits "
              "(stock)", "%s", describe(&p));
    }
    mtspr(SPR_LPIDR, 0);
    mtspr(SPR_LPCR, lpcr);
}

/* one UV_WRITE_PATE from HV; returns r3 (or 1 if the call trapped) */
static int64_t write_pate(uint64_t lpid, uint64_t dw0, uint64_t dw1)
{
    Probe p;

    probe_init(&p);
    p.r[0] = UCALL_WRITE_PATE;
    p.r[1] = lpid;
    p.r[2] = dw0;
    p.r[3] = dw1;
    run_probe(&p, addr(sn_sc2));
    return p.kind == P_RET ? (int64_t)p.r[0] : 1;
}

/*
 * The hypervisor cannot point a normal partition's tables into secure
 * memory through UV_WRITE_PATE: dw0 (radix root or hashed page table)
 * is refused with U_P2, LPID 0's process table (dw1) with U_P3.
 */
static void check_write_pate_secure(void)
{
    uint64_t root = (1ULL << 63) | (1ULL << 62) | (5ULL << 5) | 13;
    int64_t rc;

    rc = write_pate(2, root | SECURE_BASE, 0);
    check(rc == U_P2, "UV_WRITE_PATE(lpid 2) with its radix root in secure "
          "memory: U_P2 (-55)", "rc=%ld", rc);
    rc = write_pate(2, SECURE_BASE + (16ULL << 20), 0);
    check(rc == U_P2, "UV_WRITE_PATE(lpid 2) with its hashed page table in "
          "secure memory: U_P2 (-55)", "rc=%ld", rc);
    rc = write_pate(0, root | addr(pt_root), SECURE_BASE + 0x4000);
    check(rc == U_P3, "UV_WRITE_PATE(lpid 0) with its process table in "
          "secure memory: U_P3 (-56)", "rc=%ld", rc);
    rc = write_pate(2, root | addr(pt_root), SECURE_BASE + 0x4000);
    check(rc == U_SUCCESS, "UV_WRITE_PATE(lpid 2) with a process table at "
          "a guest-real address (not checked): U_SUCCESS", "rc=%ld", rc);
    write_pate(2, 0, 0);
}

void main_builtin(void)
{
    bool pef = cfg_block[1] & CFG_EXPECT_PEF;
    uint64_t msr = mfmsr(), ptcr = mfspr(SPR_PTCR);
    uint64_t dw0, dw1;
    Probe p;

    pr("# built-in mode, expecting %s\n", pef ? "pef=on" : "pef=off (stock)");
    check((boot_info.msr & MSR_HV) && !(boot_info.msr & MSR_S) &&
          !(boot_info.msr & (MSR_IR | MSR_DR | MSR_PR)),
          "boot: HV real mode at 0x10 with MSR[S]=0", "MSR=%lx",
          boot_info.msr);
    check_secondaries(MSR_HV, "secondary thread started in HV state "
                      "(S=0,HV=1)");
    if (pef) {
        check(ptcr == SECURE_BASE + 0x10000 + 4,
              "boot: PTCR = secure_base + 0x10000 | PATS 4", "PTCR=%lx",
              ptcr);
    }

    probe_init(&p);
    run_probe(&p, addr(sn_mtmsrd_set_s));
    check(p.kind == P_RET && !(p.r[0] & MSR_S) && (p.r[0] & MSR_HV),
          "mtmsrd cannot set MSR[S] (HV)", "%s", describe(&p));
    probe_init(&p);
    run_probe(&p, addr(sn_mtmsr_set_s));
    check(p.kind == P_RET && !(p.r[0] & MSR_S) && (p.r[0] & MSR_HV),
          "mtmsr cannot set MSR[S] (HV)", "%s", describe(&p));

    check_uv_sprs(pef);

    probe_init(&p);
    run_probe(&p, addr(sn_urfid));
    check(heai_at(&p, addr(sn_urfid)) && p.home.heir == 0x4C000264,
          "urfid from HV: HEAI 0xE40, HEIR = 0x4C000264", "%s",
          describe(&p));

    probe_init(&p);
    p.r[0] = 0xF000;
    msr = mfmsr();
    run_probe(&p, addr(sn_sc2));
    if (pef) {
        check(p.kind == P_RET && p.r[0] == (uint64_t)U_FUNCTION &&
              p.r[9] == 0x1234 && p.r[8] == msr,
              "sc 2 (opcode 0xF000) from HV: U_FUNCTION (-2), continues at "
              "the next instruction, MSR unchanged",
              "%s (MSR before %lx)", describe(&p), msr);
    } else {
        check(p.kind == P_TRAP && p.home.vec == 0xC00 &&
              p.home.srr0 == addr(sn_sc2) + 4 && (p.home.msr & MSR_HV) &&
              (p.home.srr1 & MSR_HV) && !(p.home.srr1 & SRR1_LEV_MASK),
              "sc 2 from HV = sc 0: 0xC00, HV kept, no LEV bits (stock)",
              "%s", describe(&p));
    }

    radix_setup(0, 0, &dw0, &dw1);
    if (pef) {
        probe_init(&p);
        p.r[0] = UCALL_WRITE_PATE;
        p.r[1] = 1;
        p.r[2] = dw0;
        p.r[3] = dw1;
        msr = mfmsr();
        run_probe(&p, addr(sn_sc2));
        check(p.kind == P_RET && p.r[0] == U_SUCCESS && p.r[9] == 0x1234 &&
              p.r[8] == msr,
              "UV_WRITE_PATE(lpid 1) from HV returns U_SUCCESS (0)", "%s",
              describe(&p));
    } else {
        pt_patb[2] = dw0;
        pt_patb[3] = dw1;
        mtspr(SPR_PTCR, addr(pt_patb));
    }
    check_os_state(pef, dw0, dw1);
    if (pef) {
        check_write_pate_secure();
    }

    check_secure_memory(pef);
}
