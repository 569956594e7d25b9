// crash_consistency_test.cc - key creation and destruction on the software
// provider are all-or-nothing. For every write step of the key store commit
// of generate, import and destroy, the commit is made to (a) fail at that step
// and (b) crash at that step: a forked child process runs the request and
// dies with _exit() in the middle of the SQLite transaction. The store is then
// reopened as by a restarted daemon and checked:
//   - no acknowledged key is lost (a baseline key still signs);
//   - no mapping points to nothing and no key material is orphaned (every blob
//     belongs to exactly one mapping and vice versa);
//   - the interrupted operation either happened completely or not at all;
//   - the name can be used again.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "psa_destroy_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_import_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/handler.h"

namespace parsec::service {
namespace {

namespace fs = std::filesystem;

constexpr int kSteps = 3;  // blob write, mapping write, COMMIT (and the reverse for destroy)

class Store {
 public:
  Store() {
    char tmpl[] = "/tmp/parsec-crash-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~Store() { fs::remove_all(dir_); }
  std::string db() const { return dir_ + "/store/keys.sqlite3"; }
  std::string config_text() const {
    return "[core_settings]\n[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nsocket_path = \"" + dir_ +
           "/s.sock\"\n[authenticator]\nauth_type = \"Direct\"\n[[key_manager]]\nname = \"m\"\nmanager_type = "
           "\"SQLite\"\nsqlite_db_path = \"" +
           db() + "\"\n[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
  }

 private:
  std::string dir_;
};

// Daemon is the service minus the socket: backends and a handler over one store.
class Daemon {
 public:
  explicit Daemon(const Store& store) {
    Result<Config> parsed = parse_config_text(store.config_text(), "test");
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.detail();
      return;
    }
    auto cfg = std::make_shared<Config>(std::move(parsed).value());
    auto made = Backends::create(*cfg);
    if (!made.ok()) {
      ADD_FAILURE() << made.detail();
      return;
    }
    backends_ = std::move(made).value();
    auto h = Handler::create(cfg, *backends_);
    if (!h.ok()) {
      ADD_FAILURE() << h.detail();
      return;
    }
    handler_ = std::move(h).value();
  }
  ~Daemon() {
    handler_.reset();
    backends_.reset();
  }
  KeyStore& store() { return *backends_->providers().front().store; }

  Status call(Opcode op, const google::protobuf::Message& body, std::string* out = nullptr) {
    Request r;
    r.header.opcode = static_cast<uint32_t>(op);
    r.header.provider = 1;
    r.header.auth_type = static_cast<uint8_t>(AuthType::Direct);
    r.body = body.SerializeAsString();
    r.auth = "app";
    r.header.body_len = static_cast<uint32_t>(r.body.size());
    r.header.auth_len = 3;
    Response resp = handler_->handle(r);
    if (out) {
      *out = resp.body;
    }
    return static_cast<Status>(resp.header.status);
  }

  Status generate(const std::string& name) {
    psa_generate_key::Operation op;
    op.set_key_name(name);
    *op.mutable_attributes() = attributes();
    return call(Opcode::PsaGenerateKey, op);
  }
  Status import(const std::string& name) {
    psa_import_key::Operation op;
    op.set_key_name(name);
    *op.mutable_attributes() = attributes();
    // A fixed P-256 private key (scalar 0x01..0x20): valid and deterministic.
    std::string scalar;
    for (int i = 1; i <= 32; ++i) {
      scalar += static_cast<char>(i);
    }
    op.set_data(scalar);
    return call(Opcode::PsaImportKey, op);
  }
  Status destroy(const std::string& name) {
    psa_destroy_key::Operation op;
    op.set_key_name(name);
    return call(Opcode::PsaDestroyKey, op);
  }
  Status sign(const std::string& name) {
    psa_sign_hash::Operation op;
    op.set_key_name(name);
    op.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_256);
    op.set_hash(std::string(32, 'h'));
    return call(Opcode::PsaSignHash, op);
  }

  static psa_key_attributes::KeyAttributes attributes() {
    psa_key_attributes::KeyAttributes a;
    a.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
    a.set_key_bits(256);
    a.mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
    a.mutable_key_policy()
        ->mutable_key_algorithm()
        ->mutable_asymmetric_signature()
        ->mutable_ecdsa()
        ->mutable_hash_alg()
        ->set_specific(psa_algorithm::Algorithm::SHA_256);
    return a;
  }

