// key_store_test.cc - the SQLite key store against a real database in a
// private temporary folder.
#include "service/src/key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/store_faults.h"

namespace parsec::service {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

KeyRecord record(AuthType auth, const std::string& app, const std::string& provider, const std::string& name,
                 const std::string& ref = "ref", const std::string& attributes = "attrs") {
  KeyRecord r;
  r.owner = {auth, app};
  r.provider_name = provider;
  r.provider_id = ProviderId::MbedCrypto;
  r.key_name = name;
  r.key_ref = bytes(ref);
  r.attributes = attributes;
  return r;
}

// Dump is the full content of the database as read by an independent
// connection: every row of both tables, in a fixed order.
struct Dump {
  std::vector<std::tuple<int64_t, std::string, std::string, std::string, int64_t, std::string, std::string>> keys;
  std::vector<std::tuple<std::string, int64_t, std::string>> blobs;
  bool operator==(const Dump&) const = default;
};

std::string col_bytes(sqlite3_stmt* s, int i) {
  const void* p = sqlite3_column_blob(s, i);
  int n = sqlite3_column_bytes(s, i);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Dump dump(const std::string& path) {
  Dump d;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db,
                               "SELECT auth_type, app_name, provider_name, key_name, provider_id, key_ref, attributes "
                               "FROM keys ORDER BY auth_type, app_name, provider_name, key_name;",
                               -1, &s, nullptr),
            SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    d.keys.emplace_back(sqlite3_column_int64(s, 0), col_bytes(s, 1), col_bytes(s, 2), col_bytes(s, 3),
                        sqlite3_column_int64(s, 4), col_bytes(s, 5), col_bytes(s, 6));
  }
  sqlite3_finalize(s);
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT provider_name, uid, data FROM blobs ORDER BY provider_name, uid;", -1, &s,
                               nullptr),
            SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    d.blobs.emplace_back(col_bytes(s, 0), sqlite3_column_int64(s, 1), col_bytes(s, 2));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return d;
}

int64_t pragma_int(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK);
  int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) {
    v = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/parsec_key_store_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    folder_ = root_ / "kim" / "sqlite";
    path_ = (folder_ / "store.sqlite3").string();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // open_store opens path_ into store_ and fails the test on error.
  void open_store() {
    store_.reset();
    auto r = KeyStore::open(path_);
    const std::string error = r.detail();
    ASSERT_TRUE(r.ok()) << error;
    store_ = std::move(*r);
  }

  Status insert(const KeyRecord& r) {
    Txn txn(r.provider_name);
    txn.insert_mapping(r);
    return store_->commit(txn);
  }

  std::optional<KeyRecord> get(AuthType auth, const std::string& app, const std::string& provider,
                               const std::string& name) {
    auto r = store_->get({auth, app}, provider, name);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }

  std::optional<Bytes> blob(const std::string& provider, uint64_t uid) {
    auto r = store_->get_blob(provider, uid);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }

  // hold_first_commit_until_queued makes the next commit's leader wait inside
  // its transaction (setting `entered`) until `followers` more commits are
  // queued behind it (20 s at most), then sets `released`; later commits run
  // unhindered.
  void hold_first_commit_until_queued(size_t followers, std::atomic<bool>& entered, std::atomic<bool>& released) {
    store_->set_commit_fault_hook([this, followers, &entered, &released](int) {
      if (!released) {
        entered = true;
        auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (store_->queued_commits() < followers && std::chrono::steady_clock::now() < limit) {
          std::this_thread::yield();
        }
        released = true;
      }
      return true;
    });
  }

  fs::path root_;
  fs::path folder_;
  std::string path_;
  std::unique_ptr<KeyStore> store_;
};

void expect_same_record(const KeyRecord& got, const KeyRecord& want) {
  EXPECT_EQ(got.owner, want.owner);
  EXPECT_EQ(got.provider_name, want.provider_name);
  EXPECT_EQ(got.provider_id, want.provider_id);
  EXPECT_EQ(got.key_name, want.key_name);
  EXPECT_EQ(got.key_ref, want.key_ref);
  EXPECT_EQ(got.attributes, want.attributes);
}

// ---- creation, modes, schema -------------------------------------------------------

