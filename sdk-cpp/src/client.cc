#include "parsec/client/client.h"

#include "parsec/client/jwt_svid.h"
#include "parsec/interface/secret.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>

#include "sdk-cpp/src/convert.h"
#include "sdk-cpp/src/framing.h"
#include "sdk-cpp/src/secret_buffers.h"
#include "sdk-cpp/src/transport.h"

// Generated contracts of every operation.
#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
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
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"

namespace parsec::client {

using detail::Connection;

namespace {

// Which authentication a request carries.
enum class Identity {
  Discovery,  // always none: used to find out which authenticator to use
  IfKnown,    // the forced/cached choice if there is one, none otherwise
  Required,   // the forced/cached choice, running the discovery if needed
};

// Where a request goes.
enum class Target { Core, Crypto };

Bytes to_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
std::string to_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// valid_uuid accepts the forms the reference client's UUID parser accepts:
// hyphenated, simple (32 hex digits), braced and urn:uuid: prefixed.
bool valid_uuid(std::string s) {
  if (s.rfind("urn:uuid:", 0) == 0) {
    s.erase(0, 9);
  } else if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
    s = s.substr(1, s.size() - 2);
  }
  if (s.size() == 32) {
    return std::all_of(s.begin(), s.end(), is_hex);
  }
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool hyphen_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_pos ? s[i] != '-' : !is_hex(s[i])) {
      return false;
    }
  }
  return true;
}

// Settings copied under the lock for one request.
struct Settings {
  Endpoint endpoint;
  uint32_t timeout_ms;
  uint32_t max_body_len;
  std::string app_name;
  std::shared_ptr<JwtSvidSource> jwt_source;
};

}  // namespace

class Client::Impl {
 public:
  Impl(Endpoint endpoint, std::string app_name) : endpoint_(std::move(endpoint)), app_name_(std::move(app_name)) {}

  Settings settings() const {
    std::lock_guard<std::mutex> lock(mu_);
    return Settings{endpoint_, timeout_ms_, max_body_len_, app_name_, jwt_source_};
  }

  // call sends `request` as `op` and decodes the answer into a `Result`. The
  // serialized body, the framed request and the received body are wiped when
  // the operation carries secrets (secret_buffers.h decides from opcode_info);
  // the caller guards the message fields it filled (SecretField) and the result
  // field it reads (take_result).
  template <class Result>
  Result call(Opcode op, Target target, Identity identity, const google::protobuf::MessageLite& request) {
    const std::string name = opcode_name(op);
    const uint8_t provider = target == Target::Core ? 0 : static_cast<uint8_t>(crypto_provider(name));
    const AuthType auth = auth_for(identity);
    std::string body;
    const detail::Scrub<std::string> body_guard(body, op, detail::Buffer::RequestBody, detail::secret_input(op));
    if (!request.SerializeToString(&body)) {
      throw Error::client_error(Status::SerializingBodyFailed, name, "cannot encode the request body");
    }
    std::string answer;
    const detail::Scrub<std::string> answer_guard(answer, op, detail::Buffer::ResponseBody, detail::secret_output(op));
    exchange(op, provider, auth, body, settings(), answer);
    Result result;
    if (!result.ParseFromString(answer)) {
      throw Error::client_error(
          Status::DeserializingBodyFailed, name,
          "cannot decode the " + std::to_string(answer.size()) + "-byte response body as " + result.GetTypeName());
    }
    return result;
  }

  AuthType resolve_auth();
  ProviderId resolve_provider();

  mutable std::mutex mu_;
  Endpoint endpoint_;
  uint32_t timeout_ms_ = kDefaultTimeoutMs;
  uint32_t max_body_len_ = kDefaultMaxResponseBodyLen;
  std::string app_name_;
  std::shared_ptr<JwtSvidSource> jwt_source_;
  std::optional<AuthType> auth_;  // forced or discovered
  bool auth_forced_ = false;
  std::optional<ProviderId> provider_;  // set or discovered
  bool provider_forced_ = false;

 private:
  ProviderId crypto_provider(const std::string& name) {
    const ProviderId p = resolve_provider();
    if (p == ProviderId::Core) {
      // As the reference client: crypto operations never go to the core
      // provider, which would only answer PsaErrorNotSupported.
      throw Error::client_error(Status::WrongProviderId, name,
                                "cryptographic operations cannot be sent to the core provider (0); choose a "
                                "crypto provider");
    }
    return p;
  }

