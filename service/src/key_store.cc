#include "service/src/key_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "parsec/interface/secret.h"

namespace parsec::service {
namespace {

// Statement is an RAII prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : owned_(true) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  // A statement from the store's cache: reset and unbound on release, not
  // finalised, so the hot path (every request's key lookup) skips parsing SQL.
  explicit Statement(sqlite3_stmt* cached) : stmt_(cached), rc_(cached ? SQLITE_OK : SQLITE_ERROR), owned_(false) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK && stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, const void* p, size_t n) {
    // A zero-length blob must still be a blob, not NULL.
    sqlite3_bind_blob(stmt_, i, n ? p : "", static_cast<int>(n), SQLITE_TRANSIENT);
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(p, static_cast<size_t>(n)) : std::string();
  }
  Bytes blob(int col) {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? Bytes(p, p + n) : Bytes();
  }
  int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
  bool owned_;
};

KeyRecord read_record(Statement& s) {
  KeyRecord r;
  r.owner.auth = static_cast<AuthType>(s.integer(0));
  r.owner.app = s.text(1);
  r.provider_name = s.text(2);
  r.key_name = s.text(3);
  r.provider_id = static_cast<ProviderId>(s.integer(4));
  r.key_ref = s.blob(5);
  Bytes attrs = s.blob(6);
  r.attributes.assign(attrs.begin(), attrs.end());
  return r;
}

constexpr const char* kSelectColumns =
    "SELECT auth_type, app_name, provider_name, key_name, provider_id, key_ref, attributes FROM keys ";

class Reader final : public provider::StorageReader {
 public:
  Reader(KeyStore* store, std::string provider) : store_(store), provider_(std::move(provider)) {}
  Result<std::optional<Bytes>> get(uint64_t uid) override { return store_->get_blob(provider_, uid); }
  Result<uint64_t> max_uid() override { return store_->max_blob_uid(provider_); }
  Result<std::vector<uint64_t>> all_uids() override { return store_->blob_uids(provider_); }
  Status commit_now(uint64_t uid, const Bytes& data) override {
    Txn txn(provider_);
    txn.put(uid, data);
    return store_->commit(txn);
  }

 private:
  KeyStore* store_;
  std::string provider_;
};

Outcome prepare_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    // Create each missing level 0700.
    std::filesystem::path acc;
    for (const auto& part : dir) {
      acc /= part;
      if (!std::filesystem::exists(acc, ec)) {
        if (::mkdir(acc.c_str(), 0700) != 0 && errno != EEXIST) {
          return Failure(Status::KeyInfoManagerError,
                         "cannot create key store folder " + acc.string() + ": " + std::strerror(errno));
        }
      }
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Failure(Status::KeyInfoManagerError,
                   "cannot stat key store folder " + dir.string() + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Failure(Status::KeyInfoManagerError, "key store folder " + dir.string() + " is not a directory");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return Failure(Status::KeyInfoManagerError, "key store folder " + dir.string() +
                                                    " is accessible by group or others (mode " + mode +
                                                    "); run chmod 700 on it");
  }
  return Status::Success;
}

// holder_of describes the process named in a lock file ("pid 123 (parsecd)").
std::string holder_of(int fd) {
  char buf[64] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
  if (pid <= 0) {
    return "a process that has not recorded its pid yet";
  }
  std::string comm;
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::getline(in, comm);
  return "pid " + std::to_string(pid) + (comm.empty() ? "" : " (" + comm + ")");
}

// lock_store takes the exclusive lock that makes one process the owner of a
// store: a second parsecd on the same store would allocate colliding ids and
// reconcile away the first one's keys. flock() locks belong to the open file,
// so the kernel releases them when the owner exits or is killed; a lock file
// left behind is harmless. The file records the holder's pid for the message.
Result<int> lock_store(const std::string& path) {
  const std::string lock = KeyStore::lock_path(path);
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Failure(Status::KeyInfoManagerError,
                   "cannot open the key store's lock file " + lock + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = err == EWOULDBLOCK ? holder_of(fd) : std::string();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Failure(Status::KeyInfoManagerError,
                     "key store " + path + " is in use by " + holder + ", which holds " + lock +
                         "; two parsecd must not share a key store: stop that one or give this one its own "
                         "sqlite_db_path");
    }
    return Failure(Status::KeyInfoManagerError, "cannot lock " + lock + ": " + std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock is what matters; the pid only improves the message.
  }
  return fd;
}

