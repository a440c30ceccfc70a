/*
 * The TPM key channel of POWER Secure VMs: provisioning and unwrapping
 * over tpm2-tss's ESYS.  See include/hw/ppc/ultravisor/uv-pef-tpm.h.
 *
 * ESYS marshals every command, runs the policy session (nonces, the
 * HMAC of each command and response, the AES-128-CFB encryption of the
 * response) and checks each response; our part is a TCTI that hands the
 * bytes to the caller's transport, the key templates and the sequences.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/ppc/ultravisor/uv-pef-tpm.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

/* ---- a TCTI over UvPefTpmIo: one command, then its response */

#define TCTI_MAGIC  0x7576706566747069ULL   /* "uvpeftpi" */

typedef struct UvTcti {
    TSS2_TCTI_CONTEXT_COMMON_V2 common;
    const UvPefTpmIo *io;
    uint8_t rsp[UV_PEF_TPM_BUF_MAX];
    size_t rsp_len;
    bool have_rsp;
} UvTcti;

static TSS2_RC tcti_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size,
                             const uint8_t *cmd)
{
    UvTcti *t = (UvTcti *)ctx;
    ssize_t n;

    if (size > UV_PEF_TPM_BUF_MAX || t->have_rsp) {
        return TSS2_TCTI_RC_BAD_SEQUENCE;
    }
    n = t->io->transmit(t->io->opaque, cmd, size, t->rsp, sizeof(t->rsp));
    if (n < 10 || (size_t)n > sizeof(t->rsp)) {
        return TSS2_TCTI_RC_IO_ERROR;
    }
    t->rsp_len = n;
    t->have_rsp = true;
    return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size,
                            uint8_t *rsp, int32_t timeout)
{
    UvTcti *t = (UvTcti *)ctx;

    if (!t->have_rsp) {
        return TSS2_TCTI_RC_BAD_SEQUENCE;
    }
    if (!rsp) {
        *size = t->rsp_len;
        return TSS2_RC_SUCCESS;
    }
    if (*size < t->rsp_len) {
        *size = t->rsp_len;
        return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
    }
    memcpy(rsp, t->rsp, t->rsp_len);
    *size = t->rsp_len;
    t->have_rsp = false;
    cc_wipe(t->rsp, t->rsp_len);
    return TSS2_RC_SUCCESS;
}

static void tcti_finalize(TSS2_TCTI_CONTEXT *ctx)
{
}

static void tcti_init(UvTcti *t, const UvPefTpmIo *io)
{
    memset(t, 0, sizeof(*t));
    t->common.v1.magic = TCTI_MAGIC;
    t->common.v1.version = 2;
    t->common.v1.transmit = tcti_transmit;
    t->common.v1.receive = tcti_receive;
    t->common.v1.finalize = tcti_finalize;
    t->io = io;
}

/* An ESYS context over @io; the TPM started if nobody had started it. */
static ESYS_CONTEXT *esys_open(UvTcti *t, const UvPefTpmIo *io,
                               const char **why)
{
    ESYS_CONTEXT *ctx;
    TSS2_RC rc;

    tcti_init(t, io);
    if (Esys_Initialize(&ctx, (TSS2_TCTI_CONTEXT *)t, NULL)) {
        *why = "cannot set up the TPM client (tpm2-tss ESYS)";
        return NULL;
    }
    rc = Esys_Startup(ctx, TPM2_SU_CLEAR);
    if (rc && rc != TPM2_RC_INITIALIZE) {
        *why = "the TPM does not answer TPM2_Startup";
        Esys_Finalize(&ctx);
        return NULL;
    }
    return ctx;
}

/* ---- policies */

static void policy_extend(uint8_t d[32], uint32_t cc, const void *a,
                          size_t alen, const void *b, size_t blen)
{
    gnutls_hash_hd_t h;
    uint8_t c[4];

    cc_put_be32(c, cc);
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
        g_error("GnuTLS has no SHA-256");
    }
    gnutls_hash(h, d, 32);
    gnutls_hash(h, c, 4);
    gnutls_hash(h, a, alen);
    gnutls_hash(h, b, blen);
    gnutls_hash_deinit(h, d);
}

/* PCR16 in the SHA-256 bank */
static const TPML_PCR_SELECTION pcr16 = {
    .count = 1,
    .pcrSelections = { { .hash = TPM2_ALG_SHA256, .sizeofSelect = 3,
                         .pcrSelect = { 0x00, 0x00, 0x01 } } },
};

