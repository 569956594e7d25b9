#include "parsec/client/workload_api_source.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>

#include "parsec/client/error.h"
#include "parsec/interface/secret.h"
#include "spiffe/jwt.h"
#include "spiffe/workload_api.h"

namespace parsec::client {

namespace {

constexpr const char* kAudience = "parsec";
constexpr std::chrono::milliseconds kFetchDeadline{5000};
// A token with less than this left is never sent (clock skew, request time).
constexpr int64_t kMinRemainingSeconds = 5;

class WorkloadApiJwtSource final : public JwtSvidSource {
 public:
  WorkloadApiJwtSource(std::string endpoint, const std::string& target, std::string spiffe_id)
      : endpoint_(std::move(endpoint)), spiffe_id_(std::move(spiffe_id)), api_(target) {}
  ~WorkloadApiJwtSource() override { parsec::wipe(token_); }

  std::string token() override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (!token_.empty() && now < refresh_at_) {
      return token_;
    }
    spiffe::WorkloadApiOutcome o = api_.fetch_jwt_svid(kAudience, spiffe_id_, kFetchDeadline);
    if (o.kind != spiffe::WorkloadApiOutcome::Ok) {
      if (!token_.empty() && now + kMinRemainingSeconds < expires_at_) {
        // Refresh failed but the current token is still good for a while.
        return token_;
      }
      if (o.kind == spiffe::WorkloadApiOutcome::Unreachable) {
        throw Error::client_error(Status::ConnectionError, "FetchJWTSVID",
                                  "the SPIFFE Workload API at " + endpoint_ + " did not answer: " + o.detail);
      }
      throw Error::client_error(Status::AuthenticationError, "FetchJWTSVID",
                                "the SPIFFE Workload API at " + endpoint_ + " issued no JWT-SVID: " + o.detail);
    }
    std::string why;
    std::optional<spiffe::JwtView> view = spiffe::read_jwt_svid(o.token, why);
    if (!view || !view->exp) {
      parsec::wipe(o.token);
      throw Error::client_error(Status::AuthenticationError, "FetchJWTSVID",
                                "the SPIFFE agent issued an unusable JWT-SVID: " + (view ? "no expiry" : why));
    }
    parsec::wipe(token_);
    token_ = std::move(o.token);
    expires_at_ = *view->exp;
    // SPIFFE's rule: rotate at half the lifetime, and never within the margin.
    refresh_at_ = std::min(now + (expires_at_ - now) / 2, expires_at_ - kMinRemainingSeconds);
    return token_;
  }

 private:
  const std::string endpoint_;
  const std::string spiffe_id_;
  spiffe::WorkloadApi api_;
  std::mutex mu_;
  std::string token_;
  int64_t expires_at_ = 0;
  int64_t refresh_at_ = 0;
};

}  // namespace

std::shared_ptr<JwtSvidSource> workload_api_jwt_source(const std::string& endpoint, const std::string& spiffe_id) {
  std::string ep = endpoint;
  if (ep.empty()) {
    const char* env = std::getenv("SPIFFE_ENDPOINT_SOCKET");
    ep = env ? env : "";
  }
  if (ep.empty()) {
    throw Error::client_error(Status::InvalidEncoding, "FetchJWTSVID",
                              "no SPIFFE Workload API endpoint: set SPIFFE_ENDPOINT_SOCKET or pass one");
  }
  std::string why;
  std::string target = spiffe::WorkloadApi::grpc_target(ep, why);
  if (target.empty()) {
    throw Error::client_error(Status::InvalidEncoding, "FetchJWTSVID", "SPIFFE endpoint \"" + ep + "\": " + why);
  }
  return std::make_shared<WorkloadApiJwtSource>(ep, target, spiffe_id);
}

}  // namespace parsec::client
