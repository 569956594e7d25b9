// parsec-cli's helpers for the key, hash and CSR commands: hash names, hex,
// UTF-8 repair, key files to the PSA import format, PSA exports to PEM, and
// certificate requests signed through a callback (checked with OpenSSL).
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "sdk-cpp/cli/crypto_support.h"
#include "sdk-cpp/cli/csr.h"
#include "sdk-cpp/cli/key_formats.h"

namespace parsec::cli {
namespace {

using client::Algorithm;
using client::EccFamily;
using client::Hash;
using client::KeyAttributes;
using client::KeyType;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ReqFree {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
using Req = std::unique_ptr<X509_REQ, ReqFree>;

Bytes b(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

Bytes der_of(int (*i2d)(const EVP_PKEY*, unsigned char**), const EVP_PKEY* key) {
  unsigned char* out = nullptr;
  const int n = i2d(key, &out);
  EXPECT_GT(n, 0);
  Bytes v(out, out + n);
  OPENSSL_free(out);
  return v;
}

// pem_of writes a key with one of OpenSSL's PEM writers.
template <typename Writer>
Bytes pem_of(Writer write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get()), 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return Bytes(data, data + n);
}

Pkey read_private_pem(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Bytes ec_scalar(const EVP_PKEY* key, size_t len) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
  Bytes out(len);
  EXPECT_GT(BN_bn2binpad(bn, out.data(), static_cast<int>(len)), 0);
  BN_free(bn);
  return out;
}

// ---- hex, hash names, UTF-8 -------------------------------------------------------

TEST(HexEncode, Lowercase) {
  EXPECT_EQ(hex_encode(Bytes{}), "");
  EXPECT_EQ(hex_encode(Bytes{0x00, 0x0f, 0xab, 0xff}), "000fabff");
}

TEST(HashFromName, AcceptsTheUsualSpellings) {
  EXPECT_EQ(hash_from_name("sha256"), Hash::Sha256);
  EXPECT_EQ(hash_from_name("SHA-256"), Hash::Sha256);
  EXPECT_EQ(hash_from_name("Sha256"), Hash::Sha256);
  EXPECT_EQ(hash_from_name("sha224"), Hash::Sha224);
  EXPECT_EQ(hash_from_name("sha384"), Hash::Sha384);
  EXPECT_EQ(hash_from_name("SHA512"), Hash::Sha512);
  EXPECT_EQ(hash_from_name("sha512-224"), Hash::Sha512_224);
  EXPECT_EQ(hash_from_name("Sha512_256"), Hash::Sha512_256);
  EXPECT_EQ(hash_from_name("sha3-256"), Hash::Sha3_256);
  EXPECT_EQ(hash_from_name("Sha3_512"), Hash::Sha3_512);
  EXPECT_EQ(hash_from_name("sha1"), Hash::Sha1);
  EXPECT_EQ(hash_from_name("MD5"), Hash::Md5);
  EXPECT_EQ(hash_from_name("ripemd160"), Hash::Ripemd160);
  EXPECT_THROW(hash_from_name("sha999"), CliError);
  EXPECT_THROW(hash_from_name(""), CliError);
  EXPECT_THROW(hash_from_name("any"), CliError);
}

TEST(Utf8Lossy, KeepsValidTextAndReplacesMaximalSubparts) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(utf8_lossy(b("plain text")), "plain text");
  EXPECT_EQ(utf8_lossy(b("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91")), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91");
  EXPECT_EQ(utf8_lossy(b("a\xFF"
                         "b")),
            "a" + fffd + "b");
  // A truncated 4-byte sequence is one replacement.
  EXPECT_EQ(utf8_lossy(b("\xF0\x9F\x94"
                         "A")),
            fffd + "A");
  // Overlong lead byte and a lone continuation byte: one each.
  EXPECT_EQ(utf8_lossy(b("\xC0\xAF")), fffd + fffd);
  // A surrogate: ED is valid only with 80..9F next.
  EXPECT_EQ(utf8_lossy(b("\xED\xA0\x80")), fffd + fffd + fffd);
  EXPECT_EQ(utf8_lossy(b("x\xE2\x82")), "x" + fffd);
  EXPECT_EQ(utf8_lossy(Bytes{0x00, 0x41}), std::string("\0A", 2));
}

// ---- key files ------------------------------------------------------------------------

TEST(ParseKeyFile, EccKeyPairInEveryContainer) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  const Bytes scalar = ec_scalar(key.get(), 32);
  const Bytes pkcs8_pem =
      pem_of([&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  const Bytes sec1_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  std::string with_params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
  with_params.append(sec1_pem.begin(), sec1_pem.end());
  const Bytes pkcs8_der = [&] {
    unsigned char* out = nullptr;
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key.get());
    const int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &out);
    PKCS8_PRIV_KEY_INFO_free(p8);
    Bytes v(out, out + n);
    OPENSSL_free(out);
    return v;
  }();
  for (const Bytes& file : {pkcs8_pem, sec1_pem, b(with_params), pkcs8_der, der_of(&i2d_PrivateKey, key.get())}) {
    const ParsedKey k = parse_key_file(file);
    EXPECT_EQ(k.type, KeyType::EccKeyPair);
    EXPECT_EQ(k.family, EccFamily::SecpR1);
    EXPECT_EQ(k.bits, 256u);
    EXPECT_EQ(k.data.bytes(), scalar);
  }
}

TEST(ParseKeyFile, EccPublicKeyIsUncompressed) {
  Pkey key(EVP_EC_gen("P-384"));
  ASSERT_TRUE(key);
  const Bytes point = der_of(&i2d_PublicKey, key.get());  // uncompressed by default
  ASSERT_EQ(point.size(), 97u);
  const ParsedKey k = parse_key_file(pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); }));
  EXPECT_EQ(k.type, KeyType::EccPublicKey);
  EXPECT_EQ(k.family, EccFamily::SecpR1);
  EXPECT_EQ(k.bits, 384u);
  EXPECT_EQ(k.data.bytes(), point);
  // A compressed point in the SubjectPublicKeyInfo.
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
  const Bytes compressed_spki = der_of(&i2d_PUBKEY, key.get());
  const ParsedKey c = parse_key_file(compressed_spki);
  EXPECT_EQ(c.data.bytes(), point);
}

