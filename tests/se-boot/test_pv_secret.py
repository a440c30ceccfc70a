#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Secrets of an IBM Z Secure Execution guest under TCG, end to end.

On the host, build/tools/se-secret creates add-secret requests (IBM's
pvsecret format) for the machine's host key and the guest's SE image; a
protected guest (an SE image of the Debian kernel whose busybox /init loads
Debian's uvdevice module) adds each one through /dev/uv with
build/tools/se-secret-guest (Add Secret, UVC 0x1031), lists the store
(0x1033), locks it (0x1034), and finally has its secret store attested
(se-attest-guest, additional data secret-store-hash).  QEMU is the
ASan/UBSan build when there is one.

 1. An association, a plaintext and a meta secret are added; the list
    shows the first two with their ids (SHA-256 of the names), types and
    lengths, and not the meta secret.
 2. Refused with the rc s390-tools decodes: a request for another image
    (0x010c), for another machine's host key (0x0108), with another
    extension secret than the first request's (0x010c), altered in transit
    (0x0108), bound to another instance's configuration id, as a request
    replayed from an earlier boot would be (0x010c).
 3. 64 association secrets fit; the 65th is refused: store full (0x010b).
 4. After lock, adding (and locking again) is refused (0x0102); the list
    is unchanged.
 5. The attested secret-store hash is SHA-512 over the tags of exactly the
    requests the guest added, in order, and the locked byte.
 6. An image made with --enable-cck-extension-secret and
    --enable-cck-update (SCF bits 1, 2): a request with the extension
    secret derived from the image's CCK is added, one without it is not;
    after an update-CCK secret only the new CCK's derivation is accepted;
    a request for the other image is refused.

  tests/se-boot/test_pv_secret.py [-v]
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

OUT = os.path.join(guest.BUILD, "se-boot", "secret")
pv.OUT = os.path.join(OUT, "pv")
SESEC = os.path.join(guest.BUILD, "tools", "se-secret")
SESEC_GUEST = os.path.join(guest.BUILD, "tools", "se-secret-guest")
SEATT = os.path.join(guest.BUILD, "tools", "se-attest")
SEATT_GUEST = os.path.join(guest.BUILD, "tools", "se-attest-guest")
SLOT = 16384            # one request per slot of the exchange disk
FILL = 63               # association secrets after the first: 64 in all

# Requests 0..LOCK_AT-1 are added before the lock, the rest after it; the
# attestation request is the last slot, its response goes after it.
SECRET_INIT = pv.INIT_PRELUDE + """sleep 1
echo "SECRET: prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest)"
n=$(sed -n 's/.*secret.n=\\([0-9]*\\).*/\\1/p' /proc/cmdline)
lock=$(sed -n 's/.*secret.lock=\\([0-9]*\\).*/\\1/p' /proc/cmdline)
i=0
while [ "$i" -lt "$n" ]; do
    if [ "$i" = "$lock" ]; then
        se-secret-guest list | sed "s/^/SECRET: list1: /"
        se-secret-guest lock > /tmp/out 2>&1
        echo "SECRET: lock status=$? $(cat /tmp/out)"
    fi
    dd if=/dev/vda of=/tmp/req bs=%(slot)d skip=$i count=1 2>/dev/null
    se-secret-guest add /tmp/req > /tmp/out 2>&1
    echo "SECRET: $i status=$? $(cat /tmp/out)"
    i=$((i + 1))
done
se-secret-guest lock > /tmp/out 2>&1
echo "SECRET: lock2 status=$? $(cat /tmp/out)"
se-secret-guest list | sed "s/^/SECRET: list2: /"
dd if=/dev/vda of=/tmp/areq bs=%(slot)d skip=$n count=1 2>/dev/null
se-attest-guest /tmp/areq /tmp/arsp > /tmp/out 2>&1
echo "SECRET: attest status=$? $(cat /tmp/out)"
dd if=/tmp/arsp of=/dev/vda bs=%(slot)d seek=$((n + 1)) conv=notrunc \\
    2>/dev/null
sync
echo "SECRET: done"
poweroff -f
""" % {"slot": SLOT}


def run(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode:
        raise AssertionError("%s: %s" % (" ".join(argv), r.stderr))
    return r.stdout


def sha256(name):
    return hashlib.sha256(name.encode()).hexdigest()


def setup():
    for tool in (SESEC, SESEC_GUEST, SEATT, SEATT_GUEST):
        if not os.access(tool, os.X_OK):
            raise SkipTest("no %s (make core)" % tool)
    os.makedirs(OUT, exist_ok=True)
    key, hkd = pv.host_key("host")
    _, other_hkd = pv.host_key("other")
    initrd = uvio.initramfs(OUT, "secret", SECRET_INIT,
                            [SESEC_GUEST + ":/bin/se-secret-guest",
                             SEATT_GUEST + ":/bin/se-attest-guest"])

    def f(name, data):
        p = os.path.join(OUT, name)
        with open(p, "wb") as o:
            o.write(data)
        return p

    plain = f("plain.secret", b"qemu-ibm-cc plaintext secret")
    ext2 = f("ext2", b"\x42" * 32)
    # The image's parameters name the request count; both are fixed first.
    reqs = []           # (name, file, expected: "ok" or the rc)
    n_total = 8 + FILL + 1 + 1
    lock_at = n_total - 1
    cmdline = "console=ttysclp0 secret.n=%d secret.lock=%d" % (n_total,
                                                                lock_at)
    img, _ = pv.se_image("secret", hkd, cmdline, initrd)
    other_img, _ = pv.se_image("secret-other", hkd, cmdline + " x", initrd)

    def req(name, expect, *args, hkd_=None, hdr=None):
        out = os.path.join(OUT, name + ".asrcb")
        run([SESEC, "create", "-k", hkd_ or hkd, "--hdr", hdr or img,
             "-o", out] + list(args))
        reqs.append((name, out, expect))
        return out

    req("assoc", "ok", "association", "assoc-one")
    req("plain", "ok", "retrievable", "plain-one", "--type", "plain",
        "--secret", plain)
    req("meta", "ok", "--flags", "disable-dump", "meta")
    req("other-image", "0x010c", "association", "x", hdr=other_img)
    req("other-key", "0x0108", "association", "x", hkd_=other_hkd)
    req("other-ext", "0x010c", "--extension-secret", ext2, "association",
        "x")
    altered = req("altered", "0x0108", "association", "x")
    with open(altered, "r+b") as o:
        o.seek(0x300)                    # in the authenticated user data
        o.write(b"\x01")
    req("other-instance", "0x010c", "--cuid-hex", "0x" + "5a" * 16,
        "association", "x")
    for i in range(FILL):
        req("fill%d" % i, "ok", "association", "fill-%d" % i)
    req("full", "0x010b", "association", "one-too-many")
    req("after-lock", "0x0102", "association", "late")
    assert len(reqs) == n_total
    areq = os.path.join(OUT, "attest.req")
    arpk = os.path.join(OUT, "attest.arpk")
    run([SEATT, "create", "-k", hkd, "-a", arpk, "-o", areq, "--add-data",
         "secret-store-hash"])

    text, arsp = boot("secret", key, img, [r[1] for r in reqs] + [areq],
                      n_total)
    return dict(reqs=reqs, text=text, img=img, arsp=arsp, arpk=arpk,
                key=key, hkd=hkd, initrd=initrd)


def boot(name, key, img, files, n):
    """Boot @img with @files on the exchange disk; (console, response)."""
    vda = uvio.exchange_disk(os.path.join(OUT, name + ".raw"), files, SLOT,
                             1)
    text = uvio.boot("se-pv-" + name, key, img, vda, "SECRET")
    arsp = os.path.join(OUT, name + ".rsp")
    with open(arsp, "wb") as o:
        o.write(uvio.read_slots(vda, SLOT, n + 1, 1)[0])
    return text, arsp


STATE = {}


def state():
    if "s" not in STATE:
        STATE["s"] = setup()
    return STATE["s"]


def outcome(i):
    m = re.search(r"SECRET: %d status=(\d+) (.*)" % i, state()["text"])
    if not m:
        raise AssertionError("request %d: no outcome in the console" % i)
    if m.group(1) == "0":
        return "ok"
    rc = re.search(r": rc (0x[0-9a-f]{4})", m.group(2))
    return rc.group(1) if rc else "exit %s: %s" % m.groups()


def check(first, last):
    for i in range(first, last):
        name, _, want = state()["reqs"][i]
        got = outcome(i)
        log("%-16s %s" % (name, got))
        if got != want:
            raise AssertionError("request %s: %s, expected %s"
                                 % (name, got, want))


def listing(tag):
    lines = re.findall(r"SECRET: %s: (.*)" % tag, state()["text"])
    if not lines or not lines[0].startswith("total "):
        raise AssertionError("no %s in the console" % tag)
    return lines


def t_add_list():
    check(0, 3)
    lines = listing("list1")
    want = ["0 0x0002 32 " + sha256("assoc-one"),
            "1 0x0003 32 " + sha256("plain-one")]
    if lines[1:3] != want:
        raise AssertionError("list: %r, expected %r" % (lines[1:3], want))
    if any(sha256("x") in ln for ln in lines):
        raise AssertionError("a refused request's secret is listed")


def t_refused():
    check(3, 8)


def t_full():
    check(8, 8 + FILL + 1)
    lines = listing("list1")
    if lines[0] != "total %d" % (2 + FILL):
        raise AssertionError("before lock: %r, expected total %d"
                             % (lines[0], 2 + FILL))


def t_lock():
    m = re.search(r"SECRET: lock status=(\d+)", state()["text"])
    if not m or m.group(1) != "0":
        raise AssertionError("lock failed: %r" % (m and m.group(0)))
    check(len(state()["reqs"]) - 1, len(state()["reqs"]))
    m = re.search(r"SECRET: lock2 status=(\d+) .*?: rc (0x[0-9a-f]{4})",
                  state()["text"])
    if not m or m.groups() != ("2", "0x0102"):
        raise AssertionError("second lock: %r" % (m and m.group(0)))
    if listing("list2") != listing("list1"):
        raise AssertionError("the list changed after the lock")


def t_store_hash():
    s = state()
    m = re.search(r"SECRET: attest status=(\d+)", s["text"])
    if not m or m.group(1) != "0":
        raise AssertionError("attestation in the guest failed")
    out = subprocess.run([SEATT, "verify", "-i", s["arsp"], "-a", s["arpk"],
                          "--hdr", s["img"]], capture_output=True, text=True)
    if out.returncode:
        raise AssertionError("verify: " + out.stdout + out.stderr)
    got = re.search(r"secret-store-hash: (\S+)", out.stdout).group(1)
    h = hashlib.sha512()
    for i, (name, path, want) in enumerate(s["reqs"]):
        if want == "ok":
            with open(path, "rb") as f:
                h.update(f.read()[-16:])
    h.update(b"\x01")
    if got != h.hexdigest():
        raise AssertionError("secret-store hash %s, expected %s"
                             % (got, h.hexdigest()))
    log("secret-store hash %s... matches the %d added requests, locked"
        % (got[:16], sum(1 for r in s["reqs"] if r[2] == "ok")))


def t_cck():
    """SCF bit 1: requests carry the extension secret derived from the CCK;
    SCF bit 2: an update-CCK secret replaces it."""
    s = state()
    cck = os.path.join(OUT, "cck")
    new_cck = os.path.join(OUT, "cck.new")
    with open(cck, "wb") as f:
        f.write(hashlib.sha256(b"cck").digest())
    with open(new_cck, "wb") as f:
        f.write(hashlib.sha256(b"cck, the next").digest())
    n = 6
    img, _ = pv.se_image("secret-cck", s["hkd"], "console=ttysclp0 "
                         "secret.n=%d secret.lock=%d" % (n, n), s["initrd"],
                         ["--comm-key", cck, "--enable-cck-extension-secret",
                          "--enable-cck-update"])
    reqs = []

    def req(name, want, *args, hdr=None):
        out = os.path.join(OUT, "cck-%s.asrcb" % name)
        run([SESEC, "create", "-k", s["hkd"], "--hdr", hdr or img, "-o",
             out] + list(args))
        reqs.append((name, out, want))

    req("derived", "ok", "--cck", cck, "association", "cck-one")
    req("no-extension", "0x010c", "association", "x")
    req("update", "ok", "--cck", cck, "update-cck", "--secret", new_cck)
    req("old-cck", "0x010c", "--cck", cck, "association", "x")
    req("new-cck", "ok", "--cck", new_cck, "association", "cck-two")
    req("plain-image", "0x010c", "--cck", new_cck, "association", "x",
        hdr=s["img"])
    assert len(reqs) == n
    text, _ = boot("secret-cck", s["key"], img, [r[1] for r in reqs], n)
    for i, (name, _, want) in enumerate(reqs):
        m = re.search(r"SECRET: %d status=(\d+) (.*)" % i, text)
        got = "ok" if m and m.group(1) == "0" else \
            (re.search(r": rc (0x[0-9a-f]{4})", m.group(2)).group(1)
             if m and "rc 0x" in m.group(2) else "missing")
        log("%-16s %s" % (name, got))
        if got != want:
            raise AssertionError("request %s: %s, expected %s"
                                 % (name, got, want))
    ids = re.findall(r"SECRET: list2: \d+ 0x0002 32 (\S+)", text)
    if ids != [sha256("cck-one"), sha256("cck-two")]:
        raise AssertionError("listed %r" % ids)


TESTS = [
    ("add an association, a plaintext and a meta secret; list them",
     t_add_list),
    ("refused: another image, host key, extension secret, altered, "
     "another instance", t_refused),
    ("64 association secrets fit, the 65th: store full (0x010b)", t_full),
    ("lock: no more adds, no second lock, the list unchanged", t_lock),
    ("attestation's secret-store hash covers exactly the added requests",
     t_store_hash),
    ("an image with SCF bits 1 and 2: the CCK-derived extension secret, "
     "CCK update", t_cck),
]


def main():
    pv.plain.load_consts()
    os.makedirs(pv.OUT, exist_ok=True)
    log(uvio.describe_qemu())
    return tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
