// RSA_padding_check_PKCS1_OAEP_mgf1 is deprecated in OpenSSL 3 (with the
// rest of the low-level RSA API) but has no EVP replacement for padding
// alone; it is the library's constant-time OAEP decoder.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "providers/pkcs11/src/soft_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/random.h>

#include <cerrno>
#include <memory>

#include "parsec/crypto/hash.h"
#include "providers/pkcs11/src/mechanisms.h"

namespace parsec::provider::pkcs11::soft {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

// fetch_md returns the digest, or null when OpenSSL's default provider has
// none for this hash.
Ptr<EVP_MD> fetch_md(psa::Hash hash) {
  // The names come from the one hash table (parsec/crypto/hash.h).
  const crypto::HashFacts* facts = crypto::hash_facts(hash);
  return Ptr<EVP_MD>(facts != nullptr ? EVP_MD_fetch(nullptr, facts->openssl_name, nullptr) : nullptr);
}

int curve_nid(size_t bits) {
  switch (bits) {
    case 256:
      return NID_X9_62_prime256v1;
    case 384:
      return NID_secp384r1;
    case 521:
      return NID_secp521r1;
    default:
      return NID_undef;
  }
}

const char* curve_name(size_t bits) {
  switch (bits) {
    case 256:
      return "prime256v1";
    case 384:
      return "secp384r1";
    case 521:
      return "secp521r1";
    default:
      return nullptr;
  }
}

Ptr<EVP_PKEY> rsa_public(const Bytes& der) {
  const unsigned char* p = der.data();
  return Ptr<EVP_PKEY>(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace

bool digest_supported(psa::Hash hash) {
  return fetch_md(hash) != nullptr;
}

Result<Bytes> digest(psa::Hash hash, const Bytes& data) {
  Ptr<EVP_MD> md = fetch_md(hash);
  if (!md) {
    return Status::PsaErrorNotSupported;
  }
  Bytes out(static_cast<size_t>(EVP_MD_get_size(md.get())));
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, md.get(), nullptr) != 1) {
    return Status::PsaErrorGenericError;
  }
  out.resize(n);
  return out;
}

Status verify_ecdsa(size_t bits, const Bytes& point, const Bytes& hash, const Bytes& signature) {
  const char* group = curve_name(bits);
  size_t half = curve_bytes(bits);
  if (!group) {
    return Status::PsaErrorNotSupported;
  }
  if (signature.size() != 2 * half) {
    return Status::PsaErrorInvalidSignature;
  }
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> fctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !fctx || EVP_PKEY_fromdata_init(fctx.get()) != 1 ||
      EVP_PKEY_fromdata(fctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Status::PsaErrorGenericError;
  }
  Ptr<EVP_PKEY> key(raw);
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return Status::PsaErrorInsufficientMemory;
  }
  unsigned char* der_sig = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der_sig);
  if (der_len <= 0) {
    return Status::PsaErrorGenericError;
  }
  Ptr<EVP_PKEY_CTX> vctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  int ok = vctx && EVP_PKEY_verify_init(vctx.get()) == 1
               ? EVP_PKEY_verify(vctx.get(), der_sig, static_cast<size_t>(der_len), hash.data(), hash.size())
               : -1;
  OPENSSL_free(der_sig);
  return ok == 1 ? Status::Success : Status::PsaErrorInvalidSignature;
}

Status verify_rsa(const Bytes& rsa_public_der, RsaSigScheme scheme, psa::Hash scheme_hash, const Bytes& hash,
                  const Bytes& signature) {
  Ptr<EVP_PKEY> key = rsa_public(rsa_public_der);
  if (!key) {
    return Status::PsaErrorGenericError;
  }
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.get()))) {
    return Status::PsaErrorInvalidSignature;
  }
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return Status::PsaErrorGenericError;
  }
  Ptr<EVP_MD> md;
  if (scheme != RsaSigScheme::Pkcs1v15Raw) {
    md = fetch_md(scheme_hash);
    if (!md) {
      return Status::PsaErrorNotSupported;
    }
  }
  bool ok = true;
  switch (scheme) {
    case RsaSigScheme::Pkcs1v15:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx.get(), md.get()) == 1;
      break;
    case RsaSigScheme::Pkcs1v15Raw:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
      break;
    case RsaSigScheme::Pss:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx.get(), md.get()) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md.get()) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) == 1;
      break;
  }
  if (!ok) {
    return Status::PsaErrorNotSupported;
  }
  return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size()) == 1
             ? Status::Success
             : Status::PsaErrorInvalidSignature;
}

