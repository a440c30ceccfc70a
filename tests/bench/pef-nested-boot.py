#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: a Linux Secure VM started by Debian's QEMU under the KVM host
of powernv9,pef=on, against the same L2 booted as a normal guest (issue
13, section 4; the set-up is tests/pef-nested/test_nested.py's).

Each run boots L0 → L1 → L2 once; the figure is the L2's boot-to-init
(from the L1 VMM's start to the L2's /init marker), the median of N runs
per kind in alternating order, and the ratio svm/normal (target <= 1.20).
For the Secure VM runs the L0 trace counts the ultravisor's UV_PAGE_IN and
UV_PAGE_OUT calls; their share of the boot is estimated from the round
trips per second pef-page-bench measures in the same run.

  tests/bench/pef-nested-boot.py [--runs N]

A figure is only meaningful on an otherwise idle machine.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pef-nested"))
import test_nested  # noqa: E402
import guest  # noqa: E402

TARGET = 1.20
WORK = os.path.join(guest.BUILD, "bench-pef-nested")
PAGE_BENCH = os.path.join(guest.BUILD, "core", "tests", "bench",
                          "pef-page-bench")


def one(kind, files, tpm, token, i):
    name = "bench-pef-nested-%s-%d" % (kind, i)
    trace = os.path.join(WORK, name + ".trace")
    if os.path.exists(trace):
        os.unlink(trace)
    extra = ["-trace", "enable=uv_pef_ucall,file=" + trace]
    g, s = test_nested.svm_boot(name, kind == "svm", "", files, tpm, token,
                                hold=False, l0_extra=extra)
    if s["l2_fields"].get("svm") != ("1" if kind == "svm" else "0"):
        raise SystemExit("%s: the L2 reports svm=%s" %
                         (name, s["l2_fields"].get("svm")))
    pages = 0
    if os.path.exists(trace):
        with open(trace, errors="replace") as f:
            pages = sum(1 for ln in f
                        if re.search(r" UV_PAGE_(IN|OUT) \(", ln))
    return s["l2_secs"] - s["l2_start"], pages


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    token = guest.new_token()
    tpm, files = test_nested.svm_l2_files(WORK, token, os.urandom(16).hex())
    times = {"svm": [], "normal": []}
    pages = []
    for i in range(args.runs):
        for kind in (("svm", "normal") if i % 2 == 0 else
                     ("normal", "svm")):
            t, p = one(kind, files, tpm, token, i)
            times[kind].append(t)
            if kind == "svm":
                pages.append(p)
            print("run %d %-6s L2 boot-to-init %.1f s" % (i, kind, t),
                  flush=True)
    r = subprocess.run([PAGE_BENCH], capture_output=True, text=True,
                       check=True).stdout
    rate = float(re.search(r"round-trips/s\s+(\d+)", r).group(1))
    svm_t = statistics.median(times["svm"])
    normal_t = statistics.median(times["normal"])
    ratio = svm_t / normal_t
    calls = statistics.median(pages)
    # a round trip is one UV_PAGE_OUT and one UV_PAGE_IN
    share = calls / 2 / rate / svm_t
    print("L2 boot-to-init, median of %d: SVM %.1f s, normal %.1f s"
          % (args.runs, svm_t, normal_t))
    print("ratio SVM / normal %.2f (target <= %.2f: %s)"
          % (ratio, TARGET, "met" if ratio <= TARGET else "NOT met"))
    print("UV_PAGE_IN + UV_PAGE_OUT per SVM boot %d; at %d round trips/s "
          "(pef-page-bench, this run) %.1f ms, %.3f %% of the boot"
          % (calls, rate, 1000 * calls / 2 / rate, 100 * share))
    return 0


if __name__ == "__main__":
    sys.exit(main())
