#include "providers/tpm/src/tpm_device.h"

#include <spdlog/spdlog.h>
#include <tss2/tss2_tctildr.h>

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
  TSS2_RC rc = Esys_Load(ctx_, primary_, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &blob.priv, &blob.pub, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
    return rc;
  }
  rc = Esys_TR_SetAuth(ctx_, out, &blob.auth);
  if (rc != TSS2_RC_SUCCESS) {
    flush(out);
    out = ESYS_TR_NONE;
  }
  return rc;
}

TSS2_RC Esys::load_public(const TPM2B_PUBLIC& pub, TPMA_OBJECT usage, ESYS_TR& out) {
  TPM2B_PUBLIC p = pub;
  // Only the public part is loaded: the attributes need not match the key's
  // (the name does not matter here), just allow the operation.
  p.publicArea.objectAttributes = TPMA_OBJECT_USERWITHAUTH | usage;
  p.publicArea.authPolicy.size = 0;
  p.size = 0;
  out = ESYS_TR_NONE;
  TSS2_RC rc = Esys_LoadExternal(ctx_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr, &p, ESYS_TR_RH_NULL, &out);
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
  }
  return rc;
}

void Esys::flush(ESYS_TR handle) {
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
  rc = Esys_CreatePrimary(ctx_, ESYS_TR_RH_ENDORSEMENT, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl,
                          &outside, &pcrs, &out, pub, nullptr, nullptr, nullptr);
  clear_endorsement_auth();
  if (rc != TSS2_RC_SUCCESS) {
    out = ESYS_TR_NONE;
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
      "TPM provider: the TPM's transient object slots were full; flushed {} object(s) left loaded (by a crashed "
      "run, or another program using the TPM without a resource manager)",
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
  int transient_retries = 0;
  for (;;) {
    const Status s = ensure_connected_locked(what);
    if (s != Status::Success) {
      return s;
    }
    Esys e(*this, esys_, primary_);
    const TSS2_RC rc = fn(e);
    if (rc == TSS2_RC_SUCCESS) {
      return Status::Success;
    }
    if (is_transient(rc) && transient_retries < kMaxTransientRetries) {
      ++transient_retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * transient_retries));
      continue;
    }
    const TSS2_RC base = tpm_base_code(rc);
    const bool lost = is_communication_error(rc) || broken_;
    const bool reset = !is_communication_error(rc) &&
                       (base == TPM2_RC_INITIALIZE || base == TPM2_RC_HANDLE || base == TPM2_RC_REFERENCE_H0);
    const bool full = !is_communication_error(rc) && base == TPM2_RC_OBJECT_MEMORY;
    if (!reconnected && (lost || reset || full)) {
      // Lost connection: reconnect. TPM restarted under us (our primary
      // key's handle is gone, or it needs TPM2_Startup): reconnect, which
      // starts it and re-creates the primary key. Slots full: flush them.
      spdlog::info("TPM provider: {}: {}; reconnecting to the TPM", what,
                   lost    ? "the connection to the TPM was lost (" + rc_text(rc) + ")"
                   : reset ? "the TPM was restarted (" + rc_text(rc) + ")"
                           : "the TPM's object slots are full (" + rc_text(rc) + ")");
      drop_locked(full);
      broken_ = false;
      flush_transients_ = full;
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
