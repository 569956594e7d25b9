// parsec/binding/binding.h - the SWIG-friendly facade of the C++ client core,
// shared by the Go and Java SDKs (bindings/swig/parsec.i wraps this header).
//
// Why a facade: parsec::client::Client throws parsec::client::Error and uses
// std::optional, std::vector of records and overloads, none of which crosses a
// SWIG boundary well in both Go and Java. This surface keeps to what SWIG maps
// identically in the two languages:
//   * No exception leaves a facade call. Every call takes an Error& last and
//     fills it (status code, status name, operation, detail, from_service) or
//     clears it; a failed call returns an empty value (0, false, "", no bytes,
//     nullptr). The Go SDK passes an Error object; the Java typemaps hide the
//     parameter and throw a Java exception instead (parsec.i).
//   * Bytes (std::vector<uint8_t>) in and out; parsec.i gives typemaps that map
//     them to []byte (Go) and byte[] (Java). Byte outputs are wiped by the
//     typemap after they were copied into the language's own buffer, so the
//     facade keeps no copy of a secret output (export_key, asymmetric_decrypt,
//     raw_key_agreement, generate_random, attestation credentials); byte inputs
//     are copied into a SecretBytes that wipes itself.
//   * No overloads, default arguments, templates, std::optional or variants:
//     lists are small classes with size()/get(i); "absent" is an empty string.
//   * The PSA model types are exposed as they are (parsec::psa::Algorithm with
//     its static factories, KeyAttributes, UsageFlags, the enums), because they
//     are already flat values designed for bindings (see parsec/psa/*.h). Two
//     flat helpers complement them for languages that keep their own value
//     types (the Go SDK): make_algorithm() builds an Algorithm from its fields
//     and usage_bits()/with_usage_bits() convert UsageFlags to and from the PSA
//     usage bit mask.
// Provider, authenticator and status values cross as the wire enums
// (parsec::ProviderId, parsec::AuthType) or as plain integers (status codes,
// opcodes), whose names the wire spec defines.
//
// Thread safety: as the core. One Client may be used from many threads at
// once (each request has its own connection); a Key may be used from many
// threads at once. An Error, a list or a CsrSubject is a plain value: one per
// call/thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parsec/client/client.h"
#include "parsec/client/info.h"
#include "parsec/interface/wire.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::binding {

using Bytes = std::vector<uint8_t>;

// Error is the outcome of one facade call: cleared (status 0, "Success") on
// success, filled from the core's parsec::client::Error on failure. Failures
// the core does not report as an Error are mapped too: std::bad_alloc to
// PsaErrorInsufficientMemory, any other exception to PsaErrorGenericError with
// its what() as the detail, both with from_service false.
class Error {
 public:
  Error() = default;
  // failed: the call did not succeed (status != 0).
  bool failed() const { return status_ != 0; }
  // status: the wire status code (parsec::Status), 0 on success.
  int status() const { return status_; }
  // status_name: the spec name of status() ("PsaErrorDoesNotExist").
  std::string status_name() const;
  // operation: the request that failed ("PsaSignHash"), empty when the failure
  // is not tied to one request.
  const std::string& operation() const { return operation_; }
  // detail: the human explanation (for service statuses, their description).
  const std::string& detail() const { return detail_; }
  // from_service: the status was answered by the service.
  bool from_service() const { return from_service_; }
  // message: "<operation> failed: <status name> (<detail>)", as the core's
  // parsec::client::Error::what() reads; empty on success.
  std::string message() const;
  void clear();

  // set fills the error (C++ side of the facade; not wrapped).
  void set(int status, std::string operation, std::string detail, bool from_service);

 private:
  int status_ = 0;
  std::string operation_;
  std::string detail_;
  bool from_service_ = false;
};

// ---- result lists (size() and get(i); get out of range returns a default value) ----
class ProviderList {
 public:
  size_t size() const { return items_.size(); }
  client::ProviderInfo get(size_t i) const { return i < items_.size() ? items_[i] : client::ProviderInfo{}; }
  std::vector<client::ProviderInfo> items_;
};

