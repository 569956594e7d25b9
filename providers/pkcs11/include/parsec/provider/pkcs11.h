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
#include <string>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"

namespace parsec::provider {

// make_pkcs11_provider loads ctx.settings["library_path"] (once per process),
// selects the token (serial_number, token_label, slot_number, or the only
// initialised one), opens a session and logs in with user_pin. On failure it
// returns a status and sets `error` to a message naming the cause (module not
// found, not a PKCS #11 library, no or several tokens, incorrect or locked
// PIN, a bad setting); the message never contains the PIN. `ctx.storage`
// holds the provider's store tag and may be null (then orphaned objects of
// an interrupted creation are never recognised as ours).
Result<std::unique_ptr<Provider>> make_pkcs11_provider(const ProviderContext& ctx, std::string& error);

}  // namespace parsec::provider
