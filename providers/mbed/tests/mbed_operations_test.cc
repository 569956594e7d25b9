// Every operation of the software provider over in-memory storage: published
// known answers (known_answers.h), OpenSSL in both directions, and the
// statuses of each failure. Signatures are verified, ciphertexts decrypted.
#include <algorithm>
#include <set>
#include <tuple>

#include "providers/mbed/tests/known_answers.h"
#include "providers/mbed/tests/ops_fixture.h"

namespace parsec::provider::test {
namespace {

using kat::unhex;

constexpr Hash kMd5 = psa::Hash::Md5;
constexpr Hash kRipemd160 = psa::Hash::Ripemd160;
constexpr Hash kSha1 = psa::Hash::Sha1;
constexpr Hash kSha224 = psa::Hash::Sha224;
constexpr Hash kSha256 = psa::Hash::Sha256;
constexpr Hash kSha384 = psa::Hash::Sha384;
constexpr Hash kSha512 = psa::Hash::Sha512;
constexpr Hash kSha512_256 = psa::Hash::Sha512_256;
constexpr Hash kSha3_256 = psa::Hash::Sha3_256;

constexpr Family kSecpR1 = psa::EccFamily::SecpR1;
constexpr Family kSecpK1 = psa::EccFamily::SecpK1;
constexpr Family kBrainpool = psa::EccFamily::BrainpoolPR1;
constexpr Family kMontgomery = psa::EccFamily::Montgomery;

constexpr AeadBase kGcm = psa::AeadAlgorithm::Gcm;
constexpr AeadBase kCcm = psa::AeadAlgorithm::Ccm;
constexpr AeadBase kChachaPoly = psa::AeadAlgorithm::Chacha20Poly1305;

const char* md_of(Hash h) {
  switch (h) {
    case kSha1:
      return "SHA1";
    case kSha224:
      return "SHA224";
    case kSha384:
      return "SHA384";
    case kSha512:
      return "SHA512";
    default:
      return "SHA256";
  }
}

std::string sha(Hash h, const std::string& m) {
  return str(digest(md_of(h), m));
}

std::string flip(std::string s, size_t at, uint8_t mask = 0x01) {
  s.at(at) = static_cast<char>(s.at(at) ^ mask);
  return s;
}

// ---------------------------------------------------------------------------
// Key management
// ---------------------------------------------------------------------------

struct Curve {
  Family family;
  uint32_t bits;
  const char* openssl_group;
};

const Curve kWeierstrassCurves[] = {
    {kSecpR1, 192, "prime192v1"},         {kSecpR1, 224, "secp224r1"},          {kSecpR1, 256, "prime256v1"},
    {kSecpR1, 384, "secp384r1"},          {kSecpR1, 521, "secp521r1"},          {kSecpK1, 192, "secp192k1"},
    {kSecpK1, 256, "secp256k1"},          {kBrainpool, 256, "brainpoolP256r1"}, {kBrainpool, 384, "brainpoolP384r1"},
    {kBrainpool, 512, "brainpoolP512r1"},
};

using OpsKeys = OpsTest;

TEST_F(OpsKeys, EveryWeierstrassCurveGeneratesAndSignsForOpenSsl) {
  for (const Curve& c : kWeierstrassCurves) {
    SCOPED_TRACE(c.openssl_group);
    const StoredKey k = must_gen(make_key(ecc_pair_type(c.family), c.bits, sign_alg(ecdsa(kSha256)), kSignVerify));
    EXPECT_EQ(k.attributes.bits, c.bits);
    const std::string pub = ok_str(export_public(k));
    const size_t field = (c.bits + 7) / 8;
    ASSERT_EQ(pub.size(), 1 + 2 * field);
    EXPECT_EQ(pub[0], '\x04');
    const std::string d = sha(kSha256, "curve test");
    const std::string sig = ok_str(sign_hash(k, ecdsa(kSha256), d));
    EXPECT_EQ(sig.size(), 2 * field);
    EvpPkey ossl = ossl_ec_public_named(c.openssl_group, bytes(pub));
    ASSERT_TRUE(ossl);
    EXPECT_TRUE(ossl_verify(ossl.get(), "SHA256", bytes(d), bytes(sig), RsaPadding::None));
    EXPECT_EQ(verify_hash(k, ecdsa(kSha256), d, sig), Status::Success);
  }
}

TEST_F(OpsKeys, Curve25519GeneratesAndExportsRfc7748Keys) {
  const StoredKey k = must_gen(make_key(ecc_pair_type(kMontgomery), 255, ecdh(), kDerive | kExport));
  const std::string pub = ok_str(export_public(k));
  const std::string priv = ok_str(export_key(k));
  ASSERT_EQ(pub.size(), 32u);
  ASSERT_EQ(priv.size(), 32u);
  // OpenSSL derives the same public value from the exported scalar.
  EvpPkey ossl(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, reinterpret_cast<const uint8_t*>(priv.data()),
                                            priv.size()));
  ASSERT_TRUE(ossl);
  EXPECT_EQ(str(ossl_x25519_raw_public(ossl.get())), pub);
}

TEST_F(OpsKeys, UnsupportedCurvesGroupsAndSizes) {
  struct Case {
    KeyType type;
    uint32_t bits;
    Status want;
  };
  const Case cases[] = {
      {ecc_pair_type(kSecpK1), 225, Status::PsaErrorNotSupported},  // secp224k1: not in PSA 2.28
      {ecc_pair_type(kSecpR1), 512, Status::PsaErrorNotSupported},  // the Book's "512" for P-521
      {ecc_pair_type(kMontgomery), 448, Status::PsaErrorNotSupported},
      {ecc_pair_type(kMontgomery), 256, Status::PsaErrorNotSupported},
      {ecc_pair_type(psa::EccFamily::SectK1), 163, Status::PsaErrorNotSupported},
      {ecc_pair_type(psa::EccFamily::SecpR2), 160, Status::PsaErrorNotSupported},
      {ecc_pair_type(psa::EccFamily::Frp), 256, Status::PsaErrorNotSupported},
      {ecc_pair_type(kBrainpool), 160, Status::PsaErrorNotSupported},
      {ecc_pair_type(kSecpR1), 0, Status::PsaErrorInvalidArgument},
      {dh_pair_type(), 2048, Status::PsaErrorNotSupported},  // no FFDH in Mbed TLS 2.28's PSA core
      {dh_pair_type(), 3072, Status::PsaErrorNotSupported},
      {ecc_public_type(kSecpR1), 256, Status::PsaErrorInvalidArgument},
      {rsa_pair_type(), 1536, Status::PsaErrorInvalidArgument},
      {rsa_pair_type(), 0, Status::PsaErrorInvalidArgument},
      {aes_type(), 100, Status::PsaErrorInvalidArgument},
      {aes_type(), 0, Status::PsaErrorInvalidArgument},
      {aes_type(), 512, Status::PsaErrorInvalidArgument},
      {chacha20_type(), 128, Status::PsaErrorInvalidArgument},
      {hmac_type(), 12, Status::PsaErrorInvalidArgument},
      {hmac_type(), 0, Status::PsaErrorInvalidArgument},
      {raw_data_type(), 7, Status::PsaErrorInvalidArgument},
      {KeyType(), 256, Status::PsaErrorInvalidArgument},
  };
  for (const Case& c : cases) {
    FakeTxn txn;
    const KeyAttributes a = make_key(c.type, c.bits, no_alg(), kExport);
    EXPECT_EQ(provider_->generate_key(a, txn).status(), c.want) << describe(a);
    EXPECT_TRUE(txn.all_staged().empty());
  }
  // A DH public value cannot be imported either.
  FakeTxn txn;
  EXPECT_EQ(
      provider_->import_key(make_key(dh_public_type(), 0, ffdh(), kDerive), SecretBytes(std::string(256, '\x05')), txn)
          .status(),
      Status::PsaErrorNotSupported);
}

TEST_F(OpsKeys, SymmetricKeysOfEverySizeGenerateAndExport) {
  struct Case {
    KeyType type;
    uint32_t bits;
  };
  const Case cases[] = {
      {aes_type(), 128},      {aes_type(), 192},      {aes_type(), 256},       {camellia_type(), 128},
      {camellia_type(), 256}, {chacha20_type(), 256}, {hmac_type(), 8},        {hmac_type(), 256},
      {hmac_type(), 1024},    {raw_data_type(), 8},   {raw_data_type(), 4096}, {derive_type(), 256},
      {des_type(), 64},       {des_type(), 128},      {des_type(), 192},       {arc4_type(), 128},
  };
  for (const Case& c : cases) {
    const KeyAttributes a = make_key(c.type, c.bits, no_alg(), kExport);
    const StoredKey k = must_gen(a);
    const std::string material = ok_str(export_key(k), describe(a).c_str());
    EXPECT_EQ(material.size(), c.bits / 8) << describe(a);
    if (c.bits >= 64) {
      // Random bytes; a one-byte key is all zeros one time in 256, so only
      // keys of 64 bits and more are held to it.
      EXPECT_NE(material, std::string(c.bits / 8, '\0'));
    }
    // Symmetric keys have no public part.
    EXPECT_EQ(export_public(k).status(), Status::PsaErrorInvalidArgument);
  }
}

TEST_F(OpsKeys, ExportKeyGivesTheImportedBytesBack) {
  const std::string rsa_der = kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE);
  struct Case {
    KeyAttributes attributes;
    std::string data;
  };
  const Case cases[] = {
      {make_key(aes_type(), 0, cipher(psa::Cipher::Ctr), kExport), unhex(kat::kGcm4Key)},
      {make_key(aes_type(), 256, aead(kGcm), kExport), std::string(32, '\x42')},
      {make_key(chacha20_type(), 0, aead(kChachaPoly), kExport), unhex(kat::kChachaPolyKey)},
      {make_key(hmac_type(), 0, hmac(kSha256), kExport), unhex(kat::kHmacCase1Key)},
      {make_key(raw_data_type(), 0, no_alg(), kExport), "raw data, any bytes at all"},
      {make_key(derive_type(), 0, hkdf(kSha256), kExport), std::string(40, '\x17')},
      {make_key(ecc_pair_type(kSecpR1), 0, sign_alg(deterministic_ecdsa(kSha256)), kExport),
       unhex(kat::kRfc6979P256Private)},
      {make_key(ecc_pair_type(kSecpR1), 521, sign_alg(ecdsa(kSha512)), kExport), unhex(kat::kRfc6979P521Private)},
      // A Curve25519 scalar already in RFC 7748 form (see below for one that is not).
      {make_key(ecc_pair_type(kMontgomery), 255, ecdh(), kExport),
       unhex("70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a")},
      {make_key(ecc_public_type(kSecpR1), 0, sign_alg(ecdsa(kSha256)), kExport), unhex(kat::kRfc6979P256Public)},
      {make_key(rsa_pair_type(), 1024, pkcs1v15_crypt(), kExport), rsa_der},
      {make_key(rsa_public_type(), 0, sign_alg(rsa_pss(kSha1)), kExport), kat::rsa_public_der(kat::kPssN, kat::kPssE)},
  };
  for (const Case& c : cases) {
    const StoredKey k = must_imp(c.attributes, c.data);
    EXPECT_EQ(kat::hex(ok_str(export_key(k))), kat::hex(c.data)) << describe(c.attributes);
  }
}

