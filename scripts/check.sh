#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh BUILD IMAGE TIMEOUT [ONLY]: run every test stage, then print one
# line "N passed, N failed[, N skipped]" over all of them. Each stage writes
# BUILD/logs/<stage>.tap; a stage that crashes before writing it is counted
# as a failure by tap-summary.py, since it expects every stage it ran.
# ONLY=a,b runs the named tests only, and only the stages that have them
# (names starting "hrtimer:" are in the second host boot's list).
set -u
B=$1
IMAGE=$2
TIMEOUT=$3
ONLY=${4:-}
LOGS=$B/logs
CPU=rv64,h=true,sscofpmf=true
mkdir -p "$LOGS"
rm -f "$LOGS"/*.tap

# The ONLY names for one stage; "-" if ONLY is set but names none of it.
only_for() {	# only_for hrtimer|host
	local names=() n
	[ -z "$ONLY" ] && return
	for n in ${ONLY//,/ }; do
		if [[ $n == hrtimer:* ]]; then
			[ "$1" = hrtimer ] && names+=("$n")
		else
			[ "$1" = host ] && names+=("$n")
		fi
	done
	local IFS=,
	echo "${names[*]:--}"
}
expect=(--expect scripts)

echo "== host-side tests of the build and test scripts"
python3 scripts/tests/run.py --tap "$LOGS/scripts.tap"

only=$(only_for host)
if [ "$only" != - ]; then
	echo "== host kernel under QEMU: KUnit, upstream and project KVM selftests"
	scripts/qemu-run.py --kernel "$IMAGE" --initrd "$B/initramfs/check.cpio" \
		--logdir "$LOGS" --name host --timeout "$TIMEOUT" \
		--cpu "$CPU" ${only:+--only "$only"}
	expect+=(--expect host)
fi

only=$(only_for hrtimer)
if [ "$only" != - ]; then
	echo "== host kernel without Sstc: guest timers on hrtimers"
	scripts/qemu-run.py --kernel "$IMAGE" \
		--initrd "$B/initramfs/check-hrtimer.cpio" \
		--logdir "$LOGS" --name hrtimer --timeout "$TIMEOUT" \
		--cpu "$CPU,sstc=false" ${only:+--only "$only"}
	expect+=(--expect hrtimer)
fi

exec scripts/tap-summary.py "${expect[@]}" --dir "$LOGS"
