#include "spiffe/workload_api.h"

#include <grpcpp/grpcpp.h>

#include "parsec/interface/secret.h"

#include "workload.grpc.pb.h"

namespace parsec::spiffe {

namespace {

const char* code_name(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    default:
      return "status";
  }
}

// The caller or the agent gave up before an answer: the agent is not there to
// judge the token.
bool unreachable(grpc::StatusCode c) {
  return c == grpc::StatusCode::UNAVAILABLE || c == grpc::StatusCode::DEADLINE_EXCEEDED ||
         c == grpc::StatusCode::CANCELLED;
}

WorkloadApiOutcome failed(const grpc::Status& s) {
  WorkloadApiOutcome o;
  o.kind = unreachable(s.error_code()) ? WorkloadApiOutcome::Unreachable : WorkloadApiOutcome::Refused;
  o.detail = std::string(code_name(s.error_code())) + ": " + s.error_message();
  return o;
}

void prepare(grpc::ClientContext& ctx, std::chrono::milliseconds deadline) {
  ctx.AddMetadata("workload.spiffe.io", "true");
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
}

}  // namespace

struct WorkloadApi::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<SpiffeWorkloadAPI::Stub> stub;
};

std::string WorkloadApi::grpc_target(const std::string& endpoint, std::string& why) {
  std::string path;
  if (endpoint.rfind("unix://", 0) == 0) {
    // unix://<authority>/path: SPIFFE requires an empty authority.
    path = endpoint.substr(7);
    if (path.empty() || path[0] != '/') {
      why = "a unix:// workload endpoint must be unix:///absolute/path (no host part)";
      return {};
    }
  } else if (endpoint.rfind("unix:", 0) == 0) {
    path = endpoint.substr(5);
  } else if (!endpoint.empty() && endpoint[0] == '/') {
    path = endpoint;
  } else {
    why =
        "the workload endpoint must be unix:///path, unix:/path or an absolute path (TCP endpoints are not "
        "supported)";
    return {};
  }
  if (path.empty() || path[0] != '/') {
    why = "the workload endpoint's socket path must be absolute";
    return {};
  }
  return "unix:" + path;
}

WorkloadApi::WorkloadApi(const std::string& target) : impl_(std::make_unique<Impl>()) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Tokens are small; so are the answers we read.
  args.SetMaxReceiveMessageSize(1 << 20);
  impl_->channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  impl_->stub = SpiffeWorkloadAPI::NewStub(impl_->channel);
}

WorkloadApi::~WorkloadApi() = default;

WorkloadApiOutcome WorkloadApi::validate_jwt_svid(const std::string& audience, const std::string& token,
                                                  std::chrono::milliseconds deadline) const {
  grpc::ClientContext ctx;
  prepare(ctx, deadline);
  ValidateJWTSVIDRequest req;
  req.set_audience(audience);
  req.set_svid(token);
  ValidateJWTSVIDResponse resp;
  grpc::Status s = impl_->stub->ValidateJWTSVID(&ctx, req, &resp);
  // The request held the bearer token: do not leave it in freed memory.
  parsec::wipe(*req.mutable_svid());
  if (!s.ok()) {
    return failed(s);
  }
  WorkloadApiOutcome o;
  if (resp.spiffe_id().empty()) {
    o.kind = WorkloadApiOutcome::Refused;
    o.detail = "the agent validated the token but returned no SPIFFE ID";
    return o;
  }
  o.kind = WorkloadApiOutcome::Ok;
  o.spiffe_id = resp.spiffe_id();
  return o;
}

WorkloadApiOutcome WorkloadApi::fetch_jwt_svid(const std::string& audience, const std::string& spiffe_id,
                                               std::chrono::milliseconds deadline) const {
  grpc::ClientContext ctx;
  prepare(ctx, deadline);
  JWTSVIDRequest req;
  req.add_audience(audience);
  req.set_spiffe_id(spiffe_id);
  JWTSVIDResponse resp;
  grpc::Status s = impl_->stub->FetchJWTSVID(&ctx, req, &resp);
  if (!s.ok()) {
    return failed(s);
  }
  WorkloadApiOutcome o;
  for (auto& svid : *resp.mutable_svids()) {
    if (spiffe_id.empty() || svid.spiffe_id() == spiffe_id) {
      o.kind = WorkloadApiOutcome::Ok;
      o.spiffe_id = svid.spiffe_id();
      o.token = std::move(*svid.mutable_svid());
      break;
    }
  }
  for (auto& svid : *resp.mutable_svids()) {
    parsec::wipe(*svid.mutable_svid());
  }
  if (o.kind != WorkloadApiOutcome::Ok) {
    o.kind = WorkloadApiOutcome::Refused;
    o.detail = spiffe_id.empty() ? "the agent returned no JWT-SVID" : "the agent returned no JWT-SVID for " + spiffe_id;
  }
  return o;
}

}  // namespace parsec::spiffe
