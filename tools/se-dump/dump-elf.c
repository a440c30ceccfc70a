/*
 * Reading and decrypting the ELF file of an IBM Z Secure Execution
 * protected dump (see dump-elf.h).
 *
 * ELF64 layouts: the System V gABI; s390x is big-endian.  The register
 * notes' layouts are those QEMU writes (target/s390x/arch_dump.c) and the
 * Linux s390 core-dump notes (NT_S390_*) follow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "qemu/cc-wipe.h"
#include "dump-elf.h"

#define EHDR_SIZE       64
#define PHDR_SIZE       56
#define SHDR_SIZE       64
#define EM_S390_ID      22
#define PT_LOAD_ID      1
#define PT_NOTE_ID      4
#define PN_XNUM_ID      0xffff

#define NOTE_PRSTATUS   1
#define NOTE_FPREGSET   2
#define NOTE_TIMER      0x301
#define NOTE_TODCMP     0x302
#define NOTE_TODPREG    0x303
#define NOTE_CTRS       0x304
#define NOTE_PREFIX     0x305
#define NOTE_VXRS_LOW   0x309
#define NOTE_VXRS_HIGH  0x30a
#define NOTE_GS_CB      0x30b
#define NOTE_PV_CPU     0x30e

/* NT_PRSTATUS (s390x): pid at 32, then psw, gprs, acrs from 112 */
#define PRSTATUS_LEN    336
#define PRSTATUS_PID    32
#define PRSTATUS_REGS   112

#define SEC_COMPL       "pv_compl"
#define SEC_META        "pv_mem_meta"

