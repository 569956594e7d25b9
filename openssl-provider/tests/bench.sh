#!/usr/bin/env bash
# openssl-provider/tests/bench.sh: TLS 1.3 handshakes per second with the
# server's ECDSA P-256 key in parsecd (SoftHSM, provider 2) against the *same*
# key in a PEM file, measured in one process by parsec_ossl_tool (client and
# server over in-memory BIO pairs, full handshakes, the client's own key in a
# file). Run by `openssl-provider/run-tests.sh --bench` inside the testbed.
# BENCH_SECONDS (default 5) per measurement; 1 and 2 threads; each pair of
# figures is measured back to back, three rounds, medians reported.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
SECS="${BENCH_SECONDS:-5}"
W="$PARSEC_TESTBED_DIR/bench"
mkdir -p "$W"
cd "$W"
write_config openssl.cnf
export OPENSSL_CONF="$W/openssl.cnf"
make_ca "$W"
file_peer "$W" peer
# One key, two homes: generated here, imported into SoftHSM.
plain openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out bench.key
"$PARSEC_CLI" -p 2 import-key -k bench-p256 -f bench.key
"$PARSEC_CLI" -p 2 create-key-reference -k bench-p256 -o bench.ref
plain openssl req -new -key bench.key -subj /CN=bench -out bench.csr
issue "$W" bench.csr bench
median() { sort -n | sed -n "$(((${1} + 1) / 2))p"; }
for threads in 1 2; do
  parsec_rates=()
  file_rates=()
  for round in 1 2 3; do
    for home in ref key; do
      line=$("$PARSEC_OSSL_TOOL" handshakes tls=1.3 scert=bench.crt "skey=bench.$home" ccert=peer.crt ckey=peer.key \
        ca=ca.crt threads="$threads" seconds="$SECS")
      rate=${line##*rate=}
      [ "$home" = ref ] && parsec_rates+=("$rate") || file_rates+=("$rate")
      echo "  round $round threads=$threads key in ${home/ref/parsecd}: $line"
    done
  done
  p=$(printf '%s\n' "${parsec_rates[@]}" | median 3)
  f=$(printf '%s\n' "${file_rates[@]}" | median 3)
  echo "threads=$threads: key in parsecd (SoftHSM) $p handshakes/s, key in file $f handshakes/s, ratio $(python3 -c "print(f'{$p/$f:.2f}')")"
done
