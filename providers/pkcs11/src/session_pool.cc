#include "providers/pkcs11/src/session_pool.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace parsec::provider::pkcs11 {

SessionPool::SessionPool(std::shared_ptr<Module> module, TokenEntry token, std::optional<SecretBytes> pin,
                         std::string name)
    : module_(std::move(module)),
      token_(std::move(token)),
      pin_(std::move(pin)),
      name_(std::move(name)),
      slot_(token_.slot) {
  max_sessions_ = kMaxSessions;
  if (token_.max_rw_sessions != CK_UNAVAILABLE_INFORMATION && token_.max_rw_sessions != CK_EFFECTIVELY_INFINITE &&
      token_.max_rw_sessions < max_sessions_) {
    max_sessions_ = token_.max_rw_sessions;
  }
}

SessionPool::~SessionPool() {
  std::lock_guard lock(mu_);
  CK_FUNCTION_LIST* f = fn();
  if (pin_ && !idle_.empty()) {
    (void)f->C_Logout(idle_.front());
  }
  for (CK_SESSION_HANDLE s : idle_) {
    (void)f->C_CloseSession(s);
  }
  idle_.clear();
}

CK_SLOT_ID SessionPool::slot() const {
  std::lock_guard lock(mu_);
  return slot_;
}

CK_RV SessionPool::start() {
  Lease l;
  CK_RV rv = acquire(l);
  if (rv == CKR_OK) {
    release(l, false);
  }
  return rv;
}

CK_RV SessionPool::acquire(Lease& out) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      out.handle = idle_.back();
      out.generation = generation_.load();
      idle_.pop_back();
      return CKR_OK;
    }
    if (open_ < max_sessions_) {
      ++open_;
      uint64_t gen = generation_.load();
      lock.unlock();
      CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
      CK_RV rv = open(h);
      lock.lock();
      if (rv != CKR_OK) {
        --open_;
        cv_.notify_one();
        return rv;
      }
      out.handle = h;
      out.generation = gen;
      return CKR_OK;
    }
    if (cv_.wait_for(lock, std::chrono::seconds(30)) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_sessions_) {
      return CKR_SESSION_COUNT;
    }
  }
}

void SessionPool::release(const Lease& l, bool broken) {
  std::unique_lock lock(mu_);
  if (broken || l.generation != generation_.load()) {
    --open_;
    lock.unlock();
    (void)fn()->C_CloseSession(l.handle);
    cv_.notify_one();
    return;
  }
  idle_.push_back(l.handle);
  lock.unlock();
  cv_.notify_one();
}

CK_RV SessionPool::open(CK_SESSION_HANDLE& out) {
  CK_RV rv = CKR_OK;
  for (int attempt = 0; attempt < 2; ++attempt) {
    rv = fn()->C_OpenSession(slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &out);
    if (rv == CKR_OK || attempt == 1 || !token_gone(rv)) {
      break;
    }
    // The token may be back in another slot.
    CK_RV found = find_token_again();
    if (found != CKR_OK) {
      return found;
    }
  }
  if (rv != CKR_OK) {
    return rv;
  }
  if (pin_) {
    rv = ensure_login(out);
    if (rv != CKR_OK) {
      (void)fn()->C_CloseSession(out);
      out = CK_INVALID_HANDLE;
    }
  }
  return rv;
}

CK_RV SessionPool::ensure_login(CK_SESSION_HANDLE s) {
  CK_SESSION_INFO info{};
  CK_RV rv = fn()->C_GetSessionInfo(s, &info);
  if (rv != CKR_OK) {
    return rv;
  }
  if (info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS) {
    return CKR_OK;
  }
  std::lock_guard lock(login_mu_);
  // C_Login takes a non-const pointer; the module does not write through it.
  rv = fn()->C_Login(s, CKU_USER, const_cast<CK_UTF8CHAR_PTR>(pin_->data()), pin_->size());
  if (rv == CKR_USER_ALREADY_LOGGED_IN) {
    rv = CKR_OK;
  }
  return rv;
}

CK_RV SessionPool::find_token_again() {
  std::vector<TokenEntry> tokens;
  size_t uninitialised = 0;
  CK_RV rv = list_tokens(fn(), tokens, uninitialised);
  if (rv != CKR_OK) {
    return rv;
  }
  for (const auto& t : tokens) {
    if (t.serial == token_.serial && t.label == token_.label) {
      std::lock_guard lock(mu_);
      if (slot_ != t.slot) {
        spdlog::warn("provider \"{}\": token {} is now in slot {}", name_, describe(token_), t.slot);
        slot_ = t.slot;
      }
      return CKR_OK;
    }
  }
  return CKR_TOKEN_NOT_PRESENT;
}

void SessionPool::recover(CK_RV why, uint64_t generation) {
  std::vector<CK_SESSION_HANDLE> drop;
  {
    std::lock_guard lock(mu_);
    if (generation != generation_.load()) {
      return;  // another thread recovered since this lease was taken
    }
    generation_.fetch_add(1);
    recoveries_.fetch_add(1);
    drop.swap(idle_);
    open_ -= drop.size();
  }
  spdlog::warn("provider \"{}\": session with token {} broke ({}); reopening sessions{}", name_, describe(token_),
               ckr_name(why), pin_ ? " and logging in again" : "");
  for (CK_SESSION_HANDLE s : drop) {
    (void)fn()->C_CloseSession(s);
  }
  cv_.notify_all();
}

}  // namespace parsec::provider::pkcs11
