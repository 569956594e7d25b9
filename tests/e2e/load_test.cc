// Availability under load: many clients are served while others stall, and a
// connection limit bounds what stalled clients can hold.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"

namespace parsec::e2e {
namespace {

bool ping_ok(const std::string& socket) {
  RawResponse r = raw_exchange(socket, make_request(request_header(Opcode::Ping), "", ""));
  return r.got_header && r.header.status == 0 && r.body == std::string("\x08\x01", 2);
}

// stall opens a connection and sends part of a header, then keeps it open.
int stall(const std::string& socket) {
  int fd = connect_unix(socket);
  if (fd >= 0) {
    std::string h = header_bytes(request_header(Opcode::Ping)).substr(0, 17);
    (void)::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
  }
  return fd;
}

TEST(Load, SixtyFourClientsServedWhileFortyStall) {
  DaemonOptions o;
  o.timeout_ms = 30000;  // the stalled connections stay stalled for the whole test
  // All connections come from this test's uid: room for the stalled ones and
  // the 64 clients (the per-uid limit itself is pinned by the admission tests).
  o.extra_listener_settings = "max_half_open_per_uid = 128\n";
  Daemon d(o);
  d.start();
  std::vector<int> stalled;
  for (int i = 0; i < 40; ++i) {
    int fd = stall(d.socket_path());
    ASSERT_GE(fd, 0);
    stalled.push_back(fd);
  }
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        (ping_ok(d.socket_path()) ? ok : bad)++;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 64 * 50);
  EXPECT_EQ(bad.load(), 0);
  // The stalled connections are still open and unanswered.
  for (int fd : stalled) {
    char b;
    EXPECT_EQ(::recv(fd, &b, 1, MSG_DONTWAIT), -1);
    ::close(fd);
  }
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Load, ActiveLimitParksNewConnectionsUntilStalledOnesHitTheirDeadline) {
  DaemonOptions o;
  o.timeout_ms = 300;
  o.max_connections = 4;
  Daemon d(o);
  d.start();
  std::vector<int> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(stall(d.socket_path()));
  }
  // All four slots are taken; a ping waits parked (accepted, not read) until
  // the stalled connections hit their deadline, and is then answered.
  EXPECT_TRUE(ping_ok(d.socket_path()));
  for (int fd : stalled) {
    // Each stalled client got its ConnectionError answer.
    std::string in;
    char buf[64];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
      in.append(buf, static_cast<size_t>(n));
    }
    ASSERT_GE(in.size(), kHeaderLen);
    EXPECT_EQ(decode_header(reinterpret_cast<const uint8_t*>(in.data())).status,
              static_cast<uint16_t>(Status::ConnectionError));
    ::close(fd);
  }
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parsec::e2e
