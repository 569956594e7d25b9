// The PKCS #11 provider end to end: a private SoftHSM token per test, a real
// parsecd configured with a [[provider]] of type Pkcs11, every signature and
// ciphertext checked with OpenSSL, start-up errors read from the daemon's log.
#ifdef PARSEC_WITH_PKCS11

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "can_do_crypto.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_export_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_message.pb.h"
#include "tests/e2e/proto_client.h"
#include "tests/e2e/softhsm_fixture.h"

namespace parsec::e2e {
// A named namespace: helpers here hide same-named helpers of proto_client.h
// (those that take an App are prefixed p11_, since ADL would find both).
namespace pkcs11_suite {
namespace {

using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;
using psa_key_attributes::KeyType;
using testing::Pkcs11Direct;
using testing::SoftHsm;

constexpr uint8_t kP11 = 2;
// A PIN that cannot appear in a log line by accident.
constexpr const char* kPin = "e2e-Secret-PIN-4711";
constexpr const char* kLabel = "Parsec Tests";

// ---- OpenSSL helpers ------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const EVP_MD* md_of(Algorithm::Hash h) {
  switch (h) {
    case Algorithm::SHA_1:
      return EVP_sha1();
    case Algorithm::SHA_224:
      return EVP_sha224();
    case Algorithm::SHA_256:
      return EVP_sha256();
    case Algorithm::SHA_384:
      return EVP_sha384();
    default:
      return EVP_sha512();
  }
}

std::string digest(Algorithm::Hash h, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md_of(h), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

const unsigned char* u8(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Pkey rsa_public_from_der(const std::string& der) {
  const unsigned char* p = u8(der);
  return Pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
}

std::string rsa_public_der(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  int n = i2d_PublicKey(k, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string rsa_private_der(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  int n = i2d_PrivateKey(k, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_clear_free(der, static_cast<size_t>(n));
  return out;
}

// rsa_verify checks a PKCS #1 v1.5 (md set: DigestInfo; md null: raw) or PSS
// signature with OpenSSL.
bool rsa_verify(EVP_PKEY* key, const EVP_MD* md, bool pss, const std::string& input, const std::string& sig) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  bool ok = EVP_PKEY_verify_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1 &&
            (md == nullptr || EVP_PKEY_CTX_set_signature_md(ctx, md) == 1) &&
            (!pss || EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1) &&
            EVP_PKEY_verify(ctx, u8(sig), sig.size(), u8(input), input.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

std::string rsa_sign(EVP_PKEY* key, const EVP_MD* md, bool pss, const std::string& hash) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  unsigned char sig[1024];
  size_t n = sizeof sig;
  bool ok = EVP_PKEY_sign_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
            (!pss || EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1) &&
            EVP_PKEY_sign(ctx, sig, &n, u8(hash), hash.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok ? std::string(reinterpret_cast<char*>(sig), n) : std::string();
}

bool set_rsa_padding(EVP_PKEY_CTX* ctx, bool oaep, const EVP_MD* md, const std::string& label) {
  if (!oaep) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1) {
    return false;
  }
  if (label.empty()) {
    return true;
  }
  auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
  return EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, static_cast<int>(label.size())) == 1;
}

std::string openssl_encrypt(EVP_PKEY* key, bool oaep, const EVP_MD* md, const std::string& label,
                            const std::string& pt) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  unsigned char out[1024];
  size_t n = sizeof out;
  bool ok = EVP_PKEY_encrypt_init(ctx) == 1 && set_rsa_padding(ctx, oaep, md, label) &&
            EVP_PKEY_encrypt(ctx, out, &n, u8(pt), pt.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok ? std::string(reinterpret_cast<char*>(out), n) : std::string();
}

// openssl_decrypt returns nullopt when OpenSSL rejects the ciphertext.
std::optional<std::string> openssl_decrypt(EVP_PKEY* key, bool oaep, const EVP_MD* md, const std::string& label,
                                           const std::string& ct) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  unsigned char out[1024];
  size_t n = sizeof out;
  bool ok = EVP_PKEY_decrypt_init(ctx) == 1 && set_rsa_padding(ctx, oaep, md, label) &&
            EVP_PKEY_decrypt(ctx, out, &n, u8(ct), ct.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok ? std::optional<std::string>(std::string(reinterpret_cast<char*>(out), n)) : std::nullopt;
}

std::string ec_point(EVP_PKEY* k) {
  unsigned char buf[200];
  size_t n = 0;
  EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &n);
  return std::string(reinterpret_cast<char*>(buf), n);
}

std::string ec_scalar(EVP_PKEY* k, size_t len) {
  BIGNUM* d = nullptr;
  EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d);
  std::string out(len, '\0');
  BN_bn2binpad(d, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(len));
  BN_clear_free(d);
  return out;
}

// ec_sign returns a raw r||s signature made by OpenSSL.
std::string ec_sign(EVP_PKEY* k, const std::string& hash, size_t half) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
  unsigned char der[200];
  size_t n = sizeof der;
  EVP_PKEY_sign_init(ctx);
  EVP_PKEY_sign(ctx, der, &n, u8(hash), hash.size());
  EVP_PKEY_CTX_free(ctx);
  const unsigned char* p = der;
  ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(n));
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(raw.data()) + half, static_cast<int>(half));
  ECDSA_SIG_free(s);
  return raw;
}

// ---- requests the shared client lacks ---------------------------------------------

Call p11_sign_message(const App& a, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                      const std::string& msg) {
  psa_sign_message::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_message(msg);
  Call c = call(a.socket, Opcode::PsaSignMessage, a.provider, a.auth, a.auth_bytes(), op);
  if (c.status == Status::Success) {
    psa_sign_message::Result r;
    r.ParseFromString(c.body);
    c.body = r.signature();
  }
  return c;
}

Call p11_verify_message(const App& a, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                        const std::string& msg, const std::string& sig) {
  psa_verify_message::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_message(msg);
  op.set_signature(sig);
  return call(a.socket, Opcode::PsaVerifyMessage, a.provider, a.auth, a.auth_bytes(), op);
}

Call p11_encrypt(const App& a, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                 const std::string& pt, const std::string& salt = "") {
  psa_asymmetric_encrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_plaintext(pt);
  op.set_salt(salt);
  Call c = call(a.socket, Opcode::PsaAsymmetricEncrypt, a.provider, a.auth, a.auth_bytes(), op);
  if (c.status == Status::Success) {
    psa_asymmetric_encrypt::Result r;
    r.ParseFromString(c.body);
    c.body = r.ciphertext();
  }
  return c;
}

Call p11_decrypt(const App& a, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                 const std::string& ct, const std::string& salt = "") {
  psa_asymmetric_decrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_ciphertext(ct);
  op.set_salt(salt);
  Call c = call(a.socket, Opcode::PsaAsymmetricDecrypt, a.provider, a.auth, a.auth_bytes(), op);
  if (c.status == Status::Success) {
    psa_asymmetric_decrypt::Result r;
    r.ParseFromString(c.body);
    c.body = r.plaintext();
  }
  return c;
}

Status p11_can_do(const App& a, can_do_crypto::CheckType t, const KeyAttributes& attrs) {
  can_do_crypto::Operation op;
  op.set_check_type(t);
  *op.mutable_attributes() = attrs;
  return call(a.socket, Opcode::CanDoCrypto, a.provider, a.auth, a.auth_bytes(), op).status;
}

// ---- attribute builders -------------------------------------------------------------

Algorithm::AsymmetricSignature any_hash(Algorithm::AsymmetricSignature a) {
  if (a.has_ecdsa()) {
    a.mutable_ecdsa()->mutable_hash_alg()->mutable_any();
  } else if (a.has_rsa_pkcs1v15_sign()) {
    a.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg()->mutable_any();
  } else if (a.has_rsa_pss()) {
    a.mutable_rsa_pss()->mutable_hash_alg()->mutable_any();
  }
  return a;
}

Algorithm::AsymmetricEncryption oaep(Algorithm::Hash h) {
  Algorithm::AsymmetricEncryption e;
  e.mutable_rsa_oaep()->set_hash_alg(h);
  return e;
}

Algorithm::AsymmetricEncryption pkcs1_crypt() {
  Algorithm::AsymmetricEncryption e;
  e.mutable_rsa_pkcs1v15_crypt();
  return e;
}

KeyAttributes rsa_crypt_pair(uint32_t bits, const Algorithm::AsymmetricEncryption& alg) {
  KeyAttributes a;
  a.mutable_key_type()->mutable_rsa_key_pair();
  a.set_key_bits(bits);
  a.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
  a.mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(true);
  *a.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_encryption() = alg;
  return a;
}

KeyAttributes as_public(KeyAttributes a) {
  if (a.key_type().has_ecc_key_pair()) {
    a.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(KeyType::SECP_R1);
  } else {
    a.mutable_key_type()->mutable_rsa_public_key();
  }
  a.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(false);
  a.mutable_key_policy()->mutable_key_usage_flags()->set_sign_message(false);
  a.mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(false);
  return a;
}

// ---- fixture ------------------------------------------------------------------------------

std::string provider_table(const std::string& settings) {
  return "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"sqlite-manager\"\nlibrary_path = \"" +
         SoftHsm::module_path() + "\"\n" + settings;
}

std::string default_settings() {
  return std::string("token_label = \"") + kLabel + "\"\nuser_pin = \"" + kPin + "\"\n";
}

class Pkcs11 : public ::testing::Test {
 protected:
  Pkcs11() {
    hsm_.use();
    serial_ = hsm_.init_token(kLabel, kPin);
  }
  void TearDown() override {
    if (d_ && d_->running()) {
      EXPECT_EQ(d_->stop(SIGTERM), 0);
    }
    if (d_) {
      EXPECT_EQ(d_->log().find(kPin), std::string::npos) << "the PIN appears in the log";
    }
  }
  void start(const std::string& settings = default_settings(), const std::string& log_level = "info") {
    DaemonOptions o;
    o.providers = provider_table(settings);
    o.log_level = log_level;
    d_ = std::make_unique<Daemon>(o);
    d_->start();
  }
  // start_failing runs a daemon that must refuse to start and returns its log.
  std::string start_failing(const std::string& providers) {
    DaemonOptions o;
    o.providers = providers;
    d_ = std::make_unique<Daemon>(o);
    int code = d_->start_expect_exit();
    EXPECT_NE(code, 0);
    EXPECT_NE(code, -1) << "parsecd did not exit";
    return d_->log();
  }
  App app(const std::string& name) const {
    App a{d_->socket_path(), name};
    a.provider = kP11;
    return a;
  }

