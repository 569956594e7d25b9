// The ITS backend that replaces Mbed TLS's key files: where writes go, what
// reads see, and that nothing is written outside an operation's transaction.
#include "providers/mbed/src/psa_core.h"

#include <psa/crypto_values.h>

#include <thread>

#include <gtest/gtest.h>

#include "providers/mbed/tests/test_support.h"

namespace parsec::provider::mbed {
namespace {

using test::FakeStorage;
using test::FakeTxn;

const Bytes kCommitted = {1, 2, 3};
const Bytes kStaged = {9, 8, 7, 6};

Bytes read_all(psa_storage_uid_t uid, psa_status_t* status) {
  psa_storage_info_t info{};
  *status = psa_its_get_info(uid, &info);
  if (*status != PSA_SUCCESS) {
    return {};
  }
  Bytes out(info.size);
  size_t len = 0;
  *status = psa_its_get(uid, 0, info.size, out.data(), &len);
  out.resize(len);
  return out;
}

TEST(ItsBackend, WriteWithoutLockFails) {
  const uint8_t data[] = {1};
  // The library's own file backend would answer PSA_SUCCESS and create
  // 00000005.psa_its; ours refuses, which shows our definition is the one
  // linked in.
  EXPECT_EQ(psa_its_set(5, sizeof data, data, PSA_STORAGE_FLAG_NONE), PSA_ERROR_STORAGE_FAILURE);
  EXPECT_EQ(psa_its_remove(5), PSA_ERROR_STORAGE_FAILURE);
  psa_storage_info_t info{};
  EXPECT_EQ(psa_its_get_info(5, &info), PSA_ERROR_STORAGE_FAILURE);
  EXPECT_TRUE(test::its_files_in_cwd().empty());
}

TEST(ItsBackend, WriteWithoutInstalledTxnFails) {
  FakeStorage storage;
  storage.blobs[5] = kCommitted;
  const uint8_t data[] = {1};
  {
    PsaLock lock(&storage);
    EXPECT_EQ(psa_its_set(6, sizeof data, data, PSA_STORAGE_FLAG_NONE), PSA_ERROR_STORAGE_FAILURE);
    EXPECT_EQ(psa_its_remove(5), PSA_ERROR_STORAGE_FAILURE);
    // Reads still work.
    psa_status_t s = PSA_ERROR_GENERIC_ERROR;
    EXPECT_EQ(read_all(5, &s), kCommitted);
    EXPECT_EQ(s, PSA_SUCCESS);
  }
  EXPECT_EQ(storage.blobs.size(), 1u);
  EXPECT_TRUE(test::its_files_in_cwd().empty());
}

TEST(ItsBackend, WriteOnAnotherThreadThanTheLockHolderFails) {
  FakeStorage storage;
  FakeTxn txn;
  psa_status_t other = PSA_SUCCESS;
  {
    PsaLock lock(&storage, &txn);
    std::thread t([&] {
      const uint8_t data[] = {1};
      other = psa_its_set(7, sizeof data, data, PSA_STORAGE_FLAG_NONE);
    });
    t.join();
  }
  EXPECT_EQ(other, PSA_ERROR_STORAGE_FAILURE);
  EXPECT_TRUE(txn.all_staged().empty());
}

TEST(ItsBackend, SetAndRemoveAreStagedInTheTxn) {
  FakeStorage storage;
  storage.blobs[5] = kCommitted;
  FakeTxn txn;
  {
    PsaLock lock(&storage, &txn);
    EXPECT_EQ(psa_its_set(6, static_cast<uint32_t>(kStaged.size()), kStaged.data(), PSA_STORAGE_FLAG_NONE),
              PSA_SUCCESS);
    EXPECT_EQ(psa_its_remove(5), PSA_SUCCESS);
  }
  // Nothing reached committed storage.
  EXPECT_EQ(storage.blobs.size(), 1u);
  EXPECT_EQ(storage.blobs[5], kCommitted);
  ASSERT_EQ(txn.all_staged().size(), 2u);
  EXPECT_EQ(txn.all_staged().at(6), std::optional<Bytes>(kStaged));
  EXPECT_EQ(txn.all_staged().at(5), std::nullopt);

  txn.commit_to(storage);
  EXPECT_EQ(storage.blobs.size(), 1u);
  EXPECT_EQ(storage.blobs[6], kStaged);
}

TEST(ItsBackend, ReadsSeeStagedValuesBeforeCommittedOnes) {
  FakeStorage storage;
  storage.blobs[5] = kCommitted;
  storage.blobs[6] = kCommitted;
  FakeTxn txn;
  txn.put(5, kStaged);
  txn.remove(6);

  PsaLock lock(&storage, &txn);
  psa_status_t s = PSA_ERROR_GENERIC_ERROR;
  EXPECT_EQ(read_all(5, &s), kStaged);
  EXPECT_EQ(s, PSA_SUCCESS);
  read_all(6, &s);
  EXPECT_EQ(s, PSA_ERROR_DOES_NOT_EXIST);
  EXPECT_EQ(psa_its_remove(6), PSA_ERROR_DOES_NOT_EXIST);
  read_all(7, &s);
  EXPECT_EQ(s, PSA_ERROR_DOES_NOT_EXIST);
  EXPECT_EQ(psa_its_remove(7), PSA_ERROR_DOES_NOT_EXIST);
}

TEST(ItsBackend, PartialReadsFollowTheFileBackend) {
  FakeStorage storage;
  storage.blobs[5] = kStaged;
  PsaLock lock(&storage);
  uint8_t buf[4] = {};
  size_t len = 0;
  EXPECT_EQ(psa_its_get(5, 1, 2, buf, &len), PSA_SUCCESS);
  EXPECT_EQ(len, 2u);
  EXPECT_EQ(buf[0], 8);
  EXPECT_EQ(buf[1], 7);
  EXPECT_EQ(psa_its_get(5, 2, 3, buf, &len), PSA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(psa_its_get(5, 0xffffffffu, 2, buf, &len), PSA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(psa_its_get(5, 4, 0, buf, &len), PSA_SUCCESS);
  EXPECT_EQ(len, 0u);
}

TEST(ItsBackend, BrokenStorageIsStorageFailure) {
  FakeStorage storage;
  storage.blobs[5] = kCommitted;
  storage.fail_reads = true;
  FakeTxn txn;
  PsaLock lock(&storage, &txn);
  psa_storage_info_t info{};
  EXPECT_EQ(psa_its_get_info(5, &info), PSA_ERROR_STORAGE_FAILURE);
  EXPECT_EQ(psa_its_remove(5), PSA_ERROR_STORAGE_FAILURE);
  EXPECT_TRUE(txn.all_staged().empty());
}

TEST(ItsBackend, UnsupportedFlagsAndBadArgumentsAreRejected) {
  FakeStorage storage;
  FakeTxn txn;
  PsaLock lock(&storage, &txn);
  const uint8_t data[] = {1};
  EXPECT_EQ(psa_its_set(5, sizeof data, data, 1u /* WRITE_ONCE */), PSA_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(psa_its_set(0, sizeof data, data, PSA_STORAGE_FLAG_NONE), PSA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(psa_its_set(5, 1, nullptr, PSA_STORAGE_FLAG_NONE), PSA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(psa_its_get_info(5, nullptr), PSA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(txn.all_staged().empty());
}

}  // namespace
}  // namespace parsec::provider::mbed
