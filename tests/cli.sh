#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every tool built from cmd/*.c: --version prints "<tool> (billrun) VERSION"
# (CMake's project version), --help exits 0 on stdout and names every long
# option of the tool's option table (and the exit statuses), and a bad
# option prints "<tool>: ..." (no path) and exits 2.
#
#   tests/cli.sh SRCDIR BUILDDIR VERSION
set -u
src=$1 bin=$2 version=$3
fail=0 n=0
err() { echo "FAIL $tool: $*" >&2; fail=1; }
for c in "$src"/cmd/*.c; do
  tool=$(basename "$c" .c)
  n=$((n + 1))
  out=$("$bin/$tool" --version) || err "--version exit $?"
  [ "$out" = "$tool (billrun) $version" ] || err "--version says '$out'"
  "$bin/$tool" --help >help.txt 2>help.err || err "--help exit $?"
  [ -s help.err ] && err "--help wrote to stderr"
  for o in $(sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", [a-z_]*_argument,.*/\1/p' "$c") \
      $(grep -q BR_CLI_DB "$c" && echo db) \
      $(grep -q BR_CLI_OUTPUT "$c" && echo output) \
      $(grep -q BR_CLI_VERBOSE "$c" && echo verbose) help version; do
    grep -q -- "--$o\\b" help.txt || err "--help does not mention --$o"
  done
  grep -q '^Exit status:' help.txt || err "--help has no exit status table"
  "$bin/$tool" --no-such-option >/dev/null 2>bad.err
  st=$?
  [ $st -eq 2 ] || err "bad option: exit $st, want 2"
  head -n 1 bad.err | grep -q "^$tool: unrecognized option '--no-such-option'\$" ||
    err "bad option says '$(head -n 1 bad.err)'"
done
rm -f help.txt help.err bad.err
[ $n -gt 0 ] || { echo "no tools found under $src/cmd" >&2; exit 1; }
echo "$n tools checked"
exit $fail
