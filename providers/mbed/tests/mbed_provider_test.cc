// The software provider end to end over in-memory storage; every signature
// and every exported key is checked with OpenSSL, never with Mbed TLS itself.
#include "parsec/provider/mbed_crypto.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "providers/mbed/src/psa_values.h"
#include "providers/mbed/tests/psa_test_hooks.h"
#include "providers/mbed/tests/rsa_test_keys.h"
#include "providers/mbed/tests/test_support.h"

namespace parsec::provider::test {
namespace {

const auto kSha256 = psa::Hash::Sha256;
const auto kSha384 = psa::Hash::Sha384;
const char* md_name(Hash h) {
  return h == kSha384 ? "SHA384" : "SHA256";
}

class MbedProviderTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void TearDown() override {
    provider_.reset();
    // Whatever happened, Mbed TLS's file backend must never have run.
    EXPECT_TRUE(its_files_in_cwd().empty());
  }

  void start() {
    ProviderContext ctx;
    ctx.instance_name = "mbed-crypto-provider";
    ctx.storage = &storage_;
    Result<std::unique_ptr<Provider>> p = make_mbed_crypto_provider(ctx);
    ASSERT_TRUE(p.ok()) << static_cast<int>(p.status());
    provider_ = std::move(*p);
  }

  // generate / import and commit, as the service does on success.
  CreatedKey generate(const KeyAttributes& attributes) {
    FakeTxn txn;
    Result<CreatedKey> key = provider_->generate_key(attributes, txn);
    EXPECT_TRUE(key.ok()) << static_cast<int>(key.status());
    if (!key.ok()) {
      return {};
    }
    txn.commit_to(storage_);
    return *key;
  }

  Result<CreatedKey> import(const KeyAttributes& attributes, const Bytes& data) {
    FakeTxn txn;
    Result<CreatedKey> key = provider_->import_key(attributes, SecretBytes(data.data(), data.size()), txn);
    if (key.ok()) {
      txn.commit_to(storage_);
    }
    return key;
  }

  Bytes sign(const CreatedKey& key, const SignAlg& alg, const Bytes& digest) {
    Result<Bytes> sig = provider_->sign_hash(stored(key), sign_op(alg, digest));
    EXPECT_TRUE(sig.ok()) << static_cast<int>(sig.status());
    return sig.ok() ? *sig : Bytes{};
  }

  Bytes export_public(const CreatedKey& key) {
    Result<Bytes> pub = provider_->export_public_key(stored(key));
    EXPECT_TRUE(pub.ok()) << static_cast<int>(pub.status());
    return pub.ok() ? *pub : Bytes{};
  }

  void expect_ecdsa_signs(uint32_t bits, Hash hash, bool deterministic) {
    const SignAlg alg = deterministic ? deterministic_ecdsa(hash) : ecdsa(hash);
    const CreatedKey key = generate(ecc_key_pair(bits, alg));
    const Bytes digest = test::digest(md_name(hash), "message to sign");
    const Bytes sig = sign(key, alg, digest);
    EXPECT_EQ(sig.size(), 2 * ((bits + 7) / 8));  // raw r||s

    const Bytes pub = export_public(key);
    ASSERT_EQ(pub.size(), 1 + 2 * ((bits + 7) / 8));
    EXPECT_EQ(pub[0], 0x04);
    EvpPkey ossl = ossl_ec_public_from_point(bits, pub);
    ASSERT_TRUE(ossl);
    EXPECT_TRUE(ossl_verify(ossl.get(), md_name(hash), digest, sig, RsaPadding::None));
    EXPECT_EQ(provider_->verify_hash(stored(key), verify_op(alg, digest, sig)), Status::Success);
    if (deterministic) {
      EXPECT_EQ(sign(key, alg, digest), sig);
    }
  }

  FakeStorage storage_;
  std::unique_ptr<Provider> provider_;
};

TEST_F(MbedProviderTest, InfoAndOpcodes) {
  const ProviderInfo info = provider_->info();
  EXPECT_EQ(info.id, ProviderId::MbedCrypto);
  EXPECT_EQ(info.uuid, "1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
  EXPECT_EQ(info.description,
            "User space software provider, based on Mbed Crypto - the reference implementation of the PSA crypto "
            "API");
  EXPECT_EQ(info.vendor, "Arm");
  EXPECT_EQ(info.version_maj, 0u);
  EXPECT_EQ(info.version_min, 1u);
  EXPECT_EQ(info.version_rev, 0u);
  // The full list is checked by OpsTest.OpcodesAreExactlyWhatIsServed.
  const std::vector<Opcode> ops = provider_->opcodes();
  EXPECT_NE(std::find(ops.begin(), ops.end(), Opcode::PsaSignHash), ops.end());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), Opcode::AttestKey), ops.end());
}

