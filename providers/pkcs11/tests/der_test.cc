// DER structures, DigestInfo prefixes and signature plans.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "der.h"
#include "mechanisms.h"

namespace parsec::provider::pkcs11 {
namespace {

using psa::Algorithm;
using psa::Hash;
using der::Bytes;

Bytes hex(const std::string& h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// RFC 8017 §9.2, note 1.
TEST(DigestInfo, PrefixesAreThoseOfRfc8017) {
  struct Case {
    Hash hash;
    const char* prefix;
  };
  const Case cases[] = {
      {Hash::Md2, "3020300c06082a864886f70d020205000410"},
      {Hash::Md5, "3020300c06082a864886f70d020505000410"},
      {Hash::Sha1, "3021300906052b0e03021a05000414"},
      {Hash::Sha224, "302d300d06096086480165030402040500041c"},
      {Hash::Sha256, "3031300d060960864801650304020105000420"},
      {Hash::Sha384, "3041300d060960864801650304020205000430"},
      {Hash::Sha512, "3051300d060960864801650304020305000440"},
      {Hash::Sha512_224, "302d300d06096086480165030402050500041c"},
      {Hash::Sha512_256, "3031300d060960864801650304020605000420"},
  };
  for (const Case& c : cases) {
    auto p = der::digest_info_prefix(c.hash);
    ASSERT_TRUE(p) << psa::hash_name(c.hash);
    EXPECT_EQ(*p, hex(c.prefix)) << psa::hash_name(c.hash);
  }
  EXPECT_FALSE(der::digest_info_prefix(Hash::None));
}

// The prefix plus a digest is a DigestInfo that OpenSSL's PKCS #1 v1.5
// verification accepts for that hash (SHA-3 included).
TEST(DigestInfo, OpenSSLAcceptsTheEncodedDigestInfo) {
  EVP_PKEY* key = EVP_RSA_gen(1024);
  ASSERT_NE(key, nullptr);
  struct Case {
    Hash hash;
    const EVP_MD* md;
  };
  for (const Case& c : {Case{Hash::Sha256, EVP_sha256()}, Case{Hash::Sha384, EVP_sha384()},
                        Case{Hash::Sha3_256, EVP_sha3_256()}, Case{Hash::Sha224, EVP_sha224()}}) {
    Bytes digest(static_cast<size_t>(EVP_MD_get_size(c.md)), 0x5A);
    Bytes input = *der::digest_info_prefix(c.hash);
    input.insert(input.end(), digest.begin(), digest.end());
    // Raw PKCS #1 v1.5 signature over DigestInfo, verified with the hash set.
    EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(key, nullptr);
    ASSERT_EQ(EVP_PKEY_sign_init(s), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(s, RSA_PKCS1_PADDING), 1);
    unsigned char sig[128];
    size_t sig_len = sizeof sig;
    ASSERT_EQ(EVP_PKEY_sign(s, sig, &sig_len, input.data(), input.size()), 1);
    EVP_PKEY_CTX_free(s);
    EVP_PKEY_CTX* v = EVP_PKEY_CTX_new(key, nullptr);
    ASSERT_EQ(EVP_PKEY_verify_init(v), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(v, RSA_PKCS1_PADDING), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_signature_md(v, c.md), 1);
    EXPECT_EQ(EVP_PKEY_verify(v, sig, sig_len, digest.data(), digest.size()), 1) << psa::hash_name(c.hash);
    EVP_PKEY_CTX_free(v);
  }
  EVP_PKEY_free(key);
}

TEST(Der, IntegersAreMinimalAndPositive) {
  EXPECT_EQ(der::integer({0x01, 0x00, 0x01}), hex("0203010001"));
  EXPECT_EQ(der::integer({0x00, 0x00, 0x7f}), hex("02017f"));
  EXPECT_EQ(der::integer({0x80}), hex("02020080"));
  EXPECT_EQ(der::integer({}), hex("020100"));
}

TEST(Der, RsaPublicKeyRoundTripsWithOpenSSL) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  unsigned char* der = nullptr;
  int len = i2d_PublicKey(key, &der);  // PKCS #1 RSAPublicKey
  ASSERT_GT(len, 0);
  auto parsed = der::parse_rsa_public_key(der, static_cast<size_t>(len));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(der::bit_length(parsed->modulus.data(), parsed->modulus.size()), 2048u);
  EXPECT_EQ(parsed->exponent, Bytes({0x01, 0x00, 0x01}));
  EXPECT_EQ(der::rsa_public_key(parsed->modulus, parsed->exponent), Bytes(der, der + len));
  // Trailing bytes, truncation and a wrong tag are refused.
  Bytes with_trailer(der, der + len);
  with_trailer.push_back(0);
  EXPECT_FALSE(der::parse_rsa_public_key(with_trailer.data(), with_trailer.size()));
  EXPECT_FALSE(der::parse_rsa_public_key(der, static_cast<size_t>(len) - 1));
  Bytes wrong(der, der + len);
  wrong[0] = 0x31;
  EXPECT_FALSE(der::parse_rsa_public_key(wrong.data(), wrong.size()));
  OPENSSL_free(der);

  unsigned char* priv = nullptr;
  len = i2d_PrivateKey(key, &priv);  // PKCS #1 RSAPrivateKey
  ASSERT_GT(len, 0);
  auto k = der::parse_rsa_private_key(priv, static_cast<size_t>(len));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->modulus.bytes(), parsed->modulus);
  EXPECT_EQ(k->public_exponent.size(), 3u);
  EXPECT_EQ(der::bit_length(k->prime1.data(), k->prime1.size()), 1024u);
  EXPECT_FALSE(der::parse_rsa_private_key(priv, static_cast<size_t>(len) - 3));
  OPENSSL_free(priv);
  EVP_PKEY_free(key);
}

TEST(Der, OctetStringAroundEcPoint) {
  Bytes point(65, 0x11);
  point[0] = 0x04;
  Bytes wrapped = der::octet_string(point);
  EXPECT_EQ(wrapped[0], 0x04);
  EXPECT_EQ(wrapped[1], 0x41);
  EXPECT_EQ(*der::unwrap_octet_string(wrapped.data(), wrapped.size()), point);
  Bytes p521(133, 0x22);
  Bytes w521 = der::octet_string(p521);
  EXPECT_EQ(Bytes(w521.begin(), w521.begin() + 3), hex("048185"));
  EXPECT_EQ(*der::unwrap_octet_string(w521.data(), w521.size()), p521);
  // A bare point is not an OCTET STRING of the right length.
  EXPECT_FALSE(der::unwrap_octet_string(point.data(), point.size()));
}

TEST(Der, NamedCurves) {
  EXPECT_EQ(*der::ec_params(256), hex("06082a8648ce3d030107"));
  EXPECT_EQ(*der::ec_params(384), hex("06052b81040022"));
  EXPECT_EQ(*der::ec_params(521), hex("06052b81040023"));
  EXPECT_FALSE(der::ec_params(512));
  EXPECT_EQ(der::curve_bits_from_params(*der::ec_params(384)), 384u);
  EXPECT_EQ(der::curve_bytes(521), 66u);
}

Algorithm sig_alg(int which, Hash hash) {
  switch (which) {
    case 0:
      return Algorithm::ecdsa(hash);
    case 1:
      return Algorithm::rsa_pkcs1v15_sign(hash);
    case 2:
      return Algorithm::rsa_pss(hash);
    case 3:
      return Algorithm::deterministic_ecdsa(hash);
    default:
      return Algorithm::rsa_pkcs1v15_sign_raw();
  }
}

TEST(Plans, MechanismsAndParameters) {
  KeyShape rsa{true, true, 2048}, ecc{false, true, 256};
  auto p = plan_signature(sig_alg(0, Hash::Sha256), true, ecc);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mechanism, CKM_ECDSA);
  EXPECT_TRUE(p->prefix.empty());
  p = plan_signature(sig_alg(1, Hash::Sha384), true, rsa);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mechanism, CKM_RSA_PKCS);
  EXPECT_EQ(p->prefix, *der::digest_info_prefix(Hash::Sha384));
  p = plan_signature(sig_alg(2, Hash::Sha512), true, rsa);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mechanism, CKM_RSA_PKCS_PSS);
  EXPECT_EQ(p->hash, Hash::Sha512);
  p = plan_signature(sig_alg(4, Hash::None), true, rsa);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->prefix.empty());
  // Deterministic ECDSA verifies but does not sign; schemes must fit the key.
  EXPECT_EQ(plan_signature(sig_alg(3, Hash::Sha256), true, ecc).status(), Status::PsaErrorNotSupported);
  EXPECT_TRUE(plan_signature(sig_alg(3, Hash::Sha256), false, ecc).ok());
  EXPECT_EQ(plan_signature(sig_alg(0, Hash::Sha256), true, rsa).status(), Status::PsaErrorNotPermitted);
  EXPECT_EQ(plan_signature(sig_alg(2, Hash::Sha256), true, ecc).status(), Status::PsaErrorNotPermitted);
  // PSS needs a hash with an MGF1 in PKCS #11.
  EXPECT_EQ(plan_signature(sig_alg(2, Hash::Ripemd160), true, rsa).status(), Status::PsaErrorNotSupported);

  Mechanism m(CKM_RSA_PKCS_PSS);
  m.pss(*hash_mechanism(Hash::Sha256), 32);
  auto* params = static_cast<CK_RSA_PKCS_PSS_PARAMS*>(m.get()->pParameter);
  EXPECT_EQ(params->hashAlg, static_cast<CK_MECHANISM_TYPE>(CKM_SHA256));
  EXPECT_EQ(params->mgf, static_cast<CK_RSA_PKCS_MGF_TYPE>(CKG_MGF1_SHA256));
  EXPECT_EQ(params->sLen, 32u);
  Mechanism o(CKM_RSA_PKCS_OAEP);
  o.oaep(*hash_mechanism(Hash::Sha384), Bytes{'l', 'a', 'b', 'e', 'l'});
  auto* op = static_cast<CK_RSA_PKCS_OAEP_PARAMS*>(o.get()->pParameter);
  EXPECT_EQ(op->hashAlg, static_cast<CK_MECHANISM_TYPE>(CKM_SHA384));
  EXPECT_EQ(op->source, static_cast<CK_ULONG>(CKZ_DATA_SPECIFIED));
  EXPECT_EQ(std::string(static_cast<char*>(op->pSourceData), op->ulSourceDataLen), "label");
}

