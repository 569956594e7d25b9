// The provider in-process against a real SoftHSM token: start-up errors,
// keys, session recovery, parallel use and reconciliation. Each test process
// gets its own token store (SoftHSM reads its configuration once, at
// C_Initialize).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "parsec/provider/pkcs11.h"
#include "providers/pkcs11/src/ckr.h"
#include "tests/e2e/softhsm_fixture.h"

namespace parsec::provider {
namespace {

using psa::Algorithm;
using psa::Hash;
using testing::Pkcs11Direct;
using testing::SoftHsm;

constexpr const char* kPin = "unit-PIN-7391";
constexpr const char* kLabel = "Unit Tests";
constexpr const char* kOtherLabel = "Other Token";

class TokenEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    hsm = std::make_unique<SoftHsm>();
    hsm->use();
    serial = hsm->init_token(kLabel, kPin);
    hsm->init_token(kOtherLabel, "other-pin-1");
  }
  void TearDown() override { hsm.reset(); }
  std::unique_ptr<SoftHsm> hsm;
  std::string serial;
};
TokenEnv* g_env = static_cast<TokenEnv*>(::testing::AddGlobalTestEnvironment(new TokenEnv));

// In-memory key store blobs.
class MemStorage : public StorageReader {
 public:
  Result<std::optional<Bytes>> get(uint64_t uid) override {
    auto it = blobs.find(uid);
    return it == blobs.end() ? std::optional<Bytes>() : std::optional<Bytes>(it->second);
  }
  Result<uint64_t> max_uid() override { return blobs.empty() ? 0 : blobs.rbegin()->first; }
  Result<std::vector<uint64_t>> all_uids() override {
    std::vector<uint64_t> out;
    for (auto& [k, v] : blobs) {
      out.push_back(k);
    }
    return out;
  }
  Status commit_now(uint64_t uid, const Bytes& data) override {
    blobs[uid] = data;
    return Status::Success;
  }
  std::map<uint64_t, Bytes> blobs;
};

