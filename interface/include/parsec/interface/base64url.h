// parsec/interface/base64url.h - the one base64url decoder (RFC 4648 §5) of the
// repository: upstream Parsec's OnDisk mapping names (service/src/upstream_import)
// and the JWT-SVIDs of the JwtSvid authenticator (spiffe/jwt) are both base64url.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parsec {

// base64url_decode decodes unpadded or '='-padded base64url; nullopt when a
// character is outside the alphabet or the length cannot be base64 (4n+1).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace parsec
