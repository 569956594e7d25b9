// parsec/provider/tpm.h - the TPM 2.0 provider (provider 3), built on the
// tpm2-tss Enhanced System API (ESAPI) and reached through any TCTI that the
// TCTI loader knows (device:/dev/tpmrm0, mssim:..., swtpm:..., tabrmd:...).
//
// Keys are ordinary TPM objects created (TPM2_Create) or imported
// (TPM2_Import) under a storage primary key that the provider re-creates from
// a fixed template whenever it connects. A key's reference in the key store is
// its wrapped private blob, its public area and its random per-key auth value
// (docs/tpm.md, "Key references"); public keys keep only the public area. Keys
// are loaded for each operation and flushed right after, so the provider works
// on TPMs with few transient slots and no resource manager.
//
// Thread safety: all methods may be called from several threads at once. One
// ESYS context serves the provider and every TPM command runs under its lock.
// While the TPM is unreachable, requests answer PsaErrorCommunicationFailure at
// once; the provider reconnects by itself when the TPM returns.
#pragma once

#include <memory>
#include <string>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"

namespace parsec::provider {

// kTpmSkipped is the status make_tpm_provider returns, and only returns, when
// the configuration sets skip_if_no_tpm = true and no TPM could be reached
// through the configured TCTI. The service then leaves the provider out of
// ListProviders instead of failing start-up (spec providers.md 5.5). Any other
// failure, including an unreachable TPM without skip_if_no_tpm, is a start-up
// error.
inline constexpr Status kTpmSkipped = Status::ProviderDoesNotExist;

// make_tpm_provider parses the [[provider]] settings of `ctx` (tcti,
// owner_hierarchy_auth, endorsement_hierarchy_auth, skip_if_no_tpm), connects
// to the TPM and re-creates the storage primary key.
// On failure it returns a status and sets `error` to a message for the
// operator that names the setting or TPM condition at fault (unreachable TPM,
// wrong owner password, dictionary-attack lockout, ...) and never contains an
// auth value:
//   - InvalidEncoding: a missing, unknown or malformed setting;
//   - kTpmSkipped: no TPM reachable and skip_if_no_tpm = true;
//   - PsaErrorCommunicationFailure: no TPM reachable;
//   - the mapped status of the TPM's answer otherwise (PsaErrorNotPermitted
//     for a wrong owner password or a TPM in lockout, ...).
Result<std::unique_ptr<Provider>> make_tpm_provider(const ProviderContext& ctx, std::string& error);

}  // namespace parsec::provider
