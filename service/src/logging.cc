#include "service/src/logging.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace parsec::service {
namespace {

// protobuf reports e.g. invalid UTF-8 on parse; the request is answered
// DeserializingBodyFailed anyway, so keep its message at debug level.
void protobuf_log(google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_FATAL) {
    spdlog::critical("protobuf {}:{}: {}", file, line, message);
  } else {
    spdlog::debug("protobuf: {}", message);
  }
}

// utf8_length returns the length of the valid UTF-8 sequence at s[i] (2-4),
// or 0 when the bytes there are not one (overlong forms and surrogates too).
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      return 0;
    }
  }
  if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F) || (c == 0xF0 && b(i + 1) < 0x90) ||
      (c == 0xF4 && b(i + 1) > 0x8F)) {
    return 0;
  }
  return n;
}

}  // namespace

std::string log_safe(std::string_view s, size_t limit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(s.size(), limit) + 16);
  auto hex = [&](unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  };
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : utf8_length(s, i);
    if (i + std::max<size_t>(n, 1) > limit) {
      break;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\\':
          out += "\\\\";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            hex(c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
    } else if (n == 0 || (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F)) {
      // Not UTF-8, or a C1 control: escape byte by byte.
      size_t k = n == 0 ? 1 : n;
      for (size_t j = 0; j < k; ++j) {
        hex(static_cast<unsigned char>(s[i + j]));
      }
      i += k;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (i < s.size()) {
    out += "...(" + std::to_string(s.size()) + " bytes)";
  }
  return out;
}

void init_logging() {
  auto logger = spdlog::stderr_logger_mt("parsecd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%l] %v");
  spdlog::set_level(spdlog::level::info);
  spdlog::flush_on(spdlog::level::trace);
  google::protobuf::SetLogHandler(&protobuf_log);
}

void apply_log_settings(const Config& c) {
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  spdlog::set_pattern(c.log_timestamp ? "[%Y-%m-%dT%H:%M:%S.%e] [%l] %v" : "[%l] %v");
}

}  // namespace parsec::service