class AuthenticatorList {
 public:
  size_t size() const { return items_.size(); }
  client::AuthenticatorInfo get(size_t i) const { return i < items_.size() ? items_[i] : client::AuthenticatorInfo{}; }
  std::vector<client::AuthenticatorInfo> items_;
};

class KeyInfoList {
 public:
  size_t size() const { return items_.size(); }
  client::KeyInfo get(size_t i) const { return i < items_.size() ? items_[i] : client::KeyInfo{}; }
  std::vector<client::KeyInfo> items_;
};

// OpcodeList: opcode values (parsec::Opcode), ascending.
class OpcodeList {
 public:
  size_t size() const { return items_.size(); }
  uint32_t get(size_t i) const { return i < items_.size() ? items_[i] : 0; }
  std::vector<uint32_t> items_;
};

class StringList {
 public:
  size_t size() const { return items_.size(); }
  std::string get(size_t i) const { return i < items_.size() ? items_[i] : std::string(); }
  std::vector<std::string> items_;
};

// Attestation: PrepareKeyAttestation's result (see Client::prepare_key_attestation).
class Attestation {
 public:
  Bytes name() const { return value_.name; }
  Bytes public_area() const { return value_.public_area; }
  Bytes attesting_key_public() const { return value_.attesting_key_public; }
  client::PreparedAttestation value_;
};

// CsrSubject: the subject of Key::create_csr. An empty field is absent.
class CsrSubject {
 public:
  std::string common_name;
  std::string organizational_unit;
  std::string organization;
  std::string locality;
  std::string state;
  std::string country;
  std::string serial_number;
  // add_subject_alt_name adds a DNS name, or an IP address when it parses as one.
  void add_subject_alt_name(const std::string& name) { subject_alt_names_.push_back(name); }
  size_t subject_alt_name_count() const { return subject_alt_names_.size(); }
  std::vector<std::string> subject_alt_names_;
};

// ---- flat helpers for the PSA model -----------------------------------------------
// make_algorithm builds the Algorithm of `kind` from the fields its kind uses
// (parsec/psa/algorithm.h, AlgorithmKind) through the static factories;
// unused fields are ignored. truncated/length: MAC truncation or AEAD shortened
// tag. kdf: the derivation kind of KeyAgreementWithDerivation. Fails with
// PsaErrorInvalidArgument for an undefined kind or a truncated MAC of length 0.
psa::Algorithm make_algorithm(psa::AlgorithmKind kind, psa::Hash hash, bool truncated, uint32_t length,
                              psa::Cipher cipher, psa::AeadAlgorithm aead, psa::RawKeyAgreement key_agreement,
                              psa::AlgorithmKind kdf, Error& err);

// PSA usage bits (psa/crypto_values.h): the values usage_bits() uses.
constexpr uint32_t kUsageExport = 0x0001;
constexpr uint32_t kUsageCopy = 0x0002;
constexpr uint32_t kUsageCache = 0x0004;
constexpr uint32_t kUsageEncrypt = 0x0100;
constexpr uint32_t kUsageDecrypt = 0x0200;
constexpr uint32_t kUsageSignMessage = 0x0400;
constexpr uint32_t kUsageVerifyMessage = 0x0800;
constexpr uint32_t kUsageSignHash = 0x1000;
constexpr uint32_t kUsageVerifyHash = 0x2000;
constexpr uint32_t kUsageDerive = 0x4000;

// usage_bits: the attributes' usage flags as a PSA bit mask.
uint32_t usage_bits(const psa::KeyAttributes& attributes);
// with_usage_bits: a copy of `attributes` whose flags are exactly `bits`
// (unknown bits are ignored).
psa::KeyAttributes with_usage_bits(const psa::KeyAttributes& attributes, uint32_t bits);
// make_key_attributes: attributes from their fields, flags from `usage` bits.
psa::KeyAttributes make_key_attributes(psa::KeyType type, psa::EccFamily family, psa::DhFamily dh_family, uint32_t bits,
                                       uint32_t usage, const psa::Algorithm& policy);

