// parsec/client/info.h - plain result records of the discovery operations.
//
// These structs carry what ListProviders, ListAuthenticators, ListKeys, Ping and
// PrepareKeyAttestation return, already checked by the client (provider and
// auth type IDs are defined values, UUIDs are well formed). They are plain values with public fields for
// direct use from bindings; not synchronised (copy them per thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsec/client/key_attributes.h"
#include "parsec/interface/wire.h"
#include "parsec/psa/operations.h"

namespace parsec::client {

// Raw bytes in and out of the client (keys, signatures, ciphertexts, ...).
using Bytes = std::vector<uint8_t>;

// Wire protocol version answered by Ping (1.0 for every existing service).
struct ProtocolVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
};

struct ProviderInfo {
  ProviderId id = ProviderId::Core;
  std::string uuid;
  std::string description;
  std::string vendor;
  uint32_t version_maj = 0;
  uint32_t version_min = 0;
  uint32_t version_rev = 0;
};

struct AuthenticatorInfo {
  AuthType id = AuthType::NoAuth;
  std::string description;
  uint32_t version_maj = 0;
  uint32_t version_min = 0;
  uint32_t version_rev = 0;
};

struct KeyInfo {
  ProviderId provider_id = ProviderId::Core;
  std::string name;
  KeyAttributes attributes;
};

// CanDoCrypto check kinds; values equal the wire enum can_do_crypto.CheckType.
using psa::CheckType;

// What PrepareKeyAttestation returns for the TPM ActivateCredential mechanism:
// the inputs a third party needs to run TPM2_MakeCredential outside the TPM
// (TPM Architecture spec, B.10.4) before calling attest_key_activate_credential.
using psa::PreparedAttestation;

// provider_display_name: "Mbed Crypto provider" etc., as the reference tool prints.
const char* provider_display_name(ProviderId id);
// auth_type_display_name: "Direct authentication" etc., as the reference tool prints.
const char* auth_type_display_name(AuthType a);

}  // namespace parsec::client
