// Unit tests of the JWT-SVID reader (spiffe/jwt.h) and, when built with gRPC,
// of the JwtSvid authenticator's refusals that need no agent: malformed,
// unsigned, expired and wrong-audience tokens, non-UTF-8 bytes, a bad
// workload_endpoint, and an agent that is not there. The refusals an agent
// makes (signature, trust domain) are tested against real SPIRE by
// tests/spiffe/run.sh.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "spiffe/jwt.h"

#include "parsec/interface/base64url.h"

#ifdef PARSEC_WITH_JWT_SVID
#include "service/src/jwt_svid.h"
#endif

namespace {

std::string b64url(const std::string& in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(a[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) {
    out.push_back(a[(acc << (6 - bits)) & 63]);
  }
  return out;
}

std::string jwt(const std::string& header, const std::string& payload, const std::string& sig = "c2ln") {
  return b64url(header) + "." + b64url(payload) + "." + sig;
}

std::string claims(const std::string& sub, const std::string& aud, int64_t exp) {
  return "{\"sub\":\"" + sub + "\",\"aud\":" + aud + ",\"exp\":" + std::to_string(exp) + ",\"iat\":1}";
}

const int64_t kFuture = static_cast<int64_t>(std::time(nullptr)) + 3600;

TEST(JwtSvidReader, ReadsAValidShape) {
  std::string why;
  auto v = parsec::spiffe::read_jwt_svid(
      jwt(R"({"alg":"ES256","kid":"k","typ":"JWT"})", claims("spiffe://td/a", R"(["parsec","x"])", kFuture)), why);
  ASSERT_TRUE(v) << why;
  EXPECT_EQ(v->alg, "ES256");
  EXPECT_EQ(v->sub, "spiffe://td/a");
  EXPECT_EQ(v->aud, (std::vector<std::string>{"parsec", "x"}));
  EXPECT_EQ(v->exp, kFuture);
  EXPECT_EQ(v->iat, 1);
  // A single audience may be a string; nested members are skipped.
  v = parsec::spiffe::read_jwt_svid(
      jwt(R"({"alg":"RS256"})", R"({"sub":"spiffe:\/\/td\/b","aud":"parsec","exp":5.5,"x":{"y":[1,{"z":null}]}})"),
      why);
  ASSERT_TRUE(v) << why;
  EXPECT_EQ(v->sub, "spiffe://td/b");
  EXPECT_EQ(v->aud, (std::vector<std::string>{"parsec"}));
  EXPECT_EQ(v->exp, 5);
}

TEST(JwtSvidReader, RefusesBadShapes) {
  const std::string good_payload = claims("spiffe://td/a", R"("parsec")", kFuture);
  struct Case {
    std::string token;
    std::string reason;
  } cases[] = {
      {"", "three dot-separated"},
      {"abc", "three dot-separated"},
      {"a.b.c.d", "three dot-separated"},
      {jwt(R"({"alg":"ES256"})", good_payload, ""), "no signature"},
      {jwt(R"({"alg":"ES256"})", good_payload, "a+b/"), "signature is not base64url"},
      {"e30!." + b64url(good_payload) + ".c2ln", "not base64url"},
      {jwt("not json", good_payload), "header is not a JSON object"},
      {jwt(R"({"alg":"ES256"} x)", good_payload), "header is not a JSON object"},
      {jwt(R"({"alg":"ES256"})", "[1,2]"), "payload is not a JSON object"},
      {jwt(R"({"typ":"JWT"})", good_payload), "no \"alg\""},
      {jwt(R"({"alg":"none"})", good_payload), "unsigned"},
      {jwt(R"({"alg":"ES256"})", claims("https://td/a", R"("parsec")", kFuture)), "not a SPIFFE ID"},
  };
  for (const auto& c : cases) {
    std::string why;
    EXPECT_FALSE(parsec::spiffe::read_jwt_svid(c.token, why)) << c.token;
    EXPECT_NE(why.find(c.reason), std::string::npos) << "token " << c.token << ": " << why;
  }
}

TEST(JwtSvidReader, Base64Url) {
  EXPECT_EQ(parsec::base64url_decode("aGk"), "hi");
  EXPECT_EQ(parsec::base64url_decode("aGk="), "hi");
  EXPECT_EQ(parsec::base64url_decode("_-8"), std::string("\xff\xef", 2));
  EXPECT_FALSE(parsec::base64url_decode("a"));
  EXPECT_FALSE(parsec::base64url_decode("a+b/"));
}

#ifdef PARSEC_WITH_JWT_SVID
using parsec::Status;
using parsec::service::AuthenticatorConfig;
using parsec::service::make_jwt_svid_authenticator;

AuthenticatorConfig config(const std::string& endpoint) {
  AuthenticatorConfig c;
  c.type = parsec::AuthType::JwtSvid;
  c.workload_endpoint = endpoint;
  c.admins = {"spiffe://td/admin"};
  return c;
}

TEST(JwtSvidAuthenticator, RefusesBadEndpoints) {
  for (const char* ep : {"tcp://127.0.0.1:8081", "relative/path", "unix://host/path", "unix:relative", ""}) {
    auto a = make_jwt_svid_authenticator(config(ep));
    ASSERT_FALSE(a.ok()) << ep;
    EXPECT_EQ(a.status(), Status::InvalidEncoding) << ep;
  }
  for (const char* ep : {"unix:///run/spire/agent.sock", "unix:/run/spire/agent.sock", "/run/spire/agent.sock"}) {
    EXPECT_TRUE(make_jwt_svid_authenticator(config(ep)).ok()) << ep;
  }
}

TEST(JwtSvidAuthenticator, RefusesWithoutAskingTheAgent) {
  // No agent at this path: a token refused before the call never reaches it,
  // so the status is the refusal's, not the agent's absence.
  auto a = make_jwt_svid_authenticator(config("unix:///nonexistent/parsec-test/agent.sock"));
  ASSERT_TRUE(a.ok());
  parsec::service::PeerCredentials peer;
  const auto now = static_cast<int64_t>(std::time(nullptr));
  struct Case {
    std::string token;
    Status status;
    std::string reason;
  } cases[] = {
      {"", Status::AuthenticationError, "empty"},
      {std::string("\xff\xfe", 2), Status::InvalidEncoding, "not UTF-8"},
      {"not-a-jwt", Status::AuthenticationError, "compact serialization"},
      {jwt(R"({"alg":"none"})", claims("spiffe://td/a", R"("parsec")", now + 60)), Status::AuthenticationError,
       "unsigned"},
      {jwt(R"({"alg":"ES256"})", claims("spiffe://td/a", R"(["other"])", now + 60)), Status::AuthenticationError,
       "audience"},
      {jwt(R"({"alg":"ES256"})", claims("spiffe://td/a", R"("parsec")", now - 30)), Status::AuthenticationError,
       "expired"},
      {jwt(R"({"alg":"ES256"})", R"({"sub":"spiffe://td/a","aud":"parsec"})"), Status::AuthenticationError,
       "no expiry"},
      {std::string(20000, 'a'), Status::AuthenticationError, "longer than"},
  };
  for (const auto& c : cases) {
    auto r = (*a)->authenticate(c.token, peer);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), c.status) << r.detail();
    EXPECT_NE(r.detail().find(c.reason), std::string::npos) << r.detail();
    if (c.token.size() > 8) {
      // The token never appears in the detail that reaches the log.
      EXPECT_EQ(r.detail().find(c.token), std::string::npos);
    }
  }
}

TEST(JwtSvidAuthenticator, AgentDownIsACommunicationFailure) {
  auto a = make_jwt_svid_authenticator(config("unix:///nonexistent/parsec-test/agent.sock"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->describe().id, parsec::AuthType::JwtSvid);
  const auto now = static_cast<int64_t>(std::time(nullptr));
  auto r = (*a)->authenticate(jwt(R"({"alg":"ES256"})", claims("spiffe://td/a", R"("parsec")", now + 60)), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::PsaErrorCommunicationFailure) << r.detail();
  EXPECT_NE(r.detail().find("did not answer"), std::string::npos) << r.detail();
  EXPECT_TRUE((*a)->is_admin("spiffe://td/admin"));
  EXPECT_FALSE((*a)->is_admin("spiffe://td/a"));
}
#endif

}  // namespace
