#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Architecture conformance tests for the POWER ultravisor state under TCG
(docs/system/ppc/pef-tcg.rst, "What is emulated").

Builds the bare-metal test image in tests/pef-arch (big-endian ppc64,
cross compiler) into build/pef-arch/, runs it under QEMU in three ways and
turns its console lines ("ok N - name", "not ok N - name # details",
"PEF-ARCH DONE pass=X fail=Y") into TAP, one TAP line per check and mode,
plus one line per run saying the program ran to its end:

  builtin-pef-off   -machine powernv9 -bios IMG           stock behaviour
  builtin-pef-on    -machine powernv9,pef=on -bios IMG    built-in UV
  external          -machine powernv9,pef=on,uv-firmware=IMG -bios IMG
  p10-*             the same three on powernv10

A run fails if the DONE line does not appear within --timeout seconds, if
QEMU stops first, if the image reports a fatal trap, or if the program's
own counts disagree with its lines.  Prints "1..0 # SKIP" only when the
cross compiler is missing.

  tests/pef-arch/test_pef_arch.py [--qemu PATH] [--timeout S] [--only MODE]
                                  [--smp N] [-v]
"""

import argparse
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(TOP, "build", "pef-arch")

CFG_OFFSET = 0x20
CFG_MAGIC = 0x5045464346473031
CFG_EXPECT_PEF = 1
CFG_SMP = 2

# name -> (machine options, expect pef=on, external mode)
MODES = {
    "builtin-pef-off": ("powernv9", False, False),
    "builtin-pef-on": ("powernv9,pef=on", True, False),
    "external": ("powernv9,pef=on,uv-firmware={img}", True, True),
    "p10-builtin-pef-off": ("powernv10", False, False),
    "p10-builtin-pef-on": ("powernv10,pef=on", True, False),
    "p10-external": ("powernv10,pef=on,uv-firmware={img}", True, True),
}

LINE_RE = re.compile(r"^(not ok|ok) (\d+) - (.*?)(?: # (.*))?$")
DONE_RE = re.compile(r"^PEF-ARCH DONE pass=(\d+) fail=(\d+)$")


def build(cross):
    cmd = ["make", "-s", "-C", HERE, "OUT=" + OUT, "CROSS=" + cross]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return r.returncode == 0, r.stdout


def make_image(base, mode, flags):
    data = bytearray(open(base, "rb").read())
    magic, = struct.unpack_from(">Q", data, CFG_OFFSET)
    if magic != CFG_MAGIC:
        raise RuntimeError("%s: no config block at 0x%x" % (base, CFG_OFFSET))
    struct.pack_into(">Q", data, CFG_OFFSET + 8, flags)
    path = os.path.join(OUT, "pef-arch-%s.bin" % mode)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run_qemu(qemu, machine, img, smp, timeout, verbose):
    """Run until DONE/FATAL, QEMU exit or timeout; return (lines, why)."""
    cmd = [qemu, "-machine", machine, "-bios", img, "-smp", str(smp),
           "-nodefaults", "-display", "none", "-monitor", "none",
           "-serial", "stdio"]
    if verbose:
        print("# " + " ".join(cmd))
    errlog = open(os.path.join(OUT, "qemu-stderr.log"), "w+")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=errlog)
    lines, buf, why = [], b"", None
    deadline = time.monotonic() + timeout
    try:
        while why is None:
            left = deadline - time.monotonic()
            if left <= 0:
                why = "timeout after %d s" % timeout
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1))
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait()
                why = "QEMU exited (status %s)" % proc.returncode
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").replace("\r", "")
                lines.append(line)
                if verbose:
                    print("# | " + line)
                if line.startswith("PEF-ARCH DONE"):
                    why = "done"
                elif line.startswith("PEF-ARCH FATAL"):
                    why = "fatal: " + line
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        errlog.seek(0)
        err = [x.rstrip() for x in errlog if "no BMC device" not in x]
        errlog.close()
    if buf:
        lines.append(buf.decode("utf-8", "replace").replace("\r", ""))
    return lines, why, err


def evaluate(mode, external, lines, why, err):
    """TAP results [(ok, name, [diag])] for one run."""
    results = []
    start = [x for x in lines if x.startswith("PEF-ARCH START")]
    done = None
    n_expect = 1
    problems = []
    for line in lines:
        m = LINE_RE.match(line)
        if m:
            ok = m.group(1) == "ok"
            num = int(m.group(2))
            if num != n_expect:
                problems.append("check numbered %d, expected %d" %
                                (num, n_expect))
            n_expect = num + 1
            diag = [m.group(4)] if m.group(4) else []
            results.append((ok, "%s: %s" % (mode, m.group(3)), diag))
            continue
        d = DONE_RE.match(line)
        if d:
            done = (int(d.group(1)), int(d.group(2)))
    want_start = "PEF-ARCH START mode=%s" % ("external" if external
                                             else "builtin")
    if not start:
        problems.append("no PEF-ARCH START line")
    elif start[0] != want_start:
        problems.append("entered as '%s', expected '%s'" %
                        (start[0], want_start))
    if why != "done":
        problems.append("no PEF-ARCH DONE line: " + str(why))
    if done is not None:
        npass = sum(1 for r in results if r[0])
        nfail = len(results) - npass
        if done != (npass, nfail):
            problems.append("DONE says pass=%d fail=%d, lines say %d/%d" %
                            (done + (npass, nfail)))
    if not results:
        problems.append("no checks reported")
    san = [x for x in err if "Sanitizer" in x or "runtime error:" in x]
    if san:
        problems.append("sanitizer report on QEMU's stderr: " + san[0])
    diag = list(problems)
    if problems:
        diag += ["last console lines:"] + ["  " + x for x in lines[-8:]]
        diag += ["qemu stderr:"] + ["  " + x for x in err[-8:]]
    results.append((not problems, "%s: program ran to its end "
                    "(PEF-ARCH DONE, counts consistent)" % mode, diag))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemu", default="build/qemu-system-ppc64",
                    help="QEMU binary (relative paths: from the repo top)")
    ap.add_argument("--cross", default="powerpc64-linux-gnu-")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--smp", type=int, default=2,
                    help="threads/cores; >1 also checks a secondary's entry")
    ap.add_argument("--only", action="append", choices=sorted(MODES))
    ap.add_argument("--tag", default="",
                    help="prefix for the test names (e.g. asan)")
    ap.add_argument("--skip-missing", action="store_true",
                    help="SKIP (not fail) when --qemu does not exist")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    print("TAP version 13")
    if not shutil.which(args.cross + "gcc"):
        print("1..0 # SKIP cross compiler %sgcc not found" % args.cross)
        return 0
    qemu = args.qemu if os.path.isabs(args.qemu) else \
        os.path.join(TOP, args.qemu)
    if args.skip_missing and not os.access(qemu, os.X_OK):
        print("1..0 # SKIP %s not built" % qemu)
        return 0

    ok, log = build(args.cross)
    if not ok:
        print("1..1")
        print("not ok 1 - build tests/pef-arch")
        for line in log.splitlines()[-30:]:
            print("# " + line)
        return 1
    base = os.path.join(OUT, "pef-arch.bin")

    results = []
    for mode in args.only or list(MODES):
        machine, pef, external = MODES[mode]
        flags = (CFG_EXPECT_PEF if pef else 0) | \
            (CFG_SMP if args.smp > 1 else 0)
        img = make_image(base, mode, flags)
        if not os.access(qemu, os.X_OK):
            results.append((False, "%s: QEMU binary %s" % (mode, qemu),
                            ["not found or not executable"]))
            continue
        lines, why, err = run_qemu(qemu, machine.format(img=img), img,
                                   args.smp, args.timeout, args.verbose)
        with open(os.path.join(OUT, "console-%s.log" % mode), "w") as f:
            f.write("\n".join(lines) + "\n")
        results += evaluate(args.tag + mode, external, lines, why, err)

    print("1..%d" % len(results))
    failed = 0
    for i, (ok, name, diag) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for d in diag:
            print("# " + d)
        failed += not ok
    print("# %d checks, %d failed" % (len(results), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
