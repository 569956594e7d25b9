#!/usr/bin/env bash
# tests/interop/run.sh: the cross-language interop matrix (docs/interop.md), callable
# from a clean clone after scripts/build.sh.
#
#   tests/interop/run.sh [--report FILE] [--providers "1 2 3"]
#       builds the drivers, starts one parsecd with the software provider, SoftHSM and
#       swtpm and both authenticators (tests/testbed/parsec-testbed.sh), runs the matrix
#       of tests/interop/cases.json and writes the report (default build/interop-report.txt)
#   tests/interop/run.sh --no-daemon [--endpoint unix:/path/parsec.sock] [--providers "1 2 3"]
#       the same against a daemon that is already running (e.g. upstream parsec; default
#       endpoint $PARSEC_SERVICE_ENDPOINT, providers $PARSEC_TESTBED_PROVIDERS, as under
#       `parsec-testbed.sh run`); it needs Direct authentication (app names "interop",
#       "alice", "bob") and, for the other-uid row, UnixPeerCredentials and a socket the uid
#       nobody can reach. Under the testbed, PARSEC_TESTBED_AUTH=unix-peer means --auth
#       unix-peer and PARSEC_TESTBED_AUTH=direct means --skip-other-uid
#   --auth unix-peer: every request authenticates by the caller's uid instead of Direct app
#       names (a daemon with that authenticator only); the rows that need Direct are not run
#   --known upstream: cells that fail exactly as a listed difference of upstream parsec
#       (cases.json known_differences) are reported "known" instead of failed; set by
#       itself under a testbed whose PARSEC_TESTBED_DAEMON is upstream
#   --skip-other-uid: leave out the other-uid row (a daemon without UnixPeerCredentials)
#   --build-only: build the drivers and stop
#
# The drivers, built into <build>/interop/ against the core installed into the staging
# prefix (scripts/stage-install.sh), the way users build:
#   cpp     tests/interop/drivers/cpp/driver.cc, g++ with pkg-config parsec-client
#   go      tests/interop/drivers/go (sdk-go through a replace directive), go build
#   java    tests/interop/drivers/java, javac against the sdk-java jar (sdk-java/target,
#           built by sdk-java/run-tests.sh; built here with Maven only when absent)
#   python  the parsec_sdk package with its pybind11 module compiled against the staged
#           libparsec-client.a, in a virtual environment with cryptography (pip cache)
#   cli     the staged parsec-cli, one process per request
#   openssl the staged OpenSSL provider module (parsec.so) through the openssl command
# The other-uid row (UnixPeerCredentials as uid nobody, via setpriv) needs root; without
# it that row is reported "not run (needs root)" and this script says so loudly.
# Exit status: 0 only if every cell that ran passed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${PARSEC_BUILD_DIR:-$root/build}"
out="$build/interop"
report="$build/interop-report.txt"
providers=""
endpoint=""
daemon=1
build_only=0
auth=direct
other_uid=1
known=""
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report="$2"; shift 2 ;;
    --providers) providers="$2"; shift 2 ;;
    --endpoint) endpoint="$2"; shift 2 ;;
    --no-daemon) daemon=0; shift ;;
    --build-only) build_only=1; shift ;;
    --auth) auth="$2"; shift 2 ;;
    --skip-other-uid) other_uid=0; shift ;;
    --known) known="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ $daemon -eq 0 ]; then
  endpoint="${endpoint:-${PARSEC_SERVICE_ENDPOINT:-}}"
  if [ -z "$endpoint" ]; then
    echo "run.sh: --no-daemon needs --endpoint unix:/path (or PARSEC_SERVICE_ENDPOINT)" >&2
    exit 2
  fi
  # A testbed started by the caller says which authenticators its daemon has.
  case "${PARSEC_TESTBED_AUTH:-}" in
    unix-peer) auth=unix-peer ;;
    direct) other_uid=0 ;;
  esac
  if [ "${PARSEC_TESTBED_DAEMON:-}" = upstream ] && [ -z "$known" ]; then
    known=upstream
    echo "== interop: the daemon is upstream parsec: its known differences (cases.json) are reported, not failed"
  fi
