/*
 * IBM Z Secure Execution protected dump: the data the ultravisor's dump
 * calls produce, and the reader's side that decrypts them with the
 * customer communication key (CCK).
 *
 * Formats (s390-tools zdump/pv_defs.h and zdump/pv_utils.c, which decrypt
 * them; QEMU target/s390x/arch_dump.c, which writes them into an ELF dump;
 * Linux arch/s390/include/asm/uv.h and arch/s390/kvm/pv.c, the calls):
 *
 * - Dump key: HKDF-SHA512(IKM = CCK, salt = the 64-byte seed, info
 *   "IBM Z Ultravisor Dump"), 32 bytes.
 * - Completion data (DUMP_COMPLETE, 288 bytes, section "pv_compl"):
 *   AAD {version u32 = 1, len u32 = 288, res u64, seed[64], iv[12],
 *   res u32}, then under AES-256-GCM with the dump key and iv:
 *   {tweak nonce[16], AES-256-XTS key[64], res[96]}, tag[16].
 * - CPU data (DUMP_CPU, 1568 bytes, note NT_S390_PV_CPU_DATA): AAD
 *   {version u32 = 1, len u32 = 1568, iv[12], res[12]}, 1520 encrypted
 *   bytes (SE_DUMP_CPU_OFF_*), tag[16].
 * - Storage state (DUMP_CONF_STOR_STATE, section "pv_mem_meta"): one
 *   16-byte tweak component per 4 KiB page, 4096 bytes per 1 MiB.  A
 *   component whose first 4 bytes are 0xffffffff is special: byte 15 says
 *   zero (0x01), shared (0x02) and/or mapped (0x04) page, stored in the
 *   clear (shared) or not at all (zero).  Any other component means the
 *   page in the dump is AES-256-XTS encrypted with the completion data's
 *   key and the tweak (component | nonce), bytewise.
 *
 * Which tweak components, nonces and IVs the real ultravisor uses is not
 * public; ours are marked [U] in se-dump.c.
 *
 * Part of the qemu-ibm-cc pure core (GLib and the crypto libraries).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_S390X_SE_DUMP_H
#define HW_S390X_SE_DUMP_H

#include "hw/s390x/se/se-hdr.h"

#define SE_DUMP_PAGE_SIZE       4096
#define SE_DUMP_CCK_SIZE        32
#define SE_DUMP_KEY_SIZE        32
#define SE_DUMP_SEED_SIZE       64
#define SE_DUMP_XTS_KEY_SIZE    64
#define SE_DUMP_TWEAK_SIZE      16
#define SE_DUMP_VERSION         1

/* Bytes DUMP_CONF_STOR_STATE writes per 1 MiB of guest storage */
#define SE_DUMP_STOR_BLOCK      0x100000
#define SE_DUMP_STOR_STATE_LEN  (SE_DUMP_STOR_BLOCK / SE_DUMP_PAGE_SIZE * \
                                 SE_DUMP_TWEAK_SIZE)
#define SE_DUMP_CPU_LEN         1568
#define SE_DUMP_COMPL_LEN       288

/* Offsets in the CPU data's encrypted area (1520 bytes) */
#define SE_DUMP_CPU_AAD_LEN     32
#define SE_DUMP_CPU_AREA_LEN    1520
#define SE_DUMP_CPU_OFF_GPRS    0
#define SE_DUMP_CPU_OFF_PSW     128
#define SE_DUMP_CPU_OFF_PREFIX  152
#define SE_DUMP_CPU_OFF_FPC     156
#define SE_DUMP_CPU_OFF_TODPR   164
#define SE_DUMP_CPU_OFF_TIMER   168
#define SE_DUMP_CPU_OFF_TODCMP  176
#define SE_DUMP_CPU_OFF_ACRS    192
#define SE_DUMP_CPU_OFF_CRS     256
#define SE_DUMP_CPU_OFF_VRS     384     /* 32 x 16 bytes */
#define SE_DUMP_CPU_OFF_GSCB    1408    /* reserved, gsd, gssm, gs_epl_a */
#define SE_DUMP_CPU_OFF_FLAGS   1504