void uv_pef_tpm_policies(uint8_t a[UV_PEF_TPM_POLICY_LEN],
                         uint8_t b[UV_PEF_TPM_POLICY_LEN],
                         uint8_t or[UV_PEF_TPM_POLICY_LEN])
{
    uint8_t code[4], sel[sizeof(TPML_PCR_SELECTION)], pcr_digest[32];
    uint8_t zero_pcr[32] = { 0 };
    size_t sel_len = 0;

    memset(a, 0, 32);
    cc_put_be32(code, TPM2_CC_RSA_Decrypt);
    policy_extend(a, TPM2_CC_PolicyCommandCode, code, 4, NULL, 0);
    policy_extend(a, TPM2_CC_PolicyAuthValue, NULL, 0, NULL, 0);

    memset(b, 0, 32);
    cc_put_be32(code, TPM2_CC_ObjectChangeAuth);
    policy_extend(b, TPM2_CC_PolicyCommandCode, code, 4, NULL, 0);
    if (Tss2_MU_TPML_PCR_SELECTION_Marshal(&pcr16, sel, sizeof(sel),
                                           &sel_len) ||
        gnutls_hash_fast(GNUTLS_DIG_SHA256, zero_pcr, sizeof(zero_pcr),
                         pcr_digest) < 0) {
        g_error("cannot compute the PCR policy");
    }
    policy_extend(b, TPM2_CC_PolicyPCR, sel, sel_len, pcr_digest,
                  sizeof(pcr_digest));

    memset(or, 0, 32);
    policy_extend(or, TPM2_CC_PolicyOR, a, 32, b, 32);
}

/* A policy session as the ultravisor and the firmware open it. */
static ESYS_TR policy_session(ESYS_CONTEXT *ctx)
{
    TPMT_SYM_DEF sym = {
        .algorithm = TPM2_ALG_AES,
        .keyBits.aes = 128,
        .mode.aes = TPM2_ALG_CFB,
    };
    ESYS_TR s;

    if (Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                              ESYS_TR_NONE, ESYS_TR_NONE, NULL,
                              TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &s)) {
        return ESYS_TR_NONE;
    }
    return s;
}

static bool policy_or(ESYS_CONTEXT *ctx, ESYS_TR s, const uint8_t *a,
                      const uint8_t *b)
{
    TPML_DIGEST list = { .count = 2 };

    list.digests[0].size = list.digests[1].size = 32;
    memcpy(list.digests[0].buffer, a, 32);
    memcpy(list.digests[1].buffer, b, 32);
    return !Esys_PolicyOR(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                          &list);
}

/* ---- provisioning (the firmware's wrapping_key_init) */

static TPM2B_PUBLIC primary_template(void)
{
    return (TPM2B_PUBLIC) { .publicArea = {
        .type = TPM2_ALG_RSA,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = TPMA_OBJECT_NODA | TPMA_OBJECT_FIXEDTPM |
            TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
            TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_DECRYPT |
            TPMA_OBJECT_RESTRICTED,
        .parameters.rsaDetail = {
            .symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
                           .mode.aes = TPM2_ALG_CFB },
            .scheme.scheme = TPM2_ALG_NULL,
            .keyBits = 2048,
        },
    } };
}

static TPM2B_PUBLIC wrapping_template(void)
{
    uint8_t a[32], b[32], or[32];
    TPM2B_PUBLIC t = { .publicArea = {
        .type = TPM2_ALG_RSA,
        .nameAlg = TPM2_ALG_SHA256,
        /* no userWithAuth: a policy session is required */
        .objectAttributes = TPMA_OBJECT_NODA |
            TPMA_OBJECT_ENCRYPTEDDUPLICATION |
            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_DECRYPT,
        .parameters.rsaDetail = {
            .symmetric.algorithm = TPM2_ALG_NULL,
            .scheme = { .scheme = TPM2_ALG_OAEP,
                        .details.oaep.hashAlg = TPM2_ALG_SHA256 },
            .keyBits = 2048,
        },
    } };

    uv_pef_tpm_policies(a, b, or);
    t.publicArea.authPolicy.size = 32;
    memcpy(t.publicArea.authPolicy.buffer, or, 32);
    return t;
}

/*
 * ESYS_TR of persistent @handle, or ESYS_TR_NONE if the TPM has none.
 * Asked with GetCapability first, as the firmware does: ReadPublic of an
 * absent handle is an error tpm2-tss logs.
 */
