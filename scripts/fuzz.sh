#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh BUILD IMAGE SEED FIRMWARE [QEMU]: boot IMAGE (the debug kernel) with
# BUILD/initramfs/fuzz.cpio (scripts/harness/fuzz.list), relay the fuzzers'
# progress lines and every failure to the terminal, then print one summary:
# ecalls, VMs, exits, ioctls, seed, time and the splats the judge found in
# the host log (scripts/qemu-run.py). Exits 1 on any failure.
set -u -o pipefail
B=$1
IMAGE=$2
SEED=$3
FW=$4
QEMU=${5:-qemu-system-riscv64}
LOGS=$B/logs
start=$(date +%s)
scripts/qemu-run.py --qemu "$QEMU" --kernel "$IMAGE" --initrd "$B/initramfs/fuzz.cpio" \
	--logdir "$LOGS" --name fuzz --timeout 14400 \
	--cpu rv64,h=true,sscofpmf=true --bios "$FW" -v |
	grep --line-buffered -E '# (fuzz:[a-z_]+: # (progress|summary|FAIL)|harness:)|^(ok|not ok) |^FAIL|^\[.*(BUG|WARNING|UBSAN|KASAN|Oops|stall|LOCKUP|lockup|VCPU exit error)'
rc=$?
secs=$(( $(date +%s) - start ))
splats=$(grep -c 'splat' "$LOGS/fuzz.tap" 2>/dev/null)
echo "== make fuzz: seed $SEED, $secs s (boot included)"
grep -h 'summary: ' "$LOGS/fuzz.log" | sed 's/^# [^ ]* # /  /'
grep -h 'FUZZ-SUMMARY' "$LOGS/fuzz.log" | sed 's/^# [^ ]* /  /'
echo "  host splats: ${splats:-0} (details: $LOGS/fuzz.tap, console: $LOGS/fuzz.log)"
exit $rc
