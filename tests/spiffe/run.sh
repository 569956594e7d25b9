#!/usr/bin/env bash
# tests/spiffe/run.sh: the JWT-SVID suite against a real SPIRE server and agent.
#
# Sets up, all in one temporary folder and on loopback only: spire-server (trust
# domain parsec.test, join_token node attestation, SQLite data store), one
# spire-agent (unix workload attestor) and parsecd (tests/testbed, software
# provider) with the JwtSvid authenticator beside Direct and UnixPeerCredentials.
# Workloads are told apart by uid (setpriv; needs root):
#   uid 10001 spiffe://parsec.test/workload-a     uid 10002 spiffe://parsec.test/workload-b
#   uid 10003 spiffe://parsec.test/admin (in the authenticator's admins)
#   uid 10004 spiffe://parsec.test/short-lived (JWT-SVIDs live 10 s: token rotation)
#   uid 0     spiffe://parsec.test/parsecd (the daemon itself)
# and use parsec-cli --auth jwt-svid (SPIFFE_ENDPOINT_SOCKET) or tests/spiffe
# jwt_probe (a given token; rotation). Checked: each workload sees only its own
# keys; a signature by workload A verifies with OpenSSL and workload B cannot use
# A's key; the admin lists and deletes clients, a workload cannot; tokens for
# another audience, expired, unsigned, forged (other trust domain, right trust
# domain but wrong key), malformed and non-UTF-8 ones are refused with a log line
# and the token never logged; the agent going down gives
# PsaErrorCommunicationFailure and a log line, and validation recovers when it
# returns; a client keeps working across token rotations.
#
# Needs: scripts/build.sh done with PARSEC_WITH_JWT_SVID (gRPC found), Go (SPIRE
# is built once by build-spire.sh and cached in ~/.cache/parsec-spire), openssl.
# Ends with "N passed, M failed"; exit status 0 only when all passed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"
CLI="$BUILD/sdk-cpp/parsec-cli"
PROBE="$BUILD/tests/spiffe/jwt_probe"
TESTBED="$ROOT/tests/testbed/parsec-testbed.sh"
TD=parsec.test

