// openssl-provider/src/signature.cc - SIGNATURE for ECDSA and RSA (PKCS#1 v1.5
// and PSS) with Parsec keys. Signing a digest (EVP_PKEY_sign) and signing a
// message (EVP_DigestSign*: hashed here with the default provider) both end in
// exactly one PsaSignHash request; ECDSA signatures come back DER-encoded as
// X.509 and TLS want them. Verification uses the cached public key locally.
// The PSS salt is always the digest length (what PSA's RSA_PSS produces and
// TLS 1.3 requires); other explicit salt lengths are refused.
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstring>
#include <vector>

#include "openssl-provider/src/provider.h"

namespace parsec::ossl {
namespace {

using client::Algorithm;
using client::Bytes;
using client::Hash;

struct SigCtx {
  ProvCtx* prov = nullptr;
  std::shared_ptr<KeyState> st;
  std::string md;  // canonical digest name ("SHA256"); empty: from the digest length
  int pad = RSA_PKCS1_PADDING;
  int saltlen = RSA_PSS_SALTLEN_DIGEST;
  EVP_MD_CTX* mdctx = nullptr;  // digest-sign/verify in progress
};

struct HashInfo {
  Hash hash;
  const char* name;
  size_t len;
  unsigned char oid_last;    // 2.16.840.1.101.3.4.2.x
  unsigned char ecdsa_last;  // 1.2.840.10045.4.3.x
  unsigned char rsa_last;    // 1.2.840.113549.1.1.x
};
const HashInfo kHashes[] = {{Hash::Sha224, "SHA224", 28, 4, 1, 14},
                            {Hash::Sha256, "SHA256", 32, 1, 2, 11},
                            {Hash::Sha384, "SHA384", 48, 2, 3, 12},
                            {Hash::Sha512, "SHA512", 64, 3, 4, 13}};

const HashInfo* hash_by_name(ProvCtx* prov, const std::string& name) {
  EVP_MD* md = EVP_MD_fetch(prov->libctx, name.c_str(), nullptr);
  if (md == nullptr) {
    return nullptr;
  }
  const HashInfo* found = nullptr;
  for (const HashInfo& h : kHashes) {
    if (EVP_MD_is_a(md, h.name)) {
      found = &h;
    }
  }
  EVP_MD_free(md);
  return found;
}

const HashInfo* hash_by_len(size_t len) {
  for (const HashInfo& h : kHashes) {
    if (h.len == len) {
      return &h;
    }
  }
  return nullptr;
}

Bytes tlv(unsigned char tag, const Bytes& content) {
  Bytes out{tag};
  const size_t n = content.size();
  if (n < 128) {
    out.push_back(static_cast<unsigned char>(n));
  } else {
    out.push_back(0x81);
    out.push_back(static_cast<unsigned char>(n));
  }
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

// algorithm_id: the DER AlgorithmIdentifier X.509/CSR signing needs.
Bytes algorithm_id(const SigCtx* c, const HashInfo& h) {
  if (c->st->is_ec) {
    return tlv(0x30, tlv(0x06, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, h.ecdsa_last}));
  }
  if (c->pad == RSA_PKCS1_PADDING) {
    return tlv(0x30, cat({tlv(0x06, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, h.rsa_last}), {0x05, 0x00}}));
  }
  const Bytes hash_alg = tlv(0x30, tlv(0x06, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, h.oid_last}));
  const Bytes mgf1 = tlv(0x30, cat({tlv(0x06, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08}), hash_alg}));
  const Bytes params =
      tlv(0x30, cat({tlv(0xa0, hash_alg), tlv(0xa1, mgf1), tlv(0xa2, tlv(0x02, {static_cast<unsigned char>(h.len)}))}));
  return tlv(0x30, cat({tlv(0x06, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}), params}));
}

const HashInfo* current_hash(SigCtx* c, size_t digest_len) {
  const HashInfo* h = c->md.empty() ? hash_by_len(digest_len) : hash_by_name(c->prov, c->md);
  if (h == nullptr || h->len != digest_len) {
    raise(c->prov, kReasonUnsupported, "digest of %zu bytes with '%s' (SHA-224/256/384/512 only)", digest_len,
          c->md.c_str());
    return nullptr;
  }
  return h;
}

