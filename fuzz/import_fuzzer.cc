// import_fuzzer.cc - libFuzzer target for key import decoding
// (parsec/crypto/import.h, keys.h): RSA public and private keys in DER, ECC
// points and private scalars, the declared-size check every PsaImportKey
// passes through, DER OCTET STRING unwrapping and key files (PEM/DER).
// Input: byte 0 picks the key type, byte 1 the ECC curve / bits, the rest is
// the import data. Only crashes and sanitizer reports are findings: every
// decoder answers a status for bad data.
//
// Single-threaded (libFuzzer calls one input at a time).
#include <cstdint>
#include <string>
#include <vector>

#include "parsec/crypto/import.h"
#include "parsec/crypto/keys.h"
#include "parsec/psa/key_attributes.h"

namespace {

using namespace parsec;

struct Curve {
  psa::EccFamily family;
  uint32_t bits;
};
constexpr Curve kCurves[] = {{psa::EccFamily::SecpR1, 256},       {psa::EccFamily::SecpR1, 384},
                             {psa::EccFamily::SecpR1, 521},       {psa::EccFamily::SecpK1, 256},
                             {psa::EccFamily::BrainpoolPR1, 256}, {psa::EccFamily::Montgomery, 255},
                             {psa::EccFamily::SecpR1, 0},         {psa::EccFamily::SecpR1, 7}};
constexpr uint32_t kRsaBits[] = {0, 1024, 2048, 3072, 4096, 8192, 1023, 17};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const uint8_t kind = data[0];
  const uint8_t sel = data[1];
  const uint8_t* p = data + 2;
  const size_t n = size - 2;
  std::vector<uint8_t> bytes(p, p + n);
  const Curve& c = kCurves[sel % (sizeof kCurves / sizeof kCurves[0])];
  const uint32_t rsa_bits = kRsaBits[sel % (sizeof kRsaBits / sizeof kRsaBits[0])];
  psa::Algorithm any;
  switch (kind % 8) {
    case 0:
      (void)crypto::parse_rsa_public_key(p, n);
      (void)crypto::check_import_size(psa::KeyAttributes::of_type(psa::KeyType::RsaPublicKey, rsa_bits, any),
                                      SecretBytes(p, n));
      break;
    case 1:
      (void)crypto::parse_rsa_private_key(p, n);
      (void)crypto::check_import_size(psa::KeyAttributes::of_type(psa::KeyType::RsaKeyPair, rsa_bits, any),
                                      SecretBytes(p, n));
      break;
    case 2:
      (void)crypto::check_ecc_point(c.family, c.bits, bytes);
      (void)crypto::check_import_size(psa::KeyAttributes::ecc_public_key(c.bits, any, c.family), SecretBytes(p, n));
      break;
    case 3:
      (void)crypto::ecc_public_point(c.family, c.bits, SecretBytes(p, n));
      (void)crypto::check_import_size(psa::KeyAttributes::ecc_key_pair(c.bits, any, c.family), SecretBytes(p, n));
      break;
    case 4:
      (void)crypto::unwrap_octet_string(p, n);
      break;
    case 5:
      (void)crypto::parse_key_file(bytes);
      break;
    case 6:
      (void)crypto::rsa_spki(bytes);
      (void)crypto::ecc_spki(c.family, c.bits, bytes);
      break;
    default:
      (void)crypto::check_import_size(psa::KeyAttributes::of_type(psa::KeyType::Aes, sel, any), SecretBytes(p, n));
      break;
  }
  return 0;
}
