// The C++ side of the SDK's signing benchmark: the same work as Key.Sign
// (ECDSA P-256 sign_hash with a DER result) done by the C++ client core in a
// plain loop, so `go test -bench` shows the binding's cost beside it.
#include <cstdio>
#include <exception>

#include "parsec/client/client.h"
#include "parsec/client/key.h"

extern "C" int parsec_corebench_sign(const char* key_name, int provider, int n, char* err, size_t err_len) {
  try {
    parsec::client::Client client;  // PARSEC_SERVICE_ENDPOINT
    client.set_provider(static_cast<parsec::ProviderId>(provider));
    parsec::client::Key key = client.key(key_name);
    const parsec::client::Bytes digest(32, 0x11);
    for (int i = 0; i < n; ++i) {
      key.sign_hash(digest, parsec::client::SignatureFormat::Der);
    }
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(err, err_len, "%s", e.what());
    return 1;
  }
}

extern "C" int parsec_corebench_ping(int n, char* err, size_t err_len) {
  try {
    parsec::client::Client client;  // PARSEC_SERVICE_ENDPOINT
    for (int i = 0; i < n; ++i) {
      client.ping();
    }
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(err, err_len, "%s", e.what());
    return 1;
  }
}
