/*
 * The emulated IBM Z ultravisor: secure-configuration state machine,
 * secure CPUs, shared-page tracking and guest UVC control blocks
 * (see include/hw/s390x/se/uv-core.h).
 *
 * Facts (command codes, installed-call bits, control-block offsets, the
 * generic rc values) come from Linux arch/s390/include/asm/uv.h and
 * arch/s390/kernel/uv.c.  What those do not say is our choice: every such
 * choice is marked [I] (tags as in docs/system/ibm-confidential-computing.rst)
 * and the return/reason codes are all in the one table below.
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-ecc.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-attest.h"
#include "hw/s390x/se/se-dump.h"
#include "hw/s390x/se/se-secret.h"
#include "hw/s390x/se/se-unpack.h"
#include "hw/s390x/se/uv-core.h"

#include <gnutls/crypto.h>

/* ---- return / reason codes -------------------------------------------- */

/*
 * Every way a call can end, other than the SE header checks (whose rc/rrc
 * come from se-hdr.c) and the VERIFY_IMG mismatch (rc 0x0102 and the rrc
 * from se-unpack.c).
 */
typedef enum SeUvErr {
    SE_UV_OK,
    SE_UV_E_CONF_HANDLE,        /* no configuration with that handle */
    SE_UV_E_CPU_HANDLE,         /* no secure CPU with that handle */
    SE_UV_E_STATE,              /* command not valid in this conf state */
    SE_UV_E_BROKEN,             /* VERIFY_IMG failed: only destroy left */
    SE_UV_E_NOT_SECURE,         /* share/unshare from a non-secure guest */
    SE_UV_E_CONF_EXISTS,        /* CREATE_SEC_CONF with one existing */
    SE_UV_E_UNALIGNED,          /* address not on a page boundary */
    SE_UV_E_ADDRESS,            /* address outside guest storage */
    SE_UV_E_CPU_ID,             /* CPU number >= max CPUs */
    SE_UV_E_CPU_EXISTS,         /* CPU number already has a secure CPU */
    SE_UV_E_CPU_STATE,          /* CPU_SET_STATE value not 1, 2, 3 or 5 */
    SE_UV_E_CMD,                /* unknown command code */
    SE_UV_E_LEN,                /* bad control-block length */
    SE_UV_E_MORE_DATA,          /* QUI block shorter than what we report */
    SE_UV_E_DUMP_DENIED,        /* DUMP_INIT: header or a secret forbids */
    SE_UV_E_DUMPING,            /* DUMP_INIT while a dump is in progress */
    SE_UV_E_NOT_DUMPING,        /* other dump call without DUMP_INIT */
    SE_UV_E__MAX,
} SeUvErr;

typedef struct SeUvRc {
    uint16_t rc;
    uint16_t rrc;
    const char *what;
} SeUvRc;

/*
 * The rc values 0x0001, 0x0002, 0x0003, 0x0005, 0x0100 and 0x8000 and
 * their meanings are [V] (Linux arch/s390/include/asm/uv.h, UVC_RC_*).
 * Which of them a given situation gets, every reason code, and rc 0x0101
 * are [I]: no public source documents them.  rc 0x0101 follows the pattern
 * of command-specific codes from 0x0100 up and matches se-unpack's
 * "unaligned address" (SE_UNPACK_RC_ADDR, also [I]).
 */
#define SE_UV_RC_INV_PARAM      0x0101
#define SE_UV_RC_DUMP_DENIED    0x0102

static const SeUvRc se_uv_rcs[SE_UV_E__MAX] = {
    [SE_UV_OK] = { UVC_RC_EXECUTED, 0x0000, "executed" },
    /* [I] no documented "bad handle" code: an invalid-state variant */
    [SE_UV_E_CONF_HANDLE] = {
        UVC_RC_INV_STATE, 0x0001, "invalid configuration handle" },
    [SE_UV_E_CPU_HANDLE] = {
        UVC_RC_INV_STATE, 0x0002, "invalid secure CPU handle" },
    [SE_UV_E_STATE] = {
        UVC_RC_INV_STATE, 0x0000, "invalid configuration state" },
    [SE_UV_E_BROKEN] = {
        UVC_RC_INV_STATE, 0x0004, "image verification failed" },
    [SE_UV_E_NOT_SECURE] = {
        UVC_RC_INV_STATE, 0x0003, "caller is not a secure guest" },
    /* [I] one configuration at most: destroy the existing one first */
    [SE_UV_E_CONF_EXISTS] = {
        UVC_RC_NEED_DESTROY, 0x0000, "secure configuration exists" },
    [SE_UV_E_UNALIGNED] = {
        SE_UV_RC_INV_PARAM, 0x0001, "address not page aligned" },
    [SE_UV_E_ADDRESS] = {
        SE_UV_RC_INV_PARAM, 0x0002, "address outside guest storage" },
    [SE_UV_E_CPU_ID] = {
        SE_UV_RC_INV_PARAM, 0x0003, "CPU number out of range" },
    [SE_UV_E_CPU_EXISTS] = {
        SE_UV_RC_INV_PARAM, 0x0004, "secure CPU exists" },
    [SE_UV_E_CPU_STATE] = {
        SE_UV_RC_INV_PARAM, 0x0005, "invalid CPU state" },
    [SE_UV_E_CMD] = { UVC_RC_INV_CMD, 0x0000, "invalid command" },
    [SE_UV_E_LEN] = { UVC_RC_INV_LEN, 0x0000, "invalid length" },
    /* [I] Linux's boot code accepts 0x0100 from QUI; we give it with cc 1 */
    [SE_UV_E_MORE_DATA] = { UVC_RC_MORE_DATA, 0x0000, "more data" },
    /* [U] the dump calls' failures: command-specific rc 0x0102 */
    [SE_UV_E_DUMP_DENIED] = {
        SE_UV_RC_DUMP_DENIED, 0x0000, "dumping not allowed" },
    [SE_UV_E_DUMPING] = { UVC_RC_INV_STATE, 0x0005, "dump in progress" },
    [SE_UV_E_NOT_DUMPING] = { UVC_RC_INV_STATE, 0x0006, "no dump started" },
};

