/*
 * qtest: the s390-pv-guest object under TCG (IBM Z Secure Execution with
 * an emulated ultravisor).
 *
 * - QEMU refuses to start without a host key, with a key on the wrong
 *   curve, with an unreadable key file and with --only-migratable, and
 *   says why;
 * - a tiny guest program shows what a guest sees: facilities 158 and 161
 *   in STFLE, UVC QUI, diag 0x308 subcodes 8 and 9 (the PV IPIB survives
 *   a round trip byte for byte) and a failed subcode 10 (the guest
 *   continues after the diag with 0x0a02 and the failed step in R1+1) -
 *   and without the object STFLE shows neither facility and UVC is an
 *   operation exception, as in upstream QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "ibm-cc-qtest-util.h"

/*
 * Test-only keys, public in the repository: copies of
 * tests/core/data/p521-sec1.pem and tests/core/data/p256-key.pem.  They
 * are written to temporary files so that the test does not depend on
 * where the source tree is.
 */
static const char p521_key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIHcAgEBBEIAi0lboMvFjxmhUQZXJznye7W1QScGXfFoL6mjMPiNHXiOBO+JBx9m\n"
    "PhswB8g23XtR1bgLJGBttPsElAB8LeQzZSegBwYFK4EEACOhgYkDgYYABAFgrOED\n"
    "W00kGziJZrhy8oQpOm5fLEK3CdGfjOUSRjmXeC6yOaTNQnmDK2b1AETzKIeKIDuE\n"
    "/yUjwL35gsClyeTi/QGc5YBhxwnIO/Bqpzg/iLB5Ncl/LC2kDjQkFzulfsgwcWNw\n"
    "+dZJOjVAYpqKlvAQ8qjQVgPeEPmk3ztv1yymGMVWWQ==\n"
    "-----END EC PRIVATE KEY-----\n";

static const char p256_key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIJeXKReGQDYAIM/l3HOdYfXxdFwWSgRJNjGzaFmpCBvAoAoGCCqGSM49\n"
    "AwEHoUQDQgAEOFVvTVYtUzyCpogLdmIgnn79+16uldgukCAfedagMvs3teLZDLDv\n"
    "Vt4esNQhNEJ9/jwLFWNHpeU4wcgcEVX5/A==\n"
    "-----END EC PRIVATE KEY-----\n";

/*
 * The guest program, loaded at 0 with -kernel (not an ELF file, so QEMU
 * starts it at the address of the short PSW at 0).  Assembled from:
 *
 *  0x2000  lghi  %r1,0x3000          # result area
 *          lghi  %r0,3
 *          stfle 0(%r1)              # 4 doublewords of facilities
 *          lghi  %r2,0x3100          # UVC control block
 *          mvhhi 0(%r2),0x120        # len
 *          mvhhi 2(%r2),1            # cmd QUI
 *          .insn rrf,0xB9A40000,0,2,0,0    # uvc 0,2
 *          ipm   %r3
 *          st    %r3,0x20(%r1)       # cc
 *          mvhi  0x30(%r1),0x1111
 *          lghi  %r4,0x4000          # diag 0x308 subcode 8: set PV IPIB
 *          lghi  %r5,0
 *          lghi  %r6,8
 *          diag  %r4,%r6,0x308
 *          stg   %r5,0x38(%r1)
 *          lghi  %r4,0x7000          # subcode 9: store it at 0x7000
 *          lghi  %r5,0
 *          lghi  %r6,9
 *          diag  %r4,%r6,0x308
 *          stg   %r5,0x40(%r1)
 *          lghi  %r4,0               # subcode 10: unpack, fails (no
 *          lghi  %r5,0               #   SE header) and continues here
 *          lghi  %r6,10
 *          diag  %r4,%r6,0x308
 *          stg   %r5,0x48(%r1)
 *          mvhi  0x24(%r1),0x600d    # done
 *     0:   j     0b
 *  0x2400  mvhi  0x28(%r1),0xbad     # program check (code at 0x8e)
 *     1:   j     1b
 */
