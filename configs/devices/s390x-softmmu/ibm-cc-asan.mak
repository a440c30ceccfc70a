# qemu-ibm-cc: devices of the ASan/UBSan test build (make qemu-asan,
# configured --without-default-devices).  It runs the Secure Execution
# bad-input tests: the s390-ccw-virtio machine, virtio-net and virtio-blk;
# and the hostile-host suite (--quick): the generic loader.
# Add what a new ASan test needs.

CONFIG_S390_CCW_VIRTIO=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_BLK=y
CONFIG_GENERIC_LOADER=y
