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

#include "parsec/provider/registry.h"

namespace parsec::provider {

// tpm_factory is the TPM provider's registry entry: type_name "Tpm", id
// ProviderId::Tpm.
//   - check_settings parses the [[provider]] settings (tcti,
//     owner_hierarchy_auth, endorsement_hierarchy_auth, skip_if_no_tpm)
//     without opening a TCTI: InvalidEncoding naming the setting for a
//     missing, unknown or malformed one.
//   - create parses them the same way, connects to the TPM and re-creates the
//     storage primary key. It answers Made::available(provider) on success and
//     Made::not_available(reason) when, and only when, skip_if_no_tpm = true
//     and no TPM could be reached through the configured TCTI (the service
//     then leaves the provider out of ListProviders instead of failing
//     start-up, spec docs/protocol.md, providers §5.5). Otherwise it fails with a detail for
//     the operator that names the setting or TPM condition at fault
//     (unreachable TPM, wrong owner password, dictionary-attack lockout, ...)
//     and never contains an auth value:
//       - InvalidEncoding: a missing, unknown or malformed setting (even with
//         skip_if_no_tpm);
//       - PsaErrorCommunicationFailure: no TPM reachable;
//       - the mapped status of the TPM's answer otherwise (PsaErrorNotPermitted
//         for a wrong owner password or a TPM in lockout, ...).
ProviderFactory tpm_factory();

}  // namespace parsec::provider
