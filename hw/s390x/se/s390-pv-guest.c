/*
 * qemu-ibm-cc: the s390-pv-guest confidential-guest-support object for
 * IBM Z Secure Execution under TCG, with an emulated ultravisor.
 *
 *   -object s390-pv-guest,id=pv0[,host-key=FILE][,backup-host-key=FILE]
 *   -machine s390-ccw-virtio,confidential-guest-support=pv0
 *
 * The host keys are EC P-521 private keys: SE images are built for the
 * matching public keys (the host-key documents).  On a real machine the
 * host key is the machine's, not a VM's: without host-key the object uses
 * the emulated machine's key (s390_pv_tcg_machine_key()), so that
 * libvirt's <launchSecurity type='s390-pv'/>, which creates the object
 * with no properties, needs nothing else.  Setting the object up
 * offers the unpack facility (161) and the ultravisor-call facility (158)
 * to the CPUs, creates the ultravisor and hands the CPUs their hooks
 * (target/s390x/uv-tcg.h); the rest of the glue is in pv-boot.c
 * (protected boot, diag 0x308, UVC) and pv-host-access.c (host access).
 * Locking: see s390-pv-guest.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qom/object_interfaces.h"
#include "hw/boards.h"
#include "hw/s390x/css.h"
#include "hw/s390x/sclp.h"
#include "system/system.h"
#include "cpu.h"
#include "qemu/cc-ecc.h"
#include "qemu/cc-eckey.h"
#include "hw/s390x/se/se-hdr.h"
#include "hw/s390x/se/uv-core.h"
#include "s390-pv-guest.h"
#include "trace.h"

typedef struct S390PvTcgGuestClass {
    ConfidentialGuestSupportClass parent_class;
} S390PvTcgGuestClass;

S390PvTcgGuest *s390_pv_tcg_guest_of(MachineState *ms)
{
    S390PvTcgGuest *pv = (S390PvTcgGuest *)
        object_dynamic_cast(OBJECT(ms->cgs), TYPE_S390_PV_GUEST);

    return pv && pv->machine ? pv : NULL;
}

/*
 * Read SCP Info of a protected guest must fit in one page, which bounds
 * the number of CPUs (the same limit the hardware ultravisor has).
 */
static bool s390_pv_tcg_check_cpus(MachineState *ms, Error **errp)
{
    size_t offset = s390_has_feat(S390_FEAT_EXTENDED_LENGTH_SCCB) ?
                    offsetof(ReadInfo, entries) :
                    SCLP_READ_SCP_INFO_FIXED_CPU_OFFSET;
    unsigned limit = (TARGET_PAGE_SIZE - offset) / sizeof(CPUEntry);

    if (ms->smp.max_cpus > limit) {
        error_setg(errp, "s390-pv-guest: protected guests support at most "
                   "%u CPUs, maxcpus is %u", limit, ms->smp.max_cpus);
        return false;
    }
    return true;
}

/* Load the private host key of property @prop from @path into @out. */
static bool s390_pv_tcg_load_key(const char *prop, const char *path,
                                 SeHostKey *out, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    CCEcKey key;
    bool ok = false;

    if (!cc_eckey_load_file(path, true, &key, &gerr)) {
        error_setg(errp, "s390-pv-guest: %s: %s", prop, gerr->message);
        return false;
    }
    if (!se_host_key_init(out, key.d)) {
        error_setg(errp, "s390-pv-guest: %s: %s: the private key is not a "
                   "valid P-521 (secp521r1) scalar", prop, path);
        goto out;
    }
    if (key.has_public &&
        (memcmp(key.x, out->pub.x, sizeof(key.x)) ||
         memcmp(key.y, out->pub.y, sizeof(key.y)))) {
        error_setg(errp, "s390-pv-guest: %s: %s: the public key in the file "
                   "does not belong to its private key", prop, path);
        goto out;
    }
    ok = true;
out:
    cc_wipe(&key, sizeof(key));
    if (!ok) {
        cc_wipe(out, sizeof(*out));
    }
    return ok;
}

/*
 * The emulated machine's host key when the object names none: the file
 * named by $QEMU_IBM_CC_SE_HOST_KEY, else se-host-key.pem in QEMU's
 * configuration directory (<prefix>/etc/qemu of the installed QEMU).
 * Returns NULL, with an error naming both, when there is none.
 */
#define S390_PV_HOST_KEY_ENV    "QEMU_IBM_CC_SE_HOST_KEY"
#define S390_PV_HOST_KEY_FILE   "se-host-key.pem"

