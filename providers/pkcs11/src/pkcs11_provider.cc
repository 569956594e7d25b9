// The PKCS #11 provider: keys as token objects, operations on pooled
// sessions, public-key operations optionally in software.
#include "parsec/provider/pkcs11.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "parsec/crypto/import.h"
#include "providers/pkcs11/src/ckr.h"
#include "providers/pkcs11/src/config.h"
#include "providers/pkcs11/src/mechanisms.h"
#include "providers/pkcs11/src/module.h"
#include "providers/pkcs11/src/objects.h"
#include "providers/pkcs11/src/session_pool.h"
#include "providers/pkcs11/src/soft_crypto.h"

namespace parsec::provider {
namespace pkcs11 {
namespace {

using psa::AlgorithmKind;
using psa::Hash;

// The provider's blob in the key store: the tag that marks this store's
// objects on the token.
constexpr uint64_t kStoreTagUid = 1;
constexpr size_t kStoreTagLen = 8;
constexpr size_t kIdLen = 16;
constexpr const char* kLabelPrefix = "parsec-cpp:";
// Caches of object handles and public keys, per key reference.
constexpr size_t kHandleCacheMax = 16384;
constexpr size_t kPublicCacheMax = 4096;
const Bytes kRsaExponent = {0x01, 0x00, 0x01};

std::string as_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// expected_failure: outcomes of a caller's input, logged at debug level only.
bool expected_failure(CK_RV rv) {
  switch (rv) {
    case CKR_SIGNATURE_INVALID:
    case CKR_SIGNATURE_LEN_RANGE:
    case CKR_ENCRYPTED_DATA_INVALID:
    case CKR_ENCRYPTED_DATA_LEN_RANGE:
    case CKR_DATA_LEN_RANGE:
    case CKR_DATA_INVALID:
      return true;
    default:
      return false;
  }
}

// native_refusal: the token does not take this mechanism or its parameters
// (SoftHSM 2.6 takes OAEP only with SHA-1 and no label).
bool native_refusal(CK_RV rv) {
  return rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_ARGUMENTS_BAD;
}

uint32_t oaep_bit(Hash hash, bool labelled) {
  return 1u << ((static_cast<unsigned>(hash) & 15u) * 2 + (labelled ? 1 : 0));
}

// NamespaceLock marks one process as the user of a (token serial, store tag)
// namespace: an abstract Unix socket named after both is bound and listened
// on for the provider's lifetime. The kernel releases it when the process
// exits or is killed (no file is left behind), and a second process can ask
// the socket who holds it (SO_PEERCRED) for its message. Abstract sockets
// belong to a network namespace: daemons in different containers sharing one
// token are not seen (docs/pkcs11.md).
class NamespaceLock {
 public:
  NamespaceLock() = default;
  NamespaceLock(NamespaceLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  NamespaceLock& operator=(NamespaceLock&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~NamespaceLock() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  static Result<NamespaceLock> acquire(const std::string& serial, const Bytes& tag) {
    std::string name = "parsec-cpp/pkcs11/" + to_hex(Bytes(serial.begin(), serial.end())) + "/" + to_hex(tag);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    name = name.substr(0, sizeof addr.sun_path - 2);
    std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: abstract
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    NamespaceLock lock;
    lock.fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lock.fd_ < 0) {
      return Failure(Status::PsaErrorCommunicationFailure, std::string("socket: ") + std::strerror(errno));
    }
    if (::bind(lock.fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 && ::listen(lock.fd_, 1) == 0) {
      return lock;
    }
    if (errno != EADDRINUSE) {
      return Failure(Status::PsaErrorCommunicationFailure,
                     std::string("cannot claim the token's parsec-cpp namespace: ") + std::strerror(errno));
    }
    std::string holder = "another process";
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
      ucred cred{};
      socklen_t n = sizeof cred;
      if (::getsockopt(probe, SOL_SOCKET, SO_PEERCRED, &cred, &n) == 0 && cred.pid > 0) {
        holder = "pid " + std::to_string(cred.pid);
      }
    }
    if (probe >= 0) {
      ::close(probe);
    }
    return Failure(Status::PsaErrorCommunicationFailure,
                   "token serial " + serial + ": the parsec-cpp namespace of store tag " + to_hex(tag) +
                       " is in use by " + holder +
                       "; two parsecd must not serve one key store's keys on one token (is this key store a copy?)");
  }

 private:
  int fd_ = -1;
};

class Pkcs11Provider final : public Provider {
 public:
  Pkcs11Provider(std::string name, Pkcs11Config cfg, std::unique_ptr<SessionPool> pool, StorageReader* storage,
                 Bytes store_tag, bool tag_committed, std::set<CK_MECHANISM_TYPE> mechanisms)
      : name_(std::move(name)),
        cfg_(std::move(cfg)),
        pool_(std::move(pool)),
        storage_(storage),
        store_tag_(std::move(store_tag)),
        label_prefix_(std::string(kLabelPrefix) + to_hex(store_tag_) + ":"),
        tag_committed_(tag_committed),
        mechanisms_(std::move(mechanisms)) {
    // SoftHSM 2.6 quirks: it accepts OAEP decryption parameters with a label
    // and then ignores the label (labelled OAEP is decoded here after a raw
    // RSA decryption instead), and it answers CKR_GENERAL_ERROR where a
    // decryption finds bad padding (CKR_ENCRYPTED_DATA_INVALID).
    bool softhsm = pool_->module().manufacturer().rfind("SoftHSM", 0) == 0;
    oaep_label_ignored_ = softhsm;
    decrypt_failure_is_padding_ = softhsm;
  }

  void hold(NamespaceLock lock) { ns_lock_ = std::move(lock); }

  ProviderInfo info() const override {
    ProviderInfo i;
    i.id = ProviderId::Pkcs11;
    i.uuid = "30e39502-eba6-4d60-a4af-c518b7f5e38f";
    i.description = "PKCS #11 provider, interfacing with a PKCS #11 library.";
    i.vendor = "OASIS Standard.";
    i.version_maj = 0;
    i.version_min = 1;
    i.version_rev = 0;
    return i;
  }

