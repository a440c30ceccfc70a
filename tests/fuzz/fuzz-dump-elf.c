/*
 * libFuzzer target for the protected-dump reader (tools/se-dump/dump-elf.h):
 * se_dump_elf_parse() and se_dump_elf_decrypt() on untrusted files.
 *
 * At start, a valid protected dump is built once with the ultravisor's
 * side of include/hw/s390x/se/se-dump.h and a fixed CCK: two CPUs with
 * every register note QEMU writes (target/s390x/arch_dump.c) and their
 * PV notes, a PT_LOAD of an encrypted and a shared page, and the sections
 * pv_mem_meta and pv_compl.  The first input byte picks a mode:
 *   bit 0 set    the rest is the file, as raw bytes;
 *   bit 0 clear  the rest patches the valid dump: triples {offset high,
 *                offset low, xor} applied modulo its length;
 *   bit 1 set    once the file parses, the valid dump's completion data
 *                and CPU data are copied over its pv_compl section and its
 *                PV notes (those long enough), and it is parsed again: so
 *                any layout the fuzzer finds gets past the GCM tags.
 * Whatever parses is decrypted with the CCK.  Checked besides the
 * sanitizers: what parses lies inside the file; a decryption changes
 * nothing but the PT_LOAD, the note contents and the section-header
 * fields of the ELF header, zeroes the zero pages, copies the shared ones,
 * counts the pages and CPUs it reports, and fails with another CCK; the
 * unmodified dump always decrypts to its known pages and registers.
 *
 * The keys, seed and nonce of the valid dump are random (se_dump_new()),
 * so its encrypted bytes differ between runs; what the reader does with
 * an input does not.
 *
 * Built by meson -Dfuzzing=true (tests/fuzz/meson.build) and run by
 * scripts/fuzz.sh (make check, make fuzz).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cc-buf.h"
#include "dump-elf.h"
#include "fuzz-util.h"

#define PAGE            SE_DUMP_PAGE_SIZE
#define NCPUS           2
#define NPAGES          2       /* the first encrypted, the second shared */
#define NCOMP           (NPAGES + 1)    /* one more: a zero page */

#define EHDR_SIZE       64
#define PHDR_SIZE       56
#define SHDR_SIZE       64

#define NT_PRSTATUS     1
#define NT_PV_CPU       0x30e
#define PRSTATUS_LEN    336

/* The notes of one CPU, in QEMU's order: type, name, descriptor size */
typedef struct NoteDesc {
    uint32_t type;
    const char *name;
    uint32_t len;
} NoteDesc;

static const NoteDesc cpu_notes[] = {
    { NT_PRSTATUS, "CORE", PRSTATUS_LEN },
    { 2, "CORE", 8 + 16 * 8 },          /* NT_FPREGSET */
    { 0x309, "LINUX", 16 * 8 },         /* NT_S390_VXRS_LOW */
    { 0x30a, "LINUX", 16 * 16 },        /* NT_S390_VXRS_HIGH */
    { 0x301, "LINUX", 8 },              /* NT_S390_TIMER */
    { 0x302, "LINUX", 8 },              /* NT_S390_TODCMP */
    { 0x303, "LINUX", 4 },              /* NT_S390_TODPREG */
    { 0x304, "LINUX", 16 * 8 },         /* NT_S390_CTRS */
    { 0x305, "LINUX", 4 },              /* NT_S390_PREFIX */
    { 0x30b, "LINUX", 4 * 8 },          /* NT_S390_GS_CB */
    { NT_PV_CPU, "LINUX", SE_DUMP_CPU_LEN },
};

static const uint8_t cck[SE_DUMP_CCK_SIZE] = "fuzz-dump-elf fixed 32-byte CCK";
static uint8_t *good;
static size_t good_len;
static uint8_t good_compl[SE_DUMP_COMPL_LEN];
static uint8_t good_cpu[NCPUS][SE_DUMP_CPU_LEN];
static SeDumpCpuState good_st[NCPUS];
static uint8_t plain[NPAGES][PAGE];

