#!/usr/bin/env bash
# examples/openssl/walkthrough.sh: every OpenSSL program a Parsec client, with
# no code change. Run inside tests/testbed/parsec-testbed.sh (CI) or with
# PARSEC_SERVICE_ENDPOINT pointing at a running parsecd. Steps:
#   1. keys generated in parsecd (parsec-cli), an OpenSSL config naming the provider;
#   2. `openssl req -new -key parsec:<name>`: CSRs signed in the daemon, verified
#      with `openssl req -verify`, certificates issued by a throwaway CA;
#   3. `openssl s_server -key parsec:...` and `openssl s_client -key parsec:...`:
#      a mutual-TLS handshake where both keys are in parsecd;
#   4. nginx (Debian's package) on 127.0.0.1 with `ssl_certificate_key` = a key
#      reference file, requiring client certificates;
#   5. `curl --cert client.crt --key client.ref` against it.
# PARSEC_OSSL_MODULE (parsec.so) and PARSEC_CLI default to the build tree.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODULE="${PARSEC_OSSL_MODULE:-$ROOT/build/openssl-provider/parsec.so}"
CLI="${PARSEC_CLI:-$ROOT/build/sdk-cpp/parsec-cli}"
NGINX="${NGINX:-/usr/sbin/nginx}"
W="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
cd "$W"
step() { echo; echo "### $*"; }
plain() { OPENSSL_CONF=/dev/null "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for FILE PATTERN PID
  for _ in $(seq 1 200); do
    grep -q "$2" "$1" 2> /dev/null && return 0
    kill -0 "$3" 2> /dev/null || { cat "$1"; return 1; }
    sleep 0.05
  done
  cat "$1"
  return 1
}

step "1. keys in parsecd and the OpenSSL config"
"$CLI" create-ecc-key -k web-server
"$CLI" create-ecc-key -k web-client
cat > parsec-openssl.cnf << EOF2
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
parsec = parsec_sect
[default_sect]
activate = 1
[parsec_sect]
module = $MODULE
# parsec-endpoint = unix:/run/parsec/parsec.sock   (default: PARSEC_SERVICE_ENDPOINT)
# parsec-app-name = my-app                         (Direct authentication)
# parsec-provider = pkcs11                         (default: the daemon's first provider)
activate = 1
EOF2
export OPENSSL_CONF="$W/parsec-openssl.cnf"
cat parsec-openssl.cnf

step "2. CSRs signed in the daemon, checked by plain OpenSSL, certificates issued"
plain openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -subj "/CN=walkthrough CA" \
  -days 1 -out ca.crt 2> /dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
for k in web-server web-client; do
  openssl req -new -key "parsec:$k" -subj "/CN=$k" -out "$k.csr"
  plain openssl req -verify -in "$k.csr" -noout
  plain openssl x509 -req -in "$k.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext \
    -out "$k.crt" 2> /dev/null
done

step "3. openssl s_server and s_client, both keys in parsecd"
PORT=$(free_port)
openssl s_server -accept "127.0.0.1:$PORT" -cert web-server.crt -key parsec:web-server -CAfile ca.crt -Verify 1 \
  -verify_return_error -naccept 1 -rev < /dev/null > s_server.log 2>&1 &
PIDS+=($!)
wait_for s_server.log '^ACCEPT' $!
echo | openssl s_client -connect "127.0.0.1:$PORT" -cert web-client.crt -key parsec:web-client -CAfile ca.crt \
  -verify_return_error -brief 2>&1 | grep -E 'ESTABLISHED|Protocol|Peer certificate|Signature type|Verification'
wait "${PIDS[-1]}"
grep -E 'Peer certificate|Verification' s_server.log | sed 's/^/s_server saw: /'

step "4. nginx with its TLS key in parsecd (a key reference file)"
"$CLI" create-key-reference -k web-server -o web-server.ref
"$CLI" create-key-reference -k web-client -o web-client.ref
cat web-server.ref
PORT=$(free_port)
mkdir -p nginx/logs nginx/tmp
cat > nginx/nginx.conf << EOF2
# One process (no master/workers): the process that loaded the key signs with
# it, as the same Unix user (see docs/openssl-provider.md for worker setups).
daemon off;
master_process off;
error_log $W/nginx/logs/error.log info;
pid $W/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log $W/nginx/logs/access.log;
  client_body_temp_path $W/nginx/tmp;
  server {
    listen 127.0.0.1:$PORT ssl;
    ssl_certificate $W/web-server.crt;
    ssl_certificate_key $W/web-server.ref;
    ssl_client_certificate $W/ca.crt;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;  # nginx 1.22 leaves TLS 1.3 out by default
    location / { return 200 "hello \$ssl_client_s_dn from nginx, over \$ssl_protocol\n"; }
  }
}
EOF2
"$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" &
PIDS+=($!)
for _ in $(seq 1 200); do
  (echo > "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break
  kill -0 "${PIDS[-1]}" || { cat nginx/logs/error.log; exit 1; }
  sleep 0.05
done

step "5. curl --cert --key <reference file> against nginx"
OUT=$(curl -sS --fail --cacert ca.crt --cert web-client.crt --key web-client.ref "https://127.0.0.1:$PORT/")
echo "curl -> $OUT"
[ "$OUT" = "hello CN=web-client from nginx, over TLSv1.3" ] || { echo "unexpected answer" >&2; exit 1; }
# Without a client certificate nginx refuses the request (mutual TLS is real).
CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt "https://127.0.0.1:$PORT/")
[ "$CODE" = 400 ] || { echo "nginx served a client without certificate ($CODE)" >&2; exit 1; }
echo "curl without a client certificate -> HTTP $CODE (refused, as configured)"
echo
echo "openssl walkthrough: OK"
