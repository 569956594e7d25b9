#!/usr/bin/env bash
# Installs the built core (parsecd, parsec-cli, libparsec-client, headers, the
# CMake package and parsec-client.pc) into one staging prefix that the language
# suites build against: the Go, Java and OpenSSL-provider tests consume the core
# the way a user does, through the installed files only.
#   scripts/stage-install.sh            installs (cheap when nothing changed) and
#                                       prints shell assignments to eval:
#                                       PARSEC_PREFIX, PKG_CONFIG_PATH, PARSECD
#   PARSEC_BUILD_DIR   the build to install (default ./build, already built)
#   PARSEC_STAGE_DIR   the prefix (default <build>/stage)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"
STAGE="${PARSEC_STAGE_DIR:-$BUILD/stage}"
[ -f "$BUILD/CMakeCache.txt" ] || { echo "stage-install: no build in $BUILD (run scripts/build.sh)" >&2; exit 1; }
cmake --install "$BUILD" --prefix "$STAGE" > "$BUILD/stage-install.log" || { cat "$BUILD/stage-install.log" >&2; exit 1; }
LIBDIR="$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD/CMakeCache.txt")"
LIBDIR="${LIBDIR:-lib}"
echo "export PARSEC_PREFIX='$STAGE'"
echo "export PKG_CONFIG_PATH='$STAGE/$LIBDIR/pkgconfig'\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
echo "export PARSECD='$STAGE/bin/parsecd'"
