/*
 * What the guest programs se-attest-guest and se-secret-guest share: the
 * ioctl interface of Linux's uvdevice (/dev/uv) and how they fail.
 *
 * The structures are those of Linux's arch/s390/include/uapi/asm/
 * uvdevice.h, restated here: the cross toolchain has no kernel headers
 * for s390x.  Static programs, C library only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOLS_UVIO_GUEST_H
#define TOOLS_UVIO_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct uvio_ioctl_cb {
    uint32_t flags;
    uint16_t uv_rc;
    uint16_t uv_rrc;
    uint64_t argument_addr;
    uint32_t argument_len;
    uint8_t reserved14[0x40 - 0x14];
};

_Static_assert(sizeof(struct uvio_ioctl_cb) == 0x40, "uvio_ioctl_cb");

/* ioctl numbers: INFO 0, ATT 1, ADD_SECRET 2, LIST 3, LOCK 4, RETR 5 */
#define UVIO_IOCTL(nr)  _IOWR('u', nr, struct uvio_ioctl_cb)

static const char *prog;

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(status);
}

/* At most @max bytes of @path; exit 1 if it is unreadable or larger */
static uint8_t *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(max + 1);

    if (!f || !buf) {
        die(1, "cannot read %s", path);
    }
    *len = fread(buf, 1, max + 1, f);
    if (ferror(f) || *len > max) {
        die(1, "%s: unreadable or too large", path);
    }
    fclose(f);
    return buf;
}

/*
 * Issue uvdevice ioctl @nr with @arg/@len; returns the ultravisor's rc
 * (uvdevice returns 0 whatever the ultravisor said), rrc in *rrc.
 */
static uint16_t uvio(unsigned nr, void *arg, uint32_t len, uint16_t *rrc)
{
    struct uvio_ioctl_cb cb;
    int fd = open("/dev/uv", O_RDWR);

    if (fd < 0) {
        die(1, "/dev/uv: %s (is the uvdevice module loaded, and is this a "
            "Secure Execution guest?)", strerror(errno));
    }
    memset(&cb, 0, sizeof(cb));
    cb.argument_addr = (uintptr_t)arg;
    cb.argument_len = len;
    if (ioctl(fd, UVIO_IOCTL(nr), &cb) < 0) {
        die(1, "uvdevice ioctl %u: %s%s", nr, strerror(errno),
            errno == ENOTTY ? " (this kernel's uvdevice lacks the call)"
                            : "");
    }
    close(fd);
    *rrc = cb.uv_rrc;
    return cb.uv_rc;
}

#endif
