#!/usr/bin/env bash
# Runs every test of parsec-cpp on a fresh Debian 12 machine: installs what is
# missing, builds once, then runs
#   0. the formatting check (clang-format) and, inside ctest, the hygiene rules,
#   1. the C++ unit and end-to-end suites (ctest; they start their own parsecd,
#      SoftHSM token and swtpm in temporary folders),
#   2. the install check (scripts/check-install.sh: install into a temporary
#      prefix, build examples/cpp and a pkg-config program against it, run them
#      against the installed parsecd), and
#   3. the Python SDK suite from its wheel (installed with no compiler on PATH)
#      and from its sdist, each in a fresh virtual environment,
#   4. the Go SDK (go vet, go test -race) and the Java SDK (JUnit, Maven
#      offline after one pre-fetch into ~/.m2), both built against the core
#      installed into build/stage, with their mTLS examples, against real
#      daemons on the software provider, SoftHSM and swtpm,
#   5. the OpenSSL provider suite (openssl s_server/s_client, curl, nginx,
#      the Python requests and Boost.Asio mTLS samples) on all three,
#   6. the cross-language interop matrix (tests/interop: C++, parsec-cli,
#      Python, Go, Java and the OpenSSL provider, each creating keys the others
#      use, on all three providers; docs/interop.md),
#   7. the deployment checks (tests/deploy: systemd socket activation under the
#      unit's sandbox, systemd-analyze exposure of the shipped units, Kubernetes
#      manifests against their schemas),
#   8. the JWT-SVID suite against a real SPIRE server and agent (tests/spiffe;
#      SPIRE is built once from the Go module proxy and cached), and
#   9. each libFuzzer target of fuzz/ for a few seconds (fuzz/run.sh).
# Not here, because upstream's cold build takes ~20 min: both-ways runs with
# upstream Parsec (scripts/test-upstream-compat.sh; docs/interop.md).
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

echo "== Go SDK tests"
bash "$ROOT/sdk-go/run-tests.sh"

echo "== Java SDK tests"
bash "$ROOT/sdk-java/run-tests.sh"

echo "== OpenSSL provider and mTLS samples"
bash "$ROOT/openssl-provider/run-tests.sh"

bash "$ROOT/tests/interop/run.sh" # interop matrix: 6 languages x providers 1-3 (prints its own == lines)

echo "== Deployment: systemd socket activation and unit hardening, Kubernetes manifests"
bash "$ROOT/tests/deploy/run.sh"

echo "== JWT-SVID authentication against real SPIRE (tests/spiffe)"
bash "$ROOT/tests/spiffe/run.sh"

echo "== Fuzzers (libFuzzer, clang, build-fuzz/; a few seconds each)"
bash "$ROOT/fuzz/run.sh" 5
