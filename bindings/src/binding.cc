// The binding facade (parsec/binding/binding.h): every call is the core call
// inside detail::guard, which turns exceptions into the Error out-parameter.
#include "parsec/binding/binding.h"

#include <optional>
#include <utility>

#include "bindings/src/error_mapping.h"
#include "parsec/client/endpoint.h"
#include "parsec/client/key.h"

namespace parsec::binding {

using detail::guard;
using psa::Algorithm;
using psa::AlgorithmKind;
using psa::KeyAttributes;

// ---- Error ---------------------------------------------------------------------------

std::string Error::status_name() const {
  return status_name_of(status_);
}

std::string Error::message() const {
  if (!failed()) {
    return std::string();
  }
  // Same wording as parsec::client::Error::what().
  std::string prefix = operation_.empty() ? std::string() : operation_ + " failed: ";
  if (from_service_) {
    return prefix + status_name() + " (" + detail_ + ")";
  }
  return prefix + detail_;
}

void Error::clear() {
  status_ = 0;
  operation_.clear();
  detail_.clear();
  from_service_ = false;
}

void Error::set(int status, std::string operation, std::string detail, bool from_service) {
  status_ = status;
  operation_ = std::move(operation);
  detail_ = std::move(detail);
  from_service_ = from_service;
}

std::string status_name_of(int status) {
  if (status < 0 || status > 0xFFFF) {
    return "UnknownStatus";
  }
  return parsec::status_name(static_cast<Status>(status));
}

// ---- PSA model helpers -------------------------------------------------------------------

namespace {

Error invalid_argument(const std::string& what) {
  Error e;
  e.set(static_cast<int>(Status::PsaErrorInvalidArgument), "", what, false);
  return e;
}

std::optional<Algorithm> build_algorithm(AlgorithmKind kind, psa::Hash hash, bool truncated, uint32_t length,
                                         psa::Cipher cipher, psa::AeadAlgorithm aead, psa::RawKeyAgreement ka,
                                         AlgorithmKind kdf) {
  switch (kind) {
    case AlgorithmKind::None:
      return Algorithm::none();
    case AlgorithmKind::Hash:
      return Algorithm::hash(hash);
    case AlgorithmKind::Hmac:
    case AlgorithmKind::CbcMac:
    case AlgorithmKind::Cmac: {
      Algorithm full = kind == AlgorithmKind::Hmac     ? Algorithm::hmac(hash)
                       : kind == AlgorithmKind::CbcMac ? Algorithm::cbc_mac()
                                                       : Algorithm::cmac();
      if (!truncated) {
        return full;
      }
      if (length == 0) {
        return std::nullopt;
      }
      return Algorithm::truncated_mac(full, length);
    }
    case AlgorithmKind::Cipher:
      return Algorithm::cipher(cipher);
    case AlgorithmKind::Aead:
      return truncated ? Algorithm::aead_shortened_tag(aead, length) : Algorithm::aead(aead);
    case AlgorithmKind::RsaPkcs1v15Sign:
      return Algorithm::rsa_pkcs1v15_sign(hash);
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      return Algorithm::rsa_pkcs1v15_sign_raw();
    case AlgorithmKind::RsaPss:
      return Algorithm::rsa_pss(hash);
    case AlgorithmKind::Ecdsa:
      return Algorithm::ecdsa(hash);
    case AlgorithmKind::EcdsaAny:
      return Algorithm::ecdsa_any();
    case AlgorithmKind::DeterministicEcdsa:
      return Algorithm::deterministic_ecdsa(hash);
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return Algorithm::rsa_pkcs1v15_crypt();
    case AlgorithmKind::RsaOaep:
      return Algorithm::rsa_oaep(hash);
    case AlgorithmKind::RawKeyAgreement:
      return Algorithm::raw_key_agreement(ka);
    case AlgorithmKind::KeyAgreementWithDerivation: {
      std::optional<Algorithm> derivation = build_algorithm(kdf, hash, false, 0, cipher, aead, ka, AlgorithmKind::None);
      if (!derivation || !derivation->is_key_derivation()) {
        return std::nullopt;
      }
      return Algorithm::key_agreement_with_derivation(ka, *derivation);
    }
    case AlgorithmKind::Hkdf:
      return Algorithm::hkdf(hash);
    case AlgorithmKind::Tls12Prf:
      return Algorithm::tls12_prf(hash);
    case AlgorithmKind::Tls12PskToMs:
      return Algorithm::tls12_psk_to_ms(hash);
  }
  return std::nullopt;
}

}  // namespace

Algorithm make_algorithm(AlgorithmKind kind, psa::Hash hash, bool truncated, uint32_t length, psa::Cipher cipher,
                         psa::AeadAlgorithm aead, psa::RawKeyAgreement key_agreement, AlgorithmKind kdf, Error& err) {
  err.clear();
  std::optional<Algorithm> alg = build_algorithm(kind, hash, truncated, length, cipher, aead, key_agreement, kdf);
  if (!alg) {
    err = invalid_argument("no algorithm of kind " + std::to_string(static_cast<uint32_t>(kind)) +
                           " with these parameters");
    return Algorithm::none();
  }
  return *alg;
}

uint32_t usage_bits(const KeyAttributes& attributes) {
  const psa::UsageFlags& f = attributes.flags;
  return (f.export_ ? kUsageExport : 0) | (f.copy ? kUsageCopy : 0) | (f.cache ? kUsageCache : 0) |
         (f.encrypt ? kUsageEncrypt : 0) | (f.decrypt ? kUsageDecrypt : 0) | (f.sign_message ? kUsageSignMessage : 0) |
         (f.verify_message ? kUsageVerifyMessage : 0) | (f.sign_hash ? kUsageSignHash : 0) |
         (f.verify_hash ? kUsageVerifyHash : 0) | (f.derive ? kUsageDerive : 0);
}

KeyAttributes with_usage_bits(const KeyAttributes& attributes, uint32_t bits) {
  KeyAttributes out = attributes;
  psa::UsageFlags& f = out.flags;
  f.export_ = (bits & kUsageExport) != 0;
  f.copy = (bits & kUsageCopy) != 0;
  f.cache = (bits & kUsageCache) != 0;
  f.encrypt = (bits & kUsageEncrypt) != 0;
  f.decrypt = (bits & kUsageDecrypt) != 0;
  f.sign_message = (bits & kUsageSignMessage) != 0;
  f.verify_message = (bits & kUsageVerifyMessage) != 0;
  f.sign_hash = (bits & kUsageSignHash) != 0;
  f.verify_hash = (bits & kUsageVerifyHash) != 0;
  f.derive = (bits & kUsageDerive) != 0;
  return out;
}

KeyAttributes make_key_attributes(psa::KeyType type, psa::EccFamily family, psa::DhFamily dh_family, uint32_t bits,
                                  uint32_t usage, const Algorithm& policy) {
  KeyAttributes a;
  a.type = type;
  a.family = family;
  a.dh_family = dh_family;
  a.bits = bits;
  a.policy = policy;
  return with_usage_bits(a, usage);
}

// ---- Client -------------------------------------------------------------------------------

Client::Client(std::unique_ptr<client::Client> core) : core_(std::move(core)) {}
Client::~Client() = default;

Client* Client::create(const std::string& endpoint_uri, Error& err) {
  return guard(err, [&]() -> Client* {
    client::Endpoint endpoint =
        endpoint_uri.empty() ? client::Endpoint::from_environment() : client::Endpoint::parse(endpoint_uri);
    return new Client(std::make_unique<client::Client>(endpoint, std::string()));
  });
}

std::string Client::endpoint() const {
  return core_->endpoint().uri();
}
bool Client::set_endpoint(const std::string& uri, Error& err) {
  return guard(err, [&] {
    core_->set_endpoint(client::Endpoint::parse(uri));
    return true;
  });
}
uint32_t Client::timeout_ms() const {
  return core_->timeout_ms();
}
void Client::set_timeout_ms(uint32_t timeout_ms) {
  core_->set_timeout_ms(timeout_ms);
}
uint32_t Client::max_response_body_len() const {
  return core_->max_response_body_len();
}
void Client::set_max_response_body_len(uint32_t limit) {
  core_->set_max_response_body_len(limit);
}
std::string Client::app_name() const {
  return core_->app_name();
}
void Client::set_app_name(const std::string& app_name) {
  core_->set_app_name(app_name);
}
AuthType Client::auth_type(Error& err) {
  return guard(err, [&] { return core_->auth_type(); });
}
bool Client::set_auth_type(AuthType type, Error& err) {
  return guard(err, [&] {
    core_->set_auth_type(type);
    return true;
  });
}
void Client::use_default_auth() {
  core_->use_default_auth();
}
ProviderId Client::provider(Error& err) {
  return guard(err, [&] { return core_->provider(); });
}
bool Client::set_provider(int provider, Error& err) {
  return guard(err, [&] {
    if (provider < 0 || provider > kMaxProviderId) {
      throw client::Error::client_error(Status::ProviderDoesNotExist, "",
                                        "provider " + std::to_string(provider) + " is not defined");
    }
    core_->set_provider(static_cast<ProviderId>(provider));
    return true;
  });
}
void Client::use_default_provider() {
  core_->use_default_provider();
}

int Client::ping(Error& err) {
  return guard(err, [&] {
    client::ProtocolVersion v = core_->ping();
    return v.major * 256 + v.minor;
  });
}
ProviderList Client::list_providers(Error& err) {
  return guard(err, [&] { return ProviderList{core_->list_providers()}; });
}
OpcodeList Client::list_opcodes(int provider, Error& err) {
  return guard(err, [&] {
    if (provider < 0 || provider > kMaxProviderId) {
      throw client::Error::client_error(Status::ProviderDoesNotExist, "ListOpcodes",
                                        "provider " + std::to_string(provider) + " is not defined");
    }
    OpcodeList out;
    for (Opcode op : core_->list_opcodes(static_cast<ProviderId>(provider))) {
      out.items_.push_back(static_cast<uint32_t>(op));
    }
    return out;
  });
}
AuthenticatorList Client::list_authenticators(Error& err) {
  return guard(err, [&] { return AuthenticatorList{core_->list_authenticators()}; });
}
KeyInfoList Client::list_keys(Error& err) {
  return guard(err, [&] { return KeyInfoList{core_->list_keys()}; });
}
StringList Client::list_clients(Error& err) {
  return guard(err, [&] { return StringList{core_->list_clients()}; });
}
bool Client::delete_client(const std::string& client, Error& err) {
  return guard(err, [&] {
    core_->delete_client(client);
    return true;
  });
}
KeyAttributes Client::key_attributes(const std::string& key_name, Error& err) {
  return guard(err, [&] { return core_->key_attributes(key_name); });
}

Key* Client::key(const std::string& key_name, Error& err) {
  return guard(err, [&] { return new Key(core_->key(key_name)); });
}
Key* Client::generate(const std::string& key_name, const KeyAttributes& attributes, Error& err) {
  return guard(err, [&] { return new Key(core_->generate(key_name, attributes)); });
}

bool Client::generate_key(const std::string& key_name, const KeyAttributes& attributes, Error& err) {
  return guard(err, [&] {
    core_->generate_key(key_name, attributes);
    return true;
  });
}
bool Client::import_key(const std::string& key_name, const KeyAttributes& attributes, const Bytes& data, Error& err) {
  return guard(err, [&] {
    core_->import_key(key_name, attributes, data);
    return true;
  });
}
Bytes Client::export_public_key(const std::string& key_name, Error& err) {
  return guard(err, [&] { return core_->export_public_key(key_name); });
}
// Secret outputs are returned by move: the facade keeps no copy, and the
// binding's output typemap wipes this one after copying it out.
Bytes Client::export_key(const std::string& key_name, Error& err) {
  return guard(err, [&] { return core_->export_key(key_name); });
}
bool Client::destroy_key(const std::string& key_name, Error& err) {
  return guard(err, [&] {
    core_->destroy_key(key_name);
    return true;
  });
}

Bytes Client::sign_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash, Error& err) {
  return guard(err, [&] { return core_->sign_hash(key_name, alg, hash); });
}
bool Client::verify_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash, const Bytes& signature,
                         Error& err) {
  return guard(err, [&] { return core_->verify_hash(key_name, alg, hash, signature); });
}
Bytes Client::sign_message(const std::string& key_name, const Algorithm& alg, const Bytes& message, Error& err) {
  return guard(err, [&] { return core_->sign_message(key_name, alg, message); });
}
bool Client::verify_message(const std::string& key_name, const Algorithm& alg, const Bytes& message,
                            const Bytes& signature, Error& err) {
  return guard(err, [&] { return core_->verify_message(key_name, alg, message, signature); });
}