  AuthType auth_for(Identity identity) {
    switch (identity) {
      case Identity::Discovery:
        return AuthType::NoAuth;
      case Identity::IfKnown: {
        std::lock_guard<std::mutex> lock(mu_);
        return auth_.value_or(AuthType::NoAuth);
      }
      case Identity::Required:
        return resolve_auth();
    }
    return AuthType::NoAuth;
  }

  static Bytes auth_bytes(AuthType auth, const Settings& s, const std::string& name) {
    const std::string& app_name = s.app_name;
    switch (auth) {
      case AuthType::NoAuth:
        return {};
      case AuthType::Direct:
        if (app_name.empty()) {
          throw Error::client_error(Status::AuthenticationError, name,
                                    "Direct authentication needs a non-empty application name");
        }
        return to_bytes(app_name);
      case AuthType::UnixPeerCredentials: {
        // The service compares this with the UID the kernel reports for us.
        const uint32_t uid = static_cast<uint32_t>(::getuid());
        return Bytes{static_cast<uint8_t>(uid), static_cast<uint8_t>(uid >> 8), static_cast<uint8_t>(uid >> 16),
                     static_cast<uint8_t>(uid >> 24)};
      }
      case AuthType::JwtSvid: {
        if (!s.jwt_source) {
          throw Error::client_error(Status::AuthenticatorNotRegistered, name,
                                    "JWT-SVID authentication needs a token source (set_jwt_svid_source)");
        }
        std::string token = s.jwt_source->token();
        Bytes out = to_bytes(token);
        parsec::wipe(token);
        return out;
      }
      case AuthType::Jwt:
        break;
    }
    throw Error::client_error(
        Status::AuthenticatorNotRegistered, name,
        std::string("authentication type ") + auth_type_name(auth) + " is not supported by this client");
  }

  // exchange sends one framed request and reads the answer body into `answer`
  // (sized once from the header, so the read leaves no stale copy).
  static void exchange(Opcode op, uint8_t provider, AuthType auth, const std::string& body, const Settings& s,
                       std::string& answer) {
    const std::string name = opcode_name(op);
    Bytes auth_field = auth_bytes(auth, s, name);
    std::vector<uint8_t> request = detail::build_request(op, provider, auth, body, auth_field, name);
    // A JWT-SVID is a bearer token: the frame carrying it is a secret too.
    const bool bearer = auth == AuthType::JwtSvid;
    parsec::wipe(auth_field);
    const detail::Scrub<std::vector<uint8_t>> request_guard(request, op, detail::Buffer::RequestFrame,
                                                            detail::secret_input(op) || bearer);
    Connection conn = Connection::connect(s.endpoint, s.timeout_ms, name);
    const int write_error = conn.write_all(request.data(), request.size());

    std::array<uint8_t, kHeaderLen> raw{};
    try {
      conn.read_exact(raw.data(), raw.size(), "response header");
    } catch (const Error&) {
      if (write_error != 0) {
        // The service hung up during the request and left no answer either.
        throw Error::client_error(
            Status::ConnectionError, name,
            "the service at " + s.endpoint.uri() +
                " closed the connection while the request was being sent: " + std::strerror(write_error));
      }
      throw;
    }
    const WireHeader header = decode_header(raw.data());
    detail::check_fixed_fields(header, s.max_body_len, name);
    // body_len was checked against the client limit just above.
    answer.assign(header.body_len, '\0');
    conn.read_exact(reinterpret_cast<uint8_t*>(answer.data()), answer.size(), "response body");
    detail::check_response_fields(header, op, name);
  }
};

// ---- discovery -------------------------------------------------------------