TEST_F(KeyStoreTest, SchemaCreatedWithVersionOne) {
  open_store();
  EXPECT_EQ(pragma_int(path_, "PRAGMA user_version;"), 1);
  EXPECT_EQ(KeyStore::kSchemaVersion, 1);
  EXPECT_EQ(pragma_int(path_, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='keys';"), 1);
  EXPECT_EQ(pragma_int(path_, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='blobs';"), 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode;", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_F(KeyStoreTest, FileIs0600AndCreatedFoldersAre0700) {
  ASSERT_FALSE(fs::exists(root_ / "kim"));
  open_store();
  EXPECT_EQ(mode_of(path_), 0600u);
  EXPECT_EQ(mode_of(folder_), 0700u);
  EXPECT_EQ(mode_of(root_ / "kim"), 0700u);
  // Committing data does not widen anything.
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "p", "k")), Status::Success);
  EXPECT_EQ(mode_of(path_), 0600u);
  for (const char* suffix : {"-wal", "-shm"}) {
    fs::path side = path_ + suffix;
    if (fs::exists(side)) {
      EXPECT_EQ(mode_of(side) & 077, 0u) << side;
    }
  }
}

TEST_F(KeyStoreTest, ExistingFileWithWideModeIsTightened) {
  fs::create_directories(folder_);
  ASSERT_EQ(::chmod(folder_.c_str(), 0700), 0);
  { std::ofstream f(path_); }
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  open_store();
  EXPECT_EQ(mode_of(path_), 0600u);
}

TEST_F(KeyStoreTest, ParentFolderReadableByOthersRefused) {
  for (mode_t m : {0755u, 0750u, 0701u, 0770u, 0707u}) {
    fs::path dir = root_ / ("open" + std::to_string(m));
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(dir.c_str(), m), 0);
    std::string path = (dir / "store.sqlite3").string();
    auto r = KeyStore::open(path);
    const std::string error = r.detail();
    ASSERT_FALSE(r.ok()) << std::oct << m;
    EXPECT_EQ(r.status(), Status::KeyInfoManagerError);
    EXPECT_THAT(error, HasSubstr(dir.string())) << error;
    // Nothing was created in the refused folder.
    EXPECT_FALSE(fs::exists(path));
  }
  // The refusal is the same for another file in that folder.
  fs::path dir = root_ / ("open" + std::to_string(0755u));
  ASSERT_TRUE(fs::is_directory(dir));
  auto r = KeyStore::open((dir / "x.sqlite3").string());
  EXPECT_FALSE(r.ok());
}

TEST_F(KeyStoreTest, ParentThatIsAFileRefused) {
  fs::path file = root_ / "plain";
  { std::ofstream f(file); }
  auto r = KeyStore::open((file / "store.sqlite3").string());
  const std::string error = r.detail();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(error, HasSubstr(file.string()));
}

TEST_F(KeyStoreTest, SymlinkedDatabaseRefused) {
  fs::create_directories(folder_);
  ASSERT_EQ(::chmod(folder_.c_str(), 0700), 0);
  fs::path target = root_ / "elsewhere.sqlite3";
  { std::ofstream f(target); }
  ASSERT_EQ(::symlink(target.c_str(), path_.c_str()), 0);
  auto r = KeyStore::open(path_);
  const std::string error = r.detail();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(error, HasSubstr(path_));
  EXPECT_EQ(fs::file_size(target), 0u);  // nothing written through the link
}

TEST_F(KeyStoreTest, FutureSchemaVersionRefused) {
  fs::create_directories(folder_);
  ASSERT_EQ(::chmod(folder_.c_str(), 0700), 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  auto r = KeyStore::open(path_);
  const std::string error = r.detail();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::KeyInfoManagerError);
  EXPECT_THAT(error, HasSubstr("99"));
  EXPECT_THAT(error, HasSubstr(path_));
  // The database was left alone.
  EXPECT_EQ(pragma_int(path_, "PRAGMA user_version;"), 99);
}

TEST_F(KeyStoreTest, GarbageFileRefused) {
  fs::create_directories(folder_);
  ASSERT_EQ(::chmod(folder_.c_str(), 0700), 0);
  {
    std::ofstream f(path_, std::ios::binary);
    f << std::string(4096, 'x');
  }
  auto r = KeyStore::open(path_);
  const std::string error = r.detail();
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(error.empty());
}

// ---- mappings -----------------------------------------------------------------------

TEST_F(KeyStoreTest, InsertGetAndLists) {
  open_store();
  KeyRecord a1 = record(AuthType::Direct, "alice", "mbed", "k1", "ref-a1", "attrs-a1");
  KeyRecord a2 = record(AuthType::Direct, "alice", "pkcs11", "k2", "ref-a2", "attrs-a2");
  a2.provider_id = ProviderId::Pkcs11;
  KeyRecord b1 = record(AuthType::Direct, "bob", "mbed", "k1", "ref-b1", "attrs-b1");
  ASSERT_EQ(insert(a1), Status::Success);
  ASSERT_EQ(insert(a2), Status::Success);
  ASSERT_EQ(insert(b1), Status::Success);

  auto g = get(AuthType::Direct, "alice", "mbed", "k1");
  ASSERT_TRUE(g.has_value());
  expect_same_record(*g, a1);
  g = get(AuthType::Direct, "alice", "pkcs11", "k2");
  ASSERT_TRUE(g.has_value());
  expect_same_record(*g, a2);
  EXPECT_FALSE(get(AuthType::Direct, "alice", "mbed", "k2").has_value());               // wrong provider
  EXPECT_FALSE(get(AuthType::Direct, "carol", "mbed", "k1").has_value());               // wrong owner
  EXPECT_FALSE(get(AuthType::UnixPeerCredentials, "alice", "mbed", "k1").has_value());  // wrong auth

  auto lo = store_->list_owner({AuthType::Direct, "alice"});
  ASSERT_TRUE(lo.ok());
  ASSERT_EQ(lo->size(), 2u);
  std::vector<std::string> names;
  for (const auto& r : *lo) {
    names.push_back(r.provider_name + "/" + r.key_name);
    EXPECT_EQ(r.owner, (KeyOwner{AuthType::Direct, "alice"}));
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("mbed/k1", "pkcs11/k2"));
  auto none = store_->list_owner({AuthType::UnixPeerCredentials, "alice"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto lp = store_->list_provider("mbed");
  ASSERT_TRUE(lp.ok());
  ASSERT_EQ(lp->size(), 2u);
  std::vector<std::string> owners;
  for (const auto& r : *lp) {
    EXPECT_EQ(r.provider_name, "mbed");
    owners.push_back(r.owner.app);
  }
  std::sort(owners.begin(), owners.end());
  EXPECT_THAT(owners, ElementsAre("alice", "bob"));
  auto lp2 = store_->list_provider("nope");
  ASSERT_TRUE(lp2.ok());
  EXPECT_TRUE(lp2->empty());

  auto lc = store_->list_clients();
  ASSERT_TRUE(lc.ok());
  EXPECT_THAT(*lc, ElementsAre(KeyOwner{AuthType::Direct, "alice"}, KeyOwner{AuthType::Direct, "bob"}));
}

TEST_F(KeyStoreTest, EmptyStoreLists) {
  open_store();
  auto lc = store_->list_clients();
  ASSERT_TRUE(lc.ok());
  EXPECT_TRUE(lc->empty());
  auto lo = store_->list_owner({AuthType::Direct, "x"});
  ASSERT_TRUE(lo.ok());
  EXPECT_TRUE(lo->empty());
}

TEST_F(KeyStoreTest, ListClientsSortedByBytesAndDistinct) {
  open_store();
  // Inserted out of order; "B" < "a" < "b" < "é" (0xC3 0xA9) < "\xF0..." by bytes.
  const std::vector<std::pair<AuthType, std::string>> owners = {
      {AuthType::Direct, "b"},
      {AuthType::Direct, "\xC3\xA9"},
      {AuthType::Direct, "a"},
      {AuthType::Direct, "B"},
      {AuthType::Direct, "\xF0\x9F\x94\x91"},
      {AuthType::UnixPeerCredentials, "a"},  // same name, other authenticator: its own entry
      {AuthType::Direct, "aa"},
  };
  int i = 0;
  for (const auto& [auth, app] : owners) {
    ASSERT_EQ(insert(record(auth, app, "mbed", "k" + std::to_string(i++))), Status::Success);
  }
  // A second key of "b" in another provider: still once.
  ASSERT_EQ(insert(record(AuthType::Direct, "b", "other", "k99")), Status::Success);
  auto lc = store_->list_clients();
  ASSERT_TRUE(lc.ok());
  auto d = [](const char* app) { return KeyOwner{AuthType::Direct, app}; };
  // By authenticator, then by the name's bytes.
  EXPECT_THAT(*lc, ElementsAre(d("B"), d("a"), d("aa"), d("b"), d("\xC3\xA9"), d("\xF0\x9F\x94\x91"),
                               KeyOwner{AuthType::UnixPeerCredentials, "a"}));
}

TEST_F(KeyStoreTest, SameNameForDifferentOwnersAndProvidersCoexist) {
  open_store();
  std::vector<KeyRecord> recs = {
      record(AuthType::Direct, "app", "mbed", "shared", "r1"),
      record(AuthType::UnixPeerCredentials, "app", "mbed", "shared", "r2"),  // auth type differs
      record(AuthType::Direct, "other", "mbed", "shared", "r3"),             // app differs
      record(AuthType::Direct, "app", "pkcs11", "shared", "r4"),             // provider differs
  };
  for (const auto& r : recs) {
    ASSERT_EQ(insert(r), Status::Success) << r.owner.app << " " << r.provider_name;
  }
  for (const auto& r : recs) {
    auto g = get(r.owner.auth, r.owner.app, r.provider_name, r.key_name);
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->key_ref, r.key_ref);
  }
  auto lo = store_->list_owner({AuthType::Direct, "app"});
  ASSERT_TRUE(lo.ok());
  EXPECT_EQ(lo->size(), 2u);
}

TEST_F(KeyStoreTest, DuplicateInsertAlreadyExistsAndRollsBackBlobs) {
  open_store();
  Txn first("mbed");
  first.put(1, bytes("one"));
  first.insert_mapping(record(AuthType::Direct, "app", "mbed", "k", "ref-1"));
  ASSERT_EQ(store_->commit(first), Status::Success);
  const Dump before = dump(path_);

  Txn dup("mbed");
  dup.put(2, bytes("two"));
  dup.put(1, bytes("overwritten"));
  dup.remove(1);
  dup.put(3, bytes("three"));
  dup.insert_mapping(record(AuthType::Direct, "app", "mbed", "fresh", "ref-fresh"));
  dup.insert_mapping(record(AuthType::Direct, "app", "mbed", "k", "ref-2"));
  EXPECT_EQ(store_->commit(dup), Status::PsaErrorAlreadyExists);

  EXPECT_EQ(dump(path_), before);
  EXPECT_EQ(blob("mbed", 1), bytes("one"));
  EXPECT_FALSE(blob("mbed", 2).has_value());
  EXPECT_FALSE(blob("mbed", 3).has_value());
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "fresh").has_value());
  auto g = get(AuthType::Direct, "app", "mbed", "k");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->key_ref, bytes("ref-1"));

  // Two inserts of the same identity in one Txn also collide.
  Txn twice("mbed");
  twice.insert_mapping(record(AuthType::Direct, "app", "mbed", "dup"));
  twice.insert_mapping(record(AuthType::Direct, "app", "mbed", "dup"));
  EXPECT_EQ(store_->commit(twice), Status::PsaErrorAlreadyExists);
  EXPECT_EQ(dump(path_), before);
}

