#include "backends.h"

#include <spdlog/spdlog.h>

#include "parsec/provider/provider.h"
#ifdef PARSEC_WITH_MBED_CRYPTO
#include "parsec/provider/mbed_crypto.h"
#endif
#ifdef PARSEC_WITH_PKCS11
#include "parsec/provider/pkcs11.h"
#endif
#ifdef PARSEC_WITH_TPM
#include "parsec/provider/tpm.h"
#endif

namespace parsec::service {
namespace {

Result<std::unique_ptr<provider::Provider>> make_provider(const ProviderConfig& cfg,
                                                          const provider::ProviderContext& ctx, std::string& error) {
  (void)ctx;
  switch (cfg.id) {
#ifdef PARSEC_WITH_MBED_CRYPTO
    case ProviderId::MbedCrypto: {
      if (!cfg.settings.empty()) {
        error = "provider \"" + cfg.name + "\": MbedCrypto takes no setting \"" + cfg.settings.front().first + "\"";
        return Status::InvalidEncoding;
      }
      auto r = provider::make_mbed_crypto_provider(ctx);
      if (!r.ok()) {
        error = "provider \"" + cfg.name + "\": Mbed TLS PSA Crypto failed to initialise: " +
                status_name(r.status());
      }
      return r;
    }
#endif
#ifdef PARSEC_WITH_PKCS11
    case ProviderId::Pkcs11: {
      std::string why;
      auto r = provider::make_pkcs11_provider(ctx, why);
      if (!r.ok()) {
        error = "provider \"" + cfg.name + "\" (Pkcs11): " + why;
      }
      return r;
    }
#endif
#ifdef PARSEC_WITH_TPM
    case ProviderId::Tpm: {
      std::string why;
      auto r = provider::make_tpm_provider(ctx, why);
      if (!r.ok()) {
        error = "provider \"" + cfg.name + "\" (Tpm): " + why;
      }
      return r;
    }
#endif
    default:
      error = "provider \"" + cfg.name + "\": provider type " + cfg.provider_type +
              " is not compiled into this parsecd (built with: ";
      for (const auto& t : compiled_provider_types()) {
        error += t + " ";
      }
      error += ")";
      return Status::ProviderNotRegistered;
  }
}

// reconcile drops mappings whose material vanished and material no mapping
// reaches (left by a crash between a provider's work and the commit).
void reconcile(ProviderEntry& e) {
  auto records = e.store->list_provider(e.config.name);
  if (!records.ok()) {
    spdlog::warn("provider \"{}\": cannot list keys for reconciliation: {}", e.config.name,
                 status_name(records.status()));
    return;
  }
  std::vector<provider::Bytes> refs;
  for (const auto& r : *records) {
    refs.push_back(r.key_ref);
  }
  auto missing = e.impl->reconcile(refs);
  if (!missing.ok()) {
    spdlog::warn("provider \"{}\": reconciliation failed: {}", e.config.name, status_name(missing.status()));
    return;
  }
  for (const auto& m : *missing) {
    for (const auto& r : *records) {
      if (r.key_ref == m) {
        spdlog::warn("provider \"{}\": key \"{}\" of {} \"{}\" has no material any more; dropping its mapping",
                     e.config.name, r.key_name, auth_type_name(r.owner.auth), r.owner.app);
        (void)e.store->drop_mapping(r);
      }
    }
  }
}

}  // namespace

std::vector<std::string> compiled_provider_types() {
  std::vector<std::string> out;
#ifdef PARSEC_WITH_MBED_CRYPTO
  out.push_back("MbedCrypto");
#endif
#ifdef PARSEC_WITH_PKCS11
  out.push_back("Pkcs11");
#endif
#ifdef PARSEC_WITH_TPM
  out.push_back("Tpm");
#endif
  return out;
}

std::unique_ptr<Backends> Backends::create(const Config& config, std::string& error) {
  auto b = std::make_unique<Backends>();
  for (const auto& pc : config.providers) {
    const KeyManagerConfig* km = config.key_manager(pc.key_info_manager);
    auto& store = b->stores_[km->sqlite_db_path];
    if (!store) {
      std::string why;
      auto opened = KeyStore::open(km->sqlite_db_path, &why);
      if (!opened.ok()) {
        error = "key manager \"" + km->name + "\": " + why;
        return nullptr;
      }
      store = std::shared_ptr<KeyStore>(std::move(opened).value());
    }
    provider::ProviderContext ctx;
    ctx.instance_name = pc.name;
    ctx.storage = store->storage_reader(pc.name);
    ctx.allow_deprecated = config.allow_deprecated;
    ctx.buffer_size_limit = config.buffer_size_limit;
    ctx.settings = pc.settings;
    auto made = make_provider(pc, ctx, error);
#ifdef PARSEC_WITH_TPM
    if (!made.ok() && pc.id == ProviderId::Tpm && made.status() == provider::kTpmSkipped) {
      spdlog::warn("{}", error);
      error.clear();
      continue;
    }
#endif
    if (!made.ok()) {
      return nullptr;
    }
    ProviderEntry e;
    e.config = pc;
    e.impl = std::move(made).value();
    e.store = store;
    e.info = e.impl->info();
    e.opcodes = e.impl->opcodes();
    reconcile(e);
    spdlog::info("provider \"{}\" ({}, id {}) ready, key store {}", pc.name, pc.provider_type,
                 static_cast<int>(pc.id), km->sqlite_db_path);
    b->providers_.push_back(std::move(e));
  }
  if (b->providers_.empty()) {
    error = "no crypto provider could be started (every [[provider]] was skipped)";
    return nullptr;
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
        stores_.find(km->sqlite_db_path) == stores_.end() ||
        stores_.at(km->sqlite_db_path) != providers_[i].store) {
      return false;
    }
  }
  return true;
}

}  // namespace parsec::service
