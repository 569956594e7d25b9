// padding-oracle-bench: times RSA decryption through the software provider
// (providers/mbed, in process, over in-memory storage) for ciphertexts that
// decrypt, that have a bad padding, that were made for another key, that
// carry a wrong OAEP label, and that have the wrong length - the cases of
// upstream Parsec issue #619 - and prints the status each answers with and the
// median time of each, with the differences to the valid case. Prints
// figures only; never a pass/fail test (docs/padding-oracle.md).
//
//   padding-oracle-bench [--runs N] [--bits 2048] [--pin CPU]
//
// The classes are measured interleaved in a shuffled order, round after
// round, so that drift in the machine's speed spreads over all of them.
#include <sched.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "parsec/provider/mbed_crypto.h"

using namespace parsec;
using namespace parsec::provider;
using Clock = std::chrono::steady_clock;

namespace {

// ---- in-memory key storage --------------------------------------------------------

class MemoryStorage : public StorageReader {
 public:
  Result<std::optional<Bytes>> get(uint64_t uid) override {
    auto it = blobs.find(uid);
    return it == blobs.end() ? std::optional<Bytes>() : std::optional<Bytes>(it->second);
  }
  Result<uint64_t> max_uid() override { return blobs.empty() ? uint64_t{0} : blobs.rbegin()->first; }
  Result<std::vector<uint64_t>> all_uids() override {
    std::vector<uint64_t> out;
    for (const auto& [uid, blob] : blobs) {
      out.push_back(uid);
    }
    return out;
  }
  std::map<uint64_t, Bytes> blobs;
};

class MemoryTxn : public StorageTxn {
 public:
  explicit MemoryTxn(MemoryStorage& storage) : storage_(storage) {}
  void put(uint64_t uid, const Bytes& data) override { staged_[uid] = data; }
  void remove(uint64_t uid) override { staged_[uid] = std::nullopt; }
  std::optional<std::optional<Bytes>> staged(uint64_t uid) const override {
    auto it = staged_.find(uid);
    if (it == staged_.end()) {
      return std::nullopt;
    }
    return std::optional<std::optional<Bytes>>(it->second);
  }
  void commit() {
    for (auto& [uid, value] : staged_) {
      if (value) {
        storage_.blobs[uid] = *value;
      } else {
        storage_.blobs.erase(uid);
      }
    }
  }

 private:
  MemoryStorage& storage_;
  std::map<uint64_t, std::optional<Bytes>> staged_;
};

// ---- OpenSSL: keys and crafted ciphertexts ----------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

const unsigned char* u8(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string private_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PrivateKey(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

// encrypt: PKCS#1 v1.5 (oaep == false) or OAEP-SHA-256 with `label`, or the
// bare RSA function (raw == true) for a block with a chosen, broken padding.
std::string encrypt(EVP_PKEY* key, bool oaep, const std::string& label, const std::string& in, bool raw = false) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  EVP_PKEY_encrypt_init(ctx.get());
  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), raw ? RSA_NO_PADDING : oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING);
  if (oaep && !raw) {
    EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256());
    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256());
    if (!label.empty()) {
      EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), OPENSSL_memdup(label.data(), label.size()),
                                       static_cast<int>(label.size()));
    }
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, u8(in), in.size()) <= 0) {
    return {};
  }
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(in), in.size()) <= 0) {
    return {};
  }
  return out;
}

// below_modulus: the ciphertext, as a big-endian number, is below key's n.
bool below_modulus(EVP_PKEY* key, const std::string& ciphertext) {
  BIGNUM* n = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1) {
    return false;
  }
  BIGNUM* c = BN_bin2bn(u8(ciphertext), static_cast<int>(ciphertext.size()), nullptr);
  const bool below = BN_cmp(c, n) < 0;
  BN_free(c);
  BN_free(n);
  return below;
}

// ---- measurement ------------------------------------------------------------------

