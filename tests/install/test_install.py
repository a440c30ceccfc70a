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
    data directory): /init reports the ultravisor;
 4. Debian's libvirt (session mode, as nobody, the repository hidden)
    with the installed qemu-system-s390x as <emulator> of a TCG domain:
    libvirt itself refuses <launchSecurity type='s390-pv'/> for it; the
    supported way -- <qemu:commandline> adding s390-pv-guest without
    properties and the machine's host key from <qemu:env> -- boots the
    SE image protected; "virsh dump --memory-only" of that image (made
    with --enable-dump) writes the protected dump: no plaintext of the
    guest's command-line token in it, and the installed se-dump, as
    nobody, decrypts it with the image's CCK and finds the token.

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
import time

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
              "se-secret", "se-dump"):
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
              "se-attest", "se-secret", "se-dump"):
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


LIBVIRT_NS = "http://libvirt.org/schemas/domain/qemu/1.0"


def domain_xml(name, img, console, launch_security=False, key=None):
    """A TCG s390x domain of the installed QEMU booting @img."""
    extra = ""
    if launch_security:
        extra = "  <launchSecurity type='s390-pv'/>\n"
    if key:
        extra = ("  <qemu:commandline>\n"
                 "    <qemu:arg value='-object'/>\n"
                 "    <qemu:arg value='s390-pv-guest,id=pv0'/>\n"
                 "    <qemu:arg value='-machine'/>\n"
                 "    <qemu:arg value='confidential-guest-support=pv0'/>\n"
                 "    <qemu:env name='QEMU_IBM_CC_SE_HOST_KEY' value='%s'/>\n"
                 "  </qemu:commandline>\n" % key)
    return ("<domain type='qemu' xmlns:qemu='%s'>\n"
            "  <name>%s</name>\n"
            "  <memory unit='MiB'>1024</memory>\n"
            "  <vcpu>1</vcpu>\n"
            "  <os>\n"
            "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
            "    <kernel>%s</kernel>\n"
            "  </os>\n"
            "  <devices>\n"
            "    <emulator>%s</emulator>\n"
            "    <console type='file'><source path='%s'/>"
            "<target type='sclp'/></console>\n"
            "  </devices>\n%s</domain>\n"
            % (LIBVIRT_NS, name, img, installed("bin", "qemu-system-s390x"),
               console, extra))


