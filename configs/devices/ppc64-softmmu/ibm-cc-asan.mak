# qemu-ibm-cc: devices of the ASan/UBSan test build (make qemu-asan,
# configured --without-default-devices).  It runs the PEF tests on the
# powernv machines and Secure VMs on pseries, so it builds those machines
# and what they select, not every ppc board and device; and the generic
# loader of the hostile-host suite (--quick).  Add what a new ASan test
# needs.

CONFIG_POWERNV=y
# POWERNV selects PCA9554, which depends on (rather than selects) I2C
CONFIG_I2C=y
# the BMC's isa-ipmi-bt links build_ipmi_dev_aml(), which hw/acpi/ only
# provides (or stubs) when ACPI is built
CONFIG_ACPI=y
CONFIG_GENERIC_LOADER=y
# Secure VMs on pseries (tests/pef-svm, the hostile-host suite's pseries
# rows): the machine, virtio over PCI, network and disk
CONFIG_PSERIES=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_BLK=y
# pef-guest's -tpmdev emulator: the TPM backends come with a TPM device
CONFIG_TPM_SPAPR=y
CONFIG_TPM_EMULATOR=y
