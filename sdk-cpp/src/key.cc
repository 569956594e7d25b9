// Key handles (parsec/client/key.h): default algorithms from the policy, the
// signature format option, and the encodings of key_encoding.h.
#include "parsec/client/key.h"

#include <utility>

#include "key_encoding.h"
#include "parsec/client/client.h"
#include "parsec/client/error.h"

namespace parsec::client {
namespace {

Error not_for_key(const std::string& operation, const std::string& key, const std::string& what,
                  const Algorithm& policy) {
  return Error::client_error(Status::PsaErrorInvalidArgument, operation,
                             "key \"" + key + "\" " + what + " (policy: " + policy.to_string() + ")");
}

// hash_for_digest: the hash whose output has `len` bytes (SHA-1/2 only).
std::optional<Hash> hash_for_digest(size_t len) {
  switch (len) {
    case 20:
      return Hash::Sha1;
    case 28:
      return Hash::Sha224;
    case 32:
      return Hash::Sha256;
    case 48:
      return Hash::Sha384;
    case 64:
      return Hash::Sha512;
    default:
      return std::nullopt;
  }
}

// hash_for_key: the hash matching the key's strength (ECC) or SHA-256 (RSA).
Hash hash_for_key(const KeyAttributes& a) {
  if (psa::is_ecc_key_type(a.type)) {
    return a.bits <= 256 ? Hash::Sha256 : a.bits <= 384 ? Hash::Sha384 : Hash::Sha512;
  }
  return Hash::Sha256;
}

// with_hash rebuilds a hash-and-sign policy with a concrete hash.
Algorithm with_hash(const Algorithm& policy, Hash h) {
  switch (policy.kind()) {
    case AlgorithmKind::RsaPkcs1v15Sign:
      return Algorithm::rsa_pkcs1v15_sign(h);
    case AlgorithmKind::RsaPss:
      return Algorithm::rsa_pss(h);
    case AlgorithmKind::Ecdsa:
      return Algorithm::ecdsa(h);
    case AlgorithmKind::DeterministicEcdsa:
      return Algorithm::deterministic_ecdsa(h);
    default:
      return policy;
  }
}

size_t scalar_len(const KeyAttributes& a) { return (a.bits + 7) / 8; }

}  // namespace

// ---- Client side ----------------------------------------------------------------------

Key Client::key(const std::string& key_name) {
  KeyAttributes attributes = key_attributes(key_name);
  return Key(std::shared_ptr<Client>(new Client(impl_)), key_name, std::move(attributes));
}

Key Client::generate(const std::string& key_name, const KeyAttributes& attributes) {
  generate_key(key_name, attributes);
  return Key(std::shared_ptr<Client>(new Client(impl_)), key_name, attributes);
}

// ---- Key -------------------------------------------------------------------------------

Key::Key(std::shared_ptr<Client> client, std::string name, KeyAttributes attributes)
    : client_(std::move(client)), name_(std::move(name)), attributes_(std::move(attributes)) {}

Algorithm Key::signature_algorithm(size_t digest_length) const {
  const Algorithm& policy = attributes_.policy;
  const char* operation = digest_length == 0 ? "PsaSignMessage" : "PsaSignHash";
  if (!policy.is_asymmetric_signature()) {
    throw not_for_key(operation, name_, "is not a signature key", policy);
  }
  if (!policy.has_sign_hash() || policy.hash_alg() != Hash::Any) {
    return policy;
  }
  if (digest_length == 0) {
    return with_hash(policy, hash_for_key(attributes_));
  }
  const std::optional<Hash> h = hash_for_digest(digest_length);
  if (!h) {
    throw not_for_key(operation, name_,
                      "allows any hash and no hash has a " + std::to_string(digest_length) +
                          "-byte digest; pass the algorithm",
                      policy);
  }
  return with_hash(policy, *h);
}

namespace {

// to_format converts a raw service signature to `format` for `alg`.
Bytes to_format(Bytes signature, const Algorithm& alg, SignatureFormat format) {
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    return detail::ecdsa_raw_to_der(signature);
  }
  return signature;
}

}  // namespace

