// Request framing, byte for byte: header fields, body, authentication bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "parsec/client/client.h"
#include "ping.pb.h"
#include "psa_generate_key.pb.h"
#include "sdk-cpp/src/framing.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::FakeServer;
using testing::hex_bytes;
using testing::reply_message;
using testing::reply_with;
using testing::status_response;

TEST(Framing, BuildRequestLaysOutHeaderBodyAuth) {
  const auto bytes = detail::build_request(Opcode::ListOpcodes, 0, AuthType::Direct, std::string("\x08\x01", 2),
                                           {'a', 'p', 'p', '1'}, "ListOpcodes");
  // docs/protocol.md, wire protocol §9, third example.
  EXPECT_EQ(bytes, hex_bytes("10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00"
                             "00 00 00 01 02 00 00 00 04 00 09 00 00 00 00 00 00 00"
                             "08 01 61 70 70 31"));
}

TEST(Framing, AuthLongerThanU16IsRejected) {
  try {
    detail::build_request(Opcode::Ping, 0, AuthType::Direct, "", std::vector<uint8_t>(70000, 'a'), "Ping");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::AuthenticationError);
  }
}

TEST(Framing, PingRequestMatchesSpecExample) {
  FakeServer server;
  ping::Result pong;
  pong.set_wire_protocol_version_maj(1);
  server.push(reply_message(Opcode::Ping, pong));
  Client client(server.endpoint(), "");
  const ProtocolVersion v = client.ping();
  EXPECT_EQ(v.major, 1);
  EXPECT_EQ(v.minor, 0);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  // docs/protocol.md, wire protocol §9, first example.
  EXPECT_EQ(reqs[0].raw, hex_bytes("10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00"
                                   "00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"));
}

TEST(Framing, ListOpcodesWithDirectAuthMatchesSpecExample) {
  FakeServer server;
  list_opcodes::Result r;
  r.add_opcodes(1);
  server.push(reply_message(Opcode::ListOpcodes, r));
  Client client(server.endpoint(), "app1");
  client.set_auth_type(AuthType::Direct);
  client.list_opcodes(ProviderId::MbedCrypto);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].raw, hex_bytes("10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00"
                                   "00 00 00 01 02 00 00 00 04 00 09 00 00 00 00 00 00 00"
                                   "08 01 61 70 70 31"));
}

TEST(Framing, UnixPeerCredentialsSendUidLittleEndian) {
  FakeServer server;
  server.push(reply_with(status_response(Opcode::ListClients, Status::Success)));
  Client client(server.endpoint(), "ignored-for-unix");
  client.set_auth_type(AuthType::UnixPeerCredentials);
  client.list_clients();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const uint32_t uid = static_cast<uint32_t>(::getuid());
  EXPECT_EQ(reqs[0].header.auth_type, 3);
  EXPECT_EQ(reqs[0].header.auth_len, 4);
  EXPECT_EQ(reqs[0].auth, (std::vector<uint8_t>{static_cast<uint8_t>(uid), static_cast<uint8_t>(uid >> 8),
                                                static_cast<uint8_t>(uid >> 16), static_cast<uint8_t>(uid >> 24)}));
  EXPECT_EQ(reqs[0].header.provider, 0);
  EXPECT_EQ(reqs[0].header.opcode, 0x1Bu);
}

TEST(Framing, HeaderFieldsOfACryptoRequest) {
  FakeServer server;
  server.push(reply_with(status_response(Opcode::PsaGenerateKey, Status::Success)));
  Client client(server.endpoint(), "my-app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::Tpm);
  // docs/protocol.md, operations §12.5: the exact body of this request, with the
  // implied sign_message / verify_message flags set by the client.
  KeyAttributes attrs;
  attrs.type = KeyType::RsaKeyPair;
  attrs.bits = 2048;
  attrs.flags.sign_hash = true;
  attrs.flags.verify_hash = true;
  attrs.policy = Algorithm::rsa_pkcs1v15_sign(Hash::Sha256);
  client.generate_key("my_key", attrs);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const WireHeader& h = reqs[0].header;
  EXPECT_EQ(h.magic, kMagic);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 3);
  EXPECT_EQ(h.session, 0u);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, 1);
  EXPECT_EQ(h.body_len, 39u);
  EXPECT_EQ(h.auth_len, 6);
  EXPECT_EQ(h.opcode, 0x02u);
  EXPECT_EQ(h.status, 0);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);
  const auto body = std::vector<uint8_t>(reqs[0].body.begin(), reqs[0].body.end());
  EXPECT_EQ(body, hex_bytes("0A 06 6D 79 5F 6B 65 79 12 1D 0A 02 52 00 10 80 10 1A 14"
                            "0A 08 30 01 38 01 40 01 48 01 12 08 32 06 0A 04 0A 02 10 07"));
  EXPECT_EQ(reqs[0].auth, (std::vector<uint8_t>{'m', 'y', '-', 'a', 'p', 'p'}));
  EXPECT_EQ(reqs[0].raw.size(), 36u + 39u + 6u);
}

TEST(Framing, NoAuthSendsNoAuthBytes) {
  FakeServer server;
  server.push(reply_with(status_response(Opcode::ListProviders, Status::Success)));
  Client client(server.endpoint(), "app");
  client.list_providers();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header.auth_type, 0);
  EXPECT_EQ(reqs[0].header.auth_len, 0);
  EXPECT_EQ(reqs[0].header.body_len, 0u);
}

TEST(Framing, DirectWithoutAppNameIsAClientError) {
  FakeServer server;
  Client client(server.endpoint(), "");
  client.set_auth_type(AuthType::Direct);
  try {
    client.list_keys();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::AuthenticationError);
    EXPECT_FALSE(e.from_service());
  }
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace parsec::client
