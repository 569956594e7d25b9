// parsec-cli's encrypt, decrypt, hash, import-key, export-key and create-csr
// against a fake service that does real cryptography with OpenSSL: the
// requests the commands send, their output formats and their errors.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "list_authenticators.pb.h"
#include "list_keys.pb.h"
#include "list_providers.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_import_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "sdk-cpp/cli/crypto_support.h"
#include "sdk-cpp/src/convert.h"
#include "sdk-cpp/tests/fake_server.h"

#ifndef PARSEC_CLI_PATH
#error "PARSEC_CLI_PATH must name the parsec-cli binary"
#endif

namespace parsec::cli {
namespace {

using client::Algorithm;
using client::AlgorithmKind;
using client::Hash;
using client::KeyAttributes;
using client::KeyType;
using testing::Captured;
using testing::FakeServer;
using testing::Reply;
using testing::response;
using testing::status_response;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& what) {
  static int counter = 0;
  return ::testing::TempDir() + "parsec-cli-ops-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         what;
}

// run executes `stdin_cmd | parsec-cli --app-name tester args` (trusted test strings).
CliRun run(const FakeServer& server, const std::string& args, const std::string& stdin_cmd = "") {
  const std::string err_path = temp_path("stderr.txt");
  std::string cmd = (stdin_cmd.empty() ? std::string() : stdin_cmd + " | ") +
                    "PARSEC_SERVICE_ENDPOINT=" + server.endpoint().uri() + " " + PARSEC_CLI_PATH +
                    " --app-name tester " + args + " 2>" + err_path;
  if (stdin_cmd.empty()) {
    cmd += " </dev/null";
  }
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "popen failed";
    return r;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
    r.out.append(buf, n);
  }
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err_path);
  std::remove(err_path.c_str());
  return r;
}

Bytes der_of(int (*i2d)(const EVP_PKEY*, unsigned char**), const EVP_PKEY* k) {
  unsigned char* out = nullptr;
  const int n = i2d(k, &out);
  Bytes v(out, out + n);
  OPENSSL_free(out);
  return v;
}

Bytes ec_scalar(const EVP_PKEY* key, size_t len) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
  Bytes out(len);
  EXPECT_GT(BN_bn2binpad(bn, out.data(), static_cast<int>(len)), 0);
  BN_free(bn);
  return out;
}

std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}
Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

const EVP_MD* md_of(Hash h) {
  switch (h) {
    case Hash::Sha224:
      return EVP_sha224();
    case Hash::Sha256:
      return EVP_sha256();
    case Hash::Sha384:
      return EVP_sha384();
    case Hash::Sha512:
      return EVP_sha512();
    case Hash::Sha3_256:
      return EVP_sha3_256();
    case Hash::Sha1:
      return EVP_sha1();
    default:
      return nullptr;
  }
}

// A key of the fake service: attributes plus the OpenSSL key behind them.
struct FakeKey {
  KeyAttributes attributes;
  EVP_PKEY* key = nullptr;  // owned by the fixture
};

