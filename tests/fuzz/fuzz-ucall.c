/*
 * libFuzzer target for the built-in POWER ultravisor
 * (include/hw/ppc/ultravisor/uv-pef.h).
 *
 * One UvPef over the fake host of the unit tests
 * (tests/core/fake-pef-host.c: 4 MiB of normal RAM at 0, 2 MiB of secure
 * RAM at 0x0001000000000000), reset before every input.  The input is:
 *   byte 0      bit i set: create an SVM with LPID i + 1 (i < 4)
 *   then steps  ctl, op, 9 x (selector, value bytes)
 * ctl bits 0-2 are the caller's S, HV and PR, bits 3-4 its LPID (0..3),
 * bits 5-6 make the host's SPR and SCOM accesses fail.
 * op picks one of the 20 opcodes, an unknown one, or a host action
 * (create an SVM, read the info, reset).  Each register's selector
 * makes a value likely to pass some check (a page of normal or secure
 * memory, a slot-sized gpa, page shift 16, an LPID, a gfn) or a raw or
 * near-overflow 64-bit value.
 *
 * Besides the sanitizers, every answer is checked: r3 = the return
 * value, only known U_* codes, and after every step the secure-memory
 * accounting adds up (UV area + table + the SVMs' secure pages) and stays
 * within secure memory.
 *
 * Run: ninja -C build/fuzz fuzz-ucall &&
 *      build/fuzz/tests/fuzz/fuzz-ucall -max_total_time=60
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef.h"
#include "../core/fake-pef-host.h"
#include "fuzz-util.h"

#define SECURE_BASE     FAKE_PEF_SECURE_BASE
#define SECURE_SIZE     FAKE_PEF_SECURE_SIZE
#define PG              UV_PEF_PAGE_SIZE
#define MAX_STEPS       256

static FakePefHost *host;
static UvPef *uv;

static const uint64_t opcodes[] = {
    UV_WRITE_PATE, UV_RESTRICTED_SPR_WRITE, UV_RESTRICTED_SPR_READ, UV_ESM,
    UV_READ_SCOM, UV_WRITE_SCOM, UV_RETURN, UV_REGISTER_MEM_SLOT,
    UV_UNREGISTER_MEM_SLOT, UV_PAGE_IN, UV_PAGE_OUT, UV_SHARE_PAGE,
    UV_UNSHARE_PAGE, UV_PAGE_INVAL, UV_SVM_TERMINATE, UV_UNSHARE_ALL_PAGES,
    UV_READ_MEM, UV_WRITE_MEM, UV_ESMB_GET_FILE, UV_SEND_SBE_COMMAND,
    0, 0xF100, 0xF154, 0xF104ULL | (1ULL << 32),
};

typedef struct Input {
    const uint8_t *p;
    size_t len;
} Input;

static uint8_t next_u8(Input *in)
{
    uint8_t v = 0;

    if (in->len) {
        v = *in->p++;
        in->len--;
    }
    return v;
}

static uint64_t next_u64(Input *in)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | next_u8(in);
    }
    return v;
}

static uint64_t next_reg(Input *in)
{
    uint8_t sel = next_u8(in);
    uint8_t b;

    switch (sel % 10) {
    case 0:
        return 0;
    case 1:
        return next_u8(in);
    case 2:
        return 1 + next_u8(in) % 4;                 /* an SVM's LPID */
    case 3:
        return (next_u8(in) % 64) * PG;             /* normal page */
    case 4:
        return SECURE_BASE + (next_u8(in) % 32) * PG;
    case 5:
        return (uint64_t)(next_u8(in) % 32) * PG;   /* gpa */
    case 6:
        return UV_PEF_PAGE_SHIFT;
    case 7:
        return next_u64(in);
    case 8:
        return next_u8(in) % 32;                    /* gfn / npages */
    default:
        b = next_u8(in);
        return (b & 1) ? UINT64_MAX - (b >> 1) : (uint64_t)b << 56;
    }
}

static bool known_rc(int64_t rc)
{
    switch (rc) {
    case U_SUCCESS:
    case U_BUSY:
    case U_FUNCTION:
    case U_PARAMETER:
    case U_RETRY:
    case U_HARDWARE:
    case U_PERMISSION:
    case U_P2:
    case U_P3:
    case U_P4:
    case U_P5:
    case U_STATE:
        return true;
    default:
        return false;
    }
}

/* The secure-memory accounting adds up. */
static void check_info(void)
{
    UvPefInfo info;
    uint64_t pages = 0;
    guint i;

    uv_pef_get_info(uv, &info);
    for (i = 0; i < info.partitions->len; i++) {
        UvPefPartitionInfo *p = &g_array_index(info.partitions,
                                               UvPefPartitionInfo, i);

        check(p->lpid > 0 && p->lpid < UV_PEF_MAX_LPID);
        check(p->slots->len <= 512);
        pages += p->secure_pages;
    }
    check(info.secure_used == 0x20000 + pages * PG);
    check(info.secure_used <= SECURE_SIZE);
    check(info.pates <= UV_PEF_MAX_LPID);
    uv_pef_info_clear(&info);
}

static void setup(void)
{
    host = fake_pef_host_new(&fake_pef_host_ops, "fuzz");
    uv = host->uv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    uint8_t svms;
    int i, steps;

    if (!uv) {
        setup();
    }
    uv_pef_reset(uv);
    svms = next_u8(&in);
    for (i = 0; i < 4; i++) {
        if (svms & (1 << i)) {
            check(uv_pef_svm_create(uv, i + 1) == U_SUCCESS);
        }
    }
    for (steps = 0; in.len && steps < MAX_STEPS; steps++) {
        uint8_t ctl = next_u8(&in);
        uint8_t op = next_u8(&in);
        UvPefCaller c = {
            .s = ctl & 1,
            .hv = ctl & 2,
            .pr = ctl & 4,
            .lpid = (ctl >> 3) & 3,
        };
        uint64_t regs[10];
        int64_t rc;

        host->fail_spr = ctl & 0x20;
        host->fail_scom = ctl & 0x40;

        if (op == 0xFF) {
            rc = uv_pef_svm_create(uv, next_u8(&in) % 8);
            check(rc == U_SUCCESS || rc == U_BUSY || rc == U_PARAMETER);
            continue;
        }
        if (op == 0xFE) {
            check_info();
            continue;
        }
        if (op == 0xFD) {
            uv_pef_reset(uv);
            continue;
        }
        regs[0] = opcodes[op % G_N_ELEMENTS(opcodes)];
        for (i = 1; i < 10; i++) {
            regs[i] = next_reg(&in);
        }
        rc = uv_pef_ucall(uv, uv_pef_ucall_find(regs[0]), &c, regs);
        check((int64_t)regs[0] == rc);
        check(known_rc(rc));
        check_info();
    }
    return 0;
}
