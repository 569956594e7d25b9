#include "parsec/interface/wire.h"

namespace parsec {
namespace {

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
uint16_t get_u16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

struct StatusInfo {
  Status status;
  const char* name;
  const char* description;
};

constexpr StatusInfo kStatuses[] = {
    {Status::Success, "Success", "the operation completed"},
    {Status::WrongProviderId, "WrongProviderId", "the provider id does not match the back end"},
    {Status::ContentTypeNotSupported, "ContentTypeNotSupported", "content type not supported"},
    {Status::AcceptTypeNotSupported, "AcceptTypeNotSupported", "accept type not supported"},
    {Status::WireProtocolVersionNotSupported, "WireProtocolVersionNotSupported", "wire protocol version not supported"},
    {Status::ProviderNotRegistered, "ProviderNotRegistered", "no provider is running under this provider id"},
    {Status::ProviderDoesNotExist, "ProviderDoesNotExist", "the provider id is not a defined value"},
    {Status::DeserializingBodyFailed, "DeserializingBodyFailed", "the request body could not be decoded"},
    {Status::SerializingBodyFailed, "SerializingBodyFailed", "the result could not be encoded"},
    {Status::OpcodeDoesNotExist, "OpcodeDoesNotExist", "the opcode is not defined"},
    {Status::ResponseTooLarge, "ResponseTooLarge", "the response would exceed a configured limit"},
    {Status::AuthenticationError, "AuthenticationError", "authentication failed"},
    {Status::AuthenticatorDoesNotExist, "AuthenticatorDoesNotExist", "the auth type is not a defined value"},
    {Status::AuthenticatorNotRegistered, "AuthenticatorNotRegistered", "no authenticator of this type is configured"},
    {Status::KeyInfoManagerError, "KeyInfoManagerError", "internal failure of the key store"},
    {Status::ConnectionError, "ConnectionError", "input/output failure on the connection"},
    {Status::InvalidEncoding, "InvalidEncoding", "a value is not valid for its data type"},
    {Status::InvalidHeader, "InvalidHeader", "a constant header field is wrong"},
    {Status::WrongProviderUuid, "WrongProviderUuid", "a provider UUID is malformed"},
    {Status::NotAuthenticated, "NotAuthenticated", "the operation needs an authenticated caller"},
    {Status::BodySizeExceedsLimit, "BodySizeExceedsLimit", "the body length is above the limit"},
    {Status::AdminOperation, "AdminOperation", "the operation needs admin rights"},
    {Status::DeprecatedPrimitive, "DeprecatedPrimitive", "the key template uses a deprecated primitive"},
    {Status::PsaErrorGenericError, "PsaErrorGenericError", "failure with no more specific cause"},
    {Status::PsaErrorNotPermitted, "PsaErrorNotPermitted", "denied by the key's policy"},
    {Status::PsaErrorNotSupported, "PsaErrorNotSupported", "operation or parameter not supported"},
    {Status::PsaErrorInvalidArgument, "PsaErrorInvalidArgument", "invalid parameters"},
    {Status::PsaErrorInvalidHandle, "PsaErrorInvalidHandle", "key handle not valid"},
    {Status::PsaErrorBadState, "PsaErrorBadState", "not possible in the current state"},
    {Status::PsaErrorBufferTooSmall, "PsaErrorBufferTooSmall", "an output buffer is too small"},
    {Status::PsaErrorAlreadyExists, "PsaErrorAlreadyExists", "a key with this name already exists"},
    {Status::PsaErrorDoesNotExist, "PsaErrorDoesNotExist", "no key with this name exists for this caller"},
    {Status::PsaErrorInsufficientMemory, "PsaErrorInsufficientMemory", "not enough memory"},
    {Status::PsaErrorInsufficientStorage, "PsaErrorInsufficientStorage", "not enough persistent storage"},
    {Status::PsaErrorInsufficientData, "PsaErrorInsufficientData", "not enough data"},
    {Status::PsaErrorCommunicationFailure, "PsaErrorCommunicationFailure",
     "communication failure inside the implementation"},
    {Status::PsaErrorStorageFailure, "PsaErrorStorageFailure", "storage failure"},
    {Status::PsaErrorHardwareFailure, "PsaErrorHardwareFailure", "hardware failure"},
    {Status::PsaErrorInsufficientEntropy, "PsaErrorInsufficientEntropy", "not enough entropy"},
    {Status::PsaErrorInvalidSignature, "PsaErrorInvalidSignature", "the signature, MAC or hash does not match"},
    {Status::PsaErrorInvalidPadding, "PsaErrorInvalidPadding", "the decrypted padding is wrong"},
    {Status::PsaErrorCorruptionDetected, "PsaErrorCorruptionDetected", "tampering detected"},
    {Status::PsaErrorDataCorrupt, "PsaErrorDataCorrupt", "stored data corrupted"},
    {Status::PsaErrorDataInvalid, "PsaErrorDataInvalid", "stored data not valid"},
};

const StatusInfo* find_status(uint16_t v) {
  for (const auto& s : kStatuses) {
    if (static_cast<uint16_t>(s.status) == v) {
      return &s;
    }
  }
  return nullptr;
}

// The facts of every operation (wire.h, OpcodeInfo). ListOpcodes order is
// not taken from here.
constexpr OpcodeInfo kOpcodes[] = {
    {Opcode::Ping, "Ping", true, false, false, false, false, false},
    {Opcode::PsaGenerateKey, "PsaGenerateKey", false, false, true, true, false, false},
    {Opcode::PsaDestroyKey, "PsaDestroyKey", false, false, true, true, false, false},
    {Opcode::PsaSignHash, "PsaSignHash", false, false, true, true, false, false},
    {Opcode::PsaVerifyHash, "PsaVerifyHash", false, false, true, true, false, false},
    {Opcode::PsaImportKey, "PsaImportKey", false, false, true, true, true, false},
    {Opcode::PsaExportPublicKey, "PsaExportPublicKey", false, false, true, true, false, false},
    {Opcode::ListProviders, "ListProviders", true, false, false, false, false, false},
    {Opcode::ListOpcodes, "ListOpcodes", true, false, false, false, false, false},
    {Opcode::PsaAsymmetricEncrypt, "PsaAsymmetricEncrypt", false, false, true, true, true, false},
    {Opcode::PsaAsymmetricDecrypt, "PsaAsymmetricDecrypt", false, false, true, true, false, true},
    {Opcode::PsaExportKey, "PsaExportKey", false, false, true, true, false, true},
    {Opcode::PsaGenerateRandom, "PsaGenerateRandom", false, false, false, false, false, true},
    {Opcode::ListAuthenticators, "ListAuthenticators", true, false, false, false, false, false},
    {Opcode::PsaHashCompute, "PsaHashCompute", false, false, false, false, false, false},
    {Opcode::PsaHashCompare, "PsaHashCompare", false, false, false, false, false, false},
    {Opcode::PsaAeadEncrypt, "PsaAeadEncrypt", false, false, true, true, true, false},
    {Opcode::PsaAeadDecrypt, "PsaAeadDecrypt", false, false, true, true, false, true},
    {Opcode::PsaRawKeyAgreement, "PsaRawKeyAgreement", false, false, true, true, false, true},
    {Opcode::PsaCipherEncrypt, "PsaCipherEncrypt", false, false, true, true, true, false},
    {Opcode::PsaCipherDecrypt, "PsaCipherDecrypt", false, false, true, true, false, true},
    {Opcode::PsaMacCompute, "PsaMacCompute", false, false, true, true, false, false},
    {Opcode::PsaMacVerify, "PsaMacVerify", false, false, true, true, false, false},
    {Opcode::PsaSignMessage, "PsaSignMessage", false, false, true, true, false, false},
    {Opcode::PsaVerifyMessage, "PsaVerifyMessage", false, false, true, true, false, false},
    {Opcode::ListKeys, "ListKeys", true, false, true, false, false, false},
    {Opcode::ListClients, "ListClients", true, true, true, false, false, false},
    {Opcode::DeleteClient, "DeleteClient", true, true, true, false, false, false},
    {Opcode::AttestKey, "AttestKey", false, false, true, true, true, true},
    {Opcode::PrepareKeyAttestation, "PrepareKeyAttestation", false, false, true, true, false, false},
    {Opcode::CanDoCrypto, "CanDoCrypto", false, false, true, false, false, false},
};

const OpcodeInfo* find_opcode(uint32_t v) {
  for (const auto& o : kOpcodes) {
    if (static_cast<uint32_t>(o.op) == v) {
      return &o;
    }
  }
  return nullptr;
}

}  // namespace

const char* status_name(Status s) {
  const StatusInfo* i = find_status(static_cast<uint16_t>(s));
  return i ? i->name : "UnknownStatus";
}

const char* status_description(Status s) {
  const StatusInfo* i = find_status(static_cast<uint16_t>(s));
  return i ? i->description : "status value not defined by the protocol";
}

std::optional<Status> status_from_u16(uint16_t v) {
  const StatusInfo* i = find_status(v);
  if (!i) {
    return std::nullopt;
  }
  return i->status;
}

const char* opcode_name(Opcode op) {
  const OpcodeInfo* i = find_opcode(static_cast<uint32_t>(op));
  return i ? i->name : "Unknown";
}

std::optional<Opcode> opcode_from_u32(uint32_t v) {
  const OpcodeInfo* i = find_opcode(v);
  if (!i) {
    return std::nullopt;
  }
  return i->op;
}

bool is_core_opcode(Opcode op) {
  const OpcodeInfo* i = find_opcode(static_cast<uint32_t>(op));
  return i && i->core;
}

bool is_admin_opcode(Opcode op) {
  const OpcodeInfo* i = find_opcode(static_cast<uint32_t>(op));
  return i && i->admin;
}

bool needs_identity(Opcode op) {
  const OpcodeInfo* i = find_opcode(static_cast<uint32_t>(op));
  return i && i->identity;
}

const OpcodeInfo* opcode_info(Opcode op) {
  return find_opcode(static_cast<uint32_t>(op));
}

std::span<const OpcodeInfo> all_opcodes() {
  return kOpcodes;
}

bool is_upstream_listable(Opcode op) {
  return find_opcode(static_cast<uint32_t>(op)) != nullptr && op != Opcode::PsaMacCompute && op != Opcode::PsaMacVerify;
}

const char* auth_type_name(AuthType a) {
  switch (a) {
    case AuthType::NoAuth:
      return "NoAuth";
    case AuthType::Direct:
      return "Direct";
    case AuthType::Jwt:
      return "Jwt";
    case AuthType::UnixPeerCredentials:
      return "UnixPeerCredentials";
    case AuthType::JwtSvid:
      return "JwtSvid";
  }
  return "Unknown";
}

std::array<uint8_t, kHeaderLen> encode_header(const WireHeader& h) {
  std::array<uint8_t, kHeaderLen> b{};
  put_u32(&b[0], h.magic);
  put_u16(&b[4], h.header_size);
  b[6] = h.version_maj;
  b[7] = h.version_min;
  put_u16(&b[8], h.flags);
  b[10] = h.provider;
  put_u64(&b[11], h.session);
  b[19] = h.content_type;
  b[20] = h.accept_type;
  b[21] = h.auth_type;
  put_u32(&b[22], h.body_len);
  put_u16(&b[26], h.auth_len);
  put_u32(&b[28], h.opcode);
  put_u16(&b[32], h.status);
  b[34] = h.reserved1;
  b[35] = h.reserved2;
  return b;
}

WireHeader decode_header(const uint8_t* p) {
  WireHeader h;
  h.magic = get_u32(&p[0]);
  h.header_size = get_u16(&p[4]);
  h.version_maj = p[6];
  h.version_min = p[7];
  h.flags = get_u16(&p[8]);
  h.provider = p[10];
  h.session = get_u64(&p[11]);
  h.content_type = p[19];
  h.accept_type = p[20];
  h.auth_type = p[21];
  h.body_len = get_u32(&p[22]);
  h.auth_len = get_u16(&p[26]);
  h.opcode = get_u32(&p[28]);
  h.status = get_u16(&p[32]);
  h.reserved1 = p[34];
  h.reserved2 = p[35];
  return h;
}

Status validate_fixed_fields(const WireHeader& h) {
  if (h.magic != kMagic || h.header_size != kHeaderSizeField) {
    return Status::InvalidHeader;
  }
  if (h.version_maj != kVersionMajor || h.version_min != kVersionMinor) {
    return Status::WireProtocolVersionNotSupported;
  }
  if (h.reserved1 != 0 || h.reserved2 != 0) {
    return Status::InvalidHeader;
  }
  return Status::Success;
}

Status validate_request_fields(const WireHeader& h) {
  if (h.content_type != 0) {
    return Status::ContentTypeNotSupported;
  }
  if (h.accept_type != 0) {
    return Status::AcceptTypeNotSupported;
  }
  if (h.auth_type > kMaxAuthType) {
    return Status::AuthenticatorDoesNotExist;
  }
  // PsaMacCompute/PsaMacVerify are recognised here on purpose: we serve them.
  if (!opcode_from_u32(h.opcode)) {
    return Status::OpcodeDoesNotExist;
  }
  if (h.provider > kMaxProviderId) {
    return Status::ProviderDoesNotExist;
  }
  return Status::Success;
}

WireHeader detached_response(Status s) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(Opcode::Ping);
  h.status = static_cast<uint16_t>(s);
  return h;
}

WireHeader echoed_response(const WireHeader& request, Status s, uint32_t body_len) {
  WireHeader h;
  h.provider = request.provider;
  h.session = request.session;
  h.opcode = request.opcode;
  h.status = static_cast<uint16_t>(s);
  h.body_len = body_len;
  return h;
}

}  // namespace parsec
