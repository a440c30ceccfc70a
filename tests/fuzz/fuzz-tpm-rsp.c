/*
 * libFuzzer target for the TPM responses the ultravisor's key channel
 * reads (hw/ppc/ultravisor/uv-pef-tpm.c, through tpm2-tss's ESYS): the
 * TPM is on the far side of the hypervisor (H_TPM_COMM), so every byte of
 * every response is untrusted.
 *
 * The input is a series of responses, each a big-endian 16-bit length and
 * that many bytes (a response shorter than the TPM header is passed on
 * as it is; a missing one is a broken channel).  The first byte picks the
 * operation: unwrap, provision or read the public key.  Checked besides
 * the sanitizers: an unwrap that fails leaves the output untouched, and a
 * status is always a known one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/ppc/ultravisor/uv-pef-tpm.h"
#include "fuzz-util.h"

/*
 * tpm2-tss 3.2.1 (Debian 12) leaks the ReadPublic outputs when
 * Esys_TR_FromTPMPublic finds the name changed between its two reads
 * ("Name mismatch between two calls", esys_tr.c); the allocations are
 * made in Esys_ReadPublic_Finish, a library without frame pointers, so
 * that is the frame to name.  Our own two Esys_ReadPublic calls free
 * their output on every path (uv-pef-tpm.c).
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:Esys_ReadPublic_Finish\n";
}

/*
 * Seeds (tests/fuzz/seeds/fuzz-tpm-rsp): the responses of swtpm 0.7.1
 * (libtpms 0.9.2) to a provisioning, a password change, a public-key read
 * and an unwrap, recorded in this input format.
 */
typedef struct Script {
    const uint8_t *d;
    size_t len;
} Script;

static ssize_t script_transmit(void *opaque, const uint8_t *cmd, size_t len,
                               uint8_t *rsp, size_t rsp_max)
{
    Script *s = opaque;
    size_t n;

    if (s->len < 2) {
        return -1;
    }
    n = (s->d[0] << 8) | s->d[1];
    s->d += 2;
    s->len -= 2;
    n = MIN(MIN(n, s->len), rsp_max);
    memcpy(rsp, s->d, n);
    s->d += n;
    s->len -= n;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t wrapped[256] = { 1, 2, 3 };
    Script s = { data + 1, size ? size - 1 : 0 };
    UvPefTpmIo io = { script_transmit, &s };
    uint8_t out[UV_ESM_SYMKEY_LEN], pw[UV_PEF_TPM_PASSWD_LEN];
    UvPefTpmKey key = { .handle = UV_PEF_TPM_WRAPPING_KEY, .name_len = 34 };
    const char *why = NULL;
    UvEsmStatus st;
    char *pem;

    g_setenv("TSS2_LOG", "all+none", false);
    if (!size) {
        return 0;
    }
    switch (data[0] % 3) {
    case 0:
        memset(key.passwd, 'p', sizeof(key.passwd));
        uv_pef_tpm_policies(key.policy_a, key.policy_b, out);
        memset(out, 0xee, sizeof(out));
        st = uv_pef_tpm_unwrap(&io, &key, wrapped, sizeof(wrapped), out);
        check(st < UV_ESM__MAX);
        if (st != UV_ESM_OK) {
            for (size_t i = 0; i < sizeof(out); i++) {
                check(out[i] == 0xee);
            }
        }
        break;
    case 1:
        memset(pw, 'q', sizeof(pw));
        if (!uv_pef_tpm_provision(&io, pw, &key, &why)) {
            check(why != NULL);
        } else {
            check(key.name_len <= sizeof(key.name));
        }
        break;
    case 2:
        pem = uv_pef_tpm_public_pem(&io, &why);
        check(pem || why);
        g_free(pem);
        break;
    }
    return 0;
}
