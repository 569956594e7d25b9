#!/usr/bin/env bash
# Runs parsecd on the software provider with a configuration that needs no
# root (socket and key store under ./demo/), then a short demo with parsec-cli:
# create a key, sign, verify with openssl, list keys, delete.
#   --keep-running   leave the daemon up at the end
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"
DEMO="$ROOT/demo"
KEEP=0
[ "${1:-}" = "--keep-running" ] && KEEP=1

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"

PARSECD="$BUILD/service/parsecd"
CLI="$BUILD/sdk-cpp/parsec-cli"
mkdir -p "$DEMO"
chmod 700 "$DEMO"
SOCK="$DEMO/parsec.sock"

# Stop a daemon left over from an earlier --keep-running demo.
if [ -f "$DEMO/parsecd.pid" ] && kill -0 "$(cat "$DEMO/parsecd.pid")" 2>/dev/null; then
  kill -TERM "$(cat "$DEMO/parsecd.pid")"
  while kill -0 "$(cat "$DEMO/parsecd.pid")" 2>/dev/null; do sleep 0.1; done
fi

ALLOW_ROOT=false
if [ "$(id -u)" -eq 0 ]; then
  ALLOW_ROOT=true   # only because this demo was started as root
fi
cat > "$DEMO/config.toml" <<CONF
[core_settings]
allow_root = $ALLOW_ROOT
log_level = "info"

[listener]
listener_type = "DomainSocket"
timeout = 200
socket_path = "$SOCK"

[authenticator]
auth_type = "UnixPeerCredentials"

[[key_manager]]
name = "sqlite-manager"
manager_type = "SQLite"
sqlite_db_path = "$DEMO/store/keys.sqlite3"

[[provider]]
provider_type = "MbedCrypto"
key_info_manager = "sqlite-manager"
CONF

"$PARSECD" -c "$DEMO/config.toml" > "$DEMO/parsecd.log" 2>&1 &
PID=$!
echo "$PID" > "$DEMO/parsecd.pid"
cleanup() {
  if [ "$KEEP" -eq 0 ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" || true
  fi
}
trap cleanup EXIT

# Wait (bounded) for the daemon to listen.
for _ in $(seq 1 100); do
  grep -q "parsecd listening" "$DEMO/parsecd.log" && break
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "parsecd failed to start:"; cat "$DEMO/parsecd.log"; exit 1
  fi
  sleep 0.1
done
grep -q "parsecd listening" "$DEMO/parsecd.log" || { echo "parsecd did not start"; cat "$DEMO/parsecd.log"; exit 1; }

export PARSEC_SERVICE_ENDPOINT="unix:$SOCK"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
KEY="demo-key-$$"
MSG="$DEMO/message.txt"
printf 'The quick brown fox signs over the lazy dog\n' > "$MSG"

step parsec-cli ping;                          "$CLI" ping
step parsec-cli list-providers;                "$CLI" list-providers
step parsec-cli create-ecc-key -k "$KEY";      "$CLI" create-ecc-key -k "$KEY"
step parsec-cli export-public-key -k "$KEY";   "$CLI" export-public-key -k "$KEY" | tee "$DEMO/public.pem"
step parsec-cli sign -k "$KEY" "\"\$(cat message.txt)\""
"$CLI" sign -k "$KEY" "$(cat "$MSG")" | tee "$DEMO/signature.b64"
base64 -d "$DEMO/signature.b64" > "$DEMO/signature.der"
printf '%s' "$(cat "$MSG")" > "$DEMO/signed.txt"
step openssl dgst -sha256 -verify public.pem -signature signature.der signed.txt
openssl dgst -sha256 -verify "$DEMO/public.pem" -signature "$DEMO/signature.der" "$DEMO/signed.txt"
step parsec-cli list-keys;                     "$CLI" list-keys
step parsec-cli delete-key -k "$KEY";          "$CLI" delete-key -k "$KEY"
step parsec-cli list-keys;                     "$CLI" list-keys

if [ "$KEEP" -eq 1 ]; then
  printf '\nparsecd is still running (pid %s). Use it with:\n  export PARSEC_SERVICE_ENDPOINT=unix:%s\n' "$PID" "$SOCK"
else
  printf '\nDemo complete; stopping parsecd.\n'
fi
