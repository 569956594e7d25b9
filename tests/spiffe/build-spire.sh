#!/usr/bin/env bash
# Builds spire-server and spire-agent once from the Go module proxy and caches the binaries, so CI pays the
# (several-minute) Go build only on a fresh machine. Prints the directory holding both binaries.
set -euo pipefail
SPIRE_VERSION=${SPIRE_VERSION:-v1.13.3}
CACHE=${PARSEC_SPIRE_CACHE:-$HOME/.cache/parsec-spire}/$SPIRE_VERSION
if [[ -x $CACHE/spire-server && -x $CACHE/spire-agent ]]; then
  echo "$CACHE"
  exit 0
fi
command -v go >/dev/null || { echo "build-spire.sh: Go is required (scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$CACHE"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(
  cd "$scratch"
  go mod init parsec-spire-build >/dev/null 2>&1
  go get -tool "github.com/spiffe/spire/cmd/spire-server@$SPIRE_VERSION" >&2
  go get -tool "github.com/spiffe/spire/cmd/spire-agent@$SPIRE_VERSION" >&2
  GOBIN="$CACHE.tmp" go install github.com/spiffe/spire/cmd/spire-server github.com/spiffe/spire/cmd/spire-agent >&2
)
mv "$CACHE.tmp/spire-server" "$CACHE.tmp/spire-agent" "$CACHE/"
rmdir "$CACHE.tmp"
echo "$CACHE"
