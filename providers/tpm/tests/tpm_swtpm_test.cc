// The TPM provider against a private swtpm (tests/e2e/swtpm_fixture): the
// provider interface end to end without the service: key creation and import,
// signatures checked by OpenSSL, encryption round trips (TPM OAEP and the
// software OAEP path for labels the TPM cannot take), random bytes,
// attestation preparation and the factory's outcomes with a reachable TPM.
// Skipped when swtpm is not installed.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>

#include "parsec/provider/tpm.h"
#include "tests/e2e/swtpm_fixture.h"

namespace parsec::provider {
namespace {

using psa::Algorithm;
using psa::Hash;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// NoTxn: the TPM provider keeps nothing in the key store but the reference.
class NoTxn : public StorageTxn {
 public:
  void put(uint64_t, const Bytes&) override { ++writes; }
  void remove(uint64_t) override { ++writes; }
  std::optional<std::optional<Bytes>> staged(uint64_t) const override { return std::nullopt; }
  int writes = 0;
};

Bytes sha256(const Bytes& in) {
  Bytes out(32);
  unsigned int n = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

class TpmSwtpm : public ::testing::Test {
 protected:
  void SetUp() override {
    // scripts/install-deps.sh installs swtpm: its absence is a failure, not a skip.
    ASSERT_TRUE(testing::Swtpm::available()) << "swtpm is not installed (run scripts/install-deps.sh)";
    tpm_ = std::make_unique<testing::Swtpm>();
    auto made = tpm_factory().create(context({{"tcti", tpm_->tcti()}, {"owner_hierarchy_auth", ""}}));
    ASSERT_TRUE(made.ok()) << made.detail();
    ASSERT_NE(made->provider, nullptr) << made->unavailable;
    provider_ = std::move(made->provider);
  }
  void TearDown() override {
    provider_.reset();
    tpm_.reset();
  }

  static ProviderContext context(std::vector<std::pair<std::string, std::string>> settings) {
    ProviderContext ctx;
    ctx.instance_name = "tpm-provider";
    ctx.settings = Settings(std::move(settings));
    return ctx;
  }

  StoredKey generate(const KeyAttributes& a) {
    NoTxn txn;
    auto k = provider_->generate_key(a, txn);
    EXPECT_TRUE(k.ok()) << k.detail();
    EXPECT_EQ(txn.writes, 0);
    return k.ok() ? StoredKey{"k", k->key_ref, k->attributes} : StoredKey{};
  }

  StoredKey import(const KeyAttributes& a, SecretBytes data) {
    NoTxn txn;
    auto k = provider_->import_key(a, data, txn);
    EXPECT_TRUE(k.ok()) << k.detail();
    return k.ok() ? StoredKey{"i", k->key_ref, k->attributes} : StoredKey{};
  }

  std::unique_ptr<testing::Swtpm> tpm_;
  std::unique_ptr<Provider> provider_;
};

TEST_F(TpmSwtpm, EcdsaGenerateSignVerify) {
  const Algorithm alg = Algorithm::ecdsa(Hash::Sha256);
  StoredKey key = generate(KeyAttributes::ecc_key_pair(256, alg));
  ASSERT_FALSE(key.key_ref.empty());
  EXPECT_EQ(key.attributes.bits, 256u);
  auto pub = provider_->export_public_key(key);
  ASSERT_TRUE(pub.ok());
  ASSERT_EQ(pub->size(), 65u);
  EXPECT_EQ((*pub)[0], 0x04);

  const Bytes hash = sha256(Bytes{'h', 'i'});
  auto sig = provider_->sign_hash(key, psa::op::SignHash{"k", alg, hash});
  ASSERT_TRUE(sig.ok()) << sig.detail();
  ASSERT_EQ(sig->size(), 64u);
  EXPECT_TRUE(provider_->verify_hash(key, psa::op::VerifyHash{"k", alg, hash, *sig}).ok());
  Bytes forged = *sig;
  forged[10] ^= 1;
  EXPECT_EQ(provider_->verify_hash(key, psa::op::VerifyHash{"k", alg, hash, forged}).status(),
            Status::PsaErrorInvalidSignature);
  EXPECT_EQ(provider_->verify_hash(key, psa::op::VerifyHash{"k", alg, hash, Bytes(63, 1)}).status(),
            Status::PsaErrorInvalidSignature);

  auto msig = provider_->sign_message(key, psa::op::SignMessage{"k", alg, Bytes{'h', 'i'}});
  ASSERT_TRUE(msig.ok()) << msig.detail();
  EXPECT_TRUE(provider_->verify_message(key, psa::op::VerifyMessage{"k", alg, Bytes{'h', 'i'}, *msig}).ok());
  // A message signature is a signature of the message's hash.
  EXPECT_TRUE(provider_->verify_hash(key, psa::op::VerifyHash{"k", alg, hash, *msig}).ok());
  EXPECT_EQ(provider_->verify_message(key, psa::op::VerifyMessage{"k", alg, Bytes{'h', 'o'}, *msig}).status(),
            Status::PsaErrorInvalidSignature);
  // No hash to compute a message digest with.
  EXPECT_EQ(provider_->sign_message(key, psa::op::SignMessage{"k", Algorithm::ecdsa_any(), Bytes{1}}).status(),
            Status::PsaErrorInvalidArgument);
}

TEST_F(TpmSwtpm, ImportedEccKeySignsForOpenSsl) {
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_TRUE(ec);
  BIGNUM* d = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(ec.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  SecretBytes priv(32);
  BN_bn2binpad(d, priv.data(), 32);
  BN_clear_free(d);
  const Algorithm alg = Algorithm::ecdsa(Hash::Sha256);
  StoredKey key = import(KeyAttributes::ecc_key_pair(0, alg), std::move(priv));
  EXPECT_EQ(key.attributes.bits, 256u);

  const Bytes hash = sha256(Bytes{1, 2, 3});
  auto sig = provider_->sign_hash(key, psa::op::SignHash{"i", alg, hash});
  ASSERT_TRUE(sig.ok()) << sig.detail();
  ASSERT_EQ(sig->size(), 64u);
  ECDSA_SIG* es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(sig->data(), 32, nullptr), BN_bin2bn(sig->data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(ec.get(), nullptr);
  ASSERT_EQ(EVP_PKEY_verify_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_verify(ctx, der, static_cast<size_t>(der_len), hash.data(), hash.size()), 1);
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_free(der);

  // The same public key imported on its own verifies the TPM's signature.
  unsigned char point[65];
  size_t n = 0;
  EVP_PKEY_get_octet_string_param(ec.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &n);
  StoredKey pub = import(KeyAttributes::ecc_public_key(256, alg), SecretBytes(point, n));
  EXPECT_TRUE(provider_->verify_hash(pub, psa::op::VerifyHash{"p", alg, hash, *sig}).ok());
  // A public key cannot sign.
  EXPECT_EQ(provider_->sign_hash(pub, psa::op::SignHash{"p", alg, hash}).status(), Status::PsaErrorInvalidArgument);
}

TEST_F(TpmSwtpm, RsaSignatureVerifiedByOpenSsl) {
  const Algorithm alg = Algorithm::rsa_pkcs1v15_sign(Hash::Sha256);
  StoredKey key = generate(KeyAttributes::rsa_key_pair(2048, alg));
  auto pub = provider_->export_public_key(key);
  ASSERT_TRUE(pub.ok());
  const unsigned char* p = pub->data();
  Pkey rsa(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(pub->size())));
  ASSERT_TRUE(rsa);
  const Bytes hash = sha256(Bytes{'r', 's', 'a'});
  auto sig = provider_->sign_hash(key, psa::op::SignHash{"k", alg, hash});
  ASSERT_TRUE(sig.ok()) << sig.detail();
  ASSERT_EQ(sig->size(), 256u);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(rsa.get(), nullptr);
  ASSERT_EQ(EVP_PKEY_verify_init(ctx), 1);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  EXPECT_EQ(EVP_PKEY_verify(ctx, sig->data(), sig->size(), hash.data(), hash.size()), 1);
  EVP_PKEY_CTX_free(ctx);
  // A digest of the wrong size for the algorithm's hash.
  EXPECT_EQ(provider_->sign_hash(key, psa::op::SignHash{"k", alg, Bytes(20, 1)}).status(),
            Status::PsaErrorInvalidArgument);
}

TEST_F(TpmSwtpm, RsaEncryptionRoundTrips) {
  StoredKey key = generate(KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256)));
  const std::string text = "attack at dawn";
  // Empty label and a NUL-terminated one go to the TPM; "label" (no final
  // NUL) takes the software OAEP path.
  for (const Algorithm& alg : {Algorithm::rsa_oaep(Hash::Sha256), Algorithm::rsa_pkcs1v15_crypt()}) {
    for (const Bytes& label : {Bytes(), Bytes{'l', 'a', 'b', 0}, Bytes{'l', 'a', 'b', 'e', 'l'}}) {
      if (alg.kind() == psa::AlgorithmKind::RsaPkcs1v15Crypt && !label.empty()) {
        continue;
      }
      psa::op::AsymmetricEncrypt enc{"k", alg, SecretBytes(text), label};
      auto c = provider_->asymmetric_encrypt(key, enc);
      ASSERT_TRUE(c.ok()) << c.detail();
      ASSERT_EQ(c->size(), 256u);
      auto m = provider_->asymmetric_decrypt(key, psa::op::AsymmetricDecrypt{"k", alg, *c, label});
      ASSERT_TRUE(m.ok()) << m.detail() << " label size " << label.size();
      EXPECT_EQ(m->view(), text);
      if (alg.kind() == psa::AlgorithmKind::RsaOaep) {
        Bytes other = label;
        other.push_back('x');
        const Status s = provider_->asymmetric_decrypt(key, psa::op::AsymmetricDecrypt{"k", alg, *c, other}).status();
        EXPECT_TRUE(s == Status::PsaErrorInvalidPadding || s == Status::PsaErrorInvalidArgument) << static_cast<int>(s);
      }
    }
  }
  EXPECT_EQ(provider_
                ->asymmetric_decrypt(
                    key, psa::op::AsymmetricDecrypt{"k", Algorithm::rsa_oaep(Hash::Sha256), Bytes(255, 1), {}})
                .status(),
            Status::PsaErrorInvalidArgument);
}

TEST_F(TpmSwtpm, RandomBytes) {
  auto r = provider_->generate_random(psa::op::GenerateRandom{1000});
  ASSERT_TRUE(r.ok()) << r.detail();
  EXPECT_EQ(r->size(), 1000u);
  EXPECT_NE(r->bytes(), Bytes(1000, 0));
  auto none = provider_->generate_random(psa::op::GenerateRandom{0});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(TpmSwtpm, CanDoCryptoAndReconcile) {
  psa::op::CanDoCrypto op;
  op.check_type = psa::CheckType::Generate;
  op.attributes = KeyAttributes::ecc_key_pair(384, Algorithm::ecdsa(Hash::Sha384));
  EXPECT_TRUE(provider_->can_do_crypto(op).ok());
  op.attributes = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256), psa::EccFamily::SecpK1);
  EXPECT_EQ(provider_->can_do_crypto(op).status(), Status::PsaErrorNotSupported);

