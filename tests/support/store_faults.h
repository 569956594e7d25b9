// tests/support/store_faults.h - damaging a key store behind a daemon's back,
// for the store-integrity tests (service/tests/store_integrity_test.cc with
// the fake provider, tests/e2e/store_test.cc with a real parsecd). Header
// only: each test binary links SQLite already. gtest assertions report a
// failing step in the calling test.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace parsec::testing::store_faults {

// sql runs `text` on the database at `path` through a connection of its own.
inline void sql(const std::string& path, const std::string& text) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  std::string why = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << why;
}

// query_int answers the first column of the first row of `text`.
inline int64_t query_int(const std::string& path, const std::string& text) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, text.c_str(), -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

// corrupt_key_index overwrites the root page of the keys table's primary-key
// index in the database file with garbage (after moving every WAL frame into
// the file), then commits an unrelated write so a connection that is already
// open drops its page cache and reads the damaged page from disk.
inline void corrupt_key_index(const std::string& path) {
  int64_t root = query_int(path, "SELECT rootpage FROM sqlite_master WHERE name='sqlite_autoindex_keys_1';");
  int64_t page_size = query_int(path, "PRAGMA page_size;");
  ASSERT_GT(root, 1);
  sql(path, "PRAGMA wal_checkpoint(TRUNCATE);");
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  std::string garbage(static_cast<size_t>(page_size), '\x5A');
  ASSERT_EQ(::pwrite(fd, garbage.data(), garbage.size(), (root - 1) * page_size), static_cast<ssize_t>(garbage.size()));
  ::fsync(fd);
  ::close(fd);
  sql(path, "INSERT INTO blobs(provider_name, uid, data) VALUES('elsewhere', 424242, x'00');");
}

}  // namespace parsec::testing::store_faults
