// store_test.cc - issue 15 items 1, 4 and 5 at the daemon: `parsecd --check`
// run again and again against a live daemon under create load loses nothing;
// a second daemon on the same key store (or on a copy of it, on the same
// PKCS #11 token) refuses to start and names the holder; a damaged store is
// refused at start-up, a damaged row does not hide a tenant's other keys, and
// a store that fails while running answers KeyInfoManagerError.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "list_keys.pb.h"
#include "tests/e2e/proto_client.h"
#include "tests/e2e/softhsm_fixture.h"
#include "tests/support/store_faults.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;

// ---- the store behind the daemon's back -------------------------------------------

using testing::store_faults::corrupt_key_index;
using testing::store_faults::query_int;
using testing::store_faults::sql;

std::vector<std::string> key_names(const App& app, Status* st) {
  Call c = app.list_keys();
  *st = c.status;
  list_keys::Result r;
  EXPECT_TRUE(r.ParseFromString(c.body));
  std::vector<std::string> out;
  for (const auto& k : r.keys()) {
    out.push_back(k.name());
  }
  return out;
}

// check runs `parsecd -c CONFIG --check` with a 10 s bound; its exit code
// (124 when it had to be killed).
int check(const std::string& config) {
  std::string cmd = std::string("timeout 10 ") + PARSECD_PATH + " -c '" + config + "' --check >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

// ---- item 4: store faults ---------------------------------------------------------------

TEST(Store, DamagedStoreIsRefusedAtStartUp) {
  Daemon d;
  d.start();
  App alice{d.socket_path(), "alice"};
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(alice.generate("k" + std::to_string(i), ecc_pair(256, ecdsa(Algorithm::SHA_256))).status,
              Status::Success);
  }
  ASSERT_EQ(d.stop(SIGTERM), 0);
  corrupt_key_index(d.store_path());
  size_t from = d.log_size();
  int code = d.start_expect_exit(std::chrono::seconds(10));
  if (code == -1) {
    FAIL() << "parsecd started on a damaged store without a word";
  }
  EXPECT_NE(code, 0);
  EXPECT_NE(d.log().find("is damaged (PRAGMA quick_check", from), std::string::npos) << d.log();
}

TEST(Store, ReadErrorWhileRunningIsKeyInfoManagerErrorNotAnEmptyList) {
  Daemon d;
  d.start();
  App alice{d.socket_path(), "alice"};
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(alice.generate("k" + std::to_string(i), ecc_pair(256, ecdsa(Algorithm::SHA_256))).status,
              Status::Success);
  }
  corrupt_key_index(d.store_path());
  Status st;
  std::vector<std::string> names = key_names(alice, &st);
  EXPECT_EQ(st, Status::KeyInfoManagerError)
      << "ListKeys answered " << status_name(st) << " with " << names.size() << " key(s)";
  d.stop(SIGKILL);
}

