// parsec_sdk._native: the pybind11 binding of the C++ client core.
//
// This module is deliberately thin and private: the Pythonic API (enums,
// dataclasses, Key objects, exceptions, cryptography integration) lives in the
// pure-Python package around it. Values cross the boundary as plain Python
// values so that the Python layer owns the public types:
//   * enums as ints (the values of the C++/wire enums);
//   * an Algorithm as the tuple (kind, hash, truncated, length, cipher, aead,
//     key_agreement, kdf), i.e. exactly the flat C++ Algorithm's accessors;
//   * KeyAttributes as (type, family, dh_family, bits, flags, policy) with flags
//     the 10-tuple (export, copy, cache, encrypt, decrypt, sign_message,
//     verify_message, sign_hash, verify_hash, derive);
//   * byte strings as bytes (any contiguous buffer is accepted as input).
// Every parsec::client::Error is turned into the parsec_sdk exception class of
// its status by parsec_sdk._errors._from_native.
//
// Every method that may talk to the daemon runs with the GIL released
// (py::call_guard<py::gil_scoped_release>): arguments are converted to C++
// values before the release and results converted back after it, so no Python
// object is touched without the GIL. parsec::client::Client is thread-safe
// (settings behind a mutex, one connection per request).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "parsec/client/client.h"
#include "parsec/interface/secret.h"

namespace py = pybind11;
using namespace parsec::client;
using parsec::AuthType;
using parsec::Opcode;
using parsec::ProviderId;
using parsec::Status;

namespace {

// Blob carries a byte string across the boundary (see the type caster below).
// Its buffer is wiped when it is destroyed: it may hold key material (import,
// export, decrypt) or plaintext.
struct Blob {
  Bytes v;
  Blob() = default;
  explicit Blob(Bytes b) : v(std::move(b)) {}
  Blob(const Blob&) = default;
  Blob(Blob&&) noexcept = default;
  // Assignments wipe the bytes they replace (a plain vector assignment may
  // free or overwrite them unwiped).
  Blob& operator=(const Blob& o) {
    if (this != &o) {
      parsec::wipe(v);
      v = o.v;
    }
    return *this;
  }
  Blob& operator=(Blob&& o) noexcept {
    if (this != &o) {
      parsec::wipe(v);
      v = std::move(o.v);
      o.v.clear();
    }
    return *this;
  }
  ~Blob() { parsec::wipe(v); }
};

}  // namespace

namespace pybind11::detail {
template <>
struct type_caster<Blob> {
  PYBIND11_TYPE_CASTER(Blob, const_name("bytes"));

  bool load(handle src, bool /*convert*/) {
    if (!src || PyUnicode_Check(src.ptr())) {
      return false;  // str is not bytes: refuse rather than guess an encoding
    }
    Py_buffer view;
    if (PyObject_GetBuffer(src.ptr(), &view, PyBUF_SIMPLE) != 0) {
      PyErr_Clear();
      return false;
    }
    const auto* begin = static_cast<const uint8_t*>(view.buf);
    value.v.assign(begin, begin + view.len);
    PyBuffer_Release(&view);
    return true;
  }

  static handle cast(const Blob& b, return_value_policy /*policy*/, handle /*parent*/) {
    return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(b.v.data()), static_cast<Py_ssize_t>(b.v.size()));
  }
};
}  // namespace pybind11::detail

