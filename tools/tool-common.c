/*
 * What the qemu-ibm-cc command-line tools share (see tool-common.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tool-common.h"

void tool_die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", g_get_prgname());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

void tool_set_once(const char **dst, const char *val, const char *name)
{
    if (*dst) {
        tool_die("%s given more than once", name);
    }
    *dst = val;
}
