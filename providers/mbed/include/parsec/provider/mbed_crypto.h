// parsec/provider/mbed_crypto.h - the software provider (provider 1), built on
// the PSA Crypto implementation of Mbed TLS 2.28.
//
// Keys are PSA persistent keys whose ids the provider allocates. Their material
// never touches a key file: the provider replaces the library's storage backend
// (psa_its_*) so that every persistent write is staged in the StorageTxn of the
// operation that caused it and every read comes from that transaction or from
// the committed blobs of ProviderContext::storage. The key reference handed to
// the service is the 4-byte little-endian PSA key id.
//
// It serves every crypto operation but the TPM-only attestation pair, with
// the key types and algorithms Mbed TLS 2.28's PSA core implements (see
// src/psa_capabilities.h); what 2.28 lacks (SHA-3, SHA-512/t, FFDH and the
// RFC 7919 groups, CBC-MAC, XTS, Curve448) answers PsaErrorNotSupported.
// Choices where the spec leaves room: every failure of an RSA decryption is
// PsaErrorInvalidPadding (docs/padding-oracle.md); sign_message and
// verify_message refuse the raw schemes (rsa_pkcs1v15_sign_raw, ecdsa_any)
// with PsaErrorInvalidArgument, as the PSA Crypto API does; a Curve25519
// private key is exported in RFC 7748 clamped form.
//
// Thread safety: all methods may be called from several threads at once. The
// Mbed TLS 2.28 PSA core is process-global and not thread-safe, so every call
// into it is serialised by one process-wide lock.
#pragma once

#include <memory>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"
#include "parsec/provider/registry.h"

namespace parsec::provider {

// make_mbed_crypto_provider initialises the PSA core and returns the provider.
// `ctx.storage` is required and must outlive the provider; the next key id is
// taken from its max_uid(). Because the PSA core and its key slots are global,
// only one instance may exist at a time: while one is alive a second call
// answers PsaErrorBadState. Destroying the instance wipes every key slot and
// shuts the PSA core down, so a later instance starts from storage alone.
// Failures: PsaErrorStorageFailure without storage, the reader's status when
// max_uid() fails, or the mapped psa_crypto_init() status.
// Every failure carries a detail for the operator's log.
Result<std::unique_ptr<Provider>> make_mbed_crypto_provider(const ProviderContext& ctx);

// mbed_crypto_factory registers the provider with parsecd (registry.h):
// provider_type "MbedCrypto", ProviderId::MbedCrypto. It takes no settings
// (any key is refused with InvalidEncoding, naming the key); create wraps
// make_mbed_crypto_provider, its failure detail starting "Mbed TLS PSA Crypto
// failed to initialise: <status name>".
ProviderFactory mbed_crypto_factory();

}  // namespace parsec::provider
