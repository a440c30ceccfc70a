#!/usr/bin/python3
"""The demo: boot a Debian guest on our QEMU and show its console live.

  tests/boot/demo.py [s390x-se|s390x|powernv9|powernv|pef]  default: s390x-se

pef: skiboot + our CONFIG_PPC_UV host kernel (make kernels) on
powernv9,pef=on with the built-in ultravisor; the host prints the
ultravisor's message log and runs a KVM guest; ucalls are traced.

s390x-se: IBM Z Secure Execution under TCG.  Makes a test host key
(scripts/mk-test-host-key.sh), packs the Debian s390x kernel, a busybox
initramfs and a command line into an SE image with build/tools/mk-se-image,
and boots it as a protected guest on the emulated ultravisor; /init reads
/sys/firmware/uv/prot_virt_guest.

Prints the commands it runs, streams the guest console, and ends with a
summary of what init reported.  Exit status 0 only if init was reached
(and, for s390x-se, the guest is protected).
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402


def se_demo_argv(token):
    """Key, SE image and QEMU command line of the protected s390x demo."""
    out = os.path.join(guest.BUILD, "demo")
    keydir = os.path.join(out, "keys")
    mkkey = os.path.join(guest.TOP, "scripts", "mk-test-host-key.sh")
    mkse = os.path.join(guest.BUILD, "tools", "mk-se-image")
    os.makedirs(out, exist_ok=True)
    cmd = [mkkey, keydir, "demo-host"]
    print("=== %s" % " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    parm = os.path.join(out, "parmfile")
    with open(parm, "w") as f:
        f.write("console=ttysclp0 panic=-1 qemu_ibm_cc.token=%s\n" % token)
    img = os.path.join(out, "debian-s390x-se.img")
    cmd = [mkse, "--no-verify", "-k", os.path.join(keydir, "demo-host.crt"),
           "-i", guest.fixture("s390x", "vmlinuz"),
           "-r", guest.initramfs("s390x"), "-p", parm, "-o", img]
    print("=== %s" % " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return [os.path.join(guest.BUILD, "qemu-system-s390x"),
            "-machine", "s390-ccw-virtio,confidential-guest-support=pv0",
            "-object", "s390-pv-guest,id=pv0,host-key=%s"
            % os.path.join(keydir, "demo-host.key"),
            "-m", "1G", "-nographic", "-no-reboot", "-kernel", img]


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "s390x-se"
    token = guest.new_token()
    if which == "s390x-se":
        title = ("Debian s390x Linux as an IBM Z Secure Execution guest "
                 "(TCG, emulated ultravisor)")
        argv = se_demo_argv(token)
        name = "demo-s390x-se"
    else:
        if which == "s390x":
            cfg = guest.s390x_ccw(os.path.join(guest.BUILD,
                                               "qemu-system-s390x"),
                                  name="demo-s390x")
            title = "Debian s390x Linux on s390-ccw-virtio (TCG)"
        elif which in ("powernv9", "powernv", "powernv10"):
            cfg = guest.powernv(os.path.join(guest.BUILD, "qemu-system-ppc64"),
                                which, name="demo-" + which)
            title = "skiboot + Debian ppc64el Linux on %s (TCG)" % which
        elif which == "pef":
            sys.path.insert(0, os.path.join(guest.TOP, "tests", "pef-boot"))
            import test_pef_host
            cfg = guest.powernv(os.path.join(guest.BUILD, "qemu-system-ppc64"),
                                "powernv9,pef=on", name="demo-pef")
            cfg["kernel"] = guest.custom_kernel("ppc64le-pef-host")
            cfg["initrd"] = test_pef_host.initramfs()
            cfg["machine_args"] += ["-trace", "uv_pef_ucall*"]
            title = ("skiboot + a UV-aware Linux host on powernv9,pef=on "
                     "(TCG, built-in ultravisor)")
        else:
            sys.exit("demo.py: unknown guest '%s' (s390x-se, s390x, powernv9, "
                     "powernv, pef)" % which)
        argv = ([cfg["qemu"]] + cfg["machine_args"] +
                ["-nographic", "-no-reboot", "-kernel", cfg["kernel"],
                 "-initrd", cfg["initrd"], "-append",
                 "%s qemu_ibm_cc.token=%s" % (cfg["append"], token)])
        name = cfg["name"]
    print("=== demo: %s" % title)
    print("=== %s" % " ".join(argv), flush=True)
    g = guest.Guest(name, argv).start()
    shown = 0
    try:
        # Stream the console while waiting for init to finish.
        while True:
            g._pump(0.2)
            text = g.text()
            sys.stdout.write(text[shown:])
            sys.stdout.flush()
            shown = len(text)
            if re.search(re.escape(guest.MARKER) + r" done\r?\n", text):
                break
            if g.proc.poll() is not None or g.elapsed() > 600:
                break
        secs = g.elapsed()
        g.wait_exit(60)
        text = g.text()
        sys.stdout.write(text[shown:])
    finally:
        g.stop()
        g.save_console()

    fields = {}
    for line in re.findall(re.escape(guest.MARKER) + r"(.*)", text):
        fields.update(re.findall(r"(\w+)=(\S+)", line))
    ok = fields.get("token") == token
    if which == "s390x-se" and fields.get("prot_virt_guest") != "1":
        ok = False
    if which == "pef" and fields.get("ultravisor") != "present":
        ok = False
    print()
    print("=== summary")
    if ok:
        print("    %s reached init in %.1f s: %s"
              % (os.path.basename(argv[0]), secs,
                 " ".join("%s=%s" % kv for kv in fields.items()
                          if kv[0] != "token")))
        print("    console kept in %s" % g.console_path)
        return 0
    print("    the guest did NOT reach init; console kept in %s"
          % g.console_path)
    return 1


if __name__ == "__main__":
    sys.exit(main())
