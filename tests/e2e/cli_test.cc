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
#include <iterator>
#include <memory>
#include <string>

#include "tests/e2e/harness.h"

namespace parsec::e2e {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

// shell runs a trusted test command line and captures its standard output
// (and standard error when the command says 2>&1).
CliRun shell(const std::string& cmd) {
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

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { d_.start(); }
  void TearDown() override { EXPECT_EQ(d_.stop(SIGTERM), 0); }

  // run executes parsec-cli with `args` (shell-quoted by the caller) and
  // captures stdout and stderr.
  CliRun run(const std::string& args) {
    return shell("PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() + " " PARSEC_CLI_PATH " --app-name tester " + args +
                 " 2>&1");
  }
  // run_stdout is run() with standard output alone (binary outputs); stderr is dropped.
  CliRun run_stdout(const std::string& args) {
    return shell("PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() + " " PARSEC_CLI_PATH " --app-name tester " + args +
                 " 2>/dev/null");
  }
  std::string write_file(const std::string& name, const std::string& data) {
    const std::string path = d_.dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
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

// ---- issue 16: the rough edges of a first-time user --------------------------------------

TEST_F(Cli, VersionAndExitCodesInHelp) {
  CliRun v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("parsec-cli 0.", 0), 0u) << v.out;
  CliRun help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Exit status: 0 success; 1 "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("2 usage error"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--auth"), std::string::npos) << help.out;
}

TEST_F(Cli, UnknownCommandIsNamedWithTheValidOnes) {
  CliRun r = run("frobnicate -k x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valid commands: ping, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" sign, verify, "), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  CliRun none = run("");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.out.find("a command is required; valid commands: ping"), std::string::npos) << none.out;
  // Global options with values before the command are not taken for it.
  EXPECT_EQ(run("-t 5 --auth direct ping").out, "1.0\n");
}

TEST_F(Cli, BareAbsoluteSocketPathInTheEnvironment) {
  CliRun r = shell("PARSEC_SERVICE_ENDPOINT=" + d_.socket_path() + " " PARSEC_CLI_PATH " ping 2>&1");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "1.0\n");
}

TEST_F(Cli, GenerateRandomFormats) {
  CliRun hex = run_stdout("generate-random -n 16");
  ASSERT_EQ(hex.code, 0);
  ASSERT_EQ(hex.out.size(), 33u) << hex.out;  // 32 lowercase hex digits and a newline, no spaces
  EXPECT_EQ(hex.out.back(), '\n');
  EXPECT_TRUE(std::all_of(hex.out.begin(), hex.out.end() - 1, [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << hex.out;
  CliRun hex2 = run_stdout("generate-random -n 16 --format hex");
  EXPECT_NE(hex2.out, hex.out);  // fresh bytes each time
  CliRun b64 = run_stdout("generate-random -n 32 --format base64");
  ASSERT_EQ(b64.code, 0);
  EXPECT_EQ(unbase64(b64.out).size(), 32u) << b64.out;
  CliRun raw = run_stdout("generate-random -n 100 --format raw");
  ASSERT_EQ(raw.code, 0);
  EXPECT_EQ(raw.out.size(), 100u);
  EXPECT_EQ(run("generate-random -n 4 --format octal").code, 2);
}

TEST_F(Cli, SignsAndVerifiesBinaryFilesAndStandardInput) {
  ASSERT_EQ(run("create-ecc-key -k ecc").code, 0);
  const std::string pub = run("export-public-key -k ecc").out;
  std::string binary("\x00\xff\xfe binary\x00\n\x80", 14);
  for (int i = 0; i < 256; ++i) {
    binary += static_cast<char>(i);
  }
  const std::string file = write_file("blob.bin", binary);
  // -i FILE, base64 output
  CliRun sig = run("sign -k ecc -i " + file);
  ASSERT_EQ(sig.code, 0) << sig.out;
  EXPECT_TRUE(verify(pub, binary, unbase64(sig.out), false));
  EXPECT_FALSE(verify(pub, binary + "x", unbase64(sig.out), false));
  // -i - (standard input), raw DER output into a file
  const std::string sig_file = d_.dir() + "/blob.sig";
  CliRun raw = shell("cat " + file + " | PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() +
                     " " PARSEC_CLI_PATH " --app-name tester sign -k ecc -i - --format raw > " + sig_file);
  ASSERT_EQ(raw.code, 0);
  const std::string der = slurp(sig_file);
  ASSERT_FALSE(der.empty());
  EXPECT_EQ(static_cast<unsigned char>(der[0]), 0x30u);  // a DER SEQUENCE, not base64 text
  EXPECT_TRUE(verify(pub, binary, der, false));
  // verify takes the file and a raw or a base64 signature; a changed file fails with exit 1.
  EXPECT_EQ(run("verify -k ecc --signature-file " + sig_file + " -i " + file).code, 0);
  EXPECT_EQ(run("verify -k ecc -s " + sig.out.substr(0, sig.out.find('\n')) + " -i " + file).code, 0);
  const std::string other = write_file("other.bin", binary + "!");
  CliRun bad = run("verify -k ecc --signature-file " + sig_file + " -i " + other);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("PsaErrorInvalidSignature"), std::string::npos) << bad.out;
  // Usage errors: both inputs, or none.
  EXPECT_EQ(run("sign -k ecc text -i " + file).code, 2);
  CliRun none = run("sign -k ecc");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.out.find("no input"), std::string::npos) << none.out;
  CliRun missing = run("sign -k ecc -i " + d_.dir() + "/missing.bin");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.out.find("cannot open"), std::string::npos) << missing.out;
}

