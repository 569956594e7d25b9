// Key handles against the fake server: lookup and generation, default
// algorithms from the policy (Hash::Any resolution), policy refusals before any
// request, the raw/DER signature option, public key encodings and CSRs. The
// fake service signs with a real OpenSSL key so that OpenSSL can check what the
// Key returns.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "list_keys.pb.h"
#include "parsec/client/client.h"
#include "parsec/client/key.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "sdk-cpp/src/convert.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::Captured;
using testing::FakeServer;
using testing::Reply;
using testing::reply_message;
using testing::reply_with;
using testing::response;
using testing::status_response;

Bytes b(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

template <class M>
M body_as(const Captured& c) {
  M m;
  EXPECT_TRUE(m.ParseFromString(c.body));
  return m;
}

list_keys::Result listing(const std::string& name, const KeyAttributes& attributes) {
  list_keys::Result r;
  auto* k = r.add_keys();
  k->set_provider_id(1);
  k->set_name(name);
  detail::attributes_to_proto(attributes, k->mutable_attributes());
  return r;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// EcSigner is the fake service's P-256 key: it answers export_public_key with
// the uncompressed point and sign_hash with r||s, as a PSA provider does.
class EcSigner {
 public:
  EcSigner() : key_(EVP_EC_gen("P-256")) {}

  Bytes point() const {
    Bytes out(65);
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(), &len), 1);
    out.resize(len);
    return out;
  }
  Bytes spki() const {
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key_.get(), &der);
    Bytes out(der, der + n);
    OPENSSL_free(der);
    return out;
  }
  Bytes sign_raw(const Bytes& digest) const {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()), 1);
    Bytes der(len);
    EXPECT_EQ(EVP_PKEY_sign(ctx.get(), der.data(), &len, digest.data(), digest.size()), 1);
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig, &r, &s);
    Bytes raw(64);
    BN_bn2binpad(r, raw.data(), 32);
    BN_bn2binpad(s, raw.data() + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
  }
  bool verify_der(const Bytes& digest, const Bytes& der) const {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    EVP_PKEY_verify_init(ctx.get());
    return EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size()) == 1;
  }
  EVP_PKEY* get() const { return key_.get(); }

 private:
  Pkey key_;
};

// RsaSigner is an RSA-2048 key answering with its PKCS#1 RSAPublicKey and
// PKCS#1 v1.5 signatures over SHA-256 digests.
class RsaSigner {
 public:
  RsaSigner() : key_(EVP_RSA_gen(2048)) {}
  Bytes public_key() const {
    unsigned char* der = nullptr;
    const int n = i2d_PublicKey(key_.get(), &der);
    Bytes out(der, der + n);
    OPENSSL_free(der);
    return out;
  }
  // sign: PKCS#1 v1.5, or PSS with MGF1-SHA-256 and a 32-byte salt.
  Bytes sign(const Bytes& digest, bool pss = false) const {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (pss) {
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32);
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256());
    }
    EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256());
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()), 1);
    Bytes sig(len);
    EXPECT_EQ(EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()), 1);
    sig.resize(len);
    return sig;
  }
  EVP_PKEY* get() const { return key_.get(); }

 private:
  Pkey key_;
};

Bytes sha256(const Bytes& data) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

class KeyTest : public ::testing::Test {
 protected:
  KeyTest() : client_(server_.endpoint(), "app") {
    client_.set_auth_type(AuthType::Direct);
    client_.set_provider(ProviderId::MbedCrypto);
  }
  Key key_with(const std::string& name, const KeyAttributes& a) {
    server_.push(reply_message(Opcode::ListKeys, listing(name, a)));
    return client_.key(name);
  }
  // serve_ec answers export_public_key and sign_hash with `signer`.
  void serve_ec(const EcSigner& signer) {
    server_.set_default([&signer](const Captured& c) {
      if (c.header.opcode == static_cast<uint32_t>(Opcode::PsaSignHash)) {
        psa_sign_hash::Operation op;
        op.ParseFromString(c.body);
        psa_sign_hash::Result r;
        const Bytes sig = signer.sign_raw(Bytes(op.hash().begin(), op.hash().end()));
        r.set_signature(std::string(sig.begin(), sig.end()));
        return Reply{response(Opcode::PsaSignHash, r)};
      }
      psa_export_public_key::Result r;
      const Bytes point = signer.point();
      r.set_data(std::string(point.begin(), point.end()));
      return Reply{response(Opcode::PsaExportPublicKey, r)};
    });
  }
  // serve answers export_public_key with `public_key` and sign_hash with `sign`.
  void serve(Bytes public_key, std::function<Bytes(const Bytes&)> sign) {
    server_.set_default([public_key, sign](const Captured& c) {
      if (c.header.opcode == static_cast<uint32_t>(Opcode::PsaSignHash)) {
        psa_sign_hash::Operation op;
        op.ParseFromString(c.body);
        const Bytes sig = sign(Bytes(op.hash().begin(), op.hash().end()));
        psa_sign_hash::Result r;
        r.set_signature(std::string(sig.begin(), sig.end()));
        return Reply{response(Opcode::PsaSignHash, r)};
      }
      psa_export_public_key::Result r;
      r.set_data(std::string(public_key.begin(), public_key.end()));
      return Reply{response(Opcode::PsaExportPublicKey, r)};
    });
  }
  size_t requests() const { return server_.requests().size(); }
  Captured last() const { return server_.requests().back(); }

