#include <gtest/gtest.h>

#include "providers/tpm/src/tpm_config.h"

namespace parsec::provider::tpm {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::vector<uint8_t> bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

TEST(TpmConfig, AuthValuePrefixes) {
  EXPECT_EQ(parse_auth("", "k")->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("plain", "k")->bytes(), bytes("plain"));
  EXPECT_EQ(parse_auth("str:", "k")->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("str:hex:00", "k")->bytes(), bytes("hex:00"));
  EXPECT_EQ(parse_auth("hex:", "k")->bytes(), bytes(""));
  EXPECT_EQ(parse_auth("hex:00fFa5", "k")->bytes(), (std::vector<uint8_t>{0x00, 0xff, 0xa5}));
  // "Str:" is not a prefix: the value is taken as it is.
  EXPECT_EQ(parse_auth("Str:x", "k")->bytes(), bytes("Str:x"));
}

TEST(TpmConfig, MalformedAuthValuesNameTheSettingNotTheValue) {
  for (const std::string v : {"hex:abc", "hex:zz", "hex:0g", "hex:secret-value"}) {
    auto r = parse_auth(v, "owner_hierarchy_auth");
    EXPECT_EQ(r.status(), Status::InvalidEncoding) << v;
    EXPECT_NE(r.detail().find("owner_hierarchy_auth"), std::string::npos);
    EXPECT_EQ(r.detail().find(v.substr(4)), std::string::npos) << r.detail();
  }
  EXPECT_EQ(parse_auth(std::string(65, 'a'), "k").status(), Status::InvalidEncoding);
  EXPECT_EQ(parse_auth(std::string(64, 'a'), "k")->size(), 64u);
  EXPECT_EQ(parse_auth("hex:" + std::string(130, 'a'), "k").status(), Status::InvalidEncoding);
}

TEST(TpmConfig, FullConfiguration) {
  const Settings settings(Entries{{"tcti", "swtpm:path=/tmp/x.sock"},
                                  {"owner_hierarchy_auth", "hex:0102"},
                                  {"endorsement_hierarchy_auth", "str:e"},
                                  {"skip_if_no_tpm", "true"}});
  auto c = parse_config(settings);
  ASSERT_TRUE(c.ok()) << c.detail();
  EXPECT_EQ(c->tcti, "swtpm:path=/tmp/x.sock");
  EXPECT_EQ(c->owner_auth.bytes(), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(c->endorsement_auth.bytes(), bytes("e"));
  EXPECT_TRUE(c->skip_if_no_tpm);
  // Every key was read through the typed reader.
  EXPECT_TRUE(settings.unknown().empty());
}

TEST(TpmConfig, Defaults) {
  auto c = parse_config(Settings(Entries{{"tcti", "device:/dev/tpmrm0"}, {"owner_hierarchy_auth", ""}}));
  ASSERT_TRUE(c.ok()) << c.detail();
  EXPECT_TRUE(c->owner_auth.empty());
  EXPECT_TRUE(c->endorsement_auth.empty());
  EXPECT_FALSE(c->skip_if_no_tpm);
  auto f = parse_config(
      Settings(Entries{{"tcti", "device:/dev/tpmrm0"}, {"owner_hierarchy_auth", ""}, {"skip_if_no_tpm", "false"}}));
  ASSERT_TRUE(f.ok()) << f.detail();
  EXPECT_FALSE(f->skip_if_no_tpm);
}

TEST(TpmConfig, ErrorsNameTheKey) {
  struct Case {
    Entries settings;
    std::string names;
  };
  for (const Case& c :
       {Case{{{"owner_hierarchy_auth", ""}}, "tcti"}, Case{{{"tcti", ""}, {"owner_hierarchy_auth", ""}}, "tcti"},
        Case{{{"tcti", "device"}}, "owner_hierarchy_auth"},
        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", ""}, {"skip_if_no_tpm", "yes"}}, "skip_if_no_tpm"},
        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", ""}, {"user_pin", "1234"}}, "user_pin"},
        Case{{{"tcti", "device"}, {"owner_hierarchy_auth", "hex:1"}}, "owner_hierarchy_auth"}}) {
    auto r = parse_config(Settings(c.settings));
    EXPECT_EQ(r.status(), Status::InvalidEncoding) << c.names;
    EXPECT_NE(r.detail().find(c.names), std::string::npos) << r.detail();
    EXPECT_EQ(r.detail().find("1234"), std::string::npos) << r.detail();
  }
}

TEST(TpmConfig, TheFirstBadSettingInFileOrderIsReported) {
  // As before the port: entries are judged in the order the file lists them.
  auto r = parse_config(Settings(Entries{{"skip_if_no_tpm", "maybe"}, {"tcti", ""}, {"owner_hierarchy_auth", ""}}));
  EXPECT_EQ(r.status(), Status::InvalidEncoding);
  EXPECT_NE(r.detail().find("skip_if_no_tpm"), std::string::npos) << r.detail();
  r = parse_config(Settings(Entries{{"tcti", ""}, {"skip_if_no_tpm", "maybe"}, {"owner_hierarchy_auth", ""}}));
  EXPECT_NE(r.detail().find("\"tcti\" is empty"), std::string::npos) << r.detail();
}

}  // namespace
}  // namespace parsec::provider::tpm
