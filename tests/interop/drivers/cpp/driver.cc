// tests/interop/drivers/cpp/driver.cc - the C++ core's driver of the interop
// matrix (tests/interop/README in docs/interop.md): a persistent process that
// reads one flat JSON request per line on stdin and answers one flat JSON line
// on stdout. It uses the installed client core (libparsec-client through
// pkg-config, built by tests/interop/run.sh) and OpenSSL's libcrypto as its
// "standard library" (SHA-256 digests, RSA-OAEP encryption of a public key).
//
// Requests: {"op": ..., "app": "alice" | "" (UnixPeerCredentials), "provider": N,
// "name": ..., "type": "ecdsa-p256" | "rsa-pss" | "rsa-oaep", ...}; base64
// for every byte string. Answers: {"ok": true, ...} or {"ok": false, "error":
// <uniform code>, "status": <spec name>, "idiom": <how C++ said it>}. The
// uniform code is derived from parsec::client::Error::status(), the C++ idiom.
// Single-threaded; one Client per request (clients are cheap: a connection
// per request anyway).
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "parsec/client/client.h"

namespace {

using parsec::client::Algorithm;
using parsec::client::Bytes;
using parsec::client::Client;
using parsec::client::Endpoint;
using parsec::client::Hash;
using parsec::client::KeyAttributes;

// ---- flat JSON (the driver protocol has no nesting) --------------------------------------
using Object = std::map<std::string, std::string>;

std::string parse_string(const std::string& s, size_t& i) {
  std::string out;
  ++i;  // opening quote
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      switch (s[i]) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          out += static_cast<char>(std::stoi(s.substr(i + 1, 4), nullptr, 16));
          i += 4;
          break;
        default:
          out += s[i];
      }
    } else {
      out += s[i];
    }
    ++i;
  }
  ++i;
  return out;
}

// parse_object reads {"k": "v" | number | true | false | null, ...}; values are kept as text.
Object parse_object(const std::string& s) {
  Object o;
  size_t i = s.find('{');
  if (i == std::string::npos) {
    throw std::invalid_argument("not a JSON object");
  }
  ++i;
  auto skip = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == ':' || s[i] == '\t'))
      ++i;
  };
  for (skip(); i < s.size() && s[i] != '}'; skip()) {
    std::string key = parse_string(s, i);
    skip();
    if (s[i] == '"') {
      o[key] = parse_string(s, i);
    } else {
      size_t end = s.find_first_of(",}", i);
      o[key] = s.substr(i, end - i);
      i = end;
    }
  }
  return o;
}

std::string quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// ---- base64 and digests through libcrypto --------------------------------------------------
std::string b64(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Bytes unb64(const std::string& text) {
  if (text.empty()) {
    return {};
  }
  Bytes out(3 * text.size() / 4 + 3);
  int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) {
    throw std::invalid_argument("bad base64");
  }
  size_t pad = 0;
  for (size_t k = text.size(); k > 0 && text[k - 1] == '='; --k)
    ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

const EVP_MD* md_of(const std::string& hash) {
  return hash == "sha384" ? EVP_sha384() : EVP_sha256();
}
Hash psa_hash(const std::string& hash) {
  return hash == "sha384" ? Hash::Sha384 : Hash::Sha256;
}

Bytes digest(const std::string& hash, const Bytes& message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(message.data(), message.size(), out.data(), &len, md_of(hash), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  out.resize(len);
  return out;
}

// encrypt_local: RSA-OAEP (SHA-256, MGF1-SHA-256, no label) with libcrypto, from a SubjectPublicKeyInfo.
Bytes encrypt_local(const Bytes& spki, const Bytes& plaintext) {
  const unsigned char* p = spki.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())),
                                                           EVP_PKEY_free);
  if (!pkey)
    throw std::invalid_argument("bad SubjectPublicKeyInfo");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr),
                                                                  EVP_PKEY_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    throw std::runtime_error("EVP_PKEY_encrypt setup failed");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    throw std::runtime_error("EVP_PKEY_encrypt failed");
  }
  out.resize(len);
  return out;
}

// ---- the Parsec side ------------------------------------------------------------------------
Client client_for(const Object& r) {
  const std::string app = r.count("app") ? r.at("app") : "";
  Client c(Endpoint::from_environment(), app);
  c.set_auth_type(app.empty() ? parsec::AuthType::UnixPeerCredentials : parsec::AuthType::Direct);
  if (r.count("provider") && r.at("provider") != "null") {
    c.set_provider(static_cast<parsec::ProviderId>(std::stoi(r.at("provider"))));
  }
  return c;
}

