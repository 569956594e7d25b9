#include "der.h"


namespace parsec::provider::pkcs11::der {
namespace {

constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kOid = 0x06;
constexpr uint8_t kSequence = 0x30;

void put_length(Bytes& out, size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
    return;
  }
  uint8_t tmp[sizeof(size_t)];
  size_t k = 0;
  while (n > 0) {
    tmp[k++] = static_cast<uint8_t>(n & 0xFF);
    n >>= 8;
  }
  out.push_back(static_cast<uint8_t>(0x80 | k));
  while (k > 0) {
    out.push_back(tmp[--k]);
  }
}

// Reader walks one level of TLVs.
class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool done() const { return off_ == n_; }
  // next reads a TLV with `tag` and returns its content.
  bool next(uint8_t tag, const uint8_t*& content, size_t& len) {
    if (n_ - off_ < 2 || p_[off_] != tag) {
      return false;
    }
    size_t i = off_ + 1;
    uint8_t first = p_[i++];
    size_t l = 0;
    if (first < 0x80) {
      l = first;
    } else {
      size_t k = first & 0x7F;
      if (k == 0 || k > sizeof(size_t) || n_ - i < k || p_[i] == 0) {
        return false;  // indefinite, too long, truncated or not minimal
      }
      for (size_t j = 0; j < k; ++j) {
        l = l << 8 | p_[i++];
      }
      if (l < 0x80) {
        return false;  // long form where the short one fits
      }
    }
    if (n_ - i < l) {
      return false;
    }
    content = p_ + i;
    len = l;
    off_ = i + l;
    return true;
  }
  // unsigned_integer reads a non-negative INTEGER and returns its magnitude
  // without leading zeros.
  bool unsigned_integer(const uint8_t*& mag, size_t& len) {
    const uint8_t* c;
    size_t l;
    if (!next(kInteger, c, l) || l == 0) {
      return false;
    }
    if (c[0] & 0x80) {
      return false;  // negative
    }
    if (l > 1 && c[0] == 0 && !(c[1] & 0x80)) {
      return false;  // not minimal
    }
    while (l > 0 && c[0] == 0) {
      ++c;
      --l;
    }
    mag = c;
    len = l;
    return true;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t off_ = 0;
};

// OID content bytes of the hashes with a DigestInfo.
struct HashOid {
  psa::Hash hash;
  std::vector<uint8_t> oid;
};

const std::vector<HashOid>& hash_oids() {
  using H = psa::Hash;
  static const std::vector<HashOid> t = {
      {H::Md2, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x02}},
      {H::Md4, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x04}},
      {H::Md5, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05}},
      {H::Ripemd160, {0x2b, 0x24, 0x03, 0x02, 0x01}},
      {H::Sha1, {0x2b, 0x0e, 0x03, 0x02, 0x1a}},
      {H::Sha224, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04}},
      {H::Sha256, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}},
      {H::Sha384, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}},
      {H::Sha512, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}},
      {H::Sha512_224, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x05}},
      {H::Sha512_256, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x06}},
      {H::Sha3_224, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x07}},
      {H::Sha3_256, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x08}},
      {H::Sha3_384, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x09}},
      {H::Sha3_512, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0a}},
  };
  return t;
}

}  // namespace

namespace {

const Bytes kP256 = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const Bytes kP384 = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
const Bytes kP521 = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};

}  // namespace

Bytes tlv(uint8_t tag, const uint8_t* p, size_t n) {
  Bytes out;
  out.reserve(n + 6);
  out.push_back(tag);
  put_length(out, n);
  out.insert(out.end(), p, p + n);
  return out;
}

Bytes integer(const Bytes& magnitude) {
  size_t skip = 0;
  while (skip < magnitude.size() && magnitude[skip] == 0) {
    ++skip;
  }
  Bytes content;
  if (skip == magnitude.size() || (magnitude[skip] & 0x80)) {
    content.push_back(0);
  }
  content.insert(content.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(skip), magnitude.end());
  return tlv(kInteger, content.data(), content.size());
}

