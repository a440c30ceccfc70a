/*
 * swtpm for the core's unit tests (see swtpm-test.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "swtpm-test.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <signal.h>

bool test_tpm_available(void)
{
    g_autofree char *swtpm = g_find_program_in_path("swtpm");

    return swtpm != NULL;
}

void test_tpm_start(TestTpm *t)
{
    g_autofree char *state = NULL, *srv = NULL, *ctrl = NULL, *pid = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) err = NULL;
    int status, i;

    if (!t->dir) {
        t->dir = g_dir_make_tmp("swtpm-test-XXXXXX", &err);
        g_assert_no_error(err);
    }
    state = g_strdup_printf("dir=%s", t->dir);
    srv = g_strdup_printf("type=unixio,path=%s/cmd.sock", t->dir);
    ctrl = g_strdup_printf("type=unixio,path=%s/ctrl.sock", t->dir);
    pid = g_strdup_printf("file=%s/pid", t->dir);
    path = g_strdup_printf("%s/cmd.sock", t->dir);
    {
        /* --terminate: swtpm ends with our connection, even if we abort */
        const char *argv[] = {
            "swtpm", "socket", "--tpm2", "--tpmstate", state, "--server",
            srv, "--ctrl", ctrl, "--pid", pid,
            "--flags", "not-need-init,startup-clear", "--daemon",
            "--terminate", NULL,
        };

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                                   G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                                   NULL, &status, &err));
    }
    g_assert_no_error(err);
    g_assert_cmpint(status, ==, 0);
    for (i = 0; i < 100 && !tpm_socket_open(&t->sock, path, NULL); i++) {
        g_usleep(20000);
    }
    g_assert_cmpint(t->sock.fd, >=, 0);
}

void test_tpm_stop(TestTpm *t)
{
    g_autofree char *pidfile = g_strdup_printf("%s/pid", t->dir);
    g_autofree char *pid = NULL;

    tpm_socket_close(&t->sock);
    if (g_file_get_contents(pidfile, &pid, NULL, NULL)) {
        kill(atoi(pid), SIGTERM);
    }
}

void test_tpm_cleanup(TestTpm *t)
{
    GDir *d;
    const char *name;

    if (!t->dir) {
        return;
    }
    /* swtpm's state and sockets: one level of files */
    d = g_dir_open(t->dir, 0, NULL);
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(t->dir, name, NULL);

        g_remove(p);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(t->dir);
    g_free(t->dir);
    t->dir = NULL;
}

void test_key_from_pem(const char *pem, EsmImageKey *k)
{
    gnutls_datum_t d = { .data = (void *)pem, .size = strlen(pem) };
    gnutls_datum_t n, e;
    gnutls_pubkey_t pk;

    gnutls_pubkey_init(&pk);
    g_assert_cmpint(gnutls_pubkey_import(pk, &d, GNUTLS_X509_FMT_PEM), ==, 0);
    g_assert_cmpint(gnutls_pubkey_export_rsa_raw2(pk, &n, &e, 0), ==, 0);
    gnutls_pubkey_deinit(pk);
    *k = (EsmImageKey) { .n = n.data, .n_len = n.size, .e = e.data,
                         .e_len = e.size };
    memset(k->oaep_seed, 0x77, sizeof(k->oaep_seed));
}

void test_key_free(EsmImageKey *k)
{
    gnutls_free((void *)k->n);
    gnutls_free((void *)k->e);
    k->n = k->e = NULL;
}

char *test_new_rsa_pem(void)
{
    gnutls_privkey_t pk;
    gnutls_pubkey_t pub;
    gnutls_datum_t d;
    char *s;

    gnutls_privkey_init(&pk);
    g_assert_cmpint(gnutls_privkey_generate(pk, GNUTLS_PK_RSA, 2048, 0), ==,
                    0);
    gnutls_pubkey_init(&pub);
    g_assert_cmpint(gnutls_pubkey_import_privkey(pub, pk, 0, 0), ==, 0);
    g_assert_cmpint(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &d), ==,
                    0);
    s = g_strndup((char *)d.data, d.size);
    gnutls_free(d.data);
    gnutls_pubkey_deinit(pub);
    gnutls_privkey_deinit(pk);
    return s;
}

size_t test_wrap_for_pem(const char *pem, const uint8_t *symkey,
                         uint8_t *out)
{
    EsmImageKey k;
    size_t len;

    test_key_from_pem(pem, &k);
    g_assert_true(esm_oaep_sha256_encrypt(&k, symkey, UV_ESM_SYMKEY_LEN, out,
                                          &len, NULL));
    test_key_free(&k);
    return len;
}
