#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-host suite against a POWER Secure VM on pseries under TCG
(pef-guest; tests/hostile/README.rst, docs/system/ibm-cc-threat-model.rst).

The guest (hostile-init.sh on our CONFIG_PPC_SVM kernel) keeps two
secrets: a literal of its initramfs and one it assembles at run time (the
host name).  Protected: the esmb-initrd of that kernel, initramfs and
command line with svm=on, pef-guest with a swtpm, so the guest runs as an
SVM and its memory is secure.  Control: the same kernel, initramfs and
command line without svm=on on a plain pseries machine.

  tests/hostile/test_pef_pseries.py [-k NAME] [--list] [--quick]
"""

import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
import hostile  # noqa: E402
from hostile import Broken, free_path  # noqa: E402
import guest  # noqa: E402
import svm  # noqa: E402

QEMU = svm.QEMU
QEMU_SRC = os.path.join(guest.BUILD, "qemu-src")
TAG = "-asan" if QEMU.endswith("-asan") else ""
OUT = os.path.join(guest.BUILD, "hostile", "pef-pseries" + TAG)

RAM_MIB = 512
GROUPS = ("main", "log", "dma", "dma-no-iommu-platform", "plugin",
          "shared-ram")

rows = []
LG = hostile.LinuxGuest(RAM_MIB, "spapr_pef_", "spapr_pef_enter_svm")
SECRETS = LG.secrets    # filled by Setup, used by the shared rows
FACTS = LG.facts
row = lambda *a, **k: hostile.row(rows, *a, **k)  # noqa: E731


# ---------------------------------------------------------------- setup

class Setup:
    """The guest's inputs, built once per suite run."""

    def __init__(self):
        self.kernel = svm.need_tools()
        os.makedirs(OUT, exist_ok=True)
        self.token = guest.new_token()
        self.literal = ("QEMU-IBM-CC-LITERAL-" + guest.new_token()).encode()
        self.runtime = hashlib.sha256(
            ("hostile-%s\n" % self.token).encode()).hexdigest().encode()
        SECRETS.update(literal=self.literal, runtime=self.runtime)
        self.secrets = SECRETS
        secret_file = os.path.join(OUT, "secret")
        with open(secret_file, "wb") as f:
            f.write(self.literal)
        self.initrd = os.path.join(OUT, "initrd.cpio.gz")
        svm.subprocess.run(
            ["/usr/bin/python3", svm.MKINITRAMFS, "--busybox",
             guest.fixture("ppc64el", "busybox"), "--init",
             os.path.join(HERE, "hostile-init.sh"),
             "--add", secret_file + ":/secret", "-o", self.initrd],
            check=True, stdout=svm.subprocess.DEVNULL)
        # what the DMA rows' guest fetches over virtio-net
        self.net_token = "NET-" + guest.new_token()
        base = "console=hvc0 panic=-1 qemu_ibm_cc.token=%s" % self.token
        # the Secure VM bounces DMA through shared pages (swiotlb=force);
        # for the DMA rows swiotlb=noforce makes it hand the device its
        # secure pages
        self.cmdline = base + " swiotlb=force"
        self.cmdline_dma = base + " qemu_ibm_cc.net=1 swiotlb=noforce"
        self.tpm = svm.Tpm(OUT)
        pem = self.tpm.provision()
        self.esmb = self.esmb_initrd("hostile", self.cmdline, pem)
        self.esmb_dma = self.esmb_initrd("hostile-dma", self.cmdline_dma,
                                         pem)
        self.plugin = None

    def esmb_initrd(self, name, cmdline, pem):
        path = svm.esmb_initrd(OUT, name, self.kernel, self.initrd,
                               cmdline + " svm=on", pem)
        with open(path, "rb") as f:
            img = f.read()
        # the initramfs is not encrypted (PEF measures it, no more): the
        # run-time secret is the one that is in no file the host has
        if self.runtime in img:
            raise Broken("the run-time secret is in the esmb-initrd")
        return path

    def build_plugin(self):
        if not self.plugin:
            self.plugin = hostile.build_plugin(OUT, QEMU_SRC)
        return self.plugin


