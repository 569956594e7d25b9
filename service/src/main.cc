// parsecd: the Parsec platform security service.
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/handler.h"
#include "service/src/logging.h"
#include "service/src/server.h"
#include "service/src/upstream_import.h"

using namespace parsec::service;

int main(int argc, char** argv) {
  CLI::App app{"parsecd - Parsec platform security service (wire protocol 1.0)"};
  std::string config_path = "config.toml";
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file (Parsec config.toml format)");
  app.add_flag("--check", check_only, "validate the configuration and exit");
  std::string upstream_mappings, upstream_keys = ".", upstream_auth = "unix-peer";
  CLI::Option* import_opt = app.add_option(
      "--import-upstream", upstream_mappings,
      "import the keys of an upstream Parsec OnDisk mappings folder into this configuration's key store, then exit "
      "(stop the daemon first; safe to re-run)");
  app.add_option("--upstream-keys", upstream_keys,
                 "the upstream daemon's working directory, holding its Mbed Crypto key files (default: .)")
      ->needs(import_opt);
  app.add_option("--upstream-auth", upstream_auth,
                 "the authenticator upstream ran with, whose namespace the mapped names belong to (default: "
                 "unix-peer); exit status 0: all keys moved, 1: a key failed, 3: PKCS#11/TPM keys stayed behind")
      ->check(CLI::IsMember({"direct", "unix-peer"}))
      ->needs(import_opt);
  app.set_version_flag("--version", [] {
    ServiceVersion v = service_version();
    return "parsecd " + std::to_string(v.maj) + "." + std::to_string(v.min) + "." + std::to_string(v.rev);
  }());
  CLI11_PARSE(app, argc, argv);

  // Block the signals we handle so Asio's signal_set sees them on any thread,
  // and ignore SIGPIPE: a client that goes away must not kill the service.
  std::signal(SIGPIPE, SIG_IGN);
  init_logging();

  parsec::Result<Config> loaded = load_config(config_path);
  if (!loaded.ok()) {
    spdlog::critical("invalid configuration: {}", loaded.detail());
    return 2;
  }
  auto config = std::make_shared<Config>(std::move(loaded).value());
  apply_log_settings(*config);
  for (const auto& w : config->warnings) {
    spdlog::warn("{}", w);
  }
  if (::geteuid() == 0 && !config->allow_root) {
    spdlog::critical("refusing to run as root: set core_settings.allow_root = true to allow it");
    return 2;
  }
  // Files we create (key store, its WAL) are private from their first byte.
  ::umask(077);

  if (check_only) {
    // Settings are checked by each provider's factory alone: no provider is
    // created and no key store is opened, so --check next to a running
    // parsecd cannot reconcile away (lose) its live keys.
    parsec::Outcome checked = check_configuration(*config);
    if (!checked.ok()) {
      spdlog::critical("invalid configuration: {}", checked.detail());
      return 2;
    }
    spdlog::info("configuration {} is valid", config_path);
    return 0;
  }
  // Socket activation is checked before the key store or any provider opens
  // a file: a wrong descriptor is refused at once, and a missing descriptor 3
  // cannot be confused with one of parsecd's own.
  parsec::Result<PassedSocket> passed =
      upstream_mappings.empty() ? passed_socket() : parsec::Result<PassedSocket>(PassedSocket{});
  if (!passed.ok()) {
    spdlog::critical("start-up failed: {}", passed.detail());
    return 1;
  }
  auto made = Backends::create(*config);
  if (!made.ok()) {
    spdlog::critical("start-up failed: {}", made.detail());
    return 1;
  }
  std::unique_ptr<Backends> backends = std::move(made).value();
  if (!upstream_mappings.empty()) {
    upstream::ImportOptions options{
        upstream_mappings, upstream_keys,
        upstream_auth == "direct" ? parsec::AuthType::Direct : parsec::AuthType::UnixPeerCredentials};
    auto report = upstream::import_all(*backends, options);
    if (!report.ok()) {
      spdlog::critical("import-upstream failed: {}", report.detail());
      return 1;
    }
    spdlog::info("import-upstream: {} imported, {} already present, {} not movable, {} failed", report->imported,
                 report->present, report->skipped, report->failed);
    // 0: everything moved; 1: a key failed; 3: PKCS#11/TPM keys stayed behind.
    return report->failed != 0 ? 1 : report->skipped != 0 ? 3 : 0;
  }
  auto handler = Handler::create(config, *backends);
  if (!handler.ok()) {
    spdlog::critical("start-up failed: {}", handler.detail());
    return 1;
  }
  Server server(std::move(handler).value(), std::move(backends));
  if (parsec::Outcome started = server.start(*passed); !started.ok()) {
    spdlog::critical("start-up failed: {}", started.detail());
    return 1;
  }
  return server.run();
}
