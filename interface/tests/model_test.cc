// The plain PSA model's own behaviour (beyond its conversion and policy use).
#include <gtest/gtest.h>

#include "parsec/psa/algorithm.h"

namespace parsec::psa {
namespace {

TEST(AlgorithmModel, WithSignHashMakesAWildcardPolicyConcrete) {
  EXPECT_EQ(Algorithm::ecdsa(Hash::Any).with_sign_hash(Hash::Sha384), Algorithm::ecdsa(Hash::Sha384));
  EXPECT_EQ(Algorithm::rsa_pss(Hash::Any).with_sign_hash(Hash::Sha256), Algorithm::rsa_pss(Hash::Sha256));
  EXPECT_EQ(Algorithm::rsa_pkcs1v15_sign(Hash::Sha256).with_sign_hash(Hash::Sha512),
            Algorithm::rsa_pkcs1v15_sign(Hash::Sha512));
  EXPECT_EQ(Algorithm::deterministic_ecdsa(Hash::Any).with_sign_hash(Hash::Sha256),
            Algorithm::deterministic_ecdsa(Hash::Sha256));
}

TEST(AlgorithmModel, WithSignHashLeavesOtherAlgorithmsAlone) {
  for (const Algorithm& a :
       {Algorithm::ecdsa_any(), Algorithm::rsa_pkcs1v15_sign_raw(), Algorithm::rsa_oaep(Hash::Sha1),
        Algorithm::hmac(Hash::Sha256), Algorithm::aead_gcm(), Algorithm::none()}) {
    EXPECT_EQ(a.with_sign_hash(Hash::Sha512), a) << a.to_string();
  }
}

}  // namespace
}  // namespace parsec::psa
