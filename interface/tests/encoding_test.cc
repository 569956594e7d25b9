// The encoding module (parsec/crypto): the hash table, DigestInfo prefixes,
// SPKI/PEM of known keys, ECDSA DER <-> r||s, import-data decoding, PKCS #11
// attribute values, key files and CSRs, against known vectors and OpenSSL.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "parsec/crypto/csr.h"
#include "parsec/crypto/hash.h"
#include "parsec/crypto/import.h"
#include "parsec/crypto/keys.h"
#include "parsec/crypto/signature.h"

namespace parsec::crypto {
namespace {

using psa::EccFamily;
using psa::Hash;
using psa::KeyType;

Bytes hex(const std::string& h) {
  Bytes out;
  std::string clean;
  for (char c : h) {
    if (c != ' ') {
      clean.push_back(c);
    }
  }
  for (size_t i = 0; i + 1 < clean.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(clean.substr(i, 2), nullptr, 16)));
  }
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

template <typename I2d>
Bytes der_of(I2d i2d, EVP_PKEY* key) {
  unsigned char* p = nullptr;
  const int n = i2d(key, &p);
  Bytes out(p, p + (n > 0 ? n : 0));
  OPENSSL_free(p);
  return out;
}

Pkey rsa_key(unsigned bits) {
  return Pkey(EVP_RSA_gen(bits));
}
Pkey ec_key(const char* curve) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

Bytes ec_point(EVP_PKEY* key) {
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len);
  Bytes out(len);
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), len, &len);
  return out;
}

// ---- hash table ------------------------------------------------------------------

TEST(HashTable, FactsAgreeWithTheModelAndOpenSSL) {
  for (Hash h : {Hash::Sha1, Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512, Hash::Sha512_224, Hash::Sha512_256,
                 Hash::Sha3_224, Hash::Sha3_256, Hash::Sha3_384, Hash::Sha3_512, Hash::Md5, Hash::Ripemd160}) {
    const HashFacts* f = hash_facts(h);
    ASSERT_NE(f, nullptr) << psa::hash_name(h);
    EXPECT_EQ(f->length, psa::hash_length(h));
    EXPECT_STREQ(f->name, psa::hash_name(h));
    if (f->md != nullptr) {
      EXPECT_EQ(static_cast<uint32_t>(EVP_MD_get_size(f->md)), f->length) << f->name;
    }
  }
  EXPECT_NE(evp_md(Hash::Sha256), nullptr);
  EXPECT_EQ(hash_facts(Hash::None), nullptr);
  EXPECT_EQ(hash_facts(Hash::Any), nullptr);
  EXPECT_EQ(evp_md(Hash::Any), nullptr);
  EXPECT_EQ(*digest(Hash::Sha256, Bytes{'a', 'b', 'c'}),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(digest(Hash::None, Bytes{}).status(), Status::PsaErrorNotSupported);
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
    auto p = digest_info_prefix(c.hash);
    ASSERT_TRUE(p) << psa::hash_name(c.hash);
    EXPECT_EQ(*p, hex(c.prefix)) << psa::hash_name(c.hash);
  }
  EXPECT_FALSE(digest_info_prefix(Hash::None));
  EXPECT_FALSE(digest_info_prefix(Hash::Any));
}

// The prefix plus a digest is a DigestInfo that OpenSSL's PKCS #1 v1.5
// verification accepts for that hash (SHA-3 included).
TEST(DigestInfo, OpenSSLAcceptsTheEncodedDigestInfo) {
  Pkey key = rsa_key(1024);
  ASSERT_TRUE(key);
  for (Hash h : {Hash::Sha256, Hash::Sha384, Hash::Sha3_256, Hash::Sha224}) {
    const EVP_MD* md = evp_md(h);
    ASSERT_NE(md, nullptr);
    Bytes dig(static_cast<size_t>(EVP_MD_get_size(md)), 0x5A);
    Bytes input = *digest_info_prefix(h);
    input.insert(input.end(), dig.begin(), dig.end());
    EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(key.get(), nullptr);
    ASSERT_EQ(EVP_PKEY_sign_init(s), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(s, RSA_PKCS1_PADDING), 1);
    unsigned char sig[128];
    size_t sig_len = sizeof sig;
    ASSERT_EQ(EVP_PKEY_sign(s, sig, &sig_len, input.data(), input.size()), 1);
    EVP_PKEY_CTX_free(s);
    EVP_PKEY_CTX* v = EVP_PKEY_CTX_new(key.get(), nullptr);
    ASSERT_EQ(EVP_PKEY_verify_init(v), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(v, RSA_PKCS1_PADDING), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_signature_md(v, md), 1);
    EXPECT_EQ(EVP_PKEY_verify(v, sig, sig_len, dig.data(), dig.size()), 1) << psa::hash_name(h);
    EVP_PKEY_CTX_free(v);
  }
}

