#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: a POWER Secure VM on pseries under TCG against the same
guest booted normally (tests/pef-svm/svm.py sets them up).

Both run our qemu-system-ppc64 with pef-guest and its swtpm, the
CONFIG_PPC_SVM kernel and the same initramfs; "svm" boots the
esmb-initrd with svm=on, "normal" the plain initramfs without.  Printed:

  * launch to the /init marker, median of N runs in alternating order,
    and the ratio svm/normal (target <= 1.15);
  * Enter Secure Mode itself (trace event spapr_pef_esm_done): its time,
    and how much of it the TPM commands took (the rest is mostly the
    SHA-512 digests of kernel, initrd, bootargs, RTAS);
  * virtio-net TCP request/response rates with 90-byte and 16 KiB
    messages to an echo server on the host (tests/bench/net-rr.c in the
    guest, like netperf's TCP_RR), and the SVM's loss, which is the cost
    of its bounce buffers (on hardware about 45 % for small and 10 % for
    large messages).

  tests/bench/pef-svm-boot.py [--runs N] [--rr-count N]

A figure is only meaningful on an otherwise idle machine.
"""

import argparse
import os
import re
import socket
import socketserver
import statistics
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pef-svm"))
import svm  # noqa: E402
import guest  # noqa: E402

TARGET = 1.15
WORK = os.path.join(guest.BUILD, "bench-pef-svm")


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


def echo_server():
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def boot(name, argv, tpm, rr):
    """Launch to marker seconds, ESM trace fields, RR rates by size."""
    g = guest.Guest(name, argv)
    tpm.serve()
    g.start()
    try:
        g.wait_for(re.escape(guest.MARKER) + r" svm=\d", 900,
                   guest.FAIL_PATTERNS)
        secs = g.elapsed()
        rates = {}
        for size in rr:
            m = g.wait_for(r"NET-RR size=%d count=\d+ secs=\S+ rate=(\S+)"
                           % size, 900, guest.FAIL_PATTERNS)
            rates[size] = float(m.group(1))
        g.wait_for(re.escape(guest.MARKER) + r" done", 120,
                   guest.FAIL_PATTERNS)
        if g.wait_exit(60) is None:
            g.fail("no power-off")
    finally:
        g.stop()
        g.save_console()
        tpm.stop()
    m = re.search(r"spapr_pef_esm_done Enter Secure Mode: (.*) in (\d+) us, "
                  r"(\d+) TPM commands in (\d+) us", g.text())
    return secs, m, rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rr-count", type=int, default=2000,
                    help="request/response exchanges per size")
    args = ap.parse_args()
    try:
        kernel = svm.need_tools()
    except guest.Skip as e:
        sys.exit("pef-svm-boot: %s" % e)
    os.makedirs(WORK, exist_ok=True)
    rr_bin = os.path.join(WORK, "net-rr")
    subprocess.run([svm.CROSS + "gcc", "-static", "-O2", "-o", rr_bin,
                    os.path.join(HERE, "net-rr.c")], check=True)
    srv = echo_server()
    port = srv.server_address[1]
    sizes = (90, 16384)
    hook = ("ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0\n" +
            "".join("/net-rr 10.0.2.100 7 %d %d\n" % (s, args.rr_count)
                    for s in sizes))
    initrd = svm.initramfs(WORK, "bench", hook,
                           extra=[rr_bin + ":/net-rr"])
    tpm = svm.Tpm(WORK)
    pem = tpm.provision()
    esmb = svm.esmb_initrd(WORK, "bench", kernel, initrd, svm.BOOTARGS, pem)
    net = ["-netdev", "user,id=n0,guestfwd=tcp:10.0.2.100:7-tcp:127.0.0.1:%d"
           % port, "-device", "virtio-net-pci,netdev=n0,iommu_platform=on",
           "-trace", "spapr_pef_esm_done"]
    configs = [
        ("normal", svm.argv(kernel, initrd,
                            svm.BOOTARGS.replace(" svm=on", ""), tpm,
                            extra=net)),
        ("svm", svm.argv(kernel, esmb, svm.BOOTARGS, tpm, extra=net)),
    ]
    print("ours = %s" % svm.QEMU)
    print("kernel = %s" % os.path.realpath(kernel))
    sys.stdout.flush()
    times = {c: [] for c, _ in configs}
    rates = {c: {s: [] for s in sizes} for c, _ in configs}
    esm = []
    for i in range(args.runs):
        k = i % 2
        for label, argv in configs[k:] + configs[:k]:
            secs, m, r = boot("bench-pef-svm-" + label, argv, tpm, sizes)
            times[label].append(secs)
            for s in sizes:
                rates[label][s].append(r[s])
            if label == "svm":
                if not m or m.group(1) != "success":
                    sys.exit("pef-svm-boot: no successful ESM in the trace")
                esm.append((int(m.group(2)), int(m.group(3)),
                            int(m.group(4))))
            print("  run %d %-6s %6.2f s  rr %s" % (
                i + 1, label, secs, "  ".join("%d B: %.0f/s" % (s, r[s])
                                              for s in sizes)), flush=True)
    srv.shutdown()
    med = {c: statistics.median(v) for c, v in times.items()}
    print()
    print("pseries boot-to-init (ppc64le-svm-guest kernel), median of %d "
          "runs each, alternating order" % args.runs)
    print("  normal  %6.2f s" % med["normal"])
    print("  svm     %6.2f s" % med["svm"])
    ratio = med["svm"] / med["normal"]
    print("  svm/normal = %.3f (target <= %.2f: %s)"
          % (ratio, TARGET, "met" if ratio <= TARGET else "NOT met"))
    us = statistics.median(e[0] for e in esm)
    tpm_us = statistics.median(e[2] for e in esm)
    print("Enter Secure Mode: median %.1f ms, of which %d TPM commands "
          "%.1f ms (%.0f %%); the rest is digests and guest-memory reads"
          % (us / 1000, esm[0][1], tpm_us / 1000, 100.0 * tpm_us / us))
    print("virtio-net TCP request/response (%d exchanges), median rates:"
          % args.rr_count)
    for s in sizes:
        n = statistics.median(rates["normal"][s])
        v = statistics.median(rates["svm"][s])
        print("  %5d B  normal %8.0f/s  svm %8.0f/s  loss %5.1f %%"
              % (s, n, v, 100.0 * (1 - v / n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
