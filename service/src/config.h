// config.h - parsecd's configuration, read from Parsec's config.toml format
// (docs/protocol.md, providers §5) with two extensions: several authenticators
// ([[authenticator]] array, or the upstream single [authenticator] table) and
// listener.max_connections.
#pragma once

#include <cstdint>
#include <string>

#include <vector>
#include "parsec/interface/result.h"

#include "parsec/interface/secret.h"
#include "parsec/interface/wire.h"

namespace parsec::service {

struct AuthenticatorConfig {
  AuthType type = AuthType::UnixPeerCredentials;
  std::vector<std::string> admins;
  std::string workload_endpoint;
};

struct KeyManagerConfig {
  std::string name;
  std::string manager_type;  // "SQLite"
  std::string sqlite_db_path = "/var/lib/parsec/kim-mappings/sqlite/sqlite-key-info-manager.sqlite3";
};

// ProviderConfig keeps provider-specific keys as strings for the provider's
// own parser (PKCS#11 and TPM settings).
struct ProviderConfig {
  std::string provider_type;  // "MbedCrypto", "Pkcs11", "Tpm", ...
  ProviderId id = ProviderId::MbedCrypto;
  std::string name;
  std::string key_info_manager;
  std::vector<std::pair<std::string, std::string>> settings;  // other keys, TOML values as text

  ProviderConfig() = default;
  ProviderConfig(const ProviderConfig&) = default;
  ProviderConfig& operator=(const ProviderConfig&) = default;
  ProviderConfig(ProviderConfig&&) = default;
  ProviderConfig& operator=(ProviderConfig&&) = default;
  // Settings may be secrets (user_pin, owner_hierarchy_auth): zeroed on release.
  ~ProviderConfig() {
    for (auto& kv : settings) {
      parsec::wipe(kv.second);
    }
  }
};

struct Config {
  std::string path;
  // [core_settings]
  bool allow_root = false;
  unsigned thread_pool_size = 0;  // 0 = number of CPUs
  std::string log_level = "info";
  bool log_timestamp = false;
  uint32_t body_len_limit = kDefaultBodyLenLimit;
  bool log_error_details = false;
  uint64_t buffer_size_limit = 1u << 20;
  bool allow_deprecated = false;
  unsigned slow_lane_threads = 0;    // 0 = CPUs - 1 (at least 1)
  unsigned slow_ops_per_client = 2;  // slow operations of one client running at once
  // [listener]
  uint32_t timeout_ms = 200;
  std::string socket_path = "/run/parsec/parsec.sock";
  uint32_t max_connections = 256;        // connections being read or answered, all uids
  uint32_t header_timeout_ms = 200;      // from the start of reading to a complete header (default: timeout)
  uint32_t max_connections_per_uid = 0;  // open connections of one uid; 0 = half the fd limit, <= 16384
  uint32_t max_half_open_per_uid = 32;   // connections of one uid being read at once
  // [authenticator] / [[authenticator]]
  std::vector<AuthenticatorConfig> authenticators;
  std::vector<KeyManagerConfig> key_managers;
  std::vector<ProviderConfig> providers;
  // Warnings found while parsing (unknown keys...), to be logged once the
  // logger is configured.
  std::vector<std::string> warnings;

  const KeyManagerConfig* key_manager(const std::string& name) const;
};

// load_config parses and validates the file at `path`. A failure is
// InvalidEncoding (or PsaErrorStorageFailure when the file cannot be read)
// with a detail that names the file, the offending key and why.
Result<Config> load_config(const std::string& path);
// parse_config_text does the same for TOML text (used by tests).
Result<Config> parse_config_text(const std::string& text, const std::string& origin);

// settle_reload prepares `next`, freshly loaded for a SIGHUP reload, to
// replace `running`: every setting a running daemon cannot apply keeps its
// running value in `next`, and one message per such setting the file changed
// says so (the caller logs them as warnings). Those settings are
// allow_root = false while running as root (the daemon cannot drop being
// root; `running_as_root`), thread_pool_size and listener.socket_path (fixed
// at start), and buffer_size_limit and allow_deprecated (the providers were
// built with them). Provider and key-manager changes are refused as a whole
// elsewhere (Backends::same_layout).
std::vector<std::string> settle_reload(const Config& running, Config& next, bool running_as_root);

// provider_type_id maps a provider_type string to its provider id.
bool provider_type_id(const std::string& type, ProviderId& id);
// default_provider_name returns the upstream default instance name for an id.
std::string default_provider_name(ProviderId id);

}  // namespace parsec::service
