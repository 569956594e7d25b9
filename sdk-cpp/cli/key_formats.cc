#include "key_formats.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>

namespace parsec::cli {
namespace {

using client::EccFamily;
using client::KeyType;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnClearFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
using SecretBn = std::unique_ptr<BIGNUM, BnClearFree>;
struct GroupFree {
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct P8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

// The named curves that have a PSA family: OpenSSL NID, family, size in bits.
struct Curve {
  int nid;
  EccFamily family;
  uint32_t bits;
};
constexpr Curve kCurves[] = {
    {NID_X9_62_prime192v1, EccFamily::SecpR1, 192}, {NID_secp224r1, EccFamily::SecpR1, 224},
    {NID_X9_62_prime256v1, EccFamily::SecpR1, 256}, {NID_secp384r1, EccFamily::SecpR1, 384},
    {NID_secp521r1, EccFamily::SecpR1, 521},        {NID_secp192k1, EccFamily::SecpK1, 192},
    {NID_secp224k1, EccFamily::SecpK1, 224},        {NID_secp256k1, EccFamily::SecpK1, 256},
    {NID_sect233k1, EccFamily::SectK1, 233},        {NID_sect283k1, EccFamily::SectK1, 283},
    {NID_sect409k1, EccFamily::SectK1, 409},        {NID_sect571k1, EccFamily::SectK1, 571},
    {NID_sect233r1, EccFamily::SectR1, 233},        {NID_sect283r1, EccFamily::SectR1, 283},
    {NID_sect409r1, EccFamily::SectR1, 409},        {NID_sect571r1, EccFamily::SectR1, 571},
    {NID_brainpoolP160r1, EccFamily::BrainpoolPR1, 160}, {NID_brainpoolP192r1, EccFamily::BrainpoolPR1, 192},
    {NID_brainpoolP224r1, EccFamily::BrainpoolPR1, 224}, {NID_brainpoolP256r1, EccFamily::BrainpoolPR1, 256},
    {NID_brainpoolP320r1, EccFamily::BrainpoolPR1, 320}, {NID_brainpoolP384r1, EccFamily::BrainpoolPR1, 384},
    {NID_brainpoolP512r1, EccFamily::BrainpoolPR1, 512},
};

const Curve* curve_by_nid(int nid) {
  for (const Curve& c : kCurves) {
    if (c.nid == nid) {
      return &c;
    }
  }
  return nullptr;
}

const Curve& curve_by_psa(EccFamily family, uint32_t bits) {
  for (const Curve& c : kCurves) {
    if (c.family == family && c.bits == bits) {
      return c;
    }
  }
  throw CliError(std::string("unsupported ECC curve: family ") + client::ecc_family_name(family) + ", " +
                 std::to_string(bits) + " bits");
}

// openssl_error returns the reason of the oldest queued OpenSSL error (or "")
// and clears the queue.
std::string openssl_reason() {
  const unsigned long e = ERR_peek_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? std::string(": ") + reason : std::string();
}

// der_of runs an i2d function into a wiped buffer.
template <typename I2d, typename T>
SecretBytes der_of(I2d i2d, T* object, const char* what) {
  unsigned char* out = nullptr;
  const int n = i2d(object, &out);
  if (n <= 0) {
    throw CliError(std::string("cannot encode ") + what + openssl_reason());
  }
  SecretBytes der(Bytes(out, out + n));
  OPENSSL_clear_free(out, static_cast<size_t>(n));
  return der;
}

Bytes uncompressed_point(const EC_GROUP* group, const EC_POINT* point) {
  const size_t n = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, nullptr);
  Bytes out(n);
  if (n == 0 || EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out.data(), n, nullptr) != n) {
    throw CliError("cannot encode the public point" + openssl_reason());
  }
  return out;
}

int curve_nid_of(const EVP_PKEY* key) {
  char name[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) {
    ERR_clear_error();
    throw CliError("the EC key has no named curve (explicit curve parameters are not supported)");
  }
  int nid = OBJ_txt2nid(name);
  if (nid == NID_undef) {
    nid = EC_curve_nist2nid(name);
  }
  if (nid == NID_undef || curve_by_nid(nid) == nullptr) {
    throw CliError(std::string("the curve ") + name + " has no PSA curve family");
  }
  return nid;
}

// to_psa converts an OpenSSL key to the PSA import format.
ParsedKey to_psa(EVP_PKEY* key, bool is_private) {
  ParsedKey out;
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    out.type = is_private ? KeyType::RsaKeyPair : KeyType::RsaPublicKey;
    out.bits = static_cast<uint32_t>(EVP_PKEY_get_bits(key));
    // i2d_PrivateKey/i2d_PublicKey write the type-specific structures:
    // RSAPrivateKey and RSAPublicKey (PKCS#1), the PSA formats.
    out.data = is_private ? der_of(&i2d_PrivateKey, key, "the RSA private key")
                          : der_of(&i2d_PublicKey, key, "the RSA public key");
    return out;
  }
  if (id == EVP_PKEY_EC) {
    const Curve& curve = *curve_by_nid(curve_nid_of(key));
    out.type = is_private ? KeyType::EccKeyPair : KeyType::EccPublicKey;
    out.family = curve.family;
    out.bits = curve.bits;
    if (is_private) {
      BIGNUM* raw = nullptr;
      if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
        throw CliError("cannot read the EC private key" + openssl_reason());
      }
      SecretBn priv(raw);
      Bytes scalar((curve.bits + 7) / 8);
      if (BN_bn2binpad(priv.get(), scalar.data(), static_cast<int>(scalar.size())) < 0) {
        OPENSSL_cleanse(scalar.data(), scalar.size());
        throw CliError("the EC private key is larger than its curve");
      }
      out.data = SecretBytes(std::move(scalar));
    } else {
      // Whatever point format the file used, PSA takes the uncompressed one.
      size_t len = 0;
      if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1) {
        throw CliError("cannot read the EC public key" + openssl_reason());
      }
      Bytes encoded(len);
      if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), len, &len) != 1) {
        throw CliError("cannot read the EC public key" + openssl_reason());
      }
      std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve.nid));
      std::unique_ptr<EC_POINT, PointFree> point(group ? EC_POINT_new(group.get()) : nullptr);
      if (!point || EC_POINT_oct2point(group.get(), point.get(), encoded.data(), len, nullptr) != 1) {
        throw CliError("invalid EC public point" + openssl_reason());
      }
      out.data = SecretBytes(uncompressed_point(group.get(), point.get()));
    }
    return out;
  }
  const char* name = OBJ_nid2sn(id);
  throw CliError(std::string("unsupported key algorithm ") + (name != nullptr ? name : "(unknown)") +
                 " (RSA and elliptic curve keys only)");
}