TEST(ParseKeyFile, RsaKeys) {
  Pkey key(EVP_RSA_gen(1024));
  ASSERT_TRUE(key);
  const Bytes rsa_private = der_of(&i2d_PrivateKey, key.get());
  const Bytes rsa_public = der_of(&i2d_PublicKey, key.get());
  for (const Bytes& file :
       {pem_of(
            [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); }),
        pem_of([&](BIO* bio) {
          return PEM_write_bio_PrivateKey_traditional(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
        }),
        rsa_private}) {
    const ParsedKey k = parse_key_file(file);
    EXPECT_EQ(k.type, KeyType::RsaKeyPair);
    EXPECT_EQ(k.bits, 1024u);
    EXPECT_EQ(k.data.bytes(), rsa_private);
  }
  const std::string pkcs1_pub = pem_encode("RSA PUBLIC KEY", rsa_public);
  for (const Bytes& file : {pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); }), b(pkcs1_pub),
                            rsa_public, der_of(&i2d_PUBKEY, key.get())}) {
    const ParsedKey k = parse_key_file(file);
    EXPECT_EQ(k.type, KeyType::RsaPublicKey);
    EXPECT_EQ(k.bits, 1024u);
    EXPECT_EQ(k.data.bytes(), rsa_public);
  }
}

TEST(ParseKeyFile, RefusesWhatItCannotImport) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  const Bytes encrypted = pem_of([&](BIO* bio) {
    return PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                         const_cast<char*>("secret"));
  });
  try {
    parse_key_file(encrypted);
    ADD_FAILURE() << "an encrypted key was accepted";
  } catch (const CliError& e) {
    EXPECT_NE(std::string(e.what()).find("encrypted"), std::string::npos) << e.what();
  }
  Pkey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed);
  try {
    parse_key_file(pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, ed.get()); }));
    ADD_FAILURE() << "an Ed25519 key was accepted";
  } catch (const CliError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported key algorithm"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_key_file(Bytes{}), CliError);
  EXPECT_THROW(parse_key_file(b("not a key at all")), CliError);
  EXPECT_THROW(parse_key_file(b("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")), CliError);
  EXPECT_THROW(parse_key_file(b("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")), CliError);
  // Trailing garbage after a DER key.
  Bytes der = der_of(&i2d_PUBKEY, key.get());
  der.push_back(0);
  EXPECT_THROW(parse_key_file(der), CliError);
}

// ---- PSA exports to PEM ---------------------------------------------------------------

