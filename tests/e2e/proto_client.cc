#include "tests/e2e/proto_client.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "psa_aead_decrypt.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_cipher_decrypt.pb.h"
#include "psa_cipher_encrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_hash_compare.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_import_key.pb.h"
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"

namespace parsec::e2e {

using psa_algorithm::Algorithm;

Call call(const std::string& socket, Opcode opcode, uint8_t provider, AuthType auth, const std::string& auth_bytes,
          const google::protobuf::MessageLite& op, bool may_be_down) {
  RawResponse r =
      raw_exchange(socket, make_request(request_header(opcode, provider, auth), op.SerializeAsString(), auth_bytes),
                   // Long enough for an RSA-4096 generation on a loaded machine: the limit
                   // only keeps a daemon that never answers from hanging the test.
                   false, std::chrono::milliseconds(60000), may_be_down);
  Call c;
  if (r.got_header) {
    c.status = static_cast<Status>(r.header.status);
    c.body = r.body;
  }
  return c;
}

std::string App::auth_bytes() const {
  return auth == AuthType::NoAuth ? std::string() : name;
}

Call App::generate(const std::string& key, const psa_key_attributes::KeyAttributes& attrs) const {
  psa_generate_key::Operation op;
  op.set_key_name(key);
  *op.mutable_attributes() = attrs;
  return call(socket, Opcode::PsaGenerateKey, provider, auth, auth_bytes(), op, may_be_down);
}

Call App::import(const std::string& key, const psa_key_attributes::KeyAttributes& attrs,
                 const std::string& data) const {
  psa_import_key::Operation op;
  op.set_key_name(key);
  *op.mutable_attributes() = attrs;
  op.set_data(data);
  return call(socket, Opcode::PsaImportKey, provider, auth, auth_bytes(), op, may_be_down);
}

Call App::destroy(const std::string& key) const {
  psa_destroy_key::Operation op;
  op.set_key_name(key);
  return call(socket, Opcode::PsaDestroyKey, provider, auth, auth_bytes(), op, may_be_down);
}

Call App::export_public(const std::string& key) const {
  psa_export_public_key::Operation op;
  op.set_key_name(key);
  Call c = call(socket, Opcode::PsaExportPublicKey, provider, auth, auth_bytes(), op, may_be_down);
  if (c.status == Status::Success) {
    psa_export_public_key::Result r;
    r.ParseFromString(c.body);
    c.body = r.data();
  }
  return c;
}

Call App::sign_hash(const std::string& key, const Algorithm::AsymmetricSignature& alg, const std::string& hash) const {
  psa_sign_hash::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_hash(hash);
  Call c = call(socket, Opcode::PsaSignHash, provider, auth, auth_bytes(), op, may_be_down);
  if (c.status == Status::Success) {
    psa_sign_hash::Result r;
    r.ParseFromString(c.body);
    c.body = r.signature();
  }
  return c;
}

Call App::verify_hash(const std::string& key, const Algorithm::AsymmetricSignature& alg, const std::string& hash,
                      const std::string& sig) const {
  psa_verify_hash::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_hash(hash);
  op.set_signature(sig);
  return call(socket, Opcode::PsaVerifyHash, provider, auth, auth_bytes(), op, may_be_down);
}

Call App::list_keys() const {
  list_keys::Operation op;
  return call(socket, Opcode::ListKeys, 0, auth, auth_bytes(), op);
}

Algorithm::AsymmetricSignature ecdsa(Algorithm::Hash h) {
  Algorithm::AsymmetricSignature a;
  a.mutable_ecdsa()->mutable_hash_alg()->set_specific(h);
  return a;
}
Algorithm::AsymmetricSignature rsa_pkcs1(Algorithm::Hash h) {
  Algorithm::AsymmetricSignature a;
  a.mutable_rsa_pkcs1v15_sign()->mutable_hash_alg()->set_specific(h);
  return a;
}
Algorithm::AsymmetricSignature rsa_pss(Algorithm::Hash h) {
  Algorithm::AsymmetricSignature a;
  a.mutable_rsa_pss()->mutable_hash_alg()->set_specific(h);
  return a;
}

static psa_key_attributes::KeyAttributes signing_attrs(uint32_t bits, const Algorithm::AsymmetricSignature& alg) {
  psa_key_attributes::KeyAttributes a;
  a.set_key_bits(bits);
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->set_sign_hash(true);
  f->set_verify_hash(true);
  *a.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_signature() = alg;
  return a;
}

psa_key_attributes::KeyAttributes ecc_pair(uint32_t bits, const Algorithm::AsymmetricSignature& alg) {
  auto a = signing_attrs(bits, alg);
  a.mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  return a;
}

psa_key_attributes::KeyAttributes rsa_pair(uint32_t bits, const Algorithm::AsymmetricSignature& alg) {
  auto a = signing_attrs(bits, alg);
  a.mutable_key_type()->mutable_rsa_key_pair();
  return a;
}

std::string sha(int bits, const std::string& data) {
  const EVP_MD* md = bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

bool openssl_verify_ecdsa(const std::string& point, int curve_bits, const std::string& digest,
                          const std::string& raw_sig) {
  const char* group = curve_bits == 256 ? "prime256v1" : curve_bits == 384 ? "secp384r1" : "secp521r1";
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* fctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = EVP_PKEY_fromdata_init(fctx) == 1 && EVP_PKEY_fromdata(fctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(fctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok) {
    return false;
  }
  // PSA signatures are r||s; OpenSSL wants DER.
  size_t half = raw_sig.size() / 2;
  ECDSA_SIG* es = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      es, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()), static_cast<int>(half), nullptr),
      BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()) + half, static_cast<int>(half), nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  EVP_PKEY_CTX* vctx = EVP_PKEY_CTX_new(pkey, nullptr);
  ok = EVP_PKEY_verify_init(vctx) == 1 &&
       EVP_PKEY_verify(vctx, der, static_cast<size_t>(der_len), reinterpret_cast<const unsigned char*>(digest.data()),
                       digest.size()) == 1;
  OPENSSL_free(der);
  EVP_PKEY_CTX_free(vctx);
  EVP_PKEY_free(pkey);
  return ok && raw_sig.size() == static_cast<size_t>(2 * ((curve_bits + 7) / 8));
}

