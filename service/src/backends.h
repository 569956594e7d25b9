// backends.h - the running crypto providers and their key stores. Built once
// at start-up and kept for the life of the process (a SIGHUP reload swaps
// authenticators and settings, not providers; see docs/architecture.md).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/provider/provider.h"
#include "parsec/provider/registry.h"
#include "service/src/config.h"
#include "service/src/key_store.h"

namespace parsec::service {

struct ProviderEntry {
  ProviderConfig config;
  std::unique_ptr<provider::Provider> impl;
  std::shared_ptr<KeyStore> store;
  provider::ProviderInfo info;
  std::vector<Opcode> opcodes;
};

class Backends {
 public:
  // create opens the key stores, builds every [[provider]] in order through
  // its registered factory (registry.h) and reconciles each store with its
  // provider. A factory answering Made::not_available is warned about and
  // skipped. The failure's detail says which provider or store failed and why.
  static Result<std::unique_ptr<Backends>> create(const Config& config);
  // The same with an explicit factory list instead of the compiled-in
  // registry (tests build a service around a provider that is not registered).
  static Result<std::unique_ptr<Backends>> create(const Config& config,
                                                  const std::vector<provider::ProviderFactory>& factories);

  // find returns the provider serving `id`, or nullptr.
  ProviderEntry* find(ProviderId id);
  std::vector<ProviderEntry>& providers() { return providers_; }

  // same_layout: `config` names the same providers and stores as the running
  // ones (a reload can only apply when this holds).
  bool same_layout(const Config& config) const;

 private:
  std::map<std::string, std::shared_ptr<KeyStore>> stores_;  // by database path
  std::vector<ProviderEntry> providers_;
};

// compiled_provider_types lists the provider types compiled into this binary
// (the registry, in registration order).
std::vector<std::string> compiled_provider_types();

// check_configuration validates each [[provider]]'s settings through its
// factory's check_settings alone (parsecd --check): no provider is created,
// no key store is opened or written and nothing is reconciled, so checking a
// configuration can never touch live keys.
Outcome check_configuration(const Config& config);
// check_configuration against an explicit factory list (tests).
Outcome check_configuration(const Config& config, const std::vector<provider::ProviderFactory>& factories);

}  // namespace parsec::service
