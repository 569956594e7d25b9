// The TPM provider end to end: a real parsecd on a private swtpm. Every
// signature is verified with OpenSSL, OpenSSL ciphertexts are decrypted by the
// daemon, credentials for key attestation are made with OpenSSL, and the
// daemon is checked across its own restart, swtpm restarts and TPM outages.
#ifdef PARSEC_WITH_TPM

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "list_providers.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_message.pb.h"
#include "tests/e2e/proto_client.h"
#include "tests/e2e/swtpm_fixture.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;
using testing::Swtpm;

constexpr uint8_t kTpm = 3;

std::string tpm_provider(const std::string& tcti, const std::string& owner_auth = "", const std::string& extra = "") {
  return "[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"sqlite-manager\"\ntcti = \"" + tcti +
         "\"\nowner_hierarchy_auth = \"" + owner_auth + "\"\n" + extra;
}

template <typename Op>
Call tcall(const App& a, Opcode opcode, const Op& op) {
  return call(a.socket, opcode, a.provider, a.auth, a.auth_bytes(), op, a.may_be_down);
}

// ---- OpenSSL helpers ------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey rsa_public_from_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
}

const EVP_MD* md_of(Algorithm::Hash h) {
  switch (h) {
    case Algorithm::SHA_1:
      return EVP_sha1();
    case Algorithm::SHA_384:
      return EVP_sha384();
    case Algorithm::SHA_512:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

std::string rsa_encrypt(EVP_PKEY* key, const std::string& plaintext, bool oaep, Algorithm::Hash h,
                        const std::string& label) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  bool ok = EVP_PKEY_encrypt_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1;
  if (ok && oaep) {
    ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md_of(h)) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(h)) == 1;
    if (ok && !label.empty()) {
      auto* l = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
      ok = EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, static_cast<int>(label.size())) == 1;
    }
  }
  size_t n = 0;
  std::string out;
  if (ok && EVP_PKEY_encrypt(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(plaintext.data()),
                             plaintext.size()) == 1) {
    out.resize(n);
    if (EVP_PKEY_encrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                         reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size()) == 1) {
      out.resize(n);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

std::string rsa_decrypt(EVP_PKEY* key, const std::string& ciphertext, bool oaep, Algorithm::Hash h,
                        const std::string& label) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  bool ok = EVP_PKEY_decrypt_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1;
  if (ok && oaep) {
    ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md_of(h)) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(h)) == 1;
    if (ok && !label.empty()) {
      auto* l = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
      ok = EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, static_cast<int>(label.size())) == 1;
    }
  }
  size_t n = ciphertext.size();
  std::string out(n, '\0');
  if (!ok || EVP_PKEY_decrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                              reinterpret_cast<const unsigned char*>(ciphertext.data()), ciphertext.size()) != 1) {
    out = "<decryption failed>";
  } else {
    out.resize(n);
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

Pkey generate_openssl(bool rsa, int size) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = EVP_PKEY_keygen_init(ctx) == 1;
  if (rsa) {
    ok = ok && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, size) == 1;
  } else {
    ok = ok && EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, size == 256   ? NID_X9_62_prime256v1
                                                           : size == 384 ? NID_secp384r1
                                                                         : NID_secp521r1) == 1;
  }
  ok = ok && EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  return Pkey(ok ? key : nullptr);
}

// psa_private: the PSA export format of a key pair (RSA: PKCS#1
// RSAPrivateKey DER; ECC: the private value, curve-size big-endian).
std::string psa_private(EVP_PKEY* key, int ecc_bits = 0) {
  if (ecc_bits == 0) {
    unsigned char* der = nullptr;
    int n = i2d_PrivateKey(key, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_clear_free(der, static_cast<size_t>(n));
    return out;
  }
  BIGNUM* d = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d);
  std::string out(static_cast<size_t>((ecc_bits + 7) / 8), '\0');
  BN_bn2binpad(d, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_clear_free(d);
  return out;
}

// psa_public: the PSA public format (RSA: RSAPublicKey DER; ECC: 04||X||Y).
std::string psa_public(EVP_PKEY* key, bool rsa) {
  if (rsa) {
    unsigned char* der = nullptr;
    int n = i2d_PublicKey(key, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
    return out;
  }
  size_t n = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &n);
  std::string out(n, '\0');
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, reinterpret_cast<unsigned char*>(out.data()),
                                  n, &n);
  return out;
}

