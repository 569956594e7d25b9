#include "providers/tpm/src/tpm_device.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "providers/tpm/src/tpm_convert.h"

namespace parsec::provider::tpm {
namespace {

// auth_of copies a secret into a TPM2B_AUTH (the caller wipes it).
TPM2B_AUTH auth_of(const SecretBytes& s) {
  TPM2B_AUTH a{};
  a.size = static_cast<UINT16>(s.size());
  if (!s.empty()) {
    std::memcpy(a.buffer, s.data(), s.size());
  }
  return a;
}

constexpr int kMaxTransientRetries = 5;
// Destroyed keys remembered so that a request in flight cannot make them hot.
constexpr size_t kDestroyedRemembered = 4096;
// A TPM reporting more slots than this (a resource manager's virtual ones)
// still gets no more hot keys: a few cover the usual working set.
constexpr uint32_t kMaxCapacity = 16;

// is_reset: the TPM no longer has what this connection loaded (it restarted,
// or was reset): a handle or session handle that references nothing, or a
// TPM waiting for TPM2_Startup.
bool is_reset(TSS2_RC rc) {
  if (is_communication_error(rc)) {
    return false;
  }
  const TSS2_RC base = tpm_base_code(rc);
  return base == TPM2_RC_INITIALIZE || base == TPM2_RC_HANDLE ||
         (base >= TPM2_RC_REFERENCE_H0 && base <= TPM2_RC_REFERENCE_S6);
}

// start_hmac_session starts an HMAC session, salted with `salt_key` unless it
// is ESYS_TR_NONE (the owner hierarchy's auth, before the storage primary key
// exists: then only HMACs of the auth cross the TCTI, not the auth itself).
TSS2_RC start_hmac_session(ESYS_CONTEXT* ctx, ESYS_TR salt_key, TPMA_SESSION params, ESYS_TR& out) {
  out = ESYS_TR_NONE;
  TPMT_SYM_DEF sym{};
  sym.algorithm = TPM2_ALG_AES;
  sym.keyBits.aes = 128;
  sym.mode.aes = TPM2_ALG_CFB;
  TSS2_RC rc = Esys_StartAuthSession(ctx, salt_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                     TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
    return rc;
  }
  rc = Esys_TRSess_SetAttributes(ctx, out, static_cast<TPMA_SESSION>(TPMA_SESSION_CONTINUESESSION | params), 0xff);
  if (rc != TSS2_RC_SUCCESS) {
    (void)Esys_FlushContext(ctx, out);
    out = ESYS_TR_NONE;
  }
  return rc;
}

}  // namespace

// ---- Esys -------------------------------------------------------------------------

TSS2_RC Esys::load(const KeyBlob& blob, ESYS_TR& out) {
  out = ESYS_TR_NONE;
  dev_.make_room_locked(1);
  TSS2_RC rc = Esys_Load(ctx_, primary_, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &blob.priv, &blob.pub, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
    return rc;
  }
  dev_.temps_.push_back(out);
  rc = Esys_TR_SetAuth(ctx_, out, &blob.auth);
  if (rc != TSS2_RC_SUCCESS) {
    flush(out);
    out = ESYS_TR_NONE;
  }
  return rc;
}

TSS2_RC Esys::hot_key(const std::vector<uint8_t>& key_ref, const KeyBlob& blob, ESYS_TR& out) {
  out = ESYS_TR_NONE;
  const std::string id = TpmDevice::fingerprint(key_ref);
  TpmDevice& d = dev_;
  if (auto it = d.hot_.find(id); it != d.hot_.end()) {
    it->second.used = ++d.tick_;
    d.pinned_.push_back(it->second.handle);
    out = it->second.handle;
    return TSS2_RC_SUCCESS;
  }
  if (d.destroyed_.count(id) != 0) {
    // A request that looked the key up before it was destroyed: served, but
    // the key is not kept (run() flushes it with the operation's other
    // temporaries).
    return load(blob, out);
  }
  d.make_room_locked(1);
  TSS2_RC rc = Esys_Load(ctx_, primary_, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &blob.priv, &blob.pub, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
    return rc;
  }
  rc = Esys_TR_SetAuth(ctx_, out, &blob.auth);
  if (rc != TSS2_RC_SUCCESS) {
    flush(out);
    out = ESYS_TR_NONE;
    return rc;
  }
  d.hot_[id] = TpmDevice::HotKey{out, ++d.tick_};
  d.pinned_.push_back(out);
  ++d.stats_.loads;
  return TSS2_RC_SUCCESS;
}

TSS2_RC Esys::shared_session(TPMA_SESSION params, ESYS_TR& out) {
  out = ESYS_TR_NONE;
  if (dev_.shared_session_ == ESYS_TR_NONE) {
    const TSS2_RC rc = start_hmac_session(ctx_, primary_, 0, dev_.shared_session_);
    if (rc != TSS2_RC_SUCCESS) {
      dev_.shared_session_ = ESYS_TR_NONE;
      return rc;
    }
  }
  const TSS2_RC rc = Esys_TRSess_SetAttributes(
      ctx_, dev_.shared_session_, static_cast<TPMA_SESSION>(TPMA_SESSION_CONTINUESESSION | params),
      TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_AUDIT);
  if (rc != TSS2_RC_SUCCESS) {
    drop_shared_session();
    return rc;
  }
  out = dev_.shared_session_;
  return TSS2_RC_SUCCESS;
}

void Esys::drop_shared_session() {
  if (dev_.shared_session_ != ESYS_TR_NONE) {
    const ESYS_TR s = dev_.shared_session_;
    dev_.shared_session_ = ESYS_TR_NONE;
    flush(s);
  }
  if (dev_.sign_session_ != 0) {
    TSS2_SYS_CONTEXT* sys = nullptr;
    if (Esys_GetSysContext(ctx_, &sys) == TSS2_RC_SUCCESS) {
      const TSS2_RC rc = Tss2_Sys_FlushContext(sys, dev_.sign_session_);
      if (is_communication_error(rc)) {
        dev_.broken_ = true;
      }
    }
    dev_.sign_session_ = 0;
  }
}

namespace {

bool fresh_nonce(TPM2B_NONCE& n) {
  // OpenSSL's DRBG (seeded from the kernel): no system call per nonce.
  n.size = 32;
  return RAND_bytes(n.buffer, n.size) == 1;
}

void put_be32(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x >> 24));
  v.push_back(static_cast<uint8_t>(x >> 16));
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}