class MemTxn : public StorageTxn {
 public:
  void put(uint64_t uid, const Bytes& data) override { staged_[uid] = data; }
  void remove(uint64_t uid) override { staged_[uid] = std::nullopt; }
  std::optional<std::optional<Bytes>> staged(uint64_t uid) const override {
    auto it = staged_.find(uid);
    if (it == staged_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  void commit(MemStorage& s) {
    for (auto& [k, v] : staged_) {
      if (v) {
        s.blobs[k] = *v;
      } else {
        s.blobs.erase(k);
      }
    }
  }

 private:
  std::map<uint64_t, std::optional<Bytes>> staged_;
};

ProviderContext context(std::vector<std::pair<std::string, std::string>> settings, StorageReader* storage) {
  ProviderContext ctx;
  ctx.instance_name = "pkcs11-provider";
  ctx.storage = storage;
  ctx.settings = Settings(std::move(settings));
  return ctx;
}

std::unique_ptr<Provider> make(StorageReader* storage, std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::pair<std::string, std::string>> s = {
      {"library_path", SoftHsm::module_path()}, {"token_label", kLabel}, {"user_pin", kPin}};
  s.insert(s.end(), extra.begin(), extra.end());
  auto p = make_pkcs11_provider(context(s, storage));
  EXPECT_TRUE(p.ok()) << p.detail();
  return p.ok() ? std::move(*p) : nullptr;
}

std::string start_error(std::vector<std::pair<std::string, std::string>> settings) {
  auto p = make_pkcs11_provider(context(std::move(settings), nullptr));
  EXPECT_FALSE(p.ok());
  if (p.ok()) {
    return {};
  }
  const std::string& err = p.detail();
  EXPECT_EQ(err.find(kPin), std::string::npos) << "the PIN leaked into: " << err;
  return err;
}

KeyAttributes ecc_key(uint32_t bits, Hash hash) {
  KeyAttributes a;
  a.type = psa::KeyType::EccKeyPair;
  a.family = psa::EccFamily::SecpR1;
  a.bits = bits;
  a.flags.sign_hash = true;
  a.flags.verify_hash = true;
  a.flags.sign_message = true;
  a.flags.verify_message = true;
  a.policy = Algorithm::ecdsa(hash);
  return a;
}

Bytes sha256(const std::string& m) {
  Bytes out(32);
  unsigned int n = 0;
  EVP_Digest(m.data(), m.size(), out.data(), &n, EVP_sha256(), nullptr);
  out.resize(n);
  return out;
}

bool openssl_verify_p256(const Bytes& point, const Bytes& digest, const Bytes& raw) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* fctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = EVP_PKEY_fromdata_init(fctx) == 1 && EVP_PKEY_fromdata(fctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(fctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok || raw.size() != 64) {
    EVP_PKEY_free(key);
    return false;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(raw.data(), 32, nullptr), BN_bin2bn(raw.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_CTX* v = EVP_PKEY_CTX_new(key, nullptr);
  ok = EVP_PKEY_verify_init(v) == 1 &&
       EVP_PKEY_verify(v, der, static_cast<size_t>(len), digest.data(), digest.size()) == 1;
  OPENSSL_free(der);
  EVP_PKEY_CTX_free(v);
  EVP_PKEY_free(key);
  return ok;
}

struct Key {
  StoredKey stored;
  Bytes pub;
};

Key create(Provider& p, MemStorage& storage, const std::string& name, bool commit = true) {
  MemTxn txn;
  auto k = p.generate_key(ecc_key(256, Hash::Sha256), txn);
  EXPECT_TRUE(k.ok()) << status_name(k.status());
  if (commit) {
    txn.commit(storage);
  }
  Key out{StoredKey{name, k->key_ref, k->attributes}, {}};
  auto pub = p.export_public_key(out.stored);
  EXPECT_TRUE(pub.ok());
  out.pub = *pub;
  return out;
}

Result<Bytes> sign(Provider& p, const Key& k, const Bytes& digest) {
  psa::op::SignHash op;
  op.key_name = k.stored.name;
  op.alg = Algorithm::ecdsa(Hash::Sha256);
  op.hash = digest;
  return p.sign_hash(k.stored, op);
}

// Objects on the token whose CKA_ID is `id`.
size_t objects_with_id(Pkcs11Direct& d, const Bytes& id) {
  size_t n = 0;
  for (const auto& o : d.objects()) {
    n += o.id == std::string(id.begin(), id.end()) ? 1 : 0;
  }
  return n;
}

TEST(Pkcs11Provider, StartUpErrorsNameTheCause) {
  std::string module = SoftHsm::module_path();
  EXPECT_NE(start_error({{"token_label", kLabel}}).find("library_path is required"), std::string::npos);
  EXPECT_NE(start_error({{"library_path", "/nonexistent/libp11.so"}}).find("module not found"), std::string::npos);
  EXPECT_NE(start_error({{"library_path", PARSEC_P11_NOT_A_MODULE}}).find("is not a PKCS #11 library"),
            std::string::npos);
  EXPECT_NE(start_error({{"library_path", module}, {"user_pin", kPin}}).find("several tokens and none chosen"),
            std::string::npos);
  EXPECT_NE(start_error({{"library_path", module}, {"serial_number", "0000"}, {"user_pin", kPin}})
                .find("no initialised token matches serial_number \"0000\""),
            std::string::npos);
  std::string wrong = start_error({{"library_path", module}, {"token_label", kLabel}, {"user_pin", "wrong-pin"}});
  EXPECT_NE(wrong.find("CKR_PIN_INCORRECT"), std::string::npos) << wrong;
  EXPECT_EQ(wrong.find("wrong-pin"), std::string::npos) << wrong;
  std::string locked = start_error({{"library_path", PARSEC_P11_FAKE_MODULE}, {"user_pin", kPin}});
  EXPECT_NE(locked.find("CKR_PIN_LOCKED"), std::string::npos) << locked;
  EXPECT_NE(locked.find("\"Fake Token\""), std::string::npos) << locked;
}

TEST(Pkcs11Provider, SelectsTheTokenBySerialNumber) {
  auto p = make_pkcs11_provider(context(
      {{"library_path", SoftHsm::module_path()}, {"serial_number", g_env->serial}, {"user_pin", kPin}}, nullptr));
  ASSERT_TRUE(p.ok()) << p.detail();
  EXPECT_EQ((*p)->info().uuid, "30e39502-eba6-4d60-a4af-c518b7f5e38f");
}

TEST(Pkcs11Provider, FactoryCreatesTheProviderOrExplainsWhyNot) {
  ProviderFactory f = pkcs11_factory();
  auto made = f.create(
      context({{"library_path", SoftHsm::module_path()}, {"token_label", kLabel}, {"user_pin", kPin}}, nullptr));
  ASSERT_TRUE(made.ok()) << made.detail();
  ASSERT_TRUE(made->provider);
  EXPECT_EQ(made->provider->info().id, ProviderId::Pkcs11);
  auto missing = f.create(context({{"library_path", "/nonexistent/libp11.so"}}, nullptr));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status(), Status::PsaErrorCommunicationFailure);
  EXPECT_NE(missing.detail().find("module not found"), std::string::npos) << missing.detail();
  auto bad = f.create(context({{"library_path", SoftHsm::module_path()}, {"slot_number", "x"}}, nullptr));
  EXPECT_EQ(bad.status(), Status::InvalidEncoding);
  EXPECT_NE(bad.detail().find("slot_number"), std::string::npos) << bad.detail();
}

TEST(Pkcs11Provider, SignaturesVerifyWithOpenSSL) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  Key k = create(*p, storage, "k");
  ASSERT_EQ(k.pub.size(), 65u);
  Bytes digest = sha256("hello");
  auto sig = sign(*p, k, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(openssl_verify_p256(k.pub, digest, *sig));
  // The store tag was staged with the first key.
  EXPECT_EQ(storage.blobs.size(), 1u);
}

TEST(Pkcs11Provider, RecoversWhenEverySessionIsClosedBehindItsBack) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  Key k = create(*p, storage, "k");
  Bytes digest = sha256("before");
  ASSERT_TRUE(sign(*p, k, digest).ok());
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin, /*finalize=*/false);
  // Closing every session of the application also logs it out.
  ASSERT_EQ(direct.fn()->C_CloseAllSessions(direct.slot()), static_cast<CK_RV>(CKR_OK));
  for (int i = 0; i < 3; ++i) {
    auto sig = sign(*p, k, digest);
    ASSERT_TRUE(sig.ok()) << status_name(sig.status());
    EXPECT_TRUE(openssl_verify_p256(k.pub, digest, *sig));
  }
}

TEST(Pkcs11Provider, LogsInAgainAfterALogout) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  Key k = create(*p, storage, "k");
  Bytes digest = sha256("m");
  ASSERT_TRUE(sign(*p, k, digest).ok());
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin, false);
  ASSERT_EQ(direct.fn()->C_Logout(direct.session()), static_cast<CK_RV>(CKR_OK));
  auto sig = sign(*p, k, digest);
  ASSERT_TRUE(sig.ok()) << status_name(sig.status());
  EXPECT_TRUE(openssl_verify_p256(k.pub, digest, *sig));
  // New keys can be made again too (private objects need the login).
  Key k2 = create(*p, storage, "k2");
  EXPECT_TRUE(sign(*p, k2, digest).ok());
}

