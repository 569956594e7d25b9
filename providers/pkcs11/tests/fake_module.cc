// A minimal PKCS #11 module for start-up errors SoftHSM cannot produce: one
// slot with an initialised token "Fake Token" (serial FAKE0001) whose user
// PIN is locked, so C_Login answers CKR_PIN_LOCKED. Every other function
// answers CKR_FUNCTION_NOT_SUPPORTED.
#include <cstddef>
#include <cstring>

#include "providers/pkcs11/src/p11.h"

namespace {

constexpr CK_SLOT_ID kSlot = 7;
bool g_initialized = false;

void pad(unsigned char* dst, size_t n, const char* s) {
  std::memset(dst, ' ', n);
  std::memcpy(dst, s, std::strlen(s));
}

CK_RV not_supported() {
  return CKR_FUNCTION_NOT_SUPPORTED;
}

extern "C" {

CK_RV fake_Initialize(void*) {
  if (g_initialized) {
    return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  }
  g_initialized = true;
  return CKR_OK;
}

CK_RV fake_Finalize(void*) {
  g_initialized = false;
  return CKR_OK;
}

CK_RV fake_GetInfo(CK_INFO* info) {
  std::memset(info, 0, sizeof *info);
  info->cryptokiVersion.major = 2;
  info->cryptokiVersion.minor = 40;
  pad(info->manufacturerID, sizeof info->manufacturerID, "parsec-cpp tests");
  pad(info->libraryDescription, sizeof info->libraryDescription, "fake module");
  return CKR_OK;
}

CK_RV fake_GetSlotList(CK_BBOOL, CK_SLOT_ID* list, CK_ULONG* count) {
  if (list == nullptr) {
    *count = 1;
    return CKR_OK;
  }
  if (*count < 1) {
    *count = 1;
    return CKR_BUFFER_TOO_SMALL;
  }
  list[0] = kSlot;
  *count = 1;
  return CKR_OK;
}

CK_RV fake_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO* info) {
  if (slot != kSlot) {
    return CKR_SLOT_ID_INVALID;
  }
  std::memset(info, 0, sizeof *info);
  pad(info->label, sizeof info->label, "Fake Token");
  pad(info->manufacturerID, sizeof info->manufacturerID, "parsec-cpp tests");
  pad(info->model, sizeof info->model, "fake");
  pad(info->serialNumber, sizeof info->serialNumber, "FAKE0001");
  // The lock is not advertised in the flags, so the provider meets it at
  // C_Login.
  info->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  return CKR_OK;
}

CK_RV fake_OpenSession(CK_SLOT_ID slot, CK_FLAGS, void*, CK_NOTIFY, CK_SESSION_HANDLE* s) {
  if (slot != kSlot) {
    return CKR_SLOT_ID_INVALID;
  }
  *s = 1;
  return CKR_OK;
}

CK_RV fake_CloseSession(CK_SESSION_HANDLE) {
  return CKR_OK;
}
CK_RV fake_CloseAllSessions(CK_SLOT_ID) {
  return CKR_OK;
}

CK_RV fake_GetSessionInfo(CK_SESSION_HANDLE, CK_SESSION_INFO* info) {
  std::memset(info, 0, sizeof *info);
  info->slotID = kSlot;
  info->state = CKS_RW_PUBLIC_SESSION;
  info->flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
  return CKR_OK;
}

CK_RV fake_Login(CK_SESSION_HANDLE, CK_USER_TYPE, CK_UTF8CHAR*, CK_ULONG) {
  return CKR_PIN_LOCKED;
}

}  // extern "C"

CK_FUNCTION_LIST g_list;

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST** out) {
  // Fill every entry with a "not supported" stub (the functions this module
  // leaves out are never reached: C_Login fails first), then the real ones.
  CK_RV (*stub)() = not_supported;
  auto* bytes = reinterpret_cast<unsigned char*>(&g_list);
  for (size_t off = offsetof(CK_FUNCTION_LIST, C_Initialize); off + sizeof stub <= sizeof g_list; off += sizeof stub) {
    std::memcpy(bytes + off, &stub, sizeof stub);
  }
  g_list.version.major = 2;
  g_list.version.minor = 40;
  g_list.C_Initialize = fake_Initialize;
  g_list.C_Finalize = fake_Finalize;
  g_list.C_GetInfo = fake_GetInfo;
  g_list.C_GetFunctionList = C_GetFunctionList;
  g_list.C_GetSlotList = fake_GetSlotList;
  g_list.C_GetTokenInfo = fake_GetTokenInfo;
  g_list.C_OpenSession = fake_OpenSession;
  g_list.C_CloseSession = fake_CloseSession;
  g_list.C_CloseAllSessions = fake_CloseAllSessions;
  g_list.C_GetSessionInfo = fake_GetSessionInfo;
  g_list.C_Login = fake_Login;
  *out = &g_list;
  return CKR_OK;
}
