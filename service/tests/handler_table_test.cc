// The seam between the handler's operation table and a provider, proven with
// the in-memory fake provider (providers/fake): requests reach the provider
// converted to the plain model, refusals of the key policy never reach it,
// unserved operations are refused before any key lookup, and DeleteClient
// reports keys it could not delete.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "delete_client.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "parsec/provider/fake.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_import_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "service/src/backends.h"
#include "service/src/handler.h"
#include "service/src/key_lifecycle.h"

namespace parsec::service {
namespace {

using provider::FakeProvider;
using psa::Algorithm;
using psa::Bytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kFake = ProviderId::TrustedService;

// direct_request frames `op` from the Direct application `app` (NoAuth when
// empty) for provider `p`.
Request direct_request(Opcode op, const std::string& body, const std::string& app, ProviderId p) {
  Request r;
  r.header.provider = static_cast<uint8_t>(p);
  r.header.opcode = static_cast<uint32_t>(op);
  r.header.auth_type = static_cast<uint8_t>(app.empty() ? AuthType::NoAuth : AuthType::Direct);
  r.header.body_len = static_cast<uint32_t>(body.size());
  r.header.auth_len = static_cast<uint16_t>(app.size());
  r.body = body;
  r.auth = app;
  return r;
}

// ecc_attributes: an ECDSA-SHA256 P-256 key pair with the given usage flags.
psa_key_attributes::KeyAttributes ecc_attributes(bool sign, bool verify, bool exportable = false) {
  psa_key_attributes::KeyAttributes a;
  a.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  a.set_key_bits(256);
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->set_sign_hash(sign);
  f->set_verify_hash(verify);
  f->set_export_(exportable);
  a.mutable_key_policy()
      ->mutable_key_algorithm()
      ->mutable_asymmetric_signature()
      ->mutable_ecdsa()
      ->mutable_hash_alg()
      ->set_specific(psa_algorithm::Algorithm::SHA_256);
  return a;
}

class HandlerTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/parsec-table-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    cfg_ = std::make_shared<Config>();
    AuthenticatorConfig direct;
    direct.type = AuthType::Direct;
    direct.admins = {"admin"};
    cfg_->authenticators.push_back(direct);
    KeyManagerConfig km;
    km.name = "m";
    km.manager_type = "SQLite";
    km.sqlite_db_path = dir_ + "/store/k.sqlite3";
    cfg_->key_managers.push_back(km);
    ProviderConfig pc;
    pc.provider_type = "Fake";
    pc.id = kFake;
    pc.name = "fake";
    pc.key_info_manager = "m";
    cfg_->providers.push_back(pc);
    auto made = Backends::create(*cfg_, {provider::fake_provider_factory()});
    ASSERT_TRUE(made.ok()) << made.detail();
    backends_ = std::move(made).value();
    auto h = Handler::create(cfg_, *backends_);
    ASSERT_TRUE(h.ok()) << h.detail();
    handler_ = std::move(h).value();
    fake_ = dynamic_cast<FakeProvider*>(backends_->find(kFake)->impl.get());
    ASSERT_NE(fake_, nullptr);
  }
  void TearDown() override {
    handler_.reset();
    backends_.reset();
    std::filesystem::remove_all(dir_);
  }

  template <typename Msg>
  Response send(Opcode op, const Msg& m, const std::string& app = "alice", ProviderId p = kFake) {
    std::string body;
    EXPECT_TRUE(m.SerializeToString(&body));
    return send_raw(op, body, app, p);
  }
  Response send_raw(Opcode op, const std::string& body, const std::string& app, ProviderId p = kFake) {
    return handler_->handle(direct_request(op, body, app, p));
  }
  static Status status(const Response& r) { return static_cast<Status>(r.header.status); }