fi
for tool in g++ pkg-config go javac java openssl setpriv; do
  command -v "$tool" > /dev/null || { echo "run.sh: $tool is needed (scripts/install-deps.sh)" >&2; exit 2; }
done
started=$(date +%s)
mkdir -p "$out"
eval "$("$root/scripts/stage-install.sh")"
libdir="$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")"
export PARSEC_CLI="$PARSEC_PREFIX/bin/parsec-cli"
export PARSEC_OSSL_MODULE="$PARSEC_PREFIX/${libdir:-lib}/ossl-modules/parsec.so"
[ -f "$PARSEC_OSSL_MODULE" ] || { echo "run.sh: no $PARSEC_OSSL_MODULE (build with the OpenSSL provider)" >&2; exit 2; }
core="$PARSEC_PREFIX/${libdir:-lib}/libparsec-client.a"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cxx=(g++)
command -v ccache > /dev/null && cxx=(ccache g++)

# stale TARGET SOURCES...: true when TARGET is missing or older than a source.
stale() {
  local target="$1"
  shift
  [ -e "$target" ] || return 0
  for s in "$@"; do
    [ "$s" -nt "$target" ] && return 0
  done
  return 1
}

echo "== interop: building the drivers into $out"
# C++ core
if stale "$out/cpp-driver" "$here/drivers/cpp/driver.cc" "$core"; then
  "${cxx[@]}" -std=c++20 -O1 -Wall -Wextra "$here/drivers/cpp/driver.cc" -o "$out/cpp-driver" \
    $(pkg-config --cflags --libs parsec-client)
fi
# Go: as sdk-go/run-tests.sh, the core's hash goes into CGO_CPPFLAGS (Go's cache key).
export GOTOOLCHAIN=local
core_id="$(cat "$core" $(find "$PARSEC_PREFIX/include/parsec" -type f | sort) | sha256sum | cut -c1-16)"
(cd "$here/drivers/go" && CGO_CPPFLAGS="${CGO_CPPFLAGS:-} -DPARSEC_CLIENT_ID=$core_id" go build -o "$out/go-driver" .)
# Java: the SDK jar as sdk-java/run-tests.sh leaves it; Maven only when it is absent.
jar="$(ls "$root"/sdk-java/target/parsec-client-java-*.jar 2> /dev/null | grep -v -e sources -e javadoc |
  head -1 || true)"
if [ -z "$jar" ]; then
  echo "== interop: no sdk-java jar, building it (mvn package -DskipTests)"
  (cd "$root/sdk-java" && mvn -B -q package -DskipTests) > "$out/java-build.log" 2>&1 ||
    { tail -40 "$out/java-build.log"; exit 1; }
  jar="$(ls "$root"/sdk-java/target/parsec-client-java-*.jar | grep -v -e sources -e javadoc | head -1)"
fi
java_src="$here/drivers/java/org/parsec/interop/Driver.java"
if stale "$out/java/org/parsec/interop/Driver.class" "$java_src" "$jar"; then
  javac -d "$out/java" -cp "$jar" "$java_src"
fi
# Python: the system interpreter's venv (so that another uid can run the same interpreter),
# cryptography pinned as sdk-python/run-tests.sh pins it, the module against the staged core.
python="$(command -v /usr/bin/python3 || command -v python3)"
venv="$out/venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import cryptography' 2> /dev/null; then
  "$venv/bin/python" -m pip install --quiet "cryptography==50.0.2"
fi
pkg="$out/python/parsec_sdk"
mkdir -p "$pkg"
ext="$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")"
pyinc="$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['include'])")"
module_src="$root/sdk-python/src/native/module.cc"
if stale "$pkg/_native$ext" "$module_src" "$core"; then
  "${cxx[@]}" -std=c++20 -O1 -shared -fPIC -fvisibility=hidden -I"$pyinc" "$module_src" -o "$pkg/_native$ext" \
    $(pkg-config --cflags --libs parsec-client)
