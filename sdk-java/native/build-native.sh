#!/usr/bin/env bash
# sdk-java/native/build-native.sh: generates the JNI layer with SWIG from the ONE
# interface file shared with the Go SDK (parsec/binding/parsec.i, installed with
# the client core) and compiles it into libparsec_jni.so, placed where Maven
# packages it into the jar (native/linux-x86_64/). Maven runs it in the
# generate-sources phase (exec-maven-plugin); it can also be run by hand.
#
#   build-native.sh OUT_JAVA_DIR OUT_RESOURCE_DIR WORK_DIR
#
# The core is found the way a user's build finds it: `pkg-config parsec-client`
# (PKG_CONFIG_PATH from scripts/stage-install.sh). When pkg-config does not know
# it, the staging prefix of this checkout (build/stage) is tried. Nothing is
# rebuilt when the inputs (parsec.i, the installed headers, the archive) did not
# change.
set -euo pipefail
out_java="$1"
out_res="$2"
work="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! pkg-config --exists parsec-client 2> /dev/null; then
  stage="${PARSEC_PREFIX:-$root/build/stage}"
  for d in "$stage"/lib*/pkgconfig; do
    export PKG_CONFIG_PATH="$d${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  done
  pkg-config --exists parsec-client 2> /dev/null || {
    echo "build-native.sh: pkg-config finds no parsec-client; run scripts/build.sh and eval \"\$(scripts/stage-install.sh)\"" >&2
    exit 2
  }
fi
command -v swig > /dev/null || { echo "build-native.sh: swig is needed" >&2; exit 2; }

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
cflags="$(pkg-config --cflags parsec-client)"
libs="$(pkg-config --libs parsec-client)"
incdir="$(pkg-config --variable=includedir parsec-client 2> /dev/null || true)"
iface=""
for f in $cflags; do
  case "$f" in -I*) [ -f "${f#-I}/parsec/binding/parsec.i" ] && iface="${f#-I}/parsec/binding/parsec.i" ;; esac
done
[ -n "$iface" ] || iface="$incdir/parsec/binding/parsec.i"
[ -f "$iface" ] || { echo "build-native.sh: parsec/binding/parsec.i not installed with the core" >&2; exit 2; }
libdir="$(pkg-config --variable=libdir parsec-client)"

pkg_dir="$out_java/org/parsec/client/jni"
so="$out_res/native/linux-x86_64/libparsec_jni.so"
mkdir -p "$pkg_dir" "$(dirname "$so")" "$work"

# Cache key: everything the output depends on.
key="$(cat "$iface" "$0" $(find "$(dirname "$(dirname "$iface")")" -name '*.h' | sort) "$libdir"/libparsec-client.a |
  sha256sum | cut -c1-32)"
if [ -f "$so" ] && [ -f "$work/key" ] && [ "$(cat "$work/key")" = "$key" ] && [ -f "$pkg_dir/ParsecNative.java" ]; then
  exit 0
fi

rm -f "$pkg_dir"/*.java
# -module differs from every class name (SWIG warning 518).
swig -java -c++ -package org.parsec.client.jni -module ParsecNative $cflags -outdir "$pkg_dir" \
  -o "$work/parsec_jni_wrap.cxx" "$iface"
# The facade throws this class (parsec.i, PARSEC_JAVA_EXCEPTION); the public API
# turns it into the typed ParsecException hierarchy.
g++ -std=c++20 -O2 -fPIC -shared -fvisibility=hidden -Wno-unused-parameter \
  -DPARSEC_JAVA_EXCEPTION='"org/parsec/client/jni/NativeException"' \
  -I"$java_home/include" -I"$java_home/include/linux" $cflags "$work/parsec_jni_wrap.cxx" \
  -o "$work/libparsec_jni.so" $libs -s -Wl,--no-undefined -Wl,--exclude-libs,ALL
mv "$work/libparsec_jni.so" "$so"
echo "$key" > "$work/key"
echo "build-native.sh: $(basename "$so") ($(stat -c %s "$so") bytes) from $iface"
