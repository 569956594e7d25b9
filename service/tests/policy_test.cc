// policy_test.cc - contract validation and key policy checks
// (spec/operations.md sections 2, 11.10, 11.11, 12).
#include "policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace parsec::service::policy {
namespace {

using ::testing::HasSubstr;
using Sig = Algorithm::AsymmetricSignature;
using psa_key_attributes::KeyType;

// ---- builders ----------------------------------------------------------------

Sig::SignHash specific(Algorithm::Hash h) {
  Sig::SignHash s;
  s.set_specific(h);
  return s;
}

Sig::SignHash any_hash() {
  Sig::SignHash s;
  s.mutable_any();
  return s;
}

enum class Scheme { Pkcs1v15, Pss, Ecdsa, DetEcdsa };
constexpr Scheme kHashSchemes[] = {Scheme::Pkcs1v15, Scheme::Pss, Scheme::Ecdsa, Scheme::DetEcdsa};

Sig sig(Scheme scheme, const Sig::SignHash& h) {
  Sig s;
  switch (scheme) {
    case Scheme::Pkcs1v15:
      *s.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg() = h;
      break;
    case Scheme::Pss:
      *s.mutable_rsa_pss()->mutable_hash_alg() = h;
      break;
    case Scheme::Ecdsa:
      *s.mutable_ecdsa()->mutable_hash_alg() = h;
      break;
    case Scheme::DetEcdsa:
      *s.mutable_deterministic_ecdsa()->mutable_hash_alg() = h;
      break;
  }
  return s;
}

Sig sig_raw_pkcs1() {
  Sig s;
  s.mutable_rsa_pkcs1v15_sign_raw();
  return s;
}

Sig sig_ecdsa_any() {
  Sig s;
  s.mutable_ecdsa_any();
  return s;
}

Algorithm alg_sig(Scheme scheme, Algorithm::Hash h) { return wrap(sig(scheme, specific(h))); }
Algorithm alg_sig_any(Scheme scheme) { return wrap(sig(scheme, any_hash())); }

Algorithm alg_none() {
  Algorithm a;
  a.mutable_none();
  return a;
}

Algorithm alg_hash(Algorithm::Hash h) {
  Algorithm a;
  a.set_hash(h);
  return a;
}

Algorithm alg_hmac(Algorithm::Hash h) {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_hmac()->set_hash_alg(h);
  return a;
}

Algorithm alg_hmac_truncated(Algorithm::Hash h, uint32_t len) {
  Algorithm a;
  a.mutable_mac()->mutable_truncated()->mutable_mac_alg()->mutable_hmac()->set_hash_alg(h);
  a.mutable_mac()->mutable_truncated()->set_mac_length(len);
  return a;
}

Algorithm alg_cbc_mac() {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_cbc_mac();
  return a;
}

Algorithm alg_cmac() {
  Algorithm a;
  a.mutable_mac()->mutable_full_length()->mutable_cmac();
  return a;
}

Algorithm alg_cmac_truncated(uint32_t len) {
  Algorithm a;
  a.mutable_mac()->mutable_truncated()->mutable_mac_alg()->mutable_cmac();
  a.mutable_mac()->mutable_truncated()->set_mac_length(len);
  return a;
}

Algorithm alg_aead(Algorithm::Aead::AeadWithDefaultLengthTag base) {
  Algorithm::Aead a;
  a.set_aead_with_default_length_tag(base);
  return wrap(a);
}

Algorithm alg_aead_short(Algorithm::Aead::AeadWithDefaultLengthTag base, uint32_t tag) {
  Algorithm::Aead a;
  a.mutable_aead_with_shortened_tag()->set_aead_alg(base);
  a.mutable_aead_with_shortened_tag()->set_tag_length(tag);
  return wrap(a);
}

Algorithm alg_oaep(Algorithm::Hash h) {
  Algorithm::AsymmetricEncryption e;
  e.mutable_rsa_oaep()->set_hash_alg(h);
  return wrap(e);
}

Algorithm alg_pkcs1_crypt() {
  Algorithm::AsymmetricEncryption e;
  e.mutable_rsa_pkcs1v15_crypt();
  return wrap(e);
}

enum class Kdf { Hkdf, Tls12Prf, Tls12PskToMs };

Algorithm::KeyDerivation kdf(Kdf k, Algorithm::Hash h) {
  Algorithm::KeyDerivation d;
  switch (k) {
    case Kdf::Hkdf:
      d.mutable_hkdf()->set_hash_alg(h);
      break;
    case Kdf::Tls12Prf:
      d.mutable_tls12_prf()->set_hash_alg(h);
      break;
    case Kdf::Tls12PskToMs:
      d.mutable_tls12_psk_to_ms()->set_hash_alg(h);
      break;
  }
  return d;
}

Algorithm alg_kdf(Kdf k, Algorithm::Hash h) {
  Algorithm a;
  *a.mutable_key_derivation() = kdf(k, h);
  return a;
}

Algorithm alg_ka_with_kdf(Algorithm::KeyAgreement::Raw raw, Kdf k, Algorithm::Hash h) {
  Algorithm a;
  a.mutable_key_agreement()->mutable_with_key_derivation()->set_ka_alg(raw);
  *a.mutable_key_agreement()->mutable_with_key_derivation()->mutable_kdf_alg() = kdf(k, h);
  return a;
}

// Key types.
enum class KT {
  RawData, Hmac, Derive, Aes, Camellia, Des, Arc4, Chacha20,
  RsaKeyPair, RsaPublicKey, EccKeyPair, EccPublicKey, DhKeyPair, DhPublicKey,
};
constexpr KT kAllKeyTypes[] = {KT::RawData,    KT::Hmac,         KT::Derive,     KT::Aes,         KT::Camellia,
                               KT::Des,        KT::Arc4,         KT::Chacha20,   KT::RsaKeyPair,  KT::RsaPublicKey,
                               KT::EccKeyPair, KT::EccPublicKey, KT::DhKeyPair,  KT::DhPublicKey};

const char* kt_name(KT k) {
  switch (k) {
    case KT::RawData: return "raw_data";
    case KT::Hmac: return "hmac";
    case KT::Derive: return "derive";
    case KT::Aes: return "aes";
    case KT::Camellia: return "camellia";
    case KT::Des: return "des";
    case KT::Arc4: return "arc4";
    case KT::Chacha20: return "chacha20";
    case KT::RsaKeyPair: return "rsa_key_pair";
    case KT::RsaPublicKey: return "rsa_public_key";
    case KT::EccKeyPair: return "ecc_key_pair";
    case KT::EccPublicKey: return "ecc_public_key";
    case KT::DhKeyPair: return "dh_key_pair";
    case KT::DhPublicKey: return "dh_public_key";
  }
  return "?";
}

KeyType key_type(KT k) {
  KeyType t;
  switch (k) {
    case KT::RawData: t.mutable_raw_data(); break;
    case KT::Hmac: t.mutable_hmac(); break;
    case KT::Derive: t.mutable_derive(); break;
    case KT::Aes: t.mutable_aes(); break;
    case KT::Camellia: t.mutable_camellia(); break;
    case KT::Des: t.mutable_des(); break;
    case KT::Arc4: t.mutable_arc4(); break;
    case KT::Chacha20: t.mutable_chacha20(); break;
    case KT::RsaKeyPair: t.mutable_rsa_key_pair(); break;
    case KT::RsaPublicKey: t.mutable_rsa_public_key(); break;
    case KT::EccKeyPair: t.mutable_ecc_key_pair()->set_curve_family(KeyType::SECP_R1); break;
    case KT::EccPublicKey: t.mutable_ecc_public_key()->set_curve_family(KeyType::SECP_R1); break;
    case KT::DhKeyPair: t.mutable_dh_key_pair()->set_group_family(KeyType::RFC7919); break;
    case KT::DhPublicKey: t.mutable_dh_public_key()->set_group_family(KeyType::RFC7919); break;
  }
  return t;
}

KeyType ecc_pair(KeyType::EccFamily f) {
  KeyType t;
  t.mutable_ecc_key_pair()->set_curve_family(f);
  return t;
}

KeyType ecc_public(KeyType::EccFamily f) {
  KeyType t;
  t.mutable_ecc_public_key()->set_curve_family(f);
  return t;
}

KeyAttributes attrs(const KeyType& type, uint32_t bits, const Algorithm& alg) {
  KeyAttributes a;
  *a.mutable_key_type() = type;
  a.set_key_bits(bits);
  a.mutable_key_policy()->mutable_key_usage_flags();
  *a.mutable_key_policy()->mutable_key_algorithm() = alg;
  return a;
}

// A valid ECDSA P-256 signing key template.
KeyAttributes ecdsa_p256() {
  KeyAttributes a = attrs(ecc_pair(KeyType::SECP_R1), 256, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
  a.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
  return a;
}

constexpr Algorithm::Hash kAllHashes[] = {
    Algorithm::MD2,         Algorithm::MD4,         Algorithm::MD5,      Algorithm::RIPEMD160, Algorithm::SHA_1,
    Algorithm::SHA_224,     Algorithm::SHA_256,     Algorithm::SHA_384,  Algorithm::SHA_512,   Algorithm::SHA_512_224,
    Algorithm::SHA_512_256, Algorithm::SHA3_224,    Algorithm::SHA3_256, Algorithm::SHA3_384,  Algorithm::SHA3_512};

// ---- validate_attributes -------------------------------------------------------

TEST(ValidateAttributesTest, ValidTemplateAccepted) {
  EXPECT_EQ(validate_attributes(ecdsa_p256()), Status::Success);
  // Every key type with a valid algorithm.
  for (KT k : kAllKeyTypes) {
    EXPECT_EQ(validate_attributes(attrs(key_type(k), 0, alg_none())), Status::Success) << kt_name(k);
  }
}

TEST(ValidateAttributesTest, MissingKeyType) {
  KeyAttributes a = ecdsa_p256();
  a.clear_key_type();
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, KeyTypeWithoutVariant) {
  KeyAttributes a = ecdsa_p256();
  a.mutable_key_type()->Clear();
  ASSERT_TRUE(a.has_key_type());
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, MissingKeyPolicy) {
  KeyAttributes a = ecdsa_p256();
  a.clear_key_policy();
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, MissingUsageFlags) {
  KeyAttributes a = ecdsa_p256();
  a.mutable_key_policy()->clear_key_usage_flags();
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, MissingAlgorithm) {
  KeyAttributes a = ecdsa_p256();
  a.mutable_key_policy()->clear_key_algorithm();
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, EccFamilyNone) {
  KeyAttributes a = attrs(ecc_pair(KeyType::ECC_FAMILY_NONE), 256, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
  a = attrs(ecc_public(KeyType::ECC_FAMILY_NONE), 256, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, EccFamilyOutOfRange) {
  for (int v : {10, 42, 1000, -1}) {
    KeyAttributes a = attrs(ecc_pair(static_cast<KeyType::EccFamily>(v)), 256,
                            alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
    EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding) << v;
    a = attrs(ecc_public(static_cast<KeyType::EccFamily>(v)), 256, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
    EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding) << v;
  }
  // The same from the wire: KeyAttributes { key_type { ecc_key_pair { curve_family: 42 } } ... }.
  KeyAttributes good = ecdsa_p256();
  std::string wire;
  ASSERT_TRUE(good.SerializeToString(&wire));
  KeyAttributes parsed;
  // key_type (field 1) = { ecc_key_pair (field 11) = { curve_family (field 1) = 42 } }
  std::string bad_type("\x0A\x04\x5A\x02\x08\x2A", 6);
  ASSERT_TRUE(parsed.ParseFromString(wire));
  KeyAttributes overlay;
  ASSERT_TRUE(overlay.ParseFromString(bad_type));
  parsed.clear_key_type();
  parsed.MergeFrom(overlay);
  ASSERT_TRUE(parsed.key_type().has_ecc_key_pair());
  EXPECT_EQ(static_cast<int>(parsed.key_type().ecc_key_pair().curve_family()), 42);
  EXPECT_EQ(validate_attributes(parsed), Status::InvalidEncoding);
  // Every defined family is accepted.
  for (int v = 1; v <= 9; ++v) {
    KeyAttributes a = attrs(ecc_pair(static_cast<KeyType::EccFamily>(v)), 256,
                            alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
    EXPECT_EQ(validate_attributes(a), Status::Success) << v;
  }
}

TEST(ValidateAttributesTest, DhFamilyZeroIsValidUnknownIsNot) {
  KeyAttributes a = attrs(key_type(KT::DhKeyPair), 2048, alg_none());
  EXPECT_EQ(validate_attributes(a), Status::Success);
  a.mutable_key_type()->mutable_dh_key_pair()->set_group_family(static_cast<KeyType::DhFamily>(3));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
  a = attrs(key_type(KT::DhPublicKey), 2048, alg_none());
  a.mutable_key_type()->mutable_dh_public_key()->set_group_family(static_cast<KeyType::DhFamily>(7));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, EmptyAlgorithmOneof) {
  KeyAttributes a = ecdsa_p256();
  a.mutable_key_policy()->mutable_key_algorithm()->Clear();
  ASSERT_TRUE(a.key_policy().has_key_algorithm());
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, SignHashOneofEmpty) {
  for (Scheme s : kHashSchemes) {
    KeyAttributes a = attrs(key_type(KT::EccKeyPair), 256, wrap(sig(s, Sig::SignHash())));
    EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
  }
  // hash_alg absent altogether (mandatory).
  Algorithm missing;
  missing.mutable_asymmetric_signature()->mutable_ecdsa();
  EXPECT_EQ(validate_attributes(attrs(key_type(KT::EccKeyPair), 256, missing)), Status::InvalidEncoding);
  missing.mutable_asymmetric_signature()->mutable_rsa_pss();
  EXPECT_EQ(validate_attributes(attrs(key_type(KT::RsaKeyPair), 2048, missing)), Status::InvalidEncoding);
  // AsymmetricSignature with no scheme set.
  Algorithm empty_sig;
  empty_sig.mutable_asymmetric_signature();
  EXPECT_EQ(validate_attributes(attrs(key_type(KT::EccKeyPair), 256, empty_sig)), Status::InvalidEncoding);
}

TEST(ValidateAttributesTest, HashNoneInEcdsaSpecific) {
  KeyAttributes a = attrs(key_type(KT::EccKeyPair), 256, alg_sig(Scheme::Ecdsa, Algorithm::HASH_NONE));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
  a = attrs(key_type(KT::EccKeyPair), 256, alg_sig(Scheme::Ecdsa, static_cast<Algorithm::Hash>(16)));
  EXPECT_EQ(validate_attributes(a), Status::InvalidEncoding);
  // `any` is fine in a policy.
  a = attrs(key_type(KT::EccKeyPair), 256, alg_sig_any(Scheme::Ecdsa));
  EXPECT_EQ(validate_attributes(a), Status::Success);
}

TEST(ValidateAlgorithmTest, NestedContractRules) {
  EXPECT_EQ(validate_algorithm(alg_none()), Status::Success);
  EXPECT_EQ(validate_algorithm(alg_hash(Algorithm::SHA_256)), Status::Success);
  EXPECT_EQ(validate_algorithm(alg_hash(Algorithm::HASH_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_hmac(Algorithm::HASH_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_hmac_truncated(Algorithm::SHA_256, 16)), Status::Success);
  Algorithm trunc_no_alg;
  trunc_no_alg.mutable_mac()->mutable_truncated()->set_mac_length(16);
  EXPECT_EQ(validate_algorithm(trunc_no_alg), Status::InvalidEncoding);
  Algorithm empty_mac;
  empty_mac.mutable_mac();
  EXPECT_EQ(validate_algorithm(empty_mac), Status::InvalidEncoding);
  Algorithm empty_full;
  empty_full.mutable_mac()->mutable_full_length();
  EXPECT_EQ(validate_algorithm(empty_full), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(wrap_cipher(Algorithm::CIPHER_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(wrap_cipher(9)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(wrap_cipher(Algorithm::CBC_PKCS7)), Status::Success);
  EXPECT_EQ(validate_algorithm(alg_aead(Algorithm::Aead::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_aead_short(Algorithm::Aead::AEAD_WITH_DEFAULT_LENGTH_TAG_NONE, 8)),
            Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_aead_short(Algorithm::Aead::GCM, 8)), Status::Success);
  Algorithm empty_aead;
  empty_aead.mutable_aead();
  EXPECT_EQ(validate_algorithm(empty_aead), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_oaep(Algorithm::HASH_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_oaep(Algorithm::SHA_256)), Status::Success);
  EXPECT_EQ(validate_algorithm(alg_pkcs1_crypt()), Status::Success);
  EXPECT_EQ(validate_algorithm(wrap_raw_agreement(Algorithm::KeyAgreement::RAW_NONE)), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(wrap_raw_agreement(Algorithm::KeyAgreement::ECDH)), Status::Success);
  Algorithm ka_no_kdf;
  ka_no_kdf.mutable_key_agreement()->mutable_with_key_derivation()->set_ka_alg(Algorithm::KeyAgreement::ECDH);
  EXPECT_EQ(validate_algorithm(ka_no_kdf), Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_ka_with_kdf(Algorithm::KeyAgreement::RAW_NONE, Kdf::Hkdf, Algorithm::SHA_256)),
            Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_ka_with_kdf(Algorithm::KeyAgreement::ECDH, Kdf::Hkdf, Algorithm::HASH_NONE)),
            Status::InvalidEncoding);
  EXPECT_EQ(validate_algorithm(alg_ka_with_kdf(Algorithm::KeyAgreement::FFDH, Kdf::Tls12Prf, Algorithm::SHA_384)),
            Status::Success);
  EXPECT_EQ(validate_algorithm(alg_kdf(Kdf::Tls12PskToMs, Algorithm::HASH_NONE)), Status::InvalidEncoding);
  Algorithm empty_kdf;
  empty_kdf.mutable_key_derivation();
  EXPECT_EQ(validate_algorithm(empty_kdf), Status::InvalidEncoding);
  EXPECT_EQ(validate_sign_alg(sig_raw_pkcs1()), Status::Success);
  EXPECT_EQ(validate_sign_alg(sig_ecdsa_any()), Status::Success);
  EXPECT_EQ(validate_sign_alg(Sig()), Status::InvalidEncoding);
}

// ---- normalise_flags ---------------------------------------------------------------

TEST(NormaliseFlagsTest, HashFlagsImplyMessageFlags) {
  KeyAttributes a = ecdsa_p256();
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->Clear();
  f->set_sign_hash(true);
  normalise_flags(a);
  EXPECT_TRUE(a.key_policy().key_usage_flags().sign_hash());
  EXPECT_TRUE(a.key_policy().key_usage_flags().sign_message());
  EXPECT_FALSE(a.key_policy().key_usage_flags().verify_message());
  EXPECT_FALSE(a.key_policy().key_usage_flags().verify_hash());

  f->Clear();
  f->set_verify_hash(true);
  normalise_flags(a);
  EXPECT_TRUE(a.key_policy().key_usage_flags().verify_message());
  EXPECT_FALSE(a.key_policy().key_usage_flags().sign_message());
  EXPECT_FALSE(a.key_policy().key_usage_flags().sign_hash());
}

TEST(NormaliseFlagsTest, MessageFlagsDoNotImplyHashFlagsAndAreKept) {
  KeyAttributes a = ecdsa_p256();
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->Clear();
  f->set_sign_message(true);
  f->set_verify_message(true);
  f->set_export_(true);
  f->set_derive(true);
  normalise_flags(a);
  const auto& g = a.key_policy().key_usage_flags();
  EXPECT_TRUE(g.sign_message());
  EXPECT_TRUE(g.verify_message());
  EXPECT_FALSE(g.sign_hash());
  EXPECT_FALSE(g.verify_hash());
  EXPECT_TRUE(g.export_());
  EXPECT_TRUE(g.derive());
  EXPECT_FALSE(g.encrypt());
  EXPECT_FALSE(g.decrypt());
  EXPECT_FALSE(g.copy());
  EXPECT_FALSE(g.cache());
}

// ---- is_deprecated (operations.md 12.4) -----------------------------------------------

bool is_deprecated_hash(Algorithm::Hash h) {
  return h == Algorithm::MD2 || h == Algorithm::MD4 || h == Algorithm::MD5 || h == Algorithm::SHA_1;
}

TEST(IsDeprecatedTest, DeprecatedHashEverywhere) {
  // Every place a hash can appear in a policy, for every hash.
  for (Algorithm::Hash h : kAllHashes) {
    const bool want = is_deprecated_hash(h);
    SCOPED_TRACE(Algorithm::Hash_Name(h));
    std::vector<std::pair<KT, Algorithm>> cases = {
        {KT::RawData, alg_hash(h)},
        {KT::Hmac, alg_hmac(h)},
        {KT::Hmac, alg_hmac_truncated(h, 10)},
        {KT::RsaKeyPair, alg_sig(Scheme::Pkcs1v15, h)},
        {KT::RsaKeyPair, alg_sig(Scheme::Pss, h)},
        {KT::EccKeyPair, alg_sig(Scheme::Ecdsa, h)},
        {KT::EccKeyPair, alg_sig(Scheme::DetEcdsa, h)},
        {KT::RsaKeyPair, alg_oaep(h)},
        {KT::Derive, alg_kdf(Kdf::Hkdf, h)},
        {KT::Derive, alg_kdf(Kdf::Tls12Prf, h)},
        {KT::Derive, alg_kdf(Kdf::Tls12PskToMs, h)},
        {KT::EccKeyPair, alg_ka_with_kdf(Algorithm::KeyAgreement::ECDH, Kdf::Hkdf, h)},
        {KT::DhKeyPair, alg_ka_with_kdf(Algorithm::KeyAgreement::FFDH, Kdf::Tls12Prf, h)},
        {KT::EccKeyPair, alg_ka_with_kdf(Algorithm::KeyAgreement::ECDH, Kdf::Tls12PskToMs, h)},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(is_deprecated(attrs(key_type(cases[i].first), 256, cases[i].second)), want)
          << "case " << i << ": " << cases[i].second.ShortDebugString();
    }
  }
}

TEST(IsDeprecatedTest, DeprecatedKeyTypes) {
  for (uint32_t bits : {0u, 64u, 128u, 192u}) {
    EXPECT_TRUE(is_deprecated(attrs(key_type(KT::Des), bits, wrap_cipher(Algorithm::CBC_NO_PADDING)))) << bits;
  }
  for (uint32_t bits : {40u, 128u, 2048u}) {
    EXPECT_TRUE(is_deprecated(attrs(key_type(KT::Arc4), bits, wrap_cipher(Algorithm::STREAM_CIPHER)))) << bits;
  }
  // Deprecated regardless of the (non-deprecated) algorithm.
  EXPECT_TRUE(is_deprecated(attrs(key_type(KT::Des), 192, alg_none())));
  const Algorithm ecdsa256 = alg_sig(Scheme::Ecdsa, Algorithm::SHA_256);
  for (uint32_t bits : {0u, 160u, 256u}) {
    EXPECT_TRUE(is_deprecated(attrs(ecc_public(KeyType::SECP_R2), bits, ecdsa256))) << bits;
  }
  for (uint32_t bits : {0u, 163u, 233u}) {
    EXPECT_TRUE(is_deprecated(attrs(ecc_public(KeyType::SECT_R2), bits, ecdsa256))) << bits;
  }
  EXPECT_TRUE(is_deprecated(attrs(ecc_public(KeyType::SECT_K1), 163, ecdsa256)));
  EXPECT_TRUE(is_deprecated(attrs(ecc_public(KeyType::SECT_R1), 163, ecdsa256)));
  EXPECT_TRUE(is_deprecated(attrs(ecc_public(KeyType::BRAINPOOL_P_R1), 160, ecdsa256)));
}

TEST(IsDeprecatedTest, NonDeprecatedControls) {
  const Algorithm ecdsa256 = alg_sig(Scheme::Ecdsa, Algorithm::SHA_256);
  // The reference lists the ECC cases only for public keys.
  EXPECT_FALSE(is_deprecated(attrs(ecc_pair(KeyType::SECT_K1), 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_pair(KeyType::SECT_R1), 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_pair(KeyType::SECP_R2), 160, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_pair(KeyType::SECT_R2), 163, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_pair(KeyType::BRAINPOOL_P_R1), 160, ecdsa256)));
  // Other sizes in the partly deprecated families.
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::SECT_K1), 233, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::SECT_R1), 283, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::BRAINPOOL_P_R1), 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::SECP_R1), 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::SECP_K1), 256, ecdsa256)));
  EXPECT_FALSE(is_deprecated(attrs(ecc_public(KeyType::MONTGOMERY), 255, wrap_raw_agreement(Algorithm::KeyAgreement::ECDH))));
  // Wildcard and raw signature schemes name no hash.
  for (Scheme s : kHashSchemes) {
    EXPECT_FALSE(is_deprecated(attrs(key_type(KT::RsaKeyPair), 2048, alg_sig_any(s))));
  }
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::RsaKeyPair), 2048, wrap(sig_raw_pkcs1()))));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::EccKeyPair), 256, wrap(sig_ecdsa_any()))));
  // Other algorithms without hashes, on non-deprecated types.
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::Aes), 128, alg_cmac())));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::Aes), 128, alg_cbc_mac())));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::Aes), 256, alg_aead(Algorithm::Aead::GCM))));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::Chacha20), 256, wrap_cipher(Algorithm::STREAM_CIPHER))));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::RsaKeyPair), 2048, alg_pkcs1_crypt())));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::DhKeyPair), 2048, wrap_raw_agreement(Algorithm::KeyAgreement::FFDH))));
  EXPECT_FALSE(is_deprecated(attrs(key_type(KT::RawData), 256, alg_none())));
}

