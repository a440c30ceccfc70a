# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-host suite's harness (tests/hostile/README.rst).

A platform script (test_s390x.py, test_pef.py) lists ROWS: one per host
interface of docs/system/ibm-cc-threat-model.rst.  A row belongs to a
GROUP (one QEMU launch: the options the row's path needs at start-up) and
has a probe: probe(run) -> (got, detail), where got says whether the host
got what the row is about (a secret, a register, a changed guest, a
working debug path).  Each group is launched twice: unprotected (the
positive control, where every row must get it, or the test is broken)
and protected (where no row may get it).  A row may expect otherwise in a
mode (expect={"protected": True}) where the threat model says so.

Prints TAP, one line per row and mode.  Standard library only.
"""

import os
import re
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
from clients import ClientError, Gdb, Qmp, Qtest  # noqa: E402,F401

MODES = ("control", "protected")


class Broken(Exception):
    """The test itself is broken (not a finding about the emulator)."""


# ------------------------------------------------------------ the rows

class Row:
    def __init__(self, name, group, probe, doc, expect=None):
        self.name = name
        self.group = group
        self.probe = probe
        self.doc = doc
        self.expect = {"control": True, "protected": False}
        self.expect.update(expect or {})


def row(rows, name, group, doc, expect=None):
    """Decorator: add the function as the probe of a row."""
    def add(fn):
        rows.append(Row(name, group, fn, doc, expect))
        return fn
    return add


# ------------------------------------------------------------ secrets

def find_secrets(data, secrets):
    """{name: offset} of every secret (bytes) found in data."""
    got = {}
    for name, s in secrets.items():
        i = data.find(s)
        if i >= 0:
            got[name] = i
    return got


def describe(found):
    if not found:
        return "no secret"
    return ", ".join("%s at %#x" % kv for kv in sorted(found.items()))


# ------------------------------------------------------------ clients:
# tests/boot/clients.py (Qmp, Gdb, Qtest)

# ------------------------------------------------------------ probes
# shared by the platform scripts; @secrets is {name: bytes}

def hmp_bytes(out):
    """The bytes of an HMP x/xp /Nbx listing."""
    data = bytearray()
    for line in out.splitlines():
        if ":" in line:
            data += bytes(int(b, 16) for b in
                          re.findall(r"0x([0-9a-f]{2})(?![0-9a-f])",
                                     line.split(":", 1)[1]))
    return bytes(data)


KDUMP_FLAT_SIG = b"makedumpfile"


def kdump_pages(data):
    """The page data of a kdump file (flattened or not; in the guest's
    byte order): zlib and uncompressed pages; (bytes, pages not
    decompressed)."""
    if data.startswith(KDUMP_FLAT_SIG):
        flat = bytearray()
        pos = 4096
        while pos + 16 <= len(data):
            off, size = struct.unpack_from(">qq", data, pos)
            pos += 16
            if off < 0:
                break
            if len(flat) < off + size:
                flat += bytes(off + size - len(flat))
            flat[off:off + size] = data[pos:pos + size]
            pos += size
        data = bytes(flat)
    if not data.startswith(b"KDUMP   "):
        raise Broken("not a kdump file")
    # the block size (a power of two) tells the byte order
    e = ">"
    block = struct.unpack_from(">I", data, 428)[0]
    if block & (block - 1) or not 512 <= block <= 1 << 20:
        e = "<"
    block, sub, bitmap = struct.unpack_from(e + "III", data, 428)
    desc = (1 + sub + bitmap) * block
    first = struct.unpack_from(e + "Q", data, desc)[0]
    out = bytearray()
    skipped = 0
    for d in range(desc, first, 24):
        off, size, flags = struct.unpack_from(e + "QII", data, d)
        page = data[off:off + size]
        if flags & 1:
            out += zlib.decompress(page)
        elif flags == 0:
            out += page
        else:
            skipped += 1
    return bytes(out), skipped


DUMP_FORMATS = ("elf", "kdump-zlib", "kdump-raw-zlib", "kdump-lzo",
                "kdump-raw-lzo", "kdump-snappy", "kdump-raw-snappy")


def dump_rows(rows, group, secrets):
    """One row per dump-guest-memory format, and ELF with paging."""
    def make(fmt, paging=False):
        def probe(run):
            caps = run.qmp.ok("query-dump-guest-memory-capability")
            if fmt not in caps["formats"]:
                raise guest.Skip("this QEMU has no dump format %s" % fmt)
            path = free_path(run.path("dump-" + fmt))
            r = run.qmp.cmd("dump-guest-memory", paging=paging, format=fmt,
                            protocol="file:" + path)
            if "error" in r:
                return False, "refused: " + r["error"]["desc"]
            data = open(path, "rb").read()
            os.unlink(path)
            if fmt == "elf":
                found = find_secrets(data, secrets)
                return bool(found), describe(found) + " in %d bytes" % len(
                    data)
            if "zlib" in fmt:
                pages, _ = kdump_pages(data)
                found = find_secrets(pages, secrets)
                return bool(found), describe(found) + " in the pages"
            return len(data) > 0, ("%d bytes written (%s pages are not "
                                   "decompressed here)" % (len(data), fmt))
        return probe
    for fmt in DUMP_FORMATS:
        row(rows, "qmp-dump-" + fmt, group,
            "QMP dump-guest-memory format=%s" % fmt)(make(fmt))
    row(rows, "qmp-dump-elf-paging", group,
        "QMP dump-guest-memory paging=true")(make("elf", True))


def migrate_probe(run, secrets):
    path = free_path(run.path("migration"))
    r = run.qmp.cmd("migrate", uri="exec:cat > " + path)
    if "error" in r:
        return False, "refused: " + r["error"]["desc"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        st = run.qmp.ok("query-migrate").get("status")
        if st in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.2)
    if st != "completed":
        return False, "migration %s" % st
    data = open(path, "rb").read()
    os.unlink(path)
    found = find_secrets(data, secrets)
    # the source stops after a completed migration: run on
    run.qmp.ok("cont")
    return bool(found), describe(found) + " in the stream"


def snapshot_disk(run):
    """A qcow2 node for snapshots, made through QMP (no qemu-img)."""
    if "snap" in run.files:
        return
    path = free_path(run.path("snap.qcow2"))
    q = run.qmp
    q.ok("blockdev-create", **{"job-id": "c1", "options": {
        "driver": "file", "filename": path, "size": 0}})
    if q.wait_job("c1"):
        raise Broken("creating %s failed" % path)
    q.ok("blockdev-add", driver="file", filename=path, **{"node-name": "sf"})
    q.ok("blockdev-create", **{"job-id": "c2", "options": {
        "driver": "qcow2", "file": "sf", "size": 1 << 20}})
    if q.wait_job("c2"):
        raise Broken("formatting %s failed" % path)
    q.ok("blockdev-add", driver="qcow2", file="sf", **{"node-name": "snap"})
    run.files["snap"] = path


def snapshot_probe(run, secrets):
    snapshot_disk(run)
    r = run.qmp.cmd("snapshot-save", **{"job-id": "s1", "tag": "t1",
                                        "vmstate": "snap",
                                        "devices": ["snap"]})
    if "error" in r:
        return False, "refused: " + r["error"]["desc"]
    err = run.qmp.wait_job("s1")
    if err:
        return False, "refused: " + err
    data = open(run.files["snap"], "rb").read()
    found = find_secrets(data, secrets)
    return bool(found), describe(found) + " in the qcow2 file"


def savevm_probe(run, secrets):
    snapshot_disk(run)
    out = run.hmp("savevm t2").strip()
    if out:
        return False, "refused: " + out.splitlines()[0]
    data = open(run.files["snap"], "rb").read()
    found = find_secrets(data, secrets)
    return bool(found), describe(found) + " in the qcow2 file"


def state_rows(rows, group, secrets):
    """Migration and snapshots: the streams carry RAM."""
    row(rows, "migration", group,
        "QMP migrate to a file: the stream has RAM")(
        lambda run: migrate_probe(run, secrets))
    row(rows, "snapshot-save", group, "QMP snapshot-save to a qcow2 node")(
        lambda run: snapshot_probe(run, secrets))
    row(rows, "hmp-savevm", group, "HMP savevm")(
        lambda run: savevm_probe(run, secrets))


def qtest_runtime(run):
    """A qtest server added to the running QEMU, connected."""
    if "qtest_rt" not in run.files:
        sock = free_path(run.path("qtest-rt.sock"))
        run.qmp.ok("chardev-add", id="qtchr", backend={
            "type": "socket", "data": {
                "addr": {"type": "unix", "data": {"path": sock}},
                "server": True, "wait": False}})
        run.qmp.ok("object-add", **{"qom-type": "qtest", "id": "qt0",
                                    "chardev": "qtchr"})
        run.files["qtest_rt"] = sock
    return Qtest(run.files["qtest_rt"])


def gdb_connect(run):
    """The run's gdbstub, the CPU stopped."""
    g = Gdb(run.files["gdb"])
    stop = g.cmd("?")
    if not stop.startswith("T"):
        raise Broken("gdbstub '?': %r" % stop)
    return g


def gdb_read(g, addr, n):
    """(bytes or None, what) of gdbstub m."""
    r = g.cmd("m%x,%x" % (addr, n))
    if r.startswith("E") or len(r) != 2 * n:
        return None, r
    return bytes.fromhex(r), "read %d bytes" % n



# A platform names its secrets' places with targets(run) -> [Target]; the
# rows that write change the first one and put it back in the control.
class Target:
    def __init__(self, name, pa, data, va=None):
        self.name, self.pa, self.data, self.va = name, pa, data, va


def guest_changed(run):
    """After a host write: does the guest see a changed secret?"""
    states = run.wait_ticks(3)
    return "changed" in states, "guest ticks: %s" % " ".join(states)


def restore(run, write, t):
    """Put target t back after a control write (and see the guest see it):
    write(pa, bytes) returns the reply, 'OK' when done."""
    r = write(t.pa, t.data)
    if not r.startswith("OK"):
        raise Broken("restoring %s: %s" % (t.name, r))
    if run.wait_ticks(2)[-1] != "ok":
        raise Broken("the guest did not see its %s again" % t.name)


def qtest_rows(rows, group, connect, how, targets):
    """qtest reads of every target, writes into the first."""
    def rd(run):
        qt = connect(run)
        try:
            found, replies = {}, []
            for t in targets(run):
                data, r1 = qt.read(t.pa, len(t.data))
                b64, r2 = qt.b64read(t.pa, len(t.data))
                if (data and t.data in data) or (b64 and t.data in b64):
                    found[t.name] = t.pa
                replies += [r1[:24], r2[:24]]
            q = qt.cmd("readq %#x" % targets(run)[0].pa)
            return bool(found), "%s; read, b64read: %s; readq: %s" % (
                describe(found), ", ".join(replies), q[:24])
        finally:
            qt.close()

    def wr(run):
        t = targets(run)[0]
        qt = connect(run)
        try:
            replies = [qt.cmd("writeb %#x 0x48" % t.pa),
                       qt.cmd("write %#x 2 0x4849" % (t.pa + 1)),
                       qt.cmd("b64write %#x 2 SEk=" % (t.pa + 3)),
                       qt.cmd("memset %#x 2 0x21" % (t.pa + 5))]
            changed, ticks = guest_changed(run)
            if changed:
                restore(run, lambda a, b: qt.cmd(
                    "write %#x %#x 0x%s" % (a, len(b), b.hex())), t)
        finally:
            qt.close()
        return changed, "replies %s; %s" % (
            ", ".join(r[:12] for r in replies), ticks)

    row(rows, "qtest-%s-read" % how, group,
        "qtest read, b64read, readq of the secrets (%s)" % how)(rd)
    row(rows, "qtest-%s-write" % how, group,
        "qtest writeb, write, b64write, memset into a secret (%s)"
        % how)(wr)


def gdb_row(rows, name, group, doc):
    """Decorator: a row whose probe(run, g) gets the connected gdbstub."""
    def wrap(fn):
        def probe(run):
            g = gdb_connect(run)
            try:
                return fn(run, g)
            finally:
                g.close(detach=True)
        return row(rows, name, group, doc)(probe)
    return wrap


def gdb_until_stop(g, z, seconds=5):
    """Insert breakpoint/watchpoint @z ('Z0,ADDR,KIND'), continue for
    @seconds: (stopped, detail); the point is removed again."""
    r = g.cmd(z)
    if r != "OK":
        return False, "%s -> %s" % (z.split(",")[0], r)
    g.send("c")
    stop = g.wait_stop(seconds)
    if stop is None:
        g.interrupt()
    g.cmd("z" + z[1:])
    return stop is not None, "stop: %s" % stop


def gdb_rows(rows, group, targets):
    """The gdbstub rows both platforms share."""
    @gdb_row(rows, "gdb-memory-physical", group,
             "gdbstub m of the secrets in Qqemu.PhyMemMode:1")
    def phys(run, g):
        if g.cmd("Qqemu.PhyMemMode:1") != "OK":
            raise Broken("Qqemu.PhyMemMode:1 refused")
        try:
            found, what = {}, []
            for t in targets(run):
                data, w = gdb_read(g, t.pa, len(t.data))
                if data and t.data in data:
                    found[t.name] = t.pa
                what.append(w)
            return bool(found), "%s; %s" % (describe(found), ", ".join(what))
        finally:
            g.cmd("Qqemu.PhyMemMode:0")

    @gdb_row(rows, "gdb-memory-write", group,
             "gdbstub M into a secret (physical)")
    def write(run, g):
        t = targets(run)[0]
        g.cmd("Qqemu.PhyMemMode:1")
        r = g.cmd("M%x,8:%s" % (t.pa, b"HOSTILE!".hex()))
        g.cmd("Qqemu.PhyMemMode:0")
        g.send("c")
        changed, ticks = guest_changed(run)
        if changed:
            g.interrupt()
            g.cmd("Qqemu.PhyMemMode:1")
            restore(run, lambda pa, b: (
                g.cmd("M%x,%x:%s" % (pa, len(b), b.hex())), g.send("c"))[0],
                t)
            g.interrupt()
            g.cmd("Qqemu.PhyMemMode:0")
        return changed, "reply %s; %s" % (r, ticks)

    @gdb_row(rows, "gdb-single-step", group, "gdbstub s")
    def step(run, g):
        r = g.cmd("s")
        return r.startswith("T"), "s -> %s" % r


def planted_probe(run):
    """The guest's own report: how often it found the bytes the host
    planted before boot (HOSTILE: planted=N)."""
    m = re.search(r"HOSTILE: planted=(\d+)", run.guest.text())
    if not m:
        raise Broken("the guest did not report the planted bytes")
    n = int(m.group(1))
    return n > 0, "the guest found the planted bytes %d time(s)" % n

def log_growth(run, ticks):
    """How much the TCG log grows while the guest ticks @ticks times; the
    control stops looking at the first growth (the full set of flags
    writes gigabytes a second)."""
    size = os.path.getsize(run.files["log"])
    rx = re.compile(r"HOSTILE: tick \d+")
    while run.guest._pump(0):
        pass
    start = len(rx.findall(run.guest.text()))
    deadline = time.monotonic() + 30 * ticks
    grew = 0
    while len(rx.findall(run.guest.text())) < start + ticks:
        grew = os.path.getsize(run.files["log"]) - size
        if grew and not run.protected:
            break
        if time.monotonic() > deadline:
            raise Broken("the guest stopped ticking")
        run.guest._pump(0.05)
    return os.path.getsize(run.files["log"]) - size


def log_rows(rows, group, hmp_flags):
    def startup(run):
        grew = log_growth(run, 3)
        return grew > 0, "the log grew %d bytes (3 guest ticks)" % grew

    def later(run):
        run.hmp("log " + hmp_flags)
        try:
            grew = log_growth(run, 2)
        finally:
            run.hmp("log none")
        return grew > 0, "the log grew %d bytes (2 guest ticks)" % grew
    row(rows, "tcg-log-startup", group,
        "-d from the start: what is logged while the guest ticks")(startup)
    row(rows, "tcg-log-hmp", group,
        "HMP log %s while the guest runs" % hmp_flags)(later)


def build_plugin(out_dir, qemu_src):
    """plugin-dump.so, built against the QEMU tree's qemu-plugin.h."""
    hdr = os.path.join(qemu_src, "include", "qemu", "qemu-plugin.h")
    if not os.path.exists(hdr):
        raise Broken("no %s (build QEMU first)" % hdr)
    so = os.path.join(out_dir, "plugin-dump.so")
    glib = subprocess.run(["pkg-config", "--cflags", "--libs", "glib-2.0"],
                          check=True, text=True,
                          stdout=subprocess.PIPE).stdout.split()
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-Wall", "-Werror",
                    "-I" + os.path.dirname(hdr), "-o", so,
                    os.path.join(HERE, "plugin-dump.c")] + glib, check=True)
    return so