  FakeServer server_;
  Client client_;
};

TEST_F(KeyTest, KeyLooksUpItsAttributes) {
  const auto a = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256));
  const Key k = key_with("ecc", a);
  EXPECT_EQ(k.name(), "ecc");
  EXPECT_EQ(k.attributes().type, KeyType::EccKeyPair);
  EXPECT_EQ(k.attributes().policy, Algorithm::ecdsa(Hash::Sha256));
  EXPECT_EQ(last().header.opcode, static_cast<uint32_t>(Opcode::ListKeys));

  server_.push(reply_message(Opcode::ListKeys, listing("ecc", a)));
  try {
    client_.key("other");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorDoesNotExist);
  }
}

TEST_F(KeyTest, GenerateReturnsAHandle) {
  server_.push(reply_with(status_response(Opcode::PsaGenerateKey, Status::Success)));
  const auto a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256));
  const Key k = client_.generate("gen", a);
  EXPECT_EQ(k.name(), "gen");
  EXPECT_EQ(k.attributes(), a);
  const auto op = body_as<psa_generate_key::Operation>(last());
  EXPECT_EQ(op.key_name(), "gen");
  EXPECT_TRUE(op.attributes().key_type().has_rsa_key_pair());

  server_.push(reply_with(status_response(Opcode::PsaGenerateKey, Status::PsaErrorAlreadyExists)));
  EXPECT_THROW(client_.generate("gen", a), Error);
}

TEST_F(KeyTest, AnyHashPolicyIsResolvedPerCall) {
  const Key k = key_with("p384", KeyAttributes::ecc_key_pair(384, Algorithm::ecdsa(Hash::Any)));
  psa_sign_hash::Result sig;
  sig.set_signature(std::string(96, 'S'));
  // A digest chooses its own hash.
  server_.push(reply_message(Opcode::PsaSignHash, sig));
  k.sign_hash(Bytes(32, 1));
  EXPECT_EQ(body_as<psa_sign_hash::Operation>(last()).alg().ecdsa().hash_alg().specific(),
            psa_algorithm::Algorithm::SHA_256);
  // A message is hashed with the hash for the key size (P-384: SHA-384).
  psa_sign_message::Result msig;
  msig.set_signature(std::string(96, 'S'));
  server_.push(reply_message(Opcode::PsaSignMessage, msig));
  k.sign(b("message"));
  EXPECT_EQ(body_as<psa_sign_message::Operation>(last()).alg().ecdsa().hash_alg().specific(),
            psa_algorithm::Algorithm::SHA_384);
  EXPECT_EQ(k.signature_algorithm(), Algorithm::ecdsa(Hash::Sha384));
  EXPECT_EQ(k.signature_algorithm(64), Algorithm::ecdsa(Hash::Sha512));

  // A digest of no known length is refused before any request.
  const size_t before = requests();
  try {
    k.sign_hash(Bytes(33, 1));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorInvalidArgument);
    EXPECT_FALSE(e.from_service());
  }
  EXPECT_EQ(requests(), before);

  const Key rsa = key_with("rsa", KeyAttributes::rsa_key_pair(3072, Algorithm::rsa_pss(Hash::Any)));
  EXPECT_EQ(rsa.signature_algorithm(), Algorithm::rsa_pss(Hash::Sha256));
  const Key fixed = key_with("fixed", KeyAttributes::ecc_key_pair(256, Algorithm::deterministic_ecdsa(Hash::Sha384)));
  EXPECT_EQ(fixed.signature_algorithm(32), Algorithm::deterministic_ecdsa(Hash::Sha384));
}

