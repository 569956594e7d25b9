#include "service/src/operations.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "parsec/interface/psa_proto.h"
#include "parsec/interface/secret.h"
#include "parsec/psa/operations.h"
#include "parsec/psa/policy.h"
#include "ping.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_aead_decrypt.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_cipher_decrypt.pb.h"
#include "psa_cipher_encrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_hash_compare.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_import_key.pb.h"
#include "psa_key_attributes.pb.h"
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"
#include "service/src/key_lifecycle.h"
#include "service/src/logging.h"

#ifndef PARSEC_SERVICE_VERSION_MAJOR
#define PARSEC_SERVICE_VERSION_MAJOR 0
#define PARSEC_SERVICE_VERSION_MINOR 1
#define PARSEC_SERVICE_VERSION_PATCH 0
#endif

namespace parsec::service {

ServiceVersion service_version() {
  return {PARSEC_SERVICE_VERSION_MAJOR, PARSEC_SERVICE_VERSION_MINOR, PARSEC_SERVICE_VERSION_PATCH};
}

Outcome validate_key_name(const std::string& name) {
  constexpr auto kBad = Status::PsaErrorInvalidArgument;
  if (name.empty()) {
    return Failure(kBad, "key names must not be empty");
  }
  if (name.size() > 1024) {
    return Failure(kBad, "key name is " + std::to_string(name.size()) + " bytes; the limit is 1024");
  }
  if (!is_valid_utf8(name)) {
    return Failure(kBad, "key name is not valid UTF-8");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    // C0 controls, DEL, and C1 controls (U+0080-U+009F, encoded C2 80-C2 9F).
    bool c1 = c == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      return Failure(kBad, "key names must not contain control characters");
    }
  }
  return Status::Success;
}

