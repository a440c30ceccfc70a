/*
 * Helpers shared by the qemu-ibm-cc qtests: start QEMU with some options
 * and check whether it starts, and what it says when it does not.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef IBM_CC_QTEST_UTIL_H
#define IBM_CC_QTEST_UTIL_H

#include "qobject/qdict.h"

/*
 * Start QTEST_QEMU_BINARY with @args (paused, no display, no default
 * devices), send it "quit" over QMP if it gets that far, and return its
 * exit status; its stderr goes to *@errout.
 */
static inline int ibm_cc_run_qemu(const char *args, char **errout)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *qemu_q = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
    GError *err = NULL;
    int status;

    g_assert(qemu);
    qemu_q = g_shell_quote(qemu);
    cmd = g_strdup_printf("printf '%%s\\n' "
                          "'{\"execute\": \"qmp_capabilities\"}' "
                          "'{\"execute\": \"quit\"}' | "
                          "exec %s -display none -nodefaults -S "
                          "-qmp stdio %s", qemu_q, args);
    argv[2] = cmd;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                 &out, errout, &status, &err);
    g_assert_no_error(err);
    if (g_test_verbose()) {
        g_test_message("%s: %s", args, *errout);
    }
    return status;
}

/* QEMU with @args must fail to start, and its stderr name every needle */
static inline void ibm_cc_assert_refused(const char *args,
                                         const char *const *needles)
{
    g_autofree char *err = NULL;
    int status = ibm_cc_run_qemu(args, &err);

    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (; *needles; needles++) {
        if (!strstr(err, *needles)) {
            g_error("stderr of QEMU %s lacks \"%s\": %s", args, *needles, err);
        }
    }
}

/* QEMU with @args must start (and quit cleanly) */
static inline void ibm_cc_assert_starts(const char *args)
{
    g_autofree char *err = NULL;
    int status = ibm_cc_run_qemu(args, &err);

    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_error("QEMU %s failed: %s", args, err);
    }
}

/* @rsp is a QMP error whose description has @needle; frees @rsp */
static inline void ibm_cc_assert_qmp_error(QDict *rsp, const char *needle)
{
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), needle));
    qobject_unref(rsp);
}

#endif /* IBM_CC_QTEST_UTIL_H */
