// parsec-cli's create-csr, encrypt, decrypt, hash, import-key and export-key
// against the real parsecd (software provider). Every result is checked with
// OpenSSL: CSRs are verified with the key's exported public key, ciphertexts
// made by OpenSSL are decrypted by the service and the other way round,
// digests are compared with OpenSSL's.
//
// The encryption, hash and export cases need the software provider to serve
// PsaAsymmetricEncrypt/Decrypt, PsaHashCompute and PsaExportKey.
#ifdef PARSEC_CLI_PATH
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace parsec::e2e {
namespace {

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
using Bytes = std::vector<unsigned char>;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

std::string base64(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Bytes unbase64(const std::string& b64) {
  std::string in;
  for (char c : b64) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      in += c;
    }
  }
  Bytes out(in.size());
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) {
    return {};
  }
  const size_t pad = in.size() >= 2 ? (in[in.size() - 1] == '=') + (in[in.size() - 2] == '=') : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string hex(const Bytes& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : d) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

Pkey read_pubkey(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

Pkey read_private(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Req read_req(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

std::string name_entry(X509_REQ* req, int nid) {
  char buf[256] = {};
  if (X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), nid, buf, sizeof buf) < 0) {
    return "(absent)";
  }
  return buf;
}

// sans lists the subjectAltName entries: "DNS:x" and "IP:a.b.c.d" (IPv4).
std::vector<std::string> sans(X509_REQ* req) {
  std::vector<std::string> out;
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts, i)));
    for (int j = 0; names != nullptr && j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type == GEN_DNS) {
        out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                                           static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName))));
      } else if (gn->type == GEN_IPADD && ASN1_STRING_length(gn->d.iPAddress) == 4) {
        const unsigned char* ip = ASN1_STRING_get0_data(gn->d.iPAddress);
        out.push_back("IP:" + std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." +
                      std::to_string(ip[3]));
      } else {
        out.push_back("other");
      }
    }
    GENERAL_NAMES_free(names);
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  return out;
}

std::string sig_alg_text(X509_REQ* req) {
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req, nullptr, &alg);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_signature_print(bio.get(), alg, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// rsa_encrypt encrypts with OpenSSL: PKCS#1 v1.5, or OAEP with SHA-256 (and
// MGF1-SHA-256, as PSA's RSA_OAEP(SHA_256)).
Bytes rsa_encrypt(EVP_PKEY* key, const std::string& plaintext, bool oaep) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EXPECT_EQ(EVP_PKEY_encrypt_init(ctx), 1);
  if (oaep) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()), 1);
  } else {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
  EXPECT_EQ(EVP_PKEY_encrypt(ctx, nullptr, &len, in, plaintext.size()), 1);
  Bytes out(len);
  EXPECT_EQ(EVP_PKEY_encrypt(ctx, out.data(), &len, in, plaintext.size()), 1);
  out.resize(len);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

std::string rsa_decrypt(EVP_PKEY* key, const Bytes& ciphertext, bool oaep) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EXPECT_EQ(EVP_PKEY_decrypt_init(ctx), 1);
  if (oaep) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()), 1);
  } else {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
  }
  size_t len = 0;
  EXPECT_EQ(EVP_PKEY_decrypt(ctx, nullptr, &len, ciphertext.data(), ciphertext.size()), 1);
  std::string out(len, '\0');
  const int ok =
      EVP_PKEY_decrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, ciphertext.data(), ciphertext.size());
  EVP_PKEY_CTX_free(ctx);
  if (ok != 1) {
    return "(OpenSSL could not decrypt)";
  }
  out.resize(len);
  return out;
}

template <typename Writer>
std::string pem_of(Writer write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get()), 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

class CliOps : public ::testing::Test {
 protected:
  void SetUp() override { d_.start(); }
  void TearDown() override { EXPECT_EQ(d_.stop(SIGTERM), 0); }

