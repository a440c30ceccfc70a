# qemu-ibm-cc: devices of the ASan/UBSan test build (make qemu-asan,
# configured --without-default-devices).  It runs the PEF tests on the
# powernv machines only, so it builds those machines and what they select,
# not every ppc board and device; and the generic loader of the
# hostile-host suite (--quick).  Add what a new ASan test needs.

CONFIG_POWERNV=y
# POWERNV selects PCA9554, which depends on (rather than selects) I2C
CONFIG_I2C=y
# the BMC's isa-ipmi-bt links build_ipmi_dev_aml(), which hw/acpi/ only
# provides (or stubs) when ACPI is built
CONFIG_ACPI=y
CONFIG_GENERIC_LOADER=y
