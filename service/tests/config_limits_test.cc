// The scheduling and admission settings of issue 15: defaults and bounds.
#include <gtest/gtest.h>

#include "service/src/config.h"

namespace parsec::service {
namespace {

const char* kBase =
    "[authenticator]\nauth_type = \"Direct\"\n"
    "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
    "[[provider]]\nprovider_type = \"MbedCrypto\"\nkey_info_manager = \"m\"\n";

Result<Config> parse(const std::string& core, const std::string& listener) {
  return parse_config_text(
      "[core_settings]\n" + core + "[listener]\nlistener_type = \"DomainSocket\"\n" + listener + kBase, "test");
}

TEST(ConfigLimits, DefaultsFollowTheListenerTimeout) {
  Result<Config> c = parse("", "timeout = 700\n");
  ASSERT_TRUE(c.ok()) << c.detail();
  EXPECT_EQ(c->header_timeout_ms, 700u);
  EXPECT_EQ(c->max_connections_per_uid, 0u);  // derived from RLIMIT_NOFILE at start
  EXPECT_EQ(c->max_half_open_per_uid, 32u);
  EXPECT_EQ(c->slow_lane_threads, 0u);
  EXPECT_EQ(c->slow_ops_per_client, 2u);
  EXPECT_TRUE(c->warnings.empty());
}

TEST(ConfigLimits, ExplicitValuesAreRead) {
  Result<Config> c = parse("slow_lane_threads = 3\nslow_ops_per_client = 1\n",
                           "timeout = 700\nheader_timeout = 50\nmax_connections_per_uid = 9\n"
                           "max_half_open_per_uid = 4\n");
  ASSERT_TRUE(c.ok()) << c.detail();
  EXPECT_EQ(c->header_timeout_ms, 50u);
  EXPECT_EQ(c->max_connections_per_uid, 9u);
  EXPECT_EQ(c->max_half_open_per_uid, 4u);
  EXPECT_EQ(c->slow_lane_threads, 3u);
  EXPECT_EQ(c->slow_ops_per_client, 1u);
  EXPECT_TRUE(c->warnings.empty());
}

TEST(ConfigLimits, ZeroLimitsAreRefusedWithTheKey) {
  for (auto [core, listener, key] :
       {std::tuple{"slow_ops_per_client = 0\n", "timeout = 200\n", "slow_ops_per_client"},
        std::tuple{"", "timeout = 200\nmax_half_open_per_uid = 0\n", "max_half_open_per_uid"},
        std::tuple{"", "timeout = 200\nheader_timeout = 0\n", "header_timeout"}}) {
    Result<Config> c = parse(core, listener);
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_EQ(c.status(), Status::InvalidEncoding);
    EXPECT_NE(c.detail().find(key), std::string::npos) << c.detail();
  }
}

}  // namespace
}  // namespace parsec::service
