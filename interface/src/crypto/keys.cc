#include "parsec/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cstring>
#include <string_view>

#include "interface/src/crypto/ossl.h"
#include "parsec/crypto/import.h"

namespace parsec::crypto {
namespace {

using ossl::Ptr;
using psa::EccFamily;
using psa::KeyType;

// The one table of named curves with a PSA family.
constexpr Curve kCurves[] = {
    {EccFamily::SecpR1, 192, NID_X9_62_prime192v1, "prime192v1"},
    {EccFamily::SecpR1, 224, NID_secp224r1, "secp224r1"},
    {EccFamily::SecpR1, 256, NID_X9_62_prime256v1, "prime256v1"},
    {EccFamily::SecpR1, 384, NID_secp384r1, "secp384r1"},
    {EccFamily::SecpR1, 521, NID_secp521r1, "secp521r1"},
    {EccFamily::SecpK1, 192, NID_secp192k1, "secp192k1"},
    {EccFamily::SecpK1, 224, NID_secp224k1, "secp224k1"},
    {EccFamily::SecpK1, 256, NID_secp256k1, "secp256k1"},
    {EccFamily::SectK1, 233, NID_sect233k1, "sect233k1"},
    {EccFamily::SectK1, 283, NID_sect283k1, "sect283k1"},
    {EccFamily::SectK1, 409, NID_sect409k1, "sect409k1"},
    {EccFamily::SectK1, 571, NID_sect571k1, "sect571k1"},
    {EccFamily::SectR1, 233, NID_sect233r1, "sect233r1"},
    {EccFamily::SectR1, 283, NID_sect283r1, "sect283r1"},
    {EccFamily::SectR1, 409, NID_sect409r1, "sect409r1"},
    {EccFamily::SectR1, 571, NID_sect571r1, "sect571r1"},
    {EccFamily::BrainpoolPR1, 160, NID_brainpoolP160r1, "brainpoolP160r1"},
    {EccFamily::BrainpoolPR1, 192, NID_brainpoolP192r1, "brainpoolP192r1"},
    {EccFamily::BrainpoolPR1, 224, NID_brainpoolP224r1, "brainpoolP224r1"},
    {EccFamily::BrainpoolPR1, 256, NID_brainpoolP256r1, "brainpoolP256r1"},
    {EccFamily::BrainpoolPR1, 320, NID_brainpoolP320r1, "brainpoolP320r1"},
    {EccFamily::BrainpoolPR1, 384, NID_brainpoolP384r1, "brainpoolP384r1"},
    {EccFamily::BrainpoolPR1, 512, NID_brainpoolP512r1, "brainpoolP512r1"},
    {EccFamily::Montgomery, 255, NID_X25519, "X25519"},
    {EccFamily::Montgomery, 448, NID_X448, "X448"},
};

bool weierstrass(const Curve& c) {
  return c.family != EccFamily::Montgomery;
}

const Curve* curve_by_nid(int nid) {
  for (const Curve& c : kCurves) {
    if (c.nid == nid && weierstrass(c)) {
      return &c;
    }
  }
  return nullptr;
}

Failure unsupported_curve(EccFamily family, uint32_t bits) {
  return {Status::PsaErrorNotSupported, std::string("unsupported ECC curve: family ") + psa::ecc_family_name(family) +
                                            ", " + std::to_string(bits) + " bits"};
}

Failure invalid(std::string detail) {
  return {Status::PsaErrorInvalidArgument, std::move(detail)};
}

// der_of runs an i2d function into a wiped buffer.
template <typename I2d, typename T>
Result<SecretBytes> der_of(I2d i2d, T* object, const char* what) {
  unsigned char* out = nullptr;
  const int n = i2d(object, &out);
  if (n <= 0) {
    return invalid(std::string("cannot encode ") + what + ossl::reason());
  }
  SecretBytes der(out, static_cast<size_t>(n));
  OPENSSL_clear_free(out, static_cast<size_t>(n));
  return der;
}

Result<Bytes> uncompressed_point(const EC_GROUP* group, const EC_POINT* point) {
  const size_t n = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, nullptr);
  Bytes out(n);
  if (n == 0 || EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out.data(), n, nullptr) != n) {
    return invalid("cannot encode the public point" + ossl::reason());
  }
  return out;
}