TEST(Pkcs11Provider, EightThreadsSignInParallel) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  Key k = create(*p, storage, "k");
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Bytes digest = sha256("thread " + std::to_string(t) + " message " + std::to_string(i));
        auto sig = sign(*p, k, digest);
        (sig.ok() && openssl_verify_p256(k.pub, digest, *sig) ? good : bad)++;
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
  EXPECT_EQ(good.load(), 200);
  EXPECT_EQ(bad.load(), 0);
}

TEST(Pkcs11Provider, DestroyAndAbandonEraseTheTokenObjects) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin, false);
  Key k = create(*p, storage, "k");
  EXPECT_EQ(objects_with_id(direct, k.stored.key_ref), 2u);
  MemTxn txn;
  EXPECT_EQ(p->destroy_key(k.stored, txn).status(), Status::Success);
  EXPECT_EQ(objects_with_id(direct, k.stored.key_ref), 2u);  // nothing before the commit
  p->finish_destroy(k.stored);
  EXPECT_EQ(objects_with_id(direct, k.stored.key_ref), 0u);
  EXPECT_EQ(sign(*p, k, sha256("m")).status(), Status::PsaErrorDoesNotExist);
  Key k2 = create(*p, storage, "k2", false);
  p->abandon_key(CreatedKey{k2.stored.key_ref, k2.stored.attributes});
  EXPECT_EQ(objects_with_id(direct, k2.stored.key_ref), 0u);
}

