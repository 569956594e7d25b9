#include "providers/pkcs11/src/config.h"

#include <limits>
#include <utility>

namespace parsec::provider::pkcs11 {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

Failure bad_setting(std::string why) {
  return Failure(Status::InvalidEncoding, std::move(why));
}

}  // namespace

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\0' || s[b] == '\t')) {
    ++b;
  }
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\0' || s[e - 1] == '\t')) {
    --e;
  }
  return s.substr(b, e - b);
}

std::string trim_token_field(const unsigned char* p, size_t n) {
  return trim(std::string(reinterpret_cast<const char*>(p), n));
}

Result<SecretBytes> parse_pin(std::string_view value) {
  if (value.rfind("hex:", 0) == 0) {
    size_t digits = value.size() - 4;
    if (digits == 0 || digits % 2 != 0) {
      return bad_setting("user_pin: the hex: value must be a non-empty, even number of hexadecimal digits");
    }
    SecretBytes pin(digits / 2);
    for (size_t i = 0; i < pin.size(); ++i) {
      int hi = hex_value(value[4 + 2 * i]);
      int lo = hex_value(value[5 + 2 * i]);
      if (hi < 0 || lo < 0) {
        // `pin` is wiped on the way out.
        return bad_setting("user_pin: the hex: value contains a character that is not a hexadecimal digit");
      }
      pin.data()[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return pin;
  }
  size_t skip = value.rfind("str:", 0) == 0 ? 4 : 0;
  if (value.size() == skip) {
    return bad_setting("user_pin is empty; remove the setting to run without logging in");
  }
  return SecretBytes(reinterpret_cast<const uint8_t*>(value.data()) + skip, value.size() - skip);
}

Result<Pkcs11Config> parse_config(const Settings& settings) {
  Pkcs11Config out;
  std::optional<std::string> library = settings.string("library_path");
  if (library) {
    if (library->empty()) {
      return bad_setting("library_path must not be empty");
    }
    out.library_path = std::move(*library);
  }
  if (auto serial = settings.string("serial_number")) {
    out.serial_number = trim(*serial);
    if (out.serial_number->empty()) {
      return bad_setting("serial_number must not be empty");
    }
  }
  if (auto label = settings.string("token_label")) {
    out.token_label = trim(*label);
    if (out.token_label->empty()) {
      return bad_setting("token_label must not be empty");
    }
  }
  auto slot = settings.integer("slot_number", 0, std::numeric_limits<unsigned long>::max());
  PARSEC_TRY(slot);
  if (*slot) {
    out.slot_number = static_cast<unsigned long>(**slot);
  }
  if (std::optional<SecretBytes> value = settings.secret("user_pin")) {
    auto pin = parse_pin(value->view());
    PARSEC_TRY(pin);
    out.user_pin = std::move(*pin);
  }
  auto software = settings.boolean("software_public_operations");
  PARSEC_TRY(software);
  out.software_public_operations = software->value_or(false);
  auto allow_export = settings.boolean("allow_export");
  PARSEC_TRY(allow_export);
  out.allow_export = allow_export->value_or(true);
  std::vector<std::string> unknown = settings.unknown();
  if (!unknown.empty()) {
    return bad_setting("unknown setting \"" + unknown.front() +
                       "\" (Pkcs11 takes library_path, serial_number, token_label, slot_number, user_pin, "
                       "software_public_operations, allow_export)");
  }
  if (!library) {
    return bad_setting("library_path is required (the PKCS #11 module to load, e.g. /usr/lib/softhsm/libsofthsm2.so)");
  }
  return out;
}

}  // namespace parsec::provider::pkcs11