namespace {

using AlgT = std::tuple<uint32_t, uint32_t, bool, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>;
using FlagsT = std::tuple<bool, bool, bool, bool, bool, bool, bool, bool, bool, bool>;
using AttrT = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, FlagsT, AlgT>;
using ProviderT = std::tuple<uint32_t, std::string, std::string, std::string, uint32_t, uint32_t, uint32_t>;
using AuthenticatorT = std::tuple<uint32_t, std::string, uint32_t, uint32_t, uint32_t>;
using KeyInfoT = std::tuple<uint32_t, std::string, AttrT>;

// ---- Algorithm <-> tuple ------------------------------------------------------------

AlgT to_tuple(const Algorithm& a) {
  return AlgT{static_cast<uint32_t>(a.kind()),
              static_cast<uint32_t>(a.hash_alg()),
              a.is_truncated(),
              a.length(),
              static_cast<uint32_t>(a.cipher_mode()),
              static_cast<uint32_t>(a.aead_alg()),
              static_cast<uint32_t>(a.key_agreement_alg()),
              static_cast<uint32_t>(a.kdf_kind())};
}

Algorithm derivation(AlgorithmKind kind, Hash h) {
  switch (kind) {
    case AlgorithmKind::Hkdf:
      return Algorithm::hkdf(h);
    case AlgorithmKind::Tls12Prf:
      return Algorithm::tls12_prf(h);
    case AlgorithmKind::Tls12PskToMs:
      return Algorithm::tls12_psk_to_ms(h);
    default:
      throw std::invalid_argument("key agreement with derivation needs kdf Hkdf, Tls12Prf or Tls12PskToMs");
  }
}

Algorithm maybe_truncated_mac(const Algorithm& full, bool truncated, uint32_t length) {
  return truncated ? Algorithm::truncated_mac(full, length) : full;
}

// from_tuple rebuilds an Algorithm through the C++ factories, so that the value
// is one the core can build itself.
Algorithm from_tuple(const AlgT& t) {
  const auto [kind_v, hash_v, truncated, length, cipher_v, aead_v, ka_v, kdf_v] = t;
  const auto kind = static_cast<AlgorithmKind>(kind_v);
  const auto h = static_cast<Hash>(hash_v);
  switch (kind) {
    case AlgorithmKind::None:
      return Algorithm::none();
    case AlgorithmKind::Hash:
      return Algorithm::hash(h);
    case AlgorithmKind::Hmac:
      return maybe_truncated_mac(Algorithm::hmac(h), truncated, length);
    case AlgorithmKind::CbcMac:
      return maybe_truncated_mac(Algorithm::cbc_mac(), truncated, length);
    case AlgorithmKind::Cmac:
      return maybe_truncated_mac(Algorithm::cmac(), truncated, length);
    case AlgorithmKind::Cipher:
      return Algorithm::cipher(static_cast<Cipher>(cipher_v));
    case AlgorithmKind::Aead: {
      const auto base = static_cast<AeadAlgorithm>(aead_v);
      return truncated ? Algorithm::aead_shortened_tag(base, length) : Algorithm::aead(base);
    }
    case AlgorithmKind::RsaPkcs1v15Sign:
      return Algorithm::rsa_pkcs1v15_sign(h);
    case AlgorithmKind::RsaPkcs1v15SignRaw:
      return Algorithm::rsa_pkcs1v15_sign_raw();
    case AlgorithmKind::RsaPss:
      return Algorithm::rsa_pss(h);
    case AlgorithmKind::Ecdsa:
      return Algorithm::ecdsa(h);
    case AlgorithmKind::EcdsaAny:
      return Algorithm::ecdsa_any();
    case AlgorithmKind::DeterministicEcdsa:
      return Algorithm::deterministic_ecdsa(h);
    case AlgorithmKind::RsaPkcs1v15Crypt:
      return Algorithm::rsa_pkcs1v15_crypt();
    case AlgorithmKind::RsaOaep:
      return Algorithm::rsa_oaep(h);
    case AlgorithmKind::RawKeyAgreement:
      return Algorithm::raw_key_agreement(static_cast<RawKeyAgreement>(ka_v));
    case AlgorithmKind::KeyAgreementWithDerivation:
      return Algorithm::key_agreement_with_derivation(static_cast<RawKeyAgreement>(ka_v),
                                                      derivation(static_cast<AlgorithmKind>(kdf_v), h));
    case AlgorithmKind::Hkdf:
    case AlgorithmKind::Tls12Prf:
    case AlgorithmKind::Tls12PskToMs:
      return derivation(kind, h);
  }
  throw std::invalid_argument("unknown algorithm kind " + std::to_string(kind_v));
}

// ---- KeyAttributes <-> tuple ------------------------------------------------------------

FlagsT to_tuple(const UsageFlags& f) {
  return FlagsT{f.export_,      f.copy,           f.cache,     f.encrypt,     f.decrypt,
                f.sign_message, f.verify_message, f.sign_hash, f.verify_hash, f.derive};
}

UsageFlags from_tuple(const FlagsT& t) {
  UsageFlags f;
  std::tie(f.export_, f.copy, f.cache, f.encrypt, f.decrypt, f.sign_message, f.verify_message, f.sign_hash,
           f.verify_hash, f.derive) = t;
  return f;
}

AttrT to_tuple(const KeyAttributes& a) {
  return AttrT{static_cast<uint32_t>(a.type),
               static_cast<uint32_t>(a.family),
               static_cast<uint32_t>(a.dh_family),
               a.bits,
               to_tuple(a.flags),
               to_tuple(a.policy)};
}

KeyAttributes from_tuple(const AttrT& t) {
  KeyAttributes a;
  a.type = static_cast<KeyType>(std::get<0>(t));
  a.family = static_cast<EccFamily>(std::get<1>(t));
  a.dh_family = static_cast<DhFamily>(std::get<2>(t));
  a.bits = std::get<3>(t);
  a.flags = from_tuple(std::get<4>(t));
  a.policy = from_tuple(std::get<5>(t));
  return a;
}

// build_attributes applies the C++ builder for `type` (flags from the policy,
// private uses dropped for public key types).
AttrT build_attributes(uint32_t type_v, uint32_t bits, const AlgT& policy_t, uint32_t family_v) {
  const auto type = static_cast<KeyType>(type_v);
  const Algorithm policy = from_tuple(policy_t);
  const auto family = static_cast<EccFamily>(family_v);
  switch (type) {
    case KeyType::EccKeyPair:
      return to_tuple(KeyAttributes::ecc_key_pair(bits, policy, family));
    case KeyType::EccPublicKey:
      return to_tuple(KeyAttributes::ecc_public_key(bits, policy, family));
    case KeyType::RsaKeyPair:
      return to_tuple(KeyAttributes::rsa_key_pair(bits, policy));
    case KeyType::RsaPublicKey:
      return to_tuple(KeyAttributes::rsa_public_key(bits, policy));
    case KeyType::DhKeyPair:
      return to_tuple(KeyAttributes::dh_key_pair(bits, policy));
    case KeyType::DhPublicKey:
      return to_tuple(KeyAttributes::dh_public_key(bits, policy));
    default:
      return to_tuple(KeyAttributes::of_type(type, bits, policy));
  }
}

// ---- errors ------------------------------------------------------------------------------

py::str utf8(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) {
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::str>(o);
}

// raise_parsec_error sets the Python error for `e`: an instance of the class
// parsec_sdk._errors maps e.status() to. Called with the GIL held.
void raise_parsec_error(const Error& e) {
  try {
    py::object factory = py::module_::import("parsec_sdk._errors").attr("_from_native");
    py::object exc =
        factory(static_cast<int>(e.status()), utf8(e.operation()), utf8(e.detail()), e.from_service(), utf8(e.what()));
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  } catch (py::error_already_set&) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

// The core's one syntax rule (unix:/path or a bare absolute path), the same as
// for PARSEC_SERVICE_ENDPOINT.
Endpoint endpoint_from(const std::string& where) {
  return Endpoint::parse(where);
}

std::vector<uint32_t> defined_statuses() {
  std::vector<uint32_t> out;
  for (uint32_t v = 0; v <= 0xFFFF; ++v) {
    if (parsec::status_from_u16(static_cast<uint16_t>(v))) {
      out.push_back(v);
    }
  }
  return out;
}

std::vector<uint32_t> defined_opcodes() {
  std::vector<uint32_t> out;
  for (uint32_t v = 0; v <= 0xFFFF; ++v) {
    if (parsec::opcode_from_u32(v)) {
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "Private binding of the parsec-cpp C++ client core; use the parsec_sdk package instead.";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) {
        std::rethrow_exception(p);
      }
    } catch (const Error& e) {
      raise_parsec_error(e);
    }
  });

