// Tests of the 36-byte header codec and the numeric tables in wire.h, against
// the golden bytes and validation rules of docs/protocol.md, wire protocol, docs/protocol.md, status codes
// and docs/protocol.md, opcodes.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "list_opcodes.pb.h"
#include "parsec/interface/wire.h"
#include "ping.pb.h"

namespace parsec {
namespace {

// from_hex turns "10 A7 C0 5E ..." (whitespace and newlines ignored) into bytes.
std::vector<uint8_t> from_hex(const std::string& text) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    }
  }
  EXPECT_EQ(digits.size() % 2, 0u) << "odd number of hex digits";
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<uint8_t> to_vec(const std::array<uint8_t, kHeaderLen>& a) {
  return {a.begin(), a.end()};
}

// The four examples of docs/protocol.md, wire protocol §9, verbatim.
const char* const kPingRequestHex =
    "10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00\n"
    "00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00";
const char* const kPingResponseHex =
    "10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00\n"
    "00 00 00 00 02 00 00 00 00 00 01 00 00 00 00 00 00 00\n"
    "08 01";
const char* const kListOpcodesRequestHex =
    "10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00\n"
    "00 00 00 01 02 00 00 00 04 00 09 00 00 00 00 00 00 00\n"
    "08 01 61 70 70 31";
const char* const kDetachedInvalidHeaderHex =
    "10 A7 C0 5E 1E 00 01 00 00 00 00 00 00 00 00 00 00 00\n"
    "00 00 00 00 00 00 00 00 00 00 01 00 00 00 11 00 00 00";

// A valid request header (Ping, provider 0, no auth) to mutate in tests.
WireHeader valid_request() {
  WireHeader h;
  h.opcode = 1;
  return h;
}

// ---- golden bytes ------------------------------------------------------------

TEST(WireGolden, HexHelperSanity) {
  EXPECT_EQ(from_hex(kPingRequestHex).size(), 36u);
  EXPECT_EQ(from_hex(kPingResponseHex).size(), 38u);
  EXPECT_EQ(from_hex(kListOpcodesRequestHex).size(), 42u);
  EXPECT_EQ(from_hex(kDetachedInvalidHeaderHex).size(), 36u);
}

TEST(WireGolden, ConstantsMatchSpec) {
  EXPECT_EQ(kMagic, 0x5EC0A710u);
  EXPECT_EQ(kHeaderSizeField, 30);
  EXPECT_EQ(kHeaderLen, 36u);
  EXPECT_EQ(kVersionMajor, 1);
  EXPECT_EQ(kVersionMinor, 0);
  EXPECT_EQ(kDefaultBodyLenLimit, 1048576u);
  EXPECT_EQ(kMaxProviderId, 5);
  EXPECT_EQ(kMaxAuthType, 4);
}

TEST(WireGolden, DefaultHeaderIsAnEmptyRequestToProviderZero) {
  WireHeader h;
  EXPECT_EQ(h.magic, kMagic);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 0);
  EXPECT_EQ(h.session, 0u);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, 0);
  EXPECT_EQ(h.body_len, 0u);
  EXPECT_EQ(h.auth_len, 0);
  EXPECT_EQ(h.opcode, 0u);
  EXPECT_EQ(h.status, 0);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);
}

TEST(WireGolden, EncodePingRequest) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(Opcode::Ping);
  EXPECT_EQ(to_vec(encode_header(h)), from_hex(kPingRequestHex));
}

TEST(WireGolden, DecodePingRequest) {
  const auto bytes = from_hex(kPingRequestHex);
  const WireHeader h = decode_header(bytes.data());
  EXPECT_EQ(h.opcode, 1u);
  EXPECT_EQ(h.body_len, 0u);
  EXPECT_EQ(validate_fixed_fields(h), Status::Success);
  EXPECT_EQ(validate_request_fields(h), Status::Success);
}

TEST(WireGolden, DecodePingSuccessResponse) {
  const auto bytes = from_hex(kPingResponseHex);
  const WireHeader h = decode_header(bytes.data());
  EXPECT_EQ(h.magic, 0x5EC0A710u);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 0);
  EXPECT_EQ(h.session, 0u);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, 0);
  EXPECT_EQ(h.body_len, 2u);
  EXPECT_EQ(h.auth_len, 0);
  EXPECT_EQ(h.opcode, 1u);
  EXPECT_EQ(h.status, 0);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);
  EXPECT_EQ(validate_fixed_fields(h), Status::Success);
  ASSERT_EQ(bytes.size(), kHeaderLen + h.body_len);

  ping::Result body;
  ASSERT_TRUE(body.ParseFromArray(bytes.data() + kHeaderLen, static_cast<int>(h.body_len)));
  EXPECT_EQ(body.wire_protocol_version_maj(), 1u);
  EXPECT_EQ(body.wire_protocol_version_min(), 0u);
}

