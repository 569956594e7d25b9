#include "crypto_support.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>
#include <utility>

namespace parsec::cli {
namespace {

using client::EccFamily;
using client::Hash;

// DER length octets (short form below 128, long form otherwise).
void put_der_length(Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  Bytes digits;
  while (len != 0) {
    digits.insert(digits.begin(), static_cast<uint8_t>(len & 0xFF));
    len >>= 8;
  }
  out.push_back(static_cast<uint8_t>(0x80 | digits.size()));
  out.insert(out.end(), digits.begin(), digits.end());
}

void put_der_integer(Bytes& out, Bytes magnitude) {
  // DER integers are minimal: strict verifiers (OpenSSL) reject leading zeros.
  size_t zeros = 0;
  while (zeros + 1 < magnitude.size() && magnitude[zeros] == 0) {
    ++zeros;
  }
  magnitude.erase(magnitude.begin(), magnitude.begin() + static_cast<std::ptrdiff_t>(zeros));
  if (magnitude.empty()) {
    // An INTEGER has at least one content byte.
    magnitude.push_back(0);
  } else if (magnitude[0] & 0x80) {
    magnitude.insert(magnitude.begin(), 0x00);
  }
  out.push_back(0x02);
  put_der_length(out, magnitude.size());
  out.insert(out.end(), magnitude.begin(), magnitude.end());
}

// DerReader walks DER input, checking every length against what is left.
class DerReader {
 public:
  DerReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}

  bool done() const { return p_ == end_; }

  // read_tlv checks the tag and returns the content bounds.
  DerReader read(uint8_t tag, const char* what) {
    if (end_ - p_ < 2 || *p_ != tag) {
      throw CliError(std::string("malformed DER signature: expected ") + what);
    }
    ++p_;
    size_t len = *p_++;
    if (len & 0x80) {
      const size_t n = len & 0x7F;
      if (n == 0 || n > sizeof(size_t) || static_cast<size_t>(end_ - p_) < n) {
        throw CliError(std::string("malformed DER signature: bad length of ") + what);
      }
      len = 0;
      for (size_t i = 0; i < n; ++i) {
        len = (len << 8) | *p_++;
      }
    }
    if (static_cast<size_t>(end_ - p_) < len) {
      throw CliError(std::string("malformed DER signature: ") + what + " longer than the input");
    }
    DerReader inner(p_, len);
    p_ += len;
    return inner;
  }

