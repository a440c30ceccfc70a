# SPDX-License-Identifier: GPL-2.0-or-later
"""The TAP runner shared by the tests/se-boot scripts."""

import sys


class SkipTest(Exception):
    pass


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def run(tests, check=None):
    """Run [(description, function)] as TAP; 1 if any failed, else 0.

    check(i), if given, runs before test i and may raise to fail it.
    """
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for i, (desc, fn) in enumerate(tests, 1):
        try:
            if check:
                check(i)
            fn()
            print("ok %d - %s" % (i, desc))
        except SkipTest as e:
            print("ok %d - %s # SKIP %s" % (i, desc, e))
        except Exception as e:  # noqa: BLE001 - report any failure as TAP
            failed += 1
            print("not ok %d - %s" % (i, desc))
            log("%s: %s" % (type(e).__name__, e))
        sys.stdout.flush()
    return 1 if failed else 0