die() {
  echo "spiffe: $*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root: the workloads are told apart by uid and run with setpriv"
grep -q '^PARSEC_WITH_JWT_SVID:BOOL=ON' "$BUILD/CMakeCache.txt" 2> /dev/null ||
  die "$BUILD was configured without PARSEC_WITH_JWT_SVID (install libgrpc++-dev protobuf-compiler-grpc, reconfigure)"
[ -x "$CLI" ] && [ -x "$PROBE" ] || die "build first: scripts/build.sh (missing $CLI or $PROBE)"
SPIRE_BIN="$("$ROOT/tests/spiffe/build-spire.sh")"

W="$(mktemp -d /tmp/parsec-spiffe.XXXXXX)"
chmod 755 "$W"
SPIRE_SERVER_PID="" SPIRE_AGENT_PID=""
cleanup() {
  set +e
  "$TESTBED" stop "$W/parsec" > /dev/null 2>&1
  [ -n "$SPIRE_AGENT_PID" ] && kill "$SPIRE_AGENT_PID" 2> /dev/null && wait "$SPIRE_AGENT_PID" 2> /dev/null
  [ -n "$SPIRE_SERVER_PID" ] && kill "$SPIRE_SERVER_PID" 2> /dev/null && wait "$SPIRE_SERVER_PID" 2> /dev/null
  if [ "${KEEP:-0}" = 1 ] || [ "$failed" -gt 0 ]; then
    echo "spiffe: logs kept in $W (parsec/parsecd.log, server.log, agent.log)"
  else
    rm -rf "$W"
  fi
}
passed=0 failed=0
trap cleanup EXIT

ok() {
  echo "ok - $1"
  passed=$((passed + 1))
}
not_ok() {
  echo "not ok - $1"
  [ -n "${2:-}" ] && echo "$2" | sed 's/^/    /'
  failed=$((failed + 1))
}
# check NAME CONDITION-COMMAND...
check() {
  local name="$1"
  shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# wait_until SECONDS CMD...: runs CMD every 100 ms until it succeeds (SPIRE
# offers no readiness event to wait on).
wait_until() {
  local tries=$(($1 * 10))
  shift
  for ((i = 0; i < tries; i++)); do
    "$@" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# ---- SPIRE server ----------------------------------------------------------------
SERVER_SOCK="$W/server/api.sock"
AGENT_SOCK="$W/agent/public/api.sock"
mkdir -p "$W/server/data" "$W/agent/data" "$W/agent/public"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$W/server/server.conf" << CONF
server {
  bind_address = "127.0.0.1"
  bind_port = "$PORT"
  socket_path = "$SERVER_SOCK"
  trust_domain = "$TD"
  data_dir = "$W/server/data"
  log_level = "INFO"
  default_jwt_svid_ttl = "5m"
}
plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "$W/server/data/datastore.sqlite3"
    }
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "memory" {
    plugin_data {}
  }
}
CONF
"$SPIRE_BIN/spire-server" run -config "$W/server/server.conf" >> "$W/server.log" 2>&1 &
SPIRE_SERVER_PID=$!
wait_until 60 "$SPIRE_BIN/spire-server" healthcheck -socketPath "$SERVER_SOCK" || {
  tail -20 "$W/server.log" >&2
  die "spire-server did not become healthy (log: $W/server.log)"
}
server() { "$SPIRE_BIN/spire-server" "$1" "${@:2}" -socketPath "$SERVER_SOCK"; }
NODE_ID="spiffe://$TD/node"
register() { # SPIFFE-PATH UID [extra flags]
  server entry create -parentID "$NODE_ID" -spiffeID "spiffe://$TD/$1" -selector "unix:uid:$2" "${@:3}" > /dev/null
}
register workload-a 10001
register workload-b 10002
register admin 10003
register short-lived 10004 -jwtSVIDTTL 10
register parsecd 0
TOKEN="$("$SPIRE_BIN/spire-server" token generate -socketPath "$SERVER_SOCK" -spiffeID "$NODE_ID" | awk '/Token:/ {print $2}')"
[ -n "$TOKEN" ] || die "spire-server token generate gave no join token"
"$SPIRE_BIN/spire-server" bundle show -socketPath "$SERVER_SOCK" > "$W/bundle.pem"

# ---- SPIRE agent -------------------------------------------------------------------
cat > "$W/agent/agent.conf" << CONF
agent {
  data_dir = "$W/agent/data"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "$PORT"
  socket_path = "$AGENT_SOCK"
  trust_bundle_path = "$W/bundle.pem"
  trust_domain = "$TD"
}
plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "disk" {
    plugin_data {
      directory = "$W/agent/data"
    }
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
CONF
start_agent() {
  "$SPIRE_BIN/spire-agent" run -config "$W/agent/agent.conf" "$@" >> "$W/agent.log" 2>&1 &
  SPIRE_AGENT_PID=$!
  wait_until 60 "$SPIRE_BIN/spire-agent" healthcheck -socketPath "$AGENT_SOCK" || {
    tail -20 "$W/agent.log" >&2
    die "spire-agent did not become healthy (log: $W/agent.log)"
  }
}
start_agent -joinToken "$TOKEN"

# The workloads' own copy of the agent binary: the build cache may sit under a
# home folder (/root is 0700) that the workload uids cannot enter.
mkdir -p "$W/bin"
install -m 0755 "$SPIRE_BIN/spire-agent" "$W/bin/spire-agent"
as_uid() { # UID CMD...: run CMD as that uid, with the Workload API and parsecd endpoints
  local uid="$1"
  shift
  setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    env SPIFFE_ENDPOINT_SOCKET="unix://$AGENT_SOCK" PARSEC_SERVICE_ENDPOINT="${PARSEC_SERVICE_ENDPOINT:-}" "$@"
}
# fetch_token UID AUDIENCE: a JWT-SVID from the agent, printed alone.
fetch_token() {
  as_uid "$1" "$W/bin/spire-agent" api fetch jwt -audience "$2" -socketPath "$AGENT_SOCK" 2> /dev/null |
    awk '/^token\(/ {getline; gsub(/[ \t]/, ""); print; exit}'
}
has_token() { [ -n "$(fetch_token "$1" parsec)" ]; }
# The agent learns the entries on its first sync with the server.
for uid in 10001 10002 10003 10004 0; do
  wait_until 60 has_token "$uid" || die "the agent issues no JWT-SVID for uid $uid (log: $W/agent.log)"
done

# ---- parsecd ---------------------------------------------------------------------------
"$TESTBED" start "$W/parsec" software > /dev/null
"$TESTBED" stop "$W/parsec"
cat >> "$W/parsec/config.toml" << CONF

[[authenticator]]
auth_type = "JwtSvid"
workload_endpoint = "unix://$AGENT_SOCK"
admins = [ { name = "spiffe://$TD/admin" } ]
CONF
"$TESTBED" start "$W/parsec" > /dev/null
# shellcheck disable=SC1091
source "$W/parsec/env"
export PARSEC_SERVICE_ENDPOINT
# The workloads are other uids: let them reach the socket (not read the folder).
chmod 711 "$W/parsec"
LOG="$W/parsec/parsecd.log"

A="spiffe://$TD/workload-a" B="spiffe://$TD/workload-b"
cli_a() { as_uid 10001 "$CLI" --auth jwt-svid "$@"; }
cli_b() { as_uid 10002 "$CLI" --auth jwt-svid "$@"; }
cli_admin() { as_uid 10003 "$CLI" --auth jwt-svid "$@"; }
probe() { # TOKEN-FILE: the status parsecd answers to ListKeys with that token
  chmod 644 "$1"
  as_uid 10001 "$PROBE" token "$1"
}
contains() { [[ "$1" == *"$2"* ]]; }

echo "# SPIRE $(basename "$SPIRE_BIN") at $W; parsecd authenticators:"
"$CLI" list-authenticators | sed 's/^/#   /'
out="$("$CLI" list-authenticators)"
check "parsecd offers JwtSvid beside Direct and UnixPeerCredentials" \
  bash -c '[[ "$1" == *"ID: 0x04 (JWT SPIFFE"* && "$1" == *"ID: 0x01 (Direct"* && "$1" == *"ID: 0x03 (Unix Peer"* ]]' _ "$out"

# ---- keys are per SPIFFE ID ----------------------------------------------------------------
check "workload A creates an ECC key" cli_a create-ecc-key -k a-key
check "workload B creates an ECC key" cli_b create-ecc-key -k b-key
keys_a="$(cli_a list-keys 2>&1 || true)"
keys_b="$(cli_b list-keys 2>&1 || true)"
check "workload A lists only its own key" bash -c '[[ "$1" == *a-key* && "$1" != *b-key* ]]' _ "$keys_a"
check "workload B lists only its own key" bash -c '[[ "$1" == *b-key* && "$1" != *a-key* ]]' _ "$keys_b"

MSG="signed by a workload known only by its SPIFFE ID"
printf '%s' "$MSG" > "$W/msg.txt"
sig="$(cli_a sign -k a-key "$MSG")"
cli_a export-public-key -k a-key > "$W/a-key.pub.pem"
printf '%s' "$sig" | openssl base64 -d -A > "$W/sig.der"
verified="$(openssl dgst -sha256 -verify "$W/a-key.pub.pem" -signature "$W/sig.der" "$W/msg.txt" 2>&1 || true)"
echo "# workload A ($A) signed \"$MSG\":"
echo "#   signature (base64 DER ECDSA P-256/SHA-256): $sig"
echo "#   openssl dgst -sha256 -verify a-key.pub.pem -signature sig.der msg.txt: $verified"
check "workload A's signature verifies with OpenSSL" [ "$verified" = "Verified OK" ]
refusal="$(cli_b sign -k a-key "$MSG" 2>&1)" && not_ok "workload B cannot sign with A's key" "$refusal" || {
  echo "# workload B ($B) asking for A's key: $refusal"
  check "workload B cannot sign with A's key (PsaErrorDoesNotExist)" contains "$refusal" PsaErrorDoesNotExist
}
refusal="$(cli_b export-public-key -k a-key 2>&1)" && not_ok "workload B cannot export A's public key" ||
  check "workload B cannot export A's public key (PsaErrorDoesNotExist)" contains "$refusal" PsaErrorDoesNotExist

# ---- admin ------------------------------------------------------------------------------------
clients="$(cli_admin list-clients 2>&1 || true)"
check "the admin SPIFFE ID lists both workloads as clients" bash -c '[[ "$1" == *"$2"* && "$1" == *"$3"* ]]' _ \
  "$clients" "$A" "$B"
refusal="$(cli_a list-clients 2>&1)" && not_ok "a workload cannot list clients" "$refusal" ||
  check "a workload cannot list clients (AdminOperation)" contains "$refusal" AdminOperation
check "the admin deletes workload B" cli_admin delete-client --client "$B"
keys_b="$(cli_b list-keys 2>&1 || true)"
check "workload B has no key left after the deletion" bash -c '[[ "$1" != *b-key* ]]' _ "$keys_b"
keys_a="$(cli_a list-keys 2>&1 || true)"
check "workload A keeps its key" contains "$keys_a" a-key

# ---- refused tokens -------------------------------------------------------------------------
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
TOKENS=()
try_token() { # NAME FILE EXPECTED-STATUS LOG-FRAGMENT
  local got
  got="$(probe "$2")"
  TOKENS+=("$(cat "$2")")
  if [ "$got" = "$3" ] && grep -q -- "$4" "$LOG"; then
    ok "$1 ($3)"
  else
    not_ok "$1: expected $3 and a log line with \"$4\"" "answer: $got"
  fi
}
fetch_token 10001 other > "$W/t-audience"
try_token "a real token for audience \"other\" is refused" "$W/t-audience" AuthenticationError \
  'audience does not include "parsec"'
hdr="$(printf '{"alg":"none","typ":"JWT"}' | b64url)"
body="$(printf '{"sub":"%s","aud":["parsec"],"exp":%d,"iat":%d}' "$A" $((now + 300)) "$now" | b64url)"
printf '%s.%s.' "$hdr" "$body" > "$W/t-none"
try_token "an unsigned (alg none) token is refused" "$W/t-none" AuthenticationError 'has no signature'
printf '%s.%s.%s' "$hdr" "$body" "$(printf 'x' | b64url)" > "$W/t-none-sig"
try_token "an alg none token with a signature part is refused" "$W/t-none-sig" AuthenticationError 'unsigned'
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/forger.pem" 2> /dev/null
forge() { # SUB EXP: an RS256 token signed by a key no trust domain knows
  local h b
  h="$(printf '{"alg":"RS256","kid":"forged","typ":"JWT"}' | b64url)"
  b="$(printf '{"sub":"%s","aud":["parsec"],"exp":%d,"iat":%d}' "$1" "$2" "$now" | b64url)"
  printf '%s.%s.%s' "$h" "$b" "$(printf '%s.%s' "$h" "$b" | openssl dgst -sha256 -sign "$W/forger.pem" -binary | b64url)"
}
forge "spiffe://other.test/intruder" $((now + 300)) > "$W/t-other-td"
try_token "a token of another trust domain is refused" "$W/t-other-td" AuthenticationError \
  'claiming spiffe://other.test/intruder refused by the SPIFFE agent'
forge "$A" $((now + 300)) > "$W/t-forged"
try_token "a token for workload A signed by a foreign key is refused" "$W/t-forged" AuthenticationError \
  "claiming $A refused by the SPIFFE agent"
forge "$A" $((now - 60)) > "$W/t-expired-forged"
try_token "an expired token is refused" "$W/t-expired-forged" AuthenticationError 'expired'
printf 'not.a-jwt' > "$W/t-malformed"
try_token "a malformed token is refused" "$W/t-malformed" AuthenticationError 'not base64url\|not a JSON\|compact serialization'
printf '\xff\xfe\xfd' > "$W/t-binary"
got="$(probe "$W/t-binary")"
check "auth bytes that are not UTF-8 are InvalidEncoding" [ "$got" = InvalidEncoding ]
fetch_token 10001 parsec > "$W/t-good-a"
got="$(probe "$W/t-good-a")"
check "workload A's real token, sent as is, is accepted" [ "$got" = "Success 1" ]

# ---- rotation: a client across several token lifetimes ----------------------------------------
fetch_token 10004 parsec > "$W/t-short"
exp_short=$(cut -d. -f2 "$W/t-short" | tr '_-' '/+' | awk '{ while (length($0) % 4) $0 = $0 "="; print }' |
  openssl base64 -d -A | python3 -c 'import json,sys; print(json.load(sys.stdin)["exp"])')
rot="$(as_uid 10004 "$PROBE" refresh 14)"
echo "# short-lived workload (JWT-SVID TTL 10 s), 14 s of ListKeys every 250 ms: $rot"
check "a client keeps working across token rotations (no failure, >= 2 tokens)" \
  bash -c '[[ "$1" =~ failures\ 0\ tokens\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 2 ]' _ "$rot"
check "the first short-lived token has expired by now" [ "$(date +%s)" -gt "$exp_short" ]
try_token "a real token past its expiry is refused" "$W/t-short" AuthenticationError 'expired'

# ---- the agent goes away and comes back -------------------------------------------------------
fetch_token 10001 parsec > "$W/t-a-fresh"
kill "$SPIRE_AGENT_PID"
wait "$SPIRE_AGENT_PID" 2> /dev/null || true
SPIRE_AGENT_PID=""
got="$(probe "$W/t-a-fresh")"
check "agent down: a valid token gets PsaErrorCommunicationFailure" [ "$got" = PsaErrorCommunicationFailure ]
check "agent down: parsecd logs that the Workload API does not answer" grep -q 'Workload API at .* does not answer' "$LOG"
refusal="$(cli_a list-keys 2>&1)" && not_ok "agent down: a workload cannot get a token" "$refusal" || {
  echo "# agent down, workload A: $refusal"
  check "agent down: the workload's client reports ConnectionError" contains "$refusal" ConnectionError
}
start_agent # same data folder: the agent keeps its node SVID, no new join token
# The channel reconnects within its 1 s backoff once the agent listens again.
recovered() { [ "$(probe "$W/t-a-fresh")" = "Success 1" ]; }
check "agent back: the same token is accepted again" wait_until 15 recovered
check "agent back: parsecd logs the recovery" grep -q 'Workload API at .* answers again' "$LOG"
keys_a="$(cli_a list-keys 2>&1 || true)"
check "agent back: workload A lists its key through parsec-cli" contains "$keys_a" a-key

# ---- the log never holds a token ---------------------------------------------------------------
leaked=0
for t in "${TOKENS[@]}" "$(cat "$W/t-good-a")" "$(cat "$W/t-a-fresh")"; do
  sigpart="${t##*.}"
  [ ${#sigpart} -ge 16 ] && grep -qF -- "$sigpart" "$LOG" && leaked=1
  grep -qF -- "${t:0:60}" "$LOG" && leaked=1
done
check "parsecd's log holds no token" [ "$leaked" = 0 ]
check "parsecd logged each refusal with its reason" grep -q 'AuthenticationError: JWT-SVID' "$LOG"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
