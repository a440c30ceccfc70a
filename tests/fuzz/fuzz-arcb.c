/*
 * libFuzzer target for the attestation request checks, decryption and
 * measurement (hw/s390x/se/se-attest.h).
 *
 * The first input byte picks a mode:
 *   odd   the rest is the ARCB, as raw bytes;
 *   even  the rest patches a valid ARCB built once for the fixed host key:
 *         triples {offset high, offset low, xor} applied modulo its length,
 *         so the fuzzer reaches the key slot, ECDH and the GCM tag.
 * The user data length and the room for the measurement and additional
 * data come from the first byte too.  Checked besides the sanitizers: an
 * error rc is one of the documented ones and leaves the result zeroed; the
 * unmodified request always succeeds with the measurement the requester
 * computes; se_arcb_open() of the same bytes agrees on the secrets.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-attest.h"
#include "fuzz-util.h"

static SeHostKey key, other;
static SeArcbBuildParams params;
static SeAttestConfig conf;
static uint8_t *good;
static size_t good_len;
static const uint8_t user[SE_ATT_USER_MAX + 1] = "fuzz";

static void setup(void)
{
    size_t i;

    fuzz_host_key(&key, 0x21, 13);
    fuzz_host_key(&other, 0x63, 13);
    for (i = 0; i < CC_P521_LEN; i++) {
        params.cust_priv[i] = 0x3b + i * 5;
    }
    params.cust_priv[0] = 0;
    memset(params.iv, 0x5a, sizeof(params.iv));
    memset(params.prot_key, 0x17, sizeof(params.prot_key));
    params.mai = SE_ARCB_MAI_HMAC_SHA512;
    params.secrets.flags = SE_ATT_FLAG_NONCE | SE_ATT_FLAG_ATTEST_PHKH;
    memset(params.secrets.meas_key, 0x77, SE_ARCB_MEAS_KEY_SIZE);
    memset(params.secrets.nonce, 0xab, SE_ARCB_NONCE_SIZE);
    params.secrets.has_nonce = true;
    params.host_pub = &key.pub;
    params.n_host_keys = 1;
    memset(conf.tags, 0x11, sizeof(conf.tags));
    memset(conf.cuid, 0x22, sizeof(conf.cuid));
    memset(conf.image_phkh, 0x33, sizeof(conf.image_phkh));
    good = se_arcb_build(&params, &good_len, NULL);
    check(good != NULL);
}

static void try_arcb(const uint8_t *buf, size_t len, uint8_t knobs)
{
    const SeHostKey *keys[] = { &other, &key };
    SeAttestCall call = {
        .arcb = buf, .arcb_len = len,
        .user = user, .user_len = knobs & 0x80 ? SE_ATT_USER_MAX + 1 : 4,
        .meas_len = knobs & 0x40 ? 32 : SE_ATT_MEAS_SIZE,
        .add_len = knobs & 0x20 ? 0 : SE_ATT_ADD_MAX,
    };
    bool pristine = len >= good_len && !memcmp(buf, good, good_len) &&
                    !(knobs & 0xe0);
    uint8_t want[SE_ATT_MEAS_SIZE];
    SeArcbSecrets s;
    SeAttestResult res;
    uint16_t rc;

    memset(&res, 0xaa, sizeof(res));
    rc = se_attest(&call, keys, G_N_ELEMENTS(keys), &conf, &res);
    if (rc != SE_ATT_RC_OK) {
        check(rc >= SE_ATT_RC_TOKEN && rc <= SE_ATT_RC_ADD_LEN);
        check(all_zero(&res, sizeof(res)));
        check(!pristine);
    } else {
        check(res.add_len == se_attest_add_size(cc_get_be64(buf + 0x30)));
        /* whoever holds the protection key computes the same measurement */
        if (se_arcb_open(buf, len, params.prot_key, &s, NULL)) {
            se_attest_measurement(s.meas_key, conf.tags, conf.cuid, user,
                                  call.user_len,
                                  s.has_nonce ? s.nonce : NULL, res.add,
                                  res.add_len, want);
            check(!memcmp(want, res.meas, sizeof(want)));
        }
    }
    if (pristine) {
        check(rc == SE_ATT_RC_OK);
    }
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
    try_arcb(buf, len, data[0]);
    g_free(buf);
    return 0;
}
