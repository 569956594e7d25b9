#include "key_encoding.h"

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "parsec/client/error.h"

namespace parsec::client::detail {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
template <typename T, void (*F)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, F>>;

Error invalid(const std::string& what) { return Error::client_error(Status::InvalidEncoding, "", what); }
Error unsupported(const std::string& what) { return Error::client_error(Status::PsaErrorNotSupported, "", what); }

void der_length(Bytes& out, size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
    return;
  }
  Bytes len;
  for (; n != 0; n >>= 8) {
    len.insert(len.begin(), static_cast<uint8_t>(n & 0xFF));
  }
  out.push_back(static_cast<uint8_t>(0x80 | len.size()));
  out.insert(out.end(), len.begin(), len.end());
}

Bytes tlv(uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  der_length(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// DER OBJECT IDENTIFIERs (tag and length included).
const Bytes kRsaEncryption{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
const Bytes kEcPublicKey{0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};

Bytes curve_oid(EccFamily family, uint32_t bits) {
  if (family == EccFamily::SecpR1) {
    switch (bits) {
      case 192:
        return {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x01};
      case 224:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x21};
      case 256:
        return {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
      case 384:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
      case 521:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23};
      default:
        break;
    }
  } else if (family == EccFamily::SecpK1) {
    switch (bits) {
      case 192:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x1F};
      case 224:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x20};
      case 256:
        return {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A};
      default:
        break;
    }
  }
  throw unsupported(std::string("no X.509 curve name for ") + psa::ecc_family_name(family) + " " +
                    std::to_string(bits) + " bits");
}

const EVP_MD* md_of(Hash hash) {
  switch (hash) {
    case Hash::Sha224:
      return EVP_sha224();
    case Hash::Sha256:
      return EVP_sha256();
    case Hash::Sha384:
      return EVP_sha384();
    case Hash::Sha512:
      return EVP_sha512();
    default:
      break;
  }
  throw unsupported(std::string("hash ") + hash_name(hash) + " is not supported here (SHA-224/256/384/512 are)");
}

int signature_nid(bool ecdsa, Hash hash) {
  switch (hash) {
    case Hash::Sha224:
      return ecdsa ? NID_ecdsa_with_SHA224 : NID_sha224WithRSAEncryption;
    case Hash::Sha256:
      return ecdsa ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption;
    case Hash::Sha384:
      return ecdsa ? NID_ecdsa_with_SHA384 : NID_sha384WithRSAEncryption;
    case Hash::Sha512:
      return ecdsa ? NID_ecdsa_with_SHA512 : NID_sha512WithRSAEncryption;
    default:
      break;
  }
  throw unsupported(std::string("no certificate signature algorithm with ") + hash_name(hash));
}

void add_name_entry(X509_NAME* name, int nid, const std::optional<std::string>& value, bool printable) {
  if (!value) {
    return;
  }
  const int type = printable ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8;
  if (X509_NAME_add_entry_by_NID(name, nid, type, reinterpret_cast<const unsigned char*>(value->data()),
                                 static_cast<int>(value->size()), -1, 0) != 1) {
    throw invalid(std::string("the subject field ") + OBJ_nid2sn(nid) + " \"" + *value + "\" cannot be encoded");
  }
}

}  // namespace

Bytes ecdsa_raw_to_der(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    throw invalid("an ECDSA r||s signature of " + std::to_string(raw.size()) + " bytes has no two equal halves");
  }
  const int half = static_cast<int>(raw.size() / 2);
  Owned<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw invalid("cannot encode the ECDSA signature");
  }
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig.get(), &der);
  if (n <= 0) {
    throw invalid("cannot encode the ECDSA signature");
  }
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

bool ecdsa_der_to_raw(const Bytes& der, size_t scalar_len, Bytes& raw) {
  const unsigned char* p = der.data();
  Owned<ECDSA_SIG, ECDSA_SIG_free> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    return false;
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  raw.assign(2 * scalar_len, 0);
  return BN_bn2binpad(r, raw.data(), static_cast<int>(scalar_len)) >= 0 &&
         BN_bn2binpad(s, raw.data() + scalar_len, static_cast<int>(scalar_len)) >= 0;
}

Bytes public_key_spki(const KeyAttributes& attributes, const Bytes& psa_public_key) {
  Bytes spki;
  if (psa::is_rsa_key_type(attributes.type)) {
    spki = tlv(0x30, cat({tlv(0x30, cat({kRsaEncryption, Bytes{0x05, 0x00}})),
                          tlv(0x03, cat({Bytes{0x00}, psa_public_key}))}));
  } else if (psa::is_ecc_key_type(attributes.type)) {
    spki = tlv(0x30, cat({tlv(0x30, cat({kEcPublicKey, curve_oid(attributes.family, attributes.bits)})),
                          tlv(0x03, cat({Bytes{0x00}, psa_public_key}))}));
  } else {
    throw unsupported(std::string("no SubjectPublicKeyInfo for a ") + psa::key_type_name(attributes.type) + " key");
  }
  // Parse it back: a malformed export (wrong point length, not an
  // RSAPublicKey) must not become a plausible-looking SPKI.
  const unsigned char* p = spki.data();
  Owned<EVP_PKEY, EVP_PKEY_free> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key || p != spki.data() + spki.size()) {
    throw invalid(std::string("the exported public key is not a valid ") + psa::key_type_name(attributes.type) +
                  " public key");
  }
  return spki;
}

