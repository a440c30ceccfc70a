/*
 * A UvPefTpmIo over a TPM's command socket (see tpm-socket.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "tpm-socket.h"

#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static bool full_io(int fd, void *buf, size_t len, bool wr)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = wr ? write(fd, p, len) : read(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* One command, one response: the header's size says how much follows. */
static ssize_t sock_transmit(void *opaque, const uint8_t *cmd, size_t len,
                             uint8_t *rsp, size_t rsp_max)
{
    TpmSocket *s = opaque;
    uint32_t size;

    if (rsp_max < 10 || !full_io(s->fd, (void *)cmd, len, true) ||
        !full_io(s->fd, rsp, 10, false)) {
        return -1;
    }
    size = (uint32_t)rsp[2] << 24 | rsp[3] << 16 | rsp[4] << 8 | rsp[5];
    if (size < 10 || size > rsp_max ||
        !full_io(s->fd, rsp + 10, size - 10, false)) {
        return -1;
    }
    return size;
}

bool tpm_socket_open(TpmSocket *s, const char *where, GError **errp)
{
    const char *colon = strrchr(where, ':');

    s->io.transmit = sock_transmit;
    s->io.opaque = s;
    if (where[0] == '/' || where[0] == '.' || !colon) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(where) >= sizeof(sa.sun_path)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                        "%s: socket path too long", where);
            return false;
        }
        strcpy(sa.sun_path, where);
        s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s->fd >= 0 && connect(s->fd, (struct sockaddr *)&sa,
                                  sizeof(sa)) < 0) {
            close(s->fd);
            s->fd = -1;
        }
    } else {
        g_autofree char *host = g_strndup(where, colon - where);
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;

        s->fd = -1;
        if (getaddrinfo(host, colon + 1, &hints, &res) == 0) {
            for (ai = res; ai && s->fd < 0; ai = ai->ai_next) {
                s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                               ai->ai_protocol);
                if (s->fd >= 0 && connect(s->fd, ai->ai_addr,
                                          ai->ai_addrlen) < 0) {
                    close(s->fd);
                    s->fd = -1;
                }
            }
            freeaddrinfo(res);
        }
    }
    if (s->fd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot connect to the TPM at %s: %s (is swtpm running "
                    "with --server type=unixio,path=...?)", where,
                    g_strerror(errno));
        return false;
    }
    return true;
}

void tpm_socket_close(TpmSocket *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}
