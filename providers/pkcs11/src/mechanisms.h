// mechanisms.h - what a PSA key type or algorithm becomes in PKCS #11:
// supported key shapes, signature plans (mechanism, DigestInfo prefix,
// PSS parameters) and OAEP parameters. Pure functions; no module calls.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"
#include "providers/pkcs11/src/p11.h"
#include "providers/pkcs11/src/soft_crypto.h"

namespace parsec::provider::pkcs11 {

// served_curve_bits: the SECP R1 sizes this provider serves (256, 384, 521).
bool served_curve_bits(size_t bits);
// ec_params: CKA_EC_PARAMS (the curve's DER OID, from the encoding module) of
// a served SECP R1 size, or nullopt.
std::optional<std::vector<uint8_t>> ec_params(size_t bits);
// curve_bytes = ceil(bits / 8).
inline size_t curve_bytes(size_t bits) {
  return (bits + 7) / 8;
}

using Bytes = std::vector<uint8_t>;

// KeyShape is a key type the provider handles: RSA, or ECC on SECP R1.
struct KeyShape {
  bool rsa = false;
  bool pair = false;
  size_t bits = 0;  // 0: not given (imports, CanDoCrypto)
};

// key_shape returns the shape of `a`, or nullopt for a type the provider does
// not handle (symmetric, DH, ECC outside SECP R1 256/384/521). ECC `bits` 0
// is accepted only when `allow_zero_bits`.
std::optional<KeyShape> key_shape(const psa::KeyAttributes& a, bool allow_zero_bits);

// RSA sizes: generated keys 1024-4096 bits, imported keys 1024-8192 bits, in
// whole bytes.
bool rsa_generate_bits_ok(size_t bits);
bool rsa_import_bits_ok(size_t bits);

// HashMechanism is the hash and MGF1 a PKCS #11 PSS/OAEP parameter block
// names for a PSA hash (nullopt for hashes PKCS #11 defines no MGF1 for).
struct HashMechanism {
  CK_MECHANISM_TYPE hash;
  CK_RSA_PKCS_MGF_TYPE mgf;
};
std::optional<HashMechanism> hash_mechanism(psa::Hash hash);

// SignPlan says how one signature is made or checked.
struct SignPlan {
  CK_MECHANISM_TYPE mechanism = 0;  // CKM_ECDSA, CKM_RSA_PKCS or CKM_RSA_PKCS_PSS
  bool ecdsa = false;
  psa::Hash hash = psa::Hash::None;  // hash of the scheme (None for ecdsa_any / raw PKCS #1)
  Bytes prefix;                      // DigestInfo prefix (RSA PKCS #1 v1.5 with a hash)
  soft::RsaSigScheme rsa_scheme = soft::RsaSigScheme::Pkcs1v15;
};

// plan_signature maps a signature algorithm to a plan for signing (`sign`)
// or verifying. PsaErrorNotSupported: deterministic ECDSA signing (PKCS #11
// has no such mechanism), a hash without DigestInfo / PSS parameters, an
// algorithm that is not an asymmetric signature; PsaErrorNotPermitted: the
// scheme does not fit the key type. A policy's `any` hash is planned as
// SHA-256 (CanDoCrypto asks about policies).
Result<SignPlan> plan_signature(const psa::Algorithm& alg, bool sign, const KeyShape& key);

// message_hash returns the hash a hash-and-sign scheme applies to a message,
// or PsaErrorInvalidArgument for ecdsa_any / rsa_pkcs1v15_sign_raw (not
// hash-and-sign, as is any other algorithm) and for the `any` wildcard.
Result<psa::Hash> message_hash(const psa::Algorithm& alg);

// Mechanism is a CK_MECHANISM with the parameter block it points to.
// Not copyable or movable: `m.pParameter` points into the object.
class Mechanism {
 public:
  explicit Mechanism(CK_MECHANISM_TYPE type) { m.mechanism = type; }
  Mechanism(const Mechanism&) = delete;
  Mechanism& operator=(const Mechanism&) = delete;
  // pss sets CK_RSA_PKCS_PSS_PARAMS: hashAlg, MGF1 with that hash, sLen =
  // hash length.
  void pss(const HashMechanism& h, size_t salt_len);
  // oaep sets CK_RSA_PKCS_OAEP_PARAMS with source = CKZ_DATA_SPECIFIED and
  // the label as source data.
  void oaep(const HashMechanism& h, const Bytes& label);
  CK_MECHANISM* get() { return &m; }

 private:
  CK_MECHANISM m{};
  CK_RSA_PKCS_PSS_PARAMS pss_{};
  CK_RSA_PKCS_OAEP_PARAMS oaep_{};
  Bytes label_;
};

}  // namespace parsec::provider::pkcs11
