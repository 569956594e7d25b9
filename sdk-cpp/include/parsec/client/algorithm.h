// parsec/client/algorithm.h - the PSA algorithm model as the client API sees it.
//
// The model itself lives in interface/ (parsec/psa/algorithm.h) and is shared
// with the service and the providers; the client names it parsec::client::*.
#pragma once

#include "parsec/psa/algorithm.h"

namespace parsec::client {

using psa::AeadAlgorithm;
using psa::Algorithm;
using psa::AlgorithmKind;
using psa::Cipher;
using psa::Hash;
using psa::RawKeyAgreement;

using psa::aead_algorithm_name;
using psa::algorithm_kind_name;
using psa::cipher_name;
using psa::hash_length;
using psa::hash_name;
using psa::raw_key_agreement_name;

}  // namespace parsec::client
