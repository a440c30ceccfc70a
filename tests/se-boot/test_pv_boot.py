#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests of IBM Z Secure Execution under TCG: SE images built
with build/tools/mk-se-image boot as protected guests on QEMU's emulated
ultravisor (-object s390-pv-guest).  Prints TAP; exits non-zero if a test
fails.

 1. An SE image boots the Debian kernel to the busybox /init, which reads
    /sys/firmware/uv/prot_virt_guest = 1; the token on the console comes
    from the image's encrypted cmdline component.
 2. While the guest runs protected, the host's debug paths see no secure
    page (HMP xp and x, QMP pmemsave and memsave, gdbstub in physical
    mode), a page the guest shared (its swiotlb buffer) is readable,
    dump-guest-memory and migration are refused; virtio-blk I/O (through
    the filtered device address space) works; after system_reset the
    image is unpacked again and boots protected again.
 3. A tampered encrypted page: VERIFY_IMG fails (PLD), stage3a continues
    after diag 0x308 subcode 10 with {cmd 4, rrc 0x1b, rc 0x102, 0x0a02}
    in R1+1, and the decrypted pages are wiped.
 4. An image for another host key: SET_SEC_CONF_PARAMS fails (no key
    slot, rc 0x108 rrc 0x5); with that key as backup-host-key it boots.
 5. Confidentiality: a secret string planted in the initramfs is found in
    guest RAM by QMP pmemsave in an unprotected boot, and has 0 plaintext
    occurrences in everything pmemsave can read in a protected boot of
    the same kernel and initramfs (nor in the SE image file).

  tests/se-boot/test_pv_boot.py [-v]
"""

import hashlib
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
import clients  # noqa: E402
import test_plain_stage3b as plain  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "pv")
QEMU = os.path.join(guest.BUILD, "qemu-system-s390x")
MKSE = os.path.join(guest.BUILD, "tools", "mk-se-image")
MKKEY = os.path.join(guest.TOP, "scripts", "mk-test-host-key.sh")
SEHK = os.path.join(guest.BUILD, "tools", "se-host-key")
MKINITRAMFS = os.path.join(guest.TOP, "scripts", "mkinitramfs.py")
VERBOSE = "-v" in sys.argv[1:]

# stage3a's error code for a failed subcode 10 (tools/mk-se-image/boot)
STAGE3A_ERR_UNPACK = 0x3a04
STAGE3A_STATUS_ADDR = 0x10010
WAIT_CODE_SHIFT = 48

# The start of the busybox /init scripts of these tests: busybox, /proc,
# /sys, /dev, and the kernel modules the initramfs holds under /mod
INIT_PRELUDE = """#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in /mod/*.ko.xz; do
    unxz -c "$m" > /tmp/m.ko && insmod /tmp/m.ko
