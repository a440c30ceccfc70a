/*
 * Stand-in for QEMU's qemu/osdep.h when the pure core is built without QEMU
 * (root meson.build).  Core files include "qemu/osdep.h" first, as every
 * QEMU source does; here that brings in only the C library and GLib, which
 * is all the core may use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_IBM_CC_CORE_OSDEP_H
#define QEMU_IBM_CC_CORE_OSDEP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#endif