TEST_F(KeyStoreTest, InsertUsesTheTxnProviderName) {
  open_store();
  Txn txn("mbed");
  txn.insert_mapping(record(AuthType::Direct, "app", "somewhere-else", "k"));
  ASSERT_EQ(store_->commit(txn), Status::Success);
  EXPECT_TRUE(get(AuthType::Direct, "app", "mbed", "k").has_value());
  EXPECT_FALSE(get(AuthType::Direct, "app", "somewhere-else", "k").has_value());
}

TEST_F(KeyStoreTest, DeleteMissingDoesNotExistAndRollsBack) {
  open_store();
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "keep")), Status::Success);
  Txn seed("mbed");
  seed.put(5, bytes("five"));
  ASSERT_EQ(store_->commit(seed), Status::Success);
  const Dump before = dump(path_);

  Txn txn("mbed");
  txn.delete_mapping({AuthType::Direct, "app"}, "keep");     // exists
  txn.delete_mapping({AuthType::Direct, "app"}, "missing");  // does not
  txn.remove(5);
  txn.put(6, bytes("six"));
  txn.insert_mapping(record(AuthType::Direct, "app", "mbed", "new"));
  EXPECT_EQ(store_->commit(txn), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(dump(path_), before);
  EXPECT_TRUE(get(AuthType::Direct, "app", "mbed", "keep").has_value());
  EXPECT_EQ(blob("mbed", 5), bytes("five"));

  // Deleting another owner's key, or the key in another provider, is missing too.
  Txn other_owner("mbed");
  other_owner.delete_mapping({AuthType::Direct, "mallory"}, "keep");
  EXPECT_EQ(store_->commit(other_owner), Status::PsaErrorDoesNotExist);
  Txn other_auth("mbed");
  other_auth.delete_mapping({AuthType::UnixPeerCredentials, "app"}, "keep");
  EXPECT_EQ(store_->commit(other_auth), Status::PsaErrorDoesNotExist);
  Txn other_provider("pkcs11");
  other_provider.delete_mapping({AuthType::Direct, "app"}, "keep");
  EXPECT_EQ(store_->commit(other_provider), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(dump(path_), before);
}

TEST_F(KeyStoreTest, DeleteThenReinsert) {
  open_store();
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "k", "old")), Status::Success);
  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, "k");
  del.remove(1);
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "k").has_value());
  auto lc = store_->list_clients();
  ASSERT_TRUE(lc.ok());
  EXPECT_TRUE(lc->empty());
  // Deleting and re-creating in one Txn (deletes run first).
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "k", "mid")), Status::Success);
  Txn swap("mbed");
  swap.delete_mapping({AuthType::Direct, "app"}, "k");
  swap.insert_mapping(record(AuthType::Direct, "app", "mbed", "k", "new"));
  ASSERT_EQ(store_->commit(swap), Status::Success);
  auto g = get(AuthType::Direct, "app", "mbed", "k");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->key_ref, bytes("new"));
}

