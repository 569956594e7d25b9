#!/usr/bin/env bash
# tests/deploy/run.sh: the deployment checks (docs/deployment.md), callable from
# a clean clone after scripts/build.sh:
#   1. check-units.sh: the systemd units verify cleanly and
#      `systemd-analyze security --offline=yes` rates parsec.service <= 2.0,
#      alone and with each drop-in;
#   2. socket-activation.sh, in the testbed (software, SoftHSM, swtpm):
#      parsecd started by systemd-socket-activate under the unit's seccomp and
#      capability settings, signing with each provider, wrong descriptors refused;
#   3. check-manifests.sh: the Kubernetes manifests validate against the
#      Kubernetes schemas, their configurations pass parsecd --check, and the
#      workload's script signs through the Python SDK.
# Environment: PARSECD (default build/service/parsecd), PARSEC_CLI (default
# build/sdk-cpp/parsec-cli).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export PARSECD="${PARSECD:-$ROOT/build/service/parsecd}"
export PARSEC_CLI="${PARSEC_CLI:-$ROOT/build/sdk-cpp/parsec-cli}"
for bin in "$PARSECD" "$PARSEC_CLI"; do
  [ -x "$bin" ] || {
    echo "tests/deploy: $bin not found (run scripts/build.sh first)" >&2
    exit 2
  }
done

echo "-- systemd units: verify and exposure"
"$HERE/check-units.sh"
echo "-- socket activation (systemd-socket-activate, in the testbed)"
"$ROOT/tests/testbed/parsec-testbed.sh" run -- "$HERE/socket-activation.sh"
echo "-- Kubernetes manifests"
"$HERE/check-manifests.sh"
echo "tests/deploy: all passed"
