// policy_test.cc - contract validation and key policy checks on the plain PSA
// model (docs/protocol.md, operations §2, §11.10, §11.11, §12), ported from
// the protobuf-based service/tests/policy_test.cc. Shapes only protobuf can
// express (an empty oneof, a missing mandatory sub-message, an enum outside the
// contract) are refused by the wire conversion (psa::proto::Invalid); those
// cases test parsec/interface/psa_proto.h. Values the conversion lets through
// but the contract forbids (Hash::None, Cipher::None, AeadAlgorithm::None,
// RawKeyAgreement::None, KeyType::None, EccFamily::None) are refused by
// psa::policy::validate_* with InvalidEncoding.
#include "parsec/psa/policy.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "parsec/interface/psa_proto.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"

namespace parsec::psa::policy {
namespace {

namespace pa = ::psa_algorithm;
namespace pk = ::psa_key_attributes;
using proto::Invalid;

// ---- assertions ----------------------------------------------------------------

// Is: the outcome has status `want`; a mismatch prints both names and the detail.
::testing::AssertionResult Is(const Outcome& o, Status want) {
  if (o.status() == want) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "status " << status_name(o.status()) << " (detail \"" << o.detail()
                                       << "\"), want " << status_name(want);
}

// ---- builders ----------------------------------------------------------------

enum class Scheme { Pkcs1v15, Pss, Ecdsa, DetEcdsa };
constexpr Scheme kHashSchemes[] = {Scheme::Pkcs1v15, Scheme::Pss, Scheme::Ecdsa, Scheme::DetEcdsa};

Algorithm sig(Scheme scheme, Hash h) {
  switch (scheme) {
    case Scheme::Pkcs1v15:
      return Algorithm::rsa_pkcs1v15_sign(h);
    case Scheme::Pss:
      return Algorithm::rsa_pss(h);
    case Scheme::Ecdsa:
      return Algorithm::ecdsa(h);
    case Scheme::DetEcdsa:
      return Algorithm::deterministic_ecdsa(h);
  }
  return Algorithm::none();
}

Algorithm sig_any(Scheme scheme) {
  return sig(scheme, Hash::Any);
}

enum class Kdf { Hkdf, Tls12Prf, Tls12PskToMs };

Algorithm kdf(Kdf k, Hash h) {
  switch (k) {
    case Kdf::Hkdf:
      return Algorithm::hkdf(h);
    case Kdf::Tls12Prf:
      return Algorithm::tls12_prf(h);
    case Kdf::Tls12PskToMs:
      return Algorithm::tls12_psk_to_ms(h);
  }
  return Algorithm::none();
}

Algorithm ka_with_kdf(RawKeyAgreement raw, Kdf k, Hash h) {
  return Algorithm::key_agreement_with_derivation(raw, kdf(k, h));
}

constexpr KeyType kAllKeyTypes[] = {
    KeyType::RawData,    KeyType::Hmac,         KeyType::Derive,    KeyType::Aes,        KeyType::Camellia,
    KeyType::Des,        KeyType::Arc4,         KeyType::Chacha20,  KeyType::RsaKeyPair, KeyType::RsaPublicKey,
    KeyType::EccKeyPair, KeyType::EccPublicKey, KeyType::DhKeyPair, KeyType::DhPublicKey};

// attrs builds a template with the model's factories (ECC types on SECP R1 unless
// `family` says otherwise, DH types on RFC 7919) and NO usage flag, as the old
// protobuf template had: each test grants the flags it needs.
KeyAttributes attrs(KeyType type, uint32_t bits, const Algorithm& alg, EccFamily family = EccFamily::SecpR1) {
  KeyAttributes a;
  switch (type) {
    case KeyType::EccKeyPair:
      a = KeyAttributes::ecc_key_pair(bits, alg, family);
      break;
    case KeyType::EccPublicKey:
      a = KeyAttributes::ecc_public_key(bits, alg, family);
      break;
    case KeyType::RsaKeyPair:
      a = KeyAttributes::rsa_key_pair(bits, alg);
      break;
    case KeyType::RsaPublicKey:
      a = KeyAttributes::rsa_public_key(bits, alg);
      break;
    case KeyType::DhKeyPair:
      a = KeyAttributes::dh_key_pair(bits, alg);
      break;
    case KeyType::DhPublicKey:
      a = KeyAttributes::dh_public_key(bits, alg);
      break;
    default:
      a = KeyAttributes::of_type(type, bits, alg);
      break;
  }
  a.flags = UsageFlags{};
  return a;
}

KeyAttributes ecc_pair(EccFamily f, uint32_t bits, const Algorithm& alg) {
  return attrs(KeyType::EccKeyPair, bits, alg, f);
}

KeyAttributes ecc_public(EccFamily f, uint32_t bits, const Algorithm& alg) {
  return attrs(KeyType::EccPublicKey, bits, alg, f);
}

// A valid ECDSA P-256 signing key template.
KeyAttributes ecdsa_p256() {
  KeyAttributes a = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256));
  a.flags = UsageFlags{};
  a.flags.sign_hash = true;
  return a;
}

// The same template as the wire carries it.
pk::KeyAttributes wire_ecdsa_p256() {
  pk::KeyAttributes m;
  proto::attributes_to_proto(ecdsa_p256(), &m);
  return m;
}

constexpr Hash kAllHashes[] = {Hash::Md2,        Hash::Md4,      Hash::Md5,      Hash::Ripemd160, Hash::Sha1,
                               Hash::Sha224,     Hash::Sha256,   Hash::Sha384,   Hash::Sha512,    Hash::Sha512_224,
                               Hash::Sha512_256, Hash::Sha3_224, Hash::Sha3_256, Hash::Sha3_384,  Hash::Sha3_512};

// ---- validate_attributes -------------------------------------------------------

TEST(PolicyValidateAttributesTest, ValidTemplateAccepted) {
  EXPECT_TRUE(Is(validate_attributes(ecdsa_p256()), Status::Success));
  // Every key type with a valid algorithm.
  for (KeyType k : kAllKeyTypes) {
    EXPECT_TRUE(Is(validate_attributes(attrs(k, 0, Algorithm::none())), Status::Success)) << key_type_name(k);
  }
}

TEST(PolicyValidateAttributesTest, MissingKeyType) {
  // On the wire: key_type absent.
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.clear_key_type();
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
  // On the model: KeyType::None is "not set".
  KeyAttributes a = ecdsa_p256();
  a.type = KeyType::None;
  EXPECT_TRUE(Is(validate_attributes(a), Status::InvalidEncoding));
}

TEST(PolicyValidateAttributesTest, KeyTypeWithoutVariant) {
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_type()->Clear();
  ASSERT_TRUE(m.has_key_type());
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
  // A model key type outside the contract.
  KeyAttributes a = ecdsa_p256();
  for (uint32_t v : {15u, 42u, 0xFFFFFFFFu}) {
    a.type = static_cast<KeyType>(v);
    EXPECT_TRUE(Is(validate_attributes(a), Status::InvalidEncoding)) << v;
  }
}

TEST(PolicyValidateAttributesTest, MissingKeyPolicy) {
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.clear_key_policy();
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
}

TEST(PolicyValidateAttributesTest, MissingUsageFlags) {
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_policy()->clear_key_usage_flags();
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
}

TEST(PolicyValidateAttributesTest, MissingAlgorithm) {
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_policy()->clear_key_algorithm();
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
  // The untouched template decodes (the refusals above are the removed parts).
  // (attributes_to_proto sends sign_message with sign_hash, as the service stores it.)
  KeyAttributes want = ecdsa_p256();
  normalise_flags(want);
  EXPECT_EQ(proto::attributes_from_proto(wire_ecdsa_p256()), want);
}