  SoftHsm hsm_;
  std::string serial_;
  std::unique_ptr<Daemon> d_;
};

// ---- discovery ---------------------------------------------------------------------------

TEST_F(Pkcs11, ListsProviderTwoAndWhatItServes) {
  start();
  list_providers::Operation lp;
  Call c = call(d_->socket_path(), Opcode::ListProviders, 0, AuthType::NoAuth, "", lp);
  ASSERT_EQ(c.status, Status::Success);
  list_providers::Result providers;
  ASSERT_TRUE(providers.ParseFromString(c.body));
  ASSERT_EQ(providers.providers_size(), 2);
  const auto& p = providers.providers(0);
  EXPECT_EQ(p.id(), 2u);
  EXPECT_EQ(p.uuid(), "30e39502-eba6-4d60-a4af-c518b7f5e38f");
  EXPECT_EQ(p.description(), "PKCS #11 provider, interfacing with a PKCS #11 library.");
  EXPECT_EQ(p.vendor(), "OASIS Standard.");
  EXPECT_EQ(p.version_maj(), 0u);
  EXPECT_EQ(p.version_min(), 1u);
  EXPECT_EQ(p.version_rev(), 0u);
  EXPECT_EQ(providers.providers(1).id(), 0u);

  list_opcodes::Operation lo;
  lo.set_provider_id(2);
  c = call(d_->socket_path(), Opcode::ListOpcodes, 0, AuthType::NoAuth, "", lo);
  ASSERT_EQ(c.status, Status::Success);
  list_opcodes::Result ops;
  ASSERT_TRUE(ops.ParseFromString(c.body));
  std::set<uint32_t> got(ops.opcodes().begin(), ops.opcodes().end());
  std::set<uint32_t> want;
  for (Opcode o :
       {Opcode::PsaGenerateKey, Opcode::PsaDestroyKey, Opcode::PsaSignHash, Opcode::PsaVerifyHash,
        Opcode::PsaSignMessage, Opcode::PsaVerifyMessage, Opcode::PsaImportKey, Opcode::PsaExportPublicKey,
        Opcode::PsaAsymmetricEncrypt, Opcode::PsaAsymmetricDecrypt, Opcode::PsaGenerateRandom, Opcode::CanDoCrypto}) {
    want.insert(static_cast<uint32_t>(o));
  }
  EXPECT_EQ(got, want);
  EXPECT_TRUE(d_->wait_for_log("token \"Parsec Tests\" (serial " + serial_));
}

// ---- signatures -----------------------------------------------------------------------------

TEST_F(Pkcs11, EcdsaOnEveryCurveVerifiesWithOpenSSL) {
  start();
  App a = app("alice");
  struct Case {
    uint32_t bits;
    Algorithm::Hash hash;
  };
  for (Case c : {Case{256, Algorithm::SHA_256}, Case{384, Algorithm::SHA_384}, Case{521, Algorithm::SHA_512}}) {
    std::string name = "ecc-" + std::to_string(c.bits);
    ASSERT_EQ(a.generate(name, ecc_pair(c.bits, ecdsa(c.hash))).status, Status::Success) << name;
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    ASSERT_EQ(pub.body.size(), 1 + 2 * ((c.bits + 7) / 8));
    ASSERT_EQ(pub.body[0], '\x04');
    std::string d = digest(c.hash, "message for " + name);
    Call sig = a.sign_hash(name, ecdsa(c.hash), d);
    ASSERT_EQ(sig.status, Status::Success);
    EXPECT_TRUE(openssl_verify_ecdsa(pub.body, static_cast<int>(c.bits), d, sig.body)) << name;
    EXPECT_EQ(a.verify_hash(name, ecdsa(c.hash), d, sig.body).status, Status::Success);
    std::string bad = sig.body;
    bad[3] ^= 0x10;
    EXPECT_EQ(a.verify_hash(name, ecdsa(c.hash), d, bad).status, Status::PsaErrorInvalidSignature);
    EXPECT_EQ(a.verify_hash(name, ecdsa(c.hash), d, sig.body.substr(1)).status, Status::PsaErrorInvalidSignature);

    // Message variants hash first.
    std::string msg = "a message signed by " + name;
    Call msig = p11_sign_message(a, name, ecdsa(c.hash), msg);
    ASSERT_EQ(msig.status, Status::Success);
    EXPECT_TRUE(openssl_verify_ecdsa(pub.body, static_cast<int>(c.bits), digest(c.hash, msg), msig.body));
    EXPECT_EQ(p11_verify_message(a, name, ecdsa(c.hash), msg, msig.body).status, Status::Success);
    EXPECT_EQ(p11_verify_message(a, name, ecdsa(c.hash), msg + ".", msig.body).status,
              Status::PsaErrorInvalidSignature);
  }
  // ecdsa_any signs the given digest as it is.
  Algorithm::AsymmetricSignature any;
  any.mutable_ecdsa_any();
  ASSERT_EQ(a.generate("any", ecc_pair(256, any)).status, Status::Success);
  std::string d = digest(Algorithm::SHA_1, "short digest");
  Call sig = a.sign_hash("any", any, d);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(a.export_public("any").body, 256, d, sig.body));
  EXPECT_EQ(p11_sign_message(a, "any", any, "m").status, Status::PsaErrorInvalidArgument);
  // PKCS #11 has no deterministic ECDSA.
  Algorithm::AsymmetricSignature det;
  det.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(Algorithm::SHA_256);
  ASSERT_EQ(a.generate("det", ecc_pair(256, det)).status, Status::Success);
  EXPECT_EQ(a.sign_hash("det", det, digest(Algorithm::SHA_256, "m")).status, Status::PsaErrorNotSupported);
}