static ESYS_TR persistent(ESYS_CONTEXT *ctx, uint32_t handle)
{
    TPMS_CAPABILITY_DATA *cap = NULL;
    TPMI_YES_NO more;
    bool present;
    ESYS_TR tr;

    if (Esys_GetCapability(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                           TPM2_CAP_HANDLES, handle, 1, &more, &cap)) {
        return ESYS_TR_NONE;
    }
    present = cap->data.handles.count == 1 &&
              cap->data.handles.handle[0] == handle;
    Esys_Free(cap);
    if (!present ||
        Esys_TR_FromTPMPublic(ctx, handle, ESYS_TR_NONE, ESYS_TR_NONE,
                              ESYS_TR_NONE, &tr)) {
        return ESYS_TR_NONE;
    }
    return tr;
}

static bool persist(ESYS_CONTEXT *ctx, ESYS_TR obj, uint32_t handle)
{
    ESYS_TR out;

    return !Esys_EvictControl(ctx, ESYS_TR_RH_PLATFORM, obj,
                              ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                              handle, &out);
}

static bool make_primary(ESYS_CONTEXT *ctx)
{
    TPM2B_SENSITIVE_CREATE sens = { 0 };
    TPM2B_PUBLIC tmpl = primary_template();
    TPM2B_DATA outside = { 0 };
    TPML_PCR_SELECTION pcrs = { 0 };
    ESYS_TR obj;
    bool ok;

    if (Esys_CreatePrimary(ctx, ESYS_TR_RH_PLATFORM, ESYS_TR_PASSWORD,
                           ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
                           &outside, &pcrs, &obj, NULL, NULL, NULL, NULL)) {
        return false;
    }
    ok = persist(ctx, obj, UV_PEF_TPM_PRIMARY);
    Esys_FlushContext(ctx, obj);
    return ok;
}

/* Load @priv/@pub under the primary and persist it as the wrapping key. */
static bool load_wrapping_key(ESYS_CONTEXT *ctx, ESYS_TR parent,
                              const TPM2B_PRIVATE *priv,
                              const TPM2B_PUBLIC *pub)
{
    ESYS_TR obj;
    bool ok;

    if (Esys_Load(ctx, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                  priv, pub, &obj)) {
        return false;
    }
    ok = persist(ctx, obj, UV_PEF_TPM_WRAPPING_KEY);
    Esys_FlushContext(ctx, obj);
    return ok;
}

static bool make_wrapping_key(ESYS_CONTEXT *ctx, ESYS_TR parent,
                              const TPM2B_AUTH *auth)
{
    TPM2B_SENSITIVE_CREATE sens = { .sensitive.userAuth = *auth };
    TPM2B_PUBLIC tmpl = wrapping_template();
    TPM2B_DATA outside = { 0 };
    TPML_PCR_SELECTION pcrs = { 0 };
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    bool ok;

    if (Esys_Create(ctx, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                    ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, &priv, &pub,
                    NULL, NULL, NULL)) {
        cc_wipe(&sens, sizeof(sens));
        return false;
    }
    cc_wipe(&sens, sizeof(sens));
    ok = load_wrapping_key(ctx, parent, priv, pub);
    Esys_Free(priv);
    Esys_Free(pub);
    return ok;
}

/*
 * A new password for the existing key, under policy B (PCR16 still zero):
 * ObjectChangeAuth gives a new private part, which replaces the
 * persistent copy.
 */
static bool change_password(ESYS_CONTEXT *ctx, ESYS_TR parent, ESYS_TR key,
                            const TPM2B_AUTH *auth)
{
    uint8_t a[32], b[32], or[32];
    TPM2B_DIGEST empty = { 0 };
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    ESYS_TR s, gone;
    bool ok = false;

    uv_pef_tpm_policies(a, b, or);
    s = policy_session(ctx);
    if (s == ESYS_TR_NONE) {
        return false;
    }
    if (Esys_PolicyCommandCode(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE,
                               ESYS_TR_NONE, TPM2_CC_ObjectChangeAuth) ||
        Esys_PolicyPCR(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                       &empty, &pcr16) ||
        !policy_or(ctx, s, a, b) ||
        Esys_ObjectChangeAuth(ctx, key, parent, s, ESYS_TR_NONE,
                              ESYS_TR_NONE, auth, &priv) ||
        Esys_ReadPublic(ctx, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                        &pub, NULL, NULL)) {
        goto out;
    }
    /*
     * Evict the old persistent copy, then persist the new one, in the
     * firmware's order: should the TPM fail in between, no wrapping key
     * is left, the next provisioning makes a new one and blobs must be
     * made again for it (pef-tpm public shows which key it is).
     */
    if (Esys_EvictControl(ctx, ESYS_TR_RH_PLATFORM, key, ESYS_TR_PASSWORD,
                          ESYS_TR_NONE, ESYS_TR_NONE,
                          UV_PEF_TPM_WRAPPING_KEY, &gone)) {
        goto out;
    }
    ok = load_wrapping_key(ctx, parent, priv, pub);
out:
    Esys_FlushContext(ctx, s);
    Esys_Free(priv);
    Esys_Free(pub);
    return ok;
}