TEST(PolicyValidateAttributesTest, EccFamilyNone) {
  const Algorithm ecdsa256 = Algorithm::ecdsa(Hash::Sha256);
  EXPECT_TRUE(Is(validate_attributes(ecc_pair(EccFamily::None, 256, ecdsa256)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_attributes(ecc_public(EccFamily::None, 256, ecdsa256)), Status::InvalidEncoding));
  // The wire conversion lets ECC_FAMILY_NONE through; validation refuses it.
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(pk::KeyType::ECC_FAMILY_NONE);
  KeyAttributes decoded;
  ASSERT_NO_THROW(decoded = proto::attributes_from_proto(m));
  EXPECT_EQ(decoded.family, EccFamily::None);
  const Outcome r = validate_attributes(decoded);
  EXPECT_TRUE(Is(r, Status::InvalidEncoding));
  EXPECT_EQ(r.detail(), "ECC key attributes without a curve family");
}

TEST(PolicyValidateAttributesTest, EccFamilyOutOfRange) {
  const Algorithm ecdsa256 = Algorithm::ecdsa(Hash::Sha256);
  for (int v : {10, 42, 1000, -1}) {
    const auto f = static_cast<EccFamily>(v);
    EXPECT_TRUE(Is(validate_attributes(ecc_pair(f, 256, ecdsa256)), Status::InvalidEncoding)) << v;
    EXPECT_TRUE(Is(validate_attributes(ecc_public(f, 256, ecdsa256)), Status::InvalidEncoding)) << v;
  }
  // The same from the wire: KeyAttributes { key_type { ecc_key_pair { curve_family: 42 } } ... }.
  pk::KeyAttributes good = wire_ecdsa_p256();
  std::string wire;
  ASSERT_TRUE(good.SerializeToString(&wire));
  pk::KeyAttributes parsed;
  // key_type (field 1) = { ecc_key_pair (field 11) = { curve_family (field 1) = 42 } }
  const std::string bad_type("\x0A\x04\x5A\x02\x08\x2A", 6);
  ASSERT_TRUE(parsed.ParseFromString(wire));
  pk::KeyAttributes overlay;
  ASSERT_TRUE(overlay.ParseFromString(bad_type));
  parsed.clear_key_type();
  parsed.MergeFrom(overlay);
  ASSERT_TRUE(parsed.key_type().has_ecc_key_pair());
  EXPECT_EQ(static_cast<int>(parsed.key_type().ecc_key_pair().curve_family()), 42);
  EXPECT_THROW(proto::attributes_from_proto(parsed), Invalid);
  // Every defined family is accepted, by the conversion and by validation.
  for (int v = 1; v <= 9; ++v) {
    const auto f = static_cast<EccFamily>(v);
    EXPECT_TRUE(Is(validate_attributes(ecc_pair(f, 256, ecdsa256)), Status::Success)) << v;
    EXPECT_TRUE(Is(validate_attributes(ecc_public(f, 256, ecdsa256)), Status::Success)) << v;
    pk::KeyAttributes m = wire_ecdsa_p256();
    m.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(static_cast<pk::KeyType::EccFamily>(v));
    KeyAttributes decoded;
    ASSERT_NO_THROW(decoded = proto::attributes_from_proto(m)) << v;
    EXPECT_EQ(decoded.family, f);
    EXPECT_TRUE(Is(validate_attributes(decoded), Status::Success)) << v;
  }
}

TEST(PolicyValidateAttributesTest, DhFamilyZeroIsValidUnknownIsNot) {
  KeyAttributes a = attrs(KeyType::DhKeyPair, 2048, Algorithm::none());
  EXPECT_TRUE(Is(validate_attributes(a), Status::Success));
  a.dh_family = static_cast<DhFamily>(3);
  EXPECT_TRUE(Is(validate_attributes(a), Status::InvalidEncoding));
  a = attrs(KeyType::DhPublicKey, 2048, Algorithm::none());
  EXPECT_TRUE(Is(validate_attributes(a), Status::Success));
  a.dh_family = static_cast<DhFamily>(7);
  EXPECT_TRUE(Is(validate_attributes(a), Status::InvalidEncoding));
  // From the wire: group family 0 decodes, an unknown one is refused.
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_type()->mutable_dh_key_pair()->set_group_family(pk::KeyType::RFC7919);
  m.mutable_key_policy()->mutable_key_algorithm()->mutable_none();
  EXPECT_TRUE(Is(validate_attributes(proto::attributes_from_proto(m)), Status::Success));
  m.mutable_key_type()->mutable_dh_key_pair()->set_group_family(static_cast<pk::KeyType::DhFamily>(3));
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
  m.mutable_key_type()->mutable_dh_public_key()->set_group_family(static_cast<pk::KeyType::DhFamily>(7));
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
}

TEST(PolicyValidateAttributesTest, EmptyAlgorithmOneof) {
  pk::KeyAttributes m = wire_ecdsa_p256();
  m.mutable_key_policy()->mutable_key_algorithm()->Clear();
  ASSERT_TRUE(m.key_policy().has_key_algorithm());
  EXPECT_THROW(proto::attributes_from_proto(m), Invalid);
  EXPECT_THROW(proto::algorithm_from_proto(pa::Algorithm()), Invalid);
}

TEST(PolicyValidateAttributesTest, SignHashOneofEmpty) {
  // hash_alg present but with neither `any` nor `specific`, for every hash-and-sign scheme.
  for (Scheme s : kHashSchemes) {
    SCOPED_TRACE(static_cast<int>(s));
    pa::Algorithm_AsymmetricSignature m;
    proto::signature_to_proto(sig(s, Hash::Sha256), &m);
    switch (s) {
      case Scheme::Pkcs1v15:
        m.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg()->Clear();
        ASSERT_TRUE(m.rsa_pkcs1v15_sign().has_hash_alg());
        break;
      case Scheme::Pss:
        m.mutable_rsa_pss()->mutable_hash_alg()->Clear();
        ASSERT_TRUE(m.rsa_pss().has_hash_alg());
        break;
      case Scheme::Ecdsa:
        m.mutable_ecdsa()->mutable_hash_alg()->Clear();
        ASSERT_TRUE(m.ecdsa().has_hash_alg());
        break;
      case Scheme::DetEcdsa:
        m.mutable_deterministic_ecdsa()->mutable_hash_alg()->Clear();
        ASSERT_TRUE(m.deterministic_ecdsa().has_hash_alg());
        break;
    }
    EXPECT_THROW(proto::signature_from_proto(m), Invalid);
    pk::KeyAttributes k = wire_ecdsa_p256();
    *k.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_signature() = m;
    EXPECT_THROW(proto::attributes_from_proto(k), Invalid);
  }
  // hash_alg absent altogether (mandatory).
  pa::Algorithm missing;
  missing.mutable_asymmetric_signature()->mutable_ecdsa();
  EXPECT_THROW(proto::algorithm_from_proto(missing), Invalid);
  pk::KeyAttributes k = wire_ecdsa_p256();
  *k.mutable_key_policy()->mutable_key_algorithm() = missing;
  EXPECT_THROW(proto::attributes_from_proto(k), Invalid);
  missing.mutable_asymmetric_signature()->mutable_rsa_pss();
  EXPECT_THROW(proto::algorithm_from_proto(missing), Invalid);
  EXPECT_THROW(proto::signature_from_proto(missing.asymmetric_signature()), Invalid);
  // AsymmetricSignature with no scheme set.
  pa::Algorithm empty_sig;
  empty_sig.mutable_asymmetric_signature();
  EXPECT_THROW(proto::algorithm_from_proto(empty_sig), Invalid);
  EXPECT_THROW(proto::signature_from_proto(pa::Algorithm_AsymmetricSignature()), Invalid);
  *k.mutable_key_policy()->mutable_key_algorithm() = empty_sig;
  EXPECT_THROW(proto::attributes_from_proto(k), Invalid);
}

TEST(PolicyValidateAttributesTest, HashNoneInEcdsaSpecific) {
  for (Scheme s : kHashSchemes) {
    SCOPED_TRACE(static_cast<int>(s));
    const KeyType t = (s == Scheme::Pkcs1v15 || s == Scheme::Pss) ? KeyType::RsaKeyPair : KeyType::EccKeyPair;
    const uint32_t bits = t == KeyType::RsaKeyPair ? 2048 : 256;
    EXPECT_TRUE(Is(validate_attributes(attrs(t, bits, sig(s, Hash::None))), Status::InvalidEncoding));
    EXPECT_TRUE(Is(validate_attributes(attrs(t, bits, sig(s, static_cast<Hash>(16)))), Status::InvalidEncoding));
    // `any` is fine in a policy.
    EXPECT_TRUE(Is(validate_attributes(attrs(t, bits, sig_any(s))), Status::Success));
  }
  // From the wire: specific HASH_NONE decodes and validation refuses it; 16 is refused by the conversion.
  pa::Algorithm m;
  m.mutable_asymmetric_signature()->mutable_ecdsa()->mutable_hash_alg()->set_specific(pa::Algorithm::HASH_NONE);
  Algorithm decoded;
  ASSERT_NO_THROW(decoded = proto::algorithm_from_proto(m));
  EXPECT_EQ(decoded, Algorithm::ecdsa(Hash::None));
  EXPECT_TRUE(Is(validate_attributes(attrs(KeyType::EccKeyPair, 256, decoded)), Status::InvalidEncoding));
  m.mutable_asymmetric_signature()->mutable_ecdsa()->mutable_hash_alg()->set_specific(
      static_cast<pa::Algorithm::Hash>(16));
  EXPECT_THROW(proto::algorithm_from_proto(m), Invalid);
  m.mutable_asymmetric_signature()->mutable_ecdsa()->mutable_hash_alg()->mutable_any();
  ASSERT_NO_THROW(decoded = proto::algorithm_from_proto(m));
  EXPECT_EQ(decoded, Algorithm::ecdsa(Hash::Any));
}

TEST(PolicyValidateAlgorithmTest, NestedContractRules) {
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::none()), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hash(Hash::Sha256)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hash(Hash::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hmac(Hash::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hmac(Hash::Sha256)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16)), Status::Success));
  EXPECT_TRUE(
      Is(validate_algorithm(Algorithm::truncated_mac(Algorithm::hmac(Hash::None), 16)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::cbc_mac()), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::truncated_mac(Algorithm::cmac(), 8)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::cipher(Cipher::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::cipher(static_cast<Cipher>(9))), Status::InvalidEncoding));
  EXPECT_EQ(validate_algorithm(Algorithm::cipher(static_cast<Cipher>(9))).detail(), "cipher mode 9 is not defined");
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::cipher(Cipher::CbcPkcs7)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::aead(AeadAlgorithm::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::aead_shortened_tag(AeadAlgorithm::None, 8)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::aead(static_cast<AeadAlgorithm>(4))), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::aead_gcm(8)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::aead_gcm()), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::rsa_oaep(Hash::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::rsa_oaep(Hash::Sha256)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::rsa_pkcs1v15_crypt()), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::raw_key_agreement(RawKeyAgreement::None)), Status::InvalidEncoding));
  EXPECT_TRUE(
      Is(validate_algorithm(Algorithm::raw_key_agreement(static_cast<RawKeyAgreement>(3))), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::ecdh()), Status::Success));
  EXPECT_TRUE(
      Is(validate_algorithm(ka_with_kdf(RawKeyAgreement::None, Kdf::Hkdf, Hash::Sha256)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(ka_with_kdf(static_cast<RawKeyAgreement>(3), Kdf::Hkdf, Hash::Sha256)),
                 Status::InvalidEncoding));
  EXPECT_TRUE(
      Is(validate_algorithm(ka_with_kdf(RawKeyAgreement::Ecdh, Kdf::Hkdf, Hash::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(ka_with_kdf(RawKeyAgreement::Ffdh, Kdf::Tls12Prf, Hash::Sha384)), Status::Success));
  // The model's form of a with_key_derivation without its mandatory kdf_alg:
  // a kdf that is not a key derivation.
  for (const Algorithm& not_kdf : {Algorithm::none(), Algorithm::hmac(Hash::Sha256), Algorithm::hash(Hash::Sha256)}) {
    const Outcome r = validate_algorithm(Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, not_kdf));
    EXPECT_TRUE(Is(r, Status::InvalidEncoding)) << not_kdf.to_string();
  }
  EXPECT_TRUE(Is(validate_algorithm(kdf(Kdf::Tls12PskToMs, Hash::None)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(kdf(Kdf::Hkdf, Hash::Sha256)), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::rsa_pkcs1v15_sign_raw()), Status::Success));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::ecdsa_any()), Status::Success));
  // Hash::Any is a wildcard of hash-and-sign signatures only.
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hash(Hash::Any)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::hmac(Hash::Any)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(Algorithm::rsa_oaep(Hash::Any)), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_algorithm(kdf(Kdf::Hkdf, Hash::Any)), Status::InvalidEncoding));
  // validate_hash: a specific, defined hash.
  for (Hash h : kAllHashes) {
    EXPECT_TRUE(Is(validate_hash(h), Status::Success)) << hash_name(h);
  }
  EXPECT_TRUE(Is(validate_hash(Hash::None), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_hash(Hash::Any), Status::InvalidEncoding));
  EXPECT_TRUE(Is(validate_hash(static_cast<Hash>(16)), Status::InvalidEncoding));
  // A key policy carries the algorithm's refusal.
  const Outcome r = validate_attributes(attrs(KeyType::Aes, 128, Algorithm::cipher(Cipher::None)));
  EXPECT_TRUE(Is(r, Status::InvalidEncoding));
  EXPECT_EQ(r.detail(), "key policy: cipher mode None");
}