TEST_F(Pkcs11, RsaSignaturesOfEverySchemeVerifyWithOpenSSL) {
  start();
  App a = app("alice");
  ASSERT_EQ(a.generate("pkcs1", rsa_pair(2048, any_hash(rsa_pkcs1(Algorithm::SHA_256)))).status, Status::Success);
  ASSERT_EQ(a.generate("pss", rsa_pair(2048, any_hash(rsa_pss(Algorithm::SHA_256)))).status, Status::Success);
  Algorithm::AsymmetricSignature raw;
  raw.mutable_rsa_pkcs1v15_sign_raw();
  ASSERT_EQ(a.generate("raw", rsa_pair(2048, raw)).status, Status::Success);
  for (const char* name : {"pkcs1", "pss", "raw"}) {
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    Pkey key = rsa_public_from_der(pub.body);
    ASSERT_TRUE(key) << name;
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
    bool pss = std::string(name) == "pss";
    if (std::string(name) == "raw") {
      // The caller supplies the encoded DigestInfo.
      static const char kSha256Prefix[] =
          "\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20";
      std::string d = digest(Algorithm::SHA_256, "raw");
      std::string input = std::string(kSha256Prefix, sizeof kSha256Prefix - 1) + d;
      Call sig = a.sign_hash(name, raw, input);
      ASSERT_EQ(sig.status, Status::Success);
      EXPECT_TRUE(rsa_verify(key.get(), EVP_sha256(), false, d, sig.body));
      EXPECT_TRUE(rsa_verify(key.get(), nullptr, false, input, sig.body));
      EXPECT_EQ(a.verify_hash(name, raw, input, sig.body).status, Status::Success);
      continue;
    }
    for (Algorithm::Hash h : {Algorithm::SHA_224, Algorithm::SHA_256, Algorithm::SHA_384, Algorithm::SHA_512}) {
      auto alg = pss ? rsa_pss(h) : rsa_pkcs1(h);
      std::string d = digest(h, std::string("message for ") + name);
      Call sig = a.sign_hash(name, alg, d);
      ASSERT_EQ(sig.status, Status::Success) << name << " " << h;
      EXPECT_EQ(sig.body.size(), 256u);
      EXPECT_TRUE(rsa_verify(key.get(), md_of(h), pss, d, sig.body)) << name << " " << h;
      EXPECT_EQ(a.verify_hash(name, alg, d, sig.body).status, Status::Success);
      std::string other = digest(h, "another message");
      EXPECT_EQ(a.verify_hash(name, alg, other, sig.body).status, Status::PsaErrorInvalidSignature);
      std::string msg = std::string("a message for ") + name;
      Call msig = p11_sign_message(a, name, alg, msg);
      ASSERT_EQ(msig.status, Status::Success);
      EXPECT_TRUE(rsa_verify(key.get(), md_of(h), pss, digest(h, msg), msig.body));
      EXPECT_EQ(p11_verify_message(a, name, alg, msg, msig.body).status, Status::Success);
    }
  }
}

