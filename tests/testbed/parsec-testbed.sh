#!/usr/bin/env bash
# tests/testbed/parsec-testbed.sh: one real parsecd for the language test suites
# (Go, Java, the OpenSSL provider, the interop matrix), backed by all three
# providers: the software provider (Mbed TLS, id 1), a private SoftHSM token
# (PKCS#11, id 2) and a swtpm TPM (id 3), with the Direct (admin app "admin")
# and UnixPeerCredentials authenticators, an SQLite key store, all in one folder.
#
#   parsec-testbed.sh start DIR [PROVIDERS]   set up DIR (first time) and start the
#                                             daemon; PROVIDERS is a comma list of
#                                             software,softhsm,tpm (default: all three,
#                                             in that order: the first is the default
#                                             provider clients pick)
#   parsec-testbed.sh stop DIR                stop parsecd (SIGTERM) and swtpm
#   parsec-testbed.sh restart DIR             stop parsecd then start it again on the
#                                             same store, token and TPM (keys survive)
#   parsec-testbed.sh run [PROVIDERS] -- CMD  start in a fresh temporary DIR, run CMD
#                                             with DIR/env sourced, stop, remove DIR;
#                                             exits with CMD's status
#
# After start, DIR/env holds shell assignments for the test programs:
#   PARSEC_SERVICE_ENDPOINT=unix:DIR/parsec.sock  PARSEC_TESTBED_DIR=DIR
#   PARSEC_TESTBED_PROVIDERS="1 2 3" (ids in order)  PARSEC_TESTBED_ADMIN=admin
#   PARSEC_TESTBED=<this script>  (so a test can call "$PARSEC_TESTBED restart DIR")
#   SOFTHSM2_CONF, PARSEC_TESTBED_TCTI (when those providers are on)
# `run` exports them to CMD. Logs: DIR/parsecd.log, DIR/swtpm.log.
# The daemon binary is $PARSECD, else build/service/parsecd of this checkout.
#
# Upstream Parsec instead of parsecd (for the compatibility runs of
# scripts/test-upstream-compat.sh): PARSEC_TESTBED_DAEMON=upstream starts
# upstream's `parsec` ($PARSEC_UPSTREAM, else ~/.cargo/bin/parsec) with the same
# providers in upstream's config format. Upstream takes one authenticator:
# PARSEC_TESTBED_AUTH=direct (its default there) or unix-peer; parsecd takes
# both (the default) or either. Upstream's TCTI knows swtpm over TCP only, so
# its swtpm listens on a free loopback port. DIR/env then also says
# PARSEC_TESTBED_DAEMON and PARSEC_TESTBED_AUTH, for drivers that must know.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SELF="$ROOT/tests/testbed/parsec-testbed.sh"
PARSECD="${PARSECD:-$ROOT/build/service/parsecd}"
DAEMON="${PARSEC_TESTBED_DAEMON:-parsecd}"
case "$DAEMON" in
  parsecd) AUTH="${PARSEC_TESTBED_AUTH:-both}" ;;
  upstream)
    PARSECD="${PARSEC_UPSTREAM:-$HOME/.cargo/bin/parsec}"
    AUTH="${PARSEC_TESTBED_AUTH:-direct}"
    ;;
  *)
    echo "parsec-testbed: PARSEC_TESTBED_DAEMON must be parsecd or upstream" >&2
    exit 1
    ;;
esac
SOFTHSM_MODULE="${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
USER_PIN=123456

die() {
  echo "parsec-testbed: $*" >&2
  exit 1
}

# wait_until SECONDS CMD...: runs CMD every 50 ms until it succeeds.
wait_until() {
  local tries=$(($1 * 20))
  shift
  for ((i = 0; i < tries; i++)); do
    if "$@" > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

provider_block() {
  local dir="$1" name="$2"
  case "$name" in
    software) printf '[[provider]]\nprovider_type = "MbedCrypto"\nkey_info_manager = "store"\n\n' ;;
    softhsm)
      printf '[[provider]]\nprovider_type = "Pkcs11"\nkey_info_manager = "store"\nlibrary_path = "%s"\n' "$SOFTHSM_MODULE"
      if [ "$DAEMON" = upstream ]; then
        # Upstream finds its token by slot number (or serial), not by label.
        printf 'slot_number = %s\n' "$(token_slot "$dir")"
      else
        printf 'token_label = "Parsec Testbed"\n'
      fi
      printf 'user_pin = "%s"\nsoftware_public_operations = false\nallow_export = true\n\n' "$USER_PIN"
      ;;
    tpm) printf '[[provider]]\nprovider_type = "Tpm"\nkey_info_manager = "store"\ntcti = "%s"\nowner_hierarchy_auth = ""\n\n' "$(tcti "$dir")" ;;
    *) die "unknown provider '$name' (software, softhsm, tpm)" ;;
  esac
}

