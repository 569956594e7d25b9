// upstream_import.h - a way in for deployments of upstream Parsec
// (`parsecd -c CONFIG --import-upstream MAPPINGS [--upstream-keys DIR]
// [--upstream-auth direct|unix-peer]`): reads an upstream OnDisk
// key-info-manager folder and the Mbed Crypto provider's key files, and
// recreates each key in this daemon's store through the one creation path
// (key_lifecycle::create), so the key keeps its name, owner and policy.
//
// The formats are described in docs/storage.md ("Upstream Parsec's files");
// nothing here depends on upstream code. What moves and what cannot:
//  * software-provider keys (upstream provider 1): the key material is read
//    from `<key id>.psa_its` in the upstream daemon's working directory and
//    imported into the software provider;
//  * PKCS#11 and TPM keys are reported and skipped: their mappings name
//    objects (a token object's CKA_ID; a TPM blob wrapped under upstream's
//    own primary key) that this daemon's providers do not adopt.
//
// Crash safety and re-runs: each key is one transaction of the key store
// (its material and mapping together). A key already present under the same
// owner and name is left alone when it holds the same public key (it was
// imported by an earlier, possibly interrupted, run) and reported as a
// conflict otherwise, so re-running an import is always safe.
//
// Never logs key material. Not thread-safe: run it alone, before serving.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/interface/wire.h"
#include "parsec/psa/key_attributes.h"
#include "service/src/backends.h"

namespace parsec::service::upstream {

// One mapping file of the OnDisk key-info manager.
struct MappedKey {
  std::string app;          // application name (a uid in decimal for UnixPeerCredentials)
  uint8_t provider_id = 0;  // upstream provider id: 1 Mbed Crypto, 2 PKCS#11, 3 TPM
  std::string key_name;
  Bytes id;  // the provider's serialised key reference
  psa::KeyAttributes attributes;
  std::string path;  // the mapping file, for messages
};

// decode_key_info parses a mapping file's content (a bincode KeyInfo: the
// key reference bytes, then the psa-crypto Attributes); InvalidEncoding with
// the reason when it does not parse or names values the model lacks.
Result<MappedKey> decode_key_info(const std::string& bytes);

// read_mappings lists every key of an OnDisk folder
// (<base64url app>/<provider id>/<base64url key name>). Files that cannot be
// read or decoded are failures of the whole listing: an import must not
// silently leave keys behind.
Result<std::vector<MappedKey>> read_mappings(const std::string& dir);

// mbed_key_id: the PSA key id of an upstream Mbed Crypto mapping (bincode u32).
Result<uint32_t> mbed_key_id(const MappedKey& key);

// read_mbed_key reads `<dir>/<16 hex digits of id>.psa_its` (an ITS file
// holding a PSA persistent-key record) and returns the key material in PSA
// import format, after checking the record's size against `expected.bits`
// and that a key pair is stored where the mapping says so.
Result<SecretBytes> read_mbed_key(const std::string& dir, uint32_t id, const psa::KeyAttributes& expected);

struct ImportOptions {
  std::string mappings_dir;
  std::string key_dir;                            // the upstream daemon's working directory (Mbed Crypto key files)
  AuthType auth = AuthType::UnixPeerCredentials;  // whose namespace the mapped app names are
};

struct ImportReport {
  size_t imported = 0;  // created now
  size_t present = 0;   // already imported by an earlier run
  size_t skipped = 0;   // cannot be moved (PKCS#11, TPM), reported
  size_t failed = 0;    // could not be imported (reason logged)
};

// import_all imports every mapped key; one key's failure does not stop the
// others. Failure only when the mappings cannot be read at all.
Result<ImportReport> import_all(Backends& backends, const ImportOptions& options);

}  // namespace parsec::service::upstream
