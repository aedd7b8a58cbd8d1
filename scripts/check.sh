#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh BUILD IMAGE TIMEOUT [ONLY]: run every test stage, then print one
# line "N passed, N failed[, N skipped]" over all of them. Each stage writes
# BUILD/logs/<stage>.tap; a stage that crashes before writing it is counted
# as a failure by tap-summary.py, since it expects every stage below.
set -u
B=$1
IMAGE=$2
TIMEOUT=$3
ONLY=${4:-}
LOGS=$B/logs
mkdir -p "$LOGS"
rm -f "$LOGS"/*.tap

echo "== host-side tests of the build and test scripts"
python3 scripts/tests/run.py --tap "$LOGS/scripts.tap"

echo "== host kernel under QEMU: KUnit, upstream and project KVM selftests"
scripts/qemu-run.py --kernel "$IMAGE" --initrd "$B/initramfs/check.cpio" \
	--logdir "$LOGS" --name host --timeout "$TIMEOUT" ${ONLY:+--only "$ONLY"}

exec scripts/tap-summary.py --expect scripts --expect host --dir "$LOGS"
