#!/usr/bin/env bash
# Proves that tests/hygiene/check.sh can fail: a scratch repository with one
# violation of each rule must be refused, naming every rule; the same
# repository without the violations must pass.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
cd "$T"
git init -q .
mkdir -p interface/src providers/x service/src sdk-cpp/src
printf 'void ok();\n' > interface/src/secret.cc
printf '#include "service/src/config.h"\n' > service/src/handler.cc
git add -A
git -c user.email=t@t -c user.name=t commit -qm clean
bash "$HERE/check.sh" "$T" > /dev/null 2>&1 || { echo "selftest: a clean tree was refused"; exit 1; }

printf 'void f(char* p) { OPENSSL_cleanse(p, 4); }\n' > sdk-cpp/src/a.cc
printf 'class SecretBytes {};\n' > sdk-cpp/src/b.h
printf '#include "psa_sign_hash.pb.h"\n' > providers/x/p.cc
printf 'void g(int op) { switch (op) { case Opcode::Ping: break; } }\n' >> service/src/handler.cc
printf '#include "config.h"\n' > service/src/other.cc
git add -A
if out=$(bash "$HERE/check.sh" "$T" 2>&1); then
  echo "selftest: violations were not refused"
  exit 1
fi
for rule in "wiping primitive" "second SecretBytes" "protobuf header" "per-opcode case" "quoted include"; do
  grep -q "$rule" <<<"$out" || { echo "selftest: rule not reported: $rule"; echo "$out"; exit 1; }
done
echo "selftest: check.sh refuses each kind of violation and passes a clean tree"
