// config.h - the [[provider]] settings of a Pkcs11 provider (docs/protocol.md, providers
// §5.5), parsed and checked before the module is touched.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/provider/provider.h"

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

// parse_config reads the settings of a Pkcs11 [[provider]] table (the user
// PIN through Settings::secret, so it is never logged) and refuses unknown
// keys. A failure is InvalidEncoding with a detail that names the setting at
// fault; the detail never contains the PIN or any part of it.
Result<Pkcs11Config> parse_config(const Settings& settings);

// parse_pin decodes a user_pin value: "str:" followed by the PIN, "hex:"
// followed by its bytes in hexadecimal, or the PIN itself. A value that
// cannot be decoded is InvalidEncoding with a detail that never quotes it.
Result<SecretBytes> parse_pin(std::string_view value);

// trim_token_field removes the padding PKCS #11 puts in fixed-width fields
// (spaces, and NULs some modules use) from both ends.
std::string trim_token_field(const unsigned char* p, size_t n);
std::string trim(const std::string& s);

}  // namespace parsec::provider::pkcs11