bool openssl_verify_rsa(const std::string& der, const std::string& digest, const std::string& sig, bool pss,
                        int hash_bits) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
  if (!pkey) {
    return false;
  }
  const EVP_MD* md = hash_bits == 256 ? EVP_sha256() : hash_bits == 384 ? EVP_sha384() : EVP_sha512();
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  bool ok = EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
  if (ok && pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  } else if (ok) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

// ---- the other crypto operations -------------------------------------------------

namespace {

// unwrap replaces a successful call's body by one field of its Result.
template <typename ResultMsg, typename Field>
Call unwrap(Call c, Field field) {
  if (c.status == Status::Success) {
    ResultMsg r;
    if (!r.ParseFromString(c.body)) {
      c.status = Status::DeserializingBodyFailed;
      c.body.clear();
      return c;
    }
    c.body = (r.*field)();
  }
  return c;
}

Call app_call(const App& app, Opcode opcode, const google::protobuf::MessageLite& op) {
  return call(app.socket, opcode, app.provider, app.auth, app.auth_bytes(), op);
}

}  // namespace

Call export_key(const App& app, const std::string& key) {
  psa_export_key::Operation op;
  op.set_key_name(key);
  return unwrap<psa_export_key::Result>(app_call(app, Opcode::PsaExportKey, op), &psa_export_key::Result::data);
}

Call sign_message(const App& app, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                  const std::string& message) {
  psa_sign_message::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_message(message);
  return unwrap<psa_sign_message::Result>(app_call(app, Opcode::PsaSignMessage, op),
                                          &psa_sign_message::Result::signature);
}

Call verify_message(const App& app, const std::string& key, const Algorithm::AsymmetricSignature& alg,
                    const std::string& message, const std::string& signature) {
  psa_verify_message::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_message(message);
  op.set_signature(signature);
  return app_call(app, Opcode::PsaVerifyMessage, op);
}

Call asymmetric_encrypt(const App& app, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                        const std::string& plaintext, const std::string& salt) {
  psa_asymmetric_encrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_plaintext(plaintext);
  op.set_salt(salt);
  return unwrap<psa_asymmetric_encrypt::Result>(app_call(app, Opcode::PsaAsymmetricEncrypt, op),
                                                &psa_asymmetric_encrypt::Result::ciphertext);
}

Call asymmetric_decrypt(const App& app, const std::string& key, const Algorithm::AsymmetricEncryption& alg,
                        const std::string& ciphertext, const std::string& salt) {
  psa_asymmetric_decrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_ciphertext(ciphertext);
  op.set_salt(salt);
  return unwrap<psa_asymmetric_decrypt::Result>(app_call(app, Opcode::PsaAsymmetricDecrypt, op),
                                                &psa_asymmetric_decrypt::Result::plaintext);
}

