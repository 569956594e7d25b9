#include "providers/tpm/src/tpm_rc.h"

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdio>

namespace parsec::provider::tpm {
namespace {

constexpr TSS2_RC kLayerMask = 0xFF0000;
constexpr TSS2_RC kLayerShift = 16;

TSS2_RC layer_of(TSS2_RC rc) {
  return (rc & kLayerMask) >> kLayerShift;
}
TSS2_RC base_rc(TSS2_RC rc) {
  return rc & 0xFFFF;
}

}  // namespace

TSS2_RC tpm_base_code(TSS2_RC rc) {
  if (layer_of(rc) != 0) {
    return rc & 0xFFFF;
  }
  if (rc & TPM2_RC_FMT1) {
    return TPM2_RC_FMT1 | (rc & 0x3F);
  }
  return rc & 0xFFF;
}

bool is_communication_error(TSS2_RC rc) {
  if (rc == TSS2_RC_SUCCESS) {
    return false;
  }
  if ((rc & kLayerMask) == TSS2_TCTI_RC_LAYER) {
    return true;
  }
  if (layer_of(rc) == 0) {
    return false;
  }
  switch (base_rc(rc)) {
    case TSS2_BASE_RC_IO_ERROR:
    case TSS2_BASE_RC_NO_CONNECTION:
    case TSS2_BASE_RC_TRY_AGAIN:
    case TSS2_BASE_RC_MALFORMED_RESPONSE:
    case TSS2_BASE_RC_INSUFFICIENT_RESPONSE:
    case TSS2_BASE_RC_NO_TPM:
      return true;
    default:
      return false;
  }
}

bool is_transient(TSS2_RC rc) {
  if (layer_of(rc) != 0) {
    return false;
  }
  switch (tpm_base_code(rc)) {
    case TPM2_RC_RETRY:
    case TPM2_RC_YIELDED:
    case TPM2_RC_TESTING:
    case TPM2_RC_NV_RATE:
    case TPM2_RC_CANCELED:
      return true;
    default:
      return false;
  }
}

Status rc_to_status(TSS2_RC rc, TpmCall call) {
  if (rc == TSS2_RC_SUCCESS) {
    return Status::Success;
  }
  if (is_communication_error(rc)) {
    return Status::PsaErrorCommunicationFailure;
  }
  if (layer_of(rc) != 0) {
    // Errors of the software stack itself: our own arguments were refused
    // (a bug) or it ran out of memory.
    switch (base_rc(rc)) {
      case TSS2_BASE_RC_MEMORY:
        return Status::PsaErrorInsufficientMemory;
      case TSS2_BASE_RC_BAD_SIZE:
      case TSS2_BASE_RC_INSUFFICIENT_BUFFER:
        return call == TpmCall::Import ? Status::PsaErrorInvalidArgument : Status::PsaErrorGenericError;
      default:
        return Status::PsaErrorGenericError;
    }
  }
  switch (tpm_base_code(rc)) {
    // Authorization.
    case TPM2_RC_BAD_AUTH:
    case TPM2_RC_AUTH_FAIL:
    case TPM2_RC_LOCKOUT:
    case TPM2_RC_HIERARCHY:
    case TPM2_RC_DISABLED:
    case TPM2_RC_POLICY_FAIL:
    case TPM2_RC_AUTH_UNAVAILABLE:
      return Status::PsaErrorNotPermitted;
    // Out of TPM memory: transient object, session or NV slots.
    case TPM2_RC_OBJECT_MEMORY:
    case TPM2_RC_SESSION_MEMORY:
    case TPM2_RC_MEMORY:
    case TPM2_RC_OBJECT_HANDLES:
    case TPM2_RC_SESSION_HANDLES:
      return Status::PsaErrorInsufficientMemory;
    // The TPM is busy, being reset or not started: a communication problem
    // from the caller's point of view (the request may be retried).
    case TPM2_RC_RETRY:
    case TPM2_RC_YIELDED:
    case TPM2_RC_TESTING:
    case TPM2_RC_NV_RATE:
    case TPM2_RC_CANCELED:
    case TPM2_RC_INITIALIZE:
    case TPM2_RC_REFERENCE_H0:
      return Status::PsaErrorCommunicationFailure;
    case TPM2_RC_FAILURE:
      // The TPM is in failure mode. (libtpms on OpenSSL 3 also answers a bad
      // RSA padding with TPM_RC_FAILURE; the decrypt path tells the two apart
      // with TPM2_GetTestResult and reports the padding as TPM_RC_VALUE.)
      return Status::PsaErrorHardwareFailure;
    // Signatures.
    case TPM2_RC_SIGNATURE:
      return Status::PsaErrorInvalidSignature;
    // Algorithms, sizes and curves the TPM does not implement.
    case TPM2_RC_ASYMMETRIC:
    case TPM2_RC_HASH:
    case TPM2_RC_KEY_SIZE:
    case TPM2_RC_MGF:
    case TPM2_RC_MODE:
    case TPM2_RC_KDF:
    case TPM2_RC_SCHEME:
    case TPM2_RC_SYMMETRIC:
    case TPM2_RC_CURVE:
      return Status::PsaErrorNotSupported;
    // Values the TPM refused.
    case TPM2_RC_VALUE:
    case TPM2_RC_SIZE:
    case TPM2_RC_RANGE:
      if (call == TpmCall::Decrypt) {
        return Status::PsaErrorInvalidPadding;
      }
      if (call == TpmCall::Verify) {
        return Status::PsaErrorInvalidSignature;
      }
      // Create only sees templates this provider built: a refused value is a
      // size or parameter the TPM does not implement (RSA 4096 on swtpm).
      return call == TpmCall::Create ? Status::PsaErrorNotSupported : Status::PsaErrorInvalidArgument;
    case TPM2_RC_ECC_POINT:
    case TPM2_RC_KEY:
    case TPM2_RC_BINDING:
    case TPM2_RC_TYPE:
    case TPM2_RC_ATTRIBUTES:
      return call == TpmCall::Load ? Status::PsaErrorDataCorrupt : Status::PsaErrorInvalidArgument;
    // A stored blob that does not belong to this TPM's storage key.
    case TPM2_RC_INTEGRITY:
      return call == TpmCall::Attest ? Status::PsaErrorInvalidArgument : Status::PsaErrorDataCorrupt;
    case TPM2_RC_HANDLE:
      return Status::PsaErrorCommunicationFailure;
    case TPM2_RC_NV_SPACE:
      return Status::PsaErrorInsufficientStorage;
    case TPM2_RC_NV_LOCKED:
    case TPM2_RC_NV_UNINITIALIZED:
      return Status::PsaErrorStorageFailure;
    default:
      return Status::PsaErrorGenericError;
  }
}

const char* rc_name(TSS2_RC rc) {
  if (layer_of(rc) != 0) {
    if ((rc & kLayerMask) == TSS2_TCTI_RC_LAYER) {
      switch (base_rc(rc)) {
        case TSS2_BASE_RC_IO_ERROR:
          return "TSS2_TCTI_RC_IO_ERROR";
        case TSS2_BASE_RC_NO_CONNECTION:
          return "TSS2_TCTI_RC_NO_CONNECTION";
        default:
          return "";
      }
    }
    return "";
  }
  switch (tpm_base_code(rc)) {
    case TPM2_RC_BAD_AUTH:
      return "TPM_RC_BAD_AUTH";
    case TPM2_RC_AUTH_FAIL:
      return "TPM_RC_AUTH_FAIL";
    case TPM2_RC_LOCKOUT:
      return "TPM_RC_LOCKOUT";
    case TPM2_RC_HIERARCHY:
      return "TPM_RC_HIERARCHY";
    case TPM2_RC_DISABLED:
      return "TPM_RC_DISABLED";
    case TPM2_RC_OBJECT_MEMORY:
      return "TPM_RC_OBJECT_MEMORY";
    case TPM2_RC_INITIALIZE:
      return "TPM_RC_INITIALIZE";
    case TPM2_RC_FAILURE:
      return "TPM_RC_FAILURE";
    case TPM2_RC_HANDLE:
      return "TPM_RC_HANDLE";
    case TPM2_RC_INTEGRITY:
      return "TPM_RC_INTEGRITY";
    case TPM2_RC_SIGNATURE:
      return "TPM_RC_SIGNATURE";
    case TPM2_RC_VALUE:
      return "TPM_RC_VALUE";
    case TPM2_RC_KEY_SIZE:
      return "TPM_RC_KEY_SIZE";
    case TPM2_RC_CURVE:
      return "TPM_RC_CURVE";
    case TPM2_RC_RETRY:
      return "TPM_RC_RETRY";
    case TPM2_RC_TESTING:
      return "TPM_RC_TESTING";
    default:
      return "";
  }
}

std::string rc_text(TSS2_RC rc) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%x", static_cast<unsigned>(rc));
  std::string out;
  const char* name = rc_name(rc);
  if (*name) {
    out = std::string(name) + " (" + hex;
  } else {
    out = std::string("(") + hex;
  }
  const char* decoded = Tss2_RC_Decode(rc);
  if (decoded && *decoded) {
    out += std::string(": ") + decoded;
  }
  out += ")";
  return out;
}