namespace {

std::vector<AuthenticatorInfo> decode_authenticators(const list_authenticators::Result& r) {
  std::vector<AuthenticatorInfo> out;
  out.reserve(static_cast<size_t>(r.authenticators_size()));
  for (const auto& a : r.authenticators()) {
    if (a.id() > kMaxAuthType) {
      throw Error::client_error(
          Status::AuthenticatorDoesNotExist, "ListAuthenticators",
          "the service listed authenticator id " + std::to_string(a.id()) + ", which is not defined");
    }
    AuthenticatorInfo info;
    info.id = static_cast<AuthType>(a.id());
    info.description = a.description();
    info.version_maj = a.version_maj();
    info.version_min = a.version_min();
    info.version_rev = a.version_rev();
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<ProviderInfo> decode_providers(const list_providers::Result& r) {
  std::vector<ProviderInfo> out;
  out.reserve(static_cast<size_t>(r.providers_size()));
  for (const auto& p : r.providers()) {
    if (p.id() > kMaxProviderId) {
      throw Error::client_error(Status::ProviderDoesNotExist, "ListProviders",
                                "the service listed provider id " + std::to_string(p.id()) + ", which is not defined");
    }
    if (!valid_uuid(p.uuid())) {
      throw Error::client_error(
          Status::WrongProviderUuid, "ListProviders",
          "the service listed provider " + std::to_string(p.id()) + " with malformed UUID \"" + p.uuid() + "\"");
    }
    ProviderInfo info;
    info.id = static_cast<ProviderId>(p.id());
    info.uuid = p.uuid();
    info.description = p.description();
    info.vendor = p.vendor();
    info.version_maj = p.version_maj();
    info.version_min = p.version_min();
    info.version_rev = p.version_rev();
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

AuthType Client::Impl::resolve_auth() {
  std::string app_name;
  bool have_jwt_source = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auth_) {
      return *auth_;
    }
    app_name = app_name_;
    have_jwt_source = jwt_source_ != nullptr;
  }
  const auto authenticators = decode_authenticators(call<list_authenticators::Result>(
      Opcode::ListAuthenticators, Target::Core, Identity::Discovery, list_authenticators::Operation()));
  std::optional<AuthType> chosen;
  std::string offered;
  for (const auto& a : authenticators) {
    offered += (offered.empty() ? "" : ", ") + std::string(auth_type_name(a.id));
    if (a.id == AuthType::Direct && !app_name.empty()) {
      chosen = AuthType::Direct;
    } else if (a.id == AuthType::UnixPeerCredentials) {
      chosen = AuthType::UnixPeerCredentials;
    } else if (a.id == AuthType::JwtSvid && have_jwt_source) {
      chosen = AuthType::JwtSvid;
    }
    if (chosen) {
      break;
    }
  }
  if (!chosen) {
    std::string detail = "no authenticator offered by the service is usable by this client (offered: " +
                         (offered.empty() ? std::string("none") : offered) + ")";
    if (offered.find("Direct") != std::string::npos) {
      detail += "; Direct authentication needs an application name";
    }
    throw Error::client_error(Status::AuthenticatorNotRegistered, "ListAuthenticators", detail);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!auth_) {
    auth_ = chosen;
  }
  return *auth_;
}

ProviderId Client::Impl::resolve_provider() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (provider_) {
      return *provider_;
    }
  }
  const auto providers = decode_providers(call<list_providers::Result>(Opcode::ListProviders, Target::Core,
                                                                       Identity::IfKnown, list_providers::Operation()));
  if (providers.empty()) {
    throw Error::client_error(Status::ProviderNotRegistered, "ListProviders", "the service reported no provider");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!provider_) {
    provider_ = providers.front().id;
  }
  return *provider_;
}

// ---- construction and settings ----------------------------------------------

Client::Client() : Client(Endpoint::from_environment(), std::string()) {}
Client::Client(const std::string& app_name) : Client(Endpoint::from_environment(), app_name) {}
Client::Client(const Endpoint& endpoint, const std::string& app_name)
    : impl_(std::make_shared<Impl>(endpoint, app_name)) {}
Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Endpoint Client::endpoint() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->endpoint_;
}

void Client::set_endpoint(const Endpoint& endpoint) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->endpoint_ = endpoint;
  // Another service may offer other authenticators and providers.
  if (!impl_->auth_forced_) {
    impl_->auth_.reset();
  }
  if (!impl_->provider_forced_) {
    impl_->provider_.reset();
  }
}

uint32_t Client::timeout_ms() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->timeout_ms_;
}

void Client::set_timeout_ms(uint32_t timeout_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->timeout_ms_ = timeout_ms;
}

uint32_t Client::max_response_body_len() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->max_body_len_;
}