  // run executes `[stdin_cmd |] parsec-cli --app-name tester args` (trusted
  // test strings) and captures stdout and stderr together.
  CliRun run(const std::string& args, const std::string& stdin_cmd = "") {
    std::string cmd = (stdin_cmd.empty() ? std::string() : stdin_cmd + " | ") +
                      "PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() + " " PARSEC_CLI_PATH " --app-name tester " + args +
                      " 2>&1";
    if (stdin_cmd.empty()) {
      cmd += " </dev/null";
    }
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
      r.out.append(buf.data(), n);
    }
    const int st = ::pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }

  // ok runs a command that must succeed and returns its output.
  std::string ok(const std::string& args, const std::string& stdin_cmd = "") {
    const CliRun r = run(args, stdin_cmd);
    EXPECT_EQ(r.code, 0) << "parsec-cli " << args << ": " << r.out;
    return r.out;
  }

  Pkey public_key(const std::string& key) {
    Pkey k = read_pubkey(ok("export-public-key -k " + key));
    EXPECT_TRUE(k) << key;
    return k;
  }

  std::string write_file(const std::string& name, const std::string& data) {
    const std::string path = d_.dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  // check_csr creates a CSR with every subject field and verifies it.
  void check_csr(const std::string& key, const std::string& expected_alg) {
    SCOPED_TRACE(key);
    const Pkey pub = public_key(key);
    ASSERT_TRUE(pub);
    const std::string pem = ok("create-csr --key-name " + key +
                               " --cn parallaxsecond.com --san localhost --san 192.168.1.7 --san www.example.com"
                               " --serialNumber EZ4U2CIXL --c GB --st Cambridgeshire --l Cambridge --o Parsec"
                               " --ou 'Test Unit'");
    const Req req = read_req(pem);
    ASSERT_TRUE(req) << pem;
    EXPECT_EQ(X509_REQ_verify(req.get(), pub.get()), 1) << pem;
    EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(req.get()), pub.get()), 1);
    EXPECT_EQ(name_entry(req.get(), NID_commonName), "parallaxsecond.com");
    EXPECT_EQ(name_entry(req.get(), NID_serialNumber), "EZ4U2CIXL");
    EXPECT_EQ(name_entry(req.get(), NID_countryName), "GB");
    EXPECT_EQ(name_entry(req.get(), NID_stateOrProvinceName), "Cambridgeshire");
    EXPECT_EQ(name_entry(req.get(), NID_localityName), "Cambridge");
    EXPECT_EQ(name_entry(req.get(), NID_organizationName), "Parsec");
    EXPECT_EQ(name_entry(req.get(), NID_organizationalUnitName), "Test Unit");
    EXPECT_EQ(sans(req.get()), (std::vector<std::string>{"DNS:localhost", "IP:192.168.1.7", "DNS:www.example.com"}));
    const std::string alg = sig_alg_text(req.get());
    EXPECT_NE(alg.find(expected_alg), std::string::npos) << alg;
  }

  Daemon d_;
};

// ---- certificate requests -------------------------------------------------------------

TEST_F(CliOps, CsrEccP256) {
  ASSERT_EQ(run("create-ecc-key -k ecc").code, 0);
  check_csr("ecc", "ecdsa-with-SHA256");
  // More requests, so that an r or s with a leading zero byte (1 in 128 per
  // value) would show up as a non-strict DER signature sometimes.
  const Pkey pub = public_key("ecc");
  for (int i = 0; i < 30; ++i) {
    const Req req = read_req(ok("create-csr -k ecc --cn host" + std::to_string(i) + ".example"));
    ASSERT_TRUE(req);
    EXPECT_EQ(X509_REQ_verify(req.get(), pub.get()), 1) << i;
  }
}

TEST_F(CliOps, CsrRsaPkcs1v15) {
  ASSERT_EQ(run("create-rsa-key -k rsa --for-signing").code, 0);
  check_csr("rsa", "sha256WithRSAEncryption");
}

TEST_F(CliOps, CsrRsaPss) {
  ASSERT_EQ(run("create-rsa-key -k pss --for-signing-pss").code, 0);
  check_csr("pss", "rsassaPss");
  const Req req = read_req(ok("create-csr -k pss --cn pss.example"));
  ASSERT_TRUE(req);
  const std::string alg = sig_alg_text(req.get());
  EXPECT_NE(alg.find("Hash Algorithm: sha256"), std::string::npos) << alg;
  EXPECT_NE(alg.find("Mask Algorithm: mgf1 with sha256"), std::string::npos) << alg;
  EXPECT_NE(alg.find("Salt Length: 0x20"), std::string::npos) << alg;
  // A 1024-bit PSS key.
  ASSERT_EQ(run("create-rsa-key -k pss1024 -r -b 1024").code, 0);
  const Pkey pub = public_key("pss1024");
  const Req small = read_req(ok("create-csr -k pss1024 --cn small"));
  ASSERT_TRUE(small);
  EXPECT_EQ(X509_REQ_verify(small.get(), pub.get()), 1);
}

