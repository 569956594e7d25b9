#!/usr/bin/env bash
# openssl-provider/tests/suite.sh: the provider's test suite, run by
# run-tests.sh inside tests/testbed/parsec-testbed.sh (one parsecd with
# providers 1 software, 2 SoftHSM, 3 TPM). Every result is checked by an
# independent party: OpenSSL with its default configuration (no Parsec
# provider) verifies signatures and CSRs, encrypts for the decryption tests and
# is the TLS peer whose verdict counts. Prints one line per check and a summary;
# exits 1 if any check failed.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

W="$PARSEC_TESTBED_DIR/ossl"
mkdir -p "$W"
cd "$W" || exit 1
write_config "$W/openssl.cnf"
export OPENSSL_CONF="$W/openssl.cnf"
# The module finds the daemon through its config (parsec-endpoint), not the
# environment: prove it by hiding the variable from the provider's programs.
ENDPOINT="$PARSEC_SERVICE_ENDPOINT"
cli() { PARSEC_SERVICE_ENDPOINT="$ENDPOINT" "$PARSEC_CLI" "$@"; }
tool() { PARSEC_SERVICE_ENDPOINT="$ENDPOINT" "$PARSEC_OSSL_TOOL" "$@"; }
unset PARSEC_SERVICE_ENDPOINT

make_ca "$W"
file_peer "$W" peer
echo "hello from the parsec provider test" > msg
declare -A TLS_RESULT

# server_side TLS URI CERT LABEL EXPECT_SIG [client options...]: s_server signs
# with the Parsec key; a default-provider s_client must verify it.
server_side() {
  local tls="$1" uri="$2" cert="$3" label="$4" sig="$5"
  shift 5
  local port log pid out
  port=$(free_port)
  log="$W/srv-$label.log"
  openssl s_server -accept "127.0.0.1:$port" -cert "$cert" -key "$uri" -CAfile ca.crt -Verify 1 \
    -verify_return_error -naccept 1 -rev "-tls${tls/./_}" < /dev/null > "$log" 2>&1 &
  pid=$!
  if ! wait_accept "$log" $pid; then
    bad "$label: s_server did not start: $(tail -3 "$log")"
    return
  fi
  out=$(echo | plain openssl s_client -connect "127.0.0.1:$port" -cert peer.crt -key peer.key -CAfile ca.crt \
    -verify_return_error -brief "-tls${tls/./_}" "$@" 2>&1)
  wait $pid
  if grep -q "CONNECTION ESTABLISHED" <<< "$out" && grep -q "Protocol version: TLSv$tls" <<< "$out" &&
    grep -q "Verification: OK" <<< "$out" && grep -q "Signature type: $sig\$" <<< "$out"; then
    ok "$label: peer s_client verified TLSv$tls, $(grep -E 'Signature type|Hash used' <<< "$out" | tr '\n' ' ')"
    TLS_RESULT[$label]=ok
  else
    bad "$label: $out $(tail -5 "$log")"
    TLS_RESULT[$label]=FAIL
  fi
}

# client_side TLS URI CERT CN LABEL EXPECT_SIG [server options...]: s_client
# proves the Parsec key; a default-provider s_server must verify it.
client_side() {
  local tls="$1" uri="$2" cert="$3" cn="$4" label="$5" sig="$6"
  shift 6
  local port log pid out
  port=$(free_port)
  log="$W/srv-$label.log"
  plain openssl s_server -accept "127.0.0.1:$port" -cert peer.crt -key peer.key -CAfile ca.crt -Verify 1 \
    -verify_return_error -naccept 1 -rev "-tls${tls/./_}" "$@" < /dev/null > "$log" 2>&1 &
  pid=$!
  if ! wait_accept "$log" $pid; then
    bad "$label: s_server did not start: $(tail -3 "$log")"
    return
  fi
  out=$(echo | openssl s_client -connect "127.0.0.1:$port" -cert "$cert" -key "$uri" -CAfile ca.crt \
    -verify_return_error -brief "-tls${tls/./_}" 2>&1)
  wait $pid
  # s_server -rev prints its summary only once the handshake, including the
  # client's CertificateVerify, succeeded; "Signature type" is the client's.
  if grep -q "CONNECTION ESTABLISHED" <<< "$out" && grep -q "^CONNECTION ESTABLISHED" "$log" &&
    grep -q "Protocol version: TLSv$tls" "$log" && grep -q "Peer certificate: CN = $cn\$" "$log" &&
    grep -q "Signature type: $sig\$" "$log" && grep -q "Verification: OK" "$log"; then
    ok "$label: peer s_server verified the client, $(grep -E 'Signature type|Hash used' "$log" | tr '\n' ' ')"
    TLS_RESULT[$label]=ok
  else
    bad "$label: $out $(tail -8 "$log")"
    TLS_RESULT[$label]=FAIL
  fi
}

