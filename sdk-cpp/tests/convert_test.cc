// Algorithm and key attribute conversions to and from the protobuf contracts:
// every variant round-trips, implied flags are set, exact bytes where the spec
// gives them, and values the contract cannot carry are rejected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsec/client/algorithm.h"
#include "parsec/client/error.h"
#include "parsec/client/info.h"
#include "parsec/client/key_attributes.h"
#include "sdk-cpp/src/convert.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::hex_bytes;

std::vector<Algorithm> every_algorithm() {
  std::vector<Algorithm> all = {
      Algorithm::none(),
      Algorithm::hash(Hash::Sha256),
      Algorithm::hash(Hash::Md2),
      Algorithm::hash(Hash::Sha3_512),
      Algorithm::hmac(Hash::Sha384),
      Algorithm::cbc_mac(),
      Algorithm::cmac(),
      Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16),
      Algorithm::truncated_mac(Algorithm::cbc_mac(), 8),
      Algorithm::truncated_mac(Algorithm::cmac(), 0),
      Algorithm::aead_ccm(),
      Algorithm::aead_gcm(),
      Algorithm::aead_chacha20_poly1305(),
      Algorithm::aead_gcm(12),
      Algorithm::aead_ccm(8),
      Algorithm::aead_shortened_tag(AeadAlgorithm::Chacha20Poly1305, 0),
      Algorithm::rsa_pkcs1v15_sign(Hash::Sha256),
      Algorithm::rsa_pkcs1v15_sign(Hash::Any),
      Algorithm::rsa_pkcs1v15_sign_raw(),
      Algorithm::rsa_pss(Hash::Sha512),
      Algorithm::rsa_pss(Hash::Any),
      Algorithm::ecdsa(Hash::Sha256),
      Algorithm::ecdsa(Hash::Any),
      Algorithm::ecdsa_any(),
      Algorithm::deterministic_ecdsa(Hash::Sha384),
      Algorithm::deterministic_ecdsa(Hash::Any),
      Algorithm::rsa_pkcs1v15_crypt(),
      Algorithm::rsa_oaep(Hash::Sha1),
      Algorithm::ecdh(),
      Algorithm::ffdh(),
      Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::hkdf(Hash::Sha256)),
      Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ffdh, Algorithm::tls12_prf(Hash::Sha384)),
      Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::tls12_psk_to_ms(Hash::Sha256)),
      Algorithm::hkdf(Hash::Sha512),
      Algorithm::tls12_prf(Hash::Sha256),
      Algorithm::tls12_psk_to_ms(Hash::Sha384),
  };
  for (uint32_t c = 1; c <= 8; ++c) {
    all.push_back(Algorithm::cipher(static_cast<Cipher>(c)));
  }
  return all;
}

Algorithm round_trip(const Algorithm& a) {
  psa_algorithm::Algorithm p;
  detail::algorithm_to_proto(a, &p);
  std::string wire;
  EXPECT_TRUE(p.SerializeToString(&wire));
  psa_algorithm::Algorithm back;
  EXPECT_TRUE(back.ParseFromString(wire));
  return detail::algorithm_from_proto(back);
}

Status encode_status(const Algorithm& a) {
  try {
    psa_algorithm::Algorithm p;
    detail::algorithm_to_proto(a, &p);
  } catch (const Error& e) {
    return e.status();
  }
  return Status::Success;
}

std::vector<uint8_t> encoded(const Algorithm& a) {
  psa_algorithm::Algorithm p;
  detail::algorithm_to_proto(a, &p);
  std::string wire;
  p.SerializeToString(&wire);
  return std::vector<uint8_t>(wire.begin(), wire.end());
}

TEST(ConvertAlgorithm, EveryVariantRoundTrips) {
  const auto all = every_algorithm();
  // Every AlgorithmKind is covered.
  std::vector<bool> seen(20, false);
  for (const auto& a : all) {
    seen[static_cast<size_t>(a.kind())] = true;
    EXPECT_EQ(round_trip(a), a) << a.to_string();
  }
  for (size_t k = 0; k < seen.size(); ++k) {
    EXPECT_TRUE(seen[k]) << "kind " << algorithm_kind_name(static_cast<AlgorithmKind>(k)) << " not covered";
  }
}

TEST(ConvertAlgorithm, ReencodingGivesTheSameBytes) {
  for (const auto& a : every_algorithm()) {
    EXPECT_EQ(encoded(round_trip(a)), encoded(a)) << a.to_string();
  }
}

