#include "sdk-cpp/cli/crypto_support.h"

#include <openssl/evp.h>

#include <cctype>
#include <memory>
#include <utility>

#include "parsec/crypto/hash.h"
#include "parsec/crypto/keys.h"
#include "parsec/crypto/signature.h"

namespace parsec::cli {

using client::EccFamily;
using client::Hash;

std::string base64_encode(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
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
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
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
      {"md2", Hash::Md2},
      {"md4", Hash::Md4},
      {"md5", Hash::Md5},
      {"ripemd160", Hash::Ripemd160},
      {"sha1", Hash::Sha1},
      {"sha224", Hash::Sha224},
      {"sha256", Hash::Sha256},
      {"sha384", Hash::Sha384},
      {"sha512", Hash::Sha512},
      {"sha512224", Hash::Sha512_224},
      {"sha512256", Hash::Sha512_256},
      {"sha3224", Hash::Sha3_224},
      {"sha3256", Hash::Sha3_256},
      {"sha3384", Hash::Sha3_384},
      {"sha3512", Hash::Sha3_512},
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
  // The reference tool's set of hashes; the facts come from the module's table.
  if (hash != Hash::Sha224 && hash != Hash::Sha256 && hash != Hash::Sha384 && hash != Hash::Sha512) {
    throw CliError(std::string("hash algorithm ") + client::hash_name(hash) + " is not supported by parsec-cli");
  }
  return unwrap(crypto::digest(hash, data));
}

Bytes ecdsa_raw_to_der(const Bytes& raw) {
  return unwrap(crypto::ecdsa_raw_to_der(raw));
}

Bytes ecdsa_der_to_raw(const Bytes& der, size_t scalar_len) {
  return unwrap(crypto::ecdsa_der_to_raw(der, scalar_len));
}

std::string pem_encode(const std::string& label, const Bytes& der) {
  return crypto::pem_encode(label, der);
}

std::string curve_oid(EccFamily family, uint32_t bits) {
  // The curves the reference tool can export; the OIDs come from the module.
  if (family != EccFamily::SecpR1 && family != EccFamily::SecpK1 && family != EccFamily::SectK1 &&
      family != EccFamily::SectR1) {
    throw CliError(std::string("unsupported ECC family ") + client::ecc_family_name(family));
  }
  auto oid = crypto::curve_oid(family, bits);
  if (!oid.ok()) {
    throw CliError("unsupported number of bits " + std::to_string(bits) + " for ECC family " +
                   client::ecc_family_name(family));
  }
  return std::move(oid).value();
}

Bytes rsa_spki(const Bytes& rsa_public_key) {
  return unwrap(crypto::rsa_spki(rsa_public_key));
}

Bytes ecc_spki(EccFamily family, uint32_t bits, const Bytes& point) {
  curve_oid(family, bits);  // the reference tool's curves only
  return unwrap(crypto::ecc_spki(family, bits, point));
}

Bytes public_key_spki(const client::KeyAttributes& attributes, const Bytes& psa_public_key) {
  if (client::is_ecc_key_type(attributes.type)) {
    return ecc_spki(attributes.family, attributes.bits, psa_public_key);
  }
  return unwrap(crypto::public_key_spki(attributes, psa_public_key));
}

std::string public_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_public_key, bool pkcs1) {
  if (!pkcs1 && client::is_ecc_key_type(attributes.type)) {
    return pem_encode("PUBLIC KEY", public_key_spki(attributes, psa_public_key));
  }
  return unwrap(crypto::public_key_pem(attributes, psa_public_key, pkcs1));
}

}  // namespace parsec::cli
