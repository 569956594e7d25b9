#include "providers/mbed/src/psa_engine.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <psa/crypto.h>

#include <algorithm>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "providers/mbed/src/psa_capabilities.h"
#include "providers/mbed/src/psa_convert.h"
#include "providers/mbed/src/psa_core.h"

namespace parsec::provider::mbed {
namespace {

// Random bytes are produced in chunks, releasing the process-wide lock in
// between, so that a megabyte request does not stall every other key
// operation; 1024 is the CTR-DRBG's largest single request.
constexpr size_t kRandomChunk = 1024;

// Guarded by the PsaLock.
bool g_core_claimed = false;

// NewKeyGuard destroys a key created earlier in the same locked operation
// unless dismissed, so that a failure after creation leaves neither a cached
// slot nor a staged blob behind. It must be destroyed while the PsaLock that
// covered the creation is still held (declare it after the lock).
class NewKeyGuard {
 public:
  explicit NewKeyGuard(psa_key_id_t id) : id_(id) {}
  ~NewKeyGuard() {
    if (armed_) {
      (void)psa_destroy_key(id_);
    }
  }
  NewKeyGuard(const NewKeyGuard&) = delete;
  NewKeyGuard& operator=(const NewKeyGuard&) = delete;
  void dismiss() { armed_ = false; }

 private:
  psa_key_id_t id_;
  bool armed_ = true;
};

// key_status maps the status of a call that names an existing key. The id was
// range-checked by key_id_from_ref, so Mbed TLS 2.28's INVALID_HANDLE can only
// mean that no key with this id is cached or stored: the missing key of
// docs/protocol.md, operations §2.
// `what` names the PSA call for the detail.
Failure key_failure(const char* what, psa_status_t s) {
  if (s == PSA_ERROR_INVALID_HANDLE) {
    return Failure(Status::PsaErrorDoesNotExist, std::string(what) + ": no key with this id is stored");
  }
  return psa_failure(what, s);
}

// generate_rsa_der makes an RSA key pair with the library's RSA module, with
// a DRBG of its own, and returns it as a PKCS#1 RSAPrivateKey. It touches no
// PSA state, so it runs without the process-wide PSA lock: psa_generate_key
// would hold that lock for the whole prime search (1-4 s for RSA-4096),
// stalling every other key operation of the process. Only the import of the
// result (milliseconds) takes the lock. The exponent is 65537, as PSA uses.
Result<SecretBytes> generate_rsa_der(uint32_t bits) {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_pk_context pk;
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_pk_init(&pk);
  struct Free {
    mbedtls_entropy_context* e;
    mbedtls_ctr_drbg_context* d;
    mbedtls_pk_context* p;
    ~Free() {
      // Each *_free zeroises its context (the key's private values included).
      mbedtls_pk_free(p);
      mbedtls_ctr_drbg_free(d);
      mbedtls_entropy_free(e);
    }
  } free_all{&entropy, &drbg, &pk};
  static const unsigned char kPersonal[] = "parsec-mbed-rsa-keygen";
  if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, kPersonal, sizeof kPersonal - 1) != 0) {
    return Failure(Status::PsaErrorInsufficientEntropy, "RSA key generation: the DRBG could not be seeded");
  }
  if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0) {
    return Failure(Status::PsaErrorInsufficientMemory, "RSA key generation: no memory for the key context");
  }
  if (mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &drbg, bits, 65537) != 0) {
    return Failure(Status::PsaErrorGenericError, "mbedtls_rsa_gen_key failed for " + std::to_string(bits) + " bits");
  }
  // A PKCS#1 RSAPrivateKey of n bits holds n and d (n/8 bytes each), p, q,
  // dp, dq and qp (n/16 bytes each), e and the DER headers: 9 n/16 bytes plus
  // well under 128. pk_write fills the buffer from its end.
  SecretBytes buf(static_cast<size_t>(bits) * 9 / 16 + 128);
  const int n = mbedtls_pk_write_key_der(&pk, buf.data(), buf.size());
  if (n <= 0) {
    return Failure(Status::PsaErrorGenericError, "RSA key generation: the key could not be encoded");
  }
  return SecretBytes(buf.data() + buf.size() - n, static_cast<size_t>(n));
}

Failure bad_ref() {
  return Failure(Status::PsaErrorInvalidHandle, "malformed key reference");
}

