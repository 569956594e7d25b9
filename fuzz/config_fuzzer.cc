// config_fuzzer.cc - libFuzzer target for config.toml parsing and validation
// (service/src/config.h, parse_config_text): TOML syntax, every section's
// typed reader and the cross-checks (authenticators, key managers, providers).
// Only crashes and sanitizer reports are findings: a bad file is a Failure.
//
// Single-threaded (libFuzzer calls one input at a time).
#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>

#include "service/src/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)parsec::service::parse_config_text(text, "fuzz");
  return 0;
}