// ---- SPKI and PEM ------------------------------------------------------------------

TEST(Spki, KnownHeadersAndOpenSSLRoundTrip) {
  Pkey ec = ec_key("P-256");
  const Bytes point = ec_point(ec.get());
  auto spki = ecc_spki(EccFamily::SecpR1, 256, point);
  ASSERT_TRUE(spki.ok()) << spki.detail();
  Bytes expected = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
  expected.insert(expected.end(), point.begin(), point.end());
  EXPECT_EQ(*spki, expected);
  EXPECT_EQ(*spki, der_of(&i2d_PUBKEY, ec.get()));

  Pkey rsa = rsa_key(2048);
  const Bytes pkcs1 = der_of(&i2d_PublicKey, rsa.get());
  auto rspki = rsa_spki(pkcs1);
  ASSERT_TRUE(rspki.ok());
  Bytes rexpected = hex("30820122300d06092a864886f70d01010105000382010f00");
  rexpected.insert(rexpected.end(), pkcs1.begin(), pkcs1.end());
  EXPECT_EQ(*rspki, rexpected);
  EXPECT_EQ(*rspki, der_of(&i2d_PUBKEY, rsa.get()));

  // X25519: id-X25519, no parameters, the raw key (RFC 8410 §10.1 layout).
  auto x = ecc_spki(EccFamily::Montgomery, 255, Bytes(32, 0x09));
  ASSERT_TRUE(x.ok());
  Bytes xexpected = hex("302a300506032b656e032100");
  xexpected.insert(xexpected.end(), 32, 0x09);
  EXPECT_EQ(*x, xexpected);

  // Brainpool, where OpenSSL has it.
  Pkey bp = ec_key("brainpoolP256r1");
  auto bspki = ecc_spki(EccFamily::BrainpoolPR1, 256, ec_point(bp.get()));
  ASSERT_TRUE(bspki.ok());
  EXPECT_EQ(*bspki, der_of(&i2d_PUBKEY, bp.get()));
}

