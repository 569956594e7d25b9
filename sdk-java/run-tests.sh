#!/usr/bin/env bash
# sdk-java/run-tests.sh: CI entry point of the Java SDK (after scripts/build.sh).
#
#   1. installs the built core into the staging prefix (scripts/stage-install.sh); the JNI
#      library is generated and compiled against it only through pkg-config parsec-client
#      (native/build-native.sh, run by Maven), as a user's build does;
#   2. pre-fetches, online and once (cached in ~/.m2), every plugin and dependency of sdk-java and
#      examples/java/mtls, including surefire's JUnit provider (a surefire run with no test);
#   3. runs the JUnit suites of sdk-java OFFLINE (mvn -o): the tests start their own parsecd with
#      the software provider, SoftHSM and swtpm (tests/testbed/parsec-testbed.sh), and installs
#      the jar into ~/.m2 for the example;
#   4. runs the mTLS example's test OFFLINE under `parsec-testbed.sh run` (TLS 1.2 and 1.3);
#   5. with PARSEC_JAVA_BENCH=1, the ECDSA P-256 signing benchmark (JCA vs the C++ core).
#
# Environment: PARSEC_BUILD_DIR (default ./build), PARSEC_MAVEN_REPO (a local repository other
# than ~/.m2/repository, e.g. to prove that step 2 fetches everything), PARSEC_JAVA_BENCH.
# Full Maven output: sdk-java/target/run-tests-*.log.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
example="$root/examples/java/mtls"

for tool in java mvn swig pkg-config g++ openssl; do
  command -v "$tool" > /dev/null || { echo "run-tests.sh: $tool is needed (scripts/install-deps.sh)" >&2; exit 2; }
done
mvn=(mvn -B)
if [ -n "${PARSEC_MAVEN_REPO:-}" ]; then
  mvn+=("-Dmaven.repo.local=$PARSEC_MAVEN_REPO")
fi

echo "== Java SDK: $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
eval "$("$root/scripts/stage-install.sh")"
export PARSEC_TESTBED="$root/tests/testbed/parsec-testbed.sh"
# The suites start their own daemons.
unset PARSEC_SERVICE_ENDPOINT PARSEC_TESTBED_DIR
mkdir -p "$here/target"

# summary LOG: the lines worth reading in CI (test counts, handshakes, restarts, failures).
summary() {
  grep -E 'Tests run:|FAIL|ERROR\]|BUILD|^TLS|^TLSv|^provider|restart:|foreign CA|build-native' "$1" || true
}

echo "== Pre-fetch (online, once): Maven plugins and dependencies of sdk-java and examples/java/mtls"
# A surefire run with no test resolves its JUnit platform provider, which dependency:go-offline
# leaves out; install puts the jar where the example resolves it.
no_tests=(-Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false)
(cd "$here" && "${mvn[@]}" -q dependency:go-offline "${no_tests[@]}" install) > "$here/target/run-tests-prefetch.log" 2>&1 ||
  { tail -40 "$here/target/run-tests-prefetch.log"; exit 1; }
(cd "$example" && "${mvn[@]}" -q dependency:go-offline "${no_tests[@]}" verify) >> "$here/target/run-tests-prefetch.log" 2>&1 ||
  { tail -40 "$here/target/run-tests-prefetch.log"; exit 1; }

echo "== mvn -o install (sdk-java: JUnit suites against parsecd on providers 1-3)"
set +e
(cd "$here" && "${mvn[@]}" -o install) > "$here/target/run-tests-sdk.log" 2>&1
rc=$?
set -e
summary "$here/target/run-tests-sdk.log"
[ $rc -eq 0 ] || { echo "run-tests.sh: sdk-java suites failed (log: $here/target/run-tests-sdk.log)"; exit 1; }

echo "== mvn -o test (examples/java/mtls: TLS 1.2 and 1.3 handshakes, providers 1-3)"
set +e
"$PARSEC_TESTBED" run -- bash -c 'cd "$1" && shift && "$@" -o test' _ "$example" "${mvn[@]}" \
  > "$here/target/run-tests-example.log" 2>&1
rc=$?
set -e
summary "$here/target/run-tests-example.log"
[ $rc -eq 0 ] || { echo "run-tests.sh: mTLS example failed (log: $here/target/run-tests-example.log)"; exit 1; }

if [ "${PARSEC_JAVA_BENCH:-0}" = "1" ]; then
  echo "== ECDSA P-256 Signature.sign() through the JCA provider vs the C++ core (same daemon, same run)"
  g++ -std=c++20 -O2 "$here/bench/core_sign_bench.cc" -o "$here/target/core_sign_bench" \
    $(pkg-config --cflags --libs parsec-client)
  java -cp "$here/target/classes:$here/target/test-classes" -Dparsec.root="$root" org.parsec.bench.SignBench \
    "$here/target/core_sign_bench" "${PARSEC_JAVA_BENCH_COUNT:-1000}" "${PARSEC_JAVA_BENCH_ROUNDS:-5}"
fi
echo "run-tests.sh: all Java SDK checks passed"
