#include "providers/tpm/src/tpm_config.h"

#include <tss2/tss2_tpm2_types.h>

namespace parsec::provider::tpm {
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

Result<SecretBytes> checked_size(SecretBytes secret, const std::string& setting) {
  if (secret.size() > sizeof(TPMU_HA)) {
    return Failure(Status::InvalidEncoding,
                   "setting \"" + setting + "\": the value is " + std::to_string(secret.size()) +
                       " bytes long; a TPM auth value holds at most " + std::to_string(sizeof(TPMU_HA)));
  }
  return secret;
}

}  // namespace

Result<SecretBytes> parse_auth(std::string_view value, const std::string& setting) {
  // Grown to its final size before any byte is written, so no reallocation
  // leaves a stale copy; a SecretBytes from the start wipes it on every path.
  if (value.rfind("hex:", 0) == 0) {
    const size_t digits = value.size() - 4;
    if (digits % 2 != 0) {
      return Failure(Status::InvalidEncoding,
                     "setting \"" + setting + "\": a hex: value needs an even number of hex digits");
    }
    SecretBytes out(digits / 2);
    for (size_t i = 4, o = 0; i < value.size(); i += 2, ++o) {
      const int hi = hex_value(value[i]);
      const int lo = hex_value(value[i + 1]);
      if (hi < 0 || lo < 0) {
        return Failure(Status::InvalidEncoding, "setting \"" + setting + "\": a hex: value may hold only hex digits");
      }
      out.data()[o] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return checked_size(std::move(out), setting);
  }
  const size_t from = value.rfind("str:", 0) == 0 ? 4 : 0;
  SecretBytes out(reinterpret_cast<const uint8_t*>(value.data()) + from, value.size() - from);
  return checked_size(std::move(out), setting);
}

Result<TpmConfig> parse_config(const Settings& settings) {
  TpmConfig c;
  bool have_tcti = false;
  bool have_owner = false;
  // Keys in file order, each value read with its type; the first bad entry is
  // the one reported.
  for (const auto& entry : settings.entries()) {
    const std::string& key = entry.first;
    if (key == "tcti") {
      std::string value = settings.string(key).value_or("");
      if (value.empty()) {
        return Failure(Status::InvalidEncoding,
                       "setting \"tcti\" is empty: name a TCTI, e.g. \"device:/dev/tpmrm0\" or "
                       "\"swtpm:path=/run/swtpm.sock\"");
      }
      c.tcti = std::move(value);
      have_tcti = true;
    } else if (key == "owner_hierarchy_auth" || key == "endorsement_hierarchy_auth") {
      const std::optional<SecretBytes> raw = settings.secret(key);
      auto a = parse_auth(raw ? raw->view() : std::string_view(), key);
      if (!a.ok()) {
        return a.failure();
      }
      if (key == "owner_hierarchy_auth") {
        c.owner_auth = std::move(*a);
        have_owner = true;
      } else {
        c.endorsement_auth = std::move(*a);
      }
    } else if (key == "skip_if_no_tpm") {
      auto b = settings.boolean(key);  // "setting \"skip_if_no_tpm\" must be true or false"
      if (!b.ok()) {
        return b.failure();
      }
      c.skip_if_no_tpm = b->value_or(false);
    } else {
      return Failure(Status::InvalidEncoding,
                     "unknown setting \"" + key +
                         "\" (the TPM provider takes tcti, owner_hierarchy_auth, endorsement_hierarchy_auth, "
                         "skip_if_no_tpm)");
    }
  }
  if (!have_tcti) {
    return Failure(Status::InvalidEncoding,
                   "setting \"tcti\" is required (e.g. \"device:/dev/tpmrm0\", \"swtpm:path=/run/swtpm.sock\")");
  }
  if (!have_owner) {
    return Failure(Status::InvalidEncoding,
                   "setting \"owner_hierarchy_auth\" is required (it may be empty: owner_hierarchy_auth = \"\")");
  }
  return c;
}

}  // namespace parsec::provider::tpm
