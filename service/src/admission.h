// admission.h - which accepted connection the server serves now, which waits
// and which it refuses, by the peer's uid (SO_PEERCRED, known at accept).
//
// A connection is in one of three states:
//   parked    accepted but not read: it costs one descriptor and its small
//             socket object (no buffer, timer or pending read), whatever its
//             client sends;
//   half-open being read (header or body not yet complete);
//   busy      its request is complete and being answered.
// Limits:
//   per_uid            open connections of one uid in any state; one more is
//                      refused (closed at once, no response);
//   half_open_per_uid  connections of one uid being read at once; more wait parked;
//   max_active         half-open + busy connections of all uids; more wait parked.
// Parked connections start in round-robin order over the uids that have some,
// oldest first within a uid, so one uid's idle or stalled connections delay
// only that uid's next connections, never another uid's.
//
// Not thread-safe: the server uses it on its I/O thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>

namespace parsec::service {

class Admission {
 public:
  struct Limits {
    uint32_t per_uid = 1024;
    uint32_t half_open_per_uid = 32;
    uint32_t max_active = 256;
  };
  enum class Verdict { Serve, Park, Refuse };
  enum class State { Parked, HalfOpen, Busy };

  explicit Admission(Limits limits) : limits_(limits) {}
  // set_limits applies new limits (reload); parked connections are started
  // by the next release() if the new limits allow it.
  void set_limits(Limits limits) { limits_ = limits; }
  const Limits& limits() const { return limits_; }

  // arrive: a connection from `uid` was accepted. Serve: the caller starts
  // reading it now (it is half-open). Park: `start` is kept and called by a
  // later release() when the connection may be read. Refuse: the caller
  // closes it; `start` is dropped.
  Verdict arrive(uid_t uid, std::function<void()> start);
  // request_read: a half-open connection of `uid` has read its whole request.
  // Returns the parked connections that may start now (call them in order).
  std::deque<std::function<void()>> request_read(uid_t uid);
  // closed: a connection of `uid` in state `was` (HalfOpen or Busy) closed.
  std::deque<std::function<void()>> closed(uid_t uid, State was);
  // release starts what the current limits allow (after set_limits).
  std::deque<std::function<void()>> release();
  // drop_parked hands back every parked connection without starting it
  // (shutdown); each still counts as open until closed(uid, Parked).
  std::deque<std::function<void()>> drop_parked();

  struct Counts {
    uint32_t open = 0;
    uint32_t half_open = 0;
    uint32_t busy = 0;
    size_t parked = 0;
  };
  Counts counts(uid_t uid) const;
  uint64_t refused() const { return refused_; }
  uint32_t active() const { return active_; }
  size_t parked() const { return parked_; }

 private:
  struct Uid {
    uint32_t open = 0;
    uint32_t half_open = 0;
    uint32_t busy = 0;
    std::deque<std::function<void()>> parked;
    bool in_ring = false;
  };
  bool may_serve(const Uid& u) const { return u.half_open < limits_.half_open_per_uid && active_ < limits_.max_active; }
  void forget_if_idle(uid_t uid);

  Limits limits_;
  std::map<uid_t, Uid> uids_;
  // uids with parked connections, in turn order.
  std::deque<uid_t> ring_;
  uint32_t active_ = 0;
  size_t parked_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace parsec::service
