#include "service/src/logging.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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

}  // namespace

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
