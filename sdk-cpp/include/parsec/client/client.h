// parsec/client/client.h - the C++ client of the Parsec service.
//
// A Client sends one request per operation to the Parsec service over its Unix
// socket (a new connection per request, wire protocol 1.0, protobuf bodies) and
// returns the decoded result, or throws parsec::client::Error. It chooses, on
// first need and then caches:
//   * the authentication: the first entry of ListAuthenticators the client can
//     use (Direct only when an application name was given, Unix peer
//     credentials always, JWT-SVID only when a token source was set with
//     set_jwt_svid_source()), unless one was forced with set_auth_type();
//   * the provider for cryptographic operations: the first entry of
//     ListProviders, unless one was set with set_provider().
// Core operations (ping, list_*, delete_client) always go to provider 0.
// Requests that need no identity (ping, list_providers, list_opcodes,
// list_authenticators, generate_random, hash_*) carry the authentication if it
// is already known and none otherwise: they never trigger the discovery.
//
// Thread safety: one Client may be used from several threads at once. The
// settings and the cached choices are behind a mutex and every request uses its
// own connection. Changing a setting while requests are in flight affects only
// the requests started afterwards. Key handles (key.h) share this state.
//
// Secrets: the client wipes (parsec::secure_zero / parsec::wipe) every buffer
// of its own that carried a secret input or output of the operation (per
// parsec::opcode_info: imported key material, plaintext sent for encryption,
// exported keys, decrypted plaintext, shared secrets, random bytes,
// attestation secrets and credentials): protobuf fields, serialized bodies,
// the framed request and the received body. Results stay plain Bytes for API
// stability and for the bindings, which copy them into their own objects;
// the caller owns that one copy and can keep it wiped by moving it into a
// parsec::SecretBytes (SecretBytes::take(bytes) moves the buffer, no copy) or
// by calling parsec::wipe on it. SecretBytes-returning twins were not added:
// they would double the API for exactly that one move.
// Failures of every method throw parsec::client::Error (error.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parsec/client/algorithm.h"
#include "parsec/client/endpoint.h"
#include "parsec/client/error.h"
#include "parsec/client/info.h"
#include "parsec/client/jwt_svid.h"
#include "parsec/client/key.h"
#include "parsec/client/key_attributes.h"
#include "parsec/interface/wire.h"

namespace parsec::client {

// Bytes (std::vector<uint8_t>) is defined in info.h.

class Client {
 public:
  static constexpr uint32_t kDefaultTimeoutMs = 60000;
  // Default limit on a response body, a guard against a corrupt length field.
  // parsecd bounds its own responses by core_settings.body_len_limit (1 MiB by
  // default; a larger ListKeys answers ResponseTooLarge, docs/storage.md).
  static constexpr uint32_t kDefaultMaxResponseBodyLen = 16u << 20;

  // Endpoint from PARSEC_SERVICE_ENDPOINT (throws Error on a bad URI), no
  // application name.
  Client();
  // As Client(), with the application name used for Direct authentication.
  explicit Client(const std::string& app_name);
  Client(const Endpoint& endpoint, const std::string& app_name);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // ---- settings -----------------------------------------------------------
  Endpoint endpoint() const;
  void set_endpoint(const Endpoint& endpoint);
  // Timeout in milliseconds for each wait on connect, write and read; 0 waits
  // forever. Default 60 s.
  uint32_t timeout_ms() const;
  void set_timeout_ms(uint32_t timeout_ms);
  // Largest response body accepted (else Error BodySizeExceedsLimit).
  uint32_t max_response_body_len() const;
  void set_max_response_body_len(uint32_t limit);
  // Application name for Direct authentication. Changing it drops a cached
  // automatic authentication choice.
  std::string app_name() const;
  void set_app_name(const std::string& app_name);

  // ---- authentication -----------------------------------------------------
  // auth_type returns the forced or cached choice, running the discovery
  // (ListAuthenticators) if there is none yet.
  AuthType auth_type();
  // set_auth_type forces NoAuth, Direct (needs an application name),
  // UnixPeerCredentials or JwtSvid (needs a token source); other types, and
  // JwtSvid without a source, throw Error(AuthenticatorNotRegistered).
  void set_auth_type(AuthType type);
  // set_jwt_svid_source sets where JWT-SVID authentication gets its token
  // (jwt_svid.h; the SPIFFE Workload API one is in workload_api_source.h);
  // nullptr removes it. Drops a cached automatic authentication choice.
  void set_jwt_svid_source(std::shared_ptr<JwtSvidSource> source);
  // use_default_auth forgets a forced or cached choice: the next request that
  // needs an identity runs the discovery again.
  void use_default_auth();

  // ---- provider -----------------------------------------------------------
  // provider returns the set or cached provider, calling ListProviders if there
  // is none yet.
  ProviderId provider();
  void set_provider(ProviderId provider);
  void use_default_provider();

