/*
 * svm-mini: the smallest Secure VM kernel, for kvm-mini --svm
 * (tests/pef-boot/kvm-mini.c).  Entered by the ultravisor after Enter
 * Secure Mode at its base with r3 = the device tree, r4 = the base, real
 * mode, MSR[S]=1 (docs/devel/pef-nested-svm.rst section 9).
 *
 * It makes a secret S = SEED * 0x9E3779B97F4A7C15 at run time (only SEED
 * is in the image) and fills its data page (base + 64 KiB) with S, ~S
 * pairs, shares the page at SHARED_GPA with the host (UV_SHARE_PAGE) and
 * writes SHARED_MARK there, then reports to the host with H_PUT_TERM_CHAR
 * (r3 = 0x58):
 *   share:   r4 = UV_SHARE_PAGE's r3, r5 = SHARED_GPA;
 *   round 0: r4 = MSR, r5 = r3 at entry, r6 = r4 at entry, r7 = r14;
 *   round n: r4 = 0x600D if every pair is still S, ~S, else 0x0BAD;
 *            r5 = MSR, r6 = n, r7 = the r3 the host returned last.
 * S itself never leaves the Secure VM.  Memory the ultravisor did not
 * bring in at Enter Secure Mode starts as zeros, so it first puts its own
 * handlers at the real-mode vectors: a machine check (0x200) reports
 * r4 = 0x3BAD and a program interrupt (0x700) r4 = 0x7BAD, with r5 =
 * SRR0.  Little-endian, 64-bit; assembled with -DSEED=0x...
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define PAIRS   4096            /* 64 KiB of S, ~S */
#define HANDLER_WORDS   6       /* handler's length */
#define SHARED_GPA      0x500000
#define SHARED_MARK     0x5A5A    /* repeated over the page's doublewords */

    .text
    .globl _start
_start:
    mr      20, 3
    mr      21, 4
    /* the vectors: copy the handler to 0x200 and 0x700, patch r4's value */
    li      12, 0x200
    bl      install
    li      9, 0x3BAD
    sth     9, 4(12)
    li      12, 0x700
    bl      install
    li      9, 0x7BAD
    sth     9, 4(12)
    sync
    icbi    0, 12
    isync
    ld      22, (seed - _start)(21)
    lis     9, 0x9E37
    ori     9, 9, 0x79B9
    sldi    9, 9, 32
    oris    9, 9, 0x7F4A
    ori     9, 9, 0x7C15
    mulld   22, 22, 9
    not     23, 22
    addis   10, 21, 1
    li      11, PAIRS
    mtctr   11
    mr      12, 10
1:  std     22, 0(12)
    std     23, 8(12)
    addi    12, 12, 16
    bdnz    1b
    /* share a page, mark it, report */
    lis     3, 0
    ori     3, 3, 0xF130
    lis     4, 0
    ori     4, 4, (SHARED_GPA >> 16)
    li      5, 1
    sc      2
    mr      4, 3
    lis     5, (SHARED_GPA >> 16)
    li      9, SHARED_MARK
    li      11, 8192
    mtctr   11
    mr      12, 5
6:  std     9, 0(12)
    addi    12, 12, 8
    bdnz    6b
    li      3, 0x58
    sc      1
    li      3, 0x58
    mfmsr   4
    mr      5, 20
    mr      6, 21
    mr      7, 14
    sc      1
    li      24, 0
round:
    mr      25, 3
    addi    24, 24, 1
    li      11, PAIRS
    mtctr   11
    mr      12, 10
2:  ld      9, 0(12)
    cmpd    9, 22
    bne     3f
    ld      9, 8(12)
    cmpd    9, 23
    bne     3f
    addi    12, 12, 16
    bdnz    2b
    li      4, 0x600D
    b       4f
3:  li      4, 0x0BAD
4:  li      3, 0x58
    mfmsr   5
    mr      6, 24
    mr      7, 25
    sc      1
    b       round

/* copy the HANDLER_WORDS words at handler to r12 (LR clobbered: r0) */
install:
    mflr    0
    addi    11, 21, (handler - _start)
    li      9, HANDLER_WORDS
    mtctr   9
    li      9, 0
5:  lwzx    8, 11, 9
    stwx    8, 12, 9
    addi    9, 9, 4
    bdnz    5b
    mtlr    0
    blr

/* at a vector: H_PUT_TERM_CHAR(r4 = patched, r5 = SRR0, r6 = -1) */
handler:
    li      3, 0x58
    li      4, 0
    mfsrr0  5
    li      6, -1
    sc      1
    b       .

    .balign 8
seed:
    .quad   SEED

    /* the data page */
    .org    0x10000
    .space  0x10000