TEST(Plans, MessageHashes) {
  EXPECT_EQ(*message_hash(sig_alg(0, Hash::Sha384)), Hash::Sha384);
  EXPECT_EQ(*message_hash(sig_alg(2, Hash::Sha256)), Hash::Sha256);
  EXPECT_EQ(message_hash(sig_alg(4, Hash::None)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(message_hash(Algorithm::ecdsa_any()).status(), Status::PsaErrorInvalidArgument);
  // The policy wildcard names no hash to apply to a message.
  EXPECT_EQ(message_hash(sig_alg(0, Hash::Any)).status(), Status::PsaErrorInvalidArgument);
}

TEST(Shapes, SupportedKeyTypes) {
  psa::KeyAttributes a;
  a.type = psa::KeyType::EccKeyPair;
  a.family = psa::EccFamily::SecpR1;
  a.bits = 384;
  ASSERT_TRUE(key_shape(a, false));
  a.bits = 0;
  EXPECT_FALSE(key_shape(a, false));
  EXPECT_TRUE(key_shape(a, true));
  a.bits = 224;
  EXPECT_FALSE(key_shape(a, true));
  a.family = psa::EccFamily::SecpK1;
  a.bits = 256;
  EXPECT_FALSE(key_shape(a, true));
  a.type = psa::KeyType::Aes;
  a.family = psa::EccFamily::None;
  EXPECT_FALSE(key_shape(a, true));
  a.type = psa::KeyType::RsaPublicKey;
  auto s = key_shape(a, true);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->rsa);
  EXPECT_FALSE(s->pair);
  EXPECT_TRUE(rsa_generate_bits_ok(1024) && rsa_generate_bits_ok(4096) && !rsa_generate_bits_ok(1000) &&
              !rsa_generate_bits_ok(8192) && rsa_import_bits_ok(8192));
}

}  // namespace
}  // namespace parsec::provider::pkcs11
