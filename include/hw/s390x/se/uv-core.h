/*
 * The emulated IBM Z ultravisor: state machine and Ultravisor Call (UVC)
 * control-block handling, independent of QEMU.
 *
 * One SeUv instance belongs to one machine.  It holds at most one secure
 * configuration (the machine's guest) with its secure CPUs, the SE-header
 * secrets, the unpack state, and which guest pages are shared with the
 * host.  QEMU's glue (hw/s390x/se/pv-boot.c) calls the host-level
 * functions where KVM would issue its PV ioctls, and passes the guest's UVC
 * control blocks to se_uv_guest_call().
 *
 * Callers serialise all calls (in QEMU: the BQL), except
 * se_uv_host_access_ok(), which may run in any thread at any time.
 *
 * Every function returns the UV return code (rc) and sets *rrc, as a real
 * ultravisor reports them in the control-block header; UVC_RC_EXECUTED (1)
 * means success.
 *
 * Part of the qemu-ibm-cc pure core (GLib + nettle only).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_UV_CORE_H
#define HW_S390X_SE_UV_CORE_H

#include "hw/s390x/se/se-dump.h"
#include "hw/s390x/se/se-hdr.h"

#define SE_UV_PAGE_SIZE             4096

/* UVC command codes */
#define UVC_CMD_QUI                 0x0001
#define UVC_CMD_QUERY_KEYS          0x0002
#define UVC_CMD_INIT_UV             0x000f
#define UVC_CMD_CREATE_SEC_CONF     0x0100
#define UVC_CMD_DESTROY_SEC_CONF    0x0101
#define UVC_CMD_DESTROY_SEC_CONF_FAST 0x0102
#define UVC_CMD_CREATE_SEC_CPU      0x0120
#define UVC_CMD_DESTROY_SEC_CPU     0x0121
#define UVC_CMD_CONV_TO_SEC_STOR    0x0200
#define UVC_CMD_CONV_FROM_SEC_STOR  0x0201
#define UVC_CMD_DESTR_SEC_STOR      0x0202
#define UVC_CMD_SET_SEC_CONF_PARAMS 0x0300
#define UVC_CMD_UNPACK_IMG          0x0301
#define UVC_CMD_VERIFY_IMG          0x0302
#define UVC_CMD_CPU_RESET           0x0310
#define UVC_CMD_CPU_RESET_INITIAL   0x0311
#define UVC_CMD_PREPARE_RESET       0x0320
#define UVC_CMD_CPU_RESET_CLEAR     0x0321
#define UVC_CMD_CPU_SET_STATE       0x0330
#define UVC_CMD_SET_UNSHARE_ALL     0x0340
#define UVC_CMD_PIN_PAGE_SHARED     0x0341
#define UVC_CMD_UNPIN_PAGE_SHARED   0x0342
#define UVC_CMD_DUMP_INIT           0x0400
#define UVC_CMD_DUMP_CONF_STOR_STATE 0x0401
#define UVC_CMD_DUMP_CPU            0x0402
#define UVC_CMD_DUMP_COMPLETE       0x0403
#define UVC_CMD_SET_SHARED_ACCESS   0x1000
#define UVC_CMD_REMOVE_SHARED_ACCESS 0x1001
#define UVC_CMD_RETR_ATTEST         0x1020
#define UVC_CMD_ADD_SECRET          0x1031
#define UVC_CMD_LIST_SECRETS        0x1033
#define UVC_CMD_LOCK_SECRETS        0x1034
#define UVC_CMD_RETR_SECRET         0x1035

/* UVC return codes */
#define UVC_RC_EXECUTED             0x0001
#define UVC_RC_INV_CMD              0x0002
#define UVC_RC_INV_STATE            0x0003
#define UVC_RC_INV_LEN              0x0005
#define UVC_RC_NO_RESUME            0x0007
#define UVC_RC_MORE_DATA            0x0100
#define UVC_RC_NEED_DESTROY         0x8000

/* UVC condition codes */
#define UVC_CC_OK                   0
#define UVC_CC_ERROR                1
#define UVC_CC_BUSY                 2
#define UVC_CC_PARTIAL              3

