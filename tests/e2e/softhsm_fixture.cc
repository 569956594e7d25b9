#include "tests/e2e/softhsm_fixture.h"

#ifdef PARSEC_WITH_PKCS11

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef PARSEC_SOFTHSM_MODULE
#error "PARSEC_SOFTHSM_MODULE must name libsofthsm2.so"
#endif
#ifndef PARSEC_SOFTHSM_UTIL
#error "PARSEC_SOFTHSM_UTIL must name softhsm2-util"
#endif

namespace parsec::testing {
namespace {

// run_tool runs softhsm2-util with SOFTHSM2_CONF=`conf` and returns its
// output (stdout and stderr); throws on a non-zero exit.
std::string run_tool(const std::string& conf, std::vector<std::string> args) {
  int fds[2];
  if (::pipe(fds) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(PARSEC_SOFTHSM_UTIL));
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(PARSEC_SOFTHSM_UTIL, argv.data());
    _exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("softhsm2-util failed: " + out);
  }
  return out;
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

void check(CK_RV rv, const char* what) {
  if (rv != CKR_OK) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(rv));
    throw std::runtime_error(std::string(what) + ": CKR " + buf);
  }
}

SoftHsm::SoftHsm() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "parsec-softhsm-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  std::filesystem::create_directories(dir_ + "/tokens");
  conf_ = dir_ + "/softhsm2.conf";
  std::ofstream(conf_) << "directories.tokendir = " << dir_ << "/tokens\n"
                       << "objectstore.backend = file\n"
                       << "log.level = ERROR\n"
                       << "slots.removable = false\n";
}

SoftHsm::~SoftHsm() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void SoftHsm::use() const {
  ::setenv("SOFTHSM2_CONF", conf_.c_str(), 1);
}

std::string SoftHsm::module_path() {
  return PARSEC_SOFTHSM_MODULE;
}

std::string SoftHsm::init_token(const std::string& label, const std::string& user_pin,
                                const std::string& so_pin) const {
  run_tool(conf_, {"--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", user_pin});
  // The serial number precedes the label in --show-slots.
  std::istringstream in(run_tool(conf_, {"--show-slots"}));
  std::string line, serial;
  while (std::getline(in, line)) {
    std::string t = trimmed(line);
    if (t.rfind("Serial number:", 0) == 0) {
      serial = trimmed(t.substr(14));
    } else if (t.rfind("Label:", 0) == 0 && trimmed(t.substr(6)) == label) {
      return serial;
    }
  }
  throw std::runtime_error("token \"" + label + "\" not listed by softhsm2-util --show-slots");
}

Pkcs11Direct::Pkcs11Direct(const std::string& module, const std::string& token_label, const std::string& user_pin,
                           bool finalize)
    : finalize_(finalize) {
  lib_ = ::dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    throw std::runtime_error("dlopen " + module + " failed");
  }
  auto get = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(lib_, "C_GetFunctionList"));
  if (!get) {
    throw std::runtime_error("no C_GetFunctionList");
  }
  check(get(&fn_), "C_GetFunctionList");
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = fn_->C_Initialize(&args);
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    finalize_ = false;  // someone else in this process owns it
  } else {
    check(rv, "C_Initialize");
  }
  CK_ULONG n = 0;
  check(fn_->C_GetSlotList(CK_TRUE, nullptr, &n), "C_GetSlotList");
  std::vector<CK_SLOT_ID> slots(n);
  check(fn_->C_GetSlotList(CK_TRUE, slots.data(), &n), "C_GetSlotList");
  bool found = false;
  for (CK_ULONG i = 0; i < n && !found; ++i) {
    CK_TOKEN_INFO ti{};
    if (fn_->C_GetTokenInfo(slots[i], &ti) != CKR_OK) {
      continue;
    }
    if (trimmed(std::string(reinterpret_cast<char*>(ti.label), sizeof ti.label)) == token_label) {
      slot_ = slots[i];
      found = true;
    }
  }
  if (!found) {
    throw std::runtime_error("no token labelled " + token_label);
  }
  session_ = open_session();
  rv = fn_->C_Login(session_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(user_pin.data())),
                    user_pin.size());
  if (rv != CKR_USER_ALREADY_LOGGED_IN) {
    check(rv, "C_Login");
  }
}

Pkcs11Direct::~Pkcs11Direct() {
  if (fn_ && finalize_) {
    fn_->C_CloseAllSessions(slot_);
    fn_->C_Finalize(nullptr);
  } else if (fn_ && session_ != CK_INVALID_HANDLE) {
    fn_->C_CloseSession(session_);
  }
  // The library stays loaded: a provider in this process may share it.
}

CK_SESSION_HANDLE Pkcs11Direct::open_session() {
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  check(fn_->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s), "C_OpenSession");
  return s;
}

std::vector<Pkcs11Direct::Object> Pkcs11Direct::objects() {
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {{CKA_TOKEN, &yes, sizeof yes}};
  check(fn_->C_FindObjectsInit(session_, tmpl, 1), "C_FindObjectsInit");
  std::vector<CK_OBJECT_HANDLE> handles;
  for (;;) {
    CK_OBJECT_HANDLE buf[32];
    CK_ULONG n = 0;
    check(fn_->C_FindObjects(session_, buf, 32, &n), "C_FindObjects");
    if (n == 0) {
      break;
    }
    handles.insert(handles.end(), buf, buf + n);
  }
  check(fn_->C_FindObjectsFinal(session_), "C_FindObjectsFinal");
  std::vector<Object> out;
  for (CK_OBJECT_HANDLE h : handles) {
    Object o{h, 0, {}, {}};
    CK_ATTRIBUTE a[] = {{CKA_CLASS, &o.cls, sizeof o.cls}, {CKA_LABEL, nullptr, 0}, {CKA_ID, nullptr, 0}};
    check(fn_->C_GetAttributeValue(session_, h, a, 3), "C_GetAttributeValue");
    o.label.resize(a[1].ulValueLen);
    o.id.resize(a[2].ulValueLen);
    a[1].pValue = o.label.data();
    a[2].pValue = o.id.data();
    check(fn_->C_GetAttributeValue(session_, h, a, 3), "C_GetAttributeValue");
    out.push_back(std::move(o));
  }
  return out;
}

void Pkcs11Direct::destroy(CK_OBJECT_HANDLE h) {
  check(fn_->C_DestroyObject(session_, h), "C_DestroyObject");
}

CK_OBJECT_HANDLE Pkcs11Direct::generate_ec_p256(const std::string& label, const std::string& id,
                                                CK_OBJECT_HANDLE* pub_out) {
  static const unsigned char kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_BBOOL yes = CK_TRUE;
  std::string l = label, i = id;
  CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, sizeof yes},
                        {CKA_VERIFY, &yes, sizeof yes},
                        {CKA_EC_PARAMS, const_cast<unsigned char*>(kP256), sizeof kP256},
                        {CKA_LABEL, l.data(), l.size()},
                        {CKA_ID, i.data(), i.size()}};
  CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes},
                         {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_SIGN, &yes, sizeof yes},
                         {CKA_LABEL, l.data(), l.size()},   {CKA_ID, i.data(), i.size()}};
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  check(fn_->C_GenerateKeyPair(session_, &mech, pub, 5, priv, 6, &hpub, &hpriv), "C_GenerateKeyPair");
  if (pub_out) {
    *pub_out = hpub;
  }
  return hpriv;
}

}  // namespace parsec::testing

#endif  // PARSEC_WITH_PKCS11