TEST(WireGolden, EchoedResponseToPingEncodesToGoldenBytes) {
  const auto req = from_hex(kPingRequestHex);
  const WireHeader resp = echoed_response(decode_header(req.data()), Status::Success, 2);
  auto bytes = to_vec(encode_header(resp));
  ping::Result body;
  body.set_wire_protocol_version_maj(1);
  body.set_wire_protocol_version_min(0);
  const std::string b = body.SerializeAsString();
  bytes.insert(bytes.end(), b.begin(), b.end());
  EXPECT_EQ(bytes, from_hex(kPingResponseHex));
}

TEST(WireGolden, DecodeListOpcodesRequest) {
  const auto bytes = from_hex(kListOpcodesRequestHex);
  const WireHeader h = decode_header(bytes.data());
  EXPECT_EQ(h.magic, kMagic);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 0);  // ListOpcodes is a core operation
  EXPECT_EQ(h.session, 0u);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, static_cast<uint8_t>(AuthType::Direct));
  EXPECT_EQ(h.body_len, 2u);
  EXPECT_EQ(h.auth_len, 4);
  EXPECT_EQ(h.opcode, static_cast<uint32_t>(Opcode::ListOpcodes));
  EXPECT_EQ(h.status, 0);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);
  EXPECT_EQ(validate_fixed_fields(h), Status::Success);
  EXPECT_EQ(validate_request_fields(h), Status::Success);
  ASSERT_EQ(bytes.size(), kHeaderLen + h.body_len + h.auth_len);

  list_opcodes::Operation body;
  ASSERT_TRUE(body.ParseFromArray(bytes.data() + kHeaderLen, static_cast<int>(h.body_len)));
  EXPECT_EQ(body.provider_id(), 1u);
  const std::string auth(bytes.begin() + static_cast<long>(kHeaderLen + h.body_len), bytes.end());
  EXPECT_EQ(auth, "app1");
}

TEST(WireGolden, EncodeListOpcodesRequest) {
  WireHeader h;
  h.auth_type = static_cast<uint8_t>(AuthType::Direct);
  h.body_len = 2;
  h.auth_len = 4;
  h.opcode = static_cast<uint32_t>(Opcode::ListOpcodes);
  auto bytes = to_vec(encode_header(h));
  list_opcodes::Operation body;
  body.set_provider_id(1);
  const std::string b = body.SerializeAsString() + "app1";
  bytes.insert(bytes.end(), b.begin(), b.end());
  EXPECT_EQ(bytes, from_hex(kListOpcodesRequestHex));
}

TEST(WireGolden, DecodeDetachedResponse) {
  const auto bytes = from_hex(kDetachedInvalidHeaderHex);
  const WireHeader h = decode_header(bytes.data());
  EXPECT_EQ(h.magic, kMagic);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 0);
  EXPECT_EQ(h.session, 0u);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, 0);
  EXPECT_EQ(h.body_len, 0u);
  EXPECT_EQ(h.auth_len, 0);
  EXPECT_EQ(h.opcode, 1u);
  EXPECT_EQ(h.status, 17);
  EXPECT_EQ(status_from_u16(h.status), Status::InvalidHeader);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);
}

TEST(WireGolden, DetachedInvalidHeaderEncodesToGoldenBytes) {
  EXPECT_EQ(to_vec(encode_header(detached_response(Status::InvalidHeader))), from_hex(kDetachedInvalidHeaderHex));
}

// ---- response builders -------------------------------------------------------

TEST(WireResponse, DetachedFormIgnoresTheRequest) {
  for (Status s : {Status::InvalidHeader, Status::ConnectionError, Status::OpcodeDoesNotExist,
                   Status::BodySizeExceedsLimit, Status::WireProtocolVersionNotSupported}) {
    const WireHeader h = detached_response(s);
    EXPECT_EQ(h.magic, kMagic);
    EXPECT_EQ(h.header_size, 30);
    EXPECT_EQ(h.version_maj, 1);
    EXPECT_EQ(h.version_min, 0);
    EXPECT_EQ(h.flags, 0);
    EXPECT_EQ(h.provider, 0);
    EXPECT_EQ(h.session, 0u);
    EXPECT_EQ(h.content_type, 0);
    EXPECT_EQ(h.accept_type, 0);
    EXPECT_EQ(h.auth_type, 0);
    EXPECT_EQ(h.body_len, 0u);
    EXPECT_EQ(h.auth_len, 0);
    EXPECT_EQ(h.opcode, 1u);
    EXPECT_EQ(h.status, static_cast<uint16_t>(s));
    EXPECT_EQ(h.reserved1, 0);
    EXPECT_EQ(h.reserved2, 0);
  }
}

