// The TPM provider: the Provider interface over TpmDevice (connection, lock,
// recovery) and tpm_convert (contract <-> TPM structures).
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "parsec/interface/secret.h"
#include "parsec/provider/registry.h"
#include "parsec/provider/tpm.h"
#include "providers/tpm/src/key_blob.h"
#include "providers/tpm/src/tpm_config.h"
#include "providers/tpm/src/tpm_convert.h"
#include "providers/tpm/src/tpm_device.h"
#include "providers/tpm/src/tpm_rc.h"

namespace parsec::provider {
namespace tpm {
namespace {

// kAuthSize: a key's userAuth is as long as its name algorithm's digest.
constexpr size_t kAuthSize = 32;
// GetRandom returns at most one digest's worth per command; the lock is given
// up after this many commands so a large request does not stall signers.
constexpr size_t kRandomCommandsPerLock = 64;

Result<SecretBytes> random_secret(size_t n) {
  SecretBytes b(n);  // wiped on every path, a partial fill included
  size_t off = 0;
  while (off < n) {
    const ssize_t got = ::getrandom(b.data() + off, n - off, 0);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Status::PsaErrorInsufficientEntropy;
    }
    off += static_cast<size_t>(got);
  }
  return b;
}

// inner_wrap builds the inner-wrapped duplicate of `imp` under the AES-128
// key `key` (TPM 2.0 Part 1, 23.3.2.3; nameAlg SHA-256).
Outcome inner_wrap(const PrivateImport& imp, const SecretBytes& key, TPM2B_PRIVATE& out) {
  if (imp.pub.publicArea.nameAlg != TPM2_ALG_SHA256) {
    return Failure(Status::PsaErrorNotSupported, "imported keys are named with SHA-256");
  }
  // name = nameAlg || SHA-256(TPMT_PUBLIC)
  uint8_t pub[sizeof(TPMT_PUBLIC)];
  size_t pub_len = 0;
  if (Tss2_MU_TPMT_PUBLIC_Marshal(&imp.pub.publicArea, pub, sizeof pub, &pub_len) != TSS2_RC_SUCCESS) {
    return Failure(Status::PsaErrorInvalidArgument, "the public area cannot be marshalled");
  }
  uint8_t name[2 + SHA256_DIGEST_LENGTH] = {0x00, 0x0B};
  unsigned int md_len = 0;
  if (EVP_Digest(pub, pub_len, name + 2, &md_len, EVP_sha256(), nullptr) != 1) {
    return Failure(Status::PsaErrorGenericError, "SHA-256 failed");
  }
  // plain = TPM2B(innerIntegrity) || TPM2B_SENSITIVE
  SecretBytes plain(2 + SHA256_DIGEST_LENGTH + sizeof(TPM2B_SENSITIVE));
  TPM2B_SENSITIVE sens{};
  sens.sensitiveArea = imp.sensitive;
  size_t off = 2 + SHA256_DIGEST_LENGTH;
  const TSS2_RC mrc = Tss2_MU_TPM2B_SENSITIVE_Marshal(&sens, plain.data(), plain.size(), &off);
  wipe_pod(sens);
  if (mrc != TSS2_RC_SUCCESS) {
    return Failure(Status::PsaErrorInvalidArgument, "the private key cannot be marshalled");
  }
  const size_t sens_off = 2 + SHA256_DIGEST_LENGTH;
  EVP_MD_CTX* h = EVP_MD_CTX_new();
  bool hashed = h && EVP_DigestInit_ex(h, EVP_sha256(), nullptr) == 1 &&
                EVP_DigestUpdate(h, plain.data() + sens_off, off - sens_off) == 1 &&
                EVP_DigestUpdate(h, name, sizeof name) == 1 && EVP_DigestFinal_ex(h, plain.data() + 2, &md_len) == 1;
  EVP_MD_CTX_free(h);  // clears the context
  if (!hashed) {
    return Failure(Status::PsaErrorGenericError, "SHA-256 failed");
  }
  plain.data()[0] = 0;
  plain.data()[1] = SHA256_DIGEST_LENGTH;
  if (off > sizeof out.buffer) {
    return Failure(Status::PsaErrorInvalidArgument, "the private key is too large to import");
  }
  const uint8_t iv[16] = {};
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int n1 = 0;
  int n2 = 0;
  bool ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), nullptr, key.data(), iv) == 1 &&
            EVP_EncryptUpdate(c, out.buffer, &n1, plain.data(), static_cast<int>(off)) == 1 &&
            EVP_EncryptFinal_ex(c, out.buffer + n1, &n2) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!ok) {
    return Failure(Status::PsaErrorGenericError, "AES-128-CFB for the import wrapper failed");
  }
  out.size = static_cast<UINT16>(n1 + n2);
  return Status::Success;
}

