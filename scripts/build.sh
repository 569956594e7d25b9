#!/usr/bin/env bash
# Configures (once) and builds parsec-cpp in ./build with Ninja and ccache.
# Extra arguments are passed to the CMake configure step.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Hits across clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$ROOT"
export CCACHE_NOHASHDIR=true

WERROR=OFF
if [ "${CI:-}" = "true" ]; then
  WERROR=ON
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  # Later -D arguments win, so callers may override the build type.
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARSEC_WERROR="$WERROR" "$@"
fi
cmake --build "$BUILD" -j "$(nproc)"