class CliCommandsTest : public ::testing::Test {
 protected:
  CliCommandsTest()
      : ec_(EVP_EC_gen("P-256")), ec384_(EVP_EC_gen("P-384")), rsa_(EVP_RSA_gen(2048)), rsa_small_(EVP_RSA_gen(1024)) {
    keys_["ecc"] = {KeyAttributes::ecc_key_pair(256, Algorithm::ecdsa(Hash::Sha256)), ec_.get()};
    keys_["ecc384"] = {KeyAttributes::ecc_key_pair(384, Algorithm::ecdsa(Hash::Sha384)), ec384_.get()};
    keys_["rsa-sign"] = {KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)), rsa_.get()};
    keys_["rsa-pss"] = {KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pss(Hash::Sha256)), rsa_.get()};
    keys_["rsa-pss-any"] = {KeyAttributes::rsa_key_pair(1024, Algorithm::rsa_pss(Hash::Any)), rsa_small_.get()};
    keys_["rsa-crypt"] = {KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_crypt()), rsa_.get()};
    keys_["rsa-oaep"] = {KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256)), rsa_.get()};
    keys_["rsa-pub"] = {KeyAttributes::rsa_public_key(2048, Algorithm::rsa_pkcs1v15_crypt()), rsa_.get()};
    keys_["ecc-pub"] = {KeyAttributes::ecc_public_key(256, Algorithm::ecdsa(Hash::Sha256)), ec_.get()};
    keys_["aes"] = {KeyAttributes::of_type(KeyType::Aes, 128, Algorithm::aead_gcm()), nullptr};
    keys_["raw-sign"] = {KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign_raw()), rsa_.get()};
    server_.set_default([this](const Captured& c) { return answer(c); });
  }

  Reply answer(const Captured& c) {
    const auto op = static_cast<Opcode>(c.header.opcode);
    switch (op) {
      case Opcode::ListAuthenticators: {
        list_authenticators::Result r;
        auto* a = r.add_authenticators();
        a->set_id(1);
        a->set_description("Direct");
        return Reply{response(op, r)};
      }
      case Opcode::ListProviders: {
        list_providers::Result r;
        auto* p = r.add_providers();
        p->set_id(1);
        p->set_uuid("1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
        p->set_description("Mbed");
        auto* core = r.add_providers();
        core->set_id(0);
        core->set_uuid("47049873-2a43-4845-9d72-831eab668784");
        core->set_description("Core");
        return Reply{response(op, r)};
      }
      case Opcode::ListKeys: {
        list_keys::Result r;
        for (const auto& [name, k] : keys_) {
          auto* info = r.add_keys();
          info->set_provider_id(1);
          info->set_name(name);
          client::detail::attributes_to_proto(k.attributes, info->mutable_attributes());
        }
        return Reply{response(op, r)};
      }
      case Opcode::PsaExportPublicKey: {
        psa_export_public_key::Operation o;
        o.ParseFromString(c.body);
        const FakeKey* k = find(o.key_name());
        if (k == nullptr || k->key == nullptr) {
          return Reply{status_response(op, Status::PsaErrorDoesNotExist)};
        }
        psa_export_public_key::Result r;
        r.set_data(str(der_of(&i2d_PublicKey, k->key)));
        return Reply{response(op, r)};
      }
      case Opcode::PsaExportKey: {
        psa_export_key::Operation o;
        o.ParseFromString(c.body);
        const FakeKey* k = find(o.key_name());
        if (k == nullptr) {
          return Reply{status_response(op, Status::PsaErrorDoesNotExist)};
        }
        psa_export_key::Result r;
        if (k->key == nullptr) {
          r.set_data(std::string(16, '\x5A'));
        } else if (client::is_public_key_type(k->attributes.type)) {
          r.set_data(str(der_of(&i2d_PublicKey, k->key)));
        } else if (client::is_ecc_key_type(k->attributes.type)) {
          r.set_data(str(ec_scalar(k->key, (k->attributes.bits + 7) / 8)));
        } else {
          r.set_data(str(der_of(&i2d_PrivateKey, k->key)));
        }
        return Reply{response(op, r)};
      }
      case Opcode::PsaSignHash: {
        psa_sign_hash::Operation o;
        o.ParseFromString(c.body);
        const FakeKey* k = find(o.key_name());
        if (k == nullptr) {
          return Reply{status_response(op, Status::PsaErrorDoesNotExist)};
        }
        const Algorithm alg = client::detail::signature_from_proto(o.alg());
        {
          std::lock_guard<std::mutex> lock(mu_);
          sign_algs_.push_back(alg);
        }
        psa_sign_hash::Result r;
        r.set_signature(str(sign(k->key, alg, bytes(o.hash()))));
        return Reply{response(op, r)};
      }
      case Opcode::PsaAsymmetricEncrypt: {
        psa_asymmetric_encrypt::Operation o;
        o.ParseFromString(c.body);
        {
          std::lock_guard<std::mutex> lock(mu_);
          encrypt_ = o;
        }
        psa_asymmetric_encrypt::Result r;
        // Not real encryption: the reversed plaintext, to check the framing.
        std::string ct = o.plaintext();
        std::reverse(ct.begin(), ct.end());
        r.set_ciphertext(ct);
        return Reply{response(op, r)};
      }
      case Opcode::PsaAsymmetricDecrypt: {
        psa_asymmetric_decrypt::Operation o;
        o.ParseFromString(c.body);
        {
          std::lock_guard<std::mutex> lock(mu_);
          decrypt_ = o;
        }
        psa_asymmetric_decrypt::Result r;
        r.set_plaintext(decrypt_answer_);
        return Reply{response(op, r)};
      }
      case Opcode::PsaHashCompute: {
        psa_hash_compute::Operation o;
        o.ParseFromString(c.body);
        const EVP_MD* md = md_of(client::detail::hash_from_proto(o.alg()));
        if (md == nullptr) {
          return Reply{status_response(op, Status::PsaErrorNotSupported)};
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          hash_input_ = o.input();
        }
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_Digest(o.input().data(), o.input().size(), out, &len, md, nullptr);
        psa_hash_compute::Result r;
        r.set_hash(std::string(reinterpret_cast<char*>(out), len));
        return Reply{response(op, r)};
      }
      case Opcode::PsaImportKey: {
        std::lock_guard<std::mutex> lock(mu_);
        import_.ParseFromString(c.body);
        return Reply{status_response(op, Status::Success)};
      }
      case Opcode::PsaGenerateKey: {
        std::lock_guard<std::mutex> lock(mu_);
        generate_.ParseFromString(c.body);
        return Reply{status_response(op, Status::Success)};
      }
      default:
        return Reply{status_response(op, Status::PsaErrorNotSupported)};
    }
  }

  const FakeKey* find(const std::string& name) const {
    auto it = keys_.find(name);
    return it == keys_.end() ? nullptr : &it->second;
  }

  // sign emulates a PSA back end: ECDSA answers r||s, PSS uses a salt of the
  // hash length.
  static Bytes sign(EVP_PKEY* key, const Algorithm& alg, const Bytes& hash) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    EXPECT_EQ(EVP_PKEY_sign_init(ctx), 1);
    const Hash h = alg.kind() == AlgorithmKind::EcdsaAny ? Hash::Sha256 : alg.hash_alg();
    EXPECT_EQ(EVP_PKEY_CTX_set_signature_md(ctx, md_of(h)), 1);
    if (alg.kind() == AlgorithmKind::RsaPss) {
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST);
    } else if (alg.kind() == AlgorithmKind::RsaPkcs1v15Sign) {
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
    }
    size_t len = 0;
    EVP_PKEY_sign(ctx, nullptr, &len, hash.data(), hash.size());
    Bytes sig(len);
    EXPECT_EQ(EVP_PKEY_sign(ctx, sig.data(), &len, hash.data(), hash.size()), 1);
    sig.resize(len);
    EVP_PKEY_CTX_free(ctx);
    if (alg.is_ecc_signature()) {
      return ecdsa_der_to_raw(sig, static_cast<size_t>((EVP_PKEY_get_bits(key) + 7) / 8));
    }
    return sig;
  }

  std::vector<Opcode> opcodes_sent() const {
    std::vector<Opcode> out;
    for (const auto& r : server_.requests()) {
      out.push_back(static_cast<Opcode>(r.header.opcode));
    }
    return out;
  }

  bool sent(Opcode op) const {
    const auto ops = opcodes_sent();
    return std::find(ops.begin(), ops.end(), op) != ops.end();
  }

  Pkey ec_;
  Pkey ec384_;
  Pkey rsa_;
  Pkey rsa_small_;
  std::map<std::string, FakeKey> keys_;
  std::string decrypt_answer_ = "plain text";
  mutable std::mutex mu_;
  std::vector<Algorithm> sign_algs_;
  psa_asymmetric_encrypt::Operation encrypt_;
  psa_asymmetric_decrypt::Operation decrypt_;
  psa_import_key::Operation import_;
  psa_generate_key::Operation generate_;
  std::string hash_input_;
  FakeServer server_;  // last: stopped first, while the state above still exists
};

