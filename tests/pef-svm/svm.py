"""POWER Secure VMs on pseries under TCG: what a test needs to start one.

A TPM (swtpm) provisioned as firmware does (pef-tpm), the esmb-initrd
mk-esm-blob makes for it, and the QEMU arguments that start the guest
with pef-guest,tpm=... .  Shared by tests/pef-svm/test_svm_pseries.py,
the hostile-host suite (tests/hostile/test_pef_pseries.py) and the
benchmark tests/bench/pef-svm-boot.py.  Standard library only.
"""

import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402

QEMU = os.environ.get("QEMU_PPC64",
                      os.path.join(guest.BUILD, "qemu-system-ppc64"))
TOOLS = os.path.join(guest.BUILD, "core", "tools")
CROSS = os.environ.get("PEF_SVM_CROSS", "powerpc64le-linux-gnu-")
MKINITRAMFS = os.path.join(guest.TOP, "scripts", "mkinitramfs.py")
# Linux 6.12 sets up a Secure VM's bounce buffers (init_svm) after
# mem_init has decided not to allocate any: swiotlb=force makes it.
BOOTARGS = "console=hvc0 panic=-1 svm=on swiotlb=force"


def need_tools():
    for t in ("swtpm", "openssl"):
        if not shutil.which(t):
            raise guest.Skip("%s is not installed" % t)
    for t in ("mk-esm-blob", "pef-tpm"):
        if not os.access(os.path.join(TOOLS, t), os.X_OK):
            raise guest.Skip("build/core/tools/%s not built (make core)" % t)
    return guest.custom_kernel("ppc64le-svm-guest")


class Tpm:
    """An swtpm state directory: provisioned once, then served to QEMU.

    swtpm --daemon changes to /, so every path is absolute."""

    def __init__(self, workdir, name="tpm"):
        self.dir = os.path.abspath(os.path.join(workdir, name))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.ctrl = os.path.join(self.dir, "ctrl.sock")
        self.pidfile = os.path.join(self.dir, "pid")

    def _swtpm(self, *extra):
        self.stop()
        for p in (self.ctrl, os.path.join(self.dir, "cmd.sock")):
            if os.path.exists(p):
                os.unlink(p)
        subprocess.run(["swtpm", "socket", "--tpm2", "--tpmstate",
                        "dir=" + self.dir, "--ctrl",
                        "type=unixio,path=" + self.ctrl, "--daemon",
                        "--pid", "file=" + self.pidfile] + list(extra),
                       check=True)
        for _ in range(100):
            if os.path.exists(self.ctrl):
                return
            time.sleep(0.05)
        raise RuntimeError("swtpm did not create " + self.ctrl)

    def provision(self):
        """What firmware does: the wrapping key; returns its PEM file."""
        cmd = os.path.join(self.dir, "cmd.sock")
        self._swtpm("--server", "type=unixio,path=" + cmd,
                    "--flags", "not-need-init,startup-clear")
        for _ in range(100):
            if os.path.exists(cmd):
                break
            time.sleep(0.05)
        pem = os.path.join(self.dir, "wrapping-key.pem")
        try:
            subprocess.run([os.path.join(TOOLS, "pef-tpm"), "provision",
                            "--tpm", cmd, "-o", pem], check=True)
        finally:
            self.stop()
        return pem

    def serve(self):
        """swtpm for QEMU's -tpmdev emulator (it ends when QEMU does)."""
        self._swtpm()

    def stop(self):
        try:
            pid = int(open(self.pidfile).read())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, 15)
        except ProcessLookupError:
            pass
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)

    def args(self):
        return ["-chardev", "socket,id=chrtpm,path=" + self.ctrl,
                "-tpmdev", "emulator,id=tpm0,chardev=chrtpm"]


def origin_key(workdir):
    """The image owner's RSA key pair (mk-esm-blob needs its public part)."""
    key = os.path.join(workdir, "origin.key")
    pub = os.path.join(workdir, "origin.pem")
    if not os.path.exists(pub):
        subprocess.run(["openssl", "genrsa", "-out", key, "2048"],
                       check=True, stderr=subprocess.DEVNULL)
        subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-out",
                        pub], check=True, stderr=subprocess.DEVNULL)
    return pub


def initramfs(workdir, name, hook=None, extra=()):
    """The busybox initramfs of the boot tests, with a /test-hook.sh."""
    out = os.path.join(workdir, name + ".cpio.gz")
    cmd = ["/usr/bin/python3", MKINITRAMFS, "--busybox",
           guest.fixture("ppc64el", "busybox"), "--init",
           os.path.join(guest.TOP, "tests", "fixtures", "init", "marker.sh"),
           "-o", out]
    if hook:
        path = os.path.join(workdir, name + "-hook.sh")
        with open(path, "w") as f:
            f.write(hook)
        cmd += ["--add", path + ":/test-hook.sh"]
    for e in extra:
        cmd += ["--add", e]
    subprocess.run(cmd, check=True)
    return out


def esmb_initrd(workdir, name, kernel, initrd, bootargs, recipient,
                files=()):
    """mk-esm-blob's esmb-initrd for this kernel, initramfs, command line."""
    out = os.path.join(workdir, name + ".esmb")
    cmd = [os.path.join(TOOLS, "mk-esm-blob"), "--origin-pubkey",
           origin_key(workdir), "-r", recipient, "-k", kernel, "-i", initrd,
           "-a", bootargs, "-o", out]
    for f in files:
        cmd += ["-f", f]
    subprocess.run(cmd, check=True)
    return out


def argv(kernel, initrd, bootargs, tpm=None, smp=1, mem="1G", extra=(),
         qemu=None, pef=True):
    """QEMU's arguments: pseries + pef-guest (its TPM when given)."""
    a = [qemu or QEMU, "-machine", "pseries", "-m", mem, "-smp", str(smp),
         "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
         "-append", bootargs]
    if pef:
        a += ["-machine", "confidential-guest-support=pef0"]
        if tpm:
            a += ["-object", "pef-guest,id=pef0,tpm=tpm0"] + tpm.args()
        else:
            a += ["-object", "pef-guest,id=pef0"]
    return a + list(extra)


def blob_offset(data):
    """Where the ESM blob (an FDT) starts in an esmb-initrd."""
    return data.index(bytes.fromhex("d00dfeed"))


def tampered_copy(src, dst, how):
    """@dst: a copy of esmb-initrd @src with one byte altered: "initrd" in
    the initramfs after the blob's archive, "blob" in the middle of the
    blob's structure block (its sealed digests: GCM refuses it)."""
    data = bytearray(open(src, "rb").read())
    if how == "initrd":
        data[-100] ^= 0x40
    elif how == "blob":
        off = blob_offset(data)
        data[off + int.from_bytes(data[off + 4:off + 8], "big") // 2] ^= 0x01
    else:
        raise ValueError(how)
    with open(dst, "wb") as f:
        f.write(data)
    return dst
