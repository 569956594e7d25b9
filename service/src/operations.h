// operations.h - the one operation table of the service: for every opcode,
// how its body is decoded and converted (once, strictly, protobuf -> plain
// model through parsec/interface/psa_proto.h), validated against the contract,
// which key it names, which policy check applies, which provider method runs
// and how the result is encoded. Adding an opcode is one entry in
// operations.cc plus the provider method.
//
// Every entry runs the same steps, in the order of docs/protocol.md, wire protocol
// section 4 and docs/protocol.md, operations §2 (each pinned by the e2e suites):
//   decode (DeserializingBodyFailed) -> convert + validate (InvalidEncoding)
//   -> identity (NotAuthenticated) -> served by the provider? (NotSupported,
//   before any key lookup: docs/protocol.md, operations §2, rule 0) -> key lookup
//   (PsaErrorDoesNotExist) -> key policy -> input checks -> execute -> encode.
// Failures carry a detail for the operator's log (never a secret).
//
// The table is immutable; running an entry is thread-safe as far as the
// providers and key stores it calls are.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "service/src/authenticator.h"
#include "service/src/backends.h"
#include "service/src/config.h"

namespace parsec::service {

// Call is what a table entry may use while serving one request; the handler
// fills it after authentication, routing and the admin check.
struct Call {
  Opcode op;
  uint64_t conn_id = 0;
  const Config& cfg;
  Backends& backends;
  const std::vector<std::unique_ptr<Authenticator>>& authenticators;
  std::optional<Identity> identity;
  ProviderEntry* provider = nullptr;  // null for the core provider
};

struct Operation {
  Opcode op;
  // run serves the request body; the answer body or a Failure with a detail.
  Result<std::string> (*run)(Call& call, const std::string& body);
};

// find_operation returns the table entry of `op`, or nullptr.
const Operation* find_operation(Opcode op);

// Lane: where a request runs (docs/architecture.md, "Scheduling").
//   Fast  core operations and cheap crypto, on the worker pool;
//   Slow  operations that may take seconds, in the bounded, fair SlowLane:
//         RSA and DH key generation, RSA private-key operations (sign, decrypt)
//         with keys above 2048 bits, attestation, and every operation of a
//         TPM provider (each is one or more TPM commands).
enum class Lane { Fast, Slow };
// lane_for decides from the opcode, the provider and, for the operations
// above, the body's key attributes or the named key's stored attributes. A
// body that does not decode, or a key that cannot be found, goes Fast: the
// table entry answers the error at once.
Lane lane_for(const Call& call, const std::string& body);

// Core provider facts reported by ListProviders.
struct ServiceVersion {
  uint32_t maj, min, rev;
};
ServiceVersion service_version();

// validate_key_name: our rule for names of new keys: 1 to 1024 bytes of
// UTF-8 without control characters (PsaErrorInvalidArgument with the reason).
// Names are never used as paths.
Outcome validate_key_name(const std::string& name);

}  // namespace parsec::service
