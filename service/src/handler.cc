#include "handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <type_traits>

#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "ping.pb.h"
#include "policy.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_import_key.pb.h"
#include "secure_memory.h"

#ifndef PARSEC_SERVICE_VERSION_MAJOR
#define PARSEC_SERVICE_VERSION_MAJOR 0
#define PARSEC_SERVICE_VERSION_MINOR 1
#define PARSEC_SERVICE_VERSION_PATCH 0
#endif

namespace parsec::service {
namespace {

constexpr const char* kCoreUuid = "47049873-2a43-4845-9d72-831eab668784";
constexpr const char* kCoreDescription =
    "Software provider that implements only administrative (i.e. no cryptographic) operations";

template <typename Msg>
Result<Msg> decode(const std::string& body) {
  Msg m;
  if (!m.ParseFromString(body)) {
    return Status::DeserializingBodyFailed;
  }
  return m;
}

template <typename Msg>
Result<std::string> encode(const Msg& m) {
  std::string out;
  if (!m.SerializeToString(&out)) {
    return Status::SerializingBodyFailed;
  }
  return out;
}

constexpr bool kSecret = true;

// Keyed is a decoded request together with the caller's key it names.
template <typename Op>
struct Keyed {
  Op op;
  provider::StoredKey key;
};

// reply puts a provider's output into one bytes field of a Result message and
// encodes it. With `secret` (plaintexts, key material, shared secrets) every
// intermediate copy is wiped; the encoded body is wiped after it is written.
template <typename Msg>
Result<std::string> reply(Result<provider::Bytes> out, std::string* (Msg::*field)(), bool secret = false) {
  if (!out.ok()) {
    return out.status();
  }
  Msg r;
  std::string* f = (r.*field)();
  f->assign(out->begin(), out->end());
  if (secret) {
    secure_wipe(*out);
  }
  auto encoded = encode(r);
  if (secret) {
    secure_wipe(*f);
  }
  return encoded;
}

// empty_reply: operations whose Result has no fields answer an empty body.
Result<std::string> empty_reply(Status s) {
  if (s != Status::Success) {
    return s;
  }
  return std::string();
}

// check_not_empty: inputs that operations.md requires to be non-empty.
Status check_not_empty(std::initializer_list<const std::string*> inputs, std::string& why) {
  for (const std::string* in : inputs) {
    if (in->empty()) {
      why = "an input that must not be empty is empty";
      return Status::PsaErrorInvalidArgument;
    }
  }
  return Status::Success;
}

// check_asymmetric_input: non-empty input; no salt with RSA PKCS#1 v1.5.
Status check_asymmetric_input(const psa_algorithm::Algorithm::AsymmetricEncryption& alg, const std::string& input,
                              const std::string& salt, std::string& why) {
  PARSEC_TRY(check_not_empty({&input}, why));
  if (alg.has_rsa_pkcs1v15_crypt() && !salt.empty()) {
    why = "RSA PKCS#1 v1.5 encryption takes no salt";
    return Status::PsaErrorInvalidArgument;
  }
  return Status::Success;
}

}  // namespace

ServiceVersion service_version() {
  return {PARSEC_SERVICE_VERSION_MAJOR, PARSEC_SERVICE_VERSION_MINOR, PARSEC_SERVICE_VERSION_PATCH};
}

bool validate_key_name(const std::string& name, std::string& why) {
  if (name.empty()) {
    why = "key names must not be empty";
    return false;
  }
  if (name.size() > 1024) {
    why = "key name is " + std::to_string(name.size()) + " bytes; the limit is 1024";
    return false;
  }
  if (!is_valid_utf8(name)) {
    why = "key name is not valid UTF-8";
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    // C0 controls, DEL, and C1 controls (U+0080-U+009F, encoded C2 80-C2 9F).
    bool c1 = c == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      why = "key names must not contain control characters";
      return false;
    }
  }
  return true;
}

struct Handler::Ctx {
  const Request& req;
  Opcode op;
  std::optional<Identity> identity;
  ProviderEntry* provider = nullptr;  // null for the core provider
  std::string why;                    // reason for a refusal, for the log
};