void set_persistent_id(PsaAttributes& attrs, psa_key_id_t id) {
  psa_set_key_id(attrs.get(), id);
  psa_set_key_lifetime(attrs.get(), PSA_KEY_LIFETIME_PERSISTENT);
}

Result<psa_key_id_t> id_of(const Bytes& key_ref) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return bad_ref();
  }
  return *id;
}

// input is the pointer PSA gets for an input that may be empty: PSA accepts
// a null pointer with length 0, and an empty vector's data() may be null
// anyway; null states the intent.
const uint8_t* input(const Bytes& b) {
  return b.empty() ? nullptr : b.data();
}
const uint8_t* input(const SecretBytes& b) {
  return b.empty() ? nullptr : b.data();
}

// Input sizes come from a request body (at most body_len_limit), so the
// additions below cannot overflow in practice; the check keeps it so.
constexpr size_t kMaxInput = std::numeric_limits<size_t>::max() / 2;

// OutputBuffer is a PSA output buffer. Buffers for secret results
// (Sensitivity::Secret) are wiped whenever they are released: on
// destruction, and beyond the used length when handed over, so that neither a
// failed call nor the spare capacity of the result leaves a copy behind.
enum class Sensitivity { Public, Secret };

class OutputBuffer {
 public:
  explicit OutputBuffer(Sensitivity sensitivity) : secret_(sensitivity == Sensitivity::Secret) {}
  ~OutputBuffer() { zero_tail(0); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // allocate sizes the buffer (at least one byte, so data() is never null).
  Outcome allocate(size_t n) {
    try {
      buf_.resize(std::max<size_t>(n, 1));
    } catch (const std::bad_alloc&) {
      return Outcome(Status::PsaErrorInsufficientMemory, "no memory for a " + std::to_string(n) + "-byte output");
    } catch (const std::length_error&) {
      return Outcome(Status::PsaErrorInsufficientMemory, "no memory for a " + std::to_string(n) + "-byte output");
    }
    return Outcome();
  }
  uint8_t* data() { return buf_.data(); }
  size_t size() const { return buf_.size(); }

  // release hands over the first `length` bytes; release_secret does the
  // same into a SecretBytes (for a Secret buffer).
  Bytes release(size_t length) {
    length = std::min(length, buf_.size());
    zero_tail(length);
    buf_.resize(length);
    Bytes out = std::move(buf_);
    buf_.clear();
    return out;
  }
  SecretBytes release_secret(size_t length) {
    Bytes out = release(length);
    return SecretBytes::take(out);
  }

 private:
  void zero_tail(size_t from) {
    if (secret_ && buf_.size() > from) {
      secure_zero(buf_.data() + from, buf_.size() - from);
    }
  }

  const bool secret_;
  Bytes buf_;
};

// decryption_failure maps a failed psa_asymmetric_decrypt. A failure that
// depends on the ciphertext (bad padding, a ciphertext made for another key,
// a ciphertext longer or shorter than the modulus, an OAEP label mismatch)
// is answered with one status, PsaErrorInvalidPadding, so that the answer
// never tells which check failed: that is the padding oracle of upstream
// issue #619 (see docs/padding-oracle.md). Failures that do not depend on the
// ciphertext (no key, storage, memory, entropy for blinding) keep their own
// status.
Failure decryption_failure(psa_status_t s) {
  switch (s) {
    case PSA_ERROR_INVALID_HANDLE:
      return key_failure("psa_asymmetric_decrypt", s);
    case PSA_ERROR_NOT_PERMITTED:
    case PSA_ERROR_NOT_SUPPORTED:
    case PSA_ERROR_INSUFFICIENT_MEMORY:
    case PSA_ERROR_INSUFFICIENT_ENTROPY:
    case PSA_ERROR_STORAGE_FAILURE:
    case PSA_ERROR_DATA_CORRUPT:
    case PSA_ERROR_DATA_INVALID:
    case PSA_ERROR_HARDWARE_FAILURE:
    case PSA_ERROR_COMMUNICATION_FAILURE:
    case PSA_ERROR_BAD_STATE:
      return psa_failure("psa_asymmetric_decrypt", s);
    default:
      // Not even the operator's log tells these failures apart.
      return Failure(Status::PsaErrorInvalidPadding,
                     "RSA decryption failed (bad padding, another key's ciphertext or a wrong length)");
  }
}

// verify_outcome: Mbed TLS 2.28 rejects some forged RSA signatures with
// PSA_ERROR_INVALID_ARGUMENT instead of PSA_ERROR_INVALID_SIGNATURE (a value
// at or above the modulus; a PSS encoding whose top bits are set). The
// service has already checked every other argument (hash length; a wrong
// signature length is INVALID_SIGNATURE already), so for a verifier it can
// only mean "this is not a valid signature".
Outcome verify_outcome(const char* what, psa_status_t s, psa_algorithm_t alg) {
  if (s == PSA_SUCCESS) {
    return Outcome();
  }
  if (s == PSA_ERROR_INVALID_ARGUMENT && (PSA_ALG_IS_RSA_PSS(alg) || PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg))) {
    return Outcome(Status::PsaErrorInvalidSignature,
                   std::string(what) + " failed: PSA_ERROR_INVALID_ARGUMENT (an invalid RSA signature)");
  }
  return key_failure(what, s);
}

