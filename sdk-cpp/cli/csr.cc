#include "csr.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace parsec::cli {
namespace {

using client::AlgorithmKind;
using client::Hash;

struct ReqFree {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
struct NameFree {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct AlgorFree {
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct GeneralNameFree {
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
};
struct ExtensionsFree {
  void operator()(STACK_OF(X509_EXTENSION) * p) const { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
};
struct PssParamsFree {
  void operator()(RSA_PSS_PARAMS* p) const { RSA_PSS_PARAMS_free(p); }
};

// fail throws CliError with `what` and the reason of the first queued
// OpenSSL error, if any.
[[noreturn]] void fail(const std::string& what) {
  const unsigned long e = ERR_peek_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  throw CliError(reason != nullptr ? what + ": " + reason : what);
}

const EVP_MD* md_of(Hash h) {
  switch (h) {
    case Hash::Sha224: return EVP_sha224();
    case Hash::Sha256: return EVP_sha256();
    case Hash::Sha384: return EVP_sha384();
    case Hash::Sha512: return EVP_sha512();
    default:
      throw CliError(std::string("hash algorithm ") + client::hash_name(h) +
                     " is not supported for certificate requests (SHA-224, SHA-256, SHA-384 or SHA-512)");
  }
}

int signature_nid(CsrScheme scheme, Hash h) {
  const bool ec = scheme == CsrScheme::Ecdsa;
  switch (h) {
    case Hash::Sha224: return ec ? NID_ecdsa_with_SHA224 : NID_sha224WithRSAEncryption;
    case Hash::Sha256: return ec ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption;
    case Hash::Sha384: return ec ? NID_ecdsa_with_SHA384 : NID_sha384WithRSAEncryption;
    case Hash::Sha512: return ec ? NID_ecdsa_with_SHA512 : NID_sha512WithRSAEncryption;
    default: md_of(h); return NID_undef;  // md_of throws
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

bool is_utf8(const std::string& s) { return utf8_lossy(Bytes(s.begin(), s.end())) == s; }

void add_entry(X509_NAME* name, int nid, const char* option, const std::optional<std::string>& value, bool printable) {
  if (!value) {
    return;
  }
  if (printable && !is_printable_string(*value)) {
    throw CliError(std::string(option) + " \"" + *value +
                   "\" may only contain letters, digits, spaces and ' ( ) + , - . / : = ?");
  }
  if (!printable && !is_utf8(*value)) {
    throw CliError(std::string(option) + " is not valid UTF-8");
  }
  // An explicit string type: the value is written as given, without
  // OpenSSL's size table (the reference tool sets no upper bounds).
  const int type = printable ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
  if (X509_NAME_add_entry_by_NID(name, nid, type, reinterpret_cast<const unsigned char*>(value->data()),
                                 static_cast<int>(value->size()), -1, 0) != 1) {
    fail(std::string("cannot add ") + option + " to the subject");
  }
}

GENERAL_NAME* general_name(const std::string& san) {
  std::unique_ptr<GENERAL_NAME, GeneralNameFree> gn(GENERAL_NAME_new());
  if (!gn) {
    fail("out of memory");
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
      fail("out of memory");
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, os);
    return gn.release();
  }
  if (san.empty()) {
    throw CliError("--san: empty subject alternative name");
  }
  for (const char c : san) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      throw CliError("--san \"" + san + "\" is neither an IP address nor a DNS name (ASCII, no spaces)");
    }
  }
  ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
  if (ia5 == nullptr || ASN1_STRING_set(ia5, san.data(), static_cast<int>(san.size())) != 1) {
    ASN1_IA5STRING_free(ia5);
    fail("out of memory");
  }
  GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5);
  return gn.release();
}

void add_subject_alt_names(X509_REQ* req, const std::vector<std::string>& sans, bool critical) {
  if (sans.empty()) {
    return;
  }
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(sk_GENERAL_NAME_new_null());
  if (!names) {
    fail("out of memory");
  }
  for (const std::string& san : sans) {
    GENERAL_NAME* gn = general_name(san);
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      fail("out of memory");
    }
  }
  std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionsFree> exts(sk_X509_EXTENSION_new_null());
  X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, names.get());
  if (!exts || ext == nullptr) {
    X509_EXTENSION_free(ext);
    fail("cannot encode the subjectAltName extension");
  }
  if (sk_X509_EXTENSION_push(exts.get(), ext) <= 0) {
    X509_EXTENSION_free(ext);
    fail("out of memory");
  }
  if (X509_REQ_add_extensions(req, exts.get()) != 1) {
    fail("cannot add the extension request");
  }
}

// pss_algorithm builds id-RSASSA-PSS with RSASSA-PSS-params { hashAlgorithm h,
// maskGenAlgorithm mgf1(h), saltLength }, trailerField left at its default.
std::unique_ptr<X509_ALGOR, AlgorFree> pss_algorithm(Hash h, uint32_t salt_length) {
  std::unique_ptr<RSA_PSS_PARAMS, PssParamsFree> pss(RSA_PSS_PARAMS_new());
  std::unique_ptr<X509_ALGOR, AlgorFree> mgf1_hash(X509_ALGOR_new());
  if (!pss || !mgf1_hash) {
    fail("out of memory");
  }
  pss->hashAlgorithm = X509_ALGOR_new();
  pss->maskGenAlgorithm = X509_ALGOR_new();
  pss->saltLength = ASN1_INTEGER_new();
  if (pss->hashAlgorithm == nullptr || pss->maskGenAlgorithm == nullptr || pss->saltLength == nullptr ||
      ASN1_INTEGER_set(pss->saltLength, static_cast<long>(salt_length)) != 1) {
    fail("out of memory");
  }
  X509_ALGOR_set_md(pss->hashAlgorithm, md_of(h));
  X509_ALGOR_set_md(mgf1_hash.get(), md_of(h));
  ASN1_STRING* mgf1_params = nullptr;
  if (ASN1_item_pack(mgf1_hash.get(), ASN1_ITEM_rptr(X509_ALGOR), &mgf1_params) == nullptr) {
    fail("cannot encode the MGF1 parameters");
  }
  if (X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, mgf1_params) != 1) {
    ASN1_STRING_free(mgf1_params);
    fail("cannot encode the MGF1 parameters");
  }
  ASN1_STRING* params = nullptr;
  if (ASN1_item_pack(pss.get(), ASN1_ITEM_rptr(RSA_PSS_PARAMS), &params) == nullptr) {
    fail("cannot encode the RSASSA-PSS parameters");
  }
  std::unique_ptr<X509_ALGOR, AlgorFree> alg(X509_ALGOR_new());
  if (!alg || X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, params) != 1) {
    ASN1_STRING_free(params);
    fail("cannot encode the RSASSA-PSS algorithm");
  }
  return alg;
}

}  // namespace

