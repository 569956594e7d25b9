// The plain PSA model to PSA values, for every variant of the model.
#include "providers/mbed/src/psa_convert.h"

#include <gtest/gtest.h>

#include "providers/mbed/tests/test_attributes.h"

namespace parsec::provider::mbed {
namespace {

using psa::Algorithm;
using psa::Hash;
using psa::KeyType;

psa_algorithm_t ok(const Result<psa_algorithm_t>& r) {
  EXPECT_TRUE(r.ok()) << static_cast<int>(r.status());
  return r.ok() ? *r : 0;
}

// refused is the status of a conversion that must fail, with a detail.
template <typename T>
Status refused(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.detail().empty()) << "no detail for status " << static_cast<int>(r.status());
  return r.status();
}

TEST(StatusFromPsa, MapsThePsaBlockAndNothingElse) {
  EXPECT_EQ(status_from_psa(PSA_SUCCESS), Status::Success);
  EXPECT_EQ(status_from_psa(PSA_ERROR_NOT_PERMITTED), Status::PsaErrorNotPermitted);
  EXPECT_EQ(status_from_psa(-133), static_cast<Status>(1133));
  EXPECT_EQ(status_from_psa(PSA_ERROR_GENERIC_ERROR), Status::PsaErrorGenericError);
  EXPECT_EQ(status_from_psa(PSA_ERROR_INVALID_SIGNATURE), Status::PsaErrorInvalidSignature);
  EXPECT_EQ(status_from_psa(PSA_ERROR_DOES_NOT_EXIST), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(status_from_psa(PSA_ERROR_INSUFFICIENT_DATA), Status::PsaErrorInsufficientData);
  EXPECT_EQ(status_from_psa(PSA_ERROR_DATA_CORRUPT), Status::PsaErrorDataCorrupt);
  EXPECT_EQ(status_from_psa(PSA_ERROR_DATA_INVALID), Status::PsaErrorDataInvalid);
  EXPECT_EQ(status_from_psa(-144), Status::PsaErrorGenericError);  // 1144 is not defined
  EXPECT_EQ(status_from_psa(-154), Status::PsaErrorGenericError);
  EXPECT_EQ(status_from_psa(-1), Status::PsaErrorGenericError);
  EXPECT_EQ(status_from_psa(999), Status::PsaErrorGenericError);  // would be 1 (WrongProviderId)
  EXPECT_EQ(status_from_psa(5), Status::PsaErrorGenericError);
}

TEST(KeyRef, IsTheLittleEndianKeyId) {
  EXPECT_EQ(key_ref_from_id(0x01020304), (Bytes{4, 3, 2, 1}));
  EXPECT_EQ(key_id_from_ref(Bytes{4, 3, 2, 1}), psa_key_id_t{0x01020304});
  EXPECT_EQ(key_id_from_ref(key_ref_from_id(PSA_KEY_ID_USER_MAX)), PSA_KEY_ID_USER_MAX);
  EXPECT_EQ(key_id_from_ref(Bytes{}), std::nullopt);
  EXPECT_EQ(key_id_from_ref(Bytes{1, 0, 0}), std::nullopt);
  EXPECT_EQ(key_id_from_ref(Bytes{1, 0, 0, 0, 0}), std::nullopt);
  EXPECT_EQ(key_id_from_ref(Bytes{0, 0, 0, 0}), std::nullopt);
  EXPECT_EQ(key_id_from_ref(key_ref_from_id(PSA_KEY_ID_USER_MAX + 1)), std::nullopt);
}

TEST(ToPsaHash, EveryHash) {
  const std::pair<Hash, psa_algorithm_t> cases[] = {
      {psa::Hash::Md2, PSA_ALG_MD2},
      {psa::Hash::Md4, PSA_ALG_MD4},
      {psa::Hash::Md5, PSA_ALG_MD5},
      {psa::Hash::Ripemd160, PSA_ALG_RIPEMD160},
      {psa::Hash::Sha1, PSA_ALG_SHA_1},
      {psa::Hash::Sha224, PSA_ALG_SHA_224},
      {psa::Hash::Sha256, PSA_ALG_SHA_256},
      {psa::Hash::Sha384, PSA_ALG_SHA_384},
      {psa::Hash::Sha512, PSA_ALG_SHA_512},
      {psa::Hash::Sha512_224, PSA_ALG_SHA_512_224},
      {psa::Hash::Sha512_256, PSA_ALG_SHA_512_256},
      {psa::Hash::Sha3_224, PSA_ALG_SHA3_224},
      {psa::Hash::Sha3_256, PSA_ALG_SHA3_256},
      {psa::Hash::Sha3_384, PSA_ALG_SHA3_384},
      {psa::Hash::Sha3_512, PSA_ALG_SHA3_512},
  };
  for (const auto& [hash, psa] : cases) {
    EXPECT_EQ(ok(to_psa_hash(hash)), psa) << hash;
  }
  EXPECT_EQ(refused(to_psa_hash(psa::Hash::None)), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_hash(psa::Hash::Any)), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_hash(static_cast<Hash>(99))), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaSignAlgorithm, EverySchemeWithSpecificAndWildcardHash) {
  const auto sha256 = psa::Hash::Sha256;
  struct Case {
    test::SignAlg alg;
    psa_algorithm_t specific;
    psa_algorithm_t wildcard;
  };
  const Case cases[] = {
      {test::ecdsa(sha256), PSA_ALG_ECDSA(PSA_ALG_SHA_256), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH)},
      {test::deterministic_ecdsa(sha256), PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256),
       PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH)},
      {test::rsa_pkcs1v15(sha256), PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256),
       PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH)},
      {test::rsa_pss(sha256), PSA_ALG_RSA_PSS(PSA_ALG_SHA_256), PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ok(to_psa_sign_algorithm(c.alg, HashWildcard::Rejected)), c.specific);
    const test::SignAlg any = test::with_any_hash(c.alg);
    EXPECT_EQ(ok(to_psa_sign_algorithm(any, HashWildcard::Allowed)), c.wildcard);
    EXPECT_EQ(to_psa_sign_algorithm(any, HashWildcard::Rejected).status(), Status::PsaErrorInvalidArgument);
  }
  EXPECT_EQ(ok(to_psa_sign_algorithm(Algorithm::rsa_pkcs1v15_sign_raw(), HashWildcard::Rejected)),
            PSA_ALG_RSA_PKCS1V15_SIGN_RAW);
  EXPECT_EQ(ok(to_psa_sign_algorithm(Algorithm::ecdsa_any(), HashWildcard::Rejected)), PSA_ALG_ECDSA_ANY);

  // No signature at all (the model's default value is `none`), another
  // family, and no hash.
  EXPECT_EQ(refused(to_psa_sign_algorithm(test::SignAlg(), HashWildcard::Allowed)), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_sign_algorithm(Algorithm::rsa_oaep(sha256), HashWildcard::Allowed)),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_sign_algorithm(test::ecdsa(psa::Hash::None), HashWildcard::Allowed)),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_sign_algorithm(test::rsa_pss(psa::Hash::None), HashWildcard::Allowed)),
            Status::PsaErrorInvalidArgument);
}

