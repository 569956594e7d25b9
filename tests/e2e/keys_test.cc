// Keys end to end on the software provider: every signature is verified with
// OpenSSL; policy, naming, tenancy and persistence rules are checked against
// the real daemon.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <filesystem>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include "list_keys.pb.h"
#include "psa_generate_random.pb.h"
#include "tests/e2e/proto_client.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;

class Keys : public ::testing::Test {
 protected:
  void SetUp() override { d_.start(); }
  void TearDown() override { EXPECT_EQ(d_.stop(SIGTERM), 0); }
  App app(const std::string& name) const { return App{d_.socket_path(), name}; }
  Daemon d_;
};

TEST_F(Keys, EcdsaSignaturesVerifyWithOpenSSL) {
  App a = app("alice");
  for (auto [bits, hash, hbits] : {std::tuple{256u, Algorithm::SHA_256, 256}, {384u, Algorithm::SHA_384, 384}}) {
    std::string name = "ecc-" + std::to_string(bits);
    ASSERT_EQ(a.generate(name, ecc_pair(bits, ecdsa(hash))).status, Status::Success);
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    ASSERT_EQ(pub.body.size(), 1 + 2 * (bits / 8));
    ASSERT_EQ(pub.body[0], '\x04');
    std::string digest = sha(hbits, "message for " + name);
    Call sig = a.sign_hash(name, ecdsa(hash), digest);
    ASSERT_EQ(sig.status, Status::Success);
    EXPECT_TRUE(openssl_verify_ecdsa(pub.body, static_cast<int>(bits), digest, sig.body));
    EXPECT_EQ(a.verify_hash(name, ecdsa(hash), digest, sig.body).status, Status::Success);
    std::string bad = sig.body;
    bad[5] ^= 1;
    EXPECT_FALSE(openssl_verify_ecdsa(pub.body, static_cast<int>(bits), digest, bad));
    EXPECT_EQ(a.verify_hash(name, ecdsa(hash), digest, bad).status, Status::PsaErrorInvalidSignature);
  }
}

TEST_F(Keys, RsaSignaturesVerifyWithOpenSSL) {
  App a = app("alice");
  struct Case {
    uint32_t bits;
    bool pss;
  };
  for (Case c : {Case{1024, false}, Case{2048, false}, Case{2048, true}}) {
    std::string name = "rsa-" + std::to_string(c.bits) + (c.pss ? "-pss" : "-pkcs1");
    auto alg = c.pss ? rsa_pss(Algorithm::SHA_256) : rsa_pkcs1(Algorithm::SHA_256);
    ASSERT_EQ(a.generate(name, rsa_pair(c.bits, alg)).status, Status::Success) << name;
    Call pub = a.export_public(name);
    ASSERT_EQ(pub.status, Status::Success);
    std::string digest = sha(256, "message for " + name);
    Call sig = a.sign_hash(name, alg, digest);
    ASSERT_EQ(sig.status, Status::Success);
    EXPECT_EQ(sig.body.size(), c.bits / 8);
    EXPECT_TRUE(openssl_verify_rsa(pub.body, digest, sig.body, c.pss, 256)) << name;
    EXPECT_EQ(a.verify_hash(name, alg, digest, sig.body).status, Status::Success);
    std::string other = sha(256, "another message");
    EXPECT_FALSE(openssl_verify_rsa(pub.body, other, sig.body, c.pss, 256));
    EXPECT_EQ(a.verify_hash(name, alg, other, sig.body).status, Status::PsaErrorInvalidSignature);
  }
}

TEST_F(Keys, WildcardHashPolicyPermitsSpecificHashes) {
  App a = app("alice");
  Algorithm::AsymmetricSignature any;
  any.mutable_ecdsa()->mutable_hash_alg()->mutable_any();
  ASSERT_EQ(a.generate("k", ecc_pair(256, any)).status, Status::Success);
  Call pub = a.export_public("k");
  for (auto [hash, hbits] : {std::pair{Algorithm::SHA_256, 256}, {Algorithm::SHA_384, 384}}) {
    std::string digest = sha(hbits, "m");
    Call sig = a.sign_hash("k", ecdsa(hash), digest);
    ASSERT_EQ(sig.status, Status::Success);
    EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, digest, sig.body));
  }
  // A request naming `any` is never permitted.
  EXPECT_EQ(a.sign_hash("k", any, sha(256, "m")).status, Status::PsaErrorNotPermitted);
}

