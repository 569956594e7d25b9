// The factory without a TPM: configuration errors and the skip status.
#include <gtest/gtest.h>
#include <unistd.h>

#include "parsec/provider/tpm.h"

namespace parsec::provider {
namespace {

ProviderContext context(std::vector<std::pair<std::string, std::string>> settings) {
  ProviderContext ctx;
  ctx.instance_name = "tpm-provider";
  ctx.settings = std::move(settings);
  return ctx;
}

std::string dead_tcti() {
  return "swtpm:path=/tmp/parsec-no-such-tpm-" + std::to_string(::getpid()) + ".sock";
}

TEST(TpmFactory, UnreachableTpmFailsWithCommunicationFailure) {
  std::string error;
  auto r = make_tpm_provider(context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "Sekrit-Owner"}}), error);
  EXPECT_EQ(r.status(), Status::PsaErrorCommunicationFailure);
  EXPECT_NE(error.find(dead_tcti()), std::string::npos) << error;
  EXPECT_NE(error.find("no TPM answers"), std::string::npos) << error;
  EXPECT_EQ(error.find("Sekrit-Owner"), std::string::npos) << error;
}

TEST(TpmFactory, SkipIfNoTpmAnswersTheSkipStatus) {
  std::string error;
  auto r = make_tpm_provider(
      context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", ""}, {"skip_if_no_tpm", "true"}}), error);
  EXPECT_EQ(r.status(), kTpmSkipped);
  EXPECT_NE(error.find("skip_if_no_tpm"), std::string::npos) << error;
}

TEST(TpmFactory, BadSettingsAreRefusedBeforeTouchingTheTpm) {
  std::string error;
  auto r = make_tpm_provider(context({{"tcti", dead_tcti()}}), error);
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_NE(error.find("owner_hierarchy_auth"), std::string::npos);
  // Even with skip_if_no_tpm, a configuration error is not a skip.
  r = make_tpm_provider(context({{"tcti", dead_tcti()}, {"owner_hierarchy_auth", "hex:x"}, {"skip_if_no_tpm", "true"}}),
                        error);
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
}

}  // namespace
}  // namespace parsec::provider
