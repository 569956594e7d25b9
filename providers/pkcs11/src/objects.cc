#include "providers/pkcs11/src/objects.h"

namespace parsec::provider::pkcs11 {

Template& Template::boolean(CK_ATTRIBUTE_TYPE t, bool v) {
  CK_BBOOL b = v ? CK_TRUE : CK_FALSE;
  return bytes(t, &b, sizeof b);
}

Template& Template::ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v) {
  return bytes(t, reinterpret_cast<const uint8_t*>(&v), sizeof v);
}

Template& Template::bytes(CK_ATTRIBUTE_TYPE t, const uint8_t* p, size_t n) {
  values_.push_back(std::make_unique<SecretBytes>(p, n));
  CK_ATTRIBUTE a{};
  a.type = t;
  a.pValue = values_.back()->data();
  a.ulValueLen = static_cast<CK_ULONG>(n);
  attrs_.push_back(a);
  return *this;
}

CK_RV find_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, Template& t, std::vector<CK_OBJECT_HANDLE>& out) {
  out.clear();
  CK_RV rv = f->C_FindObjectsInit(s, t.data(), t.size());
  if (rv != CKR_OK) {
    return rv;
  }
  for (;;) {
    CK_OBJECT_HANDLE buf[64];
    CK_ULONG n = 0;
    rv = f->C_FindObjects(s, buf, 64, &n);
    if (rv != CKR_OK || n == 0) {
      break;
    }
    out.insert(out.end(), buf, buf + n);
  }
  CK_RV fin = f->C_FindObjectsFinal(s);
  return rv != CKR_OK ? rv : fin;
}

CK_RV get_attribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, Bytes& out) {
  CK_ATTRIBUTE a{};
  a.type = t;
  CK_RV rv = f->C_GetAttributeValue(s, o, &a, 1);
  if (rv != CKR_OK) {
    return rv;
  }
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    return CKR_ATTRIBUTE_TYPE_INVALID;
  }
  out.assign(a.ulValueLen, 0);
  a.pValue = out.data();
  return f->C_GetAttributeValue(s, o, &a, 1);
}

std::string to_hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(digits[p[i] >> 4]);
    s.push_back(digits[p[i] & 15]);
  }
  return s;
}

}  // namespace parsec::provider::pkcs11