// get() answers from memory once a mapping has been read; every commit must
// still be seen by the next read, whether it succeeds, collides or fails.
TEST_F(KeyStoreTest, LookupsReadBackEveryCommitDespiteTheRecordCache) {
  open_store();
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "k", "old")), Status::Success);
  ASSERT_EQ(get(AuthType::Direct, "app", "mbed", "k")->key_ref, bytes("old"));  // now cached
  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, "k");
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "k").has_value());
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "k", "new")), Status::Success);
  ASSERT_EQ(get(AuthType::Direct, "app", "mbed", "k")->key_ref, bytes("new"));
  // A colliding insert and a rolled-back swap leave the committed record.
  EXPECT_EQ(insert(record(AuthType::Direct, "app", "mbed", "k", "clash")), Status::PsaErrorAlreadyExists);
  EXPECT_EQ(get(AuthType::Direct, "app", "mbed", "k")->key_ref, bytes("new"));
  store_->set_commit_fault_hook([](int step) { return step < 1; });  // the delete runs, the insert fails
  Txn swap("mbed");
  swap.delete_mapping({AuthType::Direct, "app"}, "k");
  swap.insert_mapping(record(AuthType::Direct, "app", "mbed", "k", "swapped"));
  EXPECT_NE(store_->commit(swap), Status::Success);
  store_->set_commit_fault_hook(nullptr);
  EXPECT_EQ(get(AuthType::Direct, "app", "mbed", "k")->key_ref, bytes("new"));
  // Same name, other owner or provider: separate entries.
  ASSERT_EQ(insert(record(AuthType::UnixPeerCredentials, "app", "mbed", "k", "peer")), Status::Success);
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "p11", "k", "p11")), Status::Success);
  EXPECT_EQ(get(AuthType::UnixPeerCredentials, "app", "mbed", "k")->key_ref, bytes("peer"));
  EXPECT_EQ(get(AuthType::Direct, "app", "p11", "k")->key_ref, bytes("p11"));
  EXPECT_EQ(get(AuthType::Direct, "app", "mbed", "k")->key_ref, bytes("new"));
  // Names that would run together if joined without lengths.
  ASSERT_EQ(insert(record(AuthType::Direct, "ab", "mbed", "c", "ab/c")), Status::Success);
  ASSERT_EQ(insert(record(AuthType::Direct, "a", "mbed", "bc", "a/bc")), Status::Success);
  EXPECT_EQ(get(AuthType::Direct, "ab", "mbed", "c")->key_ref, bytes("ab/c"));
  EXPECT_EQ(get(AuthType::Direct, "a", "mbed", "bc")->key_ref, bytes("a/bc"));
  EXPECT_FALSE(get(AuthType::Direct, "a", "mbed", "c").has_value());
}

// More mappings than the record cache holds: every one still reads back
// right, twice over (the second pass evicts as it goes).
TEST_F(KeyStoreTest, MoreKeysThanTheRecordCacheHoldsReadBackRight) {
  open_store();
  constexpr int kKeys = 5000;
  Txn txn("mbed");
  for (int i = 0; i < kKeys; ++i) {
    txn.insert_mapping(record(AuthType::Direct, "app", "mbed", "k" + std::to_string(i), "ref" + std::to_string(i)));
  }
  ASSERT_EQ(store_->commit(txn), Status::Success);
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < kKeys; ++i) {
      auto g = get(AuthType::Direct, "app", "mbed", "k" + std::to_string(i));
      ASSERT_TRUE(g.has_value()) << i;
      ASSERT_EQ(g->key_ref, bytes("ref" + std::to_string(i))) << i;
    }
  }
  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, "k4999");
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "k4999").has_value());
}

TEST_F(KeyStoreTest, DropMappingAndDropBlob) {
  open_store();
  KeyRecord r = record(AuthType::Direct, "app", "mbed", "k");
  Txn txn("mbed");
  txn.insert_mapping(r);
  txn.put(9, bytes("nine"));
  ASSERT_EQ(store_->commit(txn), Status::Success);
  EXPECT_EQ(store_->drop_mapping(r), Status::Success);
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "k").has_value());
  EXPECT_EQ(store_->drop_mapping(r), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(store_->drop_blob("mbed", 9), Status::Success);
  EXPECT_FALSE(blob("mbed", 9).has_value());
  EXPECT_EQ(store_->drop_blob("mbed", 9), Status::Success);  // removing nothing is fine
}

TEST_F(KeyStoreTest, EmptyKeyRefAndAttributesRoundTrip) {
  open_store();
  KeyRecord r = record(AuthType::Direct, "app", "mbed", "k", "", "");
  ASSERT_EQ(insert(r), Status::Success);
  auto g = get(AuthType::Direct, "app", "mbed", "k");
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->key_ref.empty());
  EXPECT_TRUE(g->attributes.empty());
  // Binary attributes (serialised protobuf has NULs) survive exactly.
  std::string bin("\x0A\x02\x52\x00\x10\x80\x10\x00\xFF", 9);
  KeyRecord b = record(AuthType::Direct, "app", "mbed", "bin", std::string("\x00\x01\x00", 3), bin);
  ASSERT_EQ(insert(b), Status::Success);
  g = get(AuthType::Direct, "app", "mbed", "bin");
  ASSERT_TRUE(g.has_value());
  expect_same_record(*g, b);
}

TEST_F(KeyStoreTest, ProviderIdRoundTrips) {
  open_store();
  for (ProviderId id : {ProviderId::MbedCrypto, ProviderId::Pkcs11, ProviderId::Tpm, ProviderId::TrustedService,
                        ProviderId::CryptoAuthLib}) {
    KeyRecord r = record(AuthType::Direct, "app", "p" + std::to_string(static_cast<int>(id)), "k");
    r.provider_id = id;
    ASSERT_EQ(insert(r), Status::Success);
    auto g = get(AuthType::Direct, "app", r.provider_name, "k");
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->provider_id, id);
  }
}

// ---- hostile names ----------------------------------------------------------------------

TEST_F(KeyStoreTest, HostileNamesStoredExactly) {
  open_store();
  const std::vector<std::string> names = {
      "../x",
      "",
      std::string(4096, 'n'),
      "'; DROP TABLE keys; --",
      "\"); DELETE FROM blobs; --",
      "a'b\"c`d",
      "%_*?[]",
      "\xE5\x90\x8D\xE5\x89\x8D \xF0\x9F\x94\x91 caf\xC3\xA9",
      std::string("nul\0inside", 10),
      "nul",
      "/absolute/path",
      "\xFF\xFE not utf-8",
      " trailing space ",
  };
  int i = 0;
  for (const auto& name : names) {
    // The name as key name, and as application name with its own key.
    KeyRecord r = record(AuthType::Direct, "app", "mbed", name, "ref" + std::to_string(i));
    ASSERT_EQ(insert(r), Status::Success) << i;
    KeyRecord o = record(AuthType::Direct, name, "mbed", "key", "owned" + std::to_string(i));
    ASSERT_EQ(insert(o), Status::Success) << i;
    ++i;
  }
  i = 0;
  for (const auto& name : names) {
    SCOPED_TRACE(i);
    auto g = get(AuthType::Direct, "app", "mbed", name);
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->key_name, name);
    EXPECT_EQ(g->key_ref, bytes("ref" + std::to_string(i)));
    auto h = get(AuthType::Direct, name, "mbed", "key");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->owner.app, name);
    EXPECT_EQ(h->key_ref, bytes("owned" + std::to_string(i)));
    ++i;
  }
  auto lo = store_->list_owner({AuthType::Direct, "app"});
  ASSERT_TRUE(lo.ok());
  std::vector<std::string> got;
  for (const auto& r : *lo) {
    got.push_back(r.key_name);
  }
  std::vector<std::string> want = names;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  auto lc = store_->list_clients();
  ASSERT_TRUE(lc.ok());
  std::vector<std::string> clients = names;
  clients.push_back("app");
  std::sort(clients.begin(), clients.end());
  std::vector<std::string> listed;
  for (const auto& o : *lc) {
    listed.push_back(o.app);
  }
  EXPECT_EQ(listed, clients);

  // The tables are intact.
  EXPECT_EQ(pragma_int(path_, "SELECT COUNT(*) FROM keys;"), static_cast<int64_t>(2 * names.size()));

  // Deleting by a hostile name deletes exactly that key.
  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, std::string("nul\0inside", 10));
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", std::string("nul\0inside", 10)).has_value());
  EXPECT_TRUE(get(AuthType::Direct, "app", "mbed", "nul").has_value());
}