  Status generate(const std::string& name, const psa_key_attributes::KeyAttributes& a,
                  const std::string& app = "alice") {
    psa_generate_key::Operation op;
    op.set_key_name(name);
    *op.mutable_attributes() = a;
    return status(send(Opcode::PsaGenerateKey, op, app));
  }
  static psa_sign_hash::Operation sign_request(const std::string& name, size_t hash_len = 32) {
    psa_sign_hash::Operation op;
    op.set_key_name(name);
    op.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_256);
    op.set_hash(std::string(hash_len, '\x42'));
    return op;
  }
  size_t calls_of(const std::string& method) const {
    size_t n = 0;
    for (const auto& c : fake_->calls()) {
      n += c.method == method ? 1 : 0;
    }
    return n;
  }

  std::string dir_;
  std::shared_ptr<Config> cfg_;
  std::unique_ptr<Backends> backends_;
  std::shared_ptr<const Handler> handler_;
  FakeProvider* fake_ = nullptr;
};

TEST_F(HandlerTableTest, SignHashReachesTheProviderAsAPlainRequest) {
  ASSERT_EQ(generate("k", ecc_attributes(true, true)), Status::Success);
  psa_export_public_key::Operation pub;
  pub.set_key_name("k");
  Response pr = send(Opcode::PsaExportPublicKey, pub);
  ASSERT_EQ(status(pr), Status::Success);
  psa_export_public_key::Result pub_r;
  ASSERT_TRUE(pub_r.ParseFromString(pr.body));
  const Bytes key_ref(pub_r.data().begin(), pub_r.data().end());  // the fake exports its key reference

  Response r = send(Opcode::PsaSignHash, sign_request("k"));
  ASSERT_EQ(status(r), Status::Success);
  psa_sign_hash::Result out;
  ASSERT_TRUE(out.ParseFromString(r.body));
  const Bytes hash(32, 0x42);
  const Bytes sig = FakeProvider::signature_for(key_ref, hash);
  EXPECT_EQ(out.signature(), std::string(sig.begin(), sig.end()));

  auto calls = fake_->calls();
  ASSERT_FALSE(calls.empty());
  const auto& last = calls.back();
  EXPECT_EQ(last.method, "sign_hash");
  EXPECT_EQ(last.key_name, "k");
  EXPECT_EQ(last.alg, Algorithm::ecdsa(psa::Hash::Sha256));
  EXPECT_EQ(last.input, hash);
}

TEST_F(HandlerTableTest, GeneratedKeyIsStoredWithNormalisedAttributes) {
  ASSERT_EQ(generate("k", ecc_attributes(true, false)), Status::Success);
  auto k = key_lifecycle::lookup(*backends_->find(kFake), KeyOwner{AuthType::Direct, "alice"}, "k", true);
  ASSERT_TRUE(k.ok()) << k.detail();
  EXPECT_EQ(k->attributes.type, psa::KeyType::EccKeyPair);
  EXPECT_TRUE(k->attributes.flags.sign_hash);
  EXPECT_TRUE(k->attributes.flags.sign_message);  // implied (docs/protocol.md, operations §12.3)
  EXPECT_EQ(k->attributes.policy, Algorithm::ecdsa(psa::Hash::Sha256));
}

TEST_F(HandlerTableTest, PolicyRefusalsNeverReachTheProvider) {
  ASSERT_EQ(generate("verify-only", ecc_attributes(false, true)), Status::Success);
  ASSERT_EQ(generate("signer", ecc_attributes(true, true)), Status::Success);
  // Usage flag missing.
  EXPECT_EQ(status(send(Opcode::PsaSignHash, sign_request("verify-only"))), Status::PsaErrorNotPermitted);
  // Algorithm outside the key policy.
  auto other_alg = sign_request("signer");
  other_alg.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_384);
  other_alg.set_hash(std::string(48, 'x'));
  EXPECT_EQ(status(send(Opcode::PsaSignHash, other_alg)), Status::PsaErrorNotPermitted);
  // Hash length that does not match the algorithm's hash.
  EXPECT_EQ(status(send(Opcode::PsaSignHash, sign_request("signer", 20))), Status::PsaErrorInvalidArgument);
  // Export without the export flag.
  psa_export_key::Operation ex;
  ex.set_key_name("signer");
  EXPECT_EQ(status(send(Opcode::PsaExportKey, ex)), Status::PsaErrorNotPermitted);
  EXPECT_EQ(calls_of("sign_hash"), 0u);
  EXPECT_EQ(calls_of("export_key"), 0u);
}

