/*
 * libFuzzer target for the emulated ultravisor (hw/s390x/se/uv-core.h).
 *
 * The first input byte picks a mode:
 *   0  the rest is a guest UVC control block, on a UV without a secure
 *      configuration;
 *   1  the same on a UV whose configuration is VERIFIED (built once from
 *      a fixed seed with se_hdr_build/se_pack);
 *   2  the rest is a sequence of host-level commands and guest calls on a
 *      fresh UV, with handles picked from those handed out (or made up).
 * Control blocks are issued by both kinds of caller (secure_guest false
 * and true).  Besides the sanitizers, every answer is checked: cc 0 iff
 * rc 1, only documented rc values, nothing but rc/rrc written on errors,
 * and the shared-page count stays within guest storage.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-ecc.h"
#include "hw/s390x/se/se-attest.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/se-secret.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"
#include "fuzz-util.h"

#define MEM_SIZE        (64 * SE_UV_PAGE_SIZE)
#define MAX_CPUS        4
#define NPAGES          FUZZ_SE_NPAGES
#define PREFIX          0x4000
#define PSW_ADDR        FUZZ_SE_PSW_ADDR

/* rc values uv-core.c may give, besides se-hdr's and se-unpack's */
#define RC_INV_PARAM    0x0101

static FuzzSeImage img;
static SeUv *uv_plain;
static SeUv *uv_verified;

static bool real_to_abs(void *opaque, uint64_t real, uint64_t *abs)
{
    if (real < 0x2000) {
        *abs = real + PREFIX;
    } else if (real >= PREFIX && real < PREFIX + 0x2000) {
        *abs = real - PREFIX;
    } else {
        *abs = real;
    }
    return *abs < MEM_SIZE;
}

/*
 * Guest storage for the calls that read and write it (RETR_ATTEST and the
 * secret calls): a valid attestation request for the image's host key at
 * ARCB_ADDR, a valid add-secret request for the image at ASRCB_ADDR, the
 * rest zero; out of range is an access exception.
 */
#define GUEST_MEM       0x4000
#define ARCB_ADDR       0x1000
#define ASRCB_ADDR      0x2000
static uint8_t guest_mem[GUEST_MEM];

static bool mem_read(void *opaque, uint64_t real, void *buf, size_t len)
{
    if (real > GUEST_MEM || len > GUEST_MEM - real) {
        return false;
    }
    memcpy(buf, guest_mem + real, len);
    return true;
}

static bool mem_write(void *opaque, uint64_t real, const void *buf,
                      size_t len)
{
    if (real > GUEST_MEM || len > GUEST_MEM - real) {
        return false;
    }
    /* never over the requests themselves, so they stay valid */
    if ((real < ARCB_ADDR + 0x400 && real + len > ARCB_ADDR) ||
        (real < ASRCB_ADDR + 0x800 && real + len > ASRCB_ADDR)) {
        return true;
    }
    memcpy(guest_mem + real, buf, len);
    return true;
}

static const SeUvGuestOps ops = { real_to_abs, NULL, mem_read, mem_write };

static void make_arcb(void)
{
    SeArcbBuildParams p = { .mai = SE_ARCB_MAI_HMAC_SHA512,
                            .host_pub = &img.key.pub, .n_host_keys = 1 };
    uint8_t *arcb;
    size_t len, i;

    for (i = 0; i < CC_P521_LEN; i++) {
        p.cust_priv[i] = 0x17 + i * 3;
    }
    p.cust_priv[0] = 0;
    p.secrets.flags = SE_ATT_FLAG_NONCE | SE_ATT_FLAG_ATTEST_PHKH;
    p.secrets.has_nonce = true;
    arcb = se_arcb_build(&p, &len, NULL);
    check(arcb && len <= 0x400);
    memcpy(guest_mem + ARCB_ADDR, arcb, len);
    g_free(arcb);
}

static void make_asrcb(void)
{
    static const uint8_t secret[32] = "fuzzed association secret";
    SeAsrcbBuildParams p = { .host_pub = &img.key.pub, .n_host_keys = 1,
                             .type = SE_SECRET_ASSOC, .secret = secret,
                             .secret_len = sizeof(secret) };
    g_autoptr(SeHdr) h = se_hdr_parse(img.hdr, img.hdr_len, NULL);
    uint8_t *asrcb;
    size_t len, i;

    check(h != NULL);
    for (i = 0; i < CC_P521_LEN; i++) {
        p.cust_priv[i] = 0x29 + i * 3;
    }
    p.cust_priv[0] = 0;
    se_attest_tags(h, p.tags);
    se_secret_name_id("fuzz", p.id);
    asrcb = se_asrcb_build(&p, &len, NULL);
    check(asrcb && len <= 0x800);
    memcpy(guest_mem + ASRCB_ADDR, asrcb, len);
    g_free(asrcb);
}

