/*
 * qemu-ibm-cc: what pv-probe-head.S calls in pv-probe.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PV_PROBE_HEAD_H
#define PV_PROBE_HEAD_H

#include <stdint.h>

/* the program, from the entry point */
void probe_main(void);
/* a program interruption with code @code: record it (then the wait) */
void probe_pgm(uint64_t code);

#endif
