"""Start a QEMU guest, watch its console, keep the console on failure.

Shared by the boot tests (tests/boot/run.py) and the benchmarks
(tests/bench/).  Standard library only.
"""

import argparse
import hashlib
import os
import re
import secrets
import selectors
import subprocess
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
CACHE = os.environ.get("QEMU_IBM_CC_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
    "qemu-ibm-cc")
FIXTURES = os.path.join(CACHE, "fixtures")
LOGDIR = os.path.join(BUILD, "test-logs")

MARKER = "QEMU-IBM-CC-INIT:"


class BootFailure(Exception):
    def __init__(self, text, console_path):
        super().__init__("%s (console: %s)" % (text, console_path))
        self.console_path = console_path


def fixture(*parts):
    p = os.path.join(FIXTURES, *parts)
    if not os.path.exists(p):
        raise FileNotFoundError("fixture %s is missing: run scripts/fixtures.sh"
                                % p)
    return p


def initramfs(arch, init="marker.sh", extra=()):
    """Build (or reuse) a busybox initramfs for arch with the given /init."""
    init_path = os.path.join(TOP, "tests", "fixtures", "init", init)
    out_dir = os.path.join(BUILD, "initramfs")
    os.makedirs(out_dir, exist_ok=True)
    name = "%s-%s" % (arch, init.rsplit(".", 1)[0])
    if extra:
        # another content: another file (the plain one stays as it is)
        digest = hashlib.sha256("\0".join(extra).encode()).hexdigest()
        name += "-" + digest[:12]
    out = os.path.join(out_dir, name + ".cpio.gz")
    inputs = [init_path, fixture(arch, "busybox"),
              os.path.join(TOP, "scripts", "mkinitramfs.py")]
    if os.path.exists(out) and not extra and all(
            os.path.getmtime(out) >= os.path.getmtime(i) for i in inputs):
        return out
    cmd = ["/usr/bin/python3", inputs[2], "--busybox", inputs[1],
           "--init", init_path, "-o", out]
    for e in extra:
        cmd += ["--add", e]
    subprocess.run(cmd, check=True)
    return out