TEST_F(OpsKeys, Curve25519ScalarsAreExportedClamped) {
  // Mbed TLS 2.28 stores an X25519 private key as RFC 7748 §5's
  // decodeScalar25519 makes it (low three bits and bit 255 cleared, bit 254
  // set), so an imported scalar not in that form comes back in it. Both are
  // the same key: the same public value and shared secrets.
  const StoredKey k =
      must_imp(make_key(ecc_pair_type(kMontgomery), 255, ecdh(), kExport | kDerive), unhex(kat::kX25519AlicePrivate));
  std::string clamped = unhex(kat::kX25519AlicePrivate);
  clamped[0] = static_cast<char>(clamped[0] & 0xf8);
  clamped[31] = static_cast<char>((clamped[31] & 0x7f) | 0x40);
  EXPECT_EQ(kat::hex(ok_str(export_key(k))), kat::hex(clamped));
  EXPECT_EQ(kat::hex(ok_str(export_public(k))), kat::kX25519AlicePublic);
}

TEST_F(OpsKeys, KnownPrivateKeysExportTheirKnownPublicKeys) {
  const StoredKey p256 = must_imp(make_key(ecc_pair_type(kSecpR1), 256, sign_alg(ecdsa(kSha256)), kSignVerify),
                                  unhex(kat::kRfc6979P256Private));
  EXPECT_EQ(kat::hex(ok_str(export_public(p256))), kat::kRfc6979P256Public);
  const StoredKey x25519 =
      must_imp(make_key(ecc_pair_type(kMontgomery), 0, ecdh(), kDerive), unhex(kat::kX25519AlicePrivate));
  EXPECT_EQ(x25519.attributes.bits, 255u);
  EXPECT_EQ(kat::hex(ok_str(export_public(x25519))), kat::kX25519AlicePublic);
  const StoredKey rsa = must_imp(make_key(rsa_pair_type(), 0, pkcs1v15_crypt(), kDecrypt),
                                 kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE));
  EXPECT_EQ(kat::hex(ok_str(export_public(rsa))), kat::hex(kat::rsa_public_der(kat::kEncN, kat::kEncE)));
}

