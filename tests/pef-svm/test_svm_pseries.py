#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""POWER Secure VMs on pseries under TCG (pef-guest): boot tests.

The guest is our CONFIG_PPC_SVM kernel (tests/fixtures/kernel/
ppc64le-svm-guest.config) with the boot tests' busybox initramfs, made
into an esmb-initrd by mk-esm-blob for a swtpm that pef-tpm provisioned.
Each test asserts what the guest prints (/sys/devices/system/cpu/svm,
tokens through virtio) or what QEMU says when Enter Secure Mode fails.

  tests/pef-svm/test_svm_pseries.py [-k NAME] [--list]
"""

import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import svm  # noqa: E402
import guest  # noqa: E402
import clients  # noqa: E402

WORK = os.environ.get("PEF_SVM_WORK",
                      os.path.join(guest.BUILD, "pef-svm"))
MARK = re.escape(guest.MARKER)
FAILS = guest.FAIL_PATTERNS

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Setup:
    """Kernel, TPM, initramfs: made once for the tests that need them."""

    def __init__(self):
        self.kernel = svm.need_tools()
        os.makedirs(WORK, exist_ok=True)
        self.tpm = svm.Tpm(WORK)
        self.pem = self.tpm.provision()
        self.initrd = svm.initramfs(WORK, "plain")
        self.esmb = svm.esmb_initrd(WORK, "plain", self.kernel, self.initrd,
                                    svm.BOOTARGS, self.pem)


_setup = None


def setup():
    global _setup
    if _setup is None:
        _setup = Setup()
    return _setup


def start(name, argv, tpm):
    if tpm:
        tpm.serve()
    return guest.Guest(name, argv).start()


def finish(g, tpm, timeout=60):
    rc = g.wait_exit(timeout)
    if rc is None:
        g.fail("QEMU did not exit")
    g.save_console()
    if tpm:
        tpm.stop()
    return rc


def svm_line(g, timeout=600):
    """Wait for init's svm= line; fail unless it says 1."""
    m = g.wait_for(MARK + r" svm=(\d)\r?\n", timeout, FAILS)
    if m.group(1) != "1":
        g.fail("/sys/devices/system/cpu/svm is %s" % m.group(1))


@test
def svm_boot_smp2():
    """Two threads: the guest enters secure mode and reaches init as an
    SVM (the kernel's own /sys/devices/system/cpu/svm)."""
    s = setup()
    g = start("pef-svm-boot", svm.argv(s.kernel, s.esmb, svm.BOOTARGS,
                                       s.tpm, smp=2), s.tpm)
    try:
        g.wait_for(r"Switching to secure mode\.", 300, FAILS)
        svm_line(g)
        secs = g.elapsed()
        g.wait_for(r"smp: Brought up 1 node, 2 CPUs", 1, FAILS)
        g.wait_for(MARK + r" done", 60, FAILS)
        rc = finish(g, s.tpm)
    finally:
        g.stop()
        s.tpm.stop()
    if rc != 0:
        raise AssertionError("QEMU exit status %d" % rc)
    return secs


@test
def svm_normal_guest():
    """Control: the same kernel and initramfs without svm=on boot as a
    normal guest of the same pef-guest machine (svm=0, no ESM)."""
    s = setup()
    args = svm.BOOTARGS.replace(" svm=on", "")
    g = start("pef-svm-normal", svm.argv(s.kernel, s.initrd, args, s.tpm),
              s.tpm)
    try:
        m = g.wait_for(MARK + r" svm=(\d)\r?\n", 600, FAILS)
        secs = g.elapsed()
        if m.group(1) != "0":
            g.fail("svm=%s without svm=on" % m.group(1))
        if "secure mode" in g.text():
            g.fail("ESM without svm=on")
        finish(g, s.tpm)
    finally:
        g.stop()
        s.tpm.stop()
    return secs


NET_TOKEN_LEN = 24


