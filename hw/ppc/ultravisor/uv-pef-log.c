/*
 * The built-in POWER ultravisor's message log: an OPAL-style "memcons" in
 * normal memory (format in include/hw/ppc/ultravisor/uv-pef.h) that Linux
 * shows as /sys/firmware/ultravisor/msglog.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "uv-pef-internal.h"

#define LOG_LINE_MAX            1024

static uint32_t log_obuf_size(void)
{
    return UV_PEF_MEMCONS_SIZE - UV_PEF_MEMCONS_HDR_SIZE;
}

void log_init(UvPef *uv)
{
    uint8_t hdr[UV_PEF_MEMCONS_HDR_SIZE];
    uint64_t ra = uv->cfg.memcons_ra;
    uint64_t obuf = ra + UV_PEF_MEMCONS_HDR_SIZE;

    memset(hdr, 0, sizeof(hdr));
    cc_put_be64(hdr + 0, UV_PEF_MEMCONS_MAGIC);
    cc_put_be64(hdr + 8, obuf);
    /* No input buffer: ibuf_phys just past the output, ibuf_size 0. */
    cc_put_be64(hdr + 16, obuf + log_obuf_size());
    cc_put_be32(hdr + 24, log_obuf_size());
    cc_put_be32(hdr + 28, 0);
    cc_put_be32(hdr + 32, 0);
    uv->ops.mem_write(uv->opaque, obuf, uv->zero, log_obuf_size());
    uv->ops.mem_write(uv->opaque, ra, hdr, sizeof(hdr));
    uv->log_pos = 0;
    uv->log_wrapped = false;
    uv->log_ready = true;
}

static void log_append(UvPef *uv, const char *s, size_t len)
{
    uint64_t obuf = uv->cfg.memcons_ra + UV_PEF_MEMCONS_HDR_SIZE;
    uint32_t size = log_obuf_size();
    uint8_t pos[4];

    while (len) {
        size_t n = MIN(len, (size_t)(size - uv->log_pos));

        uv->ops.mem_write(uv->opaque, obuf + uv->log_pos, s, n);
        s += n;
        len -= n;
        uv->log_pos += n;
        if (uv->log_pos >= size) {
            uv->log_pos = 0;
            uv->log_wrapped = true;
        }
    }
    cc_put_be32(pos, uv->log_pos |
                (uv->log_wrapped ? UV_PEF_MEMCONS_OUT_POS_WRAP : 0));
    uv->ops.mem_write(uv->opaque, uv->cfg.memcons_ra + 32, pos, sizeof(pos));
}

void uv_pef_log(UvPef *uv, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;
    int n;

    if (!uv->log_ready) {
        return;
    }
    va_start(ap, fmt);
    n = g_vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    n = MIN(n, (int)sizeof(line) - 2);
    if (n == 0 || line[n - 1] != '\n') {
        line[n++] = '\n';
    }
    log_append(uv, line, n);
}
