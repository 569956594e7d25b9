// RSA_padding_{add,check}_PKCS1_OAEP_mgf1 are deprecated in OpenSSL 3.0 but
// are still the only public constant-time OAEP decoder that takes the result
// of a raw RSA operation done elsewhere (here: in the TPM).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "providers/tpm/src/tpm_convert.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "parsec/crypto/hash.h"
#include "parsec/crypto/import.h"

namespace parsec::provider::tpm {
namespace {

using psa::AlgorithmKind;
using psa::EccFamily;
using psa::Hash;
using psa::KeyType;

constexpr TPMA_OBJECT kKeyBase = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                                 TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
constexpr TPMA_OBJECT kImportBase = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct GroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

int curve_nid(TPMI_ECC_CURVE c) {
  switch (c) {
    case TPM2_ECC_NIST_P192:
      return NID_X9_62_prime192v1;
    case TPM2_ECC_NIST_P224:
      return NID_secp224r1;
    case TPM2_ECC_NIST_P256:
      return NID_X9_62_prime256v1;
    case TPM2_ECC_NIST_P384:
      return NID_secp384r1;
    case TPM2_ECC_NIST_P521:
      return NID_secp521r1;
    default:
      return NID_undef;
  }
}

// psa_hash_of: the PSA hash of a TPM hash algorithm (None for others).
Hash psa_hash_of(TPMI_ALG_HASH alg) {
  switch (alg) {
    case TPM2_ALG_SHA1:
      return Hash::Sha1;
    case TPM2_ALG_SHA256:
      return Hash::Sha256;
    case TPM2_ALG_SHA384:
      return Hash::Sha384;
    case TPM2_ALG_SHA512:
      return Hash::Sha512;
    default:
      return Hash::None;
  }
}

// evp_md: OpenSSL's digest, from the one hash table (parsec/crypto/hash.h).
const EVP_MD* evp_md(TPMI_ALG_HASH alg) {
  return crypto::evp_md(psa_hash_of(alg));
}

enum class Kind { None, RsaPair, RsaPublic, EccPair, EccPublic };

Kind kind_of(KeyType t) {
  switch (t) {
    case KeyType::RsaKeyPair:
      return Kind::RsaPair;
    case KeyType::RsaPublicKey:
      return Kind::RsaPublic;
    case KeyType::EccKeyPair:
      return Kind::EccPair;
    case KeyType::EccPublicKey:
      return Kind::EccPublic;
    default:
      return Kind::None;
  }
}

bool is_rsa(Kind k) {
  return k == Kind::RsaPair || k == Kind::RsaPublic;
}
bool is_ecc(Kind k) {
  return k == Kind::EccPair || k == Kind::EccPublic;
}

bool rsa_bits_supported(uint32_t bits) {
  return bits == 1024 || bits == 2048 || bits == 3072 || bits == 4096;
}

// sign_hash_ok: the hash of a hash-and-sign algorithm (policy or request) is
// the `any` wildcard or a hash the TPM has.
bool sign_hash_ok(Hash h) {
  return h == Hash::Any || tpm_hash(h).ok();
}

// alg_servable: this provider can run `alg` with a key of kind `k`.
bool alg_servable(Kind k, const Algorithm& alg) {
  if (alg.is_asymmetric_signature()) {
    if (is_rsa(k)) {
      if (alg.kind() == AlgorithmKind::RsaPkcs1v15Sign || alg.kind() == AlgorithmKind::RsaPss) {
        return sign_hash_ok(alg.hash_alg());
      }
      return false;
    }
    if (is_ecc(k)) {
      if (alg.kind() == AlgorithmKind::Ecdsa) {
        return sign_hash_ok(alg.hash_alg());
      }
      return alg.kind() == AlgorithmKind::EcdsaAny;
    }
    return false;
  }
  if (alg.is_asymmetric_encryption()) {
    if (!is_rsa(k)) {
      return false;
    }
    if (alg.kind() == AlgorithmKind::RsaPkcs1v15Crypt) {
      return true;
    }
    return alg.kind() == AlgorithmKind::RsaOaep && tpm_hash(alg.hash_alg()).ok();
  }
  return false;
}

// compatible: key type / algorithm compatibility (docs/protocol.md, operations §11.11) for
// the RSA and ECC types this provider knows.
bool compatible(Kind k, const Algorithm& alg) {
  if (alg.is_asymmetric_signature()) {
    const AlgorithmKind a = alg.kind();
    if (is_rsa(k)) {
      return a == AlgorithmKind::RsaPkcs1v15Sign || a == AlgorithmKind::RsaPkcs1v15SignRaw ||
             a == AlgorithmKind::RsaPss;
    }
    return a == AlgorithmKind::Ecdsa || a == AlgorithmKind::EcdsaAny || a == AlgorithmKind::DeterministicEcdsa;
  }
  if (alg.is_asymmetric_encryption()) {
    return is_rsa(k);
  }
  if (alg.is_key_agreement()) {
    return is_ecc(k) && alg.key_agreement_alg() == psa::RawKeyAgreement::Ecdh;
  }
  return false;
}

bool u32_from_be(const uint8_t* v, size_t size, uint32_t& out) {
  if (size > 4) {
    return false;
  }
  out = 0;
  for (size_t i = 0; i < size; ++i) {
    out = out << 8 | v[i];
  }
  return true;
}

template <typename T2B>
void set_2b(T2B& dst, const uint8_t* v, size_t size) {
  dst.size = static_cast<UINT16>(size);
  std::memcpy(dst.buffer, v, size);
}

void rsa_template(TPMT_PUBLIC& p, TPMA_OBJECT attrs, uint32_t bits, uint32_t exponent) {
  p.type = TPM2_ALG_RSA;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = attrs;
  p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
  p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.rsaDetail.keyBits = static_cast<TPMI_RSA_KEY_BITS>(bits);
  p.parameters.rsaDetail.exponent = exponent == 65537 ? 0 : exponent;
}

void ecc_template(TPMT_PUBLIC& p, TPMA_OBJECT attrs, TPMI_ECC_CURVE curve) {
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = attrs;
  p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.eccDetail.curveID = curve;
  p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

TPMA_OBJECT usage_attributes(const KeyAttributes& a, Kind k) {
  const psa::UsageFlags& f = a.flags;
  TPMA_OBJECT out = 0;
  if (f.sign_hash || f.sign_message) {
    out |= TPMA_OBJECT_SIGN_ENCRYPT;
  }
  if (is_rsa(k) && f.decrypt) {
    out |= TPMA_OBJECT_DECRYPT;
  }
  // The TPM refuses an asymmetric key that may do neither.
  return out ? out : TPMA_OBJECT_SIGN_ENCRYPT;
}

// ecc_public_point derives Q = d.G for an ECC private import.
bool ecc_public_point(TPMI_ECC_CURVE curve, const uint8_t* d, size_t d_size, TPMS_ECC_POINT& q) {
  std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve_nid(curve)));
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_secure_new());
  if (!group || !ctx) {
    return false;
  }
  BnPtr priv(BN_secure_new());
  BnPtr x(BN_new());
  BnPtr y(BN_new());
  std::unique_ptr<EC_POINT, PointFree> point(EC_POINT_new(group.get()));
  if (!priv || !x || !y || !point || !BN_bin2bn(d, static_cast<int>(d_size), priv.get())) {
    return false;
  }
  BN_set_flags(priv.get(), BN_FLG_CONSTTIME);
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), order) >= 0) {
    return false;
  }
  if (!EC_POINT_mul(group.get(), point.get(), priv.get(), nullptr, nullptr, ctx.get()) ||
      !EC_POINT_get_affine_coordinates(group.get(), point.get(), x.get(), y.get(), ctx.get())) {
    return false;
  }
  const int cb = static_cast<int>(curve_bytes(curve));
  if (BN_bn2binpad(x.get(), q.x.buffer, cb) != cb || BN_bn2binpad(y.get(), q.y.buffer, cb) != cb) {
    return false;
  }
  q.x.size = static_cast<UINT16>(cb);
  q.y.size = static_cast<UINT16>(cb);
  return true;
}