void Client::set_max_response_body_len(uint32_t limit) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->max_body_len_ = limit;
}

std::string Client::app_name() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->app_name_;
}

void Client::set_app_name(const std::string& app_name) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->app_name_ = app_name;
  if (!impl_->auth_forced_) {
    impl_->auth_.reset();
  }
}

AuthType Client::auth_type() {
  return impl_->resolve_auth();
}

void Client::set_auth_type(AuthType type) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  if (type == AuthType::JwtSvid && !impl_->jwt_source_) {
    throw Error::client_error(Status::AuthenticatorNotRegistered, "",
                              "JWT-SVID authentication needs a token source: call set_jwt_svid_source first");
  }
  if (type != AuthType::NoAuth && type != AuthType::Direct && type != AuthType::UnixPeerCredentials &&
      type != AuthType::JwtSvid) {
    throw Error::client_error(
        Status::AuthenticatorNotRegistered, "",
        std::string("authentication type ") + auth_type_name(type) + " is not supported by this client");
  }
  impl_->auth_ = type;
  impl_->auth_forced_ = true;
}

void Client::set_jwt_svid_source(std::shared_ptr<JwtSvidSource> source) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->jwt_source_ = std::move(source);
  if (!impl_->auth_forced_) {
    impl_->auth_.reset();
  } else if (impl_->auth_ == AuthType::JwtSvid && !impl_->jwt_source_) {
    // Forced JWT-SVID without a source could only fail: back to discovery.
    impl_->auth_.reset();
    impl_->auth_forced_ = false;
  }
}

void Client::use_default_auth() {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->auth_.reset();
  impl_->auth_forced_ = false;
}

ProviderId Client::provider() {
  return impl_->resolve_provider();
}

void Client::set_provider(ProviderId provider) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->provider_ = provider;
  impl_->provider_forced_ = true;
}

void Client::use_default_provider() {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->provider_.reset();
  impl_->provider_forced_ = false;
}

// ---- helpers for operations ----------------------------------------------------

namespace {

// with_operation runs `f`, naming `op` in conversion errors (which are thrown
// without an operation name by convert.cc).
template <class F>
auto with_operation(Opcode op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.operation().empty()) {
      throw;
    }
    throw Error(e.status(), opcode_name(op), e.detail(), e.from_service());
  }
}

// false when the service answered `status`, rethrow otherwise.
template <class F>
bool false_on(Status status, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    if (e.from_service() && e.status() == status) {
      return false;
    }
    throw;
  }
}

}  // namespace

// ---- core operations -------------------------------------------------------------

ProtocolVersion Client::ping() {
  const auto r = impl_->call<ping::Result>(Opcode::Ping, Target::Core, Identity::IfKnown, ping::Operation());
  if (r.wire_protocol_version_maj() > 0xFF || r.wire_protocol_version_min() > 0xFF) {
    throw Error::client_error(Status::InvalidEncoding, "Ping",
                              "wire protocol version " + std::to_string(r.wire_protocol_version_maj()) + "." +
                                  std::to_string(r.wire_protocol_version_min()) + " does not fit 8 bits");
  }
  return ProtocolVersion{static_cast<uint8_t>(r.wire_protocol_version_maj()),
                         static_cast<uint8_t>(r.wire_protocol_version_min())};
}

std::vector<ProviderInfo> Client::list_providers() {
  return decode_providers(impl_->call<list_providers::Result>(Opcode::ListProviders, Target::Core, Identity::IfKnown,
                                                              list_providers::Operation()));
}