done
"""

SLEEP_INIT = INIT_PRELUDE + """echo "PV-E2E: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest)"
echo "PV-E2E: uv facilities $(tr '\n' ' ' < /sys/firmware/uv/query/facilities)."
sleep 1
echo "PV-E2E: vda $(dd if=/dev/vda bs=4096 count=4 2>/dev/null | sha256sum)"
echo "PV-E2E: ready"
sleep 3600
"""


from tap import SkipTest, log  # noqa: E402,F401
import tap  # noqa: E402


def host_key(name):
    """(private key, host-key document) of a test host key NAME."""
    keydir = os.path.join(OUT, "keys")
    subprocess.run([MKKEY, keydir, name], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (os.path.join(keydir, name + ".key"),
            os.path.join(keydir, name + ".crt"))


def se_image(name, hkd, cmdline, initrd, extra=()):
    if not os.access(MKSE, os.X_OK):
        raise SkipTest("no %s (build the core: make core)" % MKSE)
    parm = os.path.join(OUT, name + ".parm")
    with open(parm, "w") as f:
        f.write(cmdline + "\n")
    out = os.path.join(OUT, name + ".img")
    r = subprocess.run([MKSE, "-k", hkd, "-i", guest.fixture("s390x",
                        "vmlinuz"), "-r", initrd, "-p", parm, "-o", out,
                        "--no-verify", "-v"] + list(extra), check=True,
                       stdout=subprocess.PIPE, text=True)
    layout = {}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1].startswith("0x"):
            layout[f[0]] = int(f[1], 16), int(f[2], 16)
    if VERBOSE:
        log(r.stdout)
    return out, layout


def pv_args(key, backup=None):
    obj = "s390-pv-guest,id=pv0,host-key=" + key
    if backup:
        obj += ",backup-host-key=" + backup
    return ["-machine", "s390-ccw-virtio,confidential-guest-support=pv0",
            "-object", obj]


def boot_to_init(name, img, args):
    argv = [QEMU] + args + ["-m", "1G", "-nographic", "-no-reboot",
                            "-kernel", img]
    g = guest.Guest(name, argv).start()
    try:
        m = g.wait_for(re.escape(guest.MARKER) + r" token=(\S+) arch=(\S+)",
                       300, guest.FAIL_PATTERNS)
        token = m.group(1)
        m = g.wait_for(re.escape(guest.MARKER) +
                       r" prot_virt_guest=(\d)\r?\n", 60)
        prot = m.group(1)
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n", 60)
        if g.wait_exit(60) is None:
            g.fail("guest did not power off")
        return token, prot, g.elapsed()
    finally:
        g.stop()
        g.save_console()


# ---------------------------------------------------------------- tests

def t_machine_key():
    """The machine's host key: se-host-key makes it and its document; an
    image built for the document boots protected on a machine whose
    s390-pv-guest names no key (QEMU_IBM_CC_SE_HOST_KEY); without any key
    QEMU refuses to start, naming both places."""
    if not os.access(SEHK, os.X_OK):
        raise SkipTest("no %s (build the core: make core)" % SEHK)
    key = os.path.join(OUT, "machine-key", "se-host-key.pem")
    hkd = os.path.join(OUT, "machine-key.crt")
    if os.path.exists(key):
        os.unlink(key)
    subprocess.run([SEHK, "create", "-o", hkd, key], check=True)
    if os.stat(key).st_mode & 0o077:
        raise AssertionError("the private key is readable by others")
    token = guest.new_token()
    img, _ = se_image("machine-key", hkd, "console=ttysclp0 panic=-1 "
                      "qemu_ibm_cc.token=%s" % token,
                      guest.initramfs("s390x"))
    args = ["-machine", "s390-ccw-virtio,confidential-guest-support=pv0",
            "-object", "s390-pv-guest,id=pv0"]
    old = os.environ.get("QEMU_IBM_CC_SE_HOST_KEY")
    os.environ["QEMU_IBM_CC_SE_HOST_KEY"] = key
    try:
        got, prot, secs = boot_to_init("se-pv-machine-key", img, args)
    finally:
        if old is None:
            del os.environ["QEMU_IBM_CC_SE_HOST_KEY"]
        else:
            os.environ["QEMU_IBM_CC_SE_HOST_KEY"] = old
    if got != token or prot != "1":
        raise AssertionError("token %s (expected %s), prot_virt_guest=%s"
                             % (got, token, prot))
    env = dict(os.environ, QEMU_IBM_CC_SE_HOST_KEY=key + ".missing")
    r = subprocess.run([QEMU] + args + ["-display", "none", "-S",
                                        "-kernel", img],
                       env=env, capture_output=True, text=True, timeout=60)
    if r.returncode == 0 or "QEMU_IBM_CC_SE_HOST_KEY" not in r.stderr or \
            "se-host-key create" not in r.stderr:
        raise AssertionError("a missing machine key: status %d, %r"
                             % (r.returncode, r.stderr.strip()))
    log("protected guest at init after %.1f s with the machine's key" % secs)


def t_boot():
    key, hkd = host_key("host")
    token = guest.new_token()
    img, lay = se_image("boot", hkd, "console=ttysclp0 panic=-1 "
                        "qemu_ibm_cc.token=%s" % token,
                        guest.initramfs("s390x"))
    got, prot, secs = boot_to_init("se-pv-boot", img, pv_args(key))
    if got != token:
        raise AssertionError("token %s, expected %s" % (got, token))
    if prot != "1":
        raise AssertionError("prot_virt_guest=%s" % prot)
    log("protected guest at init after %.1f s" % secs)


def t_host_access():
    key, hkd = host_key("host")
    init = os.path.join(OUT, "sleep-init.sh")
    with open(init, "w") as f:
        f.write(SLEEP_INIT)
    mods = os.path.join(guest.fixture("s390x", "modules"))
    kver = os.listdir(mods)[0]
    blk = os.path.join(mods, kver, "kernel", "drivers", "block",
                       "virtio_blk.ko.xz")
    initrd = os.path.join(OUT, "sleep.cpio.gz")
    subprocess.run(["/usr/bin/python3", MKINITRAMFS, "--busybox",
                    guest.fixture("s390x", "busybox"), "--init", init,
                    "--add", blk + ":/mod/virtio_blk.ko.xz", "-o", initrd],
                   check=True)
    img, lay = se_image("sleep", hkd, "console=ttysclp0", initrd)
    disk = os.path.join(OUT, "disk.raw")
    data = os.urandom(16384)
    with open(disk, "wb") as f:
        f.write(data + bytes(1024 * 1024 - len(data)))
    want_sha = hashlib.sha256(data).hexdigest()

    qmp = os.path.join(OUT, "qmp.sock")
    gdb = os.path.join(OUT, "gdb.sock")
    for p in (qmp, gdb):
        if os.path.exists(p):
            os.unlink(p)
    argv = [QEMU] + pv_args(key) + [
        "-m", "1G", "-nographic", "-kernel", img,
        "-drive", "if=none,id=d0,format=raw,file=" + disk,
        "-device", "virtio-blk-ccw,drive=d0",
        "-qmp", "unix:%s,server=on,wait=off" % qmp,
        "-chardev", "socket,id=gdb0,path=%s,server=on,wait=off" % gdb,
        "-gdb", "chardev:gdb0"]
    g = guest.Guest("se-pv-host-access", argv).start()
    s = None
    try:
        m = g.wait_for(r"PV-E2E: prot_virt_guest=(\d)", 300,
                       guest.FAIL_PATTERNS)
        if m.group(1) != "1":
            g.fail("prot_virt_guest=%s" % m.group(1))
        # QUI's installed calls as the guest's kernel read them: QUI,
        # SET/REMOVE_SHARED_ACCESS, RETR_ATTEST and the secret calls (bits
        # 0, 8, 9, 28-31, 33), nothing a host calls
        m = g.wait_for(r"PV-E2E: uv facilities ([^\r\n]*)\.", 60)
        if m.group(1).split() != ["80c0000f40000000", "0", "0", "0"]:
            g.fail("the guest's QUI shows calls %s, expected only QUI, "
                   "SET/REMOVE_SHARED_ACCESS, RETR_ATTEST and the secret "
                   "calls (80c0000f40000000 0 0 0)" % m.group(1))
        m = g.wait_for(r"PV-E2E: vda ([0-9a-f]{64})", 60)
        if m.group(1) != want_sha:
            g.fail("virtio-blk read %s, expected %s" % (m.group(1),
                                                          want_sha))
        g.wait_for(r"PV-E2E: ready", 60)
        m = re.search(r"software IO TLB: mapped \[mem (0x[0-9a-f]+)",
                      g.text())
        if not m:
            g.fail("no swiotlb in the guest log")
        shared = int(m.group(1), 16)
        kernel = lay["kernel"][0]

        s = clients.Qmp(qmp, timeout=60)
        cmd, hmp = s.cmd, s.hmp
        checks = []
        out = hmp("xp /2gx %#x" % kernel)
        checks.append(("xp secure", "Cannot access memory" in out, out))
        out = hmp("x /2gx 0x100000")
        checks.append(("x secure", "Cannot access memory" in out, out))
        out = hmp("xp /2gx %#x" % shared)
        checks.append(("xp shared", "Cannot access" not in out, out))
        r = cmd("pmemsave", val=kernel, size=4096,
                filename=os.path.join(OUT, "pmem.bin"))
        checks.append(("pmemsave secure", "error" in r, r))
        r = cmd("pmemsave", val=shared, size=4096,
                filename=os.path.join(OUT, "pmem2.bin"))
        checks.append(("pmemsave shared", "return" in r, r))
        r = cmd("memsave", val=0x100000, size=4096,
                filename=os.path.join(OUT, "mem.bin"))
        checks.append(("memsave secure", "error" in r, r))
        r = cmd("dump-guest-memory", paging=False,
                protocol="file:" + os.path.join(OUT, "dump.elf"))
        checks.append(("dump", "error" in r, r))
        r = cmd("migrate", uri="exec:cat > /dev/null")
        checks.append(("migrate", "not migratable" in str(r), r))

        gd = plain.Gdb(gdb)
        gd.cmd("?")
        checks.append(("gdb virtual", gd.cmd("m100000,8").startswith("E"),
                       ""))
        gd.cmd("Qqemu.PhyMemMode:1")
        checks.append(("gdb physical secure",
                       gd.cmd("m%x,8" % kernel).startswith("E"), ""))
        checks.append(("gdb physical shared",
                       not gd.cmd("m%x,8" % shared).startswith("E"), ""))
        gd.cmd("Qqemu.PhyMemMode:0")
        gd.cmd("D")
        gd.close()

        bad = [c for c in checks if not c[1]]
        for name, ok, detail in checks:
            log("%-20s %s" % (name, "ok" if ok else "FAILED: %s" % detail))
        if bad:
            g.fail("host access checks failed: %s" %
                   ", ".join(c[0] for c in bad))

        # a reset unprotects, re-IPLs and protects again
        n = g.text().count("PV-E2E: ready")
        cmd("system_reset")
        g.wait_for(r"(?s)(PV-E2E: ready.*){%d}" % (n + 1), 300)
        if g.text().count("PV-E2E: prot_virt_guest=1") != n + 1:
            g.fail("not protected again after system_reset")
        cmd("quit")
        g.wait_exit(30)
    finally:
        if s is not None:
            s.close()
        g.stop()
        g.save_console()


def wait_status(img, args):
    q, mask, addr = plain.run_to_wait(img, extra=args)
    try:
        st = q.xp64(STAGE3A_STATUS_ADDR, 2)
        return q, addr, st
    except Exception:
        q.close()
        raise


def t_tampered():
    key, hkd = host_key("host")
    img, lay = se_image("tamper", hkd, "console=ttysclp0",
                        guest.initramfs("s390x"))
    data = bytearray(open(img, "rb").read())
    kaddr, ksize = lay["kernel"]
    data[lay["cmdline"][0] + 5] ^= 0x40
    bad = os.path.join(OUT, "tampered.img")
    with open(bad, "wb") as f:
        f.write(data)
    q, addr, st = wait_status(bad, pv_args(key))
    try:
        log("wait PSW address %#x, R1+1 %#x" % (addr, st[1]))
        if addr >> WAIT_CODE_SHIFT != STAGE3A_ERR_UNPACK:
            raise AssertionError("not STAGE3A_ERR_UNPACK: %#x" % addr)
        if st[1] != 0x0004001b01020a02:
            raise AssertionError("R1+1 %#x, expected VERIFY (4), rrc 0x1b "
                                 "(PLD), rc 0x102, 0x0a02" % st[1])
        # the unpacked (decrypted) kernel pages are gone: all zero now,
        # where the image has ciphertext
        if any(q.xp64(kaddr + off, 1)[0] for off in (0, 0x1000, ksize - 8)):
            raise AssertionError("unpacked pages were not wiped")
        if not any(struct.unpack_from(">Q", data, kaddr)):
            raise AssertionError("test broken: image kernel page is zero")
    finally:
        q.close()


def t_other_key():
    key, hkd = host_key("host")
    key2, hkd2 = host_key("other")
    token = guest.new_token()
    img, lay = se_image("other", hkd2, "console=ttysclp0 panic=-1 "
                        "qemu_ibm_cc.token=%s" % token,
                        guest.initramfs("s390x"))
    q, addr, st = wait_status(img, pv_args(key))
    try:
        log("with host.key: R1+1 %#x" % st[1])
        if st[1] != 0x0002000501080a02:
            raise AssertionError("R1+1 %#x, expected SET_SEC_PARMS (2), "
                                 "rrc 5, rc 0x108, 0x0a02" % st[1])
    finally:
        q.close()
    got, prot, secs = boot_to_init("se-pv-backup-key", img,
                                   pv_args(key, backup=key2))
    if got != token or prot != "1":
        raise AssertionError("backup key boot: token %s prot %s" %
                             (got, prot))



SECRET_INIT = """#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
cat /secret > /dev/null
echo "PV-SECRET: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest 2>/dev/null || echo 0)"
echo "PV-SECRET: ready"
sleep 3600
"""

CONF_MEM_MIB = 512


def host_readable_ram(qmp, name):
    """Everything QMP pmemsave lets the host read of guest RAM, 1 MiB at a
    time; returns (bytes read, MiB refused)."""
    got = bytearray()
    refused = 0
    path = os.path.join(OUT, name + ".pmem")
    for mib in range(CONF_MEM_MIB):
        if os.path.exists(path):
            os.unlink(path)
        r = qmp.cmd("pmemsave", val=mib << 20, size=1 << 20, filename=path)
        if "return" in r:
            with open(path, "rb") as f:
                got += f.read()
        else:
            refused += 1
    return bytes(got), refused


def t_confidentiality():
    key, hkd = host_key("host")
    secret = ("QEMU-IBM-CC-SECRET-" + guest.new_token()).encode()
    init = os.path.join(OUT, "secret-init.sh")
    sfile = os.path.join(OUT, "secret.txt")
    with open(init, "w") as f:
        f.write(SECRET_INIT)
    with open(sfile, "wb") as f:
        f.write(secret + b"\n")
    initrd = os.path.join(OUT, "secret.cpio.gz")
    subprocess.run(["/usr/bin/python3", MKINITRAMFS, "--busybox",
                    guest.fixture("s390x", "busybox"), "--init", init,
                    "--add", sfile + ":/secret", "-o", initrd], check=True)
    img, _ = se_image("secret", hkd, "console=ttysclp0", initrd)
    with open(img, "rb") as f:
        if secret in f.read():
            raise AssertionError("the secret is in plaintext in the SE image")

    counts = {}
    for mode in ("unprotected", "protected"):
        qmp = os.path.join(OUT, "qmp-%s.sock" % mode)
        if os.path.exists(qmp):
            os.unlink(qmp)
        if mode == "protected":
            boot = pv_args(key) + ["-kernel", img]
        else:
            boot = ["-machine", "s390-ccw-virtio",
                    "-kernel", guest.fixture("s390x", "vmlinuz"),
                    "-initrd", initrd, "-append", "console=ttysclp0"]
        argv = [QEMU] + boot + [
            "-m", "%dM" % CONF_MEM_MIB, "-nographic",
            "-qmp", "unix:%s,server=on,wait=off" % qmp]
        g = guest.Guest("se-pv-secret-" + mode, argv).start()
        s = None
        try:
            m = g.wait_for(r"PV-SECRET: prot_virt_guest=(\d)", 300,
                           guest.FAIL_PATTERNS)
            want = "1" if mode == "protected" else "0"
            if m.group(1) != want:
                g.fail("%s boot: prot_virt_guest=%s" % (mode, m.group(1)))
            g.wait_for(r"PV-SECRET: ready", 60)
            s = clients.Qmp(qmp, timeout=60)
            data, refused = host_readable_ram(s, mode)
            counts[mode] = (data.count(secret), len(data) >> 20, refused)
            log("%s: %d occurrence(s) of the secret in %d MiB readable, "
                "%d MiB refused" % ((mode,) + counts[mode]))
            s.cmd("quit")
            g.wait_exit(30)
        finally:
            if s is not None:
                s.close()
            g.stop()
            g.save_console()
    if counts["unprotected"][0] == 0:
        raise AssertionError("the secret was not found in the unprotected "
                             "guest's RAM: the test cannot tell anything")
    if counts["protected"][0] != 0:
        raise AssertionError("%d plaintext occurrence(s) of the secret "
                             "readable by the host in the protected boot"
                             % counts["protected"][0])
    if counts["protected"][2] == 0:
        raise AssertionError("no pmemsave was refused in the protected boot")


TESTS = [
    ("SE image boots protected to init (prot_virt_guest=1)", t_boot),
    ("confidentiality: a secret in the initramfs is readable by the host "
     "unprotected, 0 occurrences protected", t_confidentiality),
    ("host access to a protected guest: debug, dump, migration refused; "
     "virtio works; reset re-protects", t_host_access),
    ("tampered image: VERIFY_IMG fails, guest told, plaintext wiped",
     t_tampered),
    ("image for another host key refused; accepted as backup key",
     t_other_key),
    ("the machine's host key (se-host-key, no host-key property)",
     t_machine_key),
]


def main():
    plain.load_consts()
    os.makedirs(OUT, exist_ok=True)
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