  StoredKey key = generate(KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)));
  auto gone = provider_->reconcile({key.key_ref, Bytes{1, 2, 3}});
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->empty());  // mappings are never dropped by the TPM provider
  NoTxn txn;
  EXPECT_TRUE(provider_->destroy_key(key, txn).ok());
  EXPECT_EQ(provider_
                ->sign_hash(StoredKey{"x", Bytes{1, 2, 3}, {}},
                            psa::op::SignHash{"x", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1)})
                .status(),
            Status::PsaErrorDataCorrupt);
}

TEST_F(TpmSwtpm, AttestationPreparation) {
  StoredKey key = generate(KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)));
  auto prep = provider_->prepare_key_attestation(key, psa::op::PrepareKeyAttestation{"k", ""});
  ASSERT_TRUE(prep.ok()) << prep.detail();
  ASSERT_EQ(prep->name.size(), 34u);
  EXPECT_EQ(prep->name[0], 0x00);
  EXPECT_EQ(prep->name[1], 0x0b);  // SHA-256 name algorithm
  EXPECT_FALSE(prep->public_area.empty());
  // The endorsement key: an RSA 2048 public key in the PSA format.
  const unsigned char* p = prep->attesting_key_public.data();
  Pkey ek(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(prep->attesting_key_public.size())));
  ASSERT_TRUE(ek);
  EXPECT_EQ(EVP_PKEY_get_bits(ek.get()), 2048);
  // Cached: the same answer again.
  auto again = provider_->prepare_key_attestation(key, psa::op::PrepareKeyAttestation{"k", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attesting_key_public, prep->attesting_key_public);

  EXPECT_EQ(provider_->prepare_key_attestation(key, psa::op::PrepareKeyAttestation{"k", "other"}).status(),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(provider_->attest_key(key, psa::op::AttestKey{"k", "other", Bytes{1}, Bytes{1}}).status(),
            Status::PsaErrorNotSupported);
  EXPECT_EQ(provider_->attest_key(key, psa::op::AttestKey{"k", "", Bytes{}, Bytes{1}}).status(),
            Status::PsaErrorInvalidArgument);
}

TEST_F(TpmSwtpm, FactoryWithAReachableTpm) {
  // skip_if_no_tpm only matters when no TPM answers.
  auto made =
      tpm_factory().create(context({{"tcti", tpm_->tcti()}, {"owner_hierarchy_auth", ""}, {"skip_if_no_tpm", "true"}}));
  ASSERT_TRUE(made.ok()) << made.detail();
  EXPECT_NE(made->provider, nullptr);
  EXPECT_TRUE(made->unavailable.empty());
  made->provider.reset();
  // A wrong owner password is an authorisation failure, not a skip.
  auto wrong = tpm_factory().create(
      context({{"tcti", tpm_->tcti()}, {"owner_hierarchy_auth", "Sekrit"}, {"skip_if_no_tpm", "true"}}));
  EXPECT_EQ(wrong.status(), Status::PsaErrorNotPermitted) << wrong.detail();
  EXPECT_EQ(wrong.detail().find("Sekrit"), std::string::npos) << wrong.detail();
}

}  // namespace
}  // namespace parsec::provider