// quick_check runs PRAGMA quick_check on `db`: nullopt when it cannot run at
// all (not a database), else the problems found, "" when there are none.
std::optional<std::string> quick_check(sqlite3* db) {
  Statement s(db, "PRAGMA quick_check(3);");
  if (!s.ok()) {
    return std::nullopt;
  }
  std::string problems;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    std::string line = s.text(0);
    if (line != "ok") {
      problems += (problems.empty() ? "" : "; ") + line;
    }
  }
  if (rc != SQLITE_DONE) {
    problems += (problems.empty() ? "" : "; ") + std::string(sqlite3_errmsg(db));
  }
  return problems;
}

std::string damage_message(const std::string& path, const std::string& problems) {
  return "key store " + path + " is damaged (PRAGMA quick_check: " + problems +
         "); parsecd will not serve keys from it: restore it from a backup, or move it aside to start with an empty "
         "store";
}

}  // namespace

// ---- Txn ---------------------------------------------------------------------

void Txn::put(uint64_t uid, const Bytes& data) {
  blobs_.push_back({uid, data});
}
void Txn::remove(uint64_t uid) {
  blobs_.push_back({uid, std::nullopt});
}

std::optional<std::optional<Bytes>> Txn::staged(uint64_t uid) const {
  for (auto it = blobs_.rbegin(); it != blobs_.rend(); ++it) {
    if (it->uid == uid) {
      return it->data;
    }
  }
  return std::nullopt;
}

Txn::~Txn() {
  for (auto& b : blobs_) {
    if (b.data) {
      parsec::wipe(*b.data);
    }
  }
}

// ---- KeyStore ----------------------------------------------------------------