static uint16_t uv_ret(uint16_t *rrc, SeUvErr e)
{
    if (rrc) {
        *rrc = se_uv_rcs[e].rrc;
    }
    return se_uv_rcs[e].rc;
}

/* ---- QUI contents ------------------------------------------------------ */

#define QUI_MIN_LEN             0x100   /* older kernels' block */
#define QUI_LEN                 0x120
#define QUI_OFF_CALLS           0x10    /* 4 x u64, MSB0 bit per command */
#define QUI_OFF_BASE_STOR_LEN   0x40
#define QUI_OFF_CONF_BASE_PHYS  0x50
#define QUI_OFF_CONF_BASE_VIRT  0x58
#define QUI_OFF_CONF_VIRT_VAR   0x60
#define QUI_OFF_CPU_STOR_LEN    0x68
#define QUI_OFF_MAX_CONF        0x7c
#define QUI_OFF_MAX_STOR_ADDR   0x80
#define QUI_OFF_MAX_CPU_ID      0x9e
#define QUI_OFF_FEATURES        0xa0
#define QUI_OFF_HDR_VERSIONS    0xb0
#define QUI_OFF_HDR_PCF         0xb8
#define QUI_OFF_DUMP_STOR_LEN   0xc8
#define QUI_OFF_DUMP_FIN_LEN    0xd0

#define SHARE_LEN               0x30
#define SHARE_OFF_PADDR         0x20

/*
 * Installed-call bit of each command ([V] Linux arch/s390/include/asm/uv.h,
 * BIT_UVC_CMD_*).
 */
#define CALL_QUI                0
#define CALL_SET_SHARED         8
#define CALL_REMOVE_SHARED      9
#define CALL_RETR_ATTEST        28
#define CALL_ADD_SECRET         29
#define CALL_LIST_SECRETS       30
#define CALL_LOCK_SECRETS       31
#define CALL_RETR_SECRET        33

/*
 * What QUI indicates to the guest, the only caller of this UV (the host's
 * side is QEMU itself): the calls a guest may issue, nothing else.  QUI for
 * every guest, SET/REMOVE_SHARED_ACCESS for a secure one (a Linux guest
 * calls itself protected iff both are indicated, Linux arch/s390/boot/uv.c).
 * Host-only commands are neither indicated nor accepted (rc 0x0002), as
 * kvm-unit-tests s390x/uv-guest.c expects of a protected guest's UV.
 */
static const uint8_t qui_guest_calls[] = { CALL_QUI };
static const uint8_t qui_secure_guest_calls[] = {
    CALL_SET_SHARED, CALL_REMOVE_SHARED, CALL_RETR_ATTEST, CALL_ADD_SECRET,
    CALL_LIST_SECRETS, CALL_LOCK_SECRETS, CALL_RETR_SECRET,
};

/*
 * [I] SE header versions: "bit0 = 0x100" read as MSB0 bit 0 standing for
 * version 0x100 (v1), the only version se-hdr parses.
 */
#define QUI_HDR_VERSIONS        (1ULL << 63)
/* [I] 0: the UV needs no donated storage, so every length is zero. */
#define QUI_STOR_LEN            0
/* [I] No AIV/AP features are emulated. */
#define QUI_FEATURES            0
/* One secure configuration per machine (the machine's guest). */
#define QUI_MAX_CONF            1
#define QUI_OFF_ATT_HDR_VER     0xe0
#define QUI_OFF_ATT_PFLAGS      0xe8
/* [I] attestation request versions: MSB0 bit 0 for version 0x0100 */
#define QUI_ATT_HDR_VERSIONS    (1ULL << 63)
#define QUI_OFF_SECRET_VER      0xf8
#define QUI_OFF_SECRET_PCF      0x100
#define QUI_OFF_SECRET_TYPES    0x108
#define QUI_OFF_MAX_ASSOC       0x110   /* max_secrets in Linux 6.12 */
#define QUI_OFF_MAX_RETR        0x112
/* [I] add-secret request versions, as the attestation ones */
#define QUI_SECRET_VERSIONS     (1ULL << 63)

/* ---- the ultravisor ---------------------------------------------------- */

typedef struct SeUvCpu {
    bool exists;
    uint8_t state;
    uint64_t handle;
} SeUvCpu;

struct SeUv {
    uint64_t mem_size;
    uint64_t npages;
    unsigned max_cpus;
    SeHostKey primary;
    SeHostKey backup;
    bool has_backup;
    uint64_t handle_ctr;

    SeUvConfState state;
    bool broken;                /* verify failed */
    uint64_t conf_handle;
    SeUnpackCtx *unpack;        /* HDR_SET only */
    SeHdrSecrets secrets;       /* HDR_SET and VERIFIED */
    uint64_t pcf;
    SeAttestConfig att;         /* tags and image phkh from HDR_SET on */
    SeSecretStore *store;       /* HDR_SET and VERIFIED */
    SeUvCpu *cpus;              /* max_cpus entries, by CPU number */
    SeDump *dump;               /* from DUMP_INIT to DUMP_COMPLETE */

    /*
     * @state and @shared are published with atomic stores: the host's
     * device accesses read them, through se_uv_host_access_ok(), from any
     * thread and without the lock that serialises everything else.
     *
     * Shared pages, one bit per page of guest storage.  [I] Real hardware
     * makes a page secure when it is imported (converted); we treat all
     * guest storage of a configuration as secure from CREATE_SEC_CONF on,
     * unless the guest shared it: the safe direction for the host.
     */
    uint64_t *shared;
    uint64_t nshared;
};

#define BITMAP_WORDS(n)         (((n) + 63) / 64)

static void set_state(SeUv *uv, SeUvConfState state)
{
    qatomic_set(&uv->state, state);
}

static bool shared_test(const SeUv *uv, uint64_t pfn)
{
    return qatomic_read(&uv->shared[pfn / 64]) & (1ULL << (pfn % 64));
}