Result<Bytes> rsa_encrypt(const Bytes& rsa_public_der, bool oaep, psa::Hash hash, const Bytes& label,
                          const SecretBytes& plaintext) {
  Ptr<EVP_PKEY> key = rsa_public(rsa_public_der);
  if (!key) {
    return Status::PsaErrorGenericError;
  }
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1) {
    return Status::PsaErrorGenericError;
  }
  if (oaep) {
    Ptr<EVP_MD> md = fetch_md(hash);
    if (!md) {
      return Status::PsaErrorNotSupported;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md.get()) != 1) {
      return Status::PsaErrorNotSupported;
    }
    if (!label.empty()) {
      // set0 takes ownership of an OPENSSL_malloc'd copy.
      auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
      if (!copy || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) {
        OPENSSL_free(copy);
        return Status::PsaErrorInsufficientMemory;
      }
    }
  } else if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return Status::PsaErrorNotSupported;
  }
  size_t n = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &n, plaintext.data(), plaintext.size()) != 1) {
    return Status::PsaErrorInvalidArgument;
  }
  Bytes out(n);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &n, plaintext.data(), plaintext.size()) != 1) {
    return Status::PsaErrorInvalidArgument;  // plaintext too long for the key and padding
  }
  out.resize(n);
  return out;
}

Result<SecretBytes> oaep_decode(const SecretBytes& em, size_t modulus_len, psa::Hash hash, const Bytes& label) {
  Ptr<EVP_MD> md = fetch_md(hash);
  if (!md) {
    return Status::PsaErrorNotSupported;
  }
  if (em.size() > modulus_len || modulus_len > 2048) {
    return Status::PsaErrorInvalidPadding;
  }
  SecretBytes out(modulus_len);
  int n = RSA_padding_check_PKCS1_OAEP_mgf1(out.data(), static_cast<int>(out.size()), em.data(),
                                            static_cast<int>(em.size()), static_cast<int>(modulus_len), label.data(),
                                            static_cast<int>(label.size()), md.get(), md.get());
  if (n < 0) {
    return Status::PsaErrorInvalidPadding;
  }
  out.resize_down(static_cast<size_t>(n));
  return out;
}

Result<Bytes> ec_public_point(size_t bits, const SecretBytes& scalar) {
  int nid = curve_nid(bits);
  if (nid == NID_undef) {
    return Status::PsaErrorNotSupported;
  }
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(nid));
  Ptr<BN_CTX> bn(BN_CTX_new());
  Ptr<BIGNUM> d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  if (!group || !bn || !d) {
    return Status::PsaErrorInsufficientMemory;
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), order) >= 0) {
    return Status::PsaErrorInvalidArgument;
  }
  Ptr<EC_POINT> q(EC_POINT_new(group.get()));
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn.get()) != 1) {
    return Status::PsaErrorGenericError;
  }
  Bytes out(1 + 2 * curve_bytes(bits));
  size_t n = EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), bn.get());
  if (n != out.size()) {
    return Status::PsaErrorGenericError;
  }
  return out;
}

bool ec_point_valid(size_t bits, const Bytes& point) {
  int nid = curve_nid(bits);
  if (nid == NID_undef || point.size() != 1 + 2 * curve_bytes(bits) || point[0] != 0x04) {
    return false;
  }
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(nid));
  Ptr<BN_CTX> bn(BN_CTX_new());
  if (!group || !bn) {
    return false;
  }
  Ptr<EC_POINT> q(EC_POINT_new(group.get()));
  return q && EC_POINT_oct2point(group.get(), q.get(), point.data(), point.size(), bn.get()) == 1 &&
         EC_POINT_is_on_curve(group.get(), q.get(), bn.get()) == 1 && !EC_POINT_is_at_infinity(group.get(), q.get());
}

bool rsa_key_consistent(const SecretBytes& n, const SecretBytes& p, const SecretBytes& q) {
  Ptr<BN_CTX> bn(BN_CTX_new());
  Ptr<BIGNUM> bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  Ptr<BIGNUM> bn_p(BN_bin2bn(p.data(), static_cast<int>(p.size()), nullptr));
  Ptr<BIGNUM> bn_q(BN_bin2bn(q.data(), static_cast<int>(q.size()), nullptr));
  Ptr<BIGNUM> prod(BN_new());
  return bn && bn_n && bn_p && bn_q && prod && BN_mul(prod.get(), bn_p.get(), bn_q.get(), bn.get()) == 1 &&
         BN_cmp(prod.get(), bn_n.get()) == 0;
}

bool random_bytes(uint8_t* out, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = ::getrandom(out + off, n - off, 0);
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    off += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace parsec::provider::pkcs11::soft