// fill_2b copies a byte buffer (Bytes or SecretBytes) into a TPM2B.
template <typename T2B, typename Buffer>
bool fill_2b(T2B& dst, const Buffer& src) {
  if (src.size() > sizeof dst.buffer) {
    return false;
  }
  dst.size = static_cast<UINT16>(src.size());
  if (src.size() > 0) {
    std::memcpy(dst.buffer, src.data(), src.size());
  }
  return true;
}

template <typename T2B>
bool fill_2b(T2B& dst, const uint8_t* src, size_t size) {
  if (size > sizeof dst.buffer) {
    return false;
  }
  dst.size = static_cast<UINT16>(size);
  std::memcpy(dst.buffer, src, size);
  return true;
}

// EsysPtr frees ESYS output structures.
template <typename T>
struct EsysPtr {
  T* p = nullptr;
  EsysPtr() = default;
  EsysPtr(const EsysPtr&) = delete;
  EsysPtr& operator=(const EsysPtr&) = delete;
  ~EsysPtr() { reset(); }
  void reset() {
    if (p) {
      Esys_Free(p);
      p = nullptr;
    }
  }
  T** out() {
    reset();
    return &p;
  }
};

// rsa_modulus_bytes of a public area.
size_t modulus_bytes(const TPMT_PUBLIC& pub) {
  return pub.unique.rsa.size;
}

class TpmProvider final : public Provider {
 public:
  explicit TpmProvider(std::unique_ptr<TpmDevice> dev) : dev_(std::move(dev)) {}

  ProviderInfo info() const override {
    ProviderInfo i;
    i.id = ProviderId::Tpm;
    i.uuid = "1e4954a4-ff21-46d3-ab0c-661eeb667e1d";
    i.description =
        "TPM provider, interfacing with a library implementing the TCG TSS 2.0 Enhanced System API specification.";
    i.vendor = "Trusted Computing Group (TCG)";
    i.version_maj = 0;
    i.version_min = 1;
    i.version_rev = 0;
    return i;
  }

  std::vector<Opcode> opcodes() const override {
    return {Opcode::PsaGenerateKey,        Opcode::PsaDestroyKey,        Opcode::PsaSignHash,
            Opcode::PsaVerifyHash,         Opcode::PsaImportKey,         Opcode::PsaExportPublicKey,
            Opcode::PsaAsymmetricEncrypt,  Opcode::PsaAsymmetricDecrypt, Opcode::PsaGenerateRandom,
            Opcode::PsaSignMessage,        Opcode::PsaVerifyMessage,     Opcode::AttestKey,
            Opcode::PrepareKeyAttestation, Opcode::CanDoCrypto};
  }

  // ---- key lifecycle ------------------------------------------------------------------