Result<std::unique_ptr<KeyStore>> KeyStore::open(const std::string& path, uint64_t sync_check_limit) {
  // Messages name absolute paths, whatever the working directory.
  std::error_code abs_ec;
  std::filesystem::path p = std::filesystem::absolute(path, abs_ec);
  if (abs_ec) {
    p = path;
  }
  std::filesystem::path dir = p.parent_path();
  PARSEC_TRY(prepare_folder(dir));
  auto locked = lock_store(p.string());
  PARSEC_TRY(locked);
  std::unique_ptr<KeyStore> store(new KeyStore());
  store->lock_fd_ = *locked;
  // Create the file ourselves so it is 0600 from its first byte; SQLite gives
  // the -wal and -shm files the same mode.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Failure(Status::KeyInfoManagerError, "cannot open key store " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    ::fchmod(fd, 0600);
  }
  ::close(fd);

  // NOMUTEX: every use of db_ after open() holds mu_, so SQLite's own
  // per-call mutex would only be taken and released again (perf: ~11 % of a
  // 1,000-key ListKeys).
  int rc = sqlite3_open_v2(path.c_str(), &store->db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc != SQLITE_OK) {
    return Failure(Status::KeyInfoManagerError, "cannot open key store " + path + ": " + sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(store->db_, 5000);
  const char* pragmas[] = {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "PRAGMA secure_delete=ON;",
                           "PRAGMA foreign_keys=ON;"};
  for (const char* sql : pragmas) {
    if (store->exec(sql) != Status::Success) {
      return Failure(Status::KeyInfoManagerError, std::string("key store ") + path + ": " + sqlite3_errmsg(store->db_));
    }
  }
  // A damaged page would otherwise surface later as keys that vanish from
  // listings or lookups that fail; refuse to serve from it at all. The check
  // reads every page: past sync_check_limit it runs in the background, so
  // that start-up does not grow with the number of keys.
  int64_t pages = 0, page_size = 0;
  {
    Statement s(store->db_, "PRAGMA page_count;");
    Statement z(store->db_, "PRAGMA page_size;");
    if (!s.ok() || s.step() != SQLITE_ROW || !z.ok() || z.step() != SQLITE_ROW) {
      return Failure(Status::KeyInfoManagerError,
                     "key store " + path + " is not a readable SQLite database: " + sqlite3_errmsg(store->db_));
    }
    pages = s.integer(0);
    page_size = z.integer(0);
  }
  if (static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) > sync_check_limit) {
    store->check_in_background(path);
  } else {
    std::optional<std::string> problems = quick_check(store->db_);
    if (!problems) {
      return Failure(Status::KeyInfoManagerError,
                     "key store " + path + " is not a readable SQLite database: " + sqlite3_errmsg(store->db_));
    }
    if (!problems->empty()) {
      return Failure(Status::KeyInfoManagerError, damage_message(path, *problems));
    }
  }
  int version = 0;
  {
    Statement s(store->db_, "PRAGMA user_version;");
    if (!s.ok() || s.step() != SQLITE_ROW) {
      return Failure(Status::KeyInfoManagerError,
                     "key store " + path + " is not a readable SQLite database: " + sqlite3_errmsg(store->db_));
    }
    version = static_cast<int>(s.integer(0));
  }
  if (version == 0) {
    const char* schema =
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS keys("
        " auth_type INTEGER NOT NULL,"
        " app_name TEXT NOT NULL,"
        " provider_name TEXT NOT NULL,"
        " key_name TEXT NOT NULL,"
        " provider_id INTEGER NOT NULL,"
        " key_ref BLOB NOT NULL,"
        " attributes BLOB NOT NULL,"
        " created_at INTEGER NOT NULL DEFAULT (strftime('%s','now')),"
        " PRIMARY KEY(auth_type, app_name, provider_name, key_name));"
        "CREATE TABLE IF NOT EXISTS blobs("
        " provider_name TEXT NOT NULL,"
        " uid INTEGER NOT NULL,"
        " data BLOB NOT NULL,"
        " PRIMARY KEY(provider_name, uid));"
        "PRAGMA user_version=1;"
        "COMMIT;";
    if (store->exec(schema) != Status::Success) {
      std::string why = std::string("cannot create key store schema: ") + sqlite3_errmsg(store->db_);
      store->exec("ROLLBACK;");
      return Failure(Status::KeyInfoManagerError, why);
    }
  } else if (version != kSchemaVersion) {
    return Failure(Status::KeyInfoManagerError, "key store " + path + " has schema version " + std::to_string(version) +
                                                    " but this parsecd understands version " +
                                                    std::to_string(kSchemaVersion));
  }
  return store;
}

void KeyStore::check_in_background(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &check_db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                      nullptr) != SQLITE_OK) {
    // Without a second connection the check runs on this one, before serving.
    sqlite3_close_v2(check_db_);
    check_db_ = nullptr;
    std::optional<std::string> problems = quick_check(db_);
    if (!problems || !problems->empty()) {
      damage_ = damage_message(path, problems ? *problems : std::string(sqlite3_errmsg(db_)));
      damaged_ = true;
      spdlog::critical("{}", damage_);
    }
    return;
  }
  check_done_ = false;
  check_thread_ = std::thread([this, path] {
    auto t0 = std::chrono::steady_clock::now();
    std::optional<std::string> problems = quick_check(check_db_);
    std::string found = problems ? *problems : std::string(sqlite3_errmsg(check_db_));
    // Stopped by the destructor: the check did not finish, nothing is known.
    const bool interrupted = stopping_.load();
    std::lock_guard lock(check_mu_);
    if (!found.empty() && !interrupted) {
      damage_ = damage_message(path, found);
      damaged_ = true;
      spdlog::critical("{}; every operation on it answers KeyInfoManagerError from now on", damage_);
    } else if (!interrupted) {
      spdlog::info(
          "key store {}: integrity check passed in the background ({} ms)", path,
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
    }
    check_done_ = true;
    check_cv_.notify_all();
  });
}

Outcome KeyStore::wait_integrity_check() {
  std::unique_lock lock(check_mu_);
  check_cv_.wait(lock, [this] { return check_done_; });
  if (damaged_) {
    return Failure(Status::KeyInfoManagerError, damage_);
  }
  return Status::Success;
}

