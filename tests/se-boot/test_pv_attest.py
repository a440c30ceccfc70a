#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Attestation of an IBM Z Secure Execution guest under TCG, end to end.

On the host, build/tools/se-attest creates attestation requests (pvattest's
exchange format) for the machine's host key; a protected guest (an SE image
of the Debian kernel whose busybox /init loads Debian's uvdevice module)
performs each one through /dev/uv with build/tools/se-attest-guest, which
issues Retrieve Attestation Measurement (UVC 0x1020) to QEMU's ultravisor;
the responses come back on a virtio disk and se-attest verify checks them
against the image's SE header.  QEMU is the ASan/UBSan build when there
is one.

 1. Round trip: two requests (with user data, both host-key hashes as
    additional data) verify; their configuration ids agree, the image
    host-key hash is the machine's key's.
 2. Verification fails for another image, for an altered measurement, for
    a response checked with another request's key (a replayed answer to a
    new nonce), for altered user data.
 3. A request for another machine's host key is refused by the ultravisor
    in the guest (rc 0x010c): the guest program says so.

  tests/se-boot/test_pv_attest.py [-v]
"""

import hashlib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "boot"))
import guest  # noqa: E402
import test_pv_boot as pv  # noqa: E402
import uvio_guest as uvio  # noqa: E402
from tap import SkipTest, log  # noqa: E402
import tap  # noqa: E402

OUT = os.path.join(guest.BUILD, "se-boot", "attest")
# Images and host keys in a directory of this script's own
pv.OUT = os.path.join(OUT, "pv")
SEATT = os.path.join(guest.BUILD, "tools", "se-attest")
SEATT_GUEST = os.path.join(guest.BUILD, "tools", "se-attest-guest")
# One disk (two would race for the names vda/vdb): n requests, one per
# 64 KiB slot, then room for their n responses
SLOT = 65536

ATTEST_INIT = pv.INIT_PRELUDE + """sleep 1
echo "ATTEST: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest)"
n=$(sed -n 's/.*attest.n=\\([0-9]*\\).*/\\1/p' /proc/cmdline)
i=0
while [ "$i" -lt "$n" ]; do
    dd if=/dev/vda of=/tmp/req bs=%(slot)d skip=$i count=1 2>/dev/null
    se-attest-guest /tmp/req /tmp/rsp /user-data > /tmp/out 2>&1
    st=$?
    sed "s/^/ATTEST: $i: /" /tmp/out
    echo "ATTEST: $i status=$st"
    [ $st = 0 ] && dd if=/tmp/rsp of=/dev/vda bs=%(slot)d seek=$((n + i)) \\
        conv=notrunc 2>/dev/null
    i=$((i + 1))
done
sync
echo "ATTEST: done"
poweroff -f
""" % {"slot": SLOT}

USER_DATA = b"qemu-ibm-cc attestation user data"


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def create(name, hkd, add_data=True):
    """A request for @hkd; (request file, arpk file)."""
    req = os.path.join(OUT, name + ".req")
    arpk = os.path.join(OUT, name + ".arpk")
    argv = [SEATT, "create", "-k", hkd, "-a", arpk, "-o", req]
    if add_data:
        argv += ["--add-data", "image-phkh,attestation-phkh"]
    r = run(argv)
    if r.returncode:
        raise AssertionError("se-attest create: " + r.stderr)
    return req, arpk


def phkh_of(hkd):
    """SHA-256 over the host key's X and Y, each padded to 80 bytes."""
    from cryptography import x509
    with open(hkd, "rb") as f:
        n = x509.load_pem_x509_certificate(f.read()).public_key() \
            .public_numbers()
    return hashlib.sha256(n.x.to_bytes(80, "big") +
                          n.y.to_bytes(80, "big")).hexdigest()


def verify(rsp, arpk, hdr):
    r = run([SEATT, "verify", "-i", rsp, "-a", arpk, "--hdr", hdr])
    return r.returncode, r.stdout + r.stderr