TEST_F(OpsKeys, ImportRejectsMalformedData) {
  EXPECT_EQ(imp(make_key(aes_type(), 0, no_alg(), kExport), std::string(15, 'k')).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(imp(make_key(aes_type(), 256, no_alg(), kExport), std::string(16, 'k')).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(imp(make_key(chacha20_type(), 0, no_alg(), kExport), std::string(16, 'k')).status(),
            Status::PsaErrorInvalidArgument);
  // With key_bits 0 PSA infers the curve from the length: no curve of that
  // size is "not supported"; with a size, wrong data is "invalid".
  EXPECT_EQ(imp(make_key(ecc_public_type(kSecpR1), 0, no_alg(), kExport), "\x04 not a point").status(),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(imp(make_key(ecc_public_type(kSecpR1), 256, no_alg(), kExport), "\x04 not a point").status(),
            Status::PsaErrorInvalidArgument);
  std::string off_curve = unhex(kat::kRfc6979P256Public);
  off_curve[40] ^= 0x01;
  EXPECT_EQ(imp(make_key(ecc_public_type(kSecpR1), 0, no_alg(), kExport), off_curve).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(imp(make_key(ecc_pair_type(kMontgomery), 0, ecdh(), kDerive), std::string(31, 'x')).status(),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(imp(make_key(ecc_pair_type(kMontgomery), 255, ecdh(), kDerive), std::string(31, 'x')).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(imp(make_key(rsa_pair_type(), 0, pkcs1v15_crypt(), kDecrypt), "\x30\x03\x02\x01\x00").status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(storage_.blobs.empty());
}

TEST_F(OpsKeys, ExportKeyNeedsTheExportFlagInPsaToo) {
  // The service refuses first; PSA's own policy is a second line.
  const StoredKey k = must_gen(make_key(aes_type(), 128, aead(kGcm), kCrypt));
  EXPECT_EQ(export_key(k).status(), Status::PsaErrorNotPermitted);
  // A public key is always exportable.
  const StoredKey pub = must_imp(make_key(ecc_public_type(kSecpR1), 0, sign_alg(ecdsa(kSha256)), kVerifyHash),
                                 unhex(kat::kRfc6979P256Public));
  EXPECT_EQ(kat::hex(ok_str(export_key(pub))), kat::kRfc6979P256Public);
}

TEST_F(OpsKeys, DestroyedKeysAreGoneForEveryOperation) {
  const StoredKey k = must_gen(make_key(aes_type(), 128, aead(kGcm), kCrypt | kExport));
  ASSERT_EQ(destroy(k), Status::Success);
  EXPECT_EQ(export_key(k).status(), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(aead_encrypt(k, aead(kGcm), "123456789012", "", "x").status(), Status::PsaErrorDoesNotExist);
  StoredKey bogus = k;
  bogus.key_ref = Bytes{9};
  EXPECT_EQ(aead_encrypt(bogus, aead(kGcm), "123456789012", "", "x").status(), Status::PsaErrorInvalidHandle);
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

using OpsSign = OpsTest;

TEST_F(OpsSign, DeterministicEcdsaMatchesRfc6979) {
  const StoredKey p256 =
      must_imp(make_key(ecc_pair_type(kSecpR1), 256, sign_alg(deterministic_ecdsa(kSha256)), kSignVerify),
               unhex(kat::kRfc6979P256Private));
  EXPECT_EQ(kat::hex(ok_str(sign_hash(p256, deterministic_ecdsa(kSha256), sha(kSha256, kat::kSample)))),
            kat::kRfc6979P256Sha256Sample);
  EXPECT_EQ(kat::hex(ok_str(sign_message(p256, deterministic_ecdsa(kSha256), kat::kSample))),
            kat::kRfc6979P256Sha256Sample);
  EXPECT_EQ(kat::hex(ok_str(sign_message(p256, deterministic_ecdsa(kSha256), kat::kTest))),
            kat::kRfc6979P256Sha256Test);
  const StoredKey p521 =
      must_imp(make_key(ecc_pair_type(kSecpR1), 521, sign_alg(deterministic_ecdsa(kSha512)), kSignVerify),
               unhex(kat::kRfc6979P521Private));
  EXPECT_EQ(kat::hex(ok_str(sign_message(p521, deterministic_ecdsa(kSha512), kat::kSample))),
            kat::kRfc6979P521Sha512Sample);
}

TEST_F(OpsSign, KnownEcdsaSignatureVerifies) {
  // RFC 6979's signatures are ordinary ECDSA signatures: a public key with a
  // randomized-ECDSA policy verifies them.
  const StoredKey pub = must_imp(make_key(ecc_public_type(kSecpR1), 0, sign_alg(ecdsa(kSha256)), kVerifyHash),
                                 unhex(kat::kRfc6979P256Public));
  const std::string sig = unhex(kat::kRfc6979P256Sha256Sample);
  EXPECT_EQ(verify_hash(pub, ecdsa(kSha256), sha(kSha256, kat::kSample), sig), Status::Success);
  EXPECT_EQ(verify_message(pub, ecdsa(kSha256), kat::kSample, sig), Status::Success);
  EXPECT_EQ(verify_message(pub, ecdsa(kSha256), kat::kTest, sig), Status::PsaErrorInvalidSignature);
  EXPECT_EQ(verify_message(pub, ecdsa(kSha256), kat::kSample, flip(sig, 40)), Status::PsaErrorInvalidSignature);
  // A public key signs nothing.
  EXPECT_NE(sign_message(pub, ecdsa(kSha256), kat::kSample).status(), Status::Success);
}

TEST_F(OpsSign, KnownRsaSignaturesVerifyAndPkcs1IsReproduced) {
  const std::string msg = unhex(kat::kPkcs1SignMessage);
  const std::string sig = unhex(kat::kPkcs1SignSignature);
  const StoredKey pub = must_imp(make_key(rsa_public_type(), 1024, sign_alg(rsa_pkcs1v15(kSha1)), kVerifyHash),
                                 kat::rsa_public_der(kat::kPkcs1SignN, kat::kPkcs1SignE));
  EXPECT_EQ(verify_hash(pub, rsa_pkcs1v15(kSha1), sha(kSha1, msg), sig), Status::Success);
  EXPECT_EQ(verify_message(pub, rsa_pkcs1v15(kSha1), msg, sig), Status::Success);
  EXPECT_EQ(verify_message(pub, rsa_pkcs1v15(kSha1), flip(msg, 3), sig), Status::PsaErrorInvalidSignature);
  // PKCS#1 v1.5 signing is deterministic: the private key reproduces it.
  const StoredKey pair = must_imp(make_key(rsa_pair_type(), 0, sign_alg(rsa_pkcs1v15(kSha1)), kSignVerify),
                                  kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE));
  EXPECT_EQ(kat::hex(ok_str(sign_message(pair, rsa_pkcs1v15(kSha1), msg))), kat::kPkcs1SignSignature);

  const StoredKey pss = must_imp(make_key(rsa_public_type(), 0, sign_alg(rsa_pss(kSha1)), kVerifyHash),
                                 kat::rsa_public_der(kat::kPssN, kat::kPssE));
  const std::string pss_msg = unhex(kat::kPssMessage);
  const std::string pss_sig = unhex(kat::kPssSignature);
  EXPECT_EQ(verify_hash(pss, rsa_pss(kSha1), sha(kSha1, pss_msg), pss_sig), Status::Success);
  EXPECT_EQ(verify_message(pss, rsa_pss(kSha1), pss_msg, pss_sig), Status::Success);
  EXPECT_EQ(verify_message(pss, rsa_pss(kSha1), pss_msg, flip(pss_sig, 100)), Status::PsaErrorInvalidSignature);
}

struct SchemeCase {
  const char* name;
  SignAlg alg;
  Hash hash;  // of the input for the raw schemes
  RsaPadding padding;
};

TEST_F(OpsSign, EveryRsaSchemeSignsForOpenSsl) {
  EvpPkey ossl = ossl_generate_rsa(2048);
  ASSERT_TRUE(ossl);
  const std::string der = str(ossl_private_encoding(ossl.get(), 0));
  const SchemeCase cases[] = {
      {"pkcs1v15-sha256", rsa_pkcs1v15(kSha256), kSha256, RsaPadding::Pkcs1v15},
      {"pkcs1v15-sha512", rsa_pkcs1v15(kSha512), kSha512, RsaPadding::Pkcs1v15},
      {"pss-sha256", rsa_pss(kSha256), kSha256, RsaPadding::Pss},
      {"pss-sha384", rsa_pss(kSha384), kSha384, RsaPadding::Pss},
  };
  for (const SchemeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const StoredKey k = must_imp(make_key(rsa_pair_type(), 2048, sign_alg(c.alg), kSignVerify), der);
    const std::string d = sha(c.hash, c.name);
    const std::string by_hash = ok_str(sign_hash(k, c.alg, d));
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(c.hash), bytes(d), bytes(by_hash), c.padding));
    const std::string by_message = ok_str(sign_message(k, c.alg, c.name));
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(c.hash), bytes(d), bytes(by_message), c.padding));
    EXPECT_EQ(verify_message(k, c.alg, c.name, by_hash), Status::Success);
    EXPECT_EQ(verify_hash(k, c.alg, d, by_message), Status::Success);
    EXPECT_EQ(verify_hash(k, c.alg, d, flip(by_message, 7)), Status::PsaErrorInvalidSignature);
    // A value at or above the modulus is a bad signature too, not a bad argument.
    EXPECT_EQ(verify_hash(k, c.alg, d, std::string(by_hash.size(), '\xff')), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(verify_message(k, c.alg, c.name, std::string(by_hash.size(), '\xff')), Status::PsaErrorInvalidSignature);
    // Every single-bit change of the signature is refused as a bad signature.
    for (size_t at = 0; at < by_hash.size(); at += 17) {
      EXPECT_EQ(verify_hash(k, c.alg, d, flip(by_hash, at, 0x80)), Status::PsaErrorInvalidSignature) << at;
    }
    const Bytes openssl_sig = ossl_sign(ossl.get(), md_of(c.hash), bytes(d), c.padding);
    EXPECT_EQ(verify_message(k, c.alg, c.name, str(openssl_sig)), Status::Success);
  }

  // Raw PKCS#1 v1.5: the caller supplies DigestInfo || hash; the signature is
  // the one the hashed scheme makes, and OpenSSL verifies the raw input.
  const std::string digest_info = unhex("3031300d060960864801650304020105000420") + sha(kSha256, "raw");
  const StoredKey raw = must_imp(make_key(rsa_pair_type(), 0, sign_alg(rsa_pkcs1v15_raw()), kSignVerify), der);
  const std::string raw_sig = ok_str(sign_hash(raw, rsa_pkcs1v15_raw(), digest_info));
  EXPECT_TRUE(ossl_verify_raw_pkcs1(ossl.get(), bytes(digest_info), bytes(raw_sig)));
  EXPECT_TRUE(ossl_verify(ossl.get(), "SHA256", digest("SHA256", "raw"), bytes(raw_sig), RsaPadding::Pkcs1v15));
  EXPECT_EQ(verify_hash(raw, rsa_pkcs1v15_raw(), digest_info, raw_sig), Status::Success);
  EXPECT_EQ(verify_hash(raw, rsa_pkcs1v15_raw(), flip(digest_info, 30), raw_sig), Status::PsaErrorInvalidSignature);
  // Any input up to k - 11 bytes.
  const std::string short_input = "not a DigestInfo";
  const std::string short_sig = ok_str(sign_hash(raw, rsa_pkcs1v15_raw(), short_input));
  EXPECT_TRUE(ossl_verify_raw_pkcs1(ossl.get(), bytes(short_input), bytes(short_sig)));
}

TEST_F(OpsSign, EveryEcdsaSchemeSignsForOpenSsl) {
  EvpPkey ossl = ossl_generate_named("EC", "P-384");
  ASSERT_TRUE(ossl);
  const std::string scalar = str(ossl_private_encoding(ossl.get(), 384));
  const SchemeCase cases[] = {
      {"ecdsa-sha384", ecdsa(kSha384), kSha384, RsaPadding::None},
      {"ecdsa-sha256", ecdsa(kSha256), kSha256, RsaPadding::None},
      {"det-ecdsa-sha384", deterministic_ecdsa(kSha384), kSha384, RsaPadding::None},
      {"det-ecdsa-sha512", deterministic_ecdsa(kSha512), kSha512, RsaPadding::None},
  };
  for (const SchemeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const StoredKey k = must_imp(make_key(ecc_pair_type(kSecpR1), 384, sign_alg(c.alg), kSignVerify), scalar);
    const std::string d = sha(c.hash, c.name);
    const std::string by_hash = ok_str(sign_hash(k, c.alg, d));
    EXPECT_EQ(by_hash.size(), 96u);
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(c.hash), bytes(d), bytes(by_hash), RsaPadding::None));
    const std::string by_message = ok_str(sign_message(k, c.alg, c.name));
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(c.hash), bytes(d), bytes(by_message), RsaPadding::None));
    EXPECT_EQ(verify_message(k, c.alg, c.name, by_hash), Status::Success);
    EXPECT_EQ(verify_message(k, c.alg, c.name, flip(by_hash, 60)), Status::PsaErrorInvalidSignature);
    const Bytes openssl_sig = ossl_sign(ossl.get(), md_of(c.hash), bytes(d), RsaPadding::None, 384);
    EXPECT_EQ(verify_hash(k, c.alg, d, str(openssl_sig)), Status::Success);
  }
  // ECDSA-any signs whatever digest it is given (truncated to the curve size).
  const StoredKey any = must_imp(make_key(ecc_pair_type(kSecpR1), 384, sign_alg(ecdsa_any()), kSignVerify), scalar);
  for (Hash h : {kSha256, kSha384, kSha512}) {
    const std::string d = sha(h, "ecdsa any");
    const std::string sig = ok_str(sign_hash(any, ecdsa_any(), d));
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(h), bytes(d), bytes(sig), RsaPadding::None)) << md_of(h);
    EXPECT_EQ(verify_hash(any, ecdsa_any(), d, sig), Status::Success);
    EXPECT_EQ(verify_hash(any, ecdsa_any(), flip(d, 0), sig), Status::PsaErrorInvalidSignature);
  }
}