namespace {

namespace proto = psa::proto;
namespace policy = psa::policy;
namespace op = psa::op;
using provider::StoredKey;
using psa::Algorithm;
using psa::Bytes;

constexpr const char* kCoreUuid = "47049873-2a43-4845-9d72-831eab668784";
constexpr const char* kCoreDescription =
    "Software provider that implements only administrative (i.e. no cryptographic) operations";

// ---- conversion helpers (protobuf -> model; throw proto::Invalid) -------------

void need(bool present, const char* what) {
  if (!present) {
    throw proto::Invalid(what);
  }
}

Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// secret moves a secret input out of the decoded message, leaving no copy there.
SecretBytes secret(std::string* s) {
  return SecretBytes::take(*s);
}

Algorithm cipher_alg(int v) {
  need(v != psa_algorithm::Algorithm::CIPHER_NONE, "the cipher is mandatory (CIPHER_NONE)");
  psa_algorithm::Algorithm a;
  a.set_cipher(static_cast<psa_algorithm::Algorithm_Cipher>(v));
  return proto::algorithm_from_proto(a);
}

Algorithm raw_agreement_alg(int v) {
  need(v != psa_algorithm::Algorithm::KeyAgreement::RAW_NONE, "the raw key agreement is mandatory (RAW_NONE)");
  psa_algorithm::Algorithm a;
  a.mutable_key_agreement()->set_raw(static_cast<psa_algorithm::Algorithm_KeyAgreement_Raw>(v));
  return proto::algorithm_from_proto(a);
}

// ---- encoding helpers -----------------------------------------------------------

template <typename Msg>
Result<std::string> encode(const Msg& m) {
  std::string out;
  if (!m.SerializeToString(&out)) {
    return Failure(Status::SerializingBodyFailed, "the result could not be encoded");
  }
  return out;
}

std::string_view view(const Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
std::string_view view(const SecretBytes& b) {
  return b.view();
}

// reply puts a provider's output into one bytes field of a Result message and
// encodes it. For operations whose output is secret (wire.h,
// OpcodeInfo::secret_output) the message's copy is wiped once encoded; the
// provider's SecretBytes wipes itself, the server wipes the encoded body once
// it is written.
template <typename Msg, typename Out>
Result<std::string> reply(const Call& c, Result<Out> out, std::string* (Msg::*field)()) {
  if (!out.ok()) {
    return out.failure();
  }
  Msg r;
  std::string* f = (r.*field)();
  f->assign(view(*out));
  auto encoded = encode(r);
  if (opcode_info(c.op)->secret_output) {
    wipe(*f);
  }
  return encoded;
}

// empty_reply: operations whose Result has no fields answer an empty body.
Result<std::string> empty_reply(const Outcome& o) {
  if (!o.ok()) {
    return o.failure();
  }
  return std::string();
}

Outcome not_empty(std::initializer_list<size_t> sizes) {
  for (size_t n : sizes) {
    if (n == 0) {
      return Failure(Status::PsaErrorInvalidArgument, "an input that must not be empty is empty");
    }
  }
  return Status::Success;
}

Outcome asymmetric_input(const Algorithm& alg, size_t input, const Bytes& salt) {
  PARSEC_TRY(not_empty({input}));
  if (alg.kind() == psa::AlgorithmKind::RsaPkcs1v15Crypt && !salt.empty()) {
    return Failure(Status::PsaErrorInvalidArgument, "RSA PKCS#1 v1.5 encryption takes no salt");
  }
  return Status::Success;
}

KeyOwner owner_of(const Call& c) {
  return KeyOwner{c.identity->auth, c.identity->app};
}

provider::Provider& impl(const Call& c) {
  return *c.provider->impl;
}

// ---- the steps every entry runs ---------------------------------------------------
//
// An entry E is a struct with:
//   Wire                                    the protobuf Operation message
//   Req convert(Wire&)           [optional] strict conversion to the model (throws
//                                           proto::Invalid); without it the entry
//                                           works on Wire (core operations)
//   Outcome validate(const Req&) [optional] the model's contract (InvalidEncoding)
//   const std::string& key(const Req&)      [optional] the caller's key the request names
//   Outcome check(const Call&, const StoredKey&, const Req&)  key policy and input checks
//   Outcome check(const Call&, const Req&)  [optional, keyless] input checks
//   Result<std::string> execute(Call&, [const StoredKey&,] Req&)  provider call, encoding

template <typename E>
struct ReqOf {
  using type = typename E::Wire;
};
template <typename E>
requires requires(typename E::Wire& w) {
  E::convert(w);
}
struct ReqOf<E> {
  using type = decltype(E::convert(std::declval<typename E::Wire&>()));
};

Outcome served(const Call& c) {
  const auto& ops = c.provider->opcodes;
  if (std::find(ops.begin(), ops.end(), c.op) == ops.end()) {
    return Failure(Status::PsaErrorNotSupported,
                   std::string("provider \"") + c.provider->config.name + "\" does not implement " + opcode_name(c.op));
  }
  return Status::Success;
}

template <typename E>
Result<std::string> run(Call& c, const std::string& body) {
  using Req = typename ReqOf<E>::type;
  // Step 17: decode.
  typename E::Wire wire;
  if (!wire.ParseFromString(body)) {
    return Failure(Status::DeserializingBodyFailed, "the body is not a valid operation message");
  }
  // Step 18: convert to the model, strictly, then the model's contract rules.
  std::optional<Req> req;
  if constexpr (requires { E::convert(wire); }) {
    try {
      req.emplace(E::convert(wire));
    } catch (const proto::Invalid& e) {
      return Failure(Status::InvalidEncoding, e.what());
    }
  } else {
    req.emplace(std::move(wire));
  }
  if constexpr (requires { E::validate(*req); }) {
    PARSEC_TRY(E::validate(*req));
  }
  // Step 19: identity.
  if (needs_identity(c.op) && !c.identity) {
    return Failure(Status::NotAuthenticated, "the operation needs an authenticated caller");
  }
  if constexpr (requires { E::key(*req); }) {
    // Key-naming operations: capability before the key lookup (docs/protocol.md, operations §2, rule 0).
    PARSEC_TRY(served(c));
    if constexpr (requires { E::capable(c, *req); }) {
      PARSEC_TRY(E::capable(c, *req));
    }
    auto key = key_lifecycle::lookup(*c.provider, owner_of(c), E::key(*req), c.cfg.log_error_details);
    if (!key.ok()) {
      return key.failure();
    }
    PARSEC_TRY(E::check(c, *key, *req));
    return E::execute(c, *key, *req);
  } else {
    if constexpr (requires { E::check(c, *req); }) {
      PARSEC_TRY(E::check(c, *req));
    }
    if (c.provider) {
      PARSEC_TRY(served(c));
    }
    return E::execute(c, *req);
  }
}

// ==== core provider =========================================================

struct Ping {
  using Wire = ping::Operation;
  static Result<std::string> execute(Call&, Wire&) {
    ping::Result r;
    r.set_wire_protocol_version_maj(kVersionMajor);
    r.set_wire_protocol_version_min(kVersionMinor);
    return encode(r);
  }
};

struct ListProviders {
  using Wire = list_providers::Operation;
  static Result<std::string> execute(Call& c, Wire&) {
    list_providers::Result r;
    for (const auto& p : c.backends.providers()) {
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
};

struct ListOpcodes {
  using Wire = list_opcodes::Operation;
  static Result<std::string> execute(Call& c, Wire& w) {
    uint32_t id = w.provider_id();
    if (id > kMaxProviderId) {
      return Failure(Status::ProviderDoesNotExist, "ListOpcodes for undefined provider id " + std::to_string(id));
    }
    list_opcodes::Result r;
    if (id == 0) {
      for (Opcode o :
           {Opcode::Ping, Opcode::ListProviders, Opcode::ListOpcodes, Opcode::ListAuthenticators, Opcode::ListKeys}) {
        r.add_opcodes(static_cast<uint32_t>(o));
      }
    } else {
      ProviderEntry* p = c.backends.find(static_cast<ProviderId>(id));
      if (!p) {
        return Failure(Status::ProviderNotRegistered,
                       "ListOpcodes for provider id " + std::to_string(id) + ", which is not configured");
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
};

struct ListAuthenticators {
  using Wire = list_authenticators::Operation;
  static Result<std::string> execute(Call& c, Wire&) {
    list_authenticators::Result r;
    for (const auto& a : c.authenticators) {
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
};

struct ListKeys {
  using Wire = list_keys::Operation;
  static Result<std::string> execute(Call& c, Wire&) {
    // A tenant may have thousands of keys: the answer's messages come from
    // one arena (freed at once), and providers that share a key store are
    // answered from one read of it.
    google::protobuf::Arena arena;
    auto* r = google::protobuf::Arena::CreateMessage<list_keys::Result>(&arena);
    const KeyOwner owner = owner_of(c);
    std::vector<ProviderEntry*> providers;
    for (auto& p : c.backends.providers()) {
      providers.push_back(&p);
    }
    // Rows by (store, provider instance name): a store may still hold rows of
    // a provider that now uses another store, which are not that provider's.
    std::map<std::pair<const KeyStore*, std::string>, std::vector<KeyRecord>> rows;
    std::vector<const KeyStore*> read;
    for (ProviderEntry* p : providers) {
      if (std::find(read.begin(), read.end(), p->store.get()) != read.end()) {
        continue;
      }
      read.push_back(p->store.get());
      auto keys = p->store->list_owner(owner);
      if (!keys.ok()) {
        // An unreadable store is this request's failure: an empty or partial
        // list would tell the client its keys are gone.
        return Failure(Status::KeyInfoManagerError,
                       "key store of provider \"" + p->config.name + "\": " + keys.detail());
      }
      for (auto& k : *keys) {
        rows[{p->store.get(), k.provider_name}].push_back(std::move(k));
      }
    }
    auto* stored = google::protobuf::Arena::CreateMessage<psa_key_attributes::KeyAttributes>(&arena);
    for (ProviderEntry* p : providers) {
      auto it = rows.find({p->store.get(), p->config.name});
      if (it == rows.end()) {
        continue;
      }
      for (const auto& k : it->second) {
        // Parsed, checked against the contract and encoded again, so the
        // answer says what the service enforces, whatever the row's bytes.
        std::string why;
        psa::KeyAttributes attrs;
        if (!stored->ParseFromString(k.attributes)) {
          why = "stored attributes are unreadable";
        } else {
          try {
            attrs = proto::attributes_from_proto(*stored);
          } catch (const proto::Invalid& e) {
            why = std::string("stored attributes break the contract: ") + e.what();
          }
        }
        if (why.empty()) {
          auto* i = r->add_keys();
          try {
            proto::attributes_to_proto(attrs, i->mutable_attributes());
            i->set_provider_id(static_cast<uint32_t>(p->config.id));
            i->set_name(k.key_name);
            continue;
          } catch (const proto::Invalid& e) {
            r->mutable_keys()->RemoveLast();
            why = std::string("stored attributes cannot be listed: ") + e.what();
          }
        }
        // One damaged row must not hide the caller's other keys: it is left
        // out, logged and counted (using it answers KeyInfoManagerError).
        uint64_t total = key_lifecycle::note_unreadable_row();
        spdlog::error(
            "ListKeys: skipped key \"{}\" of {} \"{}\" in provider \"{}\": {} ({} unreadable row(s) skipped since "
            "start)",
            log_safe(k.key_name), auth_type_name(owner.auth), log_safe(owner.app), p->config.name, why, total);
      }
    }
    // body_len_limit bounds response bodies as well as requests (as upstream
    // Parsec's does); the protocol has no paging, so a tenant past it gets a
    // clear status and the operator a line saying who and how many.
    const size_t size = r->ByteSizeLong();
    if (size > c.cfg.body_len_limit) {
      spdlog::warn(
          "ListKeys: {} \"{}\" has {} keys; the answer would be {} bytes, over body_len_limit {}: answered "
          "ResponseTooLarge",
          auth_type_name(owner.auth), log_safe(owner.app), r->keys_size(), size, c.cfg.body_len_limit);
      return Failure(Status::ResponseTooLarge, "ListKeys of " + std::to_string(r->keys_size()) + " keys would be " +
                                                   std::to_string(size) + " bytes; core_settings.body_len_limit is " +
                                                   std::to_string(c.cfg.body_len_limit));
    }
    return encode(*r);
  }
};

struct ListClients {
  using Wire = list_clients::Operation;
  static Result<std::string> execute(Call& c, Wire&) {
    std::vector<KeyOwner> all;
    std::vector<KeyStore*> seen;
    for (auto& p : c.backends.providers()) {
      if (std::find(seen.begin(), seen.end(), p.store.get()) != seen.end()) {
        continue;
      }
      seen.push_back(p.store.get());
      auto owners = p.store->list_clients();
      if (!owners.ok()) {
        return Failure(Status::KeyInfoManagerError,
                       "key store of provider \"" + p.config.name + "\": " + owners.detail());
      }
      all.insert(all.end(), owners->begin(), owners->end());
    }
    // One entry per (authenticator, name), never merged across
    // authenticators (key_lifecycle::client_label).
    std::vector<std::string> labels;
    for (const auto& o : all) {
      labels.push_back(key_lifecycle::client_label(o, c.identity->auth));
    }
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    list_clients::Result r;
    for (const auto& n : labels) {
      r.add_clients(n);
    }
    // The same response limit as ListKeys: a store with very many clients
    // gets a clear status and the operator a line saying how many.
    const size_t size = r.ByteSizeLong();
    if (size > c.cfg.body_len_limit) {
      spdlog::warn(
          "ListClients: {} clients; the answer would be {} bytes, over body_len_limit {}: answered ResponseTooLarge",
          r.clients_size(), size, c.cfg.body_len_limit);
      return Failure(Status::ResponseTooLarge, "ListClients of " + std::to_string(r.clients_size()) +
                                                   " clients would be " + std::to_string(size) +
                                                   " bytes; core_settings.body_len_limit is " +
                                                   std::to_string(c.cfg.body_len_limit));
    }
    return encode(r);
  }
};

struct DeleteClient {
  using Wire = delete_client::Operation;
  static Result<std::string> execute(Call& c, Wire& w) {
    // The name as ListClients printed it: bare for the admin's own
    // authenticator, "<authenticator>:<name>" for any other.
    KeyOwner owner = key_lifecycle::parse_client_label(w.client(), c.identity->auth);
    auto deleted = key_lifecycle::destroy_all(c.backends, owner);
    if (!deleted.ok()) {
      return deleted.failure();
    }
    spdlog::info("admin {} \"{}\" deleted {} key(s) of client {} \"{}\"", auth_type_name(c.identity->auth),
                 log_safe(c.identity->app), *deleted, auth_type_name(owner.auth), log_safe(owner.app));
    return std::string();
  }
};

// ==== key life cycle ========================================================

// NewKey is the common request of PsaGenerateKey and PsaImportKey.
struct NewKey {
  std::string key_name;
  psa::KeyAttributes attributes;
  std::optional<SecretBytes> data;  // PsaImportKey only
};

template <typename WireT>
struct CreateKey {
  using Wire = WireT;
  static constexpr bool kImport = std::is_same_v<WireT, psa_import_key::Operation>;
  static NewKey convert(Wire& w) {
    NewKey k;
    if constexpr (kImport) {
      // Imported key material must not outlive this request.
      k.data.emplace(secret(w.mutable_data()));
    }
    need(w.has_attributes(), "key attributes are mandatory");
    k.key_name = w.key_name();
    k.attributes = proto::attributes_from_proto(w.attributes());
    return k;
  }
  static Outcome validate(const NewKey& k) {
    Outcome v = policy::validate_attributes(k.attributes);
    if (!v.ok()) {
      return Failure(Status::InvalidEncoding, "key attributes break the contract: " + v.detail());
    }
    return Status::Success;
  }
  static Result<std::string> execute(Call& c, NewKey& k) {
    PARSEC_TRY(served(c));
    policy::normalise_flags(k.attributes);
    if (policy::is_deprecated(k.attributes)) {
      if (!kImport && !c.cfg.allow_deprecated) {
        return Failure(Status::DeprecatedPrimitive,
                       "the key template uses a deprecated primitive and allow_deprecated is false");
      }
      spdlog::warn("conn {}: {} \"{}\" imports a key using a deprecated primitive", c.conn_id,
                   auth_type_name(c.identity->auth), log_safe(c.identity->app));
    }
    PARSEC_TRY(validate_key_name(k.key_name));
    if (!kImport && psa::is_public_key_type(k.attributes.type)) {
      return Failure(Status::PsaErrorInvalidArgument,
                     "cannot generate a public key; generate a key pair or import the public key");
    }
    PARSEC_TRY(key_lifecycle::create(*c.provider, owner_of(c), k.key_name, k.attributes, k.data ? &*k.data : nullptr,
                                     c.cfg.log_error_details));
    spdlog::info("conn {}: {} \"{}\" created a key in provider \"{}\"", c.conn_id, auth_type_name(c.identity->auth),
                 log_safe(c.identity->app), c.provider->config.name);
    return std::string();
  }
};

struct DestroyKey {
  using Wire = psa_destroy_key::Operation;
  static op::DestroyKey convert(Wire& w) { return {w.key_name()}; }
  static const std::string& key(const op::DestroyKey& r) { return r.key_name; }
  static Outcome check(const Call&, const StoredKey&, const op::DestroyKey&) { return Status::Success; }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::DestroyKey&) {
    return empty_reply(key_lifecycle::destroy(*c.provider, owner_of(c), k));
  }
};

struct ExportPublicKey {
  using Wire = psa_export_public_key::Operation;
  static op::ExportPublicKey convert(Wire& w) { return {w.key_name()}; }
  static const std::string& key(const op::ExportPublicKey& r) { return r.key_name; }
  static Outcome check(const Call&, const StoredKey& k, const op::ExportPublicKey&) {
    const psa::KeyType t = k.attributes.type;
    if (!(psa::is_rsa_key_type(t) || psa::is_ecc_key_type(t) || psa::is_dh_key_type(t))) {
      return Failure(Status::PsaErrorInvalidArgument, "the key has no public part");
    }
    return Status::Success;
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::ExportPublicKey&) {
    return reply(c, impl(c).export_public_key(k), &psa_export_public_key::Result::mutable_data);
  }
};

struct ExportKey {
  using Wire = psa_export_key::Operation;
  static op::ExportKey convert(Wire& w) { return {w.key_name()}; }
  static const std::string& key(const op::ExportKey& r) { return r.key_name; }
  static Outcome check(const Call& c, const StoredKey& k, const op::ExportKey&) {
    return policy::check_usage_only(k.attributes, c.op);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::ExportKey&) {
    return reply(c, impl(c).export_key(k), &psa_export_key::Result::mutable_data);
  }
};

// ==== operations on a key with a requested algorithm ========================

// Keyed: the shared key and policy steps of operations naming a key and an
// algorithm; entries add their conversion, input checks and provider call.
template <typename Req>
struct Keyed {
  static Outcome validate(const Req& r) { return policy::validate_algorithm(r.alg); }
  static const std::string& key(const Req& r) { return r.key_name; }
};

struct SignHash : Keyed<op::SignHash> {
  using Wire = psa_sign_hash::Operation;
  static op::SignHash convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::signature_from_proto(w.alg()), bytes(w.hash())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::SignHash& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return policy::check_sign_hash_length(r.alg, r.hash.size());
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::SignHash& r) {
    return reply(c, impl(c).sign_hash(k, r), &psa_sign_hash::Result::mutable_signature);
  }
};

struct VerifyHash : Keyed<op::VerifyHash> {
  using Wire = psa_verify_hash::Operation;
  static op::VerifyHash convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::signature_from_proto(w.alg()), bytes(w.hash()), bytes(w.signature())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::VerifyHash& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return policy::check_sign_hash_length(r.alg, r.hash.size());
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::VerifyHash& r) {
    return empty_reply(impl(c).verify_hash(k, r));
  }
};

struct SignMessage : Keyed<op::SignMessage> {
  using Wire = psa_sign_message::Operation;
  static op::SignMessage convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::signature_from_proto(w.alg()), bytes(w.message())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::SignMessage& r) {
    return policy::check_key_use(k.attributes, c.op, r.alg);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::SignMessage& r) {
    return reply(c, impl(c).sign_message(k, r), &psa_sign_message::Result::mutable_signature);
  }
};

struct VerifyMessage : Keyed<op::VerifyMessage> {
  using Wire = psa_verify_message::Operation;
  static op::VerifyMessage convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::signature_from_proto(w.alg()), bytes(w.message()), bytes(w.signature())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::VerifyMessage& r) {
    return policy::check_key_use(k.attributes, c.op, r.alg);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::VerifyMessage& r) {
    return empty_reply(impl(c).verify_message(k, r));
  }
};

struct AsymmetricEncrypt : Keyed<op::AsymmetricEncrypt> {
  using Wire = psa_asymmetric_encrypt::Operation;
  static op::AsymmetricEncrypt convert(Wire& w) {
    SecretBytes plaintext = secret(w.mutable_plaintext());
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::encryption_from_proto(w.alg()), std::move(plaintext), bytes(w.salt())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::AsymmetricEncrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return asymmetric_input(r.alg, r.plaintext.size(), r.salt);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::AsymmetricEncrypt& r) {
    return reply(c, impl(c).asymmetric_encrypt(k, r), &psa_asymmetric_encrypt::Result::mutable_ciphertext);
  }
};

struct AsymmetricDecrypt : Keyed<op::AsymmetricDecrypt> {
  using Wire = psa_asymmetric_decrypt::Operation;
  static op::AsymmetricDecrypt convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::encryption_from_proto(w.alg()), bytes(w.ciphertext()), bytes(w.salt())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::AsymmetricDecrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return asymmetric_input(r.alg, r.ciphertext.size(), r.salt);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::AsymmetricDecrypt& r) {
    return reply(c, impl(c).asymmetric_decrypt(k, r), &psa_asymmetric_decrypt::Result::mutable_plaintext);
  }
};

struct AeadEncrypt : Keyed<op::AeadEncrypt> {
  using Wire = psa_aead_encrypt::Operation;
  static op::AeadEncrypt convert(Wire& w) {
    SecretBytes plaintext = secret(w.mutable_plaintext());
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::aead_from_proto(w.alg()), bytes(w.nonce()), bytes(w.additional_data()),
            std::move(plaintext)};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::AeadEncrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return not_empty({r.nonce.size(), r.plaintext.size()});
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::AeadEncrypt& r) {
    return reply(c, impl(c).aead_encrypt(k, r), &psa_aead_encrypt::Result::mutable_ciphertext);
  }
};

struct AeadDecrypt : Keyed<op::AeadDecrypt> {
  using Wire = psa_aead_decrypt::Operation;
  static op::AeadDecrypt convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::aead_from_proto(w.alg()), bytes(w.nonce()), bytes(w.additional_data()),
            bytes(w.ciphertext())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::AeadDecrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return not_empty({r.nonce.size(), r.ciphertext.size()});
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::AeadDecrypt& r) {
    return reply(c, impl(c).aead_decrypt(k, r), &psa_aead_decrypt::Result::mutable_plaintext);
  }
};

struct CipherEncrypt : Keyed<op::CipherEncrypt> {
  using Wire = psa_cipher_encrypt::Operation;
  static op::CipherEncrypt convert(Wire& w) {
    SecretBytes plaintext = secret(w.mutable_plaintext());
    return {w.key_name(), cipher_alg(w.alg()), std::move(plaintext)};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::CipherEncrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return not_empty({r.plaintext.size()});
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::CipherEncrypt& r) {
    return reply(c, impl(c).cipher_encrypt(k, r), &psa_cipher_encrypt::Result::mutable_ciphertext);
  }
};

struct CipherDecrypt : Keyed<op::CipherDecrypt> {
  using Wire = psa_cipher_decrypt::Operation;
  static op::CipherDecrypt convert(Wire& w) { return {w.key_name(), cipher_alg(w.alg()), bytes(w.ciphertext())}; }
  static Outcome check(const Call& c, const StoredKey& k, const op::CipherDecrypt& r) {
    PARSEC_TRY(policy::check_key_use(k.attributes, c.op, r.alg));
    return not_empty({r.ciphertext.size()});
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::CipherDecrypt& r) {
    return reply(c, impl(c).cipher_decrypt(k, r), &psa_cipher_decrypt::Result::mutable_plaintext);
  }
};

struct MacCompute : Keyed<op::MacCompute> {
  using Wire = psa_mac_compute::Operation;
  static op::MacCompute convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::mac_from_proto(w.alg()), bytes(w.input())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::MacCompute& r) {
    return policy::check_key_use(k.attributes, c.op, r.alg);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::MacCompute& r) {
    return reply(c, impl(c).mac_compute(k, r), &psa_mac_compute::Result::mutable_mac);
  }
};

