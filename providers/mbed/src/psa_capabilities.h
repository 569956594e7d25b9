// psa_capabilities.h - what the Mbed TLS 2.28 PSA core of this build can do:
// the key types and sizes the provider creates, and the answer to
// CanDoCrypto (docs/protocol.md, operations §10.3), on the plain PSA model.
//
// One table serves both key creation and CanDoCrypto, so that "CanDoCrypto
// says yes" and "the operation works" cannot drift apart; the provider tests
// check every entry against the real library. Pure functions, thread-safe.
#pragma once

#include <cstddef>

#include "parsec/interface/result.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::provider::mbed {

enum class Creation { Generate, Import };

// check_creation applies the provider's rules to a key template before PSA
// sees it:
//  * no key type, or a public key type to generate: PsaErrorInvalidArgument;
//  * RSA: key_bits 1024, 2048, 3072 or 4096 (0 only on import, where the
//    size comes from the data), otherwise PsaErrorInvalidArgument;
//  * ECC: the (family, key_bits) pairs of kEccCurves (psa_capabilities.cc),
//    key_bits 0 only on import; any other curve PsaErrorNotSupported;
//  * Diffie-Hellman (RFC 7919): PsaErrorNotSupported (no FFDH in 2.28);
//  * symmetric types (AES, Camellia, DES, ARC4, ChaCha20, HMAC, Derive,
//    RawData): sizes are left to PSA, which answers PsaErrorInvalidArgument
//    for a size the type does not have.
// A failure's detail says which rule refused the template.
Outcome check_creation(const psa::KeyAttributes& attributes, Creation how);

// check_imported_size applies the RSA and ECC size rules of check_creation to
// the size PSA found in imported data (the type and family of `attributes`).
Outcome check_imported_size(const psa::KeyAttributes& attributes, size_t bits);

// hash_in_build: whether this Mbed TLS build computes `h` (no SHA-3 and no
// SHA-512/t in 2.28). PSA knows their identifiers, so a policy naming them is
// accepted at key creation, and an operation that needs the hash must be
// refused as unsupported before PSA fails it in some other way.
bool hash_in_build(psa::Hash h);

enum class CanDoCheck { Use, Generate, Import, Derive };

// can_do answers CanDoCrypto: Success when supported, PsaErrorNotSupported
// otherwise (never another status).
//  1. the attributes must convert to PSA values;
//  2. Use: the policy algorithm is not `none`; one of the usage flags encrypt,
//     decrypt, sign_hash, sign_message, verify_hash, verify_message is set;
//     the key type is compatible with the algorithm (docs/protocol.md, operations §11.11);
//     the type and size are usable (RSA needs a defined size); and this
//     build runs the algorithm with that key (hash, mode, curve, tag length);
//     Generate / Import: a key of this type and size can be generated /
//     imported (key_bits 0 only for Import); then, unless the policy
//     algorithm is `none`, the Use check (for Import, key_bits 0 passes it
//     for RSA too: the size will come from the data);
//     Derive: never (no key derivation operation is served).
Status can_do(CanDoCheck check, const psa::KeyAttributes& attributes);

}  // namespace parsec::provider::mbed