TEST_F(OpsSign, RawSchemesHaveNoMessageForm) {
  const StoredKey any = must_gen(make_key(ecc_pair_type(kSecpR1), 256, sign_alg(ecdsa_any()), kSignVerify));
  EXPECT_EQ(sign_message(any, ecdsa_any(), "m").status(), Status::PsaErrorInvalidArgument);
  const std::string sig = ok_str(sign_hash(any, ecdsa_any(), sha(kSha256, "m")));
  EXPECT_EQ(verify_message(any, ecdsa_any(), "m", sig), Status::PsaErrorInvalidArgument);
  const StoredKey raw = must_imp(make_key(rsa_pair_type(), 0, sign_alg(rsa_pkcs1v15_raw()), kSignVerify),
                                 kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE));
  EXPECT_EQ(sign_message(raw, rsa_pkcs1v15_raw(), "m").status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(verify_message(raw, rsa_pkcs1v15_raw(), "m", std::string(128, 'x')), Status::PsaErrorInvalidArgument);
}

TEST_F(OpsSign, SignMessageWithAnyHashPolicyAndHashesBeyondSha2) {
  const StoredKey k =
      must_gen(make_key(ecc_pair_type(kSecpK1), 256, sign_alg(with_any_hash(ecdsa(kSha256))), kSignVerify));
  EvpPkey ossl = ossl_ec_public_named("secp256k1", bytes(ok_str(export_public(k))));
  ASSERT_TRUE(ossl);
  for (Hash h : {kSha224, kSha256, kSha512, kSha1}) {
    const std::string sig = ok_str(sign_message(k, ecdsa(h), "any hash"));
    EXPECT_TRUE(ossl_verify(ossl.get(), md_of(h), digest(md_of(h), "any hash"), bytes(sig), RsaPadding::None))
        << md_of(h);
  }
  const std::string ripemd = ok_str(sign_message(k, ecdsa(kRipemd160), "ripemd"));
  EXPECT_EQ(verify_message(k, ecdsa(kRipemd160), "ripemd", ripemd), Status::Success);
  // SHA-3 is not in Mbed TLS 2.28.
  EXPECT_EQ(sign_message(k, ecdsa(kSha3_256), "sha3").status(), Status::PsaErrorNotSupported);
}

// ---------------------------------------------------------------------------
// Asymmetric encryption
// ---------------------------------------------------------------------------

using OpsRsaCrypt = OpsTest;

TEST_F(OpsRsaCrypt, DecryptsPublishedCiphertexts) {
  const std::string der = kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE);
  const StoredKey v15 = must_imp(make_key(rsa_pair_type(), 1024, pkcs1v15_crypt(), kCrypt), der);
  EXPECT_EQ(kat::hex(ok_str(decrypt(v15, pkcs1v15_crypt(), unhex(kat::kPkcs1EncCiphertext)))), kat::kEncMessage);
  const StoredKey oaep1 = must_imp(make_key(rsa_pair_type(), 1024, oaep(kSha1), kCrypt), der);
  EXPECT_EQ(kat::hex(ok_str(decrypt(oaep1, oaep(kSha1), unhex(kat::kOaepSha1Ciphertext)))), kat::kEncMessage);
}

