#!/usr/bin/env bash
# tests/deploy/socket-activation.sh: parsecd started by socket activation, the
# way parsec.socket starts it, under the kernel restrictions of the shipped
# parsec.service (tests/deploy/sandbox.py), with every testbed provider.
# Run inside the testbed (tests/deploy/run.sh does):
#   tests/testbed/parsec-testbed.sh run -- tests/deploy/socket-activation.sh
# Checks: systemd-socket-activate binds the socket and starts parsecd on the
# first connection; parsecd adopts descriptor 3 (logged); ping, then per
# provider an ECDSA key created, a signature verified by OpenSSL (and a
# tampered message refused by it), over several connections served by the one
# activated process; SIGTERM exits 0 and leaves the socket file to its owner;
# descriptors that are not a listening Unix stream socket are refused with a
# clear error, and a LISTEN_PID of another process is ignored.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PARSECD="${PARSECD:-$ROOT/build/service/parsecd}"
CLI="${PARSEC_CLI:-$ROOT/build/sdk-cpp/parsec-cli}"
UNIT="$ROOT/examples/service/parsec.service"
DIR="${PARSEC_TESTBED_DIR:?run me inside tests/testbed/parsec-testbed.sh run}"
W="$DIR/activation"
mkdir -p "$W"
SOCK="$W/parsec.sock"
passed=0

fail() {
  echo "socket-activation: FAIL: $*" >&2
  [ -f "$W/activated.log" ] && tail -20 "$W/activated.log" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  echo "socket-activation: ok: $*"
}
# wait_for SECONDS CMD...: CMD polled every 50 ms until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}
cli() { PARSEC_SERVICE_ENDPOINT="unix:$SOCK" "$CLI" --auth unix-peer "$@"; }

# The testbed's own parsecd owns the key store and the token: stop it first.
if [ -f "$DIR/parsecd.pid" ]; then
  pid="$(cat "$DIR/parsecd.pid")"
  rm -f "$DIR/parsecd.pid"
  kill -TERM "$pid"
  wait_for 30 bash -c "! kill -0 $pid 2> /dev/null" || fail "the testbed's parsecd did not stop"
fi

# 0. The sandbox bites: what the unit forbids fails in a sandboxed probe.
probe="$(python3 "$ROOT/tests/deploy/sandbox.py" "$UNIT" -- python3 - 2> /dev/null << 'PY'
import ctypes, errno, mmap, os, socket
out = []
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM); out.append("inet-allowed")
except OSError as e:
    out.append("inet-" + errno.errorcode[e.errno])
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC); out.append("wx-allowed")
except OSError as e:
    out.append("wx-" + errno.errorcode[e.errno])
libc = ctypes.CDLL(None, use_errno=True)
out.append("unshare-" + ("allowed" if libc.unshare(0x00020000) == 0 else errno.errorcode[ctypes.get_errno()]))
out.append("setuid-" + ("allowed" if libc.setuid(0) == 0 else errno.errorcode[ctypes.get_errno()]))
out.append("caps-" + [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])
print(" ".join(out))
PY
)"
[ "$probe" = "inet-EAFNOSUPPORT wx-EPERM unshare-EPERM setuid-EPERM caps-0000000000000000" ] ||
  fail "the sandbox does not enforce the unit: $probe"
ok "sandbox enforces the unit: $probe"

