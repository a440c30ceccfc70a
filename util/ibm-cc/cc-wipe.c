/*
 * Wiping secrets for the qemu-ibm-cc core (see include/qemu/cc-wipe.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-wipe.h"

#include <gnutls/gnutls.h>

void cc_wipe(void *p, size_t n)
{
    if (n) {
        /* documented not to be optimised out, unlike memset() */
        gnutls_memset(p, 0, n);
    }
}
