// softhsm_fixture.h - a private SoftHSMv2 token store per test run, and a
// direct PKCS #11 connection to it (for checks behind the daemon's back, and
// the benchmark's baseline). Free of gtest: failures throw std::runtime_error.
//
// Used by tests/e2e/pkcs11_test.cc, providers/pkcs11/tests and
// bench/pkcs11_bench.cc; compiled only with PARSEC_WITH_PKCS11.
#pragma once

#ifdef PARSEC_WITH_PKCS11

#include <string>
#include <vector>

#include "providers/pkcs11/src/p11.h"  // providers/pkcs11/src: p11-kit's pkcs11.h without its leaked macros

namespace parsec::testing {

// SoftHsm is a token folder and softhsm2.conf in a new temporary folder
// (removed on destruction). SoftHSM reads SOFTHSM2_CONF at C_Initialize, so
// call use() before starting a daemon or loading the module in-process.
class SoftHsm {
 public:
  SoftHsm();
  ~SoftHsm();
  SoftHsm(const SoftHsm&) = delete;
  SoftHsm& operator=(const SoftHsm&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& conf_path() const { return conf_; }
  // use sets SOFTHSM2_CONF in this process's environment (children inherit it).
  void use() const;
  // init_token initialises a free slot's token with softhsm2-util and returns
  // its serial number.
  std::string init_token(const std::string& label, const std::string& user_pin,
                         const std::string& so_pin = "12345678") const;

  static std::string module_path();

 private:
  std::string dir_;
  std::string conf_;
};

// Pkcs11Direct loads the module in this process, finds the token by label
// and opens a session logged in as the user. With `finalize`, the destructor
// calls C_Finalize (leave it false when a provider in the same process uses
// the module).
class Pkcs11Direct {
 public:
  Pkcs11Direct(const std::string& module, const std::string& token_label, const std::string& user_pin,
               bool finalize = true);
  ~Pkcs11Direct();
  Pkcs11Direct(const Pkcs11Direct&) = delete;
  Pkcs11Direct& operator=(const Pkcs11Direct&) = delete;

  CK_FUNCTION_LIST* fn() const { return fn_; }
  CK_SLOT_ID slot() const { return slot_; }
  CK_SESSION_HANDLE session() const { return session_; }
  // open_session opens another read/write session (it shares the login).
  CK_SESSION_HANDLE open_session();

  struct Object {
    CK_OBJECT_HANDLE handle;
    CK_OBJECT_CLASS cls;
    std::string label;
    std::string id;
  };
  // objects lists the token objects (private ones included).
  std::vector<Object> objects();
  void destroy(CK_OBJECT_HANDLE h);
  // generate_ec_p256 makes a token key pair with this label and CKA_ID and
  // returns the private key's handle.
  CK_OBJECT_HANDLE generate_ec_p256(const std::string& label, const std::string& id, CK_OBJECT_HANDLE* pub = nullptr);

 private:
  void* lib_ = nullptr;
  CK_FUNCTION_LIST* fn_ = nullptr;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
  bool finalize_ = true;
};

// check throws std::runtime_error("<what>: CKR 0x..") unless rv is CKR_OK.
void check(CK_RV rv, const char* what);

}  // namespace parsec::testing

#endif  // PARSEC_WITH_PKCS11