struct MacVerify : Keyed<op::MacVerify> {
  using Wire = psa_mac_verify::Operation;
  static op::MacVerify convert(Wire& w) {
    need(w.has_alg(), "the algorithm is mandatory");
    return {w.key_name(), proto::mac_from_proto(w.alg()), bytes(w.input()), bytes(w.mac())};
  }
  static Outcome check(const Call& c, const StoredKey& k, const op::MacVerify& r) {
    return policy::check_key_use(k.attributes, c.op, r.alg);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::MacVerify& r) {
    return empty_reply(impl(c).mac_verify(k, r));
  }
};

struct RawKeyAgreement {
  using Wire = psa_raw_key_agreement::Operation;
  static op::RawKeyAgreement convert(Wire& w) {
    return {w.private_key_name(), raw_agreement_alg(w.alg()), bytes(w.peer_key())};
  }
  static Outcome validate(const op::RawKeyAgreement& r) { return policy::validate_algorithm(r.alg); }
  static const std::string& key(const op::RawKeyAgreement& r) { return r.private_key_name; }
  static Outcome check(const Call& c, const StoredKey& k, const op::RawKeyAgreement& r) {
    return policy::check_key_use(k.attributes, c.op, r.alg);
  }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::RawKeyAgreement& r) {
    return reply(c, impl(c).raw_key_agreement(k, r), &psa_raw_key_agreement::Result::mutable_shared_secret);
  }
};

