/*
 * What the qemu-ibm-cc command-line tools share: how they fail.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOLS_TOOL_COMMON_H
#define TOOLS_TOOL_COMMON_H

/*
 * Print "PROG: message" on stderr and exit with status 1; PROG is the
 * name the tool gave g_set_prgname() first thing in main().
 */
G_NORETURN void tool_die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* *@dst = @val, or die if option @name was given already. */
void tool_set_once(const char **dst, const char *val, const char *name);

/* @len bytes from the kernel's random generator, or die. */
void tool_random(void *buf, size_t len);

/*
 * The public key of an IBM Z host-key document (certificate or public
 * key, PEM or DER) at @path, checked to be on secp521r1, or die.
 */
void tool_load_host_key(const char *path, uint8_t x[66], uint8_t y[66]);

/* A uniform random secp521r1 private key. */
void tool_random_p521(uint8_t d[66]);

/* The whole file at @path (g_free() it), or die. */
uint8_t *tool_read_file(const char *path, size_t *len);

/*
 * Create or replace @path with @len bytes and file mode @mode (also when
 * it was a regular file of ours already), or die.
 */
void tool_write_file(const char *path, const void *data, size_t len,
                     int mode);

/* Lower-case hex of @n bytes (g_free() it). */
char *tool_hex(const uint8_t *p, size_t n);

/*
 * The IBM Z Secure Execution header in @path: the file itself, or the one
 * at a page boundary in an SE image; or die.  A struct SeHdr (se-hdr.h).
 */
struct SeHdr *tool_find_se_header(const char *path);

#endif
