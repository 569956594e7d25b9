// The one CK_RV -> status mapping, and which return values trigger session
// recovery.
#include <gtest/gtest.h>

#include "providers/pkcs11/src/ckr.h"

namespace parsec::provider::pkcs11 {
namespace {

TEST(Ckr, NamesAreTheSpecificationNames) {
  EXPECT_EQ(ckr_name(CKR_OK), "CKR_OK");
  EXPECT_EQ(ckr_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
  EXPECT_EQ(ckr_name(CKR_PIN_LOCKED), "CKR_PIN_LOCKED");
  EXPECT_EQ(ckr_name(CKR_SESSION_HANDLE_INVALID), "CKR_SESSION_HANDLE_INVALID");
  EXPECT_EQ(ckr_name(CKR_VENDOR_DEFINED | 5), "CKR_0x80000005");
}

TEST(Ckr, MapsToTheOperationsStatuses) {
  struct Case {
    CK_RV rv;
    Status status;
  };
  const Case cases[] = {
      {CKR_OK, Status::Success},
      {CKR_SIGNATURE_INVALID, Status::PsaErrorInvalidSignature},
      {CKR_SIGNATURE_LEN_RANGE, Status::PsaErrorInvalidSignature},
      {CKR_ENCRYPTED_DATA_INVALID, Status::PsaErrorInvalidPadding},
      {CKR_ENCRYPTED_DATA_LEN_RANGE, Status::PsaErrorInvalidArgument},
      {CKR_DATA_LEN_RANGE, Status::PsaErrorInvalidArgument},
      {CKR_ATTRIBUTE_VALUE_INVALID, Status::PsaErrorInvalidArgument},
      {CKR_MECHANISM_INVALID, Status::PsaErrorNotSupported},
      {CKR_MECHANISM_PARAM_INVALID, Status::PsaErrorNotSupported},
      {CKR_KEY_SIZE_RANGE, Status::PsaErrorNotSupported},
      {CKR_CURVE_NOT_SUPPORTED, Status::PsaErrorNotSupported},
      {CKR_FUNCTION_NOT_SUPPORTED, Status::PsaErrorNotSupported},
      {CKR_KEY_FUNCTION_NOT_PERMITTED, Status::PsaErrorNotPermitted},
      {CKR_KEY_TYPE_INCONSISTENT, Status::PsaErrorNotPermitted},
      {CKR_USER_NOT_LOGGED_IN, Status::PsaErrorNotPermitted},
      {CKR_TOKEN_WRITE_PROTECTED, Status::PsaErrorNotPermitted},
      {CKR_KEY_HANDLE_INVALID, Status::PsaErrorDoesNotExist},
      {CKR_OBJECT_HANDLE_INVALID, Status::PsaErrorDoesNotExist},
      {CKR_HOST_MEMORY, Status::PsaErrorInsufficientMemory},
      {CKR_DEVICE_MEMORY, Status::PsaErrorInsufficientStorage},
      {CKR_RANDOM_NO_RNG, Status::PsaErrorInsufficientEntropy},
      {CKR_BUFFER_TOO_SMALL, Status::PsaErrorBufferTooSmall},
      {CKR_OPERATION_ACTIVE, Status::PsaErrorBadState},
      {CKR_DEVICE_ERROR, Status::PsaErrorHardwareFailure},
      {CKR_DEVICE_REMOVED, Status::PsaErrorHardwareFailure},
      {CKR_TOKEN_NOT_PRESENT, Status::PsaErrorHardwareFailure},
      {CKR_GENERAL_ERROR, Status::PsaErrorGenericError},
      {CKR_FUNCTION_FAILED, Status::PsaErrorGenericError},
      {CKR_SESSION_HANDLE_INVALID, Status::PsaErrorCommunicationFailure},
      {CKR_SESSION_CLOSED, Status::PsaErrorCommunicationFailure},
      {CKR_PIN_INCORRECT, Status::PsaErrorCommunicationFailure},
      {CKR_PIN_LOCKED, Status::PsaErrorCommunicationFailure},
      {CKR_CRYPTOKI_NOT_INITIALIZED, Status::PsaErrorCommunicationFailure},
      {CKR_VENDOR_DEFINED, Status::PsaErrorCommunicationFailure},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ckr_to_status(c.rv), c.status) << ckr_name(c.rv);
  }
}

TEST(Ckr, BrokenSessionsAreRecognised) {
  for (CK_RV rv : {CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
                   CKR_USER_NOT_LOGGED_IN}) {
    EXPECT_TRUE(session_broken(rv)) << ckr_name(rv);
  }
  for (CK_RV rv : {CKR_OK, CKR_SIGNATURE_INVALID, CKR_KEY_HANDLE_INVALID, CKR_DEVICE_ERROR, CKR_PIN_INCORRECT}) {
    EXPECT_FALSE(session_broken(rv)) << ckr_name(rv);
  }
  EXPECT_TRUE(token_gone(CKR_TOKEN_NOT_PRESENT));
  EXPECT_TRUE(token_gone(CKR_SLOT_ID_INVALID));
  EXPECT_FALSE(token_gone(CKR_SESSION_CLOSED));
}

}  // namespace
}  // namespace parsec::provider::pkcs11
