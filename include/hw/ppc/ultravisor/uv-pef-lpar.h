/*
 * The built-in ultravisor for one pseries guest (a logical partition whose
 * hypervisor is QEMU itself): Enter Secure Mode, the Secure VM's page
 * states (secure, or shared with the hypervisor), the ultracalls a guest
 * issues, the register rules of hypercalls the ultravisor reflects to the
 * hypervisor, and the bounce buffers RTAS calls go through.
 *
 * Guest real addresses are QEMU's guest physical addresses: RAM is
 * [0, ram_size).  After Enter Secure Mode every page is secure (the
 * hypervisor cannot reach it) except those the guest shares and the
 * ultravisor's bounce pages.  The caller enforces that on its host paths
 * with uv_pef_lpar_host_ok().  Facts: docs/devel/pef-ultravisor-facts.md
 * sections 4-7.  Part of the qemu-ibm-cc pure core; not thread-safe (the
 * caller serialises calls, in QEMU with the BQL).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_LPAR_H
#define HW_PPC_ULTRAVISOR_UV_PEF_LPAR_H

#include "hw/ppc/ultravisor/uv-pef.h"
#include "hw/ppc/ultravisor/uv-pef-esm-check.h"
#include "hw/ppc/ultravisor/uv-pef-rtas.h"

/* The RTAS bounce area: include/hw/ppc/ultravisor/uv-pef-rtas.h */
#define UV_PEF_LPAR_RTAS_PAGES      UV_PEF_RTAS_PAGES

/* Hypercall numbers the ultravisor treats specially (PAPR). */
#define UV_PEF_H_CEDE               0xE0
#define UV_PEF_H_RANDOM             0x300
#define UV_PEF_H_RTAS               0xF000

typedef struct UvPefLparOps {
    /* Guest memory as the ultravisor sees it (secure pages included). */
    bool (*mem_read)(void *opaque, uint64_t gpa, void *buf, uint64_t len);
    bool (*mem_write)(void *opaque, uint64_t gpa, const void *buf,
                      uint64_t len);
    /* The guest became a Secure VM (true) or a normal one again (false). */
    void (*secure_changed)(void *opaque, bool secure);
    /*
     * [gpa, gpa + len) went from shared back to secure: drop what the
     * host's paths may have cached of it.
     */
    void (*unshared)(void *opaque, uint64_t gpa, uint64_t len);
} UvPefLparOps;

typedef struct UvPefLparConfig {
    uint64_t ram_size;      /* a multiple of UV_PEF_PAGE_SIZE */
    uint64_t lpid;          /* the partition's LPID as the UV sees it */
} UvPefLparConfig;

typedef struct UvPefLpar UvPefLpar;

UvPefLpar *uv_pef_lpar_new(const UvPefLparConfig *cfg,
                           const UvPefLparOps *ops, void *opaque);
void uv_pef_lpar_free(UvPefLpar *l);

/* Machine reset: a normal guest again, every page its own, no session. */
void uv_pef_lpar_reset(UvPefLpar *l);

/*
 * The TPM the ultravisor unwraps ESM keys with, and the wrapping key the
 * firmware provisioned for this boot (NULL: no TPM, ESM fails with
 * UV_ESM_TPM).  @io must outlive its use.
 */
void uv_pef_lpar_set_tpm(UvPefLpar *l, const UvPefTpmIo *io,
                         const UvPefTpmKey *key);

typedef enum UvPefLparAction {
    UV_PEF_LPAR_RESUME,     /* back after the "sc 2", r3.. from regs */
    UV_PEF_LPAR_ENTER_SVM,  /* ESM done: MSR[S]=1, EE=0, NIA = *entry */
} UvPefLparAction;

/*
 * An ultracall ("sc 2") from the guest: regs[0..9] are r3..r12 in and out.
 * Returns what the caller does next.
 */
UvPefLparAction uv_pef_lpar_ucall(UvPefLpar *l, const UvPefCaller *c,
                                  uint64_t regs[10], uint64_t *entry);

/*
 * Why the last UV_ESM failed after its synchronous checks (UV_ESM_OK if
 * it did not; those checks' codes are in r3 only).
 */
UvEsmStatus uv_pef_lpar_esm_status(const UvPefLpar *l);
/* Its text, for the user: "digest mismatch: kernel", ... */
const char *uv_pef_lpar_esm_reason(const UvPefLpar *l);

/* Is the guest a Secure VM (ESM done, not reset since)? */
bool uv_pef_lpar_secure(const UvPefLpar *l);

/* May the hypervisor access all of [gpa, gpa + len)? */
bool uv_pef_lpar_host_ok(const UvPefLpar *l, uint64_t gpa, uint64_t len);

/* A hypercall of the Secure VM reached the ultravisor (counted). */
void uv_pef_lpar_hcall_seen(UvPefLpar *l);

/* Summary for the monitor. */
typedef struct UvPefLparInfo {
    bool secure;
    uint64_t shared_pages;      /* the guest's and the ultravisor's */
    uint64_t rtas_bounce;       /* gpa of the RTAS bounce area, or 0 */
    uint64_t ucalls;            /* ultracalls since reset */
    uint64_t hcalls;            /* the Secure VM's hypercalls since reset */
    UvEsmStatus esm_status;
} UvPefLparInfo;
void uv_pef_lpar_get_info(const UvPefLpar *l, UvPefLparInfo *info);

/*
 * Hypercalls from the Secure VM.  The ultravisor passes r3 .. r(3+n_in-1)
 * to the hypervisor and takes back r3 .. r(3+n_out-1); false for a
 * hypercall it does not reflect (the open-power ultravisor's table,
 * core/hcall-regs.c).
 */
bool uv_pef_hcall_regs(uint64_t hcall, int *n_in, int *n_out);

/*
 * The GPRs the hypervisor gets: r3 .. r(3+n_in-1) of the guest, r0 = @r0
 * (the ultravisor's random filler), r31 = @cookie (its stand-in for the
 * guest's address), every other register zero (section 7).
 */
void uv_pef_hcall_scrub(uint64_t gpr[32], int n_in, uint64_t r0,
                        uint64_t cookie);
/* Back to the guest: @gpr (as saved) with r3 .. r(3+n_out-1) from @hv. */
void uv_pef_hcall_merge(uint64_t gpr[32], const uint64_t hv[32], int n_out);

/*
 * An RTAS call (H_RTAS, r4 = @args_gpa in secure memory): copy the
 * arguments, and the buffers the service's pointers name, into the bounce
 * area; *@bounce_gpa is what the hypervisor gets in r4.  false: nothing to
 * pass on (the guest's arguments are unreadable, or there is no bounce
 * area); the call is then dropped as the ultravisor drops it.
 * uv_pef_lpar_rtas_finish() copies the results back.
 */
bool uv_pef_lpar_rtas_prepare(UvPefLpar *l, uint64_t args_gpa,
                              uint64_t *bounce_gpa);
void uv_pef_lpar_rtas_finish(UvPefLpar *l);

/*
 * "start-cpu" hides the new thread's r3 from the hypervisor behind a
 * cookie; a thread started with @r3 gets its real value back here.
 * Returns @r3 itself when it is no cookie.
 */
uint64_t uv_pef_lpar_start_r3(UvPefLpar *l, uint64_t r3);

#endif /* HW_PPC_ULTRAVISOR_UV_PEF_LPAR_H */
