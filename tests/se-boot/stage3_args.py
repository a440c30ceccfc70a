# SPDX-License-Identifier: GPL-2.0-or-later
"""The constants of tools/mk-se-image/boot/stage3-args.h for Python tests.

The header is the one definition of our SE image layout, args blocks and
boot-loader error codes; the tests parse it instead of repeating numbers.
"""

import os
import re

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                      "tools", "mk-se-image", "boot", "stage3-args.h")

CONSTS = {}

_DEFINE = re.compile(r"^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b")


def load_consts(path=HEADER):
    """Read every '#define NAME number' of the header into CONSTS."""
    with open(path) as f:
        for line in f:
            m = _DEFINE.match(line.strip())
            if m:
                CONSTS[m.group(1)] = int(m.group(2), 0)


def C(name):
    return CONSTS[name]
