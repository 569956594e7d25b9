#include "parsec/crypto/csr.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

#include "parsec/crypto/hash.h"

namespace parsec::crypto {
namespace {

using psa::AlgorithmKind;
using psa::Hash;

struct Free {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
  void operator()(STACK_OF(X509_EXTENSION) * p) const { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
  void operator()(RSA_PSS_PARAMS* p) const { RSA_PSS_PARAMS_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

// fail: `what` and the reason of the first queued OpenSSL error, if any.
Failure fail(const std::string& what, Status code = Status::PsaErrorInvalidArgument) {
  const unsigned long e = ERR_peek_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return {code, reason != nullptr ? what + ": " + reason : what};
}
Failure out_of_memory() {
  return fail("out of memory", Status::PsaErrorInsufficientMemory);
}

// The SHA-2 hashes X.509 signature algorithms are given for here.
Result<const EVP_MD*> md_of(Hash h) {
  const EVP_MD* md = nullptr;
  if (h == Hash::Sha224 || h == Hash::Sha256 || h == Hash::Sha384 || h == Hash::Sha512) {
    md = evp_md(h);
  }
  if (md == nullptr) {
    return Failure(Status::PsaErrorNotSupported,
                   std::string("hash algorithm ") + psa::hash_name(h) +
                       " is not supported for certificate requests (SHA-224, SHA-256, SHA-384 or SHA-512)");
  }
  return md;
}

int signature_nid(CsrScheme scheme, Hash h) {
  const bool ec = scheme == CsrScheme::Ecdsa;
  switch (h) {
    case Hash::Sha224:
      return ec ? NID_ecdsa_with_SHA224 : NID_sha224WithRSAEncryption;
    case Hash::Sha256:
      return ec ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption;
    case Hash::Sha384:
      return ec ? NID_ecdsa_with_SHA384 : NID_sha384WithRSAEncryption;
    case Hash::Sha512:
      return ec ? NID_ecdsa_with_SHA512 : NID_sha512WithRSAEncryption;
    default:
      return NID_undef;  // md_of refused it before
  }
}

bool is_printable_string(const std::string& s) {
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

// is_utf8: well-formed UTF-8 (Unicode table 3-7: no overlongs, surrogates or
// code points above U+10FFFF).
bool is_utf8(const std::string& s) {
  const auto* d = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const uint8_t lead = d[i];
    size_t width = 1;
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
      width = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      width = 3;
      lo = lead == 0xE0 ? 0xA0 : 0x80;
      hi = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      width = 4;
      lo = lead == 0xF0 ? 0x90 : 0x80;
      hi = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
      return false;
    }
    if (n - i < width || d[i + 1] < lo || d[i + 1] > hi) {
      return false;
    }
    for (size_t k = 2; k < width; ++k) {
      if (d[i + k] < 0x80 || d[i + k] > 0xBF) {
        return false;
      }
    }
    i += width;
  }
  return true;
}

Outcome add_entry(X509_NAME* name, int nid, const char* option, const std::optional<std::string>& value,
                  bool printable) {
  if (!value) {
    return Status::Success;
  }
  if (printable && !is_printable_string(*value)) {
    return Failure(
        Status::PsaErrorInvalidArgument,
        std::string(option) + " \"" + *value + "\" may only contain letters, digits, spaces and ' ( ) + , - . / : = ?");
  }
  if (!printable && !is_utf8(*value)) {
    return Failure(Status::PsaErrorInvalidArgument, std::string(option) + " is not valid UTF-8");
  }
  // An explicit string type: the value is written as given, without
  // OpenSSL's size table (the reference tool sets no upper bounds).
  const int type = printable ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
  if (X509_NAME_add_entry_by_NID(name, nid, type, reinterpret_cast<const unsigned char*>(value->data()),
                                 static_cast<int>(value->size()), -1, 0) != 1) {
    return fail(std::string("cannot add ") + option + " to the subject");
  }
  return Status::Success;
}

Result<GENERAL_NAME*> general_name(const std::string& san) {
  Ptr<GENERAL_NAME> gn(GENERAL_NAME_new());
  if (!gn) {
    return out_of_memory();
  }
  unsigned char ip[16];
  int ip_len = 0;
  if (::inet_pton(AF_INET, san.c_str(), ip) == 1) {
    ip_len = 4;
  } else if (::inet_pton(AF_INET6, san.c_str(), ip) == 1) {
    ip_len = 16;
  }
  if (ip_len != 0) {
    ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
    if (os == nullptr || ASN1_OCTET_STRING_set(os, ip, ip_len) != 1) {
      ASN1_OCTET_STRING_free(os);
      return out_of_memory();
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, os);
    return gn.release();
  }
  if (san.empty()) {
    return Failure(Status::PsaErrorInvalidArgument, "--san: empty subject alternative name");
  }
  for (const char c : san) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return Failure(Status::PsaErrorInvalidArgument,
                     "--san \"" + san + "\" is neither an IP address nor a DNS name (ASCII, no spaces)");
    }
  }
  ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
  if (ia5 == nullptr || ASN1_STRING_set(ia5, san.data(), static_cast<int>(san.size())) != 1) {
    ASN1_IA5STRING_free(ia5);
    return out_of_memory();
  }
  GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5);
  return gn.release();
}

Outcome add_subject_alt_names(X509_REQ* req, const std::vector<std::string>& sans, bool critical) {
  if (sans.empty()) {
    return Status::Success;
  }
  Ptr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  if (!names) {
    return out_of_memory();
  }
  for (const std::string& san : sans) {
    auto gn = general_name(san);
    PARSEC_TRY(gn);
    if (sk_GENERAL_NAME_push(names.get(), *gn) <= 0) {
      GENERAL_NAME_free(*gn);
      return out_of_memory();
    }
  }
  Ptr<STACK_OF(X509_EXTENSION)> exts(sk_X509_EXTENSION_new_null());
  X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, names.get());
  if (!exts || ext == nullptr) {
    X509_EXTENSION_free(ext);
    return fail("cannot encode the subjectAltName extension");
  }
  if (sk_X509_EXTENSION_push(exts.get(), ext) <= 0) {
    X509_EXTENSION_free(ext);
    return out_of_memory();
  }
  if (X509_REQ_add_extensions(req, exts.get()) != 1) {
    return fail("cannot add the extension request");
  }
  return Status::Success;
}