int sign_digest(SigCtx* c, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
                size_t tbslen) {
  const int max = EVP_PKEY_get_size(c->st->pub);
  if (sig == nullptr) {
    *siglen = static_cast<size_t>(max);
    return 1;
  }
  if (!c->st->has_private) {
    raise(c->prov, kReasonNoPrivateKey, "signing needs a key loaded from parsecd");
    return 0;
  }
  const HashInfo* h = current_hash(c, tbslen);
  if (h == nullptr) {
    return 0;
  }
  Algorithm alg;
  if (c->st->is_ec) {
    const Algorithm& policy = c->st->key->attributes().policy;
    if (policy.kind() == client::AlgorithmKind::EcdsaAny) {
      alg = Algorithm::ecdsa_any();
    } else if (policy.kind() == client::AlgorithmKind::DeterministicEcdsa) {
      alg = Algorithm::deterministic_ecdsa(h->hash);
    } else {
      alg = Algorithm::ecdsa(h->hash);
    }
  } else if (c->pad == RSA_PKCS1_PSS_PADDING) {
    alg = Algorithm::rsa_pss(h->hash);
  } else if (c->pad == RSA_PKCS1_PADDING) {
    alg = Algorithm::rsa_pkcs1v15_sign(h->hash);
  } else {
    raise(c->prov, kReasonUnsupported, "RSA padding mode %d for signing (pkcs1 or pss only)", c->pad);
    return 0;
  }
  try {
    const Bytes out = c->st->key->sign_hash(Bytes(tbs, tbs + tbslen), alg, client::SignatureFormat::Der);
    if (out.size() > sigsize) {
      raise(c->prov, kReasonInternal, "signature buffer too small");
      return 0;
    }
    std::memcpy(sig, out.data(), out.size());
    *siglen = out.size();
    return 1;
  } catch (const client::Error& e) {
    raise_client(c->prov, c->st->uri, e);
  } catch (const std::exception& e) {
    raise(c->prov, kReasonInternal, "%s", e.what());
  }
  return 0;
}

int verify_digest(SigCtx* c, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  const HashInfo* h = current_hash(c, tbslen);
  if (h == nullptr) {
    return 0;
  }
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_pkey(c->prov->libctx, c->st->pub, nullptr);
  EVP_MD* md = EVP_MD_fetch(c->prov->libctx, h->name, nullptr);
  int ok = pctx != nullptr && md != nullptr && EVP_PKEY_verify_init(pctx) == 1 &&
           EVP_PKEY_CTX_set_signature_md(pctx, md) == 1;
  if (ok && !c->st->is_ec) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, c->pad) == 1 &&
         (c->pad != RSA_PKCS1_PSS_PADDING || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
  }
  ok = ok && EVP_PKEY_verify(pctx, sig, siglen, tbs, tbslen) == 1;
  EVP_MD_free(md);
  EVP_PKEY_CTX_free(pctx);
  return ok ? 1 : 0;
}

void* sig_newctx(void* provctx, const char*) {
  auto* c = new SigCtx;
  c->prov = static_cast<ProvCtx*>(provctx);
  return c;
}

void sig_freectx(void* vctx) {
  auto* c = static_cast<SigCtx*>(vctx);
  EVP_MD_CTX_free(c->mdctx);
  delete c;
}

void* sig_dupctx(void* vctx) {
  auto* c = static_cast<SigCtx*>(vctx);
  auto* d = new SigCtx(*c);
  d->mdctx = nullptr;
  if (c->mdctx != nullptr) {
    d->mdctx = EVP_MD_CTX_new();
    if (d->mdctx == nullptr || EVP_MD_CTX_copy_ex(d->mdctx, c->mdctx) != 1) {
      sig_freectx(d);
      return nullptr;
    }
  }
  return d;
}

int sig_set_ctx_params(void* vctx, const OSSL_PARAM params[]);

int sig_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<SigCtx*>(vctx);
  if (provkey != nullptr) {
    c->st = static_cast<KeyObj*>(provkey)->st;
  }
  if (!c->st || c->st->pub == nullptr) {
    return 0;
  }
  if (!c->st->is_ec && c->st->has_private && c->md.empty()) {
    // A PSS key policy selects PSS by default (openssl pkeyutl/req without -pkeyopt).
    if (c->st->key->attributes().policy.kind() == client::AlgorithmKind::RsaPss) {
      c->pad = RSA_PKCS1_PSS_PADDING;
    }
  }
  return sig_set_ctx_params(c, params);
}

int sig_sign(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs, size_t tbslen) {
  return sign_digest(static_cast<SigCtx*>(vctx), sig, siglen, sigsize, tbs, tbslen);
}

int sig_verify(void* vctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  return verify_digest(static_cast<SigCtx*>(vctx), sig, siglen, tbs, tbslen);
}