uint32_t pss_salt_length(Hash hash, uint32_t modulus_bits) {
  const uint32_t hlen = client::hash_length(hash);
  const uint32_t olen = (modulus_bits + 7) / 8;
  if (olen >= 2 * hlen + 2) {
    return hlen;
  }
  if (olen < 2 * hlen) {  // below hlen + (hlen - 2) + 2: no PSA back end signs this
    throw CliError("the RSA key is too small for PSS with " + std::string(client::hash_name(hash)));
  }
  return olen - hlen - 2;
}

CsrSigning csr_signing(const client::KeyAttributes& attributes) {
  const client::Algorithm& policy = attributes.policy;
  if (!policy.is_asymmetric_signature()) {
    throw CliError("the key's algorithm " + policy.to_string() +
                   " is not an asymmetric signature; a certificate request needs a signing key");
  }
  if (client::is_public_key_type(attributes.type)) {
    throw CliError(std::string("a certificate request needs a key pair; the key is a ") +
                   client::key_type_name(attributes.type));
  }
  CsrSigning s;
  const Hash h = policy.hash_alg() == Hash::Any ? Hash::Sha256 : policy.hash_alg();
  switch (policy.kind()) {
    case AlgorithmKind::RsaPkcs1v15Sign:
      s.scheme = CsrScheme::RsaPkcs1v15;
      s.hash = h;
      s.sign_alg = client::Algorithm::rsa_pkcs1v15_sign(h);
      break;
    case AlgorithmKind::RsaPss:
      s.scheme = CsrScheme::RsaPss;
      s.hash = h;
      s.sign_alg = client::Algorithm::rsa_pss(h);
      break;
    case AlgorithmKind::Ecdsa:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = h;
      s.sign_alg = client::Algorithm::ecdsa(h);
      break;
    case AlgorithmKind::DeterministicEcdsa:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = h;
      s.sign_alg = client::Algorithm::deterministic_ecdsa(h);
      break;
    case AlgorithmKind::EcdsaAny:
      s.scheme = CsrScheme::Ecdsa;
      s.hash = Hash::Sha256;
      s.sign_alg = policy;
      break;
    default:
      throw CliError("the key's algorithm " + policy.to_string() +
                     " is not supported for certificate requests (it signs without hashing)");
  }
  md_of(s.hash);  // throws for hashes X.509 has no signature algorithm for here
  return s;
}