// key_outcome is key_failure for a call whose success produces nothing.
Outcome key_outcome(const char* what, psa_status_t s) {
  if (s == PSA_SUCCESS) {
    return Outcome();
  }
  return key_failure(what, s);
}

}  // namespace

Result<std::unique_ptr<PsaEngine>> PsaEngine::create(StorageReader* storage, uint64_t max_uid) {
  PsaLock lock(storage);
  if (g_core_claimed) {
    return Failure(Status::PsaErrorBadState, "another Mbed TLS provider instance holds the PSA core");
  }
  // A no-op when the core is already up; otherwise seeds the DRBG.
  const psa_status_t s = psa_crypto_init();
  if (s != PSA_SUCCESS) {
    return psa_failure("psa_crypto_init", s);
  }
  g_core_claimed = true;
  // Ids continue after the largest committed one so that an id is never
  // handed out twice across restarts; once past PSA_KEY_ID_USER_MAX creation
  // answers PsaErrorInsufficientStorage.
  const uint64_t next_id = max_uid >= PSA_KEY_ID_USER_MAX ? uint64_t{PSA_KEY_ID_USER_MAX} + 1
                                                          : std::max<uint64_t>(max_uid, PSA_KEY_ID_USER_MIN - 1) + 1;
  return std::unique_ptr<PsaEngine>(new PsaEngine(storage, next_id));
}

PsaEngine::~PsaEngine() {
  PsaLock lock(storage_);
  // A later engine, possibly over other storage, must not find keys of this
  // one cached under the same ids; and key material should not outlive us.
  mbedtls_psa_crypto_free();
  g_core_claimed = false;
}

Result<psa_key_id_t> PsaEngine::allocate_id() {
  if (next_id_ > PSA_KEY_ID_USER_MAX) {
    return Failure(Status::PsaErrorInsufficientStorage, "every PSA user key id has been used");
  }
  return static_cast<psa_key_id_t>(next_id_++);
}

void PsaEngine::release_id(psa_key_id_t id) {
  // Only the most recent id can be handed back; an older one is skipped,
  // which keeps allocation a plain counter.
  if (static_cast<uint64_t>(id) + 1 == next_id_) {
    --next_id_;
  }
}

Result<NewKey> PsaEngine::generate_key(const psa::KeyAttributes& attributes, StorageTxn& txn) {
  PARSEC_TRY(check_creation(attributes, Creation::Generate));
  if (attributes.type == psa::KeyType::RsaKeyPair) {
    // The slow part outside the PSA lock; the import below takes it.
    Result<SecretBytes> der = generate_rsa_der(attributes.bits);
    if (!der.ok()) {
      return der.failure();
    }
    return import_key(attributes, *der, txn);
  }
  PsaAttributes psa_attrs;
  PARSEC_TRY(to_psa_attributes(attributes, psa_attrs));

  PsaLock lock(storage_, &txn);
  Result<psa_key_id_t> id = allocate_id();
  if (!id.ok()) {
    return id.failure();
  }
  set_persistent_id(psa_attrs, *id);
  psa_key_id_t created = 0;
  const psa_status_t s = psa_generate_key(psa_attrs.get(), &created);
  if (s != PSA_SUCCESS) {
    release_id(*id);
    return psa_failure("psa_generate_key", s);
  }
  NewKeyGuard guard(created);
  NewKey key{key_ref_from_id(created), attributes.bits};
  guard.dismiss();
  return key;
}

