// convert.h - the client core's view of the shared PSA <-> protobuf conversion
// (parsec/interface/psa_proto.h): the same functions, with a contract
// violation reported as the client's Error(InvalidEncoding) instead of
// psa::proto::Invalid. Internal to parsec_client; protobuf never appears in the
// public headers.
#pragma once

#include <utility>

#include "parsec/client/error.h"
#include "parsec/interface/psa_proto.h"

namespace parsec::client::detail {

namespace pa = ::psa_algorithm;
namespace pk = ::psa_key_attributes;

// strict runs one conversion and rethrows a contract violation as Error.
template <typename F>
auto strict(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const psa::proto::Invalid& e) {
    throw Error::client_error(Status::InvalidEncoding, "", e.what());
  }
}

#define PARSEC_CLIENT_CONVERT(name)                                           \
  template <typename... A>                                                    \
  auto name(A&&... a)->decltype(psa::proto::name(std::forward<A>(a)...)) {    \
    return strict([&]() { return psa::proto::name(std::forward<A>(a)...); }); \
  }
PARSEC_CLIENT_CONVERT(hash_to_proto)
PARSEC_CLIENT_CONVERT(hash_from_proto)
PARSEC_CLIENT_CONVERT(cipher_to_proto)
PARSEC_CLIENT_CONVERT(raw_key_agreement_to_proto)
PARSEC_CLIENT_CONVERT(algorithm_to_proto)
PARSEC_CLIENT_CONVERT(algorithm_from_proto)
PARSEC_CLIENT_CONVERT(signature_to_proto)
PARSEC_CLIENT_CONVERT(signature_from_proto)
PARSEC_CLIENT_CONVERT(encryption_to_proto)
PARSEC_CLIENT_CONVERT(encryption_from_proto)
PARSEC_CLIENT_CONVERT(aead_to_proto)
PARSEC_CLIENT_CONVERT(aead_from_proto)
PARSEC_CLIENT_CONVERT(mac_to_proto)
PARSEC_CLIENT_CONVERT(mac_from_proto)
PARSEC_CLIENT_CONVERT(attributes_to_proto)
PARSEC_CLIENT_CONVERT(attributes_from_proto)
PARSEC_CLIENT_CONVERT(attest_credential_from_proto)
PARSEC_CLIENT_CONVERT(prepared_attestation_from_proto)
#undef PARSEC_CLIENT_CONVERT

}  // namespace parsec::client::detail