TEST_F(KeyTest, PolicyMismatchIsRefusedBeforeAnyRequest) {
  const Key enc = key_with("enc", KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_crypt()));
  const Key sig = key_with("sig", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)));
  const size_t before = requests();
  auto expect_invalid = [](const std::function<void()>& f) {
    try {
      f();
      FAIL() << "expected an Error";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), Status::PsaErrorInvalidArgument) << e.what();
      EXPECT_NE(std::string(e.what()).find("policy"), std::string::npos) << e.what();
    }
  };
  expect_invalid([&] { enc.sign(b("m")); });
  expect_invalid([&] { enc.verify_hash(Bytes(32, 0), b("s")); });
  expect_invalid([&] { sig.encrypt(b("pt")); });
  expect_invalid([&] { sig.decrypt(b("ct")); });
  EXPECT_EQ(requests(), before);
  EXPECT_THROW(enc.create_csr(CsrSubject{}), Error);
}

TEST_F(KeyTest, EncryptAndDecryptUseThePolicy) {
  const Key k = key_with("oaep", KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256)));
  psa_asymmetric_encrypt::Result enc;
  enc.set_ciphertext("CT");
  server_.push(reply_message(Opcode::PsaAsymmetricEncrypt, enc));
  EXPECT_EQ(k.encrypt(b("pt"), b("label")), b("CT"));
  const auto op = body_as<psa_asymmetric_encrypt::Operation>(last());
  EXPECT_EQ(op.alg().rsa_oaep().hash_alg(), psa_algorithm::Algorithm::SHA_256);
  EXPECT_EQ(op.plaintext(), "pt");
  EXPECT_EQ(op.salt(), "label");
}

TEST_F(KeyTest, EcdsaSignaturesInDerVerifyWithOpenSsl) {
  EcSigner signer;
  serve_ec(signer);
  const Key k = key_with("ecc", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)));
  const Bytes digest = sha256(b("to be signed"));
  const Bytes raw = k.sign_hash(digest);
  EXPECT_EQ(raw.size(), 64u);
  for (int i = 0; i < 8; ++i) {  // several signatures: some r or s have the top bit set or leading zeros
    const Bytes der = k.sign_hash(digest, SignatureFormat::Der);
    EXPECT_EQ(der[0], 0x30);
    EXPECT_TRUE(signer.verify_der(digest, der));
  }

  // verify_hash with a DER signature sends the raw form to the service.
  const Bytes der = k.sign_hash(digest, SignatureFormat::Der);
  server_.push(reply_with(status_response(Opcode::PsaVerifyHash, Status::Success)));
  EXPECT_TRUE(k.verify_hash(digest, der, SignatureFormat::Der));
  const auto v = body_as<psa_verify_hash::Operation>(last());
  EXPECT_EQ(v.signature().size(), 64u);
  EXPECT_EQ(v.hash(), std::string(digest.begin(), digest.end()));
  // A DER signature that does not parse is simply invalid.
  const size_t before = requests();
  EXPECT_FALSE(k.verify_hash(digest, b("not der"), SignatureFormat::Der));
  EXPECT_EQ(requests(), before);
  // An explicit algorithm bypasses the policy default.
  server_.push(reply_with(status_response(Opcode::PsaVerifyHash, Status::PsaErrorInvalidSignature)));
  EXPECT_FALSE(k.verify_hash(digest, der, Algorithm::deterministic_ecdsa(Hash::Sha256), SignatureFormat::Der));
  EXPECT_TRUE(body_as<psa_verify_hash::Operation>(last()).alg().has_deterministic_ecdsa());
}

TEST_F(KeyTest, RsaSignaturesHaveOneForm) {
  const Key k = key_with("rsa", KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)));
  psa_sign_hash::Result sig;
  sig.set_signature("RSA-SIGNATURE");
  server_.push(reply_message(Opcode::PsaSignHash, sig));
  EXPECT_EQ(k.sign_hash(Bytes(32, 2), SignatureFormat::Der), b("RSA-SIGNATURE"));
}

TEST_F(KeyTest, PublicKeyDerAndPemMatchOpenSsl) {
  EcSigner signer;
  serve_ec(signer);
  const Key k = key_with("ecc", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)));
  EXPECT_EQ(k.export_public_key(), signer.point());
  EXPECT_EQ(k.public_key_der(), signer.spki());
  const std::string pem = k.public_key_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  Pkey parsed(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(EVP_PKEY_eq(parsed.get(), signer.get()), 1);

  // A malformed export is an encoding error, not a plausible key.
  psa_export_public_key::Result bad;
  bad.set_data(std::string("\x04\x01\x02", 3));
  server_.push(reply_message(Opcode::PsaExportPublicKey, bad));
  try {
    k.public_key_der();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding);
  }
}