Result<NewKey> PsaEngine::import_key(const psa::KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn) {
  PARSEC_TRY(check_creation(attributes, Creation::Import));
  PsaAttributes psa_attrs;
  PARSEC_TRY(to_psa_attributes(attributes, psa_attrs));

  PsaLock lock(storage_, &txn);
  Result<psa_key_id_t> id = allocate_id();
  if (!id.ok()) {
    return id.failure();
  }
  set_persistent_id(psa_attrs, *id);
  psa_key_id_t created = 0;
  // PSA itself rejects data that does not parse or does not match a
  // non-zero key_bits (PSA_ERROR_INVALID_ARGUMENT).
  const psa_status_t s = psa_import_key(psa_attrs.get(), data.data(), data.size(), &created);
  if (s != PSA_SUCCESS) {
    release_id(*id);
    return psa_failure("psa_import_key", s);
  }
  NewKeyGuard guard(created);
  PsaAttributes actual;
  const psa_status_t got = psa_get_key_attributes(created, actual.get());
  if (got != PSA_SUCCESS) {
    return psa_failure("psa_get_key_attributes", got);
  }
  const size_t bits = psa_get_key_bits(actual.get());
  PARSEC_TRY(check_imported_size(attributes, bits));
  NewKey key{key_ref_from_id(created), static_cast<uint32_t>(bits)};
  guard.dismiss();
  return key;
}

void PsaEngine::abandon_key(const Bytes& key_ref) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return;
  }
  PsaLock lock(storage_);
  // The blob was never committed; only the slot that generate/import left
  // cached remains. Purging (not destroying) needs no storage write.
  (void)psa_purge_key(*id);
  release_id(*id);
}

Outcome PsaEngine::destroy_key(const Bytes& key_ref, StorageTxn& txn) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return bad_ref();
  }
  PsaLock lock(storage_, &txn);
  return key_outcome("psa_destroy_key", psa_destroy_key(*id));
}

Result<Bytes> PsaEngine::export_public_key(const Bytes& key_ref) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return bad_ref();
  }
  Bytes out(PSA_EXPORT_PUBLIC_KEY_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_export_public_key(*id, out.data(), out.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_failure("psa_export_public_key", s);
    }
  }
  out.resize(length);
  return out;
}

Result<Bytes> PsaEngine::sign_hash(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& hash) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return bad_ref();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  Bytes signature(PSA_SIGNATURE_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s =
        psa_sign_hash(*id, *psa_alg, input(hash), hash.size(), signature.data(), signature.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_failure("psa_sign_hash", s);
    }
  }
  signature.resize(length);
  return signature;
}

Outcome PsaEngine::verify_hash(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& hash,
                               const Bytes& signature) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return bad_ref();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  PsaLock lock(storage_);
  return verify_outcome("psa_verify_hash",
                        psa_verify_hash(*id, *psa_alg, input(hash), hash.size(), input(signature), signature.size()),
                        *psa_alg);
}

Result<SecretBytes> PsaEngine::export_key(const Bytes& key_ref) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  OutputBuffer out(Sensitivity::Secret);
  size_t length = 0;
  PsaLock lock(storage_);
  PsaAttributes attrs;
  psa_status_t s = psa_get_key_attributes(*id, attrs.get());
  if (s != PSA_SUCCESS) {
    return key_failure("psa_get_key_attributes", s);
  }
  PARSEC_TRY(out.allocate(PSA_EXPORT_KEY_OUTPUT_SIZE(psa_get_key_type(attrs.get()), psa_get_key_bits(attrs.get()))));
  s = psa_export_key(*id, out.data(), out.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_export_key", s);
  }
  return out.release_secret(length);
}

namespace {

// message_signature converts the algorithm of sign_message / verify_message,
// which the raw schemes (no hash to apply) cannot serve.
Result<psa_algorithm_t> message_signature(const psa::Algorithm& alg) {
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg;
  }
  if (!PSA_ALG_IS_HASH_AND_SIGN(*psa_alg)) {
    return Failure(Status::PsaErrorInvalidArgument, std::string("a message cannot be signed with the raw scheme ") +
                                                        psa::algorithm_kind_name(alg.kind()));
  }
  return psa_alg;
}

}  // namespace

Result<Bytes> PsaEngine::sign_message(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& message) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = message_signature(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  Bytes signature(PSA_SIGNATURE_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s =
        psa_sign_message(*id, *psa_alg, input(message), message.size(), signature.data(), signature.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_failure("psa_sign_message", s);
    }
  }
  signature.resize(length);
  return signature;
}

