#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The device tree a PEF machine gives its firmware (docs/system/ppc/
pef-tcg.rst, "Device tree"): the shapes the ultravisor-capable skiboot
(qemu/skiboot, branch ultravisor, hw/ultravisor.c) and Linux parse.

Starts QEMU paused (-S) with a QMP monitor on stdio, asks for the device
tree with QMP dumpdtb, reads it with a small FDT reader (no libfdt binding
is needed) and checks, for powernv9/powernv10 with pef=on, with and
without uv-firmware=, with ultravisor=none and with pef=off:

  /ibm,ultravisor           compatible "ibm,ultravisor", #address-cells 2,
                            #size-cells 2
  /ibm,ultravisor/firmware  compatible "ibm,uv-firmware", reg = ONE u64 (the
                            image's address: skiboot asserts on more),
                            secure-memory-ranges = <base size>, memcons only
                            for the built-in ultravisor
  /secure-memory@<base>     device_type and compatible, reg, ibm,chip-id

and neither node with pef=off or ultravisor=none.

TAP output.

  tests/pef-arch/test_pef_dt.py [--qemu PATH]
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SECURE_BASE = 0x0001000000000000
MIB = 1 << 20

FDT_MAGIC = 0xd00dfeed
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9


def read_fdt(blob):
    """{node path: {property: bytes}} of a flattened device tree."""
    magic, _size, off_struct, off_strings = struct.unpack_from(">4I", blob)
    if magic != FDT_MAGIC:
        raise ValueError("not an FDT (magic %#x)" % magic)
    nodes, path, pos = {}, [], off_struct
    while True:
        tok, = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tok == FDT_BEGIN_NODE:
            end = blob.index(b"\0", pos)
            name = blob[pos:end].decode()
            pos = (end + 4) & ~3
            path.append(name)
            nodes["/" + "/".join(path[1:])] = {}
        elif tok == FDT_END_NODE:
            path.pop()
        elif tok == FDT_PROP:
            length, nameoff = struct.unpack_from(">2I", blob, pos)
            pos += 8
            end = blob.index(b"\0", off_strings + nameoff)
            name = blob[off_strings + nameoff:end].decode()
            nodes["/" + "/".join(path[1:])][name] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif tok == FDT_NOP:
            continue
        elif tok == FDT_END:
            return nodes
        else:
            raise ValueError("bad FDT token %d at %#x" % (tok, pos - 4))


def dump_dt(qemu, machine_args):
    """The machine's device tree after its first reset, or an error."""
    with tempfile.TemporaryDirectory() as tmp:
        dtb = os.path.join(tmp, "machine.dtb")
        cmds = [{"execute": "qmp_capabilities"},
                {"execute": "dumpdtb", "arguments": {"filename": dtb}},
                {"execute": "quit"}]
        r = subprocess.run([qemu, "-S", "-nodefaults", "-display", "none",
                            "-qmp", "stdio"] + machine_args,
                           input="".join(json.dumps(c) + "\n" for c in cmds),
                           capture_output=True, text=True, timeout=120)
        errors = [ln for ln in r.stdout.splitlines() if '"error"' in ln]
        if errors or not os.path.exists(dtb):
            return None, "QEMU %s: %s %s" % (" ".join(machine_args),
                                             " ".join(errors),
                                             r.stderr.strip())
        with open(dtb, "rb") as f:
            return read_fdt(f.read()), None


def string(v):
    return v.rstrip(b"\0").decode() if v is not None else None


def u64s(v):
    return list(struct.unpack(">%dQ" % (len(v) // 8), v)) if v else []


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def check(self, ok, name, details=""):
        self.n += 1
        self.failed += not ok
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, name,
                                "" if ok or not details
                                else " # " + details))


def check_pef(tap, tag, dt, secure_size, external):
    uv = dt.get("/ibm,ultravisor")
    fw = dt.get("/ibm,ultravisor/firmware")
    sm = dt.get("/secure-memory@%x" % SECURE_BASE)
    tap.check(uv is not None and string(uv.get("compatible")) ==
              "ibm,ultravisor" and uv.get("#address-cells") ==
              struct.pack(">I", 2) and uv.get("#size-cells") ==
              struct.pack(">I", 2),
              "%s: /ibm,ultravisor, compatible ibm,ultravisor, 2/2 cells"
              % tag, repr(uv))
    tap.check(fw is not None and string(fw.get("compatible")) ==
              "ibm,uv-firmware" and len(fw.get("reg", b"")) == 8 and
              u64s(fw["reg"]) == [SECURE_BASE],
              "%s: firmware node, compatible ibm,uv-firmware, reg = one "
              "u64 (the secure base)" % tag, repr(fw))
    tap.check(fw is not None and u64s(fw.get("secure-memory-ranges")) ==
              [SECURE_BASE, secure_size],
              "%s: firmware secure-memory-ranges = <base %d MiB>"
              % (tag, secure_size // MIB), repr(fw))
    tap.check(fw is not None and ("memcons" in fw) == (not external),
              "%s: memcons %s" % (tag, "left to the firmware" if external
                                  else "of the built-in ultravisor"),
              repr(fw))
    tap.check(sm is not None and
              string(sm.get("device_type")) == "secure-memory" and
              string(sm.get("compatible")) == "ibm,secure-memory" and
              u64s(sm.get("reg")) == [SECURE_BASE, secure_size] and
              sm.get("ibm,chip-id") == struct.pack(">I", 0),
              "%s: /secure-memory@%x: device_type, compatible, reg, "
              "ibm,chip-id" % (tag, SECURE_BASE), repr(sm))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default=os.path.join(TOP, "build",
                                                   "qemu-system-ppc64"))
    args = ap.parse_args()
    if not os.access(args.qemu, os.X_OK):
        print("1..0 # SKIP %s not built (make qemu)" % args.qemu)
        return 0

    tap = Tap()
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "uv.bin")
        with open(image, "wb") as f:
            f.write(b"\x48\x00\x00\x00" * 16)       # "b ." in big-endian
        runs = [
            ("powernv9 pef=on", ["-machine", "powernv9,pef=on"],
             256 * MIB, False),
            ("powernv9 pef=on secure-memory=512M",
             ["-machine", "powernv9,pef=on,secure-memory=512M"],
             512 * MIB, False),
            ("powernv9 uv-firmware", ["-machine",
                                      "powernv9,pef=on,uv-firmware=" + image],
             256 * MIB, True),
            ("powernv10 uv-firmware",
             ["-machine", "powernv10,pef=on,uv-firmware=" + image],
             256 * MIB, True),
        ]
        for tag, margs, size, external in runs:
            dt, err = dump_dt(args.qemu, margs)
            if dt is None:
                tap.check(False, "%s: QMP dumpdtb" % tag, err)
                continue
            check_pef(tap, tag, dt, size, external)
        for tag, machine in (("pef=off", "powernv9"),
                             ("ultravisor=none",
                              "powernv9,pef=on,ultravisor=none")):
            dt, err = dump_dt(args.qemu, ["-machine", machine])
            tap.check(dt is not None and "/ibm,ultravisor" not in dt and
                      not any(p.startswith("/secure-memory@") for p in dt)
                      and not any(c in (b"ibm,ultravisor",
                                        b"ibm,uv-firmware",
                                        b"ibm,secure-memory")
                                  for props in dt.values()
                                  for c in props.get("compatible",
                                                     b"").split(b"\0")),
                      "powernv9 %s: no ultravisor or secure-memory node"
                      % tag, err or "")
    print("1..%d" % tap.n)
    print("# %d checks, %d failed" % (tap.n, tap.failed))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
