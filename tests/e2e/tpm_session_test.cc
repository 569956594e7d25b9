// tpm_session_test.cc - issue 15 item 6: the TPM provider sends no auth value
// and no sensitive data over the TCTI in clear. The daemon runs with the TSS's
// own trace of every buffer it writes to and reads from the TPM
// (TSS2_LOG=tcti+debug). The test sets owner and endorsement hierarchy
// passwords, drives key generation, signing, RSA decryption, import of a key
// pair and the endorsement key, then checks the trace: no password session
// (TPM_RS_PW) authorises a command that uses an auth value; the commands that
// carry secrets in their first parameter use parameter encryption; the
// hierarchy passwords, the imported private scalar and the decrypted plaintext
// appear nowhere in the bytes that crossed the TCTI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include "prepare_key_attestation.pb.h"
#include "tests/e2e/proto_client.h"
#include "tests/e2e/swtpm_fixture.h"

namespace parsec::e2e {
namespace {

using parsec::testing::Swtpm;
using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;

constexpr uint8_t kTpm = 3;
constexpr const char* kOwnerAuth = "Owner-Secret-4711";
constexpr const char* kEndorsementAuth = "Endorse-Secret-0815";
constexpr uint32_t kPasswordSession = 0x40000009;  // TPM_RS_PW
constexpr uint8_t kDecrypt = 0x20;                 // TPMA_SESSION_DECRYPT

std::string hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

uint32_t be32(const std::string& b, size_t off) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<unsigned char>(b[off + i]);
  }
  return v;
}

// Buffers holds, in hex, every command written to the TPM and every response
// read, from the TSS trace ("Writing N bytes to socket" / "read N bytes
// from fd" followed by "0000: <hex>  <ascii>" lines).
struct Buffers {
  std::vector<std::string> commands;  // raw bytes
  std::string all_hex;                // commands and responses, concatenated
};

Buffers parse_trace(const std::string& log) {
  Buffers out;
  std::istringstream in(log);
  std::string line;
  const std::regex row("^[0-9a-f]{4}: ([0-9a-f]+)");
  std::string* current = nullptr;
  std::string scratch;
  bool command = false;
  auto flush = [&] {
    if (current && command) {
      std::string bytes;
      for (size_t i = 0; i + 1 < current->size(); i += 2) {
        bytes += static_cast<char>(std::stoi(current->substr(i, 2), nullptr, 16));
      }
      out.commands.push_back(bytes);
    }
    if (current) {
      out.all_hex += *current + "|";
    }
    current = nullptr;
  };
  while (std::getline(in, line)) {
    std::smatch m;
    if (current && std::regex_search(line, m, row)) {
      *current += m[1].str();
      continue;
    }
    flush();
    if (line.find("socket_xmit_buf() Writing") != std::string::npos ||
        line.find("read_all() read") != std::string::npos) {
      command = line.find("Writing") != std::string::npos;
      scratch.clear();
      current = &scratch;
    }
  }
  flush();
  return out;
}

// Commands that use an auth value, with their number of handles.
const std::map<uint32_t, std::pair<const char*, size_t>> kAuthorised = {{0x131, {"CreatePrimary", 1}},
                                                                        {0x153, {"Create", 1}},
                                                                        {0x156, {"Import", 1}},
                                                                        {0x15D, {"Sign", 1}},
                                                                        {0x159, {"RSA_Decrypt", 1}},
                                                                        {0x151, {"PolicySecret", 2}},
                                                                        {0x147, {"ActivateCredential", 2}}};
// Those whose first parameter is secret (a new key's auth, a wrapping key,
// a ciphertext whose plaintext comes back): parameter encryption required.
const std::map<uint32_t, bool> kSecretFirstParameter = {{0x153, true}, {0x156, true}, {0x159, true}};