static size_t align(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

/* The notes of @ncpus CPUs (only NT_PRSTATUS and the PV note unless @all) */
static size_t notes_size(unsigned ncpus, bool all)
{
    size_t i, n = 0;

    for (i = 0; i < G_N_ELEMENTS(cpu_notes); i++) {
        if (all || i == 0 || i == G_N_ELEMENTS(cpu_notes) - 1) {
            n += 12 + align(strlen(cpu_notes[i].name) + 1, 4) +
                 align(cpu_notes[i].len, 4);
        }
    }
    return n * ncpus;
}

static size_t put_note(uint8_t *p, const NoteDesc *nd, const uint8_t *desc)
{
    size_t namesz = strlen(nd->name) + 1;

    cc_put_be32(p, namesz);
    cc_put_be32(p + 4, nd->len);
    cc_put_be32(p + 8, nd->type);
    memcpy(p + 12, nd->name, namesz);
    p += 12 + align(namesz, 4);
    if (desc) {
        memcpy(p, desc, nd->len);
    }
    return 12 + align(namesz, 4) + align(nd->len, 4);
}

static void put_phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t paddr,
                     uint64_t size)
{
    cc_put_be32(p, type);
    cc_put_be64(p + 8, off);
    cc_put_be64(p + 16, paddr);         /* p_vaddr */
    cc_put_be64(p + 24, paddr);
    cc_put_be64(p + 32, size);
    cc_put_be64(p + 40, size);          /* p_memsz */
}

static void put_shdr(uint8_t *p, uint32_t name, uint32_t type, uint64_t off,
                     uint64_t size)
{
    cc_put_be32(p, name);
    cc_put_be32(p + 4, type);
    cc_put_be64(p + 24, off);
    cc_put_be64(p + 32, size);
}

/*
 * A protected dump of @ncpus CPUs (at most NCPUS) whose data is @cpu and
 * @compl, memory @mem (NPAGES pages as the file holds them) and storage
 * state @meta (NCOMP components): ELF header, PT_NOTE and PT_LOAD headers,
 * notes, storage state, completion data, section names, section headers
 * (none, .shstrtab, pv_mem_meta, pv_compl) and memory.  g_free() it.
 */
static uint8_t *build_dump(unsigned ncpus, bool all_notes,
                           const uint8_t cpu[][SE_DUMP_CPU_LEN],
                           const uint8_t *compl, const uint8_t *mem,
                           const uint8_t *meta, size_t *len)
{
    static const char names[] = "\0.shstrtab\0pv_mem_meta\0pv_compl";
    size_t notes_off = EHDR_SIZE + 2 * PHDR_SIZE;
    size_t notes_len = notes_size(ncpus, all_notes);
    size_t meta_off = notes_off + notes_len;
    size_t compl_off = meta_off + NCOMP * SE_DUMP_TWEAK_SIZE;
    size_t names_off = compl_off + SE_DUMP_COMPL_LEN;
    size_t sh_off = align(names_off + sizeof(names), 8);
    size_t load_off = sh_off + 4 * SHDR_SIZE;
    uint8_t *b, *p;
    unsigned c, i;

    *len = load_off + NPAGES * PAGE;
    b = g_malloc0(*len);
    /* ELF64, big-endian, ET_CORE, EM_S390 (the System V gABI) */
    memcpy(b, "\177ELF\2\2\1", 7);
    cc_put_be16(b + 16, 4);
    cc_put_be16(b + 18, 22);
    cc_put_be32(b + 20, 1);
    cc_put_be64(b + 32, EHDR_SIZE);
    cc_put_be64(b + 40, sh_off);
    cc_put_be16(b + 52, EHDR_SIZE);
    cc_put_be16(b + 54, PHDR_SIZE);
    cc_put_be16(b + 56, 2);
    cc_put_be16(b + 58, SHDR_SIZE);
    cc_put_be16(b + 60, 4);
    cc_put_be16(b + 62, 1);
    put_phdr(b + EHDR_SIZE, 4, notes_off, 0, notes_len);
    put_phdr(b + EHDR_SIZE + PHDR_SIZE, 1, load_off, 0, NPAGES * PAGE);
    p = b + notes_off;
    for (c = 0; c < ncpus; c++) {
        for (i = 0; i < G_N_ELEMENTS(cpu_notes); i++) {
            const NoteDesc *nd = &cpu_notes[i];

            if (nd->type == NT_PV_CPU) {
                p += put_note(p, nd, cpu[c]);
            } else if (all_notes || nd->type == NT_PRSTATUS) {
                p += put_note(p, nd, NULL);
            }
        }
    }
    check(p == b + meta_off);
    memcpy(b + meta_off, meta, NCOMP * SE_DUMP_TWEAK_SIZE);
    memcpy(b + compl_off, compl, SE_DUMP_COMPL_LEN);
    memcpy(b + names_off, names, sizeof(names));
    put_shdr(b + sh_off + SHDR_SIZE, 1, 3, names_off, sizeof(names));
    put_shdr(b + sh_off + 2 * SHDR_SIZE, 11, 1, meta_off,
             NCOMP * SE_DUMP_TWEAK_SIZE);
    put_shdr(b + sh_off + 3 * SHDR_SIZE, 23, 1, compl_off,
             SE_DUMP_COMPL_LEN);
    memcpy(b + load_off, mem, NPAGES * PAGE);
    return b;
}

