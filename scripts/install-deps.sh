#!/usr/bin/env bash
# Installs the Debian 12 packages parsec-cpp needs to build and test.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  protobuf-compiler libprotobuf-dev libboost-dev libmbedtls-dev libsqlite3-dev
  libtomlplusplus-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libssl-dev openssl
  libtss2-dev swtpm swtpm-tools tpm2-tools softhsm2 opensc libp11-kit-dev
  swig pybind11-dev python3 python3-venv python3-dev sqlite3 procps clang-format
  clang libclang-rt-14-dev
  openjdk-17-jdk-headless maven
  # openssl-provider/ tests and samples: nginx and curl as TLS peers, requests for the Python sample
  nginx-light curl python3-requests
  # tests/deploy: systemd-analyze and systemd-socket-activate (systemd need not run)
  systemd
  # JWT-SVID authentication (PARSEC_WITH_JWT_SVID): gRPC for the SPIFFE Workload API; util-linux's
  # setpriv runs the SPIRE suite's workloads as other uids
  libgrpc++-dev protobuf-compiler-grpc util-linux
)
# The Go SDK (sdk-go/) needs a Go toolchain: Debian's (1.19) unless one is installed.
if ! command -v go > /dev/null; then
  PACKAGES+=(golang-go)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
