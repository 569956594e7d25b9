// parsec-cli's format conversions: base64, digests, ECDSA r||s <-> DER and
// public keys to SubjectPublicKeyInfo / PEM (checked against OpenSSL).
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "sdk-cpp/cli/crypto_support.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::cli {
namespace {

using client::EccFamily;
using client::Hash;
using testing::hex_bytes;

Bytes b(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Bytes der_of(int (*i2d)(const EVP_PKEY*, unsigned char**), const EVP_PKEY* key) {
  unsigned char* out = nullptr;
  const int n = i2d(key, &out);
  EXPECT_GT(n, 0);
  Bytes v(out, out + n);
  OPENSSL_free(out);
  return v;
}

TEST(Base64, EncodesAndDecodes) {
  EXPECT_EQ(base64_encode(b("")), "");
  EXPECT_EQ(base64_encode(b("f")), "Zg==");
  EXPECT_EQ(base64_encode(b("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(b("foo")), "Zm9v");
  EXPECT_EQ(base64_decode("Zg=="), b("f"));
  EXPECT_EQ(base64_decode("Zm8="), b("fo"));
  EXPECT_EQ(base64_decode("Zm9v\n"), b("foo"));
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) {
    all[i] = static_cast<uint8_t>(i);
  }
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_THROW(base64_decode("Zm9"), CliError);
  EXPECT_THROW(base64_decode("Z!9v"), CliError);
}

TEST(Digest, Sha2Family) {
  EXPECT_EQ(digest(Hash::Sha256, b("abc")),
            hex_bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(digest(Hash::Sha224, b("abc")).size(), 28u);
  EXPECT_EQ(digest(Hash::Sha384, b("abc")).size(), 48u);
  EXPECT_EQ(digest(Hash::Sha512, b("abc")).size(), 64u);
  EXPECT_THROW(digest(Hash::Md5, b("abc")), CliError);
}

TEST(EcdsaDer, HighBitGetsAZeroPrefix) {
  Bytes raw(64, 0x11);
  raw[32] = 0x80;  // s has its top bit set
  const Bytes der = ecdsa_raw_to_der(raw);
  Bytes expected = hex_bytes("30 45 02 20");
  expected.insert(expected.end(), raw.begin(), raw.begin() + 32);
  const Bytes s_prefix = hex_bytes("02 21 00");
  expected.insert(expected.end(), s_prefix.begin(), s_prefix.end());
  expected.insert(expected.end(), raw.begin() + 32, raw.end());
  EXPECT_EQ(der, expected);
  EXPECT_EQ(ecdsa_der_to_raw(der, 32), raw);
}

TEST(EcdsaDer, LeadingZeroBytesAreDroppedForStrictDer) {
  Bytes raw(64, 0x22);
  raw[0] = 0x00;
  raw[1] = 0x7F;
  const Bytes der = ecdsa_raw_to_der(raw);
  // r is 31 bytes once its leading zero is gone: 30 43 02 1F 7F ...
  EXPECT_EQ(Bytes(der.begin(), der.begin() + 5), hex_bytes("30 43 02 1F 7F"));
  EXPECT_EQ(ecdsa_der_to_raw(der, 32), raw);
  // OpenSSL accepts it as canonical DER.
  const uint8_t* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(sig, nullptr);
  unsigned char* re = nullptr;
  int n = i2d_ECDSA_SIG(sig, &re);
  EXPECT_EQ(Bytes(re, re + n), der);
  OPENSSL_free(re);
  ECDSA_SIG_free(sig);
}

TEST(EcdsaDer, ReferenceToolsNonMinimalDerIsStillParsed) {
  Bytes raw(64, 0x22);
  raw[0] = 0x00;
  raw[1] = 0x7F;
  Bytes der = hex_bytes("30 44 02 20");
  der.insert(der.end(), raw.begin(), raw.begin() + 32);
  der.push_back(0x02);
  der.push_back(0x20);
  der.insert(der.end(), raw.begin() + 32, raw.end());
  EXPECT_EQ(ecdsa_der_to_raw(der, 32), raw);
}

TEST(EcdsaDer, LongFormLengthForP521) {
  Bytes raw(132, 0x01);
  const Bytes der = ecdsa_raw_to_der(raw);
  EXPECT_EQ(Bytes(der.begin(), der.begin() + 5), hex_bytes("30 81 88 02 42"));
  EXPECT_EQ(der.size(), 3u + 136u);
  EXPECT_EQ(ecdsa_der_to_raw(der, 66), raw);
}

TEST(EcdsaDer, MinimalDerFromOtherToolsIsPadded) {
  // r = 0x05, s = 0x0102 as minimal INTEGERs.
  const Bytes raw = ecdsa_der_to_raw(hex_bytes("30 07 02 01 05 02 02 01 02"), 4);
  EXPECT_EQ(raw, hex_bytes("00 00 00 05 00 00 01 02"));
}

TEST(EcdsaDer, MalformedInputIsRejected) {
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes(""), 32), CliError);
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("31 06 02 01 01 02 01 01"), 32), CliError);           // not a SEQUENCE
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 06 02 01 01 02 01 01 00"), 32), CliError);        // trailing byte
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 09 02 01 01 02 01 01 02 01 01"), 32), CliError);  // third INTEGER
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 06 02 05 01 02 01 01"), 32), CliError);           // length overrun
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 06 02 01 81 02 01 01"), 32), CliError);           // negative
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 07 02 02 01 01 02 01 01"), 1), CliError);         // longer than curve
  EXPECT_THROW(ecdsa_der_to_raw(hex_bytes("30 84 FF FF FF FF"), 32), CliError);
}

TEST(Pem, WrapsAt64Characters) {
  EXPECT_EQ(pem_encode("TEST", b("foo")), "-----BEGIN TEST-----\nZm9v\n-----END TEST-----\n");
  const std::string pem = pem_encode("PUBLIC KEY", Bytes(49, 0));
  EXPECT_EQ(pem, "-----BEGIN PUBLIC KEY-----\n" + std::string(64, 'A') + "\nAA==\n-----END PUBLIC KEY-----\n");
}

TEST(Spki, RsaMatchesOpenSsl) {
  Pkey key(EVP_RSA_gen(1024));
  ASSERT_TRUE(key);
  const Bytes pkcs1 = der_of(&i2d_PublicKey, key.get());  // RSAPublicKey, as PsaExportPublicKey gives
  EXPECT_EQ(rsa_spki(pkcs1), der_of(&i2d_PUBKEY, key.get()));
  Bytes broken = pkcs1;
  broken.resize(broken.size() / 2);
  EXPECT_THROW(rsa_spki(broken), CliError);
  Bytes trailing = pkcs1;
  trailing.push_back(0);
  EXPECT_THROW(rsa_spki(trailing), CliError);
}

TEST(Spki, EccMatchesOpenSsl) {
  for (const auto& [name, bits] : {std::pair<const char*, uint32_t>{"P-256", 256}, {"P-384", 384}, {"P-521", 521}}) {
    Pkey key(EVP_EC_gen(name));
    ASSERT_TRUE(key);
    const Bytes point = der_of(&i2d_PublicKey, key.get());  // uncompressed point
    ASSERT_EQ(point[0], 0x04);
    EXPECT_EQ(ecc_spki(EccFamily::SecpR1, bits, point), der_of(&i2d_PUBKEY, key.get())) << name;
  }
  Pkey k1(EVP_EC_gen("secp256k1"));
  ASSERT_TRUE(k1);
  EXPECT_EQ(ecc_spki(EccFamily::SecpK1, 256, der_of(&i2d_PublicKey, k1.get())), der_of(&i2d_PUBKEY, k1.get()));
}

TEST(Spki, UnsupportedCurvesAreRejected) {
  EXPECT_EQ(curve_oid(EccFamily::SecpR1, 256), "1.2.840.10045.3.1.7");
  EXPECT_THROW(curve_oid(EccFamily::SecpR1, 512), CliError);
  EXPECT_THROW(curve_oid(EccFamily::Montgomery, 255), CliError);
  EXPECT_THROW(curve_oid(EccFamily::BrainpoolPR1, 256), CliError);
}

}  // namespace
}  // namespace parsec::cli
