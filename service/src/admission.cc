#include "service/src/admission.h"

namespace parsec::service {

Admission::Verdict Admission::arrive(uid_t uid, std::function<void()> start) {
  Uid& u = uids_[uid];
  if (u.open >= limits_.per_uid) {
    ++refused_;
    forget_if_idle(uid);
    return Verdict::Refuse;
  }
  ++u.open;
  // A uid with connections already waiting does not overtake them.
  if (u.parked.empty() && may_serve(u)) {
    ++u.half_open;
    ++active_;
    return Verdict::Serve;
  }
  u.parked.push_back(std::move(start));
  ++parked_;
  if (!u.in_ring) {
    u.in_ring = true;
    ring_.push_back(uid);
  }
  return Verdict::Park;
}

std::deque<std::function<void()>> Admission::request_read(uid_t uid) {
  Uid& u = uids_[uid];
  --u.half_open;
  ++u.busy;
  return release();
}

std::deque<std::function<void()>> Admission::closed(uid_t uid, State was) {
  Uid& u = uids_[uid];
  --u.open;
  if (was == State::HalfOpen) {
    --u.half_open;
    --active_;
  } else if (was == State::Busy) {
    --u.busy;
    --active_;
  }
  auto started = release();
  forget_if_idle(uid);
  return started;
}

std::deque<std::function<void()>> Admission::release() {
  std::deque<std::function<void()>> out;
  // One connection per uid per turn; a uid at its half-open limit leaves the
  // ring until one of its connections is read or closed.
  size_t skipped = 0;
  while (!ring_.empty() && active_ < limits_.max_active && skipped < ring_.size()) {
    uid_t uid = ring_.front();
    ring_.pop_front();
    Uid& u = uids_[uid];
    if (!may_serve(u)) {
      ring_.push_back(uid);
      ++skipped;
      continue;
    }
    skipped = 0;
    out.push_back(std::move(u.parked.front()));
    u.parked.pop_front();
    --parked_;
    ++u.half_open;
    ++active_;
    if (u.parked.empty()) {
      u.in_ring = false;
    } else {
      ring_.push_back(uid);
    }
  }
  return out;
}

std::deque<std::function<void()>> Admission::drop_parked() {
  std::deque<std::function<void()>> out;
  for (auto& [uid, u] : uids_) {
    for (auto& f : u.parked) {
      out.push_back(std::move(f));
    }
    u.parked.clear();
    u.in_ring = false;
  }
  ring_.clear();
  parked_ = 0;
  return out;
}

Admission::Counts Admission::counts(uid_t uid) const {
  auto it = uids_.find(uid);
  if (it == uids_.end()) {
    return {};
  }
  return {it->second.open, it->second.half_open, it->second.busy, it->second.parked.size()};
}

void Admission::forget_if_idle(uid_t uid) {
  auto it = uids_.find(uid);
  if (it != uids_.end() && it->second.open == 0 && !it->second.in_ring) {
    uids_.erase(it);
  }
}

}  // namespace parsec::service
