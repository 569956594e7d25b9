// proto_client.h - a minimal protobuf-over-raw-socket caller for e2e tests,
// independent of the SDK under test.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>

#include "can_do_crypto.pb.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"
#include "tests/e2e/harness.h"

namespace parsec::e2e {

struct Call {
  Status status = Status::ConnectionError;
  std::string body;
};

// call sends `op` and returns the status and result body.
Call call(const std::string& socket, Opcode opcode, uint8_t provider, AuthType auth, const std::string& auth_bytes,
          const google::protobuf::MessageLite& op, bool may_be_down = false);

// A Direct-authenticated application on provider 1.
struct App {
  std::string socket;
  std::string name;
  uint8_t provider = 1;
  AuthType auth = AuthType::Direct;
  bool may_be_down = false;  // a refused connection is a result, not a test failure
  std::string auth_bytes() const;

  Call generate(const std::string& key, const psa_key_attributes::KeyAttributes& attrs) const;
  Call import(const std::string& key, const psa_key_attributes::KeyAttributes& attrs, const std::string& data) const;
  Call destroy(const std::string& key) const;
  Call export_public(const std::string& key) const;  // body = data on success
  Call sign_hash(const std::string& key, const psa_algorithm::Algorithm::AsymmetricSignature& alg,
                 const std::string& hash) const;  // body = signature on success
  Call verify_hash(const std::string& key, const psa_algorithm::Algorithm::AsymmetricSignature& alg,
                   const std::string& hash, const std::string& sig) const;
  Call list_keys() const;
};

// Attribute and algorithm builders.
psa_algorithm::Algorithm::AsymmetricSignature ecdsa(psa_algorithm::Algorithm::Hash h);
psa_algorithm::Algorithm::AsymmetricSignature rsa_pkcs1(psa_algorithm::Algorithm::Hash h);
psa_algorithm::Algorithm::AsymmetricSignature rsa_pss(psa_algorithm::Algorithm::Hash h);
psa_key_attributes::KeyAttributes ecc_pair(uint32_t bits, const psa_algorithm::Algorithm::AsymmetricSignature& alg);
psa_key_attributes::KeyAttributes rsa_pair(uint32_t bits, const psa_algorithm::Algorithm::AsymmetricSignature& alg);

// OpenSSL helpers: digest, and verification of a PSA-format signature with a
// PSA-format public key.
std::string sha(int bits, const std::string& data);
bool openssl_verify_ecdsa(const std::string& point, int curve_bits, const std::string& digest,
                          const std::string& raw_sig);
bool openssl_verify_rsa(const std::string& rsa_public_der, const std::string& digest, const std::string& sig, bool pss,
                        int hash_bits);

// ---- the other crypto operations, as `app` on its provider ---------------------
// Each returns the status and, on success, the result's payload field in
// `body` (the operations with an empty result leave it empty).
Call export_key(const App& app, const std::string& key);  // body = key material
Call sign_message(const App& app, const std::string& key, const psa_algorithm::Algorithm::AsymmetricSignature& alg,
                  const std::string& message);  // body = signature
Call verify_message(const App& app, const std::string& key, const psa_algorithm::Algorithm::AsymmetricSignature& alg,
                    const std::string& message, const std::string& signature);
Call asymmetric_encrypt(const App& app, const std::string& key,
                        const psa_algorithm::Algorithm::AsymmetricEncryption& alg, const std::string& plaintext,
                        const std::string& salt = "");  // body = ciphertext
Call asymmetric_decrypt(const App& app, const std::string& key,
                        const psa_algorithm::Algorithm::AsymmetricEncryption& alg, const std::string& ciphertext,
                        const std::string& salt = "");  // body = plaintext
Call aead_encrypt(const App& app, const std::string& key, const psa_algorithm::Algorithm::Aead& alg,
                  const std::string& nonce, const std::string& additional_data,
                  const std::string& plaintext);  // body = ciphertext || tag
Call aead_decrypt(const App& app, const std::string& key, const psa_algorithm::Algorithm::Aead& alg,
                  const std::string& nonce, const std::string& additional_data,
                  const std::string& ciphertext);  // body = plaintext
Call cipher_encrypt(const App& app, const std::string& key, psa_algorithm::Algorithm::Cipher alg,
                    const std::string& plaintext);  // body = IV || ciphertext
Call cipher_decrypt(const App& app, const std::string& key, psa_algorithm::Algorithm::Cipher alg,
                    const std::string& ciphertext);  // body = plaintext
Call mac_compute(const App& app, const std::string& key, const psa_algorithm::Algorithm::Mac& alg,
                 const std::string& input);  // body = MAC
Call mac_verify(const App& app, const std::string& key, const psa_algorithm::Algorithm::Mac& alg,
                const std::string& input, const std::string& mac);
Call raw_key_agreement(const App& app, const std::string& private_key, psa_algorithm::Algorithm::KeyAgreement::Raw alg,
                       const std::string& peer_key);  // body = shared secret
Call hash_compute(const App& app, psa_algorithm::Algorithm::Hash alg, const std::string& input);  // body = hash
Call hash_compare(const App& app, psa_algorithm::Algorithm::Hash alg, const std::string& input,
                  const std::string& hash);
Call can_do(const App& app, can_do_crypto::CheckType check, const psa_key_attributes::KeyAttributes& attrs);
Call generate_random(const App& app, uint64_t size);  // body = random bytes
// opcodes_of asks the core provider for `provider_id`'s opcodes.
Call opcodes_of(const std::string& socket, uint32_t provider_id);  // body = list_opcodes.Result

}  // namespace parsec::e2e
