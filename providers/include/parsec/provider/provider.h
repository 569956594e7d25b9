// parsec/provider/provider.h - the one interface every crypto provider implements.
//
// Providers see only the plain PSA model (parsec/psa/*.h): the service
// converts the wire contracts once, strictly, resolves the caller's key,
// applies the key policy (usage flags, permitted algorithm, key-type
// compatibility, hash length) and checks the request's shape BEFORE calling a
// provider (one policy check for all, parsec/psa/policy.h). A provider only
// performs the cryptography and reports back-end failures as a Failure: a wire
// status plus a detail for the operator's log (never a secret). Every method
// has a default that answers PsaErrorNotSupported, so a provider implements
// exactly the operations it lists in opcodes().
//
// Thread safety: the service calls a provider from several worker threads at
// once. A provider whose back end is not thread-safe (Mbed TLS 2.28 PSA, an
// ESYS context) serialises internally.
//
// A provider is added to parsecd through the registry (registry.h): one
// factory per provider folder, registered with one CMake line.
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
#include "parsec/psa/key_attributes.h"
#include "parsec/psa/operations.h"

namespace parsec::provider {

using psa::KeyAttributes;

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
  Bytes key_ref;             // the provider's own reference (PSA id, CKA_ID, TPM blob...)
  KeyAttributes attributes;  // normalised attributes recorded at creation
};

// CreatedKey is what a provider returns after generating or importing a key.
// `attributes` are the final attributes (for an import, bits is filled in from
// the data).
struct CreatedKey {
  Bytes key_ref;
  KeyAttributes attributes;
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual ProviderInfo info() const = 0;
  // opcodes lists the crypto opcodes this provider serves (ListOpcodes). The
  // service answers PsaErrorNotSupported for any other, before looking up keys.
  virtual std::vector<Opcode> opcodes() const = 0;
  // named_attesting_keys: AttestKey and PrepareKeyAttestation accept an
  // attesting key other than the provider's default one. When false (the
  // default), the service answers a request naming one PsaErrorNotSupported
  // before any key is looked up, like an operation that is not served.
  virtual bool named_attesting_keys() const { return false; }