@test
def svm_virtio_blk_net():
    """virtio-blk reads the host's token and writes the guest's, and
    virtio-net fetches a token over slirp: both through the SVM's shared
    bounce buffers (swiotlb)."""
    s = setup()
    host_tok = "HOST-" + guest.new_token()
    guest_tok = "GUEST-" + guest.new_token()
    net_tok = "NET-" + guest.new_token()
    disk = os.path.join(WORK, "disk.img")
    with open(disk, "wb") as f:
        f.write(host_tok.encode().ljust(512, b"\0") + bytes(1 << 20))
    hook = (
        'echo "QEMU-IBM-CC-INIT: blk=[$(head -c %d /dev/vda)]"\n'
        'echo -n %s | dd of=/dev/vda bs=512 seek=1 conv=notrunc '
        '2>/dev/null\n'
        'sync\n'
        'ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0\n'
        'echo "QEMU-IBM-CC-INIT: net=[$(wget -q -O - http://10.0.2.100/)]"\n'
        % (len(host_tok), guest_tok))
    initrd = svm.initramfs(WORK, "virtio", hook)
    esmb = svm.esmb_initrd(WORK, "virtio", s.kernel, initrd, svm.BOOTARGS,
                           s.pem)
    fwd = ("guestfwd=tcp:10.0.2.100:80-cmd:printf "
           "'HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s'"
           % (len(net_tok), net_tok))
    extra = ["-drive", "if=none,id=d0,file=%s,format=raw" % disk,
             "-device", "virtio-blk-pci,drive=d0,iommu_platform=on",
             "-netdev", "user,id=n0," + fwd,
             "-device", "virtio-net-pci,netdev=n0,iommu_platform=on"]
    g = start("pef-svm-virtio", svm.argv(s.kernel, esmb, svm.BOOTARGS,
                                         s.tpm, extra=extra), s.tpm)
    try:
        svm_line(g)
        blk = g.wait_for(MARK + r" blk=\[([^\]\r\n]*)\]", 120, FAILS)
        net = g.wait_for(MARK + r" net=\[([^\]\r\n]*)\]", 120, FAILS)
        g.wait_for(MARK + r" done", 60, FAILS)
        secs = g.elapsed()
        finish(g, s.tpm)
    finally:
        g.stop()
        s.tpm.stop()
    if blk.group(1) != host_tok:
        raise AssertionError("virtio-blk read %r, expected %r"
                             % (blk.group(1), host_tok))
    if net.group(1) != net_tok:
        raise AssertionError("virtio-net fetched %r, expected %r"
                             % (net.group(1), net_tok))
    with open(disk, "rb") as f:
        f.seek(512)
        wrote = f.read(len(guest_tok)).decode("ascii", "replace")
    if wrote != guest_tok:
        raise AssertionError("the disk holds %r, expected the guest's %r"
                             % (wrote, guest_tok))
    return secs, "blk and net tokens through the bounce buffers"


@test
def svm_esmb_get_file():
    """A user-space program in the SVM reads an attachment of its blob
    with UV_ESMB_GET_FILE (64 bytes a call); another process may not read
    it again, an unknown name is not found."""
    s = setup()
    gf = os.path.join(WORK, "esmb-get-file")
    subprocess.run([svm.CROSS + "gcc", "-static", "-O2", "-o", gf,
                    os.path.join(HERE, "esmb-get-file.c")], check=True)
    content = ("ATTACHMENT-%s-" % guest.new_token()) * 5
    att = os.path.join(WORK, "attachment.txt")
    with open(att, "w") as f:
        f.write(content)
    hook = ('/esmb-get-file file-1 > /tmp/f; rc=$?\n'
            'echo "QEMU-IBM-CC-INIT: file=[$(cat /tmp/f)] rc=$rc"\n'
            '/esmb-get-file file-1 >/dev/null 2>/tmp/e\n'
            'echo "QEMU-IBM-CC-INIT: again=[$(cat /tmp/e)]"\n'
            '/esmb-get-file nosuch >/dev/null 2>/tmp/e\n'
            'echo "QEMU-IBM-CC-INIT: unknown=[$(cat /tmp/e)]"\n')
    initrd = svm.initramfs(WORK, "getfile", hook,
                           extra=[gf + ":/esmb-get-file"])
    esmb = svm.esmb_initrd(WORK, "getfile", s.kernel, initrd, svm.BOOTARGS,
                           s.pem, files=["file-1=" + att])
    g = start("pef-svm-get-file", svm.argv(s.kernel, esmb, svm.BOOTARGS,
                                           s.tpm), s.tpm)
    try:
        svm_line(g)
        m = g.wait_for(MARK + r" file=\[([^\]\r\n]*)\] rc=(\d+)", 120, FAILS)
        again = g.wait_for(MARK + r" again=\[([^\]\r\n]*)\]", 60, FAILS)
        unknown = g.wait_for(MARK + r" unknown=\[([^\]\r\n]*)\]", 60,
                             FAILS)
        g.wait_for(MARK + r" done", 60, FAILS)
        secs = g.elapsed()
        finish(g, s.tpm)
    finally:
        g.stop()
        s.tpm.stop()
    if m.group(1) != content or m.group(2) != "0":
        raise AssertionError("read %r (rc %s), expected %r"
                             % (m.group(1), m.group(2), content))
    if "rc -4" not in again.group(1):
        raise AssertionError("a second process read it: %r" % again.group(1))
    if "rc -1" not in unknown.group(1):
        raise AssertionError("unknown name: %r" % unknown.group(1))
    return secs, "%d bytes read; second reader and unknown name refused" \
        % len(content)