  using Release = py::call_guard<py::gil_scoped_release>;

  // ---- module functions --------------------------------------------------------
  m.def("status_name", [](uint32_t s) { return std::string(parsec::status_name(static_cast<Status>(s))); });
  m.def("status_description",
        [](uint32_t s) { return std::string(parsec::status_description(static_cast<Status>(s))); });
  m.def("opcode_name", [](uint32_t o) { return std::string(parsec::opcode_name(static_cast<Opcode>(o))); });
  m.def("defined_statuses", &defined_statuses);
  m.def("defined_opcodes", &defined_opcodes);
  m.def("is_admin_opcode", [](uint32_t o) { return parsec::is_admin_opcode(static_cast<Opcode>(o)); });
  m.def("needs_identity", [](uint32_t o) { return parsec::needs_identity(static_cast<Opcode>(o)); });
  m.def("hash_length", [](uint32_t h) { return hash_length(static_cast<Hash>(h)); });
  m.def("hash_name", [](uint32_t h) { return std::string(hash_name(static_cast<Hash>(h))); });
  m.def("provider_display_name",
        [](uint32_t p) { return std::string(provider_display_name(static_cast<ProviderId>(p))); });
  m.def("auth_type_display_name",
        [](uint32_t a) { return std::string(auth_type_display_name(static_cast<AuthType>(a))); });
  m.def("algorithm_to_string", [](const AlgT& a) { return from_tuple(a).to_string(); });
  m.def("normalize_algorithm", [](const AlgT& a) { return to_tuple(from_tuple(a)); });
  m.def("usage_flags_for_policy", [](const AlgT& a) { return to_tuple(UsageFlags::for_policy(from_tuple(a))); });
  m.def("build_attributes", &build_attributes, py::arg("type"), py::arg("bits"), py::arg("policy"), py::arg("family"));
  m.def("key_type_to_string", [](const AttrT& a) { return from_tuple(a).type_to_string(); });
  m.def("default_endpoint", [] { return Endpoint::from_environment().uri(); });
  m.def("endpoint_uri", [](const std::string& where) { return endpoint_from(where).uri(); });
  // raise_error throws the C++ Error, for tests of the exception mapping.
  m.def("raise_error", [](uint32_t status, const std::string& operation, const std::string& detail, bool from_service) {
    throw Error(static_cast<Status>(status), operation, detail, from_service);
  });
  m.attr("DEFAULT_TIMEOUT_MS") = Client::kDefaultTimeoutMs;
  m.attr("DEFAULT_MAX_RESPONSE_BODY_LEN") = Client::kDefaultMaxResponseBodyLen;

