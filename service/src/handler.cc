#include "service/src/handler.h"

#include <spdlog/spdlog.h>

#include "service/src/logging.h"
#include "service/src/operations.h"

namespace parsec::service {

struct Handler::Ctx {
  const Request& req;
  Opcode op;
  std::optional<Identity> identity;
  ProviderEntry* provider = nullptr;  // null for the core provider
};

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
  Response resp;
  // Steps 8-12: header fields that answer in the detached form.
  Status hs = validate_request_fields(req.header);
  if (hs != Status::Success) {
    spdlog::info("conn {}: refused request (opcode {:#x}, provider {}): {}", req.conn_id, req.header.opcode,
                 req.header.provider, status_name(hs));
    resp.header = detached_response(hs);
    return resp;
  }
  Ctx ctx{req, static_cast<Opcode>(req.header.opcode), std::nullopt, nullptr};
  Result<std::string> r = dispatch(ctx);
  if (r.ok()) {
    resp.body = std::move(r).value();
    resp.header = echoed_response(req.header, Status::Success, static_cast<uint32_t>(resp.body.size()));
    spdlog::debug("conn {}: {} on provider {} for {}: Success", req.conn_id, opcode_name(ctx.op), req.header.provider,
                  ctx.identity ? log_safe(ctx.identity->app) : std::string("(no identity)"));
  } else {
    Status s = r.status();
    resp.header = echoed_response(req.header, s, 0);
    std::string who = ctx.identity
                          ? std::string(auth_type_name(ctx.identity->auth)) + " \"" + log_safe(ctx.identity->app) + "\""
                          : std::string("unauthenticated caller");
    // A refusal the caller caused is info; a failure of ours is an error.
    bool ours = s == Status::KeyInfoManagerError || s == Status::PsaErrorStorageFailure ||
                s == Status::PsaErrorGenericError || s == Status::SerializingBodyFailed ||
                s == Status::PsaErrorHardwareFailure || s == Status::PsaErrorCommunicationFailure;
    auto level = ours ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level, "conn {}: {} on provider {} for {} refused: {}{}{}", req.conn_id, opcode_name(ctx.op),
                req.header.provider, who, status_name(s), r.detail().empty() ? "" : ": ", log_safe(r.detail(), 1024));
  }
  return resp;
}

Result<std::string> Handler::dispatch(Ctx& ctx) const {
  const WireHeader& h = ctx.req.header;
  // Step 13: authentication.
  auto auth_type = static_cast<AuthType>(h.auth_type);
  if (auth_type != AuthType::NoAuth) {
    const Authenticator* a = authenticator_for(auth_type);
    if (!a) {
      return Failure(Status::AuthenticatorNotRegistered,
                     std::string("authenticator ") + auth_type_name(auth_type) + " is not enabled");
    }
    auto app = a->authenticate(ctx.req.auth, ctx.req.peer);
    if (!app.ok()) {
      return app.failure();
    }
    ctx.identity = Identity{auth_type, *app, a->is_admin(*app)};
  }
  // Step 14: the provider must be running.
  auto pid = static_cast<ProviderId>(h.provider);
  if (pid != ProviderId::Core) {
    ctx.provider = backends_.find(pid);
    if (!ctx.provider) {
      return Failure(Status::ProviderNotRegistered,
                     "no provider with id " + std::to_string(h.provider) + " is configured");
    }
  }
  // Step 15: core opcodes go to provider 0, crypto opcodes elsewhere.
  if (is_core_opcode(ctx.op) != (pid == ProviderId::Core)) {
    return Failure(Status::PsaErrorNotSupported, is_core_opcode(ctx.op) ? "core operation sent to a crypto provider"
                                                                        : "crypto operation sent to the core provider");
  }
  // Step 16: admin operations.
  if (is_admin_opcode(ctx.op)) {
    if (!ctx.identity) {
      return Status::NotAuthenticated;
    }
    if (!ctx.identity->admin) {
      return Failure(Status::AdminOperation, "the caller is not in the authenticator's admins list");
    }
  }
  // Steps 17-21: the operation table (operations.cc).
  const Operation* entry = find_operation(ctx.op);
  if (!entry) {
    return Failure(Status::PsaErrorNotSupported, "no table entry for this opcode");
  }
  Call call{ctx.op, ctx.req.conn_id, *config_, backends_, authenticators_, ctx.identity, ctx.provider};
  return entry->run(call, ctx.req.body);
}

}  // namespace parsec::service
