#include "service/src/backends.h"

#include <spdlog/spdlog.h>

#include "service/src/logging.h"

namespace parsec::service {
namespace {

using provider::ProviderFactory;

const ProviderFactory* find_factory(const std::vector<ProviderFactory>& factories, const std::string& type) {
  for (const auto& f : factories) {
    if (f.type_name == type) {
      return &f;
    }
  }
  return nullptr;
}

std::string not_compiled(const ProviderConfig& pc, const std::vector<ProviderFactory>& factories) {
  std::string error = "provider \"" + pc.name + "\": provider type " + pc.provider_type +
                      " is not compiled into this parsecd (built with: ";
  for (const auto& f : factories) {
    error += f.type_name + " ";
  }
  return error + ")";
}

// reconcile drops mappings whose material vanished and material no mapping
// reaches (left by a crash between a provider's work and the commit). A store
// that cannot be read stops the start-up: judging the provider's material
// against a partial list would destroy keys that are still mapped. A provider
// whose material is written with its mappings in one transaction has nothing
// to reconcile, and its keys are not read at all: start-up must not grow with
// the number of keys (docs/storage.md, "Start-up").
Outcome reconcile(ProviderEntry& e) {
  if (!e.impl->reconcile_at_start_up()) {
    spdlog::debug("provider \"{}\": key material is written with its mappings in one transaction; nothing to reconcile",
                  e.config.name);
    return Status::Success;
  }
  auto records = e.store->list_provider(e.config.name);
  if (!records.ok()) {
    return Failure(Status::KeyInfoManagerError,
                   "provider \"" + e.config.name + "\": cannot list its keys for reconciliation: " + records.detail());
  }
  std::vector<provider::Bytes> refs;
  for (const auto& r : *records) {
    refs.push_back(r.key_ref);
  }
  auto missing = e.impl->reconcile(refs);
  if (!missing.ok()) {
    spdlog::warn("provider \"{}\": reconciliation failed: {}{}{}", e.config.name, status_name(missing.status()),
                 missing.detail().empty() ? "" : ": ", missing.detail());
    return Status::Success;
  }
  for (const auto& m : *missing) {
    for (const auto& r : *records) {
      if (r.key_ref == m) {
        spdlog::warn("provider \"{}\": key \"{}\" of {} \"{}\" has no material any more; dropping its mapping",
                     e.config.name, log_safe(r.key_name), auth_type_name(r.owner.auth), log_safe(r.owner.app));
        (void)e.store->drop_mapping(r);
      }
    }
  }
  return Status::Success;
}

}  // namespace

std::vector<std::string> compiled_provider_types() {
  std::vector<std::string> out;
  for (const auto& f : provider::registered_provider_factories()) {
    out.push_back(f.type_name);
  }
  return out;
}

Outcome check_configuration(const Config& config) {
  return check_configuration(config, provider::registered_provider_factories());
}

Outcome check_configuration(const Config& config, const std::vector<ProviderFactory>& factories) {
  for (const auto& pc : config.providers) {
    const ProviderFactory* f = find_factory(factories, pc.provider_type);
    if (!f) {
      return Failure(Status::ProviderNotRegistered, not_compiled(pc, factories));
    }
    Outcome ok = f->check_settings(provider::Settings(pc.settings));
    if (!ok.ok()) {
      return Failure(ok.status(), "provider \"" + pc.name + "\" (" + pc.provider_type + "): " + ok.detail());
    }
  }
  return Status::Success;
}

Result<std::unique_ptr<Backends>> Backends::create(const Config& config) {
  return create(config, provider::registered_provider_factories());
}

Result<std::unique_ptr<Backends>> Backends::create(const Config& config,
                                                   const std::vector<ProviderFactory>& factories) {
  auto b = std::make_unique<Backends>();
  for (const auto& pc : config.providers) {
    const ProviderFactory* f = find_factory(factories, pc.provider_type);
    if (!f) {
      return Failure(Status::ProviderNotRegistered, not_compiled(pc, factories));
    }
    const KeyManagerConfig* km = config.key_manager(pc.key_info_manager);
    auto& store = b->stores_[km->sqlite_db_path];
    if (!store) {
      auto opened = KeyStore::open(km->sqlite_db_path);
      if (!opened.ok()) {
        return Failure(opened.status(), "key manager \"" + km->name + "\": " + opened.detail());
      }
      store = std::shared_ptr<KeyStore>(std::move(opened).value());
    }
    provider::ProviderContext ctx;
    ctx.instance_name = pc.name;
    ctx.storage = store->storage_reader(pc.name);
    ctx.allow_deprecated = config.allow_deprecated;
    ctx.buffer_size_limit = config.buffer_size_limit;
    ctx.settings = provider::Settings(pc.settings);
    auto made = f->create(ctx);
    if (!made.ok()) {
      return Failure(made.status(), "provider \"" + pc.name + "\" (" + pc.provider_type + "): " + made.detail());
    }
    if (!made->provider) {
      spdlog::warn("provider \"{}\" ({}) is not available on this machine and is skipped: {}", pc.name,
                   pc.provider_type, made->unavailable);
      continue;
    }
    ProviderEntry e;
    e.config = pc;
    e.impl = std::move(made->provider);
    e.store = store;
    e.info = e.impl->info();
    e.opcodes = e.impl->opcodes();
    PARSEC_TRY(reconcile(e));
    spdlog::info("provider \"{}\" ({}, id {}) ready, key store {}", pc.name, pc.provider_type, static_cast<int>(pc.id),
                 km->sqlite_db_path);
    b->providers_.push_back(std::move(e));
  }
  if (b->providers_.empty()) {
    return Failure(Status::ProviderNotRegistered,
                   "no crypto provider could be started (every [[provider]] was skipped)");
  }
  return b;
}

ProviderEntry* Backends::find(ProviderId id) {
  for (auto& p : providers_) {
    if (p.config.id == id) {
      return &p;
    }
  }
  return nullptr;
}

bool Backends::same_layout(const Config& config) const {
  if (config.providers.size() != providers_.size()) {
    return false;
  }
  for (size_t i = 0; i < providers_.size(); ++i) {
    const auto& a = providers_[i].config;
    const auto& b = config.providers[i];
    const KeyManagerConfig* km = config.key_manager(b.key_info_manager);
    if (a.id != b.id || a.name != b.name || a.settings != b.settings || !km ||
        stores_.find(km->sqlite_db_path) == stores_.end() || stores_.at(km->sqlite_db_path) != providers_[i].store) {
      return false;
    }
  }
  return true;
}

}  // namespace parsec::service
