// config_test.cc - parsing and validation of parsecd's config.toml
// (docs/protocol.md, providers §5).
#include "service/src/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace parsec::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The configuration shipped by upstream Parsec (shape of its config.toml
// template): single [authenticator] table, SQLite key manager, Mbed Crypto.
constexpr const char* kUpstream = R"(
[core_settings]
#allow_root = false
#thread_pool_size = 8
idle_listener_sleep_duration = 10 # in milliseconds
log_level = "info"
log_timestamp = false
#body_len_limit = 1048576
log_error_details = false
#buffer_size_limit = 1048576
#allow_deprecated = false

[listener]
listener_type = "DomainSocket"
# The timeout needs to be smaller than the maximum value of u32.
timeout = 200 # in milliseconds
#socket_path = "/run/parsec/parsec.sock"

[authenticator]
auth_type = "UnixPeerCredentials"
admins = [ { name = "root" } ]

[[key_manager]]
name = "sqlite-manager"
manager_type = "SQLite"
sqlite_db_path = "/var/lib/parsec/kim-mappings/sqlite/sqlite-key-info-manager.sqlite3"

[[provider]]
provider_type = "MbedCrypto"
key_info_manager = "sqlite-manager"
)";

// A minimal valid configuration assembled from parts, so each invalid case
// changes exactly one thing.
struct Parts {
  std::string core = "[core_settings]\n";
  std::string listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\n";
  std::string auth = "[authenticator]\nauth_type = \"Direct\"\n";
  std::string kim = "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"/tmp/x.sqlite3\"\n";
  std::string providers = "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"kim\"\n";
  std::string extra;

  std::string text() const { return core + listener + auth + kim + providers + extra; }
};

struct Parsed {
  bool ok = false;
  Config config;
  std::string error;
};

Parsed parse(const std::string& text) {
  Parsed p;
  Result<Config> r = parse_config_text(text, "test.toml");
  p.ok = r.ok();
  if (r.ok()) {
    p.config = std::move(r).value();
  } else {
    p.error = r.detail();
  }
  return p;
}

// expect_error checks that parsing fails and that the message starts with
// "test.toml: <key>" (it names the offending key), and contains `also`.
void expect_error(const std::string& text, const std::string& key, const std::string& also = "") {
  SCOPED_TRACE(text);
  Parsed p = parse(text);
  ASSERT_FALSE(p.ok) << "parsed although it should have failed";
  EXPECT_THAT(p.error, StartsWith("test.toml: " + key)) << p.error;
  if (!also.empty()) {
    EXPECT_THAT(p.error, HasSubstr(also)) << p.error;
  }
}

bool has_warning_mentioning(const Config& c, const std::string& what) {
  return std::any_of(c.warnings.begin(), c.warnings.end(),
                     [&](const std::string& w) { return w.find(what) != std::string::npos; });
}

// ---- valid configurations --------------------------------------------------