Result<const Curve*> curve_of_key(const EVP_PKEY* key) {
  char name[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) {
    ERR_clear_error();
    return Failure(Status::PsaErrorNotSupported,
                   "the EC key has no named curve (explicit curve parameters are not supported)");
  }
  int nid = OBJ_txt2nid(name);
  if (nid == NID_undef) {
    nid = EC_curve_nist2nid(name);
  }
  const Curve* c = nid == NID_undef ? nullptr : curve_by_nid(nid);
  if (c == nullptr) {
    return Failure(Status::PsaErrorNotSupported, std::string("the curve ") + name + " has no PSA curve family");
  }
  return c;
}

// to_psa converts an OpenSSL key to the PSA import format.
Result<ParsedKey> to_psa(EVP_PKEY* key, bool is_private) {
  ParsedKey out;
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    out.type = is_private ? KeyType::RsaKeyPair : KeyType::RsaPublicKey;
    out.bits = static_cast<uint32_t>(EVP_PKEY_get_bits(key));
    // i2d_PrivateKey/i2d_PublicKey write the type-specific structures:
    // RSAPrivateKey and RSAPublicKey (PKCS #1), the PSA formats.
    auto der = is_private ? der_of(&i2d_PrivateKey, key, "the RSA private key")
                          : der_of(&i2d_PublicKey, key, "the RSA public key");
    PARSEC_TRY(der);
    out.data = std::move(der).value();
    return out;
  }
  if (id == EVP_PKEY_EC) {
    auto found = curve_of_key(key);
    PARSEC_TRY(found);
    const Curve& curve = **found;
    out.type = is_private ? KeyType::EccKeyPair : KeyType::EccPublicKey;
    out.family = curve.family;
    out.bits = curve.bits;
    if (is_private) {
      BIGNUM* raw = nullptr;
      if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
        return invalid("cannot read the EC private key" + ossl::reason());
      }
      Ptr<BIGNUM> priv(raw);
      SecretBytes scalar(curve.field_bytes());
      if (BN_bn2binpad(priv.get(), scalar.data(), static_cast<int>(scalar.size())) < 0) {
        return invalid("the EC private key is larger than its curve");
      }
      out.data = std::move(scalar);
    } else {
      // Whatever point format the file used, PSA takes the uncompressed one.
      size_t len = 0;
      if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1) {
        return invalid("cannot read the EC public key" + ossl::reason());
      }
      Bytes encoded(len);
      if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), len, &len) != 1) {
        return invalid("cannot read the EC public key" + ossl::reason());
      }
      Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve.nid));
      Ptr<EC_POINT> point(group ? EC_POINT_new(group.get()) : nullptr);
      if (!point || EC_POINT_oct2point(group.get(), point.get(), encoded.data(), len, nullptr) != 1) {
        return invalid("invalid EC public point" + ossl::reason());
      }
      auto u = uncompressed_point(group.get(), point.get());
      PARSEC_TRY(u);
      out.data = SecretBytes(std::move(u).value());
    }
    return out;
  }
  const char* name = OBJ_nid2sn(id);
  return Failure(Status::PsaErrorNotSupported, std::string("unsupported key algorithm ") +
                                                   (name != nullptr ? name : "(unknown)") +
                                                   " (RSA and elliptic curve keys only)");
}

// parse_der decodes `der` as the structure `label` names, or (empty label)
// as any supported private then public structure. Returns null if it is none.
Ptr<EVP_PKEY> parse_der(const std::string& label, const unsigned char* der, long len, bool* is_private) {
  auto whole = [&](auto decode) -> Ptr<EVP_PKEY> {
    const unsigned char* p = der;
    Ptr<EVP_PKEY> key(decode(&p));
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
    if (Ptr<EVP_PKEY> k = whole(auto_private)) {
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
    if (Ptr<EVP_PKEY> k = whole(spki)) {
      return k;
    }
    return whole(rsa_public);
  }
  return nullptr;
}

Result<ParsedKey> parse_pem(const Bytes& contents) {
  Ptr<BIO> bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
  if (!bio) {
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory");
  }
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      ERR_clear_error();
      return invalid("no key found in the PEM input");
    }
    const std::string label(name);
    const bool encrypted = std::strstr(header, "ENCRYPTED") != nullptr;
    OPENSSL_free(name);
    OPENSSL_free(header);
    struct Clear {
      unsigned char* p;
      long n;
      ~Clear() { OPENSSL_clear_free(p, static_cast<size_t>(n)); }
    } clear_data{data, len};
    if (label == "EC PARAMETERS") {
      continue;
    }
    if (label == "ENCRYPTED PRIVATE KEY" || encrypted) {
      return Failure(Status::PsaErrorNotSupported,
                     "encrypted private keys are not supported; decrypt the key first (e.g. openssl pkey -in FILE)");
    }
    static const char* const kLabels[] = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY",
                                          "RSA PUBLIC KEY"};
    bool known = false;
    for (const char* l : kLabels) {
      known = known || label == l;
    }
    if (!known) {
      return invalid("unsupported PEM block \"" + label + "\" (expected a private or public key)");
    }
    bool is_private = false;
    Ptr<EVP_PKEY> key = parse_der(label, data, len, &is_private);
    if (!key) {
      return invalid("malformed PEM block \"" + label + "\"");
    }
    return to_psa(key.get(), is_private);
  }
}

