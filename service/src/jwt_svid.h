// jwt_svid.h - the JwtSvid authenticator (auth type 4): the request's auth
// field is a JWT-SVID, validated by the SPIFFE Workload API of the local agent
// (ValidateJWTSVID, audience "parsec", as upstream Parsec); the application
// name is the token's SPIFFE ID. Built only with PARSEC_WITH_JWT_SVID.
//
// Refusals (docs/spiffe.md): auth bytes that are not UTF-8 -> InvalidEncoding;
// a token that is malformed, unsigned ("alg":"none"), expired, for another
// audience, or that the agent refuses (bad signature, unknown trust domain) ->
// AuthenticationError; the agent not answering within the deadline ->
// PsaErrorCommunicationFailure (upstream answers AuthenticationError; a
// distinct status tells the client to retry rather than to fetch a new token).
// Each refusal's detail says why, for the log; the token is never logged.
//
// Thread safety: authenticate() is called by many worker threads at once; the
// gRPC channel is thread-safe and the only mutable state is an atomic flag.
// Each call blocks its worker thread for at most the deadline (a local Unix
// socket round trip, normally well under a millisecond); the I/O thread never
// runs it (server.cc answers nothing inline for JwtSvid).
#pragma once

#include <memory>

#include "service/src/authenticator.h"

namespace parsec::service {

// The audience parsecd requires, as upstream Parsec and its clients use.
inline constexpr const char* kJwtSvidAudience = "parsec";

// make_jwt_svid_authenticator checks cfg.workload_endpoint and builds the
// authenticator; the connection to the agent is made lazily, so parsecd starts
// while the agent is still down.
Result<std::unique_ptr<Authenticator>> make_jwt_svid_authenticator(const AuthenticatorConfig& cfg);

}  // namespace parsec::service