static void shared_set(SeUv *uv, uint64_t pfn, bool on)
{
    uint64_t *word = &uv->shared[pfn / 64];
    uint64_t bit = 1ULL << (pfn % 64);

    if (on == shared_test(uv, pfn)) {
        return;
    }
    qatomic_set(word, qatomic_read(word) ^ bit);
    if (on) {
        uv->nshared++;
    } else {
        uv->nshared--;
    }
}

static void shared_clear(SeUv *uv)
{
    uint64_t i;

    for (i = 0; i < BITMAP_WORDS(uv->npages); i++) {
        qatomic_set(&uv->shared[i], 0);
    }
    uv->nshared = 0;
}

/*
 * Handles: a counter through the SplitMix64 finaliser (a bijection, so
 * handles never repeat within one SeUv), salted; zero is never handed
 * out.  They only need to look arbitrary, not be secret: every call
 * checks them against the live objects.
 */
#define SE_UV_HANDLE_SALT       0x5345c0de55564321ULL

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t new_handle(SeUv *uv)
{
    uint64_t h;

    do {
        h = mix64(++uv->handle_ctr ^ SE_UV_HANDLE_SALT);
    } while (!h);
    return h;
}

SeUv *se_uv_new(uint64_t mem_size, unsigned max_cpus,
                const SeHostKey *primary, const SeHostKey *backup)
{
    SeUv *uv = g_new0(SeUv, 1);

    g_assert(mem_size > 0 && primary);
    g_assert(max_cpus >= 1 && max_cpus <= 0x10000);
    uv->mem_size = mem_size;
    uv->npages = mem_size / SE_UV_PAGE_SIZE +
                 !!(mem_size % SE_UV_PAGE_SIZE);
    uv->max_cpus = max_cpus;
    uv->primary = *primary;
    if (backup) {
        uv->backup = *backup;
        uv->has_backup = true;
    }
    uv->cpus = g_new0(SeUvCpu, max_cpus);
    uv->shared = g_new0(uint64_t, BITMAP_WORDS(uv->npages));
    return uv;
}

/* Back to NONE: forget and wipe everything about the configuration. */
static void conf_clear(SeUv *uv)
{
    se_unpack_free(uv->unpack);
    uv->unpack = NULL;
    se_hdr_secrets_wipe(&uv->secrets);
    uv->pcf = 0;
    memset(&uv->att, 0, sizeof(uv->att));
    se_secret_store_free(uv->store);
    uv->store = NULL;
    se_dump_free(uv->dump);
    uv->dump = NULL;
    memset(uv->cpus, 0, uv->max_cpus * sizeof(SeUvCpu));
    shared_clear(uv);
    uv->conf_handle = 0;
    uv->broken = false;
    set_state(uv, SE_UV_CONF_NONE);
}

void se_uv_free(SeUv *uv)
{
    if (!uv) {
        return;
    }
    conf_clear(uv);
    g_free(uv->cpus);
    g_free(uv->shared);
    cc_wipe(uv, sizeof(*uv));
    g_free(uv);
}

SeUvConfState se_uv_conf_state(const SeUv *uv)
{
    return uv->state;
}

bool se_uv_protected(const SeUv *uv)
{
    return qatomic_read(&uv->state) != SE_UV_CONF_NONE;
}

/* ---- host-level commands ----------------------------------------------- */

static SeUvErr check_conf(const SeUv *uv, uint64_t handle)
{
    if (uv->state == SE_UV_CONF_NONE || handle != uv->conf_handle) {
        return SE_UV_E_CONF_HANDLE;
    }
    return SE_UV_OK;
}

/* Handle, then verify failure, then the state the command needs. */
static SeUvErr check_conf_state(const SeUv *uv, uint64_t handle,
                                SeUvConfState want)
{
    if (check_conf(uv, handle) != SE_UV_OK) {
        return SE_UV_E_CONF_HANDLE;
    }
    if (uv->broken) {
        return SE_UV_E_BROKEN;
    }
    return uv->state == want ? SE_UV_OK : SE_UV_E_STATE;
}

/* Index of the secure CPU with @handle, or -1. */
static int find_cpu_idx(const SeUv *uv, uint64_t handle)
{
    unsigned i;

    if (uv->state == SE_UV_CONF_NONE || !handle) {
        return -1;
    }
    for (i = 0; i < uv->max_cpus; i++) {
        if (uv->cpus[i].exists && uv->cpus[i].handle == handle) {
            return i;
        }
    }
    return -1;
}

static SeUvCpu *find_cpu(SeUv *uv, uint64_t handle)
{
    int i = find_cpu_idx(uv, handle);

    return i < 0 ? NULL : &uv->cpus[i];
}

