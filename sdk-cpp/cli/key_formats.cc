#include "sdk-cpp/cli/key_formats.h"

namespace parsec::cli {

ParsedKey parse_key_file(const Bytes& contents) {
  return unwrap(crypto::parse_key_file(contents));
}

std::string private_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1) {
  return unwrap(crypto::private_key_pem(attributes, psa_key_pair, pkcs1));
}

}  // namespace parsec::cli
