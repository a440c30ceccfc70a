# SPDX-License-Identifier: GPL-2.0-or-later
"""Clients of QEMU's host interfaces for the tests: QMP, the GDB remote
protocol and the qtest protocol, each on a unix socket QEMU serves.
Standard library only."""

import base64
import json
import os
import socket
import time


class ClientError(Exception):
    """The other side closed, or refused a command that had to work."""


def connect_unix(path, timeout):
    """A socket connected to @path, retried until @timeout seconds (QEMU
    may not be listening yet)."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.settimeout(timeout)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Qmp:
    """QMP: commands and their replies; events are kept aside."""

    def __init__(self, path, timeout=120):
        self.sock = connect_unix(path, timeout)
        self.f = self.sock.makefile("rw")
        self.f.readline()
        self.events = []
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise ClientError("QMP closed the connection")
            r = json.loads(line)
            if "event" in r:
                self.events.append(r)
                continue
            return r

    def ok(self, name, **args):
        """The command's return value; ClientError if it failed."""
        r = self.cmd(name, **args)
        if "error" in r:
            raise ClientError("%s: %s" % (name, r["error"]["desc"]))
        return r["return"]

    def hmp(self, line):
        return self.ok("human-monitor-command", **{"command-line": line})

    def wait_job(self, job, timeout=120):
        """Wait for a job to conclude; its error (or None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for j in self.ok("query-jobs"):
                if j["id"] == job and j["status"] == "concluded":
                    self.cmd("job-dismiss", id=job)
                    return j.get("error")
            time.sleep(0.2)
        raise ClientError("job %s did not conclude" % job)

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


class Gdb:
    """The GDB remote protocol, packets and interrupts."""

    def __init__(self, path, timeout=20):
        self.timeout = timeout
        self.s = connect_unix(path, timeout)
        self.buf = b""

    def _packet(self, timeout=None):
        self.s.settimeout(self.timeout if timeout is None else timeout)
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                data = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.s.sendall(b"+")
                return data.decode("latin-1")
            chunk = self.s.recv(65536)
            if not chunk:
                raise ClientError("gdbstub closed the connection")
            self.buf += chunk

    def send(self, data):
        raw = data.encode()
        self.s.sendall(b"$%s#%02x" % (raw, sum(raw) & 0xff))

    def cmd(self, data, timeout=None):
        """Send a packet; the reply packet."""
        self.send(data)
        return self._packet(timeout)

    def wait_stop(self, timeout):
        """The stop reply after a continue, or None after timeout."""
        try:
            return self._packet(timeout)
        except socket.timeout:
            return None

    def interrupt(self):
        self.s.sendall(b"\x03")
        return self._packet()

    def close(self, detach=False):
        """Close the connection; with @detach, let the guest run on."""
        if detach:
            try:
                self.cmd("D", timeout=5)
            except (OSError, ClientError):
                pass
        self.s.close()


class Qtest:
    """The qtest protocol (QEMU is the server)."""

    def __init__(self, path, timeout=30):
        self.s = connect_unix(path, timeout)
        self.buf = b""

    def cmd(self, line):
        """Send one command; its reply line (OK ..., FAIL ..., ERR ...)."""
        self.s.sendall(line.encode() + b"\n")
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                reply = self.buf[:nl].decode()
                self.buf = self.buf[nl + 1:]
                if reply.startswith("IRQ"):
                    continue
                return reply
            chunk = self.s.recv(65536)
            if not chunk:
                raise ClientError("qtest closed the connection")
            self.buf += chunk

    def read(self, addr, n):
        """(bytes or None, reply) of 'read'."""
        r = self.cmd("read %#x %#x" % (addr, n))
        if r.startswith("OK 0x"):
            return bytes.fromhex(r[5:]), r
        return None, r

    def b64read(self, addr, n):
        """(bytes or None, reply) of 'b64read'."""
        r = self.cmd("b64read %#x %#x" % (addr, n))
        if r.startswith("OK "):
            return base64.b64decode(r[3:]), r
        return None, r

    def close(self):
        self.s.close()


def pmem_count(q, path, needle, ram, chunk=256 << 20):
    """Occurrences of @needle in QMP pmemsave's dump of guest physical
    memory [0, @ram), in @chunk pieces through the file @path (removed).
    A needle across two pieces is missed: give a needle that is also
    found whole (repeated, or aligned)."""
    n = 0
    for off in range(0, ram, chunk):
        q.ok("pmemsave", val=off, size=min(chunk, ram - off), filename=path)
        with open(path, "rb") as f:
            n += f.read().count(needle)
    os.unlink(path)
    return n