TEST_F(CliOps, CsrErrorsAreOneLine) {
  ASSERT_EQ(run("create-rsa-key -k enc").code, 0);
  for (const std::string& args : {std::string("create-csr -k enc --cn x"), std::string("create-csr -k nope --cn x")}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_EQ(r.out.find("parsec-cli: create-csr: "), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
}

// ---- encryption -----------------------------------------------------------------------

TEST_F(CliOps, EncryptDecryptRoundTrips) {
  ASSERT_EQ(run("create-rsa-key -k v15").code, 0);
  ASSERT_EQ(run("create-rsa-key -k oaep --oaep").code, 0);
  for (const char* key : {"v15", "oaep"}) {
    const std::string text = std::string("Parsec round trip with ") + key;
    const std::string ct = ok(std::string("encrypt -k ") + key + " '" + text + "'");
    ASSERT_EQ(ct.back(), '\n');
    EXPECT_EQ(unbase64(ct).size(), 256u) << ct;  // one 2048-bit block
    // As parsec-cli-tests.sh: the ciphertext before the option.
    EXPECT_EQ(ok("decrypt " + ct.substr(0, ct.size() - 1) + " --key-name " + key), text + "\n") << key;
  }
}

TEST_F(CliOps, OpenSSLCiphertextsDecrypt) {
  ASSERT_EQ(run("create-rsa-key -k v15").code, 0);
  ASSERT_EQ(run("create-rsa-key -k oaep -o").code, 0);
  for (const auto& [key, oaep] : {std::pair{"v15", false}, std::pair{"oaep", true}}) {
    const Pkey pub = public_key(key);
    ASSERT_TRUE(pub);
    const std::string text = std::string("OpenSSL to Parsec, ") + (oaep ? "OAEP" : "PKCS#1 v1.5");
    const Bytes ct = rsa_encrypt(pub.get(), text, oaep);
    EXPECT_EQ(ok("decrypt -k " + std::string(key) + " " + base64(ct)), text + "\n") << key;
  }
}

TEST_F(CliOps, ParsecCiphertextsDecryptWithOpenSSL) {
  // The private key is OpenSSL's; the service holds the public half only.
  const Pkey pair(EVP_RSA_gen(2048));
  ASSERT_TRUE(pair);
  const std::string pub_file =
      write_file("pub.pem", pem_of([&](BIO* b) { return PEM_write_bio_PUBKEY(b, pair.get()); }));
  ASSERT_EQ(run("import-key -k pub-v15 -f " + pub_file).code, 0);
  ASSERT_EQ(run("import-key -k pub-oaep -f " + pub_file + " --oaep").code, 0);
  for (const auto& [key, oaep] : {std::pair{"pub-v15", false}, std::pair{"pub-oaep", true}}) {
    const std::string text = std::string("Parsec to OpenSSL via ") + key;
    const std::string ct = ok(std::string("encrypt -k ") + key + " '" + text + "'");
    EXPECT_EQ(rsa_decrypt(pair.get(), unbase64(ct), oaep), text) << key;
  }
  // Decrypting needs the private key.
  const CliRun r = run("decrypt -k pub-v15 " + base64(rsa_encrypt(pair.get(), "x", false)));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST_F(CliOps, ImportedKeyPairDecryptsOpenSSLCiphertexts) {
  const Pkey pair(EVP_RSA_gen(2048));
  ASSERT_TRUE(pair);
  const std::string file = write_file(
      "pair.pem",
      pem_of([&](BIO* b) { return PEM_write_bio_PrivateKey(b, pair.get(), nullptr, nullptr, 0, nullptr, nullptr); }));
  ASSERT_EQ(run("import-key -k imported -f " + file + " -o").code, 0);
  EXPECT_EQ(ok("decrypt -k imported " + base64(rsa_encrypt(pair.get(), "imported OAEP", true))), "imported OAEP\n");
}

TEST_F(CliOps, EncryptErrorsAreOneLine) {
  ASSERT_EQ(run("create-ecc-key -k ecc").code, 0);
  for (const std::string& args : {std::string("encrypt -k ecc hello"), std::string("decrypt -k ecc AAAA"),
                                  std::string("encrypt -k nope hello"), std::string("decrypt -k ecc '!!'")}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << ": " << r.out;
  }
}

// ---- hash ------------------------------------------------------------------------------

TEST_F(CliOps, HashEqualsOpenSSL) {
  const std::string input = "The quick brown fox jumps over the lazy dog";
  for (const auto& [name, md] : {std::pair{"sha224", EVP_sha224()}, std::pair{"sha256", EVP_sha256()},
                                 std::pair{"sha384", EVP_sha384()}, std::pair{"sha512", EVP_sha512()}}) {
    Bytes expected(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    ASSERT_EQ(EVP_Digest(input.data(), input.size(), expected.data(), &len, md, nullptr), 1);
    expected.resize(len);
    EXPECT_EQ(ok(std::string("hash -a ") + name + " '" + input + "'"), hex(expected) + "\n") << name;
    // The same bytes from standard input.
    EXPECT_EQ(ok(std::string("hash --alg ") + name, "printf '%s' '" + input + "'"), hex(expected) + "\n") << name;
  }
  // Default SHA-256, empty input.
  EXPECT_EQ(ok("hash ''"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
  const CliRun bad = run("hash -a sha1024 x");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(std::count(bad.out.begin(), bad.out.end(), '\n'), 1) << bad.out;
}

// ---- import / export --------------------------------------------------------------------

TEST_F(CliOps, ImportedEccKeySignsCsrsAndExportsBack) {
  const Pkey pair(EVP_EC_gen("P-256"));
  ASSERT_TRUE(pair);
  const std::string file =
      write_file("ec.pem", pem_of([&](BIO* b) {
                   return PEM_write_bio_PrivateKey_traditional(b, pair.get(), nullptr, nullptr, 0, nullptr, nullptr);
                 }));
  ASSERT_EQ(run("import-key -k ec -f " + file + " --exportable").code, 0);
  // Its public key is the file's.
  const Pkey pub = public_key("ec");
  ASSERT_TRUE(pub);
  EXPECT_EQ(EVP_PKEY_eq(pub.get(), pair.get()), 1);
  // A CSR signed in the service verifies with the original key.
  const Req req = read_req(ok("create-csr -k ec --cn imported"));
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), pair.get()), 1);
  // export-key gives the private key back.
  const Pkey back = read_private(ok("export-key -k ec"));
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), pair.get()), 1);
  EXPECT_EQ(unbase64(ok("export-key -k ec --psa")).size(), 32u);
}