  std::vector<Opcode> opcodes() const override {
    return {Opcode::PsaGenerateKey,       Opcode::PsaDestroyKey,      Opcode::PsaSignHash,
            Opcode::PsaVerifyHash,        Opcode::PsaSignMessage,     Opcode::PsaVerifyMessage,
            Opcode::PsaImportKey,         Opcode::PsaExportPublicKey, Opcode::PsaAsymmetricEncrypt,
            Opcode::PsaAsymmetricDecrypt, Opcode::PsaGenerateRandom,  Opcode::CanDoCrypto};
  }

  // ---- key lifecycle --------------------------------------------------------

  Result<CreatedKey> generate_key(const KeyAttributes& attributes, StorageTxn& txn) override {
    const psa::UsageFlags& flags = attributes.flags;
    if (flags.export_ && !cfg_.allow_export) {
      return Status::PsaErrorNotPermitted;
    }
    auto shape = key_shape(attributes, true);
    if (!shape || !shape->pair) {
      return Status::PsaErrorNotSupported;
    }
    if (shape->bits == 0) {
      return Status::PsaErrorInvalidArgument;
    }
    if (shape->rsa && !rsa_generate_bits_ok(shape->bits)) {
      return Status::PsaErrorNotSupported;
    }
    CK_MECHANISM_TYPE gen = shape->rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN;
    if (!has_mechanism(gen)) {
      return Status::PsaErrorNotSupported;
    }
    Bytes id = new_id();
    if (id.empty()) {
      return Status::PsaErrorInsufficientEntropy;
    }
    Template pub, priv;
    common_public(pub, id, flags);
    common_private(priv, id, flags);
    if (shape->rsa) {
      pub.ulong(CKA_MODULUS_BITS, shape->bits).bytes(CKA_PUBLIC_EXPONENT, kRsaExponent);
    } else {
      pub.bytes(CKA_EC_PARAMS, *ec_params(shape->bits));
    }
    CK_MECHANISM mech{gen, nullptr, 0};
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      std::unique_lock writes(token_writes_);
      CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
      return fn()->C_GenerateKeyPair(s, &mech, pub.data(), pub.size(), priv.data(), priv.size(), &hpub, &hpriv);
    });
    if (rv != CKR_OK) {
      return failed("C_GenerateKeyPair", rv);
    }
    stage_store_tag(txn);
    return CreatedKey{std::move(id), attributes};
  }

  Result<CreatedKey> import_key(const KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn) override {
    const psa::UsageFlags& flags = attributes.flags;
    if (flags.export_ && !cfg_.allow_export) {
      return Status::PsaErrorNotPermitted;
    }
    if (data.empty()) {
      return Status::PsaErrorInvalidArgument;
    }
    auto shape = key_shape(attributes, true);
    if (!shape) {
      return Status::PsaErrorNotSupported;
    }
    Bytes id = new_id();
    if (id.empty()) {
      return Status::PsaErrorInsufficientEntropy;
    }
    Template pub, priv;
    common_public(pub, id, flags);
    size_t bits = 0;
    if (shape->rsa && !shape->pair) {
      auto k = crypto::parse_rsa_public_key(data.data(), data.size());
      if (!k.ok()) {
        return Status::PsaErrorInvalidArgument;
      }
      bits = k->bits;
      pub.bytes(CKA_MODULUS, k->modulus).bytes(CKA_PUBLIC_EXPONENT, k->exponent);
    } else if (shape->rsa) {
      auto k = crypto::parse_rsa_private_key(data.data(), data.size());
      if (!k.ok() || !soft::rsa_key_consistent(k->modulus, k->prime1, k->prime2)) {
        return Status::PsaErrorInvalidArgument;
      }
      bits = k->bits;
      pub.bytes(CKA_MODULUS, k->modulus).bytes(CKA_PUBLIC_EXPONENT, k->public_exponent);
      common_private(priv, id, flags);
      priv.bytes(CKA_MODULUS, k->modulus)
          .bytes(CKA_PUBLIC_EXPONENT, k->public_exponent)
          .bytes(CKA_PRIVATE_EXPONENT, k->private_exponent)
          .bytes(CKA_PRIME_1, k->prime1)
          .bytes(CKA_PRIME_2, k->prime2)
          .bytes(CKA_EXPONENT_1, k->exponent1)
          .bytes(CKA_EXPONENT_2, k->exponent2)
          .bytes(CKA_COEFFICIENT, k->coefficient);
    } else if (!shape->pair) {
      const Bytes& point = data.bytes();  // a public key: nothing to wipe
      bits = point_bits(point.size());
      if (bits == 0 || (shape->bits != 0 && shape->bits != bits) || !soft::ec_point_valid(bits, point)) {
        return Status::PsaErrorInvalidArgument;
      }
      pub.bytes(CKA_EC_PARAMS, *ec_params(bits)).bytes(CKA_EC_POINT, crypto::octet_string(point));
    } else {
      bits = scalar_bits(data.size());
      if (bits == 0 || (shape->bits != 0 && shape->bits != bits)) {
        return Status::PsaErrorInvalidArgument;
      }
      auto point = soft::ec_public_point(bits, data);
      if (!point.ok()) {
        return point.status();
      }
      pub.bytes(CKA_EC_PARAMS, *ec_params(bits)).bytes(CKA_EC_POINT, crypto::octet_string(*point));
      common_private(priv, id, flags);
      priv.bytes(CKA_EC_PARAMS, *ec_params(bits)).bytes(CKA_VALUE, data);
    }
    if (shape->rsa && !rsa_import_bits_ok(bits)) {
      return Status::PsaErrorNotSupported;
    }
    if (shape->bits != 0 && shape->bits != bits) {
      return Status::PsaErrorInvalidArgument;
    }
    CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
    CK_KEY_TYPE kt = shape->rsa ? CKK_RSA : CKK_EC;
    pub.ulong(CKA_CLASS, pub_class).ulong(CKA_KEY_TYPE, kt);
    if (shape->pair) {
      priv.ulong(CKA_CLASS, priv_class).ulong(CKA_KEY_TYPE, kt);
    }
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      std::unique_lock writes(token_writes_);
      CK_OBJECT_HANDLE hpriv = CK_INVALID_HANDLE, hpub = CK_INVALID_HANDLE;
      if (shape->pair) {
        CK_RV r = fn()->C_CreateObject(s, priv.data(), priv.size(), &hpriv);
        if (r != CKR_OK) {
          return r;
        }
      }
      CK_RV r = fn()->C_CreateObject(s, pub.data(), pub.size(), &hpub);
      if (r != CKR_OK && hpriv != CK_INVALID_HANDLE) {
        (void)fn()->C_DestroyObject(s, hpriv);
      }
      return r;
    });
    if (rv != CKR_OK) {
      return failed("C_CreateObject", rv);
    }
    stage_store_tag(txn);
    CreatedKey out{std::move(id), attributes};
    out.attributes.bits = static_cast<uint32_t>(bits);
    return out;
  }