// ==== keyless ===============================================================

struct HashCompute {
  using Wire = psa_hash_compute::Operation;
  static op::HashCompute convert(Wire& w) { return {proto::hash_from_proto(w.alg()), bytes(w.input())}; }
  static Outcome validate(const op::HashCompute& r) { return policy::validate_hash(r.alg); }
  static Result<std::string> execute(Call& c, op::HashCompute& r) {
    return reply(c, impl(c).hash_compute(r), &psa_hash_compute::Result::mutable_hash);
  }
};

struct HashCompare {
  using Wire = psa_hash_compare::Operation;
  static op::HashCompare convert(Wire& w) {
    return {proto::hash_from_proto(w.alg()), bytes(w.input()), bytes(w.hash())};
  }
  static Outcome validate(const op::HashCompare& r) { return policy::validate_hash(r.alg); }
  static Result<std::string> execute(Call& c, op::HashCompare& r) { return empty_reply(impl(c).hash_compare(r)); }
};

struct GenerateRandom {
  using Wire = psa_generate_random::Operation;
  static op::GenerateRandom convert(Wire& w) { return {w.size()}; }
  static Outcome check(const Call& c, const op::GenerateRandom& r) {
    if (r.size > c.cfg.buffer_size_limit) {
      return Failure(Status::ResponseTooLarge, "requested " + std::to_string(r.size) + " bytes; buffer_size_limit is " +
                                                   std::to_string(c.cfg.buffer_size_limit));
    }
    return Status::Success;
  }
  static Result<std::string> execute(Call& c, op::GenerateRandom& r) {
    return reply(c, impl(c).generate_random(r), &psa_generate_random::Result::mutable_random_bytes);
  }
};