for p in $PARSEC_TESTBED_PROVIDERS; do
  echo "== provider $p"
  kinds="ec256 ec384 rsa-pss rsa-pkcs1 rsa-oaep rsa-crypt"
  # P-521: the software and PKCS#11 providers; swtpm's TPM has no P-521.
  [ "$p" != 3 ] && kinds="$kinds ec521"
  for k in $kinds; do
    if PARSEC_TEST_PROVIDER=$p tool keygen "$k-$p" "$k"; then
      cli -p "$p" export-public-key -k "$k-$p" > "$k-$p.pub"
    else
      bad "keygen $k on provider $p"
    fi
  done
  u() { echo "parsec:$1-$p?provider=$p"; }

  # -- CSRs signed in the daemon, verified by plain OpenSSL; certificates issued.
  for k in ec256 ec384 rsa-pss rsa-pkcs1 ${kinds##*rsa-crypt}; do
    [ -z "$k" ] && continue
    if openssl req -new -key "$(u "$k")" -subj "/CN=$k-$p" -out "$k-$p.csr" 2> "$k-$p.err" &&
      plain openssl req -verify -in "$k-$p.csr" -noout 2>&1 | grep -q "verify OK" &&
      [ "$(plain openssl req -in "$k-$p.csr" -pubkey -noout | plain openssl pkey -pubin -outform DER | sha256sum)" = \
        "$(plain openssl pkey -pubin -in "$k-$p.pub" -outform DER | sha256sum)" ]; then
      ok "CSR $k-$p: openssl req -verify OK ($(plain openssl req -in "$k-$p.csr" -noout -text | grep -m1 'Signature Algorithm' | xargs))"
      issue "$W" "$k-$p.csr" "$k-$p"
    else
      bad "CSR $k-$p: $(cat "$k-$p.err")"
    fi
  done

  # -- signatures: precomputed digests (pkeyutl) and messages (dgst), all hashes.
  for h in sha256 sha384 sha512; do
    plain openssl dgst "-$h" -binary msg > "msg.$h"
    for k in ec256 ec384 rsa-pkcs1 rsa-pss; do
      opts=()
      [ "$k" = rsa-pss ] && opts=(-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest)
      [ "$k" = rsa-pkcs1 ] && opts=(-pkeyopt rsa_padding_mode:pkcs1)
      if openssl pkeyutl -sign -inkey "$(u "$k")" -pkeyopt "digest:$h" "${opts[@]}" -in "msg.$h" -out "s.$k.$h" 2> err &&
        plain openssl pkeyutl -verify -pubin -inkey "$k-$p.pub" -pkeyopt "digest:$h" "${opts[@]}" -in "msg.$h" \
          -sigfile "s.$k.$h" > /dev/null 2>&1; then
        ok "sign digest $k $h (pkeyutl), verified by plain OpenSSL"
      else
        bad "sign digest $k $h: $(cat err)"
      fi
      sopts=()
      [ "$k" = rsa-pss ] && sopts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest)
      if openssl dgst "-$h" -sign "$(u "$k")" "${sopts[@]}" -out "m.$k.$h" msg 2> err &&
        plain openssl dgst "-$h" -verify "$k-$p.pub" "${sopts[@]}" -signature "m.$k.$h" msg > /dev/null 2>&1; then
        ok "sign message $k $h (dgst -sign), verified by plain OpenSSL"
      else
        bad "sign message $k $h: $(cat err)"
      fi
    done
  done

  # -- decryption in the daemon of OpenSSL-made ciphertexts.
  head -c 48 /dev/urandom > secret.bin
  plain openssl pkeyutl -encrypt -pubin -inkey "rsa-oaep-$p.pub" -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in secret.bin -out ct.oaep
  if openssl pkeyutl -decrypt -inkey "$(u rsa-oaep)" -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
    -pkeyopt rsa_mgf1_md:sha256 -in ct.oaep -out pt.oaep 2> err && cmp -s secret.bin pt.oaep; then
    ok "OAEP(SHA-256) decryption of an openssl pkeyutl ciphertext"
  else
    bad "OAEP decryption: $(cat err)"
  fi
  plain openssl pkeyutl -encrypt -pubin -inkey "rsa-crypt-$p.pub" -pkeyopt rsa_padding_mode:pkcs1 -in secret.bin \
    -out ct.pkcs1
  if openssl pkeyutl -decrypt -inkey "$(u rsa-crypt)" -pkeyopt rsa_padding_mode:pkcs1 -in ct.pkcs1 -out pt.pkcs1 \
    2> err && cmp -s secret.bin pt.pkcs1; then
    ok "PKCS#1 v1.5 decryption of an openssl pkeyutl ciphertext"
  else
    bad "PKCS#1 v1.5 decryption: $(cat err)"
  fi

  # -- TLS 1.2 / 1.3 x ECDSA / RSA (PKCS#1 for 1.2, PSS for 1.3) x server / client.
  server_side 1.2 "$(u ec256)" "ec256-$p.crt" "p$p-tls1.2-ecdsa-server" ECDSA
  server_side 1.2 "$(u rsa-pkcs1)" "rsa-pkcs1-$p.crt" "p$p-tls1.2-rsa-server" RSA -sigalgs RSA+SHA256:RSA+SHA384:ECDSA+SHA256
  server_side 1.3 "$(u ec256)" "ec256-$p.crt" "p$p-tls1.3-ecdsa-server" ECDSA
  server_side 1.3 "$(u rsa-pss)" "rsa-pss-$p.crt" "p$p-tls1.3-rsa-pss-server" RSA-PSS
  client_side 1.2 "$(u ec256)" "ec256-$p.crt" "ec256-$p" "p$p-tls1.2-ecdsa-client" ECDSA
  client_side 1.2 "$(u rsa-pkcs1)" "rsa-pkcs1-$p.crt" "rsa-pkcs1-$p" "p$p-tls1.2-rsa-client" RSA \
    -client_sigalgs RSA+SHA256:ECDSA+SHA256
  client_side 1.3 "$(u ec256)" "ec256-$p.crt" "ec256-$p" "p$p-tls1.3-ecdsa-client" ECDSA
  client_side 1.3 "$(u rsa-pss)" "rsa-pss-$p.crt" "rsa-pss-$p" "p$p-tls1.3-rsa-pss-client" RSA-PSS

  # -- key reference files (the DECODER) and 16 threads in one process.
  cli -p "$p" create-key-reference -k "ec256-$p" -o "ec256-$p.ref"
  cli -p "$p" create-key-reference -k "rsa-pss-$p" -o "rsa-pss-$p.ref"
  if out=$(tool handshakes tls=1.3 scert="rsa-pss-$p.crt" skey="rsa-pss-$p.ref" ccert="ec256-$p.crt" \
    ckey="ec256-$p.ref" ca=ca.crt threads=1 count=2 2>&1); then
    ok "reference files on both ends (SSL_CTX_use_PrivateKey_file), TLS 1.3: $out"
  else
    bad "reference files: $out"
  fi
  if out=$(tool handshakes tls=1.3 scert=peer.crt skey=peer.key ccert="ec256-$p.crt" ckey="ec256-$p.ref" ca=ca.crt \
    threads=16 count=4 2>&1); then
    ok "16 threads x 4 mutual handshakes in one process, client keys in parsecd: $out"
  else
    bad "16 threads: $out"
  fi
