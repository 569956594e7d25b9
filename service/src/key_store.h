// key_store.h - the SQLite key store: the mapping from a key's identity
// (authenticator, application, provider, key name) to the provider's key
// reference and the key attributes, plus provider-private blobs (the software
// provider keeps its key material there).
//
// Every change goes through a Txn that is committed in ONE SQLite transaction:
// a key's material and its mapping are written together or not at all.
// The database runs in WAL mode with synchronous=FULL and secure_delete=ON;
// the file is created 0600 in a 0700 folder. One process owns a store: open()
// takes an exclusive lock on "<path>.lock" (held until the KeyStore is
// destroyed) and refuses a store another process holds, naming its pid; it
// also refuses a database that fails PRAGMA quick_check. quick_check reads
// every page, so on a database larger than the open's sync_check_limit it
// runs on a second, read-only connection in a background thread instead: the
// store serves at once, and if the check finds damage every later call
// answers KeyInfoManagerError naming it (docs/storage.md, "Start-up"). Every
// read error is the caller's KeyInfoManagerError (with SQLite's message as the
// detail), never an empty answer.
//
// Thread safety: all methods may be called from any thread; the connection is
// guarded by one mutex (operations are short; no provider work happens while it
// is held).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"

struct sqlite3;
struct sqlite3_stmt;

namespace parsec::service {

using provider::Bytes;

// KeyOwner is an application identity: who owns a key.
struct KeyOwner {
  AuthType auth = AuthType::NoAuth;
  std::string app;
  bool operator==(const KeyOwner&) const = default;
};

struct KeyRecord {
  KeyOwner owner;
  std::string provider_name;  // [[provider]] instance name
  ProviderId provider_id = ProviderId::MbedCrypto;
  std::string key_name;
  Bytes key_ref;
  std::string attributes;  // serialised psa_key_attributes.KeyAttributes
};

class KeyStore;

// Txn stages writes for one provider instance; nothing touches the database
// until KeyStore::commit.
class Txn final : public provider::StorageTxn {
 public:
  explicit Txn(std::string provider_name) : provider_name_(std::move(provider_name)) {}

  void put(uint64_t uid, const Bytes& data) override;
  void remove(uint64_t uid) override;
  std::optional<std::optional<Bytes>> staged(uint64_t uid) const override;

  void insert_mapping(KeyRecord record) { inserts_.push_back(std::move(record)); }
  void delete_mapping(const KeyOwner& owner, const std::string& key_name) { deletes_.push_back({owner, key_name}); }
  const std::string& provider_name() const { return provider_name_; }
  ~Txn() override;

 private:
  friend class KeyStore;
  struct BlobOp {
    uint64_t uid;
    std::optional<Bytes> data;  // nullopt = removal
  };
  std::string provider_name_;
  std::vector<BlobOp> blobs_;
  std::vector<KeyRecord> inserts_;
  std::vector<std::pair<KeyOwner, std::string>> deletes_;
};

// Test seam: called before each write statement of a commit with a step
// counter; returning false makes the commit fail at that step (rolled back),
// as a crash or I/O error there would. Concurrent commits grouped into one
// transaction count on across their Txns, with one final step before COMMIT.
using CommitFaultHook = std::function<bool(int step)>;

class KeyStore {
 public:
  // open creates or opens the database at `path`; creates missing parent
  // folders with mode 0700 and refuses a parent folder that is readable or
  // writable by group or others, a store locked by another KeyStore (this
  // process or another: the detail names the holder's pid) and a database
  // that fails its integrity check. The failure's detail says what is wrong.
  // A database of more than `sync_check_limit` bytes is checked in the
  // background (see the top of this file).
  static constexpr uint64_t kSyncCheckLimit = 32u << 20;
  static Result<std::unique_ptr<KeyStore>> open(const std::string& path, uint64_t sync_check_limit = kSyncCheckLimit);
  // lock_path is the file whose exclusive lock marks the owner of `path`.
  static std::string lock_path(const std::string& path) { return path + ".lock"; }
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  static constexpr int kSchemaVersion = 1;

  Result<std::optional<KeyRecord>> get(const KeyOwner& owner, const std::string& provider_name,
                                       const std::string& key_name);
  // list_owner returns the owner's keys of every provider, ordered by
  // provider instance name, then key name: the primary key's own order, so
  // SQLite walks the index and sorts nothing.
  Result<std::vector<KeyRecord>> list_owner(const KeyOwner& owner);
  // list_provider returns every key of one provider instance.
  Result<std::vector<KeyRecord>> list_provider(const std::string& provider_name);
  // list_clients returns the distinct owners of keys, ordered by
  // authenticator then by name (byte order).
  Result<std::vector<KeyOwner>> list_clients();