std::vector<Opcode> Client::list_opcodes(ProviderId provider) {
  list_opcodes::Operation op;
  op.set_provider_id(static_cast<uint32_t>(provider));
  const auto r = impl_->call<list_opcodes::Result>(Opcode::ListOpcodes, Target::Core, Identity::IfKnown, op);
  std::vector<Opcode> out;
  out.reserve(static_cast<size_t>(r.opcodes_size()));
  for (const uint32_t v : r.opcodes()) {
    const auto opcode = opcode_from_u32(v);
    if (!opcode) {
      throw Error::client_error(Status::OpcodeDoesNotExist, "ListOpcodes",
                                "the service listed opcode " + std::to_string(v) + ", which is not defined");
    }
    out.push_back(*opcode);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<AuthenticatorInfo> Client::list_authenticators() {
  return decode_authenticators(impl_->call<list_authenticators::Result>(
      Opcode::ListAuthenticators, Target::Core, Identity::IfKnown, list_authenticators::Operation()));
}

std::vector<KeyInfo> Client::list_keys() {
  return with_operation(Opcode::ListKeys, [&] {
    const auto r =
        impl_->call<list_keys::Result>(Opcode::ListKeys, Target::Core, Identity::Required, list_keys::Operation());
    std::vector<KeyInfo> out;
    out.reserve(static_cast<size_t>(r.keys_size()));
    for (const auto& k : r.keys()) {
      if (k.provider_id() > kMaxProviderId) {
        throw Error::client_error(Status::ProviderDoesNotExist, "ListKeys",
                                  "key \"" + k.name() + "\" is held by provider " + std::to_string(k.provider_id()) +
                                      ", which is not defined");
      }
      if (!k.has_attributes()) {
        throw Error::client_error(Status::InvalidEncoding, "ListKeys",
                                  "key \"" + k.name() + "\" listed without its attributes");
      }
      KeyInfo info;
      info.provider_id = static_cast<ProviderId>(k.provider_id());
      info.name = k.name();
      info.attributes = detail::attributes_from_proto(k.attributes());
      out.push_back(std::move(info));
    }
    return out;
  });
}

std::vector<std::string> Client::list_clients() {
  const auto r = impl_->call<list_clients::Result>(Opcode::ListClients, Target::Core, Identity::Required,
                                                   list_clients::Operation());
  return std::vector<std::string>(r.clients().begin(), r.clients().end());
}

void Client::delete_client(const std::string& client) {
  delete_client::Operation op;
  op.set_client(client);
  impl_->call<delete_client::Result>(Opcode::DeleteClient, Target::Core, Identity::Required, op);
}

KeyAttributes Client::key_attributes(const std::string& key_name) {
  const auto keys = list_keys();
  std::vector<const KeyInfo*> named;
  for (const auto& k : keys) {
    if (k.name == key_name) {
      named.push_back(&k);
    }
  }
  if (named.empty()) {
    throw Error(Status::PsaErrorDoesNotExist, "", "no key named \"" + key_name + "\" for this caller", false);
  }
  if (named.size() > 1) {
    // The same name in several providers: take the current provider's.
    const ProviderId p = provider();
    for (const KeyInfo* k : named) {
      if (k->provider_id == p) {
        return k->attributes;
      }
    }
  }
  return named.front()->attributes;
}

// ---- key management ----------------------------------------------------------------

void Client::generate_key(const std::string& key_name, const KeyAttributes& attributes) {
  with_operation(Opcode::PsaGenerateKey, [&] {
    psa_generate_key::Operation op;
    op.set_key_name(key_name);
    detail::attributes_to_proto(attributes, op.mutable_attributes());
    impl_->call<psa_generate_key::Result>(Opcode::PsaGenerateKey, Target::Crypto, Identity::Required, op);
  });
}

void Client::import_key(const std::string& key_name, const KeyAttributes& attributes, const Bytes& data) {
  with_operation(Opcode::PsaImportKey, [&] {
    psa_import_key::Operation op;
    op.set_key_name(key_name);
    detail::attributes_to_proto(attributes, op.mutable_attributes());
    const detail::SecretField key_data(Opcode::PsaImportKey, op.mutable_data(), data);
    impl_->call<psa_import_key::Result>(Opcode::PsaImportKey, Target::Crypto, Identity::Required, op);
  });
}

Bytes Client::export_public_key(const std::string& key_name) {
  psa_export_public_key::Operation op;
  op.set_key_name(key_name);
  return to_bytes(
      impl_->call<psa_export_public_key::Result>(Opcode::PsaExportPublicKey, Target::Crypto, Identity::Required, op)
          .data());
}

Bytes Client::export_key(const std::string& key_name) {
  psa_export_key::Operation op;
  op.set_key_name(key_name);
  auto r = impl_->call<psa_export_key::Result>(Opcode::PsaExportKey, Target::Crypto, Identity::Required, op);
  return detail::take_result(Opcode::PsaExportKey, r.mutable_data());
}

void Client::destroy_key(const std::string& key_name) {
  psa_destroy_key::Operation op;
  op.set_key_name(key_name);
  impl_->call<psa_destroy_key::Result>(Opcode::PsaDestroyKey, Target::Crypto, Identity::Required, op);
}

// ---- signatures ------------------------------------------------------------------------

Bytes Client::sign_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash) {
  return with_operation(Opcode::PsaSignHash, [&] {
    psa_sign_hash::Operation op;
    op.set_key_name(key_name);
    detail::signature_to_proto(alg, op.mutable_alg());
    op.set_hash(to_string(hash));
    return to_bytes(
        impl_->call<psa_sign_hash::Result>(Opcode::PsaSignHash, Target::Crypto, Identity::Required, op).signature());
  });
}

bool Client::verify_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash, const Bytes& signature) {
  return with_operation(Opcode::PsaVerifyHash, [&] {
    psa_verify_hash::Operation op;
    op.set_key_name(key_name);
    detail::signature_to_proto(alg, op.mutable_alg());
    op.set_hash(to_string(hash));
    op.set_signature(to_string(signature));
    return false_on(Status::PsaErrorInvalidSignature, [&] {
      impl_->call<psa_verify_hash::Result>(Opcode::PsaVerifyHash, Target::Crypto, Identity::Required, op);
    });
  });
}

