/*
 * The emulated POWER ultravisor (Protected Execution Facility), built-in
 * mode: ultracall handling and secure-memory state, independent of QEMU.
 *
 * One UvPef instance belongs to one machine.  It owns the secure-memory
 * partition (a range of real addresses with the secure bit), the partition
 * table that the CPUs' PTCR points at (it lives in secure memory, so only
 * the ultravisor writes it), the secure partitions (SVMs) with their
 * memory slots and page states, and the ultravisor's message log (a
 * "memcons" in normal memory that Linux shows as
 * /sys/firmware/ultravisor/msglog).
 *
 * QEMU's glue (hw/ppc/ultravisor/pnv-pef.c) passes every "sc 2" taken with
 * SMFCTRL[E]=1 to uv_pef_ucall() and provides memory, SCOM and SPR access
 * through UvPefHostOps.  Nothing here calls QEMU.  Not thread-safe: the
 * caller serialises all calls (in QEMU, the BQL).
 *
 * Part of the qemu-ibm-cc pure core (GLib and GnuTLS).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_H
#define HW_PPC_ULTRAVISOR_UV_PEF_H

/* Secure pages are 64 KiB, as Linux's KVM uses them (page_shift 16). */
#define UV_PEF_PAGE_SHIFT           16
#define UV_PEF_PAGE_SIZE            (1ULL << UV_PEF_PAGE_SHIFT)

/* Ultracall opcodes (r3), Linux asm/ultravisor-api.h + the UV's uapi. */
#define UV_WRITE_PATE               0xF104
#define UV_RESTRICTED_SPR_WRITE     0xF108
#define UV_RESTRICTED_SPR_READ      0xF10C
#define UV_ESM                      0xF110
#define UV_READ_SCOM                0xF114
#define UV_WRITE_SCOM               0xF118
#define UV_RETURN                   0xF11C
#define UV_REGISTER_MEM_SLOT        0xF120
#define UV_UNREGISTER_MEM_SLOT      0xF124
#define UV_PAGE_IN                  0xF128
#define UV_PAGE_OUT                 0xF12C
#define UV_SHARE_PAGE               0xF130
#define UV_UNSHARE_PAGE             0xF134
#define UV_PAGE_INVAL               0xF138
#define UV_SVM_TERMINATE            0xF13C
#define UV_UNSHARE_ALL_PAGES        0xF140
#define UV_READ_MEM                 0xF144
#define UV_WRITE_MEM                0xF148
#define UV_ESMB_GET_FILE            0xF14C
#define UV_SEND_SBE_COMMAND         0xF150

/* Return codes (r3), the H_* values Linux uses for them. */
#define U_SUCCESS                   0
#define U_BUSY                      1   /* [U] the UV itself uses -2 */
#define U_NOT_AVAILABLE             3
#define U_FUNCTION                  (-2)
#define U_PARAMETER                 (-4)
#define U_RETRY                     (-5)
#define U_PERMISSION                (-11)
#define U_P2                        (-55)
#define U_P3                        (-56)
#define U_P4                        (-57)
#define U_P5                        (-58)
#define U_BAD_MODE                  (-59)
#define U_STATE                     (-75)
/* The open-power ultravisor's code for a failed XSCOM (core/xscom.c). */
#define U_HARDWARE                  (-6)

/* PAGE_IN flags (r7): the page becomes shared with the hypervisor. */
#define UV_PEF_PAGE_IN_SHARED       1   /* Linux's H_PAGE_IN_SHARED */

/*
 * SPRs reachable through RESTRICTED_SPR_WRITE; the first three also
 * through RESTRICTED_SPR_READ (open-power/ultravisor uapi_uvcall.h).
 */
#define UV_PEF_SPR_DAWR0            0xB4
#define UV_PEF_SPR_DAWRX0           0xBC
#define UV_PEF_SPR_CIABR            0xBB
#define UV_PEF_SPR_LDBAR            0x352
#define UV_PEF_SPR_IMC              0x31F

/*
 * Secure memory layout, offsets from secure_base:
 *   [0, 64 KiB)         reserved for the ultravisor itself
 *   [64 KiB, 128 KiB)   the partition table (PTCR points here)
 *   [128 KiB, size)     pool of 64 KiB pages for SVMs
 */
