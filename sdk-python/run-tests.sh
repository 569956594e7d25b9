#!/usr/bin/env bash
# sdk-python/run-tests.sh PARSECD
#
# CI entry point of the Python SDK, the way a user installs it:
#   1. build-dist.sh builds the self-contained sdist and, from it, the
#      manylinux wheel (once; DIST=folder reuses the files of an earlier run);
#   2. the wheel is installed into a fresh virtual environment, from a folder
#      outside the checkout, with NO COMPILER ON PATH (PATH holds only the
#      venv's bin and a folder of symlinks to python3 and openssl; the script
#      checks that gcc, g++, cc, c++ and cmake cannot be found) and pip limited
#      to binary packages; the install time is printed;
#   3. the pytest suite (a copy of tests/, outside the checkout) runs with that
#      venv and that PATH against real parsecd processes started from PARSECD,
#      and examples/python/device_identity.py runs against a fresh daemon;
#   4. the sdist is installed into a second fresh venv (unpacked outside the
#      checkout; this step compiles, so it has the compiler; ccache makes it
#      quick) and the suite runs again.
#
# PARSECD: path of the parsecd binary (first argument, else $PARSECD).
# Environment: PYTHON (default python3), PYTEST_ADDOPTS (extra pytest options),
# DIST (a folder holding the sdist and wheel already built), CMAKE_BUILD_PARALLEL_LEVEL (default 2).
# Exit status: 0 only if both installs, every test and the example passed;
# pytest's "no tests collected" (exit 5) counts as a failure.
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
# The SDK must find the daemon only through what the tests set.
unset PARSEC_SERVICE_ENDPOINT PARSEC_SOURCE_DIR
# The test-time dependencies, pinned.
test_deps=("pytest>=7" "cryptography==50.0.2" "mypy==1.13.0")

work="$(mktemp -d "${TMPDIR:-/tmp}/parsec-sdk-python.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# ---- 1. the distribution ----------------------------------------------------------------
dist="${DIST:-$work/dist}"
if [[ -z "${DIST:-}" ]]; then
  PYTHONS="$python" "$here/build-dist.sh" "$dist"
fi
wheel="$(ls "$dist"/parsec_sdk-*-cp*-manylinux*.whl | head -n 1)"
sdist="$(ls "$dist"/parsec_sdk-*.tar.gz | head -n 1)"

# The suite and the example, copied out of the checkout.
suite="$work/suite"
mkdir -p "$suite/sdk-python" "$suite/examples/python"
cp -a "$here/tests" "$suite/sdk-python/"
cp "$root/examples/python/device_identity.py" "$suite/examples/python/"
find "$suite" -name __pycache__ -prune -exec rm -rf {} +

# run_suite VENV LABEL PATH: pytest and the example with that PATH.
run_suite() {
  local venv="$1" label="$2" path="$3" rc=0
  echo "== pytest ($label; parsecd: $PARSECD)"
  (cd "$suite/sdk-python" && env PATH="$path" PYTHONDONTWRITEBYTECODE=1 PARSEC_SDK_INSTALLED_FROM="$label" \
    "$venv/bin/python" -m pytest -p no:cacheprovider -rs tests) || rc=$?
  if [[ $rc -eq 5 ]]; then
    echo "run-tests.sh: pytest collected no tests" >&2
    exit 1
  fi
  if [[ $rc -ne 0 ]]; then
    echo "run-tests.sh: pytest failed ($label, exit $rc)" >&2
    exit "$rc"
  fi
  echo "== examples/python/device_identity.py against a fresh parsecd ($label)"
  (cd "$work" && env PATH="$path" PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" \
    "$suite/sdk-python/tests/parsecd.py" "$PARSECD" -- "$venv/bin/python" "$suite/examples/python/device_identity.py")
}

# ---- 2. the wheel, without a compiler -------------------------------------------------------
nocc="$work/nocc-bin"
mkdir -p "$nocc"
ln -s "$(command -v "$python")" "$nocc/python3"
ln -s "$(command -v openssl)" "$nocc/openssl"  # the suite cross-checks CSRs with openssl
venv="$work/venv-wheel"
"$python" -m venv "$venv"
path="$venv/bin:$nocc"
for tool in gcc g++ cc c++ cmake clang; do
  if PATH="$path" command -v "$tool" >/dev/null 2>&1; then
    echo "run-tests.sh: $tool is on the no-compiler PATH" >&2
    exit 1
  fi
done
echo "== pip install $(basename "$wheel") (fresh venv, from $work, no compiler on PATH, binary packages only)"
(cd "$work" && PATH="$path" "$venv/bin/python" -m pip install --quiet --only-binary=:all: "${test_deps[@]}")
start=$(date +%s%N)
(cd "$work" && PATH="$path" "$venv/bin/python" -m pip install --quiet --only-binary=:all: "$wheel")
end=$(date +%s%N)
echo "run-tests.sh: wheel install took $(((end - start) / 1000000)) ms (its dependencies were installed before)"
(cd "$work" && PATH="$path" "$venv/bin/python" -c \
  'import parsec_sdk, parsec_sdk._native; print("parsec_sdk", parsec_sdk.__version__, "from", parsec_sdk.__file__)')
run_suite "$venv" "wheel" "$path"

# ---- 3. the sdist, outside the checkout ------------------------------------------------------
# Unpacked at a fixed place under $work and built in place, so ccache's paths
# (CCACHE_BASEDIR=$work) are those of build-dist.sh's wheel build: cache hits.
echo "== pip install $(basename "$sdist") (fresh venv, unpacked in $work/src, compiles the C++ core)"
mkdir -p "$work/src"
tar -xzf "$sdist" -C "$work/src"
venv_s="$work/venv-sdist"
"$python" -m venv "$venv_s"
start=$(date +%s%N)
(cd "$work" && CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=true "$venv_s/bin/python" -m pip install --quiet \
  -Cbuild-dir="build/{wheel_tag}" "$(ls -d "$work/src"/*/)" "${test_deps[@]}")
end=$(date +%s%N)
echo "run-tests.sh: sdist install (build included) took $(((end - start) / 1000000)) ms"
run_suite "$venv_s" "sdist" "$venv_s/bin:$nocc"

echo "run-tests.sh: all Python SDK checks passed (wheel and sdist)"