// ---- encrypt / decrypt ---------------------------------------------------------------

TEST_F(CliCommandsTest, EncryptUsesThePolicyAndPrintsBase64) {
  CliRun r = run(server_, "encrypt -k rsa-crypt 'hello world'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, base64_encode(bytes("dlrow olleh")) + "\n");
  EXPECT_EQ(encrypt_.plaintext(), "hello world");
  EXPECT_TRUE(encrypt_.salt().empty());
  EXPECT_EQ(client::detail::encryption_from_proto(encrypt_.alg()), Algorithm::rsa_pkcs1v15_crypt());

  r = run(server_, "encrypt --key-name rsa-oaep x");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(client::detail::encryption_from_proto(encrypt_.alg()), Algorithm::rsa_oaep(Hash::Sha256));
  // An imported public key encrypts too.
  EXPECT_EQ(run(server_, "encrypt -k rsa-pub x").exit_code, 0);
}

TEST_F(CliCommandsTest, EncryptRefusesOtherPolicies) {
  CliRun r = run(server_, "encrypt -k ecc x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "parsec-cli: encrypt: the key's algorithm AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) }) "
            "cannot be used for encryption\n");
  r = run(server_, "encrypt -k aes x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not currently supported for encryption"), std::string::npos) << r.err;
  EXPECT_FALSE(sent(Opcode::PsaAsymmetricEncrypt));
  r = run(server_, "encrypt -k missing x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("PsaErrorDoesNotExist"), std::string::npos) << r.err;
  EXPECT_EQ(run(server_, "encrypt -k rsa-crypt").exit_code, 2);
}

TEST_F(CliCommandsTest, DecryptTakesBase64AndPrintsText) {
  const Bytes ct = {0x01, 0x02, 0xFE, 0xFF};
  // The reference tool puts the ciphertext before the option.
  CliRun r = run(server_, "decrypt " + base64_encode(ct) + " --key-name rsa-oaep");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "plain text\n");
  EXPECT_EQ(bytes(decrypt_.ciphertext()), ct);
  EXPECT_TRUE(decrypt_.salt().empty());
  EXPECT_EQ(client::detail::encryption_from_proto(decrypt_.alg()), Algorithm::rsa_oaep(Hash::Sha256));

  decrypt_answer_ = std::string("ok\xFF", 3);
  r = run(server_, "decrypt -k rsa-crypt " + base64_encode(ct));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\xEF\xBF\xBD\n");  // invalid UTF-8 shown as U+FFFD

  r = run(server_, "decrypt -k rsa-crypt 'not base64!'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("parsec-cli: decrypt: invalid base64"), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  r = run(server_, "decrypt -k rsa-sign AAAA");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot be used for decryption"), std::string::npos) << r.err;
}