#define UV_PEF_UV_AREA_SIZE         0x10000ULL
#define UV_PEF_PATB_OFFSET          0x10000ULL
#define UV_PEF_PATE_SIZE            16
#define UV_PEF_PATB_SIZE            (UV_PEF_MAX_LPID * UV_PEF_PATE_SIZE)
/* PTCR[PATS]: the table holds 2^(12 + PATS) bytes. */
#define UV_PEF_PATS                 4
#define UV_PEF_POOL_OFFSET          (UV_PEF_PATB_OFFSET + UV_PEF_PATB_SIZE)
/* Limits of UvPefConfig.secure_size. */
#define UV_PEF_SECURE_MIN           (1ULL << 20)
#define UV_PEF_SECURE_MAX           (1ULL << 40)

/* Per-SVM limits. */
#define UV_PEF_MAX_MEM_SLOTS        512     /* slot ids 0..511 */
#define UV_PEF_MAX_SHARE_PAGES      4096    /* pages per (UN)SHARE_PAGE */
#define UV_PEF_MAX_PAGE_ENTRIES     65536   /* gpas with a tracked state */

/*
 * The message log is an OPAL-style "memcons" (Linux
 * arch/powerpc/platforms/powernv/opal-msglog.c): a big-endian header at
 * memcons_ra, then the output buffer.  Header fields (byte offsets):
 * magic be64 @0, obuf_phys be64 @8, ibuf_phys be64 @16, obuf_size be32
 * @24, ibuf_size be32 @28, out_pos be32 @32 (bit 31 = wrapped, low 24 bits
 * = next write position), in_prod be32 @36, in_cons be32 @40.
 */
#define UV_PEF_MEMCONS_MAGIC        0x6630696567726173ULL
#define UV_PEF_MEMCONS_HDR_SIZE     0x100
#define UV_PEF_MEMCONS_OUT_POS_WRAP 0x80000000u
#define UV_PEF_MEMCONS_OUT_POS_MASK 0x00ffffffu

/* Size of the normal-memory area the glue reserves for the message log. */
#define UV_PEF_MEMCONS_SIZE         (64 * 1024)

/* Entries in the ultravisor's partition table (16 bytes each). */
#define UV_PEF_MAX_LPID             4096

/* The privilege state of the thread that issued "sc 2" (MSR S/HV/PR). */
typedef struct UvPefCaller {
    bool s;
    bool hv;
    bool pr;
    uint64_t lpid;          /* LPIDR of the calling thread */
    uint64_t pid;           /* its PIDR (UV_ESMB_GET_FILE) */
    bool radix;             /* its partition uses the radix MMU */
    uint32_t cpu_index;     /* for the log only */
    void *cpu;              /* the host's handle of the thread, for ops */
    bool hv_le;             /* the hypervisor takes interrupts LE (HILE) */
} UvPefCaller;

typedef struct UvPefHostOps {
    /*
     * Real-address access for the ultravisor (normal and secure memory).
     * Return false if [ra, ra + len) is not backed by memory.
     */
    bool (*mem_read)(void *opaque, uint64_t ra, void *buf, uint64_t len);
    bool (*mem_write)(void *opaque, uint64_t ra, const void *buf,
                      uint64_t len);
    /*
     * A partition-table entry changed: drop translations of that LPID.
     * @cpu is the calling thread's UvPefCaller.cpu, NULL at reset.
     */
    void (*pate_changed)(void *opaque, void *cpu, uint64_t lpid);
    /* XSCOM on behalf of the hypervisor; false = SCOM error. */
    bool (*scom_read)(void *opaque, uint64_t addr, uint64_t *val);
    bool (*scom_write)(void *opaque, uint64_t addr, uint64_t val);
    /*
     * SPRs the hypervisor reaches only through the ultravisor, of the
     * calling thread (UvPefCaller.cpu).
     */
    bool (*spr_read)(void *opaque, void *cpu, uint32_t sprn, uint64_t *val);
    bool (*spr_write)(void *opaque, void *cpu, uint32_t sprn, uint64_t val);
    /*
     * Optional: XSCOM on chip @chip_id (READ/WRITE_SCOM's partid).  When
     * NULL, scom_read/scom_write serve chip 0 and other chips fail.
     */
    bool (*scom_read_chip)(void *opaque, uint32_t chip_id, uint64_t addr,
                           uint64_t *val);
    bool (*scom_write_chip)(void *opaque, uint32_t chip_id, uint64_t addr,
                            uint64_t val);
} UvPefHostOps;