uint16_t se_uv_create_conf(SeUv *uv, uint64_t *handle, uint16_t *rrc)
{
    *handle = 0;
    if (uv->state != SE_UV_CONF_NONE) {
        return uv_ret(rrc, SE_UV_E_CONF_EXISTS);
    }
    conf_clear(uv);
    uv->conf_handle = new_handle(uv);
    /* The configuration unique id of attestation: random per creation */
    if (gnutls_rnd(GNUTLS_RND_NONCE, uv->att.cuid, sizeof(uv->att.cuid))) {
        g_error("se-uv: no random bytes for a configuration id");
    }
    set_state(uv, SE_UV_CONF_CREATED);
    *handle = uv->conf_handle;
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_destroy_conf(SeUv *uv, uint64_t handle, uint16_t *rrc)
{
    SeUvErr e = check_conf(uv, handle);

    if (e == SE_UV_OK) {
        conf_clear(uv);
    }
    return uv_ret(rrc, e);
}

/* [I] CPUs may be created in any state of the configuration (hotplug). */
uint16_t se_uv_create_cpu(SeUv *uv, uint64_t conf, unsigned cpu_id,
                          uint64_t *cpu_handle, uint16_t *rrc)
{
    SeUvErr e = check_conf(uv, conf);
    SeUvCpu *cpu;

    *cpu_handle = 0;
    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    if (cpu_id >= uv->max_cpus) {
        return uv_ret(rrc, SE_UV_E_CPU_ID);
    }
    cpu = &uv->cpus[cpu_id];
    if (cpu->exists) {
        return uv_ret(rrc, SE_UV_E_CPU_EXISTS);
    }
    cpu->exists = true;
    cpu->state = SE_UV_CPU_STATE_STP;
    cpu->handle = new_handle(uv);
    *cpu_handle = cpu->handle;
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_destroy_cpu(SeUv *uv, uint64_t cpu_handle, uint16_t *rrc)
{
    SeUvCpu *cpu = find_cpu(uv, cpu_handle);

    if (!cpu) {
        return uv_ret(rrc, SE_UV_E_CPU_HANDLE);
    }
    memset(cpu, 0, sizeof(*cpu));
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_cpu_set_state(SeUv *uv, uint64_t cpu_handle, uint8_t state,
                             uint16_t *rrc)
{
    SeUvCpu *cpu = find_cpu(uv, cpu_handle);

    if (!cpu) {
        return uv_ret(rrc, SE_UV_E_CPU_HANDLE);
    }
    switch (state) {
    case SE_UV_CPU_STATE_OPR:
    case SE_UV_CPU_STATE_STP:
    case SE_UV_CPU_STATE_CHKSTP:
    case SE_UV_CPU_STATE_OPR_LOAD:
        cpu->state = state;
        return uv_ret(rrc, SE_UV_OK);
    default:
        return uv_ret(rrc, SE_UV_E_CPU_STATE);
    }
}

int se_uv_cpu_state(const SeUv *uv, uint64_t cpu_handle)
{
    int i = find_cpu_idx(uv, cpu_handle);

    return i < 0 ? -1 : uv->cpus[i].state;
}

/*
 * [I] The command code is checked before the handle.  A reset only
 * validates: the CPU's run state is the host's to set with
 * CPU_SET_STATE (as KVM does after its resets).
 */
uint16_t se_uv_cpu_reset(SeUv *uv, uint64_t cpu_handle, uint16_t cmd,
                         uint16_t *rrc)
{
    if (cmd != UVC_CMD_CPU_RESET && cmd != UVC_CMD_CPU_RESET_INITIAL &&
        cmd != UVC_CMD_CPU_RESET_CLEAR) {
        return uv_ret(rrc, SE_UV_E_CMD);
    }
    if (!find_cpu(uv, cpu_handle)) {
        return uv_ret(rrc, SE_UV_E_CPU_HANDLE);
    }
    return uv_ret(rrc, SE_UV_OK);
}

/* For a failure that is not an SE header check: id SE_CHECK__MAX. */
static uint16_t params_fail(SeError *err, uint16_t *rrc, SeUvErr e)
{
    if (err) {
        err->id = SE_CHECK__MAX;
        err->rc = se_uv_rcs[e].rc;
        err->rrc = se_uv_rcs[e].rrc;
        err->check = se_uv_rcs[e].what;
    }
    return uv_ret(rrc, e);
}

uint16_t se_uv_set_params(SeUv *uv, uint64_t conf, const uint8_t *hdr,
                          size_t len, uint16_t *rrc, SeError *err)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_CREATED);
    g_autoptr(SeHdr) h = NULL;
    SeHostKeyUsed used;
    SeHdrSecrets s;
    SeError se;

    if (e != SE_UV_OK) {
        return params_fail(err, rrc, e);
    }
    h = se_hdr_parse(hdr, hdr ? len : 0, &se);
    if (h && se_hdr_unwrap(h, &uv->primary,
                           uv->has_backup ? &uv->backup : NULL,
                           &s, &used, NULL, &se)) {
        uv->unpack = se_unpack_new(h, &s);
        if (uv->unpack) {
            const SeHostKey *k = used == SE_HOST_KEY_BACKUP ? &uv->backup
                                                           : &uv->primary;

            uv->secrets = s;
            uv->pcf = h->pcf;
            se_attest_tags(h, uv->att.tags);
            se_hdr_phkh(k->pub.x, k->pub.y, uv->att.image_phkh);
            uv->store = se_secret_store_new(uv->att.tags, uv->att.cuid,
                                            s.cck, s.scf);
            set_state(uv, SE_UV_CONF_HDR_SET);
        } else {
            se_error_set(&se, SE_CHECK_XTS_KEY);
        }
    }
    se_hdr_secrets_wipe(&s);
    /* on failure the state stays CREATED: another header may follow */
    if (err) {
        *err = se;
    }
    if (rrc) {
        *rrc = se.rrc;
    }
    return se.rc;
}

uint16_t se_uv_unpack(SeUv *uv, uint64_t conf, uint64_t gaddr,
                      uint64_t tweak0, uint64_t tweak1, uint8_t *page,
                      uint16_t *rrc)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_HDR_SET);

    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    if (gaddr % SE_UV_PAGE_SIZE) {
        return uv_ret(rrc, SE_UV_E_UNALIGNED);
    }
    if (gaddr >= uv->mem_size || uv->mem_size - gaddr < SE_UV_PAGE_SIZE) {
        return uv_ret(rrc, SE_UV_E_ADDRESS);
    }
    if (rrc) {
        *rrc = 0;
    }
    return se_unpack_page(uv->unpack, gaddr, tweak0, tweak1, page);
}

/*
 * [I] A failed verification leaves the configuration unusable (HDR_SET,
 * keys wiped) until it is destroyed: QEMU tears it down anyway.
 */
uint16_t se_uv_verify(SeUv *uv, uint64_t conf, uint16_t *rrc)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_HDR_SET);
    uint16_t rc, r = 0;

    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    rc = se_unpack_verify(uv->unpack, &r);
    se_unpack_free(uv->unpack);
    uv->unpack = NULL;
    /* the image keys are not needed any more */
    cc_wipe(uv->secrets.xts_key, sizeof(uv->secrets.xts_key));
    if (rc == SE_UNPACK_RC_OK) {
        set_state(uv, SE_UV_CONF_VERIFIED);
    } else {
        uv->broken = true;
        se_hdr_secrets_wipe(&uv->secrets);
        uv->pcf = 0;
    }
    if (rrc) {
        *rrc = r;
    }
    return rc;
}

