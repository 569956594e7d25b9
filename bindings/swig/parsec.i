// bindings/swig/parsec.i - the ONE SWIG interface of the Parsec client core,
// shared by the Go SDK (sdk-go/internal/native, through a .swigcxx file that
// %includes this file) and the Java SDK (swig -java -c++). It wraps the
// exception-free facade parsec/binding/binding.h and the PSA model types, and
// gives each language its typemaps for the two things SWIG cannot map by
// itself:
//   * bytes: parsec::binding::Bytes (std::vector<uint8_t>) <-> Go []byte /
//     Java byte[]. Inputs are copied into a parsec::SecretBytes (wiped when the
//     call returns, whatever happens); outputs are copied into the language's
//     buffer and the C++ copy is wiped (parsec::wipe) at once, so no facade
//     copy of a secret output outlives the call. The Go side also wipes the
//     C-heap transfer buffer before freeing it (parsec_binding_free_bytes).
//   * errors: every facade call ends with `parsec::binding::Error& err`. Go
//     passes an Error object and reads it (a Go error is a value, not a
//     panic); Java hides the parameter and throws PARSEC_JAVA_EXCEPTION
//     (default "org/parsec/client/ParsecException", constructor
//     (int status, String statusName, String operation, String detail)).
// The module name comes from the including build: Go names it after the
// .swigcxx file (-module), Java passes -module on the swig command line
// (the default below is for a plain `swig -java -c++ parsec.i`).
%module parsec_native

%{
#include <cstdlib>
#include <cstring>

#include "parsec/binding/binding.h"
#include "parsec/interface/secret.h"
%}

%include <stdint.i>
%include <std_string.i>

// size_t and uint64_t cross as 64-bit integers in both languages.

// ---- bytes --------------------------------------------------------------------------
#if defined(SWIGGO)

%insert(cgo_comment_typedefs) %{
#include <stddef.h>
#include <stdlib.h>
// Defined in the wrapper below: wipes and frees a transfer buffer.
extern void parsec_binding_free_bytes(void* p, size_t n);
%}

%{
extern "C" void parsec_binding_free_bytes(void* p, size_t n) {
  if (p != nullptr) {
    parsec::secure_zero(p, n);
    std::free(p);
  }
}
%}

%typemap(gotype) const parsec::binding::Bytes& "[]byte"
%typemap(imtype) const parsec::binding::Bytes& "[]byte"
%typemap(goin) const parsec::binding::Bytes& "$result = $input"
%typemap(in) const parsec::binding::Bytes& (parsec::SecretBytes temp) %{
  if ($input.len > 0) {
    temp = parsec::SecretBytes(static_cast<const uint8_t*>($input.array), static_cast<size_t>($input.len));
  }
  $1 = const_cast<$1_ltype>(&temp.bytes());
%}

%typemap(gotype) parsec::binding::Bytes "[]byte"
%typemap(imtype) parsec::binding::Bytes "[]byte"
// The C side returns a malloc'd copy (cgo cannot hand C++ memory to Go), the
// Go side copies it into Go memory, then wipes and frees the transfer buffer.
%typemap(out) parsec::binding::Bytes %{
  $result.array = nullptr;
  $result.len = 0;
  $result.cap = 0;
  if (!$1.empty()) {
    void* buffer = std::malloc($1.size());
    if (buffer != nullptr) {
      std::memcpy(buffer, $1.data(), $1.size());
      $result.array = buffer;
      $result.len = static_cast<intgo>($1.size());
      $result.cap = $result.len;
    }
  }
  parsec::wipe($1);
%}
%typemap(goout) parsec::binding::Bytes %{
  // An empty result is nil, as Go APIs return it.
  $result = nil
  if n := len($1); n > 0 {
    $result = make([]byte, n)
    copy($result, $1)
    C.parsec_binding_free_bytes(unsafe.Pointer(&$1[0]), C.size_t(n))
  }
%}

#elif defined(SWIGJAVA)

%{
#ifndef PARSEC_JAVA_EXCEPTION
#define PARSEC_JAVA_EXCEPTION "org/parsec/client/ParsecException"
#endif
// parsec_binding_throw raises PARSEC_JAVA_EXCEPTION(status, statusName,
// operation, detail) for a failed call.
static void parsec_binding_throw(JNIEnv* jenv, const parsec::binding::Error& err) {
  jclass cls = jenv->FindClass(PARSEC_JAVA_EXCEPTION);
  if (cls == nullptr) {
    return;  // NoClassDefFoundError is pending
  }
  jmethodID ctor = jenv->GetMethodID(cls, "<init>", "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;)V");
  if (ctor == nullptr) {
    return;  // NoSuchMethodError is pending
  }
  jstring name = jenv->NewStringUTF(err.status_name().c_str());
  jstring operation = jenv->NewStringUTF(err.operation().c_str());
  jstring detail = jenv->NewStringUTF(err.detail().c_str());
  jobject ex = jenv->NewObject(cls, ctor, static_cast<jint>(err.status()), name, operation, detail);
  if (ex != nullptr) {
    jenv->Throw(static_cast<jthrowable>(ex));
  }
}
%}