bool ecc_point_on_curve(TPMI_ECC_CURVE curve, const uint8_t* pt, size_t size) {
  std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve_nid(curve)));
  if (!group) {
    return false;
  }
  std::unique_ptr<EC_POINT, PointFree> point(EC_POINT_new(group.get()));
  return point && EC_POINT_oct2point(group.get(), point.get(), pt, size, nullptr) == 1 &&
         EC_POINT_is_at_infinity(group.get(), point.get()) == 0;
}

// ecc_curve_for_import resolves the curve of an ECC import from the family,
// key_bits and the data length.
Result<TPMI_ECC_CURVE> ecc_curve_for_import(const KeyAttributes& a, size_t field_bytes) {
  const EccFamily family = a.family;
  uint32_t bits = a.bits;
  if (bits == 0) {
    for (uint32_t b : {192u, 224u, 256u, 384u, 521u}) {
      if ((b + 7) / 8 == field_bytes) {
        bits = b;
      }
    }
    if (bits == 0) {
      return Status::PsaErrorInvalidArgument;
    }
  }
  auto curve = tpm_curve(family, bits);
  if (!curve.ok()) {
    return curve.status();
  }
  if (curve_bytes(*curve) != field_bytes) {
    return Status::PsaErrorInvalidArgument;
  }
  return *curve;
}