// The protobuf half of NestedContractRules: empty oneofs, missing mandatory
// sub-messages and undefined enum values never reach the model.
TEST(PolicyValidateAlgorithmTest, WireConversionRefusesBrokenShapes) {
  pa::Algorithm trunc_no_alg;
  trunc_no_alg.mutable_mac()->mutable_truncated()->set_mac_length(16);
  EXPECT_THROW(proto::algorithm_from_proto(trunc_no_alg), Invalid);
  EXPECT_THROW(proto::mac_from_proto(trunc_no_alg.mac()), Invalid);
  pa::Algorithm empty_mac;
  empty_mac.mutable_mac();
  EXPECT_THROW(proto::algorithm_from_proto(empty_mac), Invalid);
  pa::Algorithm empty_full;
  empty_full.mutable_mac()->mutable_full_length();
  EXPECT_THROW(proto::algorithm_from_proto(empty_full), Invalid);
  pa::Algorithm cipher;
  cipher.set_cipher(static_cast<pa::Algorithm::Cipher>(9));
  EXPECT_THROW(proto::algorithm_from_proto(cipher), Invalid);
  pa::Algorithm empty_aead;
  empty_aead.mutable_aead();
  EXPECT_THROW(proto::algorithm_from_proto(empty_aead), Invalid);
  EXPECT_THROW(proto::aead_from_proto(pa::Algorithm_Aead()), Invalid);
  pa::Algorithm aead4;
  aead4.mutable_aead()->set_aead_with_default_length_tag(static_cast<pa::Algorithm_Aead::AeadWithDefaultLengthTag>(4));
  EXPECT_THROW(proto::algorithm_from_proto(aead4), Invalid);
  pa::Algorithm empty_enc;
  empty_enc.mutable_asymmetric_encryption();
  EXPECT_THROW(proto::algorithm_from_proto(empty_enc), Invalid);
  EXPECT_THROW(proto::encryption_from_proto(pa::Algorithm_AsymmetricEncryption()), Invalid);
  pa::Algorithm ka_no_kdf;
  ka_no_kdf.mutable_key_agreement()->mutable_with_key_derivation()->set_ka_alg(pa::Algorithm::KeyAgreement::ECDH);
  EXPECT_THROW(proto::algorithm_from_proto(ka_no_kdf), Invalid);
  pa::Algorithm ka_empty_kdf = ka_no_kdf;
  ka_empty_kdf.mutable_key_agreement()->mutable_with_key_derivation()->mutable_kdf_alg();
  EXPECT_THROW(proto::algorithm_from_proto(ka_empty_kdf), Invalid);
  pa::Algorithm empty_ka;
  empty_ka.mutable_key_agreement();
  EXPECT_THROW(proto::algorithm_from_proto(empty_ka), Invalid);
  pa::Algorithm raw3;
  raw3.mutable_key_agreement()->set_raw(static_cast<pa::Algorithm::KeyAgreement::Raw>(3));
  EXPECT_THROW(proto::algorithm_from_proto(raw3), Invalid);
  pa::Algorithm empty_kdf;
  empty_kdf.mutable_key_derivation();
  EXPECT_THROW(proto::algorithm_from_proto(empty_kdf), Invalid);
  pa::Algorithm hash16;
  hash16.set_hash(static_cast<pa::Algorithm::Hash>(16));
  EXPECT_THROW(proto::algorithm_from_proto(hash16), Invalid);
  // The raw signature schemes carry no hash and decode.
  pa::Algorithm_AsymmetricSignature raw;
  raw.mutable_rsa_pkcs1v15_sign_raw();
  EXPECT_EQ(proto::signature_from_proto(raw), Algorithm::rsa_pkcs1v15_sign_raw());
  raw.mutable_ecdsa_any();
  EXPECT_EQ(proto::signature_from_proto(raw), Algorithm::ecdsa_any());
}

