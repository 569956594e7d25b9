#!/usr/bin/env bash
# Checks that the build is an installable product, the way a user consumes it:
#   1. `cmake --install` into a fresh temporary prefix, and the expected files
#      are there (parsecd, parsec-cli, libparsec-client, public headers, the
#      CMake package and parsec-client.pc; never psa_proto.h);
#   2. every installed header compiles on its own (no dependency on a header
#      that is not installed);
#   3. examples/cpp builds standalone against the prefix with only
#      -DCMAKE_PREFIX_PATH (find_package(parsec) -> parsec::client);
#   4. a one-file program builds with only
#      `g++ -std=c++20 x.cc $(pkg-config --cflags --libs parsec-client)`;
#   5. both programs and the installed parsec-cli run against a parsecd started
#      from the INSTALLED binary on the software provider, and succeed.
# Everything lives in one temporary folder, removed (daemon stopped) on exit.
#   PARSEC_BUILD_DIR       the build to install (default ./build, already built)
#   PARSEC_CHECK_PARSECD   the daemon to run (default: <prefix>/bin/parsecd)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${PARSEC_BUILD_DIR:-$ROOT/build}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/parsec-check-install.XXXXXX")"
chmod 700 "$WORK"
PREFIX="$WORK/prefix"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "check-install: $*" >&2
  exit 1
}

echo "== cmake --install into $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" > "$WORK/install.log" || { cat "$WORK/install.log"; fail "install failed"; }
# The library folder is the one GNUInstallDirs chose when the build was configured.
LIBDIR="$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD/CMakeCache.txt")"
LIBDIR="${LIBDIR:-lib}"
for f in bin/parsecd bin/parsec-cli "$LIBDIR/libparsec-client.a" "$LIBDIR/pkgconfig/parsec-client.pc" \
  "$LIBDIR/cmake/parsec/parsecConfig.cmake" "$LIBDIR/cmake/parsec/parsecConfigVersion.cmake" \
  "$LIBDIR/cmake/parsec/parsecTargets.cmake" include/parsec/client/client.h include/parsec/psa/operations.h \
  include/parsec/interface/wire.h include/parsec/interface/result.h include/parsec/interface/secret.h; do
  [ -e "$PREFIX/$f" ] || fail "not installed: $f"
done
[ -z "$(find "$PREFIX" -name '*.pb.h' -o -name psa_proto.h)" ] || fail "protobuf headers were installed"
PCDIR="$PREFIX/$LIBDIR/pkgconfig"

echo "== each installed header compiles alone"
while IFS= read -r header; do
  printf '#include <%s>\n' "$header" | g++ -std=c++20 -fsyntax-only -I"$PREFIX/include" -x c++ - ||
    fail "$header does not compile alone"
done < <(cd "$PREFIX/include" && find . -name '*.h' | sed 's|^\./||' | sort)

echo "== examples/cpp standalone, with only -DCMAKE_PREFIX_PATH"
cmake -S "$ROOT/examples/cpp" -B "$WORK/example" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" > "$WORK/example.log" ||
  { cat "$WORK/example.log"; fail "examples/cpp does not configure against the prefix"; }
cmake --build "$WORK/example" >> "$WORK/example.log" ||
  { cat "$WORK/example.log"; fail "examples/cpp does not build against the prefix"; }

echo "== a one-file program with pkg-config --cflags --libs parsec-client"
cat > "$WORK/x.cc" <<'CC'
// Lists the service's providers and asks for random bytes: needs only
// parsec-client (no OpenSSL).
#include <parsec/client/client.h>

#include <cstdio>

int main() {
  try {
    parsec::client::Client client;
    const auto version = client.ping();
    std::printf("pkg-config program: wire protocol %u.%u\n", version.major, version.minor);
    for (const auto& p : client.list_providers()) {
      std::printf("  provider %u: %s\n", static_cast<unsigned>(p.id), p.description.c_str());
    }
    if (client.generate_random(32).size() != 32) {
      std::fprintf(stderr, "generate_random gave the wrong size\n");
      return 1;
    }
    std::printf("  32 random bytes from the service\n");
    return 0;
  } catch (const parsec::client::Error& e) {
    std::fprintf(stderr, "pkg-config program: %s\n", e.what());
    return 1;
  }
}
CC
PC_FLAGS="$(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs parsec-client)" || fail "pkg-config parsec-client failed"
echo "pkg-config --cflags --libs parsec-client: $PC_FLAGS"
# shellcheck disable=SC2086  # the flags are words
g++ -std=c++20 "$WORK/x.cc" -o "$WORK/x" $PC_FLAGS || fail "the pkg-config program does not build"

echo "== against the installed parsecd (software provider)"
PARSECD="${PARSEC_CHECK_PARSECD:-$PREFIX/bin/parsecd}"
ALLOW_ROOT=false
if [ "$(id -u)" -eq 0 ]; then
  ALLOW_ROOT=true # only because this check was started as root
fi
SOCK="$WORK/parsec.sock"
cat > "$WORK/config.toml" <<CONF
[core_settings]
allow_root = $ALLOW_ROOT
log_level = "info"

[listener]
listener_type = "DomainSocket"
timeout = 200
socket_path = "$SOCK"

[authenticator]
auth_type = "UnixPeerCredentials"

[[key_manager]]
name = "sqlite-manager"
manager_type = "SQLite"
sqlite_db_path = "$WORK/store/keys.sqlite3"

[[provider]]
provider_type = "MbedCrypto"
key_info_manager = "sqlite-manager"
CONF
"$PARSECD" -c "$WORK/config.toml" > "$WORK/parsecd.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  grep -q "parsecd listening" "$WORK/parsecd.log" && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/parsecd.log"; fail "parsecd ($PARSECD) failed to start"; }
  sleep 0.1
done
grep -q "parsecd listening" "$WORK/parsecd.log" || { cat "$WORK/parsecd.log"; fail "parsecd did not start"; }
export PARSEC_SERVICE_ENDPOINT="unix:$SOCK"

"$PREFIX/bin/parsec-cli" ping || fail "the installed parsec-cli cannot ping"
"$WORK/example/parsec-example" || fail "examples/cpp (installed build) failed"
"$WORK/x" || fail "the pkg-config program failed"
echo "check-install: all checks passed"