// pss_algorithm builds id-RSASSA-PSS with RSASSA-PSS-params { hashAlgorithm h,
// maskGenAlgorithm mgf1(h), saltLength }, trailerField left at its default.
Result<Ptr<X509_ALGOR>> pss_algorithm(const EVP_MD* md, uint32_t salt_length) {
  Ptr<RSA_PSS_PARAMS> pss(RSA_PSS_PARAMS_new());
  Ptr<X509_ALGOR> mgf1_hash(X509_ALGOR_new());
  if (!pss || !mgf1_hash) {
    return out_of_memory();
  }
  pss->hashAlgorithm = X509_ALGOR_new();
  pss->maskGenAlgorithm = X509_ALGOR_new();
  pss->saltLength = ASN1_INTEGER_new();
  if (pss->hashAlgorithm == nullptr || pss->maskGenAlgorithm == nullptr || pss->saltLength == nullptr ||
      ASN1_INTEGER_set(pss->saltLength, static_cast<long>(salt_length)) != 1) {
    return out_of_memory();
  }
  X509_ALGOR_set_md(pss->hashAlgorithm, md);
  X509_ALGOR_set_md(mgf1_hash.get(), md);
  ASN1_STRING* mgf1_params = nullptr;
  if (ASN1_item_pack(mgf1_hash.get(), ASN1_ITEM_rptr(X509_ALGOR), &mgf1_params) == nullptr) {
    return fail("cannot encode the MGF1 parameters");
  }
  if (X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, mgf1_params) != 1) {
    ASN1_STRING_free(mgf1_params);
    return fail("cannot encode the MGF1 parameters");
  }
  ASN1_STRING* params = nullptr;
  if (ASN1_item_pack(pss.get(), ASN1_ITEM_rptr(RSA_PSS_PARAMS), &params) == nullptr) {
    return fail("cannot encode the RSASSA-PSS parameters");
  }
  Ptr<X509_ALGOR> alg(X509_ALGOR_new());
  if (!alg || X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, params) != 1) {
    ASN1_STRING_free(params);
    return fail("cannot encode the RSASSA-PSS algorithm");
  }
  return alg;
}

}  // namespace

