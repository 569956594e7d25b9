// parsec/client/jwt_svid.h - where a Client gets the JWT-SVID it sends with
// JWT-SVID authentication (auth type 4).
//
// The client core knows only this interface, so libparsec-client needs no gRPC.
// The source that fetches tokens from the SPIFFE Workload API
// (workload_api_source.h, library parsec::client_spiffe / parsec-client-spiffe)
// is built when gRPC is available (CMake option PARSEC_WITH_JWT_SVID); an
// application may also supply its own (a token file kept fresh by
// spiffe-helper, a test token...).
//
// Thread safety: token() is called by every request that needs an identity,
// from any thread using the Client: implementations must be thread-safe.
#pragma once

#include <string>

namespace parsec::client {

class JwtSvidSource {
 public:
  virtual ~JwtSvidSource() = default;
  // token returns a JWT-SVID for the audience "parsec" that is valid now
  // (a source refreshes it before it expires), or throws parsec::client::Error.
  // The string is a bearer secret: the client wipes its copies after use.
  virtual std::string token() = 0;
};

}  // namespace parsec::client
