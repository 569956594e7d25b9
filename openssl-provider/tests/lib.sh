# openssl-provider/tests/lib.sh: shell helpers of the provider suite and
# benchmark (sourced). Needs PARSEC_OSSL_MODULE, PARSEC_CLI, PARSEC_OSSL_TOOL and
# the testbed environment (PARSEC_SERVICE_ENDPOINT, PARSEC_TESTBED_DIR).

PASS=0
FAIL=0
ok() {
  PASS=$((PASS + 1))
  echo "  ok   $*"
}
bad() {
  FAIL=$((FAIL + 1))
  echo "  FAIL $*"
}

# write_config FILE: an OpenSSL config activating default, then parsec (the
# order matters: algorithms both offer resolve to the default provider unless
# a Parsec key is involved). The endpoint is given in the config on purpose.
write_config() {
  cat > "$1" << EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
parsec = parsec_sect
[default_sect]
activate = 1
[parsec_sect]
module = $PARSEC_OSSL_MODULE
parsec-endpoint = $PARSEC_SERVICE_ENDPOINT
activate = 1
EOF
}

# plain: run a command with OpenSSL's defaults only (the independent checker).
plain() { OPENSSL_CONF=/dev/null "$@"; }

# make_ca DIR: a throwaway CA (key in a file, default provider).
make_ca() {
  plain openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/ca.key" \
    -subj "/CN=Parsec test CA" -days 2 -out "$1/ca.crt" 2> /dev/null
}

# issue DIR CSR NAME: CA-signed certificate DIR/NAME.crt (server and client use) for a CSR.
issue() {
  local ext="$1/$3.ext"
  printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
  plain openssl x509 -req -in "$2" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$1/$3.crt" 2> /dev/null
}

# file_peer DIR NAME: a peer with its key in a file (the other end of handshakes).
file_peer() {
  plain openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/$2.key" \
    -subj "/CN=$2" -out "$1/$2.csr" 2> /dev/null
  issue "$1" "$1/$2.csr" "$2"
}

# wait_accept LOG PID: waits until s_server (PID) printed ACCEPT (it listens).
wait_accept() {
  for _ in $(seq 1 200); do
    grep -q '^ACCEPT' "$1" 2> /dev/null && return 0
    kill -0 "$2" 2> /dev/null || return 1
    sleep 0.05
  done
  return 1
}

# free_port: a TCP port nobody listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