// use_check: the CanDoCrypto USE rules for a representable template.
Status use_check(const KeyAttributes& a, Kind k) {
  const Algorithm& alg = a.policy;
  if (alg.kind() == AlgorithmKind::None) {
    return Status::PsaErrorNotSupported;
  }
  const psa::UsageFlags& f = a.flags;
  if (!(f.encrypt || f.decrypt || f.sign_hash || f.sign_message || f.verify_hash || f.verify_message)) {
    return Status::PsaErrorNotSupported;
  }
  if (!compatible(k, alg) || !alg_servable(k, alg)) {
    return Status::PsaErrorNotSupported;
  }
  return Status::Success;
}

}  // namespace

// ---- hashes and curves --------------------------------------------------------------

Result<TPMI_ALG_HASH> tpm_hash(Hash psa_hash) {
  switch (psa_hash) {
    case Hash::Sha1:
      return static_cast<TPMI_ALG_HASH>(TPM2_ALG_SHA1);
    case Hash::Sha256:
      return static_cast<TPMI_ALG_HASH>(TPM2_ALG_SHA256);
    case Hash::Sha384:
      return static_cast<TPMI_ALG_HASH>(TPM2_ALG_SHA384);
    case Hash::Sha512:
      return static_cast<TPMI_ALG_HASH>(TPM2_ALG_SHA512);
    default:
      return Status::PsaErrorNotSupported;
  }
}

size_t hash_size(TPMI_ALG_HASH alg) {
  const Hash h = psa_hash_of(alg);
  return h == Hash::None ? 0 : psa::hash_length(h);
}

Result<Bytes> digest(TPMI_ALG_HASH alg, const uint8_t* data, size_t size) {
  const EVP_MD* md = evp_md(alg);
  if (!md) {
    return Status::PsaErrorNotSupported;
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data, size, out.data(), &len, md, nullptr) != 1) {
    return Status::PsaErrorGenericError;
  }
  out.resize(len);
  return out;
}

Result<TPMI_ECC_CURVE> tpm_curve(EccFamily family, uint32_t bits) {
  if (family != EccFamily::SecpR1) {
    return Status::PsaErrorNotSupported;
  }
  switch (bits) {
    case 192:
      return static_cast<TPMI_ECC_CURVE>(TPM2_ECC_NIST_P192);
    case 224:
      return static_cast<TPMI_ECC_CURVE>(TPM2_ECC_NIST_P224);
    case 256:
      return static_cast<TPMI_ECC_CURVE>(TPM2_ECC_NIST_P256);
    case 384:
      return static_cast<TPMI_ECC_CURVE>(TPM2_ECC_NIST_P384);
    case 521:
      return static_cast<TPMI_ECC_CURVE>(TPM2_ECC_NIST_P521);
    default:
      return Status::PsaErrorNotSupported;
  }
}

uint32_t curve_bits(TPMI_ECC_CURVE curve) {
  switch (curve) {
    case TPM2_ECC_NIST_P192:
      return 192;
    case TPM2_ECC_NIST_P224:
      return 224;
    case TPM2_ECC_NIST_P256:
      return 256;
    case TPM2_ECC_NIST_P384:
      return 384;
    case TPM2_ECC_NIST_P521:
      return 521;
    default:
      return 0;
  }
}

size_t curve_bytes(TPMI_ECC_CURVE curve) {
  return (curve_bits(curve) + 7) / 8;
}

// ---- templates ------------------------------------------------------------------------

TPM2B_PUBLIC srk_template() {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
  p.parameters.eccDetail.symmetric.keyBits.aes = 128;
  p.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  p.unique.ecc.x.size = 32;
  p.unique.ecc.y.size = 32;
  return t;
}

