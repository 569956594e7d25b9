// openssl-provider/src/store_decoder.cc - how keys get into OpenSSL programs:
//   * STORE for the `parsec:` URI scheme (OSSL_STORE_open, so every `-key` /
//     `-inkey` option of the openssl tool takes `parsec:<name>?...`);
//   * DECODER for a key reference file: a PEM block labelled
//     "PARSEC KEY REFERENCE" whose body is the URI, so programs that only read
//     a key *file* through PEM_read_bio_PrivateKey (SSL_CTX_use_PrivateKey_file:
//     Python ssl, curl, nginx) get a Parsec key.
// Both hand OpenSSL an object reference that the KEYMGMT's load() turns into
// its keydata; neither ever exports key material to another provider.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include <cstring>
#include <string>

#include "openssl-provider/src/provider.h"

namespace parsec::ossl {
namespace {

// ---- STORE -------------------------------------------------------------------

struct StoreCtx {
  ProvCtx* prov = nullptr;
  std::string uri;
  bool done = false;
  int expect = 0;
};

void* store_open(void* provctx, const char* uri) {
  auto* s = new StoreCtx;
  s->prov = static_cast<ProvCtx*>(provctx);
  s->uri = uri;
  KeyRef ref;
  std::string why;
  if (!parse_uri(s->uri, &ref, &why)) {
    raise(s->prov, kReasonBadUri, "%s: %s", uri, why.c_str());
    delete s;
    return nullptr;
  }
  return s;
}

int store_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* s = static_cast<StoreCtx*>(vctx);
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
  if (p != nullptr && !OSSL_PARAM_get_int(p, &s->expect)) {
    return 0;
  }
  return 1;
}

const OSSL_PARAM* store_settable_ctx_params(void*) {
  static const OSSL_PARAM t[] = {OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, nullptr), OSSL_PARAM_END};
  return t;
}

int store_load(void* vctx, OSSL_CALLBACK* object_cb, void* object_cbarg, OSSL_PASSPHRASE_CALLBACK*, void*) {
  auto* s = static_cast<StoreCtx*>(vctx);
  s->done = true;
  // A parsec: URI names a private key (its public half comes along); a caller
  // expecting certificates or CRLs from it gets nothing.
  if (s->expect != 0 && s->expect != OSSL_STORE_INFO_PKEY && s->expect != OSSL_STORE_INFO_PUBKEY) {
    return 1;
  }
  std::shared_ptr<KeyState> st = load_key(s->prov, s->uri);
  if (!st) {
    return 0;
  }
  return pass_key_object(st, object_cb, object_cbarg);
}

int store_eof(void* vctx) {
  return static_cast<StoreCtx*>(vctx)->done ? 1 : 0;
}

int store_close(void* vctx) {
  delete static_cast<StoreCtx*>(vctx);
  return 1;
}

// export_object would hand the key to another provider's KEYMGMT: refused, the
// private key stays in parsecd.
int refuse_export(void* vctx, const void*, size_t, OSSL_CALLBACK*, void*) {
  ProvCtx* prov = *static_cast<ProvCtx**>(vctx);
  raise(prov, kReasonExportRefused, "a Parsec key can only be used by the parsec provider's KEYMGMT");
  return 0;
}

// ---- DECODER -------------------------------------------------------------------

struct DecoderCtx {
  ProvCtx* prov = nullptr;  // first member: refuse_export reads it
  bool want_ec = false;
};

void* dec_newctx_ec(void* provctx) {
  return new DecoderCtx{static_cast<ProvCtx*>(provctx), true};
}
void* dec_newctx_rsa(void* provctx) {
  return new DecoderCtx{static_cast<ProvCtx*>(provctx), false};
}
void dec_freectx(void* vctx) {
  delete static_cast<DecoderCtx*>(vctx);
}

int dec_does_selection(void*, int selection) {
  // A reference file names a key pair.
  return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
}