struct CanDoCrypto {
  using Wire = can_do_crypto::Operation;
  static op::CanDoCrypto convert(Wire& w) {
    need(can_do_crypto::CheckType_IsValid(w.check_type()) && w.check_type() != can_do_crypto::CHECKTYPE_NONE,
         "check_type must be a defined value other than NONE");
    need(w.has_attributes(), "key attributes are mandatory");
    return {static_cast<psa::CheckType>(w.check_type()), proto::attributes_from_proto(w.attributes())};
  }
  static Outcome validate(const op::CanDoCrypto& r) {
    Outcome v = policy::validate_attributes(r.attributes);
    if (!v.ok()) {
      return Failure(Status::InvalidEncoding, "key attributes break the contract: " + v.detail());
    }
    return Status::Success;
  }
  static Result<std::string> execute(Call& c, op::CanDoCrypto& r) {
    // PsaGenerateKey refuses deprecated primitives unless allow_deprecated
    // (operations §5.3), so GENERATE cannot promise them (imports only warn).
    if (r.check_type == psa::CheckType::Generate && policy::is_deprecated(r.attributes) && !c.cfg.allow_deprecated) {
      return Failure(Status::PsaErrorNotSupported,
                     "CanDoCrypto GENERATE: the template uses a deprecated primitive and allow_deprecated is false");
    }
    // A key too small for its RSA padding works with no provider.
    if (r.check_type != psa::CheckType::Derive) {
      if (Outcome fits = policy::check_rsa_size(r.attributes, r.attributes.policy); !fits.ok()) {
        return Failure(Status::PsaErrorNotSupported, "CanDoCrypto: " + fits.detail());
      }
    }
    return empty_reply(impl(c).can_do_crypto(r));
  }
};

