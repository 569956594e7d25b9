// Contract types to PSA values, for every variant of the contracts.
#include "psa_convert.h"

#include <gtest/gtest.h>

#include "test_attributes.h"

namespace parsec::provider::mbed {
namespace {

using psa_algorithm::Algorithm;
using psa_algorithm::Algorithm_Hash;
using psa_key_attributes::KeyType;

psa_algorithm_t ok(const Result<psa_algorithm_t>& r) {
  EXPECT_TRUE(r.ok()) << static_cast<int>(r.status());
  return r.ok() ? *r : 0;
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
  const std::pair<Algorithm_Hash, psa_algorithm_t> cases[] = {
      {psa_algorithm::Algorithm_Hash_MD2, PSA_ALG_MD2},
      {psa_algorithm::Algorithm_Hash_MD4, PSA_ALG_MD4},
      {psa_algorithm::Algorithm_Hash_MD5, PSA_ALG_MD5},
      {psa_algorithm::Algorithm_Hash_RIPEMD160, PSA_ALG_RIPEMD160},
      {psa_algorithm::Algorithm_Hash_SHA_1, PSA_ALG_SHA_1},
      {psa_algorithm::Algorithm_Hash_SHA_224, PSA_ALG_SHA_224},
      {psa_algorithm::Algorithm_Hash_SHA_256, PSA_ALG_SHA_256},
      {psa_algorithm::Algorithm_Hash_SHA_384, PSA_ALG_SHA_384},
      {psa_algorithm::Algorithm_Hash_SHA_512, PSA_ALG_SHA_512},
      {psa_algorithm::Algorithm_Hash_SHA_512_224, PSA_ALG_SHA_512_224},
      {psa_algorithm::Algorithm_Hash_SHA_512_256, PSA_ALG_SHA_512_256},
      {psa_algorithm::Algorithm_Hash_SHA3_224, PSA_ALG_SHA3_224},
      {psa_algorithm::Algorithm_Hash_SHA3_256, PSA_ALG_SHA3_256},
      {psa_algorithm::Algorithm_Hash_SHA3_384, PSA_ALG_SHA3_384},
      {psa_algorithm::Algorithm_Hash_SHA3_512, PSA_ALG_SHA3_512},
  };
  for (const auto& [hash, psa] : cases) {
    EXPECT_EQ(ok(to_psa_hash(hash)), psa) << hash;
  }
  EXPECT_EQ(to_psa_hash(psa_algorithm::Algorithm_Hash_HASH_NONE).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(to_psa_hash(static_cast<Algorithm_Hash>(99)).status(), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaSignAlgorithm, EverySchemeWithSpecificAndWildcardHash) {
  const auto sha256 = psa_algorithm::Algorithm_Hash_SHA_256;
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
  test::SignAlg raw;
  raw.mutable_rsa_pkcs1v15_sign_raw();
  EXPECT_EQ(ok(to_psa_sign_algorithm(raw, HashWildcard::Rejected)), PSA_ALG_RSA_PKCS1V15_SIGN_RAW);
  test::SignAlg ecdsa_any;
  ecdsa_any.mutable_ecdsa_any();
  EXPECT_EQ(ok(to_psa_sign_algorithm(ecdsa_any, HashWildcard::Rejected)), PSA_ALG_ECDSA_ANY);

  // Unset oneofs and HASH_NONE.
  EXPECT_EQ(to_psa_sign_algorithm(test::SignAlg(), HashWildcard::Allowed).status(),
            Status::PsaErrorInvalidArgument);
  test::SignAlg no_hash;
  no_hash.mutable_ecdsa();
  EXPECT_EQ(to_psa_sign_algorithm(no_hash, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(to_psa_sign_algorithm(test::ecdsa(psa_algorithm::Algorithm_Hash_HASH_NONE), HashWildcard::Allowed)
                .status(),
            Status::PsaErrorInvalidArgument);
}

TEST(ToPsaAlgorithm, EveryVariant) {
  const auto sha256 = psa_algorithm::Algorithm_Hash_SHA_256;
  Algorithm a;

  a.mutable_none();
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_NONE);

  a.set_hash(psa_algorithm::Algorithm_Hash_SHA_384);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_SHA_384);

  a.mutable_mac()->mutable_full_length()->mutable_hmac()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_HMAC(PSA_ALG_SHA_256));
  a.mutable_mac()->mutable_full_length()->mutable_cbc_mac();
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_CBC_MAC);
  a.mutable_mac()->mutable_full_length()->mutable_cmac();
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_CMAC);
  auto* truncated = a.mutable_mac()->mutable_truncated();
  truncated->mutable_mac_alg()->mutable_hmac()->set_hash_alg(sha256);
  truncated->set_mac_length(16);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 16));
  truncated->set_mac_length(0);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
  truncated->set_mac_length(64);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
  a.mutable_mac()->mutable_full_length()->mutable_hmac()->set_hash_alg(psa_algorithm::Algorithm_Hash_HASH_NONE);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);

  const std::pair<psa_algorithm::Algorithm_Cipher, psa_algorithm_t> ciphers[] = {
      {psa_algorithm::Algorithm_Cipher_STREAM_CIPHER, PSA_ALG_STREAM_CIPHER},
      {psa_algorithm::Algorithm_Cipher_CTR, PSA_ALG_CTR},
      {psa_algorithm::Algorithm_Cipher_CFB, PSA_ALG_CFB},
      {psa_algorithm::Algorithm_Cipher_OFB, PSA_ALG_OFB},
      {psa_algorithm::Algorithm_Cipher_XTS, PSA_ALG_XTS},
      {psa_algorithm::Algorithm_Cipher_ECB_NO_PADDING, PSA_ALG_ECB_NO_PADDING},
      {psa_algorithm::Algorithm_Cipher_CBC_NO_PADDING, PSA_ALG_CBC_NO_PADDING},
      {psa_algorithm::Algorithm_Cipher_CBC_PKCS7, PSA_ALG_CBC_PKCS7},
  };
  for (const auto& [cipher, psa] : ciphers) {
    a.set_cipher(cipher);
    EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), psa);
  }
  a.set_cipher(psa_algorithm::Algorithm_Cipher_CIPHER_NONE);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);

  const std::pair<psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag, psa_algorithm_t> aeads[] = {
      {psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CCM, PSA_ALG_CCM},
      {psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_GCM, PSA_ALG_GCM},
      {psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_CHACHA20_POLY1305, PSA_ALG_CHACHA20_POLY1305},
  };
  for (const auto& [aead, psa] : aeads) {
    a.mutable_aead()->set_aead_with_default_length_tag(aead);
    EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), psa);
    auto* shortened = a.mutable_aead()->mutable_aead_with_shortened_tag();
    shortened->set_aead_alg(aead);
    shortened->set_tag_length(8);
    EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_AEAD_WITH_SHORTENED_TAG(psa, 8));
  }
  a.mutable_aead()->mutable_aead_with_shortened_tag()->set_tag_length(0);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
  a.mutable_aead()->set_aead_with_default_length_tag(
      psa_algorithm::Algorithm_Aead_AeadWithDefaultLengthTag_AEAD_WITH_DEFAULT_LENGTH_TAG_NONE);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);

  *a.mutable_asymmetric_signature() = test::with_any_hash(test::ecdsa(sha256));
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Rejected).status(), Status::PsaErrorInvalidArgument);

  a.mutable_asymmetric_encryption()->mutable_rsa_pkcs1v15_crypt();
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_RSA_PKCS1V15_CRYPT);
  a.mutable_asymmetric_encryption()->mutable_rsa_oaep()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256));

  a.mutable_key_derivation()->mutable_hkdf()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_HKDF(PSA_ALG_SHA_256));
  a.mutable_key_derivation()->mutable_tls12_prf()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_TLS12_PRF(PSA_ALG_SHA_256));
  a.mutable_key_derivation()->mutable_tls12_psk_to_ms()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_TLS12_PSK_TO_MS(PSA_ALG_SHA_256));
  a.mutable_key_derivation()->Clear();
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);

  a.mutable_key_agreement()->set_raw(psa_algorithm::Algorithm_KeyAgreement_Raw_FFDH);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_FFDH);
  a.mutable_key_agreement()->set_raw(psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)), PSA_ALG_ECDH);
  a.mutable_key_agreement()->set_raw(psa_algorithm::Algorithm_KeyAgreement_Raw_RAW_NONE);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
  auto* chained = a.mutable_key_agreement()->mutable_with_key_derivation();
  chained->set_ka_alg(psa_algorithm::Algorithm_KeyAgreement_Raw_ECDH);
  EXPECT_EQ(to_psa_algorithm(a, HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);  // no kdf
  chained->mutable_kdf_alg()->mutable_hkdf()->set_hash_alg(sha256);
  EXPECT_EQ(ok(to_psa_algorithm(a, HashWildcard::Allowed)),
            PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256)));

  EXPECT_EQ(to_psa_algorithm(Algorithm(), HashWildcard::Allowed).status(), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaKeyType, EveryType) {
  KeyType t;
  const auto check = [&t](psa_key_type_t expected) {
    Result<psa_key_type_t> r = to_psa_key_type(t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, expected);
  };
  t.mutable_raw_data();
  check(PSA_KEY_TYPE_RAW_DATA);
  t.mutable_hmac();
  check(PSA_KEY_TYPE_HMAC);
  t.mutable_derive();
  check(PSA_KEY_TYPE_DERIVE);
  t.mutable_aes();
  check(PSA_KEY_TYPE_AES);
  t.mutable_des();
  check(PSA_KEY_TYPE_DES);
  t.mutable_camellia();
  check(PSA_KEY_TYPE_CAMELLIA);
  t.mutable_arc4();
  check(PSA_KEY_TYPE_ARC4);
  t.mutable_chacha20();
  check(PSA_KEY_TYPE_CHACHA20);
  t.mutable_rsa_public_key();
  check(PSA_KEY_TYPE_RSA_PUBLIC_KEY);
  t.mutable_rsa_key_pair();
  check(PSA_KEY_TYPE_RSA_KEY_PAIR);

  const std::pair<psa_key_attributes::KeyType_EccFamily, psa_ecc_family_t> families[] = {
      {psa_key_attributes::KeyType_EccFamily_SECP_K1, PSA_ECC_FAMILY_SECP_K1},
      {psa_key_attributes::KeyType_EccFamily_SECP_R1, PSA_ECC_FAMILY_SECP_R1},
      {psa_key_attributes::KeyType_EccFamily_SECP_R2, PSA_ECC_FAMILY_SECP_R2},
      {psa_key_attributes::KeyType_EccFamily_SECT_K1, PSA_ECC_FAMILY_SECT_K1},
      {psa_key_attributes::KeyType_EccFamily_SECT_R1, PSA_ECC_FAMILY_SECT_R1},
      {psa_key_attributes::KeyType_EccFamily_SECT_R2, PSA_ECC_FAMILY_SECT_R2},
      {psa_key_attributes::KeyType_EccFamily_BRAINPOOL_P_R1, PSA_ECC_FAMILY_BRAINPOOL_P_R1},
      {psa_key_attributes::KeyType_EccFamily_MONTGOMERY, PSA_ECC_FAMILY_MONTGOMERY},
  };
  for (const auto& [family, psa] : families) {
    t.mutable_ecc_key_pair()->set_curve_family(family);
    check(static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_KEY_PAIR(psa)));
    t.mutable_ecc_public_key()->set_curve_family(family);
    check(static_cast<psa_key_type_t>(PSA_KEY_TYPE_ECC_PUBLIC_KEY(psa)));
  }
  t.mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType_EccFamily_FRP);
  EXPECT_EQ(to_psa_key_type(t).status(), Status::PsaErrorNotSupported);
  t.mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType_EccFamily_ECC_FAMILY_NONE);
  EXPECT_EQ(to_psa_key_type(t).status(), Status::PsaErrorInvalidArgument);

  t.mutable_dh_key_pair();
  check(static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919)));
  t.mutable_dh_public_key();
  check(static_cast<psa_key_type_t>(PSA_KEY_TYPE_DH_PUBLIC_KEY(PSA_DH_FAMILY_RFC7919)));

  EXPECT_EQ(to_psa_key_type(KeyType()).status(), Status::PsaErrorInvalidArgument);
}

