#include "providers/pkcs11/src/ckr.h"

#include <cstdio>

namespace parsec::provider::pkcs11 {

std::string ckr_name(CK_RV rv) {
  switch (rv) {
#define N(x) \
  case x:    \
    return #x
    N(CKR_OK);
    N(CKR_CANCEL);
    N(CKR_HOST_MEMORY);
    N(CKR_SLOT_ID_INVALID);
    N(CKR_GENERAL_ERROR);
    N(CKR_FUNCTION_FAILED);
    N(CKR_ARGUMENTS_BAD);
    N(CKR_NO_EVENT);
    N(CKR_NEED_TO_CREATE_THREADS);
    N(CKR_CANT_LOCK);
    N(CKR_ATTRIBUTE_READ_ONLY);
    N(CKR_ATTRIBUTE_SENSITIVE);
    N(CKR_ATTRIBUTE_TYPE_INVALID);
    N(CKR_ATTRIBUTE_VALUE_INVALID);
    N(CKR_ACTION_PROHIBITED);
    N(CKR_DATA_INVALID);
    N(CKR_DATA_LEN_RANGE);
    N(CKR_DEVICE_ERROR);
    N(CKR_DEVICE_MEMORY);
    N(CKR_DEVICE_REMOVED);
    N(CKR_ENCRYPTED_DATA_INVALID);
    N(CKR_ENCRYPTED_DATA_LEN_RANGE);
    N(CKR_FUNCTION_CANCELED);
    N(CKR_FUNCTION_NOT_PARALLEL);
    N(CKR_FUNCTION_NOT_SUPPORTED);
    N(CKR_KEY_HANDLE_INVALID);
    N(CKR_KEY_SIZE_RANGE);
    N(CKR_KEY_TYPE_INCONSISTENT);
    N(CKR_KEY_NOT_NEEDED);
    N(CKR_KEY_CHANGED);
    N(CKR_KEY_NEEDED);
    N(CKR_KEY_INDIGESTIBLE);
    N(CKR_KEY_FUNCTION_NOT_PERMITTED);
    N(CKR_KEY_NOT_WRAPPABLE);
    N(CKR_KEY_UNEXTRACTABLE);
    N(CKR_MECHANISM_INVALID);
    N(CKR_MECHANISM_PARAM_INVALID);
    N(CKR_OBJECT_HANDLE_INVALID);
    N(CKR_OPERATION_ACTIVE);
    N(CKR_OPERATION_NOT_INITIALIZED);
    N(CKR_PIN_INCORRECT);
    N(CKR_PIN_INVALID);
    N(CKR_PIN_LEN_RANGE);
    N(CKR_PIN_EXPIRED);
    N(CKR_PIN_LOCKED);
    N(CKR_SESSION_CLOSED);
    N(CKR_SESSION_COUNT);
    N(CKR_SESSION_HANDLE_INVALID);
    N(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    N(CKR_SESSION_READ_ONLY);
    N(CKR_SESSION_EXISTS);
    N(CKR_SESSION_READ_ONLY_EXISTS);
    N(CKR_SESSION_READ_WRITE_SO_EXISTS);
    N(CKR_SIGNATURE_INVALID);
    N(CKR_SIGNATURE_LEN_RANGE);
    N(CKR_TEMPLATE_INCOMPLETE);
    N(CKR_TEMPLATE_INCONSISTENT);
    N(CKR_TOKEN_NOT_PRESENT);
    N(CKR_TOKEN_NOT_RECOGNIZED);
    N(CKR_TOKEN_WRITE_PROTECTED);
    N(CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    N(CKR_UNWRAPPING_KEY_SIZE_RANGE);
    N(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
    N(CKR_USER_ALREADY_LOGGED_IN);
    N(CKR_USER_NOT_LOGGED_IN);
    N(CKR_USER_PIN_NOT_INITIALIZED);
    N(CKR_USER_TYPE_INVALID);
    N(CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
    N(CKR_USER_TOO_MANY_TYPES);
    N(CKR_WRAPPED_KEY_INVALID);
    N(CKR_WRAPPED_KEY_LEN_RANGE);
    N(CKR_WRAPPING_KEY_HANDLE_INVALID);
    N(CKR_WRAPPING_KEY_SIZE_RANGE);
    N(CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
    N(CKR_RANDOM_SEED_NOT_SUPPORTED);
    N(CKR_RANDOM_NO_RNG);
    N(CKR_DOMAIN_PARAMS_INVALID);
    N(CKR_CURVE_NOT_SUPPORTED);
    N(CKR_BUFFER_TOO_SMALL);
    N(CKR_SAVED_STATE_INVALID);
    N(CKR_INFORMATION_SENSITIVE);
    N(CKR_STATE_UNSAVEABLE);
    N(CKR_CRYPTOKI_NOT_INITIALIZED);
    N(CKR_CRYPTOKI_ALREADY_INITIALIZED);
    N(CKR_MUTEX_BAD);
    N(CKR_MUTEX_NOT_LOCKED);
    N(CKR_NEW_PIN_MODE);
    N(CKR_NEXT_OTP);
    N(CKR_EXCEEDED_MAX_ITERATIONS);
    N(CKR_FIPS_SELF_TEST_FAILED);
    N(CKR_LIBRARY_LOAD_FAILED);
    N(CKR_PIN_TOO_WEAK);
    N(CKR_PUBLIC_KEY_INVALID);
    N(CKR_FUNCTION_REJECTED);
#undef N
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "CKR_0x%08lX", static_cast<unsigned long>(rv));
      return buf;
    }
  }
}

Status ckr_to_status(CK_RV rv) {
  switch (rv) {
    case CKR_OK:
      return Status::Success;

    // The signature does not verify.
    case CKR_SIGNATURE_INVALID:
    case CKR_SIGNATURE_LEN_RANGE:
      return Status::PsaErrorInvalidSignature;

    // Decryption found bad padding.
    case CKR_ENCRYPTED_DATA_INVALID:
      return Status::PsaErrorInvalidPadding;

    // The caller's input does not fit the key or mechanism.
    case CKR_ENCRYPTED_DATA_LEN_RANGE:
    case CKR_DATA_INVALID:
    case CKR_DATA_LEN_RANGE:
    case CKR_ARGUMENTS_BAD:
    case CKR_ATTRIBUTE_VALUE_INVALID:
    case CKR_TEMPLATE_INCOMPLETE:
    case CKR_TEMPLATE_INCONSISTENT:
    case CKR_PUBLIC_KEY_INVALID:
    case CKR_WRAPPED_KEY_INVALID:
      return Status::PsaErrorInvalidArgument;

    // The token cannot do it.
    case CKR_MECHANISM_INVALID:
    case CKR_MECHANISM_PARAM_INVALID:
    case CKR_FUNCTION_NOT_SUPPORTED:
    case CKR_KEY_SIZE_RANGE:
    case CKR_CURVE_NOT_SUPPORTED:
    case CKR_DOMAIN_PARAMS_INVALID:
    case CKR_ATTRIBUTE_TYPE_INVALID:
    case CKR_RANDOM_SEED_NOT_SUPPORTED:
      return Status::PsaErrorNotSupported;

    // The token forbids it (key attributes, read-only token, missing login).
    case CKR_KEY_TYPE_INCONSISTENT:
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
    case CKR_KEY_UNEXTRACTABLE:
    case CKR_ATTRIBUTE_SENSITIVE:
    case CKR_ATTRIBUTE_READ_ONLY:
    case CKR_ACTION_PROHIBITED:
    case CKR_FUNCTION_REJECTED:
    case CKR_SESSION_READ_ONLY:
    case CKR_TOKEN_WRITE_PROTECTED:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_INFORMATION_SENSITIVE:
      return Status::PsaErrorNotPermitted;

    // The key's object is gone.
    case CKR_OBJECT_HANDLE_INVALID:
    case CKR_KEY_HANDLE_INVALID:
      return Status::PsaErrorDoesNotExist;

    case CKR_HOST_MEMORY:
      return Status::PsaErrorInsufficientMemory;
    case CKR_DEVICE_MEMORY:
      return Status::PsaErrorInsufficientStorage;
    case CKR_RANDOM_NO_RNG:
      return Status::PsaErrorInsufficientEntropy;
    case CKR_BUFFER_TOO_SMALL:
      return Status::PsaErrorBufferTooSmall;
    case CKR_OPERATION_ACTIVE:
    case CKR_OPERATION_NOT_INITIALIZED:
      return Status::PsaErrorBadState;

    // The device itself failed or went away.
    case CKR_DEVICE_ERROR:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_FIPS_SELF_TEST_FAILED:
    case CKR_STATE_UNSAVEABLE:
      return Status::PsaErrorHardwareFailure;

    case CKR_GENERAL_ERROR:
    case CKR_FUNCTION_FAILED:
      return Status::PsaErrorGenericError;

    // Everything else (sessions that could not be recovered, login, PIN and
    // library state) is a failure to talk to the token.
    default:
      return Status::PsaErrorCommunicationFailure;
  }
}

bool session_broken(CK_RV rv) {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_USER_NOT_LOGGED_IN:
      return true;
    default:
      return false;
  }
}

bool token_gone(CK_RV rv) {
  return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SLOT_ID_INVALID;
}

}  // namespace parsec::provider::pkcs11