std::optional<Failure> KeyStore::damaged() {
  if (!damaged_.load()) {
    return std::nullopt;
  }
  std::lock_guard lock(check_mu_);
  return Failure(Status::KeyInfoManagerError, damage_);
}

KeyStore::~KeyStore() {
  if (check_thread_.joinable()) {
    // A check still running at shutdown is abandoned, not waited for.
    stopping_ = true;
    sqlite3_interrupt(check_db_);
    check_thread_.join();
  }
  if (check_db_) {
    sqlite3_close_v2(check_db_);
  }
  for (auto& [sql, stmt] : stmts_) {
    sqlite3_finalize(stmt);
  }
  if (db_) {
    sqlite3_close_v2(db_);
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
  }
}

Failure KeyStore::read_failure(const char* what) {
  return Failure(Status::KeyInfoManagerError, std::string("key store ") + what + " failed: " + sqlite3_errmsg(db_));
}

sqlite3_stmt* KeyStore::prepared(const std::string& sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) {
    return it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  stmts_.emplace(sql, stmt);
  return stmt;
}

Status KeyStore::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Success : Status::KeyInfoManagerError;
}

Result<std::optional<KeyRecord>> KeyStore::get(const KeyOwner& owner, const std::string& provider_name,
                                               const std::string& key_name) {
  if (auto d = damaged()) {
    return *d;
  }
  std::lock_guard lock(mu_);
  const std::string cache_key = record_key(owner, provider_name, key_name);
  if (auto it = records_.find(cache_key); it != records_.end()) {
    return std::optional<KeyRecord>(it->second);
  }
  static const std::string kLookup =
      std::string(kSelectColumns) + "WHERE auth_type=?1 AND app_name=?2 AND provider_name=?3 AND key_name=?4;";
  Statement s(prepared(kLookup));
  if (!s.ok()) {
    return read_failure("lookup");
  }
  s.bind(1, static_cast<int64_t>(owner.auth));
  s.bind(2, owner.app);
  s.bind(3, provider_name);
  s.bind(4, key_name);
  int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<KeyRecord>();
  }
  if (rc != SQLITE_ROW) {
    return read_failure("lookup");
  }
  KeyRecord record = read_record(s);
  if (records_.size() >= kRecordCacheMax) {
    records_.erase(records_.begin());
  }
  records_.emplace(cache_key, record);
  return std::optional<KeyRecord>(std::move(record));
}

std::string KeyStore::record_key(const KeyOwner& owner, const std::string& provider_name, const std::string& key_name) {
  // Lengths first: no choice of names can make two keys collide.
  std::string k = std::to_string(static_cast<int>(owner.auth)) + ':' + std::to_string(owner.app.size()) + ':' +
                  std::to_string(provider_name.size()) + ':';
  k += owner.app;
  k += provider_name;
  k += key_name;
  return k;
}

Result<std::vector<KeyRecord>> KeyStore::list_owner(const KeyOwner& owner) {
  if (auto d = damaged()) {
    return *d;
  }
  std::lock_guard lock(mu_);
  Statement s(prepared(
      (std::string(kSelectColumns) + "WHERE auth_type=?1 AND app_name=?2 ORDER BY provider_name, key_name;").c_str()));
  if (!s.ok()) {
    return read_failure("listing of a client's keys");
  }
  s.bind(1, static_cast<int64_t>(owner.auth));
  s.bind(2, owner.app);
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(read_record(s));
  }
  if (rc != SQLITE_DONE) {
    return read_failure("listing of a client's keys");
  }
  return out;
}

Result<std::vector<KeyRecord>> KeyStore::list_provider(const std::string& provider_name) {
  if (auto d = damaged()) {
    return *d;
  }
  std::lock_guard lock(mu_);
  Statement s(prepared((std::string(kSelectColumns) + "WHERE provider_name=?1;").c_str()));
  if (!s.ok()) {
    return read_failure("listing of a provider's keys");
  }
  s.bind(1, provider_name);
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(read_record(s));
  }
  if (rc != SQLITE_DONE) {
    return read_failure("listing of a provider's keys");
  }
  return out;
}