def plugin_argv(so, out, ram_bytes, secrets):
    needles = ",".join("needle=%s:%s" % (k, v.hex())
                       for k, v in sorted(secrets.items()))
    return ["-plugin", "%s,out=%s,ram=%d,%s" % (so, out, ram_bytes, needles)]


def plugin_probe(run):
    """Refused at start-up, or what plugin-dump.c found at exit."""
    if run.start_error:
        m = re.search(r".*TCG plugins cannot be used.*", run.start_error)
        if not m:
            raise Broken("QEMU did not start: %s" % run.start_error[-300:])
        return False, "refused: " + m.group(0)
    run.qmp.cmd("quit")
    run.guest.wait_exit(60)
    with open(run.files["plugin"]) as f:
        out = f.read().split("\n")
    found = [line for line in out if line.startswith("found")]
    return bool(found), "; ".join(x for x in out if x)


def shared_ram_probe(run, secrets):
    if run.start_error:
        m = re.search(r".*share=on.*", run.start_error)
        if not m:
            raise Broken("QEMU did not start: %s" % run.start_error[-300:])
        return False, "refused: " + m.group(0)
    with open(run.files["ram"], "rb") as f:
        found = find_secrets(f.read(), secrets)
    return bool(found), describe(found) + " in the file"


# ------------------------------------------------------------ runs

