#include "providers/mbed/tests/test_support.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

namespace parsec::provider::test {
namespace {

namespace fs = std::filesystem;

// Each test process runs in a fresh, empty directory, so "no *.psa_its file
// in the current directory" is checked against a directory Mbed TLS's file
// backend would have written to and nobody else did.
class TempCwdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    previous_ = fs::current_path();
    std::string pattern = (fs::temp_directory_path() / "parsec-mbed-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    fs::current_path(dir_);
  }
  void TearDown() override {
    fs::current_path(previous_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

 private:
  fs::path previous_;
  fs::path dir_;
};

[[maybe_unused]] ::testing::Environment* const kTempCwd = ::testing::AddGlobalTestEnvironment(new TempCwdEnvironment);

struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using EvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using EcdsaSig = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

size_t field_bytes(uint32_t bits) {
  return (bits + 7) / 8;
}

Bytes raw_to_der(const Bytes& raw) {
  const size_t half = raw.size() / 2;
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  ECDSA_SIG_set0(sig.get(), r, s);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes der_to_raw(const Bytes& der, uint32_t bits) {
  const unsigned char* p = der.data();
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) {
    return {};
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  const size_t n = field_bytes(bits);
  Bytes out(2 * n);
  BN_bn2binpad(r, out.data(), static_cast<int>(n));
  BN_bn2binpad(s, out.data() + n, static_cast<int>(n));
  return out;
}

bool is_rsa(EVP_PKEY* key) {
  return EVP_PKEY_is_a(key, "RSA") == 1;
}

bool configure(EVP_PKEY_CTX* ctx, EVP_PKEY* key, const char* md_name, RsaPadding padding) {
  if (EVP_PKEY_CTX_set_signature_md(ctx, EVP_get_digestbyname(md_name)) <= 0) {
    return false;
  }
  if (is_rsa(key)) {
    const int pad = padding == RsaPadding::Pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0) {
      return false;
    }
    // RSA-PSS with a salt as long as the digest, as PSA_ALG_RSA_PSS defines.
    if (padding == RsaPadding::Pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::optional<Bytes>> FakeStorage::get(uint64_t uid) {
  if (fail_reads) {
    return Status::PsaErrorStorageFailure;
  }
  auto it = blobs.find(uid);
  if (it == blobs.end()) {
    return std::optional<Bytes>();
  }
  return std::optional<Bytes>(it->second);
}

Result<uint64_t> FakeStorage::max_uid() {
  if (fail_reads) {
    return Status::PsaErrorStorageFailure;
  }
  return blobs.empty() ? uint64_t{0} : blobs.rbegin()->first;
}

Result<std::vector<uint64_t>> FakeStorage::all_uids() {
  if (fail_reads) {
    return Status::PsaErrorStorageFailure;
  }
  std::vector<uint64_t> uids;
  for (const auto& [uid, blob] : blobs) {
    uids.push_back(uid);
  }
  return uids;
}

std::optional<std::optional<Bytes>> FakeTxn::staged(uint64_t uid) const {
  auto it = staged_.find(uid);
  if (it == staged_.end()) {
    return std::nullopt;
  }
  return std::optional<std::optional<Bytes>>(it->second);
}

void FakeTxn::commit_to(FakeStorage& storage) const {
  for (const auto& [uid, value] : staged_) {
    if (value) {
      storage.blobs[uid] = *value;
    } else {
      storage.blobs.erase(uid);
    }
  }
}

psa::op::SignHash sign_op(const SignAlg& alg, const Bytes& digest) {
  return psa::op::SignHash{"key", alg, digest};
}

psa::op::VerifyHash verify_op(const SignAlg& alg, const Bytes& digest, const Bytes& signature) {
  return psa::op::VerifyHash{"key", alg, digest, signature};
}

StoredKey stored(const CreatedKey& key, const std::string& name) {
  return StoredKey{name, key.key_ref, key.attributes};
}

Bytes digest(const char* md_name, const std::string& message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_Digest(message.data(), message.size(), out.data(), &len, EVP_get_digestbyname(md_name), nullptr);
  out.resize(len);
  return out;
}

const char* curve_name(uint32_t bits) {
  return bits == 384 ? "P-384" : "P-256";
}

EvpPkey ossl_generate_ec(uint32_t bits) {
  return EvpPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_name(bits)));
}

EvpPkey ossl_generate_rsa(uint32_t bits) {
  return EvpPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}

EvpPkey ossl_ec_public_from_point(uint32_t bits, const Bytes& point) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  std::string group = curve_name(bits);
  Bytes pub = point;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return EvpPkey(key);
}

EvpPkey ossl_rsa_public_from_der(const Bytes& der) {
  const unsigned char* p = der.data();
  return EvpPkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
}

Bytes ossl_public_encoding(EVP_PKEY* key) {
  if (is_rsa(key)) {
    unsigned char* der = nullptr;
    const int len = i2d_PublicKey(key, &der);
    if (len <= 0) {
      return {};
    }
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
  }
  Bytes out(256);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(), out.size(), &len) != 1) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes ossl_private_encoding(EVP_PKEY* key, uint32_t ec_bits) {
  if (is_rsa(key)) {
    unsigned char* der = nullptr;
    const int len = i2d_PrivateKey(key, &der);
    if (len <= 0) {
      return {};
    }
    Bytes out(der, der + len);
    OPENSSL_clear_free(der, static_cast<size_t>(len));
    return out;
  }
  BIGNUM* priv = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
    return {};
  }
  Bytes out(field_bytes(ec_bits));
  BN_bn2binpad(priv, out.data(), static_cast<int>(out.size()));
  BN_clear_free(priv);
  return out;
}

bool ossl_verify(EVP_PKEY* key, const char* md_name, const Bytes& digest, const Bytes& signature, RsaPadding padding) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) <= 0 || !configure(ctx.get(), key, md_name, padding)) {
    return false;
  }
  const Bytes sig = is_rsa(key) ? signature : raw_to_der(signature);
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
}