// ---- hash ------------------------------------------------------------------------------

TEST_F(CliCommandsTest, HashPrintsLowercaseHex) {
  CliRun r = run(server_, "hash abc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  r = run(server_, "hash --alg SHA-512 abc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, hex_encode(digest(Hash::Sha512, bytes("abc"))) + "\n");
  r = run(server_, "hash -a sha3-256 ''");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a\n");
  // The request went to the crypto provider.
  EXPECT_EQ(server_.requests().back().header.provider, 1);
}

TEST_F(CliCommandsTest, HashReadsStandardInputWithoutArgument) {
  CliRun r = run(server_, "hash", "printf 'line one\\nline two\\n'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hash_input_, "line one\nline two\n");
  EXPECT_EQ(r.out, hex_encode(digest(Hash::Sha256, bytes("line one\nline two\n"))) + "\n");
  r = run(server_, "hash -a sha224", "printf ''");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f\n");
}

TEST_F(CliCommandsTest, HashErrors) {
  CliRun r = run(server_, "hash -a nope x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("parsec-cli: hash: unknown hash algorithm \"nope\""), 0u) << r.err;
  EXPECT_FALSE(sent(Opcode::PsaHashCompute));
  r = run(server_, "hash -a md5 x");  // the fake service does not do MD5
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: hash: PsaErrorNotSupported: operation or parameter not supported\n");
}

