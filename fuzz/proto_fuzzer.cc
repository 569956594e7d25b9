// proto_fuzzer.cc - libFuzzer target for the protobuf -> model conversion
// (parsec/interface/psa_proto.h) and the stored-attributes reader. The first
// byte picks the message (key attributes or algorithm); the rest is its wire
// encoding. A message that converts must survive the way back: model -> proto
// -> model gives the same value, and attributes the contract accepts encode.
//
// Single-threaded (libFuzzer calls one input at a time).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "parsec/interface/psa_proto.h"
#include "parsec/psa/policy.h"
#include "psa_algorithm.pb.h"
#include "psa_key_attributes.pb.h"

namespace {

using namespace parsec;

void attributes(const std::string& bytes) {
  psa_key_attributes::KeyAttributes m;
  if (!m.ParseFromString(bytes)) {
    return;
  }
  psa::KeyAttributes a;
  try {
    a = psa::proto::attributes_from_proto(m);
  } catch (const psa::proto::Invalid&) {
    return;
  }
  (void)psa::policy::validate_attributes(a);
  psa_key_attributes::KeyAttributes back;
  try {
    psa::proto::attributes_to_proto(a, &back);
  } catch (const psa::proto::Invalid&) {
    // The model holds only what from_proto accepted: it must encode.
    std::abort();
  }
  if (!(psa::proto::attributes_from_proto(back) == a)) {
    std::abort();
  }
}

void algorithm(const std::string& bytes) {
  psa_algorithm::Algorithm m;
  if (!m.ParseFromString(bytes)) {
    return;
  }
  psa::Algorithm a;
  try {
    a = psa::proto::algorithm_from_proto(m);
  } catch (const psa::proto::Invalid&) {
    return;
  }
  psa_algorithm::Algorithm back;
  try {
    psa::proto::algorithm_to_proto(a, &back);
  } catch (const psa::proto::Invalid&) {
    std::abort();
  }
  if (!(psa::proto::algorithm_from_proto(back) == a)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    algorithm(bytes);
  } else {
    attributes(bytes);
  }
  return 0;
}