TEST(ConfigTest, UpstreamTemplateParsesWithDefaults) {
  Parsed p = parse(kUpstream);
  ASSERT_TRUE(p.ok) << p.error;
  const Config& c = p.config;
  EXPECT_EQ(c.path, "test.toml");
  // core_settings: explicit values and the defaults of docs/protocol.md, providers §5.1.
  EXPECT_FALSE(c.allow_root);
  EXPECT_EQ(c.thread_pool_size, 0u);  // 0 = number of CPUs
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.log_timestamp);
  EXPECT_EQ(c.body_len_limit, 1048576u);
  EXPECT_FALSE(c.log_error_details);
  EXPECT_EQ(c.buffer_size_limit, 1048576u);
  EXPECT_FALSE(c.allow_deprecated);
  // listener
  EXPECT_EQ(c.timeout_ms, 200u);
  EXPECT_EQ(c.socket_path, "/run/parsec/parsec.sock");
  EXPECT_EQ(c.max_connections, 256u);
  // authenticator
  ASSERT_EQ(c.authenticators.size(), 1u);
  EXPECT_EQ(c.authenticators[0].type, AuthType::UnixPeerCredentials);
  EXPECT_THAT(c.authenticators[0].admins, ElementsAre("root"));
  EXPECT_EQ(c.authenticators[0].workload_endpoint, "");
  // key manager
  ASSERT_EQ(c.key_managers.size(), 1u);
  EXPECT_EQ(c.key_managers[0].name, "sqlite-manager");
  EXPECT_EQ(c.key_managers[0].manager_type, "SQLite");
  EXPECT_EQ(c.key_managers[0].sqlite_db_path, "/var/lib/parsec/kim-mappings/sqlite/sqlite-key-info-manager.sqlite3");
  ASSERT_NE(c.key_manager("sqlite-manager"), nullptr);
  EXPECT_EQ(c.key_manager("sqlite-manager"), &c.key_managers[0]);
  EXPECT_EQ(c.key_manager("other"), nullptr);
  // provider
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_EQ(c.providers[0].provider_type, "MbedCrypto");
  EXPECT_EQ(c.providers[0].id, ProviderId::MbedCrypto);
  EXPECT_EQ(c.providers[0].name, "mbed-crypto-provider");
  EXPECT_EQ(c.providers[0].key_info_manager, "sqlite-manager");
  EXPECT_TRUE(c.providers[0].settings.empty());
  // idle_listener_sleep_duration is an upstream key: accepted silently.
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(ConfigTest, ExplicitCoreAndListenerValues) {
  Parts parts;
  parts.core =
      "[core_settings]\nallow_root = true\nthread_pool_size = 4\nlog_level = \"trace\"\nlog_timestamp = true\n"
      "body_len_limit = 4096\nlog_error_details = true\nbuffer_size_limit = 2048\nallow_deprecated = true\n";
  parts.listener =
      "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 5000\nsocket_path = \"/tmp/p.sock\"\n"
      "max_connections = 7\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  const Config& c = p.config;
  EXPECT_TRUE(c.allow_root);
  EXPECT_EQ(c.thread_pool_size, 4u);
  EXPECT_EQ(c.log_level, "trace");
  EXPECT_TRUE(c.log_timestamp);
  EXPECT_EQ(c.body_len_limit, 4096u);
  EXPECT_TRUE(c.log_error_details);
  EXPECT_EQ(c.buffer_size_limit, 2048u);
  EXPECT_TRUE(c.allow_deprecated);
  EXPECT_EQ(c.timeout_ms, 5000u);
  EXPECT_EQ(c.socket_path, "/tmp/p.sock");
  EXPECT_EQ(c.max_connections, 7u);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ConfigTest, EveryLogLevelAccepted) {
  for (const char* level : {"error", "warn", "info", "debug", "trace"}) {
    Parts parts;
    parts.core = std::string("[core_settings]\nlog_level = \"") + level + "\"\n";
    Parsed p = parse(parts.text());
    ASSERT_TRUE(p.ok) << level << ": " << p.error;
    EXPECT_EQ(p.config.log_level, level);
  }
}

TEST(ConfigTest, AuthenticatorArrayForm) {
  Parts parts;
  parts.auth =
      "[[authenticator]]\nauth_type = \"Direct\"\nadmins = [{ name = \"alice\" }, { name = \"bob\" }]\n"
      "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\nadmins = [{ name = \"0\" }]\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.authenticators.size(), 2u);
  EXPECT_EQ(p.config.authenticators[0].type, AuthType::Direct);
  EXPECT_THAT(p.config.authenticators[0].admins, ElementsAre("alice", "bob"));
  EXPECT_EQ(p.config.authenticators[1].type, AuthType::UnixPeerCredentials);
  EXPECT_THAT(p.config.authenticators[1].admins, ElementsAre("0"));
}

TEST(ConfigTest, JwtSvidWithWorkloadEndpointParses) {
  Parts parts;
  parts.auth =
      "[authenticator]\nauth_type = \"JwtSvid\"\nworkload_endpoint = \"unix:///run/spire/sockets/agent.sock\"\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.authenticators.size(), 1u);
  EXPECT_EQ(p.config.authenticators[0].type, AuthType::JwtSvid);
  EXPECT_EQ(p.config.authenticators[0].workload_endpoint, "unix:///run/spire/sockets/agent.sock");
}

TEST(ConfigTest, AdminsDefaultEmpty) {
  Parsed p = parse(Parts().text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.authenticators.size(), 1u);
  EXPECT_TRUE(p.config.authenticators[0].admins.empty());
}

TEST(ConfigTest, KeyManagerPathDefault) {
  Parts parts;
  parts.kim = "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.key_managers.size(), 1u);
  EXPECT_EQ(p.config.key_managers[0].sqlite_db_path,
            "/var/lib/parsec/kim-mappings/sqlite/sqlite-key-info-manager.sqlite3");
}

