/*
 * qemu-ibm-cc: pv-probe, a freestanding s390x program run as a protected
 * guest (packed by mk-se-image).  It issues Query Ultravisor Information
 * and every other UVC command code: a protected guest may only issue its
 * own calls, the others must be "invalid command" (rc 0x0002), as
 * kvm-unit-tests s390x/uv-guest.c expects.  Then it drives the
 * virtio-blk-ccw device on subchannel 0.0.0000 itself, as a virtio 1.0
 * driver that does not care what the device asks for: channel programs
 * (virtio-ccw, Linux drivers/s390/virtio/virtio_ccw.c and QEMU
 * hw/s390x/virtio-ccw.h for the commands), one virtqueue in shared pages,
 * notifications by diag 0x500.  It reads and writes sectors through a
 * page it shared with the host, then through a secure page, which the
 * device must not be able to write or read, whatever iommu_platform says.
 * Results go to DMA_RES_ADDR, a shared page (pv-probe.h); the end is a
 * disabled wait.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <stdint.h>
#include "pv-probe.h"
#include "pv-probe-head.h"

#define SCHID           0x00010000u     /* 0.0.0000: one = 1 */

#define CCW_SET_VQ      0x13
#define CCW_READ_FEAT   0x12
#define CCW_WRITE_FEAT  0x11
#define CCW_WRITE_STATUS 0x31
#define CCW_READ_STATUS 0x72
#define CCW_SET_REV     0x83
#define CCW_FLAG_SLI    0x20

#define ST_ACK          0x01
#define ST_DRIVER       0x02
#define ST_DRIVER_OK    0x04
#define ST_FEATURES_OK  0x08

#define QSIZE           16
#define BLK_T_IN        0
#define BLK_T_OUT       1
#define DESC_NEXT       1
#define DESC_WRITE      2
#define AVAIL_NO_INTR   1

/* TOD clock units per second: 2^12 per microsecond */
#define TOD_SEC         (4096ULL * 1000000)

static uint16_t avail_idx;

/* ---- helpers ---- */

/*
 * Every access to memory the device or the host also sees is an atomic
 * one, which the compiler neither drops nor reorders.
 */
static void w8(uint64_t a, uint8_t v)
{
    __atomic_store_n((uint8_t *)a, v, __ATOMIC_SEQ_CST);
}

static void w16(uint64_t a, uint16_t v)
{
    __atomic_store_n((uint16_t *)a, v, __ATOMIC_SEQ_CST);
}

static void w32(uint64_t a, uint32_t v)
{
    __atomic_store_n((uint32_t *)a, v, __ATOMIC_SEQ_CST);
}

static void w64(uint64_t a, uint64_t v)
{
    __atomic_store_n((uint64_t *)a, v, __ATOMIC_SEQ_CST);
}

static uint8_t r8(uint64_t a)
{
    return __atomic_load_n((uint8_t *)a, __ATOMIC_SEQ_CST);
}

static uint16_t r16(uint64_t a)
{
    return __atomic_load_n((uint16_t *)a, __ATOMIC_SEQ_CST);
}

static uint64_t r64(uint64_t a)
{
    return __atomic_load_n((uint64_t *)a, __ATOMIC_SEQ_CST);
}

/* result word @i */
static void res(unsigned i, uint64_t v)
{
    w64(DMA_RES_ADDR + 8 * i, v);
}

static void fill(uint64_t addr, uint8_t v, uint64_t len)
{
    while (len--) {
        w8(addr++, v);
    }
}

static uint16_t le16(uint16_t v)
{
    return __builtin_bswap16(v);
}

static uint32_t le32(uint32_t v)
{
    return __builtin_bswap32(v);
}

static uint64_t le64(uint64_t v)
{
    return __builtin_bswap64(v);
}

static uint64_t tod(void)
{
    uint64_t t;

    asm volatile("stck %0" : "=Q"(t) : : "cc");
    return t;
}

static void fail(unsigned step, unsigned detail)
{
    if (!r64(DMA_RES_ADDR + 8)) {
        res(1, (uint64_t)step << 8 | (detail & 0xff));
    }
}

void probe_pgm(uint64_t code)
{
    res(1, 0xdead0000 | code);
}

/* ---- the ultravisor ---- */

#define UVC_CB          (DMA_PRIV_ADDR + 0x800)

