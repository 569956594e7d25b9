// convert.h - conversions between the public client types and the generated
// protobuf messages (internal to parsec_client; protobuf never appears in the
// public headers).
//
// Encoding throws Error(InvalidEncoding) for a value the contract cannot carry
// (Hash::Any outside a signature hash, KeyType::None, an out-of-range enum, a
// kind that does not fit the message). Decoding throws Error(InvalidEncoding)
// for a message the reference client would refuse: empty oneof, missing
// mandatory sub-message, enum value outside the contract. Errors carry no
// operation name; the caller adds it. All functions are pure and thread-safe.
#pragma once

#include "attest_key.pb.h"
#include "parsec/client/algorithm.h"
#include "parsec/client/info.h"
#include "parsec/client/key_attributes.h"
#include "prepare_key_attestation.pb.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"

namespace parsec::client::detail {

namespace pa = ::psa_algorithm;
namespace pk = ::psa_key_attributes;

pa::Algorithm_Hash hash_to_proto(Hash h);
Hash hash_from_proto(int v);
pa::Algorithm_Cipher cipher_to_proto(Cipher c);
pa::Algorithm_KeyAgreement_Raw raw_key_agreement_to_proto(RawKeyAgreement r);

void algorithm_to_proto(const Algorithm& a, pa::Algorithm* out);
Algorithm algorithm_from_proto(const pa::Algorithm& in);

// The nested messages that operations carry directly.
void signature_to_proto(const Algorithm& a, pa::Algorithm_AsymmetricSignature* out);
Algorithm signature_from_proto(const pa::Algorithm_AsymmetricSignature& in);
void encryption_to_proto(const Algorithm& a, pa::Algorithm_AsymmetricEncryption* out);
Algorithm encryption_from_proto(const pa::Algorithm_AsymmetricEncryption& in);
void aead_to_proto(const Algorithm& a, pa::Algorithm_Aead* out);
Algorithm aead_from_proto(const pa::Algorithm_Aead& in);
void mac_to_proto(const Algorithm& a, pa::Algorithm_Mac* out);
Algorithm mac_from_proto(const pa::Algorithm_Mac& in);

// usage flags are written with the implied flags set (UsageFlags::with_implied).
void attributes_to_proto(const KeyAttributes& a, pk::KeyAttributes* out);
KeyAttributes attributes_from_proto(const pk::KeyAttributes& in);

// Key attestation results (ActivateCredential, the only mechanism defined):
// a missing `output` or an output with no mechanism set is InvalidEncoding.
Bytes attest_credential_from_proto(const ::attest_key::Result& in);
PreparedAttestation prepared_attestation_from_proto(const ::prepare_key_attestation::Result& in);

}  // namespace parsec::client::detail