TEST_F(Pkcs11, RsaKeySizesFrom1024To4096) {
  start();
  App a = app("alice");
  for (uint32_t bits : {1024u, 3072u, 4096u}) {
    std::string name = "rsa-" + std::to_string(bits);
    ASSERT_EQ(a.generate(name, rsa_pair(bits, rsa_pkcs1(Algorithm::SHA_256))).status, Status::Success) << name;
    Pkey key = rsa_public_from_der(a.export_public(name).body);
    ASSERT_TRUE(key);
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), static_cast<int>(bits));
    std::string d = digest(Algorithm::SHA_256, name);
    Call sig = a.sign_hash(name, rsa_pkcs1(Algorithm::SHA_256), d);
    ASSERT_EQ(sig.status, Status::Success);
    EXPECT_TRUE(rsa_verify(key.get(), EVP_sha256(), false, d, sig.body));
  }
  for (uint32_t bits : {512u, 1000u, 8192u}) {
    EXPECT_EQ(a.generate("bad", rsa_pair(bits, rsa_pkcs1(Algorithm::SHA_256))).status, Status::PsaErrorNotSupported)
        << bits;
  }
}

// ---- encryption -------------------------------------------------------------------------------

TEST_F(Pkcs11, GeneratedKeysDecryptWhatOpenSSLEncrypts) {
  start();
  App a = app("alice");
  const std::string pt = "attack at dawn";
  // PKCS #1 v1.5.
  ASSERT_EQ(a.generate("v15", rsa_crypt_pair(2048, pkcs1_crypt())).status, Status::Success);
  Pkey v15 = rsa_public_from_der(a.export_public("v15").body);
  std::string ct = openssl_encrypt(v15.get(), false, nullptr, "", pt);
  ASSERT_EQ(ct.size(), 256u);
  Call dec = p11_decrypt(a, "v15", pkcs1_crypt(), ct);
  ASSERT_EQ(dec.status, Status::Success);
  EXPECT_EQ(dec.body, pt);
  Call enc = p11_encrypt(a, "v15", pkcs1_crypt(), pt);
  ASSERT_EQ(enc.status, Status::Success);
  EXPECT_NE(enc.body, ct);  // randomised padding
  EXPECT_EQ(p11_decrypt(a, "v15", pkcs1_crypt(), enc.body).body, pt);
  std::string garbage(256, '\x5a');
  EXPECT_EQ(p11_decrypt(a, "v15", pkcs1_crypt(), garbage).status, Status::PsaErrorInvalidPadding);
  EXPECT_EQ(p11_decrypt(a, "v15", pkcs1_crypt(), ct.substr(1)).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(p11_encrypt(a, "v15", pkcs1_crypt(), pt, "salt").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(p11_encrypt(a, "v15", pkcs1_crypt(), std::string(250, 'x')).status, Status::PsaErrorInvalidArgument);

  // OAEP with SHA-256 and SHA-384, with and without a label.
  for (Algorithm::Hash h : {Algorithm::SHA_256, Algorithm::SHA_384}) {
    std::string name = "oaep-" + std::to_string(h);
    ASSERT_EQ(a.generate(name, rsa_crypt_pair(2048, oaep(h))).status, Status::Success);
    Pkey pub = rsa_public_from_der(a.export_public(name).body);
    for (std::string label : {std::string(), std::string("a label"), std::string("\x00\x01 binary", 9)}) {
      std::string c = openssl_encrypt(pub.get(), true, md_of(h), label, pt);
      ASSERT_EQ(c.size(), 256u);
      Call d = p11_decrypt(a, name, oaep(h), c, label);
      ASSERT_EQ(d.status, Status::Success) << name << " label " << label.size();
      EXPECT_EQ(d.body, pt);
      // The label is honoured: another one (or none) is a padding error.
      EXPECT_EQ(p11_decrypt(a, name, oaep(h), c, label + "x").status, Status::PsaErrorInvalidPadding);
      Call e = p11_encrypt(a, name, oaep(h), pt, label);
      ASSERT_EQ(e.status, Status::Success);
      EXPECT_EQ(p11_decrypt(a, name, oaep(h), e.body, label).body, pt);
    }
  }
}

TEST_F(Pkcs11, ImportedKeyPairsDecryptAndOpenSSLDecryptsTheDaemonsCiphertexts) {
  start();
  App a = app("alice");
  Pkey priv(EVP_RSA_gen(2048));
  ASSERT_TRUE(priv);
  const std::string der = rsa_private_der(priv.get());
  const std::string pt = "imported key message";
  struct Case {
    std::string name;
    bool oaep;
    Algorithm::Hash hash;
    std::string label;
  };
  // SHA-1 OAEP without a label is the one form SoftHSM 2.6 does natively.
  for (const Case& c : {Case{"v15", false, Algorithm::HASH_NONE, ""}, Case{"oaep256", true, Algorithm::SHA_256, ""},
                        Case{"oaep256-label", true, Algorithm::SHA_256, "label"},
                        Case{"oaep1", true, Algorithm::SHA_1, ""}, Case{"oaep1-label", true, Algorithm::SHA_1, "L"}}) {
    auto alg = c.oaep ? oaep(c.hash) : pkcs1_crypt();
    ASSERT_EQ(a.import(c.name, rsa_crypt_pair(0, alg), der).status, Status::Success) << c.name;
    EXPECT_EQ(a.export_public(c.name).body, rsa_public_der(priv.get()));
    const EVP_MD* md = c.oaep ? md_of(c.hash) : nullptr;
    Call e = p11_encrypt(a, c.name, alg, pt, c.label);
    ASSERT_EQ(e.status, Status::Success) << c.name;
    auto back = openssl_decrypt(priv.get(), c.oaep, md, c.label, e.body);
    ASSERT_TRUE(back) << c.name;
    EXPECT_EQ(*back, pt) << c.name;
    if (c.oaep) {
      EXPECT_FALSE(openssl_decrypt(priv.get(), true, md, c.label + "?", e.body)) << c.name;
    }
    std::string ct = openssl_encrypt(priv.get(), c.oaep, md, c.label, pt);
    Call d = p11_decrypt(a, c.name, alg, ct, c.label);
    ASSERT_EQ(d.status, Status::Success) << c.name;
    EXPECT_EQ(d.body, pt);
    if (c.oaep) {
      EXPECT_EQ(p11_decrypt(a, c.name, alg, ct, c.label + "?").status, Status::PsaErrorInvalidPadding) << c.name;
    }
  }
  // key_bits came from the data.
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(a.list_keys().body));
  for (const auto& k : lk.keys()) {
    EXPECT_EQ(k.attributes().key_bits(), 2048u) << k.name();
    EXPECT_EQ(k.provider_id(), 2u);
  }
}

// ---- import and export ------------------------------------------------------------------------

TEST_F(Pkcs11, ImportedPublicKeysVerifyOpenSSLSignatures) {
  start();
  App a = app("alice");
  for (auto [bits, group, hash] :
       {std::tuple{256u, "P-256", Algorithm::SHA_256}, std::tuple{384u, "P-384", Algorithm::SHA_384},
        std::tuple{521u, "P-521", Algorithm::SHA_512}}) {
    Pkey k(EVP_EC_gen(group));
    ASSERT_TRUE(k);
    std::string name = std::string("peer-") + group;
    auto attrs = as_public(ecc_pair(0, ecdsa(hash)));
    ASSERT_EQ(a.import(name, attrs, ec_point(k.get())).status, Status::Success) << name;
    EXPECT_EQ(a.export_public(name).body, ec_point(k.get()));
    std::string d = digest(hash, "signed by openssl");
    std::string sig = ec_sign(k.get(), d, (bits + 7) / 8);
    EXPECT_EQ(a.verify_hash(name, ecdsa(hash), d, sig).status, Status::Success) << name;
    sig[7] ^= 0x01;
    EXPECT_EQ(a.verify_hash(name, ecdsa(hash), d, sig).status, Status::PsaErrorInvalidSignature);
    // Public keys cannot sign.
    EXPECT_EQ(a.sign_hash(name, ecdsa(hash), d).status, Status::PsaErrorNotPermitted);
  }
  Pkey rsa(EVP_RSA_gen(2048));
  auto rsa_attrs = as_public(rsa_pair(2048, rsa_pss(Algorithm::SHA_256)));
  ASSERT_EQ(a.import("peer-rsa", rsa_attrs, rsa_public_der(rsa.get())).status, Status::Success);
  std::string d = digest(Algorithm::SHA_256, "pss");
  std::string sig = rsa_sign(rsa.get(), EVP_sha256(), true, d);
  EXPECT_EQ(a.verify_hash("peer-rsa", rsa_pss(Algorithm::SHA_256), d, sig).status, Status::Success);
  EXPECT_EQ(a.verify_hash("peer-rsa", rsa_pss(Algorithm::SHA_256), digest(Algorithm::SHA_256, "x"), sig).status,
            Status::PsaErrorInvalidSignature);

  // Bad data.
  auto p256 = as_public(ecc_pair(256, ecdsa(Algorithm::SHA_256)));
  std::string not_on_curve(65, '\x01');
  not_on_curve[0] = '\x04';
  EXPECT_EQ(a.import("bad1", p256, not_on_curve).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.import("bad2", p256, "").status, Status::PsaErrorInvalidArgument);
  Pkey k384(EVP_EC_gen("P-384"));
  EXPECT_EQ(a.import("bad3", p256, ec_point(k384.get())).status, Status::PsaErrorInvalidArgument);  // bits
  EXPECT_EQ(a.import("bad4", rsa_attrs, "\x30\x03\x02\x01\x05").status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.import("bad5", as_public(rsa_pair(1024, rsa_pss(Algorithm::SHA_256))), rsa_public_der(rsa.get())).status,
            Status::PsaErrorInvalidArgument);
  auto k1 = p256;
  k1.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(KeyType::SECP_K1);
  Pkey secp256k1(EVP_EC_gen("secp256k1"));
  EXPECT_EQ(a.import("bad6", k1, ec_point(secp256k1.get())).status, Status::PsaErrorNotSupported);
}

TEST_F(Pkcs11, ImportedPrivateKeysSignForOpenSSL) {
  start();
  App a = app("alice");
  Pkey ec(EVP_EC_gen("P-256"));
  ASSERT_EQ(a.import("ec", ecc_pair(256, ecdsa(Algorithm::SHA_256)), ec_scalar(ec.get(), 32)).status, Status::Success);
  EXPECT_EQ(a.export_public("ec").body, ec_point(ec.get()));
  std::string d = digest(Algorithm::SHA_256, "imported");
  Call sig = a.sign_hash("ec", ecdsa(Algorithm::SHA_256), d);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(ec_point(ec.get()), 256, d, sig.body));
  EXPECT_EQ(a.import("ec-zero", ecc_pair(256, ecdsa(Algorithm::SHA_256)), std::string(32, '\0')).status,
            Status::PsaErrorInvalidArgument);

  Pkey rsa(EVP_RSA_gen(2048));
  ASSERT_EQ(a.import("rsa", rsa_pair(0, rsa_pkcs1(Algorithm::SHA_384)), rsa_private_der(rsa.get())).status,
            Status::Success);
  std::string d384 = digest(Algorithm::SHA_384, "imported rsa");
  sig = a.sign_hash("rsa", rsa_pkcs1(Algorithm::SHA_384), d384);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_TRUE(rsa_verify(rsa.get(), EVP_sha384(), false, d384, sig.body));
  std::string broken = rsa_private_der(rsa.get());
  broken[broken.size() / 2] ^= 0x40;
  EXPECT_EQ(a.import("rsa-broken", rsa_pair(0, rsa_pkcs1(Algorithm::SHA_384)), broken).status,
            Status::PsaErrorInvalidArgument);
}

