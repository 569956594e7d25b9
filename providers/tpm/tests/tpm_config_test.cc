#include <gtest/gtest.h>

#include "tpm_config.h"

namespace parsec::provider::tpm {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(TpmConfig, AuthValuePrefixes) {
  std::string error;
  EXPECT_EQ(parse_auth("", "k", error)->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("plain", "k", error)->bytes(), bytes("plain"));
  EXPECT_EQ(parse_auth("str:", "k", error)->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("str:hex:00", "k", error)->bytes(), bytes("hex:00"));
  EXPECT_EQ(parse_auth("hex:", "k", error)->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("hex:00fFa5", "k", error)->bytes(), (std::vector<uint8_t>{0x00, 0xff, 0xa5}));
  // "Str:" is not a prefix: the value is taken as it is.
  EXPECT_EQ(parse_auth("Str:x", "k", error)->bytes(), bytes("Str:x"));
}

TEST(TpmConfig, MalformedAuthValuesNameTheSettingNotTheValue) {
  for (const std::string v : {"hex:abc", "hex:zz", "hex:0g", "hex:secret-value"}) {
    std::string error;
    auto r = parse_auth(v, "owner_hierarchy_auth", error);
    EXPECT_EQ(r.status(), Status::InvalidEncoding) << v;
    EXPECT_NE(error.find("owner_hierarchy_auth"), std::string::npos);
    EXPECT_EQ(error.find(v.substr(4)), std::string::npos) << error;
  }
  std::string error;
  EXPECT_EQ(parse_auth(std::string(65, 'a'), "k", error).status(), Status::InvalidEncoding);
  EXPECT_EQ(parse_auth(std::string(64, 'a'), "k", error)->size(), 64u);
  EXPECT_EQ(parse_auth("hex:" + std::string(130, 'a'), "k", error).status(), Status::InvalidEncoding);
}

TEST(TpmConfig, FullConfiguration) {
  std::string error;
  auto c = parse_config({{"tcti", "swtpm:path=/tmp/x.sock"},
                         {"owner_hierarchy_auth", "hex:0102"},
                         {"endorsement_hierarchy_auth", "str:e"},
                         {"skip_if_no_tpm", "true"}},
                        error);
  ASSERT_TRUE(c.ok()) << error;
  EXPECT_EQ(c->tcti, "swtpm:path=/tmp/x.sock");
  EXPECT_EQ(c->owner_auth.bytes(), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(c->endorsement_auth.bytes(), bytes("e"));
  EXPECT_TRUE(c->skip_if_no_tpm);
}

TEST(TpmConfig, Defaults) {
  std::string error;
  auto c = parse_config({{"tcti", "device:/dev/tpmrm0"}, {"owner_hierarchy_auth", ""}}, error);
  ASSERT_TRUE(c.ok()) << error;
  EXPECT_TRUE(c->owner_auth.empty());
  EXPECT_TRUE(c->endorsement_auth.empty());
  EXPECT_FALSE(c->skip_if_no_tpm);
}

TEST(TpmConfig, ErrorsNameTheKey) {
  struct Case {
    Settings settings;
    std::string names;
  };
  for (const Case& c : {Case{{{"owner_hierarchy_auth", ""}}, "tcti"},
                        Case{{{"tcti", ""}, {"owner_hierarchy_auth", ""}}, "tcti"},
                        Case{{{"tcti", "device"}}, "owner_hierarchy_auth"},
                        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", ""}, {"skip_if_no_tpm", "yes"}},
                             "skip_if_no_tpm"},
                        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", ""}, {"user_pin", "1234"}}, "user_pin"},
                        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", "hex:1"}}, "owner_hierarchy_auth"}}) {
    std::string error;
    auto r = parse_config(c.settings, error);
    EXPECT_EQ(r.status(), Status::InvalidEncoding) << c.names;
    EXPECT_NE(error.find(c.names), std::string::npos) << error;
    EXPECT_EQ(error.find("1234"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace parsec::provider::tpm