std::shared_ptr<const Handler> Handler::create(std::shared_ptr<const Config> config, Backends& backends,
                                               std::string& error) {
  std::shared_ptr<Handler> h(new Handler(config, backends));
  for (const auto& ac : config->authenticators) {
    auto a = make_authenticator(ac, error);
    if (!a) {
      return nullptr;
    }
    h->authenticators_.push_back(std::move(a));
  }
  return h;
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
  Ctx ctx{req, static_cast<Opcode>(req.header.opcode), std::nullopt, nullptr, {}};
  Result<std::string> r = dispatch(ctx);
  if (r.ok()) {
    resp.body = std::move(r).value();
    resp.header = echoed_response(req.header, Status::Success, static_cast<uint32_t>(resp.body.size()));
    spdlog::debug("conn {}: {} on provider {} for {}: Success", req.conn_id, opcode_name(ctx.op),
                  req.header.provider, ctx.identity ? ctx.identity->app : std::string("(no identity)"));
  } else {
    Status s = r.status();
    resp.header = echoed_response(req.header, s, 0);
    std::string who = ctx.identity ? std::string(auth_type_name(ctx.identity->auth)) + " \"" + ctx.identity->app + "\""
                                   : std::string("unauthenticated caller");
    // A refusal the caller caused is info; a failure of ours is an error.
    bool ours = s == Status::KeyInfoManagerError || s == Status::PsaErrorStorageFailure ||
                s == Status::PsaErrorGenericError || s == Status::SerializingBodyFailed ||
                s == Status::PsaErrorHardwareFailure || s == Status::PsaErrorCommunicationFailure;
    auto level = ours ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level, "conn {}: {} on provider {} for {} refused: {}{}{}", req.conn_id, opcode_name(ctx.op),
                req.header.provider, who, status_name(s), ctx.why.empty() ? "" : ": ", ctx.why);
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
      ctx.why = std::string("authenticator ") + auth_type_name(auth_type) + " is not enabled";
      return Status::AuthenticatorNotRegistered;
    }
    auto app = a->authenticate(ctx.req.auth, ctx.req.peer, ctx.why);
    if (!app.ok()) {
      return app.status();
    }
    ctx.identity = Identity{auth_type, *app, a->is_admin(*app)};
  }
  // Step 14: the provider must be running.
  auto pid = static_cast<ProviderId>(h.provider);
  if (pid != ProviderId::Core) {
    ctx.provider = backends_.find(pid);
    if (!ctx.provider) {
      ctx.why = "no provider with id " + std::to_string(h.provider) + " is configured";
      return Status::ProviderNotRegistered;
    }
  }
  // Step 15: core opcodes go to provider 0, crypto opcodes elsewhere.
  if (is_core_opcode(ctx.op) != (pid == ProviderId::Core)) {
    ctx.why = is_core_opcode(ctx.op) ? "core operation sent to a crypto provider"
                                     : "crypto operation sent to the core provider";
    return Status::PsaErrorNotSupported;
  }
  // Step 16: admin operations.
  if (is_admin_opcode(ctx.op)) {
    if (!ctx.identity) {
      return Status::NotAuthenticated;
    }
    if (!ctx.identity->admin) {
      ctx.why = "the caller is not in the authenticator's admins list";
      return Status::AdminOperation;
    }
  }
  return pid == ProviderId::Core ? core_op(ctx) : crypto_op(ctx);
}

// ---- core provider -----------------------------------------------------------

