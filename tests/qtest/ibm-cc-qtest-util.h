/*
 * Helpers shared by the qemu-ibm-cc qtests: start QEMU with some options
 * and check whether it starts, and what it says when it does not.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef IBM_CC_QTEST_UTIL_H
#define IBM_CC_QTEST_UTIL_H

#include <sys/socket.h>
#include <sys/un.h>
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

/*
 * QEMU with @args and a qtest server whose replies the test reads itself
 * (libqtest asserts on a FAIL reply, so a test that expects one speaks
 * the protocol).  Returns the connected socket; *@pid is QEMU's, for
 * ibm_cc_qtest_close().
 */
static inline int ibm_cc_qtest_spawn(const char *args, GPid *pid,
                                     char **sock_path)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *dir = g_dir_make_tmp("ibm-cc-qtest-XXXXXX", NULL);
    g_autofree char *cmd = NULL;
    g_auto(GStrv) argv = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    GError *err = NULL;
    int fd, tries;

    g_assert(qemu && dir);
    *sock_path = g_strdup_printf("%s/qt.sock", dir);
    g_assert_cmpuint(strlen(*sock_path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, *sock_path);
    cmd = g_strdup_printf("%s -display none -nodefaults -accel qtest "
                          "-qtest unix:%s,server=on,wait=off %s",
                          qemu, *sock_path, args);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &err));
    g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                  G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, pid, &err);
    g_assert_no_error(err);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    for (tries = 0; connect(fd, (struct sockaddr *)&addr,
                            sizeof(addr)) < 0; tries++) {
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10000);
    }
    return fd;
}

/* Send @cmd (no newline) on @fd; its reply line, without the newline */
static inline char *ibm_cc_qtest_cmd(int fd, const char *cmd)
{
    GString *line = g_string_new(NULL);
    char c;

    g_assert_cmpint(write(fd, cmd, strlen(cmd)), ==, strlen(cmd));
    g_assert_cmpint(write(fd, "\n", 1), ==, 1);
    for (;;) {
        g_assert_cmpint(read(fd, &c, 1), ==, 1);
        if (c == '\n') {
            if (g_str_has_prefix(line->str, "IRQ")) {
                g_string_truncate(line, 0);
                continue;
            }
            return g_string_free(line, false);
        }
        g_string_append_c(line, c);
    }
}

/* Close the connection, stop QEMU, remove the socket and directory */
static inline void ibm_cc_qtest_close(int fd, GPid pid, char *sock_path)
{
    g_autofree char *dir = g_path_get_dirname(sock_path);

    close(fd);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    g_spawn_close_pid(pid);
    unlink(sock_path);
    rmdir(dir);
    g_free(sock_path);
}

#endif /* IBM_CC_QTEST_UTIL_H */