// ---- is_public_key_type / digest_length ------------------------------------------------

TEST(PolicyHelpersTest, IsPublicKeyType) {
  for (KT k : kAllKeyTypes) {
    bool want = k == KT::RsaPublicKey || k == KT::EccPublicKey || k == KT::DhPublicKey;
    EXPECT_EQ(is_public_key_type(attrs(key_type(k), 0, alg_none())), want) << kt_name(k);
  }
}

size_t spec_digest_length(Algorithm::Hash h) {
  // operations.md 11.2.
  switch (h) {
    case Algorithm::MD2: case Algorithm::MD4: case Algorithm::MD5: return 16;
    case Algorithm::RIPEMD160: case Algorithm::SHA_1: return 20;
    case Algorithm::SHA_224: case Algorithm::SHA_512_224: case Algorithm::SHA3_224: return 28;
    case Algorithm::SHA_256: case Algorithm::SHA_512_256: case Algorithm::SHA3_256: return 32;
    case Algorithm::SHA_384: case Algorithm::SHA3_384: return 48;
    case Algorithm::SHA_512: case Algorithm::SHA3_512: return 64;
    default: return 0;
  }
}

TEST(PolicyHelpersTest, DigestLengths) {
  EXPECT_EQ(digest_length(Algorithm::MD2), 16u);
  EXPECT_EQ(digest_length(Algorithm::MD4), 16u);
  EXPECT_EQ(digest_length(Algorithm::MD5), 16u);
  EXPECT_EQ(digest_length(Algorithm::RIPEMD160), 20u);
  EXPECT_EQ(digest_length(Algorithm::SHA_1), 20u);
  EXPECT_EQ(digest_length(Algorithm::SHA_224), 28u);
  EXPECT_EQ(digest_length(Algorithm::SHA_256), 32u);
  EXPECT_EQ(digest_length(Algorithm::SHA_384), 48u);
  EXPECT_EQ(digest_length(Algorithm::SHA_512), 64u);
  EXPECT_EQ(digest_length(Algorithm::SHA_512_224), 28u);
  EXPECT_EQ(digest_length(Algorithm::SHA_512_256), 32u);
  EXPECT_EQ(digest_length(Algorithm::SHA3_224), 28u);
  EXPECT_EQ(digest_length(Algorithm::SHA3_256), 32u);
  EXPECT_EQ(digest_length(Algorithm::SHA3_384), 48u);
  EXPECT_EQ(digest_length(Algorithm::SHA3_512), 64u);
  EXPECT_EQ(digest_length(Algorithm::HASH_NONE), 0u);
  EXPECT_EQ(digest_length(16), 0u);
}

