#include "parsec/crypto/signature.h"

#include <openssl/asn1.h>

#include <string>

#include "ossl.h"

namespace parsec::crypto {
namespace {

Failure malformed(const std::string& what) {
  return {Status::PsaErrorInvalidArgument, "malformed DER signature: " + what};
}

// negative_integer: the next element at *p (within `end`) is an INTEGER whose
// content has its top bit set. OpenSSL's ECDSA_SIG decoder reads the INTEGERs
// as unsigned magnitudes, so the sign is checked on OpenSSL's TLV parse.
bool negative_integer(const unsigned char** p, const unsigned char* end) {
  long len = 0;
  int tag = 0;
  int cls = 0;
  const int flags = ASN1_get_object(p, &len, &tag, &cls, end - *p);
  if ((flags & 0x80) != 0 || tag != V_ASN1_INTEGER || len <= 0) {
    return false;  // not reached: ECDSA_SIG decoded this input already
  }
  const bool negative = ((*p)[0] & 0x80) != 0;
  *p += len;
  return negative;
}

}  // namespace

Result<Bytes> ecdsa_raw_to_der(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return Failure(Status::PsaErrorInvalidArgument,
                   "an ECDSA signature r||s has two halves of equal length; got " + std::to_string(raw.size()) +
                       " bytes");
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
  const unsigned char* p = der.data();
  ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) {
    return malformed("not an Ecdsa-Sig-Value SEQUENCE of two INTEGERs" + ossl::reason());
  }
  if (p != der.data() + der.size()) {
    return malformed("trailing bytes after the SEQUENCE");
  }
  // Walk the SEQUENCE once more for the signs of r and s.
  const unsigned char* q = der.data();
  const unsigned char* end = der.data() + der.size();
  long seq_len = 0;
  int tag = 0;
  int cls = 0;
  if ((ASN1_get_object(&q, &seq_len, &tag, &cls, end - q) & 0x80) != 0) {
    return malformed("bad SEQUENCE header" + ossl::reason());
  }
  if (negative_integer(&q, end)) {
    return malformed("negative INTEGER r");
  }
  if (negative_integer(&q, end)) {
    return malformed("negative INTEGER s");
  }
  Bytes out(2 * scalar_len);
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  const struct {
    const BIGNUM* v;
    const char* name;
    size_t offset;
  } parts[] = {{r, "r", 0}, {s, "s", scalar_len}};
  for (const auto& part : parts) {
    if (static_cast<size_t>(BN_num_bytes(part.v)) > scalar_len ||
        BN_bn2binpad(part.v, out.data() + part.offset, static_cast<int>(scalar_len)) < 0) {
      return Failure(Status::PsaErrorInvalidArgument, std::string("signature value ") + part.name +
                                                          " is longer than the curve size (" +
                                                          std::to_string(scalar_len) + " bytes)");
    }
  }
  return out;
}

}  // namespace parsec::crypto