TEST(PrivateKeyPem, RsaPkcs8AndPkcs1) {
  Pkey key(EVP_RSA_gen(1024));
  ASSERT_TRUE(key);
  const Bytes psa = der_of(&i2d_PrivateKey, key.get());
  const KeyAttributes attrs = KeyAttributes::rsa_key_pair(1024, Algorithm::rsa_pkcs1v15_crypt());
  const std::string pkcs8 = private_key_pem(attrs, psa, false);
  EXPECT_EQ(pkcs8.find("-----BEGIN PRIVATE KEY-----\n"), 0u) << pkcs8;
  Pkey back = read_private_pem(pkcs8);
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), key.get()), 1);
  EXPECT_EQ(der_of(&i2d_PrivateKey, back.get()), psa);
  const std::string pkcs1 = private_key_pem(attrs, psa, true);
  EXPECT_EQ(pkcs1, pem_encode("RSA PRIVATE KEY", psa));
  EXPECT_THROW(private_key_pem(attrs, b("garbage"), false), CliError);
}

TEST(PrivateKeyPem, EccPkcs8CarriesThePublicKey) {
  for (const auto& [curve, bits] : {std::pair{"P-256", 256u}, {"P-384", 384u}, {"P-521", 521u}}) {
    Pkey key(EVP_EC_gen(curve));
    ASSERT_TRUE(key);
    const size_t len = (bits + 7) / 8;
    const Bytes scalar = ec_scalar(key.get(), len);
    const KeyAttributes attrs = KeyAttributes::ecc_key_pair(bits, Algorithm::ecdsa(Hash::Sha256));
    const std::string pem = private_key_pem(attrs, scalar, false);
    EXPECT_EQ(pem.find("-----BEGIN PRIVATE KEY-----\n"), 0u) << pem;
    Pkey back = read_private_pem(pem);
    ASSERT_TRUE(back) << curve;
    EXPECT_EQ(EVP_PKEY_eq(back.get(), key.get()), 1) << curve;  // same curve and public point
    EXPECT_EQ(ec_scalar(back.get(), len), scalar) << curve;
    EXPECT_THROW(private_key_pem(attrs, scalar, true), CliError);
    EXPECT_THROW(private_key_pem(attrs, Bytes(scalar.begin() + 1, scalar.end()), false), CliError);
  }
  const KeyAttributes k1 = KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256), EccFamily::SecpK1);
  Pkey key(EVP_EC_gen("secp256k1"));
  ASSERT_TRUE(key);
  Pkey back = read_private_pem(private_key_pem(k1, ec_scalar(key.get(), 32), false));
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), key.get()), 1);
}

TEST(PrivateKeyPem, OtherTypesHaveNoPem) {
  const KeyAttributes aes = KeyAttributes::of_type(KeyType::Aes, 128, Algorithm::aead_gcm());
  try {
    private_key_pem(aes, Bytes(16, 1), false);
    ADD_FAILURE();
  } catch (const CliError& e) {
    EXPECT_NE(std::string(e.what()).find("--psa"), std::string::npos) << e.what();
  }
}

TEST(PublicKeyPem, SpkiOrPkcs1) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  const KeyAttributes ecc = KeyAttributes::ecc_public_key(256, Algorithm::ecdsa(Hash::Sha256));
  EXPECT_EQ(public_key_pem(ecc, der_of(&i2d_PublicKey, key.get()), false),
            pem_encode("PUBLIC KEY", der_of(&i2d_PUBKEY, key.get())));
  EXPECT_THROW(public_key_pem(ecc, der_of(&i2d_PublicKey, key.get()), true), CliError);
  const KeyAttributes aes = KeyAttributes::of_type(KeyType::Aes, 128, Algorithm::aead_gcm());
  EXPECT_THROW(public_key_pem(aes, Bytes(16), false), CliError);
}

// ---- certificate requests ---------------------------------------------------------