// Every None the conversion lets through (wire value 0 of an enum) is refused
// by validation with InvalidEncoding.
TEST(PolicyValidateAlgorithmTest, ConversionAcceptsButContractForbids) {
  std::vector<std::pair<std::string, pa::Algorithm>> algs;
  {
    pa::Algorithm m;
    m.set_hash(pa::Algorithm::HASH_NONE);
    algs.emplace_back("hash None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_mac()->mutable_full_length()->mutable_hmac()->set_hash_alg(pa::Algorithm::HASH_NONE);
    algs.emplace_back("hmac None", m);
  }
  {
    pa::Algorithm m;
    m.set_cipher(pa::Algorithm::CIPHER_NONE);
    algs.emplace_back("cipher None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_aead()->set_aead_with_default_length_tag(pa::Algorithm::Aead::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE);
    algs.emplace_back("aead None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_aead()->mutable_aead_with_shortened_tag()->set_aead_alg(
        pa::Algorithm::Aead::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE);
    m.mutable_aead()->mutable_aead_with_shortened_tag()->set_tag_length(8);
    algs.emplace_back("shortened aead None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_asymmetric_encryption()->mutable_rsa_oaep()->set_hash_alg(pa::Algorithm::HASH_NONE);
    algs.emplace_back("oaep None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_key_agreement()->set_raw(pa::Algorithm::KeyAgreement::RAW_NONE);
    algs.emplace_back("raw agreement None", m);
  }
  {
    pa::Algorithm m;
    auto* w = m.mutable_key_agreement()->mutable_with_key_derivation();
    w->set_ka_alg(pa::Algorithm::KeyAgreement::RAW_NONE);
    w->mutable_kdf_alg()->mutable_hkdf()->set_hash_alg(pa::Algorithm::SHA_256);
    algs.emplace_back("agreement with derivation, raw None", m);
  }
  {
    pa::Algorithm m;
    m.mutable_key_derivation()->mutable_tls12_prf()->set_hash_alg(pa::Algorithm::HASH_NONE);
    algs.emplace_back("tls12_prf None", m);
  }
  for (const auto& [name, m] : algs) {
    SCOPED_TRACE(name);
    Algorithm a;
    ASSERT_NO_THROW(a = proto::algorithm_from_proto(m));
    EXPECT_TRUE(Is(validate_algorithm(a), Status::InvalidEncoding));
  }
  EXPECT_EQ(validate_algorithm(Algorithm::cipher(Cipher::None)).detail(), "cipher mode None");
  EXPECT_EQ(validate_algorithm(Algorithm::aead(AeadAlgorithm::None)).detail(), "AEAD algorithm None");
  EXPECT_EQ(validate_algorithm(Algorithm::raw_key_agreement(RawKeyAgreement::None)).detail(), "raw key agreement None");
  EXPECT_EQ(validate_algorithm(Algorithm::hash(Hash::None)).detail(), "hash None where a specific hash is required");
  const Outcome none_type = validate_attributes(attrs(KeyType::None, 0, Algorithm::none()));
  EXPECT_TRUE(Is(none_type, Status::InvalidEncoding));
  EXPECT_EQ(none_type.detail(), "key attributes without a key type");
}

// ---- normalise_flags ---------------------------------------------------------------

TEST(PolicyNormaliseFlagsTest, HashFlagsImplyMessageFlags) {
  KeyAttributes a = ecdsa_p256();
  a.flags = UsageFlags{};
  a.flags.sign_hash = true;
  normalise_flags(a);
  EXPECT_TRUE(a.flags.sign_hash);
  EXPECT_TRUE(a.flags.sign_message);
  EXPECT_FALSE(a.flags.verify_message);
  EXPECT_FALSE(a.flags.verify_hash);

  a.flags = UsageFlags{};
  a.flags.verify_hash = true;
  normalise_flags(a);
  EXPECT_TRUE(a.flags.verify_message);
  EXPECT_FALSE(a.flags.sign_message);
  EXPECT_FALSE(a.flags.sign_hash);
}

TEST(PolicyNormaliseFlagsTest, MessageFlagsDoNotImplyHashFlagsAndAreKept) {
  KeyAttributes a = ecdsa_p256();
  a.flags = UsageFlags{};
  a.flags.sign_message = true;
  a.flags.verify_message = true;
  a.flags.export_ = true;
  a.flags.derive = true;
  normalise_flags(a);
  const UsageFlags& g = a.flags;
  EXPECT_TRUE(g.sign_message);
  EXPECT_TRUE(g.verify_message);
  EXPECT_FALSE(g.sign_hash);
  EXPECT_FALSE(g.verify_hash);
  EXPECT_TRUE(g.export_);
  EXPECT_TRUE(g.derive);
  EXPECT_FALSE(g.encrypt);
  EXPECT_FALSE(g.decrypt);
  EXPECT_FALSE(g.copy);
  EXPECT_FALSE(g.cache);
}

// ---- is_deprecated (operations §12.4) -----------------------------------------------

bool is_deprecated_hash(Hash h) {
  return h == Hash::Md2 || h == Hash::Md4 || h == Hash::Md5 || h == Hash::Sha1;
}

TEST(PolicyIsDeprecatedTest, DeprecatedHashEverywhere) {
  // Every place a hash can appear in a policy, for every hash.
  for (Hash h : kAllHashes) {
    const bool want = is_deprecated_hash(h);
    SCOPED_TRACE(hash_name(h));
    const std::vector<std::pair<KeyType, Algorithm>> cases = {
        {KeyType::RawData, Algorithm::hash(h)},
        {KeyType::Hmac, Algorithm::hmac(h)},
        {KeyType::Hmac, Algorithm::truncated_mac(Algorithm::hmac(h), 10)},
        {KeyType::RsaKeyPair, sig(Scheme::Pkcs1v15, h)},
        {KeyType::RsaKeyPair, sig(Scheme::Pss, h)},
        {KeyType::EccKeyPair, sig(Scheme::Ecdsa, h)},
        {KeyType::EccKeyPair, sig(Scheme::DetEcdsa, h)},
        {KeyType::RsaKeyPair, Algorithm::rsa_oaep(h)},
        {KeyType::Derive, kdf(Kdf::Hkdf, h)},
        {KeyType::Derive, kdf(Kdf::Tls12Prf, h)},
        {KeyType::Derive, kdf(Kdf::Tls12PskToMs, h)},
        {KeyType::EccKeyPair, ka_with_kdf(RawKeyAgreement::Ecdh, Kdf::Hkdf, h)},
        {KeyType::DhKeyPair, ka_with_kdf(RawKeyAgreement::Ffdh, Kdf::Tls12Prf, h)},
        {KeyType::EccKeyPair, ka_with_kdf(RawKeyAgreement::Ecdh, Kdf::Tls12PskToMs, h)},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(is_deprecated(attrs(cases[i].first, 256, cases[i].second)), want)
          << "case " << i << ": " << cases[i].second.to_string();
    }
  }
}

TEST(PolicyIsDeprecatedTest, DeprecatedKeyTypes) {
  for (uint32_t bits : {0u, 64u, 128u, 192u}) {
    EXPECT_TRUE(is_deprecated(attrs(KeyType::Des, bits, Algorithm::cipher(Cipher::CbcNoPadding)))) << bits;
  }
  for (uint32_t bits : {40u, 128u, 2048u}) {
    EXPECT_TRUE(is_deprecated(attrs(KeyType::Arc4, bits, Algorithm::cipher(Cipher::StreamCipher)))) << bits;
  }
  // Deprecated regardless of the (non-deprecated) algorithm.
  EXPECT_TRUE(is_deprecated(attrs(KeyType::Des, 192, Algorithm::none())));
  const Algorithm ecdsa256 = Algorithm::ecdsa(Hash::Sha256);
  for (uint32_t bits : {0u, 160u, 256u}) {
    EXPECT_TRUE(is_deprecated(ecc_public(EccFamily::SecpR2, bits, ecdsa256))) << bits;
  }
  for (uint32_t bits : {0u, 163u, 233u}) {
    EXPECT_TRUE(is_deprecated(ecc_public(EccFamily::SectR2, bits, ecdsa256))) << bits;
  }
  EXPECT_TRUE(is_deprecated(ecc_public(EccFamily::SectK1, 163, ecdsa256)));
  EXPECT_TRUE(is_deprecated(ecc_public(EccFamily::SectR1, 163, ecdsa256)));
  EXPECT_TRUE(is_deprecated(ecc_public(EccFamily::BrainpoolPR1, 160, ecdsa256)));
}

TEST(PolicyIsDeprecatedTest, NonDeprecatedControls) {
  const Algorithm ecdsa256 = Algorithm::ecdsa(Hash::Sha256);
  // The reference lists the ECC cases only for public keys.
  EXPECT_FALSE(is_deprecated(ecc_pair(EccFamily::SectK1, 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_pair(EccFamily::SectR1, 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_pair(EccFamily::SecpR2, 160, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_pair(EccFamily::SectR2, 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_pair(EccFamily::BrainpoolPR1, 160, ecdsa256)));
  // Other sizes in the partly deprecated families.
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::SectK1, 233, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::SectR1, 283, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::BrainpoolPR1, 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::SecpR1, 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::SecpK1, 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(ecc_public(EccFamily::Montgomery, 255, Algorithm::ecdh())));
  // Wildcard and raw signature schemes name no hash.
  for (Scheme s : kHashSchemes) {
    EXPECT_FALSE(is_deprecated(attrs(KeyType::RsaKeyPair, 2048, sig_any(s))));
  }
  EXPECT_FALSE(is_deprecated(attrs(KeyType::RsaKeyPair, 2048, Algorithm::rsa_pkcs1v15_sign_raw())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::EccKeyPair, 256, Algorithm::ecdsa_any())));
  // Other algorithms without hashes, on non-deprecated types.
  EXPECT_FALSE(is_deprecated(attrs(KeyType::Aes, 128, Algorithm::cmac())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::Aes, 128, Algorithm::cbc_mac())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::Aes, 256, Algorithm::aead_gcm())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::Chacha20, 256, Algorithm::cipher(Cipher::StreamCipher))));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::RsaKeyPair, 2048, Algorithm::rsa_pkcs1v15_crypt())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::DhKeyPair, 2048, Algorithm::ffdh())));
  EXPECT_FALSE(is_deprecated(attrs(KeyType::RawData, 256, Algorithm::none())));
}