TEST_F(Pkcs11, ExportFlagFollowsAllowExport) {
  start();
  App a = app("alice");
  auto exportable = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  exportable.mutable_key_policy()->mutable_key_usage_flags()->set_export_(true);
  ASSERT_EQ(a.generate("x", exportable).status, Status::Success);
  // The key is CKA_EXTRACTABLE but stays CKA_SENSITIVE: PsaExportKey is not served.
  psa_export_key::Operation ex;
  ex.set_key_name("x");
  EXPECT_EQ(call(a.socket, Opcode::PsaExportKey, kP11, a.auth, a.auth_bytes(), ex).status,
            Status::PsaErrorNotSupported);
  d_->stop(SIGTERM);

  start(default_settings() + "allow_export = false\n");
  a = app("alice");
  EXPECT_EQ(a.generate("y", exportable).status, Status::PsaErrorNotPermitted);
  Pkey k(EVP_EC_gen("P-256"));
  EXPECT_EQ(a.import("z", as_public(exportable), ec_point(k.get())).status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(p11_can_do(a, can_do_crypto::GENERATE, exportable), Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("y", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_TRUE(d_->wait_for_log("exportable keys refused"));
}

// ---- tenancy, persistence, parallelism ----------------------------------------------------------

TEST_F(Pkcs11, ApplicationsCannotReachEachOthersKeys) {
  start();
  App alice = app("alice"), bob = app("bob");
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  ASSERT_EQ(alice.generate("shared-name", attrs).status, Status::Success);
  std::string d = digest(Algorithm::SHA_256, "m");
  EXPECT_EQ(bob.sign_hash("shared-name", ecdsa(Algorithm::SHA_256), d).status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.export_public("shared-name").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.destroy("shared-name").status, Status::PsaErrorDoesNotExist);
  ASSERT_EQ(bob.generate("shared-name", attrs).status, Status::Success);
  std::string alice_pub = alice.export_public("shared-name").body;
  std::string bob_pub = bob.export_public("shared-name").body;
  EXPECT_NE(alice_pub, bob_pub);
  Call sig = bob.sign_hash("shared-name", ecdsa(Algorithm::SHA_256), d);
  EXPECT_TRUE(openssl_verify_ecdsa(bob_pub, 256, d, sig.body));
  EXPECT_FALSE(openssl_verify_ecdsa(alice_pub, 256, d, sig.body));
  EXPECT_EQ(bob.destroy("shared-name").status, Status::Success);
  EXPECT_EQ(alice.export_public("shared-name").body, alice_pub);
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(bob.list_keys().body));
  EXPECT_EQ(lk.keys_size(), 0);
  // Destroying frees the name and erases the token objects.
  EXPECT_EQ(alice.destroy("shared-name").status, Status::Success);
  EXPECT_EQ(alice.sign_hash("shared-name", ecdsa(Algorithm::SHA_256), d).status, Status::PsaErrorDoesNotExist);
  d_->stop(SIGTERM);
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin);
  EXPECT_TRUE(direct.objects().empty());
}

TEST_F(Pkcs11, KeysSurviveRestarts) {
  start();
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(384, ecdsa(Algorithm::SHA_384))).status, Status::Success);
  ASSERT_EQ(a.generate("rsa", rsa_pair(2048, rsa_pss(Algorithm::SHA_256))).status, Status::Success);
  std::string ecc_pub = a.export_public("ecc").body;
  Pkey rsa_pub = rsa_public_from_der(a.export_public("rsa").body);
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  d_->start();
  std::string d384 = digest(Algorithm::SHA_384, "after restart");
  Call s1 = a.sign_hash("ecc", ecdsa(Algorithm::SHA_384), d384);
  ASSERT_EQ(s1.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(ecc_pub, 384, d384, s1.body));
  std::string d256 = digest(Algorithm::SHA_256, "after restart");
  Call s2 = a.sign_hash("rsa", rsa_pss(Algorithm::SHA_256), d256);
  ASSERT_EQ(s2.status, Status::Success);
  EXPECT_TRUE(rsa_verify(rsa_pub.get(), EVP_sha256(), true, d256, s2.body));
  // An acknowledged key survives SIGKILL.
  ASSERT_EQ(a.generate("late", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  std::string late_pub = a.export_public("late").body;
  d_->stop(SIGKILL);
  d_->start();
  Call s3 = a.sign_hash("late", ecdsa(Algorithm::SHA_256), d256);
  ASSERT_EQ(s3.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(late_pub, 256, d256, s3.body));
  EXPECT_TRUE(d_->wait_for_log("reconciled 3 mapped key(s): 0 without token objects, 0 orphaned object(s)"));
}

TEST_F(Pkcs11, EightClientsSignInParallel) {
  start(default_settings(), "debug");
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("rsa", rsa_pair(2048, rsa_pkcs1(Algorithm::SHA_256))).status, Status::Success);
  std::string ecc_pub = a.export_public("ecc").body;
  Pkey rsa_pub = rsa_public_from_der(a.export_public("rsa").body);
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      App mine = a;
      for (int i = 0; i < 30; ++i) {
        std::string d = digest(Algorithm::SHA_256, "client " + std::to_string(c) + " #" + std::to_string(i));
        bool ok;
        if (i % 3 == 2) {
          Call s = mine.sign_hash("rsa", rsa_pkcs1(Algorithm::SHA_256), d);
          ok = s.status == Status::Success && rsa_verify(rsa_pub.get(), EVP_sha256(), false, d, s.body);
        } else {
          Call s = mine.sign_hash("ecc", ecdsa(Algorithm::SHA_256), d);
          ok = s.status == Status::Success && openssl_verify_ecdsa(ecc_pub, 256, d, s.body);
        }
        (ok ? good : bad)++;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_EQ(good.load(), 240);
  EXPECT_EQ(bad.load(), 0);
}

// SoftHSM 2.6 answers CKR_GENERAL_ERROR now and then when several sessions
// create or destroy token objects at once. 20 rounds of 16 clients, each
// generating, signing with (verified by OpenSSL) and destroying 20 keys of its
// own, must see no failure at all.
TEST_F(Pkcs11, SixteenClientsCreateSignAndDestroyKeysConcurrently) {
  start();
  constexpr int kRounds = 20;
  constexpr int kClients = 16;
  constexpr int kKeys = 20;
  std::atomic<int> good{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c, round] {
        App mine = app("client-" + std::to_string(c));
        auto fail = [&](const std::string& what, Status s) {
          std::lock_guard<std::mutex> lock(failures_mu);
          failures.push_back("round " + std::to_string(round) + " client " + std::to_string(c) + ": " + what + ": " +
                             status_name(s));
        };
        for (int k = 0; k < kKeys; ++k) {
          const std::string name = "k" + std::to_string(round) + "-" + std::to_string(k);
          Call g = mine.generate(name, ecc_pair(256, ecdsa(Algorithm::SHA_256)));
          if (g.status != Status::Success) {
            fail("generate", g.status);
            continue;
          }
          Call pub = mine.export_public(name);
          const std::string d = digest(Algorithm::SHA_256, name);
          Call sig = mine.sign_hash(name, ecdsa(Algorithm::SHA_256), d);
          if (pub.status != Status::Success || sig.status != Status::Success) {
            fail("export or sign", pub.status != Status::Success ? pub.status : sig.status);
          } else if (!openssl_verify_ecdsa(pub.body, 256, d, sig.body)) {
            fail("OpenSSL verification", Status::PsaErrorInvalidSignature);
          } else {
            ++good;
          }
          Call del = mine.destroy(name);
          if (del.status != Status::Success) {
            fail("destroy", del.status);
          }
        }
      });
    }
    for (auto& t : clients) {
      t.join();
    }
  }
  EXPECT_EQ(good.load(), kRounds * kClients * kKeys);
  for (size_t i = 0; i < failures.size() && i < 10; ++i) {
    ADD_FAILURE() << failures[i];
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed requests";
}

