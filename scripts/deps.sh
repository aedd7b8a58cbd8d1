#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deps.sh [BUILD]: install the Debian 12 packages the project needs, if any
# are missing, and unpack the second platform under BUILD (default build/).
#
# The platforms (README "Platforms"):
#  - QEMU 10.0 from Debian's bookworm-backports suite, the default: the
#    package qemu-system-riscv, installed system-wide. It depends on
#    backports' opensbi 1.5.1, which replaces Debian 12's opensbi 1.1.
#  - QEMU 7.2 and OpenSBI 1.1, Debian 12's own: their packages are
#    downloaded and unpacked under BUILD/platform/ (dpkg-deb -x), since
#    the backports packages replace the installed ones. QEMU 7.2's shared
#    libraries come from Debian 12 and are installed when missing.
# Every step is idempotent: a second run installs and downloads nothing.
set -eu

B=${1:-build}
PLAT=$B/platform
BPO_LIST=/etc/apt/sources.list.d/bookworm-backports.sources
BPO_QEMU=qemu-system-riscv

PKGS="make gcc libc6-dev gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
linux-source-6.12 bc flex bison libelf-dev libssl-dev
cpio python3 xz-utils patch perl kmod gnuplot-nox debian-archive-keyring"

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = \
		"install ok installed" ]
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: not root; run as root or $1" >&2
		exit 1
	fi
}

export DEBIAN_FRONTEND=noninteractive
updated=""
apt_update() {
	[ -n "$updated" ] && return
	apt-get update -qq
	updated=1
}

# install_missing PACKAGE...: apt-get install those not installed.
install_missing() {
	missing=""
	for p in "$@"; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return
	echo "deps: installing:$missing"
	need_root "install:$missing"
	apt_update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
}

# shellcheck disable=SC2086
install_missing $PKGS

# QEMU 10.0 from bookworm-backports, signed with Debian's archive key.
if [ ! -f "$BPO_LIST" ]; then
	echo "deps: adding the bookworm-backports suite ($BPO_LIST)"
	need_root "add $BPO_LIST"
	cat > "$BPO_LIST" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	updated=""
fi
case $(dpkg-query -W -f='${Version}' $BPO_QEMU 2>/dev/null || true) in
*:10.*) ;;
*)
	echo "deps: installing $BPO_QEMU from bookworm-backports"
	need_root "install $BPO_QEMU from bookworm-backports"
	apt_update
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		$BPO_QEMU
	;;
esac

# QEMU 7.2 and OpenSBI 1.1, Debian 12's, unpacked under $PLAT.
unpack() {	# unpack PACKAGE DIR FILE: PACKAGE/bookworm into DIR, unless FILE
	[ -e "$2/$3" ] && return
	echo "deps: unpacking $1 (Debian 12) into $2"
	rm -rf "$2" "$PLAT/deb/$1"
	mkdir -p "$PLAT/deb/$1" "$2"
	apt_update
	(cd "$PLAT/deb/$1" && apt-get download -qq \
		-o APT::Sandbox::User=root "$1/bookworm")
	dpkg-deb -x "$PLAT/deb/$1"/*.deb "$2"
	# The shared libraries it needs (not the QEMU data packages).
	libs=$(dpkg-deb -f "$PLAT/deb/$1"/*.deb Depends | tr ',' '\n' |
		sed -e 's/(.*)//' -e 's/[[:space:]]//g' | grep '^lib' || true)
	# shellcheck disable=SC2086
	install_missing $libs
}
unpack qemu-system-misc "$PLAT/qemu-7.2" usr/bin/qemu-system-riscv64
unpack opensbi "$PLAT/opensbi-1.1" \
	usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