# The TCTI string for the daemon; upstream's parser knows swtpm over TCP only.
tcti() {
  if [ "$DAEMON" = upstream ]; then
    echo "swtpm:host=127.0.0.1,port=$(cat "$1/tpm.port")"
  else
    echo "swtpm:path=$1/tpm.sock"
  fi
}

token_slot() {
  SOFTHSM2_CONF="$1/softhsm2.conf" softhsm2-util --show-slots |
    awk '/^Slot [0-9]+$/ {s=$2} /Label: *Parsec Testbed/ {print s; exit}'
}

authenticator_blocks() {
  if [ "$DAEMON" = upstream ]; then
    case "$AUTH" in
      direct) printf '[authenticator]\nauth_type = "Direct"\nadmins = [ { name = "admin" } ]\n' ;;
      unix-peer) printf '[authenticator]\nauth_type = "UnixPeerCredentials"\n' ;;
      *) die "upstream takes one authenticator: PARSEC_TESTBED_AUTH=direct or unix-peer" ;;
    esac
    return
  fi
  case "$AUTH" in
    both | direct) printf '[[authenticator]]\nauth_type = "Direct"\nadmins = [ { name = "admin" } ]\n\n' ;;
  esac
  case "$AUTH" in
    both | unix-peer) printf '[[authenticator]]\nauth_type = "UnixPeerCredentials"\n' ;;
    direct) ;;
    *) die "PARSEC_TESTBED_AUTH must be both, direct or unix-peer" ;;
  esac
}

# A free loopback TCP port P with P+1 free too: the swtpm TCTI reaches the
# control channel at the next port.
free_port() {
  python3 - << 'PY'
import socket
for _ in range(100):
    a, b = socket.socket(), socket.socket()
    try:
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        b.bind(("127.0.0.1", port + 1))
        print(port)
        break
    except OSError:
        pass
    finally:
        a.close()
        b.close()
PY
}

provider_id() {
  case "$1" in software) echo 1 ;; softhsm) echo 2 ;; tpm) echo 3 ;; esac
}

start_swtpm() {
  local dir="$1"
  mkdir -p "$dir/tpm"
  local server="type=unixio,path=$dir/tpm.sock" ctrl="type=unixio,path=$dir/tpm.sock.ctrl"
  if [ "$DAEMON" = upstream ]; then
    [ -f "$dir/tpm.port" ] || free_port > "$dir/tpm.port"
    local port
    port="$(cat "$dir/tpm.port")"
    server="type=tcp,port=$port,bindaddr=127.0.0.1"
    ctrl="type=tcp,port=$((port + 1)),bindaddr=127.0.0.1"
  fi
  swtpm socket --tpm2 --tpmstate dir="$dir/tpm" --server "$server" --ctrl "$ctrl" --flags not-need-init,startup-clear >> "$dir/swtpm.log" 2>&1 &
  echo $! > "$dir/swtpm.pid"
  wait_until 10 env TPM2TOOLS_TCTI="$(tcti "$dir")" tpm2_getrandom 4 || die "swtpm did not start (see $dir/swtpm.log)"
}

setup() {
  local dir="$1" providers="$2"
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ -f "$dir/config.toml" ] && return 0
  local ids="" blocks=""
  IFS=',' read -r -a names <<< "$providers"
  for name in "${names[@]}"; do
    if [ "$name" = softhsm ]; then
      mkdir -p "$dir/tokens"
      printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
        "$dir" > "$dir/softhsm2.conf"
      SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label "Parsec Testbed" \
        --so-pin 12345678 --pin "$USER_PIN" > /dev/null
    fi
    [ "$name" = tpm ] && [ "$DAEMON" = upstream ] && free_port > "$dir/tpm.port"
    blocks+="$(provider_block "$dir" "$name")"$'\n'
    ids+="$(provider_id "$name") "
  done
  cat > "$dir/config.toml" << CONF
[core_settings]
allow_root = true
thread_pool_size = 4
log_level = "info"

[listener]
listener_type = "DomainSocket"
timeout = 5000
socket_path = "$dir/parsec.sock"

$(authenticator_blocks)

[[key_manager]]
name = "store"
manager_type = "SQLite"
sqlite_db_path = "$dir/keys.sqlite3"