  // ---- Client ------------------------------------------------------------------------
  py::class_<Client>(m, "Client")
      .def(py::init([](const std::optional<std::string>& endpoint, const std::string& app_name) {
             if (endpoint) {
               return std::make_unique<Client>(endpoint_from(*endpoint), app_name);
             }
             return std::make_unique<Client>(app_name);
           }),
           py::arg("endpoint"), py::arg("app_name"))
      // settings
      .def("endpoint", [](const Client& c) { return c.endpoint().uri(); })
      .def("set_endpoint", [](Client& c, const std::string& where) { c.set_endpoint(endpoint_from(where)); })
      .def("timeout_ms", &Client::timeout_ms)
      .def("set_timeout_ms", &Client::set_timeout_ms)
      .def("max_response_body_len", &Client::max_response_body_len)
      .def("set_max_response_body_len", &Client::set_max_response_body_len)
      .def("app_name", &Client::app_name)
      .def("set_app_name", &Client::set_app_name)
      // authentication and provider (may call the daemon)
      .def(
          "auth_type", [](Client& c) { return static_cast<uint32_t>(c.auth_type()); }, Release())
      .def("set_auth_type", [](Client& c, uint32_t a) { c.set_auth_type(static_cast<AuthType>(a)); })
      .def("use_default_auth", &Client::use_default_auth)
      .def(
          "provider", [](Client& c) { return static_cast<uint32_t>(c.provider()); }, Release())
      .def("set_provider", [](Client& c, uint32_t p) { c.set_provider(static_cast<ProviderId>(p)); })
      .def("use_default_provider", &Client::use_default_provider)
      // core operations
      .def(
          "ping",
          [](Client& c) {
            const ProtocolVersion v = c.ping();
            return std::make_tuple(static_cast<uint32_t>(v.major), static_cast<uint32_t>(v.minor));
          },
          Release())
      .def(
          "list_providers",
          [](Client& c) {
            std::vector<ProviderT> out;
            for (const ProviderInfo& p : c.list_providers()) {
              out.emplace_back(static_cast<uint32_t>(p.id), p.uuid, p.description, p.vendor, p.version_maj,
                               p.version_min, p.version_rev);
            }
            return out;
          },
          Release())
      .def(
          "list_opcodes",
          [](Client& c, uint32_t provider) {
            std::vector<uint32_t> out;
            for (Opcode o : c.list_opcodes(static_cast<ProviderId>(provider))) {
              out.push_back(static_cast<uint32_t>(o));
            }
            return out;
          },
          Release())
      .def(
          "list_authenticators",
          [](Client& c) {
            std::vector<AuthenticatorT> out;
            for (const AuthenticatorInfo& a : c.list_authenticators()) {
              out.emplace_back(static_cast<uint32_t>(a.id), a.description, a.version_maj, a.version_min, a.version_rev);
            }
            return out;
          },
          Release())
      .def(
          "list_keys",
          [](Client& c) {
            std::vector<KeyInfoT> out;
            for (const KeyInfo& k : c.list_keys()) {
              out.emplace_back(static_cast<uint32_t>(k.provider_id), k.name, to_tuple(k.attributes));
            }
            return out;
          },
          Release())
      .def("list_clients", &Client::list_clients, Release())
      .def("delete_client", &Client::delete_client, Release())
      .def(
          "key_attributes", [](Client& c, const std::string& name) { return to_tuple(c.key_attributes(name)); },
          Release())
      // key management
      .def(
          "generate_key",
          [](Client& c, const std::string& name, const AttrT& a) { c.generate_key(name, from_tuple(a)); }, Release())
      .def(
          "import_key",
          [](Client& c, const std::string& name, const AttrT& a, const Blob& data) {
            c.import_key(name, from_tuple(a), data.v);
          },
          Release())
      .def(
          "export_public_key", [](Client& c, const std::string& name) { return Blob(c.export_public_key(name)); },
          Release())
      .def(
          "export_key", [](Client& c, const std::string& name) { return Blob(c.export_key(name)); }, Release())
      .def("destroy_key", &Client::destroy_key, Release())
      // signatures
      .def(
          "sign_hash",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& hash) {
            return Blob(c.sign_hash(name, from_tuple(alg), hash.v));
          },
          Release())
      .def(
          "verify_hash",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& hash, const Blob& sig) {
            return c.verify_hash(name, from_tuple(alg), hash.v, sig.v);
          },
          Release())
      .def(
          "sign_message",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& msg) {
            return Blob(c.sign_message(name, from_tuple(alg), msg.v));
          },
          Release())
      .def(
          "verify_message",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& msg, const Blob& sig) {
            return c.verify_message(name, from_tuple(alg), msg.v, sig.v);
          },
          Release())
      // encryption
      .def(
          "asymmetric_encrypt",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& pt, const Blob& salt) {
            return Blob(c.asymmetric_encrypt(name, from_tuple(alg), pt.v, salt.v));
          },
          Release())
      .def(
          "asymmetric_decrypt",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& ct, const Blob& salt) {
            return Blob(c.asymmetric_decrypt(name, from_tuple(alg), ct.v, salt.v));
          },
          Release())
      .def(
          "aead_encrypt",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& nonce, const Blob& aad, const Blob& pt) {
            return Blob(c.aead_encrypt(name, from_tuple(alg), nonce.v, aad.v, pt.v));
          },
          Release())
      .def(
          "aead_decrypt",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& nonce, const Blob& aad, const Blob& ct) {
            return Blob(c.aead_decrypt(name, from_tuple(alg), nonce.v, aad.v, ct.v));
          },
          Release())
      .def(
          "cipher_encrypt",
          [](Client& c, const std::string& name, uint32_t mode, const Blob& pt) {
            return Blob(c.cipher_encrypt(name, static_cast<Cipher>(mode), pt.v));
          },
          Release())
      .def(
          "cipher_decrypt",
          [](Client& c, const std::string& name, uint32_t mode, const Blob& ct) {
            return Blob(c.cipher_decrypt(name, static_cast<Cipher>(mode), ct.v));
          },
          Release())
      // MAC, hash, key agreement, random
      .def(
          "mac_compute",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& input) {
            return Blob(c.mac_compute(name, from_tuple(alg), input.v));
          },
          Release())
      .def(
          "mac_verify",
          [](Client& c, const std::string& name, const AlgT& alg, const Blob& input, const Blob& mac) {
            return c.mac_verify(name, from_tuple(alg), input.v, mac.v);
          },
          Release())
      .def(
          "hash_compute",
          [](Client& c, uint32_t h, const Blob& input) { return Blob(c.hash_compute(static_cast<Hash>(h), input.v)); },
          Release())
      .def(
          "hash_compare",
          [](Client& c, uint32_t h, const Blob& input, const Blob& digest) {
            return c.hash_compare(static_cast<Hash>(h), input.v, digest.v);
          },
          Release())
      .def(
          "raw_key_agreement",
          [](Client& c, uint32_t alg, const std::string& name, const Blob& peer) {
            return Blob(c.raw_key_agreement(static_cast<RawKeyAgreement>(alg), name, peer.v));
          },
          Release())
      .def(
          "generate_random", [](Client& c, uint64_t size) { return Blob(c.generate_random(size)); }, Release())
      .def(
          "can_do_crypto",
          [](Client& c, uint32_t check, const AttrT& a) {
            return c.can_do_crypto(static_cast<CheckType>(check), from_tuple(a));
          },
          Release())
      // key attestation (TPM ActivateCredential; "" = default attesting key)
      .def(
          "prepare_key_attestation",
          [](Client& c, const std::string& name, const std::string& attesting) {
            PreparedAttestation p = c.prepare_key_attestation(name, attesting);
            return std::make_tuple(Blob(std::move(p.name)), Blob(std::move(p.public_area)),
                                   Blob(std::move(p.attesting_key_public)));
          },
          Release())
      .def(
          "attest_key_activate_credential",
          [](Client& c, const std::string& name, const Blob& credential_blob, const Blob& secret,
             const std::string& attesting) {
            return Blob(c.attest_key_activate_credential(name, credential_blob.v, secret.v, attesting));
          },
          Release());
}
