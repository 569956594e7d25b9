#include "parsec/crypto/import.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>

#include <algorithm>
#include <string>

#include "interface/src/crypto/ossl.h"
#include "parsec/crypto/keys.h"

namespace parsec::crypto {
namespace {

using ossl::Ptr;

Failure invalid(std::string detail) {
  return {Status::PsaErrorInvalidArgument, std::move(detail)};
}

// same_der: `der` is exactly what OpenSSL writes for the object it decoded
// from it, so that only strict DER (minimal lengths and INTEGERs, no
// negative values, nothing after the structure) is accepted.
template <typename I2d, typename T>
bool same_der(I2d i2d, T* object, const uint8_t* der, size_t n) {
  unsigned char* out = nullptr;
  const int len = i2d(object, &out);
  const bool same = len > 0 && static_cast<size_t>(len) == n && std::equal(der, der + n, out);
  if (len > 0) {
    OPENSSL_clear_free(out, static_cast<size_t>(len));
  }
  return same;
}

// magnitude reads a BIGNUM parameter as a big-endian magnitude (empty for 0).
template <typename Out>
bool magnitude(const EVP_PKEY* key, const char* name, Out& out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    ERR_clear_error();
    return false;
  }
  Ptr<BIGNUM> bn(raw);
  Out value(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), value.data());
  out = std::move(value);
  return true;
}

Result<Curve> weierstrass_curve(psa::EccFamily family, uint32_t bits) {
  auto c = curve_of(family, bits);
  PARSEC_TRY(c);
  if (c->family == psa::EccFamily::Montgomery) {
    return Failure(Status::PsaErrorNotSupported, std::string(c->name) + " is not a Weierstrass curve");
  }
  return c;
}

}  // namespace

size_t bit_length(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] == 0) {
    ++i;
  }
  if (i == n) {
    return 0;
  }
  size_t bits = (n - i - 1) * 8;
  for (uint8_t top = p[i]; top != 0; top = static_cast<uint8_t>(top >> 1)) {
    ++bits;
  }
  return bits;
}

Result<RsaPublicKey> parse_rsa_public_key(const uint8_t* p, size_t n) {
  const unsigned char* q = p;
  Ptr<EVP_PKEY> key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &q, static_cast<long>(n)));
  ERR_clear_error();
  if (!key || q != p + n || !same_der(&i2d_PublicKey, key.get(), p, n)) {
    return invalid("the data is not a DER RSAPublicKey");
  }
  RsaPublicKey out;
  if (!magnitude(key.get(), OSSL_PKEY_PARAM_RSA_N, out.modulus) ||
      !magnitude(key.get(), OSSL_PKEY_PARAM_RSA_E, out.exponent) || out.modulus.empty() || out.exponent.empty()) {
    return invalid("the RSAPublicKey has a zero modulus or exponent");
  }
  out.bits = static_cast<uint32_t>(bit_length(out.modulus.data(), out.modulus.size()));
  return out;
}

