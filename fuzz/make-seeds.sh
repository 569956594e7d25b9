#!/usr/bin/env bash
# Regenerates fuzz/corpus/ (committed): request and protobuf seeds from
# seed_gen (built by fuzz/run.sh in build-fuzz/), key import seeds from
# OpenSSL, config seeds from the example and test configurations.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
C="$ROOT/fuzz/corpus"
mkdir -p "$C/request" "$C/proto" "$C/import" "$C/config"
"$BUILD/fuzz/seed_gen" "$C/request" "$C/proto"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
openssl genrsa -out "$T/rsa.pem" 1024 2>/dev/null
openssl rsa -in "$T/rsa.pem" -outform DER -traditional -out "$T/rsa_priv.der" 2>/dev/null
openssl rsa -in "$T/rsa.pem" -RSAPublicKey_out -outform DER -out "$T/rsa_pub.der" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ec.pem"
openssl ec -in "$T/ec.pem" -pubout -outform DER -out "$T/ec_spki.der" 2>/dev/null
# byte 0 = decoder (import_fuzzer.cc), byte 1 = curve / RSA size selector.
{ printf '\x00\x00'; cat "$T/rsa_pub.der"; } > "$C/import/rsa_public"
{ printf '\x01\x01'; cat "$T/rsa_priv.der"; } > "$C/import/rsa_private"
# The uncompressed P-256 point is the last 65 bytes of the SPKI.
{ printf '\x02\x00'; tail -c 65 "$T/ec_spki.der"; } > "$C/import/ecc_point"
{ printf '\x03\x00'; head -c 32 /dev/urandom; } > "$C/import/ecc_scalar"
{ printf '\x04\x00\x04\x03abc'; } > "$C/import/octet_string"
{ printf '\x05\x00'; cat "$T/rsa.pem"; } > "$C/import/key_file_rsa_pem"
{ printf '\x05\x00'; cat "$T/ec.pem"; } > "$C/import/key_file_ec_pem"
{ printf '\x07\x80'; head -c 16 /dev/urandom; } > "$C/import/aes"

cp "$ROOT/examples/service/config.toml" "$C/config/example.toml"
cat > "$C/config/several.toml" <<'TOML'
[core_settings]
log_level = "info"
thread_pool_size = 4
allow_root = false
[listener]
listener_type = "DomainSocket"
timeout = 200
socket_path = "/tmp/p.sock"
max_connections = 64
[[authenticator]]
auth_type = "Direct"
admins = [ { name = "admin" } ]
[[authenticator]]
auth_type = "UnixPeerCredentials"
admins = [ { name = "0" } ]
[[key_manager]]
name = "m"
manager_type = "SQLite"
sqlite_db_path = "/tmp/s/k.sqlite3"
[[provider]]
provider_type = "MbedCrypto"
key_info_manager = "m"
[[provider]]
provider_type = "Pkcs11"
key_info_manager = "m"
library_path = "/usr/lib/softhsm/libsofthsm2.so"
slot_number = 1
user_pin = "1234"
TOML
echo "seeds written to $C"