  // --- key life cycle ----------------------------------------------------------
  // generate_key makes a new persistent key. Durable writes go through `txn`.
  virtual Result<CreatedKey> generate_key(const KeyAttributes& attributes, StorageTxn& txn);
  // import_key stores `data` (PSA import format) as a new persistent key.
  virtual Result<CreatedKey> import_key(const KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn);
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
  virtual Outcome destroy_key(const StoredKey& key, StorageTxn& txn);
  virtual void finish_destroy(const StoredKey& key);
  // reconcile is called once at start-up with every key reference the store
  // maps to this provider; it returns the references whose material is gone
  // (their mappings are then dropped) and may delete orphaned material.
  virtual Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs);
  // reconcile_at_start_up: whether start-up lists every mapped reference for
  // reconcile(). A provider whose material lives only in the key store and is
  // written in the same transaction as its mapping (the software provider)
  // answers false: a mapping without material cannot arise there, and listing
  // every key would make start-up grow with the number of keys
  // (docs/storage.md, "Start-up").
  virtual bool reconcile_at_start_up() const { return true; }

  virtual Result<Bytes> export_public_key(const StoredKey& key);
  virtual Result<SecretBytes> export_key(const StoredKey& key);

  // --- operations (requests already converted, validated and policy-checked) ---
  virtual Result<Bytes> sign_hash(const StoredKey& key, const psa::op::SignHash& op);
  virtual Outcome verify_hash(const StoredKey& key, const psa::op::VerifyHash& op);
  virtual Result<Bytes> sign_message(const StoredKey& key, const psa::op::SignMessage& op);
  virtual Outcome verify_message(const StoredKey& key, const psa::op::VerifyMessage& op);
  virtual Result<Bytes> asymmetric_encrypt(const StoredKey& key, const psa::op::AsymmetricEncrypt& op);
  virtual Result<SecretBytes> asymmetric_decrypt(const StoredKey& key, const psa::op::AsymmetricDecrypt& op);
  virtual Result<Bytes> aead_encrypt(const StoredKey& key, const psa::op::AeadEncrypt& op);
  virtual Result<SecretBytes> aead_decrypt(const StoredKey& key, const psa::op::AeadDecrypt& op);
  virtual Result<Bytes> cipher_encrypt(const StoredKey& key, const psa::op::CipherEncrypt& op);
  virtual Result<SecretBytes> cipher_decrypt(const StoredKey& key, const psa::op::CipherDecrypt& op);
  virtual Result<Bytes> mac_compute(const StoredKey& key, const psa::op::MacCompute& op);
  virtual Outcome mac_verify(const StoredKey& key, const psa::op::MacVerify& op);
  virtual Result<SecretBytes> raw_key_agreement(const StoredKey& key, const psa::op::RawKeyAgreement& op);
  virtual Result<Bytes> hash_compute(const psa::op::HashCompute& op);
  virtual Outcome hash_compare(const psa::op::HashCompare& op);
  // generate_random: `op.size` is already checked against buffer_size_limit.
  virtual Result<SecretBytes> generate_random(const psa::op::GenerateRandom& op);
  virtual Outcome can_do_crypto(const psa::op::CanDoCrypto& op);
  // attest_key: `key` is the attested key; op.attesting_key_name as sent.
  virtual Result<psa::AttestedCredential> attest_key(const StoredKey& key, const psa::op::AttestKey& op);
  virtual Result<psa::PreparedAttestation> prepare_key_attestation(const StoredKey& key,
                                                                   const psa::op::PrepareKeyAttestation& op);
};

// Settings reads the provider-specific keys of one [[provider]] table with
// types. Values arrive as the configuration file held them (TOML strings as
// they are, integers and booleans as text). Each read marks the key as known;
// unknown() then lists the keys no read asked for, so a provider can refuse a
// misspelt setting. Values of secret() reads are wiped with the Settings.
// Failures name the setting, never its value.
class Settings {
 public:
  Settings() = default;
  explicit Settings(std::vector<std::pair<std::string, std::string>> entries);
  ~Settings();
  Settings(const Settings& o);
  Settings& operator=(const Settings& o);
  Settings(Settings&&) noexcept = default;
  Settings& operator=(Settings&&) noexcept = default;

  bool has(const std::string& key) const;
  // string: the value, nullopt when absent (InvalidEncoding never).
  std::optional<std::string> string(const std::string& key) const;
  // secret: a PIN or auth value; never logged by this class.
  std::optional<SecretBytes> secret(const std::string& key) const;
  // integer: decimal in [min, max]; InvalidEncoding naming the key otherwise.
  Result<std::optional<uint64_t>> integer(const std::string& key, uint64_t min, uint64_t max) const;
  // boolean: true/false; InvalidEncoding naming the key otherwise.
  Result<std::optional<bool>> boolean(const std::string& key) const;
  // unknown lists keys present but never read.
  std::vector<std::string> unknown() const;
  // refuse_unknown: InvalidEncoding "unknown setting \"x\"" if unknown() is not empty.
  Outcome refuse_unknown() const;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  const std::string* find(const std::string& key) const;
  std::vector<std::pair<std::string, std::string>> entries_;
  mutable std::vector<std::string> read_;
};

// ProviderContext is what a provider factory receives.
struct ProviderContext {
  std::string instance_name;         // [[provider]] name
  StorageReader* storage = nullptr;  // provider-private blobs (outlives the provider)
  bool allow_deprecated = false;
  uint64_t buffer_size_limit = 1u << 20;  // core_settings.buffer_size_limit
  Settings settings;                      // the provider-specific keys of its [[provider]] table
};

}  // namespace parsec::provider
