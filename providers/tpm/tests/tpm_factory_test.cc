// The factory without a TPM: configuration errors and the explicit
// "not available" outcome.
#include <gtest/gtest.h>
#include <unistd.h>

#include "parsec/provider/tpm.h"

namespace parsec::provider {
namespace {

ProviderContext context(std::vector<std::pair<std::string, std::string>> settings) {
  ProviderContext ctx;
  ctx.instance_name = "tpm-provider";
  ctx.settings = Settings(std::move(settings));
  return ctx;
}

std::string dead_tcti() {
  return "swtpm:path=/tmp/parsec-no-such-tpm-" + std::to_string(::getpid()) + ".sock";
}

TEST(TpmFactory, Identity) {
  const ProviderFactory f = tpm_factory();
  EXPECT_EQ(f.type_name, "Tpm");
  EXPECT_EQ(f.id, ProviderId::Tpm);
  ASSERT_TRUE(f.check_settings);
  ASSERT_TRUE(f.create);
}

TEST(TpmFactory, UnreachableTpmFailsWithCommunicationFailure) {
  auto r = tpm_factory().create(context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "Sekrit-Owner"}}));
  EXPECT_EQ(r.status(), Status::PsaErrorCommunicationFailure);
  EXPECT_NE(r.detail().find(dead_tcti()), std::string::npos) << r.detail();
  EXPECT_NE(r.detail().find("no TPM answers"), std::string::npos) << r.detail();
  EXPECT_EQ(r.detail().find("Sekrit-Owner"), std::string::npos) << r.detail();
}

TEST(TpmFactory, SkipIfNoTpmAnswersNotAvailable) {
  auto r = tpm_factory().create(
      context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "Sekrit-Owner"}, {"skip_if_no_tpm", "true"}}));
  ASSERT_TRUE(r.ok()) << r.detail();
  EXPECT_EQ(r->provider, nullptr);
  EXPECT_NE(r->unavailable.find("skip_if_no_tpm"), std::string::npos) << r->unavailable;
  EXPECT_NE(r->unavailable.find(dead_tcti()), std::string::npos) << r->unavailable;
  EXPECT_EQ(r->unavailable.find("Sekrit-Owner"), std::string::npos) << r->unavailable;
}

TEST(TpmFactory, BadSettingsAreRefusedBeforeTouchingTheTpm) {
  auto r = tpm_factory().create(context({{"tcti", dead_tcti()}}));
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_NE(r.detail().find("owner_hierarchy_auth"), std::string::npos);
  // Even with skip_if_no_tpm, a configuration error is not a skip.
  r = tpm_factory().create(
      context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "hex:x"}, {"skip_if_no_tpm", "true"}}));
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
}

TEST(TpmFactory, CheckSettingsValidatesWithoutOpeningTheTcti) {
  const ProviderFactory f = tpm_factory();
  // A TCTI nobody answers is fine for check_settings: it is never opened.
  EXPECT_TRUE(f.check_settings(Settings({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "hex:0102"}})).ok());
  // A TCTI module that does not even exist is not loaded either.
  EXPECT_TRUE(f.check_settings(Settings({{"tcti", "no-such-tcti-module:x"}, {"owner_hierarchy_auth", ""}})).ok());
  auto missing = f.check_settings(Settings({{"tcti", dead_tcti()}}));
  EXPECT_EQ(missing.status(), Status::InvalidEncoding);
  EXPECT_NE(missing.detail().find("owner_hierarchy_auth"), std::string::npos) << missing.detail();
  auto unknown = f.check_settings(Settings({{"tcti", "device"}, {"owner_hierarchy_auth", ""}, {"user_pin", "1234"}}));
  EXPECT_EQ(unknown.status(), Status::InvalidEncoding);
  EXPECT_NE(unknown.detail().find("user_pin"), std::string::npos) << unknown.detail();
  EXPECT_EQ(unknown.detail().find("1234"), std::string::npos) << unknown.detail();
  auto bad_auth = f.check_settings(
      Settings({{"tcti", "device"}, {"owner_hierarchy_auth", "hex:Sekrit"}, {"skip_if_no_tpm", "true"}}));
  EXPECT_EQ(bad_auth.status(), Status::InvalidEncoding);
  EXPECT_EQ(bad_auth.detail().find("Sekrit"), std::string::npos) << bad_auth.detail();
}

}  // namespace
}  // namespace parsec::provider
