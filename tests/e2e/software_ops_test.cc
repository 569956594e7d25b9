// Every crypto operation of the software provider (provider 1) on the daemon
// path: raw protobuf over the socket to a real parsecd. Published test
// vectors (sources named in providers/mbed/tests/known_answers.h), OpenSSL
// in both directions, and at least one check of every status each operation
// answers. Every ciphertext is decrypted and every signature verified.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "../../providers/mbed/tests/known_answers.h"
#include "list_opcodes.pb.h"
#include "tests/e2e/proto_client.h"

namespace parsec::e2e {
namespace {

using kat::unhex;
using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;
using psa_key_attributes::KeyType;
using Sig = Algorithm::AsymmetricSignature;
using Enc = Algorithm::AsymmetricEncryption;

// ---- attribute builders ----------------------------------------------------------

enum Usage : unsigned {
  kExport = 1u << 0,
  kEncrypt = 1u << 1,
  kDecrypt = 1u << 2,
  kSignHash = 1u << 3,
  kVerifyHash = 1u << 4,
  kSignMessage = 1u << 5,
  kVerifyMessage = 1u << 6,
  kDerive = 1u << 7,
  kCrypt = kEncrypt | kDecrypt,
  kSign = kSignHash | kVerifyHash,
  kMac = kSignMessage | kVerifyMessage,
};

KeyAttributes attrs(const KeyType& type, uint32_t bits, const Algorithm& policy, unsigned usage) {
  KeyAttributes a;
  *a.mutable_key_type() = type;
  a.set_key_bits(bits);
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->set_export_((usage & kExport) != 0);
  f->set_encrypt((usage & kEncrypt) != 0);
  f->set_decrypt((usage & kDecrypt) != 0);
  f->set_sign_hash((usage & kSignHash) != 0);
  f->set_verify_hash((usage & kVerifyHash) != 0);
  f->set_sign_message((usage & kSignMessage) != 0);
  f->set_verify_message((usage & kVerifyMessage) != 0);
  f->set_derive((usage & kDerive) != 0);
  *a.mutable_key_policy()->mutable_key_algorithm() = policy;
  return a;
}

KeyType type_aes() {
  KeyType t;
  t.mutable_aes();
  return t;
}
KeyType type_chacha20() {
  KeyType t;
  t.mutable_chacha20();
  return t;
}
KeyType type_hmac() {
  KeyType t;
  t.mutable_hmac();
  return t;
}
KeyType type_raw() {
  KeyType t;
  t.mutable_raw_data();
  return t;
}
KeyType type_derive() {
  KeyType t;
  t.mutable_derive();
  return t;
}
KeyType type_des() {
  KeyType t;
  t.mutable_des();
  return t;
}
KeyType type_rsa_pair() {
  KeyType t;
  t.mutable_rsa_key_pair();
  return t;
}
KeyType type_rsa_public() {
  KeyType t;
  t.mutable_rsa_public_key();
  return t;
}
KeyType type_ecc_pair(psa_key_attributes::KeyType::EccFamily f) {
  KeyType t;
  t.mutable_ecc_key_pair()->set_curve_family(f);
  return t;
}
KeyType type_ecc_public(psa_key_attributes::KeyType::EccFamily f) {
  KeyType t;
  t.mutable_ecc_public_key()->set_curve_family(f);
  return t;
}
KeyType type_dh_pair() {
  KeyType t;
  t.mutable_dh_key_pair();  // RFC 7919 is the zero value
  return t;
}

constexpr auto kSecpR1 = psa_key_attributes::KeyType::SECP_R1;
constexpr auto kSecpK1 = psa_key_attributes::KeyType::SECP_K1;
constexpr auto kMontgomery = psa_key_attributes::KeyType::MONTGOMERY;

Algorithm alg_none() {
  Algorithm a;
  a.mutable_none();
  return a;
}
Algorithm alg_sig(const Sig& s) {
  Algorithm a;
  *a.mutable_asymmetric_signature() = s;
  return a;
}
Sig sig_det_ecdsa(Algorithm::Hash h) {
  Sig s;
  s.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(h);
  return s;
}
Sig sig_ecdsa_any() {
  Sig s;
  s.mutable_ecdsa_any();
  return s;
}
Sig sig_rsa_raw() {
  Sig s;
  s.mutable_rsa_pkcs1v15_sign_raw();
  return s;
}
Enc enc_oaep(Algorithm::Hash h) {
  Enc e;
  e.mutable_rsa_oaep()->set_hash_alg(h);
  return e;
}
Enc enc_pkcs1() {
  Enc e;
  e.mutable_rsa_pkcs1v15_crypt();
  return e;
}
Algorithm alg_enc(const Enc& e) {
  Algorithm a;
  *a.mutable_asymmetric_encryption() = e;
  return a;
}
Algorithm::Aead aead_default(Algorithm::Aead::AeadWithDefaultLengthTag base) {
  Algorithm::Aead a;
  a.set_aead_with_default_length_tag(base);
  return a;
}
Algorithm::Aead aead_shortened(Algorithm::Aead::AeadWithDefaultLengthTag base, uint32_t tag) {
  Algorithm::Aead a;
  a.mutable_aead_with_shortened_tag()->set_aead_alg(base);
  a.mutable_aead_with_shortened_tag()->set_tag_length(tag);
  return a;
}
Algorithm alg_aead(const Algorithm::Aead& x) {
  Algorithm a;
  *a.mutable_aead() = x;
  return a;
}
Algorithm alg_cipher(Algorithm::Cipher c) {
  Algorithm a;
  a.set_cipher(c);
  return a;
}
Algorithm::Mac mac_hmac(Algorithm::Hash h) {
  Algorithm::Mac m;
  m.mutable_full_length()->mutable_hmac()->set_hash_alg(h);
  return m;
}
Algorithm::Mac mac_hmac_truncated(Algorithm::Hash h, uint32_t length) {
  Algorithm::Mac m;
  m.mutable_truncated()->mutable_mac_alg()->mutable_hmac()->set_hash_alg(h);
  m.mutable_truncated()->set_mac_length(length);
  return m;
}
Algorithm::Mac mac_cmac() {
  Algorithm::Mac m;
  m.mutable_full_length()->mutable_cmac();
  return m;
}
Algorithm::Mac mac_cbc() {
  Algorithm::Mac m;
  m.mutable_full_length()->mutable_cbc_mac();
  return m;
}
Algorithm alg_mac(const Algorithm::Mac& m) {
  Algorithm a;
  *a.mutable_mac() = m;
  return a;
}
Algorithm alg_ecdh() {
  Algorithm a;
  a.mutable_key_agreement()->set_raw(Algorithm::KeyAgreement::ECDH);
  return a;
}
Algorithm alg_hkdf(Algorithm::Hash h) {
  Algorithm a;
  a.mutable_key_derivation()->mutable_hkdf()->set_hash_alg(h);
  return a;
}

// ---- OpenSSL ------------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* u8(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Pkey rsa_public_from_der(const std::string& der) {
  const unsigned char* p = u8(der);
  return Pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
}

std::string private_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PrivateKey(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

std::string public_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PublicKey(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string ec_point(EVP_PKEY* key) {
  unsigned char buf[200];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof buf, &len);
  return std::string(reinterpret_cast<char*>(buf), len);
}

std::string ec_scalar(EVP_PKEY* key, size_t bytes) {
  BIGNUM* priv = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv);
  std::string out(bytes, '\0');
  BN_bn2binpad(priv, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes));
  BN_clear_free(priv);
  return out;
}

Pkey ec_public(const char* group, const std::string& point) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  std::string g = group;
  std::string pub = point;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, g.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) <= 0 || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return Pkey(key);
}

std::string derive(EVP_PKEY* own, EVP_PKEY* peer) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(own, nullptr));
  size_t len = 0;
  if (EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0) {
    return {};
  }
  std::string out(len, '\0');
  EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bool configure_rsa_crypt(EVP_PKEY_CTX* ctx, const char* oaep_md, const std::string& label) {
  if (oaep_md == nullptr) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
  }
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_get_digestbyname(oaep_md)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_get_digestbyname(oaep_md)) <= 0) {
    return false;
  }
  if (!label.empty()) {
    void* copy = OPENSSL_memdup(label.data(), label.size());  // owned by ctx
    return EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, static_cast<int>(label.size())) > 0;
  }
  return true;
}