class Guest:
    """One QEMU process with its console on a pipe."""

    def __init__(self, name, argv, console_input=False):
        self.name = name
        self.argv = argv
        self.console_input = console_input
        self.proc = None
        self.console = bytearray()
        self.start_time = None
        os.makedirs(LOGDIR, exist_ok=True)
        self.console_path = os.path.join(LOGDIR, name + ".console")
        # QEMU_IBM_CC_LIVE_CONSOLE=1: the console file grows as the guest
        # writes (to follow a long boot with tail -f), not only at the end
        self.live = None
        if os.environ.get("QEMU_IBM_CC_LIVE_CONSOLE") == "1":
            self.live = open(self.console_path, "wb", buffering=0)

    def start(self):
        self.start_time = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE
                                     if self.console_input
                                     else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        os.set_blocking(self.proc.stdout.fileno(), False)
        return self

    def _pump(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        got = False
        for _ in sel.select(timeout):
            data = self.proc.stdout.read()
            if data:
                self.console += data
                if self.live:
                    self.live.write(data)
                got = True
        sel.close()
        return got

    def send(self, text):
        """Type @text on the console (Guest(..., console_input=True))."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def text(self):
        return self.console.decode("utf-8", "replace")

    def wait_for(self, pattern, timeout, fail_patterns=()):
        """Wait until pattern (a regex) is on the console; return the match.

        Raises BootFailure on timeout, on QEMU exiting first, or when a
        fail pattern shows up.
        """
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        fails = [re.compile(p) for p in fail_patterns]
        while True:
            text = self.text()
            m = rx.search(text)
            if m:
                return m
            for f in fails:
                fm = f.search(text)
                if fm:
                    self.fail("console shows '%s'" % fm.group(0))
            if self.proc.poll() is not None:
                self._pump(0)
                if rx.search(self.text()):
                    return rx.search(self.text())
                self.fail("QEMU exited with status %d before '%s'"
                          % (self.proc.returncode, pattern))
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("timed out after %d s waiting for '%s'"
                          % (timeout, pattern))
            self._pump(min(left, 0.5))

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._pump(0.2)
        self._pump(0)
        return self.proc.poll()

    def save_console(self):
        with open(self.console_path, "wb") as f:
            f.write(self.console)
        return self.console_path

    def fail(self, why):
        self.stop()
        raise BootFailure(why, self.save_console())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self._pump(0)

    def elapsed(self):
        return time.monotonic() - self.start_time


class Skip(Exception):
    """A test that cannot run here; the reason says what is missing."""


def custom_kernel(name):
    """The vmlinux that scripts/build-kernel.sh built from FRAGMENT name."""
    p = os.path.join(CACHE, "kernels", name, "vmlinux")
    if not os.path.exists(p):
        raise Skip("kernel %s not built (make kernels)" % name)
    return p


def new_token():
    return secrets.token_hex(8)


# Console lines that end a boot test at once.
FAIL_PATTERNS = (r"Kernel panic - not syncing[^\n]*", r"Oops[:\s][^\n]*",
                 r"Unable to handle kernel[^\n]*")


def marker_boot(name, qemu, machine_args, kernel, initrd, append,
                timeout, extra=()):
    """Boot, wait for the /init marker carrying a fresh token, power off.

    Returns (guest, seconds from launch to the marker line, init's fields).
    """
    token = new_token()
    argv = ([qemu] + list(machine_args) +
            ["-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
             "-append", "%s qemu_ibm_cc.token=%s" % (append, token)] +
            list(extra))
    g = Guest(name, argv).start()
    try:
        # Match whole lines only: the console arrives in arbitrary chunks.
        m = g.wait_for(re.escape(MARKER) +
                       r" token=(\S+) arch=(\S+) kernel=(\S+)\r?\n",
                       timeout, FAIL_PATTERNS)
        secs = g.elapsed()
        if m.group(1) != token:
            g.fail("init echoed token %s, expected %s" % (m.group(1), token))
        g.wait_for(re.escape(MARKER) + r" done\r?\n", 60, FAIL_PATTERNS)
        fields = {"arch": m.group(2), "kernel": m.group(3)}
        for k, v in re.findall(re.escape(MARKER) + r" (\w+)=(\S+)\r?\n",
                               g.text()):
            fields.setdefault(k, v)
        # init powers off; QEMU should exit by itself.
        rc = g.wait_exit(60)
        if rc is None:
            g.fail("guest did not power off after init")
        return g, secs, fields
    finally:
        g.stop()


# The guests of the foundation boot tests and the first benchmark.
def s390x_ccw(qemu, name="s390x-ccw-virtio"):
    return dict(name=name, qemu=qemu,
                machine_args=["-machine", "s390-ccw-virtio", "-m", "1G"],
                kernel=fixture("s390x", "vmlinuz"),
                initrd=initramfs("s390x"),
                append="console=ttysclp0 panic=-1")


def pseries(qemu, kernel, name):
    return dict(name=name, qemu=qemu,
                machine_args=["-machine", "pseries", "-m", "2G"],
                kernel=kernel, initrd=initramfs("ppc64el"),
                append="console=hvc0 panic=-1")


def powernv(qemu, machine, name=None):
    return dict(name=name or "ppc64-" + machine, qemu=qemu,
                machine_args=["-machine", machine, "-m", "2G"],
                kernel=fixture("ppc64el", "vmlinux"),
                initrd=initramfs("ppc64el"),
                append="console=hvc0 panic=-1")


def run_tests(tests, console_lines=40):
    """The TAP runner of the boot test scripts (tests/boot/run.py,
    tests/pef-boot/test_pef_host.py): -k NAME selects, --list lists.  A
    test returns the seconds to init, or (seconds, info); raises Skip to
    skip; any other exception fails it, with the console's last lines.
    A test function with .slow = True runs only with --slow (make
    check-slow) and is reported as skipped otherwise."""
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="run tests whose name contains this")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--slow", action="store_true",
                    help="also run the slow tests (make check-slow)")
    args = ap.parse_args()
    tests = [t for t in tests if args.k in t.__name__]
    if args.list:
        for t in tests:
            print(t.__name__)
        return 0
    print("1..%d" % len(tests))
    passed = failed = skipped = 0
    for i, t in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            try:
                if getattr(t, "slow", False) and not args.slow:
                    raise Skip("slow: make check-slow, or --slow")
                res = t()
            except Skip as e:
                skipped += 1
                print("ok %d - %s # SKIP %s" % (i, t.__name__, e), flush=True)
                continue
            secs, info = res if isinstance(res, tuple) else (res, "")
            passed += 1
            print("ok %d - %s (init after %.1f s, total %.1f s)%s"
                  % (i, t.__name__, secs, time.monotonic() - t0,
                     " " + info if info else ""), flush=True)
        except Exception as e:  # one failure must not stop the others
            failed += 1
            print("not ok %d - %s (%.1f s)" % (i, t.__name__,
                                              time.monotonic() - t0),
                  flush=True)
            for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
                print("# " + line)
            path = getattr(e, "console_path", None)
            if path and os.path.exists(path):
                with open(path, "rb") as f:
                    tail = f.read()[-4000:].decode("utf-8", "replace")
                print("# --- last console lines ---")
                for line in tail.splitlines()[-console_lines:]:
                    print("# " + line)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0
