// key_blob.h - the key reference the TPM provider hands to the key store.
//
// Layout (every multi-byte field big-endian, TPM2B fields marshalled with
// tss2-mu exactly as the TPM marshals them):
//   "TPMK" | version (1 byte, 1) | kind (1 byte)
//   kind 1, key pair:   TPM2B_NAME parent | TPM2B_PUBLIC | TPM2B_PRIVATE | TPM2B_AUTH
//   kind 2, public key: TPM2B_PUBLIC
// `parent` is the name of the storage primary key the private blob is wrapped
// under (it identifies the owner seed and template); the TPM2B_PRIVATE is the
// TPM's own encrypted and integrity-protected blob; the TPM2B_AUTH is the
// key's random userAuth, which sits in the key store in clear (docs/tpm.md).
#pragma once

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/provider/storage.h"

namespace parsec::provider::tpm {

enum class BlobKind : uint8_t {
  KeyPair = 1,
  PublicKey = 2,
};

// KeyBlob is a decoded key reference. It wipes its auth value when destroyed.
struct KeyBlob {
  BlobKind kind = BlobKind::PublicKey;
  TPM2B_NAME parent{};
  TPM2B_PUBLIC pub{};
  TPM2B_PRIVATE priv{};
  TPM2B_AUTH auth{};

  KeyBlob() = default;
  KeyBlob(const KeyBlob&) = default;
  KeyBlob& operator=(const KeyBlob&) = default;
  ~KeyBlob() { wipe_pod(auth); }
};

// encode_blob marshals `blob`; for a key pair the result holds the auth value.
Result<Bytes> encode_blob(const KeyBlob& blob);

// decode_blob parses a key reference. Anything but an exact, complete blob of
// a known version and kind answers PsaErrorDataCorrupt.
Result<KeyBlob> decode_blob(const Bytes& ref);

}  // namespace parsec::provider::tpm