/* UVC with the control block at @cb; returns the condition code */
static int uvc(uint64_t cb)
{
    register uint64_t r2 asm("2") = cb;
    int cc;

    asm volatile(".long 0xb9a40002\n"           /* uvc 0,%r2 */
                 "ipm %0\n"
                 "srl %0,28\n"
                 : "=d"(cc) : "d"(r2) : "cc", "memory");
    return cc;
}

/* A zeroed control block of @len bytes for command @cmd at UVC_CB */
static void cb_init(uint16_t len, uint16_t cmd)
{
    fill(UVC_CB, 0, 0x200);
    w16(UVC_CB, len);
    w16(UVC_CB + 2, cmd);
}

static int share(uint64_t addr)
{
    cb_init(0x30, 0x1000);                      /* SET_SHARED_ACCESS */
    w64(UVC_CB + 0x20, addr);
    return uvc(UVC_CB) == 0 && r16(UVC_CB + 4) == 1 ? 0 : -1;
}

/* The guest's own calls (Linux arch/s390/include/asm/uv.h) */
static bool guest_call(uint32_t cmd)
{
    return cmd == 0x0001 || cmd == 0x1000 || cmd == 0x1001 ||
           cmd == 0x1020 || cmd == 0x1031 || cmd == 0x1033 ||
           cmd == 0x1034 || cmd == 0x1035;
}

static void uvc_sweep(void)
{
    uint64_t bad = 0, first = 0;
    uint32_t cmd;
    unsigned i;
    int cc;

    cb_init(0x120, 0x0001);                     /* QUI */
    cc = uvc(UVC_CB);
    res(13, (uint64_t)cc << 16 | r16(UVC_CB + 4));
    for (i = 0; i < 4; i++) {
        res(14 + i, r64(UVC_CB + 0x10 + 8 * i));
    }
    for (cmd = 0; cmd <= 0xffff; cmd++) {
        if (guest_call(cmd)) {
            continue;
        }
        cb_init(0x30, cmd);
        cc = uvc(UVC_CB);
        if (cc != 1 || r16(UVC_CB + 4) != 0x0002) {
            if (!bad) {
                first = (uint64_t)cmd << 32 | (uint64_t)cc << 16 |
                        r16(UVC_CB + 4);
            }
            bad++;
        }
    }
    res(18, bad);
    res(19, first);
}

/* ---- the channel subsystem ---- */

static int io_insn_stsch(void *schib)
{
    register uint32_t r1 asm("1") = SCHID;
    int cc;

    asm volatile("stsch 0(%2)\n ipm %0\n srl %0,28"
                 : "=d"(cc) : "d"(r1), "a"(schib) : "cc", "memory");
    return cc;
}

static int io_insn_msch(void *schib)
{
    register uint32_t r1 asm("1") = SCHID;
    int cc;

    asm volatile("msch 0(%2)\n ipm %0\n srl %0,28"
                 : "=d"(cc) : "d"(r1), "a"(schib) : "cc", "memory");
    return cc;
}

static int io_insn_ssch(void *orb)
{
    register uint32_t r1 asm("1") = SCHID;
    int cc;

    asm volatile("ssch 0(%2)\n ipm %0\n srl %0,28"
                 : "=d"(cc) : "d"(r1), "a"(orb) : "cc", "memory");
    return cc;
}

static int io_insn_tsch(void *irb)
{
    register uint32_t r1 asm("1") = SCHID;
    int cc;

    asm volatile("tsch 0(%2)\n ipm %0\n srl %0,28"
                 : "=d"(cc) : "d"(r1), "a"(irb) : "cc", "memory");
    return cc;
}

/* Enable the subchannel (PMCW enabled bit, SCHIB byte 5 0x80) */
static int enable(void)
{
    const uint64_t schib = DMA_PRIV_ADDR;

    fill(schib, 0, 64);
    if (io_insn_stsch((void *)schib) != 0) {
        return -1;
    }
    if (!(r8(schib + 5) & 0x01)) {      /* device number valid */
        return -2;
    }
    w8(schib + 5, r8(schib + 5) | 0x80);
    if (io_insn_msch((void *)schib) != 0) {
        return -3;
    }
    return 0;
}

/*
 * Run one format-1 CCW (@cmd, @count bytes at @data, a shared address)
 * and wait for its status; returns the device status byte, or -1.
 */
