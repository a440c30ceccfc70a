/*
 * The built-in POWER ultravisor's state, shared by the files of its core
 * (include/hw/ppc/ultravisor/uv-pef.h is the interface):
 *
 *   uv-pef.c          ucall table and handlers, life cycle, info
 *   uv-pef-svm.c      secure partitions: memory slots and page states
 *   uv-pef-pool.c     the pool of secure 64 KiB pages
 *   uv-pef-patb.c     the partition table
 *   uv-pef-crypt.c    page-out encryption (AES-GCM, GnuTLS)
 *   uv-pef-log.c      the message log (memcons)
 *
 * Part of the qemu-ibm-cc pure core: GLib and GnuTLS only, no QEMU API
 * beyond what tests/core/shim provides outside QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_INTERNAL_H
#define HW_PPC_ULTRAVISOR_UV_PEF_INTERNAL_H

#include "hw/ppc/ultravisor/uv-pef.h"

/* ---- return codes: the one place for every choice ---- */

/*
 * [V] = what open-power/ultravisor does (file named); [I] = inferred or
 * filled in where that code is silent or would crash; [U] = our choice,
 * uncertain.  Parameter numbers follow the UV's usage: r4 = P1, r5 = P2,
 * r6 = P3, r7 = P4, r8 = P5 (PAGE_IN's hv_page in r5 gives U_P2).
 */
/*
 * RC_CALLER      caller not in the state the call needs [V]
 *                (uvcall.c syscall_ultracall)
 * RC_UNKNOWN     unknown opcode [V]
 * RC_NOT_YET     ESM, ESMB_GET_FILE, SEND_SBE_COMMAND for now [I]
 * RC_PATE_LPID   WRITE_PATE lpid >= UV_PEF_MAX_LPID [I] (the UV indexes
 *                its table unchecked)
 * RC_PATE_WRITE  WRITE_PATE, table not writable [I] (the UV's only
 *                WRITE_PATE failure code)
 * RC_PATE_SECURE_DW0 / _DW1  WRITE_PATE of a normal partition whose dw0
 *                tables (or, for LPID 0, dw1's process table) overlap
 *                secure memory [U] (open-power/ultravisor stores them, and
 *                the hardware walk then fails; we refuse up front, naming
 *                the parameter: dw0 = P2, dw1 = P3)
 * RC_SPR         RESTRICTED_SPR_* SPR not allowed [V]
 * RC_SPR_FAIL    the host refused the SPR access [I]
 * RC_SCOM_PARTID partid >> 28 != 0 [V] (xscom.c _xscom_read); a chip
 *                other than 0 without scom_*_chip ops [I]
 * RC_SCOM_FAIL   the XSCOM access failed [I] (xscom_handle_error's
 *                default, U_HARDWARE)
 * RC_NO_SVM      no SVM with that lpid [V] (handle_page_in/out/inval);
 *                for (UN)REGISTER_MEM_SLOT [I] (the UV dereferences NULL)
 * RC_SLOT        REGISTER_MEM_SLOT gpa unaligned, end overflows, slotid
 *                >= 512, overlap [V] (create_memslot); size 0, slotid
 *                already registered [I]
 * RC_SLOT_UNKNOWN UNREGISTER_MEM_SLOT of an unknown slotid [I]
 *                (free_memslot does not check)
 * RC_INOUT_SHIFT PAGE_IN/PAGE_OUT shift != 16 [V]
 * RC_INVAL_SHIFT PAGE_INVAL shift != 16 [V]
 * RC_HV_PAGE     hypervisor page 0 or secure [V] (svm_valid_hv_address);
 *                unaligned or not backed by memory [I]
 * RC_GPA         gpa in no slot [V] (svm_valid_address); unaligned [I]
 * RC_PAGE_IN_FLAGS PAGE_IN flags other than 0 / H_PAGE_IN_SHARED [U]
 *                (the UV ignores unknown flags)
 * RC_PAGE_IN_PRESENT PAGE_IN of a present page once the SVM is secure [V]
 * RC_PAGE_IN_AUTH PAGE_IN of a paged-out page whose GCM tag fails [I]
 *                (__handle_page_in returns U_P3 on a decrypt failure)
 * RC_NO_MEM      secure pool or per-SVM tracking full, no entropy [I]
 *                (U_RETRY = "no resources", uapi_uvcall.h)
 * RC_PAGE_OUT_STATE PAGE_OUT of a page not secure and present [V]
 * RC_PAGE_OUT_DST PAGE_OUT destination not writable [I]
 * RC_INVAL_STATE PAGE_INVAL of a page that is not shared [V]
 * RC_TERMINATE   SVM_TERMINATE of an unknown lpid [U] (the UV returns
 *                U_SUCCESS)
 * RC_SHARE_RANGE (UN)SHARE_PAGE range not inside the slots [V]; npages 0
 *                or above UV_PEF_MAX_SHARE_PAGES [I]
 * RC_SHARE_NO_SVM (UN)SHARE* from a partition that is no SVM [I]
 *                (ctx_new_context_svm finds no state: U_FUNCTION)
 * RC_MEM_ARG     READ/WRITE_MEM buffer or size 0 [V]
 * RC_MEM_WL      READ/WRITE_MEM resource not white-listed [V]; the list
 *                ("ibm,uvbwlist") is empty on this machine [I]
 * RC_RETURN      RETURN with no reflected call pending [U] (the UV
 *                asserts)
 * RC_SVM_LPID    uv_pef_svm_create lpid 0 or too big [I]
 * RC_SVM_EXISTS  uv_pef_svm_create of an existing SVM [V] (create_svm;
 *                the value is [U], see U_BUSY in the header)
 */
