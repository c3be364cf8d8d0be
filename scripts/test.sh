#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run every test twice: a normal build and an ASan/UBSan build (the
# scheduler tests, label scheduler, and the browser test, label browser,
# only in the normal build: they test the scripts, the scheduler and the
# page in a browser, not the tools' memory).
# Usage: scripts/test.sh [--fast]   (--fast skips the sanitizer build)
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBR_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
if [ "${1:-}" != "--fast" ]; then
  cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DBR_WERROR=ON \
    -DBR_SANITIZE=address,undefined >/dev/null
  cmake --build build-san -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-san --output-on-failure -j"$jobs" -LE 'scheduler|browser'
fi
echo "all tests passed"
