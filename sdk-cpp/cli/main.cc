// parsec-cli - command-line client of the Parsec service.
//
// The subcommands, their option names and their output follow the reference
// tool (parsec-tool) so that scripts written for it keep working. Additions:
// `verify`, `hash`, `import-key`, `export-key`, the `--exportable` flag of
// the key creation commands, `--auth`, `--version`, binary input (`-i FILE`,
// `-i -` for standard input) and output formats (`--format`). Every failure
// prints one line on stderr,
//   parsec-cli: <subcommand>: <StatusName>: <what happened>
// and exits 1; command-line usage errors exit 2 (kExitStatusHelp).
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsec/client/client.h"
#ifdef PARSEC_WITH_JWT_SVID
#include "parsec/client/workload_api_source.h"
#endif
#include "sdk-cpp/cli/crypto_support.h"
#include "sdk-cpp/cli/csr.h"
#include "sdk-cpp/cli/key_formats.h"

namespace {

using parsec::cli::Bytes;
using parsec::cli::CliError;
using parsec::client::Algorithm;
using parsec::client::AlgorithmKind;
using parsec::client::Client;
using parsec::client::Hash;
using parsec::client::KeyAttributes;
using parsec::client::KeyType;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

#ifndef PARSEC_CLI_VERSION
#define PARSEC_CLI_VERSION "0.0.0"
#endif

constexpr const char* kExitStatusHelp =
    "Exit status: 0 success; 1 the operation failed (the service or the client reported an error, or verify found "
    "the signature invalid), with one line on stderr: parsec-cli: <command>: <Status>: <why>; 2 usage error "
    "(unknown command, missing or bad option).\n"
    "The service is found through PARSEC_SERVICE_ENDPOINT: unix:/path/to/socket or an absolute socket path "
    "(default unix:/run/parsec/parsec.sock).";

struct GlobalOptions {
  int provider = -1;  // -1: the service's default provider
  std::string app_name;
  std::string auth;        // "", "direct", "unix-peer" or "jwt-svid"
  int64_t timeout_s = -1;  // -1: the client default
};

Client make_client(const GlobalOptions& g) {
  Client client(g.app_name);
  if (g.provider >= 0) {
    client.set_provider(static_cast<parsec::ProviderId>(g.provider));
  }
  if (g.auth == "direct") {
    if (g.app_name.empty()) {
      throw CliError("--auth direct needs --app-name");
    }
    client.set_auth_type(parsec::AuthType::Direct);
  } else if (g.auth == "unix-peer") {
    client.set_auth_type(parsec::AuthType::UnixPeerCredentials);
  }
#ifdef PARSEC_WITH_JWT_SVID
  // With a SPIFFE Workload API at hand (SPIFFE_ENDPOINT_SOCKET), JWT-SVID is
  // usable: the token is fetched only when a request needs it.
  const char* spiffe_socket = std::getenv("SPIFFE_ENDPOINT_SOCKET");
  if (g.auth == "jwt-svid" || (g.auth.empty() && spiffe_socket && *spiffe_socket)) {
    client.set_jwt_svid_source(parsec::client::workload_api_jwt_source());
  }
  if (g.auth == "jwt-svid") {
    client.set_auth_type(parsec::AuthType::JwtSvid);
  }
#else
  if (g.auth == "jwt-svid") {
    throw CliError("--auth jwt-svid: this parsec-cli was built without JWT-SVID support (gRPC)");
  }
#endif
  if (g.timeout_s >= 0) {
    // 0 means "no timeout", as for the reference tool.
    const int64_t ms = g.timeout_s * 1000;
    client.set_timeout_ms(ms > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ms));
  }
  return client;
}