// ---- permits (operations.md 11.10) -------------------------------------------------------

TEST(PermitsTest, NonePolicyPermitsNothing) {
  const Algorithm none = alg_none();
  EXPECT_FALSE(permits(none, none));
  EXPECT_FALSE(permits(none, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256)));
  EXPECT_FALSE(permits(none, alg_hash(Algorithm::SHA_256)));
  EXPECT_FALSE(permits(none, alg_aead(Algorithm::Aead::GCM)));
}

TEST(PermitsTest, WildcardPolicyPermitsEverySpecificHash) {
  for (Scheme s : kHashSchemes) {
    for (Algorithm::Hash h : kAllHashes) {
      EXPECT_TRUE(permits(alg_sig_any(s), alg_sig(s, h))) << static_cast<int>(s) << " " << h;
    }
  }
}

TEST(PermitsTest, RequestNamingAnyNeverPermitted) {
  for (Scheme s : kHashSchemes) {
    EXPECT_FALSE(permits(alg_sig_any(s), alg_sig_any(s)));
    EXPECT_FALSE(permits(alg_sig(s, Algorithm::SHA_256), alg_sig_any(s)));
  }
}

TEST(PermitsTest, SpecificHashMustMatch) {
  for (Scheme s : kHashSchemes) {
    for (Algorithm::Hash ph : kAllHashes) {
      for (Algorithm::Hash rh : kAllHashes) {
        EXPECT_EQ(permits(alg_sig(s, ph), alg_sig(s, rh)), ph == rh) << static_cast<int>(s) << " " << ph << " " << rh;
      }
    }
  }
}

