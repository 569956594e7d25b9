#!/usr/bin/env bash
# Fails if a C++ file tracked by git differs from what clang-format (with the
# repository's .clang-format) would write. `--fix` rewrites the files instead.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mapfile -t files < <(git ls-files '*.cc' '*.h' '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2> /tmp/parsec-format.$$; then
  grep -o '^[^:]*' /tmp/parsec-format.$$ | sort -u | sed 's/^/needs clang-format: /'
  rm -f /tmp/parsec-format.$$
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/parsec-format.$$
echo "check-format: ${#files[@]} files follow .clang-format"