// ---- create-csr ------------------------------------------------------------------------

struct ReqFree {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
using Req = std::unique_ptr<X509_REQ, ReqFree>;

Req parse_pem_req(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

std::string subject_of(X509_REQ* req) {
  char buf[512];
  X509_NAME_oneline(X509_REQ_get_subject_name(req), buf, sizeof buf);
  return buf;
}

std::string sans_of(X509_REQ* req) {
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  std::string out;
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts, i)));
    for (int j = 0; names != nullptr && j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type == GEN_DNS) {
        out += "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName))) + ",";
      } else if (gn->type == GEN_IPADD) {
        out += "IP(" + std::to_string(ASN1_STRING_length(gn->d.iPAddress)) + "),";
      }
    }
    GENERAL_NAMES_free(names);
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  return out;
}

TEST_F(CliCommandsTest, CreateCsrWithTheReferenceOptions) {
  CliRun r = run(server_,
                 "create-csr --cn parallaxsecond.com --san localhost --san 10.0.0.1 --serialNumber EZ4U2CIXL "
                 "--c GB --st Cambs --l Cambridge --o Org --ou Unit --key-name ecc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out.find("-----BEGIN CERTIFICATE REQUEST-----\n"), 0u) << r.out;
  // As the reference tool: the PEM, then an empty line.
  ASSERT_GE(r.out.size(), 40u);
  EXPECT_EQ(r.out.substr(r.out.size() - 35), "-----END CERTIFICATE REQUEST-----\n\n");
  Req req = parse_pem_req(r.out);
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_REQ_verify(req.get(), ec_.get()), 1);
  EXPECT_EQ(subject_of(req.get()),
            "/CN=parallaxsecond.com/OU=Unit/O=Org/L=Cambridge/ST=Cambs/C=GB/serialNumber=EZ4U2CIXL");
  EXPECT_EQ(sans_of(req.get()), "DNS:localhost,IP(4),");
  // The public key in the request is the key's own.
  EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(req.get()), ec_.get()), 1);
  ASSERT_EQ(sign_algs_.size(), 1u);
  EXPECT_EQ(sign_algs_[0], Algorithm::ecdsa(Hash::Sha256));
}

TEST_F(CliCommandsTest, CreateCsrForEveryScheme) {
  for (const auto& [name, key, alg] : {std::tuple{"ecc384", ec384_.get(), Algorithm::ecdsa(Hash::Sha384)},
                                       std::tuple{"rsa-sign", rsa_.get(), Algorithm::rsa_pkcs1v15_sign(Hash::Sha256)},
                                       std::tuple{"rsa-pss", rsa_.get(), Algorithm::rsa_pss(Hash::Sha256)},
                                       std::tuple{"rsa-pss-any", rsa_small_.get(), Algorithm::rsa_pss(Hash::Sha256)}}) {
    sign_algs_.clear();
    CliRun r = run(server_, std::string("create-csr -k ") + name + " --cn " + name);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    Req req = parse_pem_req(r.out);
    ASSERT_TRUE(req) << name;
    EXPECT_EQ(X509_REQ_verify(req.get(), key), 1) << name;
    EXPECT_EQ(subject_of(req.get()), std::string("/CN=") + name);
    EXPECT_EQ(sans_of(req.get()), "");
    ASSERT_EQ(sign_algs_.size(), 1u) << name;
    EXPECT_EQ(sign_algs_[0], alg) << name;
  }
}