static const uint8_t prog_main[] = {
    0xa7, 0x19, 0x30, 0x00, 0xa7, 0x09, 0x00, 0x03,
    0xb2, 0xb0, 0x10, 0x00, 0xa7, 0x29, 0x31, 0x00,
    0xe5, 0x44, 0x20, 0x00, 0x01, 0x20, 0xe5, 0x44,
    0x20, 0x02, 0x00, 0x01, 0xb9, 0xa4, 0x00, 0x02,
    0xb2, 0x22, 0x00, 0x30, 0x50, 0x30, 0x10, 0x20,
    0xe5, 0x4c, 0x10, 0x30, 0x11, 0x11, 0xa7, 0x49,
    0x40, 0x00, 0xa7, 0x59, 0x00, 0x00, 0xa7, 0x69,
    0x00, 0x08, 0x83, 0x46, 0x03, 0x08, 0xe3, 0x50,
    0x10, 0x38, 0x00, 0x24, 0xa7, 0x49, 0x70, 0x00,
    0xa7, 0x59, 0x00, 0x00, 0xa7, 0x69, 0x00, 0x09,
    0x83, 0x46, 0x03, 0x08, 0xe3, 0x50, 0x10, 0x40,
    0x00, 0x24, 0xa7, 0x49, 0x00, 0x00, 0xa7, 0x59,
    0x00, 0x00, 0xa7, 0x69, 0x00, 0x0a, 0x83, 0x46,
    0x03, 0x08, 0xe3, 0x50, 0x10, 0x48, 0x00, 0x24,
    0xe5, 0x4c, 0x10, 0x24, 0x60, 0x0d, 0xa7, 0xf4,
    0x00, 0x00,
};

static const uint8_t prog_pgm[] = {
    0xe5, 0x4c, 0x10, 0x28, 0x0b, 0xad, 0xa7, 0xf4, 0x00, 0x00,
};

#define PROG_START      0x2000
#define PROG_PGM        0x2400
#define RES             0x3000          /* results */
#define RES_STFLE       (RES + 0x00)
#define RES_CC          (RES + 0x20)
#define RES_DONE        (RES + 0x24)
#define RES_PGM         (RES + 0x28)
#define RES_SC8         (RES + 0x38)
#define RES_SC9         (RES + 0x40)
#define RES_SC10        (RES + 0x48)
#define UVCB            0x3100
#define IPIB            0x4000
#define IPIB_LEN        0xa0            /* header + one component */
#define SE_HDR          0x5000
#define COMP            0x6000
#define IPIB_COPY       0x7000
#define IMAGE_SIZE      0x8000
#define LC_PGM_CODE     0x8e
#define LC_PGM_NEW_PSW  0x1d0

#define DONE_MAGIC      0x600d
#define PGM_MAGIC       0x0bad

static void put_be(uint8_t *p, uint64_t v, int size)
{
    while (size--) {
        p[size] = v;
        v >>= 8;
    }
}

