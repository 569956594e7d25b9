// parsec/psa/policy.h - the one place where requests are checked against the
// operation contracts and the key policy, for every provider (the rules of
// docs/protocol.md, operations §2, §11.10, §11.11 and §12). Works on the plain
// model only.
//
// validate_* answer InvalidEncoding for a value the contract forbids that the
// wire conversion lets through (a None hash, cipher, AEAD or raw agreement
// inside an operation, KeyType::None, an ECC key with EccFamily::None).
// check_* answer the policy statuses of operations §2, in its order:
// usage flag, permitted algorithm, key-type compatibility (each
// PsaErrorNotPermitted), then hash length (PsaErrorInvalidArgument). Every failure's detail says
// which rule refused, for the operator's log. Pure and thread-safe.
#pragma once

#include <cstddef>

#include "parsec/interface/result.h"
#include "parsec/interface/wire.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::psa::policy {

// --- contract validation (InvalidEncoding) -----------------------------------
Outcome validate_hash(Hash h);                     // a specific hash: not None, not Any
Outcome validate_algorithm(const Algorithm& alg);  // any algorithm, as a key policy may hold it
Outcome validate_attributes(const KeyAttributes& attrs);

// normalise_flags sets sign_message when sign_hash is set and verify_message
// when verify_hash is set (operations §12.3).
void normalise_flags(KeyAttributes& attrs);

// is_deprecated: the template uses a deprecated primitive (operations §12.4).
bool is_deprecated(const KeyAttributes& attrs);

// --- policy checks (operations §2.3) -----------------------------------------
// check_key_use runs, in order: usage flag for `op`, permitted algorithm,
// key-type compatibility (each PsaErrorNotPermitted), then check_rsa_size.
Outcome check_key_use(const KeyAttributes& key, Opcode op, const Algorithm& requested);
// check_usage_only: the flag check alone (PsaExportKey; a public key type is
// always exportable).
Outcome check_usage_only(const KeyAttributes& key, Opcode op);

// permits: the key policy algorithm admits `requested` (operations §11.10; Hash::Any wildcard).
bool permits(const Algorithm& policy, const Algorithm& requested);
// compatible: the key type can be used with `alg` (operations §11.11).
bool compatible(const KeyAttributes& key, const Algorithm& alg);

// check_rsa_size: RSA-OAEP and RSA-PSS need a modulus of at least 2·hLen + 2
// bytes (RFC 8017: OAEP k >= 2hLen+2; PSS with a salt as long as the hash,
// emLen >= 2hLen+2), so RSA-1024 cannot do either with SHA-512. A key of known
// size that is too small for `alg` (with a specific hash) is
// PsaErrorInvalidArgument, as PSA answers; other keys and algorithms pass.
Outcome check_rsa_size(const KeyAttributes& key, const Algorithm& alg);

// check_sign_hash_length: the hash length rule of PsaSignHash/PsaVerifyHash.
Outcome check_sign_hash_length(const Algorithm& alg, size_t hash_len);

}  // namespace parsec::psa::policy
