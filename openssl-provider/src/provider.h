// openssl-provider/src/provider.h - shared state of the Parsec OpenSSL 3 provider.
//
// The provider (parsec.so) makes keys held by parsecd usable by any OpenSSL 3
// program: KEYMGMT objects *refer* to a Parsec key (name + client), the public
// half is fetched once when the key is loaded and kept as a default-provider
// EVP_PKEY in the provider's own library context (for get_params, export of the
// public part, match, verification and encryption); the private half never
// leaves the daemon. Signing and decryption are one request each.
//
// Thread safety: a ProvCtx is created once per provider activation and is read
// only afterwards, except the client cache (behind its mutex). A KeyState is
// immutable after load and shared (std::shared_ptr) by every keydata, store
// and decoder object that refers to it; parsec::client::Client is thread-safe.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "parsec/client/client.h"

namespace parsec::ossl {

// Reason codes of the provider's errors (OpenSSL error queue, library "parsec").
enum Reason : int {
  kReasonKeyNotFound = 1,
  kReasonNotPermitted = 2,
  kReasonDaemonDown = 3,
  kReasonServiceError = 4,
  kReasonExportRefused = 5,
  kReasonBadUri = 6,
  kReasonUnsupported = 7,
  kReasonNoPrivateKey = 8,
  kReasonInternal = 9,
};

// What a `parsec:` URI (or a key reference file carrying one) names.
struct KeyRef {
  std::string name;
  std::string app_name;                // empty: the provider's configured one
  std::optional<ProviderId> provider;  // empty: the configured one, else the daemon's default
  std::string endpoint;                // empty: the configured one
};

struct ProvCtx {
  const OSSL_CORE_HANDLE* handle = nullptr;
  OSSL_LIB_CTX* libctx = nullptr;  // private, default provider only (public-key work, digests)
  OSSL_PROVIDER* deflt = nullptr;
  std::string endpoint;  // empty: PARSEC_SERVICE_ENDPOINT / default socket
  std::string app_name;
  std::optional<ProviderId> provider;

  OSSL_FUNC_core_new_error_fn* new_error = nullptr;
  OSSL_FUNC_core_set_error_debug_fn* set_error_debug = nullptr;
  OSSL_FUNC_core_vset_error_fn* vset_error = nullptr;
  OSSL_FUNC_BIO_read_ex_fn* bio_read_ex = nullptr;

  // One Client per (endpoint, app, provider) triple: the configured one and
  // any a URI asks for.
  std::shared_ptr<client::Client> client_for(const KeyRef& ref);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<client::Client>> clients_;
};

// A loaded key: the Parsec reference plus its cached public key. has_private is
// false for keys imported from public material (certificate keys compared by
// EVP_PKEY_eq), which only verify and encrypt.
struct KeyState : std::enable_shared_from_this<KeyState> {
  ProvCtx* ctx = nullptr;
  bool has_private = false;
  std::string uri;  // for messages
  std::shared_ptr<client::Client> client;
  std::optional<client::Key> key;
  EVP_PKEY* pub = nullptr;  // default provider, private libctx
  bool is_ec = false;
  ~KeyState() { EVP_PKEY_free(pub); }
};

// keydata of the KEYMGMT: a handle sharing one KeyState.
struct KeyObj {
  std::shared_ptr<KeyState> st;
};

// raise puts one error on the OpenSSL error queue: reason + formatted detail.
void raise(ProvCtx* ctx, int reason, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
// raise_client maps a client Error to a reason (not found, not permitted,
// daemon down, other) and raises it with the key's URI and the status.
void raise_client(ProvCtx* ctx, const std::string& uri, const client::Error& e);

// parse_pad reads an RSA padding-mode parameter given as an int or a name
// (signature.cc; the cipher uses it too).
bool parse_pad(const OSSL_PARAM* p, int* pad);
// param_string reads a UTF-8 string parameter into `out`.
bool param_string(const OSSL_PARAM* p, std::string* out);

// parse_uri: "parsec:<name>[?provider=..&app=..&endpoint=..]" (percent-decoded).
bool parse_uri(const std::string& uri, KeyRef* out, std::string* why);

// load_key: one ListKeys + one ExportPublicKey; nullptr after raising an error.
std::shared_ptr<KeyState> load_key(ProvCtx* ctx, const std::string& uri);

// The object parameters handed to a STORE/DECODER callback for `st`.
int pass_key_object(const std::shared_ptr<KeyState>& st, OSSL_CALLBACK* cb, void* cbarg);

extern const OSSL_DISPATCH kKeymgmtEc[];
extern const OSSL_DISPATCH kKeymgmtRsa[];
extern const OSSL_DISPATCH kSignatureEcdsa[];
extern const OSSL_DISPATCH kSignatureRsa[];
extern const OSSL_DISPATCH kAsymCipherRsa[];
extern const OSSL_DISPATCH kStore[];
extern const OSSL_DISPATCH kDecoderEc[];
extern const OSSL_DISPATCH kDecoderRsa[];

// The PEM label of a key reference file.
inline constexpr const char* kPemLabel = "PARSEC KEY REFERENCE";

}  // namespace parsec::ossl
