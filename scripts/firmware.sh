#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# firmware.sh TARBALL SHA256 PATCHDIR OUTDIR CROSS_COMPILE JOBS
#
# Build OpenSBI's fw_dynamic.bin for QEMU virt from a release tarball plus
# the project's patches (PATCHDIR/series, patch -p1, no fuzz):
#   OUTDIR/src/             the release, unpacked, patched
#   OUTDIR/build/           OpenSBI's build output
#   OUTDIR/fw_dynamic.bin   the firmware
# The tarball must match SHA256. The tree is unpacked again, and every patch
# applied again, whenever the tarball or the series or any patch in it
# changes (a stamp records what the tree was made from), so a changed or
# dropped patch never leaves the tree half old. A patch that does not apply
# fails loudly and leaves no tree behind.
set -eu
tarball=$1
sha=$2
patchdir=$3
mkdir -p "$4"
out=$(cd "$4" && pwd)
cross=$5
jobs=$6

die() {
	echo "firmware: $*" >&2
	exit 1
}

[ -f "$tarball" ] || die "$tarball: no such file; get the OpenSBI v1.9" \
	"release tarball (riscv-software-src/opensbi, tag v1.9, sha256 $sha)" \
	"and pass OPENSBI_TARBALL=/path/to/opensbi-1.9.tar.xz"
echo "$sha  $tarball" | sha256sum -c --status - ||
	die "$tarball: sha256 is not $sha (not the OpenSBI v1.9 release)"

series=$patchdir/series
patches=$(grep -v '^[[:space:]]*#' "$series" 2>/dev/null | grep -v '^[[:space:]]*$' || true)
for p in $patches; do
	[ -f "$patchdir/$p" ] || die "$series names $p, which does not exist"
done

# What the tree is made from: the tarball, the series and every patch.
stamp=$( { echo "$sha"; cat "$series" 2>/dev/null || true
	   for p in $patches; do cat "$patchdir/$p"; done; } | sha256sum | cut -d' ' -f1)
src=$out/src
if [ "$(cat "$src/.made-from" 2>/dev/null || true)" != "$stamp" ]; then
	rm -rf "$src" "$out/build"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	for p in $patches; do
		if ! patch -d "$src" -p1 -N -s --fuzz=0 --no-backup-if-mismatch \
		     < "$patchdir/$p"; then
			rm -rf "$src"
			die "$p does not apply to the release (see above)"
		fi
		echo "firmware: applied $p"
	done
	echo "$stamp" > "$src/.made-from"
fi

mkdir -p "$out/build"
make -C "$src" CROSS_COMPILE="$cross" PLATFORM=generic O="$out/build" \
	-j"$jobs" > "$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log"; die "OpenSBI build failed (log: $out/build.log)"; }
cp "$out/build/platform/generic/firmware/fw_dynamic.bin" "$out/fw_dynamic.bin"
echo "firmware: $out/fw_dynamic.bin"