// SHA-256 and HMAC-SHA256 fetched once. OpenSSL 3's one-shot SHA256() and
// HMAC() look the algorithm up in the provider tables on every call, which
// perf put at ~8 % of parsecd's CPU on a TPM sign (four hashes and two HMACs
// per TPM2_Sign).
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

bool sha256(const uint8_t* data, size_t size, uint8_t* out) {
  unsigned int len = 0;
  return sha256_md() != nullptr && EVP_Digest(data, size, out, &len, sha256_md(), nullptr) == 1 &&
         len == SHA256_DIGEST_LENGTH;
}

// hmac_sha256_template is an HMAC context with its digest set and no key;
// each use works on a copy, so the template never holds a secret.
const EVP_MAC_CTX* hmac_sha256_template() {
  static EVP_MAC_CTX* const t = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* c = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (c != nullptr && EVP_MAC_CTX_set_params(c, params) != 1) {
      EVP_MAC_CTX_free(c);
      c = nullptr;
    }
    return c;
  }();
  return t;
}

// session_hmac computes a session's HMAC-SHA256 over pHash || nonceNewer ||
// nonceOlder || sessionAttributes (TPM 2.0 Part 1, 19.6.5) with the key
// `key` (sessionKey || authValue; the session is unsalted and unbound, so
// the auth value alone, trailing zero octets removed as the TPM does).
bool session_hmac(const TPM2B_AUTH& auth, const uint8_t (&p_hash)[32], const TPM2B_NONCE& newer,
                  const TPM2B_NONCE& older, uint8_t attributes, uint8_t (&out)[32]) {
  size_t key_len = auth.size;
  while (key_len > 0 && auth.buffer[key_len - 1] == 0) {
    --key_len;
  }
  const EVP_MAC_CTX* t = hmac_sha256_template();
  EVP_MAC_CTX* c = t != nullptr ? EVP_MAC_CTX_dup(t) : nullptr;
  if (c == nullptr) {
    return false;
  }
  // An empty key is a valid HMAC key; OpenSSL wants a non-null pointer.
  static const uint8_t kNoKey = 0;
  size_t len = 0;
  const bool ok = EVP_MAC_init(c, key_len ? auth.buffer : &kNoKey, key_len, nullptr) == 1 &&
                  EVP_MAC_update(c, p_hash, sizeof p_hash) == 1 && EVP_MAC_update(c, newer.buffer, newer.size) == 1 &&
                  EVP_MAC_update(c, older.buffer, older.size) == 1 && EVP_MAC_update(c, &attributes, 1) == 1 &&
                  EVP_MAC_final(c, out, &len, sizeof out) == 1 && len == sizeof out;
  EVP_MAC_CTX_free(c);  // cleanses the keyed state
  return ok;
}

