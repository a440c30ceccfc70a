#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: protected against unprotected boot-to-init of the same guest
on our QEMU.

Builds one Secure Execution image (build/tools/mk-se-image) from the
fixture kernel, the busybox marker initramfs and a parmfile carrying a
fixed token, then alternates N runs (U P, then P U, ...) of

  unprotected  our qemu-system-s390x -kernel vmlinuz -initrd -append CMDLINE
  protected    the SE image on the emulated ultravisor (s390-pv-guest)

both with -m 1G, and times launch to the whole /init marker line.  The
protected run must show the token from the image's encrypted cmdline and
prot_virt_guest=1; a missing marker or prot_virt_guest != 1 exits 1.
Prints every run, the medians and the ratio protected/unprotected against
the target <= 1.10: figures only, never a timing verdict in the exit status.

One more protected run, not counted in the medians, is traced
(-trace s390_pv_*, -msg timestamp=on) to show where the protected boot
spends its extra time: launch to CREATE_SEC_CONF, the unpack of the image
components (AES-XTS decryption plus SHA-512 of every page), VERIFY_IMG and
start, then the protected kernel to /init.  --no-breakdown skips it.

  tests/bench/se-boot.py [--runs N] [--no-breakdown]

A figure is only meaningful on an otherwise idle machine.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "boot"))
import guest  # noqa: E402

TARGET = 1.10
TOKEN = "5eb0075eb0075eb0"
CMDLINE = "console=ttysclp0 panic=-1 qemu_ibm_cc.token=" + TOKEN
MEM = "1G"
TIMEOUT = 600

OUT = os.path.join(guest.BUILD, "se-boot", "bench")
QEMU = os.path.join(guest.BUILD, "qemu-system-s390x")
MKSE = os.path.join(guest.BUILD, "tools", "mk-se-image")
MKKEY = os.path.join(guest.TOP, "scripts", "mk-test-host-key.sh")

MARKER_LINE = (re.escape(guest.MARKER) +
               r" token=(\S+) arch=(\S+) kernel=(\S+)\r?\n")
TRACE_EVENTS = ("s390_pv_uv_host_call", "s390_pv_unpack",
                "s390_pv_start_psw", "s390_pv_diag308")


def die(msg):
    print("se-boot: " + msg, file=sys.stderr)
    sys.exit(1)


def version(binary):
    out = subprocess.run([binary, "--version"], capture_output=True,
                         text=True).stdout
    return out.splitlines()[0] if out else "?"