  // commit applies a Txn atomically. A mapping insert that collides with an
  // existing key answers PsaErrorAlreadyExists; a mapping delete that matches
  // nothing answers PsaErrorDoesNotExist; both roll the whole Txn back.
  // Concurrent commits are grouped into one SQLite transaction (one fsync),
  // each Txn in a savepoint of its own, and each caller returns once that
  // transaction is durable.
  Status commit(Txn& txn);

  // drop_mapping / drop_blob are used by start-up reconciliation.
  Status drop_mapping(const KeyRecord& record);
  Status drop_blob(const std::string& provider_name, uint64_t uid);

  // storage_reader returns a reader of one provider's committed blobs, valid
  // while this store lives.
  provider::StorageReader* storage_reader(const std::string& provider_name);

  void set_commit_fault_hook(CommitFaultHook hook) { fault_hook_ = std::move(hook); }
  // Group-commit figures (tests, benchmarks): commits waiting for a leader
  // now, and SQLite transactions committed since open.
  size_t queued_commits();
  uint64_t transactions() const { return transactions_.load(); }

  // wait_integrity_check blocks until the open's integrity check has finished
  // and answers its outcome: Success, or KeyInfoManagerError with the damage.
  Outcome wait_integrity_check();

  // Blob access used by the readers.
  Result<std::optional<Bytes>> get_blob(const std::string& provider_name, uint64_t uid);
  Result<uint64_t> max_blob_uid(const std::string& provider_name);
  Result<std::vector<uint64_t>> blob_uids(const std::string& provider_name);

 private:
  KeyStore() = default;
  Status exec(const char* sql);
  // read_failure is the KeyInfoManagerError of a failed read, with SQLite's
  // message (mu_ held).
  Failure read_failure(const char* what);
  // prepared returns the cached prepared statement for `sql` (mu_ held), or
  // nullptr if it does not compile.
  sqlite3_stmt* prepared(const std::string& sql);
  std::mutex mu_;     // held for every use of db_ (opened without SQLite's own mutex)
  int lock_fd_ = -1;  // flock(LOCK_EX) on lock_path(), for the store's lifetime
  sqlite3* db_ = nullptr;
  // damaged answers the failure every call gives once the integrity check
  // found damage.
  std::optional<Failure> damaged();
  // Group commit (see commit()): Pending is one caller's Txn in the queue.
  struct Pending {
    Txn* txn;
    Status status = Status::KeyInfoManagerError;
    bool done = false;
  };
  static constexpr size_t kMaxBatch = 64;
  // commit_one / commit_batch / apply / scrub_wal run with mu_ held. apply
  // executes one Txn's statements inside an open transaction (the fault hook
  // is called before each, `step` counting); `scrub` is set when it removes or
  // replaces stored bytes.
  Status commit_one(Txn& txn);
  void commit_batch(const std::vector<Pending*>& batch);
  Status apply(Txn& txn, int& step, bool& scrub);
  void scrub_wal();
  void check_in_background(const std::string& path);
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
  // records_: mappings read recently (mu_ held), so that a request naming a
  // key does not ask SQLite each time. apply() forgets every name its Txn
  // touches before writing, so a read after a commit sees the database.
  // Bounded: one arbitrary entry is dropped when full.
  static constexpr size_t kRecordCacheMax = 4096;
  static std::string record_key(const KeyOwner& owner, const std::string& provider_name, const std::string& key_name);
  std::unordered_map<std::string, KeyRecord> records_;
  std::mutex queue_mu_;  // guards queue_, committing_ and every Pending
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool committing_ = false;
  std::atomic<uint64_t> transactions_{0};
  // The background integrity check: its own connection, its thread, and its
  // outcome (guarded by check_mu_; damaged_ is set once, before check_done_).
  sqlite3* check_db_ = nullptr;
  std::thread check_thread_;
  std::mutex check_mu_;
  std::condition_variable check_cv_;
  bool check_done_ = true;
  std::atomic<bool> damaged_{false};
  std::atomic<bool> stopping_{false};
  std::string damage_;
  CommitFaultHook fault_hook_;
  std::vector<std::unique_ptr<provider::StorageReader>> readers_;
};

}  // namespace parsec::service