TEST(WireResponse, EchoedFormCopiesProviderSessionOpcode) {
  WireHeader req;
  req.flags = 0x1234;
  req.provider = 3;
  req.session = 0xDEADBEEFCAFEF00DULL;
  req.auth_type = 1;
  req.body_len = 77;
  req.auth_len = 5;
  req.opcode = static_cast<uint32_t>(Opcode::PsaSignHash);
  req.status = 99;
  const WireHeader h = echoed_response(req, Status::PsaErrorDoesNotExist, 0);
  EXPECT_EQ(h.magic, kMagic);
  EXPECT_EQ(h.header_size, 30);
  EXPECT_EQ(h.version_maj, 1);
  EXPECT_EQ(h.version_min, 0);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.provider, 3);
  EXPECT_EQ(h.session, 0xDEADBEEFCAFEF00DULL);
  EXPECT_EQ(h.content_type, 0);
  EXPECT_EQ(h.accept_type, 0);
  EXPECT_EQ(h.auth_type, 0);
  EXPECT_EQ(h.body_len, 0u);
  EXPECT_EQ(h.auth_len, 0);
  EXPECT_EQ(h.opcode, static_cast<uint32_t>(Opcode::PsaSignHash));
  EXPECT_EQ(h.status, 1140);
  EXPECT_EQ(h.reserved1, 0);
  EXPECT_EQ(h.reserved2, 0);

  const WireHeader ok = echoed_response(req, Status::Success, 123456);
  EXPECT_EQ(ok.body_len, 123456u);
  EXPECT_EQ(ok.status, 0);
}

// ---- codec ---------------------------------------------------------------------

WireHeader distinctive_header() {
  WireHeader h;
  h.magic = 0x11223344;
  h.header_size = 0x5566;
  h.version_maj = 0x77;
  h.version_min = 0x88;
  h.flags = 0x99AA;
  h.provider = 0xBB;
  h.session = 0x0102030405060708ULL;
  h.content_type = 0xCC;
  h.accept_type = 0xDD;
  h.auth_type = 0xEE;
  h.body_len = 0x0A0B0C0D;
  h.auth_len = 0x1F2E;
  h.opcode = 0x3D4C5B6A;
  h.status = 0x7988;
  h.reserved1 = 0x97;
  h.reserved2 = 0xA6;
  return h;
}

void expect_same(const WireHeader& a, const WireHeader& b) {
  EXPECT_EQ(a.magic, b.magic);
  EXPECT_EQ(a.header_size, b.header_size);
  EXPECT_EQ(a.version_maj, b.version_maj);
  EXPECT_EQ(a.version_min, b.version_min);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.session, b.session);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.accept_type, b.accept_type);
  EXPECT_EQ(a.auth_type, b.auth_type);
  EXPECT_EQ(a.body_len, b.body_len);
  EXPECT_EQ(a.auth_len, b.auth_len);
  EXPECT_EQ(a.opcode, b.opcode);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reserved1, b.reserved1);
  EXPECT_EQ(a.reserved2, b.reserved2);
}

TEST(WireCodec, EncodePlacesEveryFieldAtItsOffsetLittleEndian) {
  const auto b = encode_header(distinctive_header());
  const std::vector<uint8_t> expected = {
      0x44, 0x33, 0x22, 0x11,                          // 0 magic
      0x66, 0x55,                                      // 4 header size
      0x77,                                            // 6 version major
      0x88,                                            // 7 version minor
      0xAA, 0x99,                                      // 8 flags
      0xBB,                                            // 10 provider
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // 11 session
      0xCC,                                            // 19 content type
      0xDD,                                            // 20 accept type
      0xEE,                                            // 21 auth type
      0x0D, 0x0C, 0x0B, 0x0A,                          // 22 body length
      0x2E, 0x1F,                                      // 26 auth length
      0x6A, 0x5B, 0x4C, 0x3D,                          // 28 opcode
      0x88, 0x79,                                      // 32 status
      0x97,                                            // 34 reserved 1
      0xA6,                                            // 35 reserved 2
  };
  EXPECT_EQ(to_vec(b), expected);
}

TEST(WireCodec, RoundTripWithDistinctiveValues) {
  const WireHeader h = distinctive_header();
  const auto b = encode_header(h);
  expect_same(decode_header(b.data()), h);
}

