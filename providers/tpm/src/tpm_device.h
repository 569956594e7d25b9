// tpm_device.h - the one connection of the TPM provider to its TPM: an ESYS
// context over a TCTI, the storage primary key, and the rules that keep them
// usable across TPM restarts and outages.
//
// Every TPM command runs inside run(), under one lock: an ESYS context is not
// thread-safe, and a TPM without a resource manager (swtpm, /dev/tpm0) has
// few transient object slots (swtpm: three, read from TPM_PT_HR_TRANSIENT_MIN).
//
// Hot keys: key pairs used for signing and decryption stay loaded after use,
// least recently used first out, so a repeated signature costs one TPM2_Sign
// instead of Load + Sign + FlushContext; signatures share one salted HMAC
// session for the same reason. The cache never takes the slots an operation
// needs: every load first evicts (flushes) unused hot keys until the primary
// key, the hot keys and the objects of the running operation fit, and a hot
// key used by the running operation is never evicted (operations are
// serialised by the device lock, so "in use" means "used by this run()").
// A reconnection (lost connection, TPM restart or reset) drops the cache;
// the operation then reloads its key and runs once more. A destroyed key is
// flushed and remembered (by fingerprint), so that a request still in flight
// with it cannot make it hot again.
#pragma once

#include <tss2/tss2_esys.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parsec/interface/result.h"
#include "providers/tpm/src/key_blob.h"
#include "providers/tpm/src/tpm_config.h"
#include "providers/tpm/src/tpm_rc.h"

namespace parsec::provider::tpm {

class TpmDevice;

// Esys is what an operation sees inside TpmDevice::run: the context, the
// loaded storage primary key, and helpers that keep auth values out of ESYS's
// memory once they are not needed.
class Esys {
 public:
  Esys(TpmDevice& dev, ESYS_CONTEXT* ctx, ESYS_TR primary) : dev_(dev), ctx_(ctx), primary_(primary) {}
  ESYS_CONTEXT* ctx() const { return ctx_; }
  ESYS_TR primary() const { return primary_; }

  // load loads a key pair blob under the primary key and sets its auth, for
  // this operation only (flush it with a Loaded).
  TSS2_RC load(const KeyBlob& blob, ESYS_TR& out);
  // hot_key returns the handle of a key pair kept loaded across operations,
  // loading it (and evicting the least recently used unused hot key) when it
  // is not. `key_ref` is the key store's reference the blob was decoded from.
  // The handle is owned by the device: never flush it.
  TSS2_RC hot_key(const std::vector<uint8_t>& key_ref, const KeyBlob& blob, ESYS_TR& out);
  // shared_session returns the device's long-lived salted HMAC session with
  // the parameter-encryption attributes `params` set for the next command
  // (see salted_session). Owned by the device: never flush it.
  TSS2_RC shared_session(TPMA_SESSION params, ESYS_TR& out);
  // drop_shared_session flushes the shared sessions (before an operation that
  // needs every session slot, such as attestation).
  void drop_shared_session();
  // sign_hot runs TPM2_Sign with a hot key whose auth value is `auth`,
  // authorised by HMAC through the device's own unsalted, unbound HMAC
  // session, computed here rather than by ESYS: tpm2-tss 3.2's ESYS builds a
  // new OpenSSL library context for every hash of every session command,
  // which costs several times the TPM's own signing time (bench/README.md).
  // The auth value never crosses the TCTI: the HMAC key is the auth value
  // itself (32 random bytes; no salt needed for a key that cannot be
  // guessed), and the TPM's answer is checked against its response HMAC.
  // `pub` is the key's public area: its name (in the command's cpHash) is
  // computed from it here, because Esys_TR_GetName rehashes the public area
  // through that same costly OpenSSL path (perf: 43 % of parsecd's CPU).
  TSS2_RC sign_hot(ESYS_TR key, const TPM2B_PUBLIC& pub, const TPM2B_AUTH& auth, const TPM2B_DIGEST& digest,
                   const TPMT_SIG_SCHEME& scheme, const TPMT_TK_HASHCHECK& ticket, TPMT_SIGNATURE& out);
  // load_public loads a public area into the null hierarchy with the usage
  // attributes `usage` (sign for verification, decrypt for encryption).
  TSS2_RC load_public(const TPM2B_PUBLIC& pub, TPMA_OBJECT usage, ESYS_TR& out);
  // flush flushes a transient object or session, wiping its auth in ESYS
  // first. A lost connection marks the device for reconnection.
  void flush(ESYS_TR handle);
  // endorsement_key creates the TCG default RSA endorsement key (primary key
  // of the endorsement hierarchy); `pub` may be null.
  TSS2_RC endorsement_key(ESYS_TR& out, TPM2B_PUBLIC** pub);
  // salted_session starts an HMAC session salted with the storage primary key
  // (the salt crosses the TCTI encrypted to it): an auth value used through
  // it never crosses the TCTI, only HMACs keyed from the salt and the auth
  // do. `params` adds AES-128-CFB parameter encryption: TPMA_SESSION_DECRYPT
  // for the command's first parameter, TPMA_SESSION_ENCRYPT for the
  // response's (only where that parameter is a sized buffer). Flush it with a
  // Loaded.
  TSS2_RC salted_session(TPMA_SESSION params, ESYS_TR& out);
  // set_endorsement_auth / clear_endorsement_auth put the configured
  // endorsement hierarchy password into ESYS and take it out again.
  TSS2_RC set_endorsement_auth();
  void clear_endorsement_auth();

