#include "parsec/crypto/signature.h"

#include <openssl/asn1.h>

#include <string>

#include "interface/src/crypto/ossl.h"

namespace parsec::crypto {
namespace {

Failure malformed(const std::string& what) {
  return {Status::PsaErrorInvalidArgument, "malformed DER signature: " + what};
}

// Element reads one TLV header with OpenSSL's parser (ASN1_get_object checks
// every length against the input) and gives the content bounds.
struct Element {
  int tag = -1;
  bool constructed = false;
  const unsigned char* content = nullptr;
  long length = 0;
};
bool read_element(const unsigned char** p, const unsigned char* end, Element& out) {
  if (*p >= end) {
    return false;
  }
  int cls = 0;
  const int flags = ASN1_get_object(p, &out.length, &out.tag, &cls, end - *p);
  ERR_clear_error();
  // 0x80: error (overrun, bad header); 0x01: indefinite length (not DER).
  if ((flags & 0x80) != 0 || (flags & 0x01) != 0 || cls != V_ASN1_UNIVERSAL) {
    return false;
  }
  out.constructed = (flags & V_ASN1_CONSTRUCTED) != 0;
  out.content = *p;
  *p += out.length;
  return true;
}

}  // namespace

Result<Bytes> ecdsa_raw_to_der(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return Failure(Status::PsaErrorInvalidArgument, "an ECDSA signature r||s has two halves of equal length; got " +
                                                        std::to_string(raw.size()) + " bytes");
  }
  const int half = static_cast<int>(raw.size() / 2);
  ossl::Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return Failure(Status::PsaErrorInsufficientMemory, "out of memory");
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return Failure(Status::PsaErrorGenericError, "cannot encode the ECDSA signature" + ossl::reason());
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> ecdsa_der_to_raw(const Bytes& der, size_t scalar_len) {
  // OpenSSL 3's d2i_ECDSA_SIG insists on minimal INTEGERs, but signatures with
  // leading zero bytes exist (the reference tool writes them), so the
  // structure is walked with OpenSSL's TLV parser and the values read as
  // unsigned magnitudes.
  const unsigned char* p = der.data();
  const unsigned char* end = der.data() + der.size();
  Element seq;
  if (!read_element(&p, end, seq) || seq.tag != V_ASN1_SEQUENCE || !seq.constructed) {
    return malformed("expected a SEQUENCE");
  }
  if (p != end) {
    return malformed("trailing bytes after the SEQUENCE");
  }
  const unsigned char* q = seq.content;
  const unsigned char* seq_end = seq.content + seq.length;
  Bytes out;
  out.reserve(2 * scalar_len);
  for (const char* name : {"r", "s"}) {
    Element v;
    if (!read_element(&q, seq_end, v) || v.tag != V_ASN1_INTEGER || v.constructed) {
      return malformed(std::string("expected INTEGER ") + name);
    }
    if (v.length == 0) {
      return malformed(std::string("empty INTEGER ") + name);
    }
    if ((v.content[0] & 0x80) != 0) {
      return malformed(std::string("negative INTEGER ") + name);
    }
    ossl::Ptr<BIGNUM> bn(BN_bin2bn(v.content, static_cast<int>(v.length), nullptr));
    if (!bn) {
      return Failure(Status::PsaErrorInsufficientMemory, "out of memory");
    }
    if (static_cast<size_t>(BN_num_bytes(bn.get())) > scalar_len) {
      return Failure(Status::PsaErrorInvalidArgument, std::string("signature value ") + name +
                                                          " is longer than the curve size (" +
                                                          std::to_string(scalar_len) + " bytes)");
    }
    const size_t at = out.size();
    out.resize(at + scalar_len);
    BN_bn2binpad(bn.get(), out.data() + at, static_cast<int>(scalar_len));
  }
  if (q != seq_end) {
    return malformed("extra fields in the SEQUENCE");
  }
  return out;
}

}  // namespace parsec::crypto
