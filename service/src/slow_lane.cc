#include "service/src/slow_lane.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace parsec::service {

SlowLane::SlowLane(unsigned threads, unsigned per_client) : per_client_(per_client == 0 ? 1 : per_client) {
  if (threads == 0) {
    threads = 1;
  }
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

SlowLane::~SlowLane() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    t.join();
  }
}

void SlowLane::submit(const std::string& client, std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    Client& c = clients_[client];
    c.queue.push_back(std::move(job));
    ++stats_.submitted;
    ++stats_.queued;
    if (!c.in_ring && c.running < per_client_) {
      c.in_ring = true;
      ring_.push_back(client);
    }
  }
  cv_.notify_one();
}

SlowLane::Stats SlowLane::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void SlowLane::work() {
  // Linux applies a nice value to one thread when given its thread id. Raising
  // our own nice value needs no privilege; failure only costs the preference.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  std::unique_lock lock(mu_);
  for (;;) {
    // On shutdown every queued job still runs: each holds a connection whose
    // client waits for the answer.
    cv_.wait(lock, [this] { return !ring_.empty() || (stopping_ && stats_.queued == 0); });
    if (ring_.empty()) {
      return;
    }
    std::string name = std::move(ring_.front());
    ring_.pop_front();
    auto it = clients_.find(name);
    Client& c = it->second;
    std::function<void()> job = std::move(c.queue.front());
    c.queue.pop_front();
    ++c.running;
    --stats_.queued;
    ++stats_.running;
    // Round-robin: the client goes to the back of the ring if it may run more.
    if (!c.queue.empty() && c.running < per_client_) {
      ring_.push_back(name);
    } else {
      c.in_ring = false;
    }
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      // Jobs answer their own errors; this is a bug, not a client's fault.
      spdlog::error("slow-lane job for {} threw: {}", name, e.what());
    }
    job = nullptr;  // release what the job captured outside the lock
    lock.lock();
    it = clients_.find(name);
    Client& after = it->second;
    --after.running;
    --stats_.running;
    ++stats_.completed;
    if (!after.queue.empty() && !after.in_ring) {
      after.in_ring = true;
      ring_.push_back(name);
      cv_.notify_one();
    } else if (after.queue.empty() && after.running == 0 && !after.in_ring) {
      clients_.erase(it);
    }
    if (stopping_ && stats_.queued == 0) {
      cv_.notify_all();
    }
  }
}

}  // namespace parsec::service
