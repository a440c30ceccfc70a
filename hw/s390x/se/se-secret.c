/*
 * IBM Z Secure Execution secrets: ASRCB checks and decryption, the secret
 * store, and the ASRCB builder (see include/hw/s390x/se/se-secret.h).
 *
 * Cryptography: the SE requests' key slots and AES-256-GCM (se-req.c),
 * SHA-256, SHA-512 and HKDF from nettle.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "hw/s390x/se/se-secret.h"

#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

GQuark se_secret_error_quark(void)
{
    return g_quark_from_static_string("se-secret-error-quark");
}

typedef struct SeSecret {
    uint16_t idx;
    uint16_t type;
    uint32_t len;
    uint8_t id[SE_SECRET_ID_SIZE];
    uint8_t *value;             /* len bytes */
} SeSecret;

struct SeSecretStore {
    uint8_t tags[SE_ATT_TAGS_SIZE];
    uint8_t cuid[SE_ATT_CUID_SIZE];
    uint8_t cck[SE_SECRET_CCK_SIZE];
    uint64_t scf;
    GArray *secrets;            /* SeSecret, listable ones, by index */
    unsigned n_assoc, n_retr;
    bool locked;
    bool dump_disabled;
    bool has_ext;               /* the first request fixed the extension */
    uint8_t ext[SE_SECRET_EXT_SIZE];
    struct sha512_ctx tag_hash; /* over the tags of the added requests */
};

static void secret_clear(gpointer p)
{
    SeSecret *s = p;

    if (s->value) {
        cc_wipe(s->value, s->len);
        g_free(s->value);
    }
    cc_wipe(s, sizeof(*s));
}

SeSecretStore *se_secret_store_new(const uint8_t tags[SE_ATT_TAGS_SIZE],
                                   const uint8_t cuid[SE_ATT_CUID_SIZE],
                                   const uint8_t cck[SE_SECRET_CCK_SIZE],
                                   uint64_t scf)
{
    SeSecretStore *st = g_new0(SeSecretStore, 1);

    memcpy(st->tags, tags, SE_ATT_TAGS_SIZE);
    memcpy(st->cuid, cuid, SE_ATT_CUID_SIZE);
    memcpy(st->cck, cck, SE_SECRET_CCK_SIZE);
    st->scf = scf;
    st->secrets = g_array_new(false, true, sizeof(SeSecret));
    g_array_set_clear_func(st->secrets, secret_clear);
    sha512_init(&st->tag_hash);
    return st;
}

void se_secret_store_free(SeSecretStore *st)
{
    if (!st) {
        return;
    }
    g_array_unref(st->secrets);
    cc_wipe(st, sizeof(*st));
    g_free(st);
}

/* ---- types ------------------------------------------------------------- */

static bool type_listable(uint16_t type)
{
    return type != SE_SECRET_META && type != SE_SECRET_UPDATE_CCK;
}

static bool type_retrievable(uint16_t type)
{
    return type_listable(type) && type != SE_SECRET_ASSOC;
}

bool se_secret_len_ok(uint16_t type, uint32_t len)
{
    switch (type) {
    case SE_SECRET_META:
        return len == 0;
    case SE_SECRET_PLAIN:
        /* u16 length || payload, padded to the AES block size */
        return len >= 16 && len <= SE_SECRET_PLAIN_MAX && !(len % 16);
    case SE_SECRET_AES_128:
        return len == 16;
    case SE_SECRET_AES_192:
        return len == 24;
    case SE_SECRET_EC_P384:
        return len == 48;
    case SE_SECRET_ASSOC:
    case SE_SECRET_AES_256:
    case SE_SECRET_AES_XTS_128:
    case SE_SECRET_EC_P256:
    case SE_SECRET_ED25519:
    case SE_SECRET_UPDATE_CCK:
        return len == 32;
    case SE_SECRET_AES_XTS_256:
    case SE_SECRET_HMAC_SHA_256:
    case SE_SECRET_ED448:
        return len == 64;
    case SE_SECRET_HMAC_SHA_512:
        return len == 128;
    case SE_SECRET_EC_P521:
        return len == 80;       /* the scalar padded (guest_secret.rs) */
    default:
        return false;
    }
}

