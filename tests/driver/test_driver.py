#!/usr/bin/python3
"""TAP tests of the build driver: overlay/patch handling and initramfs.

Runs scripts/overlay.py against a small fake QEMU tarball, so it needs no
network and no QEMU build.
"""

import gzip
import os
import subprocess
import sys
import tarfile
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OVERLAY = os.path.join(TOP, "scripts", "overlay.py")
MKINITRAMFS = os.path.join(TOP, "scripts", "mkinitramfs.py")

results = []


def case(fn):
    results.append(fn)
    return fn


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def check(cond, msg):
    """Fail the case with msg unless cond (kept under python -O)."""
    if not cond:
        raise AssertionError(msg)


class Fixture:
    def __init__(self, tmp):
        self.tmp = tmp
        self.top = os.path.join(tmp, "repo")
        self.src = os.path.join(tmp, "qemu-src")
        self.tarball = os.path.join(tmp, "qemu.tar.xz")
        tree = os.path.join(tmp, "t", "qemu-10.0.2")
        write(os.path.join(tree, "hw", "meson.build"), "subdir('a')\n")
        write(os.path.join(tree, "hw", "a.c"), "int a;\nint b;\nint c;\n")
        with tarfile.open(self.tarball, "w:xz") as t:
            t.add(tree, arcname="qemu-10.0.2")
        with tarfile.open(self.tarball) as t:
            t.extractall(os.path.join(tmp, "x"))
        os.rename(os.path.join(tmp, "x", "qemu-10.0.2"), self.src)
        write(os.path.join(self.top, "patches", "series"), "")

    def run(self):
        return subprocess.run([sys.executable, OVERLAY, self.top, self.src,
                               self.tarball, "hw"],
                              capture_output=True, text=True)

    def patch(self, name, body):
        write(os.path.join(self.top, "patches", name), body)
        with open(os.path.join(self.top, "patches", "series"), "a") as f:
            f.write(name + "\n")


HOOK = """--- a/hw/meson.build
+++ b/hw/meson.build
@@ -1 +1,2 @@
 subdir('a')
+subdir('ours')
"""


@case
def overlay_copies_new_files_only_when_changed():
    with tempfile.TemporaryDirectory() as tmp:
        f = Fixture(tmp)
        write(os.path.join(f.top, "hw", "ours", "x.c"), "int x;\n")
        r = f.run()
        check(r.returncode == 0, r.stderr)
        dst = os.path.join(f.src, "hw", "ours", "x.c")
        check(read(dst) == "int x;\n", "overlay file not copied")
        old = os.stat(dst).st_mtime_ns
        time.sleep(0.05)
        r = f.run()
        check(r.returncode == 0 and "updated" not in r.stdout, r.stdout)
        check(os.stat(dst).st_mtime_ns == old, "unchanged file rewritten")
        write(os.path.join(f.top, "hw", "ours", "x.c"), "int y;\n")
        r = f.run()
        check("updated hw/ours/x.c" in r.stdout, r.stdout)
        check(read(dst) == "int y;\n", "changed overlay file not updated")
        os.unlink(os.path.join(f.top, "hw", "ours", "x.c"))
        f.run()
        check(not os.path.exists(dst), "removed overlay file left behind")


@case
def overlay_refuses_to_replace_upstream_file():
    with tempfile.TemporaryDirectory() as tmp:
        f = Fixture(tmp)
        write(os.path.join(f.top, "hw", "a.c"), "replaced\n")
        r = f.run()
        check(r.returncode != 0, "replacing an upstream file was accepted")
        check("hw/a.c exists in QEMU" in r.stderr, r.stderr)
        check(read(os.path.join(f.src, "hw", "a.c")).startswith("int a;"),
              "upstream hw/a.c was changed")


@case
def patch_applies_and_is_restored_when_dropped():
    with tempfile.TemporaryDirectory() as tmp:
        f = Fixture(tmp)
        f.patch("0001-hook.patch", HOOK)
        r = f.run()
        check(r.returncode == 0, r.stderr)
        mb = os.path.join(f.src, "hw", "meson.build")
        check(read(mb) == "subdir('a')\nsubdir('ours')\n", "patch not applied")
        mtime = os.stat(mb).st_mtime_ns
        time.sleep(0.05)
        check(f.run().returncode == 0, "second run failed")
        check(os.stat(mb).st_mtime_ns == mtime, "re-applied needlessly")
        write(os.path.join(f.top, "patches", "series"), "")
        r = f.run()
        check(r.returncode == 0, r.stderr)
        check(read(mb) == "subdir('a')\n", "pristine file not restored")


@case
def failing_patch_names_patch_and_file():
    with tempfile.TemporaryDirectory() as tmp:
        f = Fixture(tmp)
        f.patch("0002-stale.patch", """--- a/hw/a.c
+++ b/hw/a.c
@@ -1,3 +1,3 @@
 int a;
-int QQ;
+int z;
 int c;
""")
        r = f.run()
        check(r.returncode != 0, "stale patch applied without error")
        check("patch 0002-stale.patch no longer applies" in r.stderr, r.stderr)
        check("hw/a.c" in r.stderr, r.stderr)
        check(read(os.path.join(f.src, "hw", "a.c")) ==
              "int a;\nint b;\nint c;\n", "hw/a.c changed by a failing patch")


@case
def series_naming_missing_patch_is_an_error():
    with tempfile.TemporaryDirectory() as tmp:
        f = Fixture(tmp)
        write(os.path.join(f.top, "patches", "series"), "0009-gone.patch\n")
        r = f.run()
        check(r.returncode != 0 and "0009-gone.patch" in r.stderr, r.stderr)


def cpio_names(data):
    names, pos = {}, 0
    while True:
        hdr = data[pos:pos + 110]
        check(hdr[:6] == b"070701", "bad cpio magic")
        mode = int(hdr[14:22], 16)
        size = int(hdr[54:62], 16)
        namesize = int(hdr[94:102], 16)
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        body = data[pos:pos + size]
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            return names
        names[name] = (mode, body)


@case
def initramfs_is_reproducible_and_complete():
    with tempfile.TemporaryDirectory() as tmp:
        bb = os.path.join(tmp, "busybox")
        init = os.path.join(tmp, "init.sh")
        write(bb, "fake busybox")
        write(init, "#!/bin/sh\necho hi\n")
        outs = []
        for i in range(2):
            out = os.path.join(tmp, "i%d.cpio.gz" % i)
            subprocess.run([sys.executable, MKINITRAMFS, "--busybox", bb,
                            "--init", init, "-o", out, "--add",
                            init + ":/etc/extra"], check=True)
            with open(out, "rb") as fh:
                outs.append(fh.read())
        check(outs[0] == outs[1], "same inputs, different archives")
        names = cpio_names(gzip.decompress(outs[0]))
        check(names["init"][1] == b"#!/bin/sh\necho hi\n", "init content")
        check(names["init"][0] & 0o111, "init not executable")
        check(names["bin/busybox"][1] == b"fake busybox", "busybox content")
        check(names["dev/console"][0] & 0o170000 == 0o020000, "no char dev")
        check(names["etc/extra"][1] == b"#!/bin/sh\necho hi\n",
              "--add file content")


def main():
    print("1..%d" % len(results))
    failed = 0
    for i, fn in enumerate(results, 1):
        try:
            fn()
            print("ok %d - %s" % (i, fn.__name__))
        except Exception as e:  # report and go on
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__))
            for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