// local_signer signs digests with an OpenSSL key the way a PSA back end does
// (for PSS: salt of pss_salt_length), returning the X.509 signature form.
SignDigest local_signer(EVP_PKEY* key, CsrScheme scheme, Hash hash, int* calls = nullptr) {
  return [=](const Bytes& digest) {
    if (calls != nullptr) {
      ++*calls;
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    EXPECT_EQ(EVP_PKEY_sign_init(ctx), 1);
    const EVP_MD* md = hash == Hash::Sha256   ? EVP_sha256()
                       : hash == Hash::Sha384 ? EVP_sha384()
                       : hash == Hash::Sha512 ? EVP_sha512()
                                              : EVP_sha224();
    EXPECT_EQ(EVP_PKEY_CTX_set_signature_md(ctx, md), 1);
    if (scheme == CsrScheme::RsaPss) {
      EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
      EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(
                    ctx, static_cast<int>(pss_salt_length(hash, static_cast<uint32_t>(EVP_PKEY_get_bits(key))))),
                1);
    } else if (scheme == CsrScheme::RsaPkcs1v15) {
      EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    }
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_sign(ctx, nullptr, &len, digest.data(), digest.size()), 1);
    Bytes sig(len);
    EXPECT_EQ(EVP_PKEY_sign(ctx, sig.data(), &len, digest.data(), digest.size()), 1);
    sig.resize(len);
    EVP_PKEY_CTX_free(ctx);
    return sig;  // ECDSA: already a DER Ecdsa-Sig-Value
  };
}

Req parse_req(const Bytes& der) {
  const unsigned char* p = der.data();
  Req req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_TRUE(req);
  EXPECT_EQ(p, der.data() + der.size()) << "trailing bytes after the request";
  return req;
}

std::string subject_of(X509_REQ* req) {
  char buf[512];
  X509_NAME_oneline(X509_REQ_get_subject_name(req), buf, sizeof buf);
  return buf;
}

// sig_alg_text renders the signature AlgorithmIdentifier as OpenSSL prints it.
std::string sig_alg_text(X509_REQ* req) {
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req, nullptr, &alg);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_signature_print(bio.get(), alg, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Bytes spki_of(EVP_PKEY* key) {
  return der_of(&i2d_PUBKEY, key);
}

CsrFields all_fields() {
  CsrFields f;
  f.common_name = "parallaxsecond.com";
  f.organizational_unit = "Unit";
  f.organization = "Org\xC3\xA9";
  f.locality = "Cambridge";
  f.state = "Cambs";
  f.country = "GB";
  f.serial_number = "EZ4U2CIXL";
  f.subject_alt_names = {"localhost", "127.0.0.1", "::1", "example.com"};
  return f;
}

TEST(CreateCsr, EcdsaP256WithEverySubjectField) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  int calls = 0;
  const Bytes der = create_csr(all_fields(), spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha256,
                               local_signer(key.get(), CsrScheme::Ecdsa, Hash::Sha256, &calls));
  EXPECT_EQ(calls, 1);
  Req req = parse_req(der);
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1);
  EXPECT_EQ(X509_REQ_get_version(req.get()), 0);
  // The reference tool's order.
  EXPECT_EQ(subject_of(req.get()),
            "/CN=parallaxsecond.com/OU=Unit/O=Org\\xC3\\xA9/L=Cambridge/ST=Cambs/C=GB/serialNumber=EZ4U2CIXL");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  auto type_of = [&](int nid) {
    const int i = X509_NAME_get_index_by_NID(name, nid, -1);
    return ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  };
  EXPECT_EQ(type_of(NID_commonName), V_ASN1_UTF8STRING);
  EXPECT_EQ(type_of(NID_organizationName), V_ASN1_UTF8STRING);
  EXPECT_EQ(type_of(NID_countryName), V_ASN1_PRINTABLESTRING);
  EXPECT_EQ(type_of(NID_serialNumber), V_ASN1_PRINTABLESTRING);

  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  ASSERT_NE(exts, nullptr);
  ASSERT_EQ(sk_X509_EXTENSION_num(exts), 1);
  X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, 0);
  EXPECT_EQ(OBJ_obj2nid(X509_EXTENSION_get_object(ext)), NID_subject_alt_name);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext), 0);
  auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 4);
  const GENERAL_NAME* dns = sk_GENERAL_NAME_value(names, 0);
  ASSERT_EQ(dns->type, GEN_DNS);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns->d.dNSName))), "localhost");
  const GENERAL_NAME* v4 = sk_GENERAL_NAME_value(names, 1);
  ASSERT_EQ(v4->type, GEN_IPADD);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(v4->d.iPAddress), ASN1_STRING_get0_data(v4->d.iPAddress) + 4),
            (Bytes{127, 0, 0, 1}));
  const GENERAL_NAME* v6 = sk_GENERAL_NAME_value(names, 2);
  ASSERT_EQ(v6->type, GEN_IPADD);
  EXPECT_EQ(ASN1_STRING_length(v6->d.iPAddress), 16);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 3)->type, GEN_DNS);
  GENERAL_NAMES_free(names);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  EXPECT_NE(sig_alg_text(req.get()).find("ecdsa-with-SHA256"), std::string::npos);
}

