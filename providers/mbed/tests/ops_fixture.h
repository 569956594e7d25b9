// ops_fixture.h - a software provider over in-memory storage, with one call per
// operation in terms of strings and the attribute builders of
// test_attributes.h, for the operation and capability suites.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "parsec/provider/mbed_crypto.h"
#include "providers/mbed/tests/test_support.h"

namespace parsec::provider::test {

// Res is an operation's result as a string (or the failure status).
using Res = Result<std::string>;

// Every failure the provider returns must say why (the operator's log line).
inline Status checked(const Failure& f) {
  EXPECT_FALSE(f.detail.empty()) << "failure " << status_name(f.code) << " without a detail";
  return f.code;
}

inline Res to_res(Result<Bytes> r) {
  if (!r.ok()) {
    return checked(r.failure());
  }
  return str(*r);
}

inline Res to_res(Result<SecretBytes> r) {
  if (!r.ok()) {
    return checked(r.failure());
  }
  return std::string(r->view());
}

inline Status to_status(const Outcome& o) {
  return o.ok() ? Status::Success : checked(o.failure());
}

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProviderContext ctx;
    ctx.instance_name = "mbed-crypto-provider";
    ctx.storage = &storage_;
    Result<std::unique_ptr<Provider>> p = make_mbed_crypto_provider(ctx);
    ASSERT_TRUE(p.ok()) << static_cast<int>(p.status());
    provider_ = std::move(*p);
  }

  void TearDown() override {
    provider_.reset();
    // Mbed TLS's file backend must never have run.
    EXPECT_TRUE(its_files_in_cwd().empty());
  }

  // gen / imp create and commit a key, as the service does on success.
  Result<StoredKey> gen(const KeyAttributes& attributes) {
    FakeTxn txn;
    Result<CreatedKey> key = provider_->generate_key(attributes, txn);
    if (!key.ok()) {
      return checked(key.failure());
    }
    txn.commit_to(storage_);
    return stored(*key);
  }
  Result<StoredKey> imp(const KeyAttributes& attributes, const std::string& data) {
    FakeTxn txn;
    Result<CreatedKey> key = provider_->import_key(attributes, SecretBytes(data), txn);
    if (!key.ok()) {
      return checked(key.failure());
    }
    txn.commit_to(storage_);
    return stored(*key);
  }
  // must_gen / must_imp fail the test (and return an unusable key) on error.
  StoredKey must_gen(const KeyAttributes& attributes) {
    Result<StoredKey> k = gen(attributes);
    EXPECT_TRUE(k.ok()) << "generate: " << static_cast<int>(k.status()) << " " << describe(attributes);
    return k.ok() ? *k : StoredKey{};
  }
  StoredKey must_imp(const KeyAttributes& attributes, const std::string& data) {
    Result<StoredKey> k = imp(attributes, data);
    EXPECT_TRUE(k.ok()) << "import: " << static_cast<int>(k.status()) << " " << describe(attributes);
    return k.ok() ? *k : StoredKey{};
  }
  Status destroy(const StoredKey& k) {
    FakeTxn txn;
    Status s = to_status(provider_->destroy_key(k, txn));
    if (s == Status::Success) {
      txn.commit_to(storage_);
    }
    return s;
  }

  Res export_key(const StoredKey& k) { return to_res(provider_->export_key(k)); }
  Res export_public(const StoredKey& k) { return to_res(provider_->export_public_key(k)); }

  Res sign_hash(const StoredKey& k, const SignAlg& alg, const std::string& hash) {
    return to_res(provider_->sign_hash(k, psa::op::SignHash{k.name, alg, bytes(hash)}));
  }
  Status verify_hash(const StoredKey& k, const SignAlg& alg, const std::string& hash, const std::string& sig) {
    return to_status(provider_->verify_hash(k, psa::op::VerifyHash{k.name, alg, bytes(hash), bytes(sig)}));
  }
  Res sign_message(const StoredKey& k, const SignAlg& alg, const std::string& message) {
    return to_res(provider_->sign_message(k, psa::op::SignMessage{k.name, alg, bytes(message)}));
  }
  Status verify_message(const StoredKey& k, const SignAlg& alg, const std::string& message, const std::string& sig) {
    return to_status(provider_->verify_message(k, psa::op::VerifyMessage{k.name, alg, bytes(message), bytes(sig)}));
  }

  Res encrypt(const StoredKey& k, const Algorithm& alg, const std::string& plaintext, const std::string& salt = "") {
    return to_res(
        provider_->asymmetric_encrypt(k, psa::op::AsymmetricEncrypt{k.name, alg, SecretBytes(plaintext), bytes(salt)}));
  }
  Res decrypt(const StoredKey& k, const Algorithm& alg, const std::string& ciphertext, const std::string& salt = "") {
    return to_res(
        provider_->asymmetric_decrypt(k, psa::op::AsymmetricDecrypt{k.name, alg, bytes(ciphertext), bytes(salt)}));
  }

  Res aead_encrypt(const StoredKey& k, const Algorithm& alg, const std::string& nonce, const std::string& aad,
                   const std::string& plaintext) {
    return to_res(provider_->aead_encrypt(
        k, psa::op::AeadEncrypt{k.name, alg, bytes(nonce), bytes(aad), SecretBytes(plaintext)}));
  }
  Res aead_decrypt(const StoredKey& k, const Algorithm& alg, const std::string& nonce, const std::string& aad,
                   const std::string& ciphertext) {
    return to_res(
        provider_->aead_decrypt(k, psa::op::AeadDecrypt{k.name, alg, bytes(nonce), bytes(aad), bytes(ciphertext)}));
  }

  Res cipher_encrypt(const StoredKey& k, const Algorithm& alg, const std::string& plaintext) {
    return to_res(provider_->cipher_encrypt(k, psa::op::CipherEncrypt{k.name, alg, SecretBytes(plaintext)}));
  }
  Res cipher_decrypt(const StoredKey& k, const Algorithm& alg, const std::string& ciphertext) {
    return to_res(provider_->cipher_decrypt(k, psa::op::CipherDecrypt{k.name, alg, bytes(ciphertext)}));
  }

  Res mac_compute(const StoredKey& k, const Algorithm& alg, const std::string& input) {
    return to_res(provider_->mac_compute(k, psa::op::MacCompute{k.name, alg, bytes(input)}));
  }
  Status mac_verify(const StoredKey& k, const Algorithm& alg, const std::string& input, const std::string& mac) {
    return to_status(provider_->mac_verify(k, psa::op::MacVerify{k.name, alg, bytes(input), bytes(mac)}));
  }

  Res agree(const StoredKey& k, const Algorithm& alg, const std::string& peer) {
    return to_res(provider_->raw_key_agreement(k, psa::op::RawKeyAgreement{k.name, alg, bytes(peer)}));
  }

  Res hash(Hash h, const std::string& input) {
    return to_res(provider_->hash_compute(psa::op::HashCompute{h, bytes(input)}));
  }
  Status hash_compare(Hash h, const std::string& input, const std::string& digest) {
    return to_status(provider_->hash_compare(psa::op::HashCompare{h, bytes(input), bytes(digest)}));
  }

  Status can_do(psa::CheckType check, const KeyAttributes& attributes) {
    return to_status(provider_->can_do_crypto(psa::op::CanDoCrypto{check, attributes}));
  }

  FakeStorage storage_;
  std::unique_ptr<Provider> provider_;
};

// ok_str unwraps a result in an EXPECT (empty string on failure).
inline std::string ok_str(const Res& r, const char* what = "") {
  EXPECT_TRUE(r.ok()) << what << " failed: " << static_cast<int>(r.status());
  return r.ok() ? *r : std::string();
}

}  // namespace parsec::provider::test
