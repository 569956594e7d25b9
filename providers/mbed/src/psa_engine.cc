// PSA side (see psa_values.h): never include provider.h or an operation
// contract here.
#include "psa_engine.h"

#include <mbedtls/platform_util.h>
#include <psa/crypto.h>

#include <algorithm>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>

#include "psa_capabilities.h"
#include "psa_convert.h"
#include "psa_core.h"

namespace parsec::provider::mbed {
namespace {

using psa_key_attributes::KeyType;

// Random bytes are produced in chunks, releasing the process-wide lock in
// between, so that a megabyte request does not stall every other key
// operation; 1024 is the CTR-DRBG's largest single request.
constexpr size_t kRandomChunk = 1024;

// Guarded by the PsaLock.
bool g_core_claimed = false;

const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

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
// operations.md §2.
Status key_status(psa_status_t s) {
  return s == PSA_ERROR_INVALID_HANDLE ? Status::PsaErrorDoesNotExist : status_from_psa(s);
}

void set_persistent_id(PsaAttributes& attrs, psa_key_id_t id) {
  psa_set_key_id(attrs.get(), id);
  psa_set_key_lifetime(attrs.get(), PSA_KEY_LIFETIME_PERSISTENT);
}

Result<psa_key_id_t> id_of(const Bytes& key_ref) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return Status::PsaErrorInvalidHandle;
  }
  return *id;
}

// input is the pointer PSA gets for an input that may be empty: PSA accepts
// a null pointer with length 0, and an empty std::string's data() would do
// too, but null states the intent.
const uint8_t* input(const std::string& s) { return s.empty() ? nullptr : bytes_of(s); }

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
  ~OutputBuffer() { wipe(0); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // allocate sizes the buffer (at least one byte, so data() is never null).
  Status allocate(size_t n) {
    try {
      buf_.resize(std::max<size_t>(n, 1));
    } catch (const std::bad_alloc&) {
      return Status::PsaErrorInsufficientMemory;
    } catch (const std::length_error&) {
      return Status::PsaErrorInsufficientMemory;
    }
    return Status::Success;
  }
  uint8_t* data() { return buf_.data(); }
  size_t size() const { return buf_.size(); }

  // release hands over the first `length` bytes.
  Bytes release(size_t length) {
    length = std::min(length, buf_.size());
    wipe(length);
    buf_.resize(length);
    Bytes out = std::move(buf_);
    buf_.clear();
    return out;
  }

 private:
  void wipe(size_t from) {
    if (secret_ && buf_.size() > from) {
      mbedtls_platform_zeroize(buf_.data() + from, buf_.size() - from);
    }
  }

  const bool secret_;
  Bytes buf_;
};

// decryption_status maps a failed psa_asymmetric_decrypt. A failure that
// depends on the ciphertext (bad padding, a ciphertext made for another key,
// a ciphertext longer or shorter than the modulus, an OAEP label mismatch)
// is answered with one status, PsaErrorInvalidPadding, so that the answer
// never tells which check failed: that is the padding oracle of upstream
// issue #619 (see docs/padding-oracle.md). Failures that do not depend on the
// ciphertext (no key, storage, memory, entropy for blinding) keep their own
// status.
Status decryption_status(psa_status_t s) {
  switch (s) {
    case PSA_ERROR_INVALID_HANDLE:
      return Status::PsaErrorDoesNotExist;
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
      return status_from_psa(s);
    default:
      return Status::PsaErrorInvalidPadding;
  }
}

}  // namespace