constexpr TSS2_RC kResponseAuthFailed = TSS2_ESYS_RC_RSP_AUTH_FAILED;

// object_name computes a SHA-256-named object's name: nameAlg || SHA-256 of
// the marshalled public area (TPM 2.0 Part 1, 16). False for another nameAlg.
bool object_name(const TPM2B_PUBLIC& pub, std::vector<uint8_t>& name) {
  if (pub.publicArea.nameAlg != TPM2_ALG_SHA256) {
    return false;
  }
  uint8_t area[sizeof(TPMT_PUBLIC)];
  size_t len = 0;
  if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub.publicArea, area, sizeof area, &len) != TSS2_RC_SUCCESS) {
    return false;
  }
  name.assign(2 + SHA256_DIGEST_LENGTH, 0);
  name[0] = static_cast<uint8_t>(TPM2_ALG_SHA256 >> 8);
  name[1] = static_cast<uint8_t>(TPM2_ALG_SHA256 & 0xff);
  return sha256(area, len, name.data() + 2);
}

}  // namespace

TSS2_RC Esys::sign_hot(ESYS_TR key, const TPM2B_PUBLIC& pub, const TPM2B_AUTH& auth, const TPM2B_DIGEST& digest,
                       const TPMT_SIG_SCHEME& scheme, const TPMT_TK_HASHCHECK& ticket, TPMT_SIGNATURE& out) {
  TSS2_SYS_CONTEXT* sys = nullptr;
  TSS2_RC rc = Esys_GetSysContext(ctx_, &sys);
  if (rc != TSS2_RC_SUCCESS) {
    return rc;
  }
  TpmDevice& d = dev_;
  if (d.sign_session_ == 0) {
    TPM2B_NONCE caller{};
    if (!fresh_nonce(caller)) {
      return TSS2_ESYS_RC_GENERAL_FAILURE;
    }
    const TPM2B_ENCRYPTED_SECRET no_salt{};
    TPMT_SYM_DEF no_sym{};
    no_sym.algorithm = TPM2_ALG_NULL;
    TPMI_SH_AUTH_SESSION handle = 0;
    TPM2B_NONCE tpm_nonce{};
    tpm_nonce.size = sizeof tpm_nonce.buffer;
    rc = Tss2_Sys_StartAuthSession(sys, TPM2_RH_NULL, TPM2_RH_NULL, nullptr, &caller, &no_salt, TPM2_SE_HMAC, &no_sym,
                                   TPM2_ALG_SHA256, &handle, &tpm_nonce, nullptr);
    if (rc != TSS2_RC_SUCCESS) {
      if (is_communication_error(rc)) {
        d.broken_ = true;
      }
      return rc;
    }
    d.sign_session_ = handle;
    d.sign_nonce_tpm_ = tpm_nonce;
  }
  TPM2_HANDLE key_handle = 0;
  std::vector<uint8_t> key_name;
  rc = Esys_TR_GetTpmHandle(ctx_, key, &key_handle);
  if (rc == TSS2_RC_SUCCESS && !object_name(pub, key_name)) {
    // Not SHA-256-named (not a key of ours): ask ESYS.
    TPM2B_NAME* name = nullptr;
    rc = Esys_TR_GetName(ctx_, key, &name);
    if (rc == TSS2_RC_SUCCESS) {
      key_name.assign(name->name, name->name + name->size);
    }
    Esys_Free(name);
  }
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_Sys_Sign_Prepare(sys, key_handle, &digest, &scheme, &ticket);
  }
  const uint8_t* cp = nullptr;
  size_t cp_size = 0;
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_Sys_GetCpBuffer(sys, &cp_size, &cp);
  }
  if (rc != TSS2_RC_SUCCESS) {
    return rc;
  }
  // cpHash = SHA-256(commandCode || name of the key || parameters)
  std::vector<uint8_t> hashed;
  put_be32(hashed, TPM2_CC_Sign);
  hashed.insert(hashed.end(), key_name.begin(), key_name.end());
  hashed.insert(hashed.end(), cp, cp + cp_size);
  uint8_t cp_hash[32];
  if (!sha256(hashed.data(), hashed.size(), cp_hash)) {
    return TSS2_ESYS_RC_GENERAL_FAILURE;
  }

  TSS2L_SYS_AUTH_COMMAND cmd{};
  cmd.count = 1;
  TPMS_AUTH_COMMAND& a = cmd.auths[0];
  a.sessionHandle = d.sign_session_;
  a.sessionAttributes = TPMA_SESSION_CONTINUESESSION;
  uint8_t mac[32];
  if (!fresh_nonce(a.nonce) || !session_hmac(auth, cp_hash, a.nonce, d.sign_nonce_tpm_, a.sessionAttributes, mac)) {
    return TSS2_ESYS_RC_GENERAL_FAILURE;
  }
  a.hmac.size = 32;
  std::memcpy(a.hmac.buffer, mac, 32);
  rc = Tss2_Sys_SetCmdAuths(sys, &cmd);
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_Sys_Execute(sys);
  }
  if (rc != TSS2_RC_SUCCESS) {
    // The session's nonces are unknown after a failed command: start a new
    // one next time (drop_shared_session in run() flushes this one).
    if (is_communication_error(rc)) {
      d.broken_ = true;
    }
    return rc;
  }
  TSS2L_SYS_AUTH_RESPONSE rsp{};
  const uint8_t* rp = nullptr;
  size_t rp_size = 0;
  rc = Tss2_Sys_GetRspAuths(sys, &rsp);
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_Sys_GetRpBuffer(sys, &rp_size, &rp);
  }
  if (rc != TSS2_RC_SUCCESS || rsp.count != 1) {
    return rc != TSS2_RC_SUCCESS ? rc : kResponseAuthFailed;
  }
  // rpHash = SHA-256(responseCode (0) || commandCode || parameters); the
  // response HMAC proves the answer comes from the TPM holding the key.
  hashed.clear();
  put_be32(hashed, TPM2_RC_SUCCESS);
  put_be32(hashed, TPM2_CC_Sign);
  hashed.insert(hashed.end(), rp, rp + rp_size);
  uint8_t rp_hash[32];
  if (!sha256(hashed.data(), hashed.size(), rp_hash)) {
    return TSS2_ESYS_RC_GENERAL_FAILURE;
  }
  const TPMS_AUTH_RESPONSE& r = rsp.auths[0];
  if (!session_hmac(auth, rp_hash, r.nonce, a.nonce, r.sessionAttributes, mac) || r.hmac.size != 32 ||
      CRYPTO_memcmp(mac, r.hmac.buffer, 32) != 0) {
    spdlog::error("TPM provider: the TPM's answer to TPM2_Sign failed its session HMAC check; signature discarded");
    return kResponseAuthFailed;
  }
  d.sign_nonce_tpm_ = r.nonce;
  return Tss2_Sys_Sign_Complete(sys, &out);
}