Call aead_encrypt(const App& app, const std::string& key, const Algorithm::Aead& alg, const std::string& nonce,
                  const std::string& additional_data, const std::string& plaintext) {
  psa_aead_encrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_nonce(nonce);
  op.set_additional_data(additional_data);
  op.set_plaintext(plaintext);
  return unwrap<psa_aead_encrypt::Result>(app_call(app, Opcode::PsaAeadEncrypt, op),
                                          &psa_aead_encrypt::Result::ciphertext);
}

Call aead_decrypt(const App& app, const std::string& key, const Algorithm::Aead& alg, const std::string& nonce,
                  const std::string& additional_data, const std::string& ciphertext) {
  psa_aead_decrypt::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_nonce(nonce);
  op.set_additional_data(additional_data);
  op.set_ciphertext(ciphertext);
  return unwrap<psa_aead_decrypt::Result>(app_call(app, Opcode::PsaAeadDecrypt, op),
                                          &psa_aead_decrypt::Result::plaintext);
}

Call cipher_encrypt(const App& app, const std::string& key, Algorithm::Cipher alg, const std::string& plaintext) {
  psa_cipher_encrypt::Operation op;
  op.set_key_name(key);
  op.set_alg(alg);
  op.set_plaintext(plaintext);
  return unwrap<psa_cipher_encrypt::Result>(app_call(app, Opcode::PsaCipherEncrypt, op),
                                            &psa_cipher_encrypt::Result::ciphertext);
}

Call cipher_decrypt(const App& app, const std::string& key, Algorithm::Cipher alg, const std::string& ciphertext) {
  psa_cipher_decrypt::Operation op;
  op.set_key_name(key);
  op.set_alg(alg);
  op.set_ciphertext(ciphertext);
  return unwrap<psa_cipher_decrypt::Result>(app_call(app, Opcode::PsaCipherDecrypt, op),
                                            &psa_cipher_decrypt::Result::plaintext);
}

Call mac_compute(const App& app, const std::string& key, const Algorithm::Mac& alg, const std::string& input) {
  psa_mac_compute::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_input(input);
  return unwrap<psa_mac_compute::Result>(app_call(app, Opcode::PsaMacCompute, op), &psa_mac_compute::Result::mac);
}

Call mac_verify(const App& app, const std::string& key, const Algorithm::Mac& alg, const std::string& input,
                const std::string& mac) {
  psa_mac_verify::Operation op;
  op.set_key_name(key);
  *op.mutable_alg() = alg;
  op.set_input(input);
  op.set_mac(mac);
  return app_call(app, Opcode::PsaMacVerify, op);
}

Call raw_key_agreement(const App& app, const std::string& private_key, Algorithm::KeyAgreement::Raw alg,
                       const std::string& peer_key) {
  psa_raw_key_agreement::Operation op;
  op.set_alg(alg);
  op.set_private_key_name(private_key);
  op.set_peer_key(peer_key);
  return unwrap<psa_raw_key_agreement::Result>(app_call(app, Opcode::PsaRawKeyAgreement, op),
                                               &psa_raw_key_agreement::Result::shared_secret);
}

Call hash_compute(const App& app, Algorithm::Hash alg, const std::string& input) {
  psa_hash_compute::Operation op;
  op.set_alg(alg);
  op.set_input(input);
  return unwrap<psa_hash_compute::Result>(app_call(app, Opcode::PsaHashCompute, op), &psa_hash_compute::Result::hash);
}

Call hash_compare(const App& app, Algorithm::Hash alg, const std::string& input, const std::string& hash) {
  psa_hash_compare::Operation op;
  op.set_alg(alg);
  op.set_input(input);
  op.set_hash(hash);
  return app_call(app, Opcode::PsaHashCompare, op);
}

Call can_do(const App& app, can_do_crypto::CheckType check, const psa_key_attributes::KeyAttributes& attrs) {
  can_do_crypto::Operation op;
  op.set_check_type(check);
  *op.mutable_attributes() = attrs;
  return app_call(app, Opcode::CanDoCrypto, op);
}

Call generate_random(const App& app, uint64_t size) {
  psa_generate_random::Operation op;
  op.set_size(size);
  return unwrap<psa_generate_random::Result>(app_call(app, Opcode::PsaGenerateRandom, op),
                                             &psa_generate_random::Result::random_bytes);
}

Call opcodes_of(const std::string& socket, uint32_t provider_id) {
  list_opcodes::Operation op;
  op.set_provider_id(provider_id);
  return call(socket, Opcode::ListOpcodes, 0, AuthType::NoAuth, "", op);
}

}  // namespace parsec::e2e
