/*
 * qemu-ibm-cc: layout shared by pv-probe (a freestanding s390x program
 * run as a protected guest: it issues every UVC command code and drives a
 * virtio-blk-ccw device itself) and tests/se-boot/test_pv_probe.py, which
 * parses this file for the numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PV_PROBE_H
#define PV_PROBE_H

/*
 * Four requests, in this order: 1 read sector 0 into a shared page, 2
 * write sector DMA_SECTOR_SHARED from a shared page filled with
 * DMA_PATTERN_SHARED, 3 read sector 0 into a secure page, 4 write sector
 * DMA_SECTOR_SECURE from the secure page filled with DMA_PATTERN_SECURE.
 * Results, in a page the probe shares with the host (u64 each): 0 magic,
 * 1 error (0, or step << 8 | detail; 0xdead0000 + program interruption
 * code), 2 request 1's used index afterwards, 3 its status byte, 4-5 the
 * first 16 bytes of its buffer, 6-9 the same for request 3, 10 the device
 * status after all four, 11 and 12 requests 2 and 4: used index << 8 |
 * status byte.  Then the UVCs, before any of that: 13 QUI's condition
 * code << 16 | rc, 14-17 its installed-calls words, 18 the number of
 * command codes other than the guest's (QUI, the share calls,
 * attestation and secrets) that did not end cc 1 rc 0x0002, 19 the first
 * of them (code << 32 | cc << 16 | rc).
 */
#define DMA_RES_ADDR        0x30000
#define DMA_MAGIC           0x444d4150524f4231  /* "DMAPROB1" */
#define DMA_RES_WORDS       20
#define DMA_SECTOR_SECURE   1
#define DMA_SECTOR_SHARED   2
#define DMA_PATTERN_SECURE  0x5c
#define DMA_PATTERN_SHARED  0x3c
/* shared: channel programs and their data */
#define DMA_CCW_ADDR        0x31000
/* shared: the virtqueue (descriptors, available, used ring) */
#define DMA_DESC_ADDR       0x40000
#define DMA_AVAIL_ADDR      0x41000
#define DMA_USED_ADDR       0x42000
/* shared: request header and status bytes */
#define DMA_REQ_ADDR        0x43000
/* the data buffers: shared, and secure (never shared) */
#define DMA_SHARED_BUF      0x44000
#define DMA_SECURE_BUF      0x45000
/* what the probe fills its buffers with before each request */
#define DMA_FILL            0xa5
/* secure: instruction operands (SCHIB, ORB, IRB, UVC block) */
#define DMA_PRIV_ADDR       0x50000
#define DMA_STACK_TOP       0x80000
/* the disabled wait at the end: PSW address */
#define DMA_DONE_ADDR       0xd3a0f000

#endif