Result<std::unique_ptr<PsaEngine>> PsaEngine::create(StorageReader* storage, uint64_t max_uid) {
  PsaLock lock(storage);
  if (g_core_claimed) {
    return Status::PsaErrorBadState;
  }
  // A no-op when the core is already up; otherwise seeds the DRBG.
  const psa_status_t s = psa_crypto_init();
  if (s != PSA_SUCCESS) {
    return status_from_psa(s);
  }
  g_core_claimed = true;
  // Ids continue after the largest committed one so that an id is never
  // handed out twice across restarts; once past PSA_KEY_ID_USER_MAX creation
  // answers PsaErrorInsufficientStorage.
  const uint64_t next_id = max_uid >= PSA_KEY_ID_USER_MAX
                               ? uint64_t{PSA_KEY_ID_USER_MAX} + 1
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
    return Status::PsaErrorInsufficientStorage;
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

Result<NewKey> PsaEngine::generate_key(const KeyAttributes& attributes, StorageTxn& txn) {
  PARSEC_TRY(check_creation(attributes, Creation::Generate));
  PsaAttributes psa_attrs;
  PARSEC_TRY(to_psa_attributes(attributes, psa_attrs));

  PsaLock lock(storage_, &txn);
  Result<psa_key_id_t> id = allocate_id();
  if (!id.ok()) {
    return id.status();
  }
  set_persistent_id(psa_attrs, *id);
  psa_key_id_t created = 0;
  const psa_status_t s = psa_generate_key(psa_attrs.get(), &created);
  if (s != PSA_SUCCESS) {
    release_id(*id);
    return status_from_psa(s);
  }
  NewKeyGuard guard(created);
  NewKey key{key_ref_from_id(created), attributes.key_bits()};
  guard.dismiss();
  return key;
}

Result<NewKey> PsaEngine::import_key(const KeyAttributes& attributes, const std::string& data, StorageTxn& txn) {
  PARSEC_TRY(check_creation(attributes, Creation::Import));
  PsaAttributes psa_attrs;
  PARSEC_TRY(to_psa_attributes(attributes, psa_attrs));

  PsaLock lock(storage_, &txn);
  Result<psa_key_id_t> id = allocate_id();
  if (!id.ok()) {
    return id.status();
  }
  set_persistent_id(psa_attrs, *id);
  psa_key_id_t created = 0;
  // PSA itself rejects data that does not parse or does not match a
  // non-zero key_bits (PSA_ERROR_INVALID_ARGUMENT).
  const psa_status_t s = psa_import_key(psa_attrs.get(), bytes_of(data), data.size(), &created);
  if (s != PSA_SUCCESS) {
    release_id(*id);
    return status_from_psa(s);
  }
  NewKeyGuard guard(created);
  PsaAttributes actual;
  const psa_status_t got = psa_get_key_attributes(created, actual.get());
  if (got != PSA_SUCCESS) {
    return status_from_psa(got);
  }
  const size_t bits = psa_get_key_bits(actual.get());
  PARSEC_TRY(check_imported_size(attributes.key_type(), bits));
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

Status PsaEngine::destroy_key(const Bytes& key_ref, StorageTxn& txn) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return Status::PsaErrorInvalidHandle;
  }
  PsaLock lock(storage_, &txn);
  return key_status(psa_destroy_key(*id));
}

Result<Bytes> PsaEngine::export_public_key(const Bytes& key_ref) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return Status::PsaErrorInvalidHandle;
  }
  Bytes out(PSA_EXPORT_PUBLIC_KEY_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_export_public_key(*id, out.data(), out.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_status(s);
    }
  }
  out.resize(length);
  return out;
}

Result<Bytes> PsaEngine::sign_hash(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                                   const std::string& hash) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return Status::PsaErrorInvalidHandle;
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  Bytes signature(PSA_SIGNATURE_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s =
        psa_sign_hash(*id, *psa_alg, bytes_of(hash), hash.size(), signature.data(), signature.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_status(s);
    }
  }
  signature.resize(length);
  return signature;
}

namespace {

// verify_status: Mbed TLS 2.28 rejects some forged RSA signatures with
// PSA_ERROR_INVALID_ARGUMENT instead of PSA_ERROR_INVALID_SIGNATURE (a value
// at or above the modulus; a PSS encoding whose top bits are set). The
// service has already checked every other argument (hash length; a wrong
// signature length is INVALID_SIGNATURE already), so for a verifier it can
// only mean "this is not a valid signature".
Status verify_status(psa_status_t s, psa_algorithm_t alg) {
  if (s == PSA_ERROR_INVALID_ARGUMENT && (PSA_ALG_IS_RSA_PSS(alg) || PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg))) {
    return Status::PsaErrorInvalidSignature;
  }
  return key_status(s);
}

}  // namespace

Status PsaEngine::verify_hash(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                              const std::string& hash, const std::string& signature) {
  const std::optional<psa_key_id_t> id = key_id_from_ref(key_ref);
  if (!id) {
    return Status::PsaErrorInvalidHandle;
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  PsaLock lock(storage_);
  return verify_status(
      psa_verify_hash(*id, *psa_alg, bytes_of(hash), hash.size(), bytes_of(signature), signature.size()), *psa_alg);
}

Result<Bytes> PsaEngine::export_key(const Bytes& key_ref) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  OutputBuffer out(Sensitivity::Secret);
  size_t length = 0;
  PsaLock lock(storage_);
  PsaAttributes attrs;
  psa_status_t s = psa_get_key_attributes(*id, attrs.get());
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  PARSEC_TRY(out.allocate(PSA_EXPORT_KEY_OUTPUT_SIZE(psa_get_key_type(attrs.get()), psa_get_key_bits(attrs.get()))));
  s = psa_export_key(*id, out.data(), out.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return out.release(length);
}

Result<Bytes> PsaEngine::sign_message(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                                      const std::string& message) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (!PSA_ALG_IS_HASH_AND_SIGN(*psa_alg)) {
    return Status::PsaErrorInvalidArgument;
  }
  Bytes signature(PSA_SIGNATURE_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_sign_message(*id, *psa_alg, input(message), message.size(), signature.data(),
                                            signature.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_status(s);
    }
  }
  signature.resize(length);
  return signature;
}