static void make_cpu_state(SeDumpCpuState *st, unsigned c)
{
    unsigned i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 16; i++) {
        st->gprs[i] = 0x0101010101010101ULL * (c + 1) + i;
        st->acrs[i] = 0x1000 * c + i;
        st->crs[i] = 0xc000000000000000ULL + 16 * c + i;
    }
    for (i = 0; i < 32; i++) {
        st->vrs[i][0] = 0xf0 + i + c;
        st->vrs[i][1] = 0xa0000000ULL + i + c;
    }
    st->psw_mask = 0x0705000180000000ULL;
    st->psw_addr = 0x10000 + c * 2;
    st->prefix = 0x20000 * (c + 1);
    st->fpc = 7;
    st->todpr = 0x1234 + c;
    st->timer = 0x5555555555ULL + c;
    st->todcmp = 0x9999999999ULL + c;
    st->gscb[1] = 0x4000 + c;
    st->flags = c;
}

static void setup(void)
{
    g_autoptr(SeDump) d = se_dump_new(cck);
    uint8_t mem[NPAGES * PAGE], meta[NCOMP * SE_DUMP_TWEAK_SIZE];
    unsigned c, i, j;

    for (i = 0; i < NPAGES; i++) {
        for (j = 0; j < PAGE; j++) {
            plain[i][j] = i * 77 + j * 5 + (j >> 8);
        }
    }
    for (c = 0; c < NCPUS; c++) {
        make_cpu_state(&good_st[c], c);
        se_dump_cpu(d, &good_st[c], good_cpu[c]);
    }
    for (i = 0; i < NCOMP; i++) {
        se_dump_component(d, i * PAGE, i == 1, i >= NPAGES,
                          meta + i * SE_DUMP_TWEAK_SIZE);
    }
    se_dump_encrypt_page(d, 0, plain[0], mem);
    memcpy(mem + PAGE, plain[1], PAGE);
    se_dump_complete(d, good_compl);
    good = build_dump(NCPUS, true, good_cpu, good_compl, mem, meta,
                      &good_len);
}

