// spiffe/workload_api.h - a blocking client of the SPIFFE Workload API (gRPC
// over the agent's Unix socket), for the two JWT-SVID calls parsec-cpp makes:
// FetchJWTSVID (clients get their token) and ValidateJWTSVID (parsecd checks
// one). Built only with PARSEC_WITH_JWT_SVID (it needs libgrpc++).
//
// Every call carries the `workload.spiffe.io: true` metadata the
// specification requires and a deadline, so a hung agent costs a bounded wait.
// The channel retries connecting quickly (at most every second) instead of
// gRPC's default backoff of up to two minutes, so that validation recovers
// within a second of the agent coming back.
//
// Thread safety: one WorkloadApi may be used from many threads at once (gRPC
// channels and stubs are thread-safe). Tokens are never logged or put in a
// failure's text.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace parsec::spiffe {

// An outcome of one call.
struct WorkloadApiOutcome {
  enum Kind {
    Ok,
    Refused,      // the agent answered and refused (invalid token, no identity for the caller...)
    Unreachable,  // no answer: socket absent, agent down or the deadline passed
  };
  Kind kind = Unreachable;
  std::string spiffe_id;  // Ok: the SPIFFE ID (of the validated or fetched token)
  std::string token;      // Ok, fetch only: the JWT-SVID
  std::string detail;     // not Ok: gRPC's status code name and message
};

class WorkloadApi {
 public:
  // grpc_target turns a workload endpoint as SPIFFE writes it
  // ("unix:///run/spire/agent.sock", "unix:/path") or a plain absolute path
  // into a gRPC target; empty, with `why` set, when it is neither.
  static std::string grpc_target(const std::string& endpoint, std::string& why);

  // `target` from grpc_target().
  explicit WorkloadApi(const std::string& target);
  ~WorkloadApi();
  WorkloadApi(const WorkloadApi&) = delete;
  WorkloadApi& operator=(const WorkloadApi&) = delete;

  WorkloadApiOutcome validate_jwt_svid(const std::string& audience, const std::string& token,
                                       std::chrono::milliseconds deadline) const;
  // fetch_jwt_svid asks for a token for `audience`; `spiffe_id` chooses one of
  // the caller's identities (empty: the first the agent returns).
  WorkloadApiOutcome fetch_jwt_svid(const std::string& audience, const std::string& spiffe_id,
                                    std::chrono::milliseconds deadline) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parsec::spiffe
