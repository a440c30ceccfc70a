/*
 * qtest: powernv with pef=on (POWER Protected Execution Facility under
 * TCG, qemu-ibm-cc).
 *
 * - QEMU refuses inconsistent configurations and says why: secure-memory
 *   or uv-firmware without pef=on, a bad secure-memory size, an unreadable
 *   uv-firmware, a POWER9 model without PEF, --only-migratable;
 * - with pef=on, query-pef-uv / HMP "info uv" describe the ultravisor and
 *   the secure memory, HMP xp and QMP pmemsave refuse secure memory, and
 *   migration is blocked; without it, query-pef-uv reports no ultravisor;
 * - ultravisor=none runs without an ultravisor and says so;
 * - uv-firmware=FILE runs; qtest's reads and writes of secure memory are
 *   refused (FAIL), of normal memory not, and
 *   dump-guest-memory (system memory, as devices see it) contains a marker
 *   planted in normal RAM but not the secure image.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/units.h"
#include "qobject/qdict.h"
#include "ibm-cc-qtest-util.h"

#define SECURE_BASE UINT64_C(0x0001000000000000)

static void test_refused(void)
{
    static const struct {
        const char *args;
        const char *needles[3];
    } cases[] = {
        { "-machine powernv9,secure-memory=64M", { "need pef=on" } },
        { "-machine powernv9,uv-firmware=/dev/null", { "need pef=on" } },
        { "-machine powernv9,ultravisor=none", { "need pef=on" } },
        { "-machine powernv9,pef=on,ultravisor=external",
          { "ultravisor=external", "uv-firmware" } },
        { "-machine powernv9,pef=on,ultravisor=none,uv-firmware=/dev/null",
          { "uv-firmware", "ultravisor=none" } },
        { "-machine powernv9,pef=on,ultravisor=built-in,"
          "uv-firmware=/dev/null", { "uv-firmware", "ultravisor=built-in" } },
        { "-machine powernv9,pef=on,ultravisor=foo",
          { "ultravisor", "foo" } },
        { "-machine powernv9,pef=on,secure-memory=1000",
          { "secure-memory", "multiple of 64 KiB" } },
        { "-machine powernv9,pef=on,secure-memory=128G",
          { "secure-memory", "64 GiB" } },
        { "-machine powernv9,pef=on,uv-firmware=/nonexistent/uv.bin",
          { "uv-firmware", "/nonexistent/uv.bin" } },
        { "-machine powernv9,pef=on -cpu power9_v2.0",
          { "PEF-capable", "power9_v2.3" } },
        { "-machine powernv9,pef=on -only-migratable",
          { "PEF secure memory" } },
        { "-machine powernv8,pef=on", { "pef" } },
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        ibm_cc_assert_refused(cases[i].args, cases[i].needles);
    }
    /* ... and the same machines start without the offending option */
    ibm_cc_assert_starts("-machine powernv9,pef=on,secure-memory=64M");
    ibm_cc_assert_starts("-machine powernv9,pef=on -cpu power9_v2.3");
    ibm_cc_assert_starts("-machine powernv,pef=on");
    ibm_cc_assert_starts("-machine powernv9,pef=on,ultravisor=built-in");
}

/* query-pef-uv's return value (a new reference) */
static QDict *query_uv(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-pef-uv' }");
    QDict *ret;

    g_assert(qdict_haskey(rsp, "return"));
    ret = qdict_get_qdict(rsp, "return");
    qobject_ref(ret);
    qobject_unref(rsp);
    return ret;
}

static void test_builtin(void)
{
    QTestState *qts = qtest_init("-machine powernv9,pef=on,secure-memory=64M"
                                 " -accel tcg -m 1G");
    QDict *uv = query_uv(qts);
    g_autofree char *xp_secure = NULL;
    g_autofree char *xp_normal = NULL;
    g_autofree char *info = NULL;
    g_autofree char *path = g_strdup_printf("%s/ibm-cc-pef-XXXXXX",
                                            g_get_tmp_dir());
    QDict *rsp;
    int fd;

    g_assert_cmpstr(qdict_get_str(uv, "mode"), ==, "built-in");
    g_assert_cmphex(qdict_get_int(uv, "secure-base"), ==, SECURE_BASE);
    g_assert_cmpuint(qdict_get_int(uv, "secure-size"), ==, 64 * MiB);
    g_assert_cmphex(qdict_get_int(uv, "ptcr"), ==, SECURE_BASE + 0x10004);
    g_assert_cmphex(qdict_get_int(uv, "message-log"), ==, 1 * GiB - 64 * KiB);
    g_assert_cmpuint(qdict_get_int(uv, "partition-table-entries"), ==, 0);
    g_assert_true(qdict_haskey(uv, "partitions"));
    qobject_unref(uv);

    info = qtest_hmp(qts, "info uv");
    g_assert_nonnull(strstr(info, "ultravisor: built-in"));
    g_assert_nonnull(strstr(info, "secure memory: 0x1000000000000 size 64"));

    /* The monitor reads normal memory, not secure memory */
    xp_normal = qtest_hmp(qts, "xp /1gx 0x0");
    g_assert_null(strstr(xp_normal, "Cannot access memory"));
    xp_secure = qtest_hmp(qts, "xp /1gx 0x1000000010000");
    g_assert_nonnull(strstr(xp_secure, "Cannot access memory"));

    fd = g_mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    rsp = qtest_qmp(qts, "{ 'execute': 'pmemsave', 'arguments': "
                    "{ 'val': %" PRIu64 ", 'size': 4096, 'filename': %s } }",
                    SECURE_BASE, path);
    ibm_cc_assert_qmp_error(rsp, "denied by confidential guest support");
    rsp = qtest_qmp(qts, "{ 'execute': 'pmemsave', 'arguments': "
                    "{ 'val': 0, 'size': 4096, 'filename': %s } }", path);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    unlink(path);

    ibm_cc_assert_qmp_error(qtest_qmp(qts, "{ 'execute': 'migrate', "
                                      "'arguments': "
                                      "{ 'uri': 'exec:cat >/dev/null' } }"),
                            "PEF secure memory");

    g_assert_true(qtest_qom_get_bool(qts, "/machine", "pef"));
    qtest_quit(qts);
}

