#!/usr/bin/python3
"""Benchmark: boot-to-init time, our QEMU against Debian's stock 10.0.2.

For each guest, runs our binary and the stock one alternately (A B, then
B A, ...), times launch-to-/init-marker, and prints the medians and the
ratio ours/stock from this one run.  Target: ratio <= 1.02.

  tests/bench/boot-to-init.py [--runs N] [--guests s390x,powernv9]

The stock binaries are Debian's qemu-system-s390x / qemu-system-ppc64
1:10.0.2 from bookworm-backports (`scripts/deps.sh bench` installs them).
A figure is only meaningful on an otherwise idle machine.
"""

import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "boot"))
import guest  # noqa: E402

TARGET = 1.02

GUESTS = {
    "s390x": ("qemu-system-s390x", lambda q, n: guest.s390x_ccw(q, name=n)),
    "powernv9": ("qemu-system-ppc64",
                 lambda q, n: guest.powernv(q, "powernv9", name=n)),
}


def version(binary):
    out = subprocess.run([binary, "--version"], capture_output=True,
                         text=True).stdout
    return out.splitlines()[0] if out else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5,
                    help="runs per binary and guest (default 5)")
    ap.add_argument("--guests", default="s390x,powernv9")
    ap.add_argument("--stock-dir", default="/usr/bin")
    args = ap.parse_args()

    rows = []
    for name in args.guests.split(","):
        binary, make_cfg = GUESTS[name]
        ours = os.path.join(guest.BUILD, binary)
        stock = os.path.join(args.stock_dir, binary)
        for b in (ours, stock):
            if not os.access(b, os.X_OK):
                sys.exit("boot-to-init: %s missing (make qemu; "
                         "scripts/deps.sh bench)" % b)
        print("%s: ours  = %s" % (name, version(ours)))
        print("%s: stock = %s" % (name, version(stock)), flush=True)
        times = {"ours": [], "stock": []}
        for i in range(args.runs):
            order = [("ours", ours), ("stock", stock)]
            if i % 2:
                order.reverse()
            for label, b in order:
                cfg = make_cfg(b, "bench-%s-%s" % (name, label))
                _, secs, _ = guest.marker_boot(timeout=600, **cfg)
                times[label].append(secs)
                print("  run %d %-5s %6.2f s" % (i + 1, label, secs),
                      flush=True)
        mo = statistics.median(times["ours"])
        ms = statistics.median(times["stock"])
        rows.append((name, mo, ms, mo / ms))

    print()
    print("boot-to-init, median of %d runs each, alternating" % args.runs)
    print("%-10s %10s %10s %8s  %s" % ("guest", "ours s", "stock s",
                                        "ratio", "target"))
    for name, mo, ms, r in rows:
        print("%-10s %10.2f %10.2f %8.3f  <= %.2f %s"
              % (name, mo, ms, r, TARGET, "ok" if r <= TARGET else "OVER"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