static bool range_ok(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

static bool fail(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool fail(GError **errp, const char *fmt, ...)
{
    va_list ap;

    if (errp) {
        g_assert(!*errp);
        va_start(ap, fmt);
        *errp = g_error_new_valist(SE_DUMP_ERROR, 0, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool parse_notes(SeDumpElf *e, uint64_t off, uint64_t size,
                        GError **errp)
{
    uint64_t end = off + size;

    while (off < end) {
        SeDumpNote n = { 0 };
        uint64_t namesz, descsz, name_pad, desc_pad;

        if (end - off < 12) {
            return fail(errp, "truncated note header at 0x%" PRIx64, off);
        }
        namesz = cc_get_be(e->data + off, 4);
        descsz = cc_get_be(e->data + off + 4, 4);
        n.type = cc_get_be(e->data + off + 8, 4);
        n.hdr_off = off;
        name_pad = ((namesz + 3) & ~3ULL);
        desc_pad = ((descsz + 3) & ~3ULL);
        off += 12;
        if (end - off < name_pad || end - off - name_pad < desc_pad) {
            return fail(errp, "note at 0x%zx runs past its segment",
                        n.hdr_off);
        }
        memcpy(n.name, e->data + off, MIN(namesz, sizeof(n.name) - 1));
        n.desc_off = off + name_pad;
        n.desc_len = descsz;
        off += name_pad + desc_pad;
        g_array_append_val(e->notes, n);
    }
    return true;
}

static bool parse_phdrs(SeDumpElf *e, GError **errp)
{
    uint64_t phoff = cc_get_be(e->data + 32, 8);
    unsigned phentsize = cc_get_be(e->data + 54, 2);
    unsigned phnum = cc_get_be(e->data + 56, 2);
    unsigned i, loads = 0;

    if (phnum == PN_XNUM_ID || phentsize != PHDR_SIZE ||
        !range_ok(e->len, phoff, (uint64_t)phnum * PHDR_SIZE)) {
        return fail(errp, "bad program header table");
    }
    for (i = 0; i < phnum; i++) {
        const uint8_t *p = e->data + phoff + i * PHDR_SIZE;
        uint32_t type = cc_get_be(p, 4);
        uint64_t off = cc_get_be(p + 8, 8), paddr = cc_get_be(p + 24, 8);
        uint64_t filesz = cc_get_be(p + 32, 8);

        if (type != PT_LOAD_ID && type != PT_NOTE_ID) {
            continue;
        }
        if (!range_ok(e->len, off, filesz)) {
            return fail(errp, "program header %u points outside the file",
                        i);
        }
        if (type == PT_NOTE_ID) {
            if (!parse_notes(e, off, filesz, errp)) {
                return false;
            }
            continue;
        }
        if (++loads > 1) {
            /* as zgetdump: the storage state indexes one segment */
            return fail(errp, "more than one PT_LOAD segment");
        }
        if (paddr % SE_DUMP_PAGE_SIZE || filesz % SE_DUMP_PAGE_SIZE) {
            return fail(errp, "PT_LOAD is not made of whole pages");
        }
        e->load_paddr = paddr;
        e->load_off = off;
        e->load_len = filesz;
    }
    if (!loads) {
        return fail(errp, "no PT_LOAD segment");
    }
    return true;
}

static bool parse_shdrs(SeDumpElf *e, GError **errp)
{
    uint64_t shoff = cc_get_be(e->data + 40, 8), str_off, str_len;
    unsigned shentsize = cc_get_be(e->data + 58, 2);
    unsigned shnum = cc_get_be(e->data + 60, 2);
    unsigned shstrndx = cc_get_be(e->data + 62, 2), i;
    const uint8_t *str;

    if (!shnum || shentsize != SHDR_SIZE || shstrndx >= shnum ||
        !range_ok(e->len, shoff, (uint64_t)shnum * SHDR_SIZE)) {
        return fail(errp, "no section headers: not a protected dump");
    }
    str = e->data + shoff + shstrndx * SHDR_SIZE;
    str_off = cc_get_be(str + 24, 8);
    str_len = cc_get_be(str + 32, 8);
    if (!range_ok(e->len, str_off, str_len)) {
        return fail(errp, "bad section name table");
    }
    for (i = 0; i < shnum; i++) {
        const uint8_t *s = e->data + shoff + i * SHDR_SIZE;
        uint64_t name = cc_get_be(s, 4), off = cc_get_be(s + 24, 8);
        uint64_t size = cc_get_be(s + 32, 8);
        const char *n;
        size_t max;

        if (name >= str_len) {
            continue;
        }
        n = (const char *)e->data + str_off + name;
        max = str_len - name;
        if (strnlen(n, max) == max) {
            continue;
        }
        if (strcmp(n, SEC_COMPL) && strcmp(n, SEC_META)) {
            continue;
        }
        if (!range_ok(e->len, off, size)) {
            return fail(errp, "section %s points outside the file", n);
        }
        if (!strcmp(n, SEC_COMPL)) {
            e->compl_off = off;
            e->compl_len = size;
        } else {
            e->meta_off = off;
            e->meta_len = size;
        }
    }
    if (!e->compl_len) {
        return fail(errp, "no " SEC_COMPL " section: not a protected dump");
    }
    if (!e->meta_len || e->meta_len % SE_DUMP_TWEAK_SIZE) {
        return fail(errp, "no valid " SEC_META " section");
    }
    return true;
}

bool se_dump_elf_parse(const uint8_t *data, size_t len, SeDumpElf *e,
                       GError **errp)
{
    memset(e, 0, sizeof(*e));
    e->data = data;
    e->len = len;
    e->notes = g_array_new(false, true, sizeof(SeDumpNote));
    if (len < EHDR_SIZE || memcmp(data, "\177ELF", 4)) {
        return fail(errp, "not an ELF file");
    }
    if (data[4] != 2 || data[5] != 2 || cc_get_be(data + 18, 2) != EM_S390_ID) {
        return fail(errp, "not a 64-bit big-endian s390x ELF file");
    }
    return parse_phdrs(e, errp) && parse_shdrs(e, errp);
}

void se_dump_elf_clear(SeDumpElf *e)
{
    if (e->notes) {
        g_array_free(e->notes, true);
    }
    memset(e, 0, sizeof(*e));
}

/* ---- decryption --------------------------------------------------------- */

static uint8_t *note_desc(uint8_t *out, const SeDumpNote *n, size_t want)
{
    return n->desc_len >= want ? out + n->desc_off : NULL;
}

/* Fill one note of a CPU from its decrypted state */
static void fill_note(uint8_t *out, const SeDumpNote *n,
                      const SeDumpCpuState *st, unsigned cpu)
{
    uint8_t *d;
    unsigned i;

    switch (n->type) {
    case NOTE_PRSTATUS:
        d = note_desc(out, n, PRSTATUS_LEN);
        if (d) {
            cc_put_be(d + PRSTATUS_PID, cpu + 1, 4);
            cc_put_be(d + PRSTATUS_REGS, st->psw_mask, 8);
            cc_put_be(d + PRSTATUS_REGS + 8, st->psw_addr, 8);
            for (i = 0; i < 16; i++) {
                cc_put_be(d + PRSTATUS_REGS + 16 + 8 * i, st->gprs[i], 8);
                cc_put_be(d + PRSTATUS_REGS + 144 + 4 * i, st->acrs[i], 4);
            }
        }
        break;
    case NOTE_FPREGSET:
        d = note_desc(out, n, 8 + 16 * 8);
        if (d) {
            cc_put_be(d, st->fpc, 4);
            for (i = 0; i < 16; i++) {
                cc_put_be(d + 8 + 8 * i, st->vrs[i][0], 8);
            }
        }
        break;
    case NOTE_PREFIX:
        d = note_desc(out, n, 4);
        if (d) {
            cc_put_be(d, st->prefix, 4);
        }
        break;
    case NOTE_CTRS:
        d = note_desc(out, n, 16 * 8);
        for (i = 0; d && i < 16; i++) {
            cc_put_be(d + 8 * i, st->crs[i], 8);
        }
        break;
    case NOTE_TIMER:
        d = note_desc(out, n, 8);
        if (d) {
            cc_put_be(d, st->timer, 8);
        }
        break;
    case NOTE_TODCMP:
        d = note_desc(out, n, 8);
        if (d) {
            cc_put_be(d, st->todcmp, 8);
        }
        break;
    case NOTE_TODPREG:
        d = note_desc(out, n, 4);
        if (d) {
            cc_put_be(d, st->todpr, 4);
        }
        break;
    case NOTE_VXRS_LOW:
        d = note_desc(out, n, 16 * 8);
        for (i = 0; d && i < 16; i++) {
            cc_put_be(d + 8 * i, st->vrs[i][1], 8);
        }
        break;
    case NOTE_VXRS_HIGH:
        d = note_desc(out, n, 16 * 16);
        for (i = 0; d && i < 16; i++) {
            cc_put_be(d + 16 * i, st->vrs[16 + i][0], 8);
            cc_put_be(d + 16 * i + 8, st->vrs[16 + i][1], 8);
        }
        break;
    case NOTE_GS_CB:
        d = note_desc(out, n, 4 * 8);
        for (i = 0; d && i < 4; i++) {
            cc_put_be(d + 8 * i, st->gscb[i], 8);
        }
        break;
    }
}

/*
 * Each CPU's notes start with NT_PRSTATUS and hold one PV note, whose
 * state fills the others of the same CPU.
 */
static bool decrypt_notes(const SeDumpElf *e, const SeDumpKeys *keys,
                          uint8_t *out, SeDumpStats *stats, GError **errp)
{
    g_autoptr(GArray) cpus = g_array_new(false, true,
                                         sizeof(SeDumpCpuState));
    unsigned i, j, first = 0, n = e->notes->len;
    bool have_pv = false;
    SeDumpCpuState st;

    for (i = 0; i <= n; i++) {
        const SeDumpNote *nt = i < n ? &g_array_index(e->notes, SeDumpNote,
                                                     i) : NULL;

        if (nt && nt->type != NOTE_PRSTATUS) {
            if (nt->type == NOTE_PV_CPU) {
                if (have_pv) {
                    return fail(errp, "two PV notes for one CPU");
                }
                if (!se_dump_open_cpu(keys, e->data + nt->desc_off,
                                      nt->desc_len, &st, errp)) {
                    g_prefix_error(errp, "CPU %u: ", cpus->len);
                    return false;
                }
                have_pv = true;
            }
            continue;
        }
        /* the end of a CPU's notes (another NT_PRSTATUS, or none left) */
        if (i > first) {
            if (!have_pv) {
                return fail(errp, "CPU %u has no PV note", cpus->len);
            }
            for (j = first; j < i; j++) {
                fill_note(out, &g_array_index(e->notes, SeDumpNote, j), &st,
                          cpus->len);
            }
            g_array_append_val(cpus, st);
            cc_wipe(&st, sizeof(st));
        }
        first = i;
        have_pv = false;
    }
    if (!cpus->len) {
        return fail(errp, "no CPU notes");
    }
    stats->cpus = cpus->len;
    stats->cpu = g_memdup2(cpus->data, cpus->len * sizeof(SeDumpCpuState));
    return true;
}

static bool decrypt_memory(const SeDumpElf *e, const SeDumpKeys *keys,
                           uint8_t *out, SeDumpStats *stats, GError **errp)
{
    uint64_t first = e->load_paddr / SE_DUMP_PAGE_SIZE;
    uint64_t pages = e->load_len / SE_DUMP_PAGE_SIZE, i;
    uint64_t ncomp = e->meta_len / SE_DUMP_TWEAK_SIZE;

    if (first > ncomp || pages > ncomp - first) {
        return fail(errp, "the storage state covers %" PRIu64 " pages, "
                    "memory needs %" PRIu64, ncomp, first + pages);
    }
    for (i = 0; i < pages; i++) {
        const uint8_t *comp = e->data + e->meta_off +
                              (first + i) * SE_DUMP_TWEAK_SIZE;
        size_t off = e->load_off + i * SE_DUMP_PAGE_SIZE;

        switch (se_dump_page_state(comp)) {
        case SE_DUMP_PAGE_ENCRYPTED:
            stats->encrypted++;
            break;
        case SE_DUMP_PAGE_SHARED:
            stats->shared++;
            break;
        case SE_DUMP_PAGE_ZERO:
            stats->zero++;
            break;
        default:
            break;
        }
        if (!se_dump_read_page(keys, comp, e->data + off, out + off)) {
            return fail(errp, "invalid storage state of page 0x%" PRIx64,
                        (first + i) * SE_DUMP_PAGE_SIZE);
        }
    }
    return true;
}

uint8_t *se_dump_elf_decrypt(const SeDumpElf *e,
                             const uint8_t cck[SE_DUMP_CCK_SIZE],
                             SeDumpStats *stats, GError **errp)
{
    g_autofree uint8_t *out = NULL;
    SeDumpKeys keys;
    bool ok;

    memset(stats, 0, sizeof(*stats));
    if (!se_dump_open_completion(e->data + e->compl_off, e->compl_len, cck,
                                 &keys, errp)) {
        return NULL;
    }
    out = g_memdup2(e->data, e->len);
    ok = decrypt_notes(e, &keys, out, stats, errp) &&
         decrypt_memory(e, &keys, out, stats, errp);
    se_dump_keys_wipe(&keys);
    if (!ok) {
        cc_wipe(out, e->len);
        g_clear_pointer(&stats->cpu, g_free);
        return NULL;
    }
    /* a plain dump now: drop the section headers (e_shoff, e_shnum, ...) */
    cc_put_be(out + 40, 0, 8);
    cc_put_be(out + 58, 0, 2);
    cc_put_be(out + 60, 0, 2);
    cc_put_be(out + 62, 0, 2);
    return g_steal_pointer(&out);
}