TEST(WireCodec, RoundTripWithAllBitsSet) {
  WireHeader h;
  h.magic = 0xFFFFFFFF;
  h.header_size = 0xFFFF;
  h.version_maj = 0xFF;
  h.version_min = 0xFF;
  h.flags = 0xFFFF;
  h.provider = 0xFF;
  h.session = ~0ULL;
  h.content_type = 0xFF;
  h.accept_type = 0xFF;
  h.auth_type = 0xFF;
  h.body_len = 0xFFFFFFFF;
  h.auth_len = 0xFFFF;
  h.opcode = 0xFFFFFFFF;
  h.status = 0xFFFF;
  h.reserved1 = 0xFF;
  h.reserved2 = 0xFF;
  const auto b = encode_header(h);
  for (uint8_t x : b) {
    EXPECT_EQ(x, 0xFF);
  }
  expect_same(decode_header(b.data()), h);
}

TEST(WireCodec, DecodeReadsEachOffsetIndependently) {
  // Byte i holds value i + 1, so every field decodes to a unique known value.
  std::array<uint8_t, kHeaderLen> b{};
  for (size_t i = 0; i < b.size(); ++i) {
    b[i] = static_cast<uint8_t>(i + 1);
  }
  const WireHeader h = decode_header(b.data());
  EXPECT_EQ(h.magic, 0x04030201u);
  EXPECT_EQ(h.header_size, 0x0605);
  EXPECT_EQ(h.version_maj, 0x07);
  EXPECT_EQ(h.version_min, 0x08);
  EXPECT_EQ(h.flags, 0x0A09);
  EXPECT_EQ(h.provider, 0x0B);
  EXPECT_EQ(h.session, 0x131211100F0E0D0CULL);
  EXPECT_EQ(h.content_type, 0x14);
  EXPECT_EQ(h.accept_type, 0x15);
  EXPECT_EQ(h.auth_type, 0x16);
  EXPECT_EQ(h.body_len, 0x1A191817u);
  EXPECT_EQ(h.auth_len, 0x1C1B);
  EXPECT_EQ(h.opcode, 0x201F1E1Du);
  EXPECT_EQ(h.status, 0x2221);
  EXPECT_EQ(h.reserved1, 0x23);
  EXPECT_EQ(h.reserved2, 0x24);
  EXPECT_EQ(encode_header(h), b);
}

TEST(WireCodec, DecodeDoesNotReadPastTheHeader) {
  // The header is decoded from the front of a longer buffer.
  std::vector<uint8_t> buf = from_hex(kListOpcodesRequestHex);
  buf.resize(200, 0xAB);
  const WireHeader h = decode_header(buf.data());
  EXPECT_EQ(h.opcode, 9u);
  EXPECT_EQ(h.reserved2, 0);
}

// ---- validation, docs/protocol.md, wire protocol §4 steps 3-5 ----------------------------

TEST(WireValidateFixed, ValidHeaderPasses) {
  EXPECT_EQ(validate_fixed_fields(valid_request()), Status::Success);
}

TEST(WireValidateFixed, BadMagicIsInvalidHeader) {
  WireHeader h = valid_request();
  h.magic = 0x10A7C05E;  // byte-swapped
  EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader);
}

TEST(WireValidateFixed, Step3HeaderSizeOtherThan30IsInvalidHeader) {
  for (uint16_t n : {0, 1, 29, 31, 36, 0xFFFF}) {
    WireHeader h = valid_request();
    h.header_size = n;
    EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader) << n;
  }
}

TEST(WireValidateFixed, Step4VersionOtherThan1_0IsNotSupported) {
  for (auto [maj, min] : std::vector<std::pair<uint8_t, uint8_t>>{{0, 0}, {2, 0}, {1, 1}, {0, 1}, {0xFF, 0xFF}}) {
    WireHeader h = valid_request();
    h.version_maj = maj;
    h.version_min = min;
    EXPECT_EQ(validate_fixed_fields(h), Status::WireProtocolVersionNotSupported) << int(maj) << "." << int(min);
  }
}

TEST(WireValidateFixed, Step5NonZeroReservedIsInvalidHeader) {
  WireHeader h = valid_request();
  h.reserved1 = 1;
  EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader);
  h = valid_request();
  h.reserved2 = 0x80;
  EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader);
  h = valid_request();
  h.reserved1 = 0xFF;
  h.reserved2 = 0xFF;
  EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader);
}

