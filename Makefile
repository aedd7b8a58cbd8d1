# SPDX-License-Identifier: GPL-2.0
#
# RISC-V KVM SBI extension framework: build, boot and test.
#
#   make run      build what is missing, boot the host kernel under QEMU
#   make check    build what is missing, run every test, print "N passed, N failed"
#   make fuzz     the SBI fuzzers on the debug kernel (SEED=n), with a summary
#   make bench    SBI round-trip costs, stock 6.12 against ours
#   make conform  sbi-conform on OpenSBI 1.1, OpenSBI v1.9, our KVM and stock
#                 6.12 KVM: the side-by-side table (build/conform/table.txt)
#
# Everything is written under build/:
#   build/src/       the Debian linux-source-6.12 tree, untouched
#   build/linux/     the same tree with the project overlaid (scripts/overlay.py)
#   build/stock/     output of the stock variant (VARIANT=stock), built from build/src
#   build/linux-debug/ the overlaid tree again, built as the debug kernel (VARIANT=debug)
#   build/harness/   host userspace (init, kvm-probe)
#   build/selftests/ upstream KVM selftests built from build/linux
#   build/logs/      console logs and TAP of every QEMU run

SHELL		:= /bin/bash
TOP		:= $(CURDIR)
B		:= $(TOP)/build
TARBALL		:= /usr/src/linux-source-6.12.tar.xz
CROSS		:= riscv64-linux-gnu-
KMAKE_ARGS	:= ARCH=riscv CROSS_COMPILE=$(CROSS)
JOBS		?= $(shell nproc)
FRAGMENT	:= arch/riscv/configs/kvm_sbi.config
DEBUG_FRAGMENT	:= arch/riscv/configs/kvm_sbi_debug.config
VARIANT		?= project
CHECK_TIMEOUT	?= 1500

FRAGMENTS	:= $(FRAGMENT)
# The trees the overlay keeps: build/linux always (the tools build from it).
OVERLAY_TREES	:= $(B)/linux

ifeq ($(VARIANT),project)
KSRC		:= $(B)/linux
KOUT		:= $(B)/linux
else ifeq ($(VARIANT),debug)
# A second overlaid tree: kbuild builds a tree in place or out of tree, not
# both, and build/linux is built in place.
KSRC		:= $(B)/linux-debug
KOUT		:= $(B)/linux-debug
FRAGMENTS	+= $(DEBUG_FRAGMENT)
OVERLAY_TREES	+= $(B)/linux-debug
else ifeq ($(VARIANT),bench)
# The bench's own overlaid tree: the product config plus the bench aids
# (kvm_sbi_bench.config), which the product kernel must not have.
KSRC		:= $(B)/linux-bench
KOUT		:= $(B)/linux-bench
FRAGMENTS	+= arch/riscv/configs/kvm_sbi_bench.config
OVERLAY_TREES	+= $(B)/linux-bench
else ifeq ($(VARIANT),stock)
KSRC		:= $(B)/src
KOUT		:= $(B)/stock
# The project's own options (not in the base tree) are not checked.
CONFIG_TREE	:= $(KSRC)
else
$(error VARIANT must be "project", "debug", "bench" or "stock", not "$(VARIANT)")
endif
IMAGE		:= $(KOUT)/arch/riscv/boot/Image
KMAKE		:= $(MAKE) -C $(KSRC) O=$(KOUT) $(KMAKE_ARGS)

# The platform (README "Platforms"): QEMU 10.0 from bookworm-backports by
# default; QEMU= picks another binary for every target, for example
# QEMU=$(QEMU72), Debian 12's QEMU 7.2, which make check runs a stage on.
# scripts/qemu-run.py chooses the machine by the binary's version.
QEMU		?= qemu-system-riscv64
QEMU72		:= $(B)/platform/qemu-7.2/usr/bin/qemu-system-riscv64

