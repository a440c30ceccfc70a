#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-host suite against an IBM Z Secure Execution guest
(tests/hostile/README.rst, docs/system/ibm-cc-threat-model.rst).

The guest (hostile-init.sh on the Debian s390x kernel) keeps two secrets:
a literal of its initramfs and one it assembles at run time (also its
host name, so it sits in the kernel's data).  Every row tries one host
interface on the same guest booted unprotected (-kernel/-initrd: the
positive control, which must get the secret or the test is broken) and
protected (an SE image of the same kernel, initramfs and command line on
-object s390-pv-guest, which must not).

  tests/hostile/test_s390x.py [-k NAME] [--list] [--quick]

--quick leaves out the plugin and gdbstub rows and every dump format but
ELF, for the ASan/UBSan build.
"""

import hashlib
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hostile  # noqa: E402
from hostile import Broken, free_path  # noqa: E402
import guest  # noqa: E402

QEMU = os.environ.get("QEMU_S390X",
                      os.path.join(guest.BUILD, "qemu-system-s390x"))
MKSE = os.path.join(guest.BUILD, "tools", "mk-se-image")
MKKEY = os.path.join(guest.TOP, "scripts", "mk-test-host-key.sh")
MKINITRAMFS = os.path.join(guest.TOP, "scripts", "mkinitramfs.py")
QEMU_SRC = os.path.join(guest.BUILD, "qemu-src")
# runs on the ASan/UBSan build keep their files apart
TAG = "-asan" if QEMU.endswith("-asan") else ""
OUT = os.path.join(guest.BUILD, "hostile", "s390x" + TAG)

RAM_MIB = 512
# Where the host plants bytes before boot (not part of the SE image).
PLANT_MIB = 200
GROUPS = ("main", "log", "dma", "dma-no-iommu-platform", "plugin",
          "shared-ram", "shared-ram-allowed", "dump-allowed")

rows = []
LG = hostile.LinuxGuest(RAM_MIB, "s390_pv_", "s390_pv_unpack")
SECRETS = LG.secrets    # filled by Setup, used by the shared rows
FACTS = LG.facts
row = lambda *a, **k: hostile.row(rows, *a, **k)  # noqa: E731


# ---------------------------------------------------------------- setup

class Setup:
    """The guest's inputs, built once per suite run."""

    def __init__(self):
        os.makedirs(OUT, exist_ok=True)
        self.token = guest.new_token()
        self.literal = ("QEMU-IBM-CC-LITERAL-" + guest.new_token()).encode()
        self.runtime = hashlib.sha256(
            ("hostile-%s\n" % self.token).encode()).hexdigest().encode()
        SECRETS.update(literal=self.literal, runtime=self.runtime)
        self.secrets = SECRETS
        self.plant = ("PLANTED-BY-HOST-" + guest.new_token()).encode()
        plant_file = os.path.join(OUT, "plant.bin")
        with open(plant_file, "wb") as f:
            f.write(self.plant * 128)
        self.plant_file = plant_file
        secret_file = os.path.join(OUT, "secret")
        with open(secret_file, "wb") as f:
            f.write(self.literal)
        mods = guest.fixture("s390x", "modules")
        blk = os.path.join(mods, os.listdir(mods)[0], "kernel", "drivers",
                           "block", "virtio_blk.ko.xz")
        self.initrd = os.path.join(OUT, "initrd.cpio.gz")
        subprocess.run(["/usr/bin/python3", MKINITRAMFS, "--busybox",
                        guest.fixture("s390x", "busybox"), "--init",
                        os.path.join(HERE, "hostile-init.sh"),
                        "--add", secret_file + ":/secret",
                        "--add", blk + ":/mod/virtio_blk.ko.xz",
                        "-o", self.initrd],
                       check=True, stdout=subprocess.DEVNULL)
        # the disk of the DMA rows: 16 KiB of random data the guest reads
        self.disk = os.path.join(OUT, "disk.raw")
        data = os.urandom(16384)
        with open(self.disk, "wb") as f:
            f.write(data + bytes((1 << 20) - len(data)))
        self.disk_sha = hashlib.sha256(data).hexdigest()
        self.kernel = guest.fixture("s390x", "vmlinuz")
        self.cmdline = ("console=ttysclp0 panic=-1 nokaslr "
                        "qemu_ibm_cc.token=%s qemu_ibm_cc.plant=%s "
                        "qemu_ibm_cc.plant_mib=%d"
                        % (self.token, self.plant.decode(), PLANT_MIB))
        # DMA: the guest reads its disk; swiotlb=noforce keeps Linux from
        # bouncing through shared pages, so a protected guest hands the
        # device its secure pages
        self.cmdline_dma = self.cmdline + " qemu_ibm_cc.dma=1 swiotlb=noforce"
        keydir = os.path.join(OUT, "keys")
        subprocess.run([MKKEY, keydir, "host"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.key = os.path.join(keydir, "host.key")
        if not os.access(MKSE, os.X_OK):
            raise guest.Skip("no %s (make core)" % MKSE)
        self.image = self.se_image("hostile-se", keydir, self.cmdline)
        self.image_dma = self.se_image("hostile-dma-se", keydir,
                                       self.cmdline_dma)
        # an image whose SE header allows the (encrypted) protected dump
        self.image_dump = self.se_image("hostile-dump-se", keydir,
                                        self.cmdline, ["--enable-dump"])
        self.plugin = None

    def se_image(self, name, keydir, cmdline, extra=()):
        parm = os.path.join(OUT, name + ".parm")
        with open(parm, "w") as f:
            f.write(cmdline + "\n")
        image = os.path.join(OUT, name + ".img")
        subprocess.run([MKSE, "--no-verify", "-k",
                        os.path.join(keydir, "host.crt"), "-i", self.kernel,
                        "-r", self.initrd, "-p", parm, "-o", image] +
                       list(extra), check=True, stdout=subprocess.DEVNULL)
        with open(image, "rb") as f:
            img = f.read()
        for secret, s in self.secrets.items():
            if s in img:
                raise Broken("secret %s in plaintext in the SE image"
                             % secret)
        return image

    def build_plugin(self):
        if not self.plugin:
            self.plugin = hostile.build_plugin(OUT, QEMU_SRC)
        return self.plugin

S = None


# ---------------------------------------------------------------- launch

def launch(run):
    group, mode = run.group, run.mode
    qmp = free_path(run.path("qmp.sock"))
    argv = [QEMU, "-m", "%dM" % RAM_MIB, "-nographic", "-no-reboot",
            "-qmp", "unix:%s,server=on,wait=off" % qmp]
    dma = group.startswith("dma")
    if mode == "protected":
        pv = "s390-pv-guest,id=pv0,host-key=" + S.key
        if group == "shared-ram-allowed":
            pv += ",allow-shared-ram=on"
        image = S.image_dma if dma else S.image
        if group == "dump-allowed":
            image = S.image_dump
        argv += ["-machine", "s390-ccw-virtio,confidential-guest-support=pv0",
                 "-object", pv, "-kernel", image]
    else:
        argv += ["-machine", "s390-ccw-virtio", "-kernel", S.kernel,
                 "-initrd", S.initrd,
                 "-append", S.cmdline_dma if dma else S.cmdline]
    if group == "main":
        gdb = free_path(run.path("gdb.sock"))
        argv += ["-chardev", "socket,id=gdb0,path=%s,server=on,wait=off" % gdb,
                 "-gdb", "chardev:gdb0",
                 "-device", "loader,file=%s,addr=%#x,force-raw=on"
                 % (S.plant_file, PLANT_MIB << 20),
                 "-trace", "s390_pv_*", "-D", free_path(run.path("trace.log"))]
        run.files["gdb"] = gdb
        run.files["trace"] = run.path("trace.log")
    elif group == "log":
        qt = free_path(run.path("qtest.sock"))
        argv += ["-accel", "tcg",
                 "-qtest", "unix:%s,server=on,wait=off" % qt,
                 "-d", "int,in_asm", "-D", free_path(run.path("tcg.log"))]
        run.files["qtest"] = qt
        run.files["log"] = run.path("tcg.log")
    elif group == "plugin":
        out = free_path(run.path("plugin.out"))
        argv += hostile.plugin_argv(S.build_plugin(), out, RAM_MIB << 20,
                                    S.secrets)
        run.files["plugin"] = out
    elif dma:
        argv += ["-drive", "if=none,id=d0,format=raw,file=" + S.disk,
                 "-device", "virtio-blk-ccw,drive=d0,iommu_platform=%s"
                 % ("off" if group == "dma-no-iommu-platform" else "on"),
                 "-trace", "s390_pv_dma_denied",
                 "-D", free_path(run.path("trace.log"))]
        run.files["trace"] = run.path("trace.log")
    elif group.startswith("shared-ram"):
        ram = free_path(run.path("ram.shm"))
        argv += ["-object", "memory-backend-file,id=ram0,size=%dM,"
                 "mem-path=%s,share=on" % (RAM_MIB, ram),
                 "-machine", "memory-backend=ram0"]
        run.files["ram"] = ram
    run.guest = guest.Guest("hostile-s390x%s-%s-%s" % (TAG, group, mode),
                            argv)
    run.guest.start()
    try:
        m = run.guest.wait_for(r"HOSTILE: token=(\S+) prot_virt_guest=(\S+)",
                               300, guest.FAIL_PATTERNS)
    except guest.BootFailure as e:
        if "QEMU exited" not in str(e):
            raise Broken(str(e))
        run.start_error = run.guest.text().strip()
        if group not in ("plugin", "shared-ram"):
            raise Broken("QEMU did not start: " + run.start_error[-300:])
        return
    if m.group(1) != S.token:
        raise Broken("token %s, expected %s" % (m.group(1), S.token))
    want = "1" if mode == "protected" else "none"
    if m.group(2) != want:
        raise Broken("prot_virt_guest=%s in the %s boot" % (m.group(2), mode))
    run.guest.wait_for(r"HOSTILE: ready", 300, guest.FAIL_PATTERNS)
    run.wait_ticks(1, timeout=300)
    run.qmp = hostile.Qmp(qmp)
    if mode == "control" and group == "main":
        discover(run)


def discover(run):
    """Where the secrets are, from the control boot: the protected boot
    runs the same kernel with nokaslr at the same addresses."""
    LG.discover(run)
    # the kernel's text address where gdb stops the CPU, and its real
    # address: translated while stopped, retried while the CPU is
    # stopped outside the kernel's address space
    g = hostile.gdb_connect(run)
    try:
        for _ in range(50):
            pc = int(g.cmd("p1"), 16)
            out = run.hmp("gva2gpa %#x" % (pc & ~0xfff))
            m = re.search(r"gpa: (0x[0-9a-f]+)", out)
            # not code the kernel runs identity-mapped or in the lowcore:
            # the delta must also map the host name's page back to it
            if m and int(m.group(1), 16) != pc & ~0xfff:
                delta = (pc & ~0xfff) - int(m.group(1), 16)
                va = FACTS["nodename_pa"] + delta
                back = run.hmp("gva2gpa %#x" % (va & ~0xfff))
                if (va > 0 and va < 1 << 64 and
                        "gpa: %#x" % (FACTS["nodename_pa"] & ~0xfff) in back):
                    break
            m = None
            g.send("c")
            time.sleep(0.1)
            g.interrupt()
    finally:
        g.close(detach=True)
    if not m:
        raise Broken("gva2gpa of the kernel text: %r" % out)
    FACTS["stop_pc"] = pc
    delta = (pc & ~0xfff) - int(m.group(1), 16)
    FACTS["nodename_va"] = FACTS["nodename_pa"] + delta


# ---------------------------------------------------------------- helpers

def targets(run):
    return LG.targets(run)


# ---------------------------------------------------------------- rows:
# memory through the monitor

hostile.row(rows, "planted-memory", "main",
            "bytes the host put in RAM before boot, outside the image: does "
            "the guest find them (through /proc/kcore)?  Protected: cleared "
            "at VERIFY")(hostile.planted_probe)


hostile.linux_monitor_rows(rows, LG)


@row("hmp-disassemble", "main",
     "HMP xp /i: the guest's code at the CPU's stop address")
def p_disas(run):
    out = run.hmp("xp /4i %#x" % (FACTS["stop_pc"] - FACTS["nodename_va"] +
                                  FACTS["nodename_pa"])).strip()
    if "Asm output not supported" in out:
        raise guest.Skip("this QEMU has no s390x disassembler")
    return "Cannot access" not in out and bool(out), out.splitlines()[0]


@row("hmp-info-registers", "main", "HMP info registers")
def p_info_registers(run):
    out = run.hmp("info registers").strip().splitlines()
    return any("PSW=" in x for x in out), " / ".join(out[:2])


# ---------------------------------------------------------------- dumps,
# migration, snapshots, gdbstub memory, qtest, TCG logs, plugins

hostile.shared_rows(rows, targets, SECRETS,
                    "in_asm,op,op_opt,out_asm,cpu,exec,int,mmu,page,nochain")


# ---------------------------------------------------------------- gdbstub

def gdb_row(name, doc):
    return hostile.gdb_row(rows, name, "main", doc)


@gdb_row("gdb-memory-virtual", "gdbstub m at the host name's kernel address")
def p_gdb_virt(run, g):
    for _ in range(1 if run.protected else 20):
        data, what = hostile.gdb_read(g, FACTS["nodename_va"], 64)
        if data and S.runtime in data:
            return True, "the host name, " + what
        g.send("c")
        time.sleep(0.2)
        g.interrupt()
    return False, "reply %s" % what


@gdb_row("gdb-registers-read", "gdbstub g and p")
def p_gdb_regs(run, g):
    r, p = g.cmd("g"), g.cmd("p1")
    got = not r.startswith("E") and not p.startswith("E")
    return got, "g -> %s..., p1 -> %s" % (r[:16], p[:16])


@gdb_row("gdb-registers-write", "gdbstub P and G (the values read back, "
         "or zeros when they cannot be read)")
def p_gdb_regs_write(run, g):
    regs = g.cmd("g")
    if regs.startswith("E"):
        regs = "0" * 2 * (16 + 16 * 8)
    pr = g.cmd("P2=%s" % ("0" * 16 if run.protected else regs[32:48]))
    gr = g.cmd("G" + regs)
    return pr == "OK" or gr == "OK", "P -> %s, G -> %s" % (pr, gr)


@gdb_row("gdb-breakpoint", "gdbstub Z0 at the kernel's stop address, "
         "continue for 5 s of guest ticks")
def p_gdb_break(run, g):
    return hostile.gdb_until_stop(g, "Z0,%x,2" % FACTS["stop_pc"])


@gdb_row("gdb-watchpoint", "gdbstub Z4 on the host name, continue for 5 s")
def p_gdb_watch(run, g):
    return hostile.gdb_until_stop(g, "Z4,%x,8" % FACTS["nodename_va"])


# ---------------------------------------------------------------- devices

def dma_probe(run):
    m = re.search(r"HOSTILE: vda (\S+)", run.guest.text())
    if not m:
        raise Broken("the guest did not report its disk read")
    with open(run.files["trace"]) as f:
        denied = len(re.findall(r"s390_pv_dma_denied", f.read()))
    ok = m.group(1) == S.disk_sha
    return ok, "the guest read %s data from its disk; %d DMA refusals " \
        "traced" % ("the right" if ok else "no or wrong", denied)


hostile.row(rows, "device-dma", "dma",
            "virtio-blk-ccw (iommu_platform=on) into pages the guest did not "
            "share (swiotlb=noforce)")(dma_probe)
hostile.row(rows, "device-dma-no-iommu-platform", "dma-no-iommu-platform",
            "the same with iommu_platform=off")(dma_probe)


# ---------------------------------------------------------------- dump

def dump_allowed_probe(fmt):
    """dump-guest-memory of a guest whose SE header allows dumping: the
    protected run gets the ultravisor's encrypted dump (ELF) or a refusal
    (the other formats), never the secrets."""
    def probe(run):
        path = free_path(run.path("allowed-dump-" + fmt))
        r = run.qmp.cmd("dump-guest-memory", paging=False, format=fmt,
                        protocol="file:" + path)
        if "error" in r:
            return False, "refused: " + r["error"]["desc"]
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        if "zlib" in fmt:
            data, _ = hostile.kdump_pages(data)
        found = hostile.find_secrets(data, S.secrets)
        return bool(found), "%s in %d bytes" % (hostile.describe(found),
                                                 len(data))
    return probe


hostile.row(rows, "dump-allowed-elf", "dump-allowed",
            "QMP dump-guest-memory (ELF) of an image made with "
            "--enable-dump: the encrypted protected dump")(
                dump_allowed_probe("elf"))
hostile.row(rows, "dump-allowed-kdump-zlib", "dump-allowed",
            "the same in format kdump-zlib")(
                dump_allowed_probe("kdump-zlib"))


# ---------------------------------------------------------------- start-up


@row("shared-ram", "shared-ram",
     "memory-backend-file,share=on: the file is the guest's RAM")
def p_shared(run):
    return hostile.shared_ram_probe(run, S.secrets)


@row("shared-ram-allowed", "shared-ram-allowed",
     "the same with s390-pv-guest,allow-shared-ram=on: the developer "
     "option that lets the host read the file", expect={"protected": True})
def p_shared_allowed(run):
    return p_shared(run)


# ---------------------------------------------------------------- main

def setup():
    global S
    S = Setup()
    return launch


if __name__ == "__main__":
    sys.exit(hostile.main("s390x", rows, GROUPS, QEMU, setup, OUT,
                          discovery="qmp-pmemsave"))