TEST(Spki, RefusalsCarryStatusAndDetail) {
  auto bad = rsa_spki(Bytes{0x30, 0x03, 0x02, 0x01, 0x01});
  EXPECT_EQ(bad.status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(bad.detail(), "the exported RSA public key is not a DER RSAPublicKey");
  EXPECT_EQ(ecc_spki(EccFamily::SecpR1, 512, Bytes(129, 4)).status(), Status::PsaErrorNotSupported);
  // Bytes that are not a point on the curve are never wrapped as a public key.
  Bytes off_curve(65, 0x01);
  off_curve[0] = 0x04;
  EXPECT_EQ(ecc_spki(EccFamily::SecpR1, 256, off_curve).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(ecc_spki(EccFamily::SecpR1, 256, Bytes(64, 0x04)).status(), Status::PsaErrorInvalidArgument);
  psa::KeyAttributes aes;
  aes.type = KeyType::Aes;
  EXPECT_EQ(public_key_spki(aes, Bytes(16)).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(*curve_oid(EccFamily::SecpR1, 256), "1.2.840.10045.3.1.7");
  EXPECT_EQ(*curve_oid(EccFamily::SecpK1, 256), "1.3.132.0.10");
  EXPECT_EQ(curve_oid(EccFamily::Montgomery, 255).status(), Status::PsaErrorNotSupported);
}

TEST(Pem, WrapsAt64Characters) {
  EXPECT_EQ(pem_encode("TEST", Bytes{'f', 'o', 'o'}), "-----BEGIN TEST-----\nZm9v\n-----END TEST-----\n");
  EXPECT_EQ(pem_encode("PUBLIC KEY", Bytes(49, 0)),
            "-----BEGIN PUBLIC KEY-----\n" + std::string(64, 'A') + "\nAA==\n-----END PUBLIC KEY-----\n");
}

// ---- ECDSA signatures --------------------------------------------------------------

TEST(EcdsaDer, MinimalIntegersWithSignBytes) {
  // r has its top bit set (a 0x00 is prepended); s has leading zeros (dropped).
  Bytes raw(64, 0);
  raw[0] = 0x80;
  raw[31] = 0x01;
  raw[62] = 0x01;
  raw[63] = 0x02;
  auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der.ok());
  Bytes expected = hex("30 27 02 21 00 80");
  expected.insert(expected.end(), 30, 0x00);
  expected.push_back(0x01);
  for (uint8_t b : hex("02 02 01 02")) {
    expected.push_back(b);
  }
  EXPECT_EQ(*der, expected);
  EXPECT_EQ(*ecdsa_der_to_raw(*der, 32), raw);
  // Zero halves are INTEGER 0.
  EXPECT_EQ(*ecdsa_raw_to_der(Bytes(4, 0)), hex("30 06 02 01 00 02 01 00"));
  EXPECT_EQ(ecdsa_raw_to_der(Bytes(3, 1)).status(), Status::PsaErrorInvalidArgument);
}

TEST(EcdsaDer, LongFormLengthForP521AndNonMinimalInput) {
  Bytes raw(132, 0x01);
  const Bytes der = *ecdsa_raw_to_der(raw);
  EXPECT_EQ(Bytes(der.begin(), der.begin() + 5), hex("30 81 88 02 42"));
  EXPECT_EQ(*ecdsa_der_to_raw(der, 66), raw);
  // Leading zero bytes in the INTEGERs (as some tools write them) are read.
  EXPECT_EQ(*ecdsa_der_to_raw(hex("30 08 02 02 00 05 02 02 00 01"), 2), hex("00 05 00 01"));
  EXPECT_EQ(*ecdsa_der_to_raw(hex("30 07 02 01 05 02 02 01 02"), 4), hex("00 00 00 05 00 00 01 02"));
}

TEST(EcdsaDer, OpenSSLVerifiesTheConvertedSignature) {
  Pkey key = ec_key("P-256");
  const Bytes dig = *digest(Hash::Sha256, Bytes{'m'});
  EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(key.get(), nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(s), 1);
  Bytes sig(80);
  size_t len = sig.size();
  ASSERT_EQ(EVP_PKEY_sign(s, sig.data(), &len, dig.data(), dig.size()), 1);
  EVP_PKEY_CTX_free(s);
  sig.resize(len);
  const Bytes raw = *ecdsa_der_to_raw(sig, 32);
  ASSERT_EQ(raw.size(), 64u);
  const Bytes back = *ecdsa_raw_to_der(raw);
  EXPECT_EQ(back, sig);
}

TEST(EcdsaDer, MalformedInputIsRefused) {
  for (const char* bad : {"", "31 06 02 01 01 02 01 01", "30 06 02 01 01 02 01 01 00",
                          "30 09 02 01 01 02 01 01 02 01 01", "30 06 02 05 01 02 01 01", "30 06 02 01 81 02 01 01",
                          "30 06 02 01 01 02 01 81", "30 84 FF FF FF FF", "30 80 02 01 01 02 01 01 00 00"}) {
    auto r = ecdsa_der_to_raw(hex(bad), 32);
    EXPECT_EQ(r.status(), Status::PsaErrorInvalidArgument) << bad;
    EXPECT_FALSE(r.detail().empty()) << bad;
  }
  EXPECT_EQ(ecdsa_der_to_raw(hex("30 07 02 02 01 01 02 01 01"), 1).status(), Status::PsaErrorInvalidArgument);
}

// ---- import data ---------------------------------------------------------------------

TEST(ImportData, RsaPublicKeyRoundTripsWithOpenSSL) {
  Pkey key = rsa_key(2048);
  const Bytes der = der_of(&i2d_PublicKey, key.get());
  auto parsed = parse_rsa_public_key(der.data(), der.size());
  ASSERT_TRUE(parsed.ok()) << parsed.detail();
  EXPECT_EQ(parsed->bits, 2048u);
  EXPECT_EQ(bit_length(parsed->modulus.data(), parsed->modulus.size()), 2048u);
  EXPECT_EQ(parsed->exponent, Bytes({0x01, 0x00, 0x01}));
  EXPECT_EQ(*rsa_public_key_der(parsed->modulus, parsed->exponent), der);
  // Trailing bytes, truncation, a wrong tag and a non-minimal INTEGER are refused.
  Bytes with_trailer = der;
  with_trailer.push_back(0);
  EXPECT_EQ(parse_rsa_public_key(with_trailer.data(), with_trailer.size()).status(), Status::PsaErrorInvalidArgument);
  EXPECT_FALSE(parse_rsa_public_key(der.data(), der.size() - 1).ok());
  Bytes wrong = der;
  wrong[0] = 0x31;
  EXPECT_FALSE(parse_rsa_public_key(wrong.data(), wrong.size()).ok());
  const Bytes padded = hex("30 07 02 02 00 01 02 01 03");
  EXPECT_FALSE(parse_rsa_public_key(padded.data(), padded.size()).ok());
  const Bytes negative = hex("30 06 02 01 81 02 01 03");
  EXPECT_FALSE(parse_rsa_public_key(negative.data(), negative.size()).ok());
  const Bytes long_form = hex("30 81 06 02 01 7f 02 01 03");
  EXPECT_FALSE(parse_rsa_public_key(long_form.data(), long_form.size()).ok());
}

TEST(ImportData, DeclaredSizeMustMatchTheData) {
  // docs/protocol.md, operations §5.3: non-zero key_bits must match the data.
  auto attrs = [](KeyType t, uint32_t bits, EccFamily f = EccFamily::SecpR1) {
    psa::KeyAttributes a;
    a.type = t;
    a.family = f;
    a.bits = bits;
    return a;
  };
  Pkey p256 = ec_key("P-256");
  const SecretBytes point(ec_point(p256.get()));
  EXPECT_TRUE(check_import_size(attrs(KeyType::EccPublicKey, 256), point).ok());
  EXPECT_TRUE(check_import_size(attrs(KeyType::EccPublicKey, 0), point).ok());
  Outcome small = check_import_size(attrs(KeyType::EccPublicKey, 224), point);
  EXPECT_EQ(small.status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(small.detail(), "the key is declared as 224 bits but the data holds a 65-byte public key");
  EXPECT_TRUE(check_import_size(attrs(KeyType::EccKeyPair, 521), SecretBytes(Bytes(66, 1))).ok());
  EXPECT_EQ(check_import_size(attrs(KeyType::EccKeyPair, 384), SecretBytes(Bytes(32, 1))).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(
      check_import_size(attrs(KeyType::EccPublicKey, 255, EccFamily::Montgomery), SecretBytes(Bytes(32, 9))).ok());

  Pkey rsa = rsa_key(2048);
  const SecretBytes rsa_pub(der_of(&i2d_PublicKey, rsa.get()));
  EXPECT_TRUE(check_import_size(attrs(KeyType::RsaPublicKey, 2048), rsa_pub).ok());
  Outcome wrong = check_import_size(attrs(KeyType::RsaPublicKey, 1024), rsa_pub);
  EXPECT_EQ(wrong.status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(wrong.detail(), "the key is declared as 1024 bits but the data holds a 2048-bit RSA public key");
  const SecretBytes rsa_pair(der_of(&i2d_PrivateKey, rsa.get()));
  EXPECT_TRUE(check_import_size(attrs(KeyType::RsaKeyPair, 2048), rsa_pair).ok());
  EXPECT_EQ(check_import_size(attrs(KeyType::RsaKeyPair, 3072), rsa_pair).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(check_import_size(attrs(KeyType::RsaPublicKey, 2048), SecretBytes(Bytes{1, 2, 3})).status(),
            Status::PsaErrorInvalidArgument);

  EXPECT_TRUE(check_import_size(attrs(KeyType::Aes, 128), SecretBytes(Bytes(16, 0))).ok());
  EXPECT_EQ(check_import_size(attrs(KeyType::Aes, 256), SecretBytes(Bytes(16, 0))).status(),
            Status::PsaErrorInvalidArgument);
}

TEST(ImportData, RsaPrivateKeyComponents) {
  Pkey key = rsa_key(2048);
  const Bytes der = der_of(&i2d_PrivateKey, key.get());
  auto k = parse_rsa_private_key(der.data(), der.size());
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->bits, 2048u);
  EXPECT_EQ(k->public_exponent.bytes(), Bytes({0x01, 0x00, 0x01}));
  EXPECT_EQ(bit_length(k->prime1.data(), k->prime1.size()), 1024u);
  EXPECT_FALSE(k->coefficient.empty());
  const Bytes pub = der_of(&i2d_PublicKey, key.get());
  EXPECT_EQ(k->modulus.bytes(), parse_rsa_public_key(pub.data(), pub.size())->modulus);
  EXPECT_FALSE(parse_rsa_private_key(der.data(), der.size() - 3).ok());
  // A public key or PKCS #8 is not an RSAPrivateKey.
  EXPECT_FALSE(parse_rsa_private_key(pub.data(), pub.size()).ok());
}

TEST(ImportData, EccPointsAndScalars) {
  Pkey key = ec_key("P-384");
  const Bytes point = ec_point(key.get());
  EXPECT_TRUE(check_ecc_point(EccFamily::SecpR1, 384, point).ok());
  Bytes off = point;
  off.back() ^= 1;
  EXPECT_EQ(check_ecc_point(EccFamily::SecpR1, 384, off).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(check_ecc_point(EccFamily::SecpR1, 256, point).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(check_ecc_point(EccFamily::SecpR1, 512, point).status(), Status::PsaErrorNotSupported);
  BIGNUM* d = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  SecretBytes scalar(48);
  BN_bn2binpad(d, scalar.data(), 48);
  BN_clear_free(d);
  EXPECT_EQ(*ecc_public_point(EccFamily::SecpR1, 384, scalar), point);
  EXPECT_EQ(ecc_public_point(EccFamily::SecpR1, 384, SecretBytes(48)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(ecc_public_point(EccFamily::SecpR1, 384, SecretBytes(Bytes(48, 0xFF))).status(),
            Status::PsaErrorInvalidArgument);  // above the order
  EXPECT_EQ(ecc_public_point(EccFamily::SecpR1, 384, SecretBytes(32)).status(), Status::PsaErrorInvalidArgument);
}

TEST(Pkcs11Values, OctetStringAroundEcPoint) {
  Bytes point(65, 0x11);
  point[0] = 0x04;
  Bytes wrapped = octet_string(point);
  EXPECT_EQ(wrapped[0], 0x04);
  EXPECT_EQ(wrapped[1], 0x41);
  EXPECT_EQ(*unwrap_octet_string(wrapped.data(), wrapped.size()), point);
  Bytes p521(133, 0x22);
  Bytes w521 = octet_string(p521);
  EXPECT_EQ(Bytes(w521.begin(), w521.begin() + 3), hex("048185"));
  EXPECT_EQ(*unwrap_octet_string(w521.data(), w521.size()), p521);
  // A bare point is not an OCTET STRING of the right length.
  EXPECT_FALSE(unwrap_octet_string(point.data(), point.size()).ok());
  const Bytes long_form = hex("04 81 01 00");  // the short form fits
  EXPECT_FALSE(unwrap_octet_string(long_form.data(), long_form.size()).ok());
}

TEST(Pkcs11Values, NamedCurveParams) {
  EXPECT_EQ(*ec_params(EccFamily::SecpR1, 256), hex("06082a8648ce3d030107"));
  EXPECT_EQ(*ec_params(EccFamily::SecpR1, 384), hex("06052b81040022"));
  EXPECT_EQ(*ec_params(EccFamily::SecpR1, 521), hex("06052b81040023"));
  EXPECT_EQ(ec_params(EccFamily::SecpR1, 512).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(ec_params(EccFamily::Montgomery, 255).status(), Status::PsaErrorNotSupported);
}

// ---- key files and private keys -----------------------------------------------------

TEST(KeyFiles, PemAndDerToPsaAndBack) {
  Pkey ec = ec_key("P-256");
  psa::KeyAttributes attrs;
  attrs.type = KeyType::EccKeyPair;
  attrs.family = EccFamily::SecpR1;
  attrs.bits = 256;
  BIGNUM* d = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(ec.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  Bytes scalar(32);
  BN_bn2binpad(d, scalar.data(), 32);
  BN_clear_free(d);
  auto pem = private_key_pem(attrs, scalar, false);
  ASSERT_TRUE(pem.ok()) << pem.detail();
  auto parsed = parse_key_file(Bytes(pem->begin(), pem->end()));
  ASSERT_TRUE(parsed.ok()) << parsed.detail();
  EXPECT_EQ(parsed->type, KeyType::EccKeyPair);
  EXPECT_EQ(parsed->bits, 256u);
  EXPECT_EQ(parsed->data.bytes(), scalar);
  wipe(*pem);

  auto pub = parse_key_file(der_of(&i2d_PUBKEY, ec.get()));
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->type, KeyType::EccPublicKey);
  EXPECT_EQ(pub->data.bytes(), ec_point(ec.get()));

  EXPECT_EQ(parse_key_file(Bytes{}).detail(), "the key file is empty");
  const std::string enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
  EXPECT_EQ(parse_key_file(Bytes(enc.begin(), enc.end())).status(), Status::PsaErrorNotSupported);
  Pkey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  auto r = parse_key_file(der_of(&i2d_PUBKEY, ed.get()));
  EXPECT_EQ(r.status(), Status::PsaErrorNotSupported);
  EXPECT_NE(r.detail().find("unsupported key algorithm"), std::string::npos);
}

// ---- CSR -----------------------------------------------------------------------------

TEST(Csr, EcdsaRequestSignedThroughTheCallback) {
  Pkey key = ec_key("P-256");
  CsrFields fields;
  fields.common_name = "parsec";
  fields.subject_alt_names = {"example.org", "192.0.2.1"};
  int calls = 0;
  auto csr = create_csr(fields, der_of(&i2d_PUBKEY, key.get()), CsrScheme::Ecdsa, Hash::Sha256,
                        [&](const Bytes& dig) -> Result<Bytes> {
                          ++calls;
                          EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(key.get(), nullptr);
                          EVP_PKEY_sign_init(s);
                          Bytes sig(80);
                          size_t len = sig.size();
                          EVP_PKEY_sign(s, sig.data(), &len, dig.data(), dig.size());
                          EVP_PKEY_CTX_free(s);
                          sig.resize(len);
                          return sig;
                        });
  ASSERT_TRUE(csr.ok()) << csr.detail();
  EXPECT_EQ(calls, 1);
  const unsigned char* p = csr->data();
  X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(csr->size()));
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(X509_REQ_verify(req, key.get()), 1);
  X509_REQ_free(req);
  // A signer's failure is returned as it is.
  auto failed = create_csr(fields, der_of(&i2d_PUBKEY, key.get()), CsrScheme::Ecdsa, Hash::Sha256,
                           [](const Bytes&) -> Result<Bytes> {
                             return {Status::PsaErrorNotPermitted, "no"};
                           });
  EXPECT_EQ(failed.status(), Status::PsaErrorNotPermitted);
  EXPECT_EQ(failed.detail(), "no");
  EXPECT_EQ(create_csr(fields, der_of(&i2d_PUBKEY, key.get()), CsrScheme::Ecdsa, Hash::Sha1, nullptr).status(),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(*pss_salt_length(Hash::Sha256, 2048), 32u);
  EXPECT_EQ(pss_salt_length(Hash::Sha512, 1000).status(), Status::PsaErrorInvalidArgument);
}

}  // namespace
}  // namespace parsec::crypto