bool uv_pef_tpm_provision(const UvPefTpmIo *io,
                          const uint8_t passwd[UV_PEF_TPM_PASSWD_LEN],
                          UvPefTpmKey *key, const char **why)
{
    g_autofree UvTcti *t = g_new(UvTcti, 1);
    TPM2B_AUTH auth = { .size = UV_PEF_TPM_PASSWD_LEN };
    ESYS_CONTEXT *ctx;
    ESYS_TR parent, wkey;
    TPM2B_NAME *name = NULL;
    bool ok = false;

    if (memchr(passwd, 0, UV_PEF_TPM_PASSWD_LEN)) {
        *why = "the password has a zero byte";
        return false;
    }
    ctx = esys_open(t, io, why);
    if (!ctx) {
        return false;
    }
    memcpy(auth.buffer, passwd, UV_PEF_TPM_PASSWD_LEN);
    parent = persistent(ctx, UV_PEF_TPM_PRIMARY);
    if (parent == ESYS_TR_NONE) {
        if (!make_primary(ctx)) {
            *why = "cannot create the storage primary key (is the TPM's "
                   "platform hierarchy enabled?)";
            goto out;
        }
        parent = persistent(ctx, UV_PEF_TPM_PRIMARY);
    }
    wkey = persistent(ctx, UV_PEF_TPM_WRAPPING_KEY);
    if (wkey == ESYS_TR_NONE) {
        if (!make_wrapping_key(ctx, parent, &auth)) {
            *why = "cannot create the wrapping key";
            goto out;
        }
    } else if (!change_password(ctx, parent, wkey, &auth)) {
        *why = "cannot give the wrapping key a new password (PCR16 not "
               "zero, or the key at 0x81800001 is not ours)";
        goto out;
    }
    wkey = persistent(ctx, UV_PEF_TPM_WRAPPING_KEY);
    if (wkey == ESYS_TR_NONE || Esys_TR_GetName(ctx, wkey, &name) ||
        name->size > sizeof(key->name)) {
        *why = "cannot read the wrapping key's name";
        goto out;
    }
    key->handle = UV_PEF_TPM_WRAPPING_KEY;
    memcpy(key->passwd, passwd, UV_PEF_TPM_PASSWD_LEN);
    memcpy(key->name, name->name, name->size);
    key->name_len = name->size;
    uv_pef_tpm_policies(key->policy_a, key->policy_b, (uint8_t[32]) { 0 });
    ok = true;
out:
    cc_wipe(&auth, sizeof(auth));
    Esys_Free(name);
    Esys_Finalize(&ctx);
    cc_wipe(t, sizeof(*t));
    return ok;
}

char *uv_pef_tpm_public_pem(const UvPefTpmIo *io, const char **why)
{
    g_autofree UvTcti *t = g_new(UvTcti, 1);
    ESYS_CONTEXT *ctx = esys_open(t, io, why);
    TPM2B_PUBLIC *pub = NULL;
    gnutls_pubkey_t pk = NULL;
    gnutls_datum_t n, e, pem = { 0 };
    uint8_t exp[4];
    char *out = NULL;
    ESYS_TR key;

    if (!ctx) {
        return NULL;
    }
    key = persistent(ctx, UV_PEF_TPM_WRAPPING_KEY);
    if (key == ESYS_TR_NONE ||
        Esys_ReadPublic(ctx, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                        &pub, NULL, NULL) ||
        pub->publicArea.type != TPM2_ALG_RSA) {
        *why = "the TPM has no RSA wrapping key at 0x81800001 "
               "(provision it first)";
        goto out;
    }
    /* exponent 0 means the default, 65537 */
    cc_put_be32(exp, pub->publicArea.parameters.rsaDetail.exponent ?
                     pub->publicArea.parameters.rsaDetail.exponent : 65537);
    n = (gnutls_datum_t) { .data = pub->publicArea.unique.rsa.buffer,
                           .size = pub->publicArea.unique.rsa.size };
    e = (gnutls_datum_t) { .data = exp, .size = sizeof(exp) };
    if (gnutls_pubkey_init(&pk) < 0 ||
        gnutls_pubkey_import_rsa_raw(pk, &n, &e) < 0 ||
        gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_PEM, &pem) < 0) {
        *why = "cannot encode the wrapping key as PEM";
        goto out;
    }
    out = g_strndup((const char *)pem.data, pem.size);