TEST_F(CliCommandsTest, CreateCsrErrors) {
  auto fails = [&](const std::string& args, const std::string& needle) {
    const CliRun r = run(server_, args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(r.err.find("parsec-cli: create-csr: "), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  };
  fails("create-csr -k rsa-crypt --cn x", "needs a signing key");
  fails("create-csr -k raw-sign --cn x", "not supported for certificate requests");
  fails("create-csr -k ecc-pub --cn x", "needs a key pair");
  fails("create-csr -k ecc --c GBR", "two-letter");
  fails("create-csr -k ecc --san 'a b'", "--san");
  fails("create-csr -k missing", "PsaErrorDoesNotExist");
  EXPECT_FALSE(sent(Opcode::PsaSignHash));
  // One value per --san, as the reference tool.
  EXPECT_EQ(run(server_, "create-csr -k ecc --san a b").exit_code, 2);
  EXPECT_EQ(run(server_, "create-csr --cn x").exit_code, 2);
}

// ---- import-key / export-key ---------------------------------------------------------

std::string write_temp(const std::string& name, const Bytes& data) {
  const std::string path = temp_path(name);
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return path;
}

template <typename Writer>
Bytes pem_of(Writer write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get()), 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return Bytes(data, data + n);
}

TEST_F(CliCommandsTest, ImportKeyPairsAndPublicKeys) {
  Pkey key(EVP_EC_gen("P-384"));
  const std::string ec_file =
      write_temp("ec.pem", pem_of([&](BIO* bio) {
                   return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
                 }));
  CliRun r = run(server_, "import-key -k imported -f " + ec_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(import_.key_name(), "imported");
  KeyAttributes got = client::detail::attributes_from_proto(import_.attributes());
  EXPECT_EQ(got.type, KeyType::EccKeyPair);
  EXPECT_EQ(got.family, client::EccFamily::SecpR1);
  EXPECT_EQ(got.bits, 384u);
  EXPECT_EQ(got.policy, Algorithm::ecdsa(Hash::Sha384));  // the curve's hash (issue 16)
  EXPECT_TRUE(got.flags.sign_hash);
  EXPECT_FALSE(got.flags.export_);
  EXPECT_EQ(bytes(import_.data()), ec_scalar(key.get(), 48));

  // RSA public key from a DER file, OAEP, exportable.
  const std::string rsa_file = write_temp("rsa.der", der_of(&i2d_PUBKEY, rsa_.get()));
  r = run(server_, "import-key -k pub --file " + rsa_file + " --oaep --exportable");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  got = client::detail::attributes_from_proto(import_.attributes());
  EXPECT_EQ(got.type, KeyType::RsaPublicKey);
  EXPECT_EQ(got.bits, 2048u);
  EXPECT_EQ(got.policy, Algorithm::rsa_oaep(Hash::Sha256));
  EXPECT_TRUE(got.flags.encrypt);
  EXPECT_FALSE(got.flags.decrypt);
  EXPECT_TRUE(got.flags.export_);
  EXPECT_EQ(bytes(import_.data()), der_of(&i2d_PublicKey, rsa_.get()));

  // RSA key pair for PSS signing, from standard input.
  const std::string rsa_pair =
      write_temp("rsa-pair.pem", pem_of([&](BIO* bio) {
                   return PEM_write_bio_PrivateKey(bio, rsa_.get(), nullptr, nullptr, 0, nullptr, nullptr);
                 }));
  r = run(server_, "import-key -k pss -f - -r", "cat " + rsa_pair);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  got = client::detail::attributes_from_proto(import_.attributes());
  EXPECT_EQ(got.type, KeyType::RsaKeyPair);
  EXPECT_EQ(got.policy, Algorithm::rsa_pss(Hash::Sha256));
  EXPECT_EQ(bytes(import_.data()), der_of(&i2d_PrivateKey, rsa_.get()));
  std::remove(ec_file.c_str());
  std::remove(rsa_file.c_str());
  std::remove(rsa_pair.c_str());
}

TEST_F(CliCommandsTest, ImportKeyErrors) {
  CliRun r = run(server_, "import-key -k x -f /nonexistent/key.pem");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: import-key: cannot open /nonexistent/key.pem: No such file or directory\n");
  const std::string junk = write_temp("junk", bytes("hello"));
  r = run(server_, "import-key -k x -f " + junk);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("neither a PEM key nor"), std::string::npos) << r.err;
  const std::string ec_file =
      write_temp("ec.pem", pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, ec_.get()); }));
  r = run(server_, "import-key -k x -f " + ec_file + " --oaep");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("RSA keys only"), std::string::npos) << r.err;
  EXPECT_FALSE(sent(Opcode::PsaImportKey));
  EXPECT_EQ(run(server_, "import-key -k x").exit_code, 2);
  std::remove(junk.c_str());
  std::remove(ec_file.c_str());
}