TEST_F(Cli, EncryptsAndDecryptsBinaryData) {
  ASSERT_EQ(run("create-rsa-key -k rsa -o").code, 0);
  std::string plaintext("\x00\x01\xff secret \x00\x80", 13);
  const std::string file = write_file("pt.bin", plaintext);
  const std::string ct_file = d_.dir() + "/ct.bin";
  CliRun enc = shell("PARSEC_SERVICE_ENDPOINT=" + d_.endpoint() +
                     " " PARSEC_CLI_PATH " --app-name tester encrypt -k rsa -i " + file + " --format raw > " + ct_file);
  ASSERT_EQ(enc.code, 0);
  EXPECT_EQ(slurp(ct_file).size(), 256u);  // RSA-2048: the raw ciphertext
  CliRun dec = run_stdout("decrypt -k rsa -i " + ct_file + " --format raw");
  ASSERT_EQ(dec.code, 0);
  EXPECT_EQ(dec.out, plaintext);
  CliRun dec64 = run_stdout("decrypt -k rsa -i " + ct_file + " --format base64");
  EXPECT_EQ(unbase64(dec64.out), plaintext);
  // The base64 argument form still works, from a base64 ciphertext of standard input too.
  CliRun enc64 = run_stdout("encrypt -k rsa -i " + file);
  ASSERT_EQ(enc64.code, 0);
  CliRun dec_arg = run_stdout("decrypt -k rsa --format raw " + enc64.out.substr(0, enc64.out.find('\n')));
  EXPECT_EQ(dec_arg.out, plaintext);
}

// The daemon lists UnixPeerCredentials first: --app-name alone is not used
// (warning); --auth direct uses it, --auth unix-peer the uid.
TEST(CliAuth, AuthOptionAndAppNameWarning) {
  DaemonOptions o;
  o.authenticators =
      "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n"
      "[[authenticator]]\nauth_type = \"Direct\"\nadmins = [ { name = \"admin\" } ]\n";
  Daemon d(o);
  d.start();
  const std::string env = "PARSEC_SERVICE_ENDPOINT=" + d.endpoint() + " " PARSEC_CLI_PATH " ";
  CliRun warned = shell(env + "--app-name tester create-ecc-key -k by-uid 2>&1");
  EXPECT_EQ(warned.code, 0) << warned.out;
  EXPECT_NE(warned.out.find("warning: --app-name is not used"), std::string::npos) << warned.out;
  EXPECT_NE(warned.out.find("--auth direct"), std::string::npos) << warned.out;
  CliRun direct = shell(env + "--app-name tester --auth direct create-ecc-key -k by-name 2>&1");
  EXPECT_EQ(direct.code, 0) << direct.out;
  EXPECT_EQ(direct.out, "");  // no warning
  // Each key is in its own namespace.
  CliRun uid_keys = shell(env + "--auth unix-peer list-keys 2>&1");
  EXPECT_NE(uid_keys.out.find("* by-uid "), std::string::npos) << uid_keys.out;
  EXPECT_EQ(uid_keys.out.find("by-name"), std::string::npos) << uid_keys.out;
  CliRun app_keys = shell(env + "--app-name tester --auth direct list-keys 2>&1");
  EXPECT_NE(app_keys.out.find("* by-name "), std::string::npos) << app_keys.out;
  EXPECT_EQ(app_keys.out.find("by-uid"), std::string::npos) << app_keys.out;
  CliRun no_name = shell(env + "--auth direct list-keys 2>&1");
  EXPECT_EQ(no_name.code, 1);
  EXPECT_NE(no_name.out.find("--auth direct needs --app-name"), std::string::npos) << no_name.out;
  EXPECT_EQ(shell(env + "--auth kerberos ping 2>&1").code, 2);
  EXPECT_EQ(d.stop(SIGTERM), 0);
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
