// openssl-provider/src/keymgmt.cc - KEYMGMT for EC and RSA keys that refer to a
// Parsec key. Parameters and the public half come from the cached public key;
// the private half is never exported (export with the private selection fails,
// which also keeps libcrypto from moving a Parsec key to another provider).
// Public material can be imported (certificate keys compared with EVP_PKEY_eq).
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "openssl-provider/src/provider.h"

namespace parsec::ossl {
namespace {

constexpr int kPrivate = OSSL_KEYMGMT_SELECT_PRIVATE_KEY;

void* km_new(void* provctx) {
  auto* o = new KeyObj;
  o->st = std::make_shared<KeyState>();
  o->st->ctx = static_cast<ProvCtx*>(provctx);
  return o;
}

void km_free(void* keydata) {
  delete static_cast<KeyObj*>(keydata);
}

void* km_load(const void* reference, size_t reference_sz) {
  if (reference == nullptr || reference_sz != sizeof(KeyState*)) {
    return nullptr;
  }
  KeyState* raw = *static_cast<KeyState* const*>(reference);
  // The store/decoder that passed the reference still holds a shared_ptr to
  // it, so shared_from_this is valid here.
  return new KeyObj{raw->shared_from_this()};
}

int km_has(const void* keydata, int selection) {
  const auto* o = static_cast<const KeyObj*>(keydata);
  if (o == nullptr || !o->st) {
    return 0;
  }
  if ((selection & kPrivate) != 0 && !o->st->has_private) {
    return 0;
  }
  if ((selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS)) != 0 &&
      o->st->pub == nullptr) {
    return 0;
  }
  return 1;
}

int km_match(const void* a, const void* b, int) {
  const auto* ka = static_cast<const KeyObj*>(a);
  const auto* kb = static_cast<const KeyObj*>(b);
  if (ka->st->pub == nullptr || kb->st->pub == nullptr) {
    return 0;
  }
  return EVP_PKEY_eq(ka->st->pub, kb->st->pub) == 1;
}

int km_import_common(void* keydata, int selection, const OSSL_PARAM params[], const char* type) {
  auto* o = static_cast<KeyObj*>(keydata);
  if ((selection & kPrivate) != 0) {
    // A private key given as material belongs in parsecd (parsec-cli import-key).
    raise(o->st->ctx, kReasonUnsupported, "importing private key material into the parsec provider");
    return 0;
  }
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(o->st->ctx->libctx, type, nullptr);
  EVP_PKEY* pk = nullptr;
  const int ok = pctx != nullptr && EVP_PKEY_fromdata_init(pctx) == 1 &&
                 EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) == 1;
  EVP_PKEY_CTX_free(pctx);
  if (!ok) {
    return 0;
  }
  EVP_PKEY_free(o->st->pub);
  o->st->pub = pk;
  o->st->is_ec = std::string(type) == "EC";
  o->st->has_private = false;
  return 1;
}
int km_import_ec(void* k, int s, const OSSL_PARAM p[]) {
  return km_import_common(k, s, p, "EC");
}
int km_import_rsa(void* k, int s, const OSSL_PARAM p[]) {
  return km_import_common(k, s, p, "RSA");
}

const OSSL_PARAM* km_import_types_ec(int) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
                                 OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0), OSSL_PARAM_END};
  return t;
}
const OSSL_PARAM* km_import_types_rsa(int) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, nullptr, 0),
                                 OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0), OSSL_PARAM_END};
  return t;
}

int km_export(void* keydata, int selection, OSSL_CALLBACK* cb, void* cbarg) {
  auto* o = static_cast<KeyObj*>(keydata);
  if ((selection & kPrivate) != 0 && o->st->has_private) {
    raise(o->st->ctx, kReasonExportRefused, "%s", o->st->uri.c_str());
    return 0;
  }
  if (o->st->pub == nullptr) {
    return 0;
  }
  return EVP_PKEY_export(o->st->pub, selection & ~kPrivate, cb, cbarg);
}