Status PsaEngine::verify_message(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                                 const std::string& message, const std::string& signature) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_sign_algorithm(alg, HashWildcard::Rejected);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (!PSA_ALG_IS_HASH_AND_SIGN(*psa_alg)) {
    return Status::PsaErrorInvalidArgument;
  }
  PsaLock lock(storage_);
  return verify_status(psa_verify_message(*id, *psa_alg, input(message), message.size(), input(signature),
                                          signature.size()),
                       *psa_alg);
}

Result<Bytes> PsaEngine::asymmetric_encrypt(const Bytes& key_ref,
                                            const psa_algorithm::Algorithm_AsymmetricEncryption& alg,
                                            const std::string& plaintext, const std::string& salt) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_encryption_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  Bytes ciphertext(PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_asymmetric_encrypt(*id, *psa_alg, input(plaintext), plaintext.size(), input(salt),
                                                  salt.size(), ciphertext.data(), ciphertext.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_status(s);
    }
  }
  ciphertext.resize(length);
  return ciphertext;
}

Result<Bytes> PsaEngine::asymmetric_decrypt(const Bytes& key_ref,
                                            const psa_algorithm::Algorithm_AsymmetricEncryption& alg,
                                            const std::string& ciphertext, const std::string& salt) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_encryption_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
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
    return key_status(got);
  }
  if (!PSA_KEY_TYPE_IS_KEY_PAIR(psa_get_key_type(attrs.get()))) {
    return Status::PsaErrorInvalidArgument;
  }
  const psa_status_t s = psa_asymmetric_decrypt(*id, *psa_alg, input(ciphertext), ciphertext.size(), input(salt),
                                                salt.size(), plaintext.data(), plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return decryption_status(s);
  }
  return plaintext.release(length);
}

