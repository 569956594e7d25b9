// tpm_rc.h - TSS2/TPM response codes: the one place where they become PSA
// statuses, and their text for the operator's log.
#pragma once

#include <tss2/tss2_common.h>

#include <string>

#include "parsec/interface/wire.h"

namespace parsec::provider::tpm {

// TpmCall names the TPM command family a response code came from: the same
// code means different things to different callers (TPM_RC_VALUE from
// RSA_Decrypt is a bad padding, from Create a bad template).
enum class TpmCall {
  Connect,  // TCTI, Startup, primary key creation
  Create,   // TPM2_Create of a new key
  Import,   // TPM2_Import / LoadExternal of caller-supplied material
  Load,     // TPM2_Load of a stored blob
  Sign,
  Verify,   // TPM2_VerifySignature
  Encrypt,  // TPM2_RSA_Encrypt
  Decrypt,  // TPM2_RSA_Decrypt
  Random,   // TPM2_GetRandom
  Attest,   // endorsement key, policy session, ActivateCredential
};

// rc_to_status maps a TSS2 response code to the PSA status a client sees.
// Every TPM error the provider reports goes through here.
Status rc_to_status(TSS2_RC rc, TpmCall call);

// tpm_base_code strips the handle/parameter/session number from a TPM-layer
// format-one code (0x9a2 -> TPM2_RC_BAD_AUTH 0x0a2); other codes come back
// without their layer bits.
TSS2_RC tpm_base_code(TSS2_RC rc);

// is_communication_error: the TPM could not be reached or its answer was lost
// (TCTI layer, or an I/O, connection or malformed-response base code).
bool is_communication_error(TSS2_RC rc);

// is_transient: the TPM asked to be asked again (TPM_RC_RETRY, YIELDED,
// TESTING, NV_RATE, CANCELED).
bool is_transient(TSS2_RC rc);

// rc_name returns the TPM constant's name for well-known codes
// ("TPM_RC_BAD_AUTH"), else "".
const char* rc_name(TSS2_RC rc);

// rc_text renders a code for a log line: name, hex value and the tss2-rc
// decoder's text, e.g. "TPM_RC_BAD_AUTH (0x9a2: tpm:session(1):the
// authorization HMAC check failed and DA counter incremented)".
std::string rc_text(TSS2_RC rc);

// connect_hint explains a failure to connect or to create the storage primary
// key in operator terms (wrong owner password, lockout, disabled hierarchy,
// unreachable TPM), or "" when there is nothing more to say than rc_text.
std::string connect_hint(TSS2_RC rc);

}  // namespace parsec::provider::tpm
