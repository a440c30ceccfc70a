#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the L1 host's initramfs of the nested PEF tests; cache it by hash.

  mk-l1-rootfs.py [--name NAME] [--init INIT] [--add SRC:DEST ...]

Prints the path of a gzip'd newc cpio under $CACHE/l1-rootfs/ holding:

- busybox-static ppc64el as /bin/busybox and INIT as /init (default: the
  common tests/fixtures/init/marker.sh), as scripts/mkinitramfs.py lays
  them out;
- Debian's unmodified ppc64el /usr/bin/qemu-system-ppc64 with its dynamic
  loader (PT_INTERP) and every library of its DT_NEEDED closure, at the
  paths (and with the symlinks) their packages have; the packages are the
  pinned ones of tests/fixtures/manifest-l1-vmm, fetched and checked by
  scripts/fixtures.sh;
- qemu-system-data's slof.bin as /usr/share/qemu/slof.bin (the pseries
  firmware; Debian's QEMU looks for it there);
- each --add file at DEST (the L2 kernel and initramfs, a /test-hook.sh).

The closure is computed from the ELF files themselves (no readelf needed):
a soname that none of the packages provides is an error naming it, so a
manifest that lost a library fails here and not in the L1 guest.

Cache key: sha256 of the package sums, busybox, slof.bin, INIT, each added
file (with its DEST and mode), scripts/mkinitramfs.py and this script.  No
root needed; the same inputs give the same bytes.  Older archives of the
same NAME are removed.
"""

import argparse
import hashlib
import os
import struct
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CACHE = os.environ.get("QEMU_IBM_CC_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    "qemu-ibm-cc")
MANIFEST = os.path.join(TOP, "tests", "fixtures", "manifest-l1-vmm")
FIXTURES_SH = os.path.join(TOP, "scripts", "fixtures.sh")
MKINITRAMFS = os.path.join(TOP, "scripts", "mkinitramfs.py")
DEFAULT_INIT = os.path.join(TOP, "tests", "fixtures", "init", "marker.sh")

VMM = "usr/bin/qemu-system-ppc64"
# Loaded with dlopen(), so in no DT_NEEDED: glibc's unwinder for
# pthread_exit()/pthread_cancel().
DLOPENED = ("libgcc_s.so.1",)
FIRMWARE = ("slof.bin",)              # from qemu-system-data
TRIPLET = "powerpc64le-linux-gnu"
# glibc's built-in search path on Debian ppc64el (no ld.so.cache in the
# initramfs), in the order ld.so tries it.
LIBDIRS = ("lib/" + TRIPLET, "usr/lib/" + TRIPLET, "lib64", "usr/lib64",
           "lib", "usr/lib")

EM_PPC64 = 21
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def die(msg):
    sys.exit("mk-l1-rootfs: error: " + msg)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_names():
    names = []
    with open(MANIFEST) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.append(line.split()[0])
    return names


class Tree:
    """The union of the unpacked packages, looked up by guest path."""

    def __init__(self, roots):
        self.roots = roots

    def lookup(self, path):
        """Host path of guest path @path (relative, no leading /) in the
        first package that has it (as a file or a symlink), or None."""
        for r in self.roots:
            p = os.path.join(r, path)
            if os.path.lexists(p):
                return p
        return None

    def resolve(self, path, chain):
        """Follow @path through symlinks (across packages); append each
        (guest path, host path) on the way to @chain; return the final
        guest path, or None if some link dangles."""
        for _ in range(40):
            host = self.lookup(path)
            if host is None:
                return None
            chain.append((path, host))
            if not os.path.islink(host):
                return path
            target = os.readlink(host)
            if target.startswith("/"):
                path = os.path.normpath(target).lstrip("/")
            else:
                path = os.path.normpath(os.path.join(os.path.dirname(path),
                                                     target))
        die("symlink loop at /%s" % path)


def elf_deps(path):
    """(interpreter or None, [DT_NEEDED sonames]) of a ppc64le ELF file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        die("%s is not a 64-bit little-endian ELF file" % path)
    (e_machine,) = struct.unpack_from("<H", data, 18)
    if e_machine != EM_PPC64:
        die("%s is not a ppc64 ELF file (e_machine %d)" % (path, e_machine))
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    loads, dynamic, interp = [], None, None
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = \
            struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == PT_INTERP:
            interp = data[p_offset:p_offset + p_filesz].split(b"\0")[0]
            interp = interp.decode()
    if dynamic is None:
        return interp, []
    needed, strtab = [], None
    off, size = dynamic
    for pos in range(off, off + size, 16):
        tag, val = struct.unpack_from("<qQ", data, pos)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            needed.append(val)
        elif tag == DT_STRTAB:
            strtab = val
    if needed and strtab is None:
        die("%s: DT_NEEDED without DT_STRTAB" % path)
    for vaddr, offset, filesz in loads:
        if vaddr <= (strtab or 0) < vaddr + filesz:
            base = strtab - vaddr + offset
            break
    else:
        if needed:
            die("%s: DT_STRTAB outside every PT_LOAD" % path)
    names = []
    for n in needed:
        end = data.index(b"\0", base + n)
        names.append(data[base + n:end].decode())
    return interp, names


