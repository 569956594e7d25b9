// sdk-java/bench/core_sign_bench.cc - the C++ client core's side of the Java signing
// benchmark (org.parsec.bench.SignBench): ECDSA P-256 sign_hash of a SHA-256 digest with an
// existing key, on one Client reused for every request, as the JCA provider does.
//   core_sign_bench APP PROVIDER_ID KEY COUNT   prints "<ops per second> <client CPU us per op>"
// The CPU figure is this thread's own time (CLOCK_THREAD_CPUTIME_ID): the client-side cost of
// a signature, which the load of a shared machine does not inflate the way it does wall time.
// Built by run-tests.sh against the staged core (pkg-config parsec-client).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parsec/client/client.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: core_sign_bench APP PROVIDER_ID KEY COUNT\n");
    return 2;
  }
  try {
    parsec::client::Client client{std::string(argv[1])};
    client.set_provider(static_cast<parsec::ProviderId>(std::atoi(argv[2])));
    const std::string key = argv[3];
    const int count = std::atoi(argv[4]);
    const auto alg = parsec::client::Algorithm::ecdsa(parsec::client::Hash::Sha256);
    const parsec::client::Bytes digest(32, 0x5a);
    for (int i = 0; i < 20; ++i) {  // warm-up: discovery, caches
      client.sign_hash(key, alg, digest);
    }
    timespec cpu0{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) {
      client.sign_hash(key, alg, digest);
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    timespec cpu1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    const double cpu_us = ((cpu1.tv_sec - cpu0.tv_sec) * 1e9 + (cpu1.tv_nsec - cpu0.tv_nsec)) / 1e3 / count;
    std::printf("%.1f %.1f\n", count / elapsed.count(), cpu_us);
    return 0;
  } catch (const parsec::client::Error& e) {
    std::fprintf(stderr, "core_sign_bench: %s\n", e.what());
    return 1;
  }
}