  // ---- core operations (provider 0) ---------------------------------------
  ProtocolVersion ping();
  std::vector<ProviderInfo> list_providers();
  // Opcodes advertised by `provider`, sorted ascending.
  std::vector<Opcode> list_opcodes(ProviderId provider);
  std::vector<AuthenticatorInfo> list_authenticators();
  std::vector<KeyInfo> list_keys();
  std::vector<std::string> list_clients();
  void delete_client(const std::string& client);

  // key_attributes finds `key_name` with list_keys(), preferring the key held
  // by the current provider; Error(PsaErrorDoesNotExist) if there is none.
  KeyAttributes key_attributes(const std::string& key_name);

  // ---- key handles (key.h) ---------------------------------------------------
  // key: a handle on the existing key `key_name`, attributes from
  // key_attributes() (ListKeys; Error(PsaErrorDoesNotExist) if there is none).
  Key key(const std::string& key_name);
  // generate: generate_key, then the handle (with the given attributes).
  Key generate(const std::string& key_name, const KeyAttributes& attributes);

  // ---- key management (current provider) ---------------------------------
  void generate_key(const std::string& key_name, const KeyAttributes& attributes);
  void import_key(const std::string& key_name, const KeyAttributes& attributes, const Bytes& data);
  Bytes export_public_key(const std::string& key_name);
  // export_key and the decrypting/agreeing operations below return secrets:
  // see "Secrets" above.
  Bytes export_key(const std::string& key_name);
  void destroy_key(const std::string& key_name);

  // ---- signatures (alg must be an asymmetric signature) -------------------
  Bytes sign_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash);
  // verify_* return false only when the service answers PsaErrorInvalidSignature.
  bool verify_hash(const std::string& key_name, const Algorithm& alg, const Bytes& hash, const Bytes& signature);
  Bytes sign_message(const std::string& key_name, const Algorithm& alg, const Bytes& message);
  bool verify_message(const std::string& key_name, const Algorithm& alg, const Bytes& message, const Bytes& signature);

  // ---- encryption ----------------------------------------------------------
  // alg: rsa_pkcs1v15_crypt or rsa_oaep; an empty salt means "no salt".
  Bytes asymmetric_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& plaintext,
                           const Bytes& salt = Bytes());
  Bytes asymmetric_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& ciphertext,
                           const Bytes& salt = Bytes());
  // alg: an AEAD algorithm. The ciphertext carries the tag at its end.
  Bytes aead_encrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                     const Bytes& additional_data, const Bytes& plaintext);
  Bytes aead_decrypt(const std::string& key_name, const Algorithm& alg, const Bytes& nonce,
                     const Bytes& additional_data, const Bytes& ciphertext);
  // The ciphertext is IV || encrypted data.
  Bytes cipher_encrypt(const std::string& key_name, Cipher alg, const Bytes& plaintext);
  Bytes cipher_decrypt(const std::string& key_name, Cipher alg, const Bytes& ciphertext);

  // ---- MAC, hash, key agreement, random -----------------------------------
  // alg: hmac, cbc_mac, cmac or a truncated MAC. (The reference service does
  // not recognise these two opcodes.)
  Bytes mac_compute(const std::string& key_name, const Algorithm& alg, const Bytes& input);
  bool mac_verify(const std::string& key_name, const Algorithm& alg, const Bytes& input, const Bytes& mac);
  Bytes hash_compute(Hash alg, const Bytes& input);
  bool hash_compare(Hash alg, const Bytes& input, const Bytes& hash);
  Bytes raw_key_agreement(RawKeyAgreement alg, const std::string& private_key_name, const Bytes& peer_key);
  Bytes generate_random(uint64_t size);

  // can_do_crypto returns true on Success and false on PsaErrorNotSupported.
  bool can_do_crypto(CheckType check, const KeyAttributes& attributes);

  // ---- key attestation (TPM provider only) ---------------------------------
  // Both use the TPM ActivateCredential mechanism, the only one defined. An
  // empty attesting_key_name selects the provider's default attesting key (the
  // TPM endorsement key); the reference service answers PsaErrorNotSupported
  // for any other name and on providers other than TPM.
  //
  // prepare_key_attestation returns what a third party needs to run
  // TPM2_MakeCredential for `attested_key_name` (PrepareKeyAttestation).
  PreparedAttestation prepare_key_attestation(const std::string& attested_key_name,
                                              const std::string& attesting_key_name = "");
  // attest_key_activate_credential runs TPM2_ActivateCredential for
  // `attested_key_name` with the third party's `credential_blob` (the
  // TPM2B_ID_OBJECT credential field) and `secret` (the TPM2B_ENCRYPTED_SECRET
  // secret field), and returns the recovered credential (AttestKey).
  Bytes attest_key_activate_credential(const std::string& attested_key_name, const Bytes& credential_blob,
                                       const Bytes& secret, const std::string& attesting_key_name = "");

 private:
  class Impl;
  friend class Key;
  // Shared with the Key handles made by this Client.
  explicit Client(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace parsec::client