Bytes Client::asymmetric_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& plaintext,
                                 const Bytes& salt, Error& err) {
  return guard(err, [&] { return core_->asymmetric_encrypt(key_name, alg, plaintext, salt); });
}
Bytes Client::asymmetric_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& ciphertext,
                                 const Bytes& salt, Error& err) {
  return guard(err, [&] { return core_->asymmetric_decrypt(key_name, alg, ciphertext, salt); });
}
Bytes Client::aead_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                           const Bytes& additional_data, const Bytes& plaintext, Error& err) {
  return guard(err, [&] { return core_->aead_encrypt(key_name, alg, nonce, additional_data, plaintext); });
}
Bytes Client::aead_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                           const Bytes& additional_data, const Bytes& ciphertext, Error& err) {
  return guard(err, [&] { return core_->aead_decrypt(key_name, alg, nonce, additional_data, ciphertext); });
}
Bytes Client::cipher_encrypt(const std::string& key_name, psa::Cipher alg, const Bytes& plaintext, Error& err) {
  return guard(err, [&] { return core_->cipher_encrypt(key_name, alg, plaintext); });
}
Bytes Client::cipher_decrypt(const std::string& key_name, psa::Cipher alg, const Bytes& ciphertext, Error& err) {
  return guard(err, [&] { return core_->cipher_decrypt(key_name, alg, ciphertext); });
}

