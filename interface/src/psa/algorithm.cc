#include "parsec/psa/algorithm.h"

namespace parsec::psa {

const char* hash_name(Hash h) {
  switch (h) {
    case Hash::None:
      return "None";
    case Hash::Md2:
      return "Md2";
    case Hash::Md4:
      return "Md4";
    case Hash::Md5:
      return "Md5";
    case Hash::Ripemd160:
      return "Ripemd160";
    case Hash::Sha1:
      return "Sha1";
    case Hash::Sha224:
      return "Sha224";
    case Hash::Sha256:
      return "Sha256";
    case Hash::Sha384:
      return "Sha384";
    case Hash::Sha512:
      return "Sha512";
    case Hash::Sha512_224:
      return "Sha512_224";
    case Hash::Sha512_256:
      return "Sha512_256";
    case Hash::Sha3_224:
      return "Sha3_224";
    case Hash::Sha3_256:
      return "Sha3_256";
    case Hash::Sha3_384:
      return "Sha3_384";
    case Hash::Sha3_512:
      return "Sha3_512";
    case Hash::Any:
      return "Any";
  }
  return "Unknown";
}

uint32_t hash_length(Hash h) {
  switch (h) {
    case Hash::Md2:
    case Hash::Md4:
    case Hash::Md5:
      return 16;
    case Hash::Ripemd160:
    case Hash::Sha1:
      return 20;
    case Hash::Sha224:
    case Hash::Sha512_224:
    case Hash::Sha3_224:
      return 28;
    case Hash::Sha256:
    case Hash::Sha512_256:
    case Hash::Sha3_256:
      return 32;
    case Hash::Sha384:
    case Hash::Sha3_384:
      return 48;
    case Hash::Sha512:
    case Hash::Sha3_512:
      return 64;
    case Hash::None:
    case Hash::Any:
      return 0;
  }
  return 0;
}

const char* cipher_name(Cipher c) {
  switch (c) {
    case Cipher::None:
      return "None";
    case Cipher::StreamCipher:
      return "StreamCipher";
    case Cipher::Ctr:
      return "Ctr";
    case Cipher::Cfb:
      return "Cfb";
    case Cipher::Ofb:
      return "Ofb";
    case Cipher::Xts:
      return "Xts";
    case Cipher::EcbNoPadding:
      return "EcbNoPadding";
    case Cipher::CbcNoPadding:
      return "CbcNoPadding";
    case Cipher::CbcPkcs7:
      return "CbcPkcs7";
  }
  return "Unknown";
}

const char* aead_algorithm_name(AeadAlgorithm a) {
  switch (a) {
    case AeadAlgorithm::None:
      return "None";
    case AeadAlgorithm::Ccm:
      return "Ccm";
    case AeadAlgorithm::Gcm:
      return "Gcm";
    case AeadAlgorithm::Chacha20Poly1305:
      return "Chacha20Poly1305";
  }
  return "Unknown";
}

const char* raw_key_agreement_name(RawKeyAgreement r) {
  switch (r) {
    case RawKeyAgreement::None:
      return "None";
    case RawKeyAgreement::Ffdh:
      return "Ffdh";
    case RawKeyAgreement::Ecdh:
      return "Ecdh";
  }
  return "Unknown";
}

const char* algorithm_kind_name(AlgorithmKind k) {
  switch (k) {
    case AlgorithmKind::None:
      return "None";
    case AlgorithmKind::Hash:
      return "Hash";
    case AlgorithmKind::Hmac:
      return "Hmac";
    case AlgorithmKind::CbcMac:
      return "CbcMac";
    case AlgorithmKind::Cmac:
      return "Cmac";
    case AlgorithmKind::Cipher:
      return "Cipher";
    case AlgorithmKind::Aead:
      return "Aead";
    case AlgorithmKind::RsaPkcs1v15Sign:
      return "RsaPkcs1v15Sign";
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      return "RsaPkcs1v15SignRaw";
    case AlgorithmKind::RsaPss:
      return "RsaPss";
    case AlgorithmKind::Ecdsa:
      return "Ecdsa";
    case AlgorithmKind::EcdsaAny:
      return "EcdsaAny";
    case AlgorithmKind::DeterministicEcdsa:
      return "DeterministicEcdsa";
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return "RsaPkcs1v15Crypt";
    case AlgorithmKind::RsaOaep:
      return "RsaOaep";
    case AlgorithmKind::RawKeyAgreement:
      return "RawKeyAgreement";
    case AlgorithmKind::KeyAgreementWithDerivation:
      return "KeyAgreementWithDerivation";
    case AlgorithmKind::Hkdf:
      return "Hkdf";
    case AlgorithmKind::Tls12Prf:
      return "Tls12Prf";
    case AlgorithmKind::Tls12PskToMs:
      return "Tls12PskToMs";
  }
  return "Unknown";
}

// ---- factories ---------------------------------------------------------------

Algorithm Algorithm::none() {
  return Algorithm();
}

Algorithm Algorithm::hash(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Hash;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::hmac(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Hmac;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::cbc_mac() {
  Algorithm a;
  a.kind_ = AlgorithmKind::CbcMac;
  return a;
}

Algorithm Algorithm::cmac() {
  Algorithm a;
  a.kind_ = AlgorithmKind::Cmac;
  return a;
}

Algorithm Algorithm::truncated_mac(const Algorithm& full_length_mac, uint32_t mac_length) {
  Algorithm a = full_length_mac;
  a.truncated_ = true;
  a.length_ = mac_length;
  return a;
}

Algorithm Algorithm::cipher(Cipher c) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Cipher;
  a.cipher_ = c;
  return a;
}

Algorithm Algorithm::aead(AeadAlgorithm base) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Aead;
  a.aead_ = base;
  return a;
}

Algorithm Algorithm::aead_shortened_tag(AeadAlgorithm base, uint32_t tag_length) {
  Algorithm a = aead(base);
  a.truncated_ = true;
  a.length_ = tag_length;
  return a;
}

Algorithm Algorithm::aead_ccm(uint32_t tag_length) {
  return tag_length == 0 ? aead(AeadAlgorithm::Ccm) : aead_shortened_tag(AeadAlgorithm::Ccm, tag_length);
}

Algorithm Algorithm::aead_gcm(uint32_t tag_length) {
  return tag_length == 0 ? aead(AeadAlgorithm::Gcm) : aead_shortened_tag(AeadAlgorithm::Gcm, tag_length);
}

Algorithm Algorithm::aead_chacha20_poly1305(uint32_t tag_length) {
  return tag_length == 0 ? aead(AeadAlgorithm::Chacha20Poly1305)
                         : aead_shortened_tag(AeadAlgorithm::Chacha20Poly1305, tag_length);
}

Algorithm Algorithm::rsa_pkcs1v15_sign(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::RsaPkcs1v15Sign;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::rsa_pkcs1v15_sign_raw() {
  Algorithm a;
  a.kind_ = AlgorithmKind::RsaPkcs1v15SignRaw;
  return a;
}

Algorithm Algorithm::rsa_pss(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::RsaPss;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::ecdsa(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Ecdsa;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::ecdsa_any() {
  Algorithm a;
  a.kind_ = AlgorithmKind::EcdsaAny;
  return a;
}

Algorithm Algorithm::deterministic_ecdsa(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::DeterministicEcdsa;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::rsa_pkcs1v15_crypt() {
  Algorithm a;
  a.kind_ = AlgorithmKind::RsaPkcs1v15Crypt;
  return a;
}

Algorithm Algorithm::rsa_oaep(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::RsaOaep;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::raw_key_agreement(RawKeyAgreement r) {
  Algorithm a;
  a.kind_ = AlgorithmKind::RawKeyAgreement;
  a.key_agreement_ = r;
  return a;
}

Algorithm Algorithm::ecdh() {
  return raw_key_agreement(RawKeyAgreement::Ecdh);
}
Algorithm Algorithm::ffdh() {
  return raw_key_agreement(RawKeyAgreement::Ffdh);
}

Algorithm Algorithm::key_agreement_with_derivation(RawKeyAgreement r, const Algorithm& kdf) {
  Algorithm a;
  a.kind_ = AlgorithmKind::KeyAgreementWithDerivation;
  a.key_agreement_ = r;
  // A non-derivation kdf is kept as given; encoding rejects it with a clear
  // message instead of silently changing the value here.
  a.kdf_ = kdf.kind_;
  a.hash_ = kdf.hash_;
  return a;
}

Algorithm Algorithm::hkdf(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Hkdf;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::tls12_prf(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Tls12Prf;
  a.hash_ = h;
  return a;
}

Algorithm Algorithm::tls12_psk_to_ms(Hash h) {
  Algorithm a;
  a.kind_ = AlgorithmKind::Tls12PskToMs;
  a.hash_ = h;
  return a;
}

// ---- predicates --------------------------------------------------------------

bool Algorithm::is_mac() const {
  return kind_ == AlgorithmKind::Hmac || kind_ == AlgorithmKind::CbcMac || kind_ == AlgorithmKind::Cmac;
}

bool Algorithm::is_aead() const {
  return kind_ == AlgorithmKind::Aead;
}

bool Algorithm::is_asymmetric_signature() const {
  switch (kind_) {
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::EcdsaAny:
    case AlgorithmKind::DeterministicEcdsa:
      return true;
    default:
      return false;
  }
}

bool Algorithm::is_asymmetric_encryption() const {
  return kind_ == AlgorithmKind::RsaPkcs1v15Crypt || kind_ == AlgorithmKind::RsaOaep;
}

bool Algorithm::is_key_agreement() const {
  return kind_ == AlgorithmKind::RawKeyAgreement || kind_ == AlgorithmKind::KeyAgreementWithDerivation;
}

bool Algorithm::is_key_derivation() const {
  return kind_ == AlgorithmKind::Hkdf || kind_ == AlgorithmKind::Tls12Prf || kind_ == AlgorithmKind::Tls12PskToMs;
}

bool Algorithm::has_sign_hash() const {
  return kind_ == AlgorithmKind::RsaPkcs1v15Sign || kind_ == AlgorithmKind::RsaPss || kind_ == AlgorithmKind::Ecdsa ||
         kind_ == AlgorithmKind::DeterministicEcdsa;
}

bool Algorithm::is_ecc_signature() const {
  return kind_ == AlgorithmKind::Ecdsa || kind_ == AlgorithmKind::EcdsaAny ||
         kind_ == AlgorithmKind::DeterministicEcdsa;
}

Algorithm Algorithm::with_sign_hash(Hash h) const {
  Algorithm out = *this;
  if (has_sign_hash()) {
    out.hash_ = h;
  }
  return out;
}

bool Algorithm::operator==(const Algorithm& o) const {
  return kind_ == o.kind_ && hash_ == o.hash_ && truncated_ == o.truncated_ && length_ == o.length_ &&
         cipher_ == o.cipher_ && aead_ == o.aead_ && key_agreement_ == o.key_agreement_ && kdf_ == o.kdf_;
}

// ---- to_string ---------------------------------------------------------------

namespace {

std::string sign_hash_text(Hash h) {
  return h == Hash::Any ? std::string("Any") : std::string("Specific(") + hash_name(h) + ")";
}

std::string full_mac_text(const Algorithm& a) {
  switch (a.kind()) {
    case AlgorithmKind::Hmac:
      return std::string("Hmac { hash_alg: ") + hash_name(a.hash_alg()) + " }";
    case AlgorithmKind::CbcMac:
      return "CbcMac";
    default:
      return "Cmac";
  }
}

std::string kdf_text(AlgorithmKind k, Hash h) {
  return std::string(algorithm_kind_name(k)) + " { hash_alg: " + hash_name(h) + " }";
}

}  // namespace

std::string Algorithm::to_string() const {
  switch (kind_) {
    case AlgorithmKind::None:
      return "None";
    case AlgorithmKind::Hash:
      return std::string("Hash(") + hash_name(hash_) + ")";
    case AlgorithmKind::Hmac:
    case AlgorithmKind::CbcMac:
    case AlgorithmKind::Cmac:
      if (truncated_) {
        return "Mac(Truncated { mac_alg: " + full_mac_text(*this) + ", mac_length: " + std::to_string(length_) + " })";
      }
      return "Mac(FullLength(" + full_mac_text(*this) + "))";
    case AlgorithmKind::Cipher:
      return std::string("Cipher(") + cipher_name(cipher_) + ")";
    case AlgorithmKind::Aead:
      if (truncated_) {
        return std::string("Aead(AeadWithShortenedTag { aead_alg: ") + aead_algorithm_name(aead_) +
               ", tag_length: " + std::to_string(length_) + " })";
      }
      return std::string("Aead(AeadWithDefaultLengthTag(") + aead_algorithm_name(aead_) + "))";
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPss:
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::DeterministicEcdsa:
      return std::string("AsymmetricSignature(") + algorithm_kind_name(kind_) +
             " { hash_alg: " + sign_hash_text(hash_) + " })";
    case AlgorithmKind::RsaPkcs1v15SignRaw:
    case AlgorithmKind::EcdsaAny:
      return std::string("AsymmetricSignature(") + algorithm_kind_name(kind_) + ")";
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return "AsymmetricEncryption(RsaPkcs1v15Crypt)";
    case AlgorithmKind::RsaOaep:
      return std::string("AsymmetricEncryption(RsaOaep { hash_alg: ") + hash_name(hash_) + " })";
    case AlgorithmKind::RawKeyAgreement:
      return std::string("KeyAgreement(Raw(") + raw_key_agreement_name(key_agreement_) + "))";
    case AlgorithmKind::KeyAgreementWithDerivation:
      return std::string("KeyAgreement(WithKeyDerivation { ka_alg: ") + raw_key_agreement_name(key_agreement_) +
             ", kdf_alg: " + kdf_text(kdf_, hash_) + " })";
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return "KeyDerivation(" + kdf_text(kind_, hash_) + ")";
  }
  return "Unknown";
}

}  // namespace parsec::psa