def setup():
    for tool in (SEATT, SEATT_GUEST):
        if not os.access(tool, os.X_OK):
            raise SkipTest("no %s (make core)" % tool)
    os.makedirs(OUT, exist_ok=True)
    key, hkd = pv.host_key("host")
    _, other_hkd = pv.host_key("other")
    user = os.path.join(OUT, "user-data")
    with open(user, "wb") as f:
        f.write(USER_DATA)
    initrd = uvio.initramfs(OUT, "attest", ATTEST_INIT,
                            [SEATT_GUEST + ":/bin/se-attest-guest",
                             user + ":/user-data"])
    reqs = [create("req0", hkd), create("req1", hkd),
            create("req-other", other_hkd)]
    img, _ = pv.se_image("attest", hkd, "console=ttysclp0 attest.n=%d"
                         % len(reqs), initrd)
    # another image: same kernel and initramfs, another command line
    other_img, _ = pv.se_image("attest-other", hkd, "console=ttysclp0 "
                               "attest.n=0", initrd)
    vda = uvio.exchange_disk(os.path.join(OUT, "exchange.raw"),
                             [r[0] for r in reqs], SLOT, len(reqs))
    text = uvio.boot("se-pv-attest", key, img, vda, "ATTEST")
    status = dict((int(i), int(st)) for i, st in
                  re.findall(r"ATTEST: (\d+) status=(\d+)", text))
    rsps = []
    for i, data in enumerate(uvio.read_slots(vda, SLOT, len(reqs),
                                             len(reqs))):
        rsp = os.path.join(OUT, "rsp%d" % i)
        with open(rsp, "wb") as o:
            o.write(data)
        rsps.append(rsp)
    return dict(reqs=reqs, rsps=rsps, status=status, text=text, img=img,
                other_img=other_img, hkd=hkd)


STATE = {}


def state():
    if "s" not in STATE:
        STATE["s"] = setup()
    return STATE["s"]


def t_round_trip():
    s = state()
    cuids = []
    for i in (0, 1):
        if s["status"].get(i) != 0:
            raise AssertionError("request %d: the guest's se-attest-guest "
                                 "exited %s" % (i, s["status"].get(i)))
        rc, out = verify(s["rsps"][i], s["reqs"][i][1], s["img"])
        log(out.strip())
        if rc != 0 or "attestation measurement verified" not in out:
            raise AssertionError("request %d did not verify (exit %d): %s"
                                 % (i, rc, out))
        cuids.append(re.search(r"config-uid: (\S+)", out).group(1))
        user = re.search(r"user-data: (\S+)", out)
        if not user or bytes.fromhex(user.group(1)) != USER_DATA:
            raise AssertionError("user data not in the response")
        phkh = re.search(r"image-phkh: (\S+)", out).group(1)
        att = re.search(r"attestation-phkh: (\S+)", out).group(1)
        if phkh != phkh_of(s["hkd"]) or att != phkh:
            raise AssertionError("host-key hashes %s / %s, expected the "
                                 "machine key's %s" % (phkh, att,
                                                       phkh_of(s["hkd"])))
    if cuids[0] != cuids[1]:
        raise AssertionError("configuration ids differ within one boot")


def flip(src, dst, off):
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data[off] ^= 1
    with open(dst, "wb") as f:
        f.write(data)


def t_refused():
    s = state()
    rsp, arpk = s["rsps"][0], s["reqs"][0][1]
    if verify(rsp, arpk, s["img"])[0] != 0:
        raise AssertionError("control: response 0 does not verify")
    # entries: arcb, measurement, additional, user (size u32, offset u32)
    with open(rsp, "rb") as f:
        hdr = f.read(0x40)
    meas_off = int.from_bytes(hdr[0x24:0x28], "big")
    user_off = int.from_bytes(hdr[0x34:0x38], "big")
    bad_meas = os.path.join(OUT, "rsp0-meas")
    flip(rsp, bad_meas, meas_off + 5)
    bad_user = os.path.join(OUT, "rsp0-user")
    flip(rsp, bad_user, user_off)
    cases = [
        ("another image", rsp, arpk, s["other_img"]),
        ("altered measurement", bad_meas, arpk, s["img"]),
        ("altered user data", bad_user, arpk, s["img"]),
        ("replayed: response 0 for request 1", rsp, s["reqs"][1][1],
         s["img"]),
    ]
    for what, r, k, img in cases:
        rc, out = verify(r, k, img)
        log("%-40s exit %d: %s" % (what, rc, out.strip().splitlines()[-1]))
        if rc != 2:
            raise AssertionError("%s: verify exit %d, expected 2 (%s)"
                                 % (what, rc, out))


def t_other_key():
    s = state()
    if s["status"].get(2) != 2:
        raise AssertionError("request for another host key: guest exit %s, "
                             "expected 2" % s["status"].get(2))
    if not re.search(r"ATTEST: 2: .*refused the request: rc 0x010c",
                     s["text"]):
        raise AssertionError("no 'refused ... rc 0x010c' from the guest")


TESTS = [
    ("attestation round trip through /dev/uv: two requests verify",
     t_round_trip),
    ("verification fails: another image, altered measurement or user data, "
     "a replayed response", t_refused),
    ("a request for another host key: the ultravisor refuses (rc 0x010c)",
     t_other_key),
]


def main():
    pv.plain.load_consts()
    os.makedirs(pv.OUT, exist_ok=True)
    log(uvio.describe_qemu())
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
