// The ITS backend lives in the same translation unit as PsaLock on purpose:
// every provider operation references PsaLock, which guarantees that the
// linker pulls this object (and with it our psa_its_* definitions) out of the
// static parsec_provider_mbed archive before it reaches libmbedcrypto.a. Were
// the ITS functions alone in an object, nothing would reference them early
// enough and the library's file backend would win.
#include "providers/mbed/src/psa_core.h"

#include <psa/crypto_values.h>

#include <cassert>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <utility>

#include "parsec/interface/secret.h"
#include "parsec/provider/provider.h"

namespace parsec::provider::mbed {
namespace {

std::mutex& psa_mutex() {
  static std::mutex m;
  return m;
}

// Set only while the current thread holds psa_mutex() through a PsaLock, so
// the ITS functions (called back from inside PSA on that same thread) need no
// lock of their own.
thread_local ItsRoute* t_route = nullptr;

// read_blob looks `uid` up through the current route: a staged value or
// staged removal of the txn wins over the committed blob.
psa_status_t read_blob(psa_storage_uid_t uid, SecretBytes* out) {
  const ItsRoute* route = t_route;
  if (route == nullptr) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
  if (route->txn != nullptr) {
    std::optional<std::optional<Bytes>> staged = route->txn->staged(uid);
    if (staged.has_value()) {
      if (!staged->has_value()) {
        return PSA_ERROR_DOES_NOT_EXIST;
      }
      *out = SecretBytes(std::move(**staged));
      return PSA_SUCCESS;
    }
  }
  if (route->reader == nullptr) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
  Result<std::optional<Bytes>> committed = route->reader->get(uid);
  if (!committed.ok()) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
  if (!committed->has_value()) {
    return PSA_ERROR_DOES_NOT_EXIST;
  }
  *out = SecretBytes(std::move(**committed));
  return PSA_SUCCESS;
}

std::unique_lock<std::mutex> lock_psa() {
  // std::mutex is not recursive: a nested PsaLock would deadlock.
  assert(t_route == nullptr && "PsaLock is not re-entrant");
  return std::unique_lock<std::mutex>(psa_mutex());
}

}  // namespace

PsaLock::PsaLock(StorageReader* reader, StorageTxn* txn) : lock_(lock_psa()), route_{reader, txn} {
  t_route = &route_;
}

PsaLock::~PsaLock() {
  t_route = nullptr;
}

}  // namespace parsec::provider::mbed

// ---- ITS backend --------------------------------------------------------------
// Semantics follow Mbed TLS 2.28's psa_its_file.c, which the PSA core was
// written against. These are called from C code compiled without exception
// support, so no exception may escape them.

using parsec::SecretBytes;
using parsec::provider::mbed::t_route;

extern "C" psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t* p_info) {
  if (p_info == nullptr) {
    return PSA_ERROR_INVALID_ARGUMENT;
  }
  try {
    SecretBytes blob;
    const psa_status_t s = parsec::provider::mbed::read_blob(uid, &blob);
    if (s != PSA_SUCCESS) {
      return s;
    }
    if (blob.size() > std::numeric_limits<uint32_t>::max()) {
      return PSA_ERROR_STORAGE_FAILURE;
    }
    p_info->size = static_cast<uint32_t>(blob.size());
    p_info->flags = PSA_STORAGE_FLAG_NONE;
    return PSA_SUCCESS;
  } catch (const std::bad_alloc&) {
    return PSA_ERROR_INSUFFICIENT_MEMORY;
  } catch (...) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
}

extern "C" psa_status_t psa_its_get(psa_storage_uid_t uid, uint32_t data_offset, uint32_t data_length, void* p_data,
                                    size_t* p_data_length) {
  try {
    SecretBytes blob;
    const psa_status_t s = parsec::provider::mbed::read_blob(uid, &blob);
    if (s != PSA_SUCCESS) {
      return s;
    }
    // 64-bit arithmetic: offset + length cannot wrap.
    if (static_cast<uint64_t>(data_offset) + data_length > blob.size()) {
      return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (data_length != 0) {
      if (p_data == nullptr) {
        return PSA_ERROR_INVALID_ARGUMENT;
      }
      std::memcpy(p_data, blob.data() + data_offset, data_length);
    }
    if (p_data_length != nullptr) {
      *p_data_length = data_length;
    }
    return PSA_SUCCESS;
  } catch (const std::bad_alloc&) {
    return PSA_ERROR_INSUFFICIENT_MEMORY;
  } catch (...) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
}

extern "C" psa_status_t psa_its_set(psa_storage_uid_t uid, uint32_t data_length, const void* p_data,
                                    psa_storage_create_flags_t create_flags) {
  const parsec::provider::mbed::ItsRoute* route = t_route;
  if (route == nullptr || route->txn == nullptr) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
  // Write-once and the protection flags would need support from the key
  // store; the PSA core never asks for them.
  if (create_flags != PSA_STORAGE_FLAG_NONE) {
    return PSA_ERROR_NOT_SUPPORTED;
  }
  if (uid == 0 || (data_length != 0 && p_data == nullptr)) {
    return PSA_ERROR_INVALID_ARGUMENT;
  }
  try {
    const SecretBytes blob(static_cast<const uint8_t*>(p_data), data_length);
    route->txn->put(uid, blob.bytes());
    return PSA_SUCCESS;
  } catch (const std::bad_alloc&) {
    return PSA_ERROR_INSUFFICIENT_MEMORY;
  } catch (...) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
}

extern "C" psa_status_t psa_its_remove(psa_storage_uid_t uid) {
  const parsec::provider::mbed::ItsRoute* route = t_route;
  if (route == nullptr || route->txn == nullptr) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
  try {
    SecretBytes existing;
    const psa_status_t s = parsec::provider::mbed::read_blob(uid, &existing);
    if (s != PSA_SUCCESS) {
      return s;
    }
    route->txn->remove(uid);
    return PSA_SUCCESS;
  } catch (const std::bad_alloc&) {
    return PSA_ERROR_INSUFFICIENT_MEMORY;
  } catch (...) {
    return PSA_ERROR_STORAGE_FAILURE;
  }
}