TEST_F(OpsRsaCrypt, OpenSslAndProviderEncryptForEachOther) {
  EvpPkey ossl = ossl_generate_rsa(2048);
  ASSERT_TRUE(ossl);
  const std::string der = str(ossl_private_encoding(ossl.get(), 0));
  const std::string public_der = str(ossl_public_encoding(ossl.get()));
  const std::string secret = "a secret of some length";
  struct Case {
    Algorithm alg;
    const char* md;
    std::string label;
  };
  const Case cases[] = {
      {pkcs1v15_crypt(), nullptr, ""},      {oaep(kSha256), "SHA256", ""},
      {oaep(kSha256), "SHA256", "a label"}, {oaep(kSha384), "SHA384", "another label"},
      {oaep(kSha1), "SHA1", "sha-1 label"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(describe(c.alg) + " label=" + c.label);
    const StoredKey pair = must_imp(make_key(rsa_pair_type(), 2048, c.alg, kCrypt), der);
    const StoredKey pub = must_imp(make_key(rsa_public_type(), 0, c.alg, kEncrypt), public_der);
    // OpenSSL encrypts, the provider decrypts.
    const Bytes theirs = ossl_rsa_encrypt(ossl.get(), c.md, bytes(c.label), bytes(secret));
    ASSERT_EQ(theirs.size(), 256u);
    EXPECT_EQ(ok_str(decrypt(pair, c.alg, str(theirs), c.label)), secret);
    // The provider encrypts (with the pair and with the public key alone),
    // OpenSSL decrypts.
    for (const StoredKey* k : {&pair, &pub}) {
      const std::string ours = ok_str(encrypt(*k, c.alg, secret, c.label));
      ASSERT_EQ(ours.size(), 256u);
      EXPECT_EQ(str(ossl_rsa_decrypt(ossl.get(), c.md, bytes(c.label), bytes(ours))), secret);
      EXPECT_EQ(ok_str(decrypt(pair, c.alg, ours, c.label)), secret);
    }
    // Encryption is randomized.
    EXPECT_NE(ok_str(encrypt(pub, c.alg, secret, c.label)), ok_str(encrypt(pub, c.alg, secret, c.label)));
    // A public key decrypts nothing.
    EXPECT_EQ(decrypt(pub, c.alg, str(theirs), c.label).status(), Status::PsaErrorInvalidArgument);
  }
}

TEST_F(OpsRsaCrypt, EveryDecryptionFailureLooksTheSame) {
  // Upstream issue #619: a wrong padding must not be told apart from any other
  // failed decryption. Two fixed keys make every case deterministic.
  const std::string der = kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE);
  const std::string other_der = kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE);
  EvpPkey pub = ossl_rsa_public_from_der(bytes(kat::rsa_public_der(kat::kEncN, kat::kEncE)));
  ASSERT_TRUE(pub);
  Bytes no_separator(128, 0x5a);  // 00 02, then no zero byte at all
  no_separator[0] = 0x00;
  no_separator[1] = 0x02;
  Bytes wrong_type = no_separator;  // 00 01 ... 00 M: a signature block
  wrong_type[1] = 0x01;
  wrong_type[100] = 0x00;
  const std::string bad_padding = str(ossl_raw_rsa(pub.get(), no_separator));
  const std::string bad_type = str(ossl_raw_rsa(pub.get(), wrong_type));
  ASSERT_EQ(bad_padding.size(), 128u);

  for (const Algorithm& alg : {pkcs1v15_crypt(), oaep(kSha1)}) {
    SCOPED_TRACE(describe(alg));
    const bool v15 = (alg.kind() == psa::AlgorithmKind::RsaPkcs1v15Crypt);
    const std::string good = unhex(v15 ? kat::kPkcs1EncCiphertext : kat::kOaepSha1Ciphertext);
    const StoredKey k = must_imp(make_key(rsa_pair_type(), 0, alg, kCrypt), der);
    const StoredKey other = must_imp(make_key(rsa_pair_type(), 0, alg, kCrypt), other_der);
    ASSERT_EQ(kat::hex(ok_str(decrypt(k, alg, good))), kat::kEncMessage);
    const std::string failures[] = {
        bad_padding,               // well-formed RSA, broken padding
        bad_type,                  // block type 1 where 2 is expected
        flip(good, 64),            // a tampered ciphertext
        good.substr(1),            // one byte short
        good + "x",                // one byte long
        std::string(128, '\xff'),  // not below the modulus
    };
    for (const std::string& c : failures) {
      EXPECT_EQ(decrypt(k, alg, c).status(), Status::PsaErrorInvalidPadding) << kat::hex(c.substr(0, 8));
    }
    // A ciphertext made for another key.
    EXPECT_EQ(decrypt(other, alg, good).status(), Status::PsaErrorInvalidPadding);
    if (!v15) {
      // An OAEP label that does not match.
      EXPECT_EQ(decrypt(k, alg, good, "label").status(), Status::PsaErrorInvalidPadding);
    }
  }
}

TEST_F(OpsRsaCrypt, PlaintextTooLongForTheKey) {
  const StoredKey pub =
      must_imp(make_key(rsa_public_type(), 0, oaep(kSha256), kEncrypt), kat::rsa_public_der(kat::kEncN, kat::kEncE));
  // 1024-bit key, OAEP-SHA-256: at most 128 - 2*32 - 2 = 62 bytes.
  EXPECT_EQ(ok_str(encrypt(pub, oaep(kSha256), std::string(62, 'p'))).size(), 128u);
  EXPECT_EQ(encrypt(pub, oaep(kSha256), std::string(63, 'p')).status(), Status::PsaErrorInvalidArgument);
  const StoredKey v15 =
      must_imp(make_key(rsa_public_type(), 0, pkcs1v15_crypt(), kEncrypt), kat::rsa_public_der(kat::kEncN, kat::kEncE));
  EXPECT_EQ(ok_str(encrypt(v15, pkcs1v15_crypt(), std::string(117, 'p'))).size(), 128u);
  EXPECT_EQ(encrypt(v15, pkcs1v15_crypt(), std::string(118, 'p')).status(), Status::PsaErrorInvalidArgument);
}

// ---------------------------------------------------------------------------
// AEAD
// ---------------------------------------------------------------------------

using OpsAead = OpsTest;

struct AeadVector {
  const char* name;
  KeyType type;
  Algorithm alg;
  const char* key;
  const char* nonce;
  const char* aad;
  std::string plaintext;
  const char* cipher_tag;
};

std::vector<AeadVector> aead_vectors() {
  return {
      {"GCM test case 2", aes_type(), aead(kGcm), kat::kGcm2Key, kat::kGcm2Iv, "", unhex(kat::kGcm2Plain),
       kat::kGcm2CipherTag},
      {"GCM test case 4", aes_type(), aead(kGcm), kat::kGcm4Key, kat::kGcm4Iv, kat::kGcm4Aad, unhex(kat::kGcm4Plain),
       kat::kGcm4CipherTag},
      {"RFC 3610 #1", aes_type(), aead_short(kCcm, 8), kat::kCcm3610Key, kat::kCcm3610Nonce, kat::kCcm3610Aad,
       unhex(kat::kCcm3610Plain), kat::kCcm3610CipherTag},
      {"SP 800-38C C.1", aes_type(), aead_short(kCcm, 4), kat::kCcm38cKey, kat::kCcm38cNonce, kat::kCcm38cAad,
       unhex(kat::kCcm38cPlain), kat::kCcm38cCipherTag},
      {"RFC 8439 2.8.2", chacha20_type(), aead(kChachaPoly), kat::kChachaPolyKey, kat::kChachaPolyNonce,
       kat::kChachaPolyAad, kat::kChachaPolyPlain, kat::kChachaPolyCipherTag},
  };
}

