// psa_core.h - the process-wide lock around the Mbed TLS PSA core, and the
// Internal Trusted Storage backend (psa_its_*) that replaces the library's
// file backend. Includes only the declaration-free PSA headers.
//
// Mbed TLS 2.28's PSA core keeps its key slots in one global table without any
// lock, so every PSA call in the process goes through a PsaLock. While a
// PsaLock is held, the ITS functions of this module route the library's
// persistent-key storage:
//   * writes and removals are staged in the PsaLock's StorageTxn; with no txn
//     they fail with PSA_ERROR_STORAGE_FAILURE (nothing lands on disk);
//   * reads see that txn's staged value first, then the StorageReader.
// Any ITS call on a thread that holds no PsaLock fails with
// PSA_ERROR_STORAGE_FAILURE, so PSA use that bypasses the lock cannot touch
// storage either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

#include <psa/crypto_types.h>

// The ITS API (PSA Storage API 1.0), declared as Mbed TLS 2.28 defines it in
// its private header library/psa_crypto_its.h, which Debian does not install.
// Defining these four symbols in a linked object replaces psa_its_file.c:
// with the static library the archive member is never pulled in, and with the
// shared library the executable's definitions interpose (the library calls
// them through its PLT).
extern "C" {
typedef uint64_t psa_storage_uid_t;
typedef uint32_t psa_storage_create_flags_t;
struct psa_storage_info_t {
  uint32_t size;
  psa_storage_create_flags_t flags;
};
#define PSA_STORAGE_FLAG_NONE 0u

psa_status_t psa_its_set(psa_storage_uid_t uid, uint32_t data_length, const void* p_data,
                         psa_storage_create_flags_t create_flags);
psa_status_t psa_its_get(psa_storage_uid_t uid, uint32_t data_offset, uint32_t data_length, void* p_data,
                         size_t* p_data_length);
psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t* p_info);
psa_status_t psa_its_remove(psa_storage_uid_t uid);
}

namespace parsec::provider {
class StorageReader;
class StorageTxn;
}  // namespace parsec::provider

namespace parsec::provider::mbed {

// ItsRoute is where the ITS backend sends the current thread's storage calls.
struct ItsRoute {
  StorageReader* reader = nullptr;
  StorageTxn* txn = nullptr;
};

// PsaLock holds the process-wide PSA lock for its lifetime and installs
// `reader` (committed blobs) and `txn` (where writes go; may be null when the
// operation must not write) for the ITS backend. Not re-entrant: never create
// a second PsaLock on a thread that already holds one.
class PsaLock {
 public:
  explicit PsaLock(StorageReader* reader, StorageTxn* txn = nullptr);
  ~PsaLock();
  PsaLock(const PsaLock&) = delete;
  PsaLock& operator=(const PsaLock&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
  ItsRoute route_;
};

}  // namespace parsec::provider::mbed