#define RC_CALLER               U_PERMISSION
#define RC_UNKNOWN              U_FUNCTION
#define RC_NOT_YET              U_FUNCTION
#define RC_PATE_LPID            U_PARAMETER
#define RC_PATE_WRITE           U_PERMISSION
#define RC_PATE_SECURE_DW0      U_P2
#define RC_PATE_SECURE_DW1      U_P3
#define RC_SPR                  U_PARAMETER
#define RC_SPR_FAIL             U_PARAMETER
#define RC_SCOM_PARTID          U_PARAMETER
#define RC_SCOM_FAIL            U_HARDWARE
#define RC_NO_SVM               U_PARAMETER
#define RC_SLOT                 U_PARAMETER
#define RC_SLOT_UNKNOWN         U_PARAMETER
#define RC_INOUT_SHIFT          U_P5
#define RC_INVAL_SHIFT          U_P3
#define RC_HV_PAGE              U_P2
#define RC_GPA                  U_P3
#define RC_PAGE_IN_FLAGS        U_P4
#define RC_PAGE_IN_PRESENT      U_P2
#define RC_PAGE_IN_AUTH         U_P3
#define RC_NO_MEM               U_RETRY
#define RC_PAGE_OUT_STATE       U_PARAMETER
#define RC_PAGE_OUT_DST         U_P2
#define RC_INVAL_STATE          U_P2
#define RC_TERMINATE            U_PARAMETER
#define RC_SHARE_RANGE          U_P2
#define RC_SHARE_NO_SVM         U_FUNCTION
#define RC_MEM_ARG              U_PARAMETER
#define RC_MEM_WL               U_PERMISSION
#define RC_RETURN               U_STATE
#define RC_SVM_LPID             U_PARAMETER
#define RC_SVM_EXISTS           U_BUSY

#define PAGE_SIZE               UV_PEF_PAGE_SIZE
#define GCM_IV_LEN              12
#define GCM_IV_FIXED            4
#define GCM_TAG_LEN             16
#define GCM_KEY_LEN             16

typedef enum UvPefPageState {
    PG_SECURE = 1,      /* in a secure page of the pool */
    PG_PAGEDOUT,        /* encrypted in normal memory, iv/tag kept here */
    PG_SHARED,          /* shared with the hypervisor */
    PG_SHARED_INV,      /* shared, invalidated by the hypervisor */
} UvPefPageState;

/* A gpa with a state; gpas of a slot without one are "not present". */
typedef struct UvPefPage {
    uint64_t gfn;                   /* hash key */
    uint8_t state;
    uint32_t spage;                 /* pool index (PG_SECURE) */
    uint8_t iv[GCM_IV_LEN];         /* PG_PAGEDOUT */
    uint8_t tag[GCM_TAG_LEN];
} UvPefPage;