TEST_F(MbedProviderTest, OnlyOneInstanceAtATime) {
  ProviderContext ctx;
  ctx.storage = &storage_;
  EXPECT_EQ(make_mbed_crypto_provider(ctx).status(), Status::PsaErrorBadState);
  provider_.reset();
  {
    Result<std::unique_ptr<Provider>> again = make_mbed_crypto_provider(ctx);
    EXPECT_TRUE(again.ok());
  }
  ctx.storage = nullptr;
  EXPECT_EQ(make_mbed_crypto_provider(ctx).status(), Status::PsaErrorStorageFailure);
}

TEST_F(MbedProviderTest, FactoryNamesTheProviderAndRefusesEverySetting) {
  const ProviderFactory f = mbed_crypto_factory();
  EXPECT_EQ(f.type_name, "MbedCrypto");
  EXPECT_EQ(f.id, ProviderId::MbedCrypto);
  ASSERT_TRUE(f.check_settings);
  EXPECT_TRUE(f.check_settings(Settings()).ok());
  const Outcome refused = f.check_settings(Settings({{"library_path", "/x"}, {"slot", "1"}}));
  EXPECT_EQ(refused.status(), Status::InvalidEncoding);
  EXPECT_EQ(refused.detail(), "MbedCrypto takes no setting \"library_path\"");
}

TEST_F(MbedProviderTest, FactoryCreatesTheProviderOrSaysWhyNot) {
  const ProviderFactory f = mbed_crypto_factory();
  ASSERT_TRUE(f.create);
  ProviderContext ctx;
  ctx.instance_name = "mbed-crypto-provider";
  ctx.storage = &storage_;
  // The fixture's instance holds the PSA core.
  Result<Made> busy = f.create(ctx);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status(), Status::PsaErrorBadState);
  EXPECT_EQ(busy.detail().rfind("Mbed TLS PSA Crypto failed to initialise: PsaErrorBadState", 0), 0u) << busy.detail();
  provider_.reset();
  {
    Result<Made> made = f.create(ctx);
    ASSERT_TRUE(made.ok()) << made.detail();
    ASSERT_NE(made->provider, nullptr);
    EXPECT_TRUE(made->unavailable.empty());
    EXPECT_EQ(made->provider->info().id, ProviderId::MbedCrypto);
  }
  ctx.storage = nullptr;
  Result<Made> no_storage = f.create(ctx);
  EXPECT_EQ(no_storage.status(), Status::PsaErrorStorageFailure);
  EXPECT_EQ(no_storage.detail().rfind("Mbed TLS PSA Crypto failed to initialise: PsaErrorStorageFailure", 0), 0u)
      << no_storage.detail();
}

TEST_F(MbedProviderTest, EcdsaP256SignatureVerifiesWithOpenSsl) {
  expect_ecdsa_signs(256, kSha256, false);
}
TEST_F(MbedProviderTest, EcdsaP384SignatureVerifiesWithOpenSsl) {
  expect_ecdsa_signs(384, kSha384, false);
}
TEST_F(MbedProviderTest, DeterministicEcdsaP256IsDeterministicAndVerifies) {
  expect_ecdsa_signs(256, kSha256, true);
}
TEST_F(MbedProviderTest, DeterministicEcdsaP384IsDeterministicAndVerifies) {
  expect_ecdsa_signs(384, kSha384, true);
}

TEST_F(MbedProviderTest, Rsa2048Pkcs1v15AndPssSignaturesVerifyWithOpenSsl) {
  // One key per scheme: a 2.28 key permits exactly one algorithm.
  struct Case {
    SignAlg alg;
    RsaPadding padding;
  };
  for (const Case& c : {Case{rsa_pkcs1v15(kSha256), RsaPadding::Pkcs1v15}, Case{rsa_pss(kSha256), RsaPadding::Pss}}) {
    const CreatedKey key = generate(rsa_key_pair(2048, c.alg));
    EXPECT_EQ(key.attributes.bits, 2048u);
    const Bytes digest = test::digest("SHA256", "message to sign");
    const Bytes sig = sign(key, c.alg, digest);
    EXPECT_EQ(sig.size(), 256u);
    EvpPkey ossl = ossl_rsa_public_from_der(export_public(key));
    ASSERT_TRUE(ossl);
    EXPECT_EQ(EVP_PKEY_get_bits(ossl.get()), 2048);
    EXPECT_TRUE(ossl_verify(ossl.get(), "SHA256", digest, sig, c.padding));
    EXPECT_EQ(provider_->verify_hash(stored(key), verify_op(c.alg, digest, sig)), Status::Success);
  }
}

