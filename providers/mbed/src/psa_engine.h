// psa_engine.h - everything the software provider asks of the Mbed TLS PSA
// core, in terms of the contracts' attribute and algorithm types. Safe to
// include from either side (see psa_values.h); its implementation is on the
// PSA side.
//
// Thread-safe: every method takes the process-wide PsaLock around its PSA
// calls, routing storage to the engine's StorageReader and, for the methods
// that take one, to the caller's StorageTxn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "parsec/interface/result.h"
#include "psa_key_attributes.pb.h"
#include "psa_values.h"

namespace parsec::provider {
class StorageReader;
class StorageTxn;
}  // namespace parsec::provider

namespace parsec::provider::mbed {

// NewKey is a key generate_key / import_key created: its reference and its
// size in bits as PSA recorded it.
struct NewKey {
  Bytes key_ref;
  uint32_t bits = 0;
};

class PsaEngine {
 public:
  // create initialises the PSA core and claims it for this engine. Key ids
  // are handed out from max_uid + 1. PsaErrorBadState while another engine
  // is alive: the core's key slots and key-id space are process-global.
  static Result<std::unique_ptr<PsaEngine>> create(StorageReader* storage, uint64_t max_uid);
  // The destructor shuts the PSA core down, wiping every key slot.
  ~PsaEngine();
  PsaEngine(const PsaEngine&) = delete;
  PsaEngine& operator=(const PsaEngine&) = delete;

  // generate_key / import_key create a persistent key under a fresh id; its
  // blob is staged in `txn`. Only the key types and sizes of this slice are
  // accepted (see psa_engine.cc).
  Result<NewKey> generate_key(const psa_key_attributes::KeyAttributes& attributes, StorageTxn& txn);
  Result<NewKey> import_key(const psa_key_attributes::KeyAttributes& attributes, const std::string& data,
                            StorageTxn& txn);
  // abandon_key drops the cached slot of a key whose blob was never
  // committed; its id may be handed out again.
  void abandon_key(const Bytes& key_ref);
  // destroy_key destroys the key; the blob's removal is staged in `txn`.
  Status destroy_key(const Bytes& key_ref, StorageTxn& txn);

  Result<Bytes> export_public_key(const Bytes& key_ref);
  Result<Bytes> sign_hash(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                          const std::string& hash);
  Status verify_hash(const Bytes& key_ref, const psa_algorithm::Algorithm_AsymmetricSignature& alg,
                     const std::string& hash, const std::string& signature);
  Result<Bytes> generate_random(uint64_t size);

 private:
  PsaEngine(StorageReader* storage, uint64_t next_id) : storage_(storage), next_id_(next_id) {}
  // allocate_id / release_id manage next_id_; call them with the PsaLock held.
  Result<psa_key_id_t> allocate_id();
  void release_id(psa_key_id_t id);

  StorageReader* const storage_;
  uint64_t next_id_;  // guarded by the PsaLock
};

}  // namespace parsec::provider::mbed