uint64_t se_secret_supported_types(void)
{
    uint64_t bits = 0;
    unsigned t;

    /* meta, association, plaintext, the keys (0x04-0x0a, 0x11-0x15), CCK */
    for (t = SE_SECRET_META; t <= SE_SECRET_TYPE_MAX; t++) {
        if (t <= SE_SECRET_HMAC_SHA_512 || t >= SE_SECRET_EC_P256) {
            bits |= SE_FLAG_BIT(t);
        }
    }
    return bits;
}

/* ---- the ultravisor's side --------------------------------------------- */

/* Header, fixed authenticated part, one key slot, meta header, ext, tag */
#define ASRCB_MIN_SIZE \
    (SE_ASRCB_OFF_SLOTS + SE_HDR_KEY_SLOT_SIZE + SE_ASRCB_META_HDR_SIZE + \
     SE_SECRET_EXT_SIZE + SE_HDR_TAG_SIZE)

/*
 * [U] The order of the checks, and which rc a check the documentation
 * does not name gets: an unknown magic or user-data type is an
 * unsupported version, an image or instance mismatch or a wrong
 * extension secret "unable to add secret" (0x010c).
 */
uint16_t se_asrcb_length(const uint8_t *hdr, size_t len, uint32_t *rql)
{
    *rql = 0;
    if (len < SE_REQ_HDR_SIZE) {
        return SE_SECRET_RC_SIZE;
    }
    if (memcmp(hdr, SE_ASRCB_MAGIC, SE_ASRCB_MAGIC_LEN) ||
        cc_get_be(hdr + SE_ASRCB_OFF_USER_TYPE, 2) > SE_ASRCB_USER_RSA3072 ||
        cc_get_be(hdr + SE_REQ_OFF_RQVN, 4) != SE_ASRCB_VERSION_V1) {
        return SE_SECRET_RC_VERSION;
    }
    *rql = cc_get_be(hdr + SE_REQ_OFF_RQL, 4);
    if (*rql < ASRCB_MIN_SIZE || *rql > SE_ASRCB_MAX_SIZE) {
        return SE_SECRET_RC_SIZE;
    }
    return SE_SECRET_RC_OK;
}

typedef struct Asrcb {
    SeReq req;
    uint64_t flags;
    uint16_t type;
    uint32_t secret_len;
    const uint8_t *id;          /* NULL for meta secrets */
} Asrcb;

static uint16_t asrcb_parse(const uint8_t *buf, size_t len, Asrcb *a)
{
    uint32_t rql, shdr_size;
    uint64_t off;
    uint16_t rc = se_asrcb_length(buf, len, &rql);

    if (rc != SE_SECRET_RC_OK) {
        return rc;
    }
    if (len < rql) {
        return SE_SECRET_RC_SIZE;
    }
    se_req_header(buf, &a->req);
    a->flags = cc_get_be64(buf + SE_ASRCB_OFF_FLAGS);
    off = SE_ASRCB_OFF_SLOTS + (uint64_t)a->req.nks * SE_HDR_KEY_SLOT_SIZE;
    if (a->req.nks == 0 ||
        off + SE_ASRCB_META_HDR_SIZE + SE_SECRET_EXT_SIZE +
        SE_HDR_TAG_SIZE > rql) {
        return SE_SECRET_RC_NKS;
    }
    a->type = cc_get_be(buf + off + 2, 2);
    a->secret_len = cc_get_be(buf + off + 4, 4);
    shdr_size = a->type == SE_SECRET_META ? SE_ASRCB_META_HDR_SIZE
                                          : SE_ASRCB_SECRET_HDR_SIZE;
    a->id = a->type == SE_SECRET_META ? NULL : buf + off + 0x10;
    if (off + shdr_size + a->secret_len + SE_SECRET_EXT_SIZE +
        SE_HDR_TAG_SIZE != rql ||
        a->req.sea != (uint64_t)a->secret_len + SE_SECRET_EXT_SIZE) {
        return SE_SECRET_RC_SIZE;
    }
    if (a->flags & ~SE_ASRCB_FLAGS_SUPPORTED) {
        return SE_SECRET_RC_FLAGS;
    }
    /* CCK updates: whether the SE header allows them is the caller's */
    if (a->type > SE_SECRET_TYPE_MAX ||
        !(se_secret_supported_types() & SE_FLAG_BIT(a->type))) {
        return SE_SECRET_RC_TYPE;
    }
    if (!se_secret_len_ok(a->type, a->secret_len)) {
        return SE_SECRET_RC_LENGTH;
    }
    return SE_SECRET_RC_OK;
}