TEST_F(CliCommandsTest, CreateKeysMayBeExportable) {
  ASSERT_EQ(run(server_, "create-ecc-key -k e --exportable").exit_code, 0);
  EXPECT_TRUE(generate_.attributes().key_policy().key_usage_flags().export_());
  ASSERT_EQ(run(server_, "create-ecc-key -k e").exit_code, 0);
  EXPECT_FALSE(generate_.attributes().key_policy().key_usage_flags().export_());
  ASSERT_EQ(run(server_, "create-rsa-key -k r --exportable -s").exit_code, 0);
  EXPECT_TRUE(generate_.attributes().key_policy().key_usage_flags().export_());
  EXPECT_TRUE(generate_.attributes().key_policy().key_algorithm().asymmetric_signature().has_rsa_pkcs1v15_sign());
}

Pkey read_private(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

TEST_F(CliCommandsTest, ExportKeyFormats) {
  CliRun r = run(server_, "export-key -k ecc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("-----BEGIN PRIVATE KEY-----\n"), 0u) << r.out;
  Pkey back = read_private(r.out);
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), ec_.get()), 1);

  r = run(server_, "export-key -k rsa-crypt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  back = read_private(r.out);
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), rsa_.get()), 1);
  r = run(server_, "export-key -k rsa-crypt --pkcs1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("RSA PRIVATE KEY", der_of(&i2d_PrivateKey, rsa_.get())));

  r = run(server_, "export-key -k ecc --psa");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, base64_encode(ec_scalar(ec_.get(), 32)) + "\n");
  r = run(server_, "export-key -k aes --psa");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, base64_encode(Bytes(16, 0x5A)) + "\n");

  // Public keys as export-public-key prints them.
  r = run(server_, "export-key -k rsa-pub");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("PUBLIC KEY", der_of(&i2d_PUBKEY, rsa_.get())));
  r = run(server_, "export-key -k ecc-pub");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("PUBLIC KEY", der_of(&i2d_PUBKEY, ec_.get())));
}

TEST_F(CliCommandsTest, ExportKeyErrors) {
  CliRun r = run(server_, "export-key -k aes");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: export-key: keys of type Aes have no PEM private key format; use --psa\n");
  r = run(server_, "export-key -k ecc --pkcs1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: export-key: the PKCS#1 format does not support ECC keys\n");
  r = run(server_, "export-key -k ecc --pkcs1 --psa");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: export-key: --psa and --pkcs1 exclude each other\n");
  r = run(server_, "export-key -k missing");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("PsaErrorDoesNotExist"), std::string::npos) << r.err;
}

TEST_F(CliCommandsTest, HelpListsTheNewCommands) {
  const CliRun help = run(server_, "--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* c : {"encrypt", "decrypt", "hash", "import-key", "export-key", "create-csr"}) {
    EXPECT_NE(help.out.find(c), std::string::npos) << c;
  }
  const CliRun csr = run(server_, "create-csr --help");
  for (const char* o : {"--cn", "--l", "--o", "--ou", "--st", "--c", "--serialNumber", "--san", "--key-name"}) {
    EXPECT_NE(csr.out.find(o), std::string::npos) << o;
  }
}

}  // namespace
}  // namespace parsec::cli
