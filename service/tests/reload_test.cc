// reload_test.cc - settle_reload (config.h): a SIGHUP reload that changes a
// setting the running daemon cannot apply says so and keeps the old value
// (issue 15 item 6: allow_root = false accepted while running as root).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/src/config.h"

namespace parsec::service {
namespace {

using ::testing::HasSubstr;

Config base() {
  Config c;
  c.allow_root = true;
  c.thread_pool_size = 4;
  c.socket_path = "/run/parsec/parsec.sock";
  c.buffer_size_limit = 1u << 20;
  c.allow_deprecated = false;
  c.timeout_ms = 200;
  return c;
}

TEST(SettleReload, AllowRootFalseWhileRootIsRefusedAndSaidSo) {
  Config running = base();
  Config next = base();
  next.allow_root = false;
  next.timeout_ms = 500;  // a setting that does apply
  auto msgs = settle_reload(running, next, /*running_as_root=*/true);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_THAT(msgs[0], HasSubstr("core_settings.allow_root changed to false"));
  EXPECT_THAT(msgs[0], HasSubstr("running as root"));
  EXPECT_TRUE(next.allow_root);
  EXPECT_EQ(next.timeout_ms, 500u);
}

TEST(SettleReload, AllowRootAppliesWhenNotRoot) {
  Config running = base();
  Config next = base();
  next.allow_root = false;
  EXPECT_TRUE(settle_reload(running, next, false).empty());
  EXPECT_FALSE(next.allow_root);
}

TEST(SettleReload, StartUpOnlySettingsKeepTheirValueAndEachIsNamed) {
  Config running = base();
  Config next = base();
  next.thread_pool_size = 16;
  next.socket_path = "/tmp/other.sock";
  next.buffer_size_limit = 4096;
  next.allow_deprecated = true;
  auto msgs = settle_reload(running, next, false);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_THAT(msgs[0], HasSubstr("thread_pool_size changed to 16"));
  EXPECT_THAT(msgs[0], HasSubstr("keeping 4 until a restart"));
  EXPECT_THAT(msgs[1], HasSubstr("socket_path changed to \"/tmp/other.sock\""));
  EXPECT_THAT(msgs[2], HasSubstr("buffer_size_limit changed to 4096"));
  EXPECT_THAT(msgs[3], HasSubstr("allow_deprecated changed to true"));
  EXPECT_EQ(next.thread_pool_size, 4u);
  EXPECT_EQ(next.socket_path, "/run/parsec/parsec.sock");
  EXPECT_EQ(next.buffer_size_limit, 1u << 20);
  EXPECT_FALSE(next.allow_deprecated);
}

TEST(SettleReload, NothingChangedNothingSaid) {
  Config running = base();
  Config next = base();
  EXPECT_TRUE(settle_reload(running, next, true).empty());
}

}  // namespace
}  // namespace parsec::service