std::string hex2(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

// signing_algorithm derives the algorithm to sign with from a key policy, and
// the hash to apply to the input first: the policy's own hash, SHA-256 for a
// policy allowing any hash, and SHA-256 for ECDSA without a named hash.
Algorithm signing_algorithm(const Algorithm& policy, Hash* hash) {
  if (!policy.is_asymmetric_signature()) {
    throw CliError("the key's algorithm " + policy.to_string() + " cannot be used for signing");
  }
  if (policy.has_sign_hash()) {
    *hash = policy.hash_alg() == Hash::Any ? Hash::Sha256 : policy.hash_alg();
    return policy.with_sign_hash(*hash);
  }
  if (policy.kind() == AlgorithmKind::EcdsaAny) {
    *hash = Hash::Sha256;
    return policy;
  }
  throw CliError("asymmetric signing algorithm " + policy.to_string() + " is not supported");
}

Bytes as_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// ---- subcommands ------------------------------------------------------------------

void cmd_ping(Client& c) {
  const auto v = c.ping();
  std::cout << static_cast<unsigned>(v.major) << "." << static_cast<unsigned>(v.minor) << "\n";
}

void cmd_list_providers(Client& c) {
  for (const auto& p : c.list_providers()) {
    std::cout << "ID: " << hex2(static_cast<uint32_t>(p.id)) << " (" << parsec::client::provider_display_name(p.id)
              << ")\n"
              << "Description: " << p.description << "\n"
              << "Version: " << p.version_maj << "." << p.version_min << "." << p.version_rev << "\n"
              << "Vendor: " << (p.vendor.empty() ? std::string("Unspecified") : p.vendor) << "\n"
              << "UUID: " << p.uuid << "\n\n";
  }
}

void cmd_list_authenticators(Client& c) {
  for (const auto& a : c.list_authenticators()) {
    std::cout << "ID: " << hex2(static_cast<uint32_t>(a.id)) << " (" << parsec::client::auth_type_display_name(a.id)
              << ")\n"
              << "Description: " << a.description << "\n"
              << "Version: " << a.version_maj << "." << a.version_min << "." << a.version_rev << "\n\n";
  }
}

// Without a provider option the reference tool lists the core provider's
// opcodes (its client for this command has no provider chosen); -p/--provider
// of the command or the global one selects another.
void cmd_list_opcodes(Client& c, int provider, int global_provider) {
  const int chosen = provider >= 0 ? provider : global_provider;
  const parsec::ProviderId p = chosen >= 0 ? static_cast<parsec::ProviderId>(chosen) : parsec::ProviderId::Core;
  for (const auto op : c.list_opcodes(p)) {
    std::cout << hex2(static_cast<uint32_t>(op)) << " (" << parsec::opcode_name(op) << ")\n";
  }
}

void cmd_list_keys(Client& c) {
  for (const auto& k : c.list_keys()) {
    std::cout << "* " << k.name << " (" << parsec::client::provider_display_name(k.provider_id) << ", "
              << k.attributes.type_to_string() << ", " << k.attributes.bits
              << " bits, permitted algorithm: " << k.attributes.policy.to_string() << ")\n";
  }
}

void cmd_list_clients(Client& c) {
  for (const auto& name : c.list_clients()) {
    std::cout << name << "\n";
  }
}

// write_binary writes bytes to standard output unchanged (no newline).
void write_binary(const Bytes& data) {
  std::cout.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  std::cout.flush();
}

// write_formatted prints `data` as `format` asks: "base64" and "hex" end with a
// newline, "raw" is the bytes alone (for a file or a pipe).
void write_formatted(const Bytes& data, const std::string& format) {
  if (format == "raw") {
    write_binary(data);
  } else if (format == "hex") {
    std::cout << parsec::cli::hex_encode(data) << "\n";
  } else {
    std::cout << parsec::cli::base64_encode(data) << "\n";
  }
}

void cmd_generate_random(Client& c, uint64_t nbytes, const std::string& format) {
  write_formatted(c.generate_random(nbytes), format);
}

// The ECC key template of the reference tool: ECDSA with SHA-256 for P-256;
// imported keys of larger curves get the hash that matches the curve (P-384:
// SHA-384, P-521: SHA-512, as TLS 1.3's ecdsa_secp384r1_sha384 needs).
const Algorithm kEccPolicy = Algorithm::ecdsa(Hash::Sha256);

Algorithm ecc_policy_for_bits(uint32_t bits) {
  if (bits <= 256) {
    return kEccPolicy;
  }
  return Algorithm::ecdsa(bits <= 384 ? Hash::Sha384 : Hash::Sha512);
}

void cmd_create_ecc_key(Client& c, const std::string& key_name, bool exportable) {
  // secp256r1, ECDSA with SHA-256, sign/verify hash and message.
  KeyAttributes attrs = KeyAttributes::ecc_key_pair(256, kEccPolicy);
  attrs.flags.export_ = exportable;
  c.generate_key(key_name, attrs);
}

// The RSA policy choices of create-rsa-key (and import-key).
struct RsaPolicyOptions {
  bool for_signing = false;
  bool for_signing_pss = false;
  bool oaep = false;

  Algorithm policy() const {
    if (for_signing) {  // takes precedence over --for-signing-pss
      return Algorithm::rsa_pkcs1v15_sign(Hash::Sha256);
    }
    if (for_signing_pss) {
      return Algorithm::rsa_pss(Hash::Sha256);
    }
    return oaep ? Algorithm::rsa_oaep(Hash::Sha256) : Algorithm::rsa_pkcs1v15_crypt();
  }
};

struct RsaOptions {
  std::string key_name;
  RsaPolicyOptions policy;
  uint32_t bits = 2048;
  bool exportable = false;
};

void cmd_create_rsa_key(Client& c, const RsaOptions& o) {
  // The size is not checked here: the service and its back end decide.
  KeyAttributes attrs = KeyAttributes::rsa_key_pair(o.bits, o.policy.policy());
  attrs.flags.export_ = o.exportable;
  c.generate_key(o.key_name, attrs);
}

void cmd_export_public_key(Client& c, const std::string& key_name, bool pkcs1) {
  const Bytes data = c.export_public_key(key_name);
  const KeyAttributes attrs = c.key_attributes(key_name);
  std::cout << parsec::cli::public_key_pem(attrs, data, pkcs1);
}

// read_file reads a file ("-": standard input) into a buffer that is wiped
// when it is freed, and so are the buffers it outgrows (key files hold
// private keys).
parsec::SecretBytes read_file(const std::string& path) {
  const int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw CliError("cannot open " + path + ": " + std::strerror(errno));
  }
  Bytes data;
  data.reserve(4096);
  size_t used = 0;
  for (;;) {
    if (used == data.capacity()) {
      Bytes bigger;
      bigger.reserve(data.capacity() * 2);
      bigger.assign(data.begin(), data.end());
      parsec::SecretBytes old(std::move(data));  // wiped here
      data = std::move(bigger);
    }
    data.resize(data.capacity());
    const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) {
      data.resize(used);
      continue;
    }
    if (n < 0) {
      const int err = errno;
      if (fd != STDIN_FILENO) {
        ::close(fd);
      }
      parsec::SecretBytes wipe_partial(std::move(data));
      throw CliError("cannot read " + path + ": " + std::strerror(err));
    }
    used += static_cast<size_t>(n);
    data.resize(used);
    if (n == 0) {
      break;
    }
  }
  if (fd != STDIN_FILENO) {
    ::close(fd);
  }
  return parsec::SecretBytes(std::move(data));
}

