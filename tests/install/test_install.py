#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The installed tree works for another user, without the build tree.

Installs with scripts/install.sh (PREFIX /opt/qemu-ibm-cc) into a new
DESTDIR, then:

 0. control: the build tree's own binary does not run there (the hiding
    below works);
 1. checks the installed files: every file world-readable, directories
    and programs world-executable, no symbolic links, no RUNPATH, the
    binaries' --version, the man page;
 2. as user nobody, in a private mount namespace where the repository
    (with the build tree) and the cache are hidden under empty tmpfs
    mounts, builds an SE image with the installed mk-se-image and boots it
    as a protected guest on the installed qemu-system-s390x (firmware from
    the installed data directory): /init reports prot_virt_guest=1;
 3. the same way, boots the CONFIG_PPC_UV host kernel on the installed
    qemu-system-ppc64 -machine powernv9,pef=on (skiboot from the installed
    data directory): /init reports the ultravisor.

The guests' inputs (kernels, initramfs, host key) are copied into a
world-readable directory first.  Needs root (for the mount namespace and
to become nobody); otherwise every test is skipped, saying why.

  tests/install/test_install.py [-k SUBSTRING] [--list]
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402

PREFIX = "/opt/qemu-ibm-cc"
VERSION = "QEMU emulator version 10.0.2 (qemu-ibm-cc 0.1.0)"

TESTS = []
state = {}


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def setup():
    """Install once; the inputs of the guests in a readable directory."""
    if "root" in state:
        return state
    if os.geteuid() != 0:
        raise guest.Skip("needs root (mount namespace, setpriv to nobody)")
    for tool in ("unshare", "setpriv"):
        if not shutil.which(tool):
            raise guest.Skip("%s not found (util-linux)" % tool)
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private",
                            "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise guest.Skip("no private mount namespace here (%s); in a chroot, "
                         "make its root a mount point: mount --bind R R"
                         % probe.stderr.strip())
    base = tempfile.mkdtemp(prefix="qemu-ibm-cc-install.",
                            dir=os.environ.get("TMPDIR", "/var/tmp"))
    os.chmod(base, 0o755)
    state["base"] = base
    destdir = os.path.join(base, "dest")
    subprocess.run([os.path.join(guest.TOP, "scripts", "install.sh"),
                    "--prefix", PREFIX, "--destdir", destdir], check=True,
                   stdout=subprocess.DEVNULL)
    state["root"] = destdir + PREFIX
    work = os.path.join(base, "work")
    os.mkdir(work)
    os.chmod(work, 0o777)
    state["work"] = work
    return state


def installed(*parts):
    return os.path.join(state["root"], *parts)


def copy_in(src, name):
    dst = os.path.join(state["work"], name)
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o644)
    return dst


def as_nobody(argv):
    """@argv as user nobody, with the repository and the cache hidden."""
    hide = [guest.TOP, guest.CACHE]
    script = ('for d; do [ "$d" = -- ] && break; mount -t tmpfs hidden "$d"; '
              'done; shift %d; exec setpriv --reuid=nobody --regid=nogroup '
              '--clear-groups --inh-caps=-all -- "$@"' % (len(hide) + 1))
    return (["unshare", "--mount", "--propagation", "private", "--",
             "/bin/sh", "-c", script, "sh"] + hide + ["--"] + list(argv))


@test
def installed_files():
    setup()
    root = state["root"]
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            mode = os.lstat(os.path.join(dirpath, d)).st_mode
            check(mode & 0o005 == 0o005,
                  "directory %s is not world-readable and searchable"
                  % os.path.join(dirpath, d))
        for f in filenames:
            p = os.path.join(dirpath, f)
            mode = os.lstat(p).st_mode
            check(not stat.S_ISLNK(mode), "%s is a symbolic link" % p)
            check(mode & 0o004, "%s is not world-readable" % p)
    for b in ("qemu-system-ppc64", "qemu-system-s390x", "mk-se-image",
              "mk-esm-blob", "pef-tpm", "se-host-key", "se-attest",
              "se-secret"):
        p = installed("bin", b)
        check(os.stat(p).st_mode & 0o001, "%s is not world-executable" % p)
        dyn = subprocess.run(["readelf", "-d", p], capture_output=True,
                             text=True, check=True).stdout
        check("RUNPATH" not in dyn and "RPATH" not in dyn,
              "%s has a RUNPATH/RPATH" % p)
    for b in ("qemu-system-ppc64", "qemu-system-s390x"):
        out = subprocess.run(as_nobody([installed("bin", b), "--version"]),
                             capture_output=True, text=True)
        check(out.returncode == 0 and out.stdout.startswith(VERSION),
              "%s --version as nobody: %r %r" % (b, out.stdout, out.stderr))
    for f in ("skiboot.lid", "s390-ccw.img", "slof.bin"):
        check(os.path.isfile(installed("share", "qemu", f)),
              "firmware %s not installed" % f)
    for t in ("mk-se-image", "mk-esm-blob", "pef-tpm", "se-host-key",
              "se-attest", "se-secret"):
        check(os.path.isfile(installed("share", "man", "man1", t + ".1.gz")),
              "no man page for %s" % t)
    return 0.0


