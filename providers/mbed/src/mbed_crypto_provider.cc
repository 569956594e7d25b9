// Every PSA call goes through PsaEngine; this file only adapts the provider
// interface to it and registers the factory.
#include "parsec/provider/mbed_crypto.h"

#include <algorithm>
#include <string>
#include <utility>

#include "providers/mbed/src/psa_capabilities.h"
#include "providers/mbed/src/psa_engine.h"
#include "providers/mbed/src/psa_values.h"

namespace parsec::provider {
namespace mbed {
namespace {

// oaep_hash_in_build: OAEP with a hash this build lacks is NotSupported, as
// CanDoCrypto answers (Mbed TLS would fail it as a padding error).
Outcome oaep_hash_in_build(const psa::Algorithm& alg) {
  if (alg.kind() == psa::AlgorithmKind::RsaOaep && !hash_in_build(alg.hash_alg())) {
    return Failure(Status::PsaErrorNotSupported, std::string("RSA OAEP with ") + psa::hash_name(alg.hash_alg()) +
                                                     ": this Mbed TLS build has no such hash");
  }
  return Status::Success;
}

class MbedCryptoProvider final : public Provider {
 public:
  MbedCryptoProvider(StorageReader* storage, std::unique_ptr<PsaEngine> engine)
      : storage_(storage), engine_(std::move(engine)) {}

  ProviderInfo info() const override {
    ProviderInfo i;
    i.id = ProviderId::MbedCrypto;
    i.uuid = "1c1139dc-ad7c-47dc-ad6b-db6fdb466552";
    i.description =
        "User space software provider, based on Mbed Crypto - the reference implementation of the PSA "
        "crypto API";
    i.vendor = "Arm";
    i.version_maj = 0;
    i.version_min = 1;
    i.version_rev = 0;
    return i;
  }

  // Every crypto operation of docs/protocol.md, operations except the TPM-only attestation
  // pair. The MAC opcodes (0x16, 0x17) are served but never listed by
  // ListOpcodes: the service filters them for upstream clients.
  std::vector<Opcode> opcodes() const override {
    return {Opcode::PsaGenerateKey,       Opcode::PsaDestroyKey,        Opcode::PsaSignHash,
            Opcode::PsaVerifyHash,        Opcode::PsaImportKey,         Opcode::PsaExportPublicKey,
            Opcode::PsaAsymmetricEncrypt, Opcode::PsaAsymmetricDecrypt, Opcode::PsaExportKey,
            Opcode::PsaGenerateRandom,    Opcode::PsaHashCompute,       Opcode::PsaHashCompare,
            Opcode::PsaAeadEncrypt,       Opcode::PsaAeadDecrypt,       Opcode::PsaRawKeyAgreement,
            Opcode::PsaCipherEncrypt,     Opcode::PsaCipherDecrypt,     Opcode::PsaMacCompute,
            Opcode::PsaMacVerify,         Opcode::PsaSignMessage,       Opcode::PsaVerifyMessage,
            Opcode::CanDoCrypto};
  }

  Result<CreatedKey> generate_key(const KeyAttributes& attributes, StorageTxn& txn) override {
    return created(attributes, engine_->generate_key(attributes, txn));
  }

  Result<CreatedKey> import_key(const KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn) override {
    return created(attributes, engine_->import_key(attributes, data, txn));
  }

  void abandon_key(const CreatedKey& key) override { engine_->abandon_key(key.key_ref); }

  Outcome destroy_key(const StoredKey& key, StorageTxn& txn) override { return engine_->destroy_key(key.key_ref, txn); }

  // Blobs and mappings share one database and every change to both is one
  // transaction (the key store's Txn), so nothing is left to reconcile at
  // start-up; reconcile() stays for callers that ask all the same.
  bool reconcile_at_start_up() const override { return false; }

  Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs) override {
    // One listing instead of a read per key: cheaper, and no key material is
    // read just to learn that it exists. Orphaned blobs are left alone.
    Result<std::vector<uint64_t>> uids = storage_->all_uids();
    if (!uids.ok()) {
      return Failure(uids.status(), "listing the stored keys failed" + detail_of(uids));
    }
    std::vector<uint64_t> present = std::move(*uids);
    std::sort(present.begin(), present.end());
    std::vector<Bytes> missing;
    for (const Bytes& ref : mapped_refs) {
      const std::optional<psa_key_id_t> id = key_id_from_ref(ref);
      if (!id || !std::binary_search(present.begin(), present.end(), static_cast<uint64_t>(*id))) {
        missing.push_back(ref);
      }
    }
    return missing;
  }

