#!/usr/bin/env bash
# tests/deploy/check-manifests.sh: the Kubernetes examples are valid objects
# and what they carry works.
#   1. every manifest of examples/kubernetes/ validates, strictly (unknown
#      fields are errors), against the Kubernetes 1.30 and 1.37 OpenAPI schemas,
#      with kubernetes-validate (PyPI, schemas bundled: no cluster, no network
#      at validation time), pinned, in a cached venv;
#   2. each parsecd configuration they ship (the ConfigMap's and the SoftHSM
#      Secret's config.toml) passes `parsecd --check`, as does
#      examples/service/config.toml;
#   3. the workload Pod's sign.py runs against a real parsecd (the testbed)
#      with the Python SDK installed into that venv from sdk-python/, and its
#      signature verifies with OpenSSL.
# No cluster is started: docs/deployment.md says what that leaves untested.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PARSECD="${PARSECD:-$ROOT/build/service/parsecd}"
K8S="$ROOT/examples/kubernetes"
VENV="${PARSEC_DEPLOY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/parsec-cpp/deploy-venv}"
VALIDATE_VERSION=1.37.0
CRYPTOGRAPHY_VERSION=50.0.2
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

# ---- the venv (kept between runs; pip's own cache makes a rebuild quick)
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/pip" show kubernetes-validate 2> /dev/null | grep -qx "Version: $VALIDATE_VERSION"; then
  "$VENV/bin/pip" install -q "kubernetes-validate==$VALIDATE_VERSION"
fi

# ---- 1. schemas
for version in 1.30.0 1.37.0; do
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$K8S"/*.yaml
done
echo "check-manifests: ok: $(ls "$K8S"/*.yaml | wc -l) files valid (strict) for Kubernetes 1.30 and 1.37"

# ---- 2. the configurations they carry
"$VENV/bin/python" - "$K8S" "$T" << 'PY'
import pathlib, sys, yaml
k8s, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
found = 0
for f in sorted(k8s.glob("*.yaml")):
    for doc in yaml.safe_load_all(f.read_text()):
        data = (doc or {}).get("data") or (doc or {}).get("stringData") or {}
        if "config.toml" in data:
            (out / f"{f.stem}-{doc['kind'].lower()}.toml").write_text(data["config.toml"])
            found += 1
if found < 2:
    sys.exit(f"check-manifests: only {found} config.toml found in {k8s}")
PY
cp "$ROOT/examples/service/config.toml" "$T/service-config.toml"
chmod 755 "$T"
chmod 644 "$T"/*.toml
for cfg in "$T"/*.toml; do
  # The shipped files say allow_root = false, so check them as an ordinary user.
  if [ "$(id -u)" = 0 ]; then
    out="$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PARSECD" -c "$cfg" --check 2>&1)" || {
      echo "check-manifests: FAIL: $(basename "$cfg"): $out" >&2
      exit 1
    }
  else
    out="$("$PARSECD" -c "$cfg" --check 2>&1)" || {
      echo "check-manifests: FAIL: $(basename "$cfg"): $out" >&2
      exit 1
    }
  fi
  echo "check-manifests: ok: $(basename "$cfg"): parsecd --check: ${out##*] }"
done

# ---- 3. the workload's script, through the Python SDK, against a real parsecd
"$VENV/bin/python" -c "import yaml, sys; docs = list(yaml.safe_load_all(open(sys.argv[1])));
open(sys.argv[2], 'w').write(next(d for d in docs if d['kind'] == 'ConfigMap')['data']['sign.py'])" \
  "$K8S/workload-pod.yaml" "$T/sign.py"
# The SDK of this checkout, compiled by pip in a build folder of this checkout
# that is kept, so a rerun rebuilds only what changed.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true "$VENV/bin/pip" install -q --force-reinstall --no-deps \
  -Cbuild-dir="${PARSEC_BUILD_DIR:-$ROOT/build}/deploy-sdk-python" "$ROOT/sdk-python"
"$VENV/bin/pip" install -q "cryptography==$CRYPTOGRAPHY_VERSION"
cat > "$T/run-sign.sh" << 'SH'
#!/usr/bin/env bash
set -euo pipefail
out="$("$VENV/bin/python" "$T/sign.py")"
echo "$out" | sed 's/^/check-manifests:   | /'
grep -qx "verified with cryptography: OK" <<< "$out"
# And independently of Python: OpenSSL verifies the same signature.
sed -n '/BEGIN PUBLIC KEY/,/END PUBLIC KEY/p' <<< "$out" > "$T/pub.pem"
sed -n 's/^signature (DER, base64): //p' <<< "$out" | base64 -d > "$T/sig.der"
sed -n 's/^message: //p' <<< "$out" | tr -d '\n' > "$T/msg"
openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig.der" "$T/msg"
# A restarted workload finds its key again: a second run signs with the same key.
again="$(MESSAGE="second run" "$VENV/bin/python" "$T/sign.py")"
grep -qx "verified with cryptography: OK" <<< "$again"
[ "$(sed -n '/BEGIN PUBLIC KEY/,/END PUBLIC KEY/p' <<< "$again")" = "$(cat "$T/pub.pem")" ] || {
  echo "check-manifests: the second run did not reuse the workload's key" >&2
  exit 1
}
echo "check-manifests:   second run: same key found and used"
SH
chmod +x "$T/run-sign.sh"
VENV="$VENV" T="$T" PARSECD="$PARSECD" "$ROOT/tests/testbed/parsec-testbed.sh" run software -- "$T/run-sign.sh"
echo "check-manifests: ok: the workload's sign.py signed through parsecd (twice, one key); OpenSSL verifies the signature"