TEST(Pkcs11Provider, ReconcileReportsVanishedKeysAndDestroysOrphans) {
  MemStorage storage;
  Bytes kept_ref, orphan_ref;
  {
    auto p = make(&storage);
    ASSERT_TRUE(p);
    kept_ref = create(*p, storage, "kept").stored.key_ref;
    // A creation whose commit never happened (a crash before it).
    orphan_ref = create(*p, storage, "orphan", /*commit=*/false).stored.key_ref;
  }
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin, false);
  // Objects that are not ours, or ours from another key store, stay.
  direct.generate_ec_p256("someone else's key", "foreign-id");
  direct.generate_ec_p256("parsec-cpp:0011223344556677:00", "other-store-id");
  Bytes gone_ref(16, 0xEE);
  auto p = make(&storage);
  ASSERT_TRUE(p);
  auto missing = p->reconcile({kept_ref, gone_ref});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::vector<Bytes>{gone_ref});
  EXPECT_EQ(objects_with_id(direct, kept_ref), 2u);
  EXPECT_EQ(objects_with_id(direct, orphan_ref), 0u);
  EXPECT_EQ(objects_with_id(direct, Bytes{'f', 'o', 'r', 'e', 'i', 'g', 'n', '-', 'i', 'd'}), 2u);
  size_t other_store = 0;
  for (const auto& o : direct.objects()) {
    other_store += o.id == "other-store-id" ? 1 : 0;
  }
  EXPECT_EQ(other_store, 2u);
}

// Issue 15 item 6: the store tag is durable before the first token object of
// a new store exists, so a crash between that object and its commit leaves an
// orphan the next start-up recognises and destroys.
TEST(Pkcs11Provider, OrphanOfTheFirstKeyOfANewStoreIsReconciled) {
  MemStorage storage;
  Bytes orphan_ref;
  {
    auto p = make(&storage);
    ASSERT_TRUE(p);
    EXPECT_EQ(storage.blobs.count(1), 1u) << "the store tag is not durable before the first key";
    orphan_ref = create(*p, storage, "first", /*commit=*/false).stored.key_ref;  // killed before the commit
  }
  Pkcs11Direct direct(SoftHsm::module_path(), kLabel, kPin, false);
  ASSERT_EQ(objects_with_id(direct, orphan_ref), 2u);
  auto p = make(&storage);
  ASSERT_TRUE(p);
  auto missing = p->reconcile({});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(objects_with_id(direct, orphan_ref), 0u) << "the first key's objects were never reconciled";
}

// Issue 15 item 5: one process per (token, store tag).
TEST(Pkcs11Provider, SecondProviderOnTheSameStoreAndTokenIsRefusedNamingTheHolder) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  std::vector<std::pair<std::string, std::string>> s = {
      {"library_path", SoftHsm::module_path()}, {"token_label", kLabel}, {"user_pin", kPin}};
  auto second = make_pkcs11_provider(context(s, &storage));
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.detail(), ::testing::HasSubstr("is in use by pid " + std::to_string(::getpid())));
  p.reset();
  auto third = make_pkcs11_provider(context(s, &storage));
  EXPECT_TRUE(third.ok()) << third.detail();
}

