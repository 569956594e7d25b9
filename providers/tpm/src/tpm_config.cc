#include "tpm_config.h"

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

}  // namespace

Result<SecretBytes> parse_auth(const std::string& value, const std::string& setting, std::string& error) {
  std::vector<uint8_t> out;
  if (value.rfind("hex:", 0) == 0) {
    const size_t digits = value.size() - 4;
    if (digits % 2 != 0) {
      error = "setting \"" + setting + "\": a hex: value needs an even number of hex digits";
      return Status::InvalidEncoding;
    }
    out.reserve(digits / 2);
    for (size_t i = 4; i < value.size(); i += 2) {
      const int hi = hex_value(value[i]);
      const int lo = hex_value(value[i + 1]);
      if (hi < 0 || lo < 0) {
        SecretBytes wipe_partial(std::move(out));
        error = "setting \"" + setting + "\": a hex: value may hold only hex digits";
        return Status::InvalidEncoding;
      }
      out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
  } else {
    const size_t from = value.rfind("str:", 0) == 0 ? 4 : 0;
    out.assign(value.begin() + static_cast<std::ptrdiff_t>(from), value.end());
  }
  SecretBytes secret(std::move(out));
  if (secret.size() > sizeof(TPMU_HA)) {
    error = "setting \"" + setting + "\": the value is " + std::to_string(secret.size()) +
            " bytes long; a TPM auth value holds at most " + std::to_string(sizeof(TPMU_HA));
    return Status::InvalidEncoding;
  }
  return secret;
}

Result<TpmConfig> parse_config(const std::vector<std::pair<std::string, std::string>>& settings,
                               std::string& error) {
  TpmConfig c;
  bool have_tcti = false;
  bool have_owner = false;
  for (const auto& [key, value] : settings) {
    if (key == "tcti") {
      if (value.empty()) {
        error = "setting \"tcti\" is empty: name a TCTI, e.g. \"device:/dev/tpmrm0\" or \"swtpm:path=/run/swtpm.sock\"";
        return Status::InvalidEncoding;
      }
      c.tcti = value;
      have_tcti = true;
    } else if (key == "owner_hierarchy_auth") {
      auto a = parse_auth(value, key, error);
      if (!a.ok()) {
        return a.status();
      }
      c.owner_auth = std::move(*a);
      have_owner = true;
    } else if (key == "endorsement_hierarchy_auth") {
      auto a = parse_auth(value, key, error);
      if (!a.ok()) {
        return a.status();
      }
      c.endorsement_auth = std::move(*a);
    } else if (key == "skip_if_no_tpm") {
      if (value == "true") {
        c.skip_if_no_tpm = true;
      } else if (value == "false") {
        c.skip_if_no_tpm = false;
      } else {
        error = "setting \"skip_if_no_tpm\" must be true or false";
        return Status::InvalidEncoding;
      }
    } else {
      error = "unknown setting \"" + key +
              "\" (the TPM provider takes tcti, owner_hierarchy_auth, endorsement_hierarchy_auth, skip_if_no_tpm)";
      return Status::InvalidEncoding;
    }
  }
  if (!have_tcti) {
    error = "setting \"tcti\" is required (e.g. \"device:/dev/tpmrm0\", \"swtpm:path=/run/swtpm.sock\")";
    return Status::InvalidEncoding;
  }
  if (!have_owner) {
    error = "setting \"owner_hierarchy_auth\" is required (it may be empty: owner_hierarchy_auth = \"\")";
    return Status::InvalidEncoding;
  }
  return c;
}

}  // namespace parsec::provider::tpm