TEST(WireValidateFixed, StepOrderFirstFailureWins) {
  // Step 3 before step 4.
  WireHeader h = valid_request();
  h.header_size = 31;
  h.version_maj = 2;
  EXPECT_EQ(validate_fixed_fields(h), Status::InvalidHeader);
  // Step 4 before step 5.
  h = valid_request();
  h.version_min = 1;
  h.reserved1 = 1;
  EXPECT_EQ(validate_fixed_fields(h), Status::WireProtocolVersionNotSupported);
}

TEST(WireValidateFixed, IgnoresFieldsCheckedLater) {
  // Flags and status are never checked; steps 6-12 are not this function's job.
  WireHeader h = valid_request();
  h.flags = 0xFFFF;
  h.status = 0xFFFF;
  h.body_len = 0xFFFFFFFF;
  h.content_type = 9;
  h.accept_type = 9;
  h.auth_type = 9;
  h.opcode = 0;
  h.provider = 200;
  EXPECT_EQ(validate_fixed_fields(h), Status::Success);
}

// ---- validation, docs/protocol.md, wire protocol §4 steps 8-12 ----------------------------

TEST(WireValidateRequest, ValidHeaderPasses) {
  EXPECT_EQ(validate_request_fields(valid_request()), Status::Success);
}

TEST(WireValidateRequest, Step8ContentTypeMustBeZero) {
  for (uint8_t v : {1, 2, 0xFF}) {
    WireHeader h = valid_request();
    h.content_type = v;
    EXPECT_EQ(validate_request_fields(h), Status::ContentTypeNotSupported) << int(v);
  }
}

TEST(WireValidateRequest, Step9AcceptTypeMustBeZero) {
  for (uint8_t v : {1, 2, 0xFF}) {
    WireHeader h = valid_request();
    h.accept_type = v;
    EXPECT_EQ(validate_request_fields(h), Status::AcceptTypeNotSupported) << int(v);
  }
}

TEST(WireValidateRequest, Step10AuthTypeMustBe0To4) {
  for (int v = 0; v <= 0xFF; ++v) {
    WireHeader h = valid_request();
    h.auth_type = static_cast<uint8_t>(v);
    EXPECT_EQ(validate_request_fields(h), v <= 4 ? Status::Success : Status::AuthenticatorDoesNotExist) << v;
  }
}

TEST(WireValidateRequest, Step11OpcodeMustBeRecognised) {
  for (uint32_t v = 0; v <= 0x40; ++v) {
    WireHeader h = valid_request();
    h.opcode = v;
    const bool recognised = v >= 1 && v <= 0x20 && v != 0x1D;
    EXPECT_EQ(validate_request_fields(h), recognised ? Status::Success : Status::OpcodeDoesNotExist) << v;
  }
  for (uint32_t v : {0x0100u, 0x0101u, 0x10001u, 0x01000001u, 0xFFFFFFFFu, 1001u}) {
    WireHeader h = valid_request();
    h.opcode = v;
    EXPECT_EQ(validate_request_fields(h), Status::OpcodeDoesNotExist) << v;
  }
}

TEST(WireValidateRequest, Step11MacOpcodesAreAcceptedOnPurpose) {
  // Deliberate deviation from the reference service: we serve PsaMacCompute and
  // PsaMacVerify, so their opcodes pass header validation.
  for (uint32_t v : {0x16u, 0x17u}) {
    WireHeader h = valid_request();
    h.opcode = v;
    h.provider = 1;
    EXPECT_EQ(validate_request_fields(h), Status::Success) << v;
  }
  for (uint32_t v : {0x0u, 0x1Du, 0x21u}) {
    WireHeader h = valid_request();
    h.opcode = v;
    EXPECT_EQ(validate_request_fields(h), Status::OpcodeDoesNotExist) << v;
  }
}

TEST(WireValidateRequest, Step12ProviderMustBe0To5) {
  for (int v = 0; v <= 0xFF; ++v) {
    WireHeader h = valid_request();
    h.provider = static_cast<uint8_t>(v);
    EXPECT_EQ(validate_request_fields(h), v <= 5 ? Status::Success : Status::ProviderDoesNotExist) << v;
  }
}

TEST(WireValidateRequest, StepOrderFirstFailureWins) {
  WireHeader all_bad = valid_request();
  all_bad.content_type = 1;
  all_bad.accept_type = 1;
  all_bad.auth_type = 5;
  all_bad.opcode = 0;
  all_bad.provider = 6;
  WireHeader h = all_bad;
  EXPECT_EQ(validate_request_fields(h), Status::ContentTypeNotSupported);
  h.content_type = 0;
  EXPECT_EQ(validate_request_fields(h), Status::AcceptTypeNotSupported);
  h.accept_type = 0;
  EXPECT_EQ(validate_request_fields(h), Status::AuthenticatorDoesNotExist);
  h.auth_type = 4;
  EXPECT_EQ(validate_request_fields(h), Status::OpcodeDoesNotExist);
  h.opcode = 0x20;
  EXPECT_EQ(validate_request_fields(h), Status::ProviderDoesNotExist);
  h.provider = 5;
  EXPECT_EQ(validate_request_fields(h), Status::Success);
}

