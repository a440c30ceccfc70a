/*
 * Stand-in for QEMU's qemu/atomic.h when the pure core is built without
 * QEMU (root meson.build), as far as the core uses it: the same relaxed
 * atomic loads and stores.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_IBM_CC_CORE_ATOMIC_H
#define QEMU_IBM_CC_CORE_ATOMIC_H

#define qatomic_read(ptr)       __atomic_load_n(ptr, __ATOMIC_RELAXED)
#define qatomic_set(ptr, i)     __atomic_store_n(ptr, i, __ATOMIC_RELAXED)

#endif
