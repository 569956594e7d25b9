// key_lifecycle.h - the one path by which keys are created, found and
// destroyed: PsaGenerateKey, PsaImportKey, PsaDestroyKey and DeleteClient all
// go through here, so the ordering between a provider's work and the key
// store's commit (and the clean-up when either fails) exists once.
//
// Stored attributes stay serialised psa_key_attributes.KeyAttributes bytes in
// the key store (the storage format is unchanged); they are converted to and
// from the plain model with parsec/interface/psa_proto.h here and nowhere else.
//
// Thread-safe as far as the providers and key stores it calls are.
#pragma once

#include <string>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/provider/provider.h"
#include "parsec/psa/key_attributes.h"
#include "service/src/backends.h"
#include "service/src/key_store.h"

namespace parsec::service::key_lifecycle {

// read_attributes parses stored attributes. Stored bytes that do not parse or
// break the contract are a fault of the key store, not of the request:
// KeyInfoManagerError.
Result<psa::KeyAttributes> read_attributes(const std::string& stored);
// write_attributes serialises attributes for the store.
Result<std::string> write_attributes(const psa::KeyAttributes& attributes);

// lookup resolves `owner`'s key `name` in provider `p` (PsaErrorDoesNotExist
// when there is none; the key name appears in the detail only with
// `log_details`, core_settings.log_error_details).
Result<provider::StoredKey> lookup(ProviderEntry& p, const KeyOwner& owner, const std::string& name, bool log_details);

// create makes a key (generate when `import_data` is null, import otherwise)
// and records its mapping in one commit; the provider abandons the key when
// the commit fails. `attributes` are already validated and normalised.
Outcome create(ProviderEntry& p, const KeyOwner& owner, const std::string& name, const psa::KeyAttributes& attributes,
               const SecretBytes* import_data, bool log_details);

// destroy removes one key: the provider stages the destruction, the mapping's
// removal is committed, then the provider erases material held elsewhere.
Outcome destroy(ProviderEntry& p, const KeyOwner& owner, const provider::StoredKey& key);

// destroy_all removes every key of `owner` in every provider. A key whose
// stored attributes do not parse or whose destruction fails does not stop the
// others; each failure is logged with its reason. Answers the number of keys
// deleted, or the first failure when anything failed (see key_lifecycle.cc).
Result<size_t> destroy_all(Backends& backends, const KeyOwner& owner);

// ---- client names of ListClients and DeleteClient --------------------------
// Upstream clients (parsec-tool, the Rust and Go clients) treat these entries
// as opaque strings: they print them and pass them back to DeleteClient. An
// owner of the admin's own authenticator is its bare application name (what
// upstream Parsec, which has one authenticator, answers); any other owner is
// "<authenticator>:<name>" ("UnixPeerCredentials:0"), as is an own name that
// itself begins with such a prefix, so the mapping is one-to-one and Direct
// "0" and uid 0 are two entries. See docs/compatibility.md.
std::string client_label(const KeyOwner& owner, AuthType admin_auth);
// parse_client_label is the inverse of client_label.
KeyOwner parse_client_label(const std::string& label, AuthType admin_auth);

// note_unreadable_row counts one stored key whose attributes could not be read
// and that a listing skipped; returns the count since start-up (for the log).
uint64_t note_unreadable_row();

}  // namespace parsec::service::key_lifecycle