TEST(PermitsTest, SchemeMustMatch) {
  for (Scheme ps : kHashSchemes) {
    for (Scheme rs : kHashSchemes) {
      if (ps == rs) {
        continue;
      }
      EXPECT_FALSE(permits(alg_sig(ps, Algorithm::SHA_256), alg_sig(rs, Algorithm::SHA_256)));
      EXPECT_FALSE(permits(alg_sig_any(ps), alg_sig(rs, Algorithm::SHA_256)));
    }
    EXPECT_FALSE(permits(alg_sig_any(ps), wrap(sig_raw_pkcs1())));
    EXPECT_FALSE(permits(alg_sig_any(ps), wrap(sig_ecdsa_any())));
    EXPECT_FALSE(permits(wrap(sig_raw_pkcs1()), alg_sig(ps, Algorithm::SHA_256)));
    EXPECT_FALSE(permits(wrap(sig_ecdsa_any()), alg_sig(ps, Algorithm::SHA_256)));
  }
  // Explicitly: randomized vs deterministic ECDSA, both directions.
  EXPECT_FALSE(permits(alg_sig(Scheme::Ecdsa, Algorithm::SHA_256), alg_sig(Scheme::DetEcdsa, Algorithm::SHA_256)));
  EXPECT_FALSE(permits(alg_sig(Scheme::DetEcdsa, Algorithm::SHA_256), alg_sig(Scheme::Ecdsa, Algorithm::SHA_256)));
  EXPECT_FALSE(permits(alg_sig_any(Scheme::Ecdsa), alg_sig(Scheme::DetEcdsa, Algorithm::SHA_256)));
}

