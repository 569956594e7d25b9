// The client core's JWT-SVID authentication with an application-supplied
// token source (jwt_svid.h): discovery picks it only when a source is set, the
// token travels as the auth field, the source is asked on every request (so
// it can rotate), and a source's failure reaches the caller unchanged.
#include <gtest/gtest.h>

#include <atomic>

#include "list_authenticators.pb.h"
#include "parsec/client/client.h"
#include "parsec/client/jwt_svid.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::FakeServer;
using testing::reply_message;
using testing::reply_with;
using testing::status_response;

list_authenticators::Result offered(std::initializer_list<AuthType> ids) {
  list_authenticators::Result r;
  for (AuthType id : ids) {
    r.add_authenticators()->set_id(static_cast<uint32_t>(id));
  }
  return r;
}

class CountingSource final : public JwtSvidSource {
 public:
  std::string token() override { return "token-" + std::to_string(++calls); }
  std::atomic<int> calls{0};
};

class FailingSource final : public JwtSvidSource {
 public:
  std::string token() override { throw Error::client_error(Status::ConnectionError, "FetchJWTSVID", "agent down"); }
};

TEST(JwtSvidAuth, DiscoveryPicksItOnlyWithASource) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators, offered({AuthType::JwtSvid, AuthType::UnixPeerCredentials})));
  Client client(server.endpoint(), "");
  EXPECT_EQ(client.auth_type(), AuthType::UnixPeerCredentials);

  auto source = std::make_shared<CountingSource>();
  client.set_jwt_svid_source(source);  // drops the cached choice
  server.push(reply_message(Opcode::ListAuthenticators, offered({AuthType::JwtSvid, AuthType::UnixPeerCredentials})));
  server.set_default(reply_with(status_response(Opcode::ListKeys, Status::Success)));
  client.list_keys();
  client.list_keys();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[2].header.auth_type, 4);
  EXPECT_EQ(std::string(reqs[2].auth.begin(), reqs[2].auth.end()), "token-1");
  EXPECT_EQ(std::string(reqs[3].auth.begin(), reqs[3].auth.end()), "token-2");
  EXPECT_EQ(source->calls.load(), 2);
}

TEST(JwtSvidAuth, ForcingNeedsASource) {
  FakeServer server;
  Client client(server.endpoint(), "");
  try {
    client.set_auth_type(AuthType::JwtSvid);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::AuthenticatorNotRegistered);
  }
  client.set_jwt_svid_source(std::make_shared<CountingSource>());
  client.set_auth_type(AuthType::JwtSvid);
  EXPECT_EQ(client.auth_type(), AuthType::JwtSvid);
  // Removing the source undoes the forced choice rather than failing later.
  client.set_jwt_svid_source(nullptr);
  server.push(reply_message(Opcode::ListAuthenticators, offered({AuthType::UnixPeerCredentials})));
  EXPECT_EQ(client.auth_type(), AuthType::UnixPeerCredentials);
}

TEST(JwtSvidAuth, SourceFailureReachesTheCaller) {
  FakeServer server;
  Client client(server.endpoint(), "");
  client.set_jwt_svid_source(std::make_shared<FailingSource>());
  client.set_auth_type(AuthType::JwtSvid);
  try {
    client.list_keys();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
    EXPECT_EQ(e.operation(), "FetchJWTSVID");
  }
  EXPECT_TRUE(server.requests().empty());  // nothing was sent without a token
}

}  // namespace
}  // namespace parsec::client