TEST(ToPsaAlgorithm, EveryVariant) {
  const auto sha256 = psa::Hash::Sha256;
  const auto psa_alg = [](const Algorithm& a) { return ok(to_psa_algorithm(a, HashWildcard::Allowed)); };
  const auto refused_alg = [](const Algorithm& a) { return refused(to_psa_algorithm(a, HashWildcard::Allowed)); };

  EXPECT_EQ(psa_alg(Algorithm::none()), PSA_ALG_NONE);
  EXPECT_EQ(psa_alg(Algorithm::hash(psa::Hash::Sha384)), PSA_ALG_SHA_384);

  EXPECT_EQ(psa_alg(Algorithm::hmac(sha256)), PSA_ALG_HMAC(PSA_ALG_SHA_256));
  EXPECT_EQ(psa_alg(Algorithm::cbc_mac()), PSA_ALG_CBC_MAC);
  EXPECT_EQ(psa_alg(Algorithm::cmac()), PSA_ALG_CMAC);
  EXPECT_EQ(psa_alg(Algorithm::truncated_mac(Algorithm::hmac(sha256), 16)),
            PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 16));
  EXPECT_EQ(refused_alg(Algorithm::truncated_mac(Algorithm::hmac(sha256), 0)), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused_alg(Algorithm::truncated_mac(Algorithm::hmac(sha256), 64)), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused_alg(Algorithm::hmac(psa::Hash::None)), Status::PsaErrorInvalidArgument);

  const std::pair<psa::Cipher, psa_algorithm_t> ciphers[] = {
      {psa::Cipher::StreamCipher, PSA_ALG_STREAM_CIPHER},
      {psa::Cipher::Ctr, PSA_ALG_CTR},
      {psa::Cipher::Cfb, PSA_ALG_CFB},
      {psa::Cipher::Ofb, PSA_ALG_OFB},
      {psa::Cipher::Xts, PSA_ALG_XTS},
      {psa::Cipher::EcbNoPadding, PSA_ALG_ECB_NO_PADDING},
      {psa::Cipher::CbcNoPadding, PSA_ALG_CBC_NO_PADDING},
      {psa::Cipher::CbcPkcs7, PSA_ALG_CBC_PKCS7},
  };
  for (const auto& [cipher, psa] : ciphers) {
    EXPECT_EQ(psa_alg(Algorithm::cipher(cipher)), psa);
  }
  EXPECT_EQ(refused_alg(Algorithm::cipher(psa::Cipher::None)), Status::PsaErrorInvalidArgument);

  const std::pair<psa::AeadAlgorithm, psa_algorithm_t> aeads[] = {
      {psa::AeadAlgorithm::Ccm, PSA_ALG_CCM},
      {psa::AeadAlgorithm::Gcm, PSA_ALG_GCM},
      {psa::AeadAlgorithm::Chacha20Poly1305, PSA_ALG_CHACHA20_POLY1305},
  };
  for (const auto& [aead, psa] : aeads) {
    EXPECT_EQ(psa_alg(Algorithm::aead(aead)), psa);
    EXPECT_EQ(psa_alg(Algorithm::aead_shortened_tag(aead, 8)), PSA_ALG_AEAD_WITH_SHORTENED_TAG(psa, 8));
  }
  EXPECT_EQ(refused_alg(Algorithm::aead_shortened_tag(psa::AeadAlgorithm::Chacha20Poly1305, 0)),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused_alg(Algorithm::aead(psa::AeadAlgorithm::None)), Status::PsaErrorInvalidArgument);

  const Algorithm any_ecdsa = test::with_any_hash(test::ecdsa(sha256));
  EXPECT_EQ(psa_alg(any_ecdsa), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
  EXPECT_EQ(refused(to_psa_algorithm(any_ecdsa, HashWildcard::Rejected)), Status::PsaErrorInvalidArgument);

  EXPECT_EQ(psa_alg(Algorithm::rsa_pkcs1v15_crypt()), PSA_ALG_RSA_PKCS1V15_CRYPT);
  EXPECT_EQ(psa_alg(Algorithm::rsa_oaep(sha256)), PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256));

  EXPECT_EQ(psa_alg(Algorithm::hkdf(sha256)), PSA_ALG_HKDF(PSA_ALG_SHA_256));
  EXPECT_EQ(psa_alg(Algorithm::tls12_prf(sha256)), PSA_ALG_TLS12_PRF(PSA_ALG_SHA_256));
  EXPECT_EQ(psa_alg(Algorithm::tls12_psk_to_ms(sha256)), PSA_ALG_TLS12_PSK_TO_MS(PSA_ALG_SHA_256));
  // A key derivation without a hash.
  EXPECT_EQ(refused_alg(Algorithm::hkdf(psa::Hash::None)), Status::PsaErrorInvalidArgument);

  EXPECT_EQ(psa_alg(Algorithm::ffdh()), PSA_ALG_FFDH);
  EXPECT_EQ(psa_alg(Algorithm::ecdh()), PSA_ALG_ECDH);
  EXPECT_EQ(refused_alg(Algorithm::raw_key_agreement(psa::RawKeyAgreement::None)), Status::PsaErrorInvalidArgument);
  // A chained agreement without a key derivation.
  EXPECT_EQ(refused_alg(Algorithm::key_agreement_with_derivation(psa::RawKeyAgreement::Ecdh, Algorithm::none())),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(psa_alg(Algorithm::key_agreement_with_derivation(psa::RawKeyAgreement::Ecdh, Algorithm::hkdf(sha256))),
            PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256)));

  // The model has no "unset" algorithm: its default value is `none`.
  EXPECT_EQ(psa_alg(Algorithm()), PSA_ALG_NONE);

  // The family converters refuse other families.
  EXPECT_EQ(refused(to_psa_mac_algorithm(Algorithm::ecdh())), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_aead_algorithm(Algorithm::cmac())), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_encryption_algorithm(test::ecdsa(sha256))), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_key_agreement_algorithm(Algorithm::hkdf(sha256))), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(refused(to_psa_key_derivation_algorithm(Algorithm::ecdh())), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaKeyType, EveryType) {
  const auto check = [](KeyType t, psa_key_type_t expected, psa::EccFamily family = psa::EccFamily::None) {
    Result<psa_key_type_t> r = to_psa_key_type(t, family);
    ASSERT_TRUE(r.ok()) << psa::key_type_name(t);
    EXPECT_EQ(*r, expected) << psa::key_type_name(t);
  };
  check(KeyType::RawData, PSA_KEY_TYPE_RAW_DATA);
  check(KeyType::Hmac, PSA_KEY_TYPE_HMAC);
  check(KeyType::Derive, PSA_KEY_TYPE_DERIVE);
  check(KeyType::Aes, PSA_KEY_TYPE_AES);
  check(KeyType::Des, PSA_KEY_TYPE_DES);
  check(KeyType::Camellia, PSA_KEY_TYPE_CAMELLIA);
  check(KeyType::Arc4, PSA_KEY_TYPE_ARC4);
  check(KeyType::Chacha20, PSA_KEY_TYPE_CHACHA20);
  check(KeyType::RsaPublicKey, PSA_KEY_TYPE_RSA_PUBLIC_KEY);
  check(KeyType::RsaKeyPair, PSA_KEY_TYPE_RSA_KEY_PAIR);

  const std::pair<psa::EccFamily, psa_ecc_family_t> families[] = {
      {psa::EccFamily::SecpK1, PSA_ECC_FAMILY_SECP_K1},
      {psa::EccFamily::SecpR1, PSA_ECC_FAMILY_SECP_R1},
      {psa::EccFamily::SecpR2, PSA_ECC_FAMILY_SECP_R2},
      {psa::EccFamily::SectK1, PSA_ECC_FAMILY_SECT_K1},
      {psa::EccFamily::SectR1, PSA_ECC_FAMILY_SECT_R1},
      {psa::EccFamily::SectR2, PSA_ECC_FAMILY_SECT_R2},
      {psa::EccFamily::BrainpoolPR1, PSA_ECC_FAMILY_BRAINPOOL_P_R1},
      {psa::EccFamily::Montgomery, PSA_ECC_FAMILY_MONTGOMERY},
  };
  for (const auto& [family, psa] : families) {
    check(KeyType::EccKeyPair, static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_KEY_PAIR(psa)), family);
    check(KeyType::EccPublicKey, static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_PUBLIC_KEY(psa)), family);
  }
  EXPECT_EQ(refused(to_psa_key_type(KeyType::EccKeyPair, psa::EccFamily::Frp)), Status::PsaErrorNotSupported);
  EXPECT_EQ(refused(to_psa_key_type(KeyType::EccKeyPair, psa::EccFamily::None)), Status::PsaErrorInvalidArgument);

  check(KeyType::DhKeyPair, static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919)));
  check(KeyType::DhPublicKey, static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_PUBLIC_KEY(PSA_DH_FAMILY_RFC7919)));

  EXPECT_EQ(refused(to_psa_key_type(KeyType::None)), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaUsage, EveryFlag) {
  using Flags = psa::UsageFlags;
  const std::pair<bool Flags::*, psa_key_usage_t> cases[] = {
      {&Flags::export_, PSA_KEY_USAGE_EXPORT},
      {&Flags::copy, PSA_KEY_USAGE_COPY},
      {&Flags::cache, 0},
      {&Flags::encrypt, PSA_KEY_USAGE_ENCRYPT},
      {&Flags::decrypt, PSA_KEY_USAGE_DECRYPT},
      {&Flags::sign_message, PSA_KEY_USAGE_SIGN_MESSAGE},
      {&Flags::verify_message, PSA_KEY_USAGE_VERIFY_MESSAGE},
      {&Flags::sign_hash, PSA_KEY_USAGE_SIGN_HASH},
      {&Flags::verify_hash, PSA_KEY_USAGE_VERIFY_HASH},
      {&Flags::derive, PSA_KEY_USAGE_DERIVE},
  };
  Flags all;
  psa_key_usage_t all_bits = 0;
  for (const auto& [flag, bit] : cases) {
    Flags one;
    one.*flag = true;
    all.*flag = true;
    all_bits |= bit;
    EXPECT_EQ(to_psa_usage(one), bit);
  }
  EXPECT_EQ(to_psa_usage(all), all_bits);
  EXPECT_EQ(to_psa_usage(Flags()), 0u);
}