S = None


# ---------------------------------------------------------------- launch

def launch(run):
    group, mode = run.group, run.mode
    qmp = free_path(run.path("qmp.sock"))
    dma = group.startswith("dma")
    cmdline = S.cmdline_dma if dma else S.cmdline
    if mode == "protected":
        S.tpm.serve()
        argv = svm.argv(S.kernel, S.esmb_dma if dma else S.esmb,
                        cmdline + " svm=on", S.tpm, mem="%dM" % RAM_MIB)
    else:
        argv = svm.argv(S.kernel, S.initrd, cmdline, mem="%dM" % RAM_MIB,
                        pef=False)
    argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp]
    if group == "main":
        gdb = free_path(run.path("gdb.sock"))
        argv += ["-chardev", "socket,id=gdb0,path=%s,server=on,wait=off" % gdb,
                 "-gdb", "chardev:gdb0",
                 "-trace", "spapr_pef_*", "-D",
                 free_path(run.path("trace.log"))]
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
        fwd = ("guestfwd=tcp:10.0.2.100:80-cmd:printf "
               "'HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s'"
               % (len(S.net_token), S.net_token))
        argv += ["-netdev", "user,id=n0," + fwd,
                 "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,"
                 # no control queue: its commands spin on a broken ring
                 "ctrl_vq=off,ctrl_rx=off,ctrl_rx_extra=off,ctrl_vlan=off,"
                 "ctrl_mac_addr=off,ctrl_guest_offloads=off,"
                 "guest_announce=off,mq=off,"
                 "iommu_platform=%s"
                 % ("off" if group == "dma-no-iommu-platform" else "on"),
                 "-trace", "spapr_pef_host_stand_in",
                 "-D", free_path(run.path("trace.log"))]
        run.files["trace"] = run.path("trace.log")
    elif group == "shared-ram":
        ram = free_path(run.path("ram.shm"))
        argv += ["-object", "memory-backend-file,id=ram0,size=%dM,"
                 "mem-path=%s,share=on" % (RAM_MIB, ram),
                 "-machine", "memory-backend=ram0"]
        run.files["ram"] = ram
    run.guest = guest.Guest("hostile-pef-pseries%s-%s-%s"
                            % (TAG, group, mode), argv)
    run.guest.start()
    try:
        m = run.guest.wait_for(r"HOSTILE: token=(\S+) prot_virt_guest=\S+ "
                               r"svm=(\S+)", 600, guest.FAIL_PATTERNS)
    except guest.BootFailure as e:
        if "QEMU exited" not in str(e):
            raise Broken(str(e))
        run.start_error = run.guest.text().strip()
        if group not in ("plugin", "shared-ram"):
            raise Broken("QEMU did not start: " + run.start_error[-300:])
        return
    if m.group(1) != S.token:
        raise Broken("token %s, expected %s" % (m.group(1), S.token))
    want = "1" if mode == "protected" else "0"
    if m.group(2) != want:
        raise Broken("svm=%s in the %s boot" % (m.group(2), mode))
    run.guest.wait_for(r"HOSTILE: ready", 300, guest.FAIL_PATTERNS)
    run.wait_ticks(1, timeout=300)
    run.qmp = hostile.Qmp(qmp)
    if mode == "control" and group == "main":
        discover(run)


def discover(run):
    """Where the secrets are, from the control boot: the protected boot
    runs the same kernel at the same addresses, which map RAM at
    0xc000000000000000."""
    LG.discover(run)
    FACTS["nodename_va"] = FACTS["nodename_pa"] | 0xc000000000000000


def targets(run):
    return LG.targets(run)


# ---------------------------------------------------------------- rows:
# memory through the monitor

hostile.linux_monitor_rows(rows, LG)


@row("qmp-query-pef-svm", "main",
     "QMP query-pef-svm and HMP info uv: the ultravisor's states and "
     "counters, never the guest's bytes", expect={"control": False})
