/*
 * se-secret-guest: runs inside an IBM Z Secure Execution guest and uses
 * the ultravisor's secret store through Linux's uvdevice (/dev/uv, module
 * uvdevice), as IBM's "pvsecret add/list/lock/retrieve" do.
 *
 *   se-secret-guest add REQUEST     add a request of "se-secret create"
 *   se-secret-guest list            the stored secrets, one per line:
 *                                   INDEX TYPE LENGTH ID (hex)
 *   se-secret-guest lock            lock the store
 *   se-secret-guest retrieve INDEX  a plaintext secret's payload to stdout,
 *                                   any other secret as the bytes the
 *                                   ultravisor returned (Linux 6.13 on)
 *
 * Exit status: 0 done, 1 usage or I/O error, 2 the ultravisor refused
 * (its rc/rrc are printed with s390-tools' meaning).
 *
 * The uvdevice interface: tools/uvio-guest.h; the list format: s390-tools
 * rust/pv_core/src/uvdevice/secret_list.rs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "../uvio-guest.h"

#define UVIO_ADD_NR     2
#define UVIO_LIST_NR    3
#define UVIO_LOCK_NR    4
#define UVIO_RETR_NR    5
#define ADD_MAX         0x100000    /* UVIO_ADD_SECRET_MAX_LEN */
#define LIST_LEN        0x1000      /* UVIO_LIST_SECRETS_LEN */

/* s390-tools rust/pv_core/src/uvdevice/secret.rs */
static const char *meaning(unsigned nr, uint16_t rc)
{
    static const char *const add[] = {
        [0x01] = "not allowed to modify the secret store",
        [0x02] = "secret store locked",
        [0x03] = "access exception when accessing request control block",
        [0x04] = "unsupported add secret version",
        [0x05] = "invalid request size",
        [0x06] = "invalid number of host-keys",
        [0x07] = "unsupported flags specified",
        [0x08] = "unable to decrypt the request",
        [0x09] = "unsupported secret provided",
        [0x0a] = "invalid length for the specified secret",
        [0x0b] = "secret store full",
        [0x0c] = "unable to add secret",
        [0x0d] = "dump in progress, try again later",
    };

    if (nr == UVIO_ADD_NR && rc > 0x100 && rc <= 0x10d) {
        return add[rc - 0x100];
    }
    if (nr == UVIO_LOCK_NR && rc == 0x0102) {
        return "secret store already locked";
    }
    if (nr == UVIO_RETR_NR) {
        switch (rc) {
        case 0x0009:
        case 0x0109:
            return "buffer too small";
        case 0x0102:
            return "access exception on the secret buffer";
        case 0x010f:
            return "the secret store is empty";
        case 0x0110:
            return "no secret with that index";
        case 0x0111:
            return "the secret is not retrievable";
        }
    }
    return "";
}

static int refused(unsigned nr, uint16_t rc, uint16_t rrc)
{
    fprintf(stderr, "%s: the ultravisor refused the request: rc 0x%04x "
            "rrc 0x%04x %s\n", prog, rc, rrc, meaning(nr, rc));
    return 2;
}

static uint16_t be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static int list(uint8_t *page)
{
    uint16_t rrc, rc = uvio(UVIO_LIST_NR, page, LIST_LEN, &rrc);
    unsigned n, i, j;

    if (rc != 0x0001 && rc != 0x0100) {
        return refused(UVIO_LIST_NR, rc, rrc);
    }
    n = be16(page);
    printf("total %u%s\n", be16(page + 2), rc == 0x0100 ? " (more)" : "");
    for (i = 0; i < n && i < (LIST_LEN - 16) / 48; i++) {
        const uint8_t *e = page + 16 + i * 48;

        printf("%u 0x%04x %u ", be16(e), be16(e + 2), be32(e + 4));
        for (j = 0; j < 32; j++) {
            printf("%02x", e[16 + j]);
        }
        printf("\n");
    }
    return 0;
}

/*
 * The buffer carries the index in and the secret out (s390-tools
 * rust/pv_core/src/uvdevice/secret.rs RetrieveCmd)
 */
static int retrieve(const char *arg)
{
    static uint8_t buf[8192];
    unsigned long idx = 0;
    uint16_t rc, rrc, len;
    const char *p;

    for (p = arg; *p >= '0' && *p <= '9' && idx <= 0xffff; p++) {
        idx = idx * 10 + (*p - '0');
    }
    if (p == arg || *p || idx > 0xffff) {
        die(1, "INDEX: a decimal number up to 65535, not '%s'", arg);
    }

    buf[0] = idx >> 8;
    buf[1] = idx;
    rc = uvio(UVIO_RETR_NR, buf, sizeof(buf), &rrc);
    if (rc != 0x0001) {
        return refused(UVIO_RETR_NR, rc, rrc);
    }
    /* a plaintext secret: u16 length || payload (guest_secret.rs) */
    len = be16(buf);
    if (len <= sizeof(buf) - 2) {
        fwrite(buf + 2, 1, len, stdout);
    } else {
        fwrite(buf, 1, sizeof(buf), stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static uint8_t page[LIST_LEN];
    uint16_t rc, rrc;
    uint8_t *req;
    size_t len;

    prog = "se-secret-guest";
    if (argc == 3 && !strcmp(argv[1], "add")) {
        req = read_file(argv[2], ADD_MAX, &len);
        rc = uvio(UVIO_ADD_NR, req, len, &rrc);
        if (rc != 0x0001) {
            return refused(UVIO_ADD_NR, rc, rrc);
        }
        printf("%s: secret added\n", prog);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "list")) {
        return list(page);
    }
    if (argc == 2 && !strcmp(argv[1], "lock")) {
        rc = uvio(UVIO_LOCK_NR, NULL, 0, &rrc);
        if (rc != 0x0001) {
            return refused(UVIO_LOCK_NR, rc, rrc);
        }
        printf("%s: secret store locked\n", prog);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "retrieve")) {
        return retrieve(argv[2]);
    }
    fprintf(stderr, "usage: %s add REQUEST | list | lock | retrieve INDEX\n",
            prog);
    return 1;
}
