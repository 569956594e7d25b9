// test_support.h - in-memory storage doubles, attribute builders and OpenSSL
// helpers that check the provider's output independently of Mbed TLS.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "parsec/provider/provider.h"
#include "test_attributes.h"

namespace parsec::provider::test {

// FakeStorage holds committed blobs. `fail_reads` makes every call answer
// PsaErrorStorageFailure (a broken database).
class FakeStorage : public StorageReader {
 public:
  Result<std::optional<Bytes>> get(uint64_t uid) override;
  Result<uint64_t> max_uid() override;
  Result<std::vector<uint64_t>> all_uids() override;

  std::map<uint64_t, Bytes> blobs;
  bool fail_reads = false;
};

// FakeTxn stages writes; commit_to applies them to a FakeStorage the way the
// key store commits its database transaction. Dropping it without commit is
// the service discarding a failed transaction.
class FakeTxn : public StorageTxn {
 public:
  void put(uint64_t uid, const Bytes& data) override { staged_[uid] = data; }
  void remove(uint64_t uid) override { staged_[uid] = std::nullopt; }
  std::optional<std::optional<Bytes>> staged(uint64_t uid) const override;

  void commit_to(FakeStorage& storage) const;
  const std::map<uint64_t, std::optional<Bytes>>& all_staged() const { return staged_; }

 private:
  std::map<uint64_t, std::optional<Bytes>> staged_;
};

// ---- operations --------------------------------------------------------------
psa_sign_hash::Operation sign_op(const SignAlg& alg, const Bytes& digest);
psa_verify_hash::Operation verify_op(const SignAlg& alg, const Bytes& digest, const Bytes& signature);
StoredKey stored(const CreatedKey& key, const std::string& name = "key");

// ---- OpenSSL ---------------------------------------------------------------------
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using EvpPkey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

Bytes digest(const char* md_name, const std::string& message);
const char* curve_name(uint32_t bits);  // "P-256" / "P-384"

EvpPkey ossl_generate_ec(uint32_t bits);
EvpPkey ossl_generate_rsa(uint32_t bits);
// ossl_ec_public_from_point / ossl_rsa_public_from_der parse PSA export formats.
EvpPkey ossl_ec_public_from_point(uint32_t bits, const Bytes& point);
EvpPkey ossl_rsa_public_from_der(const Bytes& der);
// ossl_public_encoding gives OpenSSL's own encoding of the public key in the
// PSA format: uncompressed point for EC, PKCS#1 RSAPublicKey DER for RSA.
Bytes ossl_public_encoding(EVP_PKEY* key);
// ossl_private_encoding gives the PSA import format of the private key: the
// big-endian scalar for EC, PKCS#1 RSAPrivateKey DER for RSA.
Bytes ossl_private_encoding(EVP_PKEY* key, uint32_t ec_bits);

enum class RsaPadding { None, Pkcs1v15, Pss };
// ossl_verify checks a signature over a digest; for ECDSA `signature` is raw
// r||s (PSA format) and is converted to DER first.
bool ossl_verify(EVP_PKEY* key, const char* md_name, const Bytes& digest, const Bytes& signature,
                 RsaPadding padding);
// ossl_sign signs a digest; ECDSA signatures are returned raw r||s.
Bytes ossl_sign(EVP_PKEY* key, const char* md_name, const Bytes& digest, RsaPadding padding,
                uint32_t ec_bits = 0);

// its_files_in_cwd lists *.psa_its files in the current directory (where
// Mbed TLS's file backend would write them).
std::vector<std::string> its_files_in_cwd();

}  // namespace parsec::provider::test