// openssl_sign_digest signs with OpenSSL: ECDSA as r||s, RSA PKCS#1 v1.5.
std::string openssl_sign_digest(EVP_PKEY* key, const std::string& digest, int ecc_bits, const EVP_MD* md) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  bool ok = EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
  if (ecc_bits == 0) {
    ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  size_t n = 0;
  std::string sig;
  if (ok && EVP_PKEY_sign(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(digest.data()), digest.size())) {
    sig.resize(n);
    EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &n,
                  reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    sig.resize(n);
  }
  EVP_PKEY_CTX_free(ctx);
  if (ecc_bits == 0 || sig.empty()) {
    return sig;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  const int half = (ecc_bits + 7) / 8;
  std::string raw(static_cast<size_t>(2 * half), '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), half);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + half, half);
  ECDSA_SIG_free(es);
  return raw;
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
}

// kdfa is the TPM's KDFa (SP 800-108 counter mode, HMAC-SHA-256).
std::string kdfa(const std::string& key, const std::string& label, const std::string& context, uint32_t bits) {
  std::string out;
  for (uint32_t i = 1; out.size() * 8 < bits; ++i) {
    out += hmac_sha256(key, be32(i) + label + std::string(1, '\0') + context + be32(bits));
  }
  out.resize(bits / 8);
  return out;
}

// make_credential does TPM2_MakeCredential in software (TPM 2.0 Part 1,
// 24.4): `credential` protected for the object `name`, to be recovered by the
// TPM holding the RSA endorsement key `ek_der` (AES-128-CFB, SHA-256).
void make_credential(const std::string& ek_der, const std::string& name, const std::string& credential,
                     std::string& blob, std::string& secret) {
  std::string seed(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32);
  Pkey ek = rsa_public_from_der(ek_der);
  ASSERT_TRUE(ek);
  secret = rsa_encrypt(ek.get(), seed, true, Algorithm::SHA_256, std::string("IDENTITY", 9));
  ASSERT_FALSE(secret.empty());
  const std::string sym = kdfa(seed, "STORAGE", name, 128);
  const std::string plain =
      std::string{static_cast<char>(credential.size() >> 8), static_cast<char>(credential.size())} + credential;
  std::string enc(plain.size(), '\0');
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  const unsigned char iv[16] = {};
  int n = 0;
  int m = 0;
  EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), nullptr, reinterpret_cast<const unsigned char*>(sym.data()), iv);
  EVP_EncryptUpdate(c, reinterpret_cast<unsigned char*>(enc.data()), &n,
                    reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(c, reinterpret_cast<unsigned char*>(enc.data()) + n, &m);
  EVP_CIPHER_CTX_free(c);
  const std::string hmac_key = kdfa(seed, "INTEGRITY", "", 256);
  const std::string outer = hmac_sha256(hmac_key, enc + name);
  blob = std::string{0, 32} + outer + enc;
}

std::string sha256(const std::string& data) {
  return sha(256, data);
}

// ---- the fixture --------------------------------------------------------------------

class Tpm : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Swtpm::available()) {
      FAIL() << "swtpm is not installed (scripts/install-deps.sh installs it)";
    }
    tpm_ = std::make_unique<Swtpm>();
    DaemonOptions o;
    o.providers = tpm_provider(tpm_->tcti());
    o.timeout_ms = 5000;
    o.log_level = "debug";
    d_ = std::make_unique<Daemon>(o);
    d_->start();
  }
  void TearDown() override {
    if (d_ && d_->running()) {
      EXPECT_EQ(d_->stop(SIGTERM), 0);
    }
    d_.reset();
    tpm_.reset();
  }
  App app(const std::string& name) const {
    App a{d_->socket_path(), name};
    a.provider = kTpm;
    return a;
  }

  static KeyAttributes crypt_attrs(uint32_t bits, const Algorithm::AsymmetricEncryption& alg) {
    KeyAttributes a;
    a.mutable_key_type()->mutable_rsa_key_pair();
    a.set_key_bits(bits);
    a.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
    a.mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(true);
    *a.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_encryption() = alg;
    return a;
  }
  static Algorithm::AsymmetricEncryption oaep(Algorithm::Hash h) {
    Algorithm::AsymmetricEncryption e;
    e.mutable_rsa_oaep()->set_hash_alg(h);
    return e;
  }
  static Algorithm::AsymmetricEncryption pkcs1_crypt() {
    Algorithm::AsymmetricEncryption e;
    e.mutable_rsa_pkcs1v15_crypt();
    return e;
  }
  static Call encrypt(const App& a, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                      const std::string& plaintext, const std::string& salt) {
    psa_asymmetric_encrypt::Operation op;
    op.set_key_name(key);
    *op.mutable_alg() = alg;
    op.set_plaintext(plaintext);
    op.set_salt(salt);
    Call c = tcall(a, Opcode::PsaAsymmetricEncrypt, op);
    if (c.status == Status::Success) {
      psa_asymmetric_encrypt::Result r;
      r.ParseFromString(c.body);
      c.body = r.ciphertext();
    }
    return c;
  }
  static Call decrypt(const App& a, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                      const std::string& ciphertext, const std::string& salt) {
    psa_asymmetric_decrypt::Operation op;
    op.set_key_name(key);
    *op.mutable_alg() = alg;
    op.set_ciphertext(ciphertext);
    op.set_salt(salt);
    Call c = tcall(a, Opcode::PsaAsymmetricDecrypt, op);
    if (c.status == Status::Success) {
      psa_asymmetric_decrypt::Result r;
      r.ParseFromString(c.body);
      c.body = r.plaintext();
    }
    return c;
  }
  static Call sign_message(const App& a, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                           const std::string& message) {
    psa_sign_message::Operation op;
    op.set_key_name(key);
    *op.mutable_alg() = alg;
    op.set_message(message);
    Call c = tcall(a, Opcode::PsaSignMessage, op);
    if (c.status == Status::Success) {
      psa_sign_message::Result r;
      r.ParseFromString(c.body);
      c.body = r.signature();
    }
    return c;
  }
  static Call verify_message(const App& a, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                             const std::string& message, const std::string& sig) {
    psa_verify_message::Operation op;
    op.set_key_name(key);
    *op.mutable_alg() = alg;
    op.set_message(message);
    op.set_signature(sig);
    return tcall(a, Opcode::PsaVerifyMessage, op);
  }
  static Call random(const App& a, uint64_t size) {
    psa_generate_random::Operation op;
    op.set_size(size);
    Call c = tcall(a, Opcode::PsaGenerateRandom, op);
    if (c.status == Status::Success) {
      psa_generate_random::Result r;
      r.ParseFromString(c.body);
      c.body = r.random_bytes();
    }
    return c;
  }
  static Status can_do(const App& a, can_do_crypto::CheckType t, const KeyAttributes& attrs) {
    can_do_crypto::Operation op;
    op.set_check_type(t);
    *op.mutable_attributes() = attrs;
    return tcall(a, Opcode::CanDoCrypto, op).status;
  }

  // sign_and_check signs with `key` and verifies with OpenSSL and the daemon.
  void sign_and_check(const App& a, const std::string& key, uint32_t bits, bool rsa,
                      const Algorithm::AsymmetricSignature& alg, int hash_bits, bool pss = false) {
    Call pub = a.export_public(key);
    ASSERT_EQ(pub.status, Status::Success) << key;
    const std::string digest = sha(hash_bits, "message for " + key);
    Call sig = a.sign_hash(key, alg, digest);
    ASSERT_EQ(sig.status, Status::Success) << key;
    if (rsa) {
      EXPECT_EQ(sig.body.size(), bits / 8) << key;
      EXPECT_TRUE(openssl_verify_rsa(pub.body, digest, sig.body, pss, hash_bits)) << key;
    } else {
      EXPECT_EQ(sig.body.size(), 2 * ((bits + 7) / 8)) << key;
      EXPECT_TRUE(openssl_verify_ecdsa(pub.body, static_cast<int>(bits), digest, sig.body)) << key;
    }
    EXPECT_EQ(a.verify_hash(key, alg, digest, sig.body).status, Status::Success) << key;
    std::string bad = sig.body;
    bad[bad.size() / 3] ^= 0x01;
    EXPECT_EQ(a.verify_hash(key, alg, digest, bad).status, Status::PsaErrorInvalidSignature) << key;
    EXPECT_EQ(a.verify_hash(key, alg, sha(hash_bits, "another message"), sig.body).status,
              Status::PsaErrorInvalidSignature)
        << key;
  }

  std::unique_ptr<Swtpm> tpm_;
  std::unique_ptr<Daemon> d_;
};

