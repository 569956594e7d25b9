#include "providers/pkcs11/src/module.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "providers/pkcs11/src/ckr.h"

namespace parsec::provider::pkcs11 {
namespace {

std::mutex g_modules_mu;
// Never erased: modules stay initialised for the life of the process.
std::map<std::string, std::shared_ptr<Module>>& modules() {
  static auto* m = new std::map<std::string, std::shared_ptr<Module>>();
  return *m;
}

std::string list_for_message(const std::vector<TokenEntry>& tokens) {
  if (tokens.empty()) {
    return "none";
  }
  std::string s;
  for (const auto& t : tokens) {
    if (!s.empty()) {
      s += ", ";
    }
    s += describe(t);
  }
  return s;
}

}  // namespace

Result<std::shared_ptr<Module>> Module::load(const std::string& path) {
  // Every failure here means the module cannot be reached.
  auto fail = [](std::string why) { return Failure(Status::PsaErrorCommunicationFailure, std::move(why)); };
  std::lock_guard lock(g_modules_mu);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail("library_path \"" + path + "\": PKCS #11 module not found (" + std::strerror(errno) + ")");
  }
  char* real = ::realpath(path.c_str(), nullptr);
  std::string key = real ? real : path;
  std::free(real);
  auto it = modules().find(key);
  if (it != modules().end()) {
    return it->second;
  }
  void* h = ::dlopen(key.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = ::dlerror();
    return fail("library_path \"" + path + "\": cannot load the PKCS #11 module (" + (why ? why : "unknown error") +
                ")");
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(h, "C_GetFunctionList"));
  if (!get_list) {
    ::dlclose(h);
    return fail("library_path \"" + path + "\" is not a PKCS #11 library: it has no C_GetFunctionList");
  }
  CK_FUNCTION_LIST* fn = nullptr;
  CK_RV rv = get_list(&fn);
  if (rv != CKR_OK || fn == nullptr) {
    ::dlclose(h);
    return fail("library_path \"" + path + "\": C_GetFunctionList failed (" + ckr_name(rv) + ")");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  rv = fn->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    ::dlclose(h);
    return fail("library_path \"" + path + "\": C_Initialize with OS locking failed (" + ckr_name(rv) + ")");
  }
  std::shared_ptr<Module> m(new Module());
  m->path_ = key;
  m->handle_ = h;
  m->fn_ = fn;
  CK_INFO info{};
  if (fn->C_GetInfo(&info) == CKR_OK) {
    m->manufacturer_ = trim_token_field(info.manufacturerID, sizeof info.manufacturerID);
    m->description_ = trim_token_field(info.libraryDescription, sizeof info.libraryDescription);
    m->version_ = info.libraryVersion;
  }
  modules()[key] = m;
  return m;
}

std::string describe(const TokenEntry& t) {
  return "\"" + t.label + "\" (serial " + t.serial + ", slot " + std::to_string(t.slot) + ")";
}

CK_RV list_tokens(CK_FUNCTION_LIST* fn, std::vector<TokenEntry>& out, size_t& uninitialised) {
  out.clear();
  uninitialised = 0;
  std::vector<CK_SLOT_ID> slots;
  CK_RV rv;
  // The slot count may change between the two calls.
  for (int attempt = 0; attempt < 3; ++attempt) {
    CK_ULONG n = 0;
    rv = fn->C_GetSlotList(CK_TRUE, nullptr, &n);
    if (rv != CKR_OK) {
      return rv;
    }
    slots.resize(n);
    rv = fn->C_GetSlotList(CK_TRUE, slots.data(), &n);
    if (rv == CKR_BUFFER_TOO_SMALL) {
      continue;
    }
    if (rv != CKR_OK) {
      return rv;
    }
    slots.resize(n);
    break;
  }
  if (rv != CKR_OK) {
    return rv;
  }
  for (CK_SLOT_ID s : slots) {
    CK_TOKEN_INFO ti{};
    CK_RV r = fn->C_GetTokenInfo(s, &ti);
    if (r == CKR_TOKEN_NOT_PRESENT || r == CKR_TOKEN_NOT_RECOGNIZED) {
      continue;
    }
    if (r != CKR_OK) {
      return r;
    }
    if (!(ti.flags & CKF_TOKEN_INITIALIZED)) {
      ++uninitialised;
      continue;
    }
    TokenEntry e;
    e.slot = s;
    e.label = trim_token_field(ti.label, sizeof ti.label);
    e.serial = trim_token_field(ti.serialNumber, sizeof ti.serialNumber);
    e.manufacturer = trim_token_field(ti.manufacturerID, sizeof ti.manufacturerID);
    e.model = trim_token_field(ti.model, sizeof ti.model);
    e.flags = ti.flags;
    e.max_rw_sessions = ti.ulMaxRwSessionCount;
    out.push_back(std::move(e));
  }
  return CKR_OK;
}