TSS2_RC Esys::load_public(const TPM2B_PUBLIC& pub, TPMA_OBJECT usage, ESYS_TR& out) {
  TPM2B_PUBLIC p = pub;
  // Only the public part is loaded: the attributes need not match the key's
  // (the name does not matter here), just allow the operation.
  p.publicArea.objectAttributes = TPMA_OBJECT_USERWITHAUTH | usage;
  p.publicArea.authPolicy.size = 0;
  p.size = 0;
  out = ESYS_TR_NONE;
  dev_.make_room_locked(1);
  TSS2_RC rc = Esys_LoadExternal(ctx_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr, &p, ESYS_TR_RH_NULL, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
  } else {
    dev_.temps_.push_back(out);
  }
  return rc;
}

void Esys::flush(ESYS_TR handle) {
  auto& temps = dev_.temps_;
  temps.erase(std::remove(temps.begin(), temps.end(), handle), temps.end());
  // ESYS keeps a copy of the auth value with the object; overwrite it before
  // the object's memory is released.
  const TPM2B_AUTH empty{};
  (void)Esys_TR_SetAuth(ctx_, handle, &empty);
  const TSS2_RC rc = Esys_FlushContext(ctx_, handle);
  if (rc != TSS2_RC_SUCCESS) {
    if (is_communication_error(rc)) {
      dev_.broken_ = true;
    } else {
      spdlog::debug("TPM provider: flushing a transient object failed: {}", rc_text(rc));
    }
    (void)Esys_TR_Close(ctx_, &handle);
  }
}

