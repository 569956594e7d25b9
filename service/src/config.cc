#include "service/src/config.h"

#include <toml++/toml.h>
#include <fstream>
#include <set>
#include <sstream>

#include "parsec/interface/secret.h"
#include "parsec/provider/registry.h"

namespace parsec::service {
namespace {

// wipe_strings zeroes every string value of a TOML tree in place.
void wipe_strings(toml::node& n) {
  if (auto* t = n.as_table()) {
    for (auto&& [k, v] : *t) {
      wipe_strings(v);
    }
  } else if (auto* a = n.as_array()) {
    for (auto& v : *a) {
      wipe_strings(v);
    }
  } else if (auto* str = n.as_string()) {
    parsec::wipe(str->get());
  }
}

struct ConfigError {
  std::string message;
};

[[noreturn]] void fail(const std::string& key, const std::string& why) {
  throw ConfigError{key + ": " + why};
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date/time";
  }
}

// Reader wraps one table and remembers which keys were consumed, so unknown
// keys can be reported.
class Section {
 public:
  Section(const toml::table& t, std::string prefix) : t_(t), prefix_(std::move(prefix)) {}

  std::string key(const std::string& k) const { return prefix_ + "." + k; }
  bool has(const std::string& k) {
    used_.insert(k);
    return t_.contains(k);
  }

  bool get_bool(const std::string& k, bool def) {
    if (!has(k)) {
      return def;
    }
    const toml::node& n = *t_.get(k);
    if (!n.is_boolean()) {
      fail(key(k), std::string("must be true or false, found ") + type_name(n));
    }
    return n.as_boolean()->get();
  }