TEST(TpmSessions, NoAuthValueOrSensitiveDataCrossesTheTctiInClear) {
  if (!Swtpm::available()) {
    FAIL() << "swtpm is not installed (scripts/install-deps.sh installs it)";
  }
  Swtpm tpm;
  for (const auto& [hierarchy, auth] : {std::pair{"owner", kOwnerAuth}, std::pair{"endorsement", kEndorsementAuth}}) {
    std::string cmd = "tpm2_changeauth -T '" + tpm.tcti() + "' -c " + hierarchy + " " + auth + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  DaemonOptions o;
  o.providers = std::string("[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"sqlite-manager\"\n") +
                "tcti = \"" + tpm.tcti() + "\"\nowner_hierarchy_auth = \"" + kOwnerAuth +
                "\"\nendorsement_hierarchy_auth = \"" + kEndorsementAuth + "\"\n";
  o.timeout_ms = 10000;
  ::setenv("TSS2_LOG", "tcti+debug", 1);
  Daemon d(o);
  d.start();
  ::unsetenv("TSS2_LOG");
  App a{d.socket_path(), "alice"};
  a.provider = kTpm;

  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(a.sign_hash("k", ecdsa(Algorithm::SHA_256), sha(256, "m")).status, Status::Success);

  KeyAttributes crypt;
  crypt.mutable_key_type()->mutable_rsa_key_pair();
  crypt.set_key_bits(2048);
  crypt.mutable_key_policy()->mutable_key_usage_flags()->set_encrypt(true);
  crypt.mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(true);
  Algorithm::AsymmetricEncryption oaep;
  oaep.mutable_rsa_oaep()->set_hash_alg(Algorithm::SHA_256);
  *crypt.mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_encryption() = oaep;
  ASSERT_EQ(a.generate("r", crypt).status, Status::Success);
  const std::string plaintext = "plaintext-that-must-not-cross-in-clear-31337";
  Call enc = asymmetric_encrypt(a, "r", oaep, plaintext);
  ASSERT_EQ(enc.status, Status::Success);
  Call dec = asymmetric_decrypt(a, "r", oaep, enc.body);
  ASSERT_EQ(dec.status, Status::Success);
  EXPECT_EQ(dec.body, plaintext);

  // A P-256 private scalar the test knows (any value 1 <= d < n).
  const std::string scalar = sha(256, "the imported private key");
  ASSERT_EQ(a.import("imported", ecc_pair(256, ecdsa(Algorithm::SHA_256)), scalar).status, Status::Success);
  ASSERT_EQ(a.sign_hash("imported", ecdsa(Algorithm::SHA_256), sha(256, "m")).status, Status::Success);

  prepare_key_attestation::Operation pop;
  pop.mutable_parameters()->mutable_activate_credential()->set_attested_key_name("r");
  ASSERT_EQ(call(d.socket_path(), Opcode::PrepareKeyAttestation, kTpm, AuthType::Direct, "alice", pop).status,
            Status::Success);
  ASSERT_EQ(d.stop(SIGTERM), 0);

  Buffers b = parse_trace(d.log());
  ASSERT_GT(b.commands.size(), 10u) << "no TSS trace in the daemon's log (TSS2_LOG)";
  std::map<std::string, size_t> seen;
  for (const auto& c : b.commands) {
    if (c.size() < 10) {
      continue;
    }
    uint32_t cc = be32(c, 6);
    auto it = kAuthorised.find(cc);
    if (it == kAuthorised.end() || c[0] != '\x80' || c[1] != '\x02') {
      continue;
    }
    const auto& [name, handles] = it->second;
    size_t off = 10 + 4 * handles + 4;  // the first session of the authorization area
    ASSERT_GE(c.size(), off + 7) << name;
    uint32_t session = be32(c, off);
    size_t nonce = (static_cast<unsigned char>(c[off + 4]) << 8) | static_cast<unsigned char>(c[off + 5]);
    auto attributes = static_cast<uint8_t>(c[off + 6 + nonce]);
    ++seen[name];
    EXPECT_NE(session, kPasswordSession) << name << " is authorised by a password session: its auth crossed in clear";
    if (kSecretFirstParameter.count(cc)) {
      EXPECT_TRUE(attributes & kDecrypt) << name << " sends its first parameter without parameter encryption";
    }
  }
  for (const char* must : {"CreatePrimary", "Create", "Import", "Sign", "RSA_Decrypt"}) {
    EXPECT_GT(seen[must], 0u) << "the trace shows no " << must;
  }
  EXPECT_EQ(b.all_hex.find(hex(kOwnerAuth)), std::string::npos) << "the owner hierarchy's password crossed in clear";
  EXPECT_EQ(b.all_hex.find(hex(kEndorsementAuth)), std::string::npos)
      << "the endorsement hierarchy's password crossed in clear";
  EXPECT_EQ(b.all_hex.find(hex(plaintext)), std::string::npos) << "the decrypted plaintext crossed in clear";
  EXPECT_EQ(b.all_hex.find(hex(scalar)), std::string::npos) << "the imported private scalar crossed in clear";
}

}  // namespace
}  // namespace parsec::e2e