# 1. Activation on the first connection, under the unit's restrictions.
: > "$W/activated.log"
# systemd-socket-activate passes a minimal environment (like a unit's), so the
# token configuration goes in explicitly, as the SoftHSM drop-in's Environment= does.
env_args=()
[ -n "${SOFTHSM2_CONF:-}" ] && env_args+=(-E "SOFTHSM2_CONF=$SOFTHSM2_CONF")
systemd-socket-activate -l "$SOCK" "${env_args[@]}" \
  python3 "$ROOT/tests/deploy/sandbox.py" "$UNIT" "$ROOT"/examples/service/parsec.service.d/*.conf -- \
  "$PARSECD" -c "$DIR/config.toml" >> "$W/activated.log" 2>&1 < /dev/null &
apid=$!
wait_for 10 grep -q "^Listening on $SOCK" "$W/activated.log" || fail "systemd-socket-activate did not listen"
grep -q "Execing" "$W/activated.log" && fail "parsecd started before any connection"
[ -S "$SOCK" ] || fail "no socket at $SOCK"
[ "$(cli ping)" = "1.0" ] || fail "ping through the activated socket"
ok "first connection started parsecd, ping answered 1.0"
grep -q "socket activation: adopted the listening socket $SOCK passed by the service manager (descriptor 3)" \
  "$W/activated.log" || fail "parsecd did not log the adopted socket"
[ "$(cat /proc/$apid/comm)" = parsecd ] || fail "process $apid is not parsecd"
grep -q "^Seccomp:[[:space:]]*2" /proc/$apid/status || fail "parsecd runs without the seccomp filter"
grep -q "^NoNewPrivs:[[:space:]]*1" /proc/$apid/status || fail "parsecd runs without no_new_privs"
ok "parsecd (pid $apid) adopted descriptor 3, runs with seccomp filter mode 2 and no_new_privs"

# 2. Every provider signs through it; OpenSSL verifies, and refuses a tampered message.
printf 'signed through a socket-activated parsecd' > "$W/msg"
printf 'signed through a socket-activated parsecX' > "$W/tampered"
for id in $PARSEC_TESTBED_PROVIDERS; do
  key="activated-$id"
  cli -p "$id" create-ecc-key -k "$key" > /dev/null || fail "provider $id: create-ecc-key"
  cli -p "$id" sign -k "$key" -i "$W/msg" --format raw > "$W/sig-$id.der" || fail "provider $id: sign"
  cli -p "$id" export-public-key -k "$key" > "$W/pub-$id.pem" || fail "provider $id: export-public-key"
  openssl dgst -sha256 -verify "$W/pub-$id.pem" -signature "$W/sig-$id.der" "$W/msg" > /dev/null ||
    fail "provider $id: OpenSSL does not verify the signature"
  if openssl dgst -sha256 -verify "$W/pub-$id.pem" -signature "$W/sig-$id.der" "$W/tampered" > /dev/null 2>&1; then
    fail "provider $id: OpenSSL verifies a tampered message"
  fi
  cli -p "$id" delete-key -k "$key" > /dev/null || fail "provider $id: delete-key"
  ok "provider $id: ECDSA P-256 signature verified by OpenSSL (tampered message refused)"
done
[ "$(grep -c Execing "$W/activated.log")" = 1 ] || fail "parsecd was started more than once"
kill -0 "$apid" || fail "parsecd died"
ok "$((1 + 4 * $(wc -w <<< "$PARSEC_TESTBED_PROVIDERS"))) connections served by the one activated parsecd"

# 3. SIGTERM: exit 0, and the socket file stays (it belongs to the service manager).
kill -TERM "$apid"
status=0
wait "$apid" || status=$?
[ "$status" = 0 ] || fail "parsecd exited $status on SIGTERM"
grep -q "parsecd stopped" "$W/activated.log" || fail "no clean stop logged"
[ -S "$SOCK" ] || fail "parsecd removed the socket it did not create"
ok "SIGTERM: exit 0, socket file left to its owner"

# 4. Wrong descriptors are refused, with a clear error, and nothing is bound instead.
cfg_sock="$(sed -n 's/^socket_path = "\(.*\)"$/\1/p' "$DIR/config.toml")"
[ -n "$cfg_sock" ] || fail "no socket_path in $DIR/config.toml"
refused() {
  local kind="$1" want="$2" log="$W/refused-$1.log" status=0
  PASS_FD_DIR="$W" python3 "$ROOT/tests/deploy/pass-fd.py" "$kind" -- "$PARSECD" -c "$DIR/config.toml" \
    > "$log" 2>&1 < /dev/null || status=$?
  [ "$status" = 1 ] || fail "$kind: parsecd exited $status, not 1"
  grep -qF "start-up failed: $want" "$log" || fail "$kind: no \"$want\" in: $(cat "$log")"
  [ -e "$cfg_sock" ] && fail "$kind: parsecd bound $cfg_sock anyway"
  ok "$kind refused: $(grep -o 'start-up failed: .*' "$log")"
}
refused file "socket activation: descriptor 3 is not a socket"
refused closed "socket activation: descriptor 3 is not open"
refused udp "socket activation: descriptor 3 is not a stream socket"
refused unix-dgram "socket activation: descriptor 3 is not a stream socket"
refused tcp "socket activation: descriptor 3 is not a Unix-domain socket"
refused unbound "socket activation: descriptor 3 is not listening"
refused connected "socket activation: descriptor 3 is not listening"
refused two "socket activation: LISTEN_FDS=2, parsecd serves exactly one socket"

# 5. LISTEN_PID of another process: not ours, parsecd binds listener.socket_path.
PASS_FD_DIR="$W" python3 "$ROOT/tests/deploy/pass-fd.py" other-pid -- "$PARSECD" -c "$DIR/config.toml" \
  > "$W/other-pid.log" 2>&1 < /dev/null &
opid=$!
wait_for 30 grep -q "parsecd listening on $cfg_sock" "$W/other-pid.log" || {
  kill -TERM "$opid" 2> /dev/null
  fail "other-pid: parsecd did not bind $cfg_sock: $(cat "$W/other-pid.log")"
}
grep -q "socket activation" "$W/other-pid.log" && fail "other-pid: parsecd took a descriptor meant for another process"
[ "$(PARSEC_SERVICE_ENDPOINT="unix:$cfg_sock" "$CLI" --auth unix-peer ping)" = "1.0" ] || fail "other-pid: ping"
kill -TERM "$opid"
wait "$opid" || fail "other-pid: parsecd exited $? on SIGTERM"
[ -e "$cfg_sock" ] && fail "other-pid: parsecd left its own socket behind"
ok "LISTEN_PID of another process ignored: parsecd bound, served and removed $cfg_sock"

echo "socket-activation: $passed checks passed"
