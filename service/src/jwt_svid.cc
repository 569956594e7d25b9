#include "service/src/jwt_svid.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>

#include "spiffe/jwt.h"
#include "spiffe/workload_api.h"

namespace parsec::service {

namespace {

// Far above any real JWT-SVID (about 1 KiB), far below the auth field's limit.
constexpr size_t kMaxTokenLen = 16 * 1024;
// How long one validation may wait for the agent.
constexpr std::chrono::milliseconds kValidateDeadline{2000};

class JwtSvidAuthenticator final : public Authenticator {
 public:
  JwtSvidAuthenticator(const AuthenticatorConfig& cfg, const std::string& target)
      : Authenticator(cfg), endpoint_(cfg.workload_endpoint), api_(target) {}

  AuthenticatorDescription describe() const override {
    return {AuthType::JwtSvid, "Authenticator validating a JWT SPIFFE Verifiable Identity Document"};
  }

  Result<std::string> authenticate(const std::string& auth, const PeerCredentials&) const override {
    if (auth.empty()) {
      return Failure(Status::AuthenticationError, "JwtSvid authentication with an empty token");
    }
    if (!is_valid_utf8(auth)) {
      return Failure(Status::InvalidEncoding, "JwtSvid authentication field is not UTF-8");
    }
    if (auth.size() > kMaxTokenLen) {
      return Failure(Status::AuthenticationError,
                     "JWT-SVID of " + std::to_string(auth.size()) + " bytes is longer than any real token");
    }
    // Cheap checks first: a token that cannot be valid never costs a call to
    // the agent, and the log says exactly why it was refused.
    std::string why;
    auto view = spiffe::read_jwt_svid(auth, why);
    if (!view) {
      return Failure(Status::AuthenticationError, "JWT-SVID refused: " + why);
    }
    if (std::find(view->aud.begin(), view->aud.end(), kJwtSvidAudience) == view->aud.end()) {
      return Failure(Status::AuthenticationError,
                     "JWT-SVID of " + view->sub + " refused: its audience does not include \"parsec\"");
    }
    if (!view->exp) {
      return Failure(Status::AuthenticationError, "JWT-SVID of " + view->sub + " refused: it has no expiry");
    }
    const auto now = static_cast<int64_t>(std::time(nullptr));
    if (*view->exp <= now) {
      return Failure(Status::AuthenticationError, "JWT-SVID of " + view->sub + " refused: it expired " +
                                                      std::to_string(now - *view->exp) + " s ago");
    }
    // The signature, the trust domain and the claims again: the agent's word.
    spiffe::WorkloadApiOutcome o = api_.validate_jwt_svid(kJwtSvidAudience, auth, kValidateDeadline);
    if (o.kind == spiffe::WorkloadApiOutcome::Unreachable) {
      if (!agent_down_.exchange(true)) {
        spdlog::warn(
            "JwtSvid: the SPIFFE Workload API at {} does not answer ({}); JWT-SVID requests fail with "
            "PsaErrorCommunicationFailure until it does",
            endpoint_, o.detail);
      }
      return Failure(Status::PsaErrorCommunicationFailure,
                     "the SPIFFE Workload API at " + endpoint_ + " did not answer: " + o.detail);
    }
    if (agent_down_.exchange(false)) {
      spdlog::info("JwtSvid: the SPIFFE Workload API at {} answers again", endpoint_);
    }
    if (o.kind == spiffe::WorkloadApiOutcome::Refused) {
      return Failure(Status::AuthenticationError,
                     "JWT-SVID claiming " + view->sub + " refused by the SPIFFE agent: " + o.detail);
    }
    if (!is_valid_utf8(o.spiffe_id)) {
      return Failure(Status::AuthenticationError, "the SPIFFE agent returned a SPIFFE ID that is not UTF-8");
    }
    return o.spiffe_id;
  }

 private:
  std::string endpoint_;
  spiffe::WorkloadApi api_;
  mutable std::atomic<bool> agent_down_{false};
};

}  // namespace

Result<std::unique_ptr<Authenticator>> make_jwt_svid_authenticator(const AuthenticatorConfig& cfg) {
  std::string why;
  std::string target = spiffe::WorkloadApi::grpc_target(cfg.workload_endpoint, why);
  if (target.empty()) {
    return Failure(Status::InvalidEncoding,
                   "authenticator JwtSvid: workload_endpoint \"" + cfg.workload_endpoint + "\": " + why);
  }
  return std::unique_ptr<Authenticator>(std::make_unique<JwtSvidAuthenticator>(cfg, target));
}

}  // namespace parsec::service