Result<TokenEntry> choose_token(const std::vector<TokenEntry>& tokens, size_t uninitialised, const Pkcs11Config& cfg,
                                std::vector<std::string>& warnings) {
  auto fail = [](std::string why) { return Failure(Status::PsaErrorCommunicationFailure, std::move(why)); };
  std::vector<const TokenEntry*> hits;
  std::string by;
  if (cfg.serial_number) {
    by = "serial_number \"" + *cfg.serial_number + "\"";
    for (const auto& t : tokens) {
      if (t.serial == *cfg.serial_number) {
        hits.push_back(&t);
      }
    }
  } else if (cfg.token_label) {
    by = "token_label \"" + *cfg.token_label + "\"";
    for (const auto& t : tokens) {
      if (t.label == *cfg.token_label) {
        hits.push_back(&t);
      }
    }
    // Several tokens share the label: a slot_number may still pick one.
    if (hits.size() > 1 && cfg.slot_number) {
      std::vector<const TokenEntry*> in_slot;
      for (const auto* t : hits) {
        if (t->slot == *cfg.slot_number) {
          in_slot.push_back(t);
        }
      }
      if (in_slot.size() == 1) {
        hits = in_slot;
      }
    }
  } else if (cfg.slot_number) {
    by = "slot_number " + std::to_string(*cfg.slot_number);
    for (const auto& t : tokens) {
      if (t.slot == *cfg.slot_number) {
        hits.push_back(&t);
      }
    }
  } else {
    if (tokens.empty()) {
      std::string why = "no token: the module offers no slot with an initialised token";
      if (uninitialised > 0) {
        why += " (" + std::to_string(uninitialised) + " slot(s) hold a token that is not initialised)";
      }
      return fail(std::move(why));
    }
    if (tokens.size() > 1) {
      return fail("several tokens and none chosen: set serial_number or token_label (tokens: " +
                  list_for_message(tokens) + ")");
    }
    return tokens.front();
  }
  if (hits.empty()) {
    return fail("no initialised token matches " + by + " (tokens: " + list_for_message(tokens) + ")");
  }
  if (hits.size() > 1) {
    std::vector<TokenEntry> copies;
    for (const auto* t : hits) {
      copies.push_back(*t);
    }
    return fail("several tokens match " + by + "; set serial_number (tokens: " + list_for_message(copies) + ")");
  }
  TokenEntry out = *hits.front();
  if (cfg.serial_number && cfg.token_label && out.label != *cfg.token_label) {
    warnings.push_back("serial_number and token_label disagree; using " + describe(out) + " by its serial number");
  }
  if ((cfg.serial_number || cfg.token_label) && cfg.slot_number && out.slot != *cfg.slot_number) {
    warnings.push_back("slot_number " + std::to_string(*cfg.slot_number) + " disagrees with " +
                       (cfg.serial_number ? std::string("serial_number") : std::string("token_label")) + "; using " +
                       describe(out));
  }
  return out;
}

}  // namespace parsec::provider::pkcs11
