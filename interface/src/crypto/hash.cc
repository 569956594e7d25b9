#include "parsec/crypto/hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <array>
#include <string>

namespace parsec::crypto {
namespace {

using psa::Hash;

// The PSA hashes with an OID: the OpenSSL name and the OID in dotted form.
// OpenSSL encodes the OID, so no byte string is typed in by hand.
struct Row {
  Hash hash;
  const char* openssl_name;
  const char* oid;
};
constexpr Row kRows[] = {
    {Hash::Md2, "MD2", "1.2.840.113549.2.2"},
    {Hash::Md4, "MD4", "1.2.840.113549.2.4"},
    {Hash::Md5, "MD5", "1.2.840.113549.2.5"},
    {Hash::Ripemd160, "RIPEMD160", "1.3.36.3.2.1"},
    {Hash::Sha1, "SHA1", "1.3.14.3.2.26"},
    {Hash::Sha224, "SHA224", "2.16.840.1.101.3.4.2.4"},
    {Hash::Sha256, "SHA256", "2.16.840.1.101.3.4.2.1"},
    {Hash::Sha384, "SHA384", "2.16.840.1.101.3.4.2.2"},
    {Hash::Sha512, "SHA512", "2.16.840.1.101.3.4.2.3"},
    {Hash::Sha512_224, "SHA512-224", "2.16.840.1.101.3.4.2.5"},
    {Hash::Sha512_256, "SHA512-256", "2.16.840.1.101.3.4.2.6"},
    {Hash::Sha3_224, "SHA3-224", "2.16.840.1.101.3.4.2.7"},
    {Hash::Sha3_256, "SHA3-256", "2.16.840.1.101.3.4.2.8"},
    {Hash::Sha3_384, "SHA3-384", "2.16.840.1.101.3.4.2.9"},
    {Hash::Sha3_512, "SHA3-512", "2.16.840.1.101.3.4.2.10"},
};
constexpr size_t kCount = sizeof kRows / sizeof kRows[0];

Bytes der_oid(const char* dotted) {
  ASN1_OBJECT* obj = OBJ_txt2obj(dotted, 1);
  Bytes out;
  if (obj != nullptr) {
    const int n = i2d_ASN1_OBJECT(obj, nullptr);
    if (n > 0) {
      out.resize(static_cast<size_t>(n));
      unsigned char* p = out.data();
      i2d_ASN1_OBJECT(obj, &p);
    }
    ASN1_OBJECT_free(obj);
  }
  return out;
}

// The table, built once (C++ static initialisation is thread-safe). The
// fetched digests are kept for the life of the process.
const std::array<HashFacts, kCount>& table() {
  static const std::array<HashFacts, kCount> t = [] {
    std::array<HashFacts, kCount> out{};
    for (size_t i = 0; i < kCount; ++i) {
      const Row& r = kRows[i];
      out[i].hash = r.hash;
      out[i].name = psa::hash_name(r.hash);
      out[i].length = psa::hash_length(r.hash);
      out[i].openssl_name = r.openssl_name;
      out[i].md = EVP_MD_fetch(nullptr, r.openssl_name, nullptr);
      out[i].oid = der_oid(r.oid);
    }
    ERR_clear_error();
    return out;
  }();
  return t;
}

}  // namespace

const HashFacts* hash_facts(psa::Hash hash) {
  for (const HashFacts& f : table()) {
    if (f.hash == hash) {
      return &f;
    }
  }
  return nullptr;
}

const EVP_MD* evp_md(psa::Hash hash) {
  const HashFacts* f = hash_facts(hash);
  return f != nullptr ? f->md : nullptr;
}

std::optional<Bytes> digest_info_prefix(psa::Hash hash) {
  const HashFacts* f = hash_facts(hash);
  if (f == nullptr || f->oid.empty()) {
    return std::nullopt;
  }
  // All lengths here are below 128: short-form DER lengths.
  Bytes alg{0x30, static_cast<uint8_t>(f->oid.size() + 2)};
  alg.insert(alg.end(), f->oid.begin(), f->oid.end());
  alg.push_back(0x05);  // NULL parameters
  alg.push_back(0x00);
  Bytes out{0x30, static_cast<uint8_t>(alg.size() + 2 + f->length)};
  out.insert(out.end(), alg.begin(), alg.end());
  out.push_back(0x04);  // OCTET STRING digest
  out.push_back(static_cast<uint8_t>(f->length));
  return out;
}

Result<Bytes> digest(psa::Hash hash, const uint8_t* data, size_t size) {
  const EVP_MD* md = evp_md(hash);
  if (md == nullptr) {
    return {Status::PsaErrorNotSupported, std::string("no software digest for ") + psa::hash_name(hash)};
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data, size, out.data(), &len, md, nullptr) != 1) {
    ERR_clear_error();
    return {Status::PsaErrorGenericError, "digest computation failed"};
  }
  out.resize(len);
  return out;
}

}  // namespace parsec::crypto