TSS2_RC Esys::salted_session(TPMA_SESSION params, ESYS_TR& out) {
  return start_hmac_session(ctx_, primary_, params, out);
}

TSS2_RC Esys::set_endorsement_auth() {
  TPM2B_AUTH a = auth_of(dev_.cfg_.endorsement_auth);
  const TSS2_RC rc = Esys_TR_SetAuth(ctx_, ESYS_TR_RH_ENDORSEMENT, &a);
  wipe_pod(a);
  return rc;
}

void Esys::clear_endorsement_auth() {
  const TPM2B_AUTH empty{};
  (void)Esys_TR_SetAuth(ctx_, ESYS_TR_RH_ENDORSEMENT, &empty);
}

TSS2_RC Esys::endorsement_key(ESYS_TR& out, TPM2B_PUBLIC** pub) {
  const TPM2B_PUBLIC tmpl = ek_template();
  const TPM2B_SENSITIVE_CREATE sensitive{};
  const TPM2B_DATA outside{};
  const TPML_PCR_SELECTION pcrs{};
  Loaded session(*this);
  TSS2_RC rc = salted_session(0, session.handle);
  if (rc != TSS2_RC_SUCCESS) {
    return rc;
  }
  rc = set_endorsement_auth();
  if (rc != TSS2_RC_SUCCESS) {
    return rc;
  }
  dev_.make_room_locked(1);
  rc = Esys_CreatePrimary(ctx_, ESYS_TR_RH_ENDORSEMENT, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl,
                          &outside, &pcrs, &out, pub, nullptr, nullptr, nullptr);
  clear_endorsement_auth();
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
  } else {
    dev_.temps_.push_back(out);
  }
  return rc;
}

// ---- TpmDevice --------------------------------------------------------------------

TpmDevice::TpmDevice(TpmConfig cfg) : cfg_(std::move(cfg)) {}

TpmDevice::~TpmDevice() {
  std::lock_guard lock(mu_);
  drop_locked(!broken_ && !down_);
}

Result<std::unique_ptr<TpmDevice>> TpmDevice::open(TpmConfig cfg, TSS2_RC& rc) {
  std::unique_ptr<TpmDevice> dev(new TpmDevice(std::move(cfg)));
  std::lock_guard lock(dev->mu_);
  std::string stage;
  rc = dev->connect_locked(stage);
  if (rc != TSS2_RC_SUCCESS) {
    std::string error = stage + " failed: " + rc_text(rc);
    const std::string hint = connect_hint(rc);
    if (!hint.empty()) {
      error += "; " + hint;
    }
    const Status s =
        is_communication_error(rc) ? Status::PsaErrorCommunicationFailure : rc_to_status(rc, TpmCall::Connect);
    return Failure(s == Status::Success ? Status::PsaErrorGenericError : s, std::move(error));
  }
  return dev;
}