Bytes ossl_sign(EVP_PKEY* key, const char* md_name, const Bytes& digest, RsaPadding padding, uint32_t ec_bits) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 || !configure(ctx.get(), key, md_name, padding)) {
    return {};
  }
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) <= 0) {
    return {};
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) <= 0) {
    return {};
  }
  sig.resize(len);
  return is_rsa(key) ? sig : der_to_raw(sig, ec_bits);
}

EvpPkey ossl_ec_public_named(const char* group, const Bytes& point) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  std::string g = group;
  Bytes pub = point;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, g.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return EvpPkey(key);
}

EvpPkey ossl_generate_named(const char* type, const char* group) {
  if (group == nullptr) {
    return EvpPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  }
  return EvpPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, type, group));
}

EvpPkey ossl_x25519_public(const Bytes& raw) {
  return EvpPkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, raw.data(), raw.size()));
}

Bytes ossl_x25519_raw_private(EVP_PKEY* key) {
  Bytes out(32);
  size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(key, out.data(), &len) != 1) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes ossl_x25519_raw_public(EVP_PKEY* key) {
  Bytes out(32);
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes ossl_derive(EVP_PKEY* own, EVP_PKEY* peer) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(own, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0) {
    return {};
  }
  Bytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) <= 0) {
    return {};
  }
  out.resize(len);
  return out;
}

bool ossl_verify_raw_pkcs1(EVP_PKEY* key, const Bytes& input, const Bytes& signature) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
    return false;
  }
  return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), input.data(), input.size()) == 1;
}

namespace {

bool configure_crypt(EVP_PKEY_CTX* ctx, const char* oaep_md, const Bytes& label) {
  if (oaep_md == nullptr) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
  }
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_get_digestbyname(oaep_md)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_get_digestbyname(oaep_md)) <= 0) {
    return false;
  }
  if (!label.empty()) {
    // OpenSSL takes ownership of the label buffer.
    void* copy = OPENSSL_memdup(label.data(), label.size());
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, static_cast<int>(label.size())) <= 0) {
      OPENSSL_free(copy);
      return false;
    }
  }
  return true;
}

}  // namespace

Bytes ossl_rsa_encrypt(EVP_PKEY* key, const char* oaep_md, const Bytes& label, const Bytes& plaintext) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !configure_crypt(ctx.get(), oaep_md, label) ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) <= 0) {
    return {};
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) <= 0) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes ossl_rsa_decrypt(EVP_PKEY* key, const char* oaep_md, const Bytes& label, const Bytes& ciphertext) {
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !configure_crypt(ctx.get(), oaep_md, label) ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ciphertext.data(), ciphertext.size()) <= 0) {
    return {};
  }
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) <= 0) {
    return {};
  }
  out.resize(len);
  return out;
}

