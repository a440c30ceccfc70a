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
 * The uvdevice interface: tools/uvio-guest.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "../uvio-guest.h"
#include "exchange.h"

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

_Static_assert(sizeof(struct uvio_attest) == 0x138, "uvio_attest");

#define UVIO_ATT_NR     1

int main(int argc, char **argv)
{
    static struct uvio_attest att;
    XchgItem items[XCHG_N];
    uint8_t *req, *user = NULL, *meas, *add = NULL, *rsp;
    size_t len, user_len = 0, rsp_len;
    const char *why;
    uint16_t rc, rrc;
    FILE *f;

    prog = "se-attest-guest";
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

    rc = uvio(UVIO_ATT_NR, &att, sizeof(att), &rrc);
    if (rc != 0x0001) {
        fprintf(stderr, "%s: the ultravisor refused the request: "
                "rc 0x%04x rrc 0x%04x\n", prog, rc, rrc);
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
           rc, argv[2]);
    return 0;
}
