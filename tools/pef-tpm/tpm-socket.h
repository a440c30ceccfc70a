/*
 * A UvPefTpmIo over a TPM's command socket: swtpm's --server socket (a
 * Unix socket path, or HOST:PORT for TCP), which carries TPM 2.0 command
 * and response bytes unchanged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PEF_TPM_TPM_SOCKET_H
#define PEF_TPM_TPM_SOCKET_H

#include "hw/ppc/ultravisor/uv-pef-tpm.h"

typedef struct TpmSocket {
    UvPefTpmIo io;
    int fd;
} TpmSocket;

/* Connect; false with *@errp set on failure. */
bool tpm_socket_open(TpmSocket *s, const char *where, GError **errp);
void tpm_socket_close(TpmSocket *s);

#endif