// status_name_of: the spec name of a status code ("UnknownStatus" if undefined).
std::string status_name_of(int status);

class Key;

// Client: parsec::client::Client without exceptions. Settings as in
// parsec/client/client.h.
class Client {
 public:
  // create returns a new Client for `endpoint_uri` ("unix:/path"), or for
  // PARSEC_SERVICE_ENDPOINT (default /run/parsec/parsec.sock) when it is
  // empty; nullptr and ConnectionError for a URI that does not parse. The
  // caller owns the result. No request is sent.
  static Client* create(const std::string& endpoint_uri, Error& err);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // ---- settings ------------------------------------------------------------
  // endpoint: the canonical URI "unix:/path".
  std::string endpoint() const;
  bool set_endpoint(const std::string& uri, Error& err);
  uint32_t timeout_ms() const;
  // set_timeout_ms: per wait on connect/write/read; 0 waits forever.
  void set_timeout_ms(uint32_t timeout_ms);
  uint32_t max_response_body_len() const;
  void set_max_response_body_len(uint32_t limit);
  std::string app_name() const;
  void set_app_name(const std::string& app_name);
  // auth_type: the forced or cached authenticator, discovering it if needed.
  AuthType auth_type(Error& err);
  // set_auth_type: NoAuth, Direct (needs an app name) or UnixPeerCredentials.
  bool set_auth_type(AuthType type, Error& err);
  void use_default_auth();
  // provider: the set or cached provider, discovering it (ListProviders) if needed.
  ProviderId provider(Error& err);
  // set_provider: an id in 0..5 (others fail with ProviderDoesNotExist).
  bool set_provider(int provider, Error& err);
  void use_default_provider();

  // ---- core operations -------------------------------------------------------
  // ping returns the wire protocol version as major * 256 + minor (0x100 = 1.0).
  int ping(Error& err);
  ProviderList list_providers(Error& err);
  OpcodeList list_opcodes(int provider, Error& err);
  AuthenticatorList list_authenticators(Error& err);
  KeyInfoList list_keys(Error& err);
  StringList list_clients(Error& err);
  bool delete_client(const std::string& client, Error& err);
  psa::KeyAttributes key_attributes(const std::string& key_name, Error& err);

  // ---- key handles: nullptr on failure; the caller owns the result ----------------
  Key* key(const std::string& key_name, Error& err);
  Key* generate(const std::string& key_name, const psa::KeyAttributes& attributes, Error& err);

  // ---- key management ----------------------------------------------------------
  bool generate_key(const std::string& key_name, const psa::KeyAttributes& attributes, Error& err);
  bool import_key(const std::string& key_name, const psa::KeyAttributes& attributes, const Bytes& data, Error& err);
  Bytes export_public_key(const std::string& key_name, Error& err);
  Bytes export_key(const std::string& key_name, Error& err);
  bool destroy_key(const std::string& key_name, Error& err);

  // ---- signatures -------------------------------------------------------------
  Bytes sign_hash(const std::string& key_name, const psa::Algorithm& alg, const Bytes& hash, Error& err);
  // verify_*: false with a cleared err for PsaErrorInvalidSignature; false with
  // err filled for any other failure.
  bool verify_hash(const std::string& key_name, const psa::Algorithm& alg, const Bytes& hash, const Bytes& signature,
                   Error& err);
  Bytes sign_message(const std::string& key_name, const psa::Algorithm& alg, const Bytes& message, Error& err);
  bool verify_message(const std::string& key_name, const psa::Algorithm& alg, const Bytes& message,
                      const Bytes& signature, Error& err);