  void abandon_key(const CreatedKey& key) override { erase_objects(key.key_ref, "abandoned"); }

  Outcome destroy_key(const StoredKey&, StorageTxn&) override {
    // Nothing lives in the key store; the token objects go in finish_destroy.
    return Outcome();
  }

  void finish_destroy(const StoredKey& key) override { erase_objects(key.key_ref, "destroyed"); }

  Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs) override {
    if (!pool_->has_pin()) {
      // Private objects are invisible without a login: nothing can be judged.
      spdlog::warn("provider \"{}\": no user_pin, so private objects are invisible; reconciliation skipped", name_);
      return std::vector<Bytes>{};
    }
    std::set<Bytes> mapped(mapped_refs.begin(), mapped_refs.end());
    std::set<Bytes> present;
    size_t orphans = 0;
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      present.clear();
      orphans = 0;
      Template all;
      all.boolean(CKA_TOKEN, true);
      std::vector<CK_OBJECT_HANDLE> objects;
      CK_RV r = find_objects(fn(), s, all, objects);
      if (r != CKR_OK) {
        return r;
      }
      for (CK_OBJECT_HANDLE o : objects) {
        Bytes id, label;
        if (get_attribute(fn(), s, o, CKA_ID, id) != CKR_OK) {
          continue;
        }
        present.insert(id);
        if (mapped.count(id) || get_attribute(fn(), s, o, CKA_LABEL, label) != CKR_OK) {
          continue;
        }
        std::string l = as_string(label);
        // Ours, from this key store, and unmapped: an interrupted creation.
        if (l == label_for(id)) {
          r = fn()->C_DestroyObject(s, o);
          if (session_broken(r)) {
            return r;
          }
          if (r == CKR_OK) {
            ++orphans;
          }
        }
      }
      return CKR_OK;
    });
    if (rv != CKR_OK) {
      return failed("reconciliation", rv);
    }
    std::vector<Bytes> missing;
    for (const Bytes& ref : mapped_refs) {
      if (!present.count(ref)) {
        missing.push_back(ref);
      }
    }
    spdlog::info(
        "provider \"{}\": reconciled {} mapped key(s): {} without token objects, {} orphaned object(s) "
        "destroyed",
        name_, mapped_refs.size(), missing.size(), orphans);
    return missing;
  }

  Result<Bytes> export_public_key(const StoredKey& key) override { return public_key(key); }

  // ---- signatures -------------------------------------------------------------

  Result<Bytes> sign_hash(const StoredKey& key, const psa::op::SignHash& op) override {
    return sign(key, op.alg, op.hash);
  }

  Outcome verify_hash(const StoredKey& key, const psa::op::VerifyHash& op) override {
    return verify(key, op.alg, op.hash, op.signature);
  }

  Result<Bytes> sign_message(const StoredKey& key, const psa::op::SignMessage& op) override {
    auto h = message_hash(op.alg);
    PARSEC_TRY(h);
    auto digest = soft::digest(*h, op.message);
    PARSEC_TRY(digest);
    return sign(key, op.alg, *digest);
  }

  Outcome verify_message(const StoredKey& key, const psa::op::VerifyMessage& op) override {
    auto h = message_hash(op.alg);
    PARSEC_TRY(h);
    auto digest = soft::digest(*h, op.message);
    PARSEC_TRY(digest);
    return verify(key, op.alg, *digest, op.signature);
  }

  // ---- encryption -------------------------------------------------------------

  Result<Bytes> asymmetric_encrypt(const StoredKey& key, const psa::op::AsymmetricEncrypt& op) override {
    auto shape = key_shape(key.attributes, true);
    if (!shape || !shape->rsa) {
      return Status::PsaErrorNotPermitted;
    }
    bool oaep = op.alg.kind() == AlgorithmKind::RsaOaep;
    Hash hash = oaep ? op.alg.hash_alg() : Hash::None;
    auto hm = oaep ? hash_mechanism(hash) : std::nullopt;
    // The longest message the padding leaves room for (RFC 8017 §7.1.1, §7.2.1);
    // checked here because tokens differ in how they report it.
    size_t k = modulus_bytes(key);
    size_t overhead = oaep ? 2 * psa::hash_length(hash) + 2 : 11;
    if (k < overhead || op.plaintext.size() > k - overhead) {
      return Status::PsaErrorInvalidArgument;
    }
    bool refused = oaep && (oaep_refused_enc_ & oaep_bit(hash, !op.salt.empty())) != 0;
    bool software = cfg_.software_public_operations || (oaep && !hm) || refused;
    if (!software) {
      Mechanism mech(oaep ? CKM_RSA_PKCS_OAEP : CKM_RSA_PKCS);
      if (oaep) {
        mech.oaep(*hm, op.salt);
      }
      Bytes out(k);
      CK_ULONG len = 0;
      CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
        return with_object(s, key.key_ref, CKO_PUBLIC_KEY, [&](CK_OBJECT_HANDLE h) {
          CK_RV r = fn()->C_EncryptInit(s, mech.get(), h);
          if (r != CKR_OK) {
            return r;
          }
          len = static_cast<CK_ULONG>(out.size());
          // PKCS #11 takes no const input buffers; C_Encrypt does not write to it.
          auto* in = const_cast<uint8_t*>(op.plaintext.data());
          r = fn()->C_Encrypt(s, in, op.plaintext.size(), out.data(), &len);
          if (r == CKR_BUFFER_TOO_SMALL) {
            out.resize(len);
            r = fn()->C_Encrypt(s, in, op.plaintext.size(), out.data(), &len);
          }
          return r;
        });
      });
      if (rv == CKR_OK) {
        out.resize(len);
        return out;
      }
      if (!native_refusal(rv)) {
        return failed("C_Encrypt", rv);
      }
      if (oaep) {
        note_oaep_refused(oaep_refused_enc_, hash, !op.salt.empty(), "encryption", rv);
      }
    }
    auto pub = public_key(key);
    PARSEC_TRY(pub);
    return soft::rsa_encrypt(*pub, oaep, hash, op.salt, op.plaintext);
  }

  Result<SecretBytes> asymmetric_decrypt(const StoredKey& key, const psa::op::AsymmetricDecrypt& op) override {
    auto shape = key_shape(key.attributes, true);
    if (!shape || !shape->rsa || !shape->pair) {
      return Status::PsaErrorNotPermitted;
    }
    size_t k = modulus_bytes(key);
    if (op.ciphertext.size() != k) {
      return Status::PsaErrorInvalidArgument;
    }
    if (op.alg.kind() != AlgorithmKind::RsaOaep) {
      Mechanism mech(CKM_RSA_PKCS);
      return decrypt_on_token(key, mech, op.ciphertext, k);
    }
    Hash hash = op.alg.hash_alg();
    bool labelled = !op.salt.empty();
    auto hm = hash_mechanism(hash);
    if (hm && !(oaep_refused_dec_ & oaep_bit(hash, labelled)) && !(labelled && oaep_label_ignored_)) {
      Mechanism mech(CKM_RSA_PKCS_OAEP);
      mech.oaep(*hm, op.salt);
      CK_RV refused = CKR_OK;
      auto out = decrypt_on_token(key, mech, op.ciphertext, k, &refused);
      if (out.ok() || refused == CKR_OK) {
        return out;
      }
      note_oaep_refused(oaep_refused_dec_, hash, labelled, "decryption", refused);
    }
    // RSA on the token without padding, OAEP decoded here (constant time).
    if (!has_mechanism(CKM_RSA_X_509) || !soft::digest_supported(hash)) {
      return Status::PsaErrorNotSupported;
    }
    Mechanism raw(CKM_RSA_X_509);
    auto em = decrypt_on_token(key, raw, op.ciphertext, k);
    PARSEC_TRY(em);
    return soft::oaep_decode(*em, k, hash, op.salt);
  }

  // ---- random, capabilities -------------------------------------------------------

  Result<SecretBytes> generate_random(const psa::op::GenerateRandom& op) override {
    if (op.size > 0xFFFFFFFFull) {
      return Failure(Status::PsaErrorGenericError, "random request larger than a CK_ULONG can hold");
    }
    SecretBytes out(static_cast<size_t>(op.size));
    if (op.size == 0) {
      return out;
    }
    CK_RV rv = pool_->run(
        [&](CK_SESSION_HANDLE s) { return fn()->C_GenerateRandom(s, out.data(), static_cast<CK_ULONG>(out.size())); });
    if (rv != CKR_OK) {
      return failed("C_GenerateRandom", rv);
    }
    return out;
  }

  Outcome can_do_crypto(const psa::op::CanDoCrypto& op) override {
    const KeyAttributes& a = op.attributes;
    bool zero_ok = op.check_type == psa::CheckType::Import;
    auto shape = key_shape(a, zero_ok);
    if (!shape) {
      return Status::PsaErrorNotSupported;
    }
    bool policy_none = a.policy.kind() == AlgorithmKind::None;
    switch (op.check_type) {
      case psa::CheckType::Use:
        return use_check(a, *shape);
      case psa::CheckType::Generate:
        if (!shape->pair || (shape->rsa && !rsa_generate_bits_ok(shape->bits)) ||
            !has_mechanism(shape->rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN)) {
          return Status::PsaErrorNotSupported;
        }
        if (a.flags.export_ && !cfg_.allow_export) {
          return Status::PsaErrorNotSupported;
        }
        return policy_none ? Status::Success : use_check(a, *shape);
      case psa::CheckType::Import:
        if (shape->rsa && shape->bits != 0 && !rsa_import_bits_ok(shape->bits)) {
          return Status::PsaErrorNotSupported;
        }
        if (a.flags.export_ && !cfg_.allow_export) {
          return Status::PsaErrorNotSupported;
        }
        return policy_none ? Status::Success : use_check(a, *shape);
      default:
        return Status::PsaErrorNotSupported;
    }
  }

 private:
  CK_FUNCTION_LIST* fn() const { return pool_->fn(); }
  bool has_mechanism(CK_MECHANISM_TYPE m) const { return mechanisms_.count(m) != 0; }
  // token_digests: the token lists the digest mechanism of `h`. A hash inside
  // PSS or OAEP parameters is one the token computes itself (SoftHSM 2.6 lists
  // no SHA-3 and refuses SHA-3 PSS parameters with CKR_ARGUMENTS_BAD).
  bool token_digests(Hash h) const {
    auto m = hash_mechanism(h);
    return m.has_value() && has_mechanism(m->hash);
  }

  // failed logs a failed PKCS #11 call and turns it into its wire status,
  // with the call and its CK_RV as the detail.
  Failure failed(const char* what, CK_RV rv) const {
    if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
      spdlog::warn("provider \"{}\": {}: the key's token object is missing (erased outside parsecd?)", name_, what);
    } else if (expected_failure(rv)) {
      spdlog::debug("provider \"{}\": {}: {}", name_, what, ckr_name(rv));
    } else {
      spdlog::warn("provider \"{}\": {} failed: {} (answered {})", name_, what, ckr_name(rv),
                   status_name(ckr_to_status(rv)));
    }
    return Failure(ckr_to_status(rv), std::string(what) + ": " + ckr_name(rv));
  }

  void note_oaep_refused(std::atomic<uint32_t>& bits, Hash hash, bool labelled, const char* what, CK_RV rv) {
    uint32_t bit = oaep_bit(hash, labelled);
    if (!(bits.fetch_or(bit) & bit)) {
      spdlog::info("provider \"{}\": the token refuses OAEP {} with these parameters ({}); using {} instead", name_,
                   what, ckr_name(rv),
                   std::string(what) == "encryption" ? "software encryption with the public key"
                                                     : "raw RSA on the token and OAEP decoding in the service");
    }
  }

  // ---- object helpers -----------------------------------------------------------

  Bytes new_id() const {
    Bytes id(kIdLen);
    if (!soft::random_bytes(id.data(), id.size())) {
      return {};
    }
    return id;
  }

  std::string label_for(const Bytes& id) const { return label_prefix_ + to_hex(id); }

  void common_public(Template& t, const Bytes& id, const psa::UsageFlags& f) const {
    t.boolean(CKA_TOKEN, true)
        .boolean(CKA_PRIVATE, false)
        .bytes(CKA_ID, id)
        .text(CKA_LABEL, label_for(id))
        .boolean(CKA_VERIFY, f.verify_hash || f.verify_message)
        .boolean(CKA_ENCRYPT, f.encrypt);
  }

  void common_private(Template& t, const Bytes& id, const psa::UsageFlags& f) const {
    t.boolean(CKA_TOKEN, true)
        .boolean(CKA_PRIVATE, true)
        .boolean(CKA_SENSITIVE, true)
        .boolean(CKA_EXTRACTABLE, f.export_)
        .bytes(CKA_ID, id)
        .text(CKA_LABEL, label_for(id))
        .boolean(CKA_SIGN, f.sign_hash || f.sign_message)
        .boolean(CKA_DECRYPT, f.decrypt)
        .boolean(CKA_DERIVE, f.derive);
  }

  static size_t point_bits(size_t len) {
    for (size_t bits : {256u, 384u, 521u}) {
      if (len == 1 + 2 * curve_bytes(bits)) {
        return bits;
      }
    }
    return 0;
  }

  static size_t scalar_bits(size_t len) {
    for (size_t bits : {256u, 384u, 521u}) {
      if (len == curve_bytes(bits)) {
        return bits;
      }
    }
    return 0;
  }

  static size_t modulus_bytes(const StoredKey& key) { return (key.attributes.bits + 7) / 8; }

  void stage_store_tag(StorageTxn& txn) {
    if (tag_committed_.load() || storage_ == nullptr) {
      return;
    }
    auto committed = storage_->get(kStoreTagUid);
    if (committed.ok() && committed->has_value()) {
      tag_committed_ = true;
      return;
    }
    txn.put(kStoreTagUid, store_tag_);
  }

  // find_object returns the handle of the key's object of class `cls`,
  // from the cache when it was found in the pool's current generation.
  CK_RV find_object(CK_SESSION_HANDLE s, const Bytes& id, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE& out) {
    std::string key(id.begin(), id.end());
    uint64_t gen = pool_->generation();
    {
      std::lock_guard lock(cache_mu_);
      auto it = handles_.find(key);
      if (it != handles_.end() && it->second.generation == gen) {
        out = cls == CKO_PRIVATE_KEY ? it->second.priv : it->second.pub;
        if (out != CK_INVALID_HANDLE) {
          return CKR_OK;
        }
      }
    }
    Template t;
    t.ulong(CKA_CLASS, cls).bytes(CKA_ID, id).boolean(CKA_TOKEN, true);
    std::vector<CK_OBJECT_HANDLE> found;
    CK_RV rv;
    {
      std::shared_lock reads(token_writes_);  // see token_writes_
      rv = find_objects(fn(), s, t, found);
    }
    if (rv != CKR_OK) {
      return rv;
    }
    if (found.empty()) {
      if (cls == CKO_PRIVATE_KEY && pool_->has_pin()) {
        // Private objects vanish from view when the login is lost.
        CK_SESSION_INFO info{};
        if (fn()->C_GetSessionInfo(s, &info) == CKR_OK && info.state != CKS_RW_USER_FUNCTIONS &&
            info.state != CKS_RO_USER_FUNCTIONS) {
          return CKR_USER_NOT_LOGGED_IN;
        }
      }
      return CKR_KEY_HANDLE_INVALID;
    }
    out = found.front();
    std::lock_guard lock(cache_mu_);
    if (handles_.size() >= kHandleCacheMax) {
      handles_.clear();
    }
    Handles& h = handles_[key];
    if (h.generation != gen) {
      h = Handles{};
      h.generation = gen;
    }
    (cls == CKO_PRIVATE_KEY ? h.priv : h.pub) = out;
    return CKR_OK;
  }

  void forget(const Bytes& id) {
    std::lock_guard lock(cache_mu_);
    handles_.erase(std::string(id.begin(), id.end()));
  }

  // with_object runs op(handle) with the key's object; a stale cached handle
  // is looked up again once.
  template <class Op>
  CK_RV with_object(CK_SESSION_HANDLE s, const Bytes& id, CK_OBJECT_CLASS cls, Op&& op) {
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_RV rv = find_object(s, id, cls, h);
    if (rv != CKR_OK) {
      return rv;
    }
    rv = op(h);
    if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
      forget(id);
      rv = find_object(s, id, cls, h);
      if (rv == CKR_OK) {
        rv = op(h);
      }
    }
    return rv;
  }

  void erase_objects(const Bytes& id, const char* why) {
    forget(id);
    {
      std::lock_guard lock(cache_mu_);
      public_keys_.erase(std::string(id.begin(), id.end()));
    }
    size_t erased = 0;
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      std::unique_lock writes(token_writes_);
      Template t;
      t.bytes(CKA_ID, id).boolean(CKA_TOKEN, true);
      std::vector<CK_OBJECT_HANDLE> found;
      CK_RV r = find_objects(fn(), s, t, found);
      for (size_t i = 0; r == CKR_OK && i < found.size(); ++i) {
        r = fn()->C_DestroyObject(s, found[i]);
        erased += r == CKR_OK ? 1 : 0;
      }
      return r;
    });
    if (rv != CKR_OK) {
      spdlog::warn(
          "provider \"{}\": could not erase the token objects of a {} key ({}); start-up reconciliation "
          "removes them",
          name_, why, ckr_name(rv));
    }
  }

  // public_key returns the key's public part in the PSA export format.
  Result<Bytes> public_key(const StoredKey& key) {
    std::string cache_key(key.key_ref.begin(), key.key_ref.end());
    {
      std::lock_guard lock(cache_mu_);
      auto it = public_keys_.find(cache_key);
      if (it != public_keys_.end()) {
        return it->second;
      }
    }
    auto shape = key_shape(key.attributes, true);
    if (!shape) {
      return Status::PsaErrorNotSupported;
    }
    Bytes out;
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      return with_object(s, key.key_ref, CKO_PUBLIC_KEY, [&](CK_OBJECT_HANDLE h) {
        if (shape->rsa) {
          Bytes n, e;
          CK_RV r = get_attribute(fn(), s, h, CKA_MODULUS, n);
          if (r == CKR_OK) {
            r = get_attribute(fn(), s, h, CKA_PUBLIC_EXPONENT, e);
          }
          if (r == CKR_OK) {
            auto der = crypto::rsa_public_key_der(n, e);
            if (!der.ok()) {
              return static_cast<CK_RV>(CKR_ATTRIBUTE_VALUE_INVALID);
            }
            out = std::move(der).value();
          }
          return r;
        }
        Bytes point;
        CK_RV r = get_attribute(fn(), s, h, CKA_EC_POINT, point);
        if (r != CKR_OK) {
          return r;
        }
        // A DER OCTET STRING around 04||X||Y; some modules give the bare point.
        auto inner = crypto::unwrap_octet_string(point.data(), point.size());
        out = inner.ok() && point_bits(inner->size()) != 0 ? std::move(inner).value() : std::move(point);
        return CKR_OK;
      });
    });
    if (rv != CKR_OK) {
      return failed("reading the public key", rv);
    }
    std::lock_guard lock(cache_mu_);
    if (public_keys_.size() >= kPublicCacheMax) {
      public_keys_.clear();
    }
    public_keys_[cache_key] = out;
    return out;
  }

  // ---- operation helpers ------------------------------------------------------------

  Result<Bytes> sign(const StoredKey& key, const psa::Algorithm& alg, const Bytes& hash) {
    auto shape = key_shape(key.attributes, true);
    if (!shape) {
      return Status::PsaErrorNotSupported;
    }
    if (!shape->pair) {
      return Status::PsaErrorInvalidArgument;  // a public key cannot sign
    }
    auto plan = plan_signature(alg, true, *shape);
    if (!plan.ok()) {
      return plan.status();
    }
    if (!has_mechanism(plan->mechanism)) {
      return Status::PsaErrorNotSupported;
    }
    Mechanism mech(plan->mechanism);
    if (plan->mechanism == CKM_RSA_PKCS_PSS) {
      mech.pss(*hash_mechanism(plan->hash), psa::hash_length(plan->hash));
    }
    Bytes input = plan->prefix;
    input.insert(input.end(), hash.begin(), hash.end());
    Bytes sig(1024);
    CK_ULONG len = 0;
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      return with_object(s, key.key_ref, CKO_PRIVATE_KEY, [&](CK_OBJECT_HANDLE h) {
        CK_RV r = fn()->C_SignInit(s, mech.get(), h);
        if (r != CKR_OK) {
          return r;
        }
        len = static_cast<CK_ULONG>(sig.size());
        r = fn()->C_Sign(s, input.data(), input.size(), sig.data(), &len);
        if (r == CKR_BUFFER_TOO_SMALL) {
          sig.resize(len);
          r = fn()->C_Sign(s, input.data(), input.size(), sig.data(), &len);
        }
        return r;
      });
    });
    if (rv != CKR_OK) {
      return failed("C_Sign", rv);
    }
    sig.resize(len);
    return sig;
  }

  Outcome verify(const StoredKey& key, const psa::Algorithm& alg, const Bytes& hash, const Bytes& signature) {
    auto shape = key_shape(key.attributes, true);
    if (!shape) {
      return Status::PsaErrorNotSupported;
    }
    auto plan = plan_signature(alg, false, *shape);
    if (!plan.ok()) {
      return plan.status();
    }
    if (cfg_.software_public_operations || !has_mechanism(plan->mechanism)) {
      auto pub = public_key(key);
      if (!pub.ok()) {
        return pub.status();
      }
      if (plan->ecdsa) {
        return soft::verify_ecdsa(shape->bits, *pub, hash, signature);
      }
      return soft::verify_rsa(*pub, plan->rsa_scheme, plan->hash, hash, signature);
    }
    Mechanism mech(plan->mechanism);
    if (plan->mechanism == CKM_RSA_PKCS_PSS) {
      mech.pss(*hash_mechanism(plan->hash), psa::hash_length(plan->hash));
    }
    Bytes input = plan->prefix;
    input.insert(input.end(), hash.begin(), hash.end());
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      return with_object(s, key.key_ref, CKO_PUBLIC_KEY, [&](CK_OBJECT_HANDLE h) {
        CK_RV r = fn()->C_VerifyInit(s, mech.get(), h);
        if (r != CKR_OK) {
          return r;
        }
        return fn()->C_Verify(s, input.data(), input.size(), const_cast<uint8_t*>(signature.data()), signature.size());
      });
    });
    if (rv != CKR_OK) {
      return failed("C_Verify", rv);
    }
    return Status::Success;
  }

  // decrypt_on_token decrypts with the key's private object. When `refused`
  // is given, a refusal of the mechanism or its parameters is reported there
  // instead of as a status.
  Result<SecretBytes> decrypt_on_token(const StoredKey& key, Mechanism& mech, const Bytes& ciphertext, size_t k,
                                       CK_RV* refused = nullptr) {
    SecretBytes out(std::max<size_t>(k, 1));
    CK_ULONG len = 0;
    CK_RV rv = pool_->run([&](CK_SESSION_HANDLE s) {
      return with_object(s, key.key_ref, CKO_PRIVATE_KEY, [&](CK_OBJECT_HANDLE h) {
        CK_RV r = fn()->C_DecryptInit(s, mech.get(), h);
        if (r != CKR_OK) {
          return r;
        }
        len = static_cast<CK_ULONG>(out.size());
        r = fn()->C_Decrypt(s, const_cast<uint8_t*>(ciphertext.data()), ciphertext.size(), out.data(), &len);
        return r == CKR_GENERAL_ERROR && decrypt_failure_is_padding_ ? CKR_ENCRYPTED_DATA_INVALID : r;
      });
    });
    if (rv != CKR_OK) {
      if (refused && native_refusal(rv)) {
        *refused = rv;
        return Status::PsaErrorNotSupported;
      }
      return failed("C_Decrypt", rv);
    }
    out.resize_down(len);
    return out;
  }

  Status use_check(const KeyAttributes& a, const KeyShape& shape) const {
    const psa::UsageFlags& f = a.flags;
    const psa::Algorithm& alg = a.policy;
    bool signs = f.sign_hash || f.sign_message;
    bool verifies = f.verify_hash || f.verify_message;
    if (alg.kind() == AlgorithmKind::None || !(f.encrypt || f.decrypt || signs || verifies)) {
      return Status::PsaErrorNotSupported;
    }
    if (alg.is_asymmetric_signature()) {
      if (f.encrypt || f.decrypt) {
        return Status::PsaErrorNotSupported;
      }
      for (bool sign : {true, false}) {
        if (sign ? !signs : !verifies) {
          continue;
        }
        auto plan = plan_signature(alg, sign, shape);
        if (!plan.ok() || (sign && !shape.pair)) {
          return Status::PsaErrorNotSupported;
        }
        if (plan->mechanism == CKM_RSA_PKCS_PSS && plan->hash != Hash::None && plan->hash != Hash::Any &&
            !token_digests(plan->hash)) {
          return Status::PsaErrorNotSupported;
        }
        bool soft_ok = !sign && (cfg_.software_public_operations || !has_mechanism(plan->mechanism)) &&
                       (plan->hash == Hash::None || soft::digest_supported(plan->hash));
        if (!has_mechanism(plan->mechanism) && !soft_ok) {
          return Status::PsaErrorNotSupported;
        }
      }
      return Status::Success;
    }
    if (alg.is_asymmetric_encryption()) {
      if (!shape.rsa || signs || verifies || (f.decrypt && !shape.pair)) {
        return Status::PsaErrorNotSupported;
      }
      if (alg.kind() == AlgorithmKind::RsaOaep) {
        Hash hash = alg.hash_alg();
        bool native = token_digests(hash) && has_mechanism(CKM_RSA_PKCS_OAEP);
        bool fallback = soft::digest_supported(hash) && (!f.decrypt || has_mechanism(CKM_RSA_X_509));
        return native || fallback ? Status::Success : Status::PsaErrorNotSupported;
      }
      return has_mechanism(CKM_RSA_PKCS) || (!f.decrypt && cfg_.software_public_operations)
                 ? Status::Success
                 : Status::PsaErrorNotSupported;
    }
    return Status::PsaErrorNotSupported;
  }

  struct Handles {
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
    uint64_t generation = 0;
  };

  NamespaceLock ns_lock_;
  const std::string name_;
  const Pkcs11Config cfg_;  // user_pin moved into the pool
  std::unique_ptr<SessionPool> pool_;
  StorageReader* const storage_;
  const Bytes store_tag_;
  const std::string label_prefix_;
  std::atomic<bool> tag_committed_;
  const std::set<CK_MECHANISM_TYPE> mechanisms_;
  bool oaep_label_ignored_ = false;
  bool decrypt_failure_is_padding_ = false;
  std::atomic<uint32_t> oaep_refused_enc_{0};
  std::atomic<uint32_t> oaep_refused_dec_{0};

  std::mutex cache_mu_;
  // token_writes_: the calls that create or destroy token objects
  // (C_GenerateKeyPair, C_CreateObject, C_DestroyObject) hold it exclusively,
  // object searches (C_FindObjects*) shared. SoftHSM 2.6's file object store
  // answers CKR_GENERAL_ERROR now and then when token objects are written by
  // several sessions at once or searched while being written
  // (Pkcs11.SixteenClientsCreateSignAndDestroyKeysConcurrently fails without
  // it). Signing, decryption and attribute reads on known handles stay
  // parallel. Taken inside pool_->run, after a session is held, so the order is
  // always session then this lock.
  std::shared_mutex token_writes_;
  std::unordered_map<std::string, Handles> handles_;
  std::unordered_map<std::string, Bytes> public_keys_;
};