TPM2B_PUBLIC ek_template() {
  static constexpr uint8_t kPolicy[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC,
                                          0x8D, 0x46, 0xA5, 0xD7, 0x24, 0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52,
                                          0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA};
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_RSA;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  set_2b(p.authPolicy, kPolicy, sizeof kPolicy);
  p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
  p.parameters.rsaDetail.symmetric.keyBits.aes = 128;
  p.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.rsaDetail.keyBits = 2048;
  p.parameters.rsaDetail.exponent = 0;
  p.unique.rsa.size = 256;
  return t;
}

bool policy_servable(const KeyAttributes& attrs) {
  const Kind k = kind_of(attrs.type);
  if (attrs.policy.kind() == AlgorithmKind::None) {
    return true;
  }
  return alg_servable(k, attrs.policy);
}

Result<TPM2B_PUBLIC> key_pair_template(const KeyAttributes& attrs) {
  const Kind k = kind_of(attrs.type);
  if (k == Kind::RsaPublic || k == Kind::EccPublic) {
    return Status::PsaErrorInvalidArgument;
  }
  if (k == Kind::None) {
    return Status::PsaErrorNotSupported;
  }
  if (attrs.bits == 0) {
    return Status::PsaErrorInvalidArgument;
  }
  if (!policy_servable(attrs)) {
    return Status::PsaErrorNotSupported;
  }
  TPM2B_PUBLIC t{};
  const TPMA_OBJECT a = kKeyBase | usage_attributes(attrs, k);
  if (k == Kind::RsaPair) {
    if (!rsa_bits_supported(attrs.bits)) {
      return Status::PsaErrorNotSupported;
    }
    rsa_template(t.publicArea, a, attrs.bits, 0);
  } else {
    auto curve = tpm_curve(attrs.family, attrs.bits);
    if (!curve.ok()) {
      return curve.status();
    }
    ecc_template(t.publicArea, a, *curve);
  }
  return t;
}

// ---- import ------------------------------------------------------------------------------

Result<TPM2B_PUBLIC> public_from_psa(const KeyAttributes& attrs, const Bytes& data, uint32_t& bits) {
  const Kind k = kind_of(attrs.type);
  const uint8_t* d = data.data();
  TPM2B_PUBLIC t{};
  // Public-only objects are loaded with the usage the operation needs; the
  // stored area records sign and decrypt so that both are possible.
  const TPMA_OBJECT a = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT;
  if (k == Kind::RsaPublic) {
    auto key = crypto::parse_rsa_public_key(d, data.size());
    if (!key.ok()) {
      return Status::PsaErrorInvalidArgument;
    }
    const Bytes& n = key->modulus;
    const Bytes& e = key->exponent;
    bits = key->bits;
    uint32_t exponent = 0;
    if (bits < 512 || !(e.back() & 1) || crypto::bit_length(e.data(), e.size()) < 2) {
      return Status::PsaErrorInvalidArgument;
    }
    if (attrs.bits != 0 && attrs.bits != bits) {
      return Status::PsaErrorInvalidArgument;
    }
    if (!u32_from_be(e.data(), e.size(), exponent) || !rsa_bits_supported(bits) || n.size() > TPM2_MAX_RSA_KEY_BYTES) {
      return Status::PsaErrorNotSupported;
    }
    rsa_template(t.publicArea, a, bits, exponent);
    set_2b(t.publicArea.unique.rsa, n.data(), n.size());
    return t;
  }
  if (k == Kind::EccPublic) {
    if (data.size() < 3 || d[0] != 0x04 || data.size() % 2 != 1) {
      return Status::PsaErrorInvalidArgument;
    }
    const size_t cb = (data.size() - 1) / 2;
    auto curve = ecc_curve_for_import(attrs, cb);
    if (!curve.ok()) {
      return curve.status();
    }
    if (!ecc_point_on_curve(*curve, d, data.size())) {
      return Status::PsaErrorInvalidArgument;
    }
    ecc_template(t.publicArea, a, *curve);
    set_2b(t.publicArea.unique.ecc.x, d + 1, cb);
    set_2b(t.publicArea.unique.ecc.y, d + 1 + cb, cb);
    bits = curve_bits(*curve);
    return t;
  }
  return Status::PsaErrorNotSupported;
}

