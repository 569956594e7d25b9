// parsec/provider/pkcs11.h - the PKCS #11 provider (provider 2): keys live as
// token objects of a PKCS #11 module (an HSM, SoftHSMv2...).
//
// Each key is a token object (a key pair is two objects) with a random
// 16-byte CKA_ID, which is the key reference handed to the service, and a
// CKA_LABEL "parsec-cpp:<store tag>:<id in hex>" that marks it as ours for
// start-up reconciliation. Private keys are CKA_PRIVATE and CKA_SENSITIVE;
// CKA_EXTRACTABLE follows the key's `export` usage flag. docs/pkcs11.md has
// the settings, the session model and the status mapping.
//
// Thread safety: every method may be called from several threads at once.
// Requests run in parallel, each on its own session of a pool that shares one
// user login; a session that breaks is reopened (and the user logged in
// again) without a restart.
#pragma once

#include <memory>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"
#include "parsec/provider/registry.h"

namespace parsec::provider {

// make_pkcs11_provider loads the module named by the library_path setting
// (once per process), selects the token (serial_number, token_label,
// slot_number, or the only initialised one), opens a session and logs in with
// user_pin. A failure's detail names the cause (a bad setting:
// InvalidEncoding; module not found, not a PKCS #11 library, no or several
// tokens, incorrect or locked PIN: PsaErrorCommunicationFailure); it never
// contains the PIN. `ctx.storage` holds the provider's store tag and may be
// null (then orphaned objects of an interrupted creation are never
// recognised as ours).
Result<std::unique_ptr<Provider>> make_pkcs11_provider(const ProviderContext& ctx);

// pkcs11_factory registers the provider as provider_type "Pkcs11"
// (ProviderId::Pkcs11). Its check_settings validates the settings without
// loading the module or touching a token; create is make_pkcs11_provider.
ProviderFactory pkcs11_factory();

}  // namespace parsec::provider