# Host firmware (README "Firmware"): Debian 12's OpenSBI 1.1 package, or
# OpenSBI v1.9 built from its release tarball with opensbi-patches/
# (make firmware). FIRMWARE picks what run, check and bench boot on.
FIRMWARE	?= debian
OPENSBI_TARBALL	?= $(abspath $(TOP)/../shared/opensbi/opensbi-1.9.tar.xz)
OPENSBI_SHA256	:= 3d36dcc81db0e3e56342aa7b9d5857eaa7e576be1a878892a841806c0c0f1540
DEBIAN_FW	:= $(B)/platform/opensbi-1.1/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
OPENSBI19_FW	:= $(B)/opensbi/fw_dynamic.bin
ifeq ($(FIRMWARE),debian)
FW_BIN		:= $(DEBIAN_FW)
FW_DEPS		:=
else ifeq ($(FIRMWARE),opensbi-1.9)
FW_BIN		:= $(OPENSBI19_FW)
FW_DEPS		:= firmware
else
$(error FIRMWARE must be "debian" or "opensbi-1.9", not "$(FIRMWARE)")
endif

HARNESS_CC	:= $(CROSS)gcc -static -O2 -Wall -Wextra -Werror
SELFTEST_OUT	:= $(B)/selftests/kvm

.PHONY: all deps tree kernel debug-kernel firmware tools selftests vmm conform-payload harness initramfs run check fuzz bench conform clean

all: kernel tools

deps:
	@scripts/deps.sh $(B)

# --- kernel trees -----------------------------------------------------------

$(B)/src/.unpacked: | deps
	rm -rf $(B)/src && mkdir -p $(B)/src
	tar -xJf $(TARBALL) -C $(B)/src --strip-components=1
	touch $@

$(B)/linux/.unpacked $(B)/linux-debug/.unpacked $(B)/linux-bench/.unpacked: | deps
	rm -rf $(@D) && mkdir -p $(@D)
	tar -xJf $(TARBALL) -C $(@D) --strip-components=1
	touch $@

# The overlay runs every time: it writes only files whose content changed.
tree: $(B)/src/.unpacked $(addsuffix /.unpacked,$(OVERLAY_TREES))
	@for t in $(OVERLAY_TREES); do \
		scripts/overlay.py --project $(TOP) --pristine $(B)/src --tree $$t || exit 1; \
	done

# allnoconfig + our fragment(s); every option they set must survive.
$(KOUT)/.config: $(FRAGMENTS) | tree
	mkdir -p $(KOUT)
	cd $(KSRC) && $(KMAKE_ARGS) scripts/kconfig/merge_config.sh -n \
		$(if $(filter stock,$(VARIANT)),-O $(KOUT)) $(addprefix $(TOP)/,$(FRAGMENTS)) \
		> $(KOUT)/.merge_config.log 2>&1 || \
		{ cat $(KOUT)/.merge_config.log; exit 1; }
	for f in $(FRAGMENTS); do scripts/check-config.sh $$f $@ $(CONFIG_TREE) || exit 1; done

kernel: tree $(KOUT)/.config
	for f in $(FRAGMENTS); do scripts/check-config.sh $$f $(KOUT)/.config $(CONFIG_TREE) || exit 1; done
	+$(KMAKE) -j$(JOBS) Image
	@echo "kernel: $(IMAGE)"

# --- host firmware -----------------------------------------------------------

# OpenSBI v1.9: the release, checked against its sha256, plus
# opensbi-patches/series; unpacked and patched again whenever one changes.
firmware: | deps
	@scripts/firmware.sh "$(OPENSBI_TARBALL)" $(OPENSBI_SHA256) \
		$(TOP)/opensbi-patches $(B)/opensbi $(CROSS) $(JOBS)

# --- host userspace ---------------------------------------------------------

tools: harness selftests vmm conform-payload

