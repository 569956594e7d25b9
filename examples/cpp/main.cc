// examples/cpp/main.cc - sign with a key held by the Parsec service, verify
// with OpenSSL.
//
// Connects to the service (PARSEC_SERVICE_ENDPOINT, else
// unix:/run/parsec/parsec.sock), pings it, creates an ECDSA P-256 key, signs
// the SHA-256 hash of a message, exports the public key, checks the signature
// with OpenSSL, and destroys the key. Prints each step; exits 1 on any failure.
// Single-threaded.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <parsec/client/client.h>

namespace {

using parsec::client::Algorithm;
using parsec::client::Bytes;
using parsec::client::Client;
using parsec::client::KeyAttributes;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

Bytes sha256(const std::string& message) {
  Bytes digest(32);
  unsigned int len = 0;
  if (EVP_Digest(message.data(), message.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return digest;
}

// The service exports an ECC public key as the uncompressed point 04||X||Y and
// returns an ECDSA signature as r||s; OpenSSL wants a key object and DER.
bool openssl_verify(const Bytes& public_point, const Bytes& hash, const Bytes& raw_signature) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(), public_point.size()) !=
          1) {
    throw std::runtime_error("OpenSSL: cannot build the key parameters");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr from_ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!params || !from_ctx || EVP_PKEY_fromdata_init(from_ctx.get()) != 1 ||
      EVP_PKEY_fromdata(from_ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    throw std::runtime_error("OpenSSL: the exported public key is not a P-256 point");
  }
  PkeyPtr key(raw_key);

  if (raw_signature.size() != 64) {
    throw std::runtime_error("the signature is " + std::to_string(raw_signature.size()) + " bytes, not r||s (64)");
  }
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw_signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw_signature.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw std::runtime_error("OpenSSL: cannot build the signature");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) {
    throw std::runtime_error("OpenSSL: cannot encode the signature");
  }
  const Bytes der_signature(der, der + der_len);
  OPENSSL_free(der);

  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    throw std::runtime_error("OpenSSL: cannot start the verification");
  }
  return EVP_PKEY_verify(ctx.get(), der_signature.data(), der_signature.size(), hash.data(), hash.size()) == 1;
}

std::string hex(const Bytes& bytes, size_t max_bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  if (bytes.size() > max_bytes) {
    out += "...";
  }
  return out;
}

int run() {
  Client client;  // endpoint from PARSEC_SERVICE_ENDPOINT
  std::printf("endpoint: %s\n", client.endpoint().uri().c_str());

  const auto version = client.ping();
  std::printf("ping: wire protocol %u.%u\n", version.major, version.minor);

  const std::string key_name = "parsec-cpp-example-" + std::to_string(getpid());
  const Algorithm alg = Algorithm::ecdsa(parsec::client::Hash::Sha256);
  client.generate_key(key_name, KeyAttributes::ecc_key_pair(256, alg));
  std::printf("created key %s: ECDSA P-256 (SHA-256) on provider %u\n", key_name.c_str(),
              static_cast<unsigned>(client.provider()));

  int status = 1;
  try {
    const std::string message = "Signed by a key that never left the Parsec service.";
    const Bytes hash = sha256(message);
    const Bytes signature = client.sign_hash(key_name, alg, hash);
    std::printf("signed SHA-256(\"%s\"): %zu-byte signature %s\n", message.c_str(), signature.size(),
                hex(signature, 16).c_str());

    const Bytes public_key = client.export_public_key(key_name);
    std::printf("exported public key: %zu bytes %s\n", public_key.size(), hex(public_key, 16).c_str());

    if (openssl_verify(public_key, hash, signature)) {
      std::printf("OpenSSL: signature verified\n");
      status = 0;
    } else {
      std::fprintf(stderr, "OpenSSL: the signature does NOT verify\n");
    }
  } catch (...) {
    try {
      client.destroy_key(key_name);  // best effort: report the first failure
    } catch (...) {
    }
    throw;
  }
  client.destroy_key(key_name);
  std::printf("destroyed key %s\n", key_name.c_str());
  return status;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const parsec::client::Error& e) {
    std::fprintf(stderr, "parsec-example: %s (status %s)\n", e.what(), e.status_name());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parsec-example: %s\n", e.what());
  }
  return 1;
}
