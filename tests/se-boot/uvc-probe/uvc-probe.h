/*
 * qemu-ibm-cc: layout shared by uvc-probe (a freestanding s390x program
 * issuing malformed Ultravisor Calls) and tests/se-boot/test_pv_badinput.py,
 * which parses this file for the numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef UVC_PROBE_H
#define UVC_PROBE_H

/* result block: u64 magic, u64 count, then count entries */
#define PROBE_RES_ADDR      0x30000
#define PROBE_MAGIC         0x5556435052424531  /* "UVCPRBE1" */
#define PROBE_ENTRY_SIZE    0x20
/*
 * Entry: u64 outcome, u64 first 8 bytes of the control block afterwards
 * {len, cmd, rc, rrc}, u64 control block bytes 0x10..0x17 afterwards
 * (the QUI installed-calls word), u64 control-block address.
 * outcome: the condition code (0..3), or PROBE_PGM + program
 * interruption code if the UVC caused a program interruption.
 */
#define PROBE_PGM           0x100

/* a page for control blocks */
#define PROBE_CB_ADDR       0x40000
/* guest RAM size the test runs with (-m 1G) */
#define PROBE_RAM_END       0x40000000
#define PROBE_STACK_TOP     0x80000

/* the disabled wait at the end: PSW address */
#define PROBE_DONE_ADDR     0xdeadf000

#endif