TEST(ConfigTest, ProviderOrderAndDefaultNamesKept) {
  Parts parts;
  parts.providers =
      "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"kim\"\nlibrary_path = \"/lib/p11.so\"\n"
      "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"kim\"\n"
      "[[provider]]\nprovider_type = \"Tpm\"\nname = \"my-tpm\"\nkey_info_manager = \"kim\"\ntcti = \"mssim\"\n"
      "owner_hierarchy_auth = \"\"\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.providers.size(), 3u);
  EXPECT_EQ(p.config.providers[0].id, ProviderId::Pkcs11);
  EXPECT_EQ(p.config.providers[0].name, "pkcs11-provider");
  EXPECT_EQ(p.config.providers[1].id, ProviderId::MbedCrypto);
  EXPECT_EQ(p.config.providers[1].name, "mbed-crypto-provider");
  EXPECT_EQ(p.config.providers[2].id, ProviderId::Tpm);
  EXPECT_EQ(p.config.providers[2].name, "my-tpm");
}

TEST(ConfigTest, ProviderSpecificKeysKeptAsText) {
  Parts parts;
  parts.providers =
      "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"kim\"\n"
      "library_path = \"/usr/local/lib/softhsm/libsofthsm2.so\"\nslot_number = 1\nuser_pin = \"123456\"\n"
      "software_public_operations = false\nallow_export = true\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.config.providers.size(), 1u);
  const ProviderConfig& pc = p.config.providers[0];
  EXPECT_EQ(pc.provider_type, "Pkcs11");
  EXPECT_EQ(pc.id, ProviderId::Pkcs11);
  using KV = std::pair<std::string, std::string>;
  std::vector<KV> settings = pc.settings;
  std::sort(settings.begin(), settings.end());
  EXPECT_THAT(settings,
              ElementsAre(KV{"allow_export", "true"}, KV{"library_path", "/usr/local/lib/softhsm/libsofthsm2.so"},
                          KV{"slot_number", "1"}, KV{"software_public_operations", "false"}, KV{"user_pin", "123456"}));
  // Provider keys are the provider's business: no warnings about them.
  EXPECT_TRUE(p.config.warnings.empty());
}

TEST(ConfigTest, ProviderSettingOfUnsupportedTypeNamesKey) {
  Parts parts;
  parts.providers = "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"kim\"\nslot_number = 1.5\n";
  expect_error(parts.text(), "provider[0].slot_number");
  parts.providers = "[[provider]]\nprovider_type = \"Pkcs11\"\nkey_info_manager = \"kim\"\nlibrary_path = [\"a\"]\n";
  expect_error(parts.text(), "provider[0].library_path");
}

TEST(ConfigTest, UnknownKeysAreWarningsNotErrors) {
  Parts parts;
  parts.core = "[core_settings]\nfancy_core = 1\n";
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nfancy_listener = \"x\"\n";
  parts.auth = "[authenticator]\nauth_type = \"Direct\"\nfancy_auth = true\n";
  parts.kim =
      "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"/tmp/x\"\nfancy_kim = 3\n";
  parts.extra = "[fancy_section]\nx = 1\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(has_warning_mentioning(p.config, "core_settings.fancy_core"));
  EXPECT_TRUE(has_warning_mentioning(p.config, "listener.fancy_listener"));
  EXPECT_TRUE(has_warning_mentioning(p.config, "authenticator.fancy_auth"));
  EXPECT_TRUE(has_warning_mentioning(p.config, "key_manager[0].fancy_kim"));
  EXPECT_TRUE(has_warning_mentioning(p.config, "fancy_section"));
  EXPECT_EQ(p.config.warnings.size(), 5u);
}

TEST(ConfigTest, StorePathOnSqliteIsAWarning) {
  Parts parts;
  parts.kim = "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\nstore_path = \"/var/lib/parsec/mappings\"\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(has_warning_mentioning(p.config, "key_manager[0].store_path"));
  // store_path is not used as the SQLite path.
  EXPECT_EQ(p.config.key_managers[0].sqlite_db_path,
            "/var/lib/parsec/kim-mappings/sqlite/sqlite-key-info-manager.sqlite3");
}