// parse_der decodes `der` as the structure `label` names, or (empty label)
// as any supported private then public structure. Returns null if it is none.
Pkey parse_der(const std::string& label, const unsigned char* der, long len, bool* is_private) {
  auto whole = [&](auto decode) -> Pkey {
    const unsigned char* p = der;
    Pkey key(decode(&p));
    if (key && p != der + len) {
      key.reset();
    }
    ERR_clear_error();
    return key;
  };
  auto auto_private = [&](const unsigned char** p) { return d2i_AutoPrivateKey(nullptr, p, len); };
  auto rsa_private = [&](const unsigned char** p) { return d2i_PrivateKey(EVP_PKEY_RSA, nullptr, p, len); };
  auto ec_private = [&](const unsigned char** p) { return d2i_PrivateKey(EVP_PKEY_EC, nullptr, p, len); };
  auto spki = [&](const unsigned char** p) { return d2i_PUBKEY(nullptr, p, len); };
  auto rsa_public = [&](const unsigned char** p) { return d2i_PublicKey(EVP_PKEY_RSA, nullptr, p, len); };

  *is_private = true;
  if (label == "PRIVATE KEY") {
    return whole(auto_private);
  }
  if (label == "RSA PRIVATE KEY") {
    return whole(rsa_private);
  }
  if (label == "EC PRIVATE KEY") {
    return whole(ec_private);
  }
  if (label.empty()) {
    if (Pkey k = whole(auto_private)) {
      return k;
    }
  }
  *is_private = false;
  if (label == "PUBLIC KEY") {
    return whole(spki);
  }
  if (label == "RSA PUBLIC KEY") {
    return whole(rsa_public);
  }
  if (label.empty()) {
    if (Pkey k = whole(spki)) {
      return k;
    }
    return whole(rsa_public);
  }
  return nullptr;
}