int sig_digest_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<SigCtx*>(vctx);
  if (!sig_init(vctx, provkey, nullptr)) {
    return 0;
  }
  std::string name = mdname != nullptr && *mdname != '\0' ? mdname : "";
  if (name.empty()) {
    char deflt[64] = {0};
    name = EVP_PKEY_get_default_digest_name(c->st->pub, deflt, sizeof deflt) > 0 ? deflt : "SHA256";
  }
  const HashInfo* h = hash_by_name(c->prov, name);
  if (h == nullptr) {
    raise(c->prov, kReasonUnsupported, "digest '%s' (SHA-224/256/384/512 only)", name.c_str());
    return 0;
  }
  c->md = h->name;
  EVP_MD_CTX_free(c->mdctx);
  c->mdctx = EVP_MD_CTX_new();
  EVP_MD* md = EVP_MD_fetch(c->prov->libctx, h->name, nullptr);
  const int ok = c->mdctx != nullptr && md != nullptr && EVP_DigestInit_ex2(c->mdctx, md, nullptr) == 1;
  EVP_MD_free(md);
  return ok && sig_set_ctx_params(c, params);
}

int sig_digest_update(void* vctx, const unsigned char* data, size_t len) {
  auto* c = static_cast<SigCtx*>(vctx);
  return c->mdctx != nullptr && EVP_DigestUpdate(c->mdctx, data, len) == 1;
}

int finish_digest(SigCtx* c, unsigned char* out, unsigned int* len) {
  return c->mdctx != nullptr && EVP_DigestFinal_ex(c->mdctx, out, len) == 1;
}

int sig_digest_sign_final(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* c = static_cast<SigCtx*>(vctx);
  if (sig == nullptr) {
    return sign_digest(c, nullptr, siglen, 0, nullptr, 0);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  return finish_digest(c, digest, &dlen) && sign_digest(c, sig, siglen, sigsize, digest, dlen);
}

int sig_digest_sign(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
                    size_t tbslen) {
  auto* c = static_cast<SigCtx*>(vctx);
  if (sig == nullptr) {
    return sign_digest(c, nullptr, siglen, 0, nullptr, 0);
  }
  return sig_digest_update(c, tbs, tbslen) && sig_digest_sign_final(c, sig, siglen, sigsize);
}

int sig_digest_verify_final(void* vctx, const unsigned char* sig, size_t siglen) {
  auto* c = static_cast<SigCtx*>(vctx);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  return finish_digest(c, digest, &dlen) && verify_digest(c, sig, siglen, digest, dlen);
}

const char* pad_name(int pad) {
  switch (pad) {
    case RSA_PKCS1_PADDING:
      return OSSL_PKEY_RSA_PAD_MODE_PKCSV15;
    case RSA_PKCS1_PSS_PADDING:
      return OSSL_PKEY_RSA_PAD_MODE_PSS;
    case RSA_PKCS1_OAEP_PADDING:
      return OSSL_PKEY_RSA_PAD_MODE_OAEP;
    case RSA_NO_PADDING:
      return OSSL_PKEY_RSA_PAD_MODE_NONE;
    default:
      return "";
  }
}

}  // namespace

bool parse_pad(const OSSL_PARAM* p, int* pad) {
  if (p->data_type == OSSL_PARAM_UTF8_STRING) {
    const std::string s(static_cast<const char*>(p->data));
    for (int v : {RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING, RSA_PKCS1_OAEP_PADDING, RSA_NO_PADDING}) {
      if (s == pad_name(v)) {
        *pad = v;
        return true;
      }
    }
    return false;
  }
  return OSSL_PARAM_get_int(p, pad) == 1;
}