TEST(ConfigTest, SocketPathLengthLimit) {
  // sun_path holds 108 bytes including the terminating NUL: 107 is the limit.
  Parts parts;
  std::string path107 = "/" + std::string(106, 'a');
  ASSERT_EQ(path107.size(), 107u);
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nsocket_path = \"" + path107 + "\"\n";
  Parsed p = parse(parts.text());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.config.socket_path, path107);

  std::string path108 = path107 + "b";
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nsocket_path = \"" + path108 + "\"\n";
  expect_error(parts.text(), "listener.socket_path");
  std::string path300 = "/" + std::string(299, 'c');
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nsocket_path = \"" + path300 + "\"\n";
  expect_error(parts.text(), "listener.socket_path");
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 200\nsocket_path = \"\"\n";
  expect_error(parts.text(), "listener.socket_path");
}

// ---- invalid configurations: each error names the key ----------------------

TEST(ConfigErrorTest, MissingCoreSettings) {
  Parts parts;
  parts.core = "";
  expect_error(parts.text(), "core_settings");
}

TEST(ConfigErrorTest, MissingListener) {
  Parts parts;
  parts.listener = "";
  expect_error(parts.text(), "listener", "required");
}

TEST(ConfigErrorTest, MissingListenerTimeout) {
  Parts parts;
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\n";
  expect_error(parts.text(), "listener.timeout", "required");
}

TEST(ConfigErrorTest, MissingListenerType) {
  Parts parts;
  parts.listener = "[listener]\ntimeout = 200\n";
  expect_error(parts.text(), "listener.listener_type", "required");
}

TEST(ConfigErrorTest, WrongListenerType) {
  Parts parts;
  parts.listener = "[listener]\nlistener_type = \"TcpSocket\"\ntimeout = 200\n";
  expect_error(parts.text(), "listener.listener_type", "TcpSocket");
}

TEST(ConfigErrorTest, TimeoutIsAString) {
  Parts parts;
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = \"200\"\n";
  expect_error(parts.text(), "listener.timeout", "string");
}

TEST(ConfigErrorTest, TimeoutOutOfRange) {
  Parts parts;
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = 0\n";
  expect_error(parts.text(), "listener.timeout");
  parts.listener = "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = -5\n";
  expect_error(parts.text(), "listener.timeout");
}

TEST(ConfigErrorTest, ListenerNotATable) {
  Parts parts;
  parts.listener = "";
  parts.core = "listener = 3\n[core_settings]\n";
  expect_error(parts.text(), "listener", "table");
}

TEST(ConfigErrorTest, LogLevelLoud) {
  Parts parts;
  parts.core = "[core_settings]\nlog_level = \"loud\"\n";
  expect_error(parts.text(), "core_settings.log_level", "loud");
}

TEST(ConfigErrorTest, CoreSettingWrongTypes) {
  Parts parts;
  parts.core = "[core_settings]\nallow_root = \"yes\"\n";
  expect_error(parts.text(), "core_settings.allow_root");
  parts.core = "[core_settings]\nbody_len_limit = 0\n";
  expect_error(parts.text(), "core_settings.body_len_limit");
  parts.core = "[core_settings]\nbody_len_limit = 4294967296\n";
  expect_error(parts.text(), "core_settings.body_len_limit");
  parts.core = "[core_settings]\nthread_pool_size = 0\n";
  expect_error(parts.text(), "core_settings.thread_pool_size");
  parts.core = "[core_settings]\nlog_level = 3\n";
  expect_error(parts.text(), "core_settings.log_level");
}

TEST(ConfigErrorTest, MissingAuthenticator) {
  Parts parts;
  parts.auth = "";
  expect_error(parts.text(), "authenticator", "required");
}

TEST(ConfigErrorTest, UnknownAuthType) {
  Parts parts;
  parts.auth = "[authenticator]\nauth_type = \"Kerberos\"\n";
  expect_error(parts.text(), "authenticator.auth_type", "Kerberos");
  parts.auth = "[[authenticator]]\nauth_type = \"Direct\"\n[[authenticator]]\nauth_type = \"Jwt\"\n";
  expect_error(parts.text(), "authenticator[1].auth_type", "Jwt");
}

TEST(ConfigErrorTest, MissingAuthType) {
  Parts parts;
  parts.auth = "[authenticator]\nadmins = []\n";
  expect_error(parts.text(), "authenticator.auth_type", "required");
}

TEST(ConfigErrorTest, DuplicateAuthTypes) {
  Parts parts;
  parts.auth =
      "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n"
      "[[authenticator]]\nauth_type = \"Direct\"\n"
      "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n";
  expect_error(parts.text(), "authenticator", "UnixPeerCredentials");
}