TSS2_RC TpmDevice::connect_locked(std::string& stage) {
  stage = "opening TCTI \"" + cfg_.tcti + "\"";
  TSS2_RC rc = Tss2_TctiLdr_Initialize(cfg_.tcti.c_str(), &tcti_);
  if (rc != TSS2_RC_SUCCESS) {
    tcti_ = nullptr;
    return rc;
  }
  stage = "initialising the ESYS context over \"" + cfg_.tcti + "\"";
  rc = Esys_Initialize(&esys_, tcti_, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    esys_ = nullptr;
    drop_locked(false);
    return rc;
  }
  stage = "TPM2_Startup through \"" + cfg_.tcti + "\"";
  rc = Esys_Startup(esys_, TPM2_SU_CLEAR);
  if (rc != TSS2_RC_SUCCESS && tpm_base_code(rc) != TPM2_RC_INITIALIZE) {
    drop_locked(false);
    return rc;
  }
  if (flush_transients_) {
    flush_all_transients_locked();
    flush_transients_ = false;
  }
  read_capacity_locked();
  stage = "creating the storage primary key (TPM2_CreatePrimary in the owner hierarchy)";
  const TPM2B_PUBLIC tmpl = srk_template();
  const TPM2B_SENSITIVE_CREATE sensitive{};
  const TPM2B_DATA outside{};
  const TPML_PCR_SELECTION pcrs{};
  for (int attempt = 0;; ++attempt) {
    TPM2B_AUTH owner = auth_of(cfg_.owner_auth);
    rc = Esys_TR_SetAuth(esys_, ESYS_TR_RH_OWNER, &owner);
    wipe_pod(owner);
    ESYS_TR session = ESYS_TR_NONE;
    if (rc == TSS2_RC_SUCCESS) {
      // No key to salt with yet: an unsalted HMAC session still keeps the
      // owner hierarchy's auth itself off the TCTI.
      rc = start_hmac_session(esys_, ESYS_TR_NONE, 0, session);
    }
    if (rc == TSS2_RC_SUCCESS) {
      rc = Esys_CreatePrimary(esys_, ESYS_TR_RH_OWNER, session, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl, &outside,
                              &pcrs, &primary_, nullptr, nullptr, nullptr, nullptr);
    }
    if (session != ESYS_TR_NONE) {
      (void)Esys_FlushContext(esys_, session);
    }
    const TPM2B_AUTH empty{};
    (void)Esys_TR_SetAuth(esys_, ESYS_TR_RH_OWNER, &empty);
    if (rc != TSS2_RC_SUCCESS && attempt == 0 && tpm_base_code(rc) == TPM2_RC_OBJECT_MEMORY) {
      // Objects left behind by a previous run that crashed (a TPM without a
      // resource manager keeps them until it is reset).
      flush_all_transients_locked();
      continue;
    }
    if (rc != TSS2_RC_SUCCESS && attempt < kMaxTransientRetries && is_transient(rc)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * (attempt + 1)));
      continue;
    }
    break;
  }
  if (rc != TSS2_RC_SUCCESS) {
    primary_ = ESYS_TR_NONE;
    drop_locked(false);
    return rc;
  }
  TPM2B_NAME* name = nullptr;
  stage = "reading the storage primary key's name";
  rc = Esys_TR_GetName(esys_, primary_, &name);
  if (rc != TSS2_RC_SUCCESS) {
    drop_locked(true);
    return rc;
  }
  if (primary_name_.size != 0 &&
      (primary_name_.size != name->size || std::memcmp(primary_name_.name, name->name, name->size) != 0)) {
    spdlog::warn(
        "TPM provider: the storage primary key differs from the one before the reconnection (the TPM was cleared "
        "or another TPM answers): keys created before cannot be loaded");
  }
  primary_name_ = *name;
  Esys_Free(name);
  broken_ = false;
  return TSS2_RC_SUCCESS;
}

void TpmDevice::drop_locked(bool flush_primary) {
  if (esys_) {
    if (flush_primary) {
      // The TPM answers: leave nothing of ours loaded in it.
      Esys e(*this, esys_, primary_);
      e.drop_shared_session();
      for (auto& [id, key] : hot_) {
        e.flush(key.handle);
      }
      hot_.clear();
    }
    forget_hot_locked();
    if (flush_primary && primary_ != ESYS_TR_NONE) {
      (void)Esys_FlushContext(esys_, primary_);
    }
    const TPM2B_AUTH empty{};
    (void)Esys_TR_SetAuth(esys_, ESYS_TR_RH_OWNER, &empty);
    (void)Esys_TR_SetAuth(esys_, ESYS_TR_RH_ENDORSEMENT, &empty);
    Esys_Finalize(&esys_);
    esys_ = nullptr;
  }
  if (tcti_) {
    Tss2_TctiLdr_Finalize(&tcti_);
    tcti_ = nullptr;
  }
  primary_ = ESYS_TR_NONE;
}

void TpmDevice::forget_hot_locked() {
  const TPM2B_AUTH empty{};
  if (!hot_.empty()) {
    ++stats_.drops;
  }
  for (auto& [id, key] : hot_) {
    if (esys_) {
      (void)Esys_TR_SetAuth(esys_, key.handle, &empty);
    }
  }
  hot_.clear();
  pinned_.clear();
  temps_.clear();
  shared_session_ = ESYS_TR_NONE;
  sign_session_ = 0;
}

std::string TpmDevice::fingerprint(const std::vector<uint8_t>& key_ref) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  if (!sha256(key_ref.data(), key_ref.size(), md)) {
    // Never happens with the default provider; the reference itself is a
    // unique (if longer) identifier.
    return std::string(key_ref.begin(), key_ref.end());
  }
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

