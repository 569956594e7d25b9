// parsec-cli (on the C++ client core) against the real parsecd; every
// signature it prints is verified with OpenSSL.
#ifdef PARSEC_CLI_PATH
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "tests/e2e/harness.h"

namespace parsec::e2e {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { d_.start(); }
  void TearDown() override { EXPECT_EQ(d_.stop(SIGTERM), 0); }

  // run executes parsec-cli with `args` (shell-quoted by the caller) and
  // captures stdout and stderr.
  CliRun run(const std::string& args) {
    std::string cmd =
        "PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() + " " PARSEC_CLI_PATH " --app-name tester " + args + " 2>&1";
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
      r.out.append(buf.data(), n);
    }
    int st = ::pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }

  static std::string unbase64(const std::string& b64) {
    std::string in;
    for (char c : b64) {
      if (!std::isspace(static_cast<unsigned char>(c))) {
        in += c;
      }
    }
    std::string out(in.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) {
      return {};
    }
    size_t pad = in.size() >= 2 ? (in[in.size() - 1] == '=') + (in[in.size() - 2] == '=') : 0;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
  }

  // verify checks a DER signature over SHA-256(message) with a PEM SPKI key.
  static bool verify(const std::string& pem, const std::string& message, const std::string& der_sig, bool pss) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (!key) {
      return false;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1;
    if (ok && pss) {
      ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der_sig.data()), der_sig.size(),
                                reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
  }

  Daemon d_;
};

TEST_F(Cli, DiscoveryCommands) {
  CliRun ping = run("ping");
  EXPECT_EQ(ping.code, 0);
  EXPECT_EQ(ping.out, "1.0\n");
  CliRun lp = run("list-providers");
  EXPECT_EQ(lp.code, 0);
  EXPECT_NE(lp.out.find("1c1139dc-ad7c-47dc-ad6b-db6fdb466552"), std::string::npos) << lp.out;
  EXPECT_NE(lp.out.find("47049873-2a43-4845-9d72-831eab668784"), std::string::npos) << lp.out;
  CliRun lo = run("list-opcodes -p 1");
  EXPECT_EQ(lo.code, 0);
  EXPECT_NE(lo.out.find("PsaSignHash"), std::string::npos) << lo.out;
  EXPECT_EQ(run("list-authenticators").code, 0);
  CliRun rnd = run("generate-random -n 16");
  EXPECT_EQ(rnd.code, 0);
  EXPECT_GE(rnd.out.size(), 32u) << rnd.out;
}

TEST_F(Cli, EccSignVerifiesWithOpenSSL) {
  ASSERT_EQ(run("create-ecc-key -k ecc").code, 0);
  CliRun pub = run("export-public-key -k ecc");
  ASSERT_EQ(pub.code, 0);
  ASSERT_NE(pub.out.find("BEGIN PUBLIC KEY"), std::string::npos);
  // Enough signatures that a leading-zero r or s (1 in 128) would show up
  // as non-strict DER at least sometimes.
  for (int i = 0; i < 40; ++i) {
    std::string msg = "message number " + std::to_string(i);
    CliRun sig = run("sign -k ecc '" + msg + "'");
    ASSERT_EQ(sig.code, 0) << sig.out;
    EXPECT_TRUE(verify(pub.out, msg, unbase64(sig.out), false)) << msg;
    EXPECT_FALSE(verify(pub.out, msg + "!", unbase64(sig.out), false));
  }
  CliRun lk = run("list-keys");
  EXPECT_NE(lk.out.find("ecc"), std::string::npos);
  EXPECT_EQ(run("delete-key -k ecc").code, 0);
  CliRun again = run("delete-key -k ecc");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.out.find("PsaErrorDoesNotExist"), std::string::npos) << again.out;
  EXPECT_EQ(std::count(again.out.begin(), again.out.end(), '\n'), 1) << again.out;
}

TEST_F(Cli, RsaSignaturesVerifyWithOpenSSL) {
  ASSERT_EQ(run("create-rsa-key -k rsa -s").code, 0);
  ASSERT_EQ(run("create-rsa-key -k pss -r").code, 0);
  for (auto [key, pss] : {std::pair{"rsa", false}, {"pss", true}}) {
    CliRun pub = run(std::string("export-public-key -k ") + key);
    CliRun sig = run(std::string("sign -k ") + key + " hello");
    ASSERT_EQ(sig.code, 0) << sig.out;
    EXPECT_TRUE(verify(pub.out, "hello", unbase64(sig.out), pss)) << key;
    CliRun v = run(std::string("verify -k ") + key + " -s " + sig.out.substr(0, sig.out.find('\n')) + " hello");
    EXPECT_EQ(v.code, 0) << v.out;
  }
  CliRun pk = run("export-public-key -k rsa --pkcs1");
  EXPECT_NE(pk.out.find("BEGIN RSA PUBLIC KEY"), std::string::npos) << pk.out;
}

TEST_F(Cli, ErrorsAreOneLineAndNonZero) {
  CliRun missing = run("sign -k nope hello");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.out.find("PsaErrorDoesNotExist"), std::string::npos) << missing.out;
  CliRun admin = run("list-clients");
  EXPECT_EQ(admin.code, 1);
  EXPECT_NE(admin.out.find("AdminOperation"), std::string::npos) << admin.out;
  CliRun usage = run("create-ecc-key");
  EXPECT_EQ(usage.code, 2);
  std::string bad = "PARSEC_SERVICE_ENDPOINT=unix:/nonexistent/sock " PARSEC_CLI_PATH " ping 2>&1";
  FILE* p = ::popen(bad.c_str(), "r");
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  int st = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(st), 1);
  EXPECT_NE(std::string(buf, n).find("cannot connect"), std::string::npos) << buf;
}

}  // namespace
}  // namespace parsec::e2e
#endif