Result<std::vector<KeyOwner>> KeyStore::list_clients() {
  if (auto d = damaged()) {
    return *d;
  }
  std::lock_guard lock(mu_);
  // BINARY collation: ascending byte order, as the spec requires.
  Statement s(prepared("SELECT DISTINCT auth_type, app_name FROM keys ORDER BY auth_type, app_name COLLATE BINARY;"));
  if (!s.ok()) {
    return read_failure("listing of clients");
  }
  std::vector<KeyOwner> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(KeyOwner{static_cast<AuthType>(s.integer(0)), s.text(1)});
  }
  if (rc != SQLITE_DONE) {
    return read_failure("listing of clients");
  }
  return out;
}

Status KeyStore::commit(Txn& txn) {
  if (damaged()) {
    return Status::KeyInfoManagerError;
  }
  // Group commit: a caller that finds no commit in progress becomes the
  // leader and commits every queued Txn (its own included) in ONE SQLite
  // transaction, so concurrent creations share one fsync of the WAL. Each
  // caller returns only after that transaction's COMMIT returned, so every
  // acknowledged change is as durable as before (synchronous=FULL).
  Pending me{&txn};
  std::unique_lock q(queue_mu_);
  queue_.push_back(&me);
  // A leader takes at most kMaxBatch Txns from the front of the queue, which
  // need not include its own: it leads again until its own is done.
  while (!me.done) {
    queue_cv_.wait(q, [&] { return me.done || !committing_; });
    if (me.done) {
      break;
    }
    committing_ = true;
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    q.unlock();
    {
      std::lock_guard lock(mu_);
      if (batch.size() == 1) {
        batch[0]->status = commit_one(*batch[0]->txn);
      } else {
        commit_batch(batch);
      }
    }
    q.lock();
    committing_ = false;
    for (Pending* p : batch) {
      p->done = true;
    }
    queue_cv_.notify_all();
  }
  return me.status;
}

size_t KeyStore::queued_commits() {
  std::lock_guard q(queue_mu_);
  return queue_.size();
}

Status KeyStore::commit_one(Txn& txn) {
  int step = 0;
  bool scrub = false;
  if (exec("BEGIN IMMEDIATE;") != Status::Success) {
    return Status::KeyInfoManagerError;
  }
  Status s = apply(txn, step, scrub);
  if (s == Status::Success && fault_hook_ && !fault_hook_(step++)) {
    s = Status::KeyInfoManagerError;
  }
  if (s == Status::Success && exec("COMMIT;") != Status::Success) {
    s = Status::KeyInfoManagerError;
  }
  if (s != Status::Success) {
    exec("ROLLBACK;");
    return s;
  }
  ++transactions_;
  if (scrub) {
    scrub_wal();
  }
  return Status::Success;
}

void KeyStore::commit_batch(const std::vector<Pending*>& batch) {
  if (exec("BEGIN IMMEDIATE;") != Status::Success) {
    for (Pending* p : batch) {
      p->status = Status::KeyInfoManagerError;
    }
    return;
  }
  bool scrub = false;
  bool any = false;
  bool lost = false;  // SQLite rolled the whole transaction back by itself
  int step = 0;
  for (Pending* p : batch) {
    if (lost) {
      p->status = Status::KeyInfoManagerError;
      continue;
    }
    // Each Txn in a savepoint of its own: one that fails (a name taken, say)
    // is undone alone and answers its own status; the others still commit.
    if (exec("SAVEPOINT txn;") != Status::Success) {
      p->status = Status::KeyInfoManagerError;
      lost = sqlite3_get_autocommit(db_) != 0;
      continue;
    }
    bool txn_scrub = false;
    p->status = apply(*p->txn, step, txn_scrub);
    if (p->status == Status::Success) {
      exec("RELEASE txn;");
      any = true;
      scrub = scrub || txn_scrub;
    } else if (sqlite3_get_autocommit(db_) != 0) {
      lost = true;
    } else {
      exec("ROLLBACK TO txn;");
      exec("RELEASE txn;");
    }
  }
  if (lost) {
    // An I/O error or a full disk can end the transaction inside SQLite: the
    // Txns applied before it are gone with it.
    for (Pending* p : batch) {
      p->status = Status::KeyInfoManagerError;
    }
    exec("ROLLBACK;");
    return;
  }
  Status committed = Status::Success;
  if (any && fault_hook_ && !fault_hook_(step++)) {
    committed = Status::KeyInfoManagerError;
  }
  if (any && committed == Status::Success && exec("COMMIT;") != Status::Success) {
    committed = Status::KeyInfoManagerError;
  }
  if (!any || committed != Status::Success) {
    exec("ROLLBACK;");
    for (Pending* p : batch) {
      if (p->status == Status::Success) {
        p->status = committed;
      }
    }
    return;
  }
  ++transactions_;
  if (scrub) {
    scrub_wal();
  }
}

