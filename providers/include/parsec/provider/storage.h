// parsec/provider/storage.h - the durable storage a provider may use: blobs
// kept in the key store database and committed in the same transaction as the
// key's mapping. Kept free of protobuf includes so code that includes
// <psa/crypto.h> (whose C functions share names with the operation
// namespaces, e.g. psa_sign_hash) can use it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "parsec/interface/result.h"

namespace parsec::provider {

using Bytes = std::vector<uint8_t>;

// ProviderStorage is durable, provider-private storage of small blobs
// identified by a 64-bit uid, kept in the key store database. Writes made
// through a StorageTxn become durable in the same database transaction as the
// key's mapping: both or neither.
class StorageTxn {
 public:
  virtual ~StorageTxn() = default;
  // put stages `data` under `uid` (replacing any staged or stored value).
  virtual void put(uint64_t uid, const Bytes& data) = 0;
  // remove stages the deletion of `uid`.
  virtual void remove(uint64_t uid) = 0;
  // staged returns what this transaction has staged for `uid`: nullopt if
  // nothing; an engaged optional holding nullopt if a removal is staged.
  virtual std::optional<std::optional<Bytes>> staged(uint64_t uid) const = 0;
};

// StorageReader reads committed blobs of one provider.
class StorageReader {
 public:
  virtual ~StorageReader() = default;
  // get returns the committed blob, nullopt if absent, or a storage status.
  virtual Result<std::optional<Bytes>> get(uint64_t uid) = 0;
  // max_uid returns the largest committed uid (0 if none).
  virtual Result<uint64_t> max_uid() = 0;
  // all_uids lists every committed uid (for reconciliation at start-up).
  virtual Result<std::vector<uint64_t>> all_uids() = 0;
  // commit_now writes `data` under `uid` in a transaction of its own and
  // returns once it is durable. For provider-wide state that must exist
  // before any key does (the PKCS#11 store tag); key material always goes
  // through a StorageTxn. Storage that cannot do this answers
  // PsaErrorNotSupported (the default).
  virtual Status commit_now(uint64_t uid, const Bytes& data) {
    (void)uid;
    (void)data;
    return Status::PsaErrorNotSupported;
  }
};

}  // namespace parsec::provider