Status private_from_psa(const KeyAttributes& attrs, const SecretBytes& data, const SecretBytes& auth,
                        const SecretBytes& seed, PrivateImport& out) {
  const Kind k = kind_of(attrs.type);
  const uint8_t* d = data.data();
  if (!policy_servable(attrs)) {
    return Status::PsaErrorNotSupported;
  }
  if (auth.size() > sizeof out.sensitive.authValue.buffer || seed.size() > sizeof out.sensitive.seedValue.buffer) {
    return Status::PsaErrorGenericError;
  }
  TPMT_PUBLIC& p = out.pub.publicArea;
  const TPMA_OBJECT a = kImportBase | usage_attributes(attrs, k);
  if (k == Kind::RsaPair) {
    // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv },
    // decoded by the encoding module (two-prime, version 0, strict DER).
    auto key = crypto::parse_rsa_private_key(d, data.size());
    if (!key.ok()) {
      return Status::PsaErrorInvalidArgument;
    }
    const SecretBytes& n = key->modulus;
    const SecretBytes& e = key->public_exponent;
    const SecretBytes& prime = key->prime1;
    const uint32_t bits = key->bits;
    uint32_t exponent = 0;
    if (bits < 512 || (attrs.bits != 0 && attrs.bits != bits)) {
      return Status::PsaErrorInvalidArgument;
    }
    if (!u32_from_be(e.data(), e.size(), exponent) || !rsa_bits_supported(bits) || n.size() > TPM2_MAX_RSA_KEY_BYTES) {
      return Status::PsaErrorNotSupported;
    }
    // The TPM keeps one prime; it must be half the modulus size.
    const size_t half = (n.size() + 1) / 2;
    if (prime.size() > half || prime.size() > TPM2_MAX_RSA_KEY_BYTES / 2) {
      return Status::PsaErrorInvalidArgument;
    }
    rsa_template(p, a, bits, exponent);
    set_2b(p.unique.rsa, n.data(), n.size());
    out.sensitive.sensitiveType = TPM2_ALG_RSA;
    out.sensitive.sensitive.rsa.size = static_cast<UINT16>(half);
    std::memset(out.sensitive.sensitive.rsa.buffer, 0, half);
    std::memcpy(out.sensitive.sensitive.rsa.buffer + (half - prime.size()), prime.data(), prime.size());
    out.bits = bits;
  } else if (k == Kind::EccPair) {
    auto curve = ecc_curve_for_import(attrs, data.size());
    if (!curve.ok()) {
      return curve.status();
    }
    ecc_template(p, a, *curve);
    if (!ecc_public_point(*curve, d, data.size(), p.unique.ecc)) {
      return Status::PsaErrorInvalidArgument;
    }
    out.sensitive.sensitiveType = TPM2_ALG_ECC;
    set_2b(out.sensitive.sensitive.ecc, d, data.size());
    out.bits = curve_bits(*curve);
  } else {
    return Status::PsaErrorNotSupported;
  }
  set_2b(out.sensitive.authValue, auth.data(), auth.size());
  set_2b(out.sensitive.seedValue, seed.data(), seed.size());
  return Status::Success;
}

// ---- export and names ------------------------------------------------------------------------

Bytes der_rsa_public_key(const uint8_t* n, size_t n_size, uint32_t e) {
  const uint8_t eb[4] = {static_cast<uint8_t>(e >> 24), static_cast<uint8_t>(e >> 16), static_cast<uint8_t>(e >> 8),
                         static_cast<uint8_t>(e)};
  auto der = crypto::rsa_public_key_der(n, n_size, eb, sizeof eb);
  return der.ok() ? std::move(der).value() : Bytes{};
}

Result<Bytes> export_public(const TPMT_PUBLIC& pub) {
  if (pub.type == TPM2_ALG_RSA) {
    const uint32_t e = pub.parameters.rsaDetail.exponent == 0 ? 65537 : pub.parameters.rsaDetail.exponent;
    Bytes der = der_rsa_public_key(pub.unique.rsa.buffer, pub.unique.rsa.size, e);
    if (der.empty()) {
      return Status::PsaErrorDataCorrupt;
    }
    return der;
  }
  if (pub.type == TPM2_ALG_ECC) {
    const size_t cb = curve_bytes(pub.parameters.eccDetail.curveID);
    const auto& x = pub.unique.ecc.x;
    const auto& y = pub.unique.ecc.y;
    if (cb == 0 || x.size > cb || y.size > cb) {
      return Status::PsaErrorDataCorrupt;
    }
    Bytes out(1 + 2 * cb, 0);
    out[0] = 0x04;
    std::memcpy(out.data() + 1 + (cb - x.size), x.buffer, x.size);
    std::memcpy(out.data() + 1 + cb + (cb - y.size), y.buffer, y.size);
    return out;
  }
  return Status::PsaErrorDataCorrupt;
}