TEST_F(KeyStoreTest, HostileProviderNames) {
  open_store();
  const std::vector<std::string> providers = {"'; DROP TABLE blobs; --", "", "../../etc"};
  for (const auto& provider : providers) {
    Txn txn(provider);
    txn.put(1, bytes("data:" + provider));
    txn.insert_mapping(record(AuthType::Direct, "app", provider, "k"));
    ASSERT_EQ(store_->commit(txn), Status::Success) << provider;
  }
  for (const auto& provider : providers) {
    EXPECT_EQ(blob(provider, 1), bytes("data:" + provider));
    auto lp = store_->list_provider(provider);
    ASSERT_TRUE(lp.ok());
    ASSERT_EQ(lp->size(), 1u);
    EXPECT_EQ((*lp)[0].provider_name, provider);
  }
}

// ---- blobs and Txn ---------------------------------------------------------------------

TEST_F(KeyStoreTest, BlobsPutRemoveGetMaxUidAllUids) {
  open_store();
  auto max0 = store_->max_blob_uid("mbed");
  ASSERT_TRUE(max0.ok());
  EXPECT_EQ(*max0, 0u);
  auto all0 = store_->blob_uids("mbed");
  ASSERT_TRUE(all0.ok());
  EXPECT_TRUE(all0->empty());
  EXPECT_FALSE(blob("mbed", 1).has_value());

  Txn t1("mbed");
  t1.put(7, bytes("seven"));
  t1.put(3, bytes("three"));
  t1.put(12, Bytes{});           // empty blob: present, not missing
  t1.put(3, bytes("three-v2"));  // last write wins
  ASSERT_EQ(store_->commit(t1), Status::Success);
  Txn other("pkcs11");
  other.put(100, bytes("hundred"));
  ASSERT_EQ(store_->commit(other), Status::Success);

  EXPECT_EQ(blob("mbed", 7), bytes("seven"));
  EXPECT_EQ(blob("mbed", 3), bytes("three-v2"));
  auto empty = blob("mbed", 12);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(blob("mbed", 100).has_value());  // other provider's uid
  EXPECT_EQ(blob("pkcs11", 100), bytes("hundred"));
  auto max1 = store_->max_blob_uid("mbed");
  ASSERT_TRUE(max1.ok());
  EXPECT_EQ(*max1, 12u);
  auto all1 = store_->blob_uids("mbed");
  ASSERT_TRUE(all1.ok());
  EXPECT_THAT(*all1, ElementsAre(3u, 7u, 12u));

  Txn t2("mbed");
  t2.remove(12);
  t2.remove(999);  // absent: fine
  t2.put(7, bytes("seven-v2"));
  ASSERT_EQ(store_->commit(t2), Status::Success);
  EXPECT_FALSE(blob("mbed", 12).has_value());
  EXPECT_EQ(blob("mbed", 7), bytes("seven-v2"));
  auto max2 = store_->max_blob_uid("mbed");
  ASSERT_TRUE(max2.ok());
  EXPECT_EQ(*max2, 7u);
  auto all2 = store_->blob_uids("mbed");
  ASSERT_TRUE(all2.ok());
  EXPECT_THAT(*all2, ElementsAre(3u, 7u));

  // put then remove in one Txn ends removed; remove then put ends present.
  Txn t3("mbed");
  t3.put(20, bytes("x"));
  t3.remove(20);
  t3.remove(3);
  t3.put(3, bytes("back"));
  ASSERT_EQ(store_->commit(t3), Status::Success);
  EXPECT_FALSE(blob("mbed", 20).has_value());
  EXPECT_EQ(blob("mbed", 3), bytes("back"));
}

TEST_F(KeyStoreTest, LargeUidAndLargeBlob) {
  open_store();
  const uint64_t big = (uint64_t{1} << 62) + 5;
  Bytes data(256 * 1024);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(i * 31 + 7);
  }
  Txn txn("mbed");
  txn.put(big, data);
  ASSERT_EQ(store_->commit(txn), Status::Success);
  EXPECT_EQ(blob("mbed", big), data);
  auto max = store_->max_blob_uid("mbed");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, big);
}

TEST_F(KeyStoreTest, StorageReaderSeesCommittedBlobsOfItsProvider) {
  open_store();
  provider::StorageReader* reader = store_->storage_reader("mbed");
  ASSERT_NE(reader, nullptr);
  Txn txn("mbed");
  txn.put(4, bytes("four"));
  auto before = reader->get(4);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());  // staged is not committed
  ASSERT_EQ(store_->commit(txn), Status::Success);
  Txn other("tpm");
  other.put(9, bytes("nine"));
  ASSERT_EQ(store_->commit(other), Status::Success);
  auto got = reader->get(4);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, bytes("four"));
  auto max = reader->max_uid();
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, 4u);
  auto all = reader->all_uids();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(*all, ElementsAre(4u));
}

TEST(TxnTest, StagedSemantics) {
  Txn txn("mbed");
  EXPECT_EQ(txn.provider_name(), "mbed");
  EXPECT_FALSE(txn.staged(1).has_value());  // nothing staged
  txn.put(1, bytes("a"));
  ASSERT_TRUE(txn.staged(1).has_value());
  ASSERT_TRUE(txn.staged(1)->has_value());
  EXPECT_EQ(**txn.staged(1), bytes("a"));
  txn.put(1, bytes("b"));
  EXPECT_EQ(**txn.staged(1), bytes("b"));  // latest wins
  txn.remove(1);
  ASSERT_TRUE(txn.staged(1).has_value());
  EXPECT_FALSE(txn.staged(1)->has_value());  // removal staged
  txn.put(1, bytes("c"));
  EXPECT_EQ(**txn.staged(1), bytes("c"));
  txn.remove(2);
  ASSERT_TRUE(txn.staged(2).has_value());
  EXPECT_FALSE(txn.staged(2)->has_value());
  EXPECT_FALSE(txn.staged(3).has_value());
  txn.put(4, Bytes{});
  ASSERT_TRUE(txn.staged(4).has_value());
  ASSERT_TRUE(txn.staged(4)->has_value());
  EXPECT_TRUE((*txn.staged(4))->empty());
  // Through the provider interface.
  provider::StorageTxn& base = txn;
  EXPECT_EQ(**base.staged(1), bytes("c"));
}