typedef struct UvPefConfig {
    uint64_t secure_base;   /* real address, secure bit included */
    uint64_t secure_size;   /* multiple of UV_PEF_PAGE_SIZE, >= 1 MiB */
    uint64_t memcons_ra;    /* UV_PEF_MEMCONS_SIZE bytes of normal memory */
    const char *version;    /* shown in the log's first line */
} UvPefConfig;

typedef struct UvPef UvPef;

/* Summary for HMP "info uv" / QMP query-uv. */
typedef struct UvPefSlotInfo {
    uint64_t slotid;
    uint64_t gpa;
    uint64_t size;
    uint64_t flags;
} UvPefSlotInfo;

typedef struct UvPefPartitionInfo {
    uint64_t lpid;
    bool secure;            /* Enter Secure Mode done; else bringing pages in */
    uint64_t secure_pages;  /* pages of this SVM in secure memory */
    uint64_t shared_pages;
    GArray *slots;          /* UvPefSlotInfo, owned by the caller */
} UvPefPartitionInfo;

typedef struct UvPefInfo {
    uint64_t secure_base;
    uint64_t secure_size;
    uint64_t secure_used;   /* bytes: UV's own + pages of SVMs */
    uint64_t ptcr;
    uint64_t pates;         /* number of non-zero partition-table entries */
    uint64_t ucalls;        /* ucalls handled since reset */
    GArray *partitions;     /* UvPefPartitionInfo, owned by the caller */
} UvPefInfo;

/* Domain of the GErrors uv_pef_new() sets. */
#define UV_PEF_ERROR                uv_pef_error_quark()
GQuark uv_pef_error_quark(void);

UvPef *uv_pef_new(const UvPefConfig *cfg, const UvPefHostOps *ops,
                  void *opaque, GError **errp);
void uv_pef_free(UvPef *uv);

/*
 * Machine reset: forget every partition, clear the partition table,
 * (re)initialise the message log and log the start-up lines.
 */
void uv_pef_reset(UvPef *uv);

/* The value every thread's PTCR holds (the UV's table, in secure memory). */
uint64_t uv_pef_ptcr(const UvPef *uv);

/* Is [ra, ra + len) (partly) inside secure memory? */
bool uv_pef_is_secure(const UvPef *uv, uint64_t ra, uint64_t len);

typedef struct UvPefUcall UvPefUcall;

/* The ultracall with opcode @opcode (r3), or NULL if there is none. */
const UvPefUcall *uv_pef_ucall_find(uint64_t opcode);

/* "UV_WRITE_PATE" etc.; "unknown" for NULL. */
const char *uv_pef_ucall_name(const UvPefUcall *u);

/*
 * One ultracall: @u is uv_pef_ucall_find(regs[0]) (NULL for an unknown
 * opcode).  regs[0..9] are r3..r12 on entry and on return (regs[0] =
 * return code, the rest outputs).  The return code is also the function's
 * value.  Never aborts on guest input.
 */
int64_t uv_pef_ucall(UvPef *uv, const UvPefUcall *u,
                     const UvPefCaller *caller, uint64_t regs[10]);

/*
 * ---- Secure VMs under a hypervisor (a KVM host on this machine) ----
 *
 * When the ultravisor switches a thread between a Secure VM and the
 * hypervisor it saves, clears and sets the thread's whole state.  The
 * caller fills a UvPefRegs from the thread, and loads it back as the call
 * says (docs/devel/pef-nested-svm.rst sections 3 and 4).
 */

/*
 * The SPRs the ultravisor saves when a Secure VM's thread goes to the
 * hypervisor, clears for it, and restores on the way back (open-power/
 * ultravisor core/exceptions.c save_and_mask_sprs and core/masked-sprs*:
 * SPRG0-3, CFAR, DAR, DSISR and the problem-state facilities), in the
 * order of UvPefRegs.spr.  DAR and DSISR are forwarded for 0x200/0xE00
 * (uv-pef-reflect.c).
 */