Outcome PsaEngine::verify_message(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& message,
                                  const Bytes& signature) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = message_signature(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  PsaLock lock(storage_);
  return verify_outcome(
      "psa_verify_message",
      psa_verify_message(*id, *psa_alg, input(message), message.size(), input(signature), signature.size()), *psa_alg);
}

Result<Bytes> PsaEngine::asymmetric_encrypt(const Bytes& key_ref, const psa::Algorithm& alg,
                                            const SecretBytes& plaintext, const Bytes& salt) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_encryption_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  Bytes ciphertext(PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_asymmetric_encrypt(*id, *psa_alg, input(plaintext), plaintext.size(), input(salt),
                                                  salt.size(), ciphertext.data(), ciphertext.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_failure("psa_asymmetric_encrypt", s);
    }
  }
  ciphertext.resize(length);
  return ciphertext;
}

Result<SecretBytes> PsaEngine::asymmetric_decrypt(const Bytes& key_ref, const psa::Algorithm& alg,
                                                  const Bytes& ciphertext, const Bytes& salt) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_encryption_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  OutputBuffer plaintext(Sensitivity::Secret);
  PARSEC_TRY(plaintext.allocate(PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE));
  size_t length = 0;
  PsaLock lock(storage_);
  // A public key has nothing to decrypt with; that depends on the key alone,
  // so it is told apart from the failures of the decryption itself.
  PsaAttributes attrs;
  const psa_status_t got = psa_get_key_attributes(*id, attrs.get());
  if (got != PSA_SUCCESS) {
    return key_failure("psa_get_key_attributes", got);
  }
  if (!PSA_KEY_TYPE_IS_KEY_PAIR(psa_get_key_type(attrs.get()))) {
    return Failure(Status::PsaErrorInvalidArgument, "a public key cannot decrypt");
  }
  const psa_status_t s = psa_asymmetric_decrypt(*id, *psa_alg, input(ciphertext), ciphertext.size(), input(salt),
                                                salt.size(), plaintext.data(), plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return decryption_failure(s);
  }
  return plaintext.release_secret(length);
}

