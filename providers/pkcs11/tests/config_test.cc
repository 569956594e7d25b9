// Settings parsing and token selection, without a module.
#include <gtest/gtest.h>

#include "config.h"
#include "module.h"

namespace parsec::provider::pkcs11 {
namespace {

std::string pin_of(const Pkcs11Config& c) {
  return std::string(c.user_pin->bytes().begin(), c.user_pin->bytes().end());
}

TEST(Config, FullSettings) {
  Pkcs11Config c;
  std::string err;
  ASSERT_TRUE(parse_config({{"library_path", "/usr/lib/softhsm/libsofthsm2.so"},
                            {"serial_number", " 924361e2fdf63158 "},
                            {"token_label", "Parsec Tests   "},
                            {"slot_number", "2113286488"},
                            {"user_pin", "123456"},
                            {"software_public_operations", "true"},
                            {"allow_export", "false"}},
                           c, err))
      << err;
  EXPECT_EQ(c.library_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(*c.serial_number, "924361e2fdf63158");
  EXPECT_EQ(*c.token_label, "Parsec Tests");
  EXPECT_EQ(*c.slot_number, 2113286488ul);
  EXPECT_EQ(pin_of(c), "123456");
  EXPECT_TRUE(c.software_public_operations);
  EXPECT_FALSE(c.allow_export);
}

TEST(Config, Defaults) {
  Pkcs11Config c;
  std::string err;
  ASSERT_TRUE(parse_config({{"library_path", "/x.so"}}, c, err)) << err;
  EXPECT_FALSE(c.serial_number || c.token_label || c.slot_number || c.user_pin);
  EXPECT_FALSE(c.software_public_operations);
  EXPECT_TRUE(c.allow_export);
}

TEST(Config, PinPrefixes) {
  struct Case {
    const char* setting;
    std::string pin;
  };
  for (const Case& t : {Case{"str:123456", "123456"}, Case{"hex:313233343536", "123456"},
                        Case{"hex:00FFa0", std::string("\x00\xff\xa0", 3)}, Case{"str:hex:41", "hex:41"},
                        Case{"plain", "plain"}, Case{"str:", ""}}) {
    Pkcs11Config c;
    std::string err;
    bool ok = parse_config({{"library_path", "/x.so"}, {"user_pin", t.setting}}, c, err);
    if (t.pin.empty()) {
      EXPECT_FALSE(ok) << t.setting;  // an empty PIN is a mistake, not "no login"
      continue;
    }
    ASSERT_TRUE(ok) << t.setting << ": " << err;
    EXPECT_EQ(pin_of(c), t.pin) << t.setting;
  }
}

TEST(Config, BadPinsAreRefusedWithoutQuotingThem) {
  for (const char* bad : {"hex:31323", "hex:zz3132", "hex:", ""}) {
    Pkcs11Config c;
    std::string err;
    EXPECT_FALSE(parse_config({{"library_path", "/x.so"}, {"user_pin", bad}}, c, err)) << bad;
    EXPECT_NE(err.find("user_pin"), std::string::npos) << err;
    if (std::string(bad).size() > 4) {
      EXPECT_EQ(err.find(std::string(bad).substr(4)), std::string::npos) << err;
    }
  }
}

TEST(Config, ErrorsNameTheSetting) {
  struct Case {
    Settings s;
    const char* names;
  };
  const Case cases[] = {
      {{}, "library_path is required"},
      {{{"library_path", ""}}, "library_path"},
      {{{"library_path", "/x.so"}, {"slot_number", "-1"}}, "slot_number"},
      {{{"library_path", "/x.so"}, {"slot_number", "12a"}}, "slot_number"},
      {{{"library_path", "/x.so"}, {"allow_export", "yes"}}, "allow_export"},
      {{{"library_path", "/x.so"}, {"software_public_operations", "1"}}, "software_public_operations"},
      {{{"library_path", "/x.so"}, {"user-pin", "1234"}}, "unknown setting \"user-pin\""},
      {{{"library_path", "/x.so"}, {"serial_number", "   "}}, "serial_number"},
  };
  for (const Case& c : cases) {
    Pkcs11Config cfg;
    std::string err;
    EXPECT_FALSE(parse_config(c.s, cfg, err));
    EXPECT_NE(err.find(c.names), std::string::npos) << err;
  }
}

TEST(Config, TrimTokenFields) {
  const unsigned char label[8] = {'a', 'b', ' ', 'c', ' ', ' ', ' ', ' '};
  EXPECT_EQ(trim_token_field(label, 8), "ab c");
  const unsigned char nul[4] = {'x', 0, 0, 0};
  EXPECT_EQ(trim_token_field(nul, 4), "x");
}

TokenEntry token(CK_SLOT_ID slot, const char* label, const char* serial) {
  TokenEntry t;
  t.slot = slot;
  t.label = label;
  t.serial = serial;
  return t;
}

TEST(ChooseToken, SingleTokenNeedsNoSetting) {
  Pkcs11Config c;
  TokenEntry out;
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(choose_token({token(5, "A", "s1")}, 0, c, out, warnings, err));
  EXPECT_EQ(out.slot, 5u);
  EXPECT_TRUE(warnings.empty());
}

TEST(ChooseToken, NoTokenAndSeveralTokensAreErrors) {
  Pkcs11Config c;
  TokenEntry out;
  std::vector<std::string> warnings;
  std::string err;
  EXPECT_FALSE(choose_token({}, 1, c, out, warnings, err));
  EXPECT_NE(err.find("no token"), std::string::npos) << err;
  EXPECT_NE(err.find("not initialised"), std::string::npos) << err;
  EXPECT_FALSE(choose_token({token(1, "A", "s1"), token(2, "B", "s2")}, 0, c, out, warnings, err));
  EXPECT_NE(err.find("several tokens and none chosen"), std::string::npos) << err;
  EXPECT_NE(err.find("\"B\" (serial s2, slot 2)"), std::string::npos) << err;
}

TEST(ChooseToken, SerialWinsOverLabelAndSlotWithWarnings) {
  Pkcs11Config c;
  c.serial_number = "s2";
  c.token_label = "A";
  c.slot_number = 1;
  TokenEntry out;
  std::vector<std::string> warnings;
  std::string err;
  ASSERT_TRUE(choose_token({token(1, "A", "s1"), token(2, "B", "s2")}, 0, c, out, warnings, err)) << err;
  EXPECT_EQ(out.slot, 2u);
  EXPECT_EQ(warnings.size(), 2u);
}

TEST(ChooseToken, LabelThenSlot) {
  Pkcs11Config c;
  c.token_label = "A";
  TokenEntry out;
  std::vector<std::string> warnings;
  std::string err;
  std::vector<TokenEntry> two_a = {token(1, "A", "s1"), token(2, "A", "s2"), token(3, "B", "s3")};
  EXPECT_FALSE(choose_token(two_a, 0, c, out, warnings, err));
  EXPECT_NE(err.find("several tokens match token_label"), std::string::npos) << err;
  c.slot_number = 2;
  ASSERT_TRUE(choose_token(two_a, 0, c, out, warnings, err)) << err;
  EXPECT_EQ(out.serial, "s2");
  c.token_label = "C";
  EXPECT_FALSE(choose_token(two_a, 0, c, out, warnings, err));
  EXPECT_NE(err.find("no initialised token matches token_label \"C\""), std::string::npos) << err;
  c.token_label.reset();
  c.slot_number = 3;
  ASSERT_TRUE(choose_token(two_a, 0, c, out, warnings, err));
  EXPECT_EQ(out.label, "B");
  c.slot_number = 9;
  EXPECT_FALSE(choose_token(two_a, 0, c, out, warnings, err));
  EXPECT_NE(err.find("slot_number 9"), std::string::npos) << err;
}

}  // namespace
}  // namespace parsec::provider::pkcs11
