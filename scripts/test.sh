#!/usr/bin/env bash
# Runs every test of parsec-cpp on a fresh Debian 12 machine: installs what is
# missing, builds once, then runs the unit and end-to-end suites (which start
# their own parsecd, SoftHSM token and swtpm in temporary folders).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"

cd "$BUILD"
ctest --output-on-failure --timeout 600 -j "$(nproc)"
