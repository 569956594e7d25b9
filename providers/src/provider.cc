#include "parsec/provider/provider.h"

#include <algorithm>
#include <charconv>

namespace parsec::provider {

// Defaults: an operation a provider does not implement is not supported.
namespace {
Failure unsupported() {
  return Failure(Status::PsaErrorNotSupported, "the provider does not implement this operation");
}
}  // namespace

Result<CreatedKey> Provider::generate_key(const KeyAttributes&, StorageTxn&) {
  return unsupported();
}
Result<CreatedKey> Provider::import_key(const KeyAttributes&, const SecretBytes&, StorageTxn&) {
  return unsupported();
}
void Provider::abandon_key(const CreatedKey&) {}
Outcome Provider::destroy_key(const StoredKey&, StorageTxn&) {
  return unsupported();
}
void Provider::finish_destroy(const StoredKey&) {}
Result<std::vector<Bytes>> Provider::reconcile(const std::vector<Bytes>&) {
  return std::vector<Bytes>{};
}
Result<Bytes> Provider::export_public_key(const StoredKey&) {
  return unsupported();
}
Result<SecretBytes> Provider::export_key(const StoredKey&) {
  return unsupported();
}
Result<Bytes> Provider::sign_hash(const StoredKey&, const psa::op::SignHash&) {
  return unsupported();
}
Outcome Provider::verify_hash(const StoredKey&, const psa::op::VerifyHash&) {
  return unsupported();
}
Result<Bytes> Provider::sign_message(const StoredKey&, const psa::op::SignMessage&) {
  return unsupported();
}
Outcome Provider::verify_message(const StoredKey&, const psa::op::VerifyMessage&) {
  return unsupported();
}
Result<Bytes> Provider::asymmetric_encrypt(const StoredKey&, const psa::op::AsymmetricEncrypt&) {
  return unsupported();
}
Result<SecretBytes> Provider::asymmetric_decrypt(const StoredKey&, const psa::op::AsymmetricDecrypt&) {
  return unsupported();
}
Result<Bytes> Provider::aead_encrypt(const StoredKey&, const psa::op::AeadEncrypt&) {
  return unsupported();
}
Result<SecretBytes> Provider::aead_decrypt(const StoredKey&, const psa::op::AeadDecrypt&) {
  return unsupported();
}
Result<Bytes> Provider::cipher_encrypt(const StoredKey&, const psa::op::CipherEncrypt&) {
  return unsupported();
}
Result<SecretBytes> Provider::cipher_decrypt(const StoredKey&, const psa::op::CipherDecrypt&) {
  return unsupported();
}
Result<Bytes> Provider::mac_compute(const StoredKey&, const psa::op::MacCompute&) {
  return unsupported();
}
Outcome Provider::mac_verify(const StoredKey&, const psa::op::MacVerify&) {
  return unsupported();
}
Result<SecretBytes> Provider::raw_key_agreement(const StoredKey&, const psa::op::RawKeyAgreement&) {
  return unsupported();
}
Result<Bytes> Provider::hash_compute(const psa::op::HashCompute&) {
  return unsupported();
}
Outcome Provider::hash_compare(const psa::op::HashCompare&) {
  return unsupported();
}
Result<SecretBytes> Provider::generate_random(const psa::op::GenerateRandom&) {
  return unsupported();
}
Outcome Provider::can_do_crypto(const psa::op::CanDoCrypto&) {
  return unsupported();
}
Result<psa::AttestedCredential> Provider::attest_key(const StoredKey&, const psa::op::AttestKey&) {
  return unsupported();
}
Result<psa::PreparedAttestation> Provider::prepare_key_attestation(const StoredKey&,
                                                                   const psa::op::PrepareKeyAttestation&) {
  return unsupported();
}

// ---- Settings ------------------------------------------------------------------

Settings::Settings(std::vector<std::pair<std::string, std::string>> entries) : entries_(std::move(entries)) {}

// Settings may hold a PIN or an auth value: zeroed on release.
Settings::~Settings() {
  for (auto& kv : entries_) {
    wipe(kv.second);
  }
}

Settings::Settings(const Settings& o) : entries_(o.entries_), read_(o.read_) {}

Settings& Settings::operator=(const Settings& o) {
  if (this != &o) {
    for (auto& kv : entries_) {
      wipe(kv.second);
    }
    entries_ = o.entries_;
    read_ = o.read_;
  }
  return *this;
}

const std::string* Settings::find(const std::string& key) const {
  if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
    read_.push_back(key);
  }
  for (const auto& kv : entries_) {
    if (kv.first == key) {
      return &kv.second;
    }
  }
  return nullptr;
}

bool Settings::has(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& kv) { return kv.first == key; });
}

std::optional<std::string> Settings::string(const std::string& key) const {
  const std::string* v = find(key);
  if (!v) {
    return std::nullopt;
  }
  return *v;
}

std::optional<SecretBytes> Settings::secret(const std::string& key) const {
  const std::string* v = find(key);
  if (!v) {
    return std::nullopt;
  }
  return SecretBytes(*v);
}

Result<std::optional<uint64_t>> Settings::integer(const std::string& key, uint64_t min, uint64_t max) const {
  const std::string* v = find(key);
  if (!v) {
    return std::optional<uint64_t>{};
  }
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || v->empty()) {
    return Failure(Status::InvalidEncoding, "setting \"" + key + "\" must be a non-negative integer");
  }
  if (n < min || n > max) {
    return Failure(Status::InvalidEncoding,
                   "setting \"" + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return std::optional<uint64_t>(n);
}

Result<std::optional<bool>> Settings::boolean(const std::string& key) const {
  const std::string* v = find(key);
  if (!v) {
    return std::optional<bool>{};
  }
  if (*v == "true") {
    return std::optional<bool>(true);
  }
  if (*v == "false") {
    return std::optional<bool>(false);
  }
  return Failure(Status::InvalidEncoding, "setting \"" + key + "\" must be true or false");
}

std::vector<std::string> Settings::unknown() const {
  std::vector<std::string> out;
  for (const auto& kv : entries_) {
    if (std::find(read_.begin(), read_.end(), kv.first) == read_.end()) {
      out.push_back(kv.first);
    }
  }
  return out;
}

Outcome Settings::refuse_unknown() const {
  auto u = unknown();
  if (u.empty()) {
    return Outcome();
  }
  return Failure(Status::InvalidEncoding, "unknown setting \"" + u.front() + "\"");
}

}  // namespace parsec::provider
