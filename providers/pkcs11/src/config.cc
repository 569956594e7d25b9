#include "config.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

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

bool parse_bool(const std::string& key, const std::string& v, bool& out, std::string& error) {
  if (v == "true") {
    out = true;
    return true;
  }
  if (v == "false") {
    out = false;
    return true;
  }
  error = key + " must be true or false, found \"" + v + "\"";
  return false;
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

bool parse_pin(const std::string& value, SecretBytes& out, std::string& error) {
  if (value.rfind("hex:", 0) == 0) {
    size_t digits = value.size() - 4;
    if (digits == 0 || digits % 2 != 0) {
      error = "user_pin: the hex: value must be a non-empty, even number of hexadecimal digits";
      return false;
    }
    SecretBytes pin(digits / 2);
    for (size_t i = 0; i < pin.size(); ++i) {
      int hi = hex_value(value[4 + 2 * i]);
      int lo = hex_value(value[5 + 2 * i]);
      if (hi < 0 || lo < 0) {
        error = "user_pin: the hex: value contains a character that is not a hexadecimal digit";
        return false;  // `pin` is wiped on the way out
      }
      pin.data()[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    out = std::move(pin);
    return true;
  }
  size_t skip = value.rfind("str:", 0) == 0 ? 4 : 0;
  if (value.size() == skip) {
    error = "user_pin is empty; remove the setting to run without logging in";
    return false;
  }
  out = SecretBytes(reinterpret_cast<const uint8_t*>(value.data()) + skip, value.size() - skip);
  return true;
}

bool parse_config(const Settings& settings, Pkcs11Config& out, std::string& error) {
  bool have_library = false;
  for (const auto& [key, value] : settings) {
    if (key == "library_path") {
      if (value.empty()) {
        error = "library_path must not be empty";
        return false;
      }
      out.library_path = value;
      have_library = true;
    } else if (key == "serial_number") {
      out.serial_number = trim(value);
      if (out.serial_number->empty()) {
        error = "serial_number must not be empty";
        return false;
      }
    } else if (key == "token_label") {
      out.token_label = trim(value);
      if (out.token_label->empty()) {
        error = "token_label must not be empty";
        return false;
      }
    } else if (key == "slot_number") {
      const char* s = value.c_str();
      char* end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(s, &end, 10);
      if (value.empty() || value[0] == '-' || *end != '\0' || errno == ERANGE ||
          n > std::numeric_limits<unsigned long>::max()) {
        error = "slot_number must be a non-negative integer, found \"" + value + "\"";
        return false;
      }
      out.slot_number = static_cast<unsigned long>(n);
    } else if (key == "user_pin") {
      SecretBytes pin;
      if (!parse_pin(value, pin, error)) {
        return false;
      }
      out.user_pin = std::move(pin);
    } else if (key == "software_public_operations") {
      if (!parse_bool(key, value, out.software_public_operations, error)) {
        return false;
      }
    } else if (key == "allow_export") {
      if (!parse_bool(key, value, out.allow_export, error)) {
        return false;
      }
    } else {
      error = "unknown setting \"" + key +
              "\" (Pkcs11 takes library_path, serial_number, token_label, slot_number, user_pin, "
              "software_public_operations, allow_export)";
      return false;
    }
  }
  if (!have_library) {
    error = "library_path is required (the PKCS #11 module to load, e.g. /usr/lib/softhsm/libsofthsm2.so)";
    return false;
  }
  return true;
}

}  // namespace parsec::provider::pkcs11