TEST_F(MbedProviderTest, Rsa3072GeneratedKeySignsForOpenSsl) {
  // 4096 bits is accepted by the same rule but takes seconds to generate;
  // ImportsRsa3072And4096PublicKeys covers that size.
  const SignAlg alg = rsa_pss(kSha384);
  const CreatedKey key = generate(rsa_key_pair(3072, alg));
  const Bytes digest = test::digest("SHA384", "three thousand bits");
  const Bytes sig = sign(key, alg, digest);
  EXPECT_EQ(sig.size(), 384u);
  EvpPkey ossl = ossl_rsa_public_from_der(export_public(key));
  ASSERT_TRUE(ossl);
  EXPECT_EQ(EVP_PKEY_get_bits(ossl.get()), 3072);
  EXPECT_TRUE(ossl_verify(ossl.get(), "SHA384", digest, sig, RsaPadding::Pss));
}

TEST_F(MbedProviderTest, Rsa4096GenerationLeavesThePsaCoreFreeForOthers) {
  // The prime search runs outside the process-wide PSA lock: while an
  // RSA-4096 key is being generated on one thread (seconds), ECDSA signatures
  // on another thread complete. With the lock held throughout, each sign would
  // wait for the generation to end.
  const SignAlg ec_alg = ecdsa(kSha256);
  const CreatedKey ec = generate(ecc_key_pair(256, ec_alg));
  const SignAlg rsa_alg = rsa_pkcs1v15(kSha256);
  FakeTxn txn;  // committed only after the generating thread is joined
  std::atomic<bool> generated{false};
  CreatedKey rsa;
  std::thread gen([&] {
    Result<CreatedKey> k = provider_->generate_key(rsa_key_pair(4096, rsa_alg), txn);
    EXPECT_TRUE(k.ok()) << static_cast<int>(k.status());
    if (k.ok()) {
      rsa = *k;
    }
    generated = true;
  });
  const Bytes digest = test::digest("SHA256", "while RSA-4096 is generated");
  int signed_during = 0;
  // RSA-4096 generation takes far longer than 20 P-256 signatures.
  for (int i = 0; i < 20; ++i) {
    const Bytes sig = sign(ec, ec_alg, digest);
    EXPECT_EQ(sig.size(), 64u);
    if (!generated) {
      ++signed_during;
    }
  }
  gen.join();
  EXPECT_EQ(signed_during, 20);
  // The generated key is a real 4096-bit key that signs for OpenSSL.
  ASSERT_EQ(txn.all_staged().size(), 1u);
  txn.commit_to(storage_);
  const Bytes rsa_sig = sign(rsa, rsa_alg, digest);
  EXPECT_EQ(rsa_sig.size(), 512u);
  EvpPkey ossl = ossl_rsa_public_from_der(export_public(rsa));
  ASSERT_TRUE(ossl);
  EXPECT_EQ(EVP_PKEY_get_bits(ossl.get()), 4096);
  EXPECT_TRUE(ossl_verify(ossl.get(), "SHA256", digest, rsa_sig, RsaPadding::Pkcs1v15));
}

TEST_F(MbedProviderTest, VerifyHashRejectsABadSignature) {
  const SignAlg ec_alg = ecdsa(kSha256);
  const SignAlg rsa_alg = rsa_pss(kSha256);
  const Bytes digest = test::digest("SHA256", "message");
  for (const auto& [attributes, alg] :
       {std::pair{ecc_key_pair(256, ec_alg), ec_alg}, std::pair{rsa_key_pair(1024, rsa_alg), rsa_alg}}) {
    const CreatedKey key = generate(attributes);
    Bytes sig = sign(key, alg, digest);
    ASSERT_FALSE(sig.empty());
    sig[sig.size() / 2] ^= 0x01;
    EXPECT_EQ(provider_->verify_hash(stored(key), verify_op(alg, digest, sig)), Status::PsaErrorInvalidSignature);
    Bytes other_digest = digest;
    other_digest[0] ^= 0x80;
    sig[sig.size() / 2] ^= 0x01;
    EXPECT_EQ(provider_->verify_hash(stored(key), verify_op(alg, other_digest, sig)), Status::PsaErrorInvalidSignature);
  }
}