// login_error explains a failed C_Login for the operator.
std::string login_error(CK_RV rv, const TokenEntry& token) {
  std::string t = "token " + describe(token);
  switch (rv) {
    case CKR_PIN_INCORRECT: {
      std::string s = "user_pin is incorrect for " + t + " (C_Login: CKR_PIN_INCORRECT)";
      if (token.flags & (CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW)) {
        s += "; the token reports few PIN attempts left, so check the PIN before restarting";
      }
      return s;
    }
    case CKR_PIN_LOCKED:
      return "the user PIN of " + t + " is locked (C_Login: CKR_PIN_LOCKED); unlock it with the SO PIN";
    case CKR_PIN_LEN_RANGE:
      return "user_pin has a length the token does not accept for " + t + " (C_Login: CKR_PIN_LEN_RANGE)";
    case CKR_PIN_EXPIRED:
      return "the user PIN of " + t + " has expired (C_Login: CKR_PIN_EXPIRED); set a new one";
    case CKR_USER_PIN_NOT_INITIALIZED:
      return "the user PIN of " + t + " is not initialised (C_Login: CKR_USER_PIN_NOT_INITIALIZED)";
    default:
      return "cannot open a logged-in session with " + t + " (" + ckr_name(rv) + ")";
  }
}

}  // namespace
}  // namespace pkcs11

