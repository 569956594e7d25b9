// slow_lane.h - the bounded lane where slow operations run (key generation of
// RSA/DH keys, RSA private-key operations on keys above 2048 bits, every
// command of the TPM provider, attestation), so that they never occupy the
// worker threads that serve core operations and cheap crypto.
//
// Admission is fair: jobs are queued per client identity and the lane's
// threads take one job per client in turn (round-robin over the clients that
// have work waiting), never running more than `per_client` jobs of one client
// at once. A job over its client's limit waits in that client's queue; nothing
// is refused here (docs/architecture.md, "Scheduling", says why).
//
// The lane's threads run at a lower scheduling priority (nice +10) so that,
// when the CPUs are saturated by slow work, the fast lane still gets them.
//
// Thread safety: submit() may be called from any thread; stats() too.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parsec::service {

class SlowLane {
 public:
  // `threads` >= 1 lane threads; `per_client` >= 1 jobs of one client at once.
  SlowLane(unsigned threads, unsigned per_client);
  // Runs every job still queued, then joins the threads.
  ~SlowLane();
  SlowLane(const SlowLane&) = delete;
  SlowLane& operator=(const SlowLane&) = delete;

  // submit queues `job` for `client` (the authenticated identity, or a
  // stand-in such as the peer uid for unauthenticated callers).
  void submit(const std::string& client, std::function<void()> job);

  struct Stats {
    uint64_t submitted = 0;
    uint64_t completed = 0;
    size_t queued = 0;   // waiting now
    size_t running = 0;  // running now
  };
  Stats stats() const;
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  unsigned per_client() const { return per_client_; }

 private:
  struct Client {
    std::deque<std::function<void()>> queue;
    unsigned running = 0;
    bool in_ring = false;
  };
  void work();

  const unsigned per_client_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Client> clients_;
  // Clients with a queued job and room under their limit, in turn order.
  std::deque<std::string> ring_;
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace parsec::service