// ---- is_public_key_type / hash_length (the model's helpers) ------------------------

TEST(PolicyHelpersTest, IsPublicKeyType) {
  for (KeyType k : kAllKeyTypes) {
    const bool want = k == KeyType::RsaPublicKey || k == KeyType::EccPublicKey || k == KeyType::DhPublicKey;
    EXPECT_EQ(is_public_key_type(attrs(k, 0, Algorithm::none()).type), want) << key_type_name(k);
  }
  EXPECT_FALSE(is_public_key_type(KeyType::None));
}

size_t spec_digest_length(Hash h) {
  // operations §11.2.
  switch (h) {
    case Hash::Md2:
    case Hash::Md4:
    case Hash::Md5:
      return 16;
    case Hash::Ripemd160:
    case Hash::Sha1:
      return 20;
    case Hash::Sha224:
    case Hash::Sha512_224:
    case Hash::Sha3_224:
      return 28;
    case Hash::Sha256:
    case Hash::Sha512_256:
    case Hash::Sha3_256:
      return 32;
    case Hash::Sha384:
    case Hash::Sha3_384:
      return 48;
    case Hash::Sha512:
    case Hash::Sha3_512:
      return 64;
    default:
      return 0;
  }
}

TEST(PolicyHelpersTest, DigestLengths) {
  EXPECT_EQ(hash_length(Hash::Md2), 16u);
  EXPECT_EQ(hash_length(Hash::Md4), 16u);
  EXPECT_EQ(hash_length(Hash::Md5), 16u);
  EXPECT_EQ(hash_length(Hash::Ripemd160), 20u);
  EXPECT_EQ(hash_length(Hash::Sha1), 20u);
  EXPECT_EQ(hash_length(Hash::Sha224), 28u);
  EXPECT_EQ(hash_length(Hash::Sha256), 32u);
  EXPECT_EQ(hash_length(Hash::Sha384), 48u);
  EXPECT_EQ(hash_length(Hash::Sha512), 64u);
  EXPECT_EQ(hash_length(Hash::Sha512_224), 28u);
  EXPECT_EQ(hash_length(Hash::Sha512_256), 32u);
  EXPECT_EQ(hash_length(Hash::Sha3_224), 28u);
  EXPECT_EQ(hash_length(Hash::Sha3_256), 32u);
  EXPECT_EQ(hash_length(Hash::Sha3_384), 48u);
  EXPECT_EQ(hash_length(Hash::Sha3_512), 64u);
  EXPECT_EQ(hash_length(Hash::None), 0u);
  EXPECT_EQ(hash_length(Hash::Any), 0u);
  EXPECT_EQ(hash_length(static_cast<Hash>(16)), 0u);
}

// ---- permits (operations §11.10) -------------------------------------------------------

TEST(PolicyPermitsTest, NonePolicyPermitsNothing) {
  const Algorithm none = Algorithm::none();
  EXPECT_FALSE(permits(none, none));
  EXPECT_FALSE(permits(none, Algorithm::ecdsa(Hash::Sha256)));
  EXPECT_FALSE(permits(none, Algorithm::hash(Hash::Sha256)));
  EXPECT_FALSE(permits(none, Algorithm::aead_gcm()));
}

TEST(PolicyPermitsTest, WildcardPolicyPermitsEverySpecificHash) {
  for (Scheme s : kHashSchemes) {
    for (Hash h : kAllHashes) {
      EXPECT_TRUE(permits(sig_any(s), sig(s, h))) << static_cast<int>(s) << " " << hash_name(h);
    }
  }
}

TEST(PolicyPermitsTest, RequestNamingAnyNeverPermitted) {
  for (Scheme s : kHashSchemes) {
    EXPECT_FALSE(permits(sig_any(s), sig_any(s)));
    EXPECT_FALSE(permits(sig(s, Hash::Sha256), sig_any(s)));
  }
}

TEST(PolicyPermitsTest, SpecificHashMustMatch) {
  for (Scheme s : kHashSchemes) {
    for (Hash ph : kAllHashes) {
      for (Hash rh : kAllHashes) {
        EXPECT_EQ(permits(sig(s, ph), sig(s, rh)), ph == rh)
            << static_cast<int>(s) << " " << hash_name(ph) << " " << hash_name(rh);
      }
    }
  }
}

TEST(PolicyPermitsTest, SchemeMustMatch) {
  for (Scheme ps : kHashSchemes) {
    for (Scheme rs : kHashSchemes) {
      if (ps == rs) {
        continue;
      }
      EXPECT_FALSE(permits(sig(ps, Hash::Sha256), sig(rs, Hash::Sha256)));
      EXPECT_FALSE(permits(sig_any(ps), sig(rs, Hash::Sha256)));
    }
    EXPECT_FALSE(permits(sig_any(ps), Algorithm::rsa_pkcs1v15_sign_raw()));
    EXPECT_FALSE(permits(sig_any(ps), Algorithm::ecdsa_any()));
    EXPECT_FALSE(permits(Algorithm::rsa_pkcs1v15_sign_raw(), sig(ps, Hash::Sha256)));
    EXPECT_FALSE(permits(Algorithm::ecdsa_any(), sig(ps, Hash::Sha256)));
  }
  // Explicitly: randomized vs deterministic ECDSA, both directions.
  EXPECT_FALSE(permits(Algorithm::ecdsa(Hash::Sha256), Algorithm::deterministic_ecdsa(Hash::Sha256)));
  EXPECT_FALSE(permits(Algorithm::deterministic_ecdsa(Hash::Sha256), Algorithm::ecdsa(Hash::Sha256)));
  EXPECT_FALSE(permits(Algorithm::ecdsa(Hash::Any), Algorithm::deterministic_ecdsa(Hash::Sha256)));
}

