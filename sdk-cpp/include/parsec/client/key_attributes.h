// parsec/client/key_attributes.h - the PSA key attributes model as the client
// API sees it (defined in interface/, parsec/psa/key_attributes.h, and shared
// with the service and the providers).
#pragma once

#include "parsec/client/algorithm.h"
#include "parsec/psa/key_attributes.h"

namespace parsec::client {

using psa::DhFamily;
using psa::EccFamily;
using psa::KeyAttributes;
using psa::KeyType;
using psa::UsageFlags;

using psa::dh_family_name;
using psa::ecc_family_name;
using psa::is_dh_key_type;
using psa::is_ecc_key_type;
using psa::is_public_key_type;
using psa::is_rsa_key_type;
using psa::key_type_name;

}  // namespace parsec::client