std::string connect_hint(TSS2_RC rc) {
  if (is_communication_error(rc)) {
    return "no TPM answers through this TCTI (is the TPM, simulator or resource manager running, and is the "
           "tcti setting right?)";
  }
  if (layer_of(rc) != 0) {
    return "";
  }
  switch (tpm_base_code(rc)) {
    case TPM2_RC_BAD_AUTH:
    case TPM2_RC_AUTH_FAIL:
      return "the TPM refused owner_hierarchy_auth: the owner hierarchy password is wrong";
    case TPM2_RC_LOCKOUT:
      return "the TPM is in dictionary-attack lockout: wait for its recovery time or reset the lockout with the "
             "lockout hierarchy (tpm2_dictionarylockout --clear-lockout)";
    case TPM2_RC_HIERARCHY:
    case TPM2_RC_DISABLED:
      return "the owner hierarchy is disabled (TPM2_HierarchyControl)";
    case TPM2_RC_OBJECT_MEMORY:
      return "the TPM has no free transient object slot (another program left objects loaded; use a resource "
             "manager such as /dev/tpmrm0 or tpm2-abrmd)";
    case TPM2_RC_FAILURE:
      return "the TPM is in failure mode";
    default:
      return "";
  }
}

}  // namespace parsec::provider::tpm
