#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...] - builds the libFuzzer targets with clang
# (ASan + UBSan, a separate build directory, build-fuzz/) and runs each for
# SECONDS (default 5) on a scratch copy of its seed corpus (fuzz/corpus/), so
# the committed corpus does not grow. Prints each target's executions; exits
# non-zero on the first crash, leak or sanitizer report (the reproducer is kept
# under build-fuzz/findings/).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_EACH="${1:-5}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(request_fuzzer proto_fuzzer import_fuzzer config_fuzzer)
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true

if [ ! -f "$BUILD/build.ninja" ]; then
  # Only what the targets link: no SDK, and the providers stay out of the
  # registry (the request fuzzer builds its own Backends on the fake provider).
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARSEC_FUZZ=ON \
    -DPARSEC_BUILD_SDK=OFF -DPARSEC_BUILD_TESTS=OFF -DPARSEC_PROVIDER_MBED_CRYPTO=OFF -DPARSEC_PROVIDER_PKCS11=OFF \
    -DPARSEC_PROVIDER_TPM=OFF
fi
cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]}" seed_gen

mkdir -p "$BUILD/findings"
total=0
for t in "${TARGETS[@]}"; do
  corpus="${t%_fuzzer}"
  work="$BUILD/corpus-work/$corpus"
  mkdir -p "$work"
  cp -n "$ROOT/fuzz/corpus/$corpus"/* "$work"/ 2>/dev/null || true
  log="$BUILD/findings/$t.log"
  if ! "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$BUILD/findings/$t-" "$work" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "FUZZ FAILURE: $t (log $log)" >&2
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  total=$((total + ${runs:-0}))
  printf '%-16s %12s executions in %ss, no crash\n' "$t" "${runs:-?}" "$SECONDS_EACH"
done
printf '%-16s %12s executions\n' total "$total"