def p_query_svm(run):
    r = run.qmp.cmd("query-pef-svm")
    text = (json.dumps(r) + run.hmp("info uv")).encode()
    if run.protected and not r.get("return", {}).get("secure"):
        raise Broken("query-pef-svm does not report a Secure VM: %r" % r)
    found = hostile.find_secrets(text, SECRETS)
    hexed = hostile.find_secrets(text, {k: v.hex().encode()
                                        for k, v in SECRETS.items()})
    return bool(found or hexed), "%s; %s" % (
        "secret bytes in the reply" if found or hexed else "no secret",
        json.dumps(r.get("return", r.get("error")))[:120])


@row("hmp-info-registers", "main", "HMP info registers")
def p_info_registers(run):
    out = run.hmp("info registers").strip().splitlines()
    return any("NIP" in x for x in out), " / ".join(out[:2])


# ---------------------------------------------------------------- dumps,
# migration, snapshots, gdbstub memory, qtest, TCG logs, plugins

hostile.shared_rows(rows, targets, SECRETS,
                    "in_asm,op,op_opt,out_asm,cpu,exec,int,mmu,page,nochain")


# ---------------------------------------------------------------- gdbstub

def gdb_row(name, doc):
    return hostile.gdb_row(rows, name, "main", doc)


@gdb_row("gdb-memory-virtual", "gdbstub m at the host name's kernel address")
def p_gdb_virt(run, g):
    data, what = hostile.gdb_read(g, FACTS["nodename_va"], 64)
    return bool(data) and S.runtime in data, what


@gdb_row("gdb-registers-read", "gdbstub g and p")
def p_gdb_regs(run, g):
    r, p = g.cmd("g"), g.cmd("p1")
    got = not r.startswith("E") and not p.startswith("E")
    return got, "g -> %s..., p1 -> %s" % (r[:16], p[:16])


@gdb_row("gdb-registers-write", "gdbstub P of r2 (the value read back, or "
         "zero when it cannot be read)")
def p_gdb_regs_write(run, g):
    r2 = g.cmd("p2")
    if r2.startswith("E"):
        r2 = "0" * 16
    pr = g.cmd("P2=%s" % r2)
    return pr == "OK", "P r2 -> %s" % pr


@gdb_row("gdb-watchpoint", "gdbstub Z4 on the host name (read every "
         "tick), continue for 5 s")
def p_gdb_watch(run, g):
    return hostile.gdb_until_stop(g, "Z4,%x,8" % FACTS["nodename_va"])


# ---------------------------------------------------------------- devices

def dma_probe(run):
    m = re.search(r"HOSTILE: net \[([^\]\r\n]*)\]", run.guest.text())
    if not m:
        raise Broken("the guest did not report its fetch")
    with open(run.files["trace"]) as f:
        stand_in = len(re.findall(r"spapr_pef_host_stand_in", f.read()))
    ok = m.group(1) == S.net_token
    return ok, "the guest fetched %s over virtio-net; %d device accesses " \
        "to secure pages traced" % ("the token" if ok else
                                    "nothing or garbage", stand_in)


hostile.row(rows, "device-dma", "dma",
            "virtio-net-pci (iommu_platform=on) with buffers in pages the "
            "guest did not share (swiotlb=noforce)")(dma_probe)
hostile.row(rows, "device-dma-no-iommu-platform", "dma-no-iommu-platform",
            "the same with iommu_platform=off")(dma_probe)


# ---------------------------------------------------------------- start-up

@row("shared-ram", "shared-ram",
     "memory-backend-file,share=on: the file is the guest's RAM")
def p_shared(run):
    return hostile.shared_ram_probe(run, S.secrets)


# ---------------------------------------------------------------- main

def setup():
    global S
    S = Setup()
    return launch


if __name__ == "__main__":
    try:
        sys.exit(hostile.main("pef-pseries", rows, GROUPS, QEMU, setup, OUT,
                              discovery="qmp-pmemsave"))
    finally:
        if S:
            S.tpm.stop()
