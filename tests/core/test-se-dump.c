/*
 * Unit tests of the protected-dump data (hw/s390x/se/se-dump.c): the key
 * derivation against a known answer computed with Python's cryptography
 * package, round trips of pages, CPU and completion data, and the
 * reader's refusals.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/s390x/se/se-dump.h"

static void fill(uint8_t *p, size_t n, uint8_t base)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = base + i;
    }
}

/*
 * HKDF-SHA512(IKM = 00..1f, salt = 40..7f, info "IBM Z Ultravisor Dump"):
 * cryptography.hazmat.primitives.kdf.hkdf.HKDF(SHA512(), 32, salt, info)
 */
static void test_kdf(void)
{
    static const uint8_t want[32] = {
        0xac, 0x3f, 0x31, 0x50, 0xad, 0x72, 0x23, 0xed,
        0xe2, 0xf4, 0xc3, 0x80, 0xef, 0xc8, 0x5a, 0x2b,
        0x9d, 0x5b, 0xa0, 0xdb, 0xc9, 0x9a, 0x13, 0xf3,
        0x39, 0xe5, 0xa1, 0xd9, 0x7b, 0x77, 0x07, 0x84,
    };
    uint8_t cck[32], seed[64], key[32];

    fill(cck, sizeof(cck), 0);
    fill(seed, sizeof(seed), 0x40);
    se_dump_derive_key(cck, seed, key);
    g_assert_cmpmem(key, 32, want, 32);
}

static void full_state(SeDumpCpuState *st)
{
    unsigned i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 16; i++) {
        st->gprs[i] = 0x0101010101010101ULL * i + 1;
        st->acrs[i] = 0xa0000000 + i;
        st->crs[i] = 0xc000000000000000ULL + i;
    }
    for (i = 0; i < 32; i++) {
        st->vrs[i][0] = 0x1000 + i;
        st->vrs[i][1] = 0x2000 + i;
    }
    st->psw_mask = 0x0705000180000000ULL;
    st->psw_addr = 0x123456;
    st->prefix = 0x2000;
    st->fpc = 0x11;
    st->todpr = 0x22;
    st->timer = 0x3333;
    st->todcmp = 0x4444;
    st->gscb[1] = 5;
    st->gscb[2] = 6;
    st->gscb[3] = 7;
    st->flags = 0x8000;
}

static void test_round_trip(void)
{
    uint8_t cck[32], compl[SE_DUMP_COMPL_LEN], cpu[SE_DUMP_CPU_LEN];
    uint8_t cpu2[SE_DUMP_CPU_LEN], page[4096], enc[4096], out[4096];
    uint8_t comp[16];
    g_autoptr(SeDump) d = NULL;
    SeDumpCpuState st, got;
    SeDumpKeys keys;
    GError *err = NULL;

    fill(cck, sizeof(cck), 9);
    fill(page, sizeof(page), 3);
    full_state(&st);
    d = se_dump_new(cck);
    se_dump_encrypt_page(d, 0x7000, page, enc);
    g_assert_true(memcmp(enc, page, sizeof(page)));
    se_dump_cpu(d, &st, cpu);
    se_dump_cpu(d, &st, cpu2);
    /* same state, another IV: another ciphertext */
    g_assert_true(memcmp(cpu, cpu2, sizeof(cpu)));
    se_dump_complete(d, compl);
    g_assert_cmphex(compl[3], ==, 1);
    g_assert_cmphex(compl[6] << 8 | compl[7], ==, SE_DUMP_COMPL_LEN);

    g_assert_true(se_dump_open_completion(compl, sizeof(compl), cck, &keys,
                                          &err));
    g_assert_no_error(err);
    g_assert_true(se_dump_open_cpu(&keys, cpu, sizeof(cpu), &got, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(&got, sizeof(got), &st, sizeof(st));
    se_dump_component(d, 0x7000, false, false, comp);
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_ENCRYPTED);
    g_assert_true(se_dump_read_page(&keys, comp, enc, out));
    g_assert_cmpmem(out, sizeof(out), page, sizeof(page));
    /* another page's tweak does not decrypt it */
    se_dump_component(d, 0x8000, false, false, comp);
    g_assert_true(se_dump_read_page(&keys, comp, enc, out));
    g_assert_true(memcmp(out, page, sizeof(page)));

    /* shared pages are copied, zero pages read as zeros */
    se_dump_component(d, 0x8000, true, false, comp);
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_SHARED);
    g_assert_true(se_dump_read_page(&keys, comp, page, out));
    g_assert_cmpmem(out, sizeof(out), page, sizeof(page));
    se_dump_component(d, 0x8000, false, true, comp);
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_ZERO);
    g_assert_true(se_dump_read_page(&keys, comp, page, out));
    for (size_t j = 0; j < sizeof(out); j++) {
        g_assert_cmphex(out[j], ==, 0);
    }
    se_dump_keys_wipe(&keys);
}

