# qemu-ibm-cc build driver.
#
#   make            install dependencies, build QEMU + core, fetch guests,
#                   boot the demo guest
#   make check      the whole test suite (core unit tests, qtests, boot tests)
#   make bench      comparison benchmarks (prints ratios)
#
# Everything is incremental and idempotent; the QEMU source, the guest
# packages and built kernels are cached outside the repo
# (~/.cache/qemu-ibm-cc, override with QEMU_IBM_CC_CACHE).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.PHONY: all deps qemu qemu-asan core fixtures demo install deb check check-core check-qtest \
	check-boot check-fuzz check-slow check-firmware fuzz bench kernels clean help help-cache

all: deps qemu core fixtures
	@tests/boot/demo.py

help:
	@sed -n '3,9p' Makefile

deps:
	@scripts/deps.sh

qemu: deps
	@scripts/build-qemu.sh

core: deps
	@scripts/build-core.sh

# QEMU (s390x + ppc64) with ASan + UBSan, for the bad-input tests
qemu-asan: deps
	@QEMU_SANITIZE=1 scripts/build-qemu.sh

fixtures: deps
	@scripts/fixtures.sh

demo: qemu core fixtures
	@tests/boot/demo.py

# PREFIX (default /usr/local) and DESTDIR as usual
PREFIX ?= /usr/local
install: qemu core
	@scripts/install.sh --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

# build/qemu-ibm-cc_<version>_<arch>.deb, under /opt/qemu-ibm-cc, + lintian
deb: qemu core
	@scripts/mk-deb.sh

# Builds what the tests need as timed phases, runs every layer, prints a
# table of the phases' times.
check: deps
	@tests/run-all.sh --prepare

check-core: core
	@tests/run-all.sh core

check-qtest: qemu
	@tests/run-all.sh qtest

check-boot: qemu qemu-asan fixtures kernels
	@tests/run-all.sh boot

check-fuzz: core
	@tests/run-all.sh fuzz

# The slow tests make check leaves out (it runs their reduced forms): the
# nested Secure VM's secrecy runs (with their normal-guest controls), its
# reboot and its bad-input run, the other nested hosts (hash MMU,
# pef=off, POWER10).
check-slow: qemu fixtures kernels core
	@/usr/bin/python3 tests/pef-nested/test_nested.py --slow

# IBM's ultravisor and its skiboot, unmodified (not part of check): built by
# hand, named by PEF_UV_LID and PEF_UV_SKIBOOT (docs/system/ppc/pef-tcg.rst);
# SKIP without them.
check-firmware: qemu fixtures kernels
	@/usr/bin/python3 tests/pef-firmware/test_real_firmware.py

# The fuzz targets for longer than make check runs them (FUZZ_SECONDS each).
fuzz: core
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} tests/run-all.sh fuzz

bench: qemu fixtures core
	@scripts/deps.sh bench
	@tests/bench/boot-to-init.py
	@tests/bench/se-unpack.sh
	@tests/bench/se-boot.py
	@tests/bench/pef-boot.py
	@tests/bench/pef-svm-boot.py
	@build/core/tests/bench/pef-page-bench
	@tests/bench/pef-nested-boot.py

kernels: deps fixtures
	@scripts/deps.sh kernel
	@for f in tests/fixtures/kernel/*.config; do scripts/build-kernel.sh $$f; done

clean:
	rm -rf build

help-cache:
	@. scripts/common.sh; echo "$$CACHE"