TEST(ConvertAlgorithm, ExactBytes) {
  // docs/protocol.md, operations §12.5: rsa_pkcs1v15_sign { hash_alg { specific: SHA_256 } }.
  EXPECT_EQ(encoded(Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)), hex_bytes("32 06 0A 04 0A 02 10 07"));
  // The wildcard is an empty Any message inside SignHash.
  EXPECT_EQ(encoded(Algorithm::ecdsa(Hash::Any)), hex_bytes("32 06 22 04 0A 02 0A 00"));
  // Empty messages are still emitted as tag + length 0.
  EXPECT_EQ(encoded(Algorithm::none()), hex_bytes("0A 00"));
  EXPECT_EQ(encoded(Algorithm::ecdsa_any()), hex_bytes("32 02 2A 00"));
  // Hash and cipher are enum members of the oneof.
  EXPECT_EQ(encoded(Algorithm::hash(Hash::Sha256)), hex_bytes("10 07"));
  EXPECT_EQ(encoded(Algorithm::cipher(Cipher::Ctr)), hex_bytes("20 02"));
  EXPECT_EQ(encoded(Algorithm::ecdh()), hex_bytes("42 02 08 02"));
}

TEST(ConvertAlgorithm, FieldsOfNestedMessages) {
  psa_algorithm::Algorithm p;
  detail::algorithm_to_proto(
      Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::tls12_prf(Hash::Sha384)), &p);
  ASSERT_TRUE(p.key_agreement().has_with_key_derivation());
  EXPECT_EQ(p.key_agreement().with_key_derivation().ka_alg(), psa_algorithm::Algorithm::KeyAgreement::ECDH);
  EXPECT_EQ(p.key_agreement().with_key_derivation().kdf_alg().tls12_prf().hash_alg(),
            psa_algorithm::Algorithm::SHA_384);

  p.Clear();
  detail::algorithm_to_proto(Algorithm::truncated_mac(Algorithm::cbc_mac(), 4), &p);
  EXPECT_TRUE(p.mac().truncated().mac_alg().has_cbc_mac());
  EXPECT_EQ(p.mac().truncated().mac_length(), 4u);
}

TEST(ConvertAlgorithm, UnencodableValuesAreRejected) {
  EXPECT_EQ(encode_status(Algorithm::hmac(Hash::Any)), Status::InvalidEncoding);
  EXPECT_EQ(encode_status(Algorithm::hash(Hash::Any)), Status::InvalidEncoding);
  EXPECT_EQ(encode_status(Algorithm::rsa_oaep(Hash::Any)), Status::InvalidEncoding);
  EXPECT_EQ(encode_status(Algorithm::hash(static_cast<Hash>(16))), Status::InvalidEncoding);
  EXPECT_EQ(encode_status(Algorithm::cipher(static_cast<Cipher>(9))), Status::InvalidEncoding);
  EXPECT_EQ(encode_status(Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::cmac())),
            Status::InvalidEncoding);
  psa_algorithm::Algorithm_AsymmetricSignature sig;
  EXPECT_THROW(detail::signature_to_proto(Algorithm::rsa_oaep(Hash::Sha256), &sig), Error);
  psa_algorithm::Algorithm_Aead aead;
  EXPECT_THROW(detail::aead_to_proto(Algorithm::hmac(Hash::Sha256), &aead), Error);
}

TEST(ConvertAlgorithm, MalformedMessagesAreRejected) {
  auto decode_status = [](const psa_algorithm::Algorithm& p) {
    try {
      detail::algorithm_from_proto(p);
    } catch (const Error& e) {
      return e.status();
    }
    return Status::Success;
  };
  psa_algorithm::Algorithm empty;
  EXPECT_EQ(decode_status(empty), Status::InvalidEncoding);
  psa_algorithm::Algorithm no_hash;
  no_hash.mutable_asymmetric_signature()->mutable_ecdsa();  // hash_alg missing
  EXPECT_EQ(decode_status(no_hash), Status::InvalidEncoding);
  psa_algorithm::Algorithm empty_sign_hash;
  empty_sign_hash.mutable_asymmetric_signature()->mutable_rsa_pss()->mutable_hash_alg();
  EXPECT_EQ(decode_status(empty_sign_hash), Status::InvalidEncoding);
  psa_algorithm::Algorithm unknown_hash;
  unknown_hash.set_hash(static_cast<psa_algorithm::Algorithm_Hash>(40));
  EXPECT_EQ(decode_status(unknown_hash), Status::InvalidEncoding);
  psa_algorithm::Algorithm empty_mac;
  empty_mac.mutable_mac();
  EXPECT_EQ(decode_status(empty_mac), Status::InvalidEncoding);
  psa_algorithm::Algorithm truncated_without_mac;
  truncated_without_mac.mutable_mac()->mutable_truncated()->set_mac_length(3);
  EXPECT_EQ(decode_status(truncated_without_mac), Status::InvalidEncoding);
  psa_algorithm::Algorithm kdf_missing;
  kdf_missing.mutable_key_agreement()->mutable_with_key_derivation()->set_ka_alg(
      psa_algorithm::Algorithm::KeyAgreement::ECDH);
  EXPECT_EQ(decode_status(kdf_missing), Status::InvalidEncoding);
}

