#include "parsec/provider/provider.h"

namespace parsec::provider {

// Defaults: an operation a provider does not implement is not supported.
Result<CreatedKey> Provider::generate_key(const KeyAttributes&, StorageTxn&) {
  return Status::PsaErrorNotSupported;
}
Result<CreatedKey> Provider::import_key(const KeyAttributes&, const std::string&, StorageTxn&) {
  return Status::PsaErrorNotSupported;
}
void Provider::abandon_key(const CreatedKey&) {}
Status Provider::destroy_key(const StoredKey&, StorageTxn&) { return Status::PsaErrorNotSupported; }
void Provider::finish_destroy(const StoredKey&) {}
Result<std::vector<Bytes>> Provider::reconcile(const std::vector<Bytes>&) { return std::vector<Bytes>{}; }
Result<Bytes> Provider::export_public_key(const StoredKey&) { return Status::PsaErrorNotSupported; }
Result<Bytes> Provider::export_key(const StoredKey&) { return Status::PsaErrorNotSupported; }
Result<Bytes> Provider::sign_hash(const StoredKey&, const psa_sign_hash::Operation&) {
  return Status::PsaErrorNotSupported;
}
Status Provider::verify_hash(const StoredKey&, const psa_verify_hash::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::sign_message(const StoredKey&, const psa_sign_message::Operation&) {
  return Status::PsaErrorNotSupported;
}
Status Provider::verify_message(const StoredKey&, const psa_verify_message::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::asymmetric_encrypt(const StoredKey&, const psa_asymmetric_encrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::asymmetric_decrypt(const StoredKey&, const psa_asymmetric_decrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::aead_encrypt(const StoredKey&, const psa_aead_encrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::aead_decrypt(const StoredKey&, const psa_aead_decrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::cipher_encrypt(const StoredKey&, const psa_cipher_encrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::cipher_decrypt(const StoredKey&, const psa_cipher_decrypt::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::mac_compute(const StoredKey&, const psa_mac_compute::Operation&) {
  return Status::PsaErrorNotSupported;
}
Status Provider::mac_verify(const StoredKey&, const psa_mac_verify::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::raw_key_agreement(const StoredKey&, const psa_raw_key_agreement::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<Bytes> Provider::hash_compute(const psa_hash_compute::Operation&) { return Status::PsaErrorNotSupported; }
Status Provider::hash_compare(const psa_hash_compare::Operation&) { return Status::PsaErrorNotSupported; }
Result<Bytes> Provider::generate_random(uint64_t) { return Status::PsaErrorNotSupported; }
Status Provider::can_do_crypto(const can_do_crypto::Operation&) { return Status::PsaErrorNotSupported; }
Result<attest_key::Result> Provider::attest_key(const StoredKey&, const attest_key::Operation&) {
  return Status::PsaErrorNotSupported;
}
Result<prepare_key_attestation::Result> Provider::prepare_key_attestation(
    const StoredKey&, const prepare_key_attestation::Operation&) {
  return Status::PsaErrorNotSupported;
}

}  // namespace parsec::provider
