// store_integrity_test.cc - issue 15 items 4-6 at the service's seams: the
// key store refuses a damaged database and a second owner, a store read error
// is the operation's KeyInfoManagerError (never an empty Success), one
// unreadable row does not hide the tenant's other keys, ListClients and
// DeleteClient agree per authenticator, and client strings reach the log
// escaped and truncated. Requests go through the real Handler over the fake
// provider (providers/fake).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "delete_client.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "parsec/provider/fake.h"
#include "psa_generate_key.pb.h"
#include "service/src/backends.h"
#include "service/src/handler.h"
#include "service/src/key_lifecycle.h"
#include "service/src/key_store.h"
#include "service/src/logging.h"
#include "tests/support/store_faults.h"

namespace parsec::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kFake = ProviderId::TrustedService;

// sql runs statements on a separate connection to the store's file, as an
// operator's sqlite3 shell (or a fault) would.
using testing::store_faults::corrupt_key_index;
using testing::store_faults::query_int;
using testing::store_faults::sql;

class StoreIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/parsec-integrity-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/store/k.sqlite3";
    cfg_ = std::make_shared<Config>();
    AuthenticatorConfig direct;
    direct.type = AuthType::Direct;
    direct.admins = {"admin"};
    cfg_->authenticators.push_back(direct);
    AuthenticatorConfig peer;
    peer.type = AuthType::UnixPeerCredentials;
    peer.admins = {"0"};
    cfg_->authenticators.push_back(peer);
    KeyManagerConfig km;
    km.name = "m";
    km.manager_type = "SQLite";
    km.sqlite_db_path = path_;
    cfg_->key_managers.push_back(km);
    ProviderConfig pc;
    pc.provider_type = "Fake";
    pc.id = kFake;
    pc.name = "fake";
    pc.key_info_manager = "m";
    cfg_->providers.push_back(pc);
    start();
  }
  void TearDown() override {
    stop();
    std::filesystem::remove_all(dir_);
  }
  void start() {
    auto made = Backends::create(*cfg_, {provider::fake_provider_factory()});
    ASSERT_TRUE(made.ok()) << made.detail();
    backends_ = std::move(made).value();
    auto h = Handler::create(cfg_, *backends_);
    ASSERT_TRUE(h.ok()) << h.detail();
    handler_ = std::move(h).value();
  }
  void stop() {
    handler_.reset();
    backends_.reset();
  }

  // send: Direct `app`, or UnixPeerCredentials uid `uid` when app is empty.
  template <typename Msg>
  Response send(Opcode op, const Msg& m, const std::string& app, uint32_t uid = 1000) {
    Request r;
    EXPECT_TRUE(m.SerializeToString(&r.body));
    r.header.provider = static_cast<uint8_t>(is_core_opcode(op) ? ProviderId::Core : kFake);
    r.header.opcode = static_cast<uint32_t>(op);
    if (app.empty()) {
      r.header.auth_type = static_cast<uint8_t>(AuthType::UnixPeerCredentials);
      r.auth = std::string(4, '\0');
      for (int i = 0; i < 4; ++i) {
        r.auth[static_cast<size_t>(i)] = static_cast<char>((uid >> (8 * i)) & 0xFF);
      }
    } else {
      r.header.auth_type = static_cast<uint8_t>(AuthType::Direct);
      r.auth = app;
    }
    r.header.body_len = static_cast<uint32_t>(r.body.size());
    r.header.auth_len = static_cast<uint16_t>(r.auth.size());
    r.peer = PeerCredentials{true, uid, uid, 1};
    return handler_->handle(r);
  }
  static Status status(const Response& r) { return static_cast<Status>(r.header.status); }

  Status generate(const std::string& name, const std::string& app, uint32_t uid = 1000) {
    psa_generate_key::Operation op;
    op.set_key_name(name);
    auto* a = op.mutable_attributes();
    a->mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
    a->set_key_bits(256);
    a->mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
    a->mutable_key_policy()
        ->mutable_key_algorithm()
        ->mutable_asymmetric_signature()
        ->mutable_ecdsa()
        ->mutable_hash_alg()
        ->set_specific(psa_algorithm::Algorithm::SHA_256);
    return status(send(Opcode::PsaGenerateKey, op, app, uid));
  }
  std::vector<std::string> list_keys(const std::string& app, Status* st = nullptr) {
    Response r = send(Opcode::ListKeys, list_keys::Operation(), app);
    if (st) {
      *st = status(r);
    }
    list_keys::Result out;
    EXPECT_TRUE(out.ParseFromString(r.body));
    std::vector<std::string> names;
    for (const auto& k : out.keys()) {
      names.push_back(k.name());
    }
    return names;
  }
  std::vector<std::string> list_clients(const std::string& admin, Status* st, uint32_t uid = 1000) {
    Response r = send(Opcode::ListClients, list_clients::Operation(), admin, uid);
    *st = status(r);
    list_clients::Result out;
    EXPECT_TRUE(out.ParseFromString(r.body));
    return {out.clients().begin(), out.clients().end()};
  }

  std::string dir_, path_;
  std::shared_ptr<Config> cfg_;
  std::unique_ptr<Backends> backends_;
  std::shared_ptr<const Handler> handler_;
};

