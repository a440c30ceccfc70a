#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-host suite against the POWER ultravisor's secure memory
(tests/hostile/README.rst, docs/system/ibm-cc-threat-model.rst).

The guest is the bare-metal program of tests/pef-arch in its hostile mode
(tests/pef-arch/hostile.c): it assembles a secret at run time from a token
the runner patches into its configuration block, keeps it in memory and
its first bytes in r20, and ticks.  Protected: -machine powernv9,pef=on,
uv-firmware=IMG, so it runs in ultravisor state (MSR[S]=1) and the secret
is in secure memory; the "hv" group's protected run then leaves for
hypervisor state, as a hypervisor would run next to an ultravisor.  The
positive control runs the same program on -machine powernv9 (pef=off) in
hypervisor state, the secret in normal memory.  The secret is assembled
at run time only: on PEF the host supplies the ultravisor's image itself,
so a literal in that image is no secret from it.

  tests/hostile/test_pef.py [-k NAME] [--list] [--quick]

--quick leaves out the plugin and gdbstub rows and every dump format but
ELF, for the ASan/UBSan build.
"""

import json
import os
import re
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hostile  # noqa: E402
from hostile import Broken, describe, find_secrets, free_path  # noqa: E402
import guest  # noqa: E402

QEMU = os.environ.get("QEMU_PPC64",
                      os.path.join(guest.BUILD, "qemu-system-ppc64"))
CROSS = os.environ.get("PEF_ARCH_CROSS", "powerpc64-linux-gnu-")
QEMU_SRC = os.path.join(guest.BUILD, "qemu-src")
TAG = "-asan" if QEMU.endswith("-asan") else ""
OUT = os.path.join(guest.BUILD, "hostile", "pef" + TAG)
PEF_ARCH = os.path.join(guest.TOP, "tests", "pef-arch")

RAM_MIB = 1024
SECURE_BASE = 1 << 48           # PNV_PEF_SECURE_BASE (pnv-pef.h)
PLANT_OFFSET = 0x800000         # tests/pef-arch/hostile.c
CFG_OFFSET = 0x20               # tests/pef-arch/pef-arch.h
CFG_MAGIC = 0x5045464346473031
CFG_HOSTILE, CFG_HOSTILE_HV = 4, 8
MSR_S, MSR_RI = 1 << 22, 1 << 1
GDB_R20, GDB_MSR = 20, 65       # gdb's power-core.xml numbering
GROUPS = ("main", "hv", "log", "plugin", "shared-ram")

rows = []
SECRETS = {}            # filled by Setup, used by the shared rows
row = lambda *a, **k: hostile.row(rows, *a, **k)  # noqa: E731


def runtime_secret(token):
    """What hostile.c's assemble() makes of the token."""
    m = (1 << 64) - 1
    x = ((token * 0x9E3779B97F4A7C15) & m) | 1
    s = "PEF-RUNTIME-"
    while len(s) < 64:
        x ^= (x << 13) & m
        x ^= x >> 7
        x ^= (x << 17) & m
        s += "0123456789abcdef"[x >> 60]
    return s.encode()


# ---------------------------------------------------------------- setup

