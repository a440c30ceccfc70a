/*
 * libFuzzer target for the SE header parser and key-slot unwrapping
 * (hw/s390x/se/se-hdr.h).
 *
 * The first input byte picks a mode:
 *   odd   the rest is the header, as raw bytes;
 *   even  the rest patches a valid header built once for the fixed host
 *         key: triples {offset high, offset low, xor} applied modulo the
 *         header length, so the fuzzer reaches ECDH, the key-slot tag and
 *         the encrypted area instead of stopping at the magic.
 * Whatever parses is unwrapped with the fixed host key (and a backup key
 * in no slot).  Checked besides the sanitizers: a failure always names a
 * check with an rc other than 1; a failed unwrap leaves the secrets
 * zeroed; the unmodified header always unwraps to its known PSW.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-hdr.h"
#include "fuzz-util.h"

#define PSW_ADDR        0x11000ULL

static SeHostKey key;
static SeHostKey backup;
static uint8_t *good;
static size_t good_len;

static void setup(void)
{
    SeHdrBuildParams p;
    size_t i;

    fuzz_host_key(&key, 0x35, 11);
    fuzz_host_key(&backup, 0x77, 11);
    memset(&p, 0, sizeof(p));
    for (i = 0; i < CC_P521_LEN; i++) {
        p.cust_priv[i] = 0x49 + i * 7;
    }
    p.cust_priv[0] = 0;
    for (i = 0; i < SE_HDR_KEY_SIZE; i++) {
        p.hdr_key[i] = i * 9 + 2;
    }
    p.nep = 3;
    p.pcf = SE_PCF_PCKMO_AES | SE_PCF_NO_DECRYPT;
    p.secrets.psw_mask = 0x0000000180000000ULL;
    p.secrets.psw_addr = PSW_ADDR;
    p.host_pub = &key.pub;
    p.n_host_keys = 1;
    good = se_hdr_build(&p, &good_len, NULL);
    check(good != NULL);
}

static void check_error(const SeError *err)
{
    check(err->id != SE_CHECK_OK && err->id < SE_CHECK__MAX);
    check(err->rc != 0x0001 && err->check != NULL);
}

static void try_header(const uint8_t *buf, size_t len)
{
    SeHdrSecrets s;
    SeError err;
    SeHdr *h;
    bool pristine = len >= good_len && !memcmp(buf, good, good_len);

    memset(&err, 0xaa, sizeof(err));
    h = se_hdr_parse(buf, len, &err);
    if (!h) {
        check_error(&err);
        check(!pristine);
        return;
    }
    check(err.id == SE_CHECK_OK && err.rc == 0x0001);
    check(h->phs <= len && h->nks >= 1);
    memset(&s, 0xaa, sizeof(s));
    if (se_hdr_unwrap(h, &key, &backup, &s, NULL, NULL, &err)) {
        check(err.id == SE_CHECK_OK);
    } else {
        check_error(&err);
        check(all_zero(&s, sizeof(s)));
        check(!pristine);
    }
    if (pristine) {
        check(s.psw_addr == PSW_ADDR);
    }
    se_hdr_secrets_wipe(&s);
    se_hdr_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    uint8_t *buf;
    size_t len;

    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 1) {
        return 0;
    }
    buf = fuzz_input(data, size, good, good_len, &len);
    /* patched, bit 1: drop (data[0] >> 2) trailing bytes */
    if (!(data[0] & 1) && (data[0] & 2)) {
        len -= data[0] >> 2;
    }
    try_header(buf, len);
    g_free(buf);
    return 0;
}
