/*
 * The built-in POWER ultravisor: MMIO of a Secure VM under a hypervisor.
 * A load or store of the Secure VM outside all its memory slots (a device
 * of the VMM: virtio, XIVE ESB pages) faults to the ultravisor (0xE00).
 * The hypervisor cannot read the instruction (the Secure VM's memory is
 * secure) and must not get the Secure VM's registers, so the ultravisor
 * decodes the access and asks for it with H_LOGICAL_CI_LOAD(r4 = size,
 * r5 = address) or H_LOGICAL_CI_STORE(r4 = size, r5 = address, r6 =
 * value), then completes the instruction itself (open-power/ultravisor
 * core/mmio.c emulate_mmio; docs/devel/pef-nested-svm.rst section 3.2).
 *
 * The host's value is the device's bytes as a big-endian load sees them
 * (QEMU's h_logical_load: ld*_phys); a little-endian access without byte
 * reversal, or a big-endian one with it, swaps them.
 *
 * [U] The instruction comes from the caller, fetched through the Secure
 * VM's own translation at the faulting PC (UvPefRegs.insn); IBM's
 * ultravisor reads it at the PC taken as a guest real address.
 * [U] An instruction that is not a plain load or store, or a fault with
 * no instruction, is reflected to the hypervisor as the interrupt it is.
 * [U] A refused load gives all ones, as a bus error would, and the
 * Secure VM goes on after the instruction; IBM's ultravisor retries it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"
#include "uv-pef-internal.h"

#define H_LOGICAL_CI_LOAD   0x3C
#define H_LOGICAL_CI_STORE  0x40
#define MSR_LE              1ULL

/* Power ISA loads and stores: what each primary / X-form opcode does */
typedef struct MmioForm {
    uint16_t xo;            /* primary opcode, or 31's extended opcode */
    uint8_t size;
    bool store, sign, update, byterev;
} MmioForm;

/* D-form (and DS-form, primary 58 / 62, by their low two bits) */
static const MmioForm d_forms[] = {
    { 32, 4, 0, 0, 0, 0 },  /* lwz */
    { 33, 4, 0, 0, 1, 0 },  /* lwzu */
    { 34, 1, 0, 0, 0, 0 },  /* lbz */
    { 35, 1, 0, 0, 1, 0 },  /* lbzu */
    { 36, 4, 1, 0, 0, 0 },  /* stw */
    { 37, 4, 1, 0, 1, 0 },  /* stwu */
    { 38, 1, 1, 0, 0, 0 },  /* stb */
    { 39, 1, 1, 0, 1, 0 },  /* stbu */
    { 40, 2, 0, 0, 0, 0 },  /* lhz */
    { 41, 2, 0, 0, 1, 0 },  /* lhzu */
    { 42, 2, 0, 1, 0, 0 },  /* lha */
    { 43, 2, 0, 1, 1, 0 },  /* lhau */
    { 44, 2, 1, 0, 0, 0 },  /* sth */
    { 45, 2, 1, 0, 1, 0 },  /* sthu */
};

static const MmioForm x_forms[] = {
    { 23, 4, 0, 0, 0, 0 },  /* lwzx */
    { 55, 4, 0, 0, 1, 0 },  /* lwzux */
    { 87, 1, 0, 0, 0, 0 },  /* lbzx */
    { 119, 1, 0, 0, 1, 0 }, /* lbzux */
    { 151, 4, 1, 0, 0, 0 }, /* stwx */
    { 183, 4, 1, 0, 1, 0 }, /* stwux */
    { 215, 1, 1, 0, 0, 0 }, /* stbx */
    { 247, 1, 1, 0, 1, 0 }, /* stbux */
    { 279, 2, 0, 0, 0, 0 }, /* lhzx */
    { 311, 2, 0, 0, 1, 0 }, /* lhzux */
    { 343, 2, 0, 1, 0, 0 }, /* lhax */
    { 375, 2, 0, 1, 1, 0 }, /* lhaux */
    { 407, 2, 1, 0, 0, 0 }, /* sthx */
    { 439, 2, 1, 0, 1, 0 }, /* sthux */
    { 21, 8, 0, 0, 0, 0 },  /* ldx */
    { 53, 8, 0, 0, 1, 0 },  /* ldux */
    { 149, 8, 1, 0, 0, 0 }, /* stdx */
    { 181, 8, 1, 0, 1, 0 }, /* stdux */
    { 341, 4, 0, 1, 0, 0 }, /* lwax */
    { 373, 4, 0, 1, 1, 0 }, /* lwaux */
    { 534, 4, 0, 0, 0, 1 }, /* lwbrx */
    { 662, 4, 1, 0, 0, 1 }, /* stwbrx */
    { 790, 2, 0, 0, 0, 1 }, /* lhbrx */
    { 918, 2, 1, 0, 0, 1 }, /* sthbrx */
    { 532, 8, 0, 0, 0, 1 }, /* ldbrx */
    { 660, 8, 1, 0, 0, 1 }, /* stdbrx */
};

