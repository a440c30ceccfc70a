/*
 * What the qemu-ibm-cc command-line tools share (see tool-common.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "qemu/cc-eckey.h"
#include "qemu/cc-buf.h"
#include "hw/s390x/se/se-hdr.h"
#include "tool-common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

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

uint8_t *tool_read_file(const char *path, size_t *len)
{
    g_autoptr(GError) err = NULL;
    gchar *data;
    gsize n;

    if (!g_file_get_contents(path, &data, &n, &err)) {
        tool_die("%s", err->message);
    }
    *len = n;
    return (uint8_t *)data;
}

void tool_write_file(const char *path, const void *data, size_t len,
                     int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    const uint8_t *p = data;
    struct stat st;
    ssize_t n;

    if (fd < 0 || fstat(fd, &st)) {
        tool_die("cannot write %s: %s", path, g_strerror(errno));
    }
    /*
     * @mode also for a regular file of ours that existed: what we write
     * may be secret (keys, decrypted dumps).  Devices and pipes as given.
     */
    if (S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        (st.st_mode & 07777) != (mode_t)mode && fchmod(fd, mode)) {
        tool_die("cannot set the mode of %s: %s", path, g_strerror(errno));
    }
    while (len) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            tool_die("cannot write %s: %s", path, g_strerror(errno));
        }
        p += n;
        len -= n;
    }
    if (close(fd)) {
        tool_die("cannot write %s: %s", path, g_strerror(errno));
    }
}

char *tool_hex(const uint8_t *p, size_t n)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; i < n; i++) {
        g_string_append_printf(s, "%02x", p[i]);
    }
    return g_string_free(s, false);
}

SeHdr *tool_find_se_header(const char *path)
{
    g_autofree uint8_t *buf = NULL;
    size_t len, off;
    SeError se;

    buf = tool_read_file(path, &len);
    for (off = 0; off + 8 <= len; off += 4096) {
        if (cc_get_be64(buf + off) == SE_HDR_MAGIC) {
            SeHdr *h = se_hdr_parse(buf + off, len - off, &se);

            if (!h) {
                tool_die("%s: the SE header at 0x%zx is malformed (%s)",
                         path, off, se.check);
            }
            return h;
        }
    }
    tool_die("%s: no SE header (neither an SE image nor a header)", path);
}