class Run:
    """One launched QEMU of a group in a mode."""

    def __init__(self, platform, group, mode, workdir):
        self.platform = platform
        self.group = group
        self.mode = mode
        self.dir = workdir
        self.guest = None
        self.qmp = None
        self.start_error = None     # QEMU's message when it refused to start
        self.files = {}

    def path(self, name):
        return os.path.join(self.dir, "%s-%s-%s" % (self.group, self.mode,
                                                    name))

    @property
    def protected(self):
        return self.mode == "protected"

    def hmp(self, line):
        return self.qmp.hmp(line)

    def wait_ticks(self, n, timeout=60):
        """Wait until n more 'HOSTILE: tick' lines: their states."""
        rx = re.compile(r"HOSTILE: tick (\d+) (\w+)\r?\n")
        while self.guest._pump(0):
            pass
        start = len(rx.findall(self.guest.text()))
        deadline = time.monotonic() + timeout
        while True:
            ticks = rx.findall(self.guest.text())
            if len(ticks) >= start + n:
                return [s for _, s in ticks[start:start + n]]
            if (time.monotonic() > deadline or
                    self.guest.proc.poll() is not None):
                raise Broken("the guest stopped ticking (%d of %d ticks)"
                             % (len(ticks) - start, n))
            self.guest._pump(0.5)

    def stop(self):
        if self.qmp:
            try:
                self.qmp.cmd("quit")
            except (OSError, ValueError, ClientError):
                pass
            self.qmp.close()
            self.qmp = None
        if self.guest:
            self.guest.wait_exit(20)
            self.guest.stop()
            self.guest.save_console()
        # RAM-sized files go; logs and sockets' names stay for a look
        for p in os.listdir(self.dir):
            full = os.path.join(self.dir, p)
            mine = p.startswith("%s-%s-" % (self.group, self.mode))
            if mine and os.path.isfile(full) and (
                    os.path.getsize(full) > (16 << 20) or
                    re.search(r"-dump-|\.shm$|\.qcow2$", p)):
                os.unlink(full)


