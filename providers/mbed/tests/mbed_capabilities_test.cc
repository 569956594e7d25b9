// CanDoCrypto: the rules of docs/protocol.md, operations §10.3, and the provider's
// capability table checked against the library itself - for every template
// of the grids below, "CanDoCrypto says yes" holds exactly when the
// operation (or the generation) works.
#include <string>
#include <vector>

#include "providers/mbed/tests/known_answers.h"
#include "providers/mbed/tests/ops_fixture.h"

namespace parsec::provider::test {
namespace {

using kat::unhex;
constexpr psa::CheckType DERIVE = psa::CheckType::Derive;
constexpr psa::CheckType GENERATE = psa::CheckType::Generate;
constexpr psa::CheckType IMPORT = psa::CheckType::Import;
constexpr psa::CheckType USE = psa::CheckType::Use;

constexpr Hash kSha256 = psa::Hash::Sha256;
constexpr Hash kSha3_256 = psa::Hash::Sha3_256;
constexpr Family kSecpR1 = psa::EccFamily::SecpR1;
constexpr Family kMontgomery = psa::EccFamily::Montgomery;
constexpr AeadBase kGcm = psa::AeadAlgorithm::Gcm;
constexpr AeadBase kCcm = psa::AeadAlgorithm::Ccm;
constexpr AeadBase kChachaPoly = psa::AeadAlgorithm::Chacha20Poly1305;

constexpr Status kYes = Status::Success;
constexpr Status kNo = Status::PsaErrorNotSupported;

std::vector<Hash> all_hashes() {
  std::vector<Hash> out;
  for (uint32_t h = static_cast<uint32_t>(psa::Hash::Md2); h <= static_cast<uint32_t>(psa::Hash::Sha3_512); ++h) {
    out.push_back(static_cast<Hash>(h));
  }
  return out;
}

const char* yes_no(bool b) {
  return b ? "supported" : "not supported";
}

class CanDo : public OpsTest {
 protected:
  // expect_use_matches checks CanDoCrypto(USE) against `outcome`, the status
  // of really running the policy algorithm with a key of these attributes.
  void expect_use_matches(const KeyAttributes& a, Status outcome) {
    const Status answer = can_do(USE, a);
    EXPECT_EQ(answer == kYes, outcome == Status::Success)
        << describe(a) << ": CanDoCrypto " << yes_no(answer == kYes) << ", operation " << static_cast<int>(outcome);
    // The Import check of the same template agrees (the key is importable).
    EXPECT_EQ(can_do(IMPORT, a), answer) << describe(a);
  }
};

TEST_F(CanDo, RulesOfTheSpec) {
  const KeyAttributes rsa_pss_2048 = make_key(rsa_pair_type(), 2048, sign_alg(rsa_pss(kSha256)), kSignVerify);
  EXPECT_EQ(can_do(USE, rsa_pss_2048), kYes);
  EXPECT_EQ(can_do(GENERATE, rsa_pss_2048), kYes);
  EXPECT_EQ(can_do(IMPORT, rsa_pss_2048), kYes);
  EXPECT_EQ(can_do(DERIVE, rsa_pss_2048), kNo);  // never

  // Use: the policy algorithm must be set, a use flag set, and the type fit.
  EXPECT_EQ(can_do(USE, make_key(aes_type(), 128, no_alg(), kCrypt)), kNo);
  EXPECT_EQ(can_do(USE, make_key(aes_type(), 128, aead(kGcm), kExport | kDerive)), kNo);
  EXPECT_EQ(can_do(USE, make_key(aes_type(), 128, sign_alg(ecdsa(kSha256)), kSignVerify)), kNo);
  EXPECT_EQ(can_do(USE, make_key(raw_data_type(), 64, hmac(kSha256), kSignVerify)), kNo);
  EXPECT_EQ(can_do(USE, make_key(hmac_type(), 256, hmac(kSha256), kSignMessage)), kYes);
  // An ECDH key is used for key agreement only, which is not one of the
  // flags the Use check looks at.
  EXPECT_EQ(can_do(USE, make_key(ecc_pair_type(kSecpR1), 256, ecdh(), kDerive)), kNo);
  EXPECT_EQ(can_do(USE, make_key(ecc_pair_type(kSecpR1), 256, ecdh(), kDerive | kSignHash)), kYes);

  // key_bits 0: "any size", except that RSA needs a size outside an Import.
  const KeyAttributes rsa_any = make_key(rsa_pair_type(), 0, sign_alg(rsa_pss(kSha256)), kSignVerify);
  EXPECT_EQ(can_do(USE, rsa_any), kNo);
  EXPECT_EQ(can_do(GENERATE, rsa_any), kNo);
  EXPECT_EQ(can_do(IMPORT, rsa_any), kYes);
  EXPECT_EQ(can_do(USE, make_key(ecc_pair_type(kSecpR1), 0, sign_alg(ecdsa(kSha256)), kSignVerify)), kYes);
  EXPECT_EQ(can_do(GENERATE, make_key(ecc_pair_type(kSecpR1), 0, sign_alg(ecdsa(kSha256)), kSignVerify)), kNo);
  EXPECT_EQ(can_do(GENERATE, make_key(aes_type(), 0, aead(kGcm), kCrypt)), kNo);
  EXPECT_EQ(can_do(IMPORT, make_key(aes_type(), 0, aead(kGcm), kCrypt)), kYes);

  // Public keys are imported, never generated.
  const KeyAttributes ecc_pub = make_key(ecc_public_type(kSecpR1), 256, sign_alg(ecdsa(kSha256)), kVerifyHash);
  EXPECT_EQ(can_do(GENERATE, ecc_pub), kNo);
  EXPECT_EQ(can_do(IMPORT, ecc_pub), kYes);
  EXPECT_EQ(can_do(USE, ecc_pub), kYes);
  EXPECT_EQ(can_do(IMPORT, make_key(rsa_public_type(), 0, oaep(kSha256), kEncrypt)), kYes);

  // Generate / Import with no algorithm: the type and size alone.
  EXPECT_EQ(can_do(GENERATE, make_key(raw_data_type(), 256, no_alg(), kExport)), kYes);
  EXPECT_EQ(can_do(GENERATE, make_key(rsa_pair_type(), 1536, no_alg(), kExport)), kNo);
  EXPECT_EQ(can_do(GENERATE, make_key(rsa_pair_type(), 3072, no_alg(), kExport)), kYes);

  // What Mbed TLS 2.28 cannot do at all.
  EXPECT_EQ(can_do(GENERATE, make_key(dh_pair_type(), 2048, ffdh(), kDerive)), kNo);
  EXPECT_EQ(can_do(IMPORT, make_key(dh_public_type(), 2048, no_alg(), kExport)), kNo);
  EXPECT_EQ(can_do(IMPORT, make_key(ecc_pair_type(psa::EccFamily::Frp), 256, no_alg(), kExport)), kNo);
  EXPECT_EQ(can_do(USE, make_key(ecc_pair_type(kSecpR1), 256, sign_alg(ecdsa(kSha3_256)), kSignVerify)), kNo);
  EXPECT_EQ(can_do(USE, make_key(ecc_pair_type(kMontgomery), 255, sign_alg(ecdsa(kSha256)), kSignVerify)), kNo);
  EXPECT_EQ(can_do(USE, make_key(aes_type(), 256, cipher(psa::Cipher::Xts), kCrypt)), kNo);
  EXPECT_EQ(can_do(USE, make_key(aes_type(), 128, cbc_mac(), kSignMessage)), kNo);
  EXPECT_EQ(can_do(USE, make_key(chacha20_type(), 256, aead_short(kChachaPoly, 8), kCrypt)), kNo);
}

// ---- generation -------------------------------------------------------------

TEST_F(CanDo, GenerateAnswerMatchesGeneration) {
  struct Type {
    KeyType type;
    std::vector<uint32_t> sizes;
  };
  const Type types[] = {
      {ecc_pair_type(kSecpR1), {0, 160, 192, 224, 256, 384, 512, 521}},
      {ecc_pair_type(psa::EccFamily::SecpK1), {192, 225, 256}},
      {ecc_pair_type(psa::EccFamily::BrainpoolPR1), {160, 192, 256, 320, 384, 512}},
      {ecc_pair_type(kMontgomery), {255, 256, 448}},
      {ecc_pair_type(psa::EccFamily::SectR1), {163, 233}},
      {aes_type(), {0, 64, 128, 192, 256, 512}},
      {camellia_type(), {128, 192, 256, 384}},
      {des_type(), {56, 64, 128, 192, 256}},
      {arc4_type(), {0, 4, 8, 32, 40, 128, 2048, 2056}},
      {chacha20_type(), {128, 256}},
      {hmac_type(), {0, 8, 12, 256, 4096}},
      {raw_data_type(), {7, 8, 1024}},
      {derive_type(), {128, 129}},
      {rsa_pair_type(), {0, 1000, 1024, 1536}},
      {dh_pair_type(), {2048}},
      {rsa_public_type(), {1024}},
      {ecc_public_type(kSecpR1), {256}},
  };
  for (const Type& t : types) {
    for (uint32_t bits : t.sizes) {
      const KeyAttributes a = make_key(t.type, bits, no_alg(), kExport);
      FakeTxn txn;
      Result<CreatedKey> created = provider_->generate_key(a, txn);
      const Status answer = can_do(GENERATE, a);
      EXPECT_TRUE(answer == kYes || answer == kNo);
      EXPECT_EQ(answer == kYes, created.ok()) << describe(a) << ": CanDoCrypto " << yes_no(answer == kYes)
                                              << ", generation " << static_cast<int>(created.status());
      if (created.ok()) {
        provider_->abandon_key(*created);
      }
    }
  }
}

// ---- use ------------------------------------------------------------------------

TEST_F(CanDo, CipherAnswersMatchTheLibrary) {
  struct Type {
    KeyType type;
    uint32_t bits;
  };
  const Type types[] = {
      {aes_type(), 128}, {aes_type(), 256},      {camellia_type(), 128}, {des_type(), 64},  {des_type(), 128},
      {des_type(), 192}, {chacha20_type(), 256}, {arc4_type(), 128},     {arc4_type(), 40},
  };
  for (const Type& t : types) {
    for (uint32_t m = static_cast<uint32_t>(psa::Cipher::StreamCipher);
         m <= static_cast<uint32_t>(psa::Cipher::CbcPkcs7); ++m) {
      const Algorithm alg = cipher(static_cast<Cipher>(m));
      const bool stream = static_cast<Cipher>(m) == psa::Cipher::StreamCipher;
      const bool stream_type = (t.type.kind == psa::KeyType::Chacha20) || (t.type.kind == psa::KeyType::Arc4);
      if (stream != stream_type) {
        continue;  // incompatible (§11.11): the service refuses before the provider
      }
      const KeyAttributes a = make_key(t.type, t.bits, alg, kCrypt);
      const StoredKey k = must_imp(a, std::string(t.bits / 8, '\x3c'));
      const Res out = cipher_encrypt(k, alg, std::string(48, 'p'));
      Status outcome = out.status();
      if (out.ok()) {
        const Res back = cipher_decrypt(k, alg, *out);
        outcome = back.ok() && *back == std::string(48, 'p') ? Status::Success : Status::PsaErrorGenericError;
      }
      expect_use_matches(a, outcome);
    }
  }
}

TEST_F(CanDo, AeadAnswersMatchTheLibrary) {
  struct Type {
    KeyType type;
    uint32_t bits;
  };
  const Type types[] = {{aes_type(), 128}, {aes_type(), 256}, {camellia_type(), 128}, {chacha20_type(), 256}};
  for (const Type& t : types) {
    for (AeadBase base : {kGcm, kCcm, kChachaPoly}) {
      if ((base == kChachaPoly) != (t.type.kind == psa::KeyType::Chacha20)) {
        continue;  // incompatible
      }
      for (uint32_t tag = 0; tag <= 17; ++tag) {
        const Algorithm alg = tag == 0 ? aead(base) : aead_short(base, tag);
        const KeyAttributes a = make_key(t.type, t.bits, alg, kCrypt);
        const StoredKey k = must_imp(a, std::string(t.bits / 8, '\x3c'));
        const std::string nonce(12, 'n');
        const Res out = aead_encrypt(k, alg, nonce, "ad", "plaintext");
        Status outcome = out.status();
        if (out.ok()) {
          const Res back = aead_decrypt(k, alg, nonce, "ad", *out);
          outcome = back.ok() && *back == "plaintext" && out->size() == 9 + (tag == 0 ? 16 : tag)
                        ? Status::Success
                        : Status::PsaErrorGenericError;
        }
        expect_use_matches(a, outcome);
      }
    }
  }
}

TEST_F(CanDo, MacAnswersMatchTheLibrary) {
  std::vector<std::pair<KeyAttributes, std::string>> cases;
  for (Hash h : all_hashes()) {
    for (uint32_t len : {0u, 1u, 3u, 4u, 16u, 20u, 28u, 32u, 48u, 64u, 65u}) {
      const Algorithm alg = len == 0 ? hmac(h) : hmac_truncated(h, len);
      cases.emplace_back(make_key(hmac_type(), 256, alg, kSignMessage | kVerifyMessage), std::string(32, 'k'));
    }
  }
  struct Block {
    KeyType type;
    uint32_t bits;
  };
  for (const Block& b : {Block{aes_type(), 128}, Block{aes_type(), 256}, Block{des_type(), 192}, Block{des_type(), 64},
                         Block{camellia_type(), 128}}) {
    for (const Algorithm& alg : {cmac(), cmac_truncated(4), cmac_truncated(8), cmac_truncated(16), cbc_mac()}) {
      cases.emplace_back(make_key(b.type, b.bits, alg, kSignMessage | kVerifyMessage), std::string(b.bits / 8, 'k'));
    }
  }
  for (const auto& [a, material] : cases) {
    // A truncation PSA cannot encode (64 bytes and more) is refused on import.
    const Result<StoredKey> k = imp(a, material);
    const Algorithm& alg = a.policy;
    Status outcome = k.status();
    if (k.ok()) {
      const Res mac = mac_compute(*k, alg, "input");
      outcome = mac.ok() ? mac_verify(*k, alg, "input", *mac) : mac.status();
    }
    expect_use_matches(a, outcome);
  }
}

TEST_F(CanDo, SignatureAndEncryptionAnswersMatchTheLibrary) {
  // One key per curve; Curve25519 included (it has no ECDSA).
  struct Curve {
    Family family;
    uint32_t bits;
  };
  const Curve curves[] = {{kSecpR1, 256},
                          {kSecpR1, 521},
                          {psa::EccFamily::SecpK1, 256},
                          {psa::EccFamily::BrainpoolPR1, 384},
                          {kMontgomery, 255}};
  for (const Curve& c : curves) {
    const KeyAttributes base = make_key(ecc_pair_type(c.family), c.bits, no_alg(), kExport);
    const StoredKey made = must_gen(base);
    const std::string scalar = ok_str(export_key(made));
    std::vector<SignAlg> algs = {ecdsa_any()};
    for (Hash h : all_hashes()) {
      algs.push_back(ecdsa(h));
      algs.push_back(deterministic_ecdsa(h));
    }
    for (const SignAlg& s : algs) {
      const KeyAttributes a = make_key(ecc_pair_type(c.family), c.bits, sign_alg(s), kSignVerify);
      const StoredKey k = must_imp(a, scalar);
      const std::string input = (s.kind() == psa::AlgorithmKind::EcdsaAny) ? std::string(32, 'h') : "message";
      const Res sig = (s.kind() == psa::AlgorithmKind::EcdsaAny) ? sign_hash(k, s, input) : sign_message(k, s, input);
      Status outcome = sig.status();
      if (sig.ok()) {
        outcome = (s.kind() == psa::AlgorithmKind::EcdsaAny) ? verify_hash(k, s, input, *sig)
                                                             : verify_message(k, s, input, *sig);
      }
      expect_use_matches(a, outcome);
    }
  }

  // RSA-1024 (the published key): every hash with each scheme; PSS and OAEP
  // with the large hashes do not fit in 128 bytes.
  const std::string der = kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE);
  std::vector<SignAlg> rsa_algs = {rsa_pkcs1v15_raw()};
  for (Hash h : all_hashes()) {
    rsa_algs.push_back(rsa_pkcs1v15(h));
    rsa_algs.push_back(rsa_pss(h));
  }
  for (const SignAlg& s : rsa_algs) {
    const KeyAttributes a = make_key(rsa_pair_type(), 1024, sign_alg(s), kSignVerify);
    const StoredKey k = must_imp(a, der);
    const bool raw = (s.kind() == psa::AlgorithmKind::RsaPkcs1v15SignRaw);
    const Res sig = raw ? sign_hash(k, s, "raw input") : sign_message(k, s, "message");
    Status outcome = sig.status();
    if (sig.ok()) {
      outcome = raw ? verify_hash(k, s, "raw input", *sig) : verify_message(k, s, "message", *sig);
    }
    expect_use_matches(a, outcome);
  }
  std::vector<Algorithm> crypt_algs = {pkcs1v15_crypt()};
  for (Hash h : all_hashes()) {
    crypt_algs.push_back(oaep(h));
  }
  for (const Algorithm& alg : crypt_algs) {
    const KeyAttributes a = make_key(rsa_pair_type(), 1024, alg, kCrypt);
    const StoredKey k = must_imp(a, der);
    const Res ct = encrypt(k, alg, "m");
    Status outcome = ct.status();
    if (ct.ok()) {
      const Res pt = decrypt(k, alg, *ct);
      outcome = pt.ok() && *pt == "m" ? Status::Success : Status::PsaErrorGenericError;
    }
    expect_use_matches(a, outcome);
  }
}

TEST_F(CanDo, KeyAgreementAnswersMatchTheLibrary) {
  struct Curve {
    Family family;
    uint32_t bits;
  };
  for (const Curve& c :
       {Curve{kSecpR1, 256}, Curve{kSecpR1, 384}, Curve{kMontgomery, 255}, Curve{psa::EccFamily::BrainpoolPR1, 256}}) {
    // derive | sign_hash: the Use check needs one of its use flags.
    const KeyAttributes a = make_key(ecc_pair_type(c.family), c.bits, ecdh(), kDerive | kSignHash);
    const StoredKey k = must_gen(a);
    const Res peer = export_public(k);
    const Res secret = peer.ok() ? agree(k, ecdh(), *peer) : Res(peer.status());
    expect_use_matches(a, secret.status());
  }
  // A public key cannot agree: nothing to agree with.
  EXPECT_EQ(can_do(USE, make_key(ecc_public_type(kSecpR1), 256, ecdh(), kDerive | kVerifyHash)), kNo);
  EXPECT_EQ(can_do(USE, make_key(dh_pair_type(), 2048, ffdh(), kDerive | kSignHash)), kNo);
}

}  // namespace
}  // namespace parsec::provider::test