$blocks
CONF
  {
    echo "PARSEC_SERVICE_ENDPOINT=unix:$dir/parsec.sock"
    echo "PARSEC_TESTBED_DIR=$dir"
    echo "PARSEC_TESTBED_PROVIDERS=\"${ids% }\""
    echo "PARSEC_TESTBED_ADMIN=admin"
    echo "PARSEC_TESTBED=$SELF"
    echo "PARSEC_TESTBED_DAEMON=$DAEMON"
    echo "PARSEC_TESTBED_AUTH=$AUTH"
    [[ ",$providers," == *,softhsm,* ]] && echo "SOFTHSM2_CONF=$dir/softhsm2.conf"
    [[ ",$providers," == *,tpm,* ]] && echo "PARSEC_TESTBED_TCTI=$(tcti "$dir")"
  } > "$dir/env"
  echo "$providers" > "$dir/providers"
}

# The line each daemon logs once its socket accepts connections.
if [ "$DAEMON" = upstream ]; then
  READY_LINE="Parsec is ready"
else
  READY_LINE="parsecd listening on"
fi

daemon_running() {
  [ -f "$1/parsecd.pid" ] && kill -0 "$(cat "$1/parsecd.pid")" 2> /dev/null
}

listening() {
  # The daemon logs this line once its socket accepts connections.
  [ "$(grep -c "$READY_LINE" "$1/parsecd.log")" -gt "$2" ]
}

start() {
  local dir="$1" providers="${2:-software,softhsm,tpm}"
  [ -x "$PARSECD" ] || die "parsecd not found at $PARSECD (build first, or set PARSECD)"
  setup "$dir" "$providers"
  daemon_running "$dir" && die "parsecd already running in $dir"
  providers="$(cat "$dir/providers")"
  if [[ ",$providers," == *,tpm,* ]] && ! { [ -f "$dir/swtpm.pid" ] && kill -0 "$(cat "$dir/swtpm.pid")" 2> /dev/null; }; then
    start_swtpm "$dir"
  fi
  touch "$dir/parsecd.log"
  local before
  before="$(grep -c "$READY_LINE" "$dir/parsecd.log" || true)"
  mkdir -p "$dir/cwd"
  (
    cd "$dir/cwd"
    [ -f "$dir/softhsm2.conf" ] && export SOFTHSM2_CONF="$dir/softhsm2.conf"
    exec "$PARSECD" --config "$dir/config.toml" >> "$dir/parsecd.log" 2>&1 < /dev/null
  ) &
  echo $! > "$dir/parsecd.pid"
  wait_until 30 listening "$dir" "$before" || {
    tail -20 "$dir/parsecd.log" >&2
    die "parsecd did not start (log: $dir/parsecd.log)"
  }
}

stop_pid() {
  local file="$1"
  [ -f "$file" ] || return 0
  local pid
  pid="$(cat "$file")"
  rm -f "$file"
  kill -TERM "$pid" 2> /dev/null || return 0
  # Not our child when called from another process: wait for it to go.
  wait_until 30 bash -c "! kill -0 $pid" || {
    kill -KILL "$pid" 2> /dev/null || true
    die "process $pid did not exit on SIGTERM"
  }
}

case "${1:-}" in
  start)
    [ $# -ge 2 ] || die "usage: start DIR [PROVIDERS]"
    start "$2" "${3:-}"
    ;;
  stop)
    [ $# -eq 2 ] || die "usage: stop DIR"
    stop_pid "$2/parsecd.pid"
    stop_pid "$2/swtpm.pid"
    ;;
  restart)
    [ $# -eq 2 ] || die "usage: restart DIR"
    stop_pid "$2/parsecd.pid"
    start "$2"
    ;;
  run)
    shift
    providers="software,softhsm,tpm"
    if [ "${1:-}" != "--" ]; then
      providers="$1"
      shift
    fi
    [ "${1:-}" = "--" ] || die "usage: run [PROVIDERS] -- CMD [ARGS...]"
    shift
    dir="$(mktemp -d "${TMPDIR:-/tmp}/parsec-testbed.XXXXXX")"
    trap '"$SELF" stop "$dir" || true; rm -rf "$dir"' EXIT
    start "$dir" "$providers"
    set +e
    (
      set -a
      . "$dir/env"
      set +a
      exec "$@"
    )
    rc=$?
    set -e
    exit $rc
    ;;
  *)
    die "usage: parsec-testbed.sh start DIR [PROVIDERS] | stop DIR | restart DIR | run [PROVIDERS] -- CMD"
    ;;
esac