static void expected_ext(const SeSecretStore *st,
                         uint8_t ext[SE_SECRET_EXT_SIZE])
{
    se_secret_derive_ext(st->cck, st->tags + SE_ATT_TAGS_SIZE -
                         SE_HDR_TAG_SIZE, ext);
}

uint16_t se_secret_add(SeSecretStore *st, const uint8_t *asrcb, size_t len,
                       const SeHostKey *const *keys, size_t n_keys)
{
    static const uint8_t any_cuid[SE_ATT_CUID_SIZE];
    uint8_t prot_key[SE_HDR_KEY_SIZE], phkh[SE_HDR_PHKH_SIZE];
    uint8_t want_ext[SE_SECRET_EXT_SIZE];
    g_autofree uint8_t *plain = NULL;
    const uint8_t *ext, *cuid;
    uint16_t rc;
    bool ok;
    Asrcb a;

    if (st->locked) {
        return SE_SECRET_RC_LOCKED;
    }
    rc = asrcb_parse(asrcb, len, &a);
    if (rc != SE_SECRET_RC_OK) {
        return rc;
    }
    if (a.type == SE_SECRET_UPDATE_CCK && !(st->scf & SE_SCF_CCK_UPDATE)) {
        return SE_SECRET_RC_TYPE;
    }
    plain = g_malloc(a.req.sea);
    ok = se_req_unwrap(&a.req, SE_ASRCB_OFF_CUST, SE_ASRCB_OFF_SLOTS, keys,
                       n_keys, prot_key, phkh) &&
         se_req_open(&a.req, prot_key, plain);
    cc_wipe(prot_key, sizeof(prot_key));
    if (!ok) {
        return SE_SECRET_RC_DECRYPT;
    }

    /* Bound to this image, and to this instance if it names one */
    cuid = asrcb + SE_ASRCB_OFF_CUID;
    ext = plain + a.secret_len;
    if (memcmp(asrcb + SE_ASRCB_OFF_TAGS, st->tags, SE_ATT_TAGS_SIZE) ||
        (memcmp(cuid, any_cuid, SE_ATT_CUID_SIZE) &&
         memcmp(cuid, st->cuid, SE_ATT_CUID_SIZE))) {
        rc = SE_SECRET_RC_UNABLE;
        goto out;
    }
    /*
     * The extension secret: derived from the CCK when the header's SCF
     * bit 1 says so; otherwise the first request sets it for all others
     * (pvsecret-create(1), --extension-secret and --cck).
     */
    if (st->scf & SE_SCF_CCK_EXT_SECRET) {
        expected_ext(st, want_ext);
        ok = memeql_sec(ext, want_ext, SE_SECRET_EXT_SIZE);
        cc_wipe(want_ext, sizeof(want_ext));
    } else {
        ok = !st->has_ext || memeql_sec(ext, st->ext, SE_SECRET_EXT_SIZE);
    }
    if (!ok) {
        rc = SE_SECRET_RC_UNABLE;
        goto out;
    }
    if ((a.type == SE_SECRET_ASSOC && st->n_assoc >= SE_SECRET_MAX_ASSOC) ||
        (type_retrievable(a.type) && st->n_retr >= SE_SECRET_MAX_RETR)) {
        rc = SE_SECRET_RC_FULL;
        goto out;
    }

    if (a.type == SE_SECRET_UPDATE_CCK) {
        memcpy(st->cck, plain, SE_SECRET_CCK_SIZE);
    } else if (type_listable(a.type)) {
        SeSecret s = {
            .idx = st->secrets->len,
            .type = a.type,
            .len = a.secret_len,
            .value = g_memdup2(plain, a.secret_len),
        };

        memcpy(s.id, a.id, SE_SECRET_ID_SIZE);
        g_array_append_val(st->secrets, s);
        st->n_assoc += a.type == SE_SECRET_ASSOC;
        st->n_retr += type_retrievable(a.type);
    }
    if (!st->has_ext && !(st->scf & SE_SCF_CCK_EXT_SECRET)) {
        memcpy(st->ext, ext, SE_SECRET_EXT_SIZE);
        st->has_ext = true;
    }
    st->dump_disabled |= !!(a.flags & SE_ASRCB_FLAG_DISABLE_DUMP);
    sha512_update(&st->tag_hash, SE_HDR_TAG_SIZE,
                  asrcb + a.req.rql - SE_HDR_TAG_SIZE);
    rc = SE_SECRET_RC_OK;
out:
    cc_wipe(plain, a.req.sea);
    return rc;
}