 private:
  std::unique_ptr<Backends> backends_;
  std::shared_ptr<const Handler> handler_;
};

// Contents read by an independent connection: mapped key ids and blob uids.
struct Contents {
  std::set<std::string> names;
  std::multiset<uint64_t> mapped_ids;
  std::multiset<uint64_t> blob_ids;
};

Contents read_contents(const std::string& db) {
  Contents c;
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT key_name, key_ref FROM keys", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    c.names.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    const auto* ref = static_cast<const uint8_t*>(sqlite3_column_blob(s, 1));
    uint64_t id = 0;
    for (int i = sqlite3_column_bytes(s, 1) - 1; i >= 0; --i) {
      id = (id << 8) | ref[i];  // key_ref is the little-endian PSA key id
    }
    c.mapped_ids.insert(id);
  }
  sqlite3_finalize(s);
  sqlite3_prepare_v2(h, "SELECT uid FROM blobs", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    c.blob_ids.insert(static_cast<uint64_t>(sqlite3_column_int64(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return c;
}

void expect_consistent(const Store& st) {
  Contents c = read_contents(st.db());
  EXPECT_EQ(c.mapped_ids, c.blob_ids) << "every mapping has its material and no material is orphaned";
}

enum class Mode { Fail, Crash };
enum class Op { Generate, Import, Destroy };

std::string label(Op op) {
  return op == Op::Generate ? "generate" : op == Op::Import ? "import" : "destroy";
}

// run_interrupted performs `op` on "victim" with the commit interrupted at
// `step`, either failing there or killing the process there.
void run_interrupted(const Store& st, Op op, int step, Mode mode) {
  auto act = [&](Daemon& d) {
    d.store().set_commit_fault_hook([step, mode](int s) {
      if (s == step && mode == Mode::Crash) {
        _exit(42);  // die mid-transaction: no rollback, no cleanup
      }
      return s != step;
    });
    Status s = op == Op::Generate ? d.generate("victim") : op == Op::Import ? d.import("victim") : d.destroy("victim");
    return s;
  };
  if (mode == Mode::Fail) {
    Daemon d(st);
    EXPECT_EQ(act(d), Status::KeyInfoManagerError) << label(op) << " step " << step;
    return;
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Daemon d(st);
    act(d);
    _exit(7);  // reaching here means the hook never fired
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42) << label(op) << " step " << step << ": the crash point was not reached";
}

class CrashConsistency : public ::testing::TestWithParam<std::tuple<Op, int, Mode>> {};

TEST_P(CrashConsistency, InterruptedCommitLeavesAConsistentStore) {
  auto [op, step, mode] = GetParam();
  Store st;
  {
    Daemon d(st);
    ASSERT_EQ(d.generate("baseline"), Status::Success);
    if (op == Op::Destroy) {
      ASSERT_EQ(d.generate("victim"), Status::Success);
    }
  }
  run_interrupted(st, op, step, mode);
  expect_consistent(st);
  // Restart: a fresh daemon over the same store.
  Daemon d(st);
  EXPECT_EQ(d.sign("baseline"), Status::Success) << "an acknowledged key was lost";
  Contents c = read_contents(st.db());
  if (op == Op::Destroy) {
    // The destroy was never acknowledged and rolled back: the key is whole.
    EXPECT_TRUE(c.names.count("victim"));
    EXPECT_EQ(d.sign("victim"), Status::Success);
    EXPECT_EQ(d.destroy("victim"), Status::Success);
    EXPECT_EQ(d.sign("victim"), Status::PsaErrorDoesNotExist);
  } else {
    // The create was never acknowledged and left nothing behind.
    EXPECT_FALSE(c.names.count("victim"));
    EXPECT_EQ(d.sign("victim"), Status::PsaErrorDoesNotExist);
  }
  // The name can be used again.
  EXPECT_EQ(op == Op::Import ? d.import("victim") : d.generate("victim"), Status::Success);
  EXPECT_EQ(d.sign("victim"), Status::Success);
  expect_consistent(st);
}

INSTANTIATE_TEST_SUITE_P(EveryWriteStep, CrashConsistency,
                         ::testing::Combine(::testing::Values(Op::Generate, Op::Import, Op::Destroy),
                                            ::testing::Range(0, kSteps), ::testing::Values(Mode::Fail, Mode::Crash)),
                         [](const auto& param_info) {
                           const auto& p = param_info.param;
                           return label(std::get<0>(p)) + "_step" + std::to_string(std::get<1>(p)) +
                                  (std::get<2>(p) == Mode::Fail ? "_fails" : "_crashes");
                         });

TEST(CrashConsistencySteps, ACommitHasExactlyTheStepsTested) {
  // Guards kSteps: if a commit gains a write step, the suite above must grow.
  Store st;
  Daemon d(st);
  int seen = 0;
  d.store().set_commit_fault_hook([&](int s) {
    seen = std::max(seen, s + 1);
    return true;
  });
  ASSERT_EQ(d.generate("k"), Status::Success);
  EXPECT_EQ(seen, kSteps);
  seen = 0;
  ASSERT_EQ(d.destroy("k"), Status::Success);
  EXPECT_EQ(seen, kSteps);
}

}  // namespace
}  // namespace parsec::service
