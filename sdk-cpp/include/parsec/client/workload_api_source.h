// parsec/client/workload_api_source.h - a JwtSvidSource fetching JWT-SVIDs
// from the SPIFFE Workload API (the SPIRE agent's Unix socket), for Clients
// that authenticate with JWT-SVID. Part of the library parsec::client_spiffe
// (pkg-config parsec-client-spiffe), built only with gRPC
// (PARSEC_WITH_JWT_SVID); libparsec-client itself does not need gRPC.
//
//   auto client = parsec::client::Client();
//   client.set_jwt_svid_source(parsec::client::workload_api_jwt_source());
//
// The source fetches a token for the audience "parsec" on first use and again
// once half of the token's lifetime has passed (SPIFFE's rotation rule), so a
// request never carries a token about to expire. If the agent does not answer
// at refresh time, the current token is used while it has more than 5 s left.
//
// Thread safety: the source may be shared by several Clients and threads.
#pragma once

#include <memory>
#include <string>

#include "parsec/client/jwt_svid.h"

namespace parsec::client {

// workload_api_jwt_source: `endpoint` is the Workload API address
// ("unix:///run/spire/agent.sock", "unix:/path" or an absolute path; empty:
// the SPIFFE_ENDPOINT_SOCKET environment variable). `spiffe_id` picks one of
// the caller's identities when the agent issues several (empty: the first).
// Throws Error(InvalidEncoding) for a malformed endpoint or when none is set.
// Fetch failures are thrown by token(): Error(ConnectionError) when the agent
// does not answer, Error(AuthenticationError) when it issues no token for the
// caller (the workload is not registered).
std::shared_ptr<JwtSvidSource> workload_api_jwt_source(const std::string& endpoint = "",
                                                       const std::string& spiffe_id = "");

}  // namespace parsec::client