Result<Bytes> PsaEngine::aead_encrypt(const Bytes& key_ref, const psa_algorithm::Algorithm_Aead& alg,
                                      const std::string& nonce, const std::string& additional_data,
                                      const std::string& plaintext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_aead_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (plaintext.size() > kMaxInput) {
    return Status::PsaErrorInvalidArgument;
  }
  OutputBuffer ciphertext(Sensitivity::Public);
  PARSEC_TRY(ciphertext.allocate(PSA_AEAD_ENCRYPT_OUTPUT_MAX_SIZE(plaintext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s =
      psa_aead_encrypt(*id, *psa_alg, input(nonce), nonce.size(), input(additional_data), additional_data.size(),
                       input(plaintext), plaintext.size(), ciphertext.data(), ciphertext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return ciphertext.release(length);
}

Result<Bytes> PsaEngine::aead_decrypt(const Bytes& key_ref, const psa_algorithm::Algorithm_Aead& alg,
                                      const std::string& nonce, const std::string& additional_data,
                                      const std::string& ciphertext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_aead_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  OutputBuffer plaintext(Sensitivity::Secret);
  PARSEC_TRY(plaintext.allocate(PSA_AEAD_DECRYPT_OUTPUT_MAX_SIZE(ciphertext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s =
      psa_aead_decrypt(*id, *psa_alg, input(nonce), nonce.size(), input(additional_data), additional_data.size(),
                       input(ciphertext), ciphertext.size(), plaintext.data(), plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return plaintext.release(length);
}

Result<Bytes> PsaEngine::cipher_encrypt(const Bytes& key_ref, psa_algorithm::Algorithm_Cipher alg,
                                        const std::string& plaintext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_cipher_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (plaintext.size() > kMaxInput) {
    return Status::PsaErrorInvalidArgument;
  }
  OutputBuffer ciphertext(Sensitivity::Public);
  PARSEC_TRY(ciphertext.allocate(PSA_CIPHER_ENCRYPT_OUTPUT_MAX_SIZE(plaintext.size())));
  size_t length = 0;
  PsaLock lock(storage_);
  // psa_cipher_encrypt draws the IV from the PSA DRBG and writes it first.
  const psa_status_t s = psa_cipher_encrypt(*id, *psa_alg, input(plaintext), plaintext.size(), ciphertext.data(),
                                            ciphertext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return ciphertext.release(length);
}

Result<Bytes> PsaEngine::cipher_decrypt(const Bytes& key_ref, psa_algorithm::Algorithm_Cipher alg,
                                        const std::string& ciphertext) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_cipher_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (ciphertext.size() > kMaxInput) {
    return Status::PsaErrorInvalidArgument;
  }
  OutputBuffer plaintext(Sensitivity::Secret);
  // One spare block: the padding is checked in a block buffer of its own.
  PARSEC_TRY(plaintext.allocate(PSA_CIPHER_DECRYPT_OUTPUT_MAX_SIZE(ciphertext.size()) +
                                PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s = psa_cipher_decrypt(*id, *psa_alg, input(ciphertext), ciphertext.size(), plaintext.data(),
                                            plaintext.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return plaintext.release(length);
}

Result<Bytes> PsaEngine::mac_compute(const Bytes& key_ref, const psa_algorithm::Algorithm_Mac& alg,
                                     const std::string& in) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_mac_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  Bytes mac(PSA_MAC_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_mac_compute(*id, *psa_alg, input(in), in.size(), mac.data(), mac.size(), &length);
    if (s != PSA_SUCCESS) {
      return key_status(s);
    }
  }
  mac.resize(length);
  return mac;
}

Status PsaEngine::mac_verify(const Bytes& key_ref, const psa_algorithm::Algorithm_Mac& alg, const std::string& in,
                             const std::string& mac) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  Result<psa_algorithm_t> psa_alg = to_psa_mac_algorithm(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  PsaLock lock(storage_);
  return key_status(psa_mac_verify(*id, *psa_alg, input(in), in.size(), input(mac), mac.size()));
}

Result<Bytes> PsaEngine::raw_key_agreement(const Bytes& key_ref, psa_algorithm::Algorithm_KeyAgreement_Raw alg,
                                           const std::string& peer_key) {
  Result<psa_key_id_t> id = id_of(key_ref);
  if (!id.ok()) {
    return id.status();
  }
  psa_algorithm::Algorithm_KeyAgreement agreement;
  agreement.set_raw(alg);
  Result<psa_algorithm_t> psa_alg = to_psa_key_agreement_algorithm(agreement);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  if (*psa_alg == PSA_ALG_FFDH) {
    return Status::PsaErrorNotSupported;
  }
  OutputBuffer secret(Sensitivity::Secret);
  PARSEC_TRY(secret.allocate(PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE));
  size_t length = 0;
  PsaLock lock(storage_);
  const psa_status_t s = psa_raw_key_agreement(*psa_alg, *id, input(peer_key), peer_key.size(), secret.data(),
                                               secret.size(), &length);
  if (s != PSA_SUCCESS) {
    return key_status(s);
  }
  return secret.release(length);
}

Result<Bytes> PsaEngine::hash_compute(psa_algorithm::Algorithm_Hash alg, const std::string& in) {
  Result<psa_algorithm_t> psa_alg = to_psa_hash(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  Bytes hash(PSA_HASH_MAX_SIZE);
  size_t length = 0;
  {
    PsaLock lock(storage_);
    const psa_status_t s = psa_hash_compute(*psa_alg, input(in), in.size(), hash.data(), hash.size(), &length);
    if (s != PSA_SUCCESS) {
      return status_from_psa(s);
    }
  }
  hash.resize(length);
  return hash;
}

Status PsaEngine::hash_compare(psa_algorithm::Algorithm_Hash alg, const std::string& in, const std::string& hash) {
  Result<psa_algorithm_t> psa_alg = to_psa_hash(alg);
  if (!psa_alg.ok()) {
    return psa_alg.status();
  }
  PsaLock lock(storage_);
  return status_from_psa(psa_hash_compare(*psa_alg, input(in), in.size(), input(hash), hash.size()));
}

Result<Bytes> PsaEngine::generate_random(uint64_t size) {
  Bytes out;
  try {
    out.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    return Status::PsaErrorInsufficientMemory;
  } catch (const std::length_error&) {
    return Status::PsaErrorInsufficientMemory;
  }
  for (size_t done = 0; done < out.size();) {
    const size_t n = std::min(kRandomChunk, out.size() - done);
    PsaLock lock(storage_);
    const psa_status_t s = psa_generate_random(out.data() + done, n);
    if (s != PSA_SUCCESS) {
      return status_from_psa(s);
    }
    done += n;
  }
  return out;
}

}  // namespace parsec::provider::mbed