TEST(ToPsaUsage, EveryFlag) {
  using Flags = psa_key_attributes::UsageFlags;
  const std::pair<void (Flags::*)(bool), psa_key_usage_t> cases[] = {
      {&Flags::set_export_, PSA_KEY_USAGE_EXPORT},
      {&Flags::set_copy, PSA_KEY_USAGE_COPY},
      {&Flags::set_cache, 0},
      {&Flags::set_encrypt, PSA_KEY_USAGE_ENCRYPT},
      {&Flags::set_decrypt, PSA_KEY_USAGE_DECRYPT},
      {&Flags::set_sign_message, PSA_KEY_USAGE_SIGN_MESSAGE},
      {&Flags::set_verify_message, PSA_KEY_USAGE_VERIFY_MESSAGE},
      {&Flags::set_sign_hash, PSA_KEY_USAGE_SIGN_HASH},
      {&Flags::set_verify_hash, PSA_KEY_USAGE_VERIFY_HASH},
      {&Flags::set_derive, PSA_KEY_USAGE_DERIVE},
  };
  Flags all;
  psa_key_usage_t all_bits = 0;
  for (const auto& [setter, bit] : cases) {
    Flags one;
    (one.*setter)(true);
    (all.*setter)(true);
    all_bits |= bit;
    EXPECT_EQ(to_psa_usage(one), bit);
  }
  EXPECT_EQ(to_psa_usage(all), all_bits);
  EXPECT_EQ(to_psa_usage(Flags()), 0u);
}

