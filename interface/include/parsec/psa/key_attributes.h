// parsec/psa/key_attributes.h - key type, size and policy of a Parsec key.
//
// KeyAttributes mirrors psa_key_attributes.KeyAttributes as a plain struct with
// public fields so that bindings can expose it directly: the key type, the curve
// family (ECC types) or group family (DH types), the size in bits, the usage
// flags and the single permitted algorithm (the policy). There is no lifetime:
// every Parsec key is persistent. The builders set a type, a size, a policy and
// the usage flags that policy needs (UsageFlags::for_policy); adjust `flags`
// afterwards for anything else (e.g. export). When attributes are encoded for
// the service, sign_hash also sets sign_message and verify_hash also sets
// verify_message, as the service and the reference client do.
// These are plain value types; not synchronised (copy them per thread).
#pragma once

#include <cstdint>
#include <string>

#include "parsec/psa/algorithm.h"

namespace parsec::psa {

// KeyType values 1-14 equal the field numbers of the psa_key_attributes.KeyType
// oneof. None (0) means "not set" and cannot be encoded.
enum class KeyType : uint32_t {
  None = 0,
  RawData = 1,
  Hmac = 2,
  Derive = 3,
  Aes = 4,
  Des = 5,
  Camellia = 6,
  Arc4 = 7,
  Chacha20 = 8,
  RsaPublicKey = 9,
  RsaKeyPair = 10,
  EccKeyPair = 11,
  EccPublicKey = 12,
  DhKeyPair = 13,
  DhPublicKey = 14,
};
const char* key_type_name(KeyType t);
bool is_ecc_key_type(KeyType t);
bool is_rsa_key_type(KeyType t);
bool is_dh_key_type(KeyType t);
bool is_public_key_type(KeyType t);

// Values equal the wire enum psa_key_attributes.KeyType.EccFamily.
enum class EccFamily : uint32_t {
  None = 0,
  SecpK1 = 1,
  SecpR1 = 2,
  SecpR2 = 3,
  SectK1 = 4,
  SectR1 = 5,
  SectR2 = 6,
  BrainpoolPR1 = 7,
  Frp = 8,
  Montgomery = 9,
};
const char* ecc_family_name(EccFamily f);

// Values equal the wire enum psa_key_attributes.KeyType.DhFamily (0 is a real
// family here).
enum class DhFamily : uint32_t {
  Rfc7919 = 0,
};
const char* dh_family_name(DhFamily f);

struct UsageFlags {
  // Named export_ because `export` is a C++ keyword; bindings call it export.
  bool export_ = false;
  bool copy = false;
  bool cache = false;
  bool encrypt = false;
  bool decrypt = false;
  bool sign_message = false;
  bool verify_message = false;
  bool sign_hash = false;
  bool verify_hash = false;
  bool derive = false;

  // with_implied returns a copy where sign_hash sets sign_message and
  // verify_hash sets verify_message.
  UsageFlags with_implied() const;
  // for_policy gives the flags a key needs to be used with `policy`:
  // signatures -> sign/verify hash and message; asymmetric encryption, cipher
  // and AEAD -> encrypt/decrypt; MACs -> sign/verify message; key agreement
  // and derivation -> derive; hash and none -> nothing.
  static UsageFlags for_policy(const Algorithm& policy);

  bool operator==(const UsageFlags& o) const;
  bool operator!=(const UsageFlags& o) const { return !(*this == o); }
};

struct KeyAttributes {
  KeyType type = KeyType::None;
  // Curve family, used only by EccKeyPair / EccPublicKey.
  EccFamily family = EccFamily::None;
  // Group family, used only by DhKeyPair / DhPublicKey.
  DhFamily dh_family = DhFamily::Rfc7919;
  // Size in bits; 0 = "not specified" (import takes it from the data).
  uint32_t bits = 0;
  UsageFlags flags;
  Algorithm policy;

  // Builders; flags = UsageFlags::for_policy(policy), minus the private-key
  // uses (sign, decrypt, derive) for public key types.
  static KeyAttributes ecc_key_pair(uint32_t bits, const Algorithm& policy, EccFamily family = EccFamily::SecpR1);
  static KeyAttributes ecc_public_key(uint32_t bits, const Algorithm& policy, EccFamily family = EccFamily::SecpR1);
  static KeyAttributes rsa_key_pair(uint32_t bits, const Algorithm& policy);
  static KeyAttributes rsa_public_key(uint32_t bits, const Algorithm& policy);
  static KeyAttributes dh_key_pair(uint32_t bits, const Algorithm& policy);
  static KeyAttributes dh_public_key(uint32_t bits, const Algorithm& policy);
  // Any other type (Aes, Hmac, RawData, Derive, Chacha20, ...).
  static KeyAttributes of_type(KeyType type, uint32_t bits, const Algorithm& policy);

  // type_to_string renders the type as the reference tool's key listing does,
  // e.g. "EccKeyPair { curve_family: SecpR1 }" or "RsaKeyPair".
  std::string type_to_string() const;

  bool operator==(const KeyAttributes& o) const;
  bool operator!=(const KeyAttributes& o) const { return !(*this == o); }
};

}  // namespace parsec::psa
