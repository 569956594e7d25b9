// parsec/crypto/hash.h - the one table of hash facts: for each PSA hash its
// name, digest length, OpenSSL digest and (for PKCS #1 v1.5 signatures) the
// DER DigestInfo prefix built from its OID. Providers, the client core and
// parsec-cli take these facts from here and nowhere else.
// Thread-safe: the table is constant; OpenSSL digests are fetched once.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/psa/algorithm.h"

namespace parsec::crypto {

using Bytes = std::vector<uint8_t>;

// HashFacts is one row of the table.
struct HashFacts {
  psa::Hash hash = psa::Hash::None;
  const char* name = "";               // the reference client's name (psa::hash_name): "Sha256"
  uint32_t length = 0;                 // digest length in bytes (psa::hash_length)
  const char* openssl_name = nullptr;  // OpenSSL's digest name ("SHA2-256"), or null
  const EVP_MD* md = nullptr;          // OpenSSL's digest, or null where the default provider lacks it
  Bytes oid;                           // DER OBJECT IDENTIFIER (tag, length, content); empty if none
};

// hash_facts returns the row of `hash`, or null for None, Any and unknown values.
const HashFacts* hash_facts(psa::Hash hash);

// evp_md: the OpenSSL digest of `hash`, or null (MD2/MD4 and the wildcards).
const EVP_MD* evp_md(psa::Hash hash);

// digest_info_prefix returns the DER bytes of DigestInfo ::= SEQUENCE {
// SEQUENCE { OID, NULL }, OCTET STRING digest } that precede the digest (RFC
// 8017 §9.2 note 1), or nullopt for a hash without an OID (None, Any).
std::optional<Bytes> digest_info_prefix(psa::Hash hash);

// digest hashes data in software. NotSupported for a hash OpenSSL lacks.
Result<Bytes> digest(psa::Hash hash, const uint8_t* data, size_t size);
inline Result<Bytes> digest(psa::Hash hash, const Bytes& data) {
  return digest(hash, data.data(), data.size());
}

}  // namespace parsec::crypto