TEST(Store, OneDamagedRowDoesNotHideTheTenantsOtherKeys) {
  Daemon d;
  d.start();
  App alice{d.socket_path(), "alice"};
  for (const char* k : {"a", "b", "c"}) {
    ASSERT_EQ(alice.generate(k, ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  }
  ASSERT_EQ(d.stop(SIGTERM), 0);
  sql(d.store_path(), "UPDATE keys SET attributes = x'ffffffff0102' WHERE key_name = 'b';");
  d.start();
  Status st;
  EXPECT_EQ(key_names(alice, &st), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(st, Status::Success);
  EXPECT_TRUE(d.wait_for_log("ListKeys: skipped key \"b\" of Direct \"alice\""));
  EXPECT_EQ(alice.export_public("b").status, Status::KeyInfoManagerError);
  Call sig = alice.sign_hash("a", ecdsa(Algorithm::SHA_256), sha(256, "m"));
  ASSERT_EQ(sig.status, Status::Success);
  Call pub = alice.export_public("a");
  ASSERT_EQ(pub.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, sha(256, "m"), sig.body));
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

// ---- item 5: one daemon per store ----------------------------------------------------

TEST(Store, SecondDaemonOnTheSameStoreRefusesNamingTheHolder) {
  Daemon a;
  a.start();
  App alice{a.socket_path(), "alice"};
  ASSERT_EQ(alice.generate("first", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  Daemon b;
  std::string text = b.config_text({});
  text.replace(text.find(b.store_path()), b.store_path().size(), a.store_path());
  b.write_config(text);
  int code = b.start_expect_exit(std::chrono::seconds(10));
  if (code == -1) {
    FAIL() << "a second parsecd started on a store in use";
  }
  EXPECT_NE(code, 0);
  EXPECT_NE(b.log().find("is in use by pid " + std::to_string(a.pid())), std::string::npos) << b.log();
  // The first daemon is unaffected: it still creates and finds keys.
  ASSERT_EQ(alice.generate("second", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_EQ(alice.export_public("first").status, Status::Success);
  // Once it is gone, the store is free.
  ASSERT_EQ(a.stop(SIGKILL), 128 + SIGKILL);
  b.start();
  App alice_b{b.socket_path(), "alice"};
  EXPECT_EQ(alice_b.export_public("second").status, Status::Success);
  EXPECT_EQ(b.stop(SIGTERM), 0);
}

#ifdef PARSEC_WITH_PKCS11

constexpr uint8_t kP11 = 2;
constexpr const char* kPin = "e2e-Secret-PIN-4711";
constexpr const char* kLabel = "Parsec Store Tests";

std::string pkcs11_provider() {
  return "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"sqlite-manager\"\nlibrary_path = \"" +
         parsec::testing::SoftHsm::module_path() + "\"\ntoken_label = \"" + kLabel + "\"\nuser_pin = \"" + kPin +
         "\"\n";
}

TEST(Store, CopyOfALiveStoreOnTheSameTokenRefusesNamingTheHolder) {
  parsec::testing::SoftHsm hsm;
  hsm.use();
  hsm.init_token(kLabel, kPin);
  DaemonOptions o;
  o.providers = pkcs11_provider();
  Daemon a(o);
  a.start();
  App alice{a.socket_path(), "alice"};
  alice.provider = kP11;
  ASSERT_EQ(alice.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  Daemon b(o);
  std::filesystem::create_directories(std::filesystem::path(b.store_path()).parent_path());
  std::filesystem::permissions(std::filesystem::path(b.store_path()).parent_path(), std::filesystem::perms::owner_all);
  sql(a.store_path(), "VACUUM INTO '" + b.store_path() + "';");
  int code = b.start_expect_exit(std::chrono::seconds(10));
  if (code == -1) {
    FAIL() << "a second parsecd serves a copy of a live store on the same token";
  }
  EXPECT_NE(code, 0);
  EXPECT_NE(b.log().find("is in use by pid " + std::to_string(a.pid())), std::string::npos) << b.log();
  EXPECT_EQ(alice.export_public("k").status, Status::Success);
  EXPECT_EQ(a.stop(SIGTERM), 0);
}

// ---- item 1: --check beside a live daemon --------------------------------------------

TEST(Store, CheckRunAHundredTimesAgainstADaemonUnderCreateLoadLosesNothing) {
  parsec::testing::SoftHsm hsm;
  hsm.use();
  hsm.init_token(kLabel, kPin);
  DaemonOptions o;
  o.providers = pkcs11_provider();
  Daemon d(o);
  d.start();
  constexpr int kClients = 4;
  std::atomic<bool> done{false};
  std::mutex mu;
  std::condition_variable created;
  size_t created_count = 0;
  std::map<std::string, std::vector<std::string>> acked;  // app -> acknowledged keys
  std::atomic<int> failures{0};
  std::vector<std::thread> load;
  for (int c = 0; c < kClients; ++c) {
    load.emplace_back([&, c] {
      App app{d.socket_path(), "tenant-" + std::to_string(c)};
      app.provider = kP11;
      for (int n = 0; !done.load(); ++n) {
        std::string name = "k" + std::to_string(n);
        Status s = app.generate(name, ecc_pair(256, ecdsa(Algorithm::SHA_256))).status;
        if (s == Status::Success) {
          std::lock_guard lock(mu);
          acked[app.name].push_back(name);
          ++created_count;
          created.notify_all();
        } else {
          ++failures;
        }
      }
    });
  }
  int bad_checks = 0;
  bool stalled = false;
  for (int i = 0; i < 100 && !stalled; ++i) {
    bad_checks += check(d.config_path()) != 0 ? 1 : 0;
    // Every --check overlaps creations: the next one starts only after the
    // clients acknowledged at least one more key.
    std::unique_lock lock(mu);
    size_t seen = created_count;
    stalled = !created.wait_for(lock, std::chrono::seconds(30), [&] { return created_count > seen; });
  }
  done = true;
  for (auto& t : load) {
    t.join();
  }
  ASSERT_FALSE(stalled) << "the clients stopped creating keys";
  EXPECT_EQ(bad_checks, 0) << "--check failed or hung (>10 s) next to a live daemon";
  EXPECT_EQ(failures.load(), 0);
  size_t total = 0;
  auto verify_all = [&](const char* when) {
    for (const auto& [name, keys] : acked) {
      App app{d.socket_path(), name};
      app.provider = kP11;
      Status st;
      std::vector<std::string> listed = key_names(app, &st);
      ASSERT_EQ(st, Status::Success);
      EXPECT_EQ(listed.size(), keys.size()) << name << " " << when;
      for (const auto& k : keys) {
        Call sig = app.sign_hash(k, ecdsa(Algorithm::SHA_256), sha(256, k));
        ASSERT_EQ(sig.status, Status::Success) << name << "/" << k << " lost " << when;
        Call pub = app.export_public(k);
        ASSERT_EQ(pub.status, Status::Success);
        EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, sha(256, k), sig.body));
      }
    }
  };
  for (const auto& [name, keys] : acked) {
    total += keys.size();
  }
  EXPECT_GT(total, 0u);
  verify_all("while running");
  // A restart reconciles the store with the token: every key must survive it.
  ASSERT_EQ(d.stop(SIGTERM), 0);
  d.start();
  verify_all("after a restart");
  std::cout << "[ figures  ] 100 --check runs beside " << kClients << " clients that created " << total
            << " keys: none lost\n";
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

#endif  // PARSEC_WITH_PKCS11

}  // namespace
}  // namespace parsec::e2e
