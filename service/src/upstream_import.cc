#include "service/src/upstream_import.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <tuple>

#include "parsec/crypto/import.h"
#include "parsec/interface/base64url.h"
#include "parsec/psa/policy.h"
#include "service/src/key_lifecycle.h"

namespace parsec::service::upstream {
namespace {

namespace fs = std::filesystem;
using psa::Algorithm;
using psa::Hash;

Failure invalid(const std::string& why) {
  return Failure(Status::InvalidEncoding, why);
}

// ---- bincode (fixed-width integers, little endian, u32 enum tags, u64 lengths) ----

class Reader {
 public:
  explicit Reader(const std::string& bytes) : p_(bytes) {}

  bool u8(uint8_t& v) { return take(&v, 1); }
  bool u32(uint32_t& v) {
    uint8_t b[4];
    if (!take(b, 4)) {
      return false;
    }
    v = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 | static_cast<uint32_t>(b[2]) << 16 |
        static_cast<uint32_t>(b[3]) << 24;
    return true;
  }
  bool u64(uint64_t& v) {
    uint32_t lo = 0, hi = 0;
    if (!u32(lo) || !u32(hi)) {
      return false;
    }
    v = static_cast<uint64_t>(hi) << 32 | lo;
    return true;
  }
  bool boolean(bool& v) {
    uint8_t b = 0;
    if (!u8(b) || b > 1) {
      return false;
    }
    v = b == 1;
    return true;
  }
  bool bytes(Bytes& out) {
    uint64_t n = 0;
    if (!u64(n) || n > p_.size() - pos_) {
      return false;
    }
    out.assign(p_.begin() + static_cast<std::ptrdiff_t>(pos_), p_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return true;
  }
  bool at_end() const { return pos_ == p_.size(); }

 private:
  bool take(uint8_t* out, size_t n) {
    if (p_.size() - pos_ < n) {
      return false;
    }
    std::copy_n(p_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out);
    pos_ += n;
    return true;
  }
  const std::string& p_;
  size_t pos_ = 0;
};

// A failed read: the reason names the field.
#define READ(expr, what)                                   \
  do {                                                     \
    if (!(expr)) {                                         \
      return invalid("mapping truncated or bad at " what); \
    }                                                      \
  } while (false)

// variant reads an enum tag and checks it is below `count`.
Outcome variant(Reader& r, uint32_t count, uint32_t& tag, const char* what) {
  if (!r.u32(tag) || tag >= count) {
    return invalid(std::string("unknown or truncated ") + what);
  }
  return Status::Success;
}

// The psa-crypto enums list their members in the order of this model's
// enums, which start at 1 (0 is None): model value = tag + 1.
Result<Hash> hash(Reader& r) {
  uint32_t t = 0;
  PARSEC_TRY(variant(r, 15, t, "hash"));
  return static_cast<Hash>(t + 1);
}

Result<Hash> sign_hash(Reader& r) {
  uint32_t t = 0;
  PARSEC_TRY(variant(r, 2, t, "signature hash"));
  if (t == 1) {
    return Hash::Any;
  }
  return hash(r);
}

Result<Algorithm> full_length_mac(Reader& r) {
  uint32_t t = 0;
  PARSEC_TRY(variant(r, 3, t, "MAC"));
  if (t == 0) {
    auto h = hash(r);
    PARSEC_TRY(h);
    return Algorithm::hmac(*h);
  }
  return t == 1 ? Algorithm::cbc_mac() : Algorithm::cmac();
}

Result<uint32_t> length32(Reader& r, const char* what) {
  uint64_t n = 0;
  if (!r.u64(n) || n > std::numeric_limits<uint32_t>::max()) {
    return invalid(std::string("bad ") + what);
  }
  return static_cast<uint32_t>(n);
}

Result<Algorithm> key_derivation(Reader& r) {
  uint32_t t = 0;
  PARSEC_TRY(variant(r, 3, t, "key derivation"));
  auto h = hash(r);
  PARSEC_TRY(h);
  switch (t) {
    case 0:
      return Algorithm::hkdf(*h);
    case 1:
      return Algorithm::tls12_prf(*h);
    default:
      return Algorithm::tls12_psk_to_ms(*h);
  }
}

Result<Algorithm> algorithm(Reader& r) {
  uint32_t t = 0;
  PARSEC_TRY(variant(r, 9, t, "algorithm"));
  switch (t) {
    case 0:
      return Algorithm::none();
    case 1: {
      auto h = hash(r);
      PARSEC_TRY(h);
      return Algorithm::hash(*h);
    }
    case 2: {
      uint32_t m = 0;
      PARSEC_TRY(variant(r, 2, m, "MAC kind"));
      auto full = full_length_mac(r);
      PARSEC_TRY(full);
      if (m == 0) {
        return *full;
      }
      auto len = length32(r, "MAC length");
      PARSEC_TRY(len);
      return Algorithm::truncated_mac(*full, *len);
    }
    case 3: {
      uint32_t c = 0;
      PARSEC_TRY(variant(r, 8, c, "cipher"));
      return Algorithm::cipher(static_cast<psa::Cipher>(c + 1));
    }
    case 4: {
      uint32_t kind = 0, base = 0;
      PARSEC_TRY(variant(r, 2, kind, "AEAD kind"));
      PARSEC_TRY(variant(r, 3, base, "AEAD"));
      const auto aead = static_cast<psa::AeadAlgorithm>(base + 1);
      if (kind == 0) {
        return Algorithm::aead(aead);
      }
      auto len = length32(r, "AEAD tag length");
      PARSEC_TRY(len);
      return Algorithm::aead_shortened_tag(aead, *len);
    }
    case 5: {
      uint32_t s = 0;
      PARSEC_TRY(variant(r, 6, s, "signature algorithm"));
      if (s == 1) {
        return Algorithm::rsa_pkcs1v15_sign_raw();
      }
      if (s == 4) {
        return Algorithm::ecdsa_any();
      }
      auto h = sign_hash(r);
      PARSEC_TRY(h);
      return s == 0   ? Algorithm::rsa_pkcs1v15_sign(*h)
             : s == 2 ? Algorithm::rsa_pss(*h)
             : s == 3 ? Algorithm::ecdsa(*h)
                      : Algorithm::deterministic_ecdsa(*h);
    }
    case 6: {
      uint32_t e = 0;
      PARSEC_TRY(variant(r, 2, e, "encryption algorithm"));
      if (e == 0) {
        return Algorithm::rsa_pkcs1v15_crypt();
      }
      auto h = hash(r);
      PARSEC_TRY(h);
      return Algorithm::rsa_oaep(*h);
    }
    case 7: {
      uint32_t kind = 0, raw = 0;
      PARSEC_TRY(variant(r, 2, kind, "key agreement kind"));
      PARSEC_TRY(variant(r, 2, raw, "key agreement"));
      const auto ka = static_cast<psa::RawKeyAgreement>(raw + 1);
      if (kind == 0) {
        return Algorithm::raw_key_agreement(ka);
      }
      auto kdf = key_derivation(r);
      PARSEC_TRY(kdf);
      return Algorithm::key_agreement_with_derivation(ka, *kdf);
    }
    default:
      return key_derivation(r);
  }
}

Result<psa::KeyAttributes> attributes(Reader& r) {
  psa::KeyAttributes a;
  uint32_t lifetime = 0;
  PARSEC_TRY(variant(r, 3, lifetime, "lifetime"));
  if (lifetime == 2) {
    uint32_t custom = 0;
    READ(r.u32(custom), "custom lifetime");
  }
  uint32_t type = 0;
  PARSEC_TRY(variant(r, 14, type, "key type"));
  a.type = static_cast<psa::KeyType>(type + 1);
  if (psa::is_ecc_key_type(a.type)) {
    uint32_t family = 0;
    PARSEC_TRY(variant(r, 9, family, "curve family"));
    a.family = static_cast<psa::EccFamily>(family + 1);
  } else if (psa::is_dh_key_type(a.type)) {
    uint32_t group = 0;
    PARSEC_TRY(variant(r, 1, group, "Diffie-Hellman group"));
    a.dh_family = psa::DhFamily::Rfc7919;
  }
  uint64_t bits = 0;
  READ(r.u64(bits) && bits <= std::numeric_limits<uint32_t>::max(), "key size");
  a.bits = static_cast<uint32_t>(bits);
  psa::UsageFlags& f = a.flags;
  READ(r.boolean(f.export_) && r.boolean(f.copy) && r.boolean(f.cache) && r.boolean(f.encrypt) &&
           r.boolean(f.decrypt) && r.boolean(f.sign_message) && r.boolean(f.verify_message) && r.boolean(f.sign_hash) &&
           r.boolean(f.verify_hash) && r.boolean(f.derive),
       "usage flags");
  auto alg = algorithm(r);
  PARSEC_TRY(alg);
  a.policy = *alg;
  return a;
}

// ---- the OnDisk folder ----------------------------------------------------------

Result<std::string> read_file(const fs::path& path, size_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return Failure(Status::PsaErrorStorageFailure, "cannot read " + path.string() + ": " + ec.message());
  }
  if (size > limit) {
    return invalid(path.string() + " is larger than " + std::to_string(limit) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return Failure(Status::PsaErrorStorageFailure, "cannot read " + path.string());
  }
  return data;
}

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

// public_of: the PSA public-key export of key material in PSA import format.
Result<Bytes> public_of(const psa::KeyAttributes& a, const SecretBytes& material) {
  if (psa::is_public_key_type(a.type)) {
    return material.bytes();
  }
  if (psa::is_ecc_key_type(a.type)) {
    return crypto::ecc_public_point(a.family, a.bits, material);
  }
  if (psa::is_rsa_key_type(a.type)) {
    const Bytes& v = material.bytes();
    auto parsed = crypto::parse_rsa_private_key(v.data(), v.size());
    PARSEC_TRY(parsed);
    const Bytes& n = parsed->modulus.bytes();
    const Bytes& e = parsed->public_exponent.bytes();
    return crypto::rsa_public_key_der(n.data(), n.size(), e.data(), e.size());
  }
  return Failure(Status::PsaErrorNotSupported, "not an asymmetric key");
}

const char* provider_label(uint8_t id) {
  switch (id) {
    case 1:
      return "Mbed Crypto";
    case 2:
      return "PKCS #11";
    case 3:
      return "TPM";
    default:
      return "unknown";
  }
}

}  // namespace

Result<MappedKey> decode_key_info(const std::string& bytes) {
  Reader r(bytes);
  MappedKey k;
  READ(r.bytes(k.id), "key reference");
  auto a = attributes(r);
  PARSEC_TRY(a);
  if (!r.at_end()) {
    return invalid("trailing bytes after the key attributes");
  }
  Outcome valid = psa::policy::validate_attributes(*a);
  if (!valid.ok()) {
    return invalid("attributes break the contract: " + valid.detail());
  }
  k.attributes = *a;
  return k;
}

Result<std::vector<MappedKey>> read_mappings(const std::string& dir) {
  std::vector<MappedKey> keys;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Failure(Status::PsaErrorStorageFailure, dir + " is not a readable folder");
  }
  for (const auto& app_dir : fs::directory_iterator(dir, ec)) {
    if (!app_dir.is_directory()) {
      continue;
    }
    std::string app;
    const std::string app_encoded = app_dir.path().filename().string();
    if (app_encoded == "parsec") {
      // Upstream's own internal keys (e.g. its TPM root key), not a client's.
      continue;
    }
    if (auto d = base64url_decode(app_encoded)) {
      app = std::move(*d);
    } else {
      return invalid(app_dir.path().string() + " is not a base64url application name");
    }
    for (const auto& provider_dir : fs::directory_iterator(app_dir.path(), ec)) {
      const std::string pid = provider_dir.path().filename().string();
      if (!provider_dir.is_directory() || pid.empty() || pid.size() > 3 ||
          !std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoi(pid) > 255) {
        return invalid(provider_dir.path().string() + " is not a provider folder (a number)");
      }
      for (const auto& file : fs::directory_iterator(provider_dir.path(), ec)) {
        MappedKey key;
        if (auto d = base64url_decode(file.path().filename().string())) {
          key.key_name = std::move(*d);
        } else {
          return invalid(file.path().string() + ": the file name is not a base64url key name");
        }
        auto content = read_file(file.path(), 1 << 20);
        PARSEC_TRY(content);
        auto decoded = decode_key_info(*content);
        if (!decoded.ok()) {
          return Failure(decoded.status(), file.path().string() + ": " + decoded.detail());
        }
        decoded->app = app;
        decoded->provider_id = static_cast<uint8_t>(std::stoi(pid));
        decoded->key_name = key.key_name;
        decoded->path = file.path().string();
        keys.push_back(std::move(*decoded));
      }
    }
  }
  if (ec) {
    return Failure(Status::PsaErrorStorageFailure, "cannot list " + dir + ": " + ec.message());
  }
  // Deterministic order: reports and re-runs read the same.
  std::sort(keys.begin(), keys.end(), [](const MappedKey& a, const MappedKey& b) {
    return std::tie(a.app, a.provider_id, a.key_name) < std::tie(b.app, b.provider_id, b.key_name);
  });
  return keys;
}

Result<uint32_t> mbed_key_id(const MappedKey& key) {
  if (key.id.size() != 4) {
    return invalid(key.path + ": an Mbed Crypto key reference is 4 bytes, found " + std::to_string(key.id.size()));
  }
  return le32(key.id.data());
}

Result<SecretBytes> read_mbed_key(const std::string& dir, uint32_t id, const psa::KeyAttributes& expected) {
  char name[32];
  std::snprintf(name, sizeof name, "%08x%08x.psa_its", 0u, id);
  const fs::path path = fs::path(dir) / name;
  auto file = read_file(path, 64 << 10);
  PARSEC_TRY(file);
  SecretBytes content = SecretBytes::take(*file);
  const Bytes& v = content.bytes();
  // ITS file: "PSA\0ITS\0", size (u32 LE), flags (u32 LE), then the record.
  static const uint8_t kIts[8] = {'P', 'S', 'A', 0, 'I', 'T', 'S', 0};
  if (v.size() < 16 || !std::equal(kIts, kIts + 8, v.data()) || le32(v.data() + 8) != v.size() - 16) {
    return invalid(path.string() + " is not an ITS file of the expected length");
  }
  // Record: "PSA\0KEY\0", version 0, lifetime, type (u16), bits (u16),
  // usage, alg, alg2 (u32 each), data length (u32), data.
  const uint8_t* rec = v.data() + 16;
  const size_t rec_len = v.size() - 16;
  static const uint8_t kKey[8] = {'P', 'S', 'A', 0, 'K', 'E', 'Y', 0};
  constexpr size_t kHeader = 8 + 4 + 4 + 2 + 2 + 12 + 4;
  if (rec_len < kHeader || !std::equal(kKey, kKey + 8, rec) || le32(rec + 8) != 0) {
    return invalid(path.string() + " does not hold a version-0 PSA key record");
  }
  const uint16_t type = static_cast<uint16_t>(rec[16] | rec[17] << 8);
  const uint16_t bits = static_cast<uint16_t>(rec[18] | rec[19] << 8);
  const uint32_t data_len = le32(rec + kHeader - 4);
  if (data_len != rec_len - kHeader) {
    return invalid(path.string() + ": the key record's length field does not match the file");
  }
  if (expected.bits != 0 && bits != expected.bits) {
    return invalid(path.string() + ": the key file holds a " + std::to_string(bits) + "-bit key, the mapping says " +
                   std::to_string(expected.bits));
  }
  // PSA key types: bit 0x3000 set is a key pair, 0x4000 alone a public key.
  const bool file_pair = (type & 0x7000) == 0x7000;
  const bool file_public = (type & 0x7000) == 0x4000;
  if ((psa::is_public_key_type(expected.type) && !file_public) ||
      ((psa::is_ecc_key_type(expected.type) || psa::is_rsa_key_type(expected.type)) &&
       !psa::is_public_key_type(expected.type) && !file_pair)) {
    return invalid(path.string() + ": the key file's type does not match the mapping");
  }
  Bytes material(rec + kHeader, rec + kHeader + data_len);
  return SecretBytes::take(material);
}

Result<ImportReport> import_all(Backends& backends, const ImportOptions& options) {
  auto keys = read_mappings(options.mappings_dir);
  PARSEC_TRY(keys);
  ImportReport report;
  ProviderEntry* software = backends.find(ProviderId::MbedCrypto);
  for (const MappedKey& k : *keys) {
    const std::string who = "\"" + k.key_name + "\" of \"" + k.app + "\" (" + provider_label(k.provider_id) + ")";
    if (k.provider_id != 1) {
      ++report.skipped;
      spdlog::warn(
          "import-upstream: {} not moved: {} keys stay where upstream made them and this daemon cannot adopt "
          "them (docs/compatibility.md); recreate them or keep that provider on upstream",
          who, provider_label(k.provider_id));
      continue;
    }
    if (software == nullptr) {
      ++report.failed;
      spdlog::error("import-upstream: {} not imported: no MbedCrypto provider is configured", who);
      continue;
    }
    auto id = mbed_key_id(k);
    auto material = id.ok() ? read_mbed_key(options.key_dir, *id, k.attributes) : Result<SecretBytes>(id.failure());
    if (!material.ok()) {
      ++report.failed;
      spdlog::error("import-upstream: {} not imported: {}", who, material.detail());
      continue;
    }
    const KeyOwner owner{options.auth, k.app};
    psa::KeyAttributes attrs = k.attributes;
    psa::policy::normalise_flags(attrs);
    auto present = key_lifecycle::lookup(*software, owner, k.key_name, true);
    if (!present.ok() && present.status() != Status::PsaErrorDoesNotExist) {
      ++report.failed;
      spdlog::error("import-upstream: {} not imported: {}", who, present.detail());
      continue;
    }
    if (present.ok()) {
      // An earlier run imported it (or someone made a key of that name):
      // the same public key means the former.
      auto theirs = public_of(attrs, *material);
      auto ours = software->impl->export_public_key(*present);
      if (theirs.ok() && ours.ok() && *theirs == *ours) {
        ++report.present;
        spdlog::info("import-upstream: {} already imported", who);
      } else {
        ++report.failed;
        spdlog::error("import-upstream: {} not imported: a different key of that name exists", who);
      }
      continue;
    }
    Outcome made = key_lifecycle::create(*software, owner, k.key_name, attrs, &*material, true);
    if (!made.ok()) {
      ++report.failed;
      spdlog::error("import-upstream: {} not imported: {} ({})", who, made.detail(), status_name(made.status()));
      continue;
    }
    ++report.imported;
    spdlog::info("import-upstream: {} imported", who);
  }
  return report;
}

}  // namespace parsec::service::upstream
