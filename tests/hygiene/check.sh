#!/usr/bin/env bash
# Repository hygiene rules that a compiler cannot check (run by ctest as
# "hygiene"). Each rule prints the offending lines and the test fails.
#  1. One secret-wiping implementation: parsec/interface/secret.h and
#     interface/src/secret.cc. No explicit_bzero, OPENSSL_cleanse, memset_s,
#     volatile wiping loops, or a second SecretBytes/wipe definition elsewhere.
#  2. The provider interface and every provider are free of protobuf: no
#     generated .pb.h include under providers/.
#  3. The service dispatches through its operation table: handler.cc has no
#     per-opcode case labels.
#  4. Project includes are rooted: a quoted include names a path with a folder
#     ("service/src/config.h"), so no two folders' "config.h" can be confused.
set -uo pipefail
ROOT="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$ROOT"
fail=0
report() {
  echo "hygiene: $1" >&2
  echo "$2" | sed 's/^/  /' >&2
  fail=1
}

src_files() { git ls-files -- '*.cc' '*.h' '*.c' '*.cpp' '*.hpp' '*.py' '*.go' '*.java' '*.i'; }

# 1. wiping primitives
hits=$(src_files | grep -v -e '^interface/src/secret.cc$' -e '^interface/include/parsec/interface/secret.h$' -e '^tests/hygiene/' |
  xargs grep -nE 'explicit_bzero|OPENSSL_cleanse|memset_s|SecureZeroMemory|volatile[^;]*\*' 2>/dev/null)
[ -n "$hits" ] && report "wiping primitive outside interface/src/secret.cc" "$hits"
hits=$(src_files | grep -v -e '^interface/include/parsec/interface/secret.h$' -e '^interface/src/secret.cc$' |
  xargs grep -nE '^\s*(class|struct)\s+SecretBytes\b|^\s*void\s+wipe\s*\(' 2>/dev/null)
[ -n "$hits" ] && report "a second SecretBytes or wipe() definition" "$hits"

# 2. protobuf in providers
hits=$(git ls-files -- 'providers/*' | grep -E '\.(h|cc)$' | xargs grep -nE '#include\s*[<"][^">]*\.pb\.h' 2>/dev/null)
[ -n "$hits" ] && report "generated protobuf header included under providers/" "$hits"

# 3. handler dispatch
hits=$(grep -nE 'case\s+Opcode::' service/src/handler.cc 2>/dev/null)
[ -n "$hits" ] && report "per-opcode case in service/src/handler.cc (use the operation table)" "$hits"

# 4. rooted includes
hits=$(git ls-files -- '*.cc' '*.h' | grep -v '^examples/' |
  xargs grep -nE '^\s*#\s*include\s*"[^/"]+"' 2>/dev/null | grep -v '\.pb\.h"')
[ -n "$hits" ] && report "quoted include without a folder (root it at the repository)" "$hits"

if [ "$fail" -eq 0 ]; then
  echo "hygiene: all rules hold"
fi
exit "$fail"
