// PSA side (see psa_values.h): never include provider.h or an operation
// contract here.
#include "psa_engine.h"

#include <psa/crypto.h>

#include <algorithm>
#include <array>
#include <new>
#include <stdexcept>

#include "psa_convert.h"
#include "psa_core.h"

namespace parsec::provider::mbed {
namespace {

using psa_key_attributes::KeyType;

constexpr std::array<uint32_t, 4> kRsaBits = {1024, 2048, 3072, 4096};
constexpr std::array<uint32_t, 2> kEccSecpR1Bits = {256, 384};

// Random bytes are produced in chunks, releasing the process-wide lock in
// between, so that a megabyte request does not stall every other key
// operation; 1024 is the CTR-DRBG's largest single request.
constexpr size_t kRandomChunk = 1024;

// Guarded by the PsaLock.
bool g_core_claimed = false;

template <size_t N>
bool contains(const std::array<uint32_t, N>& values, uint64_t v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

enum class Creation { Generate, Import };

// check_slice_support admits the key types and sizes served today: SECP_R1
// P-256/P-384 and RSA 1024/2048/3072/4096, key pairs (generate, import) and
// public keys (import). `key_bits` 0 only makes sense for an import, where
// the size comes from the data and is checked by check_imported_size.
Status check_slice_support(const KeyAttributes& attributes, Creation how) {
  const KeyType& type = attributes.key_type();
  const uint32_t bits = attributes.key_bits();
  const bool is_public = type.has_rsa_public_key() || type.has_ecc_public_key() || type.has_dh_public_key();
  if (how == Creation::Generate && is_public) {
    return Status::PsaErrorInvalidArgument;
  }
  if (how == Creation::Generate && bits == 0 && (type.has_rsa_key_pair() || type.has_ecc_key_pair())) {
    return Status::PsaErrorInvalidArgument;
  }
  if (type.has_rsa_key_pair() || type.has_rsa_public_key()) {
    return bits == 0 || contains(kRsaBits, bits) ? Status::Success : Status::PsaErrorInvalidArgument;
  }
  if (type.has_ecc_key_pair() || type.has_ecc_public_key()) {
    const auto family =
        type.has_ecc_key_pair() ? type.ecc_key_pair().curve_family() : type.ecc_public_key().curve_family();
    if (family == psa_key_attributes::KeyType_EccFamily_ECC_FAMILY_NONE) {
      return Status::PsaErrorInvalidArgument;
    }
    if (family != psa_key_attributes::KeyType_EccFamily_SECP_R1) {
      return Status::PsaErrorNotSupported;
    }
    return bits == 0 || contains(kEccSecpR1Bits, bits) ? Status::Success : Status::PsaErrorNotSupported;
  }
  if (type.variant_case() == KeyType::VARIANT_NOT_SET) {
    return Status::PsaErrorInvalidArgument;
  }
  return Status::PsaErrorNotSupported;
}

// check_imported_size applies the size rules of check_slice_support to the
// size PSA found in the data.
Status check_imported_size(const KeyType& type, size_t bits) {
  if (type.has_rsa_key_pair() || type.has_rsa_public_key()) {
    return contains(kRsaBits, bits) ? Status::Success : Status::PsaErrorInvalidArgument;
  }
  return contains(kEccSecpR1Bits, bits) ? Status::Success : Status::PsaErrorNotSupported;
}

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
  PARSEC_TRY(check_slice_support(attributes, Creation::Generate));
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
  PARSEC_TRY(check_slice_support(attributes, Creation::Import));
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
  return key_status(
      psa_verify_hash(*id, *psa_alg, bytes_of(hash), hash.size(), bytes_of(signature), signature.size()));
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