// ==== key attestation =======================================================

// attesting_key_supported: a named (non-default) attesting key is a capability
// question, answered before the key lookup like rule 0.
Outcome attesting_key_supported(const Call& c, const std::string& attesting_key_name) {
  if (!attesting_key_name.empty() && !c.provider->impl->named_attesting_keys()) {
    return Failure(Status::PsaErrorNotSupported, std::string("provider \"") + c.provider->config.name +
                                                     "\" attests only with its default attesting key");
  }
  return Status::Success;
}

struct AttestKey {
  using Wire = attest_key::Operation;
  static op::AttestKey convert(Wire& w) {
    need(w.has_parameters() && w.parameters().has_activate_credential(),
         "AttestKey needs ActivateCredential parameters");
    auto* p = w.mutable_parameters()->mutable_activate_credential();
    // The secret is an encrypted seed; wipe the decoded copy anyway.
    Wiped<std::string> wiped(*p->mutable_secret());
    return {w.attested_key_name(), w.attesting_key_name(), bytes(p->credential_blob()), bytes(p->secret())};
  }
  static const std::string& key(const op::AttestKey& r) { return r.attested_key_name; }
  static Outcome capable(const Call& c, const op::AttestKey& r) {
    return attesting_key_supported(c, r.attesting_key_name);
  }
  static Outcome check(const Call&, const StoredKey&, const op::AttestKey&) { return Status::Success; }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::AttestKey& r) {
    auto out = impl(c).attest_key(k, r);
    if (!out.ok()) {
      return out.failure();
    }
    attest_key::Result m;
    std::string* f = m.mutable_output()->mutable_activate_credential()->mutable_credential();
    f->assign(out->view());
    auto encoded = encode(m);
    wipe(*f);  // the credential is a secret output (wire.h)
    return encoded;
  }
};