#define UV_PEF_SAVED_SPRS \
    { 0x110, 0x111, 0x112, 0x113, 0x1C, 0x13, 0x12, 0x1D, 0x3D, 0x9D, \
      0x32F, 0x11, 0x380, 0x99, 0x9F, 0x324, 0x325, 0x326, 0x90, 0x100 }
#define UV_PEF_N_SAVED_SPRS         20
/* The floating-point, vector and VSX state, as the caller packs it. */
#define UV_PEF_FP_WORDS             132

typedef struct UvPefRegs {
    uint64_t gpr[32];
    uint64_t nip;           /* in: after the sc; out: where to continue */
    uint64_t msr;
    uint64_t cr, lr, ctr, xer;
    uint64_t srr0, srr1, hsrr0, hsrr1;
    uint64_t spr[UV_PEF_N_SAVED_SPRS];
    uint64_t dec;           /* DEC, 32 bits sign-extended */
    uint64_t tb;            /* in only: the timebase now */
    uint64_t asdr;          /* in only: ASDR (0xE00/0xE20: the gpa) */
    uint64_t hdar;          /* in only: HDAR (0xE00: the address) */
    /*
     * in only, 0xE00: the instruction at HSRR0 as the thread fetched it
     * (the ultravisor emulates MMIO accesses), if have_insn
     */
    uint32_t insn;
    bool have_insn;
    uint64_t fp[UV_PEF_FP_WORDS];
} UvPefRegs;

/* What the caller does with the thread after a call that takes UvPefRegs */
typedef enum UvPefNext {
    UV_PEF_NEXT_RESUME,     /* continue after the sc: only r3..r12 changed */
    UV_PEF_NEXT_LOAD,       /* load every field of UvPefRegs */
} UvPefNext;

/*
 * "sc 2" with the thread's state: UV_ESM from a partition starts Enter
 * Secure Mode, UV_RETURN from the hypervisor resumes a Secure VM; any
 * other call is uv_pef_ucall() on r3..r12.
 */
UvPefNext uv_pef_ucall_regs(UvPef *uv, const UvPefUcall *u,
                            const UvPefCaller *caller, UvPefRegs *r);

/* "sc 1" from a Secure VM (MSR[S]=1): reflected to the hypervisor. */
UvPefNext uv_pef_svm_hcall(UvPef *uv, const UvPefCaller *caller,
                           UvPefRegs *r);

/*
 * An interrupt with hypervisor vector @vector (0x100, 0x200, 0x980, 0xE00,
 * ...) taken by a Secure VM's thread; the interrupted state is in SRR0/1
 * (0x100, 0x200) or HSRR0/1 (the others).  Always UV_PEF_NEXT_LOAD.
 */
UvPefNext uv_pef_svm_interrupt(UvPef *uv, const UvPefCaller *caller,
                               uint32_t vector, UvPefRegs *r);

/*
 * The TPM Enter Secure Mode unwraps keys with, and the wrapping key the
 * firmware provisioned (NULL: no TPM; ESM then fails).  Both are copied;
 * @io's opaque must outlive its use.
 */
struct UvPefTpmIo;
struct UvPefTpmKey;
void uv_pef_set_tpm(UvPef *uv, const struct UvPefTpmIo *io,
                    const struct UvPefTpmKey *key);

/*
 * Why the last Enter Secure Mode on this machine failed: "" while none
 * failed since reset.
 */
const char *uv_pef_esm_reason(const UvPef *uv);

/* Append one line to the ultravisor's message log. */
void uv_pef_log(UvPef *uv, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Fill *info; free it with uv_pef_info_clear(). */
void uv_pef_get_info(const UvPef *uv, UvPefInfo *info);
void uv_pef_info_clear(UvPefInfo *info);

/*
 * Secure partitions.  Created by Enter Secure Mode (a later step; the unit
 * tests create them directly).  Returns U_SUCCESS or a U_* error.
 */
int64_t uv_pef_svm_create(UvPef *uv, uint64_t lpid);

#endif /* HW_PPC_ULTRAVISOR_UV_PEF_H */