static bool in_file(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

static void check_parsed(const SeDumpElf *e, const uint8_t *buf, size_t len)
{
    unsigned i;

    check(e->data == buf && e->len == len && e->notes);
    check(in_file(len, e->load_off, e->load_len));
    check(e->load_paddr % PAGE == 0 && e->load_len % PAGE == 0);
    check(e->compl_len && in_file(len, e->compl_off, e->compl_len));
    check(e->meta_len && e->meta_len % SE_DUMP_TWEAK_SIZE == 0 &&
          in_file(len, e->meta_off, e->meta_len));
    for (i = 0; i < e->notes->len; i++) {
        const SeDumpNote *n = &g_array_index(e->notes, SeDumpNote, i);

        check(in_file(len, n->hdr_off, 12));
        check(in_file(len, n->desc_off, n->desc_len));
        check(n->desc_off >= n->hdr_off + 12);
        check(memchr(n->name, 0, sizeof(n->name)) != NULL);
    }
}

/* The CPUs decrypt_notes() finds: each NT_PRSTATUS starts one */
static unsigned count_cpus(const SeDumpElf *e)
{
    unsigned i, n = 0;

    for (i = 0; i < e->notes->len; i++) {
        const SeDumpNote *nt = &g_array_index(e->notes, SeDumpNote, i);

        n += nt->type == NT_PRSTATUS || i == 0;
    }
    return n;
}

/* What a successful decryption of @e (the file @buf) gave in @out */
static void check_plain(const SeDumpElf *e, const uint8_t *buf,
                        const uint8_t *out, const SeDumpStats *st)
{
    g_autofree uint8_t *may = g_malloc0(e->len);
    uint64_t first = e->load_paddr / PAGE, n[4] = { 0 };
    size_t i, off;

    /* the section-header fields, the notes' contents and memory */
    memset(may + 40, 1, 8);
    memset(may + 58, 1, 6);
    check(all_zero(out + 40, 8) && all_zero(out + 58, 6));
    for (i = 0; i < e->notes->len; i++) {
        const SeDumpNote *nt = &g_array_index(e->notes, SeDumpNote, i);

        memset(may + nt->desc_off, 1, nt->desc_len);
    }
    memset(may + e->load_off, 1, e->load_len);
    for (i = 0; i < e->len; i++) {
        check(may[i] || out[i] == buf[i]);
    }

    for (i = 0; i < e->load_len / PAGE; i++) {
        const uint8_t *comp = buf + e->meta_off +
                              (first + i) * SE_DUMP_TWEAK_SIZE;
        SeDumpPage s = se_dump_page_state(comp);

        off = e->load_off + i * PAGE;
        check(s != SE_DUMP_PAGE_INVALID);
        n[s]++;
        if (s == SE_DUMP_PAGE_ZERO) {
            check(all_zero(out + off, PAGE));
        } else if (s == SE_DUMP_PAGE_SHARED) {
            check(!memcmp(out + off, buf + off, PAGE));
        }
    }
    check(st->encrypted == n[SE_DUMP_PAGE_ENCRYPTED] &&
          st->shared == n[SE_DUMP_PAGE_SHARED] &&
          st->zero == n[SE_DUMP_PAGE_ZERO]);
    check(st->cpus == count_cpus(e) && st->cpu);
}

/* The unmodified dump: its pages and registers */
static void check_good(const SeDumpElf *e, const uint8_t *out,
                       const SeDumpStats *st)
{
    unsigned c;

    check(st->cpus == NCPUS && st->encrypted == 1 && st->shared == 1);
    for (c = 0; c < NCPUS; c++) {
        check(fuzz_cpu_eq(&st->cpu[c], &good_st[c]));
    }
    check(!memcmp(out + e->load_off, plain, sizeof(plain)));
}

/* Copy the valid completion and CPU data over @e's (the file @buf) */
static void splice(const SeDumpElf *e, uint8_t *buf)
{
    unsigned i, c = 0;

    if (e->compl_len >= SE_DUMP_COMPL_LEN) {
        memcpy(buf + e->compl_off, good_compl, SE_DUMP_COMPL_LEN);
    }
    for (i = 0; i < e->notes->len; i++) {
        const SeDumpNote *nt = &g_array_index(e->notes, SeDumpNote, i);

        if (nt->type == NT_PV_CPU && nt->desc_len >= SE_DUMP_CPU_LEN) {
            memcpy(buf + nt->desc_off, good_cpu[c++ % NCPUS],
                   SE_DUMP_CPU_LEN);
        }
    }
}

static void decrypt(const SeDumpElf *e, const uint8_t *buf, size_t len)
{
    uint8_t wrong[SE_DUMP_CCK_SIZE];
    g_autofree uint8_t *out = NULL;
    GError *err = NULL;
    SeDumpStats st;

    out = se_dump_elf_decrypt(e, cck, &st, &err);
    if (!out) {
        check(err && !st.cpu);
        g_error_free(err);
        return;
    }
    check(!err);
    check_plain(e, buf, out, &st);
    if (len == good_len && !memcmp(buf, good, len)) {
        check_good(e, out, &st);
    }
    g_free(st.cpu);

    memcpy(wrong, cck, sizeof(wrong));
    wrong[len % sizeof(wrong)] ^= 1;
    check(!se_dump_elf_decrypt(e, wrong, &st, &err));
    check(err && !st.cpu);
    g_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    g_autofree uint8_t *buf = NULL;
    GError *err = NULL;
    SeDumpElf e;
    size_t len;
    bool ok;

    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 1) {
        return 0;
    }
    buf = fuzz_input(data, size, good, good_len, &len);
    ok = se_dump_elf_parse(buf, len, &e, &err);
    if (ok && (data[0] & 2)) {
        splice(&e, buf);
        se_dump_elf_clear(&e);
        ok = se_dump_elf_parse(buf, len, &e, &err);
    }
    if (!ok) {
        check(err);
        g_error_free(err);
        se_dump_elf_clear(&e);
        return 0;
    }
    check(!err);
    check_parsed(&e, buf, len);
    decrypt(&e, buf, len);
    se_dump_elf_clear(&e);
    return 0;
}