TEST(ConvertAlgorithm, ToStringFollowsTheReferenceListing) {
  EXPECT_EQ(Algorithm::ecdsa(Hash::Sha256).to_string(), "AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) })");
  EXPECT_EQ(Algorithm::rsa_pss(Hash::Any).to_string(), "AsymmetricSignature(RsaPss { hash_alg: Any })");
  EXPECT_EQ(Algorithm::rsa_pkcs1v15_crypt().to_string(), "AsymmetricEncryption(RsaPkcs1v15Crypt)");
  EXPECT_EQ(Algorithm::rsa_oaep(Hash::Sha256).to_string(), "AsymmetricEncryption(RsaOaep { hash_alg: Sha256 })");
  EXPECT_EQ(Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16).to_string(),
            "Mac(Truncated { mac_alg: Hmac { hash_alg: Sha256 }, mac_length: 16 })");
  EXPECT_EQ(Algorithm::aead_gcm().to_string(), "Aead(AeadWithDefaultLengthTag(Gcm))");
  EXPECT_EQ(Algorithm::none().to_string(), "None");
  EXPECT_EQ(Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::hkdf(Hash::Sha256)).to_string(),
            "KeyAgreement(WithKeyDerivation { ka_alg: Ecdh, kdf_alg: Hkdf { hash_alg: Sha256 } })");
}

// ---- key attributes ---------------------------------------------------------------

KeyAttributes attributes_round_trip(const KeyAttributes& a) {
  psa_key_attributes::KeyAttributes p;
  detail::attributes_to_proto(a, &p);
  std::string wire;
  EXPECT_TRUE(p.SerializeToString(&wire));
  psa_key_attributes::KeyAttributes back;
  EXPECT_TRUE(back.ParseFromString(wire));
  return detail::attributes_from_proto(back);
}

TEST(ConvertAttributes, EveryKeyTypeRoundTrips) {
  for (uint32_t t = 1; t <= 14; ++t) {
    KeyAttributes a = KeyAttributes::of_type(static_cast<KeyType>(t), 128, Algorithm::none());
    if (is_ecc_key_type(a.type)) {
      for (uint32_t f = 1; f <= 9; ++f) {
        a.family = static_cast<EccFamily>(f);
        EXPECT_EQ(attributes_round_trip(a), a) << a.type_to_string();
      }
    } else {
      EXPECT_EQ(attributes_round_trip(a), a) << a.type_to_string();
    }
  }
}

TEST(ConvertAttributes, EveryFlagRoundTrips) {
  KeyAttributes a = KeyAttributes::of_type(KeyType::Aes, 256, Algorithm::aead_gcm());
  bool UsageFlags::*flags[] = {&UsageFlags::export_,        &UsageFlags::copy,    &UsageFlags::cache,
                               &UsageFlags::encrypt,        &UsageFlags::decrypt, &UsageFlags::sign_message,
                               &UsageFlags::verify_message, &UsageFlags::derive};
  for (auto f : flags) {
    a.flags = UsageFlags();
    a.flags.*f = true;
    EXPECT_EQ(attributes_round_trip(a), a);
  }
  for (const auto& alg : every_algorithm()) {
    a.policy = alg;
    EXPECT_EQ(attributes_round_trip(a).policy, alg) << alg.to_string();
  }
}

TEST(ConvertAttributes, ImpliedFlagsAreSetBeforeEncoding) {
  KeyAttributes a = KeyAttributes::of_type(KeyType::EccKeyPair, 256, Algorithm::ecdsa(Hash::Sha256));
  a.family = EccFamily::SecpR1;
  a.flags = UsageFlags();
  a.flags.sign_hash = true;
  psa_key_attributes::KeyAttributes p;
  detail::attributes_to_proto(a, &p);
  const auto& f = p.key_policy().key_usage_flags();
  EXPECT_TRUE(f.sign_hash());
  EXPECT_TRUE(f.sign_message());
  EXPECT_FALSE(f.verify_hash());
  EXPECT_FALSE(f.verify_message());

  a.flags = UsageFlags();
  a.flags.verify_hash = true;
  p.Clear();
  detail::attributes_to_proto(a, &p);
  EXPECT_TRUE(p.key_policy().key_usage_flags().verify_message());
  EXPECT_FALSE(p.key_policy().key_usage_flags().sign_message());
  // The caller's value is not changed.
  EXPECT_FALSE(a.flags.verify_message);
  EXPECT_TRUE(a.flags.with_implied().verify_message);
}

