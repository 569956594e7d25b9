#include "parsec/client/info.h"

namespace parsec::client {

const char* provider_display_name(ProviderId id) {
  switch (id) {
    case ProviderId::Core:
      return "Core provider";
    case ProviderId::MbedCrypto:
      return "Mbed Crypto provider";
    case ProviderId::Pkcs11:
      return "PKCS #11 provider";
    case ProviderId::Tpm:
      return "TPM provider";
    case ProviderId::TrustedService:
      return "Trusted Service provider";
    case ProviderId::CryptoAuthLib:
      return "CryptoAuthentication Library provider";
  }
  return "Unknown provider";
}

const char* auth_type_display_name(AuthType a) {
  switch (a) {
    case AuthType::NoAuth:
      return "No authentication";
    case AuthType::Direct:
      return "Direct authentication";
    case AuthType::Jwt:
      return "JSON Web Tokens authentication";
    case AuthType::UnixPeerCredentials:
      return "Unix Peer Credentials authentication";
    case AuthType::JwtSvid:
      return "JWT SPIFFE Verifiable Identity Document authentication";
  }
  return "Unknown authentication";
}

}  // namespace parsec::client