def closure(tree):
    """[(guest path, host path)] of the VMM, its loader and its libraries,
    symlinks included, in a stable order."""
    files = {}
    todo = []
    seen_sonames = set()

    def want(so, by):
        if so in seen_sonames:
            return
        seen_sonames.add(so)
        for d in LIBDIRS:
            if tree.lookup(os.path.join(d, so)):
                todo.append(os.path.join(d, so))
                return
        die("%s (needed by %s) is in none of the packages of %s: add the "
            "package that has it" % (so, by, MANIFEST))

    todo.append(VMM)
    for so in DLOPENED:
        want(so, "glibc, dlopen")
    while todo:
        path = todo.pop(0)
        chain = []
        final = tree.resolve(path, chain)
        if final is None:
            die("/%s: not in any package of %s (or a dangling symlink)"
                % (path, MANIFEST))
        for guest_path, host in chain:
            files[guest_path] = host
        interp, needed = elf_deps(tree.lookup(final))
        if interp:
            ip = interp.lstrip("/")
            if ip not in files:
                todo.append(ip)
        for so in needed:
            want(so, "/" + final)
    return sorted(files.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="l1",
                    help="archive name prefix (older ones are removed)")
    ap.add_argument("--init", default=DEFAULT_INIT)
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST")
    args = ap.parse_args()

    # Fetch/check the packages (quick when they are unpacked already).
    for cmd in (["--manifest", MANIFEST],
                ["busybox-ppc64el", "qemu-system-data"]):
        r = subprocess.run([FIXTURES_SH] + cmd, stdout=sys.stderr)
        if r.returncode:
            die("scripts/fixtures.sh %s failed" % " ".join(cmd))
    pkgs = os.path.join(CACHE, "pkgs")
    roots = [os.path.join(pkgs, n) for n in manifest_names()]
    busybox = os.path.join(pkgs, "busybox-ppc64el", "bin", "busybox")
    firmware = os.path.join(pkgs, "qemu-system-data", "usr", "share", "qemu")

    adds = []
    for spec in args.add:
        src, _, dest = spec.partition(":")
        if not dest.startswith("/") or not os.path.isfile(src):
            die("--add %s: needs an existing SRC and an absolute DEST" % spec)
        adds.append((os.path.realpath(src), dest))

    h = hashlib.sha256()
    for part in ([open(os.path.join(r, ".sha256")).read().strip()
                  for r in roots] +
                 [sha256_file(p) for p in (busybox, args.init, MKINITRAMFS,
                                           os.path.abspath(__file__))] +
                 [sha256_file(os.path.join(firmware, fw))
                  for fw in FIRMWARE] +
                 ["%s %o %s" % (dest, os.stat(src).st_mode & 0o777,
                                sha256_file(src)) for src, dest in adds]):
        h.update(part.encode() + b"\n")
    key = h.hexdigest()[:16]
    outdir = os.path.join(CACHE, "l1-rootfs")
    out = os.path.join(outdir, "%s-%s.cpio.gz" % (args.name, key))
    if os.path.exists(out):
        print(out)
        return 0

    files = closure(Tree(roots))
    cmd = ["/usr/bin/python3", MKINITRAMFS, "--busybox", busybox,
           "--init", args.init, "-o", out]
    for guest_path, host in files:
        cmd += ["--add", "%s:/%s" % (host, guest_path)]
    for fw in FIRMWARE:
        cmd += ["--add", "%s:/usr/share/qemu/%s"
                % (os.path.realpath(os.path.join(firmware, fw)), fw)]
    for src, dest in adds:
        cmd += ["--add", "%s:%s" % (src, dest)]
    os.makedirs(outdir, exist_ok=True)
    subprocess.run(cmd, check=True)
    for old in os.listdir(outdir):
        if (old.startswith(args.name + "-") and old.endswith(".cpio.gz") and
                len(old) == len(os.path.basename(out)) and
                old != os.path.basename(out)):
            os.unlink(os.path.join(outdir, old))
    print("mk-l1-rootfs: %s: %d VMM files, %d added" %
          (os.path.basename(out), len(files), len(adds)), file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
