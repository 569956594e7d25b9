// Admission: per-uid open and half-open limits, the global active limit, and
// round-robin start of parked connections across uids.
#include "service/src/admission.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parsec::service {
namespace {

using V = Admission::Verdict;
using S = Admission::State;

struct Log {
  std::vector<std::string> started;
  std::function<void()> start(const std::string& tag) {
    return [this, tag] { started.push_back(tag); };
  }
  void run(std::deque<std::function<void()>> ready) {
    for (auto& f : ready) {
      f();
    }
  }
};

TEST(Admission, PerUidOpenLimitRefusesTheNextConnectionOnly) {
  Admission a({/*per_uid=*/3, /*half_open_per_uid=*/8, /*max_active=*/100});
  Log log;
  EXPECT_EQ(a.arrive(1000, log.start("x")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("x")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("x")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("x")), V::Refuse);
  EXPECT_EQ(a.refused(), 1u);
  // Another uid is not affected.
  EXPECT_EQ(a.arrive(0, log.start("root")), V::Serve);
  // Once one closes, uid 1000 may open one more.
  log.run(a.closed(1000, S::HalfOpen));
  EXPECT_EQ(a.arrive(1000, log.start("x")), V::Serve);
  EXPECT_EQ(a.counts(1000).open, 3u);
}

TEST(Admission, HalfOpenLimitParksThatUidOnlyAndStartsInOrder) {
  Admission a({100, /*half_open_per_uid=*/2, 100});
  Log log;
  EXPECT_EQ(a.arrive(1000, log.start("s1")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("s2")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("p1")), V::Park);
  EXPECT_EQ(a.arrive(1000, log.start("p2")), V::Park);
  EXPECT_EQ(a.arrive(0, log.start("root")), V::Serve);  // another uid is read at once
  EXPECT_EQ(a.counts(1000).parked, 2u);
  // s1 completes its request: it is no longer half-open, p1 starts.
  log.run(a.request_read(1000));
  EXPECT_EQ(log.started, std::vector<std::string>({"p1"}));
  // s2 times out and closes: p2 starts.
  log.run(a.closed(1000, S::HalfOpen));
  EXPECT_EQ(log.started, std::vector<std::string>({"p1", "p2"}));
  EXPECT_EQ(a.parked(), 0u);
}

TEST(Admission, ActiveLimitStartsParkedConnectionsRoundRobinByUid) {
  Admission a({100, 100, /*max_active=*/1});
  Log log;
  EXPECT_EQ(a.arrive(7, log.start("hold")), V::Serve);
  // uid 1000 floods first, then uids 0 and 5 arrive.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(a.arrive(1000, log.start("u1000-" + std::to_string(i))), V::Park);
  }
  EXPECT_EQ(a.arrive(0, log.start("u0")), V::Park);
  EXPECT_EQ(a.arrive(5, log.start("u5")), V::Park);
  // One slot frees at a time; uids take turns.
  std::vector<std::string> want = {"u1000-0", "u0", "u5", "u1000-1", "u1000-2", "u1000-3"};
  log.run(a.closed(7, S::HalfOpen));
  for (size_t i = 1; i < want.size(); ++i) {
    // The connection started last closes; its slot goes to the next uid in turn.
    const std::string& last = log.started.back();
    uid_t uid = last.rfind("u1000", 0) == 0 ? 1000 : (last == "u0" ? 0 : 5);
    log.run(a.closed(uid, S::HalfOpen));
  }
  EXPECT_EQ(log.started, want);
  EXPECT_EQ(a.active(), 1u);
}

TEST(Admission, RaisedLimitsReleaseParkedConnections) {
  Admission a({100, 1, 100});
  Log log;
  EXPECT_EQ(a.arrive(1000, log.start("s")), V::Serve);
  EXPECT_EQ(a.arrive(1000, log.start("p")), V::Park);
  EXPECT_TRUE(a.release().empty());
  a.set_limits({100, 2, 100});
  log.run(a.release());
  EXPECT_EQ(log.started, std::vector<std::string>({"p"}));
}

}  // namespace
}  // namespace parsec::service