TEST_F(KeyTest, CsrIsSignedByTheServiceAndVerifies) {
  EcSigner signer;
  serve_ec(signer);
  const Key k = key_with("ecc", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Any)));
  CsrSubject subject;
  subject.common_name = "device-1";
  subject.organization = "Example";
  subject.country = "GB";
  subject.subject_alt_names = {"device-1.example", "192.0.2.7"};
  const Bytes der = k.create_csr(subject);

  const unsigned char* p = der.data();
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())),
                                                          X509_REQ_free);
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), signer.get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(req.get()), signer.get()), 1);
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req.get(), nullptr, &alg);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  EXPECT_EQ(OBJ_obj2nid(oid), NID_ecdsa_with_SHA256);  // Any resolved for a 256-bit key
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "device-1");
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  ASSERT_NE(exts, nullptr);
  EXPECT_EQ(sk_X509_EXTENSION_num(exts), 1);
  EXPECT_EQ(OBJ_obj2nid(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, 0))), NID_subject_alt_name);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

TEST_F(KeyTest, RsaCsrAndPublicKey) {
  RsaSigner signer;
  serve(signer.public_key(), [&signer](const Bytes& digest) { return signer.sign(digest); });
  const Key k = key_with("rsa", KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)));
  const Bytes spki = k.public_key_der();
  const unsigned char* sp = spki.data();
  Pkey parsed(d2i_PUBKEY(nullptr, &sp, static_cast<long>(spki.size())));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(EVP_PKEY_eq(parsed.get(), signer.get()), 1);

  CsrSubject subject;
  subject.common_name = "rsa device";
  const Bytes der = k.create_csr(subject);
  const unsigned char* p = der.data();
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())),
                                                          X509_REQ_free);
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), signer.get()), 1);
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req.get(), nullptr, &alg);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  EXPECT_EQ(OBJ_obj2nid(oid), NID_sha256WithRSAEncryption);
  // No extension request without subject alternative names.
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  EXPECT_TRUE(exts == nullptr || sk_X509_EXTENSION_num(exts) == 0);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

TEST_F(KeyTest, RsaPssCsrVerifies) {
  RsaSigner signer;
  serve(signer.public_key(), [&signer](const Bytes& digest) { return signer.sign(digest, true); });
  // An any-hash PSS policy signs with the hash for the key size (RSA: SHA-256).
  const Key k = key_with("pss", KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pss(Hash::Any)));
  CsrSubject subject;
  subject.common_name = "pss device";
  const Bytes der = k.create_csr(subject);
  const auto sent = body_as<psa_sign_hash::Operation>(last());
  EXPECT_EQ(sent.alg().rsa_pss().hash_alg().specific(), psa_algorithm::Algorithm::SHA_256);
  const unsigned char* p = der.data();
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())),
                                                          X509_REQ_free);
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), signer.get()), 1);
}

TEST_F(KeyTest, CsrSigningFailureKeepsTheServiceError) {
  const Key k = key_with("ecc", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)));
  EcSigner signer;
  psa_export_public_key::Result pub;
  const Bytes point = signer.point();
  pub.set_data(std::string(point.begin(), point.end()));
  server_.push(reply_message(Opcode::PsaExportPublicKey, pub));
  server_.push(reply_with(status_response(Opcode::PsaSignHash, Status::PsaErrorNotPermitted)));
  try {
    k.create_csr(CsrSubject{});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorNotPermitted);
    EXPECT_TRUE(e.from_service());
    EXPECT_EQ(e.operation(), "PsaSignHash");
  }
}

TEST_F(KeyTest, KeyOutlivesTheClientObjectAndDestroys) {
  std::optional<Key> k;
  {
    Client scoped(server_.endpoint(), "app");
    scoped.set_auth_type(AuthType::Direct);
    scoped.set_provider(ProviderId::MbedCrypto);
    server_.push(reply_message(Opcode::ListKeys,
                               listing("k", KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)))));
    k = scoped.key("k");
  }
  server_.push(reply_with(status_response(Opcode::PsaDestroyKey, Status::Success)));
  k->destroy();
  const Captured c = last();
  EXPECT_EQ(c.header.opcode, static_cast<uint32_t>(Opcode::PsaDestroyKey));
  EXPECT_EQ(c.header.provider, 1);  // the Client's settings still apply
  EXPECT_EQ(c.header.auth_type, 1);
  EXPECT_EQ(body_as<psa_destroy_key::Operation>(c).key_name(), "k");
}

}  // namespace
}  // namespace parsec::client
