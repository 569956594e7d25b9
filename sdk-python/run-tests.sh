#!/usr/bin/env bash
# sdk-python/run-tests.sh PARSECD
#
# CI entry point of the Python SDK: builds and installs parsec_sdk into a fresh
# virtual environment (`pip install ./sdk-python pytest cryptography`, which
# compiles the C++ client core from this checkout), runs the pytest suite
# against real parsecd processes started from the PARSECD binary, then runs
# examples/python/device_identity.py against a fresh daemon.
#
# PARSECD: path of the parsecd binary (first argument, else $PARSECD).
# Environment: PYTHON (default python3), PYTEST_ADDOPTS (extra pytest options),
# CMAKE_BUILD_PARALLEL_LEVEL (default 2).
# Exit status: 0 only if the install, every test and the example passed; pytest's
# "no tests collected" (exit 5) counts as a failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

parsecd="${1:-${PARSECD:-}}"
if [[ -z "$parsecd" ]]; then
  echo "usage: $0 PARSECD   (path of the parsecd binary)" >&2
  exit 2
fi
if [[ "$parsecd" != /* ]]; then
  parsecd="$(pwd)/$parsecd"
fi
if [[ ! -x "$parsecd" ]]; then
  echo "run-tests.sh: parsecd binary not found or not executable: $parsecd" >&2
  exit 2
fi
export PARSECD="$parsecd"

python="${PYTHON:-python3}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
# The SDK must find the daemon only through what the tests set.
unset PARSEC_SERVICE_ENDPOINT

work="$(mktemp -d "${TMPDIR:-/tmp}/parsec-sdk-python.XXXXXX")"
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

echo "== creating a virtual environment in $venv"
"$python" -m venv "$venv"
vpy="$venv/bin/python"
"$vpy" -m pip install --quiet --upgrade pip

echo "== pip install ./sdk-python pytest cryptography"
(cd "$root" && "$vpy" -m pip install ./sdk-python pytest "cryptography==50.0.2")
"$vpy" -c 'import parsec_sdk, parsec_sdk._native as n; print("parsec_sdk", parsec_sdk.__version__, "from", parsec_sdk.__file__)'

echo "== pytest (parsecd: $PARSECD)"
rc=0
# The package is imported from the venv (the sources are under src/, not on
# sys.path); no cache or bytecode is written into the checkout.
(cd "$here" && PYTHONDONTWRITEBYTECODE=1 "$vpy" -m pytest -p no:cacheprovider -rs tests) || rc=$?
if [[ $rc -eq 5 ]]; then
  echo "run-tests.sh: pytest collected no tests" >&2
  exit 1
fi
if [[ $rc -ne 0 ]]; then
  echo "run-tests.sh: pytest failed (exit $rc)" >&2
  exit "$rc"
fi

echo "== examples/python/device_identity.py against a fresh parsecd"
(cd "$work" && PYTHONDONTWRITEBYTECODE=1 "$vpy" "$here/tests/parsecd.py" "$PARSECD" -- \
    "$vpy" "$root/examples/python/device_identity.py")

echo "run-tests.sh: all Python SDK checks passed"
