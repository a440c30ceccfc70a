/*
 * Bounds-checked big-endian reader for untrusted binary structures
 * (SE headers, UVC control blocks, ultracall argument areas, ESM blobs),
 * and the big-endian stores that build such structures.
 *
 * Part of the qemu-ibm-cc pure core: depends on GLib only, so it builds and
 * is unit-tested without QEMU.
 *
 * Errors are sticky: once a read runs past the end, every further read
 * returns zero / NULL and cc_buf_ok() stays false.  A parser can read a
 * whole structure and check once at the end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CC_BUF_H
#define QEMU_CC_BUF_H

typedef struct CCBuf {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool error;
} CCBuf;

void cc_buf_init(CCBuf *b, const void *data, size_t len);

static inline bool cc_buf_ok(const CCBuf *b)
{
    return !b->error;
}

static inline size_t cc_buf_remaining(const CCBuf *b)
{
    return b->error ? 0 : b->len - b->pos;
}

uint8_t cc_buf_u8(CCBuf *b);
uint16_t cc_buf_be16(CCBuf *b);
uint32_t cc_buf_be32(CCBuf *b);
uint64_t cc_buf_be64(CCBuf *b);

/* A pointer to the next @n bytes, or NULL (and the error set). */
const uint8_t *cc_buf_bytes(CCBuf *b, size_t n);

/* Copy the next @n bytes to @dst; on error @dst is zero-filled. */
bool cc_buf_copy(CCBuf *b, void *dst, size_t n);

bool cc_buf_skip(CCBuf *b, size_t n);

/* Move to absolute offset @pos (pos == len is allowed: nothing left). */
bool cc_buf_seek(CCBuf *b, size_t pos);

/*
 * A sub-reader over the next @n bytes; @b advances past them.  On error the
 * sub-reader is empty and in error too.
 */
CCBuf cc_buf_sub(CCBuf *b, size_t n);

/* True if every byte of the next @n bytes is zero (reserved fields). */
bool cc_buf_zero(CCBuf *b, size_t n);

/*
 * Raw big-endian access of @size (1..8) bytes at @p, for fields at known
 * offsets of a buffer the caller sized: the writer side of the reader
 * above, and its one-shot read.
 */
void cc_put_be(uint8_t *p, uint64_t v, size_t size);
uint64_t cc_get_be(const uint8_t *p, size_t size);

static inline void cc_put_be16(uint8_t *p, uint16_t v)
{
    cc_put_be(p, v, 2);
}

static inline void cc_put_be32(uint8_t *p, uint32_t v)
{
    cc_put_be(p, v, 4);
}

static inline void cc_put_be64(uint8_t *p, uint64_t v)
{
    cc_put_be(p, v, 8);
}

static inline uint32_t cc_get_be32(const uint8_t *p)
{
    return cc_get_be(p, 4);
}

static inline uint64_t cc_get_be64(const uint8_t *p)
{
    return cc_get_be(p, 8);
}

#endif