  Result<CreatedKey> generate_key(const KeyAttributes& attrs, StorageTxn&) override {
    auto tmpl = key_pair_template(attrs);
    if (!tmpl.ok()) {
      return tmpl.status();
    }
    auto auth = random_secret(kAuthSize);
    if (!auth.ok()) {
      return auth.status();
    }
    KeyBlob blob;
    blob.kind = BlobKind::KeyPair;
    TPM2B_SENSITIVE_CREATE sensitive{};
    fill_2b(sensitive.sensitive.userAuth, auth->data(), auth->size());
    fill_2b(blob.auth, auth->data(), auth->size());
    const TPM2B_DATA outside{};
    const TPML_PCR_SELECTION pcrs{};
    const Status s = dev_->run(TpmCall::Create, "PsaGenerateKey", [&](Esys& e) -> TSS2_RC {
      EsysPtr<TPM2B_PRIVATE> priv;
      EsysPtr<TPM2B_PUBLIC> pub;
      // The new key's auth value is in inSensitive, the first parameter.
      Loaded session(e);
      TSS2_RC rc = e.salted_session(TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT, session.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      rc = Esys_Create(e.ctx(), e.primary(), session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &*tmpl, &outside,
                       &pcrs, priv.out(), pub.out(), nullptr, nullptr, nullptr);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      blob.priv = *priv.p;
      blob.pub = *pub.p;
      return parent_name(e, blob.parent);
    });
    wipe_pod(sensitive);
    if (s != Status::Success) {
      return s;
    }
    return created(attrs, blob);
  }

  Result<CreatedKey> import_key(const KeyAttributes& attrs, const SecretBytes& data, StorageTxn&) override {
    const psa::KeyType t = attrs.type;
    if (t == psa::KeyType::RsaPublicKey || t == psa::KeyType::EccPublicKey) {
      return import_public(attrs, data.bytes());  // a public key is no secret
    }
    if (t == psa::KeyType::RsaKeyPair || t == psa::KeyType::EccKeyPair) {
      return import_pair(attrs, data);
    }
    return Status::PsaErrorNotSupported;
  }

  // The key store's blob is the whole key; the TPM holds a copy only while
  // the key is hot, so abandoning or destroying a key flushes that copy and
  // keeps the key from becoming hot again.
  void abandon_key(const CreatedKey& key) override { dev_->forget_key(key.key_ref); }
  Outcome destroy_key(const StoredKey&, StorageTxn&) override { return Status::Success; }
  void finish_destroy(const StoredKey& key) override { dev_->forget_key(key.key_ref); }

  Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs) override {
    // Mappings are never dropped here: a key whose storage key differs may
    // come back with the right TPM (a wrong tcti setting, for example).
    const TPM2B_NAME current = dev_->primary_name();
    size_t foreign = 0;
    size_t corrupt = 0;
    for (const Bytes& ref : mapped_refs) {
      auto blob = decode_blob(ref);
      if (!blob.ok()) {
        ++corrupt;
      } else if (blob->kind == BlobKind::KeyPair && (blob->parent.size != current.size ||
                                                     std::memcmp(blob->parent.name, current.name, current.size) != 0)) {
        ++foreign;
      }
    }
    if (foreign > 0) {
      spdlog::warn(
          "TPM provider: {} of {} stored key(s) were created under another storage primary key (the TPM was "
          "cleared, or this is another TPM); they cannot be used with this TPM",
          foreign, mapped_refs.size());
    }
    if (corrupt > 0) {
      spdlog::warn("TPM provider: {} stored key reference(s) are unreadable", corrupt);
    }
    return std::vector<Bytes>{};
  }

  Result<Bytes> export_public_key(const StoredKey& key) override {
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    return export_public(blob->pub.publicArea);
  }

  // ---- signatures -----------------------------------------------------------------------

  Result<Bytes> sign_hash(const StoredKey& key, const psa::op::SignHash& op) override {
    return sign(key, op.alg, op.hash, "PsaSignHash");
  }

  Outcome verify_hash(const StoredKey& key, const psa::op::VerifyHash& op) override {
    return verify(key, op.alg, op.hash, op.signature, "PsaVerifyHash");
  }

  Result<Bytes> sign_message(const StoredKey& key, const psa::op::SignMessage& op) override {
    auto d = message_digest(op.alg, op.message);
    if (!d.ok()) {
      return d.status();
    }
    return sign(key, op.alg, *d, "PsaSignMessage");
  }

  Outcome verify_message(const StoredKey& key, const psa::op::VerifyMessage& op) override {
    auto d = message_digest(op.alg, op.message);
    if (!d.ok()) {
      return d.status();
    }
    return verify(key, op.alg, *d, op.signature, "PsaVerifyMessage");
  }

  // ---- encryption -----------------------------------------------------------------------

