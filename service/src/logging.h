// logging.h - log set-up. Log lines say why a request was refused; they never
// contain key material, PINs, auth values or request payloads.
//
// Every string a client controls (application names, key names, client names
// of DeleteClient, failure details that quote them) goes through log_safe
// before it reaches a log line, so a client cannot forge lines (newlines),
// drive the operator's terminal (escape sequences) or make each refusal log
// a 64 KiB name.
//
// Thread safety: log_safe is a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "service/src/config.h"

namespace parsec::service {

// init_logging installs the stderr logger (before the config is read).
void init_logging();
// apply_log_settings applies core_settings.log_level and log_timestamp.
void apply_log_settings(const Config& config);

// kLogFieldLimit: bytes of one client-controlled field kept in a log line.
constexpr size_t kLogFieldLimit = 128;

// log_safe returns `s` fit for one log line: C0 controls, DEL, backslash, C1
// controls (U+0080-U+009F, which terminals also obey) and bytes that are not
// part of valid UTF-8 become escapes (\n, \t, \x1b, \\, \xc2\x9b...); other
// UTF-8 is kept. Input beyond `limit` bytes is cut (at a character boundary)
// and replaced by "...(N bytes)" giving the full size.
std::string log_safe(std::string_view s, size_t limit = kLogFieldLimit);

}  // namespace parsec::service