done

echo "== failure modes"
# Key not found: a clear message and no key.
if ! openssl pkeyutl -sign -inkey "parsec:no-such-key" -in msg.sha256 -out /dev/null 2> err &&
  grep -q "parsec key not found" err; then
  ok "missing key: $(grep -m1 'parsec key not found' err | cut -d: -f6-)"
else
  bad "missing key: $(cat err)"
fi
# A missing key behind a reference file: the TLS program cannot load it.
printf '%s\n' "-----BEGIN PARSEC KEY REFERENCE-----" "$(printf 'parsec:gone?provider=1' | base64)" \
  "-----END PARSEC KEY REFERENCE-----" > gone.ref
if ! out=$(tool handshakes scert=peer.crt skey=peer.key ccert=peer.crt ckey=gone.ref ca=ca.crt 2>&1) &&
  grep -q "parsec key not found" <<< "$out"; then
  ok "reference file to a missing key refused by SSL_CTX_use_PrivateKey_file with the message"
else
  bad "reference file to a missing key: $out"
fi
# Not permitted: parsec-cli's ECDSA key allows SHA-256 only; a TLS 1.2 peer
# offering only ECDSA+SHA384 makes the daemon refuse, and the handshake fails.
cli -p 1 create-ecc-key -k sha256-only
cli -p 1 export-public-key -k sha256-only > sha256-only.pub
openssl req -new -key "parsec:sha256-only?provider=1" -subj /CN=sha256-only -out sha256-only.csr
issue "$W" sha256-only.csr sha256-only
port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -cert sha256-only.crt -key "parsec:sha256-only?provider=1" -tls1_2 \
  -naccept 1 -rev < /dev/null > np.log 2>&1 &