TEST(ConvertAttributes, ExactBytesOfTheSpecExample) {
  KeyAttributes a;
  a.type = KeyType::RsaKeyPair;
  a.bits = 2048;
  a.flags.sign_hash = a.flags.verify_hash = true;
  a.policy = Algorithm::rsa_pkcs1v15_sign(Hash::Sha256);
  psa_key_attributes::KeyAttributes p;
  detail::attributes_to_proto(a, &p);
  std::string wire;
  p.SerializeToString(&wire);
  EXPECT_EQ(std::vector<uint8_t>(wire.begin(), wire.end()),
            hex_bytes("0A 02 52 00 10 80 10 1A 14 0A 08 30 01 38 01 40 01 48 01 12 08 32 06 0A 04 0A 02 10 07"));
}

TEST(ConvertAttributes, DhFamilyZeroIsAbsentOnTheWire) {
  KeyAttributes a = KeyAttributes::dh_key_pair(2048, Algorithm::ffdh());
  psa_key_attributes::KeyAttributes p;
  detail::attributes_to_proto(a, &p);
  std::string type_wire;
  p.key_type().SerializeToString(&type_wire);
  EXPECT_EQ(std::vector<uint8_t>(type_wire.begin(), type_wire.end()), hex_bytes("6A 00"));
  EXPECT_EQ(attributes_round_trip(a), a);
}

TEST(ConvertAttributes, InvalidValuesAreRejected) {
  psa_key_attributes::KeyAttributes p;
  KeyAttributes none;  // KeyType::None
  try {
    detail::attributes_to_proto(none, &p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding);
  }
  KeyAttributes bad_family = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa_any());
  bad_family.family = static_cast<EccFamily>(10);
  EXPECT_THROW(detail::attributes_to_proto(bad_family, &p), Error);

  auto decode_status = [](const psa_key_attributes::KeyAttributes& in) {
    try {
      detail::attributes_from_proto(in);
    } catch (const Error& e) {
      return e.status();
    }
    return Status::Success;
  };
  psa_key_attributes::KeyAttributes empty;
  EXPECT_EQ(decode_status(empty), Status::InvalidEncoding);
  psa_key_attributes::KeyAttributes ok;
  detail::attributes_to_proto(KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pss(Hash::Sha256)), &ok);
  EXPECT_EQ(decode_status(ok), Status::Success);
  auto no_type = ok;
  no_type.mutable_key_type()->Clear();
  EXPECT_EQ(decode_status(no_type), Status::InvalidEncoding);
  auto no_flags = ok;
  no_flags.mutable_key_policy()->clear_key_usage_flags();
  EXPECT_EQ(decode_status(no_flags), Status::InvalidEncoding);
  auto no_alg = ok;
  no_alg.mutable_key_policy()->clear_key_algorithm();
  EXPECT_EQ(decode_status(no_alg), Status::InvalidEncoding);
}

TEST(KeyAttributesBuilders, FlagsFollowThePolicy) {
  const auto ecc = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256));
  EXPECT_EQ(ecc.type, KeyType::EccKeyPair);
  EXPECT_EQ(ecc.family, EccFamily::SecpR1);
  EXPECT_TRUE(ecc.flags.sign_hash && ecc.flags.verify_hash && ecc.flags.sign_message && ecc.flags.verify_message);
  EXPECT_FALSE(ecc.flags.encrypt || ecc.flags.export_);
  EXPECT_EQ(ecc.type_to_string(), "EccKeyPair { curve_family: SecpR1 }");

  const auto pub = KeyAttributes::rsa_public_key(2048, Algorithm::rsa_oaep(Hash::Sha256));
  EXPECT_TRUE(pub.flags.encrypt);
  EXPECT_FALSE(pub.flags.decrypt);
  const auto verify_only = KeyAttributes::ecc_public_key(384, Algorithm::ecdsa(Hash::Sha384));
  EXPECT_TRUE(verify_only.flags.verify_hash);
  EXPECT_FALSE(verify_only.flags.sign_hash);

  EXPECT_TRUE(UsageFlags::for_policy(Algorithm::hmac(Hash::Sha256)).sign_message);
  EXPECT_TRUE(UsageFlags::for_policy(Algorithm::ecdh()).derive);
  EXPECT_EQ(UsageFlags::for_policy(Algorithm::hash(Hash::Sha256)), UsageFlags());
  EXPECT_EQ(KeyAttributes::rsa_key_pair(1024, Algorithm::none()).type_to_string(), "RsaKeyPair");
}

}  // namespace
}  // namespace parsec::client
