// soft_crypto.h - the OpenSSL side of the provider: digests for the
// *_message operations, public-key operations done in software
// (software_public_operations, or mechanisms the token refuses), OAEP
// decoding after a raw RSA decryption on the token, and EC point arithmetic
// for imported private keys. No function here sees a private key held by the
// token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/psa/algorithm.h"

namespace parsec::provider::pkcs11::soft {

using Bytes = std::vector<uint8_t>;

// digest hashes `data`; PsaErrorNotSupported for hashes OpenSSL does not
// offer (MD2, MD4) and for None / Any.
Result<Bytes> digest(psa::Hash hash, const Bytes& data);
bool digest_supported(psa::Hash hash);

// verify_ecdsa checks a raw r||s signature over `hash` with an uncompressed
// point on the SECP R1 curve of `bits` bits: Success or PsaErrorInvalidSignature.
Status verify_ecdsa(size_t bits, const Bytes& point, const Bytes& hash, const Bytes& signature);

enum class RsaSigScheme { Pkcs1v15, Pkcs1v15Raw, Pss };
// verify_rsa checks an RSA signature with a DER RSAPublicKey. `scheme_hash` names
// the hash of Pkcs1v15 (DigestInfo) and Pss (hash, MGF1, salt length = hash
// length); it is ignored for Pkcs1v15Raw.
Status verify_rsa(const Bytes& rsa_public_der, RsaSigScheme scheme, psa::Hash scheme_hash, const Bytes& hash,
                  const Bytes& signature);

// rsa_encrypt encrypts with a DER RSAPublicKey: PKCS #1 v1.5 when `oaep` is
// false, else OAEP with `hash` for both OAEP and MGF1 and `label`.
Result<Bytes> rsa_encrypt(const Bytes& rsa_public_der, bool oaep, psa::Hash hash, const Bytes& label,
                          const SecretBytes& plaintext);

// oaep_decode removes OAEP padding (RFC 8017 §7.1.2 step 3) from the output
// of a raw RSA decryption, `modulus_len` bytes, in constant time. Any failure
// is PsaErrorInvalidPadding.
Result<SecretBytes> oaep_decode(const SecretBytes& em, size_t modulus_len, psa::Hash hash, const Bytes& label);

// ec_public_point computes the uncompressed point of a private scalar on the
// SECP R1 curve of `bits` bits; PsaErrorInvalidArgument if the scalar is not
// in [1, n-1].
Result<Bytes> ec_public_point(size_t bits, const SecretBytes& scalar);
// ec_point_valid: `point` is an uncompressed point on that curve.
bool ec_point_valid(size_t bits, const Bytes& point);

// rsa_key_consistent: n == p * q, checked before a private key is imported.
bool rsa_key_consistent(const SecretBytes& n, const SecretBytes& p, const SecretBytes& q);

// random_bytes fills `out` from the system CSPRNG (key identifiers).
bool random_bytes(uint8_t* out, size_t n);

}  // namespace parsec::provider::pkcs11::soft
