// module.h - a PKCS #11 module loaded once per process, and the tokens it
// offers.
//
// Module::load dlopens the library, takes its function list and calls
// C_Initialize with CKF_OS_LOCKING_OK (without it SoftHSM, among others,
// does no locking at all). A module stays loaded and initialised for the life
// of the process: a second load of the same path returns the same object, and
// CKR_CRYPTOKI_ALREADY_INITIALIZED (another user in the process) is accepted.
// The process must not fork after a load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "parsec/interface/result.h"
#include "providers/pkcs11/src/config.h"
#include "providers/pkcs11/src/p11.h"

namespace parsec::provider::pkcs11 {

class Module {
 public:
  // load returns the module at `path`, or PsaErrorCommunicationFailure with a
  // detail naming the cause (no such file, not loadable, not a PKCS #11
  // library, C_Initialize failed).
  static Result<std::shared_ptr<Module>> load(const std::string& path);

  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }
  // From C_GetInfo, trimmed.
  const std::string& manufacturer() const { return manufacturer_; }
  const std::string& description() const { return description_; }
  CK_VERSION library_version() const { return version_; }

  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

 private:
  Module() = default;
  std::string path_;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* fn_ = nullptr;
  std::string manufacturer_;
  std::string description_;
  CK_VERSION version_{};
};

// TokenEntry describes an initialised token found in a slot.
struct TokenEntry {
  CK_SLOT_ID slot = 0;
  std::string label;   // trimmed
  std::string serial;  // trimmed
  std::string manufacturer;
  std::string model;
  CK_FLAGS flags = 0;
  CK_ULONG max_rw_sessions = CK_UNAVAILABLE_INFORMATION;
};

// describe returns `"label" (serial S, slot N)` for messages.
std::string describe(const TokenEntry& t);

// list_tokens fills `out` with the initialised tokens of the slots that hold
// a token and counts the slots whose token is not initialised.
CK_RV list_tokens(CK_FUNCTION_LIST* fn, std::vector<TokenEntry>& out, size_t& uninitialised);

// choose_token applies the selection settings of `cfg` (serial_number, then
// token_label, then slot_number; with none, the only initialised token) to
// `tokens`. On success it returns the token and appends any disagreement
// between the settings to `warnings`; otherwise PsaErrorCommunicationFailure
// with a detail naming the cause.
Result<TokenEntry> choose_token(const std::vector<TokenEntry>& tokens, size_t uninitialised, const Pkcs11Config& cfg,
                                std::vector<std::string>& warnings);

}  // namespace parsec::provider::pkcs11
