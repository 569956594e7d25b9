// openssl-provider/src/provider.cc - entry point of the Parsec OpenSSL 3
// provider: configuration, algorithm tables, errors, URI parsing and key loading.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <cstdarg>
#include <cstring>

#include "openssl-provider/src/provider.h"

namespace parsec::ossl {

namespace {

constexpr const char* kProps = "provider=parsec";

const OSSL_ALGORITHM kKeymgmts[] = {{"EC:id-ecPublicKey:1.2.840.10045.2.1", kProps, kKeymgmtEc, "Parsec EC key"},
                                    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", kProps, kKeymgmtRsa, "Parsec RSA key"},
                                    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kSignatures[] = {
    {"ECDSA", kProps, kSignatureEcdsa, "ECDSA signed by parsecd"},
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", kProps, kSignatureRsa, "RSA PKCS#1 v1.5 / PSS signed by parsecd"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kAsymCiphers[] = {
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", kProps, kAsymCipherRsa, "RSA OAEP / PKCS#1 v1.5 decrypted by parsecd"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kStores[] = {{"parsec", kProps, kStore, "parsec: key URIs"}, {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kDecoders[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", "provider=parsec,input=pem", kDecoderEc, "Parsec key reference file"},
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", "provider=parsec,input=pem", kDecoderRsa, "Parsec key reference file"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_ITEM kReasonStrings[] = {
    {kReasonKeyNotFound, const_cast<char*>("parsec key not found")},
    {kReasonNotPermitted, const_cast<char*>("parsec operation not permitted")},
    {kReasonDaemonDown, const_cast<char*>("parsec service unreachable")},
    {kReasonServiceError, const_cast<char*>("parsec service error")},
    {kReasonExportRefused, const_cast<char*>("private key export refused (the key stays in parsecd)")},
    {kReasonBadUri, const_cast<char*>("bad parsec key URI")},
    {kReasonUnsupported, const_cast<char*>("not supported by the parsec provider")},
    {kReasonNoPrivateKey, const_cast<char*>("no private key (public key only)")},
    {kReasonInternal, const_cast<char*>("parsec provider internal error")},
    {0, nullptr}};

const OSSL_ALGORITHM* query_operation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_KEYMGMT:
      return kKeymgmts;
    case OSSL_OP_SIGNATURE:
      return kSignatures;
    case OSSL_OP_ASYM_CIPHER:
      return kAsymCiphers;
    case OSSL_OP_STORE:
      return kStores;
    case OSSL_OP_DECODER:
      return kDecoders;
    default:
      return nullptr;
  }
}

const OSSL_PARAM* gettable_params(void*) {
  static const OSSL_PARAM params[] = {OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, nullptr, 0),
                                      OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, nullptr, 0),
                                      OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, nullptr, 0),
                                      OSSL_PARAM_END};
  return params;
}

int get_params(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
  if (p != nullptr && !OSSL_PARAM_set_utf8_ptr(p, "Parsec provider")) {
    return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
  if (p != nullptr && !OSSL_PARAM_set_utf8_ptr(p, "0.1.0")) {
    return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
  if (p != nullptr && !OSSL_PARAM_set_int(p, 1)) {
    return 0;
  }
  return 1;
}

const OSSL_ITEM* get_reason_strings(void*) {
  return kReasonStrings;
}

void teardown(void* vctx) {
  auto* ctx = static_cast<ProvCtx*>(vctx);
  OSSL_PROVIDER_unload(ctx->deflt);
  OSSL_LIB_CTX_free(ctx->libctx);
  delete ctx;
}

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, reinterpret_cast<void (*)()>(teardown)},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(gettable_params)},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, reinterpret_cast<void (*)()>(get_params)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<void (*)()>(query_operation)},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, reinterpret_cast<void (*)()>(get_reason_strings)},
    {0, nullptr}};

// parse_provider accepts an id (1, 2, 3) or a name.
std::optional<ProviderId> parse_provider(const std::string& s) {
  if (s == "1" || s == "software" || s == "mbed-crypto") {
    return ProviderId::MbedCrypto;
  }
  if (s == "2" || s == "pkcs11") {
    return ProviderId::Pkcs11;
  }
  if (s == "3" || s == "tpm") {
    return ProviderId::Tpm;
  }
  if (s == "4" || s == "trusted-service") {
    return ProviderId::TrustedService;
  }
  if (s == "5" || s == "cryptoauthlib") {
    return ProviderId::CryptoAuthLib;
  }
  return std::nullopt;
}