  Result<Bytes> export_public_key(const StoredKey& key) override { return engine_->export_public_key(key.key_ref); }

  Result<SecretBytes> export_key(const StoredKey& key) override { return engine_->export_key(key.key_ref); }

  Result<Bytes> sign_hash(const StoredKey& key, const psa::op::SignHash& op) override {
    return engine_->sign_hash(key.key_ref, op.alg, op.hash);
  }

  Outcome verify_hash(const StoredKey& key, const psa::op::VerifyHash& op) override {
    return engine_->verify_hash(key.key_ref, op.alg, op.hash, op.signature);
  }

  Result<Bytes> sign_message(const StoredKey& key, const psa::op::SignMessage& op) override {
    return engine_->sign_message(key.key_ref, op.alg, op.message);
  }

  Outcome verify_message(const StoredKey& key, const psa::op::VerifyMessage& op) override {
    return engine_->verify_message(key.key_ref, op.alg, op.message, op.signature);
  }

  Result<Bytes> asymmetric_encrypt(const StoredKey& key, const psa::op::AsymmetricEncrypt& op) override {
    PARSEC_TRY(oaep_hash_in_build(op.alg));
    return engine_->asymmetric_encrypt(key.key_ref, op.alg, op.plaintext, op.salt);
  }

  Result<SecretBytes> asymmetric_decrypt(const StoredKey& key, const psa::op::AsymmetricDecrypt& op) override {
    // Checked before decrypting: the answer depends on the algorithm only,
    // never on the ciphertext (docs/padding-oracle.md).
    PARSEC_TRY(oaep_hash_in_build(op.alg));
    return engine_->asymmetric_decrypt(key.key_ref, op.alg, op.ciphertext, op.salt);
  }

  Result<Bytes> aead_encrypt(const StoredKey& key, const psa::op::AeadEncrypt& op) override {
    return engine_->aead_encrypt(key.key_ref, op.alg, op.nonce, op.additional_data, op.plaintext);
  }

  Result<SecretBytes> aead_decrypt(const StoredKey& key, const psa::op::AeadDecrypt& op) override {
    return engine_->aead_decrypt(key.key_ref, op.alg, op.nonce, op.additional_data, op.ciphertext);
  }

  Result<Bytes> cipher_encrypt(const StoredKey& key, const psa::op::CipherEncrypt& op) override {
    PARSEC_TRY(cipher_kind(op.alg));
    return engine_->cipher_encrypt(key.key_ref, op.alg.cipher_mode(), op.plaintext);
  }

  Result<SecretBytes> cipher_decrypt(const StoredKey& key, const psa::op::CipherDecrypt& op) override {
    PARSEC_TRY(cipher_kind(op.alg));
    return engine_->cipher_decrypt(key.key_ref, op.alg.cipher_mode(), op.ciphertext);
  }

  Result<Bytes> mac_compute(const StoredKey& key, const psa::op::MacCompute& op) override {
    return engine_->mac_compute(key.key_ref, op.alg, op.input);
  }

  Outcome mac_verify(const StoredKey& key, const psa::op::MacVerify& op) override {
    return engine_->mac_verify(key.key_ref, op.alg, op.input, op.mac);
  }

  Result<SecretBytes> raw_key_agreement(const StoredKey& key, const psa::op::RawKeyAgreement& op) override {
    return engine_->raw_key_agreement(key.key_ref, op.alg, op.peer_key);
  }

  Result<Bytes> hash_compute(const psa::op::HashCompute& op) override {
    return engine_->hash_compute(op.alg, op.input);
  }

  Outcome hash_compare(const psa::op::HashCompare& op) override {
    return engine_->hash_compare(op.alg, op.input, op.hash);
  }

  Result<SecretBytes> generate_random(const psa::op::GenerateRandom& op) override {
    return engine_->generate_random(op.size);
  }