std::string rsa_encrypt(EVP_PKEY* key, const char* oaep_md, const std::string& label, const std::string& pt) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  if (EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !configure_rsa_crypt(ctx.get(), oaep_md, label) ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, u8(pt), pt.size()) <= 0) {
    return {};
  }
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(pt), pt.size()) <= 0) {
    return {};
  }
  out.resize(len);
  return out;
}

std::optional<std::string> rsa_decrypt(EVP_PKEY* key, const char* oaep_md, const std::string& label,
                                       const std::string& ct) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  if (EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !configure_rsa_crypt(ctx.get(), oaep_md, label) ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len, u8(ct), ct.size()) <= 0) {
    return std::nullopt;
  }
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(ct), ct.size()) <= 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// raw_rsa is block^e mod n: a ciphertext with whatever padding we like.
std::string raw_rsa(EVP_PKEY* key, const std::string& block) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  if (EVP_PKEY_encrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) <= 0 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, u8(block), block.size()) <= 0) {
    return {};
  }
  std::string out(len, '\0');
  EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(block), block.size());
  return out;
}

// verify_ecdsa checks a PSA (r || s) signature over `digest` with OpenSSL.
bool verify_ecdsa(EVP_PKEY* key, const std::string& digest, const std::string& raw_sig) {
  const int half = static_cast<int>(raw_sig.size() / 2);
  ECDSA_SIG* es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(u8(raw_sig), half, nullptr), BN_bin2bn(u8(raw_sig) + half, half, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  const bool ok = EVP_PKEY_verify_init(ctx.get()) > 0 &&
                  EVP_PKEY_verify(ctx.get(), der, static_cast<size_t>(der_len), u8(digest), digest.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

bool verify_raw_pkcs1(EVP_PKEY* key, const std::string& input, const std::string& sig) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  return EVP_PKEY_verify_init(ctx.get()) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) > 0 &&
         EVP_PKEY_verify(ctx.get(), u8(sig), sig.size(), u8(input), input.size()) == 1;
}

// aead_seal / aead_open: "AES-256-GCM" or "ChaCha20-Poly1305", 16-byte tag
// appended.
std::string aead_seal(const char* name, const std::string& key, const std::string& nonce, const std::string& aad,
                      const std::string& pt) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  std::string out(pt.size() + 16, '\0');
  int len = 0;
  int fin = 0;
  const bool ok =
      EVP_EncryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
      EVP_EncryptInit_ex2(ctx.get(), nullptr, u8(key), u8(nonce), nullptr) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(pt),
                        static_cast<int>(pt.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, out.data() + pt.size()) == 1;
  EVP_CIPHER_free(cipher);
  return ok ? out : std::string();
}

std::optional<std::string> aead_open(const char* name, const std::string& key, const std::string& nonce,
                                     const std::string& aad, const std::string& ct_tag) {
  if (ct_tag.size() < 16) {
    return std::nullopt;
  }
  const std::string ct = ct_tag.substr(0, ct_tag.size() - 16);
  std::string tag = ct_tag.substr(ct_tag.size() - 16);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  std::string out(ct.size() + 16, '\0');
  int len = 0;
  int fin = 0;
  const bool ok =
      EVP_DecryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
      EVP_DecryptInit_ex2(ctx.get(), nullptr, u8(key), u8(nonce), nullptr) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(ct),
                        static_cast<int>(ct.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) == 1;
  EVP_CIPHER_free(cipher);
  if (!ok) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

// cipher_run is one OpenSSL pass of an unauthenticated cipher.
std::string cipher_run(const char* name, bool encrypt, const std::string& key, const std::string& iv,
                       const std::string& in, bool padding) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  std::string out(in.size() + 32, '\0');
  int len = 0;
  int fin = 0;
  const bool ok =
      EVP_CipherInit_ex2(ctx.get(), cipher, u8(key), iv.empty() ? nullptr : u8(iv), encrypt ? 1 : 0, nullptr) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx.get(), padding ? 1 : 0) == 1 &&
      EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(in),
                       static_cast<int>(in.size())) == 1 &&
      EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) == 1;
  EVP_CIPHER_free(cipher);
  if (!ok) {
    return {};
  }
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

std::string flip(std::string s, size_t at) {
  s.at(at) = static_cast<char>(s.at(at) ^ 0x01);
  return s;
}

// ---- the fixture ------------------------------------------------------------------

DaemonOptions debug_options() {
  DaemonOptions o;
  o.log_level = "debug";  // the most the daemon ever logs: secrets must still not appear
  return o;
}

class SoftwareOps : public ::testing::Test {
 protected:
  SoftwareOps() : d_(debug_options()) {}
  void SetUp() override { d_.start(); }
  void TearDown() override { EXPECT_EQ(d_.stop(SIGTERM), 0); }
  App app(const std::string& name = "alice") const { return App{d_.socket_path(), name}; }

  // expect_not_logged checks that neither `secret` nor its hex form appears in
  // the daemon's log.
  void expect_not_logged(const std::string& secret) {
    const std::string log = d_.log();
    EXPECT_EQ(log.find(secret), std::string::npos);
    EXPECT_EQ(log.find(kat::hex(secret)), std::string::npos);
  }

  Daemon d_;
};

// ---------------------------------------------------------------------------