TEST(CreateCsr, EcdsaP384Sha384) {
  Pkey key(EVP_EC_gen("P-384"));
  ASSERT_TRUE(key);
  CsrFields f;
  f.common_name = "p384";
  Req req = parse_req(create_csr(f, spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha384,
                                 local_signer(key.get(), CsrScheme::Ecdsa, Hash::Sha384)));
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1);
  EXPECT_NE(sig_alg_text(req.get()).find("ecdsa-with-SHA384"), std::string::npos);
  // No SAN: no extension request at all (empty attributes).
  EXPECT_EQ(X509_REQ_get_attr_count(req.get()), 0);
}

TEST(CreateCsr, RsaPkcs1v15) {
  Pkey key(EVP_RSA_gen(2048));
  ASSERT_TRUE(key);
  for (Hash h : {Hash::Sha256, Hash::Sha384, Hash::Sha512}) {
    Req req = parse_req(create_csr(all_fields(), spki_of(key.get()), CsrScheme::RsaPkcs1v15, h,
                                   local_signer(key.get(), CsrScheme::RsaPkcs1v15, h)));
    ASSERT_TRUE(req);
    EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1) << client::hash_name(h);
    const X509_ALGOR* alg = nullptr;
    X509_REQ_get0_signature(req.get(), nullptr, &alg);
    const ASN1_OBJECT* oid = nullptr;
    int ptype = 0;
    X509_ALGOR_get0(&oid, &ptype, nullptr, alg);
    EXPECT_EQ(ptype, V_ASN1_NULL);  // sha*WithRSAEncryption carry NULL parameters
    EXPECT_EQ(OBJ_obj2nid(oid), h == Hash::Sha256   ? NID_sha256WithRSAEncryption
                                : h == Hash::Sha384 ? NID_sha384WithRSAEncryption
                                                    : NID_sha512WithRSAEncryption);
  }
}

TEST(CreateCsr, RsaPssParameters) {
  Pkey key(EVP_RSA_gen(2048));
  ASSERT_TRUE(key);
  Req req = parse_req(create_csr(all_fields(), spki_of(key.get()), CsrScheme::RsaPss, Hash::Sha256,
                                 local_signer(key.get(), CsrScheme::RsaPss, Hash::Sha256)));
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1);
  const std::string text = sig_alg_text(req.get());
  EXPECT_NE(text.find("rsassaPss"), std::string::npos) << text;
  EXPECT_NE(text.find("Hash Algorithm: sha256"), std::string::npos) << text;
  EXPECT_NE(text.find("Mask Algorithm: mgf1 with sha256"), std::string::npos) << text;
  EXPECT_NE(text.find("Salt Length: 0x20"), std::string::npos) << text;
  EXPECT_NE(text.find("Trailer Field: 0x01 (default)"), std::string::npos) << text;

  // A 1024-bit key with SHA-512: the salt is capped to what fits (62 bytes).
  Pkey small(EVP_RSA_gen(1024));
  ASSERT_TRUE(small);
  Req capped = parse_req(create_csr(all_fields(), spki_of(small.get()), CsrScheme::RsaPss, Hash::Sha512,
                                    local_signer(small.get(), CsrScheme::RsaPss, Hash::Sha512)));
  ASSERT_TRUE(capped);
  EXPECT_EQ(X509_REQ_verify(capped.get(), small.get()), 1);
  EXPECT_NE(sig_alg_text(capped.get()).find("Salt Length: 0x3E"), std::string::npos) << sig_alg_text(capped.get());
}

TEST(CreateCsr, EmptySubjectMakesTheSanCritical) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  CsrFields f;
  f.subject_alt_names = {"only.example"};
  Req req = parse_req(create_csr(f, spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha256,
                                 local_signer(key.get(), CsrScheme::Ecdsa, Hash::Sha256)));
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1);
  EXPECT_EQ(X509_NAME_entry_count(X509_REQ_get_subject_name(req.get())), 0);
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  ASSERT_EQ(sk_X509_EXTENSION_num(exts), 1);
  EXPECT_EQ(X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(exts, 0)), 1);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

