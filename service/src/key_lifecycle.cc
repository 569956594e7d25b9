#include "service/src/key_lifecycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <optional>

#include "parsec/crypto/import.h"
#include "parsec/interface/psa_proto.h"
#include "psa_key_attributes.pb.h"
#include "service/src/logging.h"

namespace parsec::service::key_lifecycle {

Result<psa::KeyAttributes> read_attributes(const std::string& stored) {
  psa_key_attributes::KeyAttributes m;
  if (!m.ParseFromString(stored)) {
    return Failure(Status::KeyInfoManagerError, "stored attributes are unreadable");
  }
  try {
    return psa::proto::attributes_from_proto(m);
  } catch (const psa::proto::Invalid& e) {
    return Failure(Status::KeyInfoManagerError, std::string("stored attributes break the contract: ") + e.what());
  }
}

Result<std::string> write_attributes(const psa::KeyAttributes& attributes) {
  psa_key_attributes::KeyAttributes m;
  try {
    psa::proto::attributes_to_proto(attributes, &m);
  } catch (const psa::proto::Invalid& e) {
    return Failure(Status::SerializingBodyFailed, std::string("attributes cannot be stored: ") + e.what());
  }
  std::string out;
  if (!m.SerializeToString(&out)) {
    return Failure(Status::SerializingBodyFailed, "attributes cannot be serialised");
  }
  return out;
}

Result<provider::StoredKey> lookup(ProviderEntry& p, const KeyOwner& owner, const std::string& name, bool log_details) {
  auto rec = p.store->get(owner, p.config.name, name);
  if (!rec.ok()) {
    return Failure(rec.status(), "key store lookup failed");
  }
  if (!rec->has_value()) {
    return Failure(Status::PsaErrorDoesNotExist,
                   log_details ? "no key named \"" + name + "\"" : "no such key for this caller");
  }
  auto attrs = read_attributes((*rec)->attributes);
  if (!attrs.ok()) {
    return attrs.failure();
  }
  return provider::StoredKey{name, (*rec)->key_ref, std::move(*attrs)};
}

Outcome create(ProviderEntry& p, const KeyOwner& owner, const std::string& name, const psa::KeyAttributes& attributes,
               const SecretBytes* import_data, bool log_details) {
  auto existing = p.store->get(owner, p.config.name, name);
  if (!existing.ok()) {
    return Failure(existing.status(), "key store lookup failed");
  }
  if (existing->has_value()) {
    return Failure(Status::PsaErrorAlreadyExists,
                   log_details ? "a key named \"" + name + "\" exists" : "the key name is in use");
  }
  if (import_data) {
    // The declared size is checked against the data for every provider,
    // before any of them decides whether it supports that size.
    PARSEC_TRY(crypto::check_import_size(attributes, *import_data));
  }
  Txn txn(p.config.name);
  auto created =
      import_data ? p.impl->import_key(attributes, *import_data, txn) : p.impl->generate_key(attributes, txn);
  if (!created.ok()) {
    return Failure(created.status(), created.detail().empty() ? "the provider refused the key"
                                                              : "the provider refused the key: " + created.detail());
  }
  KeyRecord rec;
  rec.owner = owner;
  rec.provider_name = p.config.name;
  rec.provider_id = p.config.id;
  rec.key_name = name;
  rec.key_ref = created->key_ref;
  auto stored = write_attributes(created->attributes);
  if (!stored.ok()) {
    p.impl->abandon_key(*created);
    return stored.failure();
  }
  rec.attributes = std::move(*stored);
  txn.insert_mapping(std::move(rec));
  Status s = p.store->commit(txn);
  if (s != Status::Success) {
    p.impl->abandon_key(*created);
    return Failure(s, s == Status::PsaErrorAlreadyExists ? "the key name was taken concurrently"
                                                         : "the key store could not record the key");
  }
  return Status::Success;
}

Outcome destroy(ProviderEntry& p, const KeyOwner& owner, const provider::StoredKey& key) {
  Txn txn(p.config.name);
  txn.delete_mapping(owner, key.name);
  Outcome staged = p.impl->destroy_key(key, txn);
  if (!staged.ok() && staged.status() == Status::PsaErrorDoesNotExist) {
    // The material is gone although the mapping is there: only damage from
    // outside does that (a provider's material and mapping change together).
    // Start-up no longer lists every key to find such mappings
    // (docs/storage.md, "Start-up"), so they are dropped here, when their
    // owner destroys them: the key is gone either way, and its name is freed.
    Txn drop(p.config.name);
    drop.delete_mapping(owner, key.name);
    Status s = p.store->commit(drop);
    if (s != Status::Success) {
      // PsaErrorDoesNotExist: a concurrent destruction of the key won.
      return Failure(s, "the key store could not remove the key");
    }
    spdlog::warn("provider \"{}\": key \"{}\" of {} \"{}\" had no material any more; its mapping was dropped",
                 p.config.name, log_safe(key.name), auth_type_name(owner.auth), log_safe(owner.app));
    return Status::Success;
  }
  if (!staged.ok()) {
    return Failure(staged.status(), staged.detail().empty()
                                        ? "the provider could not destroy the key"
                                        : "the provider could not destroy the key: " + staged.detail());
  }
  Status s = p.store->commit(txn);
  if (s != Status::Success) {
    return Failure(s, "the key store could not remove the key");
  }
  p.impl->finish_destroy(key);
  return Status::Success;
}

Result<size_t> destroy_all(Backends& backends, const KeyOwner& owner) {
  size_t deleted = 0;
  size_t failed = 0;
  std::string first;
  auto fail = [&](const std::string& provider_name, const std::string& key_name, const std::string& why) {
    spdlog::error("DeleteClient: key \"{}\" of {} \"{}\" in provider \"{}\" was not deleted: {}", log_safe(key_name),
                  auth_type_name(owner.auth), log_safe(owner.app), provider_name, log_safe(why, 512));
    if (failed++ == 0) {
      first = "key \"" + key_name + "\" in provider \"" + provider_name + "\": " + why;
    }
  };
  for (auto& p : backends.providers()) {
    auto keys = p.store->list_owner(owner);
    if (!keys.ok()) {
      fail(p.config.name, "*", std::string("cannot list the keys: ") + status_name(keys.status()));
      continue;
    }
    for (const auto& k : *keys) {
      if (k.provider_name != p.config.name) {
        continue;
      }
      auto attrs = read_attributes(k.attributes);
      if (!attrs.ok()) {
        fail(p.config.name, k.key_name, attrs.detail());
        continue;
      }
      provider::StoredKey sk{k.key_name, k.key_ref, std::move(*attrs)};
      Outcome d = destroy(p, owner, sk);
      if (!d.ok()) {
        fail(p.config.name, k.key_name, std::string(status_name(d.status())) + ": " + d.detail());
        continue;
      }
      ++deleted;
    }
  }
  if (failed > 0) {
    // The request itself was sound: what failed is the service's stored state
    // or a back end, so the answer is PsaErrorStorageFailure whatever each
    // key's own status was (those are in the log above), and the keys that
    // could be deleted stay deleted.
    return Failure(Status::PsaErrorStorageFailure, std::to_string(failed) + " key(s) of client \"" + owner.app +
                                                       "\" could not be deleted (" + std::to_string(deleted) +
                                                       " deleted); first: " + first);
  }
  return deleted;
}

namespace {

constexpr AuthType kLabelledAuthTypes[] = {AuthType::Direct, AuthType::Jwt, AuthType::UnixPeerCredentials,
                                           AuthType::JwtSvid};

// qualified_prefix returns the authenticator whose "<name>:" begins `s`.
std::optional<AuthType> qualified_prefix(const std::string& s) {
  for (AuthType a : kLabelledAuthTypes) {
    std::string prefix = std::string(auth_type_name(a)) + ":";
    if (s.compare(0, prefix.size(), prefix) == 0) {
      return a;
    }
  }
  return std::nullopt;
}

std::atomic<uint64_t> g_unreadable_rows{0};

}  // namespace

std::string client_label(const KeyOwner& owner, AuthType admin_auth) {
  if (owner.auth == admin_auth && !qualified_prefix(owner.app)) {
    return owner.app;
  }
  return std::string(auth_type_name(owner.auth)) + ":" + owner.app;
}

KeyOwner parse_client_label(const std::string& label, AuthType admin_auth) {
  if (auto a = qualified_prefix(label)) {
    return KeyOwner{*a, label.substr(std::string(auth_type_name(*a)).size() + 1)};
  }
  return KeyOwner{admin_auth, label};
}

uint64_t note_unreadable_row() {
  return ++g_unreadable_rows;
}

}  // namespace parsec::service::key_lifecycle