int km_get_params(void* keydata, OSSL_PARAM params[]) {
  auto* o = static_cast<KeyObj*>(keydata);
  if (o->st->pub == nullptr) {
    return 0;
  }
  // Everything public (bits, security bits, max signature size, group, point
  // format, n/e, default digest) is the cached public key's answer.
  for (OSSL_PARAM* p = params; p->key != nullptr; ++p) {
    OSSL_PARAM one[2] = {*p, OSSL_PARAM_END};
    if (EVP_PKEY_get_params(o->st->pub, one) == 1) {
      *p = one[0];
    }
  }
  return 1;
}

const OSSL_PARAM* km_gettable_ec(void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
                                 OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
                                 OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
                                 OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
                                 OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
                                 OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
                                 OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
                                 OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, nullptr, 0),
                                 OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, nullptr, 0),
                                 OSSL_PARAM_END};
  return t;
}
const OSSL_PARAM* km_gettable_rsa(void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
                                 OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
                                 OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
                                 OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
                                 OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, nullptr, 0),
                                 OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
                                 OSSL_PARAM_END};
  return t;
}

const char* km_query_ec(int operation_id) {
  return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" : nullptr;
}
const char* km_query_rsa(int operation_id) {
  return operation_id == OSSL_OP_SIGNATURE || operation_id == OSSL_OP_ASYM_CIPHER ? "RSA" : nullptr;
}

void* km_dup(const void* keydata, int) {
  const auto* o = static_cast<const KeyObj*>(keydata);
  return new KeyObj{o->st};
}

#define FN(id, f) \
  { id, reinterpret_cast<void (*)()>(f) }

}  // namespace

const OSSL_DISPATCH kKeymgmtEc[] = {FN(OSSL_FUNC_KEYMGMT_NEW, km_new),
                                    FN(OSSL_FUNC_KEYMGMT_FREE, km_free),
                                    FN(OSSL_FUNC_KEYMGMT_LOAD, km_load),
                                    FN(OSSL_FUNC_KEYMGMT_HAS, km_has),
                                    FN(OSSL_FUNC_KEYMGMT_MATCH, km_match),
                                    FN(OSSL_FUNC_KEYMGMT_IMPORT, km_import_ec),
                                    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, km_import_types_ec),
                                    FN(OSSL_FUNC_KEYMGMT_EXPORT, km_export),
                                    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, km_import_types_ec),
                                    FN(OSSL_FUNC_KEYMGMT_GET_PARAMS, km_get_params),
                                    FN(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, km_gettable_ec),
                                    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, km_query_ec),
                                    FN(OSSL_FUNC_KEYMGMT_DUP, km_dup),
                                    {0, nullptr}};
const OSSL_DISPATCH kKeymgmtRsa[] = {FN(OSSL_FUNC_KEYMGMT_NEW, km_new),
                                     FN(OSSL_FUNC_KEYMGMT_FREE, km_free),
                                     FN(OSSL_FUNC_KEYMGMT_LOAD, km_load),
                                     FN(OSSL_FUNC_KEYMGMT_HAS, km_has),
                                     FN(OSSL_FUNC_KEYMGMT_MATCH, km_match),
                                     FN(OSSL_FUNC_KEYMGMT_IMPORT, km_import_rsa),
                                     FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, km_import_types_rsa),
                                     FN(OSSL_FUNC_KEYMGMT_EXPORT, km_export),
                                     FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, km_import_types_rsa),
                                     FN(OSSL_FUNC_KEYMGMT_GET_PARAMS, km_get_params),
                                     FN(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, km_gettable_rsa),
                                     FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, km_query_rsa),
                                     FN(OSSL_FUNC_KEYMGMT_DUP, km_dup),
                                     {0, nullptr}};

}  // namespace parsec::ossl
