// Unit tests of the binding facade's error mapping and PSA helpers (no daemon:
// the client-side failures come from an endpoint where nothing listens).
#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "bindings/src/error_mapping.h"
#include "parsec/binding/binding.h"
#include "parsec/client/error.h"

namespace parsec::binding {
namespace {

int code(Status s) {
  return static_cast<int>(s);
}

Error captured(const std::function<void()>& thrower) {
  Error err;
  try {
    thrower();
  } catch (...) {
    detail::capture(err);
  }
  return err;
}

TEST(BindingError, ServiceErrorKeepsEveryField) {
  Error err = captured([] { throw client::Error::service_error(Status::PsaErrorDoesNotExist, "PsaSignHash"); });
  EXPECT_TRUE(err.failed());
  EXPECT_EQ(err.status(), 1140);
  EXPECT_EQ(err.status_name(), "PsaErrorDoesNotExist");
  EXPECT_EQ(err.operation(), "PsaSignHash");
  EXPECT_TRUE(err.from_service());
  EXPECT_FALSE(err.detail().empty());
  EXPECT_EQ(err.message(), client::Error::service_error(Status::PsaErrorDoesNotExist, "PsaSignHash").what());
}

TEST(BindingError, ClientErrorKeepsEveryField) {
  Error err = captured([] { throw client::Error::client_error(Status::ConnectionError, "Ping", "cannot connect"); });
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_EQ(err.status_name(), "ConnectionError");
  EXPECT_EQ(err.operation(), "Ping");
  EXPECT_EQ(err.detail(), "cannot connect");
  EXPECT_FALSE(err.from_service());
  EXPECT_EQ(err.message(), "Ping failed: cannot connect");
}

TEST(BindingError, OtherExceptionsMapToPsaStatuses) {
  Error oom = captured([] { throw std::bad_alloc(); });
  EXPECT_EQ(oom.status(), code(Status::PsaErrorInsufficientMemory));
  EXPECT_FALSE(oom.from_service());

  Error std_error = captured([] { throw std::runtime_error("broken invariant"); });
  EXPECT_EQ(std_error.status(), code(Status::PsaErrorGenericError));
  EXPECT_EQ(std_error.detail(), "broken invariant");
  EXPECT_EQ(std_error.operation(), "");

  Error unknown = captured([] { throw 42; });
  EXPECT_EQ(unknown.status(), code(Status::PsaErrorGenericError));
  EXPECT_FALSE(unknown.detail().empty());
}

TEST(BindingError, GuardClearsAPreviousFailureAndReturnsEmptyOnError) {
  Error err;
  Bytes out =
      detail::guard(err, []() -> Bytes { throw client::Error::client_error(Status::InvalidEncoding, "X", "y"); });
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(err.status(), code(Status::InvalidEncoding));
  Bytes ok = detail::guard(err, [] { return Bytes{1, 2, 3}; });
  EXPECT_EQ(ok, (Bytes{1, 2, 3}));
  EXPECT_FALSE(err.failed());
  EXPECT_EQ(err.status_name(), "Success");
  EXPECT_EQ(err.operation(), "");
  EXPECT_EQ(err.message(), "");
}

TEST(BindingError, StatusNames) {
  EXPECT_EQ(status_name_of(1149), "PsaErrorInvalidSignature");
  EXPECT_EQ(status_name_of(-1), "UnknownStatus");
  EXPECT_EQ(status_name_of(0x10000), "UnknownStatus");
  EXPECT_EQ(status_name_of(999), "UnknownStatus");
}

TEST(BindingClient, BadEndpointUriGivesNoClient) {
  Error err;
  std::unique_ptr<Client> c(Client::create("tcp://127.0.0.1:1", err));
  EXPECT_EQ(c, nullptr);
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_FALSE(err.from_service());
}

// A socket path where nothing listens: every request fails on the client side
// with ConnectionError naming its operation, and returns the empty value.
class BindingOffline : public ::testing::Test {
 protected:
  void SetUp() override {
    Error err;
    client_.reset(Client::create("unix:/nonexistent/parsec-binding-test.sock", err));
    ASSERT_NE(client_, nullptr) << err.message();
    EXPECT_FALSE(err.failed());
    client_->set_timeout_ms(2000);
  }
  std::unique_ptr<Client> client_;
};

TEST_F(BindingOffline, SettingsRoundTrip) {
  EXPECT_EQ(client_->endpoint(), "unix:/nonexistent/parsec-binding-test.sock");
  EXPECT_EQ(client_->timeout_ms(), 2000u);
  client_->set_app_name("app");
  EXPECT_EQ(client_->app_name(), "app");
  Error err;
  EXPECT_TRUE(client_->set_endpoint("unix:///tmp/x.sock", err));
  EXPECT_EQ(client_->endpoint(), "unix:/tmp/x.sock");
  EXPECT_FALSE(client_->set_endpoint("http://x", err));
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_EQ(client_->endpoint(), "unix:/tmp/x.sock");
  EXPECT_TRUE(client_->set_provider(2, err));
  EXPECT_EQ(client_->provider(err), ProviderId::Pkcs11);  // set: no discovery request
  EXPECT_FALSE(err.failed());
  EXPECT_FALSE(client_->set_provider(9, err));
  EXPECT_EQ(err.status(), code(Status::ProviderDoesNotExist));
  EXPECT_FALSE(client_->set_auth_type(AuthType::Jwt, err));
  EXPECT_EQ(err.status(), code(Status::AuthenticatorNotRegistered));
}

TEST_F(BindingOffline, RequestsReportConnectionErrorWithTheirOperation) {
  Error err;
  EXPECT_EQ(client_->ping(err), 0);
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_EQ(err.operation(), "Ping");
  EXPECT_FALSE(err.from_service());

  // Without a provider set, the first crypto request discovers it.
  EXPECT_TRUE(client_->hash_compute(psa::Hash::Sha256, Bytes{1}, err).empty());
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_EQ(err.operation(), "ListProviders");

  EXPECT_TRUE(client_->set_provider(1, err));
  EXPECT_TRUE(client_->hash_compute(psa::Hash::Sha256, Bytes{1}, err).empty());
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
  EXPECT_EQ(err.operation(), "PsaHashCompute");

  // verify answers false both for a mismatch and a failure: err tells them apart.
  EXPECT_FALSE(client_->verify_hash("k", psa::Algorithm::ecdsa(psa::Hash::Sha256), Bytes(32), Bytes(64), err));
  EXPECT_TRUE(err.failed());
  EXPECT_EQ(err.status(), code(Status::ConnectionError));

  EXPECT_EQ(client_->key("k", err), nullptr);
  EXPECT_EQ(err.status(), code(Status::ConnectionError));
}

TEST(BindingModel, MakeAlgorithmUsesTheFactories) {
  Error err;
  using psa::AeadAlgorithm;
  using psa::AlgorithmKind;
  using psa::Cipher;
  using psa::Hash;
  using psa::RawKeyAgreement;
  auto make = [&](AlgorithmKind k, Hash h, bool t = false, uint32_t len = 0, AlgorithmKind kdf = AlgorithmKind::None) {
    return make_algorithm(k, h, t, len, Cipher::CbcPkcs7, AeadAlgorithm::Gcm, RawKeyAgreement::Ecdh, kdf, err);
  };
  EXPECT_EQ(make(AlgorithmKind::Ecdsa, Hash::Sha256), psa::Algorithm::ecdsa(Hash::Sha256));
  EXPECT_EQ(make(AlgorithmKind::RsaPss, Hash::Any), psa::Algorithm::rsa_pss(Hash::Any));
  EXPECT_EQ(make(AlgorithmKind::Hmac, Hash::Sha384, true, 16),
            psa::Algorithm::truncated_mac(psa::Algorithm::hmac(Hash::Sha384), 16));
  EXPECT_EQ(make(AlgorithmKind::Aead, Hash::None, true, 12), psa::Algorithm::aead_gcm(12));
  EXPECT_EQ(make(AlgorithmKind::Cipher, Hash::None), psa::Algorithm::cipher(Cipher::CbcPkcs7));
  EXPECT_EQ(make(AlgorithmKind::KeyAgreementWithDerivation, Hash::Sha256, false, 0, AlgorithmKind::Hkdf),
            psa::Algorithm::key_agreement_with_derivation(RawKeyAgreement::Ecdh, psa::Algorithm::hkdf(Hash::Sha256)));
  EXPECT_FALSE(err.failed());

  make(AlgorithmKind::Cmac, Hash::None, true, 0);
  EXPECT_EQ(err.status(), code(Status::PsaErrorInvalidArgument));
  make(static_cast<AlgorithmKind>(77), Hash::None);
  EXPECT_EQ(err.status(), code(Status::PsaErrorInvalidArgument));
  make(AlgorithmKind::KeyAgreementWithDerivation, Hash::Sha256, false, 0, AlgorithmKind::Ecdsa);
  EXPECT_EQ(err.status(), code(Status::PsaErrorInvalidArgument));
}

TEST(BindingModel, UsageBitsRoundTrip) {
  psa::KeyAttributes a = psa::KeyAttributes::ecc_key_pair(256, psa::Algorithm::ecdsa(psa::Hash::Sha256));
  uint32_t bits = usage_bits(a);
  EXPECT_EQ(bits, kUsageSignHash | kUsageVerifyHash | kUsageSignMessage | kUsageVerifyMessage);
  psa::KeyAttributes b = make_key_attributes(a.type, a.family, a.dh_family, a.bits, bits | kUsageExport, a.policy);
  EXPECT_TRUE(b.flags.export_);
  EXPECT_EQ(usage_bits(b), bits | kUsageExport);
  b.flags.export_ = false;
  EXPECT_EQ(a, b);
  EXPECT_EQ(usage_bits(with_usage_bits(a, 0xFFFFFFFF)), 0x7F07u);
}

}  // namespace
}  // namespace parsec::binding