/*
 * [I] PREPARE_RESET keeps the configuration VERIFIED: on a reboot while
 * protected the image is re-run from its start PSW, as KVM's
 * UNSHARE_ALL + PREP_RESET do.  Sharing is left to SET_UNSHARE_ALL.
 */
uint16_t se_uv_prepare_reset(SeUv *uv, uint64_t conf, uint16_t *rrc)
{
    return uv_ret(rrc, check_conf_state(uv, conf, SE_UV_CONF_VERIFIED));
}

uint16_t se_uv_unshare_all(SeUv *uv, uint64_t conf, uint16_t *rrc)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_VERIFIED);

    if (e == SE_UV_OK) {
        shared_clear(uv);
    }
    return uv_ret(rrc, e);
}

bool se_uv_start_psw(const SeUv *uv, uint64_t *mask, uint64_t *addr)
{
    if (uv->state != SE_UV_CONF_VERIFIED) {
        *mask = 0;
        *addr = 0;
        return false;
    }
    *mask = uv->secrets.psw_mask;
    *addr = uv->secrets.psw_addr;
    return true;
}

uint64_t se_uv_pcf(const SeUv *uv)
{
    return uv->state == SE_UV_CONF_VERIFIED ? uv->pcf : 0;
}

/* ---- protected dump ---------------------------------------------------- */

/*
 * The secure configuration may be dumped if its SE header allows it (PCF
 * bit 34) and no added secret asked to disable dumping (the ASRCB flag,
 * s390-tools pvsecret-create(1) --flags disable-dump).
 */
bool se_uv_dump_allowed(const SeUv *uv, const char **why)
{
    const char *w = NULL;

    if (uv->state != SE_UV_CONF_VERIFIED) {
        w = "the guest is not running a verified image";
    } else if (!(uv->pcf & SE_PCF_ALLOW_DUMP)) {
        w = "its SE header does not allow a dump";
    } else if (uv->store && se_secret_dump_disabled(uv->store)) {
        w = "an added secret disabled dumping";
    }
    if (why) {
        *why = w;
    }
    return !w;
}

bool se_uv_dumping(const SeUv *uv)
{
    return uv->dump != NULL;
}

uint16_t se_uv_dump_init(SeUv *uv, uint64_t conf, uint16_t *rrc)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_VERIFIED);
    uint8_t cck[SE_DUMP_CCK_SIZE];

    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    if (uv->dump) {
        return uv_ret(rrc, SE_UV_E_DUMPING);
    }
    if (!se_uv_dump_allowed(uv, NULL)) {
        return uv_ret(rrc, SE_UV_E_DUMP_DENIED);
    }
    /* the CCK as it is now: an add-secret request may have replaced it */
    se_secret_store_cck(uv->store, cck);
    uv->dump = se_dump_new(cck);
    cc_wipe(cck, sizeof(cck));
    return uv_ret(rrc, SE_UV_OK);
}

static SeUvErr check_dumping(const SeUv *uv, uint64_t conf)
{
    SeUvErr e = check_conf_state(uv, conf, SE_UV_CONF_VERIFIED);

    if (e == SE_UV_OK && !uv->dump) {
        e = SE_UV_E_NOT_DUMPING;
    }
    return e;
}

