// parsec/provider/provider.h - the one interface every crypto provider implements.
//
// The service resolves the caller's key, applies the key policy (usage flags,
// permitted algorithm, key-type compatibility, hash length) and validates the
// request encoding BEFORE calling a provider; a provider only performs the
// cryptography and reports back-end failures as a wire Status. Every method
// has a default that answers PsaErrorNotSupported, so a provider implements
// exactly the operations it lists in opcodes().
//
// Thread safety: the service calls a provider from several worker threads at
// once. A provider whose back end is not thread-safe (Mbed TLS 2.28 PSA, an
// ESYS context) serialises internally.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/interface/wire.h"
#include "parsec/provider/storage.h"
// Generated from interface/proto.
#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_aead_decrypt.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_algorithm.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_cipher_decrypt.pb.h"
#include "psa_cipher_encrypt.pb.h"
#include "psa_hash_compare.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_key_attributes.pb.h"
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"

namespace parsec::provider {

using KeyAttributes = psa_key_attributes::KeyAttributes;

// ProviderInfo is what ListProviders reports for one provider.
struct ProviderInfo {
  ProviderId id = ProviderId::MbedCrypto;
  std::string uuid;
  std::string description;
  std::string vendor;
  uint32_t version_maj = 0;
  uint32_t version_min = 0;
  uint32_t version_rev = 0;
};

// StoredKey is a caller's key as the key store recorded it.
struct StoredKey {
  std::string name;
  Bytes key_ref;              // the provider's own reference (PSA id, CKA_ID, TPM blob...)
  KeyAttributes attributes;   // normalised attributes recorded at creation
};

// CreatedKey is what a provider returns after generating or importing a key.
// `attributes` are the final attributes (for an import, key_bits is filled in
// from the data).
struct CreatedKey {
  Bytes key_ref;
  KeyAttributes attributes;
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual ProviderInfo info() const = 0;
  // opcodes lists the crypto opcodes this provider serves (ListOpcodes).
  virtual std::vector<Opcode> opcodes() const = 0;

  // --- key lifecycle ---------------------------------------------------------
  // generate_key makes a new persistent key. Durable writes go through `txn`.
  virtual Result<CreatedKey> generate_key(const KeyAttributes& attributes, StorageTxn& txn);
  // import_key stores `data` (PSA import format) as a new persistent key.
  virtual Result<CreatedKey> import_key(const KeyAttributes& attributes, const std::string& data,
                                        StorageTxn& txn);
  // abandon_key is called when the service could not commit a key that
  // generate_key/import_key returned: the provider forgets any cached state
  // and back-end object for it. Storage writes were discarded already.
  virtual void abandon_key(const CreatedKey& key);
  // destroy_key is called BEFORE the mapping's removal is committed: it must
  // only stage durable changes in `txn` (material kept in the key store) and
  // check that destruction can proceed. Material held outside the key store
  // (a token object, a TPM blob) is erased in finish_destroy, called after the
  // commit succeeded, so a crash in between leaves an unreachable object that
  // reconcile() removes, never a mapping that points to nothing.
  virtual Status destroy_key(const StoredKey& key, StorageTxn& txn);
  virtual void finish_destroy(const StoredKey& key);
  // reconcile is called once at start-up with every key reference the store
  // maps to this provider; it returns the references whose material is gone
  // (their mappings are then dropped) and may delete orphaned material.
  virtual Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs);

  virtual Result<Bytes> export_public_key(const StoredKey& key);
  virtual Result<Bytes> export_key(const StoredKey& key);

  // --- operations (requests already validated and policy-checked) -----------
  virtual Result<Bytes> sign_hash(const StoredKey& key, const psa_sign_hash::Operation& op);
  virtual Status verify_hash(const StoredKey& key, const psa_verify_hash::Operation& op);
  virtual Result<Bytes> sign_message(const StoredKey& key, const psa_sign_message::Operation& op);
  virtual Status verify_message(const StoredKey& key, const psa_verify_message::Operation& op);
  virtual Result<Bytes> asymmetric_encrypt(const StoredKey& key,
                                           const psa_asymmetric_encrypt::Operation& op);
  virtual Result<Bytes> asymmetric_decrypt(const StoredKey& key,
                                           const psa_asymmetric_decrypt::Operation& op);
  virtual Result<Bytes> aead_encrypt(const StoredKey& key, const psa_aead_encrypt::Operation& op);
  virtual Result<Bytes> aead_decrypt(const StoredKey& key, const psa_aead_decrypt::Operation& op);
  virtual Result<Bytes> cipher_encrypt(const StoredKey& key, const psa_cipher_encrypt::Operation& op);
  virtual Result<Bytes> cipher_decrypt(const StoredKey& key, const psa_cipher_decrypt::Operation& op);
  virtual Result<Bytes> mac_compute(const StoredKey& key, const psa_mac_compute::Operation& op);
  virtual Status mac_verify(const StoredKey& key, const psa_mac_verify::Operation& op);
  virtual Result<Bytes> raw_key_agreement(const StoredKey& key,
                                          const psa_raw_key_agreement::Operation& op);
  virtual Result<Bytes> hash_compute(const psa_hash_compute::Operation& op);
  virtual Status hash_compare(const psa_hash_compare::Operation& op);
  // generate_random: `size` is already checked against buffer_size_limit.
  virtual Result<Bytes> generate_random(uint64_t size);
  virtual Status can_do_crypto(const can_do_crypto::Operation& op);
  virtual Result<attest_key::Result> attest_key(const StoredKey& key, const attest_key::Operation& op);
  virtual Result<prepare_key_attestation::Result> prepare_key_attestation(
      const StoredKey& key, const prepare_key_attestation::Operation& op);
};

// ProviderContext is what a provider factory receives.
struct ProviderContext {
  std::string instance_name;              // [[provider]] name
  StorageReader* storage = nullptr;       // provider-private blobs (outlives the provider)
  bool allow_deprecated = false;
  uint64_t buffer_size_limit = 1u << 20;  // core_settings.buffer_size_limit
  // Provider-specific keys of the [[provider]] table (e.g. library_path,
  // user_pin, tcti), TOML strings as they are, integers and booleans as text.
  std::vector<std::pair<std::string, std::string>> settings;

  ProviderContext() = default;
  ProviderContext(const ProviderContext&) = default;
  ProviderContext& operator=(const ProviderContext&) = default;
  ProviderContext(ProviderContext&&) = default;
  ProviderContext& operator=(ProviderContext&&) = default;
  // Settings may hold a PIN or an auth value: zeroed on release.
  ~ProviderContext() {
    for (auto& kv : settings) {
      parsec::wipe(kv.second);
    }
  }
};

// Provider factories (one per provider folder, compiled in by its CMake
// option) have this shape: on failure they return a status and set `error` to
// a message for the operator that names the setting or condition at fault
// and never contains a secret (PIN, auth value).
//   Result<std::unique_ptr<Provider>> make_X_provider(const ProviderContext&, std::string& error);

}  // namespace parsec::provider