// ---- discovery ---------------------------------------------------------------------

TEST_F(Tpm, ListsTheTpmProviderAndItsOpcodes) {
  list_providers::Operation op;
  Call c = call(d_->socket_path(), Opcode::ListProviders, 0, AuthType::NoAuth, "", op);
  ASSERT_EQ(c.status, Status::Success);
  list_providers::Result r;
  ASSERT_TRUE(r.ParseFromString(c.body));
  ASSERT_EQ(r.providers_size(), 2);
  const auto& p = r.providers(0);
  EXPECT_EQ(p.id(), 3u);
  EXPECT_EQ(p.uuid(), "1e4954a4-ff21-46d3-ab0c-661eeb667e1d");
  EXPECT_EQ(p.description(),
            "TPM provider, interfacing with a library implementing the TCG TSS 2.0 Enhanced System API "
            "specification.");
  EXPECT_EQ(p.vendor(), "Trusted Computing Group (TCG)");
  EXPECT_EQ(p.version_maj(), 0u);
  EXPECT_EQ(p.version_min(), 1u);
  EXPECT_EQ(p.version_rev(), 0u);
}

// ---- signatures ------------------------------------------------------------------------

TEST_F(Tpm, EcdsaOnEveryCurveVerifiesWithOpenSSL) {
  App a = app("alice");
  struct Case {
    uint32_t bits;
    Algorithm::Hash hash;
    int hash_bits;
  };
  for (Case c : {Case{256, Algorithm::SHA_256, 256}, Case{384, Algorithm::SHA_384, 384},
                 Case{521, Algorithm::SHA_512, 512}, Case{256, Algorithm::SHA_384, 384}}) {
    const std::string name = "ecc-" + std::to_string(c.bits) + "-" + std::to_string(c.hash_bits);
    ASSERT_EQ(a.generate(name, ecc_pair(c.bits, ecdsa(c.hash))).status, Status::Success) << name;
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    EXPECT_EQ(pub.body.size(), 1 + 2 * ((c.bits + 7) / 8));
    EXPECT_EQ(pub.body[0], '\x04');
    sign_and_check(a, name, c.bits, false, ecdsa(c.hash), c.hash_bits);
  }
}

TEST_F(Tpm, RsaPkcs1AndPssVerifyWithOpenSSL) {
  App a = app("alice");
  struct Case {
    uint32_t bits;
    bool pss;
    Algorithm::Hash hash;
    int hash_bits;
  };
  for (Case c : {Case{2048, false, Algorithm::SHA_256, 256}, Case{2048, true, Algorithm::SHA_256, 256},
                 Case{1024, true, Algorithm::SHA_384, 384}, Case{3072, false, Algorithm::SHA_512, 512},
                 Case{3072, true, Algorithm::SHA_512, 512}}) {
    const std::string name =
        "rsa-" + std::to_string(c.bits) + (c.pss ? "-pss-" : "-pkcs1-") + std::to_string(c.hash_bits);
    auto alg = c.pss ? rsa_pss(c.hash) : rsa_pkcs1(c.hash);
    ASSERT_EQ(a.generate(name, rsa_pair(c.bits, alg)).status, Status::Success) << name;
    // PSS signatures are checked with salt length = hash length, as PSA
    // requires (openssl_verify_rsa sets RSA_PSS_SALTLEN_DIGEST).
    sign_and_check(a, name, c.bits, true, alg, c.hash_bits, c.pss);
  }
}

TEST_F(Tpm, PssKeyTooSmallForHashLengthSaltIsRefused) {
  // RSA-1024 + SHA-512: emLen 128 < 2*64 + 2, so the TPM would shorten the
  // salt; PSA forbids that.
  App a = app("alice");
  auto alg = rsa_pss(Algorithm::SHA_512);
  ASSERT_EQ(a.generate("small", rsa_pair(1024, alg)).status, Status::Success);
  EXPECT_EQ(a.sign_hash("small", alg, sha(512, "m")).status, Status::PsaErrorInvalidArgument);
}

