#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-config.sh FRAGMENT DOTCONFIG [TREE]: fail if any option the fragment
# sets is not set that way in the final .config. merge_config.sh only warns
# when it drops an option whose dependencies are missing; we refuse to build.
# With TREE (the stock variant: the untouched base tree), an option that no
# Kconfig file of TREE declares (one of the project's own) is skipped.
set -eu
frag=$1
config=$2
tree=${3:-}
bad=0
for opt in $(grep -o '^CONFIG_[A-Za-z0-9_]*=.*' "$frag"); do
	if ! grep -qx "$opt" "$config"; then
		sym=${opt%%=*}
		sym=${sym#CONFIG_}
		if [ -n "$tree" ] && ! grep -rqE --include='Kconfig*' \
			"^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*$" "$tree"; then
			echo "check-config: $opt: not in $tree, skipped" >&2
			continue
		fi
		have=$(grep -E "^(# )?${opt%%=*}[= ]" "$config" || echo "absent")
		echo "check-config: $frag wants $opt, $config has: $have" >&2
		bad=1
	fi
done
[ $bad = 0 ] || { echo "check-config: fix the fragment's dependencies" >&2; exit 1; }
