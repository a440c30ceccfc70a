/*
 * A Secure VM's user-space reader of ESM attachments: UV_ESMB_GET_FILE
 * ("sc 2" from problem state) as docs/devel/pef-ultravisor-facts.md
 * section 1 gives its ABI.  Built static for the guest by
 * tests/pef-svm/test_svm_pseries.py.
 *
 *   esmb-get-file NAME     writes the attachment NAME to stdout
 *
 * Exit status 0, or 1 with the ultracall's return code on stderr.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define UV_ESMB_GET_FILE    0xF14C

int main(int argc, char **argv)
{
    uint64_t name[8] = { 0 }, offset = 0;
    size_t i, len;

    if (argc != 2 || strlen(argv[1]) > 64) {
        fprintf(stderr, "usage: esmb-get-file NAME (at most 64 bytes)\n");
        return 2;
    }
    len = strlen(argv[1]);
    /* Most significant byte first in each register */
    for (i = 0; i < len; i++) {
        name[i / 8] |= (uint64_t)(uint8_t)argv[1][i] << (56 - 8 * (i % 8));
    }
    for (;;) {
        register uint64_t r3 asm("r3") = UV_ESMB_GET_FILE;
        register uint64_t r4 asm("r4") = offset;
        register uint64_t r5 asm("r5") = name[0];
        register uint64_t r6 asm("r6") = name[1];
        register uint64_t r7 asm("r7") = name[2];
        register uint64_t r8 asm("r8") = name[3];
        register uint64_t r9 asm("r9") = name[4];
        register uint64_t r10 asm("r10") = name[5];
        register uint64_t r11 asm("r11") = name[6];
        register uint64_t r12 asm("r12") = name[7];
        uint64_t out[8];
        int64_t n;

        asm volatile("sc 2"
                     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7),
                       "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12)
                     : : "memory", "cr0", "ctr", "lr", "xer");
        n = (int64_t)r3;
        if (n < 0 || n > 64) {
            fprintf(stderr, "esmb-get-file: %s: rc %lld\n", argv[1],
                    (long long)n);
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        out[0] = r4;
        out[1] = r5;
        out[2] = r6;
        out[3] = r7;
        out[4] = r8;
        out[5] = r9;
        out[6] = r10;
        out[7] = r11;
        for (i = 0; i < (size_t)n; i++) {
            putchar((int)(out[i / 8] >> (56 - 8 * (i % 8))) & 0xff);
        }
        offset += n;
    }
}