TEST_F(Keys, PolicyIsEnforced) {
  App a = app("alice");
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  attrs.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(false);
  ASSERT_EQ(a.generate("verify-only", attrs).status, Status::Success);
  EXPECT_EQ(a.sign_hash("verify-only", ecdsa(Algorithm::SHA_256), sha(256, "m")).status, Status::PsaErrorNotPermitted);
  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  // Another hash than the policy's, another scheme, another key type.
  EXPECT_EQ(a.sign_hash("k", ecdsa(Algorithm::SHA_384), sha(384, "m")).status, Status::PsaErrorNotPermitted);
  Algorithm::AsymmetricSignature det;
  det.mutable_deterministic_ecdsa()->mutable_hash_alg()->set_specific(Algorithm::SHA_256);
  EXPECT_EQ(a.sign_hash("k", det, sha(256, "m")).status, Status::PsaErrorNotPermitted);
  EXPECT_EQ(a.sign_hash("k", rsa_pkcs1(Algorithm::SHA_256), sha(256, "m")).status, Status::PsaErrorNotPermitted);
  // Hash length must match the algorithm's hash.
  EXPECT_EQ(a.sign_hash("k", ecdsa(Algorithm::SHA_256), std::string(31, 'x')).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.sign_hash("k", ecdsa(Algorithm::SHA_256), std::string(33, 'x')).status, Status::PsaErrorInvalidArgument);
}