Result<uint32_t> pss_salt_length(Hash hash, uint32_t modulus_bits) {
  const uint32_t hlen = psa::hash_length(hash);
  const uint32_t olen = (modulus_bits + 7) / 8;
  if (olen >= 2 * hlen + 2) {
    return hlen;
  }
  if (olen < 2 * hlen) {  // below hlen + (hlen - 2) + 2: no PSA back end signs this
    return Failure(Status::PsaErrorInvalidArgument,
                   "the RSA key is too small for PSS with " + std::string(psa::hash_name(hash)));
  }
  return olen - hlen - 2;
}

Result<CsrSigning> csr_signing(const psa::KeyAttributes& attributes) {
  const psa::Algorithm& policy = attributes.policy;
  if (!policy.is_asymmetric_signature()) {
    return Failure(Status::PsaErrorInvalidArgument,
                   "the key's algorithm " + policy.to_string() +
                       " is not an asymmetric signature; a certificate request needs a signing key");
  }
  if (psa::is_public_key_type(attributes.type)) {
    return Failure(
        Status::PsaErrorInvalidArgument,
        std::string("a certificate request needs a key pair; the key is a ") + psa::key_type_name(attributes.type));
  }
  CsrSigning s;
  const Hash h = policy.hash_alg() == Hash::Any ? Hash::Sha256 : policy.hash_alg();
  switch (policy.kind()) {
    case AlgorithmKind::RsaPkcs1v15Sign:
      s.scheme = CsrScheme::RsaPkcs1v15;
      s.hash = h;
      s.sign_alg = psa::Algorithm::rsa_pkcs1v15_sign(h);
      break;
    case AlgorithmKind::RsaPss:
      s.scheme = CsrScheme::RsaPss;
      s.hash = h;
      s.sign_alg = psa::Algorithm::rsa_pss(h);
      break;
    case AlgorithmKind::Ecdsa:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = h;
      s.sign_alg = psa::Algorithm::ecdsa(h);
      break;
    case AlgorithmKind::DeterministicEcdsa:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = h;
      s.sign_alg = psa::Algorithm::deterministic_ecdsa(h);
      break;
    case AlgorithmKind::EcdsaAny:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = Hash::Sha256;
      s.sign_alg = policy;
      break;
    default:
      return Failure(Status::PsaErrorNotSupported,
                     "the key's algorithm " + policy.to_string() +
                         " is not supported for certificate requests (it signs without hashing)");
  }
  PARSEC_TRY(md_of(s.hash));  // hashes X.509 has no signature algorithm for here
  return s;
}

