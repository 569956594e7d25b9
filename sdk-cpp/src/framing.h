// framing.h - request framing and response header checks (docs/protocol.md, wire protocol
// sections 2, 3 and 7). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/interface/wire.h"

namespace parsec::client::detail {

// build_request lays out header || body || auth. Throws Error when the body or
// the authentication field does not fit its length field.
std::vector<uint8_t> build_request(Opcode opcode, uint8_t provider, AuthType auth_type, const std::string& body,
                                   const std::vector<uint8_t>& auth, const std::string& operation);

// check_fixed_fields validates a received response header before its body is
// read: magic, header size 30, version 1.0, reserved bytes 0, body length
// within `max_body_len`. Throws Error(InvalidHeader /
// WireProtocolVersionNotSupported / BodySizeExceedsLimit).
void check_fixed_fields(const WireHeader& h, uint32_t max_body_len, const std::string& operation);

// check_response_fields converts provider, content type, opcode and status the
// way the reference client does, then: a non-zero status throws
// Error::service_error; on success the opcode must be the request's.
void check_response_fields(const WireHeader& h, Opcode requested, const std::string& operation);

}  // namespace parsec::client::detail