TEST_F(MbedProviderTest, ImportedOpenSslEcPublicKeyVerifiesOpenSslSignature) {
  for (const auto& [bits, hash] : {std::pair{256u, kSha256}, std::pair{384u, kSha384}}) {
    EvpPkey ossl = ossl_generate_ec(bits);
    ASSERT_TRUE(ossl);
    const Bytes point = ossl_public_encoding(ossl.get());
    Result<CreatedKey> key = import(ecc_public_key(0, ecdsa(hash)), point);
    ASSERT_TRUE(key.ok()) << static_cast<int>(key.status());
    EXPECT_EQ(key->attributes.bits, bits);  // taken from the data

    const Bytes digest = test::digest(md_name(hash), "signed by OpenSSL");
    const Bytes sig = ossl_sign(ossl.get(), md_name(hash), digest, RsaPadding::None, bits);
    EXPECT_EQ(provider_->verify_hash(stored(*key), verify_op(ecdsa(hash), digest, sig)), Status::Success);
    Bytes bad = sig;
    bad[3] ^= 0x10;
    EXPECT_EQ(provider_->verify_hash(stored(*key), verify_op(ecdsa(hash), digest, bad)),
              Status::PsaErrorInvalidSignature);
    // A public key has nothing to sign with.
    EXPECT_NE(provider_->sign_hash(stored(*key), sign_op(ecdsa(hash), digest)).status(), Status::Success);
    EXPECT_EQ(export_public(*key), point);
  }
}

TEST_F(MbedProviderTest, ImportedOpenSslRsaPublicKeyVerifiesOpenSslSignature) {
  EvpPkey ossl = ossl_generate_rsa(2048);
  ASSERT_TRUE(ossl);
  const Bytes der = ossl_public_encoding(ossl.get());
  const Bytes digest = test::digest("SHA256", "signed by OpenSSL");
  for (const auto& [alg, padding] :
       {std::pair{rsa_pkcs1v15(kSha256), RsaPadding::Pkcs1v15}, std::pair{rsa_pss(kSha256), RsaPadding::Pss}}) {
    Result<CreatedKey> key = import(rsa_public_key(2048, alg), der);
    ASSERT_TRUE(key.ok()) << static_cast<int>(key.status());
    const Bytes sig = ossl_sign(ossl.get(), "SHA256", digest, padding);
    ASSERT_EQ(sig.size(), 256u);
    EXPECT_EQ(provider_->verify_hash(stored(*key), verify_op(alg, digest, sig)), Status::Success);
    EXPECT_EQ(export_public(*key), der);
  }
}

TEST_F(MbedProviderTest, ExportPublicKeyIsByteExactWithOpenSsl) {
  // Private keys made by OpenSSL, imported, and their public halves exported:
  // the export must be OpenSSL's own encoding of the same key.
  for (uint32_t bits : {256u, 384u}) {
    EvpPkey ossl = ossl_generate_ec(bits);
    Result<CreatedKey> key =
        import(ecc_key_pair(bits, ecdsa(bits == 384 ? kSha384 : kSha256)), ossl_private_encoding(ossl.get(), bits));
    ASSERT_TRUE(key.ok()) << static_cast<int>(key.status());
    EXPECT_EQ(export_public(*key), ossl_public_encoding(ossl.get()));
  }
  EvpPkey rsa = ossl_generate_rsa(2048);
  Result<CreatedKey> key = import(rsa_key_pair(0, rsa_pkcs1v15(kSha256)), ossl_private_encoding(rsa.get(), 0));
  ASSERT_TRUE(key.ok()) << static_cast<int>(key.status());
  EXPECT_EQ(key->attributes.bits, 2048u);
  EXPECT_EQ(export_public(*key), ossl_public_encoding(rsa.get()));

  // And an imported private key signs what OpenSSL verifies with its own key.
  const Bytes digest = test::digest("SHA256", "imported private key");
  EXPECT_TRUE(
      ossl_verify(rsa.get(), "SHA256", digest, sign(*key, rsa_pkcs1v15(kSha256), digest), RsaPadding::Pkcs1v15));

  // Generated keys re-encode identically through OpenSSL.
  const CreatedKey ec = generate(ecc_key_pair(256, ecdsa(kSha256)));
  const Bytes ec_pub = export_public(ec);
  EXPECT_EQ(ossl_public_encoding(ossl_ec_public_from_point(256, ec_pub).get()), ec_pub);
  const CreatedKey r = generate(rsa_key_pair(1024, rsa_pkcs1v15(kSha256)));
  const Bytes r_pub = export_public(r);
  EXPECT_EQ(ossl_public_encoding(ossl_rsa_public_from_der(r_pub).get()), r_pub);
}