TEST(WireValidateRequest, IgnoresFixedFieldsFlagsAndStatus) {
  // Routing (core vs crypto provider) is step 15, not header validation.
  WireHeader h = valid_request();
  h.flags = 0xFFFF;
  h.status = 0xFFFF;
  h.session = ~0ULL;
  h.reserved1 = 1;  // step 5, checked by validate_fixed_fields
  h.opcode = static_cast<uint32_t>(Opcode::PsaSignHash);
  h.provider = 0;
  EXPECT_EQ(validate_request_fields(h), Status::Success);
}

// ---- status codes ------------------------------------------------------------------

struct StatusRow {
  uint16_t code;
  Status status;
  const char* name;
};

const std::vector<StatusRow>& status_rows() {
  static const std::vector<StatusRow> rows = {
      {0, Status::Success, "Success"},
      {1, Status::WrongProviderId, "WrongProviderId"},
      {2, Status::ContentTypeNotSupported, "ContentTypeNotSupported"},
      {3, Status::AcceptTypeNotSupported, "AcceptTypeNotSupported"},
      {4, Status::WireProtocolVersionNotSupported, "WireProtocolVersionNotSupported"},
      {5, Status::ProviderNotRegistered, "ProviderNotRegistered"},
      {6, Status::ProviderDoesNotExist, "ProviderDoesNotExist"},
      {7, Status::DeserializingBodyFailed, "DeserializingBodyFailed"},
      {8, Status::SerializingBodyFailed, "SerializingBodyFailed"},
      {9, Status::OpcodeDoesNotExist, "OpcodeDoesNotExist"},
      {10, Status::ResponseTooLarge, "ResponseTooLarge"},
      {11, Status::AuthenticationError, "AuthenticationError"},
      {12, Status::AuthenticatorDoesNotExist, "AuthenticatorDoesNotExist"},
      {13, Status::AuthenticatorNotRegistered, "AuthenticatorNotRegistered"},
      {14, Status::KeyInfoManagerError, "KeyInfoManagerError"},
      {15, Status::ConnectionError, "ConnectionError"},
      {16, Status::InvalidEncoding, "InvalidEncoding"},
      {17, Status::InvalidHeader, "InvalidHeader"},
      {18, Status::WrongProviderUuid, "WrongProviderUuid"},
      {19, Status::NotAuthenticated, "NotAuthenticated"},
      {20, Status::BodySizeExceedsLimit, "BodySizeExceedsLimit"},
      {21, Status::AdminOperation, "AdminOperation"},
      {22, Status::DeprecatedPrimitive, "DeprecatedPrimitive"},
      {1132, Status::PsaErrorGenericError, "PsaErrorGenericError"},
      {1133, Status::PsaErrorNotPermitted, "PsaErrorNotPermitted"},
      {1134, Status::PsaErrorNotSupported, "PsaErrorNotSupported"},
      {1135, Status::PsaErrorInvalidArgument, "PsaErrorInvalidArgument"},
      {1136, Status::PsaErrorInvalidHandle, "PsaErrorInvalidHandle"},
      {1137, Status::PsaErrorBadState, "PsaErrorBadState"},
      {1138, Status::PsaErrorBufferTooSmall, "PsaErrorBufferTooSmall"},
      {1139, Status::PsaErrorAlreadyExists, "PsaErrorAlreadyExists"},
      {1140, Status::PsaErrorDoesNotExist, "PsaErrorDoesNotExist"},
      {1141, Status::PsaErrorInsufficientMemory, "PsaErrorInsufficientMemory"},
      {1142, Status::PsaErrorInsufficientStorage, "PsaErrorInsufficientStorage"},
      {1143, Status::PsaErrorInsufficientData, "PsaErrorInsufficientData"},
      {1145, Status::PsaErrorCommunicationFailure, "PsaErrorCommunicationFailure"},
      {1146, Status::PsaErrorStorageFailure, "PsaErrorStorageFailure"},
      {1147, Status::PsaErrorHardwareFailure, "PsaErrorHardwareFailure"},
      {1148, Status::PsaErrorInsufficientEntropy, "PsaErrorInsufficientEntropy"},
      {1149, Status::PsaErrorInvalidSignature, "PsaErrorInvalidSignature"},
      {1150, Status::PsaErrorInvalidPadding, "PsaErrorInvalidPadding"},
      {1151, Status::PsaErrorCorruptionDetected, "PsaErrorCorruptionDetected"},
      {1152, Status::PsaErrorDataCorrupt, "PsaErrorDataCorrupt"},
      {1153, Status::PsaErrorDataInvalid, "PsaErrorDataInvalid"},
  };
  return rows;
}

