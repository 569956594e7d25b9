// Signature plans, key shapes and the served curves of the PKCS #11 provider.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "parsec/crypto/hash.h"
#include "providers/pkcs11/src/mechanisms.h"

namespace parsec::provider::pkcs11 {
namespace {

using psa::Algorithm;
using psa::Hash;
using Bytes = std::vector<uint8_t>;

Bytes hex(const std::string& h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The curves the provider serves, with their CKA_EC_PARAMS from the
// encoding module (its own tests cover the DER readers and writers).
TEST(Curves, ServedCurvesAndTheirParams) {
  EXPECT_EQ(*ec_params(256), hex("06082a8648ce3d030107"));
  EXPECT_EQ(*ec_params(384), hex("06052b81040022"));
  EXPECT_EQ(*ec_params(521), hex("06052b81040023"));
  EXPECT_FALSE(ec_params(512));
  EXPECT_FALSE(ec_params(224));  // SECP R1 224 exists, but the provider does not serve it
  EXPECT_EQ(curve_bytes(521), 66u);
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
  EXPECT_EQ(p->prefix, *crypto::digest_info_prefix(Hash::Sha384));
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