TEST_F(KeyStoreTest, EmptyTxnCommits) {
  open_store();
  Txn txn("mbed");
  EXPECT_EQ(store_->commit(txn), Status::Success);
}

// secure_delete must not be defeated by the write-ahead log: once a removal is
// committed, the removed bytes are in neither the database nor its -wal file,
// while the store stays open (as it does for parsecd's lifetime).
bool file_contains(const std::string& path, const std::string& needle) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return false;
  }
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return content.find(needle) != std::string::npos;
}

TEST_F(KeyStoreTest, RemovedBlobBytesLeaveTheFilesWhileOpen) {
  open_store();
  const std::string secret = "SECRET-KEY-MATERIAL-5f3c9a0e7b214d68";
  Txn put("mbed");
  put.put(1, bytes(secret));
  put.insert_mapping(record(AuthType::Direct, "app", "mbed", "k", "ref", "attrs"));
  ASSERT_EQ(store_->commit(put), Status::Success);
  // Sanity: the material is on disk somewhere before the removal.
  ASSERT_TRUE(file_contains(path_, secret) || file_contains(path_ + "-wal", secret));

  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, "k");
  del.remove(1);
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_FALSE(file_contains(path_, secret));
  EXPECT_FALSE(file_contains(path_ + "-wal", secret));
  // The store keeps working after the clean-up.
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "next")), Status::Success);
  EXPECT_TRUE(get(AuthType::Direct, "app", "mbed", "next").has_value());
}

TEST_F(KeyStoreTest, RemovedBlobBytesLeaveTheFilesViaDropBlob) {
  open_store();
  const std::string secret = "SECRET-KEY-MATERIAL-drop-blob-91d2";
  Txn put("mbed");
  put.put(7, bytes(secret));
  ASSERT_EQ(store_->commit(put), Status::Success);
  ASSERT_EQ(store_->drop_blob("mbed", 7), Status::Success);
  EXPECT_FALSE(file_contains(path_, secret));
  EXPECT_FALSE(file_contains(path_ + "-wal", secret));
}

TEST_F(KeyStoreTest, ReplacedBlobBytesLeaveTheFilesWhileOpen) {
  open_store();
  const std::string secret = "SECRET-KEY-MATERIAL-replaced-77ab01";
  Txn put("mbed");
  put.put(3, bytes(secret));
  ASSERT_EQ(store_->commit(put), Status::Success);
  Txn replace("mbed");
  replace.put(3, bytes("replacement-value"));
  ASSERT_EQ(store_->commit(replace), Status::Success);
  EXPECT_EQ(blob("mbed", 3), bytes("replacement-value"));
  EXPECT_FALSE(file_contains(path_, secret));
  EXPECT_FALSE(file_contains(path_ + "-wal", secret));
}

// ---- commit fault injection ------------------------------------------------------------

TEST_F(KeyStoreTest, CommitFailureAtEveryStepLeavesDatabaseUnchanged) {
  open_store();
  // Existing state: a mapping and a blob that the Txn will overwrite.
  Txn seed("mbed");
  seed.put(1, bytes("old-one"));
  seed.insert_mapping(record(AuthType::Direct, "app", "mbed", "existing"));
  ASSERT_EQ(store_->commit(seed), Status::Success);
  const Dump before = dump(path_);
  ASSERT_EQ(before.keys.size(), 1u);
  ASSERT_EQ(before.blobs.size(), 1u);

  auto make_txn = [] {
    auto t = std::make_unique<Txn>("mbed");
    t->put(1, bytes("new-one"));  // overwrite
    t->put(2, bytes("new-two"));  // new
    t->insert_mapping(record(AuthType::Direct, "app", "mbed", "created", "ref-created"));
    return t;
  };

  int failed_steps = 0;
  for (int k = 0; k < 100; ++k) {
    std::vector<int> seen;
    store_->set_commit_fault_hook([&seen, k](int step) {
      seen.push_back(step);
      return step != k;
    });
    auto txn = make_txn();
    Status s = store_->commit(*txn);
    if (s == Status::Success) {
      // k is past the last step: every step was seen and passed.
      EXPECT_EQ(k, failed_steps);
      for (int i = 0; i < static_cast<int>(seen.size()); ++i) {
        EXPECT_EQ(seen[static_cast<size_t>(i)], i);
      }
      break;
    }
    SCOPED_TRACE("failing at step " + std::to_string(k));
    EXPECT_NE(s, Status::PsaErrorAlreadyExists);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), k);  // the commit stopped at the failing step
    EXPECT_EQ(dump(path_), before);
    EXPECT_FALSE(get(AuthType::Direct, "app", "mbed", "created").has_value());
    EXPECT_EQ(blob("mbed", 1), bytes("old-one"));
    EXPECT_FALSE(blob("mbed", 2).has_value());
    ++failed_steps;
  }
  // Two blob writes, one mapping insert, and the final commit step.
  EXPECT_GE(failed_steps, 4);

  // The store is still usable after all those failures.
  store_->set_commit_fault_hook(nullptr);
  EXPECT_EQ(dump(path_).keys.size(), 2u);  // the final successful run above committed
  EXPECT_EQ(blob("mbed", 1), bytes("new-one"));
  EXPECT_EQ(blob("mbed", 2), bytes("new-two"));
  auto g = get(AuthType::Direct, "app", "mbed", "created");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->key_ref, bytes("ref-created"));
  ASSERT_EQ(insert(record(AuthType::Direct, "app", "mbed", "after")), Status::Success);
  EXPECT_TRUE(get(AuthType::Direct, "app", "mbed", "after").has_value());
}

TEST_F(KeyStoreTest, CommitFailureOnDeletePathRollsBack) {
  open_store();
  Txn seed("mbed");
  seed.put(1, bytes("material"));
  seed.insert_mapping(record(AuthType::Direct, "app", "mbed", "k"));
  ASSERT_EQ(store_->commit(seed), Status::Success);
  const Dump before = dump(path_);
  for (int k = 0; k < 3; ++k) {  // delete, blob remove, final
    store_->set_commit_fault_hook([k](int step) { return step != k; });
    Txn del("mbed");
    del.delete_mapping({AuthType::Direct, "app"}, "k");
    del.remove(1);
    EXPECT_NE(store_->commit(del), Status::Success) << k;
    EXPECT_EQ(dump(path_), before) << k;
  }
  store_->set_commit_fault_hook(nullptr);
  Txn del("mbed");
  del.delete_mapping({AuthType::Direct, "app"}, "k");
  del.remove(1);
  ASSERT_EQ(store_->commit(del), Status::Success);
  EXPECT_TRUE(dump(path_).keys.empty());
  EXPECT_TRUE(dump(path_).blobs.empty());
}