Result<RsaPrivateKey> parse_rsa_private_key(const uint8_t* p, size_t n) {
  const unsigned char* q = p;
  Ptr<EVP_PKEY> key(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &q, static_cast<long>(n)));
  ERR_clear_error();
  if (!key || q != p + n || !same_der(&i2d_PrivateKey, key.get(), p, n)) {
    return invalid("the data is not a DER RSAPrivateKey");
  }
  // version 0 (two primes): the first element of the SEQUENCE is INTEGER 0.
  // Only the (public) headers are read, by OpenSSL's TLV parser.
  const unsigned char* v = p;
  long len = 0;
  int tag = 0;
  int cls = 0;
  const bool seq_ok = (ASN1_get_object(&v, &len, &tag, &cls, static_cast<long>(n)) & 0x80) == 0;
  const bool ver_ok = seq_ok && (ASN1_get_object(&v, &len, &tag, &cls, static_cast<long>(p + n - v)) & 0x80) == 0 &&
                      tag == V_ASN1_INTEGER && len == 1 && v[0] == 0;
  ERR_clear_error();
  if (!ver_ok) {
    return invalid("only two-prime RSAPrivateKey (version 0) keys are supported");
  }
  RsaPrivateKey out;
  const struct {
    const char* name;
    SecretBytes* field;
  } parts[] = {{OSSL_PKEY_PARAM_RSA_N, &out.modulus},           {OSSL_PKEY_PARAM_RSA_E, &out.public_exponent},
               {OSSL_PKEY_PARAM_RSA_D, &out.private_exponent},  {OSSL_PKEY_PARAM_RSA_FACTOR1, &out.prime1},
               {OSSL_PKEY_PARAM_RSA_FACTOR2, &out.prime2},      {OSSL_PKEY_PARAM_RSA_EXPONENT1, &out.exponent1},
               {OSSL_PKEY_PARAM_RSA_EXPONENT2, &out.exponent2}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &out.coefficient}};
  for (const auto& part : parts) {
    if (!magnitude(key.get(), part.name, *part.field) || part.field->empty()) {
      return invalid(std::string("the RSAPrivateKey has no or a zero ") + part.name);
    }
  }
  out.bits = static_cast<uint32_t>(bit_length(out.modulus.data(), out.modulus.size()));
  return out;
}

Result<Bytes> rsa_public_key_der(const uint8_t* modulus, size_t modulus_size, const uint8_t* exponent,
                                 size_t exponent_size) {
  Ptr<BIGNUM> nb(BN_bin2bn(modulus, static_cast<int>(modulus_size), nullptr));
  Ptr<BIGNUM> eb(BN_bin2bn(exponent, static_cast<int>(exponent_size), nullptr));
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!nb || !eb || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, nb.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, eb.get()) != 1) {
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory" + ossl::reason());
  }
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* built = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &built, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return invalid("cannot build the RSA public key" + ossl::reason());
  }
  Ptr<EVP_PKEY> key(built);
  unsigned char* der = nullptr;
  const int len = i2d_PublicKey(key.get(), &der);
  if (len <= 0) {
    return invalid("cannot encode the RSAPublicKey" + ossl::reason());
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Outcome check_ecc_point(psa::EccFamily family, uint32_t bits, const Bytes& point) {
  auto c = curve_of(family, bits);
  PARSEC_TRY(c);
  if (c->family == psa::EccFamily::Montgomery) {
    if (point.size() != c->field_bytes()) {
      return invalid(std::string("a ") + c->name + " public key has " + std::to_string(c->field_bytes()) + " bytes");
    }
    return Status::Success;
  }
  if (point.size() != 1 + 2 * c->field_bytes() || point[0] != 0x04) {
    return invalid(std::string("not an uncompressed ") + c->name + " point");
  }
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(c->nid));
  Ptr<EC_POINT> pt(group ? EC_POINT_new(group.get()) : nullptr);
  if (!pt) {
    return Failure(Status::PsaErrorNotSupported, std::string("OpenSSL lacks the curve ") + c->name + ossl::reason());
  }
  // oct2point checks that the point is on the curve.
  if (EC_POINT_oct2point(group.get(), pt.get(), point.data(), point.size(), nullptr) != 1 ||
      EC_POINT_is_at_infinity(group.get(), pt.get()) == 1) {
    return invalid(std::string("the point is not on ") + c->name + ossl::reason());
  }
  return Status::Success;
}

Result<Bytes> ecc_public_point(psa::EccFamily family, uint32_t bits, const SecretBytes& scalar) {
  auto c = weierstrass_curve(family, bits);
  PARSEC_TRY(c);
  if (scalar.size() != c->field_bytes()) {
    return invalid("a " + std::string(c->name) + " private key has " + std::to_string(c->field_bytes()) + " bytes");
  }
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(c->nid));
  Ptr<BIGNUM> d(BN_secure_new());
  Ptr<EC_POINT> q(group ? EC_POINT_new(group.get()) : nullptr);
  Ptr<BN_CTX> ctx(BN_CTX_secure_new());
  if (!group || !d || !q || !ctx || BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get()) == nullptr) {
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory" + ossl::reason());
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return invalid("the private value is not in [1, n-1] for " + std::string(c->name));
  }
  if (EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, ctx.get()) != 1) {
    return Failure(Status::PsaErrorGenericError, "cannot compute the public point" + ossl::reason());
  }
  Bytes out(1 + 2 * c->field_bytes());
  if (EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), ctx.get()) !=
      out.size()) {
    return Failure(Status::PsaErrorGenericError, "cannot encode the public point" + ossl::reason());
  }
  return out;
}

