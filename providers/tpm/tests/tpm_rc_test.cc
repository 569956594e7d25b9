#include <gtest/gtest.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tpm2_types.h>

#include "providers/tpm/src/tpm_rc.h"

namespace parsec::provider::tpm {
namespace {

// Response codes as the TPM sends them: format-one codes carry the number of
// the session (S, 0x800), handle or parameter (P, 0x040) at fault.
constexpr TSS2_RC kBadAuthSession1 = 0x9a2;
constexpr TSS2_RC kAuthFailSession1 = 0x98e;
constexpr TSS2_RC kLockout = 0x921;
constexpr TSS2_RC kObjectMemory = 0x902;
constexpr TSS2_RC kValueParam2 = 0x2c4;
constexpr TSS2_RC kSignatureParam2 = 0x2db;
constexpr TSS2_RC kIntegrityHandle1 = 0x19f;
constexpr TSS2_RC kHandle1 = 0x18b;
constexpr TSS2_RC kKeySizeParam2 = 0x2c7;

TEST(TpmRc, BaseCode) {
  EXPECT_EQ(tpm_base_code(kBadAuthSession1), static_cast<TSS2_RC>(TPM2_RC_BAD_AUTH));
  EXPECT_EQ(tpm_base_code(kAuthFailSession1), static_cast<TSS2_RC>(TPM2_RC_AUTH_FAIL));
  EXPECT_EQ(tpm_base_code(kValueParam2), static_cast<TSS2_RC>(TPM2_RC_VALUE));
  EXPECT_EQ(tpm_base_code(kHandle1), static_cast<TSS2_RC>(TPM2_RC_HANDLE));
  EXPECT_EQ(tpm_base_code(kLockout), static_cast<TSS2_RC>(TPM2_RC_LOCKOUT));
  EXPECT_EQ(tpm_base_code(TPM2_RC_FAILURE), static_cast<TSS2_RC>(TPM2_RC_FAILURE));
}

TEST(TpmRc, Statuses) {
  struct Case {
    TSS2_RC rc;
    TpmCall call;
    Status want;
  };
  const Case cases[] = {
      {TSS2_RC_SUCCESS, TpmCall::Sign, Status::Success},
      {kBadAuthSession1, TpmCall::Connect, Status::PsaErrorNotPermitted},
      {kAuthFailSession1, TpmCall::Sign, Status::PsaErrorNotPermitted},
      {kLockout, TpmCall::Sign, Status::PsaErrorNotPermitted},
      {kObjectMemory, TpmCall::Load, Status::PsaErrorInsufficientMemory},
      {TSS2_TCTI_RC_IO_ERROR, TpmCall::Sign, Status::PsaErrorCommunicationFailure},
      {TSS2_TCTI_RC_NO_CONNECTION, TpmCall::Random, Status::PsaErrorCommunicationFailure},
      {TSS2_ESYS_RC_MALFORMED_RESPONSE, TpmCall::Sign, Status::PsaErrorCommunicationFailure},
      {TPM2_RC_INITIALIZE, TpmCall::Sign, Status::PsaErrorCommunicationFailure},
      {TPM2_RC_RETRY, TpmCall::Sign, Status::PsaErrorCommunicationFailure},
      {TPM2_RC_FAILURE, TpmCall::Decrypt, Status::PsaErrorHardwareFailure},
      {kValueParam2, TpmCall::Create, Status::PsaErrorNotSupported},
      {kValueParam2, TpmCall::Decrypt, Status::PsaErrorInvalidPadding},
      {kValueParam2, TpmCall::Import, Status::PsaErrorInvalidArgument},
      {kValueParam2, TpmCall::Verify, Status::PsaErrorInvalidSignature},
      {kSignatureParam2, TpmCall::Verify, Status::PsaErrorInvalidSignature},
      {kIntegrityHandle1, TpmCall::Load, Status::PsaErrorDataCorrupt},
      {kIntegrityHandle1, TpmCall::Attest, Status::PsaErrorInvalidArgument},
      {kKeySizeParam2, TpmCall::Create, Status::PsaErrorNotSupported},
      {TPM2_RC_CURVE | TPM2_RC_P | TPM2_RC_2, TpmCall::Create, Status::PsaErrorNotSupported},
      {TPM2_RC_ECC_POINT | TPM2_RC_P | TPM2_RC_2, TpmCall::Import, Status::PsaErrorInvalidArgument},
      {TPM2_RC_BINDING | TPM2_RC_P | TPM2_RC_2, TpmCall::Load, Status::PsaErrorDataCorrupt},
      {TSS2_ESYS_RC_MEMORY, TpmCall::Sign, Status::PsaErrorInsufficientMemory},
      {TSS2_ESYS_RC_BAD_REFERENCE, TpmCall::Sign, Status::PsaErrorGenericError},
      {TSS2_MU_RC_INSUFFICIENT_BUFFER, TpmCall::Import, Status::PsaErrorInvalidArgument},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(rc_to_status(c.rc, c.call), c.want) << std::hex << c.rc;
  }
}

TEST(TpmRc, Classes) {
  EXPECT_TRUE(is_communication_error(TSS2_TCTI_RC_IO_ERROR));
  EXPECT_TRUE(is_communication_error(TSS2_ESYS_RC_MALFORMED_RESPONSE));
  EXPECT_FALSE(is_communication_error(kBadAuthSession1));
  EXPECT_FALSE(is_communication_error(TSS2_RC_SUCCESS));
  EXPECT_TRUE(is_transient(TPM2_RC_RETRY));
  EXPECT_TRUE(is_transient(TPM2_RC_YIELDED));
  EXPECT_TRUE(is_transient(TPM2_RC_TESTING));
  EXPECT_FALSE(is_transient(kObjectMemory));
  EXPECT_FALSE(is_transient(TSS2_TCTI_RC_TRY_AGAIN));
}

TEST(TpmRc, TextAndHints) {
  const std::string t = rc_text(kBadAuthSession1);
  EXPECT_NE(t.find("TPM_RC_BAD_AUTH"), std::string::npos) << t;
  EXPECT_NE(t.find("0x9a2"), std::string::npos) << t;
  EXPECT_NE(rc_text(kLockout).find("TPM_RC_LOCKOUT"), std::string::npos);
  EXPECT_NE(rc_text(0x12345).find("0x12345"), std::string::npos);
  EXPECT_NE(connect_hint(kBadAuthSession1).find("owner_hierarchy_auth"), std::string::npos);
  EXPECT_NE(connect_hint(kAuthFailSession1).find("owner_hierarchy_auth"), std::string::npos);
  EXPECT_NE(connect_hint(kLockout).find("lockout"), std::string::npos);
  EXPECT_NE(connect_hint(TSS2_TCTI_RC_IO_ERROR).find("no TPM answers"), std::string::npos);
  EXPECT_NE(connect_hint(kObjectMemory).find("resource manager"), std::string::npos);
  EXPECT_EQ(connect_hint(kValueParam2), "");
}

}  // namespace
}  // namespace parsec::provider::tpm