// ---- reconciliation ------------------------------------------------------------------------------

TEST_F(Pkcs11, StartUpDropsVanishedKeysAndDestroysOrphans) {
  start();
  App a = app("alice");
  ASSERT_EQ(a.generate("kept", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("gone", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  std::string kept_pub = a.export_public("kept").body;
  std::string gone_pub = a.export_public("gone").body;
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  std::string orphan_id = "orphan-id-16byte";
  {
    // Behind the daemon's back: erase "gone"'s objects, plant an orphan that
    // carries this store's label prefix, and a foreign key.
    Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin);
    auto objects = direct.objects();
    ASSERT_EQ(objects.size(), 4u);
    std::string gone_id, prefix;
    for (const auto& o : objects) {
      ASSERT_EQ(o.label.rfind("parsec-cpp:", 0), 0u) << o.label;
      prefix = o.label.substr(0, o.label.rfind(':') + 1);
      if (o.cls != CKO_PUBLIC_KEY) {
        continue;
      }
      unsigned char point[80];
      CK_ATTRIBUTE attr{CKA_EC_POINT, point, sizeof point};
      testing::check(direct.fn()->C_GetAttributeValue(direct.session(), o.handle, &attr, 1), "EC point");
      if (std::string(reinterpret_cast<char*>(point) + 2, attr.ulValueLen - 2) == gone_pub) {
        gone_id = o.id;
      }
    }
    ASSERT_FALSE(gone_id.empty());
    for (const auto& o : objects) {
      if (o.id == gone_id) {
        direct.destroy(o.handle);
      }
    }
    std::string hex;
    for (unsigned char ch : orphan_id) {
      static const char* digits = "0123456789abcdef";
      hex += digits[ch >> 4];
      hex += digits[ch & 15];
    }
    direct.generate_ec_p256(prefix + hex, orphan_id);
    direct.generate_ec_p256("not parsec's", "foreign");
  }
  d_->start();
  EXPECT_TRUE(d_->wait_for_log("key \"gone\" of Direct \"alice\" has no material any more"));
  EXPECT_TRUE(d_->wait_for_log("1 without token objects, 2 orphaned object(s) destroyed"));
  EXPECT_EQ(a.export_public("gone").status, Status::PsaErrorDoesNotExist);
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(a.list_keys().body));
  ASSERT_EQ(lk.keys_size(), 1);
  EXPECT_EQ(lk.keys(0).name(), "kept");
  std::string d = digest(Algorithm::SHA_256, "still here");
  Call sig = a.sign_hash("kept", ecdsa(Algorithm::SHA_256), d);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(kept_pub, 256, d, sig.body));
  // The name is free again.
  EXPECT_EQ(a.generate("gone", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin);
  size_t orphan = 0, foreign = 0;
  for (const auto& o : direct.objects()) {
    orphan += o.id == orphan_id;
    foreign += o.id == "foreign";
  }
  EXPECT_EQ(orphan, 0u);
  EXPECT_EQ(foreign, 2u);
}

// ---- configuration -----------------------------------------------------------------------------------

TEST_F(Pkcs11, SelectsTheTokenBySerialWithAHexPin) {
  hsm_.init_token("Second Token", "other-pin-2");
  std::string hex_pin;
  for (unsigned char c : std::string(kPin)) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    hex_pin += b;
  }
  start("serial_number = \"" + serial_ + "\"\nuser_pin = \"hex:" + hex_pin + "\"\n");
  App a = app("alice");
  EXPECT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_TRUE(d_->wait_for_log("(serial " + serial_));
  EXPECT_EQ(d_->log().find(hex_pin), std::string::npos);
}