TEST_F(HandlerTableTest, ContractViolationsAreInvalidEncodingBeforeIdentity) {
  // No algorithm: the strict conversion refuses it, before the missing identity.
  psa_sign_hash::Operation op;
  op.set_key_name("k");
  op.set_hash(std::string(32, 'h'));
  EXPECT_EQ(status(send(Opcode::PsaSignHash, op, "")), Status::InvalidEncoding);
  // A valid body without identity.
  EXPECT_EQ(status(send(Opcode::PsaSignHash, sign_request("k"), "")), Status::NotAuthenticated);
  // A body that is not a message at all.
  EXPECT_EQ(status(send_raw(Opcode::PsaSignHash, std::string("\xFF\xFF\xFF", 3), "alice")),
            Status::DeserializingBodyFailed);
  // Key attributes without a key type.
  auto bad = ecc_attributes(true, true);
  bad.clear_key_type();
  EXPECT_EQ(generate("x", bad), Status::InvalidEncoding);
  EXPECT_EQ(calls_of("generate_key"), 0u);
  EXPECT_TRUE(fake_->calls().empty());
}

TEST_F(HandlerTableTest, UnservedOpcodesAnswerNotSupportedBeforeKeyLookup) {
  // The fake serves neither operation; the key does not exist either: the
  // capability is checked first (docs/protocol.md, operations §2, rule 0).
  psa_sign_message::Operation sm;
  sm.set_key_name("no-such-key");
  sm.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_256);
  sm.set_message("m");
  EXPECT_EQ(status(send(Opcode::PsaSignMessage, sm)), Status::PsaErrorNotSupported);
  psa_asymmetric_decrypt::Operation dec;
  dec.set_key_name("no-such-key");
  dec.mutable_alg()->mutable_rsa_pkcs1v15_crypt();
  dec.set_ciphertext("c");
  EXPECT_EQ(status(send(Opcode::PsaAsymmetricDecrypt, dec)), Status::PsaErrorNotSupported);
  // A served operation on a missing key is DoesNotExist.
  EXPECT_EQ(status(send(Opcode::PsaSignHash, sign_request("no-such-key"))), Status::PsaErrorDoesNotExist);
  EXPECT_TRUE(fake_->calls().empty());
}

TEST_F(HandlerTableTest, ListOpcodesReportsTheProvidersOwnList) {
  list_opcodes::Operation op;
  op.set_provider_id(static_cast<uint32_t>(kFake));
  Response r = send(Opcode::ListOpcodes, op, "alice", ProviderId::Core);
  ASSERT_EQ(status(r), Status::Success);
  list_opcodes::Result out;
  ASSERT_TRUE(out.ParseFromString(r.body));
  EXPECT_EQ(static_cast<size_t>(out.opcodes_size()), fake_->opcodes().size());
}

TEST_F(HandlerTableTest, ImportExportAndDestroyGoThroughTheKeyLifeCycle) {
  psa_import_key::Operation imp;
  imp.set_key_name("imported");
  *imp.mutable_attributes() = ecc_attributes(true, true, true);
  imp.set_data(std::string(32, '\x07'));
  ASSERT_EQ(status(send(Opcode::PsaImportKey, imp)), Status::Success);
  // The same name again.
  EXPECT_EQ(status(send(Opcode::PsaImportKey, imp)), Status::PsaErrorAlreadyExists);
  psa_export_key::Operation ex;
  ex.set_key_name("imported");
  Response r = send(Opcode::PsaExportKey, ex);
  ASSERT_EQ(status(r), Status::Success);
  psa_export_key::Result out;
  ASSERT_TRUE(out.ParseFromString(r.body));
  EXPECT_EQ(out.data(), std::string(32, '\x07'));
  EXPECT_EQ(fake_->live_keys(), 1u);
  psa_destroy_key::Operation d;
  d.set_key_name("imported");
  EXPECT_EQ(status(send(Opcode::PsaDestroyKey, d)), Status::Success);
  EXPECT_EQ(fake_->live_keys(), 0u);
  EXPECT_EQ(status(send(Opcode::PsaDestroyKey, d)), Status::PsaErrorDoesNotExist);
}