static char *s390_pv_tcg_machine_key(Error **errp)
{
    const char *env = g_getenv(S390_PV_HOST_KEY_ENV);
    g_autofree char *confdir = get_relocated_path(CONFIG_QEMU_CONFDIR);
    g_autofree char *path = g_build_filename(confdir, S390_PV_HOST_KEY_FILE,
                                             NULL);

    if (env && *env) {
        if (!g_file_test(env, G_FILE_TEST_IS_REGULAR)) {
            error_setg(errp, "s390-pv-guest: no host key: %s=%s is not a "
                       "file (set host-key=FILE, or create a key with "
                       "se-host-key create %s)", S390_PV_HOST_KEY_ENV, env,
                       env);
            return NULL;
        }
        return g_strdup(env);
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        error_setg(errp, "s390-pv-guest: no host key: the object has no "
                   "host-key=FILE, %s is not set and the machine's key %s "
                   "does not exist (create it with se-host-key create %s, "
                   "or name a key in %s)", S390_PV_HOST_KEY_ENV, path, path,
                   S390_PV_HOST_KEY_ENV);
        return NULL;
    }
    return g_steal_pointer(&path);
}

/*
 * ConfidentialGuestSupportClass::kvm_init, which ccw_init() calls for
 * every accelerator once the CPUs exist and before any guest instruction
 * runs or any device is created.
 */
static int s390_pv_tcg_init(ConfidentialGuestSupport *cgs, Error **errp)
{
    S390PvTcgGuest *pv = (S390PvTcgGuest *)
        object_dynamic_cast(OBJECT(cgs), TYPE_S390_PV_GUEST);
    MachineState *ms = MACHINE(qdev_get_machine());
    S390CcwMachineState *s390ms = S390_CCW_MACHINE(ms);
    SeHostKey primary, backup;
    CPUState *cs;

    if (!pv) {
        return 0;
    }
    g_assert(bql_locked());
    if (!pv->host_key) {
        pv->host_key = s390_pv_tcg_machine_key(errp);
        if (!pv->host_key) {
            return -1;
        }
        trace_s390_pv_machine_host_key(pv->host_key);
    }
    if (only_migratable) {
        error_setg(errp, "s390-pv-guest: protected guests cannot be "
                   "migrated: remove either the object or the "
                   "--only-migratable option");
        return -1;
    }
    if (!s390_pv_tcg_check_cpus(ms, errp)) {
        return -1;
    }
    /* RAM that another process can map is RAM the host can read */
    if (ms->ram && memory_region_is_ram(ms->ram) &&
        qemu_ram_is_shared(ms->ram->ram_block) && !pv->allow_shared_ram) {
        error_setg(errp, "s390-pv-guest: the guest RAM is shared "
                   "(a memory backend with share=on), so the host can read "
                   "the protected guest through it; use share=off, or set "
                   "allow-shared-ram=on for development");
        return -1;
    }
    if (!s390_pv_tcg_load_key("host-key", pv->host_key, &primary, errp)) {
        return -1;
    }
    if (pv->backup_host_key &&
        !s390_pv_tcg_load_key("backup-host-key", pv->backup_host_key,
                              &backup, errp)) {
        cc_wipe(&primary, sizeof(primary));
        return -1;
    }

    /*
     * The CPU model was checked before this point, so these bits are not
     * subject to the model's compatibility checks: they exist exactly
     * when the machine has an ultravisor.  STFLE, SCLP and s390_has_feat()
     * all use the first CPU; every CPU gets them for consistency.
     */
    CPU_FOREACH(cs) {
        S390CPU *cpu = S390_CPU(cs);

        if (cpu->model) {
            set_bit(S390_FEAT_UNPACK, cpu->model->features);
            set_bit(S390_FEAT_UV_CALL, cpu->model->features);
        }
    }

    pv->max_cpus = ms->smp.max_cpus;
    pv->cpu_handles = g_new0(uint64_t, pv->max_cpus);
    pv->uv = se_uv_new(ms->ram_size, pv->max_cpus, &primary,
                       pv->backup_host_key ? &backup : NULL);
    cc_wipe(&primary, sizeof(primary));
    cc_wipe(&backup, sizeof(backup));

    s390_pv_tcg_access_init(pv);
    /* Channel programs, data and indicators: the filtered view too */
    css_set_io_as(&pv->dma_as);

    pv->cpu_hooks = (S390UvTcg) {
        .diag308 = s390_pv_tcg_diag308,
        .load_normal = s390_pv_tcg_load_normal,
        .uvc = s390_pv_tcg_uvc,
        .debug_access_ok = s390_pv_tcg_debug_access_ok,
        .dump_denied = s390_pv_tcg_dump_denied,
        .protected = s390_pv_tcg_protected,
        .dump_start = s390_pv_tcg_dump_start,
        .dump_cpu = s390_pv_tcg_dump_cpu,
        .dump_stor_state = s390_pv_tcg_dump_stor_state,
        .dump_complete = s390_pv_tcg_dump_complete,
        .dump_page = s390_pv_tcg_dump_page,
        .dump_cpu_len = SE_DUMP_CPU_LEN,
        .dump_stor_state_len = SE_DUMP_STOR_STATE_LEN,
        .dump_compl_len = SE_DUMP_COMPL_LEN,
        .opaque = pv,
    };
    /* These CPUs exist; the machine hands the hooks to hot-plugged ones */
    s390ms->uv_tcg = &pv->cpu_hooks;
    CPU_FOREACH(cs) {
        S390_CPU(cs)->uv_tcg = &pv->cpu_hooks;
    }
    pv->machine = s390ms;
    cgs->ready = true;
    return 0;
}

