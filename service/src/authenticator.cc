#include "service/src/authenticator.h"

#include <algorithm>

#ifdef PARSEC_WITH_JWT_SVID
#include "service/src/jwt_svid.h"
#endif

namespace parsec::service {

bool is_valid_utf8(const std::string& s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool Authenticator::is_admin(const std::string& app) const {
  return std::find(cfg_.admins.begin(), cfg_.admins.end(), app) != cfg_.admins.end();
}

namespace {

class DirectAuthenticator final : public Authenticator {
 public:
  using Authenticator::Authenticator;
  AuthenticatorDescription describe() const override {
    return {AuthType::Direct,
            "Directly parses the authentication field as a UTF-8 string and uses that as the application "
            "identity. Should be used for testing only."};
  }
  Result<std::string> authenticate(const std::string& auth, const PeerCredentials&) const override {
    if (auth.empty()) {
      return Failure(Status::AuthenticationError, "Direct authentication with an empty application name");
    }
    if (!is_valid_utf8(auth)) {
      return Failure(Status::AuthenticationError, "Direct authentication with an application name that is not UTF-8");
    }
    return auth;
  }
};

class UnixPeerAuthenticator final : public Authenticator {
 public:
  using Authenticator::Authenticator;
  AuthenticatorDescription describe() const override {
    return {AuthType::UnixPeerCredentials,
            "Uses Unix peer credentials to authenticate the client. Verifies that the self-declared Unix user "
            "identifier (UID) in the request's authentication header matches that which is found from the peer "
            "credentials."};
  }
  Result<std::string> authenticate(const std::string& auth, const PeerCredentials& peer) const override {
    if (auth.size() != 4) {
      return Failure(Status::AuthenticationError,
                     "UnixPeerCredentials payload is " + std::to_string(auth.size()) + " bytes, expected 4");
    }
    if (!peer.valid) {
      return Failure(Status::AuthenticationError, "no peer credentials for this connection");
    }
    uint32_t uid = 0;
    for (int i = 3; i >= 0; --i) {
      uid = (uid << 8) | static_cast<unsigned char>(auth[static_cast<size_t>(i)]);
    }
    if (uid != static_cast<uint32_t>(peer.uid)) {
      return Failure(Status::AuthenticationError,
                     "declared UID " + std::to_string(uid) + " but the peer's UID is " + std::to_string(peer.uid));
    }
    return std::to_string(uid);
  }
};

}  // namespace

Result<std::unique_ptr<Authenticator>> make_authenticator(const AuthenticatorConfig& cfg) {
  switch (cfg.type) {
    case AuthType::Direct:
      return std::unique_ptr<Authenticator>(std::make_unique<DirectAuthenticator>(cfg));
    case AuthType::UnixPeerCredentials:
      return std::unique_ptr<Authenticator>(std::make_unique<UnixPeerAuthenticator>(cfg));
    case AuthType::JwtSvid:
#ifdef PARSEC_WITH_JWT_SVID
      return make_jwt_svid_authenticator(cfg);
#else
      return Failure(Status::AuthenticatorNotRegistered,
                     "authenticator JwtSvid is not supported by this build of parsecd (built without "
                     "PARSEC_WITH_JWT_SVID: gRPC was not found)");
#endif
    default:
      return Failure(Status::AuthenticatorNotRegistered, "authenticator type not supported");
  }
}

}  // namespace parsec::service
