// config.h - the [[provider]] settings of a Pkcs11 provider (providers.md
// §5.5), parsed and checked before the module is touched.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "secret.h"

namespace parsec::provider::pkcs11 {

struct Pkcs11Config {
  std::string library_path;
  // Token selection, in order of precedence: serial_number, token_label,
  // slot_number; with none, the single initialised token.
  std::optional<std::string> serial_number;  // trimmed of spaces
  std::optional<std::string> token_label;    // trimmed of trailing spaces
  std::optional<unsigned long> slot_number;
  // The user PIN, decoded (str:/hex:/no prefix). Absent: no login.
  std::optional<SecretBytes> user_pin;
  bool software_public_operations = false;
  bool allow_export = true;
};

using Settings = std::vector<std::pair<std::string, std::string>>;

// parse_config reads `settings` into `out`. On failure it returns false and
// sets `error` to a message that names the setting at fault; the message
// never contains the PIN or any part of it.
bool parse_config(const Settings& settings, Pkcs11Config& out, std::string& error);

// parse_pin decodes a user_pin value: "str:" followed by the PIN, "hex:"
// followed by its bytes in hexadecimal, or the PIN itself. Returns false with
// `error` (which never quotes the value) when it cannot be decoded.
bool parse_pin(const std::string& value, SecretBytes& out, std::string& error);

// trim_token_field removes the padding PKCS #11 puts in fixed-width fields
// (spaces, and NULs some modules use) from both ends.
std::string trim_token_field(const unsigned char* p, size_t n);
std::string trim(const std::string& s);

}  // namespace parsec::provider::pkcs11