// spki builds SubjectPublicKeyInfo { algorithm { oid, parameters }, key } with
// the key bytes unchanged. It takes ownership of `param` (may be null).
Result<Bytes> spki(ASN1_OBJECT* algorithm, int param_type, ASN1_OBJECT* param, const Bytes& key) {
  Ptr<ASN1_OBJECT> owned_param(param);
  Ptr<X509_PUBKEY> pub(X509_PUBKEY_new());
  if (!pub) {
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory");
  }
  // X509_PUBKEY_set0_param takes ownership of the key buffer on success.
  auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(key.empty() ? 1 : key.size()));
  if (buf == nullptr) {
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory");
  }
  std::copy(key.begin(), key.end(), buf);
  if (X509_PUBKEY_set0_param(pub.get(), algorithm, param_type, owned_param.get(), buf, static_cast<int>(key.size())) !=
      1) {
    OPENSSL_free(buf);
    return invalid("cannot build the SubjectPublicKeyInfo" + ossl::reason());
  }
  static_cast<void>(owned_param.release());  // the X509_PUBKEY owns it now
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(pub.get(), &der);
  if (len <= 0) {
    return invalid("cannot encode the SubjectPublicKeyInfo" + ossl::reason());
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<Curve> curve_of(EccFamily family, uint32_t bits) {
  for (const Curve& c : kCurves) {
    if (c.family == family && c.bits == bits) {
      return c;
    }
  }
  return unsupported_curve(family, bits);
}

Result<std::string> curve_oid(EccFamily family, uint32_t bits) {
  auto c = curve_of(family, bits);
  PARSEC_TRY(c);
  if (!weierstrass(*c)) {
    return unsupported_curve(family, bits);
  }
  char text[64] = {};
  if (OBJ_obj2txt(text, sizeof text, OBJ_nid2obj(c->nid), 1) <= 0) {
    return Failure(Status::PsaErrorNotSupported, std::string("OpenSSL has no OID for ") + c->name);
  }
  return std::string(text);
}

std::string pem_encode(const std::string& label, const Bytes& der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der.data(), static_cast<int>(der.size()));
  b64.resize(static_cast<size_t>(n));
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
  wipe(b64);
  return out;
}

Result<Bytes> rsa_spki(const Bytes& rsa_public_key) {
  // Parse first, so that garbage is not wrapped.
  const unsigned char* p = rsa_public_key.data();
  Ptr<EVP_PKEY> key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(rsa_public_key.size())));
  if (!key || p != rsa_public_key.data() + rsa_public_key.size()) {
    ERR_clear_error();
    return invalid("the exported RSA public key is not a DER RSAPublicKey");
  }
  return spki(OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr, rsa_public_key);
}

Result<Bytes> ecc_spki(EccFamily family, uint32_t bits, const Bytes& point) {
  auto c = curve_of(family, bits);
  PARSEC_TRY(c);
  if (!weierstrass(*c)) {
    if (point.size() != c->field_bytes()) {
      return invalid("a " + std::string(c->name) + " public key has " + std::to_string(c->field_bytes()) + " bytes");
    }
    // RFC 8410: the algorithm identifier has no parameters.
    return spki(OBJ_nid2obj(c->nid), V_ASN1_UNDEF, nullptr, point);
  }
  // An SPKI is a claim that this is a public key: refuse bytes that are not
  // an uncompressed point on the curve rather than wrap them.
  PARSEC_TRY(check_ecc_point(family, bits, point));
  ASN1_OBJECT* curve = OBJ_dup(OBJ_nid2obj(c->nid));
  if (curve == nullptr) {
    return Failure(Status::PsaErrorNotSupported, "cannot encode the curve OID");
  }
  return spki(OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, curve, point);
}

Result<Bytes> public_key_spki(const psa::KeyAttributes& attributes, const Bytes& psa_public_key) {
  if (psa::is_rsa_key_type(attributes.type)) {
    return rsa_spki(psa_public_key);
  }
  if (psa::is_ecc_key_type(attributes.type)) {
    return ecc_spki(attributes.family, attributes.bits, psa_public_key);
  }
  return Failure(Status::PsaErrorNotSupported, std::string("keys of type ") + psa::key_type_name(attributes.type) +
                                                   " have no exportable public key format");
}

