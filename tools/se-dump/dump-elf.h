/*
 * The ELF file of an IBM Z Secure Execution protected dump, as QEMU's
 * dump-guest-memory writes it (target/s390x/arch_dump.c): one PT_LOAD of
 * guest memory, a PT_NOTE with each CPU's notes (NT_PRSTATUS ...
 * NT_S390_PV_CPU_DATA), and the sections "pv_mem_meta" (the storage
 * state: a tweak component per page) and "pv_compl" (the completion
 * data).  s390-tools' zgetdump reads the same file (zdump/dfi_pv_elf.c);
 * like it, we accept exactly one PT_LOAD.
 *
 * Reading is for untrusted files: every offset and size is checked.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TOOLS_SE_DUMP_DUMP_ELF_H
#define TOOLS_SE_DUMP_DUMP_ELF_H

#include "hw/s390x/se/se-dump.h"

typedef struct SeDumpNote {
    uint32_t type;
    char name[8];               /* NUL-terminated, truncated */
    size_t hdr_off;             /* the note header in the file */
    size_t desc_off, desc_len;
} SeDumpNote;

typedef struct SeDumpElf {
    const uint8_t *data;
    size_t len;
    uint64_t load_paddr;
    size_t load_off, load_len;
    size_t compl_off, compl_len;
    size_t meta_off, meta_len;
    GArray *notes;              /* SeDumpNote, in file order */
} SeDumpElf;

/* What a decryption found */
typedef struct SeDumpStats {
    uint64_t encrypted, shared, zero;   /* pages */
    unsigned cpus;
    SeDumpCpuState *cpu;        /* cpus entries, g_free() */
} SeDumpStats;

/*
 * Parse the @len bytes at @data (kept, not copied) as a protected dump.
 * False with @errp set if it is not one or is malformed.
 */
bool se_dump_elf_parse(const uint8_t *data, size_t len, SeDumpElf *e,
                       GError **errp);
void se_dump_elf_clear(SeDumpElf *e);

/*
 * The plain dump: a copy of the file with the memory decrypted, the
 * register notes of every CPU filled from its decrypted PV note, and no
 * section headers (so no reader takes it for a protected dump again).
 * NULL with @errp set for a wrong key or altered data.
 */
uint8_t *se_dump_elf_decrypt(const SeDumpElf *e,
                             const uint8_t cck[SE_DUMP_CCK_SIZE],
                             SeDumpStats *stats, GError **errp);

#endif
