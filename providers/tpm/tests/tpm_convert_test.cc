#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>

#include "providers/tpm/src/tpm_convert.h"

namespace parsec::provider::tpm {
namespace {

using psa::AlgorithmKind;
using psa::EccFamily;
using psa::Hash;
using psa::KeyType;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey keygen(const char* type, const char* group_or_null, unsigned bits = 0) {
  Pkey k(group_or_null ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, group_or_null)
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(bits)));
  return k;
}

Bytes ec_point(EVP_PKEY* k) {
  unsigned char buf[200];
  size_t n = 0;
  EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof buf, &n);
  return Bytes(buf, buf + n);
}

SecretBytes ec_private(EVP_PKEY* k, size_t size) {
  BIGNUM* d = nullptr;
  EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d);
  SecretBytes out(size);
  BN_bn2binpad(d, out.data(), static_cast<int>(size));
  BN_clear_free(d);
  return out;
}

Bytes der(EVP_PKEY* k, bool priv) {
  unsigned char* p = nullptr;
  const int n = priv ? i2d_PrivateKey(k, &p) : i2d_PublicKey(k, &p);
  Bytes out(p, p + n);
  OPENSSL_free(p);
  return out;
}

SecretBytes secret(const Bytes& b) {
  return SecretBytes(b.data(), b.size());
}
SecretBytes secret(const std::string& s) {
  return SecretBytes(s);
}
Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

KeyAttributes attrs(bool rsa, bool pair, uint32_t bits, bool sign, bool decrypt) {
  KeyAttributes a;
  if (rsa) {
    a.type = pair ? KeyType::RsaKeyPair : KeyType::RsaPublicKey;
  } else {
    a.type = pair ? KeyType::EccKeyPair : KeyType::EccPublicKey;
    a.family = EccFamily::SecpR1;
  }
  a.bits = bits;
  a.flags.sign_hash = sign;
  a.flags.verify_hash = sign;
  a.flags.decrypt = decrypt;
  a.flags.encrypt = decrypt;
  if (decrypt) {
    a.policy = Algorithm::rsa_oaep(Hash::Sha256);
  } else if (rsa) {
    a.policy = Algorithm::rsa_pss(Hash::Sha256);
  } else {
    a.policy = Algorithm::ecdsa(Hash::Sha256);
  }
  return a;
}

Algorithm any_ecdsa() {
  return Algorithm::ecdsa_any();
}

