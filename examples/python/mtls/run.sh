#!/usr/bin/env bash
# examples/python/mtls/run.sh: the sample end to end, as CI runs it (inside
# tests/testbed/parsec-testbed.sh, which sets PARSEC_SERVICE_ENDPOINT):
#   1. a throwaway CA and a server certificate (ordinary files);
#   2. the client key generated in parsecd, its CSR signed in the daemon
#      (openssl req -key parsec:...), its certificate issued by the CA;
#   3. the key reference file (parsec-cli create-key-reference);
#   4. server.py (stdlib ssl, client certificate required) and client.py
#      (requests) complete a mutual-TLS request; the daemon's log line of the
#      client's signature is printed;
#   5. examples/cpp/mtls (Boost.Asio) is built and does the same against the
#      same server.
# PARSEC_OSSL_MODULE (parsec.so) and PARSEC_CLI default to the build tree.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MODULE="${PARSEC_OSSL_MODULE:-$ROOT/build/openssl-provider/parsec.so}"
CLI="${PARSEC_CLI:-$ROOT/build/sdk-cpp/parsec-cli}"
PYTHON="${PYTHON:-python3}"
W="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$W"' EXIT
SERVER=""
cd "$W"

# The daemon logs each operation at debug level: turn it on in the testbed so
# the signature made for this TLS handshake shows in its log.
if [ -n "${PARSEC_TESTBED:-}" ]; then
  sed -i 's/^log_level = .*/log_level = "debug"/' "$PARSEC_TESTBED_DIR/config.toml"
  "$PARSEC_TESTBED" restart "$PARSEC_TESTBED_DIR" > /dev/null
fi

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
activate = 1
EOF2

plain() { OPENSSL_CONF=/dev/null "$@"; }
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
plain openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -subj "/CN=sample CA" \
  -days 1 -out ca.crt 2> /dev/null
plain openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -subj "/CN=127.0.0.1" \
  -out server.csr 2> /dev/null
plain openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext \
  -out server.crt 2> /dev/null

"$CLI" create-ecc-key -k python-mtls-client
OPENSSL_CONF=parsec-openssl.cnf openssl req -new -key parsec:python-mtls-client -subj "/CN=python-mtls-client" \
  -out client.csr
plain openssl req -verify -in client.csr -noout
plain openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out client.crt 2> /dev/null
"$CLI" create-key-reference -k python-mtls-client -o client.ref
echo "key reference file:" && cat client.ref

plain "$PYTHON" -u "$HERE/server.py" --cert server.crt --key server.key --ca ca.crt --port 0 --requests 2 \
  > server.out 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do
  grep -q "^listening on" server.out && break
  kill -0 $SERVER || { cat server.out; exit 1; }
  sleep 0.05
done
PORT=$(sed -n 's/^listening on //p' server.out)
OUT=$(OPENSSL_CONF=parsec-openssl.cnf "$PYTHON" "$HERE/client.py" "https://127.0.0.1:$PORT/" --cert client.crt \
  --key client.ref --ca ca.crt)
echo "requests.get over mTLS -> $OUT"
[ "$OUT" = "hello python-mtls-client, your key never left parsecd" ] || { echo "unexpected answer" >&2; exit 1; }
if [ -n "${PARSEC_TESTBED_DIR:-}" ]; then
  echo "parsecd log:" && grep "PsaSignHash" "$PARSEC_TESTBED_DIR/parsecd.log" | tail -1
fi

# The C++ sample (examples/cpp/mtls, Boost.Asio) against the same server.
plain cmake -S "$ROOT/examples/cpp/mtls" -B cppbuild -G Ninja -DCMAKE_BUILD_TYPE=Release > cppbuild.log 2>&1 ||
  { cat cppbuild.log; exit 1; }
plain cmake --build cppbuild >> cppbuild.log 2>&1 || { cat cppbuild.log; exit 1; }
OUT=$(OPENSSL_CONF=parsec-openssl.cnf cppbuild/parsec-mtls-client 127.0.0.1 "$PORT" client.crt client.ref ca.crt)
echo "Boost.Asio client over mTLS -> $OUT"
[ "$OUT" = "hello python-mtls-client, your key never left parsecd" ] || { echo "unexpected answer" >&2; exit 1; }
wait $SERVER
SERVER=""
echo "python and C++ mTLS samples: OK"