Bytes Client::mac_compute(const std::string& key_name, const Algorithm& alg, const Bytes& input, Error& err) {
  return guard(err, [&] { return core_->mac_compute(key_name, alg, input); });
}
bool Client::mac_verify(const std::string& key_name, const Algorithm& alg, const Bytes& input, const Bytes& mac,
                        Error& err) {
  return guard(err, [&] { return core_->mac_verify(key_name, alg, input, mac); });
}
Bytes Client::hash_compute(psa::Hash alg, const Bytes& input, Error& err) {
  return guard(err, [&] { return core_->hash_compute(alg, input); });
}
bool Client::hash_compare(psa::Hash alg, const Bytes& input, const Bytes& hash, Error& err) {
  return guard(err, [&] { return core_->hash_compare(alg, input, hash); });
}
Bytes Client::raw_key_agreement(psa::RawKeyAgreement alg, const std::string& private_key_name, const Bytes& peer_key,
                                Error& err) {
  return guard(err, [&] { return core_->raw_key_agreement(alg, private_key_name, peer_key); });
}
Bytes Client::generate_random(uint64_t size, Error& err) {
  return guard(err, [&] { return core_->generate_random(size); });
}
bool Client::can_do_crypto(psa::CheckType check, const KeyAttributes& attributes, Error& err) {
  return guard(err, [&] { return core_->can_do_crypto(check, attributes); });
}