static uint16_t unpack_page(SeUv *uv, uint64_t conf, size_t i,
                            uint64_t gaddr, uint16_t *rrc)
{
    return fuzz_se_unpack(uv, &img, conf, i, gaddr, rrc);
}

static void setup(void)
{
    uint64_t conf;
    uint16_t rrc;

    fuzz_se_image(&img, 0, 0, NULL);
    make_arcb();
    make_asrcb();
    uv_plain = se_uv_new(MEM_SIZE, MAX_CPUS, &img.key, NULL);
    uv_verified = se_uv_new(MEM_SIZE, MAX_CPUS, &img.key, NULL);
    check(se_uv_create_conf(uv_verified, &conf, &rrc) == UVC_RC_EXECUTED);
    fuzz_se_verify(uv_verified, &img, conf);
}

static uint16_t rd16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static bool rc_documented(uint16_t cmd, uint16_t rc)
{
    if (cmd == UVC_CMD_RETR_ATTEST && rc >= SE_ATT_RC_TOKEN &&
        rc <= SE_ATT_RC_ADD_LEN) {
        return true;
    }
    if ((cmd == UVC_CMD_ADD_SECRET || cmd == UVC_CMD_LIST_SECRETS ||
         cmd == UVC_CMD_LOCK_SECRETS || cmd == UVC_CMD_RETR_SECRET) &&
        (rc == SE_SECRET_RC_RETR_SMALL ||
         (rc >= SE_SECRET_RC_NOT_ALLOWED && rc <= SE_SECRET_RC_NOT_RETR))) {
        return true;
    }
    switch (rc) {
    case UVC_RC_EXECUTED:
    case UVC_RC_INV_CMD:
    case UVC_RC_INV_STATE:
    case UVC_RC_INV_LEN:
    case UVC_RC_MORE_DATA:
    case RC_INV_PARAM:
        return true;
    default:
        return false;
    }
}

/* One guest UVC on an exactly sized heap copy (ASan sees overreads). */
static void guest_call(SeUv *uv, bool secure, const uint8_t *data,
                       size_t size)
{
    size_t avail = MIN(size, UVC_CB_MAX_SIZE);
    uint8_t *cb = NULL;
    uint16_t rc;
    int cc;

    if (avail) {
        cb = g_malloc(avail);
        memcpy(cb, data, avail);
    }
    cc = se_uv_guest_call(uv, secure, cb, avail, &ops);
    check(cc == UVC_CC_OK || cc == UVC_CC_ERROR);
    if (avail < UVC_HDR_SIZE) {
        check(cc == UVC_CC_ERROR && (!avail || !memcmp(cb, data, avail)));
    } else {
        rc = rd16(cb + 4);
        check(rc_documented(rd16(cb + 2), rc));
        check((cc == UVC_CC_OK) == (rc == UVC_RC_EXECUTED));
        check(!memcmp(cb, data, 4));
        if (rc != UVC_RC_EXECUTED && rc != UVC_RC_MORE_DATA) {
            check(!memcmp(cb + 8, data + 8, avail - 8));
        }
    }
    g_free(cb);
    check(se_uv_shared_pages(uv) <= MEM_SIZE / SE_UV_PAGE_SIZE);
}

/* ---- host command sequences -------------------------------------------- */


