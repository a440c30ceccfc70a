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
#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"

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
/*
 * RC_ABORTING    PAGE_IN / PAGE_INVAL while the SVM aborts Enter Secure
 *                Mode [V] (handle_page_in, handle_page_inval)
 * RC_ESM_STATE   UV_ESM from a partition that is already an SVM or is
 *                entering secure mode [I] (create_svm fails)
 * RC_ESM_NO_MEM  UV_ESM with no room to track another SVM, or no entropy
 *                for its cookies [I]
 */
#define RC_ABORTING             U_STATE
#define RC_ESM_STATE            U_STATE
#define RC_ESM_NO_MEM           U_RETRY

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
    PG_HV_SHARING,      /* H_SVM_PAGE_IN(shared) sent, no page yet */
    PG_HV_UNSHARING,    /* H_SVM_PAGE_IN to take it back sent */
} UvPefPageState;

/* A gpa with a state; gpas of a slot without one are "not present". */
typedef struct UvPefPage {
    uint64_t gfn;                   /* hash key */
    uint8_t state;
    uint32_t spage;                 /* pool index (PG_SECURE) */
    uint64_t hv_ra;                 /* PG_SHARED: the hypervisor's page */
    uint8_t iv[GCM_IV_LEN];         /* PG_PAGEDOUT */
    uint8_t tag[GCM_TAG_LEN];
} UvPefPage;

/* ---- Secure VMs under a hypervisor (uv-pef-reflect.c, uv-pef-nest.c) */

/*
 * A Secure VM thread's state while the hypervisor runs on it, found again
 * by its cookie (r31 at UV_RETURN).
 */
typedef enum UvPefFrameKind {
    FRAME_ESM = 1,      /* Enter Secure Mode's hcall; the VM at its sc 2 */
    FRAME_HCALL,        /* the Secure VM's own hcall */
    FRAME_INTR,         /* an interrupt reflected to the hypervisor */
    FRAME_FAULT,        /* H_SVM_PAGE_IN for a page it touched */
    FRAME_SHARE,        /* UV_(UN)SHARE_PAGE's H_SVM_PAGE_IN sequence */
    FRAME_MMIO,         /* H_LOGICAL_CI_* for its load or store */
} UvPefFrameKind;

/* A Secure VM's load or store the ultravisor emulates (uv-pef-mmio.c) */
typedef struct UvPefMmio {
    bool store;
    uint8_t size;                   /* 1, 2, 4 or 8 bytes */
    bool sign;                      /* sign-extending load */
    bool byterev;                   /* l*brx / st*brx */
    uint8_t reg;                    /* RT or RS */
    int8_t update;                  /* RA of an update form, else -1 */
    uint64_t ea;                    /* its effective address */
} UvPefMmio;

typedef struct UvPefFrame {
    uint64_t cookie;                /* hash key */
    uint8_t kind;
    uint32_t vector;
    int n_out;                      /* FRAME_HCALL: r3.. the SVM gets */
    bool rtas;                      /* FRAME_HCALL: H_RTAS, bounced */
    /* FRAME_SHARE: pages [gfn, gfn + n), the next is gfn + i */
    uint64_t share_gfn;
    uint32_t share_n, share_i;
    bool unshare;
    bool unshare_all;               /* UV_UNSHARE_ALL_PAGES */
    uint8_t share_tries;            /* page-ins of a paged-out page */
    uint64_t pid;                   /* PIDR when the host got the thread */
    uint64_t dec_expiry;            /* timebase at which DEC reaches 0 */
    UvPefMmio mmio;                 /* FRAME_MMIO */
    UvPefRegs regs;                 /* the Secure VM's (or VM's) state */
} UvPefFrame;

/* Frames per SVM: one per thread the hypervisor runs on (its vcpus). */
#define UV_PEF_MAX_FRAMES           1024

/* Enter Secure Mode under a hypervisor: the steps of uv-pef-nest.c. */
typedef enum UvPefEsmStep {
    ESM_INIT_START = 1,     /* H_SVM_INIT_START sent */
    ESM_FDT_HEAD,           /* paging in the tree's header */
    ESM_FDT,                /* ... the whole tree */
    ESM_RANGES,             /* ... RTAS and the initrd */
    ESM_KERNEL,             /* ... the kernel */
    ESM_BOUNCE,             /* sharing the RTAS bounce pages */
    ESM_INIT_DONE,          /* H_SVM_INIT_DONE sent */
} UvPefEsmStep;

typedef struct UvPefEsmRun {
    uint8_t step;
    uint64_t kbase, fdt;
    GArray *todo;                   /* gfns to page in (uint64_t) */
    guint next;
    UvEsmSession sess;
    void *fdt_out;                  /* the tree with the bounce area */
    uint32_t bounce_i;              /* bounce pages asked for so far */
} UvPefEsmRun;

/* The Secure VM's partition-scoped radix tree (uv-pef-rtree.c). */
typedef struct UvPefRtree {
    GArray *pages;                  /* pool pages holding tables (uint32) */
    uint64_t free_ra;               /* unused table memory ... */
    uint64_t free_len;              /* ... in the last of them */
    uint64_t root_ra;               /* 0: no tree */
} UvPefRtree;