def free_path(p):
    if os.path.exists(p):
        os.unlink(p)
    return p


def run_suite(platform, rows, launch, groups, workdir):
    """Launch each group in both modes, probe its rows, print TAP.

    launch(run) starts QEMU for the Run's group and mode and waits for
    its guest (or sets run.start_error); the run is stopped whatever
    happens.  Returns the exit status.
    """
    n = passed = failed = skipped = 0
    for group in groups:
        grows = [r for r in rows if r.group == group]
        if not grows:
            continue
        for mode in MODES:
            run = Run(platform, group, mode, workdir)
            try:
                launch(run)
                for r in grows:
                    n += 1
                    ok, line = probe_row(platform, r, run, mode)
                    if ok and "# SKIP" in line:
                        skipped += 1
                    else:
                        passed += ok
                        failed += not ok
                    print(("ok %d - " if ok else "not ok %d - ") % n + line,
                          flush=True)
            except Exception as e:  # noqa: BLE001 - the rest still run
                # the launch (or the run) failed: the group's rows that
                # did not get their turn fail with the reason
                for r in grows:
                    if getattr(r, "_done_" + mode, False):
                        continue
                    n += 1
                    failed += 1
                    print("not ok %d - %s/%s %s: %s: %s"
                          % (n, platform, r.name, mode, type(e).__name__, e),
                          flush=True)
                if run.guest:
                    print("# console: %s" % run.guest.save_console())
            finally:
                run.stop()
                # a sanitizer build reports on the console and exits
                bad = run.guest and re.search(
                    r"ERROR: AddressSanitizer.*|runtime error:.*",
                    run.guest.text())
                if bad:
                    n += 1
                    failed += 1
                    print("not ok %d - %s/sanitizer %s %s: %s"
                          % (n, platform, group, mode, bad.group(0)),
                          flush=True)
    print("1..%d" % n)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