// ---- item 4: store integrity -------------------------------------------------------

TEST_F(StoreIntegrity, DamagedIndexPageIsRefusedAtStartUp) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(generate("key-" + std::to_string(i), "alice"), Status::Success);
  }
  stop();
  corrupt_key_index(path_);
  auto made = Backends::create(*cfg_, {provider::fake_provider_factory()});
  ASSERT_FALSE(made.ok()) << "a damaged store was opened without a word";
  EXPECT_EQ(made.status(), Status::KeyInfoManagerError);
  EXPECT_THAT(made.detail(), HasSubstr("is damaged (PRAGMA quick_check"));
  EXPECT_THAT(made.detail(), HasSubstr(path_));
}

TEST_F(StoreIntegrity, ReadErrorDuringAnOperationIsKeyInfoManagerErrorNotAnEmptySuccess) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(generate("key-" + std::to_string(i), "alice"), Status::Success);
  }
  ASSERT_EQ(generate("root-key", "", 0), Status::Success);
  Status st;
  ASSERT_EQ(list_keys("alice", &st).size(), 40u);
  corrupt_key_index(path_);
  std::vector<std::string> keys = list_keys("alice", &st);
  EXPECT_EQ(st, Status::KeyInfoManagerError)
      << "ListKeys answered " << status_name(st) << " with " << keys.size() << " key(s)";
  EXPECT_TRUE(keys.empty());
  std::vector<std::string> clients = list_clients("admin", &st);
  EXPECT_EQ(st, Status::KeyInfoManagerError) << "ListClients answered " << status_name(st);
  EXPECT_EQ(generate("key-0", "alice"), Status::KeyInfoManagerError);
}

TEST_F(StoreIntegrity, OneUnreadableRowIsSkippedAndTheOtherKeysAreListed) {
  ASSERT_EQ(generate("a", "alice"), Status::Success);
  ASSERT_EQ(generate("b", "alice"), Status::Success);
  ASSERT_EQ(generate("c", "alice"), Status::Success);
  sql(path_, "UPDATE keys SET attributes = x'ffffffff0102' WHERE key_name = 'b';");
  Status st;
  std::vector<std::string> keys = list_keys("alice", &st);
  EXPECT_EQ(st, Status::Success);
  EXPECT_THAT(keys, ElementsAre("a", "c"));
  // Its name stays taken: the row is left in place for the operator.
  EXPECT_EQ(generate("b", "alice"), Status::PsaErrorAlreadyExists);
}

// ---- item 5: one owner per store ----------------------------------------------------

TEST_F(StoreIntegrity, SecondOwnerOfTheStoreIsRefusedNamingTheHolder) {
  auto second = KeyStore::open(path_);
  ASSERT_FALSE(second.ok()) << "two owners of one store";
  EXPECT_EQ(second.status(), Status::KeyInfoManagerError);
  EXPECT_THAT(second.detail(), HasSubstr("in use by pid " + std::to_string(::getpid())));
  EXPECT_THAT(second.detail(), HasSubstr(KeyStore::lock_path(path_)));
  stop();
  auto third = KeyStore::open(path_);
  EXPECT_TRUE(third.ok()) << "the lock outlived its owner: " << third.detail();
}

// ---- item 6: ListClients and DeleteClient per authenticator ------------------------

TEST_F(StoreIntegrity, ListClientsKeepsAuthenticatorsApartAndDeleteClientAgrees) {
  ASSERT_EQ(generate("direct-key", "0"), Status::Success);  // Direct application "0"
  ASSERT_EQ(generate("uid-key", "", 0), Status::Success);   // uid 0
  ASSERT_EQ(generate("alice-key", "alice"), Status::Success);
  ASSERT_EQ(generate("tricky", "UnixPeerCredentials:0"), Status::Success);  // a Direct name that looks qualified
  Status st;
  EXPECT_THAT(list_clients("admin", &st),
              ElementsAre("0", "Direct:UnixPeerCredentials:0", "UnixPeerCredentials:0", "alice"));
  EXPECT_EQ(st, Status::Success);
  // The UnixPeerCredentials admin (uid 0) sees its own authenticator bare.
  EXPECT_THAT(list_clients("", &st, 0), ElementsAre("0", "Direct:0", "Direct:UnixPeerCredentials:0", "Direct:alice"));

  delete_client::Operation del;
  del.set_client("UnixPeerCredentials:0");
  EXPECT_EQ(status(send(Opcode::DeleteClient, del, "admin")), Status::Success);
  // uid 0's key is gone; Direct "0" and the Direct look-alike are untouched.
  EXPECT_THAT(list_clients("admin", &st), ElementsAre("0", "Direct:UnixPeerCredentials:0", "alice"));
  del.set_client("Direct:UnixPeerCredentials:0");
  EXPECT_EQ(status(send(Opcode::DeleteClient, del, "admin")), Status::Success);
  EXPECT_THAT(list_clients("admin", &st), ElementsAre("0", "alice"));
  EXPECT_THAT(list_keys("0"), ElementsAre("direct-key"));
}