 private:
  TpmDevice& dev_;
  ESYS_CONTEXT* ctx_;
  ESYS_TR primary_;
};

// Loaded flushes a transient object (or session) when it goes out of scope.
class Loaded {
 public:
  explicit Loaded(Esys& e) : e_(e) {}
  ~Loaded() {
    if (handle != ESYS_TR_NONE) {
      e_.flush(handle);
    }
  }
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  ESYS_TR handle = ESYS_TR_NONE;

 private:
  Esys& e_;
};

class TpmDevice {
 public:
  // open connects through cfg.tcti, starts the TPM if needed and creates the
  // storage primary key. On failure it sets `rc` (the failing response code)
  // and returns a Failure: PsaErrorCommunicationFailure when no TPM answers,
  // the mapped status of the TPM's answer otherwise, with a detail saying what
  // failed, why, and what to check (never an auth value).
  static Result<std::unique_ptr<TpmDevice>> open(TpmConfig cfg, TSS2_RC& rc);
  ~TpmDevice();

  TpmDevice(const TpmDevice&) = delete;
  TpmDevice& operator=(const TpmDevice&) = delete;

  // run executes `fn` against the TPM under the device lock and maps its
  // response code with rc_to_status(rc, call). While the TPM is unreachable it
  // answers PsaErrorCommunicationFailure without waiting (one reconnection
  // attempt per retry interval). A lost connection, a TPM restart (the primary
  // key's handle is gone, TPM_RC_INITIALIZE) or full transient slots make it
  // reconnect, re-create the primary key and run `fn` once more; TPM_RC_RETRY
  // and its kind are retried a few times. `fn` must be safe to run again.
  // `what` names the operation in log lines.
  Status run(TpmCall call, const char* what, const std::function<TSS2_RC(Esys&)>& fn);

  // primary_name is the name of the storage primary key of the latest
  // connection (its template and the owner seed identify it).
  TPM2B_NAME primary_name();

  // forget_key flushes a hot key pair (when loaded) and remembers that it was
  // destroyed, so that it is never made hot again; called once its mapping is
  // gone. When the TPM cannot be told, every transient object is flushed at
  // the next connection.
  void forget_key(const std::vector<uint8_t>& key_ref);
  // destroyed: forget_key was called for this key (among the last few
  // thousand destroyed): a request still in flight with it is refused.
  bool destroyed(const std::vector<uint8_t>& key_ref);

  // HotStats: what the cache holds, for tests and logs.
  struct HotStats {
    size_t hot = 0;          // hot keys loaded now
    size_t capacity = 0;     // TPM_PT_HR_TRANSIENT_MIN read from the TPM
    uint64_t loads = 0;      // hot-key loads since the device was opened
    uint64_t evictions = 0;  // hot keys flushed to make room
    uint64_t drops = 0;      // caches dropped by a reconnection
  };
  HotStats hot_stats();

  // The retry interval while the TPM is unreachable.
  static constexpr std::chrono::milliseconds kRetryInterval{250};

 private:
  friend class Esys;
  explicit TpmDevice(TpmConfig cfg);

  // connect_locked builds the ESYS context and the primary key; on failure it
  // leaves nothing open and reports the stage that failed.
  TSS2_RC connect_locked(std::string& stage);
  // drop_locked closes the ESYS context; `flush_primary` flushes the primary
  // key first (only when the TPM still answers).
  void drop_locked(bool flush_primary);
  Status ensure_connected_locked(const char* what);
  void flush_all_transients_locked();
  // read_capacity_locked reads TPM_PT_HR_TRANSIENT_MIN (3 when unreadable).
  void read_capacity_locked();
  // make_room_locked evicts unused hot keys until `extra` more objects fit
  // beside the primary key, the hot keys and the operation's own objects.
  void make_room_locked(uint32_t extra);
  // forget_hot_locked forgets every hot key and the shared session without
  // telling the TPM (the connection is being closed or the TPM restarted),
  // wiping the auth values ESYS holds for them.
  void forget_hot_locked();
  static std::string fingerprint(const std::vector<uint8_t>& key_ref);

  struct HotKey {
    ESYS_TR handle = ESYS_TR_NONE;
    uint64_t used = 0;  // tick of the last use: the smallest is evicted first
  };

  TpmConfig cfg_;
  std::mutex mu_;
  TSS2_TCTI_CONTEXT* tcti_ = nullptr;
  ESYS_CONTEXT* esys_ = nullptr;
  ESYS_TR primary_ = ESYS_TR_NONE;
  TPM2B_NAME primary_name_{};
  bool broken_ = false;                          // a command lost the connection: reconnect first
  bool flush_transients_ = false;                // the slots were full: flush every transient object on connect
  bool down_ = false;                            // the TPM is unreachable (logged once)
  uint32_t capacity_ = 3;                        // transient object slots of the TPM
  std::unordered_map<std::string, HotKey> hot_;  // fingerprint of the key reference -> loaded key
  std::vector<ESYS_TR> pinned_;                  // hot keys used by the running operation
  std::vector<ESYS_TR> temps_;                   // objects the running operation loaded for itself
  ESYS_TR shared_session_ = ESYS_TR_NONE;
  // The session of sign_hot, kept by TPM handle (ESYS does not know it).
  TPMI_SH_AUTH_SESSION sign_session_ = 0;
  TPM2B_NONCE sign_nonce_tpm_{};
  uint64_t tick_ = 0;
  // Destroyed keys, by fingerprint: bounded (a request in flight with a
  // destroyed key is at most a few requests old).
  std::unordered_set<std::string> destroyed_;
  std::deque<std::string> destroyed_order_;
  HotStats stats_{};
  std::chrono::steady_clock::time_point down_since_{};
  std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace parsec::provider::tpm