TEST(CreateCsr, RefusesBadFieldsAndBadSignatures) {
  Pkey key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  const SignDigest sign = local_signer(key.get(), CsrScheme::Ecdsa, Hash::Sha256);
  auto fails = [&](const CsrFields& f, const std::string& needle) {
    try {
      create_csr(f, spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha256, sign);
      ADD_FAILURE() << "accepted; expected: " << needle;
    } catch (const CliError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  CsrFields f;
  f.country = "GBR";
  fails(f, "--c");
  f = CsrFields{};
  f.serial_number = "A_B";
  fails(f, "--serialNumber");
  f = CsrFields{};
  f.common_name = "bad\xFF";
  fails(f, "UTF-8");
  f = CsrFields{};
  f.subject_alt_names = {"two words"};
  fails(f, "--san");
  f = CsrFields{};
  f.subject_alt_names = {""};
  fails(f, "--san");
  // A signature by another key does not verify: refused, never printed.
  Pkey other(EVP_EC_gen("P-256"));
  try {
    create_csr(all_fields(), spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha256,
               local_signer(other.get(), CsrScheme::Ecdsa, Hash::Sha256));
    ADD_FAILURE() << "a wrong signature was accepted";
  } catch (const CliError& e) {
    EXPECT_NE(std::string(e.what()).find("does not verify"), std::string::npos) << e.what();
  }
  // Scheme and key type must agree.
  EXPECT_THROW(create_csr(all_fields(), spki_of(key.get()), CsrScheme::RsaPss, Hash::Sha256, sign), CliError);
  EXPECT_THROW(create_csr(all_fields(), spki_of(key.get()), CsrScheme::Ecdsa, Hash::Sha1, sign), CliError);
}

TEST(CsrSigning, FollowsThePolicy) {
  auto signing = [](const Algorithm& policy, KeyType type = KeyType::RsaKeyPair) {
    KeyAttributes a = KeyAttributes::rsa_key_pair(2048, policy);
    a.type = type;
    return csr_signing(a);
  };
  CsrSigning s = signing(Algorithm::rsa_pkcs1v15_sign(Hash::Sha384));
  EXPECT_EQ(s.scheme, CsrScheme::RsaPkcs1v15);
  EXPECT_EQ(s.hash, Hash::Sha384);
  EXPECT_EQ(s.sign_alg, Algorithm::rsa_pkcs1v15_sign(Hash::Sha384));
  s = signing(Algorithm::rsa_pss(Hash::Any));
  EXPECT_EQ(s.scheme, CsrScheme::RsaPss);
  EXPECT_EQ(s.hash, Hash::Sha256);
  EXPECT_EQ(s.sign_alg, Algorithm::rsa_pss(Hash::Sha256));
  s = signing(Algorithm::ecdsa(Hash::Sha256), KeyType::EccKeyPair);
  EXPECT_EQ(s.scheme, CsrScheme::Ecdsa);
  EXPECT_EQ(s.sign_alg, Algorithm::ecdsa(Hash::Sha256));
  s = signing(Algorithm::deterministic_ecdsa(Hash::Sha512), KeyType::EccKeyPair);
  EXPECT_EQ(s.hash, Hash::Sha512);
  EXPECT_EQ(s.sign_alg, Algorithm::deterministic_ecdsa(Hash::Sha512));
  s = signing(Algorithm::ecdsa_any(), KeyType::EccKeyPair);
  EXPECT_EQ(s.hash, Hash::Sha256);
  EXPECT_EQ(s.sign_alg, Algorithm::ecdsa_any());
  EXPECT_THROW(signing(Algorithm::rsa_pkcs1v15_sign_raw()), CliError);
  EXPECT_THROW(signing(Algorithm::rsa_pkcs1v15_crypt()), CliError);
  EXPECT_THROW(signing(Algorithm::rsa_pss(Hash::Sha1)), CliError);
  EXPECT_THROW(signing(Algorithm::ecdsa(Hash::Sha256), KeyType::EccPublicKey), CliError);
}

TEST(PssSaltLength, HashLengthUnlessTheKeyIsTooSmall) {
  EXPECT_EQ(pss_salt_length(Hash::Sha256, 2048), 32u);
  EXPECT_EQ(pss_salt_length(Hash::Sha512, 2048), 64u);
  EXPECT_EQ(pss_salt_length(Hash::Sha512, 1024), 62u);
  EXPECT_THROW(pss_salt_length(Hash::Sha512, 1000), CliError);
}

}  // namespace
}  // namespace parsec::cli
