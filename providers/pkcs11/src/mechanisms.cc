#include "mechanisms.h"

#include "der.h"

namespace parsec::provider::pkcs11 {
namespace {

using A = psa_algorithm::Algorithm;
using Sig = A::AsymmetricSignature;
using KT = psa_key_attributes::KeyType;

// scheme_hash returns the hash of a hash-and-sign scheme: the specific hash,
// SHA-256 for `any` when `any_ok`, or nullopt.
std::optional<int> scheme_hash(const Sig::SignHash& h, bool any_ok) {
  if (h.has_specific()) {
    return static_cast<int>(h.specific());
  }
  if (h.has_any() && any_ok) {
    return static_cast<int>(A::SHA_256);
  }
  return std::nullopt;
}

}  // namespace

std::optional<KeyShape> key_shape(const psa_key_attributes::KeyAttributes& a, bool allow_zero_bits) {
  const KT& t = a.key_type();
  KeyShape s;
  s.bits = a.key_bits();
  if (t.has_rsa_key_pair() || t.has_rsa_public_key()) {
    s.rsa = true;
    s.pair = t.has_rsa_key_pair();
    return s;
  }
  int family = t.has_ecc_key_pair() ? t.ecc_key_pair().curve_family()
               : t.has_ecc_public_key() ? t.ecc_public_key().curve_family()
                                         : KT::ECC_FAMILY_NONE;
  if (family != KT::SECP_R1) {
    return std::nullopt;
  }
  s.pair = t.has_ecc_key_pair();
  if (s.bits == 0 ? !allow_zero_bits : !der::ec_params(s.bits)) {
    return std::nullopt;
  }
  return s;
}

bool rsa_generate_bits_ok(size_t bits) { return bits >= 1024 && bits <= 4096 && bits % 8 == 0; }
bool rsa_import_bits_ok(size_t bits) { return bits >= 1024 && bits <= 8192 && bits % 8 == 0; }

std::optional<HashMechanism> hash_mechanism(int psa_hash) {
  switch (psa_hash) {
    case A::SHA_1:
      return HashMechanism{CKM_SHA_1, CKG_MGF1_SHA1};
    case A::SHA_224:
      return HashMechanism{CKM_SHA224, CKG_MGF1_SHA224};
    case A::SHA_256:
      return HashMechanism{CKM_SHA256, CKG_MGF1_SHA256};
    case A::SHA_384:
      return HashMechanism{CKM_SHA384, CKG_MGF1_SHA384};
    case A::SHA_512:
      return HashMechanism{CKM_SHA512, CKG_MGF1_SHA512};
    case A::SHA3_224:
      return HashMechanism{kCkmSha3_224, kCkgMgf1Sha3_224};
    case A::SHA3_256:
      return HashMechanism{kCkmSha3_256, kCkgMgf1Sha3_256};
    case A::SHA3_384:
      return HashMechanism{kCkmSha3_384, kCkgMgf1Sha3_384};
    case A::SHA3_512:
      return HashMechanism{kCkmSha3_512, kCkgMgf1Sha3_512};
    default:
      return std::nullopt;  // PKCS #11 defines no MGF1 for the others
  }
}

Result<SignPlan> plan_signature(const Sig& alg, bool sign, const KeyShape& key) {
  SignPlan p;
  switch (alg.variant_case()) {
    case Sig::kEcdsa:
    case Sig::kDeterministicEcdsa:
    case Sig::kEcdsaAny: {
      if (key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      if (alg.has_deterministic_ecdsa() && sign) {
        return Status::PsaErrorNotSupported;  // no RFC 6979 mechanism in PKCS #11
      }
      p.mechanism = CKM_ECDSA;
      p.ecdsa = true;
      if (!alg.has_ecdsa_any()) {
        auto h = scheme_hash(alg.has_ecdsa() ? alg.ecdsa().hash_alg() : alg.deterministic_ecdsa().hash_alg(), true);
        if (!h) {
          return Status::PsaErrorInvalidArgument;
        }
        p.hash = *h;
      }
      return p;
    }
    case Sig::kRsaPkcs1V15Sign: {
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      auto h = scheme_hash(alg.rsa_pkcs1v15_sign().hash_alg(), true);
      if (!h) {
        return Status::PsaErrorInvalidArgument;
      }
      auto prefix = der::digest_info_prefix(*h);
      if (!prefix) {
        return Status::PsaErrorNotSupported;
      }
      p.mechanism = CKM_RSA_PKCS;
      p.hash = *h;
      p.prefix = std::move(*prefix);
      p.rsa_scheme = soft::RsaSigScheme::Pkcs1v15;
      return p;
    }
    case Sig::kRsaPkcs1V15SignRaw:
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      p.mechanism = CKM_RSA_PKCS;
      p.rsa_scheme = soft::RsaSigScheme::Pkcs1v15Raw;
      return p;
    case Sig::kRsaPss: {
      if (!key.rsa) {
        return Status::PsaErrorNotPermitted;
      }
      auto h = scheme_hash(alg.rsa_pss().hash_alg(), true);
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

Result<int> message_hash(const Sig& alg) {
  const Sig::SignHash* h = nullptr;
  switch (alg.variant_case()) {
    case Sig::kEcdsa:
      h = &alg.ecdsa().hash_alg();
      break;
    case Sig::kDeterministicEcdsa:
      h = &alg.deterministic_ecdsa().hash_alg();
      break;
    case Sig::kRsaPkcs1V15Sign:
      h = &alg.rsa_pkcs1v15_sign().hash_alg();
      break;
    case Sig::kRsaPss:
      h = &alg.rsa_pss().hash_alg();
      break;
    default:
      return Status::PsaErrorInvalidArgument;
  }
  if (!h->has_specific()) {
    return Status::PsaErrorInvalidArgument;
  }
  return static_cast<int>(h->specific());
}

void Mechanism::pss(const HashMechanism& h, size_t salt_len) {
  pss_.hashAlg = h.hash;
  pss_.mgf = h.mgf;
  pss_.sLen = static_cast<CK_ULONG>(salt_len);
  m.pParameter = &pss_;
  m.ulParameterLen = sizeof pss_;
}

void Mechanism::oaep(const HashMechanism& h, const std::string& label) {
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