// read_reference extracts the URI from a "PARSEC KEY REFERENCE" PEM block.
bool read_reference(const std::string& text, std::string* uri) {
  const std::string begin = std::string("-----BEGIN ") + kPemLabel + "-----";
  const std::string end = std::string("-----END ") + kPemLabel + "-----";
  const size_t b = text.find(begin);
  if (b == std::string::npos) {
    return false;
  }
  const size_t e = text.find(end, b);
  if (e == std::string::npos) {
    return false;
  }
  std::string body;
  for (size_t i = b + begin.size(); i < e; ++i) {
    if (!isspace(static_cast<unsigned char>(text[i]))) {
      body.push_back(text[i]);
    }
  }
  std::string out(body.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(body.data()), static_cast<int>(body.size()));
  if (n < 0) {
    return false;
  }
  // EVP_DecodeBlock counts the '=' padding as zero bytes.
  size_t len = static_cast<size_t>(n);
  for (size_t i = body.size(); i > 0 && body[i - 1] == '='; --i) {
    --len;
  }
  out.resize(len);
  *uri = out;
  return true;
}

int dec_decode(void* vctx, OSSL_CORE_BIO* cin, int, OSSL_CALLBACK* data_cb, void* data_cbarg, OSSL_PASSPHRASE_CALLBACK*,
               void*) {
  auto* d = static_cast<DecoderCtx*>(vctx);
  if (d->prov->bio_read_ex == nullptr) {
    return 1;
  }
  // A reference file is a few hundred bytes; 64 KiB is plenty to find the
  // block in a file that also carries comments or a certificate.
  std::string text;
  char buf[4096];
  while (text.size() < 65536) {
    size_t got = 0;
    if (!d->prov->bio_read_ex(cin, buf, sizeof buf, &got) || got == 0) {
      break;
    }
    text.append(buf, got);
  }
  std::string uri;
  if (!read_reference(text, &uri)) {
    return 1;  // not ours: let the other decoders try
  }
  std::shared_ptr<KeyState> st = load_key(d->prov, uri);
  if (!st) {
    return 0;  // ours but unusable: a hard error with its reason on the queue
  }
  if (st->is_ec != d->want_ec) {
    return 1;  // the decoder of the other key type takes it
  }
  return pass_key_object(st, data_cb, data_cbarg);
}

#define FN(id, f) \
  { id, reinterpret_cast<void (*)()>(f) }

int store_export(void* vctx, const void* ref, size_t sz, OSSL_CALLBACK* cb, void* arg) {
  return refuse_export(vctx, ref, sz, cb, arg);
}

}  // namespace

const OSSL_DISPATCH kStore[] = {FN(OSSL_FUNC_STORE_OPEN, store_open),
                                FN(OSSL_FUNC_STORE_SET_CTX_PARAMS, store_set_ctx_params),
                                FN(OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, store_settable_ctx_params),
                                FN(OSSL_FUNC_STORE_LOAD, store_load),
                                FN(OSSL_FUNC_STORE_EOF, store_eof),
                                FN(OSSL_FUNC_STORE_CLOSE, store_close),
                                FN(OSSL_FUNC_STORE_EXPORT_OBJECT, store_export),
                                {0, nullptr}};

const OSSL_DISPATCH kDecoderEc[] = {FN(OSSL_FUNC_DECODER_NEWCTX, dec_newctx_ec),
                                    FN(OSSL_FUNC_DECODER_FREECTX, dec_freectx),
                                    FN(OSSL_FUNC_DECODER_DOES_SELECTION, dec_does_selection),
                                    FN(OSSL_FUNC_DECODER_DECODE, dec_decode),
                                    FN(OSSL_FUNC_DECODER_EXPORT_OBJECT, refuse_export),
                                    {0, nullptr}};
const OSSL_DISPATCH kDecoderRsa[] = {FN(OSSL_FUNC_DECODER_NEWCTX, dec_newctx_rsa),
                                     FN(OSSL_FUNC_DECODER_FREECTX, dec_freectx),
                                     FN(OSSL_FUNC_DECODER_DOES_SELECTION, dec_does_selection),
                                     FN(OSSL_FUNC_DECODER_DECODE, dec_decode),
                                     FN(OSSL_FUNC_DECODER_EXPORT_OBJECT, refuse_export),
                                     {0, nullptr}};

}  // namespace parsec::ossl