  // ---- encryption (an empty salt is no salt) ----------------------------------------
  Bytes asymmetric_encrypt(const std::string& key_name, const psa::Algorithm& alg, const Bytes& plaintext,
                           const Bytes& salt, Error& err);
  Bytes asymmetric_decrypt(const std::string& key_name, const psa::Algorithm& alg, const Bytes& ciphertext,
                           const Bytes& salt, Error& err);
  Bytes aead_encrypt(const std::string& key_name, const psa::Algorithm& alg, const Bytes& nonce,
                     const Bytes& additional_data, const Bytes& plaintext, Error& err);
  Bytes aead_decrypt(const std::string& key_name, const psa::Algorithm& alg, const Bytes& nonce,
                     const Bytes& additional_data, const Bytes& ciphertext, Error& err);
  Bytes cipher_encrypt(const std::string& key_name, psa::Cipher alg, const Bytes& plaintext, Error& err);
  Bytes cipher_decrypt(const std::string& key_name, psa::Cipher alg, const Bytes& ciphertext, Error& err);

  // ---- MAC, hash, key agreement, random, capability check ---------------------
  Bytes mac_compute(const std::string& key_name, const psa::Algorithm& alg, const Bytes& input, Error& err);
  // mac_verify / hash_compare: false with a cleared err when the value does not match.
  bool mac_verify(const std::string& key_name, const psa::Algorithm& alg, const Bytes& input, const Bytes& mac,
                  Error& err);
  Bytes hash_compute(psa::Hash alg, const Bytes& input, Error& err);
  bool hash_compare(psa::Hash alg, const Bytes& input, const Bytes& hash, Error& err);
  Bytes raw_key_agreement(psa::RawKeyAgreement alg, const std::string& private_key_name, const Bytes& peer_key,
                          Error& err);
  Bytes generate_random(uint64_t size, Error& err);
  // can_do_crypto: true on Success, false with a cleared err on PsaErrorNotSupported.
  bool can_do_crypto(psa::CheckType check, const psa::KeyAttributes& attributes, Error& err);

  // ---- key attestation (TPM ActivateCredential); empty attesting name = default ----
  Attestation prepare_key_attestation(const std::string& attested_key_name, const std::string& attesting_key_name,
                                      Error& err);
  Bytes attest_key_activate_credential(const std::string& attested_key_name, const Bytes& credential_blob,
                                       const Bytes& secret, const std::string& attesting_key_name, Error& err);

 private:
  explicit Client(std::unique_ptr<client::Client> core);
  std::unique_ptr<client::Client> core_;
};

// Key: parsec::client::Key without exceptions (parsec/client/key.h). An
// algorithm of kind None means "the default from the key's policy"; `der`
// asks for (and verify accepts) DER ECDSA signatures (RSA: no effect).
class Key {
 public:
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  std::string name() const;
  psa::KeyAttributes attributes() const;
  // signature_algorithm: the policy with a concrete hash (digest_length 0: the
  // hash for the key size).
  psa::Algorithm signature_algorithm(size_t digest_length, Error& err) const;

  Bytes sign(const Bytes& message, const psa::Algorithm& alg, bool der, Error& err) const;
  Bytes sign_hash(const Bytes& digest, const psa::Algorithm& alg, bool der, Error& err) const;
  // verify*: false with a cleared err when the signature does not match.
  bool verify(const Bytes& message, const Bytes& signature, const psa::Algorithm& alg, bool der, Error& err) const;
  bool verify_hash(const Bytes& digest, const Bytes& signature, const psa::Algorithm& alg, bool der, Error& err) const;
  // encrypt / decrypt with the key's asymmetric encryption policy.
  Bytes encrypt(const Bytes& plaintext, const Bytes& salt, Error& err) const;
  Bytes decrypt(const Bytes& ciphertext, const Bytes& salt, Error& err) const;

  Bytes export_public_key(Error& err) const;
  // public_key_der: X.509 SubjectPublicKeyInfo; public_key_pem: its PEM.
  Bytes public_key_der(Error& err) const;
  std::string public_key_pem(Error& err) const;
  // create_csr: a PKCS#10 request (DER) signed by the service.
  Bytes create_csr(const CsrSubject& subject, Error& err) const;
  bool destroy(Error& err) const;

 private:
  friend class Client;
  explicit Key(client::Key core);
  client::Key core_;
};

}  // namespace parsec::binding
