// parsec/interface/wire.h - numeric identifiers and the fixed 36-byte header of
// the Parsec wire protocol 1.0.
//
// This header is shared by the service and the client libraries. It holds only
// plain enums and a plain struct so that it can be exposed through pybind11 and
// SWIG unchanged. All functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace parsec {

// Status is the u16 at header offset 32 of a response. 0 is success, 1-22 are
// service codes, 1132-1153 are PSA Crypto codes (1000 - psa_status_t).
enum class Status : uint16_t {
  Success = 0,
  WrongProviderId = 1,
  ContentTypeNotSupported = 2,
  AcceptTypeNotSupported = 3,
  WireProtocolVersionNotSupported = 4,
  ProviderNotRegistered = 5,
  ProviderDoesNotExist = 6,
  DeserializingBodyFailed = 7,
  SerializingBodyFailed = 8,
  OpcodeDoesNotExist = 9,
  ResponseTooLarge = 10,
  AuthenticationError = 11,
  AuthenticatorDoesNotExist = 12,
  AuthenticatorNotRegistered = 13,
  KeyInfoManagerError = 14,
  ConnectionError = 15,
  InvalidEncoding = 16,
  InvalidHeader = 17,
  WrongProviderUuid = 18,
  NotAuthenticated = 19,
  BodySizeExceedsLimit = 20,
  AdminOperation = 21,
  DeprecatedPrimitive = 22,
  PsaErrorGenericError = 1132,
  PsaErrorNotPermitted = 1133,
  PsaErrorNotSupported = 1134,
  PsaErrorInvalidArgument = 1135,
  PsaErrorInvalidHandle = 1136,
  PsaErrorBadState = 1137,
  PsaErrorBufferTooSmall = 1138,
  PsaErrorAlreadyExists = 1139,
  PsaErrorDoesNotExist = 1140,
  PsaErrorInsufficientMemory = 1141,
  PsaErrorInsufficientStorage = 1142,
  PsaErrorInsufficientData = 1143,
  PsaErrorCommunicationFailure = 1145,
  PsaErrorStorageFailure = 1146,
  PsaErrorHardwareFailure = 1147,
  PsaErrorInsufficientEntropy = 1148,
  PsaErrorInvalidSignature = 1149,
  PsaErrorInvalidPadding = 1150,
  PsaErrorCorruptionDetected = 1151,
  PsaErrorDataCorrupt = 1152,
  PsaErrorDataInvalid = 1153,
};

// status_name returns the spec name of `s` ("PsaErrorDoesNotExist"), or
// "UnknownStatus" for a value that is not defined.
const char* status_name(Status s);
// status_description returns a one-line human explanation of `s`.
const char* status_description(Status s);
// status_from_u16 returns the Status for a wire value, or nullopt when the value
// is not a defined status (a client must then treat the header as invalid).
std::optional<Status> status_from_u16(uint16_t v);

enum class Opcode : uint32_t {
  Ping = 0x01,
  PsaGenerateKey = 0x02,
  PsaDestroyKey = 0x03,
  PsaSignHash = 0x04,
  PsaVerifyHash = 0x05,
  PsaImportKey = 0x06,
  PsaExportPublicKey = 0x07,
  ListProviders = 0x08,
  ListOpcodes = 0x09,
  PsaAsymmetricEncrypt = 0x0A,
  PsaAsymmetricDecrypt = 0x0B,
  PsaExportKey = 0x0C,
  PsaGenerateRandom = 0x0D,
  ListAuthenticators = 0x0E,
  PsaHashCompute = 0x0F,
  PsaHashCompare = 0x10,
  PsaAeadEncrypt = 0x11,
  PsaAeadDecrypt = 0x12,
  PsaRawKeyAgreement = 0x13,
  PsaCipherEncrypt = 0x14,
  PsaCipherDecrypt = 0x15,
  PsaMacCompute = 0x16,
  PsaMacVerify = 0x17,
  PsaSignMessage = 0x18,
  PsaVerifyMessage = 0x19,
  ListKeys = 0x1A,
  ListClients = 0x1B,
  DeleteClient = 0x1C,
  AttestKey = 0x1E,
  PrepareKeyAttestation = 0x1F,
  CanDoCrypto = 0x20,
};

