#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The install layout under ctest: `cmake --install BUILDDIR` into a
# temporary prefix, check the layout (tools and billrun-* scripts in bin/,
# rates and demo data in share/billrun/, man pages, docs), then run the
# demo cycle from the installed copy alone, in an empty directory with a
# bare environment, and compare its outputs with testdata/demo/expected.
# When the caller may create a mount namespace (root), the source tree is
# hidden under an empty tmpfs for the run, so it is truly out of reach.
#   scripts/check-install.sh BUILDDIR
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: check-install.sh BUILDDIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail=0
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || {
  echo "FAIL: cmake --install"; cat "$work/install.log"; exit 1; }
for c in "$src"/cmd/*.c; do
  t=$(basename "$c" .c)
  [ -x "$prefix/bin/$t" ] || { echo "FAIL: bin/$t not installed"; fail=1; }
  [ -f "$prefix/share/man/man1/$t.1" ] || { echo "FAIL: man1/$t.1 not installed"; fail=1; }
done
for s in run-cycle what-if run-shards merge-reports; do
  [ -x "$prefix/bin/billrun-$s" ] || { echo "FAIL: bin/billrun-$s not installed"; fail=1; }
  [ -f "$prefix/share/man/man1/billrun-$s.1" ] || { echo "FAIL: man1/billrun-$s.1 not installed"; fail=1; }
done
for f in share/man/man5/br-tariff.5 share/billrun/rates/RES-FLAT.yaml \
    share/billrun/demo/registry/utility.csv share/billrun/examples/vee-rules.yaml \
    share/doc/billrun/README.md share/doc/billrun/NOTICE share/doc/billrun/tariff.md; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; fail=1; }
done
# Test data with third-party licences stays out of an installation.
if find "$prefix" -path '*samples-*' -o -name SOURCES.txt | grep -q .; then
  echo "FAIL: third-party test data installed"; fail=1
fi
[ $fail -eq 0 ] || exit 1

mkdir "$work/run"
cat >"$work/run.sh" <<'RUN'
cd "$1" || exit 70
exec env -i PATH="$2/bin:/usr/bin:/bin" TZ=UTC LC_ALL=C HOME="$1" \
  billrun-run-cycle "$2/share/billrun/demo" 2026-10
RUN
hidden=no
if unshare -m --propagation private sh -c \
    "mount -t tmpfs none '$src' && [ ! -e '$src/CMakeLists.txt' ]" 2>/dev/null; then
  unshare -m --propagation private sh -c \
    "mount -t tmpfs none '$src' && sh '$work/run.sh' '$work/run' '$prefix'" \
    >"$work/log" 2>&1
  rc=$?
  hidden=yes
else
  sh "$work/run.sh" "$work/run" "$prefix" >"$work/log" 2>&1
  rc=$?
fi
# Exit 1: the cycle completed with a bill on hold (the demo holds one).
[ $rc -le 1 ] || { echo "FAIL: billrun-run-cycle exited $rc"; cat "$work/log"; exit 1; }
out=$work/run/out/2026-10
exp=$src/testdata/demo/expected
for f in $(cd "$exp" && find . -type f | sort); do
  cmp -s "$exp/$f" "$out/$f" || {
    echo "FAIL: $f differs from expected"; diff "$exp/$f" "$out/$f" | head -10; fail=1; }
done
# The tariffs came from the installation, nothing names the source tree.
grep -q '^rate .* rates/RES-FLAT.yaml$' "$out/manifest.txt" || {
  echo "FAIL: manifest lists no installed tariff"; fail=1; }
if grep -rqF "$src" "$work/log" "$out" 2>/dev/null; then
  echo "FAIL: the installed run names the source tree $src"; fail=1
fi
n=$(cd "$exp" && find . -type f | wc -l)
[ $fail -eq 0 ] && echo "install: layout complete; demo cycle from the prefix" \
  "(source tree hidden: $hidden): $n expected files identical"
exit $fail
