/*
 * qtest: this QEMU identifies itself as the qemu-ibm-cc build of 10.0.2.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"

static void test_query_version(void)
{
    QTestState *qts = qtest_init("-machine none");
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'query-version' }");
    QDict *ret = qdict_get_qdict(resp, "return");
    QDict *qemu = qdict_get_qdict(ret, "qemu");

    g_assert_cmpint(qdict_get_int(qemu, "major"), ==, 10);
    g_assert_cmpint(qdict_get_int(qemu, "minor"), ==, 0);
    g_assert_cmpint(qdict_get_int(qemu, "micro"), ==, 2);
    g_assert_nonnull(strstr(qdict_get_str(ret, "package"), "qemu-ibm-cc"));
    qobject_unref(resp);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ibm-cc/query-version", test_query_version);
    return g_test_run();
}
