// authenticator.h - turning a request's auth type and auth bytes into an
// application identity (docs/protocol.md, authenticators).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "service/src/config.h"

namespace parsec::service {

// PeerCredentials are what the kernel recorded for the connecting process.
struct PeerCredentials {
  bool valid = false;
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
};

struct Identity {
  AuthType auth = AuthType::NoAuth;
  std::string app;
  bool admin = false;
};

struct AuthenticatorDescription {
  AuthType id;
  std::string description;
  uint32_t version_maj = 0, version_min = 1, version_rev = 0;
};

class Authenticator {
 public:
  explicit Authenticator(AuthenticatorConfig cfg) : cfg_(std::move(cfg)) {}
  virtual ~Authenticator() = default;
  AuthType type() const { return cfg_.type; }
  virtual AuthenticatorDescription describe() const = 0;
  // authenticate returns the application name or AuthenticationError /
  // InvalidEncoding; the failure's detail explains a refusal for the log
  // (never the bytes).
  virtual Result<std::string> authenticate(const std::string& auth, const PeerCredentials& peer) const = 0;
  bool is_admin(const std::string& app) const;

 private:
  AuthenticatorConfig cfg_;
};

// make_authenticator builds one authenticator; fails for types this build
// does not implement, the failure's detail naming the reason.
Result<std::unique_ptr<Authenticator>> make_authenticator(const AuthenticatorConfig& cfg);

bool is_valid_utf8(const std::string& s);

}  // namespace parsec::service
