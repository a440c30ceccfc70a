#!/bin/sh
# /init of the hostile-host suite's guests (tests/hostile/README.rst).
#
# Keeps two secrets in guest memory and touches them every second:
#  - a literal of the initramfs: /secret, written by the test;
#  - one assembled at run time, in no file the host has: the sha256 of
#    "hostile-" and the boot's token (the token comes on the kernel command
#    line, which a protected guest has in its encrypted image).  It is the
#    host name, so it also sits in the kernel's own data.
# Each second prints "HOSTILE: tick N ok", or "changed" when either secret
# in memory differs from what the guest keeps: a host write shows up.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

token=none plant= plant_mib= dma= net=
for arg in $(cat /proc/cmdline); do
    case $arg in
    qemu_ibm_cc.token=*) token=${arg#*=} ;;
    qemu_ibm_cc.dma=*) dma=${arg#*=} ;;
    qemu_ibm_cc.net=*) net=${arg#*=} ;;
    qemu_ibm_cc.plant=*) plant=${arg#*=} ;;
    qemu_ibm_cc.plant_mib=*) plant_mib=${arg#*=} ;;
    esac
done
echo "HOSTILE: token=$token prot_virt_guest=$(cat /sys/firmware/uv/prot_virt_guest 2>/dev/null || echo none) svm=$(cat /sys/devices/system/cpu/svm 2>/dev/null || echo none)"

# Bytes the host planted in guest RAM before boot, read back through
# /proc/kcore (RAM at its physical address plus kcore's header, well
# under 1 MiB): are they still there?
if [ -n "$plant" ]; then
    n=$(dd if=/proc/kcore bs=1M skip="$plant_mib" count=2 2>/dev/null |
        tr '\000' '\n' | grep -c -F "$plant")
    echo "HOSTILE: planted=$n"
fi

# Device DMA: read the first 16 KiB of the virtio disk (the driver is in
# /mod when the test wants this).
if [ -n "$dma" ]; then
    # all in the background: a device that cannot reach its buffers
    # leaves the driver's first read (even insmod's) waiting for ever
    (
        for m in /mod/*.ko.xz; do
            unxz -c "$m" > /tmp/m.ko && insmod /tmp/m.ko
        done
        sleep 1
        dd if=/dev/vda bs=4096 count=4 2>/dev/null | sha256sum >/tmp/vda
    ) &
    i=0
    while [ ! -s /tmp/vda ] && [ $i -lt 20 ]; do
        sleep 1
        i=$((i + 1))
    done
    echo "HOSTILE: vda $(cat /tmp/vda 2>/dev/null || echo none)"
fi

# Device DMA over virtio-net (a built-in virtio-blk driver would read
# its disk before /init runs): fetch the host's page through slirp.
if [ -n "$net" ]; then
    (
        ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 &&
            wget -q -O /tmp/net http://10.0.2.100/
    ) &
    i=0
    while [ ! -s /tmp/net ] && [ $i -lt 20 ]; do
        sleep 1
        i=$((i + 1))
    done
    echo "HOSTILE: net [$(cat /tmp/net 2>/dev/null)]"
fi

lit=$(cat /secret)
s2=$(echo "hostile-$token" | sha256sum)
s2=${s2%% *}
hostname "$s2"
echo "HOSTILE: ready"
n=0
while :; do
    n=$((n + 1))
    state=ok
    [ "$(cat /secret)" = "$lit" ] || state=changed
    [ "$(hostname)" = "$s2" ] || state=changed
    echo "HOSTILE: tick $n $state"
    sleep 1
done