bool percent_decode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      return false;
    }
    out->push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
    i += 2;
  }
  return true;
}

}  // namespace

void raise(ProvCtx* ctx, int reason, const char* fmt, ...) {
  if (ctx == nullptr || ctx->new_error == nullptr) {
    return;
  }
  ctx->new_error(ctx->handle);
  ctx->set_error_debug(ctx->handle, __FILE__, __LINE__, "parsec");
  va_list ap;
  va_start(ap, fmt);
  ctx->vset_error(ctx->handle, static_cast<uint32_t>(reason), fmt, ap);
  va_end(ap);
}

bool param_string(const OSSL_PARAM* p, std::string* out) {
  char* value = nullptr;
  if (!OSSL_PARAM_get_utf8_string(p, &value, 0)) {
    return false;
  }
  out->assign(value);
  OPENSSL_free(value);
  return true;
}

void raise_client(ProvCtx* ctx, const std::string& uri, const client::Error& e) {
  int reason = kReasonServiceError;
  switch (e.status()) {
    case Status::PsaErrorDoesNotExist:
      reason = kReasonKeyNotFound;
      break;
    case Status::PsaErrorNotPermitted:
      reason = kReasonNotPermitted;
      break;
    case Status::ConnectionError:
      reason = kReasonDaemonDown;
      break;
    default:
      break;
  }
  raise(ctx, reason, "%s: %s", uri.c_str(), e.what());
}

bool parse_uri(const std::string& uri, KeyRef* out, std::string* why) {
  constexpr std::string_view kScheme = "parsec:";
  if (uri.compare(0, kScheme.size(), kScheme) != 0) {
    *why = "does not start with parsec:";
    return false;
  }
  std::string rest = uri.substr(kScheme.size());
  // Accept the authority-less "parsec://name" spelling too.
  if (rest.compare(0, 2, "//") == 0) {
    rest = rest.substr(2);
  }
  const size_t q = rest.find('?');
  const std::string name_part = rest.substr(0, q);
  if (!percent_decode(name_part, &out->name) || out->name.empty()) {
    *why = "no key name (or a bad %-escape in it)";
    return false;
  }
  if (q == std::string::npos) {
    return true;
  }
  std::string query = rest.substr(q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) {
      amp = query.size();
    }
    const std::string item = query.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) {
      continue;
    }
    const size_t eq = item.find('=');
    std::string key = item.substr(0, eq), value;
    if (eq == std::string::npos || !percent_decode(item.substr(eq + 1), &value)) {
      *why = "parameter '" + item + "' is not key=value";
      return false;
    }
    if (key == "provider") {
      out->provider = parse_provider(value);
      if (!out->provider) {
        *why = "unknown provider '" + value + "' (1|2|3|software|pkcs11|tpm)";
        return false;
      }
    } else if (key == "app") {
      out->app_name = value;
    } else if (key == "endpoint") {
      out->endpoint = value;
    } else {
      *why = "unknown parameter '" + key + "' (provider, app, endpoint)";
      return false;
    }
  }
  return true;
}

std::shared_ptr<client::Client> ProvCtx::client_for(const KeyRef& ref) {
  const std::string ep = ref.endpoint.empty() ? endpoint : ref.endpoint;
  const std::string app = ref.app_name.empty() ? app_name : ref.app_name;
  const std::optional<ProviderId> prov = ref.provider ? ref.provider : provider;
  const std::string cache_key =
      ep + '\n' + app + '\n' + (prov ? std::to_string(static_cast<int>(*prov)) : std::string("-"));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(cache_key);
  if (it != clients_.end()) {
    return it->second;
  }
  // Endpoint parsing may throw (bad URI): the caller turns it into an error.
  auto c = std::make_shared<client::Client>(
      ep.empty() ? client::Endpoint::from_environment() : client::Endpoint::parse(ep), app);
  if (prov) {
    c->set_provider(*prov);
  }
  clients_.emplace(cache_key, c);
  return c;
}

