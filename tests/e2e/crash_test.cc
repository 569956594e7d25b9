// kill -9 during creates and destroys: after every restart no acknowledged
// key is lost, no acknowledged destroy is undone, every mapping has its key
// material and no material is orphaned, and names can be used again.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/e2e/proto_client.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;

enum class State { Exists, Destroyed, InFlight };

// Mapped key ids and blob uids, read by an independent connection.
std::pair<std::multiset<uint64_t>, std::multiset<uint64_t>> store_ids(const std::string& db) {
  std::multiset<uint64_t> mapped, blobs;
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT key_ref FROM keys", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    const auto* ref = static_cast<const uint8_t*>(sqlite3_column_blob(s, 0));
    uint64_t id = 0;
    for (int i = sqlite3_column_bytes(s, 0) - 1; i >= 0; --i) {
      id = (id << 8) | ref[i];
    }
    mapped.insert(id);
  }
  sqlite3_finalize(s);
  sqlite3_prepare_v2(h, "SELECT uid FROM blobs", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    blobs.insert(static_cast<uint64_t>(sqlite3_column_int64(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return {mapped, blobs};
}

TEST(Crash, KillNineDuringCreatesAndDestroys) {
  Daemon d;
  d.start();
  App a{d.socket_path(), "crash-tester"};
  a.may_be_down = true;
  auto attrs = ecc_pair(256, ecdsa(Algorithm::SHA_256));
  std::map<std::string, State> states;
  std::map<std::string, std::string> public_keys;
  int next = 0;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    std::mutex mu;
    std::condition_variable cv;
    int acked = 0;
    std::atomic<bool> dead{false};
    std::thread client([&] {
      std::vector<std::string> live;
      for (const auto& [n, s] : states) {
        if (s == State::Exists) {
          live.push_back(n);
        }
      }
      while (!dead) {
        bool destroy = !live.empty() && (next % 3 == 2);
        std::string name = destroy ? live.back() : "k" + std::to_string(next);
        ++next;
        {
          std::lock_guard lock(mu);
          states[name] = State::InFlight;
        }
        Call c = destroy ? a.destroy(name) : a.generate(name, attrs);
        std::lock_guard lock(mu);
        if (c.status == Status::Success) {
          states[name] = destroy ? State::Destroyed : State::Exists;
          if (destroy) {
            live.pop_back();
          } else {
            live.push_back(name);
          }
          ++acked;
          cv.notify_all();
        } else {
          // The daemon died under this request: its outcome is unknown.
          dead = true;
          cv.notify_all();
        }
      }
    });
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return acked >= 4 + round || dead; });
    }
    d.stop(SIGKILL);
    dead = true;
    client.join();
    d.start();
    // Check every name against what was acknowledged.
    auto [mapped, blobs] = store_ids(d.store_path());
    EXPECT_EQ(mapped, blobs) << "round " << round << ": a mapping without material or orphaned material";
    std::string digest = sha(256, "round " + std::to_string(round));
    for (auto& [name, st] : states) {
      Call pub = a.export_public(name);
      if (st == State::Exists) {
        ASSERT_EQ(pub.status, Status::Success) << "acknowledged key " << name << " lost in round " << round;
      } else if (st == State::Destroyed) {
        EXPECT_EQ(pub.status, Status::PsaErrorDoesNotExist) << "acknowledged destroy of " << name << " undone";
      } else {
        // In flight at the kill: either state, but whole.
        st = pub.status == Status::Success ? State::Exists : State::Destroyed;
        EXPECT_TRUE(pub.status == Status::Success || pub.status == Status::PsaErrorDoesNotExist);
      }
      if (st == State::Exists) {
        Call sig = a.sign_hash(name, ecdsa(Algorithm::SHA_256), digest);
        ASSERT_EQ(sig.status, Status::Success) << name;
        EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, digest, sig.body)) << name;
      }
    }
  }
  // Every destroyed name can be used again.
  int reused = 0;
  for (const auto& [name, st] : states) {
    if (st == State::Destroyed) {
      EXPECT_EQ(a.generate(name, attrs).status, Status::Success) << name;
      ++reused;
    }
  }
  EXPECT_GT(reused, 0);
  auto [mapped, blobs] = store_ids(d.store_path());
  EXPECT_EQ(mapped, blobs);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parsec::e2e