Bytes Client::sign_message(const std::string& key_name, const Algorithm& alg, const Bytes& message) {
  return with_operation(Opcode::PsaSignMessage, [&] {
    psa_sign_message::Operation op;
    op.set_key_name(key_name);
    detail::signature_to_proto(alg, op.mutable_alg());
    op.set_message(to_string(message));
    return to_bytes(
        impl_->call<psa_sign_message::Result>(Opcode::PsaSignMessage, Target::Crypto, Identity::Required, op)
            .signature());
  });
}

bool Client::verify_message(const std::string& key_name, const Algorithm& alg, const Bytes& message,
                            const Bytes& signature) {
  return with_operation(Opcode::PsaVerifyMessage, [&] {
    psa_verify_message::Operation op;
    op.set_key_name(key_name);
    detail::signature_to_proto(alg, op.mutable_alg());
    op.set_message(to_string(message));
    op.set_signature(to_string(signature));
    return false_on(Status::PsaErrorInvalidSignature, [&] {
      impl_->call<psa_verify_message::Result>(Opcode::PsaVerifyMessage, Target::Crypto, Identity::Required, op);
    });
  });
}

// ---- encryption ---------------------------------------------------------------------------

Bytes Client::asymmetric_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& plaintext,
                                 const Bytes& salt) {
  return with_operation(Opcode::PsaAsymmetricEncrypt, [&] {
    psa_asymmetric_encrypt::Operation op;
    op.set_key_name(key_name);
    detail::encryption_to_proto(alg, op.mutable_alg());
    op.set_salt(to_string(salt));
    const detail::SecretField secret(Opcode::PsaAsymmetricEncrypt, op.mutable_plaintext(), plaintext);
    return to_bytes(
        impl_
            ->call<psa_asymmetric_encrypt::Result>(Opcode::PsaAsymmetricEncrypt, Target::Crypto, Identity::Required, op)
            .ciphertext());
  });
}

Bytes Client::asymmetric_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& ciphertext,
                                 const Bytes& salt) {
  return with_operation(Opcode::PsaAsymmetricDecrypt, [&] {
    psa_asymmetric_decrypt::Operation op;
    op.set_key_name(key_name);
    detail::encryption_to_proto(alg, op.mutable_alg());
    op.set_ciphertext(to_string(ciphertext));
    op.set_salt(to_string(salt));
    auto r = impl_->call<psa_asymmetric_decrypt::Result>(Opcode::PsaAsymmetricDecrypt, Target::Crypto,
                                                         Identity::Required, op);
    return detail::take_result(Opcode::PsaAsymmetricDecrypt, r.mutable_plaintext());
  });
}

Bytes Client::aead_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                           const Bytes& additional_data, const Bytes& plaintext) {
  return with_operation(Opcode::PsaAeadEncrypt, [&] {
    psa_aead_encrypt::Operation op;
    op.set_key_name(key_name);
    detail::aead_to_proto(alg, op.mutable_alg());
    op.set_nonce(to_string(nonce));
    op.set_additional_data(to_string(additional_data));
    const detail::SecretField secret(Opcode::PsaAeadEncrypt, op.mutable_plaintext(), plaintext);
    return to_bytes(
        impl_->call<psa_aead_encrypt::Result>(Opcode::PsaAeadEncrypt, Target::Crypto, Identity::Required, op)
            .ciphertext());
  });
}