TEST(PolicyPermitsTest, RawSchemesNeedIdenticalAlgorithm) {
  EXPECT_TRUE(permits(Algorithm::rsa_pkcs1v15_sign_raw(), Algorithm::rsa_pkcs1v15_sign_raw()));
  EXPECT_TRUE(permits(Algorithm::ecdsa_any(), Algorithm::ecdsa_any()));
  EXPECT_FALSE(permits(Algorithm::rsa_pkcs1v15_sign_raw(), Algorithm::ecdsa_any()));
  EXPECT_FALSE(permits(Algorithm::ecdsa_any(), Algorithm::rsa_pkcs1v15_sign_raw()));
}

TEST(PolicyPermitsTest, SignaturePolicyDoesNotPermitOtherFamilies) {
  EXPECT_FALSE(permits(sig_any(Scheme::Pkcs1v15), Algorithm::rsa_pkcs1v15_crypt()));
  EXPECT_FALSE(permits(sig_any(Scheme::Ecdsa), Algorithm::ecdh()));
  EXPECT_FALSE(permits(Algorithm::hash(Hash::Sha256), Algorithm::ecdsa(Hash::Sha256)));
}

TEST(PolicyPermitsTest, OtherAlgorithmsNeedExactEquality) {
  // AEAD tag lengths.
  EXPECT_TRUE(permits(Algorithm::aead_gcm(), Algorithm::aead_gcm()));
  EXPECT_FALSE(permits(Algorithm::aead_gcm(), Algorithm::aead_ccm()));
  EXPECT_TRUE(permits(Algorithm::aead_ccm(8), Algorithm::aead_ccm(8)));
  EXPECT_FALSE(permits(Algorithm::aead_ccm(8), Algorithm::aead_ccm(12)));
  EXPECT_FALSE(permits(Algorithm::aead_ccm(12), Algorithm::aead_ccm(8)));
  EXPECT_FALSE(permits(Algorithm::aead_ccm(8), Algorithm::aead_gcm(8)));
  EXPECT_FALSE(permits(Algorithm::aead_gcm(), Algorithm::aead_gcm(16)));
  EXPECT_FALSE(permits(Algorithm::aead_gcm(16), Algorithm::aead_gcm()));
  // MAC lengths and hashes.
  const auto hmac_trunc = [](Hash h, uint32_t len) { return Algorithm::truncated_mac(Algorithm::hmac(h), len); };
  EXPECT_TRUE(permits(Algorithm::hmac(Hash::Sha256), Algorithm::hmac(Hash::Sha256)));
  EXPECT_FALSE(permits(Algorithm::hmac(Hash::Sha256), Algorithm::hmac(Hash::Sha384)));
  EXPECT_TRUE(permits(hmac_trunc(Hash::Sha256, 16), hmac_trunc(Hash::Sha256, 16)));
  EXPECT_FALSE(permits(hmac_trunc(Hash::Sha256, 16), hmac_trunc(Hash::Sha256, 20)));
  EXPECT_FALSE(permits(Algorithm::hmac(Hash::Sha256), hmac_trunc(Hash::Sha256, 32)));
  EXPECT_FALSE(permits(Algorithm::cmac(), Algorithm::cbc_mac()));
  EXPECT_FALSE(permits(Algorithm::cmac(), Algorithm::truncated_mac(Algorithm::cmac(), 8)));
  // Ciphers.
  EXPECT_TRUE(permits(Algorithm::cipher(Cipher::Ctr), Algorithm::cipher(Cipher::Ctr)));
  EXPECT_FALSE(permits(Algorithm::cipher(Cipher::Ctr), Algorithm::cipher(Cipher::CbcPkcs7)));
  // Asymmetric encryption.
  EXPECT_TRUE(permits(Algorithm::rsa_oaep(Hash::Sha256), Algorithm::rsa_oaep(Hash::Sha256)));
  EXPECT_FALSE(permits(Algorithm::rsa_oaep(Hash::Sha256), Algorithm::rsa_oaep(Hash::Sha1)));
  EXPECT_FALSE(permits(Algorithm::rsa_oaep(Hash::Sha256), Algorithm::rsa_pkcs1v15_crypt()));
  EXPECT_TRUE(permits(Algorithm::rsa_pkcs1v15_crypt(), Algorithm::rsa_pkcs1v15_crypt()));
  // Key agreement and derivation.
  EXPECT_TRUE(permits(Algorithm::ecdh(), Algorithm::ecdh()));
  EXPECT_FALSE(permits(Algorithm::ecdh(), Algorithm::ffdh()));
  EXPECT_FALSE(permits(ka_with_kdf(RawKeyAgreement::Ecdh, Kdf::Hkdf, Hash::Sha256), Algorithm::ecdh()));
  EXPECT_FALSE(permits(kdf(Kdf::Hkdf, Hash::Sha256), kdf(Kdf::Hkdf, Hash::Sha512)));
  EXPECT_TRUE(permits(kdf(Kdf::Hkdf, Hash::Sha256), kdf(Kdf::Hkdf, Hash::Sha256)));
}

// ---- compatible (operations §11.11) ------------------------------------------------------

// Algorithm classes of the §11.11 table.
enum class Cls {
  Hmac,
  BlockMac,
  StreamCipher,
  BlockCipher,
  AeadBlock,
  AeadChacha,
  RsaSig,
  RsaEnc,
  EccSig,
  Ecdh,
  Ffdh,
  Kdf,
  NoneCompatible
};

struct ClassedAlg {
  Cls cls;
  Algorithm alg;
};

std::vector<ClassedAlg> all_algorithms() {
  std::vector<ClassedAlg> v = {
      {Cls::Hmac, Algorithm::hmac(Hash::Sha256)},
      {Cls::Hmac, Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha512), 16)},
      {Cls::BlockMac, Algorithm::cbc_mac()},
      {Cls::BlockMac, Algorithm::cmac()},
      {Cls::BlockMac, Algorithm::truncated_mac(Algorithm::cmac(), 8)},
      {Cls::StreamCipher, Algorithm::cipher(Cipher::StreamCipher)},
      {Cls::AeadBlock, Algorithm::aead_ccm()},
      {Cls::AeadBlock, Algorithm::aead_gcm()},
      {Cls::AeadBlock, Algorithm::aead_ccm(8)},
      {Cls::AeadBlock, Algorithm::aead_gcm(12)},
      {Cls::AeadChacha, Algorithm::aead_chacha20_poly1305()},
      {Cls::AeadChacha, Algorithm::aead_chacha20_poly1305(12)},
      {Cls::RsaSig, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)},
      {Cls::RsaSig, Algorithm::rsa_pkcs1v15_sign_raw()},
      {Cls::RsaSig, Algorithm::rsa_pss(Hash::Sha384)},
      {Cls::RsaEnc, Algorithm::rsa_pkcs1v15_crypt()},
      {Cls::RsaEnc, Algorithm::rsa_oaep(Hash::Sha256)},
      {Cls::EccSig, Algorithm::ecdsa(Hash::Sha256)},
      {Cls::EccSig, Algorithm::ecdsa_any()},
      {Cls::EccSig, Algorithm::deterministic_ecdsa(Hash::Sha512)},
      {Cls::Ecdh, Algorithm::ecdh()},
      {Cls::Ecdh, ka_with_kdf(RawKeyAgreement::Ecdh, Kdf::Hkdf, Hash::Sha256)},
      {Cls::Ffdh, Algorithm::ffdh()},
      {Cls::Ffdh, ka_with_kdf(RawKeyAgreement::Ffdh, Kdf::Tls12Prf, Hash::Sha256)},
      {Cls::Kdf, kdf(Kdf::Hkdf, Hash::Sha256)},
      {Cls::Kdf, kdf(Kdf::Tls12Prf, Hash::Sha384)},
      {Cls::Kdf, kdf(Kdf::Tls12PskToMs, Hash::Sha256)},
      {Cls::NoneCompatible, Algorithm::hash(Hash::Sha256)},
      {Cls::NoneCompatible, Algorithm::none()},
  };
  for (Cipher c : {Cipher::Ctr, Cipher::Cfb, Cipher::Ofb, Cipher::Xts, Cipher::EcbNoPadding, Cipher::CbcNoPadding,
                   Cipher::CbcPkcs7}) {
    v.push_back({Cls::BlockCipher, Algorithm::cipher(c)});
  }
  return v;
}