TEST_F(HandlerTableTest, GenerateRandomIsServedAndLimited) {
  psa_generate_random::Operation op;
  op.set_size(16);
  Response r = send(Opcode::PsaGenerateRandom, op, "");
  ASSERT_EQ(status(r), Status::Success);
  psa_generate_random::Result out;
  ASSERT_TRUE(out.ParseFromString(r.body));
  EXPECT_EQ(out.random_bytes().size(), 16u);
  op.set_size(cfg_->buffer_size_limit + 1);
  EXPECT_EQ(status(send(Opcode::PsaGenerateRandom, op, "")), Status::ResponseTooLarge);
}

TEST_F(HandlerTableTest, DeleteClientRemovesEveryKey) {
  ASSERT_EQ(generate("a", ecc_attributes(true, true)), Status::Success);
  ASSERT_EQ(generate("b", ecc_attributes(true, true)), Status::Success);
  delete_client::Operation op;
  op.set_client("alice");
  EXPECT_EQ(status(send(Opcode::DeleteClient, op, "admin", ProviderId::Core)), Status::Success);
  EXPECT_EQ(fake_->live_keys(), 0u);
  EXPECT_EQ(status(send(Opcode::PsaSignHash, sign_request("a"))), Status::PsaErrorDoesNotExist);
}

TEST_F(HandlerTableTest, DeleteClientPartialFailureIsReportedAndTheRestIsDeleted) {
  for (const char* name : {"k1", "k2", "k3"}) {
    ASSERT_EQ(generate(name, ecc_attributes(true, true)), Status::Success);
  }
  fake_->fail_destroy("k2");
  // A mapping whose stored attributes do not parse.
  ProviderEntry& p = *backends_->find(kFake);
  Txn txn(p.config.name);
  KeyRecord rec;
  rec.owner = {AuthType::Direct, "alice"};
  rec.provider_name = p.config.name;
  rec.provider_id = kFake;
  rec.key_name = "garbled";
  rec.key_ref = {9, 9};
  rec.attributes = "\xFF\xFF not a message";
  txn.insert_mapping(rec);
  ASSERT_EQ(p.store->commit(txn), Status::Success);

  delete_client::Operation op;
  op.set_client("alice");
  EXPECT_EQ(status(send(Opcode::DeleteClient, op, "admin", ProviderId::Core)), Status::PsaErrorStorageFailure);
  const KeyOwner alice{AuthType::Direct, "alice"};
  auto get = [&](const char* name) { return p.store->get(alice, p.config.name, name); };
  EXPECT_FALSE(get("k1")->has_value());
  EXPECT_TRUE(get("k2")->has_value());  // its destruction failed: still reachable
  EXPECT_FALSE(get("k3")->has_value());
  EXPECT_TRUE(get("garbled")->has_value());
  EXPECT_EQ(fake_->live_keys(), 1u);
}

TEST_F(HandlerTableTest, DeleteClientIsForAdminsOnly) {
  delete_client::Operation op;
  op.set_client("alice");
  EXPECT_EQ(status(send(Opcode::DeleteClient, op, "alice", ProviderId::Core)), Status::AdminOperation);
  EXPECT_EQ(status(send(Opcode::DeleteClient, op, "", ProviderId::Core)), Status::NotAuthenticated);
}

TEST_F(HandlerTableTest, CheckConfigurationUsesCheckSettingsOnly) {
  const std::vector<provider::ProviderFactory> factories = {provider::fake_provider_factory()};
  Config c = *cfg_;
  c.key_managers[0].sqlite_db_path = dir_ + "/never/created.sqlite3";
  EXPECT_TRUE(check_configuration(c, factories).ok());
  c.providers[0].settings.emplace_back("bogus", "1");
  Outcome bad = check_configuration(c, factories);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.detail(), HasSubstr("bogus"));
  // Nothing was opened or created.
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/never"));
}

