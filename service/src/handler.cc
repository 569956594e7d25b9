#include "service/src/handler.h"

#include <spdlog/spdlog.h>

#include "service/src/logging.h"
#include "service/src/operations.h"

namespace parsec::service {

Result<std::shared_ptr<const Handler>> Handler::create(std::shared_ptr<const Config> config, Backends& backends) {
  std::shared_ptr<Handler> h(new Handler(config, backends));
  for (const auto& ac : config->authenticators) {
    auto a = make_authenticator(ac);
    if (!a.ok()) {
      return a.failure();
    }
    h->authenticators_.push_back(std::move(a).value());
  }
  return std::shared_ptr<const Handler>(std::move(h));
}

const Authenticator* Handler::authenticator_for(AuthType t) const {
  for (const auto& a : authenticators_) {
    if (a->type() == t) {
      return a.get();
    }
  }
  return nullptr;
}

Response Handler::handle(const Request& req) const {
  Routed routed;
  if (auto refused = admit(req, routed)) {
    return std::move(*refused);
  }
  return run(req, routed);
}

std::optional<Response> Handler::admit(const Request& req, Routed& routed) const {
  // Steps 8-12: header fields that answer in the detached form.
  Status hs = validate_request_fields(req.header);
  if (hs != Status::Success) {
    spdlog::info("conn {}: refused request (opcode {:#x}, provider {}): {}", req.conn_id, req.header.opcode,
                 req.header.provider, status_name(hs));
    Response resp;
    resp.header = detached_response(hs);
    return resp;
  }
  routed.op = static_cast<Opcode>(req.header.opcode);
  Result<std::string> r = route(req, routed);
  if (!r.ok()) {
    return answer(req, routed, std::move(r));
  }
  return std::nullopt;
}

Response Handler::run(const Request& req, const Routed& routed) const {
  // Steps 17-21: the operation table (operations.cc).
  Call call{routed.op, req.conn_id, *config_, backends_, authenticators_, routed.identity, routed.provider};
  return answer(req, routed, routed.entry->run(call, req.body));
}

Response Handler::answer(const Request& req, const Routed& routed, Result<std::string> r) const {
  Response resp;
  if (r.ok()) {
    resp.body = std::move(r).value();
    resp.header = echoed_response(req.header, Status::Success, static_cast<uint32_t>(resp.body.size()));
    if (spdlog::should_log(spdlog::level::debug)) {  // log_safe builds a string: not for every request
      spdlog::debug("conn {}: {} on provider {} for {}: Success", req.conn_id, opcode_name(routed.op),
                    req.header.provider,
                    routed.identity ? log_safe(routed.identity->app) : std::string("(no identity)"));
    }
  } else {
    Status s = r.status();
    resp.header = echoed_response(req.header, s, 0);
    std::string who = routed.identity ? std::string(auth_type_name(routed.identity->auth)) + " \"" +
                                            log_safe(routed.identity->app) + "\""
                                      : std::string("unauthenticated caller");
    // A refusal the caller caused is info; a failure of ours is an error.
    bool ours = s == Status::KeyInfoManagerError || s == Status::PsaErrorStorageFailure ||
                s == Status::PsaErrorGenericError || s == Status::SerializingBodyFailed ||
                s == Status::PsaErrorHardwareFailure || s == Status::PsaErrorCommunicationFailure;
    auto level = ours ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level, "conn {}: {} on provider {} for {} refused: {}{}{}", req.conn_id, opcode_name(routed.op),
                req.header.provider, who, status_name(s), r.detail().empty() ? "" : ": ", log_safe(r.detail(), 1024));
  }
  return resp;
}

Result<std::string> Handler::route(const Request& req, Routed& routed) const {
  const WireHeader& h = req.header;
  // Step 13: authentication.
  auto auth_type = static_cast<AuthType>(h.auth_type);
  if (auth_type != AuthType::NoAuth) {
    const Authenticator* a = authenticator_for(auth_type);
    if (!a) {
      return Failure(Status::AuthenticatorNotRegistered,
                     std::string("authenticator ") + auth_type_name(auth_type) + " is not enabled");
    }
    auto app = a->authenticate(req.auth, req.peer);
    if (!app.ok()) {
      return app.failure();
    }
    routed.identity = Identity{auth_type, *app, a->is_admin(*app)};
  }
  // Step 14: the provider must be running.
  auto pid = static_cast<ProviderId>(h.provider);
  if (pid != ProviderId::Core) {
    routed.provider = backends_.find(pid);
    if (!routed.provider) {
      return Failure(Status::ProviderNotRegistered,
                     "no provider with id " + std::to_string(h.provider) + " is configured");
    }
  }
  // Step 15: core opcodes go to provider 0, crypto opcodes elsewhere.
  if (is_core_opcode(routed.op) != (pid == ProviderId::Core)) {
    return Failure(Status::PsaErrorNotSupported, is_core_opcode(routed.op)
                                                     ? "core operation sent to a crypto provider"
                                                     : "crypto operation sent to the core provider");
  }
  // Step 16: admin operations.
  if (is_admin_opcode(routed.op)) {
    if (!routed.identity) {
      return Status::NotAuthenticated;
    }
    if (!routed.identity->admin) {
      return Failure(Status::AdminOperation, "the caller is not in the authenticator's admins list");
    }
  }
  routed.entry = find_operation(routed.op);
  if (!routed.entry) {
    return Failure(Status::PsaErrorNotSupported, "no table entry for this opcode");
  }
  // The lane, and the client the slow lane's fairness counts it against.
  Call call{routed.op, req.conn_id, *config_, backends_, authenticators_, routed.identity, routed.provider};
  routed.lane = lane_for(call, req.body);
  routed.client = routed.identity ? std::to_string(static_cast<int>(routed.identity->auth)) + ":" + routed.identity->app
                                  : "uid:" + std::to_string(req.peer.uid);
  return std::string();
}

}  // namespace parsec::service
