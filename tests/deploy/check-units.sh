#!/usr/bin/env bash
# tests/deploy/check-units.sh: the shipped systemd units parse cleanly and the
# service's exposure, as `systemd-analyze security --offline=yes` rates it, is
# at most MAX (2.0) alone and with each drop-in of parsec.service.d/ (the
# drop-ins loosen device and path access, so each combination is rated).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/examples/service"
MAX="${MAX_EXPOSURE:-2.0}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
command -v systemd-analyze > /dev/null || {
  echo "check-units: systemd-analyze missing (Debian package systemd)" >&2
  exit 1
}

# Syntax: systemd-analyze verify on copies whose binaries exist (/bin/true),
# so that only real mistakes (unknown keys, bad values) are reported.
mkdir -p "$T/verify/parsec.service.d"
sed 's#/usr/libexec/parsec/parsecd#/bin/true#' "$SRC/parsec.service" > "$T/verify/parsec.service"
cp "$SRC/parsec.socket" "$T/verify/"
cp "$SRC"/parsec.service.d/*.conf "$T/verify/parsec.service.d/"
if ! (cd "$T/verify" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./parsec.socket ./parsec.service) \
  > "$T/verify.log" 2>&1 || [ -s "$T/verify.log" ]; then
  echo "check-units: systemd-analyze verify complains:" >&2
  cat "$T/verify.log" >&2
  exit 1
fi
echo "check-units: ok: parsec.socket, parsec.service and its drop-ins verify cleanly"

failed=0
check() {
  local name="$1" dir="$T/$1"
  shift
  mkdir -p "$dir/parsec.service.d"
  cp "$SRC/parsec.service" "$dir/"
  for d in "$@"; do cp "$SRC/parsec.service.d/$d" "$dir/parsec.service.d/"; done
  local out score
  out="$(systemd-analyze security --offline=yes --no-pager "$dir/parsec.service" 2>&1)" || true
  score="$(sed -n 's/.*Overall exposure level for parsec.service: \([0-9]*\.[0-9]*\).*/\1/p' <<< "$out")"
  if [ -z "$score" ]; then
    echo "check-units: FAIL: $name: no overall exposure level in:" >&2
    echo "$out" >&2
    failed=1
    return
  fi
  if ! awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s <= m) }'; then
    echo "check-units: FAIL: $name: exposure $score > $MAX; the settings that cost:" >&2
    grep '✗' <<< "$out" >&2
    failed=1
    return
  fi
  echo "check-units: ok: $name: overall exposure $score (<= $MAX)"
}
check parsec.service
check "parsec.service + tpm.conf" tpm.conf
check "parsec.service + softhsm.conf" softhsm.conf
check "parsec.service + tpm.conf + softhsm.conf" tpm.conf softhsm.conf
exit "$failed"
