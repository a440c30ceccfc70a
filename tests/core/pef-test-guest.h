/*
 * A fake POWER guest ready for Enter Secure Mode (tests only); see
 * pef-test-guest.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_CORE_PEF_TEST_GUEST_H
#define TESTS_CORE_PEF_TEST_GUEST_H

#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "swtpm-test.h"

#define MEM_SIZE        (32 * 1024 * 1024)
#define KBASE           0x400000
#define RTAS_BASE       0x00800000
#define RTAS_SIZE       0x1000
#define INITRD_BASE     0x01000000
#define FDT_BASE        0x01c00000
#define BOOTARGS        "console=hvc0 svm=on"
/* RTAS tokens in /rtas */
#define TOKEN_GET_SYSPARM   0x2010
#define TOKEN_START_CPU     0x2011

/* file-2: 150 bytes, so it takes three UV_ESMB_GET_FILE calls */
extern uint8_t file2[150];

typedef struct Guest {
    uint8_t *mem;
    uint64_t initrd_end;
} Guest;

/* Guest memory [gpa, gpa + len), false outside MEM_SIZE */
bool guest_read(void *opaque, uint64_t gpa, void *buf, uint64_t len);
/* The tree prom_init hands to UV_ESM; @drop names a property to leave out */
void put_fdt(Guest *g, const char *bootargs, const char *drop);
/* A guest ready for ESM with a blob for @recipient_pem */
Guest *guest_new(const char *recipient_pem);
void guest_free(Guest *g);

/*
 * Start swtpm in @tpm and provision it with a password of @pw_byte bytes;
 * *@pem gets the wrapping key's public part.  false when swtpm is not
 * installed (nothing started).
 */
bool guest_tpm_start(TestTpm *tpm, uint8_t pw_byte, UvPefTpmKey *key,
                     char **pem);
/* Stop what guest_tpm_start() started (if anything) and free @pem. */
void guest_tpm_stop(TestTpm *tpm, char *pem);

#endif
