// scale_test.cc - issue 17 item 3 at the daemon: a ListKeys answer that would
// exceed the response limit (core_settings.body_len_limit) is refused with
// ResponseTooLarge and a log line naming the tenant and its key count, while
// smaller answers (and other tenants) are served; and, since start-up no
// longer lists the software provider's keys, a mapping whose material was
// removed behind the daemon's back is dropped when its owner destroys it.
// The figures of a store with many keys come from parsec-scale-bench.
#include <gtest/gtest.h>

#include <string>

#include "delete_client.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "tests/e2e/proto_client.h"
#include "tests/support/store_faults.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;

constexpr uint32_t kLimit = 2048;

size_t listed(const Call& c) {
  list_keys::Result r;
  EXPECT_TRUE(r.ParseFromString(c.body));
  return static_cast<size_t>(r.keys_size());
}

TEST(Scale, ListKeysPastTheResponseLimitIsResponseTooLargeAndLogged) {
  DaemonOptions o;
  o.body_len_limit = kLimit;
  Daemon d(o);
  d.start();
  App alice{d.socket_path(), "alice"};
  App bob{d.socket_path(), "bob"};
  ASSERT_EQ(bob.generate("only", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);

  // Add keys until the answer no longer fits: every answer before that is
  // whole and within the limit.
  size_t last_fit = 0;
  size_t keys = 0;
  Call c;
  for (; keys < 200; ++keys) {
    char name[16];
    std::snprintf(name, sizeof name, "key-%03zu", keys);
    ASSERT_EQ(alice.generate(name, ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
    c = alice.list_keys();
    if (c.status != Status::Success) {
      ++keys;
      break;
    }
    ASSERT_EQ(listed(c), keys + 1);
    ASSERT_LE(c.body.size(), kLimit);
    last_fit = c.body.size();
  }
  ASSERT_EQ(c.status, Status::ResponseTooLarge) << "ListKeys of " << keys << " keys answered " << status_name(c.status);
  EXPECT_TRUE(c.body.empty());
  // It was refused because it had just passed the limit, not earlier: one more
  // entry (about 45 bytes each) takes the last answer that fitted past it.
  EXPECT_GT(last_fit + 100, kLimit) << "refused at " << keys << " keys although the previous answer was only "
                                    << last_fit << " bytes";
  EXPECT_TRUE(d.wait_for_log("ListKeys: Direct \"alice\" has " + std::to_string(keys) + " keys; the answer would be"))
      << d.log();
  EXPECT_NE(d.log().find("over body_len_limit " + std::to_string(kLimit)), std::string::npos) << d.log();

  // Other tenants are unaffected, and alice is served again below the limit.
  Call b = bob.list_keys();
  ASSERT_EQ(b.status, Status::Success);
  EXPECT_EQ(listed(b), 1u);
  ASSERT_EQ(alice.destroy("key-000").status, Status::Success);
  c = alice.list_keys();
  ASSERT_EQ(c.status, Status::Success);
  EXPECT_EQ(listed(c), keys - 1);
}

// ListClients (admin) obeys the same limit: refused with ResponseTooLarge and
// a log line once the client names no longer fit, answered again below it.
TEST(Scale, ListClientsPastTheResponseLimitIsResponseTooLargeAndLogged) {
  DaemonOptions o;
  o.body_len_limit = 1024;
  Daemon d(o);
  d.start();
  list_clients::Operation lc;
  size_t clients = 0;
  size_t last_fit = 0;
  Call c;
  for (; clients < 100; ++clients) {
    char name[40];
    std::snprintf(name, sizeof name, "client-with-a-long-name-%03zu", clients);
    const App app{d.socket_path(), name};
    ASSERT_EQ(app.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
    c = call(d.socket_path(), Opcode::ListClients, 0, AuthType::Direct, "admin", lc);
    if (c.status != Status::Success) {
      ++clients;
      break;
    }
    list_clients::Result r;
    ASSERT_TRUE(r.ParseFromString(c.body));
    ASSERT_EQ(static_cast<size_t>(r.clients_size()), clients + 1);
    last_fit = c.body.size();
  }
  ASSERT_EQ(c.status, Status::ResponseTooLarge)
      << "ListClients of " << clients << " clients answered " << status_name(c.status);
  EXPECT_TRUE(c.body.empty());
  EXPECT_GT(last_fit + 60, 1024u) << "refused although the previous answer was only " << last_fit << " bytes";
  EXPECT_TRUE(d.wait_for_log("ListClients: " + std::to_string(clients) + " clients; the answer would be")) << d.log();
  // Below the limit again once a client is gone.
  delete_client::Operation dc;
  dc.set_client("client-with-a-long-name-000");
  ASSERT_EQ(call(d.socket_path(), Opcode::DeleteClient, 0, AuthType::Direct, "admin", dc).status, Status::Success);
  c = call(d.socket_path(), Opcode::ListClients, 0, AuthType::Direct, "admin", lc);
  ASSERT_EQ(c.status, Status::Success);
  list_clients::Result r;
  ASSERT_TRUE(r.ParseFromString(c.body));
  EXPECT_EQ(static_cast<size_t>(r.clients_size()), clients - 1);
}

TEST(Scale, SoftwareKeyWithoutMaterialIsDroppedWhenItsOwnerDestroysIt) {
  Daemon d;
  d.start();
  App alice{d.socket_path(), "alice"};
  auto alg = ecdsa(Algorithm::SHA_256);
  ASSERT_EQ(alice.generate("gone", ecc_pair(256, alg)).status, Status::Success);
  ASSERT_EQ(alice.generate("kept", ecc_pair(256, alg)).status, Status::Success);
  ASSERT_EQ(d.stop(), 0);
  // Remove the material of "gone" behind the daemon's back (its key id is the
  // first one handed out).
  const int64_t gone_uid = testing::store_faults::query_int(d.store_path(), "SELECT MIN(uid) FROM blobs;");
  testing::store_faults::sql(d.store_path(), "DELETE FROM blobs WHERE uid=" + std::to_string(gone_uid) + ";");
  d.start();

  const std::string digest = sha(256, "scale");
  EXPECT_EQ(alice.sign_hash("gone", alg, digest).status, Status::PsaErrorDoesNotExist);
  size_t from = d.log_size();
  ASSERT_EQ(alice.destroy("gone").status, Status::Success);
  EXPECT_TRUE(
      d.wait_for_log("key \"gone\" of Direct \"alice\" had no material any more; its mapping was dropped", from))
      << d.log();
  // The name is free again and the new key is whole; the other key is intact.
  ASSERT_EQ(alice.generate("gone", ecc_pair(256, alg)).status, Status::Success);
  for (const char* k : {"gone", "kept"}) {
    Call pub = alice.export_public(k);
    ASSERT_EQ(pub.status, Status::Success) << k;
    Call sig = alice.sign_hash(k, alg, digest);
    ASSERT_EQ(sig.status, Status::Success) << k;
    EXPECT_TRUE(openssl_verify_ecdsa(pub.body, 256, digest, sig.body)) << k;
  }
  Call c = alice.list_keys();
  ASSERT_EQ(c.status, Status::Success);
  EXPECT_EQ(listed(c), 2u);
  // Destroying a key that does not exist at all is still PsaErrorDoesNotExist.
  EXPECT_EQ(alice.destroy("never").status, Status::PsaErrorDoesNotExist);
}

}  // namespace
}  // namespace parsec::e2e
