#!/bin/sh
# /test-hook.sh of the PEF host boot test (tests/pef-boot/test_pef_host.py),
# run by the common /init (tests/fixtures/init/marker.sh) after its marker
# lines (token, cpu, ultravisor=present) and before "done" and power-off.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Adds what the test checks: ultravisor=absent, the MMU, the ultravisor
# sysfs directory and message log, the kernel's ultravisor/PATE lines, and
# the result of one tiny KVM-HV guest (/bin/kvm-mini).  Every section sits
# between "PEF-BOOT: <name>-begin" / "-end" lines.
[ -d /sys/firmware/ultravisor ] ||
    echo "QEMU-IBM-CC-INIT: ultravisor=absent"
kvm_timeout=600
svm_pause=0
for arg in $(cat /proc/cmdline); do
    case $arg in
    pef_boot.kvm_timeout=*) kvm_timeout=${arg#pef_boot.kvm_timeout=} ;;
    pef_boot.svm_pause=*) svm_pause=${arg#pef_boot.svm_pause=} ;;
    esac
done
mmu=$(sed -n 's/^MMU[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
[ -n "$mmu" ] && echo "QEMU-IBM-CC-INIT: mmu=$mmu"

echo "PEF-BOOT: ls-ultravisor-begin"
ls /sys/firmware/ultravisor 2>&1
echo "PEF-BOOT: ls-ultravisor-end"

echo "PEF-BOOT: msglog-begin"
if [ -r /sys/firmware/ultravisor/msglog ]; then
    # The log may hold NUL padding: keep printable text only.
    head -c 4096 /sys/firmware/ultravisor/msglog | tr -d '\000' | head -n 20
    echo
else
    echo "(no readable /sys/firmware/ultravisor/msglog)"
fi
echo "PEF-BOOT: msglog-end"

echo "PEF-BOOT: dmesg-before-kvm-begin"
dmesg | grep -i -e ultravisor -e PATE -e KVMPPC-UVMEM
echo "PEF-BOOT: dmesg-before-kvm-end"

echo "PEF-BOOT: kvm-begin"
if [ -e /dev/kvm ]; then
    timeout "$kvm_timeout" /bin/kvm-mini
    echo "PEF-BOOT: kvm-mini-status=$?"
else
    echo "KVM-MINI FAIL no /dev/kvm"
fi
echo "PEF-BOOT: kvm-end"

# A guest that asks to become a Secure VM and takes the abort path (KVM
# runs secure guests on a radix host only)
echo "PEF-BOOT: kvm-esm-begin"
if [ -e /dev/kvm ] && [ -d /sys/firmware/ultravisor ] && [ "$mmu" = Radix ]
then
    timeout "$kvm_timeout" /bin/kvm-mini --esm
    echo "PEF-BOOT: kvm-esm-status=$?"
    tr -d '\000' < /sys/firmware/ultravisor/msglog | grep -e lpid
fi
echo "PEF-BOOT: kvm-esm-end"

# A Secure VM (svm-mini) through its whole life, when the test gave one
if [ -d /svm ] && [ -e /dev/kvm ] && [ "$mmu" = Radix ]; then
    for mode in ok tamper replay no-esm; do
        pause=0
        case $mode in ok|no-esm) pause=$svm_pause ;; esac
        echo "PEF-BOOT: svm-$mode-begin"
        timeout "$kvm_timeout" /bin/kvm-mini --svm /svm $mode $pause
        echo "PEF-BOOT: svm-$mode-status=$?"
        echo "PEF-BOOT: svm-$mode-end"
    done
    echo "PEF-BOOT: svm-msglog-begin"
    tr -d '\000' < /sys/firmware/ultravisor/msglog | grep -e lpid
    echo "PEF-BOOT: svm-msglog-end"
fi

echo "PEF-BOOT: dmesg-after-kvm-begin"
dmesg | grep -i -e ultravisor -e PATE -e KVMPPC-UVMEM -e kvm
echo "PEF-BOOT: dmesg-after-kvm-end"
