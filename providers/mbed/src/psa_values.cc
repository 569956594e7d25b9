#include "providers/mbed/src/psa_values.h"

namespace parsec::provider::mbed {

Status status_from_psa(psa_status_t s) {
  if (s == PSA_SUCCESS) {
    return Status::Success;
  }
  const int64_t wire = 1000 - static_cast<int64_t>(s);
  // Only the PSA block of the status space: a positive or tiny psa_status_t
  // must never turn into a service status such as WrongProviderId.
  if (wire >= static_cast<int64_t>(Status::PsaErrorGenericError) &&
      wire <= static_cast<int64_t>(Status::PsaErrorDataInvalid)) {
    if (std::optional<Status> mapped = status_from_u16(static_cast<uint16_t>(wire))) {
      return *mapped;
    }
  }
  return Status::PsaErrorGenericError;
}

std::string psa_status_name(psa_status_t s) {
  switch (s) {
#define PARSEC_PSA_NAME(x) \
  case x:                  \
    return #x;
    PARSEC_PSA_NAME(PSA_SUCCESS)
    PARSEC_PSA_NAME(PSA_ERROR_GENERIC_ERROR)
    PARSEC_PSA_NAME(PSA_ERROR_NOT_SUPPORTED)
    PARSEC_PSA_NAME(PSA_ERROR_NOT_PERMITTED)
    PARSEC_PSA_NAME(PSA_ERROR_BUFFER_TOO_SMALL)
    PARSEC_PSA_NAME(PSA_ERROR_ALREADY_EXISTS)
    PARSEC_PSA_NAME(PSA_ERROR_DOES_NOT_EXIST)
    PARSEC_PSA_NAME(PSA_ERROR_BAD_STATE)
    PARSEC_PSA_NAME(PSA_ERROR_INVALID_ARGUMENT)
    PARSEC_PSA_NAME(PSA_ERROR_INSUFFICIENT_MEMORY)
    PARSEC_PSA_NAME(PSA_ERROR_INSUFFICIENT_STORAGE)
    PARSEC_PSA_NAME(PSA_ERROR_COMMUNICATION_FAILURE)
    PARSEC_PSA_NAME(PSA_ERROR_STORAGE_FAILURE)
    PARSEC_PSA_NAME(PSA_ERROR_HARDWARE_FAILURE)
    PARSEC_PSA_NAME(PSA_ERROR_CORRUPTION_DETECTED)
    PARSEC_PSA_NAME(PSA_ERROR_INSUFFICIENT_ENTROPY)
    PARSEC_PSA_NAME(PSA_ERROR_INVALID_SIGNATURE)
    PARSEC_PSA_NAME(PSA_ERROR_INVALID_PADDING)
    PARSEC_PSA_NAME(PSA_ERROR_INSUFFICIENT_DATA)
    PARSEC_PSA_NAME(PSA_ERROR_INVALID_HANDLE)
    PARSEC_PSA_NAME(PSA_ERROR_DATA_CORRUPT)
    PARSEC_PSA_NAME(PSA_ERROR_DATA_INVALID)
#undef PARSEC_PSA_NAME
    default:
      return "PSA status " + std::to_string(s);
  }
}

Failure psa_failure(const char* what, psa_status_t s) {
  return Failure(status_from_psa(s), std::string(what) + " failed: " + psa_status_name(s));
}

Bytes key_ref_from_id(psa_key_id_t id) {
  return Bytes{static_cast<uint8_t>(id), static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id >> 16),
               static_cast<uint8_t>(id >> 24)};
}

std::optional<psa_key_id_t> key_id_from_ref(const Bytes& ref) {
  if (ref.size() != 4) {
    return std::nullopt;
  }
  const psa_key_id_t id = static_cast<psa_key_id_t>(ref[0]) | (static_cast<psa_key_id_t>(ref[1]) << 8) |
                          (static_cast<psa_key_id_t>(ref[2]) << 16) | (static_cast<psa_key_id_t>(ref[3]) << 24);
  if (id < PSA_KEY_ID_USER_MIN || id > PSA_KEY_ID_USER_MAX) {
    return std::nullopt;
  }
  return id;
}

}  // namespace parsec::provider::mbed