/* Page states of a tweak component */
typedef enum SeDumpPage {
    SE_DUMP_PAGE_INVALID,
    SE_DUMP_PAGE_ENCRYPTED,
    SE_DUMP_PAGE_SHARED,        /* stored in the clear */
    SE_DUMP_PAGE_ZERO,          /* not stored: reads as zeros */
} SeDumpPage;

/* A CPU's state, host byte order */
typedef struct SeDumpCpuState {
    uint64_t gprs[16];
    uint64_t psw_mask, psw_addr;
    uint32_t prefix, fpc, todpr;
    uint64_t timer, todcmp;
    uint32_t acrs[16];
    uint64_t crs[16];
    uint64_t vrs[32][2];        /* [0]: bits 0-63 (the FPR), [1]: 64-127 */
    uint64_t gscb[4];           /* reserved (0), gsd, gssm, gs_epl_a */
    uint16_t flags;
} SeDumpCpuState;

/* ---- the ultravisor's side ---- */

/* The state of one dump, from DUMP_INIT to DUMP_COMPLETE */
typedef struct SeDump SeDump;

/* Start a dump whose data the owner of @cck can decrypt. */
SeDump *se_dump_new(const uint8_t cck[SE_DUMP_CCK_SIZE]);
/* Wipes the keys */
void se_dump_free(SeDump *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SeDump, se_dump_free)

/*
 * The tweak component of the page at @gaddr: encrypted or, if @shared, a
 * shared page; @absent: no storage there (a zero page).
 */
void se_dump_component(const SeDump *d, uint64_t gaddr, bool shared,
                       bool absent, uint8_t comp[SE_DUMP_TWEAK_SIZE]);
/* Encrypt the page at @gaddr (SE_DUMP_PAGE_SIZE bytes @in to @out) */
void se_dump_encrypt_page(SeDump *d, uint64_t gaddr, const uint8_t *in,
                          uint8_t *out);
/* A CPU's SE_DUMP_CPU_LEN bytes */
void se_dump_cpu(SeDump *d, const SeDumpCpuState *st, uint8_t *out);
/* The SE_DUMP_COMPL_LEN bytes of completion data */
void se_dump_complete(SeDump *d, uint8_t *out);

/* ---- the reader's side (tools/se-dump, tests) ---- */

#define SE_DUMP_ERROR se_dump_error_quark()
GQuark se_dump_error_quark(void);

/* What the completion data gives its reader */
typedef struct SeDumpKeys {
    uint8_t dump_key[SE_DUMP_KEY_SIZE];
    uint8_t nonce[SE_DUMP_TWEAK_SIZE];
    uint8_t xts_key[SE_DUMP_XTS_KEY_SIZE];
} SeDumpKeys;

/* The dump key for @seed */
void se_dump_derive_key(const uint8_t cck[SE_DUMP_CCK_SIZE],
                        const uint8_t seed[SE_DUMP_SEED_SIZE],
                        uint8_t key[SE_DUMP_KEY_SIZE]);

/*
 * Check and decrypt the completion data (@len bytes, at least
 * SE_DUMP_COMPL_LEN) with @cck.  False with @errp set for another
 * version or length, or a wrong key / altered data (the GCM tag).
 */
bool se_dump_open_completion(const uint8_t *data, size_t len,
                             const uint8_t cck[SE_DUMP_CCK_SIZE],
                             SeDumpKeys *keys, GError **errp);
/* Check and decrypt one CPU's data (@len bytes) */
bool se_dump_open_cpu(const SeDumpKeys *keys, const uint8_t *data,
                      size_t len, SeDumpCpuState *st, GError **errp);

SeDumpPage se_dump_page_state(const uint8_t comp[SE_DUMP_TWEAK_SIZE]);

/*
 * The plaintext of one dumped page: decrypted, copied (shared) or zeros.
 * False for an invalid component.
 */
bool se_dump_read_page(const SeDumpKeys *keys,
                       const uint8_t comp[SE_DUMP_TWEAK_SIZE],
                       const uint8_t *in, uint8_t *out);

void se_dump_keys_wipe(SeDumpKeys *keys);

#endif