std::string pem_encode(const std::string& label, const Bytes& der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der.data(), static_cast<int>(der.size()));
  b64.resize(static_cast<size_t>(n));
  std::string out = "-----BEGIN " + label + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END " + label + "-----\n";
}

Bytes digest(Hash hash, const Bytes& data) {
  const EVP_MD* md = md_of(hash);
  Bytes out(static_cast<size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    throw unsupported(std::string("cannot compute ") + hash_name(hash));
  }
  out.resize(len);
  return out;
}

Bytes create_csr(const CsrSubject& subject, const Bytes& spki, bool ecdsa, Hash hash, const SignDigest& sign) {
  const int sig_nid = signature_nid(ecdsa, hash);
  Owned<X509_REQ, X509_REQ_free> req(X509_REQ_new());
  Owned<X509_NAME, X509_NAME_free> name(X509_NAME_new());
  if (!req || !name || X509_REQ_set_version(req.get(), 0) != 1) {
    throw invalid("cannot create a certificate request");
  }
  add_name_entry(name.get(), NID_commonName, subject.common_name, false);
  add_name_entry(name.get(), NID_organizationalUnitName, subject.organizational_unit, false);
  add_name_entry(name.get(), NID_organizationName, subject.organization, false);
  add_name_entry(name.get(), NID_localityName, subject.locality, false);
  add_name_entry(name.get(), NID_stateOrProvinceName, subject.state, false);
  if (subject.country && subject.country->size() != 2) {
    throw invalid("the country \"" + *subject.country + "\" is not a two-letter code");
  }
  add_name_entry(name.get(), NID_countryName, subject.country, true);
  add_name_entry(name.get(), NID_serialNumber, subject.serial_number, true);
  X509_REQ_set_subject_name(req.get(), name.get());

  const unsigned char* p = spki.data();
  Owned<EVP_PKEY, EVP_PKEY_free> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key || X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    throw invalid("the public key cannot be put in a certificate request");
  }

  if (!subject.subject_alt_names.empty()) {
    Owned<GENERAL_NAMES, GENERAL_NAMES_free> names(GENERAL_NAMES_new());
    for (const std::string& entry : subject.subject_alt_names) {
      GENERAL_NAME* gen = GENERAL_NAME_new();
      if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(entry.c_str())) {
        GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
      } else {
        ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
        ASN1_STRING_set(dns, entry.data(), static_cast<int>(entry.size()));
        GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
      }
      sk_GENERAL_NAME_push(names.get(), gen);
    }
    // Critical only when the subject is empty (RFC 5280 4.2.1.6).
    const int critical = X509_NAME_entry_count(name.get()) == 0 ? 1 : 0;
    X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, critical, names.get());
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    const bool ok = ext != nullptr && exts != nullptr && sk_X509_EXTENSION_push(exts, ext) > 0 &&
                    X509_REQ_add_extensions(req.get(), exts) == 1;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (!ok) {
      throw invalid("cannot encode the subject alternative names");
    }
  }

  Owned<X509_ALGOR, X509_ALGOR_free> alg(X509_ALGOR_new());
  if (!alg || X509_ALGOR_set0(alg.get(), OBJ_nid2obj(sig_nid), ecdsa ? V_ASN1_UNDEF : V_ASN1_NULL, nullptr) != 1 ||
      X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1) {
    throw invalid("cannot set the certificate request signature algorithm");
  }

  unsigned char* tbs_der = nullptr;
  const int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs_der);
  if (tbs_len <= 0) {
    throw invalid("cannot encode the certificate request");
  }
  const Bytes tbs(tbs_der, tbs_der + tbs_len);
  OPENSSL_free(tbs_der);

  const Bytes signature = sign(digest(hash, tbs));
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  if (bits == nullptr || ASN1_BIT_STRING_set(bits, const_cast<uint8_t*>(signature.data()),
                                             static_cast<int>(signature.size())) != 1) {
    ASN1_BIT_STRING_free(bits);
    throw invalid("cannot attach the signature");
  }
  // Whole bytes: no unused bits (without the flag, trailing zero bits would be dropped).
  bits->flags = (bits->flags & ~0x07L) | ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits);

  if (X509_REQ_verify(req.get(), key.get()) != 1) {
    throw Error::client_error(Status::PsaErrorInvalidSignature, "",
                              "the signature made by the service does not verify with the key's public key");
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509_REQ(req.get(), &der);
  if (n <= 0) {
    throw invalid("cannot encode the certificate request");
  }
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

}  // namespace parsec::client::detail