static int ccw(uint8_t cmd, uint64_t data, uint16_t count)
{
    const uint64_t c = DMA_CCW_ADDR;
    const uint64_t orb = DMA_PRIV_ADDR + 0x100;
    const uint64_t irb = DMA_PRIV_ADDR + 0x200;
    uint64_t end = tod() + TOD_SEC;

    w8(c, cmd);
    w8(c + 1, CCW_FLAG_SLI);
    w16(c + 2, count);
    w32(c + 4, (uint32_t)data);
    fill(orb, 0, 32);
    w8(orb + 5, 0x80);                  /* format-1 CCWs */
    w8(orb + 6, 0xff);                  /* logical path mask */
    w32(orb + 8, DMA_CCW_ADDR);
    if (io_insn_ssch((void *)orb) != 0) {
        return -1;
    }
    while (tod() < end) {
        fill(irb, 0, 96);
        if (io_insn_tsch((void *)irb) == 0 && (r8(irb + 3) & 0x01)) {
            /* status pending: device status, subchannel status */
            if (r8(irb + 9)) {
                return -1;
            }
            return r8(irb + 8);
        }
    }
    return -1;
}

static int ccw_ok(uint8_t cmd, uint64_t data, uint16_t count)
{
    int ds = ccw(cmd, data, count);

    /* channel end and device end, nothing else */
    return ds == 0x0c ? 0 : (ds < 0 ? 0xff : ds);
}

/* ---- virtio ---- */

#define CB(off)         (DMA_CCW_ADDR + 0x100 + (off))

static int set_status(uint8_t st)
{
    w8(CB(0), st);
    return ccw_ok(CCW_WRITE_STATUS, CB(0), 1);
}

/* The steps of setup(), each with the CCW that carries it out */
enum { STEP_REV = 1, STEP_DRIVER, STEP_READ_FEAT, STEP_WRITE_FEAT,
       STEP_FEATURES_OK, STEP_SET_VQ, STEP_DRIVER_OK };

/* 0, or the failed step << 8 | its device status */
static int setup(void)
{
    int r, i;

    /* revision 1: {u16 revision, u16 length} */
    fill(CB(0), 0, 64);
    w8(CB(1), 1);
    r = ccw_ok(CCW_SET_REV, CB(0), 4);
    if (r) {
        return STEP_REV << 8 | r;
    }
    r = set_status(ST_ACK | ST_DRIVER);
    if (r) {
        return STEP_DRIVER << 8 | r;
    }
    /* accept every feature offered in words 0 and 1 */
    for (i = 0; i < 2; i++) {
        fill(CB(0), 0, 8);
        w8(CB(4), i);
        r = ccw_ok(CCW_READ_FEAT, CB(0), 5);
        if (r) {
            return STEP_READ_FEAT << 8 | r;
        }
        r = ccw_ok(CCW_WRITE_FEAT, CB(0), 5);
        if (r) {
            return STEP_WRITE_FEAT << 8 | r;
        }
    }
    r = set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK);
    if (r) {
        return STEP_FEATURES_OK << 8 | r;
    }
    /* queue 0: {u64 desc, u32 res, u16 index, u16 num, u64 avail, used} */
    fill(DMA_DESC_ADDR, 0, 0x3000);
    fill(CB(0), 0, 32);
    w64(CB(0), DMA_DESC_ADDR);
    w16(CB(14), QSIZE);
    w64(CB(16), DMA_AVAIL_ADDR);
    w64(CB(24), DMA_USED_ADDR);
    r = ccw_ok(CCW_SET_VQ, CB(0), 32);
    if (r) {
        return STEP_SET_VQ << 8 | r;
    }
    w16(DMA_AVAIL_ADDR, le16(AVAIL_NO_INTR));
    r = set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
    if (r) {
        return STEP_DRIVER_OK << 8 | r;
    }
    return 0;
}

static void notify(void)
{
    register uint64_t r1 asm("1") = 3;          /* virtio-ccw notify */
    register uint64_t r2 asm("2") = SCHID;
    register uint64_t r3 asm("3") = 0;          /* queue 0 */
    register uint64_t r4 asm("4") = 0;

    asm volatile("diag 2,4,0x500"
                 : "+d"(r2) : "d"(r1), "d"(r3), "d"(r4) : "memory", "cc");
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    const uint64_t d = DMA_DESC_ADDR + 16 * i;

    w64(d, le64(addr));
    w32(d + 8, le32(len));
    w16(d + 12, le16(flags));
    w16(d + 14, le16(next));
}