static void run_sequence(const uint8_t *data, size_t size)
{
    static const uint16_t resets[] = {
        UVC_CMD_CPU_RESET, UVC_CMD_CPU_RESET_INITIAL,
        UVC_CMD_CPU_RESET_CLEAR, UVC_CMD_QUI,
    };
    SeUv *uv = se_uv_new(MEM_SIZE, MAX_CPUS, &img.key, NULL);
    FuzzSeq s = { .p = data, .n = size };
    uint64_t h, mask, addr;
    uint16_t rc, rrc;
    uint8_t cb[0x120], arg;
    g_autofree uint8_t *hdr = NULL;

    while (s.n) {
        SeUvConfState before = se_uv_conf_state(uv);

        switch (fuzz_next(&s) % 12) {
        case 0:
            rc = se_uv_create_conf(uv, &h, &rrc);
            check(rc == UVC_RC_EXECUTED ? h != 0 :
                  rc == UVC_RC_NEED_DESTROY && h == 0);
            fuzz_remember(&s, h);
            break;
        case 1:
            rc = se_uv_destroy_conf(uv, fuzz_pick(&s), &rrc);
            check(rc == UVC_RC_EXECUTED ?
                  se_uv_conf_state(uv) == SE_UV_CONF_NONE :
                  rc == UVC_RC_INV_STATE);
            break;
        case 2:
            h = fuzz_pick(&s);
            rc = se_uv_create_cpu(uv, h, fuzz_next(&s) % (MAX_CPUS + 2), &h,
                                  &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE ||
                  rc == RC_INV_PARAM);
            fuzz_remember(&s, h);
            break;
        case 3:
            rc = se_uv_destroy_cpu(uv, fuzz_pick(&s), &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE);
            break;
        case 4:
            h = fuzz_pick(&s);
            arg = fuzz_next(&s) % 8;
            rc = se_uv_cpu_set_state(uv, h, arg, &rrc);
            check(rc == UVC_RC_EXECUTED ? se_uv_cpu_state(uv, h) == arg :
                  rc == UVC_RC_INV_STATE || rc == RC_INV_PARAM);
            break;
        case 5:
            h = fuzz_pick(&s);
            rc = se_uv_cpu_reset(uv, h, resets[fuzz_next(&s) % 4], &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE ||
                  rc == UVC_RC_INV_CMD);
            break;
        case 6:
            /* the good header, maybe truncated or with one byte changed */
            h = fuzz_pick(&s);
            g_free(hdr);
            hdr = g_malloc(img.hdr_len);
            memcpy(hdr, img.hdr, img.hdr_len);
            arg = fuzz_next(&s);
            if (arg & 1) {
                size_t at = (arg * 37 + fuzz_next(&s) * 7) % img.hdr_len;

                hdr[at] ^= fuzz_next(&s);
            }
            rc = se_uv_set_params(uv, h, hdr,
                                  arg & 2 ? img.hdr_len - arg : img.hdr_len,
                                  &rrc, NULL);
            check(rc == UVC_RC_EXECUTED ?
                  se_uv_conf_state(uv) == SE_UV_CONF_HDR_SET :
                  se_uv_conf_state(uv) == before);
            break;
        case 7:
            h = fuzz_pick(&s);
            arg = fuzz_next(&s);
            rc = unpack_page(uv, h, arg % NPAGES,
                             arg & 0x80 ? img.addr[arg % NPAGES] :
                             (uint64_t)fuzz_next(&s) << (arg % 64), &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE ||
                  rc == RC_INV_PARAM);
            check(se_uv_conf_state(uv) == before);
            break;
        case 8:
            rc = se_uv_verify(uv, fuzz_pick(&s), &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE ||
                  rc == SE_VERIFY_RC_MISMATCH);
            if (rc == UVC_RC_EXECUTED) {
                check(se_uv_start_psw(uv, &mask, &addr) &&
                      addr == PSW_ADDR);
            }
            break;
        case 9:
            rc = se_uv_prepare_reset(uv, fuzz_pick(&s), &rrc);
            check(rc == UVC_RC_EXECUTED || rc == UVC_RC_INV_STATE);
            check(se_uv_conf_state(uv) == before);
            break;
        case 10:
            rc = se_uv_unshare_all(uv, fuzz_pick(&s), &rrc);
            check(rc == UVC_RC_INV_STATE ||
                  (rc == UVC_RC_EXECUTED && !se_uv_shared_pages(uv)));
            break;
        default:
            /* a guest call of the kinds that do something */
            arg = fuzz_next(&s);
            memset(cb, 0, sizeof(cb));
            cb[0] = arg & 1 ? 0x01 : 0x00;
            cb[1] = arg & 1 ? 0x20 : 0x30;
            cb[2] = arg & 1 ? 0x00 : 0x10;
            cb[3] = arg & 1 ? 0x01 : (arg >> 1) & 1;
            cb[0x25] = fuzz_next(&s);
            cb[0x26] = fuzz_next(&s) & 0xf0;
            guest_call(uv, arg & 4, cb, sizeof(cb));
            break;
        }
        check(se_uv_protected(uv) ==
              (se_uv_conf_state(uv) != SE_UV_CONF_NONE));
        check(se_uv_host_access_ok(uv, MEM_SIZE));
        if (!se_uv_protected(uv)) {
            check(se_uv_host_access_ok(uv, 0) && !se_uv_shared_pages(uv));
        }
    }
    se_uv_free(uv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    SeUv *uv;

    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 1) {
        return 0;
    }
    switch (data[0] % 3) {
    case 0:
    case 1:
        uv = data[0] % 3 ? uv_verified : uv_plain;
        guest_call(uv, false, data + 1, size - 1);
        guest_call(uv, true, data + 1, size - 1);
        check(se_uv_conf_state(uv) ==
              (uv == uv_plain ? SE_UV_CONF_NONE : SE_UV_CONF_VERIFIED));
        if (uv == uv_plain) {
            check(!se_uv_shared_pages(uv));
        }
        break;
    default:
        run_sequence(data + 1, size - 1);
        break;
    }
    return 0;
}