TEST(WireStatus, EveryDefinedCodeDecodes) {
  EXPECT_EQ(status_rows().size(), 44u);  // 0, 1-22, 1132-1153 without 1144
  for (const auto& r : status_rows()) {
    EXPECT_EQ(static_cast<uint16_t>(r.status), r.code) << r.name;
    const auto s = status_from_u16(r.code);
    ASSERT_TRUE(s.has_value()) << r.code;
    EXPECT_EQ(*s, r.status) << r.code;
    EXPECT_STREQ(status_name(r.status), r.name);
    EXPECT_STRNE(status_description(r.status), status_description(static_cast<Status>(1144))) << r.name;
  }
}

TEST(WireStatus, UndefinedCodesAreRejected) {
  for (uint16_t v : {1144, 23, 999, 1000, 1131, 1154, 0xFFFF}) {
    EXPECT_FALSE(status_from_u16(v).has_value()) << v;
  }
  EXPECT_STREQ(status_name(static_cast<Status>(1144)), "UnknownStatus");
  EXPECT_STREQ(status_name(static_cast<Status>(23)), "UnknownStatus");
}

TEST(WireStatus, ExactlyTheDefinedCodesDecode) {
  std::set<uint16_t> defined;
  for (const auto& r : status_rows()) {
    defined.insert(r.code);
  }
  for (uint32_t v = 0; v <= 0xFFFF; ++v) {
    EXPECT_EQ(status_from_u16(static_cast<uint16_t>(v)).has_value(), defined.count(static_cast<uint16_t>(v)) == 1) << v;
  }
}

// ---- opcodes -----------------------------------------------------------------------

struct OpcodeRow {
  uint32_t value;
  Opcode op;
  const char* name;
};

const std::vector<OpcodeRow>& opcode_rows() {
  static const std::vector<OpcodeRow> rows = {
      {0x01, Opcode::Ping, "Ping"},
      {0x02, Opcode::PsaGenerateKey, "PsaGenerateKey"},
      {0x03, Opcode::PsaDestroyKey, "PsaDestroyKey"},
      {0x04, Opcode::PsaSignHash, "PsaSignHash"},
      {0x05, Opcode::PsaVerifyHash, "PsaVerifyHash"},
      {0x06, Opcode::PsaImportKey, "PsaImportKey"},
      {0x07, Opcode::PsaExportPublicKey, "PsaExportPublicKey"},
      {0x08, Opcode::ListProviders, "ListProviders"},
      {0x09, Opcode::ListOpcodes, "ListOpcodes"},
      {0x0A, Opcode::PsaAsymmetricEncrypt, "PsaAsymmetricEncrypt"},
      {0x0B, Opcode::PsaAsymmetricDecrypt, "PsaAsymmetricDecrypt"},
      {0x0C, Opcode::PsaExportKey, "PsaExportKey"},
      {0x0D, Opcode::PsaGenerateRandom, "PsaGenerateRandom"},
      {0x0E, Opcode::ListAuthenticators, "ListAuthenticators"},
      {0x0F, Opcode::PsaHashCompute, "PsaHashCompute"},
      {0x10, Opcode::PsaHashCompare, "PsaHashCompare"},
      {0x11, Opcode::PsaAeadEncrypt, "PsaAeadEncrypt"},
      {0x12, Opcode::PsaAeadDecrypt, "PsaAeadDecrypt"},
      {0x13, Opcode::PsaRawKeyAgreement, "PsaRawKeyAgreement"},
      {0x14, Opcode::PsaCipherEncrypt, "PsaCipherEncrypt"},
      {0x15, Opcode::PsaCipherDecrypt, "PsaCipherDecrypt"},
      {0x16, Opcode::PsaMacCompute, "PsaMacCompute"},
      {0x17, Opcode::PsaMacVerify, "PsaMacVerify"},
      {0x18, Opcode::PsaSignMessage, "PsaSignMessage"},
      {0x19, Opcode::PsaVerifyMessage, "PsaVerifyMessage"},
      {0x1A, Opcode::ListKeys, "ListKeys"},
      {0x1B, Opcode::ListClients, "ListClients"},
      {0x1C, Opcode::DeleteClient, "DeleteClient"},
      {0x1E, Opcode::AttestKey, "AttestKey"},
      {0x1F, Opcode::PrepareKeyAttestation, "PrepareKeyAttestation"},
      {0x20, Opcode::CanDoCrypto, "CanDoCrypto"},
  };
  return rows;
}

