// openssl-provider/src/cipher.cc - ASYM_CIPHER for RSA: OAEP and PKCS#1 v1.5
// decryption in parsecd (one PsaAsymmetricDecrypt request), encryption with
// the cached public key through the default provider.
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstring>

#include "openssl-provider/src/provider.h"
#include "parsec/interface/secret.h"

namespace parsec::ossl {

namespace {

using client::Algorithm;
using client::Bytes;
using client::Hash;

struct CipherCtx {
  ProvCtx* prov = nullptr;
  std::shared_ptr<KeyState> st;
  int pad = RSA_PKCS1_PADDING;
  std::string oaep_md = "SHA1";  // OpenSSL's OAEP default
  std::string mgf1_md;           // empty: same as oaep_md
  Bytes label;
};

Hash hash_of(ProvCtx* prov, const std::string& name) {
  EVP_MD* md = EVP_MD_fetch(prov->libctx, name.c_str(), nullptr);
  Hash h = Hash::None;
  if (md != nullptr) {
    const std::pair<const char*, Hash> table[] = {{"SHA1", Hash::Sha1},
                                                  {"SHA224", Hash::Sha224},
                                                  {"SHA256", Hash::Sha256},
                                                  {"SHA384", Hash::Sha384},
                                                  {"SHA512", Hash::Sha512}};
    for (const auto& [n, v] : table) {
      if (EVP_MD_is_a(md, n)) {
        h = v;
      }
    }
  }
  EVP_MD_free(md);
  return h;
}

void* ac_newctx(void* provctx) {
  auto* c = new CipherCtx;
  c->prov = static_cast<ProvCtx*>(provctx);
  return c;
}
void ac_freectx(void* vctx) {
  delete static_cast<CipherCtx*>(vctx);
}
void* ac_dupctx(void* vctx) {
  return new CipherCtx(*static_cast<CipherCtx*>(vctx));
}

int ac_set_ctx_params(void* vctx, const OSSL_PARAM params[]);

int ac_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<CipherCtx*>(vctx);
  c->st = static_cast<KeyObj*>(provkey)->st;
  if (c->st->is_ec) {
    return 0;
  }
  return ac_set_ctx_params(c, params);
}

int ac_encrypt(void* vctx, unsigned char* out, size_t* outlen, size_t outsize, const unsigned char* in, size_t inlen) {
  auto* c = static_cast<CipherCtx*>(vctx);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_pkey(c->prov->libctx, c->st->pub, nullptr);
  int ok = pctx != nullptr && EVP_PKEY_encrypt_init(pctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(pctx, c->pad) == 1;
  if (ok && c->pad == RSA_PKCS1_OAEP_PADDING) {
    ok = EVP_PKEY_CTX_set_rsa_oaep_md_name(pctx, c->oaep_md.c_str(), nullptr) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, (c->mgf1_md.empty() ? c->oaep_md : c->mgf1_md).c_str(), nullptr) == 1;
    if (ok && !c->label.empty()) {
      auto* l = static_cast<unsigned char*>(OPENSSL_memdup(c->label.data(), c->label.size()));
      ok = l != nullptr && EVP_PKEY_CTX_set0_rsa_oaep_label(pctx, l, static_cast<int>(c->label.size())) == 1;
    }
  }
  size_t n = outsize;
  ok = ok && EVP_PKEY_encrypt(pctx, out, out == nullptr ? outlen : &n, in, inlen) == 1;
  if (ok && out != nullptr) {
    *outlen = n;
  }
  EVP_PKEY_CTX_free(pctx);
  return ok;
}

int ac_decrypt(void* vctx, unsigned char* out, size_t* outlen, size_t outsize, const unsigned char* in, size_t inlen) {
  auto* c = static_cast<CipherCtx*>(vctx);
  if (out == nullptr) {
    *outlen = static_cast<size_t>(EVP_PKEY_get_size(c->st->pub));
    return 1;
  }
  if (!c->st->has_private) {
    raise(c->prov, kReasonNoPrivateKey, "decryption needs a key loaded from parsecd");
    return 0;
  }
  Algorithm alg;
  if (c->pad == RSA_PKCS1_PADDING) {
    alg = Algorithm::rsa_pkcs1v15_crypt();
  } else if (c->pad == RSA_PKCS1_OAEP_PADDING) {
    const Hash h = hash_of(c->prov, c->oaep_md);
    if (h == Hash::None || (!c->mgf1_md.empty() && hash_of(c->prov, c->mgf1_md) != h)) {
      raise(c->prov, kReasonUnsupported, "OAEP digest %s with MGF1 %s (PSA: one hash for both)", c->oaep_md.c_str(),
            c->mgf1_md.c_str());
      return 0;
    }
    alg = Algorithm::rsa_oaep(h);
  } else {
    raise(c->prov, kReasonUnsupported, "RSA padding mode %d for decryption (pkcs1 or oaep only)", c->pad);
    return 0;
  }
  try {
    Bytes raw = c->st->client->asymmetric_decrypt(c->st->key->name(), alg, Bytes(in, in + inlen), c->label);
    SecretBytes plain = SecretBytes::take(raw);  // wiped when it goes out of scope
    if (plain.size() > outsize) {
      raise(c->prov, kReasonInternal, "plaintext buffer too small");
      return 0;
    }
    std::memcpy(out, plain.data(), plain.size());
    *outlen = plain.size();
    return 1;
  } catch (const client::Error& e) {
    raise_client(c->prov, c->st->uri, e);
  } catch (const std::exception& e) {
    raise(c->prov, kReasonInternal, "%s", e.what());
  }
  return 0;
}

int ac_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<CipherCtx*>(vctx);
  if (params == nullptr) {
    return 1;
  }
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
  if (p != nullptr && !parse_pad(p, &c->pad)) {
    return 0;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
  if (p != nullptr && !param_string(p, &c->oaep_md)) {
    return 0;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
  if (p != nullptr && !param_string(p, &c->mgf1_md)) {
    return 0;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
  if (p != nullptr) {
    const void* data = nullptr;
    size_t len = 0;
    if (!OSSL_PARAM_get_octet_string_ptr(p, &data, &len)) {
      return 0;
    }
    c->label.assign(static_cast<const unsigned char*>(data), static_cast<const unsigned char*>(data) + len);
  }
  return 1;
}

const OSSL_PARAM* ac_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, nullptr, 0),
                                 OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, nullptr, 0),
                                 OSSL_PARAM_END};
  return t;
}