  Outcome can_do_crypto(const psa::op::CanDoCrypto& op) override {
    CanDoCheck check = CanDoCheck::Use;
    switch (op.check_type) {
      case psa::CheckType::Use:
        check = CanDoCheck::Use;
        break;
      case psa::CheckType::Generate:
        check = CanDoCheck::Generate;
        break;
      case psa::CheckType::Import:
        check = CanDoCheck::Import;
        break;
      case psa::CheckType::Derive:
        check = CanDoCheck::Derive;
        break;
      default:  // None and unknown values; the service refuses them first
        return Outcome(Status::PsaErrorNotSupported, "CanDoCrypto without a check type");
    }
    const Status s = can_do(check, op.attributes);
    if (s != Status::Success) {
      return Outcome(s, "Mbed TLS 2.28 cannot do this with " + op.attributes.type_to_string() + " (" +
                            std::to_string(op.attributes.bits) + " bits), policy " + op.attributes.policy.to_string());
    }
    return Outcome();
  }

 private:
  // created reports the final attributes: those requested, with the size PSA
  // recorded (for an import with key_bits 0, the size found in the data).
  static Result<CreatedKey> created(const KeyAttributes& requested, Result<NewKey> key) {
    if (!key.ok()) {
      return key.failure();
    }
    CreatedKey out{std::move(key->key_ref), requested};
    out.attributes.bits = key->bits;
    return out;
  }

  // cipher_kind refuses an algorithm that is not an unauthenticated cipher
  // (the service checks it first; the engine takes the mode alone).
  static Outcome cipher_kind(const psa::Algorithm& alg) {
    if (alg.kind() != psa::AlgorithmKind::Cipher) {
      return Outcome(Status::PsaErrorInvalidArgument,
                     std::string("algorithm ") + psa::algorithm_kind_name(alg.kind()) + " is not a cipher");
    }
    return Outcome();
  }

  template <typename T>
  static std::string detail_of(const Result<T>& r) {
    return r.detail().empty() ? std::string() : ": " + r.detail();
  }

  StorageReader* const storage_;
  std::unique_ptr<PsaEngine> engine_;
};

}  // namespace
}  // namespace mbed

Result<std::unique_ptr<Provider>> make_mbed_crypto_provider(const ProviderContext& ctx) {
  if (ctx.storage == nullptr) {
    return Failure(Status::PsaErrorStorageFailure, "no key storage given to the Mbed TLS provider");
  }
  // Only user key ids count: blobs the library might keep at reserved uids
  // (seed or transaction files in other Mbed TLS configurations) must not push
  // the next id past the user range. The largest uid is one index lookup; only
  // when it is such a reserved uid are all uids listed (start-up must not read
  // every key, docs/storage.md).
  Result<uint64_t> largest = ctx.storage->max_uid();
  if (!largest.ok()) {
    return Failure(largest.status(), "reading the largest stored key id failed" +
                                         (largest.detail().empty() ? std::string() : ": " + largest.detail()));
  }
  uint64_t max_uid = *largest;
  if (max_uid > PSA_KEY_ID_USER_MAX) {
    Result<std::vector<uint64_t>> uids = ctx.storage->all_uids();
    if (!uids.ok()) {
      return Failure(uids.status(),
                     "listing the stored keys failed" + (uids.detail().empty() ? std::string() : ": " + uids.detail()));
    }
    max_uid = 0;
    for (uint64_t uid : *uids) {
      if (uid <= PSA_KEY_ID_USER_MAX && uid > max_uid) {
        max_uid = uid;
      }
    }
  }
  Result<std::unique_ptr<mbed::PsaEngine>> engine = mbed::PsaEngine::create(ctx.storage, max_uid);
  if (!engine.ok()) {
    return engine.failure();
  }
  return std::unique_ptr<Provider>(new mbed::MbedCryptoProvider(ctx.storage, std::move(*engine)));
}

ProviderFactory mbed_crypto_factory() {
  ProviderFactory f;
  f.type_name = "MbedCrypto";
  f.id = ProviderId::MbedCrypto;
  f.check_settings = [](const Settings& settings) -> Outcome {
    if (!settings.entries().empty()) {
      return Outcome(Status::InvalidEncoding,
                     "MbedCrypto takes no setting \"" + settings.entries().front().first + "\"");
    }
    return Outcome();
  };
  f.create = [](const ProviderContext& ctx) -> Result<Made> {
    Result<std::unique_ptr<Provider>> made = make_mbed_crypto_provider(ctx);
    if (!made.ok()) {
      std::string why = std::string("Mbed TLS PSA Crypto failed to initialise: ") + status_name(made.status());
      if (!made.detail().empty()) {
        why += " (" + made.detail() + ")";
      }
      return Failure(made.status(), std::move(why));
    }
    return Made::available(std::move(*made));
  };
  return f;
}

}  // namespace parsec::provider