Bytes create_csr(const CsrFields& fields, const Bytes& spki, CsrScheme scheme, Hash hash, const SignDigest& sign) {
  const EVP_MD* md = md_of(hash);
  const unsigned char* p = spki.data();
  std::unique_ptr<EVP_PKEY, PkeyFree> pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!pub || p != spki.data() + spki.size()) {
    fail("the public key is not a DER SubjectPublicKeyInfo");
  }
  const bool rsa_key = EVP_PKEY_get_base_id(pub.get()) == EVP_PKEY_RSA;
  if (rsa_key != (scheme != CsrScheme::Ecdsa)) {
    throw CliError("the signature scheme does not match the key type");
  }

  std::unique_ptr<X509_REQ, ReqFree> req(X509_REQ_new());
  std::unique_ptr<X509_NAME, NameFree> name(X509_NAME_new());
  if (!req || !name || X509_REQ_set_version(req.get(), 0) != 1) {
    fail("out of memory");
  }
  add_entry(name.get(), NID_commonName, "--cn", fields.common_name, false);
  add_entry(name.get(), NID_organizationalUnitName, "--ou", fields.organizational_unit, false);
  add_entry(name.get(), NID_organizationName, "--o", fields.organization, false);
  add_entry(name.get(), NID_localityName, "--l", fields.locality, false);
  add_entry(name.get(), NID_stateOrProvinceName, "--st", fields.state, false);
  if (fields.country && fields.country->size() != 2) {
    throw CliError("--c \"" + *fields.country + "\" must be a two-letter country code");
  }
  add_entry(name.get(), NID_countryName, "--c", fields.country, true);
  add_entry(name.get(), NID_serialNumber, "--serialNumber", fields.serial_number, true);
  if (X509_REQ_set_subject_name(req.get(), name.get()) != 1 || X509_REQ_set_pubkey(req.get(), pub.get()) != 1) {
    fail("cannot build the certificate request");
  }
  add_subject_alt_names(req.get(), fields.subject_alt_names, X509_NAME_entry_count(name.get()) == 0);

  std::unique_ptr<X509_ALGOR, AlgorFree> alg;
  if (scheme == CsrScheme::RsaPss) {
    alg = pss_algorithm(hash, pss_salt_length(hash, static_cast<uint32_t>(EVP_PKEY_get_bits(pub.get()))));
  } else {
    alg.reset(X509_ALGOR_new());
    // ecdsa-with-SHA* take no parameters; sha*WithRSAEncryption take NULL.
    if (!alg || X509_ALGOR_set0(alg.get(), OBJ_nid2obj(signature_nid(scheme, hash)),
                                scheme == CsrScheme::Ecdsa ? V_ASN1_UNDEF : V_ASN1_NULL, nullptr) != 1) {
      fail("out of memory");
    }
  }
  if (X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1) {
    fail("cannot set the signature algorithm");
  }

  // The part to sign: the DER CertificationRequestInfo.
  unsigned char* tbs = nullptr;
  const int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  if (tbs_len <= 0) {
    fail("cannot encode the certification request info");
  }
  Bytes digest(EVP_MAX_MD_SIZE);
  unsigned int digest_len = 0;
  const int ok = EVP_Digest(tbs, static_cast<size_t>(tbs_len), digest.data(), &digest_len, md, nullptr);
  OPENSSL_free(tbs);
  if (ok != 1) {
    fail("digest computation failed");
  }
  digest.resize(digest_len);

  const Bytes signature = sign(digest);
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  if (bits == nullptr || ASN1_BIT_STRING_set(bits, const_cast<unsigned char*>(signature.data()),
                                             static_cast<int>(signature.size())) != 1) {
    ASN1_BIT_STRING_free(bits);
    fail("out of memory");
  }
  // Whole bytes: without this flag OpenSSL would drop trailing zero bits.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits);

  if (X509_REQ_verify(req.get(), pub.get()) != 1) {
    fail("the signature made by the service does not verify with the key's public key");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_X509_REQ(req.get(), &der);
  if (der_len <= 0) {
    fail("cannot encode the certificate request");
  }
  Bytes out(der, der + der_len);
  OPENSSL_free(der);
  return out;
}

}  // namespace parsec::cli