TEST(ToPsaAttributes, FillsTypeBitsUsageAndPolicy) {
  KeyAttributes a = test::rsa_key_pair(2048, test::with_any_hash(test::rsa_pss(psa_algorithm::Algorithm_Hash_SHA_256)));
  PsaAttributes out;
  ASSERT_EQ(to_psa_attributes(a, out), Status::Success);
  EXPECT_EQ(psa_get_key_type(out.get()), PSA_KEY_TYPE_RSA_KEY_PAIR);
  EXPECT_EQ(psa_get_key_bits(out.get()), 2048u);
  EXPECT_EQ(psa_get_key_usage_flags(out.get()), PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH |
                                                    PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
  EXPECT_EQ(psa_get_key_algorithm(out.get()), PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH));

  KeyAttributes no_policy = a;
  no_policy.clear_key_policy();
  PsaAttributes unused;
  EXPECT_EQ(to_psa_attributes(no_policy, unused), Status::PsaErrorInvalidArgument);
  KeyAttributes no_type = a;
  no_type.clear_key_type();
  EXPECT_EQ(to_psa_attributes(no_type, unused), Status::PsaErrorInvalidArgument);
  KeyAttributes no_alg = a;
  no_alg.mutable_key_policy()->clear_key_algorithm();
  EXPECT_EQ(to_psa_attributes(no_alg, unused), Status::PsaErrorInvalidArgument);
}

}  // namespace
}  // namespace parsec::provider::mbed