fi
cp "$root"/sdk-python/src/parsec_sdk/*.py "$pkg/"
[ $build_only -eq 1 ] && { echo "== interop: drivers built"; exit 0; }

# The daemon.
if [ $daemon -eq 1 ]; then
  tb="$(mktemp -d /tmp/parsec-interop.XXXXXX)"
  cleanup() {
    "$root/tests/testbed/parsec-testbed.sh" stop "$tb" > /dev/null 2>&1 || true
    rm -rf "$tb"
  }
  trap cleanup EXIT
  "$root/tests/testbed/parsec-testbed.sh" start "$tb"
  set -a
  # shellcheck disable=SC1091
  . "$tb/env"
  set +a
  chmod 711 "$tb"  # the other-uid client reaches the socket (srw-rw-rw-) through it
  providers="${providers:-$PARSEC_TESTBED_PROVIDERS}"
else
  export PARSEC_SERVICE_ENDPOINT="$endpoint"
  providers="${providers:-${PARSEC_TESTBED_PROVIDERS:-}}"
  # The caller's testbed folder is owner-only; the other-uid client must reach the socket in it.
  if [ -n "${PARSEC_TESTBED_DIR:-}" ] && [ "$(id -u)" -eq 0 ] && [ $other_uid -eq 1 ]; then
    chmod 711 "$PARSEC_TESTBED_DIR"
  fi
fi
providers="${providers:-1 2 3}"

pypath="$here/drivers/python"
drivers=(
  --driver "cpp=$out/cpp-driver"
  --driver "cli=$venv/bin/python $pypath/cli_driver.py"
  --driver "python=env PYTHONPATH=$out/python:$pypath $venv/bin/python $pypath/sdk_driver.py"
  --driver "go=$out/go-driver"
  --driver "java=java -cp $out/java:$jar org.parsec.interop.Driver"
  --driver "openssl=$venv/bin/python $pypath/openssl_driver.py"
)
note="not run (needs root: setpriv to uid nobody)"
if [ $other_uid -eq 0 ]; then
  note="not run (--skip-other-uid: the daemon has no UnixPeerCredentials authenticator)"
elif [ "$(id -u)" -eq 0 ]; then
  # A copy nobody can read whatever the checkout's permissions, run by the system interpreter.
  other="$(mktemp -d /tmp/parsec-interop-uid.XXXXXX)"
  trap 'rm -rf "$other"; if [ $daemon -eq 1 ]; then cleanup; fi' EXIT
  cp -r "$out/python/parsec_sdk" "$pypath/driverlib.py" "$pypath/sdk_driver.py" "$other/"
  chmod -R a+rX "$other"
  as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  drivers+=(--driver "python-other-uid=$as_nobody env PYTHONPATH=$other PYTHONDONTWRITEBYTECODE=1 \
$(readlink -f "$venv/bin/python") $other/sdk_driver.py")
else
  echo "########################################################################"
  echo "## interop: NOT ROOT - the tenancy row of another uid (UnixPeerCredentials"
  echo "## as uid nobody, from Python) is NOT RUN; CI runs it as root."
  echo "########################################################################"
fi

echo "== interop: matrix against $PARSEC_SERVICE_ENDPOINT (providers $providers)"
rc=0
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" "$here/interop.py" --cases "$here/cases.json" --report "$report" \
  --providers "$providers" --auth "$auth" --known "$known" --other-uid-note "$note" "${drivers[@]}" || rc=$?
echo "== interop: stage wall time $(($(date +%s) - started)) s (drivers built, daemon up, matrix run)"
if [ $rc -ne 0 ] && [ $daemon -eq 1 ]; then
  echo "== interop: parsecd log tail ($tb/parsecd.log)"
  tail -20 "$tb/parsecd.log" || true
fi
exit $rc