@test
def libvirt_protected_guest_as_nobody():
    setup()
    if not shutil.which("virsh") or not os.access("/usr/sbin/libvirtd",
                                                  os.X_OK):
        raise guest.Skip("no libvirt (scripts/deps.sh installs "
                         "libvirt-clients, libvirt-daemon and "
                         "libvirt-daemon-driver-qemu)")
    work = state["work"]
    # short: libvirt's monitor socket lives below HOME (108-byte limit)
    home = tempfile.mkdtemp(prefix="lv.", dir="/tmp")
    os.chmod(home, 0o755)
    run = os.path.join(home, "run")
    os.makedirs(run)
    for d in (home, run):
        shutil.chown(d, "nobody")
    os.chmod(run, 0o700)
    keydir = os.path.join(state["base"], "keys")
    subprocess.run([os.path.join(guest.TOP, "scripts",
                                 "mk-test-host-key.sh"), keydir, "machine"],
                   check=True, stdout=subprocess.DEVNULL)
    key = copy_in(os.path.join(keydir, "machine.key"), "machine.key")
    shutil.chown(key, "nobody")
    os.chmod(key, 0o600)
    crt = copy_in(os.path.join(keydir, "machine.crt"), "machine.crt")
    hook = os.path.join(state["base"], "hold.sh")
    with open(hook, "w") as f:
        f.write('echo "QEMU-IBM-CC-INIT: holding"\nsleep 3600\n')
    kernel = copy_in(guest.fixture("s390x", "vmlinuz"), "vmlinuz-lv")
    initrd = copy_in(guest.initramfs("s390x", extra=[hook + ":/test-hook.sh"]),
                     "initrd-s390x-hold")
    token = guest.new_token()
    parm = os.path.join(work, "parmfile-lv")
    with open(parm, "w") as f:
        f.write("console=ttysclp0 panic=-1 qemu_ibm_cc.token=%s\n" % token)
    os.chmod(parm, 0o644)
    img = os.path.join(work, "se-lv.img")
    cck = os.path.join(work, "se-lv.cck")
    with open(cck, "wb") as f:
        f.write(os.urandom(32))
    shutil.chown(cck, "nobody")
    os.chmod(cck, 0o600)
    r = subprocess.run(as_nobody([installed("bin", "mk-se-image"),
                                  "--no-verify", "-k", crt, "-i", kernel,
                                  "-r", initrd, "-p", parm, "-o", img,
                                  "--enable-dump", "--comm-key", cck]),
                       capture_output=True, text=True)
    check(r.returncode == 0, "mk-se-image as nobody: %s" % r.stderr)
    console = os.path.join(work, "libvirt-console.log")

    def virsh(*args):
        return subprocess.run(as_nobody(
            ["env", "HOME=" + home, "XDG_RUNTIME_DIR=" + run,
             "virsh", "-c", "qemu:///session"] + list(args)),
            capture_output=True, text=True, timeout=120)

    def write(name, text):
        p = os.path.join(work, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644)
        return p

    try:
        # what libvirt refuses: s390-pv launch security on a TCG domain
        r = virsh("define", write("lsec.xml", domain_xml(
            "se-lsec", img, console, launch_security=True)))
        check(r.returncode != 0 and "S390 PV launch security is not "
              "supported by this host or kernel" in r.stderr,
              "libvirt took <launchSecurity type='s390-pv'/> for a TCG "
              "domain (%d: %s); update the docs" % (r.returncode, r.stderr))
        # the supported way around it
        r = virsh("define", write("pv.xml", domain_xml(
            "se-pv", img, console, key=key)))
        check(r.returncode == 0, "define: %s" % r.stderr)
        t0 = time.monotonic()
        r = virsh("start", "se-pv")
        check(r.returncode == 0, "start: %s" % r.stderr)
        text = ""
        for _ in range(300):
            if os.path.exists(console):
                with open(console, errors="replace") as f:
                    text = f.read()
            if "QEMU-IBM-CC-INIT: holding" in text:
                break
            time.sleep(1)
        check("QEMU-IBM-CC-INIT: token=%s" % token in text,
              "no init with this boot's token on the console: %s"
              % text[-500:])
        check("QEMU-IBM-CC-INIT: prot_virt_guest=1" in text,
              "the guest is not protected")
        check("QEMU-IBM-CC-INIT: holding" in text, "init did not get to hold")
        secs = time.monotonic() - t0
        dump = os.path.join(work, "se-pv.dump")
        r = virsh("dump", "--memory-only", "se-pv", dump)
        check(r.returncode == 0, "virsh dump of the protected guest "
              "(--enable-dump): %d %s" % (r.returncode, r.stderr))
        with open(dump, "rb") as f:
            check(token.encode() not in f.read(),
                  "the guest's token in plaintext in its protected dump")
        plain = os.path.join(work, "se-pv.plain")
        r = subprocess.run(as_nobody([installed("bin", "se-dump"), "decrypt",
                                      "-k", cck, "-i", dump, "-o", plain]),
                           capture_output=True, text=True)
        check(r.returncode == 0, "se-dump as nobody: %s" % r.stderr)
        with open(plain, "rb") as f:
            check(token.encode() in f.read(),
                  "the decrypted dump does not hold the guest's token")
        os.unlink(dump)
        os.unlink(plain)
    finally:
        virsh("destroy", "se-pv")
        virsh("undefine", "se-pv")
        pid = os.path.join(run, "libvirt", "libvirtd.pid")
        if os.path.exists(pid):
            with open(pid) as f:
                try:
                    os.kill(int(f.read().strip()), 15)
                except (ValueError, OSError):
                    pass
        shutil.rmtree(home, ignore_errors=True)
    return secs


def main():
    try:
        return guest.run_tests(TESTS)
    finally:
        if "base" in state:
            shutil.rmtree(state["base"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
