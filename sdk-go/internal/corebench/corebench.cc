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

// parsec_corebench_ping: n pings; with expect_failure, each must throw (an
// endpoint where nothing listens: the client's cost without a daemon).
extern "C" int parsec_corebench_ping(const char* endpoint, int expect_failure, int n, char* err, size_t err_len) {
  try {
    parsec::client::Client client(parsec::client::Endpoint::parse(endpoint), "");
    for (int i = 0; i < n; ++i) {
      try {
        client.ping();
      } catch (const parsec::client::Error&) {
        if (!expect_failure) {
          throw;
        }
        continue;
      }
      if (expect_failure) {
        std::snprintf(err, err_len, "ping succeeded");
        return 1;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(err, err_len, "%s", e.what());
    return 1;
  }
}