TEST_F(OpsAead, KnownAnswers) {
  for (const AeadVector& v : aead_vectors()) {
    SCOPED_TRACE(v.name);
    const StoredKey k = must_imp(make_key(v.type, 0, v.alg, kCrypt), unhex(v.key));
    const std::string nonce = unhex(v.nonce);
    const std::string aad = unhex(v.aad);
    const std::string ct = unhex(v.cipher_tag);
    EXPECT_EQ(kat::hex(ok_str(aead_encrypt(k, v.alg, nonce, aad, v.plaintext))), v.cipher_tag);
    EXPECT_EQ(ok_str(aead_decrypt(k, v.alg, nonce, aad, ct)), v.plaintext);
    // Not authentic: tag, ciphertext, associated data or nonce changed.
    EXPECT_EQ(aead_decrypt(k, v.alg, nonce, aad, flip(ct, ct.size() - 1)).status(), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(aead_decrypt(k, v.alg, nonce, aad, flip(ct, 0)).status(), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(aead_decrypt(k, v.alg, nonce, aad + "!", ct).status(), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(aead_decrypt(k, v.alg, flip(nonce, 0), aad, ct).status(), Status::PsaErrorInvalidSignature);
  }
}

TEST_F(OpsAead, OpenSslInteropBothWays) {
  const std::string key = std::string(16, '\x01') + std::string(16, '\x02');
  struct Case {
    const char* openssl;
    KeyType type;
    uint32_t bits;
    Algorithm alg;
    size_t tag;
    size_t nonce;
  };
  const Case cases[] = {
      {"AES-256-GCM", aes_type(), 256, aead(kGcm), 16, 12},
      {"AES-128-GCM", aes_type(), 128, aead_short(kGcm, 12), 12, 12},
      {"AES-128-GCM", aes_type(), 128, aead(kGcm), 16, 16},  // GCM takes other nonce sizes too
      {"AES-256-CCM", aes_type(), 256, aead(kCcm), 16, 13},
      {"AES-192-CCM", aes_type(), 192, aead_short(kCcm, 10), 10, 11},
      {"ChaCha20-Poly1305", chacha20_type(), 256, aead(kChachaPoly), 16, 12},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(describe(c.alg));
    const std::string material = key.substr(0, c.bits / 8);
    const StoredKey k = must_imp(make_key(c.type, c.bits, c.alg, kCrypt), material);
    const std::string nonce(c.nonce, '\x33');
    const std::string aad = "header";
    const std::string plaintext = "attack at dawn, bring snacks";
    const std::string ours = ok_str(aead_encrypt(k, c.alg, nonce, aad, plaintext));
    EXPECT_EQ(ours.size(), plaintext.size() + c.tag);
    std::optional<Bytes> opened =
        ossl_aead_decrypt(c.openssl, bytes(material), bytes(nonce), bytes(aad), bytes(ours), c.tag);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(str(*opened), plaintext);
    const Bytes theirs =
        ossl_aead_encrypt(c.openssl, bytes(material), bytes(nonce), bytes(aad), bytes(plaintext), c.tag);
    ASSERT_FALSE(theirs.empty());
    EXPECT_EQ(str(theirs), ours);
    EXPECT_EQ(ok_str(aead_decrypt(k, c.alg, nonce, aad, str(theirs))), plaintext);
  }
}

TEST_F(OpsAead, InvalidNoncesAndShortCiphertexts) {
  const StoredKey ccm = must_gen(make_key(aes_type(), 128, aead(kCcm), kCrypt));
  EXPECT_EQ(aead_encrypt(ccm, aead(kCcm), std::string(6, 'n'), "", "x").status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(aead_encrypt(ccm, aead(kCcm), std::string(14, 'n'), "", "x").status(), Status::PsaErrorInvalidArgument);
  const StoredKey gcm = must_gen(make_key(aes_type(), 128, aead(kGcm), kCrypt));
  EXPECT_NE(aead_decrypt(gcm, aead(kGcm), std::string(12, 'n'), "", std::string(15, 'c')).status(), Status::Success);
  const StoredKey chacha = must_gen(make_key(chacha20_type(), 256, aead(kChachaPoly), kCrypt));
  EXPECT_NE(aead_encrypt(chacha, aead(kChachaPoly), std::string(8, 'n'), "", "x").status(), Status::Success);
  // The policy's tag length is the only one permitted.
  EXPECT_EQ(aead_encrypt(gcm, aead_short(kGcm, 8), std::string(12, 'n'), "", "x").status(),
            Status::PsaErrorNotPermitted);
}

// ---------------------------------------------------------------------------
// Unauthenticated ciphers
// ---------------------------------------------------------------------------

using OpsCipher = OpsTest;

TEST_F(OpsCipher, DecryptsSp80038aVectors) {
  const std::string key = unhex(kat::kSp80038aKey);
  const std::string iv = unhex(kat::kSp80038aIv);
  const struct {
    Cipher mode;
    std::string input;  // IV || ciphertext
  } cases[] = {
      {psa::Cipher::EcbNoPadding, unhex(kat::kSp80038aEcb)},
      {psa::Cipher::CbcNoPadding, iv + unhex(kat::kSp80038aCbc)},
      {psa::Cipher::Cfb, iv + unhex(kat::kSp80038aCfb)},
      {psa::Cipher::Ofb, iv + unhex(kat::kSp80038aOfb)},
      {psa::Cipher::Ctr, unhex(kat::kSp80038aCtrIv) + unhex(kat::kSp80038aCtr)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.mode);
    const StoredKey k = must_imp(make_key(aes_type(), 128, cipher(c.mode), kCrypt), key);
    EXPECT_EQ(kat::hex(ok_str(cipher_decrypt(k, cipher(c.mode), c.input))), kat::kSp80038aPlain);
  }
  // ChaCha20 as a stream cipher: RFC 8439 A.1 #1 keystream under a zero nonce.
  const StoredKey chacha =
      must_imp(make_key(chacha20_type(), 256, cipher(psa::Cipher::StreamCipher), kCrypt), std::string(32, '\0'));
  EXPECT_EQ(ok_str(cipher_decrypt(chacha, cipher(psa::Cipher::StreamCipher),
                                  std::string(12, '\0') + unhex(kat::kChacha20ZeroKeystream))),
            std::string(64, '\0'));
}

TEST_F(OpsCipher, EncryptsWithARandomIvForOpenSsl) {
  const std::string key256 = std::string(32, '\x5c');
  struct Case {
    Cipher mode;
    KeyType type;
    uint32_t bits;
    const char* openssl;
    size_t iv;
    bool padding;
  };
  const Case cases[] = {
      {psa::Cipher::Ctr, aes_type(), 256, "AES-256-CTR", 16, false},
      {psa::Cipher::Cfb, aes_type(), 128, "AES-128-CFB", 16, false},
      {psa::Cipher::Ofb, aes_type(), 192, "AES-192-OFB", 16, false},
      {psa::Cipher::CbcNoPadding, aes_type(), 256, "AES-256-CBC", 16, false},
      {psa::Cipher::CbcPkcs7, aes_type(), 128, "AES-128-CBC", 16, true},
      {psa::Cipher::EcbNoPadding, aes_type(), 128, "AES-128-ECB", 0, false},
      {psa::Cipher::StreamCipher, chacha20_type(), 256, "ChaCha20", 12, false},
      {psa::Cipher::CbcPkcs7, camellia_type(), 256, "CAMELLIA-256-CBC", 16, true},
      {psa::Cipher::CbcPkcs7, des_type(), 192, "DES-EDE3-CBC", 8, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.openssl);
    const std::string material = key256.substr(0, c.bits / 8);
    const StoredKey k = must_imp(make_key(c.type, c.bits, cipher(c.mode), kCrypt), material);
    const size_t block = (c.type.kind == psa::KeyType::Des) ? 8 : 16;
    const bool whole_blocks = c.mode == psa::Cipher::CbcNoPadding || c.mode == psa::Cipher::EcbNoPadding;
    const std::string plaintext = whole_blocks ? std::string(64, 'b') : "twenty-nine bytes of plaintx";
    const std::string out = ok_str(cipher_encrypt(k, cipher(c.mode), plaintext));
    const size_t body = c.padding ? (plaintext.size() / block + 1) * block : plaintext.size();
    ASSERT_EQ(out.size(), c.iv + body);
    const std::string iv = out.substr(0, c.iv);
    // OpenSSL's ChaCha20 IV is the 32-bit block counter (0 here) || nonce.
    const bool stream = c.mode == psa::Cipher::StreamCipher;
    const std::string ossl_iv = stream ? std::string(4, '\0') + iv : iv;
    EXPECT_EQ(str(ossl_cipher(c.openssl, false, bytes(material), bytes(ossl_iv), bytes(out.substr(c.iv)), c.padding)),
              plaintext);
    EXPECT_EQ(ok_str(cipher_decrypt(k, cipher(c.mode), out)), plaintext);
    if (c.iv != 0) {
      EXPECT_NE(ok_str(cipher_encrypt(k, cipher(c.mode), plaintext)).substr(0, c.iv), iv) << "IV reused";
    }
    // And what OpenSSL encrypts under a chosen IV decrypts here.
    const std::string chosen_iv(c.iv, '\x07');
    const std::string chosen_ossl_iv = stream ? std::string(4, '\0') + chosen_iv : chosen_iv;
    const Bytes theirs =
        ossl_cipher(c.openssl, true, bytes(material), bytes(chosen_ossl_iv), bytes(plaintext), c.padding);
    EXPECT_EQ(ok_str(cipher_decrypt(k, cipher(c.mode), chosen_iv + str(theirs))), plaintext);
  }
}

TEST_F(OpsCipher, PaddingAndLengthErrors) {
  const std::string key(16, '\x21');
  const StoredKey pkcs7 = must_imp(make_key(aes_type(), 128, cipher(psa::Cipher::CbcPkcs7), kCrypt), key);
  // A last block whose padding bytes disagree.
  const std::string iv(16, '\x00');
  Bytes block(16, 0x41);
  block[15] = 0x03;
  block[14] = 0x07;
  const Bytes bad = ossl_cipher("AES-128-CBC", true, bytes(key), bytes(iv), block, false);
  ASSERT_EQ(bad.size(), 16u);
  EXPECT_EQ(cipher_decrypt(pkcs7, cipher(psa::Cipher::CbcPkcs7), iv + str(bad)).status(),
            Status::PsaErrorInvalidPadding);
  EXPECT_EQ(cipher_decrypt(pkcs7, cipher(psa::Cipher::CbcPkcs7), iv + "short").status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(cipher_decrypt(pkcs7, cipher(psa::Cipher::CbcPkcs7), "short iv").status(), Status::PsaErrorInvalidArgument);

  const StoredKey nopad = must_imp(make_key(aes_type(), 128, cipher(psa::Cipher::CbcNoPadding), kCrypt), key);
  EXPECT_EQ(cipher_encrypt(nopad, cipher(psa::Cipher::CbcNoPadding), "17 bytes of input").status(),
            Status::PsaErrorInvalidArgument);
  const StoredKey ecb = must_imp(make_key(aes_type(), 128, cipher(psa::Cipher::EcbNoPadding), kCrypt), key);
  EXPECT_EQ(cipher_encrypt(ecb, cipher(psa::Cipher::EcbNoPadding), "15 bytes input!").status(),
            Status::PsaErrorInvalidArgument);
  // XTS is not implemented by Mbed TLS 2.28's PSA core.
  const StoredKey xts = must_imp(make_key(aes_type(), 256, cipher(psa::Cipher::Xts), kCrypt), std::string(32, 'x'));
  EXPECT_EQ(cipher_encrypt(xts, cipher(psa::Cipher::Xts), std::string(32, 'p')).status(), Status::PsaErrorNotSupported);
}

// ---------------------------------------------------------------------------
// MAC
// ---------------------------------------------------------------------------

using OpsMac = OpsTest;

TEST_F(OpsMac, HmacAndCmacKnownAnswers) {
  struct Case {
    const char* name;
    KeyType type;
    Algorithm alg;
    const char* key;
    std::string input;
    const char* mac;
  };
  const Case cases[] = {
      {"RFC 4231 #1 SHA-256", hmac_type(), hmac(kSha256), kat::kHmacCase1Key, kat::kHmacCase1Data,
       kat::kHmacSha256Case1},
      {"RFC 4231 #1 SHA-512", hmac_type(), hmac(kSha512), kat::kHmacCase1Key, kat::kHmacCase1Data,
       kat::kHmacSha512Case1},
      {"RFC 4231 #2 SHA-256", hmac_type(), hmac(kSha256), kat::kHmacCase2Key, kat::kHmacCase2Data,
       kat::kHmacSha256Case2},
      {"RFC 4231 #5 truncated", hmac_type(), hmac_truncated(kSha256, 16), kat::kHmacCase5Key, kat::kHmacCase5Data,
       kat::kHmacSha256Case5Truncated128},
      {"RFC 4493 #1", aes_type(), cmac(), kat::kCmacKey, "", kat::kCmacEmpty},
      {"RFC 4493 #2", aes_type(), cmac(), kat::kCmacKey, unhex(kat::kCmacMessage2), kat::kCmacExample2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const StoredKey k = must_imp(make_key(c.type, 0, c.alg, kSignMessage | kVerifyMessage), unhex(c.key));
    EXPECT_EQ(kat::hex(ok_str(mac_compute(k, c.alg, c.input))), c.mac);
    const std::string mac = unhex(c.mac);
    EXPECT_EQ(mac_verify(k, c.alg, c.input, mac), Status::Success);
    EXPECT_EQ(mac_verify(k, c.alg, c.input, flip(mac, mac.size() - 1)), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(mac_verify(k, c.alg, c.input + "x", mac), Status::PsaErrorInvalidSignature);
    EXPECT_EQ(mac_verify(k, c.alg, c.input, mac.substr(1)), Status::PsaErrorInvalidSignature);
  }
}

TEST_F(OpsMac, HmacMatchesOpenSslForEveryHash) {
  const std::string key = "a fairly long HMAC key, longer than nothing";
  for (Hash h : {kSha1, kSha224, kSha256, kSha384, kSha512}) {
    const StoredKey k = must_imp(make_key(hmac_type(), 0, hmac(h), kSignMessage | kVerifyMessage), key);
    EXPECT_EQ(ok_str(mac_compute(k, hmac(h), "data")), str(ossl_hmac(md_of(h), bytes(key), bytes("data")))) << md_of(h);
  }
  const StoredKey md5 = must_imp(make_key(hmac_type(), 0, hmac(kMd5), kSignMessage), key);
  EXPECT_EQ(ok_str(mac_compute(md5, hmac(kMd5), "data")), str(ossl_hmac("MD5", bytes(key), bytes("data"))));
}

TEST_F(OpsMac, UnsupportedMacs) {
  const StoredKey cbc = must_gen(make_key(aes_type(), 128, cbc_mac(), kSignMessage));
  EXPECT_EQ(mac_compute(cbc, cbc_mac(), std::string(32, 'x')).status(), Status::PsaErrorNotSupported);
  const StoredKey sha3 = must_gen(make_key(hmac_type(), 256, hmac(kSha3_256), kSignMessage));
  EXPECT_EQ(mac_compute(sha3, hmac(kSha3_256), "x").status(), Status::PsaErrorNotSupported);
  // A truncation longer than the MAC.
  const StoredKey longer = must_gen(make_key(hmac_type(), 256, hmac_truncated(kSha256, 33), kSignMessage));
  EXPECT_EQ(mac_compute(longer, hmac_truncated(kSha256, 33), "x").status(), Status::PsaErrorInvalidArgument);
}

// ---------------------------------------------------------------------------
// Key agreement
// ---------------------------------------------------------------------------

using OpsAgree = OpsTest;

TEST_F(OpsAgree, KnownAnswers) {
  const StoredKey p256 = must_imp(make_key(ecc_pair_type(kSecpR1), 256, ecdh(), kDerive), unhex(kat::kRfc5903Private));
  EXPECT_EQ(kat::hex(ok_str(agree(p256, ecdh(), unhex(kat::kRfc5903PeerPublic)))), kat::kRfc5903Shared);
  const StoredKey x25519 =
      must_imp(make_key(ecc_pair_type(kMontgomery), 255, ecdh(), kDerive), unhex(kat::kX25519AlicePrivate));
  EXPECT_EQ(kat::hex(ok_str(agree(x25519, ecdh(), unhex(kat::kX25519BobPublic)))), kat::kX25519Shared);
}

TEST_F(OpsAgree, SharedSecretsMatchOpenSsl) {
  for (const auto& [family, bits, type, group] :
       {std::tuple{kSecpR1, 256u, "EC", "P-256"}, std::tuple{kSecpR1, 384u, "EC", "P-384"},
        std::tuple{kMontgomery, 255u, "X25519", static_cast<const char*>(nullptr)}}) {
    SCOPED_TRACE(bits);
    const StoredKey ours = must_gen(make_key(ecc_pair_type(family), bits, ecdh(), kDerive));
    EvpPkey theirs = ossl_generate_named(type, group);
    ASSERT_TRUE(theirs);
    const bool x25519 = family == kMontgomery;
    const std::string their_pub =
        x25519 ? str(ossl_x25519_raw_public(theirs.get())) : str(ossl_public_encoding(theirs.get()));
    const std::string secret = ok_str(agree(ours, ecdh(), their_pub));
    EXPECT_EQ(secret.size(), x25519 ? 32u : (bits + 7) / 8);
    const std::string our_pub = ok_str(export_public(ours));
    EvpPkey our_pub_ossl = x25519 ? ossl_x25519_public(bytes(our_pub)) : ossl_ec_public_named(group, bytes(our_pub));
    ASSERT_TRUE(our_pub_ossl);
    EXPECT_EQ(str(ossl_derive(theirs.get(), our_pub_ossl.get())), secret);
  }
}

TEST_F(OpsAgree, InvalidPeersAndUnsupportedAgreements) {
  const StoredKey p256 = must_gen(make_key(ecc_pair_type(kSecpR1), 256, ecdh(), kDerive));
  std::string off_curve = unhex(kat::kRfc5903PeerPublic);
  off_curve[64] ^= 0x01;
  EXPECT_EQ(agree(p256, ecdh(), off_curve).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(agree(p256, ecdh(), unhex(kat::kRfc5903PeerPublic).substr(0, 33)).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(agree(p256, ecdh(), unhex(kat::kX25519BobPublic)).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(agree(p256, ffdh(), std::string(256, '\x02')).status(), Status::PsaErrorNotSupported);
  // A key whose policy chains a derivation cannot agree raw.
  const StoredKey chained = must_gen(make_key(ecc_pair_type(kSecpR1), 256, ecdh_hkdf(kSha256), kDerive));
  EXPECT_EQ(agree(chained, ecdh(), unhex(kat::kRfc5903PeerPublic)).status(), Status::PsaErrorNotPermitted);
}

// ---------------------------------------------------------------------------
// Hashes and random
// ---------------------------------------------------------------------------

using OpsHash = OpsTest;

TEST_F(OpsHash, KnownAnswersOfAbc) {
  const std::pair<Hash, const char*> cases[] = {
      {kMd5, kat::kMd5Abc},       {kRipemd160, kat::kRipemd160Abc}, {kSha1, kat::kSha1Abc},
      {kSha224, kat::kSha224Abc}, {kSha256, kat::kSha256Abc},       {kSha384, kat::kSha384Abc},
      {kSha512, kat::kSha512Abc},
  };
  for (const auto& [h, want] : cases) {
    EXPECT_EQ(kat::hex(ok_str(hash(h, kat::kAbc))), want) << h;
    EXPECT_EQ(hash_compare(h, kat::kAbc, unhex(want)), Status::Success) << h;
    EXPECT_EQ(hash_compare(h, "abd", unhex(want)), Status::PsaErrorInvalidSignature) << h;
    EXPECT_EQ(hash_compare(h, kat::kAbc, unhex(want).substr(1)), Status::PsaErrorInvalidSignature) << h;
  }
  EXPECT_EQ(kat::hex(ok_str(hash(kSha256, ""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(OpsHash, HashesMbedTls228LacksAreNotSupported) {
  EXPECT_EQ(hash(kSha3_256, kat::kAbc).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(hash_compare(kSha3_256, kat::kAbc, unhex(kat::kSha3_256Abc)), Status::PsaErrorNotSupported);
  EXPECT_EQ(hash(kSha512_256, kat::kAbc).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(hash(psa::Hash::None, kat::kAbc).status(), Status::PsaErrorInvalidArgument);
}

TEST_F(OpsHash, LargeInput) {
  const std::string big(1 << 20, 'a');
  EXPECT_EQ(ok_str(hash(kSha256, big)), sha(kSha256, big));
}

// ---------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------

TEST_F(OpsTest, OpcodesAreExactlyWhatIsServed) {
  const std::vector<Opcode> ops = provider_->opcodes();
  const std::set<Opcode> listed(ops.begin(), ops.end());
  EXPECT_EQ(listed.size(), ops.size());
  const std::set<Opcode> want = {
      Opcode::PsaGenerateKey,   Opcode::PsaDestroyKey,      Opcode::PsaSignHash,          Opcode::PsaVerifyHash,
      Opcode::PsaImportKey,     Opcode::PsaExportPublicKey, Opcode::PsaAsymmetricEncrypt, Opcode::PsaAsymmetricDecrypt,
      Opcode::PsaExportKey,     Opcode::PsaGenerateRandom,  Opcode::PsaHashCompute,       Opcode::PsaHashCompare,
      Opcode::PsaAeadEncrypt,   Opcode::PsaAeadDecrypt,     Opcode::PsaRawKeyAgreement,   Opcode::PsaCipherEncrypt,
      Opcode::PsaCipherDecrypt, Opcode::PsaMacCompute,      Opcode::PsaMacVerify,         Opcode::PsaSignMessage,
      Opcode::PsaVerifyMessage, Opcode::CanDoCrypto};
  EXPECT_EQ(listed, want);
  // Not served: the TPM-only attestation pair, still the interface default.
  EXPECT_EQ(provider_->attest_key(StoredKey{}, psa::op::AttestKey{}).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(provider_->prepare_key_attestation(StoredKey{}, psa::op::PrepareKeyAttestation{}).status(),
            Status::PsaErrorNotSupported);
}

}  // namespace
}  // namespace parsec::provider::test