TEST(PermitsTest, RawSchemesNeedIdenticalAlgorithm) {
  EXPECT_TRUE(permits(wrap(sig_raw_pkcs1()), wrap(sig_raw_pkcs1())));
  EXPECT_TRUE(permits(wrap(sig_ecdsa_any()), wrap(sig_ecdsa_any())));
  EXPECT_FALSE(permits(wrap(sig_raw_pkcs1()), wrap(sig_ecdsa_any())));
  EXPECT_FALSE(permits(wrap(sig_ecdsa_any()), wrap(sig_raw_pkcs1())));
}

TEST(PermitsTest, SignaturePolicyDoesNotPermitOtherFamilies) {
  EXPECT_FALSE(permits(alg_sig_any(Scheme::Pkcs1v15), alg_pkcs1_crypt()));
  EXPECT_FALSE(permits(alg_sig_any(Scheme::Ecdsa), wrap_raw_agreement(Algorithm::KeyAgreement::ECDH)));
  EXPECT_FALSE(permits(alg_hash(Algorithm::SHA_256), alg_sig(Scheme::Ecdsa, Algorithm::SHA_256)));
}

TEST(PermitsTest, OtherAlgorithmsNeedExactEquality) {
  using Ae = Algorithm::Aead;
  // AEAD tag lengths.
  EXPECT_TRUE(permits(alg_aead(Ae::GCM), alg_aead(Ae::GCM)));
  EXPECT_FALSE(permits(alg_aead(Ae::GCM), alg_aead(Ae::CCM)));
  EXPECT_TRUE(permits(alg_aead_short(Ae::CCM, 8), alg_aead_short(Ae::CCM, 8)));
  EXPECT_FALSE(permits(alg_aead_short(Ae::CCM, 8), alg_aead_short(Ae::CCM, 12)));
  EXPECT_FALSE(permits(alg_aead_short(Ae::CCM, 12), alg_aead_short(Ae::CCM, 8)));
  EXPECT_FALSE(permits(alg_aead_short(Ae::CCM, 8), alg_aead_short(Ae::GCM, 8)));
  EXPECT_FALSE(permits(alg_aead(Ae::GCM), alg_aead_short(Ae::GCM, 16)));
  EXPECT_FALSE(permits(alg_aead_short(Ae::GCM, 16), alg_aead(Ae::GCM)));
  // MAC lengths and hashes.
  EXPECT_TRUE(permits(alg_hmac(Algorithm::SHA_256), alg_hmac(Algorithm::SHA_256)));
  EXPECT_FALSE(permits(alg_hmac(Algorithm::SHA_256), alg_hmac(Algorithm::SHA_384)));
  EXPECT_TRUE(permits(alg_hmac_truncated(Algorithm::SHA_256, 16), alg_hmac_truncated(Algorithm::SHA_256, 16)));
  EXPECT_FALSE(permits(alg_hmac_truncated(Algorithm::SHA_256, 16), alg_hmac_truncated(Algorithm::SHA_256, 20)));
  EXPECT_FALSE(permits(alg_hmac(Algorithm::SHA_256), alg_hmac_truncated(Algorithm::SHA_256, 32)));
  EXPECT_FALSE(permits(alg_cmac(), alg_cbc_mac()));
  EXPECT_FALSE(permits(alg_cmac(), alg_cmac_truncated(8)));
  // Ciphers.
  EXPECT_TRUE(permits(wrap_cipher(Algorithm::CTR), wrap_cipher(Algorithm::CTR)));
  EXPECT_FALSE(permits(wrap_cipher(Algorithm::CTR), wrap_cipher(Algorithm::CBC_PKCS7)));
  // Asymmetric encryption.
  EXPECT_TRUE(permits(alg_oaep(Algorithm::SHA_256), alg_oaep(Algorithm::SHA_256)));
  EXPECT_FALSE(permits(alg_oaep(Algorithm::SHA_256), alg_oaep(Algorithm::SHA_1)));
  EXPECT_FALSE(permits(alg_oaep(Algorithm::SHA_256), alg_pkcs1_crypt()));
  EXPECT_TRUE(permits(alg_pkcs1_crypt(), alg_pkcs1_crypt()));
  // Key agreement and derivation.
  EXPECT_TRUE(permits(wrap_raw_agreement(Algorithm::KeyAgreement::ECDH), wrap_raw_agreement(Algorithm::KeyAgreement::ECDH)));
  EXPECT_FALSE(permits(wrap_raw_agreement(Algorithm::KeyAgreement::ECDH), wrap_raw_agreement(Algorithm::KeyAgreement::FFDH)));
  EXPECT_FALSE(permits(alg_ka_with_kdf(Algorithm::KeyAgreement::ECDH, Kdf::Hkdf, Algorithm::SHA_256),
                       wrap_raw_agreement(Algorithm::KeyAgreement::ECDH)));
  EXPECT_FALSE(permits(alg_kdf(Kdf::Hkdf, Algorithm::SHA_256), alg_kdf(Kdf::Hkdf, Algorithm::SHA_512)));
  EXPECT_TRUE(permits(alg_kdf(Kdf::Hkdf, Algorithm::SHA_256), alg_kdf(Kdf::Hkdf, Algorithm::SHA_256)));
}