namespace {

int sig_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<SigCtx*>(vctx);
  if (params == nullptr) {
    return 1;
  }
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
  if (p != nullptr) {
    std::string name;
    if (!param_string(p, &name)) {
      return 0;
    }
    const HashInfo* h = hash_by_name(c->prov, name);
    if (h == nullptr) {
      raise(c->prov, kReasonUnsupported, "digest '%s' (SHA-224/256/384/512 only)", name.c_str());
      return 0;
    }
    c->md = h->name;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
  if (p != nullptr && (!parse_pad(p, &c->pad) || c->st == nullptr || c->st->is_ec ||
                       (c->pad != RSA_PKCS1_PADDING && c->pad != RSA_PKCS1_PSS_PADDING))) {
    raise(c->prov, kReasonUnsupported, "signature padding mode (pkcs1 or pss with an RSA key only)");
    return 0;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
  if (p != nullptr) {
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
      const std::string s(static_cast<const char*>(p->data));
      // "max"/"auto": PSA always uses the digest length, which any verifier
      // that accepts "auto" recovers.
      if (s != OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST && s != OSSL_PKEY_RSA_PSS_SALT_LEN_MAX &&
          s != OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) {
        const int n = std::atoi(s.c_str());
        const HashInfo* h = c->md.empty() ? nullptr : hash_by_name(c->prov, c->md);
        if (h == nullptr || static_cast<size_t>(n) != h->len) {
          raise(c->prov, kReasonUnsupported, "PSS salt length %s (parsecd uses the digest length)", s.c_str());
          return 0;
        }
      }
    } else {
      int n = 0;
      if (!OSSL_PARAM_get_int(p, &n)) {
        return 0;
      }
      const HashInfo* h = c->md.empty() ? nullptr : hash_by_name(c->prov, c->md);
      if (n >= 0 && (h == nullptr || static_cast<size_t>(n) != h->len)) {
        raise(c->prov, kReasonUnsupported, "PSS salt length %d (parsecd uses the digest length)", n);
        return 0;
      }
    }
  }
  p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
  if (p != nullptr) {
    std::string name;
    if (!param_string(p, &name)) {
      return 0;
    }
    const HashInfo* h = hash_by_name(c->prov, name);
    const bool same = h != nullptr && (c->md.empty() || c->md == h->name);
    if (!same) {
      raise(c->prov, kReasonUnsupported, "MGF1 digest other than the signature digest");
      return 0;
    }
  }
  return 1;
}

const OSSL_PARAM* sig_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES, nullptr, 0),
                                 OSSL_PARAM_END};
  return t;
}

int sig_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* c = static_cast<SigCtx*>(vctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
  if (p != nullptr) {
    const HashInfo* h = hash_by_name(c->prov, c->md.empty() ? "SHA256" : c->md);
    if (h == nullptr || !c->st) {
      return 0;
    }
    const Bytes id = algorithm_id(c, *h);
    if (!OSSL_PARAM_set_octet_string(p, id.data(), id.size())) {
      return 0;
    }
  }
  p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
  if (p != nullptr && !OSSL_PARAM_set_utf8_string(p, c->md.c_str())) {
    return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
  if (p != nullptr) {
    const int ok = p->data_type == OSSL_PARAM_INTEGER ? OSSL_PARAM_set_int(p, c->pad)
                                                      : OSSL_PARAM_set_utf8_string(p, pad_name(c->pad));
    if (!ok) {
      return 0;
    }
  }
  p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
  if (p != nullptr) {
    const int ok = p->data_type == OSSL_PARAM_INTEGER
                       ? OSSL_PARAM_set_int(p, RSA_PSS_SALTLEN_DIGEST)
                       : OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST);
    if (!ok) {
      return 0;
    }
  }
  return 1;
}

const OSSL_PARAM* sig_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0), OSSL_PARAM_END};
  return t;
}

#define FN(id, f) \
  { id, reinterpret_cast<void (*)()>(f) }
#define SIG_FUNCTIONS                                                                                        \
  FN(OSSL_FUNC_SIGNATURE_NEWCTX, sig_newctx), FN(OSSL_FUNC_SIGNATURE_FREECTX, sig_freectx),                  \
      FN(OSSL_FUNC_SIGNATURE_DUPCTX, sig_dupctx), FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, sig_init),               \
      FN(OSSL_FUNC_SIGNATURE_SIGN, sig_sign), FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, sig_init),                 \
      FN(OSSL_FUNC_SIGNATURE_VERIFY, sig_verify), FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, sig_digest_init), \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, sig_digest_update),                                         \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, sig_digest_sign_final),                                      \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN, sig_digest_sign),                                                  \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, sig_digest_init),                                           \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, sig_digest_update),                                       \
      FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, sig_digest_verify_final),                                  \
      FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, sig_get_ctx_params),                                            \
      FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, sig_gettable_ctx_params),                                  \
      FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, sig_set_ctx_params),                                            \
      FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, sig_settable_ctx_params), {                                \
    0, nullptr                                                                                               \
  }

}  // namespace

const OSSL_DISPATCH kSignatureEcdsa[] = {SIG_FUNCTIONS};
const OSSL_DISPATCH kSignatureRsa[] = {SIG_FUNCTIONS};

}  // namespace parsec::ossl
