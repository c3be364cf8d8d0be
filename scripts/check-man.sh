#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The manual pages under ctest: every page in docs/man passes
# `mandoc -T lint` without a warning, every tool (cmd/*.c) and every
# installed script has a section 1 page, and every .Xr names a page of
# docs/man or one of the few system pages allowed below.  With BUILDDIR,
# every long option a tool's --help lists is described in its page.
#   scripts/check-man.sh [SRCDIR [BUILDDIR]]
set -u
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
man=$src/docs/man
command -v mandoc >/dev/null || { echo "FAIL: mandoc not found (apt-get install mandoc)"; exit 1; }
fail=0
n=0
for p in "$man"/*.[1-9]; do
  n=$((n + 1))
  mandoc -T lint -W warning "$p" || { echo "FAIL: $(basename "$p") has mandoc warnings"; fail=1; }
done
for c in "$src"/cmd/*.c; do
  t=$(basename "$c" .c)
  [ -f "$man/$t.1" ] || { echo "FAIL: no docs/man/$t.1 for the tool $t"; fail=1; continue; }
  [ -n "${2:-}" ] || continue
  for o in $("$2/$t" --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p'); do
    grep -q "^\.It .*Fl -$o\( \|$\)" "$man/$t.1" ||
      { echo "FAIL: $t --help lists --$o, docs/man/$t.1 does not describe it"; fail=1; }
  done
done
for s in run-cycle what-if run-shards merge-reports; do
  [ -f "$man/billrun-$s.1" ] || { echo "FAIL: no docs/man/billrun-$s.1 for scripts/$s.sh"; fail=1; }
done
# Cross references: ours, or system pages a billrun page may cite.
refs=$(sed -n 's/^\.Xr \([^ ]*\) \([0-9]\).*/\1.\2/p' "$man"/*.[1-9] | sort -u)
for r in $refs; do
  case "$r" in sqlite3.1|xargs.1) continue ;; esac
  [ -f "$man/$r" ] || { echo "FAIL: .Xr ${r%.*} ${r##*.}: no such page in docs/man"; fail=1; }
done
[ $fail -eq 0 ] && echo "man pages: $n pages lint-clean, every tool and script has one," \
  "every .Xr resolves${2:+, every --help option described}"
exit $fail