TEST(ConfigErrorTest, EmptyAuthenticatorArray) {
  Parts parts;
  parts.auth = "authenticator = []\n";
  // Must precede any table header to be a root key.
  std::string text = parts.auth + parts.core + parts.listener + parts.kim + parts.providers;
  expect_error(text, "authenticator");
}

TEST(ConfigErrorTest, AdminsMalformed) {
  Parts parts;
  parts.auth = "[authenticator]\nauth_type = \"Direct\"\nadmins = \"root\"\n";
  expect_error(parts.text(), "authenticator.admins");
  parts.auth = "[authenticator]\nauth_type = \"Direct\"\nadmins = [\"root\"]\n";
  expect_error(parts.text(), "authenticator.admins[0]");
  parts.auth = "[authenticator]\nauth_type = \"Direct\"\nadmins = [{ name = \"a\" }, { user = \"root\" }]\n";
  expect_error(parts.text(), "authenticator.admins[1]");
  parts.auth = "[authenticator]\nauth_type = \"Direct\"\nadmins = [{ name = 0 }]\n";
  expect_error(parts.text(), "authenticator.admins[0]");
}

TEST(ConfigErrorTest, JwtSvidWithoutWorkloadEndpoint) {
  Parts parts;
  parts.auth = "[authenticator]\nauth_type = \"JwtSvid\"\n";
  expect_error(parts.text(), "authenticator.workload_endpoint", "JwtSvid");
  parts.auth = "[authenticator]\nauth_type = \"JwtSvid\"\nworkload_endpoint = \"\"\n";
  expect_error(parts.text(), "authenticator.workload_endpoint");
}

TEST(ConfigErrorTest, OnDiskKeyManagerRefused) {
  Parts parts;
  parts.kim = "[[key_manager]]\nname = \"kim\"\nmanager_type = \"OnDisk\"\nstore_path = \"/var/lib/parsec/mappings\"\n";
  expect_error(parts.text(), "key_manager[0].manager_type", "OnDisk");
}

TEST(ConfigErrorTest, UnknownManagerType) {
  Parts parts;
  parts.kim = "[[key_manager]]\nname = \"kim\"\nmanager_type = \"Redis\"\n";
  expect_error(parts.text(), "key_manager[0].manager_type", "Redis");
}

TEST(ConfigErrorTest, KeyManagerMissingName) {
  Parts parts;
  parts.kim = "[[key_manager]]\nmanager_type = \"SQLite\"\n";
  expect_error(parts.text(), "key_manager[0].name", "required");
}

TEST(ConfigErrorTest, DuplicateKeyManagerNames) {
  Parts parts;
  parts.kim =
      "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\n"
      "[[key_manager]]\nname = \"kim\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"/tmp/b\"\n";
  expect_error(parts.text(), "key_manager[1].name", "kim");
}

TEST(ConfigErrorTest, UnknownKeyInfoManager) {
  Parts parts;
  parts.providers = "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"nope\"\n";
  expect_error(parts.text(), "provider[0].key_info_manager", "nope");
}

TEST(ConfigErrorTest, MissingKeyInfoManager) {
  Parts parts;
  parts.providers = "[[provider]]\nprovider_type = \"MbedCrypto\"\n";
  expect_error(parts.text(), "provider[0].key_info_manager", "required");
}

TEST(ConfigErrorTest, DuplicateProviderNames) {
  Parts parts;
  parts.providers =
      "[[provider]]\nprovider_type = \"MbedCrypto\"\nname = \"p\"\nkey_info_manager = \"kim\"\n"
      "[[provider]]\nprovider_type = \"Pkcs11\"\nname = \"p\"\nkey_info_manager = \"kim\"\n"
      "library_path = \"/lib/p11.so\"\n";
  expect_error(parts.text(), "provider[1].name", "\"p\"");
}

TEST(ConfigErrorTest, TwoProvidersOfTheSameType) {
  Parts parts;
  parts.providers =
      "[[provider]]\nprovider_type = \"MbedCrypto\"\nname = \"one\"\nkey_info_manager = \"kim\"\n"
      "[[provider]]\nprovider_type = \"MbedCrypto\"\nname = \"two\"\nkey_info_manager = \"kim\"\n";
  expect_error(parts.text(), "provider[1]", "MbedCrypto");
}

TEST(ConfigErrorTest, NoProviders) {
  Parts parts;
  parts.providers = "";
  expect_error(parts.text(), "provider", "required");
  // An explicitly empty array is no better.
  std::string text = "provider = []\n" + Parts().core + Parts().listener + Parts().auth + Parts().kim;
  expect_error(text, "provider", "required");
}