Result<std::string> public_key_pem(const psa::KeyAttributes& attributes, const Bytes& psa_public_key, bool pkcs1) {
  if (pkcs1) {
    if (!psa::is_rsa_key_type(attributes.type)) {
      if (psa::is_ecc_key_type(attributes.type)) {
        return Failure(Status::PsaErrorNotSupported, "the PKCS#1 format does not support ECC keys");
      }
      return Failure(Status::PsaErrorNotSupported, std::string("the PKCS#1 format does not support keys of type ") +
                                                       psa::key_type_name(attributes.type));
    }
    return pem_encode("RSA PUBLIC KEY", psa_public_key);
  }
  auto der = public_key_spki(attributes, psa_public_key);
  PARSEC_TRY(der);
  return pem_encode("PUBLIC KEY", *der);
}

Result<std::string> private_key_pem(const psa::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1) {
  Ptr<EVP_PKEY> key;
  if (attributes.type == KeyType::RsaKeyPair) {
    const unsigned char* p = psa_key_pair.data();
    key.reset(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(psa_key_pair.size())));
    if (!key || p != psa_key_pair.data() + psa_key_pair.size()) {
      ERR_clear_error();
      return invalid("the exported RSA key pair is not a DER RSAPrivateKey");
    }
    if (pkcs1) {
      return pem_encode("RSA PRIVATE KEY", psa_key_pair);
    }
  } else if (attributes.type == KeyType::EccKeyPair) {
    if (pkcs1) {
      return Failure(Status::PsaErrorNotSupported, "the PKCS#1 format does not support ECC keys");
    }
    auto found = curve_of(attributes.family, attributes.bits);
    PARSEC_TRY(found);
    const Curve& curve = *found;
    if (!weierstrass(curve)) {
      return unsupported_curve(attributes.family, attributes.bits);
    }
    if (psa_key_pair.size() != curve.field_bytes()) {
      return invalid("the exported ECC private key has " + std::to_string(psa_key_pair.size()) + " bytes; expected " +
                     std::to_string(curve.field_bytes()));
    }
    Ptr<BIGNUM> priv(BN_bin2bn(psa_key_pair.data(), static_cast<int>(psa_key_pair.size()), nullptr));
    Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve.nid));
    Ptr<EC_POINT> pub(group ? EC_POINT_new(group.get()) : nullptr);
    Ptr<BN_CTX> bn_ctx(BN_CTX_secure_new());
    if (!priv || !pub || !bn_ctx ||
        EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
      return invalid("cannot compute the ECC public key" + ossl::reason());
    }
    auto point = uncompressed_point(group.get(), pub.get());
    PARSEC_TRY(point);
    Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(curve.nid), 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point->data(), point->size()) != 1) {
      return invalid("cannot build the ECC key" + ossl::reason());
    }
    Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
    Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* built = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &built, EVP_PKEY_KEYPAIR, params.get()) != 1) {
      return invalid("cannot build the ECC key" + ossl::reason());
    }
    key.reset(built);
  } else {
    return Failure(Status::PsaErrorNotSupported, std::string("keys of type ") + psa::key_type_name(attributes.type) +
                                                     " have no PEM private key format; use --psa");
  }
  Ptr<PKCS8_PRIV_KEY_INFO> p8(EVP_PKEY2PKCS8(key.get()));
  if (!p8) {
    return invalid("cannot encode the private key as PKCS#8" + ossl::reason());
  }
  auto der = der_of(&i2d_PKCS8_PRIV_KEY_INFO, p8.get(), "the PKCS#8 key");
  PARSEC_TRY(der);
  return pem_encode("PRIVATE KEY", der->bytes());
}

Result<ParsedKey> parse_key_file(const Bytes& contents) {
  if (contents.empty()) {
    return invalid("the key file is empty");
  }
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  if (text.find("-----BEGIN ") != std::string_view::npos) {
    return parse_pem(contents);
  }
  bool is_private = false;
  Ptr<EVP_PKEY> key = parse_der("", contents.data(), static_cast<long>(contents.size()), &is_private);
  if (!key) {
    return invalid(
        "the input is neither a PEM key nor an unencrypted DER key (PKCS#8, RSAPrivateKey, ECPrivateKey, "
        "SubjectPublicKeyInfo or RSAPublicKey)");
  }
  return to_psa(key.get(), is_private);
}

}  // namespace parsec::crypto