Bytes octet_string(const Bytes& content) { return tlv(kOctetString, content.data(), content.size()); }

Bytes rsa_public_key(const Bytes& modulus, const Bytes& exponent) {
  Bytes body = integer(modulus);
  Bytes e = integer(exponent);
  body.insert(body.end(), e.begin(), e.end());
  return tlv(kSequence, body.data(), body.size());
}

std::optional<RsaPublicKey> parse_rsa_public_key(const uint8_t* p, size_t n) {
  Reader outer(p, n);
  const uint8_t* seq;
  size_t seq_len;
  if (!outer.next(kSequence, seq, seq_len) || !outer.done()) {
    return std::nullopt;
  }
  Reader in(seq, seq_len);
  const uint8_t *m, *e;
  size_t ml, el;
  if (!in.unsigned_integer(m, ml) || !in.unsigned_integer(e, el) || !in.done() || ml == 0 || el == 0) {
    return std::nullopt;
  }
  return RsaPublicKey{Bytes(m, m + ml), Bytes(e, e + el)};
}

std::optional<RsaPrivateKey> parse_rsa_private_key(const uint8_t* p, size_t n) {
  Reader outer(p, n);
  const uint8_t* seq;
  size_t seq_len;
  if (!outer.next(kSequence, seq, seq_len) || !outer.done()) {
    return std::nullopt;
  }
  Reader in(seq, seq_len);
  const uint8_t* v;
  size_t vl;
  if (!in.unsigned_integer(v, vl) || vl != 0) {
    return std::nullopt;  // version must be 0 (two-prime)
  }
  RsaPrivateKey k;
  SecretBytes* fields[] = {&k.modulus, &k.public_exponent, &k.private_exponent, &k.prime1,
                           &k.prime2,  &k.exponent1,       &k.exponent2,        &k.coefficient};
  for (SecretBytes* f : fields) {
    const uint8_t* c;
    size_t l;
    if (!in.unsigned_integer(c, l) || l == 0) {
      return std::nullopt;
    }
    *f = SecretBytes(c, l);
  }
  if (!in.done()) {
    return std::nullopt;
  }
  return k;
}

std::optional<Bytes> unwrap_octet_string(const uint8_t* p, size_t n) {
  Reader r(p, n);
  const uint8_t* c;
  size_t l;
  if (!r.next(kOctetString, c, l) || !r.done()) {
    return std::nullopt;
  }
  return Bytes(c, c + l);
}

size_t bit_length(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] == 0) {
    ++i;
  }
  if (i == n) {
    return 0;
  }
  size_t bits = (n - i) * 8;
  for (uint8_t top = p[i]; !(top & 0x80); top = static_cast<uint8_t>(top << 1)) {
    --bits;
  }
  return bits;
}

std::optional<Bytes> ec_params(size_t bits) {
  switch (bits) {
    case 256:
      return kP256;
    case 384:
      return kP384;
    case 521:
      return kP521;
    default:
      return std::nullopt;
  }
}

size_t curve_bits_from_params(const Bytes& params) {
  if (params == kP256) {
    return 256;
  }
  if (params == kP384) {
    return 384;
  }
  if (params == kP521) {
    return 521;
  }
  return 0;
}

std::optional<Bytes> digest_info_prefix(psa::Hash hash) {
  for (const auto& h : hash_oids()) {
    if (h.hash != hash) {
      continue;
    }
    size_t dlen = psa::hash_length(hash);
    // DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING digest }
    Bytes alg = tlv(kOid, h.oid.data(), h.oid.size());
    alg.push_back(0x05);
    alg.push_back(0x00);
    Bytes alg_seq = tlv(kSequence, alg.data(), alg.size());
    Bytes out;
    out.push_back(kSequence);
    put_length(out, alg_seq.size() + 2 + dlen);
    out.insert(out.end(), alg_seq.begin(), alg_seq.end());
    out.push_back(kOctetString);
    out.push_back(static_cast<uint8_t>(dlen));
    return out;
  }
  return std::nullopt;
}

}  // namespace parsec::provider::pkcs11::der