Result<Bytes> create_csr(const CsrFields& fields, const Bytes& spki, CsrScheme scheme, Hash hash,
                         const SignDigest& sign) {
  auto md = md_of(hash);
  PARSEC_TRY(md);
  const unsigned char* p = spki.data();
  Ptr<EVP_PKEY> pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!pub || p != spki.data() + spki.size()) {
    return fail("the public key is not a DER SubjectPublicKeyInfo");
  }
  const bool rsa_key = EVP_PKEY_get_base_id(pub.get()) == EVP_PKEY_RSA;
  if (rsa_key != (scheme != CsrScheme::Ecdsa)) {
    return Failure(Status::PsaErrorInvalidArgument, "the signature scheme does not match the key type");
  }

  Ptr<X509_REQ> req(X509_REQ_new());
  Ptr<X509_NAME> name(X509_NAME_new());
  if (!req || !name || X509_REQ_set_version(req.get(), 0) != 1) {
    return out_of_memory();
  }
  PARSEC_TRY(add_entry(name.get(), NID_commonName, "--cn", fields.common_name, false));
  PARSEC_TRY(add_entry(name.get(), NID_organizationalUnitName, "--ou", fields.organizational_unit, false));
  PARSEC_TRY(add_entry(name.get(), NID_organizationName, "--o", fields.organization, false));
  PARSEC_TRY(add_entry(name.get(), NID_localityName, "--l", fields.locality, false));
  PARSEC_TRY(add_entry(name.get(), NID_stateOrProvinceName, "--st", fields.state, false));
  if (fields.country && fields.country->size() != 2) {
    return Failure(Status::PsaErrorInvalidArgument,
                   "--c \"" + *fields.country + "\" must be a two-letter country code");
  }
  PARSEC_TRY(add_entry(name.get(), NID_countryName, "--c", fields.country, true));
  PARSEC_TRY(add_entry(name.get(), NID_serialNumber, "--serialNumber", fields.serial_number, true));
  if (X509_REQ_set_subject_name(req.get(), name.get()) != 1 || X509_REQ_set_pubkey(req.get(), pub.get()) != 1) {
    return fail("cannot build the certificate request");
  }
  PARSEC_TRY(add_subject_alt_names(req.get(), fields.subject_alt_names, X509_NAME_entry_count(name.get()) == 0));

  Ptr<X509_ALGOR> alg;
  if (scheme == CsrScheme::RsaPss) {
    auto salt = pss_salt_length(hash, static_cast<uint32_t>(EVP_PKEY_get_bits(pub.get())));
    PARSEC_TRY(salt);
    auto pss = pss_algorithm(*md, *salt);
    PARSEC_TRY(pss);
    alg = std::move(pss).value();
  } else {
    alg.reset(X509_ALGOR_new());
    // ecdsa-with-SHA* take no parameters; sha*WithRSAEncryption take NULL.
    if (!alg || X509_ALGOR_set0(alg.get(), OBJ_nid2obj(signature_nid(scheme, hash)),
                                scheme == CsrScheme::Ecdsa ? V_ASN1_UNDEF : V_ASN1_NULL, nullptr) != 1) {
      return out_of_memory();
    }
  }
  if (X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1) {
    return fail("cannot set the signature algorithm");
  }

  // The part to sign: the DER CertificationRequestInfo.
  unsigned char* tbs = nullptr;
  const int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  if (tbs_len <= 0) {
    return fail("cannot encode the certification request info");
  }
  auto tbs_digest = digest(hash, tbs, static_cast<size_t>(tbs_len));
  OPENSSL_free(tbs);
  PARSEC_TRY(tbs_digest);

  auto signature = sign(*tbs_digest);
  PARSEC_TRY(signature);
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  if (bits == nullptr || ASN1_BIT_STRING_set(bits, signature->data(), static_cast<int>(signature->size())) != 1) {
    ASN1_BIT_STRING_free(bits);
    return out_of_memory();
  }
  // Whole bytes: without this flag OpenSSL would drop trailing zero bits.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits);

  if (X509_REQ_verify(req.get(), pub.get()) != 1) {
    return fail("the signature made by the service does not verify with the key's public key");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_X509_REQ(req.get(), &der);
  if (der_len <= 0) {
    return fail("cannot encode the certificate request");
  }
  Bytes out(der, der + der_len);
  OPENSSL_free(der);
  return out;
}

}  // namespace parsec::crypto