Bytes Key::sign(const Bytes& message, SignatureFormat format) const {
  return sign(message, signature_algorithm(), format);
}

Bytes Key::sign(const Bytes& message, const Algorithm& alg, SignatureFormat format) const {
  return to_format(client_->sign_message(name_, alg, message), alg, format);
}

Bytes Key::sign_hash(const Bytes& digest, SignatureFormat format) const {
  return sign_hash(digest, signature_algorithm(digest.empty() ? 1 : digest.size()), format);
}

Bytes Key::sign_hash(const Bytes& digest, const Algorithm& alg, SignatureFormat format) const {
  return to_format(client_->sign_hash(name_, alg, digest), alg, format);
}

bool Key::verify(const Bytes& message, const Bytes& signature, SignatureFormat format) const {
  const Algorithm alg = signature_algorithm();
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    Bytes raw;
    if (!detail::ecdsa_der_to_raw(signature, scalar_len(attributes_), raw)) {
      return false;
    }
    return client_->verify_message(name_, alg, message, raw);
  }
  return client_->verify_message(name_, alg, message, signature);
}

bool Key::verify_hash(const Bytes& digest, const Bytes& signature, SignatureFormat format) const {
  const Algorithm alg = signature_algorithm(digest.empty() ? 1 : digest.size());
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    Bytes raw;
    if (!detail::ecdsa_der_to_raw(signature, scalar_len(attributes_), raw)) {
      return false;
    }
    return client_->verify_hash(name_, alg, digest, raw);
  }
  return client_->verify_hash(name_, alg, digest, signature);
}

Bytes Key::encrypt(const Bytes& plaintext, const Bytes& salt) const {
  if (!attributes_.policy.is_asymmetric_encryption()) {
    throw not_for_key("PsaAsymmetricEncrypt", name_, "is not an asymmetric encryption key", attributes_.policy);
  }
  return client_->asymmetric_encrypt(name_, attributes_.policy, plaintext, salt);
}

Bytes Key::decrypt(const Bytes& ciphertext, const Bytes& salt) const {
  if (!attributes_.policy.is_asymmetric_encryption()) {
    throw not_for_key("PsaAsymmetricDecrypt", name_, "is not an asymmetric encryption key", attributes_.policy);
  }
  return client_->asymmetric_decrypt(name_, attributes_.policy, ciphertext, salt);
}

Bytes Key::export_public_key() const { return client_->export_public_key(name_); }

Bytes Key::public_key_der() const { return detail::public_key_spki(attributes_, export_public_key()); }

std::string Key::public_key_pem() const { return detail::pem_encode("PUBLIC KEY", public_key_der()); }

Bytes Key::create_csr(const CsrSubject& subject) const {
  const Algorithm& policy = attributes_.policy;
  const bool ecdsa = policy.is_ecc_signature();
  if (!ecdsa && policy.kind() != AlgorithmKind::RsaPkcs1v15Sign) {
    throw Error::client_error(Status::PsaErrorNotSupported, "PsaSignHash",
                              "create_csr: key \"" + name_ + "\" has policy " + policy.to_string() +
                                  "; ECDSA and RSA PKCS#1 v1.5 signature keys are supported");
  }
  // ecdsa_any signs any digest: choose the hash for the key size.
  const Hash hash = policy.has_sign_hash() && policy.hash_alg() != Hash::Any ? policy.hash_alg()
                                                                              : hash_for_key(attributes_);
  const Algorithm alg = policy.kind() == AlgorithmKind::EcdsaAny ? policy : with_hash(policy, hash);
  return detail::create_csr(subject, public_key_der(), ecdsa, hash, [&](const Bytes& digest) {
    return sign_hash(digest, alg, SignatureFormat::Der);
  });
}

void Key::destroy() const { client_->destroy_key(name_); }

}  // namespace parsec::client