static char *s390_pv_tcg_get_host_key(Object *obj, Error **errp)
{
    return g_strdup(S390_PV_GUEST(obj)->host_key);
}

static char *s390_pv_tcg_get_backup_host_key(Object *obj, Error **errp)
{
    return g_strdup(S390_PV_GUEST(obj)->backup_host_key);
}

static bool s390_pv_tcg_settable(Object *obj, const char *prop, Error **errp)
{
    if (S390_PV_GUEST(obj)->machine) {
        error_setg(errp, "s390-pv-guest: %s cannot be changed once the "
                   "machine is set up", prop);
        return false;
    }
    return true;
}

static void s390_pv_tcg_set_host_key(Object *obj, const char *value,
                                     Error **errp)
{
    S390PvTcgGuest *pv = S390_PV_GUEST(obj);

    if (s390_pv_tcg_settable(obj, "host-key", errp)) {
        g_free(pv->host_key);
        pv->host_key = g_strdup(value);
    }
}

static void s390_pv_tcg_set_backup_host_key(Object *obj, const char *value,
                                            Error **errp)
{
    S390PvTcgGuest *pv = S390_PV_GUEST(obj);

    if (s390_pv_tcg_settable(obj, "backup-host-key", errp)) {
        g_free(pv->backup_host_key);
        pv->backup_host_key = g_strdup(value);
    }
}

static bool s390_pv_tcg_get_allow_shared_ram(Object *obj, Error **errp)
{
    return S390_PV_GUEST(obj)->allow_shared_ram;
}

static void s390_pv_tcg_set_allow_shared_ram(Object *obj, bool value,
                                             Error **errp)
{
    if (s390_pv_tcg_settable(obj, "allow-shared-ram", errp)) {
        S390_PV_GUEST(obj)->allow_shared_ram = value;
    }
}

/* The machine keeps using the object (and its address space) once set up */
static bool s390_pv_tcg_can_be_deleted(UserCreatable *uc)
{
    return !S390_PV_GUEST(uc)->machine;
}

OBJECT_DEFINE_TYPE_WITH_INTERFACES(S390PvTcgGuest,
                                   s390_pv_tcg_guest,
                                   S390_PV_GUEST,
                                   CONFIDENTIAL_GUEST_SUPPORT,
                                   { TYPE_USER_CREATABLE },
                                   { NULL })

static void s390_pv_tcg_guest_class_init(ObjectClass *oc, void *data)
{
    ConfidentialGuestSupportClass *klass = CONFIDENTIAL_GUEST_SUPPORT_CLASS(oc);
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    klass->kvm_init = s390_pv_tcg_init;
    klass->debug_access_ok = s390_pv_tcg_debug_range_ok;
    klass->hides_guest_state = true;
    klass->dump_ok = s390_pv_tcg_dump_ok;
    ucc->can_be_deleted = s390_pv_tcg_can_be_deleted;

    object_class_property_add_str(oc, "host-key", s390_pv_tcg_get_host_key,
                                  s390_pv_tcg_set_host_key);
    object_class_property_set_description(oc, "host-key",
        "File with the EC P-521 (secp521r1) private host key of the "
        "emulated ultravisor, PEM or DER (SEC1 or PKCS#8).  Secure "
        "Execution images must carry a key slot for its public key.  "
        "Default: the machine's key, $QEMU_IBM_CC_SE_HOST_KEY or "
        "<prefix>/etc/qemu/se-host-key.pem");
    object_class_property_add_str(oc, "backup-host-key",
                                  s390_pv_tcg_get_backup_host_key,
                                  s390_pv_tcg_set_backup_host_key);
    object_class_property_set_description(oc, "backup-host-key",
        "Optional second EC P-521 private host key: images with a key "
        "slot for either key are accepted");
    object_class_property_add_bool(oc, "allow-shared-ram",
                                   s390_pv_tcg_get_allow_shared_ram,
                                   s390_pv_tcg_set_allow_shared_ram);
    object_class_property_set_description(oc, "allow-shared-ram",
        "Developer option: accept guest RAM shared with other processes "
        "(a memory backend with share=on); the host can read the "
        "protected guest through it (default: off)");
}

static void s390_pv_tcg_guest_init(Object *obj)
{
    S390PvTcgGuest *pv = S390_PV_GUEST(obj);

    pv->unpacked = g_array_new(false, false, sizeof(S390PvRange));
}

static void s390_pv_tcg_guest_finalize(Object *obj)
{
    S390PvTcgGuest *pv = S390_PV_GUEST(obj);

    g_free(pv->host_key);
    g_free(pv->backup_host_key);
    g_array_free(pv->unpacked, true);
    g_free(pv->fail.what);
    g_free(pv->cpu_handles);
    se_uv_free(pv->uv);
}
