// Contract side (see psa_values.h): never include <psa/crypto.h> here; every
// PSA call goes through PsaEngine.
#include "parsec/provider/mbed_crypto.h"

#include <algorithm>
#include <utility>

#include "psa_capabilities.h"
#include "psa_engine.h"
#include "psa_values.h"

namespace parsec::provider {
namespace mbed {
namespace {

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

  // Every crypto operation of operations.md except the TPM-only attestation
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

  Result<CreatedKey> import_key(const KeyAttributes& attributes, const std::string& data,
                                StorageTxn& txn) override {
    return created(attributes, engine_->import_key(attributes, data, txn));
  }

  void abandon_key(const CreatedKey& key) override { engine_->abandon_key(key.key_ref); }

  Status destroy_key(const StoredKey& key, StorageTxn& txn) override {
    return engine_->destroy_key(key.key_ref, txn);
  }

  Result<std::vector<Bytes>> reconcile(const std::vector<Bytes>& mapped_refs) override {
    // One listing instead of a read per key: cheaper, and no key material is
    // read just to learn that it exists. Orphaned blobs are left alone.
    Result<std::vector<uint64_t>> uids = storage_->all_uids();
    if (!uids.ok()) {
      return uids.status();
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

  Result<Bytes> export_key(const StoredKey& key) override { return engine_->export_key(key.key_ref); }

  Result<Bytes> sign_hash(const StoredKey& key, const psa_sign_hash::Operation& op) override {
    return engine_->sign_hash(key.key_ref, op.alg(), op.hash());
  }

  Status verify_hash(const StoredKey& key, const psa_verify_hash::Operation& op) override {
    return engine_->verify_hash(key.key_ref, op.alg(), op.hash(), op.signature());
  }

  Result<Bytes> sign_message(const StoredKey& key, const psa_sign_message::Operation& op) override {
    return engine_->sign_message(key.key_ref, op.alg(), op.message());
  }

  Status verify_message(const StoredKey& key, const psa_verify_message::Operation& op) override {
    return engine_->verify_message(key.key_ref, op.alg(), op.message(), op.signature());
  }

  Result<Bytes> asymmetric_encrypt(const StoredKey& key, const psa_asymmetric_encrypt::Operation& op) override {
    return engine_->asymmetric_encrypt(key.key_ref, op.alg(), op.plaintext(), op.salt());
  }

  Result<Bytes> asymmetric_decrypt(const StoredKey& key, const psa_asymmetric_decrypt::Operation& op) override {
    return engine_->asymmetric_decrypt(key.key_ref, op.alg(), op.ciphertext(), op.salt());
  }

  Result<Bytes> aead_encrypt(const StoredKey& key, const psa_aead_encrypt::Operation& op) override {
    return engine_->aead_encrypt(key.key_ref, op.alg(), op.nonce(), op.additional_data(), op.plaintext());
  }

  Result<Bytes> aead_decrypt(const StoredKey& key, const psa_aead_decrypt::Operation& op) override {
    return engine_->aead_decrypt(key.key_ref, op.alg(), op.nonce(), op.additional_data(), op.ciphertext());
  }

  Result<Bytes> cipher_encrypt(const StoredKey& key, const psa_cipher_encrypt::Operation& op) override {
    return engine_->cipher_encrypt(key.key_ref, op.alg(), op.plaintext());
  }

  Result<Bytes> cipher_decrypt(const StoredKey& key, const psa_cipher_decrypt::Operation& op) override {
    return engine_->cipher_decrypt(key.key_ref, op.alg(), op.ciphertext());
  }

  Result<Bytes> mac_compute(const StoredKey& key, const psa_mac_compute::Operation& op) override {
    return engine_->mac_compute(key.key_ref, op.alg(), op.input());
  }

  Status mac_verify(const StoredKey& key, const psa_mac_verify::Operation& op) override {
    return engine_->mac_verify(key.key_ref, op.alg(), op.input(), op.mac());
  }

  Result<Bytes> raw_key_agreement(const StoredKey& key, const psa_raw_key_agreement::Operation& op) override {
    return engine_->raw_key_agreement(key.key_ref, op.alg(), op.peer_key());
  }

  Result<Bytes> hash_compute(const psa_hash_compute::Operation& op) override {
    return engine_->hash_compute(op.alg(), op.input());
  }

  Status hash_compare(const psa_hash_compare::Operation& op) override {
    return engine_->hash_compare(op.alg(), op.input(), op.hash());
  }

  Result<Bytes> generate_random(uint64_t size) override { return engine_->generate_random(size); }

  Status can_do_crypto(const can_do_crypto::Operation& op) override {
    if (!op.has_attributes()) {
      return Status::PsaErrorNotSupported;
    }
    switch (op.check_type()) {
      case can_do_crypto::USE:
        return can_do(CanDoCheck::Use, op.attributes());
      case can_do_crypto::GENERATE:
        return can_do(CanDoCheck::Generate, op.attributes());
      case can_do_crypto::IMPORT:
        return can_do(CanDoCheck::Import, op.attributes());
      case can_do_crypto::DERIVE:
        return can_do(CanDoCheck::Derive, op.attributes());
      default:  // CHECKTYPE_NONE and unknown values; the service refuses them first
        return Status::PsaErrorNotSupported;
    }
  }

 private:
  // created reports the final attributes: those requested, with the size PSA
  // recorded (for an import with key_bits 0, the size found in the data).
  static Result<CreatedKey> created(const KeyAttributes& requested, Result<NewKey> key) {
    if (!key.ok()) {
      return key.status();
    }
    CreatedKey out{std::move(key->key_ref), requested};
    out.attributes.set_key_bits(key->bits);
    return out;
  }

  StorageReader* const storage_;
  std::unique_ptr<PsaEngine> engine_;
};

}  // namespace
}  // namespace mbed

Result<std::unique_ptr<Provider>> make_mbed_crypto_provider(const ProviderContext& ctx) {
  if (ctx.storage == nullptr) {
    return Status::PsaErrorStorageFailure;
  }
  // Only user key ids count: blobs the library might keep at reserved uids
  // (seed or transaction files in other Mbed TLS configurations) must not push
  // the next id past the user range.
  Result<std::vector<uint64_t>> uids = ctx.storage->all_uids();
  if (!uids.ok()) {
    return uids.status();
  }
  uint64_t max_uid = 0;
  for (uint64_t uid : *uids) {
    if (uid <= PSA_KEY_ID_USER_MAX && uid > max_uid) {
      max_uid = uid;
    }
  }
  Result<std::unique_ptr<mbed::PsaEngine>> engine = mbed::PsaEngine::create(ctx.storage, max_uid);
  if (!engine.ok()) {
    return engine.status();
  }
  return std::unique_ptr<Provider>(new mbed::MbedCryptoProvider(ctx.storage, std::move(*engine)));
}

}  // namespace parsec::provider
