# SPDX-License-Identifier: GPL-2.0-or-later
"""What the /dev/uv end-to-end tests (test_pv_attest.py, test_pv_secret.py)
share: the ASan/UBSan QEMU when there is one, an initramfs with Debian's
uvdevice and virtio_blk modules and our guest programs, one exchange disk
of fixed-size slots (two disks would race for the names vda/vdb), and a
protected boot that runs the guest's /init to its end.

The guest's /init prints "TAG: prot_virt_guest=N" first and "TAG: done"
last, then powers off.
"""

import os
import re
import subprocess

import guest
import test_pv_boot as pv

# The ultravisor's guest-storage accesses are worth a sanitizer: the
# ASan/UBSan build when there is one (make qemu-asan)
QEMU_ASAN = os.path.join(guest.BUILD, "qemu-system-s390x-asan")
QEMU = QEMU_ASAN if os.access(QEMU_ASAN, os.X_OK) else pv.QEMU
os.environ["ASAN_OPTIONS"] = "detect_leaks=0"
os.environ["UBSAN_OPTIONS"] = "print_stacktrace=1"


def describe_qemu():
    return "QEMU: %s%s" % (QEMU, " (ASan + UBSan)" if QEMU == QEMU_ASAN
                           else " -- no sanitizer build")


def initramfs(out_dir, name, init_text, adds):
    """An initramfs with @init_text as /init, the uvdevice and virtio_blk
    modules in /mod, and @adds ("SRC:DST" each)."""
    init = os.path.join(out_dir, name + "-init.sh")
    with open(init, "w") as f:
        f.write(init_text)
    mods = guest.fixture("s390x", "modules")
    kmod = os.path.join(mods, os.listdir(mods)[0], "kernel", "drivers")
    out = os.path.join(out_dir, name + ".cpio.gz")
    argv = ["/usr/bin/python3", pv.MKINITRAMFS, "--busybox",
            guest.fixture("s390x", "busybox"), "--init", init,
            "--add", os.path.join(kmod, "block", "virtio_blk.ko.xz") +
            ":/mod/virtio_blk.ko.xz",
            "--add", os.path.join(kmod, "s390", "char", "uvdevice.ko.xz") +
            ":/mod/uvdevice.ko.xz", "-o", out]
    for a in adds:
        argv += ["--add", a]
    subprocess.run(argv, check=True)
    return out


def exchange_disk(path, files, slot, spare):
    """@files, one per @slot bytes, then @spare empty slots."""
    with open(path, "wb") as o:
        for p in files:
            with open(p, "rb") as i:
                data = i.read()
            if len(data) > slot:
                raise AssertionError("%s larger than a slot" % p)
            o.write(data + bytes(slot - len(data)))
        o.write(bytes(slot * spare))
    return path


def read_slots(path, slot, first, n):
    with open(path, "rb") as f:
        f.seek(slot * first)
        return [f.read(slot) for _ in range(n)]


def boot(name, key, img, disk, tag):
    """Boot SE image @img protected with @disk; the console text."""
    argv = [QEMU] + pv.pv_args(key) + [
        "-m", "1G", "-nographic", "-no-reboot", "-kernel", img,
        "-drive", "if=none,id=d0,format=raw,file=" + disk,
        "-device", "virtio-blk-ccw,drive=d0"]
    g = guest.Guest(name, argv).start()
    try:
        m = g.wait_for(tag + r": prot_virt_guest=(\d)", 300,
                       guest.FAIL_PATTERNS)
        if m.group(1) != "1":
            g.fail("prot_virt_guest=%s" % m.group(1))
        g.wait_for(tag + r": done", 300, guest.FAIL_PATTERNS)
        if g.wait_exit(60) is None:
            g.fail("guest did not power off")
    finally:
        g.stop()
        g.save_console()
    text = g.text().replace("\r\n", "\n")
    # QEMU's stderr is part of the console: no sanitizer report
    if re.search(r"Sanitizer|runtime error:", text):
        raise AssertionError("sanitizer report in QEMU's output (%s)"
                             % g.save_console())
    return text