# Again whenever one of our uapi headers changes (the tree has it by then).
$(B)/linux/usr/include/linux/kvm.h: $(B)/linux/.config \
		$(wildcard arch/riscv/include/uapi/asm/*.h include/uapi/linux/*.h)
	+$(MAKE) -C $(B)/linux $(KMAKE_ARGS) headers
	touch $@

$(B)/harness/init: scripts/harness/init.c | deps
	mkdir -p $(B)/harness
	$(HARNESS_CC) -o $@ $<

$(B)/harness/kvm-probe: scripts/harness/kvm-probe.c $(B)/linux/usr/include/linux/kvm.h
	mkdir -p $(B)/harness
	$(HARNESS_CC) -I$(B)/linux/usr/include -o $@ $<

$(B)/harness/sbi-bench: scripts/harness/sbi-bench.c $(B)/linux/usr/include/linux/kvm.h
	mkdir -p $(B)/harness
	$(HARNESS_CC) -I$(B)/linux/usr/include -o $@ $<

$(B)/harness/kmemleak-check: scripts/harness/kmemleak-check.c | deps
	mkdir -p $(B)/harness
	$(HARNESS_CC) -o $@ $<

$(B)/harness/bench-vmm: scripts/harness/bench-vmm.c | deps
	mkdir -p $(B)/harness
	$(HARNESS_CC) -o $@ $<

harness: tree $(B)/harness/init $(B)/harness/kvm-probe $(B)/harness/sbi-bench \
	$(B)/harness/kmemleak-check $(B)/harness/bench-vmm

# The upstream KVM selftests (and ours, once they exist), static.
selftests: tree $(B)/linux/usr/include/linux/kvm.h
	mkdir -p $(SELFTEST_OUT)
	+$(MAKE) -C $(B)/linux/tools/testing/selftests/kvm $(KMAKE_ARGS) \
		OUTPUT=$(SELFTEST_OUT) EXTRA_CFLAGS=-static -j$(JOBS) \
		> $(B)/selftests/build.log 2>&1 || \
		{ tail -40 $(B)/selftests/build.log; exit 1; }
	@echo "selftests: $(SELFTEST_OUT)"

# The VMM (tools/sbi-vmm): the program, its Linux guest's initramfs, a
# bare-metal test guest and the test driver; libfdt from the base tree.
VMM_OUT		:= $(B)/sbi-vmm
vmm: kernel $(B)/linux/usr/include/linux/kvm.h
	+$(MAKE) -C tools/sbi-vmm OUT=$(VMM_OUT) CROSS=$(CROSS) \
		KHDR=$(B)/linux/usr/include LIBFDT=$(B)/src/scripts/dtc/libfdt \
		GEN_INIT_CPIO=$(B)/linux/usr/gen_init_cpio

# sbi-conform (tools/sbi-conform): the bare-metal SBI conformance payload,
# run on firmware directly (scripts/conform.py) and under KVM (vmm-test).
CONFORM_OUT	:= $(B)/sbi-conform
CONFORM_IMG	:= $(CONFORM_OUT)/sbi-conform.img
conform-payload: | deps $(B)/src/.unpacked
	+$(MAKE) -C tools/sbi-conform OUT=$(CONFORM_OUT) CROSS=$(CROSS) \
		LIBFDT=$(B)/src/scripts/dtc/libfdt

# --- initramfs and QEMU -----------------------------------------------------

MKINITRAMFS = scripts/mkinitramfs.py --gen-init-cpio $(B)/linux/usr/gen_init_cpio \
	--init $(B)/harness/init --map /bin/kvm=$(SELFTEST_OUT) --map /bin=$(B)/harness

# The VMM's files under /vmm; the guest kernel is the host's Image.
VMM_FILES = --map /vmm=$(VMM_OUT) --file /vmm/sbi-vmm=$(VMM_OUT)/sbi-vmm \
	--file /vmm/Image=$(IMAGE) --file /vmm/guest.cpio=$(VMM_OUT)/guest.cpio \
	--file /vmm/sbi-guest.img=$(VMM_OUT)/sbi-guest.img \
	--file /vmm/sbi-conform.img=$(CONFORM_IMG)

initramfs: kernel tools
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/check.list --out $(B)/initramfs/check.cpio
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/check-hrtimer.list --out $(B)/initramfs/check-hrtimer.cpio
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/check-debug.list --out $(B)/initramfs/check-debug.cpio
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/check-opensbi-debug.list --out $(B)/initramfs/check-opensbi-debug.cpio
	sed -E 's/^([^#[:space:]])/opensbi:\1/' scripts/harness/check.list > $(B)/initramfs/check-opensbi.list
	$(MKINITRAMFS) $(VMM_FILES) --list $(B)/initramfs/check-opensbi.list --out $(B)/initramfs/check-opensbi.cpio
	sed -E 's/^([^#[:space:]])/qemu-7.2:\1/' scripts/harness/check.list > $(B)/initramfs/check-qemu-7.2.list
	$(MKINITRAMFS) $(VMM_FILES) --list $(B)/initramfs/check-qemu-7.2.list --out $(B)/initramfs/check-qemu-7.2.cpio
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/run.list --out $(B)/initramfs/run.cpio

QEMU_RUN = scripts/qemu-run.py --qemu $(QEMU) --kernel $(IMAGE) --logdir $(B)/logs \
	--bios $(FW_BIN)

run: initramfs $(FW_DEPS)
	$(QEMU_RUN) --initrd $(B)/initramfs/run.cpio --name run --timeout 300 -v

# The debug kernel (VARIANT=debug) runs the third host stage; built only
# when that stage runs (ONLY= naming no debug: test skips it).
DEBUG_IMAGE	:= $(B)/linux-debug/arch/riscv/boot/Image
debug-kernel:
	+$(MAKE) kernel VARIANT=debug

# ONLY=a,b runs only the named tests of the check lists (fast iteration).
# Every stage boots FIRMWARE; the opensbi: stage (check.list again) boots
# OpenSBI v1.9 as well, so that both firmwares stay supported.
check: initramfs firmware $(if $(ONLY),$(if $(findstring debug:,$(ONLY)),debug-kernel),debug-kernel)
	@FW_BIN=$(FW_BIN) DEBIAN_FW=$(DEBIAN_FW) OPENSBI19_FW=$(OPENSBI19_FW) \
		QEMU=$(QEMU) QEMU72=$(QEMU72) \
		scripts/check.sh "$(B)" "$(IMAGE)" "$(CHECK_TIMEOUT)" "$(ONLY)"

# --- fuzzing ----------------------------------------------------------------

# The guest SBI fuzzer and the ABI fuzzer on the debug kernel, seeded
# (README "Reliability"): make fuzz SEED=n FUZZ_CALLS=n FUZZ_IOCTLS=n.
SEED		?= 1
FUZZ_CALLS	?= 1000000
FUZZ_IOCTLS	?= 100000

fuzz: debug-kernel initramfs $(FW_DEPS)
	sed -e 's/@SEED@/$(SEED)/g' -e 's/@CALLS@/$(FUZZ_CALLS)/g' \
		-e 's/@IOCTLS@/$(FUZZ_IOCTLS)/g' scripts/harness/fuzz.list > $(B)/fuzz.list
	$(MKINITRAMFS) $(VMM_FILES) --list $(B)/fuzz.list --out $(B)/initramfs/fuzz.cpio
	scripts/fuzz.sh $(B) $(DEBUG_IMAGE) $(SEED) $(FW_BIN) $(QEMU)

# --- benchmark --------------------------------------------------------------

# SBI round-trip cost of stock 6.12 and of ours, both booted with the same
# byte-identical initramfs (fixed mtimes) in a deterministic QEMU: -icount
# shift=0 without real-time sleep, and a fixed -seed (the kernel's RNG,
# hence userspace ASLR, comes from QEMU). Each kernel boots twice for the
# micro table: on one hart for the rows that need one, and on two harts
# (QEMU 8 on: 7.2 livelocks with -icount and -smp 2) for the remote rows
# (sbi-bench -R); scripts/harness/sbi-bench.c measures, scripts/bench.py
# writes build/bench/results.csv and results.png. Then, for the workload
# table, each kernel boots on two harts once per seed of BENCH_SEEDS, with
# kvm.halt_poll_ns=0, and sbi-vmm runs a Linux guest of two vCPUs through
# the workloads of tools/sbi-vmm/guest/bench.c; scripts/bench-workload.py
# writes build/bench/workload.csv. README "Performance".
BENCH_DIR	:= $(B)/bench
BENCH_SEEDS	:= 1 2 3 4 5
BENCH_WORKLOADS	:= workload-ipi,workload-munmap,workload-sleep,workload-hvc0,workload-hvc0-noring
BENCH_QEMU	= scripts/qemu-run.py --qemu $(QEMU) --initrd $(B)/initramfs/bench.cpio \
	--logdir $(BENCH_DIR) --icount 0,sleep=off --timeout 900 \
	--bios $(FW_BIN)
BENCH_KERNELS	:= stock=$(B)/stock/arch/riscv/boot/Image \
	project=$(B)/linux-bench/arch/riscv/boot/Image
BENCH_VMM_FILES	= --file /vmm/sbi-vmm=$(VMM_OUT)/sbi-vmm --file /vmm/Image=$(IMAGE) \
	--file /vmm/guest.cpio=$(VMM_OUT)/guest.cpio

bench: $(FW_DEPS)
	+$(MAKE) kernel VARIANT=stock
	+$(MAKE) kernel VARIANT=bench
	+$(MAKE) harness vmm VARIANT=project
	$(MKINITRAMFS) $(BENCH_VMM_FILES) --mtime 0 --list scripts/harness/bench.list \
		--out $(B)/initramfs/bench.cpio
	for k in $(BENCH_KERNELS); do \
		$(BENCH_QEMU) --kernel $${k#*=} --name $${k%%=*} --smp 1 --seed 1 \
			--only sbi-bench || exit 1; \
		$(BENCH_QEMU) --kernel $${k#*=} --name $${k%%=*}-smp2 --smp 2 --seed 1 \
			--only sbi-bench-remote || exit 1; \
		for s in $(BENCH_SEEDS); do \
			$(BENCH_QEMU) --kernel $${k#*=} --name $${k%%=*}-workload-$$s \
				--smp 2 --seed $$s --append kvm.halt_poll_ns=0 \
				--only $(BENCH_WORKLOADS) || exit 1; \
		done; \
	done
	scripts/bench.py --icount-shift 0 --out $(BENCH_DIR) \
		--log stock=$(BENCH_DIR)/stock.log --log stock=$(BENCH_DIR)/stock-smp2.log \
		--log project=$(BENCH_DIR)/project.log \
		--log project=$(BENCH_DIR)/project-smp2.log
	scripts/bench-workload.py --out $(BENCH_DIR) --micro $(BENCH_DIR)/results.csv \
		$(foreach s,$(BENCH_SEEDS),--log stock=$(BENCH_DIR)/stock-workload-$(s).log \
		--log project=$(BENCH_DIR)/project-workload-$(s).log)

# --- conformance --------------------------------------------------------------

# sbi-conform (tools/sbi-conform) on four implementations: OpenSBI 1.1 and
# v1.9 directly under QEMU, and our KVM and stock 6.12 KVM through sbi-vmm
# in a host kernel on FIRMWARE; scripts/conform.py prints the table of
# check x implementation and the rows that differ (README "Conformance").
CONFORM_DIR	:= $(B)/conform
CONFORM_FW	:= $(if $(filter opensbi-1.9,$(FIRMWARE)),opensbi-1.9,debian)
CONFORM_QEMU	= scripts/qemu-run.py --qemu $(QEMU) --initrd $(B)/initramfs/conform.cpio \
	--logdir $(CONFORM_DIR) --bios $(FW_BIN) --timeout 600
CONFORM_IMPLS	:= --impl opensbi-1.1 --impl opensbi-1.9 --impl kvm --impl kvm-6.12

conform: initramfs firmware
	+$(MAKE) kernel VARIANT=stock
	$(MKINITRAMFS) $(VMM_FILES) --list scripts/harness/conform.list \
		--out $(B)/initramfs/conform.cpio
	scripts/conform.py direct --qemu $(QEMU) --image $(CONFORM_IMG) \
		--impl opensbi-1.1=$(DEBIAN_FW) --impl opensbi-1.9=$(OPENSBI19_FW) \
		--logdir $(CONFORM_DIR)
	$(CONFORM_QEMU) --kernel $(IMAGE) --name kvm \
		--append "SBI_TEST_FIRMWARE=$(CONFORM_FW)"
	@# Stock 6.12 fails checks by design: its verdict is the table's.
	-$(CONFORM_QEMU) --kernel $(B)/stock/arch/riscv/boot/Image --name kvm-6.12 \
		--append "SBI_TEST_FIRMWARE=$(CONFORM_FW) SBI_TEST_KERNEL=stock"
	scripts/conform.py kvm-log --impl kvm=$(CONFORM_DIR)/kvm.log \
		--impl kvm-6.12=$(CONFORM_DIR)/kvm-6.12.log --logdir $(CONFORM_DIR)
	scripts/conform.py table $(CONFORM_IMPLS) --logdir $(CONFORM_DIR) \
		--markdown $(CONFORM_DIR)/differences.md | tee $(CONFORM_DIR)/table.txt
	scripts/conform.py check --impl opensbi-1.1 --impl opensbi-1.9 --impl kvm \
		--logdir $(CONFORM_DIR)

clean:
	rm -rf $(B)