// ---- compatible (operations.md 11.11) ------------------------------------------------------

// Algorithm classes of the 11.11 table.
enum class Cls { Hmac, BlockMac, StreamCipher, BlockCipher, AeadBlock, AeadChacha, RsaSig, RsaEnc, EccSig, Ecdh, Ffdh, Kdf, NoneCompatible };

struct ClassedAlg {
  Cls cls;
  Algorithm alg;
};

std::vector<ClassedAlg> all_algorithms() {
  using Ae = Algorithm::Aead;
  using Ka = Algorithm::KeyAgreement;
  std::vector<ClassedAlg> v = {
      {Cls::Hmac, alg_hmac(Algorithm::SHA_256)},
      {Cls::Hmac, alg_hmac_truncated(Algorithm::SHA_512, 16)},
      {Cls::BlockMac, alg_cbc_mac()},
      {Cls::BlockMac, alg_cmac()},
      {Cls::BlockMac, alg_cmac_truncated(8)},
      {Cls::StreamCipher, wrap_cipher(Algorithm::STREAM_CIPHER)},
      {Cls::AeadBlock, alg_aead(Ae::CCM)},
      {Cls::AeadBlock, alg_aead(Ae::GCM)},
      {Cls::AeadBlock, alg_aead_short(Ae::CCM, 8)},
      {Cls::AeadBlock, alg_aead_short(Ae::GCM, 12)},
      {Cls::AeadChacha, alg_aead(Ae::CHACHA20_POLY1305)},
      {Cls::AeadChacha, alg_aead_short(Ae::CHACHA20_POLY1305, 12)},
      {Cls::RsaSig, alg_sig(Scheme::Pkcs1v15, Algorithm::SHA_256)},
      {Cls::RsaSig, wrap(sig_raw_pkcs1())},
      {Cls::RsaSig, alg_sig(Scheme::Pss, Algorithm::SHA_384)},
      {Cls::RsaEnc, alg_pkcs1_crypt()},
      {Cls::RsaEnc, alg_oaep(Algorithm::SHA_256)},
      {Cls::EccSig, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256)},
      {Cls::EccSig, wrap(sig_ecdsa_any())},
      {Cls::EccSig, alg_sig(Scheme::DetEcdsa, Algorithm::SHA_512)},
      {Cls::Ecdh, wrap_raw_agreement(Ka::ECDH)},
      {Cls::Ecdh, alg_ka_with_kdf(Ka::ECDH, Kdf::Hkdf, Algorithm::SHA_256)},
      {Cls::Ffdh, wrap_raw_agreement(Ka::FFDH)},
      {Cls::Ffdh, alg_ka_with_kdf(Ka::FFDH, Kdf::Tls12Prf, Algorithm::SHA_256)},
      {Cls::Kdf, alg_kdf(Kdf::Hkdf, Algorithm::SHA_256)},
      {Cls::Kdf, alg_kdf(Kdf::Tls12Prf, Algorithm::SHA_384)},
      {Cls::Kdf, alg_kdf(Kdf::Tls12PskToMs, Algorithm::SHA_256)},
      {Cls::NoneCompatible, alg_hash(Algorithm::SHA_256)},
      {Cls::NoneCompatible, alg_none()},
  };
  for (auto c : {Algorithm::CTR, Algorithm::CFB, Algorithm::OFB, Algorithm::XTS, Algorithm::ECB_NO_PADDING,
                 Algorithm::CBC_NO_PADDING, Algorithm::CBC_PKCS7}) {
    v.push_back({Cls::BlockCipher, wrap_cipher(c)});
  }
  return v;
}