  int64_t get_int(const std::string& k, int64_t def, int64_t min, int64_t max) {
    if (!has(k)) {
      return def;
    }
    const toml::node& n = *t_.get(k);
    if (!n.is_integer()) {
      fail(key(k), std::string("must be an integer, found ") + type_name(n));
    }
    int64_t v = n.as_integer()->get();
    if (v < min || v > max) {
      fail(key(k),
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " + std::to_string(v));
    }
    return v;
  }

  std::string get_string(const std::string& k, const std::string& def) {
    if (!has(k)) {
      return def;
    }
    const toml::node& n = *t_.get(k);
    if (!n.is_string()) {
      fail(key(k), std::string("must be a string, found ") + type_name(n));
    }
    return n.as_string()->get();
  }

  std::string require_string(const std::string& k) {
    if (!t_.contains(k)) {
      fail(key(k), "is required");
    }
    return get_string(k, "");
  }

  void warn_unknown(std::vector<std::string>& warnings, const std::set<std::string>& ignored = {}) const {
    for (const auto& [k, v] : t_) {
      std::string ks(k.str());
      if (!used_.count(ks) && !ignored.count(ks)) {
        warnings.push_back("unknown configuration key " + key(ks) + " ignored");
      }
    }
  }

  const toml::table& table() const { return t_; }

 private:
  const toml::table& t_;
  std::string prefix_;
  std::set<std::string> used_;
};

const toml::table& require_table(const toml::table& root, const std::string& name) {
  const toml::node* n = root.get(name);
  if (!n) {
    fail(name, "section is required");
  }
  if (!n->is_table()) {
    fail(name, std::string("must be a table, found ") + type_name(*n));
  }
  return *n->as_table();
}

AuthType parse_auth_type(const std::string& key, const std::string& v) {
  if (v == "Direct") {
    return AuthType::Direct;
  }
  if (v == "UnixPeerCredentials") {
    return AuthType::UnixPeerCredentials;
  }
  if (v == "JwtSvid") {
    return AuthType::JwtSvid;
  }
  fail(key, "unknown authenticator \"" + v + "\" (expected Direct, UnixPeerCredentials or JwtSvid)");
}

AuthenticatorConfig parse_authenticator(const toml::table& t, const std::string& prefix,
                                        std::vector<std::string>& warnings) {
  Section s(t, prefix);
  AuthenticatorConfig a;
  a.type = parse_auth_type(s.key("auth_type"), s.require_string("auth_type"));
  if (s.has("admins")) {
    const toml::node& n = *t.get("admins");
    if (!n.is_array()) {
      fail(s.key("admins"), "must be an array of { name = \"...\" } tables");
    }
    size_t i = 0;
    for (const auto& e : *n.as_array()) {
      std::string k = s.key("admins") + "[" + std::to_string(i++) + "]";
      if (!e.is_table() || !e.as_table()->contains("name") || !e.as_table()->get("name")->is_string()) {
        fail(k, "must be a table with a string `name`, e.g. { name = \"admin\" }");
      }
      a.admins.push_back(e.as_table()->get("name")->as_string()->get());
    }
  }
  a.workload_endpoint = s.get_string("workload_endpoint", "");
  if (a.type == AuthType::JwtSvid && a.workload_endpoint.empty()) {
    fail(s.key("workload_endpoint"), "is required for the JwtSvid authenticator");
  }
  s.warn_unknown(warnings);
  return a;
}

void parse_root(const toml::table& root, Config& c) {
  {
    Section s(require_table(root, "core_settings"), "core_settings");
    c.allow_root = s.get_bool("allow_root", false);
    c.thread_pool_size = static_cast<unsigned>(s.get_int("thread_pool_size", 0, 1, 1024));
    c.log_level = s.get_string("log_level", "info");
    static const std::set<std::string> levels = {"error", "warn", "info", "debug", "trace"};
    if (!levels.count(c.log_level)) {
      fail("core_settings.log_level", "must be one of error, warn, info, debug, trace; found \"" + c.log_level + "\"");
    }
    c.log_timestamp = s.get_bool("log_timestamp", false);
    c.body_len_limit = static_cast<uint32_t>(s.get_int("body_len_limit", kDefaultBodyLenLimit, 1, UINT32_MAX));
    c.log_error_details = s.get_bool("log_error_details", false);
    c.buffer_size_limit = static_cast<uint64_t>(s.get_int("buffer_size_limit", 1 << 20, 1, INT64_MAX));
    c.allow_deprecated = s.get_bool("allow_deprecated", false);
    c.slow_lane_threads = static_cast<unsigned>(s.get_int("slow_lane_threads", 0, 1, 1024));
    c.slow_ops_per_client = static_cast<unsigned>(s.get_int("slow_ops_per_client", 2, 1, 1024));
    // We never sleep or poll, so the upstream idle sleep is accepted and unused.
    s.warn_unknown(c.warnings, {"idle_listener_sleep_duration"});
  }
  {
    Section s(require_table(root, "listener"), "listener");
    std::string lt = s.require_string("listener_type");
    if (lt != "DomainSocket") {
      fail("listener.listener_type", "must be \"DomainSocket\", found \"" + lt + "\"");
    }
    if (!s.has("timeout")) {
      fail("listener.timeout", "is required (milliseconds, e.g. 200)");
    }
    c.timeout_ms = static_cast<uint32_t>(s.get_int("timeout", 200, 1, 3600 * 1000));
    c.socket_path = s.get_string("socket_path", "/run/parsec/parsec.sock");
    if (c.socket_path.empty()) {
      fail("listener.socket_path", "must not be empty");
    }
    if (c.socket_path.size() >= 108) {
      fail("listener.socket_path", "is longer than a Unix socket path may be (107 bytes)");
    }
    c.max_connections = static_cast<uint32_t>(s.get_int("max_connections", 256, 1, 65536));
    c.header_timeout_ms = static_cast<uint32_t>(s.get_int("header_timeout", c.timeout_ms, 1, 3600 * 1000));
    c.max_connections_per_uid = static_cast<uint32_t>(s.get_int("max_connections_per_uid", 0, 1, 1 << 24));
    c.max_half_open_per_uid = static_cast<uint32_t>(s.get_int("max_half_open_per_uid", 32, 1, 65536));
    s.warn_unknown(c.warnings);
  }
  {
    const toml::node* n = root.get("authenticator");
    if (!n) {
      fail("authenticator", "section is required");
    }
    if (n->is_table()) {
      c.authenticators.push_back(parse_authenticator(*n->as_table(), "authenticator", c.warnings));
    } else if (n->is_array()) {
      size_t i = 0;
      for (const auto& e : *n->as_array()) {
        std::string prefix = "authenticator[" + std::to_string(i++) + "]";
        if (!e.is_table()) {
          fail(prefix, "must be a table");
        }
        c.authenticators.push_back(parse_authenticator(*e.as_table(), prefix, c.warnings));
      }
      if (c.authenticators.empty()) {
        fail("authenticator", "must list at least one authenticator");
      }
    } else {
      fail("authenticator", "must be a table or an array of tables");
    }
    std::set<AuthType> seen;
    for (const auto& a : c.authenticators) {
      if (!seen.insert(a.type).second) {
        fail("authenticator", std::string("lists ") + auth_type_name(a.type) + " twice");
      }
    }
  }
  if (const toml::node* n = root.get("key_manager")) {
    if (!n->is_array()) {
      fail("key_manager", "must be an array of tables ([[key_manager]])");
    }
    size_t i = 0;
    for (const auto& e : *n->as_array()) {
      std::string prefix = "key_manager[" + std::to_string(i++) + "]";
      if (!e.is_table()) {
        fail(prefix, "must be a table");
      }
      Section s(*e.as_table(), prefix);
      KeyManagerConfig k;
      k.name = s.require_string("name");
      k.manager_type = s.require_string("manager_type");
      if (k.manager_type == "OnDisk") {
        fail(s.key("manager_type"),
             "OnDisk is not supported by parsecd (upstream plans to deprecate it); use \"SQLite\"");
      }
      if (k.manager_type != "SQLite") {
        fail(s.key("manager_type"), "must be \"SQLite\", found \"" + k.manager_type + "\"");
      }
      k.sqlite_db_path = s.get_string("sqlite_db_path", k.sqlite_db_path);
      if (k.sqlite_db_path.empty()) {
        fail(s.key("sqlite_db_path"), "must not be empty");
      }
      // store_path is the OnDisk key; upstream's template shows it for SQLite too.
      if (s.has("store_path")) {
        c.warnings.push_back(s.key("store_path") + " is ignored for SQLite stores; use sqlite_db_path");
      }
      for (const auto& other : c.key_managers) {
        if (other.name == k.name) {
          fail(s.key("name"), "duplicate key manager name \"" + k.name + "\"");
        }
      }
      s.warn_unknown(c.warnings);
      c.key_managers.push_back(k);
    }
  }
  const toml::node* pn = root.get("provider");
  if (!pn) {
    fail("provider", "at least one [[provider]] is required");
  }
  if (!pn->is_array()) {
    fail("provider", "must be an array of tables ([[provider]])");
  }
  size_t i = 0;
  for (const auto& e : *pn->as_array()) {
    std::string prefix = "provider[" + std::to_string(i++) + "]";
    if (!e.is_table()) {
      fail(prefix, "must be a table");
    }
    const toml::table& t = *e.as_table();
    Section s(t, prefix);
    ProviderConfig p;
    p.provider_type = s.require_string("provider_type");
    if (!provider_type_id(p.provider_type, p.id)) {
      fail(s.key("provider_type"), "unknown provider type \"" + p.provider_type +
                                       "\" (expected MbedCrypto, Pkcs11, Tpm, TrustedService or CryptoAuthLib)");
    }
    p.name = s.get_string("name", default_provider_name(p.id));
    if (p.name.empty()) {
      fail(s.key("name"), "must not be empty");
    }
    p.key_info_manager = s.require_string("key_info_manager");
    if (!c.key_manager(p.key_info_manager)) {
      fail(s.key("key_info_manager"), "names no [[key_manager]]: \"" + p.key_info_manager + "\"");
    }
    for (const auto& other : c.providers) {
      if (other.name == p.name) {
        fail(s.key("name"), "duplicate provider name \"" + p.name + "\"");
      }
      if (other.id == p.id) {
        // Upstream lets the last one win silently; one instance per type is
        // the only unambiguous choice on the wire.
        fail(prefix, "a second " + p.provider_type +
                         " provider: requests name providers by type, so only one instance per type can be reached");
      }
    }
    for (const auto& [k, v] : t) {
      std::string ks(k.str());
      if (ks == "provider_type" || ks == "name" || ks == "key_info_manager") {
        continue;
      }
      std::string text;
      if (v.is_string()) {
        text = v.as_string()->get();
      } else if (v.is_integer()) {
        text = std::to_string(v.as_integer()->get());
      } else if (v.is_boolean()) {
        text = v.as_boolean()->get() ? "true" : "false";
      } else {
        fail(s.key(ks), std::string("must be a string, an integer or a boolean, found ") + type_name(v));
      }
      p.settings.emplace_back(ks, std::move(text));
    }
    c.providers.push_back(p);
  }
  if (c.providers.empty()) {
    fail("provider", "at least one [[provider]] is required");
  }
  static const std::set<std::string> known = {"core_settings", "listener", "authenticator", "key_manager", "provider"};
  for (const auto& [k, v] : root) {
    if (!known.count(std::string(k.str()))) {
      c.warnings.push_back("unknown configuration section " + std::string(k.str()) + " ignored");
    }
  }
}

}  // namespace

const KeyManagerConfig* Config::key_manager(const std::string& name) const {
  for (const auto& k : key_managers) {
    if (k.name == name) {
      return &k;
    }
  }
  return nullptr;
}

bool provider_type_id(const std::string& type, ProviderId& id) {
  if (type == "MbedCrypto") {
    id = ProviderId::MbedCrypto;
  } else if (type == "Pkcs11") {
    id = ProviderId::Pkcs11;
  } else if (type == "Tpm") {
    id = ProviderId::Tpm;
  } else if (type == "TrustedService") {
    id = ProviderId::TrustedService;
  } else if (type == "CryptoAuthLib") {
    id = ProviderId::CryptoAuthLib;
  } else if (const auto* f = provider::find_provider_factory(type)) {
    // A provider type this project adds (registered in the build, registry.h).
    id = f->id;
  } else {
    return false;
  }
  return true;
}

std::string default_provider_name(ProviderId id) {
  switch (id) {
    case ProviderId::MbedCrypto:
      return "mbed-crypto-provider";
    case ProviderId::Pkcs11:
      return "pkcs11-provider";
    case ProviderId::Tpm:
      return "tpm-provider";
    case ProviderId::TrustedService:
      return "trusted-service-provider";
    case ProviderId::CryptoAuthLib:
      return "cryptoauthlib-provider";
    case ProviderId::Core:
      break;
  }
  return "core-provider";
}

Result<Config> parse_config_text(const std::string& text, const std::string& origin) {
  Config c;
  c.path = origin;
  try {
    toml::table root = toml::parse(text, origin);
    // The parsed tree holds PINs and hierarchy passwords: zero every string
    // before the tree's memory is freed, whatever parse_root decides.
    struct Scrub {
      toml::table& t;
      ~Scrub() { wipe_strings(t); }
    } scrub{root};
    parse_root(root, c);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    return Failure(Status::InvalidEncoding, os.str());
  } catch (const ConfigError& e) {
    return Failure(Status::InvalidEncoding, origin + ": " + e.message);
  }
  return c;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    return Failure(Status::PsaErrorStorageFailure, "cannot read configuration file " + path);
  }
  // Read into one buffer we own (no stream buffer copies) and wipe it after
  // parsing: the file may hold a PIN or a hierarchy password.
  std::streamoff size = f.tellg();
  if (size < 0 || size > (16 << 20)) {
    return Failure(Status::PsaErrorStorageFailure,
                   "configuration file " + path + " is unreadable or larger than 16 MiB");
  }
  std::string text(static_cast<size_t>(size), '\0');
  f.seekg(0);
  f.read(text.data(), size);
  if (!f) {
    parsec::wipe(text);
    return Failure(Status::PsaErrorStorageFailure, "cannot read configuration file " + path);
  }
  Result<Config> parsed = parse_config_text(text, path);
  parsec::wipe(text);
  return parsed;
}

