/*
 * The monitor's view of the POWER ultravisors (HMP "info uv"): the
 * powernv machine's (query-pef-uv, hw/ppc/ultravisor/pnv-pef.c) or the
 * built-in ultravisor of a pseries pef-guest (query-pef-svm,
 * hw/ppc/ultravisor/spapr-pef.c), and the QMP commands of a machine type
 * this build lacks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-ppc-pef-target.h"
#include "monitor/monitor.h"
#include "monitor/hmp.h"
#include "monitor/hmp-target.h"
#include "hw/boards.h"
#include CONFIG_DEVICES

#ifndef CONFIG_POWERNV
PefUvInfo *qmp_query_pef_uv(Error **errp)
{
    error_setg(errp, "this QEMU has no powernv machines");
    return NULL;
}
#endif

#ifndef CONFIG_PSERIES
PefSvmInfo *qmp_query_pef_svm(Error **errp)
{
    error_setg(errp, "this QEMU has no pseries machines");
    return NULL;
}
#endif

static void hmp_info_uv_svm(Monitor *mon, PefSvmInfo *info)
{
    monitor_printf(mon, "ultravisor: built-in (pseries pef-guest)\n");
    monitor_printf(mon, "guest: %s\n", info->secure ?
                   "Secure VM" : "normal (not in secure mode)");
    monitor_printf(mon, "last Enter Secure Mode: %s\n", info->last_esm);
    monitor_printf(mon, "shared pages: %" PRIu64 " (64 KiB)\n",
                   info->shared_pages);
    if (info->has_rtas_bounce) {
        monitor_printf(mon, "RTAS bounce area: 0x%" PRIx64 "\n",
                       info->rtas_bounce);
    }
    monitor_printf(mon, "ucalls: %" PRIu64 ", hcalls: %" PRIu64 "\n",
                   info->ucalls, info->hcalls);
    monitor_printf(mon, "TPM: %s\n", info->tpm ? info->tpm : "none");
}

static void hmp_info_uv_pnv(Monitor *mon)
{
    Error *err = NULL;
    PefUvInfo *info = qmp_query_pef_uv(&err);
    PefUvPartitionInfoList *p;
    PefUvSlotInfoList *s;

    if (err) {
        error_free(err);
        monitor_printf(mon, "this machine has no ultravisor: use a powernv "
                       "machine with pef=on, or a pseries machine with a "
                       "pef-guest under TCG\n");
        return;
    }
    monitor_printf(mon, "ultravisor: %s\n", PefUvMode_str(info->mode));
    if (info->firmware) {
        monitor_printf(mon, "firmware: %s\n", info->firmware);
    }
    if (info->has_facility_disabled) {
        monitor_printf(mon, "PEF facility: %s\n", info->facility_disabled ?
                       "turned off by the firmware (SMFCTRL[E]=0)" :
                       "on (SMFCTRL[E]=1)");
    }
    monitor_printf(mon, "secure memory: 0x%" PRIx64 " size %" PRIu64
                   " MiB", info->secure_base, info->secure_size / MiB);
    if (info->has_secure_used) {
        monitor_printf(mon, ", %" PRIu64 " KiB in use",
                       info->secure_used / KiB);
    }
    monitor_printf(mon, "\n");
    if (info->has_ptcr) {
        monitor_printf(mon, "partition table: PTCR 0x%" PRIx64 ", %" PRIu64
                       " entries set\n", info->ptcr,
                       info->partition_table_entries);
        monitor_printf(mon, "message log: 0x%" PRIx64 "\n",
                       info->message_log);
        monitor_printf(mon, "ucalls: %" PRIu64 "\n", info->ucalls);
        monitor_printf(mon, "secure partitions: %zu\n",
                       (size_t)QAPI_LIST_LENGTH(info->partitions));
    }
    for (p = info->partitions; p; p = p->next) {
        monitor_printf(mon, "  lpid %" PRIu64 ": %s, %" PRIu64
                       " secure pages, %" PRIu64 " shared pages\n",
                       p->value->lpid, PefSvmState_str(p->value->state),
                       p->value->secure_pages, p->value->shared_pages);
        for (s = p->value->slots; s; s = s->next) {
            monitor_printf(mon, "    slot %" PRIu64 ": gpa 0x%" PRIx64
                           " size 0x%" PRIx64 " flags 0x%" PRIx64 "\n",
                           s->value->slot, s->value->gpa, s->value->size,
                           s->value->flags);
        }
    }
    qapi_free_PefUvInfo(info);
}

void hmp_info_uv(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    PefSvmInfo *svm;

    /* a pseries pef-guest's ultravisor, else the powernv machine's */
    svm = qmp_query_pef_svm(&err);
    if (svm) {
        hmp_info_uv_svm(mon, svm);
        qapi_free_PefSvmInfo(svm);
        return;
    }
    error_free(err);
    hmp_info_uv_pnv(mon);
}