TEST_F(HandlerTableTest, UnknownProviderTypeIsNotCompiled) {
  Config c = *cfg_;
  c.providers[0].provider_type = "NoSuchProvider";
  auto made = Backends::create(c, {provider::fake_provider_factory()});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status(), Status::ProviderNotRegistered);
  EXPECT_THAT(made.detail(), HasSubstr("not compiled"));
}

// ListKeys reads each key store once, but a row belongs to a provider only
// if it sits in that provider's store: rows a provider left in a store it no
// longer uses (its key_info_manager was changed) are not listed as its keys,
// even while another provider still uses that store.
TEST(HandlerListKeys, RowsInAStoreTheProviderNoLongerUsesAreNotItsKeys) {
  char tmpl[] = "/tmp/parsec-listkeys-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  auto second = provider::fake_provider_factory();
  second.type_name = "Fake2";
  second.id = ProviderId::CryptoAuthLib;
  auto key_manager = [&](const std::string& name) {
    KeyManagerConfig km;
    km.name = name;
    km.manager_type = "SQLite";
    km.sqlite_db_path = dir + "/" + name + "/k.sqlite3";
    return km;
  };
  auto provider = [](const std::string& type, ProviderId id, const std::string& name, const std::string& km) {
    ProviderConfig pc;
    pc.provider_type = type;
    pc.id = id;
    pc.name = name;
    pc.key_info_manager = km;
    return pc;
  };
  auto request = [](Opcode op, const std::string& body, ProviderId p) { return direct_request(op, body, "alice", p); };
  AuthenticatorConfig direct;
  direct.type = AuthType::Direct;
  psa_generate_key::Operation gen;
  gen.set_key_name("k");
  *gen.mutable_attributes() = ecc_attributes(true, false);
  auto listed = [&](const Handler& h) {
    Response r = h.handle(request(Opcode::ListKeys, list_keys::Operation().SerializeAsString(), ProviderId::Core));
    EXPECT_EQ(static_cast<Status>(r.header.status), Status::Success);
    list_keys::Result out;
    EXPECT_TRUE(out.ParseFromString(r.body));
    std::vector<std::string> names;
    for (const auto& k : out.keys()) {
      names.push_back(std::to_string(k.provider_id()) + "/" + k.name());
    }
    return names;
  };
  {
    // Both providers on store "one"; each makes a key "k".
    auto cfg = std::make_shared<Config>();
    cfg->authenticators.push_back(direct);
    cfg->key_managers = {key_manager("one")};
    cfg->providers = {provider("Fake", ProviderId::TrustedService, "a", "one"),
                      provider("Fake2", ProviderId::CryptoAuthLib, "b", "one")};
    auto made = Backends::create(*cfg, {provider::fake_provider_factory(), second});
    ASSERT_TRUE(made.ok()) << made.detail();
    auto h = Handler::create(cfg, **made);
    ASSERT_TRUE(h.ok()) << h.detail();
    for (ProviderId p : {ProviderId::TrustedService, ProviderId::CryptoAuthLib}) {
      Response r = (*h)->handle(request(Opcode::PsaGenerateKey, gen.SerializeAsString(), p));
      ASSERT_EQ(static_cast<Status>(r.header.status), Status::Success);
    }
    EXPECT_THAT(listed(**h), ElementsAre("4/k", "5/k"));
  }
  {
    // Provider "a" now uses store "two"; "b" still uses "one", which still
    // holds a's old row.
    auto cfg = std::make_shared<Config>();
    cfg->authenticators.push_back(direct);
    cfg->key_managers = {key_manager("one"), key_manager("two")};
    cfg->providers = {provider("Fake", ProviderId::TrustedService, "a", "two"),
                      provider("Fake2", ProviderId::CryptoAuthLib, "b", "one")};
    auto made = Backends::create(*cfg, {provider::fake_provider_factory(), second});
    ASSERT_TRUE(made.ok()) << made.detail();
    auto h = Handler::create(cfg, **made);
    ASSERT_TRUE(h.ok()) << h.detail();
    EXPECT_THAT(listed(**h), ElementsAre("5/k"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parsec::service