void KeyStore::scrub_wal() {
  // secure_delete zeroes freed content in the database file, but in WAL
  // mode the frames that held the removed or replaced bytes stay readable
  // in the -wal file until it is reused or the last connection closes
  // (parsecd keeps it open for its lifetime). Copy the WAL back and
  // truncate it so removed key material leaves the files now. Best effort:
  // the change is committed; a reader on another connection can make this
  // SQLITE_BUSY, and the next removal retries.
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

Status KeyStore::apply(Txn& txn, int& step, bool& scrub) {
  auto fault = [&]() { return fault_hook_ && !fault_hook_(step++); };
  // scrub: this commit removes or replaces stored bytes (see scrub_wal).
  scrub = scrub || !txn.deletes_.empty();
  for (const auto& [owner, name] : txn.deletes_) {
    records_.erase(record_key(owner, txn.provider_name_, name));
  }
  for (const auto& r : txn.inserts_) {
    records_.erase(record_key(r.owner, txn.provider_name_, r.key_name));
  }
  for (const auto& [owner, name] : txn.deletes_) {
    if (fault()) {
      return Status::KeyInfoManagerError;
    }
    Statement s(prepared("DELETE FROM keys WHERE auth_type=?1 AND app_name=?2 AND provider_name=?3 AND key_name=?4;"));
    if (!s.ok()) {
      return Status::KeyInfoManagerError;
    }
    s.bind(1, static_cast<int64_t>(owner.auth));
    s.bind(2, owner.app);
    s.bind(3, txn.provider_name_);
    s.bind(4, name);
    if (s.step() != SQLITE_DONE) {
      return Status::KeyInfoManagerError;
    }
    if (sqlite3_changes(db_) != 1) {
      return Status::PsaErrorDoesNotExist;
    }
  }
  for (const auto& b : txn.blobs_) {
    if (fault()) {
      return Status::KeyInfoManagerError;
    }
    if (b.data) {
      // UPDATE first so a replaced blob is known: its old bytes must be
      // scrubbed from the WAL like a removed one.
      Statement u(prepared("UPDATE blobs SET data=?3 WHERE provider_name=?1 AND uid=?2;"));
      if (!u.ok()) {
        return Status::KeyInfoManagerError;
      }
      u.bind(1, txn.provider_name_);
      u.bind(2, static_cast<int64_t>(b.uid));
      u.bind_blob(3, b.data->data(), b.data->size());
      if (u.step() != SQLITE_DONE) {
        return Status::KeyInfoManagerError;
      }
      if (sqlite3_changes(db_) > 0) {
        scrub = true;
        continue;
      }
      Statement s(prepared("INSERT INTO blobs(provider_name, uid, data) VALUES(?1, ?2, ?3);"));
      if (!s.ok()) {
        return Status::KeyInfoManagerError;
      }
      s.bind(1, txn.provider_name_);
      s.bind(2, static_cast<int64_t>(b.uid));
      s.bind_blob(3, b.data->data(), b.data->size());
      if (s.step() != SQLITE_DONE) {
        return Status::KeyInfoManagerError;
      }
    } else {
      scrub = true;
      Statement s(prepared("DELETE FROM blobs WHERE provider_name=?1 AND uid=?2;"));
      if (!s.ok()) {
        return Status::KeyInfoManagerError;
      }
      s.bind(1, txn.provider_name_);
      s.bind(2, static_cast<int64_t>(b.uid));
      if (s.step() != SQLITE_DONE) {
        return Status::KeyInfoManagerError;
      }
    }
  }
  for (const auto& r : txn.inserts_) {
    if (fault()) {
      return Status::KeyInfoManagerError;
    }
    Statement s(
        prepared("INSERT INTO keys(auth_type, app_name, provider_name, key_name, provider_id, key_ref, attributes) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7);"));
    if (!s.ok()) {
      return Status::KeyInfoManagerError;
    }
    s.bind(1, static_cast<int64_t>(r.owner.auth));
    s.bind(2, r.owner.app);
    s.bind(3, txn.provider_name_);
    s.bind(4, r.key_name);
    s.bind(5, static_cast<int64_t>(r.provider_id));
    s.bind_blob(6, r.key_ref.data(), r.key_ref.size());
    s.bind_blob(7, r.attributes.data(), r.attributes.size());
    int rc = s.step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::PsaErrorAlreadyExists;
    }
    if (rc != SQLITE_DONE) {
      return Status::KeyInfoManagerError;
    }
  }
  return Status::Success;
}