// Issue 16: an imported P-384 key gets ECDSA with SHA-384 (not SHA-256), so it
// can serve TLS 1.3's ecdsa_secp384r1_sha384; its signatures verify with
// OpenSSL over SHA-384.
TEST_F(CliOps, ImportedP384KeyGetsSha384) {
  const Pkey pair(EVP_EC_gen("P-384"));
  ASSERT_TRUE(pair);
  const std::string file = write_file(
      "p384.pem",
      pem_of([&](BIO* b) { return PEM_write_bio_PrivateKey(b, pair.get(), nullptr, nullptr, 0, nullptr, nullptr); }));
  ASSERT_EQ(run("import-key -k p384 -f " + file).code, 0);
  const std::string keys = ok("list-keys");
  EXPECT_NE(keys.find("384 bits, permitted algorithm: AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha384) })"),
            std::string::npos)
      << keys;
  const Bytes der = unbase64(ok("sign -k p384 hello"));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha384(), nullptr, pair.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, der.data(), der.size(), reinterpret_cast<const unsigned char*>("hello"), 5), 1);
  EVP_MD_CTX_free(ctx);
}

TEST_F(CliOps, GeneratedRsaKeyExportsWhenExportable) {
  ASSERT_EQ(run("create-rsa-key -k exp --exportable -s").code, 0);
  const Pkey pub = public_key("exp");
  const Pkey pkcs8 = read_private(ok("export-key -k exp"));
  ASSERT_TRUE(pkcs8);
  EXPECT_EQ(EVP_PKEY_eq(pkcs8.get(), pub.get()), 1);
  const std::string pkcs1 = ok("export-key -k exp --pkcs1");
  EXPECT_EQ(pkcs1.find("-----BEGIN RSA PRIVATE KEY-----"), 0u) << pkcs1;
  const Pkey again = read_private(pkcs1);
  ASSERT_TRUE(again);
  EXPECT_EQ(EVP_PKEY_eq(again.get(), pub.get()), 1);
  // An imported public key exports as export-public-key prints it.
  const std::string pub_file =
      write_file("pub.pem", pem_of([&](BIO* b) { return PEM_write_bio_PUBKEY(b, pub.get()); }));
  ASSERT_EQ(run("import-key -k pub -f " + pub_file + " --exportable").code, 0);
  EXPECT_EQ(ok("export-key -k pub"), ok("export-public-key -k pub"));
}

TEST_F(CliOps, KeysAreNotExportableByDefault) {
  ASSERT_EQ(run("create-ecc-key -k ecc").code, 0);
  const CliRun r = run("export-key -k ecc");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("PsaErrorNotPermitted"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

}  // namespace
}  // namespace parsec::e2e
#endif