struct Case {
  std::string name;
  std::string ciphertext;
  std::string salt;
  Status status = Status::Success;
  std::vector<double> micros;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : (n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

void run_scheme(Provider& provider, MemoryStorage& storage, EVP_PKEY* key, EVP_PKEY* other_key, uint32_t bits,
                bool oaep, int runs, std::mt19937& rng) {
  // The key, imported into the provider with a decrypt-only policy.
  KeyAttributes attributes = KeyAttributes::rsa_key_pair(
      bits, oaep ? psa::Algorithm::rsa_oaep(psa::Hash::Sha256) : psa::Algorithm::rsa_pkcs1v15_crypt());
  attributes.flags = psa::UsageFlags();
  attributes.flags.decrypt = true;
  MemoryTxn txn(storage);
  std::string der = private_der(key);
  Result<CreatedKey> created = provider.import_key(attributes, SecretBytes::take(der), txn);
  if (!created.ok()) {
    std::fprintf(stderr, "import failed: %d\n", static_cast<int>(created.status()));
    std::exit(1);
  }
  txn.commit();
  const StoredKey stored{"bench", created->key_ref, created->attributes};

  const size_t k = bits / 8;
  const std::string message(32, 'm');
  // A block that decrypts to "00 02 <no zero byte at all>" (PKCS#1 v1.5) or to
  // a random-looking OAEP block: well-formed RSA, broken padding.
  std::string broken(k, '\x5a');
  broken[0] = 0x00;
  broken[1] = 0x02;
  const std::string valid = encrypt(key, oaep, "", message);
  // A ciphertext made for another key, below this key's modulus (checked
  // against the valid one's bound: a value >= n is refused before any private
  // operation, which anyone holding the public key can tell anyway; that case
  // is measured on its own below).
  std::string other_ct = encrypt(other_key, oaep, "", message);
  for (int tries = 0; tries < 1000 && !below_modulus(key, other_ct); ++tries) {
    other_ct = encrypt(other_key, oaep, "", message);
  }
  std::vector<Case> cases;
  cases.push_back({"valid", valid, "", Status::Success, {}});
  cases.push_back({"bad padding", encrypt(key, oaep, "", broken, true), "", Status::Success, {}});
  cases.push_back({"other key's ciphertext", other_ct, "", Status::Success, {}});
  if (oaep) {
    cases.push_back({"wrong label", encrypt(key, oaep, "label", message), "", Status::Success, {}});
  }
  cases.push_back({"value >= modulus", std::string(k, '\xff'), "", Status::Success, {}});
  cases.push_back({"wrong length (k-1)", valid.substr(1), "", Status::Success, {}});

  std::vector<size_t> order(cases.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  for (int round = 0; round < runs; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      Case& c = cases[i];
      psa::op::AsymmetricDecrypt op;
      op.key_name = "bench";
      op.alg = attributes.policy;
      op.ciphertext.assign(c.ciphertext.begin(), c.ciphertext.end());
      op.salt.assign(c.salt.begin(), c.salt.end());
      const auto t0 = Clock::now();
      Result<SecretBytes> out = provider.asymmetric_decrypt(stored, op);
      const auto t1 = Clock::now();
      c.micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      c.status = out.status();
    }
  }

  std::printf("\nRSA-%u %s, %d runs per case (interleaved, shuffled)\n", bits, oaep ? "OAEP-SHA-256" : "PKCS#1 v1.5",
              runs);
  std::printf("  %-24s %-24s %10s %10s %10s %10s %12s\n", "case", "status", "median us", "min us", "p10 us", "p90 us",
              "vs valid us");
  const double valid_median = median(cases[0].micros);
  for (const Case& c : cases) {
    const double m = median(c.micros);
    std::printf("  %-24s %-24s %10.1f %10.1f %10.1f %10.1f %+12.1f\n", c.name.c_str(), status_name(c.status), m,
                percentile(c.micros, 0.0), percentile(c.micros, 0.10), percentile(c.micros, 0.90), m - valid_median);
  }
  const double bad = median(cases[1].micros);
  const double other = median(cases[2].micros);
  std::printf("  bad padding - other key's ciphertext: %+.1f us (%.2f%% of the bad-padding median)\n", bad - other,
              100.0 * (bad - other) / bad);
  MemoryTxn drop(storage);
  (void)provider.destroy_key(stored, drop);
  drop.commit();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 300;
  uint32_t bits = 2048;
  int pin = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) {
      runs = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--bits") == 0) {
      bits = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--pin") == 0) {
      pin = std::atoi(argv[i + 1]);
    }
  }
  if (pin >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pin, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      std::perror("sched_setaffinity");
    }
  }
  MemoryStorage storage;
  ProviderContext ctx;
  ctx.instance_name = "padding-oracle-bench";
  ctx.storage = &storage;
  Result<std::unique_ptr<Provider>> provider = make_mbed_crypto_provider(ctx);
  if (!provider.ok()) {
    std::fprintf(stderr, "provider: %d\n", static_cast<int>(provider.status()));
    return 1;
  }
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  Pkey other(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  std::mt19937 rng(20240619);
  std::printf("padding-oracle-bench: Mbed TLS PSA provider, in process%s\n",
              pin >= 0 ? (", pinned to CPU " + std::to_string(pin)).c_str() : ", unpinned");
  run_scheme(**provider, storage, key.get(), other.get(), bits, false, runs, rng);
  run_scheme(**provider, storage, key.get(), other.get(), bits, true, runs, rng);
  return 0;
}