Result<Bytes> PsaEngine::aead_encrypt(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& nonce,
                                      const Bytes& additional_data, const SecretBytes& plaintext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_aead_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  if (plaintext.size() > kMaxInput) {
    return Failure(Status::PsaErrorInvalidArgument, "plaintext too large");
  }
  OutputBuffer ciphertext(Sensitivity::Public);
  PARSEC_TRY(ciphertext.allocate(PSA_AEAD_ENCRYPT_OUTPUT_MAX_SIZE(plaintext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s =
      psa_aead_encrypt(*id, *psa_alg, input(nonce), nonce.size(), input(additional_data), additional_data.size(),
                       input(plaintext), plaintext.size(), ciphertext.data(), ciphertext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_aead_encrypt", s);
  }
  return ciphertext.release(length);
}

Result<SecretBytes> PsaEngine::aead_decrypt(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& nonce,
                                            const Bytes& additional_data, const Bytes& ciphertext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_aead_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  OutputBuffer plaintext(Sensitivity::Secret);
  PARSEC_TRY(plaintext.allocate(PSA_AEAD_DECRYPT_OUTPUT_MAX_SIZE(ciphertext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s =
      psa_aead_decrypt(*id, *psa_alg, input(nonce), nonce.size(), input(additional_data), additional_data.size(),
                       input(ciphertext), ciphertext.size(), plaintext.data(), plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_aead_decrypt", s);
  }
  return plaintext.release_secret(length);
}

Result<Bytes> PsaEngine::cipher_encrypt(const Bytes& key_ref, psa::Cipher alg, const SecretBytes& plaintext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_cipher_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  if (plaintext.size() > kMaxInput) {
    return Failure(Status::PsaErrorInvalidArgument, "plaintext too large");
  }
  OutputBuffer ciphertext(Sensitivity::Public);
  PARSEC_TRY(ciphertext.allocate(PSA_CIPHER_ENCRYPT_OUTPUT_MAX_SIZE(plaintext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  // psa_cipher_encrypt draws the IV from the PSA DRBG and writes it first.
  const psa_status_t s = psa_cipher_encrypt(*id, *psa_alg, input(plaintext), plaintext.size(), ciphertext.data(),
                                            ciphertext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_cipher_encrypt", s);
  }
  return ciphertext.release(length);
}

Result<SecretBytes> PsaEngine::cipher_decrypt(const Bytes& key_ref, psa::Cipher alg, const Bytes& ciphertext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_cipher_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  if (ciphertext.size() > kMaxInput) {
    return Failure(Status::PsaErrorInvalidArgument, "ciphertext too large");
  }
  OutputBuffer plaintext(Sensitivity::Secret);
  // One spare block: the padding is checked in a block buffer of its own.
  PARSEC_TRY(
      plaintext.allocate(PSA_CIPHER_DECRYPT_OUTPUT_MAX_SIZE(ciphertext.size()) + PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s = psa_cipher_decrypt(*id, *psa_alg, input(ciphertext), ciphertext.size(), plaintext.data(),
                                            plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_cipher_decrypt", s);
  }
  return plaintext.release_secret(length);
}

Result<Bytes> PsaEngine::mac_compute(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& in) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_mac_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  Bytes mac(PSA_MAC_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_mac_compute(*id, *psa_alg, input(in), in.size(), mac.data(), mac.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_failure("psa_mac_compute", s);
    }
  }
  mac.resize(length);
  return mac;
}

Outcome PsaEngine::mac_verify(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& in, const Bytes& mac) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_mac_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  PsaLock lock(storage_);
  return key_outcome("psa_mac_verify", psa_mac_verify(*id, *psa_alg, input(in), in.size(), input(mac), mac.size()));
}

Result<SecretBytes> PsaEngine::raw_key_agreement(const Bytes& key_ref, const psa::Algorithm& alg,
                                                 const Bytes& peer_key) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.failure();
  }
  // Only the raw form: a key agreement feeding a derivation yields no bytes.
  if (alg.kind() != psa::AlgorithmKind::RawKeyAgreement) {
    return Failure(Status::PsaErrorInvalidArgument,
                   std::string("algorithm ") + psa::algorithm_kind_name(alg.kind()) + " is not a raw key agreement");
  }
  Result<psa_algorithm_t> psa_alg = to_psa_key_agreement_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  if (*psa_alg == PSA_ALG_FFDH) {
    return Failure(Status::PsaErrorNotSupported, "Mbed TLS 2.28 has no finite-field Diffie-Hellman");
  }
  OutputBuffer secret(Sensitivity::Secret);
  PARSEC_TRY(secret.allocate(PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s =
      psa_raw_key_agreement(*psa_alg, *id, input(peer_key), peer_key.size(), secret.data(), secret.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_failure("psa_raw_key_agreement", s);
  }
  return secret.release_secret(length);
}

Result<Bytes> PsaEngine::hash_compute(psa::Hash alg, const Bytes& in) {
  Result<psa_algorithm_t> psa_alg = to_psa_hash(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  Bytes hash(PSA_HASH_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_hash_compute(*psa_alg, input(in), in.size(), hash.data(), hash.size(), &length);
    if (s != PSA_SUCCESS) {
      return psa_failure("psa_hash_compute", s);
    }
  }
  hash.resize(length);
  return hash;
}

Outcome PsaEngine::hash_compare(psa::Hash alg, const Bytes& in, const Bytes& hash) {
  Result<psa_algorithm_t> psa_alg = to_psa_hash(alg);
  if (!psa_alg.ok()) {
    return psa_alg.failure();
  }
  PsaLock lock(storage_);
  const psa_status_t s = psa_hash_compare(*psa_alg, input(in), in.size(), input(hash), hash.size());
  if (s != PSA_SUCCESS) {
    return psa_failure("psa_hash_compare", s);
  }
  return Outcome();
}

Result<SecretBytes> PsaEngine::generate_random(uint64_t size) {
  SecretBytes out;
  try {
    out = SecretBytes(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    return Failure(Status::PsaErrorInsufficientMemory, "no memory for " + std::to_string(size) + " random bytes");
  } catch (const std::length_error&) {
    return Failure(Status::PsaErrorInsufficientMemory, "no memory for " + std::to_string(size) + " random bytes");
  }
  for (size_t done = 0; done < out.size();) {
    const size_t n = std::min(kRandomChunk, out.size() - done);
    PsaLock lock(storage_);
    const psa_status_t s = psa_generate_random(out.data() + done, n);
    if (s != PSA_SUCCESS) {
      return psa_failure("psa_generate_random", s);
    }
    done += n;
  }
  return out;
}

}  // namespace parsec::provider::mbed
