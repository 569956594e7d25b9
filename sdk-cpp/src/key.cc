// Key handles (parsec/client/key.h): default algorithms from the policy and the
// signature format option. Every encoding (ECDSA DER, SubjectPublicKeyInfo,
// PEM, CSR) is a call to the shared encoding module parsec_encoding
// (parsec/crypto/*.h); this file only maps its Result failures to Error.
#include "parsec/client/key.h"

#include <utility>

#include "parsec/client/client.h"
#include "parsec/client/error.h"
#include "parsec/crypto/csr.h"
#include "parsec/crypto/keys.h"
#include "parsec/crypto/signature.h"

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

size_t scalar_len(const KeyAttributes& a) {
  return (a.bits + 7) / 8;
}

// take returns the value of an encoding result or throws its failure as a
// client Error for `operation`. Data that came from the service and does not
// decode (`from_service`) is InvalidEncoding, as for any malformed response;
// the module's InvalidArgument otherwise stays (bad input from the caller).
template <typename T>
T take(Result<T> r, const char* operation, bool from_service = false) {
  if (r.ok()) {
    return std::move(r).value();
  }
  Status s = r.status();
  if (from_service && s == Status::PsaErrorInvalidArgument) {
    s = Status::InvalidEncoding;
  }
  throw Error::client_error(s, operation, r.detail());
}

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
    return policy.with_sign_hash(hash_for_key(attributes_));
  }
  const std::optional<Hash> h = hash_for_digest(digest_length);
  if (!h) {
    throw not_for_key(
        operation, name_,
        "allows any hash and no hash has a " + std::to_string(digest_length) + "-byte digest; pass the algorithm",
        policy);
  }
  return policy.with_sign_hash(*h);
}

namespace {

// to_format converts a raw service signature to `format` for `alg`.
Bytes to_format(Bytes signature, const Algorithm& alg, SignatureFormat format) {
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    return take(crypto::ecdsa_raw_to_der(signature), "PsaSignHash", true);
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
  return verify(message, signature, signature_algorithm(), format);
}

bool Key::verify(const Bytes& message, const Bytes& signature, const Algorithm& alg, SignatureFormat format) const {
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    const Result<Bytes> raw = crypto::ecdsa_der_to_raw(signature, scalar_len(attributes_));
    return raw.ok() && client_->verify_message(name_, alg, message, raw.value());
  }
  return client_->verify_message(name_, alg, message, signature);
}

bool Key::verify_hash(const Bytes& digest, const Bytes& signature, SignatureFormat format) const {
  return verify_hash(digest, signature, signature_algorithm(digest.empty() ? 1 : digest.size()), format);
}

bool Key::verify_hash(const Bytes& digest, const Bytes& signature, const Algorithm& alg, SignatureFormat format) const {
  if (format == SignatureFormat::Der && alg.is_ecc_signature()) {
    const Result<Bytes> raw = crypto::ecdsa_der_to_raw(signature, scalar_len(attributes_));
    return raw.ok() && client_->verify_hash(name_, alg, digest, raw.value());
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

Bytes Key::export_public_key() const {
  return client_->export_public_key(name_);
}

Bytes Key::public_key_der() const {
  const Bytes exported = export_public_key();
  if (psa::is_ecc_key_type(attributes_.type)) {
    // crypto::ecc_spki wraps the point bytes unchanged; a truncated or
    // compressed export from the service must not become a plausible SPKI.
    const crypto::Curve curve = take(crypto::curve_of(attributes_.family, attributes_.bits), "PsaExportPublicKey");
    const size_t n = curve.field_bytes();
    const bool well_formed = attributes_.family == EccFamily::Montgomery
                                 ? exported.size() == n
                                 : exported.size() == 1 + 2 * n && exported[0] == 0x04;
    if (!well_formed) {
      throw Error::client_error(Status::InvalidEncoding, "PsaExportPublicKey",
                                "the exported public key of \"" + name_ + "\" has " + std::to_string(exported.size()) +
                                    " bytes, not a point of curve " + curve.name);
    }
  }
  return take(crypto::public_key_spki(attributes_, exported), "PsaExportPublicKey", true);
}

std::string Key::public_key_pem() const {
  return crypto::pem_encode("PUBLIC KEY", public_key_der());
}

Bytes Key::create_csr(const CsrSubject& subject) const {
  crypto::CsrSigning signing = take(crypto::csr_signing(attributes_), "PsaSignHash");
  // The module signs any-hash policies with SHA-256; a Key uses the hash for
  // its size, as sign() does (ecdsa_any signs any digest as it is).
  const Algorithm& policy = attributes_.policy;
  if (policy.kind() == AlgorithmKind::EcdsaAny || (policy.has_sign_hash() && policy.hash_alg() == Hash::Any)) {
    signing.hash = hash_for_key(attributes_);
    signing.sign_alg = policy.kind() == AlgorithmKind::EcdsaAny ? policy : policy.with_sign_hash(signing.hash);
  }
  // The signing callback reports failures as a Result; the service's Error is
  // kept aside and rethrown as it was (status, from_service).
  std::optional<Error> sign_error;
  Result<Bytes> csr = crypto::create_csr(subject, public_key_der(), signing.scheme, signing.hash,
                                         [&](const Bytes& digest) -> Result<Bytes> {
                                           try {
                                             return sign_hash(digest, signing.sign_alg, SignatureFormat::Der);
                                           } catch (const Error& e) {
                                             sign_error = e;
                                             return Failure(e.status(), e.detail());
                                           }
                                         });
  if (!csr.ok() && sign_error) {
    throw *sign_error;
  }
  return take(std::move(csr), "PsaSignHash");
}

void Key::destroy() const {
  client_->destroy_key(name_);
}

}  // namespace parsec::client