/*
 * [I] Indexes count the listed secrets from 0 in the order they were
 * added; next_secret_idx is the first index not on the page (0 when the
 * list is complete).
 */
uint16_t se_secret_list(const SeSecretStore *st, uint16_t start,
                        uint8_t page[SE_SECRET_LIST_SIZE])
{
    unsigned total = st->secrets->len, n = 0, i;
    uint8_t *e = page + SE_SECRET_LIST_HDR;

    memset(page, 0, SE_SECRET_LIST_SIZE);
    for (i = start; i < total && n < SE_SECRET_LIST_MAX; i++, n++) {
        const SeSecret *s = &g_array_index(st->secrets, SeSecret, i);

        cc_put_be16(e, s->idx);
        cc_put_be16(e + 2, s->type);
        cc_put_be32(e + 4, s->len);
        memcpy(e + 16, s->id, SE_SECRET_ID_SIZE);
        e += SE_SECRET_LIST_ENTRY;
    }
    cc_put_be16(page, n);
    cc_put_be16(page + 2, total);
    if (i < total) {
        cc_put_be16(page + 4, i);
        return SE_SECRET_RC_MORE_DATA;
    }
    return SE_SECRET_RC_OK;
}

uint16_t se_secret_lock(SeSecretStore *st)
{
    if (st->locked) {
        return SE_SECRET_RC_LOCKED;
    }
    st->locked = true;
    return SE_SECRET_RC_OK;
}

uint16_t se_secret_retrieve(const SeSecretStore *st, uint16_t idx,
                            uint8_t *buf, size_t size, uint32_t *len)
{
    const SeSecret *s;

    *len = 0;
    if (!st->secrets->len) {
        return SE_SECRET_RC_EMPTY;
    }
    if (idx >= st->secrets->len) {
        return SE_SECRET_RC_NO_INDEX;
    }
    s = &g_array_index(st->secrets, SeSecret, idx);
    if (s->type != SE_SECRET_PLAIN) {
        return SE_SECRET_RC_NOT_RETR;
    }
    if (size < s->len) {
        return SE_SECRET_RC_RETR_SMALL;
    }
    memcpy(buf, s->value, s->len);
    *len = s->len;
    return SE_SECRET_RC_OK;
}

void se_secret_store_hash(const SeSecretStore *st,
                          uint8_t out[SE_ATT_SECRET_HASH_SIZE])
{
    struct sha512_ctx ctx = st->tag_hash;
    uint8_t locked = st->locked;

    sha512_update(&ctx, 1, &locked);
    sha512_digest(&ctx, SE_ATT_SECRET_HASH_SIZE, out);
}

bool se_secret_dump_disabled(const SeSecretStore *st)
{
    return st->dump_disabled;
}

void se_secret_store_cck(const SeSecretStore *st,
                         uint8_t cck[SE_SECRET_CCK_SIZE])
{
    memcpy(cck, st->cck, SE_SECRET_CCK_SIZE);
}

/* ---- the requester's side ---------------------------------------------- */

void se_secret_derive_ext(const uint8_t cck[SE_SECRET_CCK_SIZE],
                          const uint8_t hdr_tag[SE_HDR_TAG_SIZE],
                          uint8_t ext[SE_SECRET_EXT_SIZE])
{
    static const char info[] = "IBM Z Ultravisor Add-Secret";
    uint8_t prk[SHA512_DIGEST_SIZE];
    struct hmac_sha512_ctx ctx;

    hmac_sha512_set_key(&ctx, SE_HDR_TAG_SIZE, hdr_tag);
    hkdf_extract(&ctx, (nettle_hash_update_func *)hmac_sha512_update,
                 (nettle_hash_digest_func *)hmac_sha512_digest,
                 SHA512_DIGEST_SIZE, SE_SECRET_CCK_SIZE, cck, prk);
    hmac_sha512_set_key(&ctx, sizeof(prk), prk);
    hkdf_expand(&ctx, (nettle_hash_update_func *)hmac_sha512_update,
                (nettle_hash_digest_func *)hmac_sha512_digest,
                SHA512_DIGEST_SIZE, strlen(info), (const uint8_t *)info,
                SE_SECRET_EXT_SIZE, ext);
    cc_wipe(prk, sizeof(prk));
    cc_wipe(&ctx, sizeof(ctx));
}