std::set<Cls> spec_compatible(KeyType k) {
  switch (k) {
    case KeyType::None:
    case KeyType::RawData:
      return {};
    case KeyType::Hmac:
      return {Cls::Hmac};
    case KeyType::Derive:
      return {Cls::Kdf};
    case KeyType::Aes:
    case KeyType::Camellia:
      return {Cls::BlockMac, Cls::BlockCipher, Cls::AeadBlock};
    case KeyType::Des:
      return {Cls::BlockMac, Cls::BlockCipher};
    case KeyType::Arc4:
      return {Cls::StreamCipher};
    case KeyType::Chacha20:
      return {Cls::StreamCipher, Cls::AeadChacha};
    case KeyType::RsaKeyPair:
    case KeyType::RsaPublicKey:
      return {Cls::RsaSig, Cls::RsaEnc};
    case KeyType::EccKeyPair:
    case KeyType::EccPublicKey:
      return {Cls::EccSig, Cls::Ecdh};
    case KeyType::DhKeyPair:
    case KeyType::DhPublicKey:
      return {Cls::Ffdh};
  }
  return {};
}

TEST(PolicyCompatibleTest, EveryKeyTypeAgainstEveryAlgorithm) {
  const auto algs = all_algorithms();
  for (KeyType k : kAllKeyTypes) {
    const std::set<Cls> ok = spec_compatible(k);
    int compatible_count = 0;
    for (const auto& a : algs) {
      const bool want = ok.count(a.cls) != 0;
      EXPECT_EQ(compatible(attrs(k, 0, Algorithm::none()), a.alg), want)
          << key_type_name(k) << " / " << a.alg.to_string();
      compatible_count += want;
    }
    // Guard against an empty expectation table hiding a broken matrix.
    if (k != KeyType::RawData) {
      EXPECT_GT(compatible_count, 0) << key_type_name(k);
    }
  }
}

TEST(PolicyCompatibleTest, DirectionSpotChecks) {
  const auto key = [](KeyType t) { return attrs(t, 0, Algorithm::none()); };
  // Algorithm -> key types, read the other way around.
  EXPECT_TRUE(compatible(key(KeyType::Aes), Algorithm::aead_gcm()));
  EXPECT_FALSE(compatible(key(KeyType::Chacha20), Algorithm::aead_gcm()));
  EXPECT_TRUE(compatible(key(KeyType::Chacha20), Algorithm::aead_chacha20_poly1305()));
  EXPECT_FALSE(compatible(key(KeyType::Aes), Algorithm::aead_chacha20_poly1305()));
  EXPECT_FALSE(compatible(key(KeyType::Des), Algorithm::aead_ccm()));
  EXPECT_FALSE(compatible(key(KeyType::Aes), Algorithm::cipher(Cipher::StreamCipher)));
  EXPECT_FALSE(compatible(key(KeyType::Chacha20), Algorithm::cipher(Cipher::Ctr)));
  EXPECT_FALSE(compatible(key(KeyType::Hmac), Algorithm::cmac()));
  EXPECT_FALSE(compatible(key(KeyType::Aes), Algorithm::hmac(Hash::Sha256)));
  EXPECT_FALSE(compatible(key(KeyType::EccKeyPair), Algorithm::rsa_pss(Hash::Sha256)));
  EXPECT_FALSE(compatible(key(KeyType::RsaKeyPair), Algorithm::ecdsa(Hash::Sha256)));
  EXPECT_FALSE(compatible(key(KeyType::EccKeyPair), Algorithm::ffdh()));
  EXPECT_FALSE(compatible(key(KeyType::DhKeyPair), Algorithm::ecdh()));
  EXPECT_FALSE(compatible(key(KeyType::EccKeyPair), Algorithm::rsa_oaep(Hash::Sha256)));
}

// ---- check_key_use (operations §2.3) ---------------------------------------------------------

constexpr const char* kNoSignHash = "the key's usage flags do not include sign_hash";
constexpr const char* kNotPermitted = "the key's policy does not permit the requested algorithm";
constexpr const char* kWrongType = "the key's type cannot be used with the requested algorithm";

TEST(PolicyCheckKeyUseTest, MissingFlagReportedBeforePolicyMismatch) {
  KeyAttributes key = attrs(KeyType::EccKeyPair, 256, Algorithm::ecdsa(Hash::Sha256));
  key.flags.verify_hash = true;  // no sign_hash
  // Request mismatches the policy too (SHA-384), but the flag is reported.
  Outcome r = check_key_use(key, Opcode::PsaSignHash, Algorithm::ecdsa(Hash::Sha384));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNoSignHash);

  // With the flag, the policy mismatch is reported.
  key.flags.sign_hash = true;
  r = check_key_use(key, Opcode::PsaSignHash, Algorithm::ecdsa(Hash::Sha384));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNotPermitted);

  r = check_key_use(key, Opcode::PsaSignHash, Algorithm::ecdsa(Hash::Sha256));
  EXPECT_TRUE(Is(r, Status::Success));
  EXPECT_EQ(r.detail(), "");
}

TEST(PolicyCheckKeyUseTest, PolicyMismatchReportedBeforeTypeIncompatibility) {
  // RSA policy on an ECC key: the policy permits PKCS#1 but the type cannot do it.
  KeyAttributes key = attrs(KeyType::EccKeyPair, 256, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256));
  key.flags.sign_hash = true;
  Outcome r = check_key_use(key, Opcode::PsaSignHash, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kWrongType);
  r = check_key_use(key, Opcode::PsaSignHash, Algorithm::rsa_pss(Hash::Sha256));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNotPermitted);
}

TEST(PolicyCheckKeyUseTest, SignMessageAllowedBySignHash) {
  // Not normalised: only the hash flags.
  KeyAttributes key = attrs(KeyType::EccKeyPair, 256, Algorithm::ecdsa(Hash::Any));
  key.flags.sign_hash = true;
  key.flags.verify_hash = true;
  const Algorithm req = Algorithm::ecdsa(Hash::Sha256);
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaSignMessage, req), Status::Success));
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaVerifyMessage, req), Status::Success));
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaSignHash, req), Status::Success));
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaVerifyHash, req), Status::Success));
}

TEST(PolicyCheckKeyUseTest, MessageFlagsDoNotAllowHashOperations) {
  KeyAttributes key = attrs(KeyType::EccKeyPair, 256, Algorithm::ecdsa(Hash::Any));
  key.flags.sign_message = true;
  key.flags.verify_message = true;
  const Algorithm req = Algorithm::ecdsa(Hash::Sha256);
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaSignMessage, req), Status::Success));
  EXPECT_TRUE(Is(check_key_use(key, Opcode::PsaVerifyMessage, req), Status::Success));
  Outcome r = check_key_use(key, Opcode::PsaSignHash, req);
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNoSignHash);
  r = check_key_use(key, Opcode::PsaVerifyHash, req);
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), "the key's usage flags do not include verify_hash");
}

TEST(PolicyCheckKeyUseTest, PublicKeysAreAlwaysExportable) {
  // docs/protocol.md, operations §2: PsaExportKey needs the export flag,
  // except for a public key type, which PSA always lets out.
  for (KeyType t : {KeyType::RsaPublicKey, KeyType::EccPublicKey, KeyType::DhPublicKey}) {
    KeyAttributes key = attrs(t, 256, Algorithm::none());
    key.flags = UsageFlags();
    EXPECT_TRUE(Is(check_usage_only(key, Opcode::PsaExportKey), Status::Success)) << key_type_name(t);
  }
  for (KeyType t : {KeyType::RsaKeyPair, KeyType::EccKeyPair, KeyType::DhKeyPair, KeyType::Aes}) {
    KeyAttributes key = attrs(t, 256, Algorithm::none());
    key.flags = UsageFlags();
    Outcome o = check_usage_only(key, Opcode::PsaExportKey);
    EXPECT_TRUE(Is(o, Status::PsaErrorNotPermitted)) << key_type_name(t);
    EXPECT_EQ(o.detail(), "the key's usage flags do not include export");
  }
}