@test
def svm_reboots():
    """An in-guest reboot, then a system_reset from the host: each boot
    starts non-secure and enters secure mode again (three ESMs)."""
    s = setup()
    flag = os.path.join(WORK, "reboot.img")
    with open(flag, "wb") as f:
        f.write(bytes(1 << 20))
    # first boot: mark the disk and reboot; later boots: wait to be reset
    hook = ('if [ "$(head -c 5 /dev/vda)" != BOOT2 ]; then\n'
            '  echo -n BOOT2 | dd of=/dev/vda conv=notrunc 2>/dev/null\n'
            '  sync; echo "QEMU-IBM-CC-INIT: rebooting"; reboot -f\n'
            'fi\n'
            'echo "QEMU-IBM-CC-INIT: boot2"\n'
            'sleep 3600\n')
    initrd = svm.initramfs(WORK, "reboot", hook)
    esmb = svm.esmb_initrd(WORK, "reboot", s.kernel, initrd, svm.BOOTARGS,
                           s.pem)
    qmp = os.path.join(WORK, "reboot-qmp.sock")
    argv = svm.argv(s.kernel, esmb, svm.BOOTARGS, s.tpm, extra=[
        "-drive", "if=none,id=d0,file=%s,format=raw" % flag,
        "-device", "virtio-blk-pci,drive=d0,iommu_platform=on",
        "-qmp", "unix:%s,server=on,wait=off" % qmp])
    argv.remove("-no-reboot")
    g = start("pef-svm-reboots", argv, s.tpm)
    q = None
    try:
        svm_line(g)
        g.wait_for(MARK + r" rebooting", 120, FAILS)
        g.wait_for(MARK + r" boot2", 600, FAILS)
        q = clients.Qmp(qmp)
        q.ok("system_reset")
        g.wait_for(r"(?s)boot2.*boot2", 600, FAILS)
        secs = g.elapsed()
        text = g.text()
        q.ok("quit")
        finish(g, s.tpm)
    finally:
        if q:
            q.close()
        g.stop()
        s.tpm.stop()
    n_esm = text.count("Switching to secure mode.")
    n_svm = len(re.findall(MARK + r" svm=1", text))
    if n_esm != 3 or n_svm != 3:
        raise AssertionError("%d ESMs and %d secure inits in three boots"
                             % (n_esm, n_svm))
    return secs, "3 boots, 3 secure"


def esm_fails(name, kernel, esmb, bootargs, tpm, reason, extra=(),
              during=None):
    """The guest must not become secure; QEMU must say why, keep running
    (the guest's os-term pauses it with -action panic=pause) and exit
    cleanly on quit.  @during(g) runs once the firmware is up."""
    qmp = os.path.join(WORK, "bad-qmp.sock")
    if os.path.exists(qmp):
        os.unlink(qmp)
    argv = svm.argv(kernel, esmb, bootargs, tpm, extra=list(extra) + [
        "-action", "panic=pause",
        "-qmp", "unix:%s,server=on,wait=off" % qmp])
    g = start("pef-svm-bad-" + name, argv, tpm)
    q = None
    try:
        if during:
            g.wait_for(r"SLOF", 120, FAILS)
            during(g)
        m = g.wait_for(r"pef-guest: Enter Secure Mode failed: ([^\r\n]*)",
                       300, FAILS)
        if reason not in m.group(1):
            g.fail("ESM failed with '%s', expected '%s'"
                   % (m.group(1), reason))
        # prom_init reports the hypervisor's answer, then os-term
        g.wait_for(r"Returned -4 from switching to secure mode\.", 60,
                   FAILS)
        g.wait_for(r"OS terminated: Switch to secure mode failed", 60,
                   FAILS)
        # -action panic=pause: QEMU stays, the guest stopped
        time.sleep(1)
        if g.proc.poll() is not None:
            g.fail("QEMU exited after the guest's os-term")
        q = clients.Qmp(qmp)
        if re.search(MARK, g.text()):
            g.fail("init ran after a failed ESM")
        q.ok("quit")
        rc = g.wait_exit(60)
        if rc != 0:
            g.fail("QEMU exit status %s after quit" % rc)
        g.save_console()
        return g.elapsed(), m.group(1)
    finally:
        if q:
            q.close()
        g.stop()
        if tpm:
            tpm.stop()


