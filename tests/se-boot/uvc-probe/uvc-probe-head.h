/*
 * qemu-ibm-cc: uvc-probe's C view of uvc-probe-head.S (the constants
 * both share are in uvc-probe.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef UVC_PROBE_HEAD_H
#define UVC_PROBE_HEAD_H

#include <stdint.h>

/* UVC 0,R2 on @cb: the condition code, or PROBE_PGM + interruption code */
uint64_t uvc_try(uint64_t cb);

/* called by _start; the disabled wait follows when it returns */
void probe_main(void);

#endif
