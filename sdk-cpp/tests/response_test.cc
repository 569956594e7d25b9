// Response checks of docs/protocol.md, wire protocol §7, client-side transport
// failures, and service statuses turned into Error.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "parsec/client/client.h"
#include "ping.pb.h"
#include "psa_generate_random.pb.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::Captured;
using testing::FakeServer;
using testing::header_for;
using testing::raw_response;
using testing::Reply;
using testing::reply_with;

const std::string kPingBody("\x08\x01", 2);

// error_of runs a ping against a server answering `bytes`.
Error error_of(const std::vector<uint8_t>& bytes, uint32_t max_body = Client::kDefaultMaxResponseBodyLen) {
  FakeServer server;
  server.push(reply_with(bytes));
  Client client(server.endpoint(), "");
  client.set_max_response_body_len(max_body);
  try {
    client.ping();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "ping succeeded on a malformed response";
  return Error(Status::Success, "", "", false);
}

std::vector<uint8_t> ping_with(const std::function<void(WireHeader&)>& edit, const std::string& body = kPingBody) {
  WireHeader h = header_for(Opcode::Ping, body.size());
  edit(h);
  return raw_response(h, body);
}

TEST(Response, WellFormedPingIsAccepted) {
  FakeServer server;
  server.push(reply_with(ping_with([](WireHeader&) {})));
  Client client(server.endpoint(), "");
  EXPECT_EQ(client.ping().major, 1);
}

TEST(Response, BadMagicIsInvalidHeader) {
  const Error e = error_of(ping_with([](WireHeader& h) { h.magic = 0x12345678; }));
  EXPECT_EQ(e.status(), Status::InvalidHeader);
  EXPECT_FALSE(e.from_service());
  EXPECT_NE(std::string(e.what()).find("magic"), std::string::npos) << e.what();
}

TEST(Response, HeaderSizeOtherThan30IsInvalidHeader) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.header_size = 29; })).status(), Status::InvalidHeader);
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.header_size = 31; })).status(), Status::InvalidHeader);
}

TEST(Response, VersionOtherThan10IsNotSupported) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.version_maj = 2; })).status(),
            Status::WireProtocolVersionNotSupported);
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.version_min = 1; })).status(),
            Status::WireProtocolVersionNotSupported);
}

TEST(Response, NonZeroReservedBytesAreInvalidHeader) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.reserved1 = 1; })).status(), Status::InvalidHeader);
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.reserved2 = 0x80; })).status(), Status::InvalidHeader);
}

TEST(Response, UndefinedProviderIsProviderDoesNotExist) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.provider = 6; })).status(), Status::ProviderDoesNotExist);
}

TEST(Response, NonProtobufContentTypeIsNotSupported) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.content_type = 1; })).status(), Status::ContentTypeNotSupported);
}

TEST(Response, UndefinedOpcodeIsOpcodeDoesNotExist) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.opcode = 0x1D; })).status(), Status::OpcodeDoesNotExist);
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.opcode = 0; })).status(), Status::OpcodeDoesNotExist);
}

TEST(Response, UndefinedStatusIsInvalidEncoding) {
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.status = 1144; })).status(), Status::InvalidEncoding);
  EXPECT_EQ(error_of(ping_with([](WireHeader& h) { h.status = 23; })).status(), Status::InvalidEncoding);
}

TEST(Response, SuccessWithAnotherOpcodeIsRejected) {
  const Error e = error_of(ping_with([](WireHeader& h) { h.opcode = 0x08; }));
  EXPECT_EQ(e.status(), Status::InvalidHeader);
  EXPECT_NE(std::string(e.what()).find("ListProviders"), std::string::npos) << e.what();
}

TEST(Response, IgnoredFieldsDoNotMatter) {
  FakeServer server;
  server.push(reply_with(ping_with([](WireHeader& h) {
    h.flags = 0xFFFF;
    h.accept_type = 7;
    h.auth_type = 9;
    h.auth_len = 12;
    h.session = 42;
  })));
  Client client(server.endpoint(), "");
  EXPECT_EQ(client.ping().major, 1);
}

TEST(Response, BodyAboveTheClientLimitIsRejectedBeforeReading) {
  const Error e = error_of(ping_with([](WireHeader& h) { h.body_len = 100; }, std::string(100, '\0')), 99);
  EXPECT_EQ(e.status(), Status::BodySizeExceedsLimit);
  // A huge length field must not make the client allocate or wait for it.
  const Error huge = error_of(ping_with([](WireHeader& h) { h.body_len = 0xFFFFFFFF; }, ""));
  EXPECT_EQ(huge.status(), Status::BodySizeExceedsLimit);
}

TEST(Response, TruncatedHeaderIsConnectionError) {
  auto bytes = ping_with([](WireHeader&) {});
  bytes.resize(20);
  const Error e = error_of(bytes);
  EXPECT_EQ(e.status(), Status::ConnectionError);
  EXPECT_NE(std::string(e.what()).find("after 20 of 36 bytes"), std::string::npos) << e.what();
}

