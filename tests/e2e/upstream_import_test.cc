// parsecd --import-upstream against files an upstream Parsec 1.5 daemon wrote
// (tests/fixtures/upstream-1.5, see its README): the software keys are
// imported and are the same keys (signatures verify and ciphertexts decrypt
// with the public keys upstream exported), PKCS#11 and TPM keys are reported
// as not movable, re-running is safe, a name conflict and a corrupt mapping
// are refused with their reason.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "psa_asymmetric_decrypt.pb.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/proto_client.h"

namespace parsec::e2e {
namespace {

namespace fs = std::filesystem;
using psa_algorithm::Algorithm;

const std::string kFixture = std::string(PARSEC_SOURCE_DIR) + "/tests/fixtures/upstream-1.5";
constexpr int kNotMovable = 3;  // parsecd's exit status when some keys could not be moved

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey upstream_public_key(const std::string& file) {
  FILE* f = std::fopen((kFixture + "/public/" + file).c_str(), "r");
  if (f == nullptr) {
    return nullptr;
  }
  Pkey k(PEM_read_PUBKEY(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return k;
}

// verify checks a daemon signature (ECDSA raw r||s or RSA PKCS#1 v1.5) over
// a SHA-256 digest with the public key upstream exported.
bool verify(EVP_PKEY* k, const std::string& digest, const std::string& sig) {
  std::string der = sig;
  if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
    ECDSA_SIG* s = ECDSA_SIG_new();
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG_set0(s, BN_bin2bn(p, 32, nullptr), BN_bin2bn(p + 32, 32, nullptr));
    unsigned char* out = nullptr;
    const int n = i2d_ECDSA_SIG(s, &out);
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    OPENSSL_free(out);
    ECDSA_SIG_free(s);
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
  bool ok = EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1;
  if (ok && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                             reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

std::string encrypt(EVP_PKEY* k, bool oaep, const std::string& plaintext) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
  size_t len = 0;
  std::string out;
  if (EVP_PKEY_encrypt_init(ctx) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1 &&
      (!oaep || (EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1)) &&
      EVP_PKEY_encrypt(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                       plaintext.size()) == 1) {
    out.resize(len);
    EVP_PKEY_encrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                     reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size());
    out.resize(len);
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

class UpstreamImport : public ::testing::Test {
 protected:
  void SetUp() override {
    // A copy: the test may damage it, and the import must not need to write there.
    fs::copy(kFixture, copy_.path() + "/upstream", fs::copy_options::recursive);
    d_ = std::make_unique<Daemon>();
  }
  void TearDown() override {
    if (d_->running()) {
      EXPECT_EQ(d_->stop(SIGTERM), 0);
    }
  }
  // import runs parsecd --import-upstream on the copy and returns its exit status.
  int import() {
    from_ = d_->log_size();
    const std::string up = copy_.path() + "/upstream";
    return d_->start_expect_exit(std::chrono::seconds(60), {"--import-upstream", up + "/mappings", "--upstream-keys",
                                                            up + "/keys", "--upstream-auth", "direct"});
  }
  bool logged(const std::string& needle) { return d_->wait_for_log(needle, from_, std::chrono::milliseconds(1)); }
  App app() const { return App{d_->socket_path(), "parsec-tool"}; }

  // check_keys proves each imported key is upstream's key.
  void check_keys() {
    App a = app();
    const std::string digest = sha(256, "migrated");
    for (const auto& [name, pem, alg] : {std::tuple{"device key/é", "device key_é.pem", ecdsa(Algorithm::SHA_256)},
                                         std::tuple{"rsa-sign", "rsa-sign.pem", rsa_pkcs1(Algorithm::SHA_256)}}) {
      Pkey pub = upstream_public_key(pem);
      ASSERT_TRUE(pub) << pem;
      Call s = a.sign_hash(name, alg, digest);
      ASSERT_EQ(s.status, Status::Success) << name;
      EXPECT_TRUE(verify(pub.get(), digest, s.body)) << name << ": the signature does not verify with upstream's key";
    }
    for (bool oaep : {true, false}) {
      const std::string name = oaep ? "rsa-oaep" : "rsa-pkcs1";
      Pkey pub = upstream_public_key(name + ".pem");
      ASSERT_TRUE(pub) << name;
      const std::string ciphertext = encrypt(pub.get(), oaep, "a secret for " + name);
      ASSERT_FALSE(ciphertext.empty());
      Algorithm::AsymmetricEncryption alg;
      if (oaep) {
        alg.mutable_rsa_oaep()->set_hash_alg(Algorithm::SHA_256);
      } else {
        alg.mutable_rsa_pkcs1v15_crypt();
      }
      Call dec = asymmetric_decrypt(a, name, alg, ciphertext);
      ASSERT_EQ(dec.status, Status::Success) << name;
      EXPECT_EQ(dec.body, "a secret for " + name);
    }
  }

  TempDir copy_;
  std::unique_ptr<Daemon> d_;
  size_t from_ = 0;
};

TEST_F(UpstreamImport, SoftwareKeysMoveAndStayTheSameKeys) {
  EXPECT_EQ(import(), kNotMovable);
  EXPECT_TRUE(logged("import-upstream: 4 imported, 0 already present, 2 not movable, 0 failed")) << d_->log();
  EXPECT_TRUE(logged("\"p11-ecc\" of \"parsec-tool\" (PKCS #11) not moved"));
  EXPECT_TRUE(logged("\"tpm-ecc\" of \"parsec-tool\" (TPM) not moved"));
  d_->start();
  check_keys();
  // The owner is the Direct application upstream recorded; nobody else sees the keys.
  App bob{d_->socket_path(), "bob"};
  EXPECT_EQ(bob.export_public("rsa-sign").status, Status::PsaErrorDoesNotExist);
  // Policies came across: the signing key cannot decrypt, the decryption key cannot sign.
  App a = app();
  EXPECT_EQ(a.sign_hash("rsa-oaep", rsa_pkcs1(Algorithm::SHA_256), sha(256, "x")).status, Status::PsaErrorNotPermitted);
  // Nothing landed in the working directory: the material is in the store.
  EXPECT_TRUE(fs::is_empty(d_->dir() + "/cwd"));
}

TEST_F(UpstreamImport, ReRunningIsSafeAndFinishesAnInterruptedImport) {
  ASSERT_EQ(import(), kNotMovable);
  ASSERT_EQ(import(), kNotMovable);
  EXPECT_TRUE(logged("import-upstream: 0 imported, 4 already present, 2 not movable, 0 failed")) << d_->log();
  // An import stopped before its last key, modelled by removing one imported key.
  d_->start();
  ASSERT_EQ(app().destroy("rsa-sign").status, Status::Success);
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  ASSERT_EQ(import(), kNotMovable);
  EXPECT_TRUE(logged("import-upstream: 1 imported, 3 already present, 2 not movable, 0 failed")) << d_->log();
  d_->start();
  check_keys();
}

TEST_F(UpstreamImport, ADifferentKeyOfTheSameNameIsAConflict) {
  d_->start();
  ASSERT_EQ(app().generate("rsa-sign", rsa_pair(2048, rsa_pkcs1(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(d_->stop(SIGTERM), 0);
  EXPECT_EQ(import(), 1);
  EXPECT_TRUE(
      logged("\"rsa-sign\" of \"parsec-tool\" (Mbed Crypto) not imported: a different key of that name exists"));
  EXPECT_TRUE(logged("import-upstream: 3 imported, 0 already present, 2 not movable, 1 failed")) << d_->log();
}

TEST_F(UpstreamImport, ACorruptMappingStopsTheImportBeforeAnyKey) {
  const fs::path victim = copy_.path() + "/upstream/mappings/cGFyc2VjLXRvb2w=/1/cnNhLXNpZ24=";
  fs::resize_file(victim, fs::file_size(victim) - 3);
  EXPECT_EQ(import(), 1);
  EXPECT_TRUE(logged("import-upstream failed")) << d_->log();
  EXPECT_TRUE(logged("cnNhLXNpZ24=: unknown or truncated hash")) << d_->log();
  d_->start();
  EXPECT_EQ(app().export_public("device key/é").status, Status::PsaErrorDoesNotExist);
}

TEST_F(UpstreamImport, AKeyFileThatDoesNotMatchItsMappingIsRefused) {
  // One byte more in the ECC key's file: its ITS length no longer fits.
  const std::string keys = copy_.path() + "/upstream/keys/";
  std::ofstream(keys + "0000000000000002.psa_its", std::ios::app) << "x";
  EXPECT_EQ(import(), 1);
  EXPECT_TRUE(logged("\"device key/é\" of \"parsec-tool\" (Mbed Crypto) not imported:")) << d_->log();
  EXPECT_TRUE(logged("is not an ITS file of the expected length")) << d_->log();
  EXPECT_TRUE(logged("import-upstream: 3 imported, 0 already present, 2 not movable, 1 failed")) << d_->log();
}

}  // namespace
}  // namespace parsec::e2e