int ac_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* c = static_cast<CipherCtx*>(vctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
  if (p != nullptr && p->data_type == OSSL_PARAM_INTEGER && !OSSL_PARAM_set_int(p, c->pad)) {
    return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
  if (p != nullptr && !OSSL_PARAM_set_utf8_string(p, c->oaep_md.c_str())) {
    return 0;
  }
  return 1;
}

const OSSL_PARAM* ac_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, nullptr),
                                 OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, nullptr, 0),
                                 OSSL_PARAM_END};
  return t;
}

#define FN(id, f) \
  { id, reinterpret_cast<void (*)()>(f) }

}  // namespace

const OSSL_DISPATCH kAsymCipherRsa[] = {FN(OSSL_FUNC_ASYM_CIPHER_NEWCTX, ac_newctx),
                                        FN(OSSL_FUNC_ASYM_CIPHER_FREECTX, ac_freectx),
                                        FN(OSSL_FUNC_ASYM_CIPHER_DUPCTX, ac_dupctx),
                                        FN(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, ac_init),
                                        FN(OSSL_FUNC_ASYM_CIPHER_ENCRYPT, ac_encrypt),
                                        FN(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, ac_init),
                                        FN(OSSL_FUNC_ASYM_CIPHER_DECRYPT, ac_decrypt),
                                        FN(OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, ac_set_ctx_params),
                                        FN(OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS, ac_settable_ctx_params),
                                        FN(OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS, ac_get_ctx_params),
                                        FN(OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS, ac_gettable_ctx_params),
                                        {0, nullptr}};

}  // namespace parsec::ossl
