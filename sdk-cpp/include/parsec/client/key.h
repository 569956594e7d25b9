// parsec/client/key.h - a handle on one key held by the Parsec service.
//
// A Key names a key and remembers its attributes; the key material stays in the
// service and every method is one request through the Client it came from
// (Client::key(name) looks the attributes up with ListKeys, Client::generate
// creates the key). Algorithms default to the key's policy, as the Python
// SDK's Key does:
//   * a signature policy with a specific hash is used as is;
//   * a policy allowing any hash (Hash::Any) is resolved per call: sign_hash /
//     verify_hash take the hash from the digest length (20, 28, 32, 48, 64
//     bytes -> SHA-1, SHA-224, SHA-256, SHA-384, SHA-512; other lengths throw);
//     sign / verify (the service hashes the message) and create_csr use the
//     hash matching the key size: ECC up to 256 bits SHA-256, up to 384 bits
//     SHA-384, larger SHA-512; RSA SHA-256;
//   * encrypt / decrypt use an asymmetric encryption policy (RSA PKCS#1 v1.5
//     or OAEP) as is.
// A key whose policy does not fit the call throws Error(PsaErrorInvalidArgument)
// before any request; the overloads taking an Algorithm bypass the defaults.
//
// Signature format: the service signs ECDSA as raw r||s. SignatureFormat::Der
// asks for (and verify accepts) the DER Ecdsa-Sig-Value of X.509 and TLS
// instead; RSA signatures have a single form and are never converted.
//
// Lifetime and thread safety: a Key shares the Client's state (endpoint,
// authentication, provider, timeouts) through a shared pointer, so it stays
// usable after the Client object is destroyed or moved, and follows later
// setting changes made on that Client (e.g. set_provider). Keys are cheap to
// copy; const methods may be called from several threads at once, like the
// Client's. The attributes are a snapshot taken when the Key was made.
// Failures throw parsec::client::Error, the one error type of the client.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsec/client/algorithm.h"
#include "parsec/client/info.h"
#include "parsec/client/key_attributes.h"
#include "parsec/crypto/csr.h"

namespace parsec::client {

class Client;

enum class SignatureFormat {
  Raw,  // as the service produces it (ECDSA: r||s, each scalar-sized)
  Der,  // ECDSA: DER Ecdsa-Sig-Value (X.509, TLS); RSA: unchanged
};

// Subject of a certificate signing request (create_csr): the shared encoding
// module's field set (parsec/crypto/csr.h). Absent fields are left out; the
// subject lists them in the order CN, OU, O, L, ST, C, serialNumber.
// subject_alt_names entries that parse as an IPv4/IPv6 address become
// iPAddress names, the others dNSName.
using CsrSubject = crypto::CsrFields;

class Key {
 public:
  const std::string& name() const { return name_; }
  const KeyAttributes& attributes() const { return attributes_; }

  // signature_algorithm: the policy with a concrete hash, as described above
  // (digest_length 0: the hash for the key size).
  Algorithm signature_algorithm(size_t digest_length = 0) const;

  // ---- signatures ----------------------------------------------------------
  // sign / verify: PsaSignMessage / PsaVerifyMessage (the service hashes).
  Bytes sign(const Bytes& message, SignatureFormat format = SignatureFormat::Raw) const;
  Bytes sign(const Bytes& message, const Algorithm& alg, SignatureFormat format = SignatureFormat::Raw) const;
  // sign_hash / verify_hash: PsaSignHash / PsaVerifyHash on a digest.
  Bytes sign_hash(const Bytes& digest, SignatureFormat format = SignatureFormat::Raw) const;
  Bytes sign_hash(const Bytes& digest, const Algorithm& alg, SignatureFormat format = SignatureFormat::Raw) const;
  // verify* return false when the signature does not match (also for a DER
  // signature that does not parse); other failures throw.
  bool verify(const Bytes& message, const Bytes& signature, SignatureFormat format = SignatureFormat::Raw) const;
  bool verify(const Bytes& message, const Bytes& signature, const Algorithm& alg,
              SignatureFormat format = SignatureFormat::Raw) const;
  bool verify_hash(const Bytes& digest, const Bytes& signature, SignatureFormat format = SignatureFormat::Raw) const;
  bool verify_hash(const Bytes& digest, const Bytes& signature, const Algorithm& alg,
                   SignatureFormat format = SignatureFormat::Raw) const;

  // ---- asymmetric encryption (RSA) -----------------------------------------
  // An empty salt means none (OAEP label). decrypt returns the plaintext as
  // Bytes (the client wiped its own copies); wipe it with parsec::wipe or move
  // it into a parsec::SecretBytes with SecretBytes::take.
  Bytes encrypt(const Bytes& plaintext, const Bytes& salt = Bytes()) const;
  Bytes decrypt(const Bytes& ciphertext, const Bytes& salt = Bytes()) const;

  // ---- public key -----------------------------------------------------------
  // export_public_key: the PSA format (ECC: 04 || X || Y; RSA: PKCS#1
  // RSAPublicKey DER). public_key_der / public_key_pem: the X.509
  // SubjectPublicKeyInfo ("PUBLIC KEY" PEM) of an RSA or ECC key (curves of
  // the shared encoding module); an export that does not decode throws
  // Error(InvalidEncoding).
  Bytes export_public_key() const;
  Bytes public_key_der() const;
  std::string public_key_pem() const;

  // create_csr: a PKCS#10 request (DER) for this key's public key, signed by
  // the service with sign_hash: ECDSA (ecdsa-with-SHA*), RSA PKCS#1 v1.5
  // (sha*WithRSAEncryption) and RSA-PSS (id-RSASSA-PSS) keys; the hash is the
  // policy's, or the one for the key size when the policy allows any. The
  // request is built and checked against the public key by the shared encoding
  // module (parsec_encoding). Other policies, and hashes other than
  // SHA-224/256/384/512, throw Error (PsaErrorNotSupported/InvalidArgument).
  Bytes create_csr(const CsrSubject& subject) const;

  // destroy: PsaDestroyKey. The Key object then names a key that no longer exists.
  void destroy() const;

 private:
  friend class Client;
  Key(std::shared_ptr<Client> client, std::string name, KeyAttributes attributes);

  std::shared_ptr<Client> client_;
  std::string name_;
  KeyAttributes attributes_;
};

}  // namespace parsec::client
