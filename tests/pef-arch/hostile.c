/*
 * pef-arch: the guest of the hostile-host suite (tests/hostile/test_pef.py,
 * docs/system/ibm-cc-threat-model.rst), selected by CFG_HOSTILE.
 *
 * Assembles a secret at run time from the token in the configuration
 * block, so its bytes are in no file the host has, and keeps it:
 *  - external mode (powernv9,pef=on,uv-firmware=): in secure memory, in
 *    ultravisor state; with CFG_HOSTILE_HV the thread then leaves for HV
 *    state (the hypervisor) and the secret stays behind in secure memory;
 *  - built-in mode with pef=off (the positive control): in normal memory.
 * The first 8 secret bytes also stay in r20 while the thread waits.
 *
 * Console lines, parsed by the runner:
 *   HOSTILE: secret ra=0x... len=64 reg=r20 msr=0x...
 *   HOSTILE: planted=N      (the host's bytes at plant ra, before writing)
 *   HOSTILE: ready
 *   HOSTILE: tick N ok|changed|secure
 * "changed": the secret in memory is not what was assembled (the host
 * wrote it); "secure": HV code found itself with MSR[S]=1 (the host set
 * it), and then prints what it read of the secret ("HOSTILE: leaked ...").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "lib.h"

#define SECRET_LEN      64
#define PLANT_OFFSET    0x800000        /* the host's bytes: base + 8 MiB */
#define TICK_TB         (256ULL << 20)  /* ~0.5 s of 512 MHz timebase */

static char secret[4096] __attribute__((aligned(4096)));
static uint32_t token;

static uint64_t next(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* "PEF-RUNTIME-" then 52 hex digits of an xorshift64 run from the token */
static void assemble(char *s)
{
    static const char prefix[] = "PEF-RUNTIME-";
    uint64_t x = ((uint64_t)token * 0x9E3779B97F4A7C15ULL) | 1;
    int i;

    for (i = 0; prefix[i]; i++) {
        s[i] = prefix[i];
    }
    for (; i < SECRET_LEN; i++) {
        x = next(x);
        s[i] = "0123456789abcdef"[x >> 60];
    }
}

static bool intact(void)
{
    char want[SECRET_LEN];
    int i;

    assemble(want);
    for (i = 0; i < SECRET_LEN; i++) {
        /* the host may have written it: the compiler must not cache it */
        if (((volatile char *)secret)[i] != want[i]) {
            return false;
        }
    }
    return true;
}

static uint64_t mftb(void)
{
    uint64_t t;

    asm volatile("mfspr %0, 268" : "=r"(t));
    return t;
}

/* wait for the timebase to reach @end with @keep in r20 all along */
static void __attribute__((noinline)) wait_keeping(uint64_t end, uint64_t keep)
{
    asm volatile("mr 20, %1\n"
                 "1: mfspr 0, 268\n"
                 "cmpld 0, %0\n"
                 "blt 1b\n"
                 : : "r"(end), "r"(keep) : "r0", "r20", "cr0", "memory");
}

/* "PLANTED-BY-HOST-" and the token in 8 hex digits, repeated */
static int count_planted(uint64_t ra)
{
    static const char prefix[] = "PLANTED-BY-HOST-";
    char want[24];
    int i, n = 0, j;

    for (i = 0; i < 16; i++) {
        want[i] = prefix[i];
    }
    for (i = 0; i < 8; i++) {
        want[16 + i] = "0123456789abcdef"[(token >> (28 - 4 * i)) & 15];
    }
    for (j = 0; j < 16; j++) {
        for (i = 0; i < 24; i++) {
            uint64_t a = BYPASS | (ra + j * 24 + i);

            if ((char)(ld64(a & ~7ULL) >> (56 - 8 * (a & 7))) != want[i]) {
                break;
            }
        }
        n += i == 24;
    }
    return n;
}

/* print a tick every ~0.5 s; the HV variant cannot see the secret */
static void tick_forever(bool keeps_secret)
{
    uint64_t keep = 0, t = mftb();
    int n;

    if (keeps_secret) {
        memcpy(&keep, secret + 16, 8);
    }
    for (n = 1;; n++) {
        const char *state = "ok";

        if (!keeps_secret && (mfmsr() & MSR_S)) {
            /* the host made the hypervisor an ultravisor: EA -> URMOR|EA */
            state = "secure";
            pr("HOSTILE: leaked %s\n", secret);
        } else if (keeps_secret && !intact()) {
            state = "changed";
        }
        pr("HOSTILE: tick %d %s\n", n, state);
        t += TICK_TB;
        wait_keeping(t, keep);
    }
}

static void hv_main(void)
{
    pr("HOSTILE: in HV state, msr=%lx\n", mfmsr());
    pr("HOSTILE: ready\n");
    tick_forever(false);
}

void main_hostile(uint64_t external)
{
    uint64_t base = external ? mfspr(SPR_URMOR) : 0;

    token = cfg_block[1] >> 32;
    pr("HOSTILE: planted=%d\n", count_planted(base + PLANT_OFFSET));
    assemble(secret);
    pr("HOSTILE: secret ra=%lx len=%d reg=r20 code=%lx msr=%lx\n",
       base + addr(secret), SECRET_LEN, base + addr(wait_keeping), mfmsr());
    if (external && (cfg_block[1] & CFG_HOSTILE_HV)) {
        /* leave for the hypervisor: HV real mode in the normal copy */
        mtspr(SPR_USRR0, addr(hv_main));
        mtspr(SPR_USRR1, MSR_SF | MSR_HV | MSR_ME);
        asm volatile("urfid" : : : "memory");
    }
    pr("HOSTILE: ready\n");
    tick_forever(true);
}