def probe_row(platform, r, run, mode):
    """(passed, TAP text) of one row in one mode."""
    setattr(r, "_done_" + mode, True)
    want = r.expect[mode]
    try:
        got, detail = r.probe(run)
    except Broken as e:
        return False, "%s/%s %s: broken: %s" % (platform, r.name, mode, e)
    except guest.Skip as e:
        return True, "%s/%s %s # SKIP %s" % (platform, r.name, mode, e)
    except Exception as e:  # noqa: BLE001
        return False, "%s/%s %s: %s: %s" % (platform, r.name, mode,
                                             type(e).__name__, e)
    if got == want:
        return True, "%s/%s %s: %s" % (platform, r.name, mode, detail)
    if mode == "control":
        why = "control did not get it (the test is broken)"
    elif want:
        why = "expected the host to get it"
    else:
        why = "LEAK: the host got it"
    return False, "%s/%s %s: %s: %s" % (platform, r.name, mode, why, detail)


def main(platform, rows, groups, qemu, setup, workdir, discovery=None):
    """The command line of a platform script; setup() builds the guest's
    inputs (guest.Skip when something is missing) and returns launch.
    The row named @discovery runs whenever none of its group is chosen
    (its group's control run finds what the other rows use)."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="rows whose name contains this")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="leave out the plugin and gdbstub rows and the "
                    "dump formats but ELF")
    args = ap.parse_args()
    sel = [r for r in rows if args.k in r.name]
    if args.quick:
        sel = [r for r in sel if r.group != "plugin" and
               not r.name.startswith("gdb-") and
               (not r.name.startswith("qmp-dump-") or
                r.name == "qmp-dump-elf")]
    if args.list:
        for r in sel:
            print("%-28s %-22s %s" % (r.name, r.group, r.doc))
        return 0
    first = [r for r in rows if r.name == discovery]
    if first and not any(r.group == first[0].group for r in sel):
        sel = first + sel
    if not os.access(qemu, os.X_OK):
        print("1..0 # SKIP %s not built" % qemu)
        return 0
    try:
        launch = setup()
    except guest.Skip as e:
        print("1..0 # SKIP %s" % e)
        return 0
    return run_suite(platform, sel, launch, groups, workdir)


def shared_rows(rows, targets, secrets, log_flags):
    """The rows whose probe is the same on every platform: dumps,
    migration and snapshots, gdbstub memory/write/step and qtest (group
    main), qtest on the command line and TCG logs (group log), plugins
    (group plugin)."""
    dump_rows(rows, "main", secrets)
    state_rows(rows, "main", secrets)
    gdb_rows(rows, "main", targets)
    qtest_rows(rows, "main", qtest_runtime, "object-add", targets)
    qtest_rows(rows, "log", lambda run: Qtest(run.files["qtest"]),
               "cmdline", targets)
    log_rows(rows, "log", log_flags)
    row(rows, "plugin", "plugin",
        "-plugin plugin-dump.so: the value of every store the guest "
        "makes")(plugin_probe)


# ---------------------------------------------------------------- Linux
# guests (test_s390x.py, test_pef_pseries.py): hostile-init.sh keeps a
# literal of its initramfs and a run-time secret, the host name, which
# also sits in the kernel's init_uts_ns.

class LinuxGuest:
    """What the rows of a Linux guest need: the RAM size, the secrets,
    and facts["nodename_pa"], ["nodename_va"], ["literal_pa"] that the
    control's discovery (linux_discover) fills."""

    def __init__(self, ram_mib, trace_prefix, trace_must):
        self.ram_mib = ram_mib
        self.trace_prefix = trace_prefix    # e.g. "s390_pv_"
        self.trace_must = trace_must        # an event the protected run has
        self.secrets = {}
        self.facts = {}

    @property
    def runtime(self):
        return self.secrets["runtime"]

    def read_ram(self, run):
        """Everything pmemsave reads of RAM, 1 MiB at a time: (bytes,
        refused MiB, first error)."""
        got = bytearray()
        refused, first_error = 0, None
        path = run.path("pmem.bin")
        for mib in range(self.ram_mib):
            free_path(path)
            r = run.qmp.cmd("pmemsave", val=mib << 20, size=1 << 20,
                            filename=path)
            if "return" in r:
                with open(path, "rb") as f:
                    got += f.read()
            else:
                refused += 1
                got += bytes(1 << 20)
                first_error = first_error or r["error"]["desc"]
        free_path(path)
        return bytes(got), refused, first_error

    def discover(self, run):
        """Where the secrets are, from the control boot (the protected boot
        runs the same kernel at the same addresses): returns the control's
        RAM."""
        ram = self.read_ram(run)[0]
        found = find_secrets(ram, self.secrets)
        if len(found) != 2:
            raise Broken("pmemsave of the control finds only %s"
                         % describe(found))
        # the host name in the kernel's init_uts_ns: "Linux" 65 bytes before
        uts = [m.start() for m in re.finditer(re.escape(self.runtime), ram)
               if ram[m.start() - 65:m.start() - 60] == b"Linux"]
        if not uts:
            raise Broken("no init_uts_ns with the host name in the control")
        self.facts["nodename_pa"] = uts[0]
        self.facts["literal_pa"] = found["literal"]
        return ram

    def targets(self, run):
        """The secrets' places (the host name first: the rows that write
        change it)."""
        return [Target("runtime", self.facts["nodename_pa"], self.runtime,
                       self.facts["nodename_va"]),
                Target("literal", self.facts["literal_pa"],
                       self.secrets["literal"])]

    @staticmethod
    def retry_virtual(run, fn, tries=20):
        """A virtual-address read depends on the address space the CPU is
        in when QEMU looks; in the control retry until the kernel's is
        current."""
        res = None
        for _ in range(tries if not run.protected else 1):
            res = fn()
            if res[0]:
                return res
            time.sleep(0.2)
        return res