/*
 * The components' bytes, as zgetdump reads them (zdump/pv_defs.h: the
 * indicator 0xffffffff, then byte 15's big-endian bit fields
 * reserved:5, is_mapped_page, is_shared_page, is_zero_page) and our [U]
 * encrypted-page component (the page number in bytes 8-15).
 */
static void test_components(void)
{
    static const uint8_t enc[16] = { [15] = 7 };
    static const uint8_t shared[16] = { 0xff, 0xff, 0xff, 0xff,
                                        [15] = 0x06 };
    static const uint8_t zero[16] = { 0xff, 0xff, 0xff, 0xff, [15] = 0x01 };
    uint8_t cck[32] = { 0 }, comp[16];
    g_autoptr(SeDump) d = se_dump_new(cck);

    se_dump_component(d, 0x7000, false, false, comp);
    g_assert_cmpmem(comp, 16, enc, 16);
    se_dump_component(d, 0x7000, true, false, comp);
    g_assert_cmpmem(comp, 16, shared, 16);
    se_dump_component(d, 0x7000, false, true, comp);
    g_assert_cmpmem(comp, 16, zero, 16);
}

static void test_refusals(void)
{
    uint8_t cck[32], compl[SE_DUMP_COMPL_LEN], bad[SE_DUMP_COMPL_LEN];
    uint8_t cpu[SE_DUMP_CPU_LEN], badcpu[SE_DUMP_CPU_LEN], comp[16] = { 0 };
    uint8_t page[4096] = { 0 }, out[4096];
    g_autoptr(SeDump) d = NULL;
    SeDumpCpuState st = { 0 };
    SeDumpKeys keys;
    size_t i;
    static const size_t probes[] = { 0x10, 0x50, 0x5f, 0x60, 0xff, 0x110,
                                     0x11f };

    fill(cck, sizeof(cck), 0x40);
    d = se_dump_new(cck);
    se_dump_cpu(d, &st, cpu);
    se_dump_complete(d, compl);

    /* every part is authenticated: seed, IV, encrypted area, tag */
    for (i = 0; i < G_N_ELEMENTS(probes); i++) {
        memcpy(bad, compl, sizeof(bad));
        bad[probes[i]] ^= 0x10;
        g_assert_false(se_dump_open_completion(bad, sizeof(bad), cck, &keys,
                                               NULL));
    }
    /* version, length, size */
    memcpy(bad, compl, sizeof(bad));
    bad[3] = 2;
    g_assert_false(se_dump_open_completion(bad, sizeof(bad), cck, &keys,
                                           NULL));
    memcpy(bad, compl, sizeof(bad));
    bad[7] ^= 1;
    g_assert_false(se_dump_open_completion(bad, sizeof(bad), cck, &keys,
                                           NULL));
    g_assert_false(se_dump_open_completion(compl, sizeof(compl) - 1, cck,
                                           &keys, NULL));
    g_assert_false(se_dump_open_completion(compl, 3, cck, &keys, NULL));
    cck[31] ^= 0x80;
    g_assert_false(se_dump_open_completion(compl, sizeof(compl), cck, &keys,
                                           NULL));
    cck[31] ^= 0x80;
    g_assert_true(se_dump_open_completion(compl, sizeof(compl), cck, &keys,
                                          NULL));

    for (i = 0; i < SE_DUMP_CPU_LEN; i += 97) {
        memcpy(badcpu, cpu, sizeof(badcpu));
        badcpu[i] ^= 4;
        g_assert_false(se_dump_open_cpu(&keys, badcpu, sizeof(badcpu), &st,
                                        NULL));
    }
    g_assert_false(se_dump_open_cpu(&keys, cpu, sizeof(cpu) - 1, &st, NULL));

    /* special components as zgetdump reads them */
    memset(comp, 0xff, 4);
    comp[15] = 0x04;            /* mapped alone */
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_INVALID);
    g_assert_false(se_dump_read_page(&keys, comp, page, out));
    comp[15] = 0x03;            /* zero and shared */
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_INVALID);
    comp[15] = 0x0a;            /* a reserved bit */
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_INVALID);
    comp[15] = 0x02;
    comp[14] = 1;
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_INVALID);
    comp[14] = 0;
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_SHARED);
    comp[15] = 0x05;            /* zero, mapped */
    g_assert_cmpint(se_dump_page_state(comp), ==, SE_DUMP_PAGE_ZERO);
    se_dump_keys_wipe(&keys);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/se-dump/kdf", test_kdf);
    g_test_add_func("/se-dump/round-trip", test_round_trip);
    g_test_add_func("/se-dump/components", test_components);
    g_test_add_func("/se-dump/refusals", test_refusals);
    return g_test_run();
}