TEST_F(Pkcs11, StrPrefixedPinAndSoftwarePublicOperations) {
  start(std::string("token_label = \"") + kLabel + "\"\nuser_pin = \"str:" + kPin +
        "\"\nsoftware_public_operations = true\n");
  EXPECT_TRUE(d_->wait_for_log("public-key operations in software"));
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  std::string d = digest(Algorithm::SHA_256, "m");
  Call sig = a.sign_hash("ecc", ecdsa(Algorithm::SHA_256), d);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_EQ(a.verify_hash("ecc", ecdsa(Algorithm::SHA_256), d, sig.body).status, Status::Success);
  sig.body[10] ^= 1;
  EXPECT_EQ(a.verify_hash("ecc", ecdsa(Algorithm::SHA_256), d, sig.body).status, Status::PsaErrorInvalidSignature);
  ASSERT_EQ(a.generate("pss", rsa_pair(2048, rsa_pss(Algorithm::SHA_384))).status, Status::Success);
  std::string d384 = digest(Algorithm::SHA_384, "m");
  sig = a.sign_hash("pss", rsa_pss(Algorithm::SHA_384), d384);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_EQ(a.verify_hash("pss", rsa_pss(Algorithm::SHA_384), d384, sig.body).status, Status::Success);
  EXPECT_EQ(a.verify_hash("pss", rsa_pss(Algorithm::SHA_384), digest(Algorithm::SHA_384, "n"), sig.body).status,
            Status::PsaErrorInvalidSignature);
  ASSERT_EQ(a.generate("oaep", rsa_crypt_pair(2048, oaep(Algorithm::SHA_256))).status, Status::Success);
  Call e = p11_encrypt(a, "oaep", oaep(Algorithm::SHA_256), "plain", "label");
  ASSERT_EQ(e.status, Status::Success);
  EXPECT_EQ(p11_decrypt(a, "oaep", oaep(Algorithm::SHA_256), e.body, "label").body, "plain");
}

