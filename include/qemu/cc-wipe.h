/*
 * Wiping secrets (keys, unwrapped material, plaintext scratch) for the
 * qemu-ibm-cc core: the one helper every free path uses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CC_WIPE_H
#define QEMU_CC_WIPE_H

/*
 * Overwrite @n bytes at @p with zeroes, in a way the compiler may not drop
 * although the memory is dead afterwards (gnutls_memset()).
 */
void cc_wipe(void *p, size_t n);

#endif