TEST(ConfigErrorTest, UnknownProviderType) {
  Parts parts;
  parts.providers = "[[provider]]\nprovider_type = \"Hsm9000\"\nkey_info_manager = \"kim\"\n";
  expect_error(parts.text(), "provider[0].provider_type", "Hsm9000");
}

TEST(ConfigErrorTest, MissingProviderType) {
  Parts parts;
  parts.providers = "[[provider]]\nkey_info_manager = \"kim\"\n";
  expect_error(parts.text(), "provider[0].provider_type", "required");
}

TEST(ConfigErrorTest, TomlSyntaxErrorHasLineNumber) {
  std::string text =
      "[core_settings]\n"
      "log_level = \"info\"\n"
      "allow_root = = true\n";
  Parsed p = parse(text);
  ASSERT_FALSE(p.ok);
  EXPECT_THAT(p.error, StartsWith("test.toml:3:")) << p.error;

  Parsed q = parse(Parts().text() + "\n\n[listener\n");
  ASSERT_FALSE(q.ok);
  int line = 0;
  for (char ch : Parts().text()) {
    line += ch == '\n';
  }
  EXPECT_THAT(q.error, StartsWith("test.toml:" + std::to_string(line + 3) + ":")) << q.error;
}

TEST(ConfigErrorTest, FailedParseIsInvalidEncodingWithAReason) {
  Result<Config> r = parse_config_text("[core_settings]\n", "x.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_THAT(r.detail(), StartsWith("x.toml"));
}

// ---- load_config and helpers -----------------------------------------------

TEST(ConfigFileTest, LoadConfigFromFile) {
  char tmpl[] = "/tmp/parsec_config_test_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  std::filesystem::path file = dir / "config.toml";
  {
    std::ofstream f(file);
    f << kUpstream;
  }
  Result<Config> c = load_config(file.string());
  ASSERT_TRUE(c.ok()) << c.detail();
  EXPECT_EQ(c->path, file.string());
  EXPECT_EQ(c->providers.size(), 1u);

  std::string missing = (dir / "missing.toml").string();
  Result<Config> gone = load_config(missing);
  EXPECT_FALSE(gone.ok());
  EXPECT_THAT(gone.detail(), HasSubstr(missing));

  {
    std::ofstream f(file);
    f << "[core_settings]\nlog_level = \"loud\"\n";
  }
  Result<Config> bad = load_config(file.string());
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.detail(), StartsWith(file.string() + ": core_settings.log_level"));
  std::filesystem::remove_all(dir);
}

TEST(ConfigFileTest, ProviderTypeIds) {
  ProviderId id = ProviderId::Core;
  ASSERT_TRUE(provider_type_id("MbedCrypto", id));
  EXPECT_EQ(id, ProviderId::MbedCrypto);
  ASSERT_TRUE(provider_type_id("Pkcs11", id));
  EXPECT_EQ(id, ProviderId::Pkcs11);
  ASSERT_TRUE(provider_type_id("Tpm", id));
  EXPECT_EQ(id, ProviderId::Tpm);
  ASSERT_TRUE(provider_type_id("TrustedService", id));
  EXPECT_EQ(id, ProviderId::TrustedService);
  ASSERT_TRUE(provider_type_id("CryptoAuthLib", id));
  EXPECT_EQ(id, ProviderId::CryptoAuthLib);
  EXPECT_FALSE(provider_type_id("mbedcrypto", id));
  EXPECT_FALSE(provider_type_id("Core", id));
  EXPECT_FALSE(provider_type_id("", id));
}

TEST(ConfigFileTest, DefaultProviderNames) {
  // docs/protocol.md, providers §1.
  EXPECT_EQ(default_provider_name(ProviderId::MbedCrypto), "mbed-crypto-provider");
  EXPECT_EQ(default_provider_name(ProviderId::Pkcs11), "pkcs11-provider");
  EXPECT_EQ(default_provider_name(ProviderId::Tpm), "tpm-provider");
  EXPECT_EQ(default_provider_name(ProviderId::TrustedService), "trusted-service-provider");
  EXPECT_EQ(default_provider_name(ProviderId::CryptoAuthLib), "cryptoauthlib-provider");
  EXPECT_EQ(default_provider_name(ProviderId::Core), "core-provider");
}

}  // namespace
}  // namespace parsec::service
