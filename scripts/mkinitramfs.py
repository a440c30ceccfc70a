#!/usr/bin/python3
"""Build a busybox initramfs (newc cpio, gzip) without root privileges.

  mkinitramfs.py --busybox BUSYBOX --init INIT -o OUT.cpio.gz
                 [--add SRC:DEST ...] [--add-tree SRCDIR:DEST ...]

The archive holds /bin/busybox (+ /bin/sh), the given /init script,
/dev/console and /dev/null device nodes (written into the archive, so no
mknod and no root is needed), and the usual empty mount points.  Owners are
root, timestamps are zero and gzip carries no name or time: the same inputs
give the same bytes.
"""

import argparse
import gzip
import io
import os
import stat
import sys


class Cpio:
    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        if name in self.names:
            raise SystemExit("mkinitramfs: %s added twice" % name)
        self.names.add(name)
        namez = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
            rdev[0], rdev[1], len(namez), 0))
        self.ino += 1
        self.buf.write(hdr.encode() + namez)
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self):
        self.buf.write(b"\0" * (-self.buf.tell() % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, mode=0o755):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def parents(path):
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST",
                    help="add a file at DEST (absolute path in the guest)")
    ap.add_argument("--add-tree", action="append", default=[],
                    metavar="SRCDIR:DEST", help="add a directory tree")
    args = ap.parse_args()

    c = Cpio()
    for d in ("bin", "dev", "etc", "proc", "sys", "tmp", "mnt", "root",
              "sbin", "run"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    with open(args.busybox, "rb") as f:
        c.file("bin/busybox", f.read())
    c.symlink("bin/sh", "busybox")
    with open(args.init, "rb") as f:
        c.file("init", f.read())

    extra = []
    for spec in args.add:
        src, _, dest = spec.partition(":")
        if not dest.startswith("/"):
            raise SystemExit("mkinitramfs: --add %s: DEST must be absolute"
                             % spec)
        extra.append((src, dest.lstrip("/")))
    for spec in args.add_tree:
        srcdir, _, dest = spec.partition(":")
        for dirpath, dirnames, filenames in os.walk(srcdir):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, srcdir)
                extra.append((full, os.path.join(dest.strip("/"), rel)))
    for src, dest in extra:
        for p in parents(dest):
            if p not in c.names:
                c.dir(p)
        if os.path.islink(src):
            c.symlink(dest, os.readlink(src))
        else:
            with open(src, "rb") as f:
                c.file(dest, f.read(), os.stat(src).st_mode & 0o777)

    data = c.finish()
    tmp = "%s.%d.tmp" % (args.output, os.getpid())
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                           compresslevel=6) as gz:
            gz.write(data)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    sys.exit(main())