uint32_t key_bits_of(const TPMT_PUBLIC& pub) {
  if (pub.type == TPM2_ALG_RSA) {
    return pub.parameters.rsaDetail.keyBits;
  }
  if (pub.type == TPM2_ALG_ECC) {
    return curve_bits(pub.parameters.eccDetail.curveID);
  }
  return 0;
}

Result<Bytes> marshal_public_area(const TPMT_PUBLIC& pub) {
  Bytes out(sizeof(TPMT_PUBLIC));
  size_t off = 0;
  if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub, out.data(), out.size(), &off) != TSS2_RC_SUCCESS) {
    return Status::PsaErrorDataCorrupt;
  }
  out.resize(off);
  return out;
}

Result<Bytes> object_name(const TPMT_PUBLIC& pub) {
  auto area = marshal_public_area(pub);
  if (!area.ok()) {
    return area.status();
  }
  auto h = digest(pub.nameAlg, area->data(), area->size());
  if (!h.ok()) {
    return Status::PsaErrorDataCorrupt;
  }
  Bytes name{static_cast<uint8_t>(pub.nameAlg >> 8), static_cast<uint8_t>(pub.nameAlg)};
  name.insert(name.end(), h->begin(), h->end());
  return name;
}

// ---- signatures ----------------------------------------------------------------------------------

Result<Hash> message_hash(const Algorithm& alg) {
  // has_sign_hash: rsa_pkcs1v15_sign, rsa_pss, ecdsa, deterministic_ecdsa.
  if (!alg.has_sign_hash() || alg.hash_alg() == Hash::Any) {
    return Status::PsaErrorInvalidArgument;
  }
  return alg.hash_alg();
}

Result<SignPlan> sign_plan(const TPMT_PUBLIC& key, const Algorithm& alg, const Bytes& hash) {
  SignPlan plan;
  const uint8_t* in = hash.data();
  const AlgorithmKind kind = alg.kind();
  const bool pss = kind == AlgorithmKind::RsaPss;
  if (key.type == TPM2_ALG_RSA && (kind == AlgorithmKind::RsaPkcs1v15Sign || pss)) {
    if (alg.hash_alg() == Hash::Any) {
      return Status::PsaErrorInvalidArgument;
    }
    auto h = tpm_hash(alg.hash_alg());
    if (!h.ok()) {
      return h.status();
    }
    if (hash.size() != hash_size(*h)) {
      return Status::PsaErrorInvalidArgument;
    }
    if (pss) {
      // The TPM uses salt = min(hLen, emLen - hLen - 2); PSA needs hLen.
      const size_t em_len = (key.parameters.rsaDetail.keyBits - 1 + 7) / 8;
      if (em_len < 2 * hash_size(*h) + 2) {
        return Status::PsaErrorInvalidArgument;
      }
    }
    plan.scheme.scheme = pss ? TPM2_ALG_RSAPSS : TPM2_ALG_RSASSA;
    plan.scheme.details.any.hashAlg = *h;
    set_2b(plan.digest, in, hash.size());
    return plan;
  }
  if (key.type == TPM2_ALG_ECC && kind == AlgorithmKind::Ecdsa) {
    if (alg.hash_alg() == Hash::Any) {
      return Status::PsaErrorInvalidArgument;
    }
    auto h = tpm_hash(alg.hash_alg());
    if (!h.ok()) {
      return h.status();
    }
    if (hash.size() != hash_size(*h)) {
      return Status::PsaErrorInvalidArgument;
    }
    plan.scheme.scheme = TPM2_ALG_ECDSA;
    plan.scheme.details.any.hashAlg = *h;
    set_2b(plan.digest, in, hash.size());
    return plan;
  }
  if (key.type == TPM2_ALG_ECC && kind == AlgorithmKind::EcdsaAny) {
    // ECDSA signs bits2int(input): the leftmost curve-order bits of the
    // input. The TPM takes a digest of a hash's size and applies the same
    // rule to it, so the input is reshaped into a digest with the same value.
    const size_t cbits = curve_bits(key.parameters.eccDetail.curveID);
    const size_t cb = curve_bytes(key.parameters.eccDetail.curveID);
    const size_t len = hash.size();
    if (len == 0) {
      return Status::PsaErrorInvalidArgument;
    }
    static constexpr TPMI_ALG_HASH kHashes[] = {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512};
    auto use = [&](TPMI_ALG_HASH h, size_t zeros_before, size_t take) {
      const size_t hs = hash_size(h);
      plan.scheme.scheme = TPM2_ALG_ECDSA;
      plan.scheme.details.any.hashAlg = h;
      plan.digest.size = static_cast<UINT16>(hs);
      std::memset(plan.digest.buffer, 0, hs);
      std::memcpy(plan.digest.buffer + zeros_before, in, take);
    };
    for (TPMI_ALG_HASH h : kHashes) {
      if (len == hash_size(h)) {
        use(h, 0, len);  // the TPM truncates exactly as ECDSA does
        return plan;
      }
    }
    if (len * 8 >= cbits) {
      // Only the leftmost cbits bits count: keep them at the left of a
      // digest at least cbits long.
      for (TPMI_ALG_HASH h : kHashes) {
        if (hash_size(h) * 8 >= cbits) {
          use(h, 0, std::min(len, hash_size(h)));
          return plan;
        }
      }
      return Status::PsaErrorNotSupported;
    }
    // The whole input counts: zero-pad it on the left, into a digest that the
    // TPM does not truncate, or (byte-aligned curves) into the curve-size
    // prefix of a longer one.
    for (TPMI_ALG_HASH h : kHashes) {
      if (hash_size(h) >= len && hash_size(h) * 8 <= cbits) {
        use(h, hash_size(h) - len, len);
        return plan;
      }
    }
    if (cbits % 8 == 0) {
      for (TPMI_ALG_HASH h : kHashes) {
        if (hash_size(h) * 8 >= cbits) {
          use(h, cb - len, len);
          return plan;
        }
      }
    }
    return Status::PsaErrorNotSupported;
  }
  if (kind == AlgorithmKind::RsaPkcs1v15SignRaw || kind == AlgorithmKind::DeterministicEcdsa) {
    return Status::PsaErrorNotSupported;
  }
  return Status::PsaErrorNotPermitted;  // key type and algorithm do not fit (the service checks first)
}