struct ImportOptions {
  std::string key_name;
  std::string file;
  RsaPolicyOptions policy;
  bool exportable = false;
};

// import-key: the policy follows create-rsa-key / create-ecc-key; a public key
// gets the public half of the uses (verify, encrypt).
void cmd_import_key(Client& c, const ImportOptions& o) {
  const parsec::SecretBytes file = read_file(o.file);
  const parsec::cli::ParsedKey key = parsec::cli::parse_key_file(file.bytes());
  KeyAttributes attrs;
  switch (key.type) {
    case KeyType::RsaKeyPair:
      attrs = KeyAttributes::rsa_key_pair(key.bits, o.policy.policy());
      break;
    case KeyType::RsaPublicKey:
      attrs = KeyAttributes::rsa_public_key(key.bits, o.policy.policy());
      break;
    case KeyType::EccKeyPair:
    case KeyType::EccPublicKey:
      if (o.policy.for_signing_pss || o.policy.oaep) {
        throw CliError("--for-signing-pss and --oaep apply to RSA keys only");
      }
      attrs = key.type == KeyType::EccKeyPair
                  ? KeyAttributes::ecc_key_pair(key.bits, ecc_policy_for_bits(key.bits), key.family)
                  : KeyAttributes::ecc_public_key(key.bits, ecc_policy_for_bits(key.bits), key.family);
      break;
    default:
      throw CliError("unsupported key type");
  }
  attrs.flags.export_ = o.exportable;
  c.import_key(o.key_name, attrs, key.data.bytes());
}

// export-key: PEM (PKCS#8 or, with --pkcs1, PKCS#1 for RSA; public keys as
// export-public-key prints them) or, with --psa, the PSA export format in base64.
void cmd_export_key(Client& c, const std::string& key_name, bool pkcs1, bool psa) {
  if (psa && pkcs1) {
    throw CliError("--psa and --pkcs1 exclude each other");
  }
  const KeyAttributes attrs = c.key_attributes(key_name);
  const parsec::SecretBytes data(c.export_key(key_name));
  std::string out;
  if (psa) {
    out = parsec::cli::base64_encode(data.bytes());
  } else if (parsec::client::is_public_key_type(attrs.type)) {
    out = parsec::cli::public_key_pem(attrs, data.bytes(), pkcs1);
  } else {
    out = parsec::cli::private_key_pem(attrs, data.bytes(), pkcs1);
  }
  std::cout << out << (psa ? "\n" : "") << std::flush;
  parsec::wipe(out);
}

// The reference tool reads an asymmetric encryption algorithm from the key's
// policy and refuses the others.
Algorithm encryption_algorithm(const KeyAttributes& attrs, const char* what) {
  const Algorithm& policy = attrs.policy;
  if (policy.is_asymmetric_encryption()) {
    return policy;
  }
  if (policy.kind() == AlgorithmKind::Cipher || policy.is_aead()) {
    throw CliError("the key's algorithm " + policy.to_string() + " is not currently supported for " + what);
  }
  throw CliError("the key's algorithm " + policy.to_string() + " cannot be used for " + what);
}

// DataInput is the data of sign/verify/encrypt/decrypt: the positional
// argument or, with -i/--input, the bytes of a file ("-": standard input).
struct DataInput {
  std::string text;
  std::string file;
  CLI::Option* text_option = nullptr;
  CLI::Option* file_option = nullptr;