/*
 * Request @n (descriptors 3n..3n+2; QSIZE holds four requests):
 * read (@write false) sector @sector into @buf, or write it from @buf:
 * request header, data, status byte.  Returns the used index afterwards
 * << 8 | the status byte.
 */
static uint64_t request(unsigned n, bool write, uint64_t sector,
                        uint64_t buf)
{
    const uint64_t hdr = DMA_REQ_ADDR + 32 * n;
    const uint64_t status = hdr + 16;
    const uint64_t used_idx = DMA_USED_ADDR + 2;
    uint64_t end;

    fill(hdr, 0, 32);
    w32(hdr, le32(write ? BLK_T_OUT : BLK_T_IN));
    w64(hdr + 8, le64(sector));
    w8(status, 0xee);
    set_desc(3 * n, hdr, 16, DESC_NEXT, 3 * n + 1);
    set_desc(3 * n + 1, buf, 512, DESC_NEXT | (write ? 0 : DESC_WRITE),
             3 * n + 2);
    set_desc(3 * n + 2, status, 1, DESC_WRITE, 0);
    w16(DMA_AVAIL_ADDR + 4 + 2 * (avail_idx % QSIZE), le16(3 * n));
    avail_idx++;
    w16(DMA_AVAIL_ADDR + 2, le16(avail_idx));
    notify();
    end = tod() + 2 * TOD_SEC;
    while (le16(r16(used_idx)) != avail_idx && tod() < end) {
        /* the device completes it from QEMU's I/O thread */
    }
    return (uint64_t)le16(r16(used_idx)) << 8 | r8(status);
}

/*
 * Read sector 0 into @buf (filled with DMA_FILL first); results to
 * res[@at] (used index), res[@at + 1] (status), res[@at + 2, 3] (the
 * buffer's first 16 bytes).
 */
static void read_sector(unsigned n, uint64_t buf, unsigned at)
{
    uint64_t r;

    fill(buf, DMA_FILL, 4096);
    r = request(n, false, 0, buf);
    res(at, r >> 8);
    res(at + 1, r & 0xff);
    res(at + 2, r64(buf));
    res(at + 3, r64(buf + 8));
}

/* Write @sector from @buf, filled with @pattern; result to res[@at] */
static void write_sector(unsigned n, uint64_t buf, uint64_t sector,
                         uint8_t pattern, unsigned at)
{
    fill(buf, pattern, 4096);
    res(at, request(n, true, sector, buf));
}

void probe_main(void)
{
    static const uint64_t shared[] = {
        DMA_RES_ADDR, DMA_CCW_ADDR, DMA_DESC_ADDR, DMA_AVAIL_ADDR,
        DMA_USED_ADDR, DMA_REQ_ADDR, DMA_SHARED_BUF,
    };
    unsigned i;
    int r;

    /* the result page first: until it is shared the host sees nothing */
    if (share(DMA_RES_ADDR)) {
        return;
    }
    for (i = 0; i < DMA_RES_WORDS; i++) {
        res(i, 0);
    }
    res(0, DMA_MAGIC);
    for (i = 1; i < sizeof(shared) / sizeof(shared[0]); i++) {
        if (share(shared[i])) {
            fail(1, i);
            return;
        }
    }
    uvc_sweep();
    r = enable();
    if (r) {
        fail(2, -r);
        return;
    }
    r = setup();
    if (r) {
        fail(2 + (r >> 8), r);
        return;
    }
    read_sector(0, DMA_SHARED_BUF, 2);
    write_sector(1, DMA_SHARED_BUF, DMA_SECTOR_SHARED, DMA_PATTERN_SHARED,
                 11);
    read_sector(2, DMA_SECURE_BUF, 6);
    write_sector(3, DMA_SECURE_BUF, DMA_SECTOR_SECURE, DMA_PATTERN_SECURE,
                 12);
    w8(CB(0), 0);
    r = ccw(CCW_READ_STATUS, CB(0), 1);
    res(10, r == 0x0c ? r8(CB(0)) : 0x100 | (r & 0xff));
}