/* Control-block header: {u16 len, u16 cmd, u16 rc, u16 rrc}, 8-aligned */
#define UVC_HDR_SIZE                8
/* Largest control block the UV reads; longer lengths are invalid */
#define UVC_CB_MAX_SIZE             0x1000

/* CPU states for se_uv_cpu_set_state (cpu-set-state values) */
#define SE_UV_CPU_STATE_OPR         1
#define SE_UV_CPU_STATE_STP         2
#define SE_UV_CPU_STATE_CHKSTP      3
#define SE_UV_CPU_STATE_OPR_LOAD    5

typedef struct SeUv SeUv;

/* Where the configuration is in its life. */
typedef enum SeUvConfState {
    SE_UV_CONF_NONE,            /* no secure configuration */
    SE_UV_CONF_CREATED,         /* created, no SE header yet */
    SE_UV_CONF_HDR_SET,         /* header accepted, unpacking */
    SE_UV_CONF_VERIFIED,        /* image verified: the guest may run */
} SeUvConfState;

/*
 * Create the ultravisor of a machine with @mem_size bytes of guest
 * absolute storage and up to @max_cpus CPUs.  @primary is the machine's
 * host key; @backup may be NULL.  The keys are copied.
 */
SeUv *se_uv_new(uint64_t mem_size, unsigned max_cpus,
                const SeHostKey *primary, const SeHostKey *backup);
void se_uv_free(SeUv *uv);

SeUvConfState se_uv_conf_state(const SeUv *uv);

/* True once a secure configuration exists (created, not destroyed). */
bool se_uv_protected(const SeUv *uv);

/* --- host-level commands (what KVM's PV ioctls would do) --- */

/* CREATE_SEC_CONF: returns the configuration handle in *handle. */
uint16_t se_uv_create_conf(SeUv *uv, uint64_t *handle, uint16_t *rrc);
/* DESTROY_SEC_CONF: secure storage is cleared (zeroed) by the caller. */
uint16_t se_uv_destroy_conf(SeUv *uv, uint64_t handle, uint16_t *rrc);

uint16_t se_uv_create_cpu(SeUv *uv, uint64_t conf, unsigned cpu_id,
                          uint64_t *cpu_handle, uint16_t *rrc);
uint16_t se_uv_destroy_cpu(SeUv *uv, uint64_t cpu_handle, uint16_t *rrc);
uint16_t se_uv_cpu_set_state(SeUv *uv, uint64_t cpu_handle, uint8_t state,
                             uint16_t *rrc);
/* cmd is UVC_CMD_CPU_RESET, _CPU_RESET_INITIAL or _CPU_RESET_CLEAR */
uint16_t se_uv_cpu_reset(SeUv *uv, uint64_t cpu_handle, uint16_t cmd,
                         uint16_t *rrc);
/*
 * Added by the core: the state last set for a secure CPU
 * (SE_UV_CPU_STATE_*; STP after creation), or -1 for a bad handle.
 */
int se_uv_cpu_state(const SeUv *uv, uint64_t cpu_handle);

/*
 * SET_SEC_CONF_PARAMS: parse the SE header (@len bytes, a host copy),
 * unwrap it with the machine's host keys, and keep its secrets.  On
 * failure *err (may be NULL) says which check failed; a failure that is
 * not a header check (handle, state) has err->id == SE_CHECK__MAX.
 */
uint16_t se_uv_set_params(SeUv *uv, uint64_t conf, const uint8_t *hdr,
                          size_t len, uint16_t *rrc, SeError *err);

/*
 * UNPACK_IMG of one page: decrypt @page (SE_UV_PAGE_SIZE bytes, in place)
 * that the image holds at guest absolute address @gaddr, with tweak
 * {@tweak0, @tweak1}; the digests are updated.
 */
uint16_t se_uv_unpack(SeUv *uv, uint64_t conf, uint64_t gaddr,
                      uint64_t tweak0, uint64_t tweak1, uint8_t *page,
                      uint16_t *rrc);

/* VERIFY_IMG: compare page count and PLD/ALD/TLD with the header. */
uint16_t se_uv_verify(SeUv *uv, uint64_t conf, uint16_t *rrc);

