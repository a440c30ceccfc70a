/*
 * What the qemu-ibm-cc command-line tools share (see tool-common.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "qemu/cc-eckey.h"
#include "tool-common.h"

#include <sys/random.h>

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

void tool_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    ssize_t n;

    while (len) {
        n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            tool_die("cannot get random bytes: %s", g_strerror(errno));
        }
        p += n;
        len -= n;
    }
}

void tool_load_host_key(const char *path, uint8_t x[66], uint8_t y[66])
{
    g_autoptr(GError) err = NULL;
    CCEcKey key;

    /* The messages of cc_eckey_load_file start with the file name. */
    if (!cc_eckey_load_file(path, false, &key, &err)) {
        tool_die("host-key document %s", err->message);
    }
    if (!key.has_public || !cc_p521_point_valid(key.x, key.y)) {
        tool_die("host-key document %s: the public key is not a point on "
                 "the secp521r1 curve", path);
    }
    memcpy(x, key.x, CC_P521_LEN);
    memcpy(y, key.y, CC_P521_LEN);
}

void tool_random_p521(uint8_t d[66])
{
    uint8_t x[CC_P521_LEN], y[CC_P521_LEN];

    /* A uniform scalar in [1, n - 1]: 521 random bits, retry if too big */
    do {
        tool_random(d, CC_P521_LEN);
        d[0] &= 0x01;
    } while (!cc_p521_public_from_private(d, x, y));
}