typedef struct UvPefSvm {
    uint64_t lpid;
    bool secure;                    /* ESM done */
    bool aborting;                  /* ESM failed, H_SVM_INIT_ABORT sent */
    bool nested;                    /* made by UV_ESM under a hypervisor */
    uint64_t gen;                   /* this SVM's instance, unique */
    GHashTable *frames;             /* &UvPefFrame.cookie -> UvPefFrame */
    UvPefEsmRun *esm;               /* while entering secure mode */
    UvPefRtree rtree;
    UvPefRtas *rtas;                /* nested: the RTAS bounce area */
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

    /* uv-pef-reflect.c: which SVM instance each thread in S=1 runs */
    GHashTable *s1_threads;         /* cpu_index -> gen (guint64 *) */
    uint64_t next_gen;

    /* uv-pef-nest.c */
    bool have_tpm;
    UvPefTpmIo tpm_io;
    UvPefTpmKey tpm_key;
    const char *esm_reason;         /* why the last ESM failed, or "" */

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

/* uv-pef-rtree.c */
/* Map @gfn to real address @ra (a secure page or a shared one). */
bool rtree_map(UvPef *uv, UvPefSvm *svm, uint64_t gfn, uint64_t ra);
/* Nothing at @gfn any more (no-op without a tree). */
void rtree_unmap(UvPef *uv, UvPefSvm *svm, uint64_t gfn);
/* The partition-table dw0 that points at the tree (0 without one). */
uint64_t rtree_dw0(const UvPefSvm *svm);
/* Give the tree's pages back (scrubbed). */
void rtree_free(UvPef *uv, UvPefSvm *svm);

/* uv-pef-reflect.c */
/* A new frame of @kind for @svm, or NULL (too many, no entropy). */
UvPefFrame *frame_new(UvPefSvm *svm, uint8_t kind, const UvPefRegs *r);
/* @f under a fresh cookie (for its next hcall); NULL: @f stays as is. */
UvPefFrame *frame_renew(UvPefSvm *svm, UvPefFrame *f);
void frame_drop(UvPefSvm *svm, UvPefFrame *f);
/*
 * The hypervisor's view for entering it at @vector on behalf of frame @f:
 * every register cleared but r31 = SRR0 = HSRR0 = cookie, SRR1 = HSRR1 =
 * @srr1.
 */
void hv_view(const UvPefCaller *c, const UvPefFrame *f, uint32_t vector,
             uint64_t srr1, UvPefRegs *r);
/* An hcall the ultravisor itself makes (r3 = @op, r4.. = @args). */
void hv_hcall(const UvPefCaller *c, const UvPefFrame *f, uint64_t op,
              const uint64_t *args, int nargs, UvPefRegs *r);
void svm_free_frames(UvPefSvm *svm);
/*
 * @r (the thread as the host hands it back) becomes frame @f's state: DEC
 * from its expiry at the timebase now, HSRR0/1 as they are live.
 */
void frame_load(const UvPefFrame *f, UvPefRegs *r);
GHashTable *frames_new(void);

/* uv-pef-nest.c */
UvPefNext esm_start(UvPef *uv, const UvPefCaller *c, UvPefRegs *r);
UvPefNext esm_continue(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                       UvPefFrame *f, UvPefRegs *r);
void esm_run_free(UvPefSvm *svm);
UvPefNext share_start(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                      UvPefRegs *r, uint64_t op);
UvPefNext share_continue(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                         UvPefFrame *f, UvPefRegs *r);
/* A zeroed secure page at @pg's gfn, mapped; false: no room */
bool page_zero_secure(UvPef *uv, UvPefSvm *svm, UvPefPage *pg);
/* Map every page of @slot, pages without a state zeroed; false: no room */
bool slot_commit(UvPef *uv, UvPefSvm *svm, const UvPefSlotInfo *slot);
/* Pool pages missing to map every slot of @svm (pages and tables) */
uint64_t svm_pages_needed(UvPef *uv, UvPefSvm *svm);
/*
 * H_RTAS from Secure VM thread @f (r4 = its struct rtas_args): the copy
 * in the bounce area is ready, *@bounce is its gpa.  false: the call is
 * not passed on (its status says hardware error).
 */
bool rtas_prepare(UvPef *uv, UvPefSvm *svm, uint64_t args, uint64_t *bounce);
/* The hypervisor is done with the call: results back into the SVM */
void rtas_finish(UvPef *uv, UvPefSvm *svm);
/* uv-pef.c */
/*
 * @svm's tree lost or changed a mapping: no thread may keep using it
 * (a TLB flush; none before the commit, when no entry points at it).
 */
void svm_tree_changed(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm);

/* uv-pef-mmio.c */
/* Decode a load or store; false: not one the ultravisor emulates */
bool uv_pef_mmio_decode(uint32_t insn, const uint64_t gpr[32],
                        UvPefMmio *op);
/*
 * 0xE00 outside every slot, thread state @in: ask the host for the access
 * (UV_PEF_NEXT_LOAD), or UV_PEF_NEXT_RESUME when it is not emulated.
 */
UvPefNext mmio_start(UvPef *uv, const UvPefCaller *c, UvPefSvm *svm,
                     const UvPefRegs *in, UvPefRegs *r);
/* The host answered (@hv): complete the instruction in frame @f */
void mmio_finish(UvPefFrame *f, const UvPefRegs *hv);

/* @gfn is one of the ultravisor's own shared pages (the bounce area) */
bool svm_bounce_gfn(const UvPefSvm *svm, uint64_t gfn);

#endif /* HW_PPC_ULTRAVISOR_UV_PEF_INTERNAL_H */