/* PREPARE_RESET and SET_UNSHARE_ALL (guest reboot while protected). */
uint16_t se_uv_prepare_reset(SeUv *uv, uint64_t conf, uint16_t *rrc);
uint16_t se_uv_unshare_all(SeUv *uv, uint64_t conf, uint16_t *rrc);

/* The PSW the UV starts the guest with (from the SE header). */
bool se_uv_start_psw(const SeUv *uv, uint64_t *mask, uint64_t *addr);

/* Header plaintext control flags of the running image (0 if none). */
uint64_t se_uv_pcf(const SeUv *uv);

/* --- protected dump (what KVM's KVM_PV_DUMP ioctls would do) --- */

/*
 * May the configuration be dumped now?  If not, *why (may be NULL) says
 * why, for humans.
 */
bool se_uv_dump_allowed(const SeUv *uv, const char **why);
/* Between DUMP_INIT and DUMP_COMPLETE */
bool se_uv_dumping(const SeUv *uv);

/* DUMP_INIT: start a dump of the verified configuration */
uint16_t se_uv_dump_init(SeUv *uv, uint64_t conf, uint16_t *rrc);
/*
 * DUMP_CONF_STOR_STATE of the 1 MiB block at @gaddr: SE_DUMP_STOR_STATE_LEN
 * bytes of tweak components to @out.
 */
uint16_t se_uv_dump_stor_state(SeUv *uv, uint64_t conf, uint64_t gaddr,
                               uint8_t *out, uint16_t *rrc);
/* DUMP_CPU: the secure CPU's state @st, encrypted (SE_DUMP_CPU_LEN bytes) */
uint16_t se_uv_dump_cpu(SeUv *uv, uint64_t cpu_handle,
                        const SeDumpCpuState *st, uint8_t *out,
                        uint16_t *rrc);
/* DUMP_COMPLETE: SE_DUMP_COMPL_LEN bytes of completion data; ends the dump */
uint16_t se_uv_dump_complete(SeUv *uv, uint64_t conf, uint8_t *out,
                             uint16_t *rrc);
/*
 * What the host reads of the page at @gaddr while dumping (the page's
 * SE_UV_PAGE_SIZE bytes @in, to @out): encrypted, unless shared.  The
 * hardware's export of a secure page the host touches.
 */
uint16_t se_uv_dump_export(SeUv *uv, uint64_t gaddr, const uint8_t *in,
                           uint8_t *out, uint16_t *rrc);

/* --- secure storage --- */

/*
 * May the host side (devices, monitor, debugger, dumps) access the
 * absolute page containing @abs?  False for every page of a protected
 * configuration that the guest has not shared.  Safe to call from any
 * thread while other calls run: it reads only atomically published state.
 */
bool se_uv_host_access_ok(const SeUv *uv, uint64_t abs);

/* Number of pages currently shared by the guest (for info/tests). */
uint64_t se_uv_shared_pages(const SeUv *uv);

/* --- guest Ultravisor Calls --- */

typedef struct SeUvGuestOps {
    /*
     * Translate a guest real address to an absolute address (prefixing)
     * and check it lies in guest storage.  False: addressing error.
     */
    bool (*real_to_abs)(void *opaque, uint64_t real, uint64_t *abs);
    void *opaque;
    /*
     * Read or write guest storage at a guest real address, as the
     * ultravisor sees it (secure pages included).  False: access
     * exception.  NULL: every access fails.
     */
    bool (*read)(void *opaque, uint64_t real, void *buf, size_t len);
    bool (*write)(void *opaque, uint64_t real, const void *buf, size_t len);
} SeUvGuestOps;

/*
 * Execute the guest UVC whose control block is @cb (@avail bytes of it
 * were readable at the guest's address; at most UVC_CB_MAX_SIZE).  The
 * header's rc/rrc and any output fields are written into @cb; the caller
 * writes back the first min(len, avail) bytes.  Returns the condition
 * code.  @secure_guest says whether the caller is the protected guest
 * (true after verify) or a normal guest on a machine that offers the UV.
 */
int se_uv_guest_call(SeUv *uv, bool secure_guest, uint8_t *cb, size_t avail,
                     const SeUvGuestOps *ops);

#endif
