// psa_engine.h - everything the software provider asks of the Mbed TLS PSA
// core, in terms of the plain PSA model (parsec/psa/*.h). Every failure
// carries a detail naming the PSA call and error, or the rule that refused the
// request (never a secret).
//
// Thread-safe: every method takes the process-wide PsaLock around its PSA
// calls, routing storage to the engine's StorageReader and, for the methods
// that take one, to the caller's StorageTxn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/psa/key_attributes.h"
#include "providers/mbed/src/psa_values.h"

namespace parsec::provider {
class StorageReader;
class StorageTxn;
}  // namespace parsec::provider

namespace parsec::provider::mbed {

// NewKey is a key generate_key / import_key created: its reference and its
// size in bits as PSA recorded it.
struct NewKey {
  Bytes key_ref;
  uint32_t bits = 0;
};

class PsaEngine {
 public:
  // create initialises the PSA core and claims it for this engine. Key ids
  // are handed out from max_uid + 1. PsaErrorBadState while another engine
  // is alive: the core's key slots and key-id space are process-global.
  static Result<std::unique_ptr<PsaEngine>> create(StorageReader* storage, uint64_t max_uid);
  // The destructor shuts the PSA core down, wiping every key slot.
  ~PsaEngine();
  PsaEngine(const PsaEngine&) = delete;
  PsaEngine& operator=(const PsaEngine&) = delete;

  // generate_key / import_key create a persistent key under a fresh id; its
  // blob is staged in `txn`. Key types and sizes follow check_creation
  // (psa_capabilities.h).
  Result<NewKey> generate_key(const psa::KeyAttributes& attributes, StorageTxn& txn);
  Result<NewKey> import_key(const psa::KeyAttributes& attributes, const SecretBytes& data, StorageTxn& txn);
  // abandon_key drops the cached slot of a key whose blob was never
  // committed; its id may be handed out again.
  void abandon_key(const Bytes& key_ref);
  // destroy_key destroys the key; the blob's removal is staged in `txn`.
  Outcome destroy_key(const Bytes& key_ref, StorageTxn& txn);

  // Every method below that names a key answers PsaErrorInvalidHandle for a
  // malformed reference and PsaErrorDoesNotExist for a key PSA cannot find;
  // other PSA failures are passed through (status_from_psa) unless said
  // otherwise. Results that are secret (key material, plaintexts, shared
  // secrets, random bytes) come back as SecretBytes; no spare copy is left
  // behind. Inputs are not copied.
  Result<Bytes> export_public_key(const Bytes& key_ref);
  // export_key returns the key material (secret).
  Result<SecretBytes> export_key(const Bytes& key_ref);

  Result<Bytes> sign_hash(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& hash);
  Outcome verify_hash(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& hash, const Bytes& signature);
  // sign_message / verify_message hash `message` with the algorithm's hash
  // first. The raw schemes (rsa_pkcs1v15_sign_raw, ecdsa_any) name no hash and
  // are refused with PsaErrorInvalidArgument, as the PSA Crypto API defines.
  Result<Bytes> sign_message(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& message);
  Outcome verify_message(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& message, const Bytes& signature);

  // asymmetric_encrypt / asymmetric_decrypt: RSA PKCS#1 v1.5 and OAEP; `salt`
  // is the OAEP label (empty: none). Every failure of the decryption itself
  // (bad padding, a ciphertext of another key, a wrong length) answers the
  // same PsaErrorInvalidPadding, so that the status is no padding oracle
  // (docs/padding-oracle.md). The plaintext is secret.
  Result<Bytes> asymmetric_encrypt(const Bytes& key_ref, const psa::Algorithm& alg, const SecretBytes& plaintext,
                                   const Bytes& salt);
  Result<SecretBytes> asymmetric_decrypt(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& ciphertext,
                                         const Bytes& salt);

  // aead_encrypt returns ciphertext || tag; aead_decrypt takes it and answers
  // PsaErrorInvalidSignature when it is not authentic. The plaintext is secret.
  Result<Bytes> aead_encrypt(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& nonce,
                             const Bytes& additional_data, const SecretBytes& plaintext);
  Result<SecretBytes> aead_decrypt(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& nonce,
                                   const Bytes& additional_data, const Bytes& ciphertext);

  // cipher_encrypt returns IV || ciphertext with a fresh random IV (none for
  // ECB); cipher_decrypt takes IV || ciphertext. The plaintext is secret.
  Result<Bytes> cipher_encrypt(const Bytes& key_ref, psa::Cipher alg, const SecretBytes& plaintext);
  Result<SecretBytes> cipher_decrypt(const Bytes& key_ref, psa::Cipher alg, const Bytes& ciphertext);

  // mac_verify answers PsaErrorInvalidSignature on a mismatch (compared in
  // constant time by PSA).
  Result<Bytes> mac_compute(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& input);
  Outcome mac_verify(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& input, const Bytes& mac);

  // raw_key_agreement returns the shared secret (secret). FFDH answers
  // PsaErrorNotSupported: Mbed TLS 2.28 has no finite-field DH in PSA.
  Result<SecretBytes> raw_key_agreement(const Bytes& key_ref, const psa::Algorithm& alg, const Bytes& peer_key);

  // hash_compute / hash_compare: PsaErrorNotSupported for the hashes this
  // build lacks (SHA-3, SHA-512/224, SHA-512/256); hash_compare answers
  // PsaErrorInvalidSignature when the digests differ (also in length).
  Result<Bytes> hash_compute(psa::Hash alg, const Bytes& input);
  Outcome hash_compare(psa::Hash alg, const Bytes& input, const Bytes& hash);

  Result<SecretBytes> generate_random(uint64_t size);

 private:
  PsaEngine(StorageReader* storage, uint64_t next_id) : storage_(storage), next_id_(next_id) {}
  // allocate_id / release_id manage next_id_; call them with the PsaLock held.
  Result<psa_key_id_t> allocate_id();
  void release_id(psa_key_id_t id);

  StorageReader* const storage_;
  uint64_t next_id_;  // guarded by the PsaLock
};

}  // namespace parsec::provider::mbed
