#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-config.sh FRAGMENT DOTCONFIG: fail if any option the fragment sets
# is not set that way in the final .config. merge_config.sh only warns when
# it drops an option whose dependencies are missing; we refuse to build.
set -eu
frag=$1
config=$2
bad=0
for opt in $(grep -o '^CONFIG_[A-Za-z0-9_]*=.*' "$frag"); do
	if ! grep -qx "$opt" "$config"; then
		have=$(grep -E "^(# )?${opt%%=*}[= ]" "$config" || echo "absent")
		echo "check-config: $frag wants $opt, $config has: $have" >&2
		bad=1
	fi
done
[ $bad = 0 ] || { echo "check-config: fix the fragment's dependencies" >&2; exit 1; }