TEST(Response, TruncatedBodyIsConnectionError) {
  auto bytes = ping_with([](WireHeader& h) { h.body_len = 10; });
  const Error e = error_of(bytes);
  EXPECT_EQ(e.status(), Status::ConnectionError);
  EXPECT_NE(std::string(e.what()).find("response body"), std::string::npos) << e.what();
}

TEST(Response, UndecodableBodyIsDeserializingBodyFailed) {
  const Error e = error_of(ping_with([](WireHeader&) {}, std::string("\x0A\x05\x01", 3)));
  EXPECT_EQ(e.status(), Status::DeserializingBodyFailed);
}

TEST(Response, NoResponseAtAllIsConnectionError) {
  EXPECT_EQ(error_of({}).status(), Status::ConnectionError);
}

TEST(Response, ServiceStatusBecomesError) {
  FakeServer server;
  server.push(reply_with(testing::status_response(Opcode::PsaSignHash, Status::PsaErrorDoesNotExist)));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::MbedCrypto);
  try {
    client.sign_hash("missing", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorDoesNotExist);
    EXPECT_TRUE(e.from_service());
    EXPECT_EQ(e.operation(), "PsaSignHash");
    EXPECT_STREQ(e.what(), "PsaSignHash failed: PsaErrorDoesNotExist (no key with this name exists for this caller)");
  }
}

TEST(Response, DetachedErrorFormIsReportedWithItsStatus) {
  // Header-level failures come back with opcode 1 whatever the request was;
  // the status is reported without looking at the opcode.
  WireHeader h = header_for(Opcode::Ping, 0);
  h.status = static_cast<uint16_t>(Status::InvalidHeader);
  FakeServer server;
  server.push(reply_with(raw_response(h, "")));
  Client client(server.endpoint(), "");
  client.set_provider(ProviderId::MbedCrypto);
  try {
    client.generate_random(8);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidHeader);
    EXPECT_TRUE(e.from_service());
  }
}

TEST(Response, ErrorStatusBodyIsIgnored) {
  WireHeader h = header_for(Opcode::Ping, 3);
  h.status = static_cast<uint16_t>(Status::PsaErrorGenericError);
  FakeServer server;
  server.push(reply_with(raw_response(h, "abc")));
  Client client(server.endpoint(), "");
  try {
    client.ping();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorGenericError);
  }
}

TEST(Transport, StalledServerTimesOut) {
  FakeServer server;
  server.push([](const Captured&) { return Reply{{}, true}; });
  Client client(server.endpoint(), "");
  client.set_timeout_ms(200);
  const auto start = std::chrono::steady_clock::now();
  try {
    client.ping();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
    EXPECT_NE(std::string(e.what()).find("timed out after 200 ms"), std::string::npos) << e.what();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(Transport, ServerStallingMidBodyTimesOut) {
  FakeServer server;
  server.push([](const Captured&) {
    return Reply{raw_response(header_for(Opcode::Ping, 2), std::string("\x08", 1)), true};
  });
  Client client(server.endpoint(), "");
  client.set_timeout_ms(150);
  try {
    client.ping();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
}

TEST(Transport, MissingSocketIsConnectionError) {
  Client client(Endpoint::unix_socket("/nonexistent-parsec-dir/parsec.sock"), "");
  try {
    client.ping();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
    EXPECT_FALSE(e.from_service());
    EXPECT_EQ(e.detail(), "cannot connect to unix:/nonexistent-parsec-dir/parsec.sock: No such file or directory");
  }
}

TEST(Transport, EarlyAnswerDuringALargeWriteIsRead) {
  // The service answers BodySizeExceedsLimit after the header without reading
  // the body; the client sees a broken pipe (no SIGPIPE) and still reads it.
  FakeServer server;
  server.set_read_full_request(false);
  server.push(reply_with(testing::status_response(Opcode::Ping, Status::BodySizeExceedsLimit)));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::MbedCrypto);
  KeyAttributes attrs = KeyAttributes::of_type(KeyType::RawData, 0, Algorithm::none());
  try {
    client.import_key("big", attrs, Bytes(8u << 20, 0x55));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::BodySizeExceedsLimit) << e.what();
    EXPECT_TRUE(e.from_service());
  }
}

TEST(Transport, ServerClosingWithoutAnswerDuringWriteIsConnectionError) {
  FakeServer server;
  server.set_read_full_request(false);
  server.push(reply_with({}));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::MbedCrypto);
  try {
    client.import_key("big", KeyAttributes::of_type(KeyType::RawData, 0, Algorithm::none()), Bytes(8u << 20, 1));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ConnectionError);
  }
}

}  // namespace
}  // namespace parsec::client
