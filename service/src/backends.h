// backends.h - the running crypto providers and their key stores. Built once
// at start-up and kept for the life of the process (a SIGHUP reload swaps
// authenticators and settings, not providers; see docs/architecture.md).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "key_store.h"
#include "parsec/provider/provider.h"

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
  // create opens the key stores, builds every [[provider]] in order and
  // reconciles each store with its provider. On failure `error` says which
  // provider or store failed and why.
  static std::unique_ptr<Backends> create(const Config& config, std::string& error);

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

// compiled_provider_types lists the provider types compiled into this binary.
std::vector<std::string> compiled_provider_types();

}  // namespace parsec::service