typedef struct UvPefSvm {
    uint64_t lpid;
    bool secure;                    /* ESM done (a later step) */
    GArray *slots;                  /* UvPefSlotInfo */
    GHashTable *pages;              /* &UvPefPage.gfn -> UvPefPage */
    uint64_t n_secure;
    uint64_t n_shared;
    bool have_key;
    uint8_t key[GCM_KEY_LEN];       /* AES-128, page-out encryption */
    uint8_t iv_fixed[GCM_IV_FIXED];
    uint64_t iv_counter;
} UvPefSvm;

struct UvPef {
    UvPefConfig cfg;
    char *version;
    UvPefHostOps ops;
    void *opaque;

    /* uv-pef-pool.c */
    uint64_t pool_ra;
    uint32_t pool_pages;
    uint32_t pool_used;
    uint32_t pool_hint;
    uint64_t *pool_map;             /* bit set = page in use */

    /* uv-pef-patb.c */
    uint64_t patb_ra;
    uint8_t *patb;                  /* shadow of the partition table */
    uint64_t n_pates;               /* its non-zero entries */

    /* uv-pef-svm.c */
    UvPefSvm *svms[UV_PEF_MAX_LPID];
    uint32_t n_svms;

    uint64_t ucalls;

    /* uv-pef-log.c */
    bool log_ready;
    uint32_t log_pos;
    bool log_wrapped;

    uint8_t *buf_a;                 /* page-sized scratch buffers */
    uint8_t *buf_b;
    uint8_t *zero;                  /* a page of zeros */
};

/* uv-pef-pool.c */
void pool_init(UvPef *uv);
void pool_reset(UvPef *uv);
void pool_fini(UvPef *uv);
uint64_t pool_page_ra(const UvPef *uv, uint32_t idx);
/* A free pool page, marked used, or -1. */
int64_t pool_alloc(UvPef *uv);
/* Give a pool page back; @scrub zeroes it first (no data left behind). */
void pool_free(UvPef *uv, uint32_t idx, bool scrub);

/* uv-pef-patb.c */
void patb_init(UvPef *uv);
void patb_reset(UvPef *uv);
void patb_fini(UvPef *uv);
uint64_t patb_dw0(const UvPef *uv, uint64_t lpid);
/* Store entry @lpid; @cpu is the calling thread (NULL at reset). */
bool pate_store(UvPef *uv, void *cpu, uint64_t lpid, uint64_t dw0,
                uint64_t dw1);

/* uv-pef-svm.c */
UvPefSvm *get_svm(UvPef *uv, uint64_t lpid);
void svm_destroy(UvPef *uv, uint64_t lpid);
void svm_drop_all(UvPef *uv);
void svm_free_all_state(UvPef *uv);
/* Drop a page's state: free its secure page, count it out. */
void page_release(UvPef *uv, UvPefSvm *svm, UvPefPage *pg);
UvPefPage *page_get(UvPefSvm *svm, uint64_t gfn);
/* A new (stateless) entry for @gfn, or NULL if the SVM tracks too many. */
UvPefPage *page_new(UvPefSvm *svm, uint64_t gfn);
void page_remove(UvPef *uv, UvPefSvm *svm, UvPefPage *pg);
void page_set_shared(UvPefSvm *svm, UvPefPage *pg, uint8_t state);
/* The slot that holds @gfn, or NULL. */
UvPefSlotInfo *slot_of(UvPefSvm *svm, uint64_t gfn);
/* A page-aligned gpa inside a slot. */
bool gpa_ok(UvPefSvm *svm, uint64_t gpa);

/* uv-pef-crypt.c */
/* The next (key, IV) of @svm's page-out encryption; false: no entropy. */
bool svm_next_iv(UvPefSvm *svm, uint8_t iv[GCM_IV_LEN]);
/* @in -> @out, the tag into @pg; @pg->iv is the IV. */
bool page_encrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                  uint8_t *out);
/* False (and @out zeroed) if @in fails authentication. */
bool page_decrypt(UvPefSvm *svm, UvPefPage *pg, const uint8_t *in,
                  uint8_t *out);

/* uv-pef-log.c */
void log_init(UvPef *uv);

#endif /* HW_PPC_ULTRAVISOR_UV_PEF_INTERNAL_H */
