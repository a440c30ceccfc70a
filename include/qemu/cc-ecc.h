/*
 * NIST P-521 (secp521r1) helpers for the confidential-computing core:
 * public key derivation, point validation and ECDH, over nettle/hogweed.
 *
 * Scalars and coordinates are raw big-endian byte strings of exactly
 * CC_P521_LEN (66) bytes, the form used by the IBM Secure Execution header
 * (before its 80-byte left padding).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CC_ECC_H
#define QEMU_CC_ECC_H

#include "qemu/cc-wipe.h"

#define CC_P521_LEN 66

/*
 * x, y = d * G.  False (outputs zeroed) if d is 0 or not below the group
 * order n.
 */
bool cc_p521_public_from_private(const uint8_t d[CC_P521_LEN],
                                 uint8_t x[CC_P521_LEN],
                                 uint8_t y[CC_P521_LEN]);

/*
 * z = X coordinate of d * P (the ECDH shared secret).  False (z zeroed) if
 * d is not a valid scalar or P is not a point on the curve.
 */
bool cc_p521_ecdh(const uint8_t d[CC_P521_LEN],
                  const uint8_t px[CC_P521_LEN],
                  const uint8_t py[CC_P521_LEN],
                  uint8_t z[CC_P521_LEN]);

/* True if (x, y) are both below p and satisfy the curve equation. */
bool cc_p521_point_valid(const uint8_t x[CC_P521_LEN],
                         const uint8_t y[CC_P521_LEN]);

#endif
