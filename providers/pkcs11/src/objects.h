// objects.h - small helpers around PKCS #11 object calls: attribute
// templates that own their values, object search, attribute reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parsec/interface/secret.h"
#include "providers/pkcs11/src/p11.h"

namespace parsec::provider::pkcs11 {

using Bytes = std::vector<uint8_t>;

// Template is a CK_ATTRIBUTE array whose values it owns (in wiped buffers:
// templates carry private key components on import).
class Template {
 public:
  Template() = default;
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;

  Template& boolean(CK_ATTRIBUTE_TYPE t, bool v);
  Template& ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v);
  Template& bytes(CK_ATTRIBUTE_TYPE t, const uint8_t* p, size_t n);
  Template& bytes(CK_ATTRIBUTE_TYPE t, const Bytes& b) { return bytes(t, b.data(), b.size()); }
  Template& bytes(CK_ATTRIBUTE_TYPE t, const SecretBytes& b) { return bytes(t, b.data(), b.size()); }
  Template& text(CK_ATTRIBUTE_TYPE t, const std::string& s) {
    return bytes(t, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

  CK_ATTRIBUTE* data() { return attrs_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(attrs_.size()); }

 private:
  std::vector<std::unique_ptr<SecretBytes>> values_;
  std::vector<CK_ATTRIBUTE> attrs_;
};

// find_objects lists the objects matching `t` (C_FindObjectsFinal is always
// called once the search started).
CK_RV find_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, Template& t, std::vector<CK_OBJECT_HANDLE>& out);

// get_attribute reads one attribute; CKR_ATTRIBUTE_TYPE_INVALID when the
// object has none.
CK_RV get_attribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, Bytes& out);

std::string to_hex(const uint8_t* p, size_t n);
inline std::string to_hex(const Bytes& b) {
  return to_hex(b.data(), b.size());
}

}  // namespace parsec::provider::pkcs11