def make_image():
    """(host private key, SE image, vmlinuz, initrd)."""
    for tool in (QEMU, MKSE, MKKEY):
        if not os.access(tool, os.X_OK):
            die("%s missing (make qemu core)" % tool)
    os.makedirs(OUT, exist_ok=True)
    keydir = os.path.join(OUT, "keys")
    subprocess.run([MKKEY, keydir, "host"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    key = os.path.join(keydir, "host.key")
    hkd = os.path.join(keydir, "host.crt")
    kernel = guest.fixture("s390x", "vmlinuz")
    initrd = guest.initramfs("s390x")
    parm = os.path.join(OUT, "bench.parm")
    with open(parm, "w") as f:
        f.write(CMDLINE + "\n")
    img = os.path.join(OUT, "bench.img")
    subprocess.run([MKSE, "-k", hkd, "-i", kernel, "-r", initrd, "-p", parm,
                    "-o", img, "--no-verify"], check=True,
                   stdout=subprocess.DEVNULL)
    return key, img, kernel, initrd


def argv_for(mode, key, img, kernel, initrd):
    common = ["-m", MEM, "-nographic", "-no-reboot"]
    if mode == "prot":
        return ([QEMU, "-machine",
                 "s390-ccw-virtio,confidential-guest-support=pv0",
                 "-object", "s390-pv-guest,id=pv0,host-key=" + key] +
                common + ["-kernel", img])
    return ([QEMU, "-machine", "s390-ccw-virtio"] + common +
            ["-kernel", kernel, "-initrd", initrd, "-append", CMDLINE])


def boot(name, argv, mode):
    """Boot to the /init marker line; return (seconds, init's fields).

    Raises guest.BootFailure on a missing marker, a wrong token or a wrong
    prot_virt_guest.
    """
    g = guest.Guest(name, argv).start()
    try:
        m = g.wait_for(MARKER_LINE, TIMEOUT, guest.FAIL_PATTERNS)
        secs = g.elapsed()
        if m.group(1) != TOKEN:
            g.fail("init echoed token %s, expected %s" % (m.group(1), TOKEN))
        g.wait_for(re.escape(guest.MARKER) + r" done\r?\n", 60,
                   guest.FAIL_PATTERNS)
        fields = {}
        for k, v in re.findall(re.escape(guest.MARKER) +
                               r" (\w+)=(\S+)\r?\n", g.text()):
            fields.setdefault(k, v)
        prot = fields.get("prot_virt_guest", "absent")
        if mode == "prot" and prot != "1":
            g.fail("protected run: prot_virt_guest=%s, expected 1" % prot)
        if mode == "unprot" and prot == "1":
            g.fail("unprotected run: prot_virt_guest=1")
        if g.wait_exit(60) is None:
            g.fail("guest did not power off after init")
        return secs, fields
    finally:
        g.stop()
        g.save_console()


TRACE_LINE = re.compile(r"^\d+@(\d+\.\d+):(\w+) (.*)$")


def breakdown(argv):
    """One traced protected boot: print its phases."""
    log = os.path.join(OUT, "breakdown.trace")
    if os.path.exists(log):
        os.unlink(log)
    argv = list(argv) + ["-msg", "timestamp=on", "-D", log]
    for ev in TRACE_EVENTS:
        argv += ["-trace", ev]
    t0 = time.time()
    secs, _ = boot("bench-se-boot-traced", argv, "prot")
    ev = []
    with open(log) as f:
        for line in f:
            m = TRACE_LINE.match(line.rstrip("\n"))
            if m:
                ev.append((float(m.group(1)) - t0, m.group(2), m.group(3)))

    def first(name, arg=""):
        for t, n, a in ev:
            if n == name and a.startswith(arg):
                return t
        return None

    create = first("s390_pv_uv_host_call", "CREATE_SEC_CONF")
    params = first("s390_pv_uv_host_call", "SET_SEC_CONF_PARAMS")
    verify = first("s390_pv_uv_host_call", "VERIFY_IMG")
    start = first("s390_pv_start_psw")
    comps = [(t, a) for t, n, a in ev if n == "s390_pv_unpack"]
    if None in (create, params, verify, start) or not comps:
        print("  (trace incomplete, no breakdown: see %s)" % log)
        return
    print()
    print("protected boot breakdown (one extra traced run, %.2f s to init; "
          "trace %s)" % (secs, log))
    print("  %-46s %7.3f s" % ("launch -> CREATE_SEC_CONF (fw, stage3a)",
                               create))
    print("  %-46s %7.3f s" % ("CREATE_SEC_CONF -> SET_SEC_CONF_PARAMS (hdr)",
                               params - create))
    prev = params
    total = 0
    for t, a in comps:
        m = re.match(r"component 0x([0-9a-f]+) size 0x([0-9a-f]+)", a)
        size = int(m.group(2), 16) if m else 0
        total += size
        print("  %-46s %7.3f s  %6.1f MiB %7.1f MB/s"
              % ("unpack component 0x%s" % (m.group(1) if m else "?"),
                 t - prev, size / 2**20,
                 size / 1e6 / (t - prev) if t > prev else 0))
        prev = t
    unpack = comps[-1][0] - params
    print("  %-46s %7.3f s  %6.1f MiB %7.1f MB/s"
          % ("  unpack total (SET_SEC_CONF_PARAMS -> last)", unpack,
             total / 2**20, total / 1e6 / unpack if unpack > 0 else 0))
    print("  %-46s %7.3f s" % ("last unpack -> VERIFY_IMG", verify - prev))
    print("  %-46s %7.3f s" % ("VERIFY_IMG -> start of protected guest",
                               start - verify))
    print("  %-46s %7.3f s" % ("protected kernel -> /init marker",
                               secs - start))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5,
                    help="runs per mode (default 5)")
    ap.add_argument("--no-breakdown", action="store_true",
                    help="skip the extra traced protected run")
    args = ap.parse_args()

    try:
        key, img, kernel, initrd = make_image()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        die("could not build the SE image: %s" % e)
    print("qemu  = %s (%s)" % (QEMU, version(QEMU)))
    print("image = %s (%.1f MiB), -m %s" % (img, os.path.getsize(img) / 2**20,
                                            MEM), flush=True)

    times = {"unprot": [], "prot": []}
    try:
        for i in range(args.runs):
            order = ["unprot", "prot"]
            if i % 2:
                order.reverse()
            for mode in order:
                secs, fields = boot("bench-se-boot-" + mode,
                                    argv_for(mode, key, img, kernel, initrd),
                                    mode)
                times[mode].append(secs)
                print("  run %d %-6s %7.3f s  prot_virt_guest=%s"
                      % (i + 1, mode, secs,
                         fields.get("prot_virt_guest", "absent")),
                      flush=True)
        if not args.no_breakdown:
            breakdown(argv_for("prot", key, img, kernel, initrd))
    except guest.BootFailure as e:
        die(str(e))

    mu = statistics.median(times["unprot"])
    mp = statistics.median(times["prot"])
    r = mp / mu
    print()
    print("SE boot-to-init, median of %d runs each, alternating" % args.runs)
    print("%10s %10s %8s  %s" % ("unprot s", "prot s", "ratio", "target"))
    print("%10.2f %10.2f %8.3f  <= %.2f %s"
          % (mu, mp, r, TARGET, "ok" if r <= TARGET else "OVER"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