  Bytes rest() const { return Bytes(p_, end_); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

Bytes unsigned_integer(const Bytes& content, size_t scalar_len, const char* name) {
  if (content.empty()) {
    throw CliError(std::string("malformed DER signature: empty INTEGER ") + name);
  }
  if (content[0] & 0x80) {
    throw CliError(std::string("malformed DER signature: negative INTEGER ") + name);
  }
  size_t first = 0;
  while (first < content.size() && content[first] == 0) {
    ++first;
  }
  const size_t len = content.size() - first;
  if (len > scalar_len) {
    throw CliError(std::string("signature value ") + name + " is longer than the curve size (" +
                   std::to_string(scalar_len) + " bytes)");
  }
  Bytes out(scalar_len - len, 0);
  out.insert(out.end(), content.begin() + static_cast<std::ptrdiff_t>(first), content.end());
  return out;
}

struct X509PubkeyFree {
  void operator()(X509_PUBKEY* p) const { X509_PUBKEY_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct Asn1ObjectFree {
  void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};

// spki builds SubjectPublicKeyInfo { algorithm { oid, parameters }, key } with
// the key bytes unchanged, as the reference tool does. It takes ownership of
// `curve` (the only parameter object used here; may be null).
Bytes spki(ASN1_OBJECT* algorithm, int param_type, ASN1_OBJECT* curve, const Bytes& key) {
  std::unique_ptr<ASN1_OBJECT, Asn1ObjectFree> owned_curve(curve);
  std::unique_ptr<X509_PUBKEY, X509PubkeyFree> pub(X509_PUBKEY_new());
  if (!pub) {
    throw CliError("out of memory");
  }
  // X509_PUBKEY_set0_param takes ownership of the key buffer on success.
  auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(key.empty() ? 1 : key.size()));
  if (buf == nullptr) {
    throw CliError("out of memory");
  }
  std::copy(key.begin(), key.end(), buf);
  if (X509_PUBKEY_set0_param(pub.get(), algorithm, param_type, owned_curve.get(), buf,
                             static_cast<int>(key.size())) != 1) {
    OPENSSL_free(buf);
    throw CliError("cannot build the SubjectPublicKeyInfo");
  }
  // From here on the X509_PUBKEY owns the curve object.
  static_cast<void>(owned_curve.release());
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(pub.get(), &der);
  if (len <= 0) {
    throw CliError("cannot encode the SubjectPublicKeyInfo");
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string base64_encode(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Bytes base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      clean.push_back(c);
    }
  }
  if (clean.size() % 4 != 0) {
    throw CliError("invalid base64: length is not a multiple of 4");
  }
  Bytes out(clean.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) {
    throw CliError("invalid base64 input");
  }
  // EVP_DecodeBlock counts the padding as zero bytes; drop them.
  size_t len = static_cast<size_t>(n);
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') {
    pad = clean.size() >= 2 && clean[clean.size() - 2] == '=' ? 2 : 1;
  }
  out.resize(len - pad);
  return out;
}

std::string hex_encode(const Bytes& data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

Hash hash_from_name(const std::string& name) {
  std::string norm;
  for (const char c : name) {
    if (c != '-' && c != '_') {
      norm.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  static const std::pair<const char*, Hash> kNames[] = {
      {"md2", Hash::Md2},           {"md4", Hash::Md4},           {"md5", Hash::Md5},
      {"ripemd160", Hash::Ripemd160}, {"sha1", Hash::Sha1},       {"sha224", Hash::Sha224},
      {"sha256", Hash::Sha256},     {"sha384", Hash::Sha384},     {"sha512", Hash::Sha512},
      {"sha512224", Hash::Sha512_224}, {"sha512256", Hash::Sha512_256}, {"sha3224", Hash::Sha3_224},
      {"sha3256", Hash::Sha3_256},  {"sha3384", Hash::Sha3_384},  {"sha3512", Hash::Sha3_512},
  };
  for (const auto& [n, h] : kNames) {
    if (norm == n) {
      return h;
    }
  }
  throw CliError("unknown hash algorithm \"" + name +
                 "\" (expected one of sha224, sha256, sha384, sha512, sha512-224, sha512-256, sha3-224, "
                 "sha3-256, sha3-384, sha3-512, sha1, md5, md4, md2, ripemd160)");
}

std::string utf8_lossy(const Bytes& data) {
  static const std::string kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(data.size());
  const size_t n = data.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t lead = data[i];
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    // Width of the sequence and the range of its second byte (Unicode 3.9,
    // table 3-7); the third and fourth bytes are always 80..BF.
    size_t width = 0;
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      width = 2;
    } else if (lead == 0xE0) {
      width = 3;
      lo = 0xA0;
    } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
      width = 3;
    } else if (lead == 0xED) {
      width = 3;
      hi = 0x9F;
    } else if (lead == 0xF0) {
      width = 4;
      lo = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      width = 4;
    } else if (lead == 0xF4) {
      width = 4;
      hi = 0x8F;
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    // Replace the maximal prefix of a valid sequence by one U+FFFD.
    size_t j = i + 1;
    bool valid = j < n && data[j] >= lo && data[j] <= hi;
    if (valid) {
      ++j;
      for (size_t k = 2; k < width; ++k, ++j) {
        if (j >= n || data[j] < 0x80 || data[j] > 0xBF) {
          valid = false;
          break;
        }
      }
    }
    if (valid) {
      out.append(reinterpret_cast<const char*>(data.data() + i), width);
    } else {
      out += kReplacement;
    }
    i = j;
  }
  return out;
}

Bytes digest(Hash hash, const Bytes& data) {
  const EVP_MD* md = nullptr;
  switch (hash) {
    case Hash::Sha224: md = EVP_sha224(); break;
    case Hash::Sha256: md = EVP_sha256(); break;
    case Hash::Sha384: md = EVP_sha384(); break;
    case Hash::Sha512: md = EVP_sha512(); break;
    default:
      throw CliError(std::string("hash algorithm ") + client::hash_name(hash) + " is not supported by parsec-cli");
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    throw CliError("digest computation failed");
  }
  out.resize(len);
  return out;
}

Bytes ecdsa_raw_to_der(const Bytes& raw) {
  const size_t half = raw.size() / 2;
  Bytes body;
  put_der_integer(body, Bytes(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(half)));
  put_der_integer(body, Bytes(raw.begin() + static_cast<std::ptrdiff_t>(half), raw.end()));
  Bytes out{0x30};
  put_der_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes ecdsa_der_to_raw(const Bytes& der, size_t scalar_len) {
  DerReader outer(der.data(), der.size());
  DerReader seq = outer.read(0x30, "SEQUENCE");
  if (!outer.done()) {
    throw CliError("malformed DER signature: trailing bytes after the SEQUENCE");
  }
  const Bytes r = seq.read(0x02, "INTEGER r").rest();
  const Bytes s = seq.read(0x02, "INTEGER s").rest();
  if (!seq.done()) {
    throw CliError("malformed DER signature: extra fields in the SEQUENCE");
  }
  Bytes out = unsigned_integer(r, scalar_len, "r");
  const Bytes s_raw = unsigned_integer(s, scalar_len, "s");
  out.insert(out.end(), s_raw.begin(), s_raw.end());
  return out;
}

std::string pem_encode(const std::string& label, const Bytes& der) {
  std::string b64 = base64_encode(der);
  const std::string begin = "-----BEGIN " + label + "-----\n";
  const std::string end = "-----END " + label + "-----\n";
  std::string out;
  // Sized once, so that no partial copy of (possibly private) key material is
  // left behind in a freed buffer; the temporary base64 text is wiped.
  out.reserve(begin.size() + b64.size() + (b64.size() + 63) / 64 + end.size());
  out += begin;
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += end;
  OPENSSL_cleanse(b64.data(), b64.size());
  return out;
}

std::string curve_oid(EccFamily family, uint32_t bits) {
  auto unsupported = [&]() {
    return CliError("unsupported number of bits " + std::to_string(bits) + " for ECC family " +
                    client::ecc_family_name(family));
  };
  switch (family) {
    case EccFamily::SecpR1:
      switch (bits) {
        case 192: return "1.2.840.10045.3.1.1";
        case 224: return "1.3.132.0.33";
        case 256: return "1.2.840.10045.3.1.7";
        case 384: return "1.3.132.0.34";
        case 521: return "1.3.132.0.35";
        default: throw unsupported();
      }
    case EccFamily::SecpK1:
      switch (bits) {
        case 192: return "1.3.132.0.31";
        case 224: return "1.3.132.0.32";
        case 256: return "1.3.132.0.10";
        default: throw unsupported();
      }
    case EccFamily::SectK1:
      switch (bits) {
        case 233: return "1.3.132.0.26";
        case 283: return "1.3.132.0.16";
        case 409: return "1.3.132.0.36";
        case 571: return "1.3.132.0.38";
        default: throw unsupported();
      }
    case EccFamily::SectR1:
      switch (bits) {
        case 233: return "1.3.132.0.27";
        case 283: return "1.3.132.0.17";
        case 409: return "1.3.132.0.37";
        case 571: return "1.3.132.0.39";
        default: throw unsupported();
      }
    default:
      throw CliError(std::string("unsupported ECC family ") + client::ecc_family_name(family));
  }
}

Bytes rsa_spki(const Bytes& rsa_public_key) {
  // Parse first, as the reference tool does, so that garbage is not wrapped.
  const unsigned char* p = rsa_public_key.data();
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key(
      d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(rsa_public_key.size())));
  if (!key || p != rsa_public_key.data() + rsa_public_key.size()) {
    throw CliError("the exported RSA public key is not a DER RSAPublicKey");
  }
  return spki(OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr, rsa_public_key);
}

Bytes ecc_spki(EccFamily family, uint32_t bits, const Bytes& point) {
  ASN1_OBJECT* curve = OBJ_txt2obj(curve_oid(family, bits).c_str(), 1);
  if (curve == nullptr) {
    throw CliError("cannot encode the curve OID");
  }
  return spki(OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, curve, point);
}

Bytes public_key_spki(const client::KeyAttributes& attributes, const Bytes& psa_public_key) {
  if (client::is_rsa_key_type(attributes.type)) {
    return rsa_spki(psa_public_key);
  }
  if (client::is_ecc_key_type(attributes.type)) {
    return ecc_spki(attributes.family, attributes.bits, psa_public_key);
  }
  throw CliError(std::string("keys of type ") + client::key_type_name(attributes.type) +
                 " have no exportable public key format");
}

std::string public_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_public_key, bool pkcs1) {
  if (pkcs1) {
    if (!client::is_rsa_key_type(attributes.type)) {
      if (client::is_ecc_key_type(attributes.type)) {
        throw CliError("the PKCS#1 format does not support ECC keys");
      }
      throw CliError(std::string("the PKCS#1 format does not support keys of type ") +
                     client::key_type_name(attributes.type));
    }
    return pem_encode("RSA PUBLIC KEY", psa_public_key);
  }
  return pem_encode("PUBLIC KEY", public_key_spki(attributes, psa_public_key));
}

}  // namespace parsec::cli
