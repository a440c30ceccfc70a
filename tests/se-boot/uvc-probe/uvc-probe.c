/*
 * qemu-ibm-cc: uvc-probe, a freestanding s390x program run as an
 * unprotected guest on a machine with an emulated ultravisor.  It issues
 * Ultravisor Calls with malformed control blocks (bad lengths, unknown
 * commands, bad addresses, calls only a secure guest may make), records
 * each outcome at PROBE_RES_ADDR and ends in a disabled wait.  The cases
 * and their order are listed in tests/se-boot/test_pv_badinput.py.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include "uvc-probe.h"
#include "uvc-probe-head.h"

/*
 * Plain pointers to absolute addresses: uvc_try() is an external call,
 * so the compiler keeps every store before it and reloads after it.
 */
static uint64_t *const res = (uint64_t *)PROBE_RES_ADDR;
static unsigned int nres;

static void put16(uint64_t addr, uint16_t v)
{
    *(uint16_t *)addr = v;
}

static void zero(uint64_t addr, uint64_t len)
{
    uint8_t *p = (uint8_t *)addr;

    while (len--) {
        *p++ = 0;
    }
}

/* A control block {len, cmd} at @cb, 8-byte field 0x20 = @arg. */
static void call(uint64_t cb, uint16_t len, uint16_t cmd, uint64_t arg,
                 uint64_t clear)
{
    uint64_t *e = res + 2 + nres * (PROBE_ENTRY_SIZE / 8);

    if (clear) {
        zero(cb, clear);
    }
    if (cb < PROBE_RAM_END - 8) {
        /* outside guest storage the header cannot even be written */
        put16(cb, len);
        put16(cb + 2, cmd);
    }
    if (clear >= 0x28) {
        *(uint64_t *)(cb + 0x20) = arg;
    }
    e[0] = uvc_try(cb);
    e[1] = clear >= 8 ? *(uint64_t *)cb : 0;
    e[2] = clear >= 0x18 ? *(uint64_t *)(cb + 0x10) : 0;
    e[3] = cb;
    res[1] = ++nres;
}

/*
 * Every command code with a 0x30-byte block: a non-secure guest may only
 * call QUI (here too short: invalid length) and gets "invalid state" for
 * SET/REMOVE_SHARED_ACCESS, RETR_ATTEST and the secret calls (entries of
 * their own); every other code must be cc 1, rc 0x0002.
 * One entry: the number of codes that were not, the first of them (code
 * << 32 | outcome << 16 | rc), the number of codes tried, the block.
 */
static void sweep(uint64_t cb)
{
    uint64_t *e = res + 2 + nres * (PROBE_ENTRY_SIZE / 8);
    uint64_t bad = 0, first = 0;
    uint32_t cmd;

    for (cmd = 0; cmd <= 0xffff; cmd++) {
        uint64_t cc;
        uint16_t rc;

        if (cmd == 0x0001 || cmd == 0x1000 || cmd == 0x1001 ||
            cmd == 0x1020 || cmd == 0x1031 || cmd == 0x1033 ||
            cmd == 0x1034 || cmd == 0x1035) {
            continue;
        }
        zero(cb, 0x30);
        put16(cb, 0x30);
        put16(cb + 2, cmd);
        cc = uvc_try(cb);
        rc = *(uint16_t *)(cb + 4);
        if (cc != 1 || rc != 0x0002) {
            if (!bad) {
                first = (uint64_t)cmd << 32 | cc << 16 | rc;
            }
            bad++;
        }
    }
    e[0] = bad;
    e[1] = first;
    e[2] = 0x10000 - 8;
    e[3] = cb;
    res[1] = ++nres;
}

void probe_main(void)
{
    const uint64_t cb = PROBE_CB_ADDR;

    res[0] = PROBE_MAGIC;
    res[1] = 0;
    /* 0: QUI, full length */
    call(cb, 0x120, 0x0001, 0, 0x1000);
    /* 1: QUI, the older 0x100-byte block: more data */
    call(cb, 0x100, 0x0001, 0, 0x1000);
    /* 2, 3: lengths below the header, 4: header only */
    call(cb, 0x0004, 0x0001, 0, 0x1000);
    call(cb, 0x0000, 0x0001, 0, 0x1000);
    call(cb, 0x0008, 0x0001, 0, 0x1000);
    /* 5, 6: longer than a control block can be */
    call(cb, 0x1001, 0x0001, 0, 0x1000);
    call(cb, 0xffff, 0x0001, 0, 0x1000);
    /* 7: crosses into the next page (still guest RAM) */
    call(cb + 0x1000 - 0x40, 0x120, 0x0001, 0, 0x40);
    /* 8: crosses the end of guest RAM */
    call(PROBE_RAM_END - 0x40, 0x120, 0x0001, 0, 0x40);
    /* 9-13: unknown commands, and host-only ones from a guest */
    call(cb, 0x0030, 0x0000, 0, 0x1000);
    call(cb, 0x0030, 0x0003, 0, 0x1000);
    call(cb, 0x0030, 0xffff, 0, 0x1000);
    call(cb, 0x0058, 0x0100, 0, 0x1000);
    call(cb, 0x0030, 0x0300, 0, 0x1000);
    /* 14, 15: unaligned control-block addresses */
    call(cb + 4, 0x120, 0x0001, 0, 0x200);
    call(cb + 0x801, 0x120, 0x0001, 0, 0);
    /* 16, 17: outside guest storage */
    call(PROBE_RAM_END, 0x120, 0x0001, 0, 0);
    call(0x7ffffffffffff000ULL, 0x120, 0x0001, 0, 0);
    /* 18, 19: share / unshare by a non-secure guest */
    call(cb, 0x0030, 0x1000, 0x50000, 0x1000);
    call(cb, 0x0030, 0x1001, 0x50000, 0x1000);
    /* 20: share with a too-short block */
    call(cb, 0x0010, 0x1000, 0x50000, 0x1000);
    /* 21: attestation by a non-secure guest */
    call(cb, 0x0188, 0x1020, 0, 0x1000);
    /* 22-25: add, list, lock, retrieve secret by a non-secure guest */
    call(cb, 0x0048, 0x1031, 0x50000, 0x1000);
    call(cb, 0x0048, 0x1033, 0x50000, 0x1000);
    call(cb, 0x0040, 0x1034, 0, 0x1000);
    call(cb, 0x0048, 0x1035, 0x50000, 0x1000);
    /* 26: QUI again: the calls above changed nothing */
    call(cb, 0x120, 0x0001, 0, 0x1000);
    /* 27: every other command code: invalid command */
    sweep(cb);
    /* 28: QUI once more */
    call(cb, 0x120, 0x0001, 0, 0x1000);
}