TEST(ToPsaAttributes, FillsTypeBitsUsageAndPolicy) {
  KeyAttributes a = test::rsa_key_pair(2048, test::with_any_hash(test::rsa_pss(psa::Hash::Sha256)));
  PsaAttributes out;
  ASSERT_TRUE(to_psa_attributes(a, out).ok());
  EXPECT_EQ(psa_get_key_type(out.get()), PSA_KEY_TYPE_RSA_KEY_PAIR);
  EXPECT_EQ(psa_get_key_bits(out.get()), 2048u);
  EXPECT_EQ(psa_get_key_usage_flags(out.get()), PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH |
                                                    PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
  EXPECT_EQ(psa_get_key_algorithm(out.get()), PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH));

  // The model always has a policy (default `none`); what cannot convert is
  // refused with a detail: no type, an ECC type without a curve family, a
  // policy that is no PSA algorithm.
  const auto refused_attrs = [](const KeyAttributes& attributes) {
    PsaAttributes unused;
    const Outcome o = to_psa_attributes(attributes, unused);
    EXPECT_FALSE(o.detail().empty());
    return o.status();
  };
  KeyAttributes no_type = a;
  no_type.type = KeyType::None;
  EXPECT_EQ(refused_attrs(no_type), Status::PsaErrorInvalidArgument);
  KeyAttributes no_family = test::ecc_key_pair(256, test::ecdsa(psa::Hash::Sha256));
  no_family.family = psa::EccFamily::None;
  EXPECT_EQ(refused_attrs(no_family), Status::PsaErrorInvalidArgument);
  KeyAttributes bad_alg = a;
  bad_alg.policy = Algorithm::hash(psa::Hash::Any);
  EXPECT_EQ(refused_attrs(bad_alg), Status::PsaErrorInvalidArgument);
  KeyAttributes none_policy = a;
  none_policy.policy = Algorithm::none();
  PsaAttributes none_out;
  ASSERT_TRUE(to_psa_attributes(none_policy, none_out).ok());
  EXPECT_EQ(psa_get_key_algorithm(none_out.get()), PSA_ALG_NONE);
}

}  // namespace
}  // namespace parsec::provider::mbed