TEST_F(Pkcs11, MisconfigurationsStopTheDaemonWithTheirCause) {
  struct Case {
    std::string settings;
    std::string cause;
  };
  std::string module = SoftHsm::module_path();
  std::string pin = std::string("user_pin = \"") + kPin + "\"\n";
  const Case cases[] = {
      {"library_path = \"/nonexistent/libpkcs11.so\"\n" + pin, "PKCS #11 module not found"},
      {"library_path = \"" PARSEC_P11_NOT_A_MODULE "\"\n" + pin,
       "is not a PKCS #11 library: it has no C_GetFunctionList"},
      {"library_path = \"" + module + "\"\ntoken_label = \"No Such Token\"\n" + pin,
       "no initialised token matches token_label \"No Such Token\""},
      {"library_path = \"" + module + "\"\ntoken_label = \"Parsec Tests\"\nuser_pin = \"wrong-pin-0000\"\n",
       "user_pin is incorrect for token \"Parsec Tests\""},
      {"library_path = \"" PARSEC_P11_FAKE_MODULE "\"\n" + pin, "is locked (C_Login: CKR_PIN_LOCKED)"},
      {"library_path = \"" + module + "\"\nuser_pin = \"hex:12345\"\n", "user_pin: the hex: value"},
      {"library_path = \"" + module + "\"\nuserpin = \"1234\"\n", "unknown setting \"userpin\""},
      {"library_path = \"" + module + "\"\nallow_export = \"no\"\n", "setting \"allow_export\" must be true or false"},
  };
  for (const Case& c : cases) {
    std::string log =
        start_failing("[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"sqlite-manager\"\n" + c.settings);
    size_t line = log.find("start-up failed: provider \"pkcs11-provider\" (Pkcs11): ");
    ASSERT_NE(line, std::string::npos) << log;
    EXPECT_NE(log.find(c.cause, line), std::string::npos) << c.cause << "\nlog:\n" << log;
    EXPECT_EQ(log.find(kPin), std::string::npos) << log;
    EXPECT_EQ(log.find("wrong-pin-0000"), std::string::npos) << log;
  }
}

TEST_F(Pkcs11, NoTokenAndSeveralTokensAreStartUpErrors) {
  std::string table = provider_table(std::string("user_pin = \"") + kPin + "\"\n");
  hsm_.init_token("Second Token", "other-pin-2");
  std::string log = start_failing(table);
  EXPECT_NE(log.find("several tokens and none chosen: set serial_number or token_label (tokens: "), std::string::npos)
      << log;
  EXPECT_NE(log.find("\"Second Token\""), std::string::npos) << log;
  SoftHsm empty;
  empty.use();
  log = start_failing(table);
  EXPECT_NE(log.find("no token: the module offers no slot with an initialised token"), std::string::npos) << log;
  hsm_.use();
}

// ---- random numbers, capabilities, statuses ------------------------------------------------------------

TEST_F(Pkcs11, RandomBytesAndCapabilities) {
  start();
  for (uint64_t n : {0ull, 1ull, 32ull, 65536ull}) {
    psa_generate_random::Operation op;
    op.set_size(n);
    Call c = call(d_->socket_path(), Opcode::PsaGenerateRandom, kP11, AuthType::NoAuth, "", op);
    ASSERT_EQ(c.status, Status::Success);
    psa_generate_random::Result r;
    ASSERT_TRUE(r.ParseFromString(c.body));
    EXPECT_EQ(r.random_bytes().size(), n);
    if (n >= 32) {
      EXPECT_NE(r.random_bytes(), std::string(n, '\0'));
    }
  }
  App a = app("alice");
  using CT = can_do_crypto::CheckType;
  auto p256 = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  EXPECT_EQ(p11_can_do(a, CT::USE, p256), Status::Success);
  EXPECT_EQ(p11_can_do(a, CT::GENERATE, p256), Status::Success);
  EXPECT_EQ(p11_can_do(a, CT::GENERATE, ecc_pair(224, ecdsa(Algorithm::SHA_256))), Status::PsaErrorNotSupported);
  EXPECT_EQ(p11_can_do(a, CT::GENERATE, rsa_pair(2048, rsa_pss(Algorithm::SHA_256))), Status::Success);
  EXPECT_EQ(p11_can_do(a, CT::GENERATE, rsa_pair(1000, rsa_pss(Algorithm::SHA_256))), Status::PsaErrorNotSupported);
  EXPECT_EQ(p11_can_do(a, CT::IMPORT, as_public(ecc_pair(0, ecdsa(Algorithm::SHA_256)))), Status::Success);
  EXPECT_EQ(p11_can_do(a, CT::USE, rsa_crypt_pair(2048, oaep(Algorithm::SHA_512))), Status::Success);
  EXPECT_EQ(p11_can_do(a, CT::DERIVE, p256), Status::PsaErrorNotSupported);
  Algorithm::AsymmetricSignature det;
  det.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(Algorithm::SHA_256);
  EXPECT_EQ(p11_can_do(a, CT::USE, ecc_pair(256, det)), Status::PsaErrorNotSupported);
  auto verify_only = as_public(ecc_pair(256, det));
  EXPECT_EQ(p11_can_do(a, CT::USE, verify_only), Status::Success);
  KeyAttributes aes;
  aes.mutable_key_type()->mutable_aes();
  aes.set_key_bits(256);
  aes.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
  aes.mutable_key_policy()->mutable_key_algorithm()->set_cipher(Algorithm::CBC_PKCS7);
  EXPECT_EQ(p11_can_do(a, CT::GENERATE, aes), Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("aes", aes).status, Status::PsaErrorNotSupported);
  auto k1 = p256;
  k1.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(KeyType::SECP_K1);
  EXPECT_EQ(a.generate("k1", k1).status, Status::PsaErrorNotSupported);
}

}  // namespace
}  // namespace pkcs11_suite
}  // namespace parsec::e2e

#endif  // PARSEC_WITH_PKCS11
