/*
 * The ultravisor's RTAS bounce area: a Secure VM's RTAS calls pass
 * arguments in its (secure) memory, which the hypervisor cannot read, so
 * the ultravisor copies them, and the buffers the service's pointers name,
 * into pages it shares with the hypervisor, passes that copy on with
 * H_RTAS, and copies the results back (docs/devel/pef-ultravisor-facts.md
 * section 6).  Used by both built-in ultravisors: a pseries guest's
 * (uv-pef-lpar.c) and a KVM host's Secure VMs (uv-pef-nest.c).
 *
 * Part of the qemu-ibm-cc pure core: GLib, GnuTLS and libfdt only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_RTAS_H
#define HW_PPC_ULTRAVISOR_UV_PEF_RTAS_H

#include "hw/ppc/ultravisor/uv-pef-esm-check.h"

/*
 * Six 64 KiB pages reserved in the Secure VM's device tree and shared
 * with the hypervisor (the ultravisor's svm-rtas.c: one for arguments,
 * four for buffers, one for stop-self).
 */
#define UV_PEF_RTAS_PAGES           6
/* Where the ultravisor looks for room: below min(RAM, 768 MiB). */
#define UV_PEF_RTAS_RMO_MAX         (768ULL << 20)

/* The Secure VM's memory, secure and shared pages alike, by gpa. */
typedef struct UvPefRtasMem {
    bool (*read)(void *opaque, uint64_t gpa, void *buf, uint64_t len);
    bool (*write)(void *opaque, uint64_t gpa, const void *buf, uint64_t len);
    void *opaque;
} UvPefRtasMem;

typedef struct UvPefRtas UvPefRtas;

UvPefRtas *uv_pef_rtas_new(void);
void uv_pef_rtas_free(UvPefRtas *rt);
/* No bounce area, no call in flight, no start-cpu cookies. */
void uv_pef_rtas_reset(UvPefRtas *rt);

/*
 * Enter Secure Mode: learn the RTAS tokens from @fdt (the guest's tree at
 * @fdt_gpa, checked as @s says) and find room for the bounce area below
 * @rmo_top, clear of the tree, RTAS, the initrd, the kernel at @kbase and
 * the tree's reservations.  Returns the tree with the area reserved, to
 * be written back over the guest's (g_free() it), or NULL with *@st set.
 */
void *uv_pef_rtas_setup(UvPefRtas *rt, const void *fdt, uint64_t fdt_gpa,
                        uint64_t rmo_top, uint64_t kbase,
                        const UvEsmSession *s, UvEsmStatus *st);
/* The bounce area's first gpa, 0 without one. */
uint64_t uv_pef_rtas_bounce(const UvPefRtas *rt);
/* A call is between prepare and finish. */
bool uv_pef_rtas_busy(const UvPefRtas *rt);

/*
 * An RTAS call (H_RTAS, r4 = @args_gpa): copy the arguments, and the
 * buffers the service's pointers name, into the bounce area; *@bounce_gpa
 * is what the hypervisor gets in r4.  false: nothing to pass on (the
 * guest's arguments are unreadable, or there is no bounce area).
 * uv_pef_rtas_finish() copies the results back.
 */
bool uv_pef_rtas_prepare(UvPefRtas *rt, const UvPefRtasMem *m,
                         uint64_t args_gpa, uint64_t *bounce_gpa);
void uv_pef_rtas_finish(UvPefRtas *rt, const UvPefRtasMem *m);

/*
 * A call that is not passed on: its status (rets[0]) becomes -1, hardware
 * error, so the guest does not take the zero it cleared for success.
 */
void uv_pef_rtas_fail(const UvPefRtasMem *m, uint64_t args_gpa);

/*
 * "start-cpu" hides the new thread's r3 from the hypervisor behind a
 * cookie (at least 0x2000); a thread started with @r3 gets its real value
 * back here.  Returns @r3 itself when it is no cookie.
 */
uint64_t uv_pef_rtas_start_r3(UvPefRtas *rt, uint64_t r3);
/*
 * The same, with the address the thread starts at (start-cpu's
 * start_here); false when @cookie is none.  A cookie works once.
 */
bool uv_pef_rtas_start(UvPefRtas *rt, uint64_t cookie, uint64_t *r3,
                       uint64_t *entry);

#endif /* HW_PPC_ULTRAVISOR_UV_PEF_RTAS_H */