struct PrepareKeyAttestation {
  using Wire = prepare_key_attestation::Operation;
  static op::PrepareKeyAttestation convert(Wire& w) {
    need(w.has_parameters() && w.parameters().has_activate_credential(),
         "PrepareKeyAttestation needs ActivateCredential parameters");
    const auto& p = w.parameters().activate_credential();
    return {p.attested_key_name(), p.attesting_key_name()};
  }
  static const std::string& key(const op::PrepareKeyAttestation& r) { return r.attested_key_name; }
  static Outcome capable(const Call& c, const op::PrepareKeyAttestation& r) {
    return attesting_key_supported(c, r.attesting_key_name);
  }
  static Outcome check(const Call&, const StoredKey&, const op::PrepareKeyAttestation&) { return Status::Success; }
  static Result<std::string> execute(Call& c, const StoredKey& k, op::PrepareKeyAttestation& r) {
    auto out = impl(c).prepare_key_attestation(k, r);
    if (!out.ok()) {
      return out.failure();
    }
    prepare_key_attestation::Result m;
    auto* a = m.mutable_output()->mutable_activate_credential();
    a->set_name(std::string(view(out->name)));
    a->set_public_(std::string(view(out->public_area)));
    a->set_attesting_key_pub(std::string(view(out->attesting_key_public)));
    return encode(m);
  }
};