TEST_F(Tpm, SignAndVerifyMessage) {
  App a = app("alice");
  const std::string msg(3000, 'm');  // longer than a TPM hash command takes
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("rsa", rsa_pair(2048, rsa_pss(Algorithm::SHA_256))).status, Status::Success);
  Call ep = a.export_public("ecc");
  Call rp = a.export_public("rsa");
  Call es = sign_message(a, "ecc", ecdsa(Algorithm::SHA_256), msg);
  ASSERT_EQ(es.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(ep.body, 256, sha(256, msg), es.body));
  EXPECT_EQ(verify_message(a, "ecc", ecdsa(Algorithm::SHA_256), msg, es.body).status, Status::Success);
  EXPECT_EQ(verify_message(a, "ecc", ecdsa(Algorithm::SHA_256), msg + "x", es.body).status,
            Status::PsaErrorInvalidSignature);
  Call rs = sign_message(a, "rsa", rsa_pss(Algorithm::SHA_256), msg);
  ASSERT_EQ(rs.status, Status::Success);
  EXPECT_TRUE(openssl_verify_rsa(rp.body, sha(256, msg), rs.body, true, 256));
  EXPECT_EQ(verify_message(a, "rsa", rsa_pss(Algorithm::SHA_256), msg, rs.body).status, Status::Success);
  // A signature made by OpenSSL's verifier side of the daemon: the digest of
  // the message signed with sign_hash verifies as a message signature.
  Call hs = a.sign_hash("ecc", ecdsa(Algorithm::SHA_256), sha(256, msg));
  EXPECT_EQ(verify_message(a, "ecc", ecdsa(Algorithm::SHA_256), msg, hs.body).status, Status::Success);
}

TEST_F(Tpm, EcdsaAnySignsRawDigestsOfAnyLength) {
  App a = app("alice");
  Algorithm::AsymmetricSignature any;
  any.mutable_ecdsa_any();
  for (uint32_t bits : {256u, 384u}) {
    const std::string name = "any-" + std::to_string(bits);
    ASSERT_EQ(a.generate(name, ecc_pair(bits, any)).status, Status::Success);
    Call pub = a.export_public(name);
    for (size_t len : {20u, 24u, 32u, 40u, 48u, 64u}) {
      std::string input = sha(512, std::to_string(len)).substr(0, len);
      Call sig = a.sign_hash(name, any, input);
      ASSERT_EQ(sig.status, Status::Success) << bits << "/" << len;
      // OpenSSL applies the ECDSA truncation rule to inputs of any length.
      EXPECT_TRUE(openssl_verify_ecdsa(pub.body, static_cast<int>(bits), input, sig.body)) << bits << "/" << len;
      EXPECT_EQ(a.verify_hash(name, any, input, sig.body).status, Status::Success) << bits << "/" << len;
    }
  }
}