Algorithm policy_of(const std::string& type, const std::string& hash = "sha256") {
  if (type == "ecdsa-p256")
    return Algorithm::ecdsa(psa_hash(hash));
  if (type == "rsa-pss")
    return Algorithm::rsa_pss(psa_hash(hash));
  if (type == "rsa-oaep")
    return Algorithm::rsa_oaep(psa_hash(hash));
  throw std::invalid_argument("unknown key type " + type);
}

// attributes_of: the matrix's key types; bits other than the type's own (ECC 256, RSA 2048) are for
// the NotSupported cases (sizes a provider refuses).
KeyAttributes attributes_of(const std::string& type, const std::string& bits) {
  if (type == "ecdsa-p256")
    return KeyAttributes::ecc_key_pair(bits.empty() ? 256 : std::stoul(bits), policy_of(type));
  return KeyAttributes::rsa_key_pair(bits.empty() ? 2048 : std::stoul(bits), policy_of(type));
}

// uniform maps a wire status to the matrix's error code names.
std::string uniform(parsec::Status s) {
  switch (s) {
    case parsec::Status::PsaErrorDoesNotExist:
      return "NotFound";
    case parsec::Status::PsaErrorAlreadyExists:
      return "AlreadyExists";
    case parsec::Status::PsaErrorNotPermitted:
      return "NotPermitted";
    case parsec::Status::PsaErrorNotSupported:
      return "NotSupported";
    case parsec::Status::PsaErrorInvalidSignature:
      return "InvalidSignature";
    case parsec::Status::PsaErrorInvalidArgument:
      return "InvalidArgument";
    default:
      return "Other";
  }
}

std::string handle(const Object& r) {
  const std::string op = r.at("op");
  auto field = [&](const char* k) { return r.count(k) ? r.at(k) : std::string(); };
  const std::string name = field("name");
  const std::string hash = r.count("hash") ? r.at("hash") : "sha256";
  if (op == "hello")
    return R"({"ok": true, "driver": "cpp"})";
  if (op == "encrypt_local") {
    return R"({"ok": true, "ciphertext": )" +
           quote(b64(encrypt_local(unb64(field("spki")), unb64(field("plaintext"))))) + "}";
  }
  Client c = client_for(r);
  if (op == "create") {
    c.generate_key(name, attributes_of(field("type"), field("bits")));
    return R"({"ok": true})";
  }
  if (op == "export_public") {
    return R"({"ok": true, "format": "psa", "public": )" + quote(b64(c.export_public_key(name))) + "}";
  }
  if (op == "sign") {
    Bytes sig = c.sign_hash(name, policy_of(field("type"), hash), digest(hash, unb64(field("message"))));
    return R"({"ok": true, "format": "raw", "signature": )" + quote(b64(sig)) + "}";
  }
  if (op == "sign_message") {  // the service hashes
    Bytes sig = c.sign_message(name, policy_of(field("type"), hash), unb64(field("message")));
    return R"({"ok": true, "format": "raw", "signature": )" + quote(b64(sig)) + "}";
  }
  if (op == "verify") {
    if (!c.verify_hash(name, policy_of(field("type"), hash), digest(hash, unb64(field("message"))),
                       unb64(field("signature")))) {
      return R"({"ok": false, "error": "InvalidSignature", "idiom": "verify_hash() returned false"})";
    }
    return R"({"ok": true})";
  }
  if (op == "decrypt") {
    Bytes pt = c.asymmetric_decrypt(name, policy_of("rsa-oaep"), unb64(field("ciphertext")));
    return R"({"ok": true, "plaintext": )" + quote(b64(pt)) + "}";
  }
  if (op == "destroy") {
    c.destroy_key(name);
    return R"({"ok": true})";
  }
  if (op == "list_keys") {
    std::string keys;
    for (const auto& k : c.list_keys()) {
      keys += (keys.empty() ? "" : ",") + k.name + "@" + std::to_string(static_cast<int>(k.provider_id));
    }
    return R"({"ok": true, "keys": )" + quote(keys) + "}";
  }
  throw std::invalid_argument("unknown op " + op);
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty())
      continue;
    std::string answer;
    try {
      answer = handle(parse_object(line));
    } catch (const parsec::client::Error& e) {
      answer = R"({"ok": false, "error": )" + quote(uniform(e.status())) + R"(, "status": )" + quote(e.status_name()) +
               R"(, "idiom": )" + quote(std::string("parsec::client::Error, status() == ") + e.status_name()) +
               R"(, "message": )" + quote(e.what()) + "}";
    } catch (const std::exception& e) {
      answer = R"({"ok": false, "error": "DriverError", "message": )" + quote(e.what()) + "}";
    }
    std::cout << answer << std::endl;
  }
  return 0;
}