Result<std::string> Handler::core_op(Ctx& ctx) const {
  const std::string& body = ctx.req.body;
  switch (ctx.op) {
    case Opcode::Ping: {
      auto op = decode<ping::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      ping::Result r;
      r.set_wire_protocol_version_maj(kVersionMajor);
      r.set_wire_protocol_version_min(kVersionMinor);
      return encode(r);
    }
    case Opcode::ListProviders: {
      auto op = decode<list_providers::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      list_providers::Result r;
      for (const auto& p : backends_.providers()) {
        auto* i = r.add_providers();
        i->set_uuid(p.info.uuid);
        i->set_description(p.info.description);
        i->set_vendor(p.info.vendor);
        i->set_version_maj(p.info.version_maj);
        i->set_version_min(p.info.version_min);
        i->set_version_rev(p.info.version_rev);
        i->set_id(static_cast<uint32_t>(p.info.id));
      }
      auto* core = r.add_providers();
      core->set_uuid(kCoreUuid);
      core->set_description(kCoreDescription);
      ServiceVersion v = service_version();
      core->set_version_maj(v.maj);
      core->set_version_min(v.min);
      core->set_version_rev(v.rev);
      core->set_id(0);
      return encode(r);
    }
    case Opcode::ListOpcodes: {
      auto op = decode<list_opcodes::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      uint32_t id = op->provider_id();
      if (id > kMaxProviderId) {
        ctx.why = "ListOpcodes for undefined provider id " + std::to_string(id);
        return Status::ProviderDoesNotExist;
      }
      list_opcodes::Result r;
      if (id == 0) {
        for (Opcode o : {Opcode::Ping, Opcode::ListProviders, Opcode::ListOpcodes, Opcode::ListAuthenticators,
                         Opcode::ListKeys}) {
          r.add_opcodes(static_cast<uint32_t>(o));
        }
      } else {
        ProviderEntry* p = backends_.find(static_cast<ProviderId>(id));
        if (!p) {
          ctx.why = "ListOpcodes for provider id " + std::to_string(id) + ", which is not configured";
          return Status::ProviderNotRegistered;
        }
        for (Opcode o : p->opcodes) {
          // Upstream clients reject opcodes they do not know (0x16, 0x17).
          if (is_upstream_listable(o)) {
            r.add_opcodes(static_cast<uint32_t>(o));
          }
        }
      }
      return encode(r);
    }
    case Opcode::ListAuthenticators: {
      auto op = decode<list_authenticators::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      list_authenticators::Result r;
      for (const auto& a : authenticators_) {
        AuthenticatorDescription d = a->describe();
        auto* i = r.add_authenticators();
        i->set_description(d.description);
        i->set_version_maj(d.version_maj);
        i->set_version_min(d.version_min);
        i->set_version_rev(d.version_rev);
        i->set_id(static_cast<uint32_t>(d.id));
      }
      return encode(r);
    }
    case Opcode::ListKeys: {
      auto op = decode<list_keys::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (!ctx.identity) {
        return Status::NotAuthenticated;
      }
      list_keys::Result r;
      for (auto& p : backends_.providers()) {
        auto keys = p.store->list_owner({ctx.identity->auth, ctx.identity->app});
        if (!keys.ok()) {
          spdlog::warn("ListKeys: key store of provider \"{}\" failed: {}", p.config.name, status_name(keys.status()));
          continue;
        }
        for (const auto& k : *keys) {
          if (k.provider_name != p.config.name) {
            continue;
          }
          auto* i = r.add_keys();
          i->set_provider_id(static_cast<uint32_t>(p.config.id));
          i->set_name(k.key_name);
          if (!i->mutable_attributes()->ParseFromString(k.attributes)) {
            spdlog::error("ListKeys: stored attributes of a key of provider \"{}\" are unreadable", p.config.name);
            return Status::InvalidEncoding;
          }
        }
      }
      return encode(r);
    }
    case Opcode::ListClients: {
      auto op = decode<list_clients::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      std::vector<std::string> all;
      std::vector<KeyStore*> seen;
      for (auto& p : backends_.providers()) {
        if (std::find(seen.begin(), seen.end(), p.store.get()) != seen.end()) {
          continue;
        }
        seen.push_back(p.store.get());
        auto names = p.store->list_clients();
        if (!names.ok()) {
          continue;
        }
        all.insert(all.end(), names->begin(), names->end());
      }
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      list_clients::Result r;
      for (const auto& n : all) {
        r.add_clients(n);
      }
      return encode(r);
    }
    case Opcode::DeleteClient: {
      auto op = decode<delete_client::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      KeyOwner owner{ctx.identity->auth, op->client()};
      size_t deleted = 0;
      for (auto& p : backends_.providers()) {
        auto keys = p.store->list_owner(owner);
        if (!keys.ok()) {
          continue;
        }
        for (const auto& k : *keys) {
          if (k.provider_name != p.config.name) {
            continue;
          }
          provider::StoredKey sk{k.key_name, k.key_ref, {}};
          if (!sk.attributes.ParseFromString(k.attributes)) {
            continue;
          }
          Txn txn(p.config.name);
          txn.delete_mapping(owner, k.key_name);
          if (p.impl->destroy_key(sk, txn) != Status::Success || p.store->commit(txn) != Status::Success) {
            spdlog::warn("DeleteClient: could not destroy a key of \"{}\" in provider \"{}\"", owner.app,
                         p.config.name);
            continue;
          }
          p.impl->finish_destroy(sk);
          ++deleted;
        }
      }
      spdlog::info("admin \"{}\" deleted {} key(s) of client \"{}\"", ctx.identity->app, deleted, owner.app);
      return std::string();
    }
    default:
      return Status::PsaErrorNotSupported;
  }
}