  // bytes returns the input (wiped when freed: it may be a plaintext). The
  // text is taken as it is, the file as raw bytes unless `file_is_base64`.
  parsec::SecretBytes bytes() const {
    const bool has_text = text_option != nullptr && text_option->count() > 0;
    const bool has_file = file_option != nullptr && file_option->count() > 0;
    if (has_text == has_file) {
      throw CliError(has_text ? "give the input either as an argument or with -i/--input, not both"
                              : "no input: give it as an argument or with -i FILE (-i - reads standard input)");
    }
    return has_file ? read_file(file) : parsec::SecretBytes(as_bytes(text));
  }
  bool from_file() const { return file_option != nullptr && file_option->count() > 0; }
  bool given() const { return from_file() || (text_option != nullptr && text_option->count() > 0); }
};

void cmd_encrypt(Client& c, const std::string& key_name, const DataInput& input, const std::string& format) {
  const Algorithm alg = encryption_algorithm(c.key_attributes(key_name), "encryption");
  // No salt (OAEP label), as the reference tool.
  write_formatted(c.asymmetric_encrypt(key_name, alg, input.bytes().bytes()), format);
}

// decrypt: the argument is base64 (as encrypt prints it), a file or standard
// input holds the raw ciphertext (encrypt --format raw).
void cmd_decrypt(Client& c, const std::string& key_name, const DataInput& input, const std::string& format) {
  const Bytes ciphertext = input.from_file() ? input.bytes().bytes() : parsec::cli::base64_decode(input.text);
  const Algorithm alg = encryption_algorithm(c.key_attributes(key_name), "decryption");
  const parsec::SecretBytes plaintext(c.asymmetric_decrypt(key_name, alg, ciphertext));
  if (format == "raw") {
    write_binary(plaintext.bytes());
    return;
  }
  if (format == "base64") {
    std::string b64 = parsec::cli::base64_encode(plaintext.bytes());
    std::cout << b64 << "\n" << std::flush;
    parsec::wipe(b64);
    return;
  }
  // Printed as text: invalid UTF-8 becomes U+FFFD, as in the reference tool.
  std::string text = parsec::cli::utf8_lossy(plaintext.bytes());
  std::cout << text << "\n" << std::flush;
  parsec::wipe(text);
}

// hash: PsaHashCompute of the string, or of standard input without one.
void cmd_hash(Client& c, const std::string& alg_name, const std::string* input) {
  const Hash alg = parsec::cli::hash_from_name(alg_name);
  if (input != nullptr) {
    std::cout << parsec::cli::hex_encode(c.hash_compute(alg, as_bytes(*input))) << "\n";
  } else {
    std::cout << parsec::cli::hex_encode(c.hash_compute(alg, read_file("-").bytes())) << "\n";
  }
}

// create-csr: the request is built here and signed by the service.
void cmd_create_csr(Client& c, const std::string& key_name, const parsec::cli::CsrFields& fields) {
  const KeyAttributes attrs = c.key_attributes(key_name);
  const parsec::cli::CsrSigning signing = parsec::cli::csr_signing(attrs);
  const Bytes spki = parsec::cli::public_key_spki(attrs, c.export_public_key(key_name));
  const Bytes der = parsec::cli::create_csr(fields, spki, signing.scheme, signing.hash, [&](const Bytes& digest) {
    Bytes signature = c.sign_hash(key_name, signing.sign_alg, digest);
    return signing.scheme == parsec::cli::CsrScheme::Ecdsa ? parsec::cli::ecdsa_raw_to_der(signature) : signature;
  });
  // The reference tool prints the PEM followed by an empty line.
  std::cout << parsec::cli::pem_encode("CERTIFICATE REQUEST", der) << "\n";
}

// sign: the signature (DER for ECDSA) in base64, or raw with --format raw.
void cmd_sign(Client& c, const std::string& key_name, const DataInput& input, const std::string& format) {
  const KeyAttributes attrs = c.key_attributes(key_name);
  Hash hash = Hash::None;
  const Algorithm alg = signing_algorithm(attrs.policy, &hash);
  Bytes signature = c.sign_hash(key_name, alg, parsec::cli::digest(hash, input.bytes().bytes()));
  if (alg.is_ecc_signature()) {
    signature = parsec::cli::ecdsa_raw_to_der(signature);
  }
  write_formatted(signature, format);
}

// Returns false when the signature does not verify. The signature is base64
// (-s) or the raw bytes of a file (--signature-file, as sign --format raw wrote).
bool cmd_verify(Client& c, const std::string& key_name, const std::string& signature_b64,
                const std::string& signature_file, const DataInput& input) {
  if (signature_b64.empty() == signature_file.empty()) {
    throw CliError("give the signature with -s BASE64 or --signature-file FILE (one of them)");
  }
  const KeyAttributes attrs = c.key_attributes(key_name);
  Hash hash = Hash::None;
  const Algorithm alg = signing_algorithm(attrs.policy, &hash);
  Bytes signature =
      signature_file.empty() ? parsec::cli::base64_decode(signature_b64) : read_file(signature_file).bytes();
  if (alg.is_ecc_signature()) {
    if (attrs.bits == 0) {
      throw CliError("the key's size is unknown; cannot decode an ECDSA signature");
    }
    signature = parsec::cli::ecdsa_der_to_raw(signature, (attrs.bits + 7) / 8);
  }
  if (!c.verify_hash(key_name, alg, parsec::cli::digest(hash, input.bytes().bytes()), signature)) {
    return false;
  }
  std::cout << "Signature verified\n";
  return true;
}