TEST_F(SoftwareOps, HashKnownAnswersAndStatuses) {
  App a = app();
  const std::pair<Algorithm::Hash, const char*> cases[] = {
      {Algorithm::SHA_256, kat::kSha256Abc}, {Algorithm::SHA_512, kat::kSha512Abc},
      {Algorithm::SHA_384, kat::kSha384Abc}, {Algorithm::SHA_224, kat::kSha224Abc},
      {Algorithm::SHA_1, kat::kSha1Abc},     {Algorithm::RIPEMD160, kat::kRipemd160Abc},
      {Algorithm::MD5, kat::kMd5Abc},
  };
  for (const auto& [h, want] : cases) {
    Call c = hash_compute(a, h, kat::kAbc);
    ASSERT_EQ(c.status, Status::Success) << h;
    EXPECT_EQ(kat::hex(c.body), want);
    EXPECT_EQ(hash_compare(a, h, kat::kAbc, unhex(want)).status, Status::Success);
    EXPECT_EQ(hash_compare(a, h, "abd", unhex(want)).status, Status::PsaErrorInvalidSignature);
  }
  // No identity needed.
  App anonymous{d_.socket_path(), "", 1, AuthType::NoAuth};
  EXPECT_EQ(kat::hex(hash_compute(anonymous, Algorithm::SHA_256, kat::kAbc).body), kat::kSha256Abc);
  // SHA-3 is not in Mbed TLS 2.28; HASH_NONE breaks the contract.
  EXPECT_EQ(hash_compute(a, Algorithm::SHA3_256, kat::kAbc).status, Status::PsaErrorNotSupported);
  EXPECT_EQ(hash_compare(a, Algorithm::SHA3_256, kat::kAbc, unhex(kat::kSha3_256Abc)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(hash_compute(a, Algorithm::HASH_NONE, kat::kAbc).status, Status::InvalidEncoding);
}

TEST_F(SoftwareOps, MacKnownAnswersOnTheUnlistedOpcodes) {
  App a = app();
  ASSERT_EQ(
      a.import("hmac", attrs(type_hmac(), 0, alg_mac(mac_hmac(Algorithm::SHA_256)), kMac), unhex(kat::kHmacCase1Key))
          .status,
      Status::Success);
  Call mac = mac_compute(a, "hmac", mac_hmac(Algorithm::SHA_256), kat::kHmacCase1Data);
  ASSERT_EQ(mac.status, Status::Success);
  EXPECT_EQ(kat::hex(mac.body), kat::kHmacSha256Case1);
  EXPECT_EQ(mac_verify(a, "hmac", mac_hmac(Algorithm::SHA_256), kat::kHmacCase1Data, mac.body).status, Status::Success);
  EXPECT_EQ(mac_verify(a, "hmac", mac_hmac(Algorithm::SHA_256), kat::kHmacCase1Data, flip(mac.body, 31)).status,
            Status::PsaErrorInvalidSignature);
  // Policy: another hash is not permitted.
  EXPECT_EQ(mac_compute(a, "hmac", mac_hmac(Algorithm::SHA_512), "x").status, Status::PsaErrorNotPermitted);

  const auto truncated = mac_hmac_truncated(Algorithm::SHA_256, 16);
  ASSERT_EQ(a.import("hmac5", attrs(type_hmac(), 0, alg_mac(truncated), kMac), unhex(kat::kHmacCase5Key)).status,
            Status::Success);
  EXPECT_EQ(kat::hex(mac_compute(a, "hmac5", truncated, kat::kHmacCase5Data).body), kat::kHmacSha256Case5Truncated128);

  ASSERT_EQ(a.import("cmac", attrs(type_aes(), 128, alg_mac(mac_cmac()), kMac), unhex(kat::kCmacKey)).status,
            Status::Success);
  Call cmac = mac_compute(a, "cmac", mac_cmac(), unhex(kat::kCmacMessage2));
  EXPECT_EQ(kat::hex(cmac.body), kat::kCmacExample2);
  EXPECT_EQ(mac_verify(a, "cmac", mac_cmac(), unhex(kat::kCmacMessage2), cmac.body).status, Status::Success);
  EXPECT_EQ(mac_verify(a, "cmac", mac_cmac(), "", cmac.body).status, Status::PsaErrorInvalidSignature);

  // Flags: a verify-only key computes nothing.
  ASSERT_EQ(a.import("verify-only", attrs(type_hmac(), 0, alg_mac(mac_hmac(Algorithm::SHA_256)), kVerifyMessage),
                     unhex(kat::kHmacCase1Key))
                .status,
            Status::Success);
  EXPECT_EQ(mac_compute(a, "verify-only", mac_hmac(Algorithm::SHA_256), "x").status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(
      mac_verify(a, "verify-only", mac_hmac(Algorithm::SHA_256), kat::kHmacCase1Data, unhex(kat::kHmacSha256Case1))
          .status,
      Status::Success);
  // CBC-MAC is not implemented by Mbed TLS 2.28's PSA core.
  ASSERT_EQ(a.generate("cbc-mac", attrs(type_aes(), 128, alg_mac(mac_cbc()), kMac)).status, Status::Success);
  EXPECT_EQ(mac_compute(a, "cbc-mac", mac_cbc(), std::string(16, 'x')).status, Status::PsaErrorNotSupported);
  EXPECT_EQ(mac_compute(a, "no-such-key", mac_cbc(), "x").status, Status::PsaErrorDoesNotExist);
}

TEST_F(SoftwareOps, ListOpcodesIsWhatIsServedWithoutTheMacPair) {
  Call c = opcodes_of(d_.socket_path(), 1);
  ASSERT_EQ(c.status, Status::Success);
  list_opcodes::Result r;
  ASSERT_TRUE(r.ParseFromString(c.body));
  const std::set<uint32_t> listed(r.opcodes().begin(), r.opcodes().end());
  const std::set<uint32_t> want = {0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x0C, 0x0D,
                                   0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x18, 0x19, 0x20};
  EXPECT_EQ(listed, want);
}

TEST_F(SoftwareOps, AeadKnownAnswersAndStatuses) {
  App a = app();
  struct Vector {
    const char* name;
    KeyType type;
    Algorithm::Aead alg;
    const char* key;
    const char* nonce;
    const char* aad;
    std::string plaintext;
    const char* cipher_tag;
  };
  const Vector vectors[] = {
      {"gcm", type_aes(), aead_default(Algorithm::Aead::GCM), kat::kGcm4Key, kat::kGcm4Iv, kat::kGcm4Aad,
       unhex(kat::kGcm4Plain), kat::kGcm4CipherTag},
      {"ccm", type_aes(), aead_shortened(Algorithm::Aead::CCM, 8), kat::kCcm3610Key, kat::kCcm3610Nonce,
       kat::kCcm3610Aad, unhex(kat::kCcm3610Plain), kat::kCcm3610CipherTag},
      {"ccm-4", type_aes(), aead_shortened(Algorithm::Aead::CCM, 4), kat::kCcm38cKey, kat::kCcm38cNonce,
       kat::kCcm38cAad, unhex(kat::kCcm38cPlain), kat::kCcm38cCipherTag},
      {"chachapoly", type_chacha20(), aead_default(Algorithm::Aead::CHACHA20_POLY1305), kat::kChachaPolyKey,
       kat::kChachaPolyNonce, kat::kChachaPolyAad, kat::kChachaPolyPlain, kat::kChachaPolyCipherTag},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.name);
    ASSERT_EQ(a.import(v.name, attrs(v.type, 0, alg_aead(v.alg), kCrypt), unhex(v.key)).status, Status::Success);
    const std::string nonce = unhex(v.nonce);
    const std::string aad = unhex(v.aad);
    Call enc = aead_encrypt(a, v.name, v.alg, nonce, aad, v.plaintext);
    ASSERT_EQ(enc.status, Status::Success);
    EXPECT_EQ(kat::hex(enc.body), v.cipher_tag);
    Call dec = aead_decrypt(a, v.name, v.alg, nonce, aad, unhex(v.cipher_tag));
    ASSERT_EQ(dec.status, Status::Success);
    EXPECT_EQ(dec.body, v.plaintext);
    // A tampered tag, ciphertext or associated data is not authentic.
    const std::string ct = unhex(v.cipher_tag);
    EXPECT_EQ(aead_decrypt(a, v.name, v.alg, nonce, aad, flip(ct, ct.size() - 1)).status,
              Status::PsaErrorInvalidSignature);
    EXPECT_EQ(aead_decrypt(a, v.name, v.alg, nonce, aad, flip(ct, 0)).status, Status::PsaErrorInvalidSignature);
    EXPECT_EQ(aead_decrypt(a, v.name, v.alg, nonce, aad + "x", ct).status, Status::PsaErrorInvalidSignature);
    // Empty nonce, plaintext or ciphertext.
    EXPECT_EQ(aead_encrypt(a, v.name, v.alg, "", aad, v.plaintext).status, Status::PsaErrorInvalidArgument);
    EXPECT_EQ(aead_encrypt(a, v.name, v.alg, nonce, aad, "").status, Status::PsaErrorInvalidArgument);
    EXPECT_EQ(aead_decrypt(a, v.name, v.alg, nonce, aad, "").status, Status::PsaErrorInvalidArgument);
    expect_not_logged(v.plaintext);
  }
  // Policy: another tag length, another AEAD, another key type.
  EXPECT_EQ(aead_encrypt(a, "gcm", aead_shortened(Algorithm::Aead::GCM, 12), "123456789012", "", "p").status,
            Status::PsaErrorNotPermitted);
  EXPECT_EQ(aead_encrypt(a, "gcm", aead_default(Algorithm::Aead::CCM), "123456789012", "", "p").status,
            Status::PsaErrorNotPermitted);
  ASSERT_EQ(
      a.import("aes-chacha", attrs(type_aes(), 0, alg_aead(aead_default(Algorithm::Aead::CHACHA20_POLY1305)), kCrypt),
               std::string(32, 'k'))
          .status,
      Status::Success);
  EXPECT_EQ(
      aead_encrypt(a, "aes-chacha", aead_default(Algorithm::Aead::CHACHA20_POLY1305), "123456789012", "", "p").status,
      Status::PsaErrorNotPermitted);
  // Flags.
  ASSERT_EQ(
      a.generate("decrypt-only", attrs(type_aes(), 128, alg_aead(aead_default(Algorithm::Aead::GCM)), kDecrypt)).status,
      Status::Success);
  EXPECT_EQ(aead_encrypt(a, "decrypt-only", aead_default(Algorithm::Aead::GCM), "123456789012", "", "p").status,
            Status::PsaErrorNotPermitted);
  // ChaCha20-Poly1305 with a shortened tag: PSA 2.28 has none.
  const auto short_chacha = aead_shortened(Algorithm::Aead::CHACHA20_POLY1305, 8);
  ASSERT_EQ(a.generate("chacha-8", attrs(type_chacha20(), 256, alg_aead(short_chacha), kCrypt)).status,
            Status::Success);
  EXPECT_EQ(aead_encrypt(a, "chacha-8", short_chacha, "123456789012", "", "p").status, Status::PsaErrorNotSupported);
}

TEST_F(SoftwareOps, AeadInteropWithOpenSsl) {
  App a = app();
  const std::string nonce = "unique nonce";  // 12 bytes
  const std::string aad = "associated";
  const std::string plaintext = "the daemon and OpenSSL agree on every byte";
  for (const auto& [name, type, base, openssl] :
       {std::tuple{"aes-gcm", type_aes(), Algorithm::Aead::GCM, "AES-256-GCM"},
        std::tuple{"chachapoly", type_chacha20(), Algorithm::Aead::CHACHA20_POLY1305, "ChaCha20-Poly1305"}}) {
    SCOPED_TRACE(name);
    const auto alg = aead_default(base);
    // Generated by the daemon, exported for OpenSSL.
    ASSERT_EQ(a.generate(name, attrs(type, 256, alg_aead(alg), kCrypt | kExport)).status, Status::Success);
    Call key = export_key(a, name);
    ASSERT_EQ(key.status, Status::Success);
    ASSERT_EQ(key.body.size(), 32u);
    Call ours = aead_encrypt(a, name, alg, nonce, aad, plaintext);
    ASSERT_EQ(ours.status, Status::Success);
    std::optional<std::string> opened = aead_open(openssl, key.body, nonce, aad, ours.body);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, plaintext);
    const std::string theirs = aead_seal(openssl, key.body, nonce, aad, plaintext);
    ASSERT_FALSE(theirs.empty());
    EXPECT_EQ(theirs, ours.body);
    Call dec = aead_decrypt(a, name, alg, nonce, aad, theirs);
    ASSERT_EQ(dec.status, Status::Success);
    EXPECT_EQ(dec.body, plaintext);
    // And OpenSSL's ciphertext under a key it chose, imported.
    const std::string their_key(32, '\x6b');
    const std::string imported = std::string(name) + "-imported";
    ASSERT_EQ(a.import(imported, attrs(type, 0, alg_aead(alg), kDecrypt), their_key).status, Status::Success);
    Call dec2 = aead_decrypt(a, imported, alg, nonce, aad, aead_seal(openssl, their_key, nonce, aad, plaintext));
    ASSERT_EQ(dec2.status, Status::Success);
    EXPECT_EQ(dec2.body, plaintext);
  }
}

TEST_F(SoftwareOps, CipherKnownAnswersInteropAndStatuses) {
  App a = app();
  const std::string key = unhex(kat::kSp80038aKey);
  const std::string iv = unhex(kat::kSp80038aIv);
  const struct {
    const char* name;
    Algorithm::Cipher mode;
    std::string input;
  } vectors[] = {
      {"cbc", Algorithm::CBC_NO_PADDING, iv + unhex(kat::kSp80038aCbc)},
      {"ctr", Algorithm::CTR, unhex(kat::kSp80038aCtrIv) + unhex(kat::kSp80038aCtr)},
      {"ecb", Algorithm::ECB_NO_PADDING, unhex(kat::kSp80038aEcb)},
      {"cfb", Algorithm::CFB, iv + unhex(kat::kSp80038aCfb)},
      {"ofb", Algorithm::OFB, iv + unhex(kat::kSp80038aOfb)},
  };
  for (const auto& v : vectors) {
    ASSERT_EQ(a.import(v.name, attrs(type_aes(), 128, alg_cipher(v.mode), kCrypt), key).status, Status::Success);
    Call dec = cipher_decrypt(a, v.name, v.mode, v.input);
    ASSERT_EQ(dec.status, Status::Success) << v.name;
    EXPECT_EQ(kat::hex(dec.body), kat::kSp80038aPlain) << v.name;
  }

  // The daemon encrypts with a fresh IV; OpenSSL decrypts, and the reverse.
  const std::string plaintext = "a message that is not a whole number of blocks";
  ASSERT_EQ(a.import("pkcs7", attrs(type_aes(), 0, alg_cipher(Algorithm::CBC_PKCS7), kCrypt), key).status,
            Status::Success);
  Call enc = cipher_encrypt(a, "pkcs7", Algorithm::CBC_PKCS7, plaintext);
  ASSERT_EQ(enc.status, Status::Success);
  ASSERT_EQ(enc.body.size(), 16u + 48u);
  EXPECT_EQ(cipher_run("AES-128-CBC", false, key, enc.body.substr(0, 16), enc.body.substr(16), true), plaintext);
  Call again = cipher_encrypt(a, "pkcs7", Algorithm::CBC_PKCS7, plaintext);
  EXPECT_NE(again.body.substr(0, 16), enc.body.substr(0, 16));  // a new IV each time
  const std::string their_iv(16, '\x44');
  Call dec = cipher_decrypt(a, "pkcs7", Algorithm::CBC_PKCS7,
                            their_iv + cipher_run("AES-128-CBC", true, key, their_iv, plaintext, true));
  ASSERT_EQ(dec.status, Status::Success);
  EXPECT_EQ(dec.body, plaintext);

  // ChaCha20 as a stream cipher: 12-byte nonce, counter from 0 (OpenSSL's
  // 16-byte IV is counter || nonce).
  const std::string chacha_key(32, '\x29');
  ASSERT_EQ(
      a.import("chacha", attrs(type_chacha20(), 256, alg_cipher(Algorithm::STREAM_CIPHER), kCrypt), chacha_key).status,
      Status::Success);
  Call stream = cipher_encrypt(a, "chacha", Algorithm::STREAM_CIPHER, plaintext);
  ASSERT_EQ(stream.status, Status::Success);
  ASSERT_EQ(stream.body.size(), 12u + plaintext.size());
  EXPECT_EQ(cipher_run("ChaCha20", false, chacha_key, std::string(4, '\0') + stream.body.substr(0, 12),
                       stream.body.substr(12), false),
            plaintext);
  EXPECT_EQ(cipher_decrypt(a, "chacha", Algorithm::STREAM_CIPHER, stream.body).body, plaintext);

  // Statuses: bad padding, a partial block, empty input, policy, flags, XTS.
  std::string block(16, 'A');
  block[15] = 0x05;  // claims 5 bytes of padding that are not 0x05
  EXPECT_EQ(cipher_decrypt(a, "pkcs7", Algorithm::CBC_PKCS7,
                           their_iv + cipher_run("AES-128-CBC", true, key, their_iv, block, false))
                .status,
            Status::PsaErrorInvalidPadding);
  EXPECT_EQ(cipher_encrypt(a, "cbc", Algorithm::CBC_NO_PADDING, "not 16 bytes").status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(cipher_encrypt(a, "pkcs7", Algorithm::CBC_PKCS7, "").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(cipher_decrypt(a, "pkcs7", Algorithm::CBC_PKCS7, "").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(cipher_encrypt(a, "pkcs7", Algorithm::CTR, plaintext).status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(cipher_encrypt(a, "chacha", Algorithm::CTR, plaintext).status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(cipher_encrypt(a, "pkcs7", Algorithm::CIPHER_NONE, plaintext).status, Status::InvalidEncoding);
  ASSERT_EQ(a.generate("xts", attrs(type_aes(), 256, alg_cipher(Algorithm::XTS), kCrypt)).status, Status::Success);
  EXPECT_EQ(cipher_encrypt(a, "xts", Algorithm::XTS, std::string(32, 'x')).status, Status::PsaErrorNotSupported);
  ASSERT_EQ(a.generate("enc-only", attrs(type_aes(), 128, alg_cipher(Algorithm::CTR), kEncrypt)).status,
            Status::Success);
  Call ctr = cipher_encrypt(a, "enc-only", Algorithm::CTR, plaintext);
  ASSERT_EQ(ctr.status, Status::Success);
  EXPECT_EQ(cipher_decrypt(a, "enc-only", Algorithm::CTR, ctr.body).status, Status::PsaErrorNotPermitted);
  expect_not_logged(plaintext);
}

TEST_F(SoftwareOps, EcdsaKnownAnswers) {
  App a = app();
  ASSERT_EQ(a.import("p256", attrs(type_ecc_pair(kSecpR1), 256, alg_sig(sig_det_ecdsa(Algorithm::SHA_256)), kSign),
                     unhex(kat::kRfc6979P256Private))
                .status,
            Status::Success);
  Call pub = a.export_public("p256");
  EXPECT_EQ(kat::hex(pub.body), kat::kRfc6979P256Public);
  Call sig = a.sign_hash("p256", sig_det_ecdsa(Algorithm::SHA_256), sha(256, kat::kSample));
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_EQ(kat::hex(sig.body), kat::kRfc6979P256Sha256Sample);
  Call msg_sig = sign_message(a, "p256", sig_det_ecdsa(Algorithm::SHA_256), kat::kTest);
  ASSERT_EQ(msg_sig.status, Status::Success);
  EXPECT_EQ(kat::hex(msg_sig.body), kat::kRfc6979P256Sha256Test);

  ASSERT_EQ(a.import("p521", attrs(type_ecc_pair(kSecpR1), 521, alg_sig(sig_det_ecdsa(Algorithm::SHA_512)), kSign),
                     unhex(kat::kRfc6979P521Private))
                .status,
            Status::Success);
  EXPECT_EQ(kat::hex(sign_message(a, "p521", sig_det_ecdsa(Algorithm::SHA_512), kat::kSample).body),
            kat::kRfc6979P521Sha512Sample);

  // A known signature verifies under the known public key (randomized-ECDSA
  // policy: RFC 6979 signatures are plain ECDSA signatures).
  ASSERT_EQ(a.import("pub", attrs(type_ecc_public(kSecpR1), 0, alg_sig(ecdsa(Algorithm::SHA_256)), kVerifyHash),
                     unhex(kat::kRfc6979P256Public))
                .status,
            Status::Success);
  const std::string known = unhex(kat::kRfc6979P256Sha256Sample);
  EXPECT_EQ(a.verify_hash("pub", ecdsa(Algorithm::SHA_256), sha(256, kat::kSample), known).status, Status::Success);
  EXPECT_EQ(verify_message(a, "pub", ecdsa(Algorithm::SHA_256), kat::kSample, known).status, Status::Success);
  EXPECT_EQ(verify_message(a, "pub", ecdsa(Algorithm::SHA_256), kat::kTest, known).status,
            Status::PsaErrorInvalidSignature);
  EXPECT_EQ(verify_message(a, "pub", ecdsa(Algorithm::SHA_256), kat::kSample, flip(known, 5)).status,
            Status::PsaErrorInvalidSignature);
  // The public key signs nothing: no sign flag.
  EXPECT_EQ(sign_message(a, "pub", ecdsa(Algorithm::SHA_256), "m").status, Status::PsaErrorNotPermitted);
}

TEST_F(SoftwareOps, RsaKnownAnswers) {
  App a = app();
  // Importing keys with SHA-1 policies is allowed (a warning in the log);
  // generating them is not (DeprecatedPrimitive).
  ASSERT_EQ(a.import("pkcs1-pub", attrs(type_rsa_public(), 1024, alg_sig(rsa_pkcs1(Algorithm::SHA_1)), kVerifyHash),
                     kat::rsa_public_der(kat::kPkcs1SignN, kat::kPkcs1SignE))
                .status,
            Status::Success);
  const std::string msg = unhex(kat::kPkcs1SignMessage);
  const std::string signature = unhex(kat::kPkcs1SignSignature);
  EXPECT_EQ(verify_message(a, "pkcs1-pub", rsa_pkcs1(Algorithm::SHA_1), msg, signature).status, Status::Success);
  EXPECT_EQ(verify_message(a, "pkcs1-pub", rsa_pkcs1(Algorithm::SHA_1), flip(msg, 0), signature).status,
            Status::PsaErrorInvalidSignature);
  ASSERT_EQ(a.import("pkcs1", attrs(type_rsa_pair(), 0, alg_sig(rsa_pkcs1(Algorithm::SHA_1)), kSign),
                     kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE))
                .status,
            Status::Success);
  EXPECT_EQ(kat::hex(sign_message(a, "pkcs1", rsa_pkcs1(Algorithm::SHA_1), msg).body), kat::kPkcs1SignSignature);

  ASSERT_EQ(a.import("pss-pub", attrs(type_rsa_public(), 0, alg_sig(rsa_pss(Algorithm::SHA_1)), kVerifyHash),
                     kat::rsa_public_der(kat::kPssN, kat::kPssE))
                .status,
            Status::Success);
  EXPECT_EQ(verify_message(a, "pss-pub", rsa_pss(Algorithm::SHA_1), unhex(kat::kPssMessage), unhex(kat::kPssSignature))
                .status,
            Status::Success);
  EXPECT_EQ(verify_message(a, "pss-pub", rsa_pss(Algorithm::SHA_1), unhex(kat::kPssMessage),
                           flip(unhex(kat::kPssSignature), 64))
                .status,
            Status::PsaErrorInvalidSignature);

  const std::string der = kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE);
  ASSERT_EQ(a.import("v15", attrs(type_rsa_pair(), 1024, alg_enc(enc_pkcs1()), kDecrypt), der).status, Status::Success);
  EXPECT_EQ(kat::hex(asymmetric_decrypt(a, "v15", enc_pkcs1(), unhex(kat::kPkcs1EncCiphertext)).body),
            kat::kEncMessage);
  ASSERT_EQ(a.import("oaep", attrs(type_rsa_pair(), 1024, alg_enc(enc_oaep(Algorithm::SHA_1)), kDecrypt), der).status,
            Status::Success);
  EXPECT_EQ(kat::hex(asymmetric_decrypt(a, "oaep", enc_oaep(Algorithm::SHA_1), unhex(kat::kOaepSha1Ciphertext)).body),
            kat::kEncMessage);
  expect_not_logged(unhex(kat::kEncMessage));
}

TEST_F(SoftwareOps, DaemonSignaturesVerifyWithOpenSsl) {
  App a = app();
  // ECDSA on P-256 / P-384 / P-521 (generated by the daemon), each scheme.
  for (const auto& [bits, hash, hbits] :
       {std::tuple{256u, Algorithm::SHA_256, 256}, std::tuple{384u, Algorithm::SHA_384, 384},
        std::tuple{521u, Algorithm::SHA_512, 512}}) {
    for (const Sig& s : {ecdsa(hash), sig_det_ecdsa(hash)}) {
      const std::string name = "ec-" + std::to_string(bits) + (s.has_ecdsa() ? "" : "-det");
      ASSERT_EQ(a.generate(name, attrs(type_ecc_pair(kSecpR1), bits, alg_sig(s), kSign)).status, Status::Success);
      const std::string point = a.export_public(name).body;
      const std::string d = sha(hbits, name);
      Call by_hash = a.sign_hash(name, s, d);
      ASSERT_EQ(by_hash.status, Status::Success) << name;
      EXPECT_TRUE(openssl_verify_ecdsa(point, static_cast<int>(bits), d, by_hash.body)) << name;
      Call by_message = sign_message(a, name, s, name);
      ASSERT_EQ(by_message.status, Status::Success) << name;
      EXPECT_TRUE(openssl_verify_ecdsa(point, static_cast<int>(bits), d, by_message.body)) << name;
      EXPECT_FALSE(openssl_verify_ecdsa(point, static_cast<int>(bits), sha(hbits, "other"), by_message.body));
      EXPECT_EQ(verify_message(a, name, s, name, by_hash.body).status, Status::Success);
    }
  }
  // ECDSA-any signs a caller's digest as it is.
  ASSERT_EQ(a.generate("any", attrs(type_ecc_pair(kSecpR1), 256, alg_sig(sig_ecdsa_any()), kSign)).status,
            Status::Success);
  const std::string any_digest = sha(256, "any");
  Call any_sig = a.sign_hash("any", sig_ecdsa_any(), any_digest);
  ASSERT_EQ(any_sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(a.export_public("any").body, 256, any_digest, any_sig.body));
  // The raw schemes have no message form.
  EXPECT_EQ(sign_message(a, "any", sig_ecdsa_any(), "m").status, Status::PsaErrorInvalidArgument);

  // secp256k1 with a generated key.
  ASSERT_EQ(a.generate("k1", attrs(type_ecc_pair(kSecpK1), 256, alg_sig(ecdsa(Algorithm::SHA_256)), kSign)).status,
            Status::Success);
  Pkey k1 = ec_public("secp256k1", a.export_public("k1").body);
  ASSERT_TRUE(k1);
  Call k1_sig = sign_message(a, "k1", ecdsa(Algorithm::SHA_256), "koblitz");
  ASSERT_EQ(k1_sig.status, Status::Success);
  EXPECT_TRUE(verify_ecdsa(k1.get(), sha(256, "koblitz"), k1_sig.body));
  EXPECT_FALSE(verify_ecdsa(k1.get(), sha(256, "koblitz!"), k1_sig.body));
  EXPECT_EQ(verify_message(a, "k1", ecdsa(Algorithm::SHA_256), "koblitz", k1_sig.body).status, Status::Success);

  // RSA: one OpenSSL key pair imported under each scheme (a 2.28 key permits
  // one algorithm), plus one RSA key generated by the daemon.
  Pkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  ASSERT_TRUE(rsa);
  const std::string der = private_der(rsa.get());
  const std::string pub_der = public_der(rsa.get());
  for (const auto& [name, s, pss] : {std::tuple{"pkcs1", rsa_pkcs1(Algorithm::SHA_256), false},
                                     std::tuple{"pss", rsa_pss(Algorithm::SHA_256), true}}) {
    ASSERT_EQ(a.import(name, attrs(type_rsa_pair(), 2048, alg_sig(s), kSign), der).status, Status::Success);
    const std::string d = sha(256, name);
    Call by_hash = a.sign_hash(name, s, d);
    ASSERT_EQ(by_hash.status, Status::Success);
    EXPECT_TRUE(openssl_verify_rsa(pub_der, d, by_hash.body, pss, 256)) << name;
    Call by_message = sign_message(a, name, s, name);
    ASSERT_EQ(by_message.status, Status::Success);
    EXPECT_TRUE(openssl_verify_rsa(pub_der, d, by_message.body, pss, 256)) << name;
    EXPECT_FALSE(openssl_verify_rsa(pub_der, sha(256, "other"), by_message.body, pss, 256));
  }
  ASSERT_EQ(a.import("raw", attrs(type_rsa_pair(), 0, alg_sig(sig_rsa_raw()), kSign), der).status, Status::Success);
  const std::string digest_info = unhex("3031300d060960864801650304020105000420") + sha(256, "raw");
  Call raw = a.sign_hash("raw", sig_rsa_raw(), digest_info);
  ASSERT_EQ(raw.status, Status::Success);
  EXPECT_TRUE(verify_raw_pkcs1(rsa.get(), digest_info, raw.body));
  EXPECT_TRUE(openssl_verify_rsa(pub_der, sha(256, "raw"), raw.body, false, 256));
  EXPECT_EQ(sign_message(a, "raw", sig_rsa_raw(), "m").status, Status::PsaErrorInvalidArgument);

  ASSERT_EQ(a.generate("rsa-gen", attrs(type_rsa_pair(), 1024, alg_sig(rsa_pss(Algorithm::SHA_384)), kSign)).status,
            Status::Success);
  Call gen_sig = sign_message(a, "rsa-gen", rsa_pss(Algorithm::SHA_384), "generated");
  ASSERT_EQ(gen_sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_rsa(a.export_public("rsa-gen").body, sha(384, "generated"), gen_sig.body, true, 384));

  // Statuses of the message operations: flags, policy, tampering.
  ASSERT_EQ(
      a.generate("verify-only", attrs(type_ecc_pair(kSecpR1), 256, alg_sig(ecdsa(Algorithm::SHA_256)), kVerifyMessage))
          .status,
      Status::Success);
  EXPECT_EQ(sign_message(a, "verify-only", ecdsa(Algorithm::SHA_256), "m").status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(sign_message(a, "pkcs1", rsa_pss(Algorithm::SHA_256), "m").status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(verify_message(a, "pss", rsa_pss(Algorithm::SHA_256), "pss", std::string(256, 'x')).status,
            Status::PsaErrorInvalidSignature);
  EXPECT_EQ(sign_message(a, "missing", rsa_pss(Algorithm::SHA_256), "m").status, Status::PsaErrorDoesNotExist);
}

TEST_F(SoftwareOps, RsaEncryptionInteropWithOpenSsl) {
  App a = app();
  Pkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  ASSERT_TRUE(rsa);
  const std::string der = private_der(rsa.get());
  const std::string secret = "session key material, 32 bytes!";
  for (const auto& [name, enc, md, label] :
       {std::tuple{"oaep-label", enc_oaep(Algorithm::SHA_256), "SHA256", std::string("label for OAEP")},
        std::tuple{"oaep", enc_oaep(Algorithm::SHA_384), "SHA384", std::string()},
        std::tuple{"pkcs1", enc_pkcs1(), static_cast<const char*>(nullptr), std::string()}}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(a.import(name, attrs(type_rsa_pair(), 2048, alg_enc(enc), kCrypt), der).status, Status::Success);
    // OpenSSL encrypts (with the salt as OAEP label), the daemon decrypts.
    const std::string theirs = rsa_encrypt(rsa.get(), md, label, secret);
    ASSERT_EQ(theirs.size(), 256u);
    Call dec = asymmetric_decrypt(a, name, enc, theirs, label);
    ASSERT_EQ(dec.status, Status::Success);
    EXPECT_EQ(dec.body, secret);
    // The daemon encrypts, OpenSSL decrypts.
    Call ours = asymmetric_encrypt(a, name, enc, secret, label);
    ASSERT_EQ(ours.status, Status::Success);
    std::optional<std::string> opened = rsa_decrypt(rsa.get(), md, label, ours.body);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, secret);
  }
  // A public key alone encrypts for OpenSSL.
  ASSERT_EQ(a.import("pub", attrs(type_rsa_public(), 0, alg_enc(enc_oaep(Algorithm::SHA_256)), kEncrypt),
                     public_der(rsa.get()))
                .status,
            Status::Success);
  Call from_pub = asymmetric_encrypt(a, "pub", enc_oaep(Algorithm::SHA_256), secret);
  ASSERT_EQ(from_pub.status, Status::Success);
  EXPECT_EQ(rsa_decrypt(rsa.get(), "SHA256", "", from_pub.body).value_or(""), secret);

  // Statuses: empty input, a salt with PKCS#1 v1.5, flags, policy, key type.
  EXPECT_EQ(asymmetric_encrypt(a, "oaep", enc_oaep(Algorithm::SHA_384), "").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(asymmetric_decrypt(a, "oaep", enc_oaep(Algorithm::SHA_384), "").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(asymmetric_encrypt(a, "pkcs1", enc_pkcs1(), secret, "salt").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(asymmetric_decrypt(a, "pub", enc_oaep(Algorithm::SHA_256), from_pub.body).status,
            Status::PsaErrorNotPermitted);
  EXPECT_EQ(asymmetric_encrypt(a, "oaep", enc_oaep(Algorithm::SHA_256), secret).status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(asymmetric_encrypt(a, "oaep", enc_pkcs1(), secret).status, Status::PsaErrorNotPermitted);
  ASSERT_EQ(a.generate("ec", attrs(type_ecc_pair(kSecpR1), 256, alg_enc(enc_pkcs1()), kCrypt)).status, Status::Success);
  EXPECT_EQ(asymmetric_encrypt(a, "ec", enc_pkcs1(), secret).status, Status::PsaErrorNotPermitted);
  // Too long for the key.
  EXPECT_EQ(asymmetric_encrypt(a, "pkcs1", enc_pkcs1(), std::string(246, 'x')).status, Status::PsaErrorInvalidArgument);
  expect_not_logged(secret);
}

TEST_F(SoftwareOps, DecryptionFailuresAllLookTheSame) {
  // Upstream issue #619: bad padding and a wrong key (and any other failure
  // of the decryption) answer one status, PsaErrorInvalidPadding.
  App a = app();
  const std::string der = kat::rsa_private_der(kat::kEncP, kat::kEncQ, kat::kEncE);
  const std::string other = kat::rsa_private_der(kat::kPkcs1SignP, kat::kPkcs1SignQ, kat::kPkcs1SignE);
  Pkey pub = rsa_public_from_der(kat::rsa_public_der(kat::kEncN, kat::kEncE));
  ASSERT_TRUE(pub);
  std::string no_separator(128, '\x5a');
  no_separator[0] = 0x00;
  no_separator[1] = 0x02;
  const std::string bad_padding = raw_rsa(pub.get(), no_separator);
  ASSERT_EQ(bad_padding.size(), 128u);
  for (const auto& [name, enc, good] :
       {std::tuple{"v15", enc_pkcs1(), unhex(kat::kPkcs1EncCiphertext)},
        std::tuple{"oaep", enc_oaep(Algorithm::SHA_1), unhex(kat::kOaepSha1Ciphertext)}}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(a.import(name, attrs(type_rsa_pair(), 0, alg_enc(enc), kDecrypt), der).status, Status::Success);
    const std::string wrong = std::string(name) + "-other-key";
    ASSERT_EQ(a.import(wrong, attrs(type_rsa_pair(), 0, alg_enc(enc), kDecrypt), other).status, Status::Success);
    Call ok = asymmetric_decrypt(a, name, enc, good);
    ASSERT_EQ(ok.status, Status::Success);
    EXPECT_EQ(kat::hex(ok.body), kat::kEncMessage);
    EXPECT_EQ(asymmetric_decrypt(a, name, enc, bad_padding).status, Status::PsaErrorInvalidPadding);
    EXPECT_EQ(asymmetric_decrypt(a, wrong, enc, good).status, Status::PsaErrorInvalidPadding);
    EXPECT_EQ(asymmetric_decrypt(a, name, enc, flip(good, 70)).status, Status::PsaErrorInvalidPadding);
    EXPECT_EQ(asymmetric_decrypt(a, name, enc, good.substr(2)).status, Status::PsaErrorInvalidPadding);
    EXPECT_EQ(asymmetric_decrypt(a, name, enc, good + good).status, Status::PsaErrorInvalidPadding);
  }
  EXPECT_EQ(asymmetric_decrypt(a, "oaep", enc_oaep(Algorithm::SHA_1), unhex(kat::kOaepSha1Ciphertext), "label").status,
            Status::PsaErrorInvalidPadding);
}

TEST_F(SoftwareOps, EcdhKnownAnswersAndInterop) {
  App a = app();
  ASSERT_EQ(
      a.import("rfc5903", attrs(type_ecc_pair(kSecpR1), 256, alg_ecdh(), kDerive), unhex(kat::kRfc5903Private)).status,
      Status::Success);
  Call s1 = raw_key_agreement(a, "rfc5903", Algorithm::KeyAgreement::ECDH, unhex(kat::kRfc5903PeerPublic));
  ASSERT_EQ(s1.status, Status::Success);
  EXPECT_EQ(kat::hex(s1.body), kat::kRfc5903Shared);
  ASSERT_EQ(
      a.import("rfc7748", attrs(type_ecc_pair(kMontgomery), 255, alg_ecdh(), kDerive), unhex(kat::kX25519AlicePrivate))
          .status,
      Status::Success);
  EXPECT_EQ(kat::hex(a.export_public("rfc7748").body), kat::kX25519AlicePublic);
  Call s2 = raw_key_agreement(a, "rfc7748", Algorithm::KeyAgreement::ECDH, unhex(kat::kX25519BobPublic));
  ASSERT_EQ(s2.status, Status::Success);
  EXPECT_EQ(kat::hex(s2.body), kat::kX25519Shared);

  // Generated keys: the daemon and OpenSSL compute the same secret.
  ASSERT_EQ(a.generate("p256", attrs(type_ecc_pair(kSecpR1), 256, alg_ecdh(), kDerive)).status, Status::Success);
  Pkey theirs(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  Call ours = raw_key_agreement(a, "p256", Algorithm::KeyAgreement::ECDH, ec_point(theirs.get()));
  ASSERT_EQ(ours.status, Status::Success);
  ASSERT_EQ(ours.body.size(), 32u);
  Pkey our_pub = ec_public("prime256v1", a.export_public("p256").body);
  ASSERT_TRUE(our_pub);
  EXPECT_EQ(derive(theirs.get(), our_pub.get()), ours.body);

  ASSERT_EQ(a.generate("x25519", attrs(type_ecc_pair(kMontgomery), 255, alg_ecdh(), kDerive)).status, Status::Success);
  Pkey their_x(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  unsigned char raw_pub[32];
  size_t raw_len = sizeof raw_pub;
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(their_x.get(), raw_pub, &raw_len), 1);
  Call x = raw_key_agreement(a, "x25519", Algorithm::KeyAgreement::ECDH,
                             std::string(reinterpret_cast<char*>(raw_pub), raw_len));
  ASSERT_EQ(x.status, Status::Success);
  const std::string our_x = a.export_public("x25519").body;
  Pkey our_x_pub(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u8(our_x), our_x.size()));
  ASSERT_TRUE(our_x_pub);
  EXPECT_EQ(derive(their_x.get(), our_x_pub.get()), x.body);
  expect_not_logged(x.body);
  expect_not_logged(ours.body);

  // Statuses: bad peer, flags, policy (FFDH on an ECDH key), no algorithm.
  std::string off_curve = unhex(kat::kRfc5903PeerPublic);
  off_curve[50] ^= 0x01;
  EXPECT_EQ(raw_key_agreement(a, "p256", Algorithm::KeyAgreement::ECDH, off_curve).status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(raw_key_agreement(a, "p256", Algorithm::KeyAgreement::ECDH, "short").status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(raw_key_agreement(a, "p256", Algorithm::KeyAgreement::FFDH, std::string(256, '\x02')).status,
            Status::PsaErrorNotPermitted);
  EXPECT_EQ(raw_key_agreement(a, "p256", Algorithm::KeyAgreement::RAW_NONE, "x").status, Status::InvalidEncoding);
  ASSERT_EQ(a.generate("no-derive", attrs(type_ecc_pair(kSecpR1), 256, alg_ecdh(), kSign)).status, Status::Success);
  EXPECT_EQ(raw_key_agreement(a, "no-derive", Algorithm::KeyAgreement::ECDH, ec_point(theirs.get())).status,
            Status::PsaErrorNotPermitted);
  // Finite-field DH keys cannot be made: Mbed TLS 2.28 has no FFDH.
  KeyAttributes dh;
  dh = attrs(type_dh_pair(), 2048, alg_none(), kDerive);
  dh.mutable_key_policy()->mutable_key_algorithm()->mutable_key_agreement()->set_raw(Algorithm::KeyAgreement::FFDH);
  EXPECT_EQ(a.generate("dh", dh).status, Status::PsaErrorNotSupported);
}

TEST_F(SoftwareOps, KeyTypesAndExportRoundTrips) {
  App a = app();
  // Generation of every served type.
  const std::pair<KeyAttributes, size_t> generated[] = {
      {attrs(type_aes(), 128, alg_aead(aead_default(Algorithm::Aead::GCM)), kExport | kCrypt), 16},
      {attrs(type_aes(), 192, alg_cipher(Algorithm::CTR), kExport | kCrypt), 24},
      {attrs(type_aes(), 256, alg_mac(mac_cmac()), kExport | kMac), 32},
      {attrs(type_chacha20(), 256, alg_cipher(Algorithm::STREAM_CIPHER), kExport | kCrypt), 32},
      {attrs(type_hmac(), 384, alg_mac(mac_hmac(Algorithm::SHA_384)), kExport | kMac), 48},
      {attrs(type_raw(), 160, alg_none(), kExport), 20},
      {attrs(type_derive(), 256, alg_hkdf(Algorithm::SHA_256), kExport | kDerive), 32},
      {attrs(type_ecc_pair(kSecpR1), 521, alg_sig(ecdsa(Algorithm::SHA_512)), kExport | kSign), 66},
      {attrs(type_ecc_pair(kSecpK1), 256, alg_sig(ecdsa(Algorithm::SHA_256)), kExport | kSign), 32},
      {attrs(type_ecc_pair(kMontgomery), 255, alg_ecdh(), kExport | kDerive), 32},
  };
  int i = 0;
  for (const auto& [at, size] : generated) {
    const std::string name = "gen-" + std::to_string(i++);
    ASSERT_EQ(a.generate(name, at).status, Status::Success) << at.ShortDebugString();
    Call material = export_key(a, name);
    ASSERT_EQ(material.status, Status::Success) << at.ShortDebugString();
    EXPECT_EQ(material.body.size(), size) << at.ShortDebugString();
  }
  // Imported keys come back byte for byte.
  Pkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  const std::pair<KeyAttributes, std::string> imported[] = {
      {attrs(type_aes(), 0, alg_aead(aead_default(Algorithm::Aead::GCM)), kExport | kCrypt), unhex(kat::kGcm4Key)},
      {attrs(type_chacha20(), 0, alg_aead(aead_default(Algorithm::Aead::CHACHA20_POLY1305)), kExport | kCrypt),
       unhex(kat::kChachaPolyKey)},
      {attrs(type_hmac(), 0, alg_mac(mac_hmac(Algorithm::SHA_256)), kExport | kMac), "Jefe"},
      {attrs(type_raw(), 0, alg_none(), kExport), std::string("\x00\x01\x02\xff", 4)},
      {attrs(type_ecc_pair(kSecpR1), 0, alg_sig(ecdsa(Algorithm::SHA_384)), kExport | kSign), ec_scalar(ec.get(), 48)},
      {attrs(type_ecc_public(kSecpR1), 0, alg_sig(ecdsa(Algorithm::SHA_384)), kExport | kVerifyHash),
       ec_point(ec.get())},
      {attrs(type_rsa_pair(), 0, alg_sig(rsa_pss(Algorithm::SHA_256)), kExport | kSign), private_der(rsa.get())},
      {attrs(type_rsa_public(), 0, alg_enc(enc_pkcs1()), kExport | kEncrypt), public_der(rsa.get())},
  };
  for (const auto& [at, data] : imported) {
    const std::string name = "imp-" + std::to_string(i++);
    ASSERT_EQ(a.import(name, at, data).status, Status::Success) << at.ShortDebugString();
    Call back = export_key(a, name);
    ASSERT_EQ(back.status, Status::Success);
    EXPECT_EQ(kat::hex(back.body), kat::hex(data)) << at.ShortDebugString();
  }
  expect_not_logged(private_der(rsa.get()));
  expect_not_logged(unhex(kat::kGcm4Key));

  // Statuses of key management.
  const KeyAttributes no_export = attrs(type_aes(), 128, alg_aead(aead_default(Algorithm::Aead::GCM)), kCrypt);
  ASSERT_EQ(a.generate("secret", no_export).status, Status::Success);
  EXPECT_EQ(export_key(a, "secret").status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(export_key(a, "missing").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(a.export_public("secret").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate("secret", no_export).status, Status::PsaErrorAlreadyExists);
  EXPECT_EQ(a.import("secret", no_export, std::string(16, 'k')).status, Status::PsaErrorAlreadyExists);
  EXPECT_EQ(a.generate("aes-100", attrs(type_aes(), 100, alg_none(), kExport)).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate("chacha-128", attrs(type_chacha20(), 128, alg_none(), kExport)).status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.import("short-aes", attrs(type_aes(), 0, alg_none(), kExport), std::string(15, 'k')).status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate("p-512", attrs(type_ecc_pair(kSecpR1), 512, alg_none(), kExport)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("frp", attrs(type_ecc_pair(psa_key_attributes::KeyType::FRP), 256, alg_none(), kExport)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("rsa-3000", attrs(type_rsa_pair(), 3000, alg_none(), kExport)).status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.destroy("secret").status, Status::Success);
  EXPECT_EQ(a.destroy("secret").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(export_key(a, "secret").status, Status::PsaErrorDoesNotExist);
}

TEST_F(SoftwareOps, DeprecatedTemplatesAreRefusedOnGeneration) {
  App a = app();
  EXPECT_EQ(a.generate("des", attrs(type_des(), 192, alg_cipher(Algorithm::CBC_NO_PADDING), kCrypt)).status,
            Status::DeprecatedPrimitive);
  EXPECT_EQ(a.generate("sha1-hmac", attrs(type_hmac(), 256, alg_mac(mac_hmac(Algorithm::SHA_1)), kMac)).status,
            Status::DeprecatedPrimitive);
  EXPECT_EQ(a.generate("sha1-oaep", attrs(type_rsa_pair(), 1024, alg_enc(enc_oaep(Algorithm::SHA_1)), kCrypt)).status,
            Status::DeprecatedPrimitive);
  // On import they are only logged.
  ASSERT_EQ(
      a.import("des", attrs(type_des(), 0, alg_cipher(Algorithm::CBC_NO_PADDING), kCrypt), std::string(24, 'd')).status,
      Status::Success);
  EXPECT_TRUE(d_.wait_for_log("deprecated primitive"));
}

TEST(SoftwareOpsDeprecated, AllowedDeprecatedDesInteroperates) {
  DaemonOptions o;
  o.extra_core_settings = "allow_deprecated = true";
  Daemon d(o);
  d.start();
  App a{d.socket_path(), "alice"};
  ASSERT_EQ(a.generate("des", attrs(type_des(), 192, alg_cipher(Algorithm::CBC_PKCS7), kCrypt | kExport)).status,
            Status::Success);
  Call key = export_key(a, "des");
  ASSERT_EQ(key.status, Status::Success);
  ASSERT_EQ(key.body.size(), 24u);
  Call enc = cipher_encrypt(a, "des", Algorithm::CBC_PKCS7, "three keys, one cipher");
  ASSERT_EQ(enc.status, Status::Success);
  EXPECT_EQ(cipher_run("DES-EDE3-CBC", false, key.body, enc.body.substr(0, 8), enc.body.substr(8), true),
            "three keys, one cipher");
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST_F(SoftwareOps, CanDoCrypto) {
  App a = app();
  EXPECT_EQ(can_do(a, can_do_crypto::USE, attrs(type_ecc_pair(kSecpR1), 256, alg_sig(ecdsa(Algorithm::SHA_256)), kSign))
                .status,
            Status::Success);
  EXPECT_EQ(
      can_do(a, can_do_crypto::GENERATE, attrs(type_aes(), 256, alg_aead(aead_default(Algorithm::Aead::GCM)), kCrypt))
          .status,
      Status::Success);
  EXPECT_EQ(
      can_do(a, can_do_crypto::IMPORT, attrs(type_rsa_public(), 0, alg_enc(enc_oaep(Algorithm::SHA_256)), kEncrypt))
          .status,
      Status::Success);
  EXPECT_EQ(
      can_do(a, can_do_crypto::GENERATE, attrs(type_rsa_pair(), 0, alg_sig(rsa_pss(Algorithm::SHA_256)), kSign)).status,
      Status::PsaErrorNotSupported);
  EXPECT_EQ(
      can_do(a, can_do_crypto::USE, attrs(type_ecc_pair(kSecpR1), 256, alg_sig(ecdsa(Algorithm::SHA3_256)), kSign))
          .status,
      Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::USE, attrs(type_aes(), 128, alg_sig(ecdsa(Algorithm::SHA_256)), kSign)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::GENERATE, attrs(type_dh_pair(), 2048, alg_none(), kDerive)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::DERIVE, attrs(type_aes(), 128, alg_none(), kExport)).status,
            Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::CHECKTYPE_NONE, attrs(type_aes(), 128, alg_none(), kExport)).status,
            Status::InvalidEncoding);
  App anonymous{d_.socket_path(), "", 1, AuthType::NoAuth};
  EXPECT_EQ(can_do(anonymous, can_do_crypto::USE, attrs(type_aes(), 128, alg_none(), kExport)).status,
            Status::NotAuthenticated);
}

TEST_F(SoftwareOps, RandomBytesDiffer) {
  App a = app();
  Call r1 = generate_random(a, 64);
  Call r2 = generate_random(a, 64);
  ASSERT_EQ(r1.status, Status::Success);
  ASSERT_EQ(r1.body.size(), 64u);
  EXPECT_NE(r1.body, r2.body);
}

}  // namespace
}  // namespace parsec::e2e
