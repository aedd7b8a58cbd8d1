#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh BUILD IMAGE TIMEOUT [ONLY]: run every test stage, then print one
# line "N passed, N failed[, N skipped]" over all of them. Each stage writes
# BUILD/logs/<stage>.tap; a stage that crashes before writing it is counted
# as a failure by tap-summary.py, since it expects every stage it ran.
# ONLY=a,b runs the named tests only, and only the stages that have them
# (names starting "hrtimer:" are in the second host boot's list, "debug:"
# in the third's, on the debug kernel BUILD/linux-debug, "opensbi:" in the
# fourth's, check.list again on OpenSBI v1.9, "opensbi-debug:" in the
# fifth's, the debug kernel on OpenSBI v1.9, "qemu-7.2:" in the last,
# check.list again on Debian 12's QEMU 7.2; "conform" is sbi-conform run on
# both firmwares directly, before the host boots).
# Environment: FW_BIN, the firmware of the first three stages (default
# DEBIAN_FW, Debian 12's OpenSBI 1.1); OPENSBI19_FW, OpenSBI v1.9's
# fw_dynamic.bin; QEMU, the QEMU of every stage but the last (default
# QEMU 10.0 from bookworm-backports); QEMU72, the last stage's.
set -u
B=$1
IMAGE=$2
TIMEOUT=$3
ONLY=${4:-}
LOGS=$B/logs
CPU=rv64,h=true,sscofpmf=true
DEBIAN_FW=${DEBIAN_FW:-$B/platform/opensbi-1.1/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
FW_BIN=${FW_BIN:-$DEBIAN_FW}
QEMU=${QEMU:-qemu-system-riscv64}
QEMU72=${QEMU72:-$B/platform/qemu-7.2/usr/bin/qemu-system-riscv64}
OPENSBI19_FW=${OPENSBI19_FW:-$B/opensbi/fw_dynamic.bin}
mkdir -p "$LOGS"
rm -f "$LOGS"/*.tap

# The ONLY names for one stage; "-" if ONLY is set but names none of it.
only_for() {	# only_for host|hrtimer|debug|opensbi|opensbi-debug|qemu-7.2|conform
	local names=() n stage
	[ -z "$ONLY" ] && return
	for n in ${ONLY//,/ }; do
		case $n in
		hrtimer:*)	stage=hrtimer ;;
		debug:*)	stage=debug ;;
		opensbi:*)	stage=opensbi ;;
		opensbi-debug:*) stage=opensbi-debug ;;
		qemu-7.2:*)	stage=qemu-7.2 ;;
		conform)	stage=conform ;;
		*)		stage=host ;;
		esac
		[ "$1" = "$stage" ] && names+=("$n")
	done
	local IFS=,
	echo "${names[*]:--}"
}
expect=(--expect scripts)

echo "== host-side tests of the build and test scripts"
python3 scripts/tests/run.py --tap "$LOGS/scripts.tap"

# sbi-conform on firmware, no KVM: every check of the suite must pass or be
# a deviation tools/sbi-conform/deviations documents (README "Conformance").
# Under our KVM it is the vmm-conform test of check.list.
if [ "$(only_for conform)" != - ]; then
	echo "== sbi-conform directly on OpenSBI 1.1 and v1.9 under QEMU"
	scripts/conform.py direct --qemu "$QEMU" --image "$B/sbi-conform/sbi-conform.img" \
		--impl "opensbi-1.1=$DEBIAN_FW" --impl "opensbi-1.9=$OPENSBI19_FW" \
		--logdir "$LOGS/conform" &&
	scripts/conform.py check --impl opensbi-1.1 --impl opensbi-1.9 \
		--logdir "$LOGS/conform" --tap "$LOGS/conform.tap"
	expect+=(--expect conform)
fi

# The firmware a stage boots, for the tests whose answers depend on it
# (sbi_dbtr_test): the kernel hands SBI_TEST_FIRMWARE=... on its command
# line to the harness, whose tests inherit it.
fw_name() {
	case $1 in
	"$OPENSBI19_FW")	echo opensbi-1.9 ;;
	"$DEBIAN_FW")		echo debian ;;
	*)			echo other ;;
	esac
}

# One host boot: stage NAME IMAGE CPIO CPU BIOS TITLE [QEMU], unless ONLY
# names none of its tests.
stage() {
	local only
	only=$(only_for "$1")
	[ "$only" = - ] && return
	echo "== $6"
	scripts/qemu-run.py --qemu "${7:-$QEMU}" --kernel "$2" --initrd "$B/initramfs/$3" \
		--logdir "$LOGS" --name "$1" --timeout "$TIMEOUT" \
		--cpu "$4" --bios "$5" ${only:+--only "$only"} \
		--append "SBI_TEST_FIRMWARE=$(fw_name "$5")"
	expect+=(--expect "$1")
}

stage host "$IMAGE" check.cpio "$CPU" "$FW_BIN" \
	"host kernel under QEMU: KUnit, upstream and project KVM selftests"
stage hrtimer "$IMAGE" check-hrtimer.cpio "$CPU,sstc=false" "$FW_BIN" \
	"host kernel without Sstc: guest timers on hrtimers"
stage debug "$B/linux-debug/arch/riscv/boot/Image" check-debug.cpio "$CPU" \
	"$FW_BIN" "debug host kernel: KASAN, UBSAN, lockdep; the SBI tests and fuzzers"
stage opensbi "$IMAGE" check-opensbi.cpio "$CPU" "$OPENSBI19_FW" \
	"host kernel on OpenSBI v1.9 (SBI 3.0): check.list again"
stage opensbi-debug "$B/linux-debug/arch/riscv/boot/Image" check-opensbi-debug.cpio \
	"$CPU" "$OPENSBI19_FW" "debug host kernel on OpenSBI v1.9: guest debug triggers, fuzzers"
stage qemu-7.2 "$IMAGE" check-qemu-7.2.cpio "$CPU" "$DEBIAN_FW" \
	"host kernel on Debian 12's QEMU 7.2 (PLIC, no AIA): check.list again" "$QEMU72"

exec scripts/tap-summary.py "${expect[@]}" --dir "$LOGS"
