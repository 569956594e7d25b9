// parsec/interface/psa_proto.h - the one conversion between the plain PSA
// model (parsec/psa/*.h) and the generated wire contracts, used by the service
// (requests in, results out) and the client core (the other way round).
//
// Conversion is strict. Encoding throws Invalid for a value the contract
// cannot carry (Hash::Any outside a signature hash, KeyType::None, an
// out-of-range enum, a kind that does not fit the message). Decoding throws
// Invalid for a message that breaks the contract: empty oneof, missing
// mandatory sub-message, enum value outside the contract. Every Invalid is
// answered with the wire status InvalidEncoding; its message says which rule
// was broken (for the operator's log or the client's exception). Exceptions do
// not cross this module's callers: the service turns them into Failure values
// at its boundary (service/src/operations.cc), the client core into its Error.
// All functions are pure and thread-safe.
#pragma once

#include <stdexcept>
#include <string>

#include "attest_key.pb.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"
#include "parsec/psa/operations.h"
#include "prepare_key_attestation.pb.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"

namespace parsec::psa::proto {

// Invalid: the content breaks the contract (wire status InvalidEncoding).
class Invalid : public std::runtime_error {
 public:
  explicit Invalid(const std::string& what) : std::runtime_error(what) {}
};

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

}  // namespace parsec::psa::proto