TEST_F(Keys, CreationRules) {
  App a = app("alice");
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  ASSERT_EQ(a.generate("k", attrs).status, Status::Success);
  EXPECT_EQ(a.generate("k", attrs).status, Status::PsaErrorAlreadyExists);
  // Public keys cannot be generated.
  auto pub = attrs;
  pub.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  EXPECT_EQ(a.generate("pub", pub).status, Status::PsaErrorInvalidArgument);
  // Deprecated primitives are refused on generation.
  EXPECT_EQ(a.generate("sha1", ecc_pair(256, ecdsa(Algorithm::SHA_1))).status, Status::DeprecatedPrimitive);
  // RSA sizes outside the provider's set.
  EXPECT_EQ(a.generate("rsa-1000", rsa_pair(1000, rsa_pkcs1(Algorithm::SHA_256))).status,
            Status::PsaErrorInvalidArgument);
  // Destroy frees the name.
  EXPECT_EQ(a.destroy("k").status, Status::Success);
  EXPECT_EQ(a.destroy("k").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(a.sign_hash("k", ecdsa(Algorithm::SHA_256), sha(256, "m")).status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(a.generate("k", attrs).status, Status::Success);
}

TEST_F(Keys, ImportedPublicKeyVerifiesOpenSSLSignature) {
  // OpenSSL makes a P-256 key and signs; the daemon verifies with the
  // imported public key.
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  ASSERT_NE(pkey, nullptr);
  unsigned char point[65];
  size_t plen = 0;
  ASSERT_EQ(EVP_PKEY_get_octet_string_param(pkey, "pub", point, sizeof point, &plen), 1);
  std::string digest = sha(256, "signed by openssl");
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  unsigned char der[80];
  size_t der_len = sizeof der;
  ASSERT_EQ(EVP_PKEY_sign(ctx, der, &der_len, reinterpret_cast<const unsigned char*>(digest.data()), digest.size()), 1);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  const unsigned char* p = der;
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  unsigned char raw[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
  ECDSA_SIG_free(es);

  App a = app("alice");
  auto attrs = ecc_pair(0, ecdsa(Algorithm::SHA_256));
  attrs.mutable_key_type()->mutable_ecc_public_key()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  attrs.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(false);
  ASSERT_EQ(a.import("peer", attrs, std::string(reinterpret_cast<char*>(point), plen)).status, Status::Success);
  std::string sig(reinterpret_cast<char*>(raw), 64);
  EXPECT_EQ(a.verify_hash("peer", ecdsa(Algorithm::SHA_256), digest, sig).status, Status::Success);
  sig[10] ^= 0x40;
  EXPECT_EQ(a.verify_hash("peer", ecdsa(Algorithm::SHA_256), digest, sig).status, Status::PsaErrorInvalidSignature);
  Call exported = a.export_public("peer");
  EXPECT_EQ(exported.body, std::string(reinterpret_cast<char*>(point), plen));
  // key_bits came from the data.
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(a.list_keys().body));
  ASSERT_EQ(lk.keys_size(), 1);
  EXPECT_EQ(lk.keys(0).attributes().key_bits(), 256u);
}

TEST_F(Keys, ApplicationsCannotReachEachOthersKeys) {
  App alice = app("alice"), bob = app("bob");
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  ASSERT_EQ(alice.generate("shared-name", attrs).status, Status::Success);
  std::string digest = sha(256, "m");
  EXPECT_EQ(bob.sign_hash("shared-name", ecdsa(Algorithm::SHA_256), digest).status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.export_public("shared-name").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(bob.destroy("shared-name").status, Status::PsaErrorDoesNotExist);
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(bob.list_keys().body));
  EXPECT_EQ(lk.keys_size(), 0);
  // Bob's key of the same name is a different key.
  ASSERT_EQ(bob.generate("shared-name", attrs).status, Status::Success);
  EXPECT_NE(alice.export_public("shared-name").body, bob.export_public("shared-name").body);
  Call sig = bob.sign_hash("shared-name", ecdsa(Algorithm::SHA_256), digest);
  EXPECT_TRUE(openssl_verify_ecdsa(bob.export_public("shared-name").body, 256, digest, sig.body));
  EXPECT_FALSE(openssl_verify_ecdsa(alice.export_public("shared-name").body, 256, digest, sig.body));
  EXPECT_EQ(bob.destroy("shared-name").status, Status::Success);
  EXPECT_EQ(alice.export_public("shared-name").status, Status::Success);
  // Names are case-sensitive identities: "Alice" is someone else.
  EXPECT_EQ(app("Alice").export_public("shared-name").status, Status::PsaErrorDoesNotExist);
}

TEST_F(Keys, HostileKeyNamesAreHandledByRule) {
  App a = app("alice");
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  // Accepted: names are data, never paths or SQL.
  for (std::string name : {std::string("../x"), std::string("../../etc/passwd"), std::string("a/b\\c"),
                           std::string("'; DROP TABLE keys; --"), std::string("ключ-🔑"), std::string(1024, 'n')}) {
    EXPECT_EQ(a.generate(name, attrs).status, Status::Success) << name.substr(0, 40);
    EXPECT_EQ(a.export_public(name).status, Status::Success);
  }
  // Refused by rule.
  EXPECT_EQ(a.generate("", attrs).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate(std::string(1025, 'n'), attrs).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate(std::string("new\nline"), attrs).status, Status::PsaErrorInvalidArgument);
  EXPECT_EQ(a.generate(std::string("nul\0byte", 8), attrs).status, Status::PsaErrorInvalidArgument);
  list_keys::Result lk;
  ASSERT_TRUE(lk.ParseFromString(a.list_keys().body));
  EXPECT_EQ(lk.keys_size(), 6);
  // Nothing was written outside the store folder, and the daemon's working
  // directory is empty.
  std::vector<std::string> entries;
  for (const auto& e : std::filesystem::recursive_directory_iterator(d_.dir())) {
    entries.push_back(std::filesystem::relative(e.path(), d_.dir()).string());
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    EXPECT_TRUE(e == "config.toml" || e == "cwd" || e == "parsec.sock" || e.rfind("store", 0) == 0) << e;
  }
  EXPECT_TRUE(std::filesystem::is_empty(d_.dir() + "/cwd"));
}

TEST_F(Keys, KeysSurviveRestart) {
  App a = app("alice");
  ASSERT_EQ(a.generate("ecc", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.generate("rsa", rsa_pair(2048, rsa_pss(Algorithm::SHA_256))).status, Status::Success);
  std::string ecc_pub = a.export_public("ecc").body;
  std::string rsa_pub = a.export_public("rsa").body;
  ASSERT_EQ(d_.stop(SIGTERM), 0);
  d_.start();
  std::string digest = sha(256, "after restart");
  EXPECT_EQ(a.export_public("ecc").body, ecc_pub);
  Call s1 = a.sign_hash("ecc", ecdsa(Algorithm::SHA_256), digest);
  ASSERT_EQ(s1.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(ecc_pub, 256, digest, s1.body));
  Call s2 = a.sign_hash("rsa", rsa_pss(Algorithm::SHA_256), digest);
  ASSERT_EQ(s2.status, Status::Success);
  EXPECT_TRUE(openssl_verify_rsa(rsa_pub, digest, s2.body, true, 256));
  // Even after SIGKILL, an acknowledged key is there.
  ASSERT_EQ(a.generate("late", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  std::string late_pub = a.export_public("late").body;
  d_.stop(SIGKILL);
  d_.start();
  Call s3 = a.sign_hash("late", ecdsa(Algorithm::SHA_256), digest);
  ASSERT_EQ(s3.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(late_pub, 256, digest, s3.body));
}

TEST_F(Keys, FileModes) {
  App a = app("alice");
  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  struct stat st {};
  ASSERT_EQ(::stat(d_.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  ASSERT_EQ(::stat(d_.store_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((d_.dir() + "/store").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& e : std::filesystem::directory_iterator(d_.dir() + "/store")) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << e.path();
  }
}

TEST_F(Keys, RandomBytes) {
  App a = app("alice");
  for (uint64_t n : {0ull, 1ull, 32ull, 65536ull}) {
    psa_generate_random::Operation op;
    op.set_size(n);
    Call c = call(d_.socket_path(), Opcode::PsaGenerateRandom, 1, AuthType::NoAuth, "", op);
    ASSERT_EQ(c.status, Status::Success);
    psa_generate_random::Result r;
    ASSERT_TRUE(r.ParseFromString(c.body));
    EXPECT_EQ(r.random_bytes().size(), n);
    if (n >= 32) {
      EXPECT_NE(r.random_bytes(), std::string(n, '\0'));
    }
  }
}

}  // namespace
}  // namespace parsec::e2e