Result<std::unique_ptr<Provider>> make_pkcs11_provider(const ProviderContext& ctx) {
  using namespace pkcs11;
  auto parsed = parse_config(ctx.settings);
  PARSEC_TRY(parsed);
  Pkcs11Config cfg = std::move(*parsed);
  auto loaded = Module::load(cfg.library_path);
  PARSEC_TRY(loaded);
  std::shared_ptr<Module> module = std::move(*loaded);
  auto unreachable = [](std::string why) { return Failure(Status::PsaErrorCommunicationFailure, std::move(why)); };
  std::vector<TokenEntry> tokens;
  size_t uninitialised = 0;
  CK_RV rv = list_tokens(module->fn(), tokens, uninitialised);
  if (rv != CKR_OK) {
    return unreachable("cannot list the module's slots and tokens (" + ckr_name(rv) + ")");
  }
  std::vector<std::string> warnings;
  auto chosen = choose_token(tokens, uninitialised, cfg, warnings);
  PARSEC_TRY(chosen);
  const TokenEntry token = std::move(*chosen);
  for (const auto& w : warnings) {
    spdlog::warn("provider \"{}\": {}", ctx.instance_name, w);
  }
  if (cfg.user_pin && (token.flags & CKF_USER_PIN_LOCKED)) {
    return unreachable(login_error(CKR_PIN_LOCKED, token));
  }
  if (!cfg.user_pin && (token.flags & CKF_LOGIN_REQUIRED)) {
    spdlog::warn("provider \"{}\": token {} requires a login but no user_pin is set; private keys cannot be used",
                 ctx.instance_name, describe(token));
  }
  bool logged_in = cfg.user_pin.has_value();
  auto pool = std::make_unique<SessionPool>(module, token, std::move(cfg.user_pin), ctx.instance_name);
  cfg.user_pin.reset();
  rv = pool->start();
  if (rv != CKR_OK) {
    return unreachable(login_error(rv, token));
  }
  std::set<CK_MECHANISM_TYPE> mechanisms;
  CK_ULONG n = 0;
  if (module->fn()->C_GetMechanismList(pool->slot(), nullptr, &n) == CKR_OK) {
    std::vector<CK_MECHANISM_TYPE> list(n);
    if (module->fn()->C_GetMechanismList(pool->slot(), list.data(), &n) == CKR_OK) {
      mechanisms.insert(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  // The store tag names this key store's objects on the token. It is made
  // durable here, before any token object can carry it: were it only staged
  // with the first key, a crash between that key's token objects and its
  // commit would leave objects under a tag no store remembers, which
  // reconciliation could never recognise as ours.
  Bytes tag;
  bool committed = false;
  if (ctx.storage) {
    auto stored = ctx.storage->get(kStoreTagUid);
    if (!stored.ok()) {
      return Failure(stored.status(), std::string("cannot read the provider's data in the key store (") +
                                          status_name(stored.status()) + ")");
    }
    if (stored->has_value() && (*stored)->size() == kStoreTagLen) {
      tag = **stored;
      committed = true;
    }
  }
  if (!committed) {
    tag.resize(kStoreTagLen);
    if (!soft::random_bytes(tag.data(), tag.size())) {
      return Failure(Status::PsaErrorInsufficientEntropy, "no randomness for the store tag");
    }
    if (ctx.storage) {
      Status s = ctx.storage->commit_now(kStoreTagUid, tag);
      if (s == Status::Success) {
        committed = true;
      } else if (s != Status::PsaErrorNotSupported) {
        return Failure(s, std::string("cannot record the store tag in the key store (") + status_name(s) + ")");
      }
    }
  }
  // One parsecd per (token, store tag): two daemons on copies of one key
  // store would reconcile away each other's new keys.
  auto ns_lock = NamespaceLock::acquire(token.serial, tag);
  PARSEC_TRY(ns_lock);
  CK_VERSION v = module->library_version();
  spdlog::info("provider \"{}\": PKCS #11 module {} ({} {}.{}), token {}, {}, {} mechanisms{}{}", ctx.instance_name,
               module->path(), module->manufacturer(), static_cast<int>(v.major), static_cast<int>(v.minor),
               describe(token), logged_in ? "logged in as user" : "not logged in (no user_pin)", mechanisms.size(),
               cfg.software_public_operations ? ", public-key operations in software" : "",
               cfg.allow_export ? "" : ", exportable keys refused");
  auto made = std::make_unique<Pkcs11Provider>(ctx.instance_name, std::move(cfg), std::move(pool), ctx.storage,
                                               std::move(tag), committed, std::move(mechanisms));
  made->hold(std::move(*ns_lock));
  return std::unique_ptr<Provider>(std::move(made));
}

ProviderFactory pkcs11_factory() {
  ProviderFactory f;
  f.type_name = "Pkcs11";
  f.id = ProviderId::Pkcs11;
  // Only the table's own keys: parsecd --check must not load the module or
  // log in (a wrong PIN would spend one of the token's attempts).
  f.check_settings = [](const Settings& settings) -> Outcome {
    auto parsed = pkcs11::parse_config(settings);
    PARSEC_TRY(parsed);
    return Outcome();
  };
  f.create = [](const ProviderContext& ctx) -> Result<Made> {
    auto made = make_pkcs11_provider(ctx);
    PARSEC_TRY(made);
    return Made::available(std::move(*made));
  };
  return f;
}

}  // namespace parsec::provider
