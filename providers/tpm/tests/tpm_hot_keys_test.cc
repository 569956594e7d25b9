// Hot keys of the TPM provider against a private swtpm (three transient
// slots): more keys than slots signed from several threads at once, with
// verifications (which need a slot of their own) in between, every signature
// checked by OpenSSL; a destroyed key flushed from the TPM and refused; and
// an swtpm restart in the middle of a signing run, after which the stale
// handles are detected and the keys reload transparently. The TPM's own list
// of loaded transient objects (tpm2_getcap) is the witness of what is loaded.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <csignal>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "parsec/provider/tpm.h"
#include "tests/e2e/swtpm_fixture.h"

namespace parsec::provider {
namespace {

using psa::Algorithm;
using psa::Hash;

class NoTxn : public StorageTxn {
 public:
  void put(uint64_t, const Bytes&) override {}
  void remove(uint64_t) override {}
  std::optional<std::optional<Bytes>> staged(uint64_t) const override { return std::nullopt; }
};

Bytes sha256(const std::string& in) {
  Bytes out(32);
  unsigned int n = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

// openssl_verifies checks a PSA ECDSA signature (r || s) with OpenSSL against
// the PSA export of the public key (an uncompressed point).
bool openssl_verifies(const Bytes& point, int bits, const Bytes& hash, const Bytes& sig) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, bits == 256 ? "P-256" : "P-384", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_CTX* fctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  bool ok =
      fctx && EVP_PKEY_fromdata_init(fctx) == 1 && EVP_PKEY_fromdata(fctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(fctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  const size_t half = sig.size() / 2;
  ECDSA_SIG* es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(sig.data(), static_cast<int>(half), nullptr),
                 BN_bin2bn(sig.data() + half, static_cast<int>(half), nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  EVP_PKEY_CTX* vctx = ok ? EVP_PKEY_CTX_new(pkey, nullptr) : nullptr;
  ok = ok && der_len > 0 && vctx && EVP_PKEY_verify_init(vctx) == 1 &&
       EVP_PKEY_verify(vctx, der, static_cast<size_t>(der_len), hash.data(), hash.size()) == 1;
  EVP_PKEY_CTX_free(vctx);
  OPENSSL_free(der);
  EVP_PKEY_free(pkey);
  return ok;
}

class TpmHotKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    // As parsecd does (service/src/main.cc): the TCTI writes to swtpm's socket,
    // and a write to a swtpm that is being restarted must fail, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    ASSERT_TRUE(testing::Swtpm::available()) << "swtpm is not installed (run scripts/install-deps.sh)";
    tpm_ = std::make_unique<testing::Swtpm>();
    ProviderContext ctx;
    ctx.instance_name = "tpm-provider";
    ctx.settings = Settings({{"tcti", tpm_->tcti()}, {"owner_hierarchy_auth", ""}});
    auto made = tpm_factory().create(ctx);
    ASSERT_TRUE(made.ok()) << made.detail();
    ASSERT_NE(made->provider, nullptr) << made->unavailable;
    provider_ = std::move(made->provider);
  }
  void TearDown() override {
    provider_.reset();
    tpm_.reset();
  }

  struct Key {
    StoredKey stored;
    Bytes pub;
    int bits = 256;
    Algorithm alg = Algorithm::ecdsa(Hash::Sha256);
  };

  Key generate(int bits) {
    Key k;
    k.bits = bits;
    k.alg = Algorithm::ecdsa(bits == 256 ? Hash::Sha256 : Hash::Sha384);
    NoTxn txn;
    auto created = provider_->generate_key(KeyAttributes::ecc_key_pair(static_cast<uint32_t>(bits), k.alg), txn);
    EXPECT_TRUE(created.ok()) << created.detail();
    if (created.ok()) {
      k.stored = StoredKey{"k" + std::to_string(bits), created->key_ref, created->attributes};
      auto pub = provider_->export_public_key(k.stored);
      EXPECT_TRUE(pub.ok());
      k.pub = pub.ok() ? *pub : Bytes{};
    }
    return k;
  }

  Bytes hash_for(const Key& k, const std::string& msg) {
    Bytes h = sha256(msg);
    if (k.bits == 384) {
      Bytes h2 = sha256(msg + "/2");
      h.insert(h.end(), h2.begin(), h2.begin() + 16);  // any 48 bytes will do for SHA-384 ECDSA
    }
    return h;
  }

  // loaded_transients asks the TPM how many transient objects it holds.
  int loaded_transients() {
    std::string out;
    EXPECT_EQ(tpm_->tool({"tpm2_getcap", "handles-transient"}, &out), 0) << out;
    int n = 0;
    for (size_t at = out.find("0x80"); at != std::string::npos; at = out.find("0x80", at + 1)) {
      ++n;
    }
    return n;
  }

  std::unique_ptr<testing::Swtpm> tpm_;
  std::unique_ptr<Provider> provider_;
};

TEST_F(TpmHotKeys, MoreKeysThanSlotsSignFromEightThreads) {
  // Five keys, three slots (one of them the storage primary key's).
  std::vector<Key> keys;
  for (int bits : {256, 384, 256, 256, 384}) {
    keys.push_back(generate(bits));
    ASSERT_FALSE(keys.back().pub.empty());
  }
  // Generation loads nothing but the primary key.
  EXPECT_EQ(loaded_transients(), 1);

  constexpr int kThreads = 8;
  constexpr int kPerThread = 30;
  std::atomic<int> verified{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const Key& k = keys[static_cast<size_t>((t + i) % static_cast<int>(keys.size()))];
        const Bytes h = hash_for(k, "thread " + std::to_string(t) + " #" + std::to_string(i));
        auto sig = provider_->sign_hash(k.stored, psa::op::SignHash{k.stored.name, k.alg, h});
        if (!sig.ok() || !openssl_verifies(k.pub, k.bits, h, *sig)) {
          ++failures;
          continue;
        }
        ++verified;
        if (i % 5 == 0) {
          // Verification loads the public key next to the hot keys: one more
          // slot, made by evicting a hot key no signer is using.
          if (!provider_->verify_hash(k.stored, psa::op::VerifyHash{k.stored.name, k.alg, h, *sig}).ok()) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(verified.load(), kThreads * kPerThread);
  // The last two keys used stay loaded beside the primary key: three slots,
  // all used, never more.
  EXPECT_EQ(loaded_transients(), 3);

  // A key kept loaded signs again without a load.
  const Key& last = keys[0];
  const Bytes h = hash_for(last, "again");
  auto sig = provider_->sign_hash(last.stored, psa::op::SignHash{last.stored.name, last.alg, h});
  ASSERT_TRUE(sig.ok()) << sig.detail();
  EXPECT_TRUE(openssl_verifies(last.pub, last.bits, h, *sig));
  EXPECT_EQ(loaded_transients(), 3);
}

TEST_F(TpmHotKeys, DestroyFlushesTheKeyAndLaterUseIsRefused) {
  Key k = generate(256);
  ASSERT_FALSE(k.pub.empty());
  const Bytes h = hash_for(k, "before");
  auto sig = provider_->sign_hash(k.stored, psa::op::SignHash{k.stored.name, k.alg, h});
  ASSERT_TRUE(sig.ok()) << sig.detail();
  ASSERT_TRUE(openssl_verifies(k.pub, k.bits, h, *sig));
  EXPECT_EQ(loaded_transients(), 2);  // primary + the hot key

  NoTxn txn;
  ASSERT_TRUE(provider_->destroy_key(k.stored, txn).ok());
  provider_->finish_destroy(k.stored);
  EXPECT_EQ(loaded_transients(), 1);  // flushed by the destruction

  // A request that looked the key up before it was destroyed.
  EXPECT_EQ(provider_->sign_hash(k.stored, psa::op::SignHash{k.stored.name, k.alg, h}).status(),
            Status::PsaErrorDoesNotExist);
  EXPECT_EQ(provider_->sign_message(k.stored, psa::op::SignMessage{k.stored.name, k.alg, Bytes{1, 2}}).status(),
            Status::PsaErrorDoesNotExist);
  EXPECT_EQ(loaded_transients(), 1);

  // Other keys are not affected.
  Key other = generate(256);
  const Bytes h2 = hash_for(other, "other");
  auto sig2 = provider_->sign_hash(other.stored, psa::op::SignHash{other.stored.name, other.alg, h2});
  ASSERT_TRUE(sig2.ok()) << sig2.detail();
  EXPECT_TRUE(openssl_verifies(other.pub, other.bits, h2, *sig2));
  EXPECT_EQ(loaded_transients(), 2);
}

TEST_F(TpmHotKeys, SwtpmRestartMidRunReloadsKeysTransparently) {
  std::vector<Key> keys;
  for (int bits : {256, 256, 384}) {
    keys.push_back(generate(bits));
    ASSERT_FALSE(keys.back().pub.empty());
  }
  constexpr int kThreads = 3;
  constexpr int kAfterRestart = 25;  // signatures each signer needs after the restart
  std::mutex mu;
  std::condition_variable cv;
  int warmed = 0;          // signers with a verified signature before the restart
  bool restarted = false;  // swtpm stopped and started again
  std::atomic<int> bad_signatures{0};
  std::atomic<int> unexpected_status{0};
  std::atomic<int> after{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      bool counted_warm = false;
      int ok_after = 0;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      for (int i = 0; ok_after < kAfterRestart && std::chrono::steady_clock::now() < deadline; ++i) {
        const Key& k = keys[static_cast<size_t>((t + i) % static_cast<int>(keys.size()))];
        bool was_restarted = false;
        {
          std::lock_guard lock(mu);
          was_restarted = restarted;
        }
        const Bytes h = hash_for(k, "t" + std::to_string(t) + "/" + std::to_string(i));
        auto sig = provider_->sign_hash(k.stored, psa::op::SignHash{k.stored.name, k.alg, h});
        if (sig.ok()) {
          if (!openssl_verifies(k.pub, k.bits, h, *sig)) {
            ++bad_signatures;
          } else if (was_restarted) {
            ++ok_after;
          } else if (!counted_warm) {
            counted_warm = true;
            std::lock_guard lock(mu);
            ++warmed;
            cv.notify_all();
          }
        } else if (sig.status() != Status::PsaErrorCommunicationFailure) {
          // While swtpm is down (and for the provider's retry interval after
          // a request found it down) CommunicationFailure is the answer;
          // nothing else is. Stale handles after the restart never reach the
          // caller: the provider reloads the key and retries.
          ++unexpected_status;
        }
      }
      after += ok_after;
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return warmed == kThreads; }));
  }
  // Hot keys are loaded now (each signer has signed): their handles go stale.
  // (No tpm2_getcap here: its connection would interleave with the signers'.)
  tpm_->stop();
  tpm_->start();
  {
    std::lock_guard lock(mu);
    restarted = true;
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(bad_signatures.load(), 0);
  EXPECT_EQ(unexpected_status.load(), 0);
  EXPECT_EQ(after.load(), kThreads * kAfterRestart);
  EXPECT_LE(loaded_transients(), 3);
}

}  // namespace
}  // namespace parsec::provider