// The plain-model paths not taken above: import of an ECC private key,
// sign/verify_message, can_do_crypto and generate_random.
TEST(Pkcs11Provider, ImportedKeySignsMessagesAndCapabilitiesAnswer) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  BIGNUM* d = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  SecretBytes scalar(32);
  ASSERT_EQ(BN_bn2binpad(d, scalar.data(), 32), 32);
  BN_free(d);  // a throwaway test key
  Bytes expected_pub(65);
  size_t pub_len = 0;
  ASSERT_EQ(
      EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, expected_pub.data(), expected_pub.size(), &pub_len),
      1);
  EVP_PKEY_free(key);
  ASSERT_EQ(pub_len, 65u);

  KeyAttributes a = ecc_key(0, Hash::Sha256);  // bits taken from the data
  MemTxn txn;
  auto k = p->import_key(a, scalar, txn);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.bits, 256u);
  StoredKey sk{"imported", k->key_ref, k->attributes};
  auto pub = p->export_public_key(sk);
  ASSERT_TRUE(pub.ok()) << pub.detail();
  EXPECT_EQ(*pub, expected_pub);

  psa::op::SignMessage sm;
  sm.alg = Algorithm::ecdsa(Hash::Sha256);
  sm.message = Bytes{'h', 'i'};
  auto sig = p->sign_message(sk, sm);
  ASSERT_TRUE(sig.ok()) << sig.detail();
  EXPECT_TRUE(openssl_verify_p256(*pub, sha256("hi"), *sig));
  psa::op::VerifyMessage vm;
  vm.alg = sm.alg;
  vm.message = sm.message;
  vm.signature = *sig;
  EXPECT_TRUE(p->verify_message(sk, vm).ok());
  vm.message.push_back('!');
  EXPECT_EQ(p->verify_message(sk, vm).status(), Status::PsaErrorInvalidSignature);
  // The policy wildcard names no hash for a message.
  sm.alg = Algorithm::ecdsa(Hash::Any);
  EXPECT_EQ(p->sign_message(sk, sm).status(), Status::PsaErrorInvalidArgument);

  psa::op::CanDoCrypto can;
  can.check_type = psa::CheckType::Generate;
  can.attributes = ecc_key(256, Hash::Sha256);
  EXPECT_TRUE(p->can_do_crypto(can).ok());
  can.check_type = psa::CheckType::Import;
  can.attributes.bits = 0;
  EXPECT_TRUE(p->can_do_crypto(can).ok());
  can.check_type = psa::CheckType::Use;
  can.attributes = KeyAttributes::of_type(psa::KeyType::Aes, 128, Algorithm::aead_gcm());
  EXPECT_EQ(p->can_do_crypto(can).status(), Status::PsaErrorNotSupported);
  // Deterministic ECDSA cannot sign on a PKCS #11 token.
  can.attributes = KeyAttributes::ecc_key_pair(256, Algorithm::deterministic_ecdsa(Hash::Sha256));
  EXPECT_EQ(p->can_do_crypto(can).status(), Status::PsaErrorNotSupported);

  psa::op::GenerateRandom rnd;
  rnd.size = 48;
  auto r = p->generate_random(rnd);
  ASSERT_TRUE(r.ok()) << r.detail();
  EXPECT_EQ(r->size(), 48u);
  rnd.size = 0;
  r = p->generate_random(rnd);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Pkcs11Provider, OaepWithLabelRoundTripsAndRefusesAWrongLabel) {
  MemStorage storage;
  auto p = make(&storage);
  ASSERT_TRUE(p);
  KeyAttributes a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256));
  ASSERT_TRUE(a.flags.encrypt && a.flags.decrypt);
  MemTxn txn;
  auto k = p->generate_key(a, txn);
  ASSERT_TRUE(k.ok());
  StoredKey sk{"rsa", k->key_ref, k->attributes};
  auto bytes = [](const std::string& s) { return Bytes(s.begin(), s.end()); };
  psa::op::AsymmetricEncrypt e;
  e.alg = a.policy;
  e.plaintext = SecretBytes(std::string("secret message"));
  e.salt = bytes("the label");
  auto ct = p->asymmetric_encrypt(sk, e);
  ASSERT_TRUE(ct.ok()) << status_name(ct.status());
  ASSERT_EQ(ct->size(), 256u);
  psa::op::AsymmetricDecrypt d;
  d.alg = e.alg;
  d.ciphertext = *ct;
  d.salt = bytes("the label");
  auto pt = p->asymmetric_decrypt(sk, d);
  ASSERT_TRUE(pt.ok()) << status_name(pt.status());
  EXPECT_EQ(pt->view(), "secret message");
  d.salt = bytes("another label");
  EXPECT_EQ(p->asymmetric_decrypt(sk, d).status(), Status::PsaErrorInvalidPadding);
  d.salt.clear();
  EXPECT_EQ(p->asymmetric_decrypt(sk, d).status(), Status::PsaErrorInvalidPadding);
}

}  // namespace
}  // namespace parsec::provider