void TpmDevice::read_capacity_locked() {
  TPMI_YES_NO more = TPM2_NO;
  TPMS_CAPABILITY_DATA* data = nullptr;
  capacity_ = 3;  // the PC Client minimum, and swtpm's
  if (Esys_GetCapability(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
                         TPM2_PT_HR_TRANSIENT_MIN, 1, &more, &data) == TSS2_RC_SUCCESS) {
    if (data->data.tpmProperties.count == 1 &&
        data->data.tpmProperties.tpmProperty[0].property == TPM2_PT_HR_TRANSIENT_MIN) {
      capacity_ = std::clamp<uint32_t>(data->data.tpmProperties.tpmProperty[0].value, 2, kMaxCapacity);
    }
    Esys_Free(data);
  }
  stats_.capacity = capacity_;
}

void TpmDevice::make_room_locked(uint32_t extra) {
  // The primary key takes one slot.
  while (!hot_.empty() && 1 + hot_.size() + temps_.size() + extra > capacity_) {
    auto victim = hot_.end();
    for (auto it = hot_.begin(); it != hot_.end(); ++it) {
      if (std::find(pinned_.begin(), pinned_.end(), it->second.handle) != pinned_.end()) {
        continue;  // used by the running operation
      }
      if (victim == hot_.end() || it->second.used < victim->second.used) {
        victim = it;
      }
    }
    if (victim == hot_.end()) {
      return;  // every hot key is in use by this operation: the TPM will say if it does not fit
    }
    const ESYS_TR h = victim->second.handle;
    hot_.erase(victim);
    ++stats_.evictions;
    Esys(*this, esys_, primary_).flush(h);
  }
}

void TpmDevice::forget_key(const std::vector<uint8_t>& key_ref) {
  const std::string id = fingerprint(key_ref);
  std::lock_guard lock(mu_);
  if (destroyed_.insert(id).second) {
    destroyed_order_.push_back(id);
    if (destroyed_order_.size() > kDestroyedRemembered) {
      destroyed_.erase(destroyed_order_.front());
      destroyed_order_.pop_front();
    }
  }
  auto it = hot_.find(id);
  if (it == hot_.end()) {
    return;
  }
  const ESYS_TR h = it->second.handle;
  hot_.erase(it);
  if (esys_ && broken_) {
    const TPM2B_AUTH empty{};
    (void)Esys_TR_SetAuth(esys_, h, &empty);
  }
  if (esys_ && !broken_) {
    Esys(*this, esys_, primary_).flush(h);
    if (!broken_) {
      return;
    }
  }
  // The TPM could not be told: it may still hold the key until it restarts,
  // so flush every transient object once it answers again.
  flush_transients_ = true;
  broken_ = true;
}

bool TpmDevice::destroyed(const std::vector<uint8_t>& key_ref) {
  const std::string id = fingerprint(key_ref);
  std::lock_guard lock(mu_);
  return destroyed_.count(id) != 0;
}

TpmDevice::HotStats TpmDevice::hot_stats() {
  std::lock_guard lock(mu_);
  HotStats s = stats_;
  s.hot = hot_.size();
  return s;
}

void TpmDevice::flush_all_transients_locked() {
  TPMI_YES_NO more = TPM2_NO;
  TPMS_CAPABILITY_DATA* data = nullptr;
  if (Esys_GetCapability(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, TPM2_TRANSIENT_FIRST,
                         TPM2_MAX_CAP_HANDLES, &more, &data) != TSS2_RC_SUCCESS) {
    return;
  }
  uint32_t flushed = 0;
  for (uint32_t i = 0; i < data->data.handles.count; ++i) {
    ESYS_TR tr = ESYS_TR_NONE;
    if (Esys_TR_FromTPMPublic(esys_, data->data.handles.handle[i], ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr) ==
            TSS2_RC_SUCCESS &&
        Esys_FlushContext(esys_, tr) == TSS2_RC_SUCCESS) {
      ++flushed;
    }
  }
  Esys_Free(data);
  spdlog::warn(
      "TPM provider: flushed {} transient object(s) left loaded (the slots were full: a crashed run, or another "
      "program using the TPM without a resource manager; or a destroyed key could not be flushed while the TPM was "
      "unreachable)",
      flushed);
}