static void test_off(void)
{
    QTestState *qts = qtest_init("-machine powernv9 -accel tcg -m 1G");

    ibm_cc_assert_qmp_error(qtest_qmp(qts, "{ 'execute': 'query-pef-uv' }"),
                            "no ultravisor");
    g_assert_false(qtest_qom_get_bool(qts, "/machine", "pef"));
    qtest_quit(qts);
}

static void test_external(void)
{
    static const uint8_t image[16] = {
        /* b . (a branch to itself), big-endian; then a marker */
        0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        'I', 'B', 'M', '-', 'C', 'C', '-', 'U',
    };
    g_autofree char *path = g_strdup_printf("%s/ibm-cc-uvfw-XXXXXX",
                                            g_get_tmp_dir());
    QDict *uv;
    g_autofree char *dump = NULL;
    g_autofree char *proto = NULL;
    static const char normal[] = "IBM-CC-NORMAL-RAM";
    char *contents;
    gsize len;
    QTestState *qts;
    g_autofree char *qt_args = NULL;
    char *qt_path, *reply;
    GPid qt_pid;
    int fd, qt;

    fd = g_mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, image, sizeof(image)), ==, sizeof(image));
    close(fd);

    /*
     * The image's firmware puts the ultravisor's device tree 128 MiB below
     * the top of secure memory, above the image's 16 MiB + 64 KiB layout.
     */
    {
        g_autofree char *small = g_strdup_printf(
            "-machine powernv9,pef=on,secure-memory=144M,uv-firmware=%s",
            path);
        g_autofree char *enough = g_strdup_printf(
            "-machine powernv9,pef=on,secure-memory=145M,uv-firmware=%s",
            path);
        const char *needles[] = { "secure-memory=144M", "too small",
                                  "145M", NULL };

        ibm_cc_assert_refused(small, needles);
        ibm_cc_assert_starts(enough);
    }

    qts = qtest_initf("-machine powernv9,pef=on,uv-firmware=%s -accel tcg "
                      "-m 1G", path);
    uv = query_uv(qts);
    g_assert_cmpstr(qdict_get_str(uv, "mode"), ==, "external");
    g_assert_cmpstr(qdict_get_str(uv, "firmware"), ==, path);
    g_assert_false(qdict_haskey(uv, "ptcr"));
    qobject_unref(uv);

    /*
     * dump-guest-memory (like device DMA) works on system memory: the
     * secure image must not be in the dump, while a marker planted in
     * normal RAM is.
     */
    qtest_memwrite(qts, 0x100000, normal, sizeof(normal) - 1);
    dump = g_strdup_printf("%s/ibm-cc-pef-dump-XXXXXX", g_get_tmp_dir());
    fd = g_mkstemp(dump);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    proto = g_strdup_printf("file:%s", dump);
    qtest_qmp_assert_success(qts, "{ 'execute': 'dump-guest-memory', "
                             "'arguments': { 'paging': false, "
                             "'protocol': %s } }", proto);
    g_assert_true(g_file_get_contents(dump, &contents, &len, NULL));
    unlink(dump);
    g_assert_nonnull(memmem(contents, len, normal, strlen(normal)));
    g_assert_null(memmem(contents, len, "IBM-CC-U", 8));
    g_free(contents);

    qtest_quit(qts);

    /*
     * qtest's accesses use the CPU's view, which has secure memory, and go
     * through the confidential-guest check: secure memory is refused, for
     * reads and writes, and normal memory is not.
     */
    qt_args = g_strdup_printf("-machine powernv9,pef=on,uv-firmware=%s "
                              "-m 1G", path);
    qt = ibm_cc_qtest_spawn(qt_args, &qt_pid, &qt_path);
    reply = ibm_cc_qtest_cmd(qt, "readq 0x1000000000008");
    g_assert_true(g_str_has_prefix(reply, "FAIL access to guest memory"));
    g_free(reply);
    reply = ibm_cc_qtest_cmd(qt, "b64read 0x1000000000000 0x10");
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);
    reply = ibm_cc_qtest_cmd(qt, "writeq 0x1000000000008 0x4142434445464748");
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);
    reply = ibm_cc_qtest_cmd(qt, "writeq 0x200000 0x4142434445464748");
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    reply = ibm_cc_qtest_cmd(qt, "readq 0x200000");
    g_assert_cmpstr(reply, ==, "OK 0x4142434445464748");
    g_free(reply);
    ibm_cc_qtest_close(qt, qt_pid, qt_path);
    unlink(path);
}