class Setup:
    """The program and its images, built once per suite run."""

    def __init__(self):
        os.makedirs(OUT, exist_ok=True)
        if not subprocess.run(["sh", "-c", "command -v %sgcc" % CROSS],
                              stdout=subprocess.DEVNULL).returncode == 0:
            raise guest.Skip("cross compiler %sgcc not found" % CROSS)
        r = subprocess.run(["make", "-s", "-C", PEF_ARCH, "OUT=" + OUT,
                            "CROSS=" + CROSS], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            raise Broken("building tests/pef-arch: " + r.stdout[-500:])
        self.token = struct.unpack(">I", os.urandom(4))[0]
        self.secret = runtime_secret(self.token)
        SECRETS.update(runtime=self.secret)
        self.secrets = SECRETS
        # r20 while the program waits: secret bytes 16..23, big-endian
        self.keep_hex = self.secret[16:24].hex()
        self.plant = b"PLANTED-BY-HOST-%08x" % self.token
        self.plant_file = os.path.join(OUT, "plant.bin")
        with open(self.plant_file, "wb") as f:
            f.write(self.plant * 16)
        base = open(os.path.join(OUT, "pef-arch.bin"), "rb").read()
        self.images = {}
        for name, flags in (("control", CFG_HOSTILE),
                            ("protected", CFG_HOSTILE),
                            ("hv", CFG_HOSTILE | CFG_HOSTILE_HV)):
            data = bytearray(base)
            if struct.unpack_from(">Q", data, CFG_OFFSET)[0] != CFG_MAGIC:
                raise Broken("pef-arch.bin: no configuration block")
            struct.pack_into(">Q", data, CFG_OFFSET + 8,
                             flags | (self.token << 32))
            if self.secret in data:
                raise Broken("the secret is in the image")
            path = os.path.join(OUT, "hostile-%s.bin" % name)
            with open(path, "wb") as f:
                f.write(data)
            self.images[name] = path
        self.plugin = None

    def build_plugin(self):
        if not self.plugin:
            self.plugin = hostile.build_plugin(OUT, QEMU_SRC)
        return self.plugin


S = None


# ---------------------------------------------------------------- launch

def launch(run):
    group, mode = run.group, run.mode
    qmp = free_path(run.path("qmp.sock"))
    if mode == "protected":
        img = S.images["hv" if group == "hv" else "protected"]
        machine = "powernv9,pef=on,uv-firmware=" + img
        plant_ra = SECURE_BASE + PLANT_OFFSET
    else:
        img = S.images["control"]
        machine = "powernv9"
        plant_ra = PLANT_OFFSET
    argv = [QEMU, "-machine", machine, "-bios", img, "-smp", "1",
            "-m", "%dM" % RAM_MIB, "-nodefaults", "-display", "none",
            "-serial", "stdio", "-no-reboot",
            "-qmp", "unix:%s,server=on,wait=off" % qmp]
    if group in ("main", "hv"):
        gdb = free_path(run.path("gdb.sock"))
        argv += ["-chardev", "socket,id=gdb0,path=%s,server=on,wait=off" % gdb,
                 "-gdb", "chardev:gdb0"]
        run.files["gdb"] = gdb
    if group == "main":
        argv += ["-device", "loader,file=%s,addr=%#x,force-raw=on"
                 % (S.plant_file, plant_ra)]
    elif group == "log":
        qt = free_path(run.path("qtest.sock"))
        argv += ["-accel", "tcg",
                 "-qtest", "unix:%s,server=on,wait=off" % qt,
                 "-d", "in_asm,int,exec,nochain",
                 "-D", free_path(run.path("tcg.log"))]
        run.files["qtest"] = qt
        run.files["log"] = run.path("tcg.log")
    elif group == "plugin":
        out = free_path(run.path("plugin.out"))
        argv += hostile.plugin_argv(S.build_plugin(), out, 64 << 20,
                                    S.secrets)
        run.files["plugin"] = out
    elif group == "shared-ram":
        ram = free_path(run.path("ram.shm"))
        argv += ["-object", "memory-backend-file,id=ram0,size=%dM,"
                 "mem-path=%s,share=on" % (RAM_MIB, ram),
                 "-machine", "memory-backend=ram0"]
        run.files["ram"] = ram
    run.guest = guest.Guest("hostile-pef%s-%s-%s" % (TAG, group, mode), argv)
    run.guest.start()
    fails = guest.FAIL_PATTERNS + (r"PEF-ARCH FATAL[^\n]*",)
    try:
        m = run.guest.wait_for(
            r"HOSTILE: secret ra=0x([0-9a-f]+) len=64 reg=r20 "
            r"code=0x([0-9a-f]+) msr=0x([0-9a-f]+)\r?\n", 60, fails)
    except guest.BootFailure as e:
        if "QEMU exited" not in str(e):
            raise Broken(str(e))
        run.start_error = run.guest.text().strip()
        if group not in ("plugin", "shared-ram"):
            raise Broken("QEMU did not start: " + run.start_error[-300:])
        return
    run.secret_ra = int(m.group(1), 16)
    run.code_ra = int(m.group(2), 16)
    msr = int(m.group(3), 16)
    if bool(msr & MSR_S) != (mode == "protected"):
        raise Broken("MSR %#x in the %s run" % (msr, mode))
    want = SECURE_BASE if mode == "protected" else 0
    if run.secret_ra & ~((1 << 48) - 1) != want:
        raise Broken("the secret is at %#x in the %s run"
                     % (run.secret_ra, mode))
    # EAs: the program runs in real mode, linked at 0
    run.secret_ea = run.secret_ra & ((1 << 48) - 1)
    run.code_ea = run.code_ra & ((1 << 48) - 1)
    run.guest.wait_for(r"HOSTILE: ready", 30, fails)
    run.wait_ticks(1)
    run.qmp = hostile.Qmp(qmp)


# ---------------------------------------------------------------- helpers

def targets(run):
    """The secret's place in this run."""
    return [hostile.Target("runtime", run.secret_ra, S.secret,
                           run.secret_ea)]


# ---------------------------------------------------------------- rows:
# memory through the monitor

hostile.row(rows, "planted-memory", "main",
            "bytes the host loaded (-device loader) where the program "
            "looks, 8 MiB above its base: secure memory in the protected "
            "run")(hostile.planted_probe)


@row("qmp-pmemsave", "main", "QMP pmemsave of the secret's page")
def p_pmemsave(run):
    path = free_path(run.path("pmem.bin"))
    r = run.qmp.cmd("pmemsave", val=run.secret_ra & ~0xfff, size=4096,
                    filename=path)
    if "error" in r:
        return False, "refused: " + r["error"]["desc"]
    found = find_secrets(open(path, "rb").read(), S.secrets)
    return bool(found), describe(found)


@row("qmp-memsave", "main", "QMP memsave at the secret's address (the "
     "CPU's real-mode EA)")
def p_memsave(run):
    path = free_path(run.path("mem.bin"))
    r = run.qmp.cmd("memsave", val=run.secret_ea, size=64, filename=path)
    if "error" in r:
        return False, "refused: " + r["error"]["desc"]
    data = open(path, "rb").read()
    return S.secret in data, "read %r" % data[:16]


@row("hmp-xp", "main", "HMP xp at the secret's real address")
def p_xp(run):
    out = run.hmp("xp /64bx %#x" % run.secret_ra)
    return S.secret in hostile.hmp_bytes(out), out.splitlines()[0]


@row("hmp-x", "main", "HMP x at the secret's EA")
def p_x(run):
    out = run.hmp("x /64bx %#x" % run.secret_ea)
    return S.secret in hostile.hmp_bytes(out), out.splitlines()[0]


@row("hmp-gva2gpa", "main", "HMP gva2gpa of the secret's EA")
def p_gva2gpa(run):
    out = run.hmp("gva2gpa %#x" % run.secret_ea).strip()
    return out == "gpa: %#x" % run.secret_ra, out


@row("hmp-disassemble", "main",
     "HMP xp /i: the program's wait loop at its real address")
def p_disas(run):
    out = run.hmp("xp /6i %#x" % run.code_ra).strip()
    if "Asm output not supported" in out:
        raise guest.Skip("this QEMU has no ppc disassembler")
    got = re.search(r"\b(mfspr|mftb|cmpld|blt|std)\b", out)
    return bool(got), out.splitlines()[0] if out else "no output"


@row("qmp-query-pef-uv", "main",
     "QMP query-pef-uv and HMP info uv: the ultravisor's mode, secure "
     "memory, partitions and facility state, never the guest's bytes",
     expect={"control": False})
def p_query_uv(run):
    r = run.qmp.cmd("query-pef-uv")
    text = (json.dumps(r) + run.hmp("info uv")).encode()
    found = find_secrets(text, S.secrets)
    hexed = find_secrets(text, {k: v.hex().encode()
                                for k, v in S.secrets.items()})
    return bool(found or hexed), "%s; %s" % (
        "secret bytes in the reply" if found or hexed else "no secret",
        json.dumps(r.get("return", r.get("error")))[:120])


@row("hmp-info-registers", "main",
     "HMP info registers: r20 holds secret bytes while the program waits")
def p_info_registers(run):
    # r20 holds them in the wait loop, not while the program prints its
    # tick: the control looks again until it catches the loop
    for _ in range(1 if run.protected else 20):
        out = run.hmp("info registers").strip()
        got = S.keep_hex in out.lower().replace(" ", "")
        if got:
            break
        time.sleep(0.2)
    lines = out.splitlines()
    return got, "%s; %s" % (" / ".join(lines[:2]),
                            "r20's secret bytes shown" if got else
                            "no secret bytes")


# ---------------------------------------------------------------- dumps,
# migration, snapshots, gdbstub memory, qtest, TCG logs, plugins

hostile.shared_rows(rows, targets, SECRETS,
                    "in_asm,op,op_opt,out_asm,cpu,exec,int,mmu,page,nochain")


# ---------------------------------------------------------------- gdbstub

def gdb_row(name, doc, group="main"):
    return hostile.gdb_row(rows, name, group, doc)


@gdb_row("gdb-memory-virtual", "gdbstub m at the secret's EA")
def p_gdb_virt(run, g):
    data, what = hostile.gdb_read(g, run.secret_ea, 64)
    return bool(data) and S.secret in data, what


@gdb_row("gdb-registers-read", "gdbstub g and p (r20 holds secret bytes)")
def p_gdb_regs(run, g):
    r, p = g.cmd("g"), g.cmd("p%x" % GDB_R20)
    got = not r.startswith("E") and not p.startswith("E")
    return got, "g -> %s..., p r20 -> %s%s" % (
        r[:16], p[:16], " (secret bytes)" if S.keep_hex in p else "")


@gdb_row("gdb-registers-write", "gdbstub P of r20")
def p_gdb_regs_write(run, g):
    r = g.cmd("P%x=%s" % (GDB_R20, "00" * 8))
    return r == "OK", "P r20 -> %s" % r


@gdb_row("gdb-breakpoint", "gdbstub Z0 at the wait loop (entered every "
         "tick), continue for 5 s")
def p_gdb_break(run, g):
    return hostile.gdb_until_stop(g, "Z0,%x,4" % run.code_ea)


@gdb_row("gdb-watchpoint", "gdbstub Z3 on the secret (read every tick), "
         "continue for 5 s")
def p_gdb_watch(run, g):
    return hostile.gdb_until_stop(g, "Z3,%x,8" % run.secret_ea)


# the hv group: the protected run's CPU is back in hypervisor state, the
# secret in secure memory

@gdb_row("gdb-msr-write", "gdbstub P of MSR with S=1 and RI flipped, on a "
         "CPU in hypervisor state: does the MSR change (the control has no "
         "MSR[S], so RI shows that the write path works)", group="hv")
def p_gdb_msr(run, g):
    old = g.cmd("p%x" % GDB_MSR)
    if old.startswith("E") or len(old) != 16:
        raise Broken("reading MSR: %s" % old)
    msr = int(old, 16)
    want = (msr ^ MSR_RI) | MSR_S
    r = g.cmd("P%x=%016x" % (GDB_MSR, want))
    new = int(g.cmd("p%x" % GDB_MSR), 16)
    changed = new != msr
    g.send("c")
    states = run.wait_ticks(2)
    leaked = S.secret.decode() in run.guest.text()
    if changed and not run.protected:
        g.interrupt()
        g.cmd("P%x=%016x" % (GDB_MSR, msr))
    return changed or leaked, "P -> %s; MSR %x -> %x; ticks %s%s" % (
        r, msr, new, " ".join(states),
        "; the program printed the secret" if leaked else "")


@gdb_row("gdb-memory-from-hv", "gdbstub m at the secret's real address "
         "(EA bit 0: no HRMOR) while the CPU is in hypervisor state",
         group="hv")
def p_gdb_hv_mem(run, g):
    data, what = hostile.gdb_read(g, (1 << 63) | run.secret_ra, 64)
    return bool(data) and S.secret in data, what


@row("hmp-x-from-hv", "hv", "HMP x at the secret's real address (EA bit 0) "
     "while the CPU is in hypervisor state")
def p_x_hv(run):
    out = run.hmp("x /64bx %#x" % ((1 << 63) | run.secret_ra))
    return S.secret in hostile.hmp_bytes(out), out.splitlines()[0]


# ---------------------------------------------------------------- logs,
# start-up options


@row("shared-ram", "shared-ram",
     "memory-backend-file,share=on: the file is the machine's RAM (secure "
     "memory is not part of it)")
def p_shared(run):
    return hostile.shared_ram_probe(run, S.secrets)


# ---------------------------------------------------------------- main

def setup():
    global S
    S = Setup()
    return launch


if __name__ == "__main__":
    sys.exit(hostile.main("pef", rows, GROUPS, QEMU, setup, OUT))