// ---- crypto providers --------------------------------------------------------

Result<std::string> Handler::crypto_op(Ctx& ctx) const {
  const std::string& body = ctx.req.body;
  ProviderEntry& p = *ctx.provider;
  provider::Provider& impl = *p.impl;
  const Config& cfg = *config_;

  auto served = [&]() {
    return std::find(p.opcodes.begin(), p.opcodes.end(), ctx.op) != p.opcodes.end();
  };
  // Step 19 helper.
  auto need_identity = [&]() -> Status {
    if (!ctx.identity) {
      return Status::NotAuthenticated;
    }
    return Status::Success;
  };
  auto owner = [&]() { return KeyOwner{ctx.identity->auth, ctx.identity->app}; };
  // lookup resolves the caller's key in this provider.
  auto lookup = [&](const std::string& name) -> Result<provider::StoredKey> {
    auto rec = p.store->get(owner(), p.config.name, name);
    if (!rec.ok()) {
      ctx.why = "key store lookup failed";
      return rec.status();
    }
    if (!rec->has_value()) {
      ctx.why = cfg.log_error_details ? "no key named \"" + name + "\"" : "no such key for this caller";
      return Status::PsaErrorDoesNotExist;
    }
    provider::StoredKey k{name, (*rec)->key_ref, {}};
    if (!k.attributes.ParseFromString((*rec)->attributes)) {
      ctx.why = "stored attributes are unreadable";
      return Status::InvalidEncoding;
    }
    return k;
  };
  auto check = [&](const provider::StoredKey& k, const policy::Algorithm& alg) -> Status {
    return policy::check_key_use(k.attributes, ctx.op, alg, ctx.why);
  };
  // caller_key: identity required (step 19), then the caller's key.
  auto caller_key = [&](const std::string& name) -> Result<provider::StoredKey> {
    if (!ctx.identity) {
      return Status::NotAuthenticated;
    }
    return lookup(name);
  };
  // usable_key: caller_key, then the key policy for `alg` (operations.md 2.3).
  auto usable_key = [&](const std::string& name, const policy::Algorithm& alg) -> Result<provider::StoredKey> {
    auto k = caller_key(name);
    if (!k.ok()) {
      return k;
    }
    Status s = check(*k, alg);
    if (s != Status::Success) {
      return s;
    }
    return k;
  };
  // keyed: for operations naming a key and a message-typed algorithm, decode
  // (17), require a valid algorithm (18), then usable_key (19 and the policy).
  auto keyed = [&]<typename Op>(std::type_identity<Op>, auto validate) -> Result<Keyed<Op>> {
    auto op = decode<Op>(body);
    if (!op.ok()) {
      return op.status();
    }
    if (!op->has_alg() || validate(op->alg()) != Status::Success) {
      return Status::InvalidEncoding;
    }
    auto k = usable_key(op->key_name(), policy::wrap(op->alg()));
    if (!k.ok()) {
      return k.status();
    }
    return Keyed<Op>{std::move(*op), std::move(*k)};
  };

  // Each case: decode (17), convert/validate (18), identity (19), execute (20),
  // encode (21).
  switch (ctx.op) {
    case Opcode::PsaGenerateKey:
    case Opcode::PsaImportKey: {
      std::string key_name;
      policy::KeyAttributes attrs;
      std::string data;
      if (ctx.op == Opcode::PsaGenerateKey) {
        auto op = decode<psa_generate_key::Operation>(body);
        if (!op.ok()) {
          return op.status();
        }
        if (!op->has_attributes()) {
          return Status::InvalidEncoding;
        }
        key_name = op->key_name();
        attrs = op->attributes();
      } else {
        auto op = decode<psa_import_key::Operation>(body);
        if (!op.ok()) {
          return op.status();
        }
        if (!op->has_attributes()) {
          return Status::InvalidEncoding;
        }
        key_name = op->key_name();
        attrs = op->attributes();
        data = std::move(*op->mutable_data());
        secure_wipe(*op->mutable_data());
      }
      // Imported private key material must not outlive this request.
      struct Wipe {
        std::string& s;
        ~Wipe() { secure_wipe(s); }
      } wipe{data};
      if (policy::validate_attributes(attrs) != Status::Success) {
        ctx.why = "key attributes break the contract (missing field, zero or unknown enum value)";
        return Status::InvalidEncoding;
      }
      PARSEC_TRY(need_identity());
      if (!served()) {
        return Status::PsaErrorNotSupported;
      }
      policy::normalise_flags(attrs);
      if (policy::is_deprecated(attrs)) {
        if (ctx.op == Opcode::PsaGenerateKey && !cfg.allow_deprecated) {
          ctx.why = "the key template uses a deprecated primitive and allow_deprecated is false";
          return Status::DeprecatedPrimitive;
        }
        spdlog::warn("conn {}: {} \"{}\" imports a key using a deprecated primitive", ctx.req.conn_id,
                     auth_type_name(ctx.identity->auth), ctx.identity->app);
      }
      if (!validate_key_name(key_name, ctx.why)) {
        return Status::PsaErrorInvalidArgument;
      }
      if (ctx.op == Opcode::PsaGenerateKey && policy::is_public_key_type(attrs)) {
        ctx.why = "cannot generate a public key; generate a key pair or import the public key";
        return Status::PsaErrorInvalidArgument;
      }
      auto existing = p.store->get(owner(), p.config.name, key_name);
      if (!existing.ok()) {
        return existing.status();
      }
      if (existing->has_value()) {
        ctx.why = cfg.log_error_details ? "a key named \"" + key_name + "\" exists" : "the key name is in use";
        return Status::PsaErrorAlreadyExists;
      }
      Txn txn(p.config.name);
      auto created = ctx.op == Opcode::PsaGenerateKey ? impl.generate_key(attrs, txn) : impl.import_key(attrs, data, txn);
      if (!created.ok()) {
        ctx.why = "the provider refused the key";
        return created.status();
      }
      KeyRecord rec;
      rec.owner = owner();
      rec.provider_name = p.config.name;
      rec.provider_id = p.config.id;
      rec.key_name = key_name;
      rec.key_ref = created->key_ref;
      policy::normalise_flags(created->attributes);
      if (!created->attributes.SerializeToString(&rec.attributes)) {
        impl.abandon_key(*created);
        return Status::SerializingBodyFailed;
      }
      txn.insert_mapping(std::move(rec));
      Status s = p.store->commit(txn);
      if (s != Status::Success) {
        impl.abandon_key(*created);
        ctx.why = s == Status::PsaErrorAlreadyExists ? "the key name was taken concurrently"
                                                     : "the key store could not record the key";
        return s;
      }
      spdlog::info("conn {}: {} \"{}\" created a key in provider \"{}\"", ctx.req.conn_id,
                   auth_type_name(ctx.identity->auth), ctx.identity->app, p.config.name);
      return std::string();
    }
    case Opcode::PsaDestroyKey: {
      auto op = decode<psa_destroy_key::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      PARSEC_TRY(need_identity());
      auto k = lookup(op->key_name());
      if (!k.ok()) {
        return k.status();
      }
      if (!served()) {
        return Status::PsaErrorNotSupported;
      }
      Txn txn(p.config.name);
      txn.delete_mapping(owner(), op->key_name());
      Status s = impl.destroy_key(*k, txn);
      if (s != Status::Success) {
        ctx.why = "the provider could not destroy the key";
        return s;
      }
      s = p.store->commit(txn);
      if (s != Status::Success) {
        ctx.why = "the key store could not remove the key";
        return s;
      }
      impl.finish_destroy(*k);
      return std::string();
    }
    case Opcode::PsaExportPublicKey: {
      auto op = decode<psa_export_public_key::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      auto k = caller_key(op->key_name());
      if (!k.ok()) {
        return k.status();
      }
      const auto& t = k->attributes.key_type();
      if (!(t.has_rsa_key_pair() || t.has_rsa_public_key() || t.has_ecc_key_pair() || t.has_ecc_public_key() ||
            t.has_dh_key_pair() || t.has_dh_public_key())) {
        ctx.why = "the key has no public part";
        return Status::PsaErrorInvalidArgument;
      }
      return reply(impl.export_public_key(*k), &psa_export_public_key::Result::mutable_data);
    }
    case Opcode::PsaExportKey: {
      auto op = decode<psa_export_key::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      auto k = caller_key(op->key_name());
      if (!k.ok()) {
        return k.status();
      }
      PARSEC_TRY(policy::check_usage_only(k->attributes, ctx.op, ctx.why));
      return reply(impl.export_key(*k), &psa_export_key::Result::mutable_data, kSecret);
    }
    case Opcode::PsaSignHash: {
      auto r = keyed(std::type_identity<psa_sign_hash::Operation>{}, policy::validate_sign_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(policy::check_sign_hash_length(op->alg(), op->hash().size(), ctx.why));
      return reply(impl.sign_hash(*k, *op), &psa_sign_hash::Result::mutable_signature);
    }
    case Opcode::PsaVerifyHash: {
      auto r = keyed(std::type_identity<psa_verify_hash::Operation>{}, policy::validate_sign_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(policy::check_sign_hash_length(op->alg(), op->hash().size(), ctx.why));
      return empty_reply(impl.verify_hash(*k, *op));
    }
    case Opcode::PsaSignMessage: {
      auto r = keyed(std::type_identity<psa_sign_message::Operation>{}, policy::validate_sign_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      return reply(impl.sign_message(*k, *op), &psa_sign_message::Result::mutable_signature);
    }
    case Opcode::PsaVerifyMessage: {
      auto r = keyed(std::type_identity<psa_verify_message::Operation>{}, policy::validate_sign_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      return empty_reply(impl.verify_message(*k, *op));
    }
    case Opcode::PsaAsymmetricEncrypt: {
      auto r = keyed(std::type_identity<psa_asymmetric_encrypt::Operation>{}, policy::validate_encrypt_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(check_asymmetric_input(op->alg(), op->plaintext(), op->salt(), ctx.why));
      return reply(impl.asymmetric_encrypt(*k, *op), &psa_asymmetric_encrypt::Result::mutable_ciphertext);
    }
    case Opcode::PsaAsymmetricDecrypt: {
      auto r = keyed(std::type_identity<psa_asymmetric_decrypt::Operation>{}, policy::validate_encrypt_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(check_asymmetric_input(op->alg(), op->ciphertext(), op->salt(), ctx.why));
      return reply(impl.asymmetric_decrypt(*k, *op), &psa_asymmetric_decrypt::Result::mutable_plaintext, kSecret);
    }
    case Opcode::PsaAeadEncrypt: {
      auto r = keyed(std::type_identity<psa_aead_encrypt::Operation>{}, policy::validate_aead_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(check_not_empty({&op->nonce(), &op->plaintext()}, ctx.why));
      return reply(impl.aead_encrypt(*k, *op), &psa_aead_encrypt::Result::mutable_ciphertext);
    }
    case Opcode::PsaAeadDecrypt: {
      auto r = keyed(std::type_identity<psa_aead_decrypt::Operation>{}, policy::validate_aead_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      PARSEC_TRY(check_not_empty({&op->nonce(), &op->ciphertext()}, ctx.why));
      return reply(impl.aead_decrypt(*k, *op), &psa_aead_decrypt::Result::mutable_plaintext, kSecret);
    }
    case Opcode::PsaCipherEncrypt: {
      auto op = decode<psa_cipher_encrypt::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (policy::validate_cipher(op->alg()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      auto k = usable_key(op->key_name(), policy::wrap_cipher(op->alg()));
      if (!k.ok()) {
        return k.status();
      }
      PARSEC_TRY(check_not_empty({&op->plaintext()}, ctx.why));
      return reply(impl.cipher_encrypt(*k, *op), &psa_cipher_encrypt::Result::mutable_ciphertext);
    }
    case Opcode::PsaCipherDecrypt: {
      auto op = decode<psa_cipher_decrypt::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (policy::validate_cipher(op->alg()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      auto k = usable_key(op->key_name(), policy::wrap_cipher(op->alg()));
      if (!k.ok()) {
        return k.status();
      }
      PARSEC_TRY(check_not_empty({&op->ciphertext()}, ctx.why));
      return reply(impl.cipher_decrypt(*k, *op), &psa_cipher_decrypt::Result::mutable_plaintext, kSecret);
    }
    case Opcode::PsaMacCompute: {
      auto r = keyed(std::type_identity<psa_mac_compute::Operation>{}, policy::validate_mac_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      return reply(impl.mac_compute(*k, *op), &psa_mac_compute::Result::mutable_mac);
    }
    case Opcode::PsaMacVerify: {
      auto r = keyed(std::type_identity<psa_mac_verify::Operation>{}, policy::validate_mac_alg);
      if (!r.ok()) {
        return r.status();
      }
      const auto* op = &r->op;
      const auto* k = &r->key;
      return empty_reply(impl.mac_verify(*k, *op));
    }
    case Opcode::PsaRawKeyAgreement: {
      auto op = decode<psa_raw_key_agreement::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (policy::validate_raw_agreement(op->alg()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      auto k = usable_key(op->private_key_name(), policy::wrap_raw_agreement(op->alg()));
      if (!k.ok()) {
        return k.status();
      }
      return reply(impl.raw_key_agreement(*k, *op), &psa_raw_key_agreement::Result::mutable_shared_secret, kSecret);
    }
    case Opcode::PsaHashCompute: {
      auto op = decode<psa_hash_compute::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (policy::validate_hash(op->alg()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      return reply(impl.hash_compute(*op), &psa_hash_compute::Result::mutable_hash);
    }
    case Opcode::PsaHashCompare: {
      auto op = decode<psa_hash_compare::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (policy::validate_hash(op->alg()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      return empty_reply(impl.hash_compare(*op));
    }
    case Opcode::PsaGenerateRandom: {
      auto op = decode<psa_generate_random::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (op->size() > cfg.buffer_size_limit) {
        ctx.why = "requested " + std::to_string(op->size()) + " bytes; buffer_size_limit is " +
                  std::to_string(cfg.buffer_size_limit);
        return Status::ResponseTooLarge;
      }
      return reply(impl.generate_random(op->size()), &psa_generate_random::Result::mutable_random_bytes, kSecret);
    }
    case Opcode::CanDoCrypto: {
      auto op = decode<can_do_crypto::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (!can_do_crypto::CheckType_IsValid(op->check_type()) || op->check_type() == can_do_crypto::CHECKTYPE_NONE ||
          !op->has_attributes() || policy::validate_attributes(op->attributes()) != Status::Success) {
        return Status::InvalidEncoding;
      }
      PARSEC_TRY(need_identity());
      return empty_reply(impl.can_do_crypto(*op));
    }
    case Opcode::AttestKey: {
      auto op = decode<attest_key::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (!op->has_parameters() || !op->parameters().has_activate_credential()) {
        return Status::InvalidEncoding;
      }
      auto k = caller_key(op->attested_key_name());
      if (!k.ok()) {
        return k.status();
      }
      auto r = impl.attest_key(*k, *op);
      if (!r.ok()) {
        return r.status();
      }
      return encode(*r);
    }
    case Opcode::PrepareKeyAttestation: {
      auto op = decode<prepare_key_attestation::Operation>(body);
      if (!op.ok()) {
        return op.status();
      }
      if (!op->has_parameters() || !op->parameters().has_activate_credential()) {
        return Status::InvalidEncoding;
      }
      auto k = caller_key(op->parameters().activate_credential().attested_key_name());
      if (!k.ok()) {
        return k.status();
      }
      auto r = impl.prepare_key_attestation(*k, *op);
      if (!r.ok()) {
        return r.status();
      }
      return encode(*r);
    }
    default:
      return Status::PsaErrorNotSupported;
  }
}

}  // namespace parsec::service