// command_names lists the subcommands, for the usage messages.
std::string command_names(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

// unknown_command finds the command word of the command line (the first word
// that is neither an option nor the value of a global option) and returns the
// usage message when it is missing or names no command; CLI11's own messages
// ("A subcommand is required", "The following arguments were not expected")
// name neither the word nor the valid commands.
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
  static const char* const kOptionsWithValue[] = {"-p", "--provider", "--app-name", "--auth", "-t", "--timeout"};
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "-h" || word == "--help" || word == "--version") {
      return std::nullopt;
    }
    if (!word.empty() && word[0] == '-') {
      for (const char* o : kOptionsWithValue) {
        if (word == o) {
          ++i;  // skip its value
          break;
        }
      }
      continue;
    }
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->check_name(word)) {
        return std::nullopt;
      }
    }
    return "unknown command '" + word + "'; valid commands: " + command_names(app);
  }
  return "a command is required; valid commands: " + command_names(app);
}

// warn_if_app_name_unused: the daemon may list UnixPeerCredentials before
// Direct, and the automatic choice then ignores --app-name (the keys go to the
// uid's namespace). Say so, and how to force Direct. The choice costs one
// ListAuthenticators request, made only when --app-name was given without
// --auth; if it fails, the command itself reports the error.
void warn_if_app_name_unused(Client& c, const GlobalOptions& g) {
  if (g.app_name.empty() || !g.auth.empty()) {
    return;
  }
  parsec::AuthType chosen;
  try {
    chosen = c.auth_type();
  } catch (const parsec::client::Error&) {
    return;
  }
  if (chosen != parsec::AuthType::Direct) {
    std::cerr << "parsec-cli: warning: --app-name is not used: the service authenticates this client with "
              << parsec::client::auth_type_display_name(chosen)
              << " (the first authenticator it lists); add --auth direct to use the application name\n";
  }
}

int fail(const std::string& subcommand, const std::string& message) {
  std::cerr << "parsec-cli: " << (subcommand.empty() ? "" : subcommand + ": ") << message << "\n";
  return kExitFailure;
}

// create-key-reference (openssl-provider/, docs/openssl-provider.md): writes the
// PEM key reference file that the OpenSSL provider's decoder turns into a
// Parsec key, for programs that only take a key *file* (curl --key, nginx,
// Python ssl). The URI pins the provider holding the key and the application
// name given here, so the file means the same key whatever the defaults are.
std::string key_reference_uri_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

