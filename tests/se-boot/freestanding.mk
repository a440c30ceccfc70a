# qemu-ibm-cc: what the freestanding s390x test programs of tests/se-boot
# (uvc-probe, pv-probe) share: the cross compiler and the flags of a
# program without a C library, linked at $(TEXT_ADDR) and entered at
# _start.  Included by their Makefiles after they set TEXT_ADDR.
#
# SPDX-License-Identifier: GPL-2.0-or-later

CROSS_COMPILE ?= s390x-linux-gnu-
CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy

CFLAGS := -std=gnu11 -O2 -m64 -march=z10 -ffreestanding -fno-builtin \
	-fno-pic -fno-pie -fno-common -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-tree-loop-distribute-patterns -msoft-float -mno-backchain \
	--param=min-pagesize=0 -Wall -Wextra -Werror
LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -Wl,-z,noexecstack -Wl,-Ttext=$(TEXT_ADDR) \
	-Wl,-e,_start
