// spiffe/jwt.h - reading (never verifying) a JWT-SVID in JWS Compact
// Serialization: its shape, its header's "alg" and the claims parsecd and the
// client need ("sub", "aud", "exp").
//
// The signature is verified by the SPIFFE Workload API (ValidateJWTSVID), which
// holds the trust bundles; this reader only lets parsecd refuse a token that
// cannot be a JWT-SVID (wrong shape, "alg":"none", no signature) before asking
// the agent, with a precise reason for the log, and lets a client learn when
// its token expires so that it fetches the next one in time.
//
// Pure functions, thread-safe. Failures name what is wrong, never the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parsec::spiffe {

struct JwtView {
  std::string alg;
  std::string sub;
  std::vector<std::string> aud;
  std::optional<int64_t> exp;  // seconds since the epoch
  std::optional<int64_t> iat;
};

// read_jwt_svid parses `token`; on failure it returns nullopt and sets `why`.
// It refuses: anything but three dot-separated base64url segments, an empty
// signature, a header or payload that is not a JSON object, a missing or "none"
// alg (JWT-SVIDs are always signed), a "sub" that is not a spiffe:// ID.
std::optional<JwtView> read_jwt_svid(const std::string& token, std::string& why);

}  // namespace parsec::spiffe