// opcode_name returns the operation name ("PsaSignHash") or "Unknown".
const char* opcode_name(Opcode op);
// opcode_from_u32 returns the opcode for a wire value if it names one of the 31
// operations (including 0x16/0x17, which upstream does not recognise).
std::optional<Opcode> opcode_from_u32(uint32_t v);
// is_core_opcode: the opcode must be sent to provider 0.
bool is_core_opcode(Opcode op);
// is_admin_opcode: ListClients and DeleteClient.
bool is_admin_opcode(Opcode op);
// needs_identity: the request must carry an authenticated identity (auth type != 0).
bool needs_identity(Opcode op);
// is_upstream_listable: upstream clients can parse this opcode in a ListOpcodes
// answer (every recognised opcode except PsaMacCompute and PsaMacVerify).
bool is_upstream_listable(Opcode op);

// OpcodeInfo: the facts of one operation, shared by the service's dispatch
// table and the client core. secret_input: the request carries a secret (key
// material to import, plaintext to encrypt, an attestation secret), so every
// buffer that held its body is wiped; secret_output: the same for the result
// (exported key, plaintext, shared secret, random bytes, credential).
struct OpcodeInfo {
  Opcode op;
  const char* name;
  bool core;       // served by the core provider (id 0)
  bool admin;      // only for the authenticator's admins
  bool identity;   // needs an authenticated caller
  bool names_key;  // the request names one of the caller's keys
  bool secret_input;
  bool secret_output;
};
// opcode_info returns the facts of `op`, nullptr for an undefined opcode.
const OpcodeInfo* opcode_info(Opcode op);
// all_opcodes lists every defined operation once.
std::span<const OpcodeInfo> all_opcodes();

enum class ProviderId : uint8_t {
  Core = 0,
  MbedCrypto = 1,
  Pkcs11 = 2,
  Tpm = 3,
  TrustedService = 4,
  CryptoAuthLib = 5,
};
constexpr uint8_t kMaxProviderId = 5;

enum class AuthType : uint8_t {
  NoAuth = 0,
  Direct = 1,
  Jwt = 2,
  UnixPeerCredentials = 3,
  JwtSvid = 4,
};
constexpr uint8_t kMaxAuthType = 4;
const char* auth_type_name(AuthType a);

// Header constants (docs/protocol.md, wire protocol §3).
constexpr uint32_t kMagic = 0x5EC0A710;
constexpr uint16_t kHeaderSizeField = 30;  // bytes following the size field
constexpr size_t kHeaderLen = 36;
constexpr uint8_t kVersionMajor = 1;
constexpr uint8_t kVersionMinor = 0;
constexpr uint32_t kDefaultBodyLenLimit = 1u << 20;

// WireHeader is the 36-byte header with every field as read off the wire, not
// validated. Integers are host order; encoding converts to little-endian.
struct WireHeader {
  uint32_t magic = kMagic;
  uint16_t header_size = kHeaderSizeField;
  uint8_t version_maj = kVersionMajor;
  uint8_t version_min = kVersionMinor;
  uint16_t flags = 0;
  uint8_t provider = 0;
  uint64_t session = 0;
  uint8_t content_type = 0;
  uint8_t accept_type = 0;
  uint8_t auth_type = 0;
  uint32_t body_len = 0;
  uint16_t auth_len = 0;
  uint32_t opcode = 0;
  uint16_t status = 0;
  uint8_t reserved1 = 0;
  uint8_t reserved2 = 0;
};

// encode_header writes `h` as 36 little-endian bytes.
std::array<uint8_t, kHeaderLen> encode_header(const WireHeader& h);
// decode_header reads 36 bytes at `p` (the caller guarantees the length). No
// field is checked; see validate_fixed_fields and validate_request_fields.
WireHeader decode_header(const uint8_t* p);

// validate_fixed_fields applies steps 3-5 of the service's validation order
// (header size, version, reserved bytes) to a header whose magic already
// matched (a wrong magic also yields InvalidHeader). Returns Success or the
// status to answer.
Status validate_fixed_fields(const WireHeader& h);
// validate_request_fields applies steps 8-12 (content type, accept type, auth
// type, opcode, provider) after the body and auth bytes were read.
Status validate_request_fields(const WireHeader& h);

// Response header builders (docs/protocol.md, wire protocol §6).
// detached_response: provider 0, session 0, opcode 1 (header-level failures).
WireHeader detached_response(Status s);
// echoed_response: provider, session and opcode copied from the request.
WireHeader echoed_response(const WireHeader& request, Status s, uint32_t body_len);

}  // namespace parsec