Bytes Client::aead_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                           const Bytes& additional_data, const Bytes& ciphertext) {
  return with_operation(Opcode::PsaAeadDecrypt, [&] {
    psa_aead_decrypt::Operation op;
    op.set_key_name(key_name);
    detail::aead_to_proto(alg, op.mutable_alg());
    op.set_nonce(to_string(nonce));
    op.set_additional_data(to_string(additional_data));
    op.set_ciphertext(to_string(ciphertext));
    auto r = impl_->call<psa_aead_decrypt::Result>(Opcode::PsaAeadDecrypt, Target::Crypto, Identity::Required, op);
    return detail::take_result(Opcode::PsaAeadDecrypt, r.mutable_plaintext());
  });
}

Bytes Client::cipher_encrypt(const std::string& key_name, Cipher alg, const Bytes& plaintext) {
  return with_operation(Opcode::PsaCipherEncrypt, [&] {
    psa_cipher_encrypt::Operation op;
    op.set_key_name(key_name);
    op.set_alg(detail::cipher_to_proto(alg));
    const detail::SecretField secret(Opcode::PsaCipherEncrypt, op.mutable_plaintext(), plaintext);
    return to_bytes(
        impl_->call<psa_cipher_encrypt::Result>(Opcode::PsaCipherEncrypt, Target::Crypto, Identity::Required, op)
            .ciphertext());
  });
}

Bytes Client::cipher_decrypt(const std::string& key_name, Cipher alg, const Bytes& ciphertext) {
  return with_operation(Opcode::PsaCipherDecrypt, [&] {
    psa_cipher_decrypt::Operation op;
    op.set_key_name(key_name);
    op.set_alg(detail::cipher_to_proto(alg));
    op.set_ciphertext(to_string(ciphertext));
    auto r = impl_->call<psa_cipher_decrypt::Result>(Opcode::PsaCipherDecrypt, Target::Crypto, Identity::Required, op);
    return detail::take_result(Opcode::PsaCipherDecrypt, r.mutable_plaintext());
  });
}

// ---- MAC, hash, key agreement, random ------------------------------------------------------

Bytes Client::mac_compute(const std::string& key_name, const Algorithm& alg, const Bytes& input) {
  return with_operation(Opcode::PsaMacCompute, [&] {
    psa_mac_compute::Operation op;
    op.set_key_name(key_name);
    detail::mac_to_proto(alg, op.mutable_alg());
    op.set_input(to_string(input));
    return to_bytes(
        impl_->call<psa_mac_compute::Result>(Opcode::PsaMacCompute, Target::Crypto, Identity::Required, op).mac());
  });
}

bool Client::mac_verify(const std::string& key_name, const Algorithm& alg, const Bytes& input, const Bytes& mac) {
  return with_operation(Opcode::PsaMacVerify, [&] {
    psa_mac_verify::Operation op;
    op.set_key_name(key_name);
    detail::mac_to_proto(alg, op.mutable_alg());
    op.set_input(to_string(input));
    op.set_mac(to_string(mac));
    return false_on(Status::PsaErrorInvalidSignature, [&] {
      impl_->call<psa_mac_verify::Result>(Opcode::PsaMacVerify, Target::Crypto, Identity::Required, op);
    });
  });
}

Bytes Client::hash_compute(Hash alg, const Bytes& input) {
  return with_operation(Opcode::PsaHashCompute, [&] {
    psa_hash_compute::Operation op;
    op.set_alg(detail::hash_to_proto(alg));
    op.set_input(to_string(input));
    return to_bytes(
        impl_->call<psa_hash_compute::Result>(Opcode::PsaHashCompute, Target::Crypto, Identity::IfKnown, op).hash());
  });
}