std::vector<std::string> settle_reload(const Config& running, Config& next, bool running_as_root) {
  std::vector<std::string> kept;
  auto keep = [&](auto Config::*field, const char* key, const std::string& why, auto show) {
    if (next.*field != running.*field) {
      kept.push_back("reload: " + std::string(key) + " changed to " + show(next.*field) + " but " + why + "; keeping " +
                     show(running.*field) + " until a restart");
      next.*field = running.*field;
    }
  };
  auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
  auto number = [](auto n) { return std::to_string(n); };
  auto text = [](const std::string& t) { return "\"" + t + "\""; };
  if (running_as_root && !next.allow_root) {
    if (running.allow_root) {
      kept.push_back(
          "reload: core_settings.allow_root changed to false but parsecd is running as root and cannot stop being "
          "root; keeping true (restart parsecd as another user to apply it)");
    }
    next.allow_root = running.allow_root;
  }
  keep(&Config::thread_pool_size, "core_settings.thread_pool_size", "the worker threads are started once", number);
  keep(&Config::socket_path, "listener.socket_path", "the listening socket is never closed", text);
  keep(&Config::buffer_size_limit, "core_settings.buffer_size_limit", "the providers were built with it", number);
  keep(&Config::allow_deprecated, "core_settings.allow_deprecated", "the providers were built with it", boolean);
  return kept;
}

}  // namespace parsec::service
