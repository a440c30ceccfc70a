/*
 * The attestation exchange format of IBM's pvattest (s390-tools
 * rust/pvattest/src/exchange.rs), version 0x0100: what the requester
 * hands to the guest and the guest hands back.  Plain C (the guest's
 * program has only the C library).
 *
 *   0x00 magic "pvattest", version u32 = 0x0100, size u32 (whole file),
 *        reserved u64
 *   0x18 five entries {size u32, offset u32}: ARCB, measurement,
 *        additional data, user data, configuration UID
 *   0x40 data
 * A request holds only the ARCB (offset 0x40) and the expected sizes of
 * the measurement and additional data (offset 0); a response holds all
 * five, one after the other.  Big-endian.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOLS_SE_ATTEST_EXCHANGE_H
#define TOOLS_SE_ATTEST_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XCHG_MAGIC          "pvattest"
#define XCHG_VERSION        0x0100
#define XCHG_HDR_SIZE       0x40
#define XCHG_ARCB_MAX       0x100000    /* Linux uvdevice's limit */
#define XCHG_MEAS_MAX       0x8000
#define XCHG_ADD_MAX        0x8000
#define XCHG_USER_MAX       256
#define XCHG_CUID_SIZE      16

enum { XCHG_ARCB, XCHG_MEAS, XCHG_ADD, XCHG_USER, XCHG_CUID, XCHG_N };

typedef struct XchgItem {
    const uint8_t *data;        /* NULL: only an expected size */
    uint32_t size;
} XchgItem;

static inline uint32_t xchg_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static inline void xchg_put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/*
 * Serialize @items (data items are stored, the others give a size only);
 * malloc()ed, its length in @len.  NULL if too large.
 */
static inline uint8_t *xchg_write(const XchgItem items[XCHG_N], size_t *len)
{
    uint64_t total = XCHG_HDR_SIZE;
    uint32_t off = XCHG_HDR_SIZE;
    uint8_t *buf;
    int i;

    for (i = 0; i < XCHG_N; i++) {
        total += items[i].data ? items[i].size : 0;
    }
    if (total > UINT32_MAX) {
        return NULL;
    }
    buf = calloc(1, total);
    if (!buf) {
        return NULL;
    }
    memcpy(buf, XCHG_MAGIC, 8);
    xchg_put32(buf + 8, XCHG_VERSION);
    xchg_put32(buf + 12, total);
    for (i = 0; i < XCHG_N; i++) {
        xchg_put32(buf + 0x18 + 8 * i, items[i].size);
        if (items[i].data && items[i].size) {
            xchg_put32(buf + 0x1c + 8 * i, off);
            memcpy(buf + off, items[i].data, items[i].size);
            off += items[i].size;
        }
    }
    *len = total;
    return buf;
}

/*
 * Parse @buf: fills @items (data pointing into @buf, or NULL with the
 * expected size).  Returns NULL, or why the file is not one.
 */
static inline const char *xchg_read(const uint8_t *buf, size_t len,
                                    XchgItem items[XCHG_N])
{
    static const uint32_t max[XCHG_N] = {
        XCHG_ARCB_MAX, XCHG_MEAS_MAX, XCHG_ADD_MAX, XCHG_USER_MAX,
        XCHG_CUID_SIZE,
    };
    int i;

    if (len < XCHG_HDR_SIZE || memcmp(buf, XCHG_MAGIC, 8)) {
        return "not a pvattest exchange file (no magic)";
    }
    if (xchg_be32(buf + 8) != XCHG_VERSION) {
        return "unsupported exchange format version";
    }
    if (xchg_be32(buf + 12) > len) {
        return "exchange file shorter than its header says";
    }
    for (i = 0; i < XCHG_N; i++) {
        uint32_t size = xchg_be32(buf + 0x18 + 8 * i);
        uint32_t off = xchg_be32(buf + 0x1c + 8 * i);

        if (size > max[i]) {
            return "an item of the exchange file is too large";
        }
        items[i].size = size;
        items[i].data = NULL;
        if (size && off) {
            if (off < XCHG_HDR_SIZE || off > len || size > len - off) {
                return "an item of the exchange file lies outside it";
            }
            items[i].data = buf + off;
        }
    }
    return NULL;
}

#endif
