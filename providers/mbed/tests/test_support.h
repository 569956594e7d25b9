// test_support.h - in-memory storage doubles, attribute builders and OpenSSL
// helpers that check the provider's output independently of Mbed TLS.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "parsec/provider/provider.h"
#include "providers/mbed/tests/test_attributes.h"

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
psa::op::SignHash sign_op(const SignAlg& alg, const Bytes& digest);
psa::op::VerifyHash verify_op(const SignAlg& alg, const Bytes& digest, const Bytes& signature);
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
bool ossl_verify(EVP_PKEY* key, const char* md_name, const Bytes& digest, const Bytes& signature, RsaPadding padding);
// ossl_sign signs a digest; ECDSA signatures are returned raw r||s.
Bytes ossl_sign(EVP_PKEY* key, const char* md_name, const Bytes& digest, RsaPadding padding, uint32_t ec_bits = 0);

// ---- OpenSSL, beyond P-256/P-384 -------------------------------------------------
// ossl_ec_public_named parses a PSA public point on the OpenSSL group `group`
// ("prime256v1", "secp256k1", "brainpoolP256r1", ...).
EvpPkey ossl_ec_public_named(const char* group, const Bytes& point);
EvpPkey ossl_generate_named(const char* type, const char* group);  // ("EC", "P-521"), ("X25519", nullptr)
// ossl_x25519_public / ossl_x25519_private wrap RFC 7748 raw keys.
EvpPkey ossl_x25519_public(const Bytes& raw);
Bytes ossl_x25519_raw_private(EVP_PKEY* key);
Bytes ossl_x25519_raw_public(EVP_PKEY* key);
// ossl_derive is the ECDH / X25519 shared secret of `own` and `peer`.
Bytes ossl_derive(EVP_PKEY* own, EVP_PKEY* peer);
// ossl_verify_raw_pkcs1 checks an RSA PKCS#1 v1.5 signature whose encoded
// input (DigestInfo || hash, or anything else) is `input`.
bool ossl_verify_raw_pkcs1(EVP_PKEY* key, const Bytes& input, const Bytes& signature);
// ossl_rsa_encrypt / ossl_rsa_decrypt: PKCS#1 v1.5 when `oaep_md` is null,
// otherwise OAEP with that hash (for OAEP and MGF1) and `label`.
Bytes ossl_rsa_encrypt(EVP_PKEY* key, const char* oaep_md, const Bytes& label, const Bytes& plaintext);
Bytes ossl_rsa_decrypt(EVP_PKEY* key, const char* oaep_md, const Bytes& label, const Bytes& ciphertext);
// ossl_raw_rsa is the textbook RSA public operation block^e mod n, used to
// build ciphertexts with chosen (invalid) padding.
Bytes ossl_raw_rsa(EVP_PKEY* key, const Bytes& block);
// ossl_cipher runs the OpenSSL cipher `name` ("AES-128-CBC", "ChaCha20",
// "DES-EDE3-CBC", ...) once; an empty result means failure.
Bytes ossl_cipher(const char* name, bool encrypt, const Bytes& key, const Bytes& iv, const Bytes& in, bool padding);
// ossl_aead_encrypt returns ciphertext || tag for "AES-128-GCM",
// "ChaCha20-Poly1305" (and "AES-*-CCM" with a 7..13-byte nonce).
Bytes ossl_aead_encrypt(const char* name, const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& in,
                        size_t tag_length);
// ossl_aead_decrypt returns the plaintext, or nullopt if not authentic.
std::optional<Bytes> ossl_aead_decrypt(const char* name, const Bytes& key, const Bytes& nonce, const Bytes& aad,
                                       const Bytes& in, size_t tag_length);
Bytes ossl_hmac(const char* md_name, const Bytes& key, const Bytes& data);

// bytes / str convert between the provider's Bytes and std::string.
inline Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
inline std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// its_files_in_cwd lists *.psa_its files in the current directory (where
// Mbed TLS's file backend would write them).
std::vector<std::string> its_files_in_cwd();

}  // namespace parsec::provider::test

namespace parsec {
// Test-only: an Outcome compares equal to the Status it carries, and prints
// as its status and detail, so EXPECT_EQ(provider->verify_hash(...), Status::X)
// reads as before.
inline bool operator==(const Outcome& o, Status s) {
  return o.status() == s;
}
inline void PrintTo(const Outcome& o, std::ostream* os) {
  *os << status_name(o.status()) << (o.detail().empty() ? "" : " (" + o.detail() + ")");
}
}  // namespace parsec
