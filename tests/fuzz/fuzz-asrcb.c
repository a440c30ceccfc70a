/*
 * libFuzzer target for the add-secret request checks, decryption and the
 * secret store (hw/s390x/se/se-secret.h).
 *
 * The first input byte picks a mode:
 *   odd   the rest is the ASRCB, as raw bytes;
 *   even  the rest patches a valid ASRCB built once for the fixed host key
 *         and store: triples {offset high, offset low, xor} applied modulo
 *         its length, so the fuzzer reaches the key slot, ECDH, the GCM tag
 *         and the binding checks.
 * Bits of the first byte also pick the store's secret control flags and
 * whether it is locked.  Checked besides the sanitizers: an error rc is one
 * of the documented ones and leaves the store as it was (its list and
 * hash); the unmodified request always succeeds on an unlocked store and
 * adds exactly its secret; a second valid request of the same requester
 * is then added too (the extension-secret binding holds); List and
 * Retrieve of any index stay in bounds.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-secret.h"
#include "fuzz-util.h"

static SeHostKey key, other;
static SeAsrcbBuildParams params;
static uint8_t tags[SE_ATT_TAGS_SIZE], cuid[SE_ATT_CUID_SIZE], cck[32];
static uint8_t value[48];
static uint8_t *good, *good2;
static size_t good_len, good2_len;

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
    memset(tags, 0x11, sizeof(tags));
    memset(cuid, 0x22, sizeof(cuid));
    memset(cck, 0x33, sizeof(cck));
    memset(value, 0x44, sizeof(value));
    value[0] = 0;
    value[1] = 30;                      /* a plaintext of 30 bytes */
    memcpy(params.tags, tags, sizeof(tags));
    memcpy(params.cuid, cuid, sizeof(cuid));
    params.type = SE_SECRET_PLAIN;
    se_secret_name_id("fuzz", params.id);
    params.secret = value;
    params.secret_len = sizeof(value);
    se_secret_derive_ext(cck, tags + SE_ATT_TAGS_SIZE - 16, params.ext);
    params.host_pub = &key.pub;
    params.n_host_keys = 1;
    good = se_asrcb_build(&params, &good_len, NULL);
    check(good != NULL);
    /* a second request of the same requester: an association secret */
    params.type = SE_SECRET_ASSOC;
    params.secret_len = 32;
    good2 = se_asrcb_build(&params, &good2_len, NULL);
    check(good2 != NULL);
}

static void try_asrcb(const uint8_t *buf, size_t len, uint8_t knobs)
{
    const SeHostKey *keys[] = { &other, &key };
    uint64_t scf = (knobs & 0x02 ? SE_SCF_CCK_EXT_SECRET : 0) |
                   (knobs & 0x04 ? SE_SCF_CCK_UPDATE : 0);
    g_autoptr(SeSecretStore) st = se_secret_store_new(tags, cuid, cck, scf);
    g_autofree uint8_t *before = g_malloc(SE_SECRET_LIST_SIZE);
    g_autofree uint8_t *after = g_malloc(SE_SECRET_LIST_SIZE);
    uint8_t h0[SE_ATT_SECRET_HASH_SIZE], h1[SE_ATT_SECRET_HASH_SIZE];
    uint8_t out[SE_SECRET_PLAIN_MAX];
    bool pristine = len == good_len && !memcmp(buf, good, good_len);
    uint32_t n;
    uint16_t rc;
    unsigned i;

    if (knobs & 0x08) {
        check(se_secret_lock(st) == SE_SECRET_RC_OK);
    }
    se_secret_list(st, 0, before);
    se_secret_store_hash(st, h0);
    rc = se_secret_add(st, buf, len, keys, G_N_ELEMENTS(keys));
    se_secret_list(st, 0, after);
    se_secret_store_hash(st, h1);
    if (rc != SE_SECRET_RC_OK) {
        check(rc >= SE_SECRET_RC_NOT_ALLOWED && rc <= SE_SECRET_RC_DUMPING);
        check(!memcmp(before, after, SE_SECRET_LIST_SIZE));
        check(!memcmp(h0, h1, sizeof(h0)));
        check(!pristine || (knobs & 0x08));
    } else {
        check(memcmp(h0, h1, sizeof(h0)));
    }
    if (pristine && !(knobs & 0x08)) {
        check(rc == SE_SECRET_RC_OK);
        check(cc_get_be(after + 2, 2) == 1);
        check(se_secret_retrieve(st, 0, out, sizeof(out), &n) ==
              SE_SECRET_RC_OK && n == sizeof(value) &&
              !memcmp(out, value, n));
    }
    /*
     * The requester's next request binds to the same image and extension
     * secret: whatever the first did, it is added unless the store is
     * locked; the list then pages from any start.
     */
    rc = se_secret_add(st, good2, good2_len, keys, G_N_ELEMENTS(keys));
    check(rc == (knobs & 0x08 ? SE_SECRET_RC_LOCKED : SE_SECRET_RC_OK));
    for (i = 0; i < 3; i++) {
        check(se_secret_list(st, i, after) == SE_SECRET_RC_OK);
        check(cc_get_be(after, 2) <= 2);
    }
    for (i = 0; i < 3; i++) {
        rc = se_secret_retrieve(st, i, out, i * 24, &n);
        check(rc == SE_SECRET_RC_OK || rc == SE_SECRET_RC_RETR_SMALL ||
              rc == SE_SECRET_RC_EMPTY || rc == SE_SECRET_RC_NO_INDEX ||
              rc == SE_SECRET_RC_NOT_RETR);
        check(rc != SE_SECRET_RC_OK || n <= i * 24);
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
    try_asrcb(buf, len, data[0]);
    g_free(buf);
    return 0;
}
