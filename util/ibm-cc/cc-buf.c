/*
 * Bounds-checked big-endian reader (see include/qemu/cc-buf.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"

void cc_buf_init(CCBuf *b, const void *data, size_t len)
{
    b->data = data;
    b->len = data ? len : 0;
    b->pos = 0;
    b->error = false;
}

const uint8_t *cc_buf_bytes(CCBuf *b, size_t n)
{
    const uint8_t *p;

    if (b->error || n > b->len - b->pos) {
        b->error = true;
        return NULL;
    }
    p = b->data + b->pos;
    b->pos += n;
    return p;
}

void cc_put_be(uint8_t *p, uint64_t v, size_t size)
{
    g_assert(size >= 1 && size <= 8);
    while (size--) {
        p[size] = v;
        v >>= 8;
    }
}

uint64_t cc_get_be(const uint8_t *p, size_t size)
{
    uint64_t v = 0;
    size_t i;

    g_assert(size >= 1 && size <= 8);
    for (i = 0; i < size; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint64_t cc_buf_be(CCBuf *b, size_t n)
{
    const uint8_t *p = cc_buf_bytes(b, n);

    return p ? cc_get_be(p, n) : 0;
}

uint8_t cc_buf_u8(CCBuf *b)
{
    return cc_buf_be(b, 1);
}

uint16_t cc_buf_be16(CCBuf *b)
{
    return cc_buf_be(b, 2);
}

uint32_t cc_buf_be32(CCBuf *b)
{
    return cc_buf_be(b, 4);
}

uint64_t cc_buf_be64(CCBuf *b)
{
    return cc_buf_be(b, 8);
}

bool cc_buf_copy(CCBuf *b, void *dst, size_t n)
{
    const uint8_t *p = cc_buf_bytes(b, n);

    if (!p) {
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, p, n);
    return true;
}

bool cc_buf_skip(CCBuf *b, size_t n)
{
    return cc_buf_bytes(b, n) != NULL;
}

bool cc_buf_seek(CCBuf *b, size_t pos)
{
    if (b->error || pos > b->len) {
        b->error = true;
        return false;
    }
    b->pos = pos;
    return true;
}

CCBuf cc_buf_sub(CCBuf *b, size_t n)
{
    CCBuf sub;
    const uint8_t *p = cc_buf_bytes(b, n);

    cc_buf_init(&sub, p, p ? n : 0);
    sub.error = !p;
    return sub;
}

bool cc_buf_zero(CCBuf *b, size_t n)
{
    const uint8_t *p = cc_buf_bytes(b, n);
    size_t i;

    if (!p) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}
