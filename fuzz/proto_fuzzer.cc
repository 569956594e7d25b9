// proto_fuzzer.cc - libFuzzer target for the protobuf -> model conversion
// (parsec/interface/psa_proto.h) and the stored-attributes reader. The first
// byte picks the message (key attributes or algorithm); the rest is its wire
// encoding. A message that converts must survive the way back: model -> proto
// -> model gives the same value (attributes with their implied usage flags
// added, as the encoder writes them).
//
// Single-threaded (libFuzzer calls one input at a time).
#include <cstdint>
#include <cstdio>
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
  } catch (const psa::proto::Invalid& e) {
    // The model holds only what from_proto accepted: it must encode.
    std::fprintf(stderr, "accepted attributes do not encode: %s\n", e.what());
    std::abort();
  }
  psa::KeyAttributes again = psa::proto::attributes_from_proto(back);
  // Encoding adds the usage flags a flag implies (sign_hash -> sign_message...);
  // everything else comes back unchanged.
  a.flags = a.flags.with_implied();
  if (!(again == a)) {
    std::fprintf(stderr, "attributes change on the way back: %s %u %s -> %s %u %s\n", a.type_to_string().c_str(),
                 a.bits, a.policy.to_string().c_str(), again.type_to_string().c_str(), again.bits,
                 again.policy.to_string().c_str());
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
  } catch (const psa::proto::Invalid& e) {
    std::fprintf(stderr, "accepted algorithm does not encode: %s\n", e.what());
    std::abort();
  }
  psa::Algorithm again = psa::proto::algorithm_from_proto(back);
  if (!(again == a)) {
    std::fprintf(stderr, "algorithm changes on the way back: %s -> %s\n", a.to_string().c_str(),
                 again.to_string().c_str());
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
