/*
 * se-attest-guest: runs inside an IBM Z Secure Execution guest and asks
 * the ultravisor for an attestation measurement through Linux's uvdevice
 * (/dev/uv, module uvdevice), as IBM's "pvattest perform" does.
 *
 *   se-attest-guest REQUEST RESPONSE [USER_DATA]
 *
 * REQUEST is the exchange file of "se-attest create" (or "pvattest
 * create"), RESPONSE the exchange file "se-attest verify" (or "pvattest
 * verify") checks; USER_DATA (at most 256 bytes) becomes part of the
 * measurement.  Exit status: 0 measured, 1 usage or I/O error, 2 the
 * ultravisor refused (its rc/rrc are printed).
 *
 * The ioctl's structures are those of Linux's
 * arch/s390/include/uapi/asm/uvdevice.h (restated here: the cross
 * toolchain has no kernel headers for s390x).  Static, C library only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exchange.h"

struct uvio_ioctl_cb {
    uint32_t flags;
    uint16_t uv_rc;
    uint16_t uv_rrc;
    uint64_t argument_addr;
    uint32_t argument_len;
    uint8_t reserved14[0x40 - 0x14];
};

struct uvio_attest {
    uint64_t arcb_addr;                 /* 0x000 */
    uint64_t meas_addr;                 /* 0x008 */
    uint64_t add_data_addr;             /* 0x010 */
    uint8_t user_data[XCHG_USER_MAX];   /* 0x018 */
    uint8_t config_uid[XCHG_CUID_SIZE]; /* 0x118 */
    uint32_t arcb_len;                  /* 0x128 */
    uint32_t meas_len;                  /* 0x12c */
    uint32_t add_data_len;              /* 0x130 */
    uint16_t user_data_len;             /* 0x134 */
    uint16_t reserved136;               /* 0x136 */
};

_Static_assert(sizeof(struct uvio_ioctl_cb) == 0x40, "uvio_ioctl_cb");
_Static_assert(sizeof(struct uvio_attest) == 0x138, "uvio_attest");

#define UVIO_IOCTL_ATT  _IOWR('u', 1, struct uvio_ioctl_cb)

static const char *prog = "se-attest-guest";

static void die(int status, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(status);
}

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

int main(int argc, char **argv)
{
    static struct uvio_attest att;
    struct uvio_ioctl_cb cb;
    XchgItem items[XCHG_N];
    uint8_t *req, *user = NULL, *meas, *add = NULL, *rsp;
    size_t len, user_len = 0, rsp_len;
    const char *why;
    FILE *f;
    int fd;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s REQUEST RESPONSE [USER_DATA]\n", prog);
        return 1;
    }
    req = read_file(argv[1], XCHG_HDR_SIZE + XCHG_ARCB_MAX, &len);
    why = xchg_read(req, len, items);
    if (why) {
        die(1, "%s", why);
    }
    if (!items[XCHG_ARCB].data || !items[XCHG_MEAS].size) {
        die(1, "%s: not an attestation request", argv[1]);
    }
    if (argc == 4) {
        user = read_file(argv[3], XCHG_USER_MAX, &user_len);
        memcpy(att.user_data, user, user_len);
    }
    meas = calloc(1, items[XCHG_MEAS].size);
    if (items[XCHG_ADD].size) {
        add = calloc(1, items[XCHG_ADD].size);
    }
    att.arcb_addr = (uintptr_t)items[XCHG_ARCB].data;
    att.arcb_len = items[XCHG_ARCB].size;
    att.meas_addr = (uintptr_t)meas;
    att.meas_len = items[XCHG_MEAS].size;
    att.add_data_addr = (uintptr_t)add;
    att.add_data_len = items[XCHG_ADD].size;
    att.user_data_len = user_len;

    fd = open("/dev/uv", O_RDWR);
    if (fd < 0) {
        die(1, "/dev/uv: %s (is the uvdevice module loaded, and is this a "
            "Secure Execution guest?)", strerror(errno));
    }
    memset(&cb, 0, sizeof(cb));
    cb.argument_addr = (uintptr_t)&att;
    cb.argument_len = sizeof(att);
    /* uvdevice returns 0 whatever the ultravisor said: its rc tells */
    if (ioctl(fd, UVIO_IOCTL_ATT, &cb) < 0) {
        die(1, "attestation ioctl: %s", strerror(errno));
    }
    close(fd);
    if (cb.uv_rc != 0x0001) {
        fprintf(stderr, "%s: the ultravisor refused the request: "
                "rc 0x%04x rrc 0x%04x\n", prog, cb.uv_rc, cb.uv_rrc);
        return 2;
    }

    items[XCHG_MEAS].data = meas;
    items[XCHG_ADD].data = add;
    items[XCHG_ADD].size = add ? att.add_data_len : 0;
    items[XCHG_USER].data = user;
    items[XCHG_USER].size = user_len;
    items[XCHG_CUID].data = att.config_uid;
    items[XCHG_CUID].size = XCHG_CUID_SIZE;
    rsp = xchg_write(items, &rsp_len);
    f = fopen(argv[2], "wb");
    if (!rsp || !f || fwrite(rsp, 1, rsp_len, f) != rsp_len || fclose(f)) {
        die(1, "cannot write %s", argv[2]);
    }
    printf("%s: measurement retrieved (rc 0x%04x), response in %s\n", prog,
           cb.uv_rc, argv[2]);
    return 0;
}