Status TpmDevice::ensure_connected_locked(const char* what) {
  if (esys_ && !broken_) {
    return Status::Success;
  }
  if (esys_) {
    drop_locked(false);
  }
  const auto now = std::chrono::steady_clock::now();
  if (down_ && now - last_attempt_ < kRetryInterval) {
    spdlog::debug("TPM provider: {} not attempted: the TPM is unreachable", what);
    return Status::PsaErrorCommunicationFailure;
  }
  last_attempt_ = now;
  std::string stage;
  const TSS2_RC rc = connect_locked(stage);
  if (rc == TSS2_RC_SUCCESS) {
    if (down_) {
      const double secs = std::chrono::duration<double>(now - down_since_).count();
      spdlog::info(
          "TPM provider: the TPM answers again after {:.1f} s; reconnected and re-created the storage "
          "primary key",
          secs);
      down_ = false;
    }
    return Status::Success;
  }
  if (!down_) {
    down_ = true;
    down_since_ = now;
    const std::string hint = connect_hint(rc);
    const bool unreachable = is_communication_error(rc);
    spdlog::error("TPM provider: {} ({} failed: {}{}{}); requests answer {} until it {}",
                  unreachable ? "the TPM is unreachable" : "the TPM refuses the provider", stage, rc_text(rc),
                  hint.empty() ? "" : "; ", hint,
                  unreachable ? "PsaErrorCommunicationFailure" : status_name(rc_to_status(rc, TpmCall::Connect)),
                  unreachable ? "answers again" : "accepts it again");
  } else {
    spdlog::debug("TPM provider: reconnection failed: {} failed: {}", stage, rc_text(rc));
  }
  return is_communication_error(rc) ? Status::PsaErrorCommunicationFailure : rc_to_status(rc, TpmCall::Connect);
}

Status TpmDevice::run(TpmCall call, const char* what, const std::function<TSS2_RC(Esys&)>& fn) {
  std::lock_guard lock(mu_);
  bool reconnected = false;
  bool sessions_freed = false;
  int transient_retries = 0;
  for (;;) {
    const Status s = ensure_connected_locked(what);
    if (s != Status::Success) {
      return s;
    }
    Esys e(*this, esys_, primary_);
    pinned_.clear();
    const TSS2_RC rc = fn(e);
    pinned_.clear();
    if (esys_ && !broken_) {
      // What the operation loaded for itself and did not flush (a destroyed
      // key served once by hot_key).
      while (!temps_.empty()) {
        e.flush(temps_.back());
      }
    }
    if (rc == TSS2_RC_SUCCESS) {
      return Status::Success;
    }
    if (esys_ && !broken_ && !is_communication_error(rc) && !is_reset(rc)) {
      // A failed command may have left the shared session out of step with
      // the TPM (nonces): start a new one next time.
      e.drop_shared_session();
    }
    if (is_transient(rc) && transient_retries < kMaxTransientRetries) {
      ++transient_retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * transient_retries));
      continue;
    }
    const TSS2_RC base = tpm_base_code(rc);
    if (!sessions_freed && !is_communication_error(rc) && base == TPM2_RC_SESSION_MEMORY) {
      sessions_freed = true;  // the shared session was dropped above
      continue;
    }
    const bool lost = is_communication_error(rc) || broken_;
    const bool reset = is_reset(rc);
    const bool full = !is_communication_error(rc) && base == TPM2_RC_OBJECT_MEMORY;
    if (!reconnected && (lost || reset || full)) {
      // Lost connection: reconnect. TPM restarted under us (our primary
      // key's or a hot key's handle is gone, or it needs TPM2_Startup):
      // reconnect, which starts it, re-creates the primary key and drops the
      // hot keys; the operation reloads its key. Slots full: flush them.
      spdlog::info("TPM provider: {}: {}; reconnecting to the TPM", what,
                   lost    ? "the connection to the TPM was lost (" + rc_text(rc) + ")"
                   : reset ? "the TPM was restarted (" + rc_text(rc) + ")"
                           : "the TPM's object slots are full (" + rc_text(rc) + ")");
      drop_locked(full);
      broken_ = false;
      flush_transients_ = flush_transients_ || full;
      reconnected = true;
      last_attempt_ = {};
      continue;
    }
    if (lost) {
      broken_ = true;
    }
    const Status mapped = rc_to_status(rc, call);
    spdlog::debug("TPM provider: {} failed: {} -> {}", what, rc_text(rc), status_name(mapped));
    return mapped;
  }
}

TPM2B_NAME TpmDevice::primary_name() {
  std::lock_guard lock(mu_);
  return primary_name_;
}

}  // namespace parsec::provider::tpm
