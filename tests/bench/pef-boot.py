#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: powernv9 boot-to-init with pef=on and pef=off.

Boots the ppc64le-pef-host kernel (scripts/build-kernel.sh; it has
CONFIG_PPC_UV, so with pef=on it really uses the ultravisor) with the
standard busybox marker initramfs on three QEMUs:

  stock    Debian's qemu-system-ppc64 (1:10.0.2, `scripts/deps.sh bench`)
  pef-off  build/qemu-system-ppc64 -machine powernv9,pef=off
  pef-on   build/qemu-system-ppc64 -machine powernv9,pef=on

For each of N runs the three are started one after the other in a rotating
order; the time is launch to the /init marker line.  Prints the medians
and the ratios pef-off/stock (target <= 1.02: pef=off costs nothing) and
pef-on/pef-off (target <= 1.05).  The same ratios are also printed for the
CPU time (user + system) QEMU used for the whole run, boot to power-off:
less exact than launch-to-marker but much less disturbed by other load.

  tests/bench/pef-boot.py [--runs N] [--stock-dir DIR] [--pef-opts OPTS]

A figure is only meaningful on an otherwise idle machine.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "boot"))
import guest  # noqa: E402

BINARY = "qemu-system-ppc64"
TARGET_OFF = 1.02   # pef=off / stock
TARGET_ON = 1.05    # pef=on / pef=off


def version(binary):
    out = subprocess.run([binary, "--version"], capture_output=True,
                         text=True).stdout
    return out.splitlines()[0] if out else "?"


def has_pef(binary):
    r = subprocess.run([binary, "-machine", "powernv9,help"],
                       capture_output=True, text=True)
    return any(ln.strip().startswith("pef=")
               for ln in (r.stdout + r.stderr).splitlines())


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per configuration (default 3)")
    ap.add_argument("--stock-dir", default="/usr/bin")
    ap.add_argument("--pef-opts", default="",
                    help="extra machine options for pef-on, e.g. "
                    "secure-memory=16M")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds per boot (default 600)")
    args = ap.parse_args()

    ours = os.path.join(guest.BUILD, BINARY)
    stock = os.path.join(args.stock_dir, BINARY)
    for b in (ours, stock):
        if not os.access(b, os.X_OK):
            sys.exit("pef-boot: %s missing (make qemu; scripts/deps.sh bench)"
                     % b)
    if not has_pef(ours):
        sys.exit("pef-boot: %s has no powernv9 'pef' property" % ours)
    try:
        kernel = guest.custom_kernel("ppc64le-pef-host")
    except guest.Skip as e:
        sys.exit("pef-boot: %s" % e)
    initrd = guest.initramfs("ppc64el")

    configs = [("stock", stock, "powernv9"),
               ("pef-off", ours, "powernv9,pef=off"),
               ("pef-on", ours, "powernv9,pef=on" +
                (("," + args.pef_opts) if args.pef_opts else ""))]
    print("stock = %s" % version(stock))
    print("ours  = %s" % version(ours))
    print("kernel = %s" % os.path.realpath(kernel))
    for label, _, machine in configs:
        print("%-8s -machine %s" % (label, machine))
    sys.stdout.flush()

    times = {label: [] for label, _, _ in configs}
    cpu = {label: [] for label, _, _ in configs}
    for i in range(args.runs):
        k = i % len(configs)
        for label, binary, machine in configs[k:] + configs[:k]:
            c0 = children_cpu()
            _, secs, fields = guest.marker_boot(
                name="bench-pef-boot-" + label, qemu=binary,
                machine_args=["-machine", machine, "-m", "2G"],
                kernel=kernel, initrd=initrd,
                append="console=hvc0 panic=-1", timeout=args.timeout)
            want = "present" if label == "pef-on" else None
            if fields.get("ultravisor") != want:
                sys.exit("pef-boot: %s boot reported ultravisor=%s"
                         % (label, fields.get("ultravisor")))
            times[label].append(secs)
            cpu[label].append(children_cpu() - c0)
            print("  run %d %-8s %6.2f s  (cpu %.2f s)"
                  % (i + 1, label, secs, cpu[label][-1]), flush=True)

    print()
    print("powernv9 boot-to-init (ppc64le-pef-host kernel), median of %d "
          "runs each, rotating order" % args.runs)
    for what, data in (("launch to /init marker", times),
                       ("QEMU CPU time, whole run", cpu)):
        med = {label: statistics.median(v) for label, v in data.items()}
        r_off = med["pef-off"] / med["stock"]
        r_on = med["pef-on"] / med["pef-off"]
        print(what + ":")
        for label, _, _ in configs:
            print("  %-8s %8.2f s   (min %.2f, max %.2f)"
                  % (label, med[label], min(data[label]), max(data[label])))
        print("  pef-off/stock  %6.3f  target <= %.2f %s"
              % (r_off, TARGET_OFF, "ok" if r_off <= TARGET_OFF else "OVER"))
        print("  pef-on/pef-off %6.3f  target <= %.2f %s"
              % (r_on, TARGET_ON, "ok" if r_on <= TARGET_ON else "OVER"))
    print("load average now: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
