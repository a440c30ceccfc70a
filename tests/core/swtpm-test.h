/*
 * swtpm for the core's unit tests: a TPM 2.0 with its own state
 * directory and a command socket.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_CORE_SWTPM_TEST_H
#define TESTS_CORE_SWTPM_TEST_H

#include "esm-image.h"
#include "tpm-socket.h"

typedef struct TestTpm {
    char *dir;          /* state directory, made by the first start */
    TpmSocket sock;     /* connected while started */
} TestTpm;

/* Is swtpm installed?  (Tests skip without it.) */
bool test_tpm_available(void);

/* Start swtpm (again, on the same state) and connect. */
void test_tpm_start(TestTpm *t);
/* Stop it, keeping the state. */
void test_tpm_stop(TestTpm *t);
/* Remove the state directory. */
void test_tpm_cleanup(TestTpm *t);

/*
 * The RSA public key in @pem as a lockbox recipient; its n and e are
 * GnuTLS's: release them with test_key_free().
 */
void test_key_from_pem(const char *pem, EsmImageKey *k);
void test_key_free(EsmImageKey *k);

/* The PEM public key of a fresh RSA-2048 key pair (g_free() it). */
char *test_new_rsa_pem(void);

/* RSA-OAEP-wrap @symkey for the PEM public key; returns the length. */
size_t test_wrap_for_pem(const char *pem, const uint8_t *symkey,
                         uint8_t *out);

#endif
