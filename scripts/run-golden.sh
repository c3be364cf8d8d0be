#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run golden end-to-end cases.
#
#   scripts/run-golden.sh [--bin BUILDDIR] [--update] CASE_OR_TOOL_DIR...
#
# A case is a directory holding:
#   cmd     one shell script body, run with sh in a fresh empty work dir;
#           $CASEDIR is the case directory, $SRCDIR the source tree, and the
#           tools of BUILDDIR are first on PATH
#   expout  expected standard output (byte for byte)
#   experr  expected standard error (optional; compared when present)
#   exit    expected exit status (a number; 0 when absent)
# A directory without cmd is searched for cases one level down.  The
# elapsed time that ends a -v summary line ("; 0.12 s") reads
# "; (elapsed)" in both outputs: it is the one thing that varies.
# --update rewrites expout/experr/exit from the actual run: read the
# result in git diff before committing.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/build"
update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$(cd "$2" && pwd); shift 2 ;;
    --update) update=1; shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: run-golden.sh [--bin DIR] [--update] DIR..." >&2; exit 2; }
fail=0; n=0
run_case() {
  c=$(cd "$1" && pwd)
  n=$((n + 1))
  work=$(mktemp -d)
  (cd "$work" && CASEDIR="$c" SRCDIR="$here" PATH="$bin:$PATH" TZ=UTC \
     LC_ALL=C sh "$c/cmd" >"$work/.out" 2>"$work/.err")
  status=$?
  for f in "$work/.out" "$work/.err"; do
    sed 's/; [0-9][0-9]*\.[0-9][0-9] s$/; (elapsed)/' "$f" >"$f.n" && mv "$f.n" "$f"
  done
  want=0
  [ -f "$c/exit" ] && want=$(cat "$c/exit")
  if [ $update -eq 1 ]; then
    cp "$work/.out" "$c/expout"
    [ -f "$c/experr" ] && cp "$work/.err" "$c/experr"
    echo "$status" >"$c/exit"
    echo "updated $c"
  else
    ok=1
    [ "$status" = "$want" ] || { echo "FAIL $c: exit $status, want $want"; ok=0; }
    if ! cmp -s "$work/.out" "$c/expout"; then
      echo "FAIL $c: stdout differs"; diff "$c/expout" "$work/.out" | head -20; ok=0
    fi
    if [ -f "$c/experr" ] && ! cmp -s "$work/.err" "$c/experr"; then
      echo "FAIL $c: stderr differs"; diff "$c/experr" "$work/.err" | head -20; ok=0
    fi
    if [ $ok -eq 1 ]; then echo "ok   $c"; else fail=$((fail + 1)); sed 's/^/  stderr: /' "$work/.err" | head -10; fi
  fi
  rm -rf "$work"
}
for d in "$@"; do
  if [ -f "$d/cmd" ]; then run_case "$d"; else
    for c in "$d"/*/; do [ -f "$c/cmd" ] && run_case "$c"; done
  fi
done
echo "$n cases, $fail failed"
[ $fail -eq 0 ]