  Result<Bytes> asymmetric_encrypt(const StoredKey& key, const psa::op::AsymmetricEncrypt& op) override {
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    const TPMT_PUBLIC& pub = blob->pub.publicArea;
    if (pub.type != TPM2_ALG_RSA) {
      return Status::PsaErrorNotPermitted;
    }
    auto scheme = decrypt_scheme(op.alg);
    if (!scheme.ok()) {
      return scheme.status();
    }
    TPM2B_PUBLIC_KEY_RSA message{};
    TPM2B_DATA label{};
    TPMT_RSA_DECRYPT tpm_scheme = *scheme;
    if (scheme->scheme == TPM2_ALG_OAEP && !(tpm_label_ok(op.salt) && fill_2b(label, op.salt))) {
      // A label the TPM cannot take: OAEP-encode here, raw RSA in the TPM.
      // The encoded message (a SecretBytes) is wiped at the end of this block.
      auto em = oaep_pad(scheme->details.oaep.hashAlg, op.salt, op.plaintext, modulus_bytes(pub));
      if (!em.ok()) {
        return em.status();
      }
      fill_2b(message, *em);
      tpm_scheme.scheme = TPM2_ALG_NULL;
      label.size = 0;
    } else if (!fill_2b(message, op.plaintext)) {
      return Status::PsaErrorInvalidArgument;
    }
    Bytes out;
    const Status s = dev_->run(TpmCall::Encrypt, "PsaAsymmetricEncrypt", [&](Esys& e) -> TSS2_RC {
      Loaded k(e);
      TSS2_RC rc = e.load_public(blob->pub, TPMA_OBJECT_DECRYPT, k.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      EsysPtr<TPM2B_PUBLIC_KEY_RSA> c;
      // No auth here, but the plaintext (the first parameter) is sensitive:
      // a salted session encrypts it on the TCTI.
      Loaded session(e);
      rc = e.salted_session(TPMA_SESSION_DECRYPT, session.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      rc = Esys_RSA_Encrypt(e.ctx(), k.handle, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &message, &tpm_scheme,
                            &label, c.out());
      if (rc == TSS2_RC_SUCCESS) {
        out.assign(c.p->buffer, c.p->buffer + c.p->size);
      }
      return rc;
    });
    wipe_pod(message);
    if (s != Status::Success) {
      return s;
    }
    // The TPM may drop leading zero bytes; PSA ciphertexts are modulus-sized.
    if (out.size() < modulus_bytes(pub)) {
      out.insert(out.begin(), modulus_bytes(pub) - out.size(), 0);
    }
    return out;
  }

  Result<SecretBytes> asymmetric_decrypt(const StoredKey& key, const psa::op::AsymmetricDecrypt& op) override {
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    const TPMT_PUBLIC& pub = blob->pub.publicArea;
    if (pub.type != TPM2_ALG_RSA || blob->kind != BlobKind::KeyPair) {
      return Status::PsaErrorNotPermitted;
    }
    if (dev_->destroyed(key.key_ref)) {
      return Status::PsaErrorDoesNotExist;
    }
    auto scheme = decrypt_scheme(op.alg);
    if (!scheme.ok()) {
      return scheme.status();
    }
    if (op.ciphertext.size() != modulus_bytes(pub)) {
      return Status::PsaErrorInvalidArgument;
    }
    TPM2B_PUBLIC_KEY_RSA cipher{};
    fill_2b(cipher, op.ciphertext);
    TPM2B_DATA label{};
    TPMT_RSA_DECRYPT tpm_scheme = *scheme;
    const bool raw = scheme->scheme == TPM2_ALG_OAEP && !(tpm_label_ok(op.salt) && fill_2b(label, op.salt));
    if (raw) {
      tpm_scheme.scheme = TPM2_ALG_NULL;
      label.size = 0;
    }
    SecretBytes result;
    const Status s = dev_->run(TpmCall::Decrypt, "PsaAsymmetricDecrypt", [&](Esys& e) -> TSS2_RC {
      ESYS_TR k = ESYS_TR_NONE;
      TSS2_RC rc = e.hot_key(key.key_ref, *blob, k);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      EsysPtr<TPM2B_PUBLIC_KEY_RSA> m;
      // The key's auth by HMAC; the recovered plaintext (the response's
      // first parameter) encrypted on the way back.
      ESYS_TR session = ESYS_TR_NONE;
      rc = e.shared_session(TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT, session);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      rc = Esys_RSA_Decrypt(e.ctx(), k, session, ESYS_TR_NONE, ESYS_TR_NONE, &cipher, &tpm_scheme, &label, m.out());
      if (rc == TSS2_RC_SUCCESS) {
        result = SecretBytes(m.p->buffer, m.p->size);
        wipe_pod(*m.p);
      } else if (tpm_base_code(rc) == TPM2_RC_FAILURE && self_test_passes(e)) {
        // libtpms on OpenSSL 3 answers a bad padding or OAEP label with
        // TPM_RC_FAILURE without entering failure mode: if the TPM's self
        // test result is clean, the ciphertext was at fault.
        rc = TPM2_RC_VALUE;
      }
      return rc;
    });
    if (s != Status::Success) {
      return s;
    }
    if (raw) {
      return oaep_unpad(scheme->details.oaep.hashAlg, op.salt, result.data(), result.size(), modulus_bytes(pub));
    }
    return result;
  }

  // ---- random ---------------------------------------------------------------------------

  Result<SecretBytes> generate_random(const psa::op::GenerateRandom& op) override {
    const uint64_t size = op.size;
    // Allocated once at its final size (no reallocation leaves a copy behind)
    // and wiped on every path.
    SecretBytes out(static_cast<size_t>(size));
    size_t filled = 0;
    while (filled < size) {
      const Status s = dev_->run(TpmCall::Random, "PsaGenerateRandom", [&](Esys& e) -> TSS2_RC {
        for (size_t i = 0; i < kRandomCommandsPerLock && filled < size; ++i) {
          const size_t want = std::min<uint64_t>(size - filled, sizeof(TPMU_HA));
          EsysPtr<TPM2B_DIGEST> r;
          TSS2_RC rc =
              Esys_GetRandom(e.ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, static_cast<UINT16>(want), r.out());
          if (rc != TSS2_RC_SUCCESS) {
            return rc;
          }
          const size_t got = std::min<size_t>(r.p->size, want);
          if (got > 0) {
            std::memcpy(out.data() + filled, r.p->buffer, got);
          }
          filled += got;
          wipe_pod(*r.p);
          if (got == 0) {
            return TPM2_RC_NO_RESULT;
          }
        }
        return TSS2_RC_SUCCESS;
      });
      if (s != Status::Success) {
        return s;
      }
    }
    return out;
  }

  Outcome can_do_crypto(const psa::op::CanDoCrypto& op) override { return can_do(op); }

  // ---- attestation ----------------------------------------------------------------------

  Result<psa::AttestedCredential> attest_key(const StoredKey& key, const psa::op::AttestKey& op) override {
    if (!op.attesting_key_name.empty()) {
      return Status::PsaErrorNotSupported;
    }
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    if (blob->kind != BlobKind::KeyPair) {
      return Status::PsaErrorInvalidArgument;
    }
    TPM2B_ID_OBJECT credential{};
    TPM2B_ENCRYPTED_SECRET secret{};
    const Bytes& cb = op.credential_blob;
    const Bytes& sb = op.secret;
    if (cb.empty() || sb.empty() || cb.size() > sizeof credential.credential || sb.size() > sizeof secret.secret) {
      return Status::PsaErrorInvalidArgument;
    }
    credential.size = static_cast<UINT16>(cb.size());
    std::memcpy(credential.credential, cb.data(), cb.size());
    secret.size = static_cast<UINT16>(sb.size());
    std::memcpy(secret.secret, sb.data(), sb.size());
    SecretBytes recovered;
    const Status s = dev_->run(TpmCall::Attest, "AttestKey", [&](Esys& e) -> TSS2_RC {
      // Three sessions at once below: as many as swtpm can hold.
      e.drop_shared_session();
      Loaded k(e);
      TSS2_RC rc = e.load(*blob, k.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      Loaded ek(e);
      rc = e.endorsement_key(ek.handle, nullptr);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      // The endorsement key is authorised by policy: PolicySecret with the
      // endorsement hierarchy's password.
      Loaded session(e);
      const TPMT_SYM_DEF sym{TPM2_ALG_NULL, {}, {}};
      rc = Esys_StartAuthSession(e.ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                 TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &session.handle);
      if (rc != TSS2_RC_SUCCESS) {
        session.handle = ESYS_TR_NONE;
        return rc;
      }
      {
        // The endorsement hierarchy's auth by HMAC, never in clear.
        Loaded hmac(e);
        rc = e.salted_session(0, hmac.handle);
        if (rc == TSS2_RC_SUCCESS) {
          rc = e.set_endorsement_auth();
        }
        if (rc == TSS2_RC_SUCCESS) {
          rc = Esys_PolicySecret(e.ctx(), ESYS_TR_RH_ENDORSEMENT, session.handle, hmac.handle, ESYS_TR_NONE,
                                 ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
        }
        e.clear_endorsement_auth();
      }
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      EsysPtr<TPM2B_DIGEST> info;
      // The key's auth by HMAC; the credential blob in and the recovered
      // secret out are encrypted.
      Loaded key_session(e);
      rc = e.salted_session(TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT, key_session.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      rc = Esys_ActivateCredential(e.ctx(), k.handle, ek.handle, key_session.handle, session.handle, ESYS_TR_NONE,
                                   &credential, &secret, info.out());
      if (rc == TSS2_RC_SUCCESS) {
        recovered = SecretBytes(info.p->buffer, info.p->size);
        wipe_pod(*info.p);
      }
      return rc;
    });
    if (s != Status::Success) {
      return s;
    }
    return recovered;
  }

  Result<psa::PreparedAttestation> prepare_key_attestation(const StoredKey& key,
                                                           const psa::op::PrepareKeyAttestation& op) override {
    if (!op.attesting_key_name.empty()) {
      return Status::PsaErrorNotSupported;
    }
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    if (blob->kind != BlobKind::KeyPair) {
      return Status::PsaErrorInvalidArgument;
    }
    auto name = object_name(blob->pub.publicArea);
    auto area = marshal_public_area(blob->pub.publicArea);
    if (!name.ok() || !area.ok()) {
      return Status::PsaErrorDataCorrupt;
    }
    auto ek = endorsement_public();
    if (!ek.ok()) {
      return ek.status();
    }
    psa::PreparedAttestation r;
    r.name = std::move(*name);
    r.public_area = std::move(*area);
    r.attesting_key_public = std::move(*ek);
    return r;
  }

 private:
  // self_test_passes: TPM2_GetTestResult reports no failure.
  static bool self_test_passes(Esys& e) {
    EsysPtr<TPM2B_MAX_BUFFER> data;
    TPM2_RC result = TPM2_RC_FAILURE;
    const TSS2_RC rc = Esys_GetTestResult(e.ctx(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, data.out(), &result);
    return rc == TSS2_RC_SUCCESS && result == TPM2_RC_SUCCESS;
  }

  static TSS2_RC parent_name(Esys& e, TPM2B_NAME& out) {
    TPM2B_NAME* name = nullptr;
    const TSS2_RC rc = Esys_TR_GetName(e.ctx(), e.primary(), &name);
    if (rc == TSS2_RC_SUCCESS) {
      out = *name;
      Esys_Free(name);
    }
    return rc;
  }

  static Result<CreatedKey> created(const KeyAttributes& attrs, const KeyBlob& blob) {
    auto ref = encode_blob(blob);
    if (!ref.ok()) {
      return ref.status();
    }
    CreatedKey k{std::move(*ref), attrs};
    k.attributes.bits = key_bits_of(blob.pub.publicArea);
    return k;
  }

  Result<CreatedKey> import_public(const KeyAttributes& attrs, const Bytes& data) {
    uint32_t bits = 0;
    auto pub = public_from_psa(attrs, data, bits);
    if (!pub.ok()) {
      return pub.status();
    }
    if (!policy_servable(attrs)) {
      return Status::PsaErrorNotSupported;
    }
    // Load it once: the TPM must be able to use this key (size, curve).
    const Status s = dev_->run(TpmCall::Import, "PsaImportKey", [&](Esys& e) -> TSS2_RC {
      Loaded k(e);
      return e.load_public(*pub, TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT, k.handle);
    });
    if (s != Status::Success) {
      return s;
    }
    KeyBlob blob;
    blob.kind = BlobKind::PublicKey;
    blob.pub = *pub;
    return created(attrs, blob);
  }

  Result<CreatedKey> import_pair(const KeyAttributes& attrs, const SecretBytes& data) {
    auto auth = random_secret(kAuthSize);
    auto seed = random_secret(kAuthSize);
    if (!auth.ok() || !seed.ok()) {
      return Status::PsaErrorInsufficientEntropy;
    }
    PrivateImport imp;
    PARSEC_TRY(private_from_psa(attrs, data, *auth, *seed, imp));
    // An inner duplication wrapper (TPM 2.0 Part 1, 23.3.2.3) keeps the
    // private key off the TCTI in clear: the duplicate is
    // AES-128-CFB(key, IV 0, TPM2B(innerIntegrity) || TPM2B_SENSITIVE) with
    // innerIntegrity = H(TPM2B_SENSITIVE || name), and the one-off AES key
    // travels as TPM2_Import's first parameter, which the salted session
    // encrypts. No outer wrapper (no seed): the parent is our own primary.
    auto wrap_key = random_secret(16);
    if (!wrap_key.ok()) {
      return Status::PsaErrorInsufficientEntropy;
    }
    TPM2B_PRIVATE duplicate{};
    PARSEC_TRY(inner_wrap(imp, *wrap_key, duplicate));
    KeyBlob blob;
    blob.kind = BlobKind::KeyPair;
    blob.pub = imp.pub;
    fill_2b(blob.auth, auth->data(), auth->size());
    TPM2B_DATA wrap{};
    fill_2b(wrap, wrap_key->data(), wrap_key->size());
    const TPM2B_ENCRYPTED_SECRET no_seed{};
    TPMT_SYM_DEF_OBJECT inner{};
    inner.algorithm = TPM2_ALG_AES;
    inner.keyBits.aes = 128;
    inner.mode.aes = TPM2_ALG_CFB;
    const Status s = dev_->run(TpmCall::Import, "PsaImportKey", [&](Esys& e) -> TSS2_RC {
      EsysPtr<TPM2B_PRIVATE> priv;
      Loaded session(e);
      TSS2_RC rc = e.salted_session(TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT, session.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      rc = Esys_Import(e.ctx(), e.primary(), session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &wrap, &imp.pub, &duplicate,
                       &no_seed, &inner, priv.out());
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      blob.priv = *priv.p;
      rc = parent_name(e, blob.parent);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      // Load it once: the TPM checks that the halves belong together.
      Loaded k(e);
      return e.load(blob, k.handle);
    });
    wipe_pod(duplicate);
    wipe_pod(wrap);
    if (s != Status::Success) {
      return s;
    }
    return created(attrs, blob);
  }

  Result<Bytes> message_digest(const Algorithm& alg, const Bytes& message) {
    auto h = message_hash(alg);
    if (!h.ok()) {
      return h.status();
    }
    auto th = tpm_hash(*h);
    if (!th.ok()) {
      return th.status();
    }
    return digest(*th, message.data(), message.size());
  }

  Result<Bytes> sign(const StoredKey& key, const Algorithm& alg, const Bytes& hash, const char* what) {
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    if (blob->kind != BlobKind::KeyPair) {
      return Status::PsaErrorInvalidArgument;
    }
    if (dev_->destroyed(key.key_ref)) {
      // Looked up before its destruction, arriving after: the key is gone.
      return Status::PsaErrorDoesNotExist;
    }
    auto plan = sign_plan(blob->pub.publicArea, alg, hash);
    if (!plan.ok()) {
      return plan.status();
    }
    TPMT_TK_HASHCHECK ticket{};
    ticket.tag = TPM2_ST_HASHCHECK;
    ticket.hierarchy = TPM2_RH_NULL;
    Bytes out;
    const Status s = dev_->run(TpmCall::Sign, what, [&](Esys& e) -> TSS2_RC {
      // The key stays loaded for the next signature (tpm_device.h).
      ESYS_TR k = ESYS_TR_NONE;
      TSS2_RC rc = e.hot_key(key.key_ref, *blob, k);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      // The key's auth by HMAC (tpm_device.h, sign_hot). The digest is no
      // secret: no parameter encryption.
      TPMT_SIGNATURE sig{};
      rc = e.sign_hot(k, blob->pub, blob->auth, plan->digest, plan->scheme, ticket, sig);
      if (rc == TSS2_RC_SUCCESS) {
        auto rendered = signature_to_psa(blob->pub.publicArea, sig);
        if (rendered.ok()) {
          out = std::move(*rendered);
        }
      }
      return rc;
    });
    if (s != Status::Success) {
      return s;
    }
    if (out.empty()) {
      return Status::PsaErrorGenericError;
    }
    return out;
  }

  Outcome verify(const StoredKey& key, const Algorithm& alg, const Bytes& hash, const Bytes& signature,
                 const char* what) {
    auto blob = decode_blob(key.key_ref);
    if (!blob.ok()) {
      return blob.status();
    }
    auto plan = sign_plan(blob->pub.publicArea, alg, hash);
    if (!plan.ok()) {
      return plan.status();
    }
    auto sig = signature_from_psa(blob->pub.publicArea, *plan, signature);
    if (!sig.ok()) {
      return sig.status();
    }
    return dev_->run(TpmCall::Verify, what, [&](Esys& e) -> TSS2_RC {
      Loaded k(e);
      TSS2_RC rc = e.load_public(blob->pub, TPMA_OBJECT_SIGN_ENCRYPT, k.handle);
      if (rc != TSS2_RC_SUCCESS) {
        return rc;
      }
      EsysPtr<TPMT_TK_VERIFIED> ticket;
      return Esys_VerifySignature(e.ctx(), k.handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &plan->digest, &*sig,
                                  ticket.out());
    });
  }

  // endorsement_public returns the endorsement key's public part in the PSA
  // format, created once and cached (it is the same key every time).
  Result<Bytes> endorsement_public() {
    {
      std::lock_guard lock(ek_mu_);
      if (!ek_public_.empty()) {
        return ek_public_;
      }
    }
    TPM2B_PUBLIC ek{};
    const Status s = dev_->run(TpmCall::Attest, "PrepareKeyAttestation", [&](Esys& e) -> TSS2_RC {
      Loaded h(e);
      EsysPtr<TPM2B_PUBLIC> pub;
      TSS2_RC rc = e.endorsement_key(h.handle, pub.out());
      if (rc == TSS2_RC_SUCCESS) {
        ek = *pub.p;
      }
      return rc;
    });
    if (s != Status::Success) {
      return s;
    }
    auto rendered = export_public(ek.publicArea);
    if (!rendered.ok()) {
      return rendered.status();
    }
    std::lock_guard lock(ek_mu_);
    ek_public_ = *rendered;
    return ek_public_;
  }

  std::unique_ptr<TpmDevice> dev_;
  std::mutex ek_mu_;
  Bytes ek_public_;
};

}  // namespace
}  // namespace tpm

namespace tpm {
namespace {

Result<Made> create(const ProviderContext& ctx) {
  // The TSS libraries print every failed command on stderr unless told not
  // to; the provider reports failures itself. An operator's TSS2_LOG wins.
  ::setenv("TSS2_LOG", "all+none", 0);
  auto cfg = parse_config(ctx.settings);
  if (!cfg.ok()) {
    return cfg.failure();
  }
  const bool skip = cfg->skip_if_no_tpm;
  TSS2_RC rc = TSS2_RC_SUCCESS;
  auto dev = TpmDevice::open(std::move(*cfg), rc);
  if (!dev.ok()) {
    if (is_communication_error(rc) && skip) {
      return Made::not_available(dev.detail() + "; provider skipped (skip_if_no_tpm = true)");
    }
    return dev.failure();
  }
  return Made::available(std::make_unique<TpmProvider>(std::move(*dev)));
}

}  // namespace
}  // namespace tpm

ProviderFactory tpm_factory() {
  ProviderFactory f;
  f.type_name = "Tpm";
  f.id = ProviderId::Tpm;
  // Parsing only: no TCTI is opened, so `parsecd --check` works without a TPM.
  f.check_settings = [](const Settings& settings) -> Outcome {
    auto cfg = tpm::parse_config(settings);
    if (!cfg.ok()) {
      return cfg.failure();
    }
    return Status::Success;
  };
  f.create = tpm::create;
  return f;
}

}  // namespace parsec::provider
