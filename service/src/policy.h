// policy.h - the one place where requests are checked against the contracts
// and the key policy, for every provider (spec/operations.md sections 2, 11, 12).
//
// validate_* answer InvalidEncoding for content that breaks a contract rule
// (missing mandatory sub-message, zero or unknown enum, empty oneof).
// check_* answer the policy statuses of operations.md section 2.
// All functions are pure and thread-safe.
#pragma once

#include <string>

#include "parsec/interface/result.h"
#include "parsec/interface/wire.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"

namespace parsec::service::policy {

using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;

// --- contract validation (InvalidEncoding) ---------------------------------
Status validate_hash(int hash);
Status validate_algorithm(const Algorithm& alg);
Status validate_sign_alg(const Algorithm::AsymmetricSignature& alg);
Status validate_encrypt_alg(const Algorithm::AsymmetricEncryption& alg);
Status validate_aead_alg(const Algorithm::Aead& alg);
Status validate_mac_alg(const Algorithm::Mac& alg);
Status validate_cipher(int cipher);
Status validate_raw_agreement(int raw);
Status validate_attributes(const KeyAttributes& attrs);

// normalise_flags sets sign_message when sign_hash is set and verify_message
// when verify_hash is set (operations.md 12.3).
void normalise_flags(KeyAttributes& attrs);

// is_deprecated: the template is a deprecated primitive (operations.md 12.4).
bool is_deprecated(const KeyAttributes& attrs);

// is_public_key_type: rsa_public_key, ecc_public_key, dh_public_key.
bool is_public_key_type(const KeyAttributes& attrs);

// digest_length of a hash enum value, 0 if unknown.
size_t digest_length(int hash);

// --- policy checks (operations.md 2.3) -------------------------------------
// Each wraps the requested algorithm into an Algorithm and runs, in order:
// usage flag, permitted algorithm, key-type compatibility. `why` explains a
// refusal for the operator's log.
Status check_key_use(const KeyAttributes& key, Opcode op, const Algorithm& requested, std::string& why);
// check_usage_only: the flag check alone (PsaExportKey).
Status check_usage_only(const KeyAttributes& key, Opcode op, std::string& why);

// permits: the key policy algorithm admits `requested` (11.10).
bool permits(const Algorithm& policy, const Algorithm& requested);
// compatible: the key type can be used with `alg` (11.11).
bool compatible(const psa_key_attributes::KeyType& type, const Algorithm& alg);

// check_sign_hash_length: hash length rule for PsaSignHash/PsaVerifyHash.
Status check_sign_hash_length(const Algorithm::AsymmetricSignature& alg, size_t hash_len, std::string& why);

// Algorithm wrappers.
Algorithm wrap(const Algorithm::AsymmetricSignature& a);
Algorithm wrap(const Algorithm::AsymmetricEncryption& a);
Algorithm wrap(const Algorithm::Aead& a);
Algorithm wrap(const Algorithm::Mac& a);
Algorithm wrap_cipher(int cipher);
Algorithm wrap_raw_agreement(int raw);

}  // namespace parsec::service::policy
