// parsec-cli end to end against the fake server: output formats of the
// reference tool, the one-line error report and the exit codes.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "list_authenticators.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "parsec/client/algorithm.h"
#include "ping.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_verify_hash.pb.h"
#include "sdk-cpp/cli/crypto_support.h"
#include "sdk-cpp/tests/fake_server.h"

#ifndef PARSEC_CLI_PATH
#error "PARSEC_CLI_PATH must name the parsec-cli binary"
#endif

namespace parsec::cli {
namespace {

using testing::Captured;
using testing::FakeServer;
using testing::Reply;
using testing::response;
using testing::status_response;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// run executes parsec-cli with `args` against `server` (args are trusted test strings).
CliRun run(const FakeServer& server, const std::string& args) {
  // One file per process and run: ctest runs test cases in parallel processes.
  static int counter = 0;
  const std::string err_path = ::testing::TempDir() + "parsec-cli-stderr-" + std::to_string(::getpid()) + "-" +
                               std::to_string(counter++) + ".txt";
  const std::string cmd =
      "PARSEC_SERVICE_ENDPOINT=" + server.endpoint().uri() + " " + PARSEC_CLI_PATH + " " + args + " 2>" + err_path;
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

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

Bytes i2d(int (*f)(const EVP_PKEY*, unsigned char**), const EVP_PKEY* k) {
  unsigned char* out = nullptr;
  const int n = f(k, &out);
  Bytes v(out, out + n);
  OPENSSL_free(out);
  return v;
}

// A small stand-in service: Direct authentication, Mbed Crypto first, one
// ECC and one RSA key, canned signatures.
class CliTest : public ::testing::Test {
 protected:
  CliTest() : ec_(EVP_EC_gen("P-256")), rsa_(EVP_RSA_gen(1024)) {
    raw_sig_ = Bytes(64, 0x42);
    raw_sig_[32] = 0x90;  // s needs a 0x00 prefix in DER
    server_.set_default([this](const Captured& c) { return answer(c); });
  }

  Reply answer(const Captured& c) {
    switch (static_cast<Opcode>(c.header.opcode)) {
      case Opcode::Ping: {
        ping::Result r;
        r.set_wire_protocol_version_maj(1);
        return Reply{response(Opcode::Ping, r)};
      }
      case Opcode::ListAuthenticators: {
        list_authenticators::Result r;
        auto* a = r.add_authenticators();
        a->set_id(1);
        a->set_description("Direct");
        a->set_version_min(1);
        return Reply{response(Opcode::ListAuthenticators, r)};
      }
      case Opcode::ListProviders: {
        list_providers::Result r;
        auto* p = r.add_providers();
        p->set_id(1);
        p->set_uuid("1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
        p->set_description("Mbed");
        p->set_vendor("Arm");
        p->set_version_min(1);
        auto* core = r.add_providers();
        core->set_id(0);
        core->set_uuid("47049873-2a43-4845-9d72-831eab668784");
        core->set_description("Core");
        core->set_version_maj(1);
        core->set_version_min(5);
        return Reply{response(Opcode::ListProviders, r)};
      }
      case Opcode::ListOpcodes: {
        list_opcodes::Result r;
        r.add_opcodes(0x0D);
        r.add_opcodes(0x02);
        return Reply{response(Opcode::ListOpcodes, r)};
      }
      case Opcode::ListKeys:
        return Reply{response(Opcode::ListKeys, keys())};
      case Opcode::PsaGenerateRandom: {
        psa_generate_random::Result r;
        r.set_random_bytes(std::string("\x01\xAB\xFF", 3));
        return Reply{response(Opcode::PsaGenerateRandom, r)};
      }
      case Opcode::PsaExportPublicKey: {
        psa_export_public_key::Operation op;
        op.ParseFromString(c.body);
        const Bytes data = op.key_name() == "ecc" ? i2d(&i2d_PublicKey, ec_.get()) : i2d(&i2d_PublicKey, rsa_.get());
        psa_export_public_key::Result r;
        r.set_data(std::string(data.begin(), data.end()));
        return Reply{response(Opcode::PsaExportPublicKey, r)};
      }
      case Opcode::PsaSignHash: {
        psa_sign_hash::Operation op;
        op.ParseFromString(c.body);
        if (op.key_name() != "ecc") {
          return Reply{status_response(Opcode::PsaSignHash, Status::PsaErrorDoesNotExist)};
        }
        last_hash_ = op.hash();
        psa_sign_hash::Result r;
        r.set_signature(std::string(raw_sig_.begin(), raw_sig_.end()));
        return Reply{response(Opcode::PsaSignHash, r)};
      }
      case Opcode::PsaVerifyHash: {
        psa_verify_hash::Operation op;
        op.ParseFromString(c.body);
        const bool ok = op.signature() == std::string(raw_sig_.begin(), raw_sig_.end());
        return Reply{status_response(Opcode::PsaVerifyHash, ok ? Status::Success : Status::PsaErrorInvalidSignature)};
      }
      default:
        return Reply{status_response(static_cast<Opcode>(c.header.opcode), Status::Success)};
    }
  }

  list_keys::Result keys() {
    list_keys::Result r;
    auto* k = r.add_keys();
    k->set_provider_id(1);
    k->set_name("ecc");
    auto* a = k->mutable_attributes();
    a->mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
    a->set_key_bits(256);
    a->mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
    a->mutable_key_policy()
        ->mutable_key_algorithm()
        ->mutable_asymmetric_signature()
        ->mutable_ecdsa()
        ->mutable_hash_alg()
        ->set_specific(psa_algorithm::Algorithm::SHA_256);
    auto* k2 = r.add_keys();
    k2->set_provider_id(1);
    k2->set_name("rsa");
    auto* a2 = k2->mutable_attributes();
    a2->mutable_key_type()->mutable_rsa_key_pair();
    a2->set_key_bits(1024);
    a2->mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
    a2->mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_encryption()->mutable_rsa_pkcs1v15_crypt();
    return r;
  }

  FakeServer server_;
  std::unique_ptr<EVP_PKEY, PkeyFree> ec_;
  std::unique_ptr<EVP_PKEY, PkeyFree> rsa_;
  Bytes raw_sig_;
  std::string last_hash_;
};

TEST_F(CliTest, Ping) {
  const CliRun r = run(server_, "ping");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1.0\n");
}

TEST_F(CliTest, ListProvidersFormat) {
  const CliRun r = run(server_, "list-providers");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID: 0x01 (Mbed Crypto provider)\nDescription: Mbed\nVersion: 0.1.0\nVendor: Arm\n"
            "UUID: 1c1139dc-ad7c-47dc-ad6b-db6fdb466552\n\n"
            "ID: 0x00 (Core provider)\nDescription: Core\nVersion: 1.5.0\nVendor: Unspecified\n"
            "UUID: 47049873-2a43-4845-9d72-831eab668784\n\n");
}

TEST_F(CliTest, ListAuthenticatorsAndOpcodes) {
  CliRun r = run(server_, "list-authenticators");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ID: 0x01 (Direct authentication)\nDescription: Direct\nVersion: 0.1.0\n\n");
  r = run(server_, "list-opcodes --provider 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0x02 (PsaGenerateKey)\n0x0d (PsaGenerateRandom)\n");
  auto provider_asked = [this] {
    list_opcodes::Operation op;
    EXPECT_TRUE(op.ParseFromString(server_.requests().back().body));
    return op.provider_id();
  };
  EXPECT_EQ(provider_asked(), 1u);
  // As the reference tool: the core provider unless a provider is given,
  // globally or to the command.
  EXPECT_EQ(run(server_, "list-opcodes").exit_code, 0);
  EXPECT_EQ(provider_asked(), 0u);
  EXPECT_EQ(run(server_, "-p 1 list-opcodes").exit_code, 0);
  EXPECT_EQ(provider_asked(), 1u);
  EXPECT_EQ(run(server_, "-p 1 list-opcodes -p 2").exit_code, 0);
  EXPECT_EQ(provider_asked(), 2u);
}

TEST_F(CliTest, GlobalOptionsMayFollowTheSubcommand) {
  const CliRun r = run(server_, "list-keys --app-name late");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.requests().back().auth, (std::vector<uint8_t>{'l', 'a', 't', 'e'}));
}

TEST_F(CliTest, DirectWithoutAppNameSuggestsTheOption) {
  const CliRun r = run(server_, "list-keys");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("AuthenticatorNotRegistered"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--app-name"), std::string::npos) << r.err;
}

TEST_F(CliTest, ListKeysFormat) {
  const CliRun r = run(server_, "--app-name tester list-keys");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "* ecc (Mbed Crypto provider, EccKeyPair { curve_family: SecpR1 }, 256 bits, permitted algorithm: "
            "AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) }))\n"
            "* rsa (Mbed Crypto provider, RsaKeyPair, 1024 bits, permitted algorithm: "
            "AsymmetricEncryption(RsaPkcs1v15Crypt))\n");
  const auto reqs = server_.requests();
  EXPECT_EQ(reqs.back().auth, (std::vector<uint8_t>{'t', 'e', 's', 't', 'e', 'r'}));
}

TEST_F(CliTest, GenerateRandomFormat) {
  const CliRun r = run(server_, "generate-random --nbytes 3");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "01abff\n");  // contiguous lowercase hex, no trailing space
}

TEST_F(CliTest, SignPrintsBase64DerLikeTheReferenceTool) {
  const CliRun r = run(server_, "--app-name tester sign -k ecc 'hello world'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, base64_encode(ecdsa_raw_to_der(raw_sig_)) + "\n");
  EXPECT_EQ(Bytes(last_hash_.begin(), last_hash_.end()),
            digest(client::Hash::Sha256, Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}));
}

TEST_F(CliTest, VerifyAcceptsTheSignAndRejectsOthers) {
  const std::string sig = base64_encode(ecdsa_raw_to_der(raw_sig_));
  CliRun r = run(server_, "--app-name tester verify -k ecc -s " + sig + " 'hello world'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Bytes other = raw_sig_;
  other[5] ^= 1;
  r = run(server_, "--app-name tester verify -k ecc -s " + base64_encode(ecdsa_raw_to_der(other)) + " x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "parsec-cli: verify: PsaErrorInvalidSignature: the signature, MAC or hash does not match\n");
}

TEST_F(CliTest, ExportPublicKeyPem) {
  CliRun r = run(server_, "--app-name tester export-public-key -k ecc");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("PUBLIC KEY", i2d(&i2d_PUBKEY, ec_.get())));
  r = run(server_, "--app-name tester export-public-key -k rsa");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("PUBLIC KEY", i2d(&i2d_PUBKEY, rsa_.get())));
  r = run(server_, "--app-name tester export-public-key -k rsa --pkcs1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, pem_encode("RSA PUBLIC KEY", i2d(&i2d_PublicKey, rsa_.get())));
  r = run(server_, "--app-name tester export-public-key -k ecc --pkcs1");
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(CliTest, CreateKeysSendTheReferenceTemplates) {
  CliRun r = run(server_, "--app-name tester create-rsa-key -k r1 --for-signing --bits 3072");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  psa_generate_key::Operation op;
  ASSERT_TRUE(op.ParseFromString(server_.requests().back().body));
  EXPECT_EQ(op.key_name(), "r1");
  EXPECT_EQ(op.attributes().key_bits(), 3072u);
  EXPECT_TRUE(op.attributes().key_policy().key_algorithm().asymmetric_signature().has_rsa_pkcs1v15_sign());
  EXPECT_TRUE(op.attributes().key_policy().key_usage_flags().sign_message());

  r = run(server_, "--app-name tester create-rsa-key -k r2 --oaep");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(op.ParseFromString(server_.requests().back().body));
  EXPECT_EQ(op.attributes().key_bits(), 2048u);
  EXPECT_EQ(op.attributes().key_policy().key_algorithm().asymmetric_encryption().rsa_oaep().hash_alg(),
            psa_algorithm::Algorithm::SHA_256);
  EXPECT_TRUE(op.attributes().key_policy().key_usage_flags().decrypt());

  r = run(server_, "--app-name tester -p 1 create-ecc-key --key-name e1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(op.ParseFromString(server_.requests().back().body));
  EXPECT_EQ(op.attributes().key_type().ecc_key_pair().curve_family(), psa_key_attributes::KeyType::SECP_R1);
  EXPECT_EQ(op.attributes().key_bits(), 256u);
  EXPECT_EQ(server_.requests().back().header.provider, 1);
}

TEST_F(CliTest, ServiceErrorIsOneLineAndExitOne) {
  const CliRun r = run(server_, "--app-name tester sign -k rsa 'x'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  // The rsa key's policy is an encryption algorithm.
  EXPECT_EQ(r.err.find("parsec-cli: sign: "), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);

  const CliRun missing = run(server_, "--app-name tester sign -k nope 'x'");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "parsec-cli: sign: PsaErrorDoesNotExist: no key named \"nope\" for this caller\n");
}

TEST_F(CliTest, ConnectionErrorIsOneLine) {
  const std::string cmd =
      std::string("PARSEC_SERVICE_ENDPOINT=unix:/nonexistent/parsec.sock ") + PARSEC_CLI_PATH + " ping 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(std::string(buf, n),
            "parsec-cli: ping: ConnectionError: cannot connect to unix:/nonexistent/parsec.sock: No such file or "
            "directory\n");
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run(server_, "").exit_code, 2);
  EXPECT_EQ(run(server_, "no-such-command").exit_code, 2);
  EXPECT_EQ(run(server_, "sign").exit_code, 2);
  EXPECT_EQ(run(server_, "-p 9 ping").exit_code, 2);
  const CliRun help = run(server_, "--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("create-rsa-key"), std::string::npos);
}

TEST_F(CliTest, BadEndpointSchemeIsReported) {
  const std::string cmd = std::string("PARSEC_SERVICE_ENDPOINT=tcp://localhost:1 ") + PARSEC_CLI_PATH + " ping 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(std::string(buf, n).find("only unix:/path is supported"), std::string::npos) << buf;
}

}  // namespace
}  // namespace parsec::cli
