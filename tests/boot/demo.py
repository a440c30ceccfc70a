#!/usr/bin/python3
"""The demo: boot a Debian guest on our QEMU and show its console live.

  tests/boot/demo.py [s390x|powernv9|powernv]     default: s390x

Prints the command line it runs, streams the guest console, and ends with a
summary of what init reported.  Exit status 0 only if init was reached.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "s390x"
    if which == "s390x":
        cfg = guest.s390x_ccw(os.path.join(guest.BUILD, "qemu-system-s390x"),
                              name="demo-s390x")
        title = "Debian s390x Linux on s390-ccw-virtio (TCG)"
    elif which in ("powernv9", "powernv", "powernv10"):
        cfg = guest.powernv(os.path.join(guest.BUILD, "qemu-system-ppc64"),
                            which, name="demo-" + which)
        title = "skiboot + Debian ppc64el Linux on %s (TCG)" % which
    else:
        sys.exit("demo.py: unknown guest '%s' (s390x, powernv9, powernv)"
                 % which)

    token = guest.new_token()
    argv = ([cfg["qemu"]] + cfg["machine_args"] +
            ["-nographic", "-no-reboot", "-kernel", cfg["kernel"],
             "-initrd", cfg["initrd"], "-append",
             "%s qemu_ibm_cc.token=%s" % (cfg["append"], token)])
    print("=== demo: %s" % title)
    print("=== %s" % " ".join(argv), flush=True)
    g = guest.Guest(cfg["name"], argv).start()
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
    print()
    print("=== summary")
    if ok:
        print("    %s reached init in %.1f s: %s"
              % (os.path.basename(cfg["qemu"]), secs,
                 " ".join("%s=%s" % kv for kv in fields.items()
                          if kv[0] != "token")))
        print("    console kept in %s" % g.console_path)
        return 0
    print("    the guest did NOT reach init; console kept in %s"
          % g.console_path)
    return 1


if __name__ == "__main__":
    sys.exit(main())