TEST(PolicyCheckKeyUseTest, FlagTable) {
  struct Row {
    Opcode op;
    std::function<void(UsageFlags*)> grant;
    const char* flag;
  };
  using F = UsageFlags;
  const Row rows[] = {
      {Opcode::PsaAsymmetricEncrypt, [](F* f) { f->encrypt = true; }, "encrypt"},
      {Opcode::PsaAeadEncrypt, [](F* f) { f->encrypt = true; }, "encrypt"},
      {Opcode::PsaCipherEncrypt, [](F* f) { f->encrypt = true; }, "encrypt"},
      {Opcode::PsaAsymmetricDecrypt, [](F* f) { f->decrypt = true; }, "decrypt"},
      {Opcode::PsaAeadDecrypt, [](F* f) { f->decrypt = true; }, "decrypt"},
      {Opcode::PsaCipherDecrypt, [](F* f) { f->decrypt = true; }, "decrypt"},
      {Opcode::PsaRawKeyAgreement, [](F* f) { f->derive = true; }, "derive"},
      {Opcode::PsaExportKey, [](F* f) { f->export_ = true; }, "export"},
      {Opcode::PsaMacCompute, [](F* f) { f->sign_message = true; }, "sign_message"},
      {Opcode::PsaMacVerify, [](F* f) { f->verify_message = true; }, "verify_message"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.flag);
    KeyAttributes key = attrs(KeyType::Aes, 128, Algorithm::none());
    // Every other flag set: only the right one counts.
    F* f = &key.flags;
    f->export_ = true;
    f->copy = true;
    f->cache = true;
    f->encrypt = true;
    f->decrypt = true;
    f->sign_message = true;
    f->verify_message = true;
    f->derive = true;
    const std::string flag = r.flag;
    if (flag == "encrypt")
      f->encrypt = false;
    if (flag == "decrypt")
      f->decrypt = false;
    if (flag == "derive")
      f->derive = false;
    if (flag == "export")
      f->export_ = false;
    if (flag == "sign_message")
      f->sign_message = false;
    if (flag == "verify_message")
      f->verify_message = false;
    Outcome o = check_usage_only(key, r.op);
    EXPECT_TRUE(Is(o, Status::PsaErrorNotPermitted));
    EXPECT_EQ(o.detail(), "the key's usage flags do not include " + flag);
    r.grant(f);
    EXPECT_TRUE(Is(check_usage_only(key, r.op), Status::Success));
  }
  // PsaExportPublicKey needs no flag.
  const KeyAttributes bare = attrs(KeyType::EccKeyPair, 256, Algorithm::none());
  EXPECT_TRUE(Is(check_usage_only(bare, Opcode::PsaExportPublicKey), Status::Success));
}

TEST(PolicyCheckKeyUseTest, FullPathForSymmetricAndAgreement) {
  KeyAttributes aes = attrs(KeyType::Aes, 128, Algorithm::aead_ccm(8));
  aes.flags.encrypt = true;
  EXPECT_TRUE(Is(check_key_use(aes, Opcode::PsaAeadEncrypt, Algorithm::aead_ccm(8)), Status::Success));
  Outcome r = check_key_use(aes, Opcode::PsaAeadEncrypt, Algorithm::aead_ccm(16));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNotPermitted);
  r = check_key_use(aes, Opcode::PsaAeadDecrypt, Algorithm::aead_ccm(8));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), "the key's usage flags do not include decrypt");

  KeyAttributes ecdh = attrs(KeyType::EccKeyPair, 256, Algorithm::ecdh());
  ecdh.flags.derive = true;
  EXPECT_TRUE(Is(check_key_use(ecdh, Opcode::PsaRawKeyAgreement, Algorithm::ecdh()), Status::Success));
  // A none policy permits nothing even with every flag.
  KeyAttributes none = attrs(KeyType::Aes, 128, Algorithm::none());
  none.flags.encrypt = true;
  r = check_key_use(none, Opcode::PsaCipherEncrypt, Algorithm::cipher(Cipher::Ctr));
  EXPECT_TRUE(Is(r, Status::PsaErrorNotPermitted));
  EXPECT_EQ(r.detail(), kNotPermitted);
}

// ---- check_sign_hash_length ----------------------------------------------------------------

TEST(PolicyCheckSignHashLengthTest, EveryHashDigestLength) {
  for (Scheme s : kHashSchemes) {
    for (Hash h : kAllHashes) {
      const size_t n = spec_digest_length(h);
      ASSERT_GT(n, 0u);
      const Algorithm a = sig(s, h);
      EXPECT_TRUE(Is(check_sign_hash_length(a, n), Status::Success)) << hash_name(h);
      for (size_t bad : {n - 1, n + 1, size_t{0}, size_t{100}}) {
        const Outcome r = check_sign_hash_length(a, bad);
        EXPECT_TRUE(Is(r, Status::PsaErrorInvalidArgument)) << hash_name(h) << " len " << bad;
        EXPECT_EQ(r.detail(),
                  "hash is " + std::to_string(bad) + " bytes but the algorithm's hash produces " + std::to_string(n));
      }
    }
  }
}

TEST(PolicyCheckSignHashLengthTest, RawAlgorithmsAcceptAnyLength) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{20}, size_t{32}, size_t{33}, size_t{255}, size_t{4096}}) {
    EXPECT_TRUE(Is(check_sign_hash_length(Algorithm::rsa_pkcs1v15_sign_raw(), n), Status::Success)) << n;
    EXPECT_TRUE(Is(check_sign_hash_length(Algorithm::ecdsa_any(), n), Status::Success)) << n;
  }
}

// ---- check_rsa_size --------------------------------------------------------------------------

TEST(PolicyCheckRsaSizeTest, OaepAndPssNeedTwiceTheHashPlusTwoBytes) {
  // RFC 8017: 1024-bit keys hold 128 bytes (PSS: emLen 128), so SHA-512's
  // 2*64+2 = 130 does not fit; SHA-384's 98 does.
  const KeyAttributes rsa1024 = attrs(KeyType::RsaKeyPair, 1024, Algorithm::rsa_oaep(Hash::Sha512));
  Outcome r = check_rsa_size(rsa1024, Algorithm::rsa_oaep(Hash::Sha512));
  EXPECT_TRUE(Is(r, Status::PsaErrorInvalidArgument));
  EXPECT_NE(r.detail().find("RSA-1024 is too small"), std::string::npos) << r.detail();
  EXPECT_TRUE(Is(check_rsa_size(rsa1024, Algorithm::rsa_pss(Hash::Sha512)), Status::PsaErrorInvalidArgument));
  EXPECT_TRUE(Is(check_rsa_size(rsa1024, Algorithm::rsa_oaep(Hash::Sha384)), Status::Success));
  EXPECT_TRUE(Is(check_rsa_size(rsa1024, Algorithm::rsa_pss(Hash::Sha384)), Status::Success));
  // PKCS#1 v1.5, the any-hash wildcard, unknown sizes and bigger keys pass.
  EXPECT_TRUE(Is(check_rsa_size(rsa1024, Algorithm::rsa_pkcs1v15_sign(Hash::Sha512)), Status::Success));
  EXPECT_TRUE(Is(check_rsa_size(rsa1024, Algorithm::rsa_pss(Hash::Any)), Status::Success));
  EXPECT_TRUE(Is(check_rsa_size(attrs(KeyType::RsaPublicKey, 0, Algorithm::rsa_oaep(Hash::Sha512)),
                                Algorithm::rsa_oaep(Hash::Sha512)),
                 Status::Success));
  EXPECT_TRUE(Is(check_rsa_size(attrs(KeyType::RsaKeyPair, 2048, Algorithm::rsa_oaep(Hash::Sha512)),
                                Algorithm::rsa_oaep(Hash::Sha512)),
                 Status::Success));
  // Checked last by check_key_use.
  KeyAttributes k = rsa1024;
  k.flags.decrypt = true;
  EXPECT_TRUE(Is(check_key_use(k, Opcode::PsaAsymmetricDecrypt, Algorithm::rsa_oaep(Hash::Sha512)),
                 Status::PsaErrorInvalidArgument));
}

}  // namespace
}  // namespace parsec::psa::policy
