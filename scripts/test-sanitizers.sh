#!/usr/bin/env bash
# Builds everything with AddressSanitizer, UBSan and LeakSanitizer (Debug) in
# ./build-asan and runs the C++ suites there: every parsecd the end-to-end
# tests start is the instrumented one, so a leak or memory error in the daemon
# fails its test (it no longer exits 0). Not part of .ci/run (it doubles the
# build time); run it before merging changes to the service or providers.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
PARSEC_BUILD_DIR="$ROOT/build-asan" "$ROOT/scripts/build.sh" -DPARSEC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cd "$ROOT/build-asan"
ctest --output-on-failure --timeout 900 -j "$(nproc)"