TEST_F(StoreIntegrity, DeleteClientReportsPartialFailure) {
  ASSERT_EQ(generate("k1", "bob"), Status::Success);
  ASSERT_EQ(generate("k2", "bob"), Status::Success);
  ASSERT_EQ(generate("k3", "bob"), Status::Success);
  auto* fake = dynamic_cast<provider::FakeProvider*>(backends_->find(kFake)->impl.get());
  ASSERT_NE(fake, nullptr);
  fake->fail_destroy("k2");
  delete_client::Operation del;
  del.set_client("bob");
  EXPECT_EQ(status(send(Opcode::DeleteClient, del, "admin")), Status::PsaErrorStorageFailure);
  EXPECT_THAT(list_keys("bob"), ElementsAre("k2"));
}

TEST(ClientLabel, IsOneToOne) {
  using key_lifecycle::client_label;
  using key_lifecycle::parse_client_label;
  const std::vector<KeyOwner> owners = {{AuthType::Direct, "a"},
                                        {AuthType::Direct, "Direct:a"},
                                        {AuthType::Direct, "UnixPeerCredentials:5"},
                                        {AuthType::UnixPeerCredentials, "5"},
                                        {AuthType::JwtSvid, "spiffe://x"},
                                        {AuthType::Jwt, "Jwt:"},
                                        {AuthType::Direct, ""},
                                        {AuthType::Direct, "JwtSvid"}};
  for (AuthType admin : {AuthType::Direct, AuthType::UnixPeerCredentials}) {
    std::set<std::string> seen;
    for (const auto& o : owners) {
      std::string label = client_label(o, admin);
      EXPECT_TRUE(seen.insert(label).second) << label;
      EXPECT_EQ(parse_client_label(label, admin), o) << label;
    }
  }
}

// ---- item 6: client strings in the log ----------------------------------------------

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_pattern("[%l] %v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

TEST_F(StoreIntegrity, ClientStringsCannotForgeLogLinesOrFloodTheLog) {
  CapturedLog log;
  const std::string forged =
      "evil\n[critical] parsecd: key store wiped\x1b[2J\x1b]0;owned\x07\xc2\x9b"
      "31m";
  // A refused admin operation and a refused key lookup, both logging the name.
  Status st;
  list_clients(forged, &st);
  EXPECT_EQ(st, Status::AdminOperation);
  psa_generate_key::Operation bad;  // no attributes: InvalidEncoding
  bad.set_key_name("k\nnext");
  EXPECT_NE(status(send(Opcode::PsaGenerateKey, bad, forged)), Status::Success);
  const std::string huge(64 * 1024, 'A');
  list_clients(huge, &st);
  EXPECT_EQ(st, Status::AdminOperation);

  std::string text = log.text();
  std::istringstream lines(text);
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_NE(line.rfind("[critical]", 0), 0u) << "a client forged a log line: " << line;
    EXPECT_LT(line.size(), 2048u) << "a client string was logged whole";
  }
  EXPECT_GE(count, 3u);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "an escape sequence reached the log";
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << "a C1 control reached the log";
  EXPECT_THAT(text, HasSubstr("evil\\n[critical] parsecd: key store wiped\\x1b[2J"));
  EXPECT_THAT(text, HasSubstr("...(65536 bytes)"));
}

TEST(LogSafe, EscapesAndTruncates) {
  EXPECT_EQ(log_safe("plain name"), "plain name");
  EXPECT_EQ(log_safe("a\nb\r\tc\\d"), "a\\nb\\r\\tc\\\\d");
  EXPECT_EQ(log_safe(std::string("\x00\x1b\x7f", 3)), "\\x00\\x1b\\x7f");
  EXPECT_EQ(log_safe("caf\xc3\xa9 \xf0\x9f\x94\x91"), "caf\xc3\xa9 \xf0\x9f\x94\x91");  // UTF-8 kept
  EXPECT_EQ(log_safe("\xc2\x9b"), "\\xc2\\x9b");                                        // C1 CSI escaped
  EXPECT_EQ(log_safe("\xff\xc3"), "\\xff\\xc3");                                        // not UTF-8
  EXPECT_EQ(log_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");                               // surrogate
  EXPECT_EQ(log_safe(std::string(10, 'x'), 4), "xxxx...(10 bytes)");
  EXPECT_EQ(log_safe("ab\xc3\xa9", 3), "ab...(4 bytes)");  // never half a character
}

}  // namespace
}  // namespace parsec::service
