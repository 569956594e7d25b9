#include "providers/pkcs11/src/mechanisms.h"

#include "parsec/crypto/hash.h"
#include "parsec/crypto/import.h"

namespace parsec::provider::pkcs11 {
namespace {

using psa::AlgorithmKind;
using psa::Hash;

// scheme_hash returns the hash of a hash-and-sign scheme: the specific hash,
// SHA-256 for `any` when `any_ok`, or nullopt.
std::optional<Hash> scheme_hash(const psa::Algorithm& alg, bool any_ok) {
  Hash h = alg.hash_alg();
  if (h == Hash::Any) {
    return any_ok ? std::optional<Hash>(Hash::Sha256) : std::nullopt;
  }
  if (h == Hash::None) {
    return std::nullopt;
  }
  return h;
}

}  // namespace

bool served_curve_bits(size_t bits) {
  return bits == 256 || bits == 384 || bits == 521;
}

std::optional<std::vector<uint8_t>> ec_params(size_t bits) {
  if (!served_curve_bits(bits)) {
    return std::nullopt;
  }
  auto der = crypto::ec_params(psa::EccFamily::SecpR1, static_cast<uint32_t>(bits));
  if (!der.ok()) {
    return std::nullopt;
  }
  return std::move(der).value();
}

std::optional<KeyShape> key_shape(const psa::KeyAttributes& a, bool allow_zero_bits) {
  KeyShape s;
  s.bits = a.bits;
  if (psa::is_rsa_key_type(a.type)) {
    s.rsa = true;
    s.pair = a.type == psa::KeyType::RsaKeyPair;
    return s;
  }
  if (!psa::is_ecc_key_type(a.type) || a.family != psa::EccFamily::SecpR1) {
    return std::nullopt;
  }
  s.pair = a.type == psa::KeyType::EccKeyPair;
  if (s.bits == 0 ? !allow_zero_bits : !served_curve_bits(s.bits)) {
    return std::nullopt;
  }
  return s;
}

bool rsa_generate_bits_ok(size_t bits) {
  return bits >= 1024 && bits <= 4096 && bits % 8 == 0;
}
bool rsa_import_bits_ok(size_t bits) {
  return bits >= 1024 && bits <= 8192 && bits % 8 == 0;
}

std::optional<HashMechanism> hash_mechanism(Hash hash) {
  switch (hash) {
    case Hash::Sha1:
      return HashMechanism{CKM_SHA_1, CKG_MGF1_SHA1};
    case Hash::Sha224:
      return HashMechanism{CKM_SHA224, CKG_MGF1_SHA224};
    case Hash::Sha256:
      return HashMechanism{CKM_SHA256, CKG_MGF1_SHA256};
    case Hash::Sha384:
      return HashMechanism{CKM_SHA384, CKG_MGF1_SHA384};
    case Hash::Sha512:
      return HashMechanism{CKM_SHA512, CKG_MGF1_SHA512};
    case Hash::Sha3_224:
      return HashMechanism{kCkmSha3_224, kCkgMgf1Sha3_224};
    case Hash::Sha3_256:
      return HashMechanism{kCkmSha3_256, kCkgMgf1Sha3_256};
    case Hash::Sha3_384:
      return HashMechanism{kCkmSha3_384, kCkgMgf1Sha3_384};
    case Hash::Sha3_512:
      return HashMechanism{kCkmSha3_512, kCkgMgf1Sha3_512};
    default:
      return std::nullopt;  // PKCS #11 defines no MGF1 for the others
  }
}

Result<SignPlan> plan_signature(const psa::Algorithm& alg, bool sign, const KeyShape& key) {
  SignPlan p;
  switch (alg.kind()) {
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::DeterministicEcdsa:
    case AlgorithmKind::EcdsaAny: {
      if (key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      if (alg.kind() == AlgorithmKind::DeterministicEcdsa && sign) {
        return Status::PsaErrorNotSupported;  // no RFC 6979 mechanism in PKCS #11
      }
      p.mechanism = CKM_ECDSA;
      p.ecdsa = true;
      if (alg.kind() != AlgorithmKind::EcdsaAny) {
        auto h = scheme_hash(alg, true);
        if (!h) {
          return Status::PsaErrorInvalidArgument;
        }
        p.hash = *h;
      }
      return p;
    }
    case AlgorithmKind::RsaPkcs1v15Sign: {
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      auto h = scheme_hash(alg, true);
      if (!h) {
        return Status::PsaErrorInvalidArgument;
      }
      auto prefix = crypto::digest_info_prefix(*h);
      if (!prefix) {
        return Status::PsaErrorNotSupported;
      }
      p.mechanism = CKM_RSA_PKCS;
      p.hash = *h;
      p.prefix = std::move(*prefix);
      p.rsa_scheme = soft::RsaSigScheme::Pkcs1v15;
      return p;
    }
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      p.mechanism = CKM_RSA_PKCS;
      p.rsa_scheme = soft::RsaSigScheme::Pkcs1v15Raw;
      return p;
    case AlgorithmKind::RsaPss: {
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      auto h = scheme_hash(alg, true);
      if (!h) {
        return Status::PsaErrorInvalidArgument;
      }
      if (!hash_mechanism(*h)) {
        return Status::PsaErrorNotSupported;
      }
      p.mechanism = CKM_RSA_PKCS_PSS;
      p.hash = *h;
      p.rsa_scheme = soft::RsaSigScheme::Pss;
      return p;
    }
    default:
      return Status::PsaErrorNotSupported;
  }
}

Result<Hash> message_hash(const psa::Algorithm& alg) {
  switch (alg.kind()) {
    case AlgorithmKind::Ecdsa:
    case AlgorithmKind::DeterministicEcdsa:
    case AlgorithmKind::RsaPkcs1v15Sign:
    case AlgorithmKind::RsaPss: {
      auto h = scheme_hash(alg, false);
      if (!h) {
        return Status::PsaErrorInvalidArgument;
      }
      return *h;
    }
    default:
      return Status::PsaErrorInvalidArgument;
  }
}

void Mechanism::pss(const HashMechanism& h, size_t salt_len) {
  pss_.hashAlg = h.hash;
  pss_.mgf = h.mgf;
  pss_.sLen = static_cast<CK_ULONG>(salt_len);
  m.pParameter = &pss_;
  m.ulParameterLen = sizeof pss_;
}

void Mechanism::oaep(const HashMechanism& h, const Bytes& label) {
  label_ = label;
  oaep_.hashAlg = h.hash;
  oaep_.mgf = h.mgf;
  oaep_.source = CKZ_DATA_SPECIFIED;
  oaep_.pSourceData = label_.empty() ? nullptr : label_.data();
  oaep_.ulSourceDataLen = static_cast<CK_ULONG>(label_.size());
  m.pParameter = &oaep_;
  m.ulParameterLen = sizeof oaep_;
}

}  // namespace parsec::provider::pkcs11
