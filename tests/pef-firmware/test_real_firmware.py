#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""IBM's own ultravisor and the skiboot that starts it, unmodified, on
powernv9,pef=on (make check-firmware; not part of make check).

The project neither fetches nor builds these images: build them by hand
(docs/system/ppc/pef-tcg.rst, "Ultravisor firmware") and name them:

  PEF_UV_LID=.../ultravisor/ultra.lid        open-power/ultravisor (main)
  PEF_UV_SKIBOOT=.../skiboot/skiboot.lid     qemu/skiboot, branch ultravisor

Without both, every test reports SKIP.  Each test boots the
CONFIG_PPC_UV host kernel (scripts/build-kernel.sh ppc64le-pef-host) with
-machine powernv9,pef=on,uv-firmware=$PEF_UV_LID -bios $PEF_UV_SKIBOOT,
the initramfs and checks of tests/pef-boot (its /init hook prints the
ultravisor's message log, the kernel's PATE lines and runs one KVM-HV
guest), and asks QMP query-pef-uv while the host runs.  Checked: skiboot
started the ultravisor at the secure base, /sys/firmware/ultravisor/msglog
is the real ultravisor's log (its banner, the chip's DD2.3 level), the
host registered its partition-table entries through it, KVM ran its guest,
and the machine reports external mode with that image.

  tests/pef-firmware/test_real_firmware.py [-k SUBSTRING] [--list]
"""

import json
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pef-boot"))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
import test_pef_host as host  # noqa: E402

UV_LID = os.environ.get("PEF_UV_LID", "")
UV_SKIBOOT = os.environ.get("PEF_UV_SKIBOOT", "")

# What the real firmware prints (open-power/ultravisor core/init.c,
# core/xscom.c; qemu/skiboot branch ultravisor hw/ultravisor.c); none of
# it comes from this project.
SKIBOOT_STARTS_UV = "UV: Starting Ultravisor at 0x1000000000000"
UV_BANNER = re.compile(r"ULTRA \S+ starting")
UV_DD23 = "P9 DD2.30 detected"

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def need_images():
    missing = [n for n, v in (("PEF_UV_LID", UV_LID),
                              ("PEF_UV_SKIBOOT", UV_SKIBOOT))
               if not v or not os.path.isfile(v)]
    if missing:
        raise guest.Skip("%s not set to an image (docs/system/ppc/"
                         "pef-tcg.rst, \"Ultravisor firmware\")"
                         % " and ".join(missing))


def qmp(path, command):
    """One QMP command on the unix socket @path; its return value."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rw")
    f.readline()                            # greeting
    for cmd in ({"execute": "qmp_capabilities"}, {"execute": command}):
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                break
    s.close()
    if "error" in r:
        raise AssertionError("QMP %s: %s" % (command, r["error"]))
    return r["return"]


def real_boot(name, smp, append_extra=""):
    need_images()
    sock = os.path.join(guest.LOGDIR, name + ".qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    info = {}

    def on_marker(g):
        for _ in range(50):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        info.update(qmp(sock, "query-pef-uv"))

    b = host.pef_boot(name, "powernv9,pef=on,uv-firmware=" + UV_LID,
                      append_extra,
                      extra_args=["-bios", UV_SKIBOOT, "-smp", smp,
                                  "-qmp", "unix:%s,server=on,wait=off"
                                  % sock],
                      on_marker=on_marker)
    host.check_common(b, "POWER9")
    b.expect(SKIBOOT_STARTS_UV in b.text,
             "skiboot did not start the ultravisor ('%s')"
             % SKIBOOT_STARTS_UV)
    b.expect(b.fields.get("ultravisor") == "present",
             "no /sys/firmware/ultravisor")
    log = b.section("msglog")
    b.expect(UV_BANNER.search(log) is not None,
             "msglog is not the ultravisor's (no 'ULTRA ... starting')", log)
    b.expect(host.UV_LOG_BANNER not in log,
             "msglog is the built-in ultravisor's", log)
    b.expect(UV_DD23 in log, "the ultravisor did not see DD2.3", log)
    before = b.section("dmesg-before-kvm")
    b.expect(host.PATE_LINE in before,
             "no '%s' line at boot" % host.PATE_LINE, before)
    b.expect(host.UVMEM_SIZE in before, "no '%s'" % host.UVMEM_SIZE,
             before)
    b.expect(not b.ucalls(), "the built-in ultravisor handled ultracalls")
    b.expect(info.get("mode") == "external" and
             info.get("firmware") == UV_LID,
             "query-pef-uv: %r, expected mode external, firmware %s"
             % (info, UV_LID))
    return b


@test
def real_uv_powernv9_one_core():
    """1 core, the host's default (hash) MMU."""
    b = real_boot("pef-firmware-powernv9-1core", "1")
    return b.secs, "mmu=%s" % b.fields.get("mmu")


@test
def real_uv_powernv9_2cores_4threads():
    """2 cores x 4 threads, radix host (disable_radix=no)."""
    b = real_boot("pef-firmware-powernv9-2c4t", "8,cores=2,threads=4",
                  "disable_radix=no")
    b.expect("smp: Brought up 1 node, 8 CPUs" in b.text,
             "the host did not bring up 8 CPUs")
    b.expect(b.fields.get("mmu") == "Radix",
             "host MMU is %s, expected Radix" % b.fields.get("mmu"))
    return b.secs, "8 CPUs, mmu=Radix"


def main():
    return guest.run_tests(TESTS, console_lines=25)


if __name__ == "__main__":
    sys.exit(main())