// ---- persistence -----------------------------------------------------------------------

TEST_F(KeyStoreTest, DataSurvivesReopen) {
  open_store();
  KeyRecord r = record(AuthType::UnixPeerCredentials, "1000", "mbed", "persist", "ref-p", "attrs-p");
  Txn txn("mbed");
  txn.put(42, bytes("material"));
  txn.insert_mapping(r);
  ASSERT_EQ(store_->commit(txn), Status::Success);
  store_.reset();

  open_store();
  auto g = get(AuthType::UnixPeerCredentials, "1000", "mbed", "persist");
  ASSERT_TRUE(g.has_value());
  expect_same_record(*g, r);
  EXPECT_EQ(blob("mbed", 42), bytes("material"));
  EXPECT_EQ(pragma_int(path_, "PRAGMA user_version;"), 1);
  // And it is still writable.
  ASSERT_EQ(insert(record(AuthType::Direct, "x", "mbed", "y")), Status::Success);
  store_.reset();
  open_store();
  EXPECT_TRUE(get(AuthType::Direct, "x", "mbed", "y").has_value());
}

TEST_F(KeyStoreTest, SecondStoreOnOneFileIsRefused) {
  // One owner per store (issue 15 item 5); store_integrity_test.cc checks
  // the message and that the lock ends with its owner.
  open_store();
  auto second = KeyStore::open(path_);
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status(), Status::KeyInfoManagerError);
}

// ---- integrity check of a large store (in the background) --------------------------------

// fill commits `n` keys of "alice", each with a blob.
void fill(KeyStore& store, int n) {
  for (int i = 0; i < n; ++i) {
    Txn txn("mbed");
    txn.put(static_cast<uint64_t>(i + 1), Bytes(64, static_cast<uint8_t>(i)));
    txn.insert_mapping(record(AuthType::Direct, "alice", "mbed", "k" + std::to_string(i)));
    ASSERT_EQ(store.commit(txn), Status::Success);
  }
}

TEST_F(KeyStoreTest, LargeSoundStoreIsCheckedInTheBackgroundAndServes) {
  open_store();
  fill(*store_, 40);
  store_.reset();
  // A limit of 0 bytes: every store counts as large.
  auto r = KeyStore::open(path_, 0);
  ASSERT_TRUE(r.ok()) << r.detail();
  store_ = std::move(*r);
  EXPECT_TRUE(get(AuthType::Direct, "alice", "mbed", "k7").has_value());
  Outcome checked = store_->wait_integrity_check();
  EXPECT_TRUE(checked.ok()) << checked.detail();
  auto listed = store_->list_owner({AuthType::Direct, "alice"});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 40u);
  EXPECT_EQ(insert(record(AuthType::Direct, "bob", "mbed", "new")), Status::Success);
}

TEST_F(KeyStoreTest, LargeDamagedStoreOpensThenRefusesEveryCallOnceTheCheckFindsIt) {
  open_store();
  fill(*store_, 40);
  store_.reset();
  parsec::testing::store_faults::corrupt_key_index(path_);
  // The same damage is refused by open() itself below the limit.
  auto small = KeyStore::open(path_);
  ASSERT_FALSE(small.ok());
  EXPECT_THAT(small.detail(), HasSubstr("is damaged (PRAGMA quick_check"));

  auto r = KeyStore::open(path_, 0);
  ASSERT_TRUE(r.ok()) << "the check of a large store must not delay start-up: " << r.detail();
  store_ = std::move(*r);
  Outcome checked = store_->wait_integrity_check();
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status(), Status::KeyInfoManagerError);
  EXPECT_THAT(checked.detail(), HasSubstr("is damaged (PRAGMA quick_check"));
  EXPECT_THAT(checked.detail(), HasSubstr(path_));

  // From now on nothing is served from it, whatever the call.
  auto g = store_->get({AuthType::Direct, "alice"}, "mbed", "k1");
  EXPECT_EQ(g.status(), Status::KeyInfoManagerError);
  EXPECT_THAT(g.detail(), HasSubstr("is damaged"));
  EXPECT_EQ(store_->list_owner({AuthType::Direct, "alice"}).status(), Status::KeyInfoManagerError);
  EXPECT_EQ(store_->list_provider("mbed").status(), Status::KeyInfoManagerError);
  EXPECT_EQ(store_->list_clients().status(), Status::KeyInfoManagerError);
  EXPECT_EQ(insert(record(AuthType::Direct, "bob", "mbed", "new")), Status::KeyInfoManagerError);
  EXPECT_EQ(store_->get_blob("mbed", 1).status(), Status::PsaErrorStorageFailure);
  EXPECT_EQ(store_->max_blob_uid("mbed").status(), Status::PsaErrorStorageFailure);
  EXPECT_EQ(store_->blob_uids("mbed").status(), Status::PsaErrorStorageFailure);
}

TEST_F(KeyStoreTest, ClosingDuringTheBackgroundCheckIsClean) {
  open_store();
  fill(*store_, 40);
  store_.reset();
  for (int i = 0; i < 20; ++i) {
    auto r = KeyStore::open(path_, 0);
    ASSERT_TRUE(r.ok()) << r.detail();
    r->reset();  // the destructor stops the check and joins its thread
  }
  open_store();
  EXPECT_TRUE(get(AuthType::Direct, "alice", "mbed", "k39").has_value());
}

TEST_F(KeyStoreTest, SmallStoreIsCheckedBeforeOpenReturns) {
  open_store();
  // Nothing runs in the background: the outcome is known at once.
  EXPECT_TRUE(store_->wait_integrity_check().ok());
}

// ---- concurrency ------------------------------------------------------------------------

TEST_F(KeyStoreTest, ConcurrentCommitsOnOneStore) {
  open_store();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<Status> race(kThreads, Status::Success);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &race] {
      for (int i = 0; i < kPerThread; ++i) {
        Txn txn("mbed");
        txn.put(static_cast<uint64_t>(t * 1000 + i), bytes("m"));
        txn.insert_mapping(record(AuthType::Direct, "app", "mbed", "t" + std::to_string(t) + "-" + std::to_string(i)));
        EXPECT_EQ(store_->commit(txn), Status::Success);
      }
      Txn txn("mbed");
      txn.put(static_cast<uint64_t>(900000 + t), bytes("race"));
      txn.insert_mapping(record(AuthType::Direct, "app", "mbed", "race"));
      race[static_cast<size_t>(t)] = store_->commit(txn);
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(std::count(race.begin(), race.end(), Status::Success), 1);
  EXPECT_EQ(std::count(race.begin(), race.end(), Status::PsaErrorAlreadyExists), kThreads - 1);
  auto lo = store_->list_owner({AuthType::Direct, "app"});
  ASSERT_TRUE(lo.ok());
  EXPECT_EQ(lo->size(), static_cast<size_t>(kThreads * kPerThread + 1));
  // Only the winner's blob of the race was written.
  auto all = store_->blob_uids("mbed");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread + 1));
}

