/*
 * Stand-in for QEMU's crypto/random.h when the pure core is built without
 * QEMU (root meson.build): random bytes from GnuTLS, as QEMU's GnuTLS
 * backend (crypto/random-gnutls.c) takes them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_IBM_CC_CORE_CRYPTO_RANDOM_H
#define QEMU_IBM_CC_CORE_CRYPTO_RANDOM_H

#include <gnutls/crypto.h>

typedef struct Error Error;

/* 0 on success, -1 on failure (@errp is not set outside QEMU) */
static inline int qcrypto_random_bytes(void *buf, size_t buflen,
                                       Error **errp)
{
    return gnutls_rnd(GNUTLS_RND_RANDOM, buf, buflen) == 0 ? 0 : -1;
}

#endif