TEST_F(Tpm, UnsupportedTemplatesAreRefused) {
  App a = app("alice");
  Algorithm::AsymmetricSignature det;
  det.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(Algorithm::SHA_256);
  EXPECT_EQ(a.generate("det", ecc_pair(256, det)).status, Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("rsa4096", rsa_pair(4096, rsa_pkcs1(Algorithm::SHA_256))).status, Status::PsaErrorNotSupported);
  auto k1 = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  k1.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_K1);
  EXPECT_EQ(a.generate("k1", k1).status, Status::PsaErrorNotSupported);
  EXPECT_EQ(a.generate("sha3", ecc_pair(256, ecdsa(Algorithm::SHA3_256))).status, Status::PsaErrorNotSupported);
  // Nothing was recorded for the refused keys.
  EXPECT_EQ(a.generate("det", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
}

// ---- encryption ------------------------------------------------------------------------

TEST_F(Tpm, DecryptsOpenSSLCiphertexts) {
  App a = app("alice");
  ASSERT_EQ(a.generate("oaep", crypt_attrs(2048, oaep(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("pkcs1", crypt_attrs(2048, pkcs1_crypt())).status, Status::Success);
  Pkey oaep_pub = rsa_public_from_der(a.export_public("oaep").body);
  Pkey pkcs1_pub = rsa_public_from_der(a.export_public("pkcs1").body);
  ASSERT_TRUE(oaep_pub && pkcs1_pub);
  const std::string msg = "attack at dawn";
  // Labels: none, one the TPM cannot take (no trailing NUL), one it can.
  for (const std::string& label :
       {std::string(), std::string("my label"), std::string("nul-ended\0", 10), std::string(200, 'L')}) {
    const std::string c = rsa_encrypt(oaep_pub.get(), msg, true, Algorithm::SHA_256, label);
    ASSERT_EQ(c.size(), 256u);
    Call p = decrypt(a, "oaep", oaep(Algorithm::SHA_256), c, label);
    ASSERT_EQ(p.status, Status::Success) << "label size " << label.size();
    EXPECT_EQ(p.body, msg);
    // The label is bound to the ciphertext.
    EXPECT_EQ(decrypt(a, "oaep", oaep(Algorithm::SHA_256), c, label + "x").status, Status::PsaErrorInvalidPadding);
  }
  const std::string c1 = rsa_encrypt(pkcs1_pub.get(), msg, false, Algorithm::SHA_256, "");
  Call p1 = decrypt(a, "pkcs1", pkcs1_crypt(), c1, "");
  ASSERT_EQ(p1.status, Status::Success);
  EXPECT_EQ(p1.body, msg);
  std::string broken = c1;
  broken[10] ^= 0x40;
  EXPECT_EQ(decrypt(a, "pkcs1", pkcs1_crypt(), broken, "").status, Status::PsaErrorInvalidPadding);
  EXPECT_EQ(decrypt(a, "pkcs1", pkcs1_crypt(), c1.substr(1), "").status, Status::PsaErrorInvalidArgument);
}

TEST_F(Tpm, EncryptsForOpenSSLWithAnImportedKeyPair) {
  // An OpenSSL key pair imported into the TPM (TPM2_Import): the daemon
  // encrypts, OpenSSL decrypts with its copy, and the other way round.
  App a = app("alice");
  Pkey key = generate_openssl(true, 2048);
  ASSERT_TRUE(key);
  ASSERT_EQ(a.import("imported", crypt_attrs(0, oaep(Algorithm::SHA_256)), psa_private(key.get())).status,
            Status::Success);
  Call pub = a.export_public("imported");
  ASSERT_EQ(pub.status, Status::Success);
  EXPECT_EQ(pub.body, psa_public(key.get(), true));
  for (const std::string& label : {std::string(), std::string("label"), std::string("z\0", 2)}) {
    Call c = encrypt(a, "imported", oaep(Algorithm::SHA_256), "secret text", label);
    ASSERT_EQ(c.status, Status::Success);
    ASSERT_EQ(c.body.size(), 256u);
    EXPECT_EQ(rsa_decrypt(key.get(), c.body, true, Algorithm::SHA_256, label), "secret text");
    Call p = decrypt(a, "imported", oaep(Algorithm::SHA_256), c.body, label);
    ASSERT_EQ(p.status, Status::Success);
    EXPECT_EQ(p.body, "secret text");
  }
  ASSERT_EQ(a.import("imported-pkcs1", crypt_attrs(2048, pkcs1_crypt()), psa_private(key.get())).status,
            Status::Success);
  Call c = encrypt(a, "imported-pkcs1", pkcs1_crypt(), "v1.5 text", "");
  ASSERT_EQ(c.status, Status::Success);
  EXPECT_EQ(rsa_decrypt(key.get(), c.body, false, Algorithm::SHA_256, ""), "v1.5 text");
  // Wrong size against the attributes, and garbage.
  EXPECT_EQ(a.import("wrong-size", crypt_attrs(3072, pkcs1_crypt()), psa_private(key.get())).status,
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.import("garbage", crypt_attrs(0, pkcs1_crypt()), "not a key").status, Status::PsaErrorInvalidArgument);
}

TEST_F(Tpm, ImportedKeyPairsSign) {
  App a = app("alice");
  for (int bits : {256, 384, 521}) {
    Pkey key = generate_openssl(false, bits);
    ASSERT_TRUE(key);
    const std::string name = "ecc-import-" + std::to_string(bits);
    auto attrs = ecc_pair(0, ecdsa(Algorithm::SHA_256));
    ASSERT_EQ(a.import(name, attrs, psa_private(key.get(), bits)).status, Status::Success) << bits;
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    EXPECT_EQ(pub.body, psa_public(key.get(), false)) << bits;
    sign_and_check(a, name, static_cast<uint32_t>(bits), false, ecdsa(Algorithm::SHA_256), 256);
  }
  Pkey rsa = generate_openssl(true, 2048);
  ASSERT_EQ(a.import("rsa-import", rsa_pair(2048, rsa_pkcs1(Algorithm::SHA_256)), psa_private(rsa.get())).status,
            Status::Success);
  sign_and_check(a, "rsa-import", 2048, true, rsa_pkcs1(Algorithm::SHA_256), 256);
}

TEST_F(Tpm, ImportedPublicKeysVerifyAndEncrypt) {
  App a = app("alice");
  Pkey ecc = generate_openssl(false, 384);
  auto attrs = ecc_pair(384, ecdsa(Algorithm::SHA_384));
  attrs.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  attrs.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(false);
  ASSERT_EQ(a.import("ecc-pub", attrs, psa_public(ecc.get(), false)).status, Status::Success);
  EXPECT_EQ(a.export_public("ecc-pub").body, psa_public(ecc.get(), false));
  const std::string digest = sha(384, "signed by OpenSSL");
  const std::string sig = openssl_sign_digest(ecc.get(), digest, 384, EVP_sha384());
  EXPECT_EQ(a.verify_hash("ecc-pub", ecdsa(Algorithm::SHA_384), digest, sig).status, Status::Success);
  std::string bad = sig;
  bad[3] ^= 1;
  EXPECT_EQ(a.verify_hash("ecc-pub", ecdsa(Algorithm::SHA_384), digest, bad).status, Status::PsaErrorInvalidSignature);
  EXPECT_EQ(a.verify_hash("ecc-pub", ecdsa(Algorithm::SHA_384), digest, sig.substr(1)).status,
            Status::PsaErrorInvalidSignature);

  Pkey rsa = generate_openssl(true, 2048);
  auto rattrs = rsa_pair(0, rsa_pkcs1(Algorithm::SHA_256));
  rattrs.mutable_key_type()->mutable_rsa_public_key();
  rattrs.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(false);
  ASSERT_EQ(a.import("rsa-pub", rattrs, psa_public(rsa.get(), true)).status, Status::Success);
  const std::string d2 = sha(256, "rsa signed by OpenSSL");
  EXPECT_EQ(
      a.verify_hash("rsa-pub", rsa_pkcs1(Algorithm::SHA_256), d2, openssl_sign_digest(rsa.get(), d2, 0, EVP_sha256()))
          .status,
      Status::Success);
  // A public key cannot sign, even when its flags say so.
  EXPECT_EQ(a.sign_hash("rsa-pub", rsa_pkcs1(Algorithm::SHA_256), d2).status, Status::PsaErrorNotPermitted);

  auto eattrs = crypt_attrs(0, oaep(Algorithm::SHA_256));
  eattrs.mutable_key_type()->mutable_rsa_public_key();
  eattrs.mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(false);
  ASSERT_EQ(a.import("rsa-enc", eattrs, psa_public(rsa.get(), true)).status, Status::Success);
  Call c = encrypt(a, "rsa-enc", oaep(Algorithm::SHA_256), "to OpenSSL", "lbl");
  ASSERT_EQ(c.status, Status::Success);
  EXPECT_EQ(rsa_decrypt(rsa.get(), c.body, true, Algorithm::SHA_256, "lbl"), "to OpenSSL");
  // A point off the curve is refused.
  std::string off = psa_public(ecc.get(), false);
  off[off.size() - 1] ^= 1;
  EXPECT_EQ(a.import("off-curve", attrs, off).status, Status::PsaErrorInvalidArgument);
}

// ---- random, capability ------------------------------------------------------------------

TEST_F(Tpm, GenerateRandomOfAnySize) {
  App a = app("alice");
  for (uint64_t n : {0u, 1u, 64u, 65u, 1000u, 20000u}) {
    Call r = random(a, n);
    ASSERT_EQ(r.status, Status::Success) << n;
    EXPECT_EQ(r.body.size(), n);
  }
  Call x = random(a, 4096);
  Call y = random(a, 4096);
  EXPECT_NE(x.body, y.body);
  EXPECT_EQ(random(a, (1u << 20) + 1).status, Status::ResponseTooLarge);
}

TEST_F(Tpm, CanDoCrypto) {
  App a = app("alice");
  EXPECT_EQ(can_do(a, can_do_crypto::GENERATE, ecc_pair(521, ecdsa(Algorithm::SHA_512))), Status::Success);
  EXPECT_EQ(can_do(a, can_do_crypto::GENERATE, rsa_pair(3072, rsa_pss(Algorithm::SHA_256))), Status::Success);
  EXPECT_EQ(can_do(a, can_do_crypto::GENERATE, rsa_pair(4096, rsa_pss(Algorithm::SHA_256))),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::USE, crypt_attrs(2048, oaep(Algorithm::SHA_384))), Status::Success);
  Algorithm::AsymmetricSignature det;
  det.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(Algorithm::SHA_256);
  EXPECT_EQ(can_do(a, can_do_crypto::USE, ecc_pair(256, det)), Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::USE, ecc_pair(256, rsa_pss(Algorithm::SHA_256))), Status::PsaErrorNotSupported);
  auto pub = ecc_pair(0, ecdsa(Algorithm::SHA_256));
  pub.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  EXPECT_EQ(can_do(a, can_do_crypto::IMPORT, pub), Status::Success);
  EXPECT_EQ(can_do(a, can_do_crypto::GENERATE, pub), Status::PsaErrorNotSupported);
  EXPECT_EQ(can_do(a, can_do_crypto::DERIVE, ecc_pair(256, ecdsa(Algorithm::SHA_256))), Status::PsaErrorNotSupported);
}

// ---- attestation ---------------------------------------------------------------------------

TEST_F(Tpm, AttestKeyWithActivateCredential) {
  App a = app("alice");
  ASSERT_EQ(a.generate("attested", crypt_attrs(2048, oaep(Algorithm::SHA_256))).status, Status::Success);
  prepare_key_attestation::Operation pop;
  pop.mutable_parameters()->mutable_activate_credential()->set_attested_key_name("attested");
  Call pc = tcall(a, Opcode::PrepareKeyAttestation, pop);
  ASSERT_EQ(pc.status, Status::Success);
  prepare_key_attestation::Result pr;
  ASSERT_TRUE(pr.ParseFromString(pc.body));
  const auto& prep = pr.output().activate_credential();
  // The name is the SHA-256 name of the public area.
  EXPECT_EQ(prep.name(), std::string("\x00\x0b", 2) + sha256(prep.public_()));
  Pkey ek = rsa_public_from_der(prep.attesting_key_pub());
  ASSERT_TRUE(ek);
  EXPECT_EQ(EVP_PKEY_get_bits(ek.get()), 2048);

  const std::string credential = "a credential for the attested key";
  std::string blob;
  std::string secret;
  make_credential(prep.attesting_key_pub(), prep.name(), credential, blob, secret);
  attest_key::Operation aop;
  aop.set_attested_key_name("attested");
  aop.mutable_parameters()->mutable_activate_credential()->set_credential_blob(blob);
  aop.mutable_parameters()->mutable_activate_credential()->set_secret(secret);
  Call ac = tcall(a, Opcode::AttestKey, aop);
  ASSERT_EQ(ac.status, Status::Success);
  attest_key::Result ar;
  ASSERT_TRUE(ar.ParseFromString(ac.body));
  EXPECT_EQ(ar.output().activate_credential().credential(), credential);

  // A credential made for another name does not activate.
  std::string other_blob;
  make_credential(prep.attesting_key_pub(), std::string("\x00\x0b", 2) + sha256("other"), credential, other_blob,
                  secret);
  aop.mutable_parameters()->mutable_activate_credential()->set_credential_blob(other_blob);
  aop.mutable_parameters()->mutable_activate_credential()->set_secret(secret);
  EXPECT_NE(tcall(a, Opcode::AttestKey, aop).status, Status::Success);
  // Non-default attesting keys are not supported.
  aop.set_attesting_key_name("mine");
  EXPECT_EQ(tcall(a, Opcode::AttestKey, aop).status, Status::PsaErrorNotSupported);
  // Signing keys can be attested too; the object's kind does not matter.
  ASSERT_EQ(a.generate("signer", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  pop.mutable_parameters()->mutable_activate_credential()->set_attested_key_name("signer");
  Call pc2 = tcall(a, Opcode::PrepareKeyAttestation, pop);
  ASSERT_EQ(pc2.status, Status::Success);
  pr.ParseFromString(pc2.body);
  make_credential(pr.output().activate_credential().attesting_key_pub(), pr.output().activate_credential().name(),
                  "second", blob, secret);
  aop.set_attesting_key_name("");
  aop.set_attested_key_name("signer");
  aop.mutable_parameters()->mutable_activate_credential()->set_credential_blob(blob);
  aop.mutable_parameters()->mutable_activate_credential()->set_secret(secret);
  Call ac2 = tcall(a, Opcode::AttestKey, aop);
  ASSERT_EQ(ac2.status, Status::Success);
  ar.ParseFromString(ac2.body);
  EXPECT_EQ(ar.output().activate_credential().credential(), "second");
}

// ---- tenancy, lifecycle, concurrency ---------------------------------------------------------

TEST_F(Tpm, KeysBelongToTheirApplication) {
  App alice = app("alice");
  App bob = app("bob");
  ASSERT_EQ(alice.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_EQ(bob.sign_hash("k", ecdsa(Algorithm::SHA_256), sha(256, "m")).status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.export_public("k").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.destroy("k").status, Status::PsaErrorDoesNotExist);
  ASSERT_EQ(bob.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_NE(alice.export_public("k").body, bob.export_public("k").body);
  sign_and_check(bob, "k", 256, false, ecdsa(Algorithm::SHA_256), 256);
  ASSERT_EQ(alice.destroy("k").status, Status::Success);
  EXPECT_EQ(alice.export_public("k").status, Status::PsaErrorDoesNotExist);
  sign_and_check(bob, "k", 256, false, ecdsa(Algorithm::SHA_256), 256);
  ASSERT_EQ(alice.generate("k", ecc_pair(384, ecdsa(Algorithm::SHA_384))).status, Status::Success);
}

TEST_F(Tpm, EightClientsSignAtOnce) {
  // swtpm has three transient slots and no resource manager: concurrent
  // requests must never see TPM_RC_OBJECT_MEMORY (0x902).
  constexpr int kClients = 8;
  constexpr int kEach = 12;
  std::vector<std::string> pubs(kClients);
  for (int i = 0; i < kClients; ++i) {
    App a = app("client" + std::to_string(i));
    const bool rsa = i % 4 == 3;
    ASSERT_EQ(
        a.generate("k", rsa ? rsa_pair(2048, rsa_pkcs1(Algorithm::SHA_256)) : ecc_pair(256, ecdsa(Algorithm::SHA_256)))
            .status,
        Status::Success);
    pubs[static_cast<size_t>(i)] = a.export_public("k").body;
  }
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      App a = app("client" + std::to_string(i));
      const bool rsa = i % 4 == 3;
      for (int j = 0; j < kEach; ++j) {
        const std::string digest = sha(256, "message " + std::to_string(i) + "/" + std::to_string(j));
        Call s = a.sign_hash("k", rsa ? rsa_pkcs1(Algorithm::SHA_256) : ecdsa(Algorithm::SHA_256), digest);
        const bool ok = s.status == Status::Success &&
                        (rsa ? openssl_verify_rsa(pubs[static_cast<size_t>(i)], digest, s.body, false, 256)
                             : openssl_verify_ecdsa(pubs[static_cast<size_t>(i)], 256, digest, s.body));
        (ok ? good : bad)++;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(good.load(), kClients * kEach);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(d_->log().find("OBJECT_MEMORY"), std::string::npos);
  EXPECT_EQ(d_->log().find("0x902"), std::string::npos);
}

TEST_F(Tpm, KeysSurviveADaemonRestart) {
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("rsa", crypt_attrs(2048, oaep(Algorithm::SHA_256))).status, Status::Success);
  const std::string ecc_pub = a.export_public("ecc").body;
  const std::string rsa_pub = a.export_public("rsa").body;
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  d_->start();
  EXPECT_EQ(a.export_public("ecc").body, ecc_pub);
  sign_and_check(a, "ecc", 256, false, ecdsa(Algorithm::SHA_256), 256);
  Pkey pub = rsa_public_from_der(rsa_pub);
  Call p = decrypt(a, "rsa", oaep(Algorithm::SHA_256),
                   rsa_encrypt(pub.get(), "still here", true, Algorithm::SHA_256, ""), "");
  ASSERT_EQ(p.status, Status::Success);
  EXPECT_EQ(p.body, "still here");
  // The key store file is private to the daemon.
  struct stat st {};
  ASSERT_EQ(::stat(d_->store_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(Tpm, KeysSurviveASwtpmRestartWhileTheDaemonRuns) {
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(384, ecdsa(Algorithm::SHA_384))).status, Status::Success);
  sign_and_check(a, "ecc", 384, false, ecdsa(Algorithm::SHA_384), 384);
  for (int round = 0; round < 2; ++round) {
    tpm_->stop();
    tpm_->start();
    // The first request after the restart finds the primary key gone,
    // reconnects and re-creates it, and still succeeds.
    sign_and_check(a, "ecc", 384, false, ecdsa(Algorithm::SHA_384), 384);
    ASSERT_EQ(a.generate("new" + std::to_string(round), ecc_pair(256, ecdsa(Algorithm::SHA_256))).status,
              Status::Success);
  }
  EXPECT_NE(d_->log().find("the TPM was restarted"), std::string::npos);
}

TEST_F(Tpm, OutageFailsFastAndRecovers) {
  App a = app("alice");
  a.may_be_down = true;
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  const std::string pub = a.export_public("ecc").body;
  const size_t log_from = d_->log_size();
  tpm_->stop();
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Call s = a.sign_hash("ecc", ecdsa(Algorithm::SHA_256), sha(256, "during outage"));
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(s.status, Status::PsaErrorCommunicationFailure);
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_EQ(random(a, 16).status, Status::PsaErrorCommunicationFailure);
  }
  EXPECT_TRUE(d_->wait_for_log("the TPM is unreachable", log_from, std::chrono::milliseconds(2000)));
  // What needs no TPM still works.
  EXPECT_EQ(a.export_public("ecc").body, pub);
  tpm_->start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Call s;
  while (std::chrono::steady_clock::now() < deadline) {
    s = a.sign_hash("ecc", ecdsa(Algorithm::SHA_256), sha(256, "after outage"));
    if (s.status == Status::Success) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(s.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(pub, 256, sha(256, "after outage"), s.body));
  EXPECT_TRUE(d_->wait_for_log("the TPM answers again", log_from, std::chrono::milliseconds(2000)));
}

// ---- start-up ------------------------------------------------------------------------------------

TEST(TpmStartup, WrongOwnerPasswordIsAClearStartupError) {
  if (!Swtpm::available()) {
    FAIL() << "swtpm is not installed (scripts/install-deps.sh installs it)";
  }
  Swtpm tpm;
  std::string out;
  ASSERT_EQ(tpm.tool({"tpm2_changeauth", "-c", "owner", "Owner-Secret-42"}, &out), 0) << out;
  DaemonOptions o;
  o.providers = tpm_provider(tpm.tcti(), "Wrong-Guess-17");
  Daemon d(o);
  EXPECT_NE(d.start_expect_exit(), 0);
  const std::string log = d.log();
  EXPECT_NE(log.find("TPM_RC_BAD_AUTH"), std::string::npos) << log;
  EXPECT_NE(log.find("owner_hierarchy_auth"), std::string::npos) << log;
  EXPECT_EQ(log.find("Wrong-Guess-17"), std::string::npos);
  EXPECT_EQ(log.find("Owner-Secret-42"), std::string::npos);
  // The right password, as a string and hex-encoded, starts it.
  for (const std::string& auth : {std::string("str:Owner-Secret-42"), std::string("Owner-Secret-42"),
                                  std::string("hex:4f776e65722d5365637265742d3432")}) {
    o.providers = tpm_provider(tpm.tcti(), auth);
    Daemon ok(o);
    ok.start();
    App a{ok.socket_path(), "alice"};
    a.provider = kTpm;
    EXPECT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
    EXPECT_EQ(ok.log().find("Owner-Secret-42"), std::string::npos);
    EXPECT_EQ(ok.stop(SIGTERM), 0);
  }
}

TEST(TpmStartup, UnreachableTpmIsAClearStartupError) {
  DaemonOptions o;
  TempDir nowhere;
  const std::string tcti = "swtpm:path=" + nowhere.path() + "/no.sock";
  o.providers = tpm_provider(tcti);
  Daemon d(o);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_NE(d.start_expect_exit(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  const std::string log = d.log();
  EXPECT_NE(log.find(tcti), std::string::npos) << log;
  EXPECT_NE(log.find("no TPM answers"), std::string::npos) << log;
}

TEST(TpmStartup, LockoutDoesNotStopTheDaemon) {
  // Put the TPM in dictionary-attack lockout with a DA-protected object and
  // wrong passwords. The owner hierarchy is exempt from DA and the provider's
  // keys are noDA, so parsecd starts and serves.
  if (!Swtpm::available()) {
    FAIL() << "swtpm is not installed (scripts/install-deps.sh installs it)";
  }
  Swtpm tpm;
  const std::string ctx = tpm.state_dir() + "/da.ctx";
  std::string out;
  ASSERT_EQ(tpm.tool({"tpm2_createprimary", "-C", "o", "-c", ctx, "-p", "right"}, &out), 0) << out;
  bool locked = false;
  for (int i = 0; i < 40 && !locked; ++i) {
    tpm.tool({"tpm2_flushcontext", "-t"});
    tpm.tool(
        {"tpm2_create", "-C", ctx, "-P", "wrong", "-u", tpm.state_dir() + "/x.pub", "-r", tpm.state_dir() + "/x.priv"},
        &out);
    locked = out.find("lockout") != std::string::npos || out.find("0x921") != std::string::npos;
  }
  tpm.tool({"tpm2_flushcontext", "-t"});
  ASSERT_TRUE(locked) << out;
  DaemonOptions o;
  o.providers = tpm_provider(tpm.tcti());
  Daemon d(o);
  d.start();
  App a{d.socket_path(), "alice"};
  a.provider = kTpm;
  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  Call pub = a.export_public("k");
  const std::string digest = sha(256, "in lockout");
  Call s = a.sign_hash("k", ecdsa(Algorithm::SHA_256), digest);
  ASSERT_EQ(s.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, digest, s.body));
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(TpmStartup, SkipIfNoTpmLeavesTheProviderOut) {
  TempDir gone;  // a TCTI socket path where nothing listens
  DaemonOptions o;
  o.providers = "[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"sqlite-manager\"\ntcti = \"swtpm:path=" +
                gone.path() + "/tpm.sock\"\nowner_hierarchy_auth = \"\"\nskip_if_no_tpm = true\n\n" +
                "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"sqlite-manager\"\n";
  Daemon d(o);
  d.start();
  EXPECT_NE(d.log().find("skip_if_no_tpm"), std::string::npos) << d.log();
  list_providers::Operation op;
  Call c = call(d.socket_path(), Opcode::ListProviders, 0, AuthType::NoAuth, "", op);
  list_providers::Result r;
  ASSERT_TRUE(r.ParseFromString(c.body));
  ASSERT_EQ(r.providers_size(), 2);
  EXPECT_EQ(r.providers(0).id(), 1u);  // the skipped TPM is absent; Mbed Crypto is the default
  EXPECT_EQ(r.providers(1).id(), 0u);
  EXPECT_EQ(d.stop(SIGTERM), 0);
  // Without skip_if_no_tpm the same configuration is a start-up failure.
  std::string cfg = d.config_text(o);
  cfg.replace(cfg.find("skip_if_no_tpm = true"), 21, "skip_if_no_tpm = false");
  d.write_config(cfg);
  EXPECT_EQ(d.start_expect_exit(), 1);
}

}  // namespace
}  // namespace parsec::e2e

#endif  // PARSEC_WITH_TPM