@test
def control_build_tree_hidden():
    """The hiding works: the build tree's binary is out of nobody's reach."""
    setup()
    r = subprocess.run(as_nobody([os.path.join(guest.BUILD,
                                               "qemu-system-s390x"),
                                  "--version"]),
                       capture_output=True, text=True)
    check(r.returncode != 0,
          "the build tree's QEMU ran as nobody although it is hidden")
    return 0.0


@test
def protected_s390x_guest_as_nobody():
    setup()
    keydir = os.path.join(state["base"], "keys")
    subprocess.run([os.path.join(guest.TOP, "scripts",
                                 "mk-test-host-key.sh"), keydir, "host"],
                   check=True, stdout=subprocess.DEVNULL)
    key = copy_in(os.path.join(keydir, "host.key"), "host.key")
    crt = copy_in(os.path.join(keydir, "host.crt"), "host.crt")
    kernel = copy_in(guest.fixture("s390x", "vmlinuz"), "vmlinuz")
    initrd = copy_in(guest.initramfs("s390x"), "initrd-s390x")
    token = guest.new_token()
    parm = os.path.join(state["work"], "parmfile")
    with open(parm, "w") as f:
        f.write("console=ttysclp0 panic=-1 qemu_ibm_cc.token=%s\n" % token)
    os.chmod(parm, 0o644)
    img = os.path.join(state["work"], "se.img")
    r = subprocess.run(as_nobody([installed("bin", "mk-se-image"),
                                  "--no-verify", "-k", crt, "-i", kernel,
                                  "-r", initrd, "-p", parm, "-o", img]),
                       capture_output=True, text=True)
    check(r.returncode == 0,
          "installed mk-se-image as nobody failed: %s" % r.stderr)
    argv = as_nobody([installed("bin", "qemu-system-s390x"),
                      "-machine",
                      "s390-ccw-virtio,confidential-guest-support=pv0",
                      "-object", "s390-pv-guest,id=pv0,host-key=" + key,
                      "-m", "1G", "-nographic", "-no-reboot",
                      "-kernel", img])
    return boot_to_init("install-s390x-se", argv, token, 300,
                        r"QEMU-IBM-CC-INIT: prot_virt_guest=1\r?\n")


def boot_to_init(name, argv, token, timeout, proof):
    """Boot @argv to the marker /init: it must echo @token, print the line
    @proof (a regex) and power off; seconds to init."""
    g = guest.Guest(name, argv).start()
    try:
        m = g.wait_for(r"QEMU-IBM-CC-INIT: token=(\S+) arch=(\S+)",
                       timeout, guest.FAIL_PATTERNS)
        secs = g.elapsed()
        if m.group(1) != token:
            g.fail("init echoed token %s, expected %s" % (m.group(1), token))
        g.wait_for(proof, 60, guest.FAIL_PATTERNS)
        g.wait_for(r"QEMU-IBM-CC-INIT: done\r?\n", 60, guest.FAIL_PATTERNS)
        if g.wait_exit(60) is None:
            g.fail("guest did not power off")
    finally:
        g.stop()
    return secs


@test
def pef_host_as_nobody():
    setup()
    kernel = copy_in(guest.custom_kernel("ppc64le-pef-host"), "vmlinux-pef")
    initrd = copy_in(guest.initramfs("ppc64el"), "initrd-ppc64el")
    token = guest.new_token()
    argv = as_nobody([installed("bin", "qemu-system-ppc64"),
                      "-machine", "powernv9,pef=on", "-m", "2G",
                      "-nographic", "-no-reboot", "-kernel", kernel,
                      "-initrd", initrd, "-append",
                      "console=hvc0 panic=-1 qemu_ibm_cc.token=" + token])
    return boot_to_init("install-ppc64-pef-host", argv, token, 600,
                        r"QEMU-IBM-CC-INIT: ultravisor=present\r?\n")


def main():
    try:
        return guest.run_tests(TESTS)
    finally:
        if "base" in state:
            shutil.rmtree(state["base"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