Result<Bytes> signature_to_psa(const TPMT_PUBLIC& key, const TPMT_SIGNATURE& sig) {
  if (sig.sigAlg == TPM2_ALG_ECDSA && key.type == TPM2_ALG_ECC) {
    const size_t cb = curve_bytes(key.parameters.eccDetail.curveID);
    const auto& r = sig.signature.ecdsa.signatureR;
    const auto& s = sig.signature.ecdsa.signatureS;
    if (cb == 0 || r.size > cb || s.size > cb) {
      return Status::PsaErrorGenericError;
    }
    Bytes out(2 * cb, 0);
    std::memcpy(out.data() + (cb - r.size), r.buffer, r.size);
    std::memcpy(out.data() + cb + (cb - s.size), s.buffer, s.size);
    return out;
  }
  if ((sig.sigAlg == TPM2_ALG_RSASSA || sig.sigAlg == TPM2_ALG_RSAPSS) && key.type == TPM2_ALG_RSA) {
    const auto& b = sig.signature.rsassa.sig;
    return Bytes(b.buffer, b.buffer + b.size);
  }
  return Status::PsaErrorGenericError;
}

Result<TPMT_SIGNATURE> signature_from_psa(const TPMT_PUBLIC& key, const SignPlan& plan, const Bytes& sig) {
  TPMT_SIGNATURE out{};
  const uint8_t* s = sig.data();
  out.sigAlg = plan.scheme.scheme;
  if (key.type == TPM2_ALG_ECC) {
    const size_t cb = curve_bytes(key.parameters.eccDetail.curveID);
    if (sig.size() != 2 * cb) {
      return Status::PsaErrorInvalidSignature;
    }
    out.signature.ecdsa.hash = plan.scheme.details.any.hashAlg;
    set_2b(out.signature.ecdsa.signatureR, s, cb);
    set_2b(out.signature.ecdsa.signatureS, s + cb, cb);
    return out;
  }
  const size_t mb = key.unique.rsa.size;
  if (sig.size() != mb || mb > TPM2_MAX_RSA_KEY_BYTES) {
    return Status::PsaErrorInvalidSignature;
  }
  out.signature.rsassa.hash = plan.scheme.details.any.hashAlg;
  set_2b(out.signature.rsassa.sig, s, mb);
  return out;
}

// ---- encryption ------------------------------------------------------------------------------------

bool tpm_label_ok(const Bytes& label) {
  return label.empty() || label.back() == 0;
}

