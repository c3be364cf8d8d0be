#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# layers.sh: fail when an #include in lib/ crosses the layer rules of
# lib/README.md.  Every project include in lib/ is written "<folder>/<file>.h"
# and must name an existing header in a folder the including folder may use:
#
#   core      -> core
#   io        -> core io
#   formats   -> core io formats
#   store     -> core io store
#   a stage   -> core io formats store and its own folder
#
# The stages (import validate rate render pay report export convert) never
# include one another: they talk through the store.
# Usage: tests/layers.sh [SOURCE_DIR]    exit 0 clean, 1 a rule is crossed
set -eu
top=${1:-$(dirname "$0")/..}
cd "$top/lib"

allowed() {
	case $1 in
	core) echo "core" ;;
	io) echo "core io" ;;
	formats) echo "core io formats" ;;
	store) echo "core io store" ;;
	import|validate|rate|render|pay|report|export|convert)
		echo "core io formats store $1" ;;
	*) echo "" ;;
	esac
}

bad=0
for dir in */; do
	dir=${dir%/}
	rule=$(allowed "$dir")
	if [ -z "$rule" ]; then
		echo "lib/$dir: folder not in the layer rules (lib/README.md, tests/layers.sh)"
		bad=1
		continue
	fi
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		# line number and target of every quoted include
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		    sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' > "${TMPDIR:-/tmp}/layers.$$" || true
		while read -r line target; do
			case $target in
			*/*) to=${target%%/*} ;;
			*) echo "lib/$f:$line: include \"$target\" names no folder (write \"<folder>/$target\")"
			   bad=1; continue ;;
			esac
			if [ ! -f "$target" ]; then
				echo "lib/$f:$line: include \"$target\": no such header in lib/"
				bad=1
				continue
			fi
			case " $rule " in
			*" $to "*) ;;
			*) echo "lib/$f:$line: $dir/ may not include $to/ (\"$target\"); allowed: $rule"
			   bad=1 ;;
			esac
		done < "${TMPDIR:-/tmp}/layers.$$"
		rm -f "${TMPDIR:-/tmp}/layers.$$"
	done
done
[ $bad -eq 0 ] && echo "layers: every include in lib/ keeps the layer rules"
exit $bad
