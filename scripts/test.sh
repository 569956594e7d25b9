#!/usr/bin/env bash
# Runs every test of parsec-cpp on a fresh Debian 12 machine: installs what is
# missing, builds once, then runs
#   0. the formatting check (clang-format) and, inside ctest, the hygiene rules,
#   1. the C++ unit and end-to-end suites (ctest; they start their own parsecd,
#      SoftHSM token and swtpm in temporary folders),
#   2. the install check (scripts/check-install.sh: install into a temporary
#      prefix, build examples/cpp and a pkg-config program against it, run them
#      against the installed parsecd), and
#   3. the Python SDK suite in a fresh virtual environment, against a parsecd
#      started by its fixture.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/install-deps.sh"

echo "== Formatting (.clang-format)"
"$ROOT/scripts/check-format.sh"

"$ROOT/scripts/build.sh"

echo "== C++ unit and end-to-end tests"
(cd "$BUILD" && ctest --output-on-failure --timeout 600 -j "$(nproc)")

echo "== Install check"
"$ROOT/scripts/check-install.sh"

echo "== Python SDK tests"
bash "$ROOT/sdk-python/run-tests.sh" "$BUILD/service/parsecd"

echo "== OpenSSL provider and mTLS samples"
bash "$ROOT/openssl-provider/run-tests.sh"
