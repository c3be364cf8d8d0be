#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer harnesses and fuzz each parser for a bounded time.
#
#   scripts/fuzz.sh [-t SECONDS] [-b BUILDDIR] [--merge] [--no-build] [INPUT...]
#
#   -t SECONDS   time per harness (default 60; -max_total_time)
#   -b BUILDDIR  build directory (default build-fuzz in the source tree),
#                configured with CC=clang -DBR_FUZZ=ON
#                -DBR_SANITIZE=address,undefined
#   --merge      merge inputs that add coverage into the committed corpus
#                tests/fuzz/corpus/<input>/ (libFuzzer -merge=1); without it
#                new inputs go to BUILDDIR/fuzz-out/<input>/ only
#   --no-build   use the binaries already in BUILDDIR
#   INPUT        harness names (reads, registry, tariff, payments, nem12,
#                cmep, bai2, nacha, lockbox, ...); default every
#                tests/fuzz/fuzz_*.c
#
# One harness runs at a time, in one process (no -jobs or -fork: the cores are
# shared).  Crashes, leaks and timeouts are written to
# BUILDDIR/fuzz-out/<input>/artifacts/; reproduce one with
# BUILDDIR/replay_<input> FILE (or BUILDDIR/fuzz_<input> FILE), fix it and
# commit the file to the corpus as a regression input.  Exit status: 0
# when every harness ran clean, 1 when any found a problem, 2 for usage.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
secs=60
bdir="$here/build-fuzz"
merge=0
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    -t) [ $# -ge 2 ] || { echo "fuzz.sh: -t needs a value" >&2; exit 2; }
        secs=$2; shift 2 ;;
    -b) [ $# -ge 2 ] || { echo "fuzz.sh: -b needs a value" >&2; exit 2; }
        bdir=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
case "$secs" in
  ''|*[!0-9]*) echo "fuzz.sh: -t wants whole seconds" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
  for f in "$here"/tests/fuzz/fuzz_*.c; do
    n=$(basename "$f" .c); set -- "$@" "${n#fuzz_}"
  done
fi
for i in "$@"; do
  [ -f "$here/tests/fuzz/fuzz_$i.c" ] ||
    { echo "fuzz.sh: no harness tests/fuzz/fuzz_$i.c" >&2; exit 2; }
done

if [ $build -eq 1 ]; then
  CC=clang cmake -S "$here" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBR_FUZZ=ON -DBR_SANITIZE=address,undefined >/dev/null || exit 1
  targets=
  for i in "$@"; do targets="$targets fuzz_$i"; done
  # shellcheck disable=SC2086
  cmake --build "$bdir" -j2 --target $targets >"$bdir/build.log" 2>&1 || {
    tail -20 "$bdir/build.log" >&2
    echo "fuzz.sh: build failed, see $bdir/build.log" >&2; exit 1; }
fi

fail=0
for i in "$@"; do
  out="$bdir/fuzz-out/$i"
  rm -rf "$out/tmp"
  mkdir -p "$out/new" "$out/artifacts" "$out/tmp"
  dict=
  [ -f "$here/tests/fuzz/$i.dict" ] && dict="-dict=$here/tests/fuzz/$i.dict"
  echo "== $i: ${secs}s"
  # New inputs go to out/new; the committed corpus is only read.
  # libFuzzer's time limit exits without atexit: harness temp files go here.
  TMPDIR="$out/tmp" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$bdir/fuzz_$i" -max_total_time="$secs" \
    -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/" $dict \
    "$out/new" "$here/tests/fuzz/corpus/$i" >"$out/log" 2>&1
  st=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' \
    "$out/log" | tr '\n' ' '
  echo
  if [ $st -ne 0 ] || [ -n "$(ls "$out/artifacts")" ]; then
    echo "FAIL $i: exit $st, artifacts in $out/artifacts, log $out/log"
    grep -m3 -E 'ERROR|SUMMARY|runtime error' "$out/log"
    fail=1
  fi
  if [ $merge -eq 1 ]; then
    "$bdir/fuzz_$i" -merge=1 -timeout=10 -max_len=16384 \
      "$here/tests/fuzz/corpus/$i" "$out/new" >>"$out/log" 2>&1 ||
      { echo "FAIL $i: merge failed, see $out/log"; fail=1; }
    echo "   corpus/$i: $(ls "$here/tests/fuzz/corpus/$i" | wc -l) files"
  fi
done
exit $fail