Bytes ossl_raw_rsa(EVP_PKEY* key, const Bytes& block) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    return {};
  }
  BN_CTX* bn_ctx = BN_CTX_new();
  BIGNUM* m = BN_bin2bn(block.data(), static_cast<int>(block.size()), nullptr);
  BIGNUM* c = BN_new();
  Bytes out(static_cast<size_t>(BN_num_bytes(n)));
  const bool ok = BN_mod_exp(c, m, e, n, bn_ctx) == 1 &&
                  BN_bn2binpad(c, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size());
  BN_free(c);
  BN_free(m);
  BN_CTX_free(bn_ctx);
  BN_free(e);
  BN_free(n);
  return ok ? out : Bytes{};
}

namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};

}  // namespace

Bytes ossl_cipher(const char* name, bool encrypt, const Bytes& key, const Bytes& iv, const Bytes& in, bool padding) {
  std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx ||
      EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), iv.empty() ? nullptr : iv.data(), encrypt ? 1 : 0,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), padding ? 1 : 0) != 1) {
    return {};
  }
  Bytes out(in.size() + 64);
  int len = 0;
  int fin = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    return {};
  }
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

namespace {

bool aead_init(EVP_CIPHER_CTX* ctx, EVP_CIPHER* cipher, bool encrypt, const Bytes& key, const Bytes& nonce,
               size_t tag_length, const Bytes* tag, size_t in_len) {
  const bool ccm = EVP_CIPHER_get_mode(cipher) == EVP_CIPH_CCM_MODE;
  if (EVP_CipherInit_ex2(ctx, cipher, nullptr, nullptr, encrypt ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1) {
    return false;
  }
  if (ccm || !encrypt) {
    void* t = tag != nullptr ? const_cast<uint8_t*>(tag->data()) : nullptr;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_length), t) != 1) {
      return false;
    }
  }
  if (EVP_CipherInit_ex2(ctx, nullptr, key.data(), nonce.data(), encrypt ? 1 : 0, nullptr) != 1) {
    return false;
  }
  int len = 0;
  // CCM needs the total length up front.
  return !ccm || EVP_CipherUpdate(ctx, nullptr, &len, nullptr, static_cast<int>(in_len)) == 1;
}

}  // namespace

Bytes ossl_aead_encrypt(const char* name, const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& in,
                        size_t tag_length) {
  std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx || !aead_init(ctx.get(), cipher.get(), true, key, nonce, tag_length, nullptr, in.size())) {
    return {};
  }
  int len = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return {};
  }
  Bytes out(in.size() + tag_length);
  int fin = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_length), out.data() + in.size()) !=
          1) {
    return {};
  }
  return out;
}

std::optional<Bytes> ossl_aead_decrypt(const char* name, const Bytes& key, const Bytes& nonce, const Bytes& aad,
                                       const Bytes& in, size_t tag_length) {
  if (in.size() < tag_length) {
    return std::nullopt;
  }
  const Bytes body(in.begin(), in.end() - static_cast<std::ptrdiff_t>(tag_length));
  const Bytes tag(in.end() - static_cast<std::ptrdiff_t>(tag_length), in.end());
  std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx || !aead_init(ctx.get(), cipher.get(), false, key, nonce, tag_length, &tag, body.size())) {
    return std::nullopt;
  }
  const bool ccm = EVP_CIPHER_get_mode(cipher.get()) == EVP_CIPH_CCM_MODE;
  int len = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return std::nullopt;
  }
  Bytes out(body.size() + 16);
  // For CCM the tag is checked by the update; for GCM/ChaCha by the final.
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, body.data(), static_cast<int>(body.size())) != 1) {
    return std::nullopt;
  }
  int fin = 0;
  if (!ccm && EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

Bytes ossl_hmac(const char* md_name, const Bytes& key, const Bytes& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (HMAC(EVP_get_digestbyname(md_name), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    return {};
  }
  out.resize(len);
  return out;
}

std::vector<std::string> its_files_in_cwd() {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(fs::current_path())) {
    if (entry.path().extension() == ".psa_its") {
      found.push_back(entry.path().filename().string());
    }
  }
  return found;
}

}  // namespace parsec::provider::test