%typemap(jni) const parsec::binding::Bytes& "jbyteArray"
%typemap(jtype) const parsec::binding::Bytes& "byte[]"
%typemap(jstype) const parsec::binding::Bytes& "byte[]"
%typemap(javain) const parsec::binding::Bytes& "$javainput"
%typemap(in) const parsec::binding::Bytes& (parsec::SecretBytes temp) %{
  if ($input == nullptr) {
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "null byte[]");
    return $null;
  }
  {
    jsize n = jenv->GetArrayLength($input);
    if (n > 0) {
      temp = parsec::SecretBytes(static_cast<size_t>(n));
      jenv->GetByteArrayRegion($input, 0, n, reinterpret_cast<jbyte*>(temp.data()));
    }
  }
  $1 = const_cast<$1_ltype>(&temp.bytes());
%}

%typemap(jni) parsec::binding::Bytes "jbyteArray"
%typemap(jtype) parsec::binding::Bytes "byte[]"
%typemap(jstype) parsec::binding::Bytes "byte[]"
%typemap(javaout) parsec::binding::Bytes { return $jnicall; }
%typemap(out) parsec::binding::Bytes %{
  $result = jenv->NewByteArray(static_cast<jsize>($1.size()));
  if ($result != nullptr && !$1.empty()) {
    jenv->SetByteArrayRegion($result, 0, static_cast<jsize>($1.size()), reinterpret_cast<const jbyte*>($1.data()));
  }
  parsec::wipe($1);
%}

// Errors: hidden parameter, thrown after the call.
%typemap(in, numinputs=0) parsec::binding::Error& err (parsec::binding::Error temp) %{ $1 = &temp; %}
%typemap(argout) parsec::binding::Error& err %{
  if (temp$argnum.failed()) {
    parsec_binding_throw(jenv, temp$argnum);
    return $null;
  }
%}
// Sizes (generate_random) as long, not BigInteger.
%apply int64_t { uint64_t };

// "Error" would shadow java.lang.Error in the generated package.
%rename(CallError) parsec::binding::Error;

#else
#error "parsec.i: typemaps exist for Go and Java only"
#endif

// ---- what is not wrapped -----------------------------------------------------------------
// Operators: equality is exposed as equals(); != and C++-only members are not.
%rename(equals) parsec::psa::Algorithm::operator==;
%rename(equals) parsec::psa::UsageFlags::operator==;
%rename(equals) parsec::psa::KeyAttributes::operator==;
%ignore parsec::psa::Algorithm::operator!=;
%ignore parsec::psa::UsageFlags::operator!=;
%ignore parsec::psa::KeyAttributes::operator!=;
%rename(export_usage) parsec::psa::UsageFlags::export_;
#if defined(SWIGGO)
%rename(key_type) parsec::psa::KeyAttributes::type;  // `type` is a Go keyword
#endif
%ignore parsec::binding::Error::set;
%ignore parsec::binding::ProviderList::items_;
%ignore parsec::binding::AuthenticatorList::items_;
%ignore parsec::binding::KeyInfoList::items_;
%ignore parsec::binding::OpcodeList::items_;
%ignore parsec::binding::StringList::items_;
%ignore parsec::binding::Attestation::value_;
%ignore parsec::binding::CsrSubject::subject_alt_names_;
%ignore parsec::binding::Client::Client;
%ignore parsec::binding::Key::Key;
%newobject parsec::binding::Client::create;
%newobject parsec::binding::Client::key;
%newobject parsec::binding::Client::generate;

// From wire.h only the enums and the status name are wrapped.
%ignore parsec::status_from_u16;
%ignore parsec::status_description;
%ignore parsec::opcode_from_u32;
%ignore parsec::opcode_name;
%ignore parsec::is_core_opcode;
%ignore parsec::is_admin_opcode;
%ignore parsec::needs_identity;
%ignore parsec::is_upstream_listable;
%ignore parsec::OpcodeInfo;
%ignore parsec::opcode_info;
%ignore parsec::all_opcodes;
%ignore parsec::WireHeader;
%ignore parsec::encode_header;
%ignore parsec::decode_header;
%ignore parsec::validate_fixed_fields;
%ignore parsec::validate_request_fields;
%ignore parsec::detached_response;
%ignore parsec::echoed_response;
%ignore parsec::kMagic;
%ignore parsec::kHeaderSizeField;
%ignore parsec::kHeaderLen;
%ignore parsec::kVersionMajor;
%ignore parsec::kVersionMinor;
%ignore parsec::kDefaultBodyLenLimit;
%ignore parsec::status_name;
// From operations.h only CheckType; from info.h the records.
%ignore parsec::psa::PreparedAttestation;
%ignore parsec::psa::op;
%ignore parsec::client::ProtocolVersion;

// ---- the wrapped surface -----------------------------------------------------------------
%include "parsec/interface/wire.h"
%include "parsec/psa/algorithm.h"
%include "parsec/psa/key_attributes.h"
%include "parsec/psa/operations.h"
// The client's names of the model types (using-declarations), for info.h.
%include "parsec/client/algorithm.h"
%include "parsec/client/key_attributes.h"
%include "parsec/client/info.h"
%include "parsec/binding/binding.h"