TEST(WireOpcode, AllThirtyOneOperationsDecode) {
  EXPECT_EQ(opcode_rows().size(), 31u);
  for (const auto& r : opcode_rows()) {
    EXPECT_EQ(static_cast<uint32_t>(r.op), r.value) << r.name;
    const auto op = opcode_from_u32(r.value);
    ASSERT_TRUE(op.has_value()) << r.name;
    EXPECT_EQ(*op, r.op);
    EXPECT_STREQ(opcode_name(r.op), r.name);
  }
}

TEST(WireOpcode, OtherValuesDoNotDecode) {
  for (uint32_t v : {0x00u, 0x1Du, 0x21u, 0x22u, 0x100u, 1000u, 0xFFFFFFFFu}) {
    EXPECT_FALSE(opcode_from_u32(v).has_value()) << v;
  }
  EXPECT_STREQ(opcode_name(static_cast<Opcode>(0x1D)), "Unknown");
}

std::set<uint32_t> opcodes_where(bool (*pred)(Opcode)) {
  std::set<uint32_t> out;
  for (uint32_t v = 0; v <= 0x100; ++v) {
    if (pred(static_cast<Opcode>(v))) {
      out.insert(v);
    }
  }
  return out;
}

TEST(WireOpcode, CoreSet) {
  EXPECT_EQ(opcodes_where(is_core_opcode), (std::set<uint32_t>{0x01, 0x08, 0x09, 0x0E, 0x1A, 0x1B, 0x1C}));
}

TEST(WireOpcode, AdminSet) {
  EXPECT_EQ(opcodes_where(is_admin_opcode), (std::set<uint32_t>{0x1B, 0x1C}));
}

TEST(WireOpcode, IdentityFreeSet) {
  std::set<uint32_t> identity_free;
  for (const auto& r : opcode_rows()) {
    if (!needs_identity(r.op)) {
      identity_free.insert(r.value);
    }
  }
  EXPECT_EQ(identity_free, (std::set<uint32_t>{0x01, 0x08, 0x09, 0x0E, 0x0D, 0x0F, 0x10}));
  // Unrecognised values do not claim to need an identity.
  EXPECT_FALSE(needs_identity(static_cast<Opcode>(0)));
  EXPECT_FALSE(needs_identity(static_cast<Opcode>(0x1D)));
}

TEST(WireOpcode, UpstreamListableExcludesMacOperations) {
  std::set<uint32_t> expected;
  for (const auto& r : opcode_rows()) {
    if (r.value != 0x16 && r.value != 0x17) {
      expected.insert(r.value);
    }
  }
  EXPECT_EQ(opcodes_where(is_upstream_listable), expected);
}

// ---- providers and auth types ------------------------------------------------------

TEST(WireIds, ProviderIds) {
  EXPECT_EQ(static_cast<int>(ProviderId::Core), 0);
  EXPECT_EQ(static_cast<int>(ProviderId::MbedCrypto), 1);
  EXPECT_EQ(static_cast<int>(ProviderId::Pkcs11), 2);
  EXPECT_EQ(static_cast<int>(ProviderId::Tpm), 3);
  EXPECT_EQ(static_cast<int>(ProviderId::TrustedService), 4);
  EXPECT_EQ(static_cast<int>(ProviderId::CryptoAuthLib), 5);
}

TEST(WireIds, AuthTypes) {
  EXPECT_EQ(static_cast<int>(AuthType::NoAuth), 0);
  EXPECT_EQ(static_cast<int>(AuthType::Direct), 1);
  EXPECT_EQ(static_cast<int>(AuthType::Jwt), 2);
  EXPECT_EQ(static_cast<int>(AuthType::UnixPeerCredentials), 3);
  EXPECT_EQ(static_cast<int>(AuthType::JwtSvid), 4);
  EXPECT_STREQ(auth_type_name(AuthType::NoAuth), "NoAuth");
  EXPECT_STREQ(auth_type_name(AuthType::Direct), "Direct");
  EXPECT_STREQ(auth_type_name(AuthType::Jwt), "Jwt");
  EXPECT_STREQ(auth_type_name(AuthType::UnixPeerCredentials), "UnixPeerCredentials");
  EXPECT_STREQ(auth_type_name(AuthType::JwtSvid), "JwtSvid");
  EXPECT_STREQ(auth_type_name(static_cast<AuthType>(5)), "Unknown");
}

}  // namespace
}  // namespace parsec