pid=$!
wait_accept np.log $pid
if ! echo | plain openssl s_client -connect "127.0.0.1:$port" -CAfile ca.crt -tls1_2 -sigalgs ECDSA+SHA384 \
  -brief > npc.log 2>&1; then
  wait $pid
  rc=$?
  if grep -q "parsec operation not permitted" np.log && [ $rc -lt 128 ]; then
    ok "not permitted: handshake failed, s_server exited $rc (no crash): $(grep -m1 'not permitted' np.log | cut -d: -f6-)"
  else
    bad "not permitted: rc=$rc $(cat np.log)"
  fi
else
  wait $pid
  bad "not permitted: the handshake succeeded"
fi
# Daemon down: a server whose key is loaded keeps running, its handshakes fail
# with the message; loading a key fails with the message.
port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -cert ec256-1.crt -key "parsec:ec256-1?provider=1" -tls1_3 \
  -naccept 2 -rev < /dev/null > down.log 2>&1 &
pid=$!
wait_accept down.log $pid
"$PARSEC_TESTBED" stop "$PARSEC_TESTBED_DIR" > /dev/null
if ! echo | plain openssl s_client -connect "127.0.0.1:$port" -CAfile ca.crt -tls1_3 -brief > downc.log 2>&1 &&
  kill -0 $pid 2> /dev/null && grep -q "parsec service unreachable" down.log; then
  ok "daemon down: handshake failed, s_server still running: $(grep -m1 'unreachable' down.log | cut -d: -f6-)"
else
  bad "daemon down (handshake): $(cat down.log downc.log)"
fi
if ! openssl pkeyutl -sign -inkey "parsec:ec256-1?provider=1" -in msg.sha256 -out /dev/null 2> err &&
  grep -q "parsec service unreachable" err; then
  ok "daemon down: key load refused: $(grep -m1 'unreachable' err | cut -d: -f6-)"
else
  bad "daemon down (load): $(cat err)"
fi
"$PARSEC_TESTBED" restart "$PARSEC_TESTBED_DIR" > /dev/null 2>&1 || "$PARSEC_TESTBED" start "$PARSEC_TESTBED_DIR" > /dev/null
# The same s_server process serves again once the daemon is back.
if echo | plain openssl s_client -connect "127.0.0.1:$port" -CAfile ca.crt -tls1_3 -brief 2>&1 |
  grep -q "Verification: OK"; then
  ok "daemon back: the same s_server process completes a handshake"
else
  bad "daemon back: $(tail -5 down.log)"
fi
wait $pid 2> /dev/null

echo "== TLS handshake matrix (provider x version x key x side)"
for k in $(printf '%s\n' "${!TLS_RESULT[@]}" | sort); do
  printf '  %-32s %s\n' "$k" "${TLS_RESULT[$k]}"
done
echo "== openssl-provider suite: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
