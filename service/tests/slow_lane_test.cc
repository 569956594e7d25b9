// SlowLane: round-robin admission by client, per-client concurrency limit,
// and every queued job runs (even at shutdown). Order is observed through a
// gate that holds the lane's thread while the queue is filled.
#include "service/src/slow_lane.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace parsec::service {
namespace {

// Gate blocks jobs until opened.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(SlowLane, ClientsTakeTurnsWhateverTheyQueued) {
  std::vector<std::string> order;
  std::mutex mu;
  Gate gate;
  std::promise<void> holding;
  {
    SlowLane lane(1, 1);
    // The one thread is held by a first job while A queues 10 jobs, then B 2, then C 1.
    lane.submit("hold", [&] {
      holding.set_value();
      gate.wait();
    });
    holding.get_future().wait();
    auto job = [&](std::string tag) {
      return [&, tag] {
        std::lock_guard lock(mu);
        order.push_back(tag);
      };
    };
    for (int i = 0; i < 10; ++i) {
      lane.submit("A", job("A" + std::to_string(i)));
    }
    lane.submit("B", job("B0"));
    lane.submit("B", job("B1"));
    lane.submit("C", job("C0"));
    gate.open();
  }  // the destructor runs every queued job
  std::vector<std::string> want = {"A0", "B0", "C0", "A1", "B1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"};
  EXPECT_EQ(order, want);
}

TEST(SlowLane, NoClientRunsMoreThanItsLimitAtOnce) {
  std::atomic<int> running_a{0}, max_a{0}, running_b{0}, max_b{0};
  std::atomic<int> done{0};
  {
    SlowLane lane(4, 2);
    auto track = [](std::atomic<int>& running, std::atomic<int>& max, std::atomic<int>& done_count) {
      return [&running, &max, &done_count] {
        int now = ++running;
        int seen = max.load();
        while (now > seen && !max.compare_exchange_weak(seen, now)) {
        }
        // Long enough for the other lane threads to pick up work meanwhile.
        volatile uint64_t x = 0;
        for (int i = 0; i < 2000000; ++i) {
          x = x + static_cast<uint64_t>(i);
        }
        --running;
        ++done_count;
      };
    };
    for (int i = 0; i < 12; ++i) {
      lane.submit("A", track(running_a, max_a, done));
      lane.submit("B", track(running_b, max_b, done));
    }
  }
  EXPECT_EQ(done.load(), 24);
  EXPECT_LE(max_a.load(), 2);
  EXPECT_LE(max_b.load(), 2);
  EXPECT_GE(max_a.load(), 1);
}

TEST(SlowLane, AClientAtItsLimitDoesNotHoldBackOthers) {
  // Two threads, limit 1: while A's first job is held, A's second job must
  // wait, and B's job must run on the free thread.
  Gate gate;
  std::promise<void> a_started, b_ran;
  std::atomic<bool> a_second_ran{false};
  {
    SlowLane lane(2, 1);
    lane.submit("A", [&] {
      a_started.set_value();
      gate.wait();
    });
    a_started.get_future().wait();
    lane.submit("A", [&] { a_second_ran = true; });
    lane.submit("B", [&] { b_ran.set_value(); });
    b_ran.get_future().wait();  // would hang if B were queued behind A
    EXPECT_FALSE(a_second_ran.load());
    // A's second job is still queued (B's may still be finishing).
    EXPECT_EQ(lane.stats().queued, 1u);
    gate.open();
  }
  EXPECT_TRUE(a_second_ran.load());
}

}  // namespace
}  // namespace parsec::service
