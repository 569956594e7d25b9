// Settings parsing and token selection, without a module.
#include <gtest/gtest.h>

#include "parsec/provider/pkcs11.h"
#include "providers/pkcs11/src/config.h"
#include "providers/pkcs11/src/module.h"

namespace parsec::provider::pkcs11 {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string pin_of(const Pkcs11Config& c) {
  return std::string(c.user_pin->bytes().begin(), c.user_pin->bytes().end());
}

// parse reads `entries` through the typed Settings reader, as the service
// hands them to the provider.
Result<Pkcs11Config> parse(Entries entries) {
  Settings settings(std::move(entries));
  return parse_config(settings);
}

TEST(Config, FullSettings) {
  auto r = parse({{"library_path", "/usr/lib/softhsm/libsofthsm2.so"},
                  {"serial_number", " 924361e2fdf63158 "},
                  {"token_label", "Parsec Tests   "},
                  {"slot_number", "2113286488"},
                  {"user_pin", "123456"},
                  {"software_public_operations", "true"},
                  {"allow_export", "false"}});
  ASSERT_TRUE(r.ok()) << r.detail();
  const Pkcs11Config& c = *r;
  EXPECT_EQ(c.library_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(*c.serial_number, "924361e2fdf63158");
  EXPECT_EQ(*c.token_label, "Parsec Tests");
  EXPECT_EQ(*c.slot_number, 2113286488ul);
  EXPECT_EQ(pin_of(c), "123456");
  EXPECT_TRUE(c.software_public_operations);
  EXPECT_FALSE(c.allow_export);
}

TEST(Config, Defaults) {
  auto r = parse({{"library_path", "/x.so"}});
  ASSERT_TRUE(r.ok()) << r.detail();
  const Pkcs11Config& c = *r;
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
    auto r = parse({{"library_path", "/x.so"}, {"user_pin", t.setting}});
    if (t.pin.empty()) {
      EXPECT_FALSE(r.ok()) << t.setting;  // an empty PIN is a mistake, not "no login"
      EXPECT_EQ(r.status(), Status::InvalidEncoding);
      continue;
    }
    ASSERT_TRUE(r.ok()) << t.setting << ": " << r.detail();
    EXPECT_EQ(pin_of(*r), t.pin) << t.setting;
  }
}

TEST(Config, BadPinsAreRefusedWithoutQuotingThem) {
  for (const char* bad : {"hex:31323", "hex:zz3132", "hex:", ""}) {
    auto r = parse({{"library_path", "/x.so"}, {"user_pin", bad}});
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status(), Status::InvalidEncoding);
    const std::string& err = r.detail();
    EXPECT_NE(err.find("user_pin"), std::string::npos) << err;
    if (std::string(bad).size() > 4) {
      EXPECT_EQ(err.find(std::string(bad).substr(4)), std::string::npos) << err;
    }
  }
}

TEST(Config, ErrorsNameTheSetting) {
  struct Case {
    Entries s;
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
    auto r = parse(c.s);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::InvalidEncoding);
    EXPECT_NE(r.detail().find(c.names), std::string::npos) << r.detail();
  }
}

// The registry's check reads the same settings and never loads the module
// (parsecd --check must not spend a PIN attempt or need the library).
TEST(Factory, ChecksSettingsWithoutTheModule) {
  ProviderFactory f = pkcs11_factory();
  EXPECT_EQ(f.type_name, "Pkcs11");
  EXPECT_EQ(f.id, ProviderId::Pkcs11);
  Settings good({{"library_path", "/nonexistent/libp11.so"}, {"token_label", "T"}, {"user_pin", "hex:3132"}});
  auto ok = f.check_settings(good);
  EXPECT_TRUE(ok.ok()) << ok.detail();
  Settings unknown({{"library_path", "/x.so"}, {"user-pin", "1234"}});
  auto bad = f.check_settings(unknown);
  EXPECT_EQ(bad.status(), Status::InvalidEncoding);
  EXPECT_NE(bad.detail().find("unknown setting \"user-pin\""), std::string::npos) << bad.detail();
  EXPECT_EQ(bad.detail().find("1234"), std::string::npos) << bad.detail();
  Settings pin({{"library_path", "/x.so"}, {"user_pin", "hex:zz"}});
  auto bad_pin = f.check_settings(pin);
  EXPECT_EQ(bad_pin.status(), Status::InvalidEncoding);
  EXPECT_NE(bad_pin.detail().find("user_pin"), std::string::npos) << bad_pin.detail();
  EXPECT_EQ(f.check_settings(Settings()).status(), Status::InvalidEncoding);
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
  std::vector<std::string> warnings;
  auto out = choose_token({token(5, "A", "s1")}, 0, c, warnings);
  ASSERT_TRUE(out.ok()) << out.detail();
  EXPECT_EQ(out->slot, 5u);
  EXPECT_TRUE(warnings.empty());
}

TEST(ChooseToken, NoTokenAndSeveralTokensAreErrors) {
  Pkcs11Config c;
  std::vector<std::string> warnings;
  auto none = choose_token({}, 1, c, warnings);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status(), Status::PsaErrorCommunicationFailure);
  EXPECT_NE(none.detail().find("no token"), std::string::npos) << none.detail();
  EXPECT_NE(none.detail().find("not initialised"), std::string::npos) << none.detail();
  auto several = choose_token({token(1, "A", "s1"), token(2, "B", "s2")}, 0, c, warnings);
  ASSERT_FALSE(several.ok());
  EXPECT_NE(several.detail().find("several tokens and none chosen"), std::string::npos) << several.detail();
  EXPECT_NE(several.detail().find("\"B\" (serial s2, slot 2)"), std::string::npos) << several.detail();
}

TEST(ChooseToken, SerialWinsOverLabelAndSlotWithWarnings) {
  Pkcs11Config c;
  c.serial_number = "s2";
  c.token_label = "A";
  c.slot_number = 1;
  std::vector<std::string> warnings;
  auto out = choose_token({token(1, "A", "s1"), token(2, "B", "s2")}, 0, c, warnings);
  ASSERT_TRUE(out.ok()) << out.detail();
  EXPECT_EQ(out->slot, 2u);
  EXPECT_EQ(warnings.size(), 2u);
}

TEST(ChooseToken, LabelThenSlot) {
  Pkcs11Config c;
  c.token_label = "A";
  std::vector<std::string> warnings;
  std::vector<TokenEntry> two_a = {token(1, "A", "s1"), token(2, "A", "s2"), token(3, "B", "s3")};
  auto out = choose_token(two_a, 0, c, warnings);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.detail().find("several tokens match token_label"), std::string::npos) << out.detail();
  c.slot_number = 2;
  out = choose_token(two_a, 0, c, warnings);
  ASSERT_TRUE(out.ok()) << out.detail();
  EXPECT_EQ(out->serial, "s2");
  c.token_label = "C";
  out = choose_token(two_a, 0, c, warnings);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.detail().find("no initialised token matches token_label \"C\""), std::string::npos) << out.detail();
  c.token_label.reset();
  c.slot_number = 3;
  out = choose_token(two_a, 0, c, warnings);
  ASSERT_TRUE(out.ok()) << out.detail();
  EXPECT_EQ(out->label, "B");
  c.slot_number = 9;
  out = choose_token(two_a, 0, c, warnings);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.detail().find("slot_number 9"), std::string::npos) << out.detail();
}

}  // namespace
}  // namespace parsec::provider::pkcs11
