#include "sdk-cpp/src/framing.h"

#include <cstring>
#include <limits>

#include "parsec/client/error.h"

namespace parsec::client::detail {
namespace {

std::string hex(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

}  // namespace

std::vector<uint8_t> build_request(Opcode opcode, uint8_t provider, AuthType auth_type, const std::string& body,
                                   const std::vector<uint8_t>& auth, const std::string& operation) {
  if (body.size() > std::numeric_limits<uint32_t>::max()) {
    throw Error::client_error(
        Status::BodySizeExceedsLimit, operation,
        "request body of " + std::to_string(body.size()) + " bytes does not fit the u32 length field");
  }
  if (auth.size() > std::numeric_limits<uint16_t>::max()) {
    throw Error::client_error(Status::AuthenticationError, operation,
                              "authentication data of " + std::to_string(auth.size()) +
                                  " bytes does not fit the u16 length field (at most 65535)");
  }
  WireHeader h;  // magic, size 30, version 1.0, flags 0, session 0, content/accept 0, status 0, reserved 0
  h.provider = provider;
  h.auth_type = static_cast<uint8_t>(auth_type);
  h.body_len = static_cast<uint32_t>(body.size());
  h.auth_len = static_cast<uint16_t>(auth.size());
  h.opcode = static_cast<uint32_t>(opcode);
  const auto header = encode_header(h);

  // Sized once and filled with memcpy: GCC 12 reports a false
  // -Wstringop-overflow for chained vector::insert calls here.
  std::vector<uint8_t> out(header.size() + body.size() + auth.size());
  std::memcpy(out.data(), header.data(), header.size());
  if (!body.empty()) {
    std::memcpy(out.data() + header.size(), body.data(), body.size());
  }
  if (!auth.empty()) {
    std::memcpy(out.data() + header.size() + body.size(), auth.data(), auth.size());
  }
  return out;
}

void check_fixed_fields(const WireHeader& h, uint32_t max_body_len, const std::string& operation) {
  auto invalid = [&](Status s, const std::string& what) {
    return Error::client_error(s, operation, "invalid response header: " + what);
  };
  if (h.magic != kMagic) {
    throw invalid(Status::InvalidHeader, "magic number " + hex(h.magic) + " instead of 0x5ec0a710");
  }
  if (h.header_size != kHeaderSizeField) {
    throw invalid(Status::InvalidHeader, "header size " + std::to_string(h.header_size) + " instead of 30");
  }
  if (h.version_maj != kVersionMajor || h.version_min != kVersionMinor) {
    throw invalid(Status::WireProtocolVersionNotSupported, "wire protocol version " + std::to_string(h.version_maj) +
                                                               "." + std::to_string(h.version_min) + " instead of 1.0");
  }
  if (h.reserved1 != 0 || h.reserved2 != 0) {
    throw invalid(Status::InvalidHeader, "reserved bytes " + std::to_string(h.reserved1) + ", " +
                                             std::to_string(h.reserved2) + " are not zero");
  }
  if (h.body_len > max_body_len) {
    throw Error::client_error(Status::BodySizeExceedsLimit, operation,
                              "response body of " + std::to_string(h.body_len) + " bytes exceeds the client limit of " +
                                  std::to_string(max_body_len) + " bytes");
  }
}

void check_response_fields(const WireHeader& h, Opcode requested, const std::string& operation) {
  auto invalid = [&](Status s, const std::string& what) {
    return Error::client_error(s, operation, "invalid response header: " + what);
  };
  if (h.provider > kMaxProviderId) {
    throw invalid(Status::ProviderDoesNotExist, "provider " + std::to_string(h.provider) + " is not defined");
  }
  if (h.content_type != 0) {
    throw invalid(Status::ContentTypeNotSupported,
                  "content type " + std::to_string(h.content_type) + " instead of 0 (protobuf)");
  }
  const std::optional<Opcode> opcode = opcode_from_u32(h.opcode);
  if (!opcode) {
    throw invalid(Status::OpcodeDoesNotExist, "opcode " + hex(h.opcode) + " is not defined");
  }
  const std::optional<Status> status = status_from_u16(h.status);
  if (!status) {
    throw invalid(Status::InvalidEncoding, "status " + std::to_string(h.status) + " is not defined");
  }
  if (*status != Status::Success) {
    throw Error::service_error(*status, operation);
  }
  if (*opcode != requested) {
    throw invalid(Status::InvalidHeader, std::string("answer to opcode ") + hex(h.opcode) + " (" +
                                             opcode_name(*opcode) + ") for a " + opcode_name(requested) + " request");
  }
}

}  // namespace parsec::client::detail