def linux_monitor_rows(rows, lg):
    """The monitor's and QMP's memory paths, and the trace row, for a
    Linux guest @lg (group main)."""
    f = lg.facts

    @row(rows, "qmp-pmemsave", "main",
          "QMP pmemsave of all RAM, 1 MiB at a time")
    def p_pmemsave(run):
        ram, refused, err = lg.read_ram(run)
        found = find_secrets(ram, lg.secrets)
        return bool(found), "%s; %d of %d MiB refused%s" % (
            describe(found), refused, lg.ram_mib,
            " (%s)" % err if err else "")

    @row(rows, "qmp-memsave", "main",
          "QMP memsave at the host name's kernel address")
    def p_memsave(run):
        path = run.path("mem.bin")

        def once():
            free_path(path)
            r = run.qmp.cmd("memsave", val=f["nodename_va"], size=64,
                            filename=path)
            if "error" in r:
                return False, "refused: " + r["error"]["desc"]
            data = open(path, "rb").read()
            return lg.runtime in data, "read %r" % data[:16]
        return lg.retry_virtual(run, once)

    @row(rows, "hmp-xp", "main",
          "HMP xp at the host name's physical address")
    def p_xp(run):
        out = run.hmp("xp /64bx %#x" % f["nodename_pa"])
        data = hmp_bytes(out)
        return lg.runtime in data, out.splitlines()[0] if out else \
            "no output"

    @row(rows, "hmp-x", "main", "HMP x at the host name's kernel address")
    def p_x(run):
        def once():
            out = run.hmp("x /64bx %#x" % f["nodename_va"])
            return lg.runtime in hmp_bytes(out), out.splitlines()[0]
        return lg.retry_virtual(run, once)

    @row(rows, "hmp-gva2gpa", "main",
          "HMP gva2gpa: a walk of the guest's page tables")
    def p_gva2gpa(run):
        def once():
            out = run.hmp("gva2gpa %#x" % f["nodename_va"]).strip()
            return out == "gpa: %#x" % f["nodename_pa"], out
        return lg.retry_virtual(run, once)

    @row(rows, "trace-events", "main",
          "-trace %s*: the events name calls and addresses, never data"
          % lg.trace_prefix, expect={"control": False})
    def p_trace(run):
        with open(run.files["trace"], "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8", "replace")
        found = find_secrets(data, lg.secrets)
        hexed = find_secrets(data, {k: v.hex().encode()
                                    for k, v in lg.secrets.items()})
        if run.protected and lg.trace_must not in text:
            raise Broken("no %s in the protected boot's trace"
                         % lg.trace_must)
        events = len(re.findall(re.escape(lg.trace_prefix) + r"\w+", text))
        return bool(found or hexed), "%d %s events; %s" % (
            events, lg.trace_prefix.rstrip("_"),
            describe(found) if found else describe(hexed))