def fdt_prop_offset(data, base, node, prop):
    """Offset in @data of property @prop's value in the node named @node
    of the FDT at @base."""
    struct_off = base + int.from_bytes(data[base + 8:base + 12], "big")
    strings = base + int.from_bytes(data[base + 12:base + 16], "big")
    pos, path = struct_off, []
    while True:
        tok = int.from_bytes(data[pos:pos + 4], "big")
        pos += 4
        if tok == 1:                        # FDT_BEGIN_NODE
            end = data.index(b"\0", pos)
            path.append(data[pos:end].decode())
            pos = (end + 4) & ~3
        elif tok == 2:                      # FDT_END_NODE
            path.pop()
        elif tok == 3:                      # FDT_PROP
            size = int.from_bytes(data[pos:pos + 4], "big")
            noff = int.from_bytes(data[pos + 4:pos + 8], "big")
            pname = data[strings + noff:data.index(b"\0", strings + noff)]
            if path and path[-1] == node and pname.decode() == prop:
                return pos + 8
            pos = (pos + 8 + size + 3) & ~3
        elif tok == 4:                      # FDT_NOP
            continue
        else:
            raise AssertionError("no %s/%s in the blob" % (node, prop))


def tampered_esmb(s, name, fn):
    data = bytearray(open(s.esmb, "rb").read())
    fn(data)
    path = os.path.join(WORK, "tampered-%s.esmb" % name)
    with open(path, "wb") as f:
        f.write(data)
    return path


@test
def svm_bad_bootargs():
    """A command line other than the one the blob measured."""
    s = setup()
    return esm_fails("bootargs", s.kernel, s.esmb, svm.BOOTARGS + " quiet",
                     s.tpm, "bootargs digest mismatch")


@test
def svm_bad_initrd():
    """One byte of the initramfs (after the blob's archive) altered."""
    s = setup()

    path = svm.tampered_copy(s.esmb, os.path.join(WORK, "tampered-initrd"
                                                  ".esmb"), "initrd")
    return esm_fails("initrd", s.kernel, path, svm.BOOTARGS, s.tpm,
                     "initrd digest mismatch")


@test
def svm_bad_kernel():
    """A blob sealed for another kernel (Debian's ppc64el vmlinux)."""
    s = setup()
    other = svm.esmb_initrd(WORK, "other-kernel",
                            guest.fixture("ppc64el", "vmlinux"), s.initrd,
                            svm.BOOTARGS, s.pem)
    return esm_fails("kernel", s.kernel, other, svm.BOOTARGS, s.tpm,
                     "kernel digest mismatch")


@test
def svm_bad_blob_byte():
    """One byte of the blob's sealed digests altered: GCM refuses it."""
    s = setup()
    # the last bytes of the blob's structure block are digests-fdt's
    # ciphertext or mac (svm-tools' layout): one in the middle is altered
    path = svm.tampered_copy(s.esmb, os.path.join(WORK, "tampered-blob"
                                                  ".esmb"), "blob")
    return esm_fails("blob", s.kernel, path, svm.BOOTARGS, s.tpm, "")


@test
def svm_bad_sealed_digests():
    """One byte of the blob's sealed digests (digests-fdt's ciphertext):
    AES-GCM refuses it."""
    s = setup()
    data = open(s.esmb, "rb").read()
    at = fdt_prop_offset(data, svm.blob_offset(data), "digests-fdt",
                         "ciphertext")

    def flip(d):
        d[at + 5] ^= 0x01
    return esm_fails("sealed", s.kernel, tampered_esmb(s, "sealed", flip),
                     svm.BOOTARGS, s.tpm, "digests-fdt fails authentication")