TEST_F(MbedProviderTest, ImportKeyBitsMustMatchTheData) {
  EvpPkey ossl = ossl_generate_ec(256);
  const Bytes point = ossl_public_encoding(ossl.get());
  EXPECT_EQ(import(ecc_public_key(384, ecdsa(kSha256)), point).status(), Status::PsaErrorInvalidArgument);
  EvpPkey rsa = ossl_generate_rsa(1024);
  EXPECT_EQ(import(rsa_public_key(2048, rsa_pss(kSha256)), ossl_public_encoding(rsa.get())).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(import(rsa_public_key(0, rsa_pss(kSha256)), Bytes{0x30, 0x03, 0x02, 0x01}).status(),
            Status::PsaErrorInvalidArgument);
  Result<CreatedKey> ok = import(rsa_public_key(1024, rsa_pss(kSha256)), ossl_public_encoding(rsa.get()));
  EXPECT_TRUE(ok.ok());
  // Failed imports staged nothing: only the successful one is stored.
  EXPECT_EQ(storage_.blobs.size(), 1u);
}

TEST_F(MbedProviderTest, ImportedRsaOfUnsupportedSizeIsRefused) {
  EvpPkey rsa = ossl_generate_rsa(1536);
  FakeTxn txn;
  const Bytes der = ossl_public_encoding(rsa.get());
  Result<CreatedKey> key =
      provider_->import_key(rsa_public_key(0, rsa_pss(kSha256)), SecretBytes(der.data(), der.size()), txn);
  EXPECT_EQ(key.status(), Status::PsaErrorInvalidArgument);
  // The key PSA had already imported was destroyed again within the txn.
  for (const auto& [uid, value] : txn.all_staged()) {
    EXPECT_FALSE(value.has_value()) << uid;
  }
}

TEST_F(MbedProviderTest, ImportsRsa3072And4096PublicKeys) {
  const std::pair<Bytes, uint32_t> keys[] = {
      {Bytes(kRsa3072PublicDer, kRsa3072PublicDer + sizeof kRsa3072PublicDer - 1), 3072},
      {Bytes(kRsa4096PublicDer, kRsa4096PublicDer + sizeof kRsa4096PublicDer - 1), 4096},
  };
  for (const auto& [der, bits] : keys) {
    for (uint32_t declared : {0u, bits}) {
      Result<CreatedKey> key = import(rsa_public_key(declared, rsa_pss(kSha256)), der);
      ASSERT_TRUE(key.ok()) << bits << " " << static_cast<int>(key.status());
      EXPECT_EQ(key->attributes.bits, bits);
      EXPECT_EQ(export_public(*key), der);
      EvpPkey ossl = ossl_rsa_public_from_der(der);
      ASSERT_TRUE(ossl);
      EXPECT_EQ(EVP_PKEY_get_bits(ossl.get()), static_cast<int>(bits));
    }
  }
}

TEST_F(MbedProviderTest, GeneratedKeyIsStagedUntilCommitted) {
  FakeTxn txn;
  Result<CreatedKey> key = provider_->generate_key(ecc_key_pair(256, ecdsa(kSha256)), txn);
  ASSERT_TRUE(key.ok());
  const std::optional<psa_key_id_t> id = mbed::key_id_from_ref(key->key_ref);
  ASSERT_TRUE(id);
  EXPECT_EQ(key->key_ref.size(), 4u);
  EXPECT_TRUE(storage_.blobs.empty());
  ASSERT_EQ(txn.all_staged().size(), 1u);
  ASSERT_TRUE(txn.all_staged().at(*id).has_value());
  EXPECT_FALSE(txn.all_staged().at(*id)->empty());
  txn.commit_to(storage_);
  EXPECT_EQ(storage_.blobs.count(*id), 1u);
}

TEST_F(MbedProviderTest, KeyIdsContinueAfterTheLargestStoredUid) {
  provider_.reset();
  storage_.blobs[41] = Bytes{1};
  start();
  const CreatedKey a = generate(ecc_key_pair(256, ecdsa(kSha256)));
  const CreatedKey b = generate(ecc_key_pair(256, ecdsa(kSha256)));
  EXPECT_EQ(a.key_ref, mbed::key_ref_from_id(42));
  EXPECT_EQ(b.key_ref, mbed::key_ref_from_id(43));
}

TEST_F(MbedProviderTest, DestroyStagesRemovalAndTheKeyIsGone) {
  const SignAlg alg = ecdsa(kSha256);
  const CreatedKey key = generate(ecc_key_pair(256, alg));
  const auto id = *mbed::key_id_from_ref(key.key_ref);
  ASSERT_EQ(storage_.blobs.count(id), 1u);

  FakeTxn txn;
  EXPECT_EQ(provider_->destroy_key(stored(key), txn), Status::Success);
  ASSERT_EQ(txn.all_staged().count(id), 1u);
  EXPECT_FALSE(txn.all_staged().at(id).has_value());  // a staged removal
  EXPECT_EQ(storage_.blobs.count(id), 1u);            // not committed yet
  txn.commit_to(storage_);
  EXPECT_EQ(storage_.blobs.count(id), 0u);

  const Bytes digest = test::digest("SHA256", "gone");
  EXPECT_EQ(provider_->sign_hash(stored(key), sign_op(alg, digest)).status(), Status::PsaErrorDoesNotExist);
  EXPECT_EQ(provider_->export_public_key(stored(key)).status(), Status::PsaErrorDoesNotExist);
  FakeTxn again;
  EXPECT_EQ(provider_->destroy_key(stored(key), again), Status::PsaErrorDoesNotExist);
}

TEST_F(MbedProviderTest, UncommittedDestroyLeavesTheKeyUsable) {
  const SignAlg alg = ecdsa(kSha256);
  const CreatedKey key = generate(ecc_key_pair(256, alg));
  const Bytes pub = export_public(key);
  {
    FakeTxn discarded;
    EXPECT_EQ(provider_->destroy_key(stored(key), discarded), Status::Success);
  }
  // The service failed to commit: the blob is still there and is reloaded.
  EXPECT_EQ(export_public(key), pub);
  const Bytes digest = test::digest("SHA256", "still here");
  EXPECT_TRUE(ossl_verify(ossl_ec_public_from_point(256, pub).get(), "SHA256", digest, sign(key, alg, digest),
                          RsaPadding::None));
}

TEST_F(MbedProviderTest, AbandonedKeyLeavesNothingCachedAndItsIdIsReused) {
  const KeyAttributes attributes = ecc_key_pair(256, ecdsa(kSha256));
  Bytes first_pub;
  CreatedKey first;
  {
    FakeTxn discarded;  // the service could not commit
    Result<CreatedKey> key = provider_->generate_key(attributes, discarded);
    ASSERT_TRUE(key.ok());
    first = *key;
    first_pub = export_public(first);
  }
  provider_->abandon_key(first);
  // No cached slot: PSA has to go to storage, which has nothing (2.28 says
  // INVALID_HANDLE for a persistent id it cannot load).
  EXPECT_EQ(psa_key_lookup(&storage_, *mbed::key_id_from_ref(first.key_ref)), PSA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(provider_->export_public_key(stored(first)).status(), Status::PsaErrorDoesNotExist);

  const CreatedKey second = generate(attributes);
  EXPECT_EQ(second.key_ref, first.key_ref);
  const Bytes second_pub = export_public(second);
  EXPECT_NE(second_pub, first_pub);  // a stale slot would still answer with the first key

  // And after a restart the stored key is the second one.
  provider_.reset();
  start();
  EXPECT_EQ(export_public(second), second_pub);
}

TEST_F(MbedProviderTest, KeysSurviveARestart) {
  const SignAlg ec_alg = deterministic_ecdsa(kSha384);
  const SignAlg rsa_alg = rsa_pss(kSha256);
  const CreatedKey ec = generate(ecc_key_pair(384, ec_alg));
  const CreatedKey rsa = generate(rsa_key_pair(1024, rsa_alg));
  const Bytes ec_pub = export_public(ec);
  const Bytes rsa_pub = export_public(rsa);

  provider_.reset();
  shut_down_psa_core();  // as at process exit: every key slot gone
  start();

  const Bytes d384 = test::digest("SHA384", "after restart");
  const Bytes d256 = test::digest("SHA256", "after restart");
  EXPECT_TRUE(ossl_verify(ossl_ec_public_from_point(384, ec_pub).get(), "SHA384", d384, sign(ec, ec_alg, d384),
                          RsaPadding::None));
  EXPECT_TRUE(
      ossl_verify(ossl_rsa_public_from_der(rsa_pub).get(), "SHA256", d256, sign(rsa, rsa_alg, d256), RsaPadding::Pss));
  // New ids continue after the stored ones.
  const CreatedKey next = generate(ecc_key_pair(256, ecdsa(kSha256)));
  EXPECT_EQ(*mbed::key_id_from_ref(next.key_ref), *mbed::key_id_from_ref(rsa.key_ref) + 1);
}

TEST_F(MbedProviderTest, RsaSizeRules) {
  FakeTxn txn;
  EXPECT_EQ(provider_->generate_key(rsa_key_pair(1000, rsa_pss(kSha256)), txn).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(provider_->generate_key(rsa_key_pair(0, rsa_pss(kSha256)), txn).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(provider_->import_key(rsa_key_pair(1000, rsa_pss(kSha256)), SecretBytes(std::string("x")), txn).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(provider_->import_key(rsa_public_key(8192, rsa_pss(kSha256)), SecretBytes(std::string("x")), txn).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(txn.all_staged().empty());
  EXPECT_TRUE(generate(rsa_key_pair(1024, rsa_pkcs1v15(kSha256))).key_ref.size() == 4);
}

TEST_F(MbedProviderTest, UnsupportedAndInvalidKeyTypes) {
  FakeTxn txn;
  KeyAttributes dh = ecc_key_pair(2048, ecdsa(kSha256));
  dh.type = psa::KeyType::DhKeyPair;
  EXPECT_EQ(provider_->generate_key(dh, txn).status(), Status::PsaErrorNotSupported);
  KeyAttributes sect = ecc_key_pair(233, ecdsa(kSha256));
  sect.family = psa::EccFamily::SectK1;
  EXPECT_EQ(provider_->generate_key(sect, txn).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(provider_->generate_key(ecc_key_pair(512, ecdsa(kSha256)), txn).status(), Status::PsaErrorNotSupported);
  EXPECT_EQ(provider_->generate_key(ecc_key_pair(0, ecdsa(kSha256)), txn).status(), Status::PsaErrorInvalidArgument);
  EXPECT_EQ(provider_->generate_key(ecc_public_key(256, ecdsa(kSha256)), txn).status(),
            Status::PsaErrorInvalidArgument);
  EXPECT_EQ(provider_->generate_key(rsa_public_key(2048, rsa_pss(kSha256)), txn).status(),
            Status::PsaErrorInvalidArgument);
  KeyAttributes untyped = ecc_key_pair(256, ecdsa(kSha256));
  untyped.type = psa::KeyType::None;
  EXPECT_EQ(provider_->generate_key(untyped, txn).status(), Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(txn.all_staged().empty());
}

TEST_F(MbedProviderTest, PsaPolicyStillApplies) {
  const CreatedKey key = generate(ecc_key_pair(256, ecdsa(kSha256)));
  // Another hash than the policy's: the service would refuse first, PSA too.
  EXPECT_EQ(provider_->sign_hash(stored(key), sign_op(ecdsa(kSha384), test::digest("SHA384", "m"))).status(),
            Status::PsaErrorNotPermitted);
  KeyAttributes verify_only = ecc_key_pair(256, ecdsa(kSha256));
  verify_only.flags.sign_hash = false;
  verify_only.flags.sign_message = false;
  const CreatedKey vo = generate(verify_only);
  EXPECT_EQ(provider_->sign_hash(stored(vo), sign_op(ecdsa(kSha256), test::digest("SHA256", "m"))).status(),
            Status::PsaErrorNotPermitted);
  // The `any` hash never reaches PSA from a request.
  EXPECT_EQ(
      provider_->sign_hash(stored(key), sign_op(with_any_hash(ecdsa(kSha256)), test::digest("SHA256", "m"))).status(),
      Status::PsaErrorInvalidArgument);
  // A malformed reference is no key at all.
  StoredKey bogus = stored(key);
  bogus.key_ref = Bytes{1, 2};
  EXPECT_EQ(provider_->export_public_key(bogus).status(), Status::PsaErrorInvalidHandle);
}

TEST_F(MbedProviderTest, AnyHashPolicyPermitsEachSpecificHash) {
  const CreatedKey key = generate(ecc_key_pair(384, with_any_hash(ecdsa(kSha256))));
  EvpPkey ossl = ossl_ec_public_from_point(384, export_public(key));
  for (Hash h : {kSha256, kSha384}) {
    const Bytes digest = test::digest(md_name(h), "any hash");
    EXPECT_TRUE(ossl_verify(ossl.get(), md_name(h), digest, sign(key, ecdsa(h), digest), RsaPadding::None));
  }
}

TEST_F(MbedProviderTest, Reconcile) {
  const CreatedKey kept = generate(ecc_key_pair(256, ecdsa(kSha256)));
  const CreatedKey lost = generate(ecc_key_pair(256, ecdsa(kSha256)));
  storage_.blobs.erase(*mbed::key_id_from_ref(lost.key_ref));
  const Bytes malformed = {1, 2, 3};
  Result<std::vector<Bytes>> missing = provider_->reconcile({kept.key_ref, lost.key_ref, malformed});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, (std::vector<Bytes>{lost.key_ref, malformed}));

  storage_.fail_reads = true;
  EXPECT_EQ(provider_->reconcile({kept.key_ref}).status(), Status::PsaErrorStorageFailure);
  storage_.fail_reads = false;
}

TEST_F(MbedProviderTest, GenerateRandomSizes) {
  for (uint64_t size : {0u, 1u, 32u, 100000u}) {
    Result<SecretBytes> r = provider_->generate_random(psa::op::GenerateRandom{size});
    ASSERT_TRUE(r.ok()) << size;
    EXPECT_EQ(r->size(), size);
    if (size >= 32) {
      EXPECT_TRUE(std::any_of(r->bytes().begin(), r->bytes().end(), [](uint8_t b) { return b != 0; })) << size;
    }
  }
  EXPECT_NE(provider_->generate_random(psa::op::GenerateRandom{32})->bytes(),
            provider_->generate_random(psa::op::GenerateRandom{32})->bytes());
  // A large request is not one repeated chunk.
  Result<SecretBytes> big = provider_->generate_random(psa::op::GenerateRandom{4096});
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(std::equal(big->bytes().begin(), big->bytes().begin() + 1024, big->bytes().begin() + 1024));
}

TEST_F(MbedProviderTest, ConcurrentOperationsAreSerialised) {
  const SignAlg alg = ecdsa(kSha256);
  const CreatedKey shared = generate(ecc_key_pair(256, alg));
  EvpPkey shared_pub = ossl_ec_public_from_point(256, export_public(shared));
  const Bytes digest = test::digest("SHA256", "concurrent");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Result<Bytes> sig = provider_->sign_hash(stored(shared), sign_op(alg, digest));
        if (!sig.ok() || !ossl_verify(shared_pub.get(), "SHA256", digest, *sig, RsaPadding::None)) {
          ++failures;
        }
        FakeTxn txn;
        Result<CreatedKey> own = provider_->generate_key(ecc_key_pair(256, alg), txn);
        if (!own.ok() || !provider_->export_public_key(stored(*own)).ok() ||
            !provider_->generate_random(psa::op::GenerateRandom{64}).ok()) {
          ++failures;
        }
        if (own.ok()) {
          provider_->abandon_key(*own);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(MbedProviderTest, NoKeyFilesAfterGenerateSignAndDestroy) {
  const SignAlg ec_alg = ecdsa(kSha256);
  const SignAlg rsa_alg = rsa_pkcs1v15(kSha256);
  const CreatedKey ec = generate(ecc_key_pair(256, ec_alg));
  const CreatedKey rsa = generate(rsa_key_pair(1024, rsa_alg));
  const Bytes digest = test::digest("SHA256", "no files");
  EXPECT_FALSE(sign(ec, ec_alg, digest).empty());
  EXPECT_FALSE(sign(rsa, rsa_alg, digest).empty());
  for (const CreatedKey* k : {&ec, &rsa}) {
    FakeTxn txn;
    EXPECT_EQ(provider_->destroy_key(stored(*k), txn), Status::Success);
    txn.commit_to(storage_);
  }
  EXPECT_TRUE(storage_.blobs.empty());
  EXPECT_EQ(its_files_in_cwd(), std::vector<std::string>{});
}

}  // namespace
}  // namespace parsec::provider::test
