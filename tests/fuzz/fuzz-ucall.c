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
 * (create an SVM, read the info, reset), or a call with the thread's whole
 * state (uv_pef_ucall_regs: UV_ESM, UV_RETURN, ...; a Secure VM's hcall;
 * an interrupt from S=1), whose r31 may be the last cookie the
 * ultravisor handed out.  Each register's selector
 * makes a value likely to pass some check (a page of normal or secure
 * memory, a slot-sized gpa, page shift 16, an LPID, a gfn) or a raw or
 * near-overflow 64-bit value.
 *
 * Besides the sanitizers, every answer is checked: r3 = the return
 * value, only known U_* codes, and after every step the secure-memory
 * accounting adds up (UV area + table + the SVMs' secure pages) and stays
 * within secure memory.  Whenever the ultravisor enters the hypervisor for
 * a Secure VM (an hcall or an interrupt it reflects, with a cookie), the
 * hypervisor sees nothing of the thread but r3..r13 and the cookie: every
 * other GPR, the saved SPRs, FP/vector state, CR, LR, CTR, XER are zero.
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

static const uint32_t vectors[] = {
    0x100, 0x200, 0x980, 0xE00, 0xE20, 0xE40, 0xE60, 0xE80, 0xEA0, 0xF80,
};

/* The hypervisor's view of a reflected Secure VM thread (see the top) */
static void check_hv_view(const UvPefRegs *r)
{
    int i;

    if (!(r->msr & (1ULL << 60)) || r->gpr[31] != r->srr0 ||
        r->gpr[3] == 0xEF14) {
        return;     /* not an entry with a cookie (abort: the VM's own) */
    }
    check(r->hsrr0 == r->srr0);
    for (i = 0; i < 31; i++) {
        check(r->gpr[i] == 0 || (i >= 3 && i <= 13));
    }
    for (i = 0; i < UV_PEF_N_SAVED_SPRS; i++) {
        check(r->spr[i] == 0 || (r->nip == 0x200 && (i == 5 || i == 6)));
    }
    for (i = 0; i < UV_PEF_FP_WORDS; i++) {
        check(r->fp[i] == 0);
    }
    check(!r->cr && !r->lr && !r->ctr && !r->xer);
}

/* A call with the whole thread state; @kind 0: sc 2, 1: sc 1, 2: irq */
static void regs_call(Input *in, const UvPefCaller *c, int kind,
                      uint64_t op, uint64_t *cookie)
{
    g_autofree UvPefRegs *r = g_new0(UvPefRegs, 1);
    UvPefNext next;
    int i;

    fake_pef_regs_fill(r);
    r->gpr[3] = op;
    for (i = 4; i < 13; i++) {
        r->gpr[i] = next_reg(in);
    }
    r->gpr[0] = next_reg(in);
    r->gpr[31] = (next_u8(in) & 1) ? *cookie : next_reg(in);
    r->hsrr0 = (next_u8(in) & 1) ? r->gpr[31] : next_reg(in);
    r->srr0 = next_reg(in);
    r->srr1 = r->hsrr1 = next_reg(in);
    r->msr = next_reg(in);
    r->asdr = next_reg(in);
    r->hdar = next_reg(in);
    r->insn = next_reg(in);
    r->have_insn = next_u8(in) & 1;
    r->dec = next_reg(in);
    r->tb = next_reg(in);
    r->nip = next_reg(in);
    switch (kind) {
    case 0:
        next = uv_pef_ucall_regs(uv, uv_pef_ucall_find(op), c, r);
        break;
    case 1:
        next = uv_pef_svm_hcall(uv, c, r);
        break;
    default:
        next = uv_pef_svm_interrupt(uv, c,
                                    vectors[op % G_N_ELEMENTS(vectors)], r);
        break;
    }
    check(next == UV_PEF_NEXT_RESUME || next == UV_PEF_NEXT_LOAD);
    if (next == UV_PEF_NEXT_LOAD) {
        check_hv_view(r);
        if (r->msr & (1ULL << 60)) {
            *cookie = r->gpr[31];
        }
    }
}

static void setup(void)
{
    host = fake_pef_host_new(&fake_pef_host_ops, "fuzz");
    uv = host->uv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    uint64_t cookie = 0;
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
        if (op >= 0xF0) {
            /* 0xF0-0xFC: whole-state calls; sc 2 with an opcode */
            c.hv_le = ctl & 0x80;
            regs_call(&in, &c, op % 3,
                      op % 3 ? next_reg(&in)
                             : opcodes[next_u8(&in) % G_N_ELEMENTS(opcodes)],
                      &cookie);
            check_info();
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