ParsedKey parse_pem(const Bytes& contents) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
  if (!bio) {
    throw CliError("out of memory");
  }
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      ERR_clear_error();
      throw CliError("no key found in the PEM input");
    }
    const std::string label(name);
    const bool encrypted = std::strstr(header, "ENCRYPTED") != nullptr;
    OPENSSL_free(name);
    OPENSSL_free(header);
    struct Wipe {
      unsigned char* p;
      long n;
      ~Wipe() { OPENSSL_clear_free(p, static_cast<size_t>(n)); }
    } wipe_data{data, len};
    if (label == "EC PARAMETERS") {
      continue;
    }
    if (label == "ENCRYPTED PRIVATE KEY" || encrypted) {
      throw CliError("encrypted private keys are not supported; decrypt the key first (e.g. openssl pkey -in FILE)");
    }
    static const char* const kLabels[] = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY",
                                          "RSA PUBLIC KEY"};
    bool known = false;
    for (const char* l : kLabels) {
      known = known || label == l;
    }
    if (!known) {
      throw CliError("unsupported PEM block \"" + label + "\" (expected a private or public key)");
    }
    bool is_private = false;
    Pkey key = parse_der(label, data, len, &is_private);
    if (!key) {
      throw CliError("malformed PEM block \"" + label + "\"");
    }
    return to_psa(key.get(), is_private);
  }
}

}  // namespace

SecretBytes::~SecretBytes() {
  if (!data_.empty()) {
    OPENSSL_cleanse(data_.data(), data_.size());
  }
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (!data_.empty()) {
      OPENSSL_cleanse(data_.data(), data_.size());
    }
    data_ = std::move(other.data_);
  }
  return *this;
}

void wipe(std::string& s) {
  if (!s.empty()) {
    OPENSSL_cleanse(s.data(), s.size());
  }
  s.clear();
}

ParsedKey parse_key_file(const Bytes& contents) {
  if (contents.empty()) {
    throw CliError("the key file is empty");
  }
  static const std::string kBegin = "-----BEGIN ";
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  if (text.find(kBegin) != std::string_view::npos) {
    return parse_pem(contents);
  }
  bool is_private = false;
  Pkey key = parse_der("", contents.data(), static_cast<long>(contents.size()), &is_private);
  if (!key) {
    throw CliError(
        "the input is neither a PEM key nor an unencrypted DER key (PKCS#8, RSAPrivateKey, ECPrivateKey, "
        "SubjectPublicKeyInfo or RSAPublicKey)");
  }
  return to_psa(key.get(), is_private);
}

std::string private_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1) {
  Pkey key;
  if (attributes.type == KeyType::RsaKeyPair) {
    const unsigned char* p = psa_key_pair.data();
    key.reset(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(psa_key_pair.size())));
    if (!key || p != psa_key_pair.data() + psa_key_pair.size()) {
      ERR_clear_error();
      throw CliError("the exported RSA key pair is not a DER RSAPrivateKey");
    }
    if (pkcs1) {
      return pem_encode("RSA PRIVATE KEY", psa_key_pair);
    }
  } else if (attributes.type == KeyType::EccKeyPair) {
    if (pkcs1) {
      throw CliError("the PKCS#1 format does not support ECC keys");
    }
    const Curve& curve = curve_by_psa(attributes.family, attributes.bits);
    if (psa_key_pair.size() != (curve.bits + 7) / 8) {
      throw CliError("the exported ECC private key has " + std::to_string(psa_key_pair.size()) +
                     " bytes; expected " + std::to_string((curve.bits + 7) / 8));
    }
    SecretBn priv(BN_bin2bn(psa_key_pair.data(), static_cast<int>(psa_key_pair.size()), nullptr));
    std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve.nid));
    std::unique_ptr<EC_POINT, PointFree> pub(group ? EC_POINT_new(group.get()) : nullptr);
    std::unique_ptr<BN_CTX, BnCtxFree> bn_ctx(BN_CTX_secure_new());
    if (!priv || !pub || !bn_ctx ||
        EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
      throw CliError("cannot compute the ECC public key" + openssl_reason());
    }
    const Bytes point = uncompressed_point(group.get(), pub.get());
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(curve.nid), 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
      throw CliError("cannot build the ECC key" + openssl_reason());
    }
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* built = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &built, EVP_PKEY_KEYPAIR, params.get()) != 1) {
      throw CliError("cannot build the ECC key" + openssl_reason());
    }
    key.reset(built);
  } else {
    throw CliError(std::string("keys of type ") + client::key_type_name(attributes.type) +
                   " have no PEM private key format; use --psa");
  }
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> p8(EVP_PKEY2PKCS8(key.get()));
  if (!p8) {
    throw CliError("cannot encode the private key as PKCS#8" + openssl_reason());
  }
  const SecretBytes der = der_of(&i2d_PKCS8_PRIV_KEY_INFO, p8.get(), "the PKCS#8 key");
  return pem_encode("PRIVATE KEY", der.bytes());
}

}  // namespace parsec::cli