/* The image file with the program, its lowcore and a valid PV IPIB */
static char *make_image(void)
{
    g_autofree uint8_t *img = g_malloc0(IMAGE_SIZE);
    uint8_t *ipib = img + IPIB;
    GError *err = NULL;
    char *path;
    int fd;

    /* short IPL PSW (64-bit addressing from the IPL) and program new PSW */
    put_be(img, 0x0008000080000000ULL | PROG_START, 8);
    put_be(img + LC_PGM_NEW_PSW, 0x0000000180000000ULL, 8);
    put_be(img + LC_PGM_NEW_PSW + 8, PROG_PGM, 8);
    memcpy(img + PROG_START, prog_main, sizeof(prog_main));
    memcpy(img + PROG_PGM, prog_pgm, sizeof(prog_pgm));

    /* PV IPIB: every field big-endian */
    put_be(ipib + 0x00, IPIB_LEN, 4);           /* len */
    put_be(ipib + 0x08, IPIB_LEN - 8, 4);       /* pb0 len */
    ipib[0x0c] = 5;                             /* pbt: PV */
    put_be(ipib + 0x74, 1, 4);                  /* num_comp */
    put_be(ipib + 0x78, SE_HDR, 8);             /* SE header address */
    put_be(ipib + 0x80, 0x1000, 8);             /* and length */
    put_be(ipib + 0x88, 0x0001020304050607ULL, 8);  /* tweak prefix */
    put_be(ipib + 0x90, COMP, 8);               /* address */
    put_be(ipib + 0x98, 0x1000, 8);             /* size */

    fd = g_file_open_tmp("ibm-cc-s390-pv-XXXXXX.img", &path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(write(fd, img, IMAGE_SIZE), ==, IMAGE_SIZE);
    close(fd);
    return path;
}

static char *write_tmp(const char *name, const char *contents)
{
    GError *err = NULL;
    char *path;
    int fd;

    fd = g_file_open_tmp(name, &path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(write(fd, contents, strlen(contents)), ==,
                    strlen(contents));
    close(fd);
    return path;
}

static char *p521_key;
static char *p256_key;

/* QEMU on the s390-ccw-virtio machine with @args */
static int run_qemu(const char *args, char **errout)
{
    g_autofree char *all = g_strdup_printf("-machine s390-ccw-virtio %s",
                                           args);

    return ibm_cc_run_qemu(all, errout);
}

static void assert_refused(const char *args, const char *const *needles)
{
    g_autofree char *all = g_strdup_printf("-machine s390-ccw-virtio %s",
                                           args);

    ibm_cc_assert_refused(all, needles);
}

/*
 * No host-key property: the machine's key, from $QEMU_IBM_CC_SE_HOST_KEY
 * or QEMU's configuration directory; without either QEMU says where it
 * looked and how to make one.
 */
static void test_no_host_key(void)
{
    static const char args[] = "-object s390-pv-guest,id=pv0 "
                               "-machine confidential-guest-support=pv0";
    const char *const unset[] = {
        "s390-pv-guest: no host key", "QEMU_IBM_CC_SE_HOST_KEY",
        "se-host-key.pem", "se-host-key create", NULL
    };
    const char *const missing[] = {
        "no host key", "QEMU_IBM_CC_SE_HOST_KEY=/nonexistent/ibm-cc.pem",
        "se-host-key create", NULL
    };
    g_autofree char *all = g_strdup_printf("-machine s390-ccw-virtio %s",
                                           args);

    g_unsetenv("QEMU_IBM_CC_SE_HOST_KEY");
    assert_refused(args, unset);
    g_setenv("QEMU_IBM_CC_SE_HOST_KEY", "/nonexistent/ibm-cc.pem", true);
    assert_refused(args, missing);
    g_setenv("QEMU_IBM_CC_SE_HOST_KEY", p521_key, true);
    ibm_cc_assert_starts(all);
    g_unsetenv("QEMU_IBM_CC_SE_HOST_KEY");
}

static void test_wrong_curve(void)
{
    g_autofree char *args = NULL;
    const char *const needles[] = {
        "host-key", p256_key, "secp521r1", NULL
    };

    args = g_strdup_printf("-object s390-pv-guest,id=pv0,host-key=%s "
                           "-machine confidential-guest-support=pv0",
                           p256_key);
    assert_refused(args, needles);
}

static void test_wrong_curve_backup(void)
{
    g_autofree char *args = NULL;
    const char *const needles[] = {
        "backup-host-key", p256_key, "secp521r1", NULL
    };

    args = g_strdup_printf("-object s390-pv-guest,id=pv0,host-key=%s,"
                           "backup-host-key=%s "
                           "-machine confidential-guest-support=pv0",
                           p521_key, p256_key);
    assert_refused(args, needles);
}

static void test_unreadable_key(void)
{
    const char *const needles[] = {
        "host-key", "/nonexistent/ibm-cc-host.key", "cannot read", NULL
    };

    assert_refused("-object s390-pv-guest,id=pv0,"
                   "host-key=/nonexistent/ibm-cc-host.key "
                   "-machine confidential-guest-support=pv0", needles);
}

static void test_only_migratable(void)
{
    g_autofree char *args = NULL;
    const char *const needles[] = { "--only-migratable", NULL };

    args = g_strdup_printf("-only-migratable "
                           "-object s390-pv-guest,id=pv0,host-key=%s "
                           "-machine confidential-guest-support=pv0",
                           p521_key);
    assert_refused(args, needles);
}

/* The good key starts QEMU, and the same command minus the key does not */
static void test_good_key(void)
{
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    int status;

    args = g_strdup_printf("-object s390-pv-guest,id=pv0,host-key=%s,"
                           "backup-host-key=%s "
                           "-machine confidential-guest-support=pv0",
                           p521_key, p521_key);
    status = run_qemu(args, &err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_error("QEMU %s failed: %s", args, err);
    }
}

static bool facility(const uint8_t *stfle, int nr)
{
    return stfle[nr / 8] & (0x80 >> (nr % 8));
}

/* Run the guest program until it is done or took a program check */
static QTestState *run_program(const char *image, bool pv)
{
    g_autofree char *pv_args = NULL;
    QTestState *qts;
    gint64 deadline;

    if (pv) {
        pv_args = g_strdup_printf("-object s390-pv-guest,id=pv0,host-key=%s "
                                  "-machine confidential-guest-support=pv0",
                                  p521_key);
    }
    qts = qtest_initf("-machine s390-ccw-virtio -accel tcg -m 128M "
                      "-nodefaults -kernel %s %s", image, pv_args ?: "");
    deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    while (qtest_readl(qts, RES_DONE) != DONE_MAGIC &&
           qtest_readl(qts, RES_PGM) != PGM_MAGIC) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10 * 1000);
    }
    return qts;
}