out:
    gnutls_free(pem.data);
    if (pk) {
        gnutls_pubkey_deinit(pk);
    }
    Esys_Free(pub);
    Esys_Finalize(&ctx);
    return out;
}

/* ---- unwrapping (the ultravisor's UV_TSS_Decrypt) */

UvEsmStatus uv_pef_tpm_unwrap(const UvPefTpmIo *io, const UvPefTpmKey *key,
                              const uint8_t *wrapped, size_t wrapped_len,
                              uint8_t symkey[UV_ESM_SYMKEY_LEN])
{
    g_autofree UvTcti *t = g_new(UvTcti, 1);
    const char *why;
    ESYS_CONTEXT *ctx;
    ESYS_TR k, s = ESYS_TR_NONE;
    TPM2B_NAME *name = NULL;
    TPM2B_AUTH auth = { .size = UV_PEF_TPM_PASSWD_LEN };
    TPM2B_PUBLIC_KEY_RSA ct = { 0 };
    TPMT_RSA_DECRYPT scheme = { .scheme = TPM2_ALG_NULL };
    TPM2B_DATA label = { 0 };
    TPM2B_PUBLIC_KEY_RSA *msg = NULL;
    UvEsmStatus st = UV_ESM_TPM;
    TSS2_RC rc;

    if (!io || !key) {
        return UV_ESM_TPM;          /* the machine has no TPM for it */
    }
    if (wrapped_len > sizeof(ct.buffer)) {
        return UV_ESM_UNWRAP;
    }
    ctx = esys_open(t, io, &why);
    if (!ctx) {
        return UV_ESM_TPM;
    }
    /* The key must be the one the firmware named (ReadPublic). */
    k = persistent(ctx, key->handle);
    if (k == ESYS_TR_NONE || Esys_TR_GetName(ctx, k, &name) ||
        name->size != key->name_len ||
        memcmp(name->name, key->name, key->name_len)) {
        goto out;
    }
    s = policy_session(ctx);
    if (s == ESYS_TR_NONE ||
        Esys_PolicyCommandCode(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE,
                               ESYS_TR_NONE, TPM2_CC_RSA_Decrypt) ||
        Esys_PolicyAuthValue(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE,
                             ESYS_TR_NONE)) {
        goto out;
    }
    /* A wrong policy list or password is the TPM refusing: UNWRAP. */
    st = UV_ESM_UNWRAP;
    if (!policy_or(ctx, s, key->policy_a, key->policy_b)) {
        goto out;
    }
    memcpy(auth.buffer, key->passwd, UV_PEF_TPM_PASSWD_LEN);
    memcpy(ct.buffer, wrapped, wrapped_len);
    ct.size = wrapped_len;
    if (Esys_TR_SetAuth(ctx, k, &auth) ||
        Esys_TRSess_SetAttributes(ctx, s, TPMA_SESSION_ENCRYPT |
                                  TPMA_SESSION_CONTINUESESSION, 0xff)) {
        st = UV_ESM_TPM;
        goto out;
    }
    rc = Esys_RSA_Decrypt(ctx, k, s, ESYS_TR_NONE, ESYS_TR_NONE, &ct,
                          &scheme, &label, &msg);
    if (rc) {
        /* A TPM error code is a refusal; anything else a broken channel */
        st = (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER ?
             UV_ESM_UNWRAP : UV_ESM_TPM;
        goto out;
    }
    if (msg->size != UV_ESM_SYMKEY_LEN) {
        goto out;
    }
    memcpy(symkey, msg->buffer, UV_ESM_SYMKEY_LEN);
    st = UV_ESM_OK;
out:
    if (msg) {
        cc_wipe(msg, sizeof(*msg));
    }
    Esys_Free(msg);
    Esys_Free(name);
    cc_wipe(&auth, sizeof(auth));
    if (s != ESYS_TR_NONE) {
        Esys_FlushContext(ctx, s);
    }
    Esys_Finalize(&ctx);
    cc_wipe(t, sizeof(*t));
    return st;
}
