#!/bin/sh
# /test-hook.sh of the L1 host of the nested PEF test
# (tests/pef-nested/test_nested.py), run by the common /init
# (tests/fixtures/init/marker.sh) after its marker lines and before "done"
# and power-off.
#
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Starts one L2 guest with Debian's qemu-system-ppc64 (-accel kvm, pseries)
# on /l2/vmlinux + /l2/initrd.cpio.gz; the L2's console is this console.
# The L2's own /init prints the marker with the token given here as
# pef_nested.l2_token=..., then powers off; this script then prints the VMM's
# exit status, so the test sees that L1 outlived its L2.  Lines between
# "PEF-NESTED: <name>-begin" / "-end".
#
# pef_nested.l2_svm=1: the L2 is a Secure VM (pef-guest).
# pef_nested.l2_reboots=N: the L2 may reboot (no -no-reboot); once it has
# printed "PEF-NESTED-L2: reboot" N + 1 times its VMM is told to quit.
# pef_nested.l2_needle=RE: once the L2 prints "PEF-NESTED-L2: hold" (it
# holds its secret, tests/pef-nested/test_nested.py), all its RAM is
# dumped through the VMM's monitor (pmemsave) and the lines matching RE
# counted ("PEF-NESTED: l2-dump ... needle=N").  RE is the secret with
# each character bracketed, so L1's own memory holds no copy of it.
set -f
l2_token=none
l2_timeout=3600
l2_mem=512M
l2_machine=pseries
l2_svm=0
l2_smp=1
l2_reboots=0
l2_needle=
for arg in $(cat /proc/cmdline); do
    case $arg in
    pef_nested.l2_token=*) l2_token=${arg#pef_nested.l2_token=} ;;
    pef_nested.l2_timeout=*) l2_timeout=${arg#pef_nested.l2_timeout=} ;;
    pef_nested.l2_mem=*) l2_mem=${arg#pef_nested.l2_mem=} ;;
    pef_nested.l2_machine=*) l2_machine=${arg#pef_nested.l2_machine=} ;;
    pef_nested.l2_svm=*) l2_svm=${arg#pef_nested.l2_svm=} ;;
    pef_nested.l2_smp=*) l2_smp=${arg#pef_nested.l2_smp=} ;;
    pef_nested.l2_reboots=*) l2_reboots=${arg#pef_nested.l2_reboots=} ;;
    pef_nested.l2_needle=*) l2_needle=${arg#pef_nested.l2_needle=} ;;
    esac
done
mmu=$(sed -n 's/^MMU[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
[ -n "$mmu" ] && echo "QEMU-IBM-CC-INIT: mmu=$mmu"
page=$(sed -n 's/^KernelPageSize: *\([0-9]*\) kB/\1K/p' /proc/self/smaps | head -n 1)
echo "QEMU-IBM-CC-INIT: pagesize=${page:-unknown}"

echo "PEF-NESTED: vmm-version-begin"
/usr/bin/qemu-system-ppc64 --version 2>&1
echo "PEF-NESTED: vmm-version-status=$?"
echo "PEF-NESTED: vmm-version-end"

# The size of file $1 (0 if there is none)
size_of() {
    set -- $(ls -ln "$1" 2>/dev/null)
    echo "${5:-0}"
}

# The L2's RAM as its VMM can read it, while the L2 holds its secret.  The
# VMM runs in /tmp: an HMP file name must not start with "/", which would
# continue the size's expression.
l2_dump() { # bytes
    while ! grep -q "PEF-NESTED-L2: hold" /tmp/l2.console; do
        sleep 0.5
    done
    echo "PEF-NESTED: l2-dump pmemsave"
    echo "pmemsave 0 $1 l2.mem" >/tmp/mon.in
    while [ "$(size_of /tmp/l2.mem)" -lt "$1" ]; do
        sleep 0.5
    done
    sleep 1
    echo "PEF-NESTED: l2-dump grep"
    echo "PEF-NESTED: l2-dump bytes=$(size_of /tmp/l2.mem)" \
        "needle=$(grep -c -e "$l2_needle" /tmp/l2.mem)"
    rm -f /tmp/l2.mem
}

# The VMM quits once the L2 has rebooted its N-th time
l2_quit_after() { # reboots
    while [ "$(grep -c "PEF-NESTED-L2: reboot" /tmp/l2.console)" -lt "$1" ]
    do
        sleep 0.5
    done
    echo "PEF-NESTED: l2-reboots=$1, quit"
    echo "quit" >/tmp/mon.in
}

echo "PEF-NESTED: l2-begin"
if [ -e /dev/kvm ]; then
    # kernel-irqchip=off: the interrupt controller is QEMU's, as the L1
    # kernel has no KVM_XICS (tests/fixtures/kernel/ppc64le-pef-host.config).
    # The cap-* settings: the host KVM reports what the (emulated) hardware
    # and skiboot advertise, and the powernv machines advertise none of the
    # speculation fixes nor the count-cache-flush assist, nor (POWER10) a
    # second DAWR, so pseries' defaults are refused ("Requested safe cache
    # capability level not supported by KVM", "DAWR1 not supported by KVM").
    # -vga none: pseries has a VGA by default, even with -nographic.
    # A Secure VM (pef_nested.l2_svm=1): pef-guest, and the command line
    # its ESM blob was made for (/l2/bootargs, the L2 token in it).
    append="console=hvc0 panic=-1 qemu_ibm_cc.token=$l2_token"
    set --
    if [ "$l2_svm" = 1 ]; then
        # a failed Enter Secure Mode ends in ibm,os-term: a failed VMM
        append=$(cat /l2/bootargs)
        set -- -machine confidential-guest-support=pef0 \
            -object pef-guest,id=pef0 -action panic=exit-failure
    fi
    reboot=-no-reboot
    if [ -n "$l2_needle" ] || [ "$l2_reboots" -gt 0 ]; then
        # the console is also logged, the monitor is on /tmp/mon.{in,out}
        rm -f /tmp/mon.in /tmp/mon.out /tmp/l2.console
        mkfifo /tmp/mon.in /tmp/mon.out
        : >/tmp/l2.console
        set -- "$@" -chardev stdio,id=con0,signal=off,logfile=/tmp/l2.console \
            -serial chardev:con0 -monitor none \
            -chardev pipe,id=mon0,path=/tmp/mon -mon chardev=mon0,mode=readline
        cat /tmp/mon.out >/tmp/mon.log &
        cd /tmp
    fi
    if [ -n "$l2_needle" ]; then
        # the L2 holds (a Secure VM's command line has it already, measured)
        [ "$l2_svm" = 1 ] || append="$append pef_nested.hold=1"
        l2_dump $(( ${l2_mem%M} << 20 )) &
    fi
    if [ "$l2_reboots" -gt 0 ]; then
        reboot=
        l2_quit_after $((l2_reboots + 1)) &
    fi
    timeout "$l2_timeout" /usr/bin/qemu-system-ppc64 \
        -accel kvm -machine "$l2_machine" -machine kernel-irqchip=off \
        -machine cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-dawr1=off \
        "$@" \
        -smp "$l2_smp" -m "$l2_mem" -nographic -vga none -net none $reboot \
        -kernel /l2/vmlinux -initrd /l2/initrd.cpio.gz -append "$append"
    echo "PEF-NESTED: l2-vmm-status=$?"
else
    echo "PEF-NESTED: no /dev/kvm"
fi
echo "PEF-NESTED: l2-end"
echo "PEF-NESTED: dmesg-kvm-begin"
dmesg | grep -i -e kvm -e ultravisor | tail -n 20
echo "PEF-NESTED: dmesg-kvm-end"
echo "PEF-NESTED: l1-alive after-l2 uptime=$(cut -d' ' -f1 /proc/uptime)"
