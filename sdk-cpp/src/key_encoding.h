// key_encoding.h - the encodings a Key needs around the service's formats:
// ECDSA r||s <-> DER Ecdsa-Sig-Value, SubjectPublicKeyInfo (DER/PEM) of a PSA
// public key export, SHA-2 digests, and a PKCS#10 request signed elsewhere.
//
// Interim, client-local implementation with OpenSSL (key_encoding.cc): the
// shared encoding module (parsec_encoding, parsec/crypto/*.h) was not available
// when the Key was written; these functions are meant to become thin calls to
// it. Pure functions, thread-safe; failures throw Error (InvalidEncoding for
// malformed input, PsaErrorNotSupported for key types or curves not handled).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "parsec/client/algorithm.h"
#include "parsec/client/info.h"
#include "parsec/client/key.h"
#include "parsec/client/key_attributes.h"

namespace parsec::client::detail {

// ecdsa_raw_to_der: r||s (equal halves) -> DER with minimal INTEGERs.
Bytes ecdsa_raw_to_der(const Bytes& raw);
// ecdsa_der_to_raw: DER -> r||s, each left-padded to scalar_len bytes. Returns
// false when `der` is not one Ecdsa-Sig-Value or a scalar is longer.
bool ecdsa_der_to_raw(const Bytes& der, size_t scalar_len, Bytes& raw);

// public_key_spki wraps the PSA export of an RSA or ECC public key of
// `attributes` in a DER SubjectPublicKeyInfo.
Bytes public_key_spki(const KeyAttributes& attributes, const Bytes& psa_public_key);
// pem_encode: "-----BEGIN label-----", 64 base64 characters per line, LF ends.
std::string pem_encode(const std::string& label, const Bytes& der);

// digest: SHA-224/256/384/512 of data (others: PsaErrorNotSupported).
Bytes digest(Hash hash, const Bytes& data);

// SignDigest returns the signature of a digest as X.509 carries it (DER for
// ECDSA, the plain signature for RSA PKCS#1 v1.5).
using SignDigest = std::function<Bytes(const Bytes& digest)>;
// create_csr builds a CertificationRequest for `spki`, signed with `hash` and
// ECDSA (`ecdsa` true) or RSA PKCS#1 v1.5, and verifies it before returning it.
Bytes create_csr(const CsrSubject& subject, const Bytes& spki, bool ecdsa, Hash hash, const SignDigest& sign);

}  // namespace parsec::client::detail