static const MmioForm ds58[] = {
    { 0, 8, 0, 0, 0, 0 },   /* ld */
    { 1, 8, 0, 0, 1, 0 },   /* ldu */
    { 2, 4, 0, 1, 0, 0 },   /* lwa */
};
static const MmioForm ds62[] = {
    { 0, 8, 1, 0, 0, 0 },   /* std */
    { 1, 8, 1, 0, 1, 0 },   /* stdu */
};

static const MmioForm *find(const MmioForm *t, size_t n, uint16_t xo)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (t[i].xo == xo) {
            return &t[i];
        }
    }
    return NULL;
}

bool uv_pef_mmio_decode(uint32_t insn, const uint64_t gpr[32],
                        UvPefMmio *op)
{
    unsigned po = insn >> 26, rt = (insn >> 21) & 31, ra = (insn >> 16) & 31;
    const MmioForm *f;
    uint64_t ea;

    if (po == 31) {
        f = find(x_forms, G_N_ELEMENTS(x_forms), (insn >> 1) & 0x3FF);
        ea = (ra ? gpr[ra] : 0) + gpr[(insn >> 11) & 31];
    } else if (po == 58 || po == 62) {
        f = po == 58 ? find(ds58, G_N_ELEMENTS(ds58), insn & 3)
                     : find(ds62, G_N_ELEMENTS(ds62), insn & 3);
        ea = (ra ? gpr[ra] : 0) + (int64_t)(int16_t)(insn & 0xFFFC);
    } else {
        f = find(d_forms, G_N_ELEMENTS(d_forms), po);
        ea = (ra ? gpr[ra] : 0) + (int64_t)(int16_t)(insn & 0xFFFF);
    }
    /* An update form with RA = 0, or a load's RA = RT, is invalid */
    if (!f || (f->update && (ra == 0 || (!f->store && ra == rt)))) {
        return false;
    }
    *op = (UvPefMmio) {
        .store = f->store, .size = f->size, .sign = f->sign,
        .byterev = f->byterev, .reg = rt, .update = f->update ? (int)ra : -1,
        .ea = ea,
    };
    return true;
}

/* The bytes between the host's big-endian view and the thread's */
static uint64_t mmio_swap(const UvPefMmio *op, bool le, uint64_t v)
{
    if (le == op->byterev) {
        return v;
    }
    switch (op->size) {
    case 2:
        return GUINT16_SWAP_LE_BE((uint16_t)v);
    case 4:
        return GUINT32_SWAP_LE_BE((uint32_t)v);
    case 8:
        return GUINT64_SWAP_LE_BE(v);
    default:
        return v;
    }
}

static uint64_t mmio_mask(const UvPefMmio *op, uint64_t v)
{
    return op->size == 8 ? v : v & ((1ULL << (8 * op->size)) - 1);
}

UvPefNext mmio_start(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                     const UvPefRegs *in, UvPefRegs *r)
{
    UvPefMmio op;
    uint64_t args[3];
    UvPefFrame *f;

    if (!in->have_insn || !uv_pef_mmio_decode(in->insn, in->gpr, &op)) {
        return UV_PEF_NEXT_RESUME;
    }
    f = frame_new(svm, FRAME_MMIO, in);
    if (!f) {
        return UV_PEF_NEXT_RESUME;
    }
    f->vector = 0xE00;
    f->pid = c->pid;
    f->mmio = op;
    /* ASDR has the gpa's page, HDAR the offset in it */
    args[0] = op.size;
    args[1] = (in->asdr & ~0xFFFULL & ~(0xFULL << 60)) | (in->hdar & 0xFFF);
    args[2] = op.store ? mmio_swap(&op, in->msr & MSR_LE,
                                   mmio_mask(&op, in->gpr[op.reg])) : 0;
    hv_hcall(c, f, op.store ? H_LOGICAL_CI_STORE : H_LOGICAL_CI_LOAD, args,
             op.store ? 3 : 2, r);
    return UV_PEF_NEXT_LOAD;
}

void mmio_finish(UvPefFrame *f, const UvPefRegs *hv)
{
    const UvPefMmio *op = &f->mmio;
    UvPefRegs *s = &f->regs;

    if (!op->store) {
        uint64_t v = hv->gpr[0] == 0 ? hv->gpr[4] : UINT64_MAX;

        v = mmio_swap(op, s->msr & MSR_LE, mmio_mask(op, v));
        if (op->sign) {
            v = op->size == 1 ? (uint64_t)(int64_t)(int8_t)v :
                op->size == 2 ? (uint64_t)(int64_t)(int16_t)v :
                op->size == 4 ? (uint64_t)(int64_t)(int32_t)v : v;
        }
        s->gpr[op->reg] = v;
    }
    if (op->update >= 0) {
        s->gpr[op->update] = op->ea;
    }
    s->nip += 4;
}
