// ops_fixture.h - a software provider over in-memory storage, with one call per
// operation in terms of strings and the attribute builders of
// test_attributes.h, for the operation and capability suites.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "parsec/provider/mbed_crypto.h"
#include "test_support.h"

namespace parsec::provider::test {

// Res is an operation's result as a string (or the failure status).
using Res = Result<std::string>;

inline Res to_res(Result<Bytes> r) {
  if (!r.ok()) {
    return r.status();
  }
  return str(*r);
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
      return key.status();
    }
    txn.commit_to(storage_);
    return stored(*key);
  }
  Result<StoredKey> imp(const KeyAttributes& attributes, const std::string& data) {
    FakeTxn txn;
    Result<CreatedKey> key = provider_->import_key(attributes, data, txn);
    if (!key.ok()) {
      return key.status();
    }
    txn.commit_to(storage_);
    return stored(*key);
  }
  // must_gen / must_imp fail the test (and return an unusable key) on error.
  StoredKey must_gen(const KeyAttributes& attributes) {
    Result<StoredKey> k = gen(attributes);
    EXPECT_TRUE(k.ok()) << "generate: " << static_cast<int>(k.status()) << " " << attributes.ShortDebugString();
    return k.ok() ? *k : StoredKey{};
  }
  StoredKey must_imp(const KeyAttributes& attributes, const std::string& data) {
    Result<StoredKey> k = imp(attributes, data);
    EXPECT_TRUE(k.ok()) << "import: " << static_cast<int>(k.status()) << " " << attributes.ShortDebugString();
    return k.ok() ? *k : StoredKey{};
  }
  Status destroy(const StoredKey& k) {
    FakeTxn txn;
    Status s = provider_->destroy_key(k, txn);
    if (s == Status::Success) {
      txn.commit_to(storage_);
    }
    return s;
  }

  Res export_key(const StoredKey& k) { return to_res(provider_->export_key(k)); }
  Res export_public(const StoredKey& k) { return to_res(provider_->export_public_key(k)); }

  Res sign_hash(const StoredKey& k, const SignAlg& alg, const std::string& hash) {
    psa_sign_hash::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg;
    op.set_hash(hash);
    return to_res(provider_->sign_hash(k, op));
  }
  Status verify_hash(const StoredKey& k, const SignAlg& alg, const std::string& hash, const std::string& sig) {
    psa_verify_hash::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg;
    op.set_hash(hash);
    op.set_signature(sig);
    return provider_->verify_hash(k, op);
  }
  Res sign_message(const StoredKey& k, const SignAlg& alg, const std::string& message) {
    psa_sign_message::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg;
    op.set_message(message);
    return to_res(provider_->sign_message(k, op));
  }
  Status verify_message(const StoredKey& k, const SignAlg& alg, const std::string& message, const std::string& sig) {
    psa_verify_message::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg;
    op.set_message(message);
    op.set_signature(sig);
    return provider_->verify_message(k, op);
  }

  Res encrypt(const StoredKey& k, const Algorithm& alg, const std::string& plaintext, const std::string& salt = "") {
    psa_asymmetric_encrypt::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.asymmetric_encryption();
    op.set_plaintext(plaintext);
    op.set_salt(salt);
    return to_res(provider_->asymmetric_encrypt(k, op));
  }
  Res decrypt(const StoredKey& k, const Algorithm& alg, const std::string& ciphertext, const std::string& salt = "") {
    psa_asymmetric_decrypt::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.asymmetric_encryption();
    op.set_ciphertext(ciphertext);
    op.set_salt(salt);
    return to_res(provider_->asymmetric_decrypt(k, op));
  }

  Res aead_encrypt(const StoredKey& k, const Algorithm& alg, const std::string& nonce, const std::string& aad,
                   const std::string& plaintext) {
    psa_aead_encrypt::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.aead();
    op.set_nonce(nonce);
    op.set_additional_data(aad);
    op.set_plaintext(plaintext);
    return to_res(provider_->aead_encrypt(k, op));
  }
  Res aead_decrypt(const StoredKey& k, const Algorithm& alg, const std::string& nonce, const std::string& aad,
                   const std::string& ciphertext) {
    psa_aead_decrypt::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.aead();
    op.set_nonce(nonce);
    op.set_additional_data(aad);
    op.set_ciphertext(ciphertext);
    return to_res(provider_->aead_decrypt(k, op));
  }

  Res cipher_encrypt(const StoredKey& k, const Algorithm& alg, const std::string& plaintext) {
    psa_cipher_encrypt::Operation op;
    op.set_key_name(k.name);
    op.set_alg(alg.cipher());
    op.set_plaintext(plaintext);
    return to_res(provider_->cipher_encrypt(k, op));
  }
  Res cipher_decrypt(const StoredKey& k, const Algorithm& alg, const std::string& ciphertext) {
    psa_cipher_decrypt::Operation op;
    op.set_key_name(k.name);
    op.set_alg(alg.cipher());
    op.set_ciphertext(ciphertext);
    return to_res(provider_->cipher_decrypt(k, op));
  }

  Res mac_compute(const StoredKey& k, const Algorithm& alg, const std::string& input) {
    psa_mac_compute::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.mac();
    op.set_input(input);
    return to_res(provider_->mac_compute(k, op));
  }
  Status mac_verify(const StoredKey& k, const Algorithm& alg, const std::string& input, const std::string& mac) {
    psa_mac_verify::Operation op;
    op.set_key_name(k.name);
    *op.mutable_alg() = alg.mac();
    op.set_input(input);
    op.set_mac(mac);
    return provider_->mac_verify(k, op);
  }

  Res agree(const StoredKey& k, const Algorithm& alg, const std::string& peer) {
    psa_raw_key_agreement::Operation op;
    op.set_private_key_name(k.name);
    op.set_alg(alg.key_agreement().raw());
    op.set_peer_key(peer);
    return to_res(provider_->raw_key_agreement(k, op));
  }

  Res hash(Hash h, const std::string& input) {
    psa_hash_compute::Operation op;
    op.set_alg(h);
    op.set_input(input);
    return to_res(provider_->hash_compute(op));
  }
  Status hash_compare(Hash h, const std::string& input, const std::string& digest) {
    psa_hash_compare::Operation op;
    op.set_alg(h);
    op.set_input(input);
    op.set_hash(digest);
    return provider_->hash_compare(op);
  }

  Status can_do(can_do_crypto::CheckType check, const KeyAttributes& attributes) {
    can_do_crypto::Operation op;
    op.set_check_type(check);
    *op.mutable_attributes() = attributes;
    return provider_->can_do_crypto(op);
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
