// Rules the service applies in its one shared path, for every provider
// (docs/protocol.md, operations §2 and §5.3), checked against a real parsecd
// on the software provider, a SoftHSM token and swtpm:
//  - an operation the provider does not serve answers PsaErrorNotSupported
//    before the key is looked up (rule 0), so a missing key gets the same
//    answer as an existing one;
//  - a public key is always exportable with PsaExportKey, whatever its flags
//    (where the provider serves PsaExportKey at all);
//  - import data whose size differs from non-zero key_bits is
//    PsaErrorInvalidArgument, before any provider decides whether it supports
//    the declared size.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "attest_key.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_export_key.pb.h"
#include "tests/e2e/provider_daemon.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;
using psa_key_attributes::KeyAttributes;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string p256_point() {
  Pkey k(EVP_EC_gen("P-256"));
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(k.get(), OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len);
  std::string out(len, '\0');
  EVP_PKEY_get_octet_string_param(k.get(), OSSL_PKEY_PARAM_PUB_KEY, reinterpret_cast<unsigned char*>(out.data()), len,
                                  &len);
  return out;
}

// ecc_public: an ECDSA-SHA-256 P-256 public key template with verify flags only.
KeyAttributes ecc_public(uint32_t bits) {
  KeyAttributes a = ecc_pair(bits, ecdsa(Algorithm::SHA_256));
  auto* type = a.mutable_key_type();
  const auto family = type->ecc_key_pair().curve_family();
  type->mutable_ecc_public_key()->set_curve_family(family);
  auto* f = a.mutable_key_policy()->mutable_key_usage_flags();
  f->set_sign_hash(false);
  f->set_sign_message(false);
  f->set_export_(false);
  return a;
}

template <typename Op>
Call raw(const App& a, Opcode opcode, const Op& op) {
  return call(a.socket, opcode, a.provider, a.auth, a.auth_bytes(), op);
}

using SharedRules = ProviderDaemonTest;

TEST_P(SharedRules, DeclaredSizeThatDiffersFromTheDataIsInvalidArgument) {
  App a = app("alice");
  const std::string point = p256_point();
  Call c = a.import("small", ecc_public(224), point);
  EXPECT_EQ(c.status, Status::PsaErrorInvalidArgument);
  EXPECT_TRUE(d_->wait_for_log("declared as 224 bits but the data holds a 65-byte public key"));
  EXPECT_EQ(a.import("large", ecc_public(384), point).status, Status::PsaErrorInvalidArgument);
  // Nothing was created; the right size (or none) is accepted.
  EXPECT_EQ(a.export_public("small").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(a.import("exact", ecc_public(256), point).status, Status::Success);
  EXPECT_EQ(a.import("unsized", ecc_public(0), point).status, Status::Success);
  Call exported = a.export_public("exact");
  ASSERT_EQ(exported.status, Status::Success);
  EXPECT_EQ(exported.body, point);
}

TEST_P(SharedRules, PublicKeysExportWithoutTheExportFlagWhereExportIsServed) {
  App a = app("alice");
  const std::string point = p256_point();
  ASSERT_EQ(a.import("pub", ecc_public(256), point).status, Status::Success);
  psa_export_key::Operation ex;
  ex.set_key_name("pub");
  Call c = raw(a, Opcode::PsaExportKey, ex);
  if (GetParam() == 1) {
    ASSERT_EQ(c.status, Status::Success);
    psa_export_key::Result r;
    ASSERT_TRUE(r.ParseFromString(c.body));
    EXPECT_EQ(r.data(), point);
    // A key pair still needs the flag.
    KeyAttributes pair = ecc_pair(256, ecdsa(Algorithm::SHA_256));
    pair.mutable_key_policy()->mutable_key_usage_flags()->set_export_(false);
    ASSERT_EQ(a.generate("pair", pair).status, Status::Success);
    ex.set_key_name("pair");
    EXPECT_EQ(raw(a, Opcode::PsaExportKey, ex).status, Status::PsaErrorNotPermitted);
  } else {
    // PKCS#11 and TPM do not serve PsaExportKey at all.
    EXPECT_EQ(c.status, Status::PsaErrorNotSupported);
  }
}

TEST_P(SharedRules, UnservedOperationsAnswerNotSupportedBeforeTheKeyLookup) {
  App a = app("alice");
  const bool software = GetParam() == 1;
  const bool tpm = GetParam() == 3;
  // PrepareKeyAttestation: served by the TPM provider only.
  prepare_key_attestation::Operation prep;
  prep.mutable_parameters()->mutable_activate_credential()->set_attested_key_name("no-such-key");
  EXPECT_EQ(raw(a, Opcode::PrepareKeyAttestation, prep).status,
            tpm ? Status::PsaErrorDoesNotExist : Status::PsaErrorNotSupported);
  // Naming a non-default attesting key is a capability question too: no
  // provider here attests with another key, so NotSupported before the lookup.
  prep.mutable_parameters()->mutable_activate_credential()->set_attesting_key_name("my-attesting-key");
  EXPECT_EQ(raw(a, Opcode::PrepareKeyAttestation, prep).status, Status::PsaErrorNotSupported);
  attest_key::Operation att;
  att.set_attested_key_name("no-such-key");
  att.set_attesting_key_name("my-attesting-key");
  att.mutable_parameters()->mutable_activate_credential()->set_credential_blob("blob");
  att.mutable_parameters()->mutable_activate_credential()->set_secret("secret");
  EXPECT_EQ(raw(a, Opcode::AttestKey, att).status, Status::PsaErrorNotSupported);
  att.clear_attesting_key_name();
  EXPECT_EQ(raw(a, Opcode::AttestKey, att).status, tpm ? Status::PsaErrorDoesNotExist : Status::PsaErrorNotSupported);
  // AEAD and PsaExportKey: served by the software provider only.
  psa_aead_encrypt::Operation aead;
  aead.set_key_name("no-such-key");
  aead.mutable_alg()->set_aead_with_default_length_tag(Algorithm::Aead::GCM);
  aead.set_nonce(std::string(12, 'n'));
  aead.set_plaintext("secret");
  EXPECT_EQ(raw(a, Opcode::PsaAeadEncrypt, aead).status,
            software ? Status::PsaErrorDoesNotExist : Status::PsaErrorNotSupported);
  psa_export_key::Operation ex;
  ex.set_key_name("no-such-key");
  EXPECT_EQ(raw(a, Opcode::PsaExportKey, ex).status,
            software ? Status::PsaErrorDoesNotExist : Status::PsaErrorNotSupported);
  // An operation every provider serves looks the key up.
  EXPECT_EQ(a.export_public("no-such-key").status, Status::PsaErrorDoesNotExist);
}

INSTANTIATE_TEST_SUITE_P(EveryProvider, SharedRules, ::testing::ValuesIn(compiled_providers()), provider_name);

}  // namespace
}  // namespace parsec::e2e
