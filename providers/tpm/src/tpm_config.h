// tpm_config.h - the [[provider]] settings of the TPM provider (spec
// docs/protocol.md, providers §5.5), parsed and checked before anything touches the TPM.
// Plain functions over values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/provider/provider.h"

namespace parsec::provider::tpm {

struct TpmConfig {
  // tcti is handed to Tss2_TctiLdr_Initialize as it is: "device:/dev/tpmrm0",
  // "mssim:host=127.0.0.1,port=2321", "swtpm:path=/run/swtpm.sock",
  // "tabrmd:bus_type=system"...
  std::string tcti;
  SecretBytes owner_auth;        // owner hierarchy password (may be empty)
  SecretBytes endorsement_auth;  // endorsement hierarchy password (may be empty)
  bool skip_if_no_tpm = false;
};

// parse_config reads the provider's settings in the order the configuration
// file lists them (so the first bad one is reported). Unknown keys, a missing
// tcti or owner_hierarchy_auth, an empty tcti, a malformed auth value or a
// skip_if_no_tpm other than true/false answer InvalidEncoding with a detail
// naming the key; an auth value never appears in a detail. Auth values are
// read with Settings::secret().
Result<TpmConfig> parse_config(const Settings& settings);

// parse_auth decodes an auth value: "str:..." is the literal text after the
// prefix, "hex:..." hex-encoded bytes, anything else the literal text. The
// result must fit a TPM2B_AUTH (64 bytes, the largest digest); the TPM itself
// judges whether it is right. `setting` names the key in the failure detail.
Result<SecretBytes> parse_auth(std::string_view value, const std::string& setting);

}  // namespace parsec::provider::tpm
