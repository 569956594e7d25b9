// The shipped example configuration stays valid.
#include <gtest/gtest.h>

#include "service/src/config.h"

namespace parsec::service {
namespace {

TEST(ExampleConfig, ShippedConfigurationParses) {
  Result<Config> loaded = load_config(PARSEC_SOURCE_DIR "/examples/service/config.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.detail();
  const Config& c = *loaded;
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
  EXPECT_FALSE(c.allow_root);
  ASSERT_EQ(c.authenticators.size(), 1u);
  EXPECT_EQ(c.authenticators[0].type, AuthType::UnixPeerCredentials);
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_EQ(c.providers[0].id, ProviderId::MbedCrypto);
  EXPECT_EQ(c.socket_path, "/run/parsec/parsec.sock");
}

}  // namespace
}  // namespace parsec::service
