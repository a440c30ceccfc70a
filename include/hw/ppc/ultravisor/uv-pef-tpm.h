/*
 * The TPM key channel of POWER Secure VMs: the firmware's provisioning of
 * the wrapping key and the ultravisor's unwrapping of an ESM blob's
 * lockbox, over tpm2-tss (ESYS) and a transport the caller provides.
 *
 * As on a PEF machine (docs/devel/pef-ultravisor-facts.md section 2;
 * qemu/skiboot branch ultravisor libstb/tss2/opalcreate.c; open-power/
 * ultravisor uv/tssuv.c):
 *
 * - a platform-hierarchy RSA-2048 storage primary persisted at 0x81800000;
 * - an RSA-2048 decrypt-only OAEP-SHA256 wrapping key persisted at
 *   0x81800001 with authPolicy PolicyOR(A, B), A = PolicyCommandCode
 *   (RSA_Decrypt) + PolicyAuthValue, B = PolicyCommandCode
 *   (ObjectChangeAuth) + PolicyPCR(PCR16 = 0);
 * - at every boot the firmware gives the key a fresh random password
 *   (policy B: PCR16 is zero after a TPM reset) and hands the password, the
 *   key's name and the two policies to the ultravisor only;
 * - the ultravisor decrypts lockbox-1 with TPM2_RSA_Decrypt in an
 *   unsalted AES-128-CFB policy session (PolicyCommandCode, PolicyAuthValue,
 *   PolicyOR) with an encrypted response, after checking the key's name.
 *
 * Part of the qemu-ibm-cc pure core (GLib, GnuTLS, tpm2-tss).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PPC_ULTRAVISOR_UV_PEF_TPM_H
#define HW_PPC_ULTRAVISOR_UV_PEF_TPM_H

#include "hw/ppc/ultravisor/uv-pef-esm.h"

#define UV_PEF_TPM_PRIMARY          0x81800000u
#define UV_PEF_TPM_WRAPPING_KEY     0x81800001u
#define UV_PEF_TPM_PASSWD_LEN       16
#define UV_PEF_TPM_POLICY_LEN       32      /* SHA-256 */
#define UV_PEF_TPM_NAME_MAX         68      /* TPM2B_NAME */
/* The largest command or response (H_TPM_COMM and QEMU's TPM proxy). */
#define UV_PEF_TPM_BUF_MAX          4096

/*
 * The transport: send @cmd, put the response in @rsp (at most @rsp_max
 * bytes).  Returns the response's length, or -1.  In QEMU: the
 * hypervisor's H_TPM_COMM; in tests and tools: swtpm's socket.
 */
typedef struct UvPefTpmIo {
    ssize_t (*transmit)(void *opaque, const uint8_t *cmd, size_t len,
                        uint8_t *rsp, size_t rsp_max);
    void *opaque;
} UvPefTpmIo;

/* What the firmware hands the ultravisor (the ibm,uv-tpm node). */
typedef struct UvPefTpmKey {
    uint32_t handle;
    uint8_t passwd[UV_PEF_TPM_PASSWD_LEN];
    uint8_t name[UV_PEF_TPM_NAME_MAX];
    size_t name_len;
    uint8_t policy_a[UV_PEF_TPM_POLICY_LEN];
    uint8_t policy_b[UV_PEF_TPM_POLICY_LEN];
} UvPefTpmKey;

/* The policy digests A, B and PolicyOR(A, B), computed here. */
void uv_pef_tpm_policies(uint8_t a[UV_PEF_TPM_POLICY_LEN],
                         uint8_t b[UV_PEF_TPM_POLICY_LEN],
                         uint8_t or[UV_PEF_TPM_POLICY_LEN]);

/*
 * Provision the TPM behind @io (create and persist the primary and the
 * wrapping key where absent), give the wrapping key the password @passwd
 * (no zero byte: it is a C string in the firmware's interface) and fill
 * @key.  This is the firmware's part, done at every boot.  On failure
 * returns false with *@why a static text.
 */
bool uv_pef_tpm_provision(const UvPefTpmIo *io,
                          const uint8_t passwd[UV_PEF_TPM_PASSWD_LEN],
                          UvPefTpmKey *key, const char **why);

/*
 * The wrapping key's public part as PEM (SubjectPublicKeyInfo), the form
 * mk-esm-blob takes as its recipient key.  g_free() it.
 */
char *uv_pef_tpm_public_pem(const UvPefTpmIo *io, const char **why);

/*
 * The ultravisor's part: decrypt @wrapped (lockbox-1's encrypted-symkey)
 * into @symkey.  UV_ESM_UNWRAP if the TPM refuses (another key, wrong
 * password, altered lockbox), UV_ESM_TPM if it cannot be reached or
 * answers nonsense.
 */
UvEsmStatus uv_pef_tpm_unwrap(const UvPefTpmIo *io, const UvPefTpmKey *key,
                              const uint8_t *wrapped, size_t wrapped_len,
                              uint8_t symkey[UV_ESM_SYMKEY_LEN]);

#endif
