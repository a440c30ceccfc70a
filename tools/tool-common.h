/*
 * What the qemu-ibm-cc command-line tools share: how they fail.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOLS_TOOL_COMMON_H
#define TOOLS_TOOL_COMMON_H

/*
 * Print "PROG: message" on stderr and exit with status 1; PROG is the
 * name the tool gave g_set_prgname() first thing in main().
 */
G_NORETURN void tool_die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* *@dst = @val, or die if option @name was given already. */
void tool_set_once(const char **dst, const char *val, const char *name);

#endif