@test
def svm_truncated_blob():
    """The blob's header claims fewer bytes than its structure needs."""
    s = setup()
    off = svm.blob_offset(open(s.esmb, "rb").read())

    def cut(d):
        size = int.from_bytes(d[off + 4:off + 8], "big")
        d[off + 4:off + 8] = (size // 3).to_bytes(4, "big")
    return esm_fails("truncated", s.kernel, tampered_esmb(s, "cut", cut),
                     svm.BOOTARGS, s.tpm, "malformed ESM blob")


@test
def svm_tpm_gone():
    """swtpm killed after the firmware provisioned it, before ESM."""
    s = setup()
    return esm_fails("tpm-gone", s.kernel, s.esmb, svm.BOOTARGS, s.tpm,
                     "the TPM is absent or failed",
                     during=lambda g: s.tpm.stop())


@test
def svm_other_tpm():
    """Another machine's TPM: its wrapping key cannot open the blob."""
    s = setup()
    other = svm.Tpm(WORK, "tpm-other")
    other.provision()
    return esm_fails("tpm", s.kernel, s.esmb, svm.BOOTARGS, other,
                     "the TPM could not unwrap")


@test
def svm_no_tpm():
    """pef-guest without a TPM: ESM fails and QEMU says what is missing."""
    s = setup()
    return esm_fails("no-tpm", s.kernel, s.esmb, svm.BOOTARGS, None,
                     "no tpm= property")


@test
def svm_hash_mmu():
    """A guest that chose the hash MMU: Secure VMs are radix only."""
    s = setup()
    args = svm.BOOTARGS + " disable_radix"
    esmb = svm.esmb_initrd(WORK, "hash", s.kernel, s.initrd, args, s.pem)
    return esm_fails("hash", s.kernel, esmb, args, s.tpm, "hash MMU")


@test
def svm_config_errors():
    """Set-up mistakes stop QEMU at start with a message that names them."""
    s = setup()
    cases = [
        ("no such tpmdev",
         ["-machine", "pseries,confidential-guest-support=pef0",
          "-object", "pef-guest,id=pef0,tpm=nosuch"],
         "pef-guest: tpm 'nosuch' is not a -tpmdev"),
        ("a CPU without PEF",
         ["-machine", "pseries,confidential-guest-support=pef0",
          "-cpu", "power9_v2.2", "-object", "pef-guest,id=pef0"],
         "pef-guest needs a PEF-capable CPU"),
        ("memory hotplug",
         ["-machine", "pseries,confidential-guest-support=pef0",
          "-m", "1G,slots=2,maxmem=2G", "-object", "pef-guest,id=pef0"],
         "memory hotplug"),
        ("shared RAM",
         ["-machine", "pseries,confidential-guest-support=pef0",
          "-object", "memory-backend-file,id=r0,size=1G,share=on,"
          "mem-path=" + os.path.join(WORK, "shared.ram"),
          "-machine", "memory-backend=r0", "-object", "pef-guest,id=pef0"],
         "shared with other processes"),
        ("shared RAM of a NUMA node",
         ["-machine", "pseries,confidential-guest-support=pef0",
          "-object", "memory-backend-ram,id=r0,size=512M",
          "-object", "memory-backend-file,id=r1,size=512M,share=on,"
          "mem-path=" + os.path.join(WORK, "shared.ram"),
          "-numa", "node,memdev=r0", "-numa", "node,memdev=r1",
          "-object", "pef-guest,id=pef0"],
         "shared with other processes"),
    ]
    out = []
    for what, args, want in cases:
        r = subprocess.run([svm.QEMU, "-display", "none", "-nodefaults",
                            "-m", "1G"] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        if r.returncode == 0 or want not in r.stdout:
            raise AssertionError("%s: exit %d, output %r" %
                                 (what, r.returncode, r.stdout[-300:]))
        out.append(what)
    if os.path.exists(os.path.join(WORK, "shared.ram")):
        os.unlink(os.path.join(WORK, "shared.ram"))
    return 0.0, "refused: " + ", ".join(out)


def main():
    try:
        return guest.run_tests(TESTS)
    finally:
        if _setup:
            _setup.tpm.stop()
            shutil.rmtree(os.path.join(WORK, "tpm-other"),
                          ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