TEST_F(KeyStoreTest, ConcurrentCommitsShareOneTransactionAndFailAlone) {
  open_store();
  // The first commit's leader is held inside its transaction until 15 more
  // commits are queued behind it; they then go in as one group.
  constexpr size_t kFollowers = 15;
  std::atomic<bool> entered{false};
  std::atomic<bool> released{false};
  hold_first_commit_until_queued(kFollowers, entered, released);
  auto commit_key = [this](uint64_t uid, const std::string& name) {
    Txn txn("mbed");
    txn.put(uid, bytes("m" + std::to_string(uid)));
    txn.insert_mapping(record(AuthType::Direct, "app", "mbed", name));
    return store_->commit(txn);
  };
  Status first = Status::PsaErrorGenericError;
  std::thread leader([&] { first = commit_key(1, "first"); });
  while (!entered) {
    std::this_thread::yield();
  }
  const uint64_t before = store_->transactions();
  // Followers 0..13 make keys f0..f13; follower 14 takes f0's name again.
  std::vector<Status> st(kFollowers, Status::PsaErrorGenericError);
  std::vector<std::thread> followers;
  for (size_t i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] { st[i] = commit_key(100 + i, "f" + std::to_string(i == kFollowers - 1 ? 0 : i)); });
  }
  leader.join();
  for (auto& t : followers) {
    t.join();
  }
  ASSERT_TRUE(released);
  EXPECT_EQ(first, Status::Success);
  EXPECT_EQ(store_->transactions() - before, 2u) << "the leader's transaction, then one for the 15 queued commits";
  // Exactly one of the two commits naming f0 lost; only its own writes were undone.
  EXPECT_EQ(std::count(st.begin(), st.end(), Status::PsaErrorAlreadyExists), 1);
  EXPECT_EQ(std::count(st.begin(), st.end(), Status::Success), static_cast<long>(kFollowers - 1));
  const size_t loser = st[0] == Status::PsaErrorAlreadyExists ? 0 : kFollowers - 1;
  EXPECT_EQ(st[loser], Status::PsaErrorAlreadyExists);
  store_.reset();
  open_store();  // what is on disk
  auto all = store_->blob_uids("mbed");
  ASSERT_TRUE(all.ok());
  std::vector<uint64_t> want{1};
  for (size_t i = 0; i < kFollowers; ++i) {
    if (i != loser) {
      want.push_back(100 + i);
    }
  }
  EXPECT_EQ(*all, want);
  auto keys = store_->list_owner({AuthType::Direct, "app"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), kFollowers);  // "first" and f0..f13
  auto f0 = get(AuthType::Direct, "app", "mbed", "f0");
  ASSERT_TRUE(f0.has_value());
  EXPECT_EQ(blob("mbed", 100 + (loser == 0 ? kFollowers - 1 : 0)),
            bytes("m" + std::to_string(100 + (loser == 0 ? kFollowers - 1 : 0))));
}

TEST_F(KeyStoreTest, MoreQueuedCommitsThanOneGroupTakesAllSucceed) {
  open_store();
  // 100 commits queue behind a held leader: more than one group (64) holds,
  // so some callers lead a group without their own Txn in it.
  constexpr size_t kFollowers = 100;
  std::atomic<bool> entered{false};
  std::atomic<bool> released{false};
  hold_first_commit_until_queued(kFollowers, entered, released);
  auto commit_key = [this](uint64_t uid) {
    Txn txn("mbed");
    txn.put(uid, bytes("m"));
    txn.insert_mapping(record(AuthType::Direct, "app", "mbed", "k" + std::to_string(uid)));
    return store_->commit(txn);
  };
  Status first = Status::PsaErrorGenericError;
  std::thread leader([&] { first = commit_key(1); });
  while (!entered) {
    std::this_thread::yield();
  }
  std::vector<Status> st(kFollowers, Status::PsaErrorGenericError);
  std::vector<std::thread> followers;
  for (size_t i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] { st[i] = commit_key(100 + i); });
  }
  leader.join();
  for (auto& t : followers) {
    t.join();
  }
  EXPECT_EQ(first, Status::Success);
  EXPECT_EQ(std::count(st.begin(), st.end(), Status::Success), static_cast<long>(kFollowers));
  auto all = store_->blob_uids("mbed");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), kFollowers + 1);
}

TEST_F(KeyStoreTest, FailedGroupCommitFailsEveryTxnOfTheGroup) {
  open_store();
  constexpr size_t kFollowers = 6;
  std::atomic<bool> entered{false};
  std::atomic<int> calls{0};
  // The leader's own commit passes; in the group that follows, the step
  // before COMMIT fails: every Txn of the group must answer an error and
  // leave nothing behind.
  store_->set_commit_fault_hook([&](int step) {
    int n = calls++;
    if (n == 0) {
      entered = true;
      auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (store_->queued_commits() < kFollowers && std::chrono::steady_clock::now() < limit) {
        std::this_thread::yield();
      }
      return true;
    }
    // Group steps: per Txn one blob write and one mapping write, then COMMIT.
    return step < static_cast<int>(2 * kFollowers);
  });
  auto commit_key = [this](uint64_t uid, const std::string& name) {
    Txn txn("mbed");
    txn.put(uid, bytes("m"));
    txn.insert_mapping(record(AuthType::Direct, "app", "mbed", name));
    return store_->commit(txn);
  };
  std::thread leader([&] { EXPECT_EQ(commit_key(1, "first"), Status::Success); });
  while (!entered) {
    std::this_thread::yield();
  }
  std::vector<Status> st(kFollowers, Status::Success);
  std::vector<std::thread> followers;
  for (size_t i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] { st[i] = commit_key(100 + i, "f" + std::to_string(i)); });
  }
  leader.join();
  for (auto& t : followers) {
    t.join();
  }
  for (size_t i = 0; i < kFollowers; ++i) {
    EXPECT_EQ(st[i], Status::KeyInfoManagerError) << i;
  }
  store_->set_commit_fault_hook(nullptr);
  auto all = store_->blob_uids("mbed");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<uint64_t>{1});
  auto keys = store_->list_owner({AuthType::Direct, "app"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);
}

}  // namespace
}  // namespace parsec::service