std::set<Cls> spec_compatible(KT k) {
  switch (k) {
    case KT::RawData: return {};
    case KT::Hmac: return {Cls::Hmac};
    case KT::Derive: return {Cls::Kdf};
    case KT::Aes:
    case KT::Camellia: return {Cls::BlockMac, Cls::BlockCipher, Cls::AeadBlock};
    case KT::Des: return {Cls::BlockMac, Cls::BlockCipher};
    case KT::Arc4: return {Cls::StreamCipher};
    case KT::Chacha20: return {Cls::StreamCipher, Cls::AeadChacha};
    case KT::RsaKeyPair:
    case KT::RsaPublicKey: return {Cls::RsaSig, Cls::RsaEnc};
    case KT::EccKeyPair:
    case KT::EccPublicKey: return {Cls::EccSig, Cls::Ecdh};
    case KT::DhKeyPair:
    case KT::DhPublicKey: return {Cls::Ffdh};
  }
  return {};
}

TEST(CompatibleTest, EveryKeyTypeAgainstEveryAlgorithm) {
  const auto algs = all_algorithms();
  for (KT k : kAllKeyTypes) {
    const std::set<Cls> ok = spec_compatible(k);
    int compatible_count = 0;
    for (const auto& a : algs) {
      bool want = ok.count(a.cls) != 0;
      EXPECT_EQ(compatible(key_type(k), a.alg), want) << kt_name(k) << " / " << a.alg.ShortDebugString();
      compatible_count += want;
    }
    // Guard against an empty expectation table hiding a broken matrix.
    if (k != KT::RawData) {
      EXPECT_GT(compatible_count, 0) << kt_name(k);
    }
  }
}

TEST(CompatibleTest, DirectionSpotChecks) {
  // Algorithm -> key types, read the other way around.
  EXPECT_TRUE(compatible(key_type(KT::Aes), alg_aead(Algorithm::Aead::GCM)));
  EXPECT_FALSE(compatible(key_type(KT::Chacha20), alg_aead(Algorithm::Aead::GCM)));
  EXPECT_TRUE(compatible(key_type(KT::Chacha20), alg_aead(Algorithm::Aead::CHACHA20_POLY1305)));
  EXPECT_FALSE(compatible(key_type(KT::Aes), alg_aead(Algorithm::Aead::CHACHA20_POLY1305)));
  EXPECT_FALSE(compatible(key_type(KT::Des), alg_aead(Algorithm::Aead::CCM)));
  EXPECT_FALSE(compatible(key_type(KT::Aes), wrap_cipher(Algorithm::STREAM_CIPHER)));
  EXPECT_FALSE(compatible(key_type(KT::Chacha20), wrap_cipher(Algorithm::CTR)));
  EXPECT_FALSE(compatible(key_type(KT::Hmac), alg_cmac()));
  EXPECT_FALSE(compatible(key_type(KT::Aes), alg_hmac(Algorithm::SHA_256)));
  EXPECT_FALSE(compatible(key_type(KT::EccKeyPair), alg_sig(Scheme::Pss, Algorithm::SHA_256)));
  EXPECT_FALSE(compatible(key_type(KT::RsaKeyPair), alg_sig(Scheme::Ecdsa, Algorithm::SHA_256)));
  EXPECT_FALSE(compatible(key_type(KT::EccKeyPair), wrap_raw_agreement(Algorithm::KeyAgreement::FFDH)));
  EXPECT_FALSE(compatible(key_type(KT::DhKeyPair), wrap_raw_agreement(Algorithm::KeyAgreement::ECDH)));
  EXPECT_FALSE(compatible(key_type(KT::EccKeyPair), alg_oaep(Algorithm::SHA_256)));
}

// ---- check_key_use (operations.md 2.3) ---------------------------------------------------------

TEST(CheckKeyUseTest, MissingFlagReportedBeforePolicyMismatch) {
  KeyAttributes key = attrs(key_type(KT::EccKeyPair), 256, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256));
  key.mutable_key_policy()->mutable_key_usage_flags()->set_verify_hash(true);  // no sign_hash
  std::string why;
  // Request mismatches the policy too (SHA-384), but the flag is reported.
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, alg_sig(Scheme::Ecdsa, Algorithm::SHA_384), why),
            Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("sign_hash"));
  EXPECT_THAT(why, ::testing::Not(HasSubstr("policy")));

  // With the flag, the policy mismatch is reported.
  key.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
  why.clear();
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, alg_sig(Scheme::Ecdsa, Algorithm::SHA_384), why),
            Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("policy"));

  why.clear();
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, alg_sig(Scheme::Ecdsa, Algorithm::SHA_256), why),
            Status::Success);
}

TEST(CheckKeyUseTest, PolicyMismatchReportedBeforeTypeIncompatibility) {
  // RSA policy on an ECC key: the policy permits PKCS#1 but the type cannot do it.
  KeyAttributes key = attrs(key_type(KT::EccKeyPair), 256, alg_sig(Scheme::Pkcs1v15, Algorithm::SHA_256));
  key.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
  std::string why;
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, alg_sig(Scheme::Pkcs1v15, Algorithm::SHA_256), why),
            Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("type"));
  why.clear();
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, alg_sig(Scheme::Pss, Algorithm::SHA_256), why),
            Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("policy"));
}

TEST(CheckKeyUseTest, SignMessageAllowedBySignHash) {
  // Not normalised: only the hash flags.
  KeyAttributes key = attrs(key_type(KT::EccKeyPair), 256, alg_sig_any(Scheme::Ecdsa));
  key.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
  key.mutable_key_policy()->mutable_key_usage_flags()->set_verify_hash(true);
  std::string why;
  const Algorithm req = alg_sig(Scheme::Ecdsa, Algorithm::SHA_256);
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignMessage, req, why), Status::Success) << why;
  EXPECT_EQ(check_key_use(key, Opcode::PsaVerifyMessage, req, why), Status::Success) << why;
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, req, why), Status::Success) << why;
  EXPECT_EQ(check_key_use(key, Opcode::PsaVerifyHash, req, why), Status::Success) << why;
}