static void test_guest_with_uv(void)
{
    g_autofree char *image = make_image();
    QTestState *qts = run_program(image, true);
    uint8_t stfle[32], uvcb[0x120], ipib[IPIB_LEN], copy[IPIB_LEN];
    uint64_t sc10;
    QDict *resp;

    /* the program ran to its end: no program check */
    g_assert_cmphex(qtest_readl(qts, RES_PGM), ==, 0);
    g_assert_cmphex(qtest_readl(qts, RES_DONE), ==, DONE_MAGIC);

    qtest_memread(qts, RES_STFLE, stfle, sizeof(stfle));
    g_assert_true(facility(stfle, 158));
    g_assert_true(facility(stfle, 161));

    /* UVC QUI from a guest that is not protected: cc 0, rc 1 */
    g_assert_cmpint((qtest_readl(qts, RES_CC) >> 28) & 3, ==, 0);
    qtest_memread(qts, UVCB, uvcb, sizeof(uvcb));
    g_assert_cmphex(uvcb[4] << 8 | uvcb[5], ==, 0x0001);    /* rc */
    g_assert_true(uvcb[0x10] & 0x80);           /* QUI installed */
    g_assert_false(uvcb[0x11] & 0xc0);          /* no share/unshare */

    /* subcode 8 accepted the IPIB, subcode 9 returned it unchanged */
    g_assert_cmphex(qtest_readq(qts, RES_SC8), ==, 0x0001);
    g_assert_cmphex(qtest_readq(qts, RES_SC9), ==, 0x0001);
    qtest_memread(qts, IPIB, ipib, sizeof(ipib));
    qtest_memread(qts, IPIB_COPY, copy, sizeof(copy));
    g_assert_cmpmem(ipib, sizeof(ipib), copy, sizeof(copy));

    /*
     * subcode 10: the "SE header" at SE_HDR is all zeroes, so
     * SET_SEC_PARMS (KVM_PV command 2) fails with a header rc (0x01xx);
     * the guest went on after the diag with 0x0a02 in the low halfword
     */
    sc10 = qtest_readq(qts, RES_SC10);
    g_assert_cmphex(sc10 & 0xffff, ==, 0x0a02);
    g_assert_cmphex(sc10 >> 48, ==, 2);
    g_assert_cmphex((sc10 >> 24) & 0xff, ==, 0x01);

    /* the CPU object shows the facilities too */
    resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                     "{ 'path': '/machine/unattached/device[0]', "
                     "'property': 'uvc' } }");
    g_assert_true(qdict_get_bool(resp, "return"));
    qobject_unref(resp);

    qtest_quit(qts);
    unlink(image);
}

static void test_guest_without_uv(void)
{
    g_autofree char *image = make_image();
    QTestState *qts = run_program(image, false);
    uint8_t stfle[32];

    qtest_memread(qts, RES_STFLE, stfle, sizeof(stfle));
    g_assert_false(facility(stfle, 158));
    g_assert_false(facility(stfle, 161));
    /* UVC is an unknown instruction: operation exception */
    g_assert_cmphex(qtest_readl(qts, RES_PGM), ==, PGM_MAGIC);
    g_assert_cmphex(qtest_readw(qts, LC_PGM_CODE), ==, 0x0001);
    g_assert_cmphex(qtest_readl(qts, RES_DONE), ==, 0);
    qtest_quit(qts);
    unlink(image);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    p521_key = write_tmp("ibm-cc-p521-XXXXXX.pem", p521_key_pem);
    p256_key = write_tmp("ibm-cc-p256-XXXXXX.pem", p256_key_pem);

    qtest_add_func("/ibm-cc/s390-pv/no-host-key", test_no_host_key);
    qtest_add_func("/ibm-cc/s390-pv/wrong-curve", test_wrong_curve);
    qtest_add_func("/ibm-cc/s390-pv/wrong-curve-backup",
                   test_wrong_curve_backup);
    qtest_add_func("/ibm-cc/s390-pv/unreadable-key", test_unreadable_key);
    qtest_add_func("/ibm-cc/s390-pv/only-migratable", test_only_migratable);
    qtest_add_func("/ibm-cc/s390-pv/good-key", test_good_key);
    qtest_add_func("/ibm-cc/s390-pv/guest-with-uv", test_guest_with_uv);
    qtest_add_func("/ibm-cc/s390-pv/guest-without-uv", test_guest_without_uv);
    ret = g_test_run();

    unlink(p521_key);
    unlink(p256_key);
    g_free(p521_key);
    g_free(p256_key);
    return ret;
}
