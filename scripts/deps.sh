#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages the project needs, if any are missing.
set -eu

PKGS="make gcc libc6-dev gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
qemu-system-misc opensbi linux-source-6.12 bc flex bison libelf-dev libssl-dev
cpio python3 xz-utils patch perl kmod gnuplot-nox"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run as root or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
