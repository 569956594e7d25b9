#!/usr/bin/env bash
# openssl-provider/run-tests.sh: CI entry point of the OpenSSL provider, callable
# from a clean clone after scripts/build.sh. It
#   1. installs the built tree into a temporary prefix (scripts/stage-install.sh
#      with PARSEC_STAGE_DIR): parsecd, parsec-cli and <prefix>/lib/ossl-modules/parsec.so,
#   2. runs tests/suite.sh against one real parsecd with the software provider,
#      SoftHSM and swtpm (tests/testbed/parsec-testbed.sh), loading the
#      *installed* module through an OpenSSL config file,
#   3. runs the samples the same way: examples/openssl (openssl req/s_server/
#      s_client, nginx, curl) and examples/python/mtls (requests + stdlib ssl,
#      then the Boost.Asio client of examples/cpp/mtls against the same server),
#   4. with --bench, runs the handshake benchmark only (see tests/bench.sh).
# Exit status 0 only if every check passed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"
[ -x "$BUILD/openssl-provider/parsec.so" ] || [ -f "$BUILD/openssl-provider/parsec.so" ] ||
  { echo "run-tests: $BUILD/openssl-provider/parsec.so missing (run scripts/build.sh)" >&2; exit 2; }

PREFIX="$(mktemp -d /tmp/parsec-ossl-prefix.XXXXXX)"
trap 'rm -rf "$PREFIX"' EXIT
eval "$(PARSEC_STAGE_DIR="$PREFIX" "$ROOT/scripts/stage-install.sh")"
LIBDIR="$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD/CMakeCache.txt")"
export PARSEC_OSSL_MODULE="$PREFIX/${LIBDIR:-lib}/ossl-modules/parsec.so"
export PARSEC_CLI="$PREFIX/bin/parsec-cli"
export PARSEC_OSSL_TOOL="$BUILD/openssl-provider/parsec_ossl_tool"
export PARSECD
[ -f "$PARSEC_OSSL_MODULE" ] || { echo "run-tests: the install did not produce $PARSEC_OSSL_MODULE" >&2; exit 1; }
echo "== provider installed: $PARSEC_OSSL_MODULE"

TESTBED="$ROOT/tests/testbed/parsec-testbed.sh"
if [ "${1:-}" = "--bench" ]; then
  "$TESTBED" run softhsm -- bash "$ROOT/openssl-provider/tests/bench.sh"
  exit 0
fi
echo "== provider suite (software, SoftHSM, TPM)"
"$TESTBED" run -- bash "$ROOT/openssl-provider/tests/suite.sh"
echo "== sample: examples/openssl"
"$TESTBED" run software -- bash "$ROOT/examples/openssl/walkthrough.sh"
echo "== samples: examples/python/mtls and examples/cpp/mtls"
"$TESTBED" run software -- bash "$ROOT/examples/python/mtls/run.sh"
echo "openssl-provider: all checks passed"
