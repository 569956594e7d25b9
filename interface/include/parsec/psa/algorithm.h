// parsec/psa/algorithm.h - PSA Crypto algorithm identifiers as one flat value.
//
// The wire contract (psa_algorithm.Algorithm) is a tree of nested oneofs. For
// bindings (pybind11, SWIG) that tree is flattened into one class: a kind()
// naming the leaf variant plus the few parameters a variant can carry (a hash, a
// MAC/tag length, a cipher mode, an AEAD base algorithm, a raw key agreement and
// a key derivation kind). Build values with the static factories, e.g.
//   Algorithm::ecdsa(Hash::Sha256)           // operation or policy
//   Algorithm::rsa_pss(Hash::Any)            // policy wildcard: any hash
//   Algorithm::aead_gcm()  / aead_gcm(12)    // default tag / 12-byte tag
//   Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16)
//   Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, Algorithm::hkdf(Hash::Sha256))
// Every variant of psa_algorithm.Algorithm has exactly one representation, so
// decoding and re-encoding gives back the same bytes. Factories do not check
// that a combination is sensible (the service does); values that cannot be
// written at all (Hash::Any outside a hash-and-sign signature) are rejected
// with Error(InvalidEncoding) when a request is encoded.
// Algorithm is an immutable value type; safe to share between threads.
#pragma once

#include <cstdint>
#include <string>

namespace parsec::psa {

// Hash values 0-15 equal the wire enum psa_algorithm.Algorithm.Hash. Any is the
// "any hash" wildcard of hash-and-sign signature policies and exists only here.
enum class Hash : uint32_t {
  None = 0,
  Md2 = 1,
  Md4 = 2,
  Md5 = 3,
  Ripemd160 = 4,
  Sha1 = 5,
  Sha224 = 6,
  Sha256 = 7,
  Sha384 = 8,
  Sha512 = 9,
  Sha512_224 = 10,
  Sha512_256 = 11,
  Sha3_224 = 12,
  Sha3_256 = 13,
  Sha3_384 = 14,
  Sha3_512 = 15,
  Any = 0xFF,
};

// hash_name gives the reference client's name ("Sha256"; "Any"; "None").
const char* hash_name(Hash h);
// hash_length gives the digest length in bytes (0 for None and Any).
uint32_t hash_length(Hash h);

// Values equal the wire enum psa_algorithm.Algorithm.Cipher.
enum class Cipher : uint32_t {
  None = 0,
  StreamCipher = 1,
  Ctr = 2,
  Cfb = 3,
  Ofb = 4,
  Xts = 5,
  EcbNoPadding = 6,
  CbcNoPadding = 7,
  CbcPkcs7 = 8,
};
const char* cipher_name(Cipher c);

// Values equal the wire enum psa_algorithm.Algorithm.Aead.AeadWithDefaultLengthTag.
enum class AeadAlgorithm : uint32_t {
  None = 0,
  Ccm = 1,
  Gcm = 2,
  Chacha20Poly1305 = 3,
};
const char* aead_algorithm_name(AeadAlgorithm a);

// Values equal the wire enum psa_algorithm.Algorithm.KeyAgreement.Raw.
enum class RawKeyAgreement : uint32_t {
  None = 0,
  Ffdh = 1,
  Ecdh = 2,
};
const char* raw_key_agreement_name(RawKeyAgreement r);

// AlgorithmKind names the leaf of the wire algorithm tree.
enum class AlgorithmKind : uint32_t {
  None = 0,                         // Algorithm.none (policy allowing no use)
  Hash = 1,                         // Algorithm.hash                      uses hash_alg()
  Hmac = 2,                         // Mac FullLength/Truncated hmac       uses hash_alg(), is_truncated(), length()
  CbcMac = 3,                       // Mac cbc_mac                         uses is_truncated(), length()
  Cmac = 4,                         // Mac cmac                            uses is_truncated(), length()
  Cipher = 5,                       // Algorithm.cipher                    uses cipher_mode()
  Aead = 6,                         // Algorithm.aead                      uses aead_alg(), is_truncated(), length()
  RsaPkcs1v15Sign = 7,              // AsymmetricSignature                 uses hash_alg() (may be Any)
  RsaPkcs1v15SignRaw = 8,           // AsymmetricSignature
  RsaPss = 9,                       // AsymmetricSignature                 uses hash_alg() (may be Any)
  Ecdsa = 10,                       // AsymmetricSignature                 uses hash_alg() (may be Any)
  EcdsaAny = 11,                    // AsymmetricSignature
  DeterministicEcdsa = 12,          // AsymmetricSignature                 uses hash_alg() (may be Any)
  RsaPkcs1v15Crypt = 13,            // AsymmetricEncryption
  RsaOaep = 14,                     // AsymmetricEncryption                uses hash_alg()
  RawKeyAgreement = 15,             // KeyAgreement.raw                    uses key_agreement_alg()
  KeyAgreementWithDerivation = 16,  // KeyAgreement.with_key_derivation uses key_agreement_alg(), kdf_kind(), hash_alg()
  Hkdf = 17,                        // KeyDerivation                       uses hash_alg()
  Tls12Prf = 18,                    // KeyDerivation                       uses hash_alg()
  Tls12PskToMs = 19,                // KeyDerivation                       uses hash_alg()
};
const char* algorithm_kind_name(AlgorithmKind k);

class Algorithm {
 public:
  // The default value is Algorithm::none().
  Algorithm() = default;