TEST(CheckKeyUseTest, MessageFlagsDoNotAllowHashOperations) {
  KeyAttributes key = attrs(key_type(KT::EccKeyPair), 256, alg_sig_any(Scheme::Ecdsa));
  key.mutable_key_policy()->mutable_key_usage_flags()->set_sign_message(true);
  key.mutable_key_policy()->mutable_key_usage_flags()->set_verify_message(true);
  std::string why;
  const Algorithm req = alg_sig(Scheme::Ecdsa, Algorithm::SHA_256);
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignMessage, req, why), Status::Success);
  EXPECT_EQ(check_key_use(key, Opcode::PsaVerifyMessage, req, why), Status::Success);
  EXPECT_EQ(check_key_use(key, Opcode::PsaSignHash, req, why), Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("sign_hash"));
  EXPECT_EQ(check_key_use(key, Opcode::PsaVerifyHash, req, why), Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("verify_hash"));
}

TEST(CheckKeyUseTest, FlagTable) {
  struct Row {
    Opcode op;
    std::function<void(psa_key_attributes::UsageFlags*)> grant;
    const char* flag;
  };
  using F = psa_key_attributes::UsageFlags;
  const Row rows[] = {
      {Opcode::PsaAsymmetricEncrypt, [](F* f) { f->set_encrypt(true); }, "encrypt"},
      {Opcode::PsaAeadEncrypt, [](F* f) { f->set_encrypt(true); }, "encrypt"},
      {Opcode::PsaCipherEncrypt, [](F* f) { f->set_encrypt(true); }, "encrypt"},
      {Opcode::PsaAsymmetricDecrypt, [](F* f) { f->set_decrypt(true); }, "decrypt"},
      {Opcode::PsaAeadDecrypt, [](F* f) { f->set_decrypt(true); }, "decrypt"},
      {Opcode::PsaCipherDecrypt, [](F* f) { f->set_decrypt(true); }, "decrypt"},
      {Opcode::PsaRawKeyAgreement, [](F* f) { f->set_derive(true); }, "derive"},
      {Opcode::PsaExportKey, [](F* f) { f->set_export_(true); }, "export"},
      {Opcode::PsaMacCompute, [](F* f) { f->set_sign_message(true); }, "sign_message"},
      {Opcode::PsaMacVerify, [](F* f) { f->set_verify_message(true); }, "verify_message"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.flag);
    KeyAttributes key = attrs(key_type(KT::Aes), 128, alg_none());
    // Every other flag set: only the right one counts.
    auto* f = key.mutable_key_policy()->mutable_key_usage_flags();
    f->set_export_(true);
    f->set_copy(true);
    f->set_cache(true);
    f->set_encrypt(true);
    f->set_decrypt(true);
    f->set_sign_message(true);
    f->set_verify_message(true);
    f->set_derive(true);
    std::string flag = r.flag;
    if (flag == "encrypt") f->set_encrypt(false);
    if (flag == "decrypt") f->set_decrypt(false);
    if (flag == "derive") f->set_derive(false);
    if (flag == "export") f->set_export_(false);
    if (flag == "sign_message") f->set_sign_message(false);
    if (flag == "verify_message") f->set_verify_message(false);
    std::string why;
    EXPECT_EQ(check_usage_only(key, r.op, why), Status::PsaErrorNotPermitted);
    EXPECT_THAT(why, HasSubstr(r.flag));
    r.grant(f);
    why.clear();
    EXPECT_EQ(check_usage_only(key, r.op, why), Status::Success) << why;
  }
  // PsaExportPublicKey needs no flag.
  KeyAttributes bare = attrs(key_type(KT::EccKeyPair), 256, alg_none());
  std::string why;
  EXPECT_EQ(check_usage_only(bare, Opcode::PsaExportPublicKey, why), Status::Success);
}

TEST(CheckKeyUseTest, FullPathForSymmetricAndAgreement) {
  std::string why;
  KeyAttributes aes = attrs(key_type(KT::Aes), 128, alg_aead_short(Algorithm::Aead::CCM, 8));
  aes.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
  EXPECT_EQ(check_key_use(aes, Opcode::PsaAeadEncrypt, alg_aead_short(Algorithm::Aead::CCM, 8), why), Status::Success);
  EXPECT_EQ(check_key_use(aes, Opcode::PsaAeadEncrypt, alg_aead_short(Algorithm::Aead::CCM, 16), why),
            Status::PsaErrorNotPermitted);
  EXPECT_EQ(check_key_use(aes, Opcode::PsaAeadDecrypt, alg_aead_short(Algorithm::Aead::CCM, 8), why),
            Status::PsaErrorNotPermitted);
  EXPECT_THAT(why, HasSubstr("decrypt"));

  KeyAttributes ecdh = attrs(key_type(KT::EccKeyPair), 256, wrap_raw_agreement(Algorithm::KeyAgreement::ECDH));
  ecdh.mutable_key_policy()->mutable_key_usage_flags()->set_derive(true);
  EXPECT_EQ(check_key_use(ecdh, Opcode::PsaRawKeyAgreement, wrap_raw_agreement(Algorithm::KeyAgreement::ECDH), why),
            Status::Success);
  // A none policy permits nothing even with every flag.
  KeyAttributes none = attrs(key_type(KT::Aes), 128, alg_none());
  none.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
  EXPECT_EQ(check_key_use(none, Opcode::PsaCipherEncrypt, wrap_cipher(Algorithm::CTR), why), Status::PsaErrorNotPermitted);
}

// ---- check_sign_hash_length ----------------------------------------------------------------

TEST(CheckSignHashLengthTest, EveryHashDigestLength) {
  for (Scheme s : kHashSchemes) {
    for (Algorithm::Hash h : kAllHashes) {
      const size_t n = spec_digest_length(h);
      ASSERT_GT(n, 0u);
      const Sig a = sig(s, specific(h));
      std::string why;
      EXPECT_EQ(check_sign_hash_length(a, n, why), Status::Success) << h << ": " << why;
      for (size_t bad : {n - 1, n + 1, size_t{0}, size_t{100}}) {
        why.clear();
        EXPECT_EQ(check_sign_hash_length(a, bad, why), Status::PsaErrorInvalidArgument) << h << " len " << bad;
        EXPECT_FALSE(why.empty());
      }
    }
  }
}

TEST(CheckSignHashLengthTest, RawAlgorithmsAcceptAnyLength) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{20}, size_t{32}, size_t{33}, size_t{255}, size_t{4096}}) {
    std::string why;
    EXPECT_EQ(check_sign_hash_length(sig_raw_pkcs1(), n, why), Status::Success) << n;
    EXPECT_EQ(check_sign_hash_length(sig_ecdsa_any(), n, why), Status::Success) << n;
  }
}

}  // namespace
}  // namespace parsec::service::policy