std::shared_ptr<KeyState> load_key(ProvCtx* ctx, const std::string& uri) {
  KeyRef ref;
  std::string why;
  if (!parse_uri(uri, &ref, &why)) {
    raise(ctx, kReasonBadUri, "%s: %s", uri.c_str(), why.c_str());
    return nullptr;
  }
  auto st = std::make_shared<KeyState>();
  st->ctx = ctx;
  st->uri = uri;
  try {
    st->client = ctx->client_for(ref);
    st->key = st->client->key(ref.name);
    const client::KeyAttributes& a = st->key->attributes();
    if (a.type != client::KeyType::EccKeyPair && a.type != client::KeyType::RsaKeyPair) {
      raise(ctx, kReasonUnsupported, "%s: key type %s is not an EC or RSA key pair", uri.c_str(),
            a.type_to_string().c_str());
      return nullptr;
    }
    st->is_ec = a.type == client::KeyType::EccKeyPair;
    const client::Bytes spki = st->key->public_key_der();
    const unsigned char* p = spki.data();
    st->pub = d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(spki.size()), ctx->libctx, nullptr);
    if (st->pub == nullptr) {
      raise(ctx, kReasonInternal, "%s: the public key from parsecd does not decode", uri.c_str());
      return nullptr;
    }
  } catch (const client::Error& e) {
    raise_client(ctx, uri, e);
    return nullptr;
  } catch (const std::exception& e) {
    raise(ctx, kReasonInternal, "%s: %s", uri.c_str(), e.what());
    return nullptr;
  }
  st->has_private = true;
  return st;
}

int pass_key_object(const std::shared_ptr<KeyState>& st, OSSL_CALLBACK* cb, void* cbarg) {
  int object_type = OSSL_OBJECT_PKEY;
  char ec[] = "EC";
  char rsa[] = "RSA";
  // The reference is the address of the KeyState; the KEYMGMT's load() takes
  // its own shared_ptr while the caller still holds `st`.
  KeyState* raw = st.get();
  OSSL_PARAM params[] = {OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
                         OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, st->is_ec ? ec : rsa, 0),
                         OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &raw, sizeof raw),
                         OSSL_PARAM_END};
  return cb(params, cbarg);
}

}  // namespace parsec::ossl

using parsec::ossl::ProvCtx;

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE* handle,
                                                                         const OSSL_DISPATCH* in,
                                                                         const OSSL_DISPATCH** out, void** provctx) {
  OSSL_FUNC_core_get_params_fn* core_get_params = nullptr;
  auto* ctx = new ProvCtx;
  ctx->handle = handle;
  for (; in->function_id != 0; ++in) {
    switch (in->function_id) {
      case OSSL_FUNC_CORE_GET_PARAMS:
        core_get_params = OSSL_FUNC_core_get_params(in);
        break;
      case OSSL_FUNC_CORE_NEW_ERROR:
        ctx->new_error = OSSL_FUNC_core_new_error(in);
        break;
      case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
        ctx->set_error_debug = OSSL_FUNC_core_set_error_debug(in);
        break;
      case OSSL_FUNC_CORE_VSET_ERROR:
        ctx->vset_error = OSSL_FUNC_core_vset_error(in);
        break;
      case OSSL_FUNC_BIO_READ_EX:
        ctx->bio_read_ex = OSSL_FUNC_BIO_read_ex(in);
        break;
      default:
        break;
    }
  }
  // Configuration: the provider's section of the OpenSSL config file.
  char* endpoint = nullptr;
  char* app = nullptr;
  char* prov = nullptr;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_ptr("parsec-endpoint", &endpoint, 0),
                         OSSL_PARAM_construct_utf8_ptr("parsec-app-name", &app, 0),
                         OSSL_PARAM_construct_utf8_ptr("parsec-provider", &prov, 0), OSSL_PARAM_END};
  if (core_get_params != nullptr && !core_get_params(handle, params)) {
    delete ctx;
    return 0;
  }
  if (endpoint != nullptr) {
    ctx->endpoint = endpoint;
  }
  if (app != nullptr) {
    ctx->app_name = app;
  }
  if (prov != nullptr && *prov != '\0') {
    parsec::ossl::KeyRef probe;
    std::string why;
    if (!parsec::ossl::parse_uri(std::string("parsec:x?provider=") + prov, &probe, &why)) {
      parsec::ossl::raise(ctx, parsec::ossl::kReasonBadUri, "parsec-provider = %s: %s", prov, why.c_str());
      delete ctx;
      return 0;
    }
    ctx->provider = probe.provider;
  }
  // Public-key work (verification, encryption, key comparison, digests) runs in
  // a private library context with only the default provider, so it never
  // recurses into this provider whatever the application's configuration.
  ctx->libctx = OSSL_LIB_CTX_new();
  ctx->deflt = ctx->libctx ? OSSL_PROVIDER_load(ctx->libctx, "default") : nullptr;
  if (ctx->deflt == nullptr) {
    OSSL_LIB_CTX_free(ctx->libctx);
    delete ctx;
    return 0;
  }
  *out = parsec::ossl::kProviderFunctions;
  *provctx = ctx;
  return 1;
}