bool Client::hash_compare(Hash alg, const Bytes& input, const Bytes& hash) {
  return with_operation(Opcode::PsaHashCompare, [&] {
    psa_hash_compare::Operation op;
    op.set_alg(detail::hash_to_proto(alg));
    op.set_input(to_string(input));
    op.set_hash(to_string(hash));
    return false_on(Status::PsaErrorInvalidSignature, [&] {
      impl_->call<psa_hash_compare::Result>(Opcode::PsaHashCompare, Target::Crypto, Identity::IfKnown, op);
    });
  });
}

Bytes Client::raw_key_agreement(RawKeyAgreement alg, const std::string& private_key_name, const Bytes& peer_key) {
  return with_operation(Opcode::PsaRawKeyAgreement, [&] {
    psa_raw_key_agreement::Operation op;
    op.set_alg(detail::raw_key_agreement_to_proto(alg));
    op.set_private_key_name(private_key_name);
    op.set_peer_key(to_string(peer_key));
    auto r =
        impl_->call<psa_raw_key_agreement::Result>(Opcode::PsaRawKeyAgreement, Target::Crypto, Identity::Required, op);
    return detail::take_result(Opcode::PsaRawKeyAgreement, r.mutable_shared_secret());
  });
}

Bytes Client::generate_random(uint64_t size) {
  psa_generate_random::Operation op;
  op.set_size(size);
  auto r = impl_->call<psa_generate_random::Result>(Opcode::PsaGenerateRandom, Target::Crypto, Identity::IfKnown, op);
  return detail::take_result(Opcode::PsaGenerateRandom, r.mutable_random_bytes());
}

bool Client::can_do_crypto(CheckType check, const KeyAttributes& attributes) {
  return with_operation(Opcode::CanDoCrypto, [&] {
    const auto v = static_cast<uint32_t>(check);
    if (v > static_cast<uint32_t>(CheckType::Derive)) {
      throw Error::client_error(Status::InvalidEncoding, "", "check type " + std::to_string(v) + " is not defined");
    }
    can_do_crypto::Operation op;
    op.set_check_type(static_cast<can_do_crypto::CheckType>(v));
    detail::attributes_to_proto(attributes, op.mutable_attributes());
    return false_on(Status::PsaErrorNotSupported, [&] {
      impl_->call<can_do_crypto::Result>(Opcode::CanDoCrypto, Target::Crypto, Identity::Required, op);
    });
  });
}

// ---- key attestation --------------------------------------------------------------------------

PreparedAttestation Client::prepare_key_attestation(const std::string& attested_key_name,
                                                    const std::string& attesting_key_name) {
  return with_operation(Opcode::PrepareKeyAttestation, [&] {
    prepare_key_attestation::Operation op;
    auto* ac = op.mutable_parameters()->mutable_activate_credential();
    ac->set_attested_key_name(attested_key_name);
    ac->set_attesting_key_name(attesting_key_name);
    return detail::prepared_attestation_from_proto(impl_->call<prepare_key_attestation::Result>(
        Opcode::PrepareKeyAttestation, Target::Crypto, Identity::Required, op));
  });
}

Bytes Client::attest_key_activate_credential(const std::string& attested_key_name, const Bytes& credential_blob,
                                             const Bytes& secret, const std::string& attesting_key_name) {
  return with_operation(Opcode::AttestKey, [&] {
    attest_key::Operation op;
    op.set_attested_key_name(attested_key_name);
    auto* ac = op.mutable_parameters()->mutable_activate_credential();
    const detail::SecretField blob(Opcode::AttestKey, ac->mutable_credential_blob(), credential_blob);
    const detail::SecretField encrypted_secret(Opcode::AttestKey, ac->mutable_secret(), secret);
    op.set_attesting_key_name(attesting_key_name);
    auto r = impl_->call<attest_key::Result>(Opcode::AttestKey, Target::Crypto, Identity::Required, op);
    // The credential is the secret output: wipe the result field, and the
    // checked copy if converting it throws halfway.
    // (mutable_output() only when present: a missing output must stay missing.)
    std::string none;
    std::string& field = r.has_output() && r.output().has_activate_credential()
                             ? *r.mutable_output()->mutable_activate_credential()->mutable_credential()
                             : none;
    const detail::Scrub<std::string> credential(field, Opcode::AttestKey, detail::Buffer::ResponseField,
                                                detail::secret_output(Opcode::AttestKey));
    return detail::attest_credential_from_proto(r);
  });
}

}  // namespace parsec::client