TEST(TpmConvert, HashesAndCurves) {
  EXPECT_EQ(*tpm_hash(Hash::Sha256), TPM2_ALG_SHA256);
  EXPECT_EQ(*tpm_hash(Hash::Sha1), TPM2_ALG_SHA1);
  EXPECT_EQ(tpm_hash(Hash::Sha3_256).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(tpm_hash(Hash::Sha224).status(), Status::PsaErrorNotSupported);
  // The policy wildcard and "no hash" are no TPM hash either.
  EXPECT_EQ(tpm_hash(Hash::Any).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(tpm_hash(Hash::None).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(*tpm_curve(EccFamily::SecpR1, 521), TPM2_ECC_NIST_P521);
  EXPECT_EQ(curve_bytes(TPM2_ECC_NIST_P521), 66u);
  EXPECT_EQ(tpm_curve(EccFamily::SecpR1, 512).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(tpm_curve(EccFamily::SecpK1, 256).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(tpm_curve(EccFamily::BrainpoolPR1, 256).status(), Status::PsaErrorNotSupported);
}

TEST(TpmConvert, KeyPairTemplates) {
  auto t = key_pair_template(attrs(true, true, 2048, true, false));
  ASSERT_TRUE(t.ok());
  const TPMA_OBJECT a = t->publicArea.objectAttributes;
  EXPECT_TRUE(a & TPMA_OBJECT_SIGN_ENCRYPT);
  EXPECT_FALSE(a & TPMA_OBJECT_DECRYPT);
  EXPECT_TRUE(a & TPMA_OBJECT_NODA);
  EXPECT_TRUE(a & TPMA_OBJECT_FIXEDTPM);
  EXPECT_TRUE(a & TPMA_OBJECT_FIXEDPARENT);
  EXPECT_TRUE(a & TPMA_OBJECT_USERWITHAUTH);
  EXPECT_FALSE(a & TPMA_OBJECT_RESTRICTED);
  EXPECT_EQ(t->publicArea.parameters.rsaDetail.keyBits, 2048);
  EXPECT_EQ(t->publicArea.parameters.rsaDetail.scheme.scheme, TPM2_ALG_NULL);
  EXPECT_EQ(t->publicArea.nameAlg, TPM2_ALG_SHA256);

  auto d = key_pair_template(attrs(true, true, 3072, false, true));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->publicArea.objectAttributes & TPMA_OBJECT_DECRYPT);
  EXPECT_FALSE(d->publicArea.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT);

  auto none = attrs(false, true, 384, false, false);
  none.policy = Algorithm::none();
  auto e = key_pair_template(none);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->publicArea.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT);  // the TPM needs one of the two
  EXPECT_EQ(e->publicArea.parameters.eccDetail.curveID, TPM2_ECC_NIST_P384);

  EXPECT_EQ(key_pair_template(attrs(true, false, 2048, true, false)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(key_pair_template(attrs(true, true, 0, true, false)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(key_pair_template(attrs(true, true, 2000, true, false)).status(), Status::PsaErrorNotSupported);
  auto det = attrs(false, true, 256, true, false);
  det.policy = Algorithm::deterministic_ecdsa(Hash::Sha256);
  EXPECT_EQ(key_pair_template(det).status(), Status::PsaErrorNotSupported);
  auto aes = attrs(false, true, 128, false, false);
  aes.type = KeyType::Aes;
  EXPECT_EQ(key_pair_template(aes).status(), Status::PsaErrorNotSupported);
}

TEST(TpmConvert, FixedTemplates) {
  const TPM2B_PUBLIC srk = srk_template();
  EXPECT_EQ(srk.publicArea.type, TPM2_ALG_ECC);
  EXPECT_TRUE(srk.publicArea.objectAttributes & TPMA_OBJECT_RESTRICTED);
  EXPECT_TRUE(srk.publicArea.objectAttributes & TPMA_OBJECT_DECRYPT);
  EXPECT_EQ(srk.publicArea.parameters.eccDetail.symmetric.algorithm, TPM2_ALG_AES);
  // The template never changes: its name-relevant bytes are pinned.
  auto m = marshal_public_area(srk.publicArea);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 2u + 2 + 4 + 2 + 6 + 2 + 2 + 2 + 2 * (2 + 32));
  const TPM2B_PUBLIC ek = ek_template();
  EXPECT_EQ(ek.publicArea.objectAttributes, 0x000300B2u);
  EXPECT_EQ(ek.publicArea.authPolicy.size, 32);
  EXPECT_EQ(ek.publicArea.authPolicy.buffer[0], 0x83);
  EXPECT_EQ(ek.publicArea.unique.rsa.size, 256);
}

TEST(TpmConvert, EccPublicImportAndExport) {
  Pkey k = keygen("EC", "P-384");
  const Bytes point = ec_point(k.get());
  uint32_t bits = 0;
  auto pub = public_from_psa(attrs(false, false, 0, true, false), point, bits);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(bits, 384u);
  auto out = export_public(pub->publicArea);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, point);
  EXPECT_EQ(key_bits_of(pub->publicArea), 384u);
  // key_bits that contradict the data, points off the curve, bad encodings.
  EXPECT_EQ(public_from_psa(attrs(false, false, 256, true, false), point, bits).status(),
            Status::PsaErrorInvalidArgument);
  Bytes off = point;
  off.back() ^= 1;
  EXPECT_EQ(public_from_psa(attrs(false, false, 0, true, false), off, bits).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(public_from_psa(attrs(false, false, 0, true, false), Bytes(point.begin() + 1, point.end()), bits).status(),
            Status::PsaErrorInvalidArgument);
  Bytes compressed(point.begin(), point.begin() + 49);
  compressed[0] = 0x02;
  EXPECT_EQ(public_from_psa(attrs(false, false, 0, true, false), compressed, bits).status(),
            Status::PsaErrorInvalidArgument);
}

TEST(TpmConvert, ExportPadsShortCoordinates) {
  TPMT_PUBLIC p{};
  p.type = TPM2_ALG_ECC;
  p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
  p.unique.ecc.x.size = 65;
  std::memset(p.unique.ecc.x.buffer, 0xaa, 65);
  p.unique.ecc.y.size = 66;
  std::memset(p.unique.ecc.y.buffer, 0xbb, 66);
  auto out = export_public(p);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 133u);
  EXPECT_EQ((*out)[1], 0);
  EXPECT_EQ((*out)[2], 0xaa);
  EXPECT_EQ((*out)[67], 0xbb);
}

TEST(TpmConvert, RsaPublicImportAndExport) {
  Pkey k = keygen("RSA", nullptr, 2048);
  const Bytes d = der(k.get(), false);
  uint32_t bits = 0;
  auto pub = public_from_psa(attrs(true, false, 0, true, false), d, bits);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(bits, 2048u);
  EXPECT_EQ(pub->publicArea.parameters.rsaDetail.exponent, 0u);  // 65537 is the TPM's default
  auto out = export_public(pub->publicArea);
  EXPECT_EQ(*out, d);
  Bytes trailing = d;
  trailing.push_back(0);
  EXPECT_EQ(public_from_psa(attrs(true, false, 0, true, false), trailing, bits).status(),
            Status::PsaErrorInvalidArgument);
  // A non-minimal INTEGER (an extra leading zero) is not DER.
  const Bytes bad(d.begin(), d.begin() + 10);
  EXPECT_EQ(public_from_psa(attrs(true, false, 0, true, false), bad, bits).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(public_from_psa(attrs(true, false, 3072, true, false), d, bits).status(), Status::PsaErrorInvalidArgument);
}

TEST(TpmConvert, DerIntegers) {
  const uint8_t n[] = {0x80, 0x01};
  const Bytes d = der_rsa_public_key(n, 2, 3);
  EXPECT_EQ(d, (Bytes{0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x03}));
  const uint8_t z[] = {0x00, 0x00, 0x7f};
  EXPECT_EQ(der_rsa_public_key(z, 3, 65537), (Bytes{0x30, 0x08, 0x02, 0x01, 0x7f, 0x02, 0x03, 0x01, 0x00, 0x01}));
}

TEST(TpmConvert, PrivateImports) {
  SecretBytes auth(Bytes(32, 0x41));
  SecretBytes seed(Bytes(32, 0x42));
  Pkey ec = keygen("EC", "P-256");
  PrivateImport imp;
  ASSERT_EQ(private_from_psa(attrs(false, true, 0, true, false), ec_private(ec.get(), 32), auth, seed, imp),
            Status::Success);
  EXPECT_EQ(imp.bits, 256u);
  auto pub = export_public(imp.pub.publicArea);
  EXPECT_EQ(*pub, ec_point(ec.get()));
  EXPECT_FALSE(imp.pub.publicArea.objectAttributes & TPMA_OBJECT_FIXEDTPM);
  EXPECT_FALSE(imp.pub.publicArea.objectAttributes & TPMA_OBJECT_FIXEDPARENT);
  EXPECT_EQ(imp.pub.publicArea.authPolicy.size, 0);
  EXPECT_EQ(imp.sensitive.authValue.size, 32);
  EXPECT_EQ(imp.sensitive.sensitive.ecc.size, 32);

  Pkey rsa = keygen("RSA", nullptr, 2048);
  PrivateImport ri;
  ASSERT_EQ(private_from_psa(attrs(true, true, 2048, false, true), secret(der(rsa.get(), true)), auth, seed, ri),
            Status::Success);
  EXPECT_EQ(ri.bits, 2048u);
  EXPECT_EQ(ri.sensitive.sensitiveType, TPM2_ALG_RSA);
  EXPECT_EQ(ri.sensitive.sensitive.rsa.size, 128);
  BIGNUM* p = nullptr;
  EVP_PKEY_get_bn_param(rsa.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, &p);
  unsigned char pb[128];
  BN_bn2binpad(p, pb, 128);
  BN_free(p);
  EXPECT_EQ(std::memcmp(pb, ri.sensitive.sensitive.rsa.buffer, 128), 0);
  auto rpub = export_public(ri.pub.publicArea);
  EXPECT_EQ(*rpub, der(rsa.get(), false));

  PrivateImport bad;
  EXPECT_EQ(private_from_psa(attrs(false, true, 0, true, false), secret(std::string(32, '\0')), auth, seed, bad),
            Status::PsaErrorInvalidArgument);  // zero is not a private key
  EXPECT_EQ(private_from_psa(attrs(false, true, 0, true, false), secret(std::string(31, '\1')), auth, seed, bad),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(private_from_psa(attrs(true, true, 0, true, false), secret(std::string("junk")), auth, seed, bad),
            Status::PsaErrorInvalidArgument);
}

TEST(TpmConvert, Signatures) {
  TPMT_PUBLIC key{};
  key.type = TPM2_ALG_ECC;
  key.parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
  TPMT_SIGNATURE sig{};
  sig.sigAlg = TPM2_ALG_ECDSA;
  sig.signature.ecdsa.signatureR.size = 65;
  std::memset(sig.signature.ecdsa.signatureR.buffer, 0x01, 65);
  sig.signature.ecdsa.signatureS.size = 66;
  std::memset(sig.signature.ecdsa.signatureS.buffer, 0x02, 66);
  auto out = signature_to_psa(key, sig);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 132u);
  EXPECT_EQ((*out)[0], 0);
  EXPECT_EQ((*out)[1], 1);
  EXPECT_EQ((*out)[66], 2);
  SignPlan plan;
  plan.scheme.scheme = TPM2_ALG_ECDSA;
  plan.scheme.details.any.hashAlg = TPM2_ALG_SHA512;
  auto back = signature_from_psa(key, plan, *out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->signature.ecdsa.signatureR.size, 66);
  EXPECT_EQ(signature_from_psa(key, plan, Bytes(131, 'x')).status(), Status::PsaErrorInvalidSignature);
}

TEST(TpmConvert, SignPlans) {
  TPMT_PUBLIC rsa{};
  rsa.type = TPM2_ALG_RSA;
  rsa.parameters.rsaDetail.keyBits = 1024;
  Algorithm pss = Algorithm::rsa_pss(Hash::Sha512);
  EXPECT_EQ(sign_plan(rsa, pss, Bytes(64, 'h')).status(), Status::PsaErrorInvalidArgument);
  pss = Algorithm::rsa_pss(Hash::Sha384);
  auto p = sign_plan(rsa, pss, Bytes(48, 'h'));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme.scheme, TPM2_ALG_RSAPSS);
  EXPECT_EQ(p->scheme.details.any.hashAlg, TPM2_ALG_SHA384);
  const Algorithm raw = Algorithm::rsa_pkcs1v15_sign_raw();
  EXPECT_EQ(sign_plan(rsa, raw, bytes("x")).status(), Status::PsaErrorNotSupported);

  TPMT_PUBLIC ecc{};
  ecc.type = TPM2_ALG_ECC;
  ecc.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  const Bytes in(100, 0x07);
  struct Case {
    TPMI_ECC_CURVE curve;
    size_t len;
    TPMI_ALG_HASH hash;
    size_t zeros;  // leading zero bytes in the digest
  };
  for (const Case& c :
       {Case{TPM2_ECC_NIST_P256, 32, TPM2_ALG_SHA256, 0}, Case{TPM2_ECC_NIST_P256, 40, TPM2_ALG_SHA256, 0},
        Case{TPM2_ECC_NIST_P256, 24, TPM2_ALG_SHA256, 8}, Case{TPM2_ECC_NIST_P384, 20, TPM2_ALG_SHA1, 0},
        Case{TPM2_ECC_NIST_P384, 40, TPM2_ALG_SHA384, 8}, Case{TPM2_ECC_NIST_P384, 50, TPM2_ALG_SHA384, 0},
        Case{TPM2_ECC_NIST_P521, 40, TPM2_ALG_SHA384, 8}, Case{TPM2_ECC_NIST_P521, 64, TPM2_ALG_SHA512, 0},
        Case{TPM2_ECC_NIST_P224, 26, TPM2_ALG_SHA256, 2}}) {
    ecc.parameters.eccDetail.curveID = c.curve;
    auto plan = sign_plan(ecc, any_ecdsa(), Bytes(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(c.len)));
    ASSERT_TRUE(plan.ok()) << c.curve << "/" << c.len;
    EXPECT_EQ(plan->scheme.details.any.hashAlg, c.hash) << c.curve << "/" << c.len;
    for (size_t i = 0; i < c.zeros; ++i) {
      EXPECT_EQ(plan->digest.buffer[i], 0) << c.curve << "/" << c.len;
    }
    EXPECT_EQ(plan->digest.buffer[c.zeros], 7) << c.curve << "/" << c.len;
  }
  ecc.parameters.eccDetail.curveID = TPM2_ECC_NIST_P521;
  EXPECT_EQ(sign_plan(ecc, any_ecdsa(), Bytes(in.begin(), in.begin() + 70)).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(sign_plan(ecc, any_ecdsa(), Bytes()).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(message_hash(any_ecdsa()).status(), Status::PsaErrorInvalidArgument);
  // The policy wildcard names no hash to compute or sign with.
  EXPECT_EQ(message_hash(Algorithm::ecdsa(Hash::Any)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(message_hash(Algorithm::rsa_pkcs1v15_sign_raw()).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(*message_hash(Algorithm::deterministic_ecdsa(Hash::Sha384)), Hash::Sha384);
  EXPECT_EQ(sign_plan(rsa, Algorithm::rsa_pss(Hash::Any), Bytes(48, 'h')).status(), Status::PsaErrorInvalidArgument);
  // An algorithm that is no signature does not fit the key.
  EXPECT_EQ(sign_plan(rsa, Algorithm::rsa_oaep(Hash::Sha256), Bytes(32, 'h')).status(), Status::PsaErrorNotPermitted);
}

TEST(TpmConvert, OaepInSoftware) {
  const size_t mod = 256;
  for (const Bytes& label : {Bytes(), bytes("label"), Bytes(300, 'L')}) {
    auto em = oaep_pad(TPM2_ALG_SHA256, label, secret(std::string("hello")), mod);
    ASSERT_TRUE(em.ok());
    ASSERT_EQ(em->size(), mod);
    EXPECT_EQ(em->data()[0], 0);
    auto m = oaep_unpad(TPM2_ALG_SHA256, label, em->data(), em->size(), mod);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->view(), "hello");
    // The TPM may return EM without its leading zero.
    auto m2 = oaep_unpad(TPM2_ALG_SHA256, label, em->data() + 1, em->size() - 1, mod);
    ASSERT_TRUE(m2.ok());
    Bytes other_label = label;
    other_label.push_back('x');
    EXPECT_EQ(oaep_unpad(TPM2_ALG_SHA256, other_label, em->data(), em->size(), mod).status(),
              Status::PsaErrorInvalidPadding);
    Bytes broken = em->bytes();
    broken[0] = 1;
    EXPECT_EQ(oaep_unpad(TPM2_ALG_SHA256, label, broken.data(), broken.size(), mod).status(),
              Status::PsaErrorInvalidPadding);
  }
  EXPECT_EQ(oaep_pad(TPM2_ALG_SHA256, Bytes(), secret(std::string(200, 'x')), mod).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(tpm_label_ok(Bytes()));
  EXPECT_TRUE(tpm_label_ok(Bytes{'a', 'b', 'c', 0}));
  EXPECT_FALSE(tpm_label_ok(bytes("abc")));
}

TEST(TpmConvert, ObjectName) {
  const TPM2B_PUBLIC srk = srk_template();
  auto name = object_name(srk.publicArea);
  ASSERT_TRUE(name.ok());
  ASSERT_EQ(name->size(), 34u);
  EXPECT_EQ((*name)[0], 0x00);
  EXPECT_EQ((*name)[1], 0x0b);
  auto area = marshal_public_area(srk.publicArea);
  auto h = digest(TPM2_ALG_SHA256, area->data(), area->size());
  EXPECT_EQ(Bytes(name->begin() + 2, name->end()), *h);
}

TEST(TpmConvert, CanDo) {
  auto check = [](psa::CheckType t, const KeyAttributes& a) {
    psa::op::CanDoCrypto op;
    op.check_type = t;
    op.attributes = a;
    return can_do(op);
  };
  EXPECT_EQ(check(psa::CheckType::Generate, attrs(false, true, 521, true, false)), Status::Success);
  EXPECT_EQ(check(psa::CheckType::Generate, attrs(true, true, 1024, false, true)), Status::Success);
  EXPECT_EQ(check(psa::CheckType::Generate, attrs(true, true, 0, false, true)), Status::PsaErrorNotSupported);
  EXPECT_EQ(check(psa::CheckType::Generate, attrs(true, false, 2048, true, false)), Status::PsaErrorNotSupported);
  EXPECT_EQ(check(psa::CheckType::Import, attrs(true, false, 0, true, false)), Status::Success);
  EXPECT_EQ(check(psa::CheckType::Import, attrs(false, true, 0, true, false)), Status::Success);
  EXPECT_EQ(check(psa::CheckType::Use, attrs(true, true, 2048, true, false)), Status::Success);
  EXPECT_EQ(check(psa::CheckType::Derive, attrs(true, true, 2048, true, false)), Status::PsaErrorNotSupported);
  auto no_flags = attrs(true, true, 2048, false, false);
  EXPECT_EQ(check(psa::CheckType::Use, no_flags), Status::PsaErrorNotSupported);
  auto none = attrs(true, true, 2048, true, false);
  none.policy = Algorithm::none();
  EXPECT_EQ(check(psa::CheckType::Use, none), Status::PsaErrorNotSupported);
  EXPECT_EQ(check(psa::CheckType::Generate, none), Status::Success);
  auto mismatch = attrs(false, true, 256, false, true);  // ECC with an RSA encryption policy
  EXPECT_EQ(check(psa::CheckType::Use, mismatch), Status::PsaErrorNotSupported);
  auto k1 = attrs(false, true, 256, true, false);
  k1.family = EccFamily::SecpK1;
  EXPECT_EQ(check(psa::CheckType::Generate, k1), Status::PsaErrorNotSupported);
  auto raw = attrs(true, true, 2048, true, false);
  raw.policy = Algorithm::rsa_pkcs1v15_sign_raw();
  EXPECT_EQ(check(psa::CheckType::Use, raw), Status::PsaErrorNotSupported);
}

}  // namespace
}  // namespace parsec::provider::tpm