Attestation Client::prepare_key_attestation(const std::string& attested_key_name, const std::string& attesting_key_name,
                                            Error& err) {
  return guard(err, [&] { return Attestation{core_->prepare_key_attestation(attested_key_name, attesting_key_name)}; });
}
Bytes Client::attest_key_activate_credential(const std::string& attested_key_name, const Bytes& credential_blob,
                                             const Bytes& secret, const std::string& attesting_key_name, Error& err) {
  return guard(err, [&] {
    return core_->attest_key_activate_credential(attested_key_name, credential_blob, secret, attesting_key_name);
  });
}

// ---- Key ------------------------------------------------------------------------------------

namespace {

client::SignatureFormat format(bool der) {
  return der ? client::SignatureFormat::Der : client::SignatureFormat::Raw;
}

}  // namespace

Key::Key(client::Key core) : core_(std::move(core)) {}
Key::~Key() = default;

std::string Key::name() const {
  return core_.name();
}
KeyAttributes Key::attributes() const {
  return core_.attributes();
}
Algorithm Key::signature_algorithm(size_t digest_length, Error& err) const {
  return guard(err, [&] { return core_.signature_algorithm(digest_length); });
}

// An algorithm of kind None selects the overloads that take the policy default.
Bytes Key::sign(const Bytes& message, const Algorithm& alg, bool der, Error& err) const {
  return guard(err, [&] {
    return alg.kind() == AlgorithmKind::None ? core_.sign(message, format(der)) : core_.sign(message, alg, format(der));
  });
}
Bytes Key::sign_hash(const Bytes& digest, const Algorithm& alg, bool der, Error& err) const {
  return guard(err, [&] {
    return alg.kind() == AlgorithmKind::None ? core_.sign_hash(digest, format(der))
                                             : core_.sign_hash(digest, alg, format(der));
  });
}
bool Key::verify(const Bytes& message, const Bytes& signature, const Algorithm& alg, bool der, Error& err) const {
  return guard(err, [&] {
    return alg.kind() == AlgorithmKind::None ? core_.verify(message, signature, format(der))
                                             : core_.verify(message, signature, alg, format(der));
  });
}
bool Key::verify_hash(const Bytes& digest, const Bytes& signature, const Algorithm& alg, bool der, Error& err) const {
  return guard(err, [&] {
    return alg.kind() == AlgorithmKind::None ? core_.verify_hash(digest, signature, format(der))
                                             : core_.verify_hash(digest, signature, alg, format(der));
  });
}
Bytes Key::encrypt(const Bytes& plaintext, const Bytes& salt, Error& err) const {
  return guard(err, [&] { return core_.encrypt(plaintext, salt); });
}
Bytes Key::decrypt(const Bytes& ciphertext, const Bytes& salt, Error& err) const {
  return guard(err, [&] { return core_.decrypt(ciphertext, salt); });
}
Bytes Key::export_public_key(Error& err) const {
  return guard(err, [&] { return core_.export_public_key(); });
}
Bytes Key::public_key_der(Error& err) const {
  return guard(err, [&] { return core_.public_key_der(); });
}
std::string Key::public_key_pem(Error& err) const {
  return guard(err, [&] { return core_.public_key_pem(); });
}
Bytes Key::create_csr(const CsrSubject& subject, Error& err) const {
  return guard(err, [&] {
    client::CsrSubject s;
    auto field = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    s.common_name = field(subject.common_name);
    s.organizational_unit = field(subject.organizational_unit);
    s.organization = field(subject.organization);
    s.locality = field(subject.locality);
    s.state = field(subject.state);
    s.country = field(subject.country);
    s.serial_number = field(subject.serial_number);
    s.subject_alt_names = subject.subject_alt_names_;
    return core_.create_csr(s);
  });
}
bool Key::destroy(Error& err) const {
  return guard(err, [&] {
    core_.destroy();
    return true;
  });
}

}  // namespace parsec::binding
