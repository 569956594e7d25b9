// parsec/provider/fake.h - an in-memory provider for tests of the service
// (provider_type "Fake", id 4, which no real provider of this project uses).
//
// It serves key creation, destruction, public-key export, export, sign/verify
// hash and random bytes; any other opcode is deliberately not served, so tests
// can check that the service refuses it before touching the key store. Its
// "signature" is deterministic bytes derived from the key reference and the
// hash (not a MAC, not secure). Every call it receives is recorded with the
// plain request it saw, so tests can prove what reached it.
//
// Thread-safe: one mutex guards the keys and the call log.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "parsec/provider/registry.h"

namespace parsec::provider {

class FakeProvider final : public Provider {
 public:
  // One recorded call: the method name and the key it named ("" if none).
  struct CallRecord {
    std::string method;
    std::string key_name;
    psa::Algorithm alg;  // the requested algorithm, for operations carrying one
    Bytes input;         // the hash / requested size as bytes, as the provider saw it
  };

  ProviderInfo info() const override;
  std::vector<Opcode> opcodes() const override;

  Result<CreatedKey> generate_key(const KeyAttributes& attributes, StorageTxn& txn) override;
  Result<CreatedKey> import_key(const KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn) override;
  void abandon_key(const CreatedKey& key) override;
  Outcome destroy_key(const StoredKey& key, StorageTxn& txn) override;
  void finish_destroy(const StoredKey& key) override;
  Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs) override;
  Result<Bytes> export_public_key(const StoredKey& key) override;
  Result<SecretBytes> export_key(const StoredKey& key) override;
  Result<Bytes> sign_hash(const StoredKey& key, const psa::op::SignHash& op) override;
  Outcome verify_hash(const StoredKey& key, const psa::op::VerifyHash& op) override;
  Result<SecretBytes> generate_random(const psa::op::GenerateRandom& op) override;

  // Test controls and observations.
  // fail_destroy makes destroy_key of the key named `name` fail (PsaErrorHardwareFailure).
  void fail_destroy(const std::string& name);
  std::vector<CallRecord> calls() const;
  size_t live_keys() const;
  // signature_for: the bytes sign_hash answers for `key_ref` and `hash`.
  static Bytes signature_for(const Bytes& key_ref, const Bytes& hash);

 private:
  void record(CallRecord r) const;
  mutable std::mutex mu_;
  mutable std::vector<CallRecord> calls_;
  std::map<Bytes, Bytes> material_;  // key_ref -> material
  std::set<std::string> fail_destroy_;
  uint64_t next_ref_ = 1;
};

// fake_provider_factory: type "Fake", id ProviderId::TrustedService. It takes
// no settings (check_settings refuses any key).
ProviderFactory fake_provider_factory();

}  // namespace parsec::provider