  static Algorithm none();
  static Algorithm hash(Hash h);

  // MACs. A truncated MAC wraps a full-length one (hmac, cbc_mac or cmac).
  static Algorithm hmac(Hash h);
  static Algorithm cbc_mac();
  static Algorithm cmac();
  static Algorithm truncated_mac(const Algorithm& full_length_mac, uint32_t mac_length);

  static Algorithm cipher(Cipher c);

  // AEAD with the default tag, or with a tag shortened to tag_length bytes.
  static Algorithm aead(AeadAlgorithm a);
  static Algorithm aead_shortened_tag(AeadAlgorithm a, uint32_t tag_length);
  // Shorthands: tag_length 0 means the default tag length.
  static Algorithm aead_ccm(uint32_t tag_length = 0);
  static Algorithm aead_gcm(uint32_t tag_length = 0);
  static Algorithm aead_chacha20_poly1305(uint32_t tag_length = 0);

  // Asymmetric signatures. Hash::Any is the policy wildcard.
  static Algorithm rsa_pkcs1v15_sign(Hash h);
  static Algorithm rsa_pkcs1v15_sign_raw();
  static Algorithm rsa_pss(Hash h);
  static Algorithm ecdsa(Hash h);
  static Algorithm ecdsa_any();
  static Algorithm deterministic_ecdsa(Hash h);

  // Asymmetric encryption.
  static Algorithm rsa_pkcs1v15_crypt();
  static Algorithm rsa_oaep(Hash h);

  // Key agreement: raw, or feeding a key derivation (kdf must be hkdf,
  // tls12_prf or tls12_psk_to_ms; its hash is kept).
  static Algorithm raw_key_agreement(RawKeyAgreement r);
  static Algorithm ecdh();
  static Algorithm ffdh();
  static Algorithm key_agreement_with_derivation(RawKeyAgreement r, const Algorithm& kdf);

  // Key derivation.
  static Algorithm hkdf(Hash h);
  static Algorithm tls12_prf(Hash h);
  static Algorithm tls12_psk_to_ms(Hash h);

  AlgorithmKind kind() const { return kind_; }
  // Accessors are named differently from the factories so that bindings can
  // expose both (a static and an instance method may not share a name there).
  // hash_alg: the hash parameter (Hash::None when the kind has none).
  Hash hash_alg() const { return hash_; }
  // is_truncated: MAC truncated / AEAD tag shortened; length() is then the
  // MAC or tag length in bytes (0 otherwise).
  bool is_truncated() const { return truncated_; }
  uint32_t length() const { return length_; }
  Cipher cipher_mode() const { return cipher_; }
  AeadAlgorithm aead_alg() const { return aead_; }
  RawKeyAgreement key_agreement_alg() const { return key_agreement_; }
  // kdf_kind: for KeyAgreementWithDerivation, the derivation kind (Hkdf, Tls12Prf
  // or Tls12PskToMs); AlgorithmKind::None otherwise.
  AlgorithmKind kdf_kind() const { return kdf_; }

  // Families (the wire message the variant belongs to).
  bool is_mac() const;
  bool is_aead() const;
  bool is_asymmetric_signature() const;
  bool is_asymmetric_encryption() const;
  bool is_key_agreement() const;
  bool is_key_derivation() const;
  // has_sign_hash: a hash-and-sign signature (rsa_pkcs1v15_sign, rsa_pss,
  // ecdsa, deterministic_ecdsa), whose hash_alg() may be Hash::Any.
  bool has_sign_hash() const;
  // is_ecc_signature: ecdsa, ecdsa_any or deterministic_ecdsa (r||s output).
  bool is_ecc_signature() const;
  // with_sign_hash: for a hash-and-sign signature, the same scheme with hash
  // `h` (e.g. a Hash::Any policy made concrete for a request); any other
  // algorithm is returned unchanged.
  Algorithm with_sign_hash(Hash h) const;

  // to_string renders the value as the reference tool's key listing does,
  // e.g. "AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) })".
  std::string to_string() const;

  bool operator==(const Algorithm& other) const;
  bool operator!=(const Algorithm& other) const { return !(*this == other); }

 private:
  AlgorithmKind kind_ = AlgorithmKind::None;
  Hash hash_ = Hash::None;
  bool truncated_ = false;
  uint32_t length_ = 0;
  Cipher cipher_ = Cipher::None;
  AeadAlgorithm aead_ = AeadAlgorithm::None;
  RawKeyAgreement key_agreement_ = RawKeyAgreement::None;
  AlgorithmKind kdf_ = AlgorithmKind::None;
};

}  // namespace parsec::psa
