// session_pool.h - the provider's sessions with one token.
//
// PKCS #11 keeps the login state per application and token, not per
// session: the pool logs the user in once and every session it opens shares
// that login. Requests lease a session each, so requests on different worker
// threads run in parallel on separate sessions. Sessions are opened on demand
// (up to the token's limit, at most kMaxSessions) and kept for reuse.
//
// Recovery: when an operation answers that its session broke
// (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED,
// CKR_TOKEN_NOT_PRESENT, CKR_USER_NOT_LOGGED_IN), run() drops every idle
// session, starts a new generation (object handles found under an older one
// must be looked up again), looks the token up again by serial number if it
// went away, logs in again on the next session it opens, and retries the
// operation once.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "parsec/interface/secret.h"
#include "providers/pkcs11/src/ckr.h"
#include "providers/pkcs11/src/module.h"

namespace parsec::provider::pkcs11 {

class SessionPool {
 public:
  static constexpr size_t kMaxSessions = 64;

  // `name` labels log lines (the provider instance name).
  SessionPool(std::shared_ptr<Module> module, TokenEntry token, std::optional<SecretBytes> pin, std::string name);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // start opens the first session and, with a PIN, logs the user in. It
  // returns the failing call's CK_RV (C_Login's for a wrong or locked PIN).
  CK_RV start();

  // run calls fn(session) -> CK_RV on a leased session and returns its
  // result; on a broken session it recovers and calls fn once more.
  template <class F>
  CK_RV run(F&& fn);

  CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  const Module& module() const { return *module_; }
  CK_SLOT_ID slot() const;
  bool has_pin() const { return pin_.has_value(); }
  // generation changes whenever the pool dropped its sessions.
  uint64_t generation() const { return generation_.load(); }
  // recoveries counts the times the pool dropped its sessions.
  uint64_t recoveries() const { return recoveries_.load(); }

 private:
  struct Lease {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    uint64_t generation = 0;
  };
  CK_RV acquire(Lease& out);
  void release(const Lease& l, bool broken);
  CK_RV open(CK_SESSION_HANDLE& out);
  CK_RV ensure_login(CK_SESSION_HANDLE s);
  CK_RV find_token_again();
  void recover(CK_RV why, uint64_t generation);

  std::shared_ptr<Module> module_;
  const TokenEntry token_;
  const std::optional<SecretBytes> pin_;
  const std::string name_;
  size_t max_sessions_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CK_SESSION_HANDLE> idle_;
  size_t open_ = 0;  // idle + leased
  CK_SLOT_ID slot_;  // may change when the token is reinserted
  std::atomic<uint64_t> generation_{1};
  std::atomic<uint64_t> recoveries_{0};
  std::mutex login_mu_;
};

template <class F>
CK_RV SessionPool::run(F&& fn) {
  CK_RV rv = CKR_OK;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Lease l;
    rv = acquire(l);
    if (rv == CKR_OK) {
      rv = fn(l.handle);
      // Not logged in and no PIN to log in with: nothing to recover.
      bool broken = (session_broken(rv) && (rv != CKR_USER_NOT_LOGGED_IN || has_pin())) || rv == CKR_OPERATION_ACTIVE;
      release(l, broken);
      if (!broken) {
        return rv;
      }
    } else if (!token_gone(rv) && !(session_broken(rv) && rv != CKR_USER_NOT_LOGGED_IN)) {
      return rv;
    }
    if (attempt == 0) {
      recover(rv, l.generation != 0 ? l.generation : generation());
    }
  }
  return rv;
}

}  // namespace parsec::provider::pkcs11
