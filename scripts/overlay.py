#!/usr/bin/python3
"""Bring build/qemu-src in line with the repo: overlay files + patch series.

The QEMU tree in build/qemu-src starts as the pristine orig tarball.  This
script, run on every build:

  * copies every file under the overlay directories (QEMU-shaped paths such
    as hw/, include/, target/, tests/qtest/, docs/system/) into the tree;
  * applies patches/series in order to pristine copies of the files the
    patches touch;
  * removes overlay files that left the repo and restores files that a patch
    no longer touches;

and writes a file only when its bytes change, so that ninja recompiles only
what really changed.  Overlay files must be new files: changes to upstream
files belong in a patch.

Usage: overlay.py TOP QEMU_SRC TARBALL OVERLAY_DIR...
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

STATE = ".qemu-ibm-cc-overlay"


def die(text):
    sys.stderr.write("overlay: error: %s\n" % text)
    sys.exit(1)


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [l.rstrip("\n") for l in f if l.strip()]
    except FileNotFoundError:
        return []


def write_if_changed(path, data, mode=None):
    """Write data to path unless it already holds exactly that."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp-overlay"
    with open(tmp, "wb") as f:
        f.write(data)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True


def overlay_files(top, dirs):
    out = {}
    for d in dirs:
        root = os.path.join(top, d)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(n for n in dirnames if not n.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith("~"):
                    continue
                full = os.path.join(dirpath, name)
                out[os.path.relpath(full, top)] = full
    return out


def series(top):
    names = []
    for line in read_lines(os.path.join(top, "patches", "series")):
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def patch_targets(path):
    """Files a unified diff touches (the b/ side, -p1)."""
    files = []
    for line in read_lines(path):
        if line.startswith("+++ "):
            name = line[4:].split("\t")[0].strip()
            if name == "/dev/null":
                continue
            if not name.startswith("b/"):
                die("%s: expected a -p1 patch ('+++ b/...'), got '%s'"
                    % (os.path.basename(path), line))
            files.append(name[2:])
    return files


def pristine_listing(tarball, src):
    listing = os.path.join(src, STATE + ".pristine-files")
    if not os.path.exists(listing):
        out = subprocess.run(["tar", "-tf", tarball], check=True,
                             capture_output=True, text=True).stdout
        names = sorted(n.split("/", 1)[1] for n in out.splitlines()
                       if "/" in n and not n.endswith("/"))
        write_if_changed(listing, ("\n".join(names) + "\n").encode())
    return set(read_lines(listing))


def extract_pristine(tarball, files, dest):
    """Extract pristine copies of files (relative paths) into dest."""
    if not files:
        return
    with tempfile.NamedTemporaryFile("w", delete=False) as lst:
        for f in sorted(files):
            lst.write("*/%s\n" % f)
    try:
        subprocess.run(["tar", "-xf", tarball, "-C", dest,
                        "--strip-components=1", "--wildcards",
                        "--no-wildcards-match-slash", "-T", lst.name],
                       check=True)
    finally:
        os.unlink(lst.name)


def apply_series(top, names, work):
    for name in names:
        path = os.path.join(top, "patches", name)
        if not os.path.exists(path):
            die("patches/series names %s, which does not exist" % name)
        res = subprocess.run(["patch", "-p1", "--batch", "--forward",
                              "--no-backup-if-mismatch", "-F0", "-d", work,
                              "-i", path],
                             capture_output=True, text=True)
        if res.returncode != 0:
            failed, current = [], None
            for line in res.stdout.splitlines():
                if line.startswith("patching file "):
                    current = line[len("patching file "):].strip("'\"")
                elif current and ("FAILED" in line or "No such file" in line
                                  or "Reversed" in line):
                    if current not in failed:
                        failed.append(current)
            die("patch %s no longer applies to QEMU: %s\n%s"
                % (name, ", ".join(failed) or "see below",
                   res.stdout + res.stderr))


def main():
    if len(sys.argv) < 5:
        die(__doc__)
    top, src, tarball = (os.path.abspath(a) for a in sys.argv[1:4])
    dirs = sys.argv[4:]
    state = os.path.join(src, STATE)
    pristine = pristine_listing(tarball, src)
    changed = []

    # 1. Overlay files.
    files = overlay_files(top, dirs)
    for rel in files:
        if rel in pristine:
            die("%s exists in QEMU; change upstream files with a patch in "
                "patches/, not by overlaying them" % rel)
    old_overlay = set(read_lines(state + ".files"))
    for rel, full in files.items():
        with open(full, "rb") as f:
            data = f.read()
        if write_if_changed(os.path.join(src, rel), data,
                            os.stat(full).st_mode & 0o777):
            changed.append(rel)
    for rel in sorted(old_overlay - set(files)):
        p = os.path.join(src, rel)
        if os.path.exists(p):
            os.unlink(p)
            changed.append("-" + rel)
    write_if_changed(state + ".files",
                     ("\n".join(sorted(files)) + "\n").encode())

    # 2. Patch series, applied to pristine copies of what it touches.
    names = series(top)
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0")
        p = os.path.join(top, "patches", name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                h.update(f.read())
    digest = h.hexdigest()
    old = read_lines(state + ".patches")
    if not old or old[0] != digest:
        targets = []
        for name in names:
            p = os.path.join(top, "patches", name)
            if not os.path.exists(p):
                die("patches/series names %s, which does not exist" % name)
            targets += patch_targets(p)
        for t in targets:
            if t in files:
                die("a patch touches %s, which is an overlay file" % t)
        touched = set(targets) | set(old[1:])
        with tempfile.TemporaryDirectory() as work:
            extract_pristine(tarball, touched & pristine, work)
            apply_series(top, names, work)
            for rel in sorted(touched):
                new = os.path.join(work, rel)
                dst = os.path.join(src, rel)
                if os.path.exists(new):
                    with open(new, "rb") as f:
                        if write_if_changed(dst, f.read()):
                            changed.append(rel)
                elif os.path.exists(dst) and rel not in pristine:
                    os.unlink(dst)
                    changed.append("-" + rel)
        write_if_changed(state + ".patches",
                         ("\n".join([digest] + sorted(set(targets))) + "\n")
                         .encode())
    for c in changed:
        print("overlay: updated %s" % c)


if __name__ == "__main__":
    main()