Status KeyStore::drop_mapping(const KeyRecord& r) {
  Txn txn(r.provider_name);
  txn.delete_mapping(r.owner, r.key_name);
  return commit(txn);
}

Status KeyStore::drop_blob(const std::string& provider_name, uint64_t uid) {
  Txn txn(provider_name);
  txn.remove(uid);
  return commit(txn);
}

provider::StorageReader* KeyStore::storage_reader(const std::string& provider_name) {
  std::lock_guard lock(mu_);
  readers_.push_back(std::make_unique<Reader>(this, provider_name));
  return readers_.back().get();
}

Result<std::optional<Bytes>> KeyStore::get_blob(const std::string& provider_name, uint64_t uid) {
  if (auto d = damaged()) {
    return Failure(Status::PsaErrorStorageFailure, d->detail);
  }
  std::lock_guard lock(mu_);
  Statement s(prepared("SELECT data FROM blobs WHERE provider_name=?1 AND uid=?2;"));
  if (!s.ok()) {
    return Status::PsaErrorStorageFailure;
  }
  s.bind(1, provider_name);
  s.bind(2, static_cast<int64_t>(uid));
  int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<Bytes>();
  }
  if (rc != SQLITE_ROW) {
    return Status::PsaErrorStorageFailure;
  }
  return std::optional<Bytes>(s.blob(0));
}

Result<uint64_t> KeyStore::max_blob_uid(const std::string& provider_name) {
  if (auto d = damaged()) {
    return Failure(Status::PsaErrorStorageFailure, d->detail);
  }
  std::lock_guard lock(mu_);
  Statement s(prepared("SELECT COALESCE(MAX(uid), 0) FROM blobs WHERE provider_name=?1;"));
  if (!s.ok()) {
    return Status::PsaErrorStorageFailure;
  }
  s.bind(1, provider_name);
  if (s.step() != SQLITE_ROW) {
    return Status::PsaErrorStorageFailure;
  }
  return static_cast<uint64_t>(s.integer(0));
}

Result<std::vector<uint64_t>> KeyStore::blob_uids(const std::string& provider_name) {
  if (auto d = damaged()) {
    return Failure(Status::PsaErrorStorageFailure, d->detail);
  }
  std::lock_guard lock(mu_);
  Statement s(prepared("SELECT uid FROM blobs WHERE provider_name=?1 ORDER BY uid;"));
  if (!s.ok()) {
    return Status::PsaErrorStorageFailure;
  }
  s.bind(1, provider_name);
  std::vector<uint64_t> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(static_cast<uint64_t>(s.integer(0)));
  }
  if (rc != SQLITE_DONE) {
    return Status::PsaErrorStorageFailure;
  }
  return out;
}

}  // namespace parsec::service