/*
 * ultravisor=none: no ultravisor, the facility still on at reset; the
 * monitor still refuses secure memory.
 */
static void test_none(void)
{
    QTestState *qts = qtest_init("-machine powernv9,pef=on,ultravisor=none,"
                                 "secure-memory=64M -accel tcg -m 1G");
    QDict *uv = query_uv(qts);
    g_autofree char *info = NULL;
    g_autofree char *xp = NULL;
    QDict *rsp;

    g_assert_cmpstr(qdict_get_str(uv, "mode"), ==, "none");
    g_assert_cmpuint(qdict_get_int(uv, "secure-size"), ==, 64 * MiB);
    g_assert_false(qdict_haskey(uv, "firmware"));
    g_assert_false(qdict_haskey(uv, "ptcr"));
    g_assert_true(qdict_haskey(uv, "facility-disabled"));
    g_assert_false(qdict_get_bool(uv, "facility-disabled"));
    qobject_unref(uv);

    info = qtest_hmp(qts, "info uv");
    g_assert_nonnull(strstr(info, "ultravisor: none"));
    g_assert_nonnull(strstr(info, "PEF facility: on (SMFCTRL[E]=1)"));
    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/machine', 'property': 'ultravisor' } }");
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, "none");
    qobject_unref(rsp);
    xp = qtest_hmp(qts, "xp /1gx 0x1000000000000");
    g_assert_nonnull(strstr(xp, "Cannot access memory"));
    qtest_quit(qts);
}

/*
 * pseries: query-pef-svm and "info uv" describe a pef-guest's built-in
 * ultravisor (no guest runs here: a normal guest, nothing shared); a
 * pseries machine without it has no ultravisor, and a powernv machine's
 * is not a pseries one.
 */
static void test_pseries_monitor(void)
{
    QTestState *qts = qtest_init("-machine pseries,confidential-guest-"
                                 "support=pef0 -object pef-guest,id=pef0 "
                                 "-accel tcg -m 512M");
    g_autofree char *info = NULL;
    QDict *rsp, *ret;

    rsp = qtest_qmp(qts, "{ 'execute': 'query-pef-svm' }");
    g_assert(qdict_haskey(rsp, "return"));
    ret = qdict_get_qdict(rsp, "return");
    g_assert_false(qdict_get_bool(ret, "secure"));
    g_assert_cmpstr(qdict_get_str(ret, "last-esm"), ==, "none");
    g_assert_cmpuint(qdict_get_int(ret, "shared-pages"), ==, 0);
    g_assert_cmpuint(qdict_get_int(ret, "ucalls"), ==, 0);
    g_assert_cmpuint(qdict_get_int(ret, "hcalls"), ==, 0);
    g_assert_false(qdict_haskey(ret, "rtas-bounce"));
    g_assert_false(qdict_haskey(ret, "tpm"));
    qobject_unref(rsp);
    info = qtest_hmp(qts, "info uv");
    g_assert_nonnull(strstr(info, "ultravisor: built-in (pseries pef-guest)"));
    g_assert_nonnull(strstr(info, "guest: normal"));
    /* the powernv command does not describe it */
    ibm_cc_assert_qmp_error(qtest_qmp(qts, "{ 'execute': 'query-pef-uv' }"),
                            "no ultravisor");
    qtest_quit(qts);

    qts = qtest_init("-machine pseries -accel tcg -m 512M");
    ibm_cc_assert_qmp_error(qtest_qmp(qts, "{ 'execute': 'query-pef-svm' }"),
                            "no Secure VM ultravisor");
    g_free(info);
    info = qtest_hmp(qts, "info uv");
    g_assert_nonnull(strstr(info, "this machine has no ultravisor"));
    qtest_quit(qts);

    qts = qtest_init("-machine powernv9,pef=on -accel tcg -m 1G");
    ibm_cc_assert_qmp_error(qtest_qmp(qts, "{ 'execute': 'query-pef-svm' }"),
                            "no Secure VM ultravisor");
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ibm-cc/pef/refused", test_refused);
    qtest_add_func("/ibm-cc/pef/builtin", test_builtin);
    qtest_add_func("/ibm-cc/pef/off", test_off);
    qtest_add_func("/ibm-cc/pef/external", test_external);
    qtest_add_func("/ibm-cc/pef/none", test_none);
    qtest_add_func("/ibm-cc/pef/pseries-monitor", test_pseries_monitor);
    return g_test_run();
}