void se_secret_name_id(const char *name, uint8_t id[SE_SECRET_ID_SIZE])
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, strlen(name), (const uint8_t *)name);
    sha256_digest(&ctx, SE_SECRET_ID_SIZE, id);
}

uint8_t *se_asrcb_build(const SeAsrcbBuildParams *p, size_t *len,
                        GError **errp)
{
    g_autofree uint8_t *buf = NULL;
    SeReqSealParams sp = {
        .magic = SE_ASRCB_MAGIC, .rqvn = SE_ASRCB_VERSION_V1, .iv = p->iv,
        .prot_key = p->prot_key, .cust_priv = p->cust_priv,
        .host_pub = p->host_pub, .n_host_keys = p->n_host_keys,
        .cust_off = SE_ASRCB_OFF_CUST, .slots_off = SE_ASRCB_OFF_SLOTS,
    };
    size_t shdr, off, sea, rql;

    if (p->n_host_keys == 0 || p->n_host_keys > 255) {
        g_set_error(errp, SE_SECRET_ERROR, 0, "need 1 to 255 host keys");
        return NULL;
    }
    if (p->user_len > SE_ASRCB_USER_SIZE ||
        p->user_type > SE_ASRCB_USER_RSA3072 ||
        (p->user_len && p->user_type == SE_ASRCB_USER_NONE)) {
        g_set_error(errp, SE_SECRET_ERROR, 0, "user data: at most %d bytes "
                    "of a known type", SE_ASRCB_USER_SIZE);
        return NULL;
    }
    if (!se_secret_len_ok(p->type, p->secret_len)) {
        g_set_error(errp, SE_SECRET_ERROR, 0, "a secret of type 0x%04x "
                    "cannot have %u bytes", p->type, p->secret_len);
        return NULL;
    }
    shdr = p->type == SE_SECRET_META ? SE_ASRCB_META_HDR_SIZE
                                     : SE_ASRCB_SECRET_HDR_SIZE;
    off = SE_ASRCB_OFF_SLOTS + p->n_host_keys * SE_HDR_KEY_SLOT_SIZE;
    sea = p->secret_len + SE_SECRET_EXT_SIZE;
    rql = off + shdr + sea + SE_HDR_TAG_SIZE;
    if (rql > SE_ASRCB_MAX_SIZE) {
        g_set_error(errp, SE_SECRET_ERROR, 0, "request of %zu bytes is "
                    "larger than %d", rql, SE_ASRCB_MAX_SIZE);
        return NULL;
    }
    buf = g_malloc0(rql);
    cc_put_be16(sp.magic + SE_ASRCB_OFF_USER_TYPE, p->user_type);
    cc_put_be64(buf + SE_ASRCB_OFF_FLAGS, p->flags);
    memcpy(buf + SE_ASRCB_OFF_TAGS, p->tags, SE_ATT_TAGS_SIZE);
    memcpy(buf + SE_ASRCB_OFF_CUID, p->cuid, SE_ATT_CUID_SIZE);
    if (p->user_len) {
        memcpy(buf + SE_ASRCB_OFF_USER, p->user, p->user_len);
    }
    cc_put_be16(buf + off + 2, p->type);
    cc_put_be32(buf + off + 4, p->secret_len);
    if (type_listable(p->type)) {
        memcpy(buf + off + 0x10, p->id, SE_SECRET_ID_SIZE);
    }
    if (p->secret_len) {
        memcpy(buf + off + shdr, p->secret, p->secret_len);
    }
    memcpy(buf + off + shdr + p->secret_len, p->ext, SE_SECRET_EXT_SIZE);
    if (!se_req_seal(buf, rql, sea, &sp, errp)) {
        cc_wipe(buf, rql);
        return NULL;
    }
    *len = rql;
    return g_steal_pointer(&buf);
}
