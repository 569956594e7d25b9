// handler_fuzz_test.cc - deterministic mutation testing of the request path.
// Valid requests of every opcode are mutated (bit flips, truncation,
// extension, random header fields) and fed to the real Handler over the real
// software provider. Every answer must be well formed: a defined status, no
// body on failure, the detached form for header-level failures; and the
// service must still work afterwards. Runs under ASan/UBSan in
// scripts/test-sanitizers.sh. Built only with the software provider
// (service/CMakeLists.txt).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <random>

#include "psa_asymmetric_decrypt.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/handler.h"

namespace parsec::service {
namespace {

class HandlerFuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);  // 100,000 refusals would flood the test log
    char tmpl[] = "/tmp/parsec-fuzz-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::string text =
        "[core_settings]\n[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\n"
        "[[authenticator]]\nauth_type = \"Direct\"\nadmins = [ { name = \"admin\" } ]\n"
        "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n"
        "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"" +
        dir_ + "/store/k.sqlite3\"\n[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";
    Result<Config> parsed = parse_config_text(text, "fuzz");
    ASSERT_TRUE(parsed.ok()) << parsed.detail();
    auto cfg = std::make_shared<Config>(std::move(parsed).value());
    auto made = Backends::create(*cfg);
    ASSERT_TRUE(made.ok()) << made.detail();
    backends_ = std::move(made).value();
    auto h = Handler::create(cfg, *backends_);
    ASSERT_TRUE(h.ok()) << h.detail();
    handler_ = std::move(h).value();
  }
  void TearDown() override {
    spdlog::set_level(spdlog::level::info);
    handler_.reset();
    backends_.reset();
    std::filesystem::remove_all(dir_);
  }

  Response send(WireHeader h, const std::string& body, const std::string& auth) {
    Request r;
    h.body_len = static_cast<uint32_t>(body.size());
    h.auth_len = static_cast<uint16_t>(auth.size());
    r.header = h;
    r.body = body;
    r.auth = auth;
    r.peer = PeerCredentials{true, 1000, 1000, 1};
    return handler_->handle(r);
  }

  static WireHeader header(Opcode op, uint8_t provider, AuthType auth) {
    WireHeader h;
    h.opcode = static_cast<uint32_t>(op);
    h.provider = provider;
    h.auth_type = static_cast<uint8_t>(auth);
    return h;
  }

  std::string dir_;
  std::unique_ptr<Backends> backends_;
  std::shared_ptr<const Handler> handler_;
};

TEST_F(HandlerFuzz, MutatedRequestsAlwaysGetWellFormedAnswers) {
  // Seed corpus: one valid body per kind of request.
  psa_generate_key::Operation gen;
  gen.set_key_name("fuzz-key");
  auto* a = gen.mutable_attributes();
  a->mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  a->set_key_bits(256);
  a->mutable_key_policy()->mutable_key_usage_flags()->set_sign_hash(true);
  a->mutable_key_policy()
      ->mutable_key_algorithm()
      ->mutable_asymmetric_signature()
      ->mutable_ecdsa()
      ->mutable_hash_alg()
      ->set_specific(psa_algorithm::Algorithm::SHA_256);
  ASSERT_EQ(send(header(Opcode::PsaGenerateKey, 1, AuthType::Direct), gen.SerializeAsString(), "app").header.status, 0);
  psa_sign_hash::Operation sign;
  sign.set_key_name("fuzz-key");
  sign.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_256);
  sign.set_hash(std::string(32, 'h'));
  psa_asymmetric_decrypt::Operation dec;
  dec.set_key_name("fuzz-key");
  dec.mutable_alg()->mutable_rsa_oaep()->set_hash_alg(psa_algorithm::Algorithm::SHA_256);
  dec.set_ciphertext(std::string(256, 'c'));
  const std::vector<std::string> bodies = {gen.SerializeAsString(), sign.SerializeAsString(), dec.SerializeAsString(),
                                           std::string("\x08\x01", 2), std::string()};

  std::mt19937_64 rng(0x5EC0A710);  // fixed: a failure reproduces
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  size_t successes = 0;
  constexpr int kIterations = 100000;
  for (int i = 0; i < kIterations; ++i) {
    std::string body = bodies[pick(bodies.size())];
    switch (pick(4)) {
      case 0:  // flip bits
        for (size_t k = 0, n = 1 + pick(4); k < n && !body.empty(); ++k) {
          body[pick(body.size())] ^= static_cast<char>(1u << pick(8));
        }
        break;
      case 1:  // truncate
        body.resize(body.empty() ? 0 : pick(body.size()));
        break;
      case 2:  // append random bytes
        for (size_t k = 0, n = 1 + pick(16); k < n; ++k) {
          body += static_cast<char>(rng());
        }
        break;
      default:
        break;
    }
    WireHeader h;
    h.opcode = static_cast<uint32_t>(pick(0x24));
    h.provider = static_cast<uint8_t>(pick(8));
    h.auth_type = static_cast<uint8_t>(pick(6));
    h.content_type = pick(20) == 0 ? 1 : 0;
    h.session = rng();
    std::string auth;
    switch (h.auth_type) {
      case 1:
        auth = pick(2) ? "app" : (pick(2) ? "admin" : std::string("\xff", 1));
        break;
      case 3:
        auth = std::string("\xe8\x03\x00\x00", 4);  // the peer's uid 1000
        break;
      default:
        auth = pick(4) == 0 ? std::string(pick(8), 'x') : std::string();
    }
    Response r = send(h, body, auth);
    auto st = status_from_u16(r.header.status);
    ASSERT_TRUE(st.has_value()) << "undefined status " << r.header.status << " at iteration " << i;
    EXPECT_EQ(r.header.magic, kMagic);
    EXPECT_EQ(r.header.body_len, r.body.size());
    if (*st != Status::Success) {
      EXPECT_TRUE(r.body.empty()) << "a failure carried a body at iteration " << i;
      // Header-level failures answer in the detached form.
      if (*st == Status::ContentTypeNotSupported || *st == Status::OpcodeDoesNotExist ||
          *st == Status::ProviderDoesNotExist || *st == Status::AuthenticatorDoesNotExist) {
        EXPECT_EQ(r.header.opcode, 1u);
        EXPECT_EQ(r.header.session, 0u);
      } else {
        EXPECT_EQ(r.header.opcode, h.opcode);
        EXPECT_EQ(r.header.session, h.session);
      }
    } else {
      ++successes;
    }
    if (HasFatalFailure()) {
      return;
    }
  }
  EXPECT_GT(successes, 200u) << "the mutations never produced a valid request: the corpus is broken";
  // The service still works: a new key can be made and used. (The fuzzer may
  // legitimately have destroyed "fuzz-key" with a valid PsaDestroyKey.)
  gen.set_key_name("after-fuzz");
  sign.set_key_name("after-fuzz");
  EXPECT_EQ(send(header(Opcode::PsaGenerateKey, 1, AuthType::Direct), gen.SerializeAsString(), "app").header.status, 0);
  EXPECT_EQ(send(header(Opcode::PsaSignHash, 1, AuthType::Direct), sign.SerializeAsString(), "app").header.status, 0);
}

}  // namespace
}  // namespace parsec::service