// ==== the table =============================================================

constexpr Operation kOperations[] = {
    {Opcode::Ping, &run<Ping>},
    {Opcode::ListProviders, &run<ListProviders>},
    {Opcode::ListOpcodes, &run<ListOpcodes>},
    {Opcode::ListAuthenticators, &run<ListAuthenticators>},
    {Opcode::ListKeys, &run<ListKeys>},
    {Opcode::ListClients, &run<ListClients>},
    {Opcode::DeleteClient, &run<DeleteClient>},
    {Opcode::PsaGenerateKey, &run<CreateKey<psa_generate_key::Operation>>},
    {Opcode::PsaImportKey, &run<CreateKey<psa_import_key::Operation>>},
    {Opcode::PsaDestroyKey, &run<DestroyKey>},
    {Opcode::PsaExportPublicKey, &run<ExportPublicKey>},
    {Opcode::PsaExportKey, &run<ExportKey>},
    {Opcode::PsaSignHash, &run<SignHash>},
    {Opcode::PsaVerifyHash, &run<VerifyHash>},
    {Opcode::PsaSignMessage, &run<SignMessage>},
    {Opcode::PsaVerifyMessage, &run<VerifyMessage>},
    {Opcode::PsaAsymmetricEncrypt, &run<AsymmetricEncrypt>},
    {Opcode::PsaAsymmetricDecrypt, &run<AsymmetricDecrypt>},
    {Opcode::PsaAeadEncrypt, &run<AeadEncrypt>},
    {Opcode::PsaAeadDecrypt, &run<AeadDecrypt>},
    {Opcode::PsaCipherEncrypt, &run<CipherEncrypt>},
    {Opcode::PsaCipherDecrypt, &run<CipherDecrypt>},
    {Opcode::PsaMacCompute, &run<MacCompute>},
    {Opcode::PsaMacVerify, &run<MacVerify>},
    {Opcode::PsaRawKeyAgreement, &run<RawKeyAgreement>},
    {Opcode::PsaHashCompute, &run<HashCompute>},
    {Opcode::PsaHashCompare, &run<HashCompare>},
    {Opcode::PsaGenerateRandom, &run<GenerateRandom>},
    {Opcode::CanDoCrypto, &run<CanDoCrypto>},
    {Opcode::AttestKey, &run<AttestKey>},
    {Opcode::PrepareKeyAttestation, &run<PrepareKeyAttestation>},
};

}  // namespace

const Operation* find_operation(Opcode op) {
  for (const auto& o : kOperations) {
    if (o.op == op) {
      return &o;
    }
  }
  return nullptr;
}

namespace {

// Above this size an RSA private-key operation takes tens of milliseconds in
// software (RSA-4096 sign: ~30 ms), enough to delay a cheap request behind it.
constexpr uint32_t kSlowRsaBits = 2048;

template <typename Wire>
Lane keyed_lane(const Call& c, const std::string& body) {
  Wire w;
  if (!c.identity || !c.provider || !w.ParseFromString(body)) {
    return Lane::Fast;
  }
  auto key = key_lifecycle::lookup(*c.provider, owner_of(c), w.key_name(), false);
  if (!key.ok()) {
    return Lane::Fast;
  }
  const psa::KeyAttributes& a = key->attributes;
  return a.type == psa::KeyType::RsaKeyPair && a.bits > kSlowRsaBits ? Lane::Slow : Lane::Fast;
}

}  // namespace

Lane lane_for(const Call& c, const std::string& body) {
  if (!c.provider) {
    return Lane::Fast;
  }
  if (c.provider->config.id == ProviderId::Tpm) {
    return Lane::Slow;
  }
  switch (c.op) {
    case Opcode::PsaGenerateKey: {
      psa_generate_key::Operation w;
      if (!w.ParseFromString(body) || !w.has_attributes()) {
        return Lane::Fast;
      }
      try {
        psa::KeyAttributes a = proto::attributes_from_proto(w.attributes());
        return psa::is_rsa_key_type(a.type) || psa::is_dh_key_type(a.type) ? Lane::Slow : Lane::Fast;
      } catch (const proto::Invalid&) {
        return Lane::Fast;
      }
    }
    case Opcode::AttestKey:
    case Opcode::PrepareKeyAttestation:
      return Lane::Slow;
    case Opcode::PsaSignHash:
      return keyed_lane<psa_sign_hash::Operation>(c, body);
    case Opcode::PsaSignMessage:
      return keyed_lane<psa_sign_message::Operation>(c, body);
    case Opcode::PsaAsymmetricDecrypt:
      return keyed_lane<psa_asymmetric_decrypt::Operation>(c, body);
    default:
      return Lane::Fast;
  }
}

}  // namespace parsec::service