uint16_t se_uv_dump_stor_state(SeUv *uv, uint64_t conf, uint64_t gaddr,
                               uint8_t *out, uint16_t *rrc)
{
    SeUvErr e = check_dumping(uv, conf);
    uint64_t a;
    unsigned i;

    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    /* Linux arch/s390/kvm/pv.c: one call per 1 MiB-aligned block */
    if (gaddr % SE_DUMP_STOR_BLOCK) {
        return uv_ret(rrc, SE_UV_E_UNALIGNED);
    }
    if (gaddr >= uv->mem_size) {
        return uv_ret(rrc, SE_UV_E_ADDRESS);
    }
    for (i = 0; i < SE_DUMP_STOR_BLOCK / SE_UV_PAGE_SIZE; i++) {
        a = gaddr + (uint64_t)i * SE_UV_PAGE_SIZE;
        se_dump_component(uv->dump, a,
                          a < uv->mem_size &&
                          shared_test(uv, a / SE_UV_PAGE_SIZE),
                          a >= uv->mem_size,
                          out + i * SE_DUMP_TWEAK_SIZE);
    }
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_dump_cpu(SeUv *uv, uint64_t cpu_handle,
                        const SeDumpCpuState *st, uint8_t *out,
                        uint16_t *rrc)
{
    if (!find_cpu(uv, cpu_handle)) {
        return uv_ret(rrc, SE_UV_E_CPU_HANDLE);
    }
    if (!uv->dump) {
        return uv_ret(rrc, SE_UV_E_NOT_DUMPING);
    }
    se_dump_cpu(uv->dump, st, out);
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_dump_complete(SeUv *uv, uint64_t conf, uint8_t *out,
                             uint16_t *rrc)
{
    SeUvErr e = check_dumping(uv, conf);

    if (e != SE_UV_OK) {
        return uv_ret(rrc, e);
    }
    se_dump_complete(uv->dump, out);
    se_dump_free(uv->dump);
    uv->dump = NULL;
    return uv_ret(rrc, SE_UV_OK);
}

uint16_t se_uv_dump_export(SeUv *uv, uint64_t gaddr, const uint8_t *in,
                           uint8_t *out, uint16_t *rrc)
{
    if (!uv->dump) {
        return uv_ret(rrc, SE_UV_E_NOT_DUMPING);
    }
    if (gaddr % SE_UV_PAGE_SIZE) {
        return uv_ret(rrc, SE_UV_E_UNALIGNED);
    }
    if (gaddr >= uv->mem_size || uv->mem_size - gaddr < SE_UV_PAGE_SIZE) {
        return uv_ret(rrc, SE_UV_E_ADDRESS);
    }
    if (shared_test(uv, gaddr / SE_UV_PAGE_SIZE)) {
        memmove(out, in, SE_UV_PAGE_SIZE);
    } else {
        se_dump_encrypt_page(uv->dump, gaddr, in, out);
    }
    return uv_ret(rrc, SE_UV_OK);
}

/* ---- secure storage ---------------------------------------------------- */

bool se_uv_host_access_ok(const SeUv *uv, uint64_t abs)
{
    if (qatomic_read(&uv->state) == SE_UV_CONF_NONE ||
        abs >= uv->mem_size) {
        return true;
    }
    return shared_test(uv, abs / SE_UV_PAGE_SIZE);
}

uint64_t se_uv_shared_pages(const SeUv *uv)
{
    return uv->nshared;
}

/* ---- guest calls ------------------------------------------------------- */

/* Store an output field of a control block, if it lies within @fill */
static void put_be(uint8_t *cb, size_t fill, size_t off, uint64_t v,
                   size_t size)
{
    if (off + size <= fill) {
        cc_put_be(cb + off, v, size);
    }
}

static void set_call_bit(uint8_t *cb, size_t fill, unsigned bit)
{
    size_t off = QUI_OFF_CALLS + bit / 8;

    if (off < fill) {
        cb[off] |= 0x80 >> (bit % 8);
    }
}

/*
 * [I] A block of 0x100..0x11f bytes (older kernels) gets the fields that
 * fit and rc 0x0100 "more data"; a longer one gets 0x120 bytes and the
 * rest is left as it was.  Everything from offset 8 to the end of what
 * is filled is output: input bytes there are ignored and overwritten.
 */
static SeUvErr guest_qui(SeUv *uv, bool secure, uint8_t *cb, size_t len)
{
    size_t fill = MIN(len, QUI_LEN);
    size_t i;

    if (len < QUI_MIN_LEN) {
        return SE_UV_E_LEN;
    }
    memset(cb + UVC_HDR_SIZE, 0, fill - UVC_HDR_SIZE);
    for (i = 0; i < G_N_ELEMENTS(qui_guest_calls); i++) {
        set_call_bit(cb, fill, qui_guest_calls[i]);
    }
    for (i = 0; secure && i < G_N_ELEMENTS(qui_secure_guest_calls); i++) {
        set_call_bit(cb, fill, qui_secure_guest_calls[i]);
    }
    put_be(cb, fill, QUI_OFF_BASE_STOR_LEN, QUI_STOR_LEN, 8);
    put_be(cb, fill, QUI_OFF_CONF_BASE_PHYS, QUI_STOR_LEN, 8);
    put_be(cb, fill, QUI_OFF_CONF_BASE_VIRT, QUI_STOR_LEN, 8);
    put_be(cb, fill, QUI_OFF_CONF_VIRT_VAR, QUI_STOR_LEN, 8);
    put_be(cb, fill, QUI_OFF_CPU_STOR_LEN, QUI_STOR_LEN, 8);
    put_be(cb, fill, QUI_OFF_MAX_CONF, QUI_MAX_CONF, 4);
    /* [I] the last valid absolute address, as the field name says */
    put_be(cb, fill, QUI_OFF_MAX_STOR_ADDR, uv->mem_size - 1, 8);
    put_be(cb, fill, QUI_OFF_MAX_CPU_ID, uv->max_cpus - 1, 2);
    put_be(cb, fill, QUI_OFF_FEATURES, QUI_FEATURES, 8);
    put_be(cb, fill, QUI_OFF_HDR_VERSIONS, QUI_HDR_VERSIONS, 8);
    put_be(cb, fill, QUI_OFF_HDR_PCF, se_hdr_supported_pcf(), 8);
    put_be(cb, fill, QUI_OFF_ATT_HDR_VER, QUI_ATT_HDR_VERSIONS, 8);
    put_be(cb, fill, QUI_OFF_ATT_PFLAGS, SE_ATT_FLAGS_SUPPORTED, 8);
    put_be(cb, fill, QUI_OFF_SECRET_VER, QUI_SECRET_VERSIONS, 8);
    put_be(cb, fill, QUI_OFF_SECRET_PCF, SE_ASRCB_FLAGS_SUPPORTED, 8);
    put_be(cb, fill, QUI_OFF_SECRET_TYPES, se_secret_supported_types(), 8);
    put_be(cb, fill, QUI_OFF_MAX_ASSOC, SE_SECRET_MAX_ASSOC, 2);
    put_be(cb, fill, QUI_OFF_MAX_RETR, SE_SECRET_MAX_RETR, 2);
    put_be(cb, fill, QUI_OFF_DUMP_STOR_LEN, SE_DUMP_STOR_STATE_LEN, 8);
    put_be(cb, fill, QUI_OFF_DUMP_FIN_LEN, SE_DUMP_COMPL_LEN, 8);
    return len < QUI_LEN ? SE_UV_E_MORE_DATA : SE_UV_OK;
}

/* SET_SHARED_ACCESS / REMOVE_SHARED_ACCESS of one page. */
static SeUvErr guest_share(SeUv *uv, bool secure, const uint8_t *cb,
                           size_t len, const SeUvGuestOps *ops, bool share)
{
    uint64_t paddr, abs;
    CCBuf b;

    if (len < SHARE_LEN) {
        return SE_UV_E_LEN;
    }
    if (!secure) {
        return SE_UV_E_NOT_SECURE;
    }
    if (uv->state != SE_UV_CONF_VERIFIED) {
        return SE_UV_E_STATE;
    }
    cc_buf_init(&b, cb, len);
    cc_buf_seek(&b, SHARE_OFF_PADDR);
    paddr = cc_buf_be64(&b);
    g_assert(cc_buf_ok(&b));
    if (paddr % SE_UV_PAGE_SIZE) {
        return SE_UV_E_UNALIGNED;
    }
    abs = paddr;
    if (ops && ops->real_to_abs &&
        !ops->real_to_abs(ops->opaque, paddr, &abs)) {
        return SE_UV_E_ADDRESS;
    }
    if (abs >= uv->mem_size || abs % SE_UV_PAGE_SIZE) {
        return SE_UV_E_ADDRESS;
    }
    shared_set(uv, abs / SE_UV_PAGE_SIZE, share);
    return SE_UV_OK;
}

/* Retrieve Attestation Measurement's control block (Linux uv.h) */
#define ATT_LEN                 0x188
#define ATT_OFF_ARCB            0x18
#define ATT_OFF_TOKEN           0x20
#define ATT_OFF_USER_LEN        0x2e
#define ATT_OFF_USER            0x30
#define ATT_OFF_MEAS_LEN        0x13c
#define ATT_OFF_MEAS            0x140
#define ATT_OFF_CUID            0x148
#define ATT_OFF_ADD_LEN         0x15c
#define ATT_OFF_ADD             0x160

static bool guest_rw(const SeUvGuestOps *ops, uint64_t real, void *buf,
                     size_t len, bool write)
{
    if (!ops) {
        return false;
    }
    if (write) {
        return ops->write && ops->write(ops->opaque, real, buf, len);
    }
    return ops->read && ops->read(ops->opaque, real, buf, len);
}

/*
 * RETR_ATTEST: the ARCB, measurement and additional data are in guest
 * storage at guest real addresses.  Returns the rc (the attestation rc
 * values are their own, se-attest.h); [U] the order of the checks.
 */
static uint16_t guest_attest(SeUv *uv, bool secure, uint8_t *cb,
                             size_t len, const SeUvGuestOps *ops,
                             uint16_t *rrc)
{
    uint8_t hdr[SE_ARCB_HDR_SIZE];
    g_autofree uint8_t *arcb = NULL;
    SeAttestResult res;
    const SeHostKey *keys[2] = { &uv->primary,
                                 uv->has_backup ? &uv->backup : NULL };
    SeAttestCall call = { 0 };
    uint64_t arcb_addr;
    uint32_t rql;
    uint16_t rc;

    *rrc = 0;
    if (len < ATT_LEN) {
        return uv_ret(rrc, SE_UV_E_LEN);
    }
    if (!secure) {
        return uv_ret(rrc, SE_UV_E_NOT_SECURE);
    }
    if (uv->state != SE_UV_CONF_VERIFIED) {
        return uv_ret(rrc, SE_UV_E_STATE);
    }
    if (cc_get_be64(cb + ATT_OFF_TOKEN)) {
        return SE_ATT_RC_TOKEN;
    }
    call.user_len = cc_get_be(cb + ATT_OFF_USER_LEN, 2);
    call.user = cb + ATT_OFF_USER;
    call.meas_len = cc_get_be(cb + ATT_OFF_MEAS_LEN, 4);
    call.add_len = cc_get_be(cb + ATT_OFF_ADD_LEN, 4);
    if (call.user_len > SE_ATT_USER_MAX) {
        return SE_ATT_RC_USER_LEN;
    }
    arcb_addr = cc_get_be64(cb + ATT_OFF_ARCB);
    if (!guest_rw(ops, arcb_addr, hdr, sizeof(hdr), false)) {
        return SE_ATT_RC_ARCB_ACCESS;
    }
    rc = se_arcb_length(hdr, sizeof(hdr), &rql);
    if (rc != SE_ATT_RC_OK) {
        return rc;
    }
    arcb = g_malloc(rql);
    if (!guest_rw(ops, arcb_addr, arcb, rql, false)) {
        return SE_ATT_RC_ARCB_ACCESS;
    }
    call.arcb = arcb;
    call.arcb_len = rql;
    se_secret_store_hash(uv->store, uv->att.secret_hash);
    rc = se_attest(&call, keys, G_N_ELEMENTS(keys), &uv->att, &res);
    if (rc != SE_ATT_RC_OK) {
        return rc;
    }
    if (!guest_rw(ops, cc_get_be64(cb + ATT_OFF_MEAS), res.meas,
                  SE_ATT_MEAS_SIZE, true)) {
        rc = SE_ATT_RC_MEAS_ACCESS;
    } else if (res.add_len &&
               !guest_rw(ops, cc_get_be64(cb + ATT_OFF_ADD), res.add,
                         res.add_len, true)) {
        rc = SE_ATT_RC_ADD_ACCESS;
    } else {
        memcpy(cb + ATT_OFF_CUID, uv->att.cuid, SE_ATT_CUID_SIZE);
        cc_put_be32(cb + ATT_OFF_ADD_LEN, res.add_len);
    }
    cc_wipe(&res, sizeof(res));
    return rc;
}

/*
 * The secret calls' control blocks (Linux arch/s390/include/asm/uv.h
 * uv_cb_guest_addr, uv_cb_list_secrets, uv_cb_retr_secr, uv_cb_nodata).
 */
#define SECRET_CB_LEN           0x48
#define SECRET_OFF_ADDR         0x20    /* ASRCB, list page, buffer */
#define LIST_OFF_START          0x1e
#define RETR_OFF_IDX            0x18
#define RETR_OFF_SIZE           0x1c
#define LOCK_CB_LEN             0x40

/* Who may use the secret store: the secure guest once it runs */
static uint16_t secret_caller(SeUv *uv, bool secure, size_t len,
                              size_t need, uint16_t *rrc)
{
    if (len < need) {
        return uv_ret(rrc, SE_UV_E_LEN);
    }
    if (!secure) {
        return uv_ret(rrc, SE_UV_E_NOT_SECURE);
    }
    if (uv->state != SE_UV_CONF_VERIFIED) {
        return uv_ret(rrc, SE_UV_E_STATE);
    }
    return UVC_RC_EXECUTED;
}

/* ADD_SECRET: the ASRCB is in guest storage at a guest real address */
static uint16_t guest_add_secret(SeUv *uv, bool secure, uint8_t *cb,
                                 size_t len, const SeUvGuestOps *ops,
                                 uint16_t *rrc)
{
    const SeHostKey *keys[2] = { &uv->primary,
                                 uv->has_backup ? &uv->backup : NULL };
    uint16_t rc = secret_caller(uv, secure, len, SECRET_CB_LEN, rrc);
    uint8_t hdr[SE_REQ_HDR_SIZE];
    g_autofree uint8_t *asrcb = NULL;
    uint64_t addr;
    uint32_t rql;

    if (rc != UVC_RC_EXECUTED) {
        return rc;
    }
    /* only now: the block may be shorter than SECRET_CB_LEN */
    addr = cc_get_be64(cb + SECRET_OFF_ADDR);
    if (!guest_rw(ops, addr, hdr, sizeof(hdr), false)) {
        return SE_SECRET_RC_ACCESS;
    }
    rc = se_asrcb_length(hdr, sizeof(hdr), &rql);
    if (rc != SE_SECRET_RC_OK) {
        return rc;
    }
    asrcb = g_malloc(rql);
    if (!guest_rw(ops, addr, asrcb, rql, false)) {
        return SE_SECRET_RC_ACCESS;
    }
    return se_secret_add(uv->store, asrcb, rql, keys, G_N_ELEMENTS(keys));
}

/* [U] a list page the UV cannot store gets rc 0x0102, as for Retrieve */
static uint16_t guest_list_secrets(SeUv *uv, bool secure, uint8_t *cb,
                                   size_t len, const SeUvGuestOps *ops,
                                   uint16_t *rrc)
{
    uint16_t rc = secret_caller(uv, secure, len, SECRET_CB_LEN, rrc);
    g_autofree uint8_t *page = NULL;

    if (rc != UVC_RC_EXECUTED) {
        return rc;
    }
    page = g_malloc(SE_SECRET_LIST_SIZE);
    rc = se_secret_list(uv->store, cc_get_be(cb + LIST_OFF_START, 2), page);
    if (!guest_rw(ops, cc_get_be64(cb + SECRET_OFF_ADDR), page,
                  SE_SECRET_LIST_SIZE, true)) {
        return SE_SECRET_RC_RETR_ACCESS;
    }
    return rc;
}

static uint16_t guest_retr_secret(SeUv *uv, bool secure, uint8_t *cb,
                                  size_t len, const SeUvGuestOps *ops,
                                  uint16_t *rrc)
{
    uint16_t rc = secret_caller(uv, secure, len, SECRET_CB_LEN, rrc);
    g_autofree uint8_t *buf = NULL;
    uint32_t size, n;

    if (rc != UVC_RC_EXECUTED) {
        return rc;
    }
    size = MIN(cc_get_be(cb + RETR_OFF_SIZE, 4), SE_SECRET_PLAIN_MAX);
    buf = g_malloc0(size ? size : 1);
    rc = se_secret_retrieve(uv->store, cc_get_be(cb + RETR_OFF_IDX, 2), buf,
                            size, &n);
    if (rc == SE_SECRET_RC_OK &&
        !guest_rw(ops, cc_get_be64(cb + SECRET_OFF_ADDR), buf, n, true)) {
        rc = SE_SECRET_RC_RETR_ACCESS;
    }
    cc_wipe(buf, size);
    return rc;
}

static uint16_t guest_secret_call(SeUv *uv, bool secure, uint16_t cmd,
                                  uint8_t *cb, size_t len,
                                  const SeUvGuestOps *ops, uint16_t *rrc)
{
    uint16_t rc;

    *rrc = 0;
    switch (cmd) {
    case UVC_CMD_ADD_SECRET:
        return guest_add_secret(uv, secure, cb, len, ops, rrc);
    case UVC_CMD_LIST_SECRETS:
        return guest_list_secrets(uv, secure, cb, len, ops, rrc);
    case UVC_CMD_LOCK_SECRETS:
        rc = secret_caller(uv, secure, len, LOCK_CB_LEN, rrc);
        return rc == UVC_RC_EXECUTED ? se_secret_lock(uv->store) : rc;
    default:
        return guest_retr_secret(uv, secure, cb, len, ops, rrc);
    }
}

/*
 * Order of checks: the generic length checks, then the command code,
 * then the command's own minimum length, then its state and fields.
 */
int se_uv_guest_call(SeUv *uv, bool secure_guest, uint8_t *cb, size_t avail,
                     const SeUvGuestOps *ops)
{
    uint16_t len, cmd, rc, rrc;
    SeUvErr e;
    CCBuf b;

    if (avail < UVC_HDR_SIZE) {
        /* not even a header to report in: the block is left untouched */
        return UVC_CC_ERROR;
    }
    avail = MIN(avail, UVC_CB_MAX_SIZE);
    cc_buf_init(&b, cb, avail);
    len = cc_buf_be16(&b);
    cmd = cc_buf_be16(&b);
    if (len < UVC_HDR_SIZE || len > UVC_CB_MAX_SIZE || len > avail) {
        e = SE_UV_E_LEN;
    } else if (cmd == UVC_CMD_QUI) {
        e = guest_qui(uv, secure_guest, cb, len);
    } else if (cmd == UVC_CMD_SET_SHARED_ACCESS) {
        e = guest_share(uv, secure_guest, cb, len, ops, true);
    } else if (cmd == UVC_CMD_REMOVE_SHARED_ACCESS) {
        e = guest_share(uv, secure_guest, cb, len, ops, false);
    } else if (cmd == UVC_CMD_RETR_ATTEST || cmd == UVC_CMD_ADD_SECRET ||
               cmd == UVC_CMD_LIST_SECRETS || cmd == UVC_CMD_LOCK_SECRETS ||
               cmd == UVC_CMD_RETR_SECRET) {
        rc = cmd == UVC_CMD_RETR_ATTEST ?
             guest_attest(uv, secure_guest, cb, len, ops, &rrc) :
             guest_secret_call(uv, secure_guest, cmd, cb, len, ops, &rrc);
        put_be(cb, UVC_HDR_SIZE, 4, rc, 2);
        put_be(cb, UVC_HDR_SIZE, 6, rrc, 2);
        /* [I] "more data" from List Secrets: cc 1, as for QUI */
        return rc == UVC_RC_EXECUTED ? UVC_CC_OK : UVC_CC_ERROR;
    } else {
        e = SE_UV_E_CMD;
    }
    put_be(cb, UVC_HDR_SIZE, 4, se_uv_rcs[e].rc, 2);
    put_be(cb, UVC_HDR_SIZE, 6, se_uv_rcs[e].rrc, 2);
    return e == SE_UV_OK ? UVC_CC_OK : UVC_CC_ERROR;
}