void register_key_reference_command(CLI::App& app, std::map<const CLI::App*, std::function<int(Client&)>>& actions,
                                    const GlobalOptions& g) {
  struct Options {
    std::string key_name;
    std::string output;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("create-key-reference",
                                 "Write a key reference file (PEM \"PARSEC KEY REFERENCE\") naming a key, for OpenSSL "
                                 "programs using the parsec provider");
  cmd->add_option("-k,--key-name", o->key_name, "name of the key")->required();
  cmd->add_option("-o,--output", o->output, "file to write (default: standard output)");
  actions[cmd] = [o, &g](Client& c) {
    // Resolves the key (and so the provider holding it) now: a reference to a
    // key that does not exist fails here, not later in the TLS program.
    const parsec::client::Key key = c.key(o->key_name);
    std::string uri = "parsec:" + key_reference_uri_escape(key.name()) +
                      "?provider=" + std::to_string(static_cast<int>(c.provider()));
    if (!g.app_name.empty()) {
      uri += "&app=" + key_reference_uri_escape(g.app_name);
    }
    std::string pem = parsec::cli::pem_encode("PARSEC KEY REFERENCE", Bytes(uri.begin(), uri.end()));
    if (pem.empty() || pem.back() != '\n') {
      pem.push_back('\n');
    }
    if (o->output.empty()) {
      std::cout << pem;
      return 0;
    }
    std::FILE* f = std::fopen(o->output.c_str(), "w");
    if (f == nullptr || std::fputs(pem.c_str(), f) < 0 || std::fclose(f) != 0) {
      throw CliError("cannot write " + o->output + ": " + std::strerror(errno));
    }
    return 0;
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Command-line client of the Parsec service", "parsec-cli"};
  app.require_subcommand(1);
  // Global options may also follow the subcommand name.
  app.fallthrough();
  app.set_version_flag("--version",
                       std::string("parsec-cli ") + PARSEC_CLI_VERSION + " (parsec-cpp; Parsec wire protocol 1.0)");
  app.footer(kExitStatusHelp);

  GlobalOptions g;
  app.add_option("-p,--provider", g.provider,
                 "ID of the provider to use for cryptographic commands (default: the service's default provider)")
      ->check(CLI::Range(0, 5));
  app.add_option("--app-name", g.app_name, "application name for Direct authentication");
  app.add_option("--auth", g.auth,
                 "authenticator to use: direct (needs --app-name), unix-peer (the caller's uid) or jwt-svid (a "
                 "JWT-SVID from the SPIFFE Workload API at SPIFFE_ENDPOINT_SOCKET); default: the first one the "
                 "service lists that this client can use")
      ->check(CLI::IsMember({"direct", "unix-peer", "jwt-svid"}));
  app.add_option("-t,--timeout", g.timeout_s,
                 "timeout of each wait on the service, in seconds; 0 waits forever (default: 60)")
      ->check(CLI::Range(static_cast<int64_t>(0), static_cast<int64_t>(UINT32_MAX)));

  std::map<const CLI::App*, std::function<int(Client&)>> actions;
  auto add = [&](const std::string& name, const std::string& help) { return app.add_subcommand(name, help); };

  auto* ping = add("ping", "Ping the Parsec service and print the wire protocol version");
  actions[ping] = [](Client& c) {
    cmd_ping(c);
    return 0;
  };

  auto* list_providers = add("list-providers", "List the providers of the Parsec service");
  actions[list_providers] = [](Client& c) {
    cmd_list_providers(c);
    return 0;
  };

  auto* list_authenticators = add("list-authenticators", "List the authenticators of the Parsec service");
  actions[list_authenticators] = [](Client& c) {
    cmd_list_authenticators(c);
    return 0;
  };

  int opcodes_provider = -1;
  auto* list_opcodes = add("list-opcodes", "List the opcodes supported by a provider");
  list_opcodes->add_option("-p,--provider", opcodes_provider, "ID of the provider (default: 0, the core provider)")
      ->check(CLI::Range(0, 5));
  actions[list_opcodes] = [&](Client& c) {
    cmd_list_opcodes(c, opcodes_provider, g.provider);
    return 0;
  };

  auto* list_keys = add("list-keys", "List the keys of this application");
  actions[list_keys] = [](Client& c) {
    cmd_list_keys(c);
    return 0;
  };

  auto* list_clients = add("list-clients", "List the clients owning keys (admin operation)");
  actions[list_clients] = [](Client& c) {
    cmd_list_clients(c);
    return 0;
  };

  std::string client_name;
  auto* delete_client = add("delete-client", "Delete all keys of a client (admin operation)");
  delete_client->add_option("-c,--client", client_name, "name of the client")->required();
  actions[delete_client] = [&](Client& c) {
    c.delete_client(client_name);
    return 0;
  };

  uint64_t nbytes = 0;
  std::string random_format = "hex";
  auto* generate_random = add("generate-random", "Generate random bytes (lowercase hex by default)");
  generate_random->add_option("-n,--nbytes", nbytes, "number of bytes")->required();
  generate_random->add_option("--format", random_format, "output: hex (default), base64, or raw bytes")
      ->check(CLI::IsMember({"hex", "base64", "raw"}));
  actions[generate_random] = [&](Client& c) {
    cmd_generate_random(c, nbytes, random_format);
    return 0;
  };

  std::string key_name;
  bool exportable = false;
  const char* const exportable_help = "allow export-key to export the key (the export usage flag)";
  auto* create_ecc_key = add("create-ecc-key", "Create an ECC key pair (secp256r1) for signing with ECDSA (SHA-256)");
  create_ecc_key->add_option("-k,--key-name", key_name, "name of the key")->required();
  create_ecc_key->add_flag("--exportable", exportable, exportable_help);
  actions[create_ecc_key] = [&](Client& c) {
    cmd_create_ecc_key(c, key_name, exportable);
    return 0;
  };

  RsaOptions rsa;
  auto* create_rsa_key = add("create-rsa-key",
                             "Create an RSA key pair (2048 bits by default), for encryption with PKCS#1 v1.5 "
                             "unless told otherwise");
  create_rsa_key->add_option("-k,--key-name", rsa.key_name, "name of the key")->required();
  create_rsa_key->add_flag("-s,--for-signing", rsa.policy.for_signing,
                           "create a signing key (PKCS#1 v1.5, SHA-256); takes priority over --for-signing-pss");
  create_rsa_key->add_flag("-r,--for-signing-pss", rsa.policy.for_signing_pss, "create a signing key (PSS, SHA-256)");
  create_rsa_key->add_option("-b,--bits", rsa.bits, "key size in bits (default 2048)");
  create_rsa_key->add_flag("-o,--oaep", rsa.policy.oaep,
                           "encryption key for RSA OAEP (SHA-256) instead of PKCS#1 v1.5");
  create_rsa_key->add_flag("--exportable", rsa.exportable, exportable_help);
  actions[create_rsa_key] = [&](Client& c) {
    cmd_create_rsa_key(c, rsa);
    return 0;
  };

  ImportOptions import;
  auto* import_key = add("import-key",
                         "Import a key pair or public key (RSA or elliptic curve) from a PEM or DER file; the "
                         "policy is that of create-rsa-key / create-ecc-key");
  import_key->add_option("-k,--key-name", import.key_name, "name of the key")->required();
  import_key
      ->add_option("-f,--file", import.file,
                   "PEM or DER file: PKCS#8, PKCS#1 or SEC1 private key, SubjectPublicKeyInfo or PKCS#1 "
                   "public key; - reads standard input")
      ->required();
  import_key->add_flag("-s,--for-signing", import.policy.for_signing,
                       "RSA: a signing key (PKCS#1 v1.5, SHA-256); takes priority over --for-signing-pss");
  import_key->add_flag("-r,--for-signing-pss", import.policy.for_signing_pss, "RSA: a signing key (PSS, SHA-256)");
  import_key->add_flag("-o,--oaep", import.policy.oaep,
                       "RSA: an encryption key for RSA OAEP (SHA-256) instead of PKCS#1 v1.5");
  import_key->add_flag("--exportable", import.exportable, exportable_help);
  actions[import_key] = [&](Client& c) {
    cmd_import_key(c, import);
    return 0;
  };

  bool pkcs1 = false;
  auto* export_public_key = add("export-public-key", "Export the public part of a key in PEM format");
  export_public_key->add_option("-k,--key-name", key_name, "name of the key")->required();
  export_public_key->add_flag("--pkcs1", pkcs1, "export an RSA key as PKCS#1 RSAPublicKey");
  actions[export_public_key] = [&](Client& c) {
    cmd_export_public_key(c, key_name, pkcs1);
    return 0;
  };

  bool psa_format = false;
  bool export_pkcs1 = false;
  auto* export_key = add("export-key",
                         "Export a key (it needs the export usage flag, see --exportable): key pairs as PKCS#8 "
                         "PEM, public keys as export-public-key prints them");
  export_key->add_option("-k,--key-name", key_name, "name of the key")->required();
  export_key->add_flag("--pkcs1", export_pkcs1, "export an RSA key as PKCS#1 (RSA PRIVATE KEY / RSA PUBLIC KEY)");
  export_key->add_flag("--psa", psa_format, "print the PSA export format (any key type) in base64");
  actions[export_key] = [&](Client& c) {
    cmd_export_key(c, key_name, export_pkcs1, psa_format);
    return 0;
  };

  // sign, verify, encrypt and decrypt take their data as an argument or from
  // a file (-i FILE, -i - for standard input), and print base64 or raw bytes.
  std::string input;
  std::string out_format = "base64";
  // The commands that take a DataInput: a missing input is a usage error (exit 2).
  std::map<const CLI::App*, const DataInput*> data_inputs;
  auto add_data_input = [&](CLI::App* cmd, DataInput& in, const std::string& text_help, const std::string& file_help) {
    data_inputs[cmd] = &in;
    in.text_option = cmd->add_option("input-data", in.text, text_help);
    in.file_option = cmd->add_option("-i,--input", in.file, file_help + "; - reads standard input");
    in.text_option->excludes(in.file_option);
  };
  auto add_out_format = [&](CLI::App* cmd) {
    cmd->add_option("--format", out_format, "output: base64 (default) or raw bytes")
        ->check(CLI::IsMember({"base64", "raw"}));
  };

  auto* encrypt = add("encrypt", "Encrypt data with the algorithm of the key (prints base64 ciphertext)");
  encrypt->add_option("-k,--key-name", key_name, "name of the key")->required();
  DataInput encrypt_input;
  add_data_input(encrypt, encrypt_input, "plaintext string", "file holding the plaintext (any bytes)");
  add_out_format(encrypt);
  actions[encrypt] = [&](Client& c) {
    cmd_encrypt(c, key_name, encrypt_input, out_format);
    return 0;
  };

  std::string decrypt_format = "text";
  auto* decrypt = add("decrypt", "Decrypt a ciphertext with the algorithm of the key (prints the plaintext)");
  decrypt->add_option("-k,--key-name", key_name, "name of the key")->required();
  DataInput decrypt_input;
  add_data_input(decrypt, decrypt_input, "base64 ciphertext, as printed by encrypt",
                 "file holding the raw ciphertext (as encrypt --format raw writes it)");
  decrypt->add_option("--format", decrypt_format, "output: text (default; invalid UTF-8 shown as U+FFFD), raw, base64")
      ->check(CLI::IsMember({"text", "raw", "base64"}));
  actions[decrypt] = [&](Client& c) {
    cmd_decrypt(c, key_name, decrypt_input, decrypt_format);
    return 0;
  };

  std::string hash_alg = "sha256";
  auto* hash = add("hash", "Hash a string, or standard input, with the service (prints lowercase hex)");
  hash->add_option("-a,--alg", hash_alg,
                   "hash algorithm: sha224, sha256 (default), sha384, sha512, sha512-224, sha512-256, sha3-224, "
                   "sha3-256, sha3-384, sha3-512, sha1, md5, md4, md2, ripemd160");
  auto* hash_input = hash->add_option("input-data", input, "string to hash (default: standard input)");
  actions[hash] = [&](Client& c) {
    cmd_hash(c, hash_alg, hash_input->count() > 0 ? &input : nullptr);
    return 0;
  };

  parsec::cli::CsrFields csr_fields;
  std::string cn, locality, organization, unit, state, country, serial;
  auto* create_csr =
      add("create-csr", "Create a certificate signing request (PKCS#10, PEM) for a signing key; the service signs it");
  create_csr->add_option("-k,--key-name", key_name, "name of the signing key (RSA or elliptic curve)")->required();
  auto* csr_cn = create_csr->add_option("--cn", cn, "common name (CN) of the subject");
  auto* csr_l = create_csr->add_option("--l", locality, "locality name (L) of the subject");
  auto* csr_o = create_csr->add_option("--o", organization, "organization name (O) of the subject");
  auto* csr_ou = create_csr->add_option("--ou", unit, "organizational unit name (OU) of the subject");
  auto* csr_st = create_csr->add_option("--st", state, "state or province name (ST) of the subject");
  auto* csr_c = create_csr->add_option("--c", country, "country name (C, two letters) of the subject");
  auto* csr_serial = create_csr->add_option("--serialNumber", serial, "serial number (serialNumber) of the subject");
  create_csr
      ->add_option("--san", csr_fields.subject_alt_names,
                   "subject alternative name: a DNS name or an IP address; repeat for several")
      ->allow_extra_args(false);
  actions[create_csr] = [&](Client& c) {
    auto set = [](CLI::Option* o, const std::string& v, std::optional<std::string>& field) {
      if (o->count() > 0) {
        field = v;
      }
    };
    set(csr_cn, cn, csr_fields.common_name);
    set(csr_l, locality, csr_fields.locality);
    set(csr_o, organization, csr_fields.organization);
    set(csr_ou, unit, csr_fields.organizational_unit);
    set(csr_st, state, csr_fields.state);
    set(csr_c, country, csr_fields.country);
    set(csr_serial, serial, csr_fields.serial_number);
    cmd_create_csr(c, key_name, csr_fields);
    return 0;
  };

  auto* sign = add("sign", "Sign data with the algorithm of the key (prints a base64 signature; DER for ECDSA)");
  sign->add_option("-k,--key-name", key_name, "name of the key")->required();
  DataInput sign_input;
  add_data_input(sign, sign_input, "text to sign", "file to sign (any bytes)");
  add_out_format(sign);
  actions[sign] = [&](Client& c) {
    cmd_sign(c, key_name, sign_input, out_format);
    return 0;
  };

  std::string signature;
  std::string signature_file;
  auto* verify = add("verify", "Verify a signature made by sign");
  verify->add_option("-k,--key-name", key_name, "name of the key")->required();
  auto* sig_b64 = verify->add_option("-s,--signature", signature, "base64 signature, as printed by sign");
  verify->add_option("--signature-file", signature_file, "file holding the raw signature (sign --format raw)")
      ->excludes(sig_b64);
  DataInput verify_input;
  add_data_input(verify, verify_input, "text that was signed", "file that was signed");
  actions[verify] = [&](Client& c) {
    if (!cmd_verify(c, key_name, signature, signature_file, verify_input)) {
      std::cerr << "parsec-cli: verify: " << parsec::status_name(parsec::Status::PsaErrorInvalidSignature) << ": "
                << parsec::status_description(parsec::Status::PsaErrorInvalidSignature) << "\n";
      return kExitFailure;
    }
    return 0;
  };

  auto* delete_key = add("delete-key", "Delete a key");
  delete_key->add_option("-k,--key-name", key_name, "name of the key")->required();
  actions[delete_key] = [&](Client& c) {
    c.destroy_key(key_name);
    return 0;
  };

  register_key_reference_command(app, actions, g);

  if (const std::optional<std::string> unknown = unknown_command(app, argc, argv)) {
    std::cerr << "parsec-cli: " << *unknown << " (see parsec-cli --help)\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "parsec-cli: " << e.what() << " (see parsec-cli --help)\n";
    return kExitUsage;
  }

  const CLI::App* chosen = app.get_subcommands().front();
  const std::string name = chosen->get_name();
  if (const auto in = data_inputs.find(chosen); in != data_inputs.end() && !in->second->given()) {
    std::cerr << "parsec-cli: " << name
              << ": no input: give it as an argument or with -i FILE (-i - reads standard input) (see parsec-cli "
              << name << " --help)\n";
    return kExitUsage;
  }
  try {
    Client client = make_client(g);
    warn_if_app_name_unused(client, g);
    return actions.at(chosen)(client);
  } catch (const parsec::client::Error& e) {
    std::string detail = e.detail();
    if (e.status() == parsec::Status::AuthenticatorNotRegistered && g.app_name.empty() &&
        detail.find("application name") != std::string::npos) {
      detail += " (give one with --app-name)";
    }
    return fail(name, std::string(e.status_name()) + ": " + detail);
  } catch (const CliError& e) {
    return fail(name, e.what());
  } catch (const std::exception& e) {
    return fail(name, e.what());
  }
}