Result<TPMT_RSA_DECRYPT> decrypt_scheme(const Algorithm& alg) {
  TPMT_RSA_DECRYPT s{};
  if (alg.kind() == AlgorithmKind::RsaPkcs1v15Crypt) {
    s.scheme = TPM2_ALG_RSAES;
    return s;
  }
  if (alg.kind() == AlgorithmKind::RsaOaep) {
    auto h = tpm_hash(alg.hash_alg());
    if (!h.ok()) {
      return h.status();
    }
    s.scheme = TPM2_ALG_OAEP;
    s.details.oaep.hashAlg = *h;
    return s;
  }
  return Status::PsaErrorNotSupported;
}

Result<SecretBytes> oaep_pad(TPMI_ALG_HASH hash, const Bytes& label, const SecretBytes& message, size_t modulus_bytes) {
  const EVP_MD* md = evp_md(hash);
  if (!md || label.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::PsaErrorNotSupported;
  }
  const size_t h = hash_size(hash);
  if (modulus_bytes < 2 * h + 2 || message.size() > modulus_bytes - 2 * h - 2) {
    return Status::PsaErrorInvalidArgument;
  }
  SecretBytes em(modulus_bytes);
  if (RSA_padding_add_PKCS1_OAEP_mgf1(em.data(), static_cast<int>(em.size()), message.data(),
                                      static_cast<int>(message.size()), label.data(), static_cast<int>(label.size()),
                                      md, md) != 1) {
    return Status::PsaErrorInvalidArgument;
  }
  return em;
}

Result<SecretBytes> oaep_unpad(TPMI_ALG_HASH hash, const Bytes& label, const uint8_t* em, size_t em_size,
                               size_t modulus_bytes) {
  const EVP_MD* md = evp_md(hash);
  if (!md || label.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::PsaErrorNotSupported;
  }
  if (em_size > modulus_bytes || modulus_bytes < 2 * hash_size(hash) + 2) {
    return Status::PsaErrorInvalidPadding;
  }
  // The decoder wants EM without its leading zero byte, left-padded to
  // modulus_bytes - 1 (RSA_padding_check_PKCS1_OAEP_mgf1's `flen`/`num`).
  // Both buffers hold the plaintext (masked, then clear): SecretBytes wipe
  // them on every path.
  SecretBytes full(modulus_bytes);
  std::memcpy(full.data() + (modulus_bytes - em_size), em, em_size);
  SecretBytes out(modulus_bytes);
  const int n = RSA_padding_check_PKCS1_OAEP_mgf1(out.data(), static_cast<int>(out.size()), full.data() + 1,
                                                  static_cast<int>(modulus_bytes - 1), static_cast<int>(modulus_bytes),
                                                  label.data(), static_cast<int>(label.size()), md, md);
  // EM's first byte must be zero; the decoder checks the rest in constant time.
  const bool ok = n >= 0 && full.data()[0] == 0;
  if (!ok) {
    return Status::PsaErrorInvalidPadding;
  }
  out.resize_down(static_cast<size_t>(n));
  return out;
}

// ---- capability ------------------------------------------------------------------------------------

Status can_do(const psa::op::CanDoCrypto& op) {
  const KeyAttributes& a = op.attributes;
  const Kind k = kind_of(a.type);
  const uint32_t bits = a.bits;
  // 1. Representable at all.
  if (k == Kind::None) {
    return Status::PsaErrorNotSupported;
  }
  if (is_rsa(k) && bits != 0 && !(bits == 1024 || bits == 2048 || bits == 3072)) {
    return Status::PsaErrorNotSupported;
  }
  if (is_ecc(k) && (a.family != EccFamily::SecpR1 || (bits != 0 && !tpm_curve(EccFamily::SecpR1, bits).ok()))) {
    return Status::PsaErrorNotSupported;
  }
  const bool has_alg = a.policy.kind() != AlgorithmKind::None;
  switch (op.check_type) {
    case psa::CheckType::Use:
      return use_check(a, k);
    case psa::CheckType::Generate:
      if (k == Kind::RsaPublic || k == Kind::EccPublic || bits == 0) {
        return Status::PsaErrorNotSupported;
      }
      return has_alg ? use_check(a, k) : Status::Success;
    case psa::CheckType::Import:
      return has_alg ? use_check(a, k) : Status::Success;
    default:
      return Status::PsaErrorNotSupported;
  }
}

}  // namespace parsec::provider::tpm
