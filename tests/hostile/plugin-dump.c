/*
 * qemu-ibm-cc hostile-host suite: a TCG plugin as a hostile host would
 * write one (tests/hostile/README.rst, row "plugin").
 *
 * Every store the guest makes through the TCG memory path hands the
 * plugin the value and the physical address; the plugin writes the bytes
 * into its own copy of guest RAM (stores are enough to rebuild what the
 * guest wrote, and cost less than loads and stores together).  At exit
 * it looks for the needles and writes one line per needle to the output
 * file:
 *   found NAME at 0xPADDR      or      missing NAME
 * and a last line "bytes N": how many distinct bytes of RAM it saw.
 *
 * Arguments: out=PATH, ram=BYTES, needle=NAME:HEX (repeatable).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct {
    char *name;
    GByteArray *bytes;
} Needle;

static uint8_t *ram;
static uint8_t *seen;   /* one bit per RAM byte */
static uint64_t ram_size;
static GArray *needles;
static char *out_path;
static GMutex lock;

static void put_byte(uint64_t pa, uint8_t b)
{
    if (pa < ram_size) {
        ram[pa] = b;
        seen[pa >> 3] |= 1 << (pa & 7);
    }
}

static void vcpu_mem(unsigned int vcpu, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *udata)
{
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    qemu_plugin_mem_value v;
    unsigned int size, i, n;
    uint8_t val[16];
    uint64_t x = 0;
    uint64_t pa;
    bool be;

    if (!hw || qemu_plugin_hwaddr_is_io(hw)) {
        return;
    }
    pa = qemu_plugin_hwaddr_phys_addr(hw);
    v = qemu_plugin_mem_get_value(info);
    size = 1u << qemu_plugin_mem_size_shift(info);
    be = qemu_plugin_mem_is_big_endian(info);
    switch (v.type) {
    case QEMU_PLUGIN_MEM_VALUE_U8:
        x = v.data.u8;
        n = 1;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U16:
        x = v.data.u16;
        n = 2;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U32:
        x = v.data.u32;
        n = 4;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U64:
        x = v.data.u64;
        n = 8;
        break;
    case QEMU_PLUGIN_MEM_VALUE_U128:
        n = 16;
        break;
    default:
        return;
    }
    /* byte i of the access, in guest memory order */
    for (i = 0; i < n; i++) {
        unsigned int k = be ? n - 1 - i : i;

        if (n == 16) {
            x = k < 8 ? v.data.u128.low : v.data.u128.high;
        }
        val[i] = x >> (8 * (k % 8));
    }
    g_mutex_lock(&lock);
    for (i = 0; i < size && i < sizeof(val); i++) {
        put_byte(pa + i, val[i]);
    }
    g_mutex_unlock(&lock);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
                                         vcpu_mem, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_W, NULL);
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    FILE *f = fopen(out_path, "w");
    uint64_t count = 0;

    if (!f) {
        return;
    }
    for (guint i = 0; i < needles->len; i++) {
        Needle *n = &g_array_index(needles, Needle, i);
        uint8_t *hit = memmem(ram, ram_size, n->bytes->data, n->bytes->len);

        if (hit) {
            fprintf(f, "found %s at 0x%" PRIx64 "\n", n->name,
                    (uint64_t)(hit - ram));
        } else {
            fprintf(f, "missing %s\n", n->name);
        }
    }
    for (uint64_t i = 0; i < ram_size / 8; i++) {
        count += __builtin_popcount(seen[i]);
    }
    fprintf(f, "bytes %" PRIu64 "\n", count);
    fclose(f);
}

static bool parse_needle(const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t hexlen;
    Needle n;

    if (!colon) {
        return false;
    }
    hexlen = strlen(colon + 1);
    if (hexlen == 0 || hexlen % 2) {
        return false;
    }
    n.name = g_strndup(arg, colon - arg);
    n.bytes = g_byte_array_new();
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = g_ascii_xdigit_value(colon[1 + i]);
        int lo = g_ascii_xdigit_value(colon[2 + i]);
        guint8 v = hi << 4 | lo;

        if (hi < 0 || lo < 0) {
            g_byte_array_free(n.bytes, true);
            g_free(n.name);
            return false;
        }
        g_byte_array_append(n.bytes, &v, 1);
    }
    g_array_append_val(needles, n);
    return true;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    needles = g_array_new(false, false, sizeof(Needle));
    for (int i = 0; i < argc; i++) {
        g_auto(GStrv) kv = g_strsplit(argv[i], "=", 2);

        if (!kv[0] || !kv[1]) {
            fprintf(stderr, "plugin-dump: bad argument %s\n", argv[i]);
            return -1;
        }
        if (!strcmp(kv[0], "out")) {
            out_path = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "ram")) {
            ram_size = g_ascii_strtoull(kv[1], NULL, 0);
        } else if (!strcmp(kv[0], "needle") && parse_needle(kv[1])) {
            continue;
        } else {
            fprintf(stderr, "plugin-dump: bad argument %s\n", argv[i]);
            return -1;
        }
    }
    if (!out_path || !ram_size) {
        fprintf(stderr, "plugin-dump: needs out=PATH and ram=BYTES\n");
        return -1;
    }
    ram = g_malloc0(ram_size);
    seen = g_malloc0(ram_size / 8 + 1);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
