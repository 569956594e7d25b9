// The decoder of upstream Parsec's OnDisk mapping files (bincode of
// psa-crypto's Attributes, docs/storage.md) on hand-built encodings of every
// algorithm shape, and its refusals. The end-to-end import against files
// upstream really wrote is tests/e2e/upstream_import_test.cc.
#include "service/src/upstream_import.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace parsec::service::upstream {
namespace {

using psa::Algorithm;
using psa::Hash;

// Encoder for the test: u32 tags, u64 lengths, little endian.
struct Enc {
  std::string b;
  Enc& u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      b.push_back(static_cast<char>(v >> (8 * i)));
    }
    return *this;
  }
  Enc& u64(uint64_t v) { return u32(static_cast<uint32_t>(v)).u32(static_cast<uint32_t>(v >> 32)); }
  Enc& flags(std::initializer_list<int> ten) {
    for (int f : ten) {
      b.push_back(static_cast<char>(f));
    }
    return *this;
  }
};

// A key-info prefix: 4-byte id 7, persistent, RSA key pair, 2048 bits, sign+verify hash/message.
Enc rsa_pair_prefix() {
  Enc e;
  e.u64(4).u32(7).u32(1).u32(9).u64(2048).flags({0, 0, 0, 0, 0, 1, 1, 1, 1, 0});
  return e;
}

TEST(UpstreamDecode, SignatureAndEncryptionPolicies) {
  Enc pss = rsa_pair_prefix();
  pss.u32(5).u32(2).u32(1);  // AsymmetricSignature::RsaPss { hash_alg: SignHash::Any }
  auto k = decode_key_info(pss.b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->id, (Bytes{7, 0, 0, 0}));
  EXPECT_EQ(k->attributes.type, psa::KeyType::RsaKeyPair);
  EXPECT_EQ(k->attributes.bits, 2048u);
  EXPECT_TRUE(k->attributes.flags.sign_hash && k->attributes.flags.verify_message && !k->attributes.flags.export_);
  EXPECT_EQ(k->attributes.policy, Algorithm::rsa_pss(Hash::Any));

  Enc oaep;
  oaep.u64(4).u32(9).u32(1).u32(9).u64(3072).flags({1, 0, 0, 1, 1, 0, 0, 0, 0, 0});
  oaep.u32(6).u32(1).u32(8);  // AsymmetricEncryption::RsaOaep { Sha512 (tag 8) }
  k = decode_key_info(oaep.b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.policy, Algorithm::rsa_oaep(Hash::Sha512));
  EXPECT_TRUE(k->attributes.flags.export_ && k->attributes.flags.decrypt);
}

TEST(UpstreamDecode, SymmetricAndAgreementPolicies) {
  auto with = [](uint32_t type, uint64_t bits, const std::string& alg) {
    Enc e;
    e.u64(4).u32(1).u32(2).u32(5).u32(type);  // id 1, lifetime Custom(5), then the type
    if (type == 10) {
      e.u32(1);  // SecpR1
    }
    e.u64(bits).flags({0, 0, 0, 1, 1, 1, 1, 0, 0, 1});
    e.b += alg;
    return decode_key_info(e.b);
  };
  // Mac::Truncated { Hmac { Sha256 }, 16 }
  auto k = with(1, 256, Enc().u32(2).u32(1).u32(0).u32(6).u64(16).b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.type, psa::KeyType::Hmac);
  EXPECT_EQ(k->attributes.policy, Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16));
  // Aead::AeadWithShortenedTag { Ccm, 8 }
  k = with(3, 128, Enc().u32(4).u32(1).u32(0).u64(8).b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.policy, Algorithm::aead_ccm(8));
  // Cipher::CbcPkcs7
  k = with(3, 128, Enc().u32(3).u32(7).b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.policy, Algorithm::cipher(psa::Cipher::CbcPkcs7));
  // KeyAgreement::WithKeyDerivation { Ecdh, Hkdf { Sha384 } } on an ECC pair
  k = with(10, 384, Enc().u32(7).u32(1).u32(1).u32(0).u32(7).b);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.family, psa::EccFamily::SecpR1);
  EXPECT_EQ(k->attributes.policy,
            Algorithm::key_agreement_with_derivation(psa::RawKeyAgreement::Ecdh, Algorithm::hkdf(Hash::Sha384)));
}

TEST(UpstreamDecode, RefusesWhatIsNotAMapping) {
  Enc good = rsa_pair_prefix();
  good.u32(5).u32(0).u32(0).u32(6);  // RsaPkcs1v15Sign { Specific(Sha256) }
  ASSERT_TRUE(decode_key_info(good.b).ok());
  // Truncated anywhere.
  for (size_t n = 0; n < good.b.size(); ++n) {
    EXPECT_FALSE(decode_key_info(good.b.substr(0, n)).ok()) << n;
  }
  // Trailing bytes.
  auto r = decode_key_info(good.b + "x");
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_EQ(r.detail(), "trailing bytes after the key attributes");
  // A tag past the last member (hash 15).
  Enc bad = rsa_pair_prefix();
  bad.u32(5).u32(0).u32(0).u32(15);
  r = decode_key_info(bad.b);
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_EQ(r.detail(), "unknown or truncated hash");
  // A flag byte other than 0 or 1.
  Enc flag;
  flag.u64(4).u32(7).u32(1).u32(9).u64(2048).flags({0, 0, 0, 0, 0, 2, 1, 1, 1, 0});
  flag.u32(0);
  EXPECT_FALSE(decode_key_info(flag.b).ok());
  // An ECC key without a curve the model knows: family tag 9.
  Enc ecc;
  ecc.u64(4).u32(7).u32(1).u32(10).u32(9);
  EXPECT_EQ(decode_key_info(ecc.b).detail(), "unknown or truncated curve family");
}

}  // namespace
}  // namespace parsec::service::upstream