Result<Bytes> ec_params(psa::EccFamily family, uint32_t bits) {
  auto c = weierstrass_curve(family, bits);
  PARSEC_TRY(c);
  const ASN1_OBJECT* obj = OBJ_nid2obj(c->nid);
  const int n = obj != nullptr ? i2d_ASN1_OBJECT(obj, nullptr) : 0;
  if (n <= 0) {
    return Failure(Status::PsaErrorNotSupported, std::string("OpenSSL has no OID for ") + c->name);
  }
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_ASN1_OBJECT(obj, &p);
  return out;
}

Bytes octet_string(const Bytes& content) {
  Ptr<ASN1_OCTET_STRING> os(ASN1_OCTET_STRING_new());
  if (!os || ASN1_OCTET_STRING_set(os.get(), content.data(), static_cast<int>(content.size())) != 1) {
    ERR_clear_error();
    return {};
  }
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_OCTET_STRING(os.get(), &der);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> unwrap_octet_string(const uint8_t* p, size_t n) {
  const unsigned char* q = p;
  Ptr<ASN1_OCTET_STRING> os(d2i_ASN1_OCTET_STRING(nullptr, &q, static_cast<long>(n)));
  ERR_clear_error();
  if (!os || q != p + n || !same_der(&i2d_ASN1_OCTET_STRING, os.get(), p, n)) {
    return invalid("not a DER OCTET STRING");
  }
  const unsigned char* c = ASN1_STRING_get0_data(os.get());
  return Bytes(c, c + ASN1_STRING_length(os.get()));
}

Outcome check_import_size(const psa::KeyAttributes& a, const SecretBytes& data) {
  if (a.bits == 0) {
    return Outcome();
  }
  const size_t bytes = (static_cast<size_t>(a.bits) + 7) / 8;
  const auto mismatch = [&](const std::string& held) {
    return Failure(Status::PsaErrorInvalidArgument,
                   "the key is declared as " + std::to_string(a.bits) + " bits but the data holds " + held);
  };
  switch (a.type) {
    case psa::KeyType::RsaPublicKey: {
      auto k = parse_rsa_public_key(data.data(), data.size());
      PARSEC_TRY(k);
      return k->bits == a.bits ? Outcome() : mismatch("a " + std::to_string(k->bits) + "-bit RSA public key");
    }
    case psa::KeyType::RsaKeyPair: {
      auto k = parse_rsa_private_key(data.data(), data.size());
      PARSEC_TRY(k);
      return k->bits == a.bits ? Outcome() : mismatch("a " + std::to_string(k->bits) + "-bit RSA key pair");
    }
    case psa::KeyType::EccKeyPair:
      return data.size() == bytes ? Outcome() : mismatch("a " + std::to_string(data.size()) + "-byte private value");
    case psa::KeyType::EccPublicKey: {
      const size_t want = a.family == psa::EccFamily::Montgomery ? bytes : 1 + 2 * bytes;
      return data.size() == want ? Outcome() : mismatch("a " + std::to_string(data.size()) + "-byte public key");
    }
    case psa::KeyType::DhKeyPair:
    case psa::KeyType::DhPublicKey:
    case psa::KeyType::None:
      return Outcome();
    default:
      return data.size() * 8 == a.bits ? Outcome()
                                       : mismatch(std::to_string(data.size() * 8) + " bits of key material");
  }
}

}  // namespace parsec::crypto
