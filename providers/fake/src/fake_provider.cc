#include "parsec/provider/fake.h"

namespace parsec::provider {

ProviderInfo FakeProvider::info() const {
  ProviderInfo i;
  i.id = ProviderId::TrustedService;
  i.uuid = "00000000-0000-4000-8000-00000000fa4e";
  i.description = "In-memory provider for tests of the service (not secure, not durable)";
  i.vendor = "parsec-cpp tests";
  i.version_maj = 0;
  i.version_min = 1;
  return i;
}

std::vector<Opcode> FakeProvider::opcodes() const {
  return {Opcode::PsaGenerateKey, Opcode::PsaImportKey, Opcode::PsaDestroyKey, Opcode::PsaExportPublicKey,
          Opcode::PsaExportKey,   Opcode::PsaSignHash,  Opcode::PsaVerifyHash, Opcode::PsaGenerateRandom};
}

void FakeProvider::record(CallRecord r) const {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(std::move(r));
}

Result<CreatedKey> FakeProvider::generate_key(const KeyAttributes& attributes, StorageTxn&) {
  record({"generate_key", "", attributes.policy, {}});
  std::lock_guard<std::mutex> lock(mu_);
  Bytes ref(8);
  uint64_t n = next_ref_++;
  for (size_t i = 0; i < 8; ++i) {
    ref[i] = static_cast<uint8_t>(n >> (8 * i));
  }
  material_[ref] = Bytes(ref.rbegin(), ref.rend());
  return CreatedKey{ref, attributes};
}

Result<CreatedKey> FakeProvider::import_key(const KeyAttributes& attributes, const SecretBytes& data, StorageTxn&) {
  record({"import_key", "", attributes.policy, data.bytes()});
  if (data.empty()) {
    return Failure(Status::PsaErrorInvalidArgument, "fake provider: empty key data");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Bytes ref(8);
  uint64_t n = next_ref_++;
  for (size_t i = 0; i < 8; ++i) {
    ref[i] = static_cast<uint8_t>(n >> (8 * i));
  }
  material_[ref] = data.bytes();
  KeyAttributes final_attrs = attributes;
  if (final_attrs.bits == 0) {
    final_attrs.bits = static_cast<uint32_t>(data.size() * 8);
  }
  return CreatedKey{ref, final_attrs};
}

void FakeProvider::abandon_key(const CreatedKey& key) {
  record({"abandon_key", "", {}, {}});
  std::lock_guard<std::mutex> lock(mu_);
  material_.erase(key.key_ref);
}

Outcome FakeProvider::destroy_key(const StoredKey& key, StorageTxn&) {
  record({"destroy_key", key.name, {}, {}});
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_destroy_.count(key.name) != 0) {
    return Failure(Status::PsaErrorHardwareFailure, "fake provider: destruction of \"" + key.name + "\" fails");
  }
  return Status::Success;
}

void FakeProvider::finish_destroy(const StoredKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  material_.erase(key.key_ref);
}

Result<std::vector<Bytes>> FakeProvider::reconcile(const std::vector<Bytes>&) {
  return std::vector<Bytes>{};
}

Result<Bytes> FakeProvider::export_public_key(const StoredKey& key) {
  record({"export_public_key", key.name, {}, {}});
  return Bytes(key.key_ref.begin(), key.key_ref.end());
}

Result<SecretBytes> FakeProvider::export_key(const StoredKey& key) {
  record({"export_key", key.name, {}, {}});
  std::lock_guard<std::mutex> lock(mu_);
  auto it = material_.find(key.key_ref);
  if (it == material_.end()) {
    return Failure(Status::PsaErrorDoesNotExist, "fake provider: no material");
  }
  return SecretBytes(it->second.data(), it->second.size());
}

Bytes FakeProvider::signature_for(const Bytes& key_ref, const Bytes& hash) {
  Bytes sig = {'s', 'i', 'g'};
  sig.insert(sig.end(), key_ref.begin(), key_ref.end());
  sig.insert(sig.end(), hash.begin(), hash.end());
  return sig;
}

Result<Bytes> FakeProvider::sign_hash(const StoredKey& key, const psa::op::SignHash& op) {
  record({"sign_hash", key.name, op.alg, op.hash});
  return signature_for(key.key_ref, op.hash);
}

Outcome FakeProvider::verify_hash(const StoredKey& key, const psa::op::VerifyHash& op) {
  record({"verify_hash", key.name, op.alg, op.hash});
  if (op.signature != signature_for(key.key_ref, op.hash)) {
    return Failure(Status::PsaErrorInvalidSignature, "fake provider: signature mismatch");
  }
  return Status::Success;
}

Result<SecretBytes> FakeProvider::generate_random(const psa::op::GenerateRandom& op) {
  record({"generate_random", "", {}, Bytes(8, static_cast<uint8_t>(op.size))});
  SecretBytes out(static_cast<size_t>(op.size));
  for (size_t i = 0; i < out.size(); ++i) {
    out.data()[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  return out;
}

void FakeProvider::fail_destroy(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_destroy_.insert(name);
}

std::vector<FakeProvider::CallRecord> FakeProvider::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

size_t FakeProvider::live_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return material_.size();
}

ProviderFactory fake_provider_factory() {
  ProviderFactory f;
  f.type_name = "Fake";
  f.id = ProviderId::TrustedService;
  f.check_settings = [](const Settings& s) { return s.refuse_unknown(); };
  f.create = [](const ProviderContext& ctx) -> Result<Made> {
    PARSEC_TRY(ctx.settings.refuse_unknown());
    return Made::available(std::make_unique<FakeProvider>());
  };
  return f;
}

}  // namespace parsec::provider
