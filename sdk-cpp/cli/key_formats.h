// key_formats.h - key files for parsec-cli's import-key and export-key: PEM or
// DER keys (private or public, RSA or elliptic curve) to the PSA import format,
// and PSA export data of key pairs back to PEM. The encoding module
// (parsec/crypto/keys.h) parses and encodes; this file turns its failures into
// CliError with the same text. Thread-safe. Key material lives in
// parsec::SecretBytes (parsec/interface/secret.h).
#pragma once

#include <string>

#include "parsec/client/key_attributes.h"
#include "parsec/crypto/keys.h"
#include "parsec/interface/secret.h"
#include "sdk-cpp/cli/crypto_support.h"

namespace parsec::cli {

// A key read from a file, in the form PsaImportKey takes.
using ParsedKey = crypto::ParsedKey;

// parse_key_file: crypto::parse_key_file, throwing CliError.
ParsedKey parse_key_file(const Bytes& contents);

// private_key_pem: crypto::private_key_pem, throwing CliError. The result
// holds key material: wipe it (parsec::wipe) after use.
std::string private_key_pem(const client::KeyAttributes& attributes, const Bytes& psa_key_pair, bool pkcs1);

}  // namespace parsec::cli
